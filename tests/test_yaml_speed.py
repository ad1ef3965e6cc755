"""The fast YAML loader gives exactly what the reference loader gives.

``compliance._yaml.load_text`` builds values from LibYAML's event stream and
replays locations lazily; ``_load_text_reference`` is the old compose-and-walk
loader, kept as the definition. Every case here loads one text with both and
compares the outcome: the same data (types, order, NaN and the sign of zero
included), the same ``where``/``key_where`` answer for every path the
reference records (asked first of a fresh document, so the eager part is
tested on its own, then of the complete map) and for paths that are not
there, or the same error (InputError problems, or the same exception).
"""

import datetime as dt
import math
import pickle
import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

import bad_inputs
import compliance._yaml as Y
from compliance.errors import InputError
from conftest import REPO

FILES = sorted(
    [p for d in ("examples", "rulesets") for p in (REPO / d).glob("*.yaml")]
    + list((REPO / "tests" / "fuzz_regressions").glob("*.yaml"))
)


# ------------------------------------------------------------------ comparing


def same_value(a, b, where="data"):
    """Strict equality: same types, same key order, NaN == NaN, -0.0 != 0.0."""
    assert type(a) is type(b), (where, a, b)
    if isinstance(a, dict):
        assert list(a) == list(b), (where, list(a), list(b))
        for k in a:
            same_value(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, list):
        assert len(a) == len(b), (where, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            same_value(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b)), (where, a, b)
    else:
        assert a == b, (where, a, b)


def outcome(load, text):
    try:
        return "ok", load(text, "doc.yaml")
    except InputError as exc:
        return "error", (list(exc.problems), str(exc))
    except Exception as exc:  # the reference lets a few odd inputs escape as they are; so must the new one
        return "exception", (type(exc), str(exc))


def probes(ref):
    """Paths to ask about: every recorded one, its parent, and ones not written."""
    out = []
    for path in ref.locations:
        base = path[:-1] if path and path[-1] == "<key>" else path
        out += [path, base, base + ("no such key",), base + (10**6,)]
    return out


def assert_same(text):
    """Load ``text`` with both loaders; fail on any difference."""
    kind, ref = outcome(Y._load_text_reference, text)
    new_kind, new = outcome(Y.load_text, text)
    assert (new_kind, new if kind != "ok" else None) == (kind, ref if kind != "ok" else None), text
    if kind != "ok":
        return kind
    same_value(ref.data, new.data)
    assert new.source == ref.source
    paths = probes(ref)
    # a fresh document first: answers from the eager part alone (containers)
    fresh = Y.load_text(text, "doc.yaml")
    for path in ref.locations:
        if path and path[-1] == "<key>":
            continue
        assert fresh.where(path) == ref.where(path), (path, text)
    for path in paths:
        assert new.where(path) == ref.where(path), (path, text)
        assert new.key_where(path) == ref.key_where(path), (path, text)
        assert new.problem(path, "f", "m") == ref.problem(path, "f", "m")
    assert dict(new.locations) == ref.locations
    assert len(new.locations) == len(ref.locations) and set(new.locations) == set(ref.locations)
    assert dict(new.texts) == ref.texts and dict(fresh.texts) == ref.texts  # source text of non-text scalars
    assert new.odd_numbers == ref.odd_numbers
    return kind


def uses_fast_path(text):
    try:
        Y._build(text)
    except Exception:
        return False
    return True


# ------------------------------------------------------------------ files


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_bundled_file(path):
    text = Y.decode(path.read_bytes(), str(path))
    assert_same(text)
    if path.parent.name in ("examples", "rulesets"):  # the speed is only there if nothing falls back
        assert uses_fast_path(text), path


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_load_document_matches(path):
    kind, ref = outcome(lambda t, s: Y._load_text_reference(Y.decode(path.read_bytes(), str(path)), str(path)), None)
    new_kind, new = outcome(lambda t, s: Y.load_document(str(path)), None)
    assert new_kind == kind
    if kind == "ok":
        same_value(ref.data, new.data)
        assert dict(new.locations) == ref.locations
        assert dict(new.texts) == ref.texts
    else:
        assert new == ref


@pytest.mark.parametrize("case", bad_inputs.CASES, ids=[c[1] for c in bad_inputs.CASES])
def test_bad_record_inputs(case):
    raw = bad_inputs.content(case)
    try:
        text = Y.decode(raw, "doc.yaml")
    except InputError:
        return  # refused before parsing: the same code for both
    assert_same(text)


