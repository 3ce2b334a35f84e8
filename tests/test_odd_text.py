"""Odd characters in a text layer: words are always valid text, and the tagger never sees worse.

PDFium hands out a PDF's text as UTF-16 code units, so a character beyond the Basic
Multilingual Plane (the 📧 beside an e-mail address) came out as two lone surrogates, and the
tokenizer refused the word: the whole invoice was an internal_error.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import pdf_of_objects
from tokenizers import Tokenizer

import invoice_extract
from invoice_extract import LoadOptions, load_document
from invoice_extract.document import Document, Page, Word, clean_text
from invoice_extract.documents.ocr import _words_from_tesseract
from invoice_extract.ner import MODELS_DIR, Tagger, encode
from invoice_extract.training.synthetic import InvoiceSpec, render_invoice_pdf


@pytest.mark.parametrize(("raw", "clean"), [
    ("\ud83d\udce7", "\U0001f4e7"),  # a surrogate pair, as PDFium gives 📧: one character
    ("\ud83d\udce7contact@example.fr", "\U0001f4e7contact@example.fr"),
    ("a\ud83db", "ab"),  # a high surrogate with no low one after it
    ("\udce7", ""),  # a low surrogate alone
    ("\udce7\ud83d", ""),  # the halves in the wrong order
    ("12\x0034", "1234"),  # NUL
    ("\x1b[31mTotal", "[31mTotal"),  # an escape
    ("\x85288.66\x9f", " 288.66"),  # NEL is a line break (a space); APC (U+009F) is nothing
    ("\ufffe", ""), ("\uffff", ""), ("x\ufdd0", "x"), ("\U0001fffe", ""),  # noncharacters
    ("\u202e288.66\u202c", "288.66"),  # a right-to-left override: displayed 66.882
    ("\u2067abc\u2069\u200e\u200f", "abc"),  # isolates and direction marks
    ("INV\u200b-\u00ad0417\ufeff", "INV-0417"),  # zero-width space, soft hyphen, BOM
    ("12\t34", "12 34"),  # a tab still parts the two
    # Text stays: letters, digits, punctuation, symbols of any script, accents, icons.
    ("Müller-Straße", "Müller-Straße"), ("€1.234,56", "€1.234,56"), ("\u260e", "\u260e"),
    ("e\u0301", "e\u0301"), ("١٢٣", "١٢٣"), ("東京", "東京"), ("\ue000", "\ue000"),
    ("\U0001f600", "\U0001f600"), ("\ufffd", "\ufffd"),
])
def test_clean_text_pairs_surrogates_and_drops_what_is_not_text(raw, clean):
    assert clean_text(raw) == clean


def test_every_code_point_cleans_to_text_that_utf8_and_the_tokenizer_take(tokenizer):
    everything = clean_text("".join(map(chr, range(0x110000))))
    everything.encode("utf-8")  # raises on any surrogate left
    assert tokenizer.encode([everything[i:i + 1000] for i in range(0, len(everything), 1000)],
                            is_pretokenized=True, add_special_tokens=False).ids


def test_a_word_is_valid_text_however_it_is_made():
    made = Word.on_page("\ud83d\udce7\x00", (0, 0, 10, 10), (100, 100), confidence=1.0, block=0, line=0, index=0)
    assert made.text == "\U0001f4e7"
    loaded = Word.from_dict({**made.to_dict(), "text": "\u202eTotal\udce7"})  # a cached or edited file
    assert loaded.text == "Total"


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer.from_file(str(MODELS_DIR / "tokenizer" / "tokenizer.json"))


def test_the_tagger_skips_words_with_no_text_and_reads_the_rest():
    words = [Word(text, (0, 0, 10, 10), (0, 0, 4, 4), 1.0, 0, 0, i)
             for i, text in enumerate(["Total", "\x00", "\ufffe", "\ud83d", "\u200b", "288.66"])]
    tagged = Tagger().tag(Document(Path("x.pdf"), "0" * 64, "application/pdf", [Page(1, 100, 100, 300, "pdf", words)]))
    assert [t.word.text for t in tagged] == ["Total", "288.66"]


def test_the_tokenizer_sees_bare_strings_cleaned_and_no_more_than_the_start_of_a_long_word(tokenizer):
    # training passes words as strings, not Words
    windows = encode(tokenizer, ["Total", "\ud83d\udce7", "\udce7", "a." * 20_000, "288.66"], [(0, 0, 1, 1)] * 5)
    assert len(windows) == 1  # 40,000 tokens for the long word would be 80 windows
    seen = set(windows[0].word_ids)
    assert {0, 1, 3, 4} <= seen and 2 not in seen  # the lone surrogate is no token at all


# --- a real PDF: the French Factur-X sample's contact line, ☎ and 📧 drawn as icons ----------

def _one_page_pdf(content: bytes, fonts: bytes, *font_objects: bytes) -> bytes:
    return pdf_of_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.2756 841.8898] /Contents 4 0 R "
        b"/Resources << /Font << %s >> >> >>" % fonts,
        _stream(content),
        *font_objects,
    ])


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


# An icon font as office suites embed one: its glyphs ("A", "B", "C" of Helvetica here, so that
# they print) mapped by a ToUnicode CMap to ☎ (U+260E), 📧 (U+1F4E7, written as UTF-16, a
# surrogate pair, as the PDF standard has it) and, as a broken producer writes, half a pair.
_ICONS_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Icons def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
3 beginbfchar <41> <260E> <42> <D83DDCE7> <43> <D83D> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end"""

