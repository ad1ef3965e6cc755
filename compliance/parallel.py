"""``compliance check --jobs N``: records checked and rendered in N worker
processes, written in input order by this one.

The expensive part of a record -- loading, normalising, evaluating, building
its findings and rendering them to the output's text or rows -- runs in a
worker (:func:`work`: :func:`compliance.api.iter_check`'s loop, then a
:class:`~compliance.writers.RecordRenderer`); the parent only reads the
inputs (:func:`compliance.sources.expand`), sends *batches* of items and
writes the returned :class:`~compliance.writers.Rendered` chunks in order
with the writer's ``rendered``. The serial run (``--jobs 1``) is the same
two steps in one process (:func:`serial`), so the output is the same bytes
by construction (``tests/test_parallel.py`` compares every format).

* **Bounded**: at most ``window`` batches are in flight (an ordered map
  with a bounded window, not ``pool.map`` over a list), so memory is flat in
  the number of records.
* **Start**: ``forkserver`` on Linux (workers fork from a clean server that
  has imported the library, never from a parent that has threads),
  ``spawn`` elsewhere; each worker compiles its evaluator once (the
  compiled-ruleset cache makes that quick) in the pool's initializer.
* **A worker that dies** (killed, out of memory) does not hang the run: the
  batches in flight are checked again one record at a time in a new pool,
  and a record that kills its worker again is reported as a failure of
  level ``internal`` (exit status 3); every other record is reported as
  usual.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, NamedTuple, Optional, Tuple, Type, Union

from .api import Failure, _iter, _options, evaluator, internal_failure
from .errors import EngineError, Problem
from .sources import source_of
from .writers import RecordRenderer, Rendered, renderer_for

__all__ = ["Options", "Chunk", "serial", "parallel", "work", "batches", "ordered", "lost", "context"]

Chunk = Union[Rendered, Failure]

#: Items per task: large enough that sending them costs little beside
#: checking them, small enough that a dead worker costs a few records' retry.
BATCH = 256


class Options(NamedTuple):
    """What a worker needs to check and render records (small, picklable)."""

    rulesets: Optional[Tuple[str, ...]]  # bundled ids or paths (as given); None: every bundled ruleset
    engine: Optional[str]
    as_of: Optional[str]
    alert: Optional[str]
    show_all: bool
    fmt: str
    lang: str
    refs: Tuple[Tuple[Tuple[str, str], ...], ...]  # the writer's ruleset refs, as item tuples
    engine_name: str
    summary: bool
    post: Optional[Tuple[Optional[str], Optional[str], bool]] = None  # waivers, baseline, create (workflow.Spec)
    min_severity: Optional[str] = None  # --min-severity, --fail-on (compliance.formats.policy)
    fail_on: Tuple[str, ...] = ("violation",)
    width: int = 80  # of the table (display columns)


_STATE: Dict[Options, Tuple[Any, RecordRenderer, Any]] = {}


def _state(opts: Options) -> Tuple[Any, RecordRenderer, Any]:
    """A worker's evaluator and renderer for ``opts``: made once per
    process, so compiled rules are reused."""
    st = _STATE.get(opts)
    if st is None:
        st = _STATE[opts] = _make(opts)
    return st


def _make(opts: Options, ev: Any = None) -> Tuple[Any, RecordRenderer, Any]:
    if ev is None:
        ev = evaluator(list(opts.rulesets) if opts.rulesets is not None else None, opts.engine)
    when = _options(opts.as_of, opts.alert, opts.engine, opts.show_all)
    renderer = renderer_for(opts.fmt, refs=[dict(r) for r in opts.refs], engine=opts.engine_name,
                            lang=opts.lang, summary=opts.summary, min_severity=opts.min_severity,
                            fail_on=opts.fail_on, width=opts.width)
    if opts.post is not None:  # waivers and baseline, applied before rendering (compliance.workflow)
        from .workflow import PostRenderer, post_from

        renderer = PostRenderer(renderer, post_from(opts.post, [dict(r) for r in opts.refs]))  # type: ignore[assignment]
    return ev, renderer, when


def render(renderer: RecordRenderer, item: Any) -> Chunk:
    """One result of :func:`compliance.api.iter_check` rendered: a record
    whose rendering fails on a bug fails alone (as in the serial writer)."""
    if isinstance(item, Failure):
        return item
    try:
        return renderer(item)
    except (OSError, EngineError):  # the run fails, not this record
        raise
    except Exception as exc:  # a bug rendering this record: it alone fails
        return internal_failure(item.source, exc)


def work(opts: Options, batch: List[Any]) -> List[Chunk]:
    """A worker's task: check and render a batch of items, in order."""
    ev, renderer, when = _state(opts)
    return [render(renderer, item) for item in _iter(ev, batch, when, opts.alert, opts.show_all)]


