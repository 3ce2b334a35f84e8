"""The ``invoice-extract`` command line. It only parses options and calls the pipeline."""

from __future__ import annotations

import functools
import inspect
import json
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from enum import Enum
from itertools import zip_longest
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from . import __version__
from .batch import EngineUnavailableError, Outcome, Summary, find_inputs, run_batch
from .documents import LoadOptions, sniff
from .documents.options import DEFAULT_DPI, DEFAULT_MAX_PAGES, DEFAULT_MAX_PIXELS
from .errors import ALL_ERRORS, InputFileError, InvoiceExtractError
from .exporters import (
    DatevOptions,
    ExportOptions,
    ExportSummary,
    format_for,
    write_records,
)
from .ner import TaggedWord, Tagger
from .pipeline import collect_inputs, no_inputs_error, read, read_words
from .record import RECORD_FIELDS, InvoiceRecord
from .review import render_review_html, render_review_png
from .watch import (
    DEFAULT_SETTLE,
    WatchConfig,
    Watcher,
    WatchError,
    WatchLog,
    stopping_on_signals,
)
from .worker import DEFAULT_FILE_MEMORY_MB, DEFAULT_FILE_SECONDS, FileBudget

# In exit-code order; 2 covers every usage error (a wrong option, an export that cannot be made...).
EXIT_CODES_HELP = "Exit codes: " + ", ".join(
    f"{code} {meaning}" for code, meaning in sorted(
        [(0, "success"), (2, "bad command line or options")]
        + [(error.exit_code, error.code.replace("_", " ")) for error in ALL_ERRORS if error.exit_code != 2]
    )
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


def _say(label: str, message: str, console: Console = stderr) -> None:
    """One line on stderr: a coloured label, then the message as plain text (a file named
    "[red]x.pdf" must print as it is, not as markup)."""
    styles = {"error": "bold red", "warning": "yellow", "note": "yellow"}
    console.print(f"[{styles[label.split()[0]]}]{label}[/]: {escape(message)}", highlight=False)


def _fail(error: BaseException) -> NoReturn:
    if isinstance(error, InvoiceExtractError):
        _say(f"error ({error.code})", str(error))
        raise typer.Exit(error.exit_code)
    if _state["debug"]:
        traceback.print_exception(error)
    stderr.print(
        f"[bold red]internal error[/]: {type(error).__name__}: {escape(str(error))}\n"
        "This is a bug in invoice-extract; run again with --debug and report the traceback.",
        highlight=False,
    )
    raise typer.Exit(1)


class OcrChoice(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class OcrEngineChoice(str, Enum):
    auto = "auto"
    ppocr = "ppocr"
    tesseract = "tesseract"


# Reading options shared by every command that reads files.
OcrOption = Annotated[
    OcrChoice,
    typer.Option(
        help="auto: OCR only PDF pages without a usable text layer; always: OCR every page; "
        "never: use text layers and hOCR only.", rich_help_panel="Reading",
    ),
]
LangOption = Annotated[
    str, typer.Option(help="Tesseract languages joined by '+', e.g. eng+deu+fra; auto reads a page in English, "
                      "then again in its own language (de, fr, nl, es, it) if it is in one.", rich_help_panel="Reading")
]
OcrEngineOption = Annotated[
    OcrEngineChoice,
    typer.Option(
        help="The OCR engine. auto: PP-OCR text detection and recognition (best on receipts and photos), "
        "with accents and spaces from Tesseract on a page in German, French, Dutch, Spanish or Italian; "
        "ppocr: PP-OCR alone (reads no accents: e, not é); tesseract: Tesseract alone, in every --lang.",
        rich_help_panel="Reading",
    ),
]
PasswordOption = Annotated[
    str | None, typer.Option(help="Password of encrypted PDFs.", rich_help_panel="Reading")
]
MaxPagesOption = Annotated[
    int, typer.Option(help="Refuse files with more pages than this.", rich_help_panel="Reading")
]
MaxPixelsOption = Annotated[
    int, typer.Option(help="Refuse images or pages with more pixels than this (decompression bombs).",
                      rich_help_panel="Reading"),
]
DpiOption = Annotated[int, typer.Option(help="Resolution for rendering PDF pages to OCR.", rich_help_panel="Reading")]
RotateOption = Annotated[
    bool, typer.Option(help="Detect and undo 90/180/270 degree turns of scans.", rich_help_panel="Reading")
]
DeskewOption = Annotated[bool, typer.Option(help="Straighten slightly tilted scans.", rich_help_panel="Reading")]
SparsePassOption = Annotated[
    bool, typer.Option(help="OCR each scanned page a second time as sparse text, for text the first pass skips "
                       "(a receipt's amounts column); --no-sparse-pass saves a third of OCR time.",
                       rich_help_panel="Reading"),
]
VerifyEInvoiceOption = Annotated[
    bool, typer.Option("--verify-einvoice", help="E-invoice PDFs (Factur-X, ZUGFeRD) are read from their XML; also "
                       "read the page, and flag a total, date or invoice number that differs (needs review).",
                       rich_help_panel="Reading"),
]

# batch and watch read each file in a worker process that is stopped past these (worker.py).
FileTimeoutOption = Annotated[
    float, typer.Option("--file-timeout", min=1, metavar="SECONDS",
                        help="The longest one file may take; past it, its worker is stopped and the file "
                        "fails with too_slow.", rich_help_panel="Per-file budget")]
FileMemoryOption = Annotated[
    int, typer.Option("--file-memory", min=64, metavar="MB",
                      help="The most memory one file's worker (with Tesseract) may hold; past it, the worker "
                      "is stopped and the file fails with too_large.", rich_help_panel="Per-file budget")]


# Every command that reads files takes the same reading options; `reading_options` adds them
# to its command line and hands the command one LoadOptions (typer has no option groups).
F = TypeVar("F", bound=Callable[..., Any])
_READING_OPTIONS: dict[str, tuple[Any, Any]] = {
    "ocr": (OcrOption, OcrChoice.auto),
    "lang": (LangOption, "auto"),
    "ocr_engine": (OcrEngineOption, OcrEngineChoice.auto),
    "password": (PasswordOption, None),
    "max_pages": (MaxPagesOption, DEFAULT_MAX_PAGES),
    "max_pixels": (MaxPixelsOption, DEFAULT_MAX_PIXELS),
    "dpi": (DpiOption, DEFAULT_DPI),
    "rotate": (RotateOption, True),
    "deskew": (DeskewOption, True),
    "sparse_pass": (SparsePassOption, True),
}


def reading_options(*, keep_images: bool, verify_einvoice: bool | None = False) -> Callable[[F], F]:
    """Give a command the reading options (--ocr, --lang, ...) as its ``options`` parameter.

    ``verify_einvoice``: None adds the --verify-einvoice option; True or False fixes it.
    """
    added = dict(_READING_OPTIONS)
    if verify_einvoice is None:
        added["verify_einvoice"] = (VerifyEInvoiceOption, False)

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        own = [parameter for parameter in signature.parameters.values() if parameter.name != "options"]
        extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
                 for name, (annotation, default) in added.items()]

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in added}
            options = LoadOptions(
                ocr=given["ocr"].value, languages=given["lang"], ocr_engine=given["ocr_engine"].value,
                password=given["password"],
                max_pages=given["max_pages"], max_pixels=given["max_pixels"], dpi=given["dpi"],
                auto_rotate=given["rotate"], deskew=given["deskew"], sparse_pass=given["sparse_pass"],
                keep_images=keep_images,
                verify_einvoice=given.get("verify_einvoice", verify_einvoice),
            )
            return command(*args, options=options, **kwargs)

        # typer reads the command line from the signature: the command's own parameters, then these.
        run.__signature__ = signature.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
        run.__annotations__ = {parameter.name: parameter.annotation for parameter in [*own, *extra]}
        return run  # type: ignore[return-value]

    return decorate


