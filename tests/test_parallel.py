"""``check --jobs N``: the same output, in the same order, as one process
(every format; parquet and xlsx compared by content), bounded in-flight
work, and a worker that dies costs only its own record."""

from __future__ import annotations

import os

import pytest

from compliance import parallel
from compliance.api import Failure
from compliance.writers import Rendered
from conftest import EXAMPLES, register


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Examples, 300 generated records as JSON Lines (one bad line), a missing file."""
    d = tmp_path_factory.mktemp("batch")
    return register(d, 300, 9, 17, '{"facility": ') + [str(d / "missing.yaml")]  # a syntax error on line 18


def _content(path, fmt):
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    return open(path, "rb").read()


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv", "parquet", "xlsx"])
def test_jobs_2_writes_what_jobs_1_writes(cli, batch, tmp_path, fmt):
    runs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.{fmt}"
        r = cli("check", *batch, "--format", fmt, "-o", out, "--jobs", jobs, "--summary", "--show-all")
        runs.append((r.exit_code, r.stderr, _content(out, fmt)))
    assert runs[0][0] == 2  # the bad line and the missing file: input errors
    assert "register.jsonl:18" in runs[0][1] and "summary: 307 records checked" in runs[0][1]
    assert runs[1] == runs[0]


def test_jobs_to_standard_output_and_zh(cli, batch):
    one = cli("check", *batch[:-1], "--lang", "zh", "--jobs", "1", "--as-of", "2019-06-01")
    two = cli("check", *batch[:-1], "--lang", "zh", "--jobs", "2", "--as-of", "2019-06-01")
    assert (two.exit_code, two.output, two.stderr) == (one.exit_code, one.output, one.stderr)
    assert one.output.count("\n") > 1000


def test_jobs_option_is_checked(cli, batch):
    r = cli("check", batch[0], "--jobs", "many")
    assert r.exit_code == 2 and "bad number of jobs 'many'" in r.stderr
    r = cli("check", batch[0], "--jobs", "-1")
    assert r.exit_code == 2
    r = cli("check", batch[0], "--jobs", "0", "--format", "jsonl")  # one per core
    assert r.exit_code == 1 and r.output == cli("check", batch[0], "--format", "jsonl").output


class _Exit:
    """An item that kills the worker process that unpickles it (as a
    segfault or the OOM killer would)."""

    source = "killer.yaml"

    def __reduce__(self):
        return (os._exit, (9,))


def _opts(fmt="jsonl"):
    from compliance.api import _ruleset_refs, evaluator

    ev = evaluator(None, None)
    return parallel.options(rulesets=None, engine=None, as_of=None, alert=None, show_all=False, fmt=fmt,
                            lang="en", refs=_ruleset_refs(ev.rulesets), engine_name=ev.engine, summary=True)


def test_a_dead_worker_costs_its_record_only(batch):
    items = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))] * 30
    items.insert(70, _Exit())
    opts = _opts()
    expected = list(parallel.serial(items[:70] + items[71:], opts))
    got = list(parallel.parallel(items, opts, jobs=2, window=3))
    assert len(got) == len(items)
    dead = got.pop(70)
    assert isinstance(dead, Failure) and dead.internal and dead.source == "killer.yaml"
    assert "worker process died" in dead.problems[0].message
    assert got == expected


def test_the_window_bounds_work_in_flight():
    """An ordered map never holds more than ``window`` batches: items are
    pulled from the input only as results are written."""
    pulled = []

    def items():
        for i in range(1000):
            pulled.append(i)
            yield i

    class Done:
        def __init__(self, v):
            self.v = v

        def result(self):
            return self.v

    out = parallel.ordered(lambda batch: Done(batch), items(), window=3, size=10)
    first = [next(out) for _ in range(5)]
    assert first == [0, 1, 2, 3, 4]
    assert len(pulled) <= 3 * 10  # three batches read ahead, not the whole input
    assert list(out) == list(range(5, 1000))


def test_rendered_chunks_are_small_and_plain(batch):
    opts = _opts("csv")
    chunks = list(parallel.serial(batch[:2], opts))
    assert all(isinstance(c, Rendered) and isinstance(c.payload, str) for c in chunks)
    assert chunks[0].stats is not None and chunks[0].payload.endswith("\r\n")


def test_ledgers_in_workers(cli, tmp_path):
    """A ledger's records are Documents made in the parent and checked in the workers."""
    ledgers = [EXAMPLES / "tianjin-district-ledger.xlsx", EXAMPLES / "tianjin-district-ledger-csv"]
    one = cli("check", *ledgers, "--format", "csv", "--summary")
    two = cli("check", *ledgers, "--format", "csv", "--summary", "--jobs", "2")
    assert (two.exit_code, two.output, two.stderr) == (one.exit_code, one.output, one.stderr)
    assert "summary: 80 records checked" in one.stderr
