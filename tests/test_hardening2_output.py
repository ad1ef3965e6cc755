"""Hardening round 2 (issue #10 classes 7, 14-18, 21): batches, output and
API misuse. One test group per class; each fails on the code before it."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time

import pytest

import compliance
import bad_inputs
from bad_inputs import GOOD, run_cli
from compliance import api, report
from compliance.api import Failure, check_many, iter_check
from conftest import EXAMPLES, REPO

VIOLATING = str(EXAMPLES / "jizhou-auto-parts.yaml")  # a record with violations (exit 1)
EXAMPLE_FILES = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
FORMATS = ["table", "json", "jsonl"]
OVERFLOW = bad_inputs.OVERFLOW  # a real internal error; if it is fixed, the record is simply reported


def _cli(*args, env=None, stdout=subprocess.PIPE, input_close=False):
    """The CLI in a subprocess (a real stdout): exit code, stdout bytes, stderr text."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    for key, value in list(full_env.items()):
        if value is None:
            del full_env[key]
    proc = subprocess.run([sys.executable, "-c", "from compliance.cli import run; run()", *args],
                          stdout=stdout, stderr=subprocess.PIPE, env=full_env)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def _records_in(fmt, out):
    """The sources of the record reports in ``out`` and its listed errors."""
    if fmt == "json":
        data = json.loads(out)
        return [r["source"] for r in data["records"]], data.get("errors", [])
    if fmt == "jsonl":
        lines = [json.loads(line) for line in out.split("\n") if line]
        return ([r["source"] for r in lines if "facility" in r],
                [e for r in lines if "errors" in r for e in r["errors"]])
    return re.findall(r"^(\S+\.yaml): ", out, re.M), []


# ------------------------------------------------ 7. one bad input, one failure


@pytest.fixture
def broken_normaliser(monkeypatch):
    """Normalising a record whose file name holds 'boom' raises a bug."""
    real = api.facts_of

    def facts_of(doc, **kw):
        if "boom" in doc.source:
            raise ZeroDivisionError("injected")
        return real(doc, **kw)

    monkeypatch.setattr(api, "facts_of", facts_of)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_internal_error_fails_one_record_only(tmp_path, broken_normaliser, fmt):
    boom = tmp_path / "boom.yaml"
    boom.write_text(GOOD)
    bad = tmp_path / "bad.yaml"
    bad.write_text("facility: {id: F}\n")
    files = [EXAMPLE_FILES[0], str(boom), VIOLATING, str(bad), EXAMPLE_FILES[-1]]
    code, out, err = run_cli(["check", *files, "--format", fmt])
    assert code == 3  # internal (3) outranks input errors (2) and violations (1)
    sources, errors = _records_in(fmt, out)
    assert sources == [EXAMPLE_FILES[0], VIOLATING, EXAMPLE_FILES[-1]]
    assert f"compliance: {boom}: [internal] internal error (ZeroDivisionError: injected)" in err
    assert "report it" in err and "COMPLIANCE_DEBUG=1" in err and "Traceback" not in err
    assert f"compliance: {bad}:1:11: [error] facility.region" in err
    if fmt != "table":
        assert {(e["file"], e["level"]) for e in errors} == {(str(boom), "internal"), (str(bad), "error")}


