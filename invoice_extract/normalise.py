"""Value normalisers: printed dates, amounts, currencies and countries to standard values.

Standard library only. Every function takes an OCR'd span (labels, times and stray
punctuation around the value are fine) and returns a small frozen reading, or None.
Matching runs on a folded copy of the text (lower case, accents stripped, one character
for one, so offsets index the original and ``text`` fields quote it as printed); an ``O``
between digits, or after one at the end of a number, is read as ``0`` (``12.5O``, ``2O25``).

Dates (``parse_date``), first match from the left that is a real date:

- numeric, day and month either way: ``03/05/2025``, ``3/5/25``, ``05.03.2025``,
  ``05-03-2025`` (one separator kind, spaces around it allowed);
- year first: ``2025-03-05``, ``2025/3/5``, ``2025.03.05``: always year-month-day,
  never ambiguous;
- eight digits: ``20250305`` (YYYYMMDD), ``05032025`` (DDMMYYYY or MMDDYYYY): only when
  exactly one reading is a date, since eight bare digits are often not a date at all;
  with ``day_first`` given, the order it names counts as the one reading;
- month names in English, German, French, Dutch, Spanish, Italian and Malay, full,
  abbreviated, with or without a dot or accents: ``5 March 2025``, ``5th March 2025``,
  ``March 5, 2025``, ``Mar 5 2025``, ``05-Mar-2025``, ``05MAR2025``, ``5. März 2025``,
  ``1er mars 2025``, ``5 maart 2025``, ``5 de marzo de 2025``, ``5 marzo 2025``,
  ``05 Mac 2025``, ``2025-Mar-05``. A named month is never ambiguous. A date without
  a year (``5 March``) is not read.

Decisions:

- Two-digit years pivot like POSIX ``%y``: 00-69 are 2000-2069, 70-99 are 1970-1999.
  After a month name, two digits after a comma or before a time are no year
  (``5 March, 10 am``).
- Years outside 1970-2099 and impossible dates (``31.02.2025``) are not dates.
- Numeric day/month order: a date that can be read only one way is read that way,
  whatever ``day_first`` says. One that can be read both ways is settled by a weekday
  printed beside it (``Mi., 05.03.2025`` is a Wednesday, so 5 March), else by
  ``day_first``; with ``day_first=None`` it is read day-first and flagged ambiguous, the
  month-first reading given as ``alternative``.

Amounts (``parse_amount``): ``1,234.56``, ``1.234,56``, ``1'234.56``, ``1’234.56``,
``1 234,56`` (no-break and narrow no-break spaces group any number; a plain space groups
only before a comma decimal part, since "2 120.00" is more often a quantity and a price),
Indian ``1,23,456.78``, ``1234.5``, ``12,-`` / ``12.-`` (12.00); negatives as ``-12.00``,
``RM -12.00``, ``-€12,00``, ``(12.00)``, ``12.00-``, ``12.00 CR``; ``12.00 DR`` is positive. A
minus must touch the number or its currency: in ``Total - 12.00`` the dash only separates.

- A lone separator followed by exactly three digits groups thousands: ``1.234`` and
  ``1,234`` are 1234 (invoices print cents, so three decimals are rare); ``1,23`` and
  ``1.5`` are decimals, and so is ``0.125`` (a leading 0 is never a thousands group).
- Several numbers in the span: the last one that looks like money (a decimal part,
  thousands groups or a currency mark beside it) wins, since totals lines print the
  amount last; failing that the last plain number, and last of all a number glued to
  a word (``INV12``, ``3x``). Percentages, times, dates and ranges are never amounts.
- A number with more than 15 digits before its decimal point (``MAX_AMOUNT_DIGITS``) is
  never an amount: no invoice totals a quadrillion, so such a run of digits is a card or
  account number, or a page written to break the record stage (5000 digits are rounded
  by every sum it makes, and make its rounding to 5 cents raise InvalidOperation).
- ``currency`` is set only when the text itself decides it (``RM``, ``€``, ``EUR``,
  ``US$``...), or the given country does for a shared mark; a bare ``$``, ``kr`` or ``¥``
  with nothing to resolve it leaves it None: ask ``detect_currency`` for the guess.

Currencies (``detect_currency``): ISO 4217 codes (case-insensitive, never inside a word:
"EUROPE" is not EUR, "RMB" is CNY not RM; a few codes that are also English words, such
as CAD and TRY, count only in capitals), symbols, ``RM`` and a few words (euro, ringgit).
Shared marks go by country: bare ``$`` is USD, CAD, AUD, NZD, SGD, HKD, MXN or TWD for
those countries and MYR in Malaysia (its receipt printers print ``$`` for ringgit); ``kr``
is DKK, NOK, SEK or ISK; ``¥`` (or ``円``) is CNY in China, JPY in Japan. Without a
deciding country the default (USD, SEK, JPY) is returned with ``guessed=True``. A mark
that needs no country beats a shared one, then a mark beside a number beats one elsewhere
(a code in a street or product name), then the first printed wins.

Countries (``country_from_text``): country names in the seven languages; Malaysian states,
big cities, street words (Jalan, Taman...) and ``52100 KL``-style postcodes; US state code
+ ZIP (``CA 94105``); UK postcodes (``SW1A 1AA``). The last clue in the text wins
(addresses end with the country). Postcodes of other countries (``D-10115``,
``10115 Berlin``) are too weak to use.

``infer_day_first`` and ``guess_language`` decide the day/month order for a whole
document; see their docstrings for the evidence and its order.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = [
    "MAX_AMOUNT_DIGITS", "AmountReading", "CurrencyReading", "DateReading",
    "country_from_text", "currency_of_country", "detect_currency", "guess_language", "infer_day_first",
    "parse_amount", "parse_date",
]

MIN_YEAR, MAX_YEAR = 1970, 2099
# Digits an amount may have before its decimal point. Its sums and quotients then keep far
# fewer than the 28 digits of Decimal's default context before the point, so rounding one
# to cents (quantize) cannot raise InvalidOperation (see the module docstring).
MAX_AMOUNT_DIGITS = 15
PIVOT = 70  # two-digit years below this are 20xx, the rest 19xx


@dataclass(frozen=True)
class DateReading:
    value: date
    ambiguous: bool = False  # both day/month orders give different dates and nothing decided
    alternative: date | None = None  # the month-first reading, when ambiguous
    text: str = ""  # the matched part of the input, as printed


@dataclass(frozen=True)
class AmountReading:
    value: Decimal  # with as many decimals as printed; negative for credits
    currency: str | None = None  # ISO 4217, only when the text (or the given country) decides it
    text: str = ""


@dataclass(frozen=True)
class CurrencyReading:
    code: str  # ISO 4217
    guessed: bool = False  # a shared mark ($, kr, ¥) that no country resolved: the default was taken
    text: str = ""


# ---------------------------------------------------------------------------------------
# Text folding


def _fold(text: str) -> str:
    """Lower case without accents, one character for each of ``text``'s: offsets carry over."""
    chars = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        chars.append(low if len(low) == 1 else base)
    return "".join(chars)


