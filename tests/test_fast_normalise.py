"""The fast normalisation path equals the validating one, or gives up.

``normalise_fast`` must return exactly the :class:`Facts` that
``normalise(record_from_document(doc))`` gives, and give up (``None``) on
every input the validating path rejects or warns about -- so that errors and
warnings are the validating path's by construction.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from compliance._yaml import Document, decode, load_document, load_text
from compliance.errors import InputError
from compliance.normalise import normalise, normalise_fast
from compliance.record import record_from_document

sys.path.insert(0, str(Path(__file__).parent))
from bad_inputs import CASES, content  # noqa: E402
from snapshot import corpus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2020, 1, 1)


def _both(doc, **kw):
    try:
        slow = normalise(record_from_document(doc), today=TODAY, **kw)
    except InputError as exc:
        slow = exc
    return normalise_fast(doc, today=TODAY, **kw), slow


def _same(doc, **kw):
    fast, slow = _both(doc, **kw)
    if fast is None:
        return False
    assert not isinstance(slow, InputError), slow
    assert slow.warnings == ()
    assert fast == slow
    # attrs equality compares dicts; also the typed values' types
    for a, b in zip(fast.all_entities(), slow.all_entities()):
        assert {k: type(v) for k, v in a.values.items()} == {k: type(v) for k, v in b.values.items()}
    return True


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_examples_take_the_fast_path(path):
    doc = load_document(str(path))
    assert _same(doc)
    assert _same(doc, as_of=dt.date(2019, 3, 1), alert="red")


def test_generated_records():
    fast = 0
    records = corpus(seed=3, size=1500)
    for i, data in enumerate(records):
        fast += _same(Document(f"r{i}", data, {}))
    assert fast >= 0.9 * len(records), fast


@pytest.mark.parametrize("case", CASES, ids=[c[1] for c in CASES])
def test_bad_inputs_give_up(case):
    try:
        doc = load_text(decode(content(case), case[1]), case[1])
    except InputError:
        return  # refused while loading: never reaches normalisation
    fast, slow = _both(doc)
    assert fast is None, case[0]
    assert isinstance(slow, InputError) or slow.warnings, case[0]


def test_warnings_give_up():
    doc = load_text("facility: {id: F, region: 120119, industries: [steel, mining]}\n"
                    "boilers:\n  - {id: B1, fuel_form: pellets}\n", "w.yaml")
    fast, slow = _both(doc)
    assert fast is None and slow.warnings


def _fuzz_strategy():
    from test_hardening import _section_strategy

    return _section_strategy()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=_fuzz_strategy())
def test_fuzz_records(record):
    """Random values in every field: the fast path equals or gives up."""
    try:
        data = yaml.safe_load(yaml.safe_dump(record, allow_unicode=True))
    except (yaml.YAMLError, UnicodeEncodeError):
        return
    _same(Document("fuzz", data, {}))
