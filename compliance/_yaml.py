"""Safe YAML loading that keeps line numbers and refuses hostile input.

PyYAML's ``safe_load`` silently keeps the last of duplicate keys, expands
alias bombs until memory runs out, and forgets where each value came from.
This loader builds plain Python values and a map from each value's path to
its line and column, and enforces:

* the file size limit (:data:`MAX_BYTES`) and UTF-8 text;
* a bound on the number of nodes after alias expansion (:data:`MAX_ALIAS_NODES`),
  so a "billion laughs" document is refused after a bounded amount of work;
* a nesting-depth bound (:data:`MAX_DEPTH`);
* no duplicate mapping keys, text keys only, no merge keys (``<<``);
* only the standard YAML tags (no ``!!python/object`` or custom tags);
* regular files only (:func:`open_regular`): a FIFO, device, socket or
  directory is refused before anything could wait on it.

All failures are :class:`~compliance.errors.InputError` naming file, line
and column.

Nothing is renamed: every scalar that YAML 1.1 types as something other than
text (``010`` the octal 8, ``1.10``, ``1:00``, ``yes``, ``2019-01-01``)
keeps its source text in :attr:`Document.texts`, for the fields that mean
text (:meth:`Document.text_of`), and a mapping key is always its text as
written. Both loaders build the same texts (the fast one logs such a
scalar's event in place of its mark, no copy, and replays the texts with the
location map, on first need). ``bench_yaml.py --repeats 5``, before and
after, new/CSafeLoader: examples 0.42 and 0.42, synthetic 0.49 and 0.48,
rulesets 0.43 and 0.38 (noise: the work added is one type test per scalar).

How it is fast
--------------
There are two loaders, and the answer is always the reference one's:

* :func:`_load_text_reference` is the old loader, kept as it was and as the
  definition of every value, location and error: it composes the node graph
  with LibYAML (``yaml.compose``, which does not expand aliases), checks the
  alias expansion, then walks the graph in Python.
* :func:`_build` reads LibYAML's *event* stream (``CParser.get_event``) and
  builds the values in one loop with an explicit stack: no node objects, no
  second walk. Plain text scalars (the vast majority) are taken as they are;
  decimal ints, simple floats and dates are converted directly; anything else
  goes through SafeConstructor. The resolver's tag for a plain scalar's text
  is memoised (process-wide, bounded). Aliases are counted as they come, with
  the expanded size of their anchor, so a bomb stops the loop before anything
  is copied; copies are made at the end.
* Anything :func:`_build` does not handle exactly -- *every* error of any
  kind, an anchor on a key, an alias as a key, a complex key, a key that is
  neither text nor an int, nesting at the depth limit, aliases past the
  expansion limit, a second document -- makes it give up, and
  :func:`load_text` runs the reference loader instead: a bad document gets
  exactly the old error, found in the old order.
* Locations: the event loop records at once the line and column of every
  mapping and sequence (what the checker asks on the good path: an entity's
  line), and, for the rest, only a flat log of start marks and keys. The
  whole path -> (line, column) map, identical to the reference walker's, is
  replayed from that log on the first lookup the eager part cannot answer (a
  key, a scalar, a path not written). ``record_from_document`` + ``normalise``
  needed it for none of the 6 examples and none of 1000 synthetic records.

Measured (``.venv/bin/python benchmarks/bench_yaml.py``: process CPU time,
median of 7 interleaved repeats on a shared 2-core machine; Python 3.11,
PyYAML 6.0.4 with LibYAML), microseconds per document:

====================================  ========  =========  ==========
loader                                examples  synthetic  rulesets
====================================  ========  =========  ==========
``yaml.load(CSafeLoader)``            495       212        9230
old (compose + walk)                  577       251        16159
new                                   224       105        3938
new, resolver memo emptied each time  273       129        4011
new, then the whole location map      315       156        5882
====================================  ========  =========  ==========

so new/CSafeLoader = 0.45, 0.50, 0.43 and old/CSafeLoader = 1.16, 1.19,
1.75 (examples: the 6 files of ``examples/``, about 4.9 kB; synthetic: 1000
records of ``benchmarks/records.py``, about 1.1 kB; rulesets: the 6 bundled,
which use aliases). Along the way, on the same texts: ``yaml.compose`` alone
takes 340 and 118 (examples, synthetic), so no walk over composed nodes could
reach CSafeLoader's speed, while LibYAML's bare event stream takes 140 and
63; the event loop building every location eagerly took 300 and 131 against
261 and 112 with only containers eager (both without the memo); the memo
takes the final loop from 296 and 134 to 220 and 99; the old alias check
alone took 25-35.

``tests/test_yaml_speed.py`` checks that both loaders give the same data,
``where``/``key_where`` answers and errors on every bundled file and on
generated documents.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import stat as _stat
from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import attrs
import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, Problem

__all__ = ["Document", "load_document", "load_text", "open_regular", "odd_number", "number_base", "MAX_BYTES",
           "MAX_ALIAS_NODES", "MAX_DEPTH", "STDIN"]

#: Largest input file accepted, in bytes. A record of 10000 entities is
#: about half of it; at the limit (about 18000 entities) a check takes a few
#: seconds and a few hundred MiB, which bounds what one input can cost.
MAX_BYTES = 1024 * 1024
#: Most nodes that YAML aliases may add to a document when expanded (a
#: document without aliases is bounded by :data:`MAX_BYTES` alone).
MAX_ALIAS_NODES = 100_000
#: Deepest nesting of mappings and sequences.
MAX_DEPTH = 40

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_ALLOWED_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _MAP, _SEQ}

Path = Tuple[Any, ...]

#: LibYAML's parser where PyYAML was built with it (about 10x faster); the
#: pure-Python one otherwise. Both keep line and column marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: LibYAML's parser class, for the event loop (None without LibYAML: then
#: every document takes the reference path).
_CPARSER = getattr(getattr(yaml, "_yaml", None), "CParser", None) if _LOADER is not yaml.SafeLoader else None
_MARK = getattr(getattr(yaml, "_yaml", None), "Mark", None)


class _Locations(Mapping):
    """Path -> (line, column), built on the first lookup the eager part misses.

    ``eager`` holds the mappings and sequences (None when aliases copied some
    of them elsewhere); ``log`` is what :func:`_replay` turns into the whole
    map, the same one the reference walker builds.
    """

    __slots__ = ("_eager", "_log", "_full", "_texts")

    def __init__(self, eager: Optional[Dict[Path, Tuple[int, int]]], log: List[Any]):
        self._eager = eager
        self._log: Optional[List[Any]] = log
        self._full: Optional[Dict[Path, Tuple[int, int]]] = None
        self._texts: Dict[Path, str] = {}

    def _complete(self) -> Dict[Path, Tuple[int, int]]:
        full = self._full
        if full is None:
            log = self._log
            if log is None:  # another thread has just built it
                full = self._full
                assert full is not None
                return full
            texts: Dict[Path, str] = {}
            loc = _replay(log, texts)
            self._texts = texts  # before _full: a reader that sees _full sees the texts
            full = self._full = loc
            self._log = None  # keep one of the two (after _full is set: see above)
        return full

    def texts(self) -> Dict[Path, str]:
        """Path -> source text of each scalar that did not load as text (see :class:`Document`)."""
        self._complete()
        return self._texts

    def get(self, path, default=None):
        eager = self._eager
        if eager is not None:
            loc = eager.get(path)
            if loc is not None:
                return loc
        return self._complete().get(path, default)

    def __getitem__(self, path: Path) -> Tuple[int, int]:
        return self._complete()[path]

    def __contains__(self, path: object) -> bool:
        return path in self._complete()

    def __iter__(self) -> Iterator[Path]:
        return iter(self._complete())

    def __len__(self) -> int:
        return len(self._complete())

    def __repr__(self) -> str:
        return repr(self._complete())

    def __reduce__(self):
        return (dict, (self._complete(),))


class _Texts(Mapping):
    """The texts of a fast-path document, replayed with its locations on first use."""

    __slots__ = ("_locations",)

    def __init__(self, locations: _Locations):
        self._locations = locations

    def __getitem__(self, path: Path) -> str:
        return self._locations.texts()[path]

    def __iter__(self) -> Iterator[Path]:
        return iter(self._locations.texts())

    def __len__(self) -> int:
        return len(self._locations.texts())

    def __repr__(self) -> str:
        return repr(self._locations.texts())

    def __reduce__(self):
        return (dict, (self._locations.texts(),))


@attrs.define
class Document:
    """A loaded YAML document: plain data plus where each part was written.

    ``texts`` keeps, for every scalar that YAML turned into something other
    than text (a number, a boolean, a null, a date), the text as written:
    ``id: 010`` loads as the int 8 (YAML 1.1 octal) and ``1.10`` as 1.1, so
    a field the record format declares as text takes its value from here
    (:func:`text_of`), never from ``str()`` of the number. Mapping keys are
    always their text as written.
    """

    source: str
    data: Any
    locations: Mapping[Path, Tuple[int, int]]
    texts: Mapping[Path, str] = attrs.field(factory=dict)
    #: a number is written in octal, hexadecimal, binary or base 60 (see :func:`odd_number`)
    odd_numbers: bool = False

    def where(self, path: Path) -> Tuple[int, int]:
        """Line and column of ``path``, or of its nearest written ancestor."""
        path = tuple(path)
        while path:
            loc = self.locations.get(path)
            if loc is not None:
                return loc
            path = path[:-1]
        return self.locations.get((), (1, 1))

    def key_where(self, path: Path) -> Tuple[int, int]:
        """Line and column of the key of ``path`` (falls back to the value)."""
        loc = self.locations.get(tuple(path) + ("<key>",))
        return loc if loc is not None else self.where(path)

    def problem(self, path: Path, field: str, message: str, level: str = "error") -> Problem:
        line, col = self.where(path)
        return Problem(self.source, line, col, field, message, level)

    def text_of(self, path: Path, value: Any) -> Optional[str]:
        """``value`` (found at ``path``) as the text the user wrote, or None.

        Text is itself; a scalar YAML typed (``010``, ``1.10``, ``yes``,
        ``2019-01-01``, ``1:00``) is its source text; an int given in a
        mapping from Python has no source text and is exactly ``str()`` of
        it. Anything else (a float, bool or date from Python, a list) has no
        one faithful spelling: None, and the caller asks for text.
        """
        if type(value) is str:
            return value
        text = self.texts.get(tuple(path))
        if text is not None:
            return text
        if type(value) is int:
            return str(value)
        return None


# ===================================================================== fast path


class _GiveUp(Exception):
    """The event loop met something it leaves to the reference loader."""


def odd_number(value: Any, text: str) -> bool:
    """Whether YAML 1.1 read ``text`` as the number ``value`` in a way no
    reader expects: octal (``010`` is 8), hexadecimal (``0x0A``), binary
    (``0b11``) or base 60 (``1:00`` is 60). Forms whose value is what they
    read as in decimal (``05``, ``1.10``, ``1.1e+1``, ``1_000``) are not."""
    if value.__class__ is int:
        try:
            return int(text.replace("_", ""), 10) != value
        except ValueError:  # hexadecimal, binary, base 60
            return True
    return value.__class__ is float and ":" in text


def number_base(text: str) -> str:
    """How YAML 1.1 read an odd number (:func:`odd_number`), for messages."""
    digits = text.lstrip("+-").lower()
    return ("base 60" if ":" in text else "hexadecimal" if digits.startswith("0x")
            else "binary" if digits.startswith("0b") else "octal")


# markers in the location log (see _replay)
_LOG_MAP, _LOG_SEQ, _LOG_END, _LOG_ALIAS = object(), object(), object(), object()

#: resolved tag of a plain scalar, by its text (bounded: cleared when full),
#: for the resolver table in _RESOLVED_FOR[0]
_RESOLVED: Dict[str, str] = {}
_RESOLVED_FOR: List[Any] = [None]
_RESOLVED_MAX = 20_000
_RESOLVED_LEN = 40  # longer texts are resolved each time, not kept

_BOOL_VALUES = SafeConstructor.bool_values
_SIMPLE_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?\Z").match


def _resolve(value: str, table) -> str:
    """``Resolver.resolve(ScalarNode, value, (True, ...))``: the implicit tag of a plain scalar."""
    for tag, regexp in table.get(value[0] if value else "", ()):
        if regexp.match(value):
            return tag
    for tag, regexp in table.get(None, ()):
        if regexp.match(value):
            return tag
    return _STR


def _slow_scalar(ctor: SafeConstructor, tag: str, ev: Any) -> Any:
    """A scalar through SafeConstructor, as the reference walker makes it."""
    value = ctor.construct_object(ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, ev.style), deep=True)
    if type(value) is dict or type(value) is list:
        raise _GiveUp  # a scalar tagged !!map or !!seq (an error for the reference)
    return value


def _scalar(tag: str, v: str, ev: Any, ctor: SafeConstructor) -> Any:
    """The value of a scalar event whose tag is not plain text."""
    if tag == _INT:
        if v.isdigit() and v.isascii() and (v[0] != "0" or len(v) == 1):
            return int(v)
    elif tag == _NULL:
        return None
    elif tag == _BOOL:
        value = _BOOL_VALUES.get(v.lower())
        if value is None:
            raise _GiveUp
        return value
    elif tag == _TIMESTAMP:
        if (len(v) == 10 and v[4] == "-" and v[7] == "-" and v.isascii()
                and v[:4].isdigit() and v[5:7].isdigit() and v[8:].isdigit()):
            return _dt.date(int(v[:4]), int(v[5:7]), int(v[8:]))
    elif tag == _FLOAT:
        if _SIMPLE_FLOAT(v):
            return float(v)
    elif tag == _STR:
        return v
    elif tag not in _ALLOWED_TAGS or tag == _MAP or tag == _SEQ:
        raise _GiveUp
    return _slow_scalar(ctor, tag, ev)


class _Anchor:
    """An anchored node: its value, its part of the log, and, once aliased, its expanded size and height."""

    __slots__ = ("value", "start", "end", "size", "height")

    def __init__(self, value: Any, start: int, end: Optional[int]):
        self.value, self.start, self.end = value, start, end
        self.size: Optional[int] = None
        self.height = 0


class _Alias:
    """Where an alias stands in the values until every alias is known to be within bounds."""

    __slots__ = ("anchor",)

    def __init__(self, anchor: _Anchor):
        self.anchor = anchor


def _copy(value: Any) -> Any:
    """A fresh copy of an aliased value's containers (scalars are shared, as before)."""
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    if type(value) is list:
        return [_copy(v) for v in value]
    return value


