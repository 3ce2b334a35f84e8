"""OCR of one page image: scale, orientation and tilt, then words with boxes from an engine.

What makes a page ready (``fit_for_ocr``, ``detect_rotation`` by Tesseract OSD,
``make_upright``) comes before either engine. The engines: Tesseract, here, and PP-OCR
(``ppocr.py``); ``LoadOptions.ocr_engine`` chooses. The default, ``auto``, reads with PP-OCR
(on the SROIE dev receipts it finds 0.85 of the gold values in its text, Tesseract 0.68;
benchmarks/README.md) and takes accents and spaces from one Tesseract run on a page in a
language that has them (``accents.py``).

Each Tesseract process runs single-threaded (``OMP_THREAD_LIMIT=1``): on a small machine
its OpenMP threads fight over the cores and make a page slower, not faster (0.72 s against
2.46 s a page on 2 cores; benchmarks/README.md). Parallelism comes from OCR-ing several pages at once instead.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytesseract
from PIL import Image

from ..document import Page, Word, clean_text
from ..errors import EmptyFileError, ImageTooLargeError, OCRUnavailableError
from ..normalise import guess_language
from . import accents, ppocr, preprocess
from .options import DEFAULT_DPI, LoadOptions

# --lang auto: read in English, then again in the page's language when it is one of these
# (ISO 639-1 as guess_language names them, to Tesseract's codes).
AUTO_LANGUAGES = "auto"
_TESSERACT_LANGUAGES = {"de": "deu", "fr": "fra", "nl": "nld", "es": "spa", "it": "ita"}
_MIN_OSD_CONFIDENCE = 1.0  # Tesseract's orientation confidence; below it a guess is a coin toss
_OSD_LONG_SIDE = 1800  # OSD is as good on a half-size copy and twice as fast
# Binarise with Sauvola's local threshold (Tesseract's thresholding_method=2) instead of
# one global Otsu threshold: receipts and phone photos are lit unevenly, and a global
# threshold blackens or erases whole regions. On the 100 SROIE dev receipts it took the
# end-to-end score from 0.587 to 0.620 (training/evaluate.py --set sroie-ocr); the synthetic
# held-out set, clean and noisy scans, went from 0.969 to 0.962.
_TESSERACT_CONFIG = "-c thresholding_method=2"
# Tesseract's page layout analysis drops some text as noise: the amounts column of a
# narrow receipt, a line beside a logo. A second, sparse-text pass (--psm 11) finds it; of
# its words, those outside every first-pass word and at least this sure are added. On the
# SROIE dev receipts the pass took the end-to-end score from 0.620 to 0.629 (totals 0.688 to
# 0.723; with 0.8 here, 0.628); the synthetic held-out set went from 0.962 to 0.963. It costs
# about 40% more OCR time on a receipt and 65% on a full scanned page (benchmarks/README.md);
# LoadOptions.sparse_pass turns it off.
_SPARSE_MIN_CONFIDENCE = 0.6
# The image handed to Tesseract is kept within these. Tesseract 5.3 refuses an image under
# 7 px a side (its Sauvola window: "pixSauvolaBinarizeTiled: whsize must be >= 2") and aborts
# on one over 32767 px a side (std::length_error).
_MIN_SIDE = 7
_MAX_SIDE = 32767
# Tesseract holds about 6 bytes a pixel of a page of text and 13 of a page of noise
# (/usr/bin/time -v, one thread: 278 MB for 40 MP of text, 499 MB for 36 MP of noise), so at
# the 150 MP file limit one Tesseract could take 2 GB, and one runs per core. The image it
# reads is held to 50 MP (at most about 0.7 GB), still an A3 page at 500 dpi: a larger page is
# scaled down, and small text is enlarged only as far as that.
_OCR_MAX_PIXELS = 50_000_000
# Page folders are named with the process's id, so that a later run can tell a folder left by
# a killed process (remove_stale_page_folders) from one in use.
_PAGE_FOLDER = re.compile(r"invoice-extract-(\d{1,7})-[a-z0-9_]+")


def debian_package(language: str) -> str:
    return "tesseract-ocr-" + language.lower().replace("_", "-")


@functools.cache
def installed_languages() -> frozenset[str]:
    # Tesseract processes inherit the environment. Set here, on first use of OCR, rather than
    # on import: OpenMP in this process (torch, numpy builds) reads it too when it starts,
    # and a program that only imports us must keep its own threads.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        return frozenset(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError:
        raise OCRUnavailableError(
            "this page needs OCR but Tesseract is not installed; install it with "
            "'apt-get install tesseract-ocr' (or run 'make demo', which does)"
        ) from None


def check_languages(languages: str) -> None:
    """Fail early, naming the package to install, if a requested language is missing."""
    available = installed_languages()
    wanted = "eng" if languages == AUTO_LANGUAGES else languages
    missing = [lang for lang in wanted.split("+") if lang and lang not in available]
    if missing:
        packages = " ".join(debian_package(lang) for lang in missing)
        raise OCRUnavailableError(
            f"Tesseract has no data for language(s) {', '.join(missing)}; install them with "
            f"'apt-get install {packages}' (installed: {', '.join(sorted(available)) or 'none'})"
        )


@contextmanager
def _as_pgm(image: Image.Image) -> Iterator[str]:
    """The image as a temporary PGM file for Tesseract.

    Given a PIL image, pytesseract writes it as PNG first: 1.3 s for a 300 dpi page, more
    than the OCR itself. PGM takes milliseconds and Tesseract reads it just as well.
    """
    with tempfile.TemporaryDirectory(prefix=f"invoice-extract-{os.getpid()}-") as folder:
        path = os.path.join(folder, "page.pgm")
        preprocess.as_gray(image).save(path, format="PPM")
        yield path


def remove_stale_page_folders() -> list[str]:
    """Remove the page folders that OCR runs killed midway (``kill -9``, a power cut) left in
    the temporary folder: those named for a process that no longer exists. Returns them."""
    removed = []
    root = tempfile.gettempdir()
    for name in os.listdir(root):
        match = _PAGE_FOLDER.fullmatch(name)
        path = os.path.join(root, name)
        if match and not _process_exists(int(match[1])) and _own_folder(path):
            shutil.rmtree(path, ignore_errors=True)  # another run starting now may be removing it too
            removed.append(path)
    return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only whether the process exists is checked
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _own_folder(path: str) -> bool:
    """A real folder (not a link someone put there) of this user's."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()


