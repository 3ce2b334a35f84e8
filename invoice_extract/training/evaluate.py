"""End-to-end check of the tagger on the SROIE dev split with ../shared/eval/score.py.

    python -m invoice_extract.training.evaluate --reading ocr     # our Tesseract on the images
    python -m invoice_extract.training.evaluate --reading given   # the data set's OCR lines

Tags become a record by a deliberately minimal rule until the record stage lands: per
field, the tagged span with the highest mean confidence; day-first dates to ISO; amounts
without currency marks or thousands separators.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from ..ner import MODELS_DIR, Tagger, TaggedWord
from .receipts import REPO_ROOT, dev_ids, given_ocr_document, load_receipts, our_ocr_document
from .align import amount

SCORER = REPO_ROOT.parent / "shared" / "eval" / "score.py"
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MIN_FALLBACK_PROBABILITY = 0.1
_NUMERIC_DATE = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})")
_NAMED_DATE = re.compile(r"(\d{1,2})[\s\-/.]*([a-z]{3})[a-z]*[\s\-/.,]*(\d{2,4})", re.I)


def spans(tagged: list[TaggedWord], field: str) -> list[list[TaggedWord]]:
    found: list[list[TaggedWord]] = []
    for i, item in enumerate(tagged):
        if item.tag == f"B-{field}" or (item.tag == f"I-{field}" and (i == 0 or tagged[i - 1].tag[2:] != field)):
            found.append([item])
        elif item.tag == f"I-{field}":
            found[-1].append(item)
    return found


def best_text(tagged: list[TaggedWord], field: str) -> str | None:
    """The likeliest tagged span; with none, the one word the model thinks likeliest, if at all likely."""
    candidates = spans(tagged, field)
    if not candidates:
        likeliest = max(tagged, key=lambda w: w.field_probability(field), default=None)
        if likeliest is None or likeliest.field_probability(field) < _MIN_FALLBACK_PROBABILITY:
            return None
        return likeliest.word.text
    best = max(candidates, key=lambda span: sum(w.confidence for w in span) / len(span))
    return " ".join(w.word.text for w in best)


def iso_date(text: str | None) -> str | None:
    if not text:
        return None
    try:
        if match := _NUMERIC_DATE.search(text):
            a, b, c = match.groups()
            year, month, day = (int(a), int(b), int(c)) if len(a) == 4 else (int(c), int(b), int(a))
        elif (match := _NAMED_DATE.search(text)) and match.group(2).lower() in _MONTHS:
            day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
        else:
            return None
        year += 2000 if year < 100 else 0
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def record(source: Path, tagged: list[TaggedWord]) -> dict:
    total = best_text(tagged, "TOTAL")
    value = amount(total.replace(" ", "")) if total else None
    return {
        "source": str(source),
        "vendor_name": best_text(tagged, "VENDOR_NAME"),
        "vendor_address": best_text(tagged, "VENDOR_ADDRESS"),
        "invoice_date": iso_date(best_text(tagged, "INVOICE_DATE")),
        "total": str(value) if value is not None else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reading", choices=("ocr", "given"), default="ocr")
    parser.add_argument("--model", type=Path, default=MODELS_DIR)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path("build/eval") / f"sroie-dev-{args.reading}.json"
    out.parent.mkdir(parents=True, exist_ok=True)

    receipts = load_receipts()
    dev = dev_ids(receipts)
    tagger = Tagger(args.model)
    read = our_ocr_document if args.reading == "ocr" else given_ocr_document
    records = [record(r.image, tagger.tag(read(r))) for r in receipts if r.id in dev]
    out.write_text(json.dumps(records, indent=1, ensure_ascii=False))
    # score.py reads every gold file in a folder: give it the dev receipts' only.
    gold = out.parent / "sroie-dev-gold"
    gold.mkdir(exist_ok=True)
    for receipt in receipts:
        if receipt.id in dev:
            name = f"{receipt.id}.gold.json"
            (gold / name).write_bytes((receipt.image.parent / name).read_bytes())
    summary = out.with_suffix(".score.json")
    result = subprocess.run(
        [sys.executable, str(SCORER), "--gold", str(gold), "--pred", str(out), "--json", str(summary)],
        capture_output=True, text=True, check=True,
    )
    print(f"{len(records)} dev receipts, reading: {args.reading}, predictions: {out}")
    print(result.stdout)


if __name__ == "__main__":
    main()
