"""Columnar evaluation of ledger tables (issue #9).

A ledger (:mod:`compliance.ledger`) is already columnar: one table per
entity kind, one column per record field. This module evaluates the rules
over whole columns at once, with numpy, instead of one record at a time:

1. **Columns.** Each chunk of facilities (``chunk`` of them, so memory stays
   flat however long the ledger) takes its rows from every table. Per
   column, each *distinct* cell is typed once, by the row path's own put
   function (:func:`compliance.normalise._putter`, the fast normaliser's:
   same unit parser, same range checks, same vocabulary), and the column
   becomes an int32 array of codes into the list of distinct typed values
   (code 0: not written, or the field's default). Numeric views (float64,
   NaN where unknown; dates as ordinals; stages as lo/hi levels) and
   per-value truth tables (``in``, ``includes``) are gathered from the codes.
2. **Conditions.** Every rule's ``when``/``require``/``unless`` tree
   (:mod:`compliance.conditions`, the one source of semantics the row
   kernels are generated from) is compiled, node by node, into numpy
   functions of a frame returning a three-valued truth as two masks
   (definitely true, unknown). Primitive meanings come from
   :mod:`compliance.operators` (the operator table; stage comparisons follow
   :func:`~compliance.operators.stage_truth`; oxygen correction calls
   :func:`~compliance.operators.correct_oxygen` once per distinct
   (measured, O2) pair, so its rounding is the row path's).
3. **Statuses.** :func:`compliance.status.decide`, vectorised: one int8
   status code per (row, rule), for every rule of the section at once; which
   rules exist at each row's date and apply in its region is masked per row
   (the row path's :meth:`~compliance.kernel.KernelProgram.plan`).
4. **Reports.** Per facility, in ledger order, a
   :class:`~compliance.report.RecordReport` equal to the row path's: its
   entities are built from the typed column values, its findings lazily by
   :meth:`~compliance.evaluate.Evaluator.explain`, which re-derives each
   status with the interpreter (a disagreement is an engine failure).

What the columnar path does not cover goes to the row path, and is counted
(:class:`Coverage`; ``compliance kernel --columnar`` prints it):

* a **rule** whose condition has a node kind without a columnar compiler
  (none today; ``unsupported=`` forces it, for the tests): judged by the
  interpreter (:func:`compliance.evaluate.verdict`) on those rows;
* a **facility** with anything the fast normaliser gives up on -- a cell
  that does not parse or is out of range, an open-vocabulary value (a
  warning), an unknown column written, a table of an unknown entity kind, a
  missing, empty or repeated entity id, a single section given twice, no
  region: its rows are grouped into a record by the ledger reader's own
  grouping (:class:`compliance.ledger.Grouping`, a
  :class:`~compliance.ledger.LedgerDocument`) and checked by the row path
  (:func:`compliance.normalise.facts_of` and the kernel), so its record,
  errors, warnings and locations are the row path's
  (``ledger.xlsx:boilers!C12``).

What the ledger reader found is the reader's, on either path
(:func:`check_ledger`): the ledger's own problems (an unknown sheet or
header, a row without a facility id) come first, and a facility with a
reader problem, with no row in the facility table (orphan entity rows) or
with more than one is the reader's Failure, in its place: facilities come
in order of first appearance over the tables, as ``iter_records`` gives
them.

Cells are of the ledger interface's types (str, int, float, bool, date,
None; a list for a list field). Text, true/false and list-of-text columns
are dictionary-encoded by pyarrow when it is installed, with the column's
type given (Arrow would read a bytes cell as text, a tuple as a list, which
no ledger reader produces); without pyarrow a dict does it, keyed so that
True, 1 and 1.0 stay apart. Both give the same codes (tested).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
from collections import Counter
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import attrs
import numpy as np

try:  # optional: dictionary-encodes text columns faster than a dict (see benchmarks/README.md)
    import pyarrow as _pa  # type: ignore[import-untyped]
    import pyarrow.compute as _pc  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - the pure-Python encoding gives the same codes
    _pa = _pc = None

from ._yaml import Document
from .conditions import All, AnyOf, Compare, Cond, FieldRef, Includes, Known, Member, Not
from .errors import InputError, Problem
from .ledger import CONTEXT_FIELDS
from .normalise import Entity, Facts, _GiveUp, _putter, facts_of
from .operators import OPERATORS, correct_oxygen
from .report import LazyFindings, RecordReport
from .status import COMPLIANT, EXEMPT, INDETERMINATE, MANUAL_REVIEW, NOT_APPLICABLE, PENDING, VIOLATION
from .vocabulary import vocabulary

__all__ = ["check_tables", "status_blocks", "Coverage", "ColumnarProgram", "columnar_program",
           "check_ledger", "ledger_items", "STATUS_CODES"]

#: status -> int8 code in a status matrix (0: no status: the rule does not
#: apply in the row's region, or is not_applicable and not asked for)
STATUS_CODES = {VIOLATION: 1, COMPLIANT: 2, INDETERMINATE: 3, PENDING: 4, EXEMPT: 5, NOT_APPLICABLE: 6,
                MANUAL_REVIEW: 7}
STATUS_OF = (None, VIOLATION, COMPLIANT, INDETERMINATE, PENDING, EXEMPT, NOT_APPLICABLE, MANUAL_REVIEW)
_V, _C, _I, _P, _E, _NA, _MR = 1, 2, 3, 4, 5, 6, 7

#: facilities per chunk: bounds the memory of every batch path
CHUNK = 8192
#: distinct written values kept per field across chunks (past it, parsed per chunk)
_CACHE = 65536
_BAD = object()  # a cell the fast normaliser gives up on
_DATE_TYPES = (dt.date,)
_HASHABLE = frozenset({str, type(None), dt.date, dt.datetime, bool, int, float})
_NUMBERS = frozenset({bool, int, float})

_UFUNC = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
          "==": np.equal, "!=": np.not_equal}


# ------------------------------------------------------------------ columns

class _FieldParser:
    """One field's written values -> typed values, each distinct one once,
    through the row path's put function (what it gives up on is _BAD)."""

    __slots__ = ("spec", "put", "cache", "name")

    def __init__(self, spec) -> None:
        self.spec = spec
        self.put = _putter(spec)
        self.name = spec.name
        self.cache: Dict[Any, Any] = {}

    def parse(self, key: Any, raw: Any) -> Any:
        hit = self.cache.get(key, None)
        if hit is None:
            values: Dict[str, Any] = {}
            written: Dict[str, Any] = {}
            try:
                self.put(raw, values, written)
                hit = (values[self.name], written.get(self.name))
            except _GiveUp:
                hit = _BAD
            if len(self.cache) < _CACHE:
                self.cache[key] = hit
        return hit


