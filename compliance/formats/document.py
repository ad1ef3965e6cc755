"""The document views, ``--format markdown`` and ``--format html``: a
summary of every record and input first, then one section per record.

Each record's section is rendered from its ``report/1`` data where the
record was checked (a worker process with ``--jobs``) and spooled to a
temporary file; the writer keeps one summary line per record (source,
facility, counts per status) for the summary table and the contents, and
writes the document at the end. Inputs that could not be checked have
their own section (every problem, with file, line and field) and a line in
the summary.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .. import __version__
from ..details_view import detail_lines
from ..errors import Problem
from ..status import STATUS_ORDER
from ._common import Spool, counts, statuses_in
from ._templates import template

#: Optional keys of a finding shown with it (docs/report-format.md).
EXTRA_KEYS = ("missing", "exemption", "reason", "waiver", "details")
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".gif": "image/gif", ".webp": "image/webp"}
_EXT = {"html": "html", "markdown": "md"}


def groups(findings: Sequence[Mapping[str, Any]]) -> List[Tuple[str, List[Mapping[str, Any]]]]:
    """Findings by status, in :data:`STATUS_ORDER` (others after), empty groups left out."""
    by: Dict[str, List[Mapping[str, Any]]] = {}
    for f in findings:
        by.setdefault(f["status"], []).append(f)
    return [(s, by[s]) for s in statuses_in(by) if by.get(s)]


def extra(value: Any) -> str:
    """An optional key's value as one line of text."""
    if isinstance(value, Mapping) and set(value) >= {"zh", "en"}:
        return f"{value['zh']} / {value['en']}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
                         for k, v in value.items())
    return str(value)


def figure(fig: Mapping[str, Any], record_source: str) -> Dict[str, Any]:
    """A finding's figure with its image as a data URI (PNG, SVG …), read
    from its path as given or beside the record's file; ``uri`` None when
    it cannot be read (the page says so: a figure is never dropped)."""
    path = str(fig.get("path", ""))
    candidates = [path]
    if not os.path.isabs(path):
        candidates.append(os.path.join(os.path.dirname(record_source), path))
    out: Dict[str, Any] = {"path": path, "title": fig.get("title") or {}, "uri": None}
    mime = _MIME.get(os.path.splitext(path)[1].lower())
    for c in candidates:
        if mime and os.path.isfile(c):
            try:
                with open(c, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            out["uri"] = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
            break
    return out


def payload(kind: str, record: Mapping[str, Any], lang: str) -> Tuple[Dict[str, Any], str]:
    """One record's summary line and its rendered section (made in a worker)."""
    n = counts(record)
    fac = record["facility"]
    findings = record["findings"]
    if kind == "html":
        findings = [dict(f, figures=[figure(g, record["source"]) for g in f["figures"]]) if f.get("figures") else f
                    for f in findings]
    body = template(kind, f"record.{_EXT[kind]}.j2").render(
        record=record, fac=fac, n=n, groups=groups(findings), lang=lang, extra_keys=EXTRA_KEYS, extra=extra,
        detail_lines=detail_lines)
    entry = {"source": record["source"], "id": fac.get("id"), "name": fac.get("name"), "counts": n,
             "as_of": record["as_of"], "failed": False}
    return entry, body


class Document:
    """Collects the records' sections (spooled) and the failures; writes
    the whole document at the end."""

    def __init__(self, kind: str, refs: Sequence[Mapping[str, str]], as_of: Optional[str], lang: str, engine: str):
        self.kind, self.lang, self.engine, self.as_of = kind, lang, engine, as_of
        self.refs = [dict(r) for r in refs]
        self.toc: List[Dict[str, Any]] = []
        self.failures: List[Tuple[str, Dict[str, Any]]] = []
        self.spool = Spool()
        self.dates: set = set()

    def add(self, part: Tuple[Dict[str, Any], str]) -> None:
        entry, body = part
        self.toc.append(dict(entry, index=len(self.toc) + 1))
        self.dates.add(entry["as_of"])
        self.spool.add(body)

    def failure(self, source: str, problems: Sequence[Problem]) -> None:
        self.toc.append({"source": source, "id": None, "name": None, "counts": {}, "failed": True,
                         "index": len(self.toc) + 1, "problems": len(problems)})
        self.failures.extend((source, p.to_dict()) for p in problems)

    def _records(self):
        bodies = self.spool.parts()
        for e in self.toc:
            if not e["failed"]:
                yield e, next(bodies)

    def write(self, out) -> None:
        as_of = self.as_of or (next(iter(self.dates)) if len(self.dates) == 1 else None)
        totals: Dict[str, int] = {s: 0 for s in STATUS_ORDER}
        for e in self.toc:
            for s, v in e["counts"].items():
                totals[s] = totals.get(s, 0) + v
        statuses = list(statuses_in(totals))
        if self.kind == "html":
            from markupsafe import Markup

            records: Any = ((e, Markup(body)) for e, body in self._records())  # rendered, escaped, by our template
        else:
            records = self._records()
        stream = template(self.kind, f"report.{_EXT[self.kind]}.j2").generate(
            lang=self.lang, as_of=as_of, rulesets=", ".join(f"{r.get('id')} {r.get('version')}" for r in self.refs),
            refs=self.refs, version=__version__, engine=self.engine, toc=self.toc, statuses=statuses,
            totals=totals, failures=self.failures, records=records,
            checked=sum(1 for e in self.toc if not e["failed"]))
        for chunk in stream:
            out.write(chunk)
        self.spool.close()
