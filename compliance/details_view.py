"""A finding's ``details`` as a reviewer reads it: labelled lines.

``details`` is any JSON mapping of extra figures (docs/report-format.md);
CEMS findings carry the period, hours, rates, exceedance hours and the
worst hour (docs/cems.md). :func:`detail_lines` turns such a mapping into
``(label, value)`` lines in the report's language, the table
(:mod:`compliance.table`), Markdown and HTML views show them, and
:func:`brief_lines` gives the one or two lines the table puts under a
finding's message.

The keys known here get their labels from :mod:`compliance.i18n`
(``details.*``); every other key is still shown, as ``key: value`` with the
value written compactly, so nothing a finding carries is hidden. Rates and
shares are percentages with two decimals, rates rounded down as the tool
rounds the data transmission rate (a rate never reads higher than it is).
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from .i18n import t

__all__ = ["detail_lines", "brief_lines", "compact"]

Line = Tuple[str, str]

_OPS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "=", "!=": "≠"}


def _num(value: Any) -> str:
    """A figure with six significant digits (as the findings' messages write them)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—" if value is None else str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def _pct(value: Any, down: bool = False) -> str:
    """A share 0..1 as a percentage with two decimals, from its decimal
    text (0.04065 is 4.07 %): rounded half up, or down when ``down``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—" if value is None else str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    x = (Decimal(repr(value)) * 100).quantize(Decimal("0.01"), rounding=ROUND_FLOOR if down else ROUND_HALF_UP)
    return f"{x} %"


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _sep(lang: str) -> str:
    return t("sep.list", lang)


def compact(value: Any, lang: str) -> str:
    """Any JSON value as one line: a {zh, en} text in ``lang``, a mapping as
    ``key value`` pairs, a list comma-separated, a number as written."""
    if isinstance(value, Mapping):
        if value and set(value) <= {"zh", "en"}:
            return str(value.get(lang) or value.get("en") or value.get("zh") or "")
        return _sep(lang).join(f"{k} {compact(v, lang)}" for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        return _sep(lang).join(compact(v, lang) for v in value) or "—"
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, float):
        return _num(value)
    if value is None:
        return "—"
    if isinstance(value, (str, int)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _counts(mapping: Mapping[str, Any], lang: str) -> str:
    return _sep(lang).join(f"{k}: {_num(v)}" for k, v in mapping.items()) or t("details.none", lang)


# ------------------------------------------------------------------ known keys

def _source(v: Any, d: Mapping[str, Any], lang: str) -> List[Line]:
    if not isinstance(v, Mapping):
        return [(t("details.source", lang), compact(v, lang))]
    out: List[Line] = []
    period = v.get("period")
    if isinstance(period, Mapping):
        out.append((t("details.period", lang), f"{period.get('from', '—')} – {period.get('to', '—')}"))
    what = [str(v["export"])] if v.get("export") is not None else []
    if v.get("format") is not None:
        what.append(f"({v['format']})")
    parts = [" ".join(what)] if what else []
    for key in ("stack", "pollutant", "rows"):
        if v.get(key) is not None:
            parts.append(t(f"details.source.{key}", lang, value=v[key]))
    rest = {k: x for k, x in v.items() if k not in ("period", "export", "format", "stack", "pollutant", "rows")}
    parts.extend(f"{k} {compact(x, lang)}" for k, x in rest.items())
    if parts:
        out.append((t("details.source", lang), _sep(lang).join(parts)))
    return out


def _hours(v: Any, d: Mapping[str, Any], lang: str) -> List[Line]:
    if not isinstance(v, Mapping):
        return [(t("details.hours", lang), compact(v, lang))]
    out: List[Line] = []
    if "valid" in v or "expected" in v:
        extra = []
        if v.get("transmitted") is not None:
            extra.append(t("details.hours.transmitted", lang, n=_num(v["transmitted"])))
        if v.get("period") is not None:
            extra.append(t("details.hours.period", lang, n=_num(v["period"])))
        text = f"{_num(v.get('valid'))} / {_num(v.get('expected'))} h"
        out.append((t("details.hours", lang), text + (_paren(_sep(lang).join(extra), lang) if extra else "")))
    if "invalid" in v or "invalid_share" in v:
        out.append((t("details.invalid", lang),
                    f"{_num(v.get('invalid'))} h" + _paren(_pct(v.get("invalid_share")), lang)))
    if v.get("min_valid_share_for_compliant") is not None:
        out.append((t("details.min_valid", lang), _pct(v["min_valid_share_for_compliant"])))
    known = {"valid", "expected", "transmitted", "period", "invalid", "invalid_share", "min_valid_share_for_compliant"}
    out.extend((f"hours.{k}", compact(x, lang)) for k, x in v.items() if k not in known)
    return out


def _rates(v: Any, d: Mapping[str, Any], lang: str) -> List[Line]:
    if not isinstance(v, Mapping):
        return [(t("details.rates", lang), compact(v, lang))]
    known = ("transmission", "validity", "effective")
    parts = [t(f"details.rate.{k}", lang) + " " + _pct(v[k], down=True) for k in known if k in v]
    parts += [f"{k} {compact(x, lang)}" for k, x in v.items() if k not in known]
    return [(t("details.rates", lang), _sep(lang).join(parts))]


def _minutes(v: Any, d: Mapping[str, Any], lang: str) -> List[Line]:
    if not isinstance(v, Mapping):
        return [(t("details.flagged", lang), compact(v, lang))]
    text = t("details.flagged.value", lang, n=_num(v.get("flagged")), total=_num(v.get("in_export")),
             share=_pct(v.get("flagged_share")))
    out = [(t("details.flagged", lang), text)]
    if isinstance(v.get("by_flag"), Mapping):
        out.append((t("details.by_flag", lang), _sep(lang).join(f"{k} {_num(n)}" for k, n in v["by_flag"].items())))
    known = {"flagged", "in_export", "flagged_share", "by_flag"}
    out.extend((f"minutes.{k}", compact(x, lang)) for k, x in v.items() if k not in known)
    return out


def _exceedances(v: Any, d: Mapping[str, Any], lang: str) -> List[Line]:
    if not isinstance(v, Mapping):
        return [(t("details.exceedance", lang), compact(v, lang))]
    out = [(t("details.exceedance", lang), _num(v.get("total")))]
    if isinstance(v.get("per_month"), Mapping):
        out.append((t("details.exceedance.month", lang), _counts(v["per_month"], lang)))
    if isinstance(v.get("per_day"), Mapping):
        out.append((t("details.exceedance.day", lang), _counts(v["per_day"], lang)))
    out.extend((f"exceedance_hours.{k}", compact(x, lang)) for k, x in v.items()
               if k not in ("total", "per_month", "per_day"))
    return out


def _limit_text(d: Mapping[str, Any], unit: str) -> Optional[str]:
    if d.get("limit") is None:
        return None
    op = _OPS.get(str(d.get("operator", "")), str(d.get("operator", "")))
    return f"{op} {_num(d['limit'])}{unit}".strip()


def _worst(v: Any, d: Mapping[str, Any], lang: str, unit: str = "") -> List[Line]:
    label = t("details.worst", lang)
    if v is None:
        return [(label, t("details.none", lang))]
    if not isinstance(v, Mapping):
        return [(label, compact(v, lang))]
    text = t("details.worst.value", lang, hour=v.get("hour", "—"), value=_num(v.get("corrected")) + unit)
    lim = _limit_text(d, unit)
    if lim is not None:
        text += _sep(lang) + t("details.worst.limit", lang, limit=lim)
    if d.get("reference_o2") is not None:
        text += _sep(lang) + t("details.worst.reference", lang, o2=_num(d["reference_o2"]))
    if v.get("measured") is not None:
        text += _sep(lang) + t("details.worst.measured", lang, value=_num(v["measured"]) + unit, o2=_num(v.get("o2")))
    rest = {k: x for k, x in v.items() if k not in ("hour", "corrected", "measured", "o2")}
    text += "".join(f"{_sep(lang)}{k} {compact(x, lang)}" for k, x in rest.items())
    return [(label, text)]


def _limit(v: Any, d: Mapping[str, Any], lang: str, unit: str = "") -> List[Line]:
    if isinstance(d.get("worst_hour"), Mapping):
        return []  # shown with the worst hour
    text = _limit_text(d, unit) or ""
    if d.get("reference_o2") is not None:
        text += _sep(lang) + t("details.worst.reference", lang, o2=_num(d["reference_o2"]))
    return [(t("details.limit", lang), text)]


def _days(v: Any, d: Mapping[str, Any], lang: str, unit: str = "") -> List[Line]:
    if not isinstance(v, Mapping):
        return [(t("details.days", lang), compact(v, lang))]
    text = t("details.days.value", lang, valid=_num(v.get("valid")), invalid=_num(v.get("invalid")))
    if "max_daily_mean" in v:
        text += _sep(lang) + t("details.days.max", lang, value=_num(v["max_daily_mean"]) + unit)
    rest = {k: x for k, x in v.items() if k not in ("valid", "invalid", "max_daily_mean")}
    text += "".join(f"{_sep(lang)}{k} {compact(x, lang)}" for k, x in rest.items())
    return [(t("details.days", lang), text)]


def _pollutants(v: Any, d: Mapping[str, Any], lang: str) -> List[Line]:
    if not isinstance(v, Mapping):
        return [(t("details.pollutants", lang), compact(v, lang))]
    out: List[Line] = []
    for name, p in v.items():
        if not isinstance(p, Mapping):
            out.append((str(name), compact(p, lang)))
            continue
        parts = [f"{_num(p.get('valid_hours'))} / {_num(p.get('expected_hours'))} h"]
        if p.get("transmitted_hours") is not None:
            parts[0] += _paren(t("details.hours.transmitted", lang, n=_num(p["transmitted_hours"])), lang)
        known = {"valid_hours", "expected_hours", "transmitted_hours"}
        for k in ("transmission", "validity", "effective"):
            if f"{k}_rate" in p:
                parts.append(t(f"details.rate.{k}", lang) + " " + _pct(p[f"{k}_rate"], down=True))
                known.add(f"{k}_rate")
        parts += [f"{k} {compact(x, lang)}" for k, x in p.items() if k not in known]
        out.append((t("details.pollutant", lang, name=name), _sep(lang).join(parts)))
    return out


def _labelled(key: str) -> Callable[[Any, Mapping[str, Any], str], List[Line]]:
    return lambda v, d, lang: [(t(key, lang), compact(v, lang))]


#: key of ``details`` -> its lines, in the order a reviewer reads them (unknown keys after, as given)
_KNOWN: Dict[str, Callable[..., List[Line]]] = {
    "cems": _source,
    "data_transmission_effective_rate": _labelled("details.effective_rate"),
    "rule": _labelled("details.rule"),
    "hours": _hours,
    "rates": _rates,
    "pollutants": _pollutants,
    "exceedance_hours": _exceedances,
    "worst_hour": _worst,
    "limit": _limit,
    "days": _days,
    "minutes": _minutes,
    "derived": _labelled("details.derived"),
}
_UNIT_AWARE = {_worst, _limit, _days}
#: keys read by another key's lines (limit and reference O2 with the worst hour)
_WITH = {"operator": "limit", "reference_o2": "limit"}


def detail_lines(details: Optional[Mapping[str, Any]], lang: str, unit: Optional[str] = None) -> List[Line]:
    """``details`` as ``(label, value)`` lines in ``lang``: known keys
    labelled and in reading order, any other key after them as
    ``key: value``. ``unit``: the unit of the finding's limit (the figures
    of ``details`` carry none), shown after concentrations."""
    if not details:
        return []
    suffix = f" {unit}" if unit else ""
    out: List[Line] = []
    for key, fn in _KNOWN.items():
        if key in details:
            out.extend(fn(details[key], details, lang, suffix) if fn in _UNIT_AWARE else fn(details[key], details, lang))
    for key, value in details.items():
        if key in _KNOWN:
            continue
        if key in _WITH and _WITH[key] in details:
            continue
        out.append((str(key), compact(value, lang)))
    return out


def brief_lines(details: Optional[Mapping[str, Any]], lang: str, unit: Optional[str] = None,
                days: int = 3) -> List[str]:
    """The short lines under a finding's message in the table: exceedance
    hours (the first ``days`` days named) and the worst hour, then the
    invalid-hour share; nothing for details without those figures (the
    full lines are in the other views and the JSON)."""
    if not details:
        return []
    suffix = f" {unit}" if unit else ""
    sep = _sep(lang)
    lines: List[str] = []
    first: List[str] = []
    ex = details.get("exceedance_hours")
    if isinstance(ex, Mapping) and "total" in ex:
        text = f"{t('details.exceedance', lang)} {_num(ex['total'])}"
        per_day = ex.get("per_day")
        if isinstance(per_day, Mapping) and per_day:
            shown = [f"{k}: {_num(v)}" for k, v in list(per_day.items())[:days]]
            if len(per_day) > days:
                shown.append(t("details.more_days", lang, n=len(per_day) - days))
            text += _paren(sep.join(shown), lang)
        first.append(text)
    w = details.get("worst_hour")
    if isinstance(w, Mapping):
        first.append(f"{t('details.worst', lang)} "
                     + t("details.worst.value", lang, hour=w.get("hour", "—"), value=_num(w.get("corrected")) + suffix))
    if first:
        lines.append(sep.join(first))
    h = details.get("hours")
    if isinstance(h, Mapping) and "invalid_share" in h:
        text = f"{t('details.invalid', lang)} {_num(h.get('invalid'))} h" + _paren(_pct(h["invalid_share"]), lang)
        m = details.get("minutes")
        if isinstance(m, Mapping) and "flagged_share" in m:
            text += sep + f"{t('details.flagged', lang)} {_pct(m['flagged_share'])}"
        lines.append(text)
    return lines
