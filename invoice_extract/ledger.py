"""The ledger: what became of every document, so a watched inbox or a batch can stop and go on.

A SQLite database (WAL mode, so a reader never blocks the writer and a crash never leaves
it half-written) in the output folder. Documents are keyed by the SHA-256 of their bytes:
the same content is extracted once, whatever it is called and however often it arrives.

- ``documents``: one row per content, added when it is first read (``processing``), then
  ``done`` or ``failed``; the name it was last read under, its record's file (or the watcher's
  error note), its status, attempts (and how many in a row were interrupted), the error, times. Nothing waits in a queue here: a
  content has a row once a watch or batch starts reading it.
- ``arrivals``: one row per file that arrived (watch), or per file and outcome (batch: a file
  met again in a later run with the same outcome is not noted twice): the document it holds,
  what became of it (``done``, ``failed`` or ``duplicate``), and where the file went.

A write that the disk refuses (full, or failing) raises OSError, as any other writer's would,
naming the ledger's file: the caller leaves the file it was working on for later, and goes on.

One process writes: the watcher, or the batch's parent process (workers only read files).
The output folder's lock (``outbox.FolderLock``, taken by ``Outbox``) enforces that.
"""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .record import RecordError

State = Literal["processing", "done", "failed", "duplicate"]
LEDGER_NAME = "ledger.sqlite3"
# SQLite's primary result codes for a disk that refuses a write, and the errno each stands for.
_DISK_ERRORS = {sqlite3.SQLITE_FULL: errno.ENOSPC, sqlite3.SQLITE_IOERR: errno.EIO}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    sha256 TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('queued', 'processing', 'done', 'failed')),  -- queued: unused
    name TEXT NOT NULL,          -- the path it was last read from
    record TEXT,                 -- the path of the record's file (batch, watch) or of the error note (watch)
    status TEXT,                 -- the record's status: ok, needs_review, error
    attempts INTEGER NOT NULL DEFAULT 0,
    interrupted INTEGER NOT NULL DEFAULT 0,  -- starts in a row that never finished (see start)
    error TEXT,
    first_seen REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS arrivals (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES documents(sha256),
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'failed', 'duplicate')),
    moved_to TEXT,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS arrivals_by_sha ON arrivals(sha256);
"""


@dataclass(frozen=True)
class Document:
    """One content's row in the ledger."""

    sha256: str
    state: State
    name: str
    record: str | None
    status: str | None
    attempts: int
    interrupted: int  # attempts in a row that never finished: the process was killed reading it
    error: str | None  # "code: message", as finish() keeps it

    @property
    def record_error(self) -> RecordError | None:
        if self.error is None:
            return None
        code, _, message = self.error.partition(": ")
        return RecordError(code=code, message=message)


class Ledger:
    """The ledger in ``folder``; created on first use."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / LEDGER_NAME
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            with self._disk():
                self._db.execute("PRAGMA journal_mode=WAL")
                # FULL: a transaction that returned is on disk, even if the machine loses power.
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(_SCHEMA)
                columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
                if "interrupted" not in columns:  # a ledger from before the column
                    self._db.execute("ALTER TABLE documents ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0")
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _disk(self) -> Iterator[None]:
        """SQLite's "database or disk is full" (or "disk I/O error") as the OSError it is."""
        try:
            yield
        except sqlite3.OperationalError as error:
            code = _DISK_ERRORS.get(error.sqlite_errorcode & 0xFF)
            if code is None:
                raise
            raise OSError(code, f"the ledger cannot be written ({error})", str(self.path)) from error

    def _write(self, sql: str, parameters: tuple[object, ...]) -> None:
        with self._disk():
            self._db.execute(sql, parameters)

    def get(self, sha256: str) -> Document | None:
        row = self._db.execute(
            "SELECT sha256, state, name, record, status, attempts, interrupted, error FROM documents WHERE sha256 = ?",
            (sha256,),
        ).fetchone()
        return Document(*row) if row else None

    def start(self, sha256: str, name: str) -> None:
        """A content is being extracted (again): one attempt more. Started while it was still
        ``processing``, the attempt before was interrupted (a kill, a crash of the machine)."""
        now = time.time()
        self._write(
            "INSERT INTO documents (sha256, state, name, attempts, first_seen, updated) "
            "VALUES (?, 'processing', ?, 1, ?, ?) "
            "ON CONFLICT(sha256) DO UPDATE SET "
            "interrupted = CASE WHEN state = 'processing' THEN interrupted + 1 ELSE 0 END, "
            "state = 'processing', name = excluded.name, "
            "attempts = attempts + 1, error = NULL, updated = excluded.updated",
            (sha256, name, now, now),
        )

    def finish(self, sha256: str, *, record: str, status: str, error: RecordError | None = None) -> None:
        """The record is written: done, or failed when the file could not be read."""
        state = "failed" if status == "error" else "done"
        text = f"{error.code}: {error.message}" if error is not None else None
        self._write(
            "UPDATE documents SET state = ?, record = ?, status = ?, error = ?, updated = ? WHERE sha256 = ?",
            (state, record, status, text, time.time(), sha256),
        )

    def arrived(self, path: str, sha256: str, outcome: State, moved_to: str | None = None) -> None:
        """Where one arriving file went (the watcher), or that it was seen (a batch)."""
        self._write(
            "INSERT INTO arrivals (path, sha256, outcome, moved_to, at) VALUES (?, ?, ?, ?, ?)",
            (path, sha256, outcome, moved_to, time.time()),
        )

    def seen(self, path: str, sha256: str, outcome: State) -> None:
        """That a batch met this file with this outcome; not noted again when the file's latest
        row says the same (a run after a kill, or with --retry-failed, meets it again)."""
        self._write(
            "INSERT INTO arrivals (path, sha256, outcome, at) SELECT ?, ?, ?, ? WHERE NOT EXISTS ("
            "SELECT 1 FROM arrivals WHERE id = (SELECT MAX(id) FROM arrivals WHERE path = ? AND sha256 = ?) "
            "AND outcome = ?)",
            (path, sha256, outcome, time.time(), path, sha256, outcome),
        )

    def arrivals(self, sha256: str) -> list[tuple[str, str, str | None]]:
        """(path, outcome, moved_to) of every file that held this content, oldest first."""
        return self._db.execute(
            "SELECT path, outcome, moved_to FROM arrivals WHERE sha256 = ? ORDER BY id", (sha256,)
        ).fetchall()

    def counts(self) -> dict[str, int]:
        """Documents per state, and duplicate arrivals."""
        found = dict(self._db.execute("SELECT state, COUNT(*) FROM documents GROUP BY state").fetchall())
        found["duplicate"] = self._db.execute(
            "SELECT COUNT(*) FROM arrivals WHERE outcome = 'duplicate'").fetchone()[0]
        return found
