"""Verdict snapshots of the examples and a generated corpus (see snapshot.py)."""

import os

import pytest

import snapshot

UPDATE = os.environ.get("COMPLIANCE_UPDATE_SNAPSHOTS") == "1"
HOW = "if the change is intended: COMPLIANCE_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py"


def _compare(name, new, differ):
    old = snapshot.load(name)
    if UPDATE or old is None:
        snapshot.save(name, new)
        if old is None and not UPDATE:
            pytest.fail(f"snapshot {name} was missing and has been written; commit it")
        return
    changes = differ(old, new)
    assert not changes, f"{len(changes)} verdicts changed ({HOW}):\n" + "\n".join(changes[:200])


def test_examples_snapshot():
    _compare("examples.json", snapshot.verdicts_of_examples(), snapshot.diff_examples)


def test_corpus_snapshot():
    lines = snapshot.verdicts_of_corpus()
    assert len(snapshot.corpus()) == snapshot.CORPUS_SIZE
    _compare("corpus.json", lines, snapshot.diff_lines)


def test_corpus_is_deterministic():
    import json

    a = json.dumps(snapshot.corpus(), default=str, ensure_ascii=False)
    b = json.dumps(snapshot.corpus(), default=str, ensure_ascii=False)
    assert a == b
