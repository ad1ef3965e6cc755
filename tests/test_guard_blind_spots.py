"""Blind spots of the guard found by the mutation audit (issue #10): each
test seeds the bug the guard missed and asserts the guard now sees it."""

import attrs
import pytest

import snapshot
from compliance.api import check, evaluator, load_rulesets
from compliance.report import render_table
from compliance.testing import case_record, outside_region, run_cases

BUNDLED = load_rulesets()


# ---------------------------------------------------------------- table: the quote of pending rows


def _cases(expect):
    """(ruleset, rule, record) for every embedded case expecting ``expect``."""
    return [(rs, rule, case_record(rule, rs.jurisdiction, case))
            for rs in BUNDLED for rule in rs.rules for case in rule.tests if case.expect == expect]


@pytest.mark.parametrize("status", ["pending", "violation"])
def test_table_row_quotes_its_rules_source(status):
    """A pending (or violating) row shows the quoted text of its own rule.
    The table is wide, so the quote is neither wrapped nor cut."""
    cases = _cases(status)
    assert len(cases) > 20
    for rs, rule, record in cases[::7]:
        report = check(record, rulesets=[rs])
        table = render_table(report, width=4000)
        rows = [row for row in table.split("├") if rule.id in row]
        assert len(rows) == 1, table
        assert f"“{rule.cite.text}”" in rows[0], (rule.id, rows[0])


# ---------------------------------------------------------------- snapshots: order and duplicates


def _with_duplicates():
    """The bundled rulesets and a copy of the Jizhou one under another id:
    every Jizhou rule twice (what a user rule reusing a bundled id gave)."""
    jizhou = next(rs for rs in BUNDLED if rs.id == "cn-tj-jizhou-2018-autumn-winter")
    return list(BUNDLED) + [attrs.evolve(jizhou, id="jizhou-copy")]


def test_snapshot_sees_a_second_finding_for_one_rule_and_entity(monkeypatch):
    from compliance.evaluate import Evaluator

    # the API refuses a rule id twice in one selection; the seeded bug is the engine's
    monkeypatch.setattr(snapshot, "evaluator", lambda rulesets: Evaluator(rulesets))
    changes = snapshot.diff_examples(snapshot.load("examples.json"), snapshot.verdicts_of_examples(_with_duplicates()))
    assert any("2 findings" in c for c in changes), changes[:5]
    lines = snapshot.diff_lines(snapshot.load("corpus.json"), snapshot.verdicts_of_corpus(_with_duplicates()))
    assert any("2 findings" in c for c in lines), lines[:5]


def test_snapshot_sees_findings_in_another_order():
    old = snapshot.load("examples.json")
    src = next(s for s, v in sorted(old.items()) if len({snapshot._key(f) for f in v["findings"]}) > 2)
    new = {**old, src: {**old[src], "findings": list(reversed(old[src]["findings"]))}}
    changes = snapshot.diff_examples(old, new)
    assert changes == [c for c in changes if c.startswith(src)] and any("another order" in c for c in changes), changes
    corpus = snapshot.load("corpus.json")
    swapped = corpus[:10] + [corpus[11], corpus[10]] + corpus[12:]
    assert any("another order" in c for c in snapshot.diff_lines(corpus, swapped))


def test_snapshot_diff_is_empty_on_equal_input():
    old = snapshot.load("examples.json")
    assert snapshot.diff_examples(old, old) == [] and snapshot.diff_lines(["000 r e x"], ["000 r e x"]) == []


# ---------------------------------------------------------------- embedded cases: jurisdiction


def test_every_violating_case_is_also_run_outside_its_jurisdiction():
    results = run_cases(BUNDLED, evaluator(BUNDLED))
    outside = [r for r in results if r.case.name.startswith("outside ")]
    expected = sum(1 for rs in BUNDLED if outside_region(rs.jurisdiction) is not None
                   for rule in rs.rules for c in rule.tests if c.expect == "violation")
    assert expected > 100 and len(outside) == expected
    assert all(r.ok and r.got == "not_applicable" for r in outside)


def test_a_rule_firing_outside_its_jurisdiction_fails_its_cases():
    """Seeded bug: the engine applies a ruleset everywhere (its jurisdiction
    ignored). Cases inside still pass; the cases moved outside fail."""
    jizhou = next(rs for rs in BUNDLED if rs.id == "cn-tj-jizhou-2018-autumn-winter")
    everywhere = evaluator([attrs.evolve(jizhou, jurisdiction="CN")])
    results = run_cases([jizhou], everywhere)
    bad = [r for r in results if not r.ok]
    assert bad and all(r.case.name.startswith("outside 120119") and r.got == "violation" for r in bad)
    assert len(bad) == sum(1 for rule in jizhou.rules for c in rule.tests if c.expect == "violation")


def test_compliance_test_reports_a_case_that_fires_outside(monkeypatch, capsys):
    import io

    from compliance import cli, testing

    jizhou = next(rs for rs in BUNDLED if rs.id == "cn-tj-jizhou-2018-autumn-winter")
    real = testing.outside_region
    monkeypatch.setattr(testing, "outside_region", lambda j: "120119" if j == jizhou.jurisdiction else real(j))
    out = io.StringIO()
    code = cli.main(["test", jizhou.id], out=out)
    assert code == 1
    assert "expected not_applicable, got violation — outside 120119 (region 120119)" in out.getvalue()
