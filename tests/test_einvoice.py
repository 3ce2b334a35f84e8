"""E-invoices: Factur-X PDFs, CII, UBL 2.1, XRechnung and credit notes read from their XML,
verified against the page, and hostile or broken XML refused. Every input is built here:
the PDFs by our generator, the Factur-X embedding by the `factur-x` library."""

from __future__ import annotations

import json
import time
from pathlib import Path

import facturx
import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from invoice_extract.cli import app
from invoice_extract.documents import LoadOptions
from invoice_extract.einvoice import MAX_XML_BYTES
from invoice_extract.errors import EInvoiceError, OCRUnavailableError
from invoice_extract.pipeline import collect_inputs, read
from invoice_extract.record import RECORD_FIELDS, InvoiceRecord, LineItem
from invoice_extract.training.einvoices import cii_values, cii_xml
from invoice_extract.training.generator import generate

runner = CliRunner()
VERIFY = LoadOptions(verify_einvoice=True, keep_images=False)

XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"


# --------------------------------------------------------------------------- building inputs

def ubl_xml(*, credit_note: bool = False, customization: str = "urn:cen.eu:en16931:2017") -> bytes:
    """A UBL 2.1 invoice (or credit note) from a Scottish plumber, in pounds, with two lines."""
    root, line, quantity = ("CreditNote", "CreditNoteLine", "CreditedQuantity") if credit_note \
        else ("Invoice", "InvoiceLine", "InvoicedQuantity")
    type_code = "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" if credit_note \
        else "<cbc:DueDate>2025-04-14</cbc:DueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"
    due_means = ("<cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>"
                 "<cbc:PaymentDueDate>2025-04-14</cbc:PaymentDueDate></cac:PaymentMeans>") if credit_note else ""

    def party(name: str, street: str, extra: str, postcode: str, city: str) -> str:
        return (f"<cac:Party><cac:PartyName><cbc:Name>{name} (trading)</cbc:Name></cac:PartyName>"
                f"<cac:PostalAddress><cbc:StreetName>{street}</cbc:StreetName>{extra}"
                f"<cbc:CityName>{city}</cbc:CityName><cbc:PostalZone>{postcode}</cbc:PostalZone>"
                "<cac:Country><cbc:IdentificationCode>GB</cbc:IdentificationCode></cac:Country></cac:PostalAddress>"
                f"<cac:PartyLegalEntity><cbc:RegistrationName>{name}</cbc:RegistrationName></cac:PartyLegalEntity>"
                "</cac:Party>")

    def item(number: int, name: str, count: str, price: str, amount: str) -> str:
        return (f"<cac:{line}><cbc:ID>{number}</cbc:ID><cbc:{quantity} unitCode=\"HUR\">{count}</cbc:{quantity}>"
                f"<cbc:LineExtensionAmount currencyID=\"GBP\">{amount}</cbc:LineExtensionAmount>"
                f"<cac:Item><cbc:Name>{name}</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID>"
                "<cbc:Percent>20</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"
                "</cac:ClassifiedTaxCategory></cac:Item>"
                f"<cac:Price><cbc:PriceAmount currencyID=\"GBP\">{price}</cbc:PriceAmount></cac:Price></cac:{line}>")

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>{customization}</cbc:CustomizationID>
 <cbc:ID>{"CN-2025-0007" if credit_note else "INV-2025-0042"}</cbc:ID>
 <cbc:IssueDate>2025-03-15</cbc:IssueDate>
 {type_code}
 <cbc:DocumentCurrencyCode>GBP</cbc:DocumentCurrencyCode>
 <cac:AccountingSupplierParty>{party("McLeod Plumbing &amp; Heating Ltd", "42 Castle Street", "",
                                     "EH2 3AH", "Edinburgh")}</cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty>{party("Brodie Property Management", "7 Leith Walk",
                                     "<cbc:AdditionalStreetName>Unit 3</cbc:AdditionalStreetName>",
                                     "EH6 8NP", "Edinburgh")}</cac:AccountingCustomerParty>
 {due_means}
 <cac:TaxTotal><cbc:TaxAmount currencyID="GBP">62.50</cbc:TaxAmount>
  <cac:TaxSubtotal><cbc:TaxableAmount currencyID="GBP">312.50</cbc:TaxableAmount>
   <cbc:TaxAmount currencyID="GBP">62.50</cbc:TaxAmount></cac:TaxSubtotal></cac:TaxTotal>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">73.75</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal>
  <cbc:LineExtensionAmount currencyID="GBP">312.50</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="GBP">312.50</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="GBP">375.00</cbc:TaxInclusiveAmount>
  <cbc:PrepaidAmount currencyID="GBP">100.00</cbc:PrepaidAmount>
  <cbc:PayableAmount currencyID="GBP">275.00</cbc:PayableAmount>
 </cac:LegalMonetaryTotal>
 {item(1, "Boiler service", "2.5", "85.00", "212.50")}
 {item(2, "Thermostatic radiator valve", "4", "25", "100.00")}
