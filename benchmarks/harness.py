"""Shared helpers of the benchmark scripts: paths, the library call, timing, memory, tables.

Timing rules, followed by every script:

* Figures are ratios of two sides measured in the same run on the same input.
* In-process sides are timed in CPU time of this process (``time.process_time``),
  interleaved in blocks (every side runs on block 1, then every side on block 2,
  ..., the order rotated per block), so that load from other processes on the
  machine falls on all sides about equally. The whole pass is repeated and the
  median of the repeats is reported; the ratio is the median of the per-repeat
  ratios.
* Commands (CLI runs) are timed in wall time and child CPU time, interleaved
  per round, median of the rounds.
* Nothing is asserted about time.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TESTS = ROOT / "tests"
for _p in (str(BENCH), str(TESTS)):  # records.py here, the hand-written oracle in tests/
    if _p not in sys.path:
        sys.path.insert(0, _p)
try:
    import compliance  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from compliance.normalise import normalise  # noqa: E402
from compliance.record import record_from_data  # noqa: E402

PYTHON = sys.executable
COMPLIANCE_EXE = str(Path(sys.executable).with_name("compliance"))
Key = Tuple[str, str, str]  # (rule id, entity id, status)


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def machine_line() -> str:
    return (f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.2f}")


# ---------------------------------------------------------------------
# The library side: ONE function, so that a faster API can be switched in
# ---------------------------------------------------------------------

def library_path(ev) -> str:
    """Which calls ``library_statuses`` makes on ``ev`` (printed by the scripts)."""
    if hasattr(ev, "check_data"):
        return "ev.check_data(data)"
    evaluate = "ev.statuses(facts)" if hasattr(ev, "statuses") else "ev.findings(facts)"
    return f"normalise(record_from_data(data)) -> {evaluate}"


def library_statuses(ev, data: dict):
    """Check one record dict with evaluator ``ev``; what the library returns, unconverted.

    Uses the fastest path the evaluator offers: ``ev.check_data(data)`` (fused
    load + normalise + evaluate) if it exists, else ``record_from_data`` +
    ``normalise`` followed by ``ev.statuses(facts)`` (a list of
    (rule_index, entity, status)) if that exists, else ``ev.findings(facts)``.
    """
    check_data = getattr(ev, "check_data", None)
    if check_data is not None:
        return check_data(data)
    facts = normalise(record_from_data(data))
    statuses = getattr(ev, "statuses", None)
    if statuses is not None:
        return statuses(facts)
    return ev.findings(facts)


def to_keys(ev, result) -> List[Key]:
    """(rule id, entity id, status) from whatever ``library_statuses`` returned
    (Finding objects, or (rule index or id, entity or entity id, status) tuples,
    or an object with ``.findings``); ``not_applicable`` is dropped."""
    items = getattr(result, "findings", result)
    rules = ev.program.rules
    out: List[Key] = []
    for item in items:
        if hasattr(item, "rule") and hasattr(item, "status"):
            rule, entity, status = item.rule, item.entity_id, item.status
        else:
            rule, entity, status = item
            if isinstance(rule, int):
                rule = rules[rule].id
            rule = getattr(rule, "id", rule)
            entity = getattr(entity, "id", entity)
        if status != "not_applicable":
            out.append((rule, entity, status))
    return out


def library_keys(ev, data: dict) -> List[Key]:
    return to_keys(ev, library_statuses(ev, data))


def engines(extra: Sequence[str] = ("kernel",)) -> List[str]:
    """Engines to run: auto, direct, durable (where it imports), and kernel where the library has it."""
    from compliance import engine as eng

    names = ["auto", "direct"]
    if eng.durable_available():
        names.append("durable")
    names.extend(e for e in extra if e in getattr(eng, "ENGINES", ()))
    return names


def skipped_engines() -> List[str]:
    from compliance import engine as eng

    out = [] if eng.durable_available() else ["durable (durable_available() is False)"]
    out += [f"{e} (not in compliance.engine.ENGINES)" for e in ("kernel",) if e not in eng.ENGINES]
    return out


def jizhou_hand_ruleset():
    """The Jizhou ruleset restricted to the rules written by hand (tests/handwritten_jizhou.py)."""
    import attrs
    from compliance.api import load_rulesets

    from handwritten_jizhou import HAND_RULE_IDS, JIZHOU_RULESET

    (jizhou,) = load_rulesets([JIZHOU_RULESET])
    unknown = sorted(HAND_RULE_IDS - {r.id for r in jizhou.rules})
    if unknown:
        raise SystemExit(f"hand-written rules missing from {JIZHOU_RULESET}: {', '.join(unknown)}")
    return jizhou, attrs.evolve(jizhou, rules=tuple(r for r in jizhou.rules if r.id in HAND_RULE_IDS))


def agreement(records: Sequence[dict], hand: Callable[[dict], Iterable[Key]],
              lib: Callable[[dict], Iterable[Key]], show: int = 8) -> Tuple[int, int, List[str]]:
    """Records on which the two sides give the same set of (rule, entity, status), the
    number of library keys, and a description of the first ``show`` differences."""
    same = n_keys = 0
    problems: List[str] = []
    for i, rec in enumerate(records):
        h, k = list(hand(rec)), list(lib(rec))
        n_keys += len(k)
        dup = len(h) != len(set(h)) or len(k) != len(set(k))
        if set(h) == set(k) and not dup:
            same += 1
        elif len(problems) < show:
            problems.append(f"record {i} ({rec['facility']['id']}): "
                            + ("duplicate keys; " if dup else "")
                            + f"hand-written only {sorted(set(h) - set(k))}; library only {sorted(set(k) - set(h))}")
    return same, n_keys, problems


# ---------------------------------------------------------------------
# In-process timing: interleaved blocks, process time, medians of repeats
# ---------------------------------------------------------------------

class Side:
    """One thing being timed: ``fn`` called on every item."""

    def __init__(self, name: str, fn: Callable[[Any], Any], items: Optional[Sequence] = None):
        self.name = name
        self.fn = fn
        self.items = items  # own inputs (same length as the shared ones), e.g. pre-normalised Facts
        self.cpu: List[float] = []  # per repeat, seconds
        self.wall: List[float] = []
        self.n = 0  # items per repeat

    @property
    def us(self) -> float:
        """Median CPU µs per item."""
        return statistics.median(self.cpu) / self.n * 1e6 if self.n else float("nan")

    @property
    def wall_us(self) -> float:
        return statistics.median(self.wall) / self.n * 1e6 if self.n else float("nan")

    @property
    def spread(self) -> float:
        """(max - min) / median of the repeats: how noisy this side was."""
        if len(self.cpu) < 2:
            return 0.0
        return (max(self.cpu) - min(self.cpu)) / statistics.median(self.cpu)


def settle() -> None:
    """Collect, then freeze what exists (the inputs) out of later cyclic GC scans."""
    gc.collect()
    gc.freeze()


def interleaved(items: Sequence, sides: Sequence[Side], block: int = 250, repeats: int = 3) -> None:
    """Time every side over ``items`` ``repeats`` times, interleaved in blocks."""
    k = len(sides)
    n = len(items)
    for side in sides:
        side.n = n
    clock, wall = time.process_time, time.perf_counter
    for rep in range(repeats):
        cpu = [0.0] * k
        walls = [0.0] * k
        for b, start in enumerate(range(0, n, block)):
            for j in range(k):
                s = (b + j + rep) % k
                side = sides[s]
                fn = side.fn
                chunk = (side.items if side.items is not None else items)[start:start + block]
                w0, c0 = wall(), clock()
                for item in chunk:
                    fn(item)
                cpu[s] += clock() - c0
                walls[s] += wall() - w0
        for s, side in enumerate(sides):
            side.cpu.append(cpu[s])
            side.wall.append(walls[s])


def ratio(a: Side, b: Side) -> float:
    """Median over the repeats of a's time / b's time (> 1: a is slower)."""
    return statistics.median(x / y for x, y in zip(a.cpu, b.cpu))


def side_table(sides: Sequence[Side], base: Side, base_label: str = "÷ base") -> None:
    rows = [[s.name, f"{s.us:.1f}", f"{1e6 / s.us:.0f}" if s.us else "-", f"{s.wall_us:.1f}",
             f"{s.spread:.0%}", f"{ratio(s, base):.2f}"] for s in sides]
    table(["side", "CPU µs/rec", "rec/CPU s", "wall µs/rec", "spread", base_label], rows)


# ---------------------------------------------------------------------
# Commands: wall and child CPU, interleaved rounds, medians
# ---------------------------------------------------------------------

class Command:
    def __init__(self, name: str, argv: Sequence[str], ok_codes: Sequence[int] = (0, 1), **popen: Any):
        self.name, self.argv, self.ok_codes, self.popen = name, list(argv), tuple(ok_codes), popen
        self.wall: List[float] = []
        self.cpu: List[float] = []
        self.code: Optional[int] = None

    @property
    def wall_med(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_med(self) -> float:
        return statistics.median(self.cpu)


def run_commands(commands: Sequence[Command], rounds: int, cwd: Path = ROOT, timeout: float = 900) -> None:
    """Run each command once per round (order rotated per round), output to /dev/null.

    Exit status 1 is "violations found" for ``compliance check``; any status
    outside ``ok_codes``, or a run longer than ``timeout`` seconds, raises
    RuntimeError (with the command's stderr)."""
    k = len(commands)
    for r in range(rounds):
        for j in range(k):
            c = commands[(r + j) % k]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            try:
                proc = subprocess.run(c.argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      timeout=timeout, **c.popen)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"{c.name}: still running after {timeout:.0f} s, killed") from None
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode not in c.ok_codes:
                raise RuntimeError(f"{c.name}: exit {proc.returncode}: "
                                   f"{proc.stderr.decode(errors='replace').strip()[-2000:]}")
            c.code = proc.returncode
            c.wall.append(wall)
            c.cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