def _encode(cells: Sequence[Any]) -> Tuple[np.ndarray, List[Any], List[Any]]:
    """Codes of ``cells`` (0 for None), the distinct cells' keys and raw values."""
    first = next(filter(_NOT_NONE, cells), None)
    arrow = _ARROW_TYPES.get(type(first)) if _pa is not None else None
    if arrow is not None:  # text, true/false and list-of-text columns: dictionary-encoded by Arrow
        try:  # the type given: Arrow refuses any other cell (it would read 1 as 1.0, a datetime as a date)
            arr = _pa.array(cells, type=arrow, from_pandas=False)
        except (_pa.ArrowInvalid, _pa.ArrowTypeError, _pa.ArrowNotImplementedError, OverflowError, TypeError):
            arr = None
        if arr is not None and type(first) is list:
            return _encode_lists(cells, arr)
        if arr is not None:
            enc = _pc.dictionary_encode(arr)
            codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32) + 1
            keys = [None] + enc.dictionary.to_pylist()
            return codes, keys, keys
    types = set(map(type, cells))
    index: Dict[Any, int] = {None: 0}
    if types <= _HASHABLE and len(types & _NUMBERS) <= 1:  # hashable, and no True == 1 between them
        codes = [index.setdefault(c, len(index)) for c in cells]
        keys = list(index)
        raws = keys
    else:  # typed keys: True, 1 and 1.0 stay apart; lists become tuples
        raws_by: Dict[Any, Any] = {}
        codes = []
        for c in cells:
            if c is None:
                codes.append(0)
                continue
            k = (type(c), tuple(c)) if isinstance(c, list) else (type(c), c)
            code = index.get(k)
            if code is None:
                code = index[k] = len(index)
                raws_by[k] = c
            codes.append(code)
        keys = list(index)
        raws = [None] + [raws_by[k] for k in keys[1:]]
    return np.fromiter(codes, np.int32, len(codes)), keys, raws


_NOT_NONE = functools.partial(operator.is_not, None)
#: cell type -> the Arrow type its column is read as (given, never inferred:
#: inferring costs an attempt to import pandas per call)
_ARROW_TYPES: Dict[type, Any] = {} if _pa is None else {
    str: _pa.string(), bool: _pa.bool_(), list: _pa.list_(_pa.string())}


def _encode_lists(cells: Sequence[Any], arr: Any) -> Tuple[np.ndarray, List[Any], List[Any]]:
    """Codes of a column of lists of text: each list keyed by its items
    joined with NUL and its length (two lists share a key only if both
    have an item holding NUL, which no vocabulary value does: both are
    refused either way)."""
    joined = _pc.dictionary_encode(_pc.binary_join(arr, "\x00"))
    jcodes = joined.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64) + 1
    lengths = _pc.list_value_length(arr).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    key = jcodes * (int(lengths.max(initial=0)) + 1) + lengths
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    has_none = bool(uniq.size) and uniq[0] == 0  # jcodes 0: a None cell (keys sort first)
    codes = inverse.astype(np.int32) + (0 if has_none else 1)
    raws: List[Any] = [None] + [cells[i] for i in first[1 if has_none else 0:].tolist()]
    keys: List[Any] = [None] + [(list, tuple(r)) for r in raws[1:]]
    return codes, keys, raws


class _Col:
    """One field over a frame's rows: codes into ``values`` (typed; index 0
    is the field's default, or None: not written). Built from the cells on
    first use: a column no rule reads is only validated (its distinct cells
    typed) until a report needs its values."""

    __slots__ = ("_codes", "_values", "_parsed", "defaulted", "_views", "_cells", "_parser", "bad")

    def __init__(self, codes: Optional[np.ndarray], values: List[Any], parsed: List[Any], defaulted: bool,
                 cells: Sequence[Any] = (), parser: Optional[_FieldParser] = None) -> None:
        self._codes = codes
        self._values = values
        self._parsed = parsed
        self.defaulted = defaulted  # values[0] is a default
        self._views: Dict[Any, Any] = {}
        self._cells = cells
        self._parser = parser
        self.bad: List[int] = []  # codes of cells the row path refuses or warns about

    @classmethod
    def of_cells(cls, cells: Sequence[Any], parser: _FieldParser, default: Any) -> "_Col":
        if parser.spec.type == "string" and len(cells) > 64:  # ids, names: mostly distinct
            types = set(map(type, cells))
            if types <= {str, type(None)} and len(set(cells)) > len(cells) // 2:
                # put_string takes any text as it is: each row its own code
                codes = np.arange(1, len(cells) + 1, dtype=np.int32)
                if type(None) in types:
                    codes[np.array([c is None for c in cells], dtype=bool)] = 0
                return cls(codes, [default, *cells], [None] * (len(cells) + 1), default is not None)
        return cls(None, [default], [None], default is not None, cells, parser)

    def _build(self) -> None:
        codes, keys, raws = _encode(self._cells)
        parser = self._parser
        parse = parser.parse  # type: ignore[union-attr]
        values: List[Any] = self._values[:1]
        parsed: List[Any] = [None]
        bad: List[int] = []
        if parser.spec.type == "string" and all(type(k) is str for k in raws[1:]):  # type: ignore[union-attr]
            values.extend(raws[1:])  # put_string takes any text as it is
            self._codes, self._values, self._parsed, self.bad = codes, values, [None] * len(values), bad
            self._cells = ()
            return
        for code in range(1, len(keys)):
            hit = parse(keys[code], raws[code])
            if hit is _BAD:
                bad.append(code)
                values.append(None)
                parsed.append(None)
            else:
                values.append(hit[0])
                parsed.append(hit[1])
        self._codes, self._values, self._parsed, self.bad = codes, values, parsed, bad
        self._cells = ()

    def validate(self) -> bool:
        """Whether every cell is one the fast normaliser takes (each
        distinct cell typed once; the codes are left for later)."""
        cells = self._cells
        if self._codes is None:
            try:
                distinct = set(cells)
            except TypeError:  # lists: typed keys
                distinct = None
            if distinct is not None:
                distinct.discard(None)
                # text never equals another type; True == 1 == 1.0 would hide one of them
                if all(type(k) is str for k in distinct) or (
                        len(set(map(type, cells)) & _NUMBERS) <= 1):
                    parse = self._parser.parse  # type: ignore[union-attr]
                    if all(parse(k, k) is not _BAD for k in distinct):
                        return True
            self._build()
        return not self.bad

    def encode(self) -> None:
        if self._codes is None:
            self._build()

    @property
    def codes(self) -> np.ndarray:
        if self._codes is None:
            self._build()
        return self._codes  # type: ignore[return-value]

    @property
    def values(self) -> List[Any]:
        if self._codes is None:
            self._build()
        return self._values

    @property
    def parsed(self) -> List[Any]:
        if self._codes is None:
            self._build()
        return self._parsed

    def view(self, key: Any, make: Callable[[List[Any]], np.ndarray]) -> np.ndarray:
        hit = self._views.get(key)
        if hit is None:
            hit = self._views[key] = make(self.values)[self.codes]
        return hit

    def take(self, idx: np.ndarray) -> "_Col":
        return _Col(self.codes[idx], self.values, self.parsed, self.defaulted)


