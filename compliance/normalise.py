"""Normalise a loaded record: units, stages, regions, dates, defaults.

Turns each :class:`~compliance.record.RawEntity` into an :class:`Entity`
whose ``values`` hold typed, checked values keyed by dotted field name:

=============  =====================================================
quantity       float in the field's canonical unit (``written`` keeps
               the number and unit as given, for messages)
bool, enum     bool, str
enum_list      frozenset of str
date           :class:`datetime.date`; ``date_or_false``: ``false``
               ("never done") becomes :data:`NEVER`
integer        int
coverage       float share, 0..1
stage          :class:`~compliance.vocabulary.Stage` (an interval)
region         region code (str)
=============  =====================================================

A missing field stays missing (unknown), unless the record format gives it
a default. A field written as null (``~``, ``null`` or nothing) is unknown
too, and never takes the default: the record says the value is not known,
so a rule that needs it is ``indeterminate`` (a mapping written as null:
each of its fields). The context (``as_of``, ``alert``) is the exception: a
record is judged at one date and alert level, so a null there is an error.
Every problem is collected and raised together, each with file, line and
field.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import attrs

from ._yaml import number_base, odd_number
from .errors import InputError, Problem
from .record import RawEntity, Record, suggest
from .units import Parsed, UnitProblem, format_unit, normalise_unit_text, parse_quantity, shorten_number
from .vocabulary import FieldSpec, Region, vocabulary

__all__ = ["Entity", "Facts", "normalise", "normalise_fast", "facts_of", "NEVER"]

#: ``date_or_false`` written as ``false``: the event never happened, which
#: compares later than any deadline.
NEVER = dt.date.max


@attrs.define(eq=True)
class Entity:
    """A normalised entity: typed values by dotted field name.

    Plain data that nothing downstream changes (a mutable attrs class only
    because building a frozen one costs three times as much, and a batch
    builds millions).
    """

    section: str
    id: str
    values: Mapping[str, Any]
    written: Mapping[str, Parsed]
    defaulted: frozenset
    line: int
    #: a single-mapping section the record does not have: every field unknown,
    #: judged only by rules whose ``when`` positively holds (see evaluate.py)
    implicit: bool = False

    @property
    def ref(self) -> str:
        return f"{self.section}[{self.id}]"


@attrs.define(eq=True)
class Facts:
    """A normalised record, ready for evaluation (plain data, like :class:`Entity`)."""

    source: str
    as_of: dt.date
    alert: str
    region: Region
    facility: Entity
    entities: Tuple[Entity, ...]
    context: Mapping[str, Any]
    warnings: Tuple[Problem, ...] = ()
    name: Optional[str] = None
    #: the single-mapping sections the record does not have (``ldar`` ...):
    #: each is an implicit entity, every field unknown (see evaluate.py)
    implicit: Tuple[str, ...] = ()

    def implicit_entity(self, section: str) -> Entity:
        return Entity(section, self.facility.id, {}, {}, frozenset(), self.facility.line, implicit=True)

    def all_entities(self) -> Tuple[Entity, ...]:
        """The facility, the written entities, then the implicit ones."""
        return (self.facility,) + self.entities + tuple(self.implicit_entity(s) for s in self.implicit)


_DEFAULTS: Dict[str, Tuple[Tuple[str, Any], ...]] = {}


class _Normaliser:
    def __init__(self, record: Record):
        self.record = record
        self.doc = record.document
        self.errors: List[Problem] = []
        self.vocab = vocabulary()

    def problem(self, path, field: str, message: str) -> None:
        self.errors.append(self.doc.problem(path, field, message))

    def as_written(self, path, raw: Any) -> Any:
        """``raw`` for a message: the text written where YAML typed it into
        something else (``010``, not 8), else ``raw`` itself."""
        if type(raw) is str or isinstance(raw, (dict, list)):
            return raw
        text = self.doc.texts.get(tuple(path))
        return raw if text is None or (type(raw) is int and text == str(raw)) else text

    def misread(self, path, raw: Any) -> Optional[str]:
        """Why a number YAML 1.1 read oddly (``010`` as the octal 8) is
        refused, or None (``raw``, or a quantity's ``value``)."""
        if not self.doc.odd_numbers:
            return None
        if isinstance(raw, Mapping):
            raw, path = raw.get("value"), tuple(path) + ("value",)
        text = self.doc.texts.get(tuple(path)) if type(raw) is int or type(raw) is float else None
        if text is None or not odd_number(raw, text):
            return None
        return (f"{text!r} is read by YAML 1.1 as the {number_base(text)} number {raw!r}: "
                "write the number in decimal, or in quotes if it is text")

    def value(self, spec: FieldSpec, raw: Any, path, label: str, out: Dict[str, Any], written: Dict[str, Parsed]):
        t = spec.type
        name = spec.name
        if raw is None:
            return  # written but empty: unknown
        if t == "mapping":
            if not isinstance(raw, Mapping):
                return self.problem(path, label, f"must be a mapping, got {type(raw).__name__}")
            for key, sub in raw.items():
                sspec = spec.fields.get(key)
                if sspec is not None:
                    self.value(sspec, sub, path + (key,), f"{label}.{key}", out, written)
            return
        if t != "string":
            odd = self.misread(path, raw)
            if odd is not None:
                return self.problem(path, label, odd)
        try:
            if t == "quantity":
                mag, parsed = parse_quantity(raw, spec.unit or "", spec.context)
                self.check_range(spec, mag, parsed)
                doubt = self.implausible(spec, mag, parsed)
                if doubt:
                    self.warn(path, label, doubt)
                out[name] = mag
                written[name] = parsed
            elif t == "bool":
                if not isinstance(raw, bool):
                    raise UnitProblem(f"expected true or false, got {self.as_written(path, raw)!r}")
                out[name] = raw
            elif t == "string":
                text = None if isinstance(raw, (dict, list)) else self.doc.text_of(path, raw)
                if text is None:
                    raise UnitProblem("expected text" if isinstance(raw, (dict, list))
                                      else f"expected text, got {type(raw).__name__} {raw!r}: write it in quotes")
                out[name] = text  # as written: `name: 0123` is "0123", not the octal 83
            elif t == "enum":
                if isinstance(raw, (dict, list, bool)) or str(raw) not in spec.values:
                    if spec.open and isinstance(raw, str):
                        self.warn(path, label, f"value {raw!r} is not in the vocabulary{suggest(raw, spec.values)}")
                    else:
                        shown = self.as_written(path, raw)
                        raise UnitProblem(f"unknown value {shown!r}{suggest(shown, spec.values)}; "
                                          f"expected one of {', '.join(sorted(spec.values))}")
                out[name] = str(raw)
            elif t == "enum_list":
                items = raw if isinstance(raw, list) else None
                if items is None:
                    raise UnitProblem(f"expected a list, got {raw!r}")
                vals = []
                for i, item in enumerate(items):
                    if item is None:
                        raise UnitProblem(f"item {i + 1} is empty (null): leave it out or write a value")
                    if not isinstance(item, str) or item not in spec.values:
                        if spec.open and isinstance(item, str):
                            self.warn(path + (i,), label, f"value {item!r} is not in the vocabulary{suggest(item, spec.values)}")
                        else:
                            shown = self.as_written(path + (i,), item)
                            raise UnitProblem(f"unknown value {shown!r}{suggest(shown, spec.values)}; "
                                              f"expected some of {', '.join(sorted(spec.values))}")
                    vals.append(item)
                out[name] = frozenset(vals)
            elif t == "date":
                out[name] = self.date(raw)
            elif t == "date_or_false":
                out[name] = NEVER if raw is False else self.date(raw)
            elif t == "integer":
                if isinstance(raw, bool) or not isinstance(raw, int):
                    raise UnitProblem(f"expected a whole number, got {self.as_written(path, raw)!r}")
                if (spec.min is not None and raw < spec.min) or (spec.max is not None and raw > spec.max):
                    raise UnitProblem(f"{shorten_number(str(self.as_written(path, raw)))} is outside {spec.min}..{spec.max}")
                out[name] = raw
            elif t == "coverage":
                out[name] = self.coverage(raw)
            elif t == "stage":
                stage = self.vocab.stage(spec.scheme or "onroad", raw)
                if stage is None:
                    levels = ", ".join(self.vocab.stage_levels(spec.scheme or "onroad"))
                    raise UnitProblem(f"unknown emission stage {self.as_written(path, raw)!r}; expected one of {levels} "
                                      "(or an alias such as 国五, 国VI(B), China 5, 第三阶段)")
                out[name] = stage
            elif t == "region":
                region = self.vocab.region(raw)
                if region is None:
                    raise UnitProblem(f"unknown region {self.as_written(path, raw)!r}; give a GB/T 2260 code or name known to "
                                      f"the vocabulary{suggest(raw, self.vocab.regions)}")
                out[name] = region.code
            else:  # pragma: no cover - vocabulary types are checked at load
                raise UnitProblem(f"unsupported field type {t}")
        except UnitProblem as exc:
            self.problem(path, label, str(exc))

    def warn(self, path, label, message):
        self.warnings.append(self.doc.problem(path, label, message, "warning"))

    @staticmethod
    def check_range(spec: FieldSpec, mag: float, parsed: Parsed) -> None:
        shown = f"{parsed.value:g} {parsed.unit}"
        if spec.positive and mag <= 0:
            raise UnitProblem(f"{shown} must be greater than zero")
        if spec.min is not None and mag < spec.min:
            raise UnitProblem(f"{shown} is negative")
        if spec.max is not None and (mag > spec.max or (spec.max_exclusive and mag >= spec.max)):
            bound = "below" if spec.max_exclusive else "at most"
            raise UnitProblem(f"{shown} is out of range: must be {bound} {spec.max:g} {spec.unit}")

    @staticmethod
    def implausible(spec: FieldSpec, mag: float, parsed: Parsed) -> Optional[str]:
        """Why a value outside the field's plausible range (data/record.yaml)
        is doubtful, or None: a slipped unit or digit, kept but warned about."""
        if spec.plausible is None:
            return None
        lo, hi = spec.plausible
        if lo <= mag <= hi:
            return None
        unit = format_unit(spec.unit or "")
        shown = f"{parsed.value:g} {parsed.unit}"
        if normalise_unit_text(parsed.unit) != normalise_unit_text(spec.unit or ""):
            shown += f" (= {mag:.4g} {unit})"
        return (f"{shown} is implausible: this field is usually {lo:g} to {hi:g} {unit}; "
                "check the number and its unit")

    @staticmethod
    def date(raw) -> dt.date:
        if isinstance(raw, dt.datetime):
            raise UnitProblem(f"expected a date YYYY-MM-DD, got a date and time {raw.isoformat()}")
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw.strip())
            except ValueError:
                raise UnitProblem(f"impossible or malformed date {raw!r}; expected YYYY-MM-DD") from None
        raise UnitProblem(f"expected a date YYYY-MM-DD, got {raw!r}")

    @staticmethod
    def coverage(raw) -> float:
        if isinstance(raw, bool):
            return 1.0 if raw else 0.0
        if isinstance(raw, (int, float)):
            if not math.isfinite(raw) or raw < 0 or raw > 1:
                raise UnitProblem(f"coverage {raw!r} must be a share between 0 and 1, or written with % (e.g. \"95 %\")")
            return float(raw)
        mag, parsed = parse_quantity(raw, "percent")
        if mag < 0 or mag > 100:
            raise UnitProblem(f"coverage {parsed.value:g} {parsed.unit} is outside 0..100 %")
        return round(mag / 100.0, 12)

    def defaults(self, spec) -> Tuple[Tuple[str, Any], ...]:
        found = _DEFAULTS.get(spec.name)
        if found is None:
            found = _DEFAULTS[spec.name] = spec.defaults
        return found

    def entity(self, raw: RawEntity) -> Entity:
        spec = self.vocab.sections[raw.section]
        values: Dict[str, Any] = {}
        written: Dict[str, Parsed] = {}
        for key, value in raw.fields.items():
            fspec = spec.fields.get(key)
            if fspec is None:
                continue  # free-form data (notes, x_...): any other key is an error of the loader
            self.value(fspec, value, raw.path + (key,), f"{raw.ref}.{key}", values, written)
        defaulted = set()
        for name, default in self.defaults(spec):
            if name not in values and not _written(raw.fields, name):
                values[name] = default
                defaulted.add(name)
        line = self.doc.where(raw.path)[0]
        return Entity(raw.section, raw.id, values, written, frozenset(defaulted), line)

    def run(self, as_of: Optional[dt.date], alert: Optional[str], today: Optional[dt.date]) -> Facts:
        self.warnings: List[Problem] = list(self.record.warnings)
        ctx: Dict[str, Any] = {}
        for key, fspec in self.vocab.context_fields.items():
            if key in self.record.context:
                if self.record.context[key] is None:
                    self.problem(("context", key), f"context.{key}",
                                 "written as null: a record is judged at one "
                                 + ("date" if key == "as_of" else "alert level")
                                 + "; give it, or leave the field out for the default"
                                 + (f" ({fspec.default})" if fspec.default is not None else " (today, or --as-of)"))
                    continue
                self.value(fspec, self.record.context[key], ("context", key), f"context.{key}", ctx, {})
            elif fspec.default is not None:
                ctx[key] = fspec.default
        if as_of is not None:
            ctx["as_of"] = as_of
        if alert is not None:
            if alert not in self.vocab.context_fields["alert"].values:
                raise InputError([Problem("<options>", 0, 0, "alert", f"unknown alert level {alert!r}")])
            ctx["alert"] = alert
        ctx.setdefault("as_of", today or dt.date.today())
        facility = self.entity(self.record.facility)
        entities = tuple(self.entity(e) for e in self.record.entities)
        present = {e.section for e in entities}
        implicit = tuple(
            name for name, spec in self.vocab.sections.items()
            if spec.kind == "single" and name != "facility" and name not in present
        )
        region = None
        if "region" in facility.values:
            region = self.vocab.regions[facility.values["region"]]
        elif not self.errors:
            self.problem(("facility",), "facility.region", "required field 'region' is missing")
        if self.errors or region is None:
            raise InputError(self.errors)
        name = facility.values.get("name")
        return Facts(self.record.source, ctx["as_of"], ctx["alert"], region, facility, entities,
                     ctx, tuple(sorted(set(self.warnings))), name, implicit)


