"""Decide what a file is from its first bytes, never from its name.

A file named ``.pdf`` that holds a Word document, or a JPEG renamed ``.png``, must be
treated as what it is; extensions are only used in messages.
"""

from __future__ import annotations

from pathlib import Path

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

# Things people drop into an invoice inbox that we cannot read, with advice for each.
_KNOWN_OTHERS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive or Office document (save or export it as PDF first)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document (save or export it as PDF first)"),
    (b"GIF8", "a GIF image (convert it to PNG first)"),
    (b"%!PS", "a PostScript file (convert it to PDF first)"),
    (b"{\\rtf", "an RTF document (export it as PDF first)"),
)


def sniff_media_type(path: Path) -> str:
    """Return the media type of ``path`` judged by content, or raise a typed error."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except FileNotFoundError:
        raise InputFileError("file not found; check the path", path=str(path)) from None
    except IsADirectoryError:
        raise InputFileError("this is a folder, not a file", path=str(path)) from None
    except OSError as exc:
        raise InputFileError(f"cannot be read ({exc.strerror})", path=str(path)) from None

    if size == 0:
        raise EmptyFileError(
            "the file is empty (0 bytes); it was probably not copied or saved completely",
            path=str(path),
        )
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


def _looks_like_hocr(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore").lower()
    markup = text.lstrip("\ufeff \t\r\n").startswith(("<?xml", "<!doctype", "<html"))
    return markup and "ocr_page" in text


def _looks_like_xml(head: bytes) -> bool:
    # Checked after hOCR, which is XML too. An XML declaration, a comment, a DOCTYPE or an
    # element first; HTML ("<!doctype html", "<html") is not taken for XML.
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    start = text[:40].lower()
    if start.startswith(("<?xml", "<!--")):
        return True
    if start.startswith("<!doctype"):
        return not start[9:].lstrip().startswith("html")
    return start.startswith("<") and start[1:2].isalpha() and not start.startswith("<html")
