"""Stored reasons in words: each condition as "the enterprise's value — the rule — met /
failed / unknown", in the user's language, for the pages (the API gives them as data)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import rules

LABELS = {
    "industry_gbt4754": gettext_lazy("industry (GB/T 4754-2017)"),
    "headcount": gettext_lazy("headcount"),
    "annual_tax_cny": gettext_lazy("tax, last 12 months (CNY)"),
    "annual_local_tax_cny": gettext_lazy("locally retained tax, last 12 months (CNY)"),
    "office_area_m2": gettext_lazy("office area leased in the street (m²)"),
    "in_tower": gettext_lazy("holds space in a tower of the street"),
    "registered_in_district": gettext_lazy("tax registration in the district"),
    "enterprise_age_years": gettext_lazy("years since founded"),
    "registered_capital_cny": gettext_lazy("registered capital (CNY)"),
    "social_insurance_months": gettext_lazy("months with social insurance, last 12"),
    "unemployment_insurance_paid_months": gettext_lazy("months with social insurance, last 12"),
    "layoff_rate": gettext_lazy("fall in headcount over 12 months"),
    "annual_revenue_cny": gettext_lazy("annual revenue (CNY)"),
    "total_assets_cny": gettext_lazy("total assets (CNY)"),
    "annual_taxable_income_cny": gettext_lazy("annual taxable income (CNY)"),
    "is_high_tech": gettext_lazy("high-tech enterprise (高新)"),
    "store_level": gettext_lazy("first store level (首店)"),
    "is_small_micro": gettext_lazy("small low-profit enterprise (小型微利)"),
    "enterprise_size": gettext_lazy("size class (划型)"),
}
STATUS = {
    rules.MET: gettext_lazy("met"),
    rules.FAILED: gettext_lazy("not met"),
    rules.UNKNOWN: gettext_lazy("unknown"),
}


def _value(value) -> str:
    if value is None:
        return _("no data")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return number_format(
            value, decimal_pos=None if isinstance(value, int) else 2, force_grouping=True
        )
    if isinstance(value, list):
        return "、".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return str(value)


OPS = {"in": gettext_lazy("one of"), "not_in": gettext_lazy("none of")}


def op_label(op: str) -> str:
    return str(OPS.get(op, op))


def describe_benefit(benefit: dict) -> str:
    """A clause's benefit in words (the rule ``rules.compile_benefit`` estimates from)."""
    if not isinstance(benefit, dict) or not benefit:
        return "—"
    cap = benefit.get("cap_cny")
    if benefit.get("amount_cny") or benefit.get("one_off_cny"):
        text = _("%(amount)s CNY") % {
            "amount": _value(benefit.get("amount_cny") or benefit.get("one_off_cny"))
        }
    elif benefit.get("base_field") and benefit.get("rate") is not None:
        text = _("%(rate)s × %(field)s") % {
            "rate": _value(benefit["rate"]),
            "field": label(benefit["base_field"]),
        }
    elif benefit.get("per_field") and benefit.get("per_unit_cny") is not None:
        text = _("%(unit)s CNY per unit of %(field)s") % {
            "unit": _value(benefit["per_unit_cny"]),
            "field": label(benefit["per_field"]),
        }
    else:
        text = "; ".join(
            f"{k}: {_value(v)}" for k, v in benefit.items() if k not in ("cap_cny", "note")
        )
    if cap is not None:
        text += " " + _("(at most %(cap)s CNY)") % {"cap": _value(cap)}
    return text


def label(field: str) -> str:
    return str(LABELS.get(field, field))


def rule_text(cond: dict) -> str:
    return f"{label(cond['field'])} {op_label(cond['op'])} {_value(cond['value'])}"


def describe(reason: dict) -> dict:
    """{text, status, status_label} of one stored reason (an ``any_of`` joins its
    alternatives with "or")."""
    status = reason.get("status", rules.UNKNOWN)
    if "any_of" in reason:
        parts = [
            " & ".join(describe(r)["text"] for r in alternative) for alternative in reason["any_of"]
        ]
        text = _("one of: %(alternatives)s") % {"alternatives": " | ".join(f"({p})" for p in parts)}
    elif "field" in reason:
        text = _("%(field)s is %(actual)s — rule: %(op)s %(value)s") % {
            "field": label(reason["field"]),
            "actual": _value(reason.get("actual")),
            "op": op_label(reason["op"]),
            "value": _value(reason["value"]),
        }
        if reason.get("why") == "not_comparable":
            text += " " + _("(the rule's threshold is not a number the street can compare)")
    else:
        text = _("The clause has no structured conditions yet: ask the issuer.")
    return {"text": text, "status": status, "status_label": str(STATUS[status])}


def describe_all(stored: list, only_open: bool = False) -> list[dict]:
    out = [describe(r) for r in stored or []]
    if only_open:
        out = [r for r in out if r["status"] != rules.MET]
    return out


def describe_rules(conditions: list) -> list[str]:
    out = []
    for cond in conditions or []:
        if "any_of" in cond:
            parts = [" & ".join(rule_text(c) for c in alt) for alt in cond["any_of"]]
            out.append(
                _("one of: %(alternatives)s")
                % {"alternatives": " | ".join(f"({p})" for p in parts)}
            )
        else:
            out.append(rule_text(cond))
    return out
