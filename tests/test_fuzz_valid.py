"""Fuzzing biased to *valid* input, with mutations drawn from the hostile
classes of docs/bad-input.md, and fuzzing of user rulesets.

The random fuzzers of ``test_hardening.py`` mostly stop at validation. Here
every example starts from a record known to be valid -- one per test case
embedded in the bundled rulesets (several hundred, covering every rule) and
the bundled examples -- and applies one mutation of a class the hardening
issue names (number forms in ids, unit traps and pasted spellings, overflow,
unknown and look-alike field names, null fields, control characters, long
ids). So examples reach normalisation, both engines and both renderers.

Each mutation carries a property that holds whatever the tool chooses to do
with the input (accept or refuse), so the suite checks the *class*:

* the outcome is a report or an :class:`InputError` -- nothing else;
* the kernel and the interpreter give the same statuses (and the durable
  engine on the mutations that reach engine differences, where it imports);
* the table and JSON render; the table has no raw control characters;
* an id written in the file is the id in the findings (never renamed);
* an unknown field name is refused (never dropped);
* a spelling that means the same unit gives the same statuses, or is refused;
* ``null`` is refused or means "not written" (never the default).

The number of examples is ``FUZZ_EXAMPLES`` (default 150 per test, so the
suite stays quick; the closing note of the hardening issue quotes a long run).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from test_hardening import _count

from compliance.errors import ComplianceError, InputError, RulesetError, UsageError

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
REPO = Path(__file__).resolve().parents[1]

SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])


# ------------------------------------------------------------------ corpus

def _plain(value):
    """Dates to ISO text, so a record dumps as plain YAML."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _corpus():
    from compliance.api import load_rulesets
    from compliance.testing import case_record

    out = []
    for rs in load_rulesets(None):
        for rule in rs.rules:
            for case in rule.tests:
                out.append(_plain(case_record(rule, rs.jurisdiction, case)))
    for path in sorted((REPO / "examples").glob("*.yaml")):
        out.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


CORPUS = _corpus()


def _entities(record):
    """(section, entity dict) for every entity and the facility."""
    from compliance.vocabulary import vocabulary

    sections = vocabulary().sections
    out = [("facility", record["facility"])]
    for name, value in record.items():
        if name in sections and name != "facility":
            if isinstance(value, list):
                out.extend((name, e) for e in value if isinstance(e, dict))
            elif isinstance(value, dict):
                out.append((name, value))
    return out


def _quantity_fields(record):
    """(entity, key, number text, unit text) of every written 'N unit' quantity."""
    out = []
    for _, ent in _entities(record):
        for key, value in ent.items():
            if isinstance(value, str):
                m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*(\S.*)", value)
                if m and re.search(r"[A-Za-z%‰³µ/\u4e00-\u9fff]", m.group(2)):
                    out.append((ent, key, m.group(1), m.group(2).strip()))
            elif isinstance(value, dict):  # nested (emissions: {nox: ...})
                for sub, v in value.items():
                    if isinstance(v, str):
                        m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*(\S.*)", v)
                        if m and re.search(r"[A-Za-z%‰³µ/]", m.group(2)):
                            out.append((value, sub, m.group(1), m.group(2).strip()))
    return out


# ------------------------------------------------------------------ running

def _dump(record, raw=None):
    """YAML text of ``record``; ``raw`` maps placeholder strings to text
    written unquoted in their place (for YAML 1.1 number forms)."""
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=10_000)
    for marker, written in (raw or {}).items():
        text = text.replace(f"'{marker}'", written).replace(marker, written)
    return text


def _run(tmp_path, text, engine="kernel", name="fuzz.yaml"):
    """('report', statuses, report) or ('error', problems, None)."""
    from compliance.api import check

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    try:
        report = check(path, engine=engine)
    except InputError as exc:
        assert exc.problems, "an InputError without a located problem"
        for p in exc.problems:
            assert p.file == str(path) or p.file.startswith(str(path)), p
        return "error", tuple(exc.problems), None
    statuses = sorted((f.rule, f.entity_type, f.entity_id, f.status) for f in report.findings)
    return "report", statuses, report


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _render_ok(report):
    from compliance.report import render_json, render_table

    for lang in ("en", "zh"):
        table = render_table(report, lang=lang)
        bad = CONTROL.search(table)
        assert bad is None, f"raw control character {bad.group()!r} in the table"
    json.loads(render_json(report))


