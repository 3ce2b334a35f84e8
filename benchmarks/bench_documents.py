"""Benchmark of stage 1, the document reader: digital and scanned PDFs of 1 to 20 pages.

    .venv/bin/python benchmarks/bench_documents.py [--quick] [--max-pages N]

Every input is read by ``load_document`` in a fresh Python process, so each run's peak
memory is its own and no run profits from another's warm caches. Tables go to stdout and
to benchmarks/out/documents.md; progress goes to stderr. The columns are explained in
benchmarks/README.md.

Needs the ``dev`` extra (reportlab) for the synthetic invoices, and Tesseract.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Linux carries a process's peak RSS across exec: a child's ru_maxrss starts at its
# parent's peak at the time of the fork. So this parent process stays small: it imports
# nothing but the standard library and leaves drawing the inputs (reportlab, page images)
# to a child too. The Tesseract child must not import invoice_extract either (see
# child_tesseract), hence the imports inside functions.

PAGE_COUNTS = (1, 2, 5, 10, 20)
QUICK_PAGE_COUNTS = (1, 2, 5)
DPI = 300
OUT_FILE = Path(__file__).resolve().parent / "out" / "documents.md"
OMP_RUNS = 2


# --- children: each runs in its own process and prints one JSON value -----------------


def child_make_inputs(directory: str, *counts: str) -> None:
    """Draw a digital and a scanned PDF of each page count, and one scanned page as a PNG.

    Page i is the same invoice (seed i) in every file, so a larger file is a smaller one
    plus more pages and the sizes are comparable."""
    import pypdfium2 as pdfium

    from invoice_extract.training.synthetic import (
        degrade,
        images_to_pdf,
        random_spec,
        render_invoice_pdf,
        render_pages,
    )

    root = Path(directory)
    sizes = [int(n) for n in counts]
    singles = []
    for seed in range(max(sizes)):
        path = root / f"single-{seed}.pdf"
        render_invoice_pdf(random_spec(seed), path)
        singles.append(path)
    scans = [degrade(render_pages(path, dpi=DPI)[0], seed=seed) for seed, path in enumerate(singles)]

    files: dict[str, dict[int, str]] = {"digital": {}, "scanned": {}}
    for n in sizes:
        merged = pdfium.PdfDocument.new()
        for path in singles[:n]:
            source = pdfium.PdfDocument(path)
            merged.import_pages(source)
            source.close()
        digital = root / f"digital-{n}.pdf"
        merged.save(digital)
        merged.close()
        scanned = root / f"scanned-{n}.pdf"
        images_to_pdf(scans[:n], scanned, dpi=DPI)
        files["digital"][n], files["scanned"][n] = str(digital), str(scanned)

    page_png = root / "scanned-page.png"
    scans[0].save(page_png, dpi=(DPI, DPI))
    print(json.dumps({**files, "page_png": str(page_png)}))


def child_load(path: str, workers: str) -> None:
    """Read one file with load_document and report its time and peak memory."""
    from invoice_extract import LoadOptions, load_document

    options = LoadOptions(workers=int(workers))
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    document = load_document(path, options)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    # Only load_document starts processes here (Tesseract, and pdftoppm to render scanned
    # pages), so the children's CPU time is all its own. Their ru_maxrss is not reported:
    # each starts from this process's peak at the time (see the top of the file).
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "pages": len(document.pages),
        "sources": sorted({page.text_source for page in document.pages}),
        "ocr_workers": options.ocr_workers,
        "wall_s": wall,
        "cpu_s": _cpu(after) - _cpu(before),
        "children_cpu_s": _cpu(children),
        # Linux reports ru_maxrss in KiB.
        "import_rss_mb": before.ru_maxrss / 1024,
        "peak_rss_mb": after.ru_maxrss / 1024,
    }))


def child_tesseract(image_path: str) -> None:
    """One Tesseract run on one page, configured by the environment this process was given.

    Imports pytesseract alone: invoice_extract sets OMP_THREAD_LIMIT=1 on its first OCR, and
    spoil the 'unset' case. This process stays far smaller than Tesseract, so the child's
    ru_maxrss is Tesseract's own."""
    import pytesseract

    start = time.perf_counter()
    # A file path, not a PIL image, so that pytesseract hands the file straight to
    # Tesseract and only Tesseract is timed.
    pytesseract.image_to_data(image_path, lang="eng")
    wall = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall_s": wall, "cpu_s": _cpu(children), "peak_rss_mb": children.ru_maxrss / 1024}))


