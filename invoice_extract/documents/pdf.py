"""PDFs: words from the text layer with pypdfium2, page images for OCR with pdf2image.

Why pypdfium2 for the text layer: words with tight glyph boxes in about 3 ms a page,
against 38 ms for pdfplumber (pdfminer) on the same 235-word invoice page (numbers in
benchmarks/library_choices/RESULTS.md), and PDFium is the hardened parser Chrome uses on hostile PDFs.
"""

from __future__ import annotations

import ctypes
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pdf2image
import pdf2image.exceptions
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from ..document import Box, Page, Word
from ..errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPDFError,
    OCRUnavailableError,
    TooManyPagesError,
)
from .images import check_pixels
from .options import LoadOptions

# A page's text layer is trusted when it has this many letters or digits...
_MIN_TEXT_CHARS = 20
# ...or, with fewer, when images cover less than this share of the page (a short page such
# as "page 2 of 2" is still digital, but a scan with a stamped-on page number is not).
_MAX_IMAGE_COVER = 0.5
# Above this share of unreadable characters the font has no usable Unicode map.
_MAX_GARBAGE = 0.1
_RENDER_TIMEOUT_S = 120
_BREAK_CHARS = {"\r", "\n", "\x02", "\ufffe"}  # line ends and pdfium's soft hyphen markers


@contextmanager
def open_pdf(path: Path, options: LoadOptions) -> Iterator[pdfium.PdfDocument]:
    try:
        pdf = pdfium.PdfDocument(str(path), password=options.password)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            if options.password:
                raise EncryptedPDFError(
                    "the PDF is encrypted and the password given is wrong", path=str(path)
                ) from None
            raise EncryptedPDFError(
                "the PDF is encrypted; give its password with --password", path=str(path)
            ) from None
        raise CorruptFileError(
            f"the PDF is damaged and cannot be opened ({exc}); ask the sender for a new copy",
            path=str(path),
        ) from None
    try:
        count = len(pdf)
        if count == 0:
            raise EmptyFileError("the PDF has no pages", path=str(path))
        check_page_count(count, options, str(path))
        yield pdf
    finally:
        pdf.close()


def check_page_count(count: int, options: LoadOptions, path: str) -> None:
    """Refuse a PDF with more pages than ``options.max_pages``."""
    if count > options.max_pages:
        raise TooManyPagesError(
            f"{count} pages, more than the limit of {options.max_pages}; raise --max-pages if this is intended",
            path=path,
        )


def page_pixel_size(page: pdfium.PdfPage, dpi: int) -> tuple[int, int]:
    width, height = page.get_size()  # points, after the page's /Rotate
    return max(1, round(width * dpi / 72)), max(1, round(height * dpi / 72))


