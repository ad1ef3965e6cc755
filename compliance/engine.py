"""Rule matching: which (rule, entity) pairs need a verdict.

Rules are compiled once into a :class:`Program`. A *matcher* takes a
normalised record and returns every (rule, entity) pair for which the rule's
jurisdiction contains the record's region and its ``when`` condition is not
definitely false. Two matchers run the same compiled program:

* :class:`DurableMatcher` -- the durable_rules Rete engine (default where it
  imports). The wrapper lives in :mod:`compliance._durable`.
* :class:`DirectMatcher` -- a direct evaluator of the same compiled
  conditions, for Pythons where durable_rules does not import (3.13+) and as
  the reference the durable path is tested against.

The verdict for each pair (:mod:`compliance.evaluate`) is computed from the
same compiled conditions whichever matcher selected it.
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple

import attrs

from .errors import UsageError
from .normalise import Entity, Facts
from .ruleset import Rule, Ruleset

__all__ = ["Program", "DirectMatcher", "make_matcher", "ENGINES", "durable_available"]

ENGINES = ("auto", "durable", "direct")


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
            for rule in rs.rules:
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
                if when is None or when.truth(sv) is not False:
                    out.append((i, entity))
        return out


def durable_available() -> bool:
    try:
        import durable_rules_engine  # noqa: F401
    except Exception:  # ImportError, or its own failure on Python 3.13+
        return False
    return True


def make_matcher(program: Program, engine: Optional[str] = None):
    """The matcher for ``engine``: auto (durable where it imports), durable, direct.

    ``COMPLIANCE_ENGINE`` in the environment sets the default.
    """
    engine = engine or os.environ.get("COMPLIANCE_ENGINE") or "auto"
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "direct" or (engine == "auto" and not durable_available()):
        return DirectMatcher(program)
    if not durable_available():
        raise UsageError("the durable engine is not available on this Python; use --engine direct")
    from ._durable import DurableMatcher

    return DurableMatcher(program)
