"""Files per second of `invoice-extract batch` with 1 and 2 workers, and each worker's peak memory.

    .venv/bin/python benchmarks/bench_batch.py [--digital 200] [--scans 24] [--workers 1,2]
    .venv/bin/python benchmarks/bench_batch.py --digital 0 --workers 1,2      # the scans rows alone

Inputs are drawn afresh in a temporary folder: one-page digital invoices (``random_spec(i)``,
text layer) and the same pages as 300 dpi scanned image-only PDFs (``degrade``d), as
tests/conftest.py makes them. Each row runs ``run_batch`` (what the command runs, without the
progress bar) over one folder into a new output folder, so every file is read; the local
engine's worker processes load the model once each.

Columns: ``wall s`` from the call to the last record, worker start included; ``files/s`` =
files / wall s; ``steady files/s``: from the first record to the last, so without the start;
``speedup``: files/s (and steady files/s) over the first worker count's; ``peak RSS MB``: the
largest VmHWM among the worker processes (their own memory: they are spawned, not forked),
polled every 50 ms from /proc; ``Tesseract MB``: the same for the Tesseract processes the
workers start; ``other CPU``: cores kept busy by other programs during the row (the
machine's busy time from /proc/stat, less this process's and its children's), which slows
the rows it shows up in. A markdown table goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from invoice_extract.batch import find_inputs, run_batch  # noqa: E402
from invoice_extract.training.synthetic import (  # noqa: E402
    degrade,
    images_to_pdf,
    random_spec,
    render_invoice_pdf,
    render_pages,
)

DPI = 300


def make_inputs(root: Path, digital: int, scans: int) -> dict[str, Path]:
    folders = {"digital PDF": root / "digital", "scanned PDF": root / "scans"}
    for folder in folders.values():
        folder.mkdir()
    for seed in range(max(digital, scans)):
        pdf = folders["digital PDF"] / f"invoice-{seed:03d}.pdf"
        render_invoice_pdf(random_spec(seed), pdf)
        if seed < scans:
            page = degrade(render_pages(pdf, DPI)[0], seed=seed)
            images_to_pdf([page], folders["scanned PDF"] / f"scan-{seed:03d}.pdf", DPI)
        if seed >= digital:
            pdf.unlink()
    return {name: folder for name, folder in folders.items() if any(folder.iterdir())}


class PeakMemory:
    """Polls the peak RSS (VmHWM) of this process's children and of their children."""

    def __init__(self) -> None:
        self.workers: dict[int, int] = {}
        self.tesseract: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.05):
            processes = {pid: status for pid in _pids() if (status := _status(pid))}
            for pid, status in processes.items():
                parent = int(status.get("PPid", "0"))
                peak = int(status.get("VmHWM", "0 kB").split()[0]) // 1024
                if parent == me and "spawn_main" in _cmdline(pid):
                    self.workers[pid] = max(self.workers.get(pid, 0), peak)
                elif parent in self.workers and status.get("Name") == "tesseract":
                    self.tesseract[pid] = max(self.tesseract.get(pid, 0), peak)


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # it ended
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


@dataclass
class Row:
    kind: str
    workers: int
    files: int
    wall: float
    steady: float
    worker_mb: int
    tesseract_mb: int
    other_cpu: float


def busy_cpu_s() -> tuple[float, float]:
    """CPU seconds used so far by the whole machine, and by this process and its children
    (the workers, and their Tesseract runs, once each has been waited for)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    ticks = os.sysconf("SC_CLK_TCK")
    mine = os.times()
    return ((user + nice + system + irq + softirq + steal) / ticks,
            mine.user + mine.system + mine.children_user + mine.children_system)


def run(kind: str, src: Path, out: Path, workers: int) -> Row:
    inputs = find_inputs(src)
    machine_before, mine_before = busy_cpu_s()
    with PeakMemory() as memory:
        start = time.perf_counter()
        times = []
        for outcome in run_batch(inputs, out, workers=workers):
            assert outcome.kind == "read" and outcome.status != "error", outcome
            times.append(time.perf_counter())
        ended = time.perf_counter()  # the pool is shut down and its processes waited for
    machine_after, mine_after = busy_cpu_s()
    other = max(0.0, (machine_after - machine_before) - (mine_after - mine_before)) / (ended - start)
    steady = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return Row(kind, workers, len(times), times[-1] - start, steady,
               max(memory.workers.values(), default=0), max(memory.tesseract.values(), default=0), other)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--digital", type=int, default=200, help="digital PDFs (0: none)")
    parser.add_argument("--scans", type=int, default=24, help="scanned PDFs (0: none)")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, e.g. 1,2")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(f"drawing {args.digital} digital and {args.scans} scanned invoices...", file=sys.stderr)
        for kind, src in make_inputs(root, args.digital, args.scans).items():
            for workers in counts:
                print(f"{kind}, {workers} worker(s)...", file=sys.stderr, flush=True)
                rows.append(run(kind, src, root / f"out-{src.name}-{workers}", workers))
    print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}\n")
    print("| input | workers | files | wall s | files/s | steady files/s | speedup | speedup (steady) | "
          "peak RSS MB per worker | Tesseract MB | other CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        base = next(r for r in rows if r.kind == row.kind)
        print(f"| {row.kind} | {row.workers} | {row.files} | {row.wall:.1f} | {row.files / row.wall:.2f} | "
              f"{row.steady:.2f} | {(row.files / row.wall) / (base.files / base.wall):.2f}x | "
              f"{row.steady / base.steady:.2f}x | {row.worker_mb} | {row.tesseract_mb or ''} | "
              f"{row.other_cpu:.2f} |")


if __name__ == "__main__":
    main()
