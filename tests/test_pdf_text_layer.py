"""Digital PDFs: words and boxes come from the text layer, with no OCR."""

from __future__ import annotations

from conftest import find_word, relative_offset
from invoice_extract import LoadOptions, load_document
from invoice_extract.document import normalise_box


def test_digital_pdf_reads_text_layer_with_boxes_where_drawn(digital):
    document = load_document(digital.path)
    page = document.pages[0]
    assert document.media_type == "application/pdf"
    assert len(document.sha256) == 64
    assert (page.text_source, page.dpi, page.width, page.height) == ("pdf", 300, 2480, 3508)
    for text in ("INVOICE", "INV-2025-0417", "03/05/2025", "288.66"):
        word = find_word(document, text)
        # Glyph boxes sit inside the drawn font box: within 1% of the page.
        assert relative_offset(word.box, digital.drawn_box_px(text), (page.width, page.height)) < 0.01
        assert word.norm_box == normalise_box(word.box, page.width, page.height)
        assert word.confidence == 1.0


def test_text_layer_keeps_reading_order_lines_and_punctuation(digital):
    text = load_document(digital.path).pages[0].text
    assert "Invoice No. INV-2025-0417" in text.splitlines()
    assert "Printer paper A4, 5 reams 4 18.50 74.00" in text.splitlines()
    assert text.splitlines()[0] == "Northwind Traders Ltd"


def test_words_on_one_line_share_a_line_index_and_count_up(digital):
    page = load_document(digital.path).pages[0]
    line = [w for w in page.words if w.line == find_word_line(page, "Toner")]
    assert [w.text for w in line] == ["Toner", "cartridge", "black", "2", "64.90", "129.80"]
    assert [w.index for w in line] == list(range(6))
    assert len({w.block for w in line}) == 1


def find_word_line(page, text):
    return next(w.line for w in page.words if w.text == text)


def test_digital_pdf_needs_no_tesseract(digital, monkeypatch):
    # With no tesseract binary on PATH, a text-layer PDF still reads.
    monkeypatch.setenv("PATH", "/nonexistent")
    document = load_document(digital.path)
    assert find_word(document, "INVOICE")


def test_ocr_always_reads_the_rendered_page_instead(digital, read_once):
    document = read_once(digital.path, LoadOptions(ocr="always"))
    page = document.pages[0]
    assert page.text_source == "ocr"
    word = find_word(document, "INVOICE")
    assert relative_offset(word.box, digital.drawn_box_px("INVOICE"), (page.width, page.height)) < 0.02
    assert 0.5 < word.confidence <= 1.0


def test_encrypted_pdf_opens_with_its_password(bad_files):
    document = load_document(bad_files["encrypted"], LoadOptions(password="s3cret"))
    assert find_word(document, "INVOICE")
