"""The CEMS stage of ``compliance check``: exports in, record facts out.

A stack may reference its CEMS export (``stacks[].cems: {export, format,
boiler}``, path relative to the record file). Before the record is
normalised, :func:`expand` reads each export and writes the facts the
rules judge into the record:

- the stack's ``data_transmission_rate``: the series' data transmission
  effective rate (its lowest pollutant's), rounded *down* to 0.0001 %, so
  that rounding never lifts a rate to a threshold;
- for the boiler named by ``boiler``: ``emissions.<pollutant>`` and
  ``emissions.o2`` such that the rule's own oxygen correction gives the
  worst valid corrected hour (``o2`` is the series' mean valid-hour
  oxygen, and ``<pollutant>`` the concentration that corrects from it to
  the worst hour's value under any reference oxygen: correction is the
  common factor 21 − reference). A pollutant with too few valid hours
  (``min_valid_hour_share``) gets no value: the rule finds it missing and
  the finding is ``indeterminate``, never ``compliant``.

The rule engine then decides as for any record (every engine alike). A
value both typed in the record and derived from an export is an input
error naming both: the tool never chooses between them silently.

After evaluation, :func:`annotate` adds to each finding of those facts its
``details`` (rates, hours, exceedance hours per day and month, worst hour,
invalid and flagged shares, against the rule's own limit and reference
oxygen) and, when a figures folder is set (``check --figures DIR``,
environment ``COMPLIANCE_FIGURES``), its ``figures``.
"""

from __future__ import annotations

import collections
import os
import re
import threading
from typing import Any, Dict, Iterator, List, Optional, Tuple

import attrs
import numpy as np

from ..errors import InputError, Problem
from .config import config
from .read import read_export
from .validity import Series, analyse

__all__ = ["expand", "annotate", "series_for", "references", "FIGURES_ENV", "rate_text"]

FIGURES_ENV = "COMPLIANCE_FIGURES"
_CACHE: "collections.OrderedDict[Tuple, Series]" = collections.OrderedDict()
_CACHE_SIZE = 8
_LOCK = threading.Lock()


def resolve(record_source: str, export: str) -> str:
    """An export's path: as written if absolute, else relative to the record's folder."""
    if os.path.isabs(export) or record_source.startswith("<"):
        return export
    return os.path.join(os.path.dirname(record_source), export)


def series_for(path: str, fmt: Optional[str]) -> Series:
    """The analysed export (cached by path, format, size and modification time).

    Raises OSError (unreadable) or InputError (bad content: every bad line).
    """
    st = os.stat(path)
    key = (os.path.realpath(path), fmt, st.st_size, st.st_mtime_ns)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    export = read_export(path, fmt)
    if export.problems:
        raise InputError(export.problems)
    if export.rows == 0:
        raise InputError(Problem(path, 1, 0, "", "no data rows"))
    series = analyse(export)
    with _LOCK:
        _CACHE[key] = series
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return series


def rate_text(series: Series) -> Optional[str]:
    """The stack's effective rate as record text, rounded down to 0.0001 %."""
    best: Optional[Tuple[int, int]] = None
    for p in series.pollutants.values():
        e, v = p.expected_hours, p.valid_hours
        if e and (best is None or v * best[1] < best[0] * e):
            best = (v, e)
    if best is None:
        return None
    units = best[0] * 1_000_000 // best[1]  # 0.0001 % units, rounded down
    return f"{units // 10_000}.{units % 10_000:04d} %"


def _mean_o2(series: Series) -> Optional[float]:
    valid = np.zeros(series.hours, dtype=bool)
    o2 = None
    for p in series.pollutants.values():
        valid |= p.valid
        o2 = p.o2
    if o2 is None or not valid.any():
        return None
    return round(float(np.mean(o2[valid])), 2)


def _find(items: Any, eid: Any) -> Optional[int]:
    if not isinstance(items, list):
        return None
    for j, item in enumerate(items):
        if isinstance(item, dict) and str(item.get("id")) == str(eid):
            return j
    return None