@dataclass(slots=True)
class Upright:
    """A page image made ready for OCR, and what was done to it."""

    image: Image.Image
    rotation: int
    skew: float
    scale: float


def pixel_budget(options: LoadOptions) -> int:
    """The most pixels an image made for OCR (enlarged, turned, straightened) may have."""
    return min(options.max_pixels, _OCR_MAX_PIXELS)


def fit_for_ocr(image: Image.Image, number: int, options: LoadOptions) -> tuple[Image.Image, float]:
    """Scale a page image to what Tesseract reads best and can read: small text is enlarged,
    but never past the pixel budget or Tesseract's longest side, and a page over them is
    scaled down. Returns the image and the factor, or raises a typed error for an image
    Tesseract cannot read at any scale."""
    width, height = image.size
    if min(width, height) < _MIN_SIDE:
        raise EmptyFileError(
            f"page {number} is {width} x {height} pixels, too small to hold readable text "
            f"(at least {_MIN_SIDE} pixels a side)"
        )
    wanted = preprocess.upscale_factor(preprocess.as_gray(image))
    scale = min(wanted, math.sqrt(pixel_budget(options) / (width * height)), _MAX_SIDE / max(width, height))
    if scale == 1.0:
        return image, scale
    size = (math.floor(width * scale), math.floor(height * scale))  # down, to stay within the budget
    if min(size) < _MIN_SIDE:
        raise ImageTooLargeError(
            f"page {number} is {width} x {height} pixels, too long for its width: OCR reads at "
            f"most {_MAX_SIDE} pixels a side, and scaled to that it would be too narrow to read; "
            "split it into pages"
        )
    return image.resize(size, Image.Resampling.LANCZOS), scale