</{root}>
""".encode()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    """A German invoice from our generator (its page reads right through the page pipeline)."""
    generated = generate(13, tmp_path_factory.mktemp("einvoice") / "rechnung.pdf", layout="classic_left",
                         locale="de_DE")
    return generated.pdf, cii_values(generated, item="Elektroinstallation laut Auftrag")


def facturx_pdf(page, name: str, xml: bytes) -> Path:
    pdf, _ = page
    out = pdf.with_name(name)
    facturx.generate_from_file(str(pdf), xml, output_pdf_file=str(out))  # checks the XML against the XSD
    return out


def attach(pdf: Path, out: Path, name: str, data: bytes) -> Path:
    """A PDF with any bytes attached (factur-x refuses to embed broken XML, rightly)."""
    document = pdfium.PdfDocument(str(pdf))
    document.new_attachment(name).set_data(data)
    document.save(str(out))
    document.close()
    return out


def fields(record: InvoiceRecord) -> dict[str, str | None]:
    return {name: record.value(name) for name in RECORD_FIELDS}


def assert_exact(record: InvoiceRecord) -> None:
    """Every value found comes from the XML: confidence 1.0, no page or box."""
    for name in RECORD_FIELDS:
        found = getattr(record, name)
        if found is not None:
            assert (found.source, found.confidence, found.page, found.bbox) == ("einvoice", 1.0, None, None), name


# --------------------------------------------------------------------------- Factur-X PDFs

def test_facturx_pdf_is_read_from_its_xml_exactly(page):
    _, v = page
    path = facturx_pdf(page, "facturx.pdf", cii_xml(v))
    record = read(path).record
    assert fields(record) == {
        "vendor_name": "Elektro Schmidt AG", "vendor_address": "Hauptstraße 18, 03083 Köln, DE",
        "customer_name": "Braun & Söhne GmbH", "invoice_number": "RE-48323", "invoice_date": "2023-01-04",
        "due_date": "2023-01-18", "currency": "EUR", "subtotal": "3623.04", "tax": "688.38", "total": "4311.42",
    }
    assert (record.status, record.warnings, record.pages) == ("ok", [], 1)
    assert (record.document_type, record.einvoice_profile) == ("invoice", "EN 16931")
    assert record.line_items == [LineItem(description="Elektroinstallation laut Auftrag", quantity="1",
                                          unit_price="3623.04", amount="3623.04", tax_rate="19")]
    assert record.invoice_date.text == "20230104"  # the evidence: the value as the XML states it
    assert_exact(record)
    assert len(record.sha256) == 64


def test_facturx_pdf_agrees_with_its_page_when_verified(page):
    _, v = page
    extraction = read(facturx_pdf(page, "facturx-verified.pdf", cii_xml(v)), VERIFY)
    assert (extraction.record.status, extraction.record.warnings) == ("ok", [])
    assert extraction.document is not None and len(extraction.document.pages) == 1
    assert_exact(extraction.record)


def test_a_pdf_whose_xml_disagrees_with_its_page_needs_review_when_verified(page):
    _, v = page
    wrong = {**v, "invoice_number": "RE-48332", "invoice_date": "2023-01-05", "subtotal": "3723.04",
             "unit_price": "3723.04", "total": "4411.42"}
    path = facturx_pdf(page, "facturx-disagrees.pdf", cii_xml(wrong))

    unverified = read(path).record
    assert (unverified.status, unverified.value("total")) == ("ok", "4411.42")  # the XML alone is consistent

    record = read(path, VERIFY).record
    assert record.status == "needs_review"
    assert record.warnings == [
        "total: the e-invoice XML says 4411.42 but the page reads 4311.42; the PDF's picture and data "
        "disagree, ask the sender which is right",
        "invoice_date: the e-invoice XML says 2023-01-05 but the page reads 2023-01-04; the PDF's picture and "
        "data disagree, ask the sender which is right",
        "invoice_number: the e-invoice XML says RE-48332 but the page reads RE-48323; the PDF's picture and "
        "data disagree, ask the sender which is right",
    ]
    assert (record.value("total"), record.value("invoice_number")) == ("4411.42", "RE-48332")  # the XML's


def test_a_cii_credit_note_keeps_its_amounts_positive(page):
    _, v = page
    record = read(facturx_pdf(page, "gutschrift.pdf", cii_xml(v, type_code="381"))).record
    assert record.document_type == "credit_note"
    assert (record.value("subtotal"), record.value("tax"), record.value("total")) == ("3623.04", "688.38", "4311.42")
    assert record.status == "ok"


def test_an_attachment_with_any_name_whose_root_is_an_invoice_is_read(page, tmp_path):
    pdf, v = page
    record = read(attach(pdf, tmp_path / "attached.pdf", "rechnungsdaten.xml", cii_xml(v))).record
    assert (record.value("total"), record.einvoice_profile) == ("4311.42", "EN 16931")
    assert_exact(record)


def test_a_pdf_with_malformed_xml_warns_then_reads_the_page(page, tmp_path):
    pdf, v = page
    broken = cii_xml(v)[:-40]
    record = read(attach(pdf, tmp_path / "broken.pdf", "factur-x.xml", broken)).record
    assert record.status == "needs_review"
    # expat's own words (and where it stopped) are its to change; ours are the contract
    assert record.warnings[0].startswith("the embedded e-invoice factur-x.xml could not be read (the XML is "
                                         "malformed (")
    assert record.warnings[0].endswith("); ask the sender for a new copy); the values were read from the page "
                                       "instead")
    assert (record.value("total"), record.value("invoice_number")) == ("4311.42", "RE-48323")
    assert record.total.source == "document" and record.total.page == 1
    assert record.einvoice_profile is None


# --------------------------------------------------------------------------- bare XML files

def test_a_ubl_invoice_is_read_exactly(tmp_path):
    path = tmp_path / "invoice.xml"
    path.write_bytes(ubl_xml())
    record = read(path).record
    assert fields(record) == {
        "vendor_name": "McLeod Plumbing & Heating Ltd", "vendor_address": "42 Castle Street, EH2 3AH Edinburgh, GB",
        "customer_name": "Brodie Property Management", "invoice_number": "INV-2025-0042",
        "invoice_date": "2025-03-15", "due_date": "2025-04-14", "currency": "GBP",
        # the total with tax (not the 275.00 still payable after a prepayment); the tax in GBP, not EUR
        "subtotal": "312.50", "tax": "62.50", "total": "375.00",
    }
    assert (record.status, record.warnings, record.pages) == ("ok", [], 0)
    assert (record.document_type, record.einvoice_profile) == ("invoice", "EN 16931")
    assert record.line_items == [
        LineItem(description="Boiler service", quantity="2.5", unit_price="85.00", amount="212.50", tax_rate="20"),
        LineItem(description="Thermostatic radiator valve", quantity="4", unit_price="25", amount="100.00",
                 tax_rate="20"),
    ]
    assert_exact(record)


def test_an_xrechnung_is_read_with_its_profile(tmp_path):
    path = tmp_path / "xrechnung.xml"
    path.write_bytes(ubl_xml(customization=XRECHNUNG))
    record = read(path).record
    assert (record.einvoice_profile, record.document_type, record.value("total")) == ("XRechnung", "invoice",
                                                                                      "375.00")


def test_a_cii_xrechnung_file_is_read(page, tmp_path):
    _, v = page
    path = tmp_path / "xrechnung-cii.xml"
    path.write_bytes(cii_xml(v, profile=XRECHNUNG))
    record = read(path).record
    assert (record.einvoice_profile, record.value("vendor_name"), record.value("due_date")) == (
        "XRechnung", "Elektro Schmidt AG", "2023-01-18")
    assert record.pages == 0 and record.status == "ok"


def test_a_ubl_credit_note_is_read_as_one(tmp_path):
    path = tmp_path / "credit.xml"
    path.write_bytes(ubl_xml(credit_note=True))
    record = read(path).record
    assert record.document_type == "credit_note"
    assert fields(record) == {
        "vendor_name": "McLeod Plumbing & Heating Ltd", "vendor_address": "42 Castle Street, EH2 3AH Edinburgh, GB",
        "customer_name": "Brodie Property Management", "invoice_number": "CN-2025-0007",
        "invoice_date": "2025-03-15", "due_date": "2025-04-14", "currency": "GBP",
        "subtotal": "312.50", "tax": "62.50", "total": "375.00",
    }
    assert [item.quantity for item in record.line_items] == ["2.5", "4"]
    assert record.status == "ok"


@pytest.mark.parametrize("profile, name", [
    ("urn:factur-x.eu:1p0:minimum", "MINIMUM"),
    ("urn:factur-x.eu:1p0:basicwl", "BASIC WL"),
    ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "BASIC"),
    ("urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", "EXTENDED"),
])
def test_factur_x_profiles_are_named(page, tmp_path, profile, name):
    _, v = page
    path = tmp_path / "profile.xml"
    path.write_bytes(cii_xml(v, profile=profile))
    assert read(path).record.einvoice_profile == name


def test_a_bare_malformed_xml_file_is_an_error_record(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_bytes(ubl_xml()[:200])
    record = read(path).record
    assert record.status == "error"
    assert record.errors[0].code == "bad_einvoice"
    assert record.errors[0].message.startswith(f"{path}: the XML is malformed (")


def test_xml_that_is_not_an_invoice_is_unsupported(tmp_path):
    path = tmp_path / "settings.xml"
    path.write_text('<?xml version="1.0"?><settings><dpi>300</dpi></settings>')
    error = read(path).record.errors[0]
    assert error.code == "unsupported_file_type"
    assert "root element is <settings>" in error.message


def test_an_xxe_is_refused_and_the_file_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PAYROLL")
    path = tmp_path / "xxe.xml"
    path.write_bytes(ubl_xml().replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode(),
    ).replace(b"INV-2025-0042", b"&xxe;"))
    record = read(path).record
    assert (record.status, record.errors[0].code) == ("error", "bad_einvoice")
    assert "possibly hostile" in record.errors[0].message
    assert "TOP-SECRET" not in record.model_dump_json()


@pytest.mark.parametrize("declaration", ['<?xml version="1.0"?>', ""])
def test_a_billion_laughs_is_refused_fast(tmp_path, declaration):
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    path = tmp_path / "lol.xml"
    path.write_text(f'{declaration}<!DOCTYPE Invoice [<!ENTITY lol0 "lol">{entities}]><Invoice>&lol9;</Invoice>')
    started = time.perf_counter()
    record = read(path).record
    assert (record.status, record.errors[0].code) == ("error", "bad_einvoice")
    assert "possibly hostile" in record.errors[0].message
    # Expanded, it would take minutes and gigabytes; refused, it takes milliseconds. The bound
    # only has to tell the two apart, on a loaded machine too.
    assert time.perf_counter() - started < 30


def test_a_hostile_xml_in_a_pdf_is_refused_and_the_page_read(page, tmp_path):
    pdf, _ = page
    lol = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa">]><lolz>&a;</lolz>'
    record = read(attach(pdf, tmp_path / "lol.pdf", "factur-x.xml", lol)).record
    assert "possibly hostile" in record.warnings[0]
    assert record.value("total") == "4311.42" and record.total.source == "document"


def test_an_oversized_xml_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:  # sparse: the size is all that is checked
        handle.write(b"<?xml version='1.0'?><Invoice>")
        handle.truncate(MAX_XML_BYTES + 1)
    error = read(path).record.errors[0]
    assert error.code == EInvoiceError.code
    assert "more than the 10 MiB" in error.message


@pytest.mark.parametrize("encoding, why", [("x-unknown", "does not know"), ("shift_jis", "cannot be read")])
def test_an_xml_in_an_encoding_expat_cannot_read_is_a_bad_einvoice(tmp_path, encoding, why):
    path = tmp_path / "odd.xml"
    path.write_bytes(ubl_xml().replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode()))
    record = read(path).record
    assert (record.status, record.errors[0].code) == ("error", "bad_einvoice")
    assert why in record.errors[0].message and "UTF-8 copy" in record.errors[0].message


def test_a_pdf_with_an_attachment_in_an_odd_encoding_is_still_read(page, tmp_path):
    pdf, _ = page
    odd = b'<?xml version="1.0" encoding="x-unknown"?><notes/>'
    record = read(attach(pdf, tmp_path / "odd-any-name.pdf", "notes.xml", odd)).record  # not an invoice: ignored
    assert record.status != "error" and record.value("total") == "4311.42"
    assert not any("notes.xml" in warning for warning in record.warnings)
    record = read(attach(pdf, tmp_path / "odd-named.pdf", "factur-x.xml", odd.replace(b"x-unknown", b"shift_jis")))
    assert record.record.status == "needs_review" and record.record.value("total") == "4311.42"
    assert "could not be read (the XML's encoding cannot be read" in record.record.warnings[0]


def test_a_utf16_e_invoice_is_read(tmp_path):
    path = tmp_path / "utf16.xml"  # XML allows UTF-16, and UBL and XRechnung with it
    path.write_bytes(ubl_xml().decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    record = read(path).record
    assert (record.status, record.value("total"), record.value("vendor_name")) == (
        "ok", "375.00", "McLeod Plumbing & Heating Ltd")


def test_html_that_starts_with_a_comment_is_not_taken_for_an_e_invoice(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<!-- saved from url=(0014)about:internet -->\n<html><body><p>Invoice<br></body>")
    error = read(path).record.errors[0]
    assert error.code == "unsupported_file_type"  # not bad_einvoice: it is no XML at all
    path.write_text("<!-- exported -->\n" + ubl_xml().decode().split("\n", 1)[1])  # no declaration, a UBL root
    assert read(path).record.value("total") == "375.00"


@pytest.mark.parametrize("huge", ["1E999999999", "-9e+999999999", "1E-999999999", "Infinity", "NaN",
                                  "1000000000000000000"])
def test_an_amount_with_a_huge_exponent_is_refused_with_a_warning(tmp_path, huge):
    path = tmp_path / "huge.xml"
    path.write_bytes(ubl_xml().replace(b">375.00<", f">{huge}<".encode())
                     .replace(b'<cbc:PriceAmount currencyID="GBP">85.00', f'<cbc:PriceAmount currencyID="GBP">{huge}'
                              .encode()))
    started = time.perf_counter()
    record = read(path).record  # formatted, 1E999999999 would be a billion digits
    assert time.perf_counter() - started < 30
    assert record.total is None and record.status == "needs_review"
    assert record.line_items[0].unit_price is None and record.line_items[0].amount == "212.50"
    assert any(warning.startswith(f"total: '{huge}' in the e-invoice XML is not an amount")
               for warning in record.warnings)
    assert any(warning.startswith(f"line 1 unit_price: '{huge}'") for warning in record.warnings)


def test_a_line_item_value_that_is_not_a_number_is_a_warning(tmp_path):
    path = tmp_path / "line.xml"
    path.write_bytes(ubl_xml().replace(b'unitCode="HUR">4<', b'unitCode="HUR">four<'))
    record = read(path).record
    assert record.line_items[1].quantity is None
    assert record.status == "needs_review"
    assert "line 2 quantity: 'four' in the e-invoice XML is not a number; left empty, please check" in record.warnings


def test_an_order_x_pdf_is_read_from_its_page_with_a_warning(page, tmp_path):
    pdf, _ = page
    order = (b'<?xml version="1.0" encoding="UTF-8"?><rsm:SCRDMCCBDACIOMessageStructure '
             b'xmlns:rsm="urn:un:unece:uncefact:data:standard:SCRDMCCBDACIOMessageStructure:100"/>')
    record = read(attach(pdf, tmp_path / "order-x.pdf", "order-x.xml", order)).record
    assert record.status == "needs_review" and record.total.source == "document"
    assert record.warnings[0].startswith("the PDF's attached order-x.xml is not an e-invoice we read (XML, but not "
                                         "an e-invoice: its root element is <SCRDMCCBDACIOMessageStructure>")
    picture = read(attach(pdf, tmp_path / "with-logo.pdf", "logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)).record
    assert not any("attached" in warning for warning in picture.warnings)  # not XML: no warning


def test_max_pages_holds_for_e_invoice_pdfs_too(page):
    _, v = page
    path = facturx_pdf(page, "facturx-max-pages.pdf", cii_xml(v))
    record = read(path, LoadOptions(max_pages=0)).record
    assert (record.status, record.errors[0].code) == ("error", "too_many_pages")
    assert read(path, LoadOptions(max_pages=1)).record.status == "ok"


def test_a_bug_while_verifying_keeps_the_xml_record(page, monkeypatch):
    _, v = page
    path = facturx_pdf(page, "facturx-bug.pdf", cii_xml(v))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("invoice_extract.pipeline.load_document", broken)
    extraction = read(path, VERIFY)
    assert (extraction.record.value("total"), extraction.record.status) == ("4311.42", "needs_review")
    assert extraction.record.warnings[0].startswith("--verify-einvoice: the page could not be read (")
    assert "RuntimeError: boom" in extraction.record.warnings[0]
    assert extraction.page_error is not None


def test_a_credit_note_e_invoice_is_exported_as_a_credit(page, tmp_path):
    _, v = page
    path = tmp_path / "gutschrift.xml"
    path.write_bytes(cii_xml(v, type_code="381"))
    out = tmp_path / "xero.csv"
    result = runner.invoke(app, ["extract", str(path), "-o", str(out), "--preset", "xero"])
    assert result.exit_code == 0, result.output
    assert "-4311.42" in out.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- front ends

def test_xml_files_are_collected_from_folders(tmp_path):
    (tmp_path / "a.xml").write_bytes(ubl_xml())
    (tmp_path / "notes.txt").write_text("not an invoice")
    assert collect_inputs([tmp_path]) == [tmp_path / "a.xml"]


def test_the_cli_verifies_e_invoices_and_reports_bad_xml(page, tmp_path):
    _, v = page
    disagreeing = facturx_pdf(page, "cli-disagrees.pdf", cii_xml({**v, "invoice_number": "RE-00000"}))
    result = runner.invoke(app, ["extract", str(disagreeing), "--verify-einvoice"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)[0]
    assert record["status"] == "needs_review"
    assert record["invoice_number"]["source"] == "einvoice"
    assert record["einvoice_profile"] == "EN 16931" and record["document_type"] == "invoice"
    assert record["line_items"][0]["amount"] == "3623.04"

    hostile = tmp_path / "x.xml"
    hostile.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    assert runner.invoke(app, ["extract", str(hostile)]).exit_code == 11


def test_show_explains_a_bare_xml_has_nothing_to_draw(tmp_path):
    path = tmp_path / "invoice.xml"
    path.write_bytes(ubl_xml())
    result = runner.invoke(app, ["show", str(path), "-o", str(tmp_path / "review.html")])
    assert result.exit_code == 2
    assert "no pages to draw" in result.output


def test_show_reports_why_the_pages_of_an_e_invoice_pdf_failed(page, tmp_path, monkeypatch):
    _, v = page
    path = facturx_pdf(page, "facturx-show.pdf", cii_xml(v))
    review = tmp_path / "review.html"
    result = runner.invoke(app, ["show", str(path), "-o", str(review), "--max-pages", "0"])
    assert result.exit_code == 8, result.output
    assert "too_many_pages" in result.output and "e-invoice XML file" not in result.output

    def no_ocr(*args, **kwargs):
        raise OCRUnavailableError("Tesseract is not installed", path=str(path))

    monkeypatch.setattr("invoice_extract.pipeline.load_document", no_ocr)
    result = runner.invoke(app, ["show", str(path), "-o", str(review)])
    assert result.exit_code == OCRUnavailableError.exit_code, result.output
    assert "Tesseract is not installed" in result.output and "e-invoice XML file" not in result.output
    assert not review.exists()


def test_batch_and_watch_read_e_invoices_and_pass_verify_to_their_workers(page, tmp_path):
    _, v = page
    folder = tmp_path / "in"
    folder.mkdir()
    facturx_pdf(page, "disagrees.pdf", cii_xml({**v, "invoice_date": "2023-01-05"})).rename(folder / "disagrees.pdf")
    (folder / "ubl.xml").write_bytes(ubl_xml())

    result = runner.invoke(app, ["batch", str(folder), "--out", str(tmp_path / "batch"), "--workers", "1",
                                 "--verify-einvoice"])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "batch" / "invoices.jsonl").read_text(encoding="utf-8").splitlines()
    statuses = {Path(r["source"]).name: r["status"] for r in map(json.loads, lines)}
    assert statuses == {"disagrees.pdf": "needs_review", "ubl.xml": "ok"}

    result = runner.invoke(app, ["watch", str(folder), "--out", str(tmp_path / "watch"), "--once", "--settle", "0",
                                 "--verify-einvoice"])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "watch" / "invoices.jsonl").read_text(encoding="utf-8").splitlines()
    statuses = {Path(r["source"]).name: r["status"] for r in map(json.loads, lines)}
    assert statuses == {"disagrees.pdf": "needs_review", "ubl.xml": "ok"}
