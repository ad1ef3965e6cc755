"""Ruleset authoring: bans, lookup tables, a rule's reference oxygen, and
messages that lead to the working form (issue 12, "for rule authors").

Each refused form is tested with the message it gets, and the form the
message suggests is then loaded and judged."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
import yaml

from compliance.engine import durable_available
from compliance.errors import RulesetError
from compliance.evaluate import Evaluator
from compliance.normalise import normalise
from compliance.record import record_from_data
from compliance.ruleset import load_rulesets

HERE = Path(__file__).parent
DEMO = HERE / "authoring" / "tables-and-bans.yaml"
ENGINES = ("kernel", "direct") + (("durable",) if durable_available() else ())

HEAD = {"id": "mine", "title": {"zh": "测试", "en": "Test"}, "issuer": "me", "issued": "2019-01-01",
        "jurisdiction": "120119", "source": "001_7637b8c990200eef.txt"}


def _rule(**over):
    rule = {"id": "mine/r", "title": {"zh": "规则", "en": "Rule"}, "cite": {"clause": "1", "text": "t"},
            "applies_to": "boilers", "require": {"field": "cems", "equals": True}, "severity": "high",
            "message": {"zh": "违反", "en": "violated"}}
    rule.update(over)
    return {k: v for k, v in rule.items() if v is not None}


def _load(tmp_path, *rules, head=None, text=None):
    path = tmp_path / "mine.yaml"
    path.write_text(text if text is not None else yaml.safe_dump(
        {"ruleset": {**HEAD, **(head or {})}, "rules": list(rules)}, allow_unicode=True), "utf-8")
    return load_rulesets([path])


def _error(tmp_path, *rules, head=None, text=None) -> str:
    with pytest.raises(RulesetError) as exc:
        _load(tmp_path, *rules, head=head, text=text)
    return str(exc.value)


def _statuses(rulesets, record, engine="direct"):
    facts = normalise(record_from_data(record))
    ev = Evaluator(rulesets, engine)
    return {(f.entity_type, f.entity_id, f.rule): f for f in ev.findings(facts)}


# ------------------------------------------------------------------ bans

def test_prohibited_bans_what_when_selects_with_dates_and_exemptions(tmp_path):
    rs = _load(tmp_path, _rule(require=None, prohibited=True, when={"field": "fuel", "equals": "coal"},
                               effective_from="2019-06-01",
                               unless={"if": {"field": "use", "equals": "power"},
                                       "name": {"zh": "电站", "en": "power plants"}}))
    boilers = [{"id": "coal", "fuel": "coal", "use": "industrial"}, {"id": "gas", "fuel": "gas"}, {"id": "unknown"},
               {"id": "power", "fuel": "coal", "use": "power"}]
    record = {"context": {"as_of": dt.date(2019, 6, 1)}, "facility": {"id": "F", "region": "120119"},
              "boilers": boilers}
    got = {k[1]: f.status for k, f in _statuses(rs, record).items()}
    assert got == {"coal": "violation", "unknown": "indeterminate", "power": "exempt"}
    record["context"]["as_of"] = dt.date(2019, 5, 31)
    assert _statuses(rs, record)[("boilers", "coal", "mine/r")].status == "pending"


def test_missing_require_names_prohibited_and_it_works(tmp_path):
    message = _error(tmp_path, _rule(require=None, when={"field": "fuel", "equals": "coal"}))
    assert "prohibited: true" in message
    message = _error(tmp_path, _rule(require=False, when={"field": "fuel", "equals": "coal"}))
    assert "prohibited: true" in message, message
    message = _error(tmp_path, _rule(require=None, prohibited=True))
    assert "add when:" in message
    message = _error(tmp_path, _rule(prohibited=True, when={"field": "fuel", "equals": "coal"}))
    assert "not both" in message
    assert _load(tmp_path, _rule(require=None, prohibited=True, when={"field": "fuel", "equals": "coal"}))


# ------------------------------------------------------------ lookup tables

def test_lookup_table_limit_per_category_names_its_row():
    rs = load_rulesets([DEMO])
    coatings = [{"id": "oem-over", "category": "automotive_oem", "voc_content": "581 g/L"},
                {"id": "oem-at", "category": "automotive_oem", "voc_content": "580 g/L"},
                {"id": "wood-590", "category": "wood", "voc_content": "590 g/L"},  # over 580, under 600
                {"id": "wood-over", "category": "wood", "voc_content": "650 g/L"},
                {"id": "ink", "category": "ink", "voc_content": "900 g/L"},
                {"id": "no-category", "voc_content": "900 g/L"}]
    record = {"context": {"as_of": dt.date(2019, 3, 1)}, "facility": {"id": "F", "region": "120119"},
              "coatings": coatings}
    got = {k[1]: f for k, f in _statuses(rs, record).items() if k[2] == "my/coating-voc"}
    assert {k: f.status for k, f in got.items()} == {
        "oem-over": "violation", "oem-at": "compliant", "wood-590": "compliant", "wood-over": "violation",
        "no-category": "indeterminate"}  # ink: no row, not applicable
    assert got["wood-over"].limit["value"] == 600
    assert got["wood-over"].limit["row"] == {"field": "category", "value": "wood"}
    assert got["wood-590"].limit["row"] == {"field": "category", "value": "wood"}
    assert got["oem-over"].limit["value"] == 580 and "580" in got["oem-over"].message["en"]


def test_every_engine_agrees_on_tables_bans_and_default_oxygen():
    rs = load_rulesets([DEMO])
    coatings = [{"id": f"C{i}", **({"category": c} if c else {}), **({"voc_content": v} if v else {})}
                for i, (c, v) in enumerate(itertools.product((None, "automotive_oem", "wood", "ink"),
                                                             (None, "579 g/L", "580 g/L", "600 g/L", "601 g/L")))]
    boilers = [{"id": f"B{i}", **({"fuel": f} if f else {}),
                **({"emissions": {"pm": pm, "so2": "40 mg/m^3", **({"o2": o2} if o2 else {})}} if pm else {})}
               for i, (f, pm, o2) in enumerate(itertools.product((None, "coal", "gas"), (None, "20 mg/m^3", "31 mg/m^3"),
                                                                  (None, "9 %", "15 %")))]
    for as_of in (dt.date(2019, 5, 31), dt.date(2019, 6, 1)):
        record = {"context": {"as_of": as_of}, "facility": {"id": "F", "region": "120119"},
                  "coatings": coatings, "boilers": boilers}
        facts = normalise(record_from_data(record))
        for show_all in (False, True):
            found = {e: [f.to_dict() for f in Evaluator(rs, e).findings(facts, show_all=show_all)] for e in ENGINES}
            assert all(v == found["direct"] for v in found.values())
            assert {f["status"] for f in found["direct"]} >= {"violation", "compliant", "indeterminate"}


def test_lookup_table_errors_are_located_at_the_row(tmp_path):
    table = {"by": "fuel", "table": {"coal": "30 mg/m^3", "gaz": "20 mg/m^3"}}
    message = _error(tmp_path, _rule(require={"field": "emissions.pm", "op": "<=", "value": table}))
    assert "'gaz' is not a value of fuel (did you mean 'gas'?)" in message
    table = {"by": "fuel", "table": {"coal": "30 t/h"}}
    assert "emissions.pm" in _error(tmp_path, _rule(require={"field": "emissions.pm", "op": "<=", "value": table}))
    table = {"by": "co_firing", "table": {"coal": "30 mg/m^3"}}
    assert "single values" in _error(tmp_path, _rule(require={"field": "emissions.pm", "op": "<=", "value": table}))


# ------------------------------------------------------- reference oxygen

def test_oxygen_reference_once_per_rule_or_ruleset(tmp_path):
    both = {"all": [{"field": "emissions.pm", "op": "<=", "value": "30 mg/m^3"},
                    {"field": "emissions.so2", "op": "<=", "value": "50 mg/m^3"}]}
    spelled = {"all": [{"field": "emissions.pm", "op": "<=", "value": "30 mg/m^3", "oxygen_reference": "9 %"},
                       {"field": "emissions.so2", "op": "<=", "value": "50 mg/m^3", "oxygen_reference": "9 %"}]}
    record = {"context": {"as_of": dt.date(2019, 3, 1)}, "facility": {"id": "F", "region": "120119"},
              "boilers": [{"id": f"B{i}", "emissions": {"pm": "20 mg/m^3", "so2": so2, "o2": o2}}
                          for i, (so2, o2) in enumerate(itertools.product(("30 mg/m^3", "45 mg/m^3"),
                                                                          ("6 %", "9 %", "12 %")))]}
    reference = {k[1]: f.to_dict() for k, f in _statuses(_load(tmp_path, _rule(require=spelled)), record).items()}
    per_rule = _load(tmp_path, _rule(require=both, oxygen_reference="9 %"))
    per_set = _load(tmp_path, _rule(require=both), head={"oxygen_reference": "9 %"})
    for rs in (per_rule, per_set):
        assert {k[1]: f.to_dict() for k, f in _statuses(rs, record).items()} == reference
    assert {f["status"] for f in reference.values()} == {"violation", "compliant"}
    # the o2 field itself is never corrected; a comparison's own value wins
    own = {"field": "emissions.pm", "op": "<=", "value": "30 mg/m^3", "oxygen_reference": "6 %"}
    rs = _load(tmp_path, _rule(require=own), head={"oxygen_reference": "9 %"})
    assert rs[0].rules[0].require.ref.oxygen_reference == 6.0
    # a rule's reference oxygen nothing takes is refused
    assert "no comparison of an emissions" in _error(tmp_path, _rule(oxygen_reference="9 %"))


# ----------------------------------------------------------------- messages

def test_or_leads_to_any(tmp_path):
    wrong = {"or": [{"field": "fuel", "equals": "coal"}, {"field": "fuel", "equals": "oil"}]}
    message = _error(tmp_path, _rule(when=wrong))
    assert "unknown condition key 'or': write any: [" in message
    assert _load(tmp_path, _rule(when={"any": wrong["or"]}))


@pytest.mark.parametrize("cond", [
    {"field": "co_firing", "equals": "coal"},
    {"field": "co_firing", "in": ["coal"]},
    {"field": "co_firing", "op": "==", "value": "coal"},
])
def test_list_fields_lead_to_includes(tmp_path, cond):
    message = _error(tmp_path, _rule(when=cond))
    assert "{field: co_firing, includes: coal}" in message, message
    assert _load(tmp_path, _rule(when={"field": "co_firing", "includes": "coal"}))


def test_comma_in_a_flow_mapping_title_explains_the_quoting(tmp_path):
    text = yaml.safe_dump({"ruleset": HEAD, "rules": [_rule()]}, allow_unicode=True, sort_keys=False)
    bad = text.replace("title:\n    zh: 规则\n    en: Rule", "title: {zh: 锅炉和炉窑, en: Boilers, furnaces}")
    assert bad != text
    message = _error(tmp_path, text=bad)
    assert "quote the text: en: \"Boilers, furnaces\"" in message, message
    assert _load(tmp_path, text=bad.replace("en: Boilers, furnaces}", 'en: "Boilers, furnaces"}'))


def test_did_you_mean_never_names_the_same_field(tmp_path):
    # a group of fields: name its members
    message = _error(tmp_path, _rule(require={"field": "emissions", "op": "<=", "value": "30 mg/m^3"}))
    assert "did you mean 'emissions'" not in message
    assert "emissions.pm" in message and "group of fields" in message
    assert _load(tmp_path, _rule(require={"field": "emissions.pm", "op": "<=", "value": "30 mg/m^3"}))
    # a field of another entity kind: say whose
    message = _error(tmp_path, _rule(applies_to="coatings", require={"field": "fuel", "equals": "coal"}))
    assert "fuel is a field of boilers, furnaces" in message and "not of coatings" in message, message
    assert _load(tmp_path, _rule(applies_to="boilers", require={"field": "fuel", "equals": "coal"}))


def test_suggest_never_returns_the_word_itself():
    from compliance.record import suggest

    assert suggest("emissions", ["emissions", "emission"]) == " (did you mean 'emission'?)"
    assert suggest("emissions", ["emissions"]) == ""


def test_the_columnar_ledger_path_agrees_on_tables_and_bans():
    """Ledgers judged over columns (compliance.columnar) give the reports of
    the row path for a ban, a lookup table and a rule's reference oxygen."""
    import sys

    sys.path.insert(0, str(HERE))
    from columnar_tables import row_path, tables_from_records

    from compliance.api import evaluator
    from compliance.columnar import check_tables, columnar_program

    ev = evaluator([str(DEMO)])
    program = columnar_program(ev)
    assert all(line.endswith(" 0 on the row path") for line in program.describe(["coatings", "boilers"]))
    records = []
    for n, (category, voc, fuel, pm, o2) in enumerate(itertools.product(
            (None, "automotive_oem", "wood", "ink"), (None, "580 g/L", "600 g/L"), (None, "coal", "gas"),
            (None, "25 mg/m^3"), (None, "9 %", "15 %"))):
        coating = {"id": "C1", **({"category": category} if category else {}), **({"voc_content": voc} if voc else {})}
        boiler = {"id": "B1", **({"fuel": fuel} if fuel else {}),
                  **({"emissions": {"pm": pm, "so2": "40 mg/m^3", **({"o2": o2} if o2 else {})}} if pm else {})}
        records.append({"context": {"as_of": "2019-06-01"}, "facility": {"id": f"F{n}", "region": "120119"},
                        "coatings": [coating], "boilers": [boiler]})
    tables = tables_from_records(records)
    got = [r.to_dict() for r in check_tables(ev, tables, chunk=40)]
    want = [r.to_dict() for r in row_path(ev, tables)]
    assert got == want and len(got) == len(records)
    statuses = {f["status"] for r in got for f in r["findings"]}
    assert {"violation", "compliant", "indeterminate"} <= statuses


