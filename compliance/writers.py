"""Batch outputs: findings tables (CSV, Parquet, XLSX), the batch summary and
the progress bar.

Each writer takes record reports and failures *in order*, one at a time
(``record(rec)``, ``failure(item)``, then ``close()``), and holds nothing
but the current block of rows, so a batch of any size is written in flat
memory; evaluation never waits on (or knows about) the output. The table
writers write the same rows, :data:`COLUMNS`, one per finding, and one per
problem of a record that could not be checked (status ``error``) or a
warning on one that could (status ``warning``): nothing is dropped.
``docs/batch.md`` describes every column.
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Any, Dict, FrozenSet, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from .errors import Problem, UsageError
from .formats.policy import outcomes, shown
from .report import RecordReport, Report, StreamWriter, _Shared, render_stream_record, render_table
from .status import STATUS_ORDER

__all__ = ["COLUMNS", "finding_rows", "failure_rows", "Summary", "open_writer", "progress", "progress_wanted",
           "BINARY_FORMATS", "Rendered", "RecordRenderer", "record_stats"]

#: The findings table, one row per finding (or problem).
COLUMNS = ("source", "line", "facility_id", "facility_name", "region", "as_of", "entity_type", "entity_id",
           "rule", "ruleset", "status", "observed", "op", "limit", "unit", "severity", "document", "clause",
           "field", "message", "reason_code", "reason", "waiver_id", "waived_status", "details")
_LINE = COLUMNS.index("line")

#: Formats written as binary files: they need ``-o FILE``.
BINARY_FORMATS = ("parquet", "xlsx")
#: Rows per Parquet row group (and per block the writer holds).
ROW_GROUP = 10_000
#: Data rows per XLSX sheet (Excel's limit is 1 048 576 rows with the header).
SHEET_ROWS = 1_048_575


def _scalar(value: Any) -> Any:
    """A value of ``observed``/``limit`` as the JSON report holds it."""
    return value.get("value") if isinstance(value, dict) else value


def finding_rows(rec: RecordReport, lang: str = "en") -> Iterator[Tuple[Any, ...]]:
    """One row per finding of ``rec`` (in report order), then one per warning."""
    fac = rec.facility
    head = (fac.get("id"), fac.get("name"), fac.get("region"), rec.as_of)
    for f in rec.findings:
        obs, lim = f.observed, f.limit
        unit = (lim or {}).get("unit") if lim is not None else (obs or {}).get("unit")
        observed = _scalar(obs)
        if obs is not None and obs.get("unit") not in (None, unit):  # never the case today: kept, not guessed
            observed = f"{observed} {obs['unit']}"
        src = f.source
        yield (rec.source, f.line or None) + head + (
            f.entity_type, f.entity_id, f.rule, f.ruleset, f.status, observed, (lim or {}).get("op"),
            _scalar(lim), unit, f.severity, src.get("document"), src.get("clause"), None,
            f.message.get(lang) or f.message.get("en")) + _extension_cells(f, lang)
    for w in rec.warnings:
        yield _problem_row(rec.source, w, head)


def _extension_cells(f: Any, lang: str) -> Tuple[Any, ...]:
    """The cells of a finding's optional keys: the manual-review reason
    (code, text in ``lang``), the waiver's id and the status it replaced,
    and ``details`` as compact JSON text (empty where the finding has none)."""
    reason = f.reason or {}
    details = None if f.details is None else json.dumps(dict(f.details), ensure_ascii=False, separators=(",", ":"))
    return (reason.get("code"), (reason.get(lang) or reason.get("en")) if reason else None,
            (f.waiver or {}).get("id"), f.waived_status, details)


_NO_EXTENSIONS = (None,) * 5


def _problem_row(source: str, p: Problem, head=(None, None, None, None)) -> Tuple[Any, ...]:
    message = p.message if source.startswith(p.file) else f"{p.file}: {p.message}"
    return ((source, p.line or None) + head + (None,) * 4 + (p.level,) + (None,) * 7 + (p.field or None, message)
            + _NO_EXTENSIONS)


def failure_rows(source: str, problems: Sequence[Problem]) -> Iterator[Tuple[Any, ...]]:
    """One row per problem of an input that could not be checked (status ``error``)."""
    for p in problems:
        yield _problem_row(source, p)


def _text(value: Any) -> Optional[str]:
    """A cell as text: JSON spelling for numbers and booleans, None for empty."""
    if value is None or type(value) is str:
        return value
    return json.dumps(value, ensure_ascii=False)


# ----------------------------------------------------------------- summary


class Summary:
    """Counts by status and by rule, and the inputs that failed, over a batch."""

    def __init__(self) -> None:
        self.records = 0
        self.with_violations = 0
        self.by_status: Dict[str, int] = {s: 0 for s in STATUS_ORDER}
        self.by_rule: Dict[Tuple[str, str], Dict[str, int]] = {}
        self.failed: List[Tuple[str, Problem]] = []
        self.failed_inputs = 0

    def record(self, rec: RecordReport) -> None:
        self.add(record_stats(rec))

    def add(self, stats: "Stats") -> None:
        """Count one record from its :func:`record_stats` (made here or in a worker)."""
        violations, findings = stats
        self.records += 1
        self.with_violations += violations
        for ruleset, rule, status in findings:
            self.by_status[status] = self.by_status.get(status, 0) + 1
            counts = self.by_rule.get((ruleset, rule))
            if counts is None:
                counts = self.by_rule[(ruleset, rule)] = {s: 0 for s in STATUS_ORDER}
            counts[status] = counts.get(status, 0) + 1

    def failure(self, source: str, problems: Sequence[Problem]) -> None:
        self.failed_inputs += 1
        self.failed.extend((source, p) for p in problems)

    def headline(self) -> str:
        return (f"{self.records} records checked, {self.with_violations} with violations, "
                f"{self.failed_inputs} could not be checked")

    def rule_rows(self) -> List[List[Any]]:
        return [[rule, ruleset] + [counts[s] for s in STATUS_ORDER]
                for (ruleset, rule), counts in sorted(self.by_rule.items(), key=lambda kv: kv[0][1])]

    def sections(self) -> Iterator[Tuple[str, List[str], List[List[Any]]]]:
        """(title, headers, rows) blocks: by status, by rule, failed inputs."""
        yield "findings by status", ["status", "findings"], [[s, n] for s, n in self.by_status.items()]
        yield "findings by rule", ["rule", "ruleset", *STATUS_ORDER], self.rule_rows()
        yield "inputs that could not be checked", ["source", "problem"], [[src, str(p)] for src, p in self.failed]

    def render(self) -> str:
        from tabulate import tabulate

        out = ["summary: " + self.headline()]
        for title, headers, rows in self.sections():
            if rows:
                out += ["", title + ":", tabulate(rows, headers=headers, tablefmt="simple")]
        return "\n".join(out) + "\n"


#: What the summary counts of one record: whether it has a violation, and
#: (ruleset, rule, status) per finding.
Stats = Tuple[bool, Tuple[Tuple[str, str, str], ...]]


def record_stats(rec: RecordReport) -> Stats:
    return rec.has_violations, tuple((f.ruleset, f.rule, f.status) for f in rec.findings)


# ----------------------------------------------------------------- rendering


class Rendered(NamedTuple):
    """One record rendered for a format: the expensive half of writing it
    (building the findings, encoding them), made where the record was
    checked -- in this process or a worker's -- and written in order by the
    writer (:meth:`_Writer.rendered`). Small, picklable."""

    source: str
    as_of: str
    violations: bool
    warnings: Tuple[Problem, ...]
    payload: Any  # text (table, json, jsonl, csv) or a list of rows (parquet, xlsx)
    stats: Optional[Stats]  # for the summary, when one is kept
    extra: Any = None  # what the waivers and the baseline did to this record (compliance.workflow)
    statuses: FrozenSet[str] = frozenset()  # of the shown findings: what --fail-on reads


class RecordRenderer:
    """Renders one record to its :class:`Rendered` chunk for ``fmt``: pure
    (no output is touched), so it runs in worker processes
    (:mod:`compliance.parallel`); the serial writers use the same one."""

    def __init__(self, fmt: str, *, lang: str = "en", refs=(), engine: str = "", summary: bool = False,
                 min_severity: Optional[str] = None, fail_on: Sequence[str] = ("violation",), width: int = 80):
        self.fmt, self.lang, self.refs, self.engine = fmt, lang, tuple(refs), engine
        self.min_severity, self.fail_on = min_severity, tuple(fail_on)  # compliance.formats.policy
        self.width = width  # of the table, in display columns
        self.summary = summary or fmt == "xlsx"  # the workbook's first sheet is the summary
        self.shared = _Shared()

    def payload(self, rec: RecordReport) -> Any:
        fmt = self.fmt
        if fmt in ("json", "jsonl"):
            return render_stream_record(fmt, rec, self.shared)
        if fmt in _view_formats():
            from .formats import record_part

            return record_part(fmt, rec, lang=self.lang, refs=self.refs, fail_on=self.fail_on)
        if fmt == "table":
            return render_table(Report(rec.as_of, self.refs, (rec,), (), self.engine), lang=self.lang,
                                width=self.width)
        rows = finding_rows(rec, self.lang)
        if fmt == "csv":
            import csv
            import io

            buf = io.StringIO(newline="")
            csv.writer(buf, lineterminator="\r\n").writerows([_text(v) for v in row] for row in rows)
            return buf.getvalue()
        return list(rows)

    def __call__(self, rec: RecordReport) -> Rendered:
        rec = shown(rec, self.min_severity)  # --min-severity: the findings every format shows
        payload = self.payload(rec)
        return Rendered(rec.source, rec.as_of, rec.has_violations, tuple(rec.warnings), payload,
                        record_stats(rec) if self.summary else None, statuses=outcomes(rec))


# ----------------------------------------------------------------- writers


class _Writer:
    """Base: tracks the exit status (errors, violations) and feeds the summary."""

    def __init__(self, summary: Optional[Summary] = None):
        self.errors: List[Problem] = []
        self.violations = False
        self.statuses: set = set()  # of the findings written: compliance.formats.policy.fails
        self.summary = summary
        self.renderer: Optional[RecordRenderer] = None  # set by open_writer

    def record(self, rec: RecordReport) -> None:
        if self.renderer is None:  # a writer made directly: the old path, rendering as it writes
            self.write_record(rec)  # first: a record that fails to render is counted as a failure only
            self.violations = self.violations or rec.has_violations
            self.statuses.update(f.status for f in rec.findings)
            if self.summary is not None:
                self.summary.record(rec)
            return
        self.rendered(self.renderer(rec))  # rendered first: one that fails is counted as a failure only

    def rendered(self, chunk: Rendered) -> None:
        """Write one record rendered by :class:`RecordRenderer` (here or in a worker)."""
        self.write_payload(chunk.payload, chunk.as_of)
        self.violations = self.violations or chunk.violations
        self.statuses.update(chunk.statuses)
        if self.summary is not None:
            assert chunk.stats is not None, "rendered without the summary's counts"
            self.summary.add(chunk.stats)

    def write_payload(self, payload: Any, as_of: str) -> None:
        raise NotImplementedError

    def failure(self, source: str, problems: Sequence[Problem]) -> None:
        self.errors.extend(problems)
        if self.summary is not None:
            self.summary.failure(source, problems)
        self.write_failure(source, problems)

    def write_record(self, rec: RecordReport) -> None:
        raise NotImplementedError

    def write_failure(self, source: str, problems: Sequence[Problem]) -> None:
        pass

    def close(self) -> None:
        pass


class JsonWriter(_Writer):
    """``json`` / ``jsonl``: the streamed ``report/1`` writer of :mod:`compliance.report`."""

    def __init__(self, stream: StreamWriter, single: bool, summary: Optional[Summary] = None):
        super().__init__(summary)
        self.stream = stream
        self.single = single

    def write_record(self, rec: RecordReport) -> None:
        self.write_payload(render_stream_record(self.stream.fmt, rec, self.stream.shared), rec.as_of)

    def write_payload(self, payload: Any, as_of: str) -> None:
        if self.stream.as_of is None and self.single:
            self.stream.as_of = as_of  # one record: the document's date is its date
        self.stream.write_rendered(payload, as_of, False)  # violations: counted by the writer

    def write_failure(self, source: str, problems: Sequence[Problem]) -> None:
        self.stream.failure(source, problems)

    def close(self) -> None:
        self.stream.close()


class TableTextWriter(_Writer):
    """``table``: the 80-column text table, one record after another."""

    def __init__(self, out: IO[str], refs, engine: str, lang: str, summary: Optional[Summary] = None,
                 width: int = 80):
        super().__init__(summary)
        self.out, self.refs, self.engine, self.lang = out, refs, engine, lang
        self.width = width
        self.first = True

    def write_record(self, rec: RecordReport) -> None:
        self.write_payload(render_table(Report(rec.as_of, self.refs, (rec,), (), self.engine), lang=self.lang,
                                        width=self.width), rec.as_of)

    def write_payload(self, payload: Any, as_of: str) -> None:
        self.out.write(payload if self.first else "\n" + payload)
        self.first = False


class _RowWriter(_Writer):
    """The findings-table formats: rows in, blocks out."""

    def __init__(self, lang: str, summary: Optional[Summary] = None):
        super().__init__(summary)
        self.lang = lang

    def write_record(self, rec: RecordReport) -> None:
        self.rows(finding_rows(rec, self.lang))

    def write_payload(self, payload: Any, as_of: str) -> None:
        self.rows(payload)

    def write_failure(self, source: str, problems: Sequence[Problem]) -> None:
        self.rows(failure_rows(source, problems))

    def rows(self, rows: Iterable[Tuple[Any, ...]]) -> None:
        raise NotImplementedError


class CsvWriter(_RowWriter):
    """CSV (RFC 4180: CRLF line ends, quoted where needed), UTF-8 with a byte
    order mark so that Excel reads the Chinese text as UTF-8."""

    def __init__(self, out: IO[str], lang: str, summary: Optional[Summary] = None):
        import csv

        super().__init__(lang, summary)
        self.out = out
        out.write("\ufeff")
        self.csv = csv.writer(out, lineterminator="\r\n")
        self.csv.writerow(COLUMNS)

    def rows(self, rows: Iterable[Tuple[Any, ...]]) -> None:
        self.csv.writerows([_text(v) for v in row] for row in rows)

    def write_payload(self, payload: Any, as_of: str) -> None:
        self.out.write(payload)  # the rows as RecordRenderer wrote them: the csv module's own text


def _need(module: str, fmt: str, extra: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"--format {fmt} needs {module.split('.')[0]}, which is not installed; "
                         f"install it with: pip install \"compliance[{extra}]\"") from None


class ParquetWriter(_RowWriter):
    """Parquet (pyarrow): every column text except ``line`` (int64), written
    in row groups of :data:`ROW_GROUP` rows as records stream."""

    def __init__(self, path: str, lang: str, summary: Optional[Summary] = None):
        super().__init__(lang, summary)
        pa = _need("pyarrow", "parquet", "parquet")
        pq = _need("pyarrow.parquet", "parquet", "parquet")
        self.pa = pa
        self.schema = pa.schema([(c, pa.int64() if c == "line" else pa.string()) for c in COLUMNS])
        self.writer = pq.ParquetWriter(path, self.schema)
        self.block: List[Tuple[Any, ...]] = []

    def rows(self, rows: Iterable[Tuple[Any, ...]]) -> None:
        self.block.extend(rows)
        if len(self.block) >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self.block:
            cols = list(zip(*self.block))
            arrays = [self.pa.array(col if i == _LINE else [_text(v) for v in col], type=self.schema.field(i).type)
                      for i, col in enumerate(cols)]
            self.writer.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))
            self.block = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


class XlsxWriter(_RowWriter):
    """XLSX (openpyxl, write-only: rows go to disk as they come): a sheet
    ``summary`` first, then ``findings`` (continued in ``findings 2`` … past
    Excel's row limit). Numbers stay numbers; text cells keep every
    character (control characters Excel cannot hold are written as
    ``\\xNN`` escapes)."""

    def __init__(self, path: str, lang: str, summary: Optional[Summary] = None):
        super().__init__(lang, summary if summary is not None else Summary())
        openpyxl = _need("openpyxl", "xlsx", "xlsx")
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

        self.path = path
        self.illegal = ILLEGAL_CHARACTERS_RE
        self.book = openpyxl.Workbook(write_only=True)
        self.summary_sheet = self.book.create_sheet("summary")
        self.sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        self.sheet = self.book.create_sheet("findings" if self.sheets == 1 else f"findings {self.sheets}")
        self.sheet.append(list(COLUMNS))
        self.count = 0

    def _cell(self, value: Any) -> Any:
        if value is None or type(value) in (int, float):
            return value
        text = value if type(value) is str else _text(value)
        return self.illegal.sub(lambda m: f"\\x{ord(m.group()):02x}", text) if self.illegal.search(text) else text

    def rows(self, rows: Iterable[Tuple[Any, ...]]) -> None:
        for row in rows:
            if self.count == SHEET_ROWS:
                self._new_sheet()
            self.sheet.append([self._cell(v) for v in row])
            self.count += 1

    def close(self) -> None:
        s = self.summary
        assert s is not None
        self.summary_sheet.append(["summary", s.headline()])
        for title, headers, rows in s.sections():
            self.summary_sheet.append([])
            self.summary_sheet.append([title])
            self.summary_sheet.append(headers)
            for row in rows:
                self.summary_sheet.append([self._cell(v) for v in row])
        self.book.save(self.path)


# ----------------------------------------------------------------- dispatch


class Output:
    """Where a batch goes: standard output, or ``-o FILE`` written beside
    the file and moved into place only when complete (an engine failure
    leaves no partial file)."""

    def __init__(self, path: Optional[str], fmt: str, stdout: IO[str]):
        self.path, self.fmt = path, fmt
        self.target = path
        if fmt in BINARY_FORMATS and path is None:
            raise UsageError(f"--format {fmt} writes a binary file: give -o FILE "
                             "(binary output is never written to a terminal or standard output)")
        self.tmp: Optional[str] = None
        if path is not None and (not os.path.exists(path) or os.path.isfile(path)):
            folder = os.path.dirname(os.path.abspath(path))
            self.tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.part")
            self.target = self.tmp
        self.stream: Optional[IO[str]] = stdout
        self.owned = path is not None and fmt not in BINARY_FORMATS  # a text file of ours, closed at the end
        if self.owned:
            self.stream = self._open()

    def _open(self) -> IO[str]:
        assert self.target is not None
        try:
            return open(self.target, "w", encoding="utf-8", newline="" if self.fmt == "csv" else None)
        except OSError as exc:
            raise UsageError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def check_writable(self) -> None:
        """Binary formats: fail before any work if the file cannot be made."""
        self._open().close()

    def commit(self) -> None:
        if self.owned and self.stream is not None:
            self.stream.close()
        if self.tmp is not None and self.path is not None:
            os.replace(self.tmp, self.path)

    def discard(self) -> None:
        if self.owned and self.stream is not None:
            self.stream.close()
        if self.tmp is not None and os.path.exists(self.tmp):
            os.remove(self.tmp)

    def __enter__(self) -> "Output":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        """Complete: moved into place; failed (any exception): removed."""
        if kind is None:
            self.commit()
        else:
            self.discard()


def open_writer(fmt: str, output: Output, *, refs, as_of: Optional[str], single: bool, engine: str,
                lang: str, summary: Optional[Summary], min_severity: Optional[str] = None,
                fail_on: Sequence[str] = ("violation",), width: int = 80) -> _Writer:
    """The writer for ``fmt`` (``table``, ``json``, ``jsonl``, ``csv``, ``parquet``, ``xlsx``).

    Its ``record(rec)`` renders with :attr:`renderer` and writes the chunk;
    worker processes render with an equal :class:`RecordRenderer`
    (:func:`renderer_for`) and the parent passes the chunks to
    ``rendered(chunk)``: the same two steps, so the same bytes."""
    writer = _open_writer(fmt, output, refs=refs, as_of=as_of, single=single, engine=engine, lang=lang,
                          summary=summary, fail_on=fail_on, width=width)
    writer.renderer = renderer_for(fmt, refs=refs, engine=engine, lang=lang, summary=summary is not None,
                                   min_severity=min_severity, fail_on=fail_on, width=width)
    if isinstance(writer, JsonWriter):
        writer.renderer.shared = writer.stream.shared
    return writer


def renderer_for(fmt: str, *, refs, engine: str, lang: str, summary: bool, min_severity: Optional[str] = None,
                 fail_on: Sequence[str] = ("violation",), width: int = 80) -> RecordRenderer:
    """The renderer :func:`open_writer`'s writer uses, for a worker process."""
    return RecordRenderer(fmt, lang=lang, refs=refs, engine=engine, summary=summary, min_severity=min_severity,
                          fail_on=fail_on, width=width)


def _view_formats() -> Tuple[str, ...]:
    from .formats import FORMATS

    return FORMATS


def _open_writer(fmt: str, output: Output, *, refs, as_of: Optional[str], single: bool, engine: str,
                 lang: str, summary: Optional[Summary], fail_on: Sequence[str] = ("violation",),
                 width: int = 80) -> _Writer:
    if fmt in ("json", "jsonl"):
        return JsonWriter(StreamWriter(output.stream, fmt, refs, as_of, known_as_of=bool(as_of) or single),
                          single and as_of is None, summary)
    if fmt == "table":
        assert output.stream is not None
        return TableTextWriter(output.stream, refs, engine, lang, summary, width)
    if fmt == "csv":
        assert output.stream is not None
        return CsvWriter(output.stream, lang, summary)
    if fmt in _view_formats():  # sarif, junit, markdown, github, html: compliance.formats
        from .formats.writer import FormatWriter

        assert output.stream is not None
        return FormatWriter(fmt, output.stream, refs=refs, as_of=as_of, lang=lang, engine=engine,
                            fail_on=fail_on, summary=summary)
    if fmt in BINARY_FORMATS:
        output.check_writable()
        assert output.target is not None
        return (ParquetWriter if fmt == "parquet" else XlsxWriter)(output.target, lang, summary)
    raise UsageError(f"unknown format {fmt!r}")


# ----------------------------------------------------------------- progress


def progress_wanted(flag: Optional[bool], stream: Optional[IO[str]] = None,
                    env: Optional[Mapping[str, str]] = None) -> bool:
    """``--progress``/``--no-progress`` decide; else a bar only when stderr is
    a terminal and ``CI`` is not set (CI logs are not terminals, but some
    runners fake one)."""
    if flag is not None:
        return flag
    isatty = getattr(stream if stream is not None else sys.stderr, "isatty", None)
    return bool(isatty and isatty()) and not (os.environ if env is None else env).get("CI")


def progress(items: Iterable[Any], enabled: bool, stream: Optional[IO[str]] = None):
    """``items``, with a tqdm bar (count and records per second) on ``stream``
    (default stderr) when enabled."""
    if not enabled:
        return items
    from tqdm import tqdm  # type: ignore[import-untyped]

    stream = stream if stream is not None else sys.stderr
    try:
        size = tuple(os.get_terminal_size(stream.fileno()))
    except (AttributeError, OSError, ValueError):
        size = (0, 0)
    # a terminal that reports no size (a fresh pty, `script`) gets 80x24: tqdm draws nothing in 0 rows
    sized = all(size)
    return tqdm(items, file=stream, unit=" records", mininterval=0.25, smoothing=0.1, leave=True,
                dynamic_ncols=sized, ncols=None if sized else 80, nrows=None if sized else 24)

