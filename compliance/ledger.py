"""Spreadsheet ledgers (台账): CSV files and XLSX workbooks as facility records.

A bureau keeps one sheet per kind of equipment (企业, 锅炉, 涂料 …) with
Chinese headers, units in the headers (``额定蒸发量(t/h)``) and Chinese
values (燃煤, 在用, 是). A **mapping file** (``docs/ledgers.md``; the bundled
one is ``compliance/data/ledger_mapping.yaml``) says which sheet is which
record section, which header is which field, and which cell text is which
record value. This module

* reads a ledger into :class:`Table` objects, one per sheet (or CSV file),
  holding each cell's value exactly as a YAML record would hold it
  (:func:`read_ledger`; the columnar evaluator works on these);
* groups the rows into one facility record per facility id
  (:func:`iter_records`): a :class:`LedgerDocument`, whose locations are
  cells, so that every later problem reads ``file:sheet!C12: field: …``;
* writes an empty workbook in the mapping's layout (:func:`write_template`).

Every bad cell is a :class:`~compliance.errors.Problem` naming its cell; the
facility it belongs to gets a :class:`~compliance.api.Failure` with all its
problems and the other facilities are still checked. Nothing is dropped or
guessed: an unknown header, a row without a facility id, an entity whose
facility has no row, a duplicate facility row, a formula without a cached
value, a number in a date column are errors.

Speed: the cells of a column are converted once per distinct value (a
register repeats 燃煤, 是, 在用 …), and workbooks are read in openpyxl's
read-only (streaming) mode.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import os
import re
import unicodedata
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import attrs

from ._yaml import Document, load_document
from .errors import InputError, Problem, UsageError
from .units import UnitProblem, parse_quantity
from .vocabulary import FieldSpec, vocabulary

__all__ = [
    "Table", "Ledger", "LedgerMapping", "LedgerDocument", "Grouping", "read_ledger", "iter_records",
    "load_mapping", "write_template", "validate_ledger", "is_ledger", "LEDGER_SUFFIXES",
]

#: File name endings read as ledgers (lower case); the old binary formats are
#: recognised only to be refused with a clear message.
LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".xls", ".et")
_OLD_FORMATS = (".xls", ".et")
MAPPING_SCHEMA = "ledger-mapping/1"
BUNDLED_MAPPING = Path(__file__).parent / "data" / "ledger_mapping.yaml"
#: Facility-sheet fields that go to the record's ``context``, not ``facility``.
CONTEXT_FIELDS = ("as_of", "alert")
_EXCEL_ERRORS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA"})


# ===================================================================== the interface


@attrs.frozen
class Table:
    """One entity kind read from one sheet (XLSX) or file (CSV)."""

    source: str                      # the file as the user gave it
    sheet: str                       # sheet name ('' for CSV)
    section: str                     # record section: 'facility' or an entity section ('boilers', 'ldar' ...)
    facility_ids: Tuple[str, ...]    # per row: the facility id the row belongs to (text as written, stripped)
    rows: Tuple[int, ...]            # per row: 1-based spreadsheet row number
    columns: Mapping[str, Tuple[Any, ...]]   # record field -> per-row value as a YAML record would hold it
    letters: Mapping[str, str]       # record field -> column letter(s) in the sheet

    def cell(self, field: str, index: int) -> str:
        """``sheet!C12`` (CSV: ``C12``) of ``field`` in row ``index``."""
        return _cell(self.sheet, self.letters.get(field, "A"), self.rows[index])


@attrs.frozen
class Ledger:
    source: str
    tables: Tuple[Table, ...]
    problems: Tuple[Problem, ...]    # located cell problems, one bad cell never drops the rest
    #: the problems by the facility id they concern (a header problem concerns
    #: every facility with a value in that column); problems under the key
    #: ``None`` concern no one facility (an unknown sheet, a row without id)
    by_facility: Mapping[Optional[str], Tuple[Problem, ...]] = attrs.field(factory=dict, eq=False, repr=False)


def _cell(sheet: str, letter: str, row: int) -> str:
    return f"{sheet}!{letter}{row}" if sheet else f"{letter}{row}"


# ===================================================================== the mapping


@attrs.frozen
class ColumnSpec:
    """One mapped header."""

    header: str                      # as the mapping writes it (without unit)
    field: str                       # dotted record field ('emissions.nox'), 'id', 'as_of', 'alert'
    spec: FieldSpec                  # the field in the record format
    unit: Optional[str] = None       # the unit a template writes in the header
    unit_column: Optional[str] = None  # a header whose cells hold each row's unit
    values: Mapping[str, Any] = attrs.field(factory=dict)  # folded cell text -> record value
    vocabulary: str = ""             # the name of ``values`` in the mapping
    shown: Tuple[str, ...] = ()      # the vocabulary's cell texts as the mapping writes them
    note: str = ""
    example: str = ""


@attrs.frozen
class SheetSpec:
    section: str
    sheet: str
    kind: str                        # 'single' (one row per facility) or 'list'
    columns: Tuple[ColumnSpec, ...]
    by_header: Mapping[str, ColumnSpec]  # folded header -> column


@attrs.frozen
class LedgerMapping:
    source: str
    name: str
    facility_id: str                 # the header naming the facility in every sheet
    notes_marker: str
    lists_sheet: str
    booleans: Mapping[str, bool]     # folded text -> bool
    separators: str
    sheets: Mapping[str, SheetSpec]  # section -> sheet
    by_sheet: Mapping[str, str]      # folded sheet name or section name -> section
    empty_list: frozenset = frozenset()  # folded texts that mean an empty list (无)


def _fold(text: str) -> str:
    """Headers, sheet names and vocabulary keys are matched by this key:
    full-width forms folded (NFKC), no white space, case ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


#: what Excel allows as a sheet name: at most 31 characters, none of : \\ / ? * [ ]
_SHEET_NAME_OK = re.compile(r"[^:\\/?*\[\]]{1,31}\Z").match
_HEADER_UNIT = re.compile(r"^(.*?)\s*[(（](.*)[)）]\s*$", re.S)
_CONTEXT_SPECS = {"as_of": "as_of", "alert": "alert"}


def load_mapping(path: Union[None, str, os.PathLike] = None) -> LedgerMapping:
    """A mapping file (default: the bundled one), checked against the record
    format: every field must exist, every vocabulary value must be one of a
    closed enumeration's values, every unit must be known.

    Raises:
        InputError: every problem, with file, line and field.
    """
    if path is None:
        return _bundled_mapping()
    return _load_mapping(os.fspath(path))


