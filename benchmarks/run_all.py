#!/usr/bin/env python3
"""Run every benchmark, one after the other, each in its own process.

    python benchmarks/run_all.py --quick      # about 1 minute on 2 cores
    python benchmarks/run_all.py              # full sizes, with the 1M-record scaling run (about 9.5 minutes)
    python benchmarks/run_all.py --sizes 1000,10000,100000   # full, without the 1M run
    python benchmarks/run_all.py --only a,c   # some of them (letters as in the README)

Exit status 1 if a script failed (an agreement check, or a crash); the
others still run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = (
    ("a", "bench_check.py", "in-process like for like, 45 Jizhou rules"),
    ("b", "bench_user_rules.py", "nine-rule user ruleset given by path"),
    ("c", "bench_cli_batch.py", "CLI on a batch of YAML files"),
    ("d", "bench_cli_start.py", "single-record CLI start-up"),
    ("e", "bench_scaling.py", "streaming 1k … 1M records: µs/record and peak RSS"),
    ("f", "bench_rule_count.py", "rule count ×1 / ×2 / ×5"),
    ("g", "bench_columnar.py", "columnar evaluation of a 100 000-row ledger vs hand-written per-row Python"),
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="the quick mode of every script")
    ap.add_argument("--only", help="comma-separated letters (a–g)")
    ap.add_argument("--sizes", help="record counts for the scaling run (e), passed on as --sizes")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    results = []
    start = time.perf_counter()
    for letter, script, what in SCRIPTS:
        if only and letter not in only:
            continue
        cmd = [sys.executable, str(BENCH / script)]
        if args.quick:
            cmd.append("--quick")
        if letter == "e" and args.sizes:
            cmd += ["--sizes", args.sizes]
        print(f"\n=== ({letter}) {script}: {what}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.call(cmd)
        results.append((letter, script, code, time.perf_counter() - t0))
    print(f"\n=== summary ({'quick' if args.quick else 'full'} mode, {time.perf_counter() - start:.0f} s)")
    for letter, script, code, secs in results:
        print(f"  ({letter}) {script:22} {'ok' if code == 0 else f'FAILED (exit {code})':18} {secs:6.0f} s")
    return 0 if all(code == 0 for *_, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
