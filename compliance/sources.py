"""The load stage for batches: what the user named -> record items, lazily.

:func:`expand` turns the inputs of ``compliance check`` / ``validate`` into
a stream of *items*, one per facility record, without reading a register
into memory:

* a **file** ``*.yaml``, ``*.yml``, ``*.json`` (or any other name): its path,
  a ``str``; it is read and parsed when the record is checked;
* a **directory**: every ``*.yaml``, ``*.yml``, ``*.json`` and ``*.jsonl``
  file below it, recursively, in sorted order (by name, per directory, so
  the order is the same on every machine); hidden files and directories
  (names starting with ``.``) are skipped; a symbolic link is followed
  unless it leads back to a directory already being walked (a loop is
  walked once); other files are skipped (a folder of records often holds a
  README), and so are waiver files and baselines named by the convention of
  ``docs/workflow.md`` (:data:`NOT_RECORDS`: ``*.waivers.yaml``,
  ``*.baseline.json`` ...), which sit beside the records they are for;
* a **JSON Lines** file ``*.jsonl``: one :class:`JsonLine` per non-blank line
  (one JSON object, one record), parsed when the record is checked; a line
  that cannot be used costs only that line;
* ``-``: **standard input**, one YAML or JSON record (``stdin_format="yaml"``,
  the default: a :class:`~compliance._yaml.Document`) or JSON Lines
  (``stdin_format="jsonl"``). Which one is said, never guessed: a one-line
  JSON object is both;
* a spreadsheet **ledger** ``*.csv`` / ``*.xlsx`` (or a folder of CSV
  files): the records :func:`compliance.ledger.iter_records` groups from
  its rows (Documents), with the ``mapping`` file if one is given; with
  ``columnar=True`` (``compliance check``), one :class:`LedgerItem` instead,
  which :func:`compliance.api.iter_check` expands into the same reports,
  judged over columns (:func:`compliance.columnar.check_ledger`) when the
  evaluator is the kernel, else record by record as above.
  ``COMPLIANCE_NO_COLUMNAR=1`` in the environment turns it off (the row
  path), as ``compliance check --no-columnar`` does.

An input that cannot be read becomes a :class:`~compliance.api.Failure`
item in its place (every problem located), so one bad input never costs the
others their result. Every item is plain, picklable data -- a path, a
:class:`JsonLine` ``(path, line, text)``, a Document, a Failure -- so items
can be shipped to worker processes; :func:`document` (or the API's
``iter_check``) turns one into a loaded document on the worker's side.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import IO, Any, Iterable, Iterator, NamedTuple, Optional, Union

from ._yaml import MAX_BYTES, Document, decode, load_document, load_text
from .errors import InputError, Problem, UsageError

__all__ = ["JsonLine", "LedgerItem", "expand", "document", "source_of", "ledger_records", "RECORD_SUFFIXES",
           "LEDGER_SUFFIXES", "STDIN"]

#: File names a directory is searched for (lower case).
RECORD_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")
#: name endings of the files a folder walk skips: waivers and baselines (compliance.workflow)
NOT_RECORDS = (".waivers.yaml", ".waivers.yml", ".baseline.json")
#: Spreadsheet ledgers, read by :mod:`compliance.ledger` (only when named, not
#: in directories): the same endings as ``compliance.ledger.LEDGER_SUFFIXES``
#: (kept here so that checking YAML files never imports the ledger reader;
#: a test holds them equal). ``.xls``/``.et`` are named to be refused clearly.
LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".xls", ".et")
#: The source name of standard input in reports and errors.
STDIN = "<stdin>"

Item = Union[str, "JsonLine", Document, Any]  # Any: a compliance.api.Failure


class JsonLine(NamedTuple):
    """One line of a JSON Lines file: the file, its 1-based line number, its text."""

    path: str
    line: int
    text: str

    @property
    def source(self) -> str:
        """``file:line``: names the record in reports."""
        return f"{self.path}:{self.line}"

    def document(self) -> Document:
        """The line parsed as strict JSON (duplicate keys refused); every
        location in the record is this line (column unknown)."""
        try:
            data = json.loads(self.text, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            raise InputError(Problem(self.path, self.line, exc.colno, "",
                                     f"JSON syntax error: {exc.msg}")) from None
        except _DuplicateKey as exc:
            raise InputError(Problem(self.path, self.line, 0, str(exc.args[0]),
                                     f"duplicate key {exc.args[0]!r} in one JSON object")) from None
        except RecursionError:
            raise InputError(Problem(self.path, self.line, 0, "", "JSON nested too deeply")) from None
        return Document(self.path, data, AtLine(self.line))


class LedgerItem(NamedTuple):
    """A whole spreadsheet ledger, to be read and judged as one (its
    facilities' reports in ledger order: :func:`compliance.api.iter_check`)."""

    path: str
    mapping: Optional[str] = None

    @property
    def source(self) -> str:
        return self.path


def columnar_wanted() -> bool:
    """Whether ledgers may be judged over columns (``COMPLIANCE_NO_COLUMNAR``
    unset, empty or ``0``)."""
    return os.environ.get("COMPLIANCE_NO_COLUMNAR", "") in ("", "0")


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class AtLine(Mapping):
    """Locations of a record written on one line: every path is at that line
    (column 0: unknown)."""

    __slots__ = ("line",)

    def __init__(self, line: int):
        self.line = line

    def __getitem__(self, path):
        return (self.line, 0)

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0

    def __reduce__(self):
        return (AtLine, (self.line,))


def _failure(source: str, problems) -> Any:
    from .api import Failure  # the API imports this module

    return Failure(source, tuple(problems))


def source_of(item: Item) -> str:
    """The name of an item's record in reports (``file``, ``file:line``, ``<stdin>``)."""
    if isinstance(item, JsonLine):
        return item.source
    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item)
    return str(getattr(item, "source", "<record>"))


