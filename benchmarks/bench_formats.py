"""What each report view costs beside ``--format json``: CPU time (user +
system of the child process, medians: independent of other load) and peak
RSS of ``compliance check REGISTER.jsonl --format FMT -o FILE`` on a seeded
register of ``--records`` records (``records.iter_records``).

    python benchmarks/bench_formats.py [--records 1000] [--repeat 3] [FORMAT ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from records import iter_records  # noqa: E402

RUN = "import sys; from compliance.cli import main; sys.exit(main(sys.argv[1:]))"


def run(register: str, fmt: str, out: str):
    """CPU seconds and peak RSS (MiB) of one check, in a fresh process."""
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:]); "
            "r = resource.getrusage(resource.RUSAGE_CHILDREN); print(r.ru_utime + r.ru_stime, r.ru_maxrss)")
    proc = subprocess.run([sys.executable, "-c", code, sys.executable, "-c", RUN, "check", register,
                           "--format", fmt, "-o", out], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": REPO}, check=True)
    cpu, rss = proc.stdout.split()
    return float(cpu), int(rss) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("formats", nargs="*", default=["json", "sarif", "junit", "github", "markdown", "html"])
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        register = os.path.join(tmp, "register.jsonl")
        with open(register, "w", encoding="utf-8") as fh:
            for rec in iter_records(args.records, seed=1):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        base = None
        for fmt in args.formats:
            out = os.path.join(tmp, f"out.{fmt}")
            runs = [run(register, fmt, out) for _ in range(args.repeat)]
            cpu = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            base = base or cpu
            print(f"{fmt:9} {cpu:6.2f} s CPU  {cpu / base:4.2f}x {args.formats[0]}  "
                  f"peak RSS {rss:5.1f} MiB  {os.path.getsize(out) / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
