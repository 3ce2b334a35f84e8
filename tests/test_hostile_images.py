"""Hostile images (issue 12): memory bombs under the pixel limit, 16-bit scans, images too small
for Tesseract, and the page folders a killed OCR run leaves behind.

A memory bomb is read in a child process whose address space is capped (``_run_limited``):
a reader that allocates the bomb fails the test with a MemoryError there instead of taking
the machine down.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import text_page
from invoice_extract import LoadOptions, load_document
from invoice_extract.documents import ocr, preprocess
from invoice_extract.errors import EmptyFileError, ImageTooLargeError

ROOT = Path(__file__).resolve().parents[1]
# Enough for any page under the pixel budget (the 12000 x 12000 tick page peaks near 0.9 GB),
# far too little for the bombs: 3 x 100000 px upscaled and deskewed is 22 billion pixels.
_ADDRESS_SPACE = 2_500_000_000
_FAST = {"auto_rotate": False, "sparse_pass": False, "workers": 1}


def _noise_png(folder: Path, name: str, size: tuple[int, int]) -> Path:
    width, height = size
    path = folder / name
    pixels = np.random.default_rng(0).integers(0, 256, (height, width), dtype=np.uint8)
    Image.fromarray(pixels, "L").save(path)
    return path


def build_noise_strip(folder: Path) -> Path:
    """3 x 100000 px of noise (300 KB): upscaled and then deskewed with expand=True it became
    about 12 billion pixels, and the process 24 GB."""
    return _noise_png(folder, "noise-strip.png", (3, 100_000))


def build_tick_page(folder: Path) -> Path:
    """12000 x 12000 px (under the 150 MP limit), white but for thin tick marks: text that
    small is enlarged 4 times, to 2.3 billion pixels."""
    page = np.full((12_000, 12_000), 255, np.uint8)
    page[100:106, 100:2100:8] = 0  # 250 ticks, 1 px wide and 6 px tall
    path = folder / "tick-page.png"
    Image.fromarray(page, "L").save(path)
    return path


def build_one_pixel_wide(folder: Path) -> Path:
    """An image 1 px wide: Tesseract fails on it (pixSauvolaBinarizeTiled: whsize must be >= 2)."""
    path = folder / "one-pixel-wide.png"
    Image.new("L", (1, 500), 255).save(path)
    return path


def build_long_narrow_strip(folder: Path) -> Path:
    """12 x 40000 px of noise: Tesseract aborts on an image over 32767 px a side."""
    return _noise_png(folder, "long-strip.png", (12, 40_000))


def build_16bit_scan(folder: Path) -> Path:
    """A 16-bit grayscale PNG scan (mode I;16): 8-bit conversion clipped it to a white page."""
    return _deep_gray_scan(folder, "I;16", "png")


HOSTILE_CASES = [build_noise_strip, build_tick_page, build_one_pixel_wide, build_long_narrow_strip,
                 build_16bit_scan]


def _deep_gray_scan(folder: Path, mode: str, suffix: str) -> Path:
    """A page of text as a scanner that uses part of a deep range writes it: ink at about 1500,
    paper at 9000 (of 65535), or 0.02 to 0.14 in floating point."""
    page = np.asarray(text_page("TOTAL 288.66 EUR"), dtype=np.float64) / 255
    path = folder / f"scan-{mode.replace(';', '')}.{suffix}"
    if mode == "F":
        image = Image.fromarray((0.02 + 0.12 * page).astype(np.float32), "F")
    elif mode == "I;16B":
        values = (1500 + 7500 * page).astype(">u2")
        image = Image.frombytes("I;16B", (values.shape[1], values.shape[0]), values.tobytes())
    else:
        values = (1500 + 7500 * page).astype(np.uint16 if mode == "I;16" else np.int32)
        image = Image.fromarray(values)
    assert image.mode == mode
    image.save(path)
    return path


def _run_limited(code: str, *args: str) -> dict:
    """Run ``code`` in a child Python with its address space capped; it prints a JSON object."""
    limit = f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({_ADDRESS_SPACE}, {_ADDRESS_SPACE}))\n"
    # One BLAS thread and two malloc arenas: on a many-core machine their reserved address
    # space alone would pass the cap.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
    done = subprocess.run([sys.executable, "-c", limit + code, *args], check=False, capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


_READ = """
import json, sys
from invoice_extract import LoadOptions, load_document
from invoice_extract.errors import InvoiceExtractError
try:
    document = load_document(sys.argv[1], LoadOptions(**json.loads(sys.argv[2])))
except InvoiceExtractError as error:
    print(json.dumps({"error": error.code, "message": error.message}))
else:
    print(json.dumps({"pages": [[page.width, page.height] for page in document.pages]}))
"""


def _read_limited(path: Path) -> dict:
    return _run_limited(_READ, str(path), json.dumps(_FAST))


def test_noise_strip_is_refused_without_allocating_the_bomb(tmp_path):
    result = _read_limited(build_noise_strip(tmp_path))
    assert result["error"] == EmptyFileError.code
    assert "3 x 100000 pixels, too small" in result["message"]


def test_tick_page_is_never_enlarged_past_the_pixel_budget(tmp_path):
    # Every image the reader makes of the page before Tesseract reads it: the page fitted to
    # OCR (enlarged or reduced), then turned and straightened.
    code = """
