"""Waivers, baselines, the timeline (and its iCalendar file) and diff
(docs/workflow.md)."""

import datetime as dt
import json
import shutil

import pytest

import compliance
from compliance.errors import InputError
from compliance.waivers import load_waivers

from conftest import EXAMPLES, REPO

EXAMPLE = EXAMPLES / "jizhou-auto-parts.yaml"  # as of 2019-03-01
WAIVERS = EXAMPLES / "workflow" / "jizhou-auto-parts.waivers.yaml"
BASELINE = EXAMPLES / "workflow" / "jizhou-auto-parts.baseline.json"
FAC = "91120225MA05EXAMPLE"
OEM = "jizhou-2018/coating-voc/automotive-oem"


def waiver(**kw):
    w = {"id": "W1", "rule": OEM, "facility": FAC, "reason": "r", "approver": "a", "document": "蓟环函〔2019〕1号",
         "expires": "2019-06-30"}
    w.update(kw)
    return {k: v for k, v in w.items() if v is not None}


def by_key(report):
    return {(f.rule, f.entity): f for f in report.findings}


# ------------------------------------------------------------------ waivers


def test_exact_rule_and_entity_is_waived_with_original_status_kept():
    r = compliance.check(EXAMPLE, waivers=[waiver(entity={"type": "coatings", "id": "C1"})])
    f = by_key(r)[(OEM, "coatings[C1]")]
    assert f.status == "waived" and f.waived_status == "violation"
    d = f.to_dict()
    assert d["waiver"] == {"id": "W1", "reason": "r", "approver": "a", "document": "蓟环函〔2019〕1号",
                           "expires": "2019-06-30", "expired": False}
    assert d["waived_status"] == "violation"
    assert r.records[0].summary["waived"] == 1
    assert r.to_dict()["waivers"][0]["state"] == "applied" and r.to_dict()["waivers"][0]["waived"] == 1


def test_glob_pattern_and_entity_type_only():
    r = compliance.check(EXAMPLE, waivers=[waiver(rule="jizhou-2018/boiler-special-limit/coal/*",
                                                  entity={"type": "boilers"})])
    got = {k for k, f in by_key(r).items() if f.status == "waived"}
    assert got == {("jizhou-2018/boiler-special-limit/coal/nox", "boilers[B1]"),
                   ("jizhou-2018/boiler-special-limit/coal/nox", "boilers[B3]"),
                   ("jizhou-2018/boiler-special-limit/coal/pm", "boilers[B1]")}
    # the compliant findings of the same rules are not touched
    assert by_key(r)[("jizhou-2018/boiler-special-limit/coal/pm", "boilers[B3]")].status == "compliant"


def test_other_facility_or_entity_matches_nothing():
    for w in (waiver(facility="OTHER"), waiver(entity={"type": "coatings", "id": "C2"}),
              waiver(entity={"type": "boilers"})):
        r = compliance.check(EXAMPLE, waivers=[w])
        assert by_key(r)[(OEM, "coatings[C1]")].status == "violation"
        assert r.to_dict()["waivers"][0]["state"] == "unmatched"


def test_a_waiver_of_a_compliant_finding_is_unmatched():
    r = compliance.check(EXAMPLE, waivers=[waiver(rule="jizhou-2018/coating-voc/industrial-anticorrosion")])
    assert by_key(r)[("jizhou-2018/coating-voc/industrial-anticorrosion", "coatings[C2]")].status == "compliant"
    assert r.to_dict()["waivers"][0]["state"] == "unmatched"


@pytest.mark.parametrize("as_of, status, expired", [
    ("2019-06-30", "waived", None),      # the expiry day itself is still covered
    ("2019-07-01", "violation", True),   # the day after: the violation stands, with a note
    ("2019-01-31", "violation", None),   # before the grant: not yet covered, nothing attached
])
def test_expiry_and_grant_boundaries(as_of, status, expired):
    r = compliance.check(EXAMPLE, as_of=as_of, waivers=[waiver(granted="2019-02-01")])
    f = by_key(r)[(OEM, "coatings[C1]")]
    assert f.status == status
    if expired:
        assert f.waiver["expired"] is True and f.waived_status is None
        assert any("expired on 2019-06-30" in n["en"] and "2019-06-30 到期" in n["zh"] for n in f.notes)
        assert r.to_dict()["waivers"][0]["state"] == "expired"
    elif status == "violation":
        assert f.waiver is None
        assert r.to_dict()["waivers"][0]["state"] == "unmatched"


