# Extra: OSD with OMP_THREAD_LIMIT=1; image_to_data from PIL image vs file path (pytesseract temp-file overhead)
import os, time, statistics
from PIL import Image
import pytesseract
os.environ["OMP_THREAD_LIMIT"] = "1"
img = Image.open("page_300dpi.png").convert("L"); img.save("page_300dpi_gray.png")
half = img.resize((img.width // 2, img.height // 2), Image.LANCZOS)
def med(fn, n=3):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)
print("| OMP_THREAD_LIMIT=1 | median s (3 runs) |\n|---|---|")
print(f"| image_to_osd full | {med(lambda: pytesseract.image_to_osd(img)):.2f} |")
print(f"| image_to_osd half | {med(lambda: pytesseract.image_to_osd(half)):.2f} |")
print(f"| image_to_data(PIL image) | {med(lambda: pytesseract.image_to_data(img)):.2f} |")
print(f"| image_to_data('page_300dpi_gray.png' path) | {med(lambda: pytesseract.image_to_data('page_300dpi_gray.png')):.2f} |")
print(f"| image_to_data(PIL image, --psm 6) | {med(lambda: pytesseract.image_to_data(img, config='--psm 6')):.2f} |")
