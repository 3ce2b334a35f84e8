"""Milliseconds per 512-token window on one core: ONNX int8, ONNX fp32, and PyTorch.

    .venv/bin/python benchmarks/bench_ner.py --run build/run    # needs the train extra

--run is a training run folder (``torch/``, ``model-fp32.onnx``, ``model.onnx``, from
``make model``). PyTorch is timed twice: through the transformers token-classification
pipeline (which cannot pass word boxes, so LayoutLM sees zero boxes; the cost is the
same) and as a direct forward pass with boxes. Every engine gets one thread.

    .venv/bin/python benchmarks/bench_ner.py --run build/run --profile

--profile also prints where the int8 model's time goes, per ONNX operator type
(onnxruntime's own profiler, over REPEATS runs).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import time
from pathlib import Path

import numpy as np

WINDOW = 512
REPEATS = 20


def timed(run, repeats: int = REPEATS) -> tuple[float, float]:
    run()  # warm-up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, default=Path("build/run"))
    parser.add_argument("--profile", action="store_true", help="also time the int8 model per operator type")
    args = parser.parse_args()

    import onnxruntime
    import torch
    from transformers import AutoTokenizer, LayoutLMForTokenClassification, pipeline

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    tokenizer = AutoTokenizer.from_pretrained(args.run / "tokenizer")
    ids = rng.integers(1000, tokenizer.vocab_size - 1, size=(1, WINDOW))
    ids[0, 0], ids[0, -1] = tokenizer.cls_token_id, tokenizer.sep_token_id
    corners = np.sort(rng.integers(0, 1000, size=(1, WINDOW, 2, 2)), axis=2)
    bbox = np.stack([corners[..., 0, 0], corners[..., 0, 1], corners[..., 1, 0], corners[..., 1, 1]], -1)
    mask = np.ones_like(ids)
    feeds = {"input_ids": ids.astype(np.int64), "bbox": bbox.astype(np.int64), "attention_mask": mask}

    rows = []
    for name, path in (("ONNX int8", args.run / "model.onnx"), ("ONNX fp32", args.run / "model-fp32.onnx")):
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        rows.append((name, *timed(lambda: session.run(None, feeds)), path.stat().st_size / 2**20))

    model = LayoutLMForTokenClassification.from_pretrained(args.run / "torch").eval()
    tensors = {k: torch.from_numpy(v) for k, v in feeds.items()}
    with torch.no_grad():
        rows.append(("PyTorch forward (with boxes)", *timed(lambda: model(**tensors)), None))
    tagger = pipeline("token-classification", model=model, tokenizer=tokenizer, device=-1)
    # Decoded random ids re-tokenise a little differently: trim until the text fits one window.
    length = WINDOW - 2
    while len(tokenizer(text := tokenizer.decode(ids[0, 1:1 + length]))["input_ids"]) > WINDOW:
        length -= 4
    tokens = len(tokenizer(text)["input_ids"])
    rows.append((f"PyTorch transformers pipeline ({tokens} tokens)", *timed(lambda: tagger(text), 10), None))

    print(f"One {WINDOW}-token window, batch 1, 1 thread, median and best of {REPEATS} runs\n")
    print("| engine | median ms | best ms | file MB |\n|---|---:|---:|---:|")
    for name, median, best, size in rows:
        print(f"| {name} | {median:.1f} | {best:.1f} | {'' if size is None else f'{size:.1f}'} |")
    int8, torch_ms = rows[0][1], rows[3][1]
    print(f"\nint8 is {torch_ms / int8:.1f}x faster than the PyTorch pipeline")
    if args.profile:
        profile(onnxruntime, args.run / "model.onnx", feeds)


def profile(onnxruntime, path: Path, feeds: dict[str, np.ndarray]) -> None:
    """Time per operator type, from onnxruntime's profiler: which part of the model to make cheaper."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.enable_profiling = True
    options.profile_file_prefix = "/tmp/bench_ner_profile"
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    for _ in range(REPEATS):
        session.run(None, feeds)
    trace = Path(session.end_profiling())
    microseconds: collections.Counter[str] = collections.Counter()
    for event in json.loads(trace.read_text()):
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            microseconds[event["args"]["op_name"]] += event["dur"]
    trace.unlink()
    total = sum(microseconds.values())
    print(f"\n{path.name}, one window, ms per run by operator type (total {total / REPEATS / 1000:.1f} ms)\n")
    print("| operator | ms | share |\n|---|---:|---:|")
    for name, spent in microseconds.most_common(10):
        print(f"| {name} | {spent / REPEATS / 1000:.1f} | {spent / total:.0%} |")


if __name__ == "__main__":
    main()
