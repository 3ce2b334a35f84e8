"""The value normalisers against hand-written tables: every expected value here is the
spec, worked out by hand (calendar facts used: 2025-03-05 is a Wednesday, 2025-05-03 a
Saturday), never computed by the code under test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoice_extract.normalise import (
    AmountReading,
    CurrencyReading,
    DateReading,
    country_from_text,
    detect_currency,
    ends_with_country,
    guess_language,
    infer_day_first,
    parse_amount,
    parse_date,
)

# ---------------------------------------------------------------------------------------
# Dates: (printed, ISO date); each reads one way only, with day_first=None.

DATE_FORMS: list[tuple[str, str]] = [
    # numeric, a day over 12 decides the order
    ("25/03/2025", "2025-03-25"),
    ("25.03.2025", "2025-03-25"),
    ("25-03-2025", "2025-03-25"),
    ("25/3/25", "2025-03-25"),
    ("25.3.25", "2025-03-25"),
    ("3/25/2025", "2025-03-25"),
    ("03-25-2025", "2025-03-25"),
    ("12/28/2017", "2017-12-28"),
    ("31.12.2024", "2024-12-31"),
    ("29.02.2024", "2024-02-29"),
    ("05/05/2025", "2025-05-05"),
    ("13/01/99", "1999-01-13"),
    ("13.01.70", "1970-01-13"),
    ("31/12/69", "2069-12-31"),
    ("Date: 25/12/2018 13:45", "2018-12-25"),
    ("DATE : 19/10/2018 10:05:12 AM", "2018-10-19"),
    ("(16/12/2016)", "2016-12-16"),
    ("25 / 03 / 2025", "2025-03-25"),
    ("Rechnungsdatum: 25.03.2025", "2025-03-25"),
    ("Fecha: 25-03-2025.", "2025-03-25"),
    ("Invoice date 3/25/25", "2025-03-25"),
    ("Date:25/03/2025", "2025-03-25"),
    ("*25/03/2025*", "2025-03-25"),
    ("25/03/2025 12:30", "2025-03-25"),
    ("Tarikh 25-03-2025 12:30PM", "2025-03-25"),
    # year first: never ambiguous
    ("2025-03-05", "2025-03-05"),
    ("2025/03/05", "2025-03-05"),
    ("2025.03.05", "2025-03-05"),
    ("2025-3-5", "2025-03-05"),
    ("2017-12-28 14:03", "2017-12-28"),
    ("Datum: 2024-02-29", "2024-02-29"),
    ("2025/12/31", "2025-12-31"),
    ("2O25-03-05", "2025-03-05"),  # OCR: letter O for zero
    ("2025-03-O5", "2025-03-05"),
    # eight digits that read one way only
    ("20250305", "2025-03-05"),
    ("25032018", "2018-03-25"),
    ("20171228", "2017-12-28"),
    ("Date 20240229", "2024-02-29"),
    ("12282017", "2017-12-28"),
    # English month names
    ("5 March 2025", "2025-03-05"),
    ("05 March 2025", "2025-03-05"),
    ("5th March 2025", "2025-03-05"),
    ("1st March 2025", "2025-03-01"),
    ("2nd Feb 2025", "2025-02-02"),
    ("3rd August 2025", "2025-08-03"),
    ("March 5, 2025", "2025-03-05"),
    ("March 5 2025", "2025-03-05"),
    ("Mar 5 2025", "2025-03-05"),
    ("Mar. 5, 2025", "2025-03-05"),
    ("March 5th, 2025", "2025-03-05"),
    ("OCT 3, 2016", "2016-10-03"),
    ("05-Mar-2025", "2025-03-05"),
    ("05-MAR-2025", "2025-03-05"),
    ("05MAR2025", "2025-03-05"),
    ("5-Mar-25", "2025-03-05"),
    ("27/MAR/2018", "2018-03-27"),
    ("02/JAN/2017", "2017-01-02"),
    ("22 MAR 18", "2018-03-22"),
    ("05 MAY 18", "2018-05-05"),
    ("09 MAY 2018", "2018-05-09"),
    ("1 January 2025", "2025-01-01"),
    ("28 February 2025", "2025-02-28"),
    ("30 April 2025", "2025-04-30"),
    ("31 May 2025", "2025-05-31"),
    ("15 June 2025", "2025-06-15"),
    ("4 July 2025", "2025-07-04"),
    ("Aug 15, 2025", "2025-08-15"),
    ("15 Sept. 2025", "2025-09-15"),
    ("15 Sep 2025", "2025-09-15"),
    ("October 31, 2024", "2024-10-31"),
    ("11 Nov 2024", "2024-11-11"),
    ("25 December 2024", "2024-12-25"),
    ("Dec 25 '24", "2024-12-25"),
    ("Wednesday, 5 March 2025", "2025-03-05"),
    ("Wed, 05 Mar 2025 14:30", "2025-03-05"),
    ("Invoice Date: March 5, 2025", "2025-03-05"),
    ("2025-Mar-05", "2025-03-05"),
    ("2025 March 5", "2025-03-05"),
    ("5 March, 2025", "2025-03-05"),
    ("Date: 5 March 2025.", "2025-03-05"),
    # German
    ("5. März 2025", "2025-03-05"),
    ("05. März 2025", "2025-03-05"),
    ("5. Maerz 2025", "2025-03-05"),
    ("5. Marz 2025", "2025-03-05"),
    ("1. Januar 2025", "2025-01-01"),
    ("14. Februar 2025", "2025-02-14"),
    ("3. Mai 2025", "2025-05-03"),
    ("21. Juni 2025", "2025-06-21"),
    ("4. Juli 2025", "2025-07-04"),
    ("31. Oktober 2025", "2025-10-31"),
    ("5. Okt. 2025", "2025-10-05"),
    ("24. Dezember 2024", "2024-12-24"),
    ("24. Dez. 2024", "2024-12-24"),
    ("15. Jänner 2025", "2025-01-15"),
    ("Mi., 05.03.2025", "2025-03-05"),  # the weekday decides: 5 March 2025 is a Wednesday
    ("Mittwoch, 5. März 2025", "2025-03-05"),
    # French
    ("5 mars 2025", "2025-03-05"),
    ("1er mars 2025", "2025-03-01"),
    ("1er janvier 2025", "2025-01-01"),
    ("14 février 2025", "2025-02-14"),
    ("14 fevrier 2025", "2025-02-14"),
    ("15 août 2025", "2025-08-15"),
    ("15 aout 2025", "2025-08-15"),
    ("25 décembre 2024", "2024-12-25"),
    ("25 decembre 2024", "2024-12-25"),
    ("5 déc. 2024", "2024-12-05"),
    ("12 févr. 2025", "2025-02-12"),
    ("14 juillet 2025", "2025-07-14"),
    ("3 juil. 2025", "2025-07-03"),
    ("le 5 mars 2025", "2025-03-05"),
    ("mercredi 5 mars 2025", "2025-03-05"),
    ("1 avr. 2025", "2025-04-01"),
    # Dutch
    ("5 maart 2025", "2025-03-05"),
    ("5 mrt 2025", "2025-03-05"),
    ("1 januari 2025", "2025-01-01"),
    ("14 februari 2025", "2025-02-14"),
    ("1 mei 2025", "2025-05-01"),
    ("15 augustus 2025", "2025-08-15"),
    ("3 okt. 2025", "2025-10-03"),
    ("woensdag 5 maart 2025", "2025-03-05"),
    ("1e juni 2025", "2025-06-01"),
    # Spanish
    ("5 de marzo de 2025", "2025-03-05"),
    ("5 de marzo del 2025", "2025-03-05"),
    ("1º de enero de 2025", "2025-01-01"),
    ("14 de febrero de 2025", "2025-02-14"),
    ("15 de agosto de 2025", "2025-08-15"),
    ("12 de octubre de 2025", "2025-10-12"),
    ("25 de diciembre de 2024", "2024-12-25"),
    ("7 de septiembre de 2025", "2025-09-07"),
    ("7 de setiembre de 2025", "2025-09-07"),
    ("miércoles, 5 de marzo de 2025", "2025-03-05"),
    ("05-ene-2025", "2025-01-05"),
    ("05/abr/2025", "2025-04-05"),
    # Italian
    ("5 marzo 2025", "2025-03-05"),
    ("1 gennaio 2025", "2025-01-01"),
    ("14 febbraio 2025", "2025-02-14"),
    ("2 giugno 2025", "2025-06-02"),
    ("15 agosto 2025", "2025-08-15"),
    ("1 settembre 2025", "2025-09-01"),
    ("31 ottobre 2025", "2025-10-31"),
    ("8 dicembre 2025", "2025-12-08"),
    ("05-gen-2025", "2025-01-05"),
    ("10 lug 2025", "2025-07-10"),
    ("mercoledì 5 marzo 2025", "2025-03-05"),
    ("3 mag. 2025", "2025-05-03"),
    # Malay
    ("05 Mac 2025", "2025-03-05"),
    ("5 Januari 2025", "2025-01-05"),
    ("14 Februari 2025", "2025-02-14"),
    ("1 Mei 2025", "2025-05-01"),
    ("9 Jun 2025", "2025-06-09"),
    ("20 Julai 2025", "2025-07-20"),
    ("31 Ogos 2025", "2025-08-31"),
    ("12 Ogo 2025", "2025-08-12"),
    ("16 September 2025", "2025-09-16"),
    ("31 Oktober 2025", "2025-10-31"),
    ("25 Disember 2024", "2024-12-25"),
    ("25 Dis 2024", "2024-12-25"),
    ("Rabu, 5 Mac 2025", "2025-03-05"),
]

# Numeric dates that read both ways: (printed, day-first reading, month-first alternative).
AMBIGUOUS_DATES: list[tuple[str, str, str]] = [
    ("03/05/2025", "2025-05-03", "2025-03-05"),
    ("3/5/25", "2025-05-03", "2025-03-05"),
    ("05.03.2025", "2025-03-05", "2025-05-03"),
    ("5.3.25", "2025-03-05", "2025-05-03"),
    ("05-03-2025", "2025-03-05", "2025-05-03"),
    ("01/02/2024", "2024-02-01", "2024-01-02"),
    ("(06/12/2016)", "2016-12-06", "2016-06-12"),
    ("12-01-19", "2019-01-12", "2019-12-01"),
    ("Tarikh: 05/03/2025", "2025-03-05", "2025-05-03"),
    ("11.02.18", "2018-02-11", "2018-11-02"),
    ("Date: 05/03/2025 12:30", "2025-03-05", "2025-05-03"),
]

NOT_DATES = [
    "31.02.2025", "30/02/2025", "29.02.2025", "32/01/2025", "13/13/2025", "2025-02-30", "2025-13-01",
    "05/03/1969", "01/01/2100", "1 March 1969", "March 2025", "5 March", "12:30", "", "Total 12.50",
    "INV-2025-0001", "12345678", "99999999", "Feb 30, 2025", "05MAR", "1.234,56", "12.50",
    "Tel: 03-7803 1234", "Page 1/2", "31 Febuary 2025", "5 March, 10 am", "5 March 10 am", "Q1 2025",
    "05032025",  # eight digits, both orders valid: not read without day_first
]


def test_the_tables_cover_the_required_number_of_forms() -> None:
    assert len({text for text, _ in DATE_FORMS} | {text for text, *_ in AMBIGUOUS_DATES}) >= 120
    assert len({text for text, *_ in AMOUNT_FORMS}) >= 120


@pytest.mark.parametrize(("text", "expected"), DATE_FORMS)
def test_date_forms(text: str, expected: str) -> None:
    reading = parse_date(text)
    assert reading is not None, text
    assert reading.value == date.fromisoformat(expected)
    assert not reading.ambiguous
    assert reading.alternative is None


@pytest.mark.parametrize(("text", "value", "alternative"), AMBIGUOUS_DATES)
def test_ambiguous_dates_read_day_first_and_flagged(text: str, value: str, alternative: str) -> None:
    assert parse_date(text) == DateReading(
        date.fromisoformat(value), ambiguous=True, alternative=date.fromisoformat(alternative),
        text=text.split(": ")[-1].removesuffix(" 12:30").strip("()"),
    )


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("03/05/2025", True, "2025-05-03"),
        ("03/05/2025", False, "2025-03-05"),
        ("05.03.25", False, "2025-05-03"),
        ("25/03/2025", False, "2025-03-25"),  # only one reading: the preference does not apply
        ("3/25/2025", True, "2025-03-25"),
        ("05032025", True, "2025-03-05"),  # eight digits: the caller's order makes one reading
        ("05032025", False, "2025-05-03"),
        ("2025-03-05", False, "2025-03-05"),
        ("5 March 2025", False, "2025-03-05"),
        ("Sat 03/05/2025", None, "2025-05-03"),  # the weekday decides
        ("Wed 03/05/2025", None, "2025-03-05"),
        ("Wed, 03/05/2025", True, "2025-03-05"),  # a printed weekday beats the preference
        ("Mittwoch, 05.03.2025", None, "2025-03-05"),
        ("Samstag 05.03.2025", None, "2025-05-03"),
    ],
)
def test_decided_order_is_not_ambiguous(text: str, day_first: bool | None, expected: str) -> None:
    reading = parse_date(text, day_first=day_first)
    assert reading is not None
    assert (reading.value, reading.ambiguous, reading.alternative) == (date.fromisoformat(expected), False, None)


def test_weekday_matching_neither_reading_leaves_it_ambiguous() -> None:
    reading = parse_date("Mon 03/05/2025")  # neither 3 May nor 5 March 2025 is a Monday
    assert reading is not None and reading.ambiguous


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("Date: 5 March 2025.", "5 March 2025"),
        ("Mi., 05.03.2025", "05.03.2025"),
        ("Invoice date: 2025-03-05 12:30", "2025-03-05"),
        ("le 1er mars 2025,", "1er mars 2025"),
        ("2O25-03-05", "2O25-03-05"),
    ],
)
def test_date_text_is_the_matched_part_as_printed(text: str, matched: str) -> None:
    reading = parse_date(text)
    assert reading is not None and reading.text == matched


def test_first_date_in_the_span_wins() -> None:
    reading = parse_date("Date 25/03/2025 Due 24/04/2025")
    assert reading is not None and reading.value == date(2025, 3, 25)


# ---------------------------------------------------------------------------------------
# Amounts: (printed, value as a decimal string, currency the text decides)

AMOUNT_FORMS: list[tuple[str, str, str | None]] = [
    ("1,234.56", "1234.56", None),
    ("1.234,56", "1234.56", None),
    ("1 234,56", "1234.56", None),
    ("1\u00a0234,56", "1234.56", None),
    ("1\u202f234,56", "1234.56", None),
    ("1\u202f234.50", "1234.50", None),
    ("1\u00a0234", "1234", None),
    ("1'234.56", "1234.56", None),
    ("1’234.56", "1234.56", None),
    ("1234", "1234", None),
    ("1234.5", "1234.5", None),
    ("1234.56", "1234.56", None),
    ("1234,56", "1234.56", None),
    ("12,-", "12.00", None),
    ("12.-", "12.00", None),
    ("12,--", "12.00", None),
    ("1.234,-", "1234.00", None),
    ("(12.00)", "-12.00", None),
    ("12.00-", "-12.00", None),
    ("-12.00", "-12.00", None),
    ("\u221212.00", "-12.00", None),
    ("12.00 CR", "-12.00", None),
    ("12.00 DR", "12.00", None),
    ("1,234.56 CR", "-1234.56", None),
    ("(1.234,56)", "-1234.56", None),
    ("1.234", "1234", None),
    ("1,234", "1234", None),
    ("1,23", "1.23", None),
    ("1.5", "1.5", None),
    ("1,5", "1.5", None),
    ("0.125", "0.125", None),
    ("0,50", "0.50", None),
    ("0.00", "0.00", None),
    ("12", "12", None),
    ("100", "100", None),
    ("9.99", "9.99", None),
    ("99,99", "99.99", None),
    ("43.7", "43.7", None),
    ("-1.73", "-1.73", None),
    ("12,345", "12345", None),
    ("123,456", "123456", None),
    ("12.345,6", "12345.6", None),
    ("1,000", "1000", None),
    ("1.000", "1000", None),
    ("10.000", "10000", None),
    ("1.000,00", "1000.00", None),
    ("1,000.00", "1000.00", None),
    ("1,234,567.89", "1234567.89", None),
    ("1.234.567,89", "1234567.89", None),
    ("1'234'567.89", "1234567.89", None),
    ("1 234 567,89", "1234567.89", None),
    ("1234.567", "1234.567", None),  # a 4-digit head is no thousands group
    ("1,234.567", "1234.567", None),  # "," groups, so "." is the decimal point
    ("1,00,000.00", "100000.00", None),
    ("12.5O", "12.50", None),  # OCR: letter O for zero
    # totals lines: words around, the last money-looking number wins
    ("Total: 12.50", "12.50", None),
    ("TOTAL (incl. GST) 12.50", "12.50", None),
    ("* 12.50", "12.50", None),
    ("Total 12.50 (2 items)", "12.50", None),
    ("GST 6%: 0.72", "0.72", None),
    ("Total 2 items 45.90", "45.90", None),
    ("Qty 2 x 12.50", "12.50", None),
    ("2x12.50", "12.50", None),
    ("ROUNDING -0.02", "-0.02", None),
    ("Rounding Adj (0.03)", "-0.03", None),
    ("CASH 50.00", "50.00", None),
    ("CHANGE 4.10", "4.10", None),
    ("TOTAL: 9.00", "9.00", None),
    ("Total:12.50", "12.50", None),
    ("Subtotal 1,234.56", "1234.56", None),
    ("TOTAL 1 234,56", "1234.56", None),
    ("Invoice 2025 amount 1,234", "1234", None),
    # currencies beside the amount
    ("RM 12.50", "12.50", "MYR"),
    ("RM12.50", "12.50", "MYR"),
    ("TOTAL (incl. 6% GST) RM 12.50", "12.50", "MYR"),
    ("TOTAL RM 1,007.50", "1007.50", "MYR"),
    ("Jumlah RM 45.90", "45.90", "MYR"),
    ("JUMLAH: RM45.90", "45.90", "MYR"),
    ("MYR 1,234.50", "1234.50", "MYR"),
    ("myr 12.50", "12.50", "MYR"),
    ("(RM 12.00)", "-12.00", "MYR"),
    ("RM (12.00)", "-12.00", "MYR"),
    ("-RM12.50", "-12.50", "MYR"),
    ("RM -12.50", "-12.50", "MYR"),
    ("12.50 €", "12.50", "EUR"),
    ("€12,50", "12.50", "EUR"),
    ("EUR 1.234,56", "1234.56", "EUR"),
    ("1.234,50 EUR", "1234.50", "EUR"),
    ("EUR1.234,56", "1234.56", "EUR"),
    ("12.50EUR", "12.50", "EUR"),
    ("12,50 Euro", "12.50", "EUR"),
    ("-€12,50", "-12.50", "EUR"),
    ("€ -12,50", "-12.50", "EUR"),
    ("12.50- EUR", "-12.50", "EUR"),
    ("12.00 EUR CR", "-12.00", "EUR"),
    ("Gesamtbetrag: 1.234,56 €", "1234.56", "EUR"),
    ("Summe EUR 99,90", "99.90", "EUR"),
    ("Total TTC : 1 234,56 €", "1234.56", "EUR"),
    ("Montant HT 100,00 €", "100.00", "EUR"),
    ("Totaal € 12,50", "12.50", "EUR"),
    ("Te betalen: € 1.234,56", "1234.56", "EUR"),
    ("Importe total: 45,90 €", "45.90", "EUR"),
    ("Totale EUR 1.234,56", "1234.56", "EUR"),
    ("USD 1,234.56", "1234.56", "USD"),
    ("US$ 12.00", "12.00", "USD"),
    ("US$12", "12", "USD"),
    ("Amount Due (USD): 1,234.56", "1234.56", "USD"),
    ("£ 12", "12", "GBP"),
    ("£1,234.56", "1234.56", "GBP"),
    ("GBP 99.99", "99.99", "GBP"),
    ("CHF 1'234.50", "1234.50", "CHF"),
    ("CHF 12.50", "12.50", "CHF"),
    ("12.50 CHF", "12.50", "CHF"),
    ("Fr. 12.50", "12.50", "CHF"),
    ("12.50 Fr.", "12.50", "CHF"),
    ("sFr. 12.50", "12.50", "CHF"),
    ("₹1,23,456.78", "123456.78", "INR"),
    ("₹ 10,00,000", "1000000", "INR"),
    ("INR 1,23,456.00", "123456.00", "INR"),
    ("A$ 45.90", "45.90", "AUD"),
    ("AUD 45.90", "45.90", "AUD"),
    ("C$ 19.99", "19.99", "CAD"),
    ("CAD 19.99", "19.99", "CAD"),
    ("S$ 8.80", "8.80", "SGD"),
    ("SGD 8.80", "8.80", "SGD"),
    ("HK$ 120", "120", "HKD"),
    ("HKD 120.00", "120.00", "HKD"),
    ("NZ$ 15.00", "15.00", "NZD"),
    ("R$ 1.234,56", "1234.56", "BRL"),
    ("12,50 zł", "12.50", "PLN"),
    ("PLN 1 234,56", "1234.56", "PLN"),
    ("SEK 1 234,50", "1234.50", "SEK"),
    ("12,50 SEK", "12.50", "SEK"),
    ("DKK 1.234,50", "1234.50", "DKK"),
    ("NOK 1 234,50", "1234.50", "NOK"),
    ("ZAR 1 234,56", "1234.56", "ZAR"),
    ("JPY 1,234", "1234", "JPY"),
    ("₩12,000", "12000", "KRW"),
    ("฿ 250.00", "250.00", "THB"),
    ("THB 250", "250", "THB"),
    ("₱1,250.00", "1250.00", "PHP"),
    ("IDR 125.000", "125000", "IDR"),
    ("Rp 125.000", "125000", "IDR"),
    # shared marks: the text alone does not decide the currency
    ("$1,234", "1234", None),
    ("$8.20", "8.20", None),
    ("Balance due: $1,234.56", "1234.56", None),
    ("12,50 kr", "12.50", None),
    ("¥1,234", "1234", None),
    ("¥ 1234", "1234", None),
]

NOT_AMOUNTS = ["", "Total", "N/A", "12:30", "12%", "05/03/2025", "05.03.2025", "-", "RM", "€", "abc", "Page 1/2"]


@pytest.mark.parametrize(("text", "value", "currency"), AMOUNT_FORMS)
def test_amount_forms(text: str, value: str, currency: str | None) -> None:
    reading = parse_amount(text)
    assert reading is not None, text
    assert (reading.value, reading.currency) == (Decimal(value), currency)
    assert str(reading.value) == value  # quantised as printed: 12.50 stays 12.50


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_not_amounts(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2 120.00", "120.00"),  # a plain space before a "." decimal: a quantity and a price
        ("2 120,00", "2120.00"),  # before a "," decimal: thousands
        ("Total 10.00 20.00", "20.00"),  # the last amount
        ("Subtotal 45.90 Items 3", "45.90"),  # a money-looking number beats a later plain one
        ("Items 3 Total 7", "7"),  # only plain numbers: the last
        ("INV12 Total 45", "45"),  # a number glued to a word is passed over
        ("Total - 12.00", "12.00"),  # a minus must touch the number (or its currency)
        ("Refund: -(12.00)", "-12.00"),
    ],
)
def test_amount_decisions(text: str, value: str) -> None:
    reading = parse_amount(text)
    assert reading is not None and reading.value == Decimal(value)


@pytest.mark.parametrize(
    ("text", "country", "currency"),
    [
        ("$8.20", "US", "USD"),
        ("$8.20", "MY", "MYR"),
        ("$8.20", "CA", "CAD"),
        ("12,50 kr", "DK", "DKK"),
        ("¥1,234", "CN", "CNY"),
        ("$8.20", "DE", None),  # no country rule for $ in Germany: still a guess
    ],
)
def test_amount_currency_resolved_by_country(text: str, country: str, currency: str | None) -> None:
    reading = parse_amount(text, country=country)
    assert reading is not None and reading.currency == currency


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("Total: RM 12.50", "RM 12.50"),
        ("(12.00)", "(12.00)"),
        ("12.00 CR", "12.00 CR"),
        ("Gesamt 1.234,56 €", "1.234,56 €"),
        ("-€12,50", "-€12,50"),
        ("Total 12.5O", "12.5O"),
    ],
)
def test_amount_text_is_the_amount_as_printed(text: str, printed: str) -> None:
    reading = parse_amount(text)
    assert reading is not None and reading.text == printed


def test_amount_reading_is_typed() -> None:
    assert parse_amount("EUR 12,50") == AmountReading(Decimal("12.50"), currency="EUR", text="EUR 12,50")


# ---------------------------------------------------------------------------------------
# Currency


@pytest.mark.parametrize(
    ("text", "country", "code", "guessed"),
    [
        ("€ 12,50", None, "EUR", False),
        ("£12", None, "GBP", False),
        ("EUR", None, "EUR", False),
        ("Total eur 12", None, "EUR", False),
        ("12,50 Euro", None, "EUR", False),
        ("RM 12.50", None, "MYR", False),
        ("AMOUNT (RM)", None, "MYR", False),
        ("MYR", None, "MYR", False),
        ("RMB 100", None, "CNY", False),
        ("USD", None, "USD", False),
        ("US$ 5", None, "USD", False),
        ("₹ 100", None, "INR", False),
        ("100 zł", None, "PLN", False),
        ("R$ 10,00", None, "BRL", False),
        ("A$ 10", None, "AUD", False),
        ("C$ 10", None, "CAD", False),
        ("S$ 10", None, "SGD", False),
        ("HK$ 10", None, "HKD", False),
        ("CHF 10.00", None, "CHF", False),
        ("Fr. 10.00", None, "CHF", False),
        ("TRY 100", None, "TRY", False),
        ("Total CAD 19.99", None, "CAD", False),
        # bare $ by country
        ("$12.00", None, "USD", True),
        ("$12.00", "US", "USD", False),
        ("$12.00", "CA", "CAD", False),
        ("$12.00", "AU", "AUD", False),
        ("$12.00", "SG", "SGD", False),
        ("$12.00", "NZ", "NZD", False),
        ("$12.00", "HK", "HKD", False),
        ("$12.00", "MX", "MXN", False),
        ("$12.00", "MY", "MYR", False),
        ("$12.00", "DE", "USD", True),
        ("$12.00", "us", "USD", False),
        # kr and ¥ by country
        ("12,50 kr", "DK", "DKK", False),
        ("12,50 kr", "NO", "NOK", False),
        ("12,50 kr", "SE", "SEK", False),
        ("12,50 kr", None, "SEK", True),
        ("¥1,234", None, "JPY", True),
        ("¥1,234", "JP", "JPY", False),
        ("¥1,234", "CN", "CNY", False),
        # a mark that needs no country beats a shared one; beside a number beats elsewhere
        ("Total USD 12.00 ($12.00)", None, "USD", False),
        ("$ 12.00 Currency: EUR", None, "EUR", False),
        ("EUROPA HOUSE, TOTAL RM 12.50", None, "MYR", False),
        ("WISMA EURO, TOTAL RM 12.50", None, "MYR", False),  # a code in a name, away from numbers
        ("Currency: GBP", None, "GBP", False),
    ],
)
def test_detect_currency(text: str, country: str | None, code: str, guessed: bool) -> None:
    reading = detect_currency(text, country=country)
    assert reading is not None
    assert (reading.code, reading.guessed) == (code, guessed)


@pytest.mark.parametrize(
    "text",
    [
        "EUROPE", "Europe Ltd", "TRM 12", "RMS Titanic", "Please try again", "Try it", "cad drawings", "Freitag",
        "Fr, 05.03.2025", "Total 12.50", "", "PERFUME", "USDA approved", "market", "eurobond",
        "IBAN: FR45 6183 0160 7238 0584 39", "TVA: FR61577866451", "KR12 3456",
    ],
)
def test_words_that_contain_a_code_are_not_currencies(text: str) -> None:
    assert detect_currency(text) is None


def test_currency_reading_quotes_the_mark() -> None:
    assert detect_currency("Total: RM 12.50") == CurrencyReading("MYR", guessed=False, text="RM")


# ---------------------------------------------------------------------------------------
# Day/month order of a document


@pytest.mark.parametrize(
    ("dates", "kwargs", "expected"),
    [
        (["25/03/2025", "03/04/2025"], {}, (True, "another date on the page, 25/03/2025, has a day over 12")),
        (["Date: 03/25/2025 12:30"], {},
         (False, "another date on the page, 03/25/2025, has a day over 12 in second place")),
        (["25/03/2025", "26/03/2025", "03/27/2025"], {},
         (True, "another date on the page, 25/03/2025, has a day over 12")),
        (["03/25/2025"], {"language": "de"},
         (False, "another date on the page, 03/25/2025, has a day over 12 in second place")),
        (["03/04/2025"], {"language": "de"}, (True, "the document is in German")),
        ([], {"language": "fr"}, (True, "the document is in French")),
        ([], {"language": "nl"}, (True, "the document is in Dutch")),
        ([], {"language": "es"}, (True, "the document is in Spanish")),
        ([], {"language": "it"}, (True, "the document is in Italian")),
        ([], {"language": "ms"}, (True, "the document is in Malay")),
        ([], {"language": "de-DE"}, (True, "the document is in German")),
        (["25/03/2025", "03/25/2025"], {"language": "fr"}, (True, "the document is in French")),
        ([], {"language": "de", "country": "US"}, (True, "the document is in German")),
        ([], {"language": "en", "country": "US"}, (False, "the address is in the United States")),
        ([], {"country": "us"}, (False, "the address is in the United States")),
        ([], {"country": "PH"}, (False, "the address is in the Philippines")),
        ([], {"country": "GB"}, (True, "the address is in the United Kingdom")),
        ([], {"country": "MY"}, (True, "the address is in Malaysia")),
        ([], {"country": "DE", "currency": "USD"}, (True, "the address is in Germany")),
        ([], {"country": "CA", "currency": "USD"}, (False, "the amounts are in USD")),
        ([], {"currency": "USD"}, (False, "the amounts are in USD")),
        ([], {"currency": "EUR"}, (True, "the amounts are in EUR")),
        ([], {"currency": "MYR"}, (True, "the amounts are in MYR")),
        ([], {"currency": "gbp"}, (True, "the amounts are in GBP")),
        ([], {"language": "en", "currency": "CHF"}, (True, "the amounts are in CHF")),
        ([], {"country": "JP", "currency": "JPY"}, (None, "nothing on the page says whether dates are day-first")),
        (["2025-03-25", "03/04/2025"], {}, (None, "nothing on the page says whether dates are day-first")),
        ([], {}, (None, "nothing on the page says whether dates are day-first")),
    ],
)
def test_infer_day_first(dates: list[str], kwargs: dict[str, str], expected: tuple[bool | None, str]) -> None:
    assert infer_day_first(dates, **kwargs) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Rechnung Nr. 123 Datum 05.03.2025 Gesamtbetrag 1.234,56 EUR inkl. MwSt.", "de"),
        ("Facture n° 123 Date 05/03/2025 Total TTC 1 234,56 € TVA 20%", "fr"),
        ("Factuur 123 Datum 05-03-2025 Totaal te betalen € 1.234,56 BTW 21%", "nl"),
        ("Factura 123 Fecha 05/03/2025 Importe total 1.234,56 € IVA 21%", "es"),
        ("Fattura 123 Data 05/03/2025 Totale 1.234,56 € IVA 22%", "it"),
        ("Tax Invoice Date 05/03/2025 Total Amount Due RM 45.90 Thank you", "en"),
        ("Resit Tarikh 05/03/2025 Jumlah RM 45.90 Terima kasih", "ms"),
        ("Quittung: Vielen Dank für Ihren Einkauf, Rückgeld 0,50", "de"),
        ("12.50", None),
        ("", None),
        ("Total", None),
    ],
)
def test_guess_language(text: str, language: str | None) -> None:
    assert guess_language(text) == language


# ---------------------------------------------------------------------------------------
# Country from an address


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Hauptstraße 1, 10115 Berlin, Germany", "DE"),
        ("Hauptstraße 1, 10115 Berlin, Deutschland", "DE"),
        ("10115 Berlin, Allemagne", "DE"),
        ("12 rue de Rivoli, 75001 Paris, France", "FR"),
        ("Damrak 1, 1012 LG Amsterdam, Nederland", "NL"),
        ("Amsterdam, The Netherlands", "NL"),
        ("Amsterdam, Pays-Bas", "NL"),
        ("Calle Mayor 1, 28013 Madrid, España", "ES"),
        ("Madrid, Spain", "ES"),
        ("Via Roma 1, 00184 Roma, Italia", "IT"),
        ("Rome, Italy", "IT"),
        ("10 Downing Street, London SW1A 2AA", "GB"),
        ("London SW1A 1AA, United Kingdom", "GB"),
        ("Piccadilly, Manchester M1 1AE", "GB"),
        ("Leeds, UK", "GB"),
        ("Bristol, England", "GB"),
        ("1 Market St, San Francisco, CA 94105", "US"),
        ("350 5th Ave, New York, NY 10001", "US"),
        ("Indianapolis, IN 46204-1234", "US"),
        ("Springfield, USA", "US"),
        ("Springfield, U.S.A.", "US"),
        ("Washington, United States of America", "US"),
        ("Albuquerque, NM 87102", "US"),
        ("Jalan Sultan Ismail, 50250 Kuala Lumpur, Malaysia", "MY"),
        ("47400 Petaling Jaya, Selangor", "MY"),
        ("NO 5, JALAN SAGU 18, TAMAN DAYA, 81100 JOHOR BAHRU, JOHOR.", "MY"),
        ("10200 George Town, Pulau Pinang", "MY"),
        ("Georgetown, Penang", "MY"),
        ("13, JLN TASIK UTAMA 8, 57000 KL", "MY"),
        ("HQ: 7, JLN SS21/34, 47400 PJ", "MY"),
        ("Bahnhofstrasse 1, 8001 Zürich, Schweiz", "CH"),
        ("Genève, Suisse", "CH"),
        ("Zurich, Switzerland", "CH"),
        ("Stephansplatz 1, 1010 Wien, Österreich", "AT"),
        ("Vienna, Austria", "AT"),
        ("Bruxelles, Belgique", "BE"),
        ("Antwerpen, België", "BE"),
        ("Brussels, Belgium", "BE"),
        ("Toronto, ON M5V 2T6, Canada", "CA"),
        ("Sydney NSW 2000, Australia", "AU"),
        ("Sydney, New South Wales", "AU"),
        ("1 Raffles Place, Singapore 048616", "SG"),
        ("Jalan Sudirman 1, Jakarta, Indonesia", "ID"),  # the last clue wins
        ("Shipped from Germany to France", "FR"),
    ],
)
def test_country_from_text(text: str, country: str) -> None:
    assert country_from_text(text) == country


def test_ends_with_country_names_countries_not_their_places():
    for ending in ("56000 KUALA LUMPUR , MALAYSIA", "Bahnhofstrasse 1, 8001 Zürich, Schweiz.", "España",
                   "Austin, TX 40961, USA", "Malaisie ;"):
        assert ends_with_country(ending), ending
    # A town, state or street word names the country for country_from_text, but an address
    # goes on after it; a country name in the middle is not the end either.
    for not_ending in ("55100 KUALA LUMPUR", "47400 Petaling Jaya, Selangor", "Sydney, New South Wales",
                       "Malaysia Airlines Berhad", "Avenue de France 12", ""):
        assert not ends_with_country(not_ending), not_ending


@pytest.mark.parametrize(
    "text",
    ["", "Main Street 1", "10115 Berlin", "D-10115 Berlin", "Contact us", "CONTACT US", "Indiana Jones Ltd",
     "www.example.com"],
)
def test_no_country(text: str) -> None:
    assert country_from_text(text) is None