def _warm(opts: Options) -> None:  # the pool's initializer: compile before the first task
    _state(opts)


def serial(items: Iterable[Any], opts: Options, ev: Any = None) -> Iterator[Chunk]:
    """The one-process run: the same two steps as a worker's."""
    ev, renderer, when = _make(opts, ev)  # not kept: a ruleset file may change between calls
    for item in _iter(ev, items, when, opts.alert, opts.show_all):
        yield render(renderer, item)


def batches(items: Iterable[Any], size: int = BATCH) -> Iterator[List[Any]]:
    batch: List[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def lost(item: Any, why: str) -> Failure:
    """A record whose worker died while checking it: a failure of level ``internal``."""
    source = item.source if isinstance(item, Failure) else source_of(item)
    return Failure(source, (Problem(source, 0, 0, "", f"{why} while checking this record; it has no result "
                                    "(rerun it alone, or with --jobs 1, and report it)", "internal"),))


def context() -> multiprocessing.context.BaseContext:
    """``forkserver`` on Linux (no fork of a parent with threads), ``spawn`` elsewhere."""
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["compliance.parallel"])  # workers fork with the library imported
        return ctx
    return multiprocessing.get_context("spawn")


def ordered(submit: Callable[[List[Any]], "Future[List[Chunk]]"], items: Iterable[Any], window: int,
            size: int = BATCH, recover: Optional[Callable[[List[Any]], Iterator[Chunk]]] = None,
            broken: Tuple[Type[BaseException], ...] = ()) -> Iterator[Chunk]:
    """Chunks of ``items`` in input order, at most ``window`` batches in
    flight. A batch whose future raises one of ``broken`` (its worker died)
    goes to ``recover`` (which checks its items again, or reports them)."""
    pending: Deque[Tuple[List[Any], "Future[List[Chunk]]"]] = collections.deque()

    def head() -> Iterator[Chunk]:
        batch, fut = pending.popleft()
        try:
            chunks = fut.result()
        except broken:
            if recover is None:
                raise
            yield from recover(batch)
            return
        yield from chunks

    for batch in batches(items, size):
        pending.append((batch, submit(batch)))
        while len(pending) >= window:
            yield from head()
    while pending:
        yield from head()


class _Pool:
    """A process pool that is made again when one of its workers dies."""

    def __init__(self, jobs: int, opts: Options):
        self.jobs, self.opts = jobs, opts
        self.ctx = context()
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.jobs, mp_context=self.ctx, initializer=_warm, initargs=(self.opts,))

    def submit(self, batch: List[Any]) -> "Future[List[Chunk]]":
        try:
            return self.executor.submit(work, self.opts, batch)
        except BrokenProcessPool:  # a worker died before this batch was sent: a new pool
            self.renew()
            return self.executor.submit(work, self.opts, batch)

    def renew(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def recover(self, batch: List[Any]) -> Iterator[Chunk]:
        """A batch lost with a dead worker: each item again, alone; one that
        kills its worker again is reported lost."""
        self.renew()
        for item in batch:
            try:
                yield from self.submit([item]).result()
            except BrokenProcessPool:
                yield lost(item, "the worker process died")
                self.renew()

    def close(self, wait: bool = True) -> None:
        self.executor.shutdown(wait=wait, cancel_futures=not wait)


def parallel(items: Iterable[Any], opts: Options, jobs: int, window: Optional[int] = None) -> Iterator[Chunk]:
    """Chunks of ``items`` in input order, checked by ``jobs`` worker processes."""
    pool = _Pool(jobs, opts)
    done = False
    try:
        yield from ordered(pool.submit, items, window or 4 * jobs, recover=pool.recover, broken=(BrokenProcessPool,))
        done = True
    finally:
        pool.close(wait=done)


def options(*, rulesets: Optional[Iterable[str]], engine: Optional[str], as_of: Optional[str],
            alert: Optional[str], show_all: bool, fmt: str, lang: str, refs: Iterable[Dict[str, str]],
            engine_name: str, summary: bool, post: Optional[Tuple[Optional[str], Optional[str], bool]] = None,
            min_severity: Optional[str] = None, fail_on: Iterable[str] = ("violation",), width: int = 80) -> Options:
    return Options(tuple(rulesets) if rulesets is not None else None, engine, as_of, alert, show_all, fmt, lang,
                   tuple(tuple(r.items()) for r in refs), engine_name, summary, post, min_severity, tuple(fail_on),
                   width)


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return os.cpu_count() or 1