@functools.lru_cache(maxsize=1)
def _bundled_mapping() -> LedgerMapping:
    return _load_mapping(str(BUNDLED_MAPPING))


def _load_mapping(path: str) -> LedgerMapping:
    doc = load_document(path)
    data = doc.data
    errors: List[Problem] = []
    if not isinstance(data, dict):
        raise InputError(doc.problem((), "", "a ledger mapping must be a mapping"))
    if data.get("mapping") != MAPPING_SCHEMA:
        errors.append(doc.problem(("mapping",), "mapping", f"expected 'mapping: {MAPPING_SCHEMA}'"))
    known = {"mapping", "name", "facility_id", "notes_marker", "lists_sheet", "booleans", "list_separators", "empty_list",
             "sheets", "values"}
    for key in data:
        if key not in known:
            from .record import suggest

            errors.append(doc.problem((key,), str(key), f"unknown key{suggest(key, known)}"))
    vocab = vocabulary()
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        errors.append(doc.problem(("values",), "values", "must be a mapping of vocabularies"))
        raw_values = {}
    booleans_raw = data.get("booleans") or {"是": True, "否": False}
    booleans = {}
    for k, v in booleans_raw.items() if isinstance(booleans_raw, dict) else ():
        if not isinstance(v, bool):
            errors.append(doc.problem(("booleans", k), f"booleans.{k}", f"must be true or false, got {v!r}"))
        booleans[_fold(str(k))] = v
    facility_id = data.get("facility_id")
    if not isinstance(facility_id, str) or not facility_id.strip():
        errors.append(doc.problem(("facility_id",), "facility_id", "required: the header of the facility id column"))
        facility_id = "?"
    sheets: Dict[str, SheetSpec] = {}
    by_sheet: Dict[str, str] = {}
    raw_sheets = data.get("sheets")
    if not isinstance(raw_sheets, dict) or "facility" not in raw_sheets:
        errors.append(doc.problem(("sheets",), "sheets", "required: a mapping of sections, with 'facility'"))
        raw_sheets = raw_sheets if isinstance(raw_sheets, dict) else {}
    for section, raw in raw_sheets.items():
        where = ("sheets", section)
        sspec = vocab.sections.get(section)
        if sspec is None:
            from .record import suggest

            errors.append(doc.problem(where, f"sheets.{section}",
                                      f"unknown record section{suggest(section, vocab.sections)}"))
            continue
        if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
            errors.append(doc.problem(where, f"sheets.{section}", "needs 'sheet' and 'columns'"))
            continue
        sheet = str(raw.get("sheet") or section)
        columns: List[ColumnSpec] = []
        by_header: Dict[str, ColumnSpec] = {}
        for header, entry in raw["columns"].items():
            cwhere = where + ("columns", header)
            label = f"sheets.{section}.columns.{header}"
            entry = {"field": entry} if isinstance(entry, str) else entry
            if not isinstance(entry, dict) or not isinstance(entry.get("field"), str):
                errors.append(doc.problem(cwhere, label, "must be a field name or {field: …, unit: …, values: …}"))
                continue
            fname = entry["field"]
            if section == "facility" and fname in _CONTEXT_SPECS:
                fspec: Optional[FieldSpec] = vocab.context_fields[fname]
            else:
                fspec = sspec.leaves.get(fname)
            if fspec is None or fspec.type == "mapping":
                from .record import suggest

                errors.append(doc.problem(cwhere + ("field",), label,
                                          f"unknown field {fname!r} of {section}{suggest(fname, sspec.leaves)}"))
                continue
            for key in entry:
                if key not in ("field", "unit", "unit_column", "values", "note", "example"):
                    errors.append(doc.problem(cwhere + (key,), label, f"unknown key {key!r}"))
            unit = entry.get("unit")
            if unit is not None:
                unit = str(unit)
                if fspec.type not in ("quantity", "coverage"):
                    errors.append(doc.problem(cwhere + ("unit",), label, f"field {fname} ({fspec.type}) takes no unit"))
                else:
                    problem = _unit_problem(unit, fspec)
                    if problem:
                        errors.append(doc.problem(cwhere + ("unit",), label, problem))
            values: Dict[str, Any] = {}
            shown: List[str] = []
            vname = entry.get("values") or ""
            if vname:
                table = raw_values.get(vname)
                if not isinstance(table, dict):
                    errors.append(doc.problem(cwhere + ("values",), label, f"no vocabulary {vname!r} under 'values'"))
                elif fspec.type not in ("enum", "enum_list"):
                    errors.append(doc.problem(cwhere + ("values",), label, f"field {fname} ({fspec.type}) is not an enumeration"))
                else:
                    for text, value in table.items():
                        if value not in fspec.values and not fspec.open:
                            errors.append(doc.problem(("values", vname, text), f"values.{vname}.{text}",
                                                      f"{value!r} is not a value of {section}.{fname}"))
                        values[_fold(str(text))] = value
                        shown.append(str(text))
            col = ColumnSpec(str(header), fname, fspec, unit=unit, unit_column=entry.get("unit_column"), values=values,
                             vocabulary=str(vname), shown=tuple(shown), note=str(entry.get("note") or ""),
                             example=str(entry.get("example") or ""))
            key = _fold(str(header))
            if key in by_header or (key == _fold(facility_id) and not (section == "facility" and fname == "id")):
                errors.append(doc.problem(cwhere, label, f"header {header!r} is mapped twice in sheet {sheet!r}"))
                continue
            columns.append(col)
            by_header[key] = col
        if section == "facility":
            if by_header.get(_fold(facility_id)) is None or by_header[_fold(facility_id)].field != "id":
                errors.append(doc.problem(where, f"sheets.{section}",
                                          f"the facility sheet must map the facility id header {facility_id!r} to id"))
        elif sspec.kind == "list" and not any(c.field == "id" for c in columns):
            errors.append(doc.problem(where, f"sheets.{section}", "an entity sheet must map a header to id"))
        # the sheet is also found by the record format's own Chinese name of
        # the section (涂料及胶粘剂, 燃气采暖热水炉 …), where a sheet name can hold it
        for name in {_fold(sheet), _fold(section), *([_fold(sspec.zh)] if _SHEET_NAME_OK(sspec.zh) else [])}:
            if name in by_sheet and by_sheet[name] != section:
                errors.append(doc.problem(where + ("sheet",), f"sheets.{section}.sheet", f"sheet name {sheet!r} is used twice"))
            by_sheet[name] = section
        sheets[section] = SheetSpec(section, sheet, sspec.kind, tuple(columns), by_header)
    empty = data.get("empty_list", ["无"])
    if not isinstance(empty, list) or not all(isinstance(x, str) for x in empty):
        errors.append(doc.problem(("empty_list",), "empty_list", "must be a list of texts"))
        empty = []
    if errors:
        raise InputError(errors)
    return LedgerMapping(path, str(data.get("name") or ""), facility_id, str(data.get("notes_marker") or "说明："),
                         str(data.get("lists_sheet") or "选项"), booleans,
                         str(data.get("list_separators") or "、,，;；"), sheets, by_sheet,
                         frozenset(_fold(x) for x in empty))