def document(item: Item) -> Document:
    """Load the record an item stands for (raises InputError, located)."""
    if isinstance(item, Document):
        return item
    if isinstance(item, JsonLine):
        return item.document()
    return load_document(os.fspath(item))


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def expand(inputs: Iterable[Union[str, os.PathLike]], *, stdin_format: str = "yaml",
           mapping: Optional[str] = None, stdin: Optional[IO[bytes]] = None,
           columnar: bool = False) -> Iterator[Item]:
    """Record items for ``inputs`` (paths, directories, ``-``), in order, lazily.

    ``stdin``: the binary stream ``-`` reads (default ``sys.stdin.buffer``).
    ``columnar``: a ledger is one :class:`LedgerItem` (unless
    ``COMPLIANCE_NO_COLUMNAR`` is set), not its records.
    """
    if stdin_format not in ("yaml", "jsonl"):
        raise UsageError(f"stdin format {stdin_format!r}: expected yaml or jsonl")
    whole = columnar and columnar_wanted()
    stdin_used = False
    for given in inputs:
        path = os.fspath(given)
        if path == "-":
            if stdin_used:
                yield _failure(STDIN, [Problem(STDIN, 0, 0, "", "standard input given twice; it can be read once")])
                continue
            stdin_used = True
            stream = stdin if stdin is not None else sys.stdin.buffer
            if stdin_format == "jsonl":
                yield from _lines(STDIN, stream)
            else:
                yield _stdin_document(stream)
        elif os.path.isdir(path) and _csv_folder(path):  # a ledger kept as one CSV file per kind
            if whole:
                yield LedgerItem(path, mapping)
            else:
                yield from _ledger(path, mapping)
        elif os.path.isdir(path):
            found = False
            for item in _walk(path):
                found = True
                yield item
            if not found:  # named, so records were expected: saying so beats a silent success
                yield _failure(path, [Problem(path, 0, 0, "", "no record files (*.yaml, *.yml, *.json, *.jsonl) "
                                                             "below this folder")])
        elif _suffix(path) == ".jsonl":
            yield from _jsonl(path)
        elif _suffix(path) in LEDGER_SUFFIXES:
            if whole:
                yield LedgerItem(path, mapping)
            else:
                yield from _ledger(path, mapping)
        else:
            yield path  # read, and any error found, when the record is checked


def _stdin_document(stream: IO[bytes]) -> Item:
    try:
        raw = stream.read(MAX_BYTES + 1)
        return load_text(decode(raw, STDIN), STDIN)
    except InputError as exc:
        return _failure(STDIN, exc.problems)
    except OSError as exc:
        return _failure(STDIN, [Problem(STDIN, 0, 0, "", f"cannot read: {exc.strerror or exc}")])


