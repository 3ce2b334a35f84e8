"""Synthetic invoices drawn with reportlab, with a record of where every string was drawn.

The drawing log is what later labels OCR output by position (a word is tagged with the
field of the drawn string its box falls in), and what tests use to check that a reader
finds a word where it was put. Scans are made by rendering the PDF and degrading it.

Needs the ``dev`` or ``train`` extra (reportlab); the runtime never imports this module.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.pdfgen.canvas import Canvas

POINTS_PER_INCH = 72


@dataclass(frozen=True)
class DrawnText:
    """A string as drawn: page (1-based), box in points from the page's top-left, field."""

    text: str
    page: int
    box: tuple[float, float, float, float]
    field: str | None = None


@dataclass
class LineItem:
    description: str
    quantity: int
    unit_price: str
    amount: str


@dataclass
class InvoiceSpec:
    vendor_name: str = "Northwind Traders Ltd"
    vendor_address: tuple[str, ...] = ("42 Castle Street", "Edinburgh EH2 3AH", "United Kingdom")
    customer_name: str = "Contoso Office Supplies"
    customer_address: tuple[str, ...] = ("7 Harbour Road", "Leith EH6 6LX")
    title: str = "INVOICE"
    invoice_number: str = "INV-2025-0417"
    invoice_date: str = "03/05/2025"
    due_date: str = "02/06/2025"
    currency: str = "GBP"
    items: list[LineItem] = field(default_factory=lambda: [
        LineItem("Printer paper A4, 5 reams", 4, "18.50", "74.00"),
        LineItem("Toner cartridge black", 2, "64.90", "129.80"),
        LineItem("Desk organiser", 3, "12.25", "36.75"),
    ])
    subtotal: str = "240.55"
    tax: str = "48.11"
    total: str = "288.66"
    pages: int = 1


class _Drawer:
    """A reportlab canvas that logs each string with its box, top-left origin in points."""

    def __init__(self, canvas: Canvas, height: float) -> None:
        self.canvas = canvas
        self.height = height
        self.page = 1
        self.log: list[DrawnText] = []

    def text(self, x: float, top: float, text: str, *, size: float = 10, bold: bool = False,
             field: str | None = None, align: str = "left") -> float:
        """Draw ``text`` with its top at ``top`` points from the page top; return its width."""
        font = "Helvetica-Bold" if bold else "Helvetica"
        width = stringWidth(text, font, size)
        ascent, descent = getAscentDescent(font, size)
        left = x - width if align == "right" else x
        baseline = self.height - top - ascent
        self.canvas.setFont(font, size)
        self.canvas.drawString(left, baseline, text)
        self.log.append(DrawnText(text, self.page, (left, top, left + width, top + ascent - descent), field))
        return width

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page += 1


def render_invoice_pdf(spec: InvoiceSpec, path: Path, **canvas_options: object) -> list[DrawnText]:
    """Draw ``spec`` as a digital PDF at ``path``; return where every string went."""
    width, height = A4
    # invariant: no timestamps or random ids, so the same spec gives the same bytes.
    canvas = Canvas(str(path), pagesize=A4, invariant=1, **canvas_options)  # type: ignore[arg-type]
    canvas.setTitle(f"{spec.title} {spec.invoice_number}")
    draw = _Drawer(canvas, height)
    margin = 50.0

    draw.text(margin, 50, spec.vendor_name, size=14, bold=True, field="VENDOR_NAME")
    for i, line in enumerate(spec.vendor_address):
        draw.text(margin, 72 + 14 * i, line, field="VENDOR_ADDRESS")
    draw.text(width - margin, 50, spec.title, size=24, bold=True, align="right")

    meta = [("Invoice No.", spec.invoice_number, "INVOICE_NUMBER"),
            ("Invoice Date", spec.invoice_date, "INVOICE_DATE"),
            ("Due Date", spec.due_date, "DUE_DATE")]
    for i, (label, value, name) in enumerate(meta):
        top = 95 + 16 * i
        draw.text(330, top, label, bold=True)
        draw.text(width - margin, top, value, field=name, align="right")

    draw.text(margin, 170, "Bill To", bold=True)
    draw.text(margin, 186, spec.customer_name, field="CUSTOMER_NAME")
    for i, line in enumerate(spec.customer_address):
        draw.text(margin, 200 + 14 * i, line)

    top = 260.0
    columns = ((margin, "Description", "left"), (360, "Qty", "right"),
               (450, "Unit price", "right"), (width - margin, "Amount", "right"))
    for x, label, align in columns:
        draw.text(x, top, label, bold=True, align=align)
    canvas.line(margin, top + 15, width - margin, top + 15)
    for item in spec.items:
        top += 20
        if top > height - 200:
            draw.new_page()
            top = 60.0
        draw.text(margin, top, item.description)
        draw.text(360, top, str(item.quantity), align="right")
        draw.text(450, top, item.unit_price, align="right")
        draw.text(width - margin, top, item.amount, align="right")

    top += 40
    for label, value, name in (("Subtotal", spec.subtotal, "SUBTOTAL"), ("VAT 20%", spec.tax, "TAX"),
                               (f"Total {spec.currency}", spec.total, "TOTAL")):
        draw.text(360, top, label, bold=name == "TOTAL")
        draw.text(width - margin, top, value, bold=name == "TOTAL", field=name, align="right")
        top += 18
    draw.text(margin, height - 60, "Payment within 30 days. IBAN GB33 BUKB 2020 1555 5555 55", size=8)
    canvas.showPage()
    canvas.save()
    return draw.log


def render_pages(pdf_path: Path, dpi: int = 300) -> list[Image.Image]:
    """Rasterise a PDF as a scanner would see it (grayscale, ``dpi``)."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [page.render(scale=dpi / POINTS_PER_INCH, grayscale=True).to_pil().convert("L") for page in pdf]
    finally:
        pdf.close()


def degrade(image: Image.Image, *, seed: int, tilt: float = 0.0, noise: float = 6.0,
            blur: float = 0.6, jpeg_quality: int | None = 80) -> Image.Image:
    """Make a clean rendering look scanned: tilt (degrees, counter-clockwise), noise, blur, JPEG."""
    rng = np.random.default_rng(seed)
    if tilt:
        image = image.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, noise, (image.height, image.width))
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if jpeg_quality:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=jpeg_quality)
        image = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return image


def images_to_pdf(images: list[Image.Image], path: Path, dpi: int = 300) -> None:
    """An image-only PDF, as a scanner's "scan to PDF" writes it."""
    first, *rest = images
    first.save(path, "PDF", resolution=float(dpi), save_all=True, append_images=rest)


def random_spec(seed: int) -> InvoiceSpec:
    """A plausible invoice with varied numbers, for samples and benchmarks."""
    rng = random.Random(seed)
    items = []
    for i in range(rng.randint(3, 15)):
        quantity = rng.randint(1, 9)
        unit = rng.randint(100, 20000) / 100
        items.append(LineItem(f"Item {i + 1} service {rng.choice('ABCDEFGH')}", quantity,
                              f"{unit:.2f}", f"{quantity * unit:.2f}"))
    subtotal = sum(float(item.amount) for item in items)
    tax = round(subtotal * 0.2, 2)
    return InvoiceSpec(
        invoice_number=f"INV-{rng.randint(1000, 99999)}",
        items=items,
        subtotal=f"{subtotal:.2f}",
        tax=f"{tax:.2f}",
        total=f"{subtotal + tax:.2f}",
    )
