"""Manual-review items: what a report says the tool did not decide.

The coverage matrices (``docs/coverage/*.md``) and the rulesets'
``manual_review:`` sections must hold the same items, and every report must
list the items that apply to its record (issue #11, section 1).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import compliance
from compliance.normalise import normalise
from compliance.record import load_record
from compliance.report import SUMMARY_KEYS, render_table

from conftest import EXAMPLES

REPO = Path(__file__).resolve().parents[1]
COVERAGE = REPO / "docs" / "coverage"
BUNDLED = compliance.load_rulesets(None)
ITEM_ID = re.compile(r"`?([a-z0-9][a-z0-9.-]*/review/[a-z0-9./_-]+[a-z0-9])`?")
SECTION = "## Manual-review items"


def _matrix(ruleset_id):
    return (COVERAGE / f"{ruleset_id}.md").read_text(encoding="utf-8")


def _table_ids(text):
    """The item ids of a matrix's "Manual-review items" table (first column)."""
    section = text.split(SECTION, 1)[1]
    out = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and ITEM_ID.fullmatch(cells[0]):
            out.append(ITEM_ID.fullmatch(cells[0]).group(1))
    return out


def _needs_data_lines(text):
    """Table lines of a matrix whose category cell is "needs data" (not the
    counts table, whose first cell names the category)."""
    body = text.split(SECTION, 1)[0]
    return [line for line in body.splitlines()
            if line.startswith("|") and "needs data" in [c.strip() for c in line.strip().strip("|").split("|")][1:]]


PLANS = [rs for rs in BUNDLED if (COVERAGE / f"{rs.id}.md").is_file()]


def test_every_plan_has_a_matrix_and_items():
    assert {rs.id for rs in PLANS} == {"cn-tj-jizhou-2018-autumn-winter", "cn-tj-clean-air-2014",
                                      "cn-tj-dongli-2021-2025", "cn-bj-fengtai-2018-2020"}
    assert all(rs.manual_review for rs in PLANS)


@pytest.mark.parametrize("rs", PLANS, ids=lambda rs: rs.id)
def test_matrix_and_ruleset_hold_the_same_items(rs):
    text = _matrix(rs.id)
    assert SECTION in text, f"{rs.id}: the matrix has no {SECTION!r} section"
    listed = _table_ids(text)
    assert len(listed) == len(set(listed)), "an item listed twice"
    items = [i.id for i in rs.manual_review]
    assert set(listed) == set(items), (sorted(set(listed) - set(items)), sorted(set(items) - set(listed)))
    # every id the matrix names anywhere is one of this ruleset's items
    named = set(ITEM_ID.findall(text))
    assert named <= set(items), sorted(named - set(items))


def test_every_item_is_in_a_matrix():
    """Both directions over everything bundled: a standard's gaps are listed
    by the plan that invokes it, so no ruleset holds an item no matrix lists."""
    in_matrices = {i for rs in PLANS for i in _table_ids(_matrix(rs.id))}
    in_rulesets = {i.id for rs in BUNDLED for i in rs.manual_review}
    assert in_matrices == in_rulesets


@pytest.mark.parametrize("rs", PLANS, ids=lambda rs: rs.id)
def test_every_needs_data_line_names_its_item_or_why_none(rs):
    lines = _needs_data_lines(_matrix(rs.id))
    assert lines
    bare = [line[:80] for line in lines if not ITEM_ID.search(line) and "No review item: " not in line]
    assert not bare, bare


@pytest.mark.parametrize("rs", PLANS, ids=lambda rs: rs.id)
def test_the_matrix_row_gives_the_items_clause_and_reason(rs):
    rows = {}
    for line in _matrix(rs.id).split(SECTION, 1)[1].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if ITEM_ID.fullmatch(cells[0]):
            rows[ITEM_ID.fullmatch(cells[0]).group(1)] = cells
    for item in rs.manual_review:
        _, clause, kind, code, _ = rows[item.id]
        assert (clause, kind, code) == (item.cite.clause, item.applies_to, item.review.code), item.id


def _expected(path):
    """(item, entity type, entity id) the record should list, from the
    rulesets alone: the item's ruleset covers the region, the item exists at
    the date, the record holds an entity of its kind and its ``when`` is not
    false (the interpreter's three-valued truth; a section the record lacks
    only where ``when`` is true)."""
    facts = normalise(load_record(path))
    out = set()
    for rs in BUNDLED:
        if not rs.applies_to_region(facts.region.code):
            continue
        for item in rs.manual_review:
            if not item.in_force(facts.as_of):
                continue
            for ent in facts.all_entities():
                if ent.section != item.applies_to:
                    continue
                truth = True if item.when is None else item.when.evaluate(
                    (ent.values, facts.facility.values, facts.context)).value
                if truth is True or (truth is None and not ent.implicit):
                    out.add((item.id, ent.section, ent.id))
    return out


EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_every_example_report_lists_its_items(cli, path):
    r = cli("check", path, "--format", "json")
    report = json.loads(r.output)
    without = cli("check", path, "--format", "json", "--ruleset", "cn-gb13271-2014")  # no plan: no item
    assert all(f["status"] != "manual_review" for rec in json.loads(without.output)["records"] for f in rec["findings"])
    (rec,) = report["records"]
    listed = [f for f in rec["findings"] if f["status"] == "manual_review"]
    assert {(f["rule"], f["entity"]["type"], f["entity"]["id"]) for f in listed} == _expected(path)
    assert rec["summary"]["manual_review"] == len(listed)
    items = {i.id: i for rs in BUNDLED for i in rs.manual_review}
    for f in listed:
        item = items[f["rule"]]
        assert f["reason"] == {"code": item.review.code, "zh": item.review.text.zh, "en": item.review.text.en}
        assert f["source"]["clause"] == item.cite.clause and f["source"]["text"] == item.cite.text
        assert f["observed"] is None and f["limit"] is None and f["severity"] == "info"
        assert item.review.text.en in f["message"]["en"] and item.review.text.zh in f["message"]["zh"]
    # not violations: the exit code is the violations' alone
    assert r.exit_code == (1 if rec["summary"]["violation"] else 0)


def test_the_issues_example_ink_and_adhesive(cli):
    """A proposed Jizhou project with solvent-borne ink at 700 g/L and adhesive
    at 650 g/L: no verdict, but both listed with the clause and its quote."""
    path = EXAMPLES / "jizhou-printing-project.yaml"
    r = cli("check", path, "--format", "json")
    assert r.exit_code == 0
    (rec,) = json.loads(r.output)["records"]
    got = {(f["rule"], f["entity"]["id"]): f for f in rec["findings"] if f["status"] == "manual_review"}
    for eid in ("I1", "A1"):
        f = got[("jizhou-2018/review/ink-adhesive-voc", eid)]
        assert f["source"]["clause"] == "二（七）20；附件第63行"
        assert "油墨、胶粘剂" in f["source"]["text"]
        assert f["reason"]["code"] == "threshold_undefined"
    assert ("jizhou-2018/review/architectural-coating-adhesive-standard", "A1") in got
    assert ("jizhou-2018/review/architectural-coating-adhesive-standard", "I1") not in got
    assert rec["summary"]["violation"] == 0 and rec["summary"]["manual_review"] == len(got)
    table = cli("check", path)
    assert "manual_review" in table.output and "jizhou-2018/review/ink-adhesive-voc" in table.output
    assert f"manual_review {len(got)}" in " ".join(table.output.splitlines()[-2:])  # the summary may wrap
    zh = cli("check", path, "--lang", "zh")
    assert "人工复核" in zh.output and "禁止新改扩建涉高挥发性有机物含量溶剂型涂料" in zh.output


def test_items_sort_after_indeterminate_and_show_without_show_all():
    report = compliance.check(EXAMPLES / "jizhou-printing-project.yaml")
    statuses = [f.status for f in report.records[0].findings]
    assert "manual_review" in statuses and "not_applicable" not in statuses
    assert statuses == sorted(statuses, key=compliance.status.STATUS_ORDER.index)
    assert "manual_review" in SUMMARY_KEYS and "not_applicable" not in SUMMARY_KEYS
    assert not report.has_violations and report.exit_code == 0
    assert "manual_review" in render_table(report)


def test_an_item_of_ones_own_ruleset(tmp_path, cli):
    """The format is open to user rulesets: an item is listed when its when
    is true or unknown, not when it is false."""
    rs = tmp_path / "mine.yaml"
    rs.write_text("""ruleset:
  id: mine
  title: {zh: 我的, en: Mine}
  issuer: x
  issued: 2018-01-01
  jurisdiction: "120119"
  source: mine.txt
manual_review:
  - id: mine/review/ink
    title: {zh: 油墨, en: Ink}
    cite: {clause: "1", text: 油墨}
    applies_to: coatings
    when: {field: solvent_based, equals: true}
    reason: {code: needs_data, zh: 请人工核对, en: check by hand}
    tests:
      - {entity: {category: ink, solvent_based: true}, expect: manual_review}
      - {entity: {category: ink}, expect: manual_review}
      - {entity: {category: ink, solvent_based: false}, expect: not_applicable}
""", encoding="utf-8")
    rec = tmp_path / "r.yaml"
    rec.write_text("facility: {id: F, region: 120119}\ncoatings:\n  - {id: A, solvent_based: true}\n"
                   "  - {id: B}\n  - {id: C, solvent_based: false}\n", encoding="utf-8")
    r = cli("check", rec, "--ruleset", rs, "--format", "json", "--as-of", "2019-01-01")
    assert r.exit_code == 0
    findings = json.loads(r.output)["records"][0]["findings"]
    assert [(f["entity"]["id"], f["status"]) for f in findings] == [("A", "manual_review"), ("B", "manual_review")]
    assert findings[1]["missing"] == ["solvent_based"]  # listed because it may apply
    t = cli("test", rs)
    assert t.exit_code == 0 and "3 passed, 0 failed" in t.output, t.output


def test_explain_an_item(cli):
    r = cli("explain", "jizhou-2018/review/stoker-boiler-special-limit")
    assert r.exit_code == 0
    assert re.search(r"manual review:\s+\(needs_data\)", r.output) and "二（一）3；附件第3行" in r.output
    j = json.loads(cli("explain", "jizhou-2018/review/stoker-boiler-special-limit", "--format", "json").output)
    assert j["reason"]["code"] == "needs_data" and j["severity"] == "info"
