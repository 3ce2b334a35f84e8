"""Stage 3: the tagger's words become one validated ``InvoiceRecord``.

1. BIO tags are merged into entities (an address printed over three lines is one
   entity); each entity is scored by the model's mean probability of its field.
2. Per field the best candidate whose text normalises wins: names as printed (lines
   joined by ", " for addresses), ISO dates, decimal amounts. When the model tagged no
   span, the single word it finds likeliest may still stand in, if it is likely enough;
   a vendor address or invoice date it missed may be found by layout, flagged unsure.
3. Amount candidates compete as a set: a subtotal, tax and total that add up beat
   a likelier total that does not.
4. Checks (the sum, due date after invoice date, a positive total, unsure fields) add
   warnings; a record with warnings needs review.

Each rule was kept only if it helped on the dev sets, measured end to end with
``python -m invoice_extract.training.evaluate`` (see the README's accuracy table).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import product

from .document import Box, Document
from .ner import TaggedWord
from .normalise import (
    AmountReading,
    DateReading,
    country_from_text,
    currency_of_country,
    detect_currency,
    ends_with_country,
    guess_language,
    infer_day_first,
    parse_amount,
    parse_date,
)
from .record import (
    AMOUNT_FIELDS,
    DATE_FIELDS,
    RECORD_FIELDS,
    TEXT_FIELDS,
    ExtractedField,
    InvoiceRecord,
    decimal_string,
)

# Below this confidence a found field is reported as unsure and the record needs review.
REVIEW_CONFIDENCE = 0.5
# The likeliest single word stands in for a field the model tagged nowhere only above this.
FALLBACK_PROBABILITY = 0.1
# How many of each amount field's candidates take part in the sum check.
AMOUNT_CANDIDATES = 3
CENT = Decimal("0.01")
NICKEL = Decimal("0.05")  # the smallest coin where cash totals are rounded

_MULTI_LINE_JOINERS = {"VENDOR_ADDRESS": ", ", "VENDOR_NAME": " ", "CUSTOMER_NAME": " "}
_AMOUNT_FIELDS = tuple(name.upper() for name in AMOUNT_FIELDS)  # the tagger names fields in capitals
_ONE_BLOCK = frozenset({"VENDOR_ADDRESS"})  # fields whose adjacent runs are one entity
_DATE_LIKE = re.compile(r"\b\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}\b")
# The last line of a postal address: a postcode and a town ("79093 München", "6168 RV
# Eindhoven", "Austin, TX 40961", "Norwich NR17 3TL", "36959 KUALA LUMPUR"). Towns are
# capitalised, which keeps out years ("2024 terms").
_POSTAL_LINE = re.compile(
    r"(?<![\w.,:/-])\d{4,5}(?: ?[A-Z]{2})?\s+[^\W\d_a-zß-ÿ][^\W\d_]+"
    r"|\b[A-Z][^\W\d_]+,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b"
)
_SPLIT_CENTS = re.compile(r"(?<=\d[.,]) (?=\d{2}$)")  # "85. 54": one amount that OCR split
_PRICE = re.compile(r"\d[.,]\d{2}\b")  # a price, or a dotted date: neither belongs in an address
_AMOUNT = re.compile(r"\d[.,]\d{2}(?![\d.,/-])")  # a price, but not the "05.03" of "05.03.2025"
_ID_JOINERS = ("-", "/")  # an invoice number's parts around these have no space between them
_PHONE = re.compile(r"[+(0][\d ()/-]{5,}\d")  # "03-8051 5750", "+49 89 1234 567": longer than a postcode
_ROUNDING = re.compile(r"\b(?:round|rundung|arrondi|afronding|redondeo|arrotondamento|avrundning|pembundaran)",
                       re.IGNORECASE)  # a rounding-adjustment line
# Untagged words beside a vendor name join it only if the model gives them this much chance
# of being part of it: on SROIE receipts the words it should join had 0.03-0.5, the
# "(CO." of a company number 0.001.
_NAME_NEIGHBOUR_PROBABILITY = 0.02
# What a document calls itself, and stamps on it, in the languages we read.
_HEADING = re.compile(
    r"\W*(?:(?:tax |simplified tax |cash |sales? |commercial |pro[ -]?forma )?(?:invoice|receipt|bill|sale)"
    r"|rechnung|quittung|kassenbon|beleg|facture|re[cç]u|ticket|factuur|kassabon|bon|factura|recibo"
    r"|fattura|ricevuta|scontrino|posted|paid|copy|duplicate|reprint|original|welcome)\W*",
    re.IGNORECASE,
)
_SURE_WORD = 0.5  # OCR confidence below which a word may be specks or a smudge
_CENTS = re.compile(r"\d{2}")
_ID_PART = re.compile(r"[^\W_][\w/-]*")
# A layout guess is shown, but as unsure: below REVIEW_CONFIDENCE, so a person checks it.
LAYOUT_GUESS_CONFIDENCE = 0.4


def _join_identifier(words: list[str]) -> str:
    """Words of an invoice number; OCR splits "INV-2024-4417" after a hyphen or slash, and
    the number has no space there."""
    text = words[0]
    for word in words[1:]:
        text += word if text.endswith(_ID_JOINERS) or word.startswith(_ID_JOINERS) else " " + word
    return text


@dataclass(frozen=True)
class Entity:
    """A run of words the model gave one field, in reading order."""

    field: str  # one of ner.FIELDS
    words: tuple[TaggedWord, ...]

    @property
    def score(self) -> float:
        return sum(w.field_probability(self.field) for w in self.words) / len(self.words)

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def bbox(self) -> Box:
        """The union of the entity's word boxes on its first page."""
        boxes = [w.word.box for w in self.words if w.page == self.page]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    @property
    def lines(self) -> list[list[TaggedWord]]:
        """The words, line by line as printed."""
        lines: list[list[TaggedWord]] = []
        for item in self.words:
            if not lines or (item.page, item.word.line) != (lines[-1][0].page, lines[-1][0].word.line):
                lines.append([])
            lines[-1].append(item)
        return lines

    @property
    def text(self) -> str:
        """The words as printed; lines joined by ", " for addresses, by a space otherwise."""
        joiner = _MULTI_LINE_JOINERS.get(self.field, " ")
        spaced = _join_identifier if self.field == "INVOICE_NUMBER" else " ".join
        return joiner.join(spaced([item.word.text for item in line]).strip(" ,") for line in self.lines).strip()


