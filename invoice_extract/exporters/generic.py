"""The generic layout: one row per input file, in CSV or in an Excel workbook.

Columns, in this order (``GENERIC_COLUMNS``): source, status, the record's fields
(vendor_name, vendor_address, customer_name, invoice_number, invoice_date, due_date,
currency, subtotal, tax, total), document_type (``invoice`` or ``credit_note`` where
the document says, as e-invoices do: their credit notes state positive amounts, so this
column tells them apart), min_confidence (the lowest confidence of the fields found: one
number to sort by, where a column per field would double the width), warnings and errors (each joined by `` | ``; an error reads ``code: message``). Unreadable files
keep their row, with status ``error`` and the reason, so no input silently disappears.

CSV: UTF-8, comma, ISO dates, amounts as printed with a ``.`` decimal mark, for programs.
``--excel`` writes what Excel opens correctly by double-click in the comma-decimal
locales (de, fr, es, it, nl, ...), where Excel's list separator is ``;`` and a ``.`` in
a number makes it text or a date: a UTF-8 byte order mark (without it Excel reads the
file as ANSI and garbles "Müller"), ``;`` between cells and decimal commas. For Excel in
a dot-decimal locale, choose the delimiter ``,``: the file keeps the BOM and takes
decimal points. The flavour is chosen, not read from ``locale.localeconv()``, because
the file is often written on one machine (a server, a container in the C locale, where
localeconv() always says ``.``) and opened on another.

XLSX: real date cells (yyyy-mm-dd), number cells with two decimals, text cells for the
rest, a frozen header row and columns wide enough to read. ``neutralise`` has dropped the
control characters a workbook cannot hold.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..record import AMOUNT_FIELDS, DATE_FIELDS, RECORD_FIELDS, InvoiceRecord
from .cells import LARGEST_AMOUNT, decimal_text, neutralise
from .options import ExportOptions

GENERIC_COLUMNS = ("source", "status", *RECORD_FIELDS, "document_type", "min_confidence", "warnings", "errors")
_NUMBER_COLUMNS = frozenset((*AMOUNT_FIELDS, "min_confidence"))
_SHEET = "Invoices"
_MAX_WIDTH = 60  # characters; longer text wraps off-screen rather than pushing every other column away

Cell = str | date | Decimal | None


def generic_row(record: InvoiceRecord) -> dict[str, Cell]:
    """The record's row, typed: text (already neutralised), dates, decimals or None."""
    row: dict[str, Cell] = {"source": record.source, "status": record.status}
    for name in RECORD_FIELDS:
        row[name] = _typed(record, name)
    row["document_type"] = record.document_type
    row["min_confidence"] = _min_confidence(record)
    row["warnings"] = " | ".join(record.warnings) or None
    row["errors"] = " | ".join(f"{error.code}: {error.message}" for error in record.errors) or None
    return {name: neutralise(value) if isinstance(value, str) else value for name, value in row.items()}


def generic_csv(records: Sequence[InvoiceRecord], options: ExportOptions) -> bytes:
    delimiter = options.delimiter or (";" if options.excel else ",")
    decimal_mark = "," if options.excel and delimiter != "," else "."
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(GENERIC_COLUMNS)
    for record in records:
        writer.writerow(_csv_text(value, decimal_mark) for value in generic_row(record).values())
    return text.getvalue().encode("utf-8-sig" if options.excel else "utf-8")


def generic_xlsx(records: Sequence[InvoiceRecord]) -> bytes:
    import pandas as pd  # imported here: it takes about a second and only the xlsx export needs it

    rows = [[_xlsx_value(value) for value in generic_row(record).values()] for record in records]
    frame = pd.DataFrame(rows, columns=list(GENERIC_COLUMNS))
    workbook = io.BytesIO()
    with pd.ExcelWriter(workbook, engine="openpyxl", date_format="yyyy-mm-dd") as writer:
        frame.to_excel(writer, sheet_name=_SHEET, index=False, freeze_panes=(1, 0))
        _finish(writer.sheets[_SHEET])
    return workbook.getvalue()


def _typed(record: InvoiceRecord, name: str) -> Cell:
    if name in DATE_FIELDS:
        return record.date(name)
    if name in AMOUNT_FIELDS:
        return record.amount(name)
    return record.value(name)


def _min_confidence(record: InvoiceRecord) -> Decimal | None:
    found = [field.confidence for name in RECORD_FIELDS if (field := getattr(record, name)) is not None]
    return Decimal(min(found)).quantize(Decimal("0.01")) if found else None


def _csv_text(value: Cell, decimal_mark: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_text(value, decimal_mark)
    if isinstance(value, date):
        return value.isoformat()  # ISO: unambiguous, and Excel reads it as a date in every locale
    return value


def _xlsx_value(value: Cell) -> str | date | float | None:
    # openpyxl writes floats as number cells. A float holds about 15 significant digits, so an
    # amount is shown to the cent up to about a trillion; the exact digits are in the CSV and JSON.
    # A total past LARGEST_AMOUNT is no amount (a float would round it, or make it "inf"): its
    # digits are written as text, as the record holds them.
    if isinstance(value, Decimal):
        return float(value) if value.copy_abs() <= LARGEST_AMOUNT else decimal_text(value)
    return value


def _finish(sheet: Worksheet) -> None:
    """Two-decimal number formats, truly empty cells, and column widths that fit the text."""
    for index, column in enumerate(sheet.iter_cols(min_row=1), start=1):
        name = column[0].value
        for cell in column[1:]:
            if cell.value == "":  # pandas writes a missing value as an empty string; Excel should see no cell
                cell.value = None
            elif name in _NUMBER_COLUMNS:
                cell.number_format = "0.00"
        longest = max(_shown_length(cell.value) for cell in column if cell.value is not None)
        sheet.column_dimensions[get_column_letter(index)].width = min(longest, _MAX_WIDTH) + 2


def _shown_length(value: object) -> int:
    if isinstance(value, date):
        return len("yyyy-mm-dd")
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return max(len(line) for line in str(value).splitlines() or [""])