def test_a_pending_duty_can_be_waived_and_keeps_its_status_as_waived_status():
    rule = "jizhou-2018/voc-source-online-monitoring"
    r = compliance.check(EXAMPLE, waivers=[waiver(rule=rule, entity={"type": "stacks", "id": "S1"})])
    f = by_key(r)[(rule, "stacks[S1]")]
    assert (f.status, f.waived_status) == ("waived", "pending")
    assert r.records[0].summary["pending"] == 0 and r.records[0].summary["waived"] == 1


def test_first_matching_waiver_applies():
    r = compliance.check(EXAMPLE, waivers=[waiver(id="A", rule="jizhou-2018/coating-voc/*"), waiver(id="B")])
    assert by_key(r)[(OEM, "coatings[C1]")].waiver["id"] == "A"
    states = {w["id"]: w["state"] for w in r.to_dict()["waivers"]}
    assert states == {"A": "applied", "B": "unmatched"}


def test_cli_example_reports_applied_expired_and_unmatched(cli):
    res = cli("check", EXAMPLE, "--waivers", WAIVERS, "--format", "json")
    assert res.exit_code == 1  # the expired waiver's violation and others remain
    data = json.loads(res.output)
    states = {w["id"]: w["state"] for w in data["waivers"]}
    assert states == {"W-2019-001": "applied", "W-2018-014": "expired", "W-2019-002": "unmatched"}
    assert "W-2018-014" in res.stderr and "expired on 2019-01-31" in res.stderr
    assert "W-2019-002 matched no" in res.stderr
    table = cli("check", EXAMPLE, "--waivers", WAIVERS, "--lang", "zh")
    assert "批准偏离" in table.output and "蓟环函〔2019〕7号" in table.output and "已批准偏离 2" in table.output


def test_waived_findings_do_not_fail_the_check_expired_ones_do(cli, tmp_path):
    p = tmp_path / "all.waivers.yaml"
    p.write_text(f"- {{id: ALL, rule: '*', facility: {FAC}, reason: r, approver: a, document: d, "
                 "expires: 2019-03-01}\n", encoding="utf-8")
    assert cli("check", EXAMPLE, "--waivers", p).exit_code == 0
    assert cli("check", EXAMPLE, "--waivers", p, "--as-of", "2019-03-02").exit_code == 1


def test_waivers_and_baseline_in_worker_processes_give_the_same_bytes(cli, tmp_path):
    args = ["check", *sorted(EXAMPLES.glob("*.yaml")), "--waivers", WAIVERS, "--format", "json"]
    one = cli(*args, "--create-baseline", tmp_path / "1.baseline.json")
    two = cli(*args, "--jobs", "2", "--create-baseline", tmp_path / "2.baseline.json")
    assert one.output == two.output and one.exit_code == two.exit_code
    assert json.loads(one.output)["waivers"][0]["waived"] == 2
    assert (tmp_path / "1.baseline.json").read_bytes() == (tmp_path / "2.baseline.json").read_bytes()
    three = cli(*args, "--jobs", "2", "--baseline", tmp_path / "1.baseline.json")
    assert three.exit_code == 0 and json.loads(three.output)["baseline"]["suppressed"] > 20


def test_api_check_many_with_waivers_and_baseline(tmp_path):
    paths = sorted(EXAMPLES.glob("*.yaml"))
    base = tmp_path / "b.baseline.json"
    from compliance.baseline import finding_keys, write_baseline

    first = compliance.check_many(paths)
    versions = {r["id"]: r["version"] for r in first.rulesets}
    write_baseline(str(base), [k for rec in first.records for k in finding_keys(rec, versions)], first.rulesets)
    again = compliance.check_many(paths, waivers=str(WAIVERS), baseline=base)
    assert again.exit_code == 0 and not again.has_violations
    d = again.to_dict()
    assert d["baseline"]["suppressed"] + 2 == d["baseline"]["entries"]  # the two waived findings are not violations
    assert {w["id"]: w["state"] for w in d["waivers"]}["W-2019-001"] == "applied"


