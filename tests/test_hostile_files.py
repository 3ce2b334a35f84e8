"""Hostile files (issue 12): special files, malformed and oversized hOCR, folder trees deeper
than Python's recursion limit, an output folder that cannot be written.

Each hostile input is made by a ``build_<case>(folder) -> path`` function; ``HOSTILE_CASES``
lists those that are single files `invoice-extract extract FILE` must refuse or read safely,
for benchmarks/bench_hostile.py to measure. The tests that could hang if a fix regressed (a
FIFO blocks its reader, /dev/zero never ends) run in a subprocess with a timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from invoice_extract import LoadOptions, load_document
from invoice_extract.batch import find_inputs
from invoice_extract.cli import app
from invoice_extract.errors import CorruptFileError, ImageTooLargeError, TooLargeError
from invoice_extract.pipeline import collect_inputs, read

runner = CliRunner()

_PAGE = "bbox 0 0 2480 3508; scan_res 300 300"
_DEEP = 1500  # nested folders: more than Python's recursion limit (1000)


def hocr(words: list[str], page_title: str = _PAGE) -> str:
    """An hOCR file of one page whose words have the given titles; each word reads 'Total'."""
    spans = "".join(f'<span class="ocrx_word" title="{title}">Total</span>' for title in words)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<html><body>'
            f'<div class="ocr_page" title="{page_title}"><span class="ocr_line" title="bbox 0 0 9 9">'
            f"{spans}</span></div></body></html>\n")


# --- builders: each makes one hostile input in ``folder`` and returns its path ---------------

def build_fifo(folder: Path) -> Path:
    path = folder / "pipe.pdf"
    os.mkfifo(path)
    return path


def build_dev_zero_link(folder: Path) -> Path:
    path = folder / "zero.pdf"
    path.symlink_to("/dev/zero")
    return path


def build_dev_urandom_link(folder: Path) -> Path:
    path = folder / "random.png"
    path.symlink_to("/dev/urandom")
    return path


def build_sparse_10gb(folder: Path) -> Path:
    """10 GB of zeros that take no disk: a file of no type we read, too big to hash in passing."""
    path = folder / "sparse.pdf"
    with path.open("wb") as handle:
        handle.truncate(10 * 2**30)
    return path


def build_hocr_wconf_9_9_9(folder: Path) -> Path:
    path = folder / "wconf.hocr"
    path.write_text(hocr(["bbox 100 100 200 150; x_wconf 9.9.9"]))
    return path


def build_hocr_bbox_400_digits(folder: Path) -> Path:
    path = folder / "bbox400.hocr"
    path.write_text(hocr([f"bbox {'9' * 400} 100 200 150"]))
    return path


def build_hocr_bbox_5000_digits(folder: Path) -> Path:
    path = folder / "bbox5000.hocr"
    path.write_text(hocr([f"bbox 100 100 200 {'9' * 5000}; x_wconf 90"]))
    return path


def build_hocr_page_5000_digits(folder: Path) -> Path:
    path = folder / "page5000.hocr"
    path.write_text(hocr(["bbox 100 100 200 150"], page_title=f"bbox 0 0 {'9' * 5000} 3508"))
    return path


def build_hocr_huge_page(folder: Path) -> Path:
    """A page that claims to be 200000 x 200000 pixels: `show` would sketch it at that size."""
    path = folder / "hugepage.hocr"
    path.write_text(hocr(["bbox 100 100 200 150"], page_title="bbox 0 0 200000 200000"))
    return path


def build_hocr_million_words(folder: Path) -> Path:
    """One page of a million words (47 MB, under the 50 MB file limit), with a damaged word at
    the very end: a reader that stops at the word limit never reaches it."""
    path = folder / "million.hocr"
    word = "<b class=ocrx_word title='bbox 1 2 3 4'>w</b>"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(f'<?xml version="1.0"?>\n<html><body><div class="ocr_page" title="{_PAGE}">'
                     '<span class="ocr_line" title="bbox 0 0 9 9">')
        for _ in range(1000):
            handle.write(word * 1000)
        handle.write("<b class=ocrx_word title='bbox 1 2 3 4; x_wconf 9.9.9'>w</b></span></div></body></html>\n")
    return path


def build_deep_tree(folder: Path) -> Path:
    """A folder tree 1500 levels deep with an hOCR invoice at the bottom and one at the top.
    Made level by level from the parent's descriptor: os.makedirs recurses too."""
    top = folder / "deep"
    top.mkdir()
    text = hocr(["bbox 100 100 200 150; x_wconf 90"])
    (top / "top.hocr").write_text(text)
    parent = os.open(top, os.O_RDONLY)
    try:
        for _ in range(_DEEP):
            os.mkdir("d", dir_fd=parent)
            child = os.open("d", os.O_RDONLY, dir_fd=parent)
            os.close(parent)
            parent = child
        with open(os.open("bottom.hocr", os.O_WRONLY | os.O_CREAT, dir_fd=parent), "w", encoding="utf-8") as bottom:
            bottom.write(text)
    finally:
        os.close(parent)
    return top