def _written(fields: Mapping, dotted: str) -> bool:
    """Whether ``dotted`` is written, as a value or null (itself, or a
    mapping holding it): then the format's default does not apply."""
    cur: Any = fields
    for part in dotted.split("."):
        if cur is None:
            return True  # inside a mapping written as null: unknown, not the default
        if not isinstance(cur, Mapping) or part not in cur:
            return False
        cur = cur[part]
    return True


def normalise(
    record: Record,
    *,
    as_of: Optional[dt.date] = None,
    alert: Optional[str] = None,
    today: Optional[dt.date] = None,
) -> Facts:
    """Type every value of ``record``; ``as_of``/``alert`` override the record's context."""
    return _Normaliser(record).run(as_of, alert, today)


# ------------------------------------------------------------ the fast path
#
# Most records in a batch are clean: every key known, every value of its
# field's type, no unit the field has not seen before. For those, the
# structural check of record.py and the typing above collapse into one pass
# over the data with a coercer per field (parsed quantities, stages and
# regions cached by the text written). Anything unusual -- an unknown key, a
# value of another type, a quantity that does not parse or is out of range,
# an open-vocabulary value, a duplicate id -- makes the fast
# path give up (``None``) and the record goes through the validating path,
# so every error and warning is the validating path's by construction
# (tests/test_fast_normalise.py holds the two equal on the bad-input corpus
# and on generated records).


