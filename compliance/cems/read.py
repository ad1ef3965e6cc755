"""Read a CEMS export: CSV (one row per minute) or HJ 212-2017 data messages.

Both give an :class:`Export`: minute timestamps and, per channel, the value
(NaN where none was sent) and the flag letter's index in the data file's
flag table. A bad line is reported (file, line, field) and left out; the
other lines are still read (:attr:`Export.problems`). The caller decides
whether problems are fatal (``compliance check``: yes, exit 2).
"""

from __future__ import annotations

import csv
import os
import re
from typing import Dict, List, Optional, Tuple

import attrs
import numpy as np

from ..errors import Problem
from .config import config

__all__ = ["Export", "read_export", "read_csv", "read_hj212", "hj212_crc", "detect_format", "MAX_PROBLEMS"]

#: problems reported per file; the rest are counted in one last problem
MAX_PROBLEMS = 20
NO_FLAG = -1


@attrs.frozen(eq=False)
class Export:
    """Minute data of one stack as read from one file."""

    path: str
    fmt: str  # csv | hj212
    minutes: np.ndarray  # int64: minutes since 1970-01-01T00:00 (local time, as written)
    values: Dict[str, np.ndarray]  # channel -> float64, NaN where no value
    flags: Dict[str, np.ndarray]  # channel -> int8 index into config().letters
    problems: Tuple[Problem, ...] = ()
    skipped: Dict[str, int] = attrs.field(factory=dict)  # HJ 212 commands not read: CN -> lines

    @property
    def rows(self) -> int:
        return int(self.minutes.size)


def detect_format(path: str) -> str:
    """``csv`` for a name ending in .csv (or .csv.gz), else ``hj212``."""
    name = path.lower()
    return "csv" if name.endswith(".csv") or name.endswith(".csv.gz") else "hj212"


def read_export(path: str, fmt: Optional[str] = None) -> Export:
    """Read ``path`` (format from ``fmt``, else ``.csv`` → CSV, anything else HJ 212).

    Raises OSError when the file cannot be opened; content problems are in
    the result's ``problems``.
    """
    fmt = fmt or detect_format(path)
    return read_csv(path) if fmt == "csv" else read_hj212(path)


class _Problems:
    def __init__(self, path: str):
        self.path = path
        self.items: List[Problem] = []
        self.more = 0

    def add(self, line: int, field: str, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(self.path, line, 0, field, message))
        else:
            self.more += 1

    def done(self) -> Tuple[Problem, ...]:
        if self.more:
            return tuple(self.items) + (Problem(self.path, 0, 0, "", f"and {self.more} more problems like these"),)
        return tuple(self.items)


def _flag_codes(letters: np.ndarray) -> np.ndarray:
    """Flag letters → indexes in the flag table; -2 for an unknown letter, -1 for none."""
    table = config().letters
    out = np.full(letters.shape, -2, dtype=np.int8)
    out[letters == ""] = NO_FLAG
    for i, letter in enumerate(table):
        out[letters == letter] = i
    return out


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")


def _minutes(text: np.ndarray) -> np.ndarray:
    """'YYYY-MM-DD HH:MM[:SS]' → minutes since the epoch; -1 where unreadable."""
    out = np.full(text.shape, -1, dtype=np.int64)
    iso = np.char.replace(text.astype("U19"), " ", "T")
    try:
        out[:] = iso.astype("datetime64[m]").astype(np.int64)
        ok = np.char.str_len(text.astype(str)) >= 16
        out[~ok] = -1
        return out
    except ValueError:
        pass
    for i, t in enumerate(text):  # slow path: find the bad ones
        if _TIME.match(t):
            try:
                out[i] = np.datetime64(t.replace(" ", "T")[:16], "m").astype(np.int64)
            except ValueError:
                pass
    return out


