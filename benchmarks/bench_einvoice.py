"""Seconds per e-invoice: a Factur-X PDF read from its XML, against the same PDF's page read
by the page pipeline (text layer or OCR, tagger, record), as `extract` runs them.

    .venv/bin/python benchmarks/bench_einvoice.py           # needs the dev extra (reportlab, factur-x)

Inputs are drawn afresh in a temporary folder: a one-page German invoice from our generator
as a digital PDF and as a 300 dpi scanned, image-only PDF, each made a Factur-X PDF by the
`factur-x` library with a CII (EN 16931) XML of the same values, and the XML alone as a
file. Each row is `pipeline.read` on one file, REPEATS times in this process with one
shared tagger, after one warm-up run (which also loads the model); median and range.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import facturx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from invoice_extract.documents import LoadOptions  # noqa: E402
from invoice_extract.ner import Tagger  # noqa: E402
from invoice_extract.pipeline import read  # noqa: E402
from invoice_extract.training import generator  # noqa: E402
from invoice_extract.training.einvoices import cii_values, cii_xml  # noqa: E402

REPEATS = 5
PLAIN = LoadOptions(keep_images=False)
VERIFY = LoadOptions(keep_images=False, verify_einvoice=True)


def inputs(folder: Path) -> list[tuple[str, Path, LoadOptions]]:
    # Seed 13 draws an invoice without shipping or discount, as cii_values needs.
    invoice = generator.generate(13, folder / "digital.pdf", layout="classic_left", locale="de_DE")
    scan, _, _ = generator.make_scan(invoice, 13, folder / "scan.pdf")
    xml = cii_xml(cii_values(invoice))
    bare = folder / "invoice.xml"
    bare.write_bytes(xml)
    digital_fx, scan_fx = folder / "digital-facturx.pdf", folder / "scan-facturx.pdf"
    facturx.generate_from_file(str(invoice.pdf), xml, output_pdf_file=str(digital_fx))
    facturx.generate_from_file(str(scan), xml, output_pdf_file=str(scan_fx))
    return [
        ("CII XML file", bare, PLAIN),
        ("Factur-X digital PDF: XML", digital_fx, PLAIN),
        ("Factur-X digital PDF: XML + --verify-einvoice", digital_fx, VERIFY),
        ("the same digital PDF without XML: page pipeline", invoice.pdf, PLAIN),
        ("Factur-X scanned PDF: XML", scan_fx, PLAIN),
        ("Factur-X scanned PDF: XML + --verify-einvoice", scan_fx, VERIFY),
        ("the same scanned PDF without XML: page pipeline (OCR)", scan, PLAIN),
    ]


def timed(path: Path, options: LoadOptions, tagger: Tagger) -> float:
    start = time.perf_counter()
    record = read(path, options, tagger=tagger).record
    elapsed = time.perf_counter() - start
    assert record.status != "error", record.errors
    return elapsed


def main() -> None:
    tagger = Tagger.shared()
    print("| input | ms per file (median) | min-max ms |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, options in inputs(Path(tmp)):
            timed(path, options, tagger)  # warm-up: the model's first run, the first OCR call
            runs = [timed(path, options, tagger) * 1000 for _ in range(REPEATS)]
            print(f"| {name} | {statistics.median(runs):.1f} | {min(runs):.1f}-{max(runs):.1f} |", flush=True)


if __name__ == "__main__":
    main()
