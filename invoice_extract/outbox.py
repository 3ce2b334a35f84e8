"""The output folder of `watch` and `batch`: records written so that a crash loses none and
doubles none.

- ``NAME.json``: one record per document, written atomically (temporary file, fsync, rename);
  a name already taken gets `` (2)``, `` (3)``... and is never overwritten.
- ``invoices.jsonl``: every record, one line each, appended and fsynced. On opening, a line
  torn by a crash is dropped and a document's second line (a crash between the append and
  the ledger's update, then the same document again) is removed, so each document has
  exactly one line.
- ``invoices.csv``: the generic CSV of the same records, rewritten atomically by
  ``refresh_csv`` (after each file in a watched folder; every so often in a batch).
- ``ledger.sqlite3``: see ``ledger.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .exporters import ExportOptions, write_atomically, write_records
from .record import InvoiceRecord

JSONL_NAME = "invoices.jsonl"
CSV_NAME = "invoices.csv"


class Outbox:
    """Records into ``folder``; ``has(sha256)`` says which documents already have one."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.jsonl = folder / JSONL_NAME
        self.csv = folder / CSV_NAME
        self._records: dict[str, str] = {}  # sha256 -> its line in invoices.jsonl
        self._recover()

    def has(self, sha256: str) -> bool:
        return sha256 in self._records

    def __len__(self) -> int:
        return len(self._records)

    def filed(self, sha256: str) -> tuple[InvoiceRecord, Path] | None:
        """The document's record and its file, or None: to finish what a crash cut short."""
        line = self._records.get(sha256)
        if line is None:
            return None
        record = InvoiceRecord.model_validate_json(line)
        return record, self._name_for(Path(record.source).stem or "document", sha256)

    def write(self, record: InvoiceRecord) -> Path:
        """Write the record's own file and append it to invoices.jsonl; returns the file.
        A document written again (read again after a failure or a crash) keeps one line: the
        new record replaces the old one, in its file too when the name is the same."""
        if record.sha256 is None:
            raise ValueError(f"{record.source}: a record without a sha256 cannot be filed")
        data = json.dumps(record.to_json_dict(), ensure_ascii=False, indent=2) + "\n"
        target = self._name_for(Path(record.source).stem or "document", record.sha256)
        write_atomically(target, data.encode("utf-8"))
        if self._records.pop(record.sha256, None) is not None:
            write_atomically(self.jsonl, "".join(self._records.values()).encode("utf-8"))
        line = json.dumps(record.to_json_dict(), ensure_ascii=False) + "\n"
        with self.jsonl.open("a", encoding="utf-8") as stream:
            stream.write(line)
            stream.flush()
            os.fsync(stream.fileno())
        self._records[record.sha256] = line
        return target

    def refresh_csv(self) -> None:
        records = [InvoiceRecord.model_validate_json(line) for line in self._records.values()]
        write_records(records, self.csv, "csv", ExportOptions())

    def _name_for(self, stem: str, sha256: str) -> Path:
        """``stem.json``, or ``stem (2).json``... when another document has that name; the
        document's own file if a crash left it behind (so it never has two)."""
        candidate, number = self.folder / f"{stem}.json", 1
        while candidate.exists() and _sha256_in(candidate) != sha256:
            number += 1
            candidate = self.folder / f"{stem} ({number}).json"
        return candidate

    def _recover(self) -> None:
        if not self.jsonl.exists():
            return
        text = self.jsonl.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        repaired = False
        for line in lines:
            try:
                sha256 = json.loads(line)["sha256"]
            except (json.JSONDecodeError, KeyError):
                repaired = True  # torn by a crash mid-append: the document is extracted again
                continue
            if not line.endswith("\n") or sha256 in self._records:
                repaired = True
                continue
            self._records[sha256] = line
        if repaired:
            write_atomically(self.jsonl, "".join(self._records.values()).encode("utf-8"))


def _sha256_in(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError, AttributeError):
        return None
