"""Synthetic invoices and receipts in many layouts and locales, for training the field tagger.

A model trained on one layout learns coordinates, not fields. This generator varies what
a tagger could latch on to: where the vendor, the meta fields and the totals sit, how they
are framed (key/value table, inline, label above value, boxed grid), the wording of the
labels, the language, the date and number formats, fonts, sizes, colours and margins,
the number of line items (long invoices run onto a second page), and it prints look-alike
values that must *not* be tagged: ship-to parties next to bill-to ones, order and delivery
dates, PO and customer numbers, shipping, discounts, deposits, IBANs, VAT ids, phone
numbers and line-item amounts.

    inv = generate(seed=42, path=Path("inv.pdf"))          # layout and locale from the seed
    page = load_document(inv.pdf).pages[0]
    tags = label_words(page, inv.drawn)                    # one field (or None) per word

Every string drawn is logged with its box (``synthetic._Drawer``), and only the strings
that carry a field's value get that field; ``label_words`` turns the log into per-word
tags for text-layer pages and for OCR'd scans made by ``make_scan``. Four layouts
(``DEV_LAYOUTS``) never appear in training data, so a dev set drawn from them measures
whether the model generalises to layouts it has not seen.

Needs the ``dev`` or ``train`` extra (reportlab); the runtime never imports this module.
"""

from __future__ import annotations

import difflib
import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..document import Page
from .synthetic import POINTS_PER_INCH, DrawnText, _Drawer, degrade, images_to_pdf, render_pages

FIELDS = ("VENDOR_NAME", "VENDOR_ADDRESS", "CUSTOMER_NAME", "INVOICE_NUMBER", "INVOICE_DATE",
          "DUE_DATE", "SUBTOTAL", "TAX", "TOTAL")
# truth key of each field
TRUTH_KEYS = {name: name.lower() for name in FIELDS}
SCAN_DPI = 300
CENT = Decimal("0.01")

Colour = tuple[float, float, float]


# --------------------------------------------------------------------------- locales

@dataclass(frozen=True)
class LocaleSpec:
    """How one market writes an invoice: words, dates, numbers, names and addresses."""

    code: str
    language: str  # key into MONTHS, ITEM_WORDS and RECEIPT_WORDS
    currency: str  # ISO 4217
    money_formats: tuple[str, ...]  # "{n}" is the number; e.g. "{n} €", "$ {n}"
    group: str  # thousands separator
    decimal: str
    date_formats: tuple[str, ...]  # see _format_date
    tax_rates: tuple[int, ...]
    labels: dict[str, tuple[str, ...]]  # label key -> wordings; "{rate}" in tax labels
    company: Callable[[random.Random], str]
    address: Callable[[random.Random], list[str]]
    phone: Callable[[random.Random], str]
    vat_id: Callable[[random.Random], str]
    iban_country: str
    page_size: tuple[float, float] = A4


MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
}


def _format_date(day: date, style: str, language: str) -> str:
    """``style`` is a strftime-like pattern, or one of the spelled-out month styles."""
    month = MONTHS.get(language, MONTHS["en"])[day.month - 1]
    spelled = {
        "d month yyyy": f"{day.day} {month} {day.year}",
        "month d, yyyy": f"{month} {day.day}, {day.year}",
        "d. month yyyy": f"{day.day}. {month} {day.year}",
        "d de month de yyyy": f"{day.day} de {month} de {day.year}",
        "dd-mon-yyyy": f"{day.day:02d}-{month[:3].upper()}-{day.year}",
    }
    return spelled.get(style) or day.strftime(style)


def _pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def _letters(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(count))


EN_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("INVOICE", "Invoice", "TAX INVOICE", "Sales Invoice"),
    "number": ("Invoice No.", "Invoice #", "Inv. Number", "Invoice Number", "Invoice No", "Number"),
    "date": ("Invoice Date", "Date", "Date of Issue", "Issue Date"),
    "due": ("Due Date", "Payment Due", "Due"),
    "order_date": ("Order Date",),
    "delivery_date": ("Delivery Date", "Ship Date"),
    "po": ("PO Number", "P.O. No.", "Purchase Order", "Your Ref."),
    "customer_no": ("Customer No.", "Account No.", "Customer ID"),
    "bill_to": ("Bill To", "Invoice To", "Billed To", "Customer"),
    "ship_to": ("Ship To", "Deliver To", "Delivery Address"),
    "description": ("Description", "Item", "Details"),
    "qty": ("Qty", "Quantity", "Units"),
    "unit": ("Unit Price", "Rate", "Price"),
    "amount": ("Amount", "Line Total", "Total"),
    "subtotal": ("Subtotal", "Sub-total", "Net Amount", "Total excl. tax"),
    "tax": ("Tax {rate}%", "Sales Tax ({rate}%)", "VAT {rate}%", "VAT @ {rate}%"),
    "total": ("Total", "Amount Due", "Balance Due", "Grand Total", "Total Due", "Invoice Total"),
    "total_before_payment": ("Total", "Grand Total", "Invoice Total"),
    "shipping": ("Shipping", "Delivery", "Shipping & Handling", "Freight"),
    "discount": ("Discount", "Less discount"),
    "paid": ("Deposit Paid", "Amount Paid", "Less Payment"),
    "balance": ("Balance Due", "Amount Due", "Remaining Balance"),
    "phone": ("Tel", "Phone", "T"), "fax": ("Fax", "F"), "email": ("Email", "E-mail"),
    "web": ("Web", "www"), "iban": ("IBAN",), "bic": ("BIC", "SWIFT"),
    "vat_id": ("VAT No.", "VAT Reg. No.", "Tax ID", "EIN"),
    "bank": ("Bank details", "Payment details", "Remit to"),
    "terms": ("Payment due within {days} days.", "Terms: Net {days}", "Please pay within {days} days."),
    "thanks": ("Thank you for your business!", "We appreciate your prompt payment.", ""),
    "page": ("Page",), "continued": ("continued",),
}

DE_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("RECHNUNG", "Rechnung"),
    "number": ("Rechnungsnummer", "Rechnungs-Nr.", "Rechnung Nr.", "Beleg-Nr."),
    "date": ("Rechnungsdatum", "Datum"),
    "due": ("Fällig am", "Zahlbar bis", "Fälligkeitsdatum"),
    "order_date": ("Bestelldatum", "Auftragsdatum"),
    "delivery_date": ("Lieferdatum", "Leistungsdatum"),
    "po": ("Ihre Bestellung", "Bestell-Nr.", "Ihr Zeichen"),
    "customer_no": ("Kundennummer", "Kunden-Nr."),
    "bill_to": ("Rechnungsempfänger", "Rechnungsadresse", "Kunde"),
    "ship_to": ("Lieferadresse", "Lieferanschrift"),
    "description": ("Beschreibung", "Bezeichnung", "Artikel"),
    "qty": ("Menge", "Anz."), "unit": ("Einzelpreis", "E-Preis"), "amount": ("Betrag", "Gesamt"),
    "subtotal": ("Zwischensumme", "Nettobetrag", "Summe netto"),
    "tax": ("MwSt. {rate}%", "USt. {rate} %", "zzgl. {rate}% MwSt."),
    "total": ("Gesamtbetrag", "Rechnungsbetrag", "Endbetrag", "Summe brutto"),
    "total_before_payment": ("Gesamtbetrag", "Rechnungsbetrag"),
    "shipping": ("Versandkosten", "Fracht"), "discount": ("Rabatt", "Nachlass"),
    "paid": ("Anzahlung", "Bereits bezahlt"), "balance": ("Offener Betrag", "Restbetrag"),
    "phone": ("Tel.", "Telefon"), "fax": ("Fax",), "email": ("E-Mail",), "web": ("Web", "Internet"),
    "iban": ("IBAN",), "bic": ("BIC",), "vat_id": ("USt-IdNr.", "Steuernummer"),
    "bank": ("Bankverbindung",),
    "terms": ("Zahlbar innerhalb von {days} Tagen ohne Abzug.", "Zahlungsziel: {days} Tage netto"),
    "thanks": ("Vielen Dank für Ihren Auftrag!", ""),
    "page": ("Seite",), "continued": ("Fortsetzung",),
}

FR_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("FACTURE", "Facture"),
    "number": ("Facture n°", "N° de facture", "Numéro de facture"),
    "date": ("Date de facture", "Date", "Date d'émission"),
    "due": ("Échéance", "Date d'échéance", "À payer avant le"),
    "order_date": ("Date de commande",), "delivery_date": ("Date de livraison",),
    "po": ("Bon de commande", "Réf. commande"), "customer_no": ("N° client", "Code client"),
    "bill_to": ("Facturer à", "Client", "Adresse de facturation"),
    "ship_to": ("Livrer à", "Adresse de livraison"),
    "description": ("Désignation", "Description"), "qty": ("Qté", "Quantité"),
    "unit": ("Prix unitaire", "P.U. HT"), "amount": ("Montant HT", "Total HT"),
    "subtotal": ("Total HT", "Montant HT", "Sous-total"),
    "tax": ("TVA {rate} %", "TVA ({rate} %)"),
    "total": ("Total TTC", "Net à payer", "Montant TTC"),
    "total_before_payment": ("Total TTC", "Montant TTC"),
    "shipping": ("Frais de port", "Livraison"), "discount": ("Remise",),
    "paid": ("Acompte versé", "Déjà payé"), "balance": ("Reste à payer", "Solde dû"),
    "phone": ("Tél.", "Téléphone"), "fax": ("Fax",), "email": ("E-mail", "Courriel"),
    "web": ("Site",), "iban": ("IBAN",), "bic": ("BIC",),
    "vat_id": ("N° TVA intracom.", "TVA intracommunautaire", "SIRET"),
    "bank": ("Coordonnées bancaires", "Règlement"),
    "terms": ("Paiement à {days} jours.", "Conditions de paiement : {days} jours net"),
    "thanks": ("Merci de votre confiance.", ""),
    "page": ("Page",), "continued": ("suite",),
}

NL_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("FACTUUR", "Factuur"),
    "number": ("Factuurnummer", "Factuurnr.", "Nummer"),
    "date": ("Factuurdatum", "Datum"),
    "due": ("Vervaldatum", "Te betalen voor"),
    "order_date": ("Orderdatum", "Besteldatum"), "delivery_date": ("Leverdatum",),
    "po": ("Uw referentie", "Ordernummer"), "customer_no": ("Klantnummer", "Debiteurnr."),
    "bill_to": ("Factuuradres", "Klant", "Aan"), "ship_to": ("Afleveradres", "Leveradres"),
    "description": ("Omschrijving",), "qty": ("Aantal",), "unit": ("Prijs", "Stukprijs"),
    "amount": ("Bedrag", "Totaal"),
    "subtotal": ("Subtotaal", "Totaal excl. BTW"),
    "tax": ("BTW {rate}%", "BTW ({rate}%)"),
    "total": ("Totaal", "Totaal incl. BTW", "Te betalen"),
    "total_before_payment": ("Totaal", "Totaal incl. BTW"),
    "shipping": ("Verzendkosten",), "discount": ("Korting",),
    "paid": ("Aanbetaling", "Reeds betaald"), "balance": ("Openstaand bedrag", "Nog te betalen"),
    "phone": ("Tel.", "Telefoon"), "fax": ("Fax",), "email": ("E-mail",), "web": ("Web",),
    "iban": ("IBAN",), "bic": ("BIC",), "vat_id": ("BTW-nr.", "KvK"),
    "bank": ("Bankgegevens",),
    "terms": ("Gelieve binnen {days} dagen te betalen.", "Betalingstermijn: {days} dagen"),
    "thanks": ("Bedankt voor uw opdracht.", ""),
    "page": ("Pagina",), "continued": ("vervolg",),
}

