"""Load facility records: YAML (or a dict) -> :class:`Record`, with locations.

This stage checks structure only -- top-level keys, sections, entity ids,
unknown fields -- and keeps the raw values with the line each was written
on. Value typing (units, stages, regions, dates) is the next stage,
:mod:`compliance.normalise`.
"""

from __future__ import annotations

import os
from typing import Any, List, Mapping, Optional, Tuple, Union

import attrs

from ._yaml import Document, load_document
from .errors import InputError, Problem
from .vocabulary import SectionSpec, vocabulary

__all__ = ["RawEntity", "Record", "load_record", "record_from_data"]


@attrs.frozen
class RawEntity:
    """One entity as written: its section, id, raw fields and YAML path."""

    section: str
    id: str
    fields: Mapping[str, Any]
    path: Tuple[Any, ...]

    @property
    def ref(self) -> str:
        """``boilers[B1]``; a single-mapping section is named by itself."""
        return self.section if len(self.path) == 1 else f"{self.section}[{self.id}]"


@attrs.frozen
class Record:
    """A structurally valid facility record, values not yet typed."""

    source: str
    document: Document
    context: Mapping[str, Any]
    facility: RawEntity
    entities: Tuple[RawEntity, ...]
    warnings: Tuple[Problem, ...] = ()


def suggest(word: str, options) -> str:
    """' (did you mean X?)' for the closest option, or ''."""
    import difflib  # only when something is misspelt

    close = difflib.get_close_matches(str(word), sorted(map(str, options)), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_fields(doc: Document, path, raw: Mapping, fields, label: str, warnings: List[Problem]) -> None:
    """Warn about unknown fields (recursively into mapping fields)."""
    for key, value in raw.items():
        spec = fields.get(key)
        if spec is None:
            line, col = doc.key_where(path + (key,))
            warnings.append(
                Problem(doc.source, line, col, f"{label}.{key}",
                        f"unknown field, ignored{suggest(key, fields)}", "warning")
            )
        elif spec.type == "mapping" and isinstance(value, Mapping):
            _check_fields(doc, path + (key,), value, spec.fields, f"{label}.{key}", warnings)


def record_from_document(doc: Document) -> Record:
    """Check the structure of a loaded document and return a :class:`Record`."""
    vocab = vocabulary()
    errors: List[Problem] = []
    warnings: List[Problem] = []
    data = doc.data
    if not isinstance(data, dict):
        raise InputError(doc.problem((), "", f"the top level must be a mapping, got {_kind(data)}"))
    allowed = {"schema", "context", *vocab.sections}
    for key in data:
        if key not in allowed:
            line, col = doc.key_where((key,))
            errors.append(Problem(doc.source, line, col, key,
                                  f"unknown top-level key{suggest(key, allowed)}; "
                                  "a misspelt section would silently skip its checks"))
    if "schema" in data and data["schema"] != vocab.schema_id:
        errors.append(doc.problem(("schema",), "schema",
                                  f"unsupported schema {data['schema']!r}; expected {vocab.schema_id!r}"))
    context = data.get("context") or {}
    if not isinstance(context, dict):
        errors.append(doc.problem(("context",), "context", f"must be a mapping, got {_kind(context)}"))
        context = {}
    for key in context:
        if key not in vocab.context_fields:
            line, col = doc.key_where(("context", key))
            errors.append(Problem(doc.source, line, col, f"context.{key}",
                                  f"unknown context field{suggest(key, vocab.context_fields)}"))

    facility_raw = data.get("facility")
    facility: Optional[RawEntity] = None
    if facility_raw is None:
        errors.append(doc.problem((), "facility", "required section 'facility' is missing"))
    elif not isinstance(facility_raw, dict):
        errors.append(doc.problem(("facility",), "facility", f"must be a mapping, got {_kind(facility_raw)}"))
    else:
        fid = facility_raw.get("id")
        if fid is None or isinstance(fid, (dict, list, bool)) or str(fid).strip() == "":
            errors.append(doc.problem(("facility", "id") if "id" in facility_raw else ("facility",),
                                      "facility.id", "required field 'id' is missing or empty"))
            fid = "?"
        _check_fields(doc, ("facility",), facility_raw, vocab.sections["facility"].fields, "facility", warnings)
        facility = RawEntity("facility", str(fid), dict(facility_raw), ("facility",))

    entities: List[RawEntity] = []
    for name, spec in vocab.sections.items():
        if name == "facility" or name not in data or data[name] is None:
            continue
        entities.extend(_section(doc, name, spec, data[name], facility, errors, warnings))
    if errors or facility is None:
        raise InputError(errors)
    return Record(doc.source, doc, dict(context), facility, tuple(entities), tuple(sorted(warnings)))


def _section(doc, name: str, spec: SectionSpec, raw, facility, errors, warnings) -> List[RawEntity]:
    fid = facility.id if facility else "?"
    if spec.kind == "single":
        if not isinstance(raw, dict):
            errors.append(doc.problem((name,), name, f"must be a mapping, got {_kind(raw)}"))
            return []
        _check_fields(doc, (name,), raw, spec.fields, name, warnings)
        return [RawEntity(name, fid, dict(raw), (name,))]
    if not isinstance(raw, list):
        errors.append(doc.problem((name,), name, f"must be a list of entities, got {_kind(raw)}"))
        return []
    out: List[RawEntity] = []
    seen: dict = {}
    for i, item in enumerate(raw):
        path = (name, i)
        if not isinstance(item, dict):
            errors.append(doc.problem(path, f"{name}[{i}]", f"must be a mapping, got {_kind(item)}"))
            continue
        eid = item.get("id")
        if eid is None or isinstance(eid, (dict, list, bool)) or str(eid).strip() == "":
            errors.append(doc.problem(path, f"{name}[{i}].id", "required field 'id' is missing or empty"))
            continue
        eid = str(eid)
        if eid in seen:
            errors.append(doc.problem(path + ("id",), f"{name}[{eid}].id",
                                      f"duplicate id {eid!r} (first on line {doc.where(seen[eid])[0]})"))
            continue
        seen[eid] = path
        _check_fields(doc, path, item, spec.fields, f"{name}[{eid}]", warnings)
        out.append(RawEntity(name, eid, dict(item), path))
    return out


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def record_from_data(data: Mapping, source: str = "<record>") -> Record:
    """Build a :class:`Record` from an in-memory mapping (the Python API)."""
    # no deep copy: the loader and normaliser only read the caller's data,
    # and every value is converted before the record is judged
    return record_from_document(Document(source, dict(data) if isinstance(data, Mapping) else data, {}))


def load_record(source: Union[str, os.PathLike, Mapping]) -> Record:
    """Load a facility record from a path or a mapping."""
    if isinstance(source, Mapping):
        return record_from_data(source)
    return record_from_document(load_document(os.fspath(source)))
