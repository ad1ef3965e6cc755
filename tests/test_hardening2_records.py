"""Issue #10, records: nothing renamed, misread, hung on or lost.

One test (or a generated family) per class of the issue:

1. YAML 1.1 number, boolean and date forms keep their text where the record
   format means text (ids and text fields), in both YAML loaders;
5. unknown field names are errors with "did you mean" (case, look-alike
   letters, invisible characters), free-form data has ``notes`` and ``x_``;
   warnings go to stderr, never into the table;
6. non-regular files (FIFO, device, directory) are refused at once, for
   ``check``, ``validate`` and ``--ruleset``;

and the mutation audit's blind spot: a field written as null is unknown on
every engine and both normalisers, never the format's default.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
import yaml

import compliance._yaml as Y
from bad_inputs import GOOD, JUDGEMENTS, KEPT, run_cli
from compliance.api import evaluator
from compliance.errors import InputError
from compliance.normalise import normalise, normalise_fast
from compliance.record import record_from_data, record_from_document, suggest
from compliance.vocabulary import vocabulary
from conftest import REPO

AS_OF = dt.date(2019, 3, 1)


def facts_both_loaders(text, source="r.yaml"):
    """Facts of ``text`` through the fast YAML loader and the reference one,
    each through the fast and the validating normaliser: all four equal."""
    out = []
    for load in (Y.load_text, Y._load_text_reference):
        doc = load(text, source)
        slow = normalise(record_from_document(doc), as_of=AS_OF)
        fast = normalise_fast(doc, as_of=AS_OF)
        if fast is not None:
            assert fast == slow
        out.append(slow)
    assert out[0] == out[1]
    return out[0]


# ------------------------------------------------------------------ class 1


FORMS = ["010", "0x0A", "1.10", "1.1e+1", "1:00", "0123", "0o17", "0b101", "1_000", "+5", "-0", ".5", "1e3",
         "yes", "No", "on", "OFF", "y", "n", "true", "2019-01-01", "2019-01-01 10:00:00", ".inf", ".NaN"]


@pytest.mark.parametrize("form", FORMS)
def test_ids_keep_the_text_as_written(form):
    text = (f"facility: {{id: {form}, region: 120119, name: {form}, town: {form}}}\n"
            f"boilers:\n  - {{id: {form}, fuel: coal}}\n"
            f"coatings:\n  - {{id: {form}, product: {form}}}\n"
            f"nonroad_machinery:\n  - {{id: {form}, kind: {form}}}\n")
    facts = facts_both_loaders(text)
    assert facts.facility.id == form and facts.name == form
    assert facts.facility.values["town"] == form
    by = {e.section: e for e in facts.entities}
    assert by["boilers"].id == by["coatings"].id == by["nonroad_machinery"].id == form
    assert by["coatings"].values["product"] == form and by["nonroad_machinery"].values["kind"] == form
    assert by["boilers"].ref == f"boilers[{form}]"


def test_findings_name_the_entity_as_written(tmp_path):
    p = tmp_path / "octal.yaml"
    p.write_text(GOOD + "boilers:\n  - {id: 010, fuel: coal, use: industrial, capacity: 10 t/h}\n")
    code, out, err = run_cli(["check", str(p), "--format", "json", "--as-of", "2019-03-01"])
    ids = {f["entity"]["id"] for r in json.loads(out)["records"] for f in r["findings"] if f["entity"]["type"] == "boilers"}
    assert ids == {"010"}, (ids, err)


@pytest.mark.parametrize("form", ["null", "~", "", "Null", "NULL"])
def test_an_id_written_as_null_is_missing(form):
    with pytest.raises(InputError, match="required field 'id' is missing or empty"):
        facts_both_loaders(GOOD + f"boilers:\n  - {{id: {form}, fuel: coal}}\n")
    with pytest.raises(InputError, match="required field 'id' is missing or empty"):
        facts_both_loaders(f"facility: {{id: {form}, region: 120119}}\n")


@pytest.mark.parametrize("form", ["010", "0x0A", "0123", "1:00", "1_000", "+5", "0b101"])
def test_keys_keep_the_text_as_written(form):
    """A key like ``010`` (an int to YAML 1.1) is ``'010'``, not ``'8'``, in both loaders."""
    assert type(next(iter(yaml.safe_load(f"{form}: x")))) is int
    for load in (Y.load_text, Y._load_text_reference):
        assert load(f"a: {{{form}: x}}\n", "k.yaml").data == {"a": {form: "x"}}
    with pytest.raises(InputError) as exc:
        facts_both_loaders(GOOD + f"boilers:\n  - {{id: B1, {form}: coal}}\n")
    assert [p.field for p in exc.value.problems] == [f"boilers[B1].{form}"]


def test_json_numbers_are_their_text(tmp_path):
    p = tmp_path / "r.json"
    p.write_text('{"facility": {"id": 10, "region": "120119", "name": 1.10}, "boilers": [{"id": 7}]}')
    doc = Y.load_document(str(p))
    facts = normalise(record_from_document(doc), as_of=AS_OF)
    assert (facts.facility.id, facts.name, facts.entities[0].id) == ("10", "1.10", "7")


def test_python_values_without_one_spelling_are_refused():
    facts = normalise(record_from_data({"facility": {"id": 10, "region": "120119"}, "boilers": [{"id": 7}]}))
    assert (facts.facility.id, facts.entities[0].id) == ("10", "7")  # an int's text is exact
    for bad in (True, 1.5, dt.date(2019, 1, 1)):
        with pytest.raises(InputError, match="write it in quotes"):
            normalise(record_from_data({"facility": {"id": "F", "region": "120119"}, "boilers": [{"id": bad}]}))
        with pytest.raises(InputError, match="write it in quotes"):
            normalise(record_from_data({"facility": {"id": "F", "region": "120119", "name": bad}}))


def test_texts_survive_aliases_and_pickling():
    import pickle

    text = "a: &x 010\nb: *x\nc: &y [1.10, yes, x]\nd: [*y]\n"
    for load in (Y.load_text, Y._load_text_reference):
        doc = load(text, "a.yaml")
        assert dict(doc.texts) == {("a",): "010", ("b",): "010", ("c", 0): "1.10", ("c", 1): "yes",
                                   ("d", 0, 0): "1.10", ("d", 0, 1): "yes"}
        assert dict(pickle.loads(pickle.dumps(doc)).texts) == dict(doc.texts)


@pytest.mark.parametrize("text, message", [
    ("boilers:\n  - {id: B1, fuel: 1.10}\n", "unknown value '1.10'"),
    ("coatings:\n  - {id: C1, category: yes}\n", "unknown value 'yes'"),
    ("boilers:\n  - {id: B1, bag_filter: 2019-01-01}\n", "expected true or false, got '2019-01-01'"),
    ("gas_heaters:\n  - {id: H1, nox_class: 1.5e+1}\n", "expected a whole number, got '1.5e\\+1'"),
    ("vehicles:\n  - {id: V1, emission_stage: 1.10}\n", "unknown emission stage '1.10'"),
    ("furnaces:\n  - {id: K1, dust_removal: [cyclone, 1.10]}\n", "unknown value '1.10'"),
    ("boilers:\n  - {id: B1, fuel: 010}\n", "'010' is read by YAML 1.1 as the octal number 8"),
])
def test_messages_quote_the_value_as_written(text, message):
    with pytest.raises(InputError, match=message):
        facts_both_loaders(GOOD + text)


@pytest.mark.parametrize("text, number, base", [
    ("stacks:\n  - {id: S1, height: {value: 1:00, unit: m}}\n", "'1:00'", "base 60 number 60"),
    ("stacks:\n  - {id: S1, height: {value: 010, unit: m}}\n", "'010'", "octal number 8"),
    ("gas_heaters:\n  - {id: H1, nox_class: 0b11}\n", "'0b11'", "binary number 3"),
    ("construction_sites:\n  - {id: C1, dust_measures: {wet_earthwork: 0x1}}\n", "'0x1'", "hexadecimal number 1"),
    ("boilers:\n  - {id: B1, emissions: {o2: {value: 1:30, unit: '%'}}}\n", "'1:30'", "base 60 number 90"),
])
def test_numbers_yaml_misreads_are_refused(text, number, base):
    """A number in octal, hexadecimal, binary or base 60 would be judged at a value nobody wrote."""
    with pytest.raises(InputError, match=f"{number} is read by YAML 1.1 as the {base}: write the number in decimal"):
        facts_both_loaders(GOOD + text)
    assert normalise_fast(Y.load_text(GOOD + text, "n.yaml")) is None


def test_numbers_that_read_as_they_look_are_kept():
    facts = facts_both_loaders(GOOD + "gas_heaters:\n  - {id: H1, nox_class: 05, efficiency_grade: 0_1}\n"
                               "stacks:\n  - {id: S1, height: {value: 1.10, unit: m}, air_flow: {value: 1.1e+1, unit: m^3/h}}\n"
                               "vehicles:\n  - {id: V1, emission_stage: 05}\n")
    by = {e.section: e.values for e in facts.entities}
    assert by["gas_heaters"]["nox_class"] == 5 and by["gas_heaters"]["efficiency_grade"] == 1
    assert by["stacks"]["height"] == 1.1 and by["stacks"]["air_flow"] == 11.0
    assert by["vehicles"]["emission_stage"].label == "5"


@pytest.mark.parametrize("case", KEPT, ids=[c[1] for c in KEPT])
def test_kept_as_written(tmp_path, case):
    cls, fname, text, fragment = case
    p = tmp_path / fname
    p.write_text(text, encoding="utf-8")
    code, out, err = run_cli(["check", str(p), "--format", "json", "--as-of", "2019-03-01"])
    assert code in (0, 1) and fragment in out, (cls, code, err)
    doc = (REPO / "docs" / "bad-input.md").read_text(encoding="utf-8")
    assert f"| {cls} | `{fragment}`" in doc and all(para in doc for para in JUDGEMENTS), "regenerate docs/bad-input.md"


# ------------------------------------------------------------------ class 5


def _unknown(text):
    with pytest.raises(InputError) as exc:
        facts_both_loaders(text)
    return exc.value.problems


@pytest.mark.parametrize("where, text, field, hint", [
    ("facility", "facility: {id: F, region: 120119, nmae: x}\n", "facility.nmae", "did you mean 'name'?"),
    ("entity", GOOD + "boilers:\n  - {id: B1, Fuel: coal}\n", "boilers[B1].Fuel", "only the letter case differs"),
    ("nested mapping", GOOD + "boilers:\n  - {id: B1, emissions: {NOx: 80 mg/m^3}}\n", "boilers[B1].emissions.NOx",
     "did you mean 'nox'?"),
    ("single section", GOOD + "ldar: {programme: true}\n", "ldar.programme", "did you mean 'program'?"),
    ("Cyrillic look-alike", GOOD + "stacks:\n  - {id: S1, h\u0435ight: 20 m}\n", "stacks[S1].h\u0435ight",
     "U+0435 CYRILLIC SMALL LETTER IE"),
    ("Greek look-alike", GOOD + "stacks:\n  - {id: S1, \u03bfnline_monitoring: true}\n",
     "stacks[S1].\u03bfnline_monitoring", "U+03BF GREEK SMALL LETTER OMICRON"),
    ("full-width letters", GOOD + "boilers:\n  - {id: B1, \uff46uel: coal}\n", "boilers[B1].\uff46uel",
     "did you mean 'fuel'? it is written with"),
    ("zero-width space", GOOD + "boilers:\n  - {id: B1, fuel\u200b: coal}\n", "boilers[B1].fuel\u200b",
     "invisible U+200B ZERO WIDTH SPACE"),
    ("zero-width joiner in a nested name", GOOD + "boilers:\n  - {id: B1, emissions: {s\u200do2: 5 mg/m^3}}\n",
     "boilers[B1].emissions.s\u200do2", "did you mean 'so2'? it contains an invisible U+200D"),
    ("notes inside a nested mapping", GOOD + "boilers:\n  - {id: B1, emissions: {notes: x}}\n",
     "boilers[B1].emissions.notes", "free-form data goes under 'notes' or a key starting with 'x_'"),
    ("unknown context field", "context: {alret: red}\n" + GOOD, "context.alret", "did you mean 'alert'?"),
])
def test_unknown_fields_are_errors(where, text, field, hint):
    problems = _unknown(text)
    assert [(p.field, p.level) for p in problems] == [(field, "error")], where
    assert hint in problems[0].message and problems[0].line > 0, problems[0].message


def test_unknown_field_exits_2_and_is_not_judged(tmp_path):
    """The issue's example: NOx was ignored, the limit indeterminate, exit 0."""
    p = tmp_path / "nox.yaml"
    p.write_text("context: {as_of: 2019-03-01}\nfacility: {id: F, region: 120119}\n"
                 "boilers:\n  - {id: B1, fuel: gas, capacity: 10 t/h, use: industrial, emissions: {NOx: 400 mg/m^3}}\n")
    code, out, err = run_cli(["check", str(p)])
    assert code == 2 and out == "" and "did you mean 'nox'" in err


