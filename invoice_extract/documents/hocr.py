"""Read hOCR files (Tesseract, OCRopus, Kraken, ABBYY exports...) as already-OCR'd pages.

Parsed with the standard library's HTML parser: it resolves no external entities and
fetches nothing, and it tolerates the not-quite-XHTML some engines write.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

from ..document import Box, Page, Word, clean_text
from ..errors import (
    CorruptFileError,
    EmptyFileError,
    ImageTooLargeError,
    TooLargeError,
    TooManyPagesError,
)
from .options import DEFAULT_DPI, LoadOptions
from .sniff import open_regular

# Each property's arguments, up to the next ';' (the hOCR spec's grammar). They are checked
# strictly below: a number no OCR engine writes (9.9.9, 5000 digits, NaN, -3) means the file
# is damaged or forged, and reading the rest of it could silently lose the total.
_BBOX = re.compile(r"\bbbox\b([^;]*)")
_WCONF = re.compile(r"\bx_wconf\b([^;]*)")
_DPI = re.compile(r"\bscan_res\b([^;]*)")
# Whole pixels: six digits reach 999999 px, 80 m at 300 dpi. ASCII digits only (int() takes
# any script's).
_PIXEL = re.compile(r"[0-9]{1,6}")
_CONFIDENCE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,6})?")  # 0-100, as Tesseract writes it
_DPI_VALUE = re.compile(r"[0-9]{1,5}")
_LINE_CLASSES = {"ocr_line", "ocrx_line", "ocr_caption", "ocr_textfloat", "ocr_header"}
_BLOCK_CLASSES = {"ocr_carea", "ocrx_block"}
_MAX_BYTES = 50 * 1024 * 1024
_CHUNK = 1 << 20  # fed to the parser a piece at a time, so a page over the word limit stops it early


@dataclass
class _PageBuilder:
    number: int
    width: int
    height: int
    dpi: int
    words: list[Word] = field(default_factory=list)
    block: int = -1
    line: int = -1
    index: int = 0


class _HocrParser(HTMLParser):
    def __init__(self, options: LoadOptions, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.pages: list[_PageBuilder] = []
        self._options = options
        self._path = path
        self._stack: list[str] = []  # the hOCR class of each open element ("" if none)
        self._word_title: str | None = None
        self._word_text: list[str] = []
        self._word_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        title = values.get("title") or ""
        kind = next((c for c in classes if c.startswith("ocr")), "")
        self._stack.append(kind)
        if self._word_title is not None:
            return
        if kind == "ocr_page":
            self._start_page(title)
        elif not self.pages:
            return
        elif kind in _BLOCK_CLASSES:
            self.pages[-1].block += 1
        elif kind in _LINE_CLASSES:
            page = self.pages[-1]
            page.line += 1
            page.index = 0
            page.block = max(page.block, 0)
        elif kind == "ocrx_word":
            self._word_title = title
            self._word_text = []
            self._word_depth = len(self._stack)

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        self._stack.pop()
        if self._word_title is not None and len(self._stack) < self._word_depth:
            self._finish_word()

    def handle_data(self, data: str) -> None:
        if self._word_title is not None:
            self._word_text.append(data)

    def _start_page(self, title: str) -> None:
        number = len(self.pages) + 1
        if number > self._options.max_pages:
            raise TooManyPagesError(
                f"more than {self._options.max_pages} pages; raise --max-pages if this is intended",
                path=self._path,
            )
        bbox = _BBOX.search(title)
        if not bbox:
            raise CorruptFileError("an hOCR page has no bbox, so its size is unknown", path=self._path)
        x0, y0, x1, y1 = self._box(bbox.group(1), f"page {number}")
        width, height = int(x1 - x0), int(y1 - y0)
        if width == 0 or height == 0:
            raise self._damaged(f"page {number} has no area: bbox{bbox.group(1)}")
        # Its size is that of the scan it was read from, and of the sketch `show` draws of it.
        if width * height > self._options.max_pixels:
            raise ImageTooLargeError(
                f"hOCR page {number} is {width} x {height} pixels, more than --max-pixels "
                f"({self._options.max_pixels}); raise it if this is a real scan", path=self._path,
            )
        self.pages.append(_PageBuilder(number, width, height, self._dpi(_DPI.search(title), number)))

    def _finish_word(self) -> None:
        title, text = self._word_title or "", clean_text("".join(self._word_text)).strip()
        self._word_title = None
        bbox = _BBOX.search(title)
        if not text or not bbox or not self.pages:
            return
        page = self.pages[-1]
        where = f"the word {text[:40]!r} on page {page.number}"
        box = self._box(bbox.group(1), where)
        confidence = _WCONF.search(title)
        page.words.append(
            Word.on_page(
                text,
                box,
                (page.width, page.height),
                confidence=self._confidence(confidence.group(1), where) if confidence else 1.0,
                block=max(page.block, 0),
                line=max(page.line, 0),
                index=page.index,
            )
        )
        page.index += 1
        # Raised at the word past the limit, not after the parser has built a million of them.
        if len(page.words) > self._options.max_page_words:
            raise TooLargeError(
                f"hOCR page {page.number} has more than {self._options.max_page_words} words, too many for an "
                "invoice page (one has a few hundred); check where the file came from", path=self._path,
            )

    def _box(self, arguments: str, where: str) -> Box:
        numbers = arguments.split()
        if len(numbers) != 4 or not all(_PIXEL.fullmatch(n) for n in numbers):
            raise self._damaged(f"{where} has a bbox that is not four pixel positions: bbox{arguments[:60]}")
        x0, y0, x1, y1 = map(float, numbers)
        if x1 < x0 or y1 < y0:
            raise self._damaged(f"{where} has a bbox whose corners are swapped: bbox{arguments}")
        return x0, y0, x1, y1

    def _confidence(self, arguments: str, where: str) -> float:
        value = arguments.strip()
        if not _CONFIDENCE.fullmatch(value) or float(value) > 100:
            raise self._damaged(f"{where} has a confidence that is not 0-100: x_wconf {value[:60]}")
        return float(value) / 100.0

    def _dpi(self, scan_res: re.Match[str] | None, number: int) -> int:
        if scan_res is None:
            return DEFAULT_DPI
        values = scan_res.group(1).split()
        if not values or not _DPI_VALUE.fullmatch(values[0]) or int(values[0]) == 0:
            raise self._damaged(f"page {number} has a resolution that is not a number of dpi: "
                                f"scan_res{scan_res.group(1)[:60]}")
        return int(values[0])

    def _damaged(self, problem: str) -> CorruptFileError:
        return CorruptFileError(f"the hOCR file is damaged: {problem}; export it again from the OCR program",
                                path=self._path)


def read_hocr(path: Path, options: LoadOptions) -> list[Page]:
    parser = _HocrParser(options, str(path))
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    with open_regular(path) as handle:
        for chunk in _chunks(handle, path):
            parser.feed(decoder.decode(chunk))
    parser.feed(decoder.decode(b"", final=True))
    parser.close()
    if not parser.pages:
        raise EmptyFileError("the hOCR file has no ocr_page element", path=str(path))
    return [
        Page(number=p.number, width=p.width, height=p.height, dpi=p.dpi, text_source="hocr", words=p.words)
        for p in parser.pages
    ]


def _chunks(handle: BinaryIO, path: Path) -> Iterator[bytes]:
    """The file's bytes a piece at a time, never more than its size when opened (a file
    that someone keeps writing to would otherwise be read without end)."""
    remaining = os.fstat(handle.fileno()).st_size
    if remaining > _MAX_BYTES:
        raise TooLargeError(f"hOCR file larger than {_MAX_BYTES // 2**20} MB; split it into smaller files",
                            path=str(path))
    while remaining > 0 and (chunk := handle.read(min(_CHUNK, remaining))):
        remaining -= len(chunk)
        yield chunk
