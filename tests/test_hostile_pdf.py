"""Hostile PDFs (issue 12): a text layer that says what the page does not show, damaged page
trees, text layers and pages too large to read, and each branch of the text-layer reader.

Every input is built here: reportlab for pages with hidden text, raw bytes for damaged ones.
"""

from __future__ import annotations

import html
import io
import json
import re
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import pdf_of_objects
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from typer.testing import CliRunner

from invoice_extract import LoadOptions, load_document
from invoice_extract.cli import app
from invoice_extract.errors import CorruptFileError, TooLargeError
from invoice_extract.pipeline import read
from invoice_extract.training import generator
from invoice_extract.training.synthetic import (
    DrawnText,
    InvoiceSpec,
    render_invoice_pdf,
    render_pages,
)

# What a forger's hidden text layer says, in place of what the page shows.
FORGED = {"VENDOR_NAME": "Evil Payee Ltd.", "INVOICE_NUMBER": "66666", "TOTAL": "9600.00"}
FORGED_WORDS = {"Evil", "Payee", "66666", "9600.00"}
# One OCR pass in English: enough for these clean pages, and fast.
LEAN = LoadOptions(languages="eng", sparse_pass=False, deskew=False, auto_rotate=False)
HELVETICA_HEIGHT = 0.925  # Helvetica's ascent minus descent, in ems
HELVETICA_ASCENT = 0.718


# --- builders: each makes one hostile file and returns its path --------------------------


def _scan_with_text_layer(path: Path, forged: dict[str, str]) -> Path:
    """An invoice as a page image with an invisible text layer over it, as ocrmypdf writes a
    scan; the layer says ``forged`` where the page shows other values."""
    drawn = render_invoice_pdf(InvoiceSpec(), path)
    scan = render_pages(path, dpi=150)[0]
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    canvas.drawImage(_reader(scan), 0, 0, *A4)
    for item in drawn:
        _draw(canvas, item, forged.get(item.field or "", item.text), mode=3)
    canvas.save()
    return path


def build_scan_with_forged_text_layer(folder: Path) -> Path:
    return _scan_with_text_layer(folder / "forged-scan.pdf", FORGED)


def build_scan_with_true_text_layer(folder: Path) -> Path:
    return _scan_with_text_layer(folder / "ocrmypdf-style-scan.pdf", {})


def _draw(canvas: Canvas, item: DrawnText, text: str, *, mode: int = 0) -> None:
    """``text`` where ``item`` was drawn, in Helvetica of its height, in render mode ``mode``."""
    left, top, _, bottom = item.box
    size = (bottom - top) / HELVETICA_HEIGHT
    line = canvas.beginText(left, A4[1] - top - HELVETICA_ASCENT * size)
    line.setTextRenderMode(mode)
    line.setFont("Helvetica", size)
    line.textOut(text)
    canvas.drawText(line)


def _reader(image: Image.Image) -> ImageReader:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ImageReader(io.BytesIO(buffer.getvalue()))


def _hide_invisible(canvas: Canvas, draw: Callable[..., None]) -> None:
    draw(mode=3)


def _hide_clip_only(canvas: Canvas, draw: Callable[..., None]) -> None:
    draw(mode=7)


def _hide_white(canvas: Canvas, draw: Callable[..., None]) -> None:
    canvas.setFillColorRGB(1, 1, 1)
    draw()
    canvas.setFillColorRGB(0, 0, 0)


def _hide_clipped(canvas: Canvas, draw: Callable[..., None]) -> None:
    canvas.saveState()
    corner = canvas.beginPath()
    corner.rect(0, 0, 1, 1)
    canvas.clipPath(corner, stroke=0, fill=0)
    draw()
    canvas.restoreState()


def _hide_covered(canvas: Canvas, draw: Callable[..., None]) -> None:
    draw()
    canvas.drawImage(_reader(Image.new("L", (60, 20), 255)), 40, 260, 400, 120)  # a white patch over it


def _hide_tiny(canvas: Canvas, draw: Callable[..., None]) -> None:
    draw(size=0.5)


HIDING = {"invisible": _hide_invisible, "clip_only": _hide_clip_only, "white": _hide_white,
          "clipped": _hide_clipped, "covered": _hide_covered, "tiny": _hide_tiny}


