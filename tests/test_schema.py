"""The record and ruleset JSON Schemas and the record format's documentation
are derived from the format's data and code, validate what the project
accepts, refuse known-bad documents, and are current where committed."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from conftest import REPO

jsonschema = pytest.importorskip("jsonschema")  # the test extra

from compliance.cli import main  # noqa: E402
from compliance.ruleset import bundled_paths  # noqa: E402
from compliance.schema import SHIPPED, record_docs, record_markdown, record_schema, ruleset_schema, schema_text  # noqa: E402
from compliance.vocabulary import vocabulary  # noqa: E402

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
RULESETS = [Path(p) for p in bundled_paths()] + [REPO / "tests" / "authoring" / "tables-and-bans.yaml"]


def _as_editor_sees(value):
    """YAML data as yaml-language-server checks it: dates are text."""
    if isinstance(value, dict):
        return {str(k) if isinstance(k, (dt.date, bool)) else k: _as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_editor_sees(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _load(path):
    return _as_editor_sees(yaml.safe_load(Path(path).read_text("utf-8")))


def _validator(schema):
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # a valid draft-07 schema
    return cls(schema)


@pytest.fixture(scope="module")
def records():
    return _validator(record_schema())


@pytest.fixture(scope="module")
def rulesets():
    return _validator(ruleset_schema())


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_record_validates(records, path):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in records.iter_errors(_load(path))]
    assert not errors, errors[:5]


@pytest.mark.parametrize("path", RULESETS, ids=[p.name for p in RULESETS])
def test_every_bundled_ruleset_validates(rulesets, path):
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in rulesets.iter_errors(_load(path))]
    assert not errors, errors[:5]


def test_the_documented_example_validates(records):
    text = record_markdown().split("## Example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    errors = [e.message for e in records.iter_errors(_as_editor_sees(yaml.safe_load(text)))]
    assert not errors


GOOD = {"context": {"as_of": "2019-03-01"}, "facility": {"id": "F1", "region": 120119, "notes": ["any"], "x_lab": 1},
        "boilers": [{"id": "B1", "fuel": "coal", "capacity": "20 蒸吨/时", "status": None,
                     "emissions": {"pm": {"value": 30, "unit": "mg/m^3"}, "o2": "9 %"}}],
        "construction_sites": [{"id": "W1", "dust_measures": {"perimeter_hoarding": 0.95, "road_hardening": True}}],
        "vehicles": [{"id": "V1", "emission_stage": "国VI(B)"}], "ldar": None}


@pytest.mark.parametrize("where,value", [
    (("facility", "region"), None),                      # required, null is missing
    (("facility", "fuel"), "coal"),                      # a boiler's field on the facility
    (("boilers", 0, "NOx"), "30 mg/m^3"),                # unknown key
    (("boilers", 0, "capacity"), 20),                    # a bare number
    (("boilers", 0, "capacity"), "twenty t/h"),          # not a number
    (("boilers", 0, "fuel"), "kerosene"),                # not a value of a closed enum
    (("boilers", 0, "emissions", "pm"), {"value": 30}),  # a quantity mapping without its unit
    (("context", "alert"), "purple"),
    (("context", "as_of"), None),                        # context fields may not be null
    (("context", "as_of"), "1 March 2019"),
    (("construction_sites", 0, "dust_measures", "road_hardening"), 1.5),
    (("bolers",), []),                                   # misspelt section
])
def test_known_bad_records_are_rejected(records, where, value):
    assert records.is_valid(GOOD), [e.message for e in records.iter_errors(GOOD)]
    bad = copy.deepcopy(GOOD)
    target = bad
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    assert not records.is_valid(bad)


def _ruleset():
    return _load(REPO / "tests" / "authoring" / "tables-and-bans.yaml")


@pytest.mark.parametrize("change", [
    lambda d: d["rules"][0].pop("require"),                                # neither require nor prohibited
    lambda d: d["rules"][0]["require"].update({"or": []}),                 # unknown condition key
    lambda d: d["rules"][0].update({"severity": "critical"}),
    lambda d: d["rules"][0]["require"].update({"op": "=<"}),
    lambda d: d["rules"][0].update({"applies_to": "coating"}),
    lambda d: d["rules"][0]["title"].update({"furnaces": None}),           # the comma in a flow mapping
    lambda d: d["rules"][0]["tests"][0].update({"expect": "violated"}),
    lambda d: d["rules"][0]["require"]["value"].pop("table"),              # a lookup without its table
    lambda d: d["ruleset"].pop("issued"),
    lambda d: d.update({"rule": []}),
])
def test_known_bad_rulesets_are_rejected(rulesets, change):
    good = _ruleset()
    assert rulesets.is_valid(good)
    change(good)
    assert not rulesets.is_valid(good)


def test_keys_of_the_type_table_flow_into_the_schema(monkeypatch):
    """A key added to the ruleset type table (as another part of the
    project adds one) is in the derived schema without editing it."""
    from compliance import ruleset_types as types

    monkeypatch.setitem(types.RULE, "x_added", types.TEXT_)
    assert "x_added" in ruleset_schema()["definitions"]["rule"]["properties"]


def test_every_field_has_a_meaning_in_both_languages():
    docs = record_docs()
    vocab = vocabulary()
    for name, section in [*vocab.sections.items(), ("context", None)]:
        fields = vocab.context_fields if section is None else section.leaves
        part = docs["context"] if section is None else docs["sections"][name]
        assert part["zh"].strip() and part["en"].strip(), name
        documented = part["fields"]
        assert set(documented) == set(fields), (name, set(documented) ^ set(fields))
        for field, meaning in documented.items():
            assert meaning["zh"].strip() and meaning["en"].strip(), (name, field)
    assert set(docs["sections"]) == set(vocab.sections)


def test_shipped_schemas_and_the_generated_doc_are_current():
    for kind, path in SHIPPED.items():
        assert path.read_text("utf-8") == schema_text(kind), (
            f"{path} is stale: run `compliance schema {kind} -o {path.relative_to(REPO)}`")
    doc = REPO / "docs" / "record-format.md"
    assert doc.read_text("utf-8") == record_markdown(), (
        "docs/record-format.md is stale: run `compliance schema record --format markdown -o docs/record-format.md`")


def test_schema_and_fields_commands(tmp_path, capsys):
    assert main(["schema", "ruleset"]) == 0
    assert json.loads(capsys.readouterr().out)["definitions"]["condition"]
    out = tmp_path / "record.schema.json"
    assert main(["schema", "record", "-o", str(out)]) == 0
    assert json.loads(out.read_text("utf-8")) == record_schema()
    assert main(["fields", "coatings"]) == 0
    text = capsys.readouterr().out
    assert "voc_content: quantity, canonical unit g/L" in text and "ready-to-use" in text
    assert main(["fields", "coatings", "--lang", "zh"]) == 0
    assert "即用状态" in capsys.readouterr().out
    assert main(["fields", "coating"]) == 2
    assert "did you mean 'coatings'" in capsys.readouterr().err
    assert main(["schema", "ruleset", "--format", "markdown"]) == 2