def _num(v: Any) -> float:
    if v is None:
        return np.nan
    if isinstance(v, _DATE_TYPES):
        return float(v.toordinal())
    return float(v)


def _nums(values: List[Any]) -> np.ndarray:
    return np.array([_num(v) for v in values], dtype=np.float64)


def _known(values: List[Any]) -> np.ndarray:
    return np.array([v is not None for v in values], dtype=bool)


def _stage_lo(values: List[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v.lo for v in values], dtype=np.float64)


def _stage_hi(values: List[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v.hi for v in values], dtype=np.float64)


class _Frame:
    """The rows of one entity kind in a chunk (or the facilities lacking a
    single section: ``implicit``), with the facility and context columns
    gathered to them."""

    def __init__(self, section: str, n: int, cols: Dict[str, _Col], fpos: np.ndarray,
                 facility: Optional["_Frame"] = None,
                 context: Optional[Dict[str, _Col]] = None, implicit: bool = False) -> None:
        self.section = section
        self.n = n
        self.cols = cols
        self.fpos = fpos  # per row: its facility's position in the chunk
        self.facility = facility
        self.context = context or {}
        self.implicit = implicit
        self._gathered: Dict[Tuple[str, str], Optional[_Col]] = {}
        self._corrected: Dict[Tuple[str, Any], np.ndarray] = {}
        self._rows: Optional[List[Tuple[str, List[int], List[Any], List[Any]]]] = None
        self.truths: Dict[str, Truth] = {}  # by condition (repr), see compile_condition

    def col(self, scope: str, name: str) -> Optional[_Col]:
        if scope == "entity":
            return self.cols.get(name)
        key = (scope, name)
        if key not in self._gathered:
            if scope == "facility":
                assert self.facility is not None
                base = self.facility.cols.get(name)
            else:
                base = self.context.get(name)
            self._gathered[key] = None if base is None else base.take(self.fpos)
        return self._gathered[key]

    def rows_view(self) -> List[Tuple[str, List[int], List[Any], List[Any]]]:
        """Per column: (name, codes, values, units as written), as lists (for building entities)."""
        if self._rows is None:
            self._rows = [(name, col.codes.tolist(), col.values, col.parsed) for name, col in self.cols.items()]
        return self._rows

    def nums(self, ref: FieldRef) -> np.ndarray:
        if ref.oxygen_reference is not None:
            return self.corrected(ref)
        col = self.col(ref.scope, ref.name)
        return np.full(self.n, np.nan) if col is None else col.view("num", _nums)

    def known(self, ref: FieldRef) -> np.ndarray:
        if ref.oxygen_reference is not None:
            return ~np.isnan(self.corrected(ref))
        col = self.col(ref.scope, ref.name)
        return np.zeros(self.n, bool) if col is None else col.view("known", _known)

    def stage(self, ref: FieldRef) -> Tuple[np.ndarray, np.ndarray]:
        col = self.col(ref.scope, ref.name)
        if col is None:
            nan = np.full(self.n, np.nan)
            return nan, nan
        return col.view("lo", _stage_lo), col.view("hi", _stage_hi)

    def corrected(self, ref: FieldRef) -> np.ndarray:
        """The oxygen-corrected value before rounding to 12 significant
        digits: the same floating-point operations as :func:`correct_oxygen`,
        over the column (a comparison near its limit rechecks the rounded
        value: see :func:`_oxygen_compare`)."""
        key = (ref.scope + "." + ref.name, ref.oxygen_reference)
        hit = self._corrected.get(key)
        if hit is None:
            raw = self.col(ref.scope, ref.name)
            o2 = self.col(ref.scope, ref.o2_name)
            if raw is None or o2 is None:
                hit = np.full(self.n, np.nan)
            else:
                reference: float = ref.oxygen_reference  # type: ignore[assignment]
                hit = raw.view("num", _nums) * (21.0 - reference) / (21.0 - o2.view("num", _nums))
            self._corrected[key] = hit
        return hit

    def measured(self, ref: FieldRef) -> Tuple[np.ndarray, np.ndarray]:
        """The measured value and oxygen content of an oxygen-corrected field."""
        raw, o2 = self.col(ref.scope, ref.name), self.col(ref.scope, ref.o2_name)
        assert raw is not None and o2 is not None  # the rows asked for have both
        return raw.view("num", _nums), o2.view("num", _nums)

    def categories(self, ref: FieldRef) -> Tuple[Optional[_Col], List[Any]]:
        col = self.col(ref.scope, ref.name)
        return col, ([None] if col is None else col.values)


# --------------------------------------------------------------- conditions

Truth = Tuple[np.ndarray, np.ndarray]  # (definitely true, unknown)
CondFn = Callable[[_Frame], Truth]


class Unsupported(Exception):
    """A condition the columnar compiler does not cover: the rule falls back."""


def _table_truth(fr: _Frame, ref: FieldRef, test: Callable[[Any], bool]) -> Truth:
    """A test on one field, decided once per distinct value, gathered by code."""
    col, values = fr.categories(ref)
    if col is None:
        return np.zeros(fr.n, bool), np.ones(fr.n, bool)
    true = np.array([v is not None and bool(test(v)) for v in values], dtype=bool)
    unknown = np.array([v is None for v in values], dtype=bool)
    return true[col.codes], unknown[col.codes]


def compile_condition(c: Cond, unsupported: frozenset = frozenset()) -> CondFn:
    """``c`` as a function of a frame giving its three-valued truth per row
    (computed once per frame: rules share conditions, e.g. a fuel's three
    pollutant limits)."""
    fn = _compile_node(c, unsupported)
    key = repr(c)

    def memo(fr: _Frame) -> Truth:
        hit = fr.truths.get(key)
        if hit is None:
            hit = fr.truths[key] = fn(fr)
        return hit
    return memo