def entities(tagged: Sequence[TaggedWord]) -> list[Entity]:
    """Merge BIO tags into entities: B- starts one, I- continues the same field's run.

    An address is one block: a B- right after the same address's words continues it (the
    model sometimes restarts a long address mid-way; merging those took the SROIE dev
    address F1 from 0.810 to 0.830 on the given OCR lines and from 0.357 to 0.388 on ours).
    """
    found: list[Entity] = []
    run: list[TaggedWord] = []
    run_field: str | None = None
    for item in tagged:
        name = item.tag[2:] if item.tag != "O" else None
        if name is not None and name == run_field and (item.tag.startswith("I-") or name in _ONE_BLOCK):
            run.append(item)
            continue
        if run_field is not None:
            found.append(Entity(run_field, tuple(run)))
        run, run_field = ([item], name) if name is not None else ([], None)
    if run_field is not None:
        found.append(Entity(run_field, tuple(run)))
    return found


def candidates(tagged: Sequence[TaggedWord], spans: Sequence[Entity], field: str) -> list[Entity]:
    """The field's entities, likeliest first; the likeliest lone word when there are none."""
    own = sorted((e for e in spans if e.field == field), key=lambda e: e.score, reverse=True)
    if own or not tagged:
        return own
    # Words the model gave another field are that field's, not stand-ins for this one.
    free = [w for w in tagged if w.tag == "O" or w.tag[2:] == field]
    if not free:
        return []
    likeliest = max(free, key=lambda w: w.field_probability(field))
    return [Entity(field, (likeliest,))] if likeliest.field_probability(field) >= FALLBACK_PROBABILITY else []


def _found(entity: Entity, value: str, confidence: float | None = None) -> ExtractedField:
    score = entity.score if confidence is None else confidence
    return ExtractedField(value=value, confidence=round(min(1.0, max(0.0, score)), 3), page=entity.page,
                          bbox=tuple(round(v, 1) for v in entity.bbox), text=entity.text)


@dataclass(frozen=True)
class _Amount:
    entity: Entity
    reading: AmountReading


def _position(tagged: Sequence[TaggedWord], word: TaggedWord) -> int:
    return next(at for at, item in enumerate(tagged) if item is word)