# ---------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------

def peak_rss_kib() -> int:
    """Peak resident set size of this process, KiB (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r // 1024 if sys.platform == "darwin" else r


def child_json(argv: Sequence[str], cwd: Path = ROOT, timeout: Optional[float] = 1800) -> Dict[str, Any]:
    """Run a child (usually one of these scripts in a ``--child`` mode) and return the JSON
    object it prints on its last stdout line (children report ``peak_rss_kib`` there).

    Raises RuntimeError if the child fails or outlives ``timeout`` seconds (it is then killed)."""
    try:
        proc = subprocess.run(list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{' '.join(map(str, argv))}: no result after {timeout:.0f} s, killed") from None
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))}: exit {proc.returncode}: "
                           f"{proc.stderr.decode(errors='replace').strip()[-2000:]}")
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def child_report(**figures: Any) -> None:
    """The last line a child prints: its figures and its peak RSS, as JSON."""
    figures["peak_rss_kib"] = peak_rss_kib()
    print(json.dumps(figures), flush=True)


def mib(kib: Optional[float]) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f} MiB"


# ---------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------

def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a table: the first column left-aligned, the others right-aligned."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        out = []
        for i, c in enumerate(row):
            pad = " " * (widths[i] - _width(c))
            out.append(c + pad if i == 0 else pad + c)
        return "  " + "  ".join(out)

    say(line(cells[0]))
    say("  " + "  ".join("-" * w for w in widths))
    for row in cells[1:]:
        say(line(row))
