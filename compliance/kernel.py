"""Rule kernels: each entity kind's rules, generated into one Python function.

The compiled condition tree (:mod:`compliance.conditions`) is the one source
of a rule's meaning. The interpreter walks it and explains; this module walks
it once per ruleset selection and *generates* Python source that computes
only what the hot path needs -- (rule, entity, status) -- with no explanation
objects, no attribute look-ups on condition nodes and no per-pair function
calls but the status decision (:func:`compliance.status.decide`, the same
function the interpreter uses). The primitive meanings come from
:mod:`compliance.operators` (the operator table, :func:`stage_truth`,
:func:`correct_oxygen`), so a kernel cannot drift from the interpreter; the
differential test (``tests/test_differential.py``) holds kernel,
interpreter and durable_rules equal.

Generated code is meant to be read and debugged, as attrs and
fastjsonschema do it:

* one function per entity kind, one commented block per rule, with the
  rule id and the condition in words;
* every value a rule supplies (limits, member values, dates) reaches the
  code through the function's globals (``L0``, ``L1`` ...), never as pasted
  text, so no string in a ruleset can become code; field names, which the
  record format defines, appear as string literals (``repr``);
* the source is registered in :mod:`linecache` under a unique file name, so
  tracebacks, ``pdb`` and ``inspect.getsource`` show it;
  ``compliance kernel --dump`` prints it.

A kernel function has the signature ``(e, f, c, as_of, implicit, show_all,
out, ent)``: the entity's, the facility's and the context's normalised
values (dicts), the date, whether the entity is a single-mapping section the
record lacks, whether not_applicable statuses are wanted, the list it appends
``(rule index, ent, status)`` to, and the entity. A kernel is generated per
entity kind and per set of rules -- those that apply in the record's region
and exist at its date (:meth:`KernelProgram.plan`) -- so it tests no
jurisdiction and no date of existence at run time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import linecache
import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from .conditions import All, AnyOf, Compare, Cond, FieldRef, Includes, Known, Member, Not
from .operators import OPERATORS, correct_oxygen, stage_truth
from .status import DECISION_NAMES, NOT_APPLICABLE, decision_source

__all__ = ["KernelProgram", "generate_section", "condition_function", "KernelMatcher"]

_SCOPE_VAR = {"entity": "e", "facility": "f", "context": "c"}
_serial = itertools.count()
_EMPTY: Mapping[str, Any] = {}


class _Miss:
    """Marks an oxygen-corrected value not computed yet (see _RuleGen.corrected)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISS"


_MISS = _Miss()
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Writer:
    """Source lines with indentation, constants and fresh names."""

    def __init__(self) -> None:
        self.lines: List[str] = []
        self.globals: Dict[str, Any] = {}
        self._const_ids: Dict[Tuple[type, Any], str] = {}
        self._tmp = itertools.count()

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def const(self, value: Any) -> str:
        """A global name holding ``value`` (equal constants share one name)."""
        # the element types too: (True,) and (1,) are equal but not the same constant
        inner = tuple(type(x) for x in value) if isinstance(value, (tuple, frozenset)) else None
        key: Any = (type(value), inner, value)
        name = self._const_ids.get(key)
        if name is None:
            name = self._const_ids[key] = f"L{len(self._const_ids)}"
            self.globals[name] = value
        return name

    def tmp(self, prefix: str = "t") -> str:
        return f"{prefix}{next(self._tmp)}"


def _comment(text: str) -> str:
    """Text safe to put after ``#``: repr-escaped, never a line break."""
    return repr(text)[1:-1]


