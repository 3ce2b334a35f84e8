"""Score the whole pipeline (tagger + record stage) on the dev sets with ../shared/eval/score.py.

    python -m invoice_extract.training.evaluate --set sroie-ocr     # SROIE dev, our reader on the images
    python -m invoice_extract.training.evaluate --set sroie-given   # SROIE dev, the data set's OCR lines
    python -m invoice_extract.training.evaluate --set synthetic     # held-out layouts, digital and scanned
    python -m invoice_extract.training.evaluate --set sroie-train-given  # 200 training receipts (see below)

The synthetic dev set is drawn from layouts training never sees (``generator.DEV_LAYOUTS``),
with seeds far from the training seeds; its files and gold records are written under
build/eval/synthetic-dev. Records go through ``postprocess.build_record``, the same code
``invoice-extract extract`` runs. Tagged documents are cached (per model file) so that
changes to the record stage can be measured in seconds.

--ocr-engine reads the images (SROIE, the synthetic scans) with another OCR engine
(``LoadOptions.ocr_engine``); its predictions are written as sroie-dev-ocr-ENGINE.json,
apart from the default reader's.

sroie-train-given and sroie-train-ocr are 200 receipts the model was trained on: no
measure of the model, but a second opinion on a change to the record stage, whose rules
are made while looking at the dev sets' errors. (SROIE's readings through our OCR are
cached per engine, in build/cache/sroie-ocr-ENGINE: delete it after changing the reader.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..document import Document
from ..documents import LoadOptions, load_document
from ..documents.options import OCR_ENGINES, OcrEngine
from ..ner import MODELS_DIR, TaggedWord, Tagger
from ..postprocess import build_record
from ..record import InvoiceRecord
from .receipts import (
    REPO_ROOT,
    dev_ids,
    given_ocr_document,
    load_receipts,
    our_ocr_document,
    train_sample_ids,
)

SCORER = REPO_ROOT.parent / "shared" / "eval" / "score.py"
EVAL_DIR = REPO_ROOT / "build" / "eval"
SYNTHETIC_DIR = EVAL_DIR / "synthetic-dev"
SETS = ("sroie-ocr", "sroie-given", "synthetic", "sroie-train-ocr", "sroie-train-given")
FIRST_DEV_SEED = 1_000_000  # the same held-out seeds as dataset.py's dev_synthetic


@dataclass
class TaggedDocument:
    source: str
    document: Document
    tagged: list[TaggedWord]


def _sroie(split: str, reading: str, gold: Path, engine: OcrEngine) -> list[tuple[str, Callable[[], Document]]]:
    receipts = load_receipts()
    wanted = dev_ids(receipts) if split == "dev" else train_sample_ids(receipts)
    gold.mkdir(parents=True, exist_ok=True)
    jobs = []
    for receipt in (r for r in receipts if r.id in wanted):
        name = f"{receipt.id}.gold.json"
        (gold / name).write_bytes((receipt.image.parent / name).read_bytes())
        if reading == "ocr":
            jobs.append((str(receipt.image), lambda r=receipt: our_ocr_document(r, engine)))
        else:
            jobs.append((str(receipt.image), lambda r=receipt: given_ocr_document(r)))
    return jobs


def _make_synthetic(job: tuple[int, str, bool]) -> Path:
    from . import generator  # reportlab: a training dependency

    seed, layout, scanned = job
    folder = SYNTHETIC_DIR / "files"
    pdf = folder / f"{layout}-{seed}.pdf"
    invoice = generator.generate(seed, pdf, layout=layout)
    target = pdf
    if scanned:
        target, _, _ = generator.make_scan(invoice, seed, folder / f"{layout}-{seed}-scan.pdf")
        pdf.unlink()
    (SYNTHETIC_DIR / "gold" / f"{target.name.split('.')[0]}.gold.json").write_text(
        json.dumps(invoice.truth, indent=1, ensure_ascii=False), encoding="utf-8")
    return target


def _synthetic(digital: int, scans: int, workers: int, engine: OcrEngine) -> list[tuple[str, Callable[[], Document]]]:
    from . import generator

    (SYNTHETIC_DIR / "files").mkdir(parents=True, exist_ok=True)
    (SYNTHETIC_DIR / "gold").mkdir(parents=True, exist_ok=True)
    layouts = generator.DEV_LAYOUTS
    jobs = [(FIRST_DEV_SEED + i, layouts[i % len(layouts)], i >= digital) for i in range(digital + scans)]
    wanted = {(seed, layout, scanned): SYNTHETIC_DIR / "files" / (
        f"{layout}-{seed}-scan.pdf" if scanned else f"{layout}-{seed}.pdf") for seed, layout, scanned in jobs}
    missing = [job for job, path in wanted.items() if not path.exists()]
    if missing:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_make_synthetic, missing, chunksize=4))
    options = LoadOptions(keep_images=False, ocr_engine=engine)
    return [(str(path), lambda p=path: load_document(p, options)) for path in wanted.values()]


def tagged_documents(name: str, model: Path = MODELS_DIR, *, digital: int = 120, scans: int = 40,
                     workers: int = 2, engine: OcrEngine = "auto") -> tuple[list[TaggedDocument], Path]:
    """The dev set's documents with the model's tags (cached per model and OCR engine), and its gold folder."""
    if name == "synthetic":
        jobs, gold = _synthetic(digital, scans, workers, engine), SYNTHETIC_DIR / "gold"
    else:
        split, reading = _sroie_split(name)
        gold = EVAL_DIR / f"sroie-{split}-gold"
        jobs = _sroie(split, reading, gold, engine)
    # A new model, or new reading code (OCR, text layers), makes new tags.
    digest = hashlib.sha256((Path(model) / "model.onnx").read_bytes())
    for source in sorted((Path(__file__).resolve().parent.parent / "documents").glob("*.py")):
        digest.update(source.read_bytes())
    cache = EVAL_DIR / "cache" / f"{name}-{engine}-{len(jobs)}-{digest.hexdigest()[:12]}.pkl"
    if cache.exists():
        return [TaggedDocument(*item) for item in pickle.loads(cache.read_bytes())], gold
    tagger = Tagger(model)
    done = []
    for source, read in jobs:
        document = read()
        done.append(TaggedDocument(source, document, tagger.tag(document)))
    cache.parent.mkdir(parents=True, exist_ok=True)
    # Plain tuples: a pickled dataclass would name the module it was made in (__main__).
    cache.write_bytes(pickle.dumps([(d.source, d.document, d.tagged) for d in done]))
    return done, gold


def _sroie_split(name: str) -> tuple[str, str]:
    """sroie-ocr -> (dev, ocr), sroie-train-given -> (train, given)."""
    *split, reading = name.removeprefix("sroie-").split("-")
    return (split[0] if split else "dev"), reading


def output_name(name: str, engine: OcrEngine = "auto") -> str:
    """sroie-ocr -> sroie-dev-ocr.json, synthetic -> synthetic-dev.json (the model card reads
    these); with an engine named, sroie-dev-ocr-ppocr.json."""
    suffix = "" if engine == "auto" else f"-{engine}"
    if not name.startswith("sroie-"):
        return f"{name}-dev{suffix}.json"
    split, reading = _sroie_split(name)
    return f"sroie-{split}-{reading}{suffix}.json"


def score(records: list[InvoiceRecord], gold: Path, out: Path) -> str:
    """Run score.py on the records; returns what it printed (and writes out.score.json)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([r.to_json_dict() for r in records], indent=1, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(SCORER), "--gold", str(gold), "--pred", str(out),
         "--json", str(out.with_suffix(".score.json"))],
        capture_output=True, text=True, check=True,
    )
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=SETS, default="sroie-ocr")
    parser.add_argument("--model", type=Path, default=MODELS_DIR)
    parser.add_argument("--digital", type=int, default=120, help="synthetic: digital PDFs (held-out layouts)")
    parser.add_argument("--scans", type=int, default=40, help="synthetic: scanned PDFs (held-out layouts)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ocr-engine", choices=OCR_ENGINES, default="auto", help="the OCR engine that reads images")
    args = parser.parse_args()
    documents, gold = tagged_documents(args.set, args.model, digital=args.digital, scans=args.scans,
                                       workers=args.workers, engine=args.ocr_engine)
    records = [build_record(d.document, d.tagged, source=d.source) for d in documents]
    out = EVAL_DIR / output_name(args.set, args.ocr_engine)
    printed = score(records, gold, out)
    review = sum(r.status == "needs_review" for r in records)
    print(f"{len(records)} documents ({args.set}), {review} need review; predictions: {out}")
    print(printed)


if __name__ == "__main__":
    main()