def _unit_problem(unit: str, spec: FieldSpec) -> str:
    """'' when ``unit`` suits the field, else what is wrong."""
    if spec.type == "coverage":
        return "" if unit.strip() in ("%", "percent", "％") else "a coverage column's unit can only be %"
    try:
        parse_quantity(f"1 {unit}", spec.unit or "", spec.context)
    except UnitProblem as exc:
        return str(exc)
    return ""


# ===================================================================== reading cells


class _Sheet:
    """One sheet's rows: (row number, tuple of values), and formula cells without a cached value."""

    def __init__(self, name: str, rows: Iterable[Tuple[int, Sequence[Any]]], uncached: Mapping[Tuple[int, int], str]):
        self.name, self.rows, self.uncached = name, rows, uncached


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


class _Percent(float):
    """A number in a cell formatted as a percentage: Excel stores 9 % as 0.09."""


def _has_percent_styles(wb) -> bool:
    """Whether any cell style of the workbook has a percentage number format
    (True when openpyxl's style tables are not where this looks for them)."""
    try:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

        for style in wb._cell_styles:
            fid = style.numFmtId
            fmt = BUILTIN_FORMATS.get(fid, "") if fid < BUILTIN_FORMATS_MAX_SIZE else \
                wb._number_formats[fid - BUILTIN_FORMATS_MAX_SIZE]
            if "%" in (fmt or ""):
                return True
        return False
    except (AttributeError, ImportError, IndexError, TypeError):
        return True


def _cell_values(ws, percent_styles: bool = True) -> Iterator[Tuple[Any, ...]]:
    """The rows' values, a number in a percentage-formatted cell as :class:`_Percent`.
    A workbook without percentage styles is read as bare values (about 15 %
    faster than going through openpyxl's cell objects)."""
    if not percent_styles:
        yield from ws.iter_rows(values_only=True)
        return
    percent: Dict[Any, bool] = {}  # style id -> whether its number format is a percentage
    for row in ws.iter_rows():
        values = []
        for cell in row:
            v = cell.value
            if v.__class__ is float or v.__class__ is int:
                style = getattr(cell, "_style_id", cell)  # openpyxl's ReadOnlyCell keeps its style's index
                pct = percent.get(style)
                if pct is None:
                    pct = "%" in (cell.number_format or "")
                    if style is not cell:
                        percent[style] = pct
                if pct:
                    v = _Percent(v)
            values.append(v)
        yield tuple(values)


def _xlsx_sheets(path: str, source: str) -> Tuple[List[_Sheet], Callable[[], None]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(Problem(source, 0, 0, "", f"cannot read the workbook ({type(exc).__name__}: {exc}); "
                                                   "save it from Excel or WPS as .xlsx")) from None
    # formulas: data_only gives the cached value; a formula that was never
    # calculated (a workbook written by a program) has none and would read as
    # an empty cell. Only a workbook holding formulas is read a second time.
    with zipfile.ZipFile(path) as zf:
        has_formulas = {n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
                        and _FORMULA_TAG.search(zf.read(n))}
    out = []
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False) if has_formulas else None
    pct = _has_percent_styles(wb)
    for ws in wb.worksheets:
        ws.reset_dimensions()  # some programs write wrong dimensions; read every row
        uncached: Dict[Tuple[int, int], str] = {}
        if formulas is not None and getattr(ws, "_worksheet_path", None) in has_formulas:
            fws = formulas[ws.title]
            fws.reset_dimensions()
            values = list(_cell_values(ws, pct))
            for r, (row, frow) in enumerate(zip(values, fws.iter_rows(values_only=True)), 1):
                for c, (v, f) in enumerate(zip(row, frow)):
                    if v is None and isinstance(f, str) and f.startswith("="):
                        uncached[(r, c)] = f
            out.append(_Sheet(ws.title, enumerate(values, 1), uncached))
        else:
            out.append(_Sheet(ws.title, enumerate(_cell_values(ws, pct), 1), uncached))

    def close() -> None:
        wb.close()
        if formulas is not None:
            formulas.close()

    return out, close


