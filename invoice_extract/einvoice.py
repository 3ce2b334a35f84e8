"""E-invoices: the record read exactly from Factur-X / ZUGFeRD / XRechnung / UBL XML.

An e-invoice carries its own data as XML, either bare (XRechnung, UBL 2.1, CII) or attached
to a PDF/A-3 (Factur-X, ZUGFeRD). Reading that XML is exact where reading the page is a
guess, so its record has confidence 1.0, evidence source ``einvoice`` and no page or box.

The XML comes from strangers, so it is parsed by defusedxml with DTDs forbidden: e-invoices
never need one, and without it there are no entities to expand (billion laughs) or to fetch
(XXE); nothing is ever fetched from the network. Its size is checked before it is read.

Both syntaxes map onto the record by EN 16931 business terms (BT-n):

=================  ==========================================  =====================================
record             CII (Factur-X, ZUGFeRD, XRechnung CII)      UBL 2.1 (XRechnung UBL, Peppol)
=================  ==========================================  =====================================
vendor_name        SellerTradeParty/Name (BT-27)               PartyLegalEntity/RegistrationName
vendor_address     SellerTradeParty/PostalTradeAddress         Party/PostalAddress
customer_name      BuyerTradeParty/Name (BT-44)                PartyLegalEntity/RegistrationName
invoice_number     ExchangedDocument/ID (BT-1)                 cbc:ID
invoice_date       IssueDateTime (BT-2)                        cbc:IssueDate
due_date           DueDateDateTime (BT-9)                      cbc:DueDate, PaymentMeans/PaymentDueDate
currency           InvoiceCurrencyCode (BT-5)                  DocumentCurrencyCode
subtotal           TaxBasisTotalAmount (BT-109, net total)     LegalMonetaryTotal/TaxExclusiveAmount
tax                TaxTotalAmount (BT-110, all rates)          TaxTotal/TaxAmount
total              GrandTotalAmount (BT-112, with tax)         LegalMonetaryTotal/TaxInclusiveAmount
=================  ==========================================  =====================================

The total is the invoice total with tax (BT-112), not the amount still due after a
prepayment (BT-115), so that subtotal + tax = total holds as on any other record; BT-115
stands in only when BT-112 is missing. Amounts are kept as the XML states them: a credit
note's stay positive and its ``document_type`` says what it is (the accounting exports
book it negative: ``exporters.cells.signed_total``).
"""

from __future__ import annotations

import ctypes
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .errors import EInvoiceError, InputFileError, UnsupportedFileTypeError
from .postprocess import check_record
from .record import DocumentType, ExtractedField, InvoiceRecord, LineItem, decimal_string

# Real e-invoices are tens of kilobytes; ten megabytes leaves room for thousands of lines.
MAX_XML_BYTES = 10 * 1024 * 1024
# The attachment names the Factur-X, ZUGFeRD and XRechnung specifications give the XML (any case).
INVOICE_ATTACHMENT_NAMES = frozenset({"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"})

CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS = {
    "rsm": CII,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
_CII_ROOT = f"{{{CII}}}CrossIndustryInvoice"
_UBL_ROOTS = (f"{{{UBL_INVOICE}}}Invoice", f"{{{UBL_CREDIT_NOTE}}}CreditNote")

# UNTDID 1001 document types that EN 16931 treats as credit notes; every other is an invoice.
_CREDIT_NOTE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
# Markers in the specification identifier (BT-24), most specific first: Factur-X's EXTENDED
# and BASIC identifiers also contain "en16931", and BASIC WL's contains "basic".
_PROFILES = (("xrechnung", "XRechnung"), ("extended", "EXTENDED"), ("basicwl", "BASIC WL"),
             ("basic", "BASIC"), ("minimum", "MINIMUM"), ("en16931", "EN 16931"))
_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
# The numbers an invoice can hold: below 10**18 (a quintillion), with at most 20 decimals.
_MAX_DIGITS = 18
_MAX_DECIMALS = 20
_AN_AMOUNT = f"an amount (a finite number below 10^{_MAX_DIGITS}, at most {_MAX_DECIMALS} decimals)"
_SHOWN = 60  # characters of an unusable value quoted in its warning


@dataclass(frozen=True)
class EmbeddedXml:
    """The invoice XML attached to a PDF, and the PDF's page count."""

    name: str
    data: bytes | None  # None: larger than MAX_XML_BYTES, so not read
    pages: int


# --------------------------------------------------------------------------- reading safely

def too_large(size: int | None, *, path: str | None = None) -> EInvoiceError:
    """The error for XML over MAX_XML_BYTES (``size`` None: an attachment too large to be measured)."""
    what = f"the XML is {size / 1e6:.1f} MB, more" if size is not None else "the attachment is larger"
    return EInvoiceError(f"{what} than the {MAX_XML_BYTES // 2**20} MiB an e-invoice needs; refused", path=path)


def parse_xml(data: bytes) -> ET.Element:
    """The root element of untrusted XML, or EInvoiceError: bounded size, no DTD or entities."""
    if len(data) > MAX_XML_BYTES:
        raise too_large(len(data))
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise EInvoiceError("the XML declares a DTD or entities, which e-invoices never do; refused as possibly "
                            "hostile (external entities or entity expansion)") from None
    except ET.ParseError as exc:
        raise EInvoiceError(f"the XML is malformed ({exc}); ask the sender for a new copy") from None
    except LookupError as exc:  # encoding="..." that Python does not know
        raise EInvoiceError(f"the XML declares an encoding Python does not know ({exc}); e-invoices are UTF-8, "
                            "ask the sender for a UTF-8 copy") from None
    except ValueError as exc:  # expat reads no multi-byte encoding but UTF-8 and UTF-16 (Shift JIS, GB 18030...)
        raise EInvoiceError(f"the XML's encoding cannot be read ({exc}); e-invoices are UTF-8, ask the sender "
                            "for a UTF-8 copy") from None


def read_xml_file(path: Path, *, source: str, sha256: str | None) -> InvoiceRecord:
    """The record of a bare e-invoice XML file (XRechnung, UBL, CII)."""
    try:
        size = path.stat().st_size
        if size > MAX_XML_BYTES:  # checked before reading, so a huge file costs nothing
            raise too_large(size, path=str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot be read ({exc.strerror})", path=str(path)) from None
    try:
        return record_from_xml(data, source=source, sha256=sha256, pages=0)
    except (EInvoiceError, UnsupportedFileTypeError) as error:  # the same error, naming the file
        raise type(error)(error.message, path=str(path)) from None


def record_from_embedded(embedded: EmbeddedXml, *, source: str, sha256: str | None) -> InvoiceRecord:
    """The record of a PDF's attached invoice XML, or EInvoiceError."""
    if embedded.data is None:
        raise too_large(None)
    return record_from_xml(embedded.data, source=source, sha256=sha256, pages=embedded.pages)


def embedded_invoice(path: Path, password: str | None) -> EmbeddedXml | None:
    """The invoice XML attached to a PDF: the attachment with a standard name, else the first
    whose root is a CII or UBL invoice, else the first XML attachment of another kind (an
    Order-X order, say), so that reading it says why it was not used. None when the PDF has
    no XML attachment, or cannot be opened (reading its pages then says why)."""
    try:
        pdf = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError:
        return None
    try:
        attachments = [pdf.get_attachment(index) for index in range(pdf.count_attachments())]
        named = [a for a in attachments if _name(a).lower() in INVOICE_ATTACHMENT_NAMES]
        if named:
            # A named attachment is used even when unreadable, so that the record says why.
            return EmbeddedXml(_name(named[0]), _data(named[0]), len(pdf))
        other_xml: EmbeddedXml | None = None
        for attachment in attachments:
            data = _data(attachment)
            root = _root_tag(data)
            if root in (_CII_ROOT, *_UBL_ROOTS):
                return EmbeddedXml(_name(attachment), data, len(pdf))
            if root is not None and other_xml is None:
                other_xml = EmbeddedXml(_name(attachment), data, len(pdf))
        return other_xml
    finally:
        pdf.close()


def _name(attachment: pdfium.PdfAttachment) -> str:
    try:
        return attachment.get_name()
    except pdfium.PdfiumError:
        return ""


def _data(attachment: pdfium.PdfAttachment) -> bytes | None:
    """The attachment's bytes (empty when unreadable), or None when larger than MAX_XML_BYTES:
    its size is asked first, so a huge attachment is never copied."""
    size = ctypes.c_ulong()
    pdfium_c.FPDFAttachment_GetFile(attachment, None, 0, size)
    if size.value > MAX_XML_BYTES:
        return None
    try:
        return bytes(attachment.get_data())
    except pdfium.PdfiumError:
        return b""


def _root_tag(data: bytes | None) -> str | None:
    """The root element's tag of an attachment that is XML; None for anything else. Never
    raises: an attachment that is no invoice must not stop the PDF from being read."""
    if not data:
        return None
    try:
        return parse_xml(data).tag
    except Exception:  # noqa: BLE001 - whatever the attachment holds, it is just not an invoice
        return None


# --------------------------------------------------------------------------- mapping

@dataclass
class _Values:
    """What an e-invoice states, as raw text, whichever its syntax."""

    profile_id: str | None = None
    type_code: str | None = None
    credit_note: bool = False
    vendor_name: str | None = None
    vendor_address: str | None = None
    customer_name: str | None = None
    invoice_number: str | None = None
    invoice_date: str | None = None
    due_date: str | None = None
    currency: str | None = None
    subtotal: str | None = None
    tax: str | None = None
    total: str | None = None
    lines: list[dict[str, str | None]] = field(default_factory=list)


def record_from_xml(data: bytes, *, source: str, sha256: str | None, pages: int) -> InvoiceRecord:
    """The record of one e-invoice's XML, or EInvoiceError (UnsupportedFileTypeError when the
    XML is well-formed but not an invoice)."""
    root = parse_xml(data)
    if root.tag == _CII_ROOT:
        values = _cii_values(root)
    elif root.tag in _UBL_ROOTS:
        values = _ubl_values(root)
    else:
        raise UnsupportedFileTypeError(
            f"XML, but not an e-invoice: its root element is <{root.tag.rpartition('}')[2]}>, not a CII "
            "CrossIndustryInvoice or a UBL Invoice or CreditNote"
        )
    warnings: list[str] = []
    fields = {
        "vendor_name": _field(values.vendor_name),
        "vendor_address": _field(values.vendor_address),
        "customer_name": _field(values.customer_name),
        "invoice_number": _field(values.invoice_number),
        "currency": _field(values.currency) if values.currency and re.fullmatch(r"[A-Z]{3}", values.currency)
        else _unusable("currency", values.currency, "an ISO 4217 code", warnings),
    }
    for name in ("invoice_date", "due_date"):
        raw = getattr(values, name)
        iso = _iso_date(raw)
        fields[name] = _field(iso, raw) if iso else _unusable(name, raw, "a date", warnings)
    for name in ("subtotal", "tax", "total"):
        raw = getattr(values, name)
        amount = _decimal(raw)
        fields[name] = _field(amount, raw) if amount else _unusable(name, raw, _AN_AMOUNT, warnings)
    document_type: DocumentType = "credit_note" if values.credit_note or values.type_code in _CREDIT_NOTE_CODES \
        else "invoice"
    record = InvoiceRecord(
        source=source, sha256=sha256, pages=pages, **fields, document_type=document_type,
        einvoice_profile=_profile(values.profile_id),
        line_items=[_line_item(line, number, warnings) for number, line in enumerate(values.lines, start=1)],
    )
    warnings += check_record(record)
    return record.model_copy(update={"warnings": warnings, "status": "needs_review" if warnings else "ok"})


def compare_with_page(xml_record: InvoiceRecord, page_record: InvoiceRecord) -> list[str]:
    """Warnings for each of total, invoice date and invoice number that the page reads
    differently from the XML. A value the page reading did not find is not compared."""
    problems = []
    for name in ("total", "invoice_date", "invoice_number"):
        stated, printed = xml_record.value(name), page_record.value(name)
        if stated is None or printed is None or _same(name, stated, printed):
            continue
        problems.append(f"{name}: the e-invoice XML says {stated} but the page reads {printed}; the PDF's picture "
                        "and data disagree, ask the sender which is right")
    return problems


def _same(name: str, stated: str, printed: str) -> bool:
    if name == "total":
        return Decimal(stated) == Decimal(printed)
    if name == "invoice_number":  # spacing and punctuation are not part of a number, as the scorer sees it
        return _alnum(stated) == _alnum(printed)
    return stated == printed


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _field(value: str | None, raw: str | None = None) -> ExtractedField | None:
    if not value:
        return None
    return ExtractedField(value=value, confidence=1.0, text=raw if raw is not None else value, source="einvoice")


def _unusable(name: str, raw: str | None, what: str, warnings: list[str]) -> None:
    if raw:
        shown = raw if len(raw) <= _SHOWN else raw[:_SHOWN] + "..."
        warnings.append(f"{name}: '{shown}' in the e-invoice XML is not {what}; left empty, please check")


def _iso_date(raw: str | None) -> str | None:
    """CII's format 102 (YYYYMMDD) and UBL's xs:date (YYYY-MM-DD) as ISO, else None."""
    match = _DATE.fullmatch(raw or "")
    if match is None:
        return None
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


def _decimal(raw: str | None) -> str | None:
    """The amount with the digits the XML gives ("1250.50" stays "1250.50"), else None.

    Written out, 1E999999999 is a billion digits: a number is refused before it is formatted
    unless it is finite, has at most _MAX_DECIMALS decimals and is below 10**_MAX_DIGITS.
    """
    try:
        value = Decimal((raw or "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if exponent < -_MAX_DECIMALS or value.adjusted() >= _MAX_DIGITS:
        return None
    return decimal_string(value)


def _profile(identifier: str | None) -> str | None:
    if not identifier:
        return None
    lowered = identifier.lower()
    return next((name for marker, name in _PROFILES if marker in lowered), identifier)


def _line_item(line: dict[str, str | None], number: int, warnings: list[str]) -> LineItem:
    values = {}
    for key in ("quantity", "unit_price", "amount", "tax_rate"):
        values[key] = _decimal(line[key])
        if values[key] is None:
            _unusable(f"line {number} {key}", line[key], "a number", warnings)
    return LineItem(description=line["description"], **values)


def _text(element: ET.Element | None, path: str) -> str | None:
    """The text at ``path`` below ``element``, whitespace collapsed; None when absent or blank."""
    found = element.find(path, NS) if element is not None else None
    text = " ".join((found.text or "").split()) if found is not None else ""
    return text or None


def _address(*parts: str | None) -> str | None:
    """street lines, "postcode city", country code: "42 Castle Street, EH2 3AH Edinburgh, GB"."""
    *streets, postcode, city, country = parts
    town = " ".join(part for part in (postcode, city) if part)
    return ", ".join(part for part in (*streets, town, country) if part) or None


def _in_currency(amounts: list[ET.Element], currency: str | None) -> str | None:
    """The amount in the invoice's currency: BT-110 may be given twice, once in the
    accounting currency (BT-111), told apart by currencyID."""
    for amount in amounts:
        if amount.get("currencyID") in (None, currency):
            return " ".join((amount.text or "").split()) or None
    return None


def _sum(amounts: list[ET.Element]) -> str | None:
    values = [_decimal(a.text) for a in amounts]
    if not values or None in values:
        return None
    return decimal_string(sum(Decimal(v) for v in values if v is not None))


def _cii_values(root: ET.Element) -> _Values:
    trade = root.find("rsm:SupplyChainTradeTransaction", NS)
    agreement = trade.find("ram:ApplicableHeaderTradeAgreement", NS) if trade is not None else None
    settlement = trade.find("ram:ApplicableHeaderTradeSettlement", NS) if trade is not None else None
    sums = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS) \
        if settlement is not None else None
    seller = agreement.find("ram:SellerTradeParty", NS) if agreement is not None else None
    currency = _text(settlement, "ram:InvoiceCurrencyCode")
    tax = _in_currency(sums.findall("ram:TaxTotalAmount", NS), currency) if sums is not None else None
    if tax is None and settlement is not None:  # BT-110 is optional; the VAT breakdown then says it
        tax = _sum(settlement.findall("ram:ApplicableTradeTax/ram:CalculatedAmount", NS))
    return _Values(
        profile_id=_text(root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
        type_code=_text(root, "rsm:ExchangedDocument/ram:TypeCode"),
        vendor_name=_text(seller, "ram:Name"),
        vendor_address=_address(*(_text(seller, f"ram:PostalTradeAddress/ram:{part}") for part in (
            "LineOne", "LineTwo", "LineThree", "PostcodeCode", "CityName", "CountryID"))),
        customer_name=_text(agreement, "ram:BuyerTradeParty/ram:Name"),
        invoice_number=_text(root, "rsm:ExchangedDocument/ram:ID"),
        invoice_date=_text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
        due_date=_text(settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"),
        currency=currency,
        subtotal=_text(sums, "ram:TaxBasisTotalAmount"),
        tax=tax,
        total=_text(sums, "ram:GrandTotalAmount") or _text(sums, "ram:DuePayableAmount"),
        lines=[{
            "description": _text(line, "ram:SpecifiedTradeProduct/ram:Name"),
            "quantity": _text(line, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
            "unit_price": _text(line, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
            "amount": _text(line, "ram:SpecifiedLineTradeSettlement/"
                                  "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"),
            "tax_rate": _text(line, "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/"
                                    "ram:RateApplicablePercent"),
        } for line in (trade.findall("ram:IncludedSupplyChainTradeLineItem", NS) if trade is not None else [])],
    )


def _ubl_party_name(party: ET.Element | None) -> str | None:
    # The legal name (BT-27/BT-44) is mandatory; the trading name (BT-28/BT-45) only stands in.
    return _text(party, "cac:PartyLegalEntity/cbc:RegistrationName") or _text(party, "cac:PartyName/cbc:Name")


def _ubl_values(root: ET.Element) -> _Values:
    credit_note = root.tag == _UBL_ROOTS[1]
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    sums = root.find("cac:LegalMonetaryTotal", NS)
    currency = _text(root, "cbc:DocumentCurrencyCode")
    tax = _in_currency(root.findall("cac:TaxTotal/cbc:TaxAmount", NS), currency) \
        or _sum(root.findall("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", NS))
    line_tag, quantity_tag = ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit_note \
        else ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    return _Values(
        profile_id=_text(root, "cbc:CustomizationID"),
        type_code=_text(root, "cbc:CreditNoteTypeCode" if credit_note else "cbc:InvoiceTypeCode"),
        credit_note=credit_note,
        vendor_name=_ubl_party_name(seller),
        vendor_address=_address(*(_text(seller, f"cac:PostalAddress/{part}") for part in (
            "cbc:StreetName", "cbc:AdditionalStreetName", "cac:AddressLine/cbc:Line", "cbc:PostalZone",
            "cbc:CityName", "cac:Country/cbc:IdentificationCode"))),
        customer_name=_ubl_party_name(root.find("cac:AccountingCustomerParty/cac:Party", NS)),
        invoice_number=_text(root, "cbc:ID"),
        invoice_date=_text(root, "cbc:IssueDate"),
        due_date=_text(root, "cbc:DueDate") or _text(root, "cac:PaymentMeans/cbc:PaymentDueDate"),
        currency=currency,
        subtotal=_text(sums, "cbc:TaxExclusiveAmount"),
        tax=tax,
        total=_text(sums, "cbc:TaxInclusiveAmount") or _text(sums, "cbc:PayableAmount"),
        lines=[{
            "description": _text(line, "cac:Item/cbc:Name") or _text(line, "cac:Item/cbc:Description"),
            "quantity": _text(line, quantity_tag),
            "unit_price": _text(line, "cac:Price/cbc:PriceAmount"),
            "amount": _text(line, "cbc:LineExtensionAmount"),
            "tax_rate": _text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
        } for line in root.findall(line_tag, NS)],
    )
