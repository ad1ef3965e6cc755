"""Rule matching: which (rule, entity) pairs need a verdict.

Rules are compiled once into a :class:`Program`. Three engines run it; all
three read the same compiled condition trees:

* ``kernel`` (the default, ``auto``) -- generated Python per entity kind
  (:mod:`compliance.kernel`) that selects and decides in one pass: the
  batch hot path.
* ``direct`` -- the interpreter: :class:`DirectMatcher` selects every
  (rule, entity) pair whose rule applies in the record's region and whose
  ``when`` is not definitely false, and the interpreted verdict
  (:func:`compliance.evaluate.verdict`) decides. It is the reference the
  other two are tested against, and it explains every finding.
* ``durable`` -- the durable_rules Rete engine selects the pairs
  (:mod:`compliance._durable`), the interpreted verdict decides. It costs
  about 11 µs per matching fact, more than a whole hand-written evaluation
  of an entity, so it is off the batch path: there for whoever asks for the
  card's Rete engine, and the independent oracle of the differential test.
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple

import attrs

from .errors import UsageError
from .normalise import Entity, Facts
from .ruleset import Rule, Ruleset

__all__ = ["Program", "DirectMatcher", "make_matcher", "ENGINES", "durable_available"]

ENGINES = ("auto", "kernel", "direct", "durable")


@attrs.frozen
class Program:
    """Rulesets compiled for matching: rules indexed by entity kind."""

    rulesets: Tuple[Ruleset, ...]
    rules: Tuple[Rule, ...]
    by_section: Dict[str, Tuple[int, ...]]
    jurisdictions: Tuple[str, ...]  # per rule

    @classmethod
    def build(cls, rulesets: Sequence[Ruleset]) -> "Program":
        rules: List[Rule] = []
        jur: List[str] = []
        by: Dict[str, List[int]] = {}
        for rs in rulesets:
            for rule in rs.rules + rs.manual_review:  # items are judged as rules are (status.decide)
                by.setdefault(rule.applies_to, []).append(len(rules))
                rules.append(rule)
                jur.append(rs.jurisdiction)
        return cls(tuple(rulesets), tuple(rules), {k: tuple(v) for k, v in by.items()}, tuple(jur))

    def scope(self, facts: Facts, entity: Entity):
        return (entity.values, facts.facility.values, facts.context)


class DirectMatcher:
    """Evaluates each rule's ``when`` in Python (three-valued)."""

    name = "direct"

    def __init__(self, program: Program):
        self.program = program

    def match(self, facts: Facts) -> List[Tuple[int, Entity]]:
        out: List[Tuple[int, Entity]] = []
        chain = facts.region.chain
        rules = self.program.rules
        jur = self.program.jurisdictions
        for entity in facts.all_entities():
            idx = self.program.by_section.get(entity.section)
            if not idx:
                continue
            sv = self.program.scope(facts, entity)
            for i in idx:
                if jur[i] not in chain:
                    continue
                when = rules[i].when
                if when is None or when.evaluate(sv).value is not False:
                    out.append((i, entity))
        return out


def durable_available() -> bool:
    try:
        import durable_rules_engine  # noqa: F401
    except Exception:  # ImportError, or its own failure on Python 3.13+
        return False
    return True


def engine_name(engine: Optional[str] = None) -> str:
    """The engine ``engine`` (or ``COMPLIANCE_ENGINE``, or auto) stands for."""
    engine = engine or os.environ.get("COMPLIANCE_ENGINE") or "auto"
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    return "kernel" if engine == "auto" else engine


def make_matcher(program: Program, engine: Optional[str] = None):
    """The matcher for ``engine``: auto (the kernel), kernel, direct, durable.

    ``COMPLIANCE_ENGINE`` in the environment sets the default.
    """
    engine = engine_name(engine)
    if engine == "kernel":
        from .kernel import KernelMatcher

        return KernelMatcher(program)
    if engine == "direct":
        return DirectMatcher(program)
    if not durable_available():
        raise UsageError("the durable engine is not available on this Python; use --engine direct")
    from ._durable import DurableMatcher

    return DurableMatcher(program)