class _RuleGen:
    """Generates the code of one rule's conditions (reads cached per rule)."""

    def __init__(self, w: _Writer, reads: Optional[Dict[Tuple[str, str, Optional[float]], str]] = None):
        self.w = w
        self.reads: Dict[Tuple[str, str, Optional[float]], str] = {} if reads is None else reads

    def prepare(self, conds: Sequence[Optional[Cond]], indent: int) -> None:
        """Read every field the conditions use, once, before any test (a
        read inside a short-circuited branch would leave it unset). An
        oxygen-corrected value starts as ``MISS`` and is computed where a
        comparison first needs it (:meth:`corrected`), once per entity."""
        for cond in conds:
            if cond is not None:
                for ref in cond.refs():
                    self._load(ref, indent)

    def read(self, ref: FieldRef, indent: int) -> str:
        """The local holding the field's value (see :meth:`prepare`)."""
        return self.reads[(ref.scope, ref.name, ref.oxygen_reference)]

    def _plain(self, scope: str, name: str, indent: int) -> str:
        key = (scope, name, None)
        var = self.reads.get(key)
        if var is None:
            var = self.reads[key] = self.w.tmp("v")
            self.w.emit(indent, f"{var} = {_SCOPE_VAR[scope]}.get({name!r})")
        return var

    def _load(self, ref: FieldRef, indent: int) -> None:
        """Emit the read of one field, once (its oxygen-corrected value: the
        raw reads, and a ``MISS`` marker)."""
        key = (ref.scope, ref.name, ref.oxygen_reference)
        if key in self.reads:
            return
        if ref.oxygen_reference is None:
            self._plain(ref.scope, ref.name, indent)
            return
        self._plain(ref.scope, ref.name, indent)
        self._plain(ref.scope, ref.o2_name, indent)
        var = self.reads[key] = self.w.tmp("x")
        self.w.emit(indent, f"{var} = MISS")

    def corrected(self, ref: FieldRef, indent: int) -> str:
        """Emit, where a comparison needs it, the computation of an
        oxygen-corrected value not yet computed for this entity."""
        var = self.read(ref, indent)
        raw = self.reads[(ref.scope, ref.name, None)]
        o2 = self.reads[(ref.scope, ref.o2_name, None)]
        ref_name = self.w.const(ref.oxygen_reference)
        self.w.emit(indent, f"if {var} is MISS:")
        self.w.emit(indent + 1, f"{var} = None if {raw} is None or {o2} is None "
                                f"else correct_oxygen({raw}, {o2}, {ref_name})")
        return var

    def cond(self, c: Cond, indent: int) -> str:
        """Emit code computing ``c``'s three-valued truth; return its local."""
        method = getattr(self, "gen_" + type(c).__name__, None)
        if method is None:
            raise TypeError(f"no kernel generator for condition node {type(c).__name__}")
        return method(c, indent)

    # -- one generator per node kind -----------------------------------------

    def _leaf(self, c: Cond, v: str, test: str, indent: int, note: str = "") -> str:
        """A test on one field's value ``v``: unknown when it is missing."""
        t = self.w.tmp()
        self.w.emit(indent, f"# {_comment(c.describe('en'))}{note}")
        self.w.emit(indent, f"{t} = None if {v} is None else {test}")
        return t

    def gen_Compare(self, c: Compare, indent: int) -> str:
        v = self.read(c.ref, indent) if c.ref.oxygen_reference is None else self.corrected(c.ref, indent)
        limit = self.w.const(c.limit.value)
        if c.ref.spec.type == "stage":
            test = f"stage_truth({self.w.const(c.op)}, {v}.lo, {v}.hi, {limit})"
        else:
            test = f"{v} {OPERATORS[c.op].python} {limit}"
        return self._leaf(c, v, test, indent)

    def gen_Member(self, c: Member, indent: int) -> str:
        v = self.read(c.ref, indent)
        if len(c.values) == 1 and type(c.values[0]) in (str, bool, int):
            # one value of a plain type: `in (x,)` is `== x` (no NaN among them)
            return self._leaf(c, v, f"{v} == {self.w.const(c.values[0])}", indent)
        return self._leaf(c, v, f"{v} in {self.w.const(tuple(c.values))}", indent)

    def gen_Includes(self, c: Includes, indent: int) -> str:
        v = self.read(c.ref, indent)
        values = self.w.const(frozenset(c.values))
        test = f"not {values}.isdisjoint({v})" if c.mode == "any" else f"{values}.issubset({v})"
        return self._leaf(c, v, test, indent, f" ({c.mode})")

    def gen_Known(self, c: Known, indent: int) -> str:
        v = self.read(c.ref, indent)
        t = self.w.tmp()
        self.w.emit(indent, f"{t} = {v} is {'not ' if c.want else ''}None")
        return t

    def gen_Not(self, c: Not, indent: int) -> str:
        inner = self.cond(c.child, indent)
        t = self.w.tmp()
        self.w.emit(indent, f"{t} = None if {inner} is None else not {inner}")
        return t

    def _junction(self, children: Sequence[Cond], indent: int, decisive: bool) -> str:
        """all (decisive False) / any (decisive True): stop at the first
        decisive child; otherwise unknown if any child is unknown."""
        t = self.w.tmp()
        self.w.emit(indent, f"{t} = {not decisive}")
        self.w.emit(indent, "while True:")
        for child in children:
            x = self.cond(child, indent + 1)
            self.w.emit(indent + 1, f"if {x} is {decisive}:")
            self.w.emit(indent + 2, f"{t} = {decisive}")
            self.w.emit(indent + 2, "break")
            self.w.emit(indent + 1, f"if {x} is None:")
            self.w.emit(indent + 2, f"{t} = None")
        self.w.emit(indent + 1, "break")
        return t

    def gen_All(self, c: All, indent: int) -> str:
        return self._junction(c.children, indent, False)

    def gen_AnyOf(self, c: AnyOf, indent: int) -> str:
        return self._junction(c.children, indent, True)


