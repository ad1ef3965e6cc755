#!/usr/bin/env python3
"""(g) Columnar evaluation of a ledger vs hand-written per-row Python, same rules, same tables.

Both sides start from the same ledger tables (``compliance.ledger.Table``:
one table per entity kind, one column per field, cells as written, e.g.
'36 t/h'), made from the generated records of benchmarks/records.py by the
test helper ``tests/columnar_tables.py`` until the ledger has --rows rows
(all tables together). The rules are the 45 Jizhou rules written by hand in
tests/handwritten_jizhou.py.

* hand-written: plain Python a good engineer would write over the tables --
  one dict per row (nested for dotted columns), the facility's dict looked up
  by id, then the hand-written rule functions (float compares, a
  unit-conversion dict per field) -> (facility, rule, entity, status);
* columnar: ``compliance.columnar.status_blocks`` -- per chunk of 8192
  facilities, every column typed (each distinct cell once, through the
  library's own unit parser), the rules evaluated over whole columns with
  numpy -> status matrices; column building is counted. A second row adds
  turning the matrices into (facility, rule, entity, status) tuples in the
  row kernel's order (``block_statuses``), as the hand-written side returns;
  a third, the columns encoded by a Python dict instead of Arrow (pyarrow is
  optional).

Then the evaluation's primitives, numpy against pyarrow.compute, on columns
of the ledger's length (why the evaluation is numpy's). Polars is not
installed in the project's environment and was not measured.

Before timing, both sides must give the same multiset of (facility, rule,
entity, status) (exit status 1 otherwise). Timing follows harness.py: CPU
time, the sides interleaved and rotated per repeat, medians, the ratio the
median of the per-repeat ratios. Memory: a child process builds a ledger of
--memory sizes, resets its peak RSS (/proc/self/clear_refs), runs
``check_tables`` over it in chunks of --memory-chunk facilities (every
report's summary read) and reports the peak increase over the RSS the
tables hold (the tables themselves are the input, and grow with it).

End to end (``--cli``): ``compliance check LEDGER --format jsonl`` on a
ledger of --rows rows written as a folder of CSV files by
``examples/make_ledger.py`` (seeded; Chinese headers and values, every
sheet), judged over columns (the default) and with ``--no-columnar`` (the
row path): the two outputs must be byte-identical (exit status 1
otherwise), then wall and CPU time of the whole command (reading the CSV
files, judging, writing JSON Lines), interleaved rounds, medians and their
ratio, and each command's peak RSS (one more run each, ``wait4``) at
--rows and at a tenth of it (flat memory: chunks of 8192 facilities).

    python benchmarks/bench_columnar.py            # 100 000 rows, 5 repeats
    python benchmarks/bench_columnar.py --quick    # 10 000 rows, 3 repeats
    python benchmarks/bench_columnar.py --cli      # only the end-to-end CLI figure, 100 000 rows, 3 rounds
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence, Tuple

import harness as H
from harness import Side, say
from records import iter_records

from columnar_tables import tables_from_records
from handwritten_jizhou import FACILITY_RULES, JIZHOU_FORMS, LIST_RULES, SINGLE_RULES, day

Key = Tuple[str, str, str, str]  # (facility id, rule id, entity id, status)


def make_tables(rows: int, seed: int):
    """Records of benchmarks/records.py, as ledger tables, until ``rows`` rows."""
    recs = []
    total = 0
    for rec in iter_records(10 ** 9, seed):
        recs.append(rec)
        total += 1 + sum(len(v) if isinstance(v, list) else 1 for k, v in rec.items()
                         if k not in ("schema", "context", "facility"))
        if total >= rows:
            break
    return tables_from_records(recs), len(recs), total


# ---------------------------------------------------------------------
# The hand-written side: per row, plain Python
# ---------------------------------------------------------------------

def _row(names: Sequence[str], cols: Sequence[Sequence[Any]], i: int) -> Dict[str, Any]:
    d: Dict[str, Any] = {}
    for name, col in zip(names, cols):
        v = col[i]
        if v is None:
            continue
        if "." in name:
            head, tail = name.split(".", 1)
            d.setdefault(head, {})[tail] = v
        else:
            d[name] = v
    return d


def hand_tables(tables) -> List[Key]:
    out: List[Key] = []
    fac_t = next(t for t in tables if t.section == "facility")
    names = list(fac_t.columns)
    cols = [fac_t.columns[k] for k in names]
    facs: Dict[str, Tuple[dict, dict, Any]] = {}
    for i, fid in enumerate(fac_t.facility_ids):
        d = _row(names, cols, i)
        ctx = {k: d.pop(k) for k in ("as_of", "alert") if k in d}  # the facility table's context columns
        if d.get("region") not in JIZHOU_FORMS:
            continue  # every rule here is Jizhou's
        as_of = day(ctx["as_of"])
        facs[fid] = (d, ctx, as_of)
        for rule_id, fn in FACILITY_RULES:
            status = fn(d, d, ctx, as_of)
            if status is not None:
                out.append((fid, rule_id, fid, status))
    present: Dict[str, set] = {name: set() for name in SINGLE_RULES}
    for t in tables:
        single = t.section in SINGLE_RULES
        rules = SINGLE_RULES.get(t.section) or LIST_RULES.get(t.section)
        if t.section == "facility" or not rules:
            continue
        names = list(t.columns)
        cols = [t.columns[k] for k in names]
        for i, fid in enumerate(t.facility_ids):
            got = facs.get(fid)
            if got is None:
                continue
            fac, ctx, as_of = got
            ent = _row(names, cols, i)
            if single:
                present[t.section].add(fid)
                for rule_id, fn in rules:
                    status = fn(ent, fac, ctx, as_of, False)
                    if status is not None:
                        out.append((fid, rule_id, fid, status))
            else:
                eid = ent["id"]
                for rule_id, fn in rules:
                    status = fn(ent, fac, ctx, as_of)
                    if status is not None:
                        out.append((fid, rule_id, eid, status))
    for section, rules in SINGLE_RULES.items():
        have = present[section]
        for fid, (fac, ctx, as_of) in facs.items():
            if fid not in have:
                for rule_id, fn in rules:
                    status = fn({}, fac, ctx, as_of, True)
                    if status is not None:
                        out.append((fid, rule_id, fid, status))
    return out


# ---------------------------------------------------------------------
# The columnar side
# ---------------------------------------------------------------------

def columnar_matrices(ev, tables) -> int:
    """Status matrices of every chunk; returns how many statuses were decided."""
    from compliance.columnar import status_blocks

    n = 0
    for block in status_blocks(ev, tables):
        for frame, part, idx, st, live in block.frames:
            n += int((st != 0).sum())
    return n


def columnar_keys(ev, tables) -> List[Key]:
    from compliance.columnar import block_statuses, status_blocks

    rules = ev.program.rules
    out: List[Key] = []
    for block in status_blocks(ev, tables):
        ids = block.ids
        for p, entries in block_statuses(block, rules).items():
            fid = ids[p]
            out.extend((fid, rules[i].id, eid, status) for i, _, eid, status in entries)
    return out


def columnar_without_arrow(ev, tables) -> int:
    """The same, with the pure-Python column encoding (pyarrow absent)."""
    from compliance import columnar

    saved = columnar._pa
    columnar._pa = None
    try:
        return columnar_matrices(ev, tables)
    finally:
        columnar._pa = saved


def backend_primitives(tables, repeats: int) -> List[List[str]]:
    """The evaluation's primitives on a column of the ledger's length, numpy
    vs pyarrow.compute: a comparison with unknowns masked, a gather of a
    per-value truth table by codes, a three-valued 'and'."""
    import time

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from compliance.units import parse_quantity

    coatings = next(t for t in tables if t.section == "coatings")
    cells = coatings.columns["voc_content"]
    one = np.array([np.nan if c is None else parse_quantity(c, "g/L")[0] for c in cells])
    total = sum(len(t.rows) for t in tables)
    x = np.resize(one, total)
    ax = pa.array(x, from_pandas=True)  # NaN -> null: Arrow's unknown
    codes = np.resize(np.arange(len(set(cells))), total).astype(np.int32)
    truth = np.arange(len(set(cells))) % 2 == 0
    acodes, atruth = pa.array(codes), pa.array(truth)
    t1, u1 = x <= 580.0, np.isnan(x)
    t2, u2 = x >= 250.0, np.isnan(x)
    at1, at2 = pa.array(t1 & ~u1, mask=u1), pa.array(t2 & ~u2, mask=u2)

    def np_compare():
        u = np.isnan(x)
        return (x <= 580.0) & ~u, u

    def pa_compare():
        return pc.less_equal(ax, 580.0)  # null where unknown

    def np_gather():
        return truth[codes]

    def pa_gather():
        return pc.take(atruth, acodes)

    def np_and3():  # false if either is false, else unknown if either is unknown
        false = (~t1 & ~u1) | (~t2 & ~u2)
        return t1 & t2, ~false & ~(t1 & t2)

    def pa_and3():
        return pc.and_kleene(at1, at2)

    def med(fn) -> float:
        times = []
        for _ in range(repeats):
            c0 = time.process_time()
            for _ in range(50):
                fn()
            times.append((time.process_time() - c0) / 50 * 1e6)
        return sorted(times)[len(times) // 2]

    rows = []
    for label, a, b in (("compare, unknowns masked", np_compare, pa_compare), ("gather a truth table by codes", np_gather, pa_gather),
                        ("three-valued and", np_and3, pa_and3)):
        na, nb = med(a), med(b)
        rows.append([label, f"{na:.0f}", f"{nb:.0f}", f"{nb / na:.1f}×"])
    return rows


def _child_memory(rows: int, seed: int, chunk: int) -> int:
    from compliance.api import evaluator
    from compliance.columnar import check_tables

    tables, n, total = make_tables(rows, seed)
    ev = evaluator([H.jizhou_hand_ruleset()[1]])
    gc.collect()
    base = _rss_kib()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak RSS to the current RSS
        reset = True
    except OSError:
        reset = False
    violations = 0
    for rep in check_tables(ev, tables, chunk=chunk):
        violations += rep.summary["violation"] if hasattr(rep, "summary") else 0
    H.child_report(rows=total, facilities=n, tables_rss_kib=base, reset=reset, violations=violations)
    return 0


def _rss_kib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000, help="ledger rows, all tables (default 100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="10000 rows, 3 repeats")
    ap.add_argument("--repeats", type=int, default=None, help="timed passes (default 5; quick 3)")
    ap.add_argument("--memory", default="10000,100000", help="ledger sizes (rows) for peak RSS; '' to skip")
    ap.add_argument("--memory-chunk", type=int, default=1000,
                    help="facilities per chunk in the memory runs (default 1000: both sizes span several chunks)")
    ap.add_argument("--cli", action="store_true",
                    help="only the end-to-end figure: compliance check ledger --format jsonl, columnar vs --no-columnar")
    ap.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_memory:
        return _child_memory(args.child_memory, args.seed, args.memory_chunk)
    if args.cli:
        return cli_end_to_end(10_000 if args.quick else args.rows, args.seed, args.repeats or 3)
    rows = 10_000 if args.quick else args.rows
    repeats = args.repeats or (3 if args.quick else 5)

    from compliance.api import evaluator

    say(f"(g) columnar evaluation, {H.machine_line()}")
    tables, n, total = make_tables(rows, args.seed)
    say(f"ledger: {total} rows ({n} facilities) in {len(tables)} tables: "
        + ", ".join(f"{t.section} {len(t.rows)}" for t in tables))
    ev = evaluator([H.jizhou_hand_ruleset()[1]])
    say(f"rules: {len(ev.program.rules)} (the hand-written Jizhou rules)")

    hand = Counter(hand_tables(tables))
    col = Counter(columnar_keys(ev, tables))
    ok = hand == col
    say(f"agreement: {'same' if ok else 'DIFFERENT'} (facility, rule, entity, status) on all {total} rows "
        f"({sum(col.values())} statuses)")
    if not ok:
        for k in list((hand - col).keys())[:5]:
            say(f"  hand-written only: {k}")
        for k in list((col - hand).keys())[:5]:
            say(f"  columnar only: {k}")

    sides = [Side("hand-written per-row Python", lambda t: hand_tables(t)),
             Side("columnar (status matrices)", lambda t: columnar_matrices(ev, t)),
             Side("columnar + status tuples", lambda t: columnar_keys(ev, t)),
             Side("columnar, dict encoding (no pyarrow)", lambda t: columnar_without_arrow(ev, t))]
    H.settle()
    H.interleaved([tables], sides, block=1, repeats=repeats)
    base = sides[0]
    rows_out = [[s.name, f"{sorted(s.cpu)[len(s.cpu) // 2] * 1000:.0f}", f"{s.spread:.0%}",
                 f"{H.ratio(base, s):.2f}×"] for s in sides]
    H.table(["side", f"CPU ms / {total} rows (median of {repeats})", "spread", "speed-up vs hand"], rows_out)

    say(f"the primitives on {total} values, numpy vs pyarrow.compute (µs per call, median of {repeats}):")
    H.table(["primitive", "numpy", "pyarrow.compute", "Arrow ÷ numpy"], backend_primitives(tables, repeats))

    if args.memory:
        mem = []
        for size in [int(x) for x in args.memory.split(",") if x]:
            got = H.child_json([H.PYTHON, __file__, "--child-memory", str(size), "--seed", str(args.seed),
                                "--memory-chunk", str(args.memory_chunk)])
            mem.append([f"{got['rows']} rows ({got['facilities']} facilities)", H.mib(got["tables_rss_kib"]),
                        H.mib(got["peak_rss_kib"]),
                        H.mib(got["peak_rss_kib"] - got["tables_rss_kib"]) if got["reset"] else "-"])
        say(f"check_tables (reports in chunks of {args.memory_chunk} facilities, each summary read): peak RSS")
        H.table(["ledger", "RSS with the tables", "peak while checking", "peak increase"], mem)
    return 0 if ok else 1


def _csv_ledger(folder: str, rows: int, seed: int) -> int:
    """A CSV-folder ledger of about ``rows`` rows (examples/make_ledger.py); its row count."""
    sys.path.insert(0, str(H.ROOT / "examples"))
    import make_ledger

    sheets = make_ledger.build(seed, max(1, round(rows / 6.7)))  # about 6.7 rows per facility
    make_ledger.write_csv_folder(sheets, folder)
    return sum(len(r) - 1 for r in sheets.values())


_PEAK = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(os.wait4(proc.pid, 0)[2].ru_maxrss)
"""


