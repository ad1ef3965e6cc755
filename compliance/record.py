"""Load facility records: YAML (or a dict) -> :class:`Record`, with locations.

This stage checks structure only -- top-level keys, sections, entity ids,
unknown fields -- and keeps the raw values with the line each was written
on. Value typing (units, stages, regions, dates) is the next stage,
:mod:`compliance.normalise`.

Nothing written is dropped or renamed:

* an id is the text as written (``id: 010`` is ``"010"``, not the YAML 1.1
  octal 8: see :meth:`~compliance._yaml.Document.text_of`);
* a field the record format does not declare is an error (a typo, a case
  change such as ``NOx``, a Cyrillic look-alike letter, a zero-width space
  would otherwise silently turn its checks ``indeterminate``), with the
  field it resembles; free-form data has its own places, kept and never
  read by the rules: ``notes`` on the facility and every entity, and any
  key starting with ``x_`` (``free_form`` in ``data/record.yaml``).
"""

from __future__ import annotations

import os
import unicodedata
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


#: characters that show as nothing: dropped when comparing names, named in messages
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u180e")
#: Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables,
#: the letters that occur in practice), mapped to the Latin letter
_LOOKALIKE = str.maketrans(
    "АВЕКМНОРСТХУаеорсхуіјѕһԁԛԝІЈЅ"
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαικνορτυχ",
    "ABEKMHOPCTXYaeopcxyijshdqwIJS"
    "ABEZHIKMNOPTYXaikvoptux",
)


def _fold(word: str) -> str:
    """``word`` as compared for "did you mean": NFKC, invisible characters
    dropped, look-alike letters made Latin, case folded."""
    word = unicodedata.normalize("NFKC", word)
    return "".join(c for c in word if c not in _INVISIBLE).translate(_LOOKALIKE).casefold()


def _char(c: str) -> str:
    return f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')}"


def _difference(word: str, meant: str) -> str:
    """What makes ``word`` (equal to ``meant`` when folded) another name."""
    invisible = [c for c in word if c in _INVISIBLE]
    if invisible:
        return f"it contains an invisible {', '.join(dict.fromkeys(map(_char, invisible)))}"
    foreign = [c for c in word if not c.isascii()]
    if foreign:
        return ("it is written with " + ", ".join(f"{c!r} ({_char(c)})" for c in dict.fromkeys(foreign))
                + ", not the Latin letter" + ("s" if len(set(foreign)) > 1 else ""))
    return "only the letter case differs"


def suggest(word: str, options) -> str:
    """' (did you mean X?)' for the closest option, or ''.

    A name that is an option but for letter case, look-alike Cyrillic or
    Greek letters, full-width forms or invisible characters gets that option
    and what differs.
    """
    import difflib  # only when something is misspelt

    word = str(word)
    names = sorted(n for n in map(str, options) if n != word)  # never the name itself
    folded = _fold(word)
    same = [n for n in names if _fold(n) == folded and n != word]
    if same:
        return f" (did you mean {same[0]!r}? {_difference(word, same[0])})"
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    if not close:
        by_fold = {_fold(n): n for n in names}
        close = [by_fold[c] for c in difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.6)]
    invisible = [c for c in word if c in _INVISIBLE]
    note = f" it contains an invisible {', '.join(dict.fromkeys(map(_char, invisible)))}" if invisible else ""
    return f" (did you mean {close[0]!r}?{note})" if close else f" ({note[1:]})" if note else ""


def free_form(key: Any, entity_level: bool = False) -> bool:
    """Whether ``key`` holds free-form data the rules never read: a key with
    the ``x_`` prefix at any level, ``notes`` on an entity (``free_form`` in
    ``data/record.yaml``)."""
    vocab = vocabulary()
    return type(key) is str and (key.startswith(vocab.free_form_prefix)
                                 or (entity_level and key == vocab.free_form_field))


def _free_form_hint() -> str:
    vocab = vocabulary()
    return f"free-form data goes under {vocab.free_form_field!r} or a key starting with {vocab.free_form_prefix!r}"


