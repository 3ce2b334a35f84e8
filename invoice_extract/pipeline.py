"""The whole pipeline behind one call: file -> Document -> tagged words -> InvoiceRecord.

Every front end goes through here, so a file is read the same way wherever it comes
from. A file that cannot be read becomes a record
with status ``error`` instead of an exception, so one bad file never stops a batch.

E-invoices take a shorter way: a bare XRechnung/UBL/CII file, or a PDF with an embedded
Factur-X/ZUGFeRD XML, is read from its XML (``einvoice``), exactly and without the model;
the pages of such a PDF are read too only to verify it (``LoadOptions.verify_einvoice``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from . import einvoice
from .document import Document
from .documents import LoadOptions, file_sha256, load_document, sniff
from .documents.pdf import check_page_count
from .errors import InputFileError, InvoiceExtractError, TooLargeError, UnsupportedFileTypeError
from .ner import TaggedWord, Tagger
from .postprocess import build_record
from .record import InvoiceRecord

# What a directory walk picks up; files named one by one are always read (by content).
INPUT_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".hocr", ".xml"})


@dataclass(frozen=True)
class Extraction:
    """A record and the document it was read from (None when the file could not be read)."""

    record: InvoiceRecord
    document: Document | None
    # Why the pages of an e-invoice PDF read from its XML could not be read to verify it
    # (the record then says so in a warning); None otherwise.
    page_error: InvoiceExtractError | None = None


def read(path: str | Path, options: LoadOptions | None = None, *, tagger: Tagger | None = None) -> Extraction:
    """Read one file through every stage; failures become an error record.

    The document is None for an e-invoice read from its XML alone (nothing to draw)."""
    options = options or LoadOptions()
    source = str(path)
    sniffed = False
    try:
        media_type = sniff.sniff_media_type(Path(path))
        sniffed = True
        if media_type == sniff.XML:
            return Extraction(einvoice.read_xml_file(Path(path), source=source, sha256=file_sha256(Path(path))), None)
        embedded = einvoice.embedded_invoice(Path(path), options.password) if media_type == sniff.PDF else None
        if embedded is not None:
            check_page_count(embedded.pages, options, source)  # as for any PDF, though its pages are not read
            return _read_einvoice_pdf(path, embedded, options, tagger)
        return _read_pages(path, options, tagger)
    except InvoiceExtractError as error:
        return _failed(path, error.code, str(error), hash_it=sniffed)
    except MemoryError:
        # Past a worker's address-space limit, or the machine's: the file, not a bug.
        error = TooLargeError("reading it needed more memory than there is; the file is hostile or far "
                              "larger than an invoice", path=source)
        return _failed(path, error.code, str(error), hash_it=sniffed)
    except Exception as error:  # noqa: BLE001 - a bug on one file must not end the batch
        message = f"{type(error).__name__}: {error} (a bug in invoice-extract; please report it)"
        return _failed(path, InvoiceExtractError.code, message, hash_it=sniffed)


def _failed(path: str | Path, code: str, message: str, *, hash_it: bool) -> Extraction:
    """The error record. A file the sniff refused (a FIFO, a device, a file of no type we
    read) is not hashed: that would read in full what the sniff refused to read (a 10 GB
    sparse file, say)."""
    sha256 = _sha256_or_none(path) if hash_it else None
    return Extraction(InvoiceRecord.failed(str(path), code, message, sha256=sha256), None)


def read_words(path: str | Path, options: LoadOptions | None = None, *, tagger: Tagger | None = None,
               tags: bool = False) -> tuple[Document, list[TaggedWord]]:
    """Stages 1 and 2 alone, for looking at what the reader and the model see (`words`):
    the document, and with ``tags`` each word's tag in the document's word order.
    Raises the file's InvoiceExtractError instead of making an error record."""
    document = load_document(path, options)
    return document, (tagger or Tagger.shared()).tag(document) if tags else []


def _read_pages(path: str | Path, options: LoadOptions, tagger: Tagger | None) -> Extraction:
    document = load_document(path, options)
    tagged = (tagger or Tagger.shared()).tag(document)
    return Extraction(build_record(document, tagged, source=str(path)), document)