#: entries per field in the fast path's caches of parsed values: the common
#: spellings of a register come early and stay; past the bound, values are
#: parsed each time (through the parse cache of units.py), so memory stays
#: flat however many records stream through
_CACHE = 1024


_NONE_DEFAULTED: frozenset = frozenset()


class _GiveUp(Exception):
    """The fast path does not handle this input: use the validating path."""


def _memo(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``parse`` cached per value written (at most _CACHE of them); what it
    refuses (UnitProblem, or None) makes the fast path give up."""
    seen: Dict[Any, Any] = {}

    def cached(raw):
        hit = seen.get(raw)
        if hit is None:
            try:
                hit = parse(raw)
            except UnitProblem:
                raise _GiveUp from None
            if hit is None:
                raise _GiveUp
            if len(seen) < _CACHE:
                seen[raw] = hit
        return hit
    return cached


def _coercer(spec: FieldSpec):
    """A function raw -> typed value for ``spec`` that raises _GiveUp on
    anything the validating path would treat specially (bool, string and
    enum fields are checked in their put function: see :func:`_putter`)."""
    t = spec.type
    vocab = vocabulary()
    if t == "quantity":
        def quantity(raw):  # cached by the caller (_putter)
            if type(raw) is not str:
                raise _GiveUp
            try:
                hit = parse_quantity(raw, spec.unit or "", spec.context)
                _Normaliser.check_range(spec, hit[0], hit[1])
            except UnitProblem:
                raise _GiveUp from None
            if spec.plausible is not None and not spec.plausible[0] <= hit[0] <= spec.plausible[1]:
                raise _GiveUp  # the validating path warns about it
            return hit

        return quantity
    if t == "enum_list":
        values = spec.values

        def enum_list(raw):
            if type(raw) is list:
                for item in raw:
                    if type(item) is not str or item not in values:
                        raise _GiveUp
                return frozenset(raw)
            raise _GiveUp
        return enum_list
    if t in ("date", "date_or_false"):
        never_ok = t == "date_or_false"
        text_date = _memo(_Normaliser.date)

        def date(raw):
            if type(raw) is dt.date:
                return raw
            if never_ok and raw is False:
                return NEVER
            if type(raw) is str:
                return text_date(raw)
            raise _GiveUp
        return date
    if t == "integer":
        lo, hi = spec.min, spec.max

        def integer(raw):
            if type(raw) is int and (lo is None or raw >= lo) and (hi is None or raw <= hi):
                return raw
            raise _GiveUp
        return integer
    if t == "coverage":
        text_share = _memo(_Normaliser.coverage)

        def coverage(raw):
            if raw is True:
                return 1.0
            if raw is False:
                return 0.0
            if type(raw) is str:
                return text_share(raw)
            if type(raw) in (int, float) and 0 <= raw <= 1:
                return float(raw)
            raise _GiveUp
        return coverage
    if t == "stage":
        scheme = spec.scheme or "onroad"
        written_stage = _memo(lambda raw: vocab.stage(scheme, raw))

        def stage(raw):
            if type(raw) not in (str, int):
                raise _GiveUp
            return written_stage(raw)
        return stage
    if t == "region":
        written_region = _memo(lambda raw: getattr(vocab.region(raw), "code", None))

        def region(raw):
            if type(raw) not in (str, int):
                raise _GiveUp
            return written_region(raw)
        return region
    raise _GiveUp  # pragma: no cover - vocabulary types are checked at load


def _putter(spec: FieldSpec):
    """``put(raw, values, written)``: store ``spec``'s typed value (one call
    per field on the hot path), or raise _GiveUp."""
    name = spec.name
    if spec.type == "mapping":
        sub = _FastSection(spec.fields, ())

        def put_mapping(raw, values, written, fill=sub.fill):
            if type(raw) is not dict:
                raise _GiveUp
            fill(raw, values, written)
        return put_mapping
    t = spec.type
    # the common simple types in one call each (the others through _coercer)
    if t == "bool":
        def put_bool(raw, values, written, name=name):
            if raw is True or raw is False:
                values[name] = raw
            else:
                raise _GiveUp
        return put_bool
    if t == "string":
        def put_string(raw, values, written, name=name, str=str):
            if type(raw) is str:
                values[name] = raw
            else:
                raise _GiveUp
        return put_string
    if t == "enum":
        def put_enum(raw, values, written, name=name, allowed=spec.values, str=str):
            if type(raw) is str and raw in allowed:
                values[name] = raw
            else:
                raise _GiveUp
        return put_enum
    coerce = _coercer(spec)
    if t == "quantity":
        seen: Dict[str, Tuple[float, Parsed]] = {}

        def put_quantity(raw, values, written, coerce=coerce, name=name, seen=seen):
            hit = seen.get(raw) if type(raw) is str else None
            if hit is None:
                hit = coerce(raw)
                if len(seen) < _CACHE:
                    seen[raw] = hit
            values[name], written[name] = hit
        return put_quantity

    def put(raw, values, written, coerce=coerce, name=name):
        values[name] = coerce(raw)
    return put


def _keep(raw, values, written) -> None:
    """The put function of free-form data (notes): kept in the record, never read by the rules."""


class _FastSection:
    """One section's fields: key -> put function (see :func:`_putter`)."""

    def __init__(self, fields: Mapping[str, FieldSpec], defaults, entity: bool = False):
        self.table: Dict[str, Any] = {key: _putter(spec) for key, spec in fields.items()}
        vocab = vocabulary()
        if entity:
            self.table[vocab.free_form_field] = _keep
        self.prefix = vocab.free_form_prefix
        self.defaults = tuple((name, default, "." in name) for name, default in defaults)

    def fill(self, raw: Mapping, values: Dict[str, Any], written: Dict[str, Parsed]) -> None:
        table = self.table
        try:
            for key, value in raw.items():
                if value is not None:  # written but empty: unknown
                    table[key](value, values, written)
        except KeyError:
            unknown = [key for key in raw if key not in table]
            if not unknown:
                raise
            prefix = self.prefix
            if not all(type(key) is str and key.startswith(prefix) for key in unknown):
                raise _GiveUp from None  # an unknown field: an error of the loader
            for key, value in raw.items():  # free-form data (x_...) among the fields
                if value is not None and key in table:
                    table[key](value, values, written)


