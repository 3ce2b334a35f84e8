"""What an export is asked to do and what it did; a wrong request raises ``ExportError`` (errors.py).

``ExportOptions`` holds everything the ``extract`` command's export flags set. It checks
each value on its own when made; ``check`` then checks the combination with the output
format (a preset or ``--excel`` only makes sense for some formats).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ExportError  # defined with the other errors; imported from here too

FORMATS = ("json", "jsonl", "csv", "xlsx")
PRESETS = ("generic", "xero", "quickbooks", "datev")
DATE_ORDERS = ("dmy", "mdy")

_DIGITS = re.compile(r"[1-9][0-9]{0,8}")  # a DATEV account number: 1-9 digits, not 0


@dataclass(frozen=True)
class DatevOptions:
    """The numbers a DATEV Buchungsstapel must carry to be imported into the right client's books.

    The defaults are placeholders that pass DATEV's format checks (the smallest consultant
    number, client 1, a calendar fiscal year, SKR03/SKR04's four-digit accounts); set them
    to the tax adviser's values, or DATEV imports into the wrong client or refuses the file.
    """

    consultant: int = 1001  # Beraternummer, 1001-9999999
    client: int = 1  # Mandantennummer, 1-99999
    creditor: str | None = None  # Konto: the supplier's creditor account (Kreditor), e.g. 70000
    fiscal_year_start: int = 1  # month the client's fiscal year (Wirtschaftsjahr) begins
    account_length: int = 4  # Sachkontenlänge, 4-8

    def __post_init__(self) -> None:
        _require(1001 <= self.consultant <= 9_999_999, f"DATEV consultant number {self.consultant} is not 1001-9999999")
        _require(1 <= self.client <= 99_999, f"DATEV client number {self.client} is not 1-99999")
        _require(1 <= self.fiscal_year_start <= 12, f"fiscal year start month {self.fiscal_year_start} is not 1-12")
        _require(4 <= self.account_length <= 8, f"DATEV account length {self.account_length} is not 4-8")
        if self.creditor is not None:
            require_account(self.creditor, "DATEV creditor account")


@dataclass(frozen=True)
class ExportOptions:
    """How to lay the records out.

    ``account_code`` and ``tax_type`` are the expense account and tax code every bill is
    booked to: Xero's AccountCode and TaxType, QuickBooks' Account and LineTaxCode,
    DATEV's Gegenkonto and BU-Schlüssel. ``date_order`` is the importing organisation's
    date order for Xero (default dmy) and QuickBooks (default mdy). ``excel`` and
    ``delimiter`` change the generic CSV only (see generic.py).
    """

    preset: str = "generic"
    excel: bool = False
    delimiter: str | None = None
    account_code: str | None = None
    tax_type: str | None = None
    date_order: str | None = None
    datev: DatevOptions = field(default_factory=DatevOptions)

    def __post_init__(self) -> None:
        _require(self.preset in PRESETS, f"unknown preset {self.preset!r}: choose one of {', '.join(PRESETS)}")
        _require(
            self.date_order is None or self.date_order in DATE_ORDERS,
            f"unknown date order {self.date_order!r}: choose dmy or mdy",
        )
        _require(
            self.delimiter is None or (len(self.delimiter) == 1 and self.delimiter not in '"\r\n'),
            f"the CSV delimiter must be one character other than a quote or line break, not {self.delimiter!r}",
        )


@dataclass(frozen=True)
class ExportSummary:
    """How many records became rows, how many an import preset left out, and what to tell the user."""

    written: int
    skipped: int = 0
    notes: tuple[str, ...] = ()


def check(fmt: str, options: ExportOptions) -> None:
    """Refuse a format and options that do not fit together, before any work is done."""
    _require(fmt in FORMATS, f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    # Xero's and QuickBooks' bill imports and DATEV's Buchungsstapel are CSV files.
    _require(
        options.preset == "generic" or fmt == "csv",
        f"the {options.preset} preset writes an import CSV, not {fmt}: use --format csv or a .csv file",
    )
    _require(
        not options.excel or (fmt == "csv" and options.preset == "generic"),
        "--excel changes the generic CSV only (an .xlsx file opens in Excel as it is)",
    )
    _require(
        options.delimiter is None or (fmt == "csv" and options.preset == "generic"),
        "a delimiter can only be chosen for the generic CSV",
    )


def require_account(value: str, what: str) -> None:
    """DATEV account numbers are 1-9 digits, without a leading zero."""
    _require(bool(_DIGITS.fullmatch(value)), f"{what} {value!r} is not an account number of 1-9 digits")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ExportError(message)
