"""Regression suite for durable_rules' sharp edges (``compliance/_durable.py``).

durable-rules 2.0.28 is the last release and has sharp edges. For each one
this file has

* a *raw* test that reproduces the behaviour with ``durable.lang`` / the
  ``Host`` or the C module ``durable_rules_engine`` itself, so the suite
  documents that the edge is real in the installed version (anything that can
  crash or hang runs in a subprocess and is judged by its exit status or
  output), and
* a *wrapper* test showing that :class:`compliance._durable.DurableMatcher`
  and ``compliance.check(..., engine="durable")`` are not affected.

Raw edges that do not reproduce on a machine are ``xfail`` with the observed
behaviour in the reason, never faked. Wrapper bugs found while writing the
suite (large floats in :func:`~compliance._durable.dumps`, recovery after an
engine failure) are kept as regression tests.

The tests that start subprocesses take a few seconds each; set
``COMPLIANCE_SKIP_SLOW=1`` to skip them.
"""

from __future__ import annotations

import ast
import collections
import datetime as dt
import io
import itertools
import json
import math
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from compliance.engine import durable_available

if not durable_available():
    pytest.skip("durable_rules' C engine does not import on this Python (3.13+); "
                "the direct engine is used there", allow_module_level=True)
durable_rules_engine = pytest.importorskip(
    "durable_rules_engine",
    reason="durable_rules' C engine does not import on this Python (3.13+); the direct engine is used there",
)

import yaml  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import compliance  # noqa: E402
import compliance._durable as wrapper  # noqa: E402
from compliance.api import evaluator  # noqa: E402
from compliance.cli import main as cli_main  # noqa: E402
from compliance.conditions import Compiler  # noqa: E402
from compliance.evaluate import Evaluator  # noqa: E402
from compliance.normalise import normalise  # noqa: E402
from compliance.record import load_record, record_from_data  # noqa: E402
from compliance.report import render_json  # noqa: E402
from compliance.testing import case_record, outside_cases, run_cases  # noqa: E402
from compliance.vocabulary import vocabulary  # noqa: E402

E = durable_rules_engine
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jizhou-auto-parts.yaml"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
JIZHOU = "cn-tj-jizhou-2018-autumn-winter"

slow = pytest.mark.skipif(os.environ.get("COMPLIANCE_SKIP_SLOW") == "1",
                          reason="starts subprocesses (COMPLIANCE_SKIP_SLOW=1)")


# ------------------------------------------------------------------ helpers

_RAW_NAMES = itertools.count()


def raw_ruleset(definition: dict) -> int:
    """A ruleset in the C engine, created directly (no Host, no threads)."""
    return E.create_ruleset(f"raw-edge-{next(_RAW_NAMES)}", json.dumps(definition))


def fire(handle: int):
    """Run every pending action; return [(rule name, frame)] in firing order."""
    out = []
    result = E.start_action(handle)
    while result:
        _state, message, action = result
        out.extend(json.loads(message).items())
        nxt = E.complete_and_start_action(handle, action)
        result = (None, nxt, action) if nxt else None
    return out


def run_python(code: str, timeout: float) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("PYTHONFAULTHANDLER", None)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, cwd=str(ROOT), env=env)


def dicts(findings):
    return [f.to_dict() for f in findings]


def facts_of(record, source="<test>"):
    if isinstance(record, (str, os.PathLike)):
        return normalise(load_record(record))
    return normalise(record_from_data(record, source))


def bundled(*ids):
    rulesets = compliance.load_rulesets(None)
    return tuple(r for r in rulesets if not ids or r.id in ids)


def make_rule(rid, applies_to, when, require, **extra):
    rule = {
        "id": rid,
        "title": {"zh": f"测试规则 {rid}", "en": f"test rule {rid}"},
        "cite": {"clause": "1", "text": "测试条文"},
        "applies_to": applies_to,
        "require": require,
        "severity": "high",
        "message": {"zh": "违反：{observed}", "en": "violated: {observed}"},
    }
    if when is not None:
        rule["when"] = when
    rule.update(extra)
    return rule


def write_ruleset(directory: Path, rid: str, rules, jurisdiction="120119"):
    doc = {
        "ruleset": {"id": rid, "title": {"zh": "测试规则集", "en": "test ruleset"}, "issuer": "test",
                    "issued": dt.date(2018, 12, 5), "jurisdiction": jurisdiction, "source": "test",
                    "version": "1"},
        "rules": list(rules),
    }
    path = directory / f"{rid}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_ruleset(directory: Path, rid: str, rules, jurisdiction="120119"):
    return compliance.load_rulesets([write_ruleset(directory, rid, rules, jurisdiction)])


def jizhou_record(**sections):
    record = {"schema": "facility/1", "context": {"as_of": dt.date(2019, 3, 1)},
              "facility": {"id": "91120225MA05TEST00", "region": "120119"}}
    facility = sections.pop("facility", None)
    if facility:
        record["facility"].update(facility)
    record.update(sections)
    return record


def leftover_facts(matcher):
    """Facts still stored in the engine sessions of ``matcher``."""
    out = []
    for handles in matcher._handles.values():
        for handle in handles:
            try:
                out.extend(json.loads(E.get_facts(handle, None)))
            except E.error:  # no session: nothing was ever stored
                pass
    return out


def pairs_by_entity(findings):
    out = collections.defaultdict(list)
    for f in findings:
        out[(f.entity_type, f.entity_id)].append(f.rule)
    return out


@pytest.fixture(scope="module")
def durable_ev():
    return evaluator(None, "durable")


@pytest.fixture(scope="module")
def direct_ev():
    return evaluator(None, "direct")


