"""`invoice-extract watch` against a stranger who can write to the inbox, and against a disk
that fills up (issue 12, items 1, 5 and 11): nothing is written through a symbolic link, a
full disk leaves the file in the inbox to be tried again later, log lines cannot be forged,
a killed run's temporary files are removed, and a file tried again is counted once.

Live watchers run in a process of their own (``Harness``) with a short wait before a file
left in the inbox is tried again; the full disks are real: a small tmpfs where mount is
allowed, and everywhere a file-size limit (RLIMIT_FSIZE), which the kernel enforces as it
would a full disk, with a write that stops part-way.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_watch import broken, pdf, wait_for

from invoice_extract.documents import file_sha256
from invoice_extract.outbox import Outbox
from invoice_extract.pipeline import read
from invoice_extract.watch import Outcome, Summary, WatchConfig, Watcher, WatchError, WatchLog

RETRY = 0.3  # seconds before a file left in the inbox is tried again (30 s in real use)

HARNESS = """
import resource, sys
from pathlib import Path
from invoice_extract.watch import WatchConfig, Watcher, WatchLog, stopping_on_signals
if len(sys.argv) > 4:  # files can grow to this size at most: a disk that is full
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[4]), resource.RLIM_INFINITY))
config = WatchConfig.create(Path(sys.argv[1]), Path(sys.argv[2]), settle=0.1, retry=float(sys.argv[3]))
with Watcher(config, WatchLog(sys.stderr, as_json=True)) as watcher, stopping_on_signals(watcher):
    watcher.run()
"""

# A sender's file name that, written raw, would start a log line of its own (the newline),
# retitle the terminal (OSC), clear the screen (the 8-bit CSI) and reverse what follows (RLO).
FORGED = "2030-01-01 00:00:00 info    forged.pdf: ok, 10 of 10 fields, 0.01 s -> processed"
HOSTILE_NAME = f"bill\n{FORGED}\x1b]0;pwned\x07\x9b2J\u202efdp.exe"
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # all but \n


def build_control_character_name(folder: Path) -> Path:
    """A readable invoice under HOSTILE_NAME."""
    return pdf(folder / HOSTILE_NAME, 900)


HOSTILE_CASES = [build_control_character_name]


class Harness:
    """A live watcher process (HARNESS); its JSON log goes to a file."""

    def __init__(self, inbox: Path, out: Path, log: Path, file_size: int | None) -> None:
        self.log = log
        self._stream = log.open("a")
        limit = [] if file_size is None else [str(file_size)]
        self.process = subprocess.Popen([sys.executable, "-c", HARNESS, str(inbox), str(out), str(RETRY), *limit],
                                        stderr=self._stream, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        wait_for(lambda: self.lines() or self.process.poll() is not None, "the watcher to start")
        assert self.process.poll() is None, log.read_text()

    def lines(self) -> list[dict]:
        text = self.log.read_text(encoding="utf-8")
        try:
            return [json.loads(line) for line in text.splitlines(keepends=True) if line.endswith("\n")]
        except ValueError:
            raise AssertionError(f"the watcher wrote what is no JSON log line (a traceback?):\n{text}") from None

    def about(self, name: str) -> list[dict]:
        return [line for line in self.lines() if line.get("file") == name]

    def wait_for_line(self, name: str, what: str, test: object) -> dict:
        def found() -> dict | None:
            assert self.process.poll() is None, self.log.read_text()  # it must go on
            return next((line for line in self.about(name) if test(line)), None)  # type: ignore[operator]

        wait_for(found, f"{name}: {what}", timeout=20)
        return found()  # type: ignore[return-value]

    def stop(self) -> str:
        """SIGTERM; the summary line."""
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=30) == 0, self.log.read_text()
        return self.lines()[-1]["message"]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self._stream.close()


@contextmanager
def harness(inbox: Path, out: Path, log: Path, *, file_size: int | None = None) -> Iterator[Harness]:
    watcher = Harness(inbox, out, log, file_size)
    try:
        yield watcher
    finally:
        watcher.close()


def drop(path: Path, make: Callable[[Path, int], Path]) -> Path:
    """Made elsewhere, then renamed into the inbox: whole when the watcher sees it."""
    made = make(path.parent.parent / f".{path.name}", 910)
    made.rename(path)
    return path


def failure(line: dict) -> bool:
    return line.get("level") == "error" and "message" in line


def outcome(line: dict) -> bool:
    return "status" in line


def months_from_now() -> list[str]:
    """This month, and the next one should the test run across a month's end."""
    return sorted({time.strftime("%Y-%m"), time.strftime("%Y-%m", time.localtime(time.time() + 3600))})