@app.command(
    epilog="Examples:\n\n"
    "  invoice-extract words bill.pdf\n\n"
    "  invoice-extract words scan.jpg --lang eng+deu --json > words.json\n\n"
    "  invoice-extract words locked.pdf --password s3cret"
)
@reading_options(keep_images=False)
def words(
    file: Annotated[Path, typer.Argument(help="A PDF, image (PNG, JPEG, TIFF, BMP, WebP) or hOCR file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole document as JSON instead of TSV.")] = False,
    as_text: Annotated[bool, typer.Option("--text", help="Print each page's text, line by line, instead of TSV.")] = False,
    tags: Annotated[
        bool, typer.Option("--tags", help="Also tag each word with the invoice field the model sees in it.")
    ] = False,
    options: LoadOptions = LoadOptions(),
) -> None:
    """Print every word of FILE with its box, page by page.

    With --text, print each page's text instead, for reading rather than parsing.
    With --tags, the tagging model labels each word (BIO tags: B-TOTAL, I-VENDOR_NAME, O...).

    TSV columns: page, block, line, word (indices), x0 y0 x1 y1 (pixels of the page at its
    dpi, origin top-left), nx0 ny0 nx1 ny1 (the box scaled to 0-1000), confidence (0-1), text;
    with --tags also tag and tag_confidence.
    A summary of each page (size, where its text came from) goes to stderr.
    """
    try:
        document, tagged = read_words(file, options, tags=tags)
    except Exception as error:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(error)
    # Tagger.tag keeps the document's word order, so each page's tags line up with its words.
    page_tags: dict[int, list[TaggedWord]] = {page.number: [] for page in document.pages}
    for item in tagged:
        page_tags[item.page].append(item)

    for warning in document.warnings:
        _say("warning", warning)
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