ES_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("FACTURA", "Factura"),
    "number": ("Nº Factura", "Factura nº", "Número de factura"),
    "date": ("Fecha", "Fecha de factura", "Fecha de emisión"),
    "due": ("Vencimiento", "Fecha de vencimiento"),
    "order_date": ("Fecha de pedido",), "delivery_date": ("Fecha de entrega",),
    "po": ("Nº Pedido", "Su referencia"), "customer_no": ("Nº Cliente", "Código cliente"),
    "bill_to": ("Cliente", "Facturar a"), "ship_to": ("Enviar a", "Dirección de entrega"),
    "description": ("Concepto", "Descripción"), "qty": ("Cant.", "Unidades"),
    "unit": ("Precio", "Precio unit."), "amount": ("Importe",),
    "subtotal": ("Base imponible", "Subtotal"),
    "tax": ("IVA {rate}%", "IVA ({rate}%)"),
    "total": ("Total", "Total factura", "Total a pagar"),
    "total_before_payment": ("Total", "Total factura"),
    "shipping": ("Portes", "Gastos de envío"), "discount": ("Descuento",),
    "paid": ("Anticipo", "Pagado"), "balance": ("Pendiente", "Saldo pendiente"),
    "phone": ("Tel.", "Teléfono"), "fax": ("Fax",), "email": ("Email", "Correo"), "web": ("Web",),
    "iban": ("IBAN",), "bic": ("BIC", "SWIFT"), "vat_id": ("NIF", "CIF"),
    "bank": ("Datos bancarios", "Forma de pago"),
    "terms": ("Pago a {days} días.", "Forma de pago: transferencia a {days} días"),
    "thanks": ("Gracias por su confianza.", ""),
    "page": ("Página",), "continued": ("continuación",),
}

IT_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("FATTURA", "Fattura"),
    "number": ("Fattura n.", "Numero fattura", "N. documento"),
    "date": ("Data", "Data fattura", "Data documento"),
    "due": ("Scadenza", "Data scadenza"),
    "order_date": ("Data ordine",), "delivery_date": ("Data consegna", "Data DDT"),
    "po": ("Rif. ordine", "Vs. ordine"), "customer_no": ("Cod. cliente", "Codice cliente"),
    "bill_to": ("Spett.le", "Cliente", "Intestatario"), "ship_to": ("Destinazione merce", "Consegna a"),
    "description": ("Descrizione",), "qty": ("Q.tà", "Quantità"), "unit": ("Prezzo", "Prezzo unit."),
    "amount": ("Importo",),
    "subtotal": ("Imponibile", "Totale imponibile"),
    "tax": ("IVA {rate}%", "IVA {rate} %"),
    "total": ("Totale", "Totale documento", "Totale fattura"),
    "total_before_payment": ("Totale documento", "Totale fattura"),
    "shipping": ("Spese di trasporto", "Spese di spedizione"), "discount": ("Sconto",),
    "paid": ("Acconto", "Già pagato"), "balance": ("Saldo", "Da pagare"),
    "phone": ("Tel.",), "fax": ("Fax",), "email": ("Email", "PEC"), "web": ("Web",),
    "iban": ("IBAN",), "bic": ("BIC", "SWIFT"), "vat_id": ("P.IVA", "Partita IVA", "C.F."),
    "bank": ("Coordinate bancarie", "Pagamento"),
    "terms": ("Pagamento a {days} giorni d.f.", "Bonifico bancario {days} gg"),
    "thanks": ("Grazie per la fiducia.", ""),
    "page": ("Pagina",), "continued": ("segue",),
}

# Malaysian invoices are written in English, with local tax words.
MY_LABELS = {**EN_LABELS,
             "title": ("INVOICE", "TAX INVOICE"),
             "number": ("Invoice No", "Inv No.", "Invoice No."),
             "tax": ("SST {rate}%", "GST {rate}%", "Service Tax {rate}%"),
             "vat_id": ("SST Reg No.", "GST ID", "SST ID"),
             "total": ("Total", "Total (RM)", "Grand Total", "Total Payable")}

# Words only receipts print, per language.
RECEIPT_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "ms": {"title": ("TAX INVOICE", "RECEIPT", "SIMPLIFIED TAX INVOICE", "CASH BILL"),
           "number": ("Receipt No", "Invoice No", "Bill No", "Doc No", "Inv No"),
           "date": ("Date",), "time": ("Time",), "cashier": ("Cashier", "Cashier ID", "Served by"),
           "subtotal": ("Sub Total", "Total Excl. GST", "Subtotal", "Total Sales (Excl. Tax)"),
           "tax": ("GST 6%", "SST 6%", "Service Tax 6%", "GST @6%"),
           "rounding": ("ROUNDING ADJ", "Rounding Adj", "Rounding"),
           "total": ("TOTAL", "Total", "TOTAL (RM)", "NET TOTAL", "Total Incl. GST"),
           "cash": ("CASH", "Cash", "TENDERED"), "change": ("CHANGE", "Change", "CHANGE DUE"),
           "summary": ("GST Summary", "Tax Summary", "SST Summary"),
           "thanks": ("THANK YOU. PLEASE COME AGAIN.", "GOODS SOLD ARE NOT RETURNABLE", "Thank you!")},
    "en": {"title": ("RECEIPT", "SALES RECEIPT"), "number": ("Receipt No", "Trans #"),
           "date": ("Date",), "time": ("Time",), "cashier": ("Cashier", "Clerk"),
           "subtotal": ("Subtotal",), "tax": ("Tax", "VAT"), "rounding": ("Rounding",),
           "total": ("TOTAL", "Total"), "cash": ("CASH", "Cash"), "change": ("CHANGE", "Change"),
           "summary": ("Tax Summary",), "thanks": ("Thank you!",)},
    "de": {"title": ("BELEG", "Kassenbon", "QUITTUNG"), "number": ("Beleg-Nr.", "Bon-Nr."),
           "date": ("Datum",), "time": ("Uhrzeit",), "cashier": ("Kasse", "Es bediente Sie"),
           "subtotal": ("Zwischensumme", "Netto"), "tax": ("MwSt.", "USt."), "rounding": ("Rundung",),
           "total": ("SUMME", "Gesamt"), "cash": ("BAR", "Gegeben"), "change": ("Rückgeld", "Zurück"),
           "summary": ("Steuerübersicht",), "thanks": ("Vielen Dank für Ihren Einkauf!",)},
    "fr": {"title": ("TICKET", "REÇU"), "number": ("Ticket n°", "N° ticket"), "date": ("Date",),
           "time": ("Heure",), "cashier": ("Caissier", "Vendeur"), "subtotal": ("Total HT",),
           "tax": ("TVA",), "rounding": ("Arrondi",), "total": ("TOTAL TTC", "TOTAL"),
           "cash": ("ESPECES", "Espèces"), "change": ("Rendu", "Monnaie rendue"),
           "summary": ("Détail TVA",), "thanks": ("Merci de votre visite",)},
    "nl": {"title": ("KASSABON", "BON"), "number": ("Bonnr.", "Transactie"), "date": ("Datum",),
           "time": ("Tijd",), "cashier": ("Kassa", "Medewerker"), "subtotal": ("Subtotaal",),
           "tax": ("BTW",), "rounding": ("Afronding",), "total": ("TOTAAL", "Totaal"),
           "cash": ("CONTANT", "Contant"), "change": ("Wisselgeld", "Terug"),
           "summary": ("BTW-overzicht",), "thanks": ("Bedankt en tot ziens!",)},
    "es": {"title": ("TICKET", "FACTURA SIMPLIFICADA"), "number": ("Ticket nº", "Nº Factura"),
           "date": ("Fecha",), "time": ("Hora",), "cashier": ("Cajero", "Le atendió"),
           "subtotal": ("Base imponible",), "tax": ("IVA",), "rounding": ("Redondeo",),
           "total": ("TOTAL",), "cash": ("EFECTIVO", "Entregado"), "change": ("CAMBIO", "Cambio"),
           "summary": ("Desglose IVA",), "thanks": ("Gracias por su visita",)},
    "it": {"title": ("SCONTRINO", "DOCUMENTO COMMERCIALE"), "number": ("Documento n.", "Scontrino n."),
           "date": ("Data",), "time": ("Ora",), "cashier": ("Cassa", "Operatore"),
           "subtotal": ("Imponibile", "Subtotale"), "tax": ("IVA",), "rounding": ("Arrotondamento",),
           "total": ("TOTALE", "TOTALE COMPLESSIVO"), "cash": ("CONTANTI", "Pagamento contante"),
           "change": ("RESTO", "Resto"), "summary": ("Riepilogo IVA",), "thanks": ("Grazie e arrivederci",)},
}


def _us_company(rng: random.Random) -> str:
    first = _pick(rng, "Brightline", "Summit", "Redwood", "Lakeshore", "Granite", "Bluewater", "Keystone",
                  "Ironbridge", "Northstar", "Pinecrest", "Silver Creek", "Harborview", "Copperfield")
    trade = _pick(rng, "Consulting", "Logistics", "Supply", "Analytics", "Builders", "Media", "Software",
                  "Foods", "Dental Labs", "Electric", "Design Studio", "Packaging")
    return f"{first} {trade} {_pick(rng, 'LLC', 'Inc.', 'Corp.', 'Co.', 'Group LLC')}"


def _gb_company(rng: random.Random) -> str:
    first = _pick(rng, "Thornbury", "Ashdown", "Kingsley", "Harrow", "Millbrook", "Wexford", "Castlegate",
                  "Pennine", "Avonside", "Blackwood", "Fairhaven", "Oakridge")
    trade = _pick(rng, "Joinery", "Trading", "Associates", "Print", "Engineering", "Catering", "Roofing",
                  "Office Supplies", "Plumbing & Heating", "Marketing")
    return f"{first} {trade} {_pick(rng, 'Ltd', 'Limited', 'LLP', 'plc', 'Ltd.')}"


GERMAN_SURNAMES = ("Müller", "Schmidt", "Becker", "Hoffmann", "Wagner", "Schäfer", "Krüger", "Weiß",
                   "Schulz", "Koch", "Richter", "Wolf", "Neumann", "Braun")
SWISS_SURNAMES = ("Meier", "Keller", "Brunner", "Baumann", "Frei", "Huber", "Gerber", "Steiner",
                  "Zürcher", "Bühler", "Moser", "Widmer")


def _german_company(surnames: tuple[str, ...], forms: tuple[str, ...]) -> Callable[[random.Random], str]:
    def company(rng: random.Random) -> str:
        name = rng.choice(surnames)
        trade = _pick(rng, "Haustechnik", "Elektro", "Bau", "Druckerei", "Metallbau", "Gartenbau", "Logistik",
                      "Software", "Sanitär", "Maschinenbau", "Steuerberatung")
        shape = rng.randrange(4)
        if shape == 0:
            return f"{name} & Söhne {rng.choice(forms)}"
        if shape == 1:
            return f"{name} {trade} {rng.choice(forms)}"
        if shape == 2:
            return f"{trade} {name} {rng.choice(forms)}"
        return f"{name} & {rng.choice(surnames)} {rng.choice(forms)}"
    return company


def _fr_company(rng: random.Random) -> str:
    trade = _pick(rng, "Boulangerie", "Menuiserie", "Transports", "Imprimerie", "Garage", "Cabinet",
                  "Plomberie", "Électricité", "Pâtisserie", "Atelier")
    name = _pick(rng, "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard", "Fournier", "Rousseau",
                 "Lambert", "Fontaine")
    return f"{trade} {name} {_pick(rng, 'SARL', 'SAS', 'SA', 'EURL')}"


def _nl_company(rng: random.Random) -> str:
    name = _pick(rng, "Van Dijk", "De Vries", "Jansen", "Bakker", "Visser", "Smit", "Mulder", "De Boer",
                 "Van den Berg", "Hendriks")
    trade = _pick(rng, "Installatietechniek", "Bouw", "Transport", "Schilderwerken", "Advies",
                  "Automatisering", "Grafisch Ontwerp", "Tuinen")
    return f"{name} {trade} {_pick(rng, 'B.V.', 'V.O.F.', 'BV')}"


def _es_company(rng: random.Random) -> str:
    trade = _pick(rng, "Construcciones", "Talleres", "Distribuciones", "Suministros", "Gráficas",
                  "Transportes", "Reformas")
    name = _pick(rng, "García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Ortega")
    return f"{trade} {name} {_pick(rng, 'S.L.', 'S.A.', 'S.L.U.')}"


def _it_company(rng: random.Random) -> str:
    trade = _pick(rng, "Officine", "Trasporti", "Edilizia", "Tipografia", "Ferramenta", "Arredamenti",
                  "Impianti")
    name = _pick(rng, "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci")
    return f"{trade} {name} {_pick(rng, 'S.r.l.', 'S.p.A.', 'S.n.c.')}"


def _my_company(rng: random.Random) -> str:
    trade = _pick(rng, "KEDAI RUNCIT", "RESTORAN", "KEDAI MAKAN", "PASAR MINI", "KEDAI ALAT TULIS",
                  "PERNIAGAAN", "KEDAI KOPI", "FARMASI", "HARDWARE")
    name = _pick(rng, "AH HUAT", "SIN HENG", "MAJU JAYA", "KIM LOONG", "SRI MURNI", "TECK SENG", "BESTARI",
                 "UNIQUE", "HONG KEE", "MUTIARA")
    return f"{trade} {name} SDN BHD"


