"""The `invoice-extract words` command, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from invoice_extract.cli import app

runner = CliRunner()


def test_words_prints_tsv_with_boxes(digital):
    result = runner.invoke(app, ["words", str(digital.path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == ["page", "block", "line", "word", "x0", "y0", "x1", "y1",
                                    "nx0", "ny0", "nx1", "ny1", "confidence", "text"]
    rows = [line.split("\t") for line in lines[1:]]
    invoice = next(row for row in rows if row[-1] == "INVOICE")
    assert invoice[0] == "1" and 700 < int(invoice[8]) < 800
    assert "from pdf" in result.stderr


def test_words_json_is_the_whole_document(digital):
    result = runner.invoke(app, ["words", "--json", str(digital.path)])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["media_type"] == "application/pdf"
    page = document["pages"][0]
    assert page["text_source"] == "pdf"
    assert any(w["text"] == "INVOICE" and len(w["box"]) == 4 for w in page["words"])


def test_words_text_for_people(hocr_file):
    result = runner.invoke(app, ["words", "--text", str(hocr_file)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == ["INVOICE", "Total €12,50"]


def test_bad_option_value_is_a_usage_error(digital):
    result = runner.invoke(app, ["words", "--ocr", "sometimes", str(digital.path)])
    assert result.exit_code == 2


def test_help_teaches_options_and_exit_codes():
    result = runner.invoke(app, ["words", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--ocr", "--lang", "--password", "--max-pages", "--json", "--text"):
        assert option in result.stdout
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "7 encrypted pdf" in top.stdout


def test_installed_console_script_runs(digital):
    script = Path(sys.executable).with_name("invoice-extract")
    result = subprocess.run([str(script), "words", "--text", str(digital.path)],
                            capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "INVOICE" in result.stdout.splitlines()


def test_words_tags_shows_the_fields_the_model_found(digital):
    result = runner.invoke(app, ["words", "--text", "--tags", str(digital.path)])
    assert result.exit_code == 0, result.output
    fields = dict(line.strip().split(": ", 1) for line in result.stdout.splitlines() if line.startswith("  "))
    assert fields["INVOICE_NUMBER"] == "INV-2025-0417"
    assert fields["TOTAL"].split()[-1] == "288.66"
    tsv = runner.invoke(app, ["words", "--tags", str(digital.path)]).stdout.splitlines()
    assert tsv[0].endswith("\ttext\ttag\ttag_confidence")
    assert any(row.split("\t")[-3:-1] == ["INV-2025-0417", "B-INVOICE_NUMBER"] for row in tsv[1:])
