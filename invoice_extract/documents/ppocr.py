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
import re
import statistics
from dataclasses import dataclass
from typing import Any

from PIL import Image

from ..document import Word
from ..errors import OCRUnavailableError
from . import preprocess

# Where the recogniser wrote no space, two characters have one between them when a column
# of blank paper lies between them, at least _SOME_BLANK times the line's height wide where
# their centres are _FAR_APART times the line's median pitch apart, _WIDE_BLANK where they
# are _APART times apart. On 30 SROIE training receipts (6,679 character pairs of
# lines read exactly as the data set's transcripts have them; 662 with a space) the
# recogniser's own spaces found 42% of the spaces; the pitch alone (over 1.7, no blank
# asked) 55%, cutting 0.12% of the pairs without a space; these rules find 69% and cut
# 0.27% (a gap of 0.2 heights: 81%, cutting 0.66%). The blank keeps the pitch rule from
# cutting short amounts, whose characters the recogniser places less evenly (2.4 9).
_FAR_APART, _SOME_BLANK = 1.7, 0.15
_APART, _WIDE_BLANK = 1.15, 0.25
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
# Lines on one row of the page (a label and its amount): the middle of one, followed along
# its tilt, meets the other's within this share of the lower line's height.
_SAME_ROW = 0.5
# A run of 0s and 1s between letters (_letters_as_letters).
_LETTER_DIGITS = re.compile(r"([A-Za-z])([01]+)(?=[A-Za-z])")
# A 0 ending a word after three letters.
_ENDING_ZERO = re.compile(r"(?<=[A-Za-z]{2})([A-Za-z])0$")
# Os, Is and ls beside a digit, and the digits they are read for.
_DIGIT_LETTERS = re.compile(r"(?<=\d)[OoIil]+|[OoIil]+(?=\d)")
_AS_DIGITS = str.maketrans("OoIil", "00111")


@dataclass(slots=True)
class _Line:
    """A detected and recognised text line: its words as (text, box, confidence), its box,
    and the middle of its left and right ends (on a tilted photo the line runs between them)."""

    words: list[tuple[str, tuple[float, float, float, float], float]]
    top: float
    bottom: float
    left: float
    right: float
    left_end: tuple[float, float]
    right_end: tuple[float, float]
    height: float  # across the line, not its box's: a tilted line's box is taller

    def y_at(self, x: float) -> float:
        """Where the line's middle runs at ``x``, extended past its ends."""
        (x0, y0), (x1, y1) = self.left_end, self.right_end
        return y0 if x1 - x0 < 1 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


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
        words.append((_letters_as_letters("".join(chars[start:end])), tuple(v * factor for v in box),  # type: ignore[misc]
                      statistics.fmean(char_scores[start:end])))
    # The corners go clockwise from the top left: the ends' middles, and the sides' lengths.
    (tl, tr, br, bl) = [(p[0] * factor, p[1] * factor) for p in corners]
    height = (math.dist(tl, bl) + math.dist(tr, br)) / 2
    left_end = ((tl[0] + bl[0]) / 2, (tl[1] + bl[1]) / 2)
    right_end = ((tr[0] + br[0]) / 2, (tr[1] + br[1]) / 2)
    return _Line(words, top * factor, bottom * factor, min(xs) * factor, max(xs) * factor,
                 left_end, right_end, height)


def _letters_as_letters(word: str) -> str:
    """The word with the digits the recogniser reads for letters put right, and the other way
    round: ``L0T`` and ``PUEBL0`` have an O, ``Snellv11e`` two l's, ``47ioo`` is 47100. In a
    word with no other digits, a 0 or 1 between letters is a letter, and a 0 ending a word of
    three letters or more (``RM10``, ``Room101``, ``Suite1`` stay). In a word of digits (two
    or more) whose only letters are O, I and l, those letters are digits."""
    letters = sum(ch.isalpha() for ch in word)
    if letters >= 2 and all(ch in "01" for ch in word if ch.isdigit()):
        word = _LETTER_DIGITS.sub(_as_letter, word)
        return _ENDING_ZERO.sub(lambda match: match[1] + ("o" if match[1].islower() else "O"), word)
    if letters and all(ch in "OoIil" for ch in word if ch.isalpha()) and sum(ch.isdigit() for ch in word) >= 2:
        return _DIGIT_LETTERS.sub(lambda match: match[0].translate(_AS_DIGITS), word)
    return word


def _as_letter(match: re.Match[str]) -> str:
    lower = match[1].islower()
    return match[1] + "".join({"0": "o" if lower else "O", "1": "l" if lower else "I"}[digit] for digit in match[2])


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
    blank = blanks[i - 1] / max(height, 1.0)
    return (apart > _FAR_APART and blank >= _SOME_BLANK) or (apart > _APART and blank >= _WIDE_BLANK)


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
    """Lines grouped into rows of the page, top to bottom: a line joins the row above it
    when it lies beside that row's lines, none of them above or below it, and its middle
    continues the nearest one's (followed along its tilt) within half a line's height. A
    photographed receipt is often tilted: compared by their boxes, its item lines overlapped
    enough to be taken for one row, and a column of them came out as one line."""
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda item: item.left_end[1]):
        if rows and _beside(line, rows[-1]):
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows


def _beside(line: _Line, row: list[_Line]) -> bool:
    if any(min(line.right, other.right) - max(line.left, other.left) > _SAME_ROW * min(line.height, other.height)
           for other in row):
        return False  # one above the other (boxes beside each other may overlap by a little)
    nearest = min(row, key=lambda other: min(abs(line.left - other.right), abs(other.left - line.right)))
    x, y = line.left_end if line.left + line.right > nearest.left + nearest.right else line.right_end
    return abs(nearest.y_at(x) - y) <= _SAME_ROW * min(line.height, nearest.height)
