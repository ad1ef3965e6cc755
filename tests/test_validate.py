"""`compliance validate`: records and rulesets checked without evaluating."""

from test_semantics import RULE, write_ruleset

from conftest import EXAMPLES, REPO


def test_bundled_rulesets_and_examples_validate(cli):
    r = cli("validate", REPO / "rulesets", *sorted(EXAMPLES.glob("*.yaml")))
    assert r.exit_code == 0, r.output
    assert " 0 errors, 0 warnings" in r.output


def test_record_errors_with_suggestions(cli, write):
    p = write("facility: {id: F, region: 120119}\nboiler: []\ncoatings:\n  - {id: C1, voc_content: 5 kg, colour: red}\n"
              "  - {id: C1}\n")
    r = cli("validate", p)
    assert r.exit_code == 2
    assert ":2:1: [error] boiler: unknown top-level key (did you mean 'boilers'?)" in r.output
    assert "[error] coatings[C1].id: duplicate id" in r.output


def test_unknown_entity_field_is_an_error(cli, write):
    p = write("facility: {id: F, region: 120119}\ncoatings:\n  - {id: C1, voc_contnet: 5 g/L}\n")
    r = cli("validate", p)
    assert r.exit_code == 2
    assert ":3:14: [error] coatings[C1].voc_contnet: unknown field (did you mean 'voc_content'?)" in r.output


def test_rules_without_the_four_kinds_of_case_are_warned(cli, tmp_path):
    body = ("require: {field: bag_filter, equals: true}\ndeadline: 2019-12-31\ntests:\n"
            "  - {entity: {bag_filter: false}, expect: violation}")
    rs = write_ruleset(tmp_path, RULE.format(id="r", applies_to="boilers", body=body.replace("\n", "\n  ")))
    r = cli("validate", rs)
    assert r.exit_code == 1
    assert "[warning] test/r: no embedded test case expecting compliant, indeterminate, pending" in r.output


def test_overlapping_limits_in_nested_jurisdictions_are_shown(cli, tmp_path):
    city = write_ruleset(tmp_path, RULE.format(id="city", applies_to="coatings",
                                               body="require: {field: voc_content, op: '<=', value: 600 g/L}"),
                         name="city.yaml", jurisdiction="120000")
    text = city.read_text().replace("id: test-custom", "id: test-city")
    city.write_text(text)
    district = write_ruleset(tmp_path, RULE.format(id="district", applies_to="coatings",
                                                   body="require: {field: voc_content, op: '<=', value: 580 g/L}"),
                             name="district.yaml")
    r = cli("validate", city, district)
    assert "[info] test/city: coatings.voc_content <= 600 g/L overlaps test/district (<= 580 g/L" in r.output
    other = write_ruleset(tmp_path, RULE.format(id="other", applies_to="coatings",
                                                body="require: {field: voc_content, op: '<=', value: 500 g/L}"),
                          name="other.yaml", jurisdiction="110106")
    text = other.read_text().replace("id: test-custom", "id: test-other")
    other.write_text(text)
    r = cli("validate", city, other)
    assert "overlaps" not in r.output  # Beijing's Fengtai is not inside Tianjin


def test_invalid_ruleset_is_an_error(cli, tmp_path):
    rs = write_ruleset(tmp_path, RULE.format(id="r", applies_to="coatings",
                                             body="require: {field: voc_content, op: '<=', value: 580 kg}"))
    r = cli("validate", rs)
    assert r.exit_code == 2 and "dimension" in r.output
