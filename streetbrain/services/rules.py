"""Rules as data: a clause's eligibility conditions and benefit, evaluated over an
enterprise's profile with three outcomes (met, failed, unknown) and a reason for each.

The format is the one of ``../shared/data/reference/policies.yaml`` (documented in
docs/services-policy-format.md), so the real reference policies load as they are:

    conditions:                      # all must hold
      - {field: headcount, op: ">=", value: 10}
      - {field: industry_gbt4754, op: in, value: [I, "65"]}   # section letters or code prefixes
      - any_of:                      # alternatives, each a list that must hold
          - [{field: is_small_micro, op: "==", value: true}]
          - [{field: annual_revenue_cny, op: "<", value: 5000000}]

Operators are a closed table (``OPS``); nothing is ever evaluated as code. A condition whose
field the profile lacks (``None``), or whose value is not a comparable threshold (the
reference keeps some thresholds as the source's words), is *unknown*, never failed: the
verdict then says which data are missing. Why not json-logic: it answers true/false, while a
verdict must say which conditions held, failed or could not be decided, with the values.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from decimal import Decimal

from django.utils.translation import gettext as _

MET, FAILED, UNKNOWN = "met", "failed", "unknown"

OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
SET_OPS = {"in", "not_in"}
INDUSTRY_FIELD = "industry_gbt4754"
_CODE_RE = re.compile(r"\A([A-T])?(\d{2,4})?\Z")


class RuleError(ValueError):
    """A condition that is not in the documented format (refused at import)."""


def industry_prefix(value) -> str | None:
    """'I', '65', 'K7010 房地产开发经营 (…)' → 'I', '65', '7010': the GB/T 4754 prefix a rule
    value names (its first word); None when it names none."""
    if not isinstance(value, str) or not value.strip():
        return None
    word = value.strip().split()[0]
    m = _CODE_RE.match(word)
    if not m or not (m.group(1) or m.group(2)):
        return None
    return m.group(2) or m.group(1)


def industry_under(code: str, section: str, prefix: str) -> bool:
    return section == prefix if prefix.isalpha() else code.startswith(prefix)


def _number(value):
    """Numbers compare as floats (thresholds in yuan, people, ratios: far from float's
    precision limits); booleans stay booleans."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    return value