def _numbers(text: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Text → float64 (NaN for empty) and a mask of cells that are not numbers."""
    t = np.char.strip(text.astype(str))
    empty = t == ""
    t = np.where(empty, "nan", t)
    try:
        vals = t.astype(np.float64)
        bad = ~empty & ~np.isfinite(vals)
        return vals, bad
    except ValueError:
        vals = np.full(t.shape, np.nan)
        bad = np.zeros(t.shape, dtype=bool)
        for i, s in enumerate(t):
            try:
                vals[i] = float(s)
                bad[i] = not np.isfinite(vals[i]) and s != "nan"
            except ValueError:
                bad[i] = True
        bad &= ~empty
        return vals, bad


def read_csv(path: str) -> Export:
    """A CSV export: header ``time`` plus, per channel, ``<ch>`` and ``<ch>_flag``.

    Columns are the data file's ``csv`` names (so2, nox, pm, o2, flow,
    temp, moisture); a channel may be absent, but a value column needs its
    flag column. ``time`` is ``YYYY-MM-DD HH:MM`` (seconds allowed, and a
    ``T``), the start of the minute. A line is 1-based in the file.

    With pyarrow installed a clean file is parsed by its CSV reader (ten
    times faster); a file with any problem is read again line by line, so
    that every problem names its line.
    """
    with _open_text(path, newline="", encoding="utf-8-sig") as fh:
        first = next(csv.reader(fh), None)
    if first is None:
        return Export(path, "csv", np.zeros(0, np.int64), {}, {}, (Problem(path, 1, 0, "", "empty file: no header"),))
    header = [h.strip() for h in first]
    fatal = _header_problems(path, header)
    if fatal:
        return Export(path, "csv", np.zeros(0, np.int64), {}, {}, tuple(fatal))
    fast = _arrow_columns(path, header)
    if fast is not None:
        result = _from_columns(path, header, fast, np.arange(len(fast["time"])) + 2, _Problems(path))
        if not result.problems:
            return result
    probs = _Problems(path)
    with _open_text(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    body = rows[1:]
    width = len(header)
    short = [i for i, r in enumerate(body) if len(r) != width]
    keep = np.ones(len(body), dtype=bool)
    for i in short:
        if not (len(body[i]) == 0 or (len(body[i]) == 1 and not body[i][0].strip())):
            probs.add(i + 2, "", f"{len(body[i])} cells, the header has {width}")
        keep[i] = False
    if short:
        body = [r for i, r in enumerate(body) if keep[i]]
        lines = np.flatnonzero(keep) + 2
    else:
        lines = np.arange(len(body)) + 2
    cols = list(zip(*body)) if body else [() for _ in header]
    col = {h: np.array(cols[i], dtype=str) if body else np.zeros(0, dtype=str) for i, h in enumerate(header)}
    return _from_columns(path, header, col, lines, probs)


def _header_problems(path: str, header: List[str]) -> List[Problem]:
    by_csv = {c.csv for c in config().channels.values()}
    fatal: List[Problem] = []
    if "time" not in header:
        fatal.append(Problem(path, 1, 0, "time", "no 'time' column in the header"))
    known = {"time"} | by_csv | {k + "_flag" for k in by_csv}
    for h in header:
        if h not in known:
            fatal.append(Problem(path, 1, 0, h, f"unknown column {h!r}; expected time, "
                                 + ", ".join(f"{k}, {k}_flag" for k in sorted(by_csv))))
    if len(set(header)) != len(header):
        fatal.append(Problem(path, 1, 0, "", "a column is named twice in the header"))
    for c in (c for c in by_csv if c in header):
        if c + "_flag" not in header:
            fatal.append(Problem(path, 1, 0, c + "_flag", f"column {c!r} has no flag column {c + '_flag'!r}"))
    return fatal


def _arrow_columns(path: str, header: List[str]) -> Optional[Dict[str, np.ndarray]]:
    """The columns by pyarrow's CSV reader, or None (not installed, or the file does not parse cleanly)."""
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.csv as pcsv  # type: ignore[import-untyped]
    except ImportError:
        return None
    types = {h: pa.float64() if not (h == "time" or h.endswith("_flag")) else pa.string() for h in header}
    try:
        table = pcsv.read_csv(path, read_options=pcsv.ReadOptions(use_threads=False),
                              convert_options=pcsv.ConvertOptions(column_types=types, strings_can_be_null=False))
    except (pa.ArrowException, OSError, UnicodeDecodeError):
        return None
    if table.column_names != header:
        return None
    out = {h: table.column(h).to_numpy(zero_copy_only=False) for h in header}
    for h, t in types.items():
        if t == pa.float64():  # a written nan or inf is a problem the line-by-line path names
            given = ~np.asarray(table.column(h).is_null().to_numpy(zero_copy_only=False), dtype=bool)
            if (given & ~np.isfinite(out[h])).any():
                return None
    return out


