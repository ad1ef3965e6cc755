"""Property-based guard over every bundled rule (hypothesis).

Strategies are derived from the loaded rulesets -- each rule's fields,
units, limits, operators, dates and embedded cases -- so a new rule is
covered without a new test. Each failure names the rule and prints the
shrunk record. The number of rules exercised per property is printed at the
end of the run (see conftest.py).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, note, settings, strategies as st

from compliance import load_rulesets
from compliance.api import evaluator
from compliance.conditions import All, Compare, Not, AnyOf
from compliance.normalise import normalise
from compliance.record import record_from_data
from compliance.testing import TEST_ENTITY_ID, TEST_FACILITY_ID, case_record, default_as_of
from compliance.units import conversion, format_number
from compliance.vocabulary import vocabulary

RULESETS = load_rulesets()
RULES = [(rs, rule) for rs in RULESETS for rule in rs.rules]
EVAL = evaluator(None)
VOCAB = vocabulary()
EXERCISED: dict = {}

#: Units equivalent to each canonical unit of the record format.
EQUIVALENT_UNITS = {
    "g/L": ["kg/m^3", "克/升", "lb/gal", "mg/mL", "kg/L", "g/dm^3"],
    "MW": ["t/h", "蒸吨/时", "蒸吨/小时", "兆瓦", "kW"],
    "mg/m^3": ["毫克/立方米", "g/m^3", "µg/m^3"],
    "percent": ["‰", "%"],
    "permille": ["%", "‰"],
    "m": ["米", "ft", "cm"],
    "kg/h": ["千克/小时", "g/s", "t/d"],
    "m^3/h": ["立方米/小时", "m^3/s", "L/s"],
    "t/a": ["吨/年", "kg/a", "t/year"],
    "t": ["kg", "吨"],
    "t/(month*km^2)": ["吨/月·平方公里", "kg/(month*km^2)"],
    "µg/m^3": ["微克/立方米", "mg/m^3"],
}

PROFILE = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))


def exercised(prop, rule):
    EXERCISED.setdefault(prop, set()).add(rule.id)


def _cases(rule, rs):
    return [(case, case_record(rule, rs.jurisdiction, case)) for case in rule.tests]


def status_of(rule, record):
    """Status of ``rule`` on the test entity of ``record`` (not_applicable if absent)."""
    facts = normalise(record_from_data(record, "<property>"))
    single = VOCAB.sections[rule.applies_to].kind == "single"
    eid = TEST_FACILITY_ID if single else TEST_ENTITY_ID
    for f in EVAL.findings(facts):
        if f.rule == rule.id and f.entity_type == rule.applies_to and f.entity_id == eid:
            return f.status
    return "not_applicable"


def all_statuses(record):
    facts = normalise(record_from_data(record, "<property>"))
    return {(f.rule, f.entity_type, f.entity_id): f.status for f in EVAL.findings(facts)}


def entity_of(rule, record):
    section = rule.applies_to
    if section == "facility":
        return record["facility"]
    if VOCAB.sections[section].kind == "single":
        return record.setdefault(section, {})
    return record[section][0]


def _quantity_fields(section, values, prefix=""):
    """(path tuple, field spec) of every written quantity in an entity mapping."""
    spec = VOCAB.sections[section]
    out = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        fspec = spec.leaves.get(name)
        if fspec is None:
            continue
        if fspec.type == "mapping" and isinstance(value, dict):
            out.extend((((key,) + p), s) for p, s in _quantity_fields(section, value, name + "."))
        elif fspec.type == "quantity" and isinstance(value, str):
            out.append(((key,), fspec))
    return out


def _get(mapping, path):
    for p in path[:-1]:
        mapping = mapping[p]
    return mapping, path[-1]


def _split(text):
    number, _, unit = text.strip().partition(" ")
    return float(number), unit.strip()


def _reexpress(text, spec, target):
    value, unit = _split(text)
    new = value * conversion(unit, target, spec.context) if target != unit else value  # full precision
    return f"{new!r} {target}"


# ------------------------------------------------------------------ 1. units

@pytest.mark.parametrize("rs, rule", RULES, ids=[r.id for _, r in RULES])
def test_unit_invariance(rs, rule):
    bases = [rec for case, rec in _cases(rule, rs)
             if _quantity_fields(rule.applies_to, entity_of(rule, copy.deepcopy(rec)))]
    if not bases:
        pytest.skip("no case writes a quantity")

    @PROFILE
    @given(data=st.data())
    def prop(data):
        record = copy.deepcopy(data.draw(st.sampled_from(bases)))
        before = all_statuses(record)
        ent = entity_of(rule, record)
        section = rule.applies_to
        changed = False
        emissions = ent.get("emissions") if isinstance(ent.get("emissions"), dict) else None
        if emissions and isinstance(emissions.get("o2"), str):
            o2_old, _ = _split(emissions["o2"])
            o2_new = data.draw(st.sampled_from([0.0, 3.5, 6.0, 9.0, 11.0, 15.0]))
            scale = (21.0 - o2_new) / (21.0 - o2_old)
            for key in ("pm", "so2", "nox"):
                if isinstance(emissions.get(key), str):
                    v, u = _split(emissions[key])
                    emissions[key] = f"{v * scale!r} {u}"
            emissions["o2"] = f"{o2_new} %"
            changed = True
        for path, spec in _quantity_fields(section, ent):
            target = data.draw(st.sampled_from(EQUIVALENT_UNITS.get(spec.unit, [spec.unit])))
            holder, key = _get(ent, path)
            holder[key] = _reexpress(holder[key], spec, target)
            changed = True
        assume(changed)
        note(f"rule {rule.id}; record {json.dumps(record, ensure_ascii=False, default=str)}")
        assert all_statuses(record) == before, rule.id

    prop()
    exercised("unit invariance", rule)


# ------------------------------------------------------------ 2. monotonicity

def _require_compares(rule):
    req = rule.require
    parts = req.children if isinstance(req, All) else (req,)
    return [c for c in parts if isinstance(c, Compare) and c.ref.scope == rule_scope(c) and c.ref.spec.type == "quantity"]


def rule_scope(comp):
    return "entity"


@pytest.mark.parametrize("rs, rule", RULES, ids=[r.id for _, r in RULES])
def test_monotonic(rs, rule):
    cases = _cases(rule, rs)
    violating = [(c, rec) for c, rec in cases if status_of(rule, rec) == "violation"]
    compares = [c for c in _require_compares(rule) if c.op in ("<", "<=", ">", ">=")]

    @PROFILE
    @given(data=st.data())
    def raise_observed(data):
        case, record = data.draw(st.sampled_from(violating))
        record = copy.deepcopy(record)
        ent = entity_of(rule, record)
        comp = data.draw(st.sampled_from(compares))
        path = tuple(comp.ref.name.split("."))
        try:
            holder, key = _get(ent, path)
            text = holder[key]
        except (KeyError, TypeError):
            assume(False)
        assume(isinstance(text, str))
        value, unit = _split(text)
        factor = data.draw(st.floats(1.0, 10.0))
        worse = value * factor if comp.op in ("<", "<=") else value / factor
        holder[key] = f"{worse!r} {unit}"
        note(f"rule {rule.id}; record {json.dumps(record, ensure_ascii=False, default=str)}")
        assert status_of(rule, record) == "violation", rule.id

    @PROFILE
    @given(data=st.data())
    def later_is_never_pending(data):
        case, record = data.draw(st.sampled_from(violating))
        record = copy.deepcopy(record)
        days = data.draw(st.integers(0, 4000))
        record["context"]["as_of"] = record["context"]["as_of"] + dt.timedelta(days=days)
        later = status_of(rule, record)
        note(f"rule {rule.id}; as_of {record['context']['as_of']}")
        if rule.until is not None and record["context"]["as_of"] > rule.until:
            assert later == "not_applicable"
        else:
            assert later == "violation", rule.id

    if violating:
        later_is_never_pending()
        exercised("monotonic in time", rule)
        if compares:
            raise_observed()
            exercised("monotonic in value", rule)


# -------------------------------------------------------------- 3. boundaries

def _step(shown):
    d = Decimal(shown)
    return Decimal(1).scaleb(d.as_tuple().exponent)


def _boundary_targets(rule):
    """(comparison, in require?) for comparisons on entity quantities in a conjunction."""
    out = []
    for cond, in_require in ((rule.when, False), (rule.require, True)):
        if cond is None:
            continue
        parts = cond.children if isinstance(cond, All) else (cond,)
        for c in parts:
            if isinstance(c, Compare) and c.ref.scope == "entity" and c.ref.spec.type == "quantity" and c.limit.unit:
                out.append((c, in_require))
    return out


@pytest.mark.parametrize("rs, rule", RULES, ids=[r.id for _, r in RULES])
def test_boundaries(rs, rule):
    targets = _boundary_targets(rule)
    applicable = [rec for c, rec in _cases(rule, rs) if status_of(rule, rec) in ("violation", "compliant")]
    if not targets or not applicable:
        pytest.skip("no comparison on an entity quantity in a conjunction, or no applicable case")
    checked = 0
    for comp, in_require in targets:
        step = _step(comp.limit.shown)
        limit = Decimal(comp.limit.shown)
        for delta in (-step, Decimal(0), step):
            value = limit + delta
            if value < 0:
                continue
            for base in applicable:
                record = copy.deepcopy(base)
                ent = entity_of(rule, record)
                holder, key = ent, comp.ref.name
                parts = comp.ref.name.split(".")
                for p in parts[:-1]:
                    holder = holder.setdefault(p, {})
                holder[parts[-1]] = f"{value} {comp.limit.unit}"
                if comp.ref.oxygen_reference is not None:
                    holder["o2"] = f"{format_number(comp.ref.oxygen_reference)} %"
                holds = {"<": value < limit, "<=": value <= limit, ">": value > limit,
                         ">=": value >= limit, "==": value == limit, "!=": value != limit}[comp.op]
                got = status_of(rule, record)
                where = f"{rule.id}: {comp.ref.label} = {value} {comp.limit.unit} ({comp.op} {comp.limit.shown})"
                if in_require:
                    if holds:
                        assert got in ("compliant", "exempt"), (where, got)
                    else:
                        assert got in ("violation", "pending", "exempt", "indeterminate"), (where, got)
                        assert got != "compliant", where
                else:
                    assert (got == "not_applicable") == (not holds), (where, got)
                checked += 1
                break  # one applicable base per value is enough
    assert checked
    exercised("boundaries", rule)


# ------------------------------------------------------------ 4. missing data

def _removable(rule, record):
    """(scope, dotted field) of fields the rule reads that the record gives."""
    out = []
    for label in rule.fields_read():
        if label.startswith("context."):
            continue
        scope = "facility" if label.startswith("facility.") else "entity"
        name = label[len("facility."):] if scope == "facility" else label
        section = "facility" if scope == "facility" else rule.applies_to
        spec = VOCAB.sections[section].leaves.get(name)
        if spec is not None and spec.default is not None:
            continue  # a default fills the gap: not "missing"
        target = record["facility"] if scope == "facility" else entity_of(rule, record)
        parts = name.split(".")
        holder = target
        ok = True
        for p in parts[:-1]:
            if not isinstance(holder, dict) or p not in holder:
                ok = False
                break
            holder = holder[p]
        if ok and isinstance(holder, dict) and parts[-1] in holder and name != "id":
            out.append((scope, name))
    return out


@pytest.mark.parametrize("rs, rule", RULES, ids=[r.id for _, r in RULES])
def test_missing_data_never_gives_a_new_definite_verdict(rs, rule):
    checked = 0
    for case, record in _cases(rule, rs):
        before = status_of(rule, record)
        if before not in ("violation", "compliant", "exempt", "pending"):
            continue
        for scope, name in _removable(rule, record):
            rec = copy.deepcopy(record)
            target = rec["facility"] if scope == "facility" else entity_of(rule, rec)
            parts = name.split(".")
            for p in parts[:-1]:
                target = target[p]
            del target[parts[-1]]
            after = status_of(rule, rec)
            where = f"{rule.id}: removing {scope}.{name} from a {before} case ({rule.file}:{case.line})"
            assert after in (before, "indeterminate", "not_applicable"), (where, after)
            if before != "compliant":
                assert after != "compliant", where
            checked += 1
    if not checked:
        pytest.skip("no definite case with removable fields")
    exercised("missing data", rule)


# ---------------------------------------------------------- 5. jurisdiction

@pytest.mark.parametrize("rs, rule", RULES, ids=[r.id for _, r in RULES])
def test_jurisdiction_isolation(rs, rule):
    outside = [code for code in sorted(VOCAB.regions) if not VOCAB.contains(rs.jurisdiction, code)]
    if not outside:
        pytest.skip("national ruleset: no region outside")
    for case, record in _cases(rule, rs)[:3]:
        for code in outside[:: max(1, len(outside) // 5)]:
            rec = copy.deepcopy(record)
            rec["facility"]["region"] = code
            facts = normalise(record_from_data(rec, "<property>"))
            assert not [f for f in EVAL.findings(facts) if f.ruleset == rs.id], (rule.id, code)
    exercised("jurisdiction isolation", rule)


# ------------------------------------------- 6. independence and determinism

OTHER_ENTITIES = {
    "boilers": {"id": "X-B", "fuel": "gas", "capacity": "2 MW", "use": "heating"},
    "coatings": {"id": "X-C", "category": "wood", "voc_content": "300 g/L"},
    "stacks": {"id": "X-S", "height": "20 m"},
    "vehicles": {"id": "X-V", "kind": "car", "fuel": "electric"},
    "construction_sites": {"id": "X-W", "kind": "landscaping"},
}


@pytest.mark.parametrize("rs, rule", RULES, ids=[r.id for _, r in RULES])
def test_independence_and_determinism(rs, rule):
    cases = _cases(rule, rs)

    @PROFILE
    @given(data=st.data())
    def prop(data):
        case, record = data.draw(st.sampled_from(cases))
        before = status_of(rule, record)
        rec = copy.deepcopy(record)
        extra = data.draw(st.lists(st.sampled_from(sorted(OTHER_ENTITIES)), min_size=1, max_size=3, unique=True))
        for section in extra:
            rec.setdefault(section, [])
            if isinstance(rec[section], list):
                position = data.draw(st.sampled_from(["front", "back"]))
                item = dict(OTHER_ENTITIES[section])
                rec[section] = [item] + rec[section] if position == "front" else rec[section] + [item]
        note(f"rule {rule.id}; record {json.dumps(rec, ensure_ascii=False, default=str)}")
        assert status_of(rule, rec) == before, rule.id
        facts = normalise(record_from_data(rec, "<property>"))
        one = [f.to_dict() for f in EVAL.findings(facts)]
        two = [f.to_dict() for f in EVAL.findings(normalise(record_from_data(copy.deepcopy(rec), "<property>")))]
        assert json.dumps(one, ensure_ascii=False) == json.dumps(two, ensure_ascii=False)

    prop()
    exercised("independence and determinism", rule)


# ------------------------------------------------------------ 7. no dead rules

@pytest.mark.parametrize("rs, rule", RULES, ids=[r.id for _, r in RULES])
def test_no_dead_rules(rs, rule):
    got = {status_of(rule, rec) for _, rec in _cases(rule, rs)}
    assert "violation" in got, f"{rule.id}: no case makes it a violation"
    assert "compliant" in got or "exempt" in got, f"{rule.id}: no case complies"
    exercised("no dead rules", rule)
