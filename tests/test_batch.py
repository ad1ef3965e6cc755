"""Batch inputs (compliance.sources) and outputs (compliance.writers): folders,
JSON Lines, standard input, ledgers; findings tables read back and compared
with the JSON report; the summary; the progress bar; flat memory."""

from __future__ import annotations

import csv
import io
import json
import os
import pickle
import subprocess
import sys
import types

import pytest
import yaml

from compliance import sources
from compliance._yaml import Document
from compliance.api import Failure
from compliance.errors import InputError, Problem
from compliance.writers import COLUMNS
from conftest import EXAMPLES, REPO

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
GOOD = {"context": {"as_of": "2019-03-01"}, "facility": {"id": "F", "region": "120119"}}


def _line(d) -> str:
    return json.dumps(d, ensure_ascii=False, default=str)


def _example_lines():
    return [_line(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in EXAMPLE_FILES]


@pytest.fixture
def tree(tmp_path):
    """A folder of records: nested, hidden parts, a README, a symlink loop."""
    top = tmp_path / "records"
    (top / "b" / "deeper").mkdir(parents=True)
    (top / ".git").mkdir()
    for name in ("z.yaml", "a.yml", "b/m.json", "b/deeper/c.yaml", ".git/hidden.yaml", ".hidden.yaml"):
        (top / name).write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    (top / "README.md").write_text("not a record")
    (top / "b" / "lines.jsonl").write_text(_line(GOOD) + "\n\n" + _line(GOOD) + "\n")
    try:
        os.symlink(top, top / "b" / "loop")  # back to the top: walked once
    except OSError:  # pragma: no cover - no symlinks on this file system
        pass
    return top


def _sources(items):
    return [sources.source_of(i) for i in items]


# ------------------------------------------------------------------ inputs


def test_folder_is_walked_sorted_recursive_hidden_skipped_loop_safe(tree):
    got = _sources(sources.expand([str(tree)]))
    rel = [os.path.relpath(s.split(".jsonl:")[0] + (".jsonl" if ".jsonl:" in s else ""), tree) + (
        ":" + s.rsplit(":", 1)[1] if ".jsonl:" in s else "") for s in got]
    assert rel == ["a.yml", os.path.join("b", "deeper", "c.yaml"), os.path.join("b", "lines.jsonl") + ":1",
                   os.path.join("b", "lines.jsonl") + ":3", os.path.join("b", "m.json"), "z.yaml"]


def test_a_folder_without_records_is_an_error(cli, tmp_path):
    (tmp_path / "empty" / ".hidden").mkdir(parents=True)
    (tmp_path / "empty" / "notes.txt").write_text("x")
    r = cli("check", tmp_path / "empty", EXAMPLE_FILES[0], "--format", "jsonl")
    assert r.exit_code == 2 and f"{tmp_path / 'empty'}: [error] no record files" in r.stderr
    assert len(r.output.splitlines()) == 2


def test_expand_is_lazy_and_items_pickle(tmp_path):
    p = tmp_path / "big.jsonl"
    p.write_text("".join(_line(GOOD) + "\n" for _ in range(1000)))
    gen = sources.expand([str(p)])
    first = next(gen)
    assert isinstance(first, sources.JsonLine) and first.line == 1
    assert pickle.loads(pickle.dumps(first)) == first
    doc = first.document()
    assert pickle.loads(pickle.dumps(doc)).data == doc.data
    fail = sources._failure("x", [Problem("x", 1, 0, "", "m")])
    assert pickle.loads(pickle.dumps(fail)) == fail


def test_jsonl_bad_line_costs_only_that_line(cli, tmp_path):
    lines = _example_lines()
    bad_value = _line({**GOOD, "coatings": [{"id": "C1", "voc_content": "610 gramz/L"}]})
    text = "\n".join([lines[0], "", "{oops", bad_value, '{"facility": {"id": "F", "region": "120119"}, "facility": {}}',
                      "[1, 2]", lines[1]]) + "\n"
    p = tmp_path / "register.jsonl"
    p.write_text(text, encoding="utf-8")
    r = cli("check", p, "--format", "jsonl")
    assert r.exit_code == 2
    out = [json.loads(x) for x in r.output.splitlines()]
    assert [o["source"] for o in out] == [f"{p}:{n}" for n in (1, 3, 4, 5, 6, 7)]
    assert "findings" in out[0] and "findings" in out[-1]
    assert [o["errors"][0]["line"] for o in out[1:5]] == [3, 4, 5, 6]
    assert f"{p}:3:2: [error] JSON syntax error" in r.stderr
    assert f"{p}:4:0: [error] coatings[C1].voc_content: " in r.stderr  # the record's problem points at its line
    assert f"{p}:5:0: [error] facility: duplicate key 'facility'" in r.stderr
    assert f"{p}:6:0: [error] " in r.stderr and "top level must be a mapping" in r.stderr
    # a finding's line is the record's line
    assert {f.get("line") for f in out[-1]["findings"]} == {7}


def test_jsonl_record_equals_the_yaml_record(cli, tmp_path):
    path = EXAMPLES / "jizhou-auto-parts.yaml"
    p = tmp_path / "one.jsonl"
    p.write_text(_line(yaml.safe_load(path.read_text(encoding="utf-8"))) + "\n", encoding="utf-8")
    a = json.loads(cli("check", p, "--format", "jsonl").output)
    b = json.loads(cli("check", path, "--format", "jsonl").output)
    for d in (a, b):
        d.pop("source")
        for f in d["findings"]:
            f.pop("line", None)
    assert a == b


def test_jsonl_encoding_and_overlong_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_BYTES", 200)
    p = tmp_path / "r.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + _line(GOOD).encode() + b"\n" + b'{"x": "\xb9\xfe"}\n' + b"{" + b" " * 500 + b"}\n"
                  + _line(GOOD).encode())
    items = list(sources.expand([str(p)]))
    assert isinstance(items[0], sources.JsonLine) and items[0].document().data == GOOD
    assert isinstance(items[1], Failure) and "not UTF-8" in items[1].problems[0].message
    assert items[1].problems[0].line == 2
    assert isinstance(items[2], Failure) and "longer than the 200-byte limit" in items[2].problems[0].message
    assert isinstance(items[3], sources.JsonLine) and items[3].line == 4  # no final newline: still read