def expand(doc):
    """``doc`` with the facts derived from its CEMS exports (``doc`` itself if it references none).

    Raises InputError: an export is missing, unreadable or malformed, names
    an unknown boiler, or a derived value is also typed in the record.
    """
    from ..record import CemsExpanded

    data = doc.data
    if isinstance(data, CemsExpanded) or not isinstance(data, dict) or not isinstance(data.get("stacks"), list):
        return doc
    refs = [(i, s) for i, s in enumerate(data["stacks"]) if isinstance(s, dict) and isinstance(s.get("cems"), dict)]
    if not refs:
        return doc
    cfg = config()
    problems: List[Problem] = []
    stacks = list(data["stacks"])
    boilers = list(data["boilers"]) if isinstance(data.get("boilers"), list) else data.get("boilers")
    for i, s in refs:
        ref = s["cems"]
        sid = s.get("id", i)
        where = ("stacks", i, "cems")
        label = f"stacks[{sid}]"
        export = ref.get("export")
        fmt = ref.get("format")
        if export is None or not isinstance(export, str):
            continue  # nothing to read (a mapping of notes only); a non-text value is the record format's error
        if not export.strip():
            problems.append(doc.problem(where + ("export",), f"{label}.cems.export",
                                        "empty: the CEMS export's path, relative to this record"))
            continue
        if fmt not in (None, "csv", "hj212"):
            continue  # the record format reports the bad value
        path = resolve(doc.source, export)
        try:
            series = series_for(path, fmt)
        except OSError as exc:
            problems.append(doc.problem(where + ("export",), f"{label}.cems.export",
                                        f"cannot read the CEMS export {path}: {exc.strerror or exc}"))
            continue
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        stack = dict(s)
        rate = rate_text(series)
        if rate is not None:
            if "data_transmission_rate" in s:
                problems.append(doc.problem(("stacks", i, "data_transmission_rate"), f"{label}.data_transmission_rate",
                                            f"given here and derived from the CEMS export {export} ({rate}); "
                                            "give one of them"))
            stack["data_transmission_rate"] = rate
        stacks[i] = stack
        bid = ref.get("boiler")
        if bid is None:
            continue
        j = _find(boilers, bid)
        if j is None:
            problems.append(doc.problem(where + ("boiler",), f"{label}.cems.boiler", f"no boiler with id {bid!r} in this record"))
            continue
        boiler = dict(boilers[j])
        old = boiler.get("emissions")
        emissions = dict(old) if isinstance(old, dict) else {}
        o2 = _mean_o2(series)
        derived: Dict[str, str] = {}
        for name, p in series.pollutants.items():
            e = p.expected_hours
            if not e or p.valid_hours < cfg.min_valid_hour_share * e:
                continue  # too little valid data: no value, the rule says indeterminate
            _, ratio = p.worst_ratio()
            if o2 is not None:
                derived[cfg.channels[name].field] = f"{ratio * (21.0 - o2)!r} mg/m^3"
        if derived and o2 is not None:
            derived[cfg.channels[cfg.oxygen].field] = f"{o2!r} %"
        touched = [k for k in derived if k in emissions] + [
            cfg.channels[n].field for n in series.pollutants
            if cfg.channels[n].field in emissions and cfg.channels[n].field not in derived]
        for k in sorted(set(touched)):
            problems.append(doc.problem(("boilers", j, "emissions", k), f"boilers[{bid}].emissions.{k}",
                                        f"given here and measured by the CEMS export {export} of stacks[{sid}]; "
                                        "give one of them"))
        emissions.update(derived)
        if emissions or old is not None:
            boiler["emissions"] = emissions
        boilers[j] = boiler  # type: ignore[index]
    if problems:
        raise InputError(problems)
    new = CemsExpanded(data)  # expand is idempotent: the record loader and facts_of both call it
    new["stacks"] = stacks
    if boilers is not None:
        new["boilers"] = boilers
    return attrs.evolve(doc, data=new)


@attrs.frozen
class Reference:
    stack: str
    boiler: Optional[str]
    path: str
    fmt: Optional[str]