import json, sys
from pathlib import Path
from invoice_extract import LoadOptions
from invoice_extract.documents import images, ocr
options = LoadOptions()
frame, _ = next(images.iter_image_pages(Path(sys.argv[1]), options))
fitted, scale = ocr.fit_for_ocr(frame, 1, options)
sizes = [fitted.size] + [ocr.make_upright(fitted, scale, turn, options).image.size for turn in (0, 90)]
print(json.dumps({"sizes": sizes, "budget": ocr.pixel_budget(options)}))
"""
    result = _run_limited(code, str(build_tick_page(tmp_path)))
    assert all(width * height <= result["budget"] for width, height in result["sizes"]), result


def test_long_narrow_strip_is_scaled_to_what_tesseract_reads(tmp_path):
    result = _read_limited(build_long_narrow_strip(tmp_path))
    assert "error" not in result, result
    [[width, height]] = result["pages"]
    assert height <= 32767 and width >= 7


def test_strip_too_narrow_at_tesseracts_longest_side_is_too_large(tmp_path):
    result = _read_limited(_noise_png(tmp_path, "strip.png", (7, 40_000)))
    assert result["error"] == ImageTooLargeError.code
    assert "32767 pixels a side" in result["message"]


@pytest.mark.parametrize("size", [(1, 500), (500, 3), (6, 6)])
def test_image_too_small_for_tesseract_is_a_typed_error(tmp_path, size):
    if size == (1, 500):
        path = build_one_pixel_wide(tmp_path)
    else:
        path = tmp_path / "small.png"
        Image.new("L", size, 255).save(path)
    with pytest.raises(EmptyFileError, match="too small to hold readable text"):
        load_document(path, LoadOptions(**_FAST))


def _tilted_strip() -> Image.Image:
    strip = Image.new("L", (300, 2400), 255)
    draw = ImageDraw.Draw(strip)
    for row in range(40):
        draw.text((20, 30 + 58 * row), f"ITEM {row} 4.{row:02d}", fill=0, font=ImageFont.load_default(size=40))
    return strip.rotate(4, resample=Image.Resampling.BICUBIC, fillcolor=255)


@pytest.mark.parametrize(("max_pixels", "max_side"), [(1_000_000, 32767), (10**8, 2400)])
def test_deskew_never_turns_past_the_budget(max_pixels, max_side):
    strip = _tilted_strip()
    turned, angle = preprocess.deskew(strip, max_pixels, max_side)  # turned, it is 467 x 2421
    assert (turned, angle) == (strip, 0.0)
    turned, angle = preprocess.deskew(strip, 10**8, 32767)
    assert angle == pytest.approx(-4, abs=0.3)  # the strip's tilt is found: only the budget stopped it


@pytest.mark.parametrize(("mode", "suffix"), [("I;16", "png"), ("I;16B", "tif"), ("I", "tif"), ("F", "tif")])
def test_deep_grayscale_scan_is_read_not_blank(tmp_path, mode, suffix):
    path = build_16bit_scan(tmp_path) if mode == "I;16" else _deep_gray_scan(tmp_path, mode, suffix)
    document = load_document(path, LoadOptions(**_FAST))
    assert {"TOTAL", "288.66"} <= {word.text for word in document.pages[0].words}, document.pages[0].text


def test_page_folders_of_a_killed_run_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    page = text_page("TOTAL 288.66 EUR")
    page.save(tmp_path / "page.png")
    killed = _killed_midway(tmp_path / "page.png", tmp_path)
    [left] = [p for p in tmp_path.iterdir() if p.name.startswith(f"invoice-extract-{killed}-")]

    with ocr._as_pgm(page) as live_path:  # this process's own page folder, in use
        live = Path(live_path).parent
        assert ocr.remove_stale_page_folders() == [str(left)]
        assert live.is_dir() and not left.exists()


def test_a_link_named_as_a_page_folder_is_not_followed(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    target = tmp_path / "precious"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    (tmp_path / f"invoice-extract-{_dead_pid()}-abc").symlink_to(target)
    assert ocr.remove_stale_page_folders() == []
    assert (target / "keep.txt").exists()


def _killed_midway(image: Path, temp: Path) -> int:
    """Start reading ``image`` in a child, and kill -9 it (and its Tesseract) once OCR has made
    its page folder; returns the child's process id."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}
    code = "import sys; from invoice_extract import load_document; load_document(sys.argv[1])"
    child = subprocess.Popen([sys.executable, "-c", code, str(image)], env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while not any(temp.glob(f"invoice-extract-{child.pid}-*")):
        assert child.poll() is None and time.monotonic() < deadline, "the child made no page folder"
        time.sleep(0.01)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    return child.pid


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=False,
                           capture_output=True, text=True)
    return int(child.stdout)
