"""Verdict semantics through the public API, on the bundled rules."""

import json
import textwrap

import pytest

import compliance
from compliance import check

from conftest import EXAMPLES, base_record

JIZHOU_EXAMPLE = EXAMPLES / "jizhou-auto-parts.yaml"


def statuses(report):
    return {(f.rule, f.entity): f.status for f in report.findings}


def finding(report, rule):
    """The one finding of ``rule`` (other bundled rules may also apply to the record)."""
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == 1, (rule, [(f.rule, f.entity, f.status) for f in report.findings])
    return found[0]


def test_example_reports_every_violation_with_reasons():
    report = check(JIZHOU_EXAMPLE)
    violations = [f for f in report.findings if f.status == "violation"]
    rules = {f.rule for f in violations}
    # several violations in one record: one finding per (rule, entity)
    assert {
        "jizhou-2018/coating-voc/automotive-oem",
        "jizhou-2018/coal-boiler-below-35th",
        "jizhou-2018/boiler-special-limit/coal/pm",
        "jizhou-2018/construction-dust/six-100-percent",
        "jizhou-2018/yuyang-biomass-briquette-ban",
    } <= rules
    assert len(violations) == len({(f.rule, f.entity) for f in violations})
    oem = next(f for f in violations if f.rule.endswith("automotive-oem"))
    assert oem.observed == {"value": 610, "unit": "g/L"}
    assert oem.limit == {"op": "<=", "value": 580, "unit": "g/L"}
    assert oem.source["document"] == "001_7637b8c990200eef.txt"
    assert "580克/升" in oem.source["text"]
    assert oem.effective_from == "2019-01-01"
    assert report.exit_code == 1


def test_observed_is_in_the_limit_unit_and_message_says_what_was_converted():
    report = check(base_record(coatings=[{"id": "C", "category": "industrial_anticorrosion", "voc_content": "4.6 lb/gal"}]))
    f = finding(report, "jizhou-2018/coating-voc/industrial-anticorrosion")
    assert f.status == "violation"
    assert f.observed == {"value": 551.202, "unit": "g/L"}
    assert "converted from 4.6 lb/gal" in f.message["en"]
    assert "由 4.6 lb/gal 换算" in f.message["zh"]


def test_boiler_capacity_in_mw_is_compared_in_steam_tons():
    rec = base_record(boilers=[{"id": "B", "fuel": "coal", "capacity": "14 MW", "status": "operating"}])
    f = [f for f in check(rec).findings if f.rule == "jizhou-2018/coal-boiler-below-35th"][0]
    assert f.status == "violation"
    assert "capacity 20 t/h" in f.message["en"]


def test_oxygen_correction():
    rec = base_record(boilers=[{"id": "B", "fuel": "coal", "use": "industrial", "capacity": "20 t/h",
                                "emissions": {"pm": "28 mg/m^3", "o2": "12 %"}}])
    f = [f for f in check(rec).findings if f.rule.endswith("coal/pm")][0]
    # 28 × (21 − 9) / (21 − 12) = 37.33
    assert f.status == "violation"
    assert f.observed["value"] == pytest.approx(37.3333, rel=1e-5)
    assert f.limit["oxygen_reference"]["value"] == 9 and f.limit["oxygen_reference"]["unit"] == "%"
    assert f.limit["oxygen_reference"]["source"]["document"] == "GB 13271-2014"
    assert "corrected to the reference 9 % O2" in f.message["en"]
    same_at_reference = base_record(boilers=[{"id": "B", "fuel": "coal", "use": "industrial", "capacity": "20 t/h",
                                              "emissions": {"pm": "30 mg/m^3", "o2": "9 %"}}])
    assert [f.status for f in check(same_at_reference).findings if f.rule.endswith("coal/pm")] == ["compliant"]


@pytest.mark.parametrize("as_of, status", [("2018-12-31", "pending"), ("2019-01-01", "violation")])
def test_effective_from(as_of, status):
    rec = base_record(coatings=[{"id": "C", "category": "automotive_oem", "voc_content": "610 g/L"}])
    f = finding(check(rec, as_of=as_of), "jizhou-2018/coating-voc/automotive-oem")
    assert f.status == status
    if status == "pending":
        assert "applies from 2019-01-01" in f.message["en"]


@pytest.mark.parametrize("as_of, status", [("2018-12-10", "pending"), ("2018-12-31", "pending"), ("2019-01-01", "violation")])
def test_deadline(as_of, status):
    rec = base_record(boilers=[{"id": "B", "fuel": "coal", "capacity": "10 t/h"}])
    f = [f for f in check(rec, as_of=as_of).findings if f.rule.endswith("below-35th")][0]
    assert f.status == status
    assert f.deadline == "2018-12-31"


def test_before_the_plan_exists_nothing_applies():
    rec = base_record(boilers=[{"id": "B", "fuel": "coal", "capacity": "10 t/h"}])
    assert [f for f in check(rec, as_of="2018-06-01").findings if f.rule.endswith("below-35th")] == []


