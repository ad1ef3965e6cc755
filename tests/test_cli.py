"""The command line, driven in-process: exit codes, output, errors."""

import json

import pytest

from conftest import EXAMPLES

EXAMPLE = EXAMPLES / "jizhou-auto-parts.yaml"


def test_check_table_exits_1_with_violations(cli):
    r = cli("check", EXAMPLE)
    assert r.exit_code == 1
    assert "violation" in r.output and "coatings[C1]" in r.output
    assert "580 g/L" in r.output and "二（七）20" in r.output and "汽车原厂涂料" in r.output
    assert r.stderr == ""


def test_table_fits_80_columns_with_cjk(cli):
    from compliance.table import display_width

    r = cli("check", EXAMPLE, "--lang", "zh")  # not a terminal: 80 columns
    assert max(display_width(line) for line in r.output.splitlines()) <= 80
    assert "违规" in r.output
    r = cli("check", EXAMPLE, "--lang", "zh", "--width", "130")  # wide enough for the grid
    widths = [display_width(line) for line in r.output.splitlines() if line.startswith(("│", "┌", "├", "└"))]
    assert widths and max(widths) <= 130
    assert len(set(widths)) == 1  # every row of the table has the same display width: CJK aligned


def test_check_json_is_the_report(cli):
    r = cli("check", EXAMPLE, "--format", "json")
    data = json.loads(r.output)
    assert data["schema"] == "report/1"
    assert data["records"][0]["summary"]["violation"] >= 5
    assert r.exit_code == 1


def test_exit_0_without_violations(cli, write):
    p = write("facility: {id: F, region: 120119}\ncoatings:\n  - {id: C, category: wood, voc_content: 100 g/L}\n")
    r = cli("check", p, "--as-of", "2019-03-01")
    assert r.exit_code == 0 and "compliant" in r.output


def test_as_of_and_alert_options(cli):
    r = cli("check", EXAMPLE, "--format", "json", "--as-of", "2018-12-20", "--alert", "red")
    data = json.loads(r.output)
    rec = data["records"][0]
    assert rec["as_of"] == "2018-12-20" and rec["alert"] == "red"
    statuses = {(f["rule"], f["entity"]["id"]): f["status"] for f in rec["findings"]}
    assert statuses[("jizhou-2018/coating-voc/automotive-oem", "C1")] == "pending"
    assert statuses[("jizhou-2018/alert-heavy-truck-ban", "津A12345")] == "violation"


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("facility: {id: F, region: 120119}\nboiler:\n  - {id: B1}\n", ":2:1: [error] boiler: unknown top-level key (did you mean 'boilers'?)"),
        ("facility: {id: F, region: 120119}\ncoatings:\n  - {id: C1, voc_content: 610 kg}\n", ":3:"),
        ("facility: [", "YAML syntax error"),
    ],
)
def test_bad_input_exit_2_with_location_no_traceback(cli, write, text, fragment):
    r = cli("check", write(text))
    assert r.exit_code == 2
    assert fragment in r.stderr
    assert "Traceback" not in r.stderr + r.output


def test_missing_file_and_bad_options(cli):
    r = cli("check", "no/such.yaml")
    assert r.exit_code == 2 and "no such file" in r.stderr
    r = cli("check", EXAMPLE, "--as-of", "2019-02-30")
    assert r.exit_code == 2 and "bad date" in r.stderr
    r = cli("check", EXAMPLE, "--ruleset", "no-such-ruleset")
    assert r.exit_code == 2 and "no ruleset" in r.stderr
    assert cli().exit_code == 2


def test_batch_reports_good_records_and_fails_with_2(cli, write):
    bad = write("facility: {id: F}\n", name="bad.yaml")
    r = cli("check", bad, EXAMPLE, "--format", "json")
    data = json.loads(r.output)
    assert r.exit_code == 2
    assert len(data["records"]) == 1 and data["errors"][0]["file"].endswith("bad.yaml")
    assert "facility.region" in r.stderr


def test_rules_lists_rules_in_force_for_a_region(cli):
    r = cli("rules", "--region", "120119", "--at", "2019-03-01", "--format", "json")
    rules = json.loads(r.output)
    by_set = {x["ruleset"] for x in rules}
    assert "cn-tj-jizhou-2018-autumn-winter" in by_set
    # Jizhou, Tianjin-wide and national rules; nothing from Dongli or Fengtai
    assert not by_set & {"cn-tj-dongli-2021-2025", "cn-bj-fengtai-2018-2020"}
    from compliance import load_rulesets

    jur = {rs.id: rs.jurisdiction for rs in load_rulesets()}
    assert {jur[s] for s in by_set} <= {"120119", "120000", "CN"}
    ids = {x["id"] for x in rules}
    assert "jizhou-2018/coating-voc/automotive-oem" in ids
    early = {x["id"] for x in json.loads(cli("rules", "--region", "120119", "--at", "2018-12-10", "--format", "json").output)}
    assert "jizhou-2018/coating-voc/automotive-oem" not in early  # from 2019-01-01
    assert "jizhou-2018/coal-boiler-below-35th" in early  # a duty with a deadline is in force
    fengtai = json.loads(cli("rules", "--region", "110106", "--format", "json").output)
    assert not [x for x in fengtai if x["ruleset"].startswith("cn-tj-")]
    assert cli("rules", "--region", "atlantis").exit_code == 2


def test_explain(cli):
    r = cli("explain", "jizhou-2018/boiler-special-limit/coal/pm")
    assert r.exit_code == 0
    assert "30 mg/m^3" in r.output and "GB 13271-2014" in r.output and "9 % O2" in r.output
    assert "自2018年10月1日起" in r.output
    r = cli("explain", "jizhou-2018/coating-voc/automotive-oem", "--format", "json")
    assert json.loads(r.output)["effective_from"] == "2019-01-01"
    r = cli("explain", "jizhou-2018/coating-voc/automotive")
    assert r.exit_code == 2 and "did you mean" in r.stderr


def test_test_command(cli):
    r = cli("test")
    assert r.exit_code == 0
    assert " 0 failed" in r.output


def test_test_command_fails_on_a_wrong_expectation(cli, tmp_path):
    from test_semantics import write_ruleset, RULE

    body = "require: {field: bag_filter, equals: true}\ntests:\n  - {entity: {bag_filter: true}, expect: violation}"
    rs = write_ruleset(tmp_path, RULE.format(id="r", applies_to="boilers", body=body.replace("\n", "\n  ")))
    r = cli("test", rs)
    assert r.exit_code == 1
    assert "expected violation, got compliant" in r.output
