import datetime
from urllib.parse import parse_qsl, urlencode

from django import template
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value):
    """A value as a table cell shows it, in the user's language and local conventions."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "Y-m-d")
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if isinstance(value, int):
        return str(value)  # codes, years, floors: never grouped ("1998", not "1,998")
    if isinstance(value, Model):
        return str(value)
    return value


@register.simple_tag
def sort_query(querystring: str, field: str, current: str) -> str:
    """The query string that sorts by ``field``, toggling direction on a second click."""
    params = [(k, v) for k, v in parse_qsl(querystring) if k != "sort"]
    params.append(("sort", f"-{field}" if current == field else field))
    return urlencode(params)


@register.simple_tag
def url_or_empty(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def figure(value):
    if value is None:
        return "—"
    if float(value).is_integer():
        return formats.number_format(int(value), use_l10n=True, force_grouping=True)
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


@register.simple_tag
def money_yi(value) -> str:
    """CNY as 亿元 from 1e8 on, else 万元, as a Chinese reader expects them."""
    if value is None:
        return "—"
    value = float(value)
    if abs(value) >= 100_000_000:
        return _("%(n)s 亿元") % {"n": formats.number_format(value / 100_000_000, 2)}
    return _("%(n)s 万元") % {"n": formats.number_format(value / 10_000, 0, force_grouping=True)}


def _tile_value(tile) -> str:
    if tile.value is None:
        return "—"
    if tile.kind == "rate":
        return f"{tile.value * 100:.1f}%"
    if tile.kind == "money":
        return money_yi(tile.value)
    return formats.number_format(round(tile.value), 0, force_grouping=True)


@register.simple_tag
def tile(tile) -> str:
    """One big number (a ``figures.Tile``) with its label, linking to the list behind it."""
    inner = format_html(
        '<span class="tile-value">{}</span><span class="tile-label">{}</span>',
        _tile_value(tile),
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
