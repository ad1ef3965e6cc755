"""The condition language of rules, compiled once, evaluated three-valued.

A condition is written in YAML (see ``docs/ruleset-format.md``)::

    {field: voc_content, op: "<=", value: 580 g/L}
    {field: emissions.pm, op: "<=", value: 30 mg/m^3, oxygen_reference: 9 %}
    {field: fuel, in: [coal, petroleum_coke]}       # or  equals: coal
    {field: facility.industries, includes: steel}   # or  includes_any: [...]
    {field: emission_stage, op: ">=", value: "5"}   # ordinal stage compare
    {field: online_monitoring, equals: true}
    {field: town, known: true}                      # the field is given
    {coverage: dust_measures, of: [perimeter_hoarding, ...], at_least: 100 %}
    {all: [...]}   {any: [...]}   {not: {...}}

Field names are the entity's own (dotted into mappings: ``emissions.pm``),
or ``facility.<field>`` / ``context.<field>`` for the record's facility and
context. Every name, value, unit and dimension is checked against the record
format when the rule is compiled (:func:`compile_condition`).

Evaluation is three-valued: ``True``, ``False`` or ``None`` (unknown,
because a field is missing or a stage is ambiguous). An :class:`Outcome`
says which, which fields were missing, and which comparisons were made
(observed vs limit) -- the material findings are reasoned from.

The same tree also translates into durable_rules conditions
(:meth:`Cond.possible`): "not definitely false", i.e. true or unknown,
so that the engine selects exactly the (rule, entity) pairs that need a
verdict.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import attrs

from .ruleset_types import CONDITION, condition_type_problem
from .operators import OPERATORS, correct_oxygen, stage_truth
from .units import UnitProblem, format_number, format_unit, parse_quantity
from .vocabulary import FieldSpec, Stage, vocabulary

__all__ = ["FieldRef", "Comparison", "Outcome", "Cond", "compile_condition", "ConditionError"]

#: derived views of the one operator table (:mod:`compliance.operators`)
OPS: Dict[str, Callable[[Any, Any], bool]] = {t: o.fn for t, o in OPERATORS.items()}
NEGATED = {t: o.negation for t, o in OPERATORS.items()}
OP_WORDS = {t: (o.zh, o.en) for t, o in OPERATORS.items()}
SCOPES = ("entity", "facility", "context")


class ConditionError(ValueError):
    """A condition does not fit the record format; ``path`` locates it."""

    def __init__(self, message: str, path: Tuple[Any, ...] = ()):
        super().__init__(message)
        self.path = path


@attrs.frozen
class FieldRef:
    """A reference from a rule to one field of the record."""

    scope: str  # entity | facility | context
    name: str  # dotted field name inside the scope
    spec: FieldSpec
    oxygen_reference: Optional[float] = None  # percent O2, for corrected concentrations
    index: int = attrs.field(init=False, eq=False, repr=False)  # position of scope in SCOPES

    def __attrs_post_init__(self):
        object.__setattr__(self, "index", SCOPES.index(self.scope))

    @property
    def label(self) -> str:
        return self.name if self.scope == "entity" else f"{self.scope}.{self.name}"

    @property
    def o2_name(self) -> str:
        return self.name.rsplit(".", 1)[0] + ".o2"

    def fact_key(self) -> str:
        base = {"entity": "e_", "facility": "f_", "context": "c_"}[self.scope] + self.name.replace(".", "__")
        if self.oxygen_reference is not None:
            base += "__o2ref_" + format_number(self.oxygen_reference).replace(".", "_")
        return base

    def get(self, scope_values: Tuple[Mapping, Mapping, Mapping]) -> Any:
        """The field's value in (entity, facility, context), or None."""
        values = scope_values[self.index]
        v = values.get(self.name)
        if v is None or self.oxygen_reference is None:
            return v
        o2 = values.get(self.o2_name)
        if o2 is None:
            return None
        return correct_oxygen(v, o2, self.oxygen_reference)

    def missing_labels(self, scope_values) -> List[str]:
        values = scope_values[self.index]
        out = [] if values.get(self.name) is not None else [self.label]
        if self.oxygen_reference is not None and values.get(self.o2_name) is None:
            prefix = "" if self.scope == "entity" else f"{self.scope}."
            out.append(prefix + self.o2_name)
        return out