def _stdin(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_yaml_record(cli, monkeypatch):
    path = EXAMPLES / "jizhou-auto-parts.yaml"
    _stdin(monkeypatch, path.read_bytes())
    a = json.loads(cli("check", "-", "--format", "json").output)
    b = json.loads(cli("check", path, "--format", "json").output)
    assert a["records"][0].pop("source") == "<stdin>"
    b["records"][0].pop("source")
    assert a == b


def test_stdin_json_lines_and_errors(cli, monkeypatch):
    _stdin(monkeypatch, (_line(GOOD) + "\n{bad\n").encode())
    r = cli("check", "-", "--stdin-format", "jsonl", "--format", "jsonl")
    assert r.exit_code == 2
    out = [json.loads(x) for x in r.output.splitlines()]
    assert [o["source"] for o in out] == ["<stdin>:1", "<stdin>:2"]
    assert "<stdin>:2:2: [error] JSON syntax error" in r.stderr
    _stdin(monkeypatch, b"facility: {id: F, region: 120119\n")
    r = cli("check", "-")
    assert r.exit_code == 2 and "<stdin>:2:1: [error] YAML syntax error" in r.stderr
    _stdin(monkeypatch, b"")
    r = cli("check", "-", "-")
    assert r.exit_code == 2 and "standard input given twice" in r.stderr


def test_mixed_inputs_in_order_and_a_missing_one(cli, tree, tmp_path, monkeypatch):
    jl = tmp_path / "x.jsonl"
    jl.write_text(_line(GOOD) + "\n")
    _stdin(monkeypatch, yaml.safe_dump(GOOD).encode())
    missing = tmp_path / "missing.yaml"
    r = cli("check", EXAMPLE_FILES[0], jl, missing, "-", tree, "--format", "jsonl")
    assert r.exit_code == 2
    got = [json.loads(x)["source"] for x in r.output.splitlines()]
    assert got[:4] == [str(EXAMPLE_FILES[0]), f"{jl}:1", str(missing), "<stdin>"]
    assert got[4:] == _sources(sources.expand([str(tree)]))
    assert f"{missing}: [error] no such file" in r.stderr


def _fake_ledger(monkeypatch, calls):
    mod = types.ModuleType("compliance.ledger")

    def iter_records(path, mapping=None, ledger=None):
        calls.append((path, mapping))
        yield Document(f"{path}", {"facility": {"id": "L1", "region": "120119"}}, {})
        yield Failure(f"{path}:sheet!C3", (Problem(f"{path}:sheet!C3", 3, 3, "boilers[B1].capacity", "bad"),))
        yield Document(f"{path}", {"facility": {"id": "L2", "region": "120119"}}, {})
        raise InputError(Problem(path, 9, 0, "", "unreadable row"))

    mod.iter_records = iter_records  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "compliance.ledger", mod)
    import compliance

    monkeypatch.setattr(compliance, "ledger", mod, raising=False)


