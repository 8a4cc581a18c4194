"""The probabilistic linkage itself, on Splink (Fellegi–Sunter) with its DuckDB backend.

Nothing here is a hand-made score: this module only says *what* is compared (the comparison
levels), *which* pairs are compared at all (the blocking rules) and how the model is trained
without labels (u from random pairs, the prior from rules that admit almost no false positives,
m by expectation maximisation on pairs blocked on one field at a time, so each session learns the
other fields). Splink does the rest and explains every score: each comparison's match weight
(``mw_<field>``) is kept for the review queue's waterfall.

Records come in as dicts from :func:`records_from_table` (a department's sheet, normalised by
``normalise``); ``row`` is the sheet's data-row number (1 = the first row under the header).

Scale: DuckDB in-process, fine to a few million records on a laptop; for a city, the same
settings run on Splink's Spark backend (``splink.SparkAPI``), unchanged.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from streetbrain.core.dataio import HEADER_ALIASES, Table, cell_text
from streetbrain.linkage import normalise as nz

PEOPLE = "people"
ENTERPRISES = "enterprises"

# The headers a sheet may use for each field, after the import engine's own synonyms
# (身份证号码 → 公民身份号码, 手机号 → 联系电话 …, core.dataio.HEADER_ALIASES).
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "户主姓名", "老人姓名", "法定代表人", "负责人", "经营者"),
    "id_number": ("公民身份号码", "身份证号码", "证件号"),
    "phone": ("联系电话",),
    "address": (
        "住址",
        "地址",
        "户籍地址",
        "居住地址",
        "现住址",
        "家庭住址",
        "现居住地址",
        "经营场所",
        "注册地址",
        "住所",
    ),
    "birth_date": ("出生日期", "出生年月"),
    "sex": ("性别",),
    "credit_code": ("统一社会信用代码",),
    "enterprise_name": ("企业名称", "单位名称", "主体名称", "店铺名称", "市场主体名称"),
}
_HEADER_FIELD = {h: f for f, headers in FIELD_HEADERS.items() for h in headers}

# The threshold above which the CLI reports a pair, and the app links without asking.
DEFAULT_THRESHOLD = 0.9


class SheetError(ValueError):
    """A sheet the linkage cannot read (no known column, or neither people nor enterprises)."""


def header_field(header: str) -> str | None:
    text = nz.clean_text(header).rstrip("*＊")
    text = HEADER_ALIASES.get(text, text)
    return _HEADER_FIELD.get(text)


def sheet_kind(fields: Iterable[str]) -> str:
    fields = set(fields)
    if fields & {"enterprise_name", "credit_code"}:
        return ENTERPRISES
    if fields & {"name", "id_number"}:
        return PEOPLE
    raise SheetError(
        "The sheet has no column the linkage compares (姓名, 公民身份号码, 企业名称, "
        "统一社会信用代码 …)."
    )


def column_map(headers: Sequence[str]) -> dict[str, int]:
    """field → column position; the first of two columns for one field wins."""
    positions: dict[str, int] = {}
    for i, header in enumerate(headers):
        f = header_field(header)
        if f and f not in positions:
            positions[f] = i
    return positions


def normalised_record(row: int, raw: dict[str, Any], kind: str) -> dict[str, Any]:
    """One record in the columns the Splink settings compare; blanks are None (a NULL never
    blocks with another NULL, and compares at the null level, not as a disagreement)."""
    addr = nz.address(raw.get("address"))
    rec: dict[str, Any] = {
        "unique_id": row,
        "phone": nz.phone(raw.get("phone")) or None,
        "compound": addr.compound or None,
        "building_key": addr.building_key or None,
        "house_key": addr.house_key or None,
        "unit": addr.unit or None,
    }
    if kind == PEOPLE:
        ident = nz.id_number(raw.get("id_number"))
        name = nz.person_name(raw.get("name"))
        birth = nz.date_text(raw.get("birth_date")) or (
            ident.birth_date.isoformat() if ident.birth_date else ""
        )
        rec |= {
            "name": name or None,
            "name_py": nz.pinyin(name) or None,
            "surname_py": nz.pinyin(name[:1]) or None,
            "id_number": ident.value or None,
            "birth_date": birth or None,
            "sex": nz.sex(raw.get("sex")) or ident.sex or None,
        }
    else:
        ent = nz.enterprise_name(raw.get("enterprise_name"))
        code, _ok = nz.credit_code(raw.get("credit_code"))
        person = nz.person_name(raw.get("name"))
        rec |= {
            "ent_name": ent.core or None,
            "ent_branch": ent.branch or "",
            "credit_code": code or None,
            "name": person or None,
            "name_py": nz.pinyin(person) or None,
        }
    return rec


def records_from_table(table: Table) -> tuple[str, list[dict[str, Any]]]:
    """A sheet (``core.dataio.read_table``) as (kind, normalised records); row 1 is the first
    data row under the header (the header is row 0)."""
    columns = column_map(table.headers)
    kind = sheet_kind(columns)
    records = []
    for number, cells in table.rows:
        raw = {f: _cell(cells, i) for f, i in columns.items()}
        records.append(normalised_record(number - 1, raw, kind))
    return kind, records


def _cell(cells: list, i: int) -> str:
    if i >= len(cells):
        return ""
    try:
        return cell_text(cells[i])
    except ValueError:  # a number Excel has already rounded: as good as missing
        return ""


# --- the model ----------------------------------------------------------------------------------


def _address_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.NullLevel("compound"),
            cll.CustomLevel(
                "house_key_l = house_key_r"
                " AND (unit_l IS NULL OR unit_r IS NULL OR unit_l = unit_r)",
                "same house",
            ),
            cll.CustomLevel("building_key_l = building_key_r", "same building"),
            cll.CustomLevel("compound_l = compound_r", "same compound"),
            cll.ElseLevel(),
        ],
    )


def _people_comparisons():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return [
        cl.CustomComparison(
            output_column_name="id_number",
            comparison_levels=[
                cll.NullLevel("id_number"),
                cll.ExactMatchLevel("id_number"),
                cll.DamerauLevenshteinLevel("id_number", 1).configure(
                    label_for_charts="one digit typed wrong"
                ),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="name",
            comparison_levels=[
                cll.NullLevel("name"),
                cll.ExactMatchLevel("name", term_frequency_adjustments=True),
                cll.ExactMatchLevel("name_py").configure(label_for_charts="same pinyin"),
                # 王建国 / 王建华: the surname and all but one given-name character the same —
                # a clerk's slip, or a sibling or twin. Its own level (not "else", where a
                # stranger's name falls) so that its weight is learnt; with the same house and
                # date of birth it decides (a twin has the same ones: the clerk sees the
                # waterfall).
                cll.CustomLevel(
                    "substr(name_l, 1, 1) = substr(name_r, 1, 1)"
                    " AND damerau_levenshtein(name_l, name_r) <= 1",
                    "one given-name character apart",
                ),
                cll.JaroWinklerLevel("name_py", 0.9).configure(label_for_charts="similar pinyin"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="birth_date",
            comparison_levels=[
                cll.NullLevel("birth_date"),
                cll.ExactMatchLevel("birth_date"),
                cll.DamerauLevenshteinLevel("birth_date", 1).configure(
                    label_for_charts="one digit apart"
                ),
                cll.ElseLevel(),
            ],
        ),
        cl.ExactMatch("sex"),
        cl.ExactMatch("phone"),
        _address_comparison(),
    ]


def _enterprise_comparisons():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return [
        cl.CustomComparison(
            output_column_name="credit_code",
            comparison_levels=[
                cll.NullLevel("credit_code"),
                cll.ExactMatchLevel("credit_code"),
                cll.DamerauLevenshteinLevel("credit_code", 1).configure(
                    label_for_charts="one character typed wrong"
                ),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="ent_name",
            comparison_levels=[
                cll.NullLevel("ent_name"),
                cll.CustomLevel(
                    "ent_name_l = ent_name_r AND ent_branch_l = ent_branch_r", "same name"
                ),
                cll.CustomLevel("ent_name_l = ent_name_r", "head office and branch"),
                cll.JaroWinklerLevel("ent_name", 0.9).configure(label_for_charts="similar name"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="name",
            comparison_levels=[
                cll.NullLevel("name"),
                cll.ExactMatchLevel("name"),
                cll.ExactMatchLevel("name_py").configure(label_for_charts="same pinyin"),
                cll.ElseLevel(),
            ],
        ),
        cl.ExactMatch("phone"),
        _address_comparison(),
    ]


def _blocking_rules(kind: str):
    from splink import block_on

    if kind == PEOPLE:
        return [
            block_on("id_number"),
            block_on("name_py", "birth_date"),
            block_on("phone"),
            block_on("house_key"),
            block_on("name_py", "building_key"),
            block_on("substr(id_number, 1, 14)"),  # a typo in the last four digits
        ]
    return [
        block_on("credit_code"),
        block_on("ent_name"),
        block_on("phone"),
        block_on("building_key"),
    ]


def _deterministic_rules(kind: str):
    from splink import block_on

    if kind == PEOPLE:
        return [block_on("id_number"), block_on("name", "birth_date", "phone")]
    return [block_on("credit_code"), block_on("ent_name", "ent_branch", "phone")]


def _em_rules(kind: str):
    from splink import block_on

    if kind == PEOPLE:
        return [block_on("id_number"), block_on("name_py", "birth_date"), block_on("house_key")]
    return [block_on("credit_code"), block_on("ent_name")]


def settings(kind: str, link_type: str):
    from splink import SettingsCreator

    return SettingsCreator(
        link_type=link_type,
        comparisons=_people_comparisons() if kind == PEOPLE else _enterprise_comparisons(),
        blocking_rules_to_generate_predictions=_blocking_rules(kind),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )


_COLUMNS = {
    PEOPLE: (
        "unique_id name name_py surname_py id_number birth_date sex phone compound "
        "building_key house_key unit"
    ).split(),
    ENTERPRISES: (
        "unique_id ent_name ent_branch credit_code name name_py phone compound building_key "
        "house_key unit"
    ).split(),
}


def _arrow(records: list[dict[str, Any]], kind: str):
    import pyarrow as pa

    columns = _COLUMNS[kind]
    data = {c: [r.get(c) for r in records] for c in columns}
    schema = pa.schema([(c, pa.int64() if c == "unique_id" else pa.string()) for c in columns])
    return pa.table(data, schema=schema)


@dataclass
class Model:
    """A trained Splink linker over registered tables, and the DuckDB connection it lives in."""

    linker: Any
    db_api: Any
    kind: str
    tables: list[Any] = field(default_factory=list)


def train(
    tables: Sequence[list[dict[str, Any]]],
    kind: str,
    *,
    recall: float = 0.7,
    seed: int = 19,
) -> Model:
    """A Splink model over one table (dedupe) or two (link), trained without labels."""
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI()
    names = ["sheet_left", "sheet_right"] if len(tables) == 2 else ["sheet"]
    registered = [
        db_api.register(_arrow(t, kind), dataset_display_name=n)
        for t, n in zip(tables, names, strict=True)
    ]
    link_type = "link_only" if len(tables) == 2 else "dedupe_only"
    linker = Linker(
        registered if len(registered) > 1 else registered[0],
        settings(kind, link_type),
        log_level=logging.ERROR,
    )
    size = sum(len(t) for t in tables)
    linker.training.estimate_probability_two_random_records_match(
        _deterministic_rules(kind), recall=recall
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(2e6, max(5e4, size * 5)), seed=seed
    )
    from splink.internals.exceptions import EMTrainingException

    for rule in _em_rules(kind):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=5e5 if size > 50_000 else None
            )
        except EMTrainingException:
            # A small sheet has no pair on this rule (two enterprises, no shared name): the
            # fields it would have trained keep their other sessions' or default m values.
            continue
    return Model(linker, db_api, kind, registered)


@dataclass(frozen=True, slots=True)
class Pair:
    left_row: int
    right_row: int
    probability: float
    match_weight: float
    weights: dict[str, float]  # each comparison's match weight (the waterfall's bars)

    def explained(self) -> dict[str, float]:
        """The waterfall: the prior (how likely two random records match) and each field's
        match weight, in bits; they add up to the pair's match weight."""
        prior = self.match_weight - sum(self.weights.values())
        return {"prior": round(prior, 3)} | {k: round(v, 3) for k, v in self.weights.items()}


