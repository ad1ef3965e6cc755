"""Ruleset loading and validation; the embedded cases of every bundled rule."""

import re
import textwrap

import pytest

from compliance import RulesetError, load_rulesets
from compliance.api import evaluator
from compliance.ruleset import bundled_paths
from compliance.testing import run_cases

from bad_inputs import RULESET_HEAD as HEAD  # one minimal ruleset header for the tests
from conftest import SHARED

BUNDLED = load_rulesets()


def test_bundled_rulesets_load():
    ids = {r.id for r in BUNDLED}
    assert {"cn-tj-jizhou-2018-autumn-winter", "cn-gb13271-2014"} <= ids
    assert sum(len(r.rules) for r in BUNDLED) >= 20


@pytest.mark.parametrize("ruleset", BUNDLED, ids=lambda r: r.id)
def test_embedded_cases_pass(ruleset):
    results = run_cases([ruleset], evaluator([ruleset]))
    failures = [f"{r.rule.id} {r.rule.file}:{r.case.line}: expected {r.case.expect}, got {r.got} {r.error or ''}"
                for r in results if not r.ok]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("rule", [r for rs in BUNDLED for r in rs.rules], ids=lambda r: r.id)
def test_every_rule_has_the_four_kinds_of_case(rule):
    expects = {c.expect for c in rule.tests}
    assert "violation" in expects and "compliant" in expects and "indeterminate" in expects, rule.id
    # a pending case where the duty starts or falls due after the rule exists
    if any(d is not None and d > rule.in_force_from for d in (rule.effective_from, rule.deadline)):
        assert "pending" in expects, rule.id


def _squash(text):
    return re.sub(r"\s+", "", text)


def test_quoted_text_occurs_in_its_source():
    """Every quoted sentence must occur in its seed document (whitespace aside)."""
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"source documents not found at {seeds} (CI has ../shared beside the clone)")
    checked = 0
    missing = []
    for rs in BUNDLED:
        for rule in rs.rules + rs.manual_review:
            path = seeds / rule.cite.document
            if not path.is_file():
                missing.append(f"{rule.id}: document {rule.cite.document} not among the seeds")
                continue
            source = _squash(path.read_text(encoding="utf-8"))
            if _squash(rule.cite.text) not in source:
                missing.append(f"{rule.id}: quote not found in {rule.cite.document}: {rule.cite.text[:40]}…")
            checked += 1
    assert not missing, "\n".join(missing)
    assert checked >= 20


def _ruleset(tmp_path, body):
    p = tmp_path / "rs.yaml"
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p



@pytest.mark.parametrize(
    "extra, fragment",
    [
        ("    require: {field: voc_content, op: '<=', value: 580 kg}\n", "dimension"),
        ("    require: {field: voc_contnt, op: '<=', value: 580 g/L}\n", "did you mean 'voc_content'"),
        ("    require: {field: voc_content, op: '=<', value: 580 g/L}\n", "unknown operator"),
        ("    require: {field: category, equals: automotive}\n", "did you mean 'automotive_oem'"),
        ("    require: {field: voc_content, op: '<=', value: 580 g/L}\n    effective: 2019-01-01\n", "unknown key"),
        ("    require: {field: voc_content, op: '<=', value: 580 g/L}\n    deadline: 2019-02-30\n", "impossible date"),
        ("    require: {field: voc_content, op: '<=', value: {param: nope}}\n", "unknown parameter"),
        ("    require: {feld: voc_content}\n", "unknown condition key"),
        ("    require: {field: voc_content, op: '<=', value: 580 g/L}\n    message2: x\n", "unknown key"),
    ],
)
def test_invalid_rules_are_reported_with_location(tmp_path, extra, fragment):
    with pytest.raises(RulesetError) as exc:
        load_rulesets([_ruleset(tmp_path, HEAD + extra)])
    text = str(exc.value)
    assert fragment in text
    assert re.search(r"rs\.yaml:\d+:\d+: \[error\]", text), text


def test_unknown_entity_kind_and_region(tmp_path):
    body = HEAD.replace("applies_to: coatings", "applies_to: coating").replace('"120119"', '"999999"')
    with pytest.raises(RulesetError) as exc:
        load_rulesets([_ruleset(tmp_path, body + "    require: {field: x, equals: 1}\n")])
    assert "unknown region" in str(exc.value) or "unknown entity kind" in str(exc.value)


def test_bundled_rulesets_ship_in_the_package():
    assert len(bundled_paths()) == len(BUNDLED)


def test_compiled_bundled_rulesets_are_cached_by_content(tmp_path, monkeypatch):
    from compliance import ruleset as rmod

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("COMPLIANCE_NO_CACHE", raising=False)
    first = rmod.load_rulesets()
    cached = list((tmp_path / "compliance").glob("rulesets-*.pickle"))
    assert len(cached) == 1
    second = rmod.load_rulesets()
    assert [r.id for rs in second for r in rs.rules] == [r.id for rs in first for r in rs.rules]
    cached[0].write_bytes(b"not a pickle")  # a damaged cache is ignored and rewritten
    third = rmod.load_rulesets()
    assert len(third) == len(first)
    monkeypatch.setenv("COMPLIANCE_NO_CACHE", "1")
    assert rmod._cache_file(rmod.bundled_paths()) is None


def test_cached_rules_judge_like_fresh_ones(tmp_path, monkeypatch):
    from compliance import check
    from compliance import ruleset as rmod

    from conftest import EXAMPLES

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = rmod._load_rulesets(None, rmod.bundled_paths(), True)
    rmod.load_rulesets()  # writes the cache
    cached = rmod.load_rulesets()  # reads it
    path = EXAMPLES / "jizhou-auto-parts.yaml"
    a = [f.to_dict() for f in check(path, rulesets=list(fresh)).findings]
    b = [f.to_dict() for f in check(path, rulesets=list(cached)).findings]
    assert a == b and a