# Item 1: nothing written through a symbolic link.

@pytest.mark.parametrize("folder", ["processed", "failed"])
def test_a_symlinked_archive_or_failed_folder_at_start_is_refused(tmp_path, folder):
    inbox, elsewhere = tmp_path / "inbox", tmp_path / "elsewhere"
    inbox.mkdir()
    elsewhere.mkdir()
    (inbox / folder).symlink_to(elsewhere)
    pdf(inbox / "bill.pdf", 901)
    with pytest.raises(WatchError, match=f"{folder}: the .* folder is a symbolic link .*remove the link"):
        WatchConfig.create(inbox, tmp_path / "out")
    assert not list(elsewhere.iterdir()) and (inbox / "bill.pdf").exists()


@pytest.mark.parametrize("swapped", ["processed", "month folder", "failed"])
def test_a_folder_swapped_for_a_symlink_while_running_gets_nothing(tmp_path, swapped):
    inbox, out, elsewhere = tmp_path / "inbox", tmp_path / "out", tmp_path / "elsewhere"
    inbox.mkdir()
    elsewhere.mkdir()
    links = {"processed": [inbox / "processed"], "failed": [inbox / "failed"],
             "month folder": [inbox / "processed" / month for month in months_from_now()]}[swapped]
    goes_to = "failed" if swapped == "failed" else "processed"
    with harness(inbox, out, tmp_path / "log") as watcher:
        for link in links:
            if link.exists():
                link.rmdir()  # made by the watcher at its start, and empty
            link.symlink_to(elsewhere)
        path = drop(inbox / "bill.pdf", broken if swapped == "failed" else pdf)

        line = watcher.wait_for_line("bill.pdf", "an error line", failure)
        assert "a symbolic link where a folder should be" in line["message"]
        assert path.exists() and not list(elsewhere.iterdir())

        for link in links:  # the link replaced by a real folder: the file goes there, unchanged
            link.unlink()
        line = watcher.wait_for_line("bill.pdf", "its outcome", outcome)
        assert Path(line["moved_to"]).parts[0] == goes_to
        assert (inbox / line["moved_to"]).is_file() and not (inbox / line["moved_to"]).is_symlink()
        assert not path.exists() and not list(elsewhere.iterdir())
        summary = watcher.stop()
        assert "1 file: " in summary and f" {int(goes_to == 'failed')} failed, " in summary


# Item 5: a full disk stops nothing.

def prefilled_outbox(out: Path, records: int) -> int:
    """An output folder with many records, written as a watcher would: invoices.jsonl's size."""
    record = read(pdf(out.parent / "model.pdf", 902)).record
    out.mkdir()
    lines = (json.dumps(record.model_copy(update={"sha256": f"{number:064x}"}).to_json_dict()) + "\n"
             for number in range(records))
    (out / "invoices.jsonl").write_text("".join(lines), encoding="utf-8")
    return (out / "invoices.jsonl").stat().st_size