def _with_country(rng: random.Random, lines: list[str], country: str, share: float) -> list[str]:
    """Add the country line to an address on ``share`` of the documents, as senders often omit it."""
    if rng.random() < share:
        lines.append(country)
    return lines


def _us_address(rng: random.Random) -> list[str]:
    street = f"{rng.randint(1, 9899)} {_pick(rng, 'Oak', 'Maple', 'Market', 'Elm', 'Cedar', 'Lincoln', 'Park')} " \
             f"{_pick(rng, 'Street', 'Ave', 'Blvd', 'Road', 'Drive')}"
    city, state = rng.choice((("Springfield", "IL"), ("Austin", "TX"), ("Portland", "OR"), ("Denver", "CO"),
                              ("Columbus", "OH"), ("Raleigh", "NC"), ("Madison", "WI")))
    lines = [street]
    if rng.random() < 0.3:
        lines.append(f"Suite {rng.randint(100, 990)}")
    lines.append(f"{city}, {state} {_digits(rng, 5)}")
    return _with_country(rng, lines, "USA", 0.3)


def _gb_address(rng: random.Random) -> list[str]:
    city, area = rng.choice((("Edinburgh", "EH"), ("Leeds", "LS"), ("Bristol", "BS"), ("Manchester", "M"),
                             ("Norwich", "NR"), ("Cardiff", "CF"), ("York", "YO")))
    lines = [f"{rng.randint(1, 240)} {_pick(rng, 'Castle', 'High', 'Mill', 'Church', 'Station', 'Victoria')} "
             f"{_pick(rng, 'Street', 'Road', 'Lane', 'Way')}",
             f"{city} {area}{rng.randint(1, 19)} {rng.randint(1, 9)}{_letters(rng, 2)}"]
    return _with_country(rng, lines, "United Kingdom", 0.4)


def _de_address(rng: random.Random) -> list[str]:
    lines = [f"{_pick(rng, 'Haupt', 'Bahnhof', 'Garten', 'Schiller', 'Goethe', 'Linden')}"
             f"{_pick(rng, 'straße', 'weg', 'allee')} {rng.randint(1, 180)}",
             f"{_digits(rng, 5)} {_pick(rng, 'Berlin', 'Hamburg', 'München', 'Köln', 'Leipzig', 'Nürnberg')}"]
    return _with_country(rng, lines, "Deutschland", 0.3)


def _ch_address(rng: random.Random) -> list[str]:
    lines = [f"{_pick(rng, 'Bahnhof', 'See', 'Kirch', 'Dorf', 'Berg')}strasse {rng.randint(1, 120)}",
             f"{rng.randint(1000, 9658)} {_pick(rng, 'Zürich', 'Bern', 'Basel', 'Luzern', 'Winterthur')}"]
    return _with_country(rng, lines, "Schweiz", 0.3)


def _fr_address(rng: random.Random) -> list[str]:
    lines = [f"{rng.randint(1, 140)} {_pick(rng, 'rue de la Paix', 'avenue Victor Hugo', 'rue Nationale', 'boulevard Gambetta', 'rue des Lilas')}",
             f"{_digits(rng, 5)} {_pick(rng, 'Lyon', 'Nantes', 'Lille', 'Bordeaux', 'Rennes', 'Toulouse')}"]
    return _with_country(rng, lines, "France", 0.3)


def _nl_address(rng: random.Random) -> list[str]:
    lines = [f"{_pick(rng, 'Kerk', 'Molen', 'Dorps', 'Stations', 'Prinsen')}{_pick(rng, 'straat', 'weg', 'laan')} "
             f"{rng.randint(1, 250)}",
             f"{rng.randint(1000, 9999)} {_letters(rng, 2)} {_pick(rng, 'Utrecht', 'Amersfoort', 'Zwolle', 'Haarlem', 'Eindhoven')}"]
    return _with_country(rng, lines, "Nederland", 0.3)


def _es_address(rng: random.Random) -> list[str]:
    lines = [f"{_pick(rng, 'Calle Mayor', 'Avda. de la Constitución', 'Calle del Sol', 'Paseo de Gracia')} {rng.randint(1, 200)}",
             f"{_digits(rng, 5)} {_pick(rng, 'Madrid', 'Valencia', 'Sevilla', 'Zaragoza', 'Bilbao')}"]
    return _with_country(rng, lines, "España", 0.3)


def _it_address(rng: random.Random) -> list[str]:
    city, province = rng.choice((("Milano", "MI"), ("Torino", "TO"), ("Bologna", "BO"), ("Firenze", "FI"),
                                 ("Verona", "VR")))
    lines = [f"Via {_pick(rng, 'Roma', 'Garibaldi', 'Mazzini', 'Dante', 'Verdi')} {rng.randint(1, 150)}",
             f"{_digits(rng, 5)} {city} ({province})"]
    return _with_country(rng, lines, "Italia", 0.3)


def _my_address(rng: random.Random) -> list[str]:
    return [f"NO. {rng.randint(1, 88)}, JALAN {_pick(rng, 'BUNGA RAYA', 'MERDEKA', 'SS2', 'PJU 1', 'MUTIARA')} "
            f"{rng.randint(1, 24)}",
            f"TAMAN {_pick(rng, 'SRI GOMBAK', 'BUKIT INDAH', 'MELAWATI', 'DESA JAYA')}",
            f"{_digits(rng, 5)} {_pick(rng, 'KUALA LUMPUR', 'PETALING JAYA', 'JOHOR BAHRU', 'IPOH', 'KLANG')}"]


def _vat(prefix: str, count: int) -> Callable[[random.Random], str]:
    return lambda rng: f"{prefix}{_digits(rng, count)}"


LOCALE_SPECS: dict[str, LocaleSpec] = {spec.code: spec for spec in (
    LocaleSpec("en_US", "en", "USD", ("${n}", "$ {n}", "USD {n}"), ",", ".",
               ("%m/%d/%Y", "month d, yyyy", "%Y-%m-%d", "%m/%d/%y"), (5, 6, 7, 8),
               EN_LABELS, _us_company, _us_address,
               lambda rng: f"({_digits(rng, 3)}) {_digits(rng, 3)}-{_digits(rng, 4)}",
               lambda rng: f"{_digits(rng, 2)}-{_digits(rng, 7)}", "US", letter),
    LocaleSpec("en_GB", "en", "GBP", ("£{n}", "GBP {n}"), ",", ".",
               ("%d/%m/%Y", "d month yyyy", "%Y-%m-%d", "dd-mon-yyyy"), (20, 5),
               EN_LABELS, _gb_company, _gb_address,
               lambda rng: f"0{rng.randint(113, 199)} {_digits(rng, 3)} {_digits(rng, 4)}",
               _vat("GB ", 9), "GB"),
    LocaleSpec("de_DE", "de", "EUR", ("{n} €", "{n} EUR", "€ {n}"), ".", ",",
               ("%d.%m.%Y", "d. month yyyy", "%Y-%m-%d"), (19, 7), DE_LABELS,
               _german_company(GERMAN_SURNAMES, ("GmbH", "GmbH & Co. KG", "KG", "AG", "e.K.")), _de_address,
               lambda rng: f"0{rng.randint(30, 899)} {_digits(rng, 6)}", _vat("DE", 9), "DE"),
    LocaleSpec("de_CH", "de", "CHF", ("CHF {n}", "{n} CHF", "Fr. {n}"), "'", ".",
               ("%d.%m.%Y", "d. month yyyy"), (8,), {**DE_LABELS, "tax": ("MWST {rate}%", "MwSt. {rate}%")},
               _german_company(SWISS_SURNAMES, ("AG", "GmbH")), _ch_address,
               lambda rng: f"+41 {rng.randint(21, 91)} {_digits(rng, 3)} {_digits(rng, 2)} {_digits(rng, 2)}",
               lambda rng: f"CHE-{_digits(rng, 3)}.{_digits(rng, 3)}.{_digits(rng, 3)} MWST", "CH"),
    LocaleSpec("fr_FR", "fr", "EUR", ("{n} €", "{n} EUR"), " ", ",",
               ("%d/%m/%Y", "d month yyyy"), (20, 10, 5), FR_LABELS, _fr_company, _fr_address,
               lambda rng: f"0{rng.randint(1, 5)} {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)}",
               _vat("FR", 11), "FR"),
    LocaleSpec("nl_NL", "nl", "EUR", ("€ {n}", "€{n}", "EUR {n}"), ".", ",",
               ("%d-%m-%Y", "d month yyyy"), (21, 9), NL_LABELS, _nl_company, _nl_address,
               lambda rng: f"0{rng.randint(10, 79)}-{_digits(rng, 7)}", lambda rng: f"NL{_digits(rng, 9)}B01", "NL"),
    LocaleSpec("es_ES", "es", "EUR", ("{n} €", "{n} EUR"), ".", ",",
               ("%d/%m/%Y", "d de month de yyyy", "%d-%m-%Y"), (21, 10), ES_LABELS, _es_company, _es_address,
               lambda rng: f"9{rng.randint(10, 99)} {_digits(rng, 3)} {_digits(rng, 3)}",
               lambda rng: f"B{_digits(rng, 8)}", "ES"),
    LocaleSpec("it_IT", "it", "EUR", ("€ {n}", "{n} €", "EUR {n}"), ".", ",",
               ("%d/%m/%Y", "d month yyyy", "%d.%m.%Y"), (22, 10), IT_LABELS, _it_company, _it_address,
               lambda rng: f"0{rng.randint(2, 99)} {_digits(rng, 7)}", _vat("IT", 11), "IT"),
    LocaleSpec("ms_MY", "ms", "MYR", ("RM {n}", "RM{n}", "{n}"), ",", ".",
               ("%d/%m/%Y", "%d-%m-%y", "%d/%m/%y"), (6,), MY_LABELS, _my_company, _my_address,
               lambda rng: f"03-{_digits(rng, 4)} {_digits(rng, 4)}",
               lambda rng: f"{_digits(rng, 12)}", "MY"),
)}
LOCALES: tuple[str, ...] = tuple(LOCALE_SPECS)

ITEM_WORDS = {
    "en": ("Consulting hours", "Website maintenance", "Printer paper A4", "Toner cartridge", "Office chair",
           "Cable set", "Installation service", "Travel expenses", "Software licence", "Annual support",
           "Design work", "Copper pipe 15mm", "LED panel", "Cleaning service", "Training session"),
    "de": ("Beratungsleistung", "Wartung Heizungsanlage", "Kopierpapier A4", "Montagearbeiten", "Kupferrohr 15 mm",
           "Softwarelizenz", "Anfahrtspauschale", "Bürostuhl", "Reinigung", "Schulung", "Material"),
    "fr": ("Prestation de conseil", "Baguettes tradition", "Main d'oeuvre", "Déplacement", "Fournitures",
           "Maintenance annuelle", "Papier A4", "Installation", "Formation", "Croissants"),
    "nl": ("Advieswerkzaamheden", "Installatie", "Voorrijkosten", "Materiaal", "Onderhoud", "Schilderwerk",
           "Licentie", "Kantoorstoel", "Arbeidsloon", "Training"),
    "es": ("Servicios de consultoría", "Mano de obra", "Material eléctrico", "Desplazamiento", "Mantenimiento",
           "Licencia de software", "Papel A4", "Instalación"),
    "it": ("Consulenza tecnica", "Manodopera", "Materiale elettrico", "Trasferta", "Manutenzione",
           "Licenza software", "Carta A4", "Installazione"),
    "ms": ("MILO 1KG", "BERAS 5KG", "GULA 1KG", "MINYAK MASAK 2KG", "ROTI GARDENIA", "TEH TARIK",
           "NASI LEMAK", "KOPI O", "MEE GORENG", "AIR MINERAL 1.5L", "PEN BIRU", "BUKU LATIHAN", "SABUN DOBI"),
}


def _invoice_number(rng: random.Random, year: int) -> str:
    shapes = (
        lambda: f"INV-{year}-{rng.randint(1, 9999):04d}",
        lambda: f"{year}/{rng.randint(1, 999)}",
        lambda: f"RE-{rng.randint(10000, 99999)}",
        lambda: f"F{year}-{rng.randint(1, 9999):04d}",
        lambda: f"{rng.randint(1, 999999):06d}",
        lambda: f"{rng.randint(1000, 99999)}",
        lambda: f"{_letters(rng, 2)}{rng.randint(100000, 999999)}",
        lambda: f"{year % 100:02d}-{rng.randint(100, 9999)}",
        lambda: f"INV{rng.randint(10000, 999999)}",
        lambda: f"FA{year}{rng.randint(1, 12):02d}-{rng.randint(1, 999):03d}",
    )
    return rng.choice(shapes)()


