"""Findings and reports: the output contract (``report/1``) and its views.

:class:`Report` ``.to_dict()`` gives exactly the JSON of
``../shared/spec/report.md`` (plus documented extension keys);
:func:`render_table` and :func:`render_json` are views of the same data.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import sys
from collections.abc import Sequence as _SequenceABC
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import attrs

from .errors import Problem
from .status import STATUS_ORDER

__all__ = ["Finding", "LazyFindings", "RecordReport", "Report", "STATUS_ORDER", "render_json", "render_table"]

_SPEC_SUMMARY = ("violation", "compliant", "indeterminate", "pending", "exempt")  # report/1's keys, in its order
#: the summary's counts: report/1's, then every other status shown by default
#: (manual_review ...; docs/report-format.md)
SUMMARY_KEYS = _SPEC_SUMMARY + tuple(s for s in STATUS_ORDER if s not in _SPEC_SUMMARY and s != "not_applicable")


@attrs.define(eq=True)  # built per finding: plain data, not frozen (3x cheaper to build)
class Finding:
    """One verdict of one rule on one entity."""

    rule: str
    ruleset: str
    status: str
    entity_type: str
    entity_id: str
    observed: Optional[Mapping[str, Any]]
    limit: Optional[Mapping[str, Any]]
    severity: str
    message: Mapping[str, str]
    source: Mapping[str, Any]
    effective_from: Optional[str]
    deadline: Optional[str]
    # extensions (report/1 allows more keys)
    title: Mapping[str, str] = attrs.field(factory=dict)
    missing: Tuple[str, ...] = ()
    exemption: Optional[Mapping[str, str]] = None
    notes: Tuple[Mapping[str, str], ...] = ()
    line: int = 0
    waiver: Optional[Mapping[str, Any]] = None  # compliance.waivers: the waiver that covers (or covered) it
    waived_status: Optional[str] = None  # the status a waiver replaced by "waived"
    details: Optional[Mapping[str, Any]] = None  # extra figures, e.g. a CEMS series' exceedance counts
    figures: Tuple[Mapping[str, Any], ...] = ()  # images for the finding: {"path", "title": {zh, en}}
    #: manual_review: why the tool does not decide it {code, zh, en}
    reason: Optional[Mapping[str, str]] = None

    @property
    def entity(self) -> str:
        return f"{self.entity_type}[{self.entity_id}]"

    def sort_key(self):
        return (STATUS_ORDER.index(self.status), self.rule, self.entity_type, self.entity_id)

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {
            "rule": self.rule,
            "ruleset": self.ruleset,
            "status": self.status,
            "entity": {"type": self.entity_type, "id": self.entity_id},
            "observed": dict(self.observed) if self.observed is not None else None,
            "limit": dict(self.limit) if self.limit is not None else None,
            "severity": self.severity,
            "message": dict(self.message),
            "source": dict(self.source),
            "effective_from": self.effective_from,
            "deadline": self.deadline,
            "title": dict(self.title),
        }
        if self.missing:
            out["missing"] = list(self.missing)
        if self.exemption is not None:
            out["exemption"] = dict(self.exemption)
        if self.notes:
            out["notes"] = [dict(n) for n in self.notes]
        if self.line:
            out["line"] = self.line
        if self.waiver is not None:
            out["waiver"] = dict(self.waiver)
        if self.waived_status is not None:
            out["waived_status"] = self.waived_status
        if self.details is not None:
            out["details"] = dict(self.details)
        if self.figures:
            out["figures"] = [dict(f) for f in self.figures]
        if self.reason is not None:
            out["reason"] = dict(self.reason)
        return out


class LazyFindings(_SequenceABC):
    """A record's findings, in report order, built on first read.

    The engine's hot path yields (rule, entity, status); messages, observed
    and limit values, notes and citations are built by ``build`` only when a
    finding is read, rendered or serialised. Statuses are available without
    building anything (:attr:`statuses`). Compares equal to the tuple of its
    findings; pickles as that tuple.
    """

    __slots__ = ("_entries", "_build", "_items")

    def __init__(self, entries: Sequence[Tuple[Any, Any, str]], build: Callable[[Tuple[Any, Any, str]], "Finding"]):
        self._entries = entries
        self._build = build
        self._items: Optional[Tuple["Finding", ...]] = None

    @property
    def statuses(self) -> Iterator[str]:
        return (entry[2] for entry in self._entries)

    def _all(self) -> Tuple["Finding", ...]:
        if self._items is None:
            self._items = tuple(self._build(entry) for entry in self._entries)
        return self._items

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index):
        return self._all()[index]

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other) -> bool:
        if isinstance(other, (LazyFindings, tuple)):
            return self._all() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._all())

    def __reduce__(self):
        return (tuple, (self._all(),))


def _statuses(findings) -> Iterator[str]:
    if isinstance(findings, LazyFindings):
        return findings.statuses
    return (f.status for f in findings)


@attrs.frozen
class RecordReport:
    """The findings for one facility record."""

    source: str
    facility: Mapping[str, Any]
    as_of: str
    findings: Sequence[Finding]  # a tuple, or LazyFindings (built when read)
    warnings: Tuple[Problem, ...] = ()
    alert: str = "none"

    @property
    def summary(self) -> Dict[str, int]:
        counts = {k: 0 for k in SUMMARY_KEYS}
        for status in _statuses(self.findings):
            if status in counts:
                counts[status] += 1
            elif status == "waived":  # an extension key, present only when a waiver applied
                counts[status] = counts.get(status, 0) + 1
        return counts

    @property
    def has_violations(self) -> bool:
        return any(status == "violation" for status in _statuses(self.findings))

    def to_dict(self) -> Dict[str, Any]:
        out = {
            "source": self.source,
            "facility": dict(self.facility),
            "as_of": self.as_of,
            "alert": self.alert,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary,
        }
        if self.warnings:
            out["warnings"] = [w.to_dict() for w in self.warnings]
        return out


@attrs.frozen
class Report:
    """The result of checking one or more records (``report/1``)."""

    as_of: Optional[str]
    rulesets: Tuple[Mapping[str, str], ...]
    records: Tuple[RecordReport, ...]
    errors: Tuple[Problem, ...] = ()  # inputs that could not be checked
    engine: str = ""
    #: report-level extension sections after ``errors``: ``waivers``, ``baseline`` (docs/workflow.md)
    sections: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def has_violations(self) -> bool:
        return any(r.has_violations for r in self.records)

    @property
    def exit_code(self) -> int:
        """0: no violation; 1: a violation; 2: an input could not be checked;
        3: an input failed on an internal error (a problem of level
        ``internal``: a bug to report)."""
        if any(e.level == "internal" for e in self.errors):
            return 3
        if self.errors:
            return 2
        return 1 if self.has_violations else 0

    @property
    def findings(self) -> Tuple[Finding, ...]:
        return tuple(f for r in self.records for f in r.findings)

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {
            "schema": "report/1",
            "as_of": self.as_of,
            "rulesets": [dict(r) for r in self.rulesets],
            "records": [r.to_dict() for r in self.records],
        }
        if self.errors:
            out["errors"] = [e.to_dict() for e in self.errors]
        out.update(self.sections)
        return out


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# ------------------------------------------------------------------- table

def render_table(report: Report, lang: str = "en", width: int = 80) -> str:
    """Human-readable table per record, fitting ``width`` columns
    (:mod:`compliance.table`: ids, rule ids and plates never split)."""
    from .table import render_record

    out = [render_record(rec, lang, width) + "\n" for rec in report.records]
    text = "\n".join(out).rstrip()
    return text + "\n" if text else ""  # failed inputs go to stderr (cli)


def waiver_text(w: Mapping[str, Any], waived_status: Optional[str], lang: str) -> str:
    """A finding's waiver in a table cell."""
    if lang == "zh":
        head = f"批准偏离 {w.get('id')}（{w.get('document')}，{w.get('approver')} 批准）"
        tail = f"已于 {w.get('expires')} 到期" if w.get("expired") else f"有效至 {w.get('expires')}，原状态 {waived_status}"
        return f"{head}{tail}：{w.get('reason')}"
    head = f"waiver {w.get('id')} ({w.get('document')}, approved by {w.get('approver')})"
    tail = f" expired on {w.get('expires')}" if w.get("expired") else f" until {w.get('expires')}, was {waived_status}"
    return f"{head}{tail}: {w.get('reason')}"


