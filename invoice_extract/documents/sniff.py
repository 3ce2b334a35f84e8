"""Decide what a file is from its first bytes, never from its name.

A file named ``.pdf`` that holds a Word document, or a JPEG renamed ``.png``, must be
treated as what it is; extensions are only used in messages.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import EmptyFileError, InputFileError, UnsupportedFileTypeError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
BMP = "image/bmp"
WEBP = "image/webp"
HOCR = "text/vnd.hocr+html"
XML = "application/xml"  # possibly an e-invoice (XRechnung, UBL, CII); invoice_extract.einvoice decides

IMAGE_TYPES = frozenset({PNG, JPEG, TIFF, BMP, WEBP})

_HEAD_BYTES = 64 * 1024  # enough to see an hOCR file's first ocr_page element

# What may come before an XML file's root element: a comment, a processing instruction, or a
# DOCTYPE (with its internal subset) that is not HTML's.
_PROLOG = re.compile(r"\s*(?:<!--.*?-->|<\?.*?\?>|<!doctype\s+(?!html\b)[^\[>]*(?:\[.*?\]\s*)?>)", re.S | re.I)
# The root elements of the e-invoices we read, with any namespace prefix.
_INVOICE_ROOT = re.compile(r"\s*<(?:[A-Za-z_][\w.-]*:)?(?:Invoice|CreditNote|CrossIndustryInvoice)[\s/>]")

# Things people drop into an invoice inbox that we cannot read, with advice for each.
_KNOWN_OTHERS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive or Office document (save or export it as PDF first)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document (save or export it as PDF first)"),
    (b"GIF8", "a GIF image (convert it to PNG first)"),
    (b"%!PS", "a PostScript file (convert it to PDF first)"),
    (b"{\\rtf", "an RTF document (export it as PDF first)"),
)


_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device (like /dev/zero)"),
    (stat.S_ISBLK, "a block device (a disk)"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading if it is a regular file (a symlink to one is), else
    InputFileError at once: a FIFO would block the reader forever, and a device such as
    /dev/zero or /dev/urandom would feed it without end. The sniff, the hash and the hOCR
    reader open inputs through here, so no path (the error path included) reads a special file."""
    try:
        # Checked before opening too: opening a device can do something of its own (a tape
        # rewinds, a terminal becomes ours).
        _require_regular(path, os.stat(path))
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
        # It changes nothing for the regular file that is all we go on to read.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputFileError("file not found; check the path", path=str(path)) from None
    except OSError as exc:
        raise InputFileError(f"cannot be read ({exc.strerror})", path=str(path)) from None
    try:
        _require_regular(path, os.fstat(descriptor))  # what was opened, if swapped since the check
    except InputFileError:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb")


def _require_regular(path: Path, status: os.stat_result) -> None:
    if stat.S_ISREG(status.st_mode):
        return
    if stat.S_ISDIR(status.st_mode):
        raise InputFileError("this is a folder, not a file", path=str(path))
    kind = next((kind for test, kind in _SPECIAL_FILES if test(status.st_mode)), "a special file")
    raise InputFileError(f"is {kind}, not a regular file; only files are read", path=str(path))


def sniff_media_type(path: Path) -> str:
    """Return the media type of ``path`` judged by content, or raise a typed error.

    Cheap whatever the file (one open and at most 64 KiB read): front ends call it before
    hashing a file, so a special file (``open_regular``), an empty file or a file of no type
    we read is refused before its content is read in full."""
    with open_regular(path) as handle:
        # An empty file is not read at all: some (in /proc) say 0 bytes and block or never end.
        if os.fstat(handle.fileno()).st_size == 0:
            raise EmptyFileError(
                "the file is empty (0 bytes); it was probably not copied or saved completely",
                path=str(path),
            )
        head = _read_head(handle, path)
    # The PDF spec allows junk before the header; readers accept it within the first KiB.
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return TIFF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    # "BM" alone is too weak a signature: also require a known DIB header size.
    if head.startswith(b"BM") and len(head) >= 18 and int.from_bytes(head[14:18], "little") in (
        12, 40, 52, 56, 64, 108, 124,
    ):
        return BMP
    if _looks_like_hocr(head):
        return HOCR
    if _looks_like_xml(head):
        return XML

    for signature, description in _KNOWN_OTHERS:
        if head.startswith(signature):
            what = description
            break
    else:
        what = "not a format we know"
    raise UnsupportedFileTypeError(
        f"not a PDF, image (PNG, JPEG, TIFF, BMP, WebP), hOCR or e-invoice XML file: its content is {what}",
        path=str(path),
    )


def _read_head(handle: BinaryIO, path: Path) -> bytes:
    try:
        return handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise InputFileError(f"cannot be read ({exc.strerror})", path=str(path)) from None


def _as_text(head: bytes) -> str:
    """The head as text: UTF-16 (which XML allows, and UBL and XRechnung with it) by its byte
    order mark or by a first '<' of two bytes, else UTF-8."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="ignore")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="ignore")
    return head.decode("utf-8", errors="ignore")


def _looks_like_hocr(head: bytes) -> bool:
    text = _as_text(head).lower()
    markup = text.lstrip("\ufeff \t\r\n").startswith(("<?xml", "<!doctype", "<html"))
    return markup and "ocr_page" in text


def _looks_like_xml(head: bytes) -> bool:
    """An XML declaration first, or an e-invoice's root element (Invoice, CreditNote,
    CrossIndustryInvoice) after what may precede it. Checked after hOCR, which is XML too.
    Other markup without a declaration (HTML, even one starting with a comment) is not
    taken for XML, so it is reported as a file we cannot read, not as a broken e-invoice."""
    text = _as_text(head).lstrip("\ufeff \t\r\n")
    if text.startswith("<?xml"):
        return True
    position = 0
    while (match := _PROLOG.match(text, position)) is not None and match.end() > position:
        position = match.end()
    return _INVOICE_ROOT.match(text, position) is not None
