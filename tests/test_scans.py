"""Scans and photos: OCR with Tesseract after rotation, tilt and size are corrected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import find_word, relative_offset, text_page
from invoice_extract import LoadOptions, load_document


@pytest.mark.parametrize("fixture", ["scan_png", "image_only_pdf"])
def test_scan_finds_words_where_they_were_drawn(request, digital, read_once, fixture):
    document = read_once(request.getfixturevalue(fixture))
    page = document.pages[0]
    assert page.text_source == "ocr"
    assert (page.rotation, page.skew) == (0, 0.0)
    assert abs(page.width - 2480) <= 2 and abs(page.height - 3508) <= 2
    for text in ("INVOICE", "INV-2025-0417", "288.66"):
        word = find_word(document, text)
        assert relative_offset(word.box, digital.drawn_box_px(text), (page.width, page.height)) < 0.02
    assert sum(w.confidence for w in page.words) / len(page.words) > 0.8


@pytest.mark.parametrize("degrees", [90, 180])
def test_turned_scan_comes_back_upright(digital, read_once, turned_png, degrees):
    document = read_once(turned_png(degrees))
    page = document.pages[0]
    # Turned counter-clockwise by `degrees`, the page needs the same turn clockwise.
    assert page.rotation == degrees
    assert abs(page.width - 2480) <= 2 and abs(page.height - 3508) <= 2
    word = find_word(document, "INVOICE")
    assert relative_offset(word.box, digital.drawn_box_px("INVOICE"), (page.width, page.height)) < 0.02


def test_tilted_scan_is_straightened(read_once, tilted_png):
    document = read_once(tilted_png)
    page = document.pages[0]
    assert page.skew == pytest.approx(-2.0, abs=0.2)
    invoice_no = find_word(document, "INV-2025-0417")
    label = find_word(document, "Invoice")
    # Straightened, a label and its value on the same printed line share an OCR line.
    assert invoice_no.line == next(w.line for w in page.words if w.text == "No.")
    assert abs((invoice_no.box[1] + invoice_no.box[3]) / 2 - (label.box[1] + label.box[3]) / 2) < 15


def test_without_deskew_the_tilt_is_left_alone(read_once, tilted_png):
    page = read_once(tilted_png, LoadOptions(deskew=False, auto_rotate=False)).pages[0]
    assert page.skew == 0.0


def test_every_page_of_a_multipage_tiff(read_once, tiff_3_pages):
    document = read_once(tiff_3_pages)
    assert document.media_type == "image/tiff"
    assert [p.number for p in document.pages] == [1, 2, 3]
    assert [p.text.split()[1] for p in document.pages] == ["ONE", "TWO", "THREE"]


def test_small_image_is_upscaled_before_ocr(tmp_path, read_once, scan_image):
    small = tmp_path / "small.png"
    scan_image.reduce(4).save(small)  # 620 x 877 px: about 75 dpi, with no dpi in the file
    page = read_once(small).pages[0]
    assert page.width >= 2 * 620  # enlarged at least twice
    assert {"INVOICE", "288.66"} <= {w.text for w in page.words}


def test_exif_orientation_is_applied(tmp_path, read_once):
    photo = tmp_path / "photo.jpg"
    upright = text_page("RECEIPT NUMBER 42").convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view": the stored pixels are turned 90 CCW
    upright.rotate(90, expand=True).save(photo, exif=exif, quality=95)
    document = read_once(photo, LoadOptions(auto_rotate=False))
    page = document.pages[0]
    assert (page.width, page.height) == upright.size
    assert "RECEIPT NUMBER 42" in page.text


def test_hocr_is_read_as_already_ocred(hocr_file):
    document = load_document(hocr_file)
    page = document.pages[0]
    assert (document.media_type, page.text_source, page.width, page.height, page.dpi) == (
        "text/vnd.hocr+html", "hocr", 2480, 3508, 300)
    assert [(w.text, w.block, w.line, w.index) for w in page.words] == [
        ("INVOICE", 0, 0, 0), ("Total", 1, 1, 0), ("€12,50", 1, 1, 1)]
    assert page.words[0].box == (1866, 206, 2267, 282)
    assert page.words[0].confidence == pytest.approx(0.96)


def test_ocr_never_on_a_scan_gives_no_words_and_says_why(image_only_pdf):
    document = load_document(image_only_pdf, LoadOptions(ocr="never"))
    assert document.pages[0].words == []
    assert "no usable text layer" in document.warnings[0]


def test_straightening_fills_corners_with_the_border_colour():
    # A receipt photographed on a dark table: white corner wedges made Tesseract read
    # nothing on some SROIE receipts, so the uncovered corners take the border's colour.
    from invoice_extract.documents.preprocess import deskew

    photo = Image.new("L", (612, 1312), 40)  # a thin strip of dark table around the paper
    paper = text_page("TOTAL RM 85.54", size=(600, 1300))
    for row in range(8):
        ImageDraw.Draw(paper).text((40, 120 + 140 * row), f"ITEM {row} MINYAK 2KG 4.{row}0", fill=0,
                                   font=ImageFont.load_default(size=40))
    photo.paste(paper, (6, 6))
    tilted = photo.rotate(3, resample=Image.Resampling.BICUBIC, fillcolor=40)
    straight, angle = deskew(tilted, max_pixels=10**8, max_side=32767)
    assert angle == pytest.approx(-3, abs=0.3)
    corners = [straight.getpixel((0, 0)), straight.getpixel((straight.width - 1, straight.height - 1))]
    assert all(value < 80 for value in corners), corners


def test_auto_language_reads_a_german_page_with_its_umlauts(tmp_path, read_once):
    import reportlab  # its Bitstream Vera font has the umlauts that Pillow's built-in font lacks

    page = Image.new("L", (2000, 900), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"), 56)
    for row, text in enumerate(["Rechnung Nr. 4711 vom 05.03.2025", "Müller & Söhne GmbH, Hauptstraße 5",
                                "Zwischensumme 1.234,56 €", "Gesamtbetrag fällig: 1.469,13 €"]):
        draw.text((80, 100 + 180 * row), text, fill=0, font=font)
    path = tmp_path / "rechnung.png"
    page.save(path, dpi=(300, 300))
    words = {w.text for w in read_once(path).words}  # LoadOptions' default languages: auto
    assert {"Müller", "Söhne", "Hauptstraße", "fällig:"} <= words, words


def test_unevenly_lit_photo_is_read_in_its_dark_half_too(tmp_path, read_once):
    # A receipt under a lamp: the paper goes from light grey at the top to dark at the
    # bottom. One global (Otsu) threshold turns the lower half black and Tesseract reads
    # only the top items; Sauvola's local threshold reads every line, the total included.
    width, height = 1000, 1400
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    lines = [f"ITEM {i} MINYAK {i + 3}.{i}0" for i in range(9)] + ["TOTAL RM 85.54"]
    for row, text in enumerate(lines):
        draw.text((60, 60 + 130 * row), text, fill=255, font=ImageFont.load_default(size=40))
    paper = np.tile(np.linspace(235, 70, height, dtype=np.float32)[:, None], (1, width))
    ink = np.asarray(mask, dtype=np.float32) / 255
    photo = paper * (1 - ink) + paper * 0.45 * ink  # print is darker than the paper around it
    path = tmp_path / "lamp-lit-receipt.png"
    Image.fromarray(photo.astype(np.uint8)).save(path, dpi=(300, 300))
    words = [w.text for w in read_once(path).words]
    assert {"TOTAL", "85.54", "8.50", "11.80"} <= set(words), words
    assert words.count("ITEM") == 9, words


def test_sparse_pass_adds_only_the_words_the_first_pass_left_out(tmp_path):
    from invoice_extract.documents.ocr import skipped_words

    page = Image.new("L", (1400, 700), 255)
    draw = ImageDraw.Draw(page)
    for row, text in enumerate(["SUBTOTAL 71.09", "GST 4.27", "TOTAL 75.35"]):
        draw.text((80, 80 + 200 * row), text, fill=0, font=ImageFont.load_default(size=64))
    path = tmp_path / "totals.png"
    page.save(path, dpi=(300, 300))
    read = load_document(path, LoadOptions(sparse_pass=False)).pages[0]
    assert read.width == page.width  # no upscaling or turn: the boxes are in this image's pixels
    # Pretend the layout analysis kept only the first two lines, as it drops a receipt's
    # amounts column: the sparse pass must bring back the third line and nothing else.
    kept = [w for w in read.words if w.text not in ("TOTAL", "75.35")]
    assert [w.text for w in kept] == ["SUBTOTAL", "71.09", "GST", "4.27"]
    extra = skipped_words(str(path), page.size, kept, "eng", "--dpi 300")
    assert [w.text for w in extra] == ["TOTAL", "75.35"]
    assert min(w.line for w in extra) > max(w.line for w in kept)  # lines of their own
    assert extra[0].box[1] > kept[-1].box[3]  # found where the third line was drawn