def test_suggest_folds_but_names_what_differs():
    assert suggest("NOX", ["nox", "so2"]) == " (did you mean 'nox'? only the letter case differs)"
    assert suggest("colour", ["color"]) == " (did you mean 'color'?)"
    assert suggest("zzz", ["nox"]) == ""
    assert suggest("f\u200bule", ["fuel"]) == " (did you mean 'fuel'? it contains an invisible U+200B ZERO WIDTH SPACE)"
    assert suggest("zz\u200dz", ["nox"]) == " (it contains an invisible U+200D ZERO WIDTH JOINER)"
    # a look-alike spelling difflib alone would miss (every letter Cyrillic)
    assert "did you mean 'cope'?" in suggest("\u0441\u043e\u0440\u0435", ["cope", "rope"])


def _free_form_record():
    vocab = vocabulary()
    note = vocab.free_form_field
    rec = {"x_batch": {"by": "script"}, "context": {"as_of": "2019-03-01", "x_why": "audit"},
           "facility": {"id": "F", "region": "120119", note: "visited", "x_contact": ["Li", 1]}}
    for name, spec in vocab.sections.items():
        if name == "facility":
            continue
        entity = {note: {"any": ["value", 1, None]}, "x_seen": dt.date(2019, 1, 1)}
        for key, field in spec.fields.items():
            if field.type == "mapping":
                entity[key] = {"x_lab": "CMA-17"}
        rec[name] = entity if spec.kind == "single" else [dict(entity, id="E1")]
    return rec