def _run_on(entity: Entity, tagged: Sequence[TaggedWord], ends: str, rest: re.Pattern[str]) -> Entity:
    """The entity with the next word on its line when its text ends in one of ``ends`` and
    that word matches ``rest``: OCR splits "85.54" after the point and "INV-2024-4417" after
    a hyphen, and the model may tag only the first part."""
    last = entity.words[-1]
    following = _position(tagged, last) + 1
    if last.word.text[-1:] in ends and following < len(tagged):
        after = tagged[following]
        if (after.page, after.word.line) == (last.page, last.word.line) and rest.fullmatch(after.word.text):
            return Entity(entity.field, (*entity.words, after))
    return entity


def _without_heading(entity: Entity) -> Entity:
    """The name without a document heading on the line above it, which the model sometimes
    runs into the name ("CASH SALE" over "KT WONG TRADING"), or specks OCR read there."""
    def heading(line: list[TaggedWord]) -> bool:
        return bool(_HEADING.fullmatch(" ".join(item.word.text for item in line))) or all(
            item.word.confidence < _SURE_WORD or not any(ch.isalpha() for ch in item.word.text) for item in line)
    lines = entity.lines
    while len(lines) > 1 and heading(lines[0]):
        lines = lines[1:]
    return Entity(entity.field, tuple(item for line in lines for item in line))


def _whole_name(entity: Entity, tagged: Sequence[TaggedWord]) -> Entity:
    """The name with the untagged words printed right beside it in the same type: a company
    name is printed on a line of its own, and the model sometimes tags only its last words
    ("BROTHERS HARDWARE" of "BEYOND BROTHERS HARDWARE"). A word the model all but rules out
    ("(CO." of a company number), one with a digit or a colon (a registration number, a
    label), one in larger or smaller type or further off than a word space (a heading), or
    one OCR is unsure of (specks read as "m") ends the name."""
    def joins(item: TaggedWord, neighbour: TaggedWord) -> bool:
        box, other = item.word.box, neighbour.word.box
        height, other_height = box[3] - box[1], other[3] - other[1]
        gap = max(box[0], other[0]) - min(box[2], other[2])
        return ((item.page, item.word.line) == (neighbour.page, neighbour.word.line) and item.tag == "O"
                and item.field_probability("VENDOR_NAME") >= _NAME_NEIGHBOUR_PROBABILITY
                and item.word.confidence >= _SURE_WORD and not any(ch.isdigit() or ch == ":" for ch in item.word.text)
                and 0.7 <= height / max(other_height, 1e-6) <= 1.4 and gap <= 1.5 * other_height)
    first, last = _position(tagged, entity.words[0]), _position(tagged, entity.words[-1])
    while first > 0 and joins(tagged[first - 1], tagged[first]):
        first -= 1
    while last + 1 < len(tagged) and joins(tagged[last + 1], tagged[last]):
        last += 1
    return Entity(entity.field, tuple(tagged[first:last + 1]))


def _address_to_country(entity: Entity) -> Entity:
    """The address up to its country line, without a phone number as its last line. A line
    after the country is something else, such as the shop ("IOI MALL") under a chain's
    head-office address. A country line is the country alone, or a postcode-and-town line
    ending in it."""
    lines = entity.lines
    for at, line in enumerate(lines[:-1]):
        text = " ".join(item.word.text for item in line)
        alone = len(line) <= 3 and not any(ch.isdigit() for ch in text)
        if ends_with_country(text) and (alone or _POSTAL_LINE.search(text)):
            lines = lines[:at + 1]
            break
    while len(lines) > 1 and _PHONE.fullmatch(" ".join(item.word.text for item in lines[-1])):
        lines = lines[:-1]
    return Entity(entity.field, tuple(item for line in lines for item in line))


def _with_cents_printed(total: _Amount, tagged: Sequence[TaggedWord], country: str | None) -> _Amount:
    """A total read as a whole number ("5132", "30") on a page whose prices have cents is
    an amount whose point OCR lost, or a quantity: the amount with cents that the model
    finds likeliest to be the total stands in."""
    if total.reading.value.as_tuple().exponent < 0:
        return total
    priced = [item for item in tagged if _AMOUNT.search(item.word.text)]
    stand_ins = [item for item in priced if item.tag[2:] not in ("SUBTOTAL", "TAX")]
    if len(priced) < 2 or not stand_ins:
        return total
    likeliest = max(stand_ins, key=lambda item: item.field_probability("TOTAL"))
    reading = parse_amount(likeliest.word.text, country=country)
    return total if reading is None else _Amount(Entity("TOTAL", (likeliest,)), reading)


