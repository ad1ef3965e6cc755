#!/usr/bin/env python3
"""(e) Scaling: stream 1k / 10k / 100k / 1M records through the library, one child process per size.

Each child generates its records lazily from the seed (records.iter_records:
one dict at a time, never a list) and streams them through
``compliance.iter_check(records)`` if the library has it (else one
``compliance.check(record)`` per dict), with every bundled ruleset and the
default engine, dropping each report after counting its violations. It
reports the library's CPU µs per record (the generator's own time is measured
separately and subtracted) and its peak RSS (VmHWM). Flat memory means the
RSS ratio to the 10k run stays near 1 however many records stream through.

    python benchmarks/bench_scaling.py                     # 1k, 10k, 100k, 1M (the 1M run takes minutes)
    python benchmarks/bench_scaling.py --quick             # 1k, 10k, 100k
    python benchmarks/bench_scaling.py --sizes 1000,10000,300000
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, Iterator, List, Optional, Sequence

import harness as H
from harness import say
from records import iter_records

FULL = (1000, 10000, 100000, 1000000)
QUICK = (1000, 10000, 100000)
REFERENCE = 10000


def _child(n: int, seed: int, generator_only: bool) -> int:
    import compliance

    gen_cpu = [0.0]

    def timed(it: Iterator[dict]) -> Iterator[dict]:
        clock = time.process_time
        while True:
            t0 = clock()
            try:
                rec = next(it)
            except StopIteration:
                return
            gen_cpu[0] += clock() - t0
            yield rec

    source = timed(iter_records(n, seed))
    reports: Iterator[Any]
    if generator_only:
        api = "generator only"
        reports = source
    elif hasattr(compliance, "iter_check"):
        api = "compliance.iter_check(records)"
        compliance.evaluator()  # compile the rulesets outside the timed loop (iter_check does it before record 1)
        reports = compliance.iter_check(source)
    else:
        api = "compliance.check(record) per dict"
        compliance.evaluator()
        reports = (compliance.check(rec) for rec in source)
    count = violating = failed = 0
    c0, w0 = time.process_time(), time.perf_counter()
    for rep in reports:
        count += 1
        if generator_only:
            continue
        has = getattr(rep, "has_violations", None)
        if has is None:  # a Failure: the record could not be checked
            failed += 1
        elif has:
            violating += 1
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    H.child_report(api=api, records=count, cpu=cpu, gen_cpu=gen_cpu[0], wall=wall, violating=violating,
                   failed=failed)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", help=f"comma-separated record counts (default {','.join(map(str, FULL))}; "
                                    f"--quick {','.join(map(str, QUICK))})")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--generator-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        return _child(args.child, args.seed, args.generator_only)
    sizes: List[int] = [int(s) for s in args.sizes.split(",")] if args.sizes else list(QUICK if args.quick else FULL)
    if REFERENCE not in sizes:
        sizes.append(REFERENCE)
    sizes.sort()

    say(f"(e) scaling: records streamed through the library, one child process per size (seed {args.seed})")
    say(f"    {H.machine_line()}")
    base = H.child_json([H.PYTHON, __file__, "--child", str(REFERENCE), "--seed", str(args.seed),
                         "--generator-only"])
    results = {}
    for n in sizes:
        t0 = time.perf_counter()
        results[n] = H.child_json([H.PYTHON, __file__, "--child", str(n), "--seed", str(args.seed)],
                                  timeout=300 + n * 0.005)  # 5 ms a record: 20 times the usual cost
        say(f"    {n:>9} records done in {time.perf_counter() - t0:.0f} s")
    say(f"    library call: {results[sizes[0]]['api']}, all bundled rulesets, default engine")
    ref = results[REFERENCE]
    ref_us = (ref["cpu"] - ref["gen_cpu"]) / ref["records"] * 1e6
    rows = [[f"{REFERENCE} (generator only)", "-", f"{base['gen_cpu'] / base['records'] * 1e6:.1f}", "-",
             H.mib(base["peak_rss_kib"]), f"{base['peak_rss_kib'] / ref['peak_rss_kib']:.2f}", "-"]]
    for n in sizes:
        r = results[n]
        us = (r["cpu"] - r["gen_cpu"]) / r["records"] * 1e6
        rows.append([f"{n}", f"{us:.1f}", f"{r['gen_cpu'] / r['records'] * 1e6:.1f}", f"{r['wall']:.1f} s",
                     H.mib(r["peak_rss_kib"]), f"{r['peak_rss_kib'] / ref['peak_rss_kib']:.2f}",
                     f"{us / ref_us:.2f}"])
        if r["failed"]:
            say(f"    NOTE: {r['failed']} of {n} records could not be checked")
    say()
    H.table(["records", "library CPU µs/rec", "generator µs/rec", "wall", "peak RSS", "RSS ÷ 10k", "µs ÷ 10k"],
            rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
