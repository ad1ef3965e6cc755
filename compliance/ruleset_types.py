"""The type of every key a ruleset file may hold, checked in one place.

:data:`RULESET` is the declarative table of the format of
``docs/ruleset-format.md``: for each key the loader (:mod:`compliance.ruleset`)
or the condition compiler (:mod:`compliance.conditions`) reads, what kind of
value it takes. :func:`type_problems` checks a loaded document against it
before anything is compiled, so a list where a scalar belongs
(``applies_to: [coatings]``, ``op: ['<=']``), a mapping where text belongs or a
key left without a value is reported with file, line and key -- and the code
after it only ever sees values of the types it expects.

The table checks types only: which values are valid (a known field, a unit
of the right dimension ...) is checked by the loader and the compiler, with
their own messages. Keys the table does not list are left to the loader,
which reports them as unknown (with a "did you mean").
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import attrs

from ._yaml import Document
from .errors import Problem

__all__ = ["Scalar", "ListOf", "Either", "RULESET", "REVIEW", "CONDITION", "type_problems", "condition_type_problem", "accepted"]


@attrs.frozen
class Scalar:
    """One value of one of ``types`` (``bool`` is not an ``int`` here)."""

    types: Tuple[type, ...]
    what: str  # how the message names it: "text", "a date" ...


@attrs.frozen
class ListOf:
    """A list (non-empty lists are the loader's business) of ``item``."""

    item: "Spec"


@attrs.frozen
class Either:
    """One of several forms, e.g. a value or ``{param: ID}``."""

    forms: Tuple["Spec", ...]
    what: str


#: a mapping: key -> spec of its value (other keys: the loader's unknown-key check)
Fields = Dict[str, "Spec"]
Spec = Union[Scalar, ListOf, Either, "Fields"]

TEXT_ = Scalar((str,), "text")
WHOLE = Scalar((int,), "a whole number")
BOOL = Scalar((bool,), "true or false")
DATE = Scalar((dt.date, str), "a date (YYYY-MM-DD)")
CODE = Scalar((str, int), "text or a number")  # clause "5", region 120119, version 2
VERSION = Scalar((str, int, dt.date), "text, a number or a date")
#: a comparison value: quantity text, number, date, stage, boolean
VALUE = Scalar((str, int, float, bool, dt.date), "a value (text, number, date or true/false)")
QUANTITY = Scalar((str, int, float), "a quantity (e.g. 30 mg/m^3)")
FREE: Fields = {}  # any mapping: a record fragment, checked by the record loader when it runs

BILINGUAL: Fields = {"zh": TEXT_, "en": TEXT_}
PARAM_REF: Fields = {"param": TEXT_}
#: a limit per value of another field: {by: category, table: {wood: 600 g/L, …}}
LOOKUP: Fields = {"by": TEXT_, "table": FREE}

CONDITION: Fields = {}  # recursive: filled below
CONDITION.update({
    "field": TEXT_,
    "op": TEXT_,
    "value": Either((VALUE, PARAM_REF, LOOKUP), "a value, {param: ID} or {by: FIELD, table: {…}}"),
    "oxygen_reference": Either((QUANTITY, PARAM_REF), "a percentage or {param: ID}"),
    "equals": VALUE,
    "in": ListOf(VALUE),
    "includes": TEXT_,
    "includes_any": ListOf(TEXT_),
    "includes_all": ListOf(TEXT_),
    "known": BOOL,
    "coverage": TEXT_,
    "of": ListOf(TEXT_),
    "at_least": Scalar((str, int, float, bool), "a percentage"),
    "all": ListOf(CONDITION),
    "any": ListOf(CONDITION),
    "not": CONDITION,
})

HEADER: Fields = {
    "id": TEXT_, "title": BILINGUAL, "short_title": BILINGUAL, "issuer": TEXT_, "issued": DATE, "jurisdiction": CODE,
    "source": TEXT_, "version": VERSION, "kind": TEXT_, "note": TEXT_, "url": TEXT_,
    "oxygen_reference": Either((QUANTITY, PARAM_REF), "a percentage or {param: ID}"),  # default of its rules
}
PARAMETER: Fields = {
    "id": TEXT_, "value": QUANTITY, "description": BILINGUAL,
    "source": {"document": TEXT_, "clause": CODE, "text": TEXT_, "secondary": ListOf(TEXT_)},
}
TEST: Fields = {
    "expect": TEXT_, "entity": FREE, "facility": FREE, "as_of": DATE, "alert": TEXT_, "name": TEXT_,
}
CITE: Fields = {"document": TEXT_, "clause": CODE, "text": TEXT_, "row": WHOLE, "secondary": ListOf(TEXT_)}
RULE: Fields = {
    "id": TEXT_, "title": BILINGUAL,
    "cite": CITE,
    "applies_to": TEXT_, "when": CONDITION, "require": CONDITION,
    "prohibited": BOOL,  # instead of require: every entity `when` selects is a violation
    "oxygen_reference": Either((QUANTITY, PARAM_REF), "a percentage or {param: ID}"),  # of its emissions.* comparisons
    "unless": {"if": CONDITION, "name": BILINGUAL},
    "effective_from": DATE, "deadline": DATE, "until": DATE,
    "severity": TEXT_, "message": BILINGUAL, "note": TEXT_, "tests": ListOf(TEST),
}
#: a manual-review item: a clause that applies but that the tool does not decide
REVIEW_REASON: Fields = {"code": TEXT_, "zh": TEXT_, "en": TEXT_}
REVIEW: Fields = {
    "id": TEXT_, "title": BILINGUAL,
    "cite": CITE,
    "applies_to": TEXT_, "when": CONDITION,
    "effective_from": DATE, "deadline": DATE, "until": DATE,
    "reason": REVIEW_REASON, "note": TEXT_, "tests": ListOf(TEST),
}
#: the whole file
RULESET: Fields = {"ruleset": HEADER, "parameters": ListOf(PARAMETER), "rules": ListOf(RULE),
                   "manual_review": ListOf(REVIEW)}


def _describe(spec: Spec) -> str:
    if isinstance(spec, Scalar):
        return spec.what
    if isinstance(spec, Either):
        return spec.what
    if isinstance(spec, ListOf):
        return "a list"
    return "a mapping"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (the key has no value)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"a number ({value!r})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    return f"text ({value!r})"


def accepted(spec: Spec, value: Any) -> bool:
    """Whether ``value`` has a type ``spec`` takes (at its top level)."""
    if isinstance(spec, Scalar):
        if isinstance(value, bool):
            return bool in spec.types
        if isinstance(value, dt.datetime):  # a timestamp is not a date
            return False
        return isinstance(value, spec.types) and value is not None
    if isinstance(spec, Either):  # a mapping form takes exactly its keys: {param: ID}
        return any(isinstance(value, Mapping) and set(value) == set(f) if isinstance(f, dict) else accepted(f, value)
                   for f in spec.forms)
    if isinstance(spec, ListOf):
        return isinstance(value, list)
    return isinstance(value, Mapping)


PathT = Tuple[Any, ...]


def _label(head: str, rest: PathT) -> str:
    """``head`` (what the path starts at) then the path's keys and indices."""
    out = head
    for part in rest:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _walk(spec: Spec, value: Any, path: PathT, found: List[Tuple[PathT, str]]) -> None:
    """Append (path, message) for each value below ``path`` of a type
    ``spec`` does not take (a plain recursion: it runs on every load)."""
    if isinstance(spec, Either):
        for form in spec.forms:
            if accepted(Either((form,), spec.what), value):
                _walk(form, value, path, found)
                return
    if not accepted(spec, value):
        found.append((path, f"expected {_describe(spec)}, got {_kind(value)}"))
    elif isinstance(spec, ListOf):
        item = spec.item
        for i, v in enumerate(value):
            _walk(item, v, path + (i,), found)
    elif isinstance(spec, dict):
        for key, v in value.items():
            sub = spec.get(key)
            if sub is not None:
                _walk(sub, v, path + (key,), found)


def condition_type_problem(raw: Any, path: PathT = ()) -> Optional[Tuple[PathT, str]]:
    """The first value of the condition ``raw`` of a type the format does
    not allow, as (path, "key: message"); None when every type is right."""
    found: List[Tuple[PathT, str]] = []
    _walk(CONDITION, raw, tuple(path), found)
    if not found:
        return None
    where, message = found[0]
    label = _label("", where[len(path):])
    return where, f"{label}: {message}" if label else message


def type_problems(doc: Document) -> List[Problem]:
    """Every value of ``doc`` (a ruleset file) whose type the format does
    not allow, located at the value, named by its key (rules by their id)."""
    data = doc.data
    if not isinstance(data, Mapping):
        return []  # the loader says what a ruleset file must be
    found: List[Tuple[PathT, str]] = []
    _walk(RULESET, data, (), found)
    out = []
    for path, message in found:
        if path[0] in ("rules", "manual_review") and len(path) > 2:  # named by its id, as the loader does
            rule = data[path[0]][path[1]]
            rid = rule.get("id")
            head = rid if isinstance(rid, str) and rid and path[2] != "id" else f"{path[0]}[{path[1]}]"
            label = _label(head, path[2:])
        else:
            label = _label("", path)
        if len(path) == 3 and path[0] == "rules":
            from .authoring import not_a_condition_hint

            hint = not_a_condition_hint(str(path[2]), data["rules"][path[1]].get(path[2]))
            message = f"{message}; {hint}" if hint else message
        line, col = doc.where(path)
        out.append(Problem(doc.source, line, col, label, message))
    return out
