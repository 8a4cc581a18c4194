"""Uploads are stored as what they are (issue 12, item 6): the type is read from the file's
content, never from its name or the content type the client claims; the file is kept under
that type's extension, and a type the page does not keep is refused — photos on the public
page, the grid worker's page, the staff's case pages and the API, and import files."""

from __future__ import annotations

import io
import struct
import uuid
import zlib

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.models import Attachment, Case, Report
from streetbrain.core import filetypes
from streetbrain.core.models import ImportJob

EAST = (121.61, 29.865)  # 东城社区第1网格
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def png_named_html() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.html", tiny_png(), content_type="text/html")


def html_named_png() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.png", HTML, content_type="image/png")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_DIR = tmp_path / "imports"
    cache.clear()
    yield
    cache.clear()


def stored_as_png(attachment: Attachment) -> None:
    assert attachment.content_type == "image/png"
    assert attachment.file.name.endswith(".png") and ".html" not in attachment.file.name
    assert attachment.file.read() == tiny_png()


def test_signatures():
    assert filetypes.sniff(tiny_png()) == filetypes.PNG
    assert filetypes.sniff(b"\xff\xd8\xff\xe0rest") == filetypes.JPEG
    assert filetypes.sniff(b"\x00\x00\x00\x18ftypheic") == filetypes.HEIC
    assert filetypes.sniff(HTML) is None and filetypes.sniff(b"") is None
    assert filetypes.is_text("楼栋编码,楼栋名称\r\n".encode()) and not filetypes.is_text(tiny_png())
    assert filetypes.is_text("a,b".encode("utf-16")) and not filetypes.is_text(b"a\x00b")


# -- photos -----------------------------------------------------------------------------------


def public_form(**overrides) -> dict:
    return {
        "category": "",
        "description": GARBAGE,
        "lon": str(EAST[0]),
        "lat": str(EAST[1]),
        "consent": "on",
        "idempotency_key": uuid.uuid4().hex,
        **overrides,
    }


def test_public_page_keeps_a_png_named_html_as_png_and_refuses_html(client, case_world):
    response = client.post(reverse("report:new"), public_form(photo=png_named_html()))
    assert response.status_code == 302
    stored_as_png(Attachment.objects.get())
    response = client.post(reverse("report:new"), public_form(photo=html_named_png()))
    assert response.status_code == 200 and "photo" in response.context["form"].errors
    assert Attachment.objects.count() == 1 and Report.objects.count() == 1


def test_grid_workers_page_keeps_a_png_named_html_as_png(client, case_world):
    client.force_login(case_world["users"]["gridworker"])
    response = client.post(reverse("report:grid"), {**public_form(), "photos": [png_named_html()]})
    assert response.status_code == 302, response.content.decode()[:500]
    stored_as_png(Attachment.objects.get())


def citizen_case() -> Case:
    return submit_report(
        ReportInput(channel="citizen", description=GARBAGE, lon=EAST[0], lat=EAST[1])
    ).case


def test_staff_case_page_refuses_html_claiming_to_be_a_photo(client, case_world):
    case = citizen_case()
    client.force_login(case_world["users"]["gridworker"])
    url = reverse("cases:case_act", args=[case.pk, "note"])
    response = client.post(url, {"note": "现场照片", "photos": [html_named_png()]})
    assert response.status_code == 400
    assert "photos" in response.context["form"].errors
    assert not Attachment.objects.exists() and not case.events.filter(action="note").exists()
    response = client.post(url, {"note": "现场照片", "photos": [png_named_html()]})
    assert response.status_code == 302
    stored_as_png(Attachment.objects.get())


def test_api_refuses_html_claiming_to_be_a_photo_and_keeps_a_png_as_png(api_client, case_world):
    case = citizen_case()
    api_client.force_authenticate(case_world["users"]["gridworker"])
    url = f"/api/cases/cases/{case.pk}/actions/note/"
    bad = api_client.post(url, {"note": "照片", "photos": [html_named_png()]}, format="multipart")
    assert bad.status_code == 400 and "photo" in bad.json()
    assert not Attachment.objects.exists()
    good = api_client.post(url, {"note": "照片", "photos": [png_named_html()]}, format="multipart")
    assert good.status_code == 200, good.json()
    stored_as_png(Attachment.objects.get())


def test_attachments_are_served_as_the_type_found(client, case_world):
    case = citizen_case()
    client.force_login(case_world["users"]["gridworker"])
    client.post(
        reverse("cases:case_act", args=[case.pk, "note"]),
        {"note": "现场照片", "photos": [png_named_html()]},
    )
    attachment = Attachment.objects.get()
    response = client.get(reverse("cases:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


# -- import files -----------------------------------------------------------------------------


def test_an_import_refuses_a_file_that_is_no_table(client, tree, make_user):
    client.force_login(make_user("root", superuser=True))
    url = "/registry/households/import/"
    for name, data in (("households.csv", tiny_png()), ("households.xlsx", b"%PDF-1.7 ...")):
        upload = io.BytesIO(data)
        upload.name = name
        response = client.post(url, {"file": upload, "dry_run": "on"})
        assert response.status_code == 400
        assert "file" in response.context["form"].errors
    assert not ImportJob.objects.exists()
