"""Stage 3: tags become a validated InvoiceRecord (postprocess), and the pipeline around it.

The rules of the record stage (span merging, candidate competition, checks) are tested on
tagged words built here, so each case says exactly what the model is supposed to have
seen; the pipeline tests run the real reader and the real ONNX model on generated files.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from invoice_extract import InvoiceRecord, extract, extract_many
from invoice_extract.document import Document, Page, Word
from invoice_extract.ner import TAGS, TaggedWord
from invoice_extract.pipeline import collect_inputs
from invoice_extract.postprocess import build_record, entities
from invoice_extract.record import ExtractedField

PAGE = (2480, 3508)


def tagged_lines(lines: list[list[tuple[str, str]]], *, probability: float = 0.95) -> tuple[Document, list[TaggedWord]]:
    """A one-page document whose words carry the given tags (word, tag), one list per line."""
    words, tagged = [], []
    for line, items in enumerate(lines):
        x = 100.0
        for index, (text, tag) in enumerate(items):
            width = 30.0 * len(text)
            word = Word.on_page(text, (x, 100.0 + 60 * line, x + width, 140.0 + 60 * line), PAGE,
                                confidence=1.0, block=0, line=line, index=index)
            x += width + 30
            probs = np.full(len(TAGS), (1 - probability) / (len(TAGS) - 1), dtype=np.float32)
            probs[TAGS.index(tag)] = probability
            words.append(word)
            tagged.append(TaggedWord(word, 1, tag, probability, probs))
    page = Page(1, *PAGE, dpi=300, text_source="pdf", words=words)
    return Document(Path("bill.pdf"), "0" * 64, "application/pdf", [page]), tagged


def line(text: str, tag: str = "O") -> list[tuple[str, str]]:
    """A line of words; a field tag (TOTAL) becomes B- on the first word and I- on the rest."""
    parts = text.split()
    if tag == "O":
        return [(part, "O") for part in parts]
    return [(part, ("B-" if i == 0 else "I-") + tag) for i, part in enumerate(parts)]


def continued(text: str, tag: str) -> list[tuple[str, str]]:
    """A line that continues the previous line's span (every word I-)."""
    return [(part, "I-" + tag) for part in text.split()]


def test_entities_merge_bio_runs_across_lines():
    _, tagged = tagged_lines([
        line("Acme Trading Ltd", "VENDOR_NAME"),
        line("12 High Street", "VENDOR_ADDRESS"),
        continued("London SW1A 1AA", "VENDOR_ADDRESS"),
        line("Invoice", "O") + line("INV-7", "INVOICE_NUMBER"),
    ])
    found = {(e.field, e.text) for e in entities(tagged)}
    assert found == {
        ("VENDOR_NAME", "Acme Trading Ltd"),
        ("VENDOR_ADDRESS", "12 High Street, London SW1A 1AA"),
        ("INVOICE_NUMBER", "INV-7"),
    }


def test_an_invoice_number_ocr_split_at_a_hyphen_is_one_number_again():
    # Tesseract reads "INV-2024-4417" as "INV-" "2024-4417"; an invoice number has no space.
    _, tagged = tagged_lines([line("Invoice No") + line("INV- 2024-4417", "INVOICE_NUMBER"),
                              line("Order") + line("FA 2021 /560", "INVOICE_NUMBER"),
                              line("Acme Trading Ltd", "VENDOR_NAME")])
    assert [e.text for e in entities(tagged)] == ["INV-2024-4417", "FA 2021/560", "Acme Trading Ltd"]


def test_an_invoice_number_tagged_up_to_a_hyphen_takes_the_rest_of_it():
    # The model tags "INV-" and leaves the "2024-4417" that OCR split off; a number does
    # not end in a hyphen, so the next word on the line is the rest of it.
    header = line("Invoice No") + [("INV-", "B-INVOICE_NUMBER"), ("2024-4417", "O"), ("Page", "O")]
    document, tagged = tagged_lines([header, line("Total") + line("10.00", "TOTAL")])
    assert build_record(document, tagged).value("invoice_number") == "INV-2024-4417"
    # Only on the same line, and only a word that can continue a number.
    document, tagged = tagged_lines([line("Invoice No") + [("INV-", "B-INVOICE_NUMBER")], line("2024-4417"),
                                     line("Total") + line("10.00", "TOTAL")])
    assert build_record(document, tagged).value("invoice_number") == "INV-"
    document, tagged = tagged_lines([line("Invoice No") + [("INV-", "B-INVOICE_NUMBER"), (":", "O")],
                                     line("Total") + line("10.00", "TOTAL")])
    assert build_record(document, tagged).value("invoice_number") == "INV-"


