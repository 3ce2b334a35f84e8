"""One training or dev example: a document's words, 0-1000 boxes and BIO tags; JSON lines on disk."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..document import Document, NormBox
from ..ner import bio_tags


@dataclass
class Example:
    id: str
    source: str  # synthetic-pdf, synthetic-scan, sroie-given, sroie-ocr
    words: list[str]
    boxes: list[NormBox]
    tags: list[str]

    @classmethod
    def from_document(cls, example_id: str, source: str, document: Document,
                      fields: list[str | None]) -> Example:
        words = document.words
        return cls(example_id, source, [w.text for w in words], [w.norm_box for w in words], bio_tags(fields))


def write_jsonl(path: Path, examples: Iterable[Example]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(asdict(example), ensure_ascii=False) + "\n")
            count += 1
    return count


def read_jsonl(path: Path) -> list[Example]:
    with path.open(encoding="utf-8") as handle:
        return [Example(**{**data, "boxes": [tuple(b) for b in data["boxes"]]})
                for data in map(json.loads, handle)]
