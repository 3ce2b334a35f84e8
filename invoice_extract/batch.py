"""`invoice-extract batch`: read a folder of invoices with several processes, and go on
where a stopped run left off.

The parent process walks the folder, hashes each file and asks the ledger (``ledger.py``)
what to do with it; it alone writes the ledger and the output folder (``outbox.py``).
Workers only read files and send back each record as JSON. A content is read once:

- new, or left ``processing`` by a run that stopped before its record was written: read it;
- ``done`` (or ``failed``, unless ``retry_failed``) under this file's name: done earlier;
- ``done`` or ``failed`` under another name, or seen earlier in this run: a duplicate.

A stopped run loses nothing written: a record is on disk (``Outbox.write``) before the
ledger says done, a document left ``processing`` whose record was written is finished from
it, and a document read again (``retry_failed``) replaces its line in invoices.jsonl.

The output folder's lock (``outbox.FolderLock``) keeps a second batch, or a watch, out of it
while this one runs: each keeps invoices.jsonl in memory, so two would lose records.

Inputs are only read, never moved or changed. Two engines run the workers: ``local`` (a
process pool on this machine) and ``ray`` (an actor pool on a Ray cluster; SRC must be on a
filesystem every node sees, under the same path). The output folder is written by this
process alone, so it need not be shared, and it should be on a local disk: SQLite's WAL
mode, which the ledger uses, does not work on a network filesystem. Both engines hand each
record to the same code here, so both write the same outputs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol

from .documents import LoadOptions, file_sha256, sniff
from .errors import (
    EngineUnavailableError,
    ExportError,
    InputFileError,
    InvoiceExtractError,
)
from .ledger import Document, Ledger
from .outbox import Outbox, finish_from_outbox, finish_in_ledger
from .pipeline import collect_inputs
from .record import InvoiceRecord, RecordError, Status
from .worker import FileBudget, Reader, ReaderPool, interrupted_too_often

Engine = Literal["local", "ray"]
Kind = Literal["read", "duplicate", "earlier"]
# invoices.csv is rewritten from every record so far, so not after each file.
CSV_EVERY_S = 60.0


__all__ = ["EngineUnavailableError", "Outcome", "Summary", "check_output_folder", "find_inputs", "run_batch"]


@dataclass(frozen=True)
class Outcome:
    """What became of one file.

    kind: ``read`` in this run; ``duplicate``: its content is another file's; ``earlier``:
    a previous run dealt with this very file. status: its document's record status (for a
    duplicate, that of the document it copies when it is known). error: why its document
    could not be read, so that a copy of a failed document sets the exit code too.
    """

    path: Path
    kind: Kind
    status: Status | None = None
    pages: int = 0
    error: RecordError | None = None


@dataclass
class Summary:
    """Counts of a batch run, outcome by outcome."""

    ok: int = 0
    needs_review: int = 0
    failed: int = 0
    duplicates: int = 0
    earlier: int = 0
    failed_earlier: int = 0
    pages: int = 0
    first_error: RecordError | None = None  # the first failure reported, this run or an earlier one

    def add(self, outcome: Outcome) -> None:
        if outcome.error is not None and self.first_error is None:
            self.first_error = outcome.error
        if outcome.kind == "duplicate":
            self.duplicates += 1
        elif outcome.kind == "earlier":
            self.earlier += 1
            self.failed_earlier += outcome.status == "error"
        else:
            self.pages += outcome.pages
            self.ok += outcome.status == "ok"
            self.needs_review += outcome.status == "needs_review"
            self.failed += outcome.status == "error"


def find_inputs(src: Path, glob: str | None = None) -> list[Path]:
    """SRC's invoice files (as ``collect_inputs`` walks a folder), as resolved paths (no
    ``..``, no symlinks) so the ledger knows a file however SRC was spelled, and Ray workers
    find it from any directory; each file once, even when two paths lead to it; with
    ``glob``, only those matching it (relative to SRC, ``**`` for any depth)."""
    if not src.is_dir():
        raise InputFileError("is not a folder (batch reads a folder; extract reads files)", path=str(src))
    src = src.resolve()
    found = collect_inputs([src])
    if glob is not None:
        pattern = PurePosixPath(glob).parts
        found = [path for path in found if _glob_matches(path.relative_to(src).parts, pattern)]
    return list(dict.fromkeys(path.resolve() for path in found))


def _glob_matches(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whether a relative path matches a glob pattern, part by part, as Path.glob matches it
    (``**``: any number of folders, none included; a last ``**`` takes every file below, where
    Path.glob took only folders, so no file). Not Path.glob itself: it walks the tree again,
    recursively, and a tree 1500 folders deep ends it with a RecursionError."""
    reached = _past_any_folders({0}, pattern)  # how many pattern parts the path's prefix matched
    for part in parts:
        reached = _past_any_folders({i + (pattern[i] != "**") for i in reached if i < len(pattern)
                                     and (pattern[i] == "**" or fnmatchcase(part, pattern[i]))}, pattern)
    return len(pattern) in reached