# A single subprocess drives the Python Host API (durable.lang) for the
# edges that need it; the Host starts timer threads, so it never runs in the
# test process itself.
HOST_SCRIPT = r"""
import json, threading, time
before = threading.active_count()
from durable.lang import ruleset, when_all, m, post, assert_fact, get_facts, get_host
from durable.engine import MessageNotHandledException, MessageObservedException

ran = []
with ruleset("edges"):
    @when_all(m.x == 1)
    def first(c):
        ran.append(["first", c.m.n])

    @when_all(m.x == 1)
    def second(c):
        ran.append(["second", c.m.n])

    @when_all(m.y == 1)
    def where(c):
        ran.append(["where", c.s.sid])

get_host()
time.sleep(0.3)
out = {"threads_before": before, "threads_after": threading.active_count()}

post("edges", {"x": 1, "n": 1})
out["post_actions"] = sorted(name for name, n in ran if n == 1)
assert_fact("edges", {"x": 1, "n": 2})
out["fact_actions"] = sorted(name for name, n in ran if n == 2)

try:
    post("edges", {"x": 2, "n": 3})
    out["unmatched"] = "no exception"
except MessageNotHandledException as exc:
    out["unmatched"] = type(exc).__name__ + ": " + exc.message

assert_fact("edges", {"y": 1, "sid": "elsewhere"})
out["sid_actions"] = [sid for name, sid in ran if name == "where"]
out["default_facts"] = get_facts("edges")
out["elsewhere_facts"] = get_facts("edges", "elsewhere")

try:
    assert_fact("edges", {"x": 1, "n": 2})
    out["duplicate"] = "no exception"
except MessageObservedException as exc:
    out["duplicate"] = type(exc).__name__ + ": " + exc.message
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def host():
    proc = run_python(HOST_SCRIPT, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ======================================================================
# 1. post() events are consumed by the first matching rule
# ======================================================================

def test_raw_event_runs_only_one_of_two_matching_rules():
    definition = {"a": {"all": [{"m": {"x": 1}}]}, "b": {"all": [{"m": {"x": 1}}]}}
    h = raw_ruleset(definition)
    assert E.assert_event(h, json.dumps({"id": "1", "x": 1}))[0] == 0
    assert len(fire(h)) == 1  # the event is consumed by one rule

    h = raw_ruleset(definition)
    assert E.assert_fact(h, json.dumps({"id": "1", "x": 1}))[0] == 0
    assert sorted(name for name, _ in fire(h)) == ["a", "b"]  # a fact is seen by both


@slow
def test_raw_host_post_runs_one_action_assert_fact_runs_all(host):
    assert len(host["post_actions"]) == 1, host
    assert host["fact_actions"] == ["first", "second"], host


def _by_rule_and_entity(pairs, program):
    return sorted((program.rules[i].id, e.section, e.id) for i, e in pairs)


def test_wrapper_entity_matching_n_rules_gets_n_findings(tmp_path):
    # five rules that all hold for C1, three of them for C2, none for C3
    rules = [make_rule(f"t/all-{n}", "coatings", {"field": "voc_content", "op": ">", "value": f"{100 * n} g/L"},
                       {"field": "voc_content", "op": "<=", "value": f"{100 * n + 150} g/L"})
             for n in range(1, 6)]
    rulesets = load_ruleset(tmp_path, "test-n-rules", rules)
    ev = Evaluator(rulesets, "durable")
    record = jizhou_record(coatings=[{"id": "C1", "voc_content": "600 g/L"}, {"id": "C2", "voc_content": "350 g/L"},
                                     {"id": "C3", "voc_content": "50 g/L"}])
    facts = facts_of(record)
    pairs = pairs_by_entity(ev.findings(facts))
    assert sorted(pairs[("coatings", "C1")]) == [f"t/all-{n}" for n in range(1, 6)]
    assert sorted(pairs[("coatings", "C2")]) == [f"t/all-{n}" for n in range(1, 4)]
    assert ("coatings", "C3") not in pairs
    statuses = {(f.rule, f.entity_id): f.status for f in ev.findings(facts)}
    assert statuses[("t/all-5", "C1")] == "compliant" and statuses[("t/all-1", "C1")] == "violation"
    assert dicts(ev.findings(facts)) == dicts(Evaluator(rulesets, "direct").findings(facts))


def test_wrapper_bundled_example_pairs_match_direct(durable_ev, direct_ev):
    facts = facts_of(EXAMPLE)
    durable = _by_rule_and_entity(durable_ev.matcher.match(facts), durable_ev.program)
    assert durable == _by_rule_and_entity(direct_ev.matcher.match(facts), direct_ev.program)
    assert len(durable) == len(set(durable))
    per_entity = collections.Counter((section, eid) for _, section, eid in durable)
    # in the example, C3 (a refinish basecoat) and the coal boiler B1 fall under several rules
    assert per_entity[("coatings", "C3")] >= 2 and per_entity[("boilers", "B1")] >= 4, per_entity


# ======================================================================
# 2. An unmatched message raises MessageNotHandledException in the Host API
# ======================================================================

def test_raw_unmatched_fact_is_reported_not_handled():
    h = raw_ruleset({"a": {"all": [{"m": {"x": 1}}]}})
    assert E.assert_fact(h, json.dumps({"id": "1", "x": 2}))[0] == 1  # ERR_EVENT_NOT_HANDLED
    assert E.assert_event(h, json.dumps({"id": "2", "x": 2}))[0] == 1


@slow
def test_raw_host_raises_message_not_handled(host):
    assert host["unmatched"].startswith("MessageNotHandledException: Could not handle message"), host


def test_wrapper_record_matching_nothing_gives_no_pairs(tmp_path, monkeypatch, direct_ev):
    rules = [
        make_rule("t/steel-facility", "facility", {"field": "industries", "includes": "steel"},
                  {"field": "pollutant_permit", "equals": True}),
        make_rule("t/oem-coating", "coatings", {"field": "category", "equals": "automotive_oem"},
                  {"field": "voc_content", "op": "<=", "value": "580 g/L"}),
        make_rule("t/coal-boiler", "boilers", {"all": [{"field": "fuel", "equals": "coal"},
                                                       {"field": "capacity", "op": "<", "value": "35 t/h"}]},
                  {"field": "status", "equals": "shutdown"}),
        make_rule("t/alert-truck", "vehicles", {"all": [{"field": "context.alert", "in": ["orange", "red"]},
                                                        {"field": "kind", "equals": "heavy_truck"}]},
                  {"field": "in_service", "equals": False}),
    ]
    rulesets = load_ruleset(tmp_path, "test-unmatched", rules)
    ev = evaluator(rulesets, "durable")
    statuses = []
    real = E.assert_fact

    def spy(handle, text):
        result = real(handle, text)
        statuses.append(result[0])
        return result

    monkeypatch.setattr(wrapper._engine, "assert_fact", spy)
    facility_only = jizhou_record(facility={"industries": ["automotive_manufacturing"]})
    nothing_matches = jizhou_record(
        facility={"industries": ["automotive_manufacturing"], "key_vehicle_user": True},
        coatings=[{"id": "C1", "category": "architectural", "voc_content": "300 g/L"}],
        boilers=[{"id": "B1", "fuel": "electric", "capacity": "2 MW"}, {"id": "B2", "fuel": "coal", "capacity": "40 t/h"}],
        vehicles=[{"id": "V1", "kind": "heavy_truck", "emission_stage": "国四"}],  # no alert
    )
    for record in (facility_only, nothing_matches):
        statuses.clear()
        facts = facts_of(record)
        assert ev.matcher.match(facts) == []
        assert ev.findings(facts) == ()
        assert compliance.check(record, rulesets=rulesets, engine="durable").findings == ()
        # the engine was asked and answered "not handled": the raw edge was exercised
        assert statuses and set(statuses) == {1}, statuses
    assert leftover_facts(ev.matcher) == []
    # the bundled rulesets: a facility-only Jizhou record raises nothing and agrees with direct
    facts = facts_of(jizhou_record())
    assert dicts(compliance.check(jizhou_record(), engine="durable").findings) == dicts(direct_ev.findings(facts))


# ======================================================================
# 3. A message field named ``sid`` routes it to another session
# ======================================================================

def test_raw_sid_field_routes_fact_to_another_session():
    h = raw_ruleset({"a": {"all": [{"m": {"x": 1}}]}})
    E.assert_fact(h, json.dumps({"id": "1", "x": 1, "sid": "elsewhere"}))
    state, _message, action = E.start_action(h)
    assert json.loads(state)["sid"] == "elsewhere"
    E.complete_and_start_action(h, action)
    assert [f["id"] for f in json.loads(E.get_facts(h, "elsewhere"))] == ["1"]
    with pytest.raises(E.error):  # the default session was never even created
        E.get_facts(h, None)


@slow
def test_raw_host_sid_routes_to_another_session(host):
    assert host["sid_actions"] == ["elsewhere"], host
    assert all("y" not in f for f in host["default_facts"]), host
    assert [f.get("y") for f in host["elsewhere_facts"]] == [1], host


def _all_refs(section):
    """A FieldRef for every field an entity of ``section`` (with its facility
    and context) can have: the widest fact encode_fact can produce."""
    vocab = vocabulary()
    compiler = Compiler(section, {})
    names = [n for n, spec in vocab.sections[section].leaves.items() if spec.type != "mapping"]
    if section != "facility":
        names += ["facility." + n for n, spec in vocab.sections["facility"].leaves.items() if spec.type != "mapping"]
    names += ["context." + n for n in vocab.context_fields]
    return [(ref, ref.fact_key()) for ref in (compiler.ref(n, ()) for n in names)]


def test_wrapper_fact_keys_are_generated_never_sid(durable_ev):
    allowed = ("j_", "e_", "f_", "c_")
    facts = facts_of(EXAMPLE)
    checked = 0
    for entity in facts.all_entities():
        for refs in (durable_ev.matcher._refs.get(entity.section, []), _all_refs(entity.section)):
            fact = wrapper.encode_fact("7", facts, entity, refs)
            assert "sid" not in fact
            assert all(k in ("id", "k") or k.startswith(allowed) for k in fact), sorted(fact)
            assert fact["id"] == "7" and fact["k"] == entity.section
            assert json.loads(wrapper.dumps(fact)) == fact
            checked += 1
    assert checked == 2 * len(facts.all_entities()) >= 16


def test_wrapper_sends_no_sid_to_the_engine(monkeypatch, direct_ev):
    sent = []
    real = E.assert_fact
    monkeypatch.setattr(wrapper._engine, "assert_fact", lambda h, text: (sent.append(json.loads(text)), real(h, text))[1])
    # ids and values spelled "sid" must stay values
    record = jizhou_record(facility={"town": "sid"},
                           coatings=[{"id": "sid", "category": "automotive_oem", "voc_content": "610 g/L"}],
                           boilers=[{"id": "B1", "fuel": "coal", "capacity": "10 t/h", "use": "industrial",
                                     "emissions": {"pm": "40 mg/m^3", "o2": "9 %"}}])
    durable = compliance.check(record, engine="durable")
    assert sent, "the engine was not used"
    assert all("sid" not in fact for fact in sent)
    assert len({fact["id"] for fact in sent}) == len(sent)
    assert dicts(durable.findings) == dicts(direct_ev.findings(facts_of(record)))
    assert ("coatings", "sid") in pairs_by_entity(durable.findings)


# ======================================================================
# 4. >1024 live sessions -> MemoryError; delete_state can segfault
# ======================================================================

@slow
def test_raw_more_than_1024_sessions_raise_memory_error():
    proc = run_python("""
        import json, durable_rules_engine as E
        h = E.create_ruleset("sessions", json.dumps({"a": {"all": [{"m": {"x": 1}}]}}))
        for i in range(1100):
            try:
                E.assert_fact(h, json.dumps({"id": str(i), "x": 2, "sid": str(i)}))
            except MemoryError:
                print("MemoryError at session", i)
                break
        else:
            print("no error")
    """, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "MemoryError at session 1024"


_DELETE_STATE = """
    import json, durable_rules_engine as E
    # leave non-zero bytes in freed heap memory: createStateNode() never
    # initialises a session's context.messages / context.stateFact, and
    # deleteStateNode() frees them unless an action has set them
    junk = [bytes([0x41]) * SIZE for _ in range(20)]
    del junk
    h = E.create_ruleset("delete-state", json.dumps({"a": {"all": [{"m": {"x": 1}}]}}))
    E.assert_fact(h, json.dumps({"id": "1", "x": X_VALUE, "sid": "s1"}))
    if RUN_ACTION:
        r = E.start_action(h)
        E.complete_and_start_action(h, r[2])
    print("deleting", flush=True)
    E.delete_state(h, "s1")
    print("survived", flush=True)