def _check_fields(doc: Document, path, raw: Mapping, fields, label: str, errors: List[Problem],
                  entity_level: bool = True) -> None:
    """Refuse unknown fields (recursively into mapping fields)."""
    for key, value in raw.items():
        spec = fields.get(key)
        if spec is None:
            if free_form(key, entity_level):
                continue
            line, col = doc.key_where(path + (key,))
            other = ""
            if entity_level:  # a field of another entity kind: say whose
                from .authoring import record_field_hint

                other = record_field_hint(vocabulary(), str(path[0]), key)
            errors.append(
                Problem(doc.source, line, col, f"{label}.{key}",
                        f"unknown field{suggest(key, fields)}{other}: not in the record format, so it would be "
                        f"ignored ({_free_form_hint()})")
            )
        elif spec.type == "mapping" and isinstance(value, Mapping):
            _check_fields(doc, path + (key,), value, spec.fields, f"{label}.{key}", errors, False)


def _entity_id(doc: Document, path, raw: Mapping, label: str, errors: List[Problem]) -> Optional[str]:
    """The id of an entity as written, or None (with the error recorded)."""
    value = raw.get("id")
    text = None if value is None else doc.text_of(path + ("id",), value)
    if text is None or text.strip() == "":
        if value is None or text is not None:
            message = "required field 'id' is missing or empty"
        else:
            message = f"the id must be text, got {_kind(value)} {value!r}: write it in quotes"
        errors.append(doc.problem(path + ("id",) if "id" in raw else path, label, message))
        return None
    return text


class CemsExpanded(dict):
    """The data of a document whose CEMS exports were read (compliance.cems.stage.expand)."""


def _cems_pending(doc: Document) -> bool:
    """Whether ``doc``'s stacks reference CEMS exports not yet read (a
    ``cems`` mapping without ``export`` -- notes only -- references none)."""
    data = doc.data
    if not isinstance(data, dict) or isinstance(data, CemsExpanded):
        return False
    stacks = data.get("stacks")
    return isinstance(stacks, list) and any(
        isinstance(s, dict) and isinstance(s.get("cems"), dict) and "export" in s["cems"] for s in stacks)


def _cems_facts(doc: Document) -> Document:
    """``doc`` with the facts derived from the CEMS exports its stacks
    reference (:func:`compliance.cems.stage.expand`); the package (and
    numpy) is imported only for a record that references one."""
    if not _cems_pending(doc):
        return doc
    from .cems.stage import expand

    return expand(doc)


def record_from_document(doc: Document) -> Record:
    """Check the structure of a loaded document and return a :class:`Record`."""
    doc = _cems_facts(doc)  # facts derived from CEMS exports the record references (compliance.cems)
    vocab = vocabulary()
    errors: List[Problem] = []
    data = doc.data
    if not isinstance(data, dict):
        raise InputError(doc.problem((), "", f"the top level must be a mapping, got {_kind(data)}"))
    allowed = {"schema", "context", *vocab.sections}
    for key in data:
        if key not in allowed and not free_form(key):
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
        if key not in vocab.context_fields and not free_form(key):
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
        fid = _entity_id(doc, ("facility",), facility_raw, "facility.id", errors) or "?"
        _check_fields(doc, ("facility",), facility_raw, vocab.sections["facility"].fields, "facility", errors)
        facility = RawEntity("facility", fid, dict(facility_raw), ("facility",))

    entities: List[RawEntity] = []
    for name, spec in vocab.sections.items():
        if name == "facility" or name not in data or data[name] is None:
            continue
        entities.extend(_section(doc, name, spec, data[name], facility, errors))
    if errors or facility is None:
        raise InputError(errors)
    return Record(doc.source, doc, dict(context), facility, tuple(entities))


def _section(doc, name: str, spec: SectionSpec, raw, facility, errors) -> List[RawEntity]:
    fid = facility.id if facility else "?"
    if spec.kind == "single":
        if not isinstance(raw, dict):
            errors.append(doc.problem((name,), name, f"must be a mapping, got {_kind(raw)}"))
            return []
        _check_fields(doc, (name,), raw, spec.fields, name, errors)
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
        eid = _entity_id(doc, path, item, f"{name}[{i}].id", errors)
        if eid is None:
            continue
        if eid in seen:
            errors.append(doc.problem(path + ("id",), f"{name}[{eid}].id",
                                      f"duplicate id {eid!r} (first on line {doc.where(seen[eid])[0]})"))
            continue
        seen[eid] = path
        _check_fields(doc, path, item, spec.fields, f"{name}[{eid}]", errors)
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
