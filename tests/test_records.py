"""Loading and normalising facility records (spec: facility-record.md)."""

import datetime as dt

import pytest

from compliance.errors import InputError
from compliance.normalise import NEVER, normalise
from compliance.record import load_record, record_from_data

from conftest import EXAMPLES, base_record


def facts_of(data):
    return normalise(record_from_data(data))


def one(data, section):
    return [e for e in facts_of(data).entities if e.section == section][0]


def test_spec_example_is_accepted(write):
    text = """
context: {as_of: 2019-03-01}
facility:
  id: 91120225MA05EXAMPLE
  name: 蓟州示例汽车零部件有限公司
  region: 120119
  industries: [automotive_manufacturing, industrial_coating]
boilers:
  - {id: B1, fuel: coal, capacity: 20 蒸吨/时, use: industrial}
  - {id: B2, fuel: gas, capacity: 2.8 MW, use: heating}
coatings:
  - {id: C1, category: automotive_oem, voc_content: 610 g/L}
  - {id: C2, category: industrial_anticorrosion, voc_content: "4.4 lb/gal"}
stacks:
  - {id: S1, height: 50 m, online_monitoring: false}
"""
    facts = normalise(load_record(write(text)))
    assert facts.region.code == "120119"
    assert facts.as_of == dt.date(2019, 3, 1)
    b1 = facts.entities[0]
    assert b1.ref == "boilers[B1]" and b1.values["capacity"] == 14.0  # MW
    assert b1.written["capacity"].unit == "蒸吨/时"
    assert b1.line == 9


@pytest.mark.parametrize(
    "written, label, lo, hi",
    [
        ("国三", "3", 3, 3), ("国III", "3", 3, 3), ("国3", "3", 3, 3), ("China 3", "3", 3, 3),
        ("国六a", "6a", 6, 6), ("国六b", "6b", 7, 7), ("国VI(B)", "6b", 7, 7), ("6b", "6b", 7, 7),
        ("6", "6", 6, 7), ("国六", "6", 6, 7), (5, "5", 5, 5),
    ],
)
def test_onroad_stage_aliases(written, label, lo, hi):
    v = one(base_record(vehicles=[{"id": "V", "emission_stage": written}]), "vehicles")
    stage = v.values["emission_stage"]
    assert (stage.label, stage.lo, stage.hi) == (label, lo, hi)


@pytest.mark.parametrize("written, level", [("第三阶段", 3), ("Stage III", 3), ("国四", 4), ("国一", 1), (2, 2)])
def test_nonroad_stage_aliases(written, level):
    m = one(base_record(nonroad_machinery=[{"id": "M", "emission_stage": written}]), "nonroad_machinery")
    assert m.values["emission_stage"].lo == level


@pytest.mark.parametrize("region, code", [
    (120119, "120119"), ("120119", "120119"), ("天津市蓟州区", "120119"), ("蓟州区", "120119"),
    ("北京市丰台区", "110106"), ("丰台区", "110106"), ("东丽区", "120110"), ("天津市", "120000"),
])
def test_region_codes_and_names(region, code):
    facts = facts_of({"facility": {"id": "F", "region": region}})
    assert facts.region.code == code
    assert facts.region.chain[-1] == "CN"


def test_defaults_and_missing_means_unknown():
    b = one(base_record(boilers=[{"id": "B"}]), "boilers")
    assert b.values["status"] == "operating" and "status" in b.defaulted
    assert "fuel" not in b.values and "bag_filter" not in b.values
    v = one(base_record(vehicles=[{"id": "V"}]), "vehicles")
    assert v.values["in_service"] is True and v.values["alert_purpose"] == "none"


def test_context_defaults_and_overrides():
    facts = normalise(record_from_data(base_record()), as_of=dt.date(2020, 1, 1), alert="red")
    assert facts.as_of == dt.date(2020, 1, 1) and facts.alert == "red"
    assert facts_of(base_record()).alert == "none"
    no_date = {"facility": {"id": "F", "region": "120119"}}
    assert normalise(record_from_data(no_date), today=dt.date(2021, 5, 5)).as_of == dt.date(2021, 5, 5)