def test_ledgers_dispatch_to_compliance_ledger(cli, tmp_path, monkeypatch):
    calls: list = []
    _fake_ledger(monkeypatch, calls)
    book, mapping = tmp_path / "reg.xlsx", tmp_path / "map.yaml"
    # the row path (the fake has no read_ledger for the columnar path: tests/test_ledger_columnar.py)
    r = cli("check", book, tmp_path / "b.CSV", "--mapping", mapping, "--format", "jsonl", "--no-columnar")
    assert calls == [(str(book), str(mapping)), (str(tmp_path / "b.CSV"), str(mapping))]
    out = [json.loads(x) for x in r.output.splitlines()]
    assert [o.get("facility", {}).get("id") for o in out] == ["L1", None, "L2", None] * 2
    assert r.exit_code == 2 and "sheet!C3" in r.stderr and "unreadable row" in r.stderr


def test_mapping_without_a_ledger_is_a_usage_error(cli, tmp_path):
    r = cli("check", EXAMPLE_FILES[0], "--mapping", tmp_path / "m.yaml")
    assert r.exit_code == 2 and "--mapping applies to .csv and .xlsx" in r.stderr


def test_ledger_module_missing_fails_that_input_only(cli, tmp_path, monkeypatch):
    import compliance

    monkeypatch.setitem(sys.modules, "compliance.ledger", None)
    monkeypatch.delattr(compliance, "ledger", raising=False)  # imported by an earlier test: from . import finds it
    r = cli("check", tmp_path / "reg.csv", EXAMPLE_FILES[0], "--format", "jsonl")
    out = [json.loads(x) for x in r.output.splitlines()]
    assert r.exit_code == 2 and "errors" in out[0] and "findings" in out[1]
    assert "spreadsheet ledgers (.csv, .xlsx) cannot be read" in r.stderr


def test_validate_takes_folders_jsonl_and_stdin(cli, tree, tmp_path, monkeypatch):
    jl = tmp_path / "x.jsonl"
    jl.write_text(_line(GOOD) + "\n" + _line({**GOOD, "boiler": []}) + "\n")
    _stdin(monkeypatch, yaml.safe_dump(GOOD).encode())
    r = cli("validate", tree, jl, "-", REPO / "rulesets")
    assert f"{jl}:2:0: [error] boiler: unknown top-level key" in r.output
    n_rulesets = len([p for p in os.listdir(REPO / "rulesets") if p.endswith(".yaml")])
    assert r.output.splitlines()[-1].startswith(f"{6 + 2 + 1 + n_rulesets} inputs: 1 errors, 0 warnings, ")
    assert r.exit_code == 2


