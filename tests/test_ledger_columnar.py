"""``compliance check LEDGER`` over columns gives the row path's output, byte for byte.

With the kernel (the default engine) a ledger is judged over columns
(``compliance.columnar.ledger_items`` via ``sources.LedgerItem``);
``--no-columnar`` (or ``COMPLIANCE_NO_COLUMNAR=1``) and ``--engine direct``
judge it record by record (the references). Held equal on: the bundled
example ledger (workbook and CSV folder; default, ``--show-all``,
``--as-of``, ``--alert red``; every output format), a generated ledger of
LEDGER_ROWS rows written as CSV files (20 000 in the suite;
``COMPLIANCE_LEDGER_ROWS=100000`` or ``benchmarks/bench_columnar.py
--cli`` for the full size), the same ledger with reader problems, bad
cells and rows out of order injected, and every bad-ledger case of
``tests/bad_inputs.py`` (same message, same exit status).
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import pytest

from compliance import columnar

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "examples")]
from bad_inputs import LEDGER_CASES, run_cli, write_ledger  # noqa: E402
import make_ledger  # noqa: E402

XLSX = REPO / "examples" / "tianjin-district-ledger.xlsx"
CSV_DIR = REPO / "examples" / "tianjin-district-ledger-csv"
#: rows of the generated ledger (all sheets); COMPLIANCE_LEDGER_ROWS changes it
LEDGER_ROWS = int(os.environ.get("COMPLIANCE_LEDGER_ROWS", "20000"))
ROWS_PER_FACILITY = 6.7  # make_ledger.build's mix (measured: 26 871 rows for 4 000 facilities)


@pytest.fixture
def spy(monkeypatch):
    """How many ledgers went through the columnar path."""
    calls = []
    real = columnar.ledger_items

    def counting(*a, **kw):
        calls.append(a[1].source)
        return real(*a, **kw)

    monkeypatch.setattr(columnar, "ledger_items", counting)
    monkeypatch.delenv("COMPLIANCE_NO_COLUMNAR", raising=False)
    return calls


def _both(args, spy):
    """(columnar run, row-path runs): each (exit, stdout, stderr)."""
    got = run_cli(["check", *args])
    assert spy, "the columnar path was not taken"
    n = len(spy)
    rows = [run_cli(["check", *args, "--no-columnar"]), run_cli(["check", *args, "--engine", "direct"])]
    assert len(spy) == n, "--no-columnar / --engine direct took the columnar path"
    return got, rows


@pytest.mark.parametrize("ledger", [XLSX, CSV_DIR], ids=["xlsx", "csv-folder"])
@pytest.mark.parametrize("opts", [[], ["--show-all"], ["--as-of", "2020-06-01"], ["--alert", "red"]],
                         ids=["default", "show-all", "as-of", "alert-red"])
def test_example_ledger_json_is_byte_identical(ledger, opts, spy):
    got, rows = _both([str(ledger), "--format", "json", *opts], spy)
    for row in rows:
        assert got == row
    assert got[0] == 1 and json.loads(got[1])["records"]  # violations found: a real comparison


@pytest.mark.parametrize("fmt", ["table", "jsonl", "csv", "summary"])
def test_every_output_format_gets_the_same(fmt, spy):
    args = [str(XLSX), "--summary"] if fmt == "summary" else [str(XLSX), "--format", fmt]
    got, rows = _both(args, spy)
    assert got == rows[0]
    assert got[1]


def test_the_environment_switch_forces_the_row_path(spy, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_NO_COLUMNAR", "1")
    got = run_cli(["check", str(XLSX), "--format", "jsonl"])
    assert not spy
    monkeypatch.delenv("COMPLIANCE_NO_COLUMNAR")
    assert run_cli(["check", str(XLSX), "--format", "jsonl"]) == got and spy


def test_validate_stays_on_the_row_path(spy):
    code, out, err = run_cli(["validate", str(XLSX)])
    assert code == 0 and not spy


def test_inputs_keep_their_order_around_a_ledger(spy):
    record = REPO / "examples" / "dongli-steel.yaml"
    args = [str(record), str(XLSX), str(CSV_DIR), str(record), "--format", "jsonl"]
    got, rows = _both(args, spy)
    assert got == rows[0]
    sources = [json.loads(line)["source"] for line in got[1].splitlines()]
    assert sources[0] == sources[-1] == str(record)
    assert sources.index(str(CSV_DIR)) > sources.index(str(XLSX))


# ------------------------------------------------------------- a generated ledger

def _write(sheets, folder, names=None):
    """The sheets as a CSV folder (``names``: sheet -> file name)."""
    folder.mkdir(parents=True, exist_ok=True)
    for title, rows in sheets.items():
        with open(folder / f"{(names or {}).get(title, title)}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            for row in rows:
                w.writerow(["" if v is None else v.isoformat() if hasattr(v, "isoformat") else v for v in row])


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    sheets = make_ledger.build(1, max(1, int(LEDGER_ROWS / ROWS_PER_FACILITY)))
    folder = tmp_path_factory.mktemp("gen") / "ledger"
    make_ledger.write_csv_folder(sheets, folder)
    return sheets, folder


def test_generated_ledger_statuses_are_equal(generated, spy):
    sheets, folder = generated
    assert sum(len(rows) - 1 for rows in sheets.values()) >= 0.9 * LEDGER_ROWS
    got = run_cli(["check", str(folder), "--format", "jsonl"])
    assert spy
    want = run_cli(["check", str(folder), "--format", "jsonl", "--no-columnar"])
    assert got[0] == want[0] and got[2] == want[2]
    a, b = got[1].splitlines(), want[1].splitlines()
    assert len(a) == len(b) == len(sheets["企业"]) - 1

    def statuses(line):
        rec = json.loads(line)
        return rec["facility"]["id"], [(f["rule"], f["entity"]["id"], f["status"]) for f in rec["findings"]]

    assert [statuses(x) for x in a] == [statuses(x) for x in b]  # in ledger order
    assert a == b  # and the rest of each report, byte for byte
    seen = {f[2] for x in a for f in statuses(x)[1]}
    assert {"violation", "compliant", "indeterminate"} <= seen


def test_generated_ledger_with_problems_out_of_order(generated, tmp_path, spy):
    """Reader problems, bad cells the reader accepts but the record format
    refuses, orphan and repeated rows, an entity sheet before the facility
    sheet with its rows shuffled: the same items, in the same order."""
    sheets, _ = generated
    sheets = {k: [list(r) for r in v[:400]] for k, v in sheets.items()}  # the first rows of each sheet
    fac, boilers = sheets["企业"], sheets["锅炉"]
    fac.append(list(fac[5]))                         # a repeated facility row
    boilers.insert(3, ["NO-SUCH-FACILITY", "B1"] + [None] * (len(boilers[0]) - 2))  # an orphan row
    cap = boilers[0].index("额定蒸发量(t/h)")
    boilers[7][cap] = -3                             # out of range: the reader takes it, the record format refuses
    boilers[9][cap] = "很大"                          # a reader problem
    boilers[1:] = boilers[1:][::-1]                  # rows out of facility order
    fuel = boilers[0].index("燃料类型")
    boilers[11][fuel] = "煤"                          # not in the vocabulary (a reader problem)
    sheets["锅炉"] = boilers
    names = {"企业": "facility", "锅炉": "boilers"}   # boilers.csv is read before facility.csv
    folder = tmp_path / "ledger"
    _write(sheets, folder, names)
    (folder / "窑炉.csv").write_text("企业编号,窑炉编号\nX,K1\n", encoding="utf-8")  # an unknown kind
    for opts in ([], ["--show-all"], ["--as-of", "2021-01-01", "--alert", "orange"]):
        got, rows = _both([str(folder), "--format", "json", *opts], spy)
        for row in rows:
            assert got == row
        assert got[0] == 2
        data = json.loads(got[1])
        assert len(data["records"]) > 300 and len(data["errors"]) >= 6


@pytest.mark.parametrize("case", LEDGER_CASES, ids=[c[1] for c in LEDGER_CASES])
def test_every_bad_ledger_case_gives_the_same_message(case, tmp_path, spy):
    path = tmp_path / case[1]
    write_ledger(case, path)
    got = run_cli(["check", str(path)])
    want = run_cli(["check", str(path), "--no-columnar"])
    assert got == want
    assert got[0] == 2 and case[3] in got[2]