def test_a_rendering_failure_fails_one_record_only(monkeypatch):
    """A bug while rendering one record's table (after it was checked)."""
    real = report.render_table

    def render_table(rep, **kw):
        if rep.records[0].source == VIOLATING:
            raise RecursionError("injected")
        return real(rep, **kw)

    monkeypatch.setattr(report, "render_table", render_table)
    from compliance import writers

    monkeypatch.setattr(writers, "render_table", render_table)  # the table writer's own reference
    code, out, err = run_cli(["check", EXAMPLE_FILES[0], VIOLATING, EXAMPLE_FILES[-1]])
    assert code == 3
    assert _records_in("table", out)[0] == [EXAMPLE_FILES[0], EXAMPLE_FILES[-1]]
    assert f"{VIOLATING}: [internal] internal error (RecursionError: injected)" in err


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_overflow_in_a_batch_costs_only_its_record(tmp_path, fmt):
    """Once a real internal error (number formatting overflowed); now an
    input error of that record, located, and the others are reported."""
    ovf = tmp_path / "overflow.yaml"
    ovf.write_text(OVERFLOW)
    code, out, err = run_cli(["check", VIOLATING, str(ovf), EXAMPLE_FILES[0], "--format", fmt])
    sources, errors = _records_in(fmt, out)
    assert "Traceback" not in err and "internal error" not in err
    assert code == 2 and sources == [VIOLATING, EXAMPLE_FILES[0]]
    assert f"{ovf}:3:27: [error] coatings[C1].voc_content: 1e+308 kg/L is too large" in err, err
    assert fmt == "table" or [e["level"] for e in errors] == ["error"]


def test_api_reports_internal_errors_as_failures(tmp_path, broken_normaliser):
    boom = tmp_path / "boom.yaml"
    boom.write_text(GOOD)
    items = list(iter_check([VIOLATING, str(boom), {"facility": {"id": "F", "region": "120119"}}]))
    assert [type(i).__name__ for i in items] == ["RecordReport", "Failure", "RecordReport"]
    failure = items[1]
    assert isinstance(failure, Failure) and failure.internal and failure.source == str(boom)
    assert failure.problems[0].level == "internal" and "ZeroDivisionError" in failure.problems[0].message
    rep = check_many([VIOLATING, str(boom)])
    assert rep.exit_code == 3 and len(rep.records) == 1
    assert [e.level for e in rep.errors] == ["internal"]
    plain = check_many([VIOLATING, str(tmp_path / "missing.yaml")])
    assert plain.exit_code == 2 and not any(e.level == "internal" for e in plain.errors)


