"""The library agrees with a hand-written evaluation of 48 Jizhou rules.

tests/handwritten_jizhou.py evaluates 48 rules of cn-tj-jizhou-2018-autumn-winter
in plain Python on raw record dicts; benchmarks/records.py generates seeded
facility records (boilers, coatings, sites, vehicles, several unit spellings,
missing fields, values on the limits). On a few hundred of them, every engine
must give the same set of (rule, entity, status) for those rules. The
benchmarks time the same two sides (benchmarks/bench_check.py). The
benchmark records hold no furnaces, so the three furnace rules (the
staggered-production duty with the benchmark-enterprise exemption, the
gasifier exception) get records of their own here (:func:`furnace_records`),
drawn around the criteria's boundaries and the period's ends.
"""

import datetime as dt
import importlib.util
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

from compliance import engine as _engine
from compliance.api import evaluator
from compliance.normalise import normalise
from compliance.record import record_from_data

sys.path.insert(0, str(Path(__file__).resolve().parent))
from handwritten_jizhou import (  # noqa: E402
    FURNACE_RULES, HAND_RULE_IDS, JIZHOU_RULESET, ORACLE_RULE_IDS, hand_check)

RECORDS = 400
SEED = 1


def _load_generator():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "records.py"
    spec = importlib.util.spec_from_file_location("_bench_records", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FURNACE_AS_OF = ("2018-09-30", "2018-10-01", "2018-12-04", "2018-12-05", "2018-12-31", "2019-01-01",
                 "2019-03-31", "2019-04-01")
FURNACE_CHOICES = {  # None: the field is left out
    "kind": ("cupola", "melting", "kiln", "drying", "heat_treatment", "coal_gasifier", None),
    "status": ("operating", "standby", "shutdown", None),
    "fuel": ("gas", "electric", "coal", "heavy_oil", None),
    "staggered_production": (True, False, None),
    "cems": (True, False, None),
    "feedstock_gasifier": (True, False, None),
    "pm": ("20 mg/m^3", "20.0001 mg/m^3", "19.99 毫克/立方米", "20 mg/m³", "35 mg/m³", None),
    "so2": ("100 mg/m^3", "100.0001 mg/m^3", "60 毫克/立方米", "100 mg/m³", "180 mg/m³", None),
}
INDUSTRIES = (["foundry"], ["foundry"], ["building_materials"], ["cement"], ["glass"],
              ["foundry", "building_materials"], ["forging"], [], None)
FURNACE_RECORDS = 800


def furnace_records(n: int, seed: int) -> list:
    """Records of furnaces around the staggered-production criteria, the period and the gasifier exception."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        fac = {"id": f"K{i}", "region": "120119"}
        industries = rng.choice(INDUSTRIES)
        if industries is not None:
            fac["industries"] = industries
        benchmark = rng.choice((True, False, None))
        if benchmark is not None:
            fac["benchmark_enterprise"] = benchmark
        furnaces = []
        for j in range(rng.randint(1, 3)):
            k = {"id": f"k{j}"}
            for name, options in FURNACE_CHOICES.items():
                value = rng.choice(options)
                if value is None:
                    continue
                if name in ("pm", "so2"):
                    k.setdefault("emissions", {})[name] = value
                else:
                    k[name] = value
            furnaces.append(k)
        out.append({"context": {"as_of": rng.choice(FURNACE_AS_OF)}, "facility": fac, "furnaces": furnaces})
    return out


@pytest.fixture(scope="module")
def records():
    return _load_generator().generate(RECORDS, SEED) + furnace_records(FURNACE_RECORDS, SEED)


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
    return {(f.rule, f.entity_id, f.status) for f in ev.findings(facts, show_all=False) if f.rule in ORACLE_RULE_IDS}


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
    assert len(HAND_RULE_IDS) == 45 and len(ORACLE_RULE_IDS) == 48
    assert ORACLE_RULE_IDS <= {r.id for r in ev.program.rules}


def test_records_exercise_every_status(records):
    counts = Counter(k[2] for rec in records for k in hand_check(rec))
    assert {"violation", "compliant", "indeterminate", "pending", "exempt"} <= set(counts), counts
    rules_seen = {k[0] for rec in records for k in hand_check(rec)}
    assert len(rules_seen) >= 43, sorted(ORACLE_RULE_IDS - rules_seen)
    furnace_rules = {rid for rid, _ in FURNACE_RULES}
    seen = Counter((k[0], k[2]) for rec in records for k in hand_check(rec) if k[0] in furnace_rules)
    for rid in furnace_rules:  # each furnace rule meets every status it can give
        assert {s for r, s in seen if r == rid} >= {"violation", "compliant", "indeterminate", "exempt"}, (rid, seen)


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
                if rules[i].id in ORACLE_RULE_IDS and status != "not_applicable"}

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
                if rules[i].id in ORACLE_RULE_IDS and status != "not_applicable"}

    bad = _differences(records, library)
    assert not bad, f"{len(bad)} of {len(records)} records differ:\n" + "\n".join(bad[:10])
