"""The library agrees with a hand-written evaluation of 45 Jizhou rules.

tests/handwritten_jizhou.py evaluates 45 rules of cn-tj-jizhou-2018-autumn-winter
in plain Python on raw record dicts; benchmarks/records.py generates seeded
facility records (boilers, coatings, sites, vehicles, several unit spellings,
missing fields, values on the limits). On a few hundred of them, every engine
must give the same set of (rule, entity, status) for those 45 rules. The
benchmarks time the same two sides (benchmarks/bench_check.py).
"""

import datetime as dt
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from compliance import engine as _engine
from compliance.api import evaluator
from compliance.normalise import normalise
from compliance.record import record_from_data

sys.path.insert(0, str(Path(__file__).resolve().parent))
from handwritten_jizhou import HAND_RULE_IDS, JIZHOU_RULESET, hand_check  # noqa: E402

RECORDS = 400
SEED = 1


def _load_generator():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "records.py"
    spec = importlib.util.spec_from_file_location("_bench_records", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def records():
    return _load_generator().generate(RECORDS, SEED)


def _engines():
    out = []
    for name in _engine.ENGINES:
        marks = ()
        if name == "durable" and not _engine.durable_available():
            marks = pytest.mark.skip(reason="durable_rules does not import here")
        out.append(pytest.param(name, marks=marks))
    return out


def _as_of(rec):
    return dt.date.fromisoformat(rec["context"]["as_of"])


def _library(ev, rec):
    facts = normalise(record_from_data(rec), as_of=_as_of(rec))
    return {(f.rule, f.entity_id, f.status) for f in ev.findings(facts, show_all=False) if f.rule in HAND_RULE_IDS}


def _differences(records, library):
    bad = []
    for i, rec in enumerate(records):
        hand = hand_check(rec)
        assert len(hand) == len(set(hand)), f"record {i}: the hand-written rules repeat a finding"
        lib = library(rec)
        if set(hand) != lib:
            bad.append(f"record {i} ({rec['facility']['id']}): hand-written only {sorted(set(hand) - lib)}; "
                       f"library only {sorted(lib - set(hand))}")
    return bad


def test_oracle_rules_exist_in_the_ruleset():
    ev = evaluator(rulesets=[JIZHOU_RULESET], engine="direct")
    assert len(HAND_RULE_IDS) == 45
    assert HAND_RULE_IDS <= {r.id for r in ev.program.rules}


def test_records_exercise_every_status(records):
    counts = Counter(k[2] for rec in records for k in hand_check(rec))
    assert {"violation", "compliant", "indeterminate", "pending", "exempt"} <= set(counts), counts
    rules_seen = {k[0] for rec in records for k in hand_check(rec)}
    assert len(rules_seen) >= 40, sorted(HAND_RULE_IDS - rules_seen)


@pytest.mark.parametrize("engine", _engines())
def test_findings_match_the_hand_written_rules(records, engine):
    ev = evaluator(rulesets=[JIZHOU_RULESET], engine=engine)
    bad = _differences(records, lambda rec: _library(ev, rec))
    assert not bad, f"{len(bad)} of {len(records)} records differ:\n" + "\n".join(bad[:10])


@pytest.mark.parametrize("engine", _engines())
def test_statuses_match_the_hand_written_rules(records, engine):
    """The hot path (``Evaluator.statuses``: rule index, entity, status), where the library has it."""
    ev = evaluator(rulesets=[JIZHOU_RULESET], engine=engine)
    if not hasattr(ev, "statuses"):
        pytest.skip("the evaluator has no statuses()")
    rules = ev.program.rules

    def library(rec):
        facts = normalise(record_from_data(rec), as_of=_as_of(rec))
        return {(rules[i].id, entity.id, status) for i, entity, status in ev.statuses(facts)
                if rules[i].id in HAND_RULE_IDS and status != "not_applicable"}

    bad = _differences(records, library)
    assert not bad, f"{len(bad)} of {len(records)} records differ:\n" + "\n".join(bad[:10])


@pytest.mark.parametrize("engine", _engines())
def test_check_data_matches_the_hand_written_rules(records, engine):
    """The fused dict -> statuses path (``Evaluator.check_data``), where the library has it."""
    ev = evaluator(rulesets=[JIZHOU_RULESET], engine=engine)
    if not hasattr(ev, "check_data"):
        pytest.skip("the evaluator has no check_data()")
    rules = ev.program.rules

    def library(rec):
        return {(rules[i].id, entity.id, status) for i, entity, status in ev.check_data(rec)
                if rules[i].id in HAND_RULE_IDS and status != "not_applicable"}

    bad = _differences(records, library)
    assert not bad, f"{len(bad)} of {len(records)} records differ:\n" + "\n".join(bad[:10])