def _cash_rounded(total: _Amount, tagged: Sequence[TaggedWord], country: str | None) -> ExtractedField | None:
    """The total rounded to 5 cents, when a page with a rounding line prints it: the amount
    paid where cash is rounded (Malaysia, Switzerland, the Netherlands...), which the model
    may have passed over for the unrounded sum of the items."""
    # Cannot raise: parse_amount reads no amount of more than MAX_AMOUNT_DIGITS whole digits.
    rounded = (total.reading.value / NICKEL).quantize(Decimal(1), ROUND_HALF_UP) * NICKEL
    if rounded == total.reading.value:
        return None
    for item in tagged:
        if item in total.entity.words or item.tag[2:] in ("SUBTOTAL", "TAX"):
            continue
        reading = parse_amount(item.word.text, country=country)
        if reading is not None and reading.value == rounded and _PRICE.search(item.word.text):
            return _found(Entity("TOTAL", (item,)), decimal_string(rounded), total.entity.score)
    return None


def _with_cents(entity: Entity, tagged: Sequence[TaggedWord]) -> Entity:
    return _run_on(entity, tagged, ".,", _CENTS)


# Where the likeliest entity of these fields really begins and ends: the model's span, mended.
_BOUNDARIES: dict[str, Callable[[Entity, Sequence[TaggedWord]], Entity]] = {
    "INVOICE_NUMBER": lambda entity, tagged: _run_on(entity, tagged, "".join(_ID_JOINERS), _ID_PART),
    "VENDOR_NAME": lambda entity, tagged: _whole_name(_without_heading(entity), tagged),
    "VENDOR_ADDRESS": lambda entity, tagged: _address_to_country(entity),
}


def _amount_options(tagged: Sequence[TaggedWord], spans: Sequence[Entity], field: str,
                    country: str | None) -> list[_Amount]:
    options = []
    for entity in candidates(tagged, spans, field):
        entity = _with_cents(entity, tagged)
        reading = parse_amount(_SPLIT_CENTS.sub("", entity.text), country=country)
        if reading is not None:
            options.append(_Amount(entity, reading))
        if len(options) == AMOUNT_CANDIDATES:
            break
    return options


def _choose_amounts(tagged: Sequence[TaggedWord], spans: Sequence[Entity],
                    country: str | None) -> dict[str, _Amount | None]:
    """Each amount field's likeliest candidate, unless another set of candidates adds up.

    Subtotal + tax = total is strong evidence that all three are right, so the likeliest
    consistent triple wins over the likeliest single values.
    """
    options = {field: _amount_options(tagged, spans, field, country) for field in _AMOUNT_FIELDS}
    chosen: dict[str, _Amount | None] = {field: (found[0] if found else None) for field, found in options.items()}
    if all(options.values()):
        consistent = [
            (sub, tax, total) for sub, tax, total in product(*(options[f] for f in _AMOUNT_FIELDS))
            if abs(sub.reading.value + tax.reading.value - total.reading.value) <= CENT
            and len({id(sub.entity), id(tax.entity), id(total.entity)}) == 3
        ]
        if consistent:
            best = max(consistent, key=lambda triple: sum(a.entity.score for a in triple))
            chosen = dict(zip(_AMOUNT_FIELDS, best))
    return chosen