# ----------------------------------------------------------------- outputs


def _expected_rows(jsonl_text: str):
    """The rows of the findings table, from the JSON report (independently of the writers)."""

    def text(v):
        return None if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)

    rows = []
    for line in jsonl_text.splitlines():
        rec = json.loads(line)
        if "errors" in rec:
            for e in rec["errors"]:
                rows.append({"source": rec["source"], "status": "error", "field": e["field"] or None,
                             "message": e["message"], "line": e["line"] or None})
            continue
        for f in rec["findings"]:
            lim, obs = f["limit"] or {}, f["observed"] or {}
            rows.append({"source": rec["source"], "facility_id": rec["facility"]["id"],
                         "entity_type": f["entity"]["type"], "entity_id": f["entity"]["id"], "rule": f["rule"],
                         "ruleset": f["ruleset"], "status": f["status"], "observed": text(obs.get("value")),
                         "op": lim.get("op"), "limit": text(lim.get("value")), "unit": lim.get("unit", obs.get("unit")),
                         "severity": f["severity"], "clause": f["source"]["clause"], "message": f["message"]["en"],
                         "line": f.get("line"), "as_of": rec["as_of"],
                         "reason_code": (f.get("reason") or {}).get("code"),
                         "waiver_id": (f.get("waiver") or {}).get("id"), "waived_status": f.get("waived_status"),
                         "details": None if "details" not in f else json.dumps(f["details"], ensure_ascii=False,
                                                                               separators=(",", ":"))})
        for w in rec.get("warnings", ()):
            rows.append({"source": rec["source"], "status": "warning", "message": w["message"]})
    return rows


def _batch(tmp_path):
    p = tmp_path / "batch.jsonl"
    lines = _example_lines()
    p.write_text("\n".join(lines[:3] + ["{oops"] + lines[3:]) + "\n", encoding="utf-8")
    return [p, *EXAMPLE_FILES[:2], "--show-all"]


def _compare(rows, expected):
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        assert set(got) == set(COLUMNS)
        assert {k: got[k] for k in want} == want


def test_csv_read_back_equals_the_json_findings(cli, tmp_path):
    args = _batch(tmp_path)
    expected = _expected_rows(cli("check", *args, "--format", "jsonl").output)
    r = cli("check", *args, "--format", "csv")
    assert r.exit_code == 2
    assert r.output.startswith("\ufeffsource,line,") and "\r\n" in r.output
    rows = list(csv.DictReader(io.StringIO(r.output[1:], newline="")))

    def typed(row):  # CSV cells are text; empty is None, line a number
        row = {k: (v if v != "" else None) for k, v in row.items()}
        row["line"] = int(row["line"]) if row["line"] else None
        return row

    _compare([typed(x) for x in rows], expected)
    out = tmp_path / "out.csv"
    assert cli("check", *args, "--format", "csv", "-o", out).output == ""
    assert out.read_bytes() == r.output.encode("utf-8")  # the BOM and CRLF line ends as on stdout
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]


def test_parquet_read_back_equals_the_json_findings(cli, tmp_path, monkeypatch):
    pq = pytest.importorskip("pyarrow.parquet")
    import compliance.writers as w

    monkeypatch.setattr(w, "ROW_GROUP", 50)  # several row groups
    args = _batch(tmp_path)
    expected = _expected_rows(cli("check", *args, "--format", "jsonl").output)
    out = tmp_path / "f.parquet"
    r = cli("check", *args, "--format", "parquet", "-o", out)
    assert r.exit_code == 2 and r.output == ""
    f = pq.ParquetFile(out)
    assert f.metadata.num_row_groups > 1
    assert f.schema_arrow.names == list(COLUMNS)
    _compare(f.read().to_pylist(), expected)