class FormatChoice(str, Enum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"
    table = "table"  # for reading on the terminal; not an export format (the exporters do not know it)


class PresetChoice(str, Enum):
    generic = "generic"
    xero = "xero"
    quickbooks = "quickbooks"
    datev = "datev"


class DateOrderChoice(str, Enum):
    dmy = "dmy"
    mdy = "mdy"


@app.command(
    epilog="Examples:\n\n"
    "  invoice-extract extract bill.pdf\n\n"
    "  invoice-extract extract inbox/ -o invoices.csv\n\n"
    "  invoice-extract extract scans/*.jpg --lang eng+deu -o bills.xlsx\n\n"
    "  invoice-extract extract inbox/ -o xero-bills.csv --preset xero --account-code 429 --tax-type INPUT2\n\n"
    "  invoice-extract extract inbox/ --format table\n\n"
    "Each record holds vendor_name, vendor_address, customer_name, invoice_number, invoice_date, due_date "
    "(ISO dates), currency (ISO 4217), subtotal, tax, total (decimal strings), each with its confidence, "
    "page and box; and status: ok, needs_review (see warnings) or error (see errors). "
    "See `invoice-extract schema`. "
    "--format table prints one row per file (file, status, vendor, invoice number, date, currency, total, "
    "warnings) to read on the terminal; it is never written to a file."
)
@reading_options(keep_images=False, verify_einvoice=None)
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files, or folders to read every invoice file in.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here instead of stdout; the format follows the extension."),
    ] = None,
    output_format: Annotated[
        FormatChoice | None,
        typer.Option("--format", "-f", help="json (default on stdout), jsonl, csv or xlsx; "
                     "or table, to read on the terminal (not with -o or a preset)."),
    ] = None,
    preset: Annotated[
        PresetChoice,
        typer.Option(help="Column layout: generic, or the bill import of xero, quickbooks (Online) or datev "
                     "(Buchungsstapel). Presets write CSV.", rich_help_panel="Spreadsheets"),
    ] = PresetChoice.generic,
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV for Excel in comma-decimal locales (de, fr, nl...): a UTF-8 "
                           "byte-order mark, ';' between columns and decimal commas.", rich_help_panel="Spreadsheets"),
    ] = False,
    delimiter: Annotated[
        str | None, typer.Option(help="Column separator of the generic CSV (with --excel: ',' keeps decimal points).",
                                 rich_help_panel="Spreadsheets"),
    ] = None,
    account_code: Annotated[
        str | None, typer.Option(help="Expense account for xero/quickbooks/datev rows (your chart of accounts).",
                                 rich_help_panel="Spreadsheets"),
    ] = None,
    tax_type: Annotated[
        str | None, typer.Option(help="Tax type or code for xero/quickbooks/datev rows.",
                                 rich_help_panel="Spreadsheets"),
    ] = None,
    date_order: Annotated[
        DateOrderChoice | None,
        typer.Option(help="Date order of your Xero or QuickBooks company (default: dmy for xero, mdy for quickbooks).",
                     rich_help_panel="Spreadsheets"),
    ] = None,
    datev_consultant: Annotated[
        int, typer.Option(help="DATEV Beraternummer of your tax adviser.", rich_help_panel="DATEV")
    ] = 1001,
    datev_client: Annotated[int, typer.Option(help="DATEV Mandantennummer.", rich_help_panel="DATEV")] = 1,
    datev_fiscal_year_start: Annotated[
        int, typer.Option(help="Month (1-12) the client's fiscal year begins.", rich_help_panel="DATEV")
    ] = 1,
    datev_account_length: Annotated[
        int, typer.Option(help="Sachkontenlänge: digits of the client's accounts (4-8).", rich_help_panel="DATEV")
    ] = 4,
    creditor_account: Annotated[
        str | None, typer.Option(help="DATEV creditor account (Kreditor) the bills are booked against.",
                                 rich_help_panel="DATEV"),
    ] = None,
    options: LoadOptions = LoadOptions(),
) -> None:
    """Extract one record per invoice or receipt: vendor, dates, amounts, with confidence and evidence.

    A file that cannot be read gets a record with status 'error' and the run goes on.
    The exit code is 0 when every file was read, otherwise the code of the first failure (see below).
    """
    table = output_format is FormatChoice.table
    try:
        if table and (output is not None or preset is not PresetChoice.generic):
            raise typer.BadParameter("table is printed on the terminal, never written to a file or an import: "
                                     "drop -o and --preset, or choose json, jsonl, csv or xlsx",
                                     param_hint="--format")
        export_options = ExportOptions(
            preset=preset.value, excel=excel, delimiter=delimiter, account_code=account_code, tax_type=tax_type,
            date_order=date_order.value if date_order else None,
            datev=DatevOptions(consultant=datev_consultant, client=datev_client, creditor=creditor_account,
                               fiscal_year_start=datev_fiscal_year_start, account_length=datev_account_length),
        )
        # Checked before any file is read, so a wrong request fails at once.
        fmt = "table" if table else format_for(output, output_format.value if output_format else None,
                                               export_options)
        inputs = collect_inputs(paths)
        if not inputs:
            raise no_inputs_error(paths)
        if output is not None and any(_same_file(output, path) for path in inputs):
            raise InputFileError("is one of the input files; choose another output file, inputs are never "
                                 "overwritten", path=str(output))
        records = list(_with_progress(inputs, options))
        summary = _print_table(records) if table else write_records(records, output, fmt, export_options)
    except typer.BadParameter:
        raise
    except Exception as error:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(error)
    _report(records, summary, output)
    failed = [r for r in records if r.status == "error"]
    if failed:
        raise typer.Exit(_exit_code(failed[0].errors[0].code))


