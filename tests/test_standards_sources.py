"""Secondary sources (``source.secondary`` of a parameter, ``cite.secondary``
of a rule): a value or a definition read only outside the standard's own
text must name at least two independent sources, and GB 13223-2011's values
are marked so (issue 11, section 3)."""

import re
import textwrap

import pytest

from compliance import RulesetError, load_rulesets

from bad_inputs import RULESET_HEAD as HEAD

BUNDLED = {r.id: r for r in load_rulesets()}
REQUIRE = "    require: {field: voc_content, op: '<=', value: 580 g/L}\n"


def _load(tmp_path, body):
    p = tmp_path / "rs.yaml"
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return load_rulesets([p])


def _with_secondary(urls):
    return HEAD.replace('cite: {clause: "1", text: 测试}',
                        'cite: {clause: "1", text: 测试, secondary: ' + urls + "}") + REQUIRE


def test_two_sites_are_accepted_and_kept(tmp_path):
    (rs,) = _load(tmp_path, _with_secondary("[https://a.example.org/x, http://b.example.net/y]"))
    assert rs.rules[0].cite.secondary == ("https://a.example.org/x", "http://b.example.net/y")
    # the report's citation is unchanged: secondary sources are for the reviewer of the ruleset
    assert "secondary" not in rs.rules[0].cite.to_dict()


@pytest.mark.parametrize("urls, fragment", [
    ("[https://a.example.org/x]", "name at least two independent sources"),
    ("[https://a.example.org/x, https://www.a.example.org/y]", "name at least two independent sources"),
    ("[https://a.example.org/x, ftp://b.example.net/y]", "not a web address"),
    ("[https://a.example.org/x, see the bureau's notice]", "not a web address"),
    ("https://a.example.org/x", "expected a list"),
])
def test_bad_secondary_lists_are_refused_with_location(tmp_path, urls, fragment):
    with pytest.raises(RulesetError) as exc:
        _load(tmp_path, _with_secondary(urls))
    text = str(exc.value)
    assert fragment in text, text
    assert re.search(r"rs\.yaml:\d+:\d+: \[error\] t/r\.cite\.secondary", text), text


def test_a_parameter_source_takes_secondary_too(tmp_path):
    body = HEAD.replace("rules:\n", "parameters:\n  - {id: t/pm, value: 20 mg/m^3, description: {zh: 限值, en: limit},"
                        " source: {clause: 表2, secondary: [https://a.org/1]}}\nrules:\n", 1) + REQUIRE
    with pytest.raises(RulesetError) as exc:
        _load(tmp_path, body)
    assert "parameters[0].source.secondary" in str(exc.value)


def test_gb13223_values_are_marked_secondary_with_two_sites():
    rs = BUNDLED["cn-gb13223-2011"]
    assert {p.id: p.value for p in rs.parameters} == {
        "gb13223-2011/special-limit/coal-boiler/pm": "20 mg/m^3",
        "gb13223-2011/special-limit/coal-boiler/so2": "50 mg/m^3",
        "gb13223-2011/special-limit/coal-boiler/nox": "100 mg/m^3",
        "gb13223-2011/reference-oxygen/coal-boiler": "6 %",
    }
    for p in rs.parameters:
        assert len(p.secondary) >= 2, p.id


def test_rules_using_secondary_values_say_so_in_their_note():
    """A rule whose number comes from a secondary-only parameter says so."""
    secondary = {p.id for rs in BUNDLED.values() for p in rs.parameters if p.secondary}
    users = [rule for rs in BUNDLED.values() for rule in rs.rules
             if any(ref in secondary for ref in re.findall(r"[a-z0-9-]+/[a-z0-9/.-]+", repr(rule.require)))]
    assert {r.id for r in users} >= {"tianjin-2014/coal-power-special-limit/pm", "jizhou-2018/coal-power-special-limit/nox"}
    for rule in users:
        assert "secondary sources" in rule.note, rule.id
    five = next(r for r in BUNDLED["cn-tj-clean-air-2014"].rules if r.id == "tianjin-2014/construction-dust/five-100-percent")
    assert len(five.cite.secondary) == 2 and "secondary sources" in five.note


def test_explain_shows_the_secondary_sources():
    from bad_inputs import run_cli

    code, out, _ = run_cli(["explain", "tianjin-2014/construction-dust/five-100-percent"])
    assert code == 0
    assert "defined by:   secondary sources" in out and "http://m.folksfolks.com/" in out
    code, out, _ = run_cli(["explain", "tianjin-2014/cement-kiln-special-limit/pm"])
    assert code == 0 and "defined by:" not in out
