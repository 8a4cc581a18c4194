"""The cockpit's number tiles and money in 万元/亿元, as a Chinese reader expects them."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def money_yi(value) -> str:
    """CNY as 亿元 from 1e8 on, else 万元."""
    if value is None:
        return "—"
    value = float(value)
    if abs(value) >= 100_000_000:
        return _("%(n)s 亿元") % {"n": number_format(value / 100_000_000, 2)}
    return _("%(n)s 万元") % {"n": number_format(value / 10_000, 0, force_grouping=True)}


def _value(tile) -> str:
    if tile.value is None:
        return "—"
    if tile.kind == "rate":
        return f"{tile.value * 100:.1f}%"
    if tile.kind == "money":
        return money_yi(tile.value)
    return number_format(round(tile.value), 0, force_grouping=True)


@register.simple_tag
def tile(tile) -> str:
    """One big number with its label, linking to the list behind it."""
    inner = format_html(
        '<span class="tile-value">{}</span><span class="tile-label">{}</span>',
        _value(tile),
        tile.label,
    )
    if tile.url:
        return format_html(
            '<a class="tile tile-{}" href="{}" data-key="{}">{}</a>',
            tile.kind,
            tile.url,
            tile.key,
            inner,
        )
    return format_html(
        '<div class="tile tile-{}" data-key="{}">{}</div>', tile.kind, tile.key, inner
    )
