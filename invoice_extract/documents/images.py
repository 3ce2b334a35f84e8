"""Open image files safely: size limits before decoding, EXIF orientation, every TIFF page."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import CorruptFileError, ImageTooLargeError, TooManyPagesError
from .options import LoadOptions

_GRAY_MODES = {"1", "L", "LA"}
# Deep grayscale besides the 16-bit modes (I;16, I;16B, ...): 32-bit integer and floating point.
_DEEP_GRAY_MODES = {"I", "F"}
_BAND_ROWS = 512  # deep pixels are scaled a band of rows at a time (_bands)


def check_pixels(width: int, height: int, options: LoadOptions, path: Path, what: str) -> None:
    if width * height > options.max_pixels:
        raise ImageTooLargeError(
            f"{what} is {width} x {height} pixels, over the limit of "
            f"{options.max_pixels / 1e6:.0f} megapixels; this is either a decompression bomb "
            "or a scan at a needlessly high resolution (rescan at 300 dpi, or raise --max-pixels)",
            path=str(path),
        )


def iter_image_pages(path: Path, options: LoadOptions) -> Iterator[tuple[Image.Image, int]]:
    """Yield each frame of an image file upright per EXIF, with its dpi (0 if unknown)."""
    try:
        # Our own limit (checked below, before any pixel is decoded) replaces Pillow's warning;
        # Pillow still refuses outright past twice its limit (179 MP), which we report alike.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(
            f"the image is refused as a likely decompression bomb ({exc})", path=str(path)
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CorruptFileError(f"the image is damaged and cannot be read ({exc})", path=str(path)) from None

    with image:
        check_pixels(image.width, image.height, options, path, "the image")
        frames = getattr(image, "n_frames", 1)
        if frames > options.max_pages:
            raise TooManyPagesError(
                f"{frames} pages, more than the limit of {options.max_pages}; "
                "raise --max-pages if this is intended",
                path=str(path),
            )
        for index in range(frames):
            try:
                image.seek(index)
                check_pixels(image.width, image.height, options, path, f"page {index + 1}")
                frame = ImageOps.exif_transpose(image)  # a copy, loaded; applies EXIF rotation
                frame = _to_8_bits(frame)
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise CorruptFileError(
                    f"page {index + 1} of the image is damaged or truncated ({exc})", path=str(path)
                ) from None
            yield frame, _dpi(image)


def _to_8_bits(frame: Image.Image) -> Image.Image:
    """The frame as 8-bit grayscale (L) or RGB."""
    if frame.mode in _DEEP_GRAY_MODES or frame.mode.startswith("I;16"):
        return _stretch_to_8_bits(frame)
    target = "L" if frame.mode in _GRAY_MODES else "RGB"
    return frame if frame.mode == target else frame.convert(target)  # convert would copy it


def _stretch_to_8_bits(frame: Image.Image) -> Image.Image:
    """Deep grayscale scaled to 0-255 by the range its pixels use. Pillow's own conversion
    clips at 255 instead, and a 16-bit scan (paper at 50000, ink at 8000) turns all white."""
    low, high = _value_range(frame)
    if not high > low:
        return Image.new("L", frame.size, 255)  # one value (or none) all over: a blank page
    scale = 255.0 / (high - low)
    out = np.empty((frame.height, frame.width), np.uint8)
    for top, band in _bands(frame):
        # NaN in a floating-point image is no ink; infinities are clipped to the range.
        scaled = np.nan_to_num((band.astype(np.float64) - low) * scale, nan=255.0)
        out[top:top + len(band)] = scaled.clip(0, 255).round()
    return Image.fromarray(out, "L")


def _value_range(frame: Image.Image) -> tuple[float, float]:
    """The lowest and highest finite pixel values (inf, -inf where there is none)."""
    low, high = math.inf, -math.inf
    for _, band in _bands(frame):
        finite = band[np.isfinite(band)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    return low, high


def _bands(frame: Image.Image) -> Iterator[tuple[int, np.ndarray]]:
    """The frame's pixels a band of rows at a time, with the band's first row: a numpy copy of
    a whole deep page would cost up to 4 bytes a pixel more (600 MB at the pixel limit)."""
    for top in range(0, frame.height, _BAND_ROWS):
        yield top, np.asarray(frame.crop((0, top, frame.width, min(top + _BAND_ROWS, frame.height))))


def _dpi(image: Image.Image) -> int:
    """The resolution the file states, or 0 when it states none or an implausible one."""
    dpi = image.info.get("dpi")
    value = float(dpi[0]) if isinstance(dpi, tuple) and dpi else 0.0
    return round(value) if 50 <= value <= 2400 else 0
