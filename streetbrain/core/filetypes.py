"""What an uploaded file is, read from its first bytes. A file's name and the content type a
browser or client sends are only claims: a page that keeps uploads checks the type here,
refuses the types it does not keep and stores the file under the extension of the type it
found (a PNG sent as ``x.html`` is kept as ``….png``; an HTML page sent as ``x.png`` is no
photo)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str  # without the dot


JPEG = FileType("image/jpeg", "jpg")
PNG = FileType("image/png", "png")
GIF = FileType("image/gif", "gif")
WEBP = FileType("image/webp", "webp")
HEIC = FileType("image/heic", "heic")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
XLS = FileType("application/vnd.ms-excel", "xls")  # the old binary Excel (OLE2)
PDF = FileType("application/pdf", "pdf")
CSV = FileType("text/csv", "csv")

KNOWN = (JPEG, PNG, GIF, WEBP, HEIC, XLSX, XLS, PDF, CSV)
BY_MIME = {t.mime: t for t in KNOWN}

HEAD_BYTES = 32
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1"}


def sniff(head: bytes) -> FileType | None:
    """The binary type whose signature ``head`` (a file's first bytes) starts with, or None.
    An XLSX is recognised as the ZIP container it is (the reader checks the rest)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIC
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return XLS
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def sniff_upload(upload) -> FileType | None:
    """``sniff`` of an uploaded file (left at its start)."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return sniff(head)


def is_text(data: bytes) -> bool:
    """Whether ``data`` can be a text file (CSV): no binary signature, and no NUL byte but in
    UTF-16, which Excel's "Unicode text" is."""
    if sniff(data[:HEAD_BYTES]) is not None:
        return False
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return b"\x00" not in data
