"""The Python API: :func:`check` and friends, for permit-review code."""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import attrs

from . import sources
from .errors import EngineError, InputError, Problem, RulesetError, UsageError
from .engine import engine_name
from .evaluate import Evaluator
from ._yaml import Document, load_document
from .normalise import facts_of
from .report import RecordReport, Report
from .ruleset import Ruleset, bundled_paths, load_rulesets as _load_rulesets

__all__ = ["check", "check_many", "iter_check", "load_rulesets", "evaluator", "Failure"]

RecordInput = Union[str, os.PathLike, Mapping[str, Any]]
RulesetsInput = Optional[Sequence[Union[Ruleset, str, os.PathLike]]]


#: Guards the bundled rulesets and the evaluator cache, so that threads
#: starting cold build each once (not one evaluator per thread). Held while
#: one is built; a fork while a thread holds it must not leave the child
#: waiting for it, so the child gets a new lock.
_LOCK = threading.RLock()


def _new_lock_in_child() -> None:
    global _LOCK
    _LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock_in_child)


@functools.lru_cache(maxsize=1)
def _bundled_once() -> Tuple[Ruleset, ...]:
    return _load_rulesets(None)


def _bundled() -> Tuple[Ruleset, ...]:
    with _LOCK:
        return _bundled_once()


def load_rulesets(selection: RulesetsInput = None) -> Tuple[Ruleset, ...]:
    """Rulesets by object, bundled id, file or directory (all bundled if None).

    Raises:
        RulesetError: a ruleset file is invalid (every problem, with file:line).
        UsageError: an id names no bundled ruleset.

    .. versionadded:: 0.1
    """
    if selection is None:
        return _bundled()
    selection = _selection_arg(selection)
    out: List[Ruleset] = []
    paths: List[str] = []
    by_id = None
    for item in selection:
        if isinstance(item, Ruleset):
            out.append(item)
            continue
        text = os.fspath(item)
        if os.path.exists(text):
            paths.append(text)
            continue
        by_id = by_id or {r.id: r for r in _bundled()}
        if text not in by_id:
            from .record import suggest

            raise UsageError(f"no ruleset file or bundled ruleset id {text!r}{suggest(text, by_id)}")
        out.append(by_id[text])
    if paths:  # a file may not reuse the ids of the bundled rulesets selected by id
        out.extend(_load_rulesets(paths, alongside=tuple(out)))  # a folder without rulesets is refused there
    seen: dict = {}
    rule_at: dict = {}  # one finding per (rule, entity): a rule id once in a selection
    unique = []
    for r in out:
        if r.id not in seen:
            seen[r.id] = r
            unique.append(r)
            for rule in r.rules + r.manual_review:
                if rule.id in rule_at:
                    raise RulesetError([Problem(rule.file, rule.line, 0, f"{rule.id}.id",
                                                f"rule id {rule.id!r} is also the id of a rule at {rule_at[rule.id]}")])
                rule_at[rule.id] = f"{rule.file}:{rule.line}"
        elif os.path.abspath(seen[r.id].file) != os.path.abspath(r.file):  # not the same file twice: a clash
            raise RulesetError([Problem(r.file, 0, 0, "ruleset.id", f"ruleset id {r.id!r} is also the id of {seen[r.id].file}")])
    return tuple(unique)


