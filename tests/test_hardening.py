"""Bad, hostile and random input: exit 2 with file:line:field, never a traceback."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

import bad_inputs
from bad_inputs import CASES, GOOD, RULESET_CASES, content, run_cli
from conftest import EXAMPLES, REPO

FUZZ_COUNTS = {}


def _count(name):
    FUZZ_COUNTS[name] = FUZZ_COUNTS.get(name, 0) + 1


@pytest.mark.parametrize("case", CASES, ids=[c[1] for c in CASES])
def test_bad_record(tmp_path, case):
    cls, fname, _, fragment, field = case
    path = tmp_path / fname
    bad_inputs.write(case, str(path))
    code, out, err = run_cli(["check", str(path)])
    assert code == 2, (cls, out, err)
    assert out == ""
    assert "Traceback" not in err
    first = err.strip().splitlines()[0]
    assert first.startswith(f"compliance: {path}"), first
    assert fragment in err, err
    if field:
        assert f"] {field}:" in err, err
    if cls not in ("empty file", "file over the size limit", "very deep nesting") and "binary" not in cls \
            and case[2] is not bad_inputs.FIFO:
        assert re.match(rf"compliance: {re.escape(str(path))}:\d+:\d+: \[error\]", first), first


@pytest.mark.parametrize("index", range(len(RULESET_CASES)))
def test_bad_ruleset(tmp_path, index):
    cls, text, fragment = RULESET_CASES[index]
    rs = tmp_path / "rs.yaml"
    rs.write_text(text, encoding="utf-8")
    rec = tmp_path / "good.yaml"
    rec.write_text(GOOD)
    code, out, err = run_cli(["check", str(rec), "--ruleset", str(rs)])
    assert code == 2, (cls, err)
    assert fragment in err and "Traceback" not in err
    assert re.search(rf"{re.escape(str(rs))}:\d+:\d+: \[error\]", err), err
    assert out == ""


def test_doc_table_is_current():
    doc = (REPO / "docs" / "bad-input.md").read_text(encoding="utf-8")
    for case in CASES:
        assert f"| {case[0]} |" in doc, f"docs/bad-input.md lacks {case[0]!r}: regenerate it"
        assert case[3] in doc.split(f"| {case[0]} |")[1].split("\n")[0], case[0]
    for cls, _, fragment in RULESET_CASES:
        assert f"| {cls} |" in doc and fragment in doc.split(f"| {cls} |")[1].split("\n")[0], cls
    for cls, _, fragment, code, _ in bad_inputs.OUTPUT_CASES:
        row = doc.split(f"| {cls} |")[1].split("\n")[0] if f"| {cls} |" in doc else ""
        assert fragment in row and f"(exit {code})" in row, f"docs/bad-input.md: regenerate the row {cls!r}"


def test_alias_bomb_is_refused_in_bounded_time_and_memory(tmp_path):
    import tracemalloc

    from compliance._yaml import load_text
    from compliance.errors import InputError

    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(InputError, match="refused before expanding"):
        load_text(bad_inputs.BILLION_LAUGHS, "bomb.yaml")
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # expanding it would need 9**9 = 387 M nodes; refusing it touches ~100
    assert elapsed < 1.0 and peak < 5_000_000, (elapsed, peak)


def test_recursive_alias_is_refused():
    from compliance._yaml import load_text
    from compliance.errors import InputError

    with pytest.raises(InputError, match="recursive YAML alias"):
        load_text("facility: &a {id: F, region: 120119, x: *a}\n", "r.yaml")


def test_plain_aliases_still_work(tmp_path):
    p = tmp_path / "alias.yaml"
    p.write_text("facility: {id: F, region: 120119}\nx: &c {category: wood, voc_content: 700 g/L}\n"
                 .replace("x: &c", "coatings:\n  - &c {id: C1, category: wood, voc_content: 700 g/L}\n#"))
    code, out, err = run_cli(["check", str(p), "--as-of", "2019-03-01"])
    assert code == 1, err


def test_batch_keeps_checking_and_lists_failed_inputs(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("facility: {id: F}\n")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    code, out, err = run_cli(["check", str(bad), str(EXAMPLES / "jizhou-auto-parts.yaml"), str(empty),
                              "--format", "json"])
    data = json.loads(out)
    assert code == 2
    assert [r["source"] for r in data["records"]] == [str(EXAMPLES / "jizhou-auto-parts.yaml")]
    assert {os.path.basename(e["file"]) for e in data["errors"]} == {"bad.yaml", "empty.yaml"}
    assert err.count("compliance:") == 2


def test_exit_status_order(tmp_path):
    ok = tmp_path / "ok.yaml"
    ok.write_text(GOOD)
    assert run_cli(["check", str(ok)])[0] == 0
    assert run_cli(["check", str(ok), str(EXAMPLES / "jizhou-auto-parts.yaml")])[0] == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("facility: 1\n")
    assert run_cli(["check", str(ok), str(EXAMPLES / "jizhou-auto-parts.yaml"), str(bad)])[0] == 2


def test_no_traceback_from_the_installed_command(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("facility: {id: F, region: 120119}\nboiler: []\n")
    exe = os.path.join(os.path.dirname(sys.executable), "compliance")
    if not os.path.exists(exe):
        pytest.skip("console script not installed next to the interpreter")
    proc = subprocess.run([exe, "check", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{bad}:2:1: [error] boiler:" in proc.stderr


# ------------------------------------------------------------------ fuzzing

REGRESSIONS = REPO / "tests" / "fuzz_regressions"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.dates(), st.sampled_from(["610 g/L", "国六", "120119", "20 蒸吨/时", "‰", "1e309 m"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=25,
)


def _check_outcome(code, out, err):
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert err.startswith("compliance:"), err
    else:
        assert out


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=5000)
@given(doc=documents)
def test_fuzz_random_yaml_documents(tmp_path, doc):
    _count("random YAML documents")
    p = tmp_path / "fuzz.yaml"
    try:
        p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    except (yaml.YAMLError, UnicodeEncodeError):
        return
    _check_outcome(*run_cli(["check", str(p)]))


def _section_strategy():
    from compliance.vocabulary import vocabulary

    vocab = vocabulary()
    units = ["g/L", "克/升", "lb/gal", "kg/m^3", "t/h", "蒸吨/时", "MW", "兆瓦", "mg/m^3", "%", "‰", "m", "米",
             "kg/h", "m^3/h", "t/a", "吨/年", "µg/m³", "t/(month*km^2)", "kg", "", "furlong", "1/0", "**", "(", "g/L/L"]
    numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6))
    quantity = st.one_of(
        st.builds(lambda n, u: f"{n} {u}", numbers, st.sampled_from(units)),
        st.builds(lambda n, u: {"value": n, "unit": u}, numbers, st.sampled_from(units)),
        numbers, st.text(max_size=10),
    )

    def value_for(spec):
        options = [st.text(max_size=8), st.booleans(), st.none(), numbers, st.dates()]
        if spec.type == "quantity" or spec.type == "coverage":
            options.append(quantity)
        if spec.values:
            options.append(st.sampled_from(sorted(spec.values)))
            options.append(st.lists(st.sampled_from(sorted(spec.values) + ["junk"]), max_size=3))
        if spec.type == "stage":
            options.append(st.sampled_from(["国三", "国五", "国六", "6b", "国VI(B)", "第三阶段", "China 9", 7]))
        if spec.type == "mapping":
            options.append(st.fixed_dictionaries({}, optional={k: value_for(s) for k, s in spec.fields.items()}))
        return st.one_of(options)

    def entity(section):
        spec = vocab.sections[section]
        fields = {k: value_for(s) for k, s in spec.fields.items() if k != "id"}
        return st.fixed_dictionaries({"id": st.text(min_size=1, max_size=6)}, optional=fields)

    sections = {name: (st.lists(entity(name), max_size=3) if s.kind == "list" else entity(name))
                for name, s in vocab.sections.items() if name != "facility"}
    facility = st.fixed_dictionaries(
        {"id": st.text(min_size=1, max_size=8), "region": st.sampled_from(["120119", "110106", "120110", "天津市", "CN", "x"])},
        optional={k: value_for(s) for k, s in vocab.sections["facility"].fields.items() if k not in ("id", "region")},
    )
    return st.fixed_dictionaries(
        {"facility": facility},
        optional={**sections, "context": st.fixed_dictionaries({}, optional={
            "as_of": st.one_of(st.dates(dt.date(2010, 1, 1), dt.date(2030, 1, 1)), st.text(max_size=10)),
            "alert": st.sampled_from(["none", "yellow", "orange", "red", "purple"])})},
    )


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=5000)
@given(record=_section_strategy())
def test_fuzz_structured_records(tmp_path, record):
    """Records shaped like the format, with random values in every field."""
    _count("structured records")
    p = tmp_path / "fuzz.yaml"
    try:
        p.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    except (yaml.YAMLError, UnicodeEncodeError):
        return
    _check_outcome(*run_cli(["check", str(p), "--format", "json"]))


@settings(deadline=2000)
@given(raw=st.binary(max_size=200))
def test_fuzz_raw_bytes(tmp_path_factory, raw):
    _count("raw bytes")
    p = tmp_path_factory.mktemp("b") / "raw.yaml"
    p.write_bytes(raw)
    _check_outcome(*run_cli(["check", str(p)]))


@settings(deadline=2000)
@given(text=st.text(max_size=30), number=st.floats(allow_nan=True, allow_infinity=True))
def test_fuzz_unit_strings(text, number):
    from compliance.units import UnitProblem, parse_quantity

    _count("unit strings")
    for raw in (text, f"{number} {text}", {"value": number, "unit": text}):
        try:
            value, _ = parse_quantity(raw, "g/L")
        except UnitProblem:
            continue
        assert value == value and abs(value) != float("inf")


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.yaml")) if REGRESSIONS.is_dir() else [], ids=lambda p: p.name)
def test_fuzz_regressions(path):
    _check_outcome(*run_cli(["check", str(path)]))


@pytest.mark.parametrize("text, where", [
    ("2019-02-30: x\nfacility: {id: F, region: 120119}\n", ":1:1:"),
    ("facility: {id: F, region: 120119, key_pollutant_unit: !!bool maybe}\n", ":1:55:"),
    ("facility: {id: F, region: 120119}\ncontext: {as_of: !!timestamp x}\n", ":2:18:"),
])
def test_explicit_tags_pyyaml_cannot_construct_are_input_errors(tmp_path, text, where):
    """PyYAML's constructors raise KeyError/AttributeError/ValueError on these:
    a located input error, never "internal error"."""
    p = tmp_path / "t.yaml"
    p.write_text(text, encoding="utf-8")
    code, out, err = run_cli(["check", str(p)])
    assert code == 2 and where in err and "internal error" not in err, err
