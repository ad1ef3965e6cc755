"""Write the example CEMS exports: one month (January 2019) of minute data.

    python examples/cems/make_cems.py            # writes the two files beside this script

Synthetic but shaped like real exports (seeded, so the files and the
findings are reproducible):

- ``coal-boiler-2019-01.csv.gz`` -- a 20 t/h coal-fired steam boiler (stack
  S1, 50 m), CSV with SO2, NOx, PM, O2, flow, temperature and moisture and a
  data flag per value (HJ 212-2017 letters): a daily 10-minute zero/span
  calibration (C), a maintenance morning (M, 8 Jan), a 90-minute
  calibration (C, 16 Jan), a desulphurisation upset (SO2 above its limit
  for 3 hours, 14 Jan), a bag-filter leak (PM above its limit for 2 hours,
  22 Jan), a day of transmission loss (25 Jan: no rows) and a 6-hour stop
  (F, 30 Jan).
- ``gas-boiler-2019-01.hj212.gz`` -- a 14 MW gas-fired hot-water boiler
  (stack S2, 48 m), HJ 212-2017 minute-data messages (CN=2051) with CRC: a
  daily 5-minute calibration, maintenance (M, 5 Jan), a day of transmission
  loss (10 Jan), a NOx analyser fault (D, 18 Jan 06:00 to 20 Jan 18:00)
  and a burner-tuning NOx excursion (27 Jan).

The same functions make the benchmark's stack-year (benchmarks/bench_cems.py).
"""

from __future__ import annotations

import gzip
import os
import sys
from typing import Dict, List, Tuple

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from compliance.cems.read import hj212_crc  # noqa: E402

CHANNELS = ("so2", "nox", "pm", "o2", "flow", "temp", "moisture")
HJ212 = {"so2": "a21026", "nox": "a21002", "pm": "a34013", "o2": "a19001", "flow": "a00000",
         "temp": "a01012", "moisture": "a01014"}
START = np.datetime64("2019-01-01T00:00", "m")


def _minute(day: int, hh: int, mm: int = 0) -> int:
    """Minute index of 2019-01-<day> hh:mm from START."""
    return (day - 1) * 1440 + hh * 60 + mm


