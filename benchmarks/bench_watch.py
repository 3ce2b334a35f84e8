"""How soon `invoice-extract watch` turns a dropped file into a record, and what kill -9 costs.

    .venv/bin/python benchmarks/bench_watch.py                 # about a minute; needs the dev extra
    .venv/bin/python benchmarks/bench_watch.py --drops 40 --crash-files 400 --kills 12

Latency: a watcher process with the default settle time (2 s). Digital one-page invoices are
dropped one at a time: each is written under a temporary name in the inbox (``.part``, which
the watcher ignores) and renamed, so the moment it last changed is known. Measured: from that
moment plus the settle time (when it became stable) to its line in invoices.jsonl, and from
the drop itself. The next file is dropped once the record is there.

Crash: CRASH_FILES files (5 % duplicates under other names, 5 % corrupt) in an inbox; a
watcher (settle 0.2 s) is killed with SIGKILL KILLS times, each after a random 1-25 more
records and a random 0-50 ms (anywhere in a file's steps), restarted each time, then run with
``--once``. Counted: input files not found exactly once in processed/ and failed/, contents
without a record, and records beyond one per content.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from invoice_extract.documents import file_sha256  # noqa: E402
from invoice_extract.training.synthetic import random_spec, render_invoice_pdf  # noqa: E402

CLI = Path(sys.executable).with_name("invoice-extract")


def jsonl_lines(out: Path) -> int:
    path = out / "invoices.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0


def wait_until(condition, timeout: float = 60.0, poll: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the watcher did not get there in time")
        time.sleep(poll)


def start(inbox: Path, out: Path, log: Path, *extra: str) -> subprocess.Popen:
    process = subprocess.Popen([str(CLI), "watch", str(inbox), "--out", str(out), "--log-json", *extra],
                               stderr=log.open("a"))
    size = log.stat().st_size if log.exists() else 0
    wait_until(lambda: log.stat().st_size > size or process.poll() is not None)  # the model is loaded
    return process


def latency(folder: Path, drops: int) -> list[tuple[float, float]]:
    inbox, out = folder / "inbox", folder / "out"
    inbox.mkdir()
    sources = [folder / f"source-{i}.pdf" for i in range(drops)]
    for i, source in enumerate(sources):
        render_invoice_pdf(random_spec(500 + i), source)
    process = start(inbox, out, folder / "latency.log")  # the default settle time: 2 s
    settle = 2.0
    found = []
    try:
        for i, source in enumerate(sources):
            temporary = inbox / f"invoice-{i}.pdf.part"
            shutil.copyfile(source, temporary)
            os.rename(temporary, inbox / f"invoice-{i}.pdf")
            dropped = time.time()  # the file's last change: the rename (its ctime)
            wait_until(lambda: jsonl_lines(out) == i + 1)
            recorded = time.time()
            found.append((recorded - dropped - settle, recorded - dropped))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    return found


def crash(folder: Path, files: int, kills: int, chance: random.Random) -> dict[str, int]:
    inbox, out, log = folder / "crash-inbox", folder / "crash-out", folder / "crash.log"
    inbox.mkdir()
    twins, bad = files // 20, files // 20
    names = [f"invoice {i:03}.pdf" for i in range(files - twins - bad)]
    for i, name in enumerate(names):
        render_invoice_pdf(random_spec(1000 + i), inbox / name)
    for i in range(twins):
        shutil.copyfile(inbox / names[i], inbox / f"copy {i:03}.pdf")
    for i in range(bad):
        whole = inbox / f"bad {i:03}.pdf"
        render_invoice_pdf(random_spec(5000 + i), whole)
        whole.write_bytes(whole.read_bytes()[:-200 - i])
    inputs = sorted(p.name for p in inbox.iterdir())
    good = {file_sha256(inbox / name) for name in names}

    def left() -> int:
        return sum(1 for p in inbox.iterdir() if p.suffix == ".pdf")

    landed = 0
    for _ in range(kills):
        process = start(inbox, out, log, "--settle", "0.2")
        target = jsonl_lines(out) + chance.randint(1, 25)
        wait_until(lambda: jsonl_lines(out) >= target or not left(), timeout=120)
        time.sleep(chance.uniform(0, 0.05))
        landed += bool(left())
        process.send_signal(signal.SIGKILL)
        process.wait()
    subprocess.run([str(CLI), "watch", str(inbox), "--out", str(out), "--once", "--settle", "0.2"],
                   stderr=subprocess.DEVNULL, check=False, timeout=600)

    archived = Counter(p.name for p in (inbox / "processed").glob("*/*"))
    archived.update(p.name for p in (inbox / "failed").iterdir() if not p.name.endswith(".error.json"))
    records = Counter(json.loads(line)["sha256"] for line in (out / "invoices.jsonl").read_text().splitlines())
    lost = sum(1 for name in inputs if archived[name] == 0)
    return {
        "input files": len(inputs),
        "kills that landed while files were left": landed,
        "files left in the inbox": left(),
        "files lost (not archived under their name)": lost,
        "files doubled (archive entries beyond one per input)": sum(archived.values()) - (len(inputs) - lost),
        "contents without a record": len(good - records.keys()),
        "records doubled": sum(count - 1 for count in records.values()),
        "records not of a good input": len(records.keys() - good),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=20, help="files dropped one at a time (latency)")
    parser.add_argument("--crash-files", type=int, default=200, help="files in the crash test's inbox")
    parser.add_argument("--kills", type=int, default=8, help="SIGKILLs before the final --once run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before the run\n")
    with tempfile.TemporaryDirectory() as tmp:
        found = latency(Path(tmp), args.drops)
        after_stable = sorted(a for a, _ in found)
        after_drop = sorted(d for _, d in found)
        p90 = max(0, int(round(0.9 * len(found))) - 1)
        print(f"Latency, {len(found)} digital one-page PDFs dropped one at a time, settle 2 s:\n")
        print("| from | median s | p90 s | max s |")
        print("|---|---|---|---|")
        for name, values in (("stable (last change + settle) to record", after_stable),
                             ("drop (rename into the inbox) to record", after_drop)):
            print(f"| {name} | {statistics.median(values):.2f} | {values[p90]:.2f} | {values[-1]:.2f} |")
        started = time.perf_counter()
        counts = crash(Path(tmp), args.crash_files, args.kills, random.Random(args.seed))
        print(f"\nCrash test: {args.kills} SIGKILLs while working, then --once "
              f"({time.perf_counter() - started:.0f} s in all):\n")
        print("| count | |")
        print("|---|---|")
        for name, value in counts.items():
            print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
