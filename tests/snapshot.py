"""Verdict snapshots: the full findings for every example and a generated corpus.

A snapshot is committed under ``tests/snapshots/``; ``test_snapshots.py``
fails on any difference and prints it as (record, rule, entity): old status →
new status; findings are compared in order, so a change of order or a second
finding for one (rule, entity) shows too (:func:`diff_sequence`). To accept a change on purpose::

    COMPLIANCE_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py

The corpus is generated from a fixed seed out of the record format only (not
from the rules), so a rule edit shows up as changed verdicts, not as a
different corpus.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections import Counter
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from compliance.api import evaluator
from compliance.normalise import normalise
from compliance.record import load_record, record_from_data
from compliance.vocabulary import vocabulary

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SNAPSHOTS = HERE / "snapshots"
CORPUS_SEED = 20181205
CORPUS_SIZE = 300

#: Magnitude ranges (in the canonical unit) the corpus draws quantities from.
RANGES = {
    "g/L": (250, 750), "MW": (0.3, 60), "mg/m^3": (2, 320), "percent": (0, 100), "m": (8, 120),
    "kg/h": (0, 8), "m^3/h": (500, 120000), "t/a": (0, 8000), "t": (1, 49), "permille": (0, 12),
    "t/(month*km^2)": (1, 14), "µg/m^3": (15, 90),
}
#: fields that name a file (a CEMS export: docs/cems.md), left out of the corpus
REFERENCES = {"stacks": ("cems",)}
REGIONS = ["120119", "120119", "120110", "110106", "120000", "120116", "110108"]
AS_OF = [dt.date(y, m, d) for y, m, d in [(2014, 9, 1), (2018, 11, 15), (2018, 12, 20), (2019, 3, 1), (2019, 8, 1),
                                           (2020, 6, 1), (2021, 1, 15), (2022, 9, 1), (2023, 8, 1), (2025, 3, 1)]]


def _value(rng: random.Random, spec):
    t = spec.type
    if t == "quantity":
        lo, hi = RANGES.get(spec.unit, (0, 100))
        if spec.max is not None:
            hi = min(hi, spec.max - (1 if spec.max_exclusive else 0))
        return f"{round(rng.uniform(max(lo, 0.1 if spec.positive else lo), hi), 2)} {spec.unit}"
    if t == "bool":
        return rng.random() < 0.5
    if t == "enum":
        return rng.choice(sorted(spec.values))
    if t == "enum_list":
        return rng.sample(sorted(spec.values), k=rng.randint(0, min(2, len(spec.values))))
    if t == "date":
        return dt.date(2010, 1, 1) + dt.timedelta(days=rng.randint(0, 5000))
    if t == "date_or_false":
        return False if rng.random() < 0.4 else dt.date(2016, 1, 1) + dt.timedelta(days=rng.randint(0, 2500))
    if t == "integer":
        return rng.randint(int(spec.min or 0), int(spec.max or 5))
    if t == "coverage":
        return rng.choice([True, True, "100 %", "95 %", False, 0.9])
    if t == "stage":
        return rng.choice(vocabulary().stage_levels(spec.scheme) + (["国六", "国五", "国III"] if spec.scheme == "onroad" else ["第三阶段"]))
    if t == "string":
        return rng.choice(["渔阳镇", "邦均镇", "x"])
    if t == "mapping":
        return {k: _value(rng, s) for k, s in spec.fields.items() if rng.random() < 0.7}
    return None


def corpus(seed: int = CORPUS_SEED, size: int = CORPUS_SIZE) -> List[dict]:
    vocab = vocabulary()
    records = []
    for i in range(size):
        rng = random.Random(f"{seed}-{i}")
        facility = {"id": f"CORPUS-{i:03d}", "region": rng.choice(REGIONS)}
        for name, spec in vocab.sections["facility"].fields.items():
            if name not in ("id", "region") and rng.random() < 0.6:
                facility[name] = _value(rng, spec)
        record = {"context": {"as_of": rng.choice(AS_OF), "alert": rng.choice(["none", "none", "yellow", "orange", "red"])},
                  "facility": facility}
        for name, spec in vocab.sections.items():
            if name == "facility" or rng.random() < 0.5:
                continue
            def entity(n):
                e = {"id": f"{name[:2].upper()}{n}"} if spec.kind == "list" else {}
                for fname, fspec in spec.fields.items():
                    if fname in REFERENCES.get(name, ()):  # a file the corpus does not have; no draw,
                        continue  # so the corpus is the one it was before the field existed
                    if fname != "id" and rng.random() < 0.8:
                        e[fname] = _value(rng, fspec)
                return e
            record[name] = [entity(n) for n in range(rng.randint(1, 3))] if spec.kind == "list" else entity(0)
        records.append(record)
    return records


def example_paths() -> List[Path]:
    return sorted((REPO / "examples").glob("*.yaml"))


def verdicts_of_examples(rulesets=None) -> Dict[str, dict]:
    ev = evaluator(rulesets)
    out = {}
    cwd = os.getcwd()
    os.chdir(REPO)  # stable, relative source paths in the snapshot
    try:
        for path in example_paths():
            rel = str(path.relative_to(REPO))
            facts = normalise(load_record(rel))
            out[rel] = {"as_of": facts.as_of.isoformat(),
                        "findings": [f.to_dict() for f in ev.findings(facts)]}
    finally:
        os.chdir(cwd)
    return out


def verdicts_of_corpus(rulesets=None) -> List[str]:
    ev = evaluator(rulesets)
    lines = []
    for i, record in enumerate(corpus()):
        facts = normalise(record_from_data(record, f"corpus[{i}]"))
        for f in ev.findings(facts):
            obs = "" if f.observed is None else f" {f.observed['value']}{' ' + f.observed['unit'] if f.observed['unit'] else ''}"
            lines.append(f"{i:03d} {f.rule} {f.entity} {f.status}{obs}")
    return lines


def _key(f: dict) -> Tuple[str, str]:
    return f["rule"], f"{f['entity']['type']}[{f['entity']['id']}]"


def diff_sequence(where: str, old: Sequence[Tuple[str, ...]], new: Sequence[Tuple[str, ...]]) -> List[str]:
    """What the keyed comparison cannot see: a (rule, entity) with more or
    fewer findings than before (two findings for one pair), and findings
    in another order."""
    if list(old) == list(new):
        return []
    a, b = Counter(old), Counter(new)
    out = [f"{where} {' '.join(key)}: {a[key]} → {b[key]} findings" for key in sorted(set(a) & set(b)) if a[key] != b[key]]
    out += [f"{where} {' '.join(key)}: {b[key]} findings for one (rule, entity)"
            for key in sorted(set(b) - set(a)) if b[key] > 1]
    if not out and a == b:
        first = next(i for i, (x, y) in enumerate(zip(old, new)) if x != y)
        out.append(f"{where}: findings in another order, from position {first}: "
                   f"{' '.join(old[first])} was there, now {' '.join(new[first])}")
    return out


def diff_examples(old: Dict[str, dict], new: Dict[str, dict]) -> List[str]:
    out: List[str] = []
    for src in sorted(set(old) | set(new)):
        fa, fb = old.get(src, {}).get("findings", []), new.get(src, {}).get("findings", [])
        out.extend(diff_sequence(src, [_key(f) for f in fa], [_key(f) for f in fb]))
        a = {_key(f): f for f in fa}
        b = {_key(f): f for f in fb}
        for key in sorted(set(a) | set(b)):
            rule, entity = key
            if key not in b:
                out.append(f"{src} {rule} {entity}: {a[key]['status']} → (no finding)")
            elif key not in a:
                out.append(f"{src} {rule} {entity}: (no finding) → {b[key]['status']}")
            elif a[key] != b[key]:
                changed = [k for k in sorted(set(a[key]) | set(b[key])) if a[key].get(k) != b[key].get(k)]
                out.append(f"{src} {rule} {entity}: {a[key]['status']} → {b[key]['status']} (changed: {', '.join(changed)})")
    return out


def diff_lines(old: Sequence[str], new: Sequence[str]) -> List[str]:
    def parse(lines):
        out = {}
        for line in lines:
            idx, rule, entity, rest = line.split(" ", 3)
            out[(idx, rule, entity)] = rest
        return out

    a, b = parse(old), parse(new)
    out = diff_sequence("corpus", [tuple(line.split(" ", 3)[:3]) for line in old],
                        [tuple(line.split(" ", 3)[:3]) for line in new])
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            out.append(f"corpus[{key[0]}] {key[1]} {key[2]}: {a.get(key, '(no finding)')} → {b.get(key, '(no finding)')}")
    return out


def load(name: str):
    path = SNAPSHOTS / name
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def save(name: str, data) -> None:
    path = SNAPSHOTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