def make_upright(image: Image.Image, scale: float, rotation: int, options: LoadOptions) -> Upright:
    """Turn an (enlarged) page by ``rotation`` clockwise degrees and straighten a slight tilt."""
    if rotation:
        # PIL turns counter-clockwise; OSD reports the clockwise turn that fixes the page.
        image = image.rotate(-rotation, expand=True)
    skew = 0.0
    if options.deskew:
        image, skew = preprocess.deskew(image, pixel_budget(options), _MAX_SIDE)
    return Upright(image, rotation, skew, scale)


def detect_rotation(image: Image.Image) -> int:
    """Clockwise degrees (0, 90, 180, 270) that make the page upright, by Tesseract OSD."""
    if "osd" not in installed_languages():
        return 0
    probe = preprocess.as_gray(image)
    if max(probe.size) > _OSD_LONG_SIDE:
        probe = probe.reduce(2)
    try:
        with _as_pgm(probe) as path:
            osd = pytesseract.image_to_osd(path, output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:
        return 0  # too little text to tell; leave the page as it is
    if float(osd.get("orientation_conf", 0.0)) < _MIN_OSD_CONFIDENCE:
        return 0
    return int(osd.get("rotate", 0)) % 360


def ocr_page(image: Image.Image, number: int, options: LoadOptions, *, dpi: int) -> Page:
    """OCR one page image into a Page whose boxes are in the upright image's pixels.

    ``dpi`` is the image's resolution, 0 when the file does not say."""
    image, scale = fit_for_ocr(image, number, options)
    rotation = detect_rotation(image) if options.auto_rotate else 0
    upright = make_upright(image, scale, rotation, options)
    words, page_dpi = _read(upright, options, dpi)
    if rotation == 180:
        # OSD calls some small, narrow receipts upside down with confidence up to 4 (seen
        # on 11 of 166 SROIE receipts). Upside-down text reads as junk, so read the page as
        # it came too and keep the reading Tesseract is surer of.
        as_given = make_upright(image, scale, 0, options)
        words_as_given, dpi_as_given = _read(as_given, options, dpi)
        if _certainty(words_as_given) > _certainty(words):
            upright, words, page_dpi = as_given, words_as_given, dpi_as_given
    return Page(
        number=number,
        width=upright.image.width,
        height=upright.image.height,
        dpi=page_dpi,
        text_source="ocr",
        words=words,
        image=upright.image if options.keep_images else None,
        rotation=upright.rotation,
        skew=upright.skew,
    )


def _read(upright: Upright, options: LoadOptions, dpi: int) -> tuple[list[Word], int]:
    # With no resolution in the file, upscaling aimed at about 300 dpi.
    page_dpi = round(dpi * upright.scale) if dpi else DEFAULT_DPI
    if options.ocr_engine == "tesseract":
        return _read_tesseract(upright, options, page_dpi), page_dpi
    words = ppocr.read_words(upright.image, turn_lines=not options.auto_rotate)
    if options.ocr_engine == "auto":
        words = _with_accents(upright, options, page_dpi, words)
    return words, page_dpi


def _with_accents(upright: Upright, options: LoadOptions, page_dpi: int, words: list[Word]) -> list[Word]:
    """PP-OCR's words of a page in a language with accents, spelled as Tesseract reads them in
    that language where only accents differ (``accents.restore``); an English page as it is."""
    if options.languages == AUTO_LANGUAGES:
        language = _page_language(words)
    else:
        language = next((code for code in options.languages.split("+") if code != "eng"), None)
    if language is None:
        return words
    gray = preprocess.as_gray(upright.image)
    config = f"--dpi {page_dpi} {_TESSERACT_CONFIG}"
    try:
        with _as_pgm(gray) as path:
            reference = _tesseract_words(path, gray.size, f"{language}+eng", config)
    except pytesseract.TesseractNotFoundError:
        return words  # the accents are lost, the reading is not
    return accents.restore(words, reference)


def _read_tesseract(upright: Upright, options: LoadOptions, page_dpi: int) -> list[Word]:
    gray = preprocess.as_gray(upright.image)
    automatic = options.languages == AUTO_LANGUAGES
    config = f"--dpi {page_dpi} {_TESSERACT_CONFIG}"
    languages = "eng" if automatic else options.languages
    try:
        with _as_pgm(gray) as path:
            words = _tesseract_words(path, gray.size, languages, config)
            language = _page_language(words) if automatic else None
            if language is not None:
                # English models drop accents and misread umlauts (ö as 6): a page in another
                # language is read again with that language's model first.
                languages = f"{language}+eng"
                words = _tesseract_words(path, gray.size, languages, config)
            if options.sparse_pass:
                words += skipped_words(path, gray.size, words, languages, config)
    except pytesseract.TesseractNotFoundError:
        installed_languages.cache_clear()
        raise OCRUnavailableError(
            "Tesseract is not installed; install it with 'apt-get install tesseract-ocr'"
        ) from None
    return words


def _tesseract_words(path: str, size: tuple[int, int], languages: str, config: str) -> list[Word]:
    data = pytesseract.image_to_data(path, lang=languages, config=config, output_type=pytesseract.Output.DICT)
    return _words_from_tesseract(data, size)


def skipped_words(path: str, size: tuple[int, int], words: list[Word], languages: str, config: str) -> list[Word]:
    """Words of the page image at ``path`` that a sparse-text pass finds outside ``words``.

    They come after the page's other words, in lines and blocks of their own."""
    boxes = [w.box for w in words]
    first_line = max((w.line for w in words), default=-1) + 1
    first_block = max((w.block for w in words), default=-1) + 1
    extra = []
    for word in _tesseract_words(path, size, languages, f"{config} --psm 11"):
        if word.confidence < _SPARSE_MIN_CONFIDENCE or not any(ch.isalnum() for ch in word.text):
            continue
        x, y = (word.box[0] + word.box[2]) / 2, (word.box[1] + word.box[3]) / 2
        if any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes):
            continue  # the first pass read it
        extra.append(dataclasses.replace(word, line=word.line + first_line, block=word.block + first_block))
    return extra


