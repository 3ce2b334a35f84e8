# Text-layer extraction speed (ms/page, median of repeats) on 20-page digital PDF + box quality for 'INVOICE'
import time, statistics, ctypes, json
import pdfplumber, pypdfium2 as pdfium, pypdfium2.raw as raw
PDF = "invoice_20p.pdf"; REPS = 7

def bench(fn):
    ts = []
    for _ in range(REPS):
        t = time.perf_counter(); n = fn(); ts.append((time.perf_counter() - t) * 1000 / n)
    return statistics.median(ts), min(ts)

def plumber_words():
    with pdfplumber.open(PDF) as pdf:
        for p in pdf.pages: p.extract_words()
        return len(pdf.pages)

def pdfium_loop(boxfn):
    doc = pdfium.PdfDocument(PDF); n = len(doc)
    for i in range(n):
        page = doc[i]; tp = page.get_textpage(); nc = tp.count_chars()
        out = []
        for c in range(nc):
            out.append((chr(raw.FPDFText_GetUnicode(tp, c)), boxfn(tp, c)))
        tp.close(); page.close()
    doc.close(); return n

def box_helper(tp, c): return tp.get_charbox(c)
l, r, b, t_ = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
refs = (ctypes.byref(l), ctypes.byref(r), ctypes.byref(b), ctypes.byref(t_))
def box_raw(tp, c):
    raw.FPDFText_GetCharBox(tp.raw, c, *refs); return (l.value, b.value, r.value, t_.value)
def box_raw_loose(tp, c):
    rc = raw.FS_RECTF(); raw.FPDFText_GetLooseCharBox(tp.raw, c, rc); return (rc.left, rc.bottom, rc.right, rc.top)

def pdfium_text_range():
    doc = pdfium.PdfDocument(PDF); n = len(doc)
    for i in range(n):
        page = doc[i]; tp = page.get_textpage(); tp.get_text_range(); tp.close(); page.close()
    doc.close(); return n

def pdfium_open_only():
    doc = pdfium.PdfDocument(PDF); n = len(doc)
    for i in range(n):
        page = doc[i]; tp = page.get_textpage(); tp.count_chars(); tp.close(); page.close()
    doc.close(); return n

rows = [("pdfplumber extract_words()", bench(plumber_words)),
        ("pypdfium2 get_textpage+count_chars only", bench(pdfium_open_only)),
        ("pypdfium2 per-char GetUnicode + textpage.get_charbox(i)", bench(lambda: pdfium_loop(box_helper))),
        ("pypdfium2 per-char GetUnicode + raw FPDFText_GetCharBox", bench(lambda: pdfium_loop(box_raw))),
        ("pypdfium2 per-char GetUnicode + raw FPDFText_GetLooseCharBox", bench(lambda: pdfium_loop(box_raw_loose))),
        ("pypdfium2 get_text_range() whole text", bench(pdfium_text_range))]
print("| method | ms/page median | ms/page min |\n|---|---|---|")
for name, (med, mn) in rows: print(f"| {name} | {med:.2f} | {mn:.2f} |")

# --- box quality for 'INVOICE' (page 1), top-left origin, points
ref = json.load(open("invoice_ref.json"))
H = 841.8897637795277
print("\nBox for 'INVOICE' (x0, top, x1, bottom), top-left origin, pt")
print("| source | x0 | top | x1 | bottom | height |\n|---|---|---|---|---|---|")
def row(name, x0, top, x1, bot): print(f"| {name} | {x0:.2f} | {top:.2f} | {x1:.2f} | {bot:.2f} | {bot-top:.2f} |")
row("drawn: font-size box (baseline-24..baseline)", ref["x0"], ref["fontsize_box_top"], ref["x1"], ref["baseline_top"])
row("drawn: cap-height 718/1000 .. baseline", ref["x0"], ref["cap_height_top(718)"], ref["x1"], ref["baseline_top"])
row("drawn: ascent 718 .. descent -207 (AFM)", ref["x0"], ref["ascent718_top"], ref["x1"], ref["descent207_bottom"])
with pdfplumber.open("invoice_1p.pdf") as pdf:
    w = [w for w in pdf.pages[0].extract_words() if w["text"] == "INVOICE"][0]
    row("pdfplumber extract_words", w["x0"], w["top"], w["x1"], w["bottom"])
doc = pdfium.PdfDocument("invoice_1p.pdf"); tp = doc[0].get_textpage()
def union(fn):
    bs = [fn(tp, c) for c in range(7)]  # 'INVOICE' is first 7 chars
    assert "".join(chr(raw.FPDFText_GetUnicode(tp, c)) for c in range(7)) == "INVOICE"
    x0 = min(b[0] for b in bs); y0 = min(b[1] for b in bs); x1 = max(b[2] for b in bs); y1 = max(b[3] for b in bs)
    return x0, H - y1, x1, H - y0
row("pypdfium2 get_charbox(i) (tight, default)", *union(box_helper))
row("pypdfium2 get_charbox(i, loose=True)", *union(lambda tp, c: tp.get_charbox(c, loose=True)))
row("pypdfium2 raw FPDFText_GetCharBox", *union(box_raw))
row("pypdfium2 raw FPDFText_GetLooseCharBox", *union(box_raw_loose))
print("\nper-char tight boxes (pdfium): ", [tuple(round(v, 2) for v in (b[0], H - b[3], b[2], H - b[1])) for b in [box_raw(tp, c) for c in range(7)]])
