"""One exception hierarchy for everything that can go wrong with an input.

Every error carries a short machine-readable ``code`` (it becomes the ``errors`` entry of
an error record) and an ``exit_code`` that the CLI returns, in the manner of ocrmypdf's
documented exit codes. Messages are written for the person who has to act on them: what
is wrong with which file, and what to do about it.

Exit codes (also listed by ``invoice-extract --help`` and in the README):

====  ==========================  ==================================================
code  error                       meaning
====  ==========================  ==================================================
0                                 success
1     InvoiceExtractError         unexpected internal error (please report it)
2                                 bad command line (wrong option or argument)
2     ExportError                 an export that cannot be made (options, ``-o`` folder, write)
3     InputFileError              the file does not exist or cannot be read
4     UnsupportedFileTypeError    not a PDF, image, hOCR or e-invoice XML file (by content)
5     EmptyFileError              the file is empty (0 bytes) or holds no pages
6     CorruptFileError            the file is damaged and cannot be read
7     EncryptedPDFError           the PDF needs a password (``--password``)
8     TooManyPagesError           more pages than ``--max-pages``
9     ImageTooLargeError          an image or page exceeds ``--max-pixels``
10    OCRUnavailableError         Tesseract or an OCR language is not installed
11    EInvoiceError               e-invoice XML that is malformed, too large or hostile
12    FolderInUseError            another watch or batch is writing to that folder
13    TooSlowError                reading the file took longer than the per-file time budget
14    TooLargeError               the file needs more memory or work than the per-file budget
====  ==========================  ==================================================

Exit code 2 also covers the usage errors below (``UsageError``: ``WatchError``, a folder
that cannot be watched; ``EngineUnavailableError``, a batch engine that cannot start;
``ExportError``, an export that does not fit its options): the command line must change.
"""

from __future__ import annotations


class InvoiceExtractError(Exception):
    """Base class: anything invoice-extract reports as a failure of one input."""

    code = "internal_error"
    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputFileError(InvoiceExtractError):
    code = "unreadable_file"
    exit_code = 3


class UnsupportedFileTypeError(InvoiceExtractError):
    code = "unsupported_file_type"
    exit_code = 4


class EmptyFileError(InvoiceExtractError):
    code = "empty_file"
    exit_code = 5


class CorruptFileError(InvoiceExtractError):
    code = "corrupt_file"
    exit_code = 6


class EncryptedPDFError(InvoiceExtractError):
    code = "encrypted_pdf"
    exit_code = 7


class TooManyPagesError(InvoiceExtractError):
    code = "too_many_pages"
    exit_code = 8


class ImageTooLargeError(InvoiceExtractError):
    code = "image_too_large"
    exit_code = 9


class OCRUnavailableError(InvoiceExtractError):
    code = "ocr_unavailable"
    exit_code = 10


class EInvoiceError(InvoiceExtractError):
    code = "bad_einvoice"
    exit_code = 11


class FolderInUseError(InvoiceExtractError):
    """Another process (a watch or a batch) holds the folder's lock: two writers would lose
    each other's records."""

    code = "folder_in_use"
    exit_code = 12


class TooSlowError(InvoiceExtractError):
    """Reading one file ran past the per-file time budget (``watch`` and ``batch`` stop such a
    worker), or the file stopped a worker again and again: it is not tried once more."""

    code = "too_slow"
    exit_code = 13


class TooLargeError(InvoiceExtractError):
    """The file would need more memory or work than one file may take: more pixels than the
    pixel budget, a text layer or hOCR file with too many words, a worker past its memory
    budget. Like a decompression bomb, it is refused rather than allowed to stop the rest."""

    code = "too_large"
    exit_code = 14


class UsageError(InvoiceExtractError):
    """The command line must change: exit code 2, as for a wrong option. ``option`` names the
    option to change, when one does."""

    code = "bad_usage"
    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, option: str | None = None) -> None:
        super().__init__(message, path=path)
        self.option = option


class ExportError(UsageError):
    """The export asked for cannot be made: a bad option, options that do not fit together,
    an output folder that is missing or not writable, or a write that failed. Like a bad
    command line, it is the user's to fix (exit code 2)."""

    code = "bad_export"


class WatchError(UsageError):
    """The watcher cannot start: a folder that does not exist or cannot be used."""

    code = "bad_watch_folder"


class EngineUnavailableError(UsageError):
    """A batch engine cannot start: Ray is not installed, or no cluster at the address given."""

    code = "engine_unavailable"


ALL_ERRORS: tuple[type[InvoiceExtractError], ...] = (
    InvoiceExtractError,
    ExportError,
    InputFileError,
    UnsupportedFileTypeError,
    EmptyFileError,
    CorruptFileError,
    EncryptedPDFError,
    TooManyPagesError,
    ImageTooLargeError,
    OCRUnavailableError,
    EInvoiceError,
    FolderInUseError,
    TooSlowError,
    TooLargeError,
)
