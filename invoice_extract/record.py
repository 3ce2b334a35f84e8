"""Stage 3's product: one validated ``InvoiceRecord`` per input file.

The record is faithful to the record contract in ``../shared/eval/README.md``: every field
is either null (not found) or an object whose ``value`` holds the normalised value (names
as printed, ISO dates, ISO 4217 currency, decimal strings with a ``.`` separator), beside
the confidence and the evidence (page, box in page pixels, the text as printed).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TEXT_FIELDS = ("vendor_name", "vendor_address", "customer_name", "invoice_number")
DATE_FIELDS = ("invoice_date", "due_date")
AMOUNT_FIELDS = ("subtotal", "tax", "total")
RECORD_FIELDS = (*TEXT_FIELDS, *DATE_FIELDS, "currency", *AMOUNT_FIELDS)

Status = Literal["ok", "needs_review", "error"]
# Where a value came from: the document's pages (read and tagged) or its e-invoice XML (exact).
EvidenceSource = Literal["document", "einvoice"]
DocumentType = Literal["invoice", "credit_note"]
_AMOUNT = re.compile(r"-?\d+(\.\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")


def decimal_string(value: Decimal) -> str:
    """An amount as the record contract writes it: plain digits, ``.`` separator, never
    exponent notation (``Decimal("1E+2")`` is ``"100"``)."""
    return f"{value:f}"


class ExtractedField(BaseModel):
    """One field's value, how sure we are of it, and where it was printed."""

    model_config = ConfigDict(frozen=True)

    value: str = Field(description="Normalised value: text as printed, ISO date, ISO 4217 code or decimal string")
    confidence: float = Field(ge=0.0, le=1.0, description="0-1; below the review threshold the record needs review")
    page: int | None = Field(default=None, ge=1, description="1-based page the value was read from")
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="x0, y0, x1, y1 in pixels of the page at the dpi it was read at"
    )
    text: str | None = Field(default=None, description="The words as printed, before normalisation")
    source: EvidenceSource = Field(
        default="document", description="document: read from the pages; einvoice: taken from the e-invoice XML"
    )


class LineItem(BaseModel):
    """One line of an e-invoice, as its XML states it (amounts are decimal strings)."""

    model_config = ConfigDict(frozen=True)

    description: str | None = None
    quantity: str | None = Field(default=None, description="Decimal string")
    unit_price: str | None = Field(default=None, description="Net price per unit (per the XML's base quantity)")
    amount: str | None = Field(default=None, description="The line's net amount, decimal string")
    tax_rate: str | None = Field(default=None, description="VAT rate in percent, decimal string")

    @field_validator("quantity", "unit_price", "amount", "tax_rate")
    @classmethod
    def _decimal(cls, value: str | None) -> str | None:
        if value is not None and not _AMOUNT.fullmatch(value):
            raise ValueError(f"{value!r} is not a decimal string like 1234.50")
        return value


class RecordError(BaseModel):
    """Why a file could not be read: the error code (see the CLI's exit codes) and a message."""

    model_config = ConfigDict(frozen=True)

    code: str
    message: str


class InvoiceRecord(BaseModel):
    """The structured reading of one invoice or receipt."""

    source: str = Field(description="The input file's path as given")
    sha256: str | None = Field(default=None, description="SHA-256 of the input file's bytes")
    pages: int = Field(default=0, ge=0, description="Number of pages read")
    status: Status = Field(
        default="ok", description="ok; needs_review (a check failed or a field is unsure: see warnings); error"
    )
    vendor_name: ExtractedField | None = None
    vendor_address: ExtractedField | None = Field(default=None, description="One line, parts joined by ', '")
    customer_name: ExtractedField | None = None
    invoice_number: ExtractedField | None = None
    invoice_date: ExtractedField | None = Field(default=None, description="ISO 8601 YYYY-MM-DD")
    due_date: ExtractedField | None = Field(default=None, description="ISO 8601 YYYY-MM-DD")
    currency: ExtractedField | None = Field(default=None, description="ISO 4217 code")
    subtotal: ExtractedField | None = Field(default=None, description="Decimal string, '.' separator")
    tax: ExtractedField | None = Field(default=None, description="Decimal string, '.' separator")
    total: ExtractedField | None = Field(default=None, description="Decimal string, '.' separator")
    document_type: DocumentType | None = Field(
        default=None, description="invoice or credit_note, when the document says (e-invoices do)"
    )
    einvoice_profile: str | None = Field(
        default=None, description="The e-invoice's profile (MINIMUM, BASIC WL, BASIC, EN 16931, EXTENDED, XRechnung) "
        "when the record was read from e-invoice XML"
    )
    line_items: list[LineItem] = Field(default_factory=list, description="The lines of an e-invoice's XML")
    warnings: list[str] = Field(default_factory=list, description="What a person should check, and why")
    errors: list[RecordError] = Field(default_factory=list)

    @field_validator(*DATE_FIELDS)
    @classmethod
    def _iso_date(cls, found: ExtractedField | None) -> ExtractedField | None:
        if found is not None:
            if not _ISO_DATE.fullmatch(found.value):
                raise ValueError(f"date {found.value!r} is not YYYY-MM-DD")
            date.fromisoformat(found.value)
        return found

    @field_validator(*AMOUNT_FIELDS)
    @classmethod
    def _decimal(cls, found: ExtractedField | None) -> ExtractedField | None:
        if found is not None and not _AMOUNT.fullmatch(found.value):
            raise ValueError(f"amount {found.value!r} is not a decimal string like 1234.50")
        return found

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, found: ExtractedField | None) -> ExtractedField | None:
        if found is not None and not _CURRENCY.fullmatch(found.value):
            raise ValueError(f"currency {found.value!r} is not an ISO 4217 code")
        return found

    @model_validator(mode="after")
    def _error_status_has_errors(self) -> InvoiceRecord:
        if self.status == "error" and not self.errors:
            raise ValueError("a record with status 'error' must say why in errors")
        return self

    # Typed access for exporters and checks; the stored values stay strings, as in the contract.
    def value(self, name: str) -> str | None:
        found: ExtractedField | None = getattr(self, name)
        return found.value if found is not None else None

    def amount(self, name: str) -> Decimal | None:
        text = self.value(name)
        try:
            return Decimal(text) if text is not None else None
        except InvalidOperation:  # pragma: no cover - the validator keeps this from happening
            return None

    def date(self, name: str) -> date | None:
        text = self.value(name)
        return date.fromisoformat(text) if text is not None else None

    @classmethod
    def failed(cls, source: str, code: str, message: str, *, sha256: str | None = None) -> InvoiceRecord:
        """The record of a file that could not be read."""
        return cls(source=source, sha256=sha256, status="error", errors=[RecordError(code=code, message=message)])

    def to_json_dict(self) -> dict:
        """The contract's JSON form (fields null or {value, confidence, page, bbox, text})."""
        return self.model_dump(mode="json")
