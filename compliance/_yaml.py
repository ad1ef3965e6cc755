"""Safe YAML loading that keeps line numbers and refuses hostile input.

PyYAML's ``safe_load`` silently keeps the last of duplicate keys, expands
alias bombs until memory runs out, and forgets where each value came from.
This loader composes the node graph (which does not expand aliases), then
walks it once, building plain Python values and a map from each value's path
to its line and column, and enforcing:

* the file size limit (:data:`MAX_BYTES`) and UTF-8 text;
* a bound on the number of nodes after alias expansion (:data:`MAX_NODES`),
  so a "billion laughs" document is refused after a bounded amount of work;
* a nesting-depth bound (:data:`MAX_DEPTH`);
* no duplicate mapping keys, text keys only;
* only the standard YAML tags (no ``!!python/object`` or custom tags).

All failures are :class:`~compliance.errors.InputError` naming file, line
and column.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, Optional, Tuple

import attrs
import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, Problem

__all__ = ["Document", "load_document", "load_text", "MAX_BYTES", "MAX_ALIAS_NODES", "MAX_DEPTH"]

#: Largest input file accepted, in bytes. A record of 10000 entities is
#: about half of it; at the limit (about 18000 entities) a check takes a few
#: seconds and a few hundred MiB, which bounds what one input can cost.
MAX_BYTES = 1024 * 1024
#: Most nodes that YAML aliases may add to a document when expanded (a
#: document without aliases is bounded by :data:`MAX_BYTES` alone).
MAX_ALIAS_NODES = 100_000
#: Deepest nesting of mappings and sequences.
MAX_DEPTH = 40

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

Path = Tuple[Any, ...]

#: LibYAML's parser where PyYAML was built with it (about 10x faster); the
#: pure-Python one otherwise. Both keep line and column marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@attrs.define
class Document:
    """A loaded YAML document: plain data plus where each part was written."""

    source: str
    data: Any
    locations: Dict[Path, Tuple[int, int]]

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
            except (ValueError, yaml.YAMLError, OverflowError) as exc:
                kind = node.tag.rsplit(":", 1)[-1]
                detail = "impossible date" if kind == "timestamp" else f"invalid {kind}"
                raise self.fail(node, f"{detail}: {node.value!r} ({exc})", field=label) from None
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
                key = self.constructor.construct_object(key_node)
                if isinstance(key, bool) or key is None or isinstance(key, (_dt.date, float)):
                    raise self.fail(key_node, f"mapping key {key_node.value!r} must be text")
                key = str(key)
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


def load_text(text: str, source: str) -> Document:
    """Parse YAML ``text`` (already decoded) from ``source``."""
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
    return Document(source, data, walker.locations)


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


def load_document(path: str) -> Document:
    """Read and parse the YAML (or JSON) file at ``path``."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem(path, 0, 0, "", "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(path, 0, 0, "", "is a directory, expected a YAML file")]) from None
    except OSError as exc:
        raise InputError([Problem(path, 0, 0, "", f"cannot read: {exc.strerror}")]) from None
    return load_text(decode(raw, path), path)