def _page_language(words: list[Word]) -> str | None:
    """The Tesseract language of a page read in English, when it is another one we have."""
    code = _TESSERACT_LANGUAGES.get(guess_language(" ".join(w.text for w in words)) or "")
    return code if code in installed_languages() else None


def _certainty(words: list[Word]) -> float:
    """Total confidence of the words that look like words: more well-read text scores higher."""
    return sum(w.confidence for w in words if sum(ch.isalnum() for ch in w.text) >= 2)


def _words_from_tesseract(data: dict[str, list], size: tuple[int, int]) -> list[Word]:
    words: list[Word] = []
    line_ids: dict[tuple[int, int, int], int] = {}
    block_ids: dict[int, int] = {}
    last_line = None
    index = 0
    for i, text in enumerate(data["text"]):
        text = clean_text(text).strip()
        confidence = float(data["conf"][i])
        if data["level"][i] != 5 or not text or confidence < 0:
            continue
        block_key = data["block_num"][i]
        line_key = (block_key, data["par_num"][i], data["line_num"][i])
        block = block_ids.setdefault(block_key, len(block_ids))
        line = line_ids.setdefault(line_key, len(line_ids))
        index = index + 1 if line == last_line else 0
        last_line = line
        left, top = data["left"][i], data["top"][i]
        box = (left, top, left + data["width"][i], top + data["height"][i])
        words.append(
            Word.on_page(
                text, box, size, confidence=confidence / 100.0, block=block, line=line, index=index
            )
        )
    return words