def _read_einvoice_pdf(path: str | Path, embedded: einvoice.EmbeddedXml, options: LoadOptions,
                       tagger: Tagger | None) -> Extraction:
    """The record from the PDF's XML; with verify_einvoice, checked against its pages. XML
    that cannot be read is reported, and the pages are read instead."""
    try:
        record = einvoice.record_from_embedded(embedded, source=str(path), sha256=file_sha256(Path(path)))
    except InvoiceExtractError as error:
        pages = _read_pages(path, options, tagger)
        if isinstance(error, UnsupportedFileTypeError):  # XML of another kind: an Order-X order, ZUGFeRD 1.0
            problem = f"the PDF's attached {embedded.name or 'XML'} is not an e-invoice we read"
        else:
            problem = f"the embedded e-invoice {embedded.name or 'XML'} could not be read"
        note = f"{problem} ({error.message}); the values were read from the page instead"
        return replace(pages, record=_with_warnings(pages.record, [note]))
    if not options.verify_einvoice:
        return Extraction(record, None)
    try:
        pages = _read_pages(path, options, tagger)
    except Exception as error:  # noqa: BLE001 - the XML's record stands whatever happens to the pages
        if not isinstance(error, InvoiceExtractError):
            error = InvoiceExtractError(f"{type(error).__name__}: {error} (a bug in invoice-extract; please report "
                                        "it)", path=str(path))
        warning = f"--verify-einvoice: the page could not be read ({error})"
        return Extraction(_with_warnings(record, [warning]), None, page_error=error)
    return Extraction(_with_warnings(record, einvoice.compare_with_page(record, pages.record)), pages.document)


def _with_warnings(record: InvoiceRecord, warnings: list[str]) -> InvoiceRecord:
    if not warnings:
        return record
    return record.model_copy(update={"warnings": [*warnings, *record.warnings], "status": "needs_review"})


def extract(path: str | Path, options: LoadOptions | None = None, *, tagger: Tagger | None = None) -> InvoiceRecord:
    """The record of one invoice or receipt: ``extract("bill.pdf").total.value``."""
    return read(path, _without_images(options), tagger=tagger).record


def extract_many(paths: Iterable[str | Path], options: LoadOptions | None = None, *,
                 tagger: Tagger | None = None) -> Iterator[InvoiceRecord]:
    """One record per file, in order; directories are walked (see ``collect_inputs``)."""
    options = _without_images(options)
    for path in collect_inputs(paths):
        yield read(path, options, tagger=tagger).record


def no_inputs_error(paths: Iterable[str | Path], pattern: str | None = None) -> InputFileError:
    """The error for folders in which a walk (``collect_inputs``, batch) found no invoice file."""
    suffixes = " ".join(sorted(INPUT_SUFFIXES))
    matching = f" matching {pattern}" if pattern else ""
    return InputFileError(f"no invoice files found (files ending in {suffixes}){matching}",
                          path=", ".join(map(str, paths)))


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the invoice files under each directory, sorted, hidden ones skipped."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(_walk_files(path))
        else:
            found.append(path)  # a missing file becomes an error record, not a silent skip
    return found


def _walk_files(folder: Path) -> Iterator[Path]:
    """The invoice files under ``folder`` (by suffix; symlinks to files included), hidden files
    and folders skipped, and folder symlinks not followed (a link to a parent would loop).

    A stack, not recursion (Path.rglob and os.walk recurse in Python 3.11), so a tree of any
    depth is walked: 1500 nested folders must not end the run with a RecursionError. A folder
    that cannot be listed (its path too long, say) is listed itself, so that the run reports it
    as unreadable and goes on; one we may not enter is skipped, as rglob skipped it."""
    folders = [folder]
    while folders:
        current = folders.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except PermissionError:
            continue
        except OSError:
            yield current
            continue
        for entry in listed:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append(Path(entry.path))
            elif entry.is_file() and Path(entry.name).suffix.lower() in INPUT_SUFFIXES:
                yield Path(entry.path)


def _without_images(options: LoadOptions | None) -> LoadOptions:
    # Records do not need page images; dropping them keeps a batch's memory flat.
    return replace(options or LoadOptions(), keep_images=False)


def _sha256_or_none(path: str | Path) -> str | None:
    try:
        return file_sha256(Path(path))
    except InvoiceExtractError:
        return None
