"""``--format sarif``: SARIF 2.1.0 (OASIS), for code-scanning tools.

One run; ``tool.driver.rules`` holds one rule per rule id with its citation
(document, clause, quoted text, ruleset id and version) and its title in
``--lang`` (both languages in ``properties.title``). Each finding is a
result at the record's file and the entity's line (``region.startLine``),
with a fingerprint of record, entity, rule and ruleset version. Statuses
map to SARIF's ``kind`` and ``level`` (docs/formats.md):

=================  ==================  =======
status             kind                level
=================  ==================  =======
violation          fail                error
pending            fail                note
waived             fail (suppressed)   error
indeterminate      open                none
manual_review      review              none
compliant, exempt  pass                none
not_applicable     notApplicable       none
=================  ==================  =======

A record that could not be checked (and each warning on one that could) is
a ``toolExecutionNotifications`` entry of the run's invocation, located at
its file and line. Results are spooled to a temporary file as records come
and the document is written at the end (rules first): memory holds one
descriptor per rule, not the results.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

from .. import __version__
from ..errors import Problem
from ._common import Spool, artifact, citation, localised

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
BASE_ID = "SRCROOT"

#: status -> (kind, level); a status not named here is informational.
KIND_LEVEL: Dict[str, Tuple[str, str]] = {
    "violation": ("fail", "error"),
    "pending": ("fail", "note"),
    "waived": ("fail", "error"),
    "indeterminate": ("open", "none"),
    "manual_review": ("review", "none"),
    "compliant": ("pass", "none"),
    "exempt": ("pass", "none"),
    "not_applicable": ("notApplicable", "none"),
}
SEVERITY_LEVEL = {"high": "error", "medium": "warning", "low": "note"}
_OPTIONAL = ("missing", "exemption", "notes", "reason", "waiver", "details", "figures")


def uri(path: str, cwd: Optional[str] = None) -> Tuple[str, Optional[str]]:
    """A file's URI: relative to the working directory (with the base id
    ``SRCROOT``) when it lies under it, else an absolute ``file:`` URI."""
    cwd = cwd or os.getcwd()
    full = os.path.abspath(path)
    rel = os.path.relpath(full, cwd)
    if not rel.startswith(os.pardir + os.sep) and rel != os.pardir and not os.path.isabs(rel):
        return quote(pathlib.PurePath(rel).as_posix(), safe="/"), BASE_ID
    return pathlib.Path(full).as_uri(), None


def _location(source: str, line: int, column: int = 0) -> Dict[str, Any]:
    path = artifact(source)
    if path is None:
        art: Dict[str, Any] = {"description": {"text": source}}
    else:
        text, base = uri(path)
        art = {"uri": text}
        if base:
            art["uriBaseId"] = base
    phys: Dict[str, Any] = {"artifactLocation": art}
    if line > 0:
        region: Dict[str, Any] = {"startLine": line}
        if column > 0:
            region["startColumn"] = column
        phys["region"] = region
    return {"physicalLocation": phys}


def fingerprint(source: str, entity: Mapping[str, str], rule: str, ruleset: str, version: str) -> str:
    key = "\x1f".join((source, entity["type"], entity["id"], ruleset, rule, version))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def rule_descriptor(f: Mapping[str, Any], version: str, lang: str) -> Dict[str, Any]:
    src = f["source"]
    title = localised(f.get("title") or {}, lang) or f["rule"]
    quoted = f"“{src['text']}”" if src.get("text") else ""
    full = f"{title}. {citation(src, lang)} {quoted}".strip()
    return {
        "id": f["rule"],
        "name": f["rule"],
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": SEVERITY_LEVEL.get(f["severity"], "warning")},
        "properties": {
            "title": dict(f.get("title") or {}),
            "citation": dict(src),
            "ruleset": {"id": f["ruleset"], "version": version},
            "severity": f["severity"],
            "tags": [f["ruleset"], f["severity"]],
        },
    }


def result(f: Mapping[str, Any], record: Mapping[str, Any], version: str, lang: str) -> Dict[str, Any]:
    status = f["status"]
    kind, level = KIND_LEVEL.get(status, ("informational", "none"))
    fac = record["facility"]
    loc = _location(record["source"], f.get("line", 0))
    loc["logicalLocations"] = [{"name": f"{f['entity']['type']}[{f['entity']['id']}]",
                                "fullyQualifiedName": f"{fac.get('id')}/{f['entity']['type']}[{f['entity']['id']}]",
                                "kind": "object"}]
    props: Dict[str, Any] = {
        "status": status, "severity": f["severity"], "ruleset": f["ruleset"], "rulesetVersion": version,
        "record": record["source"], "facility": {"id": fac.get("id"), "name": fac.get("name")},
        "entity": dict(f["entity"]), "asOf": record["as_of"], "message": dict(f["message"]),
        "observed": f.get("observed"), "limit": f.get("limit"),
        "effectiveFrom": f.get("effective_from"), "deadline": f.get("deadline"),
    }
    for key in _OPTIONAL:
        if key in f:
            props[key] = f[key]
    out: Dict[str, Any] = {
        "ruleId": f["rule"],
        "kind": kind,
        "level": level,
        "message": {"text": localised(f["message"], lang)},
        "locations": [loc],
        "partialFingerprints": {"complianceFinding/v1": fingerprint(
            record["source"], f["entity"], f["rule"], f["ruleset"], version)},
        "properties": props,
    }
    waiver = f.get("waiver")
    if status == "waived" and isinstance(waiver, Mapping):
        out["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": str(waiver.get("reason") or ""),
            "properties": dict(waiver),
        }]
    return out


def notification(p: Mapping[str, Any], source: str) -> Dict[str, Any]:
    """A problem (an input error or a warning) as a tool notification."""
    level = {"warning": "warning", "info": "note"}.get(p.get("level", "error"), "error")
    out: Dict[str, Any] = {
        "level": level,
        "message": {"text": str(p.get("message", ""))},
        "locations": [_location(str(p.get("file") or source), int(p.get("line") or 0), int(p.get("column") or 0))],
        "descriptor": {"id": f"input-{p.get('level', 'error')}"},
        "properties": {k: v for k, v in p.items() if k not in ("message",)} | {"record": source},
    }
    return out


def payload(record: Mapping[str, Any], versions: Mapping[str, str], lang: str) -> Dict[str, Any]:
    """One record's results, the descriptors of its rules and its warnings
    as notifications (plain data: made in a worker process)."""
    rules: Dict[str, Dict[str, Any]] = {}
    results: List[str] = []
    for f in record["findings"]:
        version = versions.get(f["ruleset"], "")
        if f["rule"] not in rules:
            rules[f["rule"]] = rule_descriptor(f, version, lang)
        results.append(json.dumps(result(f, record, version, lang), ensure_ascii=False))
    notes = [notification(w, record["source"]) for w in record.get("warnings", ())]
    return {"results": results, "rules": rules, "notifications": notes, "as_of": record["as_of"]}


class SarifDocument:
    """Collects records (spooled) and failures; writes the document at the end."""

    def __init__(self, refs: Sequence[Mapping[str, str]], as_of: Optional[str], lang: str, engine: str):
        self.refs = [dict(r) for r in refs]
        self.as_of, self.lang, self.engine = as_of, lang, engine
        self.rules: Dict[str, Dict[str, Any]] = {}
        self.notifications: List[Dict[str, Any]] = []
        self.spool = Spool()
        self.dates: set = set()
        self.internal = False

    def add(self, part: Mapping[str, Any]) -> None:
        for rid, desc in part["rules"].items():
            self.rules.setdefault(rid, desc)
        for text in part["results"]:
            self.spool.add(text)
        self.notifications.extend(part["notifications"])
        self.dates.add(part["as_of"])

    def failure(self, source: str, problems: Sequence[Problem]) -> None:
        for p in problems:
            self.notifications.append(notification(p.to_dict(), source))
            self.internal = self.internal or p.level == "internal"

    def write(self, out) -> None:
        as_of = self.as_of or (next(iter(self.dates)) if len(self.dates) == 1 else None)
        run: Dict[str, Any] = {
            "tool": {"driver": {"name": "compliance", "version": __version__, "semanticVersion": __version__,
                                "rules": [self.rules[k] for k in sorted(self.rules)]}},
            "invocations": [{"executionSuccessful": not self.internal,
                             "toolExecutionNotifications": self.notifications}],
            "originalUriBaseIds": {BASE_ID: {"uri": pathlib.Path(os.getcwd()).as_uri().rstrip("/") + "/"}},
            "language": "zh-CN" if self.lang == "zh" else "en-US",
            "columnKind": "unicodeCodePoints",
            "properties": {"asOf": as_of, "rulesets": self.refs, "engine": self.engine},
            "results": "\0results",
        }
        doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
        head, _, tail = json.dumps(doc, ensure_ascii=False, indent=2).rpartition('"\\u0000results"')
        out.write(head)
        first = True
        for text in self.spool.parts():
            out.write(("[\n        " if first else ",\n        ") + text)
            first = False
        out.write("[]" if first else "\n      ]")
        out.write(tail + "\n")
        self.spool.close()
