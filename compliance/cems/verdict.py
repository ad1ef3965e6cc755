"""A pollutant's corrected hourly series against a rule's limit.

The limit, its operator and the reference oxygen are the rule's (the
ruleset's parameters, e.g. GB 13271-2014 Table 3 and 5.2); nothing here
knows a number of its own. Correction is GB 13271-2014 5.2's formula
(``compliance.operators.correct_oxygen``), applied to each valid hourly
value and rounded the same way, so that a value exactly at the limit is at
the limit here and in the rule engine.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import attrs
import numpy as np

from ..operators import OPERATORS
from ..units import SIGNIFICANT
from .config import config
from .validity import Pollutant, Series

__all__ = ["Judged", "judge", "round_sig_array", "share"]


def round_sig_array(x: np.ndarray, digits: int = SIGNIFICANT) -> np.ndarray:
    """``compliance.units.round_sig`` over an array (NaN and 0 kept)."""
    out = np.array(x, dtype=np.float64)
    ok = np.isfinite(out) & (out != 0)
    if ok.any():
        v = out[ok]
        exp = np.floor(np.log10(np.abs(v))).astype(np.int64)
        scale = 10.0 ** (digits - 1 - exp)
        out[ok] = np.round(v * scale) / scale
    return out


def share(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 6) if whole else None


@attrs.frozen(eq=False)
class Judged:
    pollutant: Pollutant
    series: Series
    corrected: np.ndarray  # NaN where the hour is not valid
    exceed: np.ndarray  # bool per hour
    limit: float
    op: str
    reference: float


def judge(series: Series, name: str, limit: float, op: str, reference: float) -> Judged:
    """Correct ``name``'s valid hours to ``reference`` % O2; an exceedance is a
    valid hour for which ``corrected op limit`` does not hold."""
    p = series.pollutants[name]
    with np.errstate(invalid="ignore", divide="ignore"):
        corrected = round_sig_array(np.where(p.valid, p.raw * (21.0 - reference) / (21.0 - p.o2), np.nan))
    holds = OPERATORS[op].fn(np.where(p.valid, corrected, limit), limit)
    exceed = p.valid & ~np.asarray(holds, dtype=bool)
    return Judged(p, series, corrected, exceed, limit, op, reference)


def details(j: Judged) -> Dict[str, Any]:
    """The figures a reviewer needs, as a JSON mapping (a finding's ``details``)."""
    cfg = config()
    s, p = j.series, j.pollutant
    days = s.days
    per_day = j.exceed[: days * 24].reshape(days, 24).sum(axis=1)
    valid_day_hours = p.valid[: days * 24].reshape(days, 24).sum(axis=1)
    with np.errstate(invalid="ignore"):
        day_sum = np.nansum(np.where(p.valid, j.corrected, 0.0)[: days * 24].reshape(days, 24), axis=1)
    valid_day = valid_day_hours >= cfg.day_min_valid_hours
    dates = s.day_dates()
    labels, month_idx = s.month_of_hour()
    per_month = np.bincount(month_idx[j.exceed], minlength=len(labels))
    worst_h = int(np.nanargmax(np.where(p.valid, j.corrected, -np.inf))) if p.valid.any() else None
    rates = p.rates()
    e = p.expected_hours
    flagged = sum(c for letter, c in p.flag_minutes.items() if cfg.flag_class[letter] != "valid")
    total = sum(p.flag_minutes.values())
    out: Dict[str, Any] = {
        "cems": {"export": s.export.path, "format": s.export.fmt, "pollutant": p.name,
                 "period": {"from": s.hour_time(0).isoformat(timespec="minutes"),
                            "to": s.hour_time(s.hours).isoformat(timespec="minutes")}},
        "limit": j.limit, "operator": j.op, "reference_o2": j.reference,
        "hours": {"period": s.hours, "expected": e, "transmitted": p.transmitted_hours, "valid": p.valid_hours,
                  "invalid": e - p.valid_hours, "invalid_share": share(e - p.valid_hours, e),
                  "min_valid_share_for_compliant": cfg.min_valid_hour_share},
        "rates": rates,
        "minutes": {"in_export": total, "flagged": flagged, "flagged_share": share(flagged, total),
                    "by_flag": dict(sorted(p.flag_minutes.items()))},
        "exceedance_hours": {"total": int(j.exceed.sum()),
                             "per_month": {labels[i]: int(n) for i, n in enumerate(per_month)},
                             "per_day": {dates[i]: int(n) for i, n in enumerate(per_day) if n}},
        "worst_hour": None if worst_h is None else {
            "hour": s.hour_time(worst_h).isoformat(timespec="minutes"),
            "corrected": float(j.corrected[worst_h]), "measured": round(float(p.raw[worst_h]), 6),
            "o2": round(float(p.o2[worst_h]), 6)},
        "days": {"valid": int(valid_day.sum()), "invalid": int(days - valid_day.sum()),
                 "max_daily_mean": (round(float(np.max(day_sum[valid_day] / valid_day_hours[valid_day])), 6)
                                    if valid_day.any() else None)},
    }
    return out
