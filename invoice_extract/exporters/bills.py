"""Import files for Xero and QuickBooks Online: each invoice read becomes one draft bill.

Both imports take one row per bill line. We write one line per bill, the invoice's total,
because the total is the amount every invoice prints and the one a person checks; the
bill then carries the full amount owed, booked to one expense account (``account_code``)
and tax code (``tax_type``) for the whole import. The amount includes tax, so choose
"tax inclusive" when the importer asks how amounts are entered; the importer then works
out the tax from the tax code, which is why the template's tax amount columns stay empty.
A credit note is written as a negative amount: a negative total read off its page, or an
e-invoice credit note's positive total (``document_type`` credit_note), see ``signed_total``.

A file that could not be read, lacks what the import requires, or has a total that is no
amount (more than 15 digits before the decimal point, ``LARGEST_AMOUNT``) is left out and
the summary says which and why: one bad row makes these importers reject the whole file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import PurePath

from ..record import InvoiceRecord
from .cells import LARGEST_AMOUNT, date_text, decimal_text, neutralise, signed_total, whole_digits
from .options import ExportOptions, ExportSummary

# Xero, "Import bills" template (Business > Bills to pay > Import; the template is
# downloaded from that page), https://central.xero.com/s/article/Import-bills
# Columns marked * are required. Xero computes Total and TaxAmount itself.
XERO_COLUMNS = (
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "*InvoiceNumber",
    "*InvoiceDate",
    "*DueDate",
    "Total",
    "InventoryItemCode",
    "Description",
    "*Quantity",
    "*UnitAmount",
    "*AccountCode",
    "*TaxType",
    "TaxAmount",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
)

# QuickBooks Online, "Import bills" sample file (Settings > Import data > Bills),
# https://quickbooks.intuit.com/learn-support/en-us/help-article/import-export-data-files/import-bills-quickbooks-online
# QuickBooks maps the columns on its import screen; LineTaxCode is for editions with
# VAT/GST (not the US one) and Currency for companies with multicurrency on.
QUICKBOOKS_COLUMNS = (
    "*BillNo",
    "*Supplier",
    "*BillDate",
    "*DueDate",
    "Terms",
    "Location",
    "Memo",
    "*Account",
    "LineDescription",
    "*LineAmount",
    "LineTaxCode",
    "LineTaxAmount",
    "Currency",
)

_XERO_ADDRESS_LINES = 4
_REQUIRED = {  # record field -> what the importers call it
    "vendor_name": "vendor name",
    "invoice_number": "invoice number",
    "invoice_date": "invoice date",
    "total": "total",
}

Row = Mapping[str, str]


def select_bills(
    records: Sequence[InvoiceRecord], required: Mapping[str, str], importer: str, largest: Decimal
) -> tuple[list[InvoiceRecord], list[str]]:
    """The records an import can take, and a note for each one it cannot; ``required``
    includes the total, and ``largest`` is the largest total the import takes."""
    bills: list[InvoiceRecord] = []
    notes: list[str] = []
    for record in records:
        missing = [label for name, label in required.items() if record.value(name) is None]
        if record.status == "error":
            codes = ", ".join(error.code for error in record.errors)
            notes.append(f"{record.source}: left out: it could not be read ({codes})")
        elif missing:
            notes.append(f"{record.source}: left out: no {' or '.join(missing)}, which {importer} requires")
        elif (total := (record.amount("total") or Decimal(0)).copy_abs()) > largest:
            # Said by its length: the digits themselves may be thousands long.
            notes.append(f"{record.source}: left out: its total has {whole_digits(total)} digits before the "
                         f"decimal point, more than {importer} takes (at most {decimal_text(largest)})")
        else:
            bills.append(record)
    return bills, notes


def review_note(bills: Sequence[InvoiceRecord], importer: str) -> list[str]:
    unsure = sum(bill.status == "needs_review" for bill in bills)
    return [f"bills that need review (see their warnings): {unsure}; check them in {importer}"] if unsure else []


def xero_csv(records: Sequence[InvoiceRecord], options: ExportOptions) -> tuple[bytes, ExportSummary]:
    notes = [] if options.account_code else ["no --account-code: fill in *AccountCode, which Xero requires"]
    if not options.tax_type:
        notes.append("no --tax-type: fill in *TaxType with a tax rate name as Xero shows it")
    return _write(records, options, "Xero", XERO_COLUMNS, _xero_row, options.date_order or "dmy", notes)


def quickbooks_csv(records: Sequence[InvoiceRecord], options: ExportOptions) -> tuple[bytes, ExportSummary]:
    notes = [] if options.account_code else ["no --account-code: map *Account, which QuickBooks requires"]
    date_order = options.date_order or "mdy"
    return _write(records, options, "QuickBooks", QUICKBOOKS_COLUMNS, _quickbooks_row, date_order, notes)


def _write(
    records: Sequence[InvoiceRecord],
    options: ExportOptions,
    importer: str,
    columns: Sequence[str],
    make_row: Callable[[InvoiceRecord, ExportOptions, str], Row],
    date_order: str,
    notes: list[str],
) -> tuple[bytes, ExportSummary]:
    bills, left_out = select_bills(records, _REQUIRED, importer, LARGEST_AMOUNT)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    for bill in bills:
        row = make_row(bill, options, date_order)
        writer.writerow(row.get(column, "") for column in columns)
        if bill.value("due_date") is None:
            notes.append(f"{bill.source}: no due date; the bill is due on its invoice date")
    summary = ExportSummary(len(bills), len(records) - len(bills), (*left_out, *notes, *review_note(bills, importer)))
    return text.getvalue().encode("utf-8"), summary


def _xero_row(bill: InvoiceRecord, options: ExportOptions, date_order: str) -> Row:
    invoice_date, due_date = _dates(bill, date_order)
    address = _address_lines(bill.value("vendor_address"), _XERO_ADDRESS_LINES)
    return {
        "*ContactName": _text(bill.value("vendor_name")),
        **{f"POAddressLine{number}": _text(line) for number, line in enumerate(address, start=1)},
        "*InvoiceNumber": _text(bill.value("invoice_number")),
        "*InvoiceDate": invoice_date,
        "*DueDate": due_date,
        "Description": _text(_description(bill)),
        "*Quantity": "1",
        "*UnitAmount": _total(bill),
        "*AccountCode": _text(options.account_code),
        "*TaxType": _text(options.tax_type),
        "Currency": _text(bill.value("currency")),
    }


def _quickbooks_row(bill: InvoiceRecord, options: ExportOptions, date_order: str) -> Row:
    bill_date, due_date = _dates(bill, date_order)
    return {
        "*BillNo": _text(bill.value("invoice_number")),
        "*Supplier": _text(bill.value("vendor_name")),
        "*BillDate": bill_date,
        "*DueDate": due_date,
        "Memo": _text(f"Read from {PurePath(bill.source).name}"),
        "*Account": _text(options.account_code),
        "LineDescription": _text(_description(bill)),
        "*LineAmount": _total(bill),
        "LineTaxCode": _text(options.tax_type),
        "Currency": _text(bill.value("currency")),
    }


def _text(value: str | None) -> str:
    return neutralise(value) if value else ""


def _total(bill: InvoiceRecord) -> str:
    total = signed_total(bill)
    assert total is not None  # select_bills keeps only bills with a total
    return decimal_text(total)


def _dates(bill: InvoiceRecord, order: str) -> tuple[str, str]:
    """Invoice and due date; a bill without a due date (a receipt) is due when issued."""
    invoice_date = bill.date("invoice_date")
    assert invoice_date is not None  # select_bills keeps only bills with a date
    return date_text(invoice_date, order), date_text(bill.date("due_date") or invoice_date, order)


def _description(bill: InvoiceRecord) -> str:
    return f"Invoice {bill.value('invoice_number')} from {bill.value('vendor_name')}"


def _address_lines(address: str | None, count: int) -> list[str]:
    """The record's one-line address (parts joined by ', ') over ``count`` lines; the last takes the rest.

    Which part is the city, region or postcode differs by country and is not recorded, so
    POCity, PORegion, POPostalCode and POCountry stay empty rather than guessed.
    """
    parts = [part.strip() for part in (address or "").split(",") if part.strip()]
    if len(parts) > count:
        parts = [*parts[: count - 1], ", ".join(parts[count - 1 :])]
    return parts
