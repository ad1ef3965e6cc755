"""Exceptions written in the sources are exemptions (docs/semantics.md, "Exceptions").

The table of docs/semantics.md is held to the rulesets: every rule whose
quoted text carries a 除…外 exception (or the benchmark enterprises'
可不予限产) encodes it as ``unless`` and shows ``exempt`` in its own cases;
and the Jizhou benchmark exemption reads as the text does on whole records.
"""

import re
from pathlib import Path

import pytest

from compliance import check, load_rulesets

from conftest import base_record

BUNDLED = load_rulesets()
RULES = {r.id: r for rs in BUNDLED for r in rs.rules}
SEMANTICS = Path(__file__).resolve().parent.parent / "docs" / "semantics.md"

#: rule -> the words of its quoted text that write the exception
EXCEPTIONS = {
    "tianjin-2014/ecological-red-line/no-unrelated-construction": "除已经市人民政府批复和审定的规划建设用地外",
    "jizhou-2018/nonroad/alert-stop": "除涉及安全生产及应急抢险任务外",
    "jizhou-2018/furnace/coal-gasifier": "除制备原料的煤气发生炉外",
    "jizhou-2018/alert-heavy-truck-ban": "车辆除外",
    "jizhou-2018/staggered-production/foundry-melting": "可不予限产",
    "jizhou-2018/staggered-production/building-materials": "可不予限产",
}
#: rules that quote a sentence with an exception meant for another rule of the same sentence
SAME_SENTENCE = {
    "jizhou-2018/furnace/coal-hot-blast-stove": "jizhou-2018/furnace/coal-gasifier",
    "jizhou-2018/furnace/coal-kiln-in-chp-coverage": "jizhou-2018/furnace/coal-gasifier",
}
EXCEPTION_WORDS = re.compile(r"除(?![尘臭雾])[^。；，]{1,40}?外|除外|可不予")


def test_every_quoted_exception_is_in_the_table():
    quoting = {rid for rid, r in RULES.items() if EXCEPTION_WORDS.search(r.cite.text)}
    assert quoting == set(EXCEPTIONS) | set(SAME_SENTENCE), sorted(quoting ^ (set(EXCEPTIONS) | set(SAME_SENTENCE)))
    for rid, owner in SAME_SENTENCE.items():
        assert RULES[rid].cite.text == RULES[owner].cite.text, rid


@pytest.mark.parametrize("rule_id", sorted(EXCEPTIONS))
def test_an_exception_is_an_exemption(rule_id):
    rule = RULES[rule_id]
    assert EXCEPTIONS[rule_id] in rule.cite.text
    assert rule.unless is not None, f"{rule_id}: the exception {EXCEPTIONS[rule_id]} is not an `unless`"
    assert rule.unless.name.get("zh") and rule.unless.name.get("en")
    assert "exempt" in {c.expect for c in rule.tests}, f"{rule_id}: no embedded case shows the exemption"


def test_the_semantics_table_names_every_exception():
    text = SEMANTICS.read_text(encoding="utf-8")
    assert "## Exceptions" in text
    for rule_id in EXCEPTIONS:
        assert rule_id.rsplit("/", 1)[-1] in text, rule_id


# -- the benchmark exemption on whole records (二（九）26)

FOUNDRY = "jizhou-2018/staggered-production/foundry-melting"
BUILDING = "jizhou-2018/staggered-production/building-materials"


def _foundry(benchmark, *furnaces, as_of="2019-01-15", industries=("foundry",)):
    rec = base_record(furnaces=list(furnaces))
    rec["context"]["as_of"] = as_of
    rec["facility"].update(industries=list(industries))
    if benchmark is not None:
        rec["facility"]["benchmark_enterprise"] = benchmark
    return rec


def _statuses(rec, rule):
    return {f.entity: f.status for f in check(rec).findings if f.rule == rule}


def _melting(fid, pm, so2, kind="melting", **extra):
    e = {"id": fid, "kind": kind, "emissions": {}}
    if pm is not None:
        e["emissions"]["pm"] = pm
    if so2 is not None:
        e["emissions"]["so2"] = so2
    e.update(extra)
    return e


