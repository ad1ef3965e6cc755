"""The corrected hourly series against its limit (matplotlib, optional: the ``plot`` extra)."""

from __future__ import annotations

import datetime as dt
from typing import Dict

import numpy as np

from .verdict import Judged

__all__ = ["plot", "title", "available"]


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def title(j: Judged, stack: str) -> Dict[str, str]:
    c = j.pollutant.name
    from .config import config

    ch = config().channels[c]
    return {"zh": f"排气筒 {stack} {ch.zh} 折算小时均值（基准氧 {j.reference:g}%）与限值 {j.limit:g} mg/m³",
            "en": f"Stack {stack} {ch.en}: hourly averages corrected to {j.reference:g} % O2 against the limit {j.limit:g} mg/m³"}


def _runs(mask: np.ndarray):
    """(start, end) index pairs of the True runs of ``mask``."""
    d = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1))


def plot(j: Judged, path: str) -> None:
    """Write the figure to ``path`` (.svg or .png): corrected valid hours, the
    limit, exceedances (red), invalid hours (grey band) and stopped hours (hatched)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s, p = j.series, j.pollutant
    t0 = s.hour_time(0)
    times = np.array([t0 + dt.timedelta(hours=h) for h in range(s.hours + 1)], dtype="datetime64[m]")
    fig, ax = plt.subplots(figsize=(11, 3.6), dpi=100)
    try:
        for a, b in _runs(p.expected & ~p.valid):
            ax.axvspan(times[a], times[b], color="0.85", lw=0, zorder=0)
        for a, b in _runs(~p.expected):
            ax.axvspan(times[a], times[b], facecolor="none", edgecolor="0.6", hatch="//", lw=0, zorder=0)
        ax.plot(times[:-1], j.corrected, lw=0.8, color="tab:blue", label="corrected hourly average")
        ax.axhline(j.limit, color="tab:red", ls="--", lw=1, label=f"limit {j.limit:g} mg/m³")
        if j.exceed.any():
            ax.scatter(times[:-1][j.exceed], j.corrected[j.exceed], s=14, color="tab:red", zorder=3,
                       label=f"exceedance ({int(j.exceed.sum())} h)")
        ax.plot([], [], color="0.85", lw=6, label="invalid or missing hours")
        ax.set_ylabel(f"{p.name} mg/m³ at {j.reference:g} % O2")
        ax.set_xlim(times[0], times[-1])
        top = np.nanmax(j.corrected) if p.valid.any() else j.limit
        ax.set_ylim(0, 1.35 * max(top, j.limit))  # room for the legend above the series
        ax.legend(loc="upper right", fontsize=8, ncol=2)
        ax.set_title(f"{s.export.path.rsplit('/', 1)[-1]}: {p.name} ({p.valid_hours}/{p.expected_hours} valid hours)",
                     fontsize=9)
        fig.autofmt_xdate()
        fig.tight_layout()
        fig.savefig(path, metadata={"Date": None} if path.lower().endswith(".svg") else None)
    finally:
        plt.close(fig)