@attrs.frozen
class Limit:
    """A compiled comparison value: canonical value plus how it was written."""

    value: Any  # float (canonical unit) | date | int (stage level / integer)
    shown: str  # as written in the rule, e.g. "580"
    unit: Optional[str]  # unit as written in the rule, e.g. "g/L"
    context: Optional[str] = None
    source: Optional[Mapping[str, str]] = None  # where a parameter's value comes from
    oxygen_source: Optional[Mapping[str, str]] = None  # where the reference oxygen comes from
    row: Optional[Tuple[str, str]] = None  # (field, value) of the lookup-table row it came from


@attrs.define(eq=True)  # built per finding: plain data, not frozen (3x cheaper to build)
class Comparison:
    """One comparison made while evaluating a condition."""

    field: str
    op: str
    observed: Any  # canonical value, or None if missing
    limit: Limit
    truth: Optional[bool]
    ref: FieldRef


@attrs.define(eq=True)  # built per finding: plain data, not frozen (3x cheaper to build)
class Outcome:
    """Result of evaluating a condition on one entity."""

    value: Optional[bool]
    missing: Tuple[str, ...] = ()
    comparisons: Tuple[Comparison, ...] = ()
    ambiguous: Tuple[str, ...] = ()
    matched: Tuple[Tuple[str, Any], ...] = ()  # (field, value) of equals/in tests that held
    unmatched: Tuple[Tuple[str, Any], ...] = ()  # (field, value) of equals/in tests that failed


TRUE = Outcome(True)


def _merge(value: Optional[bool], parts: Sequence[Outcome], missing_from: Sequence[Outcome]) -> Outcome:
    missing: List[str] = []
    ambiguous: List[str] = []
    for p in missing_from:
        for m in p.missing:
            if m not in missing:
                missing.append(m)
        for a in p.ambiguous:
            if a not in ambiguous:
                ambiguous.append(a)
    comps: List[Comparison] = []
    matched: List[Tuple[str, Any]] = []
    unmatched: List[Tuple[str, Any]] = []
    for p in parts:  # one pass; most parts have one comparison or one match
        if p.comparisons:
            comps.extend(p.comparisons)
        if p.matched:
            matched.extend(p.matched)
        if p.unmatched:
            unmatched.extend(p.unmatched)
    return Outcome(value, tuple(missing), tuple(comps), tuple(ambiguous), tuple(matched), tuple(unmatched))


class Cond:
    """A compiled condition node."""

    def refs(self) -> List[FieldRef]:
        raise NotImplementedError

    def evaluate(self, sv) -> Outcome:
        raise NotImplementedError

    def possible(self) -> dict:
        """durable_rules condition: true or unknown."""
        raise NotImplementedError

    def not_certain(self) -> dict:
        """durable_rules condition: false or unknown."""
        raise NotImplementedError

    def describe(self, lang: str) -> str:
        raise NotImplementedError


def _nex(key: str) -> dict:
    return {"$nex": {key: 1}}


def _or(*items: dict) -> dict:
    return items[0] if len(items) == 1 else {"$or": list(items)}


def _and(*items: dict) -> dict:
    return items[0] if len(items) == 1 else {"$and": list(items)}


def _dcmp(op: str, key: str, value: Any) -> dict:
    durable = OPERATORS[op].durable
    return {key: value} if durable is None else {durable: {key: value}}