@pytest.mark.parametrize("text, where, words", [
    ("- {id: W, rule: r, facility: F, reason: r, approver: a, document: d}\n", ":1:", "expires"),
    ("- id: W\n  rule: r\n  facility: F\n  reason: r\n  approver: a\n  document: d\n  expires: 2019-01-01\n"
     "  expire: 2019-02-01\n", ":8:", "did you mean 'expires'"),
    ("- {id: W, rule: r, facility: F, reason: r, approver: a, document: d, expires: soon}\n", ":1:", "YYYY-MM-DD"),
    ("- {id: W, rule: r, facility: F, reason: r, approver: a, document: d, expires: 2019-01-01,"
     " granted: 2019-02-01}\n", ":1:", "before granted"),
    ("waivers: {id: W}\n", ":1:", "list of waivers"),
    ("- {id: W, rule: r, facility: F, reason: r, approver: a, document: d, expires: 2019-01-01}\n"
     "- {id: W, rule: r, facility: F, reason: r, approver: a, document: d, expires: 2019-01-01}\n", ":2:",
     "also the id"),
])
def test_bad_waiver_file_is_exit_2_with_file_line_field(cli, write, text, where, words):
    p = write(text, "bad.waivers.yaml")
    res = cli("check", EXAMPLE, "--waivers", p)
    assert res.exit_code == 2 and res.output == ""
    assert f"bad.waivers.yaml{where}" in res.stderr and words in res.stderr
    with pytest.raises(InputError):
        load_waivers(str(p))


def test_misspelt_rule_gets_a_warning(cli, write):
    p = write(f"- {{id: W, rule: jizhou-2018/coating-voc/automotive-oen, facility: {FAC}, reason: r, approver: a,"
              " document: d, expires: 2019-12-31}\n", "w.waivers.yaml")
    res = cli("check", EXAMPLE, "--waivers", p)
    assert "matches no rule" in res.stderr and "did you mean 'jizhou-2018/coating-voc/automotive-oem'" in res.stderr


def test_folder_walk_skips_waiver_and_baseline_files(cli):
    res = cli("check", EXAMPLES / "workflow", EXAMPLE, "--format", "json")
    assert [r["source"] for r in json.loads(res.output)["records"]] == [str(EXAMPLE)]


# ----------------------------------------------------------------- baseline


def test_baseline_round_trip(cli, tmp_path):
    base = tmp_path / "b.baseline.json"
    first = cli("check", EXAMPLE, "--create-baseline", base)
    assert first.exit_code == 1 and base.exists()
    data = json.loads(base.read_text(encoding="utf-8"))
    assert data["schema"] == "compliance-baseline/1"
    assert {r["status"] for r in data["findings"]} == {"violation", "manual_review", "pending"}
    again = cli("check", EXAMPLE, "--baseline", base, "--format", "json")
    assert again.exit_code == 0  # every violation is already known
    report = json.loads(again.output)
    assert report["baseline"] == {"file": str(base), "entries": len(data["findings"]),
                                  "suppressed": len(data["findings"]), "new": 0, "resolved": 0}
    assert all(f["status"] in ("compliant", "manual_review") for f in report["records"][0]["findings"])  # items: not failures
    assert "already in the baseline" in again.stderr
    # a month later the pending duty is overdue: a new violation, the one finding shown
    later = cli("check", EXAMPLE, "--baseline", base, "--as-of", "2019-04-01", "--format", "json")
    assert later.exit_code == 1
    shown = [f for f in json.loads(later.output)["records"][0]["findings"] if f["status"] not in ("compliant", "manual_review")]
    assert [(f["rule"], f["status"]) for f in shown] == [("jizhou-2018/voc-source-online-monitoring", "violation")]
    assert json.loads(later.output)["baseline"]["resolved"] == 1  # the pending entry was not seen again


def test_bundled_baseline_example_is_current(cli):
    res = cli("check", EXAMPLE, "--baseline", BASELINE)
    assert res.exit_code == 0 and "0 new" in res.stderr


def test_a_new_ruleset_version_makes_its_findings_new(cli, tmp_path):
    folder = tmp_path / "rulesets"
    shutil.copytree(REPO / "rulesets", folder, ignore=shutil.ignore_patterns("__*"))
    p = folder / "cn-tj-jizhou-2018-autumn-winter.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace('version: "2018-12-05.4"', 'version: "2019-06-01.1"'),
                 encoding="utf-8")
    base = tmp_path / "b.baseline.json"
    cli("check", EXAMPLE, "--ruleset", REPO / "rulesets", "--create-baseline", base)
    res = cli("check", EXAMPLE, "--ruleset", folder, "--baseline", base, "--format", "json")
    shown = {f["ruleset"] for f in json.loads(res.output)["records"][0]["findings"] if f["status"] == "violation"}
    assert shown == {"cn-tj-jizhou-2018-autumn-winter"}  # the other rulesets' known findings stay suppressed
    assert res.exit_code == 1