# ------------------------------------------------------------ JSON, streamed

from json.encoder import encode_basestring as _encode_str  # noqa: E402  (the C encoder's string escaper)



def _scalar(value: Any) -> str:
    """A JSON scalar as json.dumps writes it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)  # floats (repr, nan/inf spelling) and anything else


def _indented(value: Any, indent: str, out: List[str]) -> None:
    """Append ``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)``
    writes it (nested at ``indent``), with the C string encoder doing the
    escaping: the pure-Python encoder that ``indent`` selects costs ~1.2 ms
    per record report; this writes the same bytes several times faster
    (``tests/test_streaming.py`` holds them identical). Scalars are written
    in their container's loop; only containers recurse."""
    t = type(value)
    if t is dict:
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        parts = []
        for k, v in value.items():
            tv = type(v)
            key = _encode_str(k if type(k) is str else _key(k)) + ": "
            if tv is str:
                parts.append(key + _encode_str(v))
            elif tv is dict or tv is list or tv is tuple:
                sub: List[str] = []
                _indented(v, inner, sub)
                parts.append(key + "".join(sub))
            else:
                parts.append(key + _scalar(v))
        out.append("{\n" + inner + (",\n" + inner).join(parts) + "\n" + indent + "}")
    elif t is list or t is tuple:
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        parts = []
        for v in value:
            tv = type(v)
            if tv is str:
                parts.append(_encode_str(v))
            elif tv is dict or tv is list or tv is tuple:
                sub = []
                _indented(v, inner, sub)
                parts.append("".join(sub))
            else:
                parts.append(_scalar(v))
        out.append("[\n" + inner + (",\n" + inner).join(parts) + "\n" + indent + "]")
    elif t is str:
        out.append(_encode_str(value))
    else:
        out.append(_scalar(value))


