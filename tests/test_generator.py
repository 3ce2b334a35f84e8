"""The synthetic invoice generator: every layout renders, and the labels it implies are right.

Labels are checked the way training uses them: the PDF is read back with ``load_document``
and its words are tagged with ``label_words``; the tagged words of each field must spell
what was printed for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from invoice_extract import LoadOptions, load_document
from invoice_extract.training.generator import (
    DEV_LAYOUTS,
    FIELDS,
    LAYOUTS,
    LOCALES,
    TRAIN_LAYOUTS,
    GeneratedInvoice,
    generate,
    label_words,
    make_scan,
)

TEXT_LAYER = LoadOptions(ocr="never")


def squash(text: str) -> str:
    """Text without spaces, punctuation or symbols, case-folded: how labelled words are compared."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def labelled_text(inv: GeneratedInvoice, options: LoadOptions = TEXT_LAYER,
                  **label_options: object) -> dict[str, list[str]]:
    """Field -> the words that ``label_words`` tags with it, in reading order, over all pages."""
    document = load_document(inv.pdf, options)
    found: dict[str, list[str]] = {}
    for page in document.pages:
        for word, field in zip(page.words, label_words(page, inv.drawn, **label_options)):
            if field:
                found.setdefault(field, []).append(word.text)
    return found


def assert_labels_match_truth(inv: GeneratedInvoice) -> None:
    found = labelled_text(inv)
    for field in FIELDS:
        truth = inv.truth[field.lower()]
        if truth is None:
            assert field not in found, f"{inv.layout}/{inv.locale}: {field} labelled but absent"
            continue
        assert squash(" ".join(found.get(field, []))) == squash(inv.printed[field]), (
            f"{inv.layout}/{inv.locale}: {field} printed {inv.printed[field]!r}, labelled {found.get(field)}")


# Two locales per layout, rotating through all of them, so every locale is covered too.
CASES = [(layout, LOCALES[(2 * i + k) % len(LOCALES)]) for i, layout in enumerate(LAYOUTS) for k in (0, 1)]


@pytest.mark.parametrize(("layout", "locale"), CASES)
def test_every_layout_renders_and_labels_reproduce_the_truth(tmp_path: Path, layout: str, locale: str) -> None:
    inv = generate(11, tmp_path / "inv.pdf", layout=layout, locale=locale)
    assert inv.pdf.stat().st_size > 1000 and inv.pages >= 1
    assert_labels_match_truth(inv)


def test_truth_is_normalised(tmp_path: Path) -> None:
    for seed, layout in enumerate(("classic_left", "colour_band", "receipt_gst")):
        truth = generate(seed, tmp_path / f"{seed}.pdf", layout=layout, locale="de_DE").truth
        assert truth["invoice_date"] and len(truth["invoice_date"]) == 10 and truth["invoice_date"][4] == "-"
        assert truth["currency"] == "EUR"
        for key in ("subtotal", "tax", "total"):
            assert "," not in truth[key] and truth[key].count(".") == 1  # type: ignore[union-attr]


def test_long_invoices_run_onto_a_second_page(tmp_path: Path) -> None:
    inv = generate(3, tmp_path / "long.pdf", layout="long_statement", locale="nl_NL")
    assert inv.pages >= 2
    assert {d.page for d in inv.drawn if d.field == "TOTAL"} == {inv.pages}
    assert_labels_match_truth(inv)


def test_malaysian_receipt_has_no_customer_or_due_date(tmp_path: Path) -> None:
    inv = generate(5, tmp_path / "receipt.pdf", layout="receipt_sst", locale="ms_MY")
    assert inv.truth["customer_name"] is None and inv.truth["due_date"] is None
    assert inv.truth["currency"] == "MYR"
    fields = {d.field for d in inv.drawn}
    assert "CUSTOMER_NAME" not in fields and "DUE_DATE" not in fields
    texts = " ".join(d.text for d in inv.drawn)
    assert "SDN BHD" in texts and "ROUNDING" in texts.upper() and "CASH" in texts.upper()


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = generate(42, tmp_path / "a.pdf")
    second = generate(42, tmp_path / "b.pdf")
    assert (first.layout, first.locale) == (second.layout, second.locale)
    assert first.pdf.read_bytes() == second.pdf.read_bytes()
    assert first.layout in TRAIN_LAYOUTS
    assert generate(43, tmp_path / "c.pdf", layout=first.layout).pdf.read_bytes() != first.pdf.read_bytes()


def test_distractors_are_drawn_but_not_labelled(tmp_path: Path) -> None:
    """Ship-to name, order date and shipping cost appear on the page with no field."""
    seen = {"ship_to": False, "order_date": False, "shipping": False}
    for seed in range(40):
        inv = generate(seed, tmp_path / f"{seed}.pdf", layout="classic_left", locale="en_GB")
        unlabelled = [d.text for d in inv.drawn if d.field is None]
        labelled = [d.text for d in inv.drawn if d.field]
        for label_word, key in (("Ship To", "ship_to"), ("Deliver To", "ship_to"), ("Delivery Address", "ship_to"),
                                ("Order Date", "order_date"), ("Shipping", "shipping"), ("Freight", "shipping")):
            if any(text.upper().startswith(label_word.upper()) for text in unlabelled):
                seen[key] = True
        if any(t.upper().startswith(("SHIP TO", "DELIVER TO", "DELIVERY ADDRESS")) for t in unlabelled):
            # The ship-to company follows its heading: drawn, never the customer name.
            assert inv.printed["CUSTOMER_NAME"] not in unlabelled
            assert len([t for t in labelled if t == inv.printed["CUSTOMER_NAME"]]) == 1
        if all(seen.values()):
            break
    assert all(seen.values()), seen


def test_layout_splits_cover_everything_and_do_not_overlap() -> None:
    assert len(LAYOUTS) >= 20 and len(DEV_LAYOUTS) == 4
    assert not set(DEV_LAYOUTS) & set(TRAIN_LAYOUTS)
    assert set(DEV_LAYOUTS) | set(TRAIN_LAYOUTS) == set(LAYOUTS)
    assert any(name.startswith("receipt") for name in DEV_LAYOUTS)
    assert sum(name.startswith("receipt") for name in TRAIN_LAYOUTS) >= 2
    assert {"en_US", "en_GB", "de_DE", "fr_FR", "nl_NL", "es_ES", "it_IT", "ms_MY"} <= set(LOCALES)


def test_scan_words_are_labelled_through_tilt_and_deskew(tmp_path: Path) -> None:
    inv = generate(2, tmp_path / "digital.pdf", layout="classic_left", locale="en_US")
    assert inv.pages == 1
    scan, sizes, tilt = make_scan(inv, seed=7, path=tmp_path / "scan.pdf")
    found = labelled_text(inv, LoadOptions(ocr="always"), source_size_px=sizes[0], tilt=tilt)
    for field in ("TOTAL", "INVOICE_NUMBER"):
        assert squash(" ".join(found.get(field, []))) == squash(inv.printed[field]), (field, found, tilt)
