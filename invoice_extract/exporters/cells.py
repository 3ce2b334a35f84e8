"""Cell values shared by every CSV and spreadsheet writer.

Text read off an invoice is attacker-controlled: a vendor name such as
``=HYPERLINK("http://evil.example","click")`` becomes a live formula when the CSV or
workbook is opened in a spreadsheet (CSV injection, CWE-1236,
https://cwe.mitre.org/data/definitions/1236.html). ``neutralise`` is the one place
text cells are made safe; amounts and dates are written by the functions below and never
pass through it, so ``-12.50`` stays a negative number.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .options import DATE_ORDERS

# OWASP's list of characters that make a cell a formula,
# https://owasp.org/www-community/attacks/CSV_Injection
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DATE_FORMATS = dict(zip(DATE_ORDERS, ("%d/%m/%Y", "%m/%d/%Y"), strict=True))


def neutralise(text: str) -> str:
    """The text as a spreadsheet will show it and never evaluate it.

    NUL bytes are dropped everywhere (they truncate cells in some readers and hide what
    follows them); then a text that starts like a formula gets a leading single quote,
    OWASP's recommended prefix, which every spreadsheet shows as text.
    """
    text = text.replace("\x00", "")
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def decimal_text(value: Decimal, decimal_mark: str = ".") -> str:
    """A decimal as plain digits (never exponent notation) with the given decimal mark."""
    return format(value, "f").replace(".", decimal_mark)


def date_text(value: date, order: str) -> str:
    """dd/mm/yyyy or mm/dd/yyyy, the two orders accounting imports ask for."""
    return value.strftime(_DATE_FORMATS[order])