class _Fast:
    def __init__(self) -> None:
        vocab = vocabulary()
        self.vocab = vocab
        self.sections = {name: _FastSection(spec.fields, spec.defaults, entity=True)
                         for name, spec in vocab.sections.items()}
        self.context = _FastSection(vocab.context_fields, ())
        self.context_defaults = tuple((k, s.default) for k, s in vocab.context_fields.items() if s.default is not None)
        self.allowed = {"schema", "context", *vocab.sections}
        self.prefix = vocab.free_form_prefix
        self.kinds = {name: spec.kind for name, spec in vocab.sections.items()}
        self.order = {name: i for i, name in enumerate(vocab.sections)}
        self.implicit_sections = tuple(
            name for name, spec in vocab.sections.items() if spec.kind == "single" and name != "facility"
        )

    def entity(self, doc, section: str, eid: str, raw: Mapping, path, lines: bool) -> Entity:
        table = self.sections[section]
        values: Dict[str, Any] = {}
        written: Dict[str, Parsed] = {}
        table.fill(raw, values, written)
        defaulted = _NONE_DEFAULTED
        for name, default, dotted in table.defaults:
            if name not in values and not (_written(raw, name) if dotted else name in raw):
                values[name] = default
                defaulted = defaulted | {name}
        # a record given as a dict has no lines: every entity is on line 1
        return Entity(section, eid, values, written, defaulted, doc.where(path)[0] if lines else 1)

    def facts(self, doc, as_of, alert, today) -> Facts:
        data = doc.data
        if type(data) is not dict or doc.odd_numbers:
            raise _GiveUp  # not a mapping; a number written as octal, hexadecimal... (an error)
        if not data.keys() <= self.allowed and not all(
                type(k) is str and k.startswith(self.prefix) for k in data.keys() - self.allowed):
            raise _GiveUp  # an unknown top-level key (an error); x_... is free-form data
        vocab = self.vocab
        if "schema" in data and data["schema"] != vocab.schema_id:
            raise _GiveUp
        context = data.get("context")
        ctx: Dict[str, Any] = {}
        if context is not None:
            if type(context) is not dict or None in context.values():
                raise _GiveUp  # a null context field is an error
            self.context.fill(context, ctx, {})
        for key, default in self.context_defaults:
            if key not in ctx and (context is None or key not in context):
                ctx[key] = default
        if as_of is not None:
            ctx["as_of"] = as_of
        if alert is not None:
            if alert not in vocab.context_fields["alert"].values:
                raise _GiveUp
            ctx["alert"] = alert
        if "as_of" not in ctx:
            ctx["as_of"] = today or dt.date.today()
        fac = data.get("facility")
        if type(fac) is not dict:
            raise _GiveUp
        fid = fac.get("id")
        if type(fid) is not str or not fid.strip():
            raise _GiveUp
        locations = doc.locations
        lines = not (type(locations) is dict and not locations)
        facility = self.entity(doc, "facility", fid, fac, ("facility",), lines)
        entities: List[Entity] = []
        present = set()  # the single-mapping sections written
        order = self.order
        # the sections written, in the record format's order (as the validating path)
        written = [k for k in data if k in order and k != "facility"]
        if len(written) > 1:
            written.sort(key=order.__getitem__)
        for name in written:
            kind = self.kinds[name]
            raw = data[name]
            if raw is None:
                continue
            if kind == "single":
                if type(raw) is not dict:
                    raise _GiveUp
                entities.append(self.entity(doc, name, fid, raw, (name,), lines))
                present.add(name)
                continue
            if type(raw) is not list:
                raise _GiveUp
            seen = set()
            for i, item in enumerate(raw):
                if type(item) is not dict:
                    raise _GiveUp
                eid = item.get("id")
                if type(eid) is not str or not eid.strip() or eid in seen:
                    raise _GiveUp
                seen.add(eid)
                entities.append(self.entity(doc, name, eid, item, (name, i), lines))
        implicit = tuple(name for name in self.implicit_sections if name not in present) if present \
            else self.implicit_sections
        region_code = facility.values.get("region")
        if region_code is None:
            raise _GiveUp
        return Facts(doc.source, ctx["as_of"], ctx["alert"], vocab.regions[region_code], facility,
                     tuple(entities), ctx, (), facility.values.get("name"), implicit)


