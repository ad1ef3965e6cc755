"""The record and ruleset formats as JSON Schema and as documentation.

Everything here is derived, never written by hand, so that it cannot drift:

* the record schema and ``docs/record-format.md`` from the record format
  (``data/record.yaml``, through :func:`compliance.vocabulary.vocabulary`)
  and the meanings beside it (``data/record_docs.yaml``);
* the ruleset schema from the type table of the ruleset format
  (:data:`compliance.ruleset_types.RULESET`) and the values the loader
  accepts (operators, severities, statuses, entity kinds), so a key another
  part of the project adds to the table is in the schema too.

The schemas are JSON Schema draft-07, the draft yaml-language-server (the
YAML support of VS Code, Neovim, Helix, JetBrains ...) reads completely; a
YAML file names one with the modeline ``# yaml-language-server:
$schema=PATH``. They check what a schema can (keys, types, allowed values,
the shape of a quantity); units, dimensions, dates and regions are checked
by ``compliance validate``. ``compliance schema record|ruleset`` prints
them; the package ships them as ``compliance/data/*.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

from .vocabulary import FieldSpec, vocabulary

__all__ = ["record_schema", "ruleset_schema", "record_docs", "record_markdown", "fields_text", "schema_text",
           "SHIPPED"]

DRAFT = "http://json-schema.org/draft-07/schema#"
_DATA = Path(__file__).parent / "data"
#: the schemas as shipped in the package (kept current by tests/test_schema.py)
SHIPPED = {"record": _DATA / "record.schema.json", "ruleset": _DATA / "ruleset.schema.json"}

#: "<number> <unit>": a number, then a unit (a bare number is refused)
QUANTITY_PATTERN = r"^\s*[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*[^\s\d.].*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


@functools.lru_cache(maxsize=1)
def record_docs() -> Dict[str, Any]:
    """The meanings of the record's fields (``data/record_docs.yaml``)."""
    text = (_DATA / "record_docs.yaml").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # trusted package data


