"""Hostile amounts and text in the record stage and the exports (issue 12, items 7 and 11).

A stranger's invoice can print a total of 5000 digits and an invoice number that is a
formula. The record stage must not take such a number for an amount, nor raise on it; an
export must leave out a bill it cannot write (naming the file) and write the others; no
text cell of an import file may start like a formula. Records are built by hand (the
helpers of test_exporters and test_record), pages by reportlab, as in the other tests.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from test_exporters import COMPLETE, DATEV, FORMULA_STARTS, QUICKBOOKS, UNICODE, XERO, by_column, csv_rows, export, make
from test_record import line, tagged_lines

from invoice_extract import extract
from invoice_extract.normalise import parse_amount
from invoice_extract.postprocess import build_record
from invoice_extract.training.synthetic import InvoiceSpec, render_invoice_pdf

HUGE = "9" * 5000 + ".00"  # the 5000-digit total
EIGHTEEN = "123456789012345678.00"  # the most an e-invoice may state (einvoice._MAX_DIGITS)


def build_pdf_with_a_5000_digit_total(folder: Path) -> Path:
    """An invoice whose total line prints 5000 digits and whose number is a formula."""
    path = folder / "total-5000-digits.pdf"
    render_invoice_pdf(InvoiceSpec(total=HUGE, invoice_number="-A1-A1"), path)
    return path


def build_pdf_with_a_20_digit_total(folder: Path) -> Path:
    """As above with 20 digits, few enough that the tagger takes them for the total."""
    path = folder / "total-20-digits.pdf"
    render_invoice_pdf(InvoiceSpec(total="9" * 20 + ".00", invoice_number="-A1-A1"), path)
    return path


HOSTILE_CASES = [build_pdf_with_a_5000_digit_total, build_pdf_with_a_20_digit_total]


def datev_rows(data: bytes) -> list[list[str]]:
    """The bookings of a DATEV file (after its header and column lines), cells unquoted."""
    return list(csv.reader(io.StringIO(data.decode("cp1252"), newline=""), delimiter=";"))[2:]


def whole_digits(value: str) -> int:
    return len(value.lstrip("-").split(".")[0])


# --- the record stage ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["9" * 16, f"Total: {HUGE}", f"EUR {HUGE}", "1,234,567,890,123,456.00",
                                  "1.234.567.890.123.456,00", "(99999999999999999999.99)"])
def test_a_number_of_more_than_15_whole_digits_is_no_amount(text):
    assert parse_amount(text) is None


def test_15_whole_digits_are_an_amount_and_a_longer_number_after_one_is_passed_over():
    assert parse_amount("999,999,999,999,999.99").value == Decimal("999999999999999.99")
    assert parse_amount("Total 12.50 EUR 12345678901234567890.00").value == Decimal("12.50")


def test_a_5000_digit_total_on_a_page_with_a_rounding_line_is_no_total_and_raises_nothing():
    # Rounding to 5 cents quantized the 5000 digits: InvalidOperation, and no record at all.
    lines = [line("KEDAI MAJU SDN BHD", "VENDOR_NAME"), line("TOTAL") + line(HUGE, "TOTAL"),
             line("ROUNDING ADJ 0.01"), line("CASH 20.00")]
    record = build_record(*tagged_lines(lines))
    assert record.total is None and "total: not found" in record.warnings


def test_a_tagged_total_of_20_digits_gives_way_to_the_amount_beside_it():
    lines = [line("Acme Trading Ltd", "VENDOR_NAME"), line("Total") + line("45.00 99999999999999999999.00", "TOTAL")]
    assert build_record(*tagged_lines(lines)).value("total") == "45.00"


@pytest.mark.parametrize("build", HOSTILE_CASES)
def test_a_pdf_with_a_huge_total_is_read_and_exported_without_it(build, tmp_path):
    record = extract(build(tmp_path))
    assert record.status != "error"
    assert record.total is None or whole_digits(record.value("total")) <= 15
    data, summary = export([record, UNICODE], "csv", DATEV)
    assert "in/mueller.pdf" not in " ".join(summary.notes)  # the other invoice is booked
    assert all(not cell.startswith(FORMULA_STARTS) for row in datev_rows(data) for cell in row)


# --- DATEV -----------------------------------------------------------------------------------


def test_datev_writes_the_other_bills_when_one_total_has_5000_digits():
    absurd = make("in/absurd.pdf", vendor_name="Evil Payee Ltd", invoice_number="666", invoice_date="2024-05-03",
                  currency="EUR", total=HUGE)
    data, summary = export([absurd, UNICODE], "csv", DATEV)
    assert [row[10] for row in datev_rows(data)] == ["RE2024/17"]
    assert (summary.written, summary.skipped) == (1, 1)
    note = next(note for note in summary.notes if note.startswith("in/absurd.pdf"))
    assert "5000 digits" in note and "9999999999.99" in note and len(note) < 200  # not the digits themselves


@pytest.mark.parametrize(("total", "written"), [
    ("9999999999.99", "9999999999,99"), ("-9999999999.99", "9999999999,99"),  # DATEV's Umsatz: 10 digits
    ("10000000000.00", None), ("9999999999.995", None),  # 11 digits, or 11 once rounded to cents
    ("999999999999999.99", None), (EIGHTEEN, None),
])
def test_datev_leaves_out_a_total_past_its_umsatz_field(total, written):
    bill = make("in/big.pdf", invoice_number="1", invoice_date="2024-05-03", currency="EUR", total=total)
    data, summary = export([bill], "csv", DATEV)
    assert [row[0] for row in datev_rows(data)] == ([written] if written else [])
    assert summary.skipped == (0 if written else 1)


@pytest.mark.parametrize(("number", "belegfeld"), [
    ("-A1-A1", "A1-A1"), ("=2+3", "23"), ("+-1", "1"), ("@-5", "5"), ("\t-x", "x"), ("--", ""),
    ("-" * 40 + "RE-7", "RE-7"), ("RE-7-", "RE-7-"), ("x" * 40, "x" * 36), ("R/1_$%", "R/1_$%"),
])
def test_datev_belegfeld_1_cannot_start_a_formula_and_keeps_datevs_rules(number, belegfeld):
    bill = make("in/f.pdf", vendor_name="-A1-A1", invoice_number=number, invoice_date="2024-05-03", total="1.00")
    row = datev_rows(export([bill], "csv", DATEV)[0])[0]
    assert row[10] == belegfeld
    assert row[13] == "'-A1-A1"  # Buchungstext takes neutralise's quote
    assert all(not cell.startswith(FORMULA_STARTS) for cell in row)


# --- Xero, QuickBooks, the workbook ----------------------------------------------------------


@pytest.mark.parametrize(("options", "number"), [(XERO, "*InvoiceNumber"), (QUICKBOOKS, "*BillNo")])
def test_xero_and_quickbooks_leave_out_a_total_that_is_no_amount(options, number):
    # An e-invoice may state 18 digits; one row the importer refuses makes it refuse the file.
    for total in (EIGHTEEN, HUGE):
        big = make("in/big.xml", vendor_name="Big", invoice_number="B-1", invoice_date="2024-05-03", total=total)
        data, summary = export([big, COMPLETE], "csv", options)
        assert [row[number] for row in by_column(csv_rows(data))] == ["INV-1001"]
        assert any(note.startswith("in/big.xml: left out") for note in summary.notes)


def test_xlsx_writes_a_total_that_is_no_amount_as_its_digits():
    # A float rounds 18 digits and turns 5000 into "inf": the record's digits are kept as text.
    records = [make("in/big.xml", total=EIGHTEEN), make("in/huge.pdf", total=HUGE), COMPLETE]
    sheet = openpyxl.load_workbook(io.BytesIO(export(records, "xlsx")[0])).active
    column = [cell.value for cell in sheet["L"]]  # L: total
    assert column == ["total", EIGHTEEN, HUGE, 120.0]


def test_an_e_invoice_credit_note_keeps_every_digit_it_states():
    # abs() and a minus round to Decimal's 28 digits; an e-invoice may state 20 decimals.
    credit = make("in/credit.xml", vendor_name="Acme", invoice_number="CN-1", invoice_date="2024-05-03",
                  total="1234567890.12345678901234567890").model_copy(update={"document_type": "credit_note"})
    assert by_column(csv_rows(export([credit], "csv", XERO)[0]))[0]["*UnitAmount"] == "-1234567890.12345678901234567890"