def base(kind: str, minutes: int, seed: int) -> Dict[str, np.ndarray]:
    """Minute values of a boiler in steady operation with a daily load cycle and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(minutes)
    load = 0.8 + 0.15 * np.sin(2 * np.pi * (t % 1440) / 1440 - 1.2)  # higher by day
    drift = np.cumsum(rng.normal(0, 0.002, minutes))
    drift -= np.linspace(0, drift[-1], minutes)  # no trend over the period
    if kind == "coal":  # measured (not corrected) mg/m3 at ~10 % O2
        o2 = 10.2 - 1.5 * (load - 0.8) + rng.normal(0, 0.25, minutes) + drift
        so2 = 105 + 40 * (load - 0.8) + rng.normal(0, 6, minutes)
        nox = 140 + 30 * (load - 0.8) + rng.normal(0, 7, minutes)
        pm = 15 + 6 * (load - 0.8) + rng.normal(0, 1.2, minutes)
        flow = 52000 * load + rng.normal(0, 800, minutes)
        temp = 128 + 8 * (load - 0.8) + rng.normal(0, 0.8, minutes)
        moist = 7.5 + rng.normal(0, 0.3, minutes)
    else:  # gas: ~5 % O2
        o2 = 5.0 - 1.0 * (load - 0.8) + rng.normal(0, 0.2, minutes) + drift
        so2 = 3 + rng.normal(0, 0.6, minutes)
        nox = 82 + 25 * (load - 0.8) + rng.normal(0, 5, minutes)
        pm = 3.2 + rng.normal(0, 0.4, minutes)
        flow = 18000 * load + rng.normal(0, 300, minutes)
        temp = 92 + 5 * (load - 0.8) + rng.normal(0, 0.6, minutes)
        moist = 11 + rng.normal(0, 0.4, minutes)
    vals = {"so2": so2, "nox": nox, "pm": pm, "o2": o2, "flow": flow, "temp": temp, "moisture": moist}
    return {k: np.round(np.clip(v, 0, None), 2) for k, v in vals.items()}


def flags_all(minutes: int) -> Dict[str, np.ndarray]:
    return {c: np.full(minutes, "N", dtype="<U1") for c in CHANNELS}


def mark(flags, a: int, b: int, letter: str, channels=CHANNELS) -> None:
    for c in channels:
        flags[c][a:b] = letter


def coal_month() -> Tuple[np.ndarray, Dict[str, np.ndarray], Dict[str, np.ndarray]]:
    n = 31 * 1440
    v, f = base("coal", n, seed=201901), flags_all(n)
    for day in range(1, 32):  # daily zero/span calibration 02:00-02:10
        mark(f, _minute(day, 2), _minute(day, 2, 10), "C", ("so2", "nox", "pm", "o2"))
    mark(f, _minute(8, 9), _minute(8, 12, 30), "M")  # maintenance: probe cleaning
    mark(f, _minute(16, 14), _minute(16, 15, 30), "C", ("so2", "nox", "o2"))  # quarterly calibration
    a, b = _minute(14, 10), _minute(14, 13)  # desulphurisation upset: SO2 ~ 230-250 measured
    v["so2"][a:b] = np.round(238 + 6 * np.sin(np.arange(b - a) / 9), 2)
    a, b = _minute(22, 20), _minute(22, 22)  # bag-filter leak: PM ~ 38 measured
    v["pm"][a:b] = np.round(38 + np.cos(np.arange(b - a) / 7), 2)
    a, b = _minute(30, 8), _minute(30, 14)  # boiler stopped 6 hours
    mark(f, a, b, "F")
    keep = np.ones(n, dtype=bool)
    keep[_minute(25, 0):_minute(26, 0)] = False  # a day of transmission loss: no rows
    t = START + np.arange(n).astype("timedelta64[m]")
    return t[keep], {k: x[keep] for k, x in v.items()}, {k: x[keep] for k, x in f.items()}


def gas_month() -> Tuple[np.ndarray, Dict[str, np.ndarray], Dict[str, np.ndarray]]:
    n = 31 * 1440
    v, f = base("gas", n, seed=201902), flags_all(n)
    for day in range(1, 32):  # daily calibration 03:00-03:05
        mark(f, _minute(day, 3), _minute(day, 3, 5), "C", ("so2", "nox", "o2"))
    mark(f, _minute(5, 10), _minute(5, 11), "M")
    mark(f, _minute(18, 6), _minute(20, 18), "D", ("nox",))  # NOx analyser fault, 60 h
    a, b = _minute(27, 19), _minute(27, 21, 30)  # burner tuning: NOx ~ 185-200 measured
    v["nox"][a:b] = np.round(192 + 5 * np.sin(np.arange(b - a) / 11), 2)
    keep = np.ones(n, dtype=bool)
    keep[_minute(10, 0):_minute(11, 0)] = False  # a day of transmission loss
    t = START + np.arange(n).astype("timedelta64[m]")
    return t[keep], {k: x[keep] for k, x in v.items()}, {k: x[keep] for k, x in f.items()}


def _text(t: np.ndarray) -> np.ndarray:
    return np.char.replace(np.datetime_as_string(t, unit="m"), "T", " ")


def write_csv(path: str, t: np.ndarray, v: Dict[str, np.ndarray], f: Dict[str, np.ndarray],
              channels=CHANNELS) -> None:
    cols: List[np.ndarray] = [_text(t)]
    header = ["time"]
    for c in channels:
        header += [c, c + "_flag"]
        cols += [np.char.mod("%.2f", v[c]), f[c]]
    body = np.char.add(cols[0], "")
    for col in cols[1:]:
        body = np.char.add(np.char.add(body, ","), col)
    text = ",".join(header) + "\n" + "\n".join(body.tolist()) + "\n"
    _write(path, text)


def write_hj212(path: str, t: np.ndarray, v: Dict[str, np.ndarray], f: Dict[str, np.ndarray],
                channels=("so2", "nox", "pm", "o2"), mn: str = "JZGAS0000002") -> None:
    stamps = np.char.replace(np.char.replace(np.char.replace(np.datetime_as_string(t, unit="s"), "-", ""), ":", ""), "T", "")
    lines: List[str] = []
    for i, ts in enumerate(stamps.tolist()):
        cp = ";".join(f"{HJ212[c]}-Avg={v[c][i]:.2f},{HJ212[c]}-Flag={f[c][i]}" for c in channels)
        seg = f"QN={ts}000;ST=31;CN=2051;PW=123456;MN={mn};Flag=4;CP=&&DataTime={ts};{cp}&&"
        lines.append(f"##{len(seg):04d}{seg}{hj212_crc(seg.encode('ascii')):04X}\r\n")
    _write(path, "".join(lines))


def _write(path: str, text: str) -> None:
    if path.endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            gz.write(text.encode("ascii"))  # mtime 0, no name: the same bytes on every run
    else:
        with open(path, "w", encoding="ascii", newline="") as fh:
            fh.write(text)


def main(folder: str = HERE) -> None:
    write_csv(os.path.join(folder, "coal-boiler-2019-01.csv.gz"), *coal_month())
    write_hj212(os.path.join(folder, "gas-boiler-2019-01.hj212.gz"), *gas_month())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HERE)