def generate_section(section: str, rules: Sequence[Tuple[int, Any]],
                     dormant: Sequence[int] = ()) -> Tuple[str, Dict[str, Any], str]:
    """Source, constants and function name of the kernel for ``section``.

    ``rules``: (program index, compiled rule) of the rules to judge -- those
    that exist at the date and apply in the region, for a record's kernel;
    ``dormant``: the indices of the region's rules that do not exist at the
    date (reported not_applicable with ``show_all``). The fields the rules
    read are read once, at the top; each rule's block tests its conditions,
    then decides (the lines come from
    :func:`compliance.status.decision_source`) and appends
    ``(rule index, ent, status)``.
    """
    w = _Writer()
    name = "kernel_" + "".join(ch if ch.isalnum() else "_" for ch in section)
    w.emit(0, f"def {name}(e, f, c, as_of, implicit, show_all, out, ent):")
    w.emit(1, f'"""{len(rules)} rules on {section!r}: appends (rule index, ent, status)."""')
    shared: Dict[Tuple[str, str, Optional[float]], str] = {}
    top = _RuleGen(w, shared)
    conds = [c for _, rule in rules for c in (rule.when, rule.require, rule.unless.condition if rule.unless else None)]
    top.prepare(conds, 1)
    # a `when` several rules share (the coal, oil and gas limits of one
    # fuel) is computed once per entity: a local starting as MISS
    counts: Dict[str, int] = {}
    for _, rule in rules:
        if rule.when is not None:
            counts[repr(rule.when)] = counts.get(repr(rule.when), 0) + 1
    shared_when: Dict[str, str] = {}
    for text, n in counts.items():
        if n > 1:
            shared_when[text] = var = w.tmp("w")
            w.emit(1, f"{var} = MISS")
    for index, rule in rules:
        g = _RuleGen(w, dict(shared))
        w.emit(1, f"# -- rule {index}: {_comment(rule.id)}")
        g.prepare((rule.when, rule.require, rule.unless.condition if rule.unless else None), 1)
        if rule.when is not None and repr(rule.when) in shared_when:
            wt = shared_when[repr(rule.when)]
            w.emit(1, f"if {wt} is MISS:")
            w.emit(2, f"{wt} = {g.cond(rule.when, 2)}")
            w.emit(1, f"if {wt} is False or (implicit and {wt} is not True):")
        elif rule.when is not None:
            wt = g.cond(rule.when, 1)
            # a section the record lacks is judged only where `when` holds
            w.emit(1, f"if {wt} is False or (implicit and {wt} is not True):")
        else:
            wt = "True"
            w.emit(1, "if implicit:")
        w.emit(2, "if show_all:")
        w.emit(3, f"out.append(({index}, ent, NA))")
        w.emit(1, "else:")
        if rule.review is not None:  # a manual-review item: nothing required
            for line in decision_source(wt, "None", "False", None, None, review=True):
                w.emit(2, line)
            w.emit(2, f"out.append(({index}, ent, st))")
            continue
        rt = g.cond(rule.require, 2)
        if rule.unless is not None:
            ut = w.tmp("u")
            w.emit(2, f"if {rt} is True:")
            w.emit(3, f"{ut} = False")
            w.emit(2, "else:")
            x = g.cond(rule.unless.condition, 3)
            w.emit(3, f"{ut} = {x}")
        else:
            ut = "False"
        eff = w.const(rule.effective_from) if rule.effective_from is not None else None
        deadline = w.const(rule.deadline) if rule.deadline is not None else None
        for line in decision_source(wt, rt, ut, eff, deadline):
            w.emit(2, line)
        w.emit(2, f"out.append(({index}, ent, st))")
    if dormant:
        w.emit(1, "# -- rules of the region that do not exist at the date")
        w.emit(1, "if show_all:")
        for index in dormant:
            w.emit(2, f"out.append(({index}, ent, NA))")
    if not rules and not dormant:
        w.emit(1, "return")
    w.globals.update(NA=NOT_APPLICABLE, stage_truth=stage_truth, correct_oxygen=correct_oxygen, MISS=_MISS,
                     **DECISION_NAMES)
    return _closed(w, name), w.globals, name