CHILDREN = {"_make_inputs": child_make_inputs, "_load": child_load, "_tesseract": child_tesseract}


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def run_child(mode: str, *args: str, env: dict[str, str] | None = None):
    completed = subprocess.run(
        [sys.executable, __file__, mode, *args],
        env=env, capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"benchmark child {mode} {' '.join(args)} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.splitlines()[-1])


# --- measuring ------------------------------------------------------------------------


@dataclass
class Result:
    workers: int
    cores: int
    data: dict

    @property
    def pages(self) -> int:
        return self.data["pages"]

    @property
    def wall(self) -> float:
        return self.data["wall_s"]


def env_with_omp_limit(limit: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("OMP_THREAD_LIMIT", None)
    if limit is not None:
        env["OMP_THREAD_LIMIT"] = limit
    return env


def measure_load(path: str, workers: int, expected_source: str) -> Result:
    # Without any OMP_THREAD_LIMIT of the caller's, so that the package's own default
    # (set on import) is what gets measured.
    data = run_child("_load", path, str(workers), env=env_with_omp_limit(None))
    if data["sources"] != [expected_source]:
        raise SystemExit(f"{path}: pages read as {data['sources']}, expected only {expected_source!r}")
    # A digital PDF never reaches the OCR pool, so it uses one core whatever `workers` says.
    cores = 1 if expected_source == "pdf" else data["ocr_workers"]
    return Result(workers, cores, data)


def measure_omp(page_png: str, cores: int) -> list[tuple[str, int, dict]]:
    rows = []
    for label, limit in (("1", "1"), (f"unset (OpenMP default: {cores} threads)", None)):
        for run in range(1, OMP_RUNS + 1):
            rows.append((label, run, run_child("_tesseract", page_png, env=env_with_omp_limit(limit))))
    return rows


# --- reporting ------------------------------------------------------------------------


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def throughput_cells(result: Result) -> list[str]:
    pages, wall = result.pages, result.wall
    return [
        str(pages),
        f"{wall:.3f}",
        f"{1000 * wall / pages:.1f}",
        f"{pages / wall:.2f}",
        f"{pages / wall / result.cores:.2f}",
    ]


def digital_table(results: list[Result]) -> str:
    headers = ["pages", "wall s", "ms/page", "pages/s", "pages/s/core", "CPU s", "peak RSS MB"]
    rows = [
        throughput_cells(r) + [f"{r.data['cpu_s']:.3f}", f"{r.data['peak_rss_mb']:.0f}"]
        for r in results
    ]
    return markdown_table(headers, rows)


def scanned_table(results: list[Result]) -> str:
    headers = ["workers", "cores", "pages", "wall s", "ms/page", "pages/s", "pages/s/core",
               "CPU s (Python)", "CPU s (children)", "busy cores", "peak RSS MB (Python)"]
    rows = []
    for r in results:
        workers = "1" if r.workers == 1 else f"0 (all = {r.cores})"
        cpu, children_cpu = r.data["cpu_s"], r.data["children_cpu_s"]
        rows.append([workers, str(r.cores)] + throughput_cells(r) + [
            f"{cpu:.2f}",
            f"{children_cpu:.2f}",
            f"{(cpu + children_cpu) / r.wall:.2f}",
            f"{r.data['peak_rss_mb']:.0f}",
        ])
    return markdown_table(headers, rows)


def omp_table(rows: list[tuple[str, int, dict]]) -> str:
    headers = ["OMP_THREAD_LIMIT", "run", "wall s", "Tesseract CPU s", "busy cores", "Tesseract peak RSS MB"]
    return markdown_table(headers, [
        [label, str(run), f"{d['wall_s']:.2f}", f"{d['cpu_s']:.2f}",
         f"{d['cpu_s'] / d['wall_s']:.2f}", f"{d['peak_rss_mb']:.0f}"]
        for label, run, d in rows
    ])


def machine_info(load_before: float) -> str:
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    tesseract = subprocess.run(
        ["tesseract", "--version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    return (
        f"Machine: nproc {len(os.sched_getaffinity(0))}, CPU {model}, "
        f"{tesseract[0] if tesseract else 'tesseract not found'}, Python {platform.python_version()}; "
        # Other work on the machine slows the OCR rows, most of all those with 2 workers.
        f"1-minute load average before the run {load_before:.2f}"
    )


def report(digital: list[Result], scanned: list[Result], omp: list[tuple[str, int, dict]],
           load_before: float) -> str:
    import_mb = max(r.data["import_rss_mb"] for r in digital + scanned)
    return "\n".join([
        "# Stage 1 (document reader) benchmark",
        "",
        machine_info(load_before),
        "",
        "Each row is one `load_document` call in a fresh process, with default `LoadOptions` "
        "apart from `workers` (so `keep_images=True`: every page image stays in memory). "
        f"Peak RSS includes the interpreter and imports (up to {import_mb:.0f} MB before "
        "`load_document` is called).",
        "",
        "## Digital PDFs (text layer, no OCR)",
        "",
        digital_table(digital),
        "",
        f"## Scanned PDFs (image-only, {DPI} dpi, degraded; every page rendered and OCR'd)",
        "",
        scanned_table(scanned),
        "",
        f"## Tesseract threads: one {DPI} dpi scanned page, `pytesseract.image_to_data` directly",
        "",
        omp_table(omp),
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"only {', '.join(map(str, QUICK_PAGE_COUNTS))}-page inputs")
    parser.add_argument("--max-pages", type=int, default=None, metavar="N",
                        help="only inputs of at most N pages")
    args = parser.parse_args()
    counts = [n for n in (QUICK_PAGE_COUNTS if args.quick else PAGE_COUNTS)
              if args.max_pages is None or n <= args.max_pages]
    if not counts:
        parser.error(f"--max-pages must be at least {min(PAGE_COUNTS)}")

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp:
        progress(f"drawing the inputs, up to {max(counts)} pages")
        files = run_child("_make_inputs", tmp, *map(str, counts))
        digital = []
        for n in counts:
            progress(f"digital PDF, {n} page(s)")
            digital.append(measure_load(files["digital"][str(n)], 0, "pdf"))  # JSON keys are strings
        scanned = []
        for n in counts:
            for workers in (1, 0):
                progress(f"scanned PDF, {n} page(s), workers={workers}")
                scanned.append(measure_load(files["scanned"][str(n)], workers, "ocr"))
        progress("Tesseract with and without OMP_THREAD_LIMIT=1")
        omp = measure_omp(files["page_png"], len(os.sched_getaffinity(0)))

    markdown = report(digital, scanned, omp, load_before)
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    OUT_FILE.write_text(markdown)
    print(markdown)
    progress(f"done in {time.perf_counter() - started:.0f} s; written to {OUT_FILE}")


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in CHILDREN:
        CHILDREN[sys.argv[1]](*sys.argv[2:])
    else:
        main()