def test_a_b_tag_starts_a_new_entity_of_the_same_field():
    _, tagged = tagged_lines([line("5.00", "TOTAL") + line("7.00", "TOTAL")])
    assert [e.text for e in entities(tagged)] == ["5.00", "7.00"]


def test_record_normalises_values_and_keeps_evidence():
    document, tagged = tagged_lines([
        line("Müller & Söhne GmbH", "VENDOR_NAME"),
        line("Hauptstraße 5", "VENDOR_ADDRESS"),
        continued("10115 Berlin, Deutschland", "VENDOR_ADDRESS"),
        line("Rechnungsdatum:") + line("05.03.2025", "INVOICE_DATE"),
        line("Fällig am:") + line("04.04.2025", "DUE_DATE"),
        line("Zwischensumme") + line("1.234,56 €", "SUBTOTAL"),
        line("USt. 19 %") + line("234,57 €", "TAX"),
        line("Gesamtbetrag") + line("1.469,13 €", "TOTAL"),
    ])
    record = build_record(document, tagged)
    assert record.status == "ok", record.warnings
    assert record.value("vendor_name") == "Müller & Söhne GmbH"
    assert record.value("vendor_address") == "Hauptstraße 5, 10115 Berlin, Deutschland"
    assert record.value("invoice_date") == "2025-03-05"
    assert record.value("due_date") == "2025-04-04"
    assert (record.value("subtotal"), record.value("tax"), record.value("total")) == ("1234.56", "234.57", "1469.13")
    assert record.value("currency") == "EUR"
    total = record.total
    assert total is not None and total.page == 1 and total.text == "1.469,13 €"
    total_words = [t.word for t in tagged if t.tag[2:] == "TOTAL"]
    assert total.bbox == (total_words[0].box[0], total_words[0].box[1], total_words[-1].box[2], total_words[-1].box[3])
    assert total.confidence == pytest.approx(0.95, abs=0.01)


def test_a_sum_that_adds_up_beats_a_likelier_total():
    document, tagged = tagged_lines([
        line("Subtotal") + line("100.00", "SUBTOTAL"),
        line("VAT") + line("20.00", "TAX"),
        line("Total") + line("120.00", "TOTAL"),
        line("Paid") + line("150.00", "TOTAL"),
    ])
    # The model is surer of the wrong "150.00" than of the right total.
    paid = tagged[-1]
    probs = paid.probabilities.copy()
    probs[TAGS.index("B-TOTAL")] = 0.99
    tagged[-1] = TaggedWord(paid.word, 1, "B-TOTAL", 0.99, probs)
    record = build_record(document, tagged)
    assert record.value("total") == "120.00"
    assert record.status == "ok", record.warnings


def test_a_sum_that_does_not_add_up_needs_review():
    document, tagged = tagged_lines([
        line("Subtotal") + line("100.00", "SUBTOTAL"),
        line("VAT") + line("20.00", "TAX"),
        line("Total") + line("125.00", "TOTAL"),
    ])
    record = build_record(document, tagged)
    assert record.status == "needs_review"
    assert any("subtotal 100.00 + tax 20.00 = 120.00, but the total is 125.00" in w for w in record.warnings)


def test_shipping_printed_on_the_page_explains_the_difference():
    document, tagged = tagged_lines([
        line("Subtotal") + line("100.00", "SUBTOTAL"),
        line("Shipping 5.00"),
        line("VAT") + line("20.00", "TAX"),
        line("Total") + line("125.00", "TOTAL"),
    ])
    assert build_record(document, tagged).status == "ok"


def test_due_date_before_invoice_date_and_ambiguous_dates_are_flagged():
    document, tagged = tagged_lines([
        line("Date") + line("03/05/2025", "INVOICE_DATE"),
        line("Due") + line("01/04/2025", "DUE_DATE"),
        line("Total") + line("10.00", "TOTAL"),
    ])
    record = build_record(document, tagged)
    assert record.status == "needs_review"
    assert any(w.startswith("invoice_date: '03/05/2025' could be") for w in record.warnings)
    assert any(w.startswith("due_date:") and "before the invoice date" in w for w in record.warnings)