def _walk(top: str) -> Iterator[Item]:
    """Record files below ``top``: sorted, hidden names skipped, each
    directory walked once however symbolic links lead back to it."""
    seen = set()

    def walk(folder: str) -> Iterator[Item]:
        try:
            st = os.stat(folder)
            key = (st.st_dev, st.st_ino)
            if key in seen:
                return  # a symbolic link back to a folder being walked (a loop) or walked already
            seen.add(key)
            with os.scandir(folder) as it:
                entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            yield _failure(folder, [Problem(folder, 0, 0, "", f"cannot read folder: {exc.strerror or exc}")])
            return
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows symbolic links
            except OSError:
                is_dir = False
            if is_dir:
                yield from walk(entry.path)
                continue
            suffix = _suffix(entry.name)
            if suffix == ".jsonl":
                yield from _jsonl(entry.path)
            elif suffix in RECORD_SUFFIXES and not entry.name.lower().endswith(NOT_RECORDS):
                yield entry.path

    return walk(top)


def _jsonl(path: str) -> Iterator[Item]:
    try:
        fh = open(path, "rb")
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else f"cannot read: {exc.strerror or exc}"
        yield _failure(path, [Problem(path, 0, 0, "", reason)])
        return
    with fh:
        yield from _lines(path, fh)


def _lines(path: str, fh: IO[bytes]) -> Iterator[Item]:
    """One item per non-blank line, read one line at a time (a line longer
    than the one-record limit is skipped to its end and reported)."""
    number = 0
    while True:
        try:
            raw = fh.readline(MAX_BYTES + 1)
        except OSError as exc:
            yield _failure(path, [Problem(path, number + 1, 0, "", f"cannot read: {exc.strerror or exc}")])
            return
        if not raw:
            return
        number += 1
        if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                raw = fh.readline(1 << 20)
            yield _failure(f"{path}:{number}", [Problem(path, number, 0, "",
                                                        f"line is longer than the {MAX_BYTES}-byte limit for one record")])
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue  # blank lines separate nothing: skipped
        try:
            text = raw.decode("utf-8").rstrip("\r\n")  # the line end is not part of the record
        except UnicodeDecodeError as exc:
            yield _failure(f"{path}:{number}", [Problem(
                path, number, exc.start + 1, "",
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")])
            continue
        yield JsonLine(path, number, text)


def _csv_folder(path: str) -> bool:
    """A folder holding CSV files (and no record files) directly is one
    ledger, a CSV file per kind (docs/ledgers.md)."""
    try:
        names = [n.lower() for n in os.listdir(path) if not n.startswith(".")]
    except OSError:
        return False
    return any(n.endswith(".csv") for n in names) and not any(n.endswith(RECORD_SUFFIXES) for n in names)


def _ledger(path: str, mapping: Optional[str]) -> Iterator[Item]:
    """A spreadsheet ledger's records, from :mod:`compliance.ledger` (imported
    only when a ledger is named)."""
    ledger = _ledger_module(path)
    if not hasattr(ledger, "iter_records"):  # a Failure: cannot be read here
        yield ledger
        return
    try:
        yield from ledger.iter_records(path, mapping)
    except InputError as exc:
        yield _failure(path, exc.problems)


def ledger_records(item: LedgerItem) -> Iterator[Item]:
    """A :class:`LedgerItem`'s records (Documents and Failures) for the row path."""
    return _ledger(item.path, item.mapping)


def read_ledger(item: LedgerItem) -> Any:
    """A :class:`LedgerItem` read into tables (a ``compliance.ledger.Ledger``),
    or a Failure if it cannot be read at all (as :func:`ledger_records` says it)."""
    ledger = _ledger_module(item.path)
    if not hasattr(ledger, "read_ledger"):  # a Failure: cannot be read here
        return ledger
    try:
        return ledger.read_ledger(item.path, item.mapping)
    except InputError as exc:
        return _failure(item.path, exc.problems)


def _ledger_module(path: str) -> Any:
    """:mod:`compliance.ledger`, or a Failure saying why it cannot be imported."""
    try:
        from . import ledger  # type: ignore[attr-defined]
    except ImportError as exc:
        return _failure(path, [Problem(path, 0, 0, "", f"spreadsheet ledgers (.csv, .xlsx) cannot be read: {exc}")])
    return ledger
