"""Export a trained run to ONNX, quantise it to int8, check it against torch, install it.

    python -m invoice_extract.training.export build/run [--install]

The int8 model must give the same tag as the torch model on at least 99.5% of the dev
words, or it is not installed.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import LayoutLMForTokenClassification

from ..ner import FIELDS, MODELS_DIR, TAGS, Tagger
from .examples import read_jsonl
from .train import encode_examples, predict_tags, to_tensors

MIN_AGREEMENT = 0.995


class _LogitsOnly(torch.nn.Module):
    def __init__(self, model: LayoutLMForTokenClassification) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, bbox, attention_mask):
        return self.model(input_ids=input_ids, bbox=bbox, attention_mask=attention_mask).logits


def export_onnx(run: Path, tokenizer) -> Path:
    model = LayoutLMForTokenClassification.from_pretrained(run / "torch").eval()
    example = read_jsonl(run / "dev_sample.jsonl")[0]
    window = encode_examples(tokenizer, [example])[0].windows[0]
    sample = to_tensors([window, window])
    fp32 = run / "model-fp32.onnx"
    torch.onnx.export(
        _LogitsOnly(model), (sample["input_ids"], sample["bbox"], sample["attention_mask"]), str(fp32),
        input_names=["input_ids", "bbox", "attention_mask"], output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "tokens"} for name in ("input_ids", "bbox", "attention_mask", "logits")},
        opset_version=17, dynamo=False,
    )
    int8 = run / "model.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return int8


def agreement(run: Path, data: Path, tokenizer) -> dict[str, float]:
    """Share of dev words on which the int8 ONNX model and the torch model agree."""
    model = LayoutLMForTokenClassification.from_pretrained(run / "torch").eval()
    tagger = Tagger(run / "package")
    result = {}
    for name in ("dev_sroie", "dev_synthetic"):
        encoded = encode_examples(tokenizer, read_jsonl(data / f"{name}.jsonl"))
        torch_tags = predict_tags(model, encoded)
        same = total = 0
        for item, expected in zip(encoded, torch_tags):
            probs = tagger.probabilities(item.example.words, item.example.boxes)
            onnx_tags = [TAGS[k] for k in probs.argmax(axis=1)]
            same += sum(a == b for a, b in zip(onnx_tags, expected))
            total += len(expected)
        result[name] = same / max(total, 1)
    return result


def dev_score(metrics: dict) -> float:
    """What "better" means between two models: mean entity F1 over the two dev sets."""
    return sum(s["f1"] for s in metrics["dev"].values()) / len(metrics["dev"])


def package(run: Path) -> Path:
    """Lay out the run as models/ wants it: model.onnx, tokenizer/, labels.json."""
    folder = run / "package"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    shutil.copy(run / "model.onnx", folder / "model.onnx")
    shutil.copytree(run / "tokenizer", folder / "tokenizer")
    (folder / "labels.json").write_text(json.dumps({"fields": list(FIELDS), "tags": list(TAGS)}, indent=1))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", type=Path)
    parser.add_argument("--data", type=Path, default=Path("build/data"))
    parser.add_argument("--install", action="store_true",
                        help="copy the checked model into models/ if it beats the one there")
    parser.add_argument("--force", action="store_true", help="install even if it does not beat it")
    args = parser.parse_args()
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(args.run / "tokenizer" / "tokenizer.json"))
    shutil.copy(args.data / "dev_sroie.jsonl", args.run / "dev_sample.jsonl")
    export_onnx(args.run, tokenizer)
    folder = package(args.run)
    agreed = agreement(args.run, args.data, tokenizer)
    metrics = json.loads((args.run / "metrics.json").read_text())
    metrics["onnx"] = {
        "int8_mb": round((folder / "model.onnx").stat().st_size / 2**20, 1),
        "fp32_mb": round((args.run / "model-fp32.onnx").stat().st_size / 2**20, 1),
        "agreement_with_torch": {k: round(v, 5) for k, v in agreed.items()},
    }
    (args.run / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(json.dumps(metrics["onnx"], indent=1))
    if min(agreed.values()) < MIN_AGREEMENT:
        raise SystemExit(f"int8 model agrees with torch on only {min(agreed.values()):.4f} of dev words")
    if args.install:
        installed = MODELS_DIR / "metrics.json"
        if installed.exists() and not args.force:
            old, new = dev_score(json.loads(installed.read_text())), dev_score(metrics)
            if new <= old:
                # Not an error: a rerun of the same recipe reproduces the model, it does not beat it.
                print(f"not installed: dev F1 {new:.4f} does not beat the installed model's "
                      f"{old:.4f} (--force to install anyway)")
                return
        for item in ("model.onnx", "labels.json"):
            shutil.copy(folder / item, MODELS_DIR / item)
        shutil.rmtree(MODELS_DIR / "tokenizer", ignore_errors=True)
        shutil.copytree(folder / "tokenizer", MODELS_DIR / "tokenizer")
        (MODELS_DIR / "metrics.json").write_text(json.dumps(metrics, indent=1))
        print(f"installed into {MODELS_DIR}")


if __name__ == "__main__":
    main()
