"""The per-file budget of `batch` and `watch` (worker.py), with real worker processes, real
OCR and real kills: a file past its time or memory is stopped and fails with its code, the
rest go on, and a file that stops its reader twice is not read a third time."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from invoice_extract.ledger import LEDGER_NAME

CLI = Path(sys.executable).with_name("invoice-extract")


@pytest.fixture(scope="module")
def slow_scan(tmp_path_factory: pytest.TempPathFactory, scan_image: Image.Image) -> Path:
    """The scanned invoice at twice its size: 6-11 s of OCR here and 450-500 MB of memory for
    the worker with Tesseract, against 1-2 s and about 170 MB for the digital invoice."""
    path = tmp_path_factory.mktemp("budget") / "big scan.png"
    scan_image.resize((scan_image.width * 2, scan_image.height * 2)).save(path)
    return path


def folder_with(folder: Path, *files: Path) -> Path:
    folder.mkdir()
    for file in files:
        (folder / file.name).write_bytes(file.read_bytes())
    return folder


def batch(src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), "batch", str(src), "--out", str(out), "--workers", "1", *extra],
                          capture_output=True, text=True, timeout=180)


def records(out: Path) -> dict[str, dict]:
    lines = (out / "invoices.jsonl").read_text(encoding="utf-8").splitlines()
    return {Path(record["source"]).name: record for record in map(json.loads, lines)}


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.02)


def children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as listed:
            found += [int(child) for child in listed.read().split()]
    return found


def reading_worker(pid: int) -> int | None:
    """The worker process of the watch or batch process ``pid``, once it runs Tesseract."""
    try:
        return next((child for child in children(pid) if children(child)), None)
    except FileNotFoundError:
        return None


def test_a_file_past_the_time_budget_is_stopped_and_the_batch_goes_on(tmp_path, digital, slow_scan):
    src = folder_with(tmp_path / "src", digital.path, slow_scan)
    ended = subprocess.Popen(["true"])
    ended.wait()
    left_behind = Path(tempfile.gettempdir()) / f"invoice-extract-{ended.pid}-killed"  # by a killed run's OCR
    left_behind.mkdir()
    (left_behind / "page.pgm").write_bytes(b"P5 1 1 255 \x00")
    done = batch(src, tmp_path / "out", "--file-timeout", "3")
    assert done.returncode == 13, done.stderr  # too_slow's exit code
    assert not left_behind.exists()  # the workers' start cleared it
    found = records(tmp_path / "out")
    assert found[digital.path.name]["status"] != "error"
    (error,) = found[slow_scan.name]["errors"]
    assert error["code"] == "too_slow" and "3 s" in error["message"], error


def test_a_file_past_the_memory_budget_is_stopped_and_the_watcher_goes_on(tmp_path, digital, slow_scan):
    inbox = folder_with(tmp_path / "inbox", digital.path, slow_scan)
    done = subprocess.run([str(CLI), "watch", str(inbox), "--out", str(tmp_path / "out"), "--once", "--settle", "0",
                           "--log-json", "--file-memory", "350"], capture_output=True, text=True, timeout=180)
    assert done.returncode == 14, done.stderr  # too_large's exit code
    lines = {line["file"]: line for line in map(json.loads, done.stderr.splitlines()) if "file" in line}
    assert lines[digital.path.name]["status"] != "error"
    assert lines[slow_scan.name]["error"]["code"] == "too_large"
    assert "350 MB" in lines[slow_scan.name]["error"]["message"]
    assert sorted(os.listdir(inbox / "failed")) == [slow_scan.name, slow_scan.name + ".error.json"]


def test_a_file_that_stops_its_worker_twice_is_not_read_a_third_time(tmp_path, digital, slow_scan):
    inbox = folder_with(tmp_path / "inbox", slow_scan)
    log = tmp_path / "log"
    with log.open("w") as stream:
        watcher = subprocess.Popen([str(CLI), "watch", str(inbox), "--out", str(tmp_path / "out"), "--settle", "0",
                                    "--log-json"], stderr=stream)
        try:
            for _ in range(2):  # as the kernel's out-of-memory killer would
                wait_for(lambda: reading_worker(watcher.pid), "a worker reading the scan")
                os.killpg(reading_worker(watcher.pid), signal.SIGKILL)
                time.sleep(0.3)
            wait_for(lambda: (inbox / "failed" / slow_scan.name).exists(), "the scan to fail")
            (inbox / digital.path.name).write_bytes(digital.path.read_bytes())
            wait_for(lambda: any((inbox / "processed").rglob(digital.path.name)), "the next file to be read")
        finally:
            watcher.send_signal(signal.SIGTERM)
            watcher.wait(timeout=60)
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    (failure,) = [line for line in lines if line.get("file") == slow_scan.name]
    assert failure["error"]["code"] == "too_large" and "2 times" in failure["error"]["message"]


def test_a_file_whose_reading_was_interrupted_twice_is_failed_without_a_third_try(tmp_path, slow_scan):
    src, out = folder_with(tmp_path / "src", slow_scan), tmp_path / "out"
    for _ in range(2):  # the whole batch killed while it reads the scan, as a machine-wide out of memory would
        run = subprocess.Popen([str(CLI), "batch", str(src), "--out", str(out), "--workers", "1"],
                               stderr=subprocess.DEVNULL)
        wait_for(lambda: reading_worker(run.pid), "the batch to read the scan")
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)

    done = batch(src, out)
    assert done.returncode == 14, done.stderr
    (error,) = records(out)[slow_scan.name]["errors"]
    assert error["code"] == "too_large" and "interrupted" in error["message"]
    with sqlite3.connect(out / LEDGER_NAME) as ledger:
        # two attempts, both cut short: failed without a third
        assert ledger.execute("SELECT state, attempts FROM documents").fetchall() == [("failed", 2)]


MEMORY_SHORT = """
import resource, sys
from invoice_extract.ner import Tagger
from invoice_extract.pipeline import read
tagger = Tagger(threads=1)
with open("/proc/self/statm") as statm:
    size = int(statm.read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (size + 250 * 2**20,) * 2)  # room for the file, not its enlarged copy
print(read(sys.argv[1], tagger=tagger).record.model_dump_json())
"""


def test_running_out_of_memory_is_too_large_not_a_bug(tmp_path):
    """A grid of thin lines 9000 px square: 81 MB as it is, 50 MP once enlarged for OCR."""
    grid = np.full((9000, 9000), 255, np.uint8)
    grid[::40, :] = grid[:, ::40] = 0
    Image.fromarray(grid).save(tmp_path / "grid.png")
    done = subprocess.run([sys.executable, "-c", MEMORY_SHORT, str(tmp_path / "grid.png")],
                          capture_output=True, text=True, timeout=120)
    record = json.loads(done.stdout)
    assert record["status"] == "error" and record["errors"][0]["code"] == "too_large", record
