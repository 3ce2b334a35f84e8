"""DATEV Buchungsstapel: the EXTF booking batch German tax advisers import into DATEV.

Format (DATEV developer portal, "DATEV-Format", version 700):
header line https://developer.datev.de/de/file-format/details/datev-format/format-description/header
and booking columns https://developer.datev.de/de/file-format/details/datev-format/format-description/booking-batch.

Line 1 is the EXTF header (31 fields: format 700, category 21 "Buchungsstapel", format
version 13, consultant and client numbers, fiscal year start, account length, the
batch's date range), line 2 the column names, then one booking per invoice. DATEV reads
the columns by position; we write the first 14, up to Buchungstext, and leave out the
optional rest. Text fields are quoted, numbers are not; semicolons between fields,
decimal commas, CRLF line ends, Windows-1252 ("ANSI", the format's character set):
a character it lacks becomes "?".

Each invoice is booked as received (Eingangsrechnung): the gross total, credited
("H") to the supplier's creditor account (Konto, ``DatevOptions.creditor``) against the
expense account (Gegenkonto, ``account_code``), with ``tax_type`` as BU-Schlüssel where
the expense account does not already imply the tax. A credit note (a negative total, or
an e-invoice's ``document_type`` credit_note) is debited ("S") instead, since DATEV amounts
carry no sign. Belegdatum is the invoice date as TTMM
(the year comes from the header's date range, so one batch holds one fiscal year),
Belegfeld 1 the invoice number, Buchungstext the vendor's name.

The field rules followed are those of the booking columns page above: Umsatz has 1-10
digits before its decimal comma and two after, so a total past 9999999999,99 is left out
with a note (it would make DATEV refuse the batch); Belegfeld 1 takes at most 36 letters,
digits and ``_ $ % - /``; Buchungstext at most 60 characters. The file is also opened in
spreadsheets, so no text cell may start like a formula: Buchungstext is neutralised, and
Belegfeld 1, which cannot take neutralise's quote, loses a leading minus ("-A1-A1" is
"A1-A1").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from ..record import InvoiceRecord
from .bills import review_note, select_bills
from .cells import decimal_text, neutralise, signed_total, without_formula_start
from .options import DatevOptions, ExportError, ExportOptions, ExportSummary, require_account

DATEV_COLUMNS = (
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
)
ENCODING = "cp1252"
BASE_CURRENCY = "EUR"

_REQUIRED = {"invoice_date": "invoice date", "total": "total"}
_CENT = Decimal("0.01")
_LARGEST_UMSATZ = Decimal("9999999999.99")  # Umsatz: ^\d{1,10}[,]\d{2}$
_TAX_KEY = re.compile(r"[0-9]{1,4}")  # BU-Schlüssel: up to four digits
_NOT_IN_BELEGFELD = re.compile(r"[^A-Za-z0-9_$%/-]")  # Belegfeld 1 allows letters, digits and _ $ % - /
_BELEGFELD_LENGTH = 36
_BUCHUNGSTEXT_LENGTH = 60


def datev_csv(records: Sequence[InvoiceRecord], options: ExportOptions) -> tuple[bytes, ExportSummary]:
    _check_codes(options)
    bills, notes = select_bills(records, _REQUIRED, "DATEV", _LARGEST_UMSATZ)
    bookings: list[InvoiceRecord] = []
    for bill in bills:
        if _amount(bill) == 0:
            notes.append(f"{bill.source}: left out: its total is 0, which DATEV cannot book")
        else:
            bookings.append(bill)
    notes += _account_notes(options)
    notes += [
        f"{bill.source}: in {bill.value('currency')}: add the exchange rate (Kurs) DATEV needs for a foreign currency"
        for bill in bookings
        if bill.value("currency") not in (None, BASE_CURRENCY)
    ]
    dates = [_invoice_date(bill) for bill in bookings]
    lines = [
        _header(options.datev, dates, datetime.now()),
        ";".join(DATEV_COLUMNS),
        *(_booking(bill, options) for bill in bookings),
    ]
    summary = ExportSummary(len(bookings), len(records) - len(bookings), (*notes, *review_note(bookings, "DATEV")))
    return "".join(line + "\r\n" for line in lines).encode(ENCODING, errors="replace"), summary


def _check_codes(options: ExportOptions) -> None:
    if options.account_code is not None:
        require_account(options.account_code, "DATEV expense account (--account-code)")
    if options.tax_type is not None and not _TAX_KEY.fullmatch(options.tax_type):
        raise ExportError(f"DATEV tax key (--tax-type) {options.tax_type!r} is not a BU-Schlüssel of 1-4 digits")


def _account_notes(options: ExportOptions) -> list[str]:
    notes = [] if options.datev.creditor else ["no DATEV creditor account: fill in Konto, which DATEV requires"]
    if not options.account_code:
        notes.append("no --account-code: fill in the expense account (Gegenkonto), which DATEV requires")
    return notes


def _header(datev: DatevOptions, dates: Sequence[date], created: datetime) -> str:
    """The EXTF header line; field numbers as in DATEV's format description."""
    fiscal_year = _fiscal_year(dates or [created.date()], datev.fiscal_year_start)
    first, last = (min(dates).strftime("%Y%m%d"), max(dates).strftime("%Y%m%d")) if dates else ("", "")
    fields = [
        _quoted("EXTF"),  # 1 Kennzeichen: an export from a program other than DATEV
        "700",  # 2 Versionsnummer
        "21",  # 3 Formatkategorie: Buchungsstapel
        _quoted("Buchungsstapel"),  # 4 Formatname
        "13",  # 5 Formatversion
        created.strftime("%Y%m%d%H%M%S") + f"{created.microsecond // 1000:03d}",  # 6 Erzeugt am
        "",  # 7 Importiert (DATEV fills it in)
        _quoted("RE"),  # 8 Herkunft (DATEV replaces it on import)
        _quoted(""),  # 9 Exportiert von
        _quoted(""),  # 10 Importiert von
        str(datev.consultant),  # 11 Beraternummer
        str(datev.client),  # 12 Mandantennummer
        fiscal_year.strftime("%Y%m%d"),  # 13 WJ-Beginn
        str(datev.account_length),  # 14 Sachkontenlänge
        first,  # 15 Datum vom
        last,  # 16 Datum bis
        _quoted("invoice-extract"),  # 17 Bezeichnung des Stapels
        _quoted(""),  # 18 Diktatkürzel
        "1",  # 19 Buchungstyp: Finanzbuchführung
        "0",  # 20 Rechnungslegungszweck: unabhängig
        "0",  # 21 Festschreibung: no, so the tax adviser can still correct the bookings
        _quoted(BASE_CURRENCY),  # 22 WKZ
        "",  # 23 reserviert
        _quoted(""),  # 24 Derivatskennzeichen
        "",  # 25 reserviert
        "",  # 26 reserviert
        _quoted(""),  # 27 Sachkontenrahmen: left to the client's settings
        "",  # 28 ID der Branchenlösung
        "",  # 29 reserviert
        _quoted(""),  # 30 reserviert
        _quoted(""),  # 31 Anwendungsinformation
    ]
    return ";".join(fields)


