"""Waivers: approved deviations (批准的偏离), each with its reason, approver,
document number (文号) and expiry date.

A waiver file is YAML: a list of waivers, or a mapping whose one key
``waivers`` holds that list (``docs/workflow.md``). It is applied after the
evaluation, to each record's findings (:func:`apply_waivers`):

* a waiver **matches** a finding when the finding's rule id matches
  ``rule`` (an exact id, or a glob pattern: ``*``, ``?``, ``[...]``), the
  record's facility id is ``facility``, and, when ``entity`` is given, the
  entity's type is ``entity.type`` and (when given) its id ``entity.id``;
  only findings of the statuses :data:`WAIVABLE` are matched -- a waiver of a
  compliant finding matches nothing. The first matching waiver in file
  order applies.
* from ``granted`` (when given) through ``expires`` (the expiry day
  itself included) the finding's status becomes ``waived``; its original
  status is kept as ``waived_status`` and the waiver as ``waiver``.
* after ``expires`` the finding keeps its status (a violation counts again)
  and gets the waiver, marked ``expired``, and a note saying so.

Nothing is hidden: every use is counted (:class:`WaiverUse`), and the report
lists each waiver with what it did (:func:`waivers_section`), unmatched and
expired ones included.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import attrs

from ._yaml import Document, load_document
from .errors import InputError, Problem
from .status import INDETERMINATE, PENDING, VIOLATION, WAIVED

__all__ = ["Waiver", "WaiverUse", "WAIVABLE", "load_waivers", "apply_waivers", "waivers_section", "waiver_lines"]

#: the statuses a waiver may cover: what would fail a check or is not yet decided
WAIVABLE = (VIOLATION, INDETERMINATE, PENDING)

_REQUIRED = ("id", "rule", "facility", "reason", "approver", "document", "expires")
_FIELDS = _REQUIRED + ("entity", "granted", "note")
_ENTITY_FIELDS = ("type", "id")


@attrs.frozen
class Waiver:
    """One approved deviation, with where it was written."""

    id: str
    rule: str
    facility: str
    reason: str
    approver: str
    document: str
    expires: dt.date
    entity_type: Optional[str] = None
    entity_id: Optional[str] = None
    granted: Optional[dt.date] = None
    note: Optional[str] = None
    file: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def matches(self, facility_id: Optional[str], rule: str, entity_type: str, entity_id: str) -> bool:
        """Whether the waiver names this (facility, rule, entity); dates aside."""
        if facility_id != self.facility:
            return False
        if self.entity_type is not None and (entity_type != self.entity_type
                                             or (self.entity_id is not None and entity_id != self.entity_id)):
            return False
        return rule == self.rule or fnmatch.fnmatchcase(rule, self.rule)

    def state(self, as_of: dt.date) -> str:
        """``active``, ``expired`` (as_of after the expiry day) or
        ``not_yet_granted`` (as_of before the grant)."""
        if self.granted is not None and as_of < self.granted:
            return "not_yet_granted"
        return "expired" if as_of > self.expires else "active"

    def to_dict(self, expired: bool) -> Dict[str, Any]:
        """The finding's ``waiver`` key."""
        return {"id": self.id, "reason": self.reason, "approver": self.approver, "document": self.document,
                "expires": self.expires.isoformat(), "expired": expired}


# ------------------------------------------------------------------ loading


def _text(doc: Document, path, value: Any, field: str, errors: List[Problem]) -> Optional[str]:
    text = None if value is None else doc.text_of(path, value)
    if text is None or not text.strip():
        errors.append(doc.problem(path, field, "must be non-empty text" if value is not None or text is not None
                                  else "required field is missing or empty"))
        return None
    return text


def _date(doc: Document, path, value: Any, field: str, errors: List[Problem]) -> Optional[dt.date]:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.append(doc.problem(path, field, f"expected a date YYYY-MM-DD, got {value!r}"))
    return None


def _unknown(doc: Document, path, raw: Mapping, fields: Sequence[str], label: str, errors: List[Problem]) -> None:
    from .record import suggest

    for key in raw:
        if key not in fields:
            line, col = doc.key_where(path + (key,))
            errors.append(Problem(doc.source, line, col, f"{label}.{key}",
                                  f"unknown field{suggest(key, fields)}; a waiver has the fields {', '.join(fields)}"))


