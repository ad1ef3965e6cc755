"""Baselines: adopt the tool on an existing register by reporting only what
is new.

``--create-baseline FILE`` writes the key of every finding of the statuses
:data:`BASELINE_STATUSES` (violation, indeterminate, manual_review, pending) -- the
record (facility id; the input's source when the record has none), the
entity, the rule, the ruleset id *and version*, and the status -- as a
small JSON file. ``--baseline FILE`` then removes from the report the
findings whose key is in it: a finding is reported when it is new, or its
status changed, or its ruleset's version changed (a new version of a
ruleset is judged afresh: every finding of it is new until a new baseline
is made). Findings of other statuses are always reported. The run says how
many findings the baseline suppressed and how many of its entries were not
seen again (``resolved``): never silently.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

import attrs

from ._yaml import MAX_BYTES, decode, load_text
from .errors import InputError, Problem
from .status import INDETERMINATE, MANUAL_REVIEW, PENDING, VIOLATION

__all__ = ["BASELINE_STATUSES", "SCHEMA", "finding_keys", "load_baseline", "write_baseline", "apply_baseline",
           "BaselineUse", "baseline_lines"]

SCHEMA = "compliance-baseline/1"
#: the statuses a baseline holds and suppresses: those a check may fail on
BASELINE_STATUSES = (VIOLATION, INDETERMINATE, MANUAL_REVIEW, PENDING)
_KEY_FIELDS = ("record", "entity_type", "entity_id", "rule", "ruleset", "version", "status")

Key = Tuple[str, str, str, str, str, str, str]


def _record_key(rec: Any) -> str:
    fid = rec.facility.get("id")
    return str(fid) if fid is not None else rec.source


def finding_keys(rec: Any, versions: Mapping[str, str]) -> List[Key]:
    """The baseline keys of ``rec``'s findings of the baseline statuses."""
    record = _record_key(rec)
    return [(record, f.entity_type, f.entity_id, f.rule, f.ruleset, versions.get(f.ruleset, ""), f.status)
            for f in rec.findings if f.status in BASELINE_STATUSES]


def write_baseline(path: str, keys: Iterable[Key], refs: Sequence[Mapping[str, str]]) -> int:
    """Write the baseline file (sorted, one finding per line); returns the count."""
    rows = sorted(set(keys))
    lines = [json.dumps(dict(zip(_KEY_FIELDS, k)), ensure_ascii=False) for k in rows]
    head = json.dumps({"schema": SCHEMA, "rulesets": [dict(r) for r in refs]}, ensure_ascii=False)
    text = head[:-1] + ', "findings": [' + ("\n  " + ",\n  ".join(lines) + "\n" if lines else "") + "]}\n"
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return len(rows)


#: a baseline holds every known finding of a register: far larger than one record may be
MAX_BASELINE_BYTES = 512 * 1024 * 1024


def load_baseline(path: str) -> FrozenSet[Key]:
    """The keys of a baseline file; problems name file, line and field (InputError).

    Read with :mod:`json` (a register's baseline runs to megabytes); only a
    file with a problem is read again with the located loader, so that each
    problem names its line."""
    from ._yaml import open_regular

    path = os.fspath(path)
    with open_regular(path) as fh:
        raw = fh.read(MAX_BASELINE_BYTES + 1)
    if len(raw) > MAX_BASELINE_BYTES:
        raise InputError([Problem(path, 0, 0, "", f"baseline larger than {MAX_BASELINE_BYTES} bytes")])
    try:
        data = json.loads(raw.decode("utf-8"))
        return _keys(data)
    except (ValueError, _Bad):
        pass
    if len(raw) > MAX_BYTES:  # too large for the located loader: the first problem, without its line
        try:
            _keys(json.loads(raw.decode("utf-8", "replace")))
        except ValueError as exc:
            raise InputError([Problem(path, getattr(exc, "lineno", 0), getattr(exc, "colno", 0), "",
                                      f"not JSON: {exc}")]) from None
        except _Bad as exc:
            raise InputError([Problem(path, 0, 0, exc.field, exc.message)]) from None
    doc = load_text(decode(raw, path), path)  # located: every problem with its line
    data = doc.data
    if not isinstance(data, Mapping) or data.get("schema") != SCHEMA or not isinstance(data.get("findings"), list):
        raise InputError([doc.problem((), "schema", _NOT_BASELINE)])
    errors = [doc.problem(("findings", i), f"findings[{i}]", _BAD_ROW) for i, row in enumerate(data["findings"])
              if not _row_ok(row)]
    raise InputError(errors or [doc.problem((), "", "not a valid baseline")])


_NOT_BASELINE = (f"not a baseline file: expected a JSON object with \"schema\": \"{SCHEMA}\" and a \"findings\" "
                 "list (made by --create-baseline)")
_BAD_ROW = f"expected an object with the text fields {', '.join(_KEY_FIELDS)}"


class _Bad(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _row_ok(row: Any) -> bool:
    return isinstance(row, Mapping) and sorted(row) == sorted(_KEY_FIELDS) and all(
        isinstance(row[k], str) for k in _KEY_FIELDS)


def _keys(data: Any) -> FrozenSet[Key]:
    if not isinstance(data, Mapping) or data.get("schema") != SCHEMA or not isinstance(data.get("findings"), list):
        raise _Bad("schema", _NOT_BASELINE)
    keys: Set[Key] = set()
    for i, row in enumerate(data["findings"]):
        if not _row_ok(row):
            raise _Bad(f"findings[{i}]", _BAD_ROW)
        keys.add(tuple(row[k] for k in _KEY_FIELDS))  # type: ignore[arg-type]
    return frozenset(keys)


class BaselineUse:
    """What a baseline did over a run: findings suppressed, baseline keys seen."""

    def __init__(self) -> None:
        self.suppressed = 0
        self.new = 0
        self.seen: Set[Key] = set()

    def add(self, suppressed: int, new: int, seen: Iterable[Key]) -> None:
        self.suppressed += suppressed
        self.new += new
        self.seen.update(seen)

    def section(self, path: str, keys: FrozenSet[Key]) -> Dict[str, Any]:
        return {"file": path, "entries": len(keys), "suppressed": self.suppressed, "new": self.new,
                "resolved": len(keys - self.seen)}


def apply_baseline(rec: Any, keys: FrozenSet[Key], versions: Mapping[str, str],
                   use: Optional[BaselineUse] = None) -> Any:
    """``rec`` without the findings the baseline holds (a new report)."""
    record = _record_key(rec)
    kept = []
    seen: List[Key] = []
    new = 0
    for f in rec.findings:
        if f.status in BASELINE_STATUSES:
            key = (record, f.entity_type, f.entity_id, f.rule, f.ruleset, versions.get(f.ruleset, ""), f.status)
            if key in keys:
                seen.append(key)
                continue
            new += 1
        kept.append(f)
    if use is not None:
        use.add(len(seen), new, seen)
    if not seen:
        return rec
    return attrs.evolve(rec, findings=tuple(kept))


def baseline_lines(section: Mapping[str, Any], lang: str = "en") -> List[str]:
    if lang == "zh":
        return [f"基线 {section['file']}：{section['suppressed']} 项已在基线中的结论未列出，新增 {section['new']} 项；"
                f"基线中 {section['resolved']} 项本次未再出现"]
    return [f"baseline {section['file']}: {section['suppressed']} findings already in the baseline not shown, "
            f"{section['new']} new; {section['resolved']} baseline entries not seen again"]