def test_a_day_over_12_elsewhere_decides_the_date_order():
    document, tagged = tagged_lines([
        line("Date") + line("03/05/2025", "INVOICE_DATE"),
        line("Delivered 25/04/2025"),
        line("Total") + line("10.00", "TOTAL"),
    ])
    record = build_record(document, tagged)
    assert record.value("invoice_date") == "2025-05-03"
    assert not any("could be" in w for w in record.warnings)


def test_unsure_fields_and_a_missing_total_need_review():
    document, tagged = tagged_lines([line("Acme", "VENDOR_NAME")], probability=0.3)
    record = build_record(document, tagged)
    assert record.status == "needs_review"
    assert "total: not found" in record.warnings
    # 0.3 for B-VENDOR_NAME plus a little for I-VENDOR_NAME
    assert any(w.startswith("vendor_name: unsure (confidence 0.34)") for w in record.warnings), record.warnings


def test_record_refuses_values_that_break_the_contract():
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        InvoiceRecord(source="a.pdf", invoice_date=ExtractedField(value="03/05/2025", confidence=0.9))
    with pytest.raises(ValidationError, match="decimal"):
        InvoiceRecord(source="a.pdf", total=ExtractedField(value="1,234.50", confidence=0.9))
    with pytest.raises(ValidationError, match="ISO 4217"):
        InvoiceRecord(source="a.pdf", currency=ExtractedField(value="€", confidence=0.9))
    with pytest.raises(ValidationError, match="must say why"):
        InvoiceRecord(source="a.pdf", status="error")


def test_extract_reads_a_real_pdf_through_every_stage(digital):
    record = extract(digital.path)
    assert record.status in ("ok", "needs_review")
    assert record.sha256 and record.pages == 1
    assert record.value("invoice_number") == "INV-2025-0417"
    assert record.value("total") == "288.66"
    assert record.value("vendor_name") == "Northwind Traders Ltd"
    # The record is the scorer's contract: JSON with each field null or {value, ...}.
    data = json.loads(record.model_dump_json())
    assert data["total"]["value"] == "288.66" and data["total"]["page"] == 1


def test_extract_many_turns_bad_files_into_error_records_and_goes_on(digital, bad_files, tmp_path):
    missing = tmp_path / "gone.pdf"
    records = list(extract_many([bad_files["truncated"], missing, digital.path, bad_files["encrypted"]]))
    assert [r.status for r in records] == ["error", "error", records[2].status, "error"]
    assert records[2].status != "error" and records[2].value("total") == "288.66"
    assert [r.errors[0].code for r in records if r.status == "error"] == [
        "corrupt_file", "unreadable_file", "encrypted_pdf"]
    assert records[0].sha256 is not None and records[1].sha256 is None
    assert all(r.source.endswith(p.name) for r, p in zip(
        records, [bad_files["truncated"], missing, digital.path, bad_files["encrypted"]]))


def test_collect_inputs_walks_folders_for_invoice_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("a/2.pdf", "a/1.PNG", "a/notes.txt", ".hidden/3.pdf", "b.jpg"):
        (tmp_path / name).write_bytes(b"x")
    assert collect_inputs([tmp_path]) == [tmp_path / "a" / "1.PNG", tmp_path / "a" / "2.pdf", tmp_path / "b.jpg"]
    # A file named on its own is always read, whatever its name.
    assert collect_inputs([tmp_path / "a" / "notes.txt"]) == [tmp_path / "a" / "notes.txt"]


def test_an_untagged_footer_address_is_found_by_layout_and_flagged_unsure():
    document, tagged = tagged_lines([
        line("Maschinenbau Neumann KG", "VENDOR_NAME"),
        line("Rechnungsempfänger:"),
        line("Elektro Hoffmann e.K.", "CUSTOMER_NAME"),
        line("Gartenstraße 8"),
        line("92347 München"),
        line("Endbetrag:") + line("21.244,94 €", "TOTAL"),
        line("Lindenstraße 34"),
        line("79093 München"),
        line("Deutschland"),
        line("IBAN: DE80 8137 1434 7106 4821 70"),
    ])
    record = build_record(document, tagged)
    # The customer's address (right under the customer's name) is not taken.
    assert record.value("vendor_address") == "Lindenstraße 34, 79093 München, Deutschland"
    assert record.vendor_address.confidence < 0.5
    assert record.status == "needs_review"
    assert any(w.startswith("vendor_address: unsure") for w in record.warnings)


