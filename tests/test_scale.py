"""Dask (the ``scale`` extra): a LocalCluster of 2 worker processes gives
exactly the serial run's findings -- through the CLI (``--dask local``),
per-partition files (``check_partitions``, ``write_bag``) and a bag of
per-record results (``check_bag``) -- and a missing Dask is a clear exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from conftest import EXAMPLES, REPO, register


distributed = pytest.importorskip("distributed", reason="the scale extra (dask[distributed]) is not installed")


@pytest.fixture(scope="module")
def client():
    import dask

    dask.config.set({"distributed.worker.daemon": False})
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=40)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return register(tmp_path_factory.mktemp("reg"), 400, 3, 100, "[1, 2]")  # not a record: that line alone fails


def _serial(cli, inputs, fmt="jsonl"):
    r = cli("check", *inputs, "--format", fmt, "--summary")
    assert r.exit_code == 2 and r.output
    return r


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "table"])
def test_cli_dask_local_2_workers_equals_serial(cli, inputs, fmt):
    serial = _serial(cli, inputs, fmt)
    r = cli("check", *inputs, "--format", fmt, "--summary", "--dask", "local", "--jobs", "2")
    assert (r.exit_code, r.output, r.stderr) == (serial.exit_code, serial.output, serial.stderr)


def test_check_partitions_writes_one_file_per_partition(cli, client, inputs, tmp_path):
    from compliance.scale import check_partitions, combine

    results = check_partitions(client, inputs, tmp_path / "out", partition_size=64, window=2)
    assert [r.partition for r in results] == list(range(len(results))) and len(results) == 7
    assert [r.path.rsplit("/", 1)[1] for r in results][:2] == ["part-00000.jsonl", "part-00001.jsonl"]
    joined = b"".join(open(r.path, "rb").read() for r in results)
    assert joined == _serial(cli, inputs).output.encode("utf-8")  # in name order: the serial output
    summary, code = combine(results)
    assert code == 2 and summary.records == 407 and summary.failed_inputs == 1


def test_check_partitions_csv_and_the_formats_it_takes(cli, client, inputs, tmp_path):
    from compliance.errors import UsageError
    from compliance.scale import check_partitions

    results = check_partitions(client, inputs, tmp_path / "csv", format="csv", partition_size=100)
    parts = [open(r.path, encoding="utf-8", newline="").read() for r in results]
    head = parts[0].split("\r\n", 1)[0] + "\r\n"
    assert all(p.startswith(head) for p in parts)
    assert head + "".join(p[len(head):] for p in parts) == _serial(cli, inputs, "csv").output
    with pytest.raises(UsageError, match="partition files are jsonl, csv, parquet"):
        check_partitions(client, inputs, tmp_path / "x", format="json")


def test_bags(cli, client, inputs, tmp_path):
    import dask.bag as db

    from compliance.api import Failure
    from compliance.scale import check_bag, write_bag
    from compliance.sources import expand

    items = list(expand(inputs))
    bag = db.from_sequence(items, npartitions=4)
    chunks = check_bag(bag, format="jsonl").compute()
    serial = _serial(cli, inputs).output
    assert "".join(c.payload if not isinstance(c, Failure) else json.dumps(c.to_dict(), ensure_ascii=False) + "\n"
                   for c in chunks) == serial
    results = write_bag(bag, str(tmp_path / "bag"))
    assert len(results) == bag.npartitions > 1 and "".join(open(r.path, encoding="utf-8").read() for r in results) == serial


def test_missing_dask_is_a_usage_error(tmp_path):
    """Dask hidden by a meta-path blocker: --dask says what to install, exit 2."""
    code = textwrap.dedent(f"""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("dask", "distributed"):
                    raise ImportError(f"No module named {{name!r}} (blocked)")
        sys.meta_path.insert(0, Block())
        from compliance.cli import main
        sys.exit(main(["check", {str(EXAMPLES / 'dongli-steel.yaml')!r}, "--dask", "local", "-o",
                       {str(tmp_path / 'out.txt')!r}]))
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                       env={**__import__("os").environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 2, r.stderr
    assert "--dask needs dask[distributed], which is not installed" in r.stderr
    assert 'pip install "compliance[scale]"' in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out.txt").exists()  # nothing left behind