def _past_any_folders(reached: set[int], pattern: tuple[str, ...]) -> set[int]:
    """``reached`` and the positions after each ``**`` it holds, which may match no folder."""
    for i, part in enumerate(pattern):
        if part == "**" and i in reached:
            reached = reached | {i + 1}
    return reached


def run_batch(inputs: Iterable[Path], out: Path, options: LoadOptions | None = None, *, workers: int = 0,
              engine: Engine = "local", ray_address: str | None = None,
              retry_failed: bool = False, budget: FileBudget | None = None) -> Iterator[Outcome]:
    """Read ``inputs`` into the output folder ``out``, yielding one Outcome per file as it is
    settled (not in input order). ``workers``: files read at once (0: one per core, or per
    CPU of the Ray cluster). The workers start only when a file needs reading. ``budget``:
    the time and memory one file may take on the local engine (``worker.FileBudget``)."""
    check_output_folder(out)
    job = _Job(out, retry_failed)
    pool: _Pool | None = None
    try:
        for path in inputs:
            planned = job.plan(path)
            if isinstance(planned, Outcome):
                yield planned
                continue
            if pool is None:
                pool = _start_pool(engine, options or LoadOptions(), workers, ray_address, budget or FileBudget())
            # A bounded number of files in flight keeps memory flat however many there are.
            while job.in_flight >= pool.capacity:
                yield from job.collect(pool)
            job.submit(pool, path, planned)
        while pool is not None and job.in_flight:
            yield from job.collect(pool)
    finally:
        if pool is not None:
            pool.close()
        job.close()


def check_output_folder(out: Path) -> None:
    """Make the output folder if missing, or ExportError (exit code 2) when it cannot be made
    or written to: a path through a file, a read-only disk, a folder without write permission
    or made immutable. Checked before anything is read, so the clerk hears at once."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ExportError("is a file, not a folder; choose a folder for --out", path=str(out),
                          option="--out") from None
    except OSError as error:
        # NotADirectoryError: a folder on the way is a file; PermissionError, a read-only disk...
        raise ExportError(f"the output folder cannot be made ({error.strerror}); choose another --out",
                          path=str(out), option="--out") from None
    # access() asks the kernel, so a read-only mount or an immutable folder answers no even to root.
    if not os.access(out, os.W_OK | os.X_OK):
        raise ExportError("the output folder cannot be written to (read-only, or no permission); choose "
                          "another --out", path=str(out), option="--out")


class _Pool(Protocol):
    capacity: int  # files in flight at most: enough to keep every worker busy

    def submit(self, path: str) -> None: ...

    def results(self) -> list[str]:
        """Record JSON of at least one finished file; blocks until there is one."""

    def close(self) -> None: ...


class _Job:
    """The parent's side: the ledger, the output folder and the files being read."""

    def __init__(self, out: Path, retry_failed: bool) -> None:
        self._outbox = Outbox(out)  # first: it takes the folder's lock
        try:
            self._ledger = Ledger(out)
        except BaseException:
            self._outbox.close()
            raise
        self._retry_failed = retry_failed
        self._seen: set[str] = set()  # contents met in this run
        self._reading: dict[str, tuple[Path, str]] = {}  # source sent to a worker -> (path, sha256)

    @property
    def in_flight(self) -> int:
        return len(self._reading)

    def plan(self, path: Path) -> Outcome | str:
        """The file's outcome when it needs no reading, else the sha256 of its content."""
        try:
            sniff.sniff_media_type(path)  # first: a 10 GB file of no type we read is not hashed
            sha256 = file_sha256(path)
        except InvoiceExtractError as error:
            # Unreadable, or nothing we read: no content to key it by, so reported, not filed;
            # the next run tries again.
            return Outcome(path, "read", "error", error=RecordError(code=error.code, message=str(error)))
        document = self._ledger.get(sha256)
        if (document is not None and document.state == "processing"
                and finish_from_outbox(self._ledger, self._outbox, sha256)):
            document = self._ledger.get(sha256)  # a run stopped between the record and the ledger
        if document is not None and document.state == "processing" \
                and (error := interrupted_too_often(document.interrupted, str(path))) is not None:
            self._seen.add(sha256)
            return self._file(path, sha256, InvoiceRecord.failed(str(path), error.code, str(error), sha256=sha256))
        if document is not None and (document.state == "done"
                                     or (document.state == "failed" and not self._retry_failed)):
            self._seen.add(sha256)
            return self._earlier(path, document) or self._duplicate(path, sha256)
        if sha256 in self._seen:
            return self._duplicate(path, sha256)
        self._seen.add(sha256)
        return sha256

    def _duplicate(self, path: Path, sha256: str) -> Outcome:
        """A copy of another file's content; it carries that document's status and error when
        they are known already (otherwise the original's own outcome reports them)."""
        self._ledger.seen(str(path), sha256, "duplicate")
        document = self._ledger.get(sha256)
        if document is None or document.state not in ("done", "failed"):
            return Outcome(path, "duplicate")
        return Outcome(path, "duplicate", document.status, error=document.record_error)

    def _earlier(self, path: Path, document: Document) -> Outcome | None:
        """What an earlier run made of this very file, if it met it."""
        outcomes = [outcome for seen, outcome, _ in self._ledger.arrivals(document.sha256) if seen == str(path)]
        if outcomes and outcomes[-1] == "duplicate":
            return Outcome(path, "earlier")
        if not outcomes and document.name != str(path):
            return None
        if not outcomes:  # a run stopped before it noted the file: noted now
            self._ledger.seen(str(path), document.sha256, "failed" if document.state == "failed" else "done")
        return Outcome(path, "earlier", document.status, error=document.record_error)

    def submit(self, pool: _Pool, path: Path, sha256: str) -> None:
        self._ledger.start(sha256, str(path))
        pool.submit(str(path))
        self._reading[str(path)] = (path, sha256)

    def collect(self, pool: _Pool) -> Iterator[Outcome]:
        for data in pool.results():
            record = InvoiceRecord.model_validate_json(data)
            path, sha256 = self._reading.pop(record.source)
            yield self._file(path, sha256, record)
        self._outbox.refresh_csv_if_due(CSV_EVERY_S)

    def _file(self, path: Path, sha256: str, record: InvoiceRecord) -> Outcome:
        """Write the record, then tell the ledger (a crash in between: see finish_from_outbox)."""
        if record.sha256 != sha256:
            # The worker hashes the file again; if it vanished or changed since, the ledger's
            # key wins so that ledger and outbox agree (a changed file is new content next run).
            record = record.model_copy(update={"sha256": sha256})
        error = finish_in_ledger(self._ledger, sha256, record, self._outbox.write(record))
        self._ledger.seen(str(path), sha256, "failed" if error else "done")
        return Outcome(path, "read", record.status, record.pages, error)

    def close(self) -> None:
        try:
            self._outbox.refresh_csv()
        finally:
            self._ledger.close()
            self._outbox.close()