"""


def _delete_state_code(size, run_action):
    return (_DELETE_STATE.replace("SIZE", str(size)).replace("RUN_ACTION", str(run_action))
            .replace("X_VALUE", "1" if run_action else "2"))


@slow
def test_raw_delete_state_crashes_for_session_without_action():
    observed = []
    for size in (40000, 10000, 100000):
        proc = run_python(_delete_state_code(size, False), timeout=30)
        observed.append((size, proc.returncode, proc.stdout.split()))
        if proc.returncode < 0:
            break
    else:
        pytest.xfail(f"delete_state did not crash here: (junk size, return code, stdout) = {observed}")
    assert proc.stdout.split() == ["deleting"]  # it died inside delete_state
    # control: the same heap, but an action ran in the session first
    control = run_python(_delete_state_code(observed[-1][0], True), timeout=30)
    assert control.returncode == 0 and control.stdout.split() == ["deleting", "survived"], control


def _durable_source_names():
    tree = ast.parse(Path(wrapper.__file__).read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree, clean=False)
    names, strings, imports = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value != doc:
            strings.add(node.value)
        elif isinstance(node, ast.Import):
            imports.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imports.add(node.module)
    return names, strings, imports


def test_wrapper_source_never_deletes_state_or_uses_host():
    names, strings, imports = _durable_source_names()
    assert "_engine" in names and "assert_fact" in names  # the walk sees the engine calls
    assert "delete_state" not in names and "delete_state" not in strings
    assert "sid" not in strings
    assert "durable_rules_engine" in imports
    assert not any(m == "durable" or m.startswith("durable.") for m in imports)  # no Host, no durable.lang
    assert "Host" not in names


def test_wrapper_checks_3000_records_in_one_process(monkeypatch, durable_ev):
    def no_delete(*args):
        raise AssertionError("the wrapper called delete_state")

    calls = collections.Counter()
    real = E.assert_fact

    def spy(handle, text):
        calls["assert"] += 1
        return real(handle, text)

    monkeypatch.setattr(wrapper._engine, "delete_state", no_delete)
    monkeypatch.setattr(wrapper._engine, "assert_fact", spy)
    records = [jizhou_record(facility={"id": f"F{i:05d}"},
                             coatings=[{"id": "C1", "category": "automotive_oem", "voc_content": f"{480 + i % 200} g/L"}],
                             boilers=[{"id": "B1", "fuel": "coal", "capacity": f"{1 + i % 50} t/h"}])
               for i in range(3000)]
    report = compliance.check_many(records, engine="durable")
    assert report.errors == () and len(report.records) == 3000
    assert calls["assert"] >= 6000  # both entities of every record went through the engine
    sample = slice(None, None, 10)  # the direct engine on every tenth record keeps this test short
    direct = compliance.check_many(records[sample], engine="direct")
    assert [dicts(r.findings) for r in report.records[sample]] == [dicts(r.findings) for r in direct.records]
    statuses = collections.Counter(f.status for f in report.findings)
    assert statuses["violation"] > 0 and statuses["compliant"] > 0
    assert leftover_facts(durable_ev.matcher) == []


# ======================================================================
# 5. A $or condition fires once per true branch
# ======================================================================

def test_raw_or_fires_once_per_true_branch():
    h = raw_ruleset({"a": {"all": [{"m": {"$and": [{"k": "c"}, {"$or": [{"x": 1}, {"y": 1}]}]}}]}})
    E.assert_fact(h, json.dumps({"id": "f", "k": "c", "x": 1, "y": 1}))
    fired = fire(h)
    assert [(name, frame["m"]["id"]) for name, frame in fired] == [("a", "f"), ("a", "f")]


def test_wrapper_dedupes_or_branches(tmp_path, monkeypatch):
    rules = [
        make_rule("t/stack-any", "stacks",
                  {"any": [{"field": "voc_emission_rate", "op": ">", "value": "2 kg/h"},
                           {"field": "online_monitoring", "equals": False}]},
                  {"field": "voc_treatment", "includes_any": ["rto", "rco"]}),
        make_rule("t/coating-any", "coatings",
                  {"any": [{"field": "category", "equals": "auto_refinish"},
                           {"field": "layer", "equals": "basecoat"},
                           {"field": "voc_content", "op": ">", "value": "400 g/L"}]},
                  {"field": "voc_content", "op": "<=", "value": "420 g/L"}),
    ]
    rulesets = bundled(JIZHOU) + load_ruleset(tmp_path, "test-or", rules)
    ev = Evaluator(rulesets, "durable")
    frames = []
    real_start, real_next = E.start_action, E.complete_and_start_action

    def start(handle):
        result = real_start(handle)
        if result:
            frames.extend(json.loads(result[1]).items())
        return result

    def nxt(handle, action):
        result = real_next(handle, action)
        if result:
            frames.extend(json.loads(result).items())
        return result

    monkeypatch.setattr(wrapper._engine, "start_action", start)
    monkeypatch.setattr(wrapper._engine, "complete_and_start_action", nxt)
    facts = facts_of(EXAMPLE)
    findings = ev.findings(facts)
    fired = collections.Counter((name, frame["m"]["id"]) for name, frame in frames)
    index = {r.id: i for i, r in enumerate(ev.program.rules)}
    for rid in ("t/stack-any", "t/coating-any"):
        # the engine fired this rule more than once for one fact ...
        assert max(n for (name, _), n in fired.items() if name == f"r{index[rid]}") >= 2, fired
    # ... and each (rule, entity) still gives exactly one finding
    keys = [(f.rule, f.entity_type, f.entity_id) for f in findings]
    assert len(keys) == len(set(keys))
    ours = {k for k in keys if k[0].startswith("t/")}
    assert ours == {("t/stack-any", "stacks", "S1"), ("t/coating-any", "coatings", "C1"),
                    ("t/coating-any", "coatings", "C2"), ("t/coating-any", "coatings", "C3")}
    assert dicts(findings) == dicts(Evaluator(rulesets, "direct").findings(facts))


# ======================================================================
# 6. A rule whose only condition is $nex loops forever
# ======================================================================

def test_raw_nex_only_rule_matches_the_session_state():
    h = raw_ruleset({"a": {"all": [{"m": {"$nex": {"x": 1}}}]}})
    E.assert_fact(h, json.dumps({"id": "f", "y": 1}))
    ids = [frame["m"]["id"] for _, frame in fire(h)]
    assert "sid-0" in ids  # the session's own state "fact" matches a bare $nex


@slow
def test_raw_host_nex_only_rule_loops_forever():
    code = """
        from durable.lang import ruleset, when_all, m, assert_fact
        n = [0]
        with ruleset("nex"):
            @when_all(-m.x)
            def a(c):
                n[0] += 1
                if n[0] % 1000 == 0:
                    print(n[0], flush=True)
        assert_fact("nex", {"y": 1})
        print("returned", flush=True)
    """
    with pytest.raises(subprocess.TimeoutExpired) as info:
        run_python(code, timeout=3)
    out = info.value.stdout or ""
    out = out.decode(errors="replace") if isinstance(out, bytes) else out
    assert "returned" not in out
    counts = [int(t) for t in out.split() if t.isdigit()]
    assert counts and max(counts) >= 1000, out[-200:]  # the action kept firing


def test_wrapper_every_rule_starts_with_kind_and_jurisdiction(tmp_path, monkeypatch):
    rules = [
        make_rule("t/nex-only", "facility", {"field": "town", "known": False}, {"field": "pollutant_permit", "equals": True}),
        make_rule("t/not-only", "stacks", {"not": {"field": "online_monitoring", "known": True}},
                  {"field": "voc_treatment", "known": True}),
        make_rule("t/no-when", "stacks", None, {"field": "online_monitoring", "equals": True}),
    ]
    rulesets = bundled() + load_ruleset(tmp_path, "test-nex", rules, jurisdiction="120000")
    sent = []
    real = E.create_ruleset
    monkeypatch.setattr(wrapper._engine, "create_ruleset",
                        lambda name, text: (sent.append((name, json.loads(text))), real(name, text))[1])
    ev = Evaluator(rulesets, "durable")
    program = ev.program
    seen = set()
    for _name, definition in sent:
        for rule_name, rule in definition.items():
            i = int(rule_name[1:])
            seen.add(i)
            assert list(rule) == ["all"] and len(rule["all"]) == 1 and list(rule["all"][0]) == ["m"]
            tests = rule["all"][0]["m"]["$and"]
            assert tests[0] == {"k": program.rules[i].applies_to}
            assert tests[1] == {"j_" + program.jurisdictions[i]: True}
            if program.rules[i].when is not None:
                assert tests[2:] == [program.rules[i].when.possible()]
            else:
                assert tests[2:] == []
    assert seen == set(range(len(program.rules)))
    assert {"$nex": {"e_town": 1}} in [t for _, d in sent for r in d.values() for t in r["all"][0]["m"]["$and"]]

    base = {"facility": {"region": "120119"}, "stacks": [{"id": "S1", "height": "30 m"}]}
    without_town = facts_of(jizhou_record(**base))
    with_town = facts_of(jizhou_record(facility={"region": "120119", "town": "渔阳镇"}, stacks=base["stacks"]))
    direct = Evaluator(rulesets, "direct")
    for facts in (without_town, with_town):
        assert dicts(ev.findings(facts)) == dicts(direct.findings(facts))
    got = {f.rule for f in ev.findings(without_town)}
    assert {"t/nex-only", "t/not-only", "t/no-when"} <= got
    assert "t/nex-only" not in {f.rule for f in ev.findings(with_town)}
    assert leftover_facts(ev.matcher) == []


# ======================================================================
# 7. Numbers: text comparison across types, exponent floats, NaN
# ======================================================================

def _raw_match(condition, fact_text):
    h = raw_ruleset({"a": {"all": [{"m": condition}]}})
    E.assert_fact(h, fact_text)
    return len(fire(h))


def test_raw_numbers_compared_as_text_when_types_differ():
    assert _raw_match({"$lt": {"v": 2}}, '{"id": "1", "v": "150"}') == 1  # "150" < 2
    assert _raw_match({"$lt": {"v": "2"}}, '{"id": "1", "v": 150}') == 1  # 150 < "2"
    assert _raw_match({"v": "10"}, '{"id": "1", "v": 10}') == 1  # 10 == "10"
    assert _raw_match({"$lt": {"v": 2}}, '{"id": "1", "v": 150}') == 0  # control: same types


def test_raw_exponent_floats_are_rejected():
    h = raw_ruleset({"a": {"all": [{"m": {"$lt": {"v": 100}}}]}})
    for text in ('{"id": "1", "v": 1e-07}', '{"id": "2", "v": 1e+20}', '{"id": "3", "v": 1E20}'):
        with pytest.raises(E.error, match="204"):
            E.assert_fact(h, text)
    with pytest.raises(E.error, match="204"):
        E.create_ruleset(f"raw-edge-exp-{next(_RAW_NAMES)}", '{"a": {"all": [{"m": {"$lt": {"v": 1e-07}}}]}}')
    assert _raw_match({"$lt": {"v": 100}}, '{"id": "1", "v": 0.0000001}') == 1  # positional works


def test_raw_nan_never_matches():
    for condition in ({"$lt": {"v": 100}}, {"$gte": {"v": 100}}, {"$neq": {"v": 100}}):
        assert _raw_match(condition, '{"id": "1", "v": NaN}') == 0, condition
    assert _raw_match({"$neq": {"v": 100}}, '{"id": "1", "v": 5}') == 1  # control


def test_raw_integers_beyond_int64_saturate():
    # not in _durable's list; the reason dumps() must keep a decimal point
    gt = '{"a": {"all": [{"m": {"$gt": {"v": %s}}}]}}'
    h = E.create_ruleset(f"raw-edge-big-{next(_RAW_NAMES)}", gt % "10000000000000000000")
    E.assert_fact(h, '{"id": "1", "v": 100000000000000000000}')
    assert fire(h) == []  # 10**20 > 10**19 is false for the engine
    h = E.create_ruleset(f"raw-edge-big-{next(_RAW_NAMES)}", gt % "10000000000000000000.0")
    E.assert_fact(h, '{"id": "1", "v": 100000000000000000000.0}')
    assert len(fire(h)) == 1  # written as floats it compares right


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_wrapper_dumps_never_emits_exponent(x):
    for value in (x, [x], {"v": x, "w": [1, x]}):
        text = wrapper.dumps(value)
        assert "e" not in text.lower(), text
        json.loads(text, parse_constant=lambda c: pytest.fail(f"non-finite constant {c} in {text}"))
    assert float(wrapper.dumps(x)) == x  # read as a double, the text is the same number


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: abs(x) < 1e16))
def test_wrapper_dumps_round_trips_below_1e16(x):
    for value in (x, [x], {"v": x, "w": [1, x]}):
        assert json.loads(wrapper.dumps(value)) == value
    back = json.loads(wrapper.dumps(x))
    assert type(back) is float, wrapper.dumps(x)  # the engine compares ints and floats differently


@pytest.mark.parametrize("x", [5.187442542803321e16, 1e20, -1e19, 1.7976931348623157e308, 5e-324])
def test_wrapper_dumps_round_trips_large_floats(x):
    # regression: integral floats >= 1e16 were written as integer literals with
    # only repr's digits (5.187442542803321e16 -> '51874425428033210', not the
    # float's value 51874425428033208), which json and the engine read as ints
    back = json.loads(wrapper.dumps(x))
    assert back == x and type(back) is float


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_wrapper_dumps_is_exact_for_every_float(x):
    back = json.loads(wrapper.dumps(x))
    assert back == x and type(back) is float


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_wrapper_dumps_rejects_non_finite(bad):
    for value in (bad, [1.0, bad], {"v": bad}):
        with pytest.raises(compliance.EngineError):
            wrapper.dumps(value)


def _voc_rules():
    return [
        make_rule("t/voc-above-100", "coatings", {"field": "voc_content", "op": ">", "value": "100 g/L"},
                  {"field": "solvent_based", "equals": False}),
        make_rule("t/voc-below-1", "coatings", {"field": "voc_content", "op": "<", "value": "1 g/L"},
                  {"field": "solvent_based", "equals": False}),
        make_rule("t/voc-not-580", "coatings", {"field": "voc_content", "op": "!=", "value": "580 g/L"},
                  {"field": "voc_content", "op": "<=", "value": "580 g/L"}),
    ]


def test_wrapper_tiny_and_huge_values_agree_with_direct(tmp_path):
    rulesets = bundled() + load_ruleset(tmp_path, "test-voc", _voc_rules())
    record = jizhou_record(coatings=[
        {"id": "TINY", "category": "automotive_oem", "voc_content": "0.0000001 g/L", "solvent_based": True},
        {"id": "HUGE", "category": "automotive_oem", "voc_content": "1e20 g/L", "solvent_based": True},
        {"id": "HUGE2", "category": "wood", "voc_content": "123456789012345678901234 g/L", "solvent_based": True},
    ])
    durable = compliance.check(record, rulesets=rulesets, engine="durable", show_all=True)
    direct = compliance.check(record, rulesets=rulesets, engine="direct", show_all=True)
    assert dicts(durable.findings) == dicts(direct.findings)
    status = {(f.rule, f.entity_id): f.status for f in durable.findings}
    assert status[("jizhou-2018/coating-voc/automotive-oem", "TINY")] == "compliant"
    assert status[("jizhou-2018/coating-voc/automotive-oem", "HUGE")] == "violation"
    assert status[("t/voc-above-100", "HUGE")] == "violation"
    assert status[("t/voc-above-100", "TINY")] == "not_applicable"
    assert status[("t/voc-below-1", "TINY")] == "violation"
    assert status[("t/voc-below-1", "HUGE")] == "not_applicable"
    assert status[("t/voc-not-580", "HUGE2")] == "violation"


def test_wrapper_values_above_int64_agree_with_direct(tmp_path):
    # regression: dumps wrote 1e20 as '100000000000000000000'; the engine read an
    # int64 saturated at 2**63-1 and decided 1e20 > 1e19 as false, dropping the pair
    rule = make_rule("t/voc-above-1e19", "coatings",
                     {"field": "voc_content", "op": ">", "value": "10000000000000000000 g/L"},
                     {"field": "solvent_based", "equals": False})
    rulesets = load_ruleset(tmp_path, "test-int64", [rule])
    record = jizhou_record(coatings=[{"id": "C1", "category": "wood", "voc_content": "1e20 g/L", "solvent_based": True}])
    direct = compliance.check(record, rulesets=rulesets, engine="direct")
    assert [f.status for f in direct.findings] == ["violation"]
    assert dicts(compliance.check(record, rulesets=rulesets, engine="durable").findings) == dicts(direct.findings)


# ======================================================================
# 8. Identical facts raise or merge
# ======================================================================

def test_raw_identical_facts_merge():
    h = raw_ruleset({"a": {"all": [{"m": {"x": 1}}]}})
    assert E.assert_fact(h, json.dumps({"x": 1}))[0] == 0
    assert E.assert_fact(h, json.dumps({"x": 1}))[0] == 2  # ERR_EVENT_OBSERVED
    assert len(fire(h)) == 1
    h = raw_ruleset({"a": {"all": [{"m": {"x": 1}}]}})
    E.assert_fact(h, json.dumps({"id": "f", "x": 1, "z": 1}))
    assert E.assert_fact(h, json.dumps({"id": "f", "x": 1, "z": 2}))[0] == 2  # same id: dropped
    assert [frame["m"]["z"] for _, frame in fire(h)] == [1]


@slow
def test_raw_host_raises_on_identical_fact(host):
    assert host["duplicate"].startswith("MessageObservedException"), host


def test_wrapper_same_record_twice_gives_same_findings(durable_ev, direct_ev):
    expected = dicts(direct_ev.findings(facts_of(EXAMPLE)))
    assert {"violation", "compliant"} <= {f["status"] for f in expected} and len(expected) >= 10
    first = dicts(compliance.check(EXAMPLE, engine="durable").findings)
    second = dicts(compliance.check(EXAMPLE, engine="durable").findings)
    assert first == second == expected
    many = compliance.check_many([EXAMPLE, EXAMPLE, EXAMPLE], engine="durable")
    assert [dicts(r.findings) for r in many.records] == [expected] * 3
    assert leftover_facts(durable_ev.matcher) == []


def test_wrapper_entities_identical_but_for_id(durable_ev, direct_ev):
    coating = {"category": "auto_refinish", "layer": "basecoat", "voc_content": "435 g/L"}
    boiler = {"fuel": "coal", "capacity": "20 t/h", "use": "industrial", "emissions": {"pm": "40 mg/m^3", "o2": "9 %"}}
    record = jizhou_record(coatings=[dict(coating, id="C1"), dict(coating, id="C2")],
                           boilers=[dict(boiler, id="B1"), dict(boiler, id="B2"), dict(boiler, id="B3")])
    facts = facts_of(record)
    for _ in range(2):
        got = dicts(durable_ev.findings(facts))
        assert got == dicts(direct_ev.findings(facts))
        by = collections.defaultdict(list)
        for f in got:
            key = (f["entity"]["type"], f["entity"]["id"])
            by[key].append({k: v for k, v in f.items() if k not in ("entity", "line", "message")})
        assert len(by[("coatings", "C1")]) >= 2 and by[("coatings", "C1")] == by[("coatings", "C2")]
        assert len(by[("boilers", "B1")]) >= 4
        assert by[("boilers", "B1")] == by[("boilers", "B2")] == by[("boilers", "B3")]
    assert leftover_facts(durable_ev.matcher) == []


# ======================================================================
# 9. The Host starts timer threads; a shared Host loses actions
# ======================================================================

@slow
def test_raw_host_starts_timer_threads(host):
    assert host["threads_after"] > host["threads_before"], host


_SHARED_HOST = """
    import json, threading, time
    from durable.lang import ruleset, when_all, m, post, get_host
    seen, lock, errors = [], threading.Lock(), []
    with ruleset("shared"):
        @when_all(m.x == 1)
        def a(c):
            with lock:
                seen.append(c.m.n)
    if PREBUILT:
        get_host()
    def worker(t):
        for i in range(250):
            try:
                post("shared", {"x": 1, "n": t * 1000 + i})
            except Exception as exc:
                errors.append(type(exc).__name__ + ": " + str(exc))
    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    time.sleep(0.5)
    print(json.dumps({"ran": len(set(seen)), "errors": len(errors), "kinds": sorted(set(errors))}))
