# Render A4 @300dpi; wall time per fresh python process (includes interpreter start + imports), median of 5.
# Child also reports in-process time of the render call itself.
import subprocess, time, statistics, itertools
PY = "/tmp/probe/bin/python"; N = 5
def child_pdf2image(pdf, fmt, gray, cairo, first, last, threads):
    return f"""
import time; t=time.perf_counter()
from pdf2image import convert_from_path
imgs = convert_from_path({pdf!r}, dpi=300, first_page={first}, last_page={last}, fmt={fmt!r}, grayscale={gray}, use_pdftocairo={cairo}, thread_count={threads})
[i.load() for i in imgs]
print((time.perf_counter()-t)*1000, imgs[0].size, imgs[0].mode, len(imgs))
"""
def child_pdfium(pdf, gray):
    return f"""
import time; t=time.perf_counter()
import pypdfium2 as pdfium
pdf = pdfium.PdfDocument({pdf!r}); img = pdf[0].render(scale=300/72, grayscale={gray}).to_pil()
print((time.perf_counter()-t)*1000, img.size, img.mode, 1)
"""
def run(code):
    walls, inner = [], []
    for _ in range(N):
        t = time.perf_counter(); out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True).stdout
        walls.append((time.perf_counter() - t) * 1000); inner.append(float(out.split()[0]))
    return statistics.median(walls), statistics.median(inner), out.split(None, 1)[1].strip()
print("| pdf | method | fmt | gray | cairo | pages | threads | wall ms (median 5) | in-proc ms | out |\n|---|---|---|---|---|---|---|---|---|---|")
base = run("import time;t=time.perf_counter();print(0,'-')")
print(f"| - | bare python start | | | | | | {base[0]:.0f} | | |")
base2 = run("import time;t=time.perf_counter();import pdf2image, PIL.Image;print(0,'-')")
print(f"| - | python start + import pdf2image | | | | | | {base2[0]:.0f} | | |")
base3 = run("import time;t=time.perf_counter();import pypdfium2, PIL.Image;print(0,'-')")
print(f"| - | python start + import pypdfium2 | | | | | | {base3[0]:.0f} | | |", flush=True)
for pdf1, pdf20 in [("invoice_1p.pdf", "invoice_20p.pdf"), ("scan_1p.pdf", "scan_20p.pdf")]:
    for fmt, gray, cairo in itertools.product(["ppm", "png", "jpeg"], [False, True], [False, True]):
        w, i, o = run(child_pdf2image(pdf1, fmt, gray, cairo, 1, 1, 1))
        print(f"| {pdf1} | pdf2image | {fmt} | {gray} | {cairo} | 1 | 1 | {w:.0f} | {i:.0f} | {o} |", flush=True)
    for cairo, threads in itertools.product([False, True], [1, 2]):
        w, i, o = run(child_pdf2image(pdf20, "ppm", True, cairo, 1, 4, threads))
        print(f"| {pdf20} | pdf2image | ppm | True | {cairo} | 4 | {threads} | {w:.0f} ({w/4:.0f}/page) | {i:.0f} | {o} |", flush=True)
    for gray in [False, True]:
        w, i, o = run(child_pdfium(pdf1, gray))
        print(f"| {pdf1} | pypdfium2 render | PIL | {gray} | - | 1 | 1 | {w:.0f} | {i:.0f} | {o} |", flush=True)
