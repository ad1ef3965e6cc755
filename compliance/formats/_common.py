"""What every report view shares: bilingual labels, where a record's file
is, how a quantity, a limit and a citation read, and a spool that keeps a
batch's rendered parts on disk rather than in memory."""

from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, Iterator, Mapping, Optional

from ..i18n import ALERT_NAMES, DOC_WORDS, SEVERITY_NAMES, STATUS_NAMES
from ..status import STATUS_ORDER

#: Status names: the Chinese from the one catalogue (compliance.i18n), the
#: English capitalised for documents; a status added elsewhere and not named
#: there shows as its own word.
STATUS_TEXT: Dict[str, Dict[str, str]] = {
    status: {"zh": names["zh"], "en": names["en"].replace("_", " ").capitalize()}
    for status, names in STATUS_NAMES.items()
}

def text(key: str, lang: str) -> str:
    """A word of the document views (``compliance.i18n.DOC_WORDS``)."""
    return DOC_WORDS[key][lang]


def status_label(status: str, lang: str) -> str:
    return STATUS_TEXT.get(status, {}).get(lang, status)


def severity_label(severity: str, lang: str) -> str:
    return SEVERITY_NAMES.get(severity, {}).get(lang, severity)


def alert_label(alert: str, lang: str) -> str:
    return ALERT_NAMES.get(alert, {}).get(lang, alert)


def statuses_in(counts: Mapping[str, Any]) -> Iterator[str]:
    """The statuses in output order (:data:`STATUS_ORDER`), then any other
    a record carries, so that none is dropped."""
    yield from STATUS_ORDER
    yield from (s for s in counts if s not in STATUS_ORDER)


def counts(record: Mapping[str, Any]) -> Dict[str, int]:
    """Findings per status of a record dict, over every status (the
    report's ``summary`` counts only the five of report/1)."""
    out = {s: 0 for s in STATUS_ORDER}
    for f in record.get("findings", ()):
        out[f["status"]] = out.get(f["status"], 0) + 1
    return out


def localised(value: Any, lang: str) -> str:
    """A {zh, en} text in ``lang`` (the other language if it lacks it)."""
    if isinstance(value, Mapping):
        other = "en" if lang == "zh" else "zh"
        return str(value.get(lang) or value.get(other) or "")
    return "" if value is None else str(value)


def artifact(source: str) -> Optional[str]:
    """The file a record came from: ``source`` itself, or the file of a
    JSON Lines ``file:line`` source; None for standard input."""
    if source.startswith("<"):
        return None
    if os.path.exists(source):
        return source
    head, sep, tail = source.rpartition(":")
    if sep and tail.isdigit() and head:
        return head
    return source


def number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def quantity(q: Optional[Mapping[str, Any]]) -> str:
    """``{"value": 240, "unit": "mg/m³"}`` as ``240 mg/m³``; a list or a
    text value as written."""
    if q is None:
        return ""
    if not isinstance(q, Mapping):
        return str(q)
    value = q.get("value")
    shown = ", ".join(number(v) for v in value) if isinstance(value, list) else number(value)
    unit = q.get("unit")
    return f"{shown} {unit}" if unit not in (None, "") else shown


def limit(lim: Optional[Mapping[str, Any]]) -> str:
    """``{"op": "<=", "value": 200, "unit": "mg/m³"}`` as ``≤ 200 mg/m³``."""
    if lim is None:
        return ""
    op = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "="}.get(str(lim.get("op", "")), str(lim.get("op", "")))
    return f"{op} {quantity(lim)}".strip()


def document(source: Mapping[str, Any], lang: str) -> str:
    """The cited document: its short title (or title) when the report
    carries one, else its file name."""
    for key in ("short_title", "title"):
        if source.get(key):
            return localised(source[key], lang)
    return str(source.get("document", ""))


def citation(source: Mapping[str, Any], lang: str) -> str:
    """``document clause`` of a finding's source."""
    return f"{document(source, lang)} {source.get('clause', '')}".strip()


def problem_where(p: Mapping[str, Any]) -> str:
    """``file:line:column`` (or ``file:sheet!C12``) of a problem dict."""
    if p.get("cell"):
        return f"{p['file']}:{p['cell']}"
    if p.get("line"):
        return f"{p['file']}:{p['line']}:{p.get('column', 0)}"
    return str(p.get("file", ""))


class Spool:
    """Text parts written to a temporary file as they come and read back in
    order at the end: a batch's rendered records never sit in memory."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        self.count = 0

    def add(self, part: str) -> None:
        self.file.write(f"{len(part)}\n")
        self.file.write(part)
        self.count += 1

    def parts(self) -> Iterator[str]:
        self.file.flush()
        self.file.seek(0)
        while True:
            head = self.file.readline()
            if not head:
                break
            yield self.file.read(int(head))

    def close(self) -> None:
        self.file.close()
