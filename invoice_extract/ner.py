"""Stage 2: tag each word of a Document with an invoice field, using our ONNX model.

The model is a LayoutLM-style token classifier: it sees each sub-word token with the
0-1000 box of its word. Words are labelled with BIO tags over ``FIELDS``; a word's tag is
the prediction for its first token. Documents longer than one window are covered by
overlapping windows, and a word seen by several windows takes the average of their
probabilities.

Only onnxruntime, tokenizers and numpy are needed here; torch is for training alone.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .document import Document, NormBox, Word, clean_text

FIELDS = (
    "VENDOR_NAME", "VENDOR_ADDRESS", "CUSTOMER_NAME", "INVOICE_NUMBER",
    "INVOICE_DATE", "DUE_DATE", "SUBTOTAL", "TAX", "TOTAL",
)
TAGS = ("O",) + tuple(f"{prefix}-{field}" for field in FIELDS for prefix in ("B", "I"))

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
MAX_TOKENS = 512
STRIDE = 128  # tokens shared by consecutive windows
CLS_BOX: NormBox = (0, 0, 0, 0)
SEP_BOX: NormBox = (1000, 1000, 1000, 1000)
# The model reads no more of a word than this. The longest words an invoice prints (an IBAN
# written solid: 34, an e-mail address or web address) fit; a word's tag is its first token's;
# and a text layer's one "word" of a million punctuation marks would otherwise be a million
# tokens: 4 s to tokenize and two thousand model windows.
MAX_WORD_CHARS = 64


def bio_tags(fields: list[str | None]) -> list[str]:
    """Word-level fields (None for no field) to BIO tags; a new span starts where the field changes."""
    tags, previous = [], None
    for name in fields:
        tags.append("O" if name is None else ("I-" if name == previous else "B-") + name)
        previous = name
    return tags


@dataclass(frozen=True)
class Window:
    """One model input: token ids and boxes, and which word each token came from."""

    input_ids: list[int]
    bbox: list[NormBox]
    word_ids: list[int]  # -1 for [CLS]/[SEP]; a word id on every sub-token of that word
    first_token: list[bool]  # True on the first sub-token of each word


def encode(tokenizer, words: list[str], boxes: list[NormBox], *,
           max_tokens: int = MAX_TOKENS, stride: int = STRIDE) -> list[Window]:
    """Tokenise words (a ``tokenizers.Tokenizer``) into overlapping windows of at most max_tokens.
    A word may come out as no token at all (one that cleans to nothing, a lone accent): no window
    holds it."""
    if not words:
        return []
    # Cleaned here too, for callers that pass bare strings (training): the tokenizer raises on a
    # lone surrogate.
    readable = [clean_text(word)[:MAX_WORD_CHARS] for word in words]
    encoding = tokenizer.encode(readable, is_pretokenized=True, add_special_tokens=False)
    ids, word_of = encoding.ids, encoding.word_ids
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    body = max_tokens - 2
    windows, start = [], 0
    while True:
        end = min(start + body, len(ids))
        # Don't cut a word in two at a window's end, unless the word alone fills the window.
        while end < len(ids) and end > start + 1 and word_of[end] == word_of[end - 1]:
            end -= 1
        span_words = [word_of[i] for i in range(start, end)]
        first = [i == start or word_of[i] != word_of[i - 1] for i in range(start, end)]
        windows.append(Window(
            [cls_id, *ids[start:end], sep_id],
            [CLS_BOX, *(boxes[w] for w in span_words), SEP_BOX],
            [-1, *span_words, -1],
            [False, *first, False],
        ))
        if end >= len(ids):
            return windows
        next_start = max(end - stride, start + 1)
        while next_start > start + 1 and word_of[next_start] == word_of[next_start - 1]:
            next_start -= 1  # start on a word boundary so the word's first token is seen
        start = next_start


def pad(windows: list[Window]) -> dict[str, np.ndarray]:
    """A batch of windows as the model's inputs, zero-padded to the longest."""
    width = max(len(w.input_ids) for w in windows)
    ids = np.zeros((len(windows), width), dtype=np.int64)
    bbox = np.zeros((len(windows), width, 4), dtype=np.int64)
    mask = np.zeros((len(windows), width), dtype=np.int64)
    for row, window in enumerate(windows):
        n = len(window.input_ids)
        ids[row, :n], bbox[row, :n], mask[row, :n] = window.input_ids, window.bbox, 1
    return {"input_ids": ids, "bbox": bbox, "attention_mask": mask}


def word_probabilities(windows: list[Window], window_probs: list[np.ndarray], n_words: int,
                       n_tags: int) -> np.ndarray:
    """Each word's tag probabilities from its first token, averaged over the windows that saw it."""
    totals = np.zeros((n_words, n_tags), dtype=np.float32)
    counts = np.zeros(n_words, dtype=np.float32)
    for window, probs in zip(windows, window_probs):
        for position, (word, first) in enumerate(zip(window.word_ids, window.first_token)):
            if first:
                totals[word] += probs[position]
                counts[word] += 1
    return totals / np.maximum(counts, 1)[:, None]


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class TaggedWord:
    word: Word
    page: int
    tag: str
    confidence: float  # the model's probability of the tag
    probabilities: np.ndarray = field(repr=False, compare=False)  # one per tag in TAGS

    def field_probability(self, name: str) -> float:
        """How likely the word belongs to field ``name`` (B- or I-), even when another tag won."""
        begin = TAGS.index(f"B-{name}")
        return float(self.probabilities[begin] + self.probabilities[begin + 1])


class Tagger:
    """The ONNX model behind a small predictor API: ``Tagger().tag(document)``.

    One onnxruntime session per Tagger; ``Tagger.shared()`` keeps one per process.
    """

    _shared: Tagger | None = None
    _lock = threading.Lock()

    def __init__(self, model_dir: Path = MODELS_DIR, *, threads: int = 0, batch_size: int = 8) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer" / "tokenizer.json"))
        model_tags = tuple(json.loads((model_dir / "labels.json").read_text())["tags"])
        if model_tags != TAGS:
            raise ValueError(f"{model_dir} was trained for other tags than this version of invoice-extract uses")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or int(os.environ.get("INVOICE_EXTRACT_THREADS", "0"))
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(model_dir / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.batch_size = batch_size

    @classmethod
    def shared(cls) -> Tagger:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def probabilities(self, words: list[str], boxes: list[NormBox]) -> np.ndarray:
        """Per-word tag probabilities, shape (len(words), len(tags))."""
        windows = encode(self.tokenizer, words, boxes)
        window_probs = [
            probs
            for start in range(0, len(windows), self.batch_size)
            for probs in self._run(windows[start:start + self.batch_size])
        ]
        return word_probabilities(windows, window_probs, len(words), len(TAGS))

    def _run(self, windows: list[Window]) -> np.ndarray:
        (logits,) = self.session.run(None, pad(windows))
        return softmax(logits)

    def tag(self, document: Document) -> list[TaggedWord]:
        # A word with no text (a Word made as Word("\x00", ...) cleans to "") is no word to tag.
        located = [(page.number, word) for page in document.pages for word in page.words if word.text]
        if not located:
            return []
        probs = self.probabilities([w.text for _, w in located], [w.norm_box for _, w in located])
        best = probs.argmax(axis=1)
        return [TaggedWord(word, page, TAGS[k], float(probs[i, k]), probs[i])
                for i, ((page, word), k) in enumerate(zip(located, best))]