# --------------------------------------------------------------------------- content

@dataclass
class Party:
    name: str
    address: list[str]


@dataclass
class Item:
    description: str
    quantity: Decimal
    unit: Decimal
    amount: Decimal


@dataclass
class _Content:
    """What one invoice says, before it is worded and drawn."""

    vendor: Party
    customer: Party
    ship_to: Party | None
    number: str
    issued: date
    due: date | None
    ordered: date
    delivered: date
    po_number: str
    customer_number: str
    items: list[Item]
    subtotal: Decimal
    shipping: Decimal
    discount: Decimal
    tax_rate: int
    tax: Decimal
    total: Decimal
    paid: Decimal  # a deposit already paid; the balance line then differs from the total
    payment_days: int
    phone: str
    fax: str
    email: str
    website: str
    iban: str
    bic: str
    vat_id: str
    company_no: str


def _amount(rng: random.Random, largest_power: float = 3.8) -> Decimal:
    """A price from cents up to 10**largest_power, log-uniform so every magnitude shows up."""
    return Decimal(str(round(10 ** rng.uniform(-1.3, largest_power), 2))).quantize(CENT)


def _items(rng: random.Random, language: str, count: int, largest_power: float) -> list[Item]:
    items = []
    for _ in range(count):
        description = rng.choice(ITEM_WORDS[language])
        if rng.random() < 0.3:
            description += f" {_letters(rng, 1)}{rng.randint(10, 999)}"
        quantity = Decimal(rng.choice((1, 1, 1, 2, 3, 4, 5, 8, 10, 12, 20, 50)))
        unit = _amount(rng, largest_power)
        items.append(Item(description, quantity, unit, (quantity * unit).quantize(CENT)))
    return items


def _content(rng: random.Random, spec: LocaleSpec, item_count: int, *, receipt: bool) -> _Content:
    vendor = Party(spec.company(rng), spec.address(rng))
    customer = Party(spec.company(rng), spec.address(rng))
    while customer.name == vendor.name:
        customer.name = spec.company(rng)
    ship_to = None
    if rng.random() < 0.55:
        ship_name = spec.company(rng)
        while ship_name in (vendor.name, customer.name):
            ship_name = spec.company(rng)
        ship_to = Party(ship_name, spec.address(rng))
    issued = date(2019, 1, 1) + timedelta(days=rng.randrange(7 * 365))
    payment_days = rng.choice((7, 14, 14, 30, 30, 45, 60))
    # Shop receipts stay under a few hundred; invoices reach hundreds of thousands.
    items = _items(rng, spec.language, item_count, 1.8 if receipt else 3.8)
    subtotal = sum((item.amount for item in items), Decimal("0.00"))
    shipping = _amount(rng) if not receipt and rng.random() < 0.3 else Decimal("0.00")
    discount = (subtotal * Decimal(rng.choice((2, 3, 5, 10))) / 100).quantize(CENT) if not receipt and rng.random() < 0.2 \
        else Decimal("0.00")
    tax_rate = rng.choice(spec.tax_rates)
    tax = ((subtotal + shipping - discount) * tax_rate / 100).quantize(CENT, ROUND_HALF_UP)
    total = subtotal + shipping - discount + tax
    paid = (total * Decimal(rng.choice((20, 30, 50))) / 100).quantize(CENT) if not receipt and rng.random() < 0.15 \
        else Decimal("0.00")
    slug = "".join(ch for ch in vendor.name.split()[0].lower() if ch.isascii() and ch.isalpha()) or "firma"
    tld = {"US": "com", "GB": "co.uk", "MY": "com.my"}.get(spec.iban_country, spec.iban_country.lower())
    return _Content(
        vendor=vendor, customer=customer, ship_to=ship_to,
        number=_invoice_number(rng, issued.year), issued=issued,
        due=issued + timedelta(days=payment_days), ordered=issued - timedelta(days=rng.randint(1, 40)),
        delivered=issued - timedelta(days=rng.randint(0, 10)),
        po_number=f"{_pick(rng, 'PO-', 'PO', '', 'B-')}{rng.randint(1000, 999999)}",
        customer_number=f"{_pick(rng, 'C', 'K', 'CU-', '')}{rng.randint(1000, 99999)}",
        items=items, subtotal=subtotal, shipping=shipping, discount=discount, tax_rate=tax_rate, tax=tax,
        total=total, paid=paid, payment_days=payment_days,
        phone=spec.phone(rng), fax=spec.phone(rng), email=f"{_pick(rng, 'info', 'billing', 'accounts', 'office')}@{slug}.{tld}",
        website=f"www.{slug}.{tld}",
        iban=f"{spec.iban_country}{rng.randint(10, 99)} " + " ".join(_digits(rng, 4) for _ in range(4)) + f" {_digits(rng, 2)}",
        bic=f"{_letters(rng, 4)}{spec.iban_country}{_letters(rng, 2)}",
        vat_id=spec.vat_id(rng),
        company_no=f"({rng.randint(10000, 1299999)}-{rng.choice('AHKPTUVWXD')})",
    )


# --------------------------------------------------------------------------- style and wording

FONT_FAMILIES = (("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold"), ("Courier", "Courier-Bold"),
                 ("Helvetica", "Helvetica-Bold"))
INK = (0.0, 0.0, 0.0)
GREY = (0.38, 0.38, 0.38)
DARK_BLUE = (0.08, 0.18, 0.42)
ACCENTS = ((0.08, 0.18, 0.42), (0.55, 0.1, 0.1), (0.1, 0.35, 0.25), (0.25, 0.25, 0.25), (0.75, 0.4, 0.05))


@dataclass(frozen=True)
class Style:
    regular: str
    bold: str
    size: float
    label_colour: Colour
    accent: Colour
    margin: float
    upper_labels: bool
    colon: str
    label_bold: bool


def _style(rng: random.Random, *, receipt: bool = False) -> Style:
    regular, bold = rng.choice(FONT_FAMILIES)
    return Style(regular, bold,
                 size=rng.choice((7.0, 7.5, 8.0)) if receipt else rng.choice((8.5, 9.0, 9.5, 10.0, 10.5)),
                 label_colour=rng.choice((INK, INK, GREY, DARK_BLUE)),
                 accent=rng.choice(ACCENTS),
                 margin=rng.uniform(8, 14) if receipt else rng.uniform(36, 62),
                 upper_labels=rng.random() < 0.25, colon=rng.choice((":", ":", "")),
                 label_bold=rng.random() < 0.5)


class Wording:
    """One wording per label key, fixed for the whole document."""

    def __init__(self, rng: random.Random, labels: dict[str, tuple[str, ...]], style: Style,
                 content: _Content) -> None:
        self.style = style
        self.chosen = {key: rng.choice(options) for key, options in labels.items()}
        # With a deposit on the invoice the balance line says "Amount Due", so the total may not.
        if content.paid:
            self.chosen["total"] = rng.choice(labels["total_before_payment"])

    def raw(self, key: str, **values: object) -> str:
        text = self.chosen[key].format(**values)
        return text.upper() if self.style.upper_labels else text

    def __call__(self, key: str, **values: object) -> str:
        """The label as printed before a value: case and colon as this document writes them."""
        return self.raw(key, **values) + self.style.colon


# --------------------------------------------------------------------------- drawing

class StyledDrawer(_Drawer):
    """``_Drawer`` with a choice of font and colour: its own ``text`` only draws Helvetica."""

    def __init__(self, canvas: Canvas, height: float, style: Style) -> None:
        super().__init__(canvas, height)
        self.style = style

    def text(self, x: float, top: float, text: str, *, size: float | None = None, bold: bool = False,
             field: str | None = None, align: str = "left", colour: Colour = INK,
             font: str | None = None) -> float:
        font = font or (self.style.bold if bold else self.style.regular)
        size = size or self.style.size
        width = stringWidth(text, font, size)
        ascent, descent = getAscentDescent(font, size)
        left = {"left": x, "right": x - width, "centre": x - width / 2}[align]
        self.canvas.setFillColorRGB(*colour)
        self.canvas.setFont(font, size)
        self.canvas.drawString(left, self.height - top - ascent, text)
        self.log.append(DrawnText(text, self.page, (left, top, left + width, top + ascent - descent), field))
        return width


class Sheet:
    """A document being drawn: the canvas, its style and wording, the content, and page breaks.

    Layout functions draw through it and move a ``top`` cursor (points from the page top)
    down the page. ``footer`` is drawn on every page as the page is finished.
    """

    def __init__(self, canvas: Canvas, size: tuple[float, float], style: Style, wording: Wording,
                 content: _Content, spec: LocaleSpec, rng: random.Random) -> None:
        self.canvas = canvas
        self.width, self.height = size
        self.style = style
        self.words = wording
        self.content = content
        self.spec = spec
        self.rng = rng
        self.draw = StyledDrawer(canvas, self.height, style)
        self.footer: Callable[[], None] | None = None
        self.footer_height = 0.0
        self.money_format = rng.choice(spec.money_formats)
        self.date_format = rng.choice(spec.date_formats)
        self.printed: dict[str, list[str]] = {}

    # -- geometry
    @property
    def left(self) -> float:
        return self.style.margin

    @property
    def right(self) -> float:
        return self.width - self.style.margin

    @property
    def bottom(self) -> float:
        """The lowest ``top`` a body line may have before the footer."""
        return self.height - self.style.margin - self.footer_height - 14

    @property
    def line(self) -> float:
        return self.style.size * 1.45

    def width_of(self, text: str, *, bold: bool = False, size: float | None = None) -> float:
        return stringWidth(text, self.style.bold if bold else self.style.regular, size or self.style.size)

    def fit(self, text: str, room: float, *, bold: bool = False, size: float | None = None) -> str:
        """``text`` cut short (with a full stop) so it fits in ``room`` points."""
        while len(text) > 4 and self.width_of(text, bold=bold, size=size) > room:
            text = text[:-2].rstrip() + "."
        return text

    # -- text
    def text(self, x: float, top: float, text: str, **options: object) -> float:
        field_name = options.get("field")
        if field_name:
            self.printed.setdefault(str(field_name), []).append(text)
        return self.draw.text(x, top, text, **options)  # type: ignore[arg-type]

    def label(self, x: float, top: float, text: str, **options: object) -> float:
        options.setdefault("bold", self.style.label_bold)
        options.setdefault("colour", self.style.label_colour)
        return self.text(x, top, text, **options)

    def money(self, value: Decimal, *, symbol: bool = True) -> str:
        sign = "-" if value < 0 else ""
        whole, cents = f"{abs(value):.2f}".split(".")
        grouped = f"{int(whole):,}".replace(",", self.spec.group)
        number = f"{sign}{grouped}{self.spec.decimal}{cents}"
        return self.money_format.format(n=number) if symbol else number

    def date(self, day: date) -> str:
        return _format_date(day, self.date_format, self.spec.language)

    def rule(self, top: float, x0: float | None = None, x1: float | None = None, *, width: float = 0.6,
             colour: Colour = GREY) -> None:
        self.canvas.setStrokeColorRGB(*colour)
        self.canvas.setLineWidth(width)
        y = self.height - top
        self.canvas.line(self.left if x0 is None else x0, y, self.right if x1 is None else x1, y)

    def box(self, x: float, top: float, width: float, height: float, *, fill: Colour | None = None,
            stroke: Colour = GREY) -> None:
        self.canvas.setStrokeColorRGB(*stroke)
        self.canvas.setLineWidth(0.7)
        if fill:
            self.canvas.setFillColorRGB(*fill)
        self.canvas.rect(x, self.height - top - height, width, height, stroke=1, fill=1 if fill else 0)

    # -- pages
    def new_page(self) -> float:
        """Finish this page and start the next (footer first); returns the top of its body."""
        self.draw.new_page()
        if self.footer:
            self.footer()
        top = self.style.margin
        self.text(self.left, top, f"{self.words.raw('title')} ({self.words.raw('continued')})", size=self.style.size - 1, colour=GREY)
        self.text(self.right, top, f"{self.words.raw('page')} {self.draw.page}", size=self.style.size - 1,
                  colour=GREY, align="right")
        return top + 3 * self.line

    def close(self) -> None:
        self.canvas.showPage()
        self.canvas.save()


# --------------------------------------------------------------------------- building blocks