def _strip_free_form(value):
    vocab = vocabulary()
    if isinstance(value, dict):
        return {k: _strip_free_form(v) for k, v in value.items()
                if not k.startswith(vocab.free_form_prefix) and k != vocab.free_form_field}
    if isinstance(value, list):
        return [_strip_free_form(v) for v in value]
    return value


def test_notes_and_x_keys_are_kept_and_never_judged():
    rec = _free_form_record()
    bare = _strip_free_form(rec)
    with_notes = normalise(record_from_data(rec))
    assert with_notes == normalise(record_from_data(bare))
    text = yaml.safe_dump(rec, allow_unicode=True)
    doc = Y.load_text(text, "notes.yaml")
    fast = normalise_fast(doc)  # free-form data at every level keeps the fast path
    assert fast is not None and fast == normalise(record_from_document(doc))
    ev = evaluator(None, "kernel")
    assert ev.findings(with_notes, show_all=True) == ev.findings(normalise(record_from_data(bare)), show_all=True)
    assert record_from_data(rec).facility.fields[vocabulary().free_form_field] == "visited"  # kept as written


def test_bundled_examples_use_no_unknown_fields():
    for path in sorted((REPO / "examples").glob("*.yaml")):
        record_from_document(Y.load_document(str(path)))  # raises on an unknown field