def _peak_rss(argv: Sequence[str]) -> int:
    """Peak RSS (KiB) of one run of ``argv`` (its output discarded), started
    by a small Python process: Linux counts the forking process's RSS in the
    child's peak (it survives exec), so not from this one, which holds the
    outputs."""
    import subprocess

    return int(subprocess.run([H.PYTHON, "-c", _PEAK, *argv], stdout=subprocess.PIPE, cwd=H.ROOT,
                              check=True).stdout)


def cli_end_to_end(rows: int, seed: int, rounds: int) -> int:
    import os
    import subprocess
    import tempfile

    say(f"(g) compliance check LEDGER --format jsonl, columnar vs --no-columnar, {H.machine_line()}")
    with tempfile.TemporaryDirectory() as tmp:
        big = os.path.join(tmp, "ledger")
        total = _csv_ledger(big, rows, seed)
        small = os.path.join(tmp, "small")
        small_total = _csv_ledger(small, rows // 10, seed)
        exe = H.COMPLIANCE_EXE
        base = [exe, "check", big, "--format", "jsonl"]
        outs = [subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=H.ROOT).stdout
                for argv in (base, base + ["--no-columnar"])]
        ok = outs[0] == outs[1]
        facilities = outs[0].count(b"\n")
        size = len(outs[0])
        del outs
        say(f"ledger: {total} rows ({facilities} facilities) as CSV files; output "
            f"{'byte-identical' if ok else 'DIFFERENT'} ({size} bytes)")
        commands = [H.Command("columnar (default)", base), H.Command("--no-columnar (row path)", base + ["--no-columnar"])]
        H.settle()
        H.run_commands(commands, rounds)
        col, row = commands
        H.table(["command", f"wall s (median of {rounds})", "CPU s (median)", "row path ÷ this (wall)"],
                [[c.name, f"{c.wall_med:.2f}", f"{c.cpu_med:.2f}", f"{row.wall_med / c.wall_med:.2f}×"]
                 for c in commands])
        mem = []
        for label, folder, n in ((f"{small_total} rows", small, small_total), (f"{total} rows", big, total)):
            argv = [exe, "check", folder, "--format", "jsonl"]
            mem.append([label, H.mib(_peak_rss(argv)), H.mib(_peak_rss(argv + ["--no-columnar"]))])
        say("peak RSS of the whole command")
        H.table(["ledger", "columnar", "--no-columnar"], mem)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
