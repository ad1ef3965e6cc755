"""The timeline as an iCalendar file (RFC 5545), for a compliance officer's
calendar: one all-day VEVENT per change ahead.

Written here, without a library: CRLF line ends, lines folded at 75 octets
(never inside a UTF-8 character), TEXT values escaped (backslash, ``;``,
``,``, line breaks), a UID stable per (facility, rule, entity, date) so that
importing a newer file updates the events instead of doubling them, DTSTAMP
in UTC (``SOURCE_DATE_EPOCH`` when set, for reproducible files).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Any, List, Mapping

from . import __version__

__all__ = ["calendar", "fold", "text"]


def text(value: str) -> str:
    """An RFC 5545 TEXT value (3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """``line`` folded into lines of at most 75 octets (3.1), CRLF-ended."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line + "\r\n"
    parts: List[str] = []
    limit = 75
    cur = ""
    size = 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            parts.append(cur)
            cur, size, limit = "", 0, 74  # continuation lines start with a space
        cur += ch
        size += n
    parts.append(cur)
    return "\r\n ".join(parts) + "\r\n"


def _stamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch and epoch.isdigit() \
        else dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ")


def _uid(facility: Any, e: Mapping[str, Any]) -> str:
    key = "|".join((str(facility), e["rule"], e["entity"]["type"], e["entity"]["id"], e["date"], e["kind"]))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@compliance"


_KIND = {
    "in_force": ("施行", "in force"), "effective": ("生效", "takes effect"), "deadline": ("期限", "deadline"),
    "ends": ("结束", "ends"), "change": ("变化", "changes"),
}


def calendar(data: Mapping[str, Any], lang: str = "en") -> str:
    """The timeline (:func:`compliance.timeline.timeline`) as an iCalendar document."""
    zh = lang == "zh"
    fac = data["facility"]
    stamp = _stamp()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//compliance//timeline {__version__}//{'ZH' if zh else 'EN'}",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:" + text(f"{fac.get('name') or fac.get('id')} " + ("合规日程" if zh else "compliance"))]
    for e in data["events"]:
        day = dt.date.fromisoformat(e["date"])
        entity = f"{e['entity']['type']}[{e['entity']['id']}]"
        title = e["title"].get(lang) or e["rule"]
        summary = f"[{_KIND[e['kind']][0 if zh else 1]}] {title} — {entity}"
        src = e["source"]
        desc = [e["message"].get(lang, ""),
                f"{'状态' if zh else 'status'}: {e['from']} → {e['to']} ({'自' if zh else 'from'} {e['changes_on']})",
                f"{'规则' if zh else 'rule'}: {e['rule']} ({e['ruleset']})",
                f"{'依据' if zh else 'source'}: {src.get('document', '')} {src.get('clause', '')}".rstrip()]
        if src.get("text"):
            desc.append(f"“{src['text']}”")
        lines += ["BEGIN:VEVENT", f"UID:{_uid(fac.get('id'), e)}", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
                  f"DTEND;VALUE=DATE:{(day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
                  "SUMMARY:" + text(summary), "DESCRIPTION:" + text("\n".join(desc)),
                  "CATEGORIES:" + text(e["kind"]), "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