def remove_deep_tree(top: Path) -> None:
    """Remove what build_deep_tree made, deepest folder first. shutil.rmtree recurses, so left
    in place the tree would crash pytest's own clean-up of old temporary folders."""
    levels = []
    descriptor = os.open(top, os.O_RDONLY)
    while True:
        levels.append(descriptor)
        for name in os.listdir(descriptor):
            if name != "d":
                os.unlink(name, dir_fd=descriptor)
        if "d" not in os.listdir(descriptor):
            break
        descriptor = os.open("d", os.O_RDONLY, dir_fd=descriptor)
    for parent, _child in zip(reversed(levels[:-1]), reversed(levels[1:])):
        os.close(_child)
        os.rmdir("d", dir_fd=parent)
    os.close(levels[0])
    top.rmdir()


@pytest.fixture
def deep_tree(tmp_path: Path) -> Iterator[Path]:
    top = build_deep_tree(tmp_path)
    yield top
    remove_deep_tree(top)


HOSTILE_CASES = [
    build_fifo, build_dev_zero_link, build_dev_urandom_link, build_sparse_10gb,
    build_hocr_wconf_9_9_9, build_hocr_bbox_400_digits, build_hocr_bbox_5000_digits,
    build_hocr_page_5000_digits, build_hocr_huge_page, build_hocr_million_words,
]


# --- special files ------------------------------------------------------------------------

# Run in a child process: if the fix regressed, a FIFO would block it and /dev/zero would feed
# it forever, and the timeout ends it instead of the test run.
_EVERY_READER = """
import json, sys, tempfile
from collections.abc import Iterator
from pathlib import Path
from typer.testing import CliRunner
from invoice_extract import extract
from invoice_extract.cli import app
from invoice_extract.documents import file_sha256, sniff
from invoice_extract.errors import InvoiceExtractError
path = sys.argv[1]
seen = {}
for name, call in (("sniff", lambda: sniff.sniff_media_type(Path(path))), ("hash", lambda: file_sha256(Path(path)))):
    try:
        call()
        seen[name] = "read"
    except InvoiceExtractError as error:
        seen[name] = error.code + ": " + str(error)
record = extract(path)
seen["api"] = record.errors[0].code + ": " + record.errors[0].message
seen["api_sha256"] = record.sha256
runner = CliRunner()
review = str(Path(tempfile.mkdtemp()) / "review.html")
for command in (["extract", path], ["words", path], ["show", path, "-o", review]):
    result = runner.invoke(app, command)
    seen[command[0]] = [result.exit_code, result.stderr]
print(json.dumps(seen))
"""