"""


def _shared_host_runs(prebuilt, attempts):
    observed = []
    for _ in range(attempts):
        proc = run_python(_SHARED_HOST.replace("PREBUILT", str(prebuilt)), timeout=60)
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        observed.append(result)
        if result["ran"] < 1000:
            break
    return observed


@slow
def test_raw_shared_host_first_used_from_threads_loses_messages():
    # durable.lang creates its shared Host lazily without a lock: threads that
    # race on first use build two Hosts, the rulesets go to the one that is
    # then replaced, and the other threads' messages fail ("not found")
    observed = _shared_host_runs(prebuilt=False, attempts=3)
    last = observed[-1]
    if last["ran"] == 1000:
        pytest.xfail(f"not reproduced here in {len(observed)} runs: {observed}")
    assert last["ran"] + last["errors"] == 1000
    assert last["kinds"] == ["Exception: Ruleset with name shared not found"], last


@slow
def test_raw_prebuilt_shared_host_loses_actions_across_threads():
    observed = _shared_host_runs(prebuilt=True, attempts=1)
    if observed[-1]["ran"] == 1000:
        pytest.xfail(f"not reproduced here: with the Host built before the threads start, "
                     f"4 threads x 250 post() ran all 1000 actions ({observed[-1]})")
    assert observed[-1]["ran"] < 1000


def test_wrapper_starts_no_threads():
    before = threading.active_count()
    ev = Evaluator(bundled(), "durable")
    ev.findings(facts_of(EXAMPLE))
    assert threading.active_count() == before
    assert ev.engine == "durable"


@slow
def test_wrapper_process_never_imports_host():
    proc = run_python("""
        import sys, threading
        before = threading.active_count()
        import compliance
        report = compliance.check("examples/jizhou-auto-parts.yaml", engine="durable")
        direct = compliance.check("examples/jizhou-auto-parts.yaml", engine="direct")
        same = [f.to_dict() for f in report.findings] == [f.to_dict() for f in direct.findings]
        print(report.engine, len(report.findings) > 0, same, threading.active_count() - before,
              "durable.engine" in sys.modules, "durable.lang" in sys.modules)
    """, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["durable", "True", "True", "0", "False", "False"]


def test_wrapper_concurrent_checks_match_sequential():
    sequential = render_json(compliance.check(EXAMPLE, engine="durable"))
    assert len(json.loads(sequential)["records"][0]["findings"]) >= 10
    results, errors = [], []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            for _ in range(20):
                results.append(render_json(compliance.check(EXAMPLE, engine="durable")))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors
    assert len(results) == 80
    assert all(r == sequential for r in results)


# ======================================================================
# 10. ~500 sibling first tests hang ruleset creation
# ======================================================================

_SIBLINGS = """
    import json, durable_rules_engine as E
    rules = {"r%d" % i: {"all": [{"m": {"$and": [{"k": "coatings"}, {"$lte": {"v": 100 + i}}]}}]}
             for i in range(N)}
    E.create_ruleset("siblings", json.dumps(rules))
    print("created", flush=True)
