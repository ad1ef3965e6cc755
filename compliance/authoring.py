"""Messages for ruleset authors that lead to the working form.

Each function here turns a mistake an author makes while writing a ruleset
into a message that names what to write instead -- the condition key meant
(``or`` -> ``any``), the operator a list field takes (``includes``), the
quoting a YAML flow mapping needs, the entity kind a field belongs to. The
loader (:mod:`compliance.ruleset`) and the condition compiler
(:mod:`compliance.conditions`) call them where they refuse something; the
words of the format (keys, operators) come from the type table
(:mod:`compliance.ruleset_types`) and the record format, not from here.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

__all__ = ["unknown_condition_key", "list_field_hint", "unknown_field", "flow_comma_hint",
           "missing_require_hint", "not_a_condition_hint", "kinds_with", "record_field_hint",
           "not_a_list_field_hint"]

#: keys authors reach for, from other rule languages, and the key meant
_MEANT = {
    "or": ("any", "any: [<condition>, …] (at least one holds)"),
    "any_of": ("any", "any: [<condition>, …] (at least one holds)"),
    "anyOf": ("any", "any: [<condition>, …] (at least one holds)"),
    "and": ("all", "all: [<condition>, …] (every one holds)"),
    "all_of": ("all", "all: [<condition>, …] (every one holds)"),
    "allOf": ("all", "all: [<condition>, …] (every one holds)"),
    "none": ("not", "not: {any: [<condition>, …]} (none holds)"),
    "contains": ("includes", "{field: F, includes: VALUE} (a list field holds VALUE)"),
    "eq": ("equals", "{field: F, equals: VALUE}"),
    "is": ("equals", "{field: F, equals: VALUE}"),
    "value_in": ("in", "{field: F, in: [VALUE, …]}"),
    "operator": ("op", "{field: F, op: '<=', value: 30 mg/m^3}"),
}


def unknown_condition_key(key: Any, keys: Iterable[str]) -> str:
    """"unknown condition key 'or'" with the key meant and its form."""
    from .record import suggest

    meant = _MEANT.get(key) if isinstance(key, str) else None
    if meant is not None and meant[0] in set(keys):
        return f"unknown condition key {key!r}: write {meant[1]}"
    return f"unknown condition key {key!r}{suggest(key, keys)}"


def list_field_hint(label: str, value: Any) -> str:
    """A list field compared with equals/in/op: name ``includes``."""
    shown = value if isinstance(value, str) else "VALUE"
    return (f"{label} is a list field: test what it holds with {{field: {label}, includes: {shown}}} "
            f"(or includes_any: [...] / includes_all: [...]); equals, in and op compare single values")


def unknown_field(vocab: Any, section: str, name: str) -> str:
    """An entity field a rule names that ``section`` lacks: the sub-fields
    of a group (``emissions`` -> ``emissions.pm``), the entity kinds that do
    have it, or the closest name -- never the name itself."""
    from .record import suggest

    leaves = vocab.sections[section].leaves
    spec = leaves.get(name)
    if spec is not None and spec.type == "mapping":
        subs = [n for n in leaves if n.startswith(name + ".") and leaves[n].type != "mapping"]
        return (f"{name!r} is a group of fields of {section}; name one of them: {', '.join(subs)}")
    others = kinds_with(vocab, section, name)
    if others:
        hint = f"; write facility.{name}" if "facility" in others else ""
        return (f"unknown field {name!r} for {section}: {name} is a field of {', '.join(others)}, "
                f"not of {section} (applies_to names the entity kind){hint}")
    return f"unknown field {name!r} for {section}{suggest(name, [n for n in leaves if n != name])}"


def kinds_with(vocab: Any, section: str, name: str) -> list:
    """The entity kinds other than ``section`` that have the field ``name``."""
    return [s for s, sec in vocab.sections.items() if s != section and name in sec.leaves]


def record_field_hint(vocab: Any, section: str, name: Any) -> str:
    """For a record's unknown entity field: the kinds that have it, or ''."""
    others = kinds_with(vocab, section, name) if isinstance(name, str) and section in vocab.sections else []
    return f"; {name} is a field of {', '.join(others)}, not of {section}" if others else ""


def not_a_list_field_hint(kind: str, label: str, field_type: str, value: Any) -> str:
    """includes/includes_any/includes_all on a field of single values."""
    shown = value[0] if isinstance(value, list) and value else value
    shown = shown if isinstance(shown, (str, int, bool)) and not isinstance(shown, bool) else "VALUE"
    return (f"{kind!r} needs a list field; {label} is {field_type}: test its value with "
            f"{{field: {label}, equals: {shown}}} (or in: [...])")


def flow_comma_hint(raw: Any) -> Optional[str]:
    """A bilingual text written as a flow mapping whose text has a comma:
    ``{zh: …, en: Boilers, furnaces}`` reads ``furnaces`` as a third key
    (with no value). Say so, and how to quote it; None if not that case."""
    if not isinstance(raw, Mapping) or not {"zh", "en"} <= set(raw):
        return None
    extra = [k for k in raw if k not in ("zh", "en")]
    if not extra or any(raw[k] is not None for k in extra):
        return None
    keys = list(raw)
    before = [k for k in keys[:keys.index(extra[0])] if k in ("zh", "en")]
    lang = before[-1] if before else "en"  # the text the comma cut
    words = ", ".join(str(k) for k in extra)
    text = f"{raw[lang]}, {words}"
    return (f"the {lang} text has a comma inside a flow mapping {{zh: …, en: …}}, so YAML read "
            f"{', '.join(repr(str(k)) for k in extra)} as another key: quote the text: "
            f"{lang}: \"{text}\"")


def missing_require_hint() -> str:
    return ("required key 'require' is missing: write the duty as require: <condition>, "
            "or prohibited: true for what the source bans outright (the entities 'when' selects)")


def not_a_condition_hint(key: str, value: Any) -> Optional[str]:
    """``require: false`` / ``require: never``: an author saying "banned"."""
    if key == "require" and (value is False or value in ("never", "false", "none", "prohibited")):
        return ("to say that what 'when' selects is banned, write prohibited: true "
                "(instead of require): every entity 'when' selects is a violation")
    return None