def waivers_from_document(doc: Document) -> Tuple[Waiver, ...]:
    """The waivers of a loaded document; every problem at once (InputError)."""
    data = doc.data
    path: Tuple[Any, ...] = ()
    errors: List[Problem] = []
    if isinstance(data, Mapping):
        _unknown(doc, (), data, ("waivers",), "file", errors)
        if errors:
            raise InputError(errors)
        data, path = data.get("waivers"), ("waivers",)
    if not isinstance(data, list):
        raise InputError([doc.problem(path, "waivers", "expected a list of waivers (or a mapping with the key "
                                      "'waivers' holding that list), each with " + ", ".join(_REQUIRED))])
    out: List[Waiver] = []
    seen: Dict[str, int] = {}
    for i, raw in enumerate(data):
        at = path + (i,)
        label = f"waivers[{i}]"
        if not isinstance(raw, Mapping):
            errors.append(doc.problem(at, label, f"a waiver must be a mapping with {', '.join(_REQUIRED)}"))
            continue
        _unknown(doc, at, raw, _FIELDS, label, errors)
        before = len(errors)
        for key in _REQUIRED:
            if key not in raw:
                errors.append(doc.problem(at, f"{label}.{key}", f"required field {key!r} is missing"
                                          + (" (a waiver without an expiry date is not accepted: give the date "
                                             "the approval ends)" if key == "expires" else "")))
        vals: Dict[str, Any] = {}
        for key in ("id", "rule", "facility", "reason", "approver", "document", "note"):
            if key in raw:
                vals[key] = _text(doc, at + (key,), raw[key], f"{label}.{key}", errors)
        for key in ("granted", "expires"):
            if key in raw:
                vals[key] = _date(doc, at + (key,), raw[key], f"{label}.{key}", errors)
        etype = eid = None
        if "entity" in raw:
            ent = raw["entity"]
            if not isinstance(ent, Mapping) or "type" not in ent:
                errors.append(doc.problem(at + ("entity",), f"{label}.entity",
                                          "expected a mapping {type: KIND, id: ID} (id optional: every entity of the kind)"))
            else:
                _unknown(doc, at + ("entity",), ent, _ENTITY_FIELDS, f"{label}.entity", errors)
                etype = _text(doc, at + ("entity", "type"), ent["type"], f"{label}.entity.type", errors)
                if "id" in ent:
                    eid = _text(doc, at + ("entity", "id"), ent["id"], f"{label}.entity.id", errors)
        if vals.get("granted") and vals.get("expires") and vals["expires"] < vals["granted"]:
            errors.append(doc.problem(at + ("expires",), f"{label}.expires", "expires is before granted"))
        wid = vals.get("id")
        if wid is not None:
            if wid in seen:
                errors.append(doc.problem(at + ("id",), f"{label}.id",
                                          f"waiver id {wid!r} is also the id of the waiver at line {seen[wid]}"))
            seen[wid] = doc.where(at)[0]
        if len(errors) > before:
            continue
        out.append(Waiver(id=vals["id"], rule=vals["rule"], facility=vals["facility"], reason=vals["reason"],
                          approver=vals["approver"], document=vals["document"], expires=vals["expires"],
                          entity_type=etype, entity_id=eid, granted=vals.get("granted"), note=vals.get("note"),
                          file=doc.source, line=doc.where(at)[0]))
    if errors:
        raise InputError(errors)
    return tuple(out)


def load_waivers(source: Any) -> Tuple[Waiver, ...]:
    """Waivers from a file path, a list of mappings, or Waiver objects (as given)."""
    if isinstance(source, (str, os.PathLike)):
        return waivers_from_document(load_document(os.fspath(source)))
    if isinstance(source, Mapping) or (isinstance(source, Sequence) and not all(isinstance(w, Waiver) for w in source)):
        return waivers_from_document(Document("<waivers>", source, {}))
    return tuple(source)


def unknown_rules(waivers: Sequence[Waiver], rule_ids: Sequence[str]) -> List[Problem]:
    """Warnings for waivers whose ``rule`` names no rule of the selection
    (a misspelt id would otherwise only show as unmatched)."""
    from .record import suggest

    out = []
    for w in waivers:
        if not any(w.rule == r or fnmatch.fnmatchcase(r, w.rule) for r in rule_ids):
            out.append(Problem(w.file, w.line, 0, f"{w.id}.rule",
                               f"{w.rule!r} matches no rule of the selected rulesets{suggest(w.rule, rule_ids)}",
                               "warning"))
    return out


# ----------------------------------------------------------------- applying


class WaiverUse:
    """Per waiver id: findings waived, findings it covered after its expiry."""

    def __init__(self) -> None:
        self.waived: Dict[str, int] = {}
        self.expired: Dict[str, int] = {}

    def add(self, other: Mapping[str, Mapping[str, int]]) -> None:
        for key, counts in (("waived", self.waived), ("expired", self.expired)):
            for wid, n in other.get(key, {}).items():
                counts[wid] = counts.get(wid, 0) + n

    def to_dict(self) -> Dict[str, Dict[str, int]]:
        return {"waived": dict(self.waived), "expired": dict(self.expired)}


