"""Caches never run code and never change a verdict.

The compiled bundled rulesets are cached on disk (a manifest and a pickle
that only the package's model classes can come out of); rulesets loaded by
path are cached in-process by content; the vocabulary's data is cached as
JSON. A cache that is damaged, truncated, inconsistent or hostile is
ignored, and nothing is left half-written in the cache folder.
"""

import io
import json
import os
import pickle
import shutil
import time

import attrs
import pytest

import compliance
from compliance import ruleset as rmod
from compliance import units
from compliance import vocabulary as vmod

from bad_inputs import RULESET_HEAD
from conftest import EXAMPLES


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("COMPLIANCE_NO_CACHE", raising=False)
    return tmp_path / "xdg" / "compliance"


@pytest.fixture(scope="module")
def fresh():
    """The bundled rulesets compiled now, without any cache."""
    return rmod._load_rulesets(None, rmod.bundled_paths(), True)


def _verdicts(rulesets):
    return [[f.to_dict() for f in compliance.check(p, rulesets=list(rulesets)).findings]
            for p in sorted(EXAMPLES.glob("*.yaml"))]


def _same(a, b):
    return [(rs.id, [r.id for r in rs.rules]) for rs in a] == [(rs.id, [r.id for r in rs.rules]) for rs in b]


def _plan():
    plan = rmod._cache_plan(rmod.bundled_paths())
    assert plan is not None
    return plan


def _cache_bytes(payload, plan=None, **manifest_changes):
    """A cache file that agrees with the current files, holding ``payload``."""
    path, key, digests = plan or _plan()
    entries = [{"path": name, "digest": content, "ruleset": "x", "rules": []} for name, _, content in digests]
    manifest = {"key": key, "files": entries, "payload": [len(payload), units.digest(payload)], **manifest_changes}
    return rmod._CACHE_MAGIC + json.dumps(manifest).encode() + b"\n" + payload


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


class _EvilSystem:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_written_cache_is_read_back(cache_dir, fresh):
    first = rmod.load_rulesets()
    path, key, digests = _plan()
    assert path.is_file() and path.parent == cache_dir
    again = rmod._read_cache(path, key, digests)
    assert again is not None and _same(again, fresh) and _same(first, fresh)
    assert path.read_bytes().startswith(rmod._CACHE_MAGIC)


def test_a_pickle_of_an_empty_tuple_is_ignored(cache_dir, fresh):
    rmod.load_rulesets()
    path = _plan()[0]
    path.write_bytes(pickle.dumps(()))  # the old format: would pass every record with "0 rules"
    loaded = rmod.load_rulesets()
    assert _same(loaded, fresh)
    # also behind a manifest that agrees with every file: the shape is checked
    path.write_bytes(_cache_bytes(pickle.dumps(())))
    assert rmod._read_cache(*_plan()) is None
    loaded = rmod.load_rulesets()
    assert _same(loaded, fresh)
    assert _verdicts(loaded) == _verdicts(fresh)


def test_a_manifest_that_does_not_match_its_rulesets_is_ignored(cache_dir, fresh):
    rmod.load_rulesets()
    plan = _plan()
    good = plan[0].read_bytes()
    end = good.index(b"\n", len(rmod._CACHE_MAGIC))
    manifest, payload = json.loads(good[len(rmod._CACHE_MAGIC):end]), good[end + 1:]
    # one rule fewer in the payload than the manifest lists
    shorter = tuple(attrs.evolve(rs, rules=rs.rules[:-1]) if i == 0 else rs for i, rs in enumerate(fresh))
    other = pickle.dumps(shorter, protocol=pickle.HIGHEST_PROTOCOL)
    forged = dict(manifest, payload=[len(other), units.digest(other)])
    plan[0].write_bytes(rmod._CACHE_MAGIC + json.dumps(forged).encode() + b"\n" + other)
    assert rmod._read_cache(*plan) is None
    # a manifest for other file contents
    moved = dict(manifest, files=[dict(e, digest="0" * 64) for e in manifest["files"]])
    plan[0].write_bytes(rmod._CACHE_MAGIC + json.dumps(moved).encode() + b"\n" + payload)
    assert rmod._read_cache(*plan) is None
    # and the untouched file is fine
    plan[0].write_bytes(good)
    assert _same(rmod._read_cache(*plan), fresh)