@pytest.mark.parametrize("index", range(len(bad_inputs.RULESET_CASES)))
def test_bad_ruleset_inputs(index):
    assert_same(bad_inputs.RULESET_CASES[index][1])


HAND_WRITTEN = [
    # every kind of scalar, plain and quoted and tagged
    "a: [1, -5, +5, 0, 012, 0x1F, 0b101, 1_000, '1', \"2\", 1:30, 0o7, 09]\n",
    "a: [1, 1_000, 09, -0, 0.5, 00.5, 1.10]\n", "a: 012\n", "a: [0x1F]\n", "a: {b: 1:30}\n", "a: 1:30.5\n",
    "a: &x 0b101\nb: *x\n", "012: x\n", "a: !!int 0x1F\n", "a: '012'\n",
    "a: [1.5, -1.5, +1.5, -0.0, 0.0, 1., .5, 1.0e+3, 1e3, 1.0e999, .inf, -.inf, .NaN, 1_0.5, 1:30.5, -.5]\n",
    "a: [2019-01-01, 2019-1-1, 2019-02-30, 2019-01-01 10:00:00, 2019-01-01T10:00:00Z, 2019-01-01 10:00:00.5 +08:00]\n",
    "a: [yes, No, TRUE, off, On, y, n, ~, null, Null, '', \"\", !!null x, !!bool yes]\n",
    "a: [!!int 3, !!str 3, !!float 3, !!float x, !!int x, !!bool maybe, !!timestamp x, !!int 0x, !!float -nan]\n",
    "a: !!timestamp 2019-02-30\n",
    "a: [!!map x]\n", "a: [!!seq x]\n", "a: !!str {b: 1}\n", "a: !!int [1]\n", "a: ! 1\n", "a: ! [1]\n",
    "a: !!python/name:os.system x\n", "a: !custom {b: 1}\n", "a: !!binary aGk=\n", "a: !!set {b}\n",
    "a: \"国六 610 g/L\"\nb: '蓟州'\nc: |\n  line\n  two\nd: >\n  folded\n  text\n",
    # keys
    "1: a\n0x10: b\n012: c\n1_0: d\n", "1: a\n'1': b\n", "0x10: a\n16: b\n", "yes: a\n", "~: a\n", "2019-01-01: a\n",
    "1.5: a\n", "2019-02-30: a\n", "!!python/name:x k: v\n", "!!str 1: a\n", "!!int '2': a\n", "!!map k: v\n",
    "? [a]\n: b\n", "? {a: 1}\n: b\n", "<<: {a: 1}\n", "a: {<<: {b: 1}, c: 2}\n", "'<<': x\n",
    "a: 1\na: 2\n", "a: {b: 1, b: 2}\n", "a:\n  b: 1\n  c: 2\n  b: 3\n",
    # keys named <key>, whose locations collide with the parent key's
    "a:\n  <key>: 1\n", "a:\n  <key>:\n    b: 1\n", "<key>: {<key>: [1]}\n", "a: {<key>: {<key>: {}}}\n",
    "'': 1\n", "a:\n  '': {'': 2}\n",
    # anchors and aliases
    "a: &x {b: 1, c: [1, 2]}\nd: *x\ne: [*x, *x]\n", "a: &x 5\nb: *x\nc: [*x]\n",
    "a: &x [1, &y {b: 2}]\nc: *y\nd: *x\n", "a: *x\n", "a: &x 1\nb: &x 2\n", "a: &x [*x]\n",
    "&r {a: *r}\n", "&k a: 1\nb: *k\n", "a: &x 1\n*x : 2\n", "&x a: 1\n", "a: &x\n  - 1\n  - *x\n",
    "a: &x {b: 1}\nc:\n  - *x\n  - {d: *x}\n", "&x [1, 2]\n", "&x 5\n",
    "- &a [1]\n- &b [*a, *a]\n- &c [*b, *b]\n- [*c, *c]\n",
    bad_inputs.BILLION_LAUGHS,
    # documents
    "", "# only a comment\n", "---\n", "--- 5\n", "---\n...\n", "a: 1\n---\nb: 2\n", "a: 1\n...\n", "%YAML 1.1\n---\na: 1\n",
    "%TAG !e! tag:yaml.org,2002:\n---\na: !e!int 5\nb: !e!python/none x\n", "- 1\n- 2\n", "just text\n", "'quoted'\n",
    "[1, 2\n", "a: [1, 2\n", "a: b: c\n", "a:\n- 1\n - 2\n", "a: 'x\n", "\t a: 1\n", "a: {b: 1}}\n", "a: @x\n",
    # depth at and around the limit
    "a: " + "[" * 39 + "1" + "]" * 39 + "\n",
    "a: " + "[" * 40 + "1" + "]" * 40 + "\n",
    "a: " + "[" * 40 + "]" * 40 + "\n",
    "a: " + "[" * 41 + "]" * 41 + "\n",
    "[" * 40 + "1" + "]" * 40 + "\n",
    "[" * 41 + "]" * 41 + "\n",
    "a: &x " + "[" * 20 + "]" * 20 + "\nb: " + "[" * 19 + "*x" + "]" * 19 + "\n",
    "a: &x " + "[" * 20 + "]" * 20 + "\nb: " + "[" * 20 + "*x" + "]" * 20 + "\n",
    "a: &x " + "[" * 20 + "]" * 20 + "\nb: " + "[" * 21 + "*x" + "]" * 21 + "\n",
    "a: &x " + "{k: " * 20 + "1" + "}" * 20 + "\nb: " + "[" * 20 + "*x" + "]" * 20 + "\n",
    "a: " + "[" * 200 + "]" * 200 + "\n",
    # size-ish
    "a: " + "9" * 5000 + "\n", "9" * 5000 + ": x\n", "a: [" + ", ".join(str(i) for i in range(2000)) + "]\n",
]