def _closed(w: _Writer, name: str) -> str:
    """The function's source inside a maker that takes the constants as
    arguments: the body reads them as closure cells (a fast local load)
    rather than dictionary look-ups in its globals, and the kernel's own
    signature stays short. The maker is called with the globals' values
    by :func:`_compile`."""
    used = set(_NAME.findall("\n".join(line for line in w.lines if not line.lstrip().startswith("#"))))
    names = sorted((n for n in w.globals if n in used), key=lambda n: (n[0] != "L", len(n), n))
    lines = [f"def make_{name}({', '.join(names)}):"] + ["    " + line for line in w.lines] + [f"    return {name}"]
    return "\n".join(lines) + "\n"


def condition_function(cond: Cond) -> Callable[[Mapping, Mapping, Mapping], Optional[bool]]:
    """One condition generated alone: ``fn(e, f, c)`` -> its three-valued
    truth, by the same generator as the kernels (for the differential test
    and for reading what a condition becomes)."""
    w = _Writer()
    w.emit(0, "def condition(e, f, c):")
    g = _RuleGen(w)
    g.prepare((cond,), 1)
    t = g.cond(cond, 1)
    w.emit(1, f"return {t}")
    w.globals.update(stage_truth=stage_truth, correct_oxygen=correct_oxygen, MISS=_MISS)
    return _compile(_closed(w, "condition"), w.globals, "condition", "condition")


def _compile(source: str, namespace: Dict[str, Any], name: str, label: str) -> Callable:
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    filename = f"<compliance-kernel {label} {digest}-{next(_serial)}>"
    code = compile(source, filename, "exec")
    exec(code, namespace)  # our own generated source: values come in through `namespace`
    # make tracebacks, pdb and inspect.getsource show the generated code
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    maker = namespace.get("make_" + name)
    if maker is None:
        return namespace[name]
    params = maker.__code__.co_varnames[:maker.__code__.co_argcount]
    return maker(*(namespace[p] for p in params))


class _Slot:
    """One entity kind's kernel in a plan: its key (kind, live rules,
    dormant rules) and, once compiled, the function."""

    __slots__ = ("key", "fn", "implicit")

    def __init__(self, key: Tuple[str, Tuple[int, ...], Tuple[int, ...]], implicit: bool) -> None:
        self.key = key
        self.fn: Optional[Callable] = None
        #: whether a live rule can speak of the kind when the record lacks
        #: it: only one with a `when` (see status.applies_to_implicit)
        self.implicit = implicit


