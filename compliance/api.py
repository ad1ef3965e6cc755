"""The Python API: :func:`check` and friends, for permit-review code."""

from __future__ import annotations

import datetime as dt
import functools
import os
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import attrs

from .errors import InputError, Problem, UsageError
from .engine import engine_name
from .evaluate import Evaluator
from ._yaml import Document, load_document
from .normalise import facts_of
from .report import RecordReport, Report
from .ruleset import Ruleset, bundled_paths, load_rulesets as _load_rulesets

__all__ = ["check", "check_many", "iter_check", "load_rulesets", "evaluator", "Failure"]

RecordInput = Union[str, os.PathLike, Mapping[str, Any]]
RulesetsInput = Optional[Sequence[Union[Ruleset, str, os.PathLike]]]


@functools.lru_cache(maxsize=1)
def _bundled() -> Tuple[Ruleset, ...]:
    return _load_rulesets(None)


def load_rulesets(selection: RulesetsInput = None) -> Tuple[Ruleset, ...]:
    """Rulesets by object, bundled id, file or directory (all bundled if None).

    Raises:
        RulesetError: a ruleset file is invalid (every problem, with file:line).
        UsageError: an id names no bundled ruleset.

    .. versionadded:: 0.1
    """
    if selection is None:
        return _bundled()
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
    if paths:
        out.extend(_load_rulesets(paths))
    seen = set()
    unique = []
    for r in out:
        if r.id not in seen:
            seen.add(r.id)
            unique.append(r)
    return tuple(unique)


_EVALUATORS: dict = {}


def evaluator(rulesets: RulesetsInput = None, engine: Optional[str] = None) -> Evaluator:
    """A compiled evaluator (cached per ruleset selection and engine).

    Rules are compiled into the engine once per selection; later calls with
    the same rulesets reuse it.
    """
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
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"as_of: bad date {value!r}; expected YYYY-MM-DD") from None


def _facts(record: RecordInput, as_of, alert):
    """Load and normalise: the fast path for clean records, the validating
    path (every error and warning, with locations) for anything else."""
    if isinstance(record, Mapping):
        doc = Document("<record>", dict(record), {})
    elif isinstance(record, Document):  # a record already loaded (a ledger's rows: compliance.ledger)
        doc = record
    else:
        doc = load_document(os.fspath(record))
    return facts_of(doc, as_of=as_of, alert=alert)


def _check_one(ev: Evaluator, record: RecordInput, as_of, alert, show_all) -> RecordReport:
    facts = _facts(record, as_of, alert)
    findings = ev.lazy_findings(facts, show_all=show_all)
    fac = {"id": facts.facility.id, "name": facts.name, "region": facts.region.code,
           "status": facts.facility.values.get("status", "operating")}
    return RecordReport(facts.source, fac, facts.as_of.isoformat(), findings, facts.warnings, facts.alert)


def check(
    record: RecordInput,
    *,
    as_of: Union[None, str, dt.date] = None,
    alert: Optional[str] = None,
    rulesets: RulesetsInput = None,
    engine: Optional[str] = None,
    show_all: bool = False,
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

    Raises:
        InputError: the record is malformed (every problem, with file, line, field).
        RulesetError: a ruleset is malformed.

    .. versionadded:: 0.1
    """
    ev = evaluator(rulesets, engine)
    when = _date(as_of)
    rec = _check_one(ev, record, when, alert, show_all)
    return Report(rec.as_of, _ruleset_refs(ev.rulesets), (rec,), (), ev.engine)


def check_many(
    records: Iterable[RecordInput],
    *,
    as_of: Union[None, str, dt.date] = None,
    alert: Optional[str] = None,
    rulesets: RulesetsInput = None,
    engine: Optional[str] = None,
    show_all: bool = False,
) -> Report:
    """Check several records; a bad one is listed in ``Report.errors`` and
    the others are still checked (nothing is dropped silently)."""
    ev = evaluator(rulesets, engine)
    when = _date(as_of)
    reports: List[RecordReport] = []
    errors: List[Problem] = []
    for item in _iter(ev, records, when, alert, show_all):
        if isinstance(item, Failure):
            errors.extend(item.problems)
        else:
            reports.append(item)
    dates = {r.as_of for r in reports}
    top = when.isoformat() if when else (dates.pop() if len(dates) == 1 else None)
    return Report(top, _ruleset_refs(ev.rulesets), tuple(reports), tuple(errors), ev.engine)


@attrs.frozen
class Failure:
    """A record that could not be checked: where it came from and why
    (every problem, with file, line and field)."""

    source: str
    problems: Tuple[Problem, ...]

    def to_dict(self) -> dict:
        return {"source": self.source, "errors": [p.to_dict() for p in self.problems]}


def _source_of(record: RecordInput) -> str:
    if isinstance(record, Document):
        return record.source
    return "<record>" if isinstance(record, Mapping) else os.fspath(record)


def _iter(ev: Evaluator, records: Iterable[RecordInput], when, alert, show_all) -> Iterator[Union[RecordReport, Failure]]:
    for record in records:
        if isinstance(record, Failure):  # a ledger's facility that could not be read (compliance.ledger)
            yield record
            continue
        try:
            yield _check_one(ev, record, when, alert, show_all)
        except InputError as exc:
            yield Failure(_source_of(record), tuple(exc.problems))


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

    ``records`` may be any iterable (a generator reading a register, say).
    A record that cannot be checked yields a :class:`Failure` naming its
    problems; the others are still checked. Each :class:`RecordReport`
    builds its findings' messages only when they are read (``summary`` and
    ``has_violations`` never build them). Rulesets are compiled once, before
    the first record.

    .. versionadded:: 0.2
    """
    ev = evaluator(rulesets, engine)
    return _iter(ev, records, _date(as_of), alert, show_all)


def _ruleset_refs(rulesets: Sequence[Ruleset]):
    return tuple({"id": r.id, "version": r.version} for r in rulesets)
