"""Write the demo documents in samples/: all made by our own generator, none real.

    python -m invoice_extract.training.make_samples samples
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytesseract

from .synthetic import InvoiceSpec, degrade, images_to_pdf, random_spec, render_invoice_pdf, render_pages


def make_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    digital = folder / "invoice-digital.pdf"
    render_invoice_pdf(InvoiceSpec(), digital)

    with tempfile.TemporaryDirectory() as tmp:
        scanned_source = Path(tmp) / "scanned.pdf"
        render_invoice_pdf(random_spec(seed=7), scanned_source)
        page = render_pages(scanned_source)[0]

    scan = degrade(page, seed=7, tilt=1.5)
    scan_jpg = folder / "invoice-scan.jpg"
    scan.save(scan_jpg, quality=80, dpi=(300, 300))

    image_pdf = folder / "invoice-image-only.pdf"
    images_to_pdf([degrade(page, seed=8, tilt=-0.8)], image_pdf)

    turned = folder / "invoice-turned.png"
    degrade(page, seed=9, noise=0, jpeg_quality=None).rotate(90, expand=True).reduce(2).save(turned)

    hocr = folder / "invoice-scan.hocr"
    # As another engine's output would be: a half-size (150 dpi) page, read by Tesseract.
    hocr.write_bytes(pytesseract.image_to_pdf_or_hocr(page.reduce(2), extension="hocr", config="--dpi 150"))
    return [digital, scan_jpg, image_pdf, turned, hocr]


if __name__ == "__main__":
    for path in make_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "samples")):
        print(path, path.stat().st_size, "bytes")
