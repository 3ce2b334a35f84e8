"""`invoice-extract batch`, with real worker processes on real files: outputs, resuming, a
kill mid-run, and the Ray engine against the local one."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from invoice_extract.batch import EngineUnavailableError, find_inputs, run_batch
from invoice_extract.cli import app
from invoice_extract.documents import LoadOptions
from invoice_extract.ledger import LEDGER_NAME, Ledger
from invoice_extract.outbox import Outbox
from invoice_extract.pipeline import read
from invoice_extract.training.synthetic import random_spec, render_invoice_pdf

runner = CliRunner()
CLI = Path(sys.executable).parent / "invoice-extract"


@pytest.fixture(scope="module")
def invoices(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """40 different one-page digital invoices (about 0.1 s each to read)."""
    folder = tmp_path_factory.mktemp("invoices")
    paths = [folder / f"invoice-{seed:02d}.pdf" for seed in range(40)]
    for seed, path in enumerate(paths):
        render_invoice_pdf(random_spec(seed), path)
    return paths


def folder_of(tmp_path: Path, files: dict[str, Path]) -> Path:
    """A folder holding copies of ``files`` under the given relative names."""
    src = tmp_path / "src"
    for name, original in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(original, src / name)
    return src


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def jsonl(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "invoices.jsonl").read_text(encoding="utf-8").splitlines()]


def ledger_rows(out: Path, query: str) -> list[tuple]:
    with sqlite3.connect(out / LEDGER_NAME) as db:
        return db.execute(query).fetchall()


def live_processes_in_group(group: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # not a process, or it has just ended
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def mixed_folder(tmp_path: Path, invoices: list[Path], bad_files: dict[str, Path]) -> Path:
    """Two invoices, a copy of one under another name, a corrupt PDF, one in a subfolder, a text file."""
    src = folder_of(tmp_path, {"a.pdf": invoices[0], "b.pdf": invoices[1], "copy of a.pdf": invoices[0],
                               "corrupt.pdf": bad_files["truncated"], "sub/c.pdf": invoices[2],
                               "notes.txt": bad_files["empty"]})
    return src


def test_a_folder_with_duplicates_a_bad_file_and_a_subfolder(mixed_folder: Path, tmp_path: Path):
    before = hashes(mixed_folder)
    # What the model makes of each invoice is not this test's business: the counts follow it.
    statuses = [read(mixed_folder / name).record.status for name in ("a.pdf", "b.pdf", "sub/c.pdf")]
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(mixed_folder), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 6, result.output  # the corrupt file's code, as for extract
    assert "5 files in " in result.stderr
    assert (f": {statuses.count('ok')} ok, {statuses.count('needs_review')} need review, 1 failed, 1 duplicate, "
            "0 done before; 3 pages") in result.stderr
    assert "error (corrupt_file)" in result.stderr

    records = {Path(r["source"]).name: r for r in jsonl(out)}
    assert sorted(records) == ["a.pdf", "b.pdf", "c.pdf", "corrupt.pdf"]  # one line per content
    assert records["corrupt.pdf"]["errors"][0]["code"] == "corrupt_file"
    assert records["c.pdf"]["source"] == str((mixed_folder / "sub" / "c.pdf").resolve())
    assert sorted(p.name for p in out.glob("*.json")) == ["a.json", "b.json", "c.json", "corrupt.json"]
    assert json.loads((out / "b.json").read_text()) == records["b.pdf"]
    assert len((out / "invoices.csv").read_text(encoding="utf-8").splitlines()) == 5
    states = dict(ledger_rows(out, "SELECT name, state FROM documents"))
    assert sorted(Path(name).name for name, state in states.items() if state == "done") == ["a.pdf", "b.pdf", "c.pdf"]
    assert [Path(p).name for p, in ledger_rows(out, "SELECT path FROM arrivals WHERE outcome = 'duplicate'")] \
        == ["copy of a.pdf"]
    assert hashes(mixed_folder) == before  # inputs are only read

    only_sub = tmp_path / "only-sub"
    result = runner.invoke(app, ["batch", str(mixed_folder), "--out", str(only_sub), "--glob", "sub/*.pdf"])
    assert result.exit_code == 0, result.output
    assert [Path(r["source"]).name for r in jsonl(only_sub)] == ["c.pdf"]


def test_running_again_reads_nothing_and_retry_failed_reads_the_failures(mixed_folder: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["batch", str(mixed_folder), "--out", str(out), "--workers", "2"]).exit_code == 6
    lines = (out / "invoices.jsonl").read_bytes()
    attempts = ledger_rows(out, "SELECT sha256, attempts FROM documents ORDER BY sha256")
    arrivals = ledger_rows(out, "SELECT COUNT(*) FROM arrivals")

    again = runner.invoke(app, ["batch", str(mixed_folder), "--out", str(out), "--workers", "2"])
    assert again.exit_code == 6, again.output  # the failure is still there, and says so
    assert (": 0 ok, 0 need review, 0 failed, 0 duplicates, 5 done before (1 of them failed; "
            "--retry-failed reads them again); 0 pages") in again.stderr
    assert (out / "invoices.jsonl").read_bytes() == lines
    assert ledger_rows(out, "SELECT sha256, attempts FROM documents ORDER BY sha256") == attempts
    assert ledger_rows(out, "SELECT COUNT(*) FROM arrivals") == arrivals

    retry = runner.invoke(app, ["batch", str(mixed_folder), "--out", str(out), "--retry-failed"])
    assert retry.exit_code == 6, retry.output
    assert ": 0 ok, 0 need review, 1 failed, 0 duplicates, 4 done before; 0 pages" in retry.stderr
    assert ledger_rows(out, "SELECT attempts FROM documents WHERE state = 'failed'") == [(2,)]
    assert len(jsonl(out)) == 4  # the new error record replaced the old line
    assert runner.invoke(app, ["batch", str(mixed_folder), "--out", str(out), "--retry-failed"]).exit_code == 6
    assert ledger_rows(out, "SELECT COUNT(*) FROM arrivals") == arrivals  # each file noted once, however often


def test_src_spelled_another_way_finds_the_same_files(mixed_folder: Path, tmp_path: Path, bad_files):
    out = tmp_path / "out"
    assert runner.invoke(app, ["batch", str(mixed_folder), "--out", str(out), "--workers", "2"]).exit_code == 6
    arrivals = ledger_rows(out, "SELECT COUNT(*) FROM arrivals")
    (tmp_path / "link").symlink_to(mixed_folder)
    for spelling in (mixed_folder / ".." / mixed_folder.name, tmp_path / "link"):
        again = runner.invoke(app, ["batch", str(spelling), "--out", str(out)])
        assert again.exit_code == 6, again.output  # not five duplicates of themselves, and the failure stays
        assert "0 duplicates, 5 done before (1 of them failed" in again.stderr
    assert ledger_rows(out, "SELECT COUNT(*) FROM arrivals") == arrivals

    # A copy of the failed document elsewhere: a duplicate, and it carries the failure's exit code.
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(bad_files["truncated"], other / "copy of corrupt.pdf")
    copy = runner.invoke(app, ["batch", str(other), "--out", str(out)])
    assert copy.exit_code == 6, copy.output
    assert "0 failed, 1 duplicate, 0 done before" in copy.stderr


def test_a_second_writer_on_the_output_folder_is_refused(tmp_path: Path, invoices: list[Path]):
    src = folder_of(tmp_path, {"a.pdf": invoices[0]})
    out = tmp_path / "out"
    with Outbox(out):  # a watch, or another batch, writing there
        result = runner.invoke(app, ["batch", str(src), "--out", str(out)])
        assert result.exit_code == 12, result.output
        assert "error (folder_in_use)" in result.stderr and "another invoice-extract" in result.stderr
        assert not (out / "invoices.jsonl").exists()
    assert runner.invoke(app, ["batch", str(src), "--out", str(out)]).exit_code == 0  # free again


def test_a_crash_after_writing_a_record_before_the_ledger_knew(tmp_path: Path, invoices: list[Path]):
    src = folder_of(tmp_path, {"a.pdf": invoices[3], "b.pdf": invoices[4]})
    out = tmp_path / "out"
    first = src.resolve() / "a.pdf"
    record = read(first, LoadOptions(keep_images=False)).record
    with Ledger(out) as ledger:
        ledger.start(record.sha256, str(first))
    with Outbox(out) as outbox:
        outbox.write(record)  # then the crash: the ledger still says processing

    outcomes = list(run_batch(find_inputs(src), out, workers=1))
    # a.pdf is finished from its record, not read again.
    assert sorted((o.path.name, o.kind) for o in outcomes) == [("a.pdf", "earlier"), ("b.pdf", "read")]
    assert sorted(Path(r["source"]).name for r in jsonl(out)) == ["a.pdf", "b.pdf"]
    assert sorted(p.name for p in out.glob("*.json")) == ["a.json", "b.json"]
    assert ledger_rows(out, f"SELECT state, attempts, record FROM documents WHERE sha256 = '{record.sha256}'") \
        == [("done", 1, str(out / "a.json"))]
    assert ledger_rows(out, f"SELECT outcome FROM arrivals WHERE sha256 = '{record.sha256}'") == [("done",)]


def test_killed_mid_run_then_run_again_loses_and_doubles_nothing(tmp_path: Path, invoices: list[Path]):
    files = {path.name: path for path in invoices}
    files |= {"again-00.pdf": invoices[0], "sub/again-07.pdf": invoices[7]}  # two duplicates
    src = folder_of(tmp_path, files)
    before = hashes(src)
    out = tmp_path / "out"
    command = [str(CLI), "batch", str(src), "--out", str(out), "--workers", "2"]
    with open(tmp_path / "first.log", "wb") as log:
        # A process group of its own: its workers are found by it (and never outlive the test).
        first = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
    try:
        jsonl_file = out / "invoices.jsonl"
        wait_for(lambda: jsonl_file.exists() and jsonl_file.read_bytes().count(b"\n") >= 4, 90,
                 "the first records")
        first.kill()  # SIGKILL to the parent alone, as `kill -9 PID` or the OOM killer does
        first.wait()
        assert jsonl_file.read_bytes().count(b"\n") < 40, "the kill came after the run had finished"
        wait_for(lambda: not live_processes_in_group(first.pid), 20, "the orphaned workers to exit")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)

    second = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "42 files in " in second.stderr
    done_before = int(re.search(r"(\d+) done before", second.stderr)[1])
    assert 1 <= done_before < 42  # it went on where it stopped

    records = jsonl(out)
    contents = {sha for sha in before.values()}
    assert len(records) == len(contents) == 40
    assert {r["sha256"] for r in records} == contents  # every content once: none lost, none doubled
    assert len(list(out.glob("*.json"))) == 40
    assert ledger_rows(out, "SELECT state, COUNT(*) FROM documents GROUP BY state") == [("done", 40)]
    assert ledger_rows(out, "SELECT COUNT(*) FROM arrivals WHERE outcome = 'duplicate'") == [(2,)]
    assert hashes(src) == before


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


def test_ray_and_local_engines_write_the_same_records(tmp_path: Path, invoices: list[Path], local_ray: None):
    src = folder_of(tmp_path, {p.name: p for p in invoices[10:16]} | {"copy.pdf": invoices[10]})
    outs = {engine: tmp_path / engine for engine in ("local", "ray")}
    for engine, out in outs.items():
        outcomes = list(run_batch(find_inputs(src), out, workers=2, engine=engine))
        assert sorted(o.kind for o in outcomes) == ["duplicate"] + ["read"] * 6
    local, ray = jsonl(outs["local"]), jsonl(outs["ray"])
    assert len(local) == 6
    assert sorted(local, key=lambda r: r["sha256"]) == sorted(ray, key=lambda r: r["sha256"])
    assert sorted(p.name for p in outs["local"].glob("*.json")) == sorted(p.name for p in outs["ray"].glob("*.json"))


def test_without_ray_the_ray_engine_says_what_to_install(tmp_path: Path, invoices: list[Path], monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    src = folder_of(tmp_path, {"a.pdf": invoices[0]})
    with pytest.raises(EngineUnavailableError, match=r"pip install 'invoice-extract\[ray\]'"):
        list(run_batch(find_inputs(src), tmp_path / "out", engine="ray"))
    result = runner.invoke(app, ["batch", str(src), "--out", str(tmp_path / "out"), "--engine", "ray"])
    assert result.exit_code == 2 and "--engine" in result.output


def test_the_local_engine_never_imports_ray():
    code = "import sys, invoice_extract.cli, invoice_extract.batch; print('ray' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
