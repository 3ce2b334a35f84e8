"""What the hidden-text check costs a digital PDF page: reading its text layer with and
without the check (two renderings at 72 dpi and a look at each word's ink).

    .venv/bin/python benchmarks/bench_hidden_text.py [--runs 30]

Inputs are drawn afresh (``random_spec`` invoices, 3 to 15 line items) in a temporary
folder. Each page is read ``--runs`` times in this process; the table gives the fastest
and the median run in milliseconds, since other work on the machine only ever adds time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

from invoice_extract.documents import LoadOptions, pdf
from invoice_extract.training.synthetic import random_spec, render_invoice_pdf


def timings(path: Path, runs: int) -> tuple[list[float], list[float], int]:
    """Milliseconds to read the page's text layer in full, and of that in the hidden-text check."""
    document = pdfium.PdfDocument(str(path))
    full, check = [], []
    words = 0
    original = pdf._hidden_words

    def timed(*args):
        start = time.perf_counter()
        try:
            return original(*args)
        finally:
            check.append((time.perf_counter() - start) * 1000)

    pdf._hidden_words = timed
    try:
        for _ in range(runs):
            page = document[0]
            start = time.perf_counter()
            layer = pdf.text_layer_page(path, page, 1, LoadOptions())
            full.append((time.perf_counter() - start) * 1000)
            page.close()
            assert layer.usable and not layer.hidden, f"{path}: the check should find nothing hidden"
            words = len(layer.page.words)
    finally:
        pdf._hidden_words = original
        document.close()
    return full, check, words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print("| invoice | words | text layer ms (min / median) | of which the check ms (min / median) |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for seed in (1, 2, 3):
            path = Path(folder) / f"invoice-{seed}.pdf"
            render_invoice_pdf(random_spec(seed), path)
            full, check, words = timings(path, args.runs)
            print(f"| random_spec({seed}) | {words} | {min(full):.1f} / {statistics.median(full):.1f} "
                  f"| {min(check):.1f} / {statistics.median(check):.1f} |")


if __name__ == "__main__":
    main()
