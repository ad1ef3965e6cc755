"""Errors that know where they come from and which exit status they mean.

Every problem with user input is an :class:`InputError` carrying the file,
line, column and field it is about, so that the CLI can print
``file:line:col: field: message`` and exit with status 2 -- never a
traceback. Errors are plain data (picklable, comparable, sortable) so that
several can be collected and reported together, as yamllint does.
"""

from __future__ import annotations

from typing import Iterable, Optional

import attrs

__all__ = [
    "ComplianceError",
    "Problem",
    "InputError",
    "RulesetError",
    "EngineError",
    "UsageError",
]


class ComplianceError(Exception):
    """Base class of the library's errors. ``exit_code`` is the CLI status."""

    exit_code = 2


@attrs.frozen(order=True)
class Problem:
    """One thing wrong with an input, located in its file.

    Args:
        file: path of the input as the user gave it.
        line: 1-based line, or 0 when unknown (e.g. an empty file).
        column: 1-based column, or 0 when unknown.
        field: dotted path of the field, e.g. ``boilers[B1].capacity``.
        message: what is wrong, and where possible how to fix it.
        level: ``error`` or ``warning``.
        cell: for a spreadsheet ledger, the cell as ``sheet!C12`` (``C12``
            for a CSV file); ``line`` and ``column`` then hold its row and
            column number, so problems still sort in reading order. Empty
            for every other input, whose text and dict are unchanged.
    """

    file: str
    line: int = 0
    column: int = 0
    field: str = attrs.field(default="", converter=str)  # a mapping key may be an int: problems still sort
    message: str = ""
    level: str = "error"
    cell: str = ""

    def __str__(self) -> str:
        if self.cell:
            where = f"{self.file}:{self.cell}"
        else:
            where = f"{self.file}:{self.line}:{self.column}" if self.line else f"{self.file}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}: [{self.level}]{field} {self.message}"

    def to_dict(self) -> dict:
        out = attrs.asdict(self)
        if not self.cell:
            del out["cell"]  # other inputs: the JSON of report/1 as before
        return out


class InputError(ComplianceError):
    """A facility record (or other input file) is malformed.

    Holds one or more :class:`Problem` objects; ``str()`` prints them one per
    line in ``file:line:col: [error] field: message`` form.
    """

    def __init__(self, problems: Iterable[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        if isinstance(problems, (str, bytes)):  # it would be read letter by letter
            raise UsageError(f"{type(self).__name__}: expected Problem objects, got a single {type(problems).__name__}; "
                             f"use {type(self).__name__}.at(file, line, field, message)")
        problems = list(problems)
        for item in problems:
            if not isinstance(item, Problem):
                raise UsageError(f"{type(self).__name__}: expected Problem objects, got {type(item).__name__} {item!r}")
        self.problems: list[Problem] = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        return (type(self), (self.problems,))

    @classmethod
    def at(
        cls,
        file: str,
        line: int,
        field: str,
        message: str,
        column: int = 0,
    ) -> "InputError":
        return cls([Problem(file, line, column, field, message)])


class RulesetError(InputError):
    """A ruleset file is malformed or inconsistent with the record format."""


class EngineError(ComplianceError):
    """The rule engine failed at run time; no partial result is returned."""

    exit_code = 3


class UsageError(ComplianceError):
    """The command line or API was called wrongly."""

    def __init__(self, message: str, hint: Optional[str] = None):
        self.hint = hint
        super().__init__(message if not hint else f"{message}\n{hint}")
