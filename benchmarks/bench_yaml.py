#!/usr/bin/env python3
"""YAML loading: ``compliance._yaml.load_text`` against plain PyYAML and the old loader.

Times, in one process and on the same texts, per document:

* ``yaml.load(text, Loader=yaml.CSafeLoader)`` -- LibYAML parsing with
  PyYAML's Python constructor: plain data, no locations, no checks;
* ``old``: ``compliance._yaml._load_text_reference``, the compose-and-walk
  loader the library used before (kept as the reference);
* ``new``: ``compliance._yaml.load_text`` (LibYAML events, lazy locations);
* ``new, cold memo``: the same with the resolver memo emptied before every
  document (the first document a process loads);
* ``new + whole map``: the same, then every location asked for (the cost when
  a record has problems to report).

over (a) every file in ``examples/``, (b) N synthetic records from
``records.generate(N, seed)`` dumped with ``yaml.safe_dump(allow_unicode=True)``
and (c) the bundled rulesets (which use anchors and aliases). The methods run
interleaved, repeat by repeat, and each figure is the median over the repeats
of process CPU time per document (``time.process_time``), so that other load
on a shared machine spreads over all of them; the ratios to CSafeLoader are
the figures to read. It checks that old and new give the same data.

    python benchmarks/bench_yaml.py                  # 1000 records, 7 repeats
    python benchmarks/bench_yaml.py --records 200 --repeats 3
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import compliance  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

import compliance._yaml as Y  # noqa: E402

try:
    from records import generate  # noqa: E402
except ImportError:  # an older checkout: the generator lived in bench_check.py
    from bench_check import generate  # type: ignore  # noqa: E402


def _yaml_load(text: str) -> object:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def _old(text: str) -> object:
    return Y._load_text_reference(text, "bench.yaml")


def _new(text: str) -> object:
    return Y.load_text(text, "bench.yaml")


def _new_cold(text: str) -> object:
    Y._RESOLVED.clear()
    return Y.load_text(text, "bench.yaml")


def _new_whole_map(text: str) -> object:
    doc = Y.load_text(text, "bench.yaml")
    return len(doc.locations)


METHODS: Dict[str, Callable[[str], object]] = {
    "yaml.load(CSafeLoader)": _yaml_load,
    "old (compose + walk)": _old,
    "new": _new,
    "new, cold memo": _new_cold,
    "new + whole map": _new_whole_map,
}


def measure(texts: List[str], repeats: int) -> Dict[str, float]:
    """Median over ``repeats`` of CPU microseconds per document, methods interleaved."""
    runs: Dict[str, List[float]] = {name: [] for name in METHODS}
    for f in METHODS.values():  # warm up
        for text in texts[:50]:
            f(text)
    for _ in range(repeats):
        for name, f in METHODS.items():
            gc.collect()
            start = time.process_time()
            for text in texts:
                f(text)
            runs[name].append((time.process_time() - start) / len(texts) * 1e6)
    return {name: statistics.median(r) for name, r in runs.items()}


def check_same(texts: List[str]) -> None:
    for text in texts:
        old, new = Y._load_text_reference(text, "x"), Y.load_text(text, "x")
        if old.data != new.data or dict(new.locations) != old.locations:
            raise SystemExit(f"old and new loaders disagree on:\n{text[:500]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)

    examples = [p.read_text("utf-8") for p in sorted((ROOT / "examples").glob("*.yaml"))]
    records = [yaml.safe_dump(r, allow_unicode=True) for r in generate(args.records, args.seed)]
    rulesets = [p.read_text("utf-8") for p in sorted((ROOT / "rulesets").glob("*.yaml"))]
    sets = {
        f"(a) examples/ ({len(examples)} files, ×40)": examples * 40,
        f"(b) synthetic records ({len(records)})": records,
        f"(c) rulesets/ ({len(rulesets)} files, ×2)": rulesets * 2,
    }
    for texts in sets.values():
        check_same(texts[: 200])

    print(f"Python {platform.python_version()}, PyYAML {yaml.__version__} "
          f"(LibYAML {'yes' if getattr(yaml, '__with_libyaml__', False) else 'no'}); "
          f"median of {args.repeats} repeats, process CPU time, µs per document")
    for label, texts in sets.items():
        size = sum(len(t.encode()) for t in texts) / len(texts)
        med = measure(texts, args.repeats)
        base = med["yaml.load(CSafeLoader)"]
        print(f"\n{label}, mean {size:,.0f} bytes")
        for name, us in med.items():
            print(f"  {name:24s} {us:9.1f} µs   {us / base:5.2f} × CSafeLoader")
        print(f"  new / CSafeLoader = {med['new'] / base:.2f}, old / CSafeLoader = "
              f"{med['old (compose + walk)'] / base:.2f}, new / old = {med['new'] / med['old (compose + walk)']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