def _outcome(tmp_path, text):
    """Run on the kernel and the interpreter; they must agree; render."""
    kind, got, report = _run(tmp_path, text, "kernel")
    kind2, got2, _ = _run(tmp_path, text, "direct")
    assert kind == kind2, (kind, kind2, got, got2)
    if kind == "report":
        assert got == got2, "kernel and interpreter disagree"
        _render_ok(report)
    return kind, got, report


# ------------------------------------------------------------------ records

record = st.sampled_from(CORPUS).map(copy.deepcopy)

NUMBER_FORMS = ["010", "0x0A", "1.10", "1.1e+1", "1:00", "0123", "0o17", "1_000", "+12", ".5", "1e3",
                "yes", "no", "on", "off", "true", "null", "~", "2019-01-01", "12:30:00", ".inf", ".nan"]


@SETTINGS
@given(rec=record, form=st.sampled_from(NUMBER_FORMS), data=st.data())
def test_ids_and_text_are_never_renamed(tmp_path, rec, form, data):
    """Class 1: an id or a name written unquoted keeps its text, or the
    record is refused -- findings never name an entity not in the file."""
    _count("valid records: number forms in ids and names")
    ents = _entities(rec)
    # the facility and list entities have ids; a single section (monitoring) is named by the facility
    section, ent = data.draw(st.sampled_from([(s, e) for s, e in ents if s == "facility" or isinstance(rec[s], list)]))
    key = data.draw(st.sampled_from(["id", "name"])) if section == "facility" else "id"
    marker = "__RAW_ID__"
    ent[key] = marker
    kind, got, report = _outcome(tmp_path, _dump(rec, {marker: form}))
    if kind == "error":
        return
    rr = report.records[0]
    if section == "facility":
        if form in ("null", "~") and key == "name":
            assert rr.facility[key] is None  # a name written as null is unknown, not the text 'null'
        else:
            assert rr.facility[key] == form, (rr.facility[key], form)
    else:
        # every entity named by a finding is one written in the file (not_applicable findings are
        # not listed, so the renamed entity may have none): '010' must never come back as '8'
        ids = {eid for _, etype, eid, _ in got if etype == section}
        assert ids <= {form} | {str(e.get("id")) for s, e in ents if s == section and e is not ent}, (ids, form)


# unit spellings that mean exactly the unit written in the corpus: accepted
# with the same statuses, or refused -- never read as something else
SAME_UNIT = {
    "mg/m³": ["mg/m3", "mg/m^3", "mg/Nm3", "mg/Nm³", "毫克/立方米", "mg/m³ "],
    "g/L": ["g/l", "克/升", "ｇ/Ｌ"],
    "t/h": ["t/h", "吨/时", "吨/小时", "蒸吨/时"],
    "%": ["％", "percent"],
    "m": ["米", "ｍ"],
    "m³/h": ["m3/h", "m^3/h"],
}
# spellings a writer uses for the same unit that pint reads otherwise
# (``ton`` is pint's US short ton, ``mW`` a milliwatt): refused, or read as
# this domain means them (the metric 吨, a megawatt)
TRAPS = {
    "t/h": ["ton/h", "tons/h", "tonne/h", "metric_ton/h"],
    "g/L": ["g/liter", "g/litre", "gram/L"],
    "MW": ["mW", "mw", "Mw"],
}


@SETTINGS
@given(rec=record.filter(lambda r: _quantity_fields(r)), data=st.data())
def test_unit_spellings_mean_the_same_or_are_refused(tmp_path, rec, data):
    """Classes 2 and 3: a pasted spelling of the same unit gives the same
    statuses (or is refused with a message); a trap unit (short ton, US
    gallon, milliwatt for megawatt) never silently changes a verdict."""
    _count("valid records: unit spellings and traps")
    ent, key, number, unit = data.draw(st.sampled_from(_quantity_fields(rec)))
    kind0, base, _ = _outcome(tmp_path, _dump(rec))
    options = SAME_UNIT.get(unit, []) + TRAPS.get(unit, [])
    if not options or kind0 != "report":
        return
    spelling = data.draw(st.sampled_from(options))
    ent[key] = f"{number} {spelling}"
    kind, got, _ = _outcome(tmp_path, _dump(rec))
    if spelling in SAME_UNIT.get(unit, ()) and kind == "error":
        return  # refused with a message: allowed (the docs table says which are accepted)
    if kind == "report" and spelling in TRAPS.get(unit, ()):
        # accepted only if it means what this domain means (tonne, litre): same statuses
        assert got == base, f"{spelling!r} accepted with another meaning than {unit!r}"
    if kind == "report":
        assert got == base, f"{spelling!r} changed the verdicts against {unit!r}"


