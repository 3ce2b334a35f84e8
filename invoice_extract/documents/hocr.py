"""Read hOCR files (Tesseract, OCRopus, Kraken, ABBYY exports...) as already-OCR'd pages.

Parsed with the standard library's HTML parser: it resolves no external entities and
fetches nothing, and it tolerates the not-quite-XHTML some engines write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..document import Page, Word
from ..errors import CorruptFileError, EmptyFileError, InputFileError, TooManyPagesError
from .options import DEFAULT_DPI, LoadOptions

_BBOX = re.compile(r"bbox\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)")
_WCONF = re.compile(r"x_wconf\s+(-?[\d.]+)")
_DPI = re.compile(r"scan_res\s+(\d+)")
_LINE_CLASSES = {"ocr_line", "ocrx_line", "ocr_caption", "ocr_textfloat", "ocr_header"}
_BLOCK_CLASSES = {"ocr_carea", "ocrx_block"}
_MAX_BYTES = 50 * 1024 * 1024


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
    def __init__(self, max_pages: int, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.pages: list[_PageBuilder] = []
        self._max_pages = max_pages
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
        if len(self.pages) >= self._max_pages:
            raise TooManyPagesError(
                f"more than {self._max_pages} pages; raise --max-pages if this is intended",
                path=self._path,
            )
        bbox = _BBOX.search(title)
        if not bbox:
            raise CorruptFileError("an hOCR page has no bbox, so its size is unknown", path=self._path)
        dpi = _DPI.search(title)
        x0, y0, x1, y1 = (int(v) for v in bbox.groups())
        self.pages.append(
            _PageBuilder(len(self.pages) + 1, x1 - x0, y1 - y0, int(dpi.group(1)) if dpi else DEFAULT_DPI)
        )

    def _finish_word(self) -> None:
        title, text = self._word_title or "", "".join(self._word_text).strip()
        self._word_title = None
        bbox = _BBOX.search(title)
        if not text or not bbox or not self.pages:
            return
        page = self.pages[-1]
        confidence = _WCONF.search(title)
        box = tuple(float(v) for v in bbox.groups())
        page.words.append(
            Word.on_page(
                text,
                box,  # type: ignore[arg-type]
                (page.width, page.height),
                confidence=float(confidence.group(1)) / 100.0 if confidence else 1.0,
                block=max(page.block, 0),
                line=max(page.line, 0),
                index=page.index,
            )
        )
        page.index += 1


def read_hocr(path: Path, options: LoadOptions) -> list[Page]:
    if path.stat().st_size > _MAX_BYTES:
        raise InputFileError(
            f"hOCR file larger than {_MAX_BYTES // 2**20} MB; split it into smaller files",
            path=str(path),
        )
    text = path.read_text(encoding="utf-8", errors="replace")
    parser = _HocrParser(options.max_pages, str(path))
    parser.feed(text)
    parser.close()
    if not parser.pages:
        raise EmptyFileError("the hOCR file has no ocr_page element", path=str(path))
    return [
        Page(number=p.number, width=p.width, height=p.height, dpi=p.dpi, text_source="hocr", words=p.words)
        for p in parser.pages
    ]
