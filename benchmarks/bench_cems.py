"""A stack-year of CEMS minute data: validity, averaging, correction and verdicts.

    python benchmarks/bench_cems.py [--repeats 5]

Input: 525 600 minutes × 6 channels (SO2, NOx, PM, O2, flow, temperature) of
a coal boiler from the example generator (examples/cems/make_cems.py), with
a daily calibration, a maintenance morning per month, a fault week and a
day of transmission loss per quarter. Sides, timed in CPU time of this
process, median of the repeats:

- ``compute``: compliance.cems on the arrays already read -- HJ 75 validity
  (minutes, stopped hours, valid hours and days), hourly averages, the
  stack's transmission rate, and for SO2, NOx and PM the correction to 9 %
  O2 and the verdict figures against GB 13271 Table 3 (details: exceedances
  per day and month, worst hour, shares) -- the issue's ≤ 2 s target;
- ``read + compute``: the same from the CSV file on disk;
- ``baseline``: a straightforward pure-Python reference of the same
  computation (one dict per hour, a loop over the minutes), in the same run;
  its results are checked equal to compute's (valid hours, exceedance hours,
  worst hour) before any time is reported.

The ratio printed is baseline ÷ compute. Nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples" / "cems"))

import make_cems  # noqa: E402
from compliance.cems.read import Export, read_csv  # noqa: E402
from compliance.cems.stage import rate_text  # noqa: E402
from compliance.cems.validity import analyse  # noqa: E402
from compliance.cems.verdict import details, judge  # noqa: E402
from compliance.cems.config import config  # noqa: E402

CHANNELS = ("so2", "nox", "pm", "o2", "flow", "temp")
LIMITS = {"so2": 200.0, "nox": 200.0, "pm": 30.0}  # GB 13271-2014 Table 3, coal (the ruleset's values)
REF = 9.0  # GB 13271-2014 5.2, coal


def year():
    n = 365 * 1440
    v = make_cems.base("coal", n, seed=2019)
    f = make_cems.flags_all(n)
    for d in range(365):
        make_cems.mark(f, d * 1440 + 120, d * 1440 + 130, "C", ("so2", "nox", "pm", "o2"))
    for m in range(12):
        a = m * 30 * 1440 + 8 * 1440 + 9 * 60
        make_cems.mark(f, a, a + 210, "M")
        v["so2"][a + 3 * 1440: a + 3 * 1440 + 180] = 240.0  # an upset each month
    for q in range(4):
        a = q * 91 * 1440 + 40 * 1440
        make_cems.mark(f, a, a + 7 * 1440, "D", ("nox",))
    for q in range(4):  # a day of communication fault (B) per quarter: rows kept, 525 600 in all
        a = q * 91 * 1440 + 60 * 1440
        make_cems.mark(f, a, a + 1440, "B")
    t = np.datetime64("2019-01-01T00:00", "m") + np.arange(n).astype("timedelta64[m]")
    return t, v, f


def compute(export: Export):
    s = analyse(export)
    out = {"rate": rate_text(s)}
    for p, lim in LIMITS.items():
        j = judge(s, p, lim, "<=", REF)
        out[p] = details(j)
    return out


def baseline(t_text, cols, flags):
    """Pure Python: minutes → hours → verdicts, the same rules, no numpy."""
    cfg = config()
    need, stop_min = cfg.hour_min_valid_minutes, cfg.stopped_hour_min_minutes
    hours = {}
    for i, ts in enumerate(t_text):
        key = ts[:13]
        h = hours.get(key)
        if h is None:
            h = hours[key] = {c: [0, 0.0, 0, 0] for c in ("so2", "nox", "pm", "o2")}  # valid n, sum, present, stopped
        for c in ("so2", "nox", "pm", "o2"):
            rec = h[c]
            fl = flags[c][i]
            rec[2] += 1
            if fl == "N":
                rec[0] += 1
                rec[1] += cols[c][i]
            elif fl == "F":
                rec[3] += 1
    out = {}
    for p, lim in LIMITS.items():
        valid = exceed = 0
        worst = (-1.0, None)
        for key, h in hours.items():
            a, o = h[p], h["o2"]
            if a[3] >= stop_min or a[0] < need or o[0] < need:
                continue
            o2 = o[1] / o[0]
            if o2 >= 21:
                continue
            valid += 1
            c = float(f"{a[1] / a[0] * (21 - REF) / (21 - o2):.12g}")
            if c > lim:
                exceed += 1
            if c > worst[0]:
                worst = (c, key)
        out[p] = (valid, exceed, worst[1])
    return out


def cpu(fn, *args):
    """(CPU seconds, wall seconds, result)."""
    t, w = time.process_time(), time.perf_counter()
    r = fn(*args)
    return time.process_time() - t, time.perf_counter() - w, r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    t, v, f = year()
    rows = t.size
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "year.csv")
        make_cems.write_csv(path, t, v, f, channels=CHANNELS)
        size = os.path.getsize(path)
        export = read_csv(path)
        assert not export.problems and export.rows == rows
        t_text = [str(x).replace("T", " ") for x in t.astype("datetime64[m]")]
        cols = {c: v[c].tolist() for c in CHANNELS}
        fl = {c: f[c].tolist() for c in CHANNELS}
        # the two computations agree before anything is timed
        res = compute(export)
        base = baseline(t_text, cols, fl)
        for p in LIMITS:
            d_ = res[p]
            got = (d_["hours"]["valid"], d_["exceedance_hours"]["total"], d_["worst_hour"]["hour"][:13].replace("T", " "))
            assert got == base[p], (p, got, base[p])
        sides = {"compute": [], "read + compute": [], "baseline (pure Python)": []}
        walls = {k: [] for k in sides}
        for _ in range(args.repeats):
            for k, fn in (("compute", lambda: compute(export)), ("read + compute", lambda: compute(read_csv(path))),
                          ("baseline (pure Python)", lambda: baseline(t_text, cols, fl))):
                c, w, _r = cpu(fn)
                sides[k].append(c)
                walls[k].append(w)
    med = {k: statistics.median(x) for k, x in sides.items()}
    print(f"{rows} minutes × {len(CHANNELS)} channels ({size / 1e6:.1f} MB CSV), medians of {args.repeats} runs")
    for k, m in med.items():
        print(f"  {k:<26} CPU {m:7.3f} s   wall {statistics.median(walls[k]):7.3f} s")
    print(f"  baseline ÷ compute: {med['baseline (pure Python)'] / med['compute']:.1f}×")
    print(f"  rate {res['rate']}; SO2 exceedance hours {res['so2']['exceedance_hours']['total']}, "
          f"NOx valid hours {res['nox']['hours']['valid']}")


if __name__ == "__main__":
    main()