def _from_columns(path: str, header: List[str], col: Dict[str, np.ndarray], lines: np.ndarray,
                  probs: _Problems) -> Export:
    cfg = config()
    by_csv = {c.csv: name for name, c in cfg.channels.items()}
    chans = [c for c in by_csv if c in header]
    n = len(col["time"])
    good = np.ones(n, dtype=bool)
    minutes = _minutes(col["time"].astype(str)) if n else np.zeros(0, np.int64)
    for k in np.flatnonzero(minutes < 0).tolist():
        probs.add(int(lines[k]), "time", f"bad time {col['time'][k]!r}; expected YYYY-MM-DD HH:MM")
    good &= minutes >= 0
    values: Dict[str, np.ndarray] = {}
    flags: Dict[str, np.ndarray] = {}
    for c in chans:
        name = by_csv[c]
        if col[c].dtype.kind == "f":  # parsed by pyarrow: empty cells are NaN
            vals, bad = col[c].astype(np.float64), np.zeros(n, dtype=bool)
        else:
            vals, bad = _numbers(col[c])
        for k in np.flatnonzero(bad).tolist():
            probs.add(int(lines[k]), c, f"not a number: {col[c][k]!r}")
        fl = np.char.strip(col[c + "_flag"].astype(str))
        codes = _flag_codes(fl)
        for k in np.flatnonzero(codes == -2).tolist():
            probs.add(int(lines[k]), c + "_flag", f"unknown flag {fl[k]!r}; "
                      f"expected one of {', '.join(cfg.letters)} (HJ 212-2017)")
        for k in np.flatnonzero(codes == NO_FLAG).tolist():
            probs.add(int(lines[k]), c + "_flag", "no flag: every value needs its data flag")
        good &= ~bad & (codes >= 0)
        values[name], flags[name] = vals, codes
    minutes, values, flags = _dedupe(minutes, values, flags, good, lines, probs, "time")
    return Export(path, "csv", minutes, values, flags, probs.done())


def _dedupe(minutes, values, flags, good, lines, probs: _Problems, field: str):
    """Keep the good rows, sorted by time; a minute given twice is a problem (both left out)."""
    idx = np.flatnonzero(good)
    order = idx[np.argsort(minutes[idx], kind="stable")]
    m = minutes[order]
    dup = np.zeros(m.size, dtype=bool)
    if m.size > 1:
        same = m[1:] == m[:-1]
        dup[1:] |= same
        dup[:-1] |= same
    for j in np.flatnonzero(dup):
        probs.add(int(lines[order[j]]), field, "this minute is given more than once")
    order = order[~dup]
    return (minutes[order], {k: v[order] for k, v in values.items()}, {k: f[order] for k, f in flags.items()})


def _crc_step(x: int) -> int:
    for _ in range(8):
        x = (x >> 1) ^ 0xA001 if x & 1 else x >> 1
    return x


_CRC_TABLE = tuple(_crc_step(x) for x in range(256))


def hj212_crc(data: bytes) -> int:
    """The CRC of HJ 212-2017 appendix A over the data segment (ASCII bytes):
    start 0xFFFF; per byte, crc = (crc >> 8) XOR byte, then eight shifts
    right, XOR 0xA001 when the bit shifted out is 1. The value after the
    XOR is below 256, so the eight shifts are one table look-up."""
    crc = 0xFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc >> 8) ^ byte]
    return crc


def _open_text(path: str, **kw):
    """A text file, gzip-compressed when its name ends in .gz."""
    if path.lower().endswith(".gz"):
        import gzip

        return gzip.open(path, "rt", **kw)
    return open(path, **kw)


_PACKET = re.compile(r"^##(\d{4})(.*)([0-9A-Fa-f]{4})$")