def _fact_value(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.toordinal()
    return v


@attrs.frozen
class Compare(Cond):
    ref: FieldRef
    op: str
    limit: Limit

    def refs(self):
        return [self.ref]

    def evaluate(self, sv) -> Outcome:
        v = self.ref.get(sv)
        if v is None:
            comp = Comparison(self.ref.label, self.op, None, self.limit, None, self.ref)
            return Outcome(None, tuple(self.ref.missing_labels(sv)), (comp,))
        if isinstance(v, Stage):
            truth: Optional[bool] = stage_truth(self.op, v.lo, v.hi, self.limit.value)
            comp = Comparison(self.ref.label, self.op, v, self.limit, truth, self.ref)
            amb = (f"{self.ref.label}={v.label}",) if truth is None else ()
            return Outcome(truth, (), (comp,), amb)
        truth = bool(OPS[self.op](v, self.limit.value))
        return Outcome(truth, (), (Comparison(self.ref.label, self.op, v, self.limit, truth, self.ref),))

    def _keys(self) -> Tuple[str, str]:
        key = self.ref.fact_key()
        if self.ref.spec.type == "stage":
            return key + "__lo", key + "__hi"
        return key, key

    def _possible(self, op: str) -> dict:
        lo, hi = self._keys()
        v = _fact_value(self.limit.value)
        if lo == hi:
            return _or(_dcmp(op, lo, v), _nex(lo))
        if op in (">", ">="):
            test = _dcmp(op, hi, v)
        elif op in ("<", "<="):
            test = _dcmp(op, lo, v)
        elif op == "==":
            test = _and(_dcmp("<=", lo, v), _dcmp(">=", hi, v))
        else:  # "!=": possible unless lo == hi == v
            test = _or(_dcmp("!=", lo, v), _dcmp("!=", hi, v))
        return _or(test, _nex(lo))

    def possible(self):
        return self._possible(self.op)

    def not_certain(self):
        return self._possible(NEGATED[self.op])

    def describe(self, lang):
        word = OP_WORDS[self.op][0 if lang == "zh" else 1]
        text = f"{self.ref.label} {word} {format_limit(self.limit)}"
        if self.ref.oxygen_reference is not None:
            o2 = format_number(self.ref.oxygen_reference)
            text += f"（折算至基准含氧量 {o2}%）" if lang == "zh" else f" (corrected to {o2} % O2)"
        return text


def format_limit(limit: Limit) -> str:
    return f"{limit.shown} {format_unit(limit.unit)}".strip() if limit.unit else limit.shown


@attrs.frozen
class Member(Cond):
    ref: FieldRef
    values: Tuple[Any, ...]

    def refs(self):
        return [self.ref]

    def evaluate(self, sv):
        v = self.ref.get(sv)
        if v is None:
            return Outcome(None, tuple(self.ref.missing_labels(sv)))
        if v in self.values:
            return Outcome(True, matched=((self.ref.label, v),))
        return Outcome(False, unmatched=((self.ref.label, v),))

    def possible(self):
        key = self.ref.fact_key()
        return _or(*[{key: v} for v in self.values], _nex(key))

    def not_certain(self):
        key = self.ref.fact_key()
        return _or(_and(*[{"$neq": {key: v}} for v in self.values]), _nex(key))

    def describe(self, lang):
        vals = "/".join(str(v).lower() if isinstance(v, bool) else str(v) for v in self.values)
        return f"{self.ref.label} = {vals}"


@attrs.frozen
class Includes(Cond):
    """An enum_list field contains any (or all) of ``values``."""

    ref: FieldRef
    values: Tuple[str, ...]
    mode: str  # any | all

    def refs(self):
        return [self.ref]

    def evaluate(self, sv):
        v = self.ref.get(sv)
        if v is None:
            return Outcome(None, tuple(self.ref.missing_labels(sv)))
        hit = [x in v for x in self.values]
        return Outcome(any(hit) if self.mode == "any" else all(hit))

    def _flag(self, value: str) -> str:
        return f"{self.ref.fact_key()}__has__{value}"

    def possible(self):
        known = self.ref.fact_key() + "__known"
        flags = [{self._flag(v): True} for v in self.values]
        return _or(_or(*flags) if self.mode == "any" else _and(*flags), _nex(known))

    def not_certain(self):
        known = self.ref.fact_key() + "__known"
        absent = [_nex(self._flag(v)) for v in self.values]
        return _or(_and(*absent) if self.mode == "any" else _or(*absent), _nex(known))

    def describe(self, lang):
        joined = "/".join(self.values)
        return f"{self.ref.label} ∋ {joined}"


@attrs.frozen
class Known(Cond):
    ref: FieldRef
    want: bool

    def refs(self):
        return [self.ref]

    def _key(self):
        key = self.ref.fact_key()
        if self.ref.spec.type == "stage":
            return key + "__lo"
        if self.ref.spec.type == "enum_list":
            return key + "__known"
        return key

    def evaluate(self, sv):
        return Outcome((self.ref.get(sv) is not None) == self.want)

    def possible(self):
        return {"$ex" if self.want else "$nex": {self._key(): 1}}

    def not_certain(self):
        return {"$nex" if self.want else "$ex": {self._key(): 1}}

    def describe(self, lang):
        return f"{self.ref.label} {'given' if self.want else 'not given'}"


@attrs.frozen
class All(Cond):
    children: Tuple[Cond, ...]
    label: Optional[str] = None  # e.g. "coverage" for the six 100 % measures

    def refs(self):
        return [r for c in self.children for r in c.refs()]

    def evaluate(self, sv):
        if self.label == "row":  # a lookup row of another key: false, and not its limit's comparison
            first = self.children[0].evaluate(sv)
            if first.value is False:
                return Outcome(False)
        outs = [c.evaluate(sv) for c in self.children]
        if any(o.value is False for o in outs):
            return _merge(False, outs, [o for o in outs if o.value is None])
        unknown = [o for o in outs if o.value is None]
        return _merge(None if unknown else True, outs, unknown)

    def possible(self):
        return _and(*[c.possible() for c in self.children])

    def not_certain(self):
        return _or(*[c.not_certain() for c in self.children])

    def describe(self, lang):
        joiner = "且" if lang == "zh" else " and "
        return joiner.join(_grouped(c, lang) for c in self.children)


@attrs.frozen
class AnyOf(Cond):
    children: Tuple[Cond, ...]

    def refs(self):
        return [r for c in self.children for r in c.refs()]

    def evaluate(self, sv):
        outs = [c.evaluate(sv) for c in self.children]
        if any(o.value is True for o in outs):
            return _merge(True, [o for o in outs if o.value is True], [])
        unknown = [o for o in outs if o.value is None]
        return _merge(None if unknown else False, outs, unknown)

    def possible(self):
        return _or(*[c.possible() for c in self.children])

    def not_certain(self):
        return _and(*[c.not_certain() for c in self.children])

    def describe(self, lang):
        joiner = "或" if lang == "zh" else " or "
        return joiner.join(_grouped(c, lang) for c in self.children)


def _grouped(cond: Cond, lang: str) -> str:
    """A nested and/or, bracketed so the reading is unambiguous."""
    text = cond.describe(lang)
    if isinstance(cond, (All, AnyOf)) and len(cond.children) > 1:
        return f"（{text}）" if lang == "zh" else f"({text})"
    return text


@attrs.frozen
class Not(Cond):
    child: Cond

    def refs(self):
        return self.child.refs()

    def evaluate(self, sv):
        o = self.child.evaluate(sv)
        return attrs.evolve(o, value=None if o.value is None else not o.value, matched=(), unmatched=())

    def possible(self):
        return self.child.not_certain()

    def not_certain(self):
        return self.child.possible()

    def describe(self, lang):
        return ("非（" if lang == "zh" else "not (") + self.child.describe(lang) + ("）" if lang == "zh" else ")")


# ---------------------------------------------------------------- compiling

_COND_KEYS = set(CONDITION)  # the keys of the type table (ruleset_types), the one list


class Compiler:
    """Compiles condition mappings for one entity kind (``section``)."""

    def __init__(self, section: str, parameters: Mapping[str, Any]):
        self.section = section
        self.vocab = vocabulary()
        if section not in self.vocab.sections:
            raise ConditionError(f"unknown entity kind {section!r}")
        self.parameters = parameters
        #: the reference oxygen of emissions.* comparisons that set none
        #: (a rule's or its ruleset's ``oxygen_reference``), as written
        self.default_o2: Any = None
        self.default_o2_used = False
        #: what a lookup table in ``require`` restricts the rule to: the
        #: entities whose ``by`` field has a row (see :meth:`lookup`)
        self.guards: List[Cond] = []

    def ref(self, name: Any, path) -> FieldRef:
        if not isinstance(name, str) or not name:
            raise ConditionError("'field' must be a field name", path)
        scope, _, rest = name.partition(".")
        if scope in ("facility", "context") and rest and self.section != scope:
            lookup = self.vocab.context_fields if scope == "context" else self.vocab.sections["facility"].leaves
            spec = lookup.get(rest)
            if spec is None:
                from .record import suggest

                raise ConditionError(f"unknown field {name!r}{suggest(rest, lookup)}", path)
            return FieldRef(scope, rest, spec)
        leaves = self.vocab.sections[self.section].leaves
        spec = leaves.get(name)
        if spec is None or spec.type == "mapping":
            from .authoring import unknown_field

            raise ConditionError(unknown_field(self.vocab, self.section, name), path)
        return FieldRef("entity", name, spec)

    def compile(self, raw: Any, path: Tuple[Any, ...] = ()) -> Cond:
        if not isinstance(raw, Mapping):
            raise ConditionError("a condition must be a mapping", path)
        unknown = set(raw) - _COND_KEYS
        if unknown:
            from .authoring import unknown_condition_key

            key = sorted(unknown)[0]
            raise ConditionError(unknown_condition_key(key, _COND_KEYS), path + (key,))
        if "all" in raw or "any" in raw:
            key = "all" if "all" in raw else "any"
            if len(raw) != 1:
                raise ConditionError(f"'{key}' stands alone in its condition", path)
            items = raw[key]
            if not isinstance(items, list) or not items:
                raise ConditionError(f"'{key}' needs a non-empty list of conditions", path + (key,))
            children = tuple(self.compile(c, path + (key, i)) for i, c in enumerate(items))
            return All(children) if key == "all" else AnyOf(children)
        if "not" in raw:
            if len(raw) != 1:
                raise ConditionError("'not' stands alone in its condition", path)
            return Not(self.compile(raw["not"], path + ("not",)))
        if "coverage" in raw:
            return self.coverage(raw, path)
        if "field" not in raw:
            raise ConditionError("a condition needs 'field' (or all/any/not/coverage)", path)
        ref = self.ref(raw["field"], path + ("field",))
        kinds = [k for k in ("op", "in", "equals", "includes", "includes_any", "includes_all", "known") if k in raw]
        if len(kinds) != 1:
            raise ConditionError(
                "a field condition needs exactly one of op/in/equals/includes/includes_any/includes_all/known", path
            )
        kind = kinds[0]
        allowed = {"field", kind} | ({"value", "oxygen_reference"} if kind == "op" else set())
        extra = set(raw) - allowed
        if extra:
            raise ConditionError(f"{sorted(extra)[0]!r} does not go with {kind!r}", path)
        if kind == "op":
            return self.compare(ref, raw, path)
        if kind == "known":
            if not isinstance(raw["known"], bool):
                raise ConditionError("'known' takes true or false", path + ("known",))
            return Known(ref, raw["known"])
        if kind in ("includes", "includes_any", "includes_all"):
            if ref.spec.type != "enum_list":
                from .authoring import not_a_list_field_hint

                raise ConditionError(not_a_list_field_hint(kind, ref.label, ref.spec.type, raw[kind]), path)
            vals = raw[kind] if kind != "includes" else [raw[kind]]
            if not isinstance(vals, list) or not vals:
                raise ConditionError(f"{kind!r} needs values", path + (kind,))
            for v in vals:
                self.check_enum(ref, v, path + (kind,))
            return Includes(ref, tuple(vals), "all" if kind == "includes_all" else "any")
        vals = [raw["equals"]] if kind == "equals" else raw["in"]
        if not isinstance(vals, list) or not vals:
            raise ConditionError("'in' needs a non-empty list", path + (kind,))
        return Member(ref, tuple(self.member_value(ref, v, path + (kind,)) for v in vals))

    def check_enum(self, ref: FieldRef, value: Any, path) -> None:
        if ref.spec.values and value not in ref.spec.values:
            from .record import suggest

            raise ConditionError(
                f"{value!r} is not a value of {ref.label}{suggest(value, ref.spec.values)}", path
            )

    def member_value(self, ref: FieldRef, value: Any, path) -> Any:
        t = ref.spec.type
        if t == "bool":
            if not isinstance(value, bool):
                raise ConditionError(f"{ref.label} is true/false, got {value!r}", path)
            return value
        if t == "enum":
            self.check_enum(ref, value, path)
            return value
        if t == "region":
            region = self.vocab.region(value)
            if region is None:
                raise ConditionError(f"unknown region {value!r}", path)
            return region.code
        if t in ("string",):
            if not isinstance(value, str):
                raise ConditionError(f"{ref.label} is text, got {value!r}", path)
            return value
        if t == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConditionError(f"{ref.label} is a whole number, got {value!r}", path)
            return value
        if t == "enum_list":
            from .authoring import list_field_hint

            raise ConditionError(list_field_hint(ref.label, value), path)
        raise ConditionError(f"use 'op' to compare {ref.label} ({t})", path)

    def resolve(self, value: Any, path) -> Tuple[Any, Optional[Mapping[str, str]]]:
        if isinstance(value, Mapping) and set(value) == {"param"}:
            name = value["param"]
            if name not in self.parameters:
                from .record import suggest

                raise ConditionError(f"unknown parameter {name!r}{suggest(name, self.parameters)}", path)
            p = self.parameters[name]
            return p.value, p.source
        return value, None

    def compare(self, ref: FieldRef, raw: Mapping, path) -> Cond:
        op = raw["op"]
        if op not in OPS:
            raise ConditionError(f"unknown operator {op!r}; use one of {' '.join(OPS)}", path + ("op",))
        if "value" not in raw:
            raise ConditionError("'op' needs a 'value'", path)
        if isinstance(raw["value"], Mapping) and set(raw["value"]) == {"by", "table"}:
            return self.lookup(ref, raw, path)
        value, source = self.resolve(raw["value"], path + ("value",))
        t = ref.spec.type
        o2 = raw.get("oxygen_reference")
        o2_source = None
        if (o2 is None and self.default_o2 is not None and t == "quantity"
                and ref.name.startswith("emissions.") and ref.name != ref.o2_name):
            o2 = self.default_o2  # the rule's (or ruleset's) reference oxygen
            self.default_o2_used = True
        if o2 is not None:
            o2, o2_source = self.resolve(o2, path + ("oxygen_reference",))
            if t != "quantity" or not ref.name.startswith("emissions."):
                raise ConditionError("oxygen_reference applies to emissions.* concentrations only", path)
            try:
                o2v, _ = parse_quantity(o2, "percent")
            except UnitProblem as exc:
                raise ConditionError(f"oxygen_reference: {exc}", path + ("oxygen_reference",)) from None
            if not 0 <= o2v < 21:
                raise ConditionError("oxygen_reference must be below 21 %", path + ("oxygen_reference",))
            ref = attrs.evolve(ref, oxygen_reference=o2v)
        if t == "quantity":
            try:
                mag, parsed = parse_quantity(value, ref.spec.unit or "", ref.spec.context)
            except UnitProblem as exc:
                raise ConditionError(f"{ref.label}: {exc}", path + ("value",)) from None
            limit = Limit(mag, format_number(parsed.value), parsed.unit, ref.spec.context, source)
        elif t == "coverage":
            if isinstance(value, bool):
                mag = 1.0 if value else 0.0
                limit = Limit(mag, "100" if value else "0", "%", None, source)
            else:
                try:
                    pct, parsed = parse_quantity(value, "percent")
                except UnitProblem as exc:
                    raise ConditionError(f"{ref.label}: {exc}", path + ("value",)) from None
                limit = Limit(round(pct / 100.0, 12), format_number(parsed.value), parsed.unit, None, source)
        elif t in ("date", "date_or_false"):
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    raise ConditionError(f"bad date {value!r}", path + ("value",)) from None
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise ConditionError(f"{ref.label} compares with a date, got {value!r}", path + ("value",))
            limit = Limit(value, value.isoformat(), None, None, source)
        elif t == "stage":
            stage = self.vocab.stage(ref.spec.scheme or "onroad", value)
            if stage is None:
                raise ConditionError(f"unknown emission stage {value!r}", path + ("value",))
            if stage.ambiguous:
                raise ConditionError(f"stage {value!r} is ambiguous; write 6a or 6b", path + ("value",))
            limit = Limit(stage.lo, stage.label, None, None, source)
        elif t == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConditionError(f"{ref.label} compares with a whole number", path + ("value",))
            limit = Limit(value, str(value), None, None, source)
        elif t == "enum_list":
            from .authoring import list_field_hint

            raise ConditionError(list_field_hint(ref.label, value), path + ("op",))
        else:
            raise ConditionError(f"{ref.label} ({t}) cannot be compared with 'op'; use equals/in", path + ("op",))
        if o2_source is not None:
            limit = attrs.evolve(limit, oxygen_source=o2_source)
        return Compare(ref, op, limit)

    def lookup(self, ref: FieldRef, raw: Mapping, path) -> Cond:
        """``value: {by: category, table: {automotive_oem: 580 g/L, …}}``: the
        limit is the row of the entity's ``by`` value. Compiles into one
        branch per row, ``by`` == row and the comparison with that row's
        limit (each limit names its row); an entity whose ``by`` value has
        no row is outside the rule (:attr:`guards`)."""
        spec = raw["value"]
        vpath = path + ("value",)
        by = self.ref(spec["by"], vpath + ("by",))
        if by.spec.type not in ("enum", "bool", "string", "integer", "region"):
            raise ConditionError(f"a table is looked up by a field of single values (an enum, true/false, "
                                 f"text or a whole number); {by.label} is {by.spec.type}", vpath + ("by",))
        table = spec["table"]
        if not isinstance(table, Mapping) or not table:
            raise ConditionError("'table' maps each value of 'by' to its limit, e.g. "
                                 "{automotive_oem: 580 g/L, wood: 600 g/L}", vpath + ("table",))
        rows: List[Cond] = []
        keys: List[Any] = []
        for key, limit in table.items():
            kpath = vpath + ("table", key)
            member = self.member_value(by, key, kpath)
            if member in keys:
                raise ConditionError(f"two rows for {by.label} = {key}", kpath)
            if isinstance(limit, Mapping) and set(limit) == {"by", "table"}:
                raise ConditionError("a table's limits are values (or {param: ID}), not tables", kpath)
            keys.append(member)
            try:
                cmp = self.compare(ref, {**raw, "value": limit}, path)
            except ConditionError as exc:  # located at the row
                raise ConditionError(str(exc), kpath) from None
            assert isinstance(cmp, Compare)
            shown = str(key).lower() if isinstance(key, bool) else str(key)
            cmp = attrs.evolve(cmp, limit=attrs.evolve(cmp.limit, row=(by.label, shown)))
            rows.append(All((Member(by, (member,)), cmp), label="row"))
        self.guards.append(Member(by, tuple(keys)))
        return AnyOf(tuple(rows))

    def coverage(self, raw: Mapping, path) -> Cond:
        extra = set(raw) - {"coverage", "of", "at_least"}
        if extra:
            raise ConditionError(f"{sorted(extra)[0]!r} does not go with 'coverage'", path)
        base = raw["coverage"]
        keys = raw.get("of")
        if not isinstance(keys, list) or not keys:
            raise ConditionError("'coverage' needs 'of': the list of measures", path)
        at_least = raw.get("at_least", "100 %")
        children = []
        for i, key in enumerate(keys):
            children.append(
                self.compile({"field": f"{base}.{key}", "op": ">=", "value": at_least}, path + ("of", i))
            )
            if children[-1].ref.spec.type != "coverage":  # type: ignore[attr-defined]
                raise ConditionError(f"{base}.{key} is not a coverage field", path + ("of", i))
        return All(tuple(children), label="coverage")


def compile_condition(section: str, raw: Any, parameters: Mapping[str, Any] = {}, path=()) -> Cond:
    """Compile one condition written as data (a ruleset file's are
    type-checked with the whole file, :func:`~compliance.ruleset_types.type_problems`)."""
    wrong = condition_type_problem(raw, tuple(path))
    if wrong is not None:
        raise ConditionError(wrong[1], wrong[0])
    return Compiler(section, parameters).compile(raw, path)