def _kind(value: Any) -> str:
    """How a wrong argument is named in a message: its type and a short repr."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _selection_arg(selection: Any) -> List[Any]:
    """``rulesets``: a non-empty sequence of ids, paths or Ruleset objects
    -- not one string (it would be read letter by letter), not empty (it
    would check nothing)."""
    if isinstance(selection, (str, bytes, os.PathLike, Ruleset)):
        raise UsageError(f"rulesets: expected a list of bundled ruleset ids, ruleset paths or Ruleset objects, "
                         f"got a single {_kind(selection)}; write [{selection!r}]" if not isinstance(selection, Ruleset)
                         else "rulesets: expected a list, got a single Ruleset; write [ruleset]")
    try:
        items = list(selection)
    except TypeError:
        raise UsageError(f"rulesets: expected a list of bundled ruleset ids, ruleset paths or Ruleset objects "
                         f"(or None for every bundled ruleset), got {_kind(selection)}") from None
    if not items:
        raise UsageError("rulesets: an empty selection would check nothing; "
                         "pass None for every bundled ruleset, or name at least one")
    for i, item in enumerate(items):
        if not (isinstance(item, Ruleset) or isinstance(item, str)
                or (isinstance(item, os.PathLike) and isinstance(os.fspath(item), str))):
            raise UsageError(f"rulesets[{i}]: expected a bundled ruleset id, a ruleset path (str or os.PathLike) "
                             f"or a Ruleset, got {_kind(item)}")
    return items


def _options(as_of: Any, alert: Any, engine: Any, show_all: Any) -> Optional[dt.date]:
    """The keyword arguments every check function takes, checked once
    (before the first record) so that misuse is a :class:`UsageError`, not
    a ``TypeError`` or the same error on every record; returns the date."""
    if alert is not None:
        from .vocabulary import vocabulary

        levels = sorted(vocabulary().context_fields["alert"].values)
        if not isinstance(alert, str):
            raise UsageError(f"alert: expected None or one of {', '.join(map(repr, levels))}, got {_kind(alert)}")
        if alert not in levels:
            raise UsageError(f"alert: unknown alert level {alert!r}; use one of {', '.join(map(repr, levels))}")
    _engine_arg(engine)
    if not isinstance(show_all, bool):
        raise UsageError(f"show_all: expected True or False, got {_kind(show_all)}")
    return _date(as_of)


def _engine_arg(engine: Any) -> None:
    if engine is not None and not isinstance(engine, str):
        raise UsageError(f"engine: expected None or an engine name (auto, kernel, direct, durable), "
                         f"got {_kind(engine)}")


def _records_arg(records: Any) -> Iterable[Any]:
    """``records``: an iterable of records, not one record (a path string
    would be read letter by letter, a mapping key by key)."""
    if isinstance(records, (str, bytes, os.PathLike, Mapping)):
        raise UsageError(f"records: expected an iterable of records (paths or mappings), got a single "
                         f"{_kind(records)}; for one record use check(), or pass [record]")
    try:
        iter(records)
    except TypeError:
        raise UsageError(f"records: expected an iterable of records (paths or mappings), "
                         f"got {_kind(records)}") from None
    return records


def _not_a_record(record: Any) -> Optional[str]:
    """Why ``record`` is neither a path nor a mapping, or None."""
    if isinstance(record, (Mapping, str, sources.JsonLine, Document)):  # Document, JsonLine: batch items
        return None
    if isinstance(record, os.PathLike) and isinstance(os.fspath(record), str):
        return None
    return f"expected a record: a path (str or os.PathLike of str) or a mapping, got {_kind(record)}"


_EVALUATORS: dict = {}


def evaluator(rulesets: RulesetsInput = None, engine: Optional[str] = None) -> Evaluator:
    """A compiled evaluator (cached per ruleset selection and engine).

    Rules are compiled into the engine once per selection; later calls with
    the same rulesets reuse it.
    """
    _engine_arg(engine)
    with _LOCK:  # threads starting cold: one load, one evaluator
        selected = load_rulesets(rulesets)
        key = (tuple(id(r) for r in selected), engine_name(engine))  # auto and kernel: one evaluator
        ev = _EVALUATORS.get(key)
        if ev is None:
            if len(_EVALUATORS) >= 16:
                _EVALUATORS.clear()
            ev = _EVALUATORS[key] = (Evaluator(selected, engine), selected)
        return ev[0]


def _date(value: Union[None, str, dt.date]) -> Optional[dt.date]:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value  # type: ignore[return-value]
    if not isinstance(value, str):
        raise UsageError(f"as_of: expected a datetime.date or 'YYYY-MM-DD' text, got {_kind(value)}"
                         + ("; pass its .date()" if isinstance(value, dt.datetime) else ""))
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"as_of: bad date {value!r}; expected YYYY-MM-DD") from None


def _facts(record: RecordInput, as_of, alert):
    """Load and normalise: the fast path for clean records, the validating
    path (every error and warning, with locations) for anything else."""
    if isinstance(record, Mapping):
        doc = Document("<record>", dict(record), {})
    elif isinstance(record, (str, os.PathLike)):
        doc = load_document(os.fspath(record))
    else:  # a batch item (compliance.sources): a JSON line, a loaded document
        doc = sources.document(record)
    return facts_of(doc, as_of=as_of, alert=alert)


def _check_one(ev: Evaluator, record: RecordInput, as_of, alert, show_all) -> RecordReport:
    facts = _facts(record, as_of, alert)
    findings = ev.lazy_findings(facts, show_all=show_all)
    if any(e.section == "stacks" and "cems.export" in e.values for e in facts.entities):
        from .cems.stage import annotate

        findings = annotate(findings, facts)  # details and figures of CEMS series (compliance.cems)
    fac = {"id": facts.facility.id, "name": facts.name, "region": facts.region.code,
           "status": facts.facility.values.get("status")}  # None: written as null (unknown)
    source = record.source if isinstance(record, sources.JsonLine) else facts.source  # file:line
    return RecordReport(source, fac, facts.as_of.isoformat(), findings, facts.warnings, facts.alert)


def check(
    record: RecordInput,
    *,
    as_of: Union[None, str, dt.date] = None,
    alert: Optional[str] = None,
    rulesets: RulesetsInput = None,
    engine: Optional[str] = None,
    show_all: bool = False,
    waivers: Any = None,
    baseline: Any = None,
) -> Report:
    """Check one facility record (a path or a mapping) and return the report.

    Args:
        record: path of a YAML/JSON record, or the record as a mapping.
        as_of: judge the record at this date (overrides ``context.as_of``;
            default: the record's, else today).
        alert: heavy-pollution alert in force (overrides ``context.alert``).
        rulesets: bundled ids, ruleset files or :class:`Ruleset` objects
            (default: every bundled ruleset; each applies only inside its
            jurisdiction).
        engine: ``auto`` (durable_rules where available), ``durable`` or
            ``direct``.
        show_all: include ``not_applicable`` findings.
        waivers: approved deviations: a waiver file, or a list of waiver
            mappings (``docs/workflow.md``); the report gets ``waivers``.
        baseline: a baseline file (``--create-baseline``): findings in it
            are left out; the report gets ``baseline``.

    Raises:
        InputError: the record is malformed (every problem, with file, line, field).
        RulesetError: a ruleset is malformed.

    .. versionadded:: 0.1
    """
    from .workflow import api_collector, apply

    when = _options(as_of, alert, engine, show_all)
    bad = _not_a_record(record)
    if bad:
        raise UsageError(f"record: {bad}")
    ev = evaluator(rulesets, engine)
    post = api_collector(waivers, baseline, _ruleset_refs(ev.rulesets))
    rec = apply(post, _check_one(ev, record, when, alert, show_all))
    return Report(rec.as_of, _ruleset_refs(ev.rulesets), (rec,), (), ev.engine,
                  post.sections() if post is not None else {})


def check_many(
    records: Iterable[RecordInput],
    *,
    as_of: Union[None, str, dt.date] = None,
    alert: Optional[str] = None,
    rulesets: RulesetsInput = None,
    engine: Optional[str] = None,
    show_all: bool = False,
    waivers: Any = None,
    baseline: Any = None,
) -> Report:
    """Check several records; a bad one is listed in ``Report.errors`` and
    the others are still checked (nothing is dropped silently). A record
    that fails on a bug is listed too, with level ``internal``
    (``Report.exit_code`` 3). ``records`` is a collection of records, not
    one path or mapping (:class:`UsageError`). ``waivers`` and ``baseline``
    as for :func:`check`."""
    from .workflow import api_collector, apply

    when = _options(as_of, alert, engine, show_all)
    _records_arg(records)
    ev = evaluator(rulesets, engine)
    post = api_collector(waivers, baseline, _ruleset_refs(ev.rulesets))
    reports: List[RecordReport] = []
    errors: List[Problem] = []
    for item in _iter(ev, records, when, alert, show_all):
        if isinstance(item, Failure):
            errors.extend(item.problems)
        else:
            reports.append(apply(post, item))
    dates = {r.as_of for r in reports}
    top = when.isoformat() if when else (dates.pop() if len(dates) == 1 else None)
    return Report(top, _ruleset_refs(ev.rulesets), tuple(reports), tuple(errors), ev.engine,
                  post.sections() if post is not None else {})


@attrs.frozen
class Failure:
    """A record that could not be checked: where it came from and why
    (every problem, with file, line and field; one problem of level
    ``internal`` if it failed on a bug)."""

    source: str
    problems: Tuple[Problem, ...]

    @property
    def internal(self) -> bool:
        """The record failed on a bug, not on its content: its one problem
        has level ``internal`` (exit status 3 in the CLI)."""
        return any(p.level == "internal" for p in self.problems)

    def to_dict(self) -> dict:
        return {"source": self.source, "errors": [p.to_dict() for p in self.problems]}


def internal_failure(source: str, exc: BaseException) -> Failure:
    """A record that failed on a bug (any exception but an
    :class:`InputError` or :class:`EngineError` while loading, normalising,
    evaluating or rendering it): one problem of level ``internal`` saying
    so, so that the other records of the batch are still reported. With
    ``COMPLIANCE_DEBUG=1`` the exception propagates instead (traceback)."""
    if os.environ.get("COMPLIANCE_DEBUG"):
        raise exc
    text = str(exc)
    message = (f"internal error ({type(exc).__name__}{': ' + text if text else ''}) while checking this record; "
               "rerun with COMPLIANCE_DEBUG=1 and report it")
    return Failure(source, (Problem(source, 0, 0, "", message, "internal"),))


def _source_of(record: RecordInput) -> str:
    return "<record>" if isinstance(record, Mapping) else sources.source_of(record)


def _iter(ev: Evaluator, records: Iterable[RecordInput], when, alert, show_all) -> Iterator[Union[RecordReport, Failure]]:
    for i, record in enumerate(records):
        if isinstance(record, (Failure, RecordReport)):  # an input that could not be read (compliance.sources)
            yield record  # or a facility of a ledger judged over columns (_ledger)
            continue
        if isinstance(record, sources.LedgerItem):  # a whole ledger: its facilities' items, in ledger order
            yield from _iter(ev, _ledger(ev, record, when, alert, show_all), when, alert, show_all)
            continue
        bad = _not_a_record(record)
        if bad:  # this item only: the others are still checked
            yield Failure(f"<records[{i}]>", (Problem(f"<records[{i}]>", 0, 0, "", bad),))
            continue
        try:
            yield _check_one(ev, record, when, alert, show_all)
        except InputError as exc:
            yield Failure(_source_of(record), tuple(exc.problems))
        except EngineError:  # the engine itself is broken: no partial result (as documented)
            raise
        except Exception as exc:  # a bug: this record fails, the others are still checked
            yield internal_failure(_source_of(record), exc)


def _ledger(ev: Evaluator, item: "sources.LedgerItem", when, alert, show_all) -> Iterator[Any]:
    """A ledger's items: with the kernel, its facilities judged over columns
    (:func:`compliance.columnar.ledger_items`: reports, and the records of
    facilities the columnar path leaves to the row path); with another
    engine (the references) or ``COMPLIANCE_NO_COLUMNAR=1``, its records."""
    if ev.engine != "kernel" or not sources.columnar_wanted():
        yield from sources.ledger_records(item)
        return
    led = sources.read_ledger(item)
    if isinstance(led, Failure):
        yield led
        return
    from .columnar import ledger_items

    try:
        yield from ledger_items(ev, led, as_of=when, alert=alert, show_all=show_all)
    except InputError as exc:  # as the row path's records would give it
        yield Failure(item.path, tuple(exc.problems))
    except EngineError:
        raise
    except Exception as exc:  # a bug: this ledger's remaining facilities fail, the other inputs are checked
        yield internal_failure(item.path, exc)


def iter_check(
    records: Iterable[RecordInput],
    *,
    as_of: Union[None, str, dt.date] = None,
    alert: Optional[str] = None,
    rulesets: RulesetsInput = None,
    engine: Optional[str] = None,
    show_all: bool = False,
) -> Iterator[Union[RecordReport, Failure]]:
    """Check records one at a time, yielding each record's report as it is
    ready: memory stays flat however many records there are.

    ``records`` may be any iterable (a generator reading a register, say),
    including the items of :func:`compliance.sources.expand` (folders, JSON
    Lines, standard input, ledgers; a Failure item is passed through).
    A record that cannot be checked yields a :class:`Failure` naming its
    problems; the others are still checked. That includes a record that
    fails on a bug (any exception but an :class:`EngineError`, which ends
    the run): its Failure has one problem of level ``internal`` asking for
    a report (:attr:`Failure.internal`); ``COMPLIANCE_DEBUG=1`` raises it
    instead. An item that is neither a path nor a mapping fails alone, as
    ``<records[i]>``. Wrong arguments (one string for ``records`` or
    ``rulesets``, an empty ``rulesets``, an ``alert`` that is not a level)
    raise :class:`UsageError` at the call, before any record.

    Each :class:`RecordReport` builds its findings' messages only when they are read (``summary`` and
    ``has_violations`` never build them). Rulesets are compiled once, before
    the first record.

    .. versionadded:: 0.2
    """
    when = _options(as_of, alert, engine, show_all)
    _records_arg(records)
    ev = evaluator(rulesets, engine)
    return _iter(ev, records, when, alert, show_all)


def _ruleset_refs(rulesets: Sequence[Ruleset]):
    return tuple({"id": r.id, "version": r.version} for r in rulesets)
