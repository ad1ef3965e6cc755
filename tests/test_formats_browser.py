"""The HTML report in a real headless browser (Chromium from the system
packages: ``.ci/run`` installs Debian's ``chromium``): a screenshot that is
not blank, the findings in the DOM Chromium builds, and the A4 print
stylesheet's pages. Skipped, with the reason, where no browser is installed.

The screenshot is kept at ``$COMPLIANCE_SCREENSHOT_DIR`` (default: pytest's
temporary folder) to be looked at.
"""

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser

import pytest

from conftest import EXAMPLES

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")
WIDTH, HEIGHT = 1200, 1600


def _browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium on this machine (apt-get install chromium; .ci/run installs it)")


def _run(tmp_path, *args):
    cmd = [_browser(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    proc = subprocess.run(cmd, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The bundled Jizhou example's HTML report (zh) and its JSON."""
    import io

    from compliance.cli import main

    folder = tmp_path_factory.mktemp("html")
    out = {}
    for fmt in ("html", "json"):
        buf = io.StringIO()
        main(["check", str(EXAMPLES / "jizhou-auto-parts.yaml"), "--format", fmt, "--lang", "zh"], out=buf)
        out[fmt] = buf.getvalue()
    page = folder / "report.html"
    page.write_text(out["html"], encoding="utf-8")
    return page, json.loads(out["json"])


def png_pixels(data: bytes):
    """Width, height and rows of RGB(A) tuples of an 8-bit PNG (what a
    Chromium screenshot is): a small decoder, no imaging library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, head = 8, b"", None
    while pos < len(data):
        (n,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    width, height, depth, color, _, _, interlace = head
    assert depth == 8 and color in (2, 6) and interlace == 0, head
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def test_screenshot_is_a_rendered_report(report, tmp_path):
    page, _ = report
    folder = os.environ.get("COMPLIANCE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    shot = os.path.join(folder, "report-jizhou-zh.png")
    _run(tmp_path, f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", page.as_uri())
    width, height, bpp, rows = png_pixels(open(shot, "rb").read())
    assert (width, height) == (WIDTH, HEIGHT)
    colours = set()
    dark = red = 0
    for row in rows[::4]:  # every 16th pixel: 4311 dark, 577 red, 912 colours when written
        for x in range(0, width * bpp, 4 * bpp):
            px = row[x:x + 3]
            colours.add(px)
            dark += sum(px) < 384
            red += px[0] > 150 and px[1] < 80 and px[2] < 80  # the violation badges and borders
    assert len(colours) > 50, "a blank or single-colour page"
    assert dark > 1000, "no text drawn"
    assert red > 100, "no violation marked in red"


class _DomFindings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.statuses = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article" and "finding" in (a.get("class") or ""):
            self.statuses.append(a.get("data-status"))


def test_dom_has_every_finding_of_the_json(report, tmp_path):
    page, doc = report
    dom = _run(tmp_path, "--dump-dom", page.as_uri()).decode("utf-8")
    p = _DomFindings()
    p.feed(dom)
    statuses = [f["status"] for r in doc["records"] for f in r["findings"]]
    assert len(p.statuses) == len(statuses) and sorted(p.statuses) == sorted(statuses)


def test_print_stylesheet_gives_a4_pages(report, tmp_path):
    page, doc = report
    pdf = tmp_path / "report.pdf"
    _run(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 2 and len(boxes) >= pages
    for w, h in boxes:  # A4: 210 x 297 mm = 595.3 x 841.9 pt
        assert abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5, (w, h)
    # one record's findings fit no single A4 page; not so many pages that rows were blown up
    n = sum(len(r["findings"]) for r in doc["records"])
    assert pages <= n
