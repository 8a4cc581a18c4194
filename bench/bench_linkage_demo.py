"""The demo's people sheets against the truth: how many rows have a registry counterpart, and
how the shipped model (``demo/data/linkage_people_model.json``) sorts them — auto-linked (right
or wrong), review, new — at a prior share and thresholds.

Needs a database with the registry demo loaded (any scale; the numbers in
docs/dev-notes/issue-19.md are at full scale), e.g.

    DJANGO_SETTINGS_MODULE=streetbrain.settings.demo \\
        .venv/bin/python bench/bench_linkage_demo.py --seeds 7,11 --sweep

``--seeds``: the sheets are drawn as the demo draws them (``demo.linkage.people_sheets``) with
``random.Random(seed)``; the demo itself uses 19, so tune on others and check on 19 once.
Nothing is written to the database. The prior share only adds a constant to every pair's
match weight (Splink's prior is share × smaller sheet / pairs), so one prediction per sheet is
enough to sweep shares and thresholds. ``--train``: a model trained on the street's own sheet
(as the app does without a shipped model) instead of the shipped one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streetbrain.settings.demo")

import django

django.setup()

from streetbrain.core.models import OrgUnit  # noqa: E402
from streetbrain.demo import linkage as demo  # noqa: E402
from streetbrain.linkage import actions, engine  # noqa: E402


def sheet_records(sheet) -> list[dict]:
    fields = list(sheet.headers)
    return [
        engine.normalised_record(i, {f: str(v) for f, v in zip(fields, row, strict=True)}, "people")
        for i, row in enumerate(sheet.rows)
    ]


def predicted(sheet, street, model, share, registry_cache, train=False):
    """Each row's best registry pair as (resident pk, match weight at ``share``) or None."""
    right = sheet_records(sheet)
    pks = actions.registry_candidates(street, right)
    missing = [pk for pk in pks if pk not in registry_cache]
    for rec in actions.registry_people(street, missing):
        registry_cache[rec["unique_id"]] = rec
    registry = [registry_cache[pk] for pk in pks]
    if train:
        m = engine.train([registry, right], engine.PEOPLE)
        pairs = engine.pairs_from(
            m.linker.inference.predict(threshold_match_probability=1e-6), one_per_right=True
        )
    else:
        tuned = engine.with_prior(model, len(registry), len(right), share=share)
        pairs = engine.predict_with(tuned, registry, right, engine.PEOPLE, threshold=1e-6)
    best = {p.right_row: (p.left_row, p.match_weight) for p in pairs}
    return [best.get(i) for i in range(len(right))], len(registry)


def outcome(best, truth, how, *, shift, upper, lower):
    """Counts for one sheet: rows, with a counterpart, auto-linked (right/wrong), review, new,
    and per noise kind."""
    c = Counter()
    for b, t, h in zip(best, truth, how, strict=True):
        kind = h if t is not None else "outsider"
        c["rows"] += 1
        c["counterpart"] += t is not None
        p = engine.probability_from_weight(b[1] + shift) if b else 0.0
        if b is None or p < lower:
            state = "new"
        elif p >= upper:
            state = "linked"
            c["linked_right" if b[0] == t else "linked_wrong"] += 1
        else:
            state = "review"
            c["review_right" if b[0] == t else "review_wrong"] += 1
        c[state] += 1
        c[f"{kind}:{state}"] += 1
    return c


def report(label: str, c: Counter) -> str:
    rows, cp, linked = c["rows"], c["counterpart"], c["linked"]
    precision = c["linked_right"] / linked if linked else 1.0
    return (
        f"{label}: rows {rows}, with counterpart {cp} ({cp / rows:.1%}), "
        f"linked {linked} ({linked / rows:.1%} of rows, {c['linked_right'] / cp:.1%} of "
        f"counterparts), precision {precision:.4f} ({c['linked_wrong']} wrong), "
        f"review {c['review']} ({c['review_right']} right pair), new {c['new']}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="7,11")
    ap.add_argument("--share", type=float, default=demo.SHIPPED_PRIOR_SHARE)
    ap.add_argument("--upper", type=float, default=actions.UPPER)
    ap.add_argument("--lower", type=float, default=actions.LOWER)
    ap.add_argument("--model", default=str(demo.MODEL_FILE))
    ap.add_argument("--train", action="store_true")
    ap.add_argument("--sweep", action="store_true")
    args = ap.parse_args()
    import json

    model = json.loads(Path(args.model).read_text())
    street = OrgUnit.objects.filter(level="street", geometry__isnull=False).order_by("pk").first()
    today = dt.date.today()
    cache: dict[int, dict] = {}
    runs = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        t0 = time.perf_counter()
        sheets = demo.people_sheets(street, today, random.Random(seed))
        for sheet in sheets:
            best, n_left = predicted(sheet, street, model, args.share, cache, train=args.train)
            runs.append((seed, sheet, best))
            c = outcome(best, sheet.truth, sheet.how, shift=0, upper=args.upper, lower=args.lower)
            print(report(f"seed {seed} {sheet.name} ({n_left} candidates)", c))
            kinds = sorted(k for k in c if ":" in k)
            print("   ", ", ".join(f"{k} {c[k]}" for k in kinds))
        print(f"  seed {seed}: {time.perf_counter() - t0:.1f} s", flush=True)
    if not args.sweep:
        return
    print("\nsweep over all sheets above (share, upper, lower):")
    for share in (0.02, 0.03, 0.05, 0.07, 0.1, 0.2, 0.3, 0.9, 2):
        shift = math.log2(share / args.share)
        for upper in (0.95, 0.9):
            for lower in (0.02, 0.005):
                total = Counter()
                for _seed, sheet, best in runs:
                    total += outcome(
                        best, sheet.truth, sheet.how, shift=shift, upper=upper, lower=lower
                    )
                print(report(f"share {share:>4} upper {upper} lower {lower}", total))


if __name__ == "__main__":
    main()
