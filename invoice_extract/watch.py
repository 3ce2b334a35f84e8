"""`invoice-extract watch`: a folder that turns the invoices dropped into it into records.

Files directly in the inbox are inputs; its subfolders (``processed/``, ``failed/``, and any
other) are left alone, as are dotfiles, symlinks, error notes (``*.error.json``) and the
temporary names of downloads and copies (``*.part``, ``*.crdownload``, ``*.tmp``, ``~$*``).
A file is taken once its size and times have not changed for ``settle`` seconds.
Watchdog's events only wake the loop early; a rescan at least every ``settle`` seconds
finds anything they missed, and the first scan finds what arrived while the watcher was down.

What becomes of a file (one content is extracted once, see ``ledger.py``):

- its content has a record already: it is a duplicate, archived without a second extraction;
- otherwise it is extracted; a record goes to the output folder (``outbox.py``) and the file
  to ``ARCHIVE/YYYY-MM/``; a file that cannot be read goes to ``FAILED/`` with
  ``NAME.error.json`` beside it (no record). Dropped again, a failed file is tried again.

Crash safety: after ``kill -9`` at any moment, the next start finishes the job. Each step
below is durable before the next begins, and each state it can stop in is recognised:

1. ``ledger.start`` (processing), extract; killed here: extracted again on restart.
2. ``outbox.write``; killed after it: the ledger says processing but the outbox has the
   record, so the ledger is finished from it, not extracted again.
3. ``ledger.finish``; killed after it: the content is done, read from this very path, which
   has no arrival yet: it is archived, not taken for a duplicate.
4. the move, as a hard link then an unlink; killed between them: the input's twin is found
   in the archive and the input is unlinked (``move_to_free_name``).
5. ``ledger.arrived``; killed just before it, the only loss is that arrival's row.

A file that cannot be read fails in these steps: its name in ``FAILED/`` is chosen and
``NAME.error.json`` written; ``ledger.finish`` (failed, naming the note); the move;
``ledger.arrived``. Killed before the ledger knew, the note is rewritten by the next
attempt (the ledger says processing); after it, the next start sees the note and moves the
file under its name, without reading it again.

A file that cannot be moved or whose record cannot be written (permissions, a full disk: the
ledger's, the output folder's or the archive's) is logged as an error and left in the inbox,
to be tried again when it changes or after a wait that doubles each time (``retry`` seconds
first, at most RETRY_MAX); the watcher goes on with the others.

Nothing is written through a symbolic link: every folder a file is moved or a note written to
is reached one name at a time from the root, refusing a link (``_open_folder``), each time, so
``processed/`` or ``failed/`` swapped for a link to elsewhere while the watcher runs leaves the
file in the inbox with an error line. A link there at the start is a WatchError. Temporary
files a killed run left in ``FAILED/``, the archive's month folders and the output folder
(only names of ours, ``exporters.temporary_name``) are removed at the next start.

Nothing is overwritten: a clash gets ``NAME (2).pdf``. Moves need the archive on the
inbox's file system to be atomic; elsewhere the file is copied, made durable, and only then
unlinked (a kill in between leaves the copy and the input: archived twice, never lost).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from .documents import LoadOptions, file_sha256, sniff
from .errors import ExportError, InputFileError, InvoiceExtractError, WatchError
from .exporters import remove_temporaries, write_atomically
from .ledger import Document, Ledger
from .moves import candidates, lstat_in, move_to, open_folder, same_stat
from .outbox import FolderLock, Outbox, finish_from_outbox
from .record import RECORD_FIELDS, InvoiceRecord, RecordError
from .worker import FileBudget, ReaderPool, interrupted_too_often

DEFAULT_SETTLE = 2.0
ERROR_SUFFIX = ".error.json"
TEMPORARY_SUFFIXES = (".part", ".crdownload", ".tmp")
CSV_EVERY = 10.0  # seconds invoices.csv may lag behind while a backlog is worked through
BURST = 0.05  # after an event, wait this long so a burst of writes costs one rescan
STOP_CHECK = 0.25  # the longest the loop sleeps without looking at the stop flag
RETRY_AFTER = 30.0  # seconds before a file left in the inbox (a full disk, say) is tried again...
RETRY_MAX = 900.0  # ...doubled at each failure up to this: a disk full for hours costs little
NOTE_LIMIT = 1 << 20  # bytes read of an error note: ours are a few hundred
# What a log line must not carry raw: C0 and C1 controls and DEL (a newline forges a line, ESC
# drives the terminal), line and paragraph separators, and the bidi controls that reorder
# what a terminal shows (a name could display as another).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# Watchdog logs a harmless race when an event comes in as its observer stops; without a
# handler of its own, Python would print that on stderr, in the middle of a JSON log.
logging.getLogger("watchdog").addHandler(logging.NullHandler())

FileKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode: any write changes one


__all__ = ["WatchConfig", "WatchError", "WatchLog", "Watcher", "is_input_name", "move_to_free_name"]


def is_input_name(name: str) -> bool:
    """Whether a file with this name in the inbox is an input (hidden and temporary ones are
    not, nor error notes: one dropped in the inbox could take the place of a real one)."""
    lower = name.lower()
    return not (name.startswith((".", "~$")) or lower.endswith(TEMPORARY_SUFFIXES) or lower.endswith(ERROR_SUFFIX))


@dataclass(frozen=True)
class WatchConfig:
    """Resolved, checked folders and settings; build it with ``WatchConfig.create``."""

    inbox: Path
    out: Path
    archive: Path  # processed files go to archive/YYYY-MM/
    failed: Path
    settle: float = DEFAULT_SETTLE
    load: LoadOptions = field(default_factory=lambda: LoadOptions(keep_images=False))
    budget: FileBudget = field(default_factory=FileBudget)
    retry: float = RETRY_AFTER  # the first wait before a file left in the inbox is tried again

    @classmethod
    def create(cls, inbox: Path, out: Path, *, archive: Path | None = None, failed: Path | None = None,
               settle: float = DEFAULT_SETTLE, load: LoadOptions | None = None,
               budget: FileBudget | None = None, retry: float = RETRY_AFTER) -> WatchConfig:
        inbox = inbox.resolve()
        if not inbox.is_dir():
            raise WatchError(f"{inbox}: no such folder; create it, or name the folder to watch")
        if settle < 0:
            raise WatchError(f"the settle time must be 0 seconds or more, not {settle}")
        if retry <= 0:
            raise WatchError(f"the wait before a file is tried again must be more than 0 seconds, not {retry}")
        config = cls(inbox, out.resolve(), _no_link(archive or inbox / "processed", "archive"),
                     _no_link(failed or inbox / "failed", "failed"), settle,
                     load or LoadOptions(keep_images=False), budget or FileBudget(), retry)
        for what, folder in (("output", config.out), ("archive", config.archive), ("failed", config.failed)):
            if folder == inbox:
                raise WatchError(f"{folder}: the {what} folder cannot be the inbox itself, or its files "
                                 "would be read as invoices; use a subfolder or another folder")
        return config


def _no_link(folder: Path, what: str) -> Path:
    """The folder, resolved; a symbolic link is refused: files go into a folder of the watcher's
    own, never to wherever a link (which anyone who may write to the inbox can make) points."""
    if folder.is_symlink():
        raise WatchError(f"{folder}: the {what} folder is a symbolic link (to {os.readlink(folder)}); the "
                         "watcher moves files only into a real folder: remove the link, or name the folder "
                         f"it points to with --{what}")
    return folder.resolve()


@dataclass(frozen=True)
class Outcome:
    """What became of one file: the log line."""

    file: str
    status: str  # ok, needs_review, error or duplicate
    seconds: float
    moved_to: str
    fields: int | None = None
    duplicate_of: str | None = None
    error: RecordError | None = None

    @property
    def level(self) -> str:
        return {"needs_review": "warning", "error": "error"}.get(self.status, "info")


class WatchLog:
    """One line per file (and per start and stop) on a text stream: for people, or JSON."""

    def __init__(self, stream: TextIO, *, as_json: bool = False) -> None:
        self._stream = stream
        self._as_json = as_json

    def file(self, outcome: Outcome) -> None:
        if self._as_json:
            data: dict[str, Any] = {"level": outcome.level, "file": outcome.file, "status": outcome.status,
                                    "seconds": round(outcome.seconds, 3), "fields": outcome.fields,
                                    "moved_to": outcome.moved_to}
            if outcome.duplicate_of is not None:
                data["duplicate_of"] = outcome.duplicate_of
            if outcome.error is not None:
                data["error"] = outcome.error.model_dump()
            self._json(data)
            return
        if outcome.error is not None:
            detail = f" ({outcome.error.code}: {outcome.error.message})"
        elif outcome.duplicate_of is not None:
            detail = f" of {outcome.duplicate_of}"
        else:
            detail = f", {outcome.fields} of {len(RECORD_FIELDS)} fields"
        self._line(outcome.level, f"{outcome.file}: {outcome.status}{detail}, {outcome.seconds:.2f} s "
                                  f"-> {outcome.moved_to}")

    def note(self, level: str, message: str, **extra: Any) -> None:
        """A line that is not a file's outcome; ``extra`` goes into the JSON only."""
        if self._as_json:
            self._json({"level": level, "message": message, **extra})
        else:
            self._line(level, message)

    def _json(self, data: dict[str, Any]) -> None:
        stamp = datetime.now().astimezone().isoformat(timespec="milliseconds")
        # json.dumps escapes C0 controls only; the rest as \uXXXX too, which JSON reads back the same.
        line = json.dumps({"time": stamp, **data}, ensure_ascii=False)
        self._write(_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", line))

    def _line(self, level: str, message: str) -> None:
        # A file name is the sender's: escaped, it can neither start a line of its own nor drive the terminal.
        escaped = _UNSAFE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), message)
        self._write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {level:<7} {escaped}")

    def _write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()  # a log read by tail -f or a supervisor must not wait for a buffer