def _with_progress(inputs: list[Path], options: LoadOptions) -> Iterator[InvoiceRecord]:
    """Records one by one, with a progress bar on stderr when there is more than one file."""
    tagger = Tagger.shared()
    if len(inputs) == 1:
        yield read(inputs[0], options, tagger=tagger).record
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("Reading invoices", total=len(inputs))
        for path in inputs:
            progress.update(task, description=f"Reading {path.name}")
            record = read(path, options, tagger=tagger).record
            if record.status == "error":
                _say(f"error ({record.errors[0].code})", record.errors[0].message, progress.console)
            yield record
            progress.advance(task)


def _print_table(records: list[InvoiceRecord]) -> ExportSummary:
    """One row per file, for a person to read: `extract --format table`."""
    table = Table(box=box.SIMPLE_HEAD)
    for header in ("file", "status", "vendor", "invoice no.", "date", "currency", "total", "warnings"):
        table.add_column(header, overflow="fold", justify="right" if header == "total" else "left")
    for record in records:
        if record.errors:
            notes = record.errors[0].message
        else:
            notes = f"{len(record.warnings)}: {record.warnings[0]}" if record.warnings else ""
        values = [record.value(name) or "" for name in
                  ("vendor_name", "invoice_number", "invoice_date", "currency", "total")]
        # Text, not markup: a '[' in a file name or a message is printed as it is.
        table.add_row(*map(Text, (Path(record.source).name, record.status, *values, notes)))
    # Piped or redirected, rich would assume 80 columns and squeeze the table.
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)
    return ExportSummary(written=len(records))