@pytest.mark.parametrize("text", HAND_WRITTEN, ids=range(len(HAND_WRITTEN)))
def test_hand_written(text):
    assert_same(text)


def test_aliases_at_the_expansion_limit(monkeypatch):
    """A small limit, crossed by one node: the fast path must refuse exactly where the reference does."""
    text = "a: &x [1, 2, 3]\nb: [*x, *x, *x]\n"  # the aliases add 3 x 4 = 12 nodes
    for limit in (0, 4, 11, 12, 13, 100):
        monkeypatch.setattr(Y, "MAX_ALIAS_NODES", limit)
        kind = assert_same(text)
        assert kind == ("ok" if limit >= 12 else "error"), limit


def test_the_locations_map():
    text = (REPO / "examples" / "jizhou-auto-parts.yaml").read_text("utf-8")
    ref, new = Y._load_text_reference(text, "x"), Y.load_text(text, "x")
    assert new.locations == ref.locations and ref.locations == dict(new.locations)
    assert new == Y.load_text(text, "x")
    back = pickle.loads(pickle.dumps(new))
    assert back.locations == ref.locations and type(back.locations) is dict
    some = next(iter(ref.locations))
    assert new.locations[some] == ref.locations[some] and some in new.locations and ("nope",) not in new.locations
    assert repr(new.locations) == repr(ref.locations)
    with pytest.raises(KeyError):
        new.locations[("nope",)]


def test_a_typical_record_never_builds_the_whole_map():
    """The checker asks only for entity lines on a good record: the eager part answers."""
    from compliance.normalise import normalise
    from compliance.record import record_from_document

    for path in sorted((REPO / "examples").glob("*.yaml")):
        doc = Y.load_document(str(path))
        record = record_from_document(doc)
        if record.warnings:
            continue
        normalise(record)
        assert doc.locations._full is None, path


def test_the_differential_check_can_fail(monkeypatch):
    """A wrong fast path is caught: each mutation below must make assert_same fail somewhere."""
    texts = ["a: [yes, 1, 1.5, 2019-01-01, x, 010]\n", "a:\n  b: 1\n  c: [x, y]\n", "a: &x {b: 1}\nc: *x\n", "a: {b: 1, b: 2}\n"]

    def fails():
        for text in texts:
            try:
                assert_same(text)
            except Exception:  # a wrong answer, or a crash
                return True
        return False

    assert not fails()
    bugs = [
        ("_BOOL_VALUES", {**Y._BOOL_VALUES, "yes": False}),  # a wrong constructor
        ("_resolve", lambda value, table: Y._STR),  # no implicit types
        ("_replay", lambda log, texts: {}),  # no lazy locations
        ("_copy", lambda value: value if not isinstance(value, dict) else {}),  # aliases lose content
    ]
    for name, bug in bugs:
        with monkeypatch.context() as m:
            m.setattr(Y, name, bug)
            Y._RESOLVED.clear()
            assert fails(), name
    Y._RESOLVED.clear()

    def no_duplicate_check(text):  # a fast path that keeps the last of two keys
        return yaml.load(text, Loader=yaml.CSafeLoader), {(): (1, 1)}, [], False

    with monkeypatch.context() as m:
        m.setattr(Y, "_build", no_duplicate_check)
        assert fails()