# An OCR'd "o" is a zero when a digit sits on one side and no letter on the other.
_OCR_ZERO = re.compile(r"(?<=[0-9])o(?![a-z])|(?<![a-z])o(?=[0-9])")


def _folded(text: str) -> str:
    return _OCR_ZERO.sub("0", _fold(text))


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation trying longer words first, so "mars" is never read as "mar"."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# ---------------------------------------------------------------------------------------
# Dates

# Folded (lower case, unaccented) month names and abbreviations: en, de, fr, nl, es, it, ms.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "janner", "janvier", "janv", "januari", "enero", "ene", "gennaio", "gen"),
    2: ("february", "feb", "febr", "februar", "fevrier", "fevr", "fev", "februari", "febrero", "febbraio"),
    3: ("march", "mar", "marz", "maerz", "mars", "maart", "mrt", "marzo", "mac"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile"),
    5: ("may", "mai", "mei", "mayo", "maggio", "mag"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "giu"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julai"),
    8: ("august", "aug", "aout", "augustus", "agosto", "ago", "ogos", "ogo"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott"),
    11: ("november", "nov", "novembre", "noviembre"),
    12: ("december", "dec", "dezember", "dez", "decembre", "diciembre", "dicembre", "dic", "disember", "dis"),
}
_MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}

# Weekdays (Monday = 0). Two-letter forms count only with a dot or comma after them
# ("Mi., 05.03.2025"), so that "do" or "so" in a sentence is not a weekday.
_WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {
    0: ("monday", "mon", "montag", "lundi", "lun", "maandag", "lunes", "lunedi", "isnin"),
    1: ("tuesday", "tue", "tues", "dienstag", "mardi", "mar", "dinsdag", "martes", "martedi", "selasa"),
    2: ("wednesday", "wed", "mittwoch", "mercredi", "mer", "woensdag", "miercoles", "mie", "mercoledi", "rabu"),
    3: ("thursday", "thu", "thur", "thurs", "donnerstag", "jeudi", "jeu", "donderdag", "jueves", "jue",
        "giovedi", "gio", "khamis"),
    4: ("friday", "fri", "freitag", "vendredi", "ven", "vrijdag", "viernes", "vie", "venerdi", "jumaat"),
    5: ("saturday", "sat", "samstag", "sonnabend", "samedi", "sam", "zaterdag", "sabado", "sab", "sabato",
        "sabtu"),
    6: ("sunday", "sun", "sonntag", "dimanche", "dim", "zondag", "domingo", "dom", "domenica", "ahad"),
}
_WEEKDAY_SHORT: dict[int, tuple[str, ...]] = {
    0: ("mo", "ma"), 1: ("di",), 2: ("mi", "wo"), 3: ("do",), 4: ("fr", "vr"), 5: ("sa", "za"), 6: ("so", "zo"),
}
_WEEKDAYS = {name: day for day, names in _WEEKDAY_NAMES.items() for name in names}
_WEEKDAYS_SHORT = {name: day for day, names in _WEEKDAY_SHORT.items() for name in names}
_WEEKDAY = re.compile(
    rf"(?<![a-z])(?:(?P<long>{_alternation(_WEEKDAYS)})(?![a-z])|(?P<short>{_alternation(_WEEKDAYS_SHORT)})(?=[.,]))"
)

_MONTH = rf"(?<![a-z])(?P<m>{_alternation(_MONTHS)})(?![a-z])"
_SEP = r"[\s\-/.,]*"
_DAY = r"(?<![0-9])(?P<d>[0-9]{1,2})(?![0-9])"
_ORDINAL = r"(?:st|nd|rd|th|er|re|e|º|ª|°)?"  # 5th, 1er (fr), 1e (nl), 1º (es)
# A two-digit year is no year after a comma or before a time: "5 March, 10 am", "5 March 12:30".
_YEAR = r"(?P<y>[0-9]{4}(?![0-9:])|(?<!,)(?<!,\s)'?[0-9]{2}(?![0-9:])(?!\s*(?:am|pm|uhr|h)(?![a-z])))"
_YEAR4 = r"(?<![0-9])(?P<y>[0-9]{4})(?![0-9])"

# Named month, each pattern with groups d, m, y.
_NAMED_DATES = (
    # 5 March 2025, 05-Mar-2025, 05MAR2025, 5. März 2025, 1er mars 2025, 5 de marzo de 2025
    re.compile(rf"{_DAY}{_ORDINAL}{_SEP}(?:de\s+)?{_MONTH}{_SEP}(?:del?\s+)?{_YEAR}"),
    # March 5, 2025; Mar. 5th 2025; OCT 3, 2016
    re.compile(rf"{_MONTH}\.?\s*{_DAY}(?:st|nd|rd|th)?(?:\s*,\s*|\s+){_YEAR}"),
    # 2025-Mar-05, 2025 March 5
    re.compile(rf"{_YEAR4}{_SEP}{_MONTH}{_SEP}{_DAY}"),
)
_ISO_DATE = re.compile(
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})\s*(?P<s>[-/.])\s*(?P<m>[0-9]{1,2})\s*(?P=s)\s*(?P<d>[0-9]{1,2})(?![0-9])"
)
_NUMERIC_DATE = re.compile(
    r"(?<![0-9])(?P<a>[0-9]{1,2})\s*(?P<s>[-/.])\s*(?P<b>[0-9]{1,2})\s*(?P=s)\s*(?P<y>[0-9]{4}|[0-9]{2})(?![0-9:])"
)
_COMPACT_DATE = re.compile(r"(?<![0-9])(?P<digits>[0-9]{8})(?![0-9])")