def test_debug_mode_still_shows_the_traceback(tmp_path, broken_normaliser, monkeypatch):
    boom = tmp_path / "boom.yaml"
    boom.write_text(GOOD)
    monkeypatch.setenv("COMPLIANCE_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        list(iter_check([str(boom)]))
    with pytest.raises(ZeroDivisionError):
        run_cli(["check", VIOLATING, str(boom)])


# ------------------------------------------------------- 14. broken pipe


@pytest.mark.parametrize("fmt", FORMATS)
def test_broken_pipe_is_never_exit_0_and_prints_nothing(fmt):
    """The reader leaves before the first byte (``| head -c 0``): exit 141
    (as a shell reports SIGPIPE), no traceback, no "Exception ignored"."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", "from compliance.cli import run; run()", "check", VIOLATING,
                             "--format", fmt], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # no reader left: the first write gets EPIPE
    err = proc.stderr.read().decode()
    assert proc.wait() == 141, err
    assert err == ""


def test_broken_pipe_mid_batch(tmp_path):
    """``| head -c 10`` on a batch big enough to fill the pipe."""
    script = (f"{sys.executable} -c 'from compliance.cli import run; run()' check "
              + " ".join(EXAMPLE_FILES * 4) + " --format json 2>err.txt | head -c 10 >/dev/null;"
              " echo ${PIPESTATUS[0]}")
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout.strip() in ("141", "1"), (tmp_path / "err.txt").read_text()  # 1: it all fitted in time
    assert (tmp_path / "err.txt").read_text() == ""


# ------------------------------------------------------------ 15. full disk


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux /dev/full")
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("files", [[VIOLATING], EXAMPLE_FILES], ids=["one", "batch"])
def test_full_disk_is_exit_3_with_a_message(fmt, files):
    with open("/dev/full", "wb") as full:
        code, _, err = _cli("check", *files, "--format", fmt, stdout=full)
    assert code == 3
    assert err.startswith("compliance: error: could not write the report to standard output: No space left on device")
    assert "Traceback" not in err and "Exception ignored" not in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux /dev/full")
@pytest.mark.parametrize("command", [["rules"], ["explain", "jizhou-2018/coating-voc/automotive-oem"], ["test"]])
def test_full_disk_other_commands(command):
    with open("/dev/full", "wb") as full:
        code, _, err = _cli(*command, stdout=full)
    assert code == 3 and "Exception ignored" not in err
    assert err.startswith("compliance: error: could not write the report to standard output: No space left")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux /dev/full")
@pytest.mark.parametrize("command", [["validate", VIOLATING], ["explain", "jizhou-2018/coating-voc/automotive-oem"],
                                     ["check", VIOLATING, "--format", "table"]])
def test_full_disk_with_buffered_stdout(command):
    """As a user runs it: stdout block-buffered (PYTHONUNBUFFERED unset), so
    a short report reaches the disk only at the final flush, which must fail
    inside the program (exit 3), not at interpreter exit."""
    with open("/dev/full", "wb") as full:
        code, _, err = _cli(*command, stdout=full, env={"PYTHONUNBUFFERED": None})
    assert code == 3 and "Exception ignored" not in err, err
    assert err.startswith("compliance: error: could not write the report to standard output: No space left")


# ------------------------------------------------ 16. stdout encodings

ENCODINGS = {
    "gbk": {"PYTHONIOENCODING": "gbk"},
    "cp936": {"PYTHONIOENCODING": "cp936"},
    "latin-1": {"PYTHONIOENCODING": "latin-1"},
    "ascii (C locale, no UTF-8 mode)": {"PYTHONIOENCODING": None, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
                                        "PYTHONCOERCECLOCALE": "0"},
}


@pytest.fixture(scope="module")
def utf8_outputs():
    return {fmt: _cli("check", VIOLATING, "--format", fmt, env={"PYTHONIOENCODING": "utf-8"}) for fmt in FORMATS}


@pytest.mark.parametrize("name", list(ENCODINGS))
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_is_utf8_whatever_the_locale(name, fmt, utf8_outputs):
    code, out, err = _cli("check", VIOLATING, "--format", fmt, env=ENCODINGS[name])
    assert (code, err) == (1, "")
    assert out == utf8_outputs[fmt][1]  # the same UTF-8 bytes
    text = out.decode("utf-8")
    assert "m³" in text and "蓟州" in text


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_table_in_the_stream_encoding_with_fallbacks(name, utf8_outputs):
    code, out, err = _cli("check", VIOLATING, env=ENCODINGS[name])
    assert (code, err) == (1, "")
    encoding = "ascii" if name.startswith("ascii") else name
    text = out.decode(encoding)  # strictly in the stream's encoding
    full = utf8_outputs["table"][1].decode("utf-8")
    assert text.count("\n") == full.count("\n") and text.splitlines()[-1] == full.splitlines()[-1]
    assert "mg/m³" in full
    assert ("mg/m³" if encoding == "latin-1" else "mg/m3") in text  # else the compatibility spelling
    if encoding in ("gbk", "cp936"):
        assert "蓟州示例汽车零部件有限公司" in text and "────" in text
    else:  # neither CJK nor box drawing: escapes and plain lines, nothing dropped
        assert "\\u84df\\u5dde" in text and "----" in text


def test_errors_on_a_non_utf8_stderr(tmp_path):
    bad = tmp_path / "坏.yaml"
    bad.write_text("facility: {id: F, region: 120119, name: µ³}\nboiler: []\n", encoding="utf-8")
    code, out, err = _cli("check", str(bad), env=ENCODINGS["ascii (C locale, no UTF-8 mode)"])
    assert code == 2 and out == b""
    assert "\\xe5\\x9d\\x8f.yaml:2:1: [error] boiler:" in err and "Traceback" not in err  # the name's bytes


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_name_that_is_not_utf8(tmp_path, fmt):
    name = os.fsencode(str(tmp_path)) + b"/bad\xff.yaml"
    with open(name, "wb") as fh:
        fh.write(GOOD.encode())
    proc = subprocess.run([sys.executable, "-c", "from compliance.cli import run; run()", "check", name, "--format",
                           fmt, "--as-of", "2019-03-01"], capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0 and proc.stderr == b""
    text = proc.stdout.decode("utf-8")  # valid UTF-8
    if fmt == "table":
        assert "bad\\xff.yaml:\n  F (region 120119" in text  # the file, then the facility (80 columns)
    else:
        rec = json.loads(text.split("\n")[0]) if fmt == "jsonl" else json.loads(text)["records"][0]
        assert os.fsencode(rec["source"]) == name  # the escape gives the same bytes back


# ---------------------------------------------- 17. terminal control characters

CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE = ('facility: {id: "F\\e[31m1", region: 120119, name: "A\\e[2J\\aB\\r\\ncompliance: forged\\u202eX\\x85"}\n'
           'coatings:\n  - {id: "C\\e]0;title\\a1", voc_content: 700 g/L, category: automotive_oem}\n')


def test_controls_are_escaped_in_the_table(tmp_path):
    from compliance.table import display_width

    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE)
    code, out, err = run_cli(["check", str(path)])
    assert code == 1 and not CONTROLS.search(out), out
    assert r"F\x1b[31m1" in out and r"A\x1b[2J\x07B\x0d\x0acompliance: forged\u202eX\x85 (region" in out
    assert r"[C\x1b]0;title\x071]" in out  # the escaped id whole on its line
    assert "\ncompliance: forged" not in out
    widths = {display_width(line) for line in out.splitlines() if line.startswith(("│", "┌", "├", "└"))}
    assert len(widths) == 1  # escaped before the layout: the grid stays aligned


def test_json_keeps_controls_exact(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE)
    for fmt in ("json", "jsonl"):
        code, out, _ = run_cli(["check", str(path), "--format", fmt])
        data = json.loads(out.split("\n")[0] if fmt == "jsonl" else out)
        rec = data if fmt == "jsonl" else data["records"][0]
        assert rec["facility"]["name"] == "A\x1b[2J\x07B\r\ncompliance: forged\u202eX\x85"
        assert "\x1b" not in out  # JSON's own escaping


def test_controls_are_escaped_in_error_messages(tmp_path):
    path = tmp_path / "a\x1b[2Jb.yaml"
    path.write_text('facility: {id: F, region: 120119}\n"bo\\e[2Jiler\\ncompliance: fake": []\n')
    code, out, err = run_cli(["check", str(path)])
    assert code == 2 and not CONTROLS.search(err) and err.count("\n") == 1, err
    assert r"a\x1b[2Jb.yaml:2:1: [error] bo\x1b[2Jiler\x0acompliance: fake: unknown top-level key" in err
    code, out, err = run_cli(["validate", str(path)])
    assert code == 2 and not CONTROLS.search(out) and r"bo\x1b[2Jiler\x0acompliance: fake" in out


def test_controls_are_escaped_in_rules_and_explain(tmp_path):
    from bad_inputs import RULESET_HEAD

    text = (RULESET_HEAD.replace("title: {zh: 测试, en: Test}", 'title: {zh: "测\\e[2J试", en: "T\\u202eest"}')
            + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n")
    rs = tmp_path / "rs.yaml"
    rs.write_text(text)
    code, out, err = run_cli(["rules", "--ruleset", str(rs)])
    assert code == 0 and not CONTROLS.search(out + err), out + err
    code, out, err = run_cli(["explain", "t/r", "--ruleset", str(rs)])
    assert code == 0 and not CONTROLS.search(out + err), out + err
    assert r"测\x1b[2J试 / T\u202eest" in out


# ------------------------------------------------------- 18. linear wrapping


def _calls(text, width):
    """How many times the wrapper looks up a character's width."""
    from compliance import table

    real = table._char_width
    count = [0]

    def counting(ch):
        count[0] += 1
        return real(ch)

    table._char_width = counting
    try:
        table.wrap_lines(text, width)
    finally:
        table._char_width = real
    return count[0]


@pytest.mark.parametrize("char", ["é", "蓟", "x", "é "])
def test_wrap_is_linear_in_operations(char):
    n = 2000
    small, big = _calls(char * n, 18), _calls(char * (4 * n), 18)
    assert big <= 4.5 * small  # quadratic would be ~16x (it was)


def test_table_time_grows_linearly_with_an_id():
    def seconds(n):
        rec = {"facility": {"id": "F", "region": "120119"},
               "coatings": [{"id": "é" * n, "voc_content": "700 g/L", "category": "automotive_oem"}]}
        rep = compliance.check(rec, as_of="2019-03-01")
        times = []
        for _ in range(5):
            start = time.perf_counter()
            report.render_table(rep)
            times.append(time.perf_counter() - start)
        return min(times)  # the least disturbed run: other processes share the cores

    seconds(100)  # warm up
    ratio = seconds(20000) / seconds(5000)
    assert ratio < 8, ratio  # 4x the text: ~4x the time; quadratic is 16x


def test_wrap_keeps_long_words_whole():
    """A word wider than the line stands alone on its line, never cut (an id
    a reviewer copies); CJK text breaks between characters."""
    from compliance.table import display_width, wrap_lines

    assert wrap_lines("é" * 40, 18) == ["é" * 40]
    assert wrap_lines("x" * 7, 1) == ["x" * 7]
    lines = wrap_lines("ab 蓟州" * 3, 5)
    assert "".join(lines).replace(" ", "") == ("ab 蓟州" * 3).replace(" ", "")
    assert all(display_width(line) <= 5 for line in lines)


# ------------------------------------------------------------- 21. API misuse

RECORD = {"facility": {"id": "F", "region": "120119"}}


@pytest.mark.parametrize("kwargs, fragment", [
    ({"rulesets": []}, "an empty selection would check nothing"),
    ({"rulesets": "cn-tj-clean-air-2014"}, "got a single str 'cn-tj-clean-air-2014'; write ['cn-tj-clean-air-2014']"),
    ({"rulesets": [None]}, "rulesets[0]: expected a bundled ruleset id"),
    ({"rulesets": [b"x"]}, "rulesets[0]: expected a bundled ruleset id"),
    ({"rulesets": 5}, "rulesets: expected a list"),
    ({"alert": ["red"]}, "alert: expected None or one of"),
    ({"alert": "purple"}, "alert: unknown alert level 'purple'"),
    ({"engine": 0}, "engine: expected None or an engine name"),
    ({"show_all": "no"}, "show_all: expected True or False, got str 'no'"),
    ({"as_of": 2019}, "as_of: expected a datetime.date or 'YYYY-MM-DD' text, got int 2019"),
    ({"as_of": dt.datetime(2019, 3, 1)}, "pass its .date()"),
], ids=lambda v: repr(v)[:40])
@pytest.mark.parametrize("func", ["check", "check_many", "iter_check"])
def test_api_misuse_is_a_usage_error(func, kwargs, fragment):
    call = getattr(compliance, func)
    with pytest.raises(compliance.UsageError) as info:
        call(RECORD if func == "check" else [RECORD], **kwargs)
    assert fragment in str(info.value)


@pytest.mark.parametrize("records", [VIOLATING, RECORD, 5, None], ids=["str", "mapping", "int", "None"])
@pytest.mark.parametrize("func", ["check_many", "iter_check"])
def test_records_must_be_a_collection(func, records):
    with pytest.raises(compliance.UsageError, match="records: expected an iterable of records"):
        getattr(compliance, func)(records)


@pytest.mark.parametrize("record", [None, 5, b"x.yaml", ["x.yaml"]], ids=repr)
def test_check_needs_a_path_or_mapping(record):
    with pytest.raises(compliance.UsageError, match="record: expected a record: a path"):
        compliance.check(record)


def test_a_non_record_in_a_batch_fails_alone():
    rep = check_many([VIOLATING, None, RECORD])
    assert len(rep.records) == 2 and rep.exit_code == 2
    assert [(e.file, e.message[:17]) for e in rep.errors] == [("<records[1]>", "expected a record")]


def test_selection_functions_check_their_arguments(tmp_path):
    for call in (compliance.load_rulesets, compliance.evaluator):
        with pytest.raises(compliance.UsageError, match="single str"):
            call("cn-tj-clean-air-2014")
        with pytest.raises(compliance.UsageError, match="empty selection"):
            call([])
    with pytest.raises(compliance.UsageError, match="engine: expected"):
        compliance.evaluator(None, engine=["kernel"])
    with pytest.raises(compliance.RulesetError, match="no ruleset file"):  # located at the folder (exit 2)
        compliance.load_rulesets([str(tmp_path)])
    assert compliance.load_rulesets(["cn-tj-clean-air-2014"])[0].id == "cn-tj-clean-air-2014"


def test_mixed_key_types_in_a_record_mapping_are_input_errors():
    with pytest.raises(compliance.InputError) as info:
        compliance.check({**RECORD, 1: "x", "zz": 2})
    assert [p.field for p in info.value.problems] == ["1", "zz"]
    with pytest.raises(compliance.InputError) as info:  # unknown fields inside an entity are errors too
        compliance.check({"facility": {"id": "F", "region": "120119", 2: "y", "zz": 1}})
    assert [p.field for p in info.value.problems] == ["facility.2", "facility.zz"]


# ------------------------------------------- the documented cases (docs/bad-input.md)


@pytest.mark.parametrize("index", range(len(bad_inputs.OUTPUT_CASES)))
def test_output_case(tmp_path, index):
    cls, _, fragment, code, run = bad_inputs.OUTPUT_CASES[index]
    if "/dev/full" in bad_inputs.OUTPUT_CASES[index][1] and not os.path.exists("/dev/full"):
        pytest.skip("needs Linux /dev/full")
    got, message = run(str(tmp_path))
    assert (got, fragment in message) == (code, True), (cls, message)
    assert "Traceback" not in message


def test_closed_stdout_and_stderr(tmp_path):
    """Started with fd 1 closed: exit 3 with a message. With fd 2 closed:
    the messages are dropped, never written into the report on stdout."""
    cmd = f"{sys.executable} -c 'from compliance.cli import run; run()' check {VIOLATING}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(["bash", "-c", cmd + " >&-"], capture_output=True, text=True, env=env)
    assert proc.returncode == 3
    assert proc.stderr == "compliance: error: could not write the report: standard output is closed\n"
    proc = subprocess.run(["bash", "-c", cmd + f" {tmp_path}/missing.yaml --format json 2>&-"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and proc.stderr == ""
    assert [e["file"] for e in json.loads(proc.stdout)["errors"]] == [f"{tmp_path}/missing.yaml"]


def test_input_error_needs_problems():
    with pytest.raises(compliance.UsageError, match="got a single str; use InputError.at"):
        compliance.InputError("oops")
    with pytest.raises(compliance.UsageError, match="expected Problem objects, got int 5"):
        compliance.RulesetError([5])
    problem = compliance.Problem("f.yaml", 1, 2, "x", "bad")
    assert compliance.InputError(iter([problem])).problems == [problem]


def test_one_record_failing_in_json_leaves_a_valid_document(tmp_path, broken_normaliser):
    boom = tmp_path / "boom.yaml"
    boom.write_text(GOOD)
    code, out, err = run_cli(["check", str(boom), "--format", "json"])
    data = json.loads(out)
    assert code == 3 and data["records"] == [] and data["as_of"] is None
    assert [e["level"] for e in data["errors"]] == ["internal"]


def test_short_writes_are_finished_or_reported():
    """A byte layer that takes a few bytes per call is written to until all
    are taken; one that stops taking any is an OutputError, not a silent cut."""
    from compliance._output import OutputError, _SafeBytes

    class Trickle:
        def __init__(self, room):
            self.room, self.got = room, b""

        def write(self, data):
            n = min(3, len(data), self.room - len(self.got))
            self.got += bytes(data[:n])
            return n

    ok = Trickle(room=100)
    assert _SafeBytes(ok, "x").write(b"0123456789" * 5) == 50 and ok.got == b"0123456789" * 5
    with pytest.raises(OutputError, match="short write \\(20 of 50 bytes\\)"):
        _SafeBytes(Trickle(room=20), "x").write(b"0123456789" * 5)
