"""``compliance validate``: check records and rulesets without evaluating.

Each file is read as a ruleset when its top level has a ``ruleset`` key, else
as a facility record. Problems are collected and printed
``file:line:col: [level] field: message``:

* ``error`` -- the file cannot be used (schema, units, dimensions, dates,
  duplicate ids or keys, unknown keys, with "did you mean" suggestions);
* ``warning`` -- it can be used but falls short of the project's rules for
  rulesets (a rule without violating, compliant and indeterminate cases, or
  without a pending case although it has a future date; a rule whose quote
  is empty) or for records (unknown fields, which are ignored);
* ``info`` -- worth a look: two rules in nested jurisdictions that constrain
  the same field of the same entity kind with different limits over
  overlapping dates (a stricter local limit may be intended, but must be
  visible).

Exit status: 2 if any error, else 1 if any warning, else 0.
"""

from __future__ import annotations

import datetime as dt
from typing import Dict, Iterable, Iterator, List, Sequence, Tuple

from .conditions import Compare, Cond
from .errors import InputError, Problem
from .normalise import normalise
from .record import record_from_document
from .ruleset import Rule, Ruleset, load_rulesets
from .sources import document, expand
from .vocabulary import vocabulary

__all__ = ["Validation", "validate_paths", "lint_rulesets", "overlaps"]


def _comparisons(cond: Cond) -> List[Compare]:
    out: List[Compare] = []
    stack = [cond]
    while stack:
        c = stack.pop()
        if isinstance(c, Compare):
            out.append(c)
        stack.extend(getattr(c, "children", ()) or ())
        child = getattr(c, "child", None)
        if child is not None:
            stack.append(child)
    return out


def lint_rulesets(rulesets: Sequence[Ruleset]) -> List[Problem]:
    """Warnings about rules that load but fall short of the project's rules."""
    out: List[Problem] = []
    for rs in rulesets:
        for rule in rs.rules:
            kinds = {c.expect for c in rule.tests}
            # a ban (prohibited: true) has no compliant entity: what it applies to violates it
            wanted = ("violation", "indeterminate") if rule.prohibited else ("violation", "compliant", "indeterminate")
            lacking = [k for k in wanted if k not in kinds]
            needs_pending = any(d is not None and d > rule.in_force_from for d in (rule.effective_from, rule.deadline))
            if needs_pending and "pending" not in kinds:
                lacking.append("pending")
            if lacking:
                out.append(Problem(rule.file, rule.line, 0, rule.id,
                                   f"no embedded test case expecting {', '.join(lacking)}", "warning"))
            if not rule.cite.text.strip() or not rule.cite.clause.strip():
                out.append(Problem(rule.file, rule.line, 0, rule.id, "citation without clause or quoted text", "warning"))
    return out


def _members(cond) -> Dict[str, frozenset]:
    """Field -> allowed values, from the equals/in tests a condition requires."""
    from .conditions import All, Member

    if cond is None:
        return {}
    parts = cond.children if isinstance(cond, All) else (cond,)
    out: Dict[str, frozenset] = {}
    for part in parts:
        if isinstance(part, Member):
            vals = frozenset(part.values)
            out[part.ref.label] = out.get(part.ref.label, vals) & vals
    return out


def _disjoint(r1: Rule, r2: Rule) -> bool:
    """Whether the two rules' ``when`` can never both hold (an equals/in on
    the same field with no common value)."""
    m1, m2 = _members(r1.when), _members(r2.when)
    return any(not (m1[f] & m2[f]) for f in m1.keys() & m2.keys())


def _interval(rule: Rule) -> Tuple[dt.date, dt.date]:
    return rule.in_force_from, rule.until or dt.date.max


def overlaps(rulesets: Sequence[Ruleset]) -> List[Problem]:
    """Rules in nested jurisdictions limiting the same field differently at the same time."""
    vocab = vocabulary()
    limits: List[Tuple[Rule, str, Compare]] = []
    for rs in rulesets:
        for rule in rs.rules:
            for comp in _comparisons(rule.require):
                limits.append((rule, rs.jurisdiction, comp))
    out: List[Problem] = []
    seen = set()
    for i, (r1, j1, c1) in enumerate(limits):
        for r2, j2, c2 in limits[i + 1:]:
            if r1.id == r2.id or r1.applies_to != r2.applies_to or c1.ref.label != c2.ref.label:
                continue
            if not (vocab.contains(j1, j2) or vocab.contains(j2, j1)):
                continue
            if (c1.op, c1.limit.value, c1.ref.oxygen_reference) == (c2.op, c2.limit.value, c2.ref.oxygen_reference):
                continue
            if _disjoint(r1, r2):
                continue
            a, b = _interval(r1), _interval(r2)
            if a[0] > b[1] or b[0] > a[1]:
                continue
            key = (r1.id, r2.id)
            if key in seen:
                continue
            seen.add(key)
            out.append(Problem(
                r1.file, r1.line, 0, r1.id,
                f"{r1.applies_to}.{c1.ref.label} {c1.op} {c1.limit.shown} {c1.limit.unit or ''}".rstrip()
                + f" overlaps {r2.id} ({c2.op} {c2.limit.shown} {c2.limit.unit or ''}".rstrip()
                + f", {r2.file}:{r2.line}) in nested jurisdictions {j1}/{j2} at overlapping dates; "
                "check that both are meant to apply (their `when` conditions may keep them apart)",
                "info",
            ))
    return out


class Validation:
    """The problems of a batch of inputs (:func:`compliance.sources.expand`
    items), yielded as found: each record's (sorted) as it is read, so a
    register is validated in flat memory, then the rulesets' (files whose
    top level has a ``ruleset`` key), which are checked together at the end.
    ``inputs`` counts the items read so far."""

    def __init__(self, items: Iterable) -> None:
        self.items = items
        self.inputs = 0

    def __iter__(self) -> Iterator[Problem]:
        from .api import Failure

        ruleset_files: List[str] = []
        for item in self.items:
            self.inputs += 1
            if isinstance(item, Failure):
                yield from sorted(set(item.problems))
                continue
            try:
                doc = document(item)
                if isinstance(item, str) and isinstance(doc.data, dict) and "ruleset" in doc.data:
                    ruleset_files.append(item)
                    continue
                yield from sorted(set(normalise(record_from_document(doc)).warnings))
            except InputError as exc:
                yield from sorted(set(exc.problems))
        if ruleset_files:
            try:
                rulesets = load_rulesets(ruleset_files)
            except InputError as exc:
                yield from sorted(set(exc.problems))
            else:
                yield from sorted(set(lint_rulesets(rulesets)) | set(overlaps(rulesets)))


def validate_paths(paths: Iterable[str]) -> List[Problem]:
    """Every problem in the given records, folders of them and rulesets (nothing is evaluated)."""
    return sorted(set(Validation(expand(paths))))
