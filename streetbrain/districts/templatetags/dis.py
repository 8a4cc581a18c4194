"""Shares and amounts as the districts' pages show them."""

from django import template
from django.utils import formats

from streetbrain.core.templatetags.sb import money_yi

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.4567 → 45.7%."""
    if value is None:
        return "—"
    return f"{formats.number_format(float(value) * 100, 1)}%"


@register.filter
def percent_signed(value) -> str:
    """0.083 → +8.3%, −0.02 → −2.0%."""
    if value is None:
        return "—"
    number = float(value) * 100
    return f"{'+' if number >= 0 else '−'}{formats.number_format(abs(number), 1)}%"


@register.filter
def percent_width(value) -> int:
    """A share as a bar's width: 0–100."""
    if value is None:
        return 0
    return max(0, min(100, round(float(value) * 100)))


@register.filter
def yi(value) -> str:
    """money_yi as a filter, for use inside blocktranslate."""
    return money_yi(value)