# ------------------------------------------------------------------ generated documents

# scalar texts, written as they would appear in a file: good ones, and ones the loader refuses
SCALARS = [
    "1", "-5", "+7", "0", "012", "09", "0x1F", "0b11", "1_000", "1:30", "120119", "9" * 30,
    "1.5", "-0.0", "1.", ".5", "1.0e+3", "1e3", ".inf", "-.Inf", ".nan", "1_0.5", "1.0e999",
    "2019-01-01", "2019-1-1", "2019-01-01 10:00:00", "2019-01-01T10:00:00+08:00",
    "yes", "No", "TRUE", "off", "y", "~", "null", "", "x", "abc def", "国六", "610 g/L", "20 蒸吨/时", "‰",
    "t/(month*km^2)", "1e309 m", "'1'", "'yes'", '"2019-01-01"', '"国六\\n"', "'it''s'", '""',
    "!!str 5", "!!int 5", "!!float 2", "!!bool yes", "!!null x", "!!timestamp 2019-01-01", "! 5", "<key>",
]
BAD_SCALARS = ["2019-02-30", "!!int x", "!!float x", "!!bool maybe", "!!timestamp x", "!!python/name:os.system",
               "!x y", "!!map x", "<<", "a: b"]
GOOD_KEYS = ["id", "a", "b", "c", "d", "name", "国", "蓟州", "1", "0x10", "16", "<key>", "''", "'1'", "'yes'", "!!str 7",
             "!!int 8", "'<<'"]
BAD_KEYS = ["yes", "~", "2019-01-01", "1.5", "<<", "!!python/name:x k", "!!float 1", "? [k]"]
TEXT = st.text(alphabet=string.ascii_letters + string.digits + "中文蓟州 -_./", min_size=1, max_size=8)

# A node is ("scalar", text) | ("alias", n, to_open) | (kind, items, anchor, block) with kind "seq" or
# "map" and anchor None, "new" or "again" (a duplicate). Aliases are bound when the text is written:
# the n-th anchor defined so far (or still open, when to_open: a recursive alias); a scalar if none.
def weighted(common, weight, rare):
    """One of ``common`` (each ``weight`` times as likely as one of ``rare``), with a short repr."""
    options = list(common) * weight + list(rare)

    def option(i):
        return options[i]

    return st.integers(0, len(options) - 1).map(option)


def make_nodes(refused):
    """Node trees; with ``refused``, some scalars, keys and anchors the loader refuses."""
    scalars = weighted(SCALARS, 4, BAD_SCALARS if refused else [])
    keys = weighted(GOOD_KEYS, 3, BAD_KEYS if refused else [])
    anchor = weighted([None] * 5 + ["new"] * 4, 1, ["again"] if refused else [])
    leaves = st.one_of(
        scalars.map(lambda s: ("scalar", s)),
        TEXT.map(lambda s: ("scalar", repr(s) if s.strip() != s or s[0] == "-" else s)),
        st.tuples(st.just("alias"), st.integers(0, 5), st.sampled_from([False] * 9 + [True] if refused else [False])),
    )
    unique = st.lists(st.tuples(st.sampled_from(GOOD_KEYS), leaves), max_size=4, unique_by=lambda kv: kv[0])
    return st.recursive(
        leaves,
        lambda kids: st.one_of(
            st.tuples(st.just("seq"), st.lists(kids, max_size=4), anchor, st.booleans()),
            st.tuples(st.just("map"), st.lists(st.tuples(st.sampled_from(GOOD_KEYS), kids), max_size=4,
                                               unique_by=lambda kv: kv[0]), anchor, st.booleans()),
            st.tuples(st.just("map"), st.lists(st.tuples(keys, kids), max_size=3)
                      if refused else unique, anchor, st.booleans()),
        ),
        max_leaves=20,
    )


nodes = make_nodes(refused=True)
clean_nodes = make_nodes(refused=False)