@pytest.mark.parametrize("evil", [_Evil, _EvilSystem])
def test_a_pickle_that_would_run_code_is_refused_without_running_it(cache_dir, tmp_path, fresh, evil):
    marker = tmp_path / "marker"
    payload = pickle.dumps(evil(str(marker)))
    with pytest.raises(pickle.UnpicklingError):
        rmod._SafeUnpickler(io.BytesIO(payload)).load()
    rmod.load_rulesets()
    path = _plan()[0]
    for data in (payload, _cache_bytes(payload)):  # bare, and behind a manifest that agrees
        path.write_bytes(data)
        assert rmod._read_cache(*_plan()) is None
        loaded = rmod.load_rulesets()
        assert _same(loaded, fresh)
        assert not marker.exists()
    assert not marker.exists()
    # (and it is hostile: a plain unpickler runs it)
    pickle.loads(payload)
    assert marker.exists()


@pytest.mark.parametrize("module, name", [
    ("builtins", "eval"), ("os", "system"), ("subprocess", "Popen"), ("builtins", "getattr"),
    ("compliance.units", "_registry"),            # a function of the package, not a model class
    ("compliance.api", "check"),
    ("compliance.ruleset", "Rule.__init__"),      # dotted names are not resolved
    ("compliance.no_such_module", "Thing"),       # modules are never imported by a cache
    ("compliance.ruleset", "_SafeUnpickler"),     # a class, but not an attrs class
])
def test_only_model_classes_are_resolved(module, name):
    with pytest.raises(pickle.UnpicklingError):
        rmod._SafeUnpickler(io.BytesIO(b"")).find_class(module, name)


def test_a_new_condition_class_needs_no_allow_list_entry(monkeypatch):
    """Any attrs class defined in a compliance module loads: adding a node
    class to compliance/conditions.py needs no change here."""
    import compliance.conditions as cmod

    @attrs.frozen
    class NewNode:
        value: int

    NewNode.__module__ = "compliance.conditions"
    NewNode.__qualname__ = NewNode.__name__ = "NewNodeForTheCacheTest"
    monkeypatch.setattr(cmod, "NewNodeForTheCacheTest", NewNode, raising=False)
    data = pickle.dumps((NewNode(3), frozenset({1}), {"a": [1.5, None]}), protocol=pickle.HIGHEST_PROTOCOL)
    assert rmod._SafeUnpickler(io.BytesIO(data)).load() == (NewNode(3), frozenset({1}), {"a": [1.5, None]})


def test_the_bundled_rulesets_round_trip_through_the_safe_loader(fresh):
    """Every class in a compiled ruleset is one the safe loader accepts
    (else the cache would be refused, and compiled, on every run)."""
    data = pickle.dumps(fresh, protocol=pickle.HIGHEST_PROTOCOL)
    assert _same(rmod._SafeUnpickler(io.BytesIO(data)).load(), fresh)


