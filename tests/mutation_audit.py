"""Mutation audit: seed one bug at a time into the engine and see whether
the test suite catches it.

Each mutation is (class, file, old text, new text): the old text must occur
exactly once in the file. For each, the repository is copied (without its
virtual environments), the bug is seeded, and ``pytest -x -q`` runs on the
copy; the mutation is *caught* when the suite fails. Run it from the
repository root::

    python tests/mutation_audit.py [--jobs 2] [--only SUBSTRING]

It prints one line per mutation and ``caught/total`` at the end. It is not
part of the test suite (it runs the suite once per mutation); the figure
goes into the closing note of the hardening issue.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: (class, file, old, new). Written against main after the hardening round;
#: a mutation whose old text is missing is reported as "stale", not counted.
MUTATIONS = [
]


def _copy(dest: Path) -> None:
    ignore = shutil.ignore_patterns(".venv*", ".git", "__pycache__", "*.egg-info", ".hypothesis", ".pytest_cache")
    shutil.copytree(REPO, dest, ignore=ignore, symlinks=True)


def run_one(mutation, timeout: int = 900):
    cls, file, old, new = mutation
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        root = Path(tmp) / "repo"
        _copy(root)
        os.symlink(REPO.parent / "shared", Path(tmp) / "shared")
        target = root / file
        text = target.read_text(encoding="utf-8")
        if text.count(old) != 1:
            return mutation, "stale", 0.0, f"old text occurs {text.count(old)} times"
        target.write_text(text.replace(old, new), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(root), XDG_CACHE_HOME=str(Path(tmp) / "cache"),
                   FUZZ_EXAMPLES=os.environ.get("FUZZ_EXAMPLES", "60"))
        start = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"],
                                  cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return mutation, "caught (timeout)", time.perf_counter() - start, ""
        took = time.perf_counter() - start
        tail = [ln for ln in proc.stdout.splitlines() if ln.startswith("FAILED") or ln.startswith("ERROR")]
        return mutation, ("caught" if proc.returncode != 0 else "SURVIVED"), took, (tail[0] if tail else "")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    todo = [m for m in MUTATIONS if args.only in m[0] or args.only in m[1]]
    results = []
    with cf.ThreadPoolExecutor(args.jobs) as pool:
        for mutation, verdict, took, detail in pool.map(run_one, todo):
            results.append(verdict)
            cls, file, old, new = mutation
            print(f"{verdict:18} {took:6.0f}s  {cls}: {file}: {old.strip()[:50]!r} -> {new.strip()[:50]!r}  {detail[:100]}",
                  flush=True)
    counted = [v for v in results if v != "stale"]
    caught = sum(1 for v in counted if v.startswith("caught"))
    print(f"caught {caught}/{len(counted)} ({len(results) - len(counted)} stale)")
    return 0 if caught == len(counted) else 1


if __name__ == "__main__":
    sys.exit(main())