@pytest.mark.parametrize("region", ["110106", "120110", "北京市丰台区"])
def test_jurisdiction_isolation(region):
    rec = base_record(coatings=[{"id": "C", "category": "automotive_oem", "voc_content": "610 g/L"}],
                      boilers=[{"id": "B", "fuel": "coal", "capacity": "10 t/h"}])
    rec["facility"]["region"] = region
    report = check(rec)
    assert not [f for f in report.findings if f.ruleset == "cn-tj-jizhou-2018-autumn-winter"]


def test_missing_data_is_indeterminate_and_named():
    rec = base_record(coatings=[{"id": "C", "category": "automotive_oem"}])
    f = finding(check(rec), "jizhou-2018/coating-voc/automotive-oem")
    assert f.status == "indeterminate"
    assert f.missing == ("voc_content",)
    assert f.observed is None and f.limit["value"] == 580
    assert "voc_content" in f.message["en"]


def test_unknown_applicability_is_indeterminate_not_compliant():
    rec = base_record(boilers=[{"id": "B", "fuel": "coal", "status": "shutdown"}])
    f = [f for f in check(rec).findings if f.rule.endswith("below-35th")][0]
    assert f.status == "indeterminate" and f.missing == ("capacity",)


def test_exemption():
    rec = base_record(vehicles=[{"id": "V", "kind": "heavy_truck", "emission_stage": "国五", "alert_purpose": "port"}])
    rec["facility"]["key_vehicle_user"] = True
    ban = "jizhou-2018/alert-heavy-truck-ban"
    assert finding(check(rec, alert="orange"), ban).status == "exempt"
    assert finding(check(rec, alert="orange"), ban).exemption["en"].startswith("China-5")
    assert [f for f in check(rec, alert="yellow").findings if f.rule == ban] == []
    rec["vehicles"][0]["emission_stage"] = "国四"
    assert finding(check(rec, alert="red"), ban).status == "violation"


def write_ruleset(tmp_path, rules_yaml, name="custom.yaml", jurisdiction="120119"):
    text = textwrap.dedent(f"""\
        ruleset:
          id: test-custom
          title: {{zh: 测试, en: Test}}
          issuer: 测试
          issued: 2018-01-01
          jurisdiction: "{jurisdiction}"
          source: test.txt
        rules:
        """) + textwrap.indent(textwrap.dedent(rules_yaml), "  ")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


RULE = """\
- id: test/{id}
  title: {{zh: 测试规则, en: Test rule}}
  cite: {{clause: "1", text: 测试。}}
  applies_to: {applies_to}
  {body}
  severity: low
  message: {{zh: 违规, en: broken}}
"""


def one_rule(tmp_path, applies_to, body, **kw):
    return write_ruleset(tmp_path, RULE.format(id="r", applies_to=applies_to, body=body.replace("\n", "\n  ")), **kw)


def test_ambiguous_stage_is_indeterminate_where_6a_and_6b_differ(tmp_path):
    rs = one_rule(tmp_path, "vehicles", 'require: {field: emission_stage, op: ">=", value: 6b}')
    for stage, status in [("6", "indeterminate"), ("国六", "indeterminate"), ("6b", "compliant"),
                          ("国VI(A)", "violation"), ("5", "violation")]:
        f = check(base_record(vehicles=[{"id": "V", "emission_stage": stage}]), rulesets=[rs]).findings[0]
        assert f.status == status, stage
        if status == "indeterminate":
            assert f.missing == (f"emission_stage={'6'}",)
    rs5 = write_ruleset(tmp_path, RULE.format(id="r5", applies_to="vehicles",
                                              body='require: {field: emission_stage, op: ">=", value: "5"}'), name="b.yaml")
    assert check(base_record(vehicles=[{"id": "V", "emission_stage": "6"}]), rulesets=[rs5]).findings[0].status == "compliant"


def test_until_ends_a_rule(tmp_path):
    rs = one_rule(tmp_path, "boilers", "require: {field: bag_filter, equals: true}\nuntil: 2019-12-31")
    rec = base_record(boilers=[{"id": "B", "bag_filter": False}])
    assert check(rec, rulesets=[rs], as_of="2019-12-31").findings[0].status == "violation"
    assert check(rec, rulesets=[rs], as_of="2020-01-01").findings == ()


def test_a_plan_period_end_does_not_end_a_rule():
    rec = base_record(coatings=[{"id": "C", "category": "wood", "voc_content": "700 g/L"}])
    assert finding(check(rec, as_of="2026-11-23"), "jizhou-2018/coating-voc/wood").status == "violation"


def test_national_ruleset_applies_to_districts(tmp_path):
    rs = one_rule(tmp_path, "boilers", "require: {field: bag_filter, equals: true}", jurisdiction="CN")
    for region in ("120119", "110106", "120000"):
        rec = base_record(boilers=[{"id": "B", "bag_filter": False}])
        rec["facility"]["region"] = region
        assert check(rec, rulesets=[rs]).findings[0].status == "violation"