@dataclass(frozen=True)
class _DateMatch:
    """One place in the text that may be a date, with its possible readings."""

    start: int
    end: int
    fixed: date | None = None  # the one reading of a form that has a single order
    day_first: date | None = None  # numeric forms: D/M/Y reading
    month_first: date | None = None  # numeric forms: M/D/Y reading
    compact: bool = False  # eight bare digits: only read when it can be read one way


def _year(text: str) -> int:
    number = int(text.lstrip("'"))
    if len(text.lstrip("'")) == 2:
        return number + (2000 if number < PIVOT else 1900)
    return number


def _make_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_matches(folded: str) -> Iterator[_DateMatch]:
    for pattern in _NAMED_DATES:
        for m in pattern.finditer(folded):
            yield _DateMatch(m.start(), m.end(), fixed=_make_date(_year(m["y"]), _MONTHS[m["m"]], int(m["d"])))
    for m in _ISO_DATE.finditer(folded):
        yield _DateMatch(m.start(), m.end(), fixed=_make_date(int(m["y"]), int(m["m"]), int(m["d"])))
    for m in _NUMERIC_DATE.finditer(folded):
        a, b, year = int(m["a"]), int(m["b"]), _year(m["y"])
        yield _DateMatch(m.start(), m.end(), day_first=_make_date(year, b, a), month_first=_make_date(year, a, b))
    for m in _COMPACT_DATE.finditer(folded):
        s = m["digits"]
        yield _DateMatch(
            m.start(), m.end(), compact=True,
            fixed=_make_date(int(s[:4]), int(s[4:6]), int(s[6:])),
            day_first=_make_date(int(s[4:]), int(s[2:4]), int(s[:2])),
            month_first=_make_date(int(s[4:]), int(s[:2]), int(s[2:4])),
        )


def _printed_weekday(folded: str, start: int, end: int) -> int | None:
    """The one weekday named outside ``folded[start:end]``, if exactly one is."""
    days = {
        _WEEKDAYS[m["long"]] if m["long"] else _WEEKDAYS_SHORT[m["short"]]
        for m in _WEEKDAY.finditer(folded)
        if m.end() <= start or m.start() >= end
    }
    return days.pop() if len(days) == 1 else None


def _read(found: _DateMatch, folded: str, text: str, day_first: bool | None) -> DateReading | None:
    matched = text[found.start:found.end].strip()
    if found.day_first is None and found.month_first is None:
        return DateReading(found.fixed, text=matched) if found.fixed else None
    # A year-last reading exists. (Eight digits never also read year-first: a year-last
    # form ends in 19xx or 20xx, which as MMDD has no month.)
    reading = _order(found.day_first, found.month_first, _printed_weekday(folded, found.start, found.end), day_first)
    if found.compact and reading.ambiguous:
        return None
    return DateReading(reading.value, reading.ambiguous, reading.alternative, matched)


def _order(dmy: date | None, mdy: date | None, weekday: int | None, day_first: bool | None) -> DateReading:
    """The day-first or month-first reading of a numeric date, at least one of them a date."""
    if dmy is None or mdy is None or dmy == mdy:
        return DateReading(next(reading for reading in (dmy, mdy) if reading is not None))
    if weekday is not None and (dmy.weekday() == weekday) != (mdy.weekday() == weekday):
        return DateReading(dmy if dmy.weekday() == weekday else mdy)
    if day_first is None:
        return DateReading(dmy, ambiguous=True, alternative=mdy)
    return DateReading(dmy if day_first else mdy)