_CONTACT_LINE = (b"BT /Icons 9 Tf 50 80 Td (A) Tj /Helv 9 Tf ( +33 1 23 45 67 89     ) Tj "
                 b"/Icons 9 Tf (B) Tj /Helv 9 Tf ( contact@northwind.example     ) Tj /Icons 9 Tf (C) Tj ET")


def _contact_line_pdf() -> bytes:
    return _one_page_pdf(
        _CONTACT_LINE, b"/Icons 5 0 R /Helv 7 0 R",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        _stream(_ICONS_CMAP),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    )


@pytest.fixture(scope="module")
def invoice_with_icons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic invoice with the contact line drawn over its foot, as one page."""
    folder = tmp_path_factory.mktemp("icons")
    render_invoice_pdf(InvoiceSpec(), folder / "plain.pdf")
    (folder / "contact.pdf").write_bytes(_contact_line_pdf())
    invoice, contact = pdfium.PdfDocument(str(folder / "plain.pdf")), pdfium.PdfDocument(str(folder / "contact.pdf"))
    page = invoice[0]
    page.insert_obj(contact.page_as_xobject(0, invoice).as_pageobject())
    page.gen_content()
    invoice.save(str(folder / "invoice.pdf"))
    return folder / "invoice.pdf"


def test_icons_beyond_the_bmp_read_as_themselves(invoice_with_icons):
    page = load_document(invoice_with_icons).pages[0]
    assert page.text_source == "pdf"
    assert "\u260e +33 1 23 45 67 89 \U0001f4e7 contact@northwind.example" in page.text.splitlines()
    for word in page.words:
        assert word.text and word.text.encode("utf-8")  # no lone surrogate, no empty word


def test_an_invoice_with_icons_is_read_whole(invoice_with_icons):
    record = invoice_extract.extract(invoice_with_icons)
    assert record.errors == [] and record.status == "ok"
    assert (record.vendor_name.value, record.invoice_number.value, record.total.value) == (
        "Northwind Traders Ltd", "INV-2025-0417", "288.66")



def test_glyphs_with_no_unicode_still_make_a_text_layer_unusable(tmp_path):
    # A subset font without a ToUnicode map: PDFium gives each glyph's code, here 1-5 (controls).
    # Cleaning words must not hide them from the check that sends such a page to OCR.
    path = tmp_path / "unmapped.pdf"
    path.write_bytes(_one_page_pdf(
        b"BT /F 12 Tf 50 700 Td (Invoice Northwind Traders \001\002\003\004 \005\004\003) Tj ET", b"/F 5 0 R",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [1 /g1 /g2 /g3 /g4 /g5] >> >>",
    ))
    document = load_document(path, LoadOptions(ocr="never"))
    assert any("no usable text layer" in warning for warning in document.warnings)


def test_hocr_words_are_cleaned_and_empty_ones_dropped(tmp_path):
    path = tmp_path / "odd.hocr"
    words = [("&#x202E;288.66&#x202C;", "100 100 300 150"), ("&#x200B;", "320 100 340 150"),
             ("Total\x01", "360 100 500 150"), ("&#x1F4E7;", "520 100 560 150")]
    spans = "".join(f'<span class="ocrx_word" title="bbox {box}; x_wconf 90">{text}</span>' for text, box in words)
    path.write_text('<html><body><div class="ocr_page" title="bbox 0 0 2480 3508; scan_res 300 300">'
                    f'<span class="ocr_line" title="bbox 100 100 560 150">{spans}</span></div></body></html>',
                    encoding="utf-8")
    assert [(w.text, w.index) for w in load_document(path).words] == [("288.66", 0), ("Total", 1), ("\U0001f4e7", 2)]


def test_tesseract_words_are_cleaned_and_empty_ones_dropped():
    read = ["\u200b", "Total\x00", "\ufeff288.66"]
    data = {"text": read, "conf": [90.0] * 3, "level": [5] * 3, "block_num": [1] * 3, "par_num": [1] * 3,
            "line_num": [1] * 3, "left": [0, 50, 150], "top": [0] * 3, "width": [40, 90, 90], "height": [20] * 3}
    words = _words_from_tesseract(data, (1000, 1000))
    assert [(w.text, w.index) for w in words] == [("Total", 0), ("288.66", 1)]