HUGE = ["1e308", "9" * 400, "1.7976931348623157e308", "1e-320", "4e307", "-0", "0.0"]


@SETTINGS
@given(rec=record.filter(lambda r: _quantity_fields(r)), number=st.sampled_from(HUGE), data=st.data())
def test_extreme_magnitudes_are_input_errors_or_finite(tmp_path, rec, number, data):
    """Class 4: overflow after conversion or oxygen correction is a located
    input error, identical on every engine; never an internal error."""
    _count("valid records: extreme magnitudes")
    ent, key, _, unit = data.draw(st.sampled_from(_quantity_fields(rec)))
    ent[key] = f"{number} {unit}"
    kind, got, report = _outcome(tmp_path, _dump(rec))
    if kind == "report":
        for f in report.findings:
            for part in (f.observed, f.limit):
                if part and isinstance(part.get("value"), float):
                    assert part["value"] == part["value"] and abs(part["value"]) != float("inf"), f


def _lookalike(name, how):
    if how == "upper":
        return name.upper() if name.upper() != name else name.capitalize() + "X"
    if how == "cyrillic":
        table = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"})
        out = name.translate(table)
        return out if out != name else name + "а"
    if how == "zero-width":
        return name[:1] + "\u200b" + name[1:]
    if how == "typo":
        return name[:-1] if len(name) > 2 else name + name
    return name + "_"


@SETTINGS
@given(rec=record, how=st.sampled_from(["upper", "cyrillic", "zero-width", "typo", "suffix"]), data=st.data())
def test_unknown_field_names_are_refused(tmp_path, rec, how, data):
    """Class 5: a misspelt field (case, look-alike letter, zero-width space,
    typo) is an error naming it -- never silently dropped."""
    _count("valid records: misspelt field names")
    section, ent = data.draw(st.sampled_from(_entities(rec)))
    keys = [k for k in ent if k != "id" and not k.startswith("x_") and k != "notes"]
    if not keys:
        return
    key = data.draw(st.sampled_from(keys))
    bad = _lookalike(key, how)
    if bad == key or bad in ent:
        return
    ent[bad] = ent.pop(key)
    kind, got, _ = _outcome(tmp_path, _dump(rec))
    assert kind == "error", f"{bad!r} (for {key!r}) in {section} was accepted: the value would be dropped"


@SETTINGS
@given(rec=record, data=st.data())
def test_free_form_extra_data_changes_nothing(tmp_path, rec, data):
    """The documented place for extra data (``notes:``, ``x_`` keys) is
    kept and never changes a verdict."""
    _count("valid records: notes and x_ fields")
    kind0, base, _ = _outcome(tmp_path, _dump(rec))
    if kind0 != "report":
        return
    _, ent = data.draw(st.sampled_from(_entities(rec)))
    ent[data.draw(st.sampled_from(["notes", "x_internal_ref", "x_备注"]))] = data.draw(
        st.one_of(st.text(max_size=30), st.integers(), st.lists(st.text(max_size=5), max_size=3)))
    kind, got, _ = _outcome(tmp_path, _dump(rec))
    assert kind == "report" and got == base


def _has_default(section, key):
    from compliance.vocabulary import vocabulary

    return any(name == key or name.startswith(key + ".") for name, _ in vocabulary().sections[section].defaults)


@SETTINGS
@given(rec=record, data=st.data())
def test_null_is_never_the_default(tmp_path, rec, data):
    """Blind spot: ``field: null`` is refused or means unknown. For a field
    without a default that is "not written": the statuses equal those of the
    record without the field. (A field with a default -- ``status``,
    ``in_service`` -- differs from "not written" by design: null is unknown,
    absent is the default; tests/test_hardening2_records.py covers those.)"""
    _count("valid records: null fields")
    section, ent = data.draw(st.sampled_from(_entities(rec)))
    keys = [k for k in ent if k not in ("id", "region") and not _has_default(section, k)]
    if not keys:
        return
    key = data.draw(st.sampled_from(keys))
    without = copy.deepcopy(rec)
    for s, e in _entities(without):
        if s == section and e.get("id") == ent.get("id"):
            e.pop(key, None)
            break
    ent[key] = None
    kind, got, _ = _outcome(tmp_path, _dump(rec))
    if kind == "error":
        return
    kind2, got2, _ = _outcome(tmp_path, _dump(without))
    assert kind2 == "report" and got == got2, f"{section}.{key}: null is not 'not written'"