def parse_date(text: str, *, day_first: bool | None = None) -> DateReading | None:
    """The first date in ``text`` (see the module docstring for the forms), or None.

    ``day_first`` orders a numeric date that reads both ways; None reads it day-first and
    flags it ambiguous.
    """
    folded = _folded(text)
    # Leftmost first; at one place the longest match (the fullest form) first.
    for found in sorted(_date_matches(folded), key=lambda f: (f.start, -f.end)):
        reading = _read(found, folded, text, day_first)
        if reading is not None:
            return reading
    return None


# ---------------------------------------------------------------------------------------
# Day/month order of a whole document and its language

# Languages and countries whose numeric dates are day-first. English is left out: it is
# day-first in Britain and month-first in the United States.
_DAY_FIRST_LANGUAGES = {"de": "German", "fr": "French", "nl": "Dutch", "es": "Spanish", "it": "Italian",
                        "ms": "Malay"}
# Month-first in everyday use; Canada mixes both and the year-first countries print other
# orders only on foreign forms, so they say nothing. Every other country is day-first.
_MONTH_FIRST_COUNTRIES = {"US", "PH"}
_SILENT_COUNTRIES = {"CA", "CN", "JP", "KR", "TW", "HU"}
_MONTH_FIRST_CURRENCIES = {"USD", "PHP"}
_DAY_FIRST_CURRENCIES = {
    "EUR", "GBP", "MYR", "CHF", "SGD", "AUD", "NZD", "INR", "SEK", "NOK", "DKK", "ISK", "PLN", "CZK", "BRL",
    "MXN", "HKD", "IDR", "THB", "VND", "ZAR", "AED", "TRY", "RUB",
}


def _order_from_dates(date_texts: Iterable[str]) -> tuple[bool | None, str]:
    """The order most numeric dates that read only one way agree on, with an example."""
    day_first: list[str] = []
    month_first: list[str] = []
    for text in date_texts:
        for m in _NUMERIC_DATE.finditer(_folded(text)):
            a, b, year = int(m["a"]), int(m["b"]), _year(m["y"])
            printed = text[m.start():m.end()].strip()
            if a > 12 and _make_date(year, b, a):
                day_first.append(printed)
            elif b > 12 and _make_date(year, a, b):
                month_first.append(printed)
    if len(day_first) > len(month_first):
        return True, f"another date on the page, {day_first[0]}, has a day over 12"
    if len(month_first) > len(day_first):
        return False, f"another date on the page, {month_first[0]}, has a day over 12 in second place"
    return None, ""


def _order_from_country(country: str) -> bool | None:
    code = country.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code) or code in _SILENT_COUNTRIES:
        return None
    return code not in _MONTH_FIRST_COUNTRIES


def _order_from_currency(currency: str) -> bool | None:
    code = currency.strip().upper()
    if code in _MONTH_FIRST_CURRENCIES:
        return False
    return True if code in _DAY_FIRST_CURRENCIES else None


def infer_day_first(
    date_texts: Iterable[str],
    *,
    language: str | None = None,
    currency: str | None = None,
    country: str | None = None,
) -> tuple[bool | None, str]:
    """Whether the document's numeric dates are day-first, and why (None: nothing says).

    Evidence, strongest first: numeric dates in ``date_texts`` that read only one way (the
    majority; a tie says nothing); the language (de, fr, nl, es, it, ms are day-first, en
    says nothing); the country (ISO 3166 alpha-2: US and PH month-first; CA, CN, JP, KR, TW,
    HU nothing; any other day-first); the currency (USD, PHP month-first; EUR, GBP, MYR,
    CHF and other currencies of day-first countries day-first).
    """
    decided, reason = _order_from_dates(date_texts)
    if decided is not None:
        return decided, reason
    if language:
        primary = re.split(r"[-_]", language.strip().lower())[0]
        if primary in _DAY_FIRST_LANGUAGES:
            return True, f"the document is in {_DAY_FIRST_LANGUAGES[primary]}"
    if country:
        decided = _order_from_country(country)
        if decided is not None:
            return decided, f"the address is in {_COUNTRY_NAMES.get(country.strip().upper(), country.strip())}"
    if currency:
        decided = _order_from_currency(currency)
        if decided is not None:
            return decided, f"the amounts are in {currency.strip().upper()}"
    return None, "nothing on the page says whether dates are day-first"


# Words typical of invoices and receipts in each language, folded. A word shared by several
# languages counts a share to each, so the distinctive words decide.
_LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "invoice receipt total subtotal amount due date tax qty quantity price description bill to the and of "
        "for payment thank you cash change balance paid customer number item unit terms please".split()
    ),
    "de": frozenset(
        "rechnung rechnungsnummer datum betrag summe gesamt gesamtbetrag zwischensumme mwst ust steuer netto "
        "brutto menge preis zahlbar bis und der die das fur bitte vielen dank kunde kundennummer lieferung "
        "zahlung uberweisung bankverbindung inkl zzgl bar ruckgeld einzelpreis".split()
    ),
    "fr": frozenset(
        "facture date montant total tva ht ttc prix quantite qte le la les de des du et pour merci client echeance "
        "paiement reglement net payer remise especes rendu numero".split()
    ),
    "nl": frozenset(
        "factuur factuurnummer datum bedrag totaal subtotaal btw prijs aantal de het een en van voor betaling "
        "vervaldatum klant bedankt excl incl omschrijving te betalen".split()
    ),
    "es": frozenset(
        "factura fecha importe total subtotal iva precio cantidad el la los las de y para gracias cliente "
        "vencimiento pago base imponible descripcion ticket efectivo cambio numero".split()
    ),
    "it": frozenset(
        "fattura data importo totale iva prezzo quantita il lo la di e per grazie cliente scadenza pagamento "
        "imponibile descrizione scontrino contanti resto documento commerciale numero".split()
    ),
    "ms": frozenset(
        "jumlah tarikh harga cukai terima kasih resit bayaran baki tunai barang kuantiti invois dan untuk kepada "
        "sila jualan diskaun kedai datang lagi".split()
    ),
}
_WORD_SHARES = Counter(word for words in _LANGUAGE_WORDS.values() for word in words)