def _fiscal_year(dates: Iterable[date], start_month: int) -> date:
    """The first day of the one fiscal year all dates fall in; DATEV takes one per batch."""
    starts = {date(day.year if day.month >= start_month else day.year - 1, start_month, 1) for day in dates}
    if len(starts) > 1:
        years = ", ".join(str(start.year) for start in sorted(starts))
        raise ExportError(
            f"the invoices fall in {len(starts)} fiscal years (starting {years}) and a DATEV batch holds one: "
            "export each year's invoices to its own file"
        )
    return starts.pop()


def _booking(bill: InvoiceRecord, options: ExportOptions) -> str:
    amount = _amount(bill)
    fields = [
        decimal_text(abs(amount), ","),  # Umsatz, without sign
        _quoted("H" if amount > 0 else "S"),  # Soll/Haben of Konto: an invoice credits the creditor
        _quoted(bill.value("currency") or ""),  # WKZ Umsatz; empty means the header's EUR
        "",  # Kurs
        "",  # Basis-Umsatz
        _quoted(""),  # WKZ Basis-Umsatz
        options.datev.creditor or "",  # Konto
        options.account_code or "",  # Gegenkonto
        _quoted(options.tax_type or ""),  # BU-Schlüssel
        _invoice_date(bill).strftime("%d%m"),  # Belegdatum, TTMM
        _quoted(_belegfeld(bill.value("invoice_number"))),  # Belegfeld 1
        _quoted(""),  # Belegfeld 2
        "",  # Skonto
        _quoted(_buchungstext(bill.value("vendor_name"))),  # Buchungstext
    ]
    return ";".join(fields)


def _amount(bill: InvoiceRecord) -> Decimal:
    total = signed_total(bill)  # negative for a credit note, e-invoices' included
    assert total is not None  # select_bills keeps only bills with a total
    # DATEV takes exactly two decimals. Cannot raise: select_bills kept totals up to _LARGEST_UMSATZ.
    return total.quantize(_CENT, ROUND_HALF_UP)


def _invoice_date(bill: InvoiceRecord) -> date:
    invoice_date = bill.date("invoice_date")
    assert invoice_date is not None  # select_bills keeps only bills with a date
    return invoice_date


def _belegfeld(number: str | None) -> str:
    # A minus is one of DATEV's characters but starts a formula; = + @ are not DATEV's.
    return without_formula_start(_NOT_IN_BELEGFELD.sub("", number or ""))[:_BELEGFELD_LENGTH]


def _buchungstext(vendor: str | None) -> str:
    # One line: a line break would end the booking. Neutralised, as the file is also opened in Excel.
    return neutralise(" ".join((vendor or "").split()))[:_BUCHUNGSTEXT_LENGTH]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