def test_a_receipt_without_currency_marks_takes_the_vendors_countrys():
    document, tagged = tagged_lines([
        line("KEDAI HONG KEE SDN BHD", "VENDOR_NAME"),
        line("NO. 2, JALAN MERDEKA 14", "VENDOR_ADDRESS"),
        continued("39508 JOHOR BAHRU", "VENDOR_ADDRESS"),
        line("Total") + line("21.90", "TOTAL"),
    ])
    record = build_record(document, tagged)
    assert record.value("currency") == "MYR"
    assert record.currency.confidence < record.total.confidence


def test_cents_split_off_by_ocr_are_put_back():
    document, tagged = tagged_lines([line("Total RM") + line("85.", "TOTAL") + line("54")])
    assert build_record(document, tagged).value("total") == "85.54"


def test_an_address_restarted_mid_way_is_one_address():
    _, tagged = tagged_lines([line("LOT 12", "VENDOR_ADDRESS"), line("JALAN SS2/24", "VENDOR_ADDRESS"),
                              line("47300 PETALING JAYA", "VENDOR_ADDRESS")])
    assert [e.text for e in entities(tagged)] == ["LOT 12, JALAN SS2/24, 47300 PETALING JAYA"]


def test_only_other_printed_money_explains_a_sum_that_does_not_add_up():
    # "Page 1 of 2" is no amount, and the tax itself cannot explain the difference.
    document, tagged = tagged_lines([
        line("Page 1 of 2"),
        line("Subtotal") + line("100.00", "SUBTOTAL"),
        line("VAT") + line("20.00", "TAX"),
        line("Total") + line("121.00", "TOTAL"),
    ])
    assert build_record(document, tagged).status == "needs_review"
    document, tagged = tagged_lines([
        line("Net") + line("120.00", "SUBTOTAL"),
        line("VAT") + line("20.00", "TAX"),
        line("Total") + line("120.00", "TOTAL"),
    ])
    assert build_record(document, tagged).status == "needs_review"


def test_a_lone_word_stand_in_never_takes_another_fields_word():
    document, tagged = tagged_lines([line("Date") + line("05/03/2025", "INVOICE_DATE"),
                                     line("Total") + line("10.00", "TOTAL")])
    # The date word is also the likeliest due date, but it is the invoice date's.
    date_word = tagged[1]
    probs = date_word.probabilities.copy()
    probs[TAGS.index("B-DUE_DATE")] = 0.3
    tagged[1] = TaggedWord(date_word.word, 1, date_word.tag, date_word.confidence, probs)
    assert build_record(document, tagged).due_date is None


def test_a_year_is_not_a_postcode_for_the_layout_address():
    document, tagged = tagged_lines([line("Acme GmbH", "VENDOR_NAME"), line("Invoice 2024 terms 30 days"),
                                     line("Total") + line("10.00", "TOTAL")])
    assert build_record(document, tagged).vendor_address is None


def test_an_untagged_date_stands_in_for_the_invoice_date_only_when_it_is_the_only_one():
    receipt = [line("KEDAI MAJU SDN BHD", "VENDOR_NAME"), line("Tarikh: 04/12/2020 10:31"),
               line("2 GULA 1KG 04/12/2020 7.20"), line("TOTAL") + line("7.20", "TOTAL")]
    record = build_record(*tagged_lines(receipt))
    assert record.value("invoice_date") == "2020-12-04"
    assert record.invoice_date.confidence < 0.5  # a guess: the record needs review
    assert any(w.startswith("invoice_date: unsure") for w in record.warnings)
    # Two different dates may be an order and a delivery date: no guess. A date on a line
    # with prices is an item's and does not count.
    two_dates = [*receipt[:2], line("Delivered 07/12/2020"), line("12/12/2020 GULA 7.20"), receipt[-1]]
    assert build_record(*tagged_lines(two_dates)).invoice_date is None
    one_date = [*receipt[:2], line("12/12/2020 GULA 7.20"), receipt[-1]]
    assert build_record(*tagged_lines(one_date)).value("invoice_date") == "2020-12-04"
    # A date the model tagged as another field is that field's.
    due_only = [receipt[0], line("Due:") + line("04/01/2021", "DUE_DATE"), receipt[-1]]
    record = build_record(*tagged_lines(due_only))
    assert record.invoice_date is None and record.value("due_date") == "2021-01-04"