def guess_language(text: str) -> str | None:
    """The language (en, de, fr, nl, es, it, ms) whose invoice words ``text`` uses most.

    None when no language scores a whole distinctive word's worth, or two tie.
    """
    scores = dict.fromkeys(_LANGUAGE_WORDS, 0.0)
    for word in re.findall(r"[a-z]+", _fold(text)):
        for language, words in _LANGUAGE_WORDS.items():
            if word in words:
                scores[language] += 1 / _WORD_SHARES[word]
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top >= 1 and top > second else None


# ---------------------------------------------------------------------------------------
# Currencies

# Marks that name one currency whatever the country, folded. Symbols are matched as they
# are (those starting with a letter not after another letter); letter marks only as whole
# words.
_CURRENCY_SYMBOLS = {"€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY", "₫": "VND",
                     "฿": "THB", "₱": "PHP", "₪": "ILS"}
_LETTER_SYMBOLS = {
    "zł": "PLN", "r$": "BRL", "a$": "AUD", "au$": "AUD", "c$": "CAD", "ca$": "CAD", "can$": "CAD", "s$": "SGD",
    "sg$": "SGD", "hk$": "HKD", "nz$": "NZD", "us$": "USD", "mx$": "MXN", "nt$": "TWD",
}
_ISO_CODES = (
    "EUR USD GBP JPY CNY INR MYR CHF SEK NOK DKK ISK PLN CZK HUF BRL AUD CAD SGD HKD NZD MXN ZAR KRW THB "
    "IDR PHP VND TWD RUB TRY AED SAR ILS"
).split()
# Codes that are also English words (or names) count only when printed in capitals.
_WORDLIKE_CODES = {"CAD", "TRY", "SAR", "PHP"}
_CURRENCY_WORDS = {
    "rm": "MYR", "ringgit": "MYR", "euro": "EUR", "euros": "EUR", "rmb": "CNY", "yuan": "CNY",
    "renminbi": "CNY", "yen": "JPY", "sterling": "GBP", "sfr": "CHF", "rp": "IDR",
}
_LETTER_MARKS = {code.lower(): code for code in _ISO_CODES} | _CURRENCY_WORDS
# Marks shared by several currencies: resolved by country, else the default (guessed).
_SHARED_MARKS: dict[str, tuple[dict[str, str], str]] = {
    "$": ({"US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD", "MX": "MXN",
           "TW": "TWD", "MY": "MYR"}, "USD"),
    "kr": ({"DK": "DKK", "NO": "NOK", "SE": "SEK", "IS": "ISK"}, "SEK"),
    "¥": ({"CN": "CNY", "JP": "JPY"}, "JPY"),
}
_SYMBOL = rf"[{''.join(_CURRENCY_SYMBOLS)}]"
_LETTER_SYMBOL = rf"(?<![a-z])(?:{_alternation(_LETTER_SYMBOLS)})"
_LETTER_MARK = rf"(?<![a-z])(?:{_alternation(_LETTER_MARKS)})(?![a-z])"
# "Fr." (Swiss franc) and "kr" are also a weekday and a word: they count only beside a number.
# "Fr. 12", "12 kr": not "FR45 6183..." (a French IBAN or VAT number): a franc or krone mark
# is never run together with the digits after it.
_FRANC, _KRONE = r"(?<![a-z])fr(?:\.|(?![a-z0-9]))", r"(?<![a-z])kr(?:\.|(?![a-z0-9]))"
_NUMBER_BESIDE = r"(?:(?<=[0-9])\s*{0}|{0}(?=\s*[-(]?[0-9]))"
_CURRENCY_MARK = re.compile(
    rf"(?P<symbol>{_SYMBOL})|(?P<letter_symbol>{_LETTER_SYMBOL})|(?P<letters>{_LETTER_MARK})"
    rf"|(?P<franc>{_NUMBER_BESIDE.format(_FRANC)})|(?P<krone>{_NUMBER_BESIDE.format(_KRONE)})"
    r"|(?P<dollar>(?<![a-z])\$)|[¥円]"
)
# Any currency mark, for telling what stands beside a number.
_CURRENCY_TOKEN = rf"(?:{_SYMBOL}|{_LETTER_SYMBOL}|{_LETTER_MARK}|{_FRANC}|{_KRONE}|[$¥円])"