"""


@slow
def test_raw_many_sibling_tests_hang_ruleset_creation():
    control = run_python(_SIBLINGS.replace("N", "500"), timeout=30)
    assert control.returncode == 0 and control.stdout.split() == ["created"], control
    try:
        proc = run_python(_SIBLINGS.replace("N", "600"), timeout=4)
    except subprocess.TimeoutExpired:
        return  # reproduced: 500 siblings take milliseconds, 600 never finish
    pytest.xfail(f"600 sibling tests did not hang here: return code {proc.returncode}, stdout {proc.stdout!r}")


@slow
def test_wrapper_600_coating_rules_load_and_agree(tmp_path):
    rules = [make_rule(f"t/coating-{i:03d}", "coatings",
                       {"field": "voc_content", "op": ">", "value": f"{100 + i} g/L"},
                       {"field": "voc_content", "op": "<=", "value": f"{150 + i} g/L"})
             for i in range(600)]
    path = write_ruleset(tmp_path, "test-600", rules)
    code = """
        import json, math, sys
        import compliance
        from compliance.evaluate import Evaluator
        rulesets = compliance.load_rulesets([sys.argv[1]])
        durable = Evaluator(rulesets, "durable")
        record = {"context": {"as_of": "2019-03-01"}, "facility": {"id": "F", "region": "120119"},
                  "coatings": [{"id": "C%d" % i, "category": "wood", "voc_content": v}
                               for i, v in enumerate(["50 g/L", "120 g/L", "400 g/L", "0.65 kg/L", "1000 g/L"])]
                              + [{"id": "CX", "category": "wood"}]}
        out = {"chunks": len(durable.matcher._handles["coatings"])}
        for show_all in (False, True):
            a = [f.to_dict() for f in compliance.check(record, rulesets=rulesets, engine="durable", show_all=show_all).findings]
            b = [f.to_dict() for f in compliance.check(record, rulesets=rulesets, engine="direct", show_all=show_all).findings]
            out[str(show_all)] = {"same": a == b, "n": len(a), "statuses": sorted({f["status"] for f in a})}
        print(json.dumps(out))
    """
    env_code = textwrap.dedent(code).replace("sys.argv[1]", repr(str(path)))
    proc = run_python(env_code, timeout=45)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["chunks"] == math.ceil(600 / wrapper.CHUNK) > 1
    assert out["False"]["same"] and out["True"]["same"], out
    assert out["False"]["n"] > 600 and out["True"]["n"] == 6 * 600
    assert out["False"]["statuses"] == ["compliant", "indeterminate", "violation"], out


# ======================================================================
# 11. Engine failure -> EngineError, no partial results
# ======================================================================

def _boom(*args):
    raise RuntimeError("simulated engine failure")


def test_wrapper_engine_failure_raises_engine_error(monkeypatch):
    monkeypatch.setattr(wrapper._engine, "assert_fact", _boom)
    with pytest.raises(compliance.EngineError, match="simulated engine failure"):
        compliance.check(EXAMPLE, engine="durable")
    with pytest.raises(compliance.EngineError):
        compliance.check_many([EXAMPLE, EXAMPLE], engine="durable")
    # the direct engine does not touch durable_rules
    assert len(compliance.check(EXAMPLE, engine="direct").findings) >= 10


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_cli_engine_failure_exits_3_without_output(monkeypatch, capsys, fmt):
    monkeypatch.setattr(wrapper._engine, "assert_fact", _boom)
    out = io.StringIO()
    status = cli_main(["check", str(EXAMPLE), "--engine", "durable", "--format", fmt], out=out)
    captured = capsys.readouterr()
    assert status == 3
    assert out.getvalue() == "" and captured.out == ""
    assert "engine failure" in captured.err and "simulated engine failure" in captured.err
    assert "Traceback" not in captured.err


def test_cli_without_failure_prints_table():
    # control for the test above: the same command prints a table and exits 1
    out = io.StringIO()
    assert cli_main(["check", str(EXAMPLE), "--engine", "durable"], out=out) == 1
    assert "violation" in out.getvalue()


def test_wrapper_recovers_after_engine_failure(tmp_path, monkeypatch):
    # regression: a failure part-way through a batch left the asserted facts in
    # the engine; the next check saw their stale actions, raised a spurious
    # EngineError (KeyError on the stale fact id) and the facts leaked
    rules = [make_rule("t/coal", "boilers", {"field": "fuel", "equals": "coal"}, {"field": "status", "equals": "shutdown"})]
    rulesets = load_ruleset(tmp_path, "test-recover", rules)
    ev = Evaluator(rulesets, "durable")  # a private evaluator: the cached one stays clean
    # two boilers that both match: the first is stored and queued, the second fails
    boiler = {"fuel": "coal", "capacity": "20 t/h"}
    facts = facts_of(jizhou_record(boilers=[dict(boiler, id="B1"), dict(boiler, id="B2")]))
    expected = dicts(Evaluator(rulesets, "direct").findings(facts))
    assert [f["status"] for f in expected] == ["violation", "violation"]
    real = E.assert_fact
    calls = itertools.count(1)

    def flaky(handle, text):
        if next(calls) == 2:
            raise RuntimeError("transient engine failure")
        return real(handle, text)

    with monkeypatch.context() as m:
        m.setattr(wrapper._engine, "assert_fact", flaky)
        with pytest.raises(compliance.EngineError):
            ev.findings(facts)
    assert dicts(ev.findings(facts)) == expected
    assert leftover_facts(ev.matcher) == []


# ======================================================================
# durable and direct agree on every bundled example and embedded case
# ======================================================================

@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_engines_agree_on_bundled_examples(path, durable_ev, direct_ev):
    facts = facts_of(path)
    for show_all in (False, True):
        durable = dicts(durable_ev.findings(facts, show_all=show_all))
        assert durable, path
        assert durable == dicts(direct_ev.findings(facts, show_all=show_all))
    assert dicts(compliance.check(path, engine="durable").findings) == \
        dicts(compliance.check(path, engine="direct").findings)


def test_engines_agree_on_embedded_cases(durable_ev, direct_ev):
    rulesets = compliance.load_rulesets(None)
    n = 0
    for rs in rulesets:
        for rule in rs.rules + rs.manual_review:
            for i, case in enumerate(rule.tests):
                n += 1
                try:
                    facts = facts_of(case_record(rule, rs.jurisdiction, case), f"{rule.file}:{case.line}")
                except compliance.InputError:
                    continue  # run_cases reports it; compared below
                for show_all in (False, True):
                    assert dicts(durable_ev.findings(facts, show_all=show_all)) == \
                        dicts(direct_ev.findings(facts, show_all=show_all)), (rule.id, i)
    assert n >= 100
    durable = run_cases(rulesets, durable_ev)
    direct = run_cases(rulesets, direct_ev)
    # and each violating case again outside its ruleset's jurisdiction
    assert len(durable) == n + sum(len(outside_cases(rule, rs.jurisdiction)) for rs in rulesets for rule in rs.rules + rs.manual_review)
    assert [(r.rule.id, r.index, r.got, r.message, r.error) for r in durable] == \
        [(r.rule.id, r.index, r.got, r.message, r.error) for r in direct]


# A wider differential check: random records against rules that put every
# condition kind (stages, dates, lists, known, not, coverage, oxygen
# correction, facility and context fields) into the engine's `when`.

def _differential_rules():
    veh = {"field": "in_service", "equals": False}
    boil = {"field": "status", "equals": "shutdown"}
    return [
        make_rule("d/stage-ge5", "vehicles", {"field": "emission_stage", "op": ">=", "value": "5"}, veh),
        make_rule("d/stage-eq6a", "vehicles", {"field": "emission_stage", "op": "==", "value": "6a"}, veh),
        make_rule("d/stage-ne4", "vehicles", {"field": "emission_stage", "op": "!=", "value": "4"}, veh),
        make_rule("d/stage-not-ge5", "vehicles", {"not": {"field": "emission_stage", "op": ">=", "value": "5"}}, veh),
        make_rule("d/registered", "vehicles", {"field": "registered", "op": "<", "value": "2015-01-01"}, veh),
        make_rule("d/heavy", "vehicles", {"any": [{"field": "gross_mass", "op": ">", "value": "12 t"},
                                                  {"field": "kind", "in": ["heavy_truck", "bus"]}]}, veh),
        make_rule("d/cofire-any", "boilers", {"field": "co_firing", "includes_any": ["coal", "oil"]}, boil),
        make_rule("d/cofire-all", "boilers", {"field": "co_firing", "includes_all": ["coal", "oil"]}, boil),
        make_rule("d/not-cofire", "boilers", {"not": {"field": "co_firing", "includes": "gas"}}, boil),
        make_rule("d/no-date", "boilers", {"field": "commissioned", "known": False}, boil),
        make_rule("d/list-known", "boilers", {"field": "co_firing", "known": True}, boil),
        make_rule("d/o2", "boilers", {"field": "emissions.pm", "op": ">", "value": "20 mg/m^3",
                                      "oxygen_reference": "9 %"}, boil),
        make_rule("d/big", "boilers", {"all": [{"field": "capacity", "op": ">=", "value": "10 t/h"},
                                               {"not": {"field": "fuel", "in": ["gas", "electric"]}}]}, boil),
        make_rule("d/where", "boilers", {"any": [{"field": "facility.town", "equals": "渔阳镇"},
                                                 {"field": "facility.industries", "includes": "steel"},
                                                 {"field": "context.alert", "in": ["red"]}]}, boil),
        make_rule("d/voc", "coatings", {"any": [{"field": "voc_content", "op": ">", "value": "420 g/L"},
                                                {"field": "layer", "equals": "basecoat"}]},
                  {"field": "voc_content", "op": "<=", "value": "100 g/L"}),
        make_rule("d/voc-ne", "coatings", {"field": "voc_content", "op": "!=", "value": "500 g/L"},
                  {"field": "solvent_based", "equals": False}),
        make_rule("d/voc-eq", "coatings", {"field": "voc_content", "op": "==", "value": "0.5 kg/L"},
                  {"field": "solvent_based", "equals": False}),
        make_rule("d/coverage", "construction_sites", {"coverage": "dust_measures", "at_least": "95 %",
                                                       "of": ["perimeter_hoarding", "material_covering"]},
                  {"field": "pm_monitoring", "equals": True}),
        make_rule("d/not-coverage", "construction_sites",
                  {"not": {"coverage": "dust_measures", "of": ["perimeter_hoarding", "material_covering"]}},
                  {"field": "pm_monitoring", "equals": True}),
        make_rule("d/audit", "facility", {"field": "clean_production_audit", "op": "<=", "value": "2018-01-01"},
                  {"field": "pollutant_permit", "equals": True}),
        make_rule("d/voc-tonnes", "facility", {"field": "annual_voc_emissions", "op": ">", "value": "10 t/a"},
                  {"field": "pollutant_permit", "equals": True}),
    ]


@pytest.fixture(scope="module")
def differential(tmp_path_factory):
    directory = tmp_path_factory.mktemp("differential")
    rulesets = bundled() + load_ruleset(directory, "test-differential", _differential_rules())
    return Evaluator(rulesets, "durable"), Evaluator(rulesets, "direct")


def _opt(**fields):
    return st.fixed_dictionaries({}, optional=fields)


def _entities(strategy, prefix):
    return st.lists(strategy, max_size=3).map(lambda xs: [dict(x, id=f"{prefix}{i}") for i, x in enumerate(xs)])


_coverage = st.one_of(st.booleans(), st.sampled_from(["100 %", "95 %", "94.9 %", 0.96]))
_record = st.fixed_dictionaries({
    "context": st.fixed_dictionaries({
        "as_of": st.sampled_from([dt.date(2018, 10, 31), dt.date(2018, 12, 31), dt.date(2019, 3, 1)]),
        "alert": st.sampled_from(["none", "yellow", "orange", "red"])}),
    "facility": _opt(
        town=st.sampled_from(["渔阳镇", "邦均镇"]),
        industries=st.lists(st.sampled_from(["steel", "industrial_coating"]), max_size=2, unique=True),
        key_vehicle_user=st.booleans(), pollutant_permit=st.booleans(),
        clean_production_audit=st.one_of(st.just(False), st.dates(dt.date(2016, 1, 1), dt.date(2019, 1, 1))),
        annual_voc_emissions=st.sampled_from(["5 t/a", "10 t/a", "11 t/a"]),
    ).map(lambda f: dict(f, id="F", region=f.get("region", "120119"))),
    "boilers": _entities(_opt(
        fuel=st.sampled_from(["coal", "gas", "oil", "biomass", "electric"]),
        capacity=st.sampled_from(["10 t/h", "35 t/h", "24.5 MW", "24.4 MW", "2.8 MW"]),
        status=st.sampled_from(["operating", "standby", "shutdown", "planned"]),
        use=st.sampled_from(["heating", "industrial", "power"]),
        dedicated_biomass=st.booleans(), bag_filter=st.booleans(),
        co_firing=st.lists(st.sampled_from(["coal", "oil", "gas", "biomass", "chemical_waste"]), max_size=3, unique=True),
        fuel_form=st.sampled_from(["briquette", "loose"]),
        commissioned=st.dates(dt.date(2000, 1, 1), dt.date(2019, 1, 1)),
        emissions=_opt(pm=st.sampled_from(["4 mg/m^3", "20 mg/m^3", "30 mg/m^3", "31 mg/m^3"]),
                       so2=st.sampled_from(["50 mg/m^3", "201 mg/m^3"]),
                       nox=st.sampled_from(["150 mg/m^3", "201 mg/m^3"]),
                       o2=st.sampled_from(["3.5 %", "9 %", "12 %"])),
    ), "B"),
    "coatings": _entities(_opt(
        category=st.sampled_from(["automotive_oem", "wood", "construction_machinery",
                                  "industrial_anticorrosion", "auto_refinish", "architectural"]),
        layer=st.sampled_from(["primer", "basecoat", "topcoat", "clearcoat"]),
        voc_content=st.one_of(
            st.sampled_from(["500 g/L", "0.5 kg/L", "420 g/L", "580 g/L", "4.4 lb/gal", "0.0000001 g/L", "1e20 g/L"]),
            st.floats(0, 2000).map(lambda v: f"{v!r} g/L")),
        solvent_based=st.booleans(),
    ), "C"),
    "vehicles": _entities(_opt(
        kind=st.sampled_from(["heavy_truck", "bus", "car"]),
        emission_stage=st.sampled_from(["3", "国四", "国五", "国六", "6a", "国VI(B)", "5"]),
        registered=st.dates(dt.date(2010, 1, 1), dt.date(2020, 1, 1)),
        gross_mass=st.sampled_from(["5 t", "12 t", "30 t"]),
        alert_purpose=st.sampled_from(["none", "safety", "port"]), in_service=st.booleans(),
    ), "V"),
    "construction_sites": _entities(_opt(
        kind=st.sampled_from(["building", "road"]), earthwork=st.booleans(), pm_monitoring=st.booleans(),
        video_surveillance=st.booleans(),
        dust_measures=_opt(perimeter_hoarding=_coverage, material_covering=_coverage, wet_earthwork=_coverage,
                           road_hardening=_coverage, vehicle_washing=_coverage, enclosed_transport=_coverage),
    ), "W"),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(record=_record, show_all=st.booleans())
def test_engines_agree_on_random_records(differential, record, show_all):
    durable, direct = differential
    facts = facts_of(record)
    assert dicts(durable.findings(facts, show_all=show_all)) == dicts(direct.findings(facts, show_all=show_all))


# Edge 7 again: the engine compares a number with a string as text, so every
# fact key must carry one JSON type, the same as the rule limits on that key.

_NUMERIC = {"quantity", "coverage", "integer", "date", "date_or_false"}


def _kind(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "text" if isinstance(value, str) else type(value).__name__


def _key_kinds(program):
    """Fact key -> the JSON kind its field's type gives, for every field a rule reads."""
    kinds, has_prefixes = {}, set()
    for rule in program.rules:
        for cond in (rule.when, rule.require, rule.unless.condition if rule.unless else None):
            for ref in cond.refs() if cond is not None else ():
                key, t = ref.fact_key(), ref.spec.type
                if t == "stage":
                    kinds[key + "__lo"] = kinds[key + "__hi"] = "number"
                elif t == "enum_list":
                    kinds[key + "__known"] = "bool"
                    has_prefixes.add(key + "__has__")
                else:
                    kinds[key] = "number" if t in _NUMERIC else "bool" if t == "bool" else "text"
    return kinds, has_prefixes