def read_hj212(path: str) -> Export:
    """HJ 212-2017 messages, one per line: ``##`` + 4-digit length + data
    segment + 4 hex digits of CRC. Minute (CN=2051, ``-Avg``) and real-time
    (CN=2011, ``-Rtd``) data are read; other commands are counted in
    :attr:`Export.skipped`, not read."""
    cfg = config()
    probs = _Problems(path)
    by_code = {c.hj212: name for name, c in cfg.channels.items()}
    letters = {letter: i for i, letter in enumerate(cfg.letters)}
    times: List[int] = []
    lines: List[int] = []
    cols: Dict[str, List[float]] = {n: [] for n in cfg.channels}
    fl: Dict[str, List[int]] = {n: [] for n in cfg.channels}
    skipped: Dict[str, int] = {}
    with _open_text(path, encoding="ascii", errors="replace", newline="") as fh:
        for no, raw in enumerate(fh, 1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            m = _PACKET.match(line)
            if not m:
                probs.add(no, "", "not an HJ 212 message (## + 4-digit length + data + 4-digit CRC)")
                continue
            length, seg, crc = int(m.group(1)), m.group(2), m.group(3)
            if len(seg) != length:
                probs.add(no, "length", f"data segment is {len(seg)} characters, the header says {length}")
                continue
            if hj212_crc(seg.encode("ascii", "replace")) != int(crc, 16):
                probs.add(no, "CRC", f"CRC {crc} does not match the data segment "
                          f"({hj212_crc(seg.encode('ascii', 'replace')):04X})")
                continue
            head, sep, rest = seg.partition("CP=&&")
            if not sep or not rest.endswith("&&"):
                probs.add(no, "CP", "no CP=&&…&& command parameters")
                continue
            fields = dict(p.split("=", 1) for p in head.split(";") if "=" in p)
            cn = fields.get("CN", "")
            kind = cfg.hj212_commands.get(cn)
            if kind is None:
                skipped[cn] = skipped.get(cn, 0) + 1
                continue
            cp = rest[:-2]
            row: Dict[str, str] = {}
            for group in cp.split(";"):
                for item in group.split(","):
                    if "=" in item:
                        k, v = item.split("=", 1)
                        row[k.strip()] = v.strip()
            dt_text = row.get("DataTime", "")
            try:
                if not re.fullmatch(r"\d{14}", dt_text):
                    raise ValueError
                t = np.datetime64(f"{dt_text[:4]}-{dt_text[4:6]}-{dt_text[6:8]}T{dt_text[8:10]}:{dt_text[10:12]}", "m")
            except ValueError:
                probs.add(no, "DataTime", f"bad DataTime {dt_text!r}; expected YYYYMMDDhhmmss")
                continue
            vals: Dict[str, float] = {}
            codes: Dict[str, int] = {}
            bad = False
            for code, name in by_code.items():
                v = row.get(f"{code}-{kind}")
                f = row.get(f"{code}-Flag")
                if v is None and f is None:
                    continue
                try:
                    vals[name] = float(v) if v not in (None, "") else float("nan")
                except ValueError:
                    probs.add(no, f"{code}-{kind}", f"not a number: {v!r}")
                    bad = True
                    continue
                if f is None or f not in letters:
                    probs.add(no, f"{code}-Flag", f"{'no flag' if f is None else 'unknown flag ' + repr(f)}; "
                              f"expected one of {', '.join(cfg.letters)} (HJ 212-2017)")
                    bad = True
                    continue
                codes[name] = letters[f]
            if bad:
                continue
            times.append(int(t.astype(np.int64)))
            lines.append(no)
            for name in cfg.channels:
                cols[name].append(vals.get(name, np.nan))
                fl[name].append(codes.get(name, NO_FLAG))
    present = [n for n in cfg.channels if any(c != NO_FLAG for c in fl[n])]
    minutes = np.array(times, dtype=np.int64)
    values = {n: np.array(cols[n], dtype=np.float64) for n in present}
    flags = {n: np.array(fl[n], dtype=np.int8) for n in present}
    good = np.ones(minutes.size, dtype=bool)
    minutes, values, flags = _dedupe(minutes, values, flags, good, np.array(lines), probs, "DataTime")
    return Export(os.fspath(path), "hj212", minutes, values, flags, probs.done(), skipped)
