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

A kernel function has the signature ``(e, f, c, act, as_of, implicit,
show_all, out)``: the entity's, the facility's and the context's normalised
values (dicts), the activity of each of the kernel's rules for this record
(1 not in force at the date, 2 active: :meth:`KernelProgram.plan`; a kernel
holds only the rules that apply in the record's region), the date, whether the entity
is a single-mapping section the record lacks, whether not_applicable
statuses are wanted, and the list it appends ``(rule index, status)`` to.
"""

from __future__ import annotations

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

    def prepare(self, conds: Sequence[Optional[Cond]], indent: int, plain_only: bool = False) -> None:
        """Read every field the conditions use, once, before any test (a
        read inside a short-circuited branch would leave it unset);
        ``plain_only``: not the oxygen-corrected ones (computed per rule)."""
        for cond in conds:
            if cond is not None:
                for ref in cond.refs():
                    if not (plain_only and ref.oxygen_reference is not None):
                        self._load(ref, indent)

    def read(self, ref: FieldRef, indent: int) -> str:
        """The local holding the field's value (see :meth:`prepare`)."""
        return self.reads[(ref.scope, ref.name, ref.oxygen_reference)]

    def _load(self, ref: FieldRef, indent: int) -> None:
        """Emit the read of one field (oxygen-corrected where the reference
        asks for it), once per rule."""
        key = (ref.scope, ref.name, ref.oxygen_reference)
        if key in self.reads:
            return
        var = self.reads[key] = self.w.tmp("v")
        scope = _SCOPE_VAR[ref.scope]
        if ref.oxygen_reference is None:
            self.w.emit(indent, f"{var} = {scope}.get({ref.name!r})")
        else:
            o2 = self.w.tmp("o")
            self.w.emit(indent, f"{var} = {scope}.get({ref.name!r})")
            self.w.emit(indent, f"{o2} = {scope}.get({ref.o2_name!r})")
            ref_name = self.w.const(ref.oxygen_reference)
            self.w.emit(indent, f"{var} = None if {var} is None or {o2} is None "
                                f"else correct_oxygen({var}, {o2}, {ref_name})")

    def cond(self, c: Cond, indent: int) -> str:
        """Emit code computing ``c``'s three-valued truth; return its local."""
        method = getattr(self, "gen_" + type(c).__name__, None)
        if method is None:
            raise TypeError(f"no kernel generator for condition node {type(c).__name__}")
        return method(c, indent)

    # -- one generator per node kind -----------------------------------------

    def gen_Compare(self, c: Compare, indent: int) -> str:
        v = self.read(c.ref, indent)
        t = self.w.tmp()
        limit = self.w.const(c.limit.value)
        self.w.emit(indent, f"# {_comment(c.describe('en'))}")
        if c.ref.spec.type == "stage":
            op = self.w.const(c.op)
            self.w.emit(indent, f"{t} = None if {v} is None else stage_truth({op}, {v}.lo, {v}.hi, {limit})")
        else:
            self.w.emit(indent, f"{t} = None if {v} is None else {v} {OPERATORS[c.op].python} {limit}")
        return t

    def gen_Member(self, c: Member, indent: int) -> str:
        v = self.read(c.ref, indent)
        t = self.w.tmp()
        values = self.w.const(tuple(c.values))
        self.w.emit(indent, f"# {_comment(c.describe('en'))}")
        self.w.emit(indent, f"{t} = None if {v} is None else {v} in {values}")
        return t

    def gen_Includes(self, c: Includes, indent: int) -> str:
        v = self.read(c.ref, indent)
        t = self.w.tmp()
        values = self.w.const(frozenset(c.values))
        self.w.emit(indent, f"# {_comment(c.describe('en'))} ({c.mode})")
        test = f"not {values}.isdisjoint({v})" if c.mode == "any" else f"{values}.issubset({v})"
        self.w.emit(indent, f"{t} = None if {v} is None else {test}")
        return t

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


def generate_section(section: str, rules: Sequence[Tuple[int, Any]]) -> Tuple[str, Dict[str, Any], str]:
    """Source, globals and function name of the kernel for ``section``.

    ``rules``: (program index, compiled rule) of every rule on this kind.
    The fields the rules read are read once, at the top; each rule's block
    tests its activity, its conditions, then decides (the lines come from
    :func:`compliance.status.decision_source`) and appends
    ``(rule index, ent, status)``.
    """
    w = _Writer()
    name = "kernel_" + "".join(ch if ch.isalnum() else "_" for ch in section)
    w.emit(0, f"def {name}(e, f, c, act, as_of, implicit, show_all, out, ent):")
    w.emit(1, f'"""Every rule on {section!r}: appends (rule index, ent, status)."""')
    shared: Dict[Tuple[str, str, Optional[float]], str] = {}
    top = _RuleGen(w, shared)
    conds = [c for _, rule in rules for c in (rule.when, rule.require, rule.unless.condition if rule.unless else None)]
    top.prepare(conds, 1, plain_only=True)
    if not rules:
        w.emit(1, "return")
    for pos, (index, rule) in enumerate(rules):
        g = _RuleGen(w, dict(shared))
        w.emit(1, f"# -- rule {index}: {_comment(rule.id)}")
        w.emit(1, f"s = act[{pos}]")
        w.emit(1, "if s == 2:")
        g.prepare((rule.when, rule.require, rule.unless.condition if rule.unless else None), 2)
        if rule.when is not None:
            wt = g.cond(rule.when, 2)
            # a section the record lacks is judged only where `when` holds
            w.emit(2, f"if {wt} is False or (implicit and {wt} is not True):")
        else:
            wt = "True"
            w.emit(2, "if implicit:")
        w.emit(3, "if show_all:")
        w.emit(4, f"out.append(({index}, ent, NA))")
        w.emit(2, "else:")
        rt = g.cond(rule.require, 3)
        if rule.unless is not None:
            ut = w.tmp("u")
            w.emit(3, f"if {rt} is True:")
            w.emit(4, f"{ut} = False")
            w.emit(3, "else:")
            x = g.cond(rule.unless.condition, 4)
            w.emit(4, f"{ut} = {x}")
        else:
            ut = "False"
        eff = w.const(rule.effective_from) if rule.effective_from is not None else None
        deadline = w.const(rule.deadline) if rule.deadline is not None else None
        for line in decision_source(wt, rt, ut, eff, deadline):
            w.emit(3, line)
        w.emit(3, f"out.append(({index}, ent, st))")
        w.emit(1, "elif s == 1 and show_all:")
        w.emit(2, f"out.append(({index}, ent, NA))")
    w.globals.update(NA=NOT_APPLICABLE, stage_truth=stage_truth, correct_oxygen=correct_oxygen, **DECISION_NAMES)
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
    w.globals.update(stage_truth=stage_truth, correct_oxygen=correct_oxygen)
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


class KernelProgram:
    """The kernels of a :class:`~compliance.engine.Program`, generated and
    compiled on first use of each entity kind."""

    def __init__(self, program: Any) -> None:
        self.program = program
        #: kernels by (entity kind, the program indices of the rules in it)
        self._fns: Dict[Tuple[str, Tuple[int, ...]], Callable] = {}
        self._sources: Dict[Tuple[str, Tuple[int, ...]], str] = {}
        self._plans: Dict[Tuple[dt.date, str], Dict[str, Tuple[Tuple[str, Tuple[int, ...]], Tuple[int, ...]]]] = {}
        self._regional: Dict[str, Dict[str, Tuple[int, ...]]] = {}

    def source(self, section: str, constants: bool = False) -> str:
        """The generated source of ``section``'s kernel over all its rules
        (with ``constants``, followed by the values its constants ``L0``,
        ``L1`` ... hold, as comments)."""
        key = (section, tuple(self.program.by_section.get(section, ())))
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
        """The kernel of all of ``section``'s rules."""
        return self._function((section, tuple(self.program.by_section.get(section, ()))))

    def _function(self, key: Tuple[str, Tuple[int, ...]]) -> Callable:
        fn = self._fns.get(key)
        if fn is None:
            section, idx = key
            src, namespace, name = generate_section(section, [(i, self.program.rules[i]) for i in idx])
            fn = _compile(src, namespace, name, section)
            self._sources[key] = src
            self._fns[key] = fn
        return fn

    def _rules_in(self, region) -> Dict[str, Tuple[int, ...]]:
        """Per entity kind, the rules that apply in ``region`` (their
        jurisdiction contains it): a kernel is generated for just those, so a
        record never pays for another district's rules."""
        found = self._regional.get(region.code)
        if found is None:
            chain = region.chain
            jur = self.program.jurisdictions
            found = {}
            for section, idx in self.program.by_section.items():
                mine = tuple(i for i in idx if jur[i] in chain)
                if mine:
                    found[section] = mine
            self._regional[region.code] = found
        return found

    def plan(self, as_of: dt.date, region) -> Dict[str, Tuple[Tuple[str, Tuple[int, ...]], Tuple[int, ...]]]:
        """Per entity kind: its kernel's key and, per rule, 1 (not in force
        at ``as_of``) or 2 (active); cached per date and region."""
        key = (as_of, region.code)
        found = self._plans.get(key)
        if found is None:
            if len(self._plans) > 4096:
                self._plans.clear()
            rules = self.program.rules
            found = {
                section: ((section, idx), tuple(2 if rules[i].in_force(as_of) else 1 for i in idx))
                for section, idx in self._rules_in(region).items()
            }
            self._plans[key] = found
        return found

    def statuses(self, facts, show_all: bool = False) -> List[Tuple[int, Any, str]]:
        """(rule index, entity, status) of every pair that is not
        not_applicable (all pairs in the region with ``show_all``)."""
        plan = self.plan(facts.as_of, facts.region)
        f = facts.facility.values
        c = facts.context
        as_of = facts.as_of
        out: List[Tuple[int, Any, str]] = []
        fns = self._fns
        for entity in (facts.facility,) + facts.entities:
            p = plan.get(entity.section)
            if p is not None:
                key, act = p
                (fns.get(key) or self._function(key))(entity.values, f, c, act, as_of, False, show_all, out, entity)
        buf: List[Tuple[int, Any, str]] = []
        for section in facts.implicit:  # the entity is built only if a rule speaks of it
            p = plan.get(section)
            if p is None or not (show_all or 2 in p[1]):
                continue
            key, act = p
            (fns.get(key) or self._function(key))(_EMPTY, f, c, act, as_of, True, show_all, buf, None)
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

    def statuses(self, facts, show_all: bool = False):
        return self.kernels.statuses(facts, show_all)