def _expected_kind(key, kinds, has_prefixes):
    if key in kinds:
        return kinds[key]
    assert any(key.startswith(p) for p in has_prefixes), key
    return "bool"


def _condition_leaves(cond):
    (key, value), = cond.items()
    if key in ("$and", "$or"):
        for c in value:
            yield from _condition_leaves(c)
    elif key in ("$nex", "$ex"):
        return
    elif key.startswith("$"):
        (field, limit), = value.items()
        yield field, limit
    else:
        yield key, value


def test_wrapper_rule_limits_have_the_field_type(differential):
    durable, _ = differential
    kinds, has_prefixes = _key_kinds(durable.program)
    checked = 0
    for rule in durable.program.rules:
        if rule.when is None:
            continue
        for key, limit in _condition_leaves(rule.when.possible()):
            assert _kind(limit) == _expected_kind(key, kinds, has_prefixes), (rule.id, key, limit)
            checked += 1
    assert checked >= 50


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(record=_record)
def test_wrapper_fact_values_have_the_field_type(differential, record):
    durable, _ = differential
    kinds, has_prefixes = _key_kinds(durable.program)
    facts = facts_of(record)
    for entity in facts.all_entities():
        fact = wrapper.encode_fact("1", facts, entity, durable.matcher._refs.get(entity.section, []))
        for key, value in fact.items():
            if key in ("id", "k") or key.startswith("j_"):
                continue
            assert _kind(value) == _expected_kind(key, kinds, has_prefixes), (entity.ref, key, value)


