"""Cell values shared by every CSV and spreadsheet writer.

Text read off an invoice is attacker-controlled: a vendor name such as
``=HYPERLINK("http://evil.example","click")`` becomes a live formula when the CSV or
workbook is opened in a spreadsheet (CSV injection, CWE-1236,
https://cwe.mitre.org/data/definitions/1236.html). ``neutralise`` is the one place
text cells are made safe; amounts and dates are written by the functions below and never
pass through it, so ``-12.50`` stays a negative number. A field whose format allows no quote
(DATEV's Belegfeld 1) loses its formula start instead (``without_formula_start``).

An amount is also attacker-controlled: an e-invoice may state a total of 18 digits, and a
stranger's PDF prints what it likes. ``LARGEST_AMOUNT`` bounds what the imports write.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from ..normalise import MAX_AMOUNT_DIGITS
from ..record import InvoiceRecord, decimal_string
from .options import DATE_ORDERS

# OWASP's list of characters that make a cell a formula,
# https://owasp.org/www-community/attacks/CSV_Injection
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What a workbook cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (openpyxl.cell.cell), the C0
# controls but tab, line feed and carriage return; copied, as importing openpyxl takes time.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DATE_FORMATS = dict(zip(DATE_ORDERS, ("%d/%m/%Y", "%m/%d/%Y"), strict=True))
# The largest total the Xero and QuickBooks imports are given, and the largest a workbook
# writes as a number: what the record stage reads as an amount on a page (MAX_AMOUNT_DIGITS
# digits before the point). Past it a float, which spreadsheets compute with, no longer
# holds the cents, and one of more than 308 digits is "inf".
LARGEST_AMOUNT = Decimal(10) ** MAX_AMOUNT_DIGITS - Decimal("0.01")


def neutralise(text: str) -> str:
    """The text as a spreadsheet will show it and never evaluate it.

    Control characters other than tab, line feed and carriage return are dropped everywhere:
    NUL truncates cells in some readers and hides what follows it, and any of them makes
    openpyxl refuse the whole workbook (IllegalCharacterError). Then a text that starts like
    a formula gets a leading single quote, OWASP's recommended prefix, which every
    spreadsheet shows as text; dropping comes first, so "\\x07=1" cannot turn into "=1".
    """
    text = _CONTROL.sub("", text)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def without_formula_start(text: str) -> str:
    """The text without the characters that would make it a formula, for a field whose format
    allows no quote: DATEV's Belegfeld 1 takes "-" but not "'", so "-A1-A1" becomes "A1-A1"."""
    return text.lstrip("".join(_FORMULA_STARTS))


def whole_digits(value: Decimal) -> int:
    """How many digits ``value`` has before its decimal point (0 for 0.50)."""
    return max(value.adjusted() + 1, 0)


def decimal_text(value: Decimal, decimal_mark: str = ".") -> str:
    """A decimal as plain digits (never exponent notation) with the given decimal mark."""
    return decimal_string(value).replace(".", decimal_mark)


def date_text(value: date, order: str) -> str:
    """dd/mm/yyyy or mm/dd/yyyy, the two orders accounting imports ask for."""
    return value.strftime(_DATE_FORMATS[order])


def signed_total(record: InvoiceRecord) -> Decimal | None:
    """The total as the books take it: negative for a credit note, which every import needs.

    A total read off a page keeps the sign it was printed with (a credit note's -12.50); an
    e-invoice credit note states its amounts positive and says what it is in
    ``document_type`` (EN 16931), so its total is negated here, whatever sign it was given.
    """
    total = record.amount("total")
    if total is None:
        return None
    # copy_abs and copy_negate are exact; abs() and a minus round to the context's 28 digits,
    # and an e-invoice may state 38 (18 before the point, 20 after).
    return total.copy_abs().copy_negate() if record.document_type == "credit_note" else total
