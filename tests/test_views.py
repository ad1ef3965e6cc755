"""The views of a finding's optional data: ``details`` as labelled lines
(table, Markdown, HTML; compliance.details_view), the columns of
``reason``, ``waiver`` and ``details`` in csv / xlsx / parquet, and the
manual-review items in ``compliance rules``."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from compliance.details_view import brief_lines, detail_lines
from compliance.table import display_width
from compliance.writers import COLUMNS
from conftest import EXAMPLES

CEMS = EXAMPLES / "cems" / "jizhou-cems-heating.yaml"
AUTO_PARTS = EXAMPLES / "jizhou-auto-parts.yaml"
WAIVERS = EXAMPLES / "workflow" / "jizhou-auto-parts.waivers.yaml"


@pytest.fixture(scope="module")
def cems_report():
    from compliance.cli import main

    out = io.StringIO()
    main(["check", str(CEMS), "--format", "json"], out=out)
    return json.loads(out.getvalue())


def _finding(report, rule):
    return next(f for r in report["records"] for f in r["findings"] if f["rule"] == rule and "details" in f)


PM = "jizhou-2018/boiler-special-limit/coal/pm"
RATE = "jizhou-2018/stack-over-45m/data-transmission"


def test_cems_details_as_labelled_lines_in_english(cems_report):
    f = _finding(cems_report, PM)
    lines = dict(detail_lines(f["details"], "en", "mg/m³"))
    assert lines["period"] == "2019-01-01T00:00 – 2019-02-01T00:00"
    assert lines["valid / expected hours"] == "708 / 738 h (transmitted 714 h, period 744 h)"
    assert lines["invalid hours"] == "30 h (4.07 %)"  # 0.04065: half up from its decimal text
    assert lines["rates"] == "transmission 96.74 %, validity 99.15 %, effective 95.93 %"  # rates rounded down
    assert lines["flagged minutes"] == "870 of 43200 (2.01 %)"
    assert lines["exceedance hours"] == "2"
    assert lines["exceedance hours per month"] == "2019-01: 2"
    assert lines["exceedance hours per day"] == "2019-01-22: 2"
    assert lines["worst hour"] == ("2019-01-22T20:00, corrected 42.9716 mg/m³, limit ≤ 30 mg/m³, reference O2 9 %, "
                                   "measured 38.1015 mg/m³ at 10.36 % O2")
    assert lines["about the observed value"].startswith("the observed value is the highest valid corrected")
    assert "limit" not in lines and "operator" not in lines and "reference_o2" not in lines  # with the worst hour


def test_cems_details_as_labelled_lines_in_chinese(cems_report):
    f = _finding(cems_report, PM)
    lines = dict(detail_lines(f["details"], "zh", "mg/m³"))
    assert lines["时段"] == "2019-01-01T00:00 – 2019-02-01T00:00"
    assert lines["有效/应有小时"] == "708 / 738 h（传输 714 h，时段共 744 h）"
    assert lines["无效小时"] == "30 h（4.07 %）"
    assert lines["比率"] == "传输率 96.74 %，有效率 99.15 %，传输有效率 95.93 %"
    assert lines["超标小时（按日）"] == "2019-01-22: 2"
    assert lines["最高小时"] == "2019-01-22T20:00 折算值 42.9716 mg/m³，限值 ≤ 30 mg/m³，基准含氧量 9%，实测 38.1015 mg/m³（含氧量 10.36%）"
    assert lines["观测值说明"].startswith("观测值为CEMS有效小时折算浓度的最大值")


def test_stack_rate_details_per_pollutant(cems_report):
    f = next(f for r in cems_report["records"] for f in r["findings"]
             if f["rule"] == RATE and f["status"] == "violation")
    lines = dict(detail_lines(f["details"], "en"))
    assert lines["effective transmission rate"] == "88.5752 %"
    assert lines["nox valid / expected hours"] == ("659 / 744 h (transmitted 720 h), transmission 96.77 %, "
                                                   "validity 91.52 %, effective 88.57 %")  # 0.885753: not 88.58
    assert brief_lines(f["details"], "en") == []


def test_unknown_keys_still_show():
    lines = detail_lines({"hours": {"valid": 3, "expected": 4, "odd": [1, 2]}, "samples": 12,
                          "lab": {"name": "X", "accredited": True}, "note": {"zh": "中文", "en": "English"}}, "en")
    assert ("samples", "12") in lines
    assert ("lab", "name X, accredited true") in lines
    assert ("note", "English") in lines
    assert ("hours.odd", "1, 2") in lines
    assert detail_lines({"worst_hour": None}, "en") == [("worst hour", "none")]
    assert detail_lines(None, "en") == []


def test_brief_lines_name_days_and_say_how_many_more():
    d = {"exceedance_hours": {"total": 9, "per_day": {f"2019-01-0{i}": 1 for i in range(1, 6)}},
         "hours": {"invalid": 3, "invalid_share": 0.5}}
    assert brief_lines(d, "en") == ["exceedance hours 9 (2019-01-01: 1, 2019-01-02: 1, 2019-01-03: 1, 2 more days)",
                                    "invalid hours 3 h (50.00 %)"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_table_shows_the_brief_lines_within_the_width(cli, lang, width):
    r = cli("check", CEMS, "--lang", lang, "--width", width)
    lines = r.output.splitlines()
    # within the width, except an id wider than the line, which stands whole on its own line
    assert all(display_width(x) <= width or " " not in x.strip() for x in lines)
    text = "\n".join(lines)
    exceed = "超标小时" if lang == "zh" else "exceedance hours"
    invalid = "无效小时" if lang == "zh" else "invalid hours"
    assert text.count(exceed) >= 5 and text.count(invalid) >= 6  # 3 violations and 3 compliant boiler findings
    for token in ("2019-01-22T20:00", "2019-01-14T12:00", "2019-01-27T20:00", "42.9716", "2019-01-22:"):
        assert token in text.replace("│", " ").split() or any(token in w for w in text.split()), token
    # ids never split: each rule id whole on a line
    for rule in (PM, "jizhou-2018/boiler-special-limit/gas/nox"):
        assert rule in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_and_markdown_show_labels_not_json(cli, tmp_path, lang):
    html = tmp_path / "r.html"
    assert cli("check", CEMS, "--format", "html", "--lang", lang, "-o", html).exit_code == 1
    page = html.read_text(encoding="utf-8")
    labels = ("最高小时", "超标小时（按日）", "有效/应有小时") if lang == "zh" else (
        "worst hour", "exceedance hours per day", "valid / expected hours")
    assert '<table class="details">' in page
    for label in labels:
        assert f"<th>{label}</th>" in page
    assert not re.search(r"\{&#34;|\{\"|&#34;hours&#34;|per_day", page)  # no raw JSON of details
    md = cli("check", CEMS, "--format", "markdown", "--lang", lang).output
    for label in labels:
        assert f"<br>{label}: " in md
    assert "per\\_day" not in md and '{"' not in md


def _read_csv(text):
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def _check_extension_rows(rows):
    """rows: dicts over COLUMNS of the CEMS record and the waived record."""
    pm = next(r for r in rows if r["rule"] == PM)
    assert json.loads(pm["details"])["exceedance_hours"]["per_day"] == {"2019-01-22": 2}
    assert " " not in pm["details"].split('"derived"')[0]  # compact JSON text
    manual = [r for r in rows if r["status"] == "manual_review"]
    assert manual and all(r["reason_code"] and r["reason"] for r in manual)
    waived = [r for r in rows if r["status"] == "waived"]
    assert waived and all(r["waiver_id"] == "W-2019-001" and r["waived_status"] == "violation" for r in waived)
    plain = [r for r in rows if r["status"] == "compliant" and not r["details"]]
    assert plain and all(r["reason_code"] is None and r["waiver_id"] is None for r in plain)


def _args():
    return [CEMS, AUTO_PARTS, "--waivers", WAIVERS, "--as-of", "2019-03-01"]


def test_csv_has_the_extension_columns(cli):
    r = cli("check", *_args(), "--format", "csv")
    rows = [{k: (v if v != "" else None) for k, v in row.items()} for row in _read_csv(r.output)]
    assert tuple(rows[0]) == COLUMNS and COLUMNS[-5:] == ("reason_code", "reason", "waiver_id", "waived_status",
                                                          "details")
    _check_extension_rows(rows)
    zh = _read_csv(cli("check", *_args(), "--format", "csv", "--lang", "zh").output)
    assert any(re.search(r"[\u4e00-\u9fff]", r["reason"]) for r in zh if r["status"] == "manual_review")


def test_parquet_has_the_extension_columns(cli, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "f.parquet"
    cli("check", *_args(), "--format", "parquet", "-o", out)
    table = pq.read_table(out)
    assert table.schema.names == list(COLUMNS)
    _check_extension_rows(table.to_pylist())


def test_xlsx_has_the_extension_columns(cli, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "f.xlsx"
    cli("check", *_args(), "--format", "xlsx", "-o", out)
    head, *rows = list(openpyxl.load_workbook(out, read_only=True)["findings"].iter_rows(values_only=True))
    assert head == COLUMNS
    # a write-only sheet has no dimension: a row read back ends at its last non-empty cell
    _check_extension_rows([dict(zip(COLUMNS, r + (None,) * (len(COLUMNS) - len(r)))) for r in rows])


# --------------------------------------------------------------- compliance rules: manual-review items

def _items():
    from compliance import load_rulesets

    return {r.id: r.review.code for rs in load_rulesets() for r in rs.manual_review}


def test_rules_json_lists_the_manual_review_items(cli):
    listed = json.loads(cli("rules", "--format", "json").output)
    items = {x["id"]: x for x in listed if x.get("manual_review")}
    assert items and {i: x["reason"]["code"] for i, x in items.items()} == _items()
    assert not [x for x in listed if "reason" in x and not x.get("manual_review")]
    jizhou = json.loads(cli("rules", "--region", "120119", "--at", "2019-03-01", "--format", "json").output)
    assert "jizhou-2018/review/stoker-boiler-special-limit" in {x["id"] for x in jizhou if x.get("manual_review")}
    early = json.loads(cli("rules", "--region", "120119", "--at", "2018-09-01", "--format", "json").output)
    assert "jizhou-2018/review/stoker-boiler-special-limit" not in {x["id"] for x in early}  # from 2018-10-01


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [60, 80, 160])
def test_rules_table_lists_the_items_with_their_reason_within_the_width(cli, lang, width):
    lines = cli("rules", "--lang", lang, "--width", width).output.splitlines()
    head = "人工复核项" if lang == "zh" else "manual-review items"
    start = next(i for i, line in enumerate(lines) if line.startswith(head))
    below = lines[start:]
    assert all(display_width(x) <= width or " " not in x.strip() for x in lines)
    items = _items()
    for item, code in items.items():
        at = next(i for i, line in enumerate(below) if re.search(rf"(^|\s){re.escape(item)}(\s|$)", line))
        assert code in below[at] or code in below[at + 1], (item, code)  # on its row, or under its id
    assert (f"共 {len(items)} 项人工复核" if lang == "zh" else f"{len(items)} manual-review items") in below


def test_explain_a_manual_review_item(cli):
    r = cli("explain", "fengtai-2018/review/vehicle-urea-quality", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output)["reason"]["code"] == "needs_data"
