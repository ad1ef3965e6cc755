"""HJ 75-2017 validity and averaging, vectorised over a period of whole months.

The period is the calendar months the export touches (an export is taken
to cover them: a minute it lacks was not transmitted). Per channel and
hour: minutes present, valid (flag class ``valid`` and a value), stopped
(class ``stopped``). Per pollutant and hour (docs/cems.md):

- stopped hour: at least ``stopped_hour_min_minutes`` stopped minutes; not
  expected, not judged;
- expected hour: every other hour of the period;
- transmitted hour: an expected hour with at least one minute of the
  pollutant in the export;
- valid hour: an expected hour with at least ``hour_min_valid_minutes``
  valid minutes of the pollutant and of the oxygen, whose mean oxygen is
  below 21 %; its value is the mean of the valid minutes (flagged minutes
  are excluded, never substituted);
- valid day: at least ``day_min_valid_hours`` valid hours.

Data transmission effective rate (数据传输有效率) = transmission rate
(transmitted / expected hours) × validity rate (valid / transmitted
hours) = valid / expected hours; the stack's rate is its lowest pollutant's.
"""

from __future__ import annotations

import datetime as dt
from typing import Dict, List, Optional, Tuple

import attrs
import numpy as np

from .config import config
from .read import Export

__all__ = ["Series", "Pollutant", "analyse", "period_of"]

_EPOCH = dt.datetime(1970, 1, 1)


def period_of(minutes: np.ndarray) -> Tuple[int, int]:
    """(first minute, minutes) of the calendar months spanned by ``minutes``."""
    first = minutes.min().astype("datetime64[m]").astype("datetime64[M]")
    last = minutes.max().astype("datetime64[m]").astype("datetime64[M]") + np.timedelta64(1, "M")
    start = int(first.astype("datetime64[m]").astype(np.int64))
    end = int(last.astype("datetime64[m]").astype(np.int64))
    return start, end - start


@attrs.frozen(eq=False)
class Pollutant:
    """One pollutant's hourly series over the period (arrays of length ``hours``)."""

    name: str
    raw: np.ndarray  # mean of valid minutes (NaN where none)
    o2: np.ndarray  # mean of valid oxygen minutes
    expected: np.ndarray  # bool
    transmitted: np.ndarray  # bool
    valid: np.ndarray  # bool
    flag_minutes: Dict[str, int]  # flag letter -> minutes of this pollutant in the export

    @property
    def expected_hours(self) -> int:
        return int(self.expected.sum())

    @property
    def valid_hours(self) -> int:
        return int(self.valid.sum())

    @property
    def transmitted_hours(self) -> int:
        return int(self.transmitted.sum())

    def rates(self) -> Dict[str, Optional[float]]:
        """Transmission, validity and effective rates as fractions (None: no hours)."""
        e, t, v = self.expected_hours, self.transmitted_hours, self.valid_hours
        return {"transmission": t / e if e else None, "validity": v / t if t else None,
                "effective": v / e if e else None}

    def worst_ratio(self) -> Tuple[Optional[int], float]:
        """(hour, raw / (21 - O2)) of the valid hour whose corrected value is
        highest under any reference oxygen: correction multiplies this
        ratio by the constant (21 - reference)."""
        if not self.valid.any():
            return None, float("nan")
        ratio = np.where(self.valid, self.raw / (21.0 - np.where(self.valid, self.o2, 0.0)), -np.inf)
        h = int(np.argmax(ratio))
        return h, float(ratio[h])


@attrs.frozen(eq=False)
class Series:
    """An export analysed: the period and each pollutant's hourly series."""

    export: Export
    start: int  # minute of the period's start (a month's first minute)
    hours: int
    pollutants: Dict[str, Pollutant]
    oxygen_valid_minutes: np.ndarray

    def hour_time(self, h: int) -> dt.datetime:
        return _EPOCH + dt.timedelta(minutes=self.start + 60 * h)

    @property
    def days(self) -> int:
        return self.hours // 24

    def day_dates(self) -> List[str]:
        d0 = self.hour_time(0).date()
        return [(d0 + dt.timedelta(days=i)).isoformat() for i in range(self.days)]

    def month_of_hour(self) -> Tuple[List[str], np.ndarray]:
        """Month labels (YYYY-MM) and, per hour, the index of its month."""
        t = (np.int64(self.start) + 60 * np.arange(self.hours, dtype=np.int64)).astype("datetime64[m]")
        months = t.astype("datetime64[M]")
        labels, idx = np.unique(months, return_inverse=True)
        return [str(x) for x in labels], idx

    def stack_rate(self) -> Optional[float]:
        """The stack's data transmission effective rate: its lowest pollutant's."""
        rates = [p.rates()["effective"] for p in self.pollutants.values()]
        known = [r for r in rates if r is not None]
        return min(known) if known else None


def _count(hour: np.ndarray, mask: np.ndarray, hours: int) -> np.ndarray:
    return np.bincount(hour[mask], minlength=hours)[:hours]


def analyse(export: Export) -> Series:
    """Hourly validity and averages of every pollutant the export carries."""
    cfg = config()
    if export.rows == 0:
        raise ValueError("no data")
    start, span = period_of(export.minutes)
    hours = span // 60
    hour = ((export.minutes - start) // 60).astype(np.intp)
    valid_codes = np.array(cfg.codes("valid"), dtype=np.int8)
    stopped_codes = np.array(cfg.codes("stopped"), dtype=np.int8)

    def valid_mask(ch: str) -> np.ndarray:
        return np.isin(export.flags[ch], valid_codes) & np.isfinite(export.values[ch])

    ox = cfg.oxygen
    o2_n: np.ndarray
    o2_sum: np.ndarray
    if ox in export.values:
        ok_o2 = valid_mask(ox)
        o2_n = _count(hour, ok_o2, hours)
        o2_sum = np.bincount(hour[ok_o2], weights=export.values[ox][ok_o2], minlength=hours)[:hours]
    else:
        o2_n = np.zeros(hours, dtype=np.int64)
        o2_sum = np.zeros(hours)
    with np.errstate(invalid="ignore", divide="ignore"):
        o2_mean = o2_sum / o2_n
    need = cfg.hour_min_valid_minutes
    out: Dict[str, Pollutant] = {}
    for name in cfg.pollutants:
        if name not in export.values:
            continue
        flags = export.flags[name]
        ok = valid_mask(name)
        n = _count(hour, ok, hours)
        s = np.bincount(hour[ok], weights=export.values[name][ok], minlength=hours)[:hours]
        present = _count(hour, flags >= 0, hours)
        stopped = _count(hour, np.isin(flags, stopped_codes), hours)
        expected = stopped < cfg.stopped_hour_min_minutes
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = s / n
        valid = expected & (n >= need) & (o2_n >= need) & (o2_mean < 21.0)
        counts = np.bincount(flags[flags >= 0].astype(np.intp), minlength=len(cfg.letters))
        out[name] = Pollutant(name, raw, o2_mean, expected, expected & (present > 0), valid,
                              {cfg.letters[i]: int(c) for i, c in enumerate(counts) if c})
    return Series(export, start, hours, out, o2_n)