def test_conditional_duty_and_or_branches(tmp_path):
    rec = base_record(stacks=[{"id": "S", "voc_emission_rate": "3 kg/h", "air_flow": "70000 m^3/h",
                               "online_monitoring": False}])
    fs = [f for f in check(rec, as_of="2019-04-01").findings if f.rule == "jizhou-2018/voc-source-online-monitoring"]
    assert len(fs) == 1 and fs[0].status == "violation"
    assert "voc_emission_rate 3 kg/h" in fs[0].message["en"]


def test_coverage_names_the_lowest_measure():
    rec = base_record(construction_sites=[{"id": "W", "dust_measures": {
        "perimeter_hoarding": True, "material_covering": "80 %", "wet_earthwork": True,
        "road_hardening": True, "vehicle_washing": True, "enclosed_transport": 0.9}}])
    six = "jizhou-2018/construction-dust/six-100-percent"
    f = finding(check(rec), six)
    assert f.status == "violation"
    assert f.observed == {"value": 80, "unit": "%"} and f.limit["value"] == 100
    assert "dust_measures.material_covering 80 %, dust_measures.enclosed_transport 90 %" in f.message["en"]
    rec["construction_sites"][0]["dust_measures"]["material_covering"] = "95 %"
    assert finding(check(rec), six).observed == {"value": 90, "unit": "%"}  # the worst one
    del rec["construction_sites"][0]["dust_measures"]["road_hardening"]
    assert finding(check(rec), six).missing == ("dust_measures.road_hardening",)


def test_report_json_matches_the_spec_shape():
    data = check(JIZHOU_EXAMPLE).to_dict()
    assert data["schema"] == "report/1" and data["as_of"] == "2019-03-01"
    assert {"id", "version"} == set(data["rulesets"][0])
    rec = data["records"][0]
    assert {"source", "facility", "as_of", "findings", "summary"} <= set(rec)
    # the spec's five counts, in its order, then the extension (docs/report-format.md)
    assert list(rec["summary"])[:5] == ["violation", "compliant", "indeterminate", "pending", "exempt"]
    from compliance.report import SUMMARY_KEYS
    assert list(rec["summary"]) == list(SUMMARY_KEYS) and "manual_review" in SUMMARY_KEYS
    required = {"rule", "ruleset", "status", "entity", "observed", "limit", "severity", "message",
                "source", "effective_from", "deadline"}
    for f in rec["findings"]:
        assert required <= set(f)
        assert set(f["entity"]) == {"type", "id"}
        assert set(f["message"]) == {"zh", "en"}
        assert {"document", "clause", "text"} <= set(f["source"])
    order = ["violation", "indeterminate", "manual_review", "pending", "exempt", "compliant"]
    keys = [(order.index(f["status"]), f["rule"], f["entity"]["type"], f["entity"]["id"]) for f in rec["findings"]]
    assert keys == sorted(keys)


def test_deterministic_output_and_list_order_independence():
    import yaml

    a = json.dumps(check(JIZHOU_EXAMPLE).to_dict(), ensure_ascii=False)
    b = json.dumps(check(JIZHOU_EXAMPLE).to_dict(), ensure_ascii=False)
    assert a == b
    data = yaml.safe_load(JIZHOU_EXAMPLE.read_text(encoding="utf-8"))
    for key in ("boilers", "coatings", "vehicles"):
        data[key] = list(reversed(data[key]))
    strip = lambda r: [{k: v for k, v in f.to_dict().items() if k != "line"} for f in r.findings]
    assert strip(check(data)) == strip(check(JIZHOU_EXAMPLE))


def test_show_all_lists_not_applicable():
    rec = base_record(coatings=[{"id": "C", "category": "wood", "voc_content": "100 g/L"}])
    plain = check(rec)
    full = check(rec, show_all=True)
    assert len(full.findings) > len(plain.findings)
    coating = {f.status for f in full.findings if f.rule.startswith("jizhou-2018/coating-voc/")}
    assert coating == {"compliant", "not_applicable"}
    assert not [f for f in plain.findings if f.status == "not_applicable"]
    assert "not_applicable" not in full.records[0].summary


def test_check_many_keeps_going_after_a_bad_record(write):
    bad = write("facility: {id: F}\n", name="bad.yaml")
    report = compliance.check_many([bad, JIZHOU_EXAMPLE])
    assert len(report.records) == 1 and report.errors[0].file.endswith("bad.yaml")
    assert report.exit_code == 2
    assert report.to_dict()["errors"][0]["field"] == "facility.region"


def test_cross_dimension_conversion_is_explained(tmp_path):
    rs = one_rule(tmp_path, "boilers", 'require: {field: capacity, op: "<", value: 10 t/h}')
    f = finding(check(base_record(boilers=[{"id": "B", "capacity": "14 MW"}]), rulesets=[rs]), "test/r")
    assert f.status == "violation"
    assert f.observed == {"value": 20, "unit": "t/h"} and f.limit["value"] == 10
    assert "converted from 14 MW to t/h at 1 t/h ≡ 0.7 MW" in f.message["en"]