def test_coverage_forms():
    site = one(base_record(construction_sites=[{"id": "W", "dust_measures": {
        "perimeter_hoarding": "100 %", "material_covering": 0.95, "wet_earthwork": True,
        "road_hardening": False, "vehicle_washing": "95 %"}}]), "construction_sites")
    v = site.values
    assert v["dust_measures.perimeter_hoarding"] == 1.0
    assert v["dust_measures.material_covering"] == 0.95
    assert v["dust_measures.wet_earthwork"] == 1.0 and v["dust_measures.road_hardening"] == 0.0
    assert v["dust_measures.vehicle_washing"] == 0.95
    assert "dust_measures.enclosed_transport" not in v


def test_clean_production_audit_false_means_never():
    facts = facts_of({"facility": {"id": "F", "region": "110106", "clean_production_audit": False}})
    assert facts.facility.values["clean_production_audit"] == NEVER


def test_unknown_entity_fields_are_errors(write):
    """Issue #10 class 5: an unknown field was a warning and its checks silently indeterminate."""
    path = write("facility: {id: F, region: 120119}\nboilers:\n  - {id: B1, fule: coal}\n")
    with pytest.raises(InputError) as exc:
        load_record(path)
    [w] = exc.value.problems
    assert (w.line, w.field, w.level) == (3, "boilers[B1].fule", "error")
    assert "did you mean 'fuel'" in w.message


def errors_of(write, text):
    with pytest.raises(InputError) as exc:
        normalise(load_record(write(text)))
    return exc.value.problems


@pytest.mark.parametrize(
    "text, line, field, fragment",
    [
        ("facility: {id: F, region: 120119}\nboiler:\n  - {id: B1}\n", 2, "boiler", "did you mean 'boilers'"),
        ("facility: {region: 120119}\n", 1, "facility.id", "missing"),
        ("facility: {id: F}\n", 1, "facility.region", "missing"),
        ("facility: {id: F, region: 999999}\n", 1, "facility.region", "unknown region"),
        ("facility: {id: F, region: 120119}\ncoatings:\n  - {id: C1, voc_content: 610 kg}\n", 3,
         "coatings[C1].voc_content", "dimension"),
        ("facility: {id: F, region: 120119}\ncoatings:\n  - {id: C1, voc_content: 610}\n", 3,
         "coatings[C1].voc_content", "bare number"),
        ("facility: {id: F, region: 120119}\ncoatings:\n  - {id: C1, voc_content: -5 g/L}\n", 3,
         "coatings[C1].voc_content", "negative"),
        ("facility: {id: F, region: 120119}\nboilers:\n  - {id: B1, capacity: 0 MW}\n", 3,
         "boilers[B1].capacity", "greater than zero"),
        ("facility: {id: F, region: 120119}\nboilers:\n  - {id: B1, commissioned: 2019-02-30}\n", 3,
         "", "impossible date"),
        ("facility: {id: F, region: 120119}\nboilers:\n  - {id: B1}\n  - {id: B1}\n", 4,
         "boilers[B1].id", "duplicate id"),
        ("facility: {id: F, region: 120119, region: 120110}\n", 1, "region", "duplicate key"),
        ("facility: {id: F, region: 120119}\nvehicles:\n  - {id: V, emission_stage: 国七}\n", 3,
         "vehicles[V].emission_stage", "unknown emission stage"),
        ("facility: {id: F, region: 120119}\nboilers:\n  - {id: B1, fuel: cole}\n", 3,
         "boilers[B1].fuel", "did you mean 'coal'"),
        ("facility: {id: F, region: 120119}\nboilers:\n  - {id: B1, bag_filter: yes please}\n", 3,
         "boilers[B1].bag_filter", "true or false"),
        ("schema: facility/2\nfacility: {id: F, region: 120119}\n", 1, "schema", "unsupported schema"),
        ("- a\n- b\n", 1, "", "top level must be a mapping"),
        ("", 0, "", "empty"),
        ("facility: !!python/object:os.system {id: F}\n", 1, "", "not allowed"),
        ("facility: {id: F, region: 120119}\ncontext: {as_of: 2019-13-01}\n", 2, "", "impossible date"),
    ],
)
def test_input_errors_name_file_line_field(write, text, line, field, fragment):
    problems = errors_of(write, text)
    assert any(p.line == line and (not field or p.field == field) and fragment in p.message for p in problems), problems
    assert all(p.file.endswith("record.yaml") for p in problems)


def test_all_errors_are_collected(write):
    problems = errors_of(write, "facility: {id: F, region: 120119}\ncoatings:\n"
                         "  - {id: C1, voc_content: 610}\n  - {id: C2, voc_content: 5 kg}\n")
    assert [p.line for p in problems] == [3, 4]


def test_bundled_examples_load():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        normalise(load_record(path))
