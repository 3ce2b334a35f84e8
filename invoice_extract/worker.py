"""Read files in worker processes, each file within a budget of time and memory.

A hostile or absurd file (a PDF whose text layer takes minutes, an image that balloons in
memory) must neither hold up nor take down a batch or a watched inbox. Each worker is a
process of its own, spawned clean and put in a process group of its own so that the
Tesseract processes it starts go with it. The parent looks every ``_TICK`` seconds at how
long the file in hand has taken and how much memory the worker and its children hold, and
stops a worker past either budget: the file gets an error record (``too_slow`` or
``too_large``) and a fresh worker takes the next file.

A worker that dies on its own (the kernel's out-of-memory killer, a crash in a library) is
replaced and its file tried once more; a file that stops a worker twice is not tried again.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from typing import Any

from .documents import LoadOptions, ocr
from .errors import InvoiceExtractError, TooLargeError, TooSlowError
from .ner import Tagger
from .pipeline import read
from .record import InvoiceRecord

# A scanned page takes 2-4 s, a digital one well under a second: five minutes is a 100-page
# scan on a slow machine, or a file that will never finish.
DEFAULT_FILE_SECONDS = 300.0
# A worker holds 170-200 MB with the model loaded and 300-500 MB while it OCRs a page
# (benchmarks/README.md); 2 GB leaves room for the largest real scans.
DEFAULT_FILE_MEMORY_MB = 2048
_TICK = 0.1  # seconds between looks at the workers: how far past its budget a file may get
_MAX_DEATHS = 2  # a file that stopped this many workers is not tried again
_MAX_START_FAILURES = 3  # workers that died before their model was loaded: something is broken

__all__ = ["DEFAULT_FILE_MEMORY_MB", "DEFAULT_FILE_SECONDS", "FileBudget", "ReaderPool"]


@dataclass(frozen=True)
class FileBudget:
    """How long one file may take, and how much memory its worker (with Tesseract) may hold."""

    seconds: float = DEFAULT_FILE_SECONDS
    memory_mb: int = DEFAULT_FILE_MEMORY_MB

    def __post_init__(self) -> None:
        if self.seconds <= 0 or self.memory_mb <= 0:
            raise ValueError(f"a file budget must be positive, not {self.seconds} s and {self.memory_mb} MB")


class ReaderPool:
    """``workers`` worker processes reading files into record JSON, each file within ``budget``.

    ``submit`` queues a file; ``results`` blocks until at least one file is settled and returns
    the record JSON of each settled file (an error record for a file past its budget)."""

    def __init__(self, options: LoadOptions, workers: int, budget: FileBudget, threads: int = 1) -> None:
        self.capacity = 2 * workers  # queued and in hand: enough to keep every worker busy
        self._options = options
        self._threads = threads
        self._budget = budget
        self._queue: deque[str] = deque()
        self._deaths: dict[str, int] = {}
        self._start_failures = 0
        # Workers of a killed run (theirs are killed with them) left their page images behind.
        ocr.remove_stale_page_folders()
        self._workers = [_Worker(self._options, threads) for _ in range(workers)]

    def submit(self, path: str) -> None:
        self._queue.append(path)
        self._hand_out()

    def results(self) -> list[str]:
        while True:
            self._hand_out()
            settled: list[str] = []
            busy = [worker for worker in self._workers if worker.alive]
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=_TICK)
            for index, worker in enumerate(self._workers):
                if worker.conn in ready or worker.process.sentinel in ready:
                    settled += self._collect(index)
                elif worker.path is not None:
                    settled += self._police(index)
            if settled:
                self._hand_out()  # the next file, before the caller writes these records
                return settled

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()

    def _hand_out(self) -> None:
        for worker in self._workers:
            if worker.ready and worker.path is None and self._queue:
                worker.read(self._queue.popleft())

    def _collect(self, index: int) -> list[str]:
        worker = self._workers[index]
        message = worker.receive()
        if message is None:  # the worker died
            return self._died(index)
        kind, payload = message
        if kind == "ready":
            worker.ready = True
            return []
        if kind == "failed":
            raise InvoiceExtractError(f"a worker process could not load the model: {payload}")
        self._deaths.pop(worker.path or "", None)
        worker.path = None
        return [payload]

    def _police(self, index: int) -> list[str]:
        """Stop a worker whose file is past its budget; the file's error record."""
        worker = self._workers[index]
        path = worker.path
        assert path is not None
        error: InvoiceExtractError | None = None
        taken = time.monotonic() - worker.started
        if taken > self._budget.seconds:
            error = TooSlowError(
                f"reading it took more than the {self._budget.seconds:g} s one file may take, and was stopped; "
                "the file is damaged, hostile or very long (raise --file-timeout if it is a real document)",
                path=path)
        else:
            memory = _tree_rss_mb(worker.process.pid)
            if memory > self._budget.memory_mb:
                error = TooLargeError(
                    f"reading it needed more than the {self._budget.memory_mb} MB of memory one file may use "
                    f"({memory:.0f} MB), and was stopped; the file is hostile or far larger than an invoice "
                    "(raise --file-memory if it is a real document)", path=path)
        if error is None:
            return []
        self._replace(index)
        return [_error_record(path, error)]

    def _died(self, index: int) -> list[str]:
        """A worker that ended on its own: its file is tried once more, then given up."""
        worker = self._workers[index]
        path = worker.path
        if not worker.ready:
            self._start_failures += 1
            if self._start_failures >= _MAX_START_FAILURES:
                raise InvoiceExtractError(f"worker processes end as they start (exit code {worker.process.exitcode}); "
                                          "run 'invoice-extract extract' on one file to see why")
        self._replace(index)
        if path is None:
            return []
        deaths = self._deaths[path] = self._deaths.get(path, 0) + 1
        if deaths < _MAX_DEATHS:
            self._queue.appendleft(path)
            return []
        del self._deaths[path]
        return [_error_record(path, TooLargeError(
            f"reading it stopped the reading process {deaths} times (out of memory, or a crash in a library); "
            "it is not tried again", path=path))]

    def _replace(self, index: int) -> None:
        self._workers[index].stop()
        self._workers[index] = _Worker(self._options, self._threads)


