"""`invoice-extract extract`, `schema` and `show`, run as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import date

import openpyxl
from PIL import Image
from typer.testing import CliRunner

from invoice_extract.cli import app

runner = CliRunner()


def test_extract_prints_the_contract_json(digital):
    result = runner.invoke(app, ["extract", str(digital.path)])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 1
    record = records[0]
    assert record["source"] == str(digital.path)
    assert record["total"]["value"] == "288.66"
    assert record["invoice_number"]["value"] == "INV-2025-0417"
    assert record["status"] in ("ok", "needs_review")
    assert "1 file: " in result.stderr


def test_a_bad_file_becomes_an_error_record_and_the_run_goes_on(digital, bad_files, tmp_path):
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(bad_files["truncated"]), str(digital.path), "-o", str(out)])
    # The exit code is the first failure's documented code (6: corrupt file).
    assert result.exit_code == 6, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["status"] for r in lines][0] == "error"
    assert lines[0]["errors"][0]["code"] == "corrupt_file"
    assert lines[1]["total"]["value"] == "288.66"
    assert "2 files: " in result.stderr and "1 failed" in result.stderr


def test_a_folder_is_walked_and_csv_written_by_extension(digital, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(digital.path, inbox / "a.pdf")
    shutil.copy(digital.path, inbox / "b.pdf")
    (inbox / "readme.txt").write_text("not an invoice")
    out = tmp_path / "bills.csv"
    result = runner.invoke(app, ["extract", str(inbox), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row["source"].rsplit("/", 1)[-1] for row in rows] == ["a.pdf", "b.pdf"]
    assert {row["total"] for row in rows} == {"288.66"}


def test_xlsx_has_real_dates_and_numbers(digital, tmp_path):
    out = tmp_path / "bills.xlsx"
    result = runner.invoke(app, ["extract", str(digital.path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2])}
    assert row["total"].value == 288.66 and row["total"].data_type == "n"
    assert row["invoice_date"].is_date


def test_output_never_overwrites_an_input(digital, tmp_path):
    copy = tmp_path / "bill.pdf"
    shutil.copy(digital.path, copy)
    before = copy.read_bytes()
    result = runner.invoke(app, ["extract", str(copy), "-o", str(copy), "--format", "json"])
    assert result.exit_code == 3
    assert "never overwritten" in result.stderr
    assert copy.read_bytes() == before


def test_a_preset_that_does_not_fit_the_format_fails_before_reading(digital, tmp_path):
    result = runner.invoke(app, ["extract", str(digital.path), "-o", str(tmp_path / "x.xlsx"), "--preset", "xero"])
    assert result.exit_code == 2
    assert "writes an import CSV" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_xero_preset_takes_the_account_code(digital, tmp_path):
    out = tmp_path / "xero.csv"
    result = runner.invoke(app, ["extract", str(digital.path), "-o", str(out), "--preset", "xero",
                                 "--account-code", "429", "--tax-type", "INPUT2"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["*AccountCode"] == "429" and rows[0]["*TaxType"] == "INPUT2"
    assert rows[0]["*InvoiceNumber"] == "INV-2025-0417"
    assert rows[0]["*UnitAmount"] == "288.66"


def test_schema_is_the_records_json_schema():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "InvoiceRecord"
    assert {"vendor_name", "invoice_date", "total", "status", "warnings", "errors"} <= set(schema["properties"])


def test_show_writes_a_review_png_and_html(digital, tmp_path):
    png = tmp_path / "review.png"
    result = runner.invoke(app, ["show", str(digital.path), "-o", str(png)])
    assert result.exit_code == 0, result.output
    with Image.open(png) as image:
        assert image.width == 1400 and image.height > 1400
    html = tmp_path / "review.html"
    result = runner.invoke(app, ["show", str(digital.path), "-o", str(html)])
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert "288.66" in page and "data:image/jpeg;base64," in page


def test_show_refuses_other_formats_and_bad_files(digital, bad_files, tmp_path):
    result = runner.invoke(app, ["show", str(digital.path), "-o", str(tmp_path / "review.pdf")])
    assert result.exit_code == 2
    result = runner.invoke(app, ["show", str(bad_files["empty"]), "-o", str(tmp_path / "review.png")])
    assert result.exit_code == 5
    assert not (tmp_path / "review.png").exists()


def test_file_names_that_look_like_markup_print_as_they_are(tmp_path):
    odd = tmp_path / "[red]bill.pdf"
    odd.write_bytes(b"")
    result = runner.invoke(app, ["extract", str(odd)])
    assert result.exit_code == 5
    assert "[red]bill.pdf" in result.stderr


# The record contract, typed from ../shared/eval/README.md's table (not imported from the
# code, and not read from ../shared, which a checkout may lack): a change to the contract
# has to be made here too, on purpose.
CONTRACT_TEXT = ("vendor_name", "vendor_address", "customer_name", "invoice_number")  # string or null
CONTRACT_DATES = ("invoice_date", "due_date")  # ISO 8601 YYYY-MM-DD
CONTRACT_AMOUNTS = ("subtotal", "tax", "total")  # decimal, "." separator, no thousands separator, no symbol
CONTRACT_FIELDS = (*CONTRACT_TEXT, *CONTRACT_DATES, "currency", *CONTRACT_AMOUNTS)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DECIMAL = re.compile(r"-?\d+(\.\d+)?")
ISO_4217 = re.compile(r"[A-Z]{3}")


def contract_value(record: dict, key: str) -> str | None:
    """A field as the scorer reads it: null, or an object whose ``value`` is a string."""
    field = record[key]
    if field is None:
        return None
    assert isinstance(field, dict) and isinstance(field["value"], str), (key, field)
    return field["value"]


def test_extract_json_keeps_the_record_contract(digital, bad_files):
    result = runner.invoke(app, ["extract", str(digital.path), str(bad_files["empty"]), "--format", "json"])
    assert result.exit_code == 5, result.output  # the empty file's code; the JSON is written all the same
    records = json.loads(result.stdout)
    assert isinstance(records, list) and len(records) == 2  # one record per input document
    for record, path in zip(records, (digital.path, bad_files["empty"]), strict=True):
        assert record["source"] == str(path)
        assert set(CONTRACT_FIELDS) <= set(record)
        for key in CONTRACT_DATES:
            if (value := contract_value(record, key)) is not None:
                assert ISO_DATE.fullmatch(value) and date.fromisoformat(value), (key, value)
        for key in CONTRACT_AMOUNTS:
            if (value := contract_value(record, key)) is not None:
                assert DECIMAL.fullmatch(value), (key, value)
        if (value := contract_value(record, "currency")) is not None:
            assert ISO_4217.fullmatch(value), value
        for key in CONTRACT_TEXT:
            contract_value(record, key)
    found, empty = records
    assert all(contract_value(found, key) is not None for key in ("vendor_name", "invoice_number", "invoice_date",
                                                                   "currency", "total"))
    assert all(empty[key] is None for key in CONTRACT_FIELDS)  # null: not found


def test_no_invoice_files_names_every_suffix_read(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing to read")
    result = runner.invoke(app, ["extract", str(tmp_path)])
    assert result.exit_code == 3
    assert "no invoice files found" in result.stderr and ".xml" in result.stderr and ".hocr" in result.stderr


def test_an_output_folder_that_does_not_exist_fails_before_reading(digital, tmp_path, monkeypatch):
    read_any = []
    monkeypatch.setattr("invoice_extract.cli.read", lambda *args, **kwargs: read_any.append(args))
    out = tmp_path / "missing" / "out.csv"
    result = runner.invoke(app, ["extract", str(digital.path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "error (bad_export)" in result.stderr and str(out) in result.stderr and "does not exist" in result.stderr
    assert "internal error" not in result.output and read_any == []
