"""Regressions found by reviewing the fast-evaluation change: each fast path
must keep what the reference path did."""

from __future__ import annotations

import io
import types

import pytest

import compliance
from compliance.api import evaluator
from compliance.report import StreamWriter
from conftest import EXAMPLES

HEAD = """ruleset:
  id: {rid}
  title: {{zh: 副本, en: Copy}}
  issuer: me
  issued: 2018-01-01
  jurisdiction: "120119"
  source: x
  version: "1"
rules:
  - id: {rule}
    title: {{zh: 我的标题, en: MY OWN TITLE}}
    cite: {{clause: "X 1", text: mine}}
    applies_to: coatings
    when: {{field: category, equals: automotive_oem}}
    require: {{field: voc_content, op: "<=", value: 100 g/L}}
    severity: low
{extra}    message: {{zh: "超 {{limit}}", en: "MINE over {{limit}}"}}
"""

RECORD = {"context": {"as_of": "2019-03-01"}, "facility": {"id": "F", "region": "120119"},
          "coatings": [{"id": "C1", "category": "automotive_oem", "voc_content": "610 g/L"}]}


def test_a_rule_id_in_two_rulesets_keeps_its_own_title_and_source(tmp_path):
    """Two rules with one id never meet in a selection (refused: see
    test_hardening2_rulesets.py); an Evaluator built from them directly
    still gives each its own title and source."""
    from compliance.evaluate import Evaluator
    from compliance.normalise import normalise
    from compliance.record import record_from_data

    path = tmp_path / "dup.yaml"
    path.write_text(HEAD.format(rid="my-copy", rule="jizhou-2018/coating-voc/automotive-oem", extra=""), "utf-8")
    with pytest.raises(compliance.RulesetError, match="is the id of a bundled rule"):
        compliance.check(RECORD, rulesets=["cn-tj-jizhou-2018-autumn-winter", str(path)])
    selected = compliance.load_rulesets(["cn-tj-jizhou-2018-autumn-winter"]) + compliance.load_rulesets([str(path)])
    with pytest.raises(compliance.RulesetError, match="is also the id of a rule at"):
        compliance.check(RECORD, rulesets=list(selected))
    findings = Evaluator(selected).findings(normalise(record_from_data(RECORD, "<record>")))
    mine = [f for f in findings if f.ruleset == "my-copy"]
    theirs = [f for f in findings if f.ruleset == "cn-tj-jizhou-2018-autumn-winter"
              and f.rule == "jizhou-2018/coating-voc/automotive-oem"]
    assert mine and theirs
    assert mine[0].title["en"] == "MY OWN TITLE" and mine[0].source["clause"] == "X 1"
    assert theirs[0].title["en"] != "MY OWN TITLE"


def test_until_the_last_date_works_in_every_engine(tmp_path):
    path = tmp_path / "until.yaml"
    path.write_text(HEAD.format(rid="my-until", rule="mine/u", extra="    until: 9999-12-31\n"), "utf-8")
    got = {e: [(f.rule, f.status) for f in compliance.check(RECORD, rulesets=[str(path)], engine=e).findings]
           for e in ("kernel", "direct")}
    assert got["kernel"] == got["direct"] == [("mine/u", "violation")]


def test_changing_a_finding_changes_no_other():
    path = EXAMPLES / "jizhou-auto-parts.yaml"
    first = compliance.check(path).findings
    f = next(x for x in first if x.limit is not None and x.limit.get("source"))
    before = compliance.check(path).to_dict()
    f.limit["unit"] = "EDITED"
    f.limit["source"]["clause"] = "EDITED"
    f.source["clause"] = "EDITED"
    f.title["en"] = "EDITED"
    assert compliance.check(path).to_dict() == before


def test_check_data_takes_any_mapping():
    ev = evaluator(None)
    assert ev.check_data(types.MappingProxyType(RECORD)) == ev.check_data(dict(RECORD))


def test_spooled_json_keeps_the_text_layers_line_ends(tmp_path):
    """Several records, date not known up front: spooled, then written through
    the text layer of an output that translates line ends."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="\r\n")
    reports = compliance.check_many([str(p) for p in sorted(EXAMPLES.glob("*.yaml"))[:3]]).records
    writer = StreamWriter(out, "json", [], None, known_as_of=False)
    for rec in reports:
        writer.record(rec)
    writer.close()
    out.flush()
    data = raw.getvalue()
    assert data.count(b"\n") == data.count(b"\r\n") > 10