def test_xlsx_read_back_equals_the_json_findings(cli, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    args = _batch(tmp_path)
    expected = _expected_rows(cli("check", *args, "--format", "jsonl").output)
    out = tmp_path / "f.xlsx"
    r = cli("check", *args, "--format", "xlsx", "-o", out)
    assert r.exit_code == 2
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["summary", "findings"]
    head, *rows = list(book["findings"].iter_rows(values_only=True))
    assert head == COLUMNS

    def typed(row):  # numbers are numbers in XLSX: compare their JSON spelling
        d = dict(zip(COLUMNS, row + (None,) * (len(COLUMNS) - len(row))))  # read back up to its last filled cell
        for k in ("observed", "limit"):
            if d[k] is not None and not isinstance(d[k], str):
                d[k] = json.dumps(d[k])
        return d

    _compare([typed(x) for x in rows], expected)
    summary = list(book["summary"].iter_rows(values_only=True))
    n_records = len(EXAMPLE_FILES) + 2
    assert summary[0][1].startswith(f"{n_records} records checked") and "1 could not be checked" in summary[0][1]
    assert ("violation", sum(1 for e in expected if e["status"] == "violation")) in [tuple(x[:2]) for x in summary]
    assert any(x[0] == f"{args[0]}:4" and "JSON syntax error" in x[1] for x in summary if x and x[0])


def test_xlsx_keeps_control_characters_and_continues_past_the_row_limit(tmp_path, monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")
    import compliance.writers as w

    monkeypatch.setattr(w, "SHEET_ROWS", 3)
    out = tmp_path / "x.xlsx"
    writer = w.XlsxWriter(str(out), "en")
    writer.failure("a\x01b.jsonl:1", [Problem("a\x01b.jsonl", 1, 0, "", f"m{i}") for i in range(7)])
    writer.close()
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["summary", "findings", "findings 2", "findings 3"]
    cells = [r[0] for name in book.sheetnames[1:] for r in list(book[name].iter_rows(values_only=True))[1:]]
    assert cells == ["a\\x01b.jsonl:1"] * 7


def test_json_document_of_a_folder_has_no_single_date(cli, tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    for p in EXAMPLE_FILES:
        (folder / p.name).write_bytes(p.read_bytes())
    d = json.loads(cli("check", folder, "--format", "json").output)
    assert len(d["records"]) == len(EXAMPLE_FILES) and len({r["as_of"] for r in d["records"]}) > 1
    assert d["as_of"] is None  # one input, many records: no date is the document's


def test_output_over_an_input_is_refused(cli, tmp_path):
    p = tmp_path / "r.jsonl"
    p.write_text(_line(GOOD) + "\n")
    r = cli("check", p, "--format", "csv", "-o", p)
    assert r.exit_code == 2 and "is one of the inputs" in r.stderr
    assert p.read_text() == _line(GOOD) + "\n"


def test_binary_formats_need_an_output_file(cli):
    for fmt in ("parquet", "xlsx"):
        r = cli("check", EXAMPLE_FILES[0], "--format", fmt)
        assert r.exit_code == 2 and f"--format {fmt} writes a binary file: give -o FILE" in r.stderr
        assert r.output == ""


def test_parquet_without_pyarrow_is_a_clear_error(cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    out = tmp_path / "f.parquet"
    r = cli("check", EXAMPLE_FILES[0], "--format", "parquet", "-o", out)
    assert r.exit_code == 2
    assert "--format parquet needs pyarrow, which is not installed" in r.stderr and 'compliance[parquet]' in r.stderr
    assert not os.listdir(tmp_path)


def test_a_bad_ruleset_leaves_no_output_file(cli, tmp_path):
    rs = tmp_path / "rs.yaml"
    rs.write_text("ruleset: {}\n")
    r = cli("check", EXAMPLE_FILES[0], "--ruleset", rs, "--format", "csv", "-o", tmp_path / "o.csv")
    assert r.exit_code == 2
    assert sorted(os.listdir(tmp_path)) == ["rs.yaml"]


def test_unwritable_output_is_a_usage_error(cli, tmp_path):
    r = cli("check", EXAMPLE_FILES[0], "--format", "csv", "-o", tmp_path / "no" / "such" / "dir.csv")
    assert r.exit_code == 2 and "cannot write" in r.stderr


def test_summary_counts_by_status_and_rule_and_lists_failures(cli, tmp_path):
    args = _batch(tmp_path)
    out = [json.loads(x) for x in cli("check", *args, "--format", "jsonl").output.splitlines()]
    r = cli("check", *args, "--format", "jsonl", "--summary")
    lines = r.stderr.splitlines()
    n = sum(1 for o in out if "findings" in o)
    viol = sum(1 for o in out if "findings" in o and o["summary"]["violation"])
    assert f"summary: {n} records checked, {viol} with violations, 1 could not be checked" in lines
    total = {s: sum(o["summary"][s] for o in out if "findings" in o) for s in out[0]["summary"]}
    for status, count in total.items():
        assert any(line.split() == [status, str(count)] for line in lines), (status, count)
    rule = out[0]["findings"][0]["rule"]
    per_rule = [f["status"] for o in out if "findings" in o for f in o["findings"] if f["rule"] == rule]
    row = next(line.split() for line in lines if line.startswith(rule + " "))
    assert sum(map(int, row[2:])) == len(per_rule)
    assert any(line.startswith(f"{args[0]}:4 ") and "JSON syntax error" in line for line in lines)


# ---------------------------------------------------- progress, processes

SCRIPT = "import sys; from compliance.cli import main; sys.exit(main(sys.argv[1:]))"


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PYTHONPATH=str(REPO), **extra)
    return env


def _register(path, n):
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(_line({"context": {"as_of": "2019-03-01"},
                            "facility": {"id": f"F{i}", "region": "120119", "name": f"厂{i}"},
                            "coatings": [{"id": "C1", "category": "automotive_oem", "voc_content": f"{560 + i % 40} g/L"}]})
                     + "\n")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_not_in_a_pipe_nor_under_ci(tmp_path):
    import pty

    reg = tmp_path / "r.jsonl"
    _register(reg, 50)
    cmd = [sys.executable, "-c", SCRIPT, "check", str(reg), "--format", "jsonl", "-o", str(tmp_path / "o.jsonl")]

    def on_pty(env):
        master, slave = pty.openpty()
        proc = subprocess.Popen(cmd, stderr=slave, stdout=subprocess.DEVNULL, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait()
        os.close(master)
        return proc.returncode, b"".join(chunks).decode("utf-8", "replace")

    code, err = on_pty(_env())
    assert code == 1 and "50 records" in err and "records/s" in err
    code, err = on_pty(_env(CI="true"))
    assert code == 1 and "records/s" not in err
    piped = subprocess.run(cmd, capture_output=True, text=True, env=_env())
    assert piped.returncode == 1 and piped.stderr == ""
    forced = subprocess.run(cmd + ["--progress"], capture_output=True, text=True, env=_env())
    assert "50 records" in forced.stderr


def _peak_rss_kib(reg, fmt, out) -> int:
    code = ("import re, sys\nfrom compliance.cli import main\nrc = main(sys.argv[1:])\n"
            "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\nsys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, "check", str(reg), "--format", fmt, "-o", str(out)],
                          capture_output=True, text=True, env=_env())
    assert proc.returncode == 1, proc.stderr[-2000:]
    return int(proc.stdout.split()[-1])


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak RSS read from /proc")
def test_memory_is_flat_over_a_20000_record_register(tmp_path):
    pytest.importorskip("pyarrow")
    small, large = tmp_path / "s.jsonl", tmp_path / "l.jsonl"
    _register(small, 2000)
    _register(large, 20000)
    for fmt in ("jsonl", "parquet"):
        a = _peak_rss_kib(small, fmt, tmp_path / f"out-small.{fmt}")
        b = _peak_rss_kib(large, fmt, tmp_path / f"out-large.{fmt}")
        print(fmt, a, b, round(b / a, 3))
        assert b / a < 1.15, (fmt, a, b)  # ten times the records, not ten times the memory
