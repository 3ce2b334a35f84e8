"""Bad input: each kind raises its own error type, and the CLI exits with its code."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import png_header_bomb
from invoice_extract import LoadOptions, load_document
from invoice_extract.cli import app
from invoice_extract.errors import (
    ALL_ERRORS,
    CorruptFileError,
    EmptyFileError,
    EncryptedPDFError,
    ImageTooLargeError,
    InputFileError,
    InvoiceExtractError,
    OCRUnavailableError,
    TooManyPagesError,
    UnsupportedFileTypeError,
)

CASES = [
    ("empty", EmptyFileError, "empty"),
    ("random", UnsupportedFileTypeError, "not a PDF, image"),
    ("zip", UnsupportedFileTypeError, "export it as PDF"),
    ("truncated", CorruptFileError, "damaged"),
    ("encrypted", EncryptedPDFError, "--password"),
    ("bomb", ImageTooLargeError, "decompression bomb"),
]


@pytest.mark.parametrize(("name", "error", "advice"), CASES)
def test_bad_file_raises_its_own_error_with_advice(bad_files, name, error, advice):
    with pytest.raises(error) as caught:
        load_document(bad_files[name])
    assert type(caught.value) is error
    assert advice in str(caught.value)
    assert str(bad_files[name]) in str(caught.value)


@pytest.mark.parametrize(("name", "error", "advice"), CASES)
def test_cli_exits_with_the_errors_code_and_no_traceback(bad_files, name, error, advice):
    result = CliRunner().invoke(app, ["words", str(bad_files[name])])
    assert result.exit_code == error.exit_code
    assert "Traceback" not in result.output
    assert error.code in result.output


def test_bad_input_is_never_modified_or_deleted(bad_files):
    before = {name: path.read_bytes() for name, path in bad_files.items()}
    for path in bad_files.values():
        with pytest.raises(InvoiceExtractError):
            load_document(path)
    assert {name: path.read_bytes() for name, path in bad_files.items()} == before


def test_wrong_password_says_so(bad_files):
    with pytest.raises(EncryptedPDFError, match="password given is wrong"):
        load_document(bad_files["encrypted"], LoadOptions(password="guess"))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        load_document(tmp_path / "nope.pdf")
    with pytest.raises(InputFileError, match="folder"):
        load_document(tmp_path)


def test_too_many_pages(tiff_3_pages, digital):
    with pytest.raises(TooManyPagesError, match="3 pages"):
        load_document(tiff_3_pages, LoadOptions(max_pages=2))
    load_document(digital.path, LoadOptions(max_pages=1))  # at the limit is fine


def test_pixel_limit_is_settable(tmp_path, scan_png):
    with pytest.raises(ImageTooLargeError, match="2481 x 3508"):
        load_document(scan_png, LoadOptions(max_pixels=1_000_000))
    moderate = tmp_path / "moderate.png"
    moderate.write_bytes(png_header_bomb(12000, 12000))  # 144 MP: under Pillow's own refusal
    with pytest.raises(ImageTooLargeError, match="12000 x 12000"):
        load_document(moderate, LoadOptions(max_pixels=100_000_000))


def test_content_decides_the_type_not_the_name(tmp_path, scan_png, digital):
    renamed_image = tmp_path / "looks-like.pdf"
    renamed_image.write_bytes(scan_png.read_bytes())
    renamed_pdf = tmp_path / "looks-like.png"
    renamed_pdf.write_bytes(digital.path.read_bytes())
    assert load_document(renamed_pdf).media_type == "application/pdf"
    assert load_document(renamed_image, LoadOptions(ocr="never")).media_type == "image/png"


def test_missing_tesseract_names_the_package(scan_png, monkeypatch):
    from invoice_extract.documents import ocr

    ocr.installed_languages.cache_clear()
    monkeypatch.setenv("PATH", "/nonexistent")
    try:
        with pytest.raises(OCRUnavailableError, match="apt-get install tesseract-ocr"):
            load_document(scan_png)
    finally:
        ocr.installed_languages.cache_clear()


def test_missing_language_names_the_package(scan_png):
    with pytest.raises(OCRUnavailableError, match="apt-get install tesseract-ocr-chi-sim"):
        load_document(scan_png, LoadOptions(languages="eng+chi_sim"))


def test_every_error_has_its_own_exit_code_and_code():
    assert len({e.exit_code for e in ALL_ERRORS}) == len(ALL_ERRORS)
    assert len({e.code for e in ALL_ERRORS}) == len(ALL_ERRORS)
    assert all(issubclass(e, InvoiceExtractError) for e in ALL_ERRORS)
