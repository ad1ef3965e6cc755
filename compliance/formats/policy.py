"""``--fail-on`` and ``--min-severity``: which findings are shown and which
fail the run (exit status 1).

* ``--min-severity low|medium|high`` keeps only findings of a rule of that
  severity or higher, in every format (as Checkov's ``--check HIGH``): the
  others are neither shown, counted nor able to fail the run.
* ``--fail-on STATUS`` is a threshold in the output order of statuses
  (:data:`compliance.status.STATUS_ORDER`, most serious first): the run
  fails if any shown finding has that status or a more serious one. The
  default, ``violation``, is the behaviour without the option. So
  ``--fail-on indeterminate`` fails on violations and undecided findings,
  ``--fail-on pending`` also on every status ordered before ``pending``
  (``manual_review`` where that status exists) and on obligations not yet due.

Input errors (exit 2) and internal failures (exit 3) come first, as before.
"""

from __future__ import annotations

from typing import FrozenSet, Iterable, Optional, Tuple

import attrs

from ..status import STATUS_ORDER

__all__ = ["SEVERITY_ORDER", "FAIL_ON_CHOICES", "fail_statuses", "shown", "outcomes", "fails"]

#: Severities, least serious first (rules use low/medium/high; manual-review items are info).
SEVERITY_ORDER = ("info", "low", "medium", "high")  # info: manual-review items only

#: What ``--fail-on`` accepts: every status ordered before ``compliant``.
FAIL_ON_CHOICES: Tuple[str, ...] = STATUS_ORDER[:STATUS_ORDER.index("compliant")]


def fail_statuses(level: str) -> Tuple[str, ...]:
    """The statuses that fail the run at ``--fail-on level``."""
    if level not in STATUS_ORDER:
        raise ValueError(f"unknown status {level!r}; expected one of {', '.join(FAIL_ON_CHOICES)}")
    return STATUS_ORDER[:STATUS_ORDER.index(level) + 1]


def severity_rank(severity: str) -> int:
    """Rank of a severity (an unknown word ranks highest: never hidden)."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def shown(rec, min_severity: Optional[str]):
    """``rec`` (a :class:`~compliance.report.RecordReport`) with only the
    findings at ``min_severity`` or higher (itself when None)."""
    if min_severity is None:
        return rec
    floor = severity_rank(min_severity)
    return attrs.evolve(rec, findings=tuple(f for f in rec.findings if severity_rank(f.severity) >= floor))


def outcomes(rec) -> FrozenSet[str]:
    """The statuses a record's (shown) findings have: what can fail the run."""
    statuses = getattr(rec.findings, "statuses", None)
    return frozenset(statuses if statuses is not None else (f.status for f in rec.findings))


def fails(statuses: Iterable[str], fail_on: Iterable[str]) -> bool:
    """Whether findings with ``statuses`` fail a run failing on ``fail_on``."""
    return not set(fail_on).isdisjoint(statuses)
