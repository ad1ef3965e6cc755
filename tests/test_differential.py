"""Every backend gives the same statuses: kernel, interpreter, durable_rules.

Two layers:

* ``TABLE``: one table of conditions -- (entity kind, condition, record
  fragment, truth, missing fields, text) -- that every backend must
  satisfy: the interpreter (``Cond.evaluate``, the reference), the generated
  kernel (``kernel.condition_function``, same generator as the rule kernels)
  and, where it imports, durable_rules (a pair is selected iff the condition
  is not definitely false; ``not`` of it iff not definitely true).
* Statuses of every (rule, entity) on every example, every embedded case, a
  generated corpus of 20 000 records and the fuzz corpus: the kernel equals
  the interpreter (``direct``) everywhere, durable too where it imports.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import attrs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

import compliance
from compliance.api import evaluator
from compliance.conditions import Not, compile_condition
from compliance.engine import durable_available
from compliance.errors import InputError
from compliance.kernel import condition_function
from compliance.normalise import normalise
from compliance.record import load_record, record_from_data
from compliance.testing import case_record

sys.path.insert(0, str(Path(__file__).parent))
from snapshot import corpus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
REGRESSIONS = sorted((ROOT / "tests" / "fuzz_regressions").glob("*.yaml"))
DURABLE = durable_available()
ENGINES = ("kernel", "direct") + (("durable",) if DURABLE else ())
CORPUS_SIZE = int(os.environ.get("COMPLIANCE_DIFFERENTIAL_RECORDS", "20000"))

# -------------------------------------------------------- the condition table

B = "boilers"
V = "vehicles"
C = "coatings"
S = "construction_sites"
F = "facility"

#: (kind, condition, entity fields, facility fields, truth, missing, English text)
TABLE = [
    # comparisons on quantities, in the field's canonical unit
    (B, {"field": "capacity", "op": "<=", "value": "35 t/h"}, {"capacity": "35 t/h"}, {}, True, (), "capacity at most 35 t/h"),
    (B, {"field": "capacity", "op": "<", "value": "35 t/h"}, {"capacity": "35 t/h"}, {}, False, (), "capacity below 35 t/h"),
    (B, {"field": "capacity", "op": "<=", "value": "35 t/h"}, {"capacity": "24.5 MW"}, {}, True, (), None),
    (B, {"field": "capacity", "op": "<=", "value": "35 t/h"}, {"capacity": "24.6 MW"}, {}, False, (), None),
    (B, {"field": "capacity", "op": ">", "value": "35 t/h"}, {}, {}, None, ("capacity",), "capacity above 35 t/h"),
    (B, {"field": "capacity", "op": "==", "value": "20 t/h"}, {"capacity": "20 蒸吨/时"}, {}, True, (), "capacity equal to 20 t/h"),
    (B, {"field": "capacity", "op": "!=", "value": "20 t/h"}, {"capacity": "14 MW"}, {}, False, (), "capacity other than 20 t/h"),
    (C, {"field": "voc_content", "op": "<=", "value": "580 g/L"}, {"voc_content": "0.58 kg/L"}, {}, True, (), None),
    (C, {"field": "voc_content", "op": ">=", "value": "580 g/L"}, {"voc_content": "4.4 lb/gal"}, {}, False, (), None),
    # oxygen correction: both the concentration and the O2 are needed
    (B, {"field": "emissions.nox", "op": "<=", "value": "200 mg/m^3", "oxygen_reference": "9 %"},
     {"emissions": {"nox": "190 mg/m^3", "o2": "11 %"}}, {}, False, (), "emissions.nox at most 200 mg/m³ (corrected to 9 % O2)"),
    (B, {"field": "emissions.nox", "op": "<=", "value": "200 mg/m^3", "oxygen_reference": "9 %"},
     {"emissions": {"nox": "190 mg/m^3", "o2": "9 %"}}, {}, True, (), None),
    (B, {"field": "emissions.nox", "op": "<=", "value": "200 mg/m^3", "oxygen_reference": "9 %"},
     {"emissions": {"nox": "190 mg/m^3"}}, {}, None, ("emissions.o2",), None),
    (B, {"field": "emissions.nox", "op": "<=", "value": "200 mg/m^3", "oxygen_reference": "9 %"},
     {}, {}, None, ("emissions.nox", "emissions.o2"), None),
    # emission stages are intervals: a bare 国六 is 6a..6b
    (V, {"field": "emission_stage", "op": ">=", "value": "5"}, {"emission_stage": "国六"}, {}, True, (), None),
    (V, {"field": "emission_stage", "op": ">=", "value": "6b"}, {"emission_stage": "国六"}, {}, None, (), None),
    (V, {"field": "emission_stage", "op": ">", "value": "6a"}, {"emission_stage": "国六"}, {}, None, (), None),
    (V, {"field": "emission_stage", "op": "<", "value": "6b"}, {"emission_stage": "国六"}, {}, None, (), None),
    (V, {"field": "emission_stage", "op": "<=", "value": "6b"}, {"emission_stage": "国六"}, {}, True, (), None),
    (V, {"field": "emission_stage", "op": "<", "value": "6a"}, {"emission_stage": "国六"}, {}, False, (), None),
    (V, {"field": "emission_stage", "op": "==", "value": "6a"}, {"emission_stage": "国六"}, {}, None, (), None),
    (V, {"field": "emission_stage", "op": "!=", "value": "6a"}, {"emission_stage": "国六"}, {}, None, (), None),
    (V, {"field": "emission_stage", "op": "==", "value": "5"}, {"emission_stage": "国六"}, {}, False, (), None),
    (V, {"field": "emission_stage", "op": "!=", "value": "5"}, {"emission_stage": "国六"}, {}, True, (), None),
    (V, {"field": "emission_stage", "op": "==", "value": "6b"}, {"emission_stage": "国VI(B)"}, {}, True, (), None),
    (V, {"not": {"field": "emission_stage", "op": "<=", "value": "6b"}}, {"emission_stage": "国六"}, {}, False, (), None),
    (V, {"not": {"field": "emission_stage", "op": "<", "value": "6b"}}, {"emission_stage": "国六"}, {}, None, (), None),
    (V, {"field": "emission_stage", "op": "<", "value": "4"}, {"emission_stage": "China 3"}, {}, True, (), None),
    # `not` around a comparison (the shape the bundled rules never have)
    (B, {"not": {"field": "capacity", "op": "<", "value": "35 t/h"}}, {"capacity": "10 t/h"}, {}, False, (), None),
    (B, {"not": {"field": "capacity", "op": "<", "value": "35 t/h"}}, {"capacity": "35 t/h"}, {}, True, (), None),
    (B, {"not": {"field": "capacity", "op": "!=", "value": "35 t/h"}}, {"capacity": "35 t/h"}, {}, True, (), None),
    (B, {"not": {"field": "capacity", "op": ">=", "value": "35 t/h"}}, {}, {}, None, ("capacity",), None),
    (V, {"not": {"field": "emission_stage", "op": ">=", "value": "6b"}}, {"emission_stage": "国六"}, {}, None, (), None),
    (V, {"not": {"field": "emission_stage", "op": "==", "value": "5"}}, {"emission_stage": "国六"}, {}, True, (), None),
    (V, {"not": {"not": {"field": "emission_stage", "op": "<", "value": "6b"}}}, {"emission_stage": "国六"}, {}, None, (), None),
    (V, {"field": "emission_stage", "op": "<=", "value": "6a"}, {"emission_stage": "国六"}, {}, None, (), None),
    (V, {"field": "emission_stage", "op": "<", "value": "6b"}, {"emission_stage": "国VI(B)"}, {}, False, (), None),
    (V, {"field": "emission_stage", "op": "<", "value": "4"}, {}, {}, None, ("emission_stage",), None),
    # membership, lists, presence
    (B, {"field": "fuel", "in": ["coal", "biomass"]}, {"fuel": "coal"}, {}, True, (), "fuel = coal/biomass"),
    (B, {"field": "fuel", "equals": "coal"}, {"fuel": "gas"}, {}, False, (), "fuel = coal"),
    (B, {"field": "fuel", "equals": "coal"}, {}, {}, None, ("fuel",), None),
    (B, {"not": {"field": "fuel", "equals": "coal"}}, {}, {}, None, ("fuel",), "not (fuel = coal)"),
    (B, {"field": "cems", "equals": True}, {"cems": False}, {}, False, (), "cems = true"),
    (B, {"field": "status", "equals": "operating"}, {}, {}, True, (), None),  # the format's default
    (F, {"field": "industries", "includes": "steel"}, {}, {"industries": ["steel", "cement"]}, True, (), "industries ∋ steel"),
    (F, {"field": "industries", "includes_all": ["steel", "glass"]}, {}, {"industries": ["steel"]}, False, (), None),
    (F, {"field": "industries", "includes_any": ["glass", "coking"]}, {}, {"industries": []}, False, (), None),
    (F, {"field": "industries", "includes_any": ["glass"]}, {}, {}, None, ("industries",), None),
    (B, {"field": "facility.town", "known": True}, {}, {"town": "渔阳镇"}, True, (), "facility.town given"),
    (F, {"field": "town", "known": True}, {}, {"town": "渔阳镇"}, True, (), "town given"),
    (F, {"field": "town", "known": False}, {}, {}, True, (), "town not given"),
    (B, {"field": "facility.town", "equals": "渔阳镇"}, {}, {"town": "邦均镇"}, False, (), "facility.town = 渔阳镇"),
    (B, {"field": "context.alert", "in": ["orange", "red"]}, {}, {}, False, (), "context.alert = orange/red"),
    (F, {"field": "region", "equals": "120119"}, {}, {}, True, (), None),
    # dates; date_or_false: false ("never done") is later than any deadline
    (B, {"field": "commissioned", "op": "<", "value": "2015-01-01"}, {"commissioned": dt.date(2014, 12, 31)}, {}, True, (), None),
    (F, {"field": "clean_production_audit", "op": "<=", "value": "2019-12-31"}, {}, {"clean_production_audit": False}, False, (), None),
    # coverage: a share, 100 % by default
    (S, {"coverage": "dust_measures", "of": ["perimeter_hoarding", "vehicle_washing"]},
     {"dust_measures": {"perimeter_hoarding": "100 %", "vehicle_washing": True}}, {}, True, (), None),
    (S, {"coverage": "dust_measures", "of": ["perimeter_hoarding", "vehicle_washing"]},
     {"dust_measures": {"perimeter_hoarding": "95 %"}}, {}, False, ("dust_measures.vehicle_washing",), None),
    (S, {"coverage": "dust_measures", "of": ["perimeter_hoarding", "vehicle_washing"], "at_least": "90 %"},
     {"dust_measures": {"perimeter_hoarding": 0.95}}, {}, None, ("dust_measures.vehicle_washing",), None),
    # all / any / not with unknowns: false beats unknown in all, true in any
    (B, {"all": [{"field": "fuel", "equals": "coal"}, {"field": "capacity", "op": "<=", "value": "35 t/h"}]},
     {"fuel": "gas"}, {}, False, ("capacity",), None),
    (B, {"all": [{"field": "fuel", "equals": "coal"}, {"field": "capacity", "op": "<=", "value": "35 t/h"}]},
     {"fuel": "coal"}, {}, None, ("capacity",), "fuel = coal and capacity at most 35 t/h"),
    (B, {"any": [{"field": "fuel", "equals": "coal"}, {"field": "capacity", "op": "<=", "value": "35 t/h"}]},
     {"capacity": "10 t/h"}, {}, True, (), "fuel = coal or capacity at most 35 t/h"),
    (B, {"any": [{"field": "fuel", "equals": "coal"}, {"field": "capacity", "op": "<=", "value": "35 t/h"}]},
     {"capacity": "40 t/h"}, {}, None, ("fuel",), None),
    (B, {"not": {"any": [{"field": "fuel", "equals": "coal"}, {"field": "capacity", "op": ">", "value": "35 t/h"}]}},
     {"fuel": "gas", "capacity": "10 t/h"}, {}, True, (), None),
    (B, {"any": [{"all": [{"field": "fuel", "equals": "coal"}, {"not": {"field": "cems", "equals": True}}]},
                 {"field": "capacity", "op": ">=", "value": "65 t/h"}]},
     {"fuel": "coal", "capacity": "70 t/h"}, {}, True, (), "(fuel = coal and not (cems = true)) or capacity at least 65 t/h"),
    (B, {"all": [{"any": [{"field": "fuel", "equals": "coal"}, {"field": "cems", "known": False}]},
                 {"not": {"field": "capacity", "op": "<", "value": "10 t/h"}}]},
     {"cems": True}, {}, None, ("fuel", "capacity"), None),
]


def _sv(kind, entity, facility):
    """Normalised scope values (entity, facility, context) of a fragment."""
    fac = {"id": "F", "region": "120119", **facility}
    data = {"context": {"as_of": dt.date(2019, 3, 1)}, "facility": fac}
    if kind != F:
        data[kind] = [{"id": "E1", **entity}]
    facts = normalise(record_from_data(data))
    ent = facts.facility if kind == F else next(e for e in facts.entities if e.section == kind)
    return facts, ent, (ent.values, facts.facility.values, facts.context)


def _durable_truth(kind, cond, facts, entity):
    """What durable_rules says: selected with `when` = cond iff not definitely
    false; selected with `when` = not cond iff not definitely true."""
    from compliance.evaluate import Evaluator

    template = compliance.load_rulesets(None)[0]
    base = next(r for rs in compliance.load_rulesets(None) for r in rs.rules)
    rules = tuple(attrs.evolve(base, id=f"t/{n}", applies_to=kind, when=w, unless=None)
                  for n, w in enumerate((cond, Not(cond))))
    rs = attrs.evolve(template, id="differential", jurisdiction="CN", rules=rules)
    ev = Evaluator([rs], "durable")
    hits = {i for i, e in ev.matcher.match(facts) if e is entity}
    possible, not_certain = 0 in hits, 1 in hits
    assert possible or not_certain, "durable says the condition is neither possible nor refutable"
    return None if possible and not_certain else possible


@pytest.mark.parametrize("row", TABLE, ids=[f"{i}:{r[0]}" for i, r in enumerate(TABLE)])
def test_condition_table(row):
    kind, raw, entity, facility, truth, missing, text = row
    cond = compile_condition(kind, raw)
    facts, ent, sv = _sv(kind, entity, facility)
    out = cond.evaluate(sv)
    assert out.value is truth, ("interpreter", raw)
    if missing is not None:
        assert tuple(out.missing) == missing, ("interpreter missing", raw)
    if text is not None:
        assert cond.describe("en") == text
    assert condition_function(cond)(*sv) is truth, ("kernel", raw)
    if DURABLE:
        assert _durable_truth(kind, cond, facts, ent) is truth, ("durable", raw)


def test_table_covers_every_node_kind_and_operator():
    from compliance import conditions as c

    seen_nodes, seen_ops = set(), set()

    def walk(node):
        seen_nodes.add(type(node).__name__)
        if isinstance(node, c.Compare):
            seen_ops.add(node.op)
        for child in getattr(node, "children", ()):
            walk(child)
        if isinstance(node, c.Not):
            walk(node.child)

    for kind, raw, *_ in TABLE:
        walk(compile_condition(kind, raw))
    assert seen_nodes == {"Compare", "Member", "Includes", "Known", "All", "AnyOf", "Not"}
    assert seen_ops == {"<", "<=", ">", ">=", "==", "!="}


#: `when` shapes no bundled rule has, so the status-level checks below
#: (examples, embedded cases, corpus) never meet them: a `not` around a
#: comparison, and stage comparisons against 6b, where a bare 国六 (6a..6b)
#: is undecided for < and decided for <=.
RULE_SHAPES = [
    (kind, wrap(cond))
    for kind, conds in (
        (B, [{"field": "capacity", "op": op, "value": "35 t/h"} for op in ("<", "<=", ">", ">=", "==", "!=")]),
        (V, [{"field": "emission_stage", "op": op, "value": v}
             for op in ("<", "<=", ">", ">=", "==", "!=") for v in ("5", "6a", "6b")]),
    )
    for cond in conds
    for wrap in (lambda c: c, lambda c: {"not": c}, lambda c: {"all": [{"not": c}, {"not": {"not": c}}]})
]


def _shape_rules():
    """One rule per shape as `when`, for all of China, in force, no dates."""
    base = next(r for rs in compliance.load_rulesets(None) for r in rs.rules)
    template = compliance.load_rulesets(None)[0]
    require = {B: compile_condition(B, {"field": "cems", "equals": True}),
               V: compile_condition(V, {"field": "fuel", "equals": "electric"})}
    rules = tuple(attrs.evolve(base, id=f"shape/{n}", applies_to=kind, when=compile_condition(kind, raw),
                               require=require[kind], unless=None, effective_from=None, deadline=None,
                               until=None, in_force_from=dt.date(2000, 1, 1))
                  for n, (kind, raw) in enumerate(RULE_SHAPES))
    return attrs.evolve(template, id="shapes", jurisdiction="CN", rules=rules, parameters=(), manual_review=())


def test_rule_shapes_get_the_same_status_on_every_engine():
    """Every engine's status for every (shape rule, entity), over values
    below, at and above each limit, each stage spelling and missing data;
    and the same rendered findings."""
    import itertools

    from compliance.evaluate import Evaluator

    rs = _shape_rules()
    evs = {name: Evaluator([rs], name) for name in ENGINES}
    boilers = [{"id": f"B{i}", **({} if v is None else {"capacity": v}), **({} if c is None else {"cems": c})}
               for i, (v, c) in enumerate(itertools.product((None, "10 t/h", "35 t/h", "40 t/h"), (None, True, False)))]
    vehicles = [{"id": f"V{i}", **({} if v is None else {"emission_stage": v}), **({} if f is None else {"fuel": f})}
                for i, (v, f) in enumerate(itertools.product((None, "国六", "国VI(B)", "国六a", "国五", "国四"),
                                                             (None, "diesel", "electric")))]
    facts = normalise(record_from_data({"context": {"as_of": dt.date(2019, 3, 1)},
                                        "facility": {"id": "F", "region": "120119"},
                                        "boilers": boilers, "vehicles": vehicles}))
    for show_all in (False, True):
        results = {name: _statuses(ev, facts, show_all) for name, ev in evs.items()}
        for name, got in results.items():
            assert got == results["direct"], (name, show_all, sorted(set(got) ^ set(results["direct"]))[:5])
        findings = {name: [f.to_dict() for f in ev.findings(facts, show_all=show_all)] for name, ev in evs.items()}
        assert all(f == findings["direct"] for f in findings.values())
    # the grid reaches every verdict a `when` can lead to, on both kinds
    statuses = {(kind, st) for kind in (B, V) for _, sec, _, st in results["direct"] if sec == kind}
    assert statuses >= {(k, st) for k in (B, V) for st in ("violation", "compliant", "indeterminate", "not_applicable")}
    assert len(results["direct"]) == 18 * 12 + 54 * 18  # show_all: every (rule, entity)


def test_hostile_rule_strings_never_become_code(tmp_path):
    """A ruleset string value reaches the kernel through its globals: quotes,
    newlines and code in it stay data."""
    from compliance.kernel import generate_section

    evil = "x'\n__import__('os').system('touch PWNED')\n'"
    cond = compile_condition(F, {"field": "town", "in": [evil, "渔阳镇"]})
    fn = condition_function(cond)
    assert fn({"town": evil}, {}, {}) is True
    assert fn({"town": "other"}, {}, {}) is False
    base = next(r for rs in compliance.load_rulesets(None) for r in rs.rules if r.applies_to == "facility")
    source, namespace, _ = generate_section(F, [(0, attrs.evolve(base, when=cond))])
    assert (evil, "渔阳镇") in namespace.values()
    benign, _, _ = generate_section(F, [(0, attrs.evolve(base, when=compile_condition(F, {"field": "town", "in": ["a", "b"]})))])
    assert len(source.splitlines()) == len(benign.splitlines())  # no line break got in
    assert all(line.lstrip().startswith("#") for line in source.splitlines() if "PWNED" in line)
    assert not (Path.cwd() / "PWNED").exists()


# ------------------------------------------------------- statuses everywhere


@pytest.fixture(scope="module")
def evaluators():
    return {name: evaluator(None, name) for name in ENGINES}


def _statuses(ev, facts, show_all):
    return sorted((ev.program.rules[i].id, e.section, e.id, st) for i, e, st in ev.statuses(facts, show_all))


def _agree(evaluators, facts, label):
    for show_all in (False, True):
        results = {name: _statuses(ev, facts, show_all) for name, ev in evaluators.items()}
        reference = results["direct"]
        for name, got in results.items():
            assert got == reference, (label, name, show_all, sorted(set(got) ^ set(reference))[:5])


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples(evaluators, path):
    facts = normalise(load_record(path))
    _agree(evaluators, facts, path.name)
    # and the rendered findings are the interpreter's, whatever engine decided
    assert compliance.check(path, engine="kernel").to_dict()["records"] == \
        compliance.check(path, engine="direct").to_dict()["records"]


def test_embedded_cases(evaluators):
    n = 0
    for rs in compliance.load_rulesets(None):
        for rule in rs.rules + rs.manual_review:
            for case in rule.tests:
                try:
                    facts = normalise(record_from_data(case_record(rule, rs.jurisdiction, case)))
                except InputError:
                    continue
                _agree(evaluators, facts, f"{rule.id}:{case.line}")
                n += 1
    assert n >= 300


def test_generated_corpus(evaluators):
    """A generated corpus over every section, region and date (20 000
    records; COMPLIANCE_DIFFERENTIAL_RECORDS changes it)."""
    records = corpus(seed=8, size=CORPUS_SIZE)
    assert len(records) == CORPUS_SIZE
    counts: dict = {}
    for i, data in enumerate(records):
        facts = normalise(record_from_data(data, f"corpus-{i}"))
        show_all = i % 10 == 0
        results = {name: _statuses(ev, facts, show_all) for name, ev in evaluators.items()}
        for name, got in results.items():
            assert got == results["direct"], (i, name, sorted(set(got) ^ set(results["direct"]))[:5])
        for *_, st in results["direct"]:
            counts[st] = counts.get(st, 0) + 1
    # the corpus reaches every status
    assert set(counts) >= {"violation", "compliant", "indeterminate", "pending", "exempt", "not_applicable",
                           "manual_review"}, counts


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_fuzz_regressions(evaluators, path):
    try:
        facts = normalise(load_record(path))
    except InputError:
        return
    _agree(evaluators, facts, path.name)


def _fuzz_strategy():
    from test_hardening import _section_strategy

    return _section_strategy()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=_fuzz_strategy())
def test_fuzz_records(record):
    """The hardening suite's structured fuzz records, those that load."""
    try:
        text = yaml.safe_dump(record, allow_unicode=True)
        data = yaml.safe_load(text)
        facts = normalise(record_from_data(data))
    except (InputError, yaml.YAMLError, UnicodeEncodeError):
        return
    evs = {name: evaluator(None, name) for name in ENGINES}
    _agree(evs, facts, "fuzz")