NASTY = ["\x1b[2J\x1b[H", "a\rFORGED", "x\ny", "bell\x07", "\u202eevil", "\x9b31m", "tab\there", "\x00nul",
         "長" * 3000, "a" * 5000]


@SETTINGS
@given(rec=record, text=st.sampled_from(NASTY), data=st.data())
def test_control_characters_never_reach_the_table(tmp_path, rec, text, data):
    """Classes 17 and 18: names and ids with control characters render
    neutralised (JSON exact); very long ids render."""
    _count("valid records: control characters and long text")
    section, ent = data.draw(st.sampled_from(_entities(rec)))
    key = data.draw(st.sampled_from(["id", "name"])) if section == "facility" else "id"
    ent[key] = text
    kind, got, report = _outcome(tmp_path, _dump(rec))
    if kind == "report":
        from compliance.report import render_json

        if section == "facility":
            assert json.loads(render_json(report))["records"][0]["facility"][key] == text


# ------------------------------------------------------------------ rulesets

def _bundled_texts():
    from compliance.ruleset import bundled_paths

    return [(Path(p).name, yaml.safe_load(Path(p).read_text(encoding="utf-8"))) for p in bundled_paths()]


BUNDLED = _bundled_texts()
WRONG_TYPES = [None, True, 7, 1e309, [], ["x"], [["x"]], {}, {"a": 1}, {"param": ["x"]}, "x" * 2000,
               "{", "}", "{observed:d}", "{observed!r}", "{observed:{limit.__class__}}", "{observed:>300000000}",
               "{nonsense}", dt.date(9999, 12, 31), dt.date(1, 1, 1), "9999-12-31", list(range(700))]


def _keys(node, path=()):
    """Every (path, key) of a rule mapping, at any depth."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path, k
            yield from _keys(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _keys(v, path + (i,))


def _at(node, path):
    for p in path:
        node = node[p]
    return node


@SETTINGS
@given(pick=st.sampled_from(BUNDLED), data=st.data())
def test_fuzz_user_rulesets(tmp_path, pick, data):
    """A bundled ruleset, given as a user file with one key of one rule set
    to a wrong type, a hostile template, a far date or a wide list: either
    a located RulesetError (exit 2) or a ruleset that loads, compiles and
    checks its own embedded cases -- never another exception."""
    _count("user rulesets: one key mutated")
    from compliance.evaluate import Evaluator
    from compliance.ruleset import load_rulesets
    from compliance.testing import run_cases

    name, doc = pick
    doc = copy.deepcopy(doc)
    doc["ruleset"]["id"] = "fuzz-" + str(doc["ruleset"]["id"])  # not a clash with the bundled one
    rules = doc.get("rules") or []
    if not rules:
        return
    rule = data.draw(st.sampled_from(rules))
    for r in rules:
        r["id"] = "fuzz/" + str(r["id"])
    path, key = data.draw(st.sampled_from(list(_keys(rule))))
    _at(rule, path)[key] = data.draw(st.sampled_from(WRONG_TYPES))
    file = tmp_path / name
    try:
        file.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    except (yaml.YAMLError, OverflowError, ValueError):
        return
    try:
        rulesets = load_rulesets([str(file)])
    except (RulesetError, InputError) as exc:
        assert exc.problems and all(str(file) in str(p) for p in exc.problems), exc
        assert any(p.line for p in exc.problems), f"no line in {exc}"
        return
    except UsageError:
        return
    ev = Evaluator(rulesets, "kernel")
    for result in run_cases(rulesets, ev):
        assert result.error is None or "internal" not in result.error


def test_examples_were_run():
    """The corpus is what it says: every bundled rule's cases are in it."""
    from compliance.api import load_rulesets

    cases = sum(len(r.tests) for rs in load_rulesets(None) for r in rs.rules)
    assert len(CORPUS) == cases + len(list((REPO / "examples").glob("*.yaml")))
    assert cases > 500