class Writer:
    """YAML text for a node tree, in document order (so aliases can name earlier anchors)."""

    def __init__(self):
        self.closed, self.open = [], []

    def anchor(self, node):
        if node[2] is None:
            return None, ""
        if node[2] == "again" and self.closed:
            name = self.closed[0]
        else:
            name = f"n{len(self.closed) + len(self.open)}"
        self.open.append(name)
        return name, f"&{name} "

    def close(self, name):
        if name is not None:
            self.open.remove(name)
            self.closed.append(name)

    def flow(self, node):
        kind = node[0]
        if kind == "scalar":
            return node[1]
        if kind == "alias":
            pool = self.open if node[2] and self.open else self.closed
            return "*" + pool[node[1] % len(pool)] if pool else "x"
        name, prefix = self.anchor(node)
        if kind == "seq":
            text = "[" + ", ".join(self.flow(k) for k in node[1]) + "]"
        else:
            text = "{" + ", ".join(f"{k}: {self.flow(v)}" for k, v in node[1]) + "}"
        self.close(name)
        return prefix + text

    def block(self, node, indent, head):
        """``head`` then the node: block style for non-empty containers marked block, flow otherwise."""
        kind = node[0]
        if kind not in ("seq", "map") or not node[1] or not node[3]:
            return [f"{head} {self.flow(node)}" if head else self.flow(node)]
        name, prefix = self.anchor(node)
        lines = [f"{head} {prefix}".strip()] if head or prefix else []
        pad = " " * indent
        for item in node[1]:
            k, v = item if kind == "map" else ("-", item)
            lines += self.block(v, indent + 2, f"{pad}{k}:" if kind == "map" else f"{pad}-")
        self.close(name)
        return lines


def render(node, wrapper):
    if wrapper == "nested":
        return f"top: {Writer().flow(node)}\n"
    if wrapper == "item":
        return f"- {Writer().flow(node)}\n"
    lines = Writer().block(node, 0, "")
    if lines and lines[0].startswith("&"):
        lines[0] = "--- " + lines[0]
    text = "\n".join(lines)
    return {"plain": "{}", "start": "---\n{}", "comments": "# c\n{}\n# d", "end": "{}\n...",
            "two": "{}\n---\nx: 1", "directive": "%YAML 1.1\n---\n{}"}[wrapper].format(text) + "\n"


WRAPPERS = ["plain"] * 6 + ["start", "comments", "end", "two", "directive", "nested", "item"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=nodes, wrapper=st.sampled_from(WRAPPERS))
def test_generated_yaml_text(node, wrapper):
    assert_same(render(node, wrapper))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=clean_nodes, wrapper=st.sampled_from(WRAPPERS))
def test_generated_yaml_text_without_refused_parts(node, wrapper):
    assert_same(render(node, wrapper))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=nodes, depth=st.integers(36, 42), opener=st.sampled_from(["[", "{k: "]))
def test_generated_deep_documents(node, depth, opener):
    closer = "]" if opener == "[" else "}"
    assert_same("a: " + opener * depth + Writer().flow(node) + closer * depth + "\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=clean_nodes, limit=st.integers(0, 30))
def test_generated_aliases_with_a_small_expansion_limit(node, limit):
    text = render(node, "plain")
    saved = Y.MAX_ALIAS_NODES
    Y.MAX_ALIAS_NODES = limit
    try:
        assert_same(text)
    finally:
        Y.MAX_ALIAS_NODES = saved


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.dates(), st.datetimes(),
    st.sampled_from(["610 g/L", "国六", "120119", "20 蒸吨/时", "‰", "1e309 m", "yes", "0x1F", "<<", "<key>"]),
)
data = st.recursive(
    scalars,
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=12), kids, max_size=4)),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=data, flow_style=st.sampled_from([None, True, False]))
def test_dumped_documents(value, flow_style):
    try:
        text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=flow_style)
    except (yaml.YAMLError, UnicodeEncodeError):
        return
    assert_same(text)


def test_dates_and_times_keep_their_types():
    doc = Y.load_text("a: 2019-01-01\nb: 2019-01-01 10:00:00\nc: 2019-01-01T10:00:00Z\n", "x")
    assert type(doc.data["a"]) is dt.date and type(doc.data["b"]) is dt.datetime
    assert doc.data["c"].tzinfo is not None
    assert_same("a: 2019-01-01\nb: 2019-01-01 10:00:00\nc: 2019-01-01T10:00:00Z\n")
