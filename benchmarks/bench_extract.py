"""Seconds per document, end to end (read, tag, build the record), as `extract` runs it.

    .venv/bin/python benchmarks/bench_extract.py            # needs the dev extra (reportlab)

Inputs are drawn afresh in a temporary folder: one-page invoices from a held-out layout as
a digital PDF (text layer) and as a 300 dpi scanned, image-only PDF (Tesseract), and a
Malaysian till receipt as a JPEG photo. Each is extracted REPEATS times in this process
with one shared tagger, after one warm-up run (which also loads the model); the median
and the range are printed. Stages are timed apart: read (load_document), tag, record.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from invoice_extract.documents import LoadOptions, load_document  # noqa: E402
from invoice_extract.ner import Tagger  # noqa: E402
from invoice_extract.postprocess import build_record  # noqa: E402
from invoice_extract.training import generator  # noqa: E402
from invoice_extract.training.synthetic import degrade, render_pages  # noqa: E402

REPEATS = 5


def inputs(folder: Path) -> dict[str, Path]:
    invoice = generator.generate(4_000_000, folder / "digital.pdf", layout="sidebar", locale="en_GB")
    scan, _, _ = generator.make_scan(invoice, 4_000_000, folder / "scan.pdf")
    receipt = generator.generate(4_000_001, folder / "receipt.pdf", layout="receipt_restaurant", locale="ms_MY")
    photo = folder / "receipt.jpg"
    degrade(render_pages(receipt.pdf)[0], seed=1, tilt=1.0).save(photo, quality=80, dpi=(300, 300))
    return {"digital PDF, 1 page": invoice.pdf, "scanned PDF, 1 page": scan, "receipt photo (JPEG)": photo}


def timed(path: Path, tagger: Tagger) -> dict[str, float]:
    options = LoadOptions(keep_images=False)
    start = time.perf_counter()
    document = load_document(path, options)
    loaded = time.perf_counter()
    tagged = tagger.tag(document)
    tagged_at = time.perf_counter()
    build_record(document, tagged)
    done = time.perf_counter()
    return {"read": loaded - start, "tag": tagged_at - loaded, "record": done - tagged_at, "total": done - start}


def main() -> None:
    tagger = Tagger.shared()
    print("| input | total s (median) | min-max | read s | tag s | record s |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in inputs(Path(tmp)).items():
            timed(path, tagger)  # warm-up: first OCR call, onnxruntime's first run
            runs = [timed(path, tagger) for _ in range(REPEATS)]
            median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            totals = [run["total"] for run in runs]
            print(f"| {name} | {median['total']:.2f} | {min(totals):.2f}-{max(totals):.2f} | "
                  f"{median['read']:.2f} | {median['tag']:.3f} | {median['record']:.4f} |", flush=True)


if __name__ == "__main__":
    main()