def test_generated_decision_is_decide():
    """The lines a kernel inlines (status.decision_source) give decide()'s
    status for every combination of truths, exemption and dates."""
    import itertools

    from compliance.status import DECISION_NAMES, decide, decision_source

    day = dt.date(2019, 3, 1)
    dates = (None, day - dt.timedelta(days=1), day, day + dt.timedelta(days=1))
    n = 0
    for when, require, unless, eff, deadline in itertools.product(
            (True, None), (True, False, None), ("none", True, False, None), dates, dates):
        has_unless = unless != "none"
        src = "\n".join(decision_source("w" if when is not True or n % 2 else "True", "r",
                                        "u" if has_unless else "False",
                                        "EFF" if eff else None, "DL" if deadline else None))
        env = {"w": when, "r": require, "u": unless if has_unless else False, "EFF": eff, "DL": deadline,
               "as_of": day, **DECISION_NAMES}
        exec(src, env)
        assert env["st"] == decide(when, require, unless if has_unless else False, day, eff, deadline), src
        # a manual-review item: only `when` decides, whatever the rest
        src = "\n".join(decision_source("w", "r", "u", "EFF", "DL", review=True))
        exec(src, env)
        assert env["st"] == decide(when, require, unless, day, eff, deadline, review=True) == "manual_review"
        n += 1
    assert n == 2 * 3 * 4 * 4 * 4
    assert decide(False, None, False, day, None, None, review=True) == "not_applicable"


