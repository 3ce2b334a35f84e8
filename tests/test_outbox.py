"""The ledger and the output folder that `watch` and `batch` share: what survives a crash."""

from __future__ import annotations

import json
import sqlite3

from invoice_extract.ledger import LEDGER_NAME, Ledger
from invoice_extract.outbox import Outbox
from invoice_extract.record import ExtractedField, InvoiceRecord


def record(source: str, sha: str, total: str = "10.00") -> InvoiceRecord:
    return InvoiceRecord(source=source, sha256=sha, pages=1,
                         total=ExtractedField(value=total, confidence=0.9, page=1))


def test_each_document_gets_one_file_one_line_and_a_csv_row(tmp_path):
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
    jsonl.write_text("".join(lines) + lines[1] + lines[0][:40])
    reopened = Outbox(tmp_path)
    assert jsonl.read_text().splitlines(keepends=True) == lines
    assert len(reopened) == 2 and not reopened.has("c" * 64)


def test_a_document_written_again_after_a_crash_keeps_its_own_file(tmp_path):
    Outbox(tmp_path).write(record("in/a.pdf", "a" * 64))
    (tmp_path / "invoices.jsonl").write_text("")  # its line was lost; its file was not
    again = Outbox(tmp_path).write(record("in/a.pdf", "a" * 64))
    assert again.name == "a.json"
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["a.json"]


def test_ledger_tracks_attempts_states_and_duplicates(tmp_path):
    with Ledger(tmp_path) as ledger:
        ledger.queue("a" * 64, "in/a.pdf")
        assert ledger.get("a" * 64).state == "queued"
        ledger.start("a" * 64, "in/a.pdf")
        ledger.start("a" * 64, "in/a.pdf")  # a second attempt after a crash
        ledger.finish("a" * 64, record="a.json", status="needs_review")
        ledger.arrived("in/a.pdf", "a" * 64, "done", "in/processed/a.pdf")
        ledger.arrived("in/copy.pdf", "a" * 64, "duplicate", "in/processed/copy.pdf")
        ledger.start("b" * 64, "in/b.pdf")
        ledger.finish("b" * 64, record="b.json", status="error", error="corrupt_file: damaged")
        done = ledger.get("a" * 64)
        assert (done.state, done.attempts, done.record, done.status) == ("done", 2, "a.json", "needs_review")
        assert ledger.get("b" * 64).state == "failed" and ledger.get("b" * 64).error.startswith("corrupt_file")
        assert [path for path, _, _ in ledger.arrivals("a" * 64)] == ["in/a.pdf", "in/copy.pdf"]
        assert ledger.counts() == {"done": 1, "failed": 1, "duplicate": 1}
    mode = sqlite3.connect(tmp_path / LEDGER_NAME).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