def _key(k: Any) -> str:
    return json.dumps(k).strip('"') if not isinstance(k, str) else k


def dumps_indented(value: Any, indent: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, faster."""
    out: List[str] = []
    _indented(value, indent, out)
    return "".join(out)


class StreamWriter:
    """Writes record reports as they are ready, in ``json`` (the ``report/1``
    document) or ``jsonl`` (one record report per line) form.

    ``json``: the document's top-level ``as_of`` comes before its records;
    when it is not known in advance (several inputs without ``--as-of``) the
    records are spooled to a temporary file (not memory) and copied after
    it. Byte-identical to ``json.dumps(report.to_dict(), ensure_ascii=False,
    indent=2)``.
    """

    def __init__(self, out, fmt: str, rulesets: Sequence[Mapping[str, str]], as_of: Optional[str], known_as_of: bool):
        self.out = out
        self.fmt = fmt
        self.rulesets = [dict(r) for r in rulesets]
        self.as_of = as_of
        self.known = known_as_of
        self.dates: set = set()
        self.count = 0
        self.errors: List[Problem] = []
        self.violations = False
        self.spool = None
        self.shared = _Shared()
        self.sections: Dict[str, Any] = {}  # written after the errors (Report.sections)
        if fmt == "json" and not known_as_of:
            import tempfile

            self.spool = tempfile.TemporaryFile("w+b")  # UTF-8 bytes: copied as they are when stdout is UTF-8

    def record(self, rec: "RecordReport") -> None:
        """Write one record's report; if it cannot be rendered (the
        exception propagates) nothing of it is written and the writer
        stays consistent for the next record."""
        self.write_rendered(render_stream_record(self.fmt, rec, self.shared), rec.as_of, rec.has_violations)

    def write_rendered(self, text: str, as_of: str, violations: bool) -> None:
        """Write one record's text from :func:`render_stream_record` (made
        here or in a worker process: the same bytes either way)."""
        if self.fmt != "jsonl":
            text = (",\n    " if self.count else "\n    ") + text
        self.violations = self.violations or violations
        self.dates.add(as_of)
        if self.fmt == "jsonl":
            self.out.write(text)
        else:
            if self.spool is not None:
                self.spool.write(text.encode("utf-8", "backslashreplace"))  # as the stdout (_output)
            else:
                if self.count == 0:
                    self._head()
                self.out.write(text)
        self.count += 1

    def failure(self, source: str, problems: Sequence[Problem]) -> None:
        self.errors.extend(problems)
        if self.fmt == "jsonl":
            self.out.write(json.dumps({"source": source, "errors": [p.to_dict() for p in problems]},
                                      ensure_ascii=False) + "\n")

    def _head(self) -> None:
        head = {"schema": "report/1", "as_of": self.as_of, "rulesets": self.rulesets}
        text = dumps_indented(head)
        self.out.write(text[:-2] + ',\n  "records": [')

    def close(self) -> None:
        if self.fmt == "jsonl":
            return
        if self.spool is not None:
            if self.as_of is None and len(self.dates) == 1:
                self.as_of = next(iter(self.dates))
            self._head()
            self.spool.seek(0)
            raw = getattr(self.out, "buffer", None)
            encoding = (getattr(self.out, "encoding", None) or "").lower().replace("_", "-")
            # bytes under the text layer only where it would neither re-encode
            # nor translate line ends: this process's stdout, UTF-8, "\n" lines
            if raw is not None and (getattr(self.out, "bytes_passthrough", False) or (
                    encoding in ("utf-8", "utf8") and os.linesep == "\n"
                    and self.out in (sys.stdout, sys.__stdout__))):
                self.out.flush()  # the bytes go under the text layer: keep the order
                shutil.copyfileobj(self.spool, raw, 1 << 20)
            else:
                decoder = codecs.getincrementaldecoder("utf-8")()
                while True:
                    chunk = self.spool.read(1 << 20)
                    self.out.write(decoder.decode(chunk, final=not chunk))
                    if not chunk:
                        break
            self.spool.close()
        elif self.count == 0:
            self._head()
        self.out.write("\n  ]" if self.count else "]")
        if self.errors:
            self.out.write(',\n  "errors": ' + dumps_indented([e.to_dict() for e in self.errors], "  "))
        for key, value in self.sections.items():
            self.out.write(",\n  " + _encode_str(key) + ": " + dumps_indented(value, "  "))
        self.out.write("\n}\n")


def render_stream_record(fmt: str, rec: "RecordReport", shared: Optional["_Shared"] = None) -> str:
    """One record's text in ``json`` (the record object, indented as in the
    document, without the separator) or ``jsonl`` (its line): the pure half
    of :meth:`StreamWriter.record`, run by worker processes
    (:mod:`compliance.parallel`)."""
    if fmt == "jsonl":
        return json.dumps(rec.to_dict(), ensure_ascii=False) + "\n"
    return record_json(rec, "    ", shared)


class _Shared:
    """The encoded JSON of the parts all findings of a rule have in common
    -- its source, title and exemption -- so a batch encodes each rule's
    quoted text once, not once per finding."""

    def __init__(self) -> None:
        self.cache: Dict[Tuple[Any, str], Tuple[Dict[str, Any], str]] = {}

    def text(self, key: Tuple[Any, ...], obj: Mapping[str, Any], indent: str) -> str:
        """``obj`` (a finding's citation, title, exemption) encoded at
        ``indent``; ``key`` names the rule part it comes from. The encoding
        is reused while the finding's copy still equals the one encoded (a
        dict comparison of the same string objects: cheap)."""
        full = (key, indent)
        hit = self.cache.get(full)
        if hit is None or hit[0] != obj:
            if len(self.cache) > 20000:
                self.cache.clear()
            hit = self.cache[full] = (dict(obj), dumps_indented(dict(obj), indent))
        return hit[1]


def _value(value: Any, indent: str) -> str:
    return _encode_str(value) if type(value) is str else dumps_indented(value, indent)


def _finding_json(f: "Finding", indent: str, shared: _Shared) -> str:
    """``dumps_indented(f.to_dict(), indent)``, without building the dict,
    the per-rule parts from ``shared``."""
    k = indent + "  "
    kk = ",\n" + k + "  "  # between the items of a mapping nested in the finding
    msg = f.message
    items = [
        '"rule": ' + _encode_str(f.rule),
        '"ruleset": ' + _encode_str(f.ruleset),
        '"status": ' + _encode_str(f.status),
        '"entity": {\n' + k + '  "type": ' + _encode_str(f.entity_type) + kk + '"id": '
        + _encode_str(f.entity_id) + "\n" + k + "}",
        '"observed": ' + ("null" if f.observed is None else dumps_indented(dict(f.observed), k)),
        '"limit": ' + ("null" if f.limit is None else dumps_indented(f.limit, k)),
        '"severity": ' + _value(f.severity, k),
        ('"message": {\n' + k + '  "zh": ' + _encode_str(msg["zh"]) + kk + '"en": ' + _encode_str(msg["en"])
         + "\n" + k + "}") if list(msg) == ["zh", "en"] and type(msg["zh"]) is str and type(msg["en"]) is str
        else '"message": ' + dumps_indented(dict(msg), k),
        '"source": ' + shared.text((f.ruleset, f.rule, "source"), f.source, k),
        '"effective_from": ' + _value(f.effective_from, k),
        '"deadline": ' + _value(f.deadline, k),
        '"title": ' + shared.text((f.ruleset, f.rule, "title"), f.title, k),
    ]
    if f.missing:
        items.append('"missing": ' + dumps_indented(list(f.missing), k))
    if f.exemption is not None:
        items.append('"exemption": ' + shared.text((f.ruleset, f.rule, "exemption"), f.exemption, k))
    if f.notes:
        items.append('"notes": ' + dumps_indented([dict(n) for n in f.notes], k))
    if f.line:
        items.append('"line": ' + _scalar(f.line))
    if f.waiver is not None:
        items.append('"waiver": ' + dumps_indented(dict(f.waiver), k))
    if f.waived_status is not None:
        items.append('"waived_status": ' + _encode_str(f.waived_status))
    if f.details is not None:
        items.append('"details": ' + dumps_indented(dict(f.details), k))
    if f.figures:
        items.append('"figures": ' + dumps_indented([dict(g) for g in f.figures], k))
    if f.reason is not None:
        items.append('"reason": ' + shared.text((f.ruleset, f.rule, "reason"), f.reason, k))
    return "{\n" + k + (",\n" + k).join(items) + "\n" + indent + "}"


def record_json(rec: "RecordReport", indent: str, shared: Optional[_Shared] = None) -> str:
    """``dumps_indented(rec.to_dict(), indent)``, faster: findings are
    written straight from their objects and each rule's shared parts are
    encoded once (``tests/test_streaming.py`` holds the bytes equal)."""
    shared = shared if shared is not None else _Shared()
    k = indent + "  "
    fi = k + "  "
    findings = [_finding_json(f, fi, shared) for f in rec.findings]
    items = [
        '"source": ' + _value(rec.source, k),
        '"facility": ' + dumps_indented(dict(rec.facility), k),
        '"as_of": ' + _value(rec.as_of, k),
        '"alert": ' + _value(rec.alert, k),
        '"findings": ' + ("[\n" + fi + (",\n" + fi).join(findings) + "\n" + k + "]" if findings else "[]"),
        '"summary": ' + dumps_indented(rec.summary, k),
    ]
    if rec.warnings:
        items.append('"warnings": ' + dumps_indented([w.to_dict() for w in rec.warnings], k))
    return "{\n" + k + (",\n" + k).join(items) + "\n" + indent + "}"