class _Worker:
    """The parent's handle on one worker process."""

    def __init__(self, options: LoadOptions, threads: int) -> None:
        context = get_context("spawn")  # clean: no copy of the parent's threads, ledger or locks
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, options, threads, os.getpid()),
                                       name="invoice-extract-worker", daemon=True)
        self.process.start()
        child.close()
        self.ready = False  # the model is loaded
        self.path: str | None = None  # the file in hand
        self.started = 0.0

    @property
    def alive(self) -> bool:
        return self.process.exitcode is None

    def read(self, path: str) -> None:
        self.conn.send(path)
        self.path, self.started = path, time.monotonic()

    def receive(self) -> tuple[str, Any] | None:
        """The worker's next message, or None when it died."""
        try:
            if self.conn.poll():
                return self.conn.recv()
        except (EOFError, OSError):
            pass
        return None

    def stop(self) -> None:
        """Kill the worker and what it started (Tesseract), and reap it."""
        if self.process.exitcode is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):  # not yet its own group leader
                self.process.kill()
        self.process.join()
        self.conn.close()


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB (Linux; 0 elsewhere)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    stack += [int(child) for child in children.read().split()]
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile, or no /proc
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def _error_record(path: str, error: InvoiceExtractError) -> str:
    return InvoiceRecord.failed(path, error.code, str(error)).model_dump_json()


class Reader:
    """One worker's model and reading options, made once per process (loading them takes half
    a second and most of a worker's memory): each local worker holds one, and so does each
    Ray actor (``batch._RayPool``)."""

    def __init__(self, options: LoadOptions, threads: int) -> None:
        # Each worker OCRs its own file on its share of the cores; records need no page images.
        self._options = replace(options, workers=threads, keep_images=False)
        self._tagger = Tagger(threads=threads)

    def read(self, path: str) -> str:
        # JSON, not the pydantic object: small, and the same for both engines.
        return read(path, self._options, tagger=self._tagger).record.model_dump_json()


def _serve(conn: Connection, options: LoadOptions, threads: int, parent: int) -> None:
    """The worker: load the model, then read each path sent into record JSON."""
    # A group of its own: the parent stops it with Tesseract, and Ctrl-C in a terminal (which
    # signals the terminal's group) reaches only the parent, which lets the file in hand finish.
    os.setpgrp()
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    try:
        reader = Reader(options, threads)
    except Exception as error:  # noqa: BLE001 - the parent reports why no file can be read
        why = str(error) if isinstance(error, InvoiceExtractError) else f"{type(error).__name__}: {error}"
        conn.send(("failed", why))
        return
    try:
        conn.send(("ready", None))
        while True:
            path = conn.recv()
            conn.send(("record", reader.read(path)))
    except (EOFError, OSError):
        return  # the parent is gone (killed, or it stopped the pool): nobody waits for the record


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed (kill -9, out of memory) would wait for work forever,
    holding its memory: it ends itself and its Tesseract instead."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os.killpg(0, signal.SIGKILL)


def interrupted_too_often(interrupted: int, path: str) -> TooLargeError | None:
    """Why a file is not read a third time, when the ledger says its last two readings were
    interrupted (``ledger.Document.interrupted``): the whole process was killed while it was
    read, twice, most likely by the kernel's out-of-memory killer."""
    if interrupted + 1 < _MAX_DEATHS:
        return None
    return TooLargeError(f"the last {interrupted + 1} readings of it were interrupted (the process was killed, "
                         "perhaps out of memory); it is not tried again: drop it in again to retry", path=path)