def check_condition(cond) -> None:
    """Refuse what is not a condition of the format (at import and on the clause's page: a
    clear error in the user's language)."""
    if not isinstance(cond, dict):
        raise RuleError(_("A condition is a mapping, not %(value)s.") % {"value": repr(cond)})
    if "any_of" in cond:
        alternatives = cond["any_of"]
        if not isinstance(alternatives, list) or not alternatives:
            raise RuleError(_("any_of takes a list of condition lists."))
        for alternative in alternatives:
            if not isinstance(alternative, list):
                raise RuleError(_("Each any_of alternative is a list of conditions."))
            for c in alternative:
                check_condition(c)
        return
    field, op = cond.get("field"), cond.get("op")
    if not isinstance(field, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", field):
        raise RuleError(
            _("The condition's field %(field)s is not a field name.") % {"field": repr(field)}
        )
    if op not in OPS and op not in SET_OPS:
        raise RuleError(
            _("Unknown operator %(op)s (allowed: %(ops)s).")
            % {"op": repr(op), "ops": ", ".join([*OPS, *SET_OPS])}
        )
    if "value" not in cond:
        raise RuleError(_("The condition on %(field)s has no value.") % {"field": field})


def _leaf(cond: dict, profile: dict) -> dict:
    field, op, value = cond["field"], cond["op"], cond["value"]
    reason = {"field": field, "op": op, "value": value, "actual": None, "status": UNKNOWN}
    if field == INDUSTRY_FIELD:
        code, section = profile.get(INDUSTRY_FIELD), profile.get("industry_section")
        reason["actual"] = code
        values = value if isinstance(value, list) else [value]
        prefixes = [industry_prefix(v) for v in values]
        if code is None or any(p is None for p in prefixes):
            reason["why"] = "no_value" if code is None else "not_comparable"
            return reason
        hit = any(industry_under(code, section or "", p) for p in prefixes)
        positive = op in ("==", "in")
        if op not in ("==", "!=", "in", "not_in"):
            reason["why"] = "not_comparable"
            return reason
        reason["status"] = MET if hit == positive else FAILED
        return reason
    actual = profile.get(field)
    reason["actual"] = actual
    if actual is None:
        reason["why"] = "no_value"
        return reason
    if op in SET_OPS:
        if not isinstance(value, list):
            reason["why"] = "not_comparable"
            return reason
        hit = actual in value
        reason["status"] = MET if hit == (op == "in") else FAILED
        return reason
    a, v = _number(actual), _number(value)
    if isinstance(a, str) and isinstance(v, str) and op not in ("==", "!="):
        # Dates as ISO text compare in order; other words do not.
        try:
            a, v = dt.date.fromisoformat(a), dt.date.fromisoformat(v)
        except ValueError:
            reason["why"] = "not_comparable"
            return reason
    if isinstance(a, bool) != isinstance(v, bool) or isinstance(a, str) != isinstance(v, str):
        reason["why"] = "not_comparable"
        return reason
    if isinstance(v, dict | list):
        reason["why"] = "not_comparable"
        return reason
    try:
        reason["status"] = MET if OPS[op](a, v) else FAILED
    except TypeError:
        reason["why"] = "not_comparable"
    return reason


def _combine(statuses: list[str], any_: bool) -> str:
    if any_:
        if MET in statuses:
            return MET
        return UNKNOWN if UNKNOWN in statuses else FAILED
    if FAILED in statuses:
        return FAILED
    return UNKNOWN if UNKNOWN in statuses else MET


def evaluate(conditions: list, profile: dict) -> tuple[str, list[dict]]:
    """(overall status, reasons): every condition must hold; each reason names the field,
    the rule (op, value), the enterprise's value and the status. An ``any_of`` gives one
    reason with its alternatives' reasons nested."""
    reasons, statuses = [], []
    for cond in conditions or []:
        if "any_of" in cond:
            alternatives = [evaluate(alt, profile) for alt in cond["any_of"]]
            status = _combine([s for s, _r in alternatives], any_=True)
            reasons.append({"any_of": [r for _s, r in alternatives], "status": status})
        else:
            reason = _leaf(cond, profile)
            status = reason["status"]
            reasons.append(reason)
        statuses.append(status)
    return _combine(statuses, any_=False), reasons


def fields_of(conditions: list) -> set[str]:
    out = set()
    for cond in conditions or []:
        if "any_of" in cond:
            for alt in cond["any_of"]:
                out |= fields_of(alt)
        else:
            out.add(cond["field"])
    return out


# -- benefit ------------------------------------------------------------------------------------

STANDARD_CIT_RATE = Decimal("0.25")  # 企业所得税法第四条


def _dec(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    return None


def estimate(benefit: dict, profile: dict) -> Decimal | None:
    """The estimated amount in yuan a benefit is worth to an enterprise, or None when the
    benefit's base is not in the profile (``compile_benefit`` documents the keys)."""
    return compile_benefit(benefit)(profile)


def compile_benefit(benefit: dict):
    """A function profile → estimated amount (yuan, 2 decimals) or None, read once per clause.
    Recognised (the format's ``benefit`` keys):

    - ``amount_cny`` or ``one_off_cny``: a fixed amount;
    - ``rate`` with ``base_field`` (a profile field), optional ``cap_cny``: rate × base;
    - ``per_unit_cny`` with ``per_field`` (e.g. headcount), optional ``cap_cny``;
    - a tax rate (``kind: tax_rate``, ``rate``, ``standard_rate``) or a reduced taxable base
      (``taxable_base_ratio`` × ``rate``): the tax saved on ``annual_taxable_income_cny``
      against the standard 25 %.
    """
    if not isinstance(benefit, dict):
        return lambda profile: None
    cap = _dec(benefit.get("cap_cny"))
    cap = None if cap is None else float(cap)

    def finish(amount: float | None) -> Decimal | None:
        if amount is None:
            return None
        if cap is not None:
            amount = min(amount, cap)
        return Decimal(f"{max(amount, 0.0):.2f}")

    fixed = _dec(benefit.get("amount_cny")) or _dec(benefit.get("one_off_cny"))
    if fixed is not None:
        value = finish(float(fixed))
        return lambda profile: value
    rate = _dec(benefit.get("rate"))
    if benefit.get("base_field") and rate is not None:
        field, r = benefit["base_field"], float(rate)

        def by_rate(profile):
            base = profile.get(field)
            if base is None or isinstance(base, bool) or not isinstance(base, int | float):
                return None
            return finish(base * r)

        return by_rate
    unit = _dec(benefit.get("per_unit_cny"))
    if benefit.get("per_field") and unit is not None:
        field, u = benefit["per_field"], float(unit)

        def per_unit(profile):
            base = profile.get(field)
            if base is None or isinstance(base, bool) or not isinstance(base, int | float):
                return None
            return finish(base * u)

        return per_unit
    kind = benefit.get("kind")
    if kind in ("tax_rate", "tax_reduction") and rate:
        ratio = _dec(benefit.get("taxable_base_ratio"))
        if kind == "tax_rate":
            standard = float(_dec(benefit.get("standard_rate")) or STANDARD_CIT_RATE)
            effective = float(rate)
        elif ratio is not None:
            standard, effective = float(STANDARD_CIT_RATE), float(ratio * rate)
        else:
            return lambda profile: None

        def tax_saved(profile):
            income = profile.get("annual_taxable_income_cny")
            if income is None or isinstance(income, bool) or income <= 0:
                return None
            return finish(income * (standard - effective))

        return tax_saved
    return lambda profile: None


# -- 划型 (工信部联企业〔2011〕300号) -----------------------------------------------------------

# Industries of the standard that the reference file leaves without GB/T 4754 codes; OUR
# reading of the 2017 统计 办法 (交通运输业: divisions 53–58; 信息传输业: 63, 64).
EXTRA_INDUSTRY_CODES = {
    "transport": ["53", "54", "55", "56", "57", "58"],
    "information_transmission": ["63", "64"],
}


def size_class(standard: dict, profile: dict) -> str | None:
    """large / medium / small / micro by the standard's rule ("大型、中型和小型企业须同时
    满足所列指标的下限,否则下划一档;微型企业只须满足所列指标中的一项即可"), or None when
    the enterprise's figures do not decide it. ``standard`` is thresholds.yaml's
    ``enterprise_size_standard``."""
    code = profile.get(INDUSTRY_FIELD)
    section = profile.get("industry_section") or ""
    if code is None:
        return None
    chosen = None
    best = -1
    for industry in standard["industries"]:
        prefixes = [str(p) for p in industry.get("gbt4754") or []]
        prefixes += EXTRA_INDUSTRY_CODES.get(industry["key"], [])
        for p in prefixes:
            if industry_under(code, section, p):
                depth = 0 if p.isalpha() else len(p)
                if depth > best:
                    chosen, best = industry, depth
    if chosen is None:
        chosen = next(i for i in standard["industries"] if i["key"] == "other_unlisted")
    small, _r = evaluate(chosen["small_all"], profile)
    if small == FAILED:
        return "micro"
    ceiling = _combine([evaluate([c], profile)[0] for c in chosen["sme_ceiling_any"]], any_=True)
    if ceiling == FAILED:
        return "large"
    if ceiling == UNKNOWN:
        return None
    medium, _r = evaluate(chosen["medium_all"], profile)
    if medium == MET:
        return "medium"
    if medium == FAILED and small == MET:
        return "small"
    return None
