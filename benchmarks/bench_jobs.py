"""``check --jobs N`` and ``--dask local``: 1 vs 2 workers on a register of
generated records (JSON Lines), and peak memory at 10k vs 100k records.

    PYTHONPATH=$PWD python benchmarks/bench_jobs.py [--records 100000] [--repeats 3] [--format jsonl]

Each configuration runs the CLI as a subprocess writing ``-o FILE``; the
runs are interleaved (1, 2, dask 1, dask 2, then again) so that the load
of anything else on the machine falls on all of them alike; medians and
ratios are printed, with the load average before and after (the machine
has 2 cores: whatever else runs takes from the second worker first). The
outputs of every run are compared (bytes; they must be equal).

Peak memory: the largest resident size of the whole process tree (the CLI,
its workers, the Dask scheduler and nannies), sampled every 50 ms from
/proc, at ``--small`` (10k) and ``--records`` records: a ratio near 1 is
flat memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from records import iter_records  # noqa: E402

CLI = [sys.executable, "-c", "from compliance.cli import run; run()"]


def register(path: Path, n: int, seed: int = 1) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for rec in iter_records(n, seed=seed):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _tree(pid: int) -> List[int]:
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far (/proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


#: CPU seconds of the last :func:`run`'s process tree (every process seen
#: while sampling, its last reading: a lower bound for short-lived ones).
LAST_CPU = [0.0]


def run(argv: Sequence[str]) -> Tuple[float, int, int]:
    """(wall seconds, peak tree RSS KB, peak parent RSS KB) of one CLI run."""
    start = time.perf_counter()
    proc = subprocess.Popen([*CLI, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_parent = 0
    cpu: Dict[int, float] = {}
    while proc.poll() is None:
        pids = _tree(proc.pid)
        rss = [_rss_kb(p) for p in pids]
        for p in pids:
            cpu[p] = max(cpu.get(p, 0.0), _cpu_s(p))
        peak = max(peak, sum(rss))
        peak_parent = max(peak_parent, rss[0] if rss else 0)
        time.sleep(0.05)
    LAST_CPU[0] = sum(cpu.values())
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv}: exit {proc.returncode}\n{err}")
    return wall, peak, peak_parent


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--format", default="jsonl")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench_jobs."))
    big, small = tmp / "big.jsonl", tmp / "small.jsonl"
    register(big, args.records)
    register(small, args.small)
    configs: Dict[str, List[str]] = {"--jobs 1": ["--jobs", "1"], "--jobs 2": ["--jobs", "2"]}
    if not args.no_dask:
        configs["--dask local --jobs 1"] = ["--dask", "local", "--jobs", "1"]
        configs["--dask local --jobs 2"] = ["--dask", "local", "--jobs", "2"]
    print(f"# {args.records} records ({big.stat().st_size / 1e6:.0f} MB JSON Lines), --format {args.format}, "
          f"{os.cpu_count()} cores; load average before: {load()}")
    # start-up: one record, pool or cluster made and closed
    one = tmp / "one.jsonl"
    register(one, 1)
    for name, extra in configs.items():
        walls = [run(["check", str(one), "--format", args.format, "-o", str(tmp / "o1"), *extra])[0]
                 for _ in range(args.repeats)]
        print(f"start-up (1 record) {name:24s} median {statistics.median(walls):6.2f} s")
    walls: Dict[str, List[float]] = {k: [] for k in configs}
    cpus: Dict[str, List[float]] = {k: [] for k in configs}
    peaks: Dict[str, List[int]] = {k: [] for k in configs}
    digests = set()
    for _ in range(args.repeats):
        for name, extra in configs.items():
            out = str(tmp / "out")
            wall, peak, _parent = run(["check", str(big), "--format", args.format, "-o", out, *extra])
            walls[name].append(wall)
            cpus[name].append(LAST_CPU[0])
            peaks[name].append(peak)
            digests.add(digest(out))
    base = statistics.median(walls["--jobs 1"])
    for name in configs:
        med = statistics.median(walls[name])
        print(f"{name:24s} median {med:7.2f} s  {args.records / med:8.0f} records/s  "
              f"x{base / med:.2f} vs --jobs 1  (runs: {', '.join(f'{w:.1f}' for w in walls[name])})")
    cpu1 = statistics.median(cpus["--jobs 1"])
    print("# CPU seconds of the whole process tree (not slowed by the load, unlike wall time); with N idle cores")
    print("# the best wall time is about cpu / N, so 'ideal' is the speed-up the work allows:")
    for name in configs:
        c = statistics.median(cpus[name])
        n = int(name.rsplit(" ", 1)[1])
        print(f"{name:24s} cpu {c:7.1f} s  x{c / cpu1:.2f} the work of --jobs 1  ideal speed-up on {n} idle cores "
              f"x{min(n, n * cpu1 / c):.2f}")
    if "--dask local --jobs 1" in walls:
        d1, d2 = (statistics.median(walls[f"--dask local --jobs {n}"]) for n in (1, 2))
        print(f"dask local 2 workers vs 1: x{d1 / d2:.2f}")
    print(f"outputs identical across all runs: {len(digests) == 1}")
    print("# peak RSS of the process tree (KB), small vs large register:")
    for name, extra in configs.items():
        _, peak_small, parent_small = run(["check", str(small), "--format", args.format, "-o", str(tmp / "os"),
                                           *extra])
        _, peak_big, parent_big = run(["check", str(big), "--format", args.format, "-o", str(tmp / "ob"), *extra])
        print(f"{name:24s} {args.small}: {peak_small:8d}  {args.records}: {peak_big:8d}  ratio {peak_big / peak_small:.2f}"
              f"   (parent alone: {parent_small} -> {parent_big}, ratio {parent_big / parent_small:.2f})")
    print(f"# load average after: {load()}")
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