def test_includes_on_a_field_of_single_values_leads_to_equals(tmp_path):
    message = _error(tmp_path, _rule(when={"field": "fuel", "includes": "coal"}))
    assert "{field: fuel, equals: coal}" in message, message
    assert _load(tmp_path, _rule(when={"field": "fuel", "equals": "coal"}))


def test_a_record_field_of_another_entity_kind_says_whose(tmp_path):
    from compliance.errors import InputError

    data = {"facility": {"id": "F", "region": "120119"}, "coatings": [{"id": "C1", "emissions": {"pm": "3 mg/m^3"}}]}
    with pytest.raises(InputError) as exc:
        record_from_data(data)
    assert "emissions is a field of boilers, furnaces, not of coatings" in str(exc.value)
    assert "did you mean 'emissions'" not in str(exc.value)
    data = {"facility": {"id": "F", "region": "120119"}, "boilers": [{"id": "B1", "emissions": {"pm": "3 mg/m^3"}}]}
    assert record_from_data(data)


@pytest.mark.parametrize("value,fragment", [("9 mg/m^3", "oxygen_reference"), ("25 %", "below 21 %")])
def test_a_rulesets_reference_oxygen_is_checked_where_written(tmp_path, value, fragment):
    message = _error(tmp_path, _rule(), head={"oxygen_reference": value})
    assert "ruleset.oxygen_reference" in message and fragment in message, message
