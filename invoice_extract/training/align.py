"""Put SROIE's gold strings back onto words, fuzzily, to get word-level training labels.

The gold gives only strings (company, address, date, total), not where they are printed.
Names, addresses and dates become the contiguous run of words whose letters and digits
best match the gold string (rapidfuzz ratio, a threshold per field). A total is printed
several times on a receipt (total, cash, rounding); the copy on a row that says "total"
is taken, the lowest such on the page when there are several.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from rapidfuzz import fuzz

from ..document import Word

_MIN_SCORE = {"VENDOR_NAME": 85.0, "VENDOR_ADDRESS": 85.0, "INVOICE_DATE": 90.0}
_TOTAL_WORDS = re.compile(r"total|amount|amt|nett|jumlah|grand|due|payable", re.I)
_NOT_TOTAL_WORDS = re.compile(r"sub|cash|change|tender|paid|qty|items?|disc|saving|gst|tax|sst|excl", re.I)


def letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def best_span(words: Sequence[Word], target: str, taken: Sequence[bool]) -> tuple[float, int, int] | None:
    """The run of free words whose text best matches ``target``: (score, first, last)."""
    goal = letters_and_digits(target)
    if not goal:
        return None
    best: tuple[float, int, int] | None = None
    for first in range(len(words)):
        if taken[first] or not letters_and_digits(words[first].text):
            continue
        joined = ""
        for last in range(first, len(words)):
            if taken[last]:
                break
            joined += letters_and_digits(words[last].text)
            if len(joined) > 1.3 * len(goal) + 3:
                break
            score = fuzz.ratio(joined, goal)
            if best is None or score > best[0]:
                best = (score, first, last)
    return best


def amount(text: str) -> Decimal | None:
    """The amount a word shows, tolerating currency marks, OCR junk and a decimal comma."""
    cleaned = re.sub(r"[^\d.,-]", "", text)
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?|-?\d+(\.\d+)?", cleaned):
        cleaned = cleaned.replace(",", "")
    elif re.fullmatch(r"-?\d+,\d{2}", cleaned):
        cleaned = cleaned.replace(",", ".")
    else:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _row_text(words: Sequence[Word], target: Word) -> str:
    """Text of the words whose vertical middle lies within the target word's height."""
    top, bottom = target.box[1], target.box[3]
    return " ".join(w.text for w in words if top <= (w.box[1] + w.box[3]) / 2 <= bottom)


def total_index(words: Sequence[Word], total: str, taken: Sequence[bool]) -> int | None:
    goal = amount(total)
    if goal is None:
        return None
    candidates = [i for i, w in enumerate(words) if not taken[i] and amount(w.text) == goal]
    if not candidates:
        return None

    def preference(index: int) -> tuple[int, float]:
        row = _row_text(words, words[index])
        score = (2 if _TOTAL_WORDS.search(row) else 0) - (1 if _NOT_TOTAL_WORDS.search(row) else 0)
        return score, words[index].box[1]

    return max(candidates, key=preference)


def align_gold(words: Sequence[Word], gold: dict[str, str | None], raw: dict[str, str]) -> list[str | None]:
    """A field name (or None) per word. The date is matched as printed (``raw['date']``)."""
    fields: list[str | None] = [None] * len(words)
    taken = [False] * len(words)

    if gold.get("total"):
        index = total_index(words, gold["total"], taken)
        if index is not None:
            fields[index], taken[index] = "TOTAL", True
    for field, target in (("INVOICE_DATE", raw.get("date")), ("VENDOR_NAME", gold.get("vendor_name")),
                          ("VENDOR_ADDRESS", gold.get("vendor_address"))):
        if not target or (field == "INVOICE_DATE" and not gold.get("invoice_date")):
            continue
        span = best_span(words, target, taken)
        if span and span[0] >= _MIN_SCORE[field]:
            for i in range(span[1], span[2] + 1):
                fields[i], taken[i] = field, True
    return fields
