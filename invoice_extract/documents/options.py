"""Settings for reading a document, shared by the library API and every front end."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from ..errors import UsageError

OcrMode = Literal["auto", "always", "never"]
OcrEngine = Literal["auto", "ppocr", "tesseract"]
OCR_ENGINES: tuple[OcrEngine, ...] = ("auto", "ppocr", "tesseract")

DEFAULT_MAX_PAGES = 100
# 150 megapixels: an A3 page at 600 dpi is about 70 MP, so real scans pass, while a
# decompression bomb (a tiny file that claims to be 30000 x 30000) is refused before
# any pixel is decoded.
DEFAULT_MAX_PIXELS = 150_000_000
DEFAULT_DPI = 300
# An invoice page holds a few hundred words, a dense statement a few thousand. A text layer or
# hOCR page with more is refused (too_large) before the tagger spends minutes on it.
DEFAULT_MAX_PAGE_WORDS = 20_000


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to turn a file into pages of words.

    ocr: ``auto`` reads a PDF page's own text layer when it has usable text and OCRs it
        otherwise; ``always`` OCRs every page; ``never`` only uses text layers and hOCR.
    languages: Tesseract language codes joined by ``+`` (``eng+deu+fra``), or ``auto``: read
        in English, and again in German, French, Dutch, Spanish or Italian when the page is.
    password: the password of an encrypted PDF.
    max_pages / max_pixels / max_page_words: limits that protect a batch from hostile or
        absurd files (``max_pixels`` bounds every image the reader makes, not only the file's).
    dpi: the resolution of rendered PDF pages, and of the pixel space all PDF boxes use.
    ocr_engine: the OCR engine: ``auto``: PP-OCR, and on a page in German, French, Dutch,
        Spanish or Italian (or the non-English one of ``languages``) one Tesseract run in that
        language for the accents and spaces PP-OCR does not read (``accents.py``);
        ``ppocr``: PP-OCRv4 text detection and recognition on onnxruntime alone (Latin
        letters without accents); ``tesseract``: Tesseract alone. ``sparse_pass`` is
        Tesseract's alone.
    auto_rotate / deskew: correct 90/180/270 degree turns (Tesseract OSD) and slight tilt.
    sparse_pass: read each OCR'd page a second time as sparse text and add the words the
        first pass left out (a receipt's amounts column); 40-65% more OCR time.
    keep_images: keep each rendered or loaded page image on ``Page.image``.
    workers: pages OCR'd at once; each Tesseract runs single-threaded, so one per core.
    verify_einvoice: also read the pages of a PDF whose values come from its embedded
        e-invoice XML, and warn where the page and the XML disagree (``pipeline.read``).
    """

    ocr: OcrMode = "auto"
    languages: str = "auto"
    password: str | None = None
    max_pages: int = DEFAULT_MAX_PAGES
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_page_words: int = DEFAULT_MAX_PAGE_WORDS
    dpi: int = DEFAULT_DPI
    ocr_engine: OcrEngine = "auto"
    auto_rotate: bool = True
    deskew: bool = True
    sparse_pass: bool = True
    keep_images: bool = True
    workers: int = 0  # 0: one per available core
    verify_einvoice: bool = False

    def __post_init__(self) -> None:
        if self.ocr_engine not in OCR_ENGINES:
            raise UsageError(f"unknown OCR engine {self.ocr_engine!r}; choose one of {', '.join(OCR_ENGINES)}")

    @property
    def ocr_workers(self) -> int:
        if self.workers > 0:
            return self.workers
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
