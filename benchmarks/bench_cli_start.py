#!/usr/bin/env python3
"""(d) Single-record CLI: ``compliance check examples/jizhou-auto-parts.yaml`` vs interpreter start-up.

Median of --runs wall times (and child CPU times), interleaved round by round, of

* ``compliance check examples/jizhou-auto-parts.yaml`` (exit 1: it has violations),
* ``python -c "import compliance.api"`` (the library's import cost),
* ``python -c "import yaml"`` (what a hand-written script pays at least),
* ``python -c "pass"`` (the interpreter alone).

    python benchmarks/bench_cli_start.py            # 10 runs
    python benchmarks/bench_cli_start.py --quick    # 10 runs as well (it takes seconds)
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

import harness as H
from harness import Command, say

EXAMPLE = "examples/jizhou-auto-parts.yaml"


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="same as the default")
    args = ap.parse_args(argv)

    commands = [Command(f"compliance check {EXAMPLE}", [H.COMPLIANCE_EXE, "check", EXAMPLE]),
                Command('python -c "import compliance.api"', [H.PYTHON, "-c", "import compliance.api"], (0,)),
                Command('python -c "import yaml"', [H.PYTHON, "-c", "import yaml"], (0,)),
                Command('python -c "pass"', [H.PYTHON, "-c", "pass"], (0,))]
    H.run_commands(commands, args.runs)
    check, _, yml, bare = commands
    say(f"(d) single-record CLI start-up: median of {args.runs} runs, interleaved")
    say(f"    {H.machine_line()}")
    say()
    H.table(["command", "wall", "child CPU", "exit", "÷ import yaml", "÷ pass"],
            [[c.name, f"{c.wall_med * 1e3:.0f} ms", f"{c.cpu_med * 1e3:.0f} ms", str(c.code),
              f"{c.wall_med / yml.wall_med:.2f}", f"{c.wall_med / bare.wall_med:.2f}"] for c in commands])
    say(f"    check minus interpreter start: {(check.wall_med - bare.wall_med) * 1e3:.0f} ms; "
        f"check minus import compliance.api: {(check.wall_med - commands[1].wall_med) * 1e3:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
