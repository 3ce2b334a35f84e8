"""Stage 2 at run time: the shipped ONNX model tags words, with nothing from training."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tokenizers import Tokenizer

from invoice_extract import load_document
from invoice_extract.ner import MODELS_DIR, TAGS, Tagger, bio_tags, encode


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger()


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer.from_file(str(MODELS_DIR / "tokenizer" / "tokenizer.json"))


def test_bio_tags_start_a_span_where_the_field_changes():
    assert bio_tags([None, "TOTAL", "TOTAL", "TAX", None, "TAX"]) == [
        "O", "B-TOTAL", "I-TOTAL", "B-TAX", "O", "B-TAX"]


def test_long_documents_are_covered_by_overlapping_windows(tokenizer):
    words = [f"word{i}" for i in range(900)]
    boxes = [(i % 1000, 10, i % 1000 + 5, 20) for i in range(900)]
    windows = encode(tokenizer, words, boxes, max_tokens=128, stride=32)
    assert len(windows) > 1
    assert all(len(w.input_ids) <= 128 for w in windows)
    first_seen = {wid for w in windows for wid, first in zip(w.word_ids, w.first_token) if first}
    assert first_seen == set(range(900))  # every word's first token is in some window
    for before, after in zip(windows, windows[1:]):
        assert set(before.word_ids[1:-1]) & set(after.word_ids[1:-1])  # consecutive windows overlap
        assert before.bbox[0] == (0, 0, 0, 0) and before.bbox[-1] == (1000, 1000, 1000, 1000)


def test_the_model_finds_the_fields_of_a_digital_invoice(tagger, digital):
    tagged = tagger.tag(load_document(digital.path))
    found = {}
    for item in tagged:
        if item.tag != "O":
            found.setdefault(item.tag[2:], []).append(item.word.text)
    assert found.pop("VENDOR_NAME") == ["Northwind", "Traders", "Ltd"]
    assert " ".join(found.pop("VENDOR_ADDRESS")) == "42 Castle Street Edinburgh EH2 3AH United Kingdom"
    assert found.pop("CUSTOMER_NAME") == ["Contoso", "Office", "Supplies"]
    assert found.pop("INVOICE_NUMBER") == ["INV-2025-0417"]
    assert found.pop("INVOICE_DATE") == ["03/05/2025"]
    assert found.pop("DUE_DATE") == ["02/06/2025"]
    assert found.pop("SUBTOTAL") == ["240.55"]
    assert found.pop("TAX") == ["48.11"]
    # Training labels amounts with a currency printed beside them ("RM 5.35"), so the
    # span may take in the "GBP" of "Total GBP"; the amount itself must be the total.
    assert [w for w in found.pop("TOTAL") if w != "GBP"] == ["288.66"]
    assert found == {}
    assert all(0.0 < item.confidence <= 1.0 for item in tagged)
    assert {item.tag for item in tagged} <= set(TAGS)


def test_empty_document_gives_no_tags(tagger, hocr_file):
    document = load_document(hocr_file)
    document.pages[0].words.clear()
    assert tagger.tag(document) == []


def test_runtime_path_never_imports_torch_or_training_code(digital):
    code = (
        "import sys; from invoice_extract import load_document, cli; from invoice_extract.ner import Tagger;"
        f"Tagger().tag(load_document({str(digital.path)!r}));"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'reportlab')"
        " or m.startswith('invoice_extract.training')]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