def could_be_name(item: TaggedWord, word: Word | None = None) -> TaggedWord:
    """The word untagged, but with a fair chance (0.2) of being part of the vendor name."""
    probabilities = np.zeros(len(TAGS), dtype=np.float32)
    probabilities[TAGS.index("O")], probabilities[TAGS.index("I-VENDOR_NAME")] = 0.8, 0.2
    return TaggedWord(word or item.word, item.page, "O", 0.8, probabilities)


def test_a_vendor_name_tagged_in_part_takes_the_rest_of_its_line():
    total = line("Total") + line("10.00", "TOTAL")
    document, tagged = tagged_lines([line("LIM SENG") + line("THO HARDWARE TRADING", "VENDOR_NAME"), total])
    tagged[:2] = [could_be_name(item) for item in tagged[:2]]
    assert build_record(document, tagged).value("vendor_name") == "LIM SENG THO HARDWARE TRADING"
    # A word the model all but rules out (tagged_lines gives untagged words 0.005) stays out.
    record = build_record(*tagged_lines([line("THO HARDWARE", "VENDOR_NAME") + line("(CO."), total]))
    assert record.value("vendor_name") == "THO HARDWARE"
    # So do a registration number or a label, however likely.
    for printed in (line("THO HARDWARE", "VENDOR_NAME") + line("(126926-H)"),
                    line("Seller:") + line("THO HARDWARE", "VENDOR_NAME")):
        document, tagged = tagged_lines([printed, total])
        tagged = [could_be_name(item) if item.tag == "O" else item for item in tagged]
        assert build_record(document, tagged).value("vendor_name") == "THO HARDWARE"
    # And a heading in larger type or far off on the same line, or specks that OCR read as
    # a word, unsure of it.
    def changed(word: Word) -> dict[str, Word]:
        x0, y0, x1, y1 = word.box
        return {"heading": dataclasses.replace(word, box=(x0, y0 - 40, x1, y1)),
                "far off": dataclasses.replace(word, box=(x0 - 600, y0, x1 - 600, y1)),
                "speck": dataclasses.replace(word, confidence=0.13)}
    for how in ("heading", "far off", "speck"):
        document, tagged = tagged_lines([line("Factuur") + line("THO HARDWARE", "VENDOR_NAME"), total])
        tagged[0] = could_be_name(tagged[0], changed(tagged[0].word)[how])
        assert build_record(document, tagged).value("vendor_name") == "THO HARDWARE", how
    # Other lines are left alone.
    document, tagged = tagged_lines([line("WELCOME"), line("THO HARDWARE", "VENDOR_NAME"), total])
    tagged[0] = could_be_name(tagged[0])
    assert build_record(document, tagged).value("vendor_name") == "THO HARDWARE"


def test_an_address_ends_at_its_country_line():
    # A chain's receipts print the head office's address and then the shop ("IOI MALL").
    total = line("Total") + line("10.00", "TOTAL")
    address = [line("NO 8, JALAN 7/118B,", "VENDOR_ADDRESS"), continued("56000 KUALA LUMPUR, MALAYSIA", "VENDOR_ADDRESS"),
               continued("IOI MALL", "VENDOR_ADDRESS")]
    record = build_record(*tagged_lines([line("POPULAR BOOK CO.", "VENDOR_NAME"), *address, total]))
    assert record.value("vendor_address") == "NO 8, JALAN 7/118B, 56000 KUALA LUMPUR, MALAYSIA"
    # A state or town is not the end, and a country alone on its line is.
    address = [line("19, JALAN KANCIL,", "VENDOR_ADDRESS"), continued("55100 KUALA LUMPUR", "VENDOR_ADDRESS"),
               continued("MALAYSIA", "VENDOR_ADDRESS"), continued("TEL 03-2141", "VENDOR_ADDRESS")]
    record = build_record(*tagged_lines([line("KEDAI MAJU", "VENDOR_NAME"), *address, total]))
    assert record.value("vendor_address") == "19, JALAN KANCIL, 55100 KUALA LUMPUR, MALAYSIA"
    # A street named after a country is not a country line.
    address = [line("12 Avenue de France", "VENDOR_ADDRESS"), continued("75013 Paris", "VENDOR_ADDRESS")]
    record = build_record(*tagged_lines([line("Atelier Rousseau SARL", "VENDOR_NAME"), *address, total]))
    assert record.value("vendor_address") == "12 Avenue de France, 75013 Paris"
    # Nor is a phone number printed under the address part of it; a postcode line is.
    address = [line("NO.22 JALAN PUTERI 2/4,", "VENDOR_ADDRESS"), continued("47100 PUCHONG, SELANGOR", "VENDOR_ADDRESS"),
               continued("03-8051 5750", "VENDOR_ADDRESS")]
    record = build_record(*tagged_lines([line("KEDAI MAJU", "VENDOR_NAME"), *address, total]))
    assert record.value("vendor_address") == "NO.22 JALAN PUTERI 2/4, 47100 PUCHONG, SELANGOR"
    address = [line("Hauptallee 84", "VENDOR_ADDRESS"), continued("01589", "VENDOR_ADDRESS")]
    record = build_record(*tagged_lines([line("Neumann KG", "VENDOR_NAME"), *address, total]))
    assert record.value("vendor_address") == "Hauptallee 84, 01589"