def test_manual_review_items_on_every_engine(evaluators):
    """Every manual-review item's embedded cases (each item at least once
    listed): kernel, interpreter, durable and the columnar ledger path give
    the same (item, entity, status)."""
    from columnar_tables import row_path, tables_from_records
    from compliance.columnar import check_tables

    records, listed = [], set()
    for rs in compliance.load_rulesets(None):
        for item in rs.manual_review:
            for case in item.tests:
                data = case_record(item, rs.jurisdiction, case)
                facts = normalise(record_from_data(data))
                _agree(evaluators, facts, f"{item.id}:{case.line}")
                rules = evaluators["direct"].program.rules
                listed |= {rules[i].id for i, _, st in evaluators["direct"].statuses(facts) if st == "manual_review"}
                data = json.loads(json.dumps(data, default=str))
                data["facility"]["id"] = f"CASE-{len(records)}"
                records.append(data)
    items = {i.id for rs in compliance.load_rulesets(None) for i in rs.manual_review}
    assert items and items <= listed
    ev = evaluators["direct"]
    tables = tables_from_records(records)
    for show_all in (False, True):
        got = [r.to_dict() for r in check_tables(ev, tables, chunk=16, show_all=show_all)]
        want = [r.to_dict() for r in row_path(ev, tables, show_all=show_all)]
        assert got == want
    assert any(f["status"] == "manual_review" for r in got for f in r["findings"])