def vendor_block(s: Sheet, x: float, top: float, *, align: str = "left", name: bool = True,
                 contact: bool = False, name_size: float | None = None) -> float:
    """The vendor's name and address (the labelled ones), optionally phone and email below."""
    c = s.content
    if name:
        s.text(x, top, c.vendor.name, bold=True, size=name_size or s.style.size + 4, align=align,
               field="VENDOR_NAME", colour=s.style.accent if s.rng.random() < 0.4 else INK)
        top += (name_size or s.style.size + 4) * 1.5
    for line in c.vendor.address:
        s.text(x, top, line, align=align, field="VENDOR_ADDRESS")
        top += s.line
    if contact:
        for key, value in (("phone", c.phone), ("email", c.email)):
            s.text(x, top, f"{s.words(key)} {value}", align=align, size=s.style.size - 0.5)
            top += s.line
    return top


def logo(s: Sheet, x: float, top: float, *, with_name: bool = True, room: float | None = None) -> float:
    """A drawn mark in the accent colour, sometimes with the vendor name in big letters beside it.

    Returns the bottom of the logo. The name, when drawn here, is the labelled vendor name."""
    size = s.rng.uniform(26, 40)
    s.canvas.setFillColorRGB(*s.style.accent)
    y = s.height - top - size
    shape = s.rng.randrange(3)
    if shape == 0:
        s.canvas.circle(x + size / 2, y + size / 2, size / 2, stroke=0, fill=1)
    elif shape == 1:
        s.canvas.rect(x, y, size, size, stroke=0, fill=1)
    else:
        path = s.canvas.beginPath()
        path.moveTo(x, y)
        path.lineTo(x + size, y)
        path.lineTo(x + size / 2, y + size)
        path.close()
        s.canvas.drawPath(path, stroke=0, fill=1)
    if with_name:
        # Within ``room`` (about half the page), so an address block at the right stays clear.
        room = s.width * 0.5 if room is None else room
        name_size = min(s.rng.uniform(16, 24), (room - size - 10) / s.width_of(s.content.vendor.name, bold=True, size=1))
        s.text(x + size + 10, top + (size - name_size) / 2, s.content.vendor.name, bold=True, size=name_size,
               field="VENDOR_NAME", colour=s.style.accent)
    return top + size + 10


def title(s: Sheet, x: float, top: float, *, align: str = "left", size: float | None = None) -> float:
    size = size or s.rng.choice((16, 20, 24, 28))
    s.text(x, top, s.words.raw("title"), bold=True, size=size, align=align,
           colour=s.rng.choice((INK, s.style.accent, GREY)))
    return top + size * 1.4


def meta_rows(s: Sheet, *, distractors: int | None = None) -> list[tuple[str, str, str | None]]:
    """(label, value, field) for the invoice's meta data: number, dates and look-alike distractors."""
    c = s.content
    rows: list[tuple[str, str, str | None]] = [
        (s.words("number"), c.number, "INVOICE_NUMBER"),
        (s.words("date"), s.date(c.issued), "INVOICE_DATE"),
    ]
    if c.due:
        rows.append((s.words("due"), s.date(c.due), "DUE_DATE"))
    extras: list[tuple[str, str, str | None]] = [
        (s.words("order_date"), s.date(c.ordered), None),
        (s.words("delivery_date"), s.date(c.delivered), None),
        (s.words("po"), c.po_number, None),
        (s.words("customer_no"), c.customer_number, None),
    ]
    s.rng.shuffle(extras)
    rows += extras[: s.rng.randint(1, 3) if distractors is None else distractors]
    # The invoice number does not always come first; a date or the PO may lead.
    if s.rng.random() < 0.3:
        s.rng.shuffle(rows)
    return rows


def meta_key_value(s: Sheet, top: float, *, x_label: float | None = None, value_right: float | None = None,
                   value_x: float | None = None) -> float:
    """Labels in one column, values in the next (right-aligned at ``value_right`` or left at ``value_x``)."""
    rows = meta_rows(s)
    label_width = max(s.width_of(label, bold=s.style.label_bold) for label, _, _ in rows)
    value_width = max(s.width_of(value) for _, value, _ in rows)
    if value_x is None:
        value_right = value_right or s.right
        if x_label is None:
            x_label = value_right - value_width - label_width - 16
        elif x_label + label_width + 12 + value_width > value_right:
            value_x = x_label + label_width + 12  # too narrow to right-align: values follow the labels
    elif x_label is None:
        x_label = value_x - label_width - 12
    if value_x is not None:
        value_x = max(value_x, x_label + label_width + 12)
    for label, value, name in rows:
        s.label(x_label, top, label)
        if value_x is None:
            s.text(value_right, top, value, field=name, align="right")
        else:
            s.text(value_x, top, value, field=name)
        top += s.line * 1.1
    return top


def meta_inline(s: Sheet, x: float, top: float, room: float) -> float:
    """Several "Label: value" pairs on a line ("Invoice No: X   Date: Y"), wrapped at ``room``."""
    cursor = x
    gap = s.rng.choice((18, 24, 32))
    for label, value, name in meta_rows(s):
        pair_width = s.width_of(label, bold=s.style.label_bold) + 6 + s.width_of(value)
        if cursor > x and cursor + pair_width > x + room:
            cursor = x
            top += s.line * 1.2
        cursor += s.label(cursor, top, label) + 6
        cursor += s.text(cursor, top, value, field=name) + gap
    return top + s.line * 1.6


