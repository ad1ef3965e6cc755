"""``--format junit``: JUnit XML, for CI test-report viewers.

One ``<testsuite>`` per record (named by its source and facility id), one
``<testcase>`` per finding: ``classname`` the rule id, ``name`` the entity,
``file`` and ``line`` where the entity is written. A finding whose status
fails the run (``--fail-on``; by default a violation) is a ``<failure>``
(type: the status); a compliant finding passes; every other status
(indeterminate, pending, exempt …) is ``<skipped>`` with the status and
message, so a viewer counts it as neither passed nor failed. A record that
could not be checked is a suite of ``<error>`` test cases, one per problem;
a record's warnings are its suite's ``<system-err>``. Suites are spooled
as records come; ``<testsuites>`` with the totals is written at the end.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Dict, Mapping, Sequence, Tuple

from ..errors import Problem
from ._common import Spool, artifact, citation, limit, localised, quantity, status_label

#: Characters XML 1.0 cannot hold: shown as escapes (``\x1b``), never dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value: Any) -> str:
    text = "" if value is None else str(value)
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text) if _NOT_XML.search(text) else text


def _el(parent, tag: str, text: str = "", **attrs: Any):
    el = ET.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items() if v not in (None, "")})
    if text:
        el.text = clean(text)
    return el


def _detail(f: Mapping[str, Any], lang: str) -> str:
    lines = [localised(f["message"], lang)]
    if f.get("observed") is not None or f.get("limit") is not None:
        lines.append(f"observed {quantity(f.get('observed')) or '-'}; limit {limit(f.get('limit')) or '-'}")
    src = f["source"]
    lines.append(f"{f['rule']} ({f['ruleset']}): {citation(src, lang)}")
    if src.get("text"):
        lines.append(f"“{src['text']}”")
    for key in ("missing", "exemption", "reason", "waiver", "details"):
        if key in f:
            lines.append(f"{key}: {f[key]}")
    return "\n".join(lines)


def payload(record: Mapping[str, Any], fail_on: Sequence[str], lang: str) -> Tuple[str, Dict[str, int]]:
    """One record's ``<testsuite>`` and its counts (tests, failures, skipped)."""
    fac = record["facility"]
    findings = record["findings"]
    n = {"tests": len(findings), "failures": 0, "errors": 0, "skipped": 0}
    suite = ET.Element("testsuite")
    props = _el(suite, "properties")
    for name, value in (("facility.id", fac.get("id")), ("facility.name", fac.get("name")),
                        ("facility.region", fac.get("region")), ("as_of", record["as_of"]),
                        ("alert", record.get("alert"))):
        if value not in (None, ""):
            _el(props, "property", name=name, value=value)
    path = artifact(record["source"])
    for f in findings:
        ent = f["entity"]
        case = _el(suite, "testcase", classname=f["rule"], name=f"{ent['type']}[{ent['id']}]", file=path,
                   line=f.get("line") or None, time="0")
        status = f["status"]
        message = f"{status_label(status, lang)}: {localised(f['message'], lang)}"
        if status in fail_on:
            _el(case, "failure", _detail(f, lang), type=status, message=message)
            n["failures"] += 1
        elif status != "compliant":
            _el(case, "skipped", message=message)
            n["skipped"] += 1
    if record.get("warnings"):
        _el(suite, "system-err", "\n".join(_problem_text(w) for w in record["warnings"]))
    attrs = {"name": f"{record['source']} {fac.get('id')}", "tests": n["tests"], "failures": n["failures"],
             "errors": 0, "skipped": n["skipped"], "time": "0", "timestamp": None, "file": path}
    for k, v in attrs.items():
        if v is not None:
            suite.set(k, clean(v))
    return _suite_text(suite), n


def _problem_text(p: Mapping[str, Any]) -> str:
    where = f"{p.get('file')}:{p.get('cell') or p.get('line') or ''}".rstrip(":")
    field = f" {p['field']}:" if p.get("field") else ""
    return f"{where}: [{p.get('level')}]{field} {p.get('message')}"


def failure_payload(source: str, problems: Sequence[Problem]) -> Tuple[str, Dict[str, int]]:
    """A record that could not be checked: one ``<error>`` per problem."""
    suite = ET.Element("testsuite", {"name": clean(source), "tests": str(len(problems)), "failures": "0",
                                     "errors": str(len(problems)), "skipped": "0", "time": "0"})
    path = artifact(source)
    for p in problems:
        d = p.to_dict()
        case = _el(suite, "testcase", classname="input", name=p.field or source, file=path,
                   line=p.line or None, time="0")
        _el(case, "error", _problem_text(d), type=p.level, message=p.message)
    return _suite_text(suite), {"tests": len(problems), "failures": 0, "errors": len(problems), "skipped": 0}


def _suite_text(suite) -> str:
    ET.indent(suite, space="  ", level=1)
    return "  " + ET.tostring(suite, encoding="unicode") + "\n"


class JunitDocument:
    def __init__(self) -> None:
        self.spool = Spool()
        self.totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    def add(self, part: Tuple[str, Mapping[str, int]]) -> None:
        text, n = part
        self.spool.add(text)
        for k in self.totals:
            self.totals[k] += n[k]

    def write(self, out) -> None:
        t = self.totals
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<testsuites name="compliance" tests="{t["tests"]}" failures="{t["failures"]}" '
                  f'errors="{t["errors"]}" skipped="{t["skipped"]}" time="0">\n')
        for text in self.spool.parts():
            out.write(text)
        out.write("</testsuites>\n")
        self.spool.close()