_FAST: List[_Fast] = []


def normalise_fast(
    doc,
    *,
    as_of: Optional[dt.date] = None,
    alert: Optional[str] = None,
    today: Optional[dt.date] = None,
) -> Optional[Facts]:
    """The :class:`Facts` of a loaded document (a :class:`~compliance._yaml.Document`)
    when it is clean, else ``None`` (then load and normalise it the
    validating way: :func:`~compliance.record.record_from_document` and
    :func:`normalise`). Equal to what the validating path gives, by test."""
    if not _FAST:
        _FAST.append(_Fast())
    from .record import _cems_pending

    if _cems_pending(doc):  # CEMS exports to read first (facts_of does): the validating path
        return None
    try:
        return _FAST[0].facts(doc, as_of, alert, today)
    except _GiveUp:
        return None


def facts_of(doc, *, as_of: Optional[dt.date] = None, alert: Optional[str] = None) -> Facts:
    """Normalise a loaded document: the fast path for a clean record, the
    validating one (every error and warning, with locations) for anything
    else. The one way in for files (:mod:`compliance.api`) and dicts
    (:meth:`compliance.evaluate.Evaluator.check_data`)."""
    from .record import _cems_facts

    doc = _cems_facts(doc)  # facts derived from CEMS exports the record references (compliance.cems)
    facts = normalise_fast(doc, as_of=as_of, alert=alert)
    if facts is None:
        from .record import record_from_document

        facts = normalise(record_from_document(doc), as_of=as_of, alert=alert)
    return facts