def _report(records: list[InvoiceRecord], summary: ExportSummary, output: Path | None) -> None:
    counts = {status: sum(r.status == status for r in records) for status in ("ok", "needs_review", "error")}
    if len(records) == 1 and records[0].status == "error":
        _say(f"error ({records[0].errors[0].code})", records[0].errors[0].message)
    for note in summary.notes:
        _say("note", note)
    where = f" to {output}" if output else ""
    skipped = f", {summary.skipped} left out of the import file (see the notes)" if summary.skipped else ""
    stderr.print(
        f"{len(records)} file{'s' if len(records) != 1 else ''}: {counts['ok']} ok, "
        f"{counts['needs_review']} need review, {counts['error']} failed; wrote {summary.written}{where}{skipped}",
        highlight=False, markup=False,
    )


def _exit_code(code: str) -> int:
    return next((error.exit_code for error in ALL_ERRORS if error.code == code), 1)


def _same_file(output: Path, path: Path) -> bool:
    return output.exists() and path.exists() and output.resolve() == path.resolve()


@app.command()
def schema() -> None:
    """Print the JSON Schema of the records that `extract` writes."""
    json.dump(InvoiceRecord.model_json_schema(), sys.stdout, indent=2)
    sys.stdout.write("\n")


@app.command(
    epilog="Examples:\n\n"
    "  invoice-extract show bill.pdf -o review.html\n\n"
    "  invoice-extract show scan.jpg -o review.png"
)
@reading_options(keep_images=True, verify_einvoice=True)
def show(
    file: Annotated[Path, typer.Argument(help="A PDF, image or hOCR file.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="review.html (boxes over the pages, a table of fields) or .png."),
    ],
    options: LoadOptions = LoadOptions(),
) -> None:
    """Draw every field found on FILE's pages, with its label and confidence, to check the result at a glance.

    An e-invoice PDF shows its XML's values beside its pages, with any difference between them as a warning.
    """
    # The pages are read anyway to be drawn, so an e-invoice PDF is checked against them too.
    suffix = output.suffix.lower()
    try:
        if suffix not in (".html", ".htm", ".png"):
            raise typer.BadParameter(f"{output}: the review is written as .html or .png", param_hint="--output")
        if _same_file(output, file):
            raise InputFileError("is the input file; choose another output file", path=str(output))
        extraction = read(file, options)
        if extraction.document is None and extraction.record.status == "error":
            error = extraction.record.errors[0]
            _say(f"error ({error.code})", error.message)
            raise typer.Exit(_exit_code(error.code))
        if extraction.page_error is not None:  # an e-invoice PDF whose XML was read but whose pages were not
            _fail(extraction.page_error)
        if extraction.document is None and sniff.sniff_media_type(file) == sniff.XML:
            raise typer.BadParameter(f"{file} is an e-invoice XML file: it has no pages to draw; read it with "
                                     "'invoice-extract extract'", param_hint="FILE")
        if extraction.document is None:  # not expected: show always reads the pages of a PDF
            raise InvoiceExtractError("no pages were read to draw", path=str(file))
        render = render_review_png if suffix == ".png" else render_review_html
        render(extraction.document, extraction.record, output, password=options.password)
    except (typer.Exit, typer.BadParameter):
        raise
    except Exception as error:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(error)
    record = extraction.record
    found = sum(getattr(record, name) is not None for name in RECORD_FIELDS)
    stderr.print(f"{found} of {len(RECORD_FIELDS)} fields found, status {record.status}; wrote {output}",
                 highlight=False, markup=False)




class EngineChoice(str, Enum):
    local = "local"
    ray = "ray"


class _FilesPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:.2f} files/s")  # rich's average over the last 30 s