def test_wrapper_handles_conditions_beyond_the_engine_limit(tmp_path):
    """A `when` of 20 nested and/or nodes is refused by the engine (error 113);
    the rule is matched coarsely and the verdict still agrees with direct."""
    import compliance
    from compliance.api import evaluator

    branches = "\n".join(
        f"        - any: [{{field: voc_content, op: '>', value: {i} g/L}}, {{field: solvent_based, equals: true}}]"
        for i in range(20)
    )
    from bad_inputs import RULESET_HEAD  # a minimal ruleset with one coatings rule, t/r

    text = (RULESET_HEAD + "    when:\n      all:\n" + branches
            + "\n    require: {field: voc_content, op: '<=', value: 100 g/L}\n")
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    rulesets = compliance.load_rulesets([path])
    durable = evaluator(rulesets, "durable")
    assert durable.matcher.coarse, "expected the engine to refuse this condition"
    for value, expect in (("50 g/L", "compliant"), ("150 g/L", "violation"), ("5 g/L", "not_applicable")):
        rec = {"context": {"as_of": "2019-01-01"}, "facility": {"id": "F", "region": "120119"},
               "coatings": [{"id": "C", "voc_content": value, "solvent_based": False}]}
        got_d = [f.status for f in compliance.check(rec, rulesets=rulesets, engine="durable").findings if f.rule == "t/r"]
        got_x = [f.status for f in compliance.check(rec, rulesets=rulesets, engine="direct").findings if f.rule == "t/r"]
        assert got_d == got_x == ([] if expect == "not_applicable" else [expect]), (value, got_d, got_x)


def test_wrapper_huge_batch_in_one_record(durable_ev, direct_ev):
    """One record with 5000 entities of one kind goes through the engine as a
    single batch; durable and direct agree on every finding."""
    coatings = [{"id": f"C{i}", "category": ["automotive_oem", "wood", "industrial_anticorrosion"][i % 3],
                 "voc_content": f"{500 + (i % 200)} g/L"} for i in range(5000)]
    rec = {"context": {"as_of": "2019-03-01"}, "facility": {"id": "F", "region": "120119"}, "coatings": coatings}
    from compliance.normalise import normalise
    from compliance.record import record_from_data

    facts = normalise(record_from_data(rec))
    a = [f.to_dict() for f in durable_ev.findings(facts)]
    b = [f.to_dict() for f in direct_ev.findings(facts)]
    assert a == b
    assert sum(1 for f in a if f["status"] == "violation") > 1000