GOLDEN = '''def make_kernel_boilers(L0, L1, L2, NA, COMPLIANT, VIOLATION, INDETERMINATE):
    def kernel_boilers(e, f, c, as_of, implicit, show_all, out, ent):
        """1 rules on 'boilers': appends (rule index, ent, status)."""
        v0 = e.get('fuel')
        v1 = e.get('capacity')
        v2 = e.get('status')
        # -- rule 7: golden/coal-ban
        t3 = True
        while True:
            # fuel = coal
            t4 = None if v0 is None else v0 == L0
            if t4 is False:
                t3 = False
                break
            if t4 is None:
                t3 = None
            # capacity at most 35 t/h
            t5 = None if v1 is None else v1 <= L1
            if t5 is False:
                t3 = False
                break
            if t5 is None:
                t3 = None
            break
        if t3 is False or (implicit and t3 is not True):
            if show_all:
                out.append((7, ent, NA))
        else:
            # status = shutdown
            t6 = None if v2 is None else v2 == L2
            if t3 is None:
                st = INDETERMINATE
            elif t6 is True:
                st = COMPLIANT
            elif t6 is None:
                st = INDETERMINATE
            else:
                st = VIOLATION
            out.append((7, ent, st))
        # -- rules of the region that do not exist at the date
        if show_all:
            out.append((9, ent, NA))
    return kernel_boilers
'''


def test_generated_source_reads_as_written():
    """What a rule becomes, to the letter (as attrs tests its generated
    methods): a change to the generator shows here as a readable diff."""
    from compliance.kernel import generate_section

    base = next(r for rs in compliance.load_rulesets(None) for r in rs.rules if r.applies_to == "boilers")
    rule = attrs.evolve(
        base, id="golden/coal-ban", unless=None, effective_from=None, deadline=None,
        when=compile_condition(B, {"all": [{"field": "fuel", "equals": "coal"},
                                           {"field": "capacity", "op": "<=", "value": "35 t/h"}]}),
        require=compile_condition(B, {"field": "status", "equals": "shutdown"}))
    source, namespace, name = generate_section(B, [(7, rule)], dormant=(9,))
    assert source == GOLDEN
    assert (namespace["L0"], namespace["L1"], namespace["L2"]) == ("coal", 24.5, "shutdown")  # 35 t/h in MW
