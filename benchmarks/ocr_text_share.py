"""How much of the gold an OCR engine's text holds: the share of gold vendor names, addresses,
dates and totals that appear verbatim (letters and digits only, case-folded) in the reading.

    python benchmarks/ocr_text_share.py                      # both engines, SROIE dev + WildReceipt
    python benchmarks/ocr_text_share.py --engines ppocr --sets wildreceipt --limit 50

An engine that does not find a value in the text cannot extract it: this bounds what the
tagger and record stage can do, whatever the model. Sets (read from ../shared, never copied):
- sroie: the 100 receipts of the SROIE dev split (``receipts.dev_ids``); the date and
  vendor are compared as the data set's key has them (``raw``), the total as gold;
- wildreceipt: phone photos of receipts from many countries, ``../shared/data/wildreceipt/train``,
  the first ``--limit`` by name; the date as its labelled box reads.

``--engines detect+tesseract`` measures an experiment of bench_ocr_engines.py (PP-OCR's
detector, one Tesseract run in English on the stacked lines; no orientation check), uncached.

Readings are cached as JSON (build/cache/sroie-ocr-ENGINE, shared with
``training.evaluate --ocr-engine ENGINE``, and build/cache/wildreceipt-ENGINE).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from invoice_extract.document import Document
from invoice_extract.documents import LoadOptions, load_document
from invoice_extract.training.receipts import (
    REPO_ROOT,
    Receipt,
    dev_ids,
    load_receipts,
    our_ocr_document,
)

FIELDS = ("vendor_name", "vendor_address", "invoice_date", "total")
WILDRECEIPT = REPO_ROOT.parent / "shared" / "data" / "wildreceipt" / "train"
CACHE = REPO_ROOT / "build" / "cache"


def squeeze(text: str) -> str:
    """Letters and digits only, case-folded: how a value is looked for in a reading."""
    return "".join(ch for ch in text if ch.isalnum()).casefold()


def sroie_cases() -> list[tuple[Path, dict[str, str | None]]]:
    receipts = load_receipts()
    dev = dev_ids(receipts)
    cases = []
    for receipt in (r for r in receipts if r.id in dev):
        raw = receipt.raw
        values = {"vendor_name": raw.get("company"), "vendor_address": raw.get("address"),
                  "invoice_date": raw.get("date"), "total": receipt.gold["total"]}
        cases.append((receipt.image, values))
    return cases


def wildreceipt_cases(limit: int) -> list[tuple[Path, dict[str, str | None]]]:
    cases = []
    for gold_path in sorted(WILDRECEIPT.glob("*.gold.json"))[:limit]:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        dates = gold["raw"]["labels"].get("Date_value") or [None]
        values = {"vendor_name": gold["vendor_name"], "vendor_address": gold["vendor_address"],
                  "invoice_date": dates[0] if gold["invoice_date"] else None, "total": gold["total"]}
        cases.append((gold_path.with_name(gold_path.name.replace(".gold.json", ".jpg")), values))
    return cases


@functools.cache
def receipts_by_image(folder: Path) -> dict[Path, Receipt]:
    """The SROIE receipts of ``folder`` by image, loaded once per process."""
    return {receipt.image: receipt for receipt in load_receipts(folder)}


def read(job: tuple[str, Path, str]) -> str:
    """The reading of one image by one engine, as squeezed text (cached)."""
    dataset, image, engine = job
    if engine == "detect+tesseract":
        # This folder is on sys.path when the script runs.
        from bench_ocr_engines import detect_then_tesseract

        return squeeze(detect_then_tesseract(image, "en"))
    if dataset == "sroie":
        receipt = receipts_by_image(image.parent)[image]
        document = our_ocr_document(receipt, engine)
    else:
        cached = CACHE / f"wildreceipt-{engine}" / f"{image.stem}.json"
        if cached.exists():
            document = Document.from_dict(json.loads(cached.read_text(encoding="utf-8")))
        else:
            document = load_document(image, LoadOptions(keep_images=False, workers=1, ocr_engine=engine))
            cached.parent.mkdir(parents=True, exist_ok=True)
            temporary = cached.with_suffix(".tmp")  # a reading cut short is never taken for one
            temporary.write_text(json.dumps(document.to_dict()), encoding="utf-8")
            temporary.replace(cached)
    return squeeze("\n".join(page.text for page in document.pages))


def shares(cases: list[tuple[Path, dict[str, str | None]]], texts: list[str]) -> dict[str, tuple[int, int]]:
    """Per field: (values found in the reading, values in the gold)."""
    counts = {field: [0, 0] for field in FIELDS}
    for (_, values), text in zip(cases, texts):
        for field in FIELDS:
            value = squeeze(values[field] or "")
            if value:
                counts[field][1] += 1
                counts[field][0] += value in text
    return {field: (found, total) for field, (found, total) in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="+", default=["tesseract", "ppocr"], choices=["tesseract", "ppocr", "auto", "detect+tesseract"])
    parser.add_argument("--sets", nargs="+", default=["sroie", "wildreceipt"], choices=["sroie", "wildreceipt"])
    parser.add_argument("--limit", type=int, default=300, help="wildreceipt: the first LIMIT receipts")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print("| set | reader | vendor name | address | date | total | mean |\n|---|---|---:|---:|---:|---:|---:|")
    for dataset in args.sets:
        cases = sroie_cases() if dataset == "sroie" else wildreceipt_cases(args.limit)
        for engine in args.engines:
            with ProcessPoolExecutor(args.workers) as pool:
                texts = list(pool.map(read, [(dataset, image, engine) for image, _ in cases], chunksize=2))
            found = shares(cases, texts)
            rates = [found[f][0] / found[f][1] if found[f][1] else 0.0 for f in FIELDS]
            cells = " | ".join(f"{rate:.2f} ({found[f][0]}/{found[f][1]})" for f, rate in zip(FIELDS, rates))
            print(f"| {dataset} ({len(cases)}) | {engine} | {cells} | {sum(rates) / len(rates):.2f} |", flush=True)


if __name__ == "__main__":
    main()
