"""Review renderings: page images in the boxes' pixel space, fields drawn where they were read."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageColor, ImageDraw
from reportlab.pdfgen.canvas import Canvas

from conftest import find_word
from invoice_extract import Document, LoadOptions, Page, load_document
from invoice_extract.record import ExtractedField, InvoiceRecord
from invoice_extract.review import FIELD_COLOURS, page_images, render_review_html, render_review_png
from invoice_extract.training.synthetic import render_pages

TEXT_LAYER = LoadOptions(ocr="never")


@pytest.fixture(scope="module")
def document(digital) -> Document:
    return load_document(digital.path, TEXT_LAYER)


def found(document: Document, *texts: str, value: str | None = None, confidence: float = 0.95,
          page: int = 1) -> ExtractedField:
    """A field whose box spans the real words ``texts`` of the document."""
    boxes = [find_word(document, text, page).box for text in texts]
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    printed = " ".join(texts)
    return ExtractedField(value=value or printed, confidence=confidence, page=page, bbox=bbox, text=printed)


def make_record(document: Document, vendor: str = "Northwind Traders Ltd") -> InvoiceRecord:
    return InvoiceRecord(
        source=str(document.source),
        status="needs_review",
        vendor_name=found(document, "Northwind", "Traders", "Ltd", value=vendor),
        invoice_number=found(document, "INV-2025-0417", confidence=0.99),
        invoice_date=found(document, "03/05/2025", value="2025-05-03"),
        tax=found(document, "48.11", confidence=0.3),  # unsure: drawn dashed
        total=found(document, "288.66", confidence=0.97),
        warnings=["tax is unsure (confidence 0.30)"],
    )


def ink_box(image: Image.Image, around: tuple[float, ...], margin: int = 20) -> tuple[int, int, int, int]:
    """The bounding box of dark pixels within ``margin`` px of ``around``, in page pixels."""
    x0, y0 = round(around[0]) - margin, round(around[1]) - margin
    window = image.convert("L").crop((x0, y0, round(around[2]) + margin, round(around[3]) + margin))
    left, top, right, bottom = window.point(lambda v: 255 if v < 128 else 0).getbbox()  # type: ignore[misc]
    return x0 + left, y0 + top, x0 + right, y0 + bottom


def edge_share(image: Image.Image, points: list[tuple[int, int]], colour: str) -> float:
    """The share of ``points`` whose pixel is exactly ``colour``."""
    rgb = ImageColor.getrgb(colour)
    return sum(image.getpixel(p) == rgb for p in points) / len(points)


def outline_edges(bbox: tuple[float, ...], scale: float, top: int) -> dict[str, list[tuple[int, int]]]:
    """Pixels 4 px outside each edge of ``bbox`` (scaled, page pasted at ``top``): where the
    outline runs, 2-5 px clear of the glyphs."""
    x0, y0, x1, y1 = (round(v * scale) for v in bbox)
    y0, y1 = y0 + top, y1 + top
    return {
        "left": [(x0 - 4, y) for y in range(y0, y1)],
        "right": [(x1 + 4, y) for y in range(y0, y1)],
        "top": [(x, y0 - 4) for x in range(x0, x1)],
        "bottom": [(x, y1 + 4) for x in range(x0, x1)],
    }


def test_pdf_page_renders_in_the_boxes_pixel_space(document):
    page = document.pages[0]
    assert page.image is None  # text-layer pages keep no image: the PDF is rendered
    (image,) = page_images(document)
    assert image.size == (page.width, page.height) and image.mode == "RGB"
    for text in ("INVOICE", "288.66"):
        word = find_word(document, text)
        assert max(abs(a - b) for a, b in zip(ink_box(image, word.box), word.box)) <= 3


def test_rotated_pdf_page_renders_upright_like_its_boxes(tmp_path):
    path = tmp_path / "rotated.pdf"
    canvas = Canvas(str(path), pagesize=(400, 300))
    canvas.setFont("Helvetica", 24)
    canvas.drawString(40, 200, "Rotated TOTAL 99.00")
    canvas.setPageRotation(90)
    canvas.save()
    document = load_document(path, TEXT_LAYER)
    page = document.pages[0]
    (image,) = page_images(document)
    assert image.size == (page.width, page.height)
    word = find_word(document, "TOTAL")
    assert word.box[3] - word.box[1] > word.box[2] - word.box[0]  # /Rotate turned the line on its side
    assert max(abs(a - b) for a, b in zip(ink_box(image, word.box, margin=8), word.box)) <= 3


def test_png_draws_each_field_in_its_colour_around_its_words(document, tmp_path):
    record = make_record(document)
    path = render_review_png(document, record, tmp_path / "review.png", max_width=1400)
    page = document.pages[0]
    scale = 1400 / page.width
    with Image.open(path) as png:
        image = png.convert("RGB")
    page_height = round(page.height * scale)
    assert image.width == 1400 and image.height > page_height + 200  # the legend sits above the page
    top = image.height - page_height  # one page: it ends the image
    for name in ("vendor_name", "invoice_number", "invoice_date", "total"):
        edges = outline_edges(getattr(record, name).bbox, scale, top)
        for side, points in edges.items():
            assert edge_share(image, points, FIELD_COLOURS[name]) > 0.9, (name, side)
    # The unsure field's outline is dashed: its colour on part of each edge only.
    top_edge = outline_edges(record.tax.bbox, scale, top)["top"]
    assert 0.3 < edge_share(image, top_edge, FIELD_COLOURS["tax"]) < 0.9
    # The words inside stay visible: the outline does not cross them.
    x0, y0, x1, y1 = (round(v * scale) for v in record.total.bbox)
    inside = image.crop((x0, y0 + top, x1, y1 + top)).convert("L")
    assert inside.getextrema()[0] < 80


def test_png_of_a_failed_record_has_just_the_legend_and_pages(document, tmp_path):
    record = InvoiceRecord.failed(str(document.source), "corrupt_file", "the PDF is damaged")
    path = render_review_png(document, record, tmp_path / "failed.png", max_width=700)
    with Image.open(path) as png:
        assert png.width == 700
        assert png.height > round(document.pages[0].height * 700 / document.pages[0].width)


def html_boxes(text: str) -> list[dict[str, str]]:
    boxes = []
    for match in re.finditer(r'<div class="box[^"]*" ([^>]*)>', text):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))
        style = dict(part.split(":", 1) for part in attributes.pop("style").split(";"))
        boxes.append(attributes | style)
    return boxes


def test_html_places_a_box_per_field_in_page_percentages(document, tmp_path):
    record = make_record(document)
    text = render_review_html(document, record, tmp_path / "review.html").read_text(encoding="utf-8")
    page = document.pages[0]
    boxes = html_boxes(text)
    assert sorted(box["data-field"] for box in boxes) == sorted(
        ["vendor_name", "invoice_number", "invoice_date", "tax", "total"]
    )
    for box in boxes:
        x0, y0, x1, y1 = getattr(record, box["data-field"]).bbox
        assert float(box["left"].rstrip("%")) == pytest.approx(100 * x0 / page.width, abs=1e-3)
        assert float(box["top"].rstrip("%")) == pytest.approx(100 * y0 / page.height, abs=1e-3)
        assert float(box["width"].rstrip("%")) == pytest.approx(100 * (x1 - x0) / page.width, abs=1e-3)
        assert float(box["height"].rstrip("%")) == pytest.approx(100 * (y1 - y0) / page.height, abs=1e-3)
    total = next(box for box in boxes if box["data-field"] == "total")
    assert total["title"] == "Total: 288.66, confidence 0.97, page 1"
    date = next(box for box in boxes if box["data-field"] == "invoice_date")
    assert date["title"] == "Invoice date: 2025-05-03 (printed &#x27;03/05/2025&#x27;), confidence 0.95, page 1"
    (uri,) = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', text)
    with Image.open(io.BytesIO(base64.b64decode(uri))) as embedded:
        assert embedded.size == (1400, round(page.height * 1400 / page.width))
    # Offline: nothing is fetched from anywhere.
    assert not re.search(r'(src|href)="(https?:)?//', text) and "@import" not in text


def test_html_table_lists_every_field_and_flags_unsure_ones(document, tmp_path):
    text = render_review_html(document, make_record(document), tmp_path / "review.html").read_text(encoding="utf-8")
    assert re.search(r'<tr class="low">.*?Tax</a></td><td>48\.11</td>', text)
    assert re.search(r'<tr class="missing">.*?Customer name</td><td colspan="4">not found</td>', text)
    assert "Status: needs review" in text and "tax is unsure (confidence 0.30)" in text


def test_html_escapes_everything_taken_from_the_document(document, tmp_path):
    record = make_record(document, vendor="<script>alert(1)</script>")
    record = record.model_copy(update={"warnings": ['vendor "<img src=x onerror=alert(2)>"']})
    failed = InvoiceRecord.failed("x.pdf", "corrupt_file", "<b>bad</b>")
    for name, rec in (("review.html", record), ("failed.html", failed)):
        text = render_review_html(document, rec, tmp_path / name).read_text(encoding="utf-8")
        assert "<script" not in text and "<img src=x" not in text and "<b>bad" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (tmp_path / "review.html").read_text(encoding="utf-8")
    assert "corrupt_file: &lt;b&gt;bad&lt;/b&gt;" in (tmp_path / "failed.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def scan_file(digital, tmp_path_factory) -> Path:
    """The digital invoice rendered at 300 dpi and saved as a scan: its pixels are the PDF's boxes' pixels."""
    path = tmp_path_factory.mktemp("review") / "scan.png"
    render_pages(digital.path, 300)[0].save(path, dpi=(300, 300))
    return path


def test_scan_uses_the_kept_page_image(document, scan_file, tmp_path):
    scan = load_document(scan_file, TEXT_LAYER)  # OCR off: the page image alone, no words needed
    page = scan.pages[0]
    assert page.image is not None
    ImageDraw.Draw(page.image).rectangle((0, 0, 99, 99), fill=40)  # a mark only the kept image has
    (image,) = page_images(scan)
    assert image.size == (page.width, page.height) and image.getpixel((50, 50)) == (40, 40, 40)
    # The PDF's boxes fit the scan: the same page at the same 300 dpi (give or take the
    # pixel a rendering rounds up).
    record = make_record(document)
    path = render_review_png(scan, record, tmp_path / "scan.png", max_width=1240)
    with Image.open(path) as png:
        image = png.convert("RGB")
    scale = 1240 / page.width
    top = image.height - round(page.height * scale)
    for side, points in outline_edges(record.total.bbox, scale, top).items():
        assert edge_share(image, points, FIELD_COLOURS["total"]) > 0.9, side


def test_scan_without_kept_image_is_read_again_and_turned_upright(scan_file, tmp_path):
    upright = Image.open(scan_file).convert("RGB").crop((0, 0, 600, 800))
    turned = tmp_path / "turned.png"
    upright.rotate(90, expand=True).save(turned)  # counter-clockwise, as a sideways scan
    # As the reader leaves it: upright size, turned 90 degrees clockwise, no image kept.
    page = Page(1, 600, 800, 300, "ocr", rotation=90)
    (image,) = page_images(Document(turned, "0" * 64, "image/png", [page]))
    assert image.tobytes() == upright.tobytes()


def test_hocr_without_image_is_sketched_from_its_words(hocr_file):
    document = load_document(hocr_file)
    page = document.pages[0]
    (image,) = page_images(document)
    assert image.size == (page.width, page.height)
    x0, y0, x1, y1 = find_word(document, "INVOICE").box
    word = image.crop((round(x0), round(y0), round(x1), round(y1))).convert("L")
    assert 100 < word.getextrema()[0] < 220  # light grey text where the word was read
