"""Open image files safely: size limits before decoding, EXIF orientation, every TIFF page."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import CorruptFileError, ImageTooLargeError, TooManyPagesError
from .options import LoadOptions

_GRAY_MODES = {"1", "L", "LA", "I", "I;16", "F"}


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
                frame = frame.convert("L" if frame.mode in _GRAY_MODES else "RGB")
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise CorruptFileError(
                    f"page {index + 1} of the image is damaged or truncated ({exc})", path=str(path)
                ) from None
            yield frame, _dpi(image)


def _dpi(image: Image.Image) -> int:
    """The resolution the file states, or 0 when it states none or an implausible one."""
    dpi = image.info.get("dpi")
    value = float(dpi[0]) if isinstance(dpi, tuple) and dpi else 0.0
    return round(value) if 50 <= value <= 2400 else 0
