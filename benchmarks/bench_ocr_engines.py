"""The OCR engines side by side on the same scanned invoice pages, in one run: the CPU time of
the whole reading of a page (render, orientation, skew, OCR, Tesseract's language pass) as a
multiple of one bare single-threaded `tesseract` run on the page's image, and the share of
the page's accented words (é, ä, ß, ñ...) each reading keeps.

    python benchmarks/bench_ocr_engines.py --pages 8

Pages: synthetic invoices (``generator.generate``) in German, French, Dutch, Spanish, Italian
and English, made to look scanned (``generator.make_scan``), under build/bench-ocr-engines.
Besides the engines, an experiment: PP-OCR's detector finds the lines, and one Tesseract run
in the page's language reads them all, stacked into one image (``detect_then_tesseract``).
Each engine reads a page once before the timing, so that loading its models is not counted
(the load is printed apart).
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytesseract
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from invoice_extract.documents import LoadOptions, load_document, ocr, ppocr
from invoice_extract.training import generator
from invoice_extract.training.synthetic import render_pages

FOLDER = Path(__file__).resolve().parents[1] / "build" / "bench-ocr-engines"
LOCALES = ("de_DE", "fr_FR", "nl_NL", "es_ES", "it_IT", "en_GB")
TESSERACT_LANGUAGE = {"de": "deu", "fr": "fra", "nl": "nld", "es": "spa", "it": "ita", "en": "eng"}
FIRST_SEED = 7_000_000  # far from the training and dev seeds


def cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for (Tesseract)."""
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + children.ru_utime + children.ru_stime


def timed(work: Callable[[], object]) -> tuple[float, object]:
    before = cpu_seconds()
    result = work()
    return cpu_seconds() - before, result


def make_pages(count: int) -> list[tuple[Path, Path, str, set[str]]]:
    """(scanned PDF, its first page as PNG, the page's language, its accented words) per page."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    pages = []
    for i in range(count):
        seed, locale = FIRST_SEED + i, LOCALES[i % len(LOCALES)]
        invoice = generator.generate(seed, FOLDER / f"{i}.pdf", layout=generator.TRAIN_LAYOUTS[i % 5], locale=locale)
        scan, _, _ = generator.make_scan(invoice, seed, FOLDER / f"{i}-scan.pdf")
        png = FOLDER / f"{i}-scan.png"
        render_pages(scan, 300)[0].save(png)
        accented = {token for d in invoice.drawn if d.page == 1 for token in tokens(d.text)
                    if any(ch.isalpha() and not ch.isascii() for ch in token)}
        pages.append((scan, png, locale[:2], accented))
    return pages


def tokens(text: str) -> list[str]:
    return [token.strip(".,:;()'\"") for token in text.split()]


def bare_tesseract(png: Path) -> str:
    return subprocess.run(["tesseract", str(png), "-"], capture_output=True, text=True, check=True,
                          env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout


def reading(scan: Path, engine: str) -> str:
    document = load_document(scan, LoadOptions(ocr_engine=engine, workers=1, keep_images=False))  # type: ignore[arg-type]
    return document.pages[0].text


def detect_then_tesseract(png: Path, language: str) -> str:
    """PP-OCR's detected lines, stacked one under another, read by one Tesseract run."""
    with Image.open(png) as image:
        page = image.convert("L")
    fitted, _ = ocr.fit_for_ocr(page, 1, LoadOptions())
    upright = ocr.make_upright(fitted, 1.0, 0, LoadOptions()).image
    scale = min(1.0, ppocr._LONG_SIDE / max(upright.size))  # detect as the engine does, crop at full size
    small = upright.resize((round(upright.width * scale), round(upright.height * scale)), Image.Resampling.BILINEAR)
    boxes, _ = ppocr._engine().text_det(np.stack([np.asarray(small)] * 3, axis=-1))
    crops = []
    for box in [] if boxes is None else sorted(boxes.tolist(), key=lambda b: (min(p[1] for p in b), min(p[0] for p in b))):
        xs, ys = [p[0] / scale for p in box], [p[1] / scale for p in box]
        crops.append(upright.crop((int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1)))
    if not crops:
        return ""
    gap = 12
    stack = Image.new("L", (max(c.width for c in crops) + 2 * gap, sum(c.height + gap for c in crops) + gap), 255)
    y = gap
    for crop in crops:
        stack.paste(crop, (gap, y))
        y += crop.height + gap
    return pytesseract.image_to_string(stack, lang=f"{TESSERACT_LANGUAGE[language]}+eng", config="--psm 6")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    pages = make_pages(args.pages)
    load, _ = timed(lambda: ppocr._engine())
    print(f"PP-OCR engine load: {load:.2f} s CPU (once per process)")
    readers: dict[str, Callable[[Path, Path, str], str]] = {
        "tesseract (today's reading)": lambda scan, png, lang: reading(scan, "tesseract"),
        "ppocr": lambda scan, png, lang: reading(scan, "ppocr"),
        "auto (PP-OCR; accents from Tesseract on a page in another language)":
            lambda scan, png, lang: reading(scan, "auto"),
        "ppocr detection + tesseract in the page's language": lambda scan, png, lang: detect_then_tesseract(png, lang),
    }
    for read in readers.values():  # warm: models, Tesseract's traineddata in the page cache
        read(pages[0][0], pages[0][1], pages[0][2])
    bare, spent = 0.0, {name: 0.0 for name in readers}
    kept = {name: 0 for name in readers}
    accented_total = 0
    for scan, png, language, accented in pages:
        seconds, _ = timed(functools.partial(bare_tesseract, png))
        bare += seconds
        accented_total += len(accented)
        for name, read in readers.items():
            seconds, text = timed(functools.partial(read, scan, png, language))
            spent[name] += seconds
            kept[name] += len(accented & set(tokens(str(text))))
    print(f"{len(pages)} scanned pages ({', '.join(LOCALES)}); bare single-threaded tesseract: "
          f"{bare / len(pages):.2f} s CPU a page; {accented_total} accented words")
    print("| reader | CPU s a page | x bare tesseract | accented words kept |\n|---|---:|---:|---:|")
    for name in readers:
        print(f"| {name} | {spent[name] / len(pages):.2f} | {spent[name] / bare:.1f} | "
              f"{kept[name] / max(accented_total, 1):.2f} ({kept[name]}/{accented_total}) |")


if __name__ == "__main__":
    main()
