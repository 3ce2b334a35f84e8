"""Worst-case time and memory of each hostile input the tests build, through `extract`.

    .venv/bin/python benchmarks/bench_hostile.py            # needs the dev extra (reportlab)
    .venv/bin/python benchmarks/bench_hostile.py --only pdf  # the cases whose name holds "pdf"

The inputs are the tests' own: every ``tests/test_hostile_*.py`` module lists its builders in
``HOSTILE_CASES`` (a function that makes one file in a folder and returns its path), so the
benchmark measures exactly what the tests check. Each file is read by a fresh
``invoice-extract extract FILE`` process under an address-space limit (``LIMIT_GB``), so a
regression shows as a failure here instead of taking the machine down; the table gives its
exit code, the record's error code, the wall time and the peak resident memory of the
process and everything it started (``wait4``'s ru_maxrss: the largest of them, Tesseract
included). The CLI's start (Python, the model) is about 0.9 s and 180 MB of each row.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the tests' builders, and the tests' own imports
CLI = Path(sys.executable).with_name("invoice-extract")
LIMIT_GB = 4
TIMEOUT_S = 600


def cases() -> list:
    builders = []
    for module_path in sorted((ROOT / "tests").glob("test_hostile_*.py")):
        module = importlib.import_module(module_path.stem)
        builders += getattr(module, "HOSTILE_CASES", [])
    return builders


def measure(path: Path) -> tuple[int, str, float, float]:
    """Exit code, the record's error code, seconds and peak MB of one `extract` run."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        # prlimit (util-linux) sets the limit and becomes the CLI: the same process, so wait4 sees it.
        process = subprocess.Popen(["prlimit", f"--as={LIMIT_GB * 2**30}", str(CLI), "extract", str(path)],
                                   stdout=out, stderr=subprocess.DEVNULL)
        timer = threading.Timer(TIMEOUT_S, process.kill)  # a hang shows as exit -9 and TIMEOUT_S
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        try:
            records = json.loads(out.read() or b"[]")
        except json.JSONDecodeError:
            records = []
    records = records if isinstance(records, list) else [records]
    codes = sorted({error["code"] for record in records for error in record.get("errors", [])})
    return process.returncode, ",".join(codes) or "-", seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only the cases whose builder's name holds this")
    args = parser.parse_args()
    print("| case | exit | error code | seconds | peak MB |\n|---|---:|---|---:|---:|")
    for build in cases():
        name = build.__name__.removeprefix("build_")
        if args.only and args.only not in name:
            continue
        with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
            path = build(Path(folder))
            code, errors, seconds, peak = measure(path)
        print(f"| {name} | {code} | {errors} | {seconds:.1f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