def test_warnings_go_to_stderr_never_into_the_table(tmp_path):
    p = tmp_path / "open.yaml"
    p.write_text("facility: {id: F, region: 120119, industries: [minng]}\n")
    code, out, err = run_cli(["check", str(p), "--as-of", "2019-03-01"])
    assert "[warning]" not in out and "minng" not in out and out
    assert "[warning] facility.industries: value 'minng' is not in the vocabulary" in err
    code, out, err = run_cli(["check", str(p), "--as-of", "2019-03-01", "--lang", "zh"])
    assert "[warning]" not in out and "minng" not in out
    code, out, err = run_cli(["check", str(p), "--as-of", "2019-03-01", "--format", "json"])
    [rec] = json.loads(out)["records"]
    assert [w["level"] for w in rec["warnings"]] == ["warning"] and "minng" in err


# ------------------------------------------------------------------ class 6


def _cli(*args, timeout=60):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-c", "from compliance.cli import run; run()", *args],
                          capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("how", ["check", "validate", "--ruleset", "ruleset folder"])
def test_a_named_pipe_is_refused_at_once(tmp_path, how):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    args = {"check": ["check", str(fifo)], "validate": ["validate", str(fifo)],
            "--ruleset": ["check", str(good), "--ruleset", str(fifo)],
            "ruleset folder": ["check", str(good), "--ruleset", str(tmp_path)]}[how]
    if how == "ruleset folder":
        good.rename(tmp_path.parent / "good.yaml")
        args[1] = str(tmp_path.parent / "good.yaml")
    r = _cli(*args)  # a hang fails here (TimeoutExpired)
    assert r.returncode == 2, r.stderr
    assert f"{fifo}: [error] is a named pipe (FIFO), not a regular file" in (r.stderr + r.stdout)
    assert "Traceback" not in r.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_file_swapped_for_a_pipe_after_stat_is_refused(tmp_path):
    """The race: stat sees a regular file, open finds a FIFO (O_NONBLOCK + fstat)."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    code = ("import os, stat, sys\n"
            "import compliance._yaml as Y\n"
            "from compliance.errors import InputError\n"
            "real = os.stat\n"
            "class S:\n"
            "    st_mode = stat.S_IFREG | 0o644\n"
            "os.stat = lambda p, *a, **k: S() if str(p) == sys.argv[1] else real(p, *a, **k)\n"
            "try:\n"
            "    Y.load_document(sys.argv[1])\n"
            "except InputError as exc:\n"
            "    print(exc)\n")
    r = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert "is a named pipe (FIFO)" in r.stdout, r.stderr


def test_devices_and_directories_are_refused(tmp_path):
    for path, what in (("/dev/null", "is a character device"), (str(tmp_path), "is a directory")):
        if not os.path.exists(path):
            continue
        with pytest.raises(InputError, match=what):
            Y.load_document(path)
        code, out, err = run_cli(["check", path])
        # a folder given to check is a batch input (compliance.sources): searched, and refused when empty
        assert code == 2 and (what in err if what != "is a directory" else "no record files" in err), err


def test_standard_input_is_not_a_file_name(tmp_path, monkeypatch):
    """'-' is never opened as a file called '-' (standard input is its own feature)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text(GOOD)
    with pytest.raises(InputError) as exc:
        Y.load_document(Y.STDIN)
    assert "standard input" in str(exc.value)


