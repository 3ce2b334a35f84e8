"""The whole pipeline behind one call: file -> Document -> tagged words -> InvoiceRecord.

Every front end goes through here, so a file is read the same way wherever it comes
from. A file that cannot be read becomes a record
with status ``error`` instead of an exception, so one bad file never stops a batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .document import Document
from .documents import LoadOptions, file_sha256, load_document
from .errors import InvoiceExtractError
from .ner import Tagger
from .postprocess import build_record
from .record import InvoiceRecord

# What a directory walk picks up; files named one by one are always read (by content).
INPUT_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".hocr"})


@dataclass(frozen=True)
class Extraction:
    """A record and the document it was read from (None when the file could not be read)."""

    record: InvoiceRecord
    document: Document | None


def read(path: str | Path, options: LoadOptions | None = None, *, tagger: Tagger | None = None) -> Extraction:
    """Read one file through every stage; failures become an error record."""
    source = str(path)
    try:
        document = load_document(path, options)
        tagged = (tagger or Tagger.shared()).tag(document)
        return Extraction(build_record(document, tagged, source=source), document)
    except InvoiceExtractError as error:
        return Extraction(InvoiceRecord.failed(source, error.code, str(error), sha256=_sha256_or_none(path)), None)
    except Exception as error:  # noqa: BLE001 - a bug on one file must not end the batch
        message = f"{type(error).__name__}: {error} (a bug in invoice-extract; please report it)"
        return Extraction(InvoiceRecord.failed(source, InvoiceExtractError.code, message,
                                               sha256=_sha256_or_none(path)), None)


def extract(path: str | Path, options: LoadOptions | None = None, *, tagger: Tagger | None = None) -> InvoiceRecord:
    """The record of one invoice or receipt: ``extract("bill.pdf").total.value``."""
    return read(path, _without_images(options), tagger=tagger).record


def extract_many(paths: Iterable[str | Path], options: LoadOptions | None = None, *,
                 tagger: Tagger | None = None) -> Iterator[InvoiceRecord]:
    """One record per file, in order; directories are walked (see ``collect_inputs``)."""
    options = _without_images(options)
    for path in collect_inputs(paths):
        yield read(path, options, tagger=tagger).record


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the invoice files under each directory, sorted, hidden ones skipped."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)  # a missing file becomes an error record, not a silent skip
    return found


def _without_images(options: LoadOptions | None) -> LoadOptions:
    # Records do not need page images; dropping them keeps a batch's memory flat.
    return replace(options or LoadOptions(), keep_images=False)


def _sha256_or_none(path: str | Path) -> str | None:
    try:
        return file_sha256(Path(path))
    except InvoiceExtractError:
        return None