@pytest.mark.parametrize("build", [build_fifo, build_dev_zero_link, build_dev_urandom_link])
def test_special_files_are_refused_at_once_by_every_reader(tmp_path, build):
    path = build(tmp_path)
    done = subprocess.run([sys.executable, "-c", _EVERY_READER, str(path)], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    for reader in ("sniff", "hash", "api"):
        assert seen[reader].startswith("unreadable_file: ") and "not a regular file" in seen[reader], reader
    assert seen["api_sha256"] is None
    for command in ("extract", "words", "show"):
        exit_code, stderr = seen[command]
        assert exit_code == 3 and "not a regular file" in stderr and "internal error" not in stderr, command


def test_a_special_file_in_a_folder_is_not_picked_up(tmp_path, hocr_file):
    shutil.copy(hocr_file, tmp_path / "bill.hocr")
    build_fifo(tmp_path)
    build_dev_zero_link(tmp_path)
    assert collect_inputs([tmp_path]) == [tmp_path / "bill.hocr"]


def test_a_file_refused_by_its_type_is_not_hashed_on_the_error_path(tmp_path):
    record = read(build_sparse_10gb(tmp_path)).record
    assert record.errors[0].code == "unsupported_file_type"
    assert record.sha256 is None  # hashing it took 36 s before


# --- hOCR ---------------------------------------------------------------------------------

@pytest.mark.parametrize("build", [build_hocr_wconf_9_9_9, build_hocr_bbox_400_digits,
                                   build_hocr_bbox_5000_digits, build_hocr_page_5000_digits])
def test_malformed_hocr_numbers_are_a_corrupt_file(tmp_path, build):
    path = build(tmp_path)
    with pytest.raises(CorruptFileError, match="hOCR file is damaged"):
        load_document(path)
    result = runner.invoke(app, ["words", str(path)])
    assert result.exit_code == CorruptFileError.exit_code and "corrupt_file" in result.stderr


@pytest.mark.parametrize("title", ["bbox nan 100 200 150", "bbox -5 100 200 150", "bbox 100 100 inf 150",
                                   "bbox 100 100 200", "bbox 200 100 100 150", "bbox 100 100 200 150; x_wconf nan",
                                   "bbox 100 100 200 150; x_wconf -3", "bbox 100 100 200 150; x_wconf 101",
                                   "bbox 100 100 200 150; x_wconf 1e5", "bbox ١٠٠ 100 200 150"])
def test_hocr_numbers_no_ocr_engine_writes_are_a_corrupt_file(tmp_path, title):
    path = tmp_path / "odd.hocr"
    path.write_text(hocr([title]), encoding="utf-8")
    with pytest.raises(CorruptFileError, match="Total"):
        load_document(path)


def test_hocr_as_engines_write_it_is_still_read(tmp_path):
    path = tmp_path / "fine.hocr"
    path.write_text(hocr(["bbox 100 100 200 150; x_wconf 96", "bbox 210 100 300 150; x_wconf 87.5",
                          "bbox 310 100 400 150", "x_wconf 50"]))
    (page,) = load_document(path).pages
    assert [(w.box, w.confidence) for w in page.words] == [
        ((100, 100, 200, 150), 0.96), ((210, 100, 300, 150), 0.875), ((310, 100, 400, 150), 1.0)]
    assert page.dpi == 300  # a word without a box (the last) is left out, as before


def test_hocr_page_over_the_word_limit_is_too_large_before_the_rest_is_read(tmp_path):
    path = build_hocr_million_words(tmp_path)
    # The damaged word at the end would make it corrupt_file: too_large shows the parse stopped.
    with pytest.raises(TooLargeError, match="more than 20000 words"):
        load_document(path)


def test_the_hocr_word_limit_is_the_load_option(tmp_path):
    path = tmp_path / "words.hocr"
    path.write_text(hocr(["bbox 1 2 3 4"] * 101))
    with pytest.raises(TooLargeError, match="more than 100 words"):
        load_document(path, LoadOptions(max_page_words=100))
    assert len(load_document(path, LoadOptions(max_page_words=101)).pages[0].words) == 101


def test_an_hocr_page_larger_than_the_pixel_limit_is_refused(tmp_path):
    path = build_hocr_huge_page(tmp_path)
    with pytest.raises(ImageTooLargeError, match="200000 x 200000"):
        load_document(path)
    result = runner.invoke(app, ["show", str(path), "-o", str(tmp_path / "review.png")])
    assert result.exit_code == ImageTooLargeError.exit_code and not (tmp_path / "review.png").exists()


# --- folder trees ---------------------------------------------------------------------------

def test_a_folder_tree_1500_levels_deep_is_walked(deep_tree):
    top = deep_tree
    bottom = top.joinpath(*["d"] * _DEEP, "bottom.hocr")
    assert collect_inputs([top]) == [bottom, top / "top.hocr"]  # sorted: "d" before "top.hocr"
    assert find_inputs(top) == [bottom, top / "top.hocr"]
    assert find_inputs(top, "**/bottom.hocr") == [bottom]
    assert find_inputs(top, "*.hocr") == [top / "top.hocr"]


def test_extract_reads_a_folder_tree_1500_levels_deep(deep_tree):
    top = deep_tree
    result = runner.invoke(app, ["extract", str(top)])
    assert result.exit_code == 0, result.stderr
    sources = sorted(Path(record["source"]).name for record in json.loads(result.stdout))
    assert sources == ["bottom.hocr", "top.hocr"]


def test_a_folder_too_deep_to_open_is_reported_and_the_run_goes_on(tmp_path, hocr_file):
    """Past PATH_MAX (4096 bytes) a folder cannot be listed by its path: it gets an error
    record of its own, and the other files are read."""
    top = tmp_path / "long"
    top.mkdir()
    shutil.copy(hocr_file, top / "bill.hocr")
    parent = os.open(top, os.O_RDONLY)
    try:
        for _ in range(40):  # 40 x 120 bytes
            os.mkdir("d" * 119, dir_fd=parent)
            child = os.open("d" * 119, os.O_RDONLY, dir_fd=parent)
            os.close(parent)
            parent = child
    finally:
        os.close(parent)
    result = runner.invoke(app, ["extract", str(top), "--format", "table"])
    assert "internal error" not in result.stderr
    assert result.exit_code == 3 and "File name too long" in result.stderr
    assert "2 files" in result.stderr and "1 failed" in result.stderr


# --- batch output folder --------------------------------------------------------------------

def test_batch_output_folder_that_cannot_be_made_is_a_usage_error(tmp_path, hocr_file):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(hocr_file, src / "bill.hocr")
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    for out, problem in ((a_file / "out", "cannot be made (Not a directory)"), (a_file, "is a file, not a folder")):
        result = runner.invoke(app, ["batch", str(src), "--out", str(out)])
        assert result.exit_code == 2 and "bad_export" in result.stderr and problem in result.stderr, result.stderr


def test_batch_output_folder_that_cannot_be_written_is_a_usage_error(tmp_path, hocr_file):
    """Root writes through chmod, so the folder is made immutable (chattr +i) instead."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(hocr_file, src / "bill.hocr")
    out = tmp_path / "out"
    out.mkdir()
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(out)], check=False).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        result = runner.invoke(app, ["batch", str(src), "--out", str(out)])
    finally:
        subprocess.run([chattr, "-i", str(out)], check=True)
    assert result.exit_code == 2 and "cannot be written to" in result.stderr, result.stderr
