"""Stage 1: any invoice file becomes a Document of pages of words with boxes.

    from invoice_extract.documents import load_document, LoadOptions
    doc = load_document("bill.pdf", LoadOptions(languages="eng+deu"))

PDF pages use their own text layer when it is usable and are rendered and OCR'd when
not (``LoadOptions.ocr``); images are OCR'd; hOCR files are read as they are.
OCR runs on several pages at once (one Tesseract process per core), while PDFium,
which is not thread-safe, stays on the calling thread.
"""

from __future__ import annotations

import hashlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from PIL import Image

from ..document import Document, Page, Word
from ..errors import InputFileError, UnsupportedFileTypeError
from . import hocr, images, ocr, pdf, sniff
from .options import LoadOptions, OcrMode

__all__ = ["LoadOptions", "OcrMode", "file_sha256", "load_document"]


def load_document(path: str | Path, options: LoadOptions | None = None) -> Document:
    """Read ``path`` into a Document, or raise an ``InvoiceExtractError`` subclass."""
    options = options or LoadOptions()
    path = Path(path)
    media_type = sniff.sniff_media_type(path)
    if media_type == sniff.XML:
        raise UnsupportedFileTypeError(
            "an XML file has no pages of words; 'invoice-extract extract' reads e-invoice XML "
            "(XRechnung, UBL, Factur-X/ZUGFeRD CII)", path=str(path),
        )
    document = Document(source=path, sha256=file_sha256(path), media_type=media_type)
    if media_type == sniff.PDF:
        _read_pdf(path, options, document)
    elif media_type == sniff.HOCR:
        document.pages = hocr.read_hocr(path, options)
    else:
        _read_image(path, options, document)
    return document


def file_sha256(path: Path) -> str:
    """The file's SHA-256, or InputFileError when it cannot be read or is not a regular
    file (a FIFO or a device such as /dev/zero would be read forever). Front ends that hash
    before reading call ``sniff.sniff_media_type`` first, so a large file of no type we read
    is refused before it is hashed."""
    digest = hashlib.sha256()
    with sniff.open_regular(path) as handle:
        try:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        except OSError as exc:
            raise InputFileError(f"cannot be read ({exc.strerror})", path=str(path)) from None
    return digest.hexdigest()


class _OcrQueue:
    """OCR pages on a small thread pool (Tesseract runs as a subprocess, so threads suffice),
    with at most two pages per worker held in memory at once. Tesseract and its languages
    are checked on the first page submitted, so digital PDFs never need Tesseract."""

    def __init__(self, options: LoadOptions) -> None:
        self._options = options
        self._pool = ThreadPoolExecutor(max_workers=options.ocr_workers, thread_name_prefix="ocr")
        self._pending: deque[tuple[int, Future[Page]]] = deque()
        self._results: dict[int, Page] = {}

    def __enter__(self) -> _OcrQueue:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, image: Image.Image, number: int, dpi: int) -> None:
        if not self._pending and not self._results:
            ocr.check_languages(self._options.languages)
        while len(self._pending) >= 2 * self._options.ocr_workers:
            self._collect_oldest()
        future = self._pool.submit(ocr.ocr_page, image, number, self._options, dpi=dpi)
        self._pending.append((number, future))

    def results(self) -> dict[int, Page]:
        while self._pending:
            self._collect_oldest()
        return self._results

    def _collect_oldest(self) -> None:
        number, future = self._pending.popleft()
        self._results[number] = future.result()


def _read_pdf(path: Path, options: LoadOptions, document: Document) -> None:
    pages: dict[int, Page] = {}
    hidden: dict[int, list[Word]] = {}  # per OCR'd page, the text layer's words it does not show
    with _OcrQueue(options) as queue:
        with pdf.open_pdf(path, options) as pdf_doc:
            for index in range(len(pdf_doc)):
                number = index + 1
                page = pdf.load_page(pdf_doc, index, path)
                try:
                    if options.ocr != "always":
                        layer = pdf.text_layer_page(path, page, number, options)
                        if options.ocr == "never" or (layer.usable and not layer.hidden):
                            pages[number] = _text_layer_only(layer, document)
                            continue
                        hidden[number] = layer.hidden
                    queue.submit(pdf.render_page(path, page, number, options), number, options.dpi)
                finally:
                    page.close()
        pages.update(queue.results())
    # A page whose text layer hides words is read from its picture, as a reader sees it.
    for number, words in hidden.items():
        warning = pdf.hidden_text_warning(number, words, pages[number])
        if warning is not None:
            document.warnings.append(warning)
    document.pages = [pages[n] for n in sorted(pages)]


def _text_layer_only(layer: pdf.TextLayer, document: Document) -> Page:
    """A page read from its text layer alone (usable, or OCR off), without the words it hides."""
    number = layer.page.number
    if not layer.usable:
        document.warnings.append(f"page {number} has no usable text layer and OCR is off (--ocr never)")
    if not layer.hidden:
        return layer.page
    document.warnings.append(
        f"page {number}: {len(layer.hidden)} words of the PDF's text layer are not printed on the page "
        f"(such as '{layer.hidden[0].text}') and were left out; with OCR off (--ocr never) the page "
        "was not read from what it shows. Hidden text can be an attempt at fraud: check the invoice"
    )
    hidden = {id(word) for word in layer.hidden}
    return replace(layer.page, words=[word for word in layer.page.words if id(word) not in hidden])


def _read_image(path: Path, options: LoadOptions, document: Document) -> None:
    frames = images.iter_image_pages(path, options)
    if options.ocr == "never":
        # An image has no text without OCR; say so rather than return silence.
        for number, (image, dpi) in enumerate(frames, start=1):
            document.pages.append(
                Page(number, image.width, image.height, dpi or options.dpi, "ocr",
                     image=image if options.keep_images else None)
            )
            document.warnings.append(f"page {number} is an image and OCR is off (--ocr never)")
        return
    with _OcrQueue(options) as queue:
        for number, (image, dpi) in enumerate(frames, start=1):
            queue.submit(image, number, dpi)
        pages = queue.results()
    document.pages = [pages[n] for n in sorted(pages)]
