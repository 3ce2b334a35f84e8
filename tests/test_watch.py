"""`invoice-extract watch`: real watcher processes on real folders, and the crash windows.

Inputs are small digital invoices (``render_invoice_pdf``, a few hundredths of a second each
to read). Nothing waits a fixed time for the watcher: tests poll for what they expect, with
a timeout, and only the writers sleep (less than the settle time, by a wide margin).
"""

from __future__ import annotations

import errno
import io
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from invoice_extract.documents import file_sha256
from invoice_extract.errors import FolderInUseError
from invoice_extract.ledger import Ledger
from invoice_extract.outbox import Outbox
from invoice_extract.pipeline import read
from invoice_extract.record import RECORD_FIELDS, RecordError
from invoice_extract.training.synthetic import random_spec, render_invoice_pdf
from invoice_extract.watch import (
    WatchConfig,
    Watcher,
    WatchError,
    WatchLog,
    is_input_name,
    move_to_free_name,
)

CLI = Path(sys.executable).with_name("invoice-extract")


def month_of(line: dict) -> str:
    """The archive's month folder a file went to, from its log line (not the clock: a test
    run across midnight at a month's end must pass too)."""
    return Path(line["moved_to"]).parent.name


def fields_found(path: Path) -> int:
    record = read(path).record
    return sum(getattr(record, name) is not None for name in RECORD_FIELDS)


def pdf(path: Path, seed: int) -> Path:
    render_invoice_pdf(random_spec(seed), path)
    return path


def broken(path: Path, seed: int) -> Path:
    """A PDF cut in half: corrupt_file. Seeds give distinct contents."""
    whole = path.with_name(f".whole-{seed}")
    pdf(whole, seed)
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    whole.unlink()
    return path


def command(inbox: Path, out: Path, *extra: str, settle: float = 0.2) -> list[str]:
    return [str(CLI), "watch", str(inbox), "--out", str(out), "--settle", str(settle), "--log-json", *extra]


def once(inbox: Path, out: Path) -> tuple[int, list[dict]]:
    done = subprocess.run(command(inbox, out, "--once"), capture_output=True, text=True, timeout=120)
    return done.returncode, [json.loads(line) for line in done.stderr.splitlines()]


def wait_for(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


class Live:
    """A watcher process; its JSON log goes to a file (a pipe nobody reads could fill up)."""

    def __init__(self, inbox: Path, out: Path, log: Path, settle: float) -> None:
        self.log = log
        self._stream = log.open("a")
        self.process = subprocess.Popen(command(inbox, out, settle=settle), stderr=self._stream)
        # Started once the model is loaded and the first line is out.
        wait_for(lambda: self.lines() or self.process.poll() is not None, "the watcher to start")
        assert self.process.poll() is None, log.read_text()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines(keepends=True)
                if line.endswith("\n")]

    def files(self) -> list[dict]:
        return [line for line in self.lines() if "file" in line]

    def close(self) -> int:
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait(timeout=30)
        self._stream.close()
        return code


@contextmanager
def live(inbox: Path, out: Path, log: Path, settle: float = 0.2) -> Iterator[Live]:
    watcher = Live(inbox, out, log, settle)
    try:
        yield watcher
    finally:
        watcher.close()


def records(out: Path) -> list[dict]:
    jsonl = out / "invoices.jsonl"
    return [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()] if jsonl.exists() else []


def jsonl_lines(out: Path) -> int:
    jsonl = out / "invoices.jsonl"
    return jsonl.read_bytes().count(b"\n") if jsonl.exists() else 0


def record_files(out: Path) -> set[str]:
    return {path.name for path in out.glob("*.json")}


def processed(inbox: Path) -> list[str]:
    return sorted(path.name for path in (inbox / "processed").glob("*/*"))


def failed(inbox: Path) -> list[str]:
    return sorted(path.name for path in (inbox / "failed").iterdir() if not path.name.endswith(".error.json"))