def pairs_from(predictions, *, one_per_right: bool) -> list[Pair]:
    """Pairs from a Splink prediction table; with ``one_per_right`` each right record keeps
    only its best left record (ties: the smaller left row)."""
    rows = predictions.as_record_list()
    cols = list(rows[0]) if rows else []
    weight_cols = [c for c in cols if c.startswith("mw_") and not c.startswith("mw_tf_")]
    best: dict[int, Pair] = {}
    out: list[Pair] = []
    for r in rows:
        weights = {
            c[3:]: float(r[c] or 0) + float(r.get(f"mw_tf_{c[3:]}") or 0) for c in weight_cols
        }
        pair = Pair(
            int(r["unique_id_l"]),
            int(r["unique_id_r"]),
            float(r["match_probability"]),
            float(r["match_weight"]),
            weights,
        )
        if one_per_right:
            seen = best.get(pair.right_row)
            if seen is None or (pair.probability, -pair.left_row) > (
                seen.probability,
                -seen.left_row,
            ):
                best[pair.right_row] = pair
        else:
            out.append(pair)
    if one_per_right:
        out = sorted(best.values(), key=lambda p: p.right_row)
    return out


def predict_with(
    model: dict,
    left: list[dict[str, Any]],
    right: list[dict[str, Any]],
    kind: str,
    *,
    threshold: float,
) -> list[Pair]:
    """Link with a model trained before (incremental: a new sheet against the registry as it
    stands, no training): each right record's best left record at or above ``threshold``."""
    from splink import DuckDBAPI, Linker

    if not left or not right:
        return []
    db_api = DuckDBAPI()
    tables = [
        db_api.register(_arrow(left, kind), dataset_display_name="sheet_left"),
        db_api.register(_arrow(right, kind), dataset_display_name="sheet_right"),
    ]
    settings_dict = dict(model) | {"link_type": "link_only"}
    linker = Linker(tables, settings_dict, log_level=logging.ERROR, validate_settings=False)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    return pairs_from(predictions, one_per_right=True)


