"""The columnar path (compliance/columnar.py) gives the row path's reports.

The row path over a ledger: each facility's rows grouped into a record
(``compliance.ledger.iter_records``, the reader's grouping), normalised and
judged by the kernel. The
columnar path: columns typed per distinct cell, rules over whole columns.
Held equal on: the generated benchmark ledger (JSON byte for byte, with
and without show_all, with as_of/alert given), the snapshot corpus (every
section, region and date: adversarial values), every rule's embedded test
cases (boundaries, dates at a rule's start and end, stage aliases, mixed
units), bad cells (the facility goes to the row path, with the row path's
located error), forced rule fallbacks, chunk boundaries, and the
pure-Python column encoding (without Arrow).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import attrs
import pytest

import compliance
from compliance import columnar
from compliance.api import Failure, evaluator
from compliance.columnar import ColumnarProgram, block_statuses, check_tables, status_blocks
from compliance.errors import InputError
from compliance.report import Report
from compliance.testing import case_record

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "benchmarks")]
from columnar_tables import Table, row_path, tables_from_records  # noqa: E402
from records import generate, iter_records  # noqa: E402
from snapshot import corpus  # noqa: E402

#: rows of the large differential test (all tables); COMPLIANCE_COLUMNAR_ROWS changes it
LARGE_ROWS = int(os.environ.get("COMPLIANCE_COLUMNAR_ROWS", "20000"))


def _json(reports) -> str:
    """The reports as ``--format json`` writes the records (byte for byte)."""
    out = []
    for r in reports:
        out.append(r.to_dict())
    return json.dumps(out, ensure_ascii=False, indent=2, sort_keys=False)


def _same(ev, tables, chunk=columnar.CHUNK, **kw):
    got = list(check_tables(ev, tables, chunk=chunk, **kw))
    want = list(row_path(ev, tables, **kw))
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert type(a) is type(b)
        assert a.to_dict() == b.to_dict(), (a.to_dict(), b.to_dict())
    assert _json(got) == _json(want)
    return got


@pytest.fixture(scope="module")
def ev():
    return evaluator()


@pytest.fixture(scope="module")
def bench_tables():
    return tables_from_records(generate(300, 5))


@pytest.mark.parametrize("kw", [{}, {"show_all": True}, {"as_of": dt.date(2019, 1, 1), "alert": "red"},
                                {"as_of": dt.date(2018, 12, 5)}])
def test_generated_ledger_reports_are_the_row_paths(ev, bench_tables, kw):
    reports = _same(ev, bench_tables, chunk=97, **kw)
    assert all(not isinstance(r, Failure) for r in reports)
    statuses = {st for r in reports for st in r.findings.statuses}
    assert {"violation", "compliant", "indeterminate"} <= statuses


def test_snapshot_corpus_every_section_region_and_date(ev):
    """Adversarial values over every section of the record format."""
    records = corpus(seed=21, size=250)
    tables = tables_from_records(records)
    assert {t.section for t in tables} == set(compliance.vocabulary.vocabulary().sections)
    reports = _same(ev, tables, chunk=64)
    assert sum(isinstance(r, Failure) for r in reports) < len(reports)
    assert _columnar_statuses(ev, tables, chunk=64, show_all=True) == _row_statuses(ev, tables, show_all=True)


def _case_records():
    out = []
    n = 0
    for rs in compliance.load_rulesets(None):
        for rule in rs.rules + rs.manual_review:
            for case in rule.tests:
                rec = case_record(rule, rs.jurisdiction, case)
                rec = json.loads(json.dumps(rec, default=str))  # dates as text, as a sheet cell may hold them
                rec["facility"]["id"] = f"CASE-{n}"
                n += 1
                out.append(rec)
    return out


def test_every_embedded_rule_case(ev):
    """Every rule's own test cases: limits met exactly, dates at a rule's
    start and end, missing data, exemptions, stage aliases, units."""
    records = _case_records()
    assert len(records) >= 300
    tables = tables_from_records(records)
    reports = _same(ev, tables, chunk=50)
    assert _columnar_statuses(ev, tables, chunk=50, show_all=True) == _row_statuses(ev, tables, show_all=True)
    columnar_reports = [r for r in reports if not isinstance(r, Failure)]
    assert len(columnar_reports) > 0.9 * len(reports)


def _row_statuses(ev, tables, **kw):
    out = []
    for rep in row_path(ev, tables, **kw):
        if isinstance(rep, Failure):
            continue
        fid = rep.facility["id"]
        out.extend((fid, e[0].id, e[1].section, e[1].id, e[2]) for e in rep.findings._entries)
    return sorted(out)


def _columnar_statuses(ev, tables, program=None, **kw):
    rules = ev.program.rules
    out = []
    for block in status_blocks(ev, tables, program=program, **kw):
        for p, entries in block_statuses(block, rules).items():
            fid = block.ids[p]
            out.extend((fid, rules[i].id, section, eid, st) for i, section, eid, st in entries)
    return sorted(out)


def _rows(n_rows, seed):
    recs, total = [], 0
    for rec in iter_records(10 ** 9, seed):
        recs.append(rec)
        total += 1 + sum(len(v) if isinstance(v, list) else 1 for k, v in rec.items()
                         if k not in ("schema", "context", "facility"))
        if total >= n_rows:
            return recs


def test_statuses_on_a_large_ledger_cover_every_rule(ev):
    """Statuses equal on a generated ledger of LARGE_ROWS rows (20 000 in
    the suite; ``benchmarks/bench_columnar.py`` runs 100 000 against the
    hand-written side), mixed with the snapshot corpus so that every
    section's rules run; every rule of those sections is columnar or
    listed as falling back."""
    records = _rows(LARGE_ROWS, 3) + corpus(seed=5, size=300)
    tables = tables_from_records(records)
    assert sum(len(t.rows) for t in tables) >= LARGE_ROWS
    program = ColumnarProgram(ev)
    got = _columnar_statuses(ev, tables, program=program)
    assert got == _row_statuses(ev, tables)
    cov = program.coverage
    sections = {t.section for t in tables}
    rules = [r for r in ev.program.rules if r.applies_to in sections]
    assert {r.id for r in rules} <= set(cov.rules_columnar) | set(cov.rules_fallback)
    assert not cov.rules_fallback  # every node kind has a columnar compiler today
    assert cov.facilities_columnar > 0.9 * (cov.facilities_columnar + sum(cov.facilities_fallback.values()))
    judged = {rid for _, rid, *_ in got}
    assert len(judged) > 0.8 * len({r.id for r in rules})


@pytest.mark.skipif(os.environ.get("COMPLIANCE_COLUMNAR_FULL") != "1",
                    reason="the 100 000-row run: COMPLIANCE_COLUMNAR_FULL=1 (about 30 s); the benchmark runs it too")
def test_statuses_on_100000_rows(ev):
    tables = tables_from_records(_rows(100_000, 1))
    assert _columnar_statuses(ev, tables) == _row_statuses(ev, tables)


def test_forced_rule_fallback_is_counted_and_equal(ev, bench_tables):
    """A rule whose condition has a node kind without a columnar compiler
    goes to the interpreter for its rows: listed, and the same statuses."""
    program = ColumnarProgram(ev, unsupported={"Member", "Includes"})
    assert program.coverage.rules_fallback
    assert all("no columnar compiler" in why for why in program.coverage.rules_fallback.values())
    assert "rules falling back to the row path: " in "\n".join(program.coverage.lines())
    for kw in ({}, {"show_all": True}):
        assert _columnar_statuses(ev, bench_tables, program=program, **kw) == _row_statuses(ev, bench_tables, **kw)
    got = list(check_tables(ev, bench_tables, program=program))
    assert [r.to_dict() for r in got] == [r.to_dict() for r in row_path(ev, bench_tables)]


def test_without_arrow_the_same(ev, bench_tables, monkeypatch):
    monkeypatch.setattr(columnar, "_pa", None)
    _same(ev, bench_tables, chunk=500)


def test_chunks_do_not_change_anything(ev, bench_tables):
    one = _columnar_statuses(ev, bench_tables, chunk=10_000, show_all=True)
    assert _columnar_statuses(ev, bench_tables, chunk=1, show_all=True) == one
    assert _columnar_statuses(ev, bench_tables, chunk=33, show_all=True) == one
    ids = [r.facility["id"] for r in check_tables(ev, bench_tables, chunk=7)]
    assert ids == list(next(t for t in bench_tables if t.section == "facility").facility_ids)  # ledger order


# ------------------------------------------------------------- bad input

def _with(tables, section, field, row, value):
    """``tables`` with one cell changed (``row``: position in the table)."""
    out = []
    for t in tables:
        if t.section == section:
            cols = dict(t.columns)
            col = list(cols.get(field, (None,) * len(t.rows)))
            col[row] = value
            cols[field] = tuple(col)
            letters = dict(t.letters)
            letters.setdefault(field, "ZZ")
            t = attrs.evolve(t, columns=cols, letters=letters)
        out.append(t)
    return tuple(out)


def _small():
    recs = generate(40, 9)
    return tables_from_records(recs)


@pytest.mark.parametrize("section,field,value,reason", [
    ("boilers", "capacity", "36 zz/h", "refuses"),          # a unit that does not parse
    ("boilers", "capacity", "-3 t/h", "refuses"),           # out of range
    ("coatings", "voc_content", 580, "refuses"),            # a number without its unit
    ("facility", "region", "火星", "refuses"),               # unknown region
    ("facility", "region", None, "no region"),
    ("facility", "status", "closed-ish", "refuses"),        # not in the vocabulary
    ("facility", "as_of", "2019-02-30", "refuses"),
    ("facility", "alert", "purple", "refuses"),
    ("vehicles", "emission_stage", "国八", "refuses"),
    ("boilers", "colour", "red", "unknown column"),         # a column the record format does not have
    ("boilers", "id", None, "id missing"),
    ("boilers", "id", "B2", "id repeated"),                 # the row after it is B2 of the same facility
    ("boilers", "emissions.nox", True, "refuses"),
    ("facility", "industries", ["steel", "moon_mining"], "refuses"),
    ("facility", "industries", "steel", "refuses"),          # text where a list is expected
    ("boilers", "commissioned", dt.datetime(2019, 1, 1, 8, 0), "refuses"),
    ("boilers", "fuel", 1, "refuses"),
])
def test_a_bad_cell_sends_its_facility_to_the_row_path(ev, section, field, value, reason):
    base = _small()
    table = next(t for t in base if t.section == section)
    row = 0
    if field == "id" and value == "B2":  # a facility with two boilers: the first takes the second's id
        row = next(i for i in range(len(table.rows) - 1) if table.facility_ids[i] == table.facility_ids[i + 1])
    fid = table.facility_ids[row]
    tables = _with(base, section, field, row, value)
    program = ColumnarProgram(ev)
    got = list(check_tables(ev, tables, program=program))
    want = list(row_path(ev, tables))
    assert [r.to_dict() for r in got] == [r.to_dict() for r in want]
    assert sum(program.coverage.facilities_fallback.values()) == 1
    assert any(reason in why for why in program.coverage.facilities_fallback), program.coverage.facilities_fallback
    fac_ids = next(t for t in base if t.section == "facility").facility_ids
    mine = got[fac_ids.index(fid)]
    if isinstance(mine, Failure):  # located at the cell: the sheet row, the column's letter
        assert mine.problems and all(p.line for p in mine.problems)
    # every other facility was judged columnar, as the row path judges it
    assert program.coverage.facilities_columnar == len(fac_ids) - 1


def test_a_bad_cell_error_is_located(ev):
    base = _small()
    boilers = next(t for t in base if t.section == "boilers")
    tables = _with(base, "boilers", "capacity", 3, "36 zz/h")
    fac_ids = next(t for t in base if t.section == "facility").facility_ids
    got = list(check_tables(ev, tables))[fac_ids.index(boilers.facility_ids[3])]
    assert isinstance(got, Failure)
    (p,) = got.problems
    letter = boilers.letters["capacity"]
    # located as the ledger reader locates it: file, sheet!cell, row, column number
    assert (p.file, p.line, p.column, p.cell) == ("ledger.xlsx", boilers.rows[3], columnar._colnum(letter),
                                                  f"boilers!{letter}{boilers.rows[3]}")
    assert str(p).startswith(f"ledger.xlsx:boilers!{letter}{boilers.rows[3]}: [error] ")
    assert p.field.endswith(".capacity") and "'zz/h'" in p.message


def test_an_open_vocabulary_value_is_the_row_paths_warning(ev):
    base = _small()
    tables = _with(base, "facility", "industries", 2, ["automotive_manufacturing", "glassblowing"])
    got = list(check_tables(ev, tables))
    want = list(row_path(ev, tables))
    assert [r.to_dict() for r in got] == [r.to_dict() for r in want]
    warned = [r for r in got if not isinstance(r, Failure) and r.warnings]
    assert len(warned) in (0, 1)  # industries is closed or open: either way the row path's answer


def test_rows_of_a_facility_not_in_the_facility_table(ev):
    """Orphan rows: the reader's Failure, in the place of the id's first row."""
    base = _small()
    boilers = next(t for t in base if t.section == "boilers")
    ids = list(boilers.facility_ids)
    ids[0] = "NOWHERE"
    tables = tuple(attrs.evolve(t, facility_ids=tuple(ids)) if t is boilers else t for t in base)
    got = list(check_tables(ev, tables))
    assert [r.to_dict() for r in got] == [r.to_dict() for r in row_path(ev, tables)]
    (orphan,) = [r for r in got if isinstance(r, Failure)]
    assert "'NOWHERE' has no row in the facility sheet" in orphan.problems[0].message
    assert orphan.problems[0].line == boilers.rows[0]
    assert len(got) == len(next(t for t in base if t.section == "facility").rows) + 1


def test_a_repeated_facility_is_the_readers_failure(ev):
    base = _small()
    fac = next(t for t in base if t.section == "facility")
    ids = list(fac.facility_ids)
    ids[1] = ids[0]
    cols = dict(fac.columns)
    cols["id"] = tuple(ids)
    tables = tuple(attrs.evolve(t, facility_ids=tuple(ids), columns=cols) if t is fac else t for t in base)
    program = ColumnarProgram(ev)
    got = list(check_tables(ev, tables, program=program))
    assert [r.to_dict() for r in got] == [r.to_dict() for r in row_path(ev, tables)]
    assert isinstance(got[0], Failure)
    assert f"duplicate facility row for {ids[0]!r} (first in row 2)" in got[0].problems[0].message
    assert got[0].problems[0].line == 3
    assert all(not isinstance(r, Failure) for r in got[1:-1])
    assert isinstance(got[-1], Failure)  # the second facility's other rows: no facility row of theirs is left
    assert len(got) == len(ids)  # one item per facility id
    assert program.coverage.facilities_columnar == len(ids) - 2


def test_an_unknown_alert_option_fails_every_facility_like_the_row_path(ev):
    base = _small()
    got = list(check_tables(ev, base, alert="purple"))
    want = list(row_path(ev, base, alert="purple"))
    assert all(isinstance(r, Failure) for r in got)
    assert [r.to_dict() for r in got] == [r.to_dict() for r in want]


def test_cli_kernel_columnar_lists_coverage(cli):
    res = cli("kernel", "--columnar", "--section", "boilers")
    assert res.exit_code == 0
    assert res.output.startswith("boilers: ") and "rules columnar, 0 on the row path" in res.output


def test_describe_names_each_fallback(ev):
    program = ColumnarProgram(ev, unsupported={"Member"})
    lines = program.describe(["facility", "boilers"])
    assert any(line.startswith("  row path: ") and "Member" in line for line in lines)


def test_a_table_of_an_unknown_entity_kind_is_the_row_paths_error(ev):
    base = _small()
    boilers = next(t for t in base if t.section == "boilers")
    widgets = attrs.evolve(boilers, section="widgets", sheet="widgets")
    tables = base + (widgets,)
    program = ColumnarProgram(ev)
    got = list(check_tables(ev, tables, program=program))
    want = list(row_path(ev, tables))
    assert [r.to_dict() for r in got] == [r.to_dict() for r in want]
    owners = set(boilers.facility_ids)
    assert program.coverage.facilities_fallback["unknown entity kind 'widgets'"] == len(owners)
    failed = [r for r in got if isinstance(r, Failure)]
    assert len(failed) == len(owners) and all("widgets" in r.problems[0].field for r in failed)