def _currency_marks(folded: str, text: str, country: str | None) -> Iterator[tuple[CurrencyReading, bool]]:
    """Each currency mark in ``folded`` with whether a number stands right beside it."""
    where = country.strip().upper() if country else ""
    for m in _CURRENCY_MARK.finditer(folded):
        printed = text[m.start():m.end()].strip()
        beside = bool(
            re.search(r"[0-9][.,-]*\s*$", folded[: m.start()]) or re.match(r"\s*[-(]?[0-9]", folded[m.end():])
        )
        if m["symbol"]:
            yield CurrencyReading(_CURRENCY_SYMBOLS[m["symbol"]], text=printed), beside
        elif m["letter_symbol"]:
            yield CurrencyReading(_LETTER_SYMBOLS[m["letter_symbol"]], text=printed), beside
        elif m["letters"]:
            code = _LETTER_MARKS[m["letters"]]
            if code not in _WORDLIKE_CODES or printed == code:
                yield CurrencyReading(code, text=printed), beside
        elif m["franc"]:
            yield CurrencyReading("CHF", text=printed), beside
        else:
            by_country, default = _SHARED_MARKS["kr" if m["krone"] else "$" if m["dollar"] else "¥"]  # or 円
            resolved = by_country.get(where)
            yield CurrencyReading(resolved or default, guessed=resolved is None, text=printed), beside


def detect_currency(text: str, *, country: str | None = None) -> CurrencyReading | None:
    """The currency ``text`` names (ISO 4217), or None; see the module docstring.

    ``country`` (ISO 3166 alpha-2) resolves shared marks. A mark that needs no country wins
    over one that does; then a mark beside a number ("RM 12.50") over one elsewhere (a code
    in a street name or a product line); then the first printed.
    """
    marks = list(_currency_marks(_folded(text), text, country))
    if not marks:
        return None
    return min(marks, key=lambda mark: (mark[0].guessed, not mark[1]))[0]


# The currency a country's shops and firms invoice in, when the document prints none (a
# till receipt often shows bare numbers). Only countries with one everyday currency.
_COUNTRY_CURRENCIES = {
    "MY": "MYR", "SG": "SGD", "GB": "GBP", "US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "CH": "CHF",
    "LI": "CHF", "SE": "SEK", "NO": "NOK", "DK": "DKK", "PL": "PLN", "CZ": "CZK", "HU": "HUF", "JP": "JPY",
    "CN": "CNY", "IN": "INR", "HK": "HKD", "ID": "IDR", "TH": "THB", "PH": "PHP", "MX": "MXN", "BR": "BRL",
    **dict.fromkeys(("DE", "FR", "NL", "BE", "LU", "AT", "ES", "IT", "PT", "IE", "FI", "GR", "SK", "SI", "EE",
                     "LV", "LT", "MT", "CY", "HR"), "EUR"),
}


def currency_of_country(country: str | None) -> str | None:
    """The everyday currency of an ISO 3166 country, or None when unknown or shared."""
    return _COUNTRY_CURRENCIES.get(country.strip().upper()) if country else None


# ---------------------------------------------------------------------------------------
# Amounts

_CENTS = r"(?:[0-9]+|-{1,2})"  # decimals, or the dashes of "12,-" / "12.--" (whole units)
_HEAD = r"[1-9][0-9]{0,2}"  # the first group of a grouped number: never a lone 0
_NUMBER = re.compile(
    r"(?<![0-9])(?<![0-9][.,])(?:"  # not the tail of a longer number ("05.03.2025")
    r"[1-9][0-9]?(?:,[0-9]{2})+,[0-9]{3}(?:\.[0-9]+)?"  # Indian lakh grouping 1,23,456.78
    rf"|{_HEAD}(?:,[0-9]{{3}})+(?:\.{_CENTS})?"  # 1,234.56
    rf"|{_HEAD}(?:\.[0-9]{{3}})+(?:,{_CENTS})?"  # 1.234,56
    rf"|{_HEAD}(?:['’][0-9]{{3}})+(?:[.,]{_CENTS})?"  # 1'234.56 (Swiss)
    rf"|{_HEAD}(?:[\u00a0\u202f\u2009][0-9]{{3}})+(?:[.,]{_CENTS})?"  # typographic spaces
    rf"|{_HEAD}(?: [0-9]{{3}})+,{_CENTS}"  # 1 234,56
    rf"|[0-9]+(?:[.,]{_CENTS})?"  # 1234, 1234.5, 12,-
    r")(?![0-9]|[.,][0-9])"  # the whole run of digits, or nothing
)
# A sign before the number, perhaps with a currency between: "-12", "(RM 12", "RM -12", "-€12".
# A minus must touch the number or its currency: in "Total - 12.00" the dash only separates.
_SIGN_BEFORE = re.compile(
    rf"(?:^|[^a-z0-9]|{_CURRENCY_TOKEN})\s*(?:(?P<paren>\()\s*|(?P<minus>[-−–]))(?:{_CURRENCY_TOKEN}\s*)?$"
)
# After it: "12.00-" (attached), "12.00)", "12.00 CR", "12.00 EUR DR".
_SIGN_AFTER = re.compile(rf"^(?P<minus>[-−])(?![0-9])|^\s*(?:{_CURRENCY_TOKEN}\s*)?(?P<mark>\)|cr|dr)(?![a-z])")
_CURRENCY_BEFORE = re.compile(rf"{_CURRENCY_TOKEN}\s*[(\-−–]?\s*$")
_CURRENCY_AFTER = re.compile(rf"^\s*{_CURRENCY_TOKEN}")


@dataclass(frozen=True)
class _Number:
    start: int  # of the amount with its sign and currency marks
    end: int
    value: Decimal
    rank: int  # 2 looks like money, 1 a plain number, 0 glued to a word