def _digital_with_hidden_lines(path: Path, hide: Callable[[Canvas, Callable[..., None]], None]) -> Path:
    """The digital invoice, and in its empty lower half the forged values, hidden by ``hide``."""
    original = Canvas.showPage

    def show_page(canvas: Canvas) -> None:
        def draw(mode: int = 0, size: float = 12) -> None:
            for i, line in enumerate(("Evil Payee Ltd.", "Invoice No. 66666", "Total GBP 9600.00")):
                text = canvas.beginText(50, 340 - 20 * i)
                text.setTextRenderMode(mode)
                text.setFont("Helvetica-Bold", size)
                text.textOut(line)
                canvas.drawText(text)

        hide(canvas, draw)
        original(canvas)

    Canvas.showPage = show_page  # type: ignore[method-assign]
    try:
        render_invoice_pdf(InvoiceSpec(), path)
    finally:
        Canvas.showPage = original  # type: ignore[method-assign]
    return path


def build_white_forged_lines(folder: Path) -> Path:
    return _digital_with_hidden_lines(folder / "white-lines.pdf", _hide_white)


def build_little_text_over_image(folder: Path) -> Path:
    """A scan stamped "Page 1 of 1": an image and a few characters of text."""
    path = folder / "stamped-scan.pdf"
    render_invoice_pdf(InvoiceSpec(), path)
    scan = render_pages(path, dpi=150)[0]
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    canvas.drawImage(_reader(scan), 0, 0, *A4)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(270, 20, "Page 1 of 1")
    canvas.save()
    return path


def _raw_pdf(content: bytes, pages: bytes = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>") -> bytes:
    """A one-page PDF, written byte by byte: ``content`` deflated as the page's drawing,
    Helvetica as /F1, and ``pages`` as the page tree's root (object 2; the page is object 3)."""
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        pages,
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
         b"/Contents 4 0 R >>"),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%b\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_of_objects(objects)


SHORT_INVOICE = b"BT /F1 12 Tf 50 800 Td (Invoice 1 from Acme Ltd, total 12.00) Tj ET"


