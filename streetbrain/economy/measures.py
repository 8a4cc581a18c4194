"""The building economy's thresholds and ratios, defined once for the figures (``metrics``), the
pages, the cockpit, the demo's planner and the benchmarks. Plain Python: the planner and the
benchmarks use it without Django.

A tower's tax class goes by its tenants' tax of the last 12 months: 亿元楼宇 at CNY 100 m or
more, 千万元楼宇 at CNY 10 m or more; 准亿元 / 准千万元 within reach of the next class (at
least 80 % of its threshold). Lists of 千万元楼宇 include the 准亿元 ones (CNY 10 m to 100 m).
"""

from __future__ import annotations

YI = 100_000_000  # 亿元楼宇: ≥ CNY 100 m of tax a year
QIANWAN = 10_000_000  # 千万元楼宇: ≥ CNY 10 m
NEAR_SHARE = 0.8  # 准亿元 / 准千万元: at least this share of the next threshold
NEAR_YI = NEAR_SHARE * YI  # 准亿元: CNY 80 m


def tax_class(tax_12m) -> str:
    """The tax class of a building by its last 12 months' tax: ``yi`` (亿元楼宇), ``near_yi``
    (准亿元), ``qianwan`` (千万元楼宇), ``near_qianwan`` (准千万元) or ``""``."""
    if tax_12m is None:
        return ""
    tax = float(tax_12m)
    if tax >= YI:
        return "yi"
    if tax >= NEAR_YI:
        return "near_yi"
    if tax >= QIANWAN:
        return "qianwan"
    if tax >= NEAR_SHARE * QIANWAN:
        return "near_qianwan"
    return ""


def ratio(part, whole) -> float | None:
    """``part / whole`` as a float (occupancy, shares, 属地注册率); None when either is missing
    or ``whole`` is 0."""
    if part is None or not whole:
        return None
    return float(part) / float(whole)
