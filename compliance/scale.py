"""Checking a register on Dask (the ``scale`` extra: ``pip install "compliance[scale]"``).

Three ways in (``docs/scale.md``):

* the CLI, ``compliance check --dask local`` (a LocalCluster of ``--jobs``
  worker processes) or ``--dask tcp://HOST:PORT`` (a running scheduler): the
  same output as a serial run, byte for byte; at most a bounded window of
  batches is in flight (:func:`client_chunks`);
* :func:`check_partitions` for code holding a ``distributed.Client``: the
  inputs are cut into partitions, each worker task checks one and **writes
  its own file** (``part-00000.jsonl`` …) in a folder every worker can
  reach, and only small per-partition counts come back to the client;
* :func:`check_bag` / :func:`write_bag` for code holding a ``dask.bag`` of
  record items (paths, mappings, :class:`compliance.sources.JsonLine`):
  a bag of per-record chunks, or one file per partition.

Each worker process compiles one evaluator (per ruleset selection) and
keeps it for every task (:func:`compliance.parallel.work`).
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from .errors import UsageError
from .parallel import Chunk, Options, batches, lost, options, ordered, work
from .writers import Rendered, Summary

__all__ = ["check_bag", "write_bag", "check_partitions", "combine", "PartitionResult", "cluster",
           "client_chunks", "PARTITION_FORMATS"]

#: Formats a partition file can have: each file stands alone, and the files
#: in name order are the serial output (jsonl, csv: concatenated without the
#: repeated header; parquet: one dataset).
PARTITION_FORMATS = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}


def _need_dask() -> Any:
    try:
        import dask.bag  # noqa: F401
        import distributed
    except ImportError as exc:
        raise UsageError(f"--dask needs dask[distributed], which is not installed ({exc}); "
                         "install it with: pip install \"compliance[scale]\"") from None
    return distributed


def cluster(address: str, jobs: int) -> Any:
    """A client: ``local`` starts a LocalCluster of ``jobs`` single-threaded
    worker processes; anything else is a scheduler address."""
    distributed = _need_dask()
    if address == "local":
        import dask

        # no per-task logs: the scheduler runs in this process, and its logs
        # of every task's messages would grow with the number of records
        dask.config.set({"distributed.worker.daemon": False, "logging.distributed": "error",
                         "distributed.admin.low-level-log-length": 0, "distributed.admin.log-length": 0})
        return distributed.Client(distributed.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                           dashboard_address=None, silence_logs=40))
    if "://" not in address:
        raise UsageError(f"--dask {address!r}: expected local or a scheduler address such as tcp://HOST:8786")
    try:
        return distributed.Client(address, timeout=20)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"--dask {address}: cannot reach the scheduler: {exc}") from None


def client_chunks(client: Any, items: Iterable[Any], opts: Options, *, owned: bool = False,
                  window: Optional[int] = None) -> Iterator[Chunk]:
    """The CLI's Dask run: chunks in input order, batches checked by the
    cluster's workers, at most ``window`` batches in flight. A batch whose
    worker died more often than the scheduler retries is reported lost
    (level ``internal``). ``owned``: close the client (and its local
    cluster) at the end."""
    from distributed import KilledWorker

    workers = max(1, len(client.scheduler_info().get("workers", {})))

    def submit(batch: List[Any]) -> Any:
        return client.submit(work, opts, batch, pure=False)

    def recover(batch: List[Any]) -> Iterator[Chunk]:
        for item in batch:
            yield lost(item, "the Dask worker died")

    try:
        yield from ordered(submit, items, window or 4 * workers, recover=recover, broken=(KilledWorker,))
    finally:
        if owned:
            cluster_ = getattr(client, "cluster", None)
            client.close()
            if cluster_ is not None:
                cluster_.close()


# ----------------------------------------------------------------- partitions


class PartitionResult(NamedTuple):
    """What one partition task returns to the client: its file and counts."""

    partition: int  # its number: part-NNNNN
    path: str
    records: int
    failed: int
    violations: bool
    internal: bool
    summary: Summary  # counts by status and rule, and the failed inputs' problems


def _partition_path(out_dir: str, index: int, fmt: str) -> str:
    return os.path.join(out_dir, f"part-{index:05d}{PARTITION_FORMATS[fmt]}")


def write_partition(opts: Options, items: Sequence[Any], index: int, out_dir: str) -> PartitionResult:
    """A worker's task: check ``items`` and write them, in order, to this
    partition's own file (written beside it and moved into place when whole)."""
    from .writers import Output, open_writer

    path = _partition_path(out_dir, index, opts.fmt)
    output = Output(path, opts.fmt, None)  # type: ignore[arg-type]
    summary = Summary()
    writer = open_writer(opts.fmt, output, refs=[dict(r) for r in opts.refs], as_of=opts.as_of, single=False,
                         engine=opts.engine_name, lang=opts.lang, summary=summary)
    with output:  # committed when complete, removed on failure
        for chunk in work(opts._replace(summary=True), list(items)):
            if isinstance(chunk, Rendered):
                writer.rendered(chunk)
            else:
                writer.failure(chunk.source, chunk.problems)
        writer.close()
    return PartitionResult(index, path, summary.records, summary.failed_inputs, writer.violations,
                           any(p.level == "internal" for p in writer.errors), summary)


