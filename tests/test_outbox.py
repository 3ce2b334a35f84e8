"""The ledger and the output folder that `watch` and `batch` share: what survives a crash."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from invoice_extract.errors import FolderInUseError
from invoice_extract.ledger import LEDGER_NAME, Ledger
from invoice_extract.outbox import Outbox
from invoice_extract.record import ExtractedField, InvoiceRecord, RecordError


def record(source: str, sha: str, total: str = "10.00") -> InvoiceRecord:
    return InvoiceRecord(source=source, sha256=sha, pages=1,
                         total=ExtractedField(value=total, confidence=0.9, page=1))


def test_each_document_gets_one_file_one_line_and_a_csv_row(tmp_path):
    outbox = Outbox(tmp_path)
    outbox.close()
    outbox = Outbox(tmp_path)
    first = outbox.write(record("in/bill.pdf", "a" * 64))
    second = outbox.write(record("other/bill.pdf", "b" * 64, "20.00"))
    assert (first.name, second.name) == ("bill.json", "bill (2).json")  # a name clash never overwrites
    assert json.loads(first.read_text())["sha256"] == "a" * 64
    assert len((tmp_path / "invoices.jsonl").read_text().splitlines()) == 2
    outbox.refresh_csv()
    rows = (tmp_path / "invoices.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 3 and rows[2].startswith("other/bill.pdf,")
    assert outbox.has("a" * 64) and not outbox.has("c" * 64)


def test_a_crash_mid_append_and_a_second_line_are_repaired_on_opening(tmp_path):
    outbox = Outbox(tmp_path)
    outbox.write(record("in/a.pdf", "a" * 64))
    outbox.write(record("in/b.pdf", "b" * 64))
    jsonl = tmp_path / "invoices.jsonl"
    lines = jsonl.read_text().splitlines(keepends=True)
    # b's line again (a crash after the append, before the ledger knew), then a torn line.
    jsonl.write_text("".join(lines) + lines[1] + "[1]\n" + '"x"\n' + lines[0][:40])
    outbox.close()
    reopened = Outbox(tmp_path)
    assert jsonl.read_text().splitlines(keepends=True) == lines
    assert len(reopened) == 2 and not reopened.has("c" * 64)


def test_a_document_written_again_after_a_crash_keeps_its_own_file(tmp_path):
    with Outbox(tmp_path) as outbox:
        outbox.write(record("in/a.pdf", "a" * 64))
    (tmp_path / "invoices.jsonl").write_text("")  # its line was lost; its file was not
    with Outbox(tmp_path) as outbox:
        again = outbox.write(record("in/a.pdf", "a" * 64))
    assert again.name == "a.json"
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["a.json"]


def test_ledger_tracks_attempts_states_and_duplicates(tmp_path):
    with Ledger(tmp_path) as ledger:
        ledger.start("a" * 64, "in/a.pdf")
        assert ledger.get("a" * 64).state == "processing"
        ledger.start("a" * 64, "in/a.pdf")  # a second attempt after a crash
        ledger.finish("a" * 64, record="a.json", status="needs_review")
        ledger.arrived("in/a.pdf", "a" * 64, "done", "in/processed/a.pdf")
        ledger.arrived("in/copy.pdf", "a" * 64, "duplicate", "in/processed/copy.pdf")
        ledger.start("b" * 64, "in/b.pdf")
        ledger.finish("b" * 64, record="b.json", status="error", error=RecordError(code="corrupt_file", message="damaged"))
        done = ledger.get("a" * 64)
        assert (done.state, done.attempts, done.record, done.status) == ("done", 2, "a.json", "needs_review")
        assert ledger.get("b" * 64).state == "failed" and ledger.get("b" * 64).error.startswith("corrupt_file")
        assert [path for path, _, _ in ledger.arrivals("a" * 64)] == ["in/a.pdf", "in/copy.pdf"]
        assert ledger.counts() == {"done": 1, "failed": 1, "duplicate": 1}
    mode = sqlite3.connect(tmp_path / LEDGER_NAME).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_one_writer_per_output_folder_even_in_another_process(tmp_path):
    with Outbox(tmp_path):
        with pytest.raises(FolderInUseError, match=f"process {os.getpid()}"):
            Outbox(tmp_path)
        code = ("import sys; from pathlib import Path; from invoice_extract.outbox import Outbox\n"
                "from invoice_extract.errors import FolderInUseError\n"
                "try: Outbox(Path(sys.argv[1]))\n"
                "except FolderInUseError as error: sys.exit(error.exit_code)")
        assert subprocess.run([sys.executable, "-c", code, str(tmp_path)], timeout=60).returncode == 12
    Outbox(tmp_path).close()  # released on close


def test_every_write_syncs_the_folder(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr("invoice_extract.outbox.fsync_folder", synced.append)
    with Outbox(tmp_path) as outbox:
        outbox.write(record("in/a.pdf", "a" * 64))
        assert synced == [tmp_path]
    (tmp_path / "invoices.jsonl").write_text("{}\n")  # a line to repair: the rewrite is synced too
    Outbox(tmp_path).close()
    assert synced == [tmp_path, tmp_path]


def test_the_csv_is_rewritten_when_due(tmp_path):
    with Outbox(tmp_path) as outbox:
        outbox.refresh_csv_if_due()
        assert not (tmp_path / "invoices.csv").exists()  # nothing written yet
        outbox.write(record("in/a.pdf", "a" * 64))
        outbox.refresh_csv_if_due(3600)
        assert not (tmp_path / "invoices.csv").exists()  # not an hour yet
        outbox.refresh_csv_if_due()
        assert len((tmp_path / "invoices.csv").read_text().splitlines()) == 2


def test_a_batch_notes_a_file_again_only_when_its_outcome_changes(tmp_path):
    with Ledger(tmp_path) as ledger:
        ledger.start("a" * 64, "in/a.pdf")
        for outcome in ("failed", "failed", "done", "done", "failed"):
            ledger.seen("in/a.pdf", "a" * 64, outcome)
        ledger.seen("in/copy.pdf", "a" * 64, "duplicate")
        ledger.seen("in/copy.pdf", "a" * 64, "duplicate")
        assert [(path, outcome) for path, outcome, _ in ledger.arrivals("a" * 64)] == [
            ("in/a.pdf", "failed"), ("in/a.pdf", "done"), ("in/a.pdf", "failed"), ("in/copy.pdf", "duplicate")]