def test_a_truncated_cache_is_ignored_and_rewritten(cache_dir, fresh):
    rmod.load_rulesets()
    plan = _plan()
    good = plan[0].read_bytes()
    for cut in (len(good) // 2, len(good) - 1, len(rmod._CACHE_MAGIC) + 10, 3):
        plan[0].write_bytes(good[:cut])
        assert rmod._read_cache(*plan) is None
        loaded = rmod.load_rulesets()
        assert _same(loaded, fresh)
        assert plan[0].read_bytes() == good  # written again
    plan[0].write_bytes(good[:len(good) // 2])
    assert _verdicts(rmod.load_rulesets()) == _verdicts(fresh)


def test_no_temporary_file_is_left(cache_dir, monkeypatch):
    rmod.load_rulesets()
    vmod._load_data()
    assert cache_dir.is_dir() and not list(cache_dir.glob("*.tmp"))
    # a write that fails half-way leaves nothing either
    _plan()[0].unlink()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    rmod.load_rulesets()  # compiles, fails to write, still answers
    assert not list(cache_dir.glob("*.tmp")) and not _plan()[0].exists()
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_dir.parent))
    monkeypatch.delenv("COMPLIANCE_NO_CACHE", raising=False)
    # a killed writer's leftovers: removed on the next write once stale, not while fresh
    stale, recent = cache_dir / "rulesets-dead.pickle.x1.tmp", cache_dir / "rulesets-busy.pickle.x2.tmp"
    stale.write_bytes(b"partial")
    recent.write_bytes(b"partial")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    rmod.load_rulesets()
    assert not stale.exists() and recent.exists()


def test_write_atomic_removes_its_temporary_file_on_error(tmp_path, monkeypatch):
    target = tmp_path / "f.json"

    class Boom(Exception):
        pass

    def broken_replace(src, dst):
        raise Boom()

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(Boom):
        units.write_atomic(target, b"data")
    assert list(tmp_path.iterdir()) == []


def test_old_entries_are_pruned(cache_dir):
    cache_dir.mkdir(parents=True)
    for i in range(units.CACHE_KEEP + 5):
        f = cache_dir / f"rulesets-{i:032x}.pickle"
        f.write_bytes(b"old")
        os.utime(f, (1000 + i, 1000 + i))
    rmod.load_rulesets()
    assert len(list(cache_dir.glob("rulesets-*.pickle"))) == units.CACHE_KEEP
    assert _plan()[0].is_file()


def test_nothing_is_written_with_the_cache_off(cache_dir, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_NO_CACHE", "1")
    rmod.load_rulesets()
    vmod._load_data()
    assert rmod._cache_file(rmod.bundled_paths()) is None
    assert not cache_dir.exists()


# ------------------------------------------------------------ the key

def _tree(root):
    (root / "pkg" / "sub" / "deep").mkdir(parents=True)
    (root / "pkg" / "data").mkdir()
    (root / "pkg" / "__init__.py").write_text("x = 1\n")
    (root / "pkg" / "sub" / "__init__.py").write_text("")
    (root / "pkg" / "sub" / "deep" / "mod.py").write_text("y = 2\n")
    (root / "pkg" / "data" / "v.yaml").write_text("a: 1\n")
    return root / "pkg"


def test_the_source_digest_sees_every_file_of_the_tree(tmp_path):
    pkg = _tree(tmp_path)
    before = rmod._source_digest(pkg)
    assert rmod._source_digest(pkg) == before
    (pkg / "sub" / "deep" / "mod.py").write_text("y = 3\n")  # a module two levels down
    changed = rmod._source_digest(pkg)
    assert changed != before
    (pkg / "sub" / "deep" / "__pycache__").mkdir()
    (pkg / "sub" / "deep" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\0compiled")
    assert rmod._source_digest(pkg) == changed  # compiled files are not sources
    (pkg / "newsub").mkdir()
    (pkg / "newsub" / "__init__.py").write_text("")
    assert rmod._source_digest(pkg) != changed  # a new subpackage
    renamed = rmod._source_digest(pkg)
    (pkg / "newsub" / "__init__.py").rename(pkg / "newsub" / "other.py")
    assert rmod._source_digest(pkg) != renamed  # same bytes, another name


def test_the_cache_key_changes_with_a_file_in_a_subpackage(tmp_path, monkeypatch, cache_dir):
    copy = tmp_path / "compliance"
    shutil.copytree(rmod._PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(rmod, "_PACKAGE", copy)
    key = _plan()[1]
    (copy / "kernels").mkdir()
    (copy / "kernels" / "__init__.py").write_text("")
    key2 = _plan()[1]
    assert key2 != key
    (copy / "kernels" / "__init__.py").write_text("# changed\n")
    assert _plan()[1] not in (key, key2)


def test_the_cache_key_changes_with_a_ruleset_file(tmp_path, cache_dir):
    a = tmp_path / "a.yaml"
    a.write_text("x: 1\n")
    k1 = rmod._cache_plan([str(a)])[1]
    a.write_text("x: 2\n")
    assert rmod._cache_plan([str(a)])[1] != k1


# ------------------------------------------------------------ by path, in-process

RULE = RULESET_HEAD + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n"


def test_loading_the_same_files_again_returns_the_same_object(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_NO_CACHE", "1")
    path = tmp_path / "r.yaml"
    path.write_text(RULE, encoding="utf-8")
    first = rmod.load_rulesets([path])
    assert rmod.load_rulesets([path]) is first
    assert rmod.load_rulesets([str(path)]) is first
    assert rmod.load_rulesets([path], with_bundled_parameters=False) is not first
    # the same size and modification time, other bytes: a new load
    stat = path.stat()
    path.write_text(RULE.replace("580 g/L", "581 g/L"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    second = rmod.load_rulesets([path])
    assert second is not first
    assert "581" in repr(second[0].rules[0].require) and "580" in repr(first[0].rules[0].require)
    # back to the first bytes: the first object again
    path.write_text(RULE, encoding="utf-8")
    assert rmod.load_rulesets([path]) is first


def test_a_folder_given_by_path_sees_a_new_file(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_NO_CACHE", "1")
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "a.yaml").write_text(RULE, encoding="utf-8")
    first = rmod.load_rulesets([folder])
    assert rmod.load_rulesets([folder]) is first
    (folder / "b.yaml").write_text(RULE.replace("id: t\n", "id: t2\n").replace("id: t/r", "id: t2/r"), encoding="utf-8")
    assert [rs.id for rs in rmod.load_rulesets([folder])] == ["t", "t2"]


def test_a_ruleset_with_errors_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_NO_CACHE", "1")
    path = tmp_path / "bad.yaml"
    path.write_text(RULE.replace("580 g/L", "580 kg"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(compliance.RulesetError):
            rmod.load_rulesets([path])


# ------------------------------------------------------------ the vocabulary

def test_the_vocabulary_data_is_cached_as_json_and_checked(cache_dir, monkeypatch):
    from_yaml = tuple(vmod._read(name) for name in vmod._FILES)
    assert vmod._load_data() == from_yaml  # written
    [cached] = cache_dir.glob("vocabulary-*.json")

    def no_yaml(text):
        raise AssertionError("parsed the YAML again")

    monkeypatch.setattr(vmod, "_parse", no_yaml)
    assert vmod._load_data() == from_yaml  # read from the cache
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_dir.parent))
    monkeypatch.delenv("COMPLIANCE_NO_CACHE", raising=False)
    for damage in (b"{", b'{"key": "other"}', cached.read_bytes()[:100], b"[]"):
        cached.write_bytes(damage)
        assert vmod._load_data() == from_yaml
    assert not list(cache_dir.glob("*.tmp"))


# ------------------------------------------------------------ tampering (issue #10 class 19)
#
# Each tamper turns the good cache file's bytes into others; the file is
# written in place, and the next load must give the rulesets and verdicts of
# a cold run. The forged ones agree with every file digest, the key, and the
# payload's length and digest: only the checks of what the payload holds
# (ids declared by the files, model types) can refuse them. What no check
# short of compiling again can see -- a forged file of well-typed rules with
# the right ids and other limits or conditions -- is kept out by ownership:
# only the user's own files, writable by nobody else, are read (whoever
# writes as the user can change the package's code as well).

def _split(good):
    end = good.index(b"\n", len(rmod._CACHE_MAGIC))
    return json.loads(good[len(rmod._CACHE_MAGIC):end]), good[end + 1:]


def _forge(good, rulesets):
    """A cache file whose manifest agrees with ``rulesets`` in every way."""
    manifest, _ = _split(good)
    payload = pickle.dumps(tuple(rulesets), protocol=pickle.HIGHEST_PROTOCOL)
    files = [dict(e, ruleset=rs.id, rules=[r.id for r in rs.rules]) for e, rs in zip(manifest["files"], rulesets)]
    return rmod._CACHE_MAGIC + json.dumps(dict(manifest, files=files, payload=[len(payload), units.digest(payload)])
                                          ).encode() + b"\n" + payload


def _with_rule(fresh, change):
    """``fresh`` with its first rule of a ruleset that has rules changed."""
    i = next(i for i, rs in enumerate(fresh) if rs.rules)
    rs = fresh[i]
    return tuple(attrs.evolve(rs, rules=change(rs.rules)) if j == i else other for j, other in enumerate(fresh))


def _other_rules():
    """Rulesets compiled from other files (a user ruleset) under the bundled names."""
    import tempfile

    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "r.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(RULE)
    return rmod._load_rulesets([path], [path], False)


_TAMPERS = {
    "empty tuple, bare": lambda good, fresh: pickle.dumps(()),
    "empty tuple, forged manifest": lambda good, fresh: _cache_bytes(pickle.dumps(())),
    "wrong magic": lambda good, fresh: b"compliance-rulesets/1\n" + good[len(rmod._CACHE_MAGIC):],
    "no magic": lambda good, fresh: good[len(rmod._CACHE_MAGIC):],
    "truncated": lambda good, fresh: good[:-100],
    "one byte flipped": lambda good, fresh: good[:-50] + bytes([good[-50] ^ 1]) + good[-49:],
    "os.system, bare": lambda good, fresh: pickle.dumps(_EvilSystem("/tmp/compliance-cache-pwned")),
    "os.system, forged manifest": lambda good, fresh: _cache_bytes(pickle.dumps(_EvilSystem("/tmp/compliance-cache-pwned"))),
    "a rule dropped, forged manifest": lambda good, fresh: _forge(good, _with_rule(fresh, lambda rules: rules[1:])),
    "rules reordered, forged manifest": lambda good, fresh: _forge(good, _with_rule(fresh, lambda rules: rules[::-1])),
    "a rule renamed, forged manifest": lambda good, fresh: _forge(good, _with_rule(
        fresh, lambda rules: (attrs.evolve(rules[0], id=rules[0].id + "-x"),) + rules[1:])),
    "a require that is text, forged manifest": lambda good, fresh: _forge(good, _with_rule(
        fresh, lambda rules: (attrs.evolve(rules[0], require="x"),) + rules[1:])),
    "a date that is text, forged manifest": lambda good, fresh: _forge(good, _with_rule(
        fresh, lambda rules: (attrs.evolve(rules[0], in_force_from="2018-01-01"),) + rules[1:])),
    "other rules, forged manifest": lambda good, fresh: _forge(good, _other_rules() * len(fresh)),
    "the rulesets in another order": lambda good, fresh: _forge(good, fresh[::-1]),
    "a ruleset missing": lambda good, fresh: _forge(good, fresh[:-1]),
    "a list, not a tuple": lambda good, fresh: _cache_bytes(pickle.dumps(list(fresh))),
    "empty file": lambda good, fresh: b"",
    "a directory": None,
}


@pytest.fixture(scope="module")
def cold_verdicts(fresh):
    return _verdicts(fresh)


@pytest.mark.parametrize("tamper", sorted(_TAMPERS))
def test_a_tampered_cache_never_changes_a_verdict(cache_dir, fresh, cold_verdicts, tamper):
    rmod.load_rulesets()
    path = _plan()[0]
    good = path.read_bytes()
    if _TAMPERS[tamper] is None:
        path.unlink()
        path.mkdir()
    else:
        path.write_bytes(_TAMPERS[tamper](good, fresh))
    assert rmod._read_cache(*_plan()) is None
    loaded = rmod.load_rulesets()
    assert _same(loaded, fresh)
    assert _verdicts(loaded) == cold_verdicts
    assert not os.path.exists("/tmp/compliance-cache-pwned")


def test_the_forgery_helper_makes_a_cache_that_is_used(cache_dir, fresh):
    """Control for the forged tampers: forging the cold rulesets as they are
    gives a file that is read back (so a refusal above is the payload's)."""
    rmod.load_rulesets()
    path = _plan()[0]
    path.write_bytes(_forge(path.read_bytes(), fresh))
    assert _same(rmod._read_cache(*_plan()), fresh)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="no POSIX owners")
def test_a_cache_file_others_can_write_or_own_is_not_used(cache_dir, fresh):
    rmod.load_rulesets()
    path = _plan()[0]
    assert path.stat().st_mode & 0o077 == 0  # written for the user alone
    assert rmod._read_cache(*_plan()) is not None
    for mode in (0o666, 0o620, 0o602):
        os.chmod(path, mode)
        assert rmod._read_cache(*_plan()) is None, oct(mode)
    os.chmod(path, 0o600)
    assert rmod._read_cache(*_plan()) is not None
    if os.geteuid() == 0:  # root can give it away: another account's file
        os.chown(path, 4321, -1)
        assert rmod._read_cache(*_plan()) is None
        assert _same(rmod.load_rulesets(), fresh)


@pytest.mark.parametrize("text, expected", [
    ("ruleset:\n  id: a\nrules:\n  - id: a/1\n    when: x\n  # - id: gone\n  - id: \"a/2\"  # note\n",
     ("a", ["a/1", "a/2"])),
    ("# c\nruleset:\n  id: a\n  title:\n    id: not-this\nparameters:\n  - id: p\nrules: []\n", ("a", [])),
    ("ruleset: {id: a}\nrules: []\n", None),                       # flow style: not read
    ("ruleset:\n  id: a\nrules: [{id: a/1}]\n", None),
    ("ruleset:\n  id: &x a\nrules:\n  - id: *x\n", None),           # anchors and aliases: not read
    ("rules:\n  - id: a/1\n", None),                               # no ruleset id
])
def test_the_declared_ids_are_read_from_the_block_layout_only(text, expected):
    assert rmod._declared_ids(text) == expected


def test_every_bundled_file_declares_the_ids_it_compiles_to(fresh):
    """Else its cache would never be used (compiled on every run)."""
    for rs in fresh:
        with open(rs.file, encoding="utf-8") as fh:
            assert rmod._declared_ids(fh.read()) == (rs.id, [r.id for r in rs.rules]), rs.file


_KILLED_WRITER = """
    import os, sys, time
    from pathlib import Path
    from compliance import units

    def slow(fd, data):
        os.write(fd, data[:len(data) // 2])
        print("writing", flush=True)
        time.sleep(60)
        os.write(fd, data[len(data) // 2:])

    units._write_all = slow
    units.write_atomic(Path(sys.argv[1]) / "rulesets-x.pickle", b"x" * 100000)
"""


@pytest.mark.skipif(not hasattr(os, "kill") or os.name != "posix", reason="needs SIGKILL")
def test_a_writer_killed_mid_write_leaves_no_temporary_file(cache_dir, fresh):
    import signal
    import subprocess
    import sys
    import textwrap

    cache_dir.mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=str(rmod._PACKAGE.parent))
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(_KILLED_WRITER), str(cache_dir)],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    assert not (cache_dir / "rulesets-x.pickle").exists()  # never a half-written file under the name
    # where the system has unnamed temporary files nothing is left at all;
    # elsewhere the dead writer's file is removed by the next write
    left = list(cache_dir.glob("*.tmp"))
    assert all(f.name.split(".")[-3] == str(proc.pid) for f in left), left
    assert _same(rmod.load_rulesets(), fresh)
    assert not list(cache_dir.glob("*.tmp"))
    assert rmod._read_cache(*_plan()) is not None


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="no POSIX owners")
def test_the_vocabulary_cache_is_used_only_when_it_is_the_users_own(cache_dir):
    """The vocabulary cache (JSON of the record format, regions, stages)
    decides verdicts too: a copy another account could write is not read."""
    from compliance import vocabulary as vmod

    cold = vmod._load_data()  # writes the cache
    (path,) = cache_dir.glob("vocabulary-*.json")
    forged = json.loads(path.read_text("utf-8"))
    name = next(n for n in vmod._FILES if isinstance(forged.get(n), dict) and forged[n])
    forged[name] = {"forged": True}
    path.write_text(json.dumps(forged), "utf-8")
    os.chmod(path, 0o600)
    assert vmod._load_data() != cold  # control: the user's own file is read as it is
    os.chmod(path, 0o666)
    assert vmod._load_data() == cold  # writable by others: read from the YAML again
