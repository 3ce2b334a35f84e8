"""Image clean-up before OCR: slight-tilt correction and upscaling of small text.

Both work on a binarised, downscaled copy with numpy only, so they cost milliseconds
next to Tesseract's second or so per page.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

# Tesseract reads best with capital letters about 20-40 px tall (10 pt text at 300 dpi is
# about 30 px); below this we upscale.
_TARGET_STROKE_PX = 24.0
_MIN_STROKE_PX = 14.0
_MAX_UPSCALE = 4.0
_MAX_SKEW_DEG = 8.0
_MIN_SKEW_DEG = 0.3  # smaller tilts are left alone: resampling would blur more than it helps


def as_gray(image: Image.Image) -> Image.Image:
    """The image in grayscale: itself when it is already, as ``convert`` would copy it (150 MB
    for a page at the pixel limit)."""
    return image if image.mode == "L" else image.convert("L")


def ink_mask(gray: Image.Image) -> np.ndarray:
    """Dark pixels of a grayscale image, threshold chosen by Otsu's method."""
    pixels = np.asarray(gray, dtype=np.uint8)
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * np.arange(256))
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (means[-1] * weights / total - means) ** 2 / (weights * (total - weights))
    threshold = int(np.nanargmax(between)) if np.isfinite(between).any() else 127
    return pixels <= threshold


def estimate_skew(gray: Image.Image) -> float:
    """Angle in degrees to pass to ``Image.rotate`` (counter-clockwise) to level the text.

    Projection-profile method: rotating the ink pixels by the right angle makes the text
    lines horizontal, which makes the row histogram as peaky as it gets.
    """
    small = _downscale(gray, 1000)
    ys, xs = np.nonzero(ink_mask(small))
    if len(ys) < 200:
        return 0.0
    if len(ys) > 60_000:
        pick = np.random.default_rng(0).choice(len(ys), 60_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64)

    def sharpness(angle: float) -> float:
        theta = np.deg2rad(angle)
        # Row of each ink pixel after Image.rotate(angle): y grows downwards, so a
        # counter-clockwise turn lifts pixels right of the origin.
        rows = ys * np.cos(theta) - xs * np.sin(theta)
        counts = np.bincount((rows - rows.min()).astype(np.int64))
        return float(np.dot(counts, counts))

    coarse = np.arange(-_MAX_SKEW_DEG, _MAX_SKEW_DEG + 1e-9, 0.5)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    return float(max(fine, key=sharpness))


def deskew(image: Image.Image, max_pixels: int, max_side: int) -> tuple[Image.Image, float]:
    """Straighten a slightly tilted scan; returns the image and the angle corrected.

    The turned image grows to hold the corners: a little for a page, but a long strip
    tilted by 8 degrees grows by a seventh of its length in width (3 x 100000 px became
    13917 x 99027). Where the turned image would pass ``max_pixels`` or ``max_side``, the
    tilt is left for Tesseract to cope with rather than allocate it."""
    angle = estimate_skew(as_gray(image))
    if abs(angle) < _MIN_SKEW_DEG:
        return image, 0.0
    width, height = turned_size(image.size, angle)
    if width * height > max_pixels or max(width, height) > max_side:
        return image, 0.0
    straight = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=border_colour(image))
    return straight, angle


def turned_size(size: tuple[int, int], angle: float) -> tuple[int, int]:
    """At least the size ``Image.rotate(angle, expand=True)`` gives an image of ``size``."""
    cos, sin = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
    width, height = size
    return math.ceil(width * cos + height * sin) + 1, math.ceil(width * sin + height * cos) + 1


def border_colour(image: Image.Image) -> int | tuple[int, ...]:
    """The median colour of the image's outermost pixels, to fill the corners a turn uncovers.

    A receipt photographed on a dark table gets dark corners, not white ones: white
    wedges against a dark border make Tesseract take the page for a picture and read
    nothing at all (seen on SROIE receipts)."""
    pixels = np.asarray(image)
    edges = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    median = np.median(edges, axis=0)
    return int(median) if median.ndim == 0 else tuple(int(v) for v in median)


def stroke_height(gray: Image.Image) -> float:
    """Typical height in px of vertical ink strokes, a proxy for the letter height.

    Vertical runs of ink in a text image are letter stems (about the cap height) and the
    crossings of horizontal strokes (the pen width). Counted by ink rather than by run,
    the upper quartile lands on the stems: about 26 px for 10 pt text at 300 dpi, and
    proportionally less at lower resolutions. Letters are about as wide as they are tall,
    so a page turned by 90 degrees gives a similar figure.
    """
    ink, factor = _downscale_factor(gray)
    edges = np.diff(np.pad(ink, ((1, 1), (0, 0))).astype(np.int8), axis=0)
    starts = np.nonzero(edges.T == 1)[1]
    ends = np.nonzero(edges.T == -1)[1]
    lengths = np.sort((ends - starts) * factor)
    lengths = lengths[lengths >= 2 * factor]
    if len(lengths) < 50:
        return _TARGET_STROKE_PX
    share_of_ink = np.cumsum(lengths) / lengths.sum()
    return float(lengths[np.searchsorted(share_of_ink, 0.75)])


def upscale_factor(gray: Image.Image) -> float:
    """How much to enlarge an image so its text reaches the size Tesseract reads best."""
    height = stroke_height(gray)
    if height >= _MIN_STROKE_PX:
        return 1.0
    return min(_MAX_UPSCALE, _TARGET_STROKE_PX / max(height, 1.0))


def _downscale_factor(gray: Image.Image) -> tuple[np.ndarray, float]:
    # Halve large images for speed; stroke lengths are scaled back by the factor.
    factor = 2.0 if max(gray.size) > 2400 else 1.0
    small = gray if factor == 1.0 else gray.reduce(2)
    return ink_mask(small), factor


def _downscale(gray: Image.Image, longest: int) -> Image.Image:
    scale = longest / max(gray.size)
    if scale >= 1:
        return gray
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    return gray.resize(size, Image.Resampling.BILINEAR)
