"""(g) Reading a spreadsheet ledger: openpyxl read-only vs normal mode, and read_ledger.

    python benchmarks/bench_ledger.py [--rows 3000] [--repeat 5]

Builds a workbook like examples/tianjin-district-ledger.xlsx scaled up
(a facility sheet and a boiler sheet of ROWS rows, 14 columns), then times,
in the same run, interleaved, median of REPEAT (process CPU time):

* openpyxl's read-only mode (streaming the sheet XML) reading every value,
* its normal mode (building every cell object) reading every value,
* ``compliance.ledger.read_ledger`` (read-only mode + the cells converted
  once per distinct value of a column) and ``iter_records`` on top of it.

Prints the figures, the ratio normal / read-only and each way's peak RSS (in a
child process of its own).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from compliance.ledger import iter_records, read_ledger  # noqa: E402

BOILERS = ["企业编号", "锅炉编号", "燃料类型", "额定蒸发量(t/h)", "介质", "用途", "运行状态", "布袋除尘",
           "颗粒物浓度(mg/m³)", "二氧化硫浓度(mg/m³)", "氮氧化物浓度(mg/m³)", "含氧量(%)", "投运日期", "在线监测"]


def build(path: str, rows: int, seed: int = 1) -> None:
    import datetime as dt

    rng = random.Random(seed)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    fac = wb.create_sheet("企业")
    fac.append(["企业编号", "企业名称", "所在区域", "核查日期"])
    n_fac = max(1, rows // 3)
    for i in range(n_fac):
        fac.append([f"F{i:06d}", f"企业{i}", rng.choice(["天津市蓟州区", "天津市东丽区"]), dt.date(2019, 3, 1)])
    boil = wb.create_sheet("锅炉")
    boil.append(BOILERS)
    for i in range(rows):
        boil.append([f"F{rng.randrange(n_fac):06d}", f"B{i}", rng.choice(["燃煤", "燃气", "生物质"]),
                     rng.choice([1, 2, 4, 10, 20, 35]), rng.choice(["蒸汽", "热水"]), rng.choice(["供暖", "工业生产"]),
                     rng.choice(["在用", "停用"]), rng.choice(["是", "否"]), round(rng.uniform(3, 40), 1),
                     round(rng.uniform(5, 200)), round(rng.uniform(60, 260)), round(rng.uniform(3, 12), 1),
                     dt.date(2010 + rng.randrange(10), 1 + rng.randrange(12), 1), rng.choice(["是", "否", None])])
    wb.save(path)


def cpu(fn) -> float:
    gc.collect()  # the previous reading's garbage is not this one's cost
    t = time.process_time()
    fn()
    return time.process_time() - t


def read_only(path):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            n += len(row)
    wb.close()
    return n


def normal(path):
    wb = openpyxl.load_workbook(path, data_only=True)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            n += len(row)
    return n


def _child_rss(mode: str, path: str) -> int:
    """Peak RSS (KiB) of a child process that reads ``path`` one way."""
    out = subprocess.run([sys.executable, __file__, "--child", mode, path], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def _child(mode: str, path: str) -> None:
    import resource

    if mode.startswith("build"):
        build(path, int(mode[5:]))
        return
    {"none": lambda p: None, "read-only": read_only, "normal": normal, "read_ledger": read_ledger}[mode](path)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main(argv=None) -> int:
    if argv is None and len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    path = os.path.join(tempfile.mkdtemp(), "ledger.xlsx")
    # built and measured in child processes while this one is small: a child
    # inherits its parent's peak RSS across fork and exec
    subprocess.run([sys.executable, __file__, "--child", f"build{args.rows}", path], check=True)
    base = _child_rss("none", path)
    peaks = {name: _child_rss(name, path) - base for name in ("read-only", "normal", "read_ledger")}
    assert read_only(path) == normal(path)
    led = read_ledger(path)
    assert not led.problems, led.problems[:3]
    times = {"read-only": [], "normal": [], "read_ledger": [], "read_ledger+iter_records": []}
    for _ in range(args.repeat):
        times["read-only"].append(cpu(lambda: read_only(path)))
        times["normal"].append(cpu(lambda: normal(path)))
        times["read_ledger"].append(cpu(lambda: read_ledger(path)))
        times["read_ledger+iter_records"].append(cpu(lambda: sum(1 for _ in iter_records(path))))
    med = {k: statistics.median(v) for k, v in times.items()}
    rows = args.rows + max(1, args.rows // 3)
    print(f"workbook: {rows} rows ({args.rows} boilers), {os.path.getsize(path) // 1024} KiB; "
          f"CPU time, median of {args.repeat}")
    for k, v in med.items():
        print(f"  {k:26s} {v * 1000:8.1f} ms  {v / rows * 1e6:6.1f} µs/row")
    print("  peak RSS above a bare interpreter with the library imported (a child process each): "
          + ", ".join(f"{k} {v / 1024:.1f} MiB" for k, v in peaks.items()))
    print(f"normal / read-only = {med['normal'] / med['read-only']:.2f}; "
          f"read_ledger / bare read-only reading = {med['read_ledger'] / med['read-only']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