def _height(value: Any) -> int:
    """Levels of nodes below ``value`` that the depth limit counts (keys are not), aliases expanded."""
    if type(value) is dict:
        return 1 + max(map(_height, value.values())) if value else 0
    if type(value) is list:
        return 1 + max(map(_height, value)) if value else 0
    if type(value) is _Alias:
        return value.anchor.height
    return 0


def _expanded_size(log: List[Any]) -> int:
    """Nodes in a part of the log, aliases expanded: one start mark per node."""
    size = 0
    for i, item in enumerate(log):
        if item.__class__ is _MARK or item.__class__ is ScalarEvent:
            size += 1
        elif item is _LOG_ALIAS:
            size += log[i + 1].size
    return size


def _build(text: str) -> Tuple[Any, Optional[Dict[Path, Tuple[int, int]]], List[Any], bool]:
    """Values, eager container locations, the location log and whether a
    number is written oddly (:func:`odd_number`), from LibYAML's events.

    Raises :class:`_GiveUp` (or whatever the parser or constructor raises)
    for anything it leaves to :func:`_load_text_reference`.
    """
    if _CPARSER is None or _LOADER.yaml_path_resolvers:
        raise _GiveUp
    get = _CPARSER(text).get_event
    get()  # stream start
    if get().__class__ is not DocumentStartEvent:
        raise _GiveUp  # empty stream
    table = _LOADER.yaml_implicit_resolvers
    resolved = _RESOLVED
    if _RESOLVED_FOR[0] is not table:  # a resolver added to the loader class: forget the memo
        resolved.clear()
        _RESOLVED_FOR[0] = table
    max_depth = MAX_DEPTH
    max_alias = MAX_ALIAS_NODES
    ctor: Optional[SafeConstructor] = None
    eager: Dict[Path, Tuple[int, int]] = {}
    log: List[Any] = []
    rec = log.append
    stack: List[Any] = []
    push = stack.append
    pop = stack.pop
    anchors: Dict[str, _Anchor] = {}
    aliases: List[Tuple[Any, Any, _Anchor]] = []  # (container, key or index, anchor), in document order
    aliased = 0  # nodes the aliases add
    # the open container, its path, and what comes next in it:
    # 0 the document's root, 1 a sequence item, 2 a mapping key, 3 a mapping value
    cur: Any = None
    path: Path = ()
    kind = 0
    key: Any = None
    root: Any = None
    odd = False
    while True:
        ev = get()
        cls = ev.__class__
        if cls is ScalarEvent:
            v = ev.value
            tag = ev.tag
            if tag is None or tag == "!":
                if ev.implicit[0]:
                    tag = resolved.get(v)
                    if tag is None:
                        tag = _resolve(v, table)
                        if len(v) <= _RESOLVED_LEN:
                            if len(resolved) >= _RESOLVED_MAX:
                                resolved.clear()
                            resolved[v] = tag
                else:
                    tag = _STR
            if kind == 2:  # a mapping key
                if ev.anchor is not None:
                    raise _GiveUp
                if tag is not _STR and tag != _STR:
                    if tag != _INT:
                        raise _GiveUp  # merge key, non-text key, or not allowed
                    if ctor is None:
                        ctor = SafeConstructor()
                    _scalar(tag, v, ev, ctor)  # an int key (a bad one raises) is its text as written
                if v in cur:
                    raise _GiveUp  # duplicate key
                rec(v)
                rec(ev.start_mark)
                key = v
                kind = 3
                continue
            if tag is _STR:
                value = v
            else:
                if ctor is None:
                    ctor = SafeConstructor()
                value = _scalar(tag, v, ev, ctor)
                if not odd and (value.__class__ is int or value.__class__ is float):
                    odd = odd_number(value, v)
            anchor = ev.anchor
            if anchor is not None:
                if anchor in anchors:
                    raise _GiveUp  # duplicate anchor
                anchors[anchor] = _Anchor(value, len(log), len(log) + 1)
            rec(ev.start_mark if value.__class__ is str else ev)  # not text: the event, for its source text
            if kind == 3:
                cur[key] = value
                kind = 2
            elif kind == 1:
                cur.append(value)
            else:
                root = value
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            if kind == 2 or len(stack) >= max_depth:
                raise _GiveUp  # a complex key; nesting at the limit
            tag = ev.tag
            if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
                raise _GiveUp
            new: Any = {} if cls is MappingStartEvent else []
            if kind == 3:
                new_path = path + (key,)
                cur[key] = new
                push((cur, path, 2, ev.anchor))
            elif kind == 1:
                new_path = path + (len(cur),)
                cur.append(new)
                push((cur, path, 1, ev.anchor))
            else:
                new_path = ()
                root = new
                push((cur, path, 0, ev.anchor))
            anchor = ev.anchor
            if anchor is not None:
                if anchor in anchors:
                    raise _GiveUp
                anchors[anchor] = _Anchor(new, len(log), None)
            mark = ev.start_mark
            if cls is MappingStartEvent:
                rec(_LOG_MAP)
                kind = 2
            else:
                rec(_LOG_SEQ)
                kind = 1
            rec(mark)
            if not (new_path and new_path[-1] == "<key>"):  # else the reference keeps the key's place
                eager[new_path] = (mark.line + 1, mark.column + 1)
            cur = new
            path = new_path
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            rec(_LOG_END)
            cur, path, kind, anchor = pop()
            if anchor is not None:
                anchors[anchor].end = len(log)
        elif cls is AliasEvent:
            if kind == 2:
                raise _GiveUp  # an alias as a key
            target = anchors.get(ev.anchor)
            if target is None or target.end is None:
                raise _GiveUp  # undefined, or recursive (an open container)
            if target.size is None:
                target.size = _expanded_size(log[target.start:target.end])
                target.height = _height(target.value)
            aliased += target.size
            if aliased > max_alias or len(stack) + target.height >= max_depth:
                raise _GiveUp  # an alias bomb (refused before expanding anything); nesting near the limit
            rec(_LOG_ALIAS)
            rec(target)
            value = _Alias(target)
            if kind == 3:
                aliases.append((cur, key, target))
                cur[key] = value
                kind = 2
            elif kind == 1:
                aliases.append((cur, len(cur), target))
                cur.append(value)
            else:  # pragma: no cover - an alias at the root has no anchor before it
                raise _GiveUp
        elif cls is DocumentEndEvent:
            break
        else:  # pragma: no cover - LibYAML sends nothing else inside a document
            raise _GiveUp
    if get().__class__ is not StreamEndEvent:
        raise _GiveUp  # a second document
    if aliases:
        # every anchor is complete, the expanded size is within bounds: expand, in
        # document order, so an anchor's own aliases are expanded before it is copied
        for container, where, target in aliases:
            container[where] = _copy(target.value)
        return root, None, log, odd  # copies have no eager locations: all from the log
    return root, eager, log, odd


