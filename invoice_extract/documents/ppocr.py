"""PP-OCR engine: PP-OCRv4 text detection and recognition on onnxruntime.

The models are the ONNX files shipped in the ``rapidocr-onnxruntime`` wheel (installed from
the package registry with the package; nothing is downloaded at run time). Its recogniser
reads Latin letters without accents, digits and Chinese.

The detector finds text lines; the recogniser reads each line and says where in the line
(at which column of its CTC output) it saw each character. This engine turns those into
``Word``s: lines on one row of the page become one line, in reading order, and a line is
cut into words at its spaces and where the page shows one between two characters (the
recogniser writes fewer than half of the spaces of receipt print; ``_word_spans``).
"""

from __future__ import annotations

import functools
import itertools
import math
import statistics
from dataclasses import dataclass
from typing import Any

from PIL import Image

from ..document import Word
from ..errors import OCRUnavailableError
from . import preprocess

# Where the recogniser wrote no space, two characters have one between them when their
# centres are _SPACE_PITCH times the line's median pitch apart, or _GAP_PITCH times with a
# column of blank paper between them at least _GAP_HEIGHT times the line's height wide.
# On 30 SROIE training receipts (6,679 character pairs of lines read exactly as the data
# set's transcripts have them; 662 of them with a space) the recogniser's own spaces found
# 42% of the spaces; with the pitch alone, 55% (and 0.12% of the pairs without a space cut);
# with the blank gap too, 71% (0.37% cut). A gap of 0.2 line heights found 81% and cut 0.66%.
_SPACE_PITCH = 1.7
_GAP_PITCH = 1.15
_GAP_HEIGHT = 0.25
# A line of one to three characters has too few pitches for a median; its pitch is taken as
# this share of the line's height (about the width of a character).
_PITCH_OF_HEIGHT = 0.55
# The engine reads a page scaled to at most this long side (the wheel's default: 2000). On 8
# synthetic scanned pages (A4 at 300 dpi) 1600 found as many of the printed words (810 of
# 851, against 809 at 2000, 805 at 1280) in 26% less CPU time (benchmarks/README.md).
_LONG_SIDE = 1600
# ... and to at most this many pixels: the detector's memory grows with them. An A4 page at
# a long side of 1600 px took the process to 617 MB; at 1.2 MP (1303 x 921 px) 472 MB, with
# the same 61 lines found. A receipt (twice as long as wide) stays near 1600 px long.
_MAX_PIXELS = 1_200_000
# Longer strips are padded to this ratio of their sides (``_squarer``). A till roll longer than
# this is read small: its text may be too small to read (Tesseract reads it at full size).
_MAX_ASPECT = 4
# The recogniser reads one line at a time: in a batch every line is padded to the longest,
# and on 4 synthetic scanned pages batches of 6 (the wheel's default) took 3.0 s of CPU a
# page, batches of 1 took 2.7 s.
_REC_BATCH = 1
# Boxes on one row of the page (a label and its amount) overlap vertically by at least
# this share of the shorter box's height.
_SAME_ROW = 0.5


@dataclass(slots=True)
class _Line:
    """A detected and recognised text line: its words as (text, box, confidence)."""

    words: list[tuple[str, tuple[float, float, float, float], float]]
    top: float
    bottom: float
    left: float


@functools.cache
def _engine() -> Any:
    """The process's one PP-OCR engine (its onnxruntime sessions load in about 0.2 s).

    Each session runs single-threaded: parallelism comes from reading several pages at once,
    one per core, as with Tesseract. Two threads a page took 70% more CPU time (3.95 s
    against 2.30 s a scanned page, on 2 busy cores) and no less wall time (4.2 s, 3.8 s)."""
    try:
        # Imported here: opencv and the engine load only when this engine is used.
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise OCRUnavailableError(
            "the PP-OCR engine is not installed; install it with "
            "'pip install rapidocr-onnxruntime==1.4.4' or read with --ocr-engine tesseract"
        ) from None
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, max_side_len=_LONG_SIDE,
                    rec_batch_num=_REC_BATCH)


def read_words(image: Image.Image, *, turn_lines: bool) -> list[Word]:
    """The words of an upright page image (grey or RGB, as ``images`` and ``pdf`` make
    them), with boxes in its pixels, in reading order.

    ``turn_lines``: let the engine's angle classifier turn lines it sees upside down; not
    needed (a fifth of the time) where Tesseract's OSD has already turned the page."""
    read, factor = _fitted(_squarer(image))
    results, _ = _engine()(read, use_cls=turn_lines, return_word_box=True)
    gray = preprocess.as_gray(read)
    lines = [_line(result, gray, factor) for result in results or []]
    return _numbered([line for line in lines if line.words], image.size)


def _fitted(image: Image.Image) -> tuple[Image.Image, float]:
    """The image scaled down to ``_LONG_SIDE`` and ``_MAX_PIXELS``, and the factor that takes
    its pixels back to the image's."""
    width, height = image.size
    scale = min(1.0, _LONG_SIDE / max(width, height), math.sqrt(_MAX_PIXELS / (width * height)))
    if scale == 1.0:
        return image, 1.0
    size = (max(round(width * scale), 1), max(round(height * scale), 1))
    return image.resize(size, Image.Resampling.BILINEAR), width / size[0]