@functools.lru_cache(maxsize=1)
def _value_order() -> Dict[Tuple[str, str], List[Any]]:
    """(section, dotted field) -> its values in the order record.yaml lists them."""
    raw = yaml.load((_DATA / "record.yaml").read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out: Dict[Tuple[str, str], List[Any]] = {}

    def walk(section: str, fields: Mapping[str, Any], prefix: str) -> None:
        for name, spec in fields.items():
            if "values" in spec:
                out[(section, prefix + name)] = list(spec["values"])
            if spec.get("type") == "mapping":
                walk(section, spec["fields"], f"{prefix}{name}.")

    walk("context", raw["context"], "")
    for section, body in raw["sections"].items():
        walk(section, body["fields"], "")
    return out


def ordered_values(spec: FieldSpec, section: str) -> List[Any]:
    """The field's allowed values, in the order of record.yaml."""
    order = _value_order().get((section, spec.name), [])
    return [v for v in order if v in spec.values] + sorted(v for v in spec.values if v not in order)


def _meaning(section: str, name: str) -> Dict[str, Any]:
    docs = record_docs()
    part = docs["context"] if section == "context" else docs["sections"].get(section, {})
    return (part.get("fields") or {}).get(name) or {}


def _nullable(schema: Dict[str, Any]) -> Dict[str, Any]:
    """A field written as null is unknown, as a field left out."""
    return {"anyOf": [schema, {"type": "null"}], **{k: schema.pop(k) for k in ("description", "examples", "default")
                                                   if k in schema}}


def example(spec: FieldSpec, section: str = "") -> Any:
    """The field's example: its documented one, else one of its type."""
    given = _meaning(section, spec.name).get("example")
    if given is not None:
        return given
    if spec.default is not None:
        return spec.default
    t = spec.type
    if t == "bool":
        return True
    if t in ("enum", "enum_list"):
        first = ordered_values(spec, section)[0]
        return [first] if t == "enum_list" else first
    if t in ("date", "date_or_false"):
        return dt.date(2019, 3, 1)
    if t == "integer":
        return spec.min if spec.min is not None else 1
    if t == "coverage":
        return "100 %"
    if t == "stage":
        return vocabulary().stage_levels(spec.scheme or "onroad")[-1]
    return None


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


#: the words of describe_type in Chinese
_ZH = {"quantity, canonical unit": "量值，标准单位", " (or t/h of steam)": "（或蒸吨/时）", "whole number": "整数",
       "one of the values": "取值之一", "list of the values": "取值列表", " (others accepted with a warning)": "（其他值给出警告）",
       "emission stage": "排放阶段", "non-road": "非道路", "on-road": "道路", "date (YYYY-MM-DD) or false": "日期（YYYY-MM-DD）或 false",
       "date (YYYY-MM-DD)": "日期（YYYY-MM-DD）", "coverage: 100 %, 0.95 or true/false": "落实比例：100 %、0.95 或 true/false",
       "region (GB/T 2260 code or name)": "行政区划（GB/T 2260 代码或名称）", "true/false": "是/否（true/false）",
       "mapping of the fields below": "下列字段的映射", "text": "文本", "e.g.": "例"}


def describe_type(spec: FieldSpec, lang: str = "en") -> str:
    """The field's type in words, with unit and bounds."""
    text = _describe_type(spec)
    if lang == "zh":
        for en, zh in sorted(_ZH.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(en, zh)
    return text


def _describe_type(spec: FieldSpec) -> str:
    t = spec.type
    if t == "quantity":
        out = f"quantity, canonical unit {spec.unit}"
        if spec.context == "boiler":
            out += " (or t/h of steam)"
        bounds = [f"≥ {spec.min:g}" if spec.min is not None else "", f"≤ {spec.max:g}" if spec.max is not None else ""]
        return out + (f"; {' '.join(b for b in bounds if b)}" if any(bounds) else "")
    if t == "integer":
        return f"whole number {spec.min:g}–{spec.max:g}" if spec.min is not None and spec.max is not None else "whole number"
    if t == "enum":
        return "one of the values" + (" (others accepted with a warning)" if spec.open else "")
    if t == "enum_list":
        return "list of the values" + (" (others accepted with a warning)" if spec.open else "")
    if t == "stage":
        return f"emission stage ({'non-road' if spec.scheme == 'nonroad' else 'on-road'})"
    if t == "date_or_false":
        return "date (YYYY-MM-DD) or false"
    if t == "date":
        return "date (YYYY-MM-DD)"
    if t == "coverage":
        return "coverage: 100 %, 0.95 or true/false"
    if t == "region":
        return "region (GB/T 2260 code or name)"
    if t == "bool":
        return "true/false"
    if t == "mapping":
        return "mapping of the fields below"
    return "text"


# ------------------------------------------------------------- record schema

def _field_schema(spec: FieldSpec, section: str, nullable: bool = True) -> Dict[str, Any]:
    t = spec.type
    vocab = vocabulary()
    s: Dict[str, Any]
    if t == "string":
        s = {"type": ["string", "number"]}  # kept as the text written
    elif t == "bool":
        s = {"type": "boolean"}
    elif t == "date":
        s = {"type": "string", "pattern": DATE_PATTERN, "format": "date"}
    elif t == "date_or_false":
        s = {"anyOf": [{"type": "string", "pattern": DATE_PATTERN, "format": "date"}, {"const": False}]}
    elif t == "integer":
        s = {"type": "integer"}
        if spec.min is not None:
            s["minimum"] = spec.min
        if spec.max is not None:
            s["maximum"] = spec.max
    elif t in ("enum", "enum_list"):
        one: Dict[str, Any] = {"enum": ordered_values(spec, section)}
        if spec.open:
            one = {"anyOf": [one, {"type": "string"}]}
        s = one if t == "enum" else {"type": "array", "items": one}
    elif t == "quantity":
        number = {"type": "number"}
        s = {"anyOf": [{"type": "string", "pattern": QUANTITY_PATTERN},
                       {"type": "object", "properties": {"value": number, "unit": {"type": "string"}},
                        "required": ["value", "unit"], "additionalProperties": False}]}
    elif t == "coverage":
        s = {"anyOf": [{"type": "boolean"}, {"type": "number", "minimum": 0, "maximum": 1},
                       {"type": "string", "pattern": QUANTITY_PATTERN}]}
    elif t == "stage":
        s = {"anyOf": [{"enum": vocab.stage_levels(spec.scheme or "onroad")}, {"type": ["string", "integer"]}]}
    elif t == "region":
        codes = sorted(vocab.regions)
        names = sorted({r.zh for r in vocab.regions.values()} | {r.en for r in vocab.regions.values()})
        s = {"anyOf": [{"enum": [int(c) for c in codes if c.isdigit()]}, {"enum": codes + names},
                       {"type": "string"}]}
    elif t == "mapping":
        s = _object({k: _field_schema(v, section) for k, v in spec.fields.items()}, entity=False)
    else:  # pragma: no cover - vocabulary refuses other types
        raise ValueError(t)
    meaning = _meaning(section, spec.name)
    if meaning:
        s["description"] = f"{meaning['en']} / {meaning['zh']} ({describe_type(spec)})"
    ex = example(spec, section)
    if ex is not None and t != "mapping":
        s["examples"] = [_json_value(ex)]
    if spec.default is not None:
        s["default"] = spec.default
    return s if spec.required or not nullable else _nullable(s)


def _object(properties: Dict[str, Any], entity: bool, required: Tuple[str, ...] = ()) -> Dict[str, Any]:
    vocab = vocabulary()
    props = dict(properties)
    if entity:
        props[vocab.free_form_field] = {"description": "free-form notes, kept and never read by the rules / 备注"}
    out: Dict[str, Any] = {"type": "object", "properties": props,
                           "patternProperties": {f"^{vocab.free_form_prefix}": {}},  # free-form x_… keys
                           "additionalProperties": False}
    if required:
        out["required"] = list(required)
    return out


def record_schema() -> Dict[str, Any]:
    """The JSON Schema of a facility record."""
    vocab = vocabulary()
    docs = record_docs()
    props: Dict[str, Any] = {"schema": {"const": vocab.schema_id, "description": "the record format's version"}}
    # context fields written as null are errors (leave the field out instead)
    context = {k: _field_schema(v, "context", nullable=False) for k, v in vocab.context_fields.items()}
    props["context"] = {**_object(context, entity=False), "description": docs["context"]["en"]}
    required = []
    for name, section in vocab.sections.items():
        fields = {k: _field_schema(v, name) for k, v in section.fields.items()}
        must = tuple(k for k, v in section.fields.items() if v.required)
        entity = _object(fields, entity=True, required=must)
        meaning = docs["sections"][name]
        about = f"{meaning['en']} / {meaning['zh']}"
        if section.kind == "list":
            props[name] = {"description": about, "anyOf": [{"type": "array", "items": entity}, {"type": "null"}]}
        elif name == "facility":
            props[name] = {**entity, "description": about}
            required.append(name)
        else:
            props[name] = {"description": about, "anyOf": [entity, {"type": "null"}]}
    out = _object(props, entity=False, required=tuple(required))
    return {"$schema": DRAFT, "title": f"Facility record ({vocab.schema_id})",
            "description": "A facility record of the compliance project (docs/record-format.md)", **out}


# ------------------------------------------------------------ ruleset schema

def _value_enums() -> Dict[str, List[Any]]:
    """Keys whose text the loader takes from a closed list, with the list."""
    from .operators import OPERATORS
    from .ruleset import SEVERITIES
    from .status import STATUSES

    vocab = vocabulary()
    return {"op": list(OPERATORS), "severity": list(SEVERITIES), "expect": list(STATUSES),
            "applies_to": list(vocab.sections), "alert": sorted(vocab.context_fields["alert"].values)}


def _required() -> Dict[int, List[str]]:
    from . import ruleset as loader
    from . import ruleset_types as types

    return {id(types.HEADER): sorted(loader._HEADER_REQUIRED), id(types.RULE): sorted(loader._RULE_REQUIRED),
            id(types.TEST): ["expect"], id(types.CITE): ["clause", "text"], id(types.PARAMETER): sorted(types.PARAMETER),
            id(types.BILINGUAL): ["en", "zh"], id(types.RULESET): ["ruleset"]}


class _RulesetSchema:
    def __init__(self) -> None:
        from . import ruleset_types as types

        self.types = types
        #: the named tables of the type table (CONDITION, RULE ...): definitions
        self.names = {id(v): k.lower() for k, v in vars(types).items()
                      if isinstance(v, dict) and k.isupper() and v and k != "RULESET"}
        self.definitions: Dict[str, Any] = {}
        self.enums = _value_enums()
        self.required = _required()
        self.forms = {id(f) for e in _eithers(types) for f in e.forms if isinstance(f, dict)}

    def spec(self, spec: Any, key: Optional[str] = None) -> Dict[str, Any]:
        t = self.types
        if isinstance(spec, t.Scalar):
            kinds = []
            for ty in spec.types:
                kinds.append({str: "string", int: "integer", float: "number", bool: "boolean",
                              dt.date: "string"}[ty])
            out: Dict[str, Any] = {"type": sorted(set(kinds))} if len(set(kinds)) > 1 else {"type": kinds[0]}
            if key in self.enums and spec.types == (str,):
                out = {"enum": self.enums[key]}
            out["description"] = spec.what
            return out
        if isinstance(spec, t.ListOf):
            return {"type": "array", "items": self.spec(spec.item)}
        if isinstance(spec, t.Either):
            return {"anyOf": [self.spec(f, key) for f in spec.forms], "description": spec.what}
        if isinstance(spec, dict):
            name = self.names.get(id(spec))
            if name is None:
                return self.mapping(spec)
            if name not in self.definitions:
                self.definitions[name] = {}  # placeholder: a recursive table refers to itself
                self.definitions[name] = self.mapping(spec)
            return {"$ref": f"#/definitions/{name}"}
        raise TypeError(spec)  # pragma: no cover

    def mapping(self, spec: Dict[str, Any]) -> Dict[str, Any]:
        if not spec:  # a free mapping (a record fragment)
            return {"type": "object"}
        out: Dict[str, Any] = {"type": "object", "properties": {k: self.spec(v, k) for k, v in spec.items()},
                               "additionalProperties": False}
        required = self.required.get(id(spec))
        if required is None and id(spec) in self.forms:  # {param: ID}, a lookup table: exactly its keys
            required = sorted(spec)
        if required:
            out["required"] = required
        if spec is self.types.RULE:
            out["anyOf"] = [{"required": ["require"]}, {"required": ["prohibited"]}]
        return out

    def schema(self) -> Dict[str, Any]:
        root = self.mapping(self.types.RULESET)
        return {"$schema": DRAFT, "title": "Ruleset of the compliance project",
                "description": "docs/ruleset-format.md", **root, "definitions": self.definitions}


def _eithers(types: Any) -> List[Any]:
    out: List[Any] = []
    seen: set = set()

    def walk(spec: Any) -> None:
        if id(spec) in seen:
            return
        seen.add(id(spec))
        if isinstance(spec, types.Either):
            out.append(spec)
            for f in spec.forms:
                walk(f)
        elif isinstance(spec, types.ListOf):
            walk(spec.item)
        elif isinstance(spec, dict):
            for v in spec.values():
                walk(v)

    walk(types.RULESET)
    return out


def ruleset_schema() -> Dict[str, Any]:
    """The JSON Schema of a ruleset file."""
    return _RulesetSchema().schema()


def schema_text(kind: str) -> str:
    """The schema as the JSON text shipped and printed."""
    schema = record_schema() if kind == "record" else ruleset_schema()
    return json.dumps(schema, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


# ------------------------------------------------------------- documentation

def _values(spec: FieldSpec, section: str) -> str:
    if spec.type in ("enum", "enum_list"):
        meanings = record_docs().get("values", {}).get(spec.name.rsplit(".", 1)[-1], {})
        shown = []
        for v in ordered_values(spec, section):
            m = meanings.get(v)
            shown.append(f"`{v}`" + (f" ({m['en']} / {m['zh']})" if m and m["en"] != v else ""))
        return ", ".join(shown) + (", or others (a warning)" if spec.open else "")
    if spec.type == "stage":
        return ", ".join(f"`{v}`" for v in vocabulary().stage_levels(spec.scheme or "onroad"))
    if spec.type == "date_or_false":
        return "a date, `false`"
    return ""


def _example_text(value: Any) -> str:
    value = _json_value(value)
    if isinstance(value, list):
        return "`[" + ", ".join(map(str, value)) + "]`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _rows(section: str, fields: Mapping[str, FieldSpec]) -> List[str]:
    out = ["| field | type | unit | allowed values | meaning | 含义 | example |", "|---|---|---|---|---|---|---|"]
    for name, spec in fields.items():
        m = _meaning(section, name)
        unit = spec.unit or ""
        if spec.plausible:
            unit += f" (plausible {spec.plausible[0]:g}–{spec.plausible[1]:g})"
        ex = example(spec, section)
        flags = (", required" if spec.required else "") + (f", default `{spec.default}`" if spec.default is not None else "")
        out.append("| " + " | ".join(_cell(x) for x in (
            f"`{name}`", describe_type(spec) + flags, unit, _values(spec, section), m.get("en", ""), m.get("zh", ""),
            _example_text(ex) if ex is not None and spec.type != "mapping" else "")) + " |")
    return out


def record_markdown() -> str:
    """``docs/record-format.md``: every field with meaning, type, unit,
    allowed values and an example."""
    vocab = vocabulary()
    docs = record_docs()
    lines = [
        "# Facility record format",
        "",
        "<!-- Generated from compliance/data/record.yaml and compliance/data/record_docs.yaml by",
        "     `compliance schema record --format markdown`; tests/test_schema.py fails when it is stale. -->",
        "",
        f"A facility record (`{vocab.schema_id}`) is one YAML or JSON document describing one regulated",
        "facility -- a plant, a construction project, a fleet operator or a proposed project -- as of",
        "one date. This page lists every field the format has; `compliance fields [KIND]` prints the",
        "same from an installed package, and `compliance schema record` its JSON Schema.",
        "",
        "## Conventions",
        "",
        "- **Quantities** are `\"<number> <unit>\"` or `{value: <number>, unit: <unit>}`, in any unit of",
        "  the field's dimension: pint spellings (`g/L`, `mg/m^3`, `t/h`, `MW`, `%`, `‰`) and the Chinese",
        "  ones of the source documents (`克/升`, `毫克/立方米`, `蒸吨/时`, `兆瓦`, `吨/年`, `米`). The",
        "  *unit* column is the canonical unit values are compared in. A bare number is an error.",
        "  Boiler capacity may be steam evaporation or thermal power: 1 t/h of steam = 0.7 MW. A value",
        "  outside the *plausible* range gets a warning (a slipped unit or digit), never an error.",
        "- **Dates** are `YYYY-MM-DD`. **Booleans** are `true`/`false`.",
        "- **A field left out, or written as null, is unknown**, never false or zero: a rule that needs it",
        "  reports `indeterminate`. A default applies only to a field left out.",
        "- **Emission stages**: on-road `1`…`5`, `6a`, `6b` (国三, 国III, China 3, 国六b, 国VI(B) are read",
        "  too); a bare `6` / 国六 is \"6a or 6b\". Non-road `1`…`4` (国四, 第三阶段, Stage III).",
        "- **Regions** are GB/T 2260 codes or their Chinese names; a district lies in its city, and both",
        "  in China (`CN`), so city and national rulesets apply to a district's facilities.",
        f"- **Free-form data**: `{vocab.free_form_field}` on the facility and every entity, and any key",
        f"  starting with `{vocab.free_form_prefix}` anywhere, are kept and never read by the rules. Any other",
        "  key the format does not declare is an error naming the field meant.",
        "- Every entity of a list has an `id` unique in its list; findings name it `boilers[B2]`.",
        "  `facility` is required; every other section is optional.",
        "",
        "More on how the loader reads values (YAML 1.1 numbers, text kept as written, null): ",
        "`docs/record-format-extensions.md`. Bad inputs and their messages: `docs/bad-input.md`.",
        "",
        "## Editor support",
        "",
        "The record and ruleset formats are JSON Schemas (draft-07), shipped in the package and",
        "printed by `compliance schema record` and `compliance schema ruleset`. With the YAML",
        "extension of VS Code (or any editor using yaml-language-server), a first line",
        "",
        "```yaml",
        "# yaml-language-server: $schema=record.schema.json",
        "```",
        "",
        "(a path relative to the file, or a URL) completes field names and allowed values, shows each",
        "field's meaning on hover and marks unknown keys. Write the schema beside your records with",
        "`compliance schema record -o record.schema.json`, or map it to a folder in the editor's",
        "settings (`\"yaml.schemas\": {\"./record.schema.json\": \"records/*.yaml\"}`). The schema checks",
        "keys, types and allowed values; `compliance validate` checks everything (units, dimensions,",
        "regions, dates).",
        "",
        "## Top level",
        "",
        "```yaml",
        "# yaml-language-server: $schema=../compliance/data/record.schema.json",
        f"schema: {vocab.schema_id}            # optional",
        "context:",
        "  as_of: 2019-03-01           # the date judged at",
        "  alert: orange               # alert in force",
        "facility: {...}               # required",
    ]
    for name, section in vocab.sections.items():
        if name != "facility":
            lines.append(f"{name}: {'[...]' if section.kind == 'list' else '{...}'}")
    lines += ["```", "", "## context", "", docs["context"]["en"] + " / " + docs["context"]["zh"] + ".", ""]
    lines += _rows("context", vocab.context_fields)
    for name, section in vocab.sections.items():
        meaning = docs["sections"][name]
        kind = "a list of entities" if section.kind == "list" else "one mapping"
        lines += ["", f"## {name} ({section.zh})", "", f"{meaning['en']} / {meaning['zh']}: {kind}.", ""]
        lines += _rows(name, section.leaves)
    lines += ["", "## Example", "", "```yaml", "# yaml-language-server: $schema=../compliance/data/record.schema.json"]
    lines += [
        "context: {as_of: 2019-03-01}",
        "facility:",
        "  id: 91120225MA05EXAMPLE",
        "  name: 蓟州示例汽车零部件有限公司",
        "  region: 120119",
        "  industries: [automotive_manufacturing, industrial_coating]",
        "boilers:",
        "  - {id: B1, fuel: coal, capacity: 20 蒸吨/时, use: industrial}",
        "  - {id: B2, fuel: gas, capacity: 2.8 MW, use: heating, emissions: {nox: 45 mg/m^3, o2: 3.5 %}}",
        "coatings:",
        "  - {id: C1, category: automotive_oem, voc_content: 610 g/L}",
        "stacks:",
        "  - {id: S1, height: 50 m, online_monitoring: false}",
        "```",
        "",
    ]
    return "\n".join(lines)


def fields_text(kind: Optional[str] = None, lang: str = "en") -> str:
    """``compliance fields [KIND]``: the fields of one entity kind (or the
    list of kinds), with type, unit, allowed values and meaning."""
    vocab = vocabulary()
    docs = record_docs()
    if kind is None:
        out = []
        for name, section in vocab.sections.items():
            m = docs["sections"][name]
            out.append(f"{name:<20} {len(section.leaves):>3} {'个字段' if lang == 'zh' else 'fields'}  {m[lang]}")
        out.append(f"{'context':<20} {len(vocab.context_fields):>3} {'个字段' if lang == 'zh' else 'fields'}  "
                   f"{docs['context'][lang]}")
        return "\n".join(out) + "\n"
    fields = vocab.context_fields if kind == "context" else vocab.sections[kind].leaves
    out = []
    for name, spec in fields.items():
        m = _meaning(kind, name)
        line = f"{name}: {describe_type(spec, lang)}"
        values = _values(spec, kind).replace("`", "")
        if values:
            line += f" [{values}]"
        ex = example(spec, kind)
        if ex is not None and spec.type != "mapping":
            line += f"; {_ZH['e.g.'] if lang == 'zh' else 'e.g.'} {_example_text(ex).strip('`')}"
        out.append(line)
        if m:
            out.append(f"    {m[lang]}")
    return "\n".join(out) + "\n"
