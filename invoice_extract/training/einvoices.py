"""E-invoice XML for our generated invoices: test and benchmark inputs, never used at run time.

``cii_xml(cii_values(generated))`` is a CII invoice (Factur-X EN 16931) of one line that
states what the generated page prints; it passes the Factur-X XSD, so the `factur-x`
library embeds it into the generated PDF as a real Factur-X invoice would be.
"""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from .generator import GeneratedInvoice

EN16931 = "urn:cen.eu:en16931:2017"


def cii_values(generated: GeneratedInvoice, *, item: str = "Services as agreed") -> dict[str, str]:
    """The generated invoice's truth, with what CII needs besides: the vendor's address in parts
    (the generator's "street, postcode city"), the VAT rate and one line of the net total.
    Only for invoices without shipping or discount, whose net total is their subtotal."""
    truth = {key: value for key, value in generated.truth.items() if value is not None}
    street, town = truth["vendor_address"].split(", ")[:2]
    postcode, city = town.split(" ", 1)
    rate = (Decimal(truth["tax"]) / Decimal(truth["subtotal"]) * 100).quantize(Decimal(1))
    return {**truth, "street": street, "postcode": postcode, "city": city, "rate": str(rate),
            "item": item, "quantity": "1", "unit_price": truth["subtotal"]}


def cii_xml(v: dict[str, str], *, type_code: str = "380", profile: str = EN16931) -> bytes:
    """A CII (Factur-X EN 16931) invoice of one line, valid against the Factur-X XSD."""
    e = {key: escape(value) for key, value in v.items()}

    def day(iso: str) -> str:
        return iso.replace("-", "")

    def party(role: str, name: str, street: str, postcode: str, city: str) -> str:
        return (f"<ram:{role}><ram:Name>{name}</ram:Name><ram:PostalTradeAddress>"
                f"<ram:PostcodeCode>{postcode}</ram:PostcodeCode><ram:LineOne>{street}</ram:LineOne>"
                f"<ram:CityName>{city}</ram:CityName><ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress>"
                + ("<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"VA\">DE123456789</ram:ID>"
                   "</ram:SpecifiedTaxRegistration>" if role == "SellerTradeParty" else "")
                + f"</ram:{role}>")

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>{profile}</ram:ID>
 </ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument><ram:ID>{e['invoice_number']}</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">{day(v['invoice_date'])}</udt:DateTimeString></ram:IssueDateTime>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:Name>{e['item']}</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{v['unit_price']}</ram:ChargeAmount>
   </ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">{v['quantity']}</ram:BilledQuantity>
   </ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement>
    <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
     <ram:RateApplicablePercent>{v['rate']}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
    <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{v['subtotal']}</ram:LineTotalAmount>
    </ram:SpecifiedTradeSettlementLineMonetarySummation>
   </ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:ApplicableHeaderTradeAgreement>
   {party("SellerTradeParty", e['vendor_name'], e['street'], e['postcode'], e['city'])}
   {party("BuyerTradeParty", e['customer_name'], "Marktplatz 5", "10115", "Berlin")}
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeDelivery/>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:InvoiceCurrencyCode>{v['currency']}</ram:InvoiceCurrencyCode>
   <ram:ApplicableTradeTax><ram:CalculatedAmount>{v['tax']}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
    <ram:BasisAmount>{v['subtotal']}</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
    <ram:RateApplicablePercent>{v['rate']}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
   <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>
    <udt:DateTimeString format="102">{day(v['due_date'])}</udt:DateTimeString></ram:DueDateDateTime>
   </ram:SpecifiedTradePaymentTerms>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:LineTotalAmount>{v['subtotal']}</ram:LineTotalAmount>
    <ram:TaxBasisTotalAmount>{v['subtotal']}</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="{v['currency']}">{v['tax']}</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>{v['total']}</ram:GrandTotalAmount>
    <ram:DuePayableAmount>{v['total']}</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
""".encode()
