"""Evaluate: statuses on the hot path, reasoned findings when rendered.

:meth:`Evaluator.statuses` gives the (rule, entity, status) of a normalised
record through the selected engine (the generated kernel by default).
:meth:`Evaluator.findings` turns each into a :class:`~compliance.report.Finding`
-- message, observed value in the limit's unit, conversion and oxygen notes,
citation -- through the interpreter (:func:`verdict`), which re-derives the
status with its explanation; a disagreement with the engine's status is an
engine failure, never a silent finding. Reports hold their findings lazily
(:class:`~compliance.report.LazyFindings`): a batch that only counts
statuses never builds a message.

The status itself is decided by :func:`compliance.status.decide` (the
rules are in ``docs/semantics.md``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import attrs

from .conditions import Comparison, Outcome, TRUE, format_limit
from .operators import OPERATORS
from .engine import Program, make_matcher
from .errors import EngineError
from ._yaml import Document
from .normalise import Entity, Facts, facts_of
from .report import Finding, LazyFindings
from .ruleset import Rule, Ruleset, render_message
from .status import INDETERMINATE, MANUAL_REVIEW, NOT_APPLICABLE, PENDING, STATUS_ORDER, applies_to_implicit, decide
from .units import conversion, convert, format_number, format_unit
from .vocabulary import Stage

__all__ = ["Evaluator", "verdict"]


@attrs.define(eq=True)  # built per finding: plain data, not frozen (3x cheaper to build)
class Verdict:
    status: str
    when: Outcome
    require: Optional[Outcome]
    unless: Optional[Outcome]
    missing: Tuple[str, ...] = ()
    ambiguous: Tuple[str, ...] = ()
    pending: Optional[Tuple[str, dt.date]] = None  # ("from" | "due", date)
    implicit_section: Optional[str] = None


_NOT_APPLICABLE = Verdict(NOT_APPLICABLE, TRUE, None, None)
#: which comparison a finding of each status reports (see Evaluator.finding)
_REPORTED_TRUTH = {"compliant": True, "indeterminate": None}


def verdict(rule: Rule, sv, as_of: dt.date, implicit: bool = False) -> Verdict:
    """The status of ``rule`` for one entity's scope values ``sv``, with the
    interpreter's explanation (the reference every engine is tested against).

    ``implicit``: the entity is a single-mapping section the record lacks
    (e.g. no ``ldar``): see :func:`compliance.status.applies_to_implicit`.
    """
    if not rule.in_force(as_of):
        return _NOT_APPLICABLE
    when = rule.when.evaluate(sv) if rule.when is not None else TRUE
    wt = when.value
    if wt is False or (implicit and not applies_to_implicit(rule.when is not None, wt)):
        return _NOT_APPLICABLE
    if rule.review is not None:  # a manual-review item: listed when `when` is true or unknown
        return Verdict(decide(wt, None, False, as_of, None, None, review=True), when, None, None,
                       when.missing, when.ambiguous)
    req = rule.require.evaluate(sv)
    unless = None
    if rule.unless is not None and req.value is not True:
        unless = rule.unless.condition.evaluate(sv)
    status = decide(wt, req.value, unless.value if unless is not None else False,
                    as_of, rule.effective_from, rule.deadline)
    if status == INDETERMINATE:
        why = when if wt is None else req if req.value is None else unless
        assert why is not None
        return Verdict(status, when, req, unless if why is unless else None, why.missing, why.ambiguous)
    if status == PENDING:
        if rule.effective_from is not None and as_of < rule.effective_from:
            return Verdict(status, when, req, None, pending=("from", rule.effective_from))
        return Verdict(status, when, req, None, pending=("due", rule.deadline))  # type: ignore[arg-type]
    return Verdict(status, when, req, None)


# ------------------------------------------------------------ presentation

def _display(comp: Comparison, value: Any) -> Tuple[Any, Optional[str]]:
    """A value of ``comp``'s field in the limit's unit: (value, unit)."""
    limit = comp.limit
    spec = comp.ref.spec
    if isinstance(value, Stage):
        return value.label, None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if spec.type == "coverage":
        return _num(value * 100), "%"
    if spec.type == "quantity" and limit.unit:
        return _num(convert(value, spec.unit or limit.unit, limit.unit, spec.context)), format_unit(limit.unit)
    return value, None


def _num(x: float):
    text = format_number(x)
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _shown(value, unit) -> str:
    return f"{value} {unit}" if unit else f"{value}"


def _limit_dict(comp: Comparison) -> Dict[str, Any]:
    limit = comp.limit
    v = limit.shown
    value: Any
    try:
        value = _num(float(v)) if comp.ref.spec.type in ("quantity", "coverage", "integer") else v
    except ValueError:
        value = v
    out: Dict[str, Any] = {"op": comp.op, "value": value, "unit": format_unit(limit.unit) if limit.unit else None}
    if limit.source:
        out["source"] = dict(limit.source)
    if limit.row is not None:  # from a lookup table: the row it used
        out["row"] = {"field": limit.row[0], "value": limit.row[1]}
    if comp.ref.oxygen_reference is not None:
        out["oxygen_reference"] = {"value": _num(comp.ref.oxygen_reference), "unit": "%"}
        if limit.oxygen_source:
            out["oxygen_reference"]["source"] = dict(limit.oxygen_source)
    return out


def _pick(outcome: Optional[Outcome], truth) -> Optional[Comparison]:
    """The comparison a finding reports: for a failure, the worst offender
    (lowest value under a lower bound, highest over an upper bound)."""
    if outcome is None:
        return None
    hits = [c for c in outcome.comparisons if c.truth is truth]
    if not hits:
        return None
    if truth is False and len(hits) > 1 and len({c.op for c in hits}) == 1 and hits[0].op in ("<", "<=", ">", ">="):
        if all(isinstance(c.observed, (int, float)) for c in hits):
            lower_bound = hits[0].op in (">", ">=")
            return (min if lower_bound else max)(hits, key=lambda c: c.observed / c.limit.value if c.limit.value else c.observed)
    return hits[0]


def _failing(outcome: Optional[Outcome], lang: str) -> str:
    if outcome is None:
        return ""
    parts = []
    for c in outcome.comparisons:
        if c.truth is False and c.observed is not None:
            val, unit = _display(c, c.observed)
            parts.append(f"{c.field} {_shown(val, unit)}")
    for label, value in outcome.unmatched:  # equals/in tests that failed
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        parts.append(f"{label} = {shown}")
    return ("、" if lang == "zh" else ", ").join(parts)


def _copy(value: Any) -> Any:
    """A copy of nested dicts (a reported limit holds its source's)."""
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    return value


def _sort_key(entry) -> tuple:
    rule, entity, status = entry
    return (STATUS_ORDER.index(status), rule.id, entity.section, entity.id)


class Evaluator:
    """Rulesets compiled once, with an engine; checks normalised records."""

    def __init__(self, rulesets: Sequence[Ruleset], engine: Optional[str] = None):
        self.rulesets = tuple(rulesets)
        self.program = Program.build(self.rulesets)
        self.matcher = make_matcher(self.program, engine)
        self._consts: Dict[int, tuple] = {}  # by the rule object (ids may repeat across rulesets)
        #: the engine's own one-pass statuses (the kernel), if it has them
        self._fast = getattr(self.matcher, "statuses", None)
        self._limits: Dict[tuple, tuple] = {}

    @property
    def engine(self) -> str:
        return self.matcher.name

    def statuses(self, facts: Facts, show_all: bool = False) -> List[Tuple[int, Entity, str]]:
        """(rule index, entity, status) of every pair that is not
        not_applicable (every pair in the record's region with ``show_all``),
        in engine order. The hot path: no explanation is built."""
        fast = self._fast
        if fast is not None:
            return fast(facts, show_all)
        pairs = self.matcher.match(facts)
        as_of = facts.as_of
        rules = self.program.rules
        out: List[Tuple[int, Entity, str]] = []
        seen = set()
        for i, entity in pairs:
            seen.add((i, entity.section, entity.id))
            status = verdict(rules[i], self.program.scope(facts, entity), as_of, entity.implicit).status
            if status != NOT_APPLICABLE or show_all:
                out.append((i, entity, status))
        if show_all:
            chain = facts.region.chain
            for entity in facts.all_entities():
                for i in self.program.by_section.get(entity.section, ()):
                    if (i, entity.section, entity.id) in seen or self.program.jurisdictions[i] not in chain:
                        continue
                    status = verdict(rules[i], self.program.scope(facts, entity), as_of, entity.implicit).status
                    out.append((i, entity, status))
        return out

    def check_data(self, data: Mapping[str, Any], *, as_of: Optional[dt.date] = None, alert: Optional[str] = None,
                   show_all: bool = False, source: str = "<record>") -> List[Tuple[int, Entity, str]]:
        """Load, normalise and judge one in-memory record: its (rule index,
        entity, status) -- the batch hot path for code that holds records as
        dicts. Raises :class:`~compliance.errors.InputError` as
        :func:`compliance.check` does."""
        doc = Document(source, data if type(data) is dict else dict(data), {})  # only read, never changed
        facts = facts_of(doc, as_of=as_of, alert=alert)
        fast = self._fast
        return fast(facts, show_all) if fast is not None else self.statuses(facts, show_all)

    def sorted_entries(self, facts: Facts, show_all: bool = False) -> List[Tuple[Rule, Entity, str]]:
        """(rule, entity, status) in report order."""
        rules = self.program.rules
        entries = [(rules[i], entity, status) for i, entity, status in self.statuses(facts, show_all)]
        entries.sort(key=_sort_key)
        return entries

    def lazy_findings(self, facts: Facts, show_all: bool = False) -> LazyFindings:
        """The record's findings, in report order, built when first read."""
        entries = self.sorted_entries(facts, show_all)
        return LazyFindings(tuple(entries), lambda entry: self.explain(facts, *entry))

    def findings(self, facts: Facts, show_all: bool = False) -> Tuple[Finding, ...]:
        return tuple(self.explain(facts, rule, entity, status)
                     for rule, entity, status in self.sorted_entries(facts, show_all))

    def explain(self, facts: Facts, rule: Rule, entity: Entity, status: str) -> Finding:
        """The reasoned finding for a status an engine decided."""
        v = verdict(rule, (entity.values, facts.facility.values, facts.context), facts.as_of, entity.implicit)
        if v.status != status:
            raise EngineError(
                f"the {self.engine} engine decided {status} for {rule.id} on {entity.ref} in {facts.source}, "
                f"the interpreter {v.status}: no result rather than a wrong one"
            )
        if entity.implicit:
            v = attrs.evolve(v, implicit_section=entity.section)
        return self.finding(rule, entity, facts, v)

    def finding(self, rule: Rule, entity: Entity, facts: Facts, v: Verdict) -> Finding:
        status = v.status
        truth = _REPORTED_TRUTH.get(status, False)
        comp = _pick(v.require, truth) if status != "not_applicable" else None
        if comp is None and status == "indeterminate":
            comp = _pick(v.require, False) or _pick(v.require, True)
        observed = limit = None
        notes: List[Dict[str, str]] = []
        obs_text = lim_text = ""
        if comp is not None:
            key = (id(comp.limit), comp.op, comp.ref.oxygen_reference, comp.ref.spec.type)
            cached = self._limits.get(key)
            if cached is None or cached[0] is not comp.limit:  # the limit as reported: per rule, built once
                d = _limit_dict(comp)
                flat = all(type(v) is not dict for v in d.values())
                cached = self._limits[key] = (comp.limit, d, _shown(d["value"], d["unit"]), flat)
            _, shared_limit, lim_text, flat = cached
            # each finding its own copy: a caller may change it
            limit = dict(shared_limit) if flat else _copy(shared_limit)
            if comp.observed is not None:
                val, unit = _display(comp, comp.observed)
                observed = {"value": val, "unit": unit}
                obs_text = _shown(val, unit)
                notes.extend(self.conversion_notes(comp, entity, facts))
        consts = self._consts.get(id(rule))
        if consts is None or consts[0] is not rule:  # per-rule parts of a finding, built once
            consts = self._consts[id(rule)] = (
                rule,
                rule.deadline.isoformat() if rule.deadline else None,
                rule.effective_from.isoformat() if rule.effective_from else None,
                rule.cite.to_dict(), rule.title.to_dict(),
                rule.unless.name.to_dict() if rule.unless else None,
                rule.message.zh + rule.message.en,
            )
        _, deadline, eff, source, title, exemption, templates = consts
        needs = templates if status in ("violation", "pending") else ""
        if "{condition}" in needs and rule.when is not None:  # v.when: the interpreter's full outcome
            condition = {lang: self.condition_text(v.when, lang) for lang in ("zh", "en")}
        else:
            condition = {"zh": "", "en": ""}
        missing = tuple(v.missing) + tuple(v.ambiguous)
        if not missing and status in ("violation", "pending") and v.require is not None:
            missing = tuple(v.require.missing)  # not decisive, but still not reported
        if entity.implicit:  # name the section the record lacks
            missing = tuple(m if m.startswith(("facility.", "context.")) else f"{entity.section}.{m}" for m in missing)
        message = {}
        for lang in ("zh", "en"):
            if not needs:  # only a rule's own message has placeholders: see message()
                fill = {"observed": obs_text or ("?" if lang == "en" else "？"), "limit": lim_text or "",
                        "missing": ", ".join(missing),
                        "exemption": rule.unless.name.get(lang) if rule.unless else ""}
                message[lang] = self.message(rule, status, lang, fill, v, notes)
                continue
            fill = {
                "observed": obs_text or ("?" if lang == "en" else "？"),
                "limit": lim_text or "",
                "entity": f"{entity.section}[{entity.id}]",
                "condition": condition[lang],
                "missing": ", ".join(missing),
                "deadline": deadline or "",
                "effective_from": eff or "",
                "exemption": rule.unless.name.get(lang) if rule.unless else "",
                "failing": _failing(v.require, lang) if "{failing}" in needs else "",
            }
            message[lang] = self.message(rule, status, lang, fill, v, notes)
        return Finding(
            rule=rule.id,
            ruleset=rule.ruleset,
            status=status,
            entity_type=entity.section,
            entity_id=entity.id,
            observed=observed,
            limit=limit,
            severity=rule.severity,
            message=message,
            source=dict(source),  # copies: a caller may change a finding's parts
            effective_from=eff,
            deadline=deadline,
            title=dict(title),
            missing=missing,
            exemption=dict(exemption) if (exemption is not None and status == "exempt") else None,
            notes=tuple(notes),
            line=entity.line,
            reason=rule.review.to_dict() if (rule.review is not None and status == MANUAL_REVIEW) else None,
        )

    @staticmethod
    def condition_text(when: Outcome, lang: str) -> str:
        """What made the rule apply: the tests of ``when`` that held, with values."""
        parts = []
        for label, value in when.matched:
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            parts.append(f"{label} = {shown}")
        for comp in when.comparisons:
            if comp.truth and comp.observed is not None:
                val, unit = _display(comp, comp.observed)
                parts.append(f"{comp.field} {_shown(val, unit)} ({OPERATORS[comp.op].words(lang)} "
                             f"{format_limit(comp.limit)})")
        return ("；" if lang == "zh" else "; ").join(parts)

    @staticmethod
    def conversion_notes(comp: Comparison, entity: Entity, facts: Facts) -> List[Dict[str, str]]:
        notes: List[Dict[str, str]] = []
        if comp.ref.scope != "entity":
            return notes
        written = entity.written.get(comp.ref.name)
        limit_unit = comp.limit.unit
        if written is not None and limit_unit and conversion(written.unit, limit_unit, comp.ref.spec.context) != 1.0:
            src = f"{format_number(written.value)} {format_unit(written.unit)}"
            extra_en = extra_zh = ""
            ctx = comp.ref.spec.context
            if ctx:  # a cross-dimension equivalence from the units data, e.g. 1 t/h ≡ 0.7 MW
                canonical = comp.ref.spec.unit or limit_unit
                factor = format_number(conversion(limit_unit, canonical, ctx))
                equiv = f"1 {format_unit(limit_unit)} ≡ {factor} {format_unit(canonical)}"
                extra_en, extra_zh = f" at {equiv} ({ctx} equivalence)", f"（{equiv}）"
            notes.append({"zh": f"由 {src} 换算为 {format_unit(limit_unit)}{extra_zh}",
                          "en": f"converted from {src} to {format_unit(limit_unit)}{extra_en}"})
        if comp.ref.oxygen_reference is not None:
            raw = entity.values.get(comp.ref.name) or 0.0
            o2 = entity.values.get(comp.ref.o2_name) or 0.0
            ref = format_number(comp.ref.oxygen_reference)
            unit = format_unit(comp.ref.spec.unit or "")
            o2_src = comp.limit.oxygen_source
            cite_zh = f"按 {o2_src['document']} {o2_src['clause']}" if o2_src else "按规则给定的基准含氧量"
            cite_en = f" ({o2_src['document']}, {o2_src['clause']})" if o2_src else ""
            notes.append({
                "zh": f"实测 {format_number(raw)} {unit}（含氧量 {format_number(o2)}%）{cite_zh}折算至基准含氧量 {ref}%",
                "en": f"measured {format_number(raw)} {unit} at {format_number(o2)} % O2, corrected to the "
                      f"reference {ref} % O2{cite_en}",
            })
        return notes

    @staticmethod
    def message(rule: Rule, status: str, lang: str, fill: Dict[str, str], v: Verdict, notes) -> str:
        title = rule.title.get(lang)
        zh = lang == "zh"
        if status in ("violation", "pending"):
            text = render_message(rule.message.get(lang), fill)  # not str.format: user text
            if status == "pending" and v.pending is not None:
                kind, date = v.pending
                d = date.isoformat()
                if zh:
                    text += f"（{d}起执行，尚未生效）" if kind == "from" else f"（期限{d}，尚未到期）"
                else:
                    text += f" (applies from {d}; not yet in force)" if kind == "from" else f" (due by {d}; not yet due)"
        elif status == "compliant":
            detail = ""
            if fill["limit"] and fill["observed"] not in ("?", "？"):
                detail = f"（{fill['observed']}，限值 {fill['limit']}）" if zh else f" ({fill['observed']}; limit {fill['limit']})"
            text = f"{title}：符合{detail}" if zh else f"{title}: met{detail}"
        elif status == "indeterminate":
            text = (f"{title}：无法判定，缺少或不明确的字段：{fill['missing']}" if zh
                    else f"{title}: cannot be decided; missing or ambiguous: {fill['missing']}")
            if v.implicit_section:
                text += (f"（记录中没有 {v.implicit_section} 部分）" if zh
                         else f" (the record has no {v.implicit_section} section)")
        elif status == "exempt":
            text = f"{title}：豁免（{fill['exemption']}）" if zh else f"{title}: exempt ({fill['exemption']})"
        elif status == MANUAL_REVIEW and rule.review is not None:  # what the reviewer checks by hand
            reason = rule.review.text.get(lang)
            text = f"{title}：需人工复核。{reason}" if zh else f"{title}: to be reviewed by hand. {reason}"
        else:
            text = f"{title}：不适用" if zh else f"{title}: not applicable"
        if notes and status != "not_applicable":
            joined = "；".join(n["zh"] for n in notes) if zh else "; ".join(n["en"] for n in notes)
            text += f"（{joined}）" if zh else f" ({joined})"
        return text