# ------------------------------------------------------------------ null


def _leaves():
    """(section, dotted field, spec) of every field of record.yaml, mappings too."""
    vocab = vocabulary()
    for name, section in vocab.sections.items():
        for dotted, spec in section.leaves.items():
            yield name, dotted, spec


FIELDS = list(_leaves())


def _with_null(section, dotted):
    """A record with ``dotted`` of one ``section`` entity written as null (and that field left out)."""
    def nest(value):
        out = value
        for part in reversed(dotted.split(".")[1:]):
            out = {part: out}
        return {dotted.split(".")[0]: out}

    base = {"context": {"as_of": "2019-03-01"}, "facility": {"id": "F", "region": "120119"}}
    absent = json.loads(json.dumps(base))
    if section == "facility":
        base["facility"].update(nest(None))
        return base, absent
    kind = vocabulary().sections[section].kind
    base[section] = nest(None) if kind == "single" else [{"id": "E1", **nest(None)}]
    absent[section] = {} if kind == "single" else [{"id": "E1"}]
    return base, absent


from compliance.engine import durable_available

ENGINES = ("kernel", "direct") + (("durable",) if durable_available() else ())  # durable: not on Python 3.13


@pytest.mark.parametrize("section, dotted, spec", FIELDS, ids=[f"{s}.{d}" for s, d, _ in FIELDS])
def test_null_is_unknown_never_the_default(section, dotted, spec):
    rec, absent = _with_null(section, dotted)
    if spec.required:
        with pytest.raises(InputError, match="missing"):
            normalise(record_from_data(rec))
        with pytest.raises(InputError, match="missing"):
            normalise(record_from_document(Y.load_text(yaml.safe_dump(rec), "n.yaml")))
        return
    got = []
    for doc in (Y.Document("<record>", rec, {}), Y.load_text(yaml.safe_dump(rec), "n.yaml")):
        slow = normalise(record_from_document(doc))
        fast = normalise_fast(doc)
        assert fast is None or fast == slow
        got.append(slow)
    facts = got[0]
    entity = facts.facility if section == "facility" else facts.entities[0]
    prefix = dotted + "."
    assert not any(k == dotted or k.startswith(prefix) for k in entity.values), (dotted, entity.values)
    assert not any(k == dotted or k.startswith(prefix) for k in entity.defaulted)
    # the same as the field absent, once the absent record's defaults are taken away
    plain = normalise(record_from_data(absent))
    plain_entity = plain.facility if section == "facility" else plain.entities[0]
    removed = {k for k in plain_entity.defaulted if k == dotted or k.startswith(prefix)}
    assert {k: v for k, v in plain_entity.values.items() if k not in removed} == dict(entity.values)
    findings = [evaluator(None, engine).findings(facts, show_all=True) for engine in ENGINES]
    assert all(f == findings[0] for f in findings[1:]), dotted
    if not removed:
        assert findings[0] == evaluator(None, "kernel").findings(plain, show_all=True)


