"""User rulesets (``--ruleset PATH``), hardening round 2 (issue #10 classes 8,
9, 11, 12, 13): whatever a ruleset file holds, exit 2 with file:line and the
key, never exit 3."""

import copy
import json
import datetime as dt
import re

import pytest
import yaml

from bad_inputs import GOOD, run_cli
from compliance._yaml import load_document
from compliance.ruleset_types import CONDITION, DATE, RULESET, Either, ListOf, accepted
from compliance.engine import durable_available

ENGINES = ("kernel", "direct") + (("durable",) if durable_available() else ())  # durable: not on Python 3.13

T = {"zh": "测试", "en": "Test"}

#: a ruleset that writes every key of the format at least once (checked by
#: test_base_writes_every_key), valid, with passing embedded cases
BASE = {
    "ruleset": {"id": "user-types", "title": T, "short_title": T, "issuer": "x", "issued": dt.date(2018, 1, 1),
                "jurisdiction": "120119", "source": "t.txt", "version": "1", "kind": "plan", "note": "n",
                "url": "https://example.org/t", "oxygen_reference": "9 %"},
    "parameters": [{"id": "user-types/pm", "value": "30 mg/m^3", "description": T,
                    "source": {"document": "d.txt", "clause": "表1", "text": "30",
                               "secondary": ["https://a.example.org/1", "https://b.example.net/2"]}}],
    "rules": [
        {"id": "user-types/boiler-pm", "title": T,
         "cite": {"document": "t.txt", "clause": "1", "text": "测试", "row": 1,
                  "secondary": ["https://a.example.org/1", "http://b.example.net/2"]},
         "applies_to": "boilers",
         "when": {"all": [{"field": "fuel", "equals": "coal"},
                          {"any": [{"field": "use", "in": ["industrial"]},
                                   {"not": {"field": "capacity", "known": True}}]}]},
         "require": {"field": "emissions.pm", "op": "<=", "value": {"param": "user-types/pm"},
                     "oxygen_reference": "9 %"},
         "unless": {"if": {"field": "facility.industries", "includes_all": ["cement"]}, "name": T},
         "effective_from": dt.date(2019, 1, 1), "deadline": dt.date(2019, 6, 30), "until": dt.date(2020, 12, 31),
         "severity": "high", "message": {"zh": "颗粒物 {observed} 超过 {limit}", "en": "PM {observed} over {limit}"},
         "note": "n",
         "tests": [{"expect": "violation", "entity": {"fuel": "coal", "use": "industrial",
                                                       "emissions": {"pm": "40 mg/m^3", "o2": "9 %"}},
                    "facility": {"industries": ["steel"]}, "as_of": dt.date(2019, 7, 1), "alert": "none",
                    "name": "over"}]},
        {"id": "user-types/site-dust", "title": T, "cite": {"clause": "2", "text": "测试"},
         "applies_to": "construction_sites",
         "when": {"all": [{"field": "facility.industries", "includes": "construction"},
                          {"field": "facility.industries", "includes_any": ["construction"]},
                          {"field": "kind", "equals": "building"}]},
         "require": {"coverage": "dust_measures", "of": ["perimeter_hoarding"], "at_least": "100 %"},
         "severity": "low", "message": T,
         "tests": [{"expect": "violation", "facility": {"industries": ["construction"]},
                    "entity": {"kind": "building", "dust_measures": {"perimeter_hoarding": "90 %"}}}]},
        {"id": "user-types/coal-ban", "title": T, "cite": {"clause": "3", "text": "测试"},
         "applies_to": "boilers", "prohibited": True, "oxygen_reference": "9 %",
         "when": {"all": [{"field": "fuel", "equals": "coal"},
                          {"field": "emissions.so2", "op": ">",
                           "value": {"by": "use", "table": {"industrial": "400 mg/m^3"}}}]},
         "severity": "medium", "message": T,
         "tests": [{"expect": "violation", "entity": {"fuel": "coal", "use": "industrial",
                                                       "emissions": {"so2": "500 mg/m^3", "o2": "9 %"}}}]},
    ],
    "manual_review": [
        {"id": "user-types/review/boiler", "title": T, "cite": {"document": "t.txt", "clause": "3", "text": "测试", "row": 3},
         "applies_to": "boilers", "when": {"field": "fuel", "equals": "coal"},
         "effective_from": dt.date(2019, 1, 1), "deadline": dt.date(2019, 6, 30), "until": dt.date(2020, 12, 31),
         "reason": {"code": "needs_data", "zh": "人工核对", "en": "check by hand"}, "note": "n",
         "tests": [{"expect": "manual_review", "entity": {"fuel": "coal"}, "facility": {"industries": ["steel"]},
                    "as_of": dt.date(2019, 7, 1), "alert": "none", "name": "listed"}]},
    ],
}