def build_page_tree_loop(folder: Path) -> Path:
    path = folder / "page-tree-loop.pdf"
    path.write_bytes(_raw_pdf(SHORT_INVOICE, b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"))
    return path


def build_wrong_page_count(folder: Path) -> Path:
    path = folder / "wrong-count.pdf"
    path.write_bytes(_raw_pdf(SHORT_INVOICE, b"<< /Type /Pages /Kids [3 0 R] /Count 3 >>"))
    return path


def build_megabyte_text_layer(folder: Path) -> Path:
    """A 5 KB file whose page holds 1 MB of text: 200,000 words in tiny type."""
    line = b"(" + b" ".join(b"w%03d" % i for i in range(20)) + b") Tj T*\n"
    path = folder / "megabyte-text.pdf"
    path.write_bytes(_raw_pdf(b"BT /F1 4 Tf 10 830 Td 5 TL\n" + line * 10_000 + b"ET"))
    return path


def build_200k_object_page(folder: Path) -> Path:
    """A page of 200,000 one-word text objects."""
    objects = b"".join(b"BT /F1 2 Tf %d %.1f Td (ab) Tj ET\n" % (10 + i % 100 * 5, 10 + i // 100 * 0.4)
                       for i in range(200_000))
    path = folder / "200k-objects.pdf"
    path.write_bytes(_raw_pdf(objects))
    return path


HOSTILE_CASES = [
    build_scan_with_forged_text_layer,
    build_white_forged_lines,
    build_little_text_over_image,
    build_page_tree_loop,
    build_wrong_page_count,
    build_megabyte_text_layer,
    build_200k_object_page,
]


# --- hidden text ---------------------------------------------------------------------------


def _read_as_printed(extraction) -> None:
    """The record and words of the invoice the page shows, whatever its text layer says."""
    record, page = extraction.record, extraction.document.pages[0]
    assert (record.vendor_name.value, record.invoice_number.value) == ("Northwind Traders Ltd", "INV-2025-0417")
    assert "288.66" in page.text.split() and not FORGED_WORDS & set(page.text.split())
    assert page.text_source == "ocr"


def test_a_forged_hidden_text_layer_gives_way_to_the_page_and_is_flagged(tmp_path):
    extraction = read(build_scan_with_forged_text_layer(tmp_path), LEAN)
    _read_as_printed(extraction)
    assert extraction.record.status == "needs_review"
    warning = next(w for w in extraction.record.warnings if "not printed on the page" in w)
    assert "'Evil'" in warning and "'9600.00'" in warning and "'Northwind'" not in warning


def test_show_draws_what_the_page_shows_not_the_hidden_layer(tmp_path):
    review = tmp_path / "review.html"
    result = CliRunner().invoke(app, ["show", str(build_scan_with_forged_text_layer(tmp_path)), "-o",
                                      str(review), "--lang", "eng"])
    assert result.exit_code == 0, result.output
    page = html.unescape(review.read_text(encoding="utf-8"))
    assert "Northwind Traders Ltd" in page and "INV-2025-0417" in page
    # The forged values appear only where the warning names them.
    named = re.findall(r"not printed on the page \((.*?)\)", page)
    assert named and "'9600.00'" in named[0]
    assert not [word for word in FORGED_WORDS if word in re.sub(r"not printed on the page \(.*?\)", "", page)]


def test_an_ocrd_scan_with_its_own_invisible_text_reads_as_printed_without_warning(tmp_path):
    extraction = read(build_scan_with_true_text_layer(tmp_path), LEAN)
    _read_as_printed(extraction)
    assert not [w for w in extraction.record.warnings if "not printed" in w]


@pytest.mark.parametrize("hiding", sorted(HIDING))
def test_hidden_words_are_not_read_as_printed(tmp_path, hiding):
    path = _digital_with_hidden_lines(tmp_path / f"{hiding}.pdf", HIDING[hiding])
    document = load_document(path, LoadOptions(ocr="never"))
    words = {word.text for word in document.pages[0].words}
    assert not words & FORGED_WORDS
    assert {"Northwind", "INV-2025-0417", "288.66"} <= words
    assert any("not printed on the page" in w for w in document.warnings)


def test_white_text_on_a_dark_band_is_printed(tmp_path):
    path = tmp_path / "band.pdf"
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    canvas.rect(40, 700, 300, 40, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(50, 712, "Northwind Traders Ltd INVOICE 288.66")
    canvas.save()
    document = load_document(path, LoadOptions(ocr="never"))
    assert "Northwind Traders Ltd INVOICE 288.66" in document.pages[0].text
    assert document.warnings == []


def test_the_digital_invoice_is_still_read_from_its_text_layer(digital):
    document = load_document(digital.path, LoadOptions(ocr="auto"))
    assert document.pages[0].text_source == "pdf"
    assert document.warnings == []


def test_extract_does_not_pass_hidden_values_as_ok(tmp_path):
    result = CliRunner().invoke(app, ["extract", str(build_white_forged_lines(tmp_path)), "--lang", "eng"])
    record = json.loads(result.stdout)[0]
    assert record["status"] == "needs_review"
    assert "9600" not in json.dumps({k: v for k, v in record.items() if k != "warnings"})


# --- the branches of the text-layer reader ---------------------------------------------------


def test_a_scan_stamped_with_a_little_text_is_ocrd(tmp_path):
    document = load_document(build_little_text_over_image(tmp_path), LEAN)
    page = document.pages[0]
    assert page.text_source == "ocr"
    assert "Northwind" in page.text and "288.66" in page.text


# --- damaged and oversized PDFs --------------------------------------------------------------


@pytest.mark.parametrize("build", [build_page_tree_loop, build_wrong_page_count])
def test_a_damaged_page_tree_is_a_corrupt_file(tmp_path, build):
    path = build(tmp_path)
    with pytest.raises(CorruptFileError, match="page tree is damaged"):
        load_document(path)
    assert read(path).record.errors[0].code == "corrupt_file"


def test_a_megabyte_text_layer_is_too_large(tmp_path):
    with pytest.raises(TooLargeError, match="more than 20000 words"):
        load_document(build_megabyte_text_layer(tmp_path))


def test_a_page_of_200k_objects_is_too_large(tmp_path):
    with pytest.raises(TooLargeError, match="more than 100000 objects"):
        load_document(build_200k_object_page(tmp_path))


def test_a_digital_receipt_with_dashed_rules_is_read_from_its_text_layer(tmp_path):
    """Rules of '-' and leaders of '.' leave little ink in their boxes at the check's 72 dpi;
    they hide nothing (no letter or digit) and must not send a digital receipt to OCR."""
    receipt = generator.generate(1_000_087, tmp_path / "receipt.pdf", layout="receipt_restaurant", locale="ms_MY")
    document = load_document(receipt.pdf, LoadOptions(ocr="auto"))
    assert [page.text_source for page in document.pages] == ["pdf"]
    assert document.warnings == []