def inputs_left(inbox: Path) -> list[str]:
    return sorted(p.name for p in inbox.iterdir() if p.is_file() and is_input_name(p.name))


def ledger_states(out: Path) -> Counter[str]:
    with sqlite3.connect(out / "ledger.sqlite3") as db:
        return Counter(dict(db.execute("SELECT state, COUNT(*) FROM documents GROUP BY state").fetchall()))


def arrivals(out: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(out / "ledger.sqlite3") as db:
        return [(Path(path).name, outcome) for path, outcome in
                db.execute("SELECT path, outcome FROM arrivals ORDER BY id").fetchall()]


def test_input_names():
    assert is_input_name("bill.pdf") and is_input_name("Rechnung März 2024.PDF")
    for name in (".hidden.pdf", "bill.pdf.part", "bill.pdf.crdownload", "bill.TMP", "~$bill.xlsx"):
        assert not is_input_name(name), name


def test_once_reads_archives_and_fails_each_kind_of_file(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    good = {name: pdf(inbox / name, seed) for seed, name in
            enumerate(["a.pdf", "b.pdf", "Facture n° 7 — été 2024.pdf", "quarterly   report  Q1.pdf"], 1)}
    (inbox / "copy of a.pdf").write_bytes(good["a.pdf"].read_bytes())  # after a.pdf by name: the duplicate
    a_fields = fields_found(good["a.pdf"])  # what the model finds is not this test's business
    broken(inbox / "broken.pdf", 5)
    (inbox / "empty.pdf").write_bytes(b"")
    ignored = [".hidden.pdf", "download.pdf.part", "x.pdf.crdownload", "y.tmp", "~$lock.pdf"]
    for name in ignored:
        pdf(inbox / name, 9)
    (inbox / "keep").mkdir()
    pdf(inbox / "keep" / "c.pdf", 8)  # subfolders are not inputs

    code, log = once(inbox, out)

    assert code == 6, log  # corrupt_file, the first failure (broken.pdf), as extract would exit
    assert processed(inbox) == sorted([*good, "copy of a.pdf"])
    assert failed(inbox) == ["broken.pdf", "empty.pdf"]
    reasons = {name: json.loads((inbox / "failed" / f"{name}.error.json").read_text())["error"]["code"]
               for name in ("broken.pdf", "empty.pdf")}
    assert reasons == {"broken.pdf": "corrupt_file", "empty.pdf": "empty_file"}
    assert not inputs_left(inbox)
    assert sorted(p.name for p in inbox.iterdir() if not p.name.startswith(".")) == sorted(
        ["download.pdf.part", "x.pdf.crdownload", "y.tmp", "~$lock.pdf", "keep", "processed", "failed"])
    assert (inbox / "keep" / "c.pdf").exists()

    by_file = {line["file"]: line for line in log if "file" in line}
    found = records(out)
    assert sorted(r["sha256"] for r in found) == sorted(file_sha256(inbox / by_file[name]["moved_to"])
                                                        for name in good)
    assert record_files(out) == {f"{Path(name).stem}.json" for name in good}
    assert len((out / "invoices.csv").read_text(encoding="utf-8").splitlines()) == 1 + len(good)
    # empty.pdf is refused by its type check, before it is hashed: no content to note in the ledger
    assert ledger_states(out) == {"done": 4, "failed": 1}
    assert ("copy of a.pdf", "duplicate") in arrivals(out)

    by_file = {line["file"]: line for line in log if "file" in line}
    assert len(by_file) == 7 and len([line for line in log if "file" in line]) == 7
    assert by_file["copy of a.pdf"]["status"] == "duplicate"
    assert by_file["copy of a.pdf"]["duplicate_of"] == "a.pdf"
    assert sorted(by_file["a.pdf"]) == ["fields", "file", "level", "moved_to", "seconds", "status", "time"]
    assert by_file["a.pdf"]["fields"] == a_fields
    assert by_file["a.pdf"]["level"] == {"ok": "info", "needs_review": "warning"}[by_file["a.pdf"]["status"]]
    assert by_file["a.pdf"]["moved_to"] == f"processed/{month_of(by_file['a.pdf'])}/a.pdf"
    assert re.fullmatch(r"\d{4}-\d{2}", month_of(by_file["a.pdf"]))
    assert by_file["broken.pdf"]["level"] == "error" and by_file["broken.pdf"]["error"]["code"] == "corrupt_file"


def test_the_same_name_again_a_repeated_content_and_a_failure_dropped_again(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    pdf(inbox / "inv.pdf", 10)
    first = (inbox / "inv.pdf").read_bytes()
    broken(inbox / "bad.pdf", 11)
    bad = (inbox / "bad.pdf").read_bytes()
    assert once(inbox, out)[0] == 6

    pdf(inbox / "inv.pdf", 12)  # the same name, another invoice
    (inbox / "bad.pdf").write_bytes(bad)  # a failed file dropped again is read again
    assert once(inbox, out)[0] == 6
    assert processed(inbox) == ["inv (2).pdf", "inv.pdf"]
    assert record_files(out) == {"inv.json", "inv (2).json"}
    assert failed(inbox) == ["bad (2).pdf", "bad.pdf"]
    assert (inbox / "failed" / "bad (2).pdf.error.json").exists()
    with Ledger(out) as ledger:
        assert ledger.get(file_sha256(inbox / "failed" / "bad.pdf")).attempts == 2

    (inbox / "inv.pdf").write_bytes(first)  # the first invoice again, under its old name
    code, log = once(inbox, out)
    assert code == 0
    lines = [line for line in log if "file" in line]
    assert [(line["file"], line["status"], line.get("duplicate_of")) for line in lines] == [
        ("inv.pdf", "duplicate", "inv.pdf")]
    assert processed(inbox) == ["inv (2).pdf", "inv (3).pdf", "inv.pdf"]
    assert Path(lines[0]["moved_to"]).name == "inv (3).pdf"
    assert (inbox / lines[0]["moved_to"]).read_bytes() == first
    assert jsonl_lines(out) == 2


def test_a_live_watcher_waits_for_slow_writers_and_skips_temporary_names(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    data = pdf(tmp_path / "source.pdf", 20).read_bytes()
    expected = {"slow.pdf": read(tmp_path / "source.pdf").record.status,
                "download.pdf": read(pdf(tmp_path / "other.pdf", 21)).record.status, "again.pdf": "duplicate"}
    settle, pause, chunks = 1.5, 0.2, 10  # pauses far shorter than the settle time
    with live(inbox, out, tmp_path / "log", settle=settle) as watcher:
        (inbox / "download.pdf.part").write_bytes((tmp_path / "other.pdf").read_bytes())
        with (inbox / "slow.pdf").open("wb") as writer:
            size = -(-len(data) // chunks)
            for start in range(0, len(data), size):
                writer.write(data[start:start + size])
                writer.flush()
                time.sleep(pause)
                assert not watcher.files() and jsonl_lines(out) == 0, "a half-written file was taken"
        wait_for(lambda: jsonl_lines(out) == 1, "the slow file's record")
        assert records(out)[0]["sha256"] == file_sha256(tmp_path / "source.pdf")
        assert records(out)[0]["status"] == expected["slow.pdf"]
        # Its whole time in the inbox was longer than the settle time: a .part name is never taken.
        assert (inbox / "download.pdf.part").exists()
        (inbox / "download.pdf.part").rename(inbox / "download.pdf")
        (inbox / "again.tmp").write_bytes(data)
        (inbox / "again.tmp").rename(inbox / "again.pdf")
        wait_for(lambda: len(watcher.files()) == 3, "two more files")
        statuses = {line["file"]: line["status"] for line in watcher.files()}
        assert statuses == expected
        assert processed(inbox) == ["again.pdf", "download.pdf", "slow.pdf"] and not failed(inbox)
        assert jsonl_lines(out) == 2


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_signal_finishes_the_current_file_and_exits_cleanly(tmp_path, stop):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    for seed in range(30):
        pdf(inbox / f"bill-{seed:02}.pdf", 200 + seed)
    with live(inbox, out, tmp_path / "log") as watcher:
        wait_for(lambda: jsonl_lines(out) >= 3, "three records")
        watcher.process.send_signal(stop)
        assert watcher.process.wait(timeout=30) == 0
        assert watcher.lines()[-1]["message"].startswith(f"stopped ({stop.name})")
    done = processed(inbox)
    assert 3 <= len(done) < 30 and len(done) + len(inputs_left(inbox)) == 30
    assert jsonl_lines(out) == len(record_files(out)) == len(done)  # the file in hand was finished
    assert ledger_states(out) == {"done": len(done)}  # none left half-way

    assert once(inbox, out)[0] == 0  # and the rest, at the next start
    assert len(processed(inbox)) == jsonl_lines(out) == 30 and not inputs_left(inbox)


def test_killed_at_random_moments_while_working_nothing_is_lost_or_doubled(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    names = [f"invoice {i:02}.pdf" for i in range(34)] + ["rechnung ä 1.pdf", "facture é 2.pdf", "copy 3.pdf"]
    for seed, name in enumerate(names[:34]):
        pdf(inbox / name, 300 + seed)
    for original, copy in zip(names[:3], names[34:]):
        (inbox / copy).write_bytes((inbox / original).read_bytes())
    bad = [broken(inbox / f"bad {i}.pdf", 400 + i).name for i in range(3)]
    expected = sorted({file_sha256(inbox / name) for name in names})
    assert len(expected) == 34 and len(names) + len(bad) == 40

    chance = random.Random(7)
    for records_before_kill in (5, 15, 25):
        with live(inbox, out, tmp_path / "log") as watcher:
            wait_for(lambda: jsonl_lines(out) >= records_before_kill, f"{records_before_kill} records")
            time.sleep(chance.uniform(0, 0.04))  # about one file's time: anywhere in its steps
            watcher.process.send_signal(signal.SIGKILL)
            assert watcher.process.wait(timeout=30) == -signal.SIGKILL
    bad_left = [name for name in bad if (inbox / name).exists()]  # failed by the next start: corrupt_file
    code, log = once(inbox, out)
    assert code == (6 if bad_left else 0), log

    assert not inputs_left(inbox)
    assert sorted(processed(inbox) + failed(inbox)) == sorted(names + bad)  # each exactly once, none renamed
    assert sorted(r["sha256"] for r in records(out)) == expected  # one record per content, no more
    assert len(record_files(out)) == 34
    assert len((out / "invoices.csv").read_text(encoding="utf-8").splitlines()) == 1 + 34
    assert ledger_states(out) == {"done": 34, "failed": 3}
    assert len(list((inbox / "failed").glob("*.error.json"))) == 3


# The windows between the steps, each made by hand, then one watcher pass in this process.

def run_once_here(inbox: Path, out: Path) -> list[dict]:
    log = io.StringIO()
    with Watcher(WatchConfig.create(inbox, out, settle=0), WatchLog(log, as_json=True)) as watcher:
        watcher.run(once=True)
    return [json.loads(line) for line in log.getvalue().splitlines() if "file" in json.loads(line)]


@pytest.mark.parametrize("stage", ["started", "torn append", "record written", "ledger finished", "linked"])
def test_a_kill_between_two_steps_is_finished_by_the_next_start(tmp_path, stage):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    source = pdf(tmp_path / "bill.pdf", 30)
    inbox.mkdir()
    path = inbox / "bill.pdf"
    path.write_bytes(source.read_bytes())
    sha = file_sha256(path)
    record = read(path).record
    with Ledger(out) as ledger:
        ledger.start(sha, str(path.resolve()))
        if stage == "torn append":
            line = json.dumps(record.to_json_dict())
            (out / "invoices.jsonl").write_text(line[:50])
        elif stage != "started":
            with Outbox(out) as outbox:
                outbox.write(record)
        if stage in ("ledger finished", "linked"):
            ledger.finish(sha, record=str(out / "bill.json"), status=record.status)
        if stage == "linked":
            month = inbox / "processed" / time.strftime("%Y-%m")
            month.mkdir(parents=True)
            os.link(path, month / "bill.pdf")

    log = run_once_here(inbox, out)

    assert [(line["file"], line["status"]) for line in log] == [("bill.pdf", record.status)]
    assert processed(inbox) == ["bill.pdf"] and not inputs_left(inbox)
    assert [r["sha256"] for r in records(out)] == [sha] and record_files(out) == {"bill.json"}
    with Ledger(out) as ledger:
        assert ledger.get(sha).state == "done"
        assert ledger.get(sha).attempts == (2 if stage in ("started", "torn append") else 1)
        assert [outcome for _, outcome, _ in ledger.arrivals(sha)] == ["done"]


@pytest.mark.parametrize("link_error", [None, errno.EXDEV, errno.EPERM], ids=["link", "copy", "rename"])
def test_moves_never_overwrite(tmp_path, monkeypatch, link_error):
    if link_error is not None:
        real_link = os.link

        def link(source, target, **options):
            # EXDEV only for the first hop (inbox to archive: two folders' descriptors); EPERM
            # everywhere (no hard links).
            if link_error == errno.EPERM or options["src_dir_fd"] != options["dst_dir_fd"]:
                raise OSError(link_error, os.strerror(link_error))
            return real_link(source, target, **options)

        monkeypatch.setattr("invoice_extract.watch.os.link", link)
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.pdf").write_bytes(b"old")
    (archive / "a (2).pdf").write_bytes(b"older")
    source = tmp_path / "a.pdf"
    source.write_bytes(b"new")

    moved = move_to_free_name(source, archive, note=None)

    assert moved == archive / "a (3).pdf" and moved.read_bytes() == b"new" and not source.exists()
    assert (archive / "a.pdf").read_bytes() == b"old" and (archive / "a (2).pdf").read_bytes() == b"older"
    assert sorted(p.name for p in archive.iterdir()) == ["a (2).pdf", "a (3).pdf", "a.pdf"]  # no temporaries


def test_one_watcher_per_folder_and_the_inbox_is_no_output(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = WatchConfig.create(inbox, tmp_path / "out")
    with Watcher(config, WatchLog(io.StringIO())):
        with pytest.raises(FolderInUseError, match="another invoice-extract watch or batch"):
            Watcher(config, WatchLog(io.StringIO()))
        # The output folder too, with a JSON line for the log that --log-json promises.
        other = tmp_path / "other"
        other.mkdir()
        done = subprocess.run(command(other, tmp_path / "out", "--once"), capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 12, done.stderr
        assert [json.loads(line)["code"] for line in done.stderr.splitlines()] == ["folder_in_use"]
    done = subprocess.run([str(CLI), "watch", str(inbox), "--out", str(inbox)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "cannot be the inbox itself" in done.stderr
    with pytest.raises(WatchError):
        WatchConfig.create(inbox, inbox)


@pytest.mark.parametrize("stage", ["reason written", "ledger finished", "linked"])
def test_a_kill_while_failing_a_file_is_finished_by_the_next_start(tmp_path, stage):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    path = broken(inbox / "bad.pdf", 40)
    sha = file_sha256(path)
    (inbox / "failed").mkdir()
    note = inbox / "failed" / "bad.pdf.error.json"
    error = {"code": "corrupt_file", "message": "damaged"}
    note.write_text(json.dumps({"file": "bad.pdf", "sha256": sha, "error": error}))
    with Ledger(out) as ledger:
        ledger.start(sha, str(path.resolve()))
        if stage != "reason written":  # the order: note, ledger, move, arrival
            ledger.finish(sha, record=str(note.resolve()), status="error", error=RecordError(code="corrupt_file", message="damaged"))
    if stage == "linked":
        os.link(path, inbox / "failed" / "bad.pdf")

    log = run_once_here(inbox, out)

    assert [(line["file"], line["status"]) for line in log] == [("bad.pdf", "error")]
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == ["bad.pdf", "bad.pdf.error.json"]
    assert not inputs_left(inbox) and not records(out)
    with Ledger(out) as ledger:
        assert ledger.get(sha).state == "failed" and ledger.get(sha).error.startswith("corrupt_file: ")
        assert [outcome for _, outcome, _ in ledger.arrivals(sha)] == ["failed"]
        assert ledger.get(sha).attempts == 1 + (stage == "reason written")  # noted failed: not read again
        assert ledger.get(sha).record == str(note.resolve())
    assert json.loads(note.read_text())["sha256"] == sha


def test_an_error_note_in_the_inbox_is_no_input_and_an_old_note_is_never_overwritten(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    path = broken(inbox / "bad.pdf", 41)
    sha = file_sha256(path)
    assert not is_input_name("bad.pdf.error.json") and not is_input_name("X.PDF.ERROR.JSON")
    # A note copied from elsewhere, naming this content: not read, and never taken for our own.
    (inbox / "bad.pdf.error.json").write_text(json.dumps({"file": "bad.pdf", "sha256": sha}))
    assert [(line["file"], line["status"]) for line in run_once_here(inbox, out)] == [("bad.pdf", "error")]
    assert (inbox / "bad.pdf.error.json").exists() and failed(inbox) == ["bad.pdf"]

    # The failed file taken away for a look, its note left; the same content dropped again.
    first_note = (inbox / "failed" / "bad.pdf.error.json").read_bytes()
    (inbox / "failed" / "bad.pdf").rename(inbox / "bad.pdf")
    assert [line["moved_to"] for line in run_once_here(inbox, out)] == ["failed/bad (2).pdf"]
    assert (inbox / "failed" / "bad.pdf.error.json").read_bytes() == first_note
    assert (inbox / "failed" / "bad (2).pdf.error.json").exists()


def test_a_file_that_cannot_be_moved_is_skipped_and_the_watcher_goes_on(tmp_path, monkeypatch):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    pdf(inbox / "a.pdf", 50)
    pdf(inbox / "stuck.pdf", 51)
    real_move = __import__("invoice_extract.moves", fromlist=["move_no_clobber"]).move_no_clobber

    def move(source, target):
        if Path(source).name == "stuck.pdf":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))
        return real_move(source, target)

    monkeypatch.setattr("invoice_extract.moves.move_no_clobber", move)
    log = io.StringIO()
    with Watcher(WatchConfig.create(inbox, out, settle=0), WatchLog(log, as_json=True)) as watcher:
        summary = watcher.run(once=True)
    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    skipped = [line for line in lines if line.get("file") == "stuck.pdf"]
    assert len(skipped) == 1 and skipped[0]["level"] == "error" and skipped[0]["code"] == "unreadable_file"
    assert "Permission denied" in skipped[0]["message"] and "skipped until it changes" in skipped[0]["message"]
    assert summary.first_error == "unreadable_file" and summary.counts["error"] == 1
    assert processed(inbox) == ["a.pdf"] and inputs_left(inbox) == ["stuck.pdf"]

    monkeypatch.setattr("invoice_extract.moves.move_no_clobber", real_move)  # permissions fixed
    assert [(line["file"], line["status"] != "error") for line in run_once_here(inbox, out)] == [
        ("stuck.pdf", True)]
    assert processed(inbox) == ["a.pdf", "stuck.pdf"] and jsonl_lines(out) == 2
    with Ledger(out) as ledger:
        assert ledger.get(file_sha256(inbox / "processed" / time.strftime("%Y-%m") / "stuck.pdf")).attempts == 1