def test_a_large_baseline_loads_and_a_bad_row_is_located(tmp_path):
    from compliance.baseline import load_baseline, write_baseline

    keys = [("F%05d" % i, "boilers", "B1", "r/x", "rs", "1", "violation") for i in range(20000)]
    p = tmp_path / "big.baseline.json"
    write_baseline(str(p), keys, [{"id": "rs", "version": "1"}])
    assert p.stat().st_size > 1024 * 1024  # above one record's size limit
    assert load_baseline(str(p)) == frozenset(keys)
    small = tmp_path / "small.baseline.json"
    write_baseline(str(small), keys[:3], [{"id": "rs", "version": "1"}])
    small.write_text(small.read_text(encoding="utf-8").replace('"status": "violation"}', '"status": 1}', 1),
                     encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_baseline(str(small))
    assert [(p.line, p.field) for p in exc.value.problems] == [(2, "findings[0]")]


def test_many_unmatched_waivers_are_counted_after_twenty(cli, tmp_path):
    p = tmp_path / "many.waivers.yaml"
    p.write_text("".join(f"- {{id: W{i}, rule: nothing/{i}, facility: {FAC}, reason: r, approver: a, document: d, "
                         "expires: 2030-01-01}\n" for i in range(25)), encoding="utf-8")
    res = cli("check", EXAMPLE, "--waivers", p, "--format", "json")
    assert res.stderr.count("matched no violation") == 20 and "and 5 more waivers" in res.stderr
    assert len(json.loads(res.output)["waivers"]) == 25


def test_fast_json_is_the_reports_json():
    from compliance.cli import main
    import io

    out = io.StringIO()
    main(["check", str(EXAMPLE), "--waivers", str(WAIVERS), "--format", "json", "--as-of", "2019-07-01"], out=out)
    report = compliance.check(str(EXAMPLE), waivers=str(WAIVERS), as_of="2019-07-01")
    assert out.getvalue() == json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    assert {w["id"]: w["state"] for w in report.to_dict()["waivers"]}["W-2019-001"] == "expired"


def test_missing_waiver_file_and_unwritable_baseline_are_exit_2(cli, tmp_path):
    res = cli("check", EXAMPLE, "--waivers", tmp_path / "none.waivers.yaml")
    assert res.exit_code == 2 and "none.waivers.yaml" in res.stderr and res.output == ""
    res = cli("check", EXAMPLE, "--create-baseline", tmp_path / "no" / "b.baseline.json")
    assert res.exit_code == 2 and "cannot write there" in res.stderr and res.output == ""


def test_bad_baseline_is_exit_2(cli, write):
    p = write('{"schema": "other"}\n', "x.baseline.json")
    res = cli("check", EXAMPLE, "--baseline", p)
    assert res.exit_code == 2 and "not a baseline file" in res.stderr and "x.baseline.json" in res.stderr


# ----------------------------------------------------------------- timeline


def test_timeline_lists_deadline_and_end(cli):
    res = cli("timeline", EXAMPLE, "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    got = [(e["date"], e["kind"], e["rule"], e["from"], e["to"]) for e in data["events"]]
    assert got == [("2019-03-31", "deadline", "jizhou-2018/voc-source-online-monitoring", "pending", "violation"),
                   ("2019-04-30", "ends", "jizhou-2018/truck-gate/diesel-truck-log", "compliant", "not_applicable")]
    assert [p["rule"] for p in data["pending"]] == ["jizhou-2018/voc-source-online-monitoring"]
    short = json.loads(cli("timeline", EXAMPLE, "--format", "json", "--until", "2019-04-01").output)
    assert [e["kind"] for e in short["events"]] == ["deadline"]


def test_timeline_from_an_earlier_date_sees_rules_come_into_force(cli):
    data = json.loads(cli("timeline", EXAMPLE, "--from", "2018-09-01", "--until", "2018-12-31",
                          "--format", "json").output)
    kinds = {(e["rule"], e["entity"]["id"]): (e["date"], e["kind"], e["to"]) for e in data["events"]}
    assert kinds[(OEM, "C1")] == ("2018-12-05", "in_force", "pending")  # issued; takes effect 2019-01-01
    assert kinds[("jizhou-2018/boiler-special-limit/coal/nox", "B1")] == ("2018-10-01", "effective", "violation")
    assert all("2018-09-01" < e["date"] <= "2018-12-31" for e in data["events"])


def test_timeline_ics_parses_as_icalendar(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "t.ics"
    res = cli("timeline", EXAMPLE, "--from", "2018-09-01", "--format", "ics", "-o", out, "--lang", "zh")
    assert res.exit_code == 0
    raw = out.read_bytes()
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    assert raw.count(b"BEGIN:VEVENT") == raw.count(b"END:VEVENT") > 10
    icalendar = pytest.importorskip("icalendar", reason="the icalendar package (extra 'test') parses the file")
    cal = icalendar.Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    data = json.loads(cli("timeline", EXAMPLE, "--from", "2018-09-01", "--format", "json").output)
    assert len(events) == len(data["events"]) > 10
    first = events[0]
    assert first.decoded("DTSTART") == dt.date.fromisoformat(data["events"][0]["date"])
    assert str(first["DTSTAMP"].to_ical(), "ascii") == "20231114T221320Z"
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    again = cli("timeline", EXAMPLE, "--from", "2018-09-01", "--format", "ics").output
    assert [str(e["UID"]) for e in icalendar.Calendar.from_ical(again).walk("VEVENT")] == uids  # stable
    oem = next(e for e in events if OEM in str(e["DESCRIPTION"]))
    assert "二（七）20" in str(oem["DESCRIPTION"]) and "580克/升" in str(oem["DESCRIPTION"])  # clause and quote
    assert "，" in str(oem["DESCRIPTION"])


def test_ical_text_escaping_and_folding():
    from compliance.ical import fold, text

    assert text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = fold("DESCRIPTION:" + "汽车" * 40)
    parts = folded.encode("utf-8").split(b"\r\n")
    assert all(len(p) <= 75 for p in parts) and all(p.startswith(b" ") for p in parts[1:-1])
    assert "".join(p.decode("utf-8")[1:] if i else p.decode("utf-8")
                   for i, p in enumerate(parts[:-1])) == "DESCRIPTION:" + "汽车" * 40


def test_timeline_until_before_start_is_a_usage_error(cli):
    assert cli("timeline", EXAMPLE, "--from", "2019-05-01", "--until", "2019-04-01").exit_code == 2


# --------------------------------------------------------------------- diff


def test_diff_between_dates_names_the_rule_date(cli):
    res = cli("diff", EXAMPLE, "--from", "2019-03-01", "--to", "2019-04-01", "--format", "json")
    assert res.exit_code == 0
    changes = json.loads(res.output)["changes"]
    assert [(c["rule"], c["from"]["status"], c["to"]["status"]) for c in changes] == [
        ("jizhou-2018/voc-source-online-monitoring", "pending", "violation")]
    assert changes[0]["why"]["dates"] == [{"field": "deadline", "date": "2019-03-31"}]
    text = cli("diff", EXAMPLE, "--from", "2019-03-01", "--to", "2019-04-01").output
    assert "pending → violation" in text and "deadline 2019-03-31" in text


def test_diff_between_ruleset_versions(cli, tmp_path):
    folder = tmp_path / "rulesets"
    shutil.copytree(REPO / "rulesets", folder, ignore=shutil.ignore_patterns("__*"))
    p = folder / "cn-tj-jizhou-2018-autumn-winter.yaml"
    text = p.read_text(encoding="utf-8")
    assert "require: {field: voc_content, op: \"<=\", value: 580 g/L}" in text
    p.write_text(text.replace('version: "2018-12-05.4"', 'version: "2019-06-01.1"')
                 .replace("require: {field: voc_content, op: \"<=\", value: 580 g/L}",
                          "require: {field: voc_content, op: \"<=\", value: 620 g/L}"), encoding="utf-8")
    res = cli("diff", EXAMPLE, "--ruleset-from", REPO / "rulesets", "--ruleset-to", folder, "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.output)
    assert [(c["rule"], c["entity"]["id"], c["from"]["status"], c["to"]["status"]) for c in data["changes"]] == [
        (OEM, "C1", "violation", "compliant")]
    fields = data["changes"][0]["why"]["fields"]
    assert [f["field"] for f in fields] == ["require"]
    assert "580" in fields[0]["from"]["en"] and "620" in fields[0]["to"]["zh"]
    text = cli("diff", EXAMPLE, "--ruleset-from", REPO / "rulesets", "--ruleset-to", folder, "--lang", "zh").output
    assert "违规 → 合规" in text and "原因: require:" in text and "620" in text
    assert {r["version"] for r in data["to"]["rulesets"] if r["id"] == "cn-tj-jizhou-2018-autumn-winter"} == {
        "2019-06-01.1"}


@pytest.mark.parametrize("args", [(), ("--from", "2019-01-01"), ("--from", "2019-01-01", "--ruleset-to", "x")])
def test_diff_needs_one_kind_of_pair(cli, args):
    res = cli("diff", EXAMPLE, *args)
    assert res.exit_code == 2 and "diff:" in res.stderr
