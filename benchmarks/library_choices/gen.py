# Generate digital 1p/20p invoice PDFs and image-only (scanned) 1p/20p PDFs
import random, json
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from reportlab.pdfbase.pdfmetrics import stringWidth
import pypdfium2 as pdfium

W, H = A4  # 595.27 x 841.89
ITEMS = ["Consulting services", "Software license (annual)", "Cloud hosting - Standard plan", "Support contract tier 2",
         "Hardware: USB-C dock", "Training session (half day)", "On-site installation", "Data migration package",
         "Backup storage 1 TB", "Network switch 24-port", "Laptop stand aluminium", "Office chair ergonomic",
         "Printer toner black", "Domain renewal example.com", "SSL certificate wildcard", "Project management hours"]

def draw_invoice(c, n, rnd):
    # header
    c.setFont("Helvetica-Bold", 24)
    c.drawString(50, H - 70, "INVOICE")          # baseline at top-left y=70
    c.setFont("Helvetica", 10)
    y = H - 100
    for line in ["Acme Widgets GmbH", "Musterstrasse 42", "10115 Berlin, Germany", "VAT ID: DE123456789",
                 "Phone +49 30 1234567  billing@acme-widgets.example"]:
        c.drawString(50, y, line); y -= 13
    # meta
    meta = [("Invoice No.", f"INV-2024-{1000+n:05d}"), ("Invoice Date", f"2024-{1+n%12:02d}-{1+n%28:02d}"),
            ("Due Date", f"2024-{1+(n+1)%12:02d}-{1+n%28:02d}"), ("Customer No.", f"C-{48213+n*7}"),
            ("PO Number", f"PO-{77000+n*13}")]
    y = H - 100
    for k, v in meta:
        c.setFont("Helvetica-Bold", 10); c.drawString(360, y, k + ":")
        c.setFont("Helvetica", 10); c.drawString(450, y, v); y -= 13
    # bill to
    c.setFont("Helvetica-Bold", 10); c.drawString(50, H - 190, "Bill To:")
    c.setFont("Helvetica", 10)
    for i, line in enumerate([f"Customer Company {n} Ltd", "Attn: Accounts Payable", "221B Baker Street", "London NW1 6XE, United Kingdom"]):
        c.drawString(50, H - 203 - 13 * i, line)
    # table
    y = H - 270
    c.setFont("Helvetica-Bold", 10)
    for x, t in [(50, "Pos"), (80, "Description"), (330, "Qty"), (380, "Unit Price"), (470, "Amount")]:
        c.drawString(x, y, t)
    c.line(50, y - 4, 545, y - 4)
    c.setFont("Helvetica", 10)
    sub = 0.0
    for i in range(15):
        y -= 18
        desc = ITEMS[(i + n) % len(ITEMS)]
        q = rnd.randint(1, 20); p = round(rnd.uniform(5, 900), 2); a = q * p; sub += a
        c.drawString(50, y, str(i + 1)); c.drawString(80, y, desc)
        c.drawRightString(355, y, str(q)); c.drawRightString(445, y, f"{p:,.2f} EUR"); c.drawRightString(545, y, f"{a:,.2f} EUR")
    c.line(50, y - 6, 545, y - 6)
    vat = sub * 0.19
    for k, v in [("Subtotal", sub), ("VAT 19%", vat), ("Total Due", sub + vat)]:
        y -= 18
        c.setFont("Helvetica-Bold" if k == "Total Due" else "Helvetica", 10)
        c.drawString(380, y, k); c.drawRightString(545, y, f"{v:,.2f} EUR")
    c.setFont("Helvetica", 9)
    c.drawString(50, 80, "Payment terms: 30 days net. Bank: Example Bank AG, IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX.")
    c.drawString(50, 68, "Thank you for your business. Please quote the invoice number with your payment.")

def make(path, pages):
    c = canvas.Canvas(path, pagesize=A4)
    rnd = random.Random(42)
    for n in range(pages):
        draw_invoice(c, n, rnd); c.showPage()
    c.save()

make("invoice_1p.pdf", 1); make("invoice_20p.pdf", 20)

# reference box for 'INVOICE' (top-left origin, PDF points)
w = stringWidth("INVOICE", "Helvetica-Bold", 24)
ref = {"x0": 50, "x1": 50 + w, "baseline_top": 70.0,
       "fontsize_box_top": 70 - 24, "ascent718_top": 70 - 0.718 * 24, "cap_height_top(718)": 70 - 0.718 * 24,
       "descent207_bottom": 70 + 0.207 * 24}
json.dump(ref, open("invoice_ref.json", "w"), indent=1)

# image-only PDFs: render digital pages at 300 dpi, save via Pillow
def scan(src, dst, png_first=None):
    pdf = pdfium.PdfDocument(src)
    imgs = [pdf[i].render(scale=300 / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    if png_first: imgs[0].save(png_first)
    imgs[0].save(dst, resolution=300, save_all=True, append_images=imgs[1:])
scan("invoice_1p.pdf", "scan_1p.pdf", png_first="page_300dpi.png")
scan("invoice_20p.pdf", "scan_20p.pdf")
txt = pdfium.PdfDocument("invoice_1p.pdf")[0].get_textpage().get_text_range()
print("words on page 1:", len(txt.split()), "ref:", ref)
