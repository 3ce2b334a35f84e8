"""Exporters: the contract's JSON, the generic CSV and workbook, and the Xero, QuickBooks and DATEV imports.

Records are built by hand. Every header list below is typed from the vendor's template or
format description (not imported from the code), so a change to a layout has to be made
twice, on purpose.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from invoice_extract import errors
from invoice_extract.cli import _exit_code
from invoice_extract.errors import InvoiceExtractError
from invoice_extract.exporters import (
    DatevOptions,
    ExportError,
    ExportOptions,
    format_for,
    neutralise,
    write_records,
)
from invoice_extract.record import ExtractedField, InvoiceRecord

GENERIC_HEADER = [
    "source", "status", "vendor_name", "vendor_address", "customer_name", "invoice_number",
    "invoice_date", "due_date", "currency", "subtotal", "tax", "total", "document_type", "min_confidence",
    "warnings", "errors",
]
# Xero "Import bills" template, https://central.xero.com/s/article/Import-bills
XERO_HEADER = [
    "*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "*InvoiceDate", "*DueDate", "Total",
    "InventoryItemCode", "Description", "*Quantity", "*UnitAmount", "*AccountCode", "*TaxType", "TaxAmount",
    "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency",
]
# QuickBooks Online "Import bills" sample file.
QUICKBOOKS_HEADER = [
    "*BillNo", "*Supplier", "*BillDate", "*DueDate", "Terms", "Location", "Memo", "*Account",
    "LineDescription", "*LineAmount", "LineTaxCode", "LineTaxAmount", "Currency",
]
# DATEV-Format 700, Buchungsstapel, columns 1-14.
DATEV_HEADER = [
    "Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs", "Basis-Umsatz",
    "WKZ Basis-Umsatz", "Konto", "Gegenkonto (ohne BU-Schlüssel)", "BU-Schlüssel", "Belegdatum",
    "Belegfeld 1", "Belegfeld 2", "Skonto", "Buchungstext",
]

EVIL_VENDOR = '=HYPERLINK("http://evil.example","click")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def make(source: str, status: str = "ok", warnings: tuple[str, ...] = (), **values: str) -> InvoiceRecord:
    fields = {name: ExtractedField(value=value, confidence=0.9) for name, value in values.items()}
    return InvoiceRecord(source=source, status=status, warnings=list(warnings), **fields)


COMPLETE = make(
    "in/complete.pdf", vendor_name="Acme Supplies Ltd", vendor_address="1 High Street, Leeds, LS1 1AA",
    customer_name="Widget Co", invoice_number="INV-1001", invoice_date="2024-03-15", due_date="2024-04-14",
    currency="GBP", subtotal="100.00", tax="20.00", total="120.00",
).model_copy(update={"tax": ExtractedField(value="20.00", confidence=0.62)})
PARTIAL = make(
    "in/partial.jpg", status="needs_review", warnings=("total unsure", "no invoice number"),
    vendor_name="Corner Shop", invoice_date="2024-03-20", total="7.5",
)
BROKEN = InvoiceRecord.failed("in/broken.pdf", "corrupt_file", "the PDF is damaged")
UNICODE = make(
    "in/mueller.pdf", vendor_name="Müller & Söhne GmbH", vendor_address="Hauptstraße 5, 80331 München",
    invoice_number="RE 2024/17", invoice_date="2024-05-02", due_date="2024-06-01", currency="EUR",
    subtotal="1000.00", tax="190.00", total="1190.00",
)
CREDIT = make(
    "in/credit.pdf", vendor_name="Acme Supplies Ltd", invoice_number="CN-7", invoice_date="2024-03-31",
    currency="GBP", total="-12.50",
)
FIVE_PARTS = make(
    "in/five.pdf", vendor_name="Globex", vendor_address="Unit 4, Harbour Estate, 12 Dock Road, Bristol, BS1 6AB",
    invoice_number="G-55", invoice_date="2024-01-09", due_date="2024-02-08", currency="EUR", total="300.00",
)
EVIL = make(
    "in/evil.pdf", vendor_name=EVIL_VENDOR, vendor_address="-2+3, @cmd", customer_name="\tTab",
    invoice_number="+SUM(1,2)", invoice_date="2024-02-01", due_date="2024-03-01", currency="EUR", total="-12.50",
)
RECORDS = [COMPLETE, PARTIAL, BROKEN, UNICODE, CREDIT, FIVE_PARTS]

XERO = ExportOptions(preset="xero", account_code="400", tax_type="20% (VAT on Expenses)")
QUICKBOOKS = ExportOptions(preset="quickbooks", account_code="Office Supplies", tax_type="20.0% S")
DATEV = ExportOptions(
    preset="datev", account_code="4930", tax_type="9",
    datev=DatevOptions(consultant=29098, client=55003, creditor="70000"),
)


def export(records, fmt: str, options: ExportOptions | None = None):
    out = io.BytesIO()
    summary = write_records(records, out, fmt, options)
    return out.getvalue(), summary


def csv_rows(data: bytes, delimiter: str = ",", encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter))


def by_column(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- JSON ------------------------------------------------------------------------------------


def test_json_is_exactly_the_list_of_contract_dicts(tmp_path):
    path = tmp_path / "out.json"
    summary = write_records(RECORDS, path, "json")
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == [record.to_json_dict() for record in RECORDS]
    assert "Müller & Söhne GmbH" in text  # ensure_ascii=False
    assert text.startswith('[\n  {\n    "source": "in/complete.pdf"')  # indent 2
    assert summary.written == len(RECORDS) and summary.skipped == 0


def test_jsonl_is_one_contract_dict_per_line():
    data, _ = export(RECORDS, "jsonl")
    lines = data.decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [record.to_json_dict() for record in RECORDS]


def test_standard_output_gets_the_bytes(capsysbinary):
    write_records([UNICODE], None, "jsonl")
    assert json.loads(capsysbinary.readouterr().out) == UNICODE.to_json_dict()


# --- generic CSV and XLSX --------------------------------------------------------------------


def test_generic_csv_has_the_documented_columns_and_values():
    data, summary = export(RECORDS, "csv")
    assert not data.startswith(codecs.BOM_UTF8)
    rows = csv_rows(data)
    assert rows[0] == GENERIC_HEADER
    complete, partial, broken, unicode, credit, _ = by_column(rows)
    assert list(complete.values()) == [
        "in/complete.pdf", "ok", "Acme Supplies Ltd", "1 High Street, Leeds, LS1 1AA", "Widget Co", "INV-1001",
        "2024-03-15", "2024-04-14", "GBP", "100.00", "20.00", "120.00", "", "0.62", "", "",
    ]
    assert partial["status"] == "needs_review"
    assert partial["invoice_number"] == partial["due_date"] == partial["subtotal"] == ""
    assert partial["total"] == "7.5"
    assert partial["warnings"] == "total unsure | no invoice number"
    assert broken["status"] == "error"
    assert broken["errors"] == "corrupt_file: the PDF is damaged"
    assert broken["vendor_name"] == broken["min_confidence"] == ""
    assert unicode["vendor_name"] == "Müller & Söhne GmbH"
    assert credit["total"] == "-12.50"
    assert summary.written == len(RECORDS)


def test_excel_csv_has_a_bom_semicolons_and_decimal_commas():
    data, _ = export(RECORDS, "csv", ExportOptions(excel=True))
    assert data.startswith(codecs.BOM_UTF8)
    rows = csv_rows(data, ";", "utf-8-sig")
    assert rows[0] == GENERIC_HEADER
    rows = by_column(rows)
    assert rows[0]["total"] == "120,00" and rows[0]["min_confidence"] == "0,62"
    assert rows[0]["invoice_date"] == "2024-03-15"
    assert rows[3]["vendor_name"] == "Müller & Söhne GmbH"
    assert rows[4]["total"] == "-12,50"


def test_excel_csv_for_dot_decimal_locales_keeps_commas_and_points():
    data, _ = export([CREDIT], "csv", ExportOptions(excel=True, delimiter=","))
    assert data.startswith(codecs.BOM_UTF8)
    assert by_column(csv_rows(data, ",", "utf-8-sig"))[0]["total"] == "-12.50"


def test_xlsx_has_date_cells_number_cells_and_a_frozen_header(tmp_path):
    path = tmp_path / "out.xlsx"
    write_records(RECORDS, path, "xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert [cell.value for cell in sheet[1]] == GENERIC_HEADER
    assert sheet.freeze_panes == "A2"
    column = {name: index for index, name in enumerate(GENERIC_HEADER)}
    complete, partial, broken, unicode, credit, _ = [list(row) for row in sheet.iter_rows(min_row=2)]

    invoice_date = complete[column["invoice_date"]]
    assert invoice_date.is_date and invoice_date.value.date() == date(2024, 3, 15)
    assert invoice_date.number_format.lower() == "yyyy-mm-dd"
    total = complete[column["total"]]
    assert (total.data_type, total.value, total.number_format) == ("n", 120.0, "0.00")
    assert complete[column["min_confidence"]].value == 0.62
    assert (complete[column["vendor_name"]].data_type, complete[column["vendor_name"]].value) == ("s", "Acme Supplies Ltd")
    assert credit[column["total"]].data_type == "n" and credit[column["total"]].value == -12.5
    assert partial[column["due_date"]].value is None and partial[column["total"]].value == 7.5
    assert broken[column["status"]].value == "error"
    assert broken[column["errors"]].value == "corrupt_file: the PDF is damaged"
    assert unicode[column["vendor_name"]].value == "Müller & Söhne GmbH"
    assert sheet.column_dimensions["A"].width >= len("in/complete.pdf")


# --- Xero ------------------------------------------------------------------------------------


def test_xero_bills_template():
    data, summary = export(RECORDS, "csv", XERO)
    rows = csv_rows(data)
    assert rows[0] == XERO_HEADER
    complete, unicode, credit, five = by_column(rows)
    assert complete["*ContactName"] == "Acme Supplies Ltd"
    assert [complete[f"POAddressLine{n}"] for n in range(1, 5)] == ["1 High Street", "Leeds", "LS1 1AA", ""]
    assert complete["*InvoiceNumber"] == "INV-1001"
    assert (complete["*InvoiceDate"], complete["*DueDate"]) == ("15/03/2024", "14/04/2024")
    assert complete["Description"] == "Invoice INV-1001 from Acme Supplies Ltd"
    assert (complete["*Quantity"], complete["*UnitAmount"]) == ("1", "120.00")
    assert (complete["*AccountCode"], complete["*TaxType"]) == ("400", "20% (VAT on Expenses)")
    assert complete["Currency"] == "GBP"
    assert complete["Total"] == complete["TaxAmount"] == ""  # Xero calculates them
    assert unicode["*ContactName"] == "Müller & Söhne GmbH"
    assert credit["*UnitAmount"] == "-12.50"
    assert credit["*DueDate"] == credit["*InvoiceDate"] == "31/03/2024"  # no due date: due when issued
    assert [five[f"POAddressLine{n}"] for n in range(1, 5)] == [
        "Unit 4", "Harbour Estate", "12 Dock Road", "Bristol, BS1 6AB",
    ]
    # PARTIAL has no invoice number, BROKEN could not be read: both left out and counted.
    assert (summary.written, summary.skipped) == (4, 2)
    assert any("in/partial.jpg" in note and "invoice number" in note for note in summary.notes)
    assert any("in/broken.pdf" in note and "corrupt_file" in note for note in summary.notes)
    assert any("in/credit.pdf" in note and "due date" in note for note in summary.notes)


def test_xero_dates_follow_the_organisations_date_order():
    data, _ = export([COMPLETE], "csv", ExportOptions(preset="xero", date_order="mdy"))
    row = by_column(csv_rows(data))[0]
    assert (row["*InvoiceDate"], row["*DueDate"]) == ("03/15/2024", "04/14/2024")


def test_presets_say_when_account_and_tax_codes_are_missing():
    _, summary = export([COMPLETE], "csv", ExportOptions(preset="xero"))
    assert any("--account-code" in note for note in summary.notes)
    assert any("--tax-type" in note for note in summary.notes)
    _, summary = export([COMPLETE], "csv", XERO)
    assert not any("--account-code" in note or "--tax-type" in note for note in summary.notes)


@pytest.mark.parametrize("options", [XERO, QUICKBOOKS, DATEV], ids=["xero", "quickbooks", "datev"])
def test_presets_count_the_bills_that_need_review(options):
    unsure = PARTIAL.model_copy(update={"invoice_number": ExtractedField(value="P-1", confidence=0.4)})
    _, summary = export([unsure, COMPLETE], "csv", options)
    assert summary.written == 2
    assert any(note.startswith("bills that need review (see their warnings): 1;") for note in summary.notes)


# --- QuickBooks Online -----------------------------------------------------------------------


def test_quickbooks_bills_sample_layout():
    data, summary = export(RECORDS, "csv", QUICKBOOKS)
    rows = csv_rows(data)
    assert rows[0] == QUICKBOOKS_HEADER
    complete, unicode, credit, _ = by_column(rows)
    assert (complete["*BillNo"], complete["*Supplier"]) == ("INV-1001", "Acme Supplies Ltd")
    assert (complete["*BillDate"], complete["*DueDate"]) == ("03/15/2024", "04/14/2024")
    assert (complete["*Account"], complete["LineTaxCode"]) == ("Office Supplies", "20.0% S")
    assert complete["*LineAmount"] == "120.00"
    assert complete["LineDescription"] == "Invoice INV-1001 from Acme Supplies Ltd"
    assert complete["Memo"] == "Read from complete.pdf"
    assert complete["Currency"] == "GBP"
    assert unicode["*Supplier"] == "Müller & Söhne GmbH"
    assert credit["*LineAmount"] == "-12.50"
    assert (summary.written, summary.skipped) == (4, 2)


# --- DATEV -----------------------------------------------------------------------------------


def test_datev_buchungsstapel():
    data, summary = export(RECORDS, "csv", DATEV)
    lines = data.split(b"\r\n")
    assert lines[-1] == b""  # every line ends in CRLF
    header = lines[0].decode("cp1252").split(";")
    assert len(header) == 31
    assert header[:5] == ['"EXTF"', "700", "21", '"Buchungsstapel"', "13"]
    assert re.fullmatch(r"20\d{15}", header[5])  # Erzeugt am: YYYYMMDDHHMMSSmmm
    assert header[10:16] == ["29098", "55003", "20240101", "4", "20240109", "20240502"]
    assert header[21] == '"EUR"'
    assert lines[1] == ";".join(DATEV_HEADER).encode("cp1252")

    bookings = {line.decode("cp1252").split(";")[10]: line.decode("cp1252").split(";") for line in lines[2:-1]}
    assert bookings['"INV-1001"'] == [
        "120,00", '"H"', '"GBP"', "", "", '""', "70000", "4930", '"9"', "1503", '"INV-1001"', '""', "",
        '"Acme Supplies Ltd"',
    ]
    assert bookings['"CN-7"'][:2] == ["12,50", '"S"']  # a credit note is debited to the creditor
    assert bookings['""'][:2] == ["7,50", '"H"']  # PARTIAL: no number, still a booking
    assert bookings['"RE2024/17"'][9] == "0205"  # Belegfeld 1 keeps only DATEV's characters
    assert b'"M\xfcller & S\xf6hne GmbH"' in data  # Windows-1252
    assert (summary.written, summary.skipped) == (5, 1)
    assert any("in/complete.pdf" in note and "Kurs" in note for note in summary.notes)


def test_datev_replaces_what_windows_1252_lacks_and_shortens_the_text():
    record = make("in/tokyo.pdf", vendor_name="東京商事 " + "x" * 80, invoice_date="2024-01-05", total="10")
    data, _ = export([record], "csv", DATEV)
    booking = data.split(b"\r\n")[2].split(b";")
    assert booking[0] == b"10,00"
    assert booking[13] == b'"' + b"???? " + b"x" * 55 + b'"'


def test_datev_batch_holds_one_fiscal_year():
    march, august = (make(f"{n}.pdf", invoice_date=d, total="1.00") for n, d in [(1, "2024-03-01"), (2, "2023-08-01")])
    with pytest.raises(ExportError, match="fiscal years"):
        export([march, august], "csv", DATEV)
    july_start = ExportOptions(preset="datev", datev=DatevOptions(fiscal_year_start=7))
    header = export([march, august], "csv", july_start)[0].split(b"\r\n")[0].split(b";")
    assert header[12:16] == [b"20230701", b"4", b"20230801", b"20240301"]


def test_datev_leaves_out_zero_totals_and_refuses_non_numeric_accounts():
    _, summary = export([make("zero.pdf", invoice_date="2024-01-05", total="0.00")], "csv", DATEV)
    assert (summary.written, summary.skipped) == (0, 1)
    with pytest.raises(ExportError, match="account number"):
        export([COMPLETE], "csv", ExportOptions(preset="datev", account_code="Office"))
    with pytest.raises(ExportError, match="BU-Schlüssel"):
        export([COMPLETE], "csv", ExportOptions(preset="datev", tax_type="VAT"))
    with pytest.raises(ExportError, match="consultant"):
        DatevOptions(consultant=12)


# --- spreadsheet injection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"), ("\rx", "'\rx"), ("\x00=1", "'=1"), ("a\x00b", "ab"), ("Acme", "Acme"), ("", ""),
    ],
)
def test_neutralise(text, safe):
    assert neutralise(text) == safe


@pytest.mark.parametrize(
    ("options", "vendor", "number", "total", "total_text"),
    [
        (ExportOptions(), "vendor_name", "invoice_number", "total", "-12.50"),
        (XERO, "*ContactName", "*InvoiceNumber", "*UnitAmount", "-12.50"),
        (QUICKBOOKS, "*Supplier", "*BillNo", "*LineAmount", "-12.50"),
    ],
)
def test_csv_text_cells_cannot_be_formulas(options, vendor, number, total, total_text):
    data, _ = export([EVIL], "csv", options)
    row = by_column(csv_rows(data))[0]
    assert row[vendor] == "'" + EVIL_VENDOR
    assert row[number] == "'+SUM(1,2)"
    assert row[total] == total_text  # amounts are numbers, never neutralised
    assert all(not value.startswith(FORMULA_STARTS) for name, value in row.items() if name != total)


def test_datev_text_cannot_be_a_formula():
    data, _ = export([EVIL], "csv", DATEV)
    booking = data.decode("cp1252").split("\r\n")[2].split(";")
    assert booking[13] == '"' + ("'" + EVIL_VENDOR).replace('"', '""')[:60] + '"'
    assert booking[10] == '"SUM12"'  # Belegfeld 1 cannot hold = + ( , at all
    assert booking[:2] == ["12,50", '"S"']


def test_xlsx_text_cells_cannot_be_formulas():
    data, _ = export([EVIL], "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    row = {header.value: cell for header, cell in zip(sheet[1], sheet[2], strict=True)}
    assert row["vendor_name"].data_type == "s" and row["vendor_name"].value == "'" + EVIL_VENDOR
    assert row["customer_name"].value == "'\tTab"
    assert row["total"].data_type == "n" and row["total"].value == -12.5
    assert not any(cell.data_type == "f" for line in sheet.iter_rows() for cell in line)


# --- choosing the format, writing the file ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "requested", "preset", "expected"),
    [
        ("out.json", None, "generic", "json"), ("out.JSONL", None, "generic", "jsonl"),
        ("out.ndjson", None, "generic", "jsonl"), ("out.csv", None, "xero", "csv"),
        ("out.xlsx", None, "generic", "xlsx"), (None, None, "generic", "json"), (None, None, "datev", "csv"),
        ("bills.txt", "csv", "quickbooks", "csv"), (None, "xlsx", "generic", "xlsx"),
    ],
)
def test_format_for(name, requested, preset, expected):
    path = Path(name) if name else None
    assert format_for(path, requested, ExportOptions(preset=preset)) == expected


@pytest.mark.parametrize(
    ("name", "requested", "options", "message"),
    [
        ("out.txt", None, ExportOptions(), "cannot tell the format"),
        ("out.csv", "json", ExportOptions(), "does not match"),
        ("out.json", None, ExportOptions(preset="xero"), "xero preset"),
        ("out.xlsx", None, ExportOptions(preset="datev"), "datev preset"),
        ("out.json", None, ExportOptions(excel=True), "--excel"),
        ("out.csv", None, ExportOptions(preset="xero", excel=True), "--excel"),
        (None, "yaml", ExportOptions(), "unknown format"),
    ],
)
def test_format_for_refuses_what_it_cannot_write(name, requested, options, message):
    with pytest.raises(ExportError, match=message) as caught:
        format_for(Path(name) if name else None, requested, options)
    assert caught.value.exit_code == 2


def test_export_error_is_a_usage_error_of_the_hierarchy():
    with pytest.raises(InvoiceExtractError) as caught:
        ExportOptions(preset="sage")
    assert (caught.value.code, caught.value.exit_code) == ("bad_export", 2)
    assert "generic, xero, quickbooks, datev" in str(caught.value)


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old")
    write_records(RECORDS, path, "csv")
    assert os.listdir(tmp_path) == ["out.csv"]
    assert path.read_bytes().startswith(b"source,status")


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    path = tmp_path / "out.json"
    path.write_text("old")

    def disk_full(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(ExportError, match="No space left on device") as caught:  # typed, naming the file
        write_records(RECORDS, path, "json")
    assert str(path) in str(caught.value) and caught.value.exit_code == 2
    assert os.listdir(tmp_path) == ["out.json"]
    assert path.read_text() == "old"


def test_export_error_is_listed_with_every_other_error():
    assert errors.ExportError is ExportError  # still importable from invoice_extract.exporters
    assert ExportError in errors.ALL_ERRORS
    assert _exit_code("bad_export") == 2
    assert "ExportError" in errors.__doc__


@pytest.mark.parametrize("name", ["missing/out.json", "missing/deeper/out.csv"])
def test_an_output_folder_that_does_not_exist_is_refused_before_reading(tmp_path, name):
    with pytest.raises(ExportError, match="does not exist") as caught:
        format_for(tmp_path / name, None)
    assert caught.value.path == str(tmp_path / name)


def test_an_output_that_is_a_folder_or_in_a_read_only_folder_is_refused(tmp_path, monkeypatch):
    with pytest.raises(ExportError, match="is a folder"):
        format_for(tmp_path, "json")
    # root may write anywhere, so the permission check is seen through os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(ExportError, match="not writable"):
        format_for(tmp_path / "out.json", None)


# --- e-invoice credit notes and odd text ------------------------------------------------------

# A UBL/CII credit note (type 381) as einvoice.py reads it: positive amounts, document_type credit_note.
EINVOICE_CREDIT = make(
    "in/gutschrift.xml", vendor_name="Elektro Schmidt AG", invoice_number="GS-381", invoice_date="2024-04-02",
    currency="EUR", subtotal="100.00", tax="19.00", total="119.00",
).model_copy(update={"document_type": "credit_note"})


def test_an_e_invoice_credit_note_is_booked_as_a_credit_everywhere():
    xero = by_column(csv_rows(export([EINVOICE_CREDIT], "csv", XERO)[0]))[0]
    assert xero["*UnitAmount"] == "-119.00"
    quickbooks = by_column(csv_rows(export([EINVOICE_CREDIT], "csv", QUICKBOOKS)[0]))[0]
    assert quickbooks["*LineAmount"] == "-119.00"
    booking = export([EINVOICE_CREDIT], "csv", DATEV)[0].decode("cp1252").split("\r\n")[2].split(";")
    assert booking[:2] == ["119,00", '"S"']  # debited to the creditor, as any credit note
    generic = by_column(csv_rows(export([EINVOICE_CREDIT, COMPLETE], "csv")[0]))
    assert [(row["document_type"], row["total"]) for row in generic] == [("credit_note", "119.00"), ("", "120.00")]
    # a credit note already negative stays negative, and an invoice keeps its sign
    negative = EINVOICE_CREDIT.model_copy(update={"total": ExtractedField(value="-119.00", confidence=1.0)})
    assert by_column(csv_rows(export([negative], "csv", XERO)[0]))[0]["*UnitAmount"] == "-119.00"
    invoice = EINVOICE_CREDIT.model_copy(update={"document_type": "invoice"})
    assert by_column(csv_rows(export([invoice], "csv", XERO)[0]))[0]["*UnitAmount"] == "119.00"


def test_xlsx_drops_control_characters_instead_of_failing(tmp_path):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    bell = make("in/bell\x07.pdf", vendor_name="Acme\x07 Ltd\x0b", customer_name="\x07=1+1",
                invoice_date="2024-03-15", total="1.00")
    path = tmp_path / "out.xlsx"
    write_records([bell, COMPLETE], path, "xlsx")
    sheet = openpyxl.load_workbook(path).active
    row = {header.value: cell for header, cell in zip(sheet[1], sheet[2], strict=True)}
    assert (row["source"].value, row["vendor_name"].value) == ("in/bell.pdf", "Acme Ltd")
    assert row["customer_name"].value == "'=1+1" and row["customer_name"].data_type == "s"  # still no formula
    assert all(not ILLEGAL_CHARACTERS_RE.search(neutralise(chr(n))) for n in range(32))
    assert [neutralise(chr(n)) for n in (9, 10, 13)] == ["'\t", "\n", "'\r"]  # kept, as openpyxl does