def _decimal(number: str) -> Decimal:
    """A matched number to a Decimal, as many decimals as printed.

    The last separator is the decimal point unless it is followed by exactly three digits
    and groups thousands like every separator before it, after a 1-3 digit head that is not 0.
    """
    head, point, tail = number, "", ""
    last = re.search(r"[.,]([0-9]+|-+)$", number)
    if last is not None:
        before = number[: last.start()]
        grouping = (
            re.fullmatch(r"[0-9]{3}", last[1]) is not None
            and re.match(_HEAD + r"(?![0-9])", before) is not None
            and all(sep == last[0][0] for sep in re.findall(r"[^0-9]", before))
        )
        if not grouping:
            head, point, tail = before, ".", "00" if last[1].startswith("-") else last[1]
    return Decimal(re.sub(r"[^0-9]", "", head) + point + tail)


def _sign(before: str, after: str) -> tuple[int, int, int]:
    """-1 for a credit ("-12", "(12)", "12-", "12 CR"; "12 DR" is a debit, positive), and how
    many characters of ``before`` and ``after`` the sign marks take."""
    sign_after = _SIGN_AFTER.match(after)
    if sign_after is not None and sign_after["mark"] != ")":
        return (1 if sign_after["mark"] == "dr" else -1), 0, sign_after.end()
    sign_before = _SIGN_BEFORE.search(before)
    if sign_before is None:
        return 1, 0, 0
    if sign_before["minus"]:
        return -1, len(before) - sign_before.start("minus"), 0
    if sign_after is not None:  # "(12.00)": brackets on both sides
        return -1, len(before) - sign_before.start("paren"), sign_after.end()
    return 1, 0, 0


def _numbers(folded: str) -> Iterator[_Number]:
    """The numbers of ``folded`` that could be amounts, each spanning its sign and currency."""
    for m in _NUMBER.finditer(folded):
        value = _decimal(m[0])
        if value.adjusted() >= MAX_AMOUNT_DIGITS:
            continue  # a longer run of digits is no amount (see MAX_AMOUNT_DIGITS)
        before, after = folded[: m.start()], folded[m.end():]
        if re.match(r"\s*%", after) or re.search(r"[0-9][:/]$", before) or re.match(r"[:/][0-9]", after):
            continue  # a percentage, a time, a date or a fraction
        if re.search(r"[0-9]-$", before) or re.match(r"-[0-9]", after):
            continue  # a hyphen between numbers: a date or a range, not a sign
        sign, lead, trail = _sign(before, after)
        currency_before, currency_after = _CURRENCY_BEFORE.search(before), _CURRENCY_AFTER.match(after)
        if currency_before is not None:
            lead = max(lead, len(before) - currency_before.start())
        if currency_after is not None:
            trail = max(trail, currency_after.end())
        glued = (re.search(r"[a-z]$", before) is not None and currency_before is None) or (
            re.match(r"[a-z]", after) is not None and currency_after is None
            and re.match(r"(?:cr|dr)(?![a-z])", after) is None
        )
        # Money: a currency beside it, a decimal part or thousands groups.
        money = currency_before is not None or currency_after is not None or not m[0].isdigit()
        yield _Number(m.start() - lead, m.end() + trail, sign * value, 0 if glued else 2 if money else 1)


def parse_amount(text: str, *, country: str | None = None) -> AmountReading | None:
    """The amount in ``text`` as a Decimal, with its currency when printed beside it.

    With several numbers the last money-looking one wins (see the module docstring).
    ``country`` (ISO 3166 alpha-2) resolves a bare ``$``, ``kr`` or ``¥``.
    """
    folded = _folded(text)
    numbers = list(_numbers(folded))
    if not numbers:
        return None
    best_rank = max(n.rank for n in numbers)
    index = max(i for i, n in enumerate(numbers) if n.rank == best_rank)
    chosen = numbers[index]
    # The currency is looked for between the neighbouring numbers only.
    low = numbers[index - 1].end if index > 0 else 0
    high = numbers[index + 1].start if index + 1 < len(numbers) else len(text)
    marks = _currency_marks(folded[low:high], text[low:high], country)
    decided = next((mark.code for mark, _ in marks if not mark.guessed), None)
    return AmountReading(chosen.value, currency=decided, text=text[chosen.start:chosen.end].strip())


# ---------------------------------------------------------------------------------------
# Countries