def test_writers_refused_by_the_disk_leave_the_file_to_be_tried_again(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    size = prefilled_outbox(out, 400)  # its CSV: about 70 kB
    # Files up to 48 kB (SQLite's shared memory needs 32): invoices.csv cannot be rewritten at the start.
    with harness(inbox, out, tmp_path / "log", file_size=48 << 10) as watcher:
        wait_for(lambda: any("invoices.csv not rewritten" in line.get("message", "") for line in watcher.lines()),
                 "a warning that invoices.csv could not be rewritten")
        # Now a disk that fills up in the middle of the record's line.
        resource.prlimit(watcher.process.pid, resource.RLIMIT_FSIZE, (size + 100, resource.RLIM_INFINITY))
        path = drop(inbox / "bill.pdf", pdf)
        sha = file_sha256(path)

        line = watcher.wait_for_line("bill.pdf", "an error line", failure)
        assert "File too large" in line["message"] and "invoices.jsonl" in line["message"]
        assert path.exists() and (out / "invoices.jsonl").stat().st_size == size  # no torn line

        resource.prlimit(watcher.process.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
        line = watcher.wait_for_line("bill.pdf", "its outcome, untouched", outcome)  # after the wait
        assert line["status"] != "error" and not path.exists()
        summary = watcher.stop()
        assert "1 file: " in summary and " 0 failed, " in summary
    found = [json.loads(line) for line in (out / "invoices.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(found) == 401 and found[-1]["sha256"] == sha
    assert len((out / "invoices.csv").read_text(encoding="utf-8").splitlines()) == 1 + 401
    with Outbox(out) as outbox:
        assert len(outbox) == 401


@contextmanager
def small_disk(folder: Path) -> Iterator[Path]:
    """A 4 MB tmpfs at ``folder``; the test is skipped where mount is not allowed."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"no tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as writer:
        try:
            while True:
                writer.write(b"\0" * (64 << 10))
                writer.flush()
        except OSError as error:
            assert error.errno == 28  # ENOSPC
    return filler


def test_a_full_output_disk_leaves_files_in_the_inbox_and_the_watcher_goes_on(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with small_disk(tmp_path / "disk") as disk:
        with harness(inbox, disk / "out", tmp_path / "log") as watcher:
            filler = fill(disk)
            paths = [drop(inbox / "first.pdf", pdf), drop(inbox / "second.pdf", broken)]
            for path in paths:
                line = watcher.wait_for_line(path.name, "an error line", failure)
                assert "database or disk is full" in line["message"], line  # the ledger's, which stopped it
                assert path.exists()
            assert not (disk / "out" / "invoices.jsonl").exists()

            filler.unlink()
            for path in paths:
                watcher.wait_for_line(path.name, "its outcome, untouched", outcome)
                assert not path.exists()
            summary = watcher.stop()
            assert "2 files: " in summary and " 1 failed, " in summary  # each file once
        done = [line for line in watcher.about("first.pdf") if outcome(line)]
        assert [json.loads(line)["sha256"] for line in (disk / "out" / "invoices.jsonl").read_text().splitlines()] \
            == [file_sha256(inbox / done[0]["moved_to"])]

OUTBOX_ON_A_FULL_DISK = """
import resource, sys
from pathlib import Path
from invoice_extract.outbox import Outbox
from invoice_extract.record import InvoiceRecord
record = InvoiceRecord.model_validate_json(Path(sys.argv[2]).read_text())
copies = [record.model_copy(update={"sha256": f"{number:064x}", "source": f"{number}.pdf"}) for number in range(4)]
again = copies[0].model_copy(update={"vendor_name": "Read again"})
with Outbox(Path(sys.argv[1])) as outbox:
    for copy in copies:
        outbox.write(copy)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))  # a record, not the others
    try:
        outbox.write(again)
    except OSError as error:
        print(error.strerror)
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    outbox.write(again)
"""


def test_a_record_written_again_on_a_full_disk_keeps_one_line(tmp_path):
    record = tmp_path / "record.json"
    record.write_text(read(pdf(tmp_path / "bill.pdf", 904)).record.model_dump_json())
    done = subprocess.run([sys.executable, "-c", OUTBOX_ON_A_FULL_DISK, str(tmp_path / "out"), str(record)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stdout == "File too large\n", done.stderr
    lines = [json.loads(line) for line in (tmp_path / "out" / "invoices.jsonl").read_text().splitlines()]
    assert sorted(line["sha256"][-1] for line in lines) == ["0", "1", "2", "3"]  # one line each
    assert next(line for line in lines if line["sha256"].endswith("0"))["vendor_name"] == "Read again"


LEDGER_ON_A_FULL_DISK = """
import resource, sys
from pathlib import Path
from invoice_extract.ledger import Ledger
with Ledger(Path(sys.argv[1])) as ledger:  # opened: its shared memory (32 kB) is there
    resource.setrlimit(resource.RLIMIT_FSIZE, (40 << 10, resource.RLIM_INFINITY))
    for number in range(1000):
        try:
            ledger.start(f"{number:064x}", "bill.pdf")
        except OSError as error:
            print(error.errno, error.filename, error.strerror, sep="|")
            break
"""


def test_the_ledger_refused_by_the_disk_raises_the_os_error_it_is(tmp_path):
    done = subprocess.run([sys.executable, "-c", LEDGER_ON_A_FULL_DISK, str(tmp_path)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"5|{tmp_path / 'ledger.sqlite3'}|the ledger cannot be written (disk I/O error)"


# Item 11: log lines, temporary files of a killed run, and the summary.

def run_once_here(inbox: Path, out: Path, *, as_json: bool) -> str:
    log = io.StringIO()
    with Watcher(WatchConfig.create(inbox, out, settle=0), WatchLog(log, as_json=as_json)) as watcher:
        watcher.run(once=True)
    return log.getvalue()


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_log_lines_escape_control_characters(tmp_path, as_json):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    build_control_character_name(inbox)
    broken(inbox / f"bad{HOSTILE_NAME}", 903)  # its error message names it too

    log = run_once_here(inbox, tmp_path / "out", as_json=as_json)

    lines = log.splitlines()
    assert not UNSAFE.search(log)
    if as_json:
        files = {json.loads(line).get("file") for line in lines}
        assert {HOSTILE_NAME, f"bad{HOSTILE_NAME}"} <= files  # the real name, read back
    else:
        assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (info |warning|error)", line) for line in lines)
        assert len(lines) == 4  # start, two files, stop: nothing forged
        assert "bill\\n2030-01-01 00:00:00 info    forged.pdf" in log and "\\x1b]0;pwned\\x07\\x9b2J\\u202e" in log


def test_temporaries_of_a_killed_run_are_removed_at_the_next_start(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    month = inbox / "processed" / "2024-01"
    for folder in (inbox / "failed", month, out):
        folder.mkdir(parents=True)
    # What a run killed mid-copy (archive on another disk), mid-note or mid-record leaves.
    ours = [inbox / "failed" / ".invoice-extract-0123456789abcdef.tmp", month / ".invoice-extract-fedcba9876543210.tmp",
            out / ".invoice-extract-00000000000000ff.tmp"]
    for path in ours:
        path.write_bytes(b"%PDF-1.4 half a cop")
    precious = tmp_path / "precious.txt"
    precious.write_text("not ours")
    theirs = [inbox / "failed" / ".invoice-extract-notes.tmp", inbox / "failed" / "report.tmp",
              inbox / "failed" / ".invoice-extract-0123456789abcdef.tmp.bak", month / ".bill.pdf.tmp",
              month / "invoice-extract-0123456789abcdef.tmp"]
    for path in theirs:
        path.write_text("a user's file")
    link = inbox / "failed" / ".invoice-extract-1111111111111111.tmp"  # our name, but no file of ours
    link.symlink_to(precious)

    log = run_once_here(inbox, out, as_json=True)

    assert not any(path.exists() for path in ours)
    assert all(path.read_text() == "a user's file" for path in theirs)
    assert link.is_symlink() and precious.read_text() == "not ours"
    removed = [json.loads(line)["message"] for line in log.splitlines() if "removed" in line]
    assert len(removed) == 2 and all("killed while writing it" in message for message in removed)  # out's: silently


def test_a_file_tried_again_is_counted_once():
    summary = Summary()
    summary.add_skipped("a.pdf", "unreadable_file")
    summary.add_skipped("b.pdf", "unreadable_file")
    summary.add_skipped("a.pdf", "unreadable_file")  # tried again after its wait, left again
    assert str(summary) == "2 files: 0 ok, 0 need review, 2 failed, 0 duplicates"
    summary.add(Outcome("a.pdf", "ok", 0.1, "processed/2024-01/a.pdf", fields=10))
    assert summary.first_error == "unreadable_file"  # b.pdf's
    summary.add(Outcome("b.pdf", "needs_review", 0.1, "processed/2024-01/b.pdf", fields=9))
    summary.add(Outcome("a.pdf", "duplicate", 0.0, "processed/2024-01/a (2).pdf", duplicate_of="a.pdf"))
    assert str(summary) == "3 files: 1 ok, 1 need review, 0 failed, 1 duplicate"  # a.pdf again: another file
    assert summary.first_error is None