def _decode(raw: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), else GB18030/GBK as Excel in China saves
    CSV; anything else is refused. A GBK decoding is only kept if it is
    strict (every byte pair valid); its headers must then match the mapping,
    which a wrong decoding would not."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(Problem(source, 0, 0, "", "the CSV file is UTF-16; save it as CSV UTF-8 (or GBK)"))
    if b"\0" in raw[:4096]:
        raise InputError(Problem(source, 0, 0, "", "binary file, not CSV text"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8 = exc
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(Problem(source, 0, 0, "", f"the CSV file is neither UTF-8 ({utf8.reason} at byte "
                                                   f"{utf8.start}) nor GBK text; save it as CSV UTF-8")) from None
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        raise InputError(Problem(source, 0, 0, "", f"the CSV file is not UTF-8 ({utf8.reason} at byte {utf8.start}) "
                                                   "and has no Chinese text to tell GBK from other encodings; "
                                                   "save it as CSV UTF-8"))
    return text


def _csv_sheet(path: str, source: str, name: str) -> _Sheet:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(Problem(source, 0, 0, "", f"cannot read: {exc.strerror or exc}")) from None
    text = _decode(raw, source)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    return _Sheet(name, ((i, [c if c != "" else None for c in row]) for i, row in enumerate(rows, 1)), {})


# ===================================================================== cells to values


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _number_text(v: Union[int, float]) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v) if isinstance(v, float) else str(v)


#: a year-first date with / . 年月日 (unambiguous; day-first and month-first forms are not read)
_YMD = re.compile(r"(\d{4})\s*[/.年]\s*(\d{1,2})\s*[/.月]\s*(\d{1,2})\s*日?\Z").match
_PERCENT_SPEC = FieldSpec("percent", "quantity", unit="percent")


class _Convert:
    """Cell value -> (record value, problem message or ''), once per distinct value of a column."""

    def __init__(self, col: ColumnSpec, mapping: LedgerMapping, unit: Optional[str], has_unit_column: bool):
        self.col, self.mapping, self.unit = col, mapping, unit
        self.spec = col.spec
        self.has_unit_column = has_unit_column
        self.cache: Dict[Tuple[type, Any], Tuple[Any, str]] = {}

    def __call__(self, v: Any, unit: Optional[str] = None) -> Tuple[Any, str]:
        key = (type(v), v, unit)
        hit = self.cache.get(key)  # type: ignore[arg-type]
        if hit is None:
            hit = self.cache[key] = self.convert(v, unit)  # type: ignore[index]
        return hit

    def convert(self, v: Any, row_unit: Optional[str]) -> Tuple[Any, str]:
        t = self.spec.type
        if isinstance(v, str):
            v = v.strip()
            if v == "":
                return None, ""
            if v in _EXCEL_ERRORS:
                return None, f"the cell holds the spreadsheet error {v}"
        if isinstance(v, dt.time):
            return None, f"a time of day {v.isoformat()} is not a value of a {t} field"
        if t in ("quantity", "coverage"):
            unit = row_unit or self.unit
            if v.__class__ is _Percent:  # 9 % formatted as a percentage: 0.09 in the cell
                shown = _number_text(round(v * 100, 10))
                if unit is not None and _unit_problem(unit, _PERCENT_SPEC):
                    return None, (f"the cell is formatted as a percentage ({shown} %) but the unit is {unit}; "
                                  "format it as a number")
                if t == "quantity" and _unit_problem("%", self.spec):
                    return None, f"the cell is formatted as a percentage ({shown} %); format it as a number"
                return f"{shown} %", ""
            if isinstance(v, bool):
                if t == "coverage":
                    return v, ""
                return None, f"expected a number, got {v!r}"
            if isinstance(v, str):
                folded = _fold(v)
                if t == "coverage" and folded in self.mapping.booleans:
                    return self.mapping.booleans[folded], ""
                if unit is None:
                    return v, ""  # the cell carries its own unit (checked by the record format)
                number = unicodedata.normalize("NFKC", v).replace(",", "").strip()
                try:
                    float(number)
                except ValueError:
                    return None, (f"expected a number (the unit {unit} is in the header), got {v!r}"
                                  if not self.has_unit_column or row_unit is None else
                                  f"expected a number (the unit {unit} is in the unit column), got {v!r}")
                return f"{number} {unit}", ""
            if isinstance(v, (int, float)):
                if unit is None:
                    if t == "coverage":
                        return v, ""
                    return _number_text(v), ""  # a bare number: the record format says it needs a unit
                return f"{_number_text(v)} {unit}", ""
            if isinstance(v, dt.datetime):
                return None, f"expected a number, got the date {v.date().isoformat()}"
            return None, f"expected a number, got {v!r}"
        if t == "bool" or (t == "date_or_false" and isinstance(v, str) and self.mapping.booleans.get(_fold(v)) is False):
            if isinstance(v, bool):
                return v, ""
            if isinstance(v, str):
                b = self.mapping.booleans.get(_fold(v))
                if b is not None:
                    return b, ""
                return v, ""  # checked by the record format: "expected true or false"
            return v, ""
        if t in ("date", "date_or_false"):
            if isinstance(v, dt.datetime):
                if v.time() != dt.time(0):
                    return v, ""  # the record format refuses a date and time
                return v.date(), ""
            if isinstance(v, dt.date):
                return v, ""
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return None, (f"a number {_number_text(v)} where a date is expected; format the cell as a date "
                              "(an Excel date serial number is not read as a date)")
            if isinstance(v, str):
                text = unicodedata.normalize("NFKC", v)
                ymd = _YMD(text)
                if ymd:  # 2019/3/1, 2019.3.1, 2019年3月1日: how Excel in China writes dates in CSV
                    try:
                        return dt.date(int(ymd.group(1)), int(ymd.group(2)), int(ymd.group(3))), ""
                    except ValueError:
                        return None, f"impossible date {v!r}"
                return text, ""
            return v, ""
        if t == "integer":
            if isinstance(v, float) and v.is_integer():
                return int(v), ""
            if isinstance(v, str):
                text = unicodedata.normalize("NFKC", v)
                if re.fullmatch(r"[+-]?\d+", text):
                    return int(text), ""
            return v, ""
        if t in ("enum", "enum_list"):
            if not isinstance(v, str):
                v = _number_text(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                return ([v] if t == "enum_list" else v), ""
            values = self.col.values
            if t == "enum":
                return self.enum(v)
            if _fold(v) in self.mapping.empty_list:
                return [], ""  # 无: written as none of the values (not the same as an empty cell: unknown)
            parts = [p.strip() for p in re.split(f"[{re.escape(self.mapping.separators)}]", v)]
            out = []
            for p in parts:
                if p:
                    value, message = self.enum(p)
                    if message:
                        return None, message
                    out.append(value)
            return out, ""
        # string, stage, region: text as written (numbers as their text)
        return self.text(v)

    def enum(self, v: str) -> Tuple[Any, str]:
        """A vocabulary's text, else the record value as written; else, for a
        closed enumeration, an error offering the column's Chinese texts."""
        hit = self.col.values.get(_fold(v))
        if hit is not None:
            return hit, ""
        if v in self.spec.values or self.spec.open or not self.col.values:
            return v, ""  # a record value, an open list's new value, or a column without vocabulary
        shown = [x for x in self.col.shown if self.col.values[_fold(x)] in self.spec.values]
        return None, f"unknown value {v!r}{_suggest(v, shown)}; the column takes {'、'.join(shown)}"

    def text(self, v: Any) -> Tuple[Any, str]:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return _number_text(v), ""
        if isinstance(v, dt.datetime):
            return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(), ""
        return v, ""


# ===================================================================== reading a ledger


def _suggest(word: str, options) -> str:
    from .record import suggest

    return suggest(word, options)


def read_ledger(path: Union[str, os.PathLike], mapping: Union[None, str, os.PathLike, LedgerMapping] = None,
                *, kind: Optional[str] = None) -> Ledger:
    """Read a workbook (``.xlsx``), a CSV file, or a folder of CSV files (one
    per kind, named by the sheet name or section: ``锅炉.csv``, ``boilers.csv``)
    into tables. ``kind`` names the kind of a single CSV file whose name is
    neither.

    Raises:
        InputError: the file cannot be read at all (not a workbook, not text).
        Every problem with a cell, a header or a sheet is in ``Ledger.problems``.
    """
    source = os.fspath(path)
    m = mapping if isinstance(mapping, LedgerMapping) else load_mapping(mapping)
    if os.path.isdir(source):
        files = sorted(p for p in os.listdir(source) if p.lower().endswith(".csv"))
        if not files:
            raise InputError(Problem(source, 0, 0, "", "the folder holds no .csv files"))
        sheets = [_csv_sheet(os.path.join(source, f), source, f[:-4]) for f in files]
        sheet_sources = [os.path.join(source, f) for f in files]
        close: Callable[[], None] = lambda: None
    elif source.lower().endswith(".csv"):
        name = Path(source).stem
        if kind is not None:
            section = m.by_sheet.get(_fold(kind))
            if section is None:
                raise UsageError(f"unknown kind {kind!r}{_suggest(kind, sorted({s.sheet for s in m.sheets.values()} | set(m.sheets)))}")
            name = m.sheets[section].sheet
        sheets = [_csv_sheet(source, source, name)]
        sheet_sources = [source]
        close = lambda: None
    else:
        if not os.path.exists(source):
            raise InputError(Problem(source, 0, 0, "", "no such file"))
        if source.lower().endswith(_OLD_FORMATS):
            raise InputError(Problem(source, 0, 0, "", "the old binary workbook format (.xls, WPS .et) is not read; "
                                                       "save it as an Excel workbook (.xlsx)"))
        sheets, close = _xlsx_sheets(source, source)
        sheet_sources = [source] * len(sheets)
    reader = _Reader(m, source)
    try:
        for sheet, src in zip(sheets, sheet_sources):
            reader.sheet(sheet, src, csv_file=src.lower().endswith(".csv"))
    finally:
        close()
    def order(problems: Iterable[Problem]) -> Tuple[Problem, ...]:  # sheet by sheet, each in reading order
        return tuple(sorted(problems, key=lambda p: (reader.order.get(_sheet_of(p), 0), p)))

    return Ledger(source, tuple(reader.tables), order(reader.all_problems()),
                  {k: order(v) for k, v in reader.problems.items()})


def _sheet_of(problem: Problem) -> str:
    return problem.cell.split("!")[0] if "!" in problem.cell else ""


class _Reader:
    def __init__(self, mapping: LedgerMapping, source: str):
        self.m = mapping
        self.source = source
        self.tables: List[Table] = []
        self.problems: Dict[Optional[str], List[Problem]] = {}
        self.order: Dict[str, int] = {}  # sheet -> its place in the workbook

    def all_problems(self) -> List[Problem]:
        seen = set()
        out = []
        for probs in self.problems.values():
            for p in probs:
                if p not in seen:
                    seen.add(p)
                    out.append(p)
        return out

    def add(self, fid: Optional[str], problem: Problem) -> None:
        self.problems.setdefault(fid, []).append(problem)

    def problem(self, src: str, sheet: str, col: int, row: int, field: str, message: str) -> Problem:
        return Problem(src, row, col + 1, field, message, "error", _cell(sheet, _letter(col), row))

    def title_rows(self, first: Tuple[int, Sequence[Any]], rows: Iterator[Tuple[int, Sequence[Any]]],
                   fid_key: str, src: str, shown: str) -> Tuple[int, Sequence[Any]]:
        """The header row: the first non-empty row, or, when that is a title
        (one cell, "蓟州区锅炉台账", often merged across), the first row below
        the titles. A title holds no data, so skipping it drops nothing."""
        def has_fid(row) -> bool:
            return any(isinstance(v, str) and _fold(v) == fid_key for v in row[1])

        header = first
        while sum(1 for v in header[1] if v is not None and str(v).strip()) == 1 and not has_fid(header):
            nxt = next((row for row in rows if any(v is not None and str(v).strip() for v in row[1])), None)
            if nxt is None:
                return first  # no header below: the first row is the header (and lacks the facility id)
            header = nxt
        # titles only above a header with the facility id; else the first row
        # is the header, and its missing facility id column is reported
        return header if has_fid(header) else first

    def sheet(self, sheet: _Sheet, src: str, csv_file: bool) -> None:
        m = self.m
        shown = "" if csv_file else sheet.name  # a CSV cell is file!C12
        self.order.setdefault(shown, len(self.order))
        if _fold(sheet.name) == _fold(m.lists_sheet):
            return  # the template's value lists
        section = m.by_sheet.get(_fold(sheet.name))
        rows = iter(sheet.rows)
        header: Optional[Tuple[int, Sequence[Any]]] = None
        for r, values in rows:
            if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                header = (r, values)
                break
        if section is None:
            if header is None:
                return  # an empty sheet nobody mapped (Excel's Sheet2, say): nothing to drop
            names = sorted({s.sheet for s in m.sheets.values()})
            what = "file" if csv_file else "sheet"
            self.add(None, Problem(src, 0, 0, "", f"unknown {what} name {sheet.name!r}{_suggest(sheet.name, names)}; "
                                                  f"the mapping knows {', '.join(names)}"
                                   + ("; or give --kind" if csv_file else ""), "error", shown and f"{shown}!A1"))
            return
        spec = m.sheets[section]
        if header is None:
            return  # an empty sheet of a known kind
        fid_key = _fold(m.facility_id)
        header = self.title_rows(header, rows, fid_key, src, shown)
        hrow, hvalues = header
        fid_col: Optional[int] = None
        cols: List[Tuple[int, ColumnSpec, _Convert]] = []
        unknown: List[Tuple[int, Problem]] = []  # (column, problem): concerns the facilities with a value there
        by_field: Dict[str, int] = {}
        units: Dict[str, int] = {}  # folded unit-column header -> column
        repeated: List[int] = []  # an unmapped header written twice: the second one
        for c, h in enumerate(hvalues):
            if h is None or (isinstance(h, str) and not h.strip()):
                continue
            text = str(h).strip()
            key = _fold(text)
            col = spec.by_header.get(key)
            unit: Optional[str] = None
            if col is None:
                mt = _HEADER_UNIT.match(text)
                if mt:
                    col = spec.by_header.get(_fold(mt.group(1)))
                    unit = mt.group(2).strip()
            if (key == fid_key and (col is None or section != "facility")) or (
                    col is not None and col.field == "id" and section == "facility"):
                if fid_col is not None:
                    unknown.append((c, self.problem(src, shown, c, hrow, m.facility_id,
                                                    f"a second facility id column {text!r} "
                                                    f"(first in column {_letter(fid_col)})")))
                else:
                    fid_col = c
                continue
            if col is None:
                if key in units:
                    repeated.append(c)
                else:
                    units[key] = c
                continue
            if col.field in by_field:
                unknown.append((c, self.problem(src, shown, c, hrow, f"{section}.{col.field}",
                                                f"header {text!r}: a second column for {section}.{col.field} "
                                                f"(first in column {_letter(by_field[col.field])})")))
                continue
            if unit is not None:
                bad = "" if col.spec.type in ("quantity", "coverage") else f"field {col.field} takes no unit"
                bad = bad or _unit_problem(unit, col.spec)
                if bad:
                    unknown.append((c, self.problem(src, shown, c, hrow, f"{section}.{col.field}", f"header {text!r}: {bad}")))
                    continue
                if col.spec.type == "coverage":
                    unit = "%"
            by_field[col.field] = c
            cols.append((c, col, _Convert(col, m, unit, False)))
        # unit columns named by a mapped column (the rest of `units` is unknown headers)
        unit_cols: Dict[int, int] = {}
        for c, col, conv in cols:
            if col.unit_column and _fold(col.unit_column) in units:
                unit_cols[c] = units.pop(_fold(col.unit_column))
                conv.has_unit_column = True
        for c in sorted([*units.values(), *repeated]):
            text = str(hvalues[c]).strip()
            base = _HEADER_UNIT.match(text)
            hint = _suggest(base.group(1) if base else text, [x.header for x in spec.columns] + [m.facility_id])
            unknown.append((c, self.problem(src, shown, c, hrow, "",
                                            f"unknown header {text!r} in {section}{hint}; "
                                            "an unmapped column would be dropped")))
        id_col = next((c for c, col, _ in cols if col.field == "id"), None)
        if fid_col is None:
            self.add(None, self.problem(src, shown, 0, hrow, "",
                                        f"no facility id column {m.facility_id!r} in the header row: "
                                        "the rows cannot be given to their facilities"))
            return
        # the rows
        fids: List[str] = []
        rownums: List[int] = []
        data: Dict[str, List[Any]] = {col.field: [] for _, col, _ in cols}
        first = True
        marker = m.notes_marker
        width = len(hvalues)
        extra_cols = set()
        uncached_rows = {r for r, _ in sheet.uncached}
        for r, values in rows:
            if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values) and r not in uncached_rows:
                continue  # an empty row
            if first:
                first = False
                texts = [v for v in values if v is not None]
                if marker and all(isinstance(v, str) and v.strip().startswith(marker) for v in texts):
                    continue  # the template's notes row
            fid_raw = values[fid_col] if fid_col < len(values) else None
            fid = _number_text(fid_raw) if isinstance(fid_raw, (int, float)) and not isinstance(fid_raw, bool) else (
                str(fid_raw).strip() if fid_raw is not None else "")
            if not fid:
                self.add(None, self.problem(src, shown, fid_col, r, m.facility_id,
                                            f"the row has no facility id ({m.facility_id}); a merged cell is read "
                                            "as empty below its first row: unmerge it and fill every row"))
                continue
            if fid in _EXCEL_ERRORS:
                self.add(None, self.problem(src, shown, fid_col, r, m.facility_id,
                                            f"the facility id cell holds the spreadsheet error {fid}"))
                continue
            if (r, fid_col) in sheet.uncached:
                self.add(None, self.problem(src, shown, fid_col, r, m.facility_id,
                                            f"formula {sheet.uncached[(r, fid_col)]} has no calculated value"))
                continue
            fids.append(fid)
            rownums.append(r)
            n = len(values)
            if id_col is not None and section != "facility":
                raw_id = values[id_col] if id_col < n else None
                eid = _number_text(raw_id) if isinstance(raw_id, (int, float)) else str(raw_id or "").strip()
                prefix = f"{section}[{eid}]." if eid else f"{section}[row {r}]."
            else:
                prefix = f"{section}."
            for c, col, conv in cols:
                label = ("context." if col.field in CONTEXT_FIELDS and section == "facility" else prefix) + col.field
                v = values[c] if c < n else None
                unit = None
                if c in unit_cols:
                    u = values[unit_cols[c]] if unit_cols[c] < n else None
                    unit = str(u).strip() if u is not None and str(u).strip() else None
                    if unit is not None:
                        bad = _unit_problem(unit, col.spec)
                        if bad:
                            self.add(fid, self.problem(src, shown, unit_cols[c], r, label, bad))
                            data[col.field].append(None)
                            continue
                if v is None:
                    if (r, c) in sheet.uncached:
                        self.add(fid, self.problem(src, shown, c, r, label,
                                                   f"formula {sheet.uncached[(r, c)]} has no calculated value "
                                                   "(the workbook was written by a program and never opened in "
                                                   "Excel or WPS): open and save it, or write the value"))
                    data[col.field].append(None)
                    continue
                value, message = conv(v, unit)
                if message:
                    self.add(fid, self.problem(src, shown, c, r, label, message))
                data[col.field].append(value)
            for c, problem in unknown:
                if c < n and values[c] is not None and str(values[c]).strip():
                    self.add(fid, problem)
            if n > width:
                for c in range(width, n):
                    if values[c] is not None and str(values[c]).strip():
                        extra_cols.add(c)
                        self.add(fid, self.problem(src, shown, c, hrow, "",
                                                   "a column with values but no header; an unnamed column "
                                                   "would be dropped"))
                        break
        letters = {col.field: _letter(c) for c, col, _ in cols}
        letters["<facility>"] = _letter(fid_col)
        if section == "facility":
            letters["id"] = _letter(fid_col)
            data = {"id": list(fids), **data}
        self.tables.append(Table(src, shown, section, tuple(fids), tuple(rownums),
                                 {k: tuple(v) for k, v in data.items()}, letters))


# ===================================================================== records


class _CellLocations(Mapping):
    """Record path -> (row, column) of the cell it came from; ``cell(path)``
    gives ``sheet!C12``. Built from the tables, nothing per cell stored."""

    def __init__(self, anchors: Dict[Tuple[Any, ...], Tuple[Table, int]]):
        self.anchors = anchors

    def _find(self, path: Tuple[Any, ...]) -> Optional[Tuple[Table, int, str]]:
        if not path:
            return None
        if path[0] == "context":
            if len(path) == 2 and ("facility",) in self.anchors:
                table, i = self.anchors[("facility",)]
                if path[1] in table.letters and table.columns.get(path[1], (None,) * (i + 1))[i] is not None:
                    return table, i, path[1]
            return None
        n = 2 if len(path) >= 2 and isinstance(path[1], int) else 1
        anchor = self.anchors.get(tuple(path[:n]))
        if anchor is None:
            return None
        table, i = anchor
        field = ".".join(str(p) for p in path[n:])
        if not field:
            return table, i, "id" if "id" in table.letters else "<facility>"
        values = table.columns.get(field)
        if values is None or values[i] is None:
            return None
        return table, i, field

    def cell(self, path: Tuple[Any, ...]) -> Optional[Tuple[int, int, str, str]]:
        """(row, column number, ``sheet!C12``, file: a CSV file in a folder) of ``path``'s cell."""
        found = self._find(tuple(path))
        if found is None:
            return None
        from openpyxl.utils import column_index_from_string

        table, i, field = found
        letter = table.letters[field]
        return table.rows[i], column_index_from_string(letter), _cell(table.sheet, letter, table.rows[i]), table.source

    def get(self, path, default=None):
        found = self.cell(path)
        return found[:2] if found is not None else default

    def __getitem__(self, path):
        found = self.cell(path)
        if found is None:
            raise KeyError(path)
        return found[:2]

    def __iter__(self):
        for prefix, (table, i) in self.anchors.items():
            yield prefix
            for field, values in table.columns.items():
                if values[i] is not None and field != "id":
                    yield prefix + tuple(field.split("."))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@attrs.define
class LedgerDocument(Document):
    """A facility record built from ledger rows: ``data`` as a YAML record
    would hold it, locations that resolve to cells, so that every problem
    the record format finds reads ``file:sheet!C12: field: message``."""

    def problem(self, path, field: str, message: str, level: str = "error") -> Problem:
        cells = self.locations
        path = tuple(path)
        while path:
            found = cells.cell(path) if isinstance(cells, _CellLocations) else None
            if found is not None:
                return Problem(found[3], found[0], found[1], field, message, level, found[2])
            path = path[:-1]
        return super().problem((), field, message, level)


def _put(target: Dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for p in parts[:-1]:
        target = target.setdefault(p, {})
    target[parts[-1]] = value


def iter_records(path: Union[str, os.PathLike], mapping: Union[None, str, os.PathLike, LedgerMapping] = None,
                 ledger: Optional[Ledger] = None, *, kind: Optional[str] = None) -> Iterator[Union[Document, Any]]:
    """Group rows into facility records (one :class:`LedgerDocument` per
    facility id, in order of first appearance) for the row path.

    A facility with a problem -- a bad cell, an unknown header it wrote
    under, an entity row without its facility row, duplicate facility rows,
    or anything the record format finds in its other cells -- is yielded as
    a :class:`~compliance.api.Failure` with all its problems; problems that
    concern no one facility (an unknown sheet, a row without a facility id)
    come first as a Failure of the ledger.
    """
    led = ledger if ledger is not None else read_ledger(path, mapping, kind=kind)
    grouping = Grouping(led)
    if grouping.failure is not None:
        yield grouping.failure
    for fid in grouping.order:
        yield grouping.record(fid)


class Grouping:
    """A ledger's rows by facility id, in order of first appearance (the
    one grouping of both the row path and the columnar path, so that a
    facility has the same record, locations and problems on either)."""

    def __init__(self, led: Ledger) -> None:
        from .api import Failure

        self.ledger = led
        none = led.by_facility.get(None)
        #: problems that concern no one facility: first, as a Failure of the ledger
        self.failure = Failure(led.source, none) if none else None
        self.order: Dict[str, None] = dict.fromkeys(fid for t in led.tables for fid in t.facility_ids)

    @functools.cached_property
    def _rows(self) -> Tuple[Dict[str, List[Tuple[Table, int]]], Dict[str, List[Tuple[Table, int]]]]:
        facility_rows: Dict[str, List[Tuple[Table, int]]] = {}
        entity_rows: Dict[str, List[Tuple[Table, int]]] = {}
        for table in self.ledger.tables:
            target = facility_rows if table.section == "facility" else entity_rows
            for i, fid in enumerate(table.facility_ids):
                target.setdefault(fid, []).append((table, i))
        return facility_rows, entity_rows

    def record(self, fid: str) -> Union[Document, Any]:
        """The facility's :class:`LedgerDocument`, or a
        :class:`~compliance.api.Failure` with every problem of its rows."""
        from .api import Failure

        led = self.ledger
        source = led.source
        vocab = vocabulary()
        sheets = {t.sheet: i for i, t in enumerate(led.tables)}  # a facility's problems: sheet by sheet, in reading order
        facility_rows, entity_rows = self._rows
        problems = list(led.by_facility.get(fid, ()))
        own = facility_rows.get(fid, [])
        rows = entity_rows.get(fid, [])
        data: Dict[str, Any] = {}
        anchors: Dict[Tuple[Any, ...], Tuple[Table, int]] = {}
        if not own:
            names = ", ".join(t.sheet or t.source for t in led.tables if t.section == "facility") or "企业"
            for table, i in rows:
                problems.append(Problem(table.source, table.rows[i], 0, "facility",
                                        f"facility {fid!r} has no row in the facility sheet ({names})",
                                        "error", table.cell("<facility>", i)))
        else:
            table, i = own[0]
            for other, j in own[1:]:
                problems.append(Problem(other.source, other.rows[j], 0, "facility.id",
                                        f"duplicate facility row for {fid!r} (first in row {table.rows[i]})",
                                        "error", other.cell("id", j)))
            fac: Dict[str, Any] = {}
            ctx: Dict[str, Any] = {}
            for field, values in table.columns.items():
                v = values[i]
                if v is not None:
                    if field in CONTEXT_FIELDS:
                        ctx[field] = v
                    else:
                        _put(fac, field, v)
            if ctx:
                data["context"] = ctx
            data["facility"] = fac
            anchors[("facility",)] = (table, i)
        counts: Dict[str, int] = {}
        for table, i in rows:
            section = table.section
            entity: Dict[str, Any] = {}
            for field, values in table.columns.items():
                v = values[i]
                if v is not None:
                    _put(entity, field, v)
            spec = vocab.sections.get(section)  # a kind the record format lacks: refused by it, as a list
            if spec is not None and spec.kind == "single":
                if section in data:
                    first = anchors[(section,)]
                    problems.append(Problem(table.source, table.rows[i], 0, section,
                                            f"a second {section} row for facility {fid!r} (first in row "
                                            f"{first[0].rows[first[1]]}); this sheet has one row per facility",
                                            "error", table.cell("<facility>", i)))
                    continue
                data[section] = entity
                anchors[(section,)] = (table, i)
            else:
                k = counts.get(section, 0)
                counts[section] = k + 1
                data.setdefault(section, []).append(entity)
                anchors[(section, k)] = (table, i)
        doc = LedgerDocument(source, data, _CellLocations(anchors))
        if problems:
            if own:  # and everything the record format finds in its other cells
                from .normalise import facts_of

                try:
                    facts_of(doc)
                except InputError as exc:
                    problems.extend(exc.problems)
            return Failure(source, tuple(sorted(set(problems), key=lambda p: (sheets.get(_sheet_of(p), 0), p))))
        return doc


# ===================================================================== templates


def _kinds(mapping: LedgerMapping, kinds: Sequence[str]) -> List[str]:
    out = ["facility"]
    names = sorted({s.sheet for s in mapping.sheets.values()} | set(mapping.sheets) | {"all"})
    for k in kinds:
        if _fold(k) == "all":
            out.extend(s for s in mapping.sheets if s not in out)
            continue
        section = mapping.by_sheet.get(_fold(k))
        if section is None:
            raise UsageError(f"unknown kind {k!r}{_suggest(k, names)}; kinds: {', '.join(mapping.sheets)} (or all)")
        if section not in out:
            out.append(section)
    return out


def column_header(col: ColumnSpec) -> str:
    return f"{col.header}({col.unit})" if col.unit else col.header


def _example(col: ColumnSpec, mapping: LedgerMapping) -> str:
    if col.example:
        return col.example
    t = col.spec.type
    if col.values:
        return next(iter(_display_values(col, mapping)))
    if t == "bool":
        return "是"
    if t in ("date", "date_or_false"):
        return "2019-03-01"
    if t == "coverage":
        return "100%"
    if t == "integer":
        return str(int(col.spec.min or 1))
    if t == "region":
        return "天津市蓟州区"
    return ""


def _display_values(col: ColumnSpec, mapping: LedgerMapping) -> List[str]:
    """The cell texts a column offers, as the mapping writes them."""
    return list(col.shown)


def _note(col: ColumnSpec, mapping: LedgerMapping) -> str:
    parts = [mapping.notes_marker + (col.note or col.header)]
    if col.unit:
        parts.append(f"单位：{col.unit}")
    t = col.spec.type
    if t == "bool":
        parts.append("填 是/否")
    elif t == "quantity" and col.unit:
        parts.append("填数字")
    elif t == "enum_list":
        parts.append("多个用顿号分隔")
    elif t in ("date", "date_or_false"):
        parts.append("日期格式")
    ex = _example(col, mapping)
    if ex:
        parts.append(f"例：{ex}")
    return "；".join(parts)


def write_template(path: Union[str, os.PathLike], kinds: Sequence[str] = (),
                   mapping: Union[None, str, os.PathLike, LedgerMapping] = None) -> List[str]:
    """Write an empty workbook: a facility sheet and one sheet per kind, the
    mapping's headers (units in them), a notes row (meaning, unit, example)
    and a drop-down list for each enumerated or yes/no column. Returns the
    sheet names written."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    m = mapping if isinstance(mapping, LedgerMapping) else load_mapping(mapping)
    sections = _kinds(m, kinds)
    wb = openpyxl.Workbook()
    lists = wb.active
    lists.title = m.lists_sheet
    lists.sheet_state = "hidden"
    list_cols: Dict[str, str] = {}

    def list_range(name: str, items: List[str]) -> str:
        if name not in list_cols:
            c = len(list_cols) + 1
            letter = _letter(c - 1)
            lists.cell(row=1, column=c, value=name)
            for r, item in enumerate(items, 2):
                lists.cell(row=r, column=c, value=item)
            list_cols[name] = f"'{m.lists_sheet}'!${letter}$2:${letter}${len(items) + 1}"
        return list_cols[name]

    written = []
    bold = Font(bold=True)
    grey = Font(italic=True, color="666666")
    fill = PatternFill("solid", fgColor="F2F2F2")
    for section in sections:
        spec = m.sheets[section]
        ws = wb.create_sheet(spec.sheet)
        written.append(spec.sheet)
        cols: List[ColumnSpec] = []
        seen_fields = set()
        for spec_col in spec.columns:
            if spec_col.field in seen_fields:
                continue  # an alternative header for the same field (额定热功率 for 额定蒸发量)
            seen_fields.add(spec_col.field)
            cols.append(spec_col)
        headers: List[Tuple[str, str, Optional[ColumnSpec]]] = []
        if section != "facility":
            fid_note = f"{m.notes_marker}所属企业的{m.facility_id}（与“{m.sheets['facility'].sheet}”表一致）"
            headers.append((m.facility_id, fid_note, None))
        for spec_col in cols:
            headers.append((column_header(spec_col), _note(spec_col, m), spec_col))
        for c, (text, note, col) in enumerate(headers, 1):
            h = ws.cell(row=1, column=c, value=text)
            h.font = bold
            n = ws.cell(row=2, column=c, value=note)
            n.font = grey
            n.fill = fill
            n.alignment = Alignment(wrap_text=True, vertical="top")
            letter = _letter(c - 1)
            ws.column_dimensions[letter].width = max(12, min(30, len(text) * 2 + 2))
            if col is None:
                continue
            t = col.spec.type
            items: List[str] = []
            name = ""
            if t == "enum" and col.values:
                items, name = _display_values(col, m), col.vocabulary
            elif t == "bool":
                items, name = ["是", "否"], "是否"
            if items:
                dv = DataValidation(type="list", formula1=list_range(name, items), allow_blank=True,
                                    showErrorMessage=True, errorTitle=text,
                                    error=f"请从列表中选择（{'、'.join(items[:8])}{'…' if len(items) > 8 else ''}）")
                ws.add_data_validation(dv)
                dv.add(f"{letter}3:{letter}5000")
        ws.freeze_panes = "A3"
        ws.row_dimensions[2].height = 48
    if not list_cols:
        lists.cell(row=1, column=1, value="")
    wb.active = 1
    wb.save(os.fspath(path))
    return written


def is_ledger(path: Union[str, os.PathLike]) -> bool:
    """Whether ``path`` is read as a ledger (by its ending, or a folder of CSV files)."""
    text = os.fspath(path)
    return text.lower().endswith(LEDGER_SUFFIXES) or (
        os.path.isdir(text) and any(p.lower().endswith(".csv") for p in os.listdir(text)))


def validate_ledger(path: Union[str, os.PathLike], mapping: Union[None, str, os.PathLike, LedgerMapping] = None) -> List[Problem]:
    """Every problem (and warning) of a ledger's records, nothing evaluated."""
    from .api import Failure
    from .normalise import facts_of

    problems: List[Problem] = []
    try:
        for item in iter_records(path, mapping):
            if isinstance(item, Failure):
                problems.extend(item.problems)
                continue
            try:
                problems.extend(facts_of(item).warnings)
            except InputError as exc:
                problems.extend(exc.problems)
    except InputError as exc:
        problems.extend(exc.problems)
    return sorted(set(problems))