_COUNTRY_WORDS: dict[str, tuple[str, ...]] = {
    "DE": ("germany", "deutschland", "allemagne", "duitsland", "alemania", "germania", "jerman"),
    "FR": ("france", "frankreich", "frankrijk", "francia", "perancis"),
    "NL": ("netherlands", "the netherlands", "nederland", "holland", "pays-bas", "pays bas", "niederlande",
           "paises bajos", "paesi bassi", "belanda"),
    "ES": ("spain", "espana", "spanien", "espagne", "spanje", "spagna", "sepanyol"),
    "IT": ("italy", "italia", "italien", "italie"),
    "GB": ("united kingdom", "uk", "u.k.", "great britain", "england", "scotland", "wales", "northern ireland",
           "royaume-uni", "royaume uni", "vereinigtes konigreich", "verenigd koninkrijk", "reino unido",
           "regno unito"),
    "US": ("united states", "united states of america", "usa", "u.s.a.", "u.s.", "etats-unis", "etats unis",
           "vereinigte staaten", "verenigde staten", "estados unidos", "stati uniti", "amerika syarikat"),
    "MY": ("malaysia", "malaisie", "maleisie", "malasia"),
    "CH": ("switzerland", "schweiz", "suisse", "svizzera", "zwitserland", "suiza"),
    "AT": ("austria", "osterreich", "autriche", "oostenrijk"),
    "BE": ("belgium", "belgique", "belgie", "belgien", "belgica", "belgio"),
    "LU": ("luxembourg", "luxemburg", "lussemburgo"),
    "IE": ("ireland", "irland", "irlande", "ierland", "irlanda"),
    "PT": ("portugal", "portogallo"),
    "DK": ("denmark", "danemark", "danmark", "denemarken", "dinamarca", "danimarca"),
    "SE": ("sweden", "schweden", "suede", "sverige", "zweden", "suecia", "svezia"),
    "NO": ("norway", "norwegen", "norvege", "norge", "noorwegen", "noruega", "norvegia"),
    "PL": ("poland", "polen", "pologne", "polska", "polonia"),
    "CA": ("canada", "kanada"),
    "AU": ("australia", "australien", "australie"),
    "NZ": ("new zealand", "nouvelle-zelande", "neuseeland", "nieuw-zeeland", "nueva zelanda"),
    "SG": ("singapore", "singapur", "singapour"),
    "HK": ("hong kong",),
    "IN": ("india", "inde", "indien"),
    "CN": ("china", "chine", "cina"),
    "JP": ("japan", "japon", "giappone", "jepun"),
    "ID": ("indonesia", "indonesie", "indonesien"),
    "TH": ("thailand", "thailande", "tailandia"),
    "PH": ("philippines", "filipina", "filipinas"),
    "MX": ("mexico", "mexique", "mexiko", "messico"),
    "BR": ("brazil", "brasil", "bresil", "brasilien"),
}
# Places within a country: they name it as well as its name does in an address, but a line
# that ends with one has not ended the address.
_PLACE_WORDS: dict[str, tuple[str, ...]] = {
    "US": ("new mexico", "new england"),
    "MY": ("selangor", "johor", "johor bahru", "kuala lumpur", "wilayah persekutuan", "putrajaya", "labuan",
           "penang", "pulau pinang", "kedah", "kelantan",
           "terengganu", "pahang", "perak", "negeri sembilan", "melaka", "malacca", "sabah", "sarawak", "perlis",
           "petaling jaya", "shah alam", "subang jaya", "kota kinabalu", "kuching", "ipoh", "seri kembangan", "klang",
           "damansara", "cheras", "kepong", "puchong", "kajang", "seremban", "rawang",
           # Malay street words; also used in Indonesia and Singapore, whose names come later
           # in an address and so win.
           "jalan", "jln", "taman", "tmn", "lorong", "lrg", "persiaran"),
    "AU": ("new south wales", "queensland"),
}
_COUNTRIES = {word: code for words in (_COUNTRY_WORDS, _PLACE_WORDS) for code, found in words.items() for word in found}
_COUNTRY_NAMES = {
    "DE": "Germany", "FR": "France", "NL": "the Netherlands", "ES": "Spain", "IT": "Italy",
    "GB": "the United Kingdom", "US": "the United States", "MY": "Malaysia", "CH": "Switzerland", "AT": "Austria",
    "BE": "Belgium", "LU": "Luxembourg", "IE": "Ireland", "PT": "Portugal", "DK": "Denmark", "SE": "Sweden",
    "NO": "Norway", "PL": "Poland", "CA": "Canada", "AU": "Australia", "NZ": "New Zealand", "SG": "Singapore",
    "HK": "Hong Kong", "IN": "India", "CN": "China", "JP": "Japan", "ID": "Indonesia", "TH": "Thailand",
    "PH": "the Philippines", "MX": "Mexico", "BR": "Brazil",
}
_COUNTRY_WORD = re.compile(rf"(?<![a-z])(?:{_alternation(_COUNTRIES)})(?![a-z])")
_COUNTRY_NAME_WORDS = frozenset(word for words in _COUNTRY_WORDS.values() for word in words)
_US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
).split()
# Matched on the text as printed: state codes and postcodes are written in capitals.
_US_ZIP = re.compile(rf"\b(?:{'|'.join(_US_STATES)}),?\s+[0-9]{{5}}(?:-[0-9]{{4}})?\b")
_MY_POSTCODE = re.compile(r"\b[0-9]{5},?\s+(?:KL|PJ)\b")  # "52100 KL": Kuala Lumpur, Petaling Jaya
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}\b")


def country_from_text(text: str) -> str | None:
    """The country (ISO 3166 alpha-2) an address names, or None; the last clue wins."""
    clues = [(m.start(), _COUNTRIES[m[0]]) for m in _COUNTRY_WORD.finditer(_fold(text))]
    clues += [(m.start(), "US") for m in _US_ZIP.finditer(text)]
    clues += [(m.start(), "GB") for m in _UK_POSTCODE.finditer(text)]
    clues += [(m.start(), "MY") for m in _MY_POSTCODE.finditer(text)]
    return max(clues)[1] if clues else None


def ends_with_country(text: str) -> bool:
    """Whether ``text`` ends with a country's name ("56000 Kuala Lumpur, Malaysia.")."""
    folded = _fold(text)
    # Matched among the places too: "New South Wales" is a state, not Wales.
    return any(m[0] in _COUNTRY_NAME_WORDS and not folded[m.end():].strip(" .,;")
               for m in _COUNTRY_WORD.finditer(folded))
