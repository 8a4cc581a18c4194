"""AI企服's part of the demo district: the 11 real reference policies (marked with their
sources) and the demo's own made-up policies (``synth/services_policies.yaml``, marked demo),
synthetic facts for the demo enterprises (revenue, assets, taxable income, 高新 and 首店;
a quarter are left unknown so that "unknown" verdicts show what data is missing), the stored
matches of every demo enterprise, notices at every stage, and the ``enterprise`` account's
link to one demo enterprise.

THE FACTS, NOTICES AND GRANTS ARE SYNTHETIC: facts are derived from each enterprise's
synthetic tax with a seeded random ratio and stored with ``data_source="demo"``.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Sum

from streetbrain.core.audit import audit_context
from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.models import User
from streetbrain.economy.models import Enterprise, TaxRecord
from streetbrain.services import actions, requests
from streetbrain.services.models import (
    Clause,
    EnterpriseAccount,
    EnterpriseFacts,
    Match,
    Notice,
    Policy,
    Source,
    Verdict,
)

DEMO = "demo"
POLICIES = Path(__file__).parent / "synth" / "services_policies.yaml"
STORE_LEVELS = ["城市首店", "区域首店", "旗舰店", "全国首店"]


def is_loaded() -> bool:
    return Policy.objects.filter(source=Source.DEMO).exists()


def _facts(rng: random.Random) -> list[EnterpriseFacts]:
    tax = dict(
        TaxRecord.objects.values("enterprise_id")
        .annotate(t=Sum("total_tax"))
        .values_list("enterprise_id", "t")
    )
    out = []
    for pk, section in (
        Enterprise.objects.filter(data_source=DEMO)
        .values_list("pk", "industry__section__code")
        .order_by("pk")
    ):
        if rng.random() < 0.25:
            continue  # the street does not know this one's figures: "unknown" verdicts
        yearly = max(float(tax.get(pk) or 0) / 3, 10_000.0)  # 36 months of history
        revenue = yearly / rng.uniform(0.03, 0.08)
        out.append(
            EnterpriseFacts(
                enterprise_id=pk,
                annual_revenue_cny=Decimal(round(revenue, 2)),
                total_assets_cny=Decimal(round(revenue * rng.uniform(0.5, 1.5), 2)),
                annual_taxable_income_cny=Decimal(round(revenue * rng.uniform(0.02, 0.12), 2)),
                is_high_tech=(section in ("I", "M") and rng.random() < 0.2) or False,
                store_level=(
                    rng.choice(STORE_LEVELS)
                    if section in ("F", "H") and rng.random() < 0.05
                    else ""
                ),
                data_source=DEMO,
            )
        )
    return out


def _notices(officer, rng: random.Random) -> dict:
    """For the clauses with eligible enterprises, notify up to 40 of them and move the
    notices along: every stage appears."""
    counts = {s: 0 for s in Notice.State.values}
    clauses = [
        c
        for c in Clause.objects.filter(current=True).order_by("pk")
        if Match.objects.filter(clause=c, verdict__in=[Verdict.AUTO, Verdict.APPLY]).exists()
    ]
    for clause in clauses[:6]:
        ids = list(
            Match.objects.filter(clause=clause, verdict__in=[Verdict.AUTO, Verdict.APPLY])
            .order_by("enterprise_id")
            .values_list("enterprise_id", flat=True)[:40]
        )
        for notice in actions.send_notices(clause, officer, enterprise_ids=ids):
            roll = rng.random()
            path = []
            if roll > 0.2:
                path.append("read")
            if roll > 0.45:
                path.append("apply")
            if roll > 0.65:
                path.append("grant" if roll > 0.75 else "refuse")
            for step in path:
                amount = notice.estimated_amount or Decimal("10000") if step == "grant" else None
                notice = actions.advance_notice(notice, step, officer, amount=amount)
            counts[notice.state] += 1
    return counts


@transaction.atomic
def load(ctx) -> None:
    rng = random.Random(15)
    with audit_context(source="cli", reason="demo load", actor_name="demo"):
        ref = actions.load_reference_policies()
        demo = actions.import_policy_file(
            POLICIES.read_text(encoding="utf-8"), POLICIES.name, Source.DEMO
        )
        ctx.say(f"services: {ref['policies']} reference + {demo['policies']} demo policies")
        requests.ensure_classes()
        facts = _facts(rng)
        EnterpriseFacts.objects.bulk_create(facts, batch_size=2000)
        info = actions.recompute_matches()
        ctx.say(
            f"services: {info['matches']} matches ({info['enterprises']} enterprises × "
            f"{info['clauses']} clauses) in "
            f"{info['seconds_profile'] + info['seconds_rules'] + info['seconds_store']:.1f} s"
        )
        officer = User.objects.filter(username="services").first()
        if officer is not None:
            counts = _notices(officer, rng)
            ctx.say(f"services: notices {counts}")
        account = User.objects.filter(username="enterprise").first()
        if account is not None and not EnterpriseAccount.objects.filter(user=account).exists():
            # An enterprise with a notice still to read, so its page shows one.
            notice = Notice.objects.filter(state=Notice.State.DELIVERED).order_by("pk").first()
            match = Match.objects.filter(verdict=Verdict.AUTO).order_by("enterprise_id").first()
            enterprise = notice.enterprise if notice else match.enterprise if match else None
            if enterprise is not None:
                actions.link_account(account, enterprise.credit_code)
                ctx.say(f"services: account enterprise → {enterprise.name}")


LOADER = DemoLoader("services", load, is_loaded, depends_on=("core", "economy"), order=60)