def _compile_node(c: Cond, unsupported: frozenset) -> CondFn:
    kind = type(c).__name__
    if kind in unsupported:
        raise Unsupported(kind)
    if isinstance(c, Compare):
        ref, op, limit = c.ref, c.op, c.limit.value
        ufunc = _UFUNC[op]
        if ref.spec.type == "stage":
            if ref.oxygen_reference is not None:  # pragma: no cover - the compiler refuses it
                raise Unsupported("oxygen-corrected stage")

            def stage(fr: _Frame) -> Truth:
                lo, hi = fr.stage(ref)
                unknown = np.isnan(lo)
                with np.errstate(invalid="ignore"):
                    if op in ("==", "!="):
                        same = lo == hi
                        inside = (lo <= limit) & (limit <= hi)
                        true = np.where(same, ufunc(lo, limit), (op == "!=") & ~inside)
                        unknown = unknown | (~same & inside)
                    else:
                        a, b = ufunc(lo, limit), ufunc(hi, limit)
                        true = a & b
                        unknown = unknown | (a != b)
                return true & ~unknown, unknown
            return stage
        if isinstance(limit, _DATE_TYPES):
            limit = float(limit.toordinal())
        else:
            limit = float(limit)

        if ref.oxygen_reference is not None:
            return lambda fr: _oxygen_compare(fr, ref, op, limit)

        def compare(fr: _Frame) -> Truth:
            v = fr.nums(ref)
            unknown = np.isnan(v)
            with np.errstate(invalid="ignore"):
                return ufunc(v, limit) & ~unknown, unknown
        return compare
    if isinstance(c, Member):
        ref, values = c.ref, c.values
        return lambda fr: _table_truth(fr, ref, lambda v: v in values)
    if isinstance(c, Includes):
        ref, vals, mode = c.ref, c.values, c.mode
        test = (lambda v: any(x in v for x in vals)) if mode == "any" else (lambda v: all(x in v for x in vals))
        return lambda fr: _table_truth(fr, ref, test)
    if isinstance(c, Known):
        ref, want = c.ref, c.want

        def known(fr: _Frame) -> Truth:
            k = fr.known(ref)
            return (k if want else ~k), np.zeros(fr.n, bool)
        return known
    if isinstance(c, Not):
        inner = compile_condition(c.child, unsupported)

        def negate(fr: _Frame) -> Truth:
            t, u = inner(fr)
            return ~t & ~u, u
        return negate
    if isinstance(c, (All, AnyOf)):
        children = [compile_condition(x, unsupported) for x in c.children]
        every = isinstance(c, All)

        def junction(fr: _Frame) -> Truth:
            t0, u0 = children[0](fr)
            true, unknown = t0.copy(), u0.copy()
            false = ~t0 & ~u0
            for child in children[1:]:
                t, u = child(fr)
                if every:
                    true &= t
                    false |= ~t & ~u
                else:
                    true |= t
                unknown |= u
            if every:  # all: false if one is false, else unknown if one is unknown
                return true, ~false & ~true
            return true, ~true & unknown  # any: true if one is true, else unknown if one is
        return junction
    raise Unsupported(kind)


def _oxygen_compare(fr: _Frame, ref: FieldRef, op: str, limit: float) -> Truth:
    """A comparison of an oxygen-corrected value. :func:`correct_oxygen`
    rounds to 12 significant digits (a relative change below 1e-11): only
    where the unrounded value is within 1e-9 of the limit can the rounding
    decide, and there the row path's function is called."""
    ufunc = _UFUNC[op]
    y = fr.corrected(ref)
    unknown = np.isnan(y)
    with np.errstate(invalid="ignore"):
        true = ufunc(y, limit) & ~unknown
        near = np.flatnonzero(~unknown & (np.abs(y - limit) <= 1e-9 * abs(limit)))
    if near.size:
        raw, o2 = fr.measured(ref)
        fn = OPERATORS[op].fn
        for r in near.tolist():
            true[r] = fn(correct_oxygen(float(raw[r]), float(o2[r]), ref.oxygen_reference or 0.0), limit)
    return true, unknown


def _rule_function(rule: Any, unsupported: frozenset) -> Callable[[_Frame, np.ndarray], np.ndarray]:
    """The rule's status codes over a frame (:func:`compliance.status.decide`
    per row): ``as_of`` holds each row's date as an ordinal. A manual-review
    item is manual_review wherever its ``when`` is not false."""
    when = compile_condition(rule.when, unsupported) if rule.when is not None else None
    if rule.review is not None:
        def review(fr: _Frame, as_of: np.ndarray) -> np.ndarray:
            st = np.full(fr.n, _MR, np.int8)
            if when is not None:
                wt, wu = when(fr)
                st[(~wt & ~wu) | (~wt if fr.implicit else False)] = _NA
            elif fr.implicit:
                st[:] = _NA
            return st
        return review
    require = compile_condition(rule.require, unsupported)
    unless = compile_condition(rule.unless.condition, unsupported) if rule.unless is not None else None
    eff = rule.effective_from.toordinal() if rule.effective_from is not None else None
    deadline = rule.deadline.toordinal() if rule.deadline is not None else None

    def status(fr: _Frame, as_of: np.ndarray) -> np.ndarray:
        st = np.full(fr.n, _V, np.int8)
        if eff is not None or deadline is not None:
            pending = np.zeros(fr.n, bool)
            if eff is not None:
                pending |= as_of < eff
            if deadline is not None:
                pending |= as_of <= deadline
            st[pending] = _P
        rt, ru = require(fr)
        if unless is not None:
            xt, xu = unless(fr)
            st[ru | xu] = _I
            st[xt] = _E
        else:
            st[ru] = _I
        st[rt] = _C
        if when is not None:
            wt, wu = when(fr)
            st[wu] = _I
            st[(~wt & ~wu) | (~wt if fr.implicit else False)] = _NA
        elif fr.implicit:
            st[:] = _NA
        return st
    return status


# ------------------------------------------------------------------ program

@attrs.define
class Coverage:
    """What the columnar path judged and what it left to the row path."""

    rules_columnar: List[str] = attrs.field(factory=list)
    #: rule id -> why it falls back (its rows are judged by the interpreter)
    rules_fallback: Dict[str, str] = attrs.field(factory=dict)
    rows_columnar: int = 0
    facilities_columnar: int = 0
    #: facilities checked by the row path, by reason
    facilities_fallback: Counter = attrs.field(factory=Counter)

    def lines(self) -> List[str]:
        out = [f"rules judged columnar: {len(self.rules_columnar)}",
               f"rules falling back to the row path: {len(self.rules_fallback)}"]
        out += [f"  {rid}: {why}" for rid, why in sorted(self.rules_fallback.items())]
        out.append(f"facilities columnar: {self.facilities_columnar} ({self.rows_columnar} rows); "
                   f"row path: {sum(self.facilities_fallback.values())}")
        out += [f"  {why}: {n}" for why, n in sorted(self.facilities_fallback.items())]
        return out


