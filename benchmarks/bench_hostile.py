"""Worst-case time and memory of each hostile input the tests build, through `extract`.

    .venv/bin/python benchmarks/bench_hostile.py            # needs the dev extra (reportlab)
    .venv/bin/python benchmarks/bench_hostile.py --only pdf  # the cases whose name holds "pdf"

The inputs are the tests' own: every ``tests/test_hostile_*.py`` module lists its builders in
``HOSTILE_CASES`` (a function that makes one file in a folder and returns its path), so the
benchmark measures exactly what the tests check. Each file is read by a fresh
``invoice-extract extract FILE`` process under an address-space limit (``LIMIT_GB``), so a
regression shows as a failure here instead of taking the machine down; the table gives its
exit code, the record's error code, the wall time and the peak resident memory of the
process or of the largest process it started (Tesseract), as GNU time reports them. The CLI's start (Python, the model) is about 0.9 s and 180 MB of each row.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the tests' builders, and the tests' own imports
CLI = Path(sys.executable).with_name("invoice-extract")
TIME = "/usr/bin/time"  # GNU time (Debian package time), for the peak memory of the run alone
LIMIT_GB = 4
TIMEOUT_S = 600


def cases() -> list:
    builders = []
    for module_path in sorted((ROOT / "tests").glob("test_hostile_*.py")):
        module = importlib.import_module(module_path.stem)
        builders += getattr(module, "HOSTILE_CASES", [])
    return builders


def measure(path: Path) -> tuple[int, str, float, float]:
    """Exit code, the record's error code, seconds and peak MB of one `extract` run.

    GNU time forks the run from its own small process: a child forked from this one would
    start its peak-memory count at this process's size (Linux keeps ru_maxrss across fork and
    exec), and this one holds the builders' images."""
    with tempfile.TemporaryDirectory() as folder:
        usage, out = Path(folder) / "usage", Path(folder) / "out.json"
        command = [TIME, "-f", "%e %M", "-o", str(usage), "prlimit", f"--as={LIMIT_GB * 2**30}",
                   str(CLI), "extract", str(path), "-o", str(out)]
        try:
            code = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  timeout=TIMEOUT_S, check=False).returncode
        except subprocess.TimeoutExpired:
            return -9, "hung", TIMEOUT_S, 0.0
        seconds, peak_kb = usage.read_text().split()[-2:]  # after "Command exited with non-zero status N"
        try:
            records = json.loads(out.read_text(encoding="utf-8")) if out.exists() else []
        except json.JSONDecodeError:
            records = []
    records = records if isinstance(records, list) else [records]
    codes = sorted({error["code"] for record in records for error in record.get("errors", [])})
    return code, ",".join(codes) or "-", float(seconds), int(peak_kb) / 1024


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
