"""Hardening round 2: no ruleset hangs the durable engine, the library is
fork-safe, a cold start under many threads builds one evaluator.

The shapes that hang durable_rules' ``create_ruleset`` for good (deaf to
SIGINT) run in a subprocess with a time limit; each must load, and the three
engines must agree on every finding.
"""

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import compliance
from compliance.engine import durable_available

ROOT = Path(__file__).resolve().parent.parent

needs_durable = pytest.mark.skipif(not durable_available(), reason="durable-rules is not installed")


def _run(code: str, timeout: float) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), str(ROOT / "tests"), env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, cwd=str(ROOT), env=env)


# ======================================================================
# class 10: wide conditions never hang the engine
# ======================================================================

# Each shape: rules as (id, when) for coatings, each requiring voc_content <= 100 g/L.
_SHAPES = {
    # one `in:` list of 600 values: 600 sibling tests in one engine rule
    "wide-in": "[('t/wide', {'field': 'product', 'in': ['p%d' % i for i in range(600)]})]",
    # six rules of 100 values each: 600 distinct tests in one engine ruleset
    "six-by-100": "[('t/six%d' % j, {'field': 'product', 'in': ['p%d-%d' % (j, i) for i in range(100)]})"
                  " for j in range(6)]",
    # 600 rules on 600 distinct values (sibling first tests)
    "600-rules": "[('t/r%03d' % j, {'field': 'product', 'equals': 'p%d' % j}) for j in range(600)]",
    # 64 rules, each an `any` of ten equalities: the engine refuses the
    # ruleset (error 107) and a fact with no product matches more than 64
    # alternatives of it (error 303)
    "64-any-of-10": "[('t/a%02d' % j, {'any': [{'field': 'product', 'equals': 'p%d-%d' % (j, i)} for i in range(10)]})"
                    " for j in range(64)]",
    # a `when` nested past the engine's limit of about 16 and/or nodes (error 113)
    "deep": "[('t/deep', {'all': [{'any': [{'field': 'voc_content', 'op': '>', 'value': '%d g/L' % i},"
            " {'field': 'solvent_based', 'equals': True}]} for i in range(30)]})]",
    # long strings
    "long-strings": "[('t/long', {'field': 'product', 'in': ['x' * 100000, 'p5']})]",
}

_SHAPE_CODE = """
    import json, tempfile
    from pathlib import Path
    import compliance
    from compliance import _durable
    from compliance.api import evaluator
    from test_durable import make_rule, write_ruleset

    overflows = []
    real_overflow = _durable.DurableMatcher._overflow
    def counted(self, *args):
        overflows.append(1)
        return real_overflow(self, *args)
    _durable.DurableMatcher._overflow = counted

    rules = [make_rule(rid, "coatings", when, {"field": "voc_content", "op": "<=", "value": "100 g/L"})
             for rid, when in SHAPE]
    path = write_ruleset(Path(tempfile.mkdtemp()), "t-shape", rules)
    rulesets = compliance.load_rulesets([path])
    coatings = [{"id": "C1", "product": "p5", "voc_content": "150 g/L"},
                {"id": "C2", "product": "p0-5", "voc_content": "50 g/L"},
                {"id": "C3", "product": "zz", "voc_content": "150 g/L", "solvent_based": True},
                {"id": "C4", "voc_content": "150 g/L"},
                {"id": "C5", "product": "p3-2", "voc_content": "150 g/L", "solvent_based": False},
                {"id": "C6", "product": "p599", "voc_content": "5 g/L"},
                {"id": "C7", "product": "x" * 100000, "voc_content": "500 g/L"},
                {"id": "C8"}]
    record = {"context": {"as_of": "2019-03-01"}, "facility": {"id": "F", "region": "120119"}, "coatings": coatings}
    out = {}
    for engine in ("durable", "direct", "kernel"):
        report = compliance.check(record, rulesets=rulesets, engine=engine, show_all=True)
        out[engine] = [f.to_dict() for f in report.findings]
    matcher = evaluator(rulesets, "durable").matcher
    print(json.dumps({"same": out["durable"] == out["direct"] == out["kernel"],
                      "statuses": sorted({f["status"] for f in out["direct"]}),
                      "n": len(out["direct"]), "coarse": len(matcher.coarse),
                      "overflows": len(overflows)}))
"""


@needs_durable
@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_no_rule_shape_hangs_the_durable_engine(shape):
    code = textwrap.dedent(_SHAPE_CODE).replace("SHAPE", _SHAPES[shape])
    proc = _run(code, timeout=60)  # each takes well under a second; a hang never returns
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["same"], out
    assert out["n"] >= 8 and len(out["statuses"]) >= 2, out  # the rules are really exercised
    if shape in ("wide-in", "deep"):
        assert out["coarse"] == 1, out
    if shape == "64-any-of-10":
        assert out["overflows"] > 0, out  # C8 (no product) matches every $nex branch


@needs_durable
def test_engine_rulesets_stay_under_the_test_limit():
    """No engine ruleset of the bundled rules or of a wide user ruleset holds
    more distinct tests than MAX_TESTS; a rule with more is coarse."""
    from compliance import _durable
    from compliance.engine import Program

    program = Program.build(compliance.load_rulesets())
    matcher = _durable.DurableMatcher(program)
    assert not matcher.coarse  # the bundled rules all go to the engine whole
    for section, parts in matcher._parts.items():
        assert len(parts) == len(matcher._handles[section])
        for text, rules in parts:
            assert len(_durable._tests(json.loads(text))) <= _durable.MAX_TESTS
            assert len(rules) <= _durable.CHUNK


@needs_durable
def test_the_test_counter_sees_every_leaf():
    from compliance._durable import _tests

    rule = {"all": [{"m": {"$and": [{"k": "c"}, {"$or": [{"v": 1}, {"$nex": {"v": 1}}, {"$lt": {"w": 2}},
                                                           {"$and": [{"v": 1}, {"x": True}]}]}]}}]}
    assert _tests(rule) == {'{"k":"c"}', '{"v":1}', '{"$nex":{"v":1}}', '{"$lt":{"w":2}}', '{"x":true}'}


# ======================================================================
# class 20: fork while threads check; a cold start under many threads
# ======================================================================

_FORK_CODE = """
    import json, os, threading, time, warnings
    warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads running
    import compliance

    EXAMPLES = [str(p) for p in sorted(__import__("pathlib").Path("examples").glob("*.yaml"))]

    def statuses(engine):
        return [[(f.rule, f.entity, f.status) for f in compliance.check(p, engine=engine).findings] for p in EXAMPLES]

    expected = statuses("direct")
    assert statuses("durable") == expected
    stop = threading.Event()
    errors = []

    def worker():
        try:
            while not stop.is_set():
                assert statuses("durable") == expected
        except BaseException as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    results = []
    for _ in range(ROUNDS):
        time.sleep(0.01)
        pid = os.fork()
        if pid == 0:
            try:
                ok = statuses("durable") == expected and statuses("kernel") == expected
            except BaseException:
                ok = False
            os._exit(0 if ok else 1)
        deadline = time.monotonic() + 20
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                results.append("ok" if os.waitstatus_to_exitcode(status) == 0 else "wrong")
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                results.append("deadlocked")
                break
            time.sleep(0.01)
    stop.set()
    for t in threads:
        t.join()
    print(json.dumps({"children": results, "thread_errors": errors}))
"""


@needs_durable
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_fork_while_threads_check_on_the_durable_engine():
    """Children forked while four threads check on the durable engine check
    too (durable and kernel) and agree with the direct engine; none hangs on
    a lock a parent thread held at the fork."""
    proc = _run(_FORK_CODE.replace("ROUNDS", "16"), timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["thread_errors"] == []
    assert out["children"] == ["ok"] * 16, out


_COLD_CODE = """
    import collections, json, threading
    import compliance
    from compliance import api, ruleset

    built = collections.Counter()
    loads = []
    real_init = api.Evaluator.__init__
    real_load = ruleset._load_rulesets

    def counting_init(self, rulesets, engine=None):
        built[api.engine_name(engine)] += 1
        real_init(self, rulesets, engine)

    def counting_load(*args):
        loads.append(args[0])
        return real_load(*args)

    api.Evaluator.__init__ = counting_init
    ruleset._load_rulesets = counting_load
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def worker(n):
        try:
            engine = ENGINES[n % len(ENGINES)]
            barrier.wait()
            report = compliance.check("examples/jizhou-auto-parts.yaml", engine=engine)
            results.append((engine, [(f.rule, f.entity, f.status) for f in report.findings]))
        except BaseException as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    verdicts = {json.dumps(r) for _, r in results}
    print(json.dumps({"built": built, "bundled_loads": sum(1 for p in loads if p is None),
                      "results": len(results), "distinct": len(verdicts), "errors": errors}))
"""


@pytest.mark.parametrize("engines", [("auto",), ("kernel", "direct") + (("durable",) if durable_available() else ())])
def test_a_cold_start_under_50_threads_builds_one_evaluator_per_engine(engines, tmp_path, monkeypatch):
    code = _COLD_CODE.replace("THREADS", "50").replace("ENGINES", repr(engines))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # cold: no compiled rulesets on disk either
    proc = _run(code, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["errors"] == [] and out["results"] == 50
    assert out["distinct"] == 1  # every engine, every thread: the same verdicts
    assert out["bundled_loads"] == 1
    assert out["built"] == {compliance.engine.engine_name(e): 1 for e in engines}, out


def test_the_judgement_calls_are_in_the_bad_input_page():
    from bad_inputs import ENGINE_JUDGEMENTS as JUDGEMENTS

    doc = (ROOT / "docs" / "bad-input.md").read_text(encoding="utf-8")
    for heading, prose in JUDGEMENTS:
        assert f"**{heading}.** {prose}" in doc, f"docs/bad-input.md lacks {heading!r}: regenerate it"


_HELD_CODE = """
import importlib, os, threading, time

MODULE = importlib.import_module("compliance.NAME")  # only this one: _durable needs durable-rules
held, done = threading.Event(), threading.Event()

def hold():
    with MODULE._LOCK:  # another thread in the middle of a call that holds the lock
        held.set()
        done.wait(0.5)

t = threading.Thread(target=hold)
t.start()
held.wait()
pid = os.fork()
if pid == 0:  # the child: only the forking thread exists; the lock must be free
    os._exit(0 if MODULE._LOCK.acquire(timeout=5) else 1)
done.set()
_, status = os.waitpid(pid, 0)
t.join()
print(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(os, "register_at_fork"), reason="no fork here")
@pytest.mark.parametrize("module", ["api", "units", pytest.param("_durable", marks=needs_durable)])
def test_a_fork_while_another_thread_holds_the_lock(module):
    """Deterministic where the threaded fork test above is a matter of
    timing: a fork while another thread holds a module's lock leaves the
    child a lock it can take (the fork hooks: a new lock in the child, and
    for the engine's, no fork during an engine call)."""
    proc = _run(_HELD_CODE.replace("NAME", module), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "0", "the child found the lock held: it would deadlock"
