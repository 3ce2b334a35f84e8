"""Write the demo documents in samples/ and their expected records in samples/expected/.

    python -m invoice_extract.training.make_samples samples

Every sample is made by our own generator from layouts training never sees
(``generator.DEV_LAYOUTS``) and seeds far from both the training and the dev seeds. The
expected record of each is what the generator drew (its truth), not what our extractor
reads, so the sample test measures the extractor against the real answer.

The same code gives the same bytes on every run (fixed seeds; no dates, temporary names
or timings in the files), and only the files listed in SAMPLES and their expected records
are written: nothing else in the folder is changed or removed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytesseract
from PIL import Image, ImageFilter

from . import generator
from .synthetic import degrade, render_pages

FIRST_SAMPLE_SEED = 3_000_000
PHOTO_DPI = 200  # the PNG is a phone photo: 200 dpi, about 250 KB (a noisy 300 dpi scan was 4.8 MB)


@dataclass(frozen=True)
class SampleSpec:
    name: str  # file name in samples/
    layout: str
    locale: str
    kind: str  # pdf: digital; scan-png: a phone photo; scan-jpg: a degraded scan; scan-pdf: image-only PDF; hocr
    pages: int = 1  # the first seed that gives this many pages is taken


SAMPLES = (
    SampleSpec("invoice-digital.pdf", "sidebar", "en_GB", "pdf"),
    SampleSpec("rechnung-de.pdf", "footer_address", "de_DE", "pdf"),
    SampleSpec("facture-fr-scan.png", "totals_in_grid", "fr_FR", "scan-png"),
    SampleSpec("invoice-us-image-only.pdf", "sidebar", "en_US", "scan-pdf"),
    SampleSpec("invoice-two-pages.pdf", "footer_address", "en_US", "pdf", pages=2),
    SampleSpec("receipt-my.jpg", "receipt_restaurant", "ms_MY", "scan-jpg"),
    SampleSpec("factuur-nl.hocr", "totals_in_grid", "nl_NL", "hocr"),
)


def phone_photo(pdf: Path, *, tilt: float) -> Image.Image:
    """The first page as a phone photo: 200 dpi, tilted, soft, lit unevenly, grayscale.

    No per-pixel noise: it cannot be compressed and made the PNG 20 times larger."""
    page = render_pages(pdf, PHOTO_DPI)[0]
    page = page.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    pixels = np.asarray(page, dtype=np.float32)
    rows, columns = np.mgrid[0:page.height, 0:page.width].astype(np.float32)
    light = 0.96 - 0.12 * (0.6 * columns / page.width + 0.4 * rows / page.height)  # the lamp is top left
    return Image.fromarray(np.clip(np.rint(pixels * light), 0, 255).astype(np.uint8), "L")


def hocr_of(image: Image.Image, name: str, work: Path) -> bytes:
    """Tesseract's hOCR of ``image``, as another OCR engine's output would be (no image beside it).

    Tesseract writes the image's path into the hOCR; it is given a fixed relative name, so the
    file is the same on every run (pytesseract's random temporary name made it differ)."""
    image.save(work / name)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    return subprocess.run([pytesseract.pytesseract.tesseract_cmd, name, "stdout", "--dpi", "300", "hocr"],
                          cwd=work, env=env, check=True, capture_output=True).stdout


def fixed_pdf_dates(pdf: Path, day: str) -> None:
    """Pillow stamps an image PDF with the time it was written; stamp the invoice date instead.

    The stamp keeps its length, so the PDF's byte offsets stay right."""
    stamp = b"D:" + day.replace("-", "").encode() + b"000000Z"
    data = re.sub(rb"(/(?:CreationDate|ModDate) \()D:\d{14}Z(\))",
                  lambda match: match.group(1) + stamp + match.group(2), pdf.read_bytes())
    pdf.write_bytes(data)


def make_sample(spec: SampleSpec, folder: Path, work: Path, first_seed: int) -> tuple[Path, dict]:
    seed = first_seed
    while True:
        invoice = generator.generate(seed, work / f"{seed}.pdf", layout=spec.layout, locale=spec.locale)
        if invoice.pages == spec.pages:
            break
        seed += 1
    target = folder / spec.name
    if spec.kind == "pdf":
        target.write_bytes(invoice.pdf.read_bytes())
    elif spec.kind == "scan-pdf":
        generator.make_scan(invoice, seed, target)
        fixed_pdf_dates(target, invoice.truth["invoice_date"])
    elif spec.kind == "scan-png":
        phone_photo(invoice.pdf, tilt=1.2).save(target, dpi=(PHOTO_DPI, PHOTO_DPI), optimize=True)
    else:
        page = degrade(render_pages(invoice.pdf)[0], seed=seed, tilt=1.2, noise=5, jpeg_quality=80)
        if spec.kind == "scan-jpg":
            page.save(target, quality=80, dpi=(300, 300))
        else:
            target.write_bytes(hocr_of(page, f"{target.stem}.png", work))
    expected = {"source": spec.name, "kind": spec.kind, "pages": invoice.pages, "layout": spec.layout,
                "locale": spec.locale, "seed": seed, **invoice.truth}
    return target, expected


def make_samples(folder: Path) -> list[Path]:
    """Write every sample and its expected record; files already there with other names are left alone."""
    expected_dir = folder / "expected"
    expected_dir.mkdir(parents=True, exist_ok=True)
    made = []
    with tempfile.TemporaryDirectory() as work:
        for index, spec in enumerate(SAMPLES):
            # Each sample its own seeds: with one seed, two samples drew the same number and amounts.
            path, expected = make_sample(spec, folder, Path(work), FIRST_SAMPLE_SEED + 100 * index)
            gold = expected_dir / f"{spec.name.split('.')[0]}.gold.json"
            gold.write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            made += [path, gold]
    return made


def strangers(folder: Path, made: list[Path]) -> list[Path]:
    """Files in ``folder`` that make_samples did not write (old samples, perhaps)."""
    return sorted(set(p for p in folder.rglob("*") if p.is_file()) - set(made))


if __name__ == "__main__":
    samples = Path(sys.argv[1] if len(sys.argv) > 1 else "samples")
    written = make_samples(samples)
    for path in written:
        print(path, path.stat().st_size, "bytes")
    for path in strangers(samples, written):
        print(f"note: {path} was not written by make_samples; delete it if it is stale "
              "(make demo and the sample test read every file in samples/)", file=sys.stderr)