def _start_pool(engine: Engine, options: LoadOptions, workers: int, ray_address: str | None,
                budget: FileBudget) -> _Pool:
    if engine == "ray":
        return _RayPool(options, workers, ray_address)
    workers = workers or _cores()
    return ReaderPool(options, workers, budget, threads=max(1, _cores() // workers))


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class _RayPool:
    """An actor pool on a Ray cluster, each actor holding one model."""

    def __init__(self, options: LoadOptions, workers: int, address: str | None) -> None:
        try:
            import ray
            from ray.util import ActorPool
        except ImportError:
            raise EngineUnavailableError("Ray is not installed: pip install 'invoice-extract[ray]'",
                                         option="--engine") from None
        self._ray = ray
        # A caller (a test, a notebook) may have started Ray already; it stops it too.
        self._started_ray = not ray.is_initialized()
        if self._started_ray:
            try:
                ray.init(address=address, include_dashboard=False, logging_level="WARNING")
            except ConnectionError as error:
                raise EngineUnavailableError(f"no Ray cluster at {address} ({error}); start one with "
                                             "'ray start --head'", option="--ray-address") from None
        # Each actor takes a CPU; more actors than CPUs would wait for one forever.
        cpus = int(ray.cluster_resources().get("CPU", 1))
        workers = min(workers or cpus, cpus)
        self.capacity = 2 * workers
        actor = ray.remote(num_cpus=1)(Reader)
        self._actors = [actor.remote(options, 1) for _ in range(workers)]
        self._pool = ActorPool(self._actors)

    def submit(self, path: str) -> None:
        self._pool.submit(_remote_read, path)

    def results(self) -> list[str]:
        try:
            return [self._pool.get_next_unordered()]
        except self._ray.exceptions.RayActorError as error:
            raise InvoiceExtractError(f"a Ray worker died ({error}); run the same command again to go on") from None

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)  # their CPUs go back to the cluster now, not when collected
        if self._started_ray:
            self._ray.shutdown()


def _remote_read(actor: Any, path: str) -> Any:
    return actor.read.remote(path)