@dataclass
class Summary:
    """Files per outcome, and the first failure's error code (for ``--once``'s exit code). A
    file left in the inbox and tried again is one file: its latest outcome is the one counted."""

    # Files that left the inbox, by status, and the first failure among them (in the order of
    # outcomes); files skipped and still in the inbox, by name: (order, error code). Counts,
    # not a list of files: a watcher runs for months.
    _settled: Counter[str] = field(default_factory=Counter)
    _first_settled: tuple[int, str] | None = None
    _pending: dict[str, tuple[int, str]] = field(default_factory=dict)
    _order: Iterator[int] = field(default_factory=itertools.count)

    @property
    def counts(self) -> Counter[str]:
        return self._settled + Counter({"error": len(self._pending)})

    @property
    def first_error(self) -> str | None:
        failures = [*self._pending.values(), *([self._first_settled] if self._first_settled else [])]
        return min(failures)[1] if failures else None

    def add(self, outcome: Outcome) -> None:
        self._pending.pop(outcome.file, None)
        self._settled[outcome.status] += 1
        order = next(self._order)
        if outcome.error is not None and self._first_settled is None:
            self._first_settled = (order, outcome.error.code)

    def add_skipped(self, name: str, code: str) -> None:
        """A file left in the inbox because it could not be read or moved (again, if it was)."""
        order = self._pending[name][0] if name in self._pending else next(self._order)
        self._pending[name] = (order, code)

    def __str__(self) -> str:
        counts = self.counts
        total = sum(counts.values())
        return (f"{total} file{'s' if total != 1 else ''}: {counts['ok']} ok, "
                f"{counts['needs_review']} need review, {counts['error']} failed, "
                f"{counts['duplicate']} duplicate{'s' if counts['duplicate'] != 1 else ''}")