def build_record(document: Document, tagged: Sequence[TaggedWord], source: str | None = None) -> InvoiceRecord:
    """The record of one document from its tagged words."""
    spans = entities(tagged)
    warnings: list[str] = list(document.warnings)
    fields: dict[str, ExtractedField | None] = {}

    for field in (name.upper() for name in TEXT_FIELDS):
        best = next(iter(candidates(tagged, spans, field)), None)
        if best is not None and field in _BOUNDARIES:
            best = _BOUNDARIES[field](best, tagged)
        fields[field.lower()] = _found(best, best.text) if best is not None and best.text else None

    if fields["vendor_address"] is None:
        fields["vendor_address"] = _address_from_layout(tagged, spans)
    all_text = "\n".join(page.text for page in document.pages)
    address = fields["vendor_address"]
    # The vendor's address says where the invoice comes from; the page as a whole (which
    # also holds the customer's address) only when the vendor's names no country.
    country = (country_from_text(address.value) if address is not None else None) or country_from_text(all_text)

    amounts = _choose_amounts(tagged, spans, country)
    if amounts["TOTAL"] is not None:
        amounts["TOTAL"] = _with_cents_printed(amounts["TOTAL"], tagged, country)
    for field, chosen in amounts.items():
        fields[field.lower()] = _found(chosen.entity, decimal_string(chosen.reading.value)) if chosen else None
    if amounts["TOTAL"] is not None and _ROUNDING.search(all_text):
        fields["total"] = _cash_rounded(amounts["TOTAL"], tagged, country) or fields["total"]

    currency = _currency(amounts, all_text, country)
    fields["currency"] = currency

    day_first, reason = infer_day_first(
        _DATE_LIKE.findall(all_text), language=guess_language(all_text),
        currency=currency.value if currency else None, country=country,
    )
    for field in (name.upper() for name in DATE_FIELDS):
        fields[field.lower()] = None
        for entity in candidates(tagged, spans, field):
            reading = parse_date(entity.text, day_first=day_first)
            if reading is None:
                continue
            fields[field.lower()] = _found(entity, reading.value.isoformat())
            if reading.ambiguous:
                warnings.append(
                    f"{field.lower()}: '{reading.text}' could be {reading.value.isoformat()} or "
                    f"{reading.alternative.isoformat() if reading.alternative else '?'}; "
                    f"took {reading.value.isoformat()} ({reason})"
                )
            break
    if fields["invoice_date"] is None:
        fields["invoice_date"] = _date_from_layout(tagged, day_first)

    record = InvoiceRecord(
        source=source if source is not None else str(document.source),
        sha256=document.sha256,
        pages=len(document.pages),
        **fields,
    )
    warnings += check_record(record, document)
    return record.model_copy(update={"warnings": warnings, "status": "needs_review" if warnings else "ok"})


def _currency(amounts: dict[str, _Amount | None], all_text: str, country: str | None) -> ExtractedField | None:
    """The currency printed beside an amount, else the one the document's text names, else
    the vendor's country's (receipts often print bare numbers)."""
    for chosen in (amounts["TOTAL"], amounts["SUBTOTAL"], amounts["TAX"]):
        if chosen is not None and chosen.reading.currency:
            return _found(chosen.entity, chosen.reading.currency)
    reading = detect_currency(all_text, country=country)
    if reading is not None:
        # Named somewhere on the page rather than beside the total: less sure.
        return ExtractedField(value=reading.code, confidence=0.5 if reading.guessed else 0.8, text=reading.text)
    code = currency_of_country(country)
    return ExtractedField(value=code, confidence=0.6) if code else None


def check_record(record: InvoiceRecord, document: Document | None = None) -> list[str]:
    """The record's own consistency: what a clerk would check by eye. Without the document
    (an e-invoice's XML), a sum that does not add up cannot be explained by a printed amount."""
    problems = []
    subtotal, tax, total = (record.amount(name) for name in ("subtotal", "tax", "total"))
    if total is None:
        problems.append("total: not found")
    elif total <= 0:
        problems.append(f"total: {total} is not positive (a credit note?)")
    if subtotal is not None and tax is not None and total is not None:
        difference = total - (subtotal + tax)
        if abs(difference) > CENT and not (document is not None and _printed_amount(document, record,
                                                                                      abs(difference))):
            problems.append(
                f"total: subtotal {subtotal} + tax {tax} = {subtotal + tax}, but the total is {total}"
            )
    issued, due = record.date("invoice_date"), record.date("due_date")
    if issued is not None and due is not None and due < issued:
        problems.append(f"due_date: {due.isoformat()} is before the invoice date {issued.isoformat()}")
    for name in RECORD_FIELDS:
        found = getattr(record, name)
        if found is not None and found.confidence < REVIEW_CONFIDENCE:
            problems.append(f"{name}: unsure (confidence {found.confidence:.2f}), please check")
    return problems


def _printed_amount(document: Document, record: InvoiceRecord, value: Decimal) -> bool:
    """Whether ``value`` is printed as an amount on the document, apart from the subtotal,
    tax and total themselves: shipping or a discount explains a sum that does not add up
    only when it is there to see. Only money-looking words count ("5.00", not "Page 5")."""
    chosen = [(found.page, found.bbox) for found in (record.subtotal, record.tax, record.total)
              if found is not None and found.bbox is not None]
    for page in document.pages:
        for word in page.words:
            if not _PRICE.search(word.text) or any(
                    number == page.number and _inside(word.box, box) for number, box in chosen):
                continue
            reading = parse_amount(word.text)
            if reading is not None and abs(abs(reading.value) - value) <= CENT:
                return True
    return False


