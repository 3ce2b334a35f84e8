"""Give PP-OCR's words the accents and spaces its recogniser does not read, from Tesseract.

PP-OCR's recogniser (the ``rapidocr-onnxruntime`` wheel's) knows Latin letters without
accents: ``Straße`` comes out as ``Strae`` or ``StraBe``, ``Café`` as ``Cafe``, and ``€`` not
at all. It seldom writes a space either, so ``Fällig am`` can come out as one word
``Falligam`` where the letters are set close. Tesseract, read in the page's language, keeps
accents and spaces but misreads more of everything else. So a page in German, French,
Dutch, Spanish or Italian is read by both (``ocr._with_accents``), and a PP-OCR word is
replaced by the Tesseract words that lie on it where their letters are the same once
accents, letters PP-OCR does not know and spaces are set aside (``restore``).
"""

from __future__ import annotations

import dataclasses
import unicodedata

from ..document import Word

# A reference word lies on a PP-OCR word when their boxes overlap by at least this share of
# the smaller box's area.
_SAME_PLACE = 0.5


def restore(words: list[Word], reference: list[Word]) -> list[Word]:
    """``words`` (one page's, in reading order) with the ``reference`` words that lie on them
    in their place, wherever the two spell the same letters but for accents and spaces.

    Words and reference words that overlap make groups (one PP-OCR word under two Tesseract
    words, two PP-OCR pieces of one Tesseract word); a group whose two spellings agree takes
    the reference's words, boxes and spaces, and the lines are numbered again."""
    groups = _groups(words, reference)
    restored: list[Word] = []
    done: set[int] = set()
    for i, word in enumerate(words):
        if i in done:
            continue
        members, refs = groups.get(i, ([i], []))
        pieces = [words[m] for m in members]
        spelled = " ".join(ref.text for ref in refs)
        read = " ".join(piece.text for piece in pieces)
        if refs and spelled != read and _skeleton(read) in _skeletons(spelled) and _trusted(refs, pieces):
            confidence = min(piece.confidence for piece in pieces)
            restored += [dataclasses.replace(word, text=ref.text, box=ref.box, norm_box=ref.norm_box,
                                             confidence=confidence) for ref in refs]
            done.update(members)
        else:
            restored.append(word)
    return _renumbered(restored)


def _groups(words: list[Word], reference: list[Word]) -> dict[int, tuple[list[int], list[Word]]]:
    """For each word that a reference word lies on: all the words joined to it through
    overlapping reference words, in order, and those reference words, left to right."""
    parent = list(range(len(words)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    linked: list[tuple[Word, int]] = []
    for ref in reference:
        under = [i for i, word in enumerate(words) if _on(ref.box, word.box)]
        for i in under[1:]:
            parent[root(i)] = root(under[0])
        if under:
            linked.append((ref, under[0]))
    members: dict[int, list[int]] = {}
    for i in range(len(words)):
        members.setdefault(root(i), []).append(i)
    refs: dict[int, list[Word]] = {}
    for ref, i in linked:
        refs.setdefault(root(i), []).append(ref)
    return {i: (members[r], sorted(refs[r], key=lambda ref: ref.box[0]))
            for r in refs for i in members[r]}


def _trusted(refs: list[Word], pieces: list[Word]) -> bool:
    """Whether Tesseract's words may replace PP-OCR's: always where they join pieces or keep
    their number, but where they cut PP-OCR's words into more only if no cut-off piece is a
    lone letter or digit. A heading set with wide letter spacing reads ``F ACTU R E`` in
    Tesseract and ``FACTURE`` in PP-OCR, which is right."""
    if len(refs) <= len(pieces):
        return True
    return all(sum(ch.isalnum() for ch in ref.text) >= 2 or not ref.text.isascii() for ref in refs)


def _renumbered(words: list[Word]) -> list[Word]:
    numbered, last_line, index = [], None, 0
    for word in words:
        index = index + 1 if word.line == last_line else 0
        last_line = word.line
        numbered.append(word if word.index == index else dataclasses.replace(word, index=index))
    return numbered


def _skeleton(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text``, accents taken off."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def _skeletons(text: str) -> set[str]:
    """What PP-OCR may have read for ``text``: its letters without accents, with a letter it
    does not know dropped, or (ß) read as ``ss`` or ``B``."""
    forms = {text, text.replace("ß", "ss"), text.replace("ß", "B"), text.replace("ß", "")}
    skeletons = {_skeleton(form) for form in forms}
    skeletons |= {_skeleton("".join(ch for ch in form if ch.isascii())) for form in forms}
    skeletons.discard("")
    return skeletons


def _on(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return False
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height >= _SAME_PLACE * max(smaller, 1e-9)
