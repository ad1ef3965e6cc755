"""Run the test cases embedded in rules (``compliance test``).

Each case is a record fragment -- the entity, optionally facility fields,
a date and an alert level -- and the status the rule must give it. The
fragment is completed into a full facility record inside the ruleset's
jurisdiction and checked through the public pipeline (load, normalise,
match, verdict), so a case exercises exactly what a user's record would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Sequence, Tuple

import attrs

from .errors import InputError
from .evaluate import Evaluator
from .normalise import normalise
from .record import record_from_data
from .ruleset import Rule, Ruleset, TestCase
from .vocabulary import vocabulary

__all__ = ["CaseResult", "case_record", "run_cases", "outside_cases", "outside_region"]

TEST_FACILITY_ID = "TEST-FACILITY"
TEST_ENTITY_ID = "T1"


@attrs.frozen
class CaseResult:
    rule: Rule
    case: TestCase
    index: int
    got: str
    error: Optional[str] = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and self.got == self.case.expect


def default_region(jurisdiction: str) -> str:
    """A district inside ``jurisdiction`` (itself if it is a district)."""
    vocab = vocabulary()
    inside = sorted(code for code, r in vocab.regions.items() if jurisdiction in r.chain and code != jurisdiction)
    leaves = [c for c in inside if not any(c in r.chain and r.code != c for r in vocab.regions.values())]
    return jurisdiction if not leaves else leaves[0]


def default_as_of(rule: Rule) -> dt.date:
    """The day the rule is due: the day after its deadline (the deadline
    itself when it is the last day a date can be, 9999-12-31: never due)."""
    if rule.deadline is not None:
        return rule.deadline + dt.timedelta(days=1) if rule.deadline < dt.date.max else rule.deadline
    return max(d for d in (rule.effective_from, rule.in_force_from) if d is not None)


def case_record(rule: Rule, jurisdiction: str, case: TestCase) -> Dict[str, Any]:
    """The full facility record a case stands for."""
    section = rule.applies_to
    facility = {"id": TEST_FACILITY_ID, "region": default_region(jurisdiction), **case.facility}
    record: Dict[str, Any] = {
        "context": {"as_of": case.as_of or default_as_of(rule)},
        "facility": facility,
    }
    if case.alert:
        record["context"]["alert"] = case.alert
    if section != "facility":
        if vocabulary().sections[section].kind == "single":
            record[section] = dict(case.entity)
        else:
            record[section] = [{"id": TEST_ENTITY_ID, **case.entity}]
    return record


def outside_region(jurisdiction: str) -> Optional[str]:
    """A district outside ``jurisdiction`` (None for the whole country)."""
    vocab = vocabulary()
    regions = vocab.regions
    leaves = sorted(code for code, r in regions.items()
                    if not any(code in o.chain and o.code != code for o in regions.values()))
    return next((c for c in leaves if not vocab.contains(jurisdiction, c)), None)


def outside_cases(rule: Rule, jurisdiction: str) -> List[Tuple[int, TestCase]]:
    """Each violating case of ``rule`` moved outside ``jurisdiction``: a
    rule there must not apply (``not_applicable``). Embedded cases run in
    their ruleset's jurisdiction, so without these nothing in them would
    notice a rule that fires everywhere."""
    region = outside_region(jurisdiction)
    if region is None:
        return []
    return [(i, attrs.evolve(case, expect="not_applicable", facility={**case.facility, "region": region},
                             name=f"outside {jurisdiction} (region {region})"))
            for i, case in enumerate(rule.tests) if case.expect == "violation"]


def run_cases(rulesets: Sequence[Ruleset], evaluator: Evaluator, rule_ids: Optional[set] = None) -> List[CaseResult]:
    """Run every embedded case of ``rulesets`` through ``evaluator``, and
    each violating one again outside the ruleset's jurisdiction
    (:func:`outside_cases`)."""
    results: List[CaseResult] = []
    single = {name for name, spec in vocabulary().sections.items() if spec.kind == "single"}
    for rs in rulesets:
        for rule in rs.rules + rs.manual_review:
            if rule_ids and rule.id not in rule_ids:
                continue
            own = [(i, case, False) for i, case in enumerate(rule.tests)]
            for i, case, outside in own + [(i, c, True) for i, c in outside_cases(rule, rs.jurisdiction)]:
                data = case_record(rule, rs.jurisdiction, case)
                source = f"{rule.file}:{case.line}"
                try:
                    facts = normalise(record_from_data(data, source))
                except InputError as exc:
                    results.append(CaseResult(rule, case, i, "error", error=str(exc)))
                    continue
                entity_id = TEST_FACILITY_ID if rule.applies_to in single else TEST_ENTITY_ID
                got, message = "not_applicable", ""
                for f in evaluator.findings(facts):
                    if f.rule == rule.id and f.entity_type == rule.applies_to and f.entity_id == entity_id:
                        got, message = f.status, f.message["en"]
                if outside:
                    message = f"{case.name}: {message}"
                results.append(CaseResult(rule, case, i, got, message=message))
    return results