def _inside(box: Box, outer: tuple[float, float, float, float]) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return outer[0] <= x <= outer[2] and outer[1] <= y <= outer[3]


@dataclass(frozen=True)
class _Line:
    """One printed line, with the tagger's view of its words."""

    page: int
    number: int
    words: tuple[TaggedWord, ...]

    @property
    def text(self) -> str:
        return " ".join(item.word.text for item in self.words)

    @property
    def plain(self) -> bool:
        """Could be part of an address: no label, e-mail or price, no other field's words."""
        text = self.text
        return (":" not in text and "@" not in text and not _PRICE.search(text)
                and all(item.tag == "O" or item.tag[2:] == "VENDOR_ADDRESS" for item in self.words))


def _lines(tagged: Sequence[TaggedWord]) -> list[_Line]:
    grouped: dict[tuple[int, int], list[TaggedWord]] = {}
    for item in tagged:
        grouped.setdefault((item.page, item.word.line), []).append(item)
    return [_Line(page, number, tuple(words)) for (page, number), words in sorted(grouped.items())]


def _address_from_layout(tagged: Sequence[TaggedWord], spans: Sequence[Entity]) -> ExtractedField | None:
    """The vendor's address when the model tagged none: the first postal address that is
    not the customer's (a postcode-and-town line, up to two street lines above it, and a
    country line below). Addresses in footers are what the model misses most."""
    lines = _lines(tagged)
    customer = _customer_block(lines, spans)
    for at, line in enumerate(lines):
        if at in customer or not line.plain or not _POSTAL_LINE.search(line.text):
            continue
        first = at
        while (first > 0 and at - first < 2 and first - 1 not in customer and lines[first - 1].plain
               and lines[first - 1].page == line.page and any(ch.isdigit() for ch in lines[first - 1].text)):
            first -= 1
        last = at
        # A house number can pass for a postcode ("8548 Oak Blvd"): the town line under
        # it belongs to the address too, and so does a country line.
        while last + 1 < len(lines) and last - at < 2 and _address_continues(line, lines[last + 1]):
            last += 1
        entity = Entity("VENDOR_ADDRESS", tuple(item for found in lines[first:last + 1] for item in found.words))
        return _found(entity, entity.text, LAYOUT_GUESS_CONFIDENCE)
    return None


def _date_from_layout(tagged: Sequence[TaggedWord], day_first: bool | None) -> ExtractedField | None:
    """The invoice date when the model tagged none, if the page leaves no doubt: every date
    printed on lines that hold no other field's words and no price (a date among prices is
    an item's) is the same one. Two different dates may be an order and a delivery date."""
    found: list[tuple[_Line, DateReading]] = []
    for line in _lines(tagged):
        if any(item.tag != "O" for item in line.words) or _AMOUNT.search(line.text):
            continue
        reading = parse_date(line.text, day_first=day_first)
        if reading is not None:
            found.append((line, reading))
    if not found or len({reading.value for _, reading in found}) > 1:
        return None
    line, reading = found[0]
    return _found(Entity("INVOICE_DATE", line.words), reading.value.isoformat(), LAYOUT_GUESS_CONFIDENCE)


def _address_continues(postal: _Line, below: _Line) -> bool:
    if below.page != postal.page or not below.plain:
        return False
    is_country = len(below.words) <= 3 and not any(ch.isdigit() for ch in below.text) and country_from_text(below.text)
    return bool(is_country or _POSTAL_LINE.search(below.text))


def _customer_block(lines: list[_Line], spans: Sequence[Entity]) -> set[int]:
    """Indices of the lines holding the customer's name and the plain lines right under it."""
    block: set[int] = set()
    for entity in (e for e in spans if e.field == "CUSTOMER_NAME"):
        last_word = entity.words[-1]
        where = (last_word.page, last_word.word.line)
        at = next(i for i, line in enumerate(lines) if (line.page, line.number) == where)
        block.add(at)
        for below in range(at + 1, min(at + 5, len(lines))):
            if not lines[below].plain or lines[below].page != last_word.page:
                break
            block.add(below)
    return block
