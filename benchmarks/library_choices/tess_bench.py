# Tesseract timings on 300 dpi grayscale page image
import os, time, statistics, threading, re
from PIL import Image
import pytesseract
print("tesseract", pytesseract.get_tesseract_version())
img = Image.open("page_300dpi.png").convert("L")
half = img.resize((img.width // 2, img.height // 2), Image.LANCZOS)
def set_omp(v):
    if v is None: os.environ.pop("OMP_THREAD_LIMIT", None)
    else: os.environ["OMP_THREAD_LIMIT"] = v
def timed(fn, n=3):
    ts, r = [], None
    for _ in range(n):
        t = time.perf_counter(); r = fn(); ts.append(time.perf_counter() - t)
    return ts, r
def summ(d):
    words = [w for w, c in zip(d["text"], d["conf"]) if w.strip() and float(c) >= 0]
    confs = [float(c) for w, c in zip(d["text"], d["conf"]) if w.strip() and float(c) >= 0]
    return f"{len(words)} words, mean conf {statistics.mean(confs):.1f}"
print("\n## image_to_data (full page 2481x3508 L)\n| OMP_THREAD_LIMIT | runs s | median s | pages/s | result |\n|---|---|---|---|---|")
for v in ["1", None]:
    set_omp(v)
    ts, d = timed(lambda: pytesseract.image_to_data(img, output_type=pytesseract.Output.DICT))
    print(f"| {v or 'unset'} | {', '.join(f'{t:.2f}' for t in ts)} | {statistics.median(ts):.2f} | {1/statistics.median(ts):.2f} | {summ(d)} |", flush=True)

print("\n## 2 threads in parallel, each image_to_data on its own copy, OMP_THREAD_LIMIT=1 (and unset for reference)\n| OMP_THREAD_LIMIT | batch wall s (2 pages) x3 | median | pages/s |\n|---|---|---|---|")
for v in ["1", None]:
    set_omp(v)
    def batch():
        copies = [img.copy(), img.copy()]
        th = [threading.Thread(target=pytesseract.image_to_data, args=(c,)) for c in copies]
        [t.start() for t in th]; [t.join() for t in th]
    ts, _ = timed(batch)
    print(f"| {v or 'unset'} | {', '.join(f'{t:.2f}' for t in ts)} | {statistics.median(ts):.2f} | {2/statistics.median(ts):.2f} |", flush=True)

set_omp(None)
print("\n## image_to_osd (OMP unset) — PIL rotate() is counter-clockwise\n| image | size | runs s | median s | Orientation in degrees | Rotate | Orientation conf |\n|---|---|---|---|---|---|---|")
for name, base in [("full", img), ("half (50%)", half)]:
    for rot in [0, 90, 180]:
        im = base.rotate(rot, expand=True) if rot else base
        ts, r = timed(lambda: pytesseract.image_to_osd(im))
        g = lambda k: re.search(rf"{k}: ([\d.]+)", r).group(1)
        print(f"| {name} rotated CCW {rot} | {im.width}x{im.height} | {', '.join(f'{t:.2f}' for t in ts)} | {statistics.median(ts):.2f} | {g('Orientation in degrees')} | {g('Rotate')} | {g('Orientation confidence')} |", flush=True)