def meta_label_above(s: Sheet, x: float, top: float, room: float) -> float:
    """Small labels with the values under them, in columns across ``room``."""
    rows = meta_rows(s, distractors=s.rng.randint(1, 2))
    widest = max(s.width_of(value, bold=True) for _, value, _ in rows)
    per_row = len(rows)
    while per_row > 1 and widest > room / per_row - 10:  # long dates need wider columns
        per_row -= 1
    column = room / per_row
    for i, (label, value, name) in enumerate(rows):
        left = x + (i % per_row) * column
        row_top = top + (i // per_row) * (2 * s.line + 8)
        s.label(left, row_top, s.fit(label.rstrip(":"), column - 6, size=s.style.size - 1.5),
                size=s.style.size - 1.5, colour=GREY)
        s.text(left, row_top + s.line, value, field=name, bold=True)
    return top + math.ceil(len(rows) / per_row) * (2 * s.line + 8) + 6


def meta_boxed_grid(s: Sheet, x: float, top: float, room: float) -> float:
    """A grid of ruled cells, label small in the cell's corner and the value below it."""
    rows = meta_rows(s, distractors=s.rng.choice((1, 3)))
    columns = 2 if len(rows) <= 4 else 3
    cell_width = room / columns
    cell_height = 2 * s.line + 8
    for i, (label, value, name) in enumerate(rows):
        left = x + (i % columns) * cell_width
        cell_top = top + (i // columns) * cell_height
        s.box(left, cell_top, cell_width, cell_height, fill=(0.95, 0.95, 0.97) if s.rng.random() < 0.3 else None)
        s.label(left + 5, cell_top + 4, label.rstrip(":"), size=s.style.size - 1.5, colour=GREY, bold=False)
        s.text(left + 5, cell_top + 4 + s.line, value, field=name)
    return top + math.ceil(len(rows) / columns) * cell_height + 16


def party(s: Sheet, x: float, top: float, heading_key: str, who: Party, *, labelled: bool,
          boxed: float = 0.0) -> float:
    """A bill-to or ship-to block; only the bill-to name is the CUSTOMER_NAME."""
    start = top
    s.label(x + (6 if boxed else 0), top + (4 if boxed else 0), s.words.raw(heading_key) + s.style.colon,
            bold=True)
    top += s.line * 1.3 + (4 if boxed else 0)
    s.text(x + (6 if boxed else 0), top, who.name, field="CUSTOMER_NAME" if labelled else None,
           bold=s.rng.random() < 0.5)
    top += s.line
    for line in who.address:
        s.text(x + (6 if boxed else 0), top, line)
        top += s.line
    if boxed:
        s.box(x, start, boxed, top - start + 4)
        top += 4
    return top


def parties(s: Sheet, top: float, *, boxed: bool = False, x: float | None = None,
            ship_x: float | None = None) -> float:
    """Bill-to, and ship-to beside it when the invoice ships elsewhere."""
    x = s.left if x is None else x
    room = (s.right - x) / 2 - 12
    bottom = party(s, x, top, "bill_to", s.content.customer, labelled=True, boxed=room if boxed else 0.0)
    if s.content.ship_to:
        ship_x = x + room + 24 if ship_x is None else ship_x
        bottom = max(bottom, party(s, ship_x, top, "ship_to", s.content.ship_to, labelled=False,
                                   boxed=room if boxed else 0.0))
    return bottom + 14


@dataclass
class Column:
    key: str  # label key of the heading
    value: Callable[[Sheet, Item], str]
    right: bool = True


DESCRIPTION = Column("description", lambda s, item: item.description, right=False)
QUANTITY = Column("qty", lambda s, item: f"{item.quantity}")
UNIT_PRICE = Column("unit", lambda s, item: s.money(item.unit, symbol=False))
AMOUNT = Column("amount", lambda s, item: s.money(item.amount, symbol=False))


def items_table(s: Sheet, top: float, *, x0: float | None = None, grid: bool = False, zebra: bool = False,
                numbered: bool = False, header_fill: bool = False) -> float:
    """The line items, continued on a new page (with the header again) when the page is full."""
    x0 = s.left if x0 is None else x0
    room = s.right - x0
    columns = [QUANTITY, UNIT_PRICE, AMOUNT]
    if s.rng.random() < 0.3:  # price before quantity
        columns = [UNIT_PRICE, QUANTITY, AMOUNT]
    # Numeric columns are right-aligned; each is as wide as its widest cell, and the gaps
    # between them vary per document so column positions are not a giveaway.
    widths = [max([s.width_of(s.words.raw(column.key), bold=True)]
                  + [s.width_of(column.value(s, item)) for item in s.content.items]) for column in columns]
    right_edges = [x0 + room - (4 if grid else 0)]
    for width in reversed(widths[1:]):
        right_edges.insert(0, right_edges[0] - width - s.rng.uniform(14, 60))
    description_x = x0 + (4 if grid else 0) + (22 if numbered else 0)
    description_room = right_edges[0] - widths[0] - 14 - description_x
    row_height = s.line * s.rng.choice((1.2, 1.35, 1.6))

    def header(top: float) -> float:
        if header_fill:
            s.box(x0, top - 3, room, s.line + 4, fill=(0.88, 0.9, 0.95), stroke=(0.88, 0.9, 0.95))
        if numbered:
            s.label(x0 + (4 if grid else 0), top, "#", bold=True)
        s.label(description_x, top, s.words.raw("description"), bold=True)
        for column, edge in zip(columns, right_edges):
            s.label(edge, top, s.words.raw(column.key), bold=True, align="right")
        s.rule(top + s.line + 2, x0, x0 + room)
        return top + s.line + 8

    top = header(top)
    for index, item in enumerate(s.content.items, start=1):
        if top + row_height > s.bottom:
            top = header(s.new_page())
        if zebra and index % 2 == 0:
            s.box(x0, top - 3, room, row_height, fill=(0.94, 0.94, 0.94), stroke=(0.94, 0.94, 0.94))
        if numbered:
            s.text(x0 + (4 if grid else 0), top, str(index))
        s.text(description_x, top, s.fit(item.description, description_room))
        for column, edge in zip(columns, right_edges):
            s.text(edge, top, column.value(s, item), align="right")
        if grid:
            s.rule(top + row_height - 3, x0, x0 + room, width=0.3)
        top += row_height
    s.rule(top, x0, x0 + room)
    return top + 14


def totals_rows(s: Sheet) -> list[tuple[str, str, str | None]]:
    """(label, value, field) of the totals: subtotal, shipping, discount, tax, total, deposit, balance.

    subtotal + shipping - discount + tax = total holds for the printed numbers."""
    c = s.content
    symbol_everywhere = s.rng.random() < 0.4
    rows: list[tuple[str, str, str | None]] = [(s.words("subtotal"), s.money(c.subtotal, symbol=symbol_everywhere),
                                                "SUBTOTAL")]
    if c.shipping:
        rows.append((s.words("shipping"), s.money(c.shipping, symbol=symbol_everywhere), None))
    if c.discount:
        rows.append((s.words("discount"), s.money(-c.discount, symbol=symbol_everywhere), None))
    rows.append((s.words("tax", rate=c.tax_rate), s.money(c.tax, symbol=symbol_everywhere), "TAX"))
    rows.append((s.words("total"), s.money(c.total), "TOTAL"))  # the total always shows the currency
    if c.paid:
        rows.append((s.words("paid"), s.money(-c.paid, symbol=symbol_everywhere), None))
        rows.append((s.words("balance"), s.money(c.total - c.paid), None))
    return rows


def _room_for(s: Sheet, top: float, height: float) -> float:
    return s.new_page() if top + height > s.bottom else top


def totals_block(s: Sheet, top: float, *, x_label: float | None = None, value_right: float | None = None) -> float:
    """Label/value lines under the items, the total in bold with a rule above it."""
    rows = totals_rows(s)
    top = _room_for(s, top, len(rows) * s.line * 1.3 + 10)
    value_right = value_right or s.right
    label_width = max(s.width_of(label, bold=True) for label, _, _ in rows)
    value_width = max(s.width_of(value, bold=True) for _, value, _ in rows)
    x_label = x_label if x_label is not None else value_right - value_width - label_width - 30
    for label, value, name in rows:
        emphasis = name == "TOTAL"
        if emphasis:
            s.rule(top - 4, x_label, value_right, colour=INK)
        s.label(x_label, top, label, bold=emphasis or s.style.label_bold)
        s.text(value_right, top, value, field=name, bold=emphasis, align="right")
        top += s.line * 1.3
    return top + 10


def totals_table(s: Sheet, top: float, *, width: float | None = None) -> float:
    """Totals as a ruled two-column table at the right, the total row shaded."""
    rows = totals_rows(s)
    row_height = s.line + 6
    top = _room_for(s, top, len(rows) * row_height + 10)
    width = width or max(180.0, max(s.width_of(l, bold=True) + s.width_of(v, bold=True) for l, v, _ in rows) + 40)
    x = s.right - width
    split = x + width * 0.55
    for label, value, name in rows:
        emphasis = name == "TOTAL"
        s.box(x, top, width, row_height, fill=(0.88, 0.9, 0.95) if emphasis else None)
        s.canvas.line(split, s.height - top, split, s.height - top - row_height)
        s.label(x + 5, top + 3, label, bold=emphasis)
        s.text(s.right - 5, top + 3, value, field=name, bold=emphasis, align="right")
        top += row_height
    return top + 14


def terms(s: Sheet, top: float, x: float | None = None) -> float:
    s.text(s.left if x is None else x, top, s.words.raw("terms", days=s.content.payment_days), size=s.style.size - 0.5)
    thanks = s.words.raw("thanks")
    if thanks:
        s.text(s.left if x is None else x, top + s.line, thanks, size=s.style.size - 0.5, colour=GREY)
    return top + 2 * s.line + 6


def footer_line(s: Sheet) -> None:
    """One or two small centred lines: VAT id, phone, email, website, and the bank."""
    c, w = s.content, s.words
    size = s.style.size - 2
    s.footer_height = 2.6 * size
    top = s.height - s.style.margin - s.footer_height
    s.rule(top - 5)
    first = f"{w('vat_id')} {c.vat_id}   {w('phone')} {c.phone}   {c.email}   {c.website}"
    second = f"{w('iban')} {c.iban}   {w('bic')} {c.bic}"
    s.text(s.width / 2, top, s.fit(first, s.right - s.left, size=size), size=size, align="centre", colour=GREY)
    s.text(s.width / 2, top + 1.3 * size, second, size=size, align="centre", colour=GREY)


def footer_columns(s: Sheet, *, with_address: bool = False) -> None:
    """Three columns of company details; with ``with_address`` the vendor's address lives here."""
    c, w = s.content, s.words
    size = s.style.size - 1.5
    step = size * 1.3
    columns = [
        ([c.vendor.name] if not with_address else []) + [f"{w('vat_id')} {c.vat_id}"],
        [f"{w('phone')} {c.phone}", f"{w('fax')} {c.fax}", c.email, c.website],
        [w.raw("bank"), f"{w('iban')} {c.iban}", f"{w('bic')} {c.bic}"],
    ]
    if with_address:
        columns[0] = c.vendor.address + columns[0]
    s.footer_height = step * max(len(col) for col in columns)
    top = s.height - s.style.margin - s.footer_height
    s.rule(top - 6)
    column_width = (s.right - s.left) / 3
    for i, lines in enumerate(columns):
        for j, line in enumerate(lines):
            is_address = with_address and i == 0 and j < len(c.vendor.address)
            # The vendor's name in a footer repeats the letterhead; it is not the labelled mention.
            s.text(s.left + i * column_width, top + j * step, s.fit(line, column_width - 8, size=size), size=size,
                   colour=GREY, field="VENDOR_ADDRESS" if is_address and s.draw.page == 1 else None)


def footer_bank(s: Sheet) -> None:
    """A bank-details box at the bottom left and contact lines at the right."""
    c, w = s.content, s.words
    size = s.style.size - 1
    step = size * 1.35
    s.footer_height = 4 * step + 6
    top = s.height - s.style.margin - s.footer_height
    s.label(s.left, top, w.raw("bank"), size=size, bold=True)
    s.text(s.left, top + step, f"{w('iban')} {c.iban}", size=size)
    s.text(s.left, top + 2 * step, f"{w('bic')} {c.bic}", size=size)
    s.text(s.left, top + 3 * step, f"{w('vat_id')} {c.vat_id}", size=size)
    for i, line in enumerate((f"{w('phone')} {c.phone}", f"{w('fax')} {c.fax}", c.email, c.website)):
        s.text(s.right, top + i * step, line, size=size, align="right", colour=GREY)


def _pages_footer(footer: Callable[..., None], s: Sheet, **options: object) -> None:
    """Draw ``footer`` on this page and on every page that follows; it also sets
    ``s.footer_height``, so the body stops above it."""
    footer(s, **options)
    s.footer = lambda: footer(s, **options)


# --------------------------------------------------------------------------- layouts
# Each layout draws the whole document on a fresh Sheet. They share building blocks but
# differ in where things are, how they are framed, and what is printed around them.

def classic_left(s: Sheet) -> None:
    """Vendor top left, title top right, key/value meta right, bill-to left, totals block, bank footer."""
    _pages_footer(footer_bank, s)
    top = vendor_block(s, s.left, s.style.margin)
    title(s, s.right, s.style.margin, align="right")
    meta_bottom = meta_key_value(s, s.style.margin + 50)
    top = max(top, meta_bottom) + 14
    top = parties(s, top)
    top = items_table(s, top)
    top = totals_block(s, top)
    terms(s, top)


def classic_right(s: Sheet) -> None:
    """Vendor right-aligned at the top right, big title left, meta key/value left, one-line footer."""
    _pages_footer(footer_line, s)
    top_right = vendor_block(s, s.right, s.style.margin, align="right", contact=True)
    top = title(s, s.left, s.style.margin, size=28)
    top = meta_key_value(s, top + 4, x_label=s.left, value_x=s.left + 110)
    top = parties(s, max(top, top_right) + 16)
    top = items_table(s, top, zebra=True)
    top = totals_block(s, top)
    terms(s, top)


def centred_letterhead(s: Sheet) -> None:
    """Vendor centred with a rule, title centred, meta inline, totals table, column footer."""
    _pages_footer(footer_columns, s)
    top = vendor_block(s, s.width / 2, s.style.margin, align="centre")
    s.rule(top + 2, colour=s.style.accent, width=1.2)
    top = title(s, s.width / 2, top + 16, align="centre", size=18)
    top = meta_inline(s, s.left, top, s.right - s.left)
    top = parties(s, top)
    top = items_table(s, top, header_fill=True)
    totals_table(s, top)


def logo_banner(s: Sheet) -> None:
    """Logo mark with the vendor name big, address right-aligned, boxed meta grid, bank footer."""
    _pages_footer(footer_bank, s)
    top = logo(s, s.left, s.style.margin)
    address_bottom = vendor_block(s, s.right, s.style.margin, align="right", name=False, contact=True)
    top = title(s, s.left, max(top, address_bottom) + 6, size=20)
    top = meta_boxed_grid(s, s.left, top, s.right - s.left)
    top = parties(s, top)
    top = items_table(s, top)
    top = totals_block(s, top)
    terms(s, top)


def boxed_grid(s: Sheet) -> None:
    """Everything in rectangles: meta grid, boxed bill-to/ship-to, gridded items, totals table."""
    _pages_footer(footer_columns, s)
    top = vendor_block(s, s.left, s.style.margin)
    title(s, s.right, s.style.margin, align="right")
    top = meta_boxed_grid(s, s.left, top + 10, s.right - s.left)
    top = parties(s, top, boxed=True)
    top = items_table(s, top, grid=True, numbered=True)
    totals_table(s, top)


def label_above(s: Sheet) -> None:
    """Meta as a row of label-above-value columns under the title; totals right; line footer."""
    _pages_footer(footer_line, s)
    title(s, s.right, s.style.margin, align="right", size=24)
    top = vendor_block(s, s.left, s.style.margin, contact=s.rng.random() < 0.5)
    top = meta_label_above(s, s.left, top + 16, s.right - s.left)
    top = parties(s, top)
    top = items_table(s, top)
    top = totals_block(s, top)
    terms(s, top)


def inline_compact(s: Sheet) -> None:
    """Small type; the title with the meta inline beneath, bill-to at the right, contact under the vendor."""
    _pages_footer(footer_bank, s)
    top = vendor_block(s, s.left, s.style.margin, contact=True, name_size=s.style.size + 2)
    top = title(s, s.left, top + 10, size=16)
    top = meta_inline(s, s.left, top, s.right - s.left)
    top = parties(s, top, x=s.width / 2 - 20)
    top = items_table(s, top)
    top = totals_block(s, top)
    terms(s, top)


def sidebar(s: Sheet) -> None:
    """A narrow left column with vendor, meta and bill-to; the items and totals fill the right."""
    _pages_footer(footer_line, s)
    column = s.left + 150
    # The name must stay inside the column, clear of the title beside it.
    name_size = min(s.style.size + 2, 130 / s.width_of(s.content.vendor.name, bold=True, size=1))
    top = vendor_block(s, s.left, s.style.margin, name_size=name_size)
    s.rule(top + 4, s.left, column - 20, colour=s.style.accent)
    top += 16
    for label, value, name in meta_rows(s):
        s.label(s.left, top, label.rstrip(":"), size=s.style.size - 1.5, colour=GREY)
        s.text(s.left, top + s.line, value, field=name)
        top += 2.3 * s.line
    party(s, s.left, top + 8, "bill_to", s.content.customer, labelled=True)
    right_top = title(s, column, s.style.margin, size=24)
    right_top = items_table(s, right_top + 20, x0=column)
    totals_block(s, right_top)


def window_envelope(s: Sheet) -> None:
    """Customer address in the envelope window top left, vendor and meta stacked at the right."""
    _pages_footer(footer_columns, s)
    right_x = s.width * 0.6
    top = vendor_block(s, right_x, s.style.margin, name_size=s.style.size + 3)
    top = meta_key_value(s, top + 12, x_label=right_x)
    party(s, s.left, s.style.margin + 90, "bill_to", s.content.customer, labelled=True)
    top = title(s, s.left, max(top, s.style.margin + 180) + 10, size=18)
    top = items_table(s, top)
    top = totals_block(s, top)
    terms(s, top)


def din_letter(s: Sheet) -> None:
    """German business letter (DIN 5008-like): logo top right, window left, info block, 3-column footer."""
    _pages_footer(footer_columns, s)
    logo_bottom = logo(s, s.width - s.style.margin - 230, s.style.margin, room=230)
    vendor_block(s, s.right, logo_bottom, align="right", name=False)
    party(s, s.left, 127, "bill_to", s.content.customer, labelled=True)
    top = meta_key_value(s, 215, x_label=s.width * 0.58)
    top = title(s, s.left, max(top, 260), size=14)
    top = items_table(s, top + 6, numbered=True)
    top = totals_block(s, top)
    terms(s, top)


def colour_band(s: Sheet) -> None:
    """A dark band across the top with the title in it; vendor under it left, meta right."""
    _pages_footer(footer_line, s)
    band = 56.0
    s.box(0, 0, s.width, band, fill=s.style.accent, stroke=s.style.accent)
    s.text(s.left, 18, s.words.raw("title"), bold=True, size=22, colour=(1, 1, 1))
    top = vendor_block(s, s.left, band + 20)
    meta_bottom = meta_key_value(s, band + 20)
    top = parties(s, max(top, meta_bottom) + 10)
    top = items_table(s, top, header_fill=True)
    top = totals_table(s, top)
    terms(s, top)


def totals_left(s: Sheet) -> None:
    """Totals block at the left under the items, with payment terms and bank details to the right."""
    _pages_footer(footer_line, s)
    top = vendor_block(s, s.left, s.style.margin)
    title(s, s.right, s.style.margin, align="right")
    meta_bottom = meta_key_value(s, s.style.margin + 40)
    top = parties(s, max(top, meta_bottom) + 10)
    top = items_table(s, top)
    top = _room_for(s, top, 9 * s.line)
    bottom = totals_block(s, top, x_label=s.left, value_right=s.left + 230)
    terms(s, top, x=s.width / 2 + 30)
    s.text(s.width / 2 + 30, top + 2.5 * s.line, f"{s.words('iban')} {s.content.iban}", size=s.style.size - 1)
    s.rule(bottom)


def side_by_side_parties(s: Sheet) -> None:
    """Vendor left and customer right in one row, meta as two key/value columns below."""
    _pages_footer(footer_bank, s)
    top = vendor_block(s, s.left, s.style.margin)
    party(s, s.width / 2 + 20, s.style.margin, "bill_to", s.content.customer, labelled=True)
    top = title(s, s.left, max(top, s.style.margin + 80) + 10, size=20)
    rows = meta_rows(s)
    half = (len(rows) + 1) // 2
    for i, (label, value, name) in enumerate(rows):
        column = rows[:half] if i < half else rows[half:]
        x = s.left if i < half else s.width / 2 + 20
        value_x = x + max(s.width_of(other, bold=s.style.label_bold) for other, _, _ in column) + 12
        row_top = top + (i % half) * s.line * 1.2
        s.label(x, row_top, label)
        s.text(value_x, row_top, value, field=name)
    top += half * s.line * 1.2 + 16
    top = items_table(s, top)
    top = totals_block(s, top)
    terms(s, top)


def typewriter(s: Sheet) -> None:
    """Courier throughout, rows of dashes instead of rules, capitals, key/value meta."""
    _pages_footer(footer_line, s)
    top = vendor_block(s, s.left, s.style.margin, align="left", contact=True)
    s.text(s.left, top + 4, "-" * 60, colour=GREY)
    top = title(s, s.left, top + 20, size=16)
    top = meta_key_value(s, top, x_label=s.left, value_x=s.left + 140)
    top = parties(s, top + 10)
    top = items_table(s, top)
    top = totals_block(s, top)
    terms(s, top)


def service_hours(s: Sheet) -> None:
    """A timesheet-like invoice: meta in label-above columns, the service period, items, totals table."""
    _pages_footer(footer_columns, s)
    top = logo(s, s.left, s.style.margin, with_name=False)
    vendor_block(s, s.right, s.style.margin, align="right")
    top = title(s, s.left, top + 8, size=22)
    top = meta_label_above(s, s.left, top, s.right - s.left)
    period = f"{s.date(s.content.ordered)} - {s.date(s.content.delivered)}"
    s.text(s.left, top - 4, period, colour=GREY)  # the service period: two dates that are neither field
    top = parties(s, top + s.line + 4)
    top = items_table(s, top, zebra=True)
    totals_table(s, top)


def long_statement(s: Sheet) -> None:
    """Many items in a numbered grid that runs over onto a second page; totals on the last page."""
    _pages_footer(footer_columns, s)
    top = vendor_block(s, s.left, s.style.margin)
    title(s, s.right, s.style.margin, align="right", size=18)
    meta_bottom = meta_key_value(s, s.style.margin + 36)
    top = parties(s, max(top, meta_bottom) + 8)
    top = items_table(s, top, grid=True, numbered=True)
    top = totals_block(s, top)
    terms(s, top)


def shaded_meta_panel(s: Sheet) -> None:
    """Meta in a shaded panel at the right of the header, item codes as an extra column."""
    _pages_footer(footer_bank, s)
    top = vendor_block(s, s.left, s.style.margin, contact=True)
    panel_x = s.width * 0.56
    rows_height = 6 * s.line * 1.1 + 30
    s.box(panel_x - 8, s.style.margin - 6, s.right - panel_x + 8, rows_height, fill=(0.93, 0.94, 0.96),
          stroke=(0.93, 0.94, 0.96))
    title(s, panel_x, s.style.margin, size=16)
    meta_key_value(s, s.style.margin + 26, x_label=panel_x, value_right=s.right - 6)
    top = parties(s, max(top, s.style.margin + rows_height) + 12)
    top = items_table(s, top, numbered=True)
    top = totals_block(s, top)
    terms(s, top)


def footer_address(s: Sheet) -> None:
    """Logo and name alone at the top; the vendor's address only in the footer columns."""
    _pages_footer(footer_columns, s, with_address=True)
    top = logo(s, s.left, s.style.margin)
    top = title(s, s.right, top + 4, align="right", size=20)
    top = meta_key_value(s, top)
    top = parties(s, top + 6)
    top = items_table(s, top)
    top = totals_block(s, top)
    terms(s, top)


def inline_everything(s: Sheet) -> None:
    """Centred title, the vendor on one line, meta inline, bill-to in one line, totals table."""
    _pages_footer(footer_line, s)
    top = title(s, s.width / 2, s.style.margin, align="centre", size=22)
    x = s.left
    x += s.text(x, top, s.content.vendor.name, bold=True, field="VENDOR_NAME") + 12
    for line in s.content.vendor.address:
        x += s.text(x, top, line, field="VENDOR_ADDRESS") + 12
    top += s.line * 2
    top = meta_inline(s, s.left, top, s.right - s.left)
    label_width = s.label(s.left, top, s.words.raw("bill_to") + ":", bold=True)
    s.text(s.left + label_width + 8, top, s.content.customer.name, field="CUSTOMER_NAME", bold=True)
    s.text(s.left + label_width + 8, top + s.line, ", ".join(s.content.customer.address))
    top += 3 * s.line
    top = items_table(s, top)
    totals_table(s, top)


def totals_in_grid(s: Sheet) -> None:
    """A fully ruled item grid whose last rows carry the totals, label in the description column."""
    _pages_footer(footer_bank, s)
    top = vendor_block(s, s.right, s.style.margin, align="right")
    title(s, s.left, s.style.margin, size=26)
    meta_bottom = meta_key_value(s, s.style.margin + 46, x_label=s.left, value_x=s.left + 120)
    top = parties(s, max(top, meta_bottom) + 10)
    top = items_table(s, top, grid=True)
    rows = totals_rows(s)
    row_height = s.line + 6
    top = _room_for(s, top - 14, len(rows) * row_height)
    label_x = s.left + (s.right - s.left) * 0.5
    for label, value, name in rows:
        s.box(s.left, top, s.right - s.left, row_height)
        s.label(label_x, top + 3, label, bold=name == "TOTAL")
        s.text(s.right - 4, top + 3, value, field=name, bold=name == "TOTAL", align="right")
        top += row_height
    terms(s, top + 14)


# --------------------------------------------------------------------------- receipts

RECEIPT_WIDTH = 80 * mm


def _receipt_words(s: Sheet, key: str) -> str:
    return s.rng.choice(RECEIPT_WORDS.get(s.spec.language, RECEIPT_WORDS["en"])[key])


def _receipt_header(s: Sheet, top: float, *, show_tax_id: bool = True) -> float:
    c = s.content
    centre = s.width / 2
    room = s.right - s.left
    name_size = min(s.style.size + 2, s.style.size * room / s.width_of(c.vendor.name, bold=True))
    s.text(centre, top, c.vendor.name, bold=True, size=name_size, align="centre", field="VENDOR_NAME")
    top += name_size * 1.4
    if s.spec.code == "ms_MY":
        s.text(centre, top, c.company_no, align="centre")  # company registration no.: not a field
        top += s.line
    for line in c.vendor.address:
        s.text(centre, top, s.fit(line, room), align="centre", field="VENDOR_ADDRESS")
        top += s.line
    s.text(centre, top, f"TEL: {c.phone}", align="centre")
    top += s.line
    if show_tax_id:
        tax_id = s.rng.choice(("GST ID", "GST REG NO", "SST ID", "SST REG NO")) if s.spec.code == "ms_MY" \
            else s.words("vat_id").rstrip(":")
        s.text(centre, top, f"{tax_id}: {c.vat_id}", align="centre")
        top += s.line
    return top + 4


def _dashes(s: Sheet, top: float) -> float:
    s.text(s.left, top, s.fit("-" * 80, s.right - s.left), colour=GREY)
    return top + s.line


def _receipt_totals(s: Sheet, top: float, *, with_tax_line: bool) -> float:
    """Subtotal, tax, rounding to 5 sen, total, cash and change; subtotal + tax + rounding = total."""
    c = s.content
    exact = c.subtotal + c.tax
    rounded = (exact / Decimal("0.05")).quantize(Decimal(1), ROUND_HALF_UP) * Decimal("0.05")
    rounding = rounded - exact
    c.total = rounded  # what the customer pays is the rounded amount
    cash = (rounded / 10).quantize(Decimal(1), rounding="ROUND_CEILING") * 10 + Decimal(s.rng.choice((0, 0, 10, 50)))
    rows = [(_receipt_words(s, "subtotal"), c.subtotal, "SUBTOTAL", False)]
    if with_tax_line:
        rows.append((_receipt_words(s, "tax"), c.tax, "TAX", False))
    rows += [(_receipt_words(s, "rounding"), rounding, None, False),
             (_receipt_words(s, "total"), rounded, "TOTAL", True),
             (_receipt_words(s, "cash"), cash, None, False),
             (_receipt_words(s, "change"), cash - rounded, None, False)]
    for label, value, name, emphasis in rows:
        size = s.style.size + (1.5 if emphasis else 0)
        s.text(s.left, top, label, bold=emphasis, size=size)
        s.text(s.right, top, s.money(value, symbol=emphasis and s.rng.random() < 0.5), bold=emphasis,
               size=size, align="right", field=name)
        top += size * 1.45
    return top


def _receipt_meta(s: Sheet, top: float, *, two_columns: bool) -> float:
    c = s.content
    time = f"{s.rng.randint(7, 22):02d}:{s.rng.randint(0, 59):02d}:{s.rng.randint(0, 59):02d}"
    number_label = _receipt_words(s, "number") + ":"
    date_label = _receipt_words(s, "date") + ":"
    time_label = _receipt_words(s, "time") + ":"
    cashier = f"{_receipt_words(s, 'cashier')}: {s.rng.choice(('ALI', 'SITI', 'MEI LING', 'RAJ', '01', '003'))}"
    s.text(s.left, top, number_label)
    s.text(s.left + s.width_of(number_label) + 6, top, c.number, field="INVOICE_NUMBER")
    top += s.line
    date_x = s.left + s.width_of(date_label) + 6
    date_width = s.text(date_x, top, s.date(c.issued), field="INVOICE_DATE")
    s.text(s.left, top, date_label)
    if two_columns:
        time_x = max(s.width / 2 + 6, date_x + date_width + 10)
        s.text(time_x, top, f"{time_label} {time}")
    else:
        top += s.line
        s.text(s.left, top, f"{time_label} {time}")
    top += s.line
    s.text(s.left, top, cashier)
    return top + s.line


def receipt_gst(s: Sheet) -> None:
    """Malaysian GST tax invoice: header centred in caps, items as qty x price lines, GST summary."""
    c = s.content
    top = _receipt_header(s, s.style.margin)
    s.text(s.width / 2, top, _receipt_words(s, "title"), bold=True, align="centre", size=s.style.size + 1)
    top = _receipt_meta(s, top + s.line * 1.5, two_columns=True)
    top = _dashes(s, top)
    for item in c.items:
        s.text(s.left, top, s.fit(item.description, s.right - s.left - 50))
        s.text(s.right, top, s.money(item.amount, symbol=False) + " SR", align="right")
        top += s.line
        s.text(s.left + 10, top, f"{item.quantity} x {s.money(item.unit, symbol=False)}", colour=GREY)
        top += s.line
    top = _dashes(s, top)
    top = _receipt_totals(s, top, with_tax_line=True)
    top = _dashes(s, top)
    # The summary repeats the net amount and the tax: printed, but the totals lines are the labelled ones.
    s.text(s.left, top, _receipt_words(s, "summary"), bold=True)
    s.text(s.right, top, "Amt / Tax", align="right")
    top += s.line
    s.text(s.left, top, f"SR @ {c.tax_rate}%")
    s.text(s.right, top, f"{s.money(c.subtotal, symbol=False)} / {s.money(c.tax, symbol=False)}", align="right")
    top += s.line * 2
    s.text(s.width / 2, top, _receipt_words(s, "thanks"), align="centre")


def receipt_sst(s: Sheet) -> None:
    """Malaysian SST cash bill: item table with Qty/Price/Amt columns, SST line, cash and change."""
    c = s.content
    top = _receipt_header(s, s.style.margin)
    s.text(s.width / 2, top, _receipt_words(s, "title"), bold=True, align="centre", size=s.style.size + 2)
    top = _receipt_meta(s, top + s.line * 1.6, two_columns=False)
    top = _dashes(s, top)
    qty_x, price_x = s.left + (s.right - s.left) * 0.55, s.left + (s.right - s.left) * 0.75
    for heading, x in (("Item", None), ("Qty", qty_x), ("Price", price_x), ("Amt", s.right)):
        s.text(x or s.left, top, heading, bold=True, align="left" if x is None else "right")
    top = _dashes(s, top + s.line)
    for item in c.items:
        s.text(s.left, top, s.fit(item.description, qty_x - s.left - 14))
        s.text(qty_x, top, f"{item.quantity}", align="right")
        s.text(price_x, top, s.money(item.unit, symbol=False), align="right")
        s.text(s.right, top, s.money(item.amount, symbol=False), align="right")
        top += s.line
    top = _dashes(s, top)
    s.text(s.left, top, f"{len(c.items)} item(s)", colour=GREY)
    top = _receipt_totals(s, top + s.line, with_tax_line=True)
    top += s.line
    s.text(s.width / 2, top, _receipt_words(s, "thanks"), align="centre")


def receipt_restaurant(s: Sheet) -> None:
    """Malaysian restaurant bill: table and pax, items without unit price, service tax, no tax id."""
    c = s.content
    top = _receipt_header(s, s.style.margin, show_tax_id=s.rng.random() < 0.5)
    s.text(s.width / 2, top, _receipt_words(s, "title"), bold=True, align="centre", size=s.style.size + 1)
    top += s.line * 1.5
    s.text(s.left, top, f"Table: {s.rng.randint(1, 40)}   Pax: {s.rng.randint(1, 8)}")
    top = _receipt_meta(s, top + s.line, two_columns=s.rng.random() < 0.5)
    top = _dashes(s, top)
    for item in c.items:
        s.text(s.left, top, f"{item.quantity}")
        s.text(s.left + 18, top, s.fit(item.description, s.right - s.left - 80))
        s.text(s.right, top, s.money(item.amount, symbol=False), align="right")
        top += s.line
    top = _dashes(s, top)
    top = _receipt_totals(s, top, with_tax_line=True)
    s.text(s.width / 2, top + s.line, _receipt_words(s, "thanks"), align="centre")


LAYOUTS: dict[str, Callable[[Sheet], None]] = {fn.__name__: fn for fn in (
    classic_left, classic_right, centred_letterhead, logo_banner, boxed_grid, label_above, inline_compact,
    sidebar, window_envelope, din_letter, colour_band, totals_left, side_by_side_parties, typewriter,
    service_hours, long_statement, shaded_meta_panel, footer_address, inline_everything, totals_in_grid,
    receipt_gst, receipt_sst, receipt_restaurant,
)}
RECEIPT_LAYOUTS = frozenset({"receipt_gst", "receipt_sst", "receipt_restaurant"})
# Held out of training entirely: a dev set drawn from these measures generalisation to new layouts.
DEV_LAYOUTS: tuple[str, ...] = ("sidebar", "footer_address", "totals_in_grid", "receipt_restaurant")
TRAIN_LAYOUTS: tuple[str, ...] = tuple(name for name in LAYOUTS if name not in DEV_LAYOUTS)


# --------------------------------------------------------------------------- API

@dataclass
class GeneratedInvoice:
    pdf: Path
    layout: str
    locale: str
    drawn: list[DrawnText]  # every string drawn; field set on the labelled value strings only
    truth: dict[str, str | None]  # normalised values; None where the document has no such field
    pages: int
    printed: dict[str, str] = field(default_factory=dict)  # each field's strings as drawn, joined by " "


def _item_count(rng: random.Random, layout: str) -> int:
    if layout == "long_statement":
        return rng.randint(24, 30)  # always runs onto a second page
    if layout in RECEIPT_LAYOUTS:
        return rng.randint(1, 12)
    return rng.choice((rng.randint(1, 6), rng.randint(1, 12), rng.randint(1, 30)))


def _draw(layout: str, spec: LocaleSpec, content_seed: int, draw_seed: int, target: Path | io.BytesIO,
          page_size: tuple[float, float]) -> Sheet:
    """Draw the document once. Content and drawing each have their own seed so a second pass
    (receipts, to learn their length) makes exactly the same choices."""
    content_rng = random.Random(content_seed)
    receipt = layout in RECEIPT_LAYOUTS
    content = _content(content_rng, spec, _item_count(content_rng, layout), receipt=receipt)
    if receipt:
        content.due = None
    rng = random.Random(draw_seed)
    style = _style(rng, receipt=receipt)
    if layout == "typewriter":
        style = Style("Courier", "Courier-Bold", style.size, style.label_colour, style.accent, style.margin,
                      True, style.colon, style.label_bold)
    wording = Wording(rng, spec.labels, style, content)
    # invariant: no timestamps or random ids, so the same seed gives the same bytes.
    canvas = Canvas(target if isinstance(target, io.BytesIO) else str(target), pagesize=page_size, invariant=1)
    canvas.setTitle(f"{wording.raw('title')} {content.number}")
    sheet = Sheet(canvas, page_size, style, wording, content, spec, rng)
    LAYOUTS[layout](sheet)
    sheet.close()
    return sheet


def generate(seed: int, path: Path, *, layout: str | None = None, locale: str | None = None) -> GeneratedInvoice:
    """Write one synthetic invoice or receipt to ``path`` as a digital PDF.

    Without ``layout`` one of TRAIN_LAYOUTS is picked from the seed (dev layouts only when
    asked for by name). Without ``locale``, receipts are mostly Malaysian and invoices use
    any other locale. The same (seed, layout, locale) always gives the same bytes.
    """
    rng = random.Random(seed)
    layout = layout or rng.choice(TRAIN_LAYOUTS)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    if locale is None:
        if layout in RECEIPT_LAYOUTS:
            locale = "ms_MY" if rng.random() < 0.85 else rng.choice(("en_GB", "de_DE", "fr_FR", "nl_NL"))
        else:
            locale = rng.choice([code for code in LOCALES if code != "ms_MY"])
    spec = LOCALE_SPECS[locale]
    content_seed, draw_seed = rng.getrandbits(32), rng.getrandbits(32)
    if layout in RECEIPT_LAYOUTS:
        # A till roll is as long as its content: draw once to measure, then again to size.
        trial = _draw(layout, spec, content_seed, draw_seed, io.BytesIO(), (RECEIPT_WIDTH, 5000))
        length = max(d.box[3] for d in trial.draw.log) + trial.style.margin + 10
        page_size = (RECEIPT_WIDTH, length)
    else:
        page_size = spec.page_size
    sheet = _draw(layout, spec, content_seed, draw_seed, Path(path), page_size)
    c = sheet.content
    receipt = layout in RECEIPT_LAYOUTS
    truth: dict[str, str | None] = {
        "vendor_name": c.vendor.name,
        "vendor_address": ", ".join(c.vendor.address),
        "customer_name": None if receipt else c.customer.name,
        "invoice_number": c.number,
        "invoice_date": c.issued.isoformat(),
        "due_date": c.due.isoformat() if c.due else None,
        "currency": spec.currency,
        "subtotal": f"{c.subtotal:.2f}",
        "tax": f"{c.tax:.2f}",
        "total": f"{c.total:.2f}",
    }
    return GeneratedInvoice(
        pdf=Path(path), layout=layout, locale=locale, drawn=list(sheet.draw.log), truth=truth,
        pages=sheet.draw.page, printed={name: " ".join(parts) for name, parts in sheet.printed.items()},
    )


# --------------------------------------------------------------------------- labelling words

MATCH_RATIO = 0.6
BOX_TOLERANCE_PT = 2.0


def _token_match(word: str, text: str) -> float:
    """How well ``word`` matches the best token of ``text`` (difflib ratio, 0-1, case-folded)."""
    word = word.casefold()
    return max((difflib.SequenceMatcher(None, word, token.casefold()).ratio() for token in text.split()),
               default=0.0)


def label_words(page: Page, drawn: list[DrawnText], *, source_size_px: tuple[int, int] | None = None,
                tilt: float = 0.0) -> list[str | None]:
    """One field (or None) per word of ``page``, from where the strings were drawn.

    A word gets the field of the drawn string (on page ``page.number``) whose box, widened
    by a small tolerance, contains the word's centre, provided the word also matches one of
    that string's tokens (difflib ratio >= 0.6), so OCR junk in the box stays unlabelled.

    Text-layer pages share the drawing's frame: a box in points times ``page.dpi / 72``.

    For an OCR'd scan from ``make_scan``, pass ``source_size_px``, the size of the 300 dpi
    rendering before ``degrade``, and ``tilt``, the angle degrade turned it by. degrade
    turned the image by ``tilt`` and our OCR stage then straightened it by ``page.skew``
    (and any quarter turn ``page.rotation``), each about the image centre with
    ``expand=True``, so the centres of all these frames coincide. A word centre therefore
    maps back to the rendering by taking it relative to the OCR frame's centre, undoing the
    OCR stage's upscaling (``page.dpi / 300``), turning it back by the residual angle
    (``tilt + skew - rotation``, usually a fraction of a degree) and adding the rendering's
    centre. Drawn boxes are then in points times 300 / 72.
    """
    strings = [d for d in drawn if d.page == page.number]
    if source_size_px is None:
        scale = page.dpi / POINTS_PER_INCH
        to_source = lambda x, y: (x, y)  # noqa: E731 - identity: the page is the drawing's frame
    else:
        scale = SCAN_DPI / POINTS_PER_INCH
        zoom = page.dpi / SCAN_DPI
        theta = math.radians(tilt + page.skew - page.rotation)
        cos, sin = math.cos(theta), math.sin(theta)
        source_cx, source_cy = source_size_px[0] / 2, source_size_px[1] / 2

        def to_source(x: float, y: float) -> tuple[float, float]:
            dx, dy = (x - page.width / 2) / zoom, (y - page.height / 2) / zoom
            # PIL's rotate(a) maps (dx, dy) to (dx cos a + dy sin a, -dx sin a + dy cos a) in
            # y-down pixels; this is its inverse.
            return source_cx + dx * cos - dy * sin, source_cy + dx * sin + dy * cos

    tolerance = BOX_TOLERANCE_PT * scale
    labels: list[str | None] = []
    for word in page.words:
        x, y = to_source((word.box[0] + word.box[2]) / 2, (word.box[1] + word.box[3]) / 2)
        best: tuple[float, str | None] = (0.0, None)
        for item in strings:
            x0, y0, x1, y1 = (v * scale for v in item.box)
            if x0 - tolerance <= x <= x1 + tolerance and y0 - tolerance <= y <= y1 + tolerance:
                ratio = _token_match(word.text, item.text)
                if ratio >= MATCH_RATIO and ratio > best[0]:
                    best = (ratio, item.field)
        labels.append(best[1])
    return labels


def make_scan(inv: GeneratedInvoice, seed: int, path: Path) -> tuple[Path, list[tuple[int, int]], float]:
    """Render ``inv`` at 300 dpi, make each page look scanned, and write an image-only PDF.

    Returns the PDF's path, each page's rendered size before degrading (for ``label_words``)
    and the tilt in degrees (counter-clockwise) applied to every page."""
    rng = random.Random(seed)
    tilt = round(rng.uniform(-3, 3), 2)
    rendered = render_pages(inv.pdf, SCAN_DPI)
    scans = []
    for index, image in enumerate(rendered):
        scan = degrade(image, seed=seed * 1000 + index, tilt=tilt, noise=rng.uniform(2, 10),
                       blur=rng.uniform(0.3, 1.0), jpeg_quality=rng.randint(40, 90))
        if rng.random() < 0.3:
            # A washed-out copy: ink greyer and paper darker.
            low, high = rng.randint(30, 80), rng.randint(200, 235)
            scan = scan.point(lambda value: low + value * (high - low) // 255)
        scans.append(scan)
    images_to_pdf(scans, Path(path), SCAN_DPI)
    return Path(path), [image.size for image in rendered], tilt


__all__ = ["DEV_LAYOUTS", "FIELDS", "LAYOUTS", "LOCALES", "TRAIN_LAYOUTS", "GeneratedInvoice", "generate",
           "label_words", "make_scan"]