def _squarer(image: Image.Image) -> Image.Image:
    """The image, with paper added below or to the right of it where it is a long strip.

    The engine scales a page to ``_LONG_SIDE``, then its detector enlarges the short side to
    736 px: a strip of 12 x 3000 px became 736 x 36800 px to detect (40 s and gigabytes),
    and one whose short side rounds to 0 made it raise. Padded to at most ``_MAX_ASPECT``
    times as long as it is wide, a page costs at most about twice an A4 page. The paper is
    the colour of the image's border, and every box stays where it was."""
    width, height = image.size
    least = math.ceil(max(width, height) / _MAX_ASPECT)
    if min(width, height) >= least:
        return image
    padded = Image.new(image.mode, (max(width, least), max(height, least)), preprocess.border_colour(image))
    padded.paste(image)
    return padded


def _line(result: list[Any], gray: Image.Image, factor: float) -> _Line:
    """One line of the engine's output: [corners, text, score, char boxes, chars, char scores],
    in the pixels of ``gray`` (the image the engine read), its boxes times ``factor``."""
    corners, text, _, char_boxes, chars, char_scores = result
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    top, bottom = min(ys), max(ys)
    if "".join(chars) != text or len(char_boxes) != len(chars) or len(char_scores) != len(chars):
        # Never seen; rather than guess at positions, share the line box by character count.
        char_boxes = _shares(text, min(xs), max(xs), top, bottom)
        chars, char_scores = list(text), [result[2]] * len(text)
    spans = [(min(p[0] for p in box), max(p[0] for p in box), min(p[1] for p in box), max(p[1] for p in box))
             for box in char_boxes]
    blanks = _blank_runs(gray, (min(xs), top, max(xs), bottom), spans)
    words = []
    for start, end in _word_spans(chars, spans, bottom - top, blanks):
        part = spans[start:end]
        box = (min(s[0] for s in part), min(s[2] for s in part), max(s[1] for s in part), max(s[3] for s in part))
        words.append(("".join(chars[start:end]), tuple(v * factor for v in box),  # type: ignore[misc]
                      statistics.fmean(char_scores[start:end])))
    return _Line(words, top * factor, bottom * factor, min(xs) * factor)


def _shares(text: str, left: float, right: float, top: float, bottom: float) -> list[list[list[float]]]:
    step = (right - left) / max(len(text), 1)
    return [[[left + i * step, top], [left + (i + 1) * step, bottom]] for i in range(len(text))]


def _blank_runs(gray: Image.Image, box: tuple[float, float, float, float],
                spans: list[tuple[float, float, float, float]]) -> list[int]:
    """For each character after the first, the widest run of ink-free pixel columns of the
    line between its centre and the one before (Otsu's threshold within the line's box)."""
    left, top = max(math.floor(box[0]), 0), max(math.floor(box[1]), 0)
    right, bottom = min(math.ceil(box[2]), gray.width), min(math.ceil(box[3]), gray.height)
    if right - left < 2 or bottom - top < 2:
        return [0] * max(len(spans) - 1, 0)
    mask = preprocess.ink_mask(gray.crop((left, top, right, bottom)))
    inked = mask.sum(axis=0) >= max(1.0, 0.04 * mask.shape[0])
    centres = [round((s[0] + s[1]) / 2) - left for s in spans]
    runs = []
    for a, b in itertools.pairwise(centres):
        widest = run = 0
        for has_ink in inked[max(a, 0):max(b, 0)]:
            run = 0 if has_ink else run + 1
            widest = max(widest, run)
        runs.append(widest)
    return runs


def _word_spans(chars: list[str], spans: list[tuple[float, float, float, float]],
                height: float, blanks: list[int]) -> list[tuple[int, int]]:
    """[start, end) of each word among a line's characters."""
    centres = [(s[0] + s[1]) / 2 for s in spans]
    pitches = [b - a for a, b in itertools.pairwise(centres)]
    pitch = max(statistics.median(pitches) if len(pitches) >= 3 else _PITCH_OF_HEIGHT * height, 1.0)
    words, start = [], None
    for i, char in enumerate(chars):
        if char.isspace():
            if start is not None:
                words.append((start, i))
            start = None
            continue
        if start is not None and _space_before(i, centres, pitch, blanks, height):
            words.append((start, i))
            start = None
        if start is None:
            start = i
    if start is not None:
        words.append((start, len(chars)))
    return words


def _space_before(i: int, centres: list[float], pitch: float, blanks: list[int], height: float) -> bool:
    apart = (centres[i] - centres[i - 1]) / pitch
    return apart > _SPACE_PITCH or (apart > _GAP_PITCH and blanks[i - 1] >= _GAP_HEIGHT * height)


def _numbered(lines: list[_Line], size: tuple[int, int]) -> list[Word]:
    """Words with block, line and index numbers: lines that share a row of the page make one
    line, left to right; rows go top to bottom, and a gap taller than a line starts a block."""
    words: list[Word] = []
    block, last_bottom = -1, None
    for number, row in enumerate(_rows(lines)):
        top, bottom = min(item.top for item in row), max(item.bottom for item in row)
        if last_bottom is None or top - last_bottom > min(item.bottom - item.top for item in row):
            block += 1
        last_bottom = bottom
        row_words = [word for item in sorted(row, key=lambda item: item.left) for word in item.words]
        for index, (text, box, confidence) in enumerate(row_words):
            words.append(Word.on_page(text, box, size, confidence=confidence, block=block, line=number, index=index))
    return words


def _rows(lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped into rows of the page, top to bottom: a line joins the row above when
    it overlaps that row's first line by half the lower height."""
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda item: item.top):
        first = rows[-1][0] if rows else None
        if first is not None and _overlap(line, first) >= _SAME_ROW * min(line.bottom - line.top, first.bottom - first.top):
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows


def _overlap(a: _Line, b: _Line) -> float:
    return min(a.bottom, b.bottom) - max(a.top, b.top)