def test_a_page_with_a_rounding_line_gives_the_total_rounded_to_5_cents():
    lines = [line("KEDAI MAJU SDN BHD", "VENDOR_NAME"), line("TOTAL") + line("10.44", "TOTAL"),
             line("ROUNDING ADJ 0.01"), line("TOTAL INCLUSIVE GST: 10.45"), line("CASH 20.00")]
    record = build_record(*tagged_lines(lines))
    assert record.value("total") == "10.45"
    assert record.total.text == "10.45"  # the evidence is the printed rounded total
    # Without a rounding line, or when the rounded amount is not printed, the total is as tagged.
    assert build_record(*tagged_lines([lines[0], lines[1], lines[3]])).value("total") == "10.44"
    assert build_record(*tagged_lines([*lines[:3], lines[4]])).value("total") == "10.44"


def test_a_document_heading_above_the_vendor_name_is_not_part_of_it():
    total = line("Total") + line("10.00", "TOTAL")
    for heading in ("CASH SALE", "Tax Invoice", "POSTED", "Rechnung"):
        name = [line(heading, "VENDOR_NAME"), continued("KT WONG TRADING", "VENDOR_NAME")]
        assert build_record(*tagged_lines([*name, total])).value("vendor_name") == "KT WONG TRADING", heading
    # A name printed over two lines keeps both; so does a name that is all heading words.
    name = [line("POPULAR BOOK", "VENDOR_NAME"), continued("CO. (M) SDN BHD", "VENDOR_NAME")]
    assert build_record(*tagged_lines([*name, total])).value("vendor_name") == "POPULAR BOOK CO. (M) SDN BHD"
    assert build_record(*tagged_lines([line("RECEIPT", "VENDOR_NAME"), total])).value("vendor_name") == "RECEIPT"
    # Specks read as a word on the line above go too: no letters, or OCR unsure of them.
    for specks in (".", "fo"):
        document, tagged = tagged_lines([line(specks, "VENDOR_NAME"), continued("YONG SOON FATT S/B", "VENDOR_NAME"),
                                         total])
        if specks == "fo":
            tagged[0] = TaggedWord(dataclasses.replace(tagged[0].word, confidence=0.0), 1, tagged[0].tag,
                                   tagged[0].confidence, tagged[0].probabilities)
        assert build_record(document, tagged).value("vendor_name") == "YONG SOON FATT S/B", specks


def test_a_whole_number_total_on_a_page_of_prices_with_cents_gives_way_to_an_amount_with_cents():
    # OCR lost the point of "51.32" or the model took a quantity: the amount with cents the
    # model finds likeliest to be the total stands in, flagged unsure.
    lines = [line("KEDAI MAJU", "VENDOR_NAME"), line("2 GULA 3.20"), line("TOTAL") + line("5132", "TOTAL"),
             line("TOTAL RM 5.90"), line("CASH 10.00")]
    document, tagged = tagged_lines(lines)
    probabilities = np.full(len(TAGS), 0.01, dtype=np.float32)
    probabilities[TAGS.index("O")], probabilities[TAGS.index("B-TOTAL")] = 0.7, 0.12
    at = next(i for i, item in enumerate(tagged) if item.word.text == "5.90")
    tagged[at] = TaggedWord(tagged[at].word, 1, "O", 0.7, probabilities)
    record = build_record(document, tagged)
    assert record.value("total") == "5.90"
    assert record.total.confidence < 0.5
    # Where prices have no cents (yen, forint), a whole number is a total like any other.
    document, tagged = tagged_lines([lines[0], line("2 GULA 320"), line("TOTAL") + line("5132", "TOTAL")])
    assert build_record(document, tagged).value("total") == "5132"
