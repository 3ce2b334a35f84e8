"""Write records out: the contract's JSON, JSON Lines, a generic CSV or workbook, or an import file.

The ``extract`` command calls two functions: ``format_for`` (before any file is read, so
a wrong request fails at once) and ``write_records``. Files are written atomically (a
temporary file in the same folder, then a rename), so a crash or a full disk never
leaves half a file, nor destroys the one that was there.

Presets write the CSV an accounting program imports: Xero's and QuickBooks Online's bill
imports (bills.py) and DATEV's Buchungsstapel (datev.py). Every text cell of every
CSV and workbook goes through ``neutralise`` (cells.py) against spreadsheet formula
injection.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from ..record import InvoiceRecord
from .bills import quickbooks_csv, xero_csv
from .cells import neutralise
from .datev import datev_csv
from .generic import GENERIC_COLUMNS, generic_csv, generic_xlsx
from .options import FORMATS, PRESETS, DatevOptions, ExportError, ExportOptions, ExportSummary, check
# ExportError is defined in errors.py, with every other error; it is still importable from here.

__all__ = [
    "FORMATS",
    "GENERIC_COLUMNS",
    "PRESETS",
    "DatevOptions",
    "ExportError",
    "ExportOptions",
    "ExportSummary",
    "check_output",
    "format_for",
    "fsync_folder",
    "neutralise",
    "remove_temporaries",
    "temporary_name",
    "write_atomically",
    "write_records",
]

_TEMPORARY_PREFIX = ".invoice-extract-"
_TEMPORARY = re.compile(re.escape(_TEMPORARY_PREFIX) + r"[0-9a-f]{16}\.tmp")
_SUFFIXES = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".xlsx": "xlsx"}
_PRESET_WRITERS: dict[str, Callable[[Sequence[InvoiceRecord], ExportOptions], tuple[bytes, ExportSummary]]] = {
    "xero": xero_csv,
    "quickbooks": quickbooks_csv,
    "datev": datev_csv,
}


def format_for(path: Path | None, requested: str | None, options: ExportOptions | None = None) -> str:
    """The output format: ``--format``, else the output file's extension, else json (csv for a preset).

    Raises ExportError for an extension we do not write, for ``--format`` naming another
    format than the file's extension, for options that do not fit the format, and for an
    output file whose folder is missing or not writable.
    """
    options = options or ExportOptions()
    from_suffix = _SUFFIXES.get(path.suffix.lower()) if path is not None else None
    if requested is not None and from_suffix not in (None, requested):
        raise ExportError(f"--format {requested} does not match the extension {path.suffix}", path=str(path))
    if requested is None and path is not None and from_suffix is None:
        raise ExportError(
            "cannot tell the format from the extension: end the name in .json, .jsonl, .csv or .xlsx, "
            "or choose --format",
            path=str(path),
        )
    fmt = requested or from_suffix or ("json" if options.preset == "generic" else "csv")
    check(fmt, options)
    if path is not None:
        check_output(path)
    return fmt


def check_output(path: Path) -> None:
    """Refuse an output file that cannot be written, before any input is read: a folder that
    is missing or not writable would otherwise lose every record at the very end."""
    folder = path.parent
    if path.is_dir():
        raise ExportError("is a folder: name the output file, e.g. invoices.json in it", path=str(path))
    if not folder.is_dir():
        raise ExportError(f"the folder {folder} does not exist; create it first or choose another output file",
                          path=str(path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"the folder {folder} is not writable; choose another output file", path=str(path))


def write_records(
    records: Sequence[InvoiceRecord],
    out: Path | BinaryIO | TextIO | None,
    fmt: str,
    options: ExportOptions | None = None,
) -> ExportSummary:
    """Write the records to a file (atomically), a stream, or standard output when ``out`` is None."""
    options = options or ExportOptions()
    check(fmt, options)
    data, summary = _render(records, fmt, options)
    if isinstance(out, Path):
        try:
            write_atomically(out, data)
        except OSError as exc:  # a full disk, a folder gone since format_for checked it
            raise ExportError(f"cannot be written ({exc.strerror or exc}); a file that was there is unchanged",
                              path=str(out)) from None
    else:
        _write_stream(sys.stdout if out is None else out, data)
    return summary


def _render(records: Sequence[InvoiceRecord], fmt: str, options: ExportOptions) -> tuple[bytes, ExportSummary]:
    if options.preset != "generic":
        return _PRESET_WRITERS[options.preset](records, options)
    everything = ExportSummary(written=len(records))
    if fmt == "json":
        # The record contract's form, exactly: a list of to_json_dict().
        text = json.dumps([record.to_json_dict() for record in records], ensure_ascii=False, indent=2) + "\n"
        return text.encode("utf-8"), everything
    if fmt == "jsonl":
        lines = (json.dumps(record.to_json_dict(), ensure_ascii=False) + "\n" for record in records)
        return "".join(lines).encode("utf-8"), everything
    if fmt == "csv":
        return generic_csv(records, options), everything
    return generic_xlsx(records), everything


def write_atomically(path: Path, data: bytes, *, folder: int | None = None) -> None:
    """Write to a new file beside ``path``, flush it to disk, then rename it over ``path``.

    os.replace is atomic on POSIX and Windows when both names are on one file system,
    which the same folder ensures. The temporary file is created with mode 0o666 so the
    umask applies as for any new file (tempfile's 0o600 would make exports private).
    ``folder``: an open descriptor of ``path``'s folder, to write into that very folder
    whatever its path leads to now (the watcher's way of never writing through a link).
    """
    name = temporary_name()
    temporary, target = (name, path.name) if folder is not None else (str(path.with_name(name)), str(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o666, dir_fd=folder)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target, **({} if folder is None else {"src_dir_fd": folder, "dst_dir_fd": folder}))
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=folder)
        if isinstance(error, OSError) and error.filename is None:  # a write's error: say which file
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise


def temporary_name() -> str:
    """A name for a file being written, to be renamed when complete: unmistakably ours (and
    short, so a long target name cannot make it too long), so that the copies a killed run
    left behind can be told from anyone's files and removed (``remove_temporaries``)."""
    return f"{_TEMPORARY_PREFIX}{secrets.token_hex(8)}.tmp"


def remove_temporaries(folder: int) -> list[str]:
    """Remove the temporary files a killed run left in the open folder ``folder`` (never a
    name ``temporary_name`` could not have made); returns their names. Only for a folder no
    one else is writing to now: a writer whose temporary goes fails and is tried again."""
    removed = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if _TEMPORARY.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.name, dir_fd=folder)
                removed.append(entry.name)
    return removed


def fsync_folder(folder: Path) -> None:
    """Make the renames, creations and unlinks in ``folder`` durable: a new name is on disk
    once its folder is synced (write_atomically syncs the file, not its name)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_stream(stream: BinaryIO | TextIO, data: bytes) -> None:
    """Bytes to a binary stream; to a text stream (standard output) through its buffer.

    The bytes are already encoded as the format requires (DATEV's Windows-1252, Excel's
    BOM), so they must not be decoded and re-encoded by the text layer.
    """
    if isinstance(stream, io.TextIOBase):
        stream.flush()  # whatever was printed before comes first
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            raise ExportError("cannot write an export to a text stream without a byte buffer")
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data)
        stream.flush()