def test_status_null_is_indeterminate_not_a_violation():
    """The audit's case: a kiln with status: null was judged as operating (the default)."""
    kiln = "furnaces:\n  - {id: K1, kind: cement_kiln, %seia_approved: 2015-06-01, emissions: {pm: 25 mg/m^3, o2: 10 %%}}\n"
    rule = "tianjin-2014/cement-kiln-special-limit/pm"
    for engine in ENGINES:
        ev = evaluator(None, engine)
        for status, expect in (("", "violation"), ("status: null, ", "indeterminate"), ("status: ~, ", "indeterminate"),
                               ("status: , ", "indeterminate")):
            facts = normalise(record_from_document(Y.load_text(
                "context: {as_of: 2018-01-01}\nfacility: {id: F, region: 120110}\n" + kiln % status, "k.yaml")))
            [f] = [f for f in ev.findings(facts) if f.rule == rule]
            assert f.status == expect, (engine, status, f.status)


@pytest.mark.parametrize("key", ["as_of", "alert"])
def test_context_null_is_an_error_on_both_paths(key):
    text = f"context: {{{key}: null}}\n" + GOOD
    doc = Y.load_text(text, "c.yaml")
    assert normalise_fast(doc) is None
    with pytest.raises(InputError, match="written as null") as exc:
        normalise(record_from_document(doc))
    assert exc.value.problems[0].field == f"context.{key}" and exc.value.problems[0].line == 1


@pytest.mark.parametrize("section", [name for name in vocabulary().sections if name != "facility"])
def test_a_section_written_as_null_is_a_section_not_given(section):
    with_null = facts_both_loaders(f"{GOOD}{section}: null\n")
    assert with_null == facts_both_loaders(GOOD)


def test_a_null_list_item_is_an_error():
    with pytest.raises(InputError, match="item 2 is empty"):
        facts_both_loaders("facility: {id: F, region: 120119, industries: [steel, null]}\n")


def test_the_null_test_can_fail(monkeypatch):
    """A normaliser that gave a null field its default is caught by the generated test."""
    import compliance.normalise as N

    monkeypatch.setattr(N, "_written", lambda fields, dotted: False)
    monkeypatch.setattr(N, "_FAST", [])  # rebuilt with the mutation
    [(section, dotted, spec)] = [f for f in FIELDS if f[0] == "boilers" and f[1] == "status"]
    with pytest.raises(AssertionError):
        test_null_is_unknown_never_the_default(section, dotted, spec)