class KernelProgram:
    """The kernels of a :class:`~compliance.engine.Program`, generated and
    compiled on first use of each entity kind."""

    def __init__(self, program: Any) -> None:
        self.program = program
        #: kernels by (entity kind, indices of the rules judged, indices of the dormant ones)
        self._fns: Dict[Tuple[str, Tuple[int, ...], Tuple[int, ...]], Callable] = {}
        self._sources: Dict[Tuple[str, Tuple[int, ...], Tuple[int, ...]], str] = {}
        self._plans: Dict[Tuple[int, str], Dict[str, _Slot]] = {}
        # a rule exists from in_force_from to until: between two of these
        # dates, which rules exist does not change (plans are cached per
        # such interval and region, so their number is bounded)
        edges = set()
        for rule in program.rules:
            edges.add(rule.in_force_from)
            if rule.until is not None and rule.until < dt.date.max:  # until 9999-12-31: never ends
                edges.add(rule.until + dt.timedelta(days=1))
        self._edges = sorted(edges)
        self._last: Tuple[Any, Any, Any] = (None, None, None)

    def source(self, section: str, constants: bool = False) -> str:
        """The generated source of ``section``'s kernel over all its rules
        (with ``constants``, followed by the values its constants ``L0``,
        ``L1`` ... hold, as comments)."""
        key = (section, tuple(self.program.by_section.get(section, ())), ())
        fn = self._function(key)
        src = self._sources[key]
        if constants:
            cells = dict(zip(fn.__code__.co_freevars, (c.cell_contents for c in fn.__closure__ or ())))
            names = sorted((k for k in cells if k[:1] == "L" and k[1:].isdigit()), key=lambda k: int(k[1:]))
            src += "".join(f"# {k} = {_comment(repr(cells[k]))}\n" for k in names)
        return src

    def sections(self) -> List[str]:
        return sorted(self.program.by_section)

    def function(self, section: str) -> Callable:
        """The kernel judging all of ``section``'s rules."""
        return self._function((section, tuple(self.program.by_section.get(section, ())), ()))

    def _function(self, key: Tuple[str, Tuple[int, ...], Tuple[int, ...]]) -> Callable:
        fn = self._fns.get(key)
        if fn is None:
            section, idx, dormant = key
            src, namespace, name = generate_section(section, [(i, self.program.rules[i]) for i in idx], dormant)
            fn = _compile(src, namespace, name, section)
            self._sources[key] = src
            self._fns[key] = fn
        return fn

    def _fill(self, slot: "_Slot") -> Callable:
        slot.fn = self._function(slot.key)
        return slot.fn

    def plan(self, as_of: dt.date, region) -> Dict[str, "_Slot"]:
        """Per entity kind, the key of the kernel for a record in ``region``
        at ``as_of``: the rules that apply in the region (their jurisdiction
        contains it) and exist at the date, and those of the region that do
        not exist then. A record never pays for another district's rules, or
        for rules not yet issued or ended."""
        last = self._last
        if last[0] == as_of and last[1] is region:  # a batch often has one date and region
            return last[2]
        key = (bisect.bisect_right(self._edges, as_of), region.code)
        found = self._plans.get(key)
        if found is None:
            chain = region.chain
            rules, jur = self.program.rules, self.program.jurisdictions
            found = {}
            for section, idx in self.program.by_section.items():
                mine = [i for i in idx if jur[i] in chain]
                if mine:
                    live = tuple(i for i in mine if rules[i].in_force(as_of))
                    found[section] = _Slot((section, live, tuple(i for i in mine if i not in live)),
                                           any(rules[i].when is not None for i in live))
            self._plans[key] = found
        self._last = (as_of, region, found)
        return found

    def statuses(self, facts, show_all: bool = False) -> List[Tuple[int, Any, str]]:
        """(rule index, entity, status) of every pair that is not
        not_applicable (all pairs in the region with ``show_all``)."""
        plan = self.plan(facts.as_of, facts.region)
        f = facts.facility.values
        c = facts.context
        as_of = facts.as_of
        out: List[Tuple[int, Any, str]] = []
        entity = facts.facility
        slot = plan.get(entity.section)
        if slot is not None:
            (slot.fn or self._fill(slot))(entity.values, f, c, as_of, False, show_all, out, entity)
        for entity in facts.entities:
            slot = plan.get(entity.section)
            if slot is not None:
                (slot.fn or self._fill(slot))(entity.values, f, c, as_of, False, show_all, out, entity)
        buf: List[Tuple[int, Any, str]] = []
        for section in facts.implicit:  # the entity is built only if a rule speaks of it
            slot = plan.get(section)
            if slot is None or not (show_all or slot.implicit):
                continue
            (slot.fn or self._fill(slot))(_EMPTY, f, c, as_of, True, show_all, buf, None)
            if buf:
                entity = facts.implicit_entity(section)
                out.extend((i, entity, st) for i, _, st in buf)
                buf.clear()
        return out


class KernelMatcher:
    """The kernel as a matcher: selects and decides in one pass."""

    name = "kernel"

    def __init__(self, program: Any) -> None:
        self.program = program
        self.kernels = KernelProgram(program)
        self.statuses = self.kernels.statuses
