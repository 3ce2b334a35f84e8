"""The PP-OCR engine (--ocr-engine ppocr): the real engine on images made here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from typer.testing import CliRunner

from invoice_extract import LoadOptions, load_document
from invoice_extract.cli import app
from invoice_extract.document import Word
from invoice_extract.documents import accents, ppocr
from invoice_extract.errors import UsageError

runner = CliRunner()
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
# What the receipt shows: (text, left, top); the last two share a row.
RECEIPT = [("GREEN", 60, 50), ("MARKET", 260, 50), ("12/03/2024", 60, 150), ("TOTAL", 60, 250), ("42.50", 620, 250)]


@pytest.fixture(scope="module")
def receipt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[int, int, int, int]]]:
    """A small receipt image, and the box of each word as drawn."""
    image = Image.new("L", (900, 340), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 44)
    drawn = {}
    for text, left, top in RECEIPT:
        draw.text((left, top), text, fill=0, font=font)
        drawn[text] = draw.textbbox((left, top), text, font=font)
    path = tmp_path_factory.mktemp("ppocr") / "receipt.png"
    image.save(path)
    return path, drawn


def _words(path: Path, *options: str) -> list[dict]:
    result = runner.invoke(app, ["words", "--json", *options, str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["pages"][0]["words"]


def test_ppocr_reads_words_with_their_boxes_in_reading_order(receipt):
    path, drawn = receipt
    words = _words(path, "--ocr-engine", "ppocr")
    assert [w["text"] for w in words] == [text for text, _, _ in RECEIPT]
    # A row's words share a line (the amount with its label), lines go down the page.
    assert [(w["line"], w["index"]) for w in words] == [(0, 0), (0, 1), (1, 0), (2, 0), (2, 1)]
    for word in words:
        box = drawn[word["text"]]
        assert all(abs(found - at) <= 12 for found, at in zip(word["box"], box)), (word, box)
        assert 0.8 < word["confidence"] <= 1.0


def test_ppocr_cuts_a_line_into_words_where_the_recogniser_wrote_no_spaces():
    # The recogniser reads this line of receipt print as JALANSAGU18TAMANDAYA; where the
    # characters stand apart on the line tells the words.
    image = Image.new("L", (1000, 120), 255)
    ImageDraw.Draw(image).text((40, 40), "JALAN SAGU 18 TAMAN DAYA", fill=0,
                               font=ImageFont.truetype(FONT.replace("Sans", "SansMono"), 24))
    words = ppocr.read_words(image, turn_lines=False)
    assert [w.text for w in words] == ["JALAN", "SAGU", "18", "TAMAN", "DAYA"]
    lefts = [w.box[0] for w in words]
    assert lefts == sorted(lefts) and [w.index for w in words] == [0, 1, 2, 3, 4]


def test_the_engine_option_chooses_the_engine(receipt):
    path, _ = receipt
    ppocr._engine.cache_clear()
    load_document(path, LoadOptions(ocr_engine="tesseract"))
    assert ppocr._engine.cache_info().currsize == 0
    _words(path, "--ocr-engine", "ppocr")
    _words(path, "--ocr-engine", "ppocr")
    # One engine (one set of onnxruntime sessions) per process, made on first use.
    assert (ppocr._engine.cache_info().misses, ppocr._engine.cache_info().hits) == (1, 1)


def test_an_unknown_engine_is_a_usage_error(receipt):
    path, _ = receipt
    result = runner.invoke(app, ["words", "--ocr-engine", "easyocr", str(path)])
    assert result.exit_code == 2 and "easyocr" in result.output
    with pytest.raises(UsageError, match="unknown OCR engine 'easyocr'"):
        LoadOptions(ocr_engine="easyocr")  # type: ignore[arg-type]


def test_ppocr_on_a_page_without_text_gives_a_page_without_words(tmp_path):
    path = tmp_path / "blank.png"
    Image.new("RGB", (600, 800), (255, 255, 255)).save(path)
    assert _words(path, "--ocr-engine", "ppocr") == []


@pytest.mark.parametrize("size", [(3000, 12), (12, 3000), (30000, 30)])
def test_ppocr_reads_long_strips(tmp_path, size):
    # The engine scales a page to a long side of 1600 and rounds sides to multiples of 32: a
    # short side that rounds to 0 made it raise ResizeImgError (an internal error), and its
    # detector enlarged a 12 x 3000 strip to 736 x 36800 (40 s; 1 s once padded).
    path = tmp_path / "strip.png"
    Image.new("L", size, 255).save(path)
    assert _words(path, "--ocr-engine", "ppocr") == []


def test_ppocr_keeps_the_typed_errors_of_bad_images(tmp_path):
    tiny = tmp_path / "tiny.png"
    Image.new("L", (5, 5), 0).save(tiny)
    result = runner.invoke(app, ["words", "--ocr-engine", "ppocr", str(tiny)])
    assert result.exit_code == 5 and "empty_file" in result.output
    broken = tmp_path / "broken.png"
    broken.write_bytes(tiny.read_bytes()[:40])
    result = runner.invoke(app, ["words", "--ocr-engine", "ppocr", str(broken)])
    assert result.exit_code == 6 and "corrupt_file" in result.output


def test_auto_reads_a_german_page_with_pp_ocr_and_keeps_its_accents_and_spaces(tmp_path):
    # PP-OCR alone reads these as Strae / Fallig am, or glued; auto gives the page's words as
    # printed: PP-OCR's reading, with Tesseract's spelling (read in German) where only accents
    # and spaces differ.
    lines = ["Rechnung Nr. 2024-117", "Müller Bürobedarf GmbH", "Schillerstraße 12, 80331 München",
             "Fällig am 15.04.2024", "Gesamtbetrag 1.234,50 EUR"]
    image = Image.new("L", (1400, 520), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for row, line in enumerate(lines):
        draw.text((60, 40 + row * 90), line, fill=0, font=font)
    path = tmp_path / "rechnung.png"
    image.save(path)
    printed = {token.strip(",") for line in lines for token in line.split()}
    auto = {w["text"].strip(",") for w in _words(path)}  # --ocr-engine auto is the default
    pp = {w["text"].strip(",") for w in _words(path, "--ocr-engine", "ppocr")}
    accented = {"Müller", "Bürobedarf", "Schillerstraße", "München", "Fällig"}
    assert len(accented - pp) >= 3  # what auto adds: PP-OCR alone drops most of the accents
    assert accented <= auto
    assert len(printed & auto) >= len(printed) - 1


def test_restore_takes_the_reference_spelling_only_where_the_letters_agree():
    def word(text: str, box: tuple[float, float, float, float], line: int = 0, index: int = 0) -> Word:
        return Word.on_page(text, box, (1000, 1000), confidence=0.9, block=0, line=line, index=index)

    words = [word("Falligam", (0, 0, 200, 30)), word("15.04.2024", (220, 0, 400, 30), index=1),
             word("Strae", (0, 50, 150, 80), line=1), word("Total", (0, 100, 120, 130), line=2)]
    reference = [word("Fällig", (0, 0, 120, 30)), word("am", (140, 0, 200, 30)), word("15.04.2024", (220, 0, 400, 30)),
                 word("Straße", (0, 50, 150, 80)), word("Tatal", (0, 100, 120, 130))]
    restored = accents.restore(words, reference)
    assert [(w.text, w.line, w.index) for w in restored] == [
        ("Fällig", 0, 0), ("am", 0, 1), ("15.04.2024", 0, 2), ("Straße", 1, 0), ("Total", 2, 0)]
    assert restored[1].box == (140, 0, 200, 30) and restored[0].confidence == 0.9


def test_ppocr_finds_spaces_the_recogniser_does_not_write():
    # Pillow's default font at 64 px: the recogniser reads RECEIPTNUMBER42, and the blank
    # paper between the words tells where they end.
    image = Image.new("L", (1240, 400), 255)
    ImageDraw.Draw(image).text((80, 150), "RECEIPT NUMBER 42", fill=0, font=ImageFont.load_default(size=64))
    assert [w.text for w in ppocr.read_words(image, turn_lines=False)] == ["RECEIPT", "NUMBER", "42"]


def test_ppocr_keeps_the_rows_of_a_tilted_receipt_apart():
    # A photo taken at a slant: each line's box is taller than the line, and boxes of lines
    # one under another overlap. Each label must stay with its amount, one row a line.
    rows = [("MILK", "2.49"), ("BREAD", "3.10"), ("EGGS", "4.75"), ("APPLES", "5.20"), ("TOTAL", "15.54")]
    image = Image.new("L", (1100, 900), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for row, (label, amount) in enumerate(rows):
        draw.text((100, 150 + row * 110), label, fill=0, font=font)
        draw.text((800, 150 + row * 110), amount, fill=0, font=font)
    tilted = image.rotate(4, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    words = ppocr.read_words(tilted, turn_lines=False)
    lines: dict[int, list[str]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word.text)
    assert list(lines.values()) == [list(row) for row in rows]


@pytest.mark.parametrize(("read", "meant"), [
    ("L0T", "LOT"), ("CAR0TS", "CAROTS"), ("Snellv11e", "Snellvlle"), ("PUEBL0", "PUEBLO"), ("4330O", "43300"),
    ("1O.50", "10.50"), ("47ioo", "47100"), ("RM10.00", "RM10.00"), ("RM1", "RM1"), ("Room101", "Room101"),
    ("Suite1", "Suite1"), ("C0", "C0"), ("H2O", "H2O"), ("B10", "B10"), ("2O", "2O"),
])
def test_ppocr_puts_back_letters_read_as_digits_and_digits_read_as_letters(read, meant):
    assert ppocr._letters_as_letters(read) == meant


def test_restore_keeps_pp_ocr_word_where_tesseract_cuts_it_into_letters():
    def word(text: str, box: tuple[float, float, float, float]) -> Word:
        return Word.on_page(text, box, (1000, 1000), confidence=0.9, block=0, line=0, index=0)

    # A letter-spaced heading: Tesseract reads F ACTU R E, PP-OCR FACTURE.
    words = [word("FACTURE", (0, 0, 340, 60))]
    reference = [word("F", (0, 0, 40, 60)), word("ACTU", (45, 0, 240, 60)), word("R", (250, 0, 290, 60)),
                 word("E", (300, 0, 340, 60))]
    assert [w.text for w in accents.restore(words, reference)] == ["FACTURE"]