# The share of a department's sheet of the street's people expected in the registry (about 9
# in 10: the demo's sheets hold 92.5 %).
PRIOR_SHARE = 0.9


def with_prior(model: dict, n_left: int, n_right: int, *, share: float = PRIOR_SHARE) -> dict:
    """A model trained on other sheets, its prior set for these two: Splink's prior is the
    probability that two records drawn from the two sheets at random match, so it depends on
    their sizes. ``share`` of the smaller sheet is expected in the other (a department's sheet
    of the street's people: about 9 in 10 are in the registry)."""
    pairs = max(1, n_left * n_right)
    prior = min(0.5, max(share * min(n_left, n_right), 1) / pairs)
    return dict(model) | {"probability_two_random_records_match": prior}


def score_one(left: list[dict[str, Any]], record: dict[str, Any], model: dict) -> Pair | None:
    """One record against a few candidates with a model trained before (``model``: Splink's
    settings dict with its m and u): no training, so it takes a fraction of a second."""
    from splink import DuckDBAPI, Linker

    if not left:
        return None
    db_api = DuckDBAPI()
    tables = [
        db_api.register(_arrow(left, PEOPLE), dataset_display_name="a_registry"),
        db_api.register(_arrow([{**record, "unique_id": 0}], PEOPLE), dataset_display_name="b_one"),
    ]
    settings_dict = dict(model)
    settings_dict["link_type"] = "link_only"
    settings_dict["blocking_rules_to_generate_predictions"] = ["1=1"]  # a few: compare them all
    linker = Linker(tables, settings_dict, log_level=logging.ERROR, validate_settings=False)
    pairs = pairs_from(linker.inference.predict(warning_mode="never"), one_per_right=True)
    return pairs[0] if pairs else None


