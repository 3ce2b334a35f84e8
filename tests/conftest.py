"""Test inputs, all generated here with reportlab and Pillow: no network, no ../shared.

OCR costs about a second a page on this machine, so each scanned input is read once per
session (``read_once``) and shared by the tests that look at it.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from invoice_extract import Document, LoadOptions, load_document
from invoice_extract.training.synthetic import (
    DrawnText,
    InvoiceSpec,
    degrade,
    images_to_pdf,
    render_invoice_pdf,
    render_pages,
)

DPI = 300
PT_TO_PX = DPI / 72


@dataclass
class Digital:
    path: Path
    drawn: list[DrawnText]

    def drawn_box_px(self, text: str) -> tuple[float, float, float, float]:
        item = next(d for d in self.drawn if d.text == text)
        return tuple(v * PT_TO_PX for v in item.box)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("inputs")


@pytest.fixture(scope="session")
def digital(files: Path) -> Digital:
    path = files / "invoice.pdf"
    return Digital(path, render_invoice_pdf(InvoiceSpec(), path))


@pytest.fixture(scope="session")
def scan_image(digital: Digital) -> Image.Image:
    """The digital invoice as a 300 dpi scan: blurred, noisy, JPEG-compressed."""
    return degrade(render_pages(digital.path, DPI)[0], seed=1)


@pytest.fixture(scope="session")
def scan_png(files: Path, scan_image: Image.Image) -> Path:
    path = files / "scan.png"
    scan_image.save(path, dpi=(DPI, DPI))
    return path


@pytest.fixture(scope="session")
def image_only_pdf(files: Path, scan_image: Image.Image) -> Path:
    path = files / "scan.pdf"
    images_to_pdf([scan_image], path, DPI)
    return path


@pytest.fixture(scope="session")
def turned_png(files: Path, scan_image: Image.Image) -> Callable[[int], Path]:
    """The scan turned counter-clockwise by 90 or 180 degrees."""

    def make(degrees: int) -> Path:
        path = files / f"turned-{degrees}.png"
        if not path.exists():
            scan_image.rotate(degrees, expand=True).save(path, dpi=(DPI, DPI))
        return path

    return make


@pytest.fixture(scope="session")
def tilted_png(files: Path, digital: Digital) -> Path:
    path = files / "tilted.png"
    degrade(render_pages(digital.path, DPI)[0], seed=2, tilt=2.0).save(path, dpi=(DPI, DPI))
    return path


def text_page(text: str, size: tuple[int, int] = (1240, 600)) -> Image.Image:
    """A plain page with one big line of text, for multi-page and small-image inputs."""
    image = Image.new("L", size, 255)
    font = ImageFont.load_default(size=64)
    ImageDraw.Draw(image).text((80, 200), text, fill=0, font=font)
    return image


@pytest.fixture(scope="session")
def tiff_3_pages(files: Path) -> Path:
    path = files / "three.tiff"
    first, *rest = [text_page(f"PAGE {word} OF THREE") for word in ("ONE", "TWO", "THREE")]
    first.save(path, save_all=True, append_images=rest, compression="tiff_lzw", dpi=(150, 150))
    return path


@pytest.fixture(scope="session")
def hocr_file(files: Path) -> Path:
    path = files / "page.hocr"
    path.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title></title>
<meta name="ocr-system" content="tesseract 5.3.0" /></head><body>
<div class="ocr_page" id="page_1" title="image &quot;scan.png&quot;; bbox 0 0 2480 3508; ppageno 0; scan_res 300 300">
 <div class="ocr_carea" id="block_1_1" title="bbox 1866 206 2267 282">
  <p class="ocr_par"><span class="ocr_line" id="line_1_1" title="bbox 1866 206 2267 282; baseline 0 0">
   <span class="ocrx_word" id="word_1_1" title="bbox 1866 206 2267 282; x_wconf 96">INVOICE</span>
  </span></p>
 </div>
 <div class="ocr_carea" id="block_1_2" title="bbox 200 400 900 460">
  <p class="ocr_par"><span class="ocr_line" id="line_1_2" title="bbox 200 400 900 460; baseline 0 0">
   <span class="ocrx_word" title="bbox 200 400 420 460; x_wconf 91"><strong>Total</strong></span>
   <span class="ocrx_word" title="bbox 450 400 600 460; x_wconf 88">&euro;12,50</span>
  </span></p>
 </div>
</div></body></html>
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def bad_files(files: Path, digital: Digital) -> dict[str, Path]:
    """One file per kind of bad input, named as a user might have named it."""
    folder = files / "bad"
    folder.mkdir()
    empty = folder / "empty.pdf"
    empty.write_bytes(b"")
    random_bytes = folder / "random.pdf"
    random_bytes.write_bytes(os.urandom(8192))
    truncated = folder / "truncated.pdf"
    pdf_bytes = digital.path.read_bytes()
    truncated.write_bytes(pdf_bytes[: len(pdf_bytes) // 2])
    encrypted = folder / "encrypted.pdf"
    render_invoice_pdf(InvoiceSpec(), encrypted, encrypt="s3cret")
    bomb = folder / "bomb.png"
    bomb.write_bytes(png_header_bomb(30000, 30000))
    docx = folder / "letter.pdf"
    docx.write_bytes(b"PK\x03\x04" + os.urandom(512))
    return {
        "empty": empty,
        "random": random_bytes,
        "truncated": truncated,
        "encrypted": encrypted,
        "bomb": bomb,
        "zip": docx,
    }


def png_header_bomb(width: int, height: int) -> bytes:
    """A valid PNG header claiming a huge image, followed by almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


@pytest.fixture(scope="session")
def read_once() -> Callable[..., Document]:
    """load_document, memoised per (path, options) for the test session."""
    cache: dict[tuple[Path, LoadOptions], Document] = {}

    def read(path: Path, options: LoadOptions | None = None) -> Document:
        key = (path, options or LoadOptions())
        if key not in cache:
            cache[key] = load_document(path, key[1])
        return cache[key]

    return read


def find_word(document: Document, text: str, page: int = 1):
    words = [w for w in document.pages[page - 1].words if w.text == text]
    assert words, f"{text!r} not found on page {page}; page text:\n{document.pages[page - 1].text}"
    return words[0]


def relative_offset(found: tuple[float, ...], drawn: tuple[float, ...], size: tuple[int, int]) -> float:
    """The largest distance between two boxes' edges, as a share of the page side."""
    width, height = size
    return max(abs(found[0] - drawn[0]) / width, abs(found[2] - drawn[2]) / width,
               abs(found[1] - drawn[1]) / height, abs(found[3] - drawn[3]) / height)


def pdf_of_objects(objects: list[bytes]) -> bytes:
    """A PDF file written byte by byte from its objects (object 1 the catalog), with a correct
    cross-reference table: for inputs no PDF library would write."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