#: one value of each kind a YAML file can hold
CANDIDATES = [["x"], {"a": 1}, 5, 2.5, True, None, "text", dt.date(2019, 1, 1)]


def _walk(spec, value, path):
    """(path, spec) of every value of ``value`` that the table types."""
    if isinstance(spec, ListOf):
        for i, item in enumerate(value):
            yield from _walk(spec.item, item, path + (i,))
    elif isinstance(spec, Either):
        for form in spec.forms:
            if isinstance(form, dict) and isinstance(value, dict):
                yield from _walk(form, value, path)
    elif isinstance(spec, dict):
        for key, sub in spec.items():
            if key in value:
                yield path + (key,), sub
                yield from _walk(sub, value[key], path + (key,))


KEYED = list(_walk(RULESET, BASE, ()))


def _label(path):
    out = ""
    for i, part in enumerate(path):
        if isinstance(part, int):
            out += f"[{part}]"
        elif i == 2 and path[0] in ("rules", "manual_review"):  # a rule or item is named by its id
            out = (BASE[path[0]][path[1]]["id"] if part != "id" else f"{path[0]}[{path[1]}]") + "." + part
        else:
            out += ("." if out else "") + part
    return out


def _set(doc, path, value):
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


def _write(tmp_path, data, name="rs.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _check(tmp_path, *rulesets):
    rec = tmp_path / "good.yaml"
    rec.write_text(GOOD)
    args = ["check", str(rec)]
    for r in rulesets:
        args += ["--ruleset", str(r)]
    return run_cli(args)


def test_base_is_valid_and_its_cases_pass(tmp_path):
    path = _write(tmp_path, BASE)
    code, out, err = run_cli(["test", str(path), "-v"])
    # three own cases, each violating one again outside the jurisdiction, and the manual-review item's case
    assert code == 0 and "7 passed, 0 failed" in out, out + err


def test_base_writes_every_key():
    """Every key of every part of the table is written in BASE, so the
    wrong-type test below reaches each one."""
    written = {}
    for path, spec in KEYED:
        written.setdefault(path[-1], set()).add(id(spec))

    def fields(spec, seen):
        if isinstance(spec, dict) and id(spec) not in seen:
            seen.add(id(spec))
            yield spec
            for sub in spec.values():
                yield from fields(sub, seen)
        elif isinstance(spec, ListOf):
            yield from fields(spec.item, seen)
        elif isinstance(spec, Either):
            for form in spec.forms:
                yield from fields(form, seen)

    missing = [key for part in fields(RULESET, set()) for key, sub in part.items() if id(sub) not in written.get(key, ())]
    assert not missing, missing
    assert set(CONDITION) <= set(written)


CASES = [(path, value) for path, spec in KEYED for value in CANDIDATES if not accepted(spec, value)]


@pytest.mark.parametrize("path,value", CASES, ids=[f"{_label(p)}={type(v).__name__}" for p, v in CASES])
def test_wrong_type_of_every_key(tmp_path, path, value):
    data = copy.deepcopy(BASE)
    _set(data, path, value)
    rs = _write(tmp_path, data)
    code, out, err = _check(tmp_path, rs)
    assert code == 2, err
    assert "internal error" not in err and "Traceback" not in err
    doc = load_document(str(rs))
    lines = {doc.where(path)[0], doc.key_where(path)[0]}
    label = re.escape(_label(path))
    found = re.findall(rf"{re.escape(str(rs))}:(\d+):\d+: \[error\] {label}: expected ", err)
    assert found and int(found[0]) in lines, err


ODD = [(path, value) for path, spec in KEYED for value in CANDIDATES if accepted(spec, value)]


@pytest.mark.parametrize("path,value", ODD, ids=[f"{_label(p)}={type(v).__name__}" for p, v in ODD])
def test_right_type_wrong_value_is_never_an_internal_error(tmp_path, path, value):
    """A value of an allowed type that means nothing here (``value: true``
    for a concentration, ``equals: 5`` for an enum): a clear error or a
    result, never exit 3."""
    data = copy.deepcopy(BASE)
    _set(data, path, value)
    rs = _write(tmp_path, data)
    code, out, err = _check(tmp_path, rs)
    assert code in (0, 1, 2) and "internal error" not in err, err
    if code == 2:
        assert re.search(rf"{re.escape(str(rs))}:\d+:\d+: \[error\] ", err), err


# ---------------------------------------------------------------- class 9: message templates

from bad_inputs import RULESET_HEAD  # noqa: E402

REQ = "    require: {field: voc_content, op: '<=', value: 580 g/L}\n"
OVER = GOOD + "coatings:\n  - {id: C1, category: automotive_oem, voc_content: 700 g/L}\n"


def _with_message(en):
    return RULESET_HEAD.replace("message: {zh: 违规, en: broken}", "message: {zh: 违规, en: %s}" % json.dumps(en)) + REQ


BAD_TEMPLATES = {
    "a { b": "lone '{'", "a } b": "lone '}'", "{observed:d}": "only plain {name}", "{observed!x}": "only plain {name}",
    "{observed:{limit.__class__}}": "lone '{'", "{observed:>300000000}": "only plain {name}",
    "{limit.__class__}": "only plain {name}", "{observed[0]}": "only plain {name}", "{obsreved}": "did you mean 'observed'",
    "{0}": "unknown placeholder {0}", "{}": "unknown placeholder {}",
}


@pytest.mark.parametrize("template", sorted(BAD_TEMPLATES))
def test_bad_message_template_is_refused_at_load(tmp_path, template):
    rs = tmp_path / "rs.yaml"
    rs.write_text(_with_message(template), encoding="utf-8")
    code, out, err = _check(tmp_path, rs)
    assert code == 2 and out == "", err
    assert re.search(rf"{re.escape(str(rs))}:14:\d+: \[error\] t/r\.message\.en: ", err), err
    assert BAD_TEMPLATES[template] in err, err


def test_message_renders_placeholders_and_literal_braces(tmp_path):
    import json

    rs = tmp_path / "rs.yaml"
    rs.write_text(_with_message("{{set}} {observed} over {limit} }}"), encoding="utf-8")
    rec = tmp_path / "over.yaml"
    rec.write_text(OVER)
    code, out, err = run_cli(["check", str(rec), "--ruleset", str(rs), "--format", "json"])
    assert code == 1, err
    assert json.loads(out)["records"][0]["findings"][0]["message"]["en"] == "{set} 700 g/L over 580 g/L }"


def test_render_evaluates_nothing():
    from compliance.ruleset import render_message

    fill = {"observed": "7 g/L", "limit": "5 g/L"}
    # a template that was never checked (built in code): what is not a plain placeholder stays as written
    assert render_message("{observed.__class__} {observed:>9} {observed}", fill) == "{observed.__class__} {observed:>9} 7 g/L"
    assert render_message("{{x}} {", fill) == "{x} {"


def test_placeholders_are_listed_in_the_format_doc():
    from conftest import REPO
    from compliance.ruleset import PLACEHOLDERS

    doc = (REPO / "docs" / "ruleset-format.md").read_text(encoding="utf-8")
    section = doc.split("## Message placeholders")[1].split("\n## ")[0]
    assert set(re.findall(r"`\{([a-z_]+)\}`", section)) == PLACEHOLDERS


# ---------------------------------------------------------------- class 11: clashes with bundled ids

JIZHOU = "cn-tj-jizhou-2018-autumn-winter"
JIZHOU_RULE = "jizhou-2018/coating-voc/automotive-oem"


def _bundled_file(rid):
    from compliance.ruleset import bundled_paths

    return next(p for p in bundled_paths() if p.endswith(f"{rid}.yaml"))


def _rs(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused_at(err, path, line, field, fragment):
    assert re.search(rf"^compliance: {re.escape(str(path))}:{line}:\d+: \[error\] {re.escape(field)}: .*{re.escape(fragment)}",
                     err, re.M), err


#: what the user's file reuses -> (its text, line and field of the refusal, message)
REUSED = {
    "ruleset-id": (RULESET_HEAD.replace("id: t\n", f"id: {JIZHOU}\n") + REQ, 2, "ruleset.id",
                   "is the id of the bundled ruleset"),
    "rule-id": (RULESET_HEAD.replace("id: t/r", f"id: {JIZHOU_RULE}") + REQ, 9, f"{JIZHOU_RULE}.id",
                "is the id of a bundled rule"),
}


@pytest.mark.parametrize("reused", sorted(REUSED))
@pytest.mark.parametrize("order", ["bundled-first", "user-first"])
@pytest.mark.parametrize("how", ["by-id", "by-path"])
def test_user_ruleset_reusing_a_bundled_id_is_refused(tmp_path, reused, order, how):
    text, line, field, fragment = REUSED[reused]
    user = _rs(tmp_path, "mine.yaml", text)
    bundled = JIZHOU if how == "by-id" else _bundled_file(JIZHOU)
    pair = [bundled, user] if order == "bundled-first" else [user, bundled]
    code, out, err = _check(tmp_path, *pair)
    assert code == 2 and out == "", err
    _refused_at(err, user, line, field, fragment)
    assert _bundled_file(JIZHOU) in err and err.count("[error]") == 1, err


def test_user_rule_id_alone_is_its_own(tmp_path):
    """Without the bundled ruleset in the selection there is nothing to
    clash with: the user's rule runs (one finding)."""
    import json

    user = _rs(tmp_path, "mine.yaml", RULESET_HEAD.replace("id: t/r", f"id: {JIZHOU_RULE}") + REQ)
    rec = _rs(tmp_path, "over.yaml", OVER)
    code, out, err = run_cli(["check", str(rec), "--ruleset", str(user), "--format", "json"])
    assert code == 1, err
    assert [f["rule"] for f in json.loads(out)["records"][0]["findings"]] == [JIZHOU_RULE]


def test_redefined_bundled_parameter_is_refused_at_the_users_file(tmp_path):
    text = RULESET_HEAD.replace("rules:\n", "parameters:\n  - {id: gb13271-2014/special-limit/coal/pm, value: 10 mg/m^3,"
                                " description: {zh: a, en: b}, source: {clause: x}}\nrules:\n", 1) + REQ
    user = _rs(tmp_path, "mine.yaml", text)
    code, out, err = _check(tmp_path, user)
    assert code == 2, err
    _refused_at(err, user, 9, "parameters[0].id", f"is already defined in {_bundled_file('cn-gb13271-2014')}")


def test_edited_copy_of_a_bundled_standard_uses_its_own_parameter_values(tmp_path):
    """A copy of a bundled ruleset, under its id, given instead of it: its
    parameters are the ones in force, not the bundled file's (which were
    silently loaded over them)."""
    from compliance.api import load_rulesets

    text = open(_bundled_file("cn-gb13271-2014"), encoding="utf-8").read()
    assert "value: 30 mg/m^3" in text
    copy_ = _rs(tmp_path, "gb13271.yaml", text.replace("value: 30 mg/m^3", "value: 25 mg/m^3", 1))
    bundled = {p.id: p.value for p in load_rulesets(["cn-gb13271-2014"])[0].parameters}
    (rs,) = load_rulesets([str(copy_)])
    mine = {p.id: p.value for p in rs.parameters}
    changed = {k for k in bundled if bundled[k] != mine[k]}
    assert len(changed) == 1 and mine[changed.pop()] == "25 mg/m^3"


# ---------------------------------------------------------------- class 12: --ruleset DIR


@pytest.mark.parametrize("contents", [(), ("notes.txt",), ("rules.json",)], ids=["empty", "txt", "json"])
@pytest.mark.parametrize("command", ["check", "validate"])
def test_folder_without_rulesets_is_refused(tmp_path, contents, command):
    folder = tmp_path / "rules"
    folder.mkdir()
    for name in contents:
        (folder / name).write_text("x: 1\n")
    if command == "check":
        code, out, err = _check(tmp_path, folder)
    else:
        code, out, err = run_cli(["validate", str(folder)])
        err = out + err
    assert code == 2, err
    if command == "validate":  # a folder given to validate is searched for records and rulesets alike
        if "rules.json" not in contents:  # (a .json file is a record to validate, with its own errors)
            assert f"{folder}: [error] no record files (*.yaml, *.yml, *.json, *.jsonl) below this folder" in err, err
    else:
        assert f"{folder}: [error] no ruleset file (*.yaml or *.yml) in this folder" in err, err


@pytest.mark.parametrize("suffix", [".yml", ".yaml"])
def test_folder_of_yml_rulesets_runs(tmp_path, suffix):
    import json

    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / f"mine{suffix}").write_text(RULESET_HEAD + REQ, encoding="utf-8")
    rec = _rs(tmp_path, "over.yaml", OVER)
    code, out, err = run_cli(["check", str(rec), "--ruleset", str(folder), "--format", "json"])
    assert code == 1, err
    assert [f["rule"] for f in json.loads(out)["records"][0]["findings"]] == ["t/r"]
    code, out, err = run_cli(["validate", str(folder)])
    assert "1 inputs: 0 errors" in out, out + err


# ---------------------------------------------------------------- class 13: far dates


FAR = [dt.date(9999, 12, 31), dt.date(1, 1, 1)]
#: every date key of the format (from the table), and a date compared in a condition
DATE_KEYS = [path for path, spec in KEYED if spec is DATE] + ["condition value"]
FAR_RECORD = GOOD + ("boilers:\n  - {id: B1, fuel: coal, use: industrial, commissioned: 2010-01-01,"
                     " emissions: {pm: 40 mg/m^3, o2: 9 %}}\n")


def test_every_date_key_is_reached():
    assert {p[-1] for p in DATE_KEYS[:-1]} == {"issued", "effective_from", "deadline", "until", "as_of"}


@pytest.mark.parametrize("far", FAR, ids=str)
@pytest.mark.parametrize("key", DATE_KEYS, ids=lambda k: k if isinstance(k, str) else _label(k))
def test_far_dates_work_or_are_refused_at_load(tmp_path, key, far):
    rec = _rs(tmp_path, "rec.yaml", FAR_RECORD)
    for with_as_of in (True, False):  # without: the case is judged the day after the deadline
        data = copy.deepcopy(BASE)
        if not with_as_of:
            del data["rules"][0]["tests"][0]["as_of"]
        if key == "condition value":
            data["rules"][0]["when"]["all"].append({"field": "commissioned", "op": "<", "value": far})
        else:
            _set(data, key, far)
        rs = _write(tmp_path, data)
        runs = [["test", str(rs)], ["validate", str(rs)], ["explain", "user-types/boiler-pm", "--ruleset", str(rs)],
                ["rules", "--ruleset", str(rs), "--at", far.isoformat()]]
        runs += [["check", str(rec), "--ruleset", str(rs), "--engine", engine] + extra
                 for engine in ENGINES for extra in ([], ["--as-of", far.isoformat()])]
        for args in runs:
            code, out, err = run_cli(args)
            assert code in (0, 1, 2) and "internal error" not in err, (args, err)
            if code == 2:  # refused: at the file and line
                assert re.search(rf"{re.escape(str(rs))}:\d+:\d+: \[error\] ", out + err), (args, out, err)


# ---------------------------------------------------------------- the bad-input table's selections

from bad_inputs import SELECTION_CASES, write_selection  # noqa: E402


@pytest.mark.parametrize("index", range(len(SELECTION_CASES)))
def test_bad_selection(tmp_path, index):
    from conftest import REPO

    cls, files, args, fragment = SELECTION_CASES[index]
    write_selection(str(tmp_path), files)
    rec = _rs(tmp_path, "good.yaml", GOOD)
    code, out, err = run_cli(["check", str(rec)] + [str(tmp_path / a) if a in files else a for a in args])
    assert code == 2 and out == "" and fragment in err, err
    first = err.splitlines()[0]
    assert first.startswith(f"compliance: {tmp_path}"), first  # the user's file or folder
    doc = (REPO / "docs" / "bad-input.md").read_text(encoding="utf-8")
    assert f"| {cls} |" in doc and fragment in doc.split(f"| {cls} |")[1].split("\n")[0], "regenerate docs/bad-input.md"


# ---------------------------------------------------------------- fuzz: any value anywhere

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                     st.text(max_size=12), st.dates(), st.sampled_from(["coal", "<=", "580 g/L", "9 %", "120119", "6b"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(sorted(CONDITION) + ["param", "zh", "en", "x"]), inner, max_size=3)), max_leaves=8)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(where=st.sampled_from([p for p, _ in KEYED]), value=_VALUES)
def test_any_value_at_any_key_is_an_error_or_a_ruleset(tmp_path, where, value):
    """Whatever a key holds (nested lists and mappings included): the file
    loads, or every problem is a located RulesetError; nothing else."""
    from compliance.errors import RulesetError
    from compliance.ruleset import load_rulesets

    data = copy.deepcopy(BASE)
    _set(data, where, value)
    path = _write(tmp_path, data)
    try:
        load_rulesets([str(path)])
    except RulesetError as exc:
        assert exc.problems and all(p.file == str(path) and p.line >= 1 for p in exc.problems), exc.problems


#: Wrong types written out by hand (the cases above are derived from
#: ``accepted``, so a bug in it would move its own cases to the "right type"
#: side): true/false is not a number, and every item of a list is checked,
#: not only the first.
HAND_WRONG = [
    (("rules", 0, "cite", "row"), True, "expected a whole number, got true/false (true)"),
    (("ruleset", "version"), False, "expected text, a number or a date, got true/false (false)"),
    (("parameters", 0, "value"), True, "expected a quantity (e.g. 30 mg/m^3), got true/false (true)"),
    (("rules", 1, "require", "of"), ["perimeter_hoarding", ["x"]], "expected text, got a list"),
]


@pytest.mark.parametrize("path,value,message", HAND_WRONG, ids=[_label(p) for p, _, _ in HAND_WRONG])
def test_wrong_types_written_by_hand(tmp_path, path, value, message):
    data = copy.deepcopy(BASE)
    _set(data, path, value)
    code, out, err = _check(tmp_path, _write(tmp_path, data))
    assert code == 2 and "internal error" not in err, err
    assert message in err, err
