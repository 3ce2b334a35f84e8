"""SROIE 2019 receipts (``../shared/data/sroie/train``) as Documents with gold fields.

Two readings of each receipt:
- ``given_ocr_document``: the data set's own OCR lines, split into words whose boxes are
  estimated from the character offsets within the line box;
- ``our_ocr_document``: our own document stage (OCR engine ``auto`` unless named) on the
  image, cached as JSON because it costs about a second a receipt.

The dev split is fixed: the 100 receipts whose ids hash lowest (sha1), never trained on.
The images stay in ../shared; nothing from the data set is written into the repository.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..document import Document, Page, Word
from ..documents import LoadOptions, load_document
from ..documents.options import OcrEngine

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROOT = REPO_ROOT.parent / "shared" / "data" / "sroie" / "train"
CACHE_ROOT = REPO_ROOT / "build" / "cache"
DEV_SIZE = 100
TRAIN_SAMPLE_SIZE = 200
GOLD_FIELDS = ("vendor_name", "vendor_address", "invoice_date", "total")


@dataclass(frozen=True)
class Receipt:
    id: str
    image: Path
    boxes: Path
    gold: dict[str, str | None]  # vendor_name, vendor_address, invoice_date (ISO), total
    raw: dict[str, str]  # the data set's original key strings (company, address, date, total)


def sroie_root() -> Path:
    return Path(os.environ.get("INVOICE_EXTRACT_SROIE", DEFAULT_ROOT))


def load_receipts(root: Path | None = None) -> list[Receipt]:
    root = root or sroie_root()
    receipts = []
    for gold_path in sorted(root.glob("*.gold.json")):
        receipt_id = gold_path.name.removesuffix(".gold.json")
        data = json.loads(gold_path.read_text(encoding="utf-8"))
        receipts.append(Receipt(
            receipt_id, root / f"{receipt_id}.jpg", root / f"{receipt_id}.boxes.tsv",
            {name: data.get(name) for name in GOLD_FIELDS}, data.get("raw") or {},
        ))
    if not receipts:
        raise FileNotFoundError(f"no SROIE receipts under {root} (set INVOICE_EXTRACT_SROIE)")
    return receipts


def dev_ids(receipts: list[Receipt]) -> frozenset[str]:
    """The fixed dev split: a hash of the id decides, so it never depends on file order."""
    return frozenset(r.id for r in _ranked(receipts)[:DEV_SIZE])


def train_sample_ids(receipts: list[Receipt], count: int = TRAIN_SAMPLE_SIZE) -> frozenset[str]:
    """A fixed sample of training receipts, the next ``count`` in the dev split's order."""
    return frozenset(r.id for r in _ranked(receipts)[DEV_SIZE:DEV_SIZE + count])


def _ranked(receipts: list[Receipt]) -> list[Receipt]:
    return sorted(receipts, key=lambda r: hashlib.sha1(r.id.encode()).hexdigest())


def given_ocr_document(receipt: Receipt) -> Document:
    """The data set's OCR lines as words; each word's box is its share of the line box."""
    with Image.open(receipt.image) as image:
        width, height = image.size
    words: list[Word] = []
    lines = receipt.boxes.read_text(encoding="utf-8").splitlines()[1:]
    for line_index, row in enumerate(lines):
        cells = row.split("\t", 8)
        if len(cells) < 9 or not cells[8].strip():
            continue
        xs, ys = [float(v) for v in cells[0:8:2]], [float(v) for v in cells[1:8:2]]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        text = cells[8]
        per_char = (x1 - x0) / max(len(text), 1)
        offset = 0
        for index, token in enumerate(text.split()):
            start = text.index(token, offset)
            offset = start + len(token)
            box = (x0 + start * per_char, y0, x0 + offset * per_char, y1)
            words.append(Word.on_page(token, box, (width, height), confidence=1.0,
                                      block=0, line=line_index, index=index))
    page = Page(1, width, height, 0, "ocr", words)
    return Document(receipt.image, "", "image/jpeg", [page])


def ocr_cache(engine: OcrEngine) -> Path:
    """Where readings by ``engine`` are cached: build/cache/sroie-ocr-ENGINE. Delete it after
    changing the reader."""
    return CACHE_ROOT / f"sroie-ocr-{engine}"


def our_ocr_document(receipt: Receipt, engine: OcrEngine = "auto") -> Document:
    """The receipt read by our reader with ``engine``, from its cache (``ocr_cache``) when read before."""
    cache = ocr_cache(engine)
    cached = cache / f"{receipt.id}.json"
    if cached.exists():
        return Document.from_dict(json.loads(cached.read_text(encoding="utf-8")))
    document = load_document(receipt.image, LoadOptions(keep_images=False, workers=1, ocr_engine=engine))
    cache.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_suffix(".tmp")
    temporary.write_text(json.dumps(document.to_dict()), encoding="utf-8")
    temporary.replace(cached)
    return document


def ocr_all(receipts: list[Receipt], workers: int = 2) -> None:
    """Fill the default reader's OCR cache, one receipt per process and core."""
    todo = [r for r in receipts if not (ocr_cache("auto") / f"{r.id}.json").exists()]
    with ProcessPoolExecutor(workers) as pool:
        for done, _ in enumerate(pool.map(our_ocr_document, todo, chunksize=4), 1):
            if done % 50 == 0:
                print(f"OCR {done}/{len(todo)}", flush=True)


if __name__ == "__main__":
    ocr_all(load_receipts())