def references(facts) -> Dict[Tuple[str, str], Reference]:
    """(section, id) → the CEMS export that feeds it, from the normalised record."""
    out: Dict[Tuple[str, str], Reference] = {}
    for ent in facts.entities:
        if ent.section != "stacks":
            continue
        export = ent.values.get("cems.export")
        if not export:
            continue
        boiler = ent.values.get("cems.boiler")
        ref = Reference(ent.id, boiler, resolve(facts.source, export), ent.values.get("cems.format"))
        out[("stacks", ent.id)] = ref
        if boiler is not None:
            out[("boilers", str(boiler))] = ref
    return out


def _compares(cond) -> Iterator[Any]:
    from ..conditions import All, AnyOf, Compare, Not

    if isinstance(cond, Compare):
        yield cond
    elif isinstance(cond, (All, AnyOf)):
        for c in cond.children:
            yield from _compares(c)
    elif isinstance(cond, Not):
        yield from _compares(cond.child)


def _stack_details(series: Series) -> Dict[str, Any]:
    from .verdict import share

    per = {}
    for name, p in series.pollutants.items():
        e, t, v = p.expected_hours, p.transmitted_hours, p.valid_hours
        per[name] = {"expected_hours": e, "transmitted_hours": t, "valid_hours": v,
                     "transmission_rate": share(t, e), "validity_rate": share(v, t), "effective_rate": share(v, e)}
    return {"cems": {"export": series.export.path, "format": series.export.fmt,
                     "period": {"from": series.hour_time(0).isoformat(timespec="minutes"),
                                "to": series.hour_time(series.hours).isoformat(timespec="minutes")},
                     "rows": series.export.rows},
            "data_transmission_effective_rate": rate_text(series),
            "rule": "lowest pollutant's valid hours / expected hours (docs/cems.md)",
            "pollutants": per}


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def annotate(findings, facts):
    """``findings`` with ``details`` (and ``figures``) on those about a CEMS series."""
    refs = references(facts)
    if not refs:
        return findings
    from ..report import LazyFindings

    entries, build = findings._entries, findings._build
    return LazyFindings(entries, lambda entry: _annotate(entry, build(entry), refs, facts))


def _annotate(entry, finding, refs, facts):
    rule, entity, status = entry
    ref = refs.get((entity.section, str(entity.id)))
    if ref is None or status == "not_applicable":
        return finding
    try:
        series = series_for(ref.path, ref.fmt)
    except (OSError, InputError):  # pragma: no cover - read when the record was loaded
        return finding
    if entity.section == "stacks":
        if any(c.ref.name == "data_transmission_rate" for c in _compares(rule.require)):
            return attrs.evolve(finding, details=_stack_details(series))
        return finding
    cfg = config()
    by_field = {cfg.channels[n].field: n for n in series.pollutants}
    for comp in _compares(rule.require):
        r = comp.ref
        if r.scope != "entity" or r.oxygen_reference is None or not r.name.startswith("emissions."):
            continue
        name = by_field.get(r.name.split(".", 1)[1])
        if name is None or not isinstance(comp.limit.value, (int, float)):
            continue
        from .verdict import details, judge

        j = judge(series, name, float(comp.limit.value), comp.op, float(r.oxygen_reference))
        det = details(j)
        det["cems"]["stack"] = ref.stack
        det["derived"] = {
            "zh": "观测值为CEMS有效小时折算浓度的最大值；“实测”浓度和含氧量是由小时序列推导的等效值"
                  "（含氧量取有效小时均值），实际最大小时见 worst_hour",
            "en": "the observed value is the highest valid corrected hourly value of the CEMS series; the "
                  "'measured' concentration and O2 are the equivalent pair derived from the series (O2: the "
                  "mean of the valid hours), the real worst hour is worst_hour"}
        figures: Tuple[Dict[str, Any], ...] = ()
        folder = os.environ.get(FIGURES_ENV)
        if folder:
            from .plot import plot, title

            os.makedirs(folder, exist_ok=True)
            out = os.path.join(folder, _safe(f"{facts.facility.id}_{ref.stack}_{name}_{rule.id}") + ".svg")
            plot(j, out)
            figures = ({"path": out, "title": title(j, ref.stack)},)
        return attrs.evolve(finding, details=det, figures=figures)
    return finding