@dataclass
class _Seen:
    key: FileKey
    since: float  # monotonic time this key was first seen


@dataclass
class _Skipped:
    key: FileKey  # as it was when it could not be done: a change means it is tried again at once
    until: float  # monotonic time it is tried again, unchanged
    wait: float  # the last wait: the next failure waits twice as long


class _Wake(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._watcher.wake()


class Watcher:
    """Watches one inbox into one output folder. Holds both folders' locks, the ledger and a
    worker process with the model (``worker.ReaderPool``: each file within the config's
    budget) from creation to ``close`` (or the end of a ``with`` block)."""

    def __init__(self, config: WatchConfig, log: WatchLog) -> None:
        self.config = config
        self._log = log
        self._seen: dict[str, _Seen] = {}
        self._skipped: dict[str, _Skipped] = {}  # files that could not be read or moved, waiting to be tried again
        self._csv_failing = False  # invoices.csv could not be rewritten last time: said once, not at every try
        self._stop_reason: str | None = None
        self._wake = threading.Event()
        self.summary = Summary()
        self._stack = ExitStack()
        try:
            try:
                config.out.mkdir(parents=True, exist_ok=True)
                # Two watchers on one inbox would take the same files; the output folder's lock
                # (Outbox's) keeps out a second watch or batch. Locks go with the process, even on kill -9.
                self._stack.enter_context(FolderLock(config.inbox))
                self._outbox = self._stack.enter_context(Outbox(config.out))
                self._remove_temporaries()
            except OSError as error:
                raise WatchError(f"{error.filename}: {error.strerror}; the watcher moves files out of "
                                 "the inbox and writes to the output folder") from None
            self._ledger = self._stack.enter_context(Ledger(config.out))
            # Started now, so the first file waits for no model; one file at a time, on every core.
            self._reader = ReaderPool(config.load, 1, config.budget, threads=config.load.ocr_workers)
            self._stack.callback(self._reader.close)
        except BaseException:
            self._stack.close()
            raise

    def _remove_temporaries(self) -> None:
        """Make the failed folder and the archive, and remove the partial copies and notes a
        killed run left in them (in the archive's month folders)."""
        with open_folder(self.config.archive, create=True) as archive, os.scandir(archive) as entries:
            months = [self.config.archive / entry.name for entry in entries if entry.is_dir(follow_symlinks=False)]
        for folder in (self.config.failed, *months):
            with open_folder(folder, create=True) as descriptor:
                for name in remove_temporaries(descriptor):
                    self._log.note("info", f"removed {self._shown(folder / name)}: half a copy or note, left by "
                                           "a run killed while writing it (the file it was for is unharmed)")

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()

    @property
    def stopping(self) -> bool:
        return self._stop_reason is not None

    def stop(self, reason: str = "asked to stop") -> None:
        """Finish the current file, then return from ``run``. Safe in a signal handler: it
        only sets a flag, which the loop looks at at least every STOP_CHECK seconds."""
        self._stop_reason = reason

    def wake(self) -> None:
        """Something changed in the inbox: rescan now (called from watchdog's thread)."""
        self._wake.set()

    def run(self, *, once: bool = False) -> Summary:
        """Process files until ``stop``; with ``once``, only the files there at the start,
        each once it has settled."""
        config = self.config
        self._log.note("info", f"{'reading' if once else 'watching'} {config.inbox} -> {config.out} "
                               f"(settle {config.settle:g} s)")
        if len(self._outbox):
            self._write_csv(self._outbox.refresh_csv)  # a crash may have come between a record and its CSV row
        observer = None if once else self._observe()
        try:
            self._loop(once)
        finally:
            if observer is not None:
                observer.stop()
                observer.join()
            self._write_csv(self._outbox.refresh_csv_if_due)
        ending = f"stopped ({self._stop_reason})" if self.stopping else "done"
        self._log.note("info", f"{ending}: {self.summary}")
        return self.summary

    def _loop(self, once: bool) -> None:
        self._scan()
        wanted = set(self._seen) if once else None
        while not self.stopping and (wanted is None or wanted):
            ready = self._settled(wanted)
            for name in ready:
                if self.stopping:
                    return
                self._take(name)
                self._write_csv(lambda: self._outbox.refresh_csv_if_due(CSV_EVERY))
            self._write_csv(self._outbox.refresh_csv_if_due)
            if not ready:
                self._sleep(self._next_check(wanted))
            self._scan()
            if wanted is not None:
                wanted &= self._seen.keys()  # taken, or gone: either way it left the inbox

    def _write_csv(self, write: Callable[[], None]) -> None:
        """Rewrite invoices.csv (``write``: now, or if due); when the disk refuses, the CSV stays
        stale, is rewritten at a later try, and the watcher goes on: the records are safe."""
        try:
            write()
        except (OSError, ExportError) as error:
            if not self._csv_failing:
                self._log.note("warning", f"{self._outbox.csv} not rewritten ({error}); the records are "
                                          "in invoices.jsonl, and the CSV is rewritten when the disk allows")
            self._csv_failing = True
        else:
            self._csv_failing = False

    def _scan(self) -> None:
        """Note each input's size and times; a changed file starts settling again."""
        now = time.monotonic()
        found: dict[str, _Seen] = {}
        present: set[str] = set()
        with os.scandir(self.config.inbox) as entries:
            for entry in entries:
                if not is_input_name(entry.name) or not entry.is_file(follow_symlinks=False):
                    continue
                try:
                    key = _key(entry.stat(follow_symlinks=False))
                except FileNotFoundError:
                    continue
                present.add(entry.name)
                skipped = self._skipped.get(entry.name)
                if skipped is not None and skipped.key == key and now < skipped.until:
                    continue  # tried again when it changes (fixed, or dropped again) or its wait is over
                seen = self._seen.get(entry.name)
                found[entry.name] = seen if seen is not None and seen.key == key else _Seen(key, now)
        self._seen = found
        self._skipped = {name: skipped for name, skipped in self._skipped.items() if name in present}

    def _settled(self, wanted: set[str] | None) -> list[str]:
        """Files unchanged for the settle time, in the order they were noticed."""
        now = time.monotonic()
        names = [name for name, seen in self._seen.items()
                 if now - seen.since >= self.config.settle and (wanted is None or name in wanted)]
        return sorted(names, key=lambda name: (self._seen[name].since, name))

    def _next_check(self, wanted: set[str] | None) -> float:
        """Until the next file may have settled; at most the settle time, the rescan that
        catches whatever the events missed."""
        now = time.monotonic()
        waits = [seen.since + self.config.settle - now for name, seen in self._seen.items()
                 if wanted is None or name in wanted]
        return max(BURST, min(waits, default=self.config.settle))

    def _sleep(self, seconds: float) -> None:
        """Until an event, a stop, or the time is up. Sliced, because the signal handler only
        sets a flag: taking an Event's lock in a handler can deadlock the thread it interrupts."""
        deadline = time.monotonic() + seconds
        while not self.stopping and (left := deadline - time.monotonic()) > 0:
            if self._wake.wait(min(left, STOP_CHECK)):
                time.sleep(BURST)  # let a burst of writes settle into one rescan
                break
        self._wake.clear()

    def _observe(self) -> BaseObserver | None:
        observer = Observer()
        observer.schedule(_Wake(self), str(self.config.inbox), recursive=False)
        try:
            observer.start()
        except OSError as error:  # out of inotify watches, say: rescans still find every file
            self._log.note("warning", f"cannot follow changes in {self.config.inbox} ({error}); "
                                      f"looking every {self.config.settle:g} s instead")
            return None
        return observer

    def _take(self, name: str) -> None:
        path = self.config.inbox / name
        started = time.monotonic()
        key = self._seen[name].key
        try:
            try:
                sniff.sniff_media_type(path)  # first: a 10 GB file of no type we read is not hashed
                sha = file_sha256(path)
            except InvoiceExtractError as error:
                if not os.path.lexists(path):
                    return  # taken away before it could be read
                outcome = self._fail(path, None, RecordError(code=error.code, message=str(error)), started)
            else:
                outcome = self._handle(path, sha, key, started)
        except OSError as error:
            if os.path.lexists(path):
                self._skip(name, key, error)
            return
        if outcome is not None:
            self.summary.add(outcome)
            self._log.file(outcome)

    def _skip(self, name: str, key: FileKey, error: OSError) -> None:
        """A file that cannot be moved or recorded (permissions, a full disk...) stays in the
        inbox, and is left alone until it changes or its wait is over (twice as long as the last
        one, unless it changed); the watcher goes on with the others."""
        before = self._skipped.get(name)
        wait = min(2 * before.wait, RETRY_MAX) if before is not None and before.key == key else self.config.retry
        self._skipped[name] = _Skipped(key, time.monotonic() + wait, wait)
        self.summary.add_skipped(name, InputFileError.code)
        where = f" ({error.filename})" if error.filename else ""
        self._log.note("error", f"{name}: {error.strerror or error}{where}; left in the inbox and skipped "
                                f"until it changes, or for {wait:g} s, then tried again: fix the cause "
                                "(permissions, free space)", file=name, code=InputFileError.code)

    def _handle(self, path: Path, sha: str, key: FileKey, started: float) -> Outcome | None:
        """The per-file protocol of the module's docstring."""
        document = self._ledger.get(sha)
        if document is not None and document.state == "processing" \
                and finish_from_outbox(self._ledger, self._outbox, sha):
            document = self._ledger.get(sha)  # killed after the record was written: ledger finished
        filed = self._outbox.filed(sha)
        if document is not None and document.state == "done" and filed is not None:
            if not self._unchanged(path, key):
                return None
            if document.name == str(path) and not self._arrived(path, sha, "done"):
                return self._archive(path, sha, filed[0], started)  # killed before the move
            return self._duplicate(path, sha, document, started)
        if document is not None and document.state == "failed" and document.name == str(path) \
                and not self._arrived(path, sha, "failed"):
            target = self._leftover_target(document, path)
            if target is not None:  # killed after the ledger noted the failure, before the move
                if not self._unchanged(path, key):
                    return None
                note = _read_note(_note_path(target))
                return self._move_failed(path, sha, target, RecordError.model_validate(note["error"]), started)
        leftover = document is not None and document.state == "processing"
        if leftover and (given_up := interrupted_too_often(document.interrupted, str(path))) is not None:
            if not self._unchanged(path, key):
                return None
            return self._fail(path, sha, RecordError(code=given_up.code, message=str(given_up)), started,
                              leftover=True)
        return self._extract(path, sha, key, started, leftover)

    def _leftover_target(self, document: Document, path: Path) -> Path | None:
        """Where a failed document was to go, when the ledger names our error note for it and
        the failed file is not there yet (or is ``path``'s twin)."""
        if document.record is None or not document.record.endswith(ERROR_SUFFIX):
            return None
        note_file = Path(document.record)
        if note_file.parent != self.config.failed or not _is_own_note(note_file, document.sha256):
            return None
        target = note_file.with_name(note_file.name[:-len(ERROR_SUFFIX)])
        return None if os.path.lexists(target) and not _same_file(target, path) else target

    def _unchanged(self, path: Path, key: FileKey) -> bool:
        """Whether the file is as the scan saw it; if not, it waits to settle again."""
        try:
            return _key(path.stat()) == key
        except FileNotFoundError:
            return False

    def _extract(self, path: Path, sha: str, key: FileKey, started: float, leftover: bool) -> Outcome | None:
        self._ledger.start(sha, str(path))
        # The worker has a process group of its own: Ctrl-C in a terminal does not reach it
        # or its Tesseract, so the file in hand is finished as promised.
        self._reader.submit(str(path))
        (data,) = self._reader.results()
        record = InvoiceRecord.model_validate_json(data)
        try:
            changed = _key(path.stat()) != key
        except FileNotFoundError:
            return None  # taken away while it was read
        if changed:
            self._log.note("warning", f"{path.name}: changed while it was read; waiting for it to settle again")
            return None
        if record.status == "error":
            return self._fail(path, sha, record.errors[0], started, leftover=leftover)
        record_file = self._outbox.write(record)
        self._ledger.finish(sha, record=str(record_file), status=record.status)
        return self._archive(path, sha, record, started)

    def _archive(self, path: Path, sha: str, record: InvoiceRecord, started: float) -> Outcome:
        moved = move_to_free_name(path, self._month_folder())
        self._ledger.arrived(str(path), sha, "done", str(moved))
        fields = sum(getattr(record, name) is not None for name in RECORD_FIELDS)
        return Outcome(path.name, record.status, time.monotonic() - started, self._shown(moved), fields=fields)

    def _duplicate(self, path: Path, sha: str, original: Document, started: float) -> Outcome:
        moved = move_to_free_name(path, self._month_folder())
        self._ledger.arrived(str(path), sha, "duplicate", str(moved))
        return Outcome(path.name, "duplicate", time.monotonic() - started, self._shown(moved),
                       duplicate_of=self._shown(Path(original.name)))

    def _fail(self, path: Path, sha: str | None, error: RecordError, started: float, *,
              leftover: bool = False) -> Outcome:
        """To the failed folder, with the reason beside it; a file that cannot even be hashed
        has no content to note in the ledger. Steps: the name, the note, ``ledger.finish``
        (naming the note), the move, ``ledger.arrived``; a restart after a kill anywhere in
        between finishes them (``leftover``: the ledger said processing, so a note of this
        content under the chosen name is a leftover of a kill, and is rewritten)."""
        note = {"file": path.name, "sha256": sha, "failed_at": datetime.now().astimezone().isoformat(),
                "error": error.model_dump()}
        if sha is None:
            moved = move_to_free_name(path, self.config.failed, note=note)
            return Outcome(path.name, "error", time.monotonic() - started, self._shown(moved), error=error)
        target = free_name(path, self.config.failed, with_note=True, note_of=sha if leftover else None)
        _write_note(_note_path(target), note)
        return self._move_failed(path, sha, target, error, started)

    def _move_failed(self, path: Path, sha: str, target: Path, error: RecordError, started: float) -> Outcome:
        self._ledger.finish(sha, record=str(_note_path(target)), status="error", error=error)
        if not move_to(path, target):  # an outsider took the name meanwhile
            note = _read_note(_note_path(target))
            target = move_to_free_name(path, self.config.failed, note=note)
            self._ledger.finish(sha, record=str(_note_path(target)), status="error", error=error)
        self._ledger.arrived(str(path), sha, "failed", str(target))
        return Outcome(path.name, "error", time.monotonic() - started, self._shown(target), error=error)

    def _arrived(self, path: Path, sha: str, outcome: str) -> bool:
        """Whether this very path had an arrival of this content with this outcome already."""
        return any(arrival == str(path) and seen == outcome for arrival, seen, _ in self._ledger.arrivals(sha))

    def _month_folder(self) -> Path:
        return self.config.archive / time.strftime("%Y-%m")

    def _shown(self, path: Path) -> str:
        """A path as the log shows it: relative to the inbox when it is inside."""
        try:
            return str(path.relative_to(self.config.inbox))
        except ValueError:
            return str(path)


@contextmanager
def stopping_on_signals(watcher: Watcher) -> Iterator[None]:
    """SIGTERM and SIGINT (Ctrl-C) let the current file finish; a second one stops at once
    (KeyboardInterrupt), which is safe: the next start finishes what was cut short."""

    def handle(number: int, frame: FrameType | None) -> None:
        if watcher.stopping:
            raise KeyboardInterrupt
        watcher.stop(signal.Signals(number).name)

    previous = {number: signal.signal(number, handle) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def move_to_free_name(source: Path, folder: Path, *, note: dict[str, Any] | None = None) -> Path:
    """Move ``source`` into ``folder`` under its own name, or ``NAME (2).ext``... when that is
    taken; never overwrite. With ``note``, first write it as ``<new name>.error.json`` (under
    a name whose note is free too).

    If a kill came between the hard link and the unlink of an earlier move, the input's twin
    is among the names tried: the input is then unlinked and the twin's name returned."""
    while True:
        target = free_name(source, folder, with_note=note is not None)
        if note is not None:
            _write_note(_note_path(target), note)
        if move_to(source, target):
            return target


def free_name(source: Path, folder: Path, *, with_note: bool = False, note_of: str | None = None) -> Path:
    """The first of ``NAME``, ``NAME (2)``... in ``folder`` that is free, or is ``source``'s own
    twin (a kill between the link and the unlink); with ``with_note``, whose error note is
    free too, or (given ``note_of``) is a leftover note of that content, to be rewritten."""
    with open_folder(source.parent) as here, open_folder(folder, create=True) as there:
        for name in candidates(source.name):
            found = lstat_in(there, name)
            if found is not None:
                if same_stat(found, lstat_in(here, source.name)):
                    return folder / name
                continue
            note = _note_path(folder / name)
            if with_note and lstat_in(there, note.name) is not None \
                    and not (note_of is not None and _is_own_note(note, note_of)):
                continue  # another file's reason
            return folder / name
    raise AssertionError("unreachable: the names to try never run out")


def _write_note(path: Path, note: dict[str, Any]) -> None:
    with open_folder(path.parent, create=True) as folder:
        write_atomically(path, (json.dumps(note, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), folder=folder)
        os.fsync(folder)


def _read_note(path: Path) -> Any:
    """An error note's JSON (ValueError if it is none), read from its very folder, never through
    a link, and never more than NOTE_LIMIT bytes, nor waiting on a FIFO that took its name."""
    with open_folder(path.parent) as folder:
        descriptor = os.open(path.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
    with open(descriptor, "rb") as file:
        return json.loads(file.read(NOTE_LIMIT))


def _note_path(moved: Path) -> Path:
    return moved.with_name(moved.name + ERROR_SUFFIX)


def _is_own_note(path: Path, sha: str) -> bool:
    """Whether ``path`` is a note about content ``sha`` (not when there is none)."""
    try:
        return _read_note(path).get("sha256") == sha
    except (OSError, ValueError, AttributeError):
        return False


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def _key(stat: os.stat_result) -> FileKey:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino
