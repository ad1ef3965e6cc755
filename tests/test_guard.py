"""The regression guard catches deliberate mutations of a bundled rule.

Each test edits a temporary copy of the bundled rulesets -- one limit, one
operator, one date, one unit -- and runs the guard (embedded cases, example
and corpus snapshots). The guard must fail and name the mutated rule.
"""

import shutil

import pytest

import snapshot
from compliance import load_rulesets
from compliance.api import evaluator
from compliance.testing import run_cases

from conftest import REPO

JIZHOU = "cn-tj-jizhou-2018-autumn-winter.yaml"


def mutate(text, rule_id, old, new):
    start = text.index(f"- id: {rule_id}\n")
    end = text.find("\n  - id: ", start + 1)
    end = len(text) if end < 0 else end
    block = text[start:end]
    assert old in block, (rule_id, old)
    return text[:start] + block.replace(old, new, 1) + text[end:]


def guard(rulesets):
    """Every message the guard would print: failing cases and changed verdicts."""
    messages = []
    for r in run_cases(rulesets, evaluator(rulesets)):
        if not r.ok:
            messages.append(f"{r.rule.id}: case {r.rule.file}:{r.case.line} expected {r.case.expect}, got {r.got}")
    old = snapshot.load("examples.json")
    messages += snapshot.diff_examples(old, snapshot.verdicts_of_examples(rulesets))
    messages += snapshot.diff_lines(snapshot.load("corpus.json"), snapshot.verdicts_of_corpus(rulesets))
    return messages


MUTATIONS = [
    ("limit", "jizhou-2018/coating-voc/automotive-oem", "value: 580 g/L", "value: 590 g/L"),
    ("operator", "jizhou-2018/coating-voc/automotive-oem", 'op: "<="', 'op: "<"'),
    ("date", "jizhou-2018/coal-boiler-below-35th", "deadline: 2018-12-31", "deadline: 2019-06-30"),
    ("unit", "jizhou-2018/coal-boiler-below-35th", "value: 35 t/h", "value: 35 MW"),
]


@pytest.mark.parametrize("kind, rule_id, old, new", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_guard_catches_mutation(tmp_path, kind, rule_id, old, new):
    copy = tmp_path / "rulesets"
    shutil.copytree(REPO / "rulesets", copy, ignore=shutil.ignore_patterns("__*"))
    path = copy / JIZHOU
    path.write_text(mutate(path.read_text(encoding="utf-8"), rule_id, old, new), encoding="utf-8")
    mutated = load_rulesets([copy])
    messages = guard(mutated)
    assert messages, f"mutating the {kind} of {rule_id} went unnoticed"
    assert any(rule_id in m for m in messages), messages[:10]


def test_guard_is_quiet_on_the_bundled_rules():
    assert guard(load_rulesets()) == []