class ColumnarProgram:
    """An evaluator's rules compiled for columns (per entity kind)."""

    def __init__(self, ev: Any, unsupported: Iterable[str] = ()) -> None:
        self.ev = ev
        self.program = ev.program
        self.unsupported = frozenset(unsupported)
        self.coverage = Coverage()
        rules = self.program.rules
        #: per section: (rule indices, status function or None (row path) per rule)
        self.sections: Dict[str, Tuple[np.ndarray, List[Optional[Callable]]]] = {}
        for section, idx in self.program.by_section.items():
            fns: List[Optional[Callable]] = []
            for i in idx:
                try:
                    fns.append(_rule_function(rules[i], self.unsupported))
                    self.coverage.rules_columnar.append(rules[i].id)
                except Unsupported as exc:
                    fns.append(None)
                    self.coverage.rules_fallback[rules[i].id] = f"condition node {exc} has no columnar compiler"
            self.sections[section] = (np.array(idx, dtype=np.int64), fns)
        #: per section (and "context"): the fields some rule reads (their columns are encoded at once)
        self.read: Dict[str, set] = {}
        for rule in rules:
            for cond in (rule.when, rule.require, rule.unless.condition if rule.unless else None):
                for ref in cond.refs() if cond is not None else ():
                    scope = rule.applies_to if ref.scope == "entity" else ref.scope
                    names = self.read.setdefault(scope, set())
                    names.add(ref.name)
                    if ref.oxygen_reference is not None:
                        names.add(ref.o2_name)
        self._chains: Dict[str, Dict[str, np.ndarray]] = {}
        self._parsers: Dict[Tuple[str, str], Optional[_FieldParser]] = {}
        vocab = vocabulary()
        self.vocab = vocab
        self.section_order = {name: i for i, name in enumerate(vocab.sections)}
        self.singles = tuple(n for n, s in vocab.sections.items() if s.kind == "single" and n != "facility")

    def describe(self, sections: Sequence[str]) -> List[str]:
        """Per entity kind: how many rules are judged over columns, and each
        rule that falls back to the row path, with why."""
        rules = self.program.rules
        out = []
        for section in sections:
            idx, fns = self.sections[section]
            back = [rules[i].id for i, fn in zip(idx.tolist(), fns) if fn is None]
            out.append(f"{section}: {len(fns) - len(back)} rules columnar, {len(back)} on the row path")
            out.extend(f"  row path: {rid} ({self.coverage.rules_fallback[rid]})" for rid in back)
        return out

    def parser(self, section: str, name: str) -> Optional[_FieldParser]:
        key = (section, name)
        hit = self._parsers.get(key, _BAD)
        if hit is _BAD:
            if section == "context":
                spec = self.vocab.context_fields.get(name)
            else:
                spec = self.vocab.sections[section].leaves.get(name) if section in self.vocab.sections else None
            hit = self._parsers[key] = None if spec is None or spec.type == "mapping" else _FieldParser(spec)
        return hit  # type: ignore[return-value]

    def in_region(self, section: str, code: str) -> np.ndarray:
        """Per rule of ``section``: whether it applies in region ``code``."""
        by = self._chains.setdefault(section, {})
        hit = by.get(code)
        if hit is None:
            chain = self.vocab.regions[code].chain
            jur = self.program.jurisdictions
            hit = by[code] = np.array([jur[i] in chain for i in self.sections[section][0]], dtype=bool)
        return hit


_PROGRAMS: Dict[int, Tuple[Any, ColumnarProgram]] = {}


def columnar_program(ev: Any) -> ColumnarProgram:
    """The evaluator's columnar program (compiled once per evaluator)."""
    hit = _PROGRAMS.get(id(ev))
    if hit is None or hit[0] is not ev:
        if len(_PROGRAMS) >= 16:
            _PROGRAMS.clear()
        hit = _PROGRAMS[id(ev)] = (ev, ColumnarProgram(ev))
    return hit[1]


# ------------------------------------------------------------------- chunks

def _cells(column: Sequence[Any], rows: np.ndarray) -> Sequence[Any]:
    n = len(rows)
    if n == 0:
        return ()
    first, last = int(rows[0]), int(rows[-1])
    if last - first + 1 == n:  # contiguous: a slice
        return column[first:last + 1]
    if n == 1:
        return (column[first],)
    return operator.itemgetter(*rows.tolist())(column)


@attrs.define
class _Part:
    """One table's rows in a chunk."""

    table: Any
    rows: np.ndarray  # row positions in the table, grouped by facility, in order
    fpos: np.ndarray  # per row: facility position in the chunk


@attrs.define
class Block:
    """One chunk of facilities, columnar: status matrices per frame."""

    facility_rows: np.ndarray  # positions in the facility table
    ids: List[str]
    fallback: Dict[int, str]  # chunk position -> reason (checked by the row path)
    frames: List[Tuple[_Frame, Optional[_Part], np.ndarray, np.ndarray, np.ndarray]]
    # (frame, part (None: facility / implicit), rule indices, status matrix rows x rules, live mask)
    facility: _Frame
    parts: List[Tuple[_Frame, _Part]]  # every entity table's rows in the chunk
    context: Dict[str, _Col]  # per facility: as_of, alert
    region: _Col

    def as_of(self, p: int) -> dt.date:
        col = self.context["as_of"]
        return col.values[col.codes[p]]

    def alert(self, p: int) -> str:
        col = self.context["alert"]
        return col.values[col.codes[p]]


