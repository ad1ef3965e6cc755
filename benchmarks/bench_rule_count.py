#!/usr/bin/env python3
"""(f) Rule count ×1 / ×2 / ×5: does the library's cost grow with the number of rules?

Writes renamed copies of the Jizhou ruleset into a temporary directory (the
``id:`` of the ruleset and of every rule gets a suffix, ``-c1`` ... ``-c5``)
and builds evaluators from 1, 2 and 5 copies, so that the library evaluates
1×, 2× and 5× the Jizhou rules on every Jizhou record. The three run
interleaved on the same generated records through harness.library_statuses;
the figures are CPU µs per record and the ratio to ×1 (a cost linear in the
rules would give 2 and 5; the fixed per-record cost -- loading and
normalising the record -- keeps it lower). A sanity check first: on the first
records, ×k gives k times each status of ×1.

    python benchmarks/bench_rule_count.py            # 5000 records, 5 repeats, engine auto
    python benchmarks/bench_rule_count.py --quick    # 2000 records, 3 repeats
    python benchmarks/bench_rule_count.py --engine direct
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import List, Optional, Sequence

import harness as H
from harness import Side, say
from records import generate

from handwritten_jizhou import JIZHOU_RULESET

SOURCE = H.ROOT / "rulesets" / f"{JIZHOU_RULESET}.yaml"
COPIES = (1, 2, 5)
RULESET_ID = re.compile(r"^(  id: )(\S+)$", re.M)  # ruleset.id (the only two-space `id:`)
RULE_ID = re.compile(r"^(  - id: )(\S+)$", re.M)  # every rule


def write_copies(directory: Path, k: int) -> List[str]:
    text = SOURCE.read_text(encoding="utf-8")
    n_rules = len(RULE_ID.findall(text))
    paths = []
    for c in range(1, k + 1):
        out, n = RULESET_ID.subn(rf"\g<1>\g<2>-c{c}", text)
        out, m = RULE_ID.subn(rf"\g<1>\g<2>-c{c}", out)
        assert n == 1 and m == n_rules, (n, m, n_rules)
        path = directory / f"{JIZHOU_RULESET}-c{c}.yaml"
        path.write_text(out, encoding="utf-8")
        paths.append(str(path))
    return paths


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="2000 records, 3 repeats")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--block", type=int, default=250)
    ap.add_argument("--engine", default="auto")
    args = ap.parse_args(argv)
    n = 2000 if args.quick else args.records
    repeats = args.repeats or (3 if args.quick else 5)

    from compliance.api import evaluator

    with tempfile.TemporaryDirectory(prefix="bench-rules-") as tmp:
        paths = write_copies(Path(tmp), max(COPIES))
        evs = {k: evaluator(paths[:k], engine=args.engine) for k in COPIES}
    records = generate(n, args.seed)
    n_rules = {k: len(ev.program.rules) for k, ev in evs.items()}
    say(f"(f) rule count: {n} records (seed {args.seed}), {repeats} repeats, engine {args.engine} "
        f"({evs[1].engine}); renamed copies of {JIZHOU_RULESET}")
    say(f"    {H.machine_line()}")
    say(f"    library call: {H.library_path(evs[1])}")

    ok = True
    strip = re.compile(r"-c\d+$")
    for k in COPIES[1:]:
        for rec in records[:300]:
            one = Counter(H.library_keys(evs[1], rec))
            many = Counter((strip.sub("", r), e, s) for r, e, s in H.library_keys(evs[k], rec))
            if many != Counter({(strip.sub("", r), e, s): c * k for (r, e, s), c in one.items()}):
                ok = False
                say(f"    MISMATCH: ×{k} is not {k} × the statuses of ×1 on record {rec['facility']['id']}")
                break
    say(f"    sanity: ×2 and ×5 give 2 and 5 times the statuses of ×1 on the first 300 records: "
        + ("yes" if ok else "NO"))

    for rec in records[:200]:
        for ev in evs.values():
            H.library_statuses(ev, rec)
    H.settle()
    sides = [Side(f"×{k}: {n_rules[k]} rules", lambda r, ev=evs[k]: H.library_statuses(ev, r)) for k in COPIES]
    H.interleaved(records, sides, args.block, repeats)
    say()
    H.side_table(sides, sides[0], "÷ ×1")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