@app.command(
    epilog="Examples:\n\n"
    "  invoice-extract batch inbox/ --out records/\n\n"
    "  invoice-extract batch archive/ --out records/ --glob '2024/**/*.pdf' --workers 4\n\n"
    "  invoice-extract batch /shared/inbox --out ~/records --engine ray --ray-address auto\n\n"
    "OUTDIR gets ledger.sqlite3 (what became of every document), invoices.jsonl (one record per line), "
    "invoices.csv and one NAME.json per document. The exit code is 0 when every document is ok or needs "
    "review, otherwise the code of the first failure, as for extract."
)
@reading_options(keep_images=False, verify_einvoice=None)
def batch(
    src: Annotated[Path, typer.Argument(metavar="SRC", help="The folder to read, subfolders included. "
                                        "Files are only read, never moved or changed.")],
    out: Annotated[Path, typer.Option("--out", metavar="OUTDIR", help="The output folder; created if missing.")],
    glob: Annotated[
        str | None, typer.Option(help="Only the invoice files matching this pattern, relative to SRC "
                                 "('**' for any depth), e.g. '**/*.pdf' or '2024-*/*'."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=0, help="Files read at once, each by its own process with its "
                          "own model; 0: one per core (with --engine ray: one per CPU of the cluster, "
                          "and never more)."),
    ] = 0,
    engine: Annotated[
        EngineChoice, typer.Option(help="local: processes on this machine; ray: actors on a Ray cluster "
                                   "(pip install 'invoice-extract\\[ray]'; SRC on a filesystem every node sees; OUTDIR "
                                   "is written by this process alone, on a local disk)."),
    ] = EngineChoice.local,
    ray_address: Annotated[
        str | None, typer.Option(help="The Ray cluster to join: auto (the one started on this machine with "
                                 "'ray start') or HEAD:6379; default: a new Ray instance on this machine."),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Read again the documents that failed in an earlier run."),
    ] = False,
    file_timeout: FileTimeoutOption = DEFAULT_FILE_SECONDS,
    file_memory: FileMemoryOption = DEFAULT_FILE_MEMORY_MB,
    options: LoadOptions = LoadOptions(),
) -> None:
    """Read every invoice in SRC into OUTDIR, several files at once; run it again to go on where it stopped.

    Each content is read once, whatever its name: another file with the same content is a duplicate.
    Documents done in an earlier run are skipped, and so are those that failed, unless --retry-failed.
    A progress bar (files/s, time left, failures) runs on stderr, then a summary line.
    """
    summary = Summary()
    started = time.perf_counter()
    try:
        if ray_address is not None and engine is not EngineChoice.ray:
            raise typer.BadParameter("a Ray cluster is only used with --engine ray", param_hint="--ray-address")
        inputs = find_inputs(src, glob)
        if not inputs:
            raise no_inputs_error([src], glob)
        outcomes = run_batch(inputs, out, options, workers=workers, engine=engine.value,
                             ray_address=ray_address, retry_failed=retry_failed,
                             budget=FileBudget(file_timeout, file_memory))
        _batch_progress(outcomes, len(inputs), summary)
    except EngineUnavailableError as error:
        raise typer.BadParameter(str(error), param_hint=error.option) from None
    except typer.BadParameter:
        raise
    except KeyboardInterrupt:
        _say("note", f"stopped; run the same command again to go on (what is in {out} stays)")
        raise typer.Exit(130) from None
    except Exception as error:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(error)
    _batch_report(summary, time.perf_counter() - started, out)
    if summary.first_error is not None:
        raise typer.Exit(_exit_code(summary.first_error.code))