class _Run:
    """One pass of :func:`status_blocks` over a ledger's tables."""

    def __init__(self, cp: ColumnarProgram, tables: Sequence[Any], as_of: Optional[dt.date],
                 alert: Optional[str], show_all: bool, chunk: int) -> None:
        self.cp = cp
        self.as_of = as_of
        self.alert = alert
        self.show_all = show_all
        self.chunk = chunk
        self.today = dt.date.today()  # a record without a date is judged as of today (the row path's default)
        fac = [t for t in tables if t.section == "facility"]
        if len(fac) != 1:
            raise InputError([Problem(tables[0].source if tables else "<ledger>", 0, 0, "facility",
                                      f"a ledger needs exactly one facility table, found {len(fac)}")])
        self.fac = fac[0]
        self.tables = [t for t in tables if t.section != "facility"]
        # facility positions by id (a repeated id: every row of it goes to the row path)
        pos: Dict[str, int] = {}
        self.repeated: Dict[int, str] = {}
        for i, fid in enumerate(self.fac.facility_ids):
            if fid in pos:
                self.repeated[i] = f"facility id {fid!r} repeated"
                self.repeated[pos[fid]] = f"facility id {fid!r} repeated"
            else:
                pos[fid] = i
        self.pos = pos
        # per entity table: rows sorted by facility position (stable: row order kept); rows of
        # a facility not in the table are not this run's (check_ledger gives them to the reader)
        self.order: List[Tuple[Any, np.ndarray, np.ndarray]] = []
        for t in self.tables:
            fp = np.fromiter(map(pos.get, t.facility_ids, itertools.repeat(-1)), np.int64, len(t.facility_ids))
            rows = np.argsort(fp, kind="stable")
            rows = rows[fp[rows] >= 0]
            self.order.append((t, rows, fp[rows]))

    def blocks(self) -> Iterator[Block]:
        n = len(self.fac.facility_ids)
        for start in range(0, n, self.chunk):
            yield self.block(start, min(n, start + self.chunk))

    # -- one chunk -------------------------------------------------------
    def block(self, start: int, stop: int) -> Block:
        cp = self.cp
        m = stop - start
        fallback: Dict[int, str] = {}
        for i in range(start, stop):
            if i in self.repeated:
                fallback[i - start] = self.repeated[i]
        frows = np.arange(start, stop)
        fcols, ctx = self.columns(self.fac, "facility", frows, np.arange(m), fallback)
        facility = _Frame("facility", m, fcols, np.arange(m))
        # ids, regions, dates
        idcol = fcols.get("id")
        if idcol is None:
            bad_id = np.ones(m, bool)
        else:
            good = np.array([type(v) is str and bool(v.strip()) for v in idcol.values], dtype=bool)
            bad_id = ~good[idcol.codes]
        for p in np.flatnonzero(bad_id).tolist():
            fallback.setdefault(p, "facility id missing or empty")
        regcol = fcols.get("region")
        if regcol is None:
            regcol = _Col(np.zeros(m, np.int32), [None], [None], False)
        for p in np.flatnonzero(~regcol.view("known", _known)).tolist():
            fallback.setdefault(p, "no region")
        ctxcols = self.context(ctx, m, fallback)
        facility.context = ctxcols
        # entity tables
        parts: List[Tuple[_Frame, _Part]] = []
        present = {s: np.zeros(m, bool) for s in cp.singles}
        for t, rows, fp in self.order:
            lo, hi = np.searchsorted(fp, [start, stop])
            sel, pos = rows[lo:hi], fp[lo:hi] - start
            if t.section not in cp.vocab.sections:  # the row path names it (an unknown top-level key)
                for p in np.unique(pos).tolist():
                    fallback.setdefault(int(p), f"unknown entity kind {t.section!r}")
                parts.append((_Frame(t.section, len(sel), {}, pos, facility, ctxcols), _Part(t, sel, pos)))
                continue
            cols, _ = self.columns(t, t.section, sel, pos, fallback)
            if t.section in present:
                seen = present[t.section]
                counts = np.bincount(pos, minlength=m)
                for p in np.flatnonzero((counts > 1) | ((counts > 0) & seen)).tolist():
                    fallback.setdefault(int(p), f"{t.section} given more than once")
                seen |= counts > 0
            self.entity_ids(t, cols, pos, fallback)
            frame = _Frame(t.section, len(sel), cols, pos, facility, ctxcols)
            parts.append((frame, _Part(t, sel, pos)))
        # evaluate
        ordinals = ctxcols["as_of"].view("num", _nums).astype(np.int64)
        regions = (regcol.values, regcol.codes)
        ok = np.ones(m, bool)
        if fallback:
            ok[list(fallback)] = False
        frames = []
        plan = self.evaluate(facility, None, np.arange(m), ordinals, regions, ok)
        if plan is not None:
            frames.append(plan)
        for frame, part in parts:
            got = self.evaluate(frame, part, frame.fpos, ordinals, regions, ok)
            if got is not None:
                frames.append(got)
        for section in cp.singles:
            if section not in cp.sections:
                continue
            lacking = np.flatnonzero(~present[section] & ok)
            frame = _Frame(section, len(lacking), {}, lacking, facility, ctxcols, implicit=True)
            got = self.evaluate(frame, None, lacking, ordinals, regions, ok)
            if got is not None:
                frames.append(got)
        cov = cp.coverage
        cov.facilities_columnar += int(ok.sum())
        cov.rows_columnar += int(ok.sum()) + sum(int(ok[part.fpos].sum()) for _, part in parts)
        for why in fallback.values():
            cov.facilities_fallback[why] += 1
        ids = list(self.fac.facility_ids[start:stop])
        if idcol is not None:  # the facility's id as the row path reads it
            vals = idcol.values
            ids = [fid if p in fallback else vals[c] for p, (fid, c) in enumerate(zip(ids, idcol.codes.tolist()))]
        return Block(facility_rows=frows, ids=ids, fallback=fallback, frames=frames, facility=facility, parts=parts,
                     context=ctxcols, region=regcol)

    def columns(self, table: Any, section: str, rows: np.ndarray, pos: np.ndarray,
                fallback: Dict[int, str]) -> Tuple[Dict[str, _Col], Dict[str, _Col]]:
        """Typed columns of ``table``'s ``rows``; a cell the row path would
        refuse or warn about sends its facility (``pos``) to the row path."""
        cp = self.cp
        cols: Dict[str, _Col] = {}
        ctx: Dict[str, _Col] = {}
        spec = cp.vocab.sections[section]
        defaults = dict(spec.defaults)
        for name, column in table.columns.items():
            cells = _cells(column, rows)
            scope, field = section, name
            if section == "facility" and name in CONTEXT_FIELDS:  # the ledger's as_of, alert columns
                scope, field = "context", name
            parser = cp.parser(scope, field)
            if parser is None:
                if cells.count(None) != len(cells):  # written in an unknown column
                    codes = np.fromiter((c is not None for c in cells), bool, len(cells))
                    for p in np.unique(pos[codes]).tolist():
                        fallback.setdefault(int(p), f"unknown column {name!r}")
                continue
            default = defaults.get(field) if scope != "context" else None
            col = _Col.of_cells(cells, parser, default)
            if field in cp.read.get(scope, ()):
                col.encode()  # read by a rule: encoded now (validated as it is typed)
            if not col.validate():
                for p in np.unique(pos[np.isin(col.codes, col.bad)]).tolist():
                    fallback.setdefault(int(p), "a cell the row path refuses or warns about")
            (ctx if scope == "context" else cols)[field] = col
        for field, default in defaults.items():  # a defaulted field without a column
            if field not in cols:
                cols[field] = _Col(np.zeros(len(rows), np.int32), [default], [None], True)
        return cols, ctx

    def entity_ids(self, table: Any, cols: Dict[str, _Col], pos: np.ndarray, fallback: Dict[int, str]) -> None:
        if self.cp.vocab.sections[table.section].kind == "single":
            return
        idcol = cols.get("id")
        if idcol is None:
            for p in np.unique(pos).tolist():
                fallback.setdefault(int(p), f"{table.section} id missing or empty")
            return
        codes = idcol.codes
        good = np.array([type(v) is str and bool(v.strip()) for v in idcol.values], dtype=bool)
        for p in np.unique(pos[~good[codes]]).tolist():
            fallback.setdefault(int(p), f"{table.section} id missing or empty")
        pair = np.sort(pos.astype(np.int64) * (len(idcol.values) + 1) + codes)
        same = pair[1:] == pair[:-1]
        if same.any():  # an id twice in one facility's rows of this table
            for p in np.unique(pair[1:][same] // (len(idcol.values) + 1)).tolist():
                fallback.setdefault(int(p), f"{table.section} id repeated")

    def context(self, ctx: Dict[str, _Col], m: int, fallback: Dict[int, str]) -> Dict[str, _Col]:
        """Per facility: the date and alert level (the options, else the
        record's context columns, else today and the record format's default)."""
        vocab = self.cp.vocab
        if self.alert is not None and self.alert not in vocab.context_fields["alert"].values:
            for p in range(m):
                fallback.setdefault(p, "unknown alert level")
        out = {}
        for name, given, default in (("as_of", self.as_of, self.today),
                                     ("alert", self.alert, vocab.context_fields["alert"].default)):
            col = ctx.get(name)
            if given is not None or col is None:
                out[name] = _Col(np.zeros(m, np.int32), [given if given is not None else default], [None], False)
            else:  # unwritten: the default (a refused cell: its facility is on the row path)
                out[name] = _Col(col.codes, [default if v is None else v for v in col.values], col.parsed, False)
        return out

    def evaluate(self, frame: _Frame, part: Optional[_Part], fpos: np.ndarray, ordinals: np.ndarray,
                 regions: Tuple[List[Optional[str]], np.ndarray], ok: np.ndarray):
        """Status matrix (rows x the section's rules) of a frame's rows whose
        facility is columnar; rows of row-path facilities get no status."""
        cp = self.cp
        got = cp.sections.get(frame.section)
        if got is None or frame.n == 0:
            return None
        idx, fns = got
        rules = cp.program.rules
        as_of = ordinals[fpos]
        # live: the rule applies in the row's region and exists at its date
        codes, per_fac = regions
        table = np.zeros((len(codes), len(idx)), bool)  # per distinct region written
        for j, code in enumerate(codes):
            if code is not None:
                table[j] = cp.in_region(frame.section, code)
        mine = table[per_fac[fpos]] & ok[fpos][:, None]
        live = np.empty_like(mine)
        for k, i in enumerate(idx.tolist()):
            rule = rules[i]
            exists = as_of >= rule.in_force_from.toordinal()
            if rule.until is not None:
                exists &= as_of <= rule.until.toordinal()
            live[:, k] = exists
        live &= mine
        st = np.zeros((frame.n, len(idx)), np.int8)
        for k, fn in enumerate(fns):
            col = live[:, k]
            if not col.any():
                continue
            if fn is None:
                st[:, k] = self.row_path(frame, part, int(idx[k]), col, fpos)
            else:
                st[:, k] = np.where(col, fn(frame, as_of), 0)
        if self.show_all:
            st[mine & ~live] = _NA  # rules of the region not in force at the date
        else:
            st[st == _NA] = 0
        return frame, part, idx, st, live

    def row_path(self, frame: _Frame, part: Optional[_Part], i: int, rows: np.ndarray, fpos: np.ndarray) -> np.ndarray:
        """A rule the columnar compiler does not cover: the interpreter, row by row."""
        from .evaluate import verdict

        rule = self.cp.program.rules[i]
        out = np.zeros(frame.n, np.int8)
        for r in np.flatnonzero(rows).tolist():
            e = _values(frame, r)[0] if not frame.implicit else {}
            f = _values(frame.facility or frame, int(fpos[r]))[0]
            c = {k: col.values[col.codes[int(fpos[r])]] for k, col in frame.context.items()}
            as_of = c["as_of"]
            out[r] = STATUS_CODES[verdict(rule, (e, f, c), as_of, frame.implicit).status]
        return out


def _values(frame: _Frame, r: int) -> Tuple[Dict[str, Any], Dict[str, Any], frozenset]:
    """One row's typed values, as the row path's :class:`Entity` holds them."""
    table = frame.rows_view()
    values: Dict[str, Any] = {}
    written: Dict[str, Any] = {}
    defaulted = []
    for name, codes, vals, parsed in table:
        code = codes[r]
        v = vals[code]
        if v is None:
            continue
        values[name] = v
        if code == 0:
            defaulted.append(name)
        else:
            p = parsed[code]
            if p is not None:
                written[name] = p
    return values, written, frozenset(defaulted)


def status_blocks(ev: Any, tables: Sequence[Any], *, as_of: Optional[dt.date] = None, alert: Optional[str] = None,
                  show_all: bool = False, chunk: int = CHUNK, program: Optional[ColumnarProgram] = None
                  ) -> Iterator[Block]:
    """The ledger's statuses, chunk by chunk, as status matrices (the
    columnar hot path: no per-row Python but building the columns)."""
    cp = program or columnar_program(ev)
    return _Run(cp, tables, as_of, alert, show_all, chunk).blocks()


def block_statuses(block: Block, rules: Sequence[Any]) -> Dict[int, List[Tuple[int, str, str, str]]]:
    """Per columnar facility (chunk position): (rule index, section, entity
    id, status) in the row kernel's order."""
    out: Dict[int, List[Tuple[int, str, str, str]]] = {p: [] for p in range(len(block.ids)) if p not in block.fallback}
    vocab = vocabulary()
    order = {name: i for i, name in enumerate(vocab.sections)}
    ids = np.array(block.ids, dtype=object)
    # the row path's order: facility, written sections in the record format's order, implicit sections
    frames = sorted(block.frames, key=lambda item: (item[0].section != "facility", item[0].implicit,
                                                     order[item[0].section]))
    for frame, part, idx, st, live in frames:
        rr, kk = np.nonzero(st)
        if rr.size == 0:
            continue
        # within a frame: row, then live rules, then dormant ones (show_all)
        j = np.lexsort((kk, ~live[rr, kk], rr))
        rr, kk = rr[j], kk[j]
        fpos = frame.fpos[rr]
        if part is None or vocab.sections[frame.section].kind == "single":
            eids = ids[fpos]
        else:
            col = frame.cols["id"]
            eids = np.array(col.values, dtype=object)[col.codes[rr]]
        section = frame.section
        rule_index = idx[kk].tolist()
        names = [STATUS_OF[c] or "" for c in st[rr, kk].tolist()]
        for p, i, eid, status in zip(fpos.tolist(), rule_index, eids.tolist(), names):
            out[p].append((i, section, eid, status))
    return out


# ------------------------------------------------------------------ reports

def _colnum(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
    return n


def check_tables(ev: Any, tables: Sequence[Any], *, as_of: Optional[dt.date] = None, alert: Optional[str] = None,
                 show_all: bool = False, chunk: int = CHUNK, program: Optional[ColumnarProgram] = None
                 ) -> Iterator[Union[RecordReport, Any]]:
    """Per facility, in ledger order, its :class:`RecordReport` (or a
    :class:`~compliance.api.Failure`), equal to the row path's: the tables
    of a ledger (:class:`compliance.ledger.Table`) without reader problems
    (:func:`check_ledger` of a :class:`~compliance.ledger.Ledger`)."""
    from .ledger import Ledger

    source = next((t.source for t in tables if t.section == "facility"), tables[0].source if tables else "<ledger>")
    return check_ledger(ev, Ledger(source, tuple(tables), ()), as_of=as_of, alert=alert, show_all=show_all,
                        chunk=chunk, program=program)


def check_ledger(ev: Any, led: Any, *, as_of: Optional[dt.date] = None, alert: Optional[str] = None,
                 show_all: bool = False, chunk: int = CHUNK, program: Optional[ColumnarProgram] = None
                 ) -> Iterator[Union[RecordReport, Any]]:
    """What the row path gives for a :class:`~compliance.ledger.Ledger`
    (``iter_records`` and the evaluator), item for item, in its order:
    the ledger's own problems first, then per facility id (in order of
    first appearance) its report or Failure."""
    for item in ledger_items(ev, led, as_of=as_of, alert=alert, show_all=show_all, chunk=chunk, program=program):
        if isinstance(item, Document):  # the row path
            try:
                facts = facts_of(item, as_of=as_of, alert=alert)
                item = _report(facts, ev.lazy_findings(facts, show_all=show_all))
            except InputError as exc:
                item = _failure(item.source, exc.problems)
        yield item


def _failure(source: str, problems: Sequence[Problem]) -> Any:
    from .api import Failure

    return Failure(source, tuple(problems))


def ledger_items(ev: Any, led: Any, *, as_of: Optional[dt.date] = None, alert: Optional[str] = None,
                 show_all: bool = False, chunk: int = CHUNK, program: Optional[ColumnarProgram] = None
                 ) -> Iterator[Union[RecordReport, Any, Document]]:
    """:func:`check_ledger`'s items before the row path: a facility the
    columnar path does not judge is its record (a
    :class:`~compliance.ledger.LedgerDocument`, grouped by
    :class:`compliance.ledger.Grouping`, the row path's own grouping), to be
    checked by the row path (``compliance.api`` does, so that a bug costs
    only that record). A facility the ledger reader found a problem in, one
    with no or more than one facility row, and every facility of a ledger
    without exactly one facility table are the reader's (``Grouping.record``)."""
    from .ledger import Grouping

    grouping = Grouping(led)
    if grouping.failure is not None:
        yield grouping.failure
    fac_tables = [t for t in led.tables if t.section == "facility"]
    if len(fac_tables) != 1:
        for fid in grouping.order:
            yield grouping.record(fid)
        return
    fac = fac_tables[0]
    counts = Counter(fac.facility_ids)
    flagged = led.by_facility
    clean = [fid for fid in grouping.order if counts.get(fid) == 1 and fid not in flagged]
    if len(clean) != len(fac.facility_ids) or clean != list(fac.facility_ids):
        pos = {fid: i for i, fid in enumerate(fac.facility_ids)}
        idx = [pos[fid] for fid in clean]
        fac = attrs.evolve(fac, facility_ids=tuple(clean), rows=tuple(fac.rows[i] for i in idx),
                           columns={k: tuple(v[i] for i in idx) for k, v in fac.columns.items()})
    if fac.source != led.source:  # a CSV folder: reports name the ledger, as the row path's records do
        fac = attrs.evolve(fac, source=led.source)
    if not clean:
        columnar: Iterator[Any] = iter(())
    else:
        cp = program or columnar_program(ev)
        run = _Run(cp, [fac, *(t for t in led.tables if t.section != "facility")], as_of, alert, show_all, chunk)
        columnar = _reports(ev, run, grouping)
    wanted = set(clean)
    for fid in grouping.order:
        yield next(columnar) if fid in wanted else grouping.record(fid)


def _reports(ev: Any, run: "_Run", grouping: Any) -> Iterator[Union[RecordReport, Document]]:
    """Per facility of ``run``'s facility table (none repeated), in order:
    its columnar report, or its record for the row path."""
    cp = run.cp
    for block in run.blocks():
        statuses = block_statuses(block, cp.program.rules)
        bounds = [np.searchsorted(part.fpos, np.arange(len(block.ids) + 1)) for _, part in block.parts]
        for p, frow in enumerate(block.facility_rows.tolist()):
            if p in block.fallback:
                yield grouping.record(run.fac.facility_ids[frow])
                continue
            facts = _facts(run, block, p, frow, bounds)
            yield _report(facts, _findings(ev, facts, statuses[p]))


def _findings(ev: Any, facts: Facts, statuses: List[Tuple[int, str, str, str]]) -> LazyFindings:
    """The report-ordered findings of columnar statuses, built when read by
    :meth:`Evaluator.explain` (which re-derives each status)."""
    from .evaluate import _sort_key

    rules = ev.program.rules
    by_key = {(e.section, e.id): e for e in facts.entities}
    by_key[("facility", facts.facility.id)] = facts.facility
    entries = []
    for i, section, eid, status in statuses:
        entity = by_key.get((section, eid))
        if entity is None:  # a single section the record lacks
            entity = by_key[(section, eid)] = facts.implicit_entity(section)
        entries.append((rules[i], entity, status))
    entries.sort(key=_sort_key)
    return LazyFindings(tuple(entries), lambda entry: ev.explain(facts, *entry))


def _report(facts: Facts, findings: Any) -> RecordReport:
    fac = {"id": facts.facility.id, "name": facts.name, "region": facts.region.code,
           "status": facts.facility.values.get("status")}  # as compliance.api's: None is written as null
    return RecordReport(facts.source, fac, facts.as_of.isoformat(), findings, facts.warnings, facts.alert)


def _facts(run: _Run, block: Block, p: int, frow: int, bounds: List[np.ndarray]) -> Facts:
    """A columnar facility's :class:`Facts`, from its typed column values."""
    cp = run.cp
    values, written, defaulted = _values(block.facility, p)
    facility = Entity("facility", block.ids[p], values, written, defaulted, run.fac.rows[frow])
    entities: List[Entity] = []
    present = set()
    order = sorted(range(len(block.parts)), key=lambda j: cp.section_order.get(block.parts[j][0].section, 99))
    for j in order:
        frame, part = block.parts[j]
        lo, hi = int(bounds[j][p]), int(bounds[j][p + 1])
        if lo == hi:
            continue
        single = cp.vocab.sections[frame.section].kind == "single"
        rows = part.table.rows
        for r in range(lo, hi):
            v, w, d = _values(frame, r)
            entities.append(Entity(frame.section, block.ids[p] if single else v["id"], v, w, d,
                                   rows[int(part.rows[r])]))
            present.add(frame.section)
    implicit = tuple(s for s in cp.singles if s not in present)
    as_of, alert = block.as_of(p), block.alert(p)
    ctx = {"as_of": as_of, "alert": alert}
    region = block.region.values[block.region.codes[p]]
    return Facts(run.fac.source, as_of, alert, cp.vocab.regions[region], facility,
                 tuple(entities), ctx, (), values.get("name"), implicit)