def _partition_options(fmt: str, as_of: Any, alert: Optional[str], rulesets: Optional[Sequence[str]],
                       engine: Optional[str], show_all: bool, lang: str) -> Options:
    from .api import _options, _ruleset_refs, evaluator

    if fmt not in PARTITION_FORMATS:
        raise UsageError(f"format {fmt!r}: partition files are {', '.join(PARTITION_FORMATS)} "
                         "(each file stands alone)")
    when = _options(as_of, alert, engine, show_all)
    if rulesets is not None and not all(isinstance(r, str) for r in rulesets):
        raise UsageError("rulesets: give bundled ids or paths (the workers load them)")
    ev = evaluator(list(rulesets) if rulesets is not None else None, engine)  # a bad selection fails here
    return options(rulesets=rulesets, engine=engine, as_of=when.isoformat() if when else None, alert=alert,
                   show_all=show_all, fmt=fmt, lang=lang, refs=_ruleset_refs(ev.rulesets), engine_name=ev.engine,
                   summary=True)


def check_partitions(client: Any, inputs: Iterable[Any], out_dir: str, *, format: str = "jsonl",
                     partition_size: int = 10_000, window: Optional[int] = None, as_of: Any = None,
                     alert: Optional[str] = None, rulesets: Optional[Sequence[str]] = None,
                     engine: Optional[str] = None, show_all: bool = False, lang: str = "en",
                     stdin_format: str = "yaml", mapping: Optional[str] = None) -> List[PartitionResult]:
    """Check ``inputs`` (what ``compliance check`` takes: files, folders,
    JSON Lines, ledgers) on the cluster of ``client``: every
    ``partition_size`` items are one task, which writes
    ``out_dir/part-NNNNN.<format>``; at most ``window`` partitions are in
    flight (default: two per worker), so the client holds only the items
    of those. Returns the partitions' results in order (files and counts;
    :func:`combine` adds them up). ``out_dir`` must be reachable by every
    worker (a shared filesystem) and so must the inputs' paths."""
    from .sources import expand

    opts = _partition_options(format, as_of, alert, rulesets, engine, show_all, lang)
    os.makedirs(out_dir, exist_ok=True)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    pending: List[Any] = []
    results: List[PartitionResult] = []
    items = expand([os.fspath(i) for i in inputs], stdin_format=stdin_format, mapping=mapping)
    for index, part in enumerate(batches(items, partition_size)):
        pending.append(client.submit(write_partition, opts, part, index, out_dir, pure=False))
        while len(pending) >= (window or 2 * workers):
            results.append(pending.pop(0).result())
    results.extend(f.result() for f in pending)
    return results


def combine(results: Sequence[PartitionResult]) -> Tuple[Summary, int]:
    """The batch's summary and exit status (0, 1 violations, 2 input errors,
    3 internal failures) from the partitions' results."""
    total = Summary()
    for r in sorted(results, key=lambda r: r.partition):
        s = r.summary
        total.records += s.records
        total.with_violations += s.with_violations
        for status, n in s.by_status.items():
            total.by_status[status] = total.by_status.get(status, 0) + n
        for key, counts in s.by_rule.items():
            mine = total.by_rule.setdefault(key, {st: 0 for st in counts})
            for st, n in counts.items():
                mine[st] = mine.get(st, 0) + n
        total.failed.extend(s.failed)
        total.failed_inputs += s.failed_inputs
    code = (3 if any(r.internal for r in results) else 2 if any(r.failed for r in results)
            else 1 if any(r.violations for r in results) else 0)
    return total, code


# ----------------------------------------------------------------- bags


def _bag_partition(items: Iterable[Any], opts: Options) -> List[Chunk]:
    return work(opts, list(items))


def check_bag(bag: Any, *, format: str = "jsonl", as_of: Any = None, alert: Optional[str] = None,
              rulesets: Optional[Sequence[str]] = None, engine: Optional[str] = None, show_all: bool = False,
              lang: str = "en") -> Any:
    """A bag of per-record results for a bag of record items (paths,
    mappings, JSON lines): a :class:`~compliance.writers.Rendered` chunk
    (source, date, violations, warnings, the record in ``format``:
    ``payload``, and its counts: ``stats``) or a
    :class:`~compliance.api.Failure`, in the bag's order."""
    _need_dask()
    if format not in ("json", "jsonl", "csv", "table", "parquet", "xlsx"):
        raise UsageError(f"unknown format {format!r}")
    opts = _partition_options("jsonl", as_of, alert, rulesets, engine, show_all, lang)._replace(fmt=format)
    return bag.map_partitions(_bag_partition, opts)


def write_bag(bag: Any, out_dir: str, *, format: str = "jsonl", as_of: Any = None, alert: Optional[str] = None,
              rulesets: Optional[Sequence[str]] = None, engine: Optional[str] = None, show_all: bool = False,
              lang: str = "en", compute: bool = True) -> Any:
    """Check a bag of record items and write each partition to its own file
    ``out_dir/part-NNNNN.<format>`` on the worker; returns the
    :class:`PartitionResult` list (or, with ``compute=False``, the delayed
    tasks)."""
    _need_dask()
    import dask

    opts = _partition_options(format, as_of, alert, rulesets, engine, show_all, lang)
    os.makedirs(out_dir, exist_ok=True)
    tasks = [dask.delayed(write_partition)(opts, part, i, out_dir) for i, part in enumerate(bag.to_delayed())]
    return list(dask.compute(*tasks)) if compute else tasks


def partition_paths(results: Sequence[PartitionResult]) -> List[str]:
    return [r.path for r in sorted(results, key=lambda r: r.partition)]
