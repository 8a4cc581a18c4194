"""The reference data the districts read, as data with its sources: the 限额以上 thresholds of
the statistics (``data/reference/thresholds.yaml``: retail ≥ 500万, wholesale ≥ 2000万,
catering and lodging ≥ 200万 of annual main-business revenue) and the 首店 levels and their
definitions (``data/reference/first_store.yaml``). Both are copies of the shared reference
files, listed in ``data/SOURCES.md``; a threshold that changes is a change of that file, not
of the code."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from .models import Category

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"  # streetbrain/data

# Which 四上 item of thresholds.yaml each trade is measured against.
THRESHOLD_ITEMS = {
    Category.RETAIL: "retail_above_limit",
    Category.WHOLESALE: "wholesale_above_limit",
    Category.CATERING: "accommodation_catering_above_limit",
    Category.LODGING: "accommodation_catering_above_limit",
}


def _load(name: str) -> dict:
    return yaml.safe_load((REFERENCE_DIR / name).read_text(encoding="utf-8"))


@cache
def thresholds() -> dict[str, dict]:
    """{trade: {"amount": Decimal yuan a year, "name": 限额以上零售业, "text": the source's
    sentence, "sources": [...]}} for the trades that have a 限额以上 threshold."""
    doc = _load("thresholds.yaml")["four_above_scale"]
    items = {item["key"]: item for item in doc["items"]}
    out = {}
    for category, key in THRESHOLD_ITEMS.items():
        item = items[key]
        (condition,) = [
            c for c in item["conditions"] if c["field"] == "annual_main_business_revenue_cny"
        ]
        out[str(category)] = {
            "amount": Decimal(condition["value"]),
            "name": item["name"],
            "text": item["text_verbatim"],
            "sources": doc["sources"],
        }
    return out


def threshold(category: str) -> Decimal | None:
    """The annual sales at and above which a store of ``category`` is 限额以上; None for a
    trade without one."""
    entry = thresholds().get(str(category))
    return entry["amount"] if entry else None


@cache
def first_store_levels() -> dict:
    """The level vocabulary (code → names used by the sources) and the general definitions
    of 首店 with their sources, for the register's page."""
    doc = _load("first_store.yaml")
    return {
        "vocabulary": doc["meta"]["store_level_vocabulary"],
        "definitions": doc["general_definitions"],
        "official": doc["beijing"]["definitions"],
    }
