"""Review renderings: each page with every found field boxed and labelled, so a person can
check a record against the document at a glance.

    render_review_png(document, record, Path("review.png"))    # one tall PNG, legend on top
    render_review_html(document, record, Path("review.html"))  # one self-contained HTML file

Boxes are in page pixels (``Page.width`` x ``Page.height``); every page image is brought
to exactly that pixel space before scaling, so a box lands on its words whatever the page
came from: the image kept on the page, the source PDF or image read again and turned and
straightened as the reader did, or (hOCR) a sketch of the words themselves.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

from .document import Document, Page
from .documents import images, preprocess, sniff
from .documents.options import LoadOptions
from .errors import InvoiceExtractError
from .postprocess import REVIEW_CONFIDENCE
from .record import RECORD_FIELDS, ExtractedField, InvoiceRecord

# Okabe-Ito and Paul Tol colours, which stay apart under the common colour-vision
# deficiencies; neighbours on a typical invoice (the dates, the three amounts) differ most.
_PALETTE = (
    "#0072B2", "#56B4E9", "#009E73", "#CC79A7", "#E69F00",
    "#882255", "#D55E00", "#44AA99", "#999933", "#332288",
)
FIELD_COLOURS: dict[str, str] = {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(RECORD_FIELDS)}
_STATUS_COLOURS = {"ok": "#117733", "needs_review": "#B35900", "error": "#AA0000"}
_NOT_FOUND = "#8A8A8A"

Size = tuple[int, int]
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
FoundField = tuple[str, ExtractedField, Rect]  # name, field, its box in page pixels


# --- page images -------------------------------------------------------------------------


def page_images(document: Document, *, password: str | None = None) -> list[Image.Image]:
    """Each page as an RGB image of exactly ``(page.width, page.height)``, the boxes' pixel space.

    ``password`` opens an encrypted PDF whose pages must be rendered (no kept image)."""
    return [image for _, image in _scaled_pages(document, None, password)]


def _scaled_pages(
    document: Document, max_width: int | None, password: str | None
) -> Iterator[tuple[Page, Image.Image]]:
    """Each page with its image, at most ``max_width`` wide, made one page at a time so a
    long PDF never holds every full-resolution rendering at once. The image is the one kept
    on the page; else the source file's page, turned and straightened as the reader did;
    else a sketch of the words."""
    sizes = [_fit(page, max_width) for page in document.pages]
    sources = _source_images(document, sizes, password)
    for page, size, source in zip(document.pages, sizes, sources):
        if page.image is not None:
            image = page.image.convert("RGB")
        elif source is not None:
            image = _upright(source, page)
        else:
            image = _sketch(page, size)
        yield page, image if image.size == size else image.resize(size, Image.Resampling.LANCZOS)


def _fit(page: Page, max_width: int | None) -> Size:
    scale = min(1.0, max_width / page.width) if max_width else 1.0
    return max(1, round(page.width * scale)), max(1, round(page.height * scale))


def _source_images(document: Document, sizes: list[Size], password: str | None) -> Iterator[Image.Image | None]:
    """Per page, the source file's own page image as it was before the reader turned or
    straightened it, or None where the page keeps its image or the source cannot give one
    (hOCR; a file gone or changed since, as for a Document rebuilt from JSON elsewhere)."""
    try:
        if document.media_type == sniff.PDF and any(page.image is None for page in document.pages):
            pdf = pdfium.PdfDocument(str(document.source), password=password)
            try:
                for page, size in zip(document.pages, sizes):
                    yield None if page.image is not None else _render_pdf_page(pdf[page.number - 1], max(size))
            finally:
                pdf.close()
        elif document.media_type in sniff.IMAGE_TYPES and any(page.image is None for page in document.pages):
            for frame, _ in images.iter_image_pages(document.source, LoadOptions()):
                yield frame
    except (pdfium.PdfiumError, OSError, IndexError, InvoiceExtractError):
        pass  # the pages from here on are sketched
    yield from itertools.repeat(None)


def _render_pdf_page(pdf_page: pdfium.PdfPage, long_side: int) -> Image.Image:
    """The page as PDFium draws it upright (it applies /Rotate), its long side about
    ``long_side`` px: ``_upright`` and the final stretch to the page's pixel size then repeat
    what the reader did (``documents.pdf`` sizes a page as PDFium maps it)."""
    try:
        return pdf_page.render(scale=long_side / max(pdf_page.get_size())).to_pil().convert("RGB")
    finally:
        pdf_page.close()


def _upright(image: Image.Image, page: Page) -> Image.Image:
    """Turn and straighten a source page image as the OCR did (``ocr.make_upright``); its
    enlargement is left to the final resize, which it commutes with."""
    if page.rotation:
        image = image.rotate(-page.rotation, expand=True)
    image = image.convert("RGB")
    if page.skew:
        image = image.rotate(page.skew, resample=Image.Resampling.BICUBIC, expand=True,
                             fillcolor=preprocess.border_colour(image))
    return image


def _sketch(page: Page, size: Size) -> Image.Image:
    """A white page with the words in light grey where they were read: with no image to
    show (hOCR, say), the boxes still have their words around them."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    sx, sy = size[0] / page.width, size[1] / page.height
    for word in page.words:
        x0, y0, x1, y1 = word.box[0] * sx, word.box[1] * sy, word.box[2] * sx, word.box[3] * sy
        # Sized to span the word's box, but never taller than it.
        width_at_100 = max(_font(100).getlength(word.text), 1.0)
        size_px = max(6, min(round(100 * (x1 - x0) / width_at_100), round(y1 - y0)))
        draw.text((x0, (y0 + y1) / 2), word.text, fill="#A8A8A8", font=_font(size_px), anchor="lm")
    draw.text((8, 6), f"page {page.number}: no page image, words drawn where they were read",
              fill="#777777", font=_font(max(10, size[0] // 90)))
    return image


# --- shared helpers ------------------------------------------------------------------------


@functools.cache
def _font(size: int, bold: bool = False) -> Font:
    """DejaVu Sans where installed (it covers Greek, Cyrillic and symbols), else the font
    bundled with Pillow (Latin only), so rendering never needs a download."""
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _fields(record: InvoiceRecord) -> list[tuple[str, ExtractedField | None]]:
    return [(name, getattr(record, name)) for name in RECORD_FIELDS]


def _boxed_on(record: InvoiceRecord, page: Page) -> list[FoundField]:
    """The found fields printed on ``page`` with a box to draw."""
    return [(name, found, found.bbox) for name, found in _fields(record)
            if found is not None and found.page == page.number and found.bbox is not None]


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _describe(name: str, found: ExtractedField) -> str:
    """The hover text: 'Total: 1234.50 (printed 'EUR 1.234,50'), confidence 0.97, page 1'."""
    printed = f" (printed '{found.text}')" if found.text and found.text != found.value else ""
    page = f", page {found.page}" if found.page is not None else ""
    return f"{_title(name)}: {found.value}{printed}, confidence {found.confidence:.2f}{page}"


def _notes(document: Document, record: InvoiceRecord) -> list[tuple[str, str]]:
    """("warning" | "error", text) for everything a reviewer should read: the record's
    warnings (which repeat the document's) and any of the document's it lacks, then errors."""
    warnings = [*record.warnings, *(text for text in document.warnings if text not in record.warnings)]
    return [("warning", text) for text in warnings] + [
        ("error", f"{error.code}: {error.message}") for error in record.errors
    ]


def _tag(name: str, found: ExtractedField) -> str:
    # The "!" marks an unsure field without relying on colour.
    return f"{'! ' if found.confidence < REVIEW_CONFIDENCE else ''}{name.replace('_', ' ')} {found.confidence:.2f}"


# --- PNG -------------------------------------------------------------------------------------

_PAD = 16  # legend margin, px
_GAP = 28  # grey band between pages, holding the page number


def render_review_png(document: Document, record: InvoiceRecord, path: Path, *, max_width: int = 1400,
                      password: str | None = None) -> Path:
    """Write one PNG: a legend (status, every field, warnings) above the pages stacked
    top to bottom, each scaled to at most ``max_width`` px, fields boxed and labelled."""
    pages = [_draw_fields(image, page, record) for page, image in _scaled_pages(document, max_width, password)]
    width = max([min(max_width, 900), *(image.width for image in pages)])
    legend = _legend(document, record, width)
    canvas = Image.new("RGB", (width, legend.height + sum(_GAP + image.height for image in pages)), "#D9D9D9")
    canvas.paste(legend, (0, 0))
    draw = ImageDraw.Draw(canvas)
    y = legend.height
    for page, image in zip(document.pages, pages):
        draw.text((_PAD, y + _GAP // 2), f"page {page.number} of {len(document.pages)}", fill="#333333",
                  font=_font(15), anchor="lm")
        canvas.paste(image, ((width - image.width) // 2, y + _GAP))
        y += _GAP + image.height
    canvas.save(path, format="PNG")
    return path


@dataclass(frozen=True, slots=True)
class _Mark:
    """A found field as drawn on a page image: its outline and its tag, in image pixels."""

    name: str
    found: ExtractedField
    bbox: Rect  # in page pixels, as found
    outline: Rect  # the box in image pixels, grown clear of its glyphs
    tag: Rect
    label: str

    @property
    def unsure(self) -> bool:
        return self.found.confidence < REVIEW_CONFIDENCE


def _tag_px(image_width: int) -> int:
    """The tags' font size: about 15 px on a page 1400 px wide."""
    return max(11, min(16, image_width // 90))


def _layout(page: Page, record: InvoiceRecord, size: Size) -> list[_Mark]:
    """Where each field's outline and tag go on the page image of ``size``: each tag where
    it covers no other tag or field and as little of the page's text as it can."""
    sx, sy = size[0] / page.width, size[1] / page.height
    font = _font(_tag_px(size[0]))
    found_fields = _boxed_on(record, page)
    outlines = []
    for _, found, (x0, y0, x1, y1) in found_fields:
        # The outline is drawn inside these bounds: grow the box by the line width plus a
        # gap, or the outline sits on the glyphs (text-layer boxes are tight).
        grow = (4 if found.confidence < REVIEW_CONFIDENCE else 3) + 2
        outlines.append((x0 * sx - grow, y0 * sy - grow, x1 * sx + grow, y1 * sy + grow))
    # Words grown by a margin: a tag flush against a glyph box reads as part of that line.
    words = [(w.box[0] * sx - 3, w.box[1] * sy - 3, w.box[2] * sx + 3, w.box[3] * sy + 3) for w in page.words]
    taken = list(outlines)
    marks = []
    for (name, found, bbox), outline in zip(found_fields, outlines):
        label = _tag(name, found)
        left, top, right, bottom = font.getbbox(label)
        tag = _place_tag(outline, (round(right - left) + 8, round(bottom - top) + 6), size, taken, words)
        taken.append(tag)
        marks.append(_Mark(name, found, bbox, outline, tag, label))
    return marks


def _draw_fields(image: Image.Image, page: Page, record: InvoiceRecord) -> Image.Image:
    """Outline each found field in its colour (dashed if unsure) and tag it."""
    draw = ImageDraw.Draw(image)
    font = _font(_tag_px(image.width))
    marks = _layout(page, record, image.size)
    for mark in marks:
        if mark.unsure:
            _dashed_rectangle(draw, mark.outline, FIELD_COLOURS[mark.name], width=4)
        else:
            draw.rectangle(mark.outline, outline=FIELD_COLOURS[mark.name], width=3)
    for mark in marks:  # tags after all outlines, so no outline crosses a tag
        colour = FIELD_COLOURS[mark.name]
        draw.rectangle(mark.tag, fill=colour)
        draw.text((mark.tag[0] + 4, mark.tag[1] + 3 - font.getbbox(mark.label)[1]), mark.label,
                  fill=_ink_on(colour), font=font)
    return image


def _place_tag(box: Rect, size: Size, bounds: Size, taken: list[Rect], words: list[Rect]) -> Rect:
    """Of the spots above, below, right and left of the box (then further up, for a crowded
    column of amounts), the first that hides no tag or field and the least text."""
    x0, y0, x1, y1 = box
    w, h = size
    candidates = [(x0, y0 - h), (x0, y1), (x1 - w, y0 - h), (x1 - w, y1), (x1, y0), (x0 - w, y0)]
    candidates += [(x0, y0 - h - step * h) for step in range(1, 8)]
    best: Rect = (0.0, 0.0, 0.0, 0.0)
    best_cost = (float("inf"), float("inf"))
    for x, y in candidates:
        x = min(max(x, 0), bounds[0] - w)
        y = min(max(y, 0), bounds[1] - h)
        spot = (x, y, x + w, y + h)
        cost = (sum(_overlap(spot, other) for other in taken), sum(_overlap(spot, word) for word in words))
        if cost < best_cost:
            best, best_cost = spot, cost
        if cost == (0, 0):
            break
    return best


def _overlap(a: Rect, b: Rect) -> float:
    """The area two boxes share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _dashed_rectangle(draw: ImageDraw.ImageDraw, box: Rect, colour: str, *, width: int) -> None:
    # Inset by half the line width, so the dashes lie inside the box as a solid outline does.
    inset = width / 2
    x0, y0, x1, y1 = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    dash, gap = 10, 6
    edges = ((x0, x1, y0, True), (x0, x1, y1, True), (y0, y1, x0, False), (y0, y1, x1, False))
    for start, end, fixed, horizontal in edges:
        position = start
        while position < end:
            stop = min(position + dash, end)
            line = (position, fixed, stop, fixed) if horizontal else (fixed, position, fixed, stop)
            draw.line(line, fill=colour, width=width)
            position = stop + gap


def _ink_on(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (WCAG relative luminance)."""
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if luminance > 0.18 else "#FFFFFF"


def _legend(document: Document, record: InvoiceRecord, width: int) -> Image.Image:
    """The strip above the pages: source and status, one row per field, then the warnings
    and errors."""
    regular, bold, row = _font(15), _font(15, bold=True), 22
    notes = [(kind, _wrap(text, regular, width - 2 * _PAD - 90)) for kind, text in _notes(document, record)]
    height = _PAD + 34 + row * (len(RECORD_FIELDS) + sum(len(lines) for _, lines in notes)) + 6 + _PAD
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    y = _PAD
    status = record.status.replace("_", " ").upper()
    draw.text((_PAD, y), document.source.name, fill="#000000", font=_font(20, bold=True))
    draw.text((width - _PAD, y), status, fill=_STATUS_COLOURS[record.status], font=_font(20, bold=True), anchor="ra")
    y += 34
    value_x, confidence_x = _PAD + 190, width - _PAD - 150
    for name, found in _fields(record):
        colour = FIELD_COLOURS[name]
        swatch = (_PAD, y + 3, _PAD + 14, y + 17)
        if found is None:
            draw.rectangle(swatch, outline=colour, width=2)
            draw.text((_PAD + 22, y), name.replace("_", " "), fill=_NOT_FOUND, font=regular)
            draw.text((value_x, y), "not found", fill=_NOT_FOUND, font=regular)
        else:
            unsure = found.confidence < REVIEW_CONFIDENCE
            draw.rectangle(swatch, fill=colour)
            draw.text((_PAD + 22, y), name.replace("_", " "), fill="#000000", font=bold)
            printed = f"  (printed '{found.text}')" if found.text and found.text != found.value else ""
            draw.text((value_x, y), _clip(found.value + printed, regular, confidence_x - value_x - 12),
                      fill="#000000", font=regular)
            where = f"p{found.page}" if found.page is not None else "no page"
            draw.text((confidence_x, y), f"{found.confidence:.2f}{'  unsure' if unsure else ''}",
                      fill=_STATUS_COLOURS["needs_review"] if unsure else "#000000", font=bold if unsure else regular)
            draw.text((width - _PAD, y), where, fill="#555555", font=regular, anchor="ra")
        y += row
    y += 6
    for kind, lines in notes:
        draw.text((_PAD, y), kind, fill=_STATUS_COLOURS["error" if kind == "error" else "needs_review"], font=bold)
        for line in lines:
            draw.text((_PAD + 90, y), line, fill="#000000", font=regular)
            y += row
    return image


def _clip(text: str, font: Font, width: float) -> str:
    """``text``, cut short with an ellipsis to fit ``width`` px."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _wrap(text: str, font: Font, width: float) -> list[str]:
    """``text`` in lines of at most ``width`` px, broken between words."""
    lines = [""]
    for word in text.split():
        candidate = f"{lines[-1]} {word}".strip()
        if lines[-1] and font.getlength(candidate) > width:
            lines.append(word)
        else:
            lines[-1] = candidate
    return [_clip(line, font, width) for line in lines]


# --- HTML ------------------------------------------------------------------------------------

_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #d9d9d9; color: #111; }
header { background: #fff; padding: 16px 24px; }
h1 { font-size: 20px; margin: 0 0 4px; overflow-wrap: anywhere; }
.status { font-weight: bold; }
.status-ok { color: #117733; } .status-needs_review { color: #b35900; } .status-error { color: #a00; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid #ddd; vertical-align: top; }
tr.low td { background: #ffe8c2; }
tr.missing td { color: #8a8a8a; }
td:first-child { white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; background: var(--c); }
tr.missing .swatch { background: none; border: 2px solid var(--c); width: 8px; height: 8px; }
.notes li.error { color: #a00; }
.page { max-width: 1400px; margin: 24px auto; }
.page h2 { font-size: 14px; margin: 0 0 4px; padding: 0 12px; }
.sheet { position: relative; line-height: 0; box-shadow: 0 1px 4px #0004; container-type: inline-size; }
.sheet img { width: 100%; height: auto; }
.box { position: absolute; box-sizing: border-box; outline: 3px solid var(--c); outline-offset: 2px; }
.box.low { outline-style: dashed; }
.box:hover, .box:target { outline-width: 5px; }
.tag { position: absolute; display: flex; align-items: center; justify-content: center; white-space: nowrap;
  font: var(--tag)/1 "DejaVu Sans", Verdana, sans-serif; background: var(--c); color: var(--ink); }
"""


def render_review_html(document: Document, record: InvoiceRecord, path: Path, *, max_width: int = 1400,
                       password: str | None = None) -> Path:
    """Write one self-contained HTML file: status, warnings and a table of every field, then
    each page (a JPEG data URI at most ``max_width`` px wide) with a box over every found
    field, placed in percentages of the page so it scales with the window."""
    esc = functools.partial(html.escape, quote=True)  # every string from the document or record
    rows = []
    for name, found in _fields(record):
        swatch = f'<span class="swatch" style="--c:{FIELD_COLOURS[name]}"></span>'
        if found is None:
            rows.append(f'<tr class="missing"><td>{swatch}{esc(_title(name))}</td><td colspan="4">not found</td></tr>')
            continue
        label = esc(_title(name))
        if found.bbox is not None and found.page is not None:
            label = f'<a href="#field-{name}">{label}</a>'
        rows.append(
            f'<tr class="{"low" if found.confidence < REVIEW_CONFIDENCE else "found"}"><td>{swatch}{label}</td>'
            f"<td>{esc(found.value)}</td><td>{esc(found.text or '')}</td><td>{found.confidence:.2f}</td>"
            f"<td>{found.page if found.page is not None else ''}</td></tr>"
        )
    notes = [f'<li class="{kind}">{esc(text)}</li>' for kind, text in _notes(document, record)]
    sections = []
    for page, image in _scaled_pages(document, max_width, password):
        marks = []
        for mark in _layout(page, record, image.size):
            colour, described = FIELD_COLOURS[mark.name], esc(_describe(mark.name, mark.found))
            marks.append(
                f'<div class="box{" low" if mark.unsure else ""}" id="field-{mark.name}" data-field="{mark.name}" '
                f'style="{_placed(mark.bbox, page.width, page.height)};--c:{colour}" '
                f'title="{described}"></div>'
                f'<div class="tag" style="{_placed(mark.tag, *image.size)};--c:{colour};--ink:{_ink_on(colour)}" '
                f'title="{described}">{esc(mark.label)}</div>'
            )
        # Tags are sized in units of the sheet's width (cqw), so they keep the places
        # worked out for this image at any window width.
        tag_size = 100 * _tag_px(image.width) / image.width
        sections.append(
            f'<section class="page" id="page-{page.number}"><h2>Page {page.number} of {len(document.pages)}</h2>'
            f'<div class="sheet" style="--tag:{tag_size:.4f}cqw"><img alt="page {page.number}" '
            f'src="{_data_uri(image)}">{"".join(marks)}</div></section>'
        )
    path.write_text(
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>Review: {esc(document.source.name)}</title>'
        f"<style>{_CSS}</style></head><body><header>"
        f"<h1>{esc(str(document.source))}</h1>"
        f'<div class="status status-{record.status}">Status: {record.status.replace("_", " ")}</div>'
        f'<ul class="notes">{"".join(notes)}</ul>'
        "<table><thead><tr><th>Field</th><th>Value</th><th>Printed</th><th>Confidence</th><th>Page</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></header>{''.join(sections)}</body></html>\n",
        encoding="utf-8",
    )
    return path


def _placed(rect: Rect, width: float, height: float) -> str:
    """CSS placing ``rect`` in percentages of a ``width`` x ``height`` parent."""
    x0, y0, x1, y1 = rect
    return (f"left:{100 * x0 / width:.4f}%;top:{100 * y0 / height:.4f}%;"
            f"width:{100 * (x1 - x0) / width:.4f}%;height:{100 * (y1 - y0) / height:.4f}%")


def _data_uri(image: Image.Image) -> str:
    # JPEG: a scanned page is a photo to the encoder; about 150-300 kB a page at 1400 px.
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