def _batch_progress(outcomes: Iterator[Outcome], files: int, summary: Summary) -> None:
    """Count each outcome; a progress bar of the files being read on stderr."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _FilesPerSecond(),
               TimeRemainingColumn(), TextColumn("{task.fields[failed]} failed"))
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("Reading", total=files, failed=0)
        for outcome in outcomes:
            summary.add(outcome)
            if outcome.kind == "read":
                if outcome.error is not None:
                    _say(f"error ({outcome.error.code})", outcome.error.message, progress.console)
                progress.update(task, advance=1, failed=summary.failed)
            else:
                # Files settled without reading leave the bar, so files/s and the ETA are about reading.
                files -= 1
                progress.update(task, total=files)


def _batch_report(summary: Summary, seconds: float, out: Path) -> None:
    files = summary.ok + summary.needs_review + summary.failed + summary.duplicates + summary.earlier
    earlier = f", {summary.earlier} done before"
    if summary.failed_earlier:
        earlier += f" ({summary.failed_earlier} of them failed; --retry-failed reads them again)"
    stderr.print(
        f"{files} file{'s' if files != 1 else ''} in {seconds:.1f} s: {summary.ok} ok, "
        f"{summary.needs_review} need review, {summary.failed} failed, {summary.duplicates} duplicate"
        f"{'s' if summary.duplicates != 1 else ''}{earlier}; {summary.pages} pages, "
        f"{summary.pages / seconds:.2f} pages/s; records in {out}",
        highlight=False, markup=False,
    )




@app.command(
    epilog="Examples:\n\n"
    "  invoice-extract watch ~/inbox --out ~/records\n\n"
    "  invoice-extract watch /srv/scans --out /srv/records --log-json 2>> /var/log/invoices.log\n\n"
    "  invoice-extract watch ~/inbox --out ~/records --once      # from cron\n\n"
    "Only files directly in INBOX are read; its subfolders are left alone, as are hidden files and "
    "temporary names (*.part, *.crdownload, *.tmp, ~$*). A record goes to OUTDIR (invoices.jsonl, "
    "invoices.csv, NAME.json; ledger.sqlite3 says what became of every file), the file to "
    "INBOX/processed/YYYY-MM/; a file that cannot be read goes to INBOX/failed/ with NAME.error.json "
    "saying why. A file whose content was read before is archived as a duplicate, not read again. "
    "Nothing is overwritten: a name taken gets ' (2)'. Killed at any moment, a restart finishes the job."
)
@reading_options(keep_images=False, verify_einvoice=None)
def watch(
    inbox: Annotated[Path, typer.Argument(metavar="INBOX", help="The folder to watch.")],
    out: Annotated[Path, typer.Option("--out", metavar="OUTDIR", help="The output folder; created if missing.")],
    settle: Annotated[
        float, typer.Option(min=0, help="Seconds a file's size and modification time must stay the same "
                            "before it is read, so that a file still being copied is not.")
    ] = DEFAULT_SETTLE,
    once: Annotated[
        bool, typer.Option("--once", help="Read the files in INBOX now (waiting for each to settle), then exit: "
                           "for cron. The exit code is then that of the first failure, as for extract.")
    ] = False,
    log_json: Annotated[
        bool, typer.Option("--log-json", help="Log one JSON object per line: level, file, status, seconds, "
                           "fields, moved_to, and duplicate_of or error.")
    ] = False,
    archive: Annotated[
        Path | None, typer.Option(help="Where processed files go, in a folder per month (default INBOX/processed). "
                                  "On another filesystem, files are copied, then removed.")
    ] = None,
    failed: Annotated[
        Path | None, typer.Option(help="Where files that cannot be read go (default INBOX/failed).")
    ] = None,
    file_timeout: FileTimeoutOption = DEFAULT_FILE_SECONDS,
    file_memory: FileMemoryOption = DEFAULT_FILE_MEMORY_MB,
    options: LoadOptions = LoadOptions(),
) -> None:
    """Watch INBOX and turn each invoice dropped into it into a record in OUTDIR, until Ctrl-C or SIGTERM.

    One line per file on stderr: level, file, status (ok, needs_review, error, duplicate), seconds, fields found.
    Ctrl-C or SIGTERM finishes the current file, then exits with 0; a second one stops at once.
    """
    log = WatchLog(sys.stderr, as_json=log_json)
    try:
        config = WatchConfig.create(inbox, out, archive=archive, failed=failed, settle=settle, load=options,
                                    budget=FileBudget(file_timeout, file_memory))
        with Watcher(config, log) as watcher, stopping_on_signals(watcher):
            summary = watcher.run(once=once)
    except KeyboardInterrupt:
        if log_json:
            log.note("warning", "stopped at once; the next start finishes the file that was cut short")
        else:
            _say("note", "stopped at once; the next start finishes the file that was cut short")
        raise typer.Exit(130) from None
    except Exception as error:  # noqa: BLE001 - every failure becomes a message and an exit code
        if log_json:  # the log stays one JSON object per line, fatal errors included
            known = isinstance(error, InvoiceExtractError)
            log.note("error", str(error) if known else f"internal error: {type(error).__name__}: {error}; this is "
                     "a bug in invoice-extract; run again with --debug and report the traceback",
                     code=error.code if known else "internal_error")
            if _state["debug"] and not known:
                traceback.print_exception(error)
            raise typer.Exit(error.exit_code if known else 1) from None
        if isinstance(error, WatchError):
            _say("error", str(error))  # exit 2, as for a wrong option
            raise typer.Exit(error.exit_code) from None
        _fail(error)
    if once and summary.first_error is not None:
        raise typer.Exit(_exit_code(summary.first_error))