def test_benchmark_foundry_meeting_the_criteria_is_exempt_and_named():
    rec = _foundry(True, _melting("M1", "20 mg/m^3", "100 mg/m^3"),
                   _melting("C1", "19 mg/m^3", "99 mg/m^3", kind="cupola", cems=True))
    found = [f for f in check(rec).findings if f.rule == FOUNDRY]
    assert {f.entity: f.status for f in found} == {"furnaces[M1]": "exempt", "furnaces[C1]": "exempt"}
    for f in found:
        assert "环保标杆企业" in f.exemption["zh"] and "benchmark" in f.exemption["en"].lower()
        assert "20" in f.exemption["zh"] and "100" in f.exemption["zh"]
    # no rule reports the criteria as duties of their own any more
    assert not [f for f in check(rec).findings if "/benchmark/" in f.rule]


@pytest.mark.parametrize("furnace, staggered, status", [
    (_melting("M", "20.0001 mg/m^3", "50 mg/m^3"), True, "compliant"),
    (_melting("M", "20.0001 mg/m^3", "50 mg/m^3"), False, "violation"),
    (_melting("M", "10 mg/m^3", "100.0001 mg/m^3"), True, "compliant"),
    (_melting("M", "10 mg/m^3", "100.0001 mg/m^3"), False, "violation"),
    (_melting("M", "10 mg/m^3", "50 mg/m^3", kind="cupola", cems=False), True, "compliant"),
    (_melting("M", "10 mg/m^3", "50 mg/m^3", kind="cupola", cems=False), False, "violation"),
    (_melting("M", "10 mg/m^3", None), False, "indeterminate"),
    (_melting("M", "10 mg/m^3", None), True, "compliant"),
    (_melting("M", "10 mg/m^3", "50 mg/m^3", kind="cupola"), False, "indeterminate"),
])
def test_benchmark_foundry_failing_a_criterion_is_judged_on_the_duty(furnace, staggered, status):
    furnace = dict(furnace, staggered_production=staggered)
    assert _statuses(_foundry(True, furnace), FOUNDRY) == {"furnaces[M]": status}


def test_the_period_of_staggered_production():
    late = _melting("M", "30 mg/m^3", "50 mg/m^3", staggered_production=False)
    for as_of, status in [("2018-09-30", None), ("2018-10-01", "violation"), ("2019-03-31", "violation"),
                          ("2019-04-01", None)]:
        assert _statuses(_foundry(True, late, as_of=as_of), FOUNDRY).get("furnaces[M]") == status, as_of


@pytest.mark.parametrize("industries, fuel, status", [
    (["building_materials"], "gas", "exempt"),
    (["building_materials"], "electric", "exempt"),
    (["building_materials"], "coal", "violation"),
    (["building_materials"], None, "indeterminate"),
    (["cement"], "gas", "violation"),  # clinker plants are not among 砖瓦、水泥制品等
])
def test_building_materials_clean_fuel(industries, fuel, status):
    kiln = {"id": "K", "kind": "kiln", "staggered_production": False}
    if fuel is not None:
        kiln["fuel"] = fuel
    rec = _foundry(True, kiln, industries=industries)
    assert _statuses(rec, BUILDING) == {"furnaces[K]": status}


def test_feedstock_gasifier_is_exempt_and_a_shut_one_complies_whatever_its_purpose():
    rule = "jizhou-2018/furnace/coal-gasifier"
    rec = base_record(furnaces=[{"id": "G1", "kind": "coal_gasifier", "feedstock_gasifier": True},
                                {"id": "G2", "kind": "coal_gasifier", "status": "shutdown"},
                                {"id": "G3", "kind": "coal_gasifier"}])
    found = {f.entity: f for f in check(rec).findings if f.rule == rule}
    assert {e: f.status for e, f in found.items()} == {
        "furnaces[G1]": "exempt", "furnaces[G2]": "compliant", "furnaces[G3]": "indeterminate"}
    assert found["furnaces[G1]"].exemption["zh"] == "制备原料的煤气发生炉"
