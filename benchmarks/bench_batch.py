#!/usr/bin/env python3
"""Batch inputs and outputs (docs/batch.md): `compliance check REGISTER.jsonl
--format F -o FILE` for each output format, and the same records as a folder
of YAML files against one JSON Lines file.

Each run is a child process; the figure is its CPU time (user + system,
from RUSAGE_CHILDREN), the median of --repeats interleaved runs, reported as
a ratio to `--format jsonl` on the same register in the same run. Records
are benchmarks/records.py's synthetic facilities (seeded). Peak RSS (VmHWM)
of the jsonl and parquet runs at --small and --large records shows that
memory stays flat.

    python benchmarks/bench_batch.py                      # 20 000 records, 3 repeats
    python benchmarks/bench_batch.py --large 5000 --repeats 1
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

from records import iter_records

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHILD = ("import re, sys\nfrom compliance.cli import main\nrc = main(sys.argv[1:])\n"
         "sys.stderr.write(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\nsys.exit(rc)")


def _run(args):
    env = {**os.environ, "PYTHONPATH": REPO}
    env.pop("CI", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{args}: exit {proc.returncode}: {proc.stderr[-1000:]}")
    rss = int(re.findall(r"(\d+)$", proc.stderr.strip())[-1]) if proc.stderr.strip() else 0
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=2000)
    ap.add_argument("--large", type=int, default=20000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench_batch_")
    try:
        _bench(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _bench(args, tmp: str) -> None:
    large, small, folder = (os.path.join(tmp, n) for n in ("large.jsonl", "small.jsonl", "folder"))
    os.mkdir(folder)
    import yaml

    with open(large, "w", encoding="utf-8") as big, open(small, "w", encoding="utf-8") as little:
        for i, rec in enumerate(iter_records(args.large, args.seed)):
            line = json.dumps(rec, ensure_ascii=False, default=str) + "\n"
            big.write(line)
            if i < args.small:
                little.write(line)
                with open(os.path.join(folder, f"r{i:06d}.yaml"), "w", encoding="utf-8") as fh:
                    yaml.safe_dump(rec, fh, allow_unicode=True)
    out = os.path.join(tmp, "out")
    cases = {f: ["check", large, "--format", f, "-o", f"{out}.{f}"] for f in ("jsonl", "json", "csv", "parquet", "xlsx")}
    cases["jsonl --summary"] = cases["jsonl"] + ["--summary"]
    cases["jsonl --progress"] = cases["jsonl"] + ["--progress"]
    cases["small jsonl"] = ["check", small, "--format", "jsonl", "-o", f"{out}.s.jsonl"]
    cases["small parquet"] = ["check", small, "--format", "parquet", "-o", f"{out}.s.parquet"]
    cases["small folder"] = ["check", folder, "--format", "jsonl", "-o", f"{out}.f.jsonl"]
    cpu = {k: [] for k in cases}
    rss = {k: [] for k in cases}
    for _ in range(args.repeats):
        for k, a in cases.items():
            c, r = _run(a)
            cpu[k].append(c)
            rss[k].append(r)
    med = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"{args.large} records ({args.small} for 'small'), CPU seconds, median of {args.repeats}")
    for k in cases:
        base = med["small jsonl"] if k.startswith("small") else med["jsonl"]
        print(f"  {k:18s} {med[k]:7.2f}  x{med[k] / base:.2f}   peak RSS {statistics.median(rss[k]) / 1024:.1f} MiB")
    print(f"folder of YAML / JSON Lines ({args.small} records): x{med['small folder'] / med['small jsonl']:.2f}")
    for f in ("jsonl", "parquet"):
        ratio = statistics.median(rss[f]) / statistics.median(rss[f"small {f}"])
        print(f"peak RSS {f}, {args.large} / {args.small} records: x{ratio:.2f}")


if __name__ == "__main__":
    main()
