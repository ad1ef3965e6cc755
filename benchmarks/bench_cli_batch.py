#!/usr/bin/env python3
"""(c) CLI batch: ``compliance check --format json`` on 1000 YAML files vs a hand-written script.

Writes N generated records (benchmarks/records.py) as YAML files into a
temporary directory and times, on the same files, interleaved, median of
--runs wall times (and the child's CPU time):

* ``python benchmarks/handwritten_cli.py FILES`` -- PyYAML's C loader, the 45
  hand-written Jizhou rules, one JSON line per violation;
* ``compliance check --format json FILES > /dev/null`` -- every bundled ruleset
  (the default), and with ``--ruleset cn-tj-jizhou-2018-autumn-winter`` (closer
  to like for like: the hand-written rules are 45 of its rules);
* the same with ``--format jsonl`` if ``compliance check --help`` lists it.

Exit status 1 of ``compliance check`` means "violations found", not failure.
Before timing, the violations of the two sides are compared (Jizhou run,
restricted to the 45 rules written by hand).

    python benchmarks/bench_cli_batch.py            # 1000 files, 3 runs
    python benchmarks/bench_cli_batch.py --quick    # 300 files, 3 runs
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

import yaml

import harness as H
from harness import Command, say
from records import generate

from handwritten_jizhou import HAND_RULE_IDS, JIZHOU_RULESET

HAND_CLI = H.BENCH / "handwritten_cli.py"


def write_records(directory: Path, n: int, seed: int) -> list:
    names = []
    for i, rec in enumerate(generate(n, seed)):
        name = f"rec-{i:05d}.yaml"
        (directory / name).write_text(yaml.dump(rec, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False),
                                      encoding="utf-8")
        names.append(name)
    return names


def check_help() -> str:
    return subprocess.run([H.COMPLIANCE_EXE, "check", "--help"], capture_output=True, text=True).stdout


def violations_library(files, cwd: Path) -> set:
    proc = subprocess.run([H.COMPLIANCE_EXE, "check", "--format", "json", "--ruleset", JIZHOU_RULESET, *files],
                          cwd=cwd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"compliance check exited {proc.returncode}: {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout)
    return {(r["source"], f["rule"], f["entity"]["id"]) for r in report["records"] for f in r["findings"]
            if f["status"] == "violation" and f["rule"] in HAND_RULE_IDS}


def violations_hand(files, cwd: Path) -> set:
    proc = subprocess.run([H.PYTHON, str(HAND_CLI), *files], cwd=cwd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"handwritten_cli.py exited {proc.returncode}: {proc.stderr[-2000:]}")
    return {(d["source"], d["rule"], d["entity"]) for d in map(json.loads, proc.stdout.splitlines())}


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each command, median taken (default 3)")
    ap.add_argument("--quick", action="store_true", help="300 files")
    args = ap.parse_args(argv)
    n = 300 if args.quick else args.files

    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        d = Path(tmp)
        files = write_records(d, n, args.seed)
        size = sum((d / f).stat().st_size for f in files)
        say(f"(c) CLI batch: {n} YAML files ({size / 1024:.0f} KiB, seed {args.seed}), median of {args.runs} "
            f"runs, interleaved")
        say(f"    {H.machine_line()}")

        lib_v, hand_v = violations_library(files, d), violations_hand(files, d)
        agree = lib_v == hand_v
        say(f"    violations (45 hand-written rules): library {len(lib_v)}, hand-written {len(hand_v)}, "
            + ("identical" if agree else f"DIFFERENT ({len(lib_v - hand_v)} library only, "
                                         f"{len(hand_v - lib_v)} hand-written only)"))

        exe = H.COMPLIANCE_EXE
        commands = [Command("hand-written script (45 rules)", [H.PYTHON, str(HAND_CLI), *files]),
                    Command("compliance check --format json (all bundled)", [exe, "check", "--format", "json", *files]),
                    Command("  ... --ruleset jizhou", [exe, "check", "--format", "json", "--ruleset", JIZHOU_RULESET,
                                                       *files])]
        if "jsonl" in check_help():
            commands.append(Command("compliance check --format jsonl (all bundled)",
                                    [exe, "check", "--format", "jsonl", *files]))
        else:
            say("    --format jsonl: not listed by `compliance check --help`; skipped")
        H.run_commands(commands, args.runs, cwd=d)

    hand = commands[0]
    say()
    H.table(["command", "wall", "wall ms/file", "child CPU", "exit", "÷ hand (wall)", "÷ hand (CPU)"],
            [[c.name, f"{c.wall_med:.2f} s", f"{c.wall_med / n * 1e3:.2f}", f"{c.cpu_med:.2f} s", str(c.code),
              f"{c.wall_med / hand.wall_med:.2f}", f"{c.cpu_med / hand.cpu_med:.2f}"] for c in commands])
    if not agree:
        say("FAILED: the library's and the hand-written script's violations differ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
