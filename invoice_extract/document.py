"""The document model every stage reads and enriches: Document -> Page -> Word.

Coordinates are pixels of the page at ``Page.dpi`` with the origin at the top-left of the
upright page. PDF pages use the same 300 dpi pixel space whether their words came from
the text layer or from OCR, so boxes from both sources can be drawn on one rendering.
Each word also carries its box normalised to 0-1000 (LayoutLM's convention), which is
what the tagging model consumes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from PIL import Image

TextSource = Literal["pdf", "ocr", "hocr"]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1
NormBox = tuple[int, int, int, int]


def normalise_box(box: Box, width: float, height: float) -> NormBox:
    """Scale a pixel box to 0-1000 on both axes, clamped to the page."""
    x0, y0, x1, y1 = box

    def scale(value: float, extent: float) -> int:
        return min(1000, max(0, round(1000 * value / extent))) if extent > 0 else 0

    return (scale(x0, width), scale(y0, height), scale(x1, width), scale(y1, height))


# What is dropped from a word's text, by Unicode category: controls (Cc other than spaces: NUL,
# escape, the C1 set; no reader means them as text), format characters (Cf: they print nothing,
# and bidi overrides and isolates make text show in another order than it is stored; zero-width
# spaces and joiners, soft hyphens, byte order marks, tag characters) and unpaired surrogates
# (Cs). Private-use characters (Co, an icon font's glyphs) and unassigned ones (Cn, perhaps
# assigned after this Python's Unicode) are text the tokenizer takes, and stay.
_NOT_TEXT = frozenset({"Cc", "Cf", "Cs"})


def clean_text(text: str) -> str:
    """``text`` as valid text: surrogate pairs joined into one character, lone surrogates,
    controls, format characters and noncharacters dropped (see ``_NOT_TEXT``), every kind of
    space made a plain one; "" if nothing is left.

    PDFium hands out a text layer as UTF-16 code units, so a character outside the Basic
    Multilingual Plane (an emoji, a mathematical letter) arrives as two surrogates, which the
    tokenizer refuses and no UTF-8 file can hold."""
    if text.isprintable():  # no "Other" (C*) or "Separator" but the space: nearly every word
        return text
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    spaced = (" " if ch.isspace() else ch for ch in joined)  # a tab or line break (Cc) still parts words
    return "".join(ch for ch in spaced if unicodedata.category(ch) not in _NOT_TEXT and not _noncharacter(ch))


def _noncharacter(ch: str) -> bool:
    """U+FDD0-U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, ...): never
    text by Unicode's own rules (PDFium uses U+FFFE for its soft-hyphen marker)."""
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


@dataclass(frozen=True, slots=True)
class Word:
    """One word as printed: its text, where it is, and how sure the reader was of it.

    Its text is always valid text (``clean_text``), however it was made; a reader skips a word
    whose text cleans to nothing."""

    text: str
    box: Box
    norm_box: NormBox
    confidence: float  # 0-1; 1.0 for text taken from a PDF's text layer
    block: int  # reading-order indices within the page, all 0-based
    line: int  # line index within the page (not within the block)
    index: int  # word index within its line

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean_text(self.text))  # frozen: set once, here

    @classmethod
    def on_page(
        cls,
        text: str,
        box: Box,
        page_size: tuple[float, float],
        *,
        confidence: float,
        block: int,
        line: int,
        index: int,
    ) -> Word:
        rounded: Box = tuple(round(v, 1) for v in box)  # type: ignore[assignment]
        return cls(text, rounded, normalise_box(box, *page_size), confidence, block, line, index)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Word:
        return cls(data["text"], tuple(data["box"]), tuple(data["norm_box"]), data["confidence"],
                   data["block"], data["line"], data["index"])  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "box": list(self.box),
            "norm_box": list(self.norm_box),
            "confidence": round(self.confidence, 3),
            "block": self.block,
            "line": self.line,
            "index": self.index,
        }


@dataclass(slots=True)
class Page:
    """One page: its size at the resolution used, its words, and how they were read."""

    number: int  # 1-based
    width: int
    height: int
    dpi: int
    text_source: TextSource
    words: list[Word] = field(default_factory=list)
    image: Image.Image | None = field(default=None, repr=False, compare=False)
    rotation: int = 0  # degrees (clockwise) turned to make the page upright
    skew: float = 0.0  # degrees of tilt corrected before OCR

    @property
    def text(self) -> str:
        """The page's words, a line of text per line."""
        lines: dict[int, list[str]] = {}
        for word in self.words:
            lines.setdefault(word.line, []).append(word.text)
        return "\n".join(" ".join(words) for _, words in sorted(lines.items()))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Page:
        return cls(data["number"], data["width"], data["height"], data["dpi"], data["text_source"],
                   [Word.from_dict(w) for w in data["words"]], rotation=data["rotation"], skew=data["skew"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "width": self.width,
            "height": self.height,
            "dpi": self.dpi,
            "text_source": self.text_source,
            "rotation": self.rotation,
            "skew": round(self.skew, 2),
            "words": [word.to_dict() for word in self.words],
        }


@dataclass(slots=True)
class Document:
    """An input file turned into pages of words."""

    source: Path
    sha256: str
    media_type: str
    pages: list[Page] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def words(self) -> list[Word]:
        return [word for page in self.pages for word in page.words]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """Rebuild a Document from ``to_dict`` output (page images are not kept)."""
        return cls(Path(data["source"]), data["sha256"], data["media_type"],
                   [Page.from_dict(p) for p in data["pages"]], list(data["warnings"]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "sha256": self.sha256,
            "media_type": self.media_type,
            "warnings": list(self.warnings),
            "pages": [page.to_dict() for page in self.pages],
        }
