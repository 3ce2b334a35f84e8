"""The ``invoice-extract`` command line. It only parses options and calls the pipeline."""

from __future__ import annotations

import json
import sys
import traceback
from enum import Enum
from itertools import zip_longest
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from . import __version__
from .documents import LoadOptions, load_document
from .documents.options import DEFAULT_DPI, DEFAULT_MAX_PAGES, DEFAULT_MAX_PIXELS
from .errors import ALL_ERRORS, InvoiceExtractError
from .ner import TaggedWord, Tagger

EXIT_CODES_HELP = "Exit codes: " + ", ".join(
    ["0 success", "2 bad command line"]
    + [f"{error.exit_code} {error.code.replace('_', ' ')}" for error in ALL_ERRORS]
) + "."

app = typer.Typer(
    name="invoice-extract",
    help="Turn invoices and receipts (PDFs, scans, photos, hOCR) into structured data, offline.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
stderr = Console(stderr=True, soft_wrap=True)  # messages stay one line, for logs and grep
_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"invoice-extract {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback of unexpected errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    _state["debug"] = debug


def _fail(error: BaseException) -> NoReturn:
    if isinstance(error, InvoiceExtractError):
        stderr.print(f"[bold red]error[/] ({error.code}): {error}", highlight=False)
        raise typer.Exit(error.exit_code)
    if _state["debug"]:
        traceback.print_exception(error)
    stderr.print(
        f"[bold red]internal error[/]: {type(error).__name__}: {error}\n"
        "This is a bug in invoice-extract; run again with --debug and report the traceback.",
        highlight=False,
    )
    raise typer.Exit(1)


class OcrChoice(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


@app.command(
    epilog="Examples:\n\n"
    "  invoice-extract words bill.pdf\n\n"
    "  invoice-extract words scan.jpg --lang eng+deu --json > words.json\n\n"
    "  invoice-extract words locked.pdf --password s3cret"
)
def words(
    file: Annotated[Path, typer.Argument(help="A PDF, image (PNG, JPEG, TIFF, BMP, WebP) or hOCR file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole document as JSON instead of TSV.")] = False,
    as_text: Annotated[bool, typer.Option("--text", help="Print each page's text, line by line, instead of TSV.")] = False,
    tags: Annotated[
        bool, typer.Option("--tags", help="Also tag each word with the invoice field the model sees in it.")
    ] = False,
    ocr: Annotated[
        OcrChoice,
        typer.Option(
            help="auto: OCR only PDF pages without a usable text layer; always: OCR every page; "
            "never: use text layers and hOCR only."
        ),
    ] = OcrChoice.auto,
    lang: Annotated[str, typer.Option(help="Tesseract languages joined by '+', e.g. eng+deu+fra.")] = "eng",
    password: Annotated[str | None, typer.Option(help="Password of an encrypted PDF.")] = None,
    max_pages: Annotated[int, typer.Option(help="Refuse files with more pages than this.")] = DEFAULT_MAX_PAGES,
    max_pixels: Annotated[
        int, typer.Option(help="Refuse images or pages with more pixels than this (decompression bombs).")
    ] = DEFAULT_MAX_PIXELS,
    dpi: Annotated[int, typer.Option(help="Resolution for rendering PDF pages to OCR.")] = DEFAULT_DPI,
    rotate: Annotated[bool, typer.Option(help="Detect and undo 90/180/270 degree turns of scans.")] = True,
    deskew: Annotated[bool, typer.Option(help="Straighten slightly tilted scans.")] = True,
) -> None:
    """Print every word of FILE with its box, page by page.

    With --text, print each page's text instead, for reading rather than parsing.
    With --tags, the tagging model labels each word (BIO tags: B-TOTAL, I-VENDOR_NAME, O...).

    TSV columns: page, block, line, word (indices), x0 y0 x1 y1 (pixels of the page at its
    dpi, origin top-left), nx0 ny0 nx1 ny1 (the box scaled to 0-1000), confidence (0-1), text;
    with --tags also tag and tag_confidence.
    A summary of each page (size, where its text came from) goes to stderr.
    """
    options = LoadOptions(
        ocr=ocr.value,
        languages=lang,
        password=password,
        max_pages=max_pages,
        max_pixels=max_pixels,
        dpi=dpi,
        auto_rotate=rotate,
        deskew=deskew,
        keep_images=False,
    )
    try:
        document = load_document(file, options)
        tagged = Tagger.shared().tag(document) if tags else []
    except Exception as error:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(error)
    # Tagger.tag keeps the document's word order, so each page's tags line up with its words.
    page_tags: dict[int, list[TaggedWord]] = {page.number: [] for page in document.pages}
    for item in tagged:
        page_tags[item.page].append(item)

    for warning in document.warnings:
        stderr.print(f"[yellow]warning[/]: {warning}", highlight=False)
    if as_json:
        data = document.to_dict()
        for page_data in data["pages"]:
            for word_data, item in zip(page_data["words"], page_tags[page_data["number"]]):
                word_data["tag"] = item.tag
                word_data["tag_confidence"] = round(item.confidence, 3)
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    out = sys.stdout
    if not as_text:
        extra = "\ttag\ttag_confidence" if tags else ""
        out.write(f"page\tblock\tline\tword\tx0\ty0\tx1\ty1\tnx0\tny0\tnx1\tny1\tconfidence\ttext{extra}\n")
    for page in document.pages:
        turned = f", turned {page.rotation} deg" if page.rotation else ""
        tilted = f", straightened {page.skew:.1f} deg" if page.skew else ""
        summary = (
            f"page {page.number}: {page.width}x{page.height} px at {page.dpi} dpi, "
            f"{len(page.words)} words from {page.text_source}{turned}{tilted}"
        )
        if as_text:
            out.write(f"--- {summary}\n{page.text}\n")
            found: dict[str, list[str]] = {}
            for item in page_tags[page.number]:
                if item.tag != "O":
                    found.setdefault(item.tag[2:], []).append(item.word.text)
            out.writelines(f"  {name}: {' '.join(words)}\n" for name, words in found.items())
            continue
        stderr.print(summary, highlight=False)
        for w, item in zip_longest(page.words, page_tags[page.number]):
            box = "\t".join(f"{v:g}" for v in w.box)
            norm = "\t".join(str(v) for v in w.norm_box)
            tag = f"\t{item.tag}\t{item.confidence:.2f}" if item else ""
            out.write(
                f"{page.number}\t{w.block}\t{w.line}\t{w.index}\t{box}\t{norm}\t{w.confidence:.2f}\t{w.text}{tag}\n"
            )
