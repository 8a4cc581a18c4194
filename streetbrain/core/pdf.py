"""PDF reports: a title, a few facts and tables of rows, in Chinese, on A4.

A street's reports leave the platform as PDF to be printed, signed and filed (周报, 短名单, 报表),
next to the Excel export of the same rows. One builder serves every app::

    report = PdfReport(_("招商短名单"), subtitle=lead.name, facts=[(_("Generated"), today)])
    report.table([_("Unit"), _("Area (m²)"), _("Score")], rows, widths=[3, 1, 1])
    report.paragraph(_("Scores as of …"))
    return report.response(f"shortlist-{lead.pk}.pdf")

Chinese text is set in Adobe's ``STSong-Light`` CID font, which reportlab registers without a
font file: the PDF names the font and every PDF reader that handles Chinese (Acrobat, pdf.js in
the browsers, WPS, Foxit) supplies its glyphs. This keeps the package free of a 10–20 MB CJK font
and the files small; the cost is that the reader, not the file, chooses the exact glyph shapes.

Cell values are written as text: numbers formatted by the caller (``core/figures`` or
``django.utils.formats``) so the PDF shows what the page shows; ``None`` becomes "—". Text is
escaped for reportlab's paragraph markup, so a name containing ``<`` or ``&`` prints as given.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

FONT = "STSong-Light"
CONTENT_TYPE = "application/pdf"

_registered = False


def _register_font() -> None:
    global _registered
    if not _registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True


def cell_text(value: Any) -> str:
    """What a cell shows: dates and numbers in the active locale's format, None as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int | float | Decimal):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


class PdfReport:
    """An A4 report built block by block; ``render()`` gives the bytes."""

    def __init__(
        self,
        title: str,
        *,
        subtitle: str = "",
        facts: Iterable[tuple[str, Any]] = (),
        landscape: bool = False,
        author: str = "StreetBrain",
    ):
        _register_font()
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_LEFT
        from reportlab.lib.styles import ParagraphStyle

        self.title = str(title)
        self.landscape = landscape
        self.author = author
        self.colors = colors
        base = {"fontName": FONT, "alignment": TA_LEFT, "wordWrap": "CJK"}
        self.styles = {
            "title": ParagraphStyle("title", fontSize=16, leading=22, spaceAfter=4, **base),
            "subtitle": ParagraphStyle("subtitle", fontSize=11, leading=15, spaceAfter=6, **base),
            "heading": ParagraphStyle(
                "heading", fontSize=12, leading=16, spaceBefore=10, spaceAfter=4, **base
            ),
            "body": ParagraphStyle("body", fontSize=9.5, leading=13, spaceAfter=4, **base),
            "cell": ParagraphStyle("cell", fontSize=8.5, leading=11, **base),
            "head": ParagraphStyle(
                "head", fontSize=8.5, leading=11, textColor=colors.white, **base
            ),
        }
        self.story: list = []
        self._paragraph(self.title, "title")
        if subtitle:
            self._paragraph(str(subtitle), "subtitle")
        facts = list(facts)
        if facts:
            self._paragraph(
                "；".join(f"{label}：{cell_text(value)}" for label, value in facts), "body"
            )

    def _paragraph(self, text: str, style: str) -> None:
        from reportlab.platypus import Paragraph

        self.story.append(Paragraph(escape(str(text)), self.styles[style]))

    def heading(self, text: str) -> PdfReport:
        self._paragraph(text, "heading")
        return self

    def paragraph(self, text: str) -> PdfReport:
        self._paragraph(text, "body")
        return self

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        widths: Sequence[float] | None = None,
        empty: str | None = None,
    ) -> PdfReport:
        """A table with a repeated header row; ``widths`` are relative column weights."""
        from reportlab.platypus import Paragraph, Table, TableStyle

        cell, head = self.styles["cell"], self.styles["head"]
        data = [[Paragraph(escape(str(h)), head) for h in headers]]
        for row in rows:
            data.append([Paragraph(escape(cell_text(v)), cell) for v in row])
        if len(data) == 1:
            self._paragraph(empty or _("No rows."), "body")
            return self
        weights = list(widths or [1] * len(headers))
        total = sum(weights)
        col_widths = [self._frame_width() * w / total for w in weights]
        table = Table(data, colWidths=col_widths, repeatRows=1)
        c = self.colors
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), c.HexColor("#1f4e79")),
                    ("GRID", (0, 0), (-1, -1), 0.4, c.HexColor("#9aa5b1")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [c.white, c.HexColor("#f2f5f8")]),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        self.story.append(table)
        return self

    def _pagesize(self):
        from reportlab.lib.pagesizes import A4, landscape

        return landscape(A4) if self.landscape else A4

    def _frame_width(self) -> float:
        from reportlab.lib.units import mm

        return self._pagesize()[0] - 30 * mm

    def render(self) -> bytes:
        from reportlab.lib.units import mm
        from reportlab.platypus import SimpleDocTemplate

        out = io.BytesIO()
        printed = formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
        footer_title = self.title

        def footer(canvas, doc):
            canvas.saveState()
            canvas.setFont(FONT, 8)
            width = doc.pagesize[0]
            canvas.drawString(15 * mm, 10 * mm, f"{footer_title}｜{printed}")
            canvas.drawRightString(width - 15 * mm, 10 * mm, _("Page %d") % doc.page)
            canvas.restoreState()

        doc = SimpleDocTemplate(
            out,
            pagesize=self._pagesize(),
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            bottomMargin=18 * mm,
            title=self.title,
            author=self.author,
        )
        doc.build(self.story, onFirstPage=footer, onLaterPages=footer)
        return out.getvalue()

    def response(self, filename: str, *, inline: bool = False) -> HttpResponse:
        response = HttpResponse(self.render(), content_type=CONTENT_TYPE)
        disposition = "inline" if inline else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        return response