def _replay(log: List[Any], texts: Dict[Path, str]) -> Dict[Path, Tuple[int, int]]:
    """The reference walker's location map, from :func:`_build`'s log (and
    its ``texts``, filled in).

    The log is, in document order: for a mapping or sequence its marker and
    start mark, its contents, then the end marker; for a key the key and its
    mark; for a scalar its mark, or its event if it did not load as text.
    """
    loc: Dict[Path, Tuple[int, int]] = {}

    def node(item: Any, path: Path, take: Callable[[], Any]) -> None:
        if item is _LOG_ALIAS:
            target = take()
            part = iter(log[target.start:target.end]).__next__
            node(part(), path, part)
        elif item is _LOG_MAP:
            mark = take()
            loc.setdefault(path, (mark.line + 1, mark.column + 1))
            key = take()
            while key is not _LOG_END:
                mark = take()
                loc[path + (key, "<key>")] = (mark.line + 1, mark.column + 1)
                node(take(), path + (key,), take)
                key = take()
        elif item is _LOG_SEQ:
            mark = take()
            loc.setdefault(path, (mark.line + 1, mark.column + 1))
            i = 0
            item = take()
            while item is not _LOG_END:
                node(item, path + (i,), take)
                i += 1
                item = take()
        else:
            if item.__class__ is ScalarEvent:
                texts[path] = item.value
                item = item.start_mark
            loc.setdefault(path, (item.line + 1, item.column + 1))

    take = iter(log).__next__
    node(take(), (), take)
    return loc