def text_layer_page(page: pdfium.PdfPage, number: int, dpi: int) -> tuple[Page, bool]:
    """Words from the page's text layer, and whether that text is good enough to use."""
    width, height = page_pixel_size(page, dpi)
    textpage = page.get_textpage()
    try:
        words = list(_words(page, textpage, (width, height)))
    finally:
        textpage.close()
    text = "".join(w.text for w in words)
    readable = sum(ch.isalnum() for ch in text)
    garbage = sum(ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cc") for ch in text)
    usable = readable > 0 and garbage <= _MAX_GARBAGE * len(text)
    if usable and readable < _MIN_TEXT_CHARS:
        usable = _image_cover(page) < _MAX_IMAGE_COVER
    return Page(number, width, height, dpi, "pdf", words), usable


def render_page(path: Path, page: pdfium.PdfPage, number: int, options: LoadOptions) -> Image.Image:
    """The page as a grayscale image at ``options.dpi``, rendered by pdf2image (pdftoppm).

    PPM straight from pdftoppm's pipe, in grayscale: 0.13-0.26 s a page here, against
    0.8-1.3 s with PNG (encoding costs more than drawing) and 0.5-2 s with pdftocairo;
    OCR of the same page takes 1.1 s. Tesseract binarises anyway, so colour buys nothing.
    """
    width, height = page_pixel_size(page, options.dpi)
    check_pixels(width, height, options, path, f"page {number} at {options.dpi} dpi")
    try:
        rendered = pdf2image.convert_from_path(
            path, dpi=options.dpi, first_page=number, last_page=number, fmt="ppm",
            grayscale=True, userpw=options.password, timeout=_RENDER_TIMEOUT_S,
        )
    except pdf2image.exceptions.PopplerNotInstalledError:
        raise OCRUnavailableError(
            "scanned PDF pages need poppler to render; install it with 'apt-get install poppler-utils'"
        ) from None
    except pdf2image.exceptions.PDFPopplerTimeoutError:
        raise CorruptFileError(
            f"page {number} took more than {_RENDER_TIMEOUT_S} s to render; the PDF is damaged "
            "or deliberately hostile", path=str(path),
        ) from None
    except (pdf2image.exceptions.PDFPageCountError, pdf2image.exceptions.PDFSyntaxError) as exc:
        raise CorruptFileError(f"page {number} cannot be rendered ({exc})", path=str(path)) from None
    if not rendered:
        raise CorruptFileError(f"page {number} cannot be rendered", path=str(path))
    return rendered[0].convert("L")


def _image_cover(page: pdfium.PdfPage) -> float:
    page_w, page_h = page.get_size()
    area = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        left, bottom, right, top = obj.get_pos()
        area += max(0.0, right - left) * max(0.0, top - bottom)
    return area / max(page_w * page_h, 1.0)


def _page_to_pixels(page: pdfium.PdfPage, size: tuple[int, int]):
    """The affine map from PDF user space to upright page pixels, as PDFium renders it."""
    out_x, out_y = ctypes.c_int(), ctypes.c_int()

    def device(x: float, y: float) -> tuple[int, int]:
        pdfium_c.FPDF_PageToDevice(page.raw, 0, 0, size[0], size[1], 0, x, y, out_x, out_y)
        return out_x.value, out_y.value

    # Map three far-apart points with PDFium (which knows the crop box and /Rotate) and
    # derive the affine transform, instead of a ctypes call per character.
    scale = 1000.0
    ox, oy = device(0, 0)
    xx, xy = device(scale, 0)
    yx, yy = device(0, scale)
    a, b = (xx - ox) / scale, (xy - oy) / scale
    c, d = (yx - ox) / scale, (yy - oy) / scale

    def to_pixels(left: float, bottom: float, right: float, top: float) -> Box:
        xs = (ox + a * left + c * bottom, ox + a * right + c * top)
        ys = (oy + b * left + d * bottom, oy + b * right + d * top)
        return (min(xs), min(ys), max(xs), max(ys))

    return to_pixels


def _words(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, size: tuple[int, int]) -> Iterator[Word]:
    to_pixels = _page_to_pixels(page, size)
    raw = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    chars: list[str] = []
    box: list[float] | None = None
    line = block = index = 0
    last_word_box: Box | None = None
    pending_break = False

    def flush() -> Word | None:
        nonlocal chars, box, line, block, index, last_word_box, pending_break
        if not chars or box is None:
            chars, box = [], None
            return None
        word_box: Box = (box[0], box[1], box[2], box[3])
        if last_word_box is not None:
            height = max(word_box[3] - word_box[1], 1.0)
            same_line = not pending_break and abs(word_box[1] - last_word_box[1]) < 0.5 * height
            if not same_line:
                # A gap of more than one and a half line heights starts a new block.
                if word_box[1] - last_word_box[3] > 1.5 * height or word_box[3] < last_word_box[1]:
                    block += 1
                line += 1
                index = 0
        word = Word.on_page(
            "".join(chars), word_box, size, confidence=1.0, block=block, line=line, index=index
        )
        index += 1
        last_word_box = word_box
        pending_break = False
        chars, box = [], None
        return word

    for i in range(textpage.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(raw, i) or 0x20)
        if char.isspace() or char in _BREAK_CHARS or char == "\x00":
            word = flush()
            if word is not None:
                yield word
            if char in ("\r", "\n"):
                pending_break = True
            continue
        pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
        char_box = to_pixels(left.value, bottom.value, right.value, top.value)
        line_height = max(char_box[3] - char_box[1], box[3] - box[1] if box else 0.0, 1.0)
        if box is not None and char_box[0] - box[2] > 0.6 * line_height:
            # Glyphs placed apart without a space character are still separate words.
            word = flush()
            if word is not None:
                yield word
        chars.append(char)
        if char_box[2] > char_box[0] or char_box[3] > char_box[1]:
            box = list(char_box) if box is None else [
                min(box[0], char_box[0]), min(box[1], char_box[1]),
                max(box[2], char_box[2]), max(box[3], char_box[3]),
            ]
        elif box is None:
            box = list(char_box)
    word = flush()
    if word is not None:
        yield word