def link(
    left: list[dict[str, Any]],
    right: list[dict[str, Any]],
    kind: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Pair]:
    """The pairs (left row, right row) at or above ``threshold``, each right row with its best
    left row only."""
    if not left or not right:
        return []
    model = train([left, right], kind)
    predictions = model.linker.inference.predict(threshold_match_probability=threshold)
    return pairs_from(predictions, one_per_right=True)


def dedupe(
    records: list[dict[str, Any]], kind: str, *, threshold: float = DEFAULT_THRESHOLD
) -> dict[int, int]:
    """row → cluster, the cluster named by its smallest row (a row alone is its own cluster):
    the connected components of the pairs at or above ``threshold``.

    The components are found here (union–find over the predicted pairs), not with Splink's
    ``cluster_pairwise_predictions_at_threshold``: on 1,000,000 records (bench_linkage.py) that
    gave clusters of one or two rows whose pairs were 14 % wrong (pairwise F1 0.856) while the
    components of the very same pairs are F1 0.994; at 200,000 both agree (0.995)."""
    if not records:
        return {}
    model = train([records], kind)
    predictions = model.linker.inference.predict(threshold_match_probability=threshold)
    # predict() kept only the pairs at or above the threshold
    edges = predictions.as_duckdbpyrelation().query("p", "select unique_id_l, unique_id_r from p")
    edges = edges.fetchall()
    parent = {int(r["unique_id"]): int(r["unique_id"]) for r in records}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    for left, right in edges:
        a, b = root(int(left)), root(int(right))
        if a != b:  # the smaller row names the merged cluster
            parent[max(a, b)] = min(a, b)
    return {row: root(row) for row in parent}


def probability_from_weight(weight: float) -> float:
    return 1.0 / (1.0 + math.pow(2.0, -weight))
