"""core/pdf.py: the PDF report every app prints its rows with."""

import re
from datetime import date
from decimal import Decimal

from django.utils import translation

from streetbrain.core.pdf import FONT, PdfReport, cell_text


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", data))


def test_a_report_is_a_pdf_naming_the_chinese_font_and_breaking_long_tables_over_pages():
    facts = [("生成日期", date(2026, 12, 6))]
    report = PdfReport("招商短名单", subtitle="宁波中心 A 座", facts=facts)
    rows = [[f"单元 {i}", Decimal("1234.5"), i, None] for i in range(120)]
    report.table(["单元", "面积（m²）", "得分", "备注"], rows, widths=[3, 1, 1, 2])
    data = report.render()
    assert data.startswith(b"%PDF-")
    assert FONT.encode() in data
    assert _pages(data) >= 3
    short = PdfReport("x")
    short.table(["a"], [["b"]])
    assert _pages(short.render()) == 1


def test_markup_in_values_is_text_not_markup():
    # reportlab's Paragraph parses XML-ish markup: an unescaped "<" would raise or vanish.
    report = PdfReport("A & B <公司>")
    report.table(["名称"], [["<b>甬江&合伙</b>"], ["a < b"]])
    report.paragraph("5 < 6 & 7 > 3")
    assert report.render().startswith(b"%PDF-")


def test_an_empty_table_says_so_instead_of_a_bare_header():
    report = PdfReport("空")
    report.table(["a", "b"], [], empty="没有记录。")
    assert len(report.story) == 2  # the title and the sentence, no table


def test_cells_use_the_locale_formats():
    with translation.override("zh-hans"):
        assert cell_text(None) == "—"
        assert cell_text(1234567) == "1,234,567"
        assert cell_text(date(2026, 12, 6)) in {"2026-12-06", "2026年12月6日", "2026/12/06"}
        assert cell_text(True) != cell_text(False)


def test_response_is_a_download_with_its_name():
    response = PdfReport("周报").response("weekly-2026-49.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="weekly-2026-49.pdf"'
    assert response.content.startswith(b"%PDF-")
