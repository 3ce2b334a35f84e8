"""The output folder of `watch` and `batch`: records written so that a crash loses none and
doubles none.

- ``.invoice-extract.lock``: one writer at a time. ``Outbox`` holds the folder's lock from
  creation to ``close``; a second watch or batch on the same folder gets FolderInUseError
  (each keeps invoices.jsonl in memory and rewrites it, so two would lose records).
- ``NAME.json``: one record per document, written atomically (temporary file, fsync, rename);
  a name already taken by another document gets `` (2)``, `` (3)``... and is never overwritten.
- ``invoices.jsonl``: every record, one line each, appended and fsynced. A document written
  again (read again after a failure, or after a crash that lost the ledger's update) has its
  old line removed (the file rewritten atomically) before the new one is appended. On opening,
  a torn or unreadable line (a crash mid-append) is dropped and, should a document have two
  lines, only the first is kept, so each document has exactly one line.
- ``invoices.csv``: the generic CSV of the same records, rewritten atomically from all of them
  by ``refresh_csv``, or by ``refresh_csv_if_due`` when a record was written since and the
  last rewrite is old enough (watch: at most every 10 s while a backlog is worked through, and
  when the inbox is empty; batch: every 60 s, and at the end).
- ``ledger.sqlite3``: see ``ledger.py``; ``finish_from_outbox`` finishes a document the
  ledger still has ``processing`` when a crash came after its record was written.

Each ``write`` syncs the folder too, so a record the ledger calls done survives a power cut.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .errors import FolderInUseError
from .exporters import ExportOptions, fsync_folder, remove_temporaries, write_atomically, write_records
from .record import InvoiceRecord, RecordError

if TYPE_CHECKING:
    from .ledger import Ledger

JSONL_NAME = "invoices.jsonl"
CSV_NAME = "invoices.csv"
LOCK_NAME = ".invoice-extract.lock"


class FolderLock:
    """An exclusive lock on ``folder`` until ``release`` (flock: the kernel releases it when
    the process ends, however it ends, kill -9 included). FolderInUseError if another holds it."""

    def __init__(self, folder: Path) -> None:
        self._handle: TextIO | None = open(folder / LOCK_NAME, "a+", encoding="ascii")  # noqa: SIM115
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._handle.seek(0)
            holder = self._handle.read().strip() or "?"
            self.release()
            raise FolderInUseError(f"another invoice-extract watch or batch (process {holder}) is using it; "
                                   "wait for it to finish, or use another folder", path=str(folder)) from None
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(f"{os.getpid()}\n")
        self._handle.flush()

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file drops the lock
            self._handle = None

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class Outbox:
    """Records into ``folder``, whose lock it holds until ``close`` (or the end of a ``with``
    block); ``has(sha256)`` says whether a document has a line in invoices.jsonl."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.jsonl = folder / JSONL_NAME
        self.csv = folder / CSV_NAME
        self._lock = FolderLock(folder)
        self._records: dict[str, str] = {}  # sha256 -> its line in invoices.jsonl
        self._csv_stale = False  # a record was written since invoices.csv was
        self._csv_at = time.monotonic()
        try:
            _remove_temporaries(folder)
            self._recover()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._lock.release()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

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
        if record.sha256 in self._records:  # forgotten only once its line is gone from the file
            others = (line for sha256, line in self._records.items() if sha256 != record.sha256)
            write_atomically(self.jsonl, "".join(others).encode("utf-8"))
            del self._records[record.sha256]
        line = json.dumps(record.to_json_dict(), ensure_ascii=False) + "\n"
        self._append(line)
        self._records[record.sha256] = line
        self._csv_stale = True
        fsync_folder(self.folder)  # the new names (NAME.json, a new invoices.jsonl) are durable
        return target

    def _append(self, line: str) -> None:
        """Append a line to invoices.jsonl, on disk when this returns. When that fails (a full
        disk), the file is cut back to its old end: a torn line would run into the next one
        appended, and both would be dropped as unreadable on the next start. Never through a
        symbolic link (O_NOFOLLOW): a record goes nowhere but the output folder."""
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        descriptor = os.open(self.jsonl, flags, 0o666)
        try:
            end = os.lseek(descriptor, 0, os.SEEK_END)
            try:
                data = memoryview(line.encode("utf-8"))
                while data:
                    data = data[os.write(descriptor, data):]
                os.fsync(descriptor)
            except OSError as error:
                os.ftruncate(descriptor, end)
                raise OSError(error.errno, error.strerror, str(self.jsonl)) from error
        finally:
            os.close(descriptor)

    def refresh_csv(self) -> None:
        """Rewrite invoices.csv from every record now."""
        records = [InvoiceRecord.model_validate_json(line) for line in self._records.values()]
        write_records(records, self.csv, "csv", ExportOptions())
        self._csv_stale = False
        self._csv_at = time.monotonic()

    def refresh_csv_if_due(self, seconds: float = 0.0) -> None:
        """Rewrite invoices.csv if a record was written since, and its last rewrite is more than
        ``seconds`` old (it is rewritten from every record, so not after each one in a backlog)."""
        if self._csv_stale and time.monotonic() - self._csv_at >= seconds:
            self.refresh_csv()

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
                sha256 = json.loads(line).get("sha256")
            except (ValueError, AttributeError):  # not JSON, or not an object ([1], "x")
                sha256 = None
            if not isinstance(sha256, str):
                repaired = True  # torn by a crash mid-append: the document is extracted again
                continue
            if not line.endswith("\n") or sha256 in self._records:
                repaired = True
                continue
            self._records[sha256] = line
        if repaired:
            write_atomically(self.jsonl, "".join(self._records.values()).encode("utf-8"))
            fsync_folder(self.folder)


def finish_from_outbox(ledger: Ledger, outbox: Outbox, sha256: str) -> bool:
    """Whether the outbox has the document's record: then a crash came after the record was
    written, before the ledger knew, and the ledger is finished from it now (not read again)."""
    filed = outbox.filed(sha256)
    if filed is not None:
        finish_in_ledger(ledger, sha256, *filed)
    return filed is not None


def finish_in_ledger(ledger: Ledger, sha256: str, record: InvoiceRecord, record_file: Path) -> RecordError | None:
    """The ledger's ``finish`` for a record written to ``record_file``; returns its first error."""
    error = record.errors[0] if record.errors else None
    ledger.finish(sha256, record=str(record_file), status=record.status, error=error)
    return error


def _remove_temporaries(folder: Path) -> None:
    """The half-written files (records, invoices.jsonl or .csv) of a run killed mid-write; the
    lock, taken first, says that no one is writing here now."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        remove_temporaries(descriptor)
    finally:
        os.close(descriptor)


def _sha256_in(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError, AttributeError):
        return None