# ===================================================================== reference path


def _item_id(node: Node, index: int) -> str:
    """How a list item is named in messages: its ``id`` if it has one."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
                return value.value
    return str(index)


class _Walker:
    def __init__(self, source: str):
        self.source = source
        self.locations: Dict[Path, Tuple[int, int]] = {}
        self.texts: Dict[Path, str] = {}
        self.odd_numbers = False
        self.constructor = SafeConstructor()

    def fail(self, node: Optional[Node], message: str, field: str = "") -> InputError:
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (0, 0)
        return InputError([Problem(self.source, line, col, field, message)])

    def walk(self, node: Node, path: Path, depth: int, label: str = "") -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nesting deeper than {MAX_DEPTH} levels")
        if node.tag not in _ALLOWED_TAGS:
            raise self.fail(
                node,
                f"YAML tag {node.tag!r} is not allowed: records and rulesets hold plain data only",
            )
        self.locations.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, ScalarNode):
            try:
                value = self.constructor.construct_object(node, deep=True)
            except (ValueError, yaml.YAMLError, OverflowError, KeyError, AttributeError, TypeError) as exc:
                # PyYAML's constructors raise KeyError (!!bool maybe) or
                # AttributeError (!!timestamp x) on some explicit tags
                kind = node.tag.rsplit(":", 1)[-1]
                detail = "impossible date" if kind == "timestamp" else f"invalid {kind}"
                raise self.fail(node, f"{detail}: {node.value!r} ({exc})", field=label) from None
            if type(value) is not str:
                self.texts[path] = node.value
                self.odd_numbers = self.odd_numbers or (type(value) in (int, float) and odd_number(value, node.value))
            return value
        if isinstance(node, SequenceNode):
            return [self.walk(item, path + (i,), depth + 1, f"{label}[{_item_id(item, i)}]")
                    for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            out: Dict[str, Any] = {}
            seen: Dict[str, Node] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "YAML merge keys ('<<') are not supported; write the fields out")
                if not isinstance(key_node, ScalarNode) or key_node.tag not in _ALLOWED_TAGS:
                    raise self.fail(key_node, "mapping keys must be plain text")
                try:
                    key = self.constructor.construct_object(key_node)
                except (ValueError, yaml.YAMLError, OverflowError, KeyError, AttributeError, TypeError):
                    raise self.fail(key_node, f"mapping key {key_node.value!r} must be text") from None
                if isinstance(key, bool) or key is None or isinstance(key, (_dt.date, float)):
                    raise self.fail(key_node, f"mapping key {key_node.value!r} must be text")
                key = key if isinstance(key, str) else key_node.value  # an int key: as written (010, not 8)
                if key in seen:
                    first = seen[key].start_mark.line + 1
                    raise self.fail(
                        key_node,
                        f"duplicate key {key!r} (first written on line {first}); "
                        "YAML would silently keep only the last one",
                        field=key,
                    )
                seen[key] = key_node
                self.locations[path + (key, "<key>")] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                out[key] = self.walk(value_node, path + (key,), depth + 1, f"{label}.{key}" if label else key)
            return out
        raise self.fail(node, "unsupported YAML node")  # pragma: no cover


def _check_expansion(root: Node, source: str) -> None:
    """Refuse alias bombs and recursive aliases before expanding anything.

    The composed graph shares aliased nodes, so its expanded size is computed
    bottom-up with one visit per distinct node: bounded time and memory
    whatever the document expands to.
    """
    distinct: Dict[int, Node] = {}
    shared = False
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in distinct:
            shared = True  # reached twice: an alias
            continue
        distinct[id(node)] = node
        if isinstance(node, SequenceNode):
            todo.extend(node.value)
        elif isinstance(node, MappingNode):
            for pair in node.value:
                todo.extend(pair)
    if not shared:
        return  # no aliases: the size is bounded by the file's
    limit = len(distinct) + MAX_ALIAS_NODES
    sizes: Dict[int, int] = {}
    on_path: set = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            if isinstance(node, SequenceNode):
                kids = node.value
            elif isinstance(node, MappingNode):
                kids = [n for pair in node.value for n in pair]
            else:
                kids = []
            total = 1 + sum(sizes[id(k)] for k in kids)
            sizes[key] = min(total, limit + 1)
            continue
        if key in sizes:
            continue
        if key in on_path:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            raise InputError([Problem(source, line, col, "", "recursive YAML alias (a node contains itself)")])
        on_path.add(key)
        stack.append((node, True))
        if isinstance(node, SequenceNode):
            stack.extend((k, False) for k in node.value)
        elif isinstance(node, MappingNode):
            stack.extend((k, False) for pair in node.value for k in pair)
    if sizes[id(root)] > limit:
        raise InputError([Problem(
            source, 1, 1, "",
            f"YAML aliases expand this document by more than {MAX_ALIAS_NODES} nodes (a 'billion laughs' "
            "document); refused before expanding",
        )])


def _load_text_reference(text: str, source: str) -> Document:
    """The reference loader: compose, check aliases, walk the nodes (the old code, kept as it was)."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        msg = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise InputError([Problem(source, line, col, "", f"YAML syntax error: {msg}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(source, 0, 0, "", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise InputError([Problem(source, 0, 0, "", f"nesting deeper than {MAX_DEPTH} levels")]) from None
    if node is None:
        raise InputError([Problem(source, 0, 0, "", "the file is empty: expected a YAML mapping")])
    _check_expansion(node, source)
    walker = _Walker(source)
    try:
        data = walker.walk(node, (), 0)
    except RecursionError:  # pragma: no cover - MAX_DEPTH is far below the recursion limit
        raise InputError([Problem(source, 0, 0, "", f"nesting deeper than {MAX_DEPTH} levels")]) from None
    return Document(source, data, walker.locations, walker.texts, walker.odd_numbers)


def load_text(text: str, source: str) -> Document:
    """Parse YAML ``text`` (already decoded) from ``source``."""
    try:
        data, eager, log, odd = _build(text)
    except Exception:  # anything unusual, and every error: the reference loader decides
        return _load_text_reference(text, source)
    locations = _Locations(eager, log)
    return Document(source, data, locations, _Texts(locations), odd)


def decode(raw: bytes, source: str) -> str:
    """Decode ``raw`` as UTF-8 text, with a located error for anything else."""
    if len(raw) > MAX_BYTES:
        raise InputError(
            [Problem(source, 0, 0, "", f"file is larger than the {MAX_BYTES}-byte limit for one input")]
        )
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError([Problem(source, line, 0, "", "binary file (contains NUL bytes); expected YAML text")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            [Problem(source, line, col, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")]
        ) from None


#: The file argument that means standard input: never a file name here.
STDIN = "-"

_NOT_REGULAR = (
    (_stat.S_ISDIR, "is a directory, expected a YAML file"),
    (_stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file; refused, as reading it could wait forever"),
    (_stat.S_ISCHR, "is a character device, not a regular file; refused, as reading it could wait forever"),
    (_stat.S_ISBLK, "is a block device, not a regular file; refused"),
    (_stat.S_ISSOCK, "is a socket, not a regular file; refused"),
)


def _regular(path: str, mode: int) -> None:
    """Refuse anything but a regular file, with a message naming what it is."""
    if not _stat.S_ISREG(mode):
        what = next((text for test, text in _NOT_REGULAR if test(mode)), "is not a regular file; refused")
        raise InputError([Problem(path, 0, 0, "", what)])


def open_regular(path: str):
    """``path`` opened for reading in binary, if it is a regular file.

    Never blocks: ``os.stat`` refuses a FIFO, device, socket or directory
    before anything is opened, and the file is opened with ``O_NONBLOCK``
    (opening a FIFO that way returns at once) and checked again with
    ``fstat``, so a file swapped for a FIFO between the two is refused too.
    Every failure is an :class:`InputError` naming the file. ``-`` (standard
    input) is not a file name: see :func:`load_document`.
    """
    try:
        _regular(path, os.stat(path).st_mode)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise InputError([Problem(path, 0, 0, "", "no such file")]) from None
    except OSError as exc:
        raise InputError([Problem(path, 0, 0, "", f"cannot read: {exc.strerror}")]) from None
    try:
        _regular(path, os.fstat(fd).st_mode)
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)  # a regular file: plain reads from here
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def load_document(path: str) -> Document:
    """Read and parse the YAML (or JSON) file at ``path``."""
    if path == STDIN:
        # hook: standard input is read here (a separate feature); never opened as a file named "-"
        raise InputError([Problem(path, 0, 0, "", "reading standard input ('-') is not supported; give a file")])
    with open_regular(path) as fh:
        try:
            raw = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InputError([Problem(path, 0, 0, "", f"cannot read: {exc.strerror}")]) from None
    return load_text(decode(raw, path), path)