_EXPIRED_NOTE = ("豁免 {id}（{document}）已于 {expires} 到期，按原状态判定",
                 "waiver {id} ({document}) expired on {expires}: the original status stands")


def apply_waivers(rec: Any, waivers: Sequence[Waiver], use: Optional[WaiverUse] = None) -> Any:
    """``rec`` (a RecordReport) with its waivers applied (a new report; the
    same object when no waiver matches)."""
    if not waivers:
        return rec
    facility = rec.facility.get("id")
    mine = [w for w in waivers if w.facility == facility]
    if not mine:
        return rec
    as_of = dt.date.fromisoformat(rec.as_of)
    use = use if use is not None else WaiverUse()
    changed = False
    out = []
    for f in rec.findings:
        w = None
        if f.status in WAIVABLE:
            w = next((w for w in mine if w.state(as_of) != "not_yet_granted"
                      and w.matches(facility, f.rule, f.entity_type, f.entity_id)), None)
        if w is None:
            out.append(f)
            continue
        changed = True
        if w.state(as_of) == "expired":
            use.expired[w.id] = use.expired.get(w.id, 0) + 1
            fill = {"id": w.id, "document": w.document, "expires": w.expires.isoformat()}
            note = {"zh": _EXPIRED_NOTE[0].format(**fill), "en": _EXPIRED_NOTE[1].format(**fill)}
            out.append(attrs.evolve(f, waiver=w.to_dict(True), notes=tuple(f.notes) + (note,)))
        else:
            use.waived[w.id] = use.waived.get(w.id, 0) + 1
            out.append(attrs.evolve(f, status=WAIVED, waived_status=f.status, waiver=w.to_dict(False)))
    if not changed:
        return rec
    out.sort(key=lambda f: f.sort_key())
    return attrs.evolve(rec, findings=tuple(out))


def waivers_section(waivers: Sequence[Waiver], use: WaiverUse) -> List[Dict[str, Any]]:
    """The report's ``waivers`` list: every waiver and what it did
    (``state``: ``applied``, ``expired`` -- it covered findings only after
    its expiry --, or ``unmatched``)."""
    out = []
    for w in waivers:
        n, e = use.waived.get(w.id, 0), use.expired.get(w.id, 0)
        out.append({"id": w.id, "rule": w.rule, "facility": w.facility,
                    "entity": ({"type": w.entity_type, "id": w.entity_id} if w.entity_type else None),
                    "document": w.document, "approver": w.approver,
                    "granted": w.granted.isoformat() if w.granted else None, "expires": w.expires.isoformat(),
                    "defined_in": w.where, "waived": n, "expired": e,
                    "state": "applied" if n else "expired" if e else "unmatched"})
    return out


#: waivers named one by one on stderr; the rest are counted (all are in the JSON report)
LINES_SHOWN = 20


def waiver_lines(section: Sequence[Mapping[str, Any]], lang: str = "en") -> List[str]:
    """Lines for stderr: every waiver that did not simply apply, and a count."""
    lines: List[str] = []
    shown = 0
    for w in section:
        if shown >= LINES_SHOWN and (w["state"] == "unmatched" or w["expired"]):
            shown += 1
            continue
        shown += w["state"] == "unmatched" or bool(w["expired"])
        if w["state"] == "unmatched":
            lines.append(f"{w['defined_in']}: 豁免 {w['id']} 未匹配任何违规、待定或未到期的结论（规则 {w['rule']}，企业 {w['facility']}）"
                         if lang == "zh" else
                         f"{w['defined_in']}: waiver {w['id']} matched no violation, indeterminate or pending finding "
                         f"(rule {w['rule']}, facility {w['facility']})")
        if w["expired"]:
            lines.append(f"{w['defined_in']}: 豁免 {w['id']}（{w['document']}）已于 {w['expires']} 到期："
                         f"{w['expired']} 项结论按原状态判定"
                         if lang == "zh" else
                         f"{w['defined_in']}: waiver {w['id']} ({w['document']}) expired on {w['expires']}: "
                         f"{w['expired']} findings keep their status")
    if shown > LINES_SHOWN:
        rest = shown - LINES_SHOWN
        lines.append(f"……另有 {rest} 条豁免未匹配或已到期（见报告的 waivers 列表，--format json）" if lang == "zh"
                     else f"... and {rest} more waivers unmatched or expired (the report's waivers list, --format json)")
    applied = sum(w["waived"] for w in section)
    lines.append(f"豁免：{applied} 项结论在豁免期内（{len(section)} 条豁免）" if lang == "zh"
                 else f"waivers: {applied} findings waived ({len(section)} waivers)")
    return lines
