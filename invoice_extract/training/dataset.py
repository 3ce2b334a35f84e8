"""Build the training and dev sets: words, 0-1000 boxes and BIO tags, as JSON lines.

    python -m invoice_extract.training.dataset --out build/data

Sources:
- synthetic invoices from training layouts (digital PDFs read from their text layer, and
  degraded scans read by our own OCR), labelled by where the generator drew each field;
- SROIE train receipts outside the dev split, twice: the data set's OCR lines and our
  own reading (OCR engine ``auto``), labelled by fuzzy alignment of the gold strings.
Dev sets, never trained on: synthetic invoices from held-out layouts (digital and scans),
and the 100 SROIE dev receipts (both readings).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..documents import LoadOptions, load_document
from . import generator
from .receipts import Receipt, dev_ids, given_ocr_document, load_receipts, ocr_all, our_ocr_document
from .align import align_gold
from .examples import Example, write_jsonl


def sroie_examples(receipts: list[Receipt], stats: Counter) -> list[Example]:
    examples = []
    for receipt in receipts:
        for source, document in (("sroie-given", given_ocr_document(receipt)),
                                 ("sroie-ocr", our_ocr_document(receipt))):
            fields = align_gold(document.words, receipt.gold, receipt.raw)
            for field, key in (("VENDOR_NAME", "vendor_name"), ("VENDOR_ADDRESS", "vendor_address"),
                               ("INVOICE_DATE", "invoice_date"), ("TOTAL", "total")):
                if receipt.gold.get(key):
                    stats[f"{source} {field} gold"] += 1
                    stats[f"{source} {field} aligned"] += field in fields
            examples.append(Example.from_document(receipt.id, source, document, fields))
    return examples


def _synthetic_example(job: tuple[int, str, bool]) -> Example:
    seed, layout, scanned = job
    with tempfile.TemporaryDirectory() as folder:
        invoice = generator.generate(seed, Path(folder) / "invoice.pdf", layout=layout)
        if not scanned:
            document = load_document(invoice.pdf, LoadOptions(keep_images=False))
            fields = [f for page in document.pages for f in generator.label_words(page, invoice.drawn)]
        else:
            scan, sizes, tilt = generator.make_scan(invoice, seed, Path(folder) / "scan.pdf")
            document = load_document(scan, LoadOptions(keep_images=False, workers=1))
            fields = [f for page, size in zip(document.pages, sizes)
                      for f in generator.label_words(page, invoice.drawn, source_size_px=size, tilt=tilt)]
    source = "synthetic-scan" if scanned else "synthetic-pdf"
    return Example.from_document(f"{layout}-{invoice.locale}-{seed}", source, document, fields)


def synthetic_examples(layouts: tuple[str, ...], first_seed: int, digital: int, scans: int,
                       workers: int) -> list[Example]:
    jobs = [(first_seed + i, layouts[i % len(layouts)], i >= digital) for i in range(digital + scans)]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_synthetic_example, jobs, chunksize=8))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("build/data"))
    parser.add_argument("--synthetic", type=int, default=1500, help="digital synthetic invoices to train on")
    parser.add_argument("--scans", type=int, default=400, help="scanned synthetic invoices to train on")
    parser.add_argument("--dev-synthetic", type=int, default=150, help="held-out-layout invoices per kind")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    stats: Counter = Counter()
    receipts = load_receipts()
    ocr_all(receipts, args.workers)
    dev = dev_ids(receipts)
    sets = {
        "dev_sroie": sroie_examples([r for r in receipts if r.id in dev], stats),
        "train": sroie_examples([r for r in receipts if r.id not in dev], stats)
        + synthetic_examples(generator.TRAIN_LAYOUTS, 1, args.synthetic, args.scans, args.workers),
        # Seeds far from the training seeds, on layouts training never sees.
        "dev_synthetic": synthetic_examples(generator.DEV_LAYOUTS, 1_000_000, args.dev_synthetic,
                                            args.dev_synthetic // 2, args.workers),
    }
    for name, examples in sets.items():
        stats[f"{name} examples"] = write_jsonl(args.out / f"{name}.jsonl", examples)
        stats[f"{name} words"] = sum(len(e.words) for e in examples)
    (args.out / "stats.json").write_text(json.dumps(dict(sorted(stats.items())), indent=1))
    print(json.dumps(dict(sorted(stats.items())), indent=1))


if __name__ == "__main__":
    main()
