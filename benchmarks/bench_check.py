#!/usr/bin/env python3
"""(a) In-process, like for like: 45 Jizhou rules written by hand vs the library.

Both sides get the same generated records (benchmarks/records.py) in one
process. The hand-written side is tests/handwritten_jizhou.py (plain
functions on the raw dicts). The library side is harness.library_statuses
(dict -> statuses, through the fastest API the evaluator has) with exactly
the same 45 rules, once per engine (auto, direct, durable where it imports,
kernel where the library has it). For reference, one more row runs every
bundled ruleset (what ``compliance check`` applies), engine auto.

Before timing, the two sides must give the same (rule, entity, status) sets
on the first --check records, for every engine (exit status 1 otherwise,
after the figures). With --stages (default) the library's stages are timed
too, each on inputs prepared by the previous one. Peak RSS of each side is
measured in a child process streaming the records.

    python benchmarks/bench_check.py            # 20000 records, 5 repeats
    python benchmarks/bench_check.py --quick    # 2000 records, 3 repeats
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from collections import Counter
from typing import List, Optional, Sequence

import harness as H
from harness import Side, say
from records import generate, iter_records

from handwritten_jizhou import HAND_WRITTEN_FOR, JIZHOU_FORMS, JIZHOU_RULESET, hand_check


def _child_rss(side: str, n: int, seed: int) -> int:
    """Stream n records through one side and report the peak RSS (a child process)."""
    from compliance.api import evaluator

    if side == "none":
        fn = None
    elif side == "hand":
        fn = hand_check
    else:
        ev = evaluator([H.jizhou_hand_ruleset()[1]], side)
        def fn(rec, ev=ev):
            return H.library_statuses(ev, rec)
    count = 0
    for rec in iter_records(n, seed):
        if fn is not None:
            fn(rec)
        count += 1
    H.child_report(side=side, records=count)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=20000, help="records (default 20000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="2000 records, 3 repeats")
    ap.add_argument("--repeats", type=int, default=None, help="timed passes, median taken (default 5; quick 3)")
    ap.add_argument("--block", type=int, default=250, help="records per interleaved block (default 250)")
    ap.add_argument("--check", type=int, default=2000, help="records checked for agreement (default 2000)")
    ap.add_argument("--no-stages", action="store_true", help="skip the stage breakdown")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-RSS child processes")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="also cProfile N records, engine auto")
    ap.add_argument("--child-rss", metavar="SIDE", help=argparse.SUPPRESS)  # none | hand | <engine>
    args = ap.parse_args(argv)
    n = 2000 if args.quick else args.records
    repeats = args.repeats or (3 if args.quick else 5)
    if args.child_rss:
        return _child_rss(args.child_rss, n, args.seed)

    from compliance.api import evaluator, load_rulesets

    records = generate(n, args.seed)
    jizhou, same_rules = H.jizhou_hand_ruleset()
    names = H.engines()
    evs = {e: evaluator([same_rules], e) for e in names}
    ev_all = evaluator(None, "auto")
    n_bundled = sum(len(rs.rules) for rs in load_rulesets(None))
    regions = Counter("120119" if r["facility"]["region"] in JIZHOU_FORMS else r["facility"]["region"]
                      for r in records)

    say(f"(a) in-process like for like: {n} records (seed {args.seed}), {repeats} repeats, blocks of {args.block}")
    say(f"    {H.machine_line()}")
    say(f"    records by region {dict(regions)}")
    say(f"    rules: {len(same_rules.rules)} of the {len(jizhou.rules)} rules of {JIZHOU_RULESET} on both sides "
        f"(the others are on sections the generator does not write)")
    say(f"    library call: {H.library_path(evs['auto'])}; engines {', '.join(f'{e}={evs[e].engine}' for e in names)}"
        + (f"; skipped: {', '.join(H.skipped_engines())}" if H.skipped_engines() else ""))
    if jizhou.version != HAND_WRITTEN_FOR:
        say(f"    NOTE: the hand-written rules follow version {HAND_WRITTEN_FOR}; the library has {jizhou.version}")

    # --- agreement, through the very function that is timed ------------------
    checked = records[:args.check]
    failed = crashed = False
    for e in names:
        same, n_keys, problems = H.agreement(checked, hand_check, lambda r, ev=evs[e]: H.library_keys(ev, r))
        say(f"    agreement, engine {e}: {same}/{len(checked)} records with identical (rule, entity, status) "
            f"sets ({n_keys} statuses)")
        for p in problems:
            say("      DISAGREE " + p)
        failed |= same != len(checked)
    statuses = Counter(k[2] for r in checked for k in hand_check(r))
    say("    statuses there: " + ", ".join(f"{k} {v}" for k, v in statuses.most_common()))

    # --- timing -------------------------------------------------------------
    for rec in records[:200]:  # warm-up: caches, first-call imports
        hand_check(rec)
        for ev in (*evs.values(), ev_all):
            H.library_statuses(ev, rec)
    H.settle()
    hand = Side("hand-written, 45 rules", hand_check)
    libs = [Side(f"library {e}, 45 rules", lambda r, ev=evs[e]: H.library_statuses(ev, r)) for e in names]
    every = Side(f"library auto, all {n_bundled} bundled rules", lambda r: H.library_statuses(ev_all, r))
    H.interleaved(records, [hand, *libs, every], args.block, repeats)
    say()
    say("library dict -> statuses vs hand-written (CPU time of this process; ÷ hand = times slower than by hand)")
    H.side_table([hand, *libs, every], hand, "÷ hand")

    if not args.no_stages:
        from compliance.normalise import normalise
        from compliance.record import record_from_data

        raws = [record_from_data(r) for r in records]
        facts = [normalise(r) for r in raws]
        H.settle()
        load = Side("record_from_data (dict -> Record)", record_from_data)
        norm = Side("normalise (Record -> Facts)", normalise, raws)
        stages = [load, norm]
        try:  # the fast path check_data takes for a clean record: dict -> Facts in one pass
            from compliance._yaml import Document
            from compliance.normalise import normalise_fast

            stages.append(Side("normalise_fast (dict -> Facts, clean records)",
                               lambda r: normalise_fast(Document("<record>", r, {}))))
        except ImportError:
            pass
        evals = []
        for e in names:  # the hot path where there is one, and the full Finding objects
            if hasattr(evs[e], "statuses"):
                evals.append(Side(f"statuses on Facts, {e}", evs[e].statuses, facts))
            evals.append(Side(f"findings on Facts, {e}", evs[e].findings, facts))
        H.interleaved(records, [*stages, *evals], args.block, repeats)
        say()
        say("library stages, each on the previous stage's output (÷ hand: against the hand-written row above)")
        H.side_table([*stages, *evals], hand, "÷ hand")
        del raws, facts

    peaks: dict = {}
    if not args.no_memory:
        try:
            for side in ("none", "hand", *names):
                peaks[side] = H.child_json([H.PYTHON, __file__, "--child-rss", side, "--records", str(n),
                                            "--seed", str(args.seed)], timeout=600 + n * 0.01)["peak_rss_kib"]
        except RuntimeError as exc:  # report it with the other figures rather than lose them
            say()
            say(f"peak RSS: FAILED, a child did not report: {exc}")
            crashed = True
            peaks = {}
    if peaks:
        base = peaks["none"]
        say()
        say(f"peak RSS (VmHWM) of a child streaming the {n} records through one side")
        rows: List[List[str]] = [["generator only (baseline)", H.mib(base), "-", "-"]]
        for side in ("hand", *names):
            label = "hand-written" if side == "hand" else f"library {side}"
            rows.append([label, H.mib(peaks[side]), H.mib(peaks[side] - base),
                         f"{peaks[side] / peaks['hand']:.2f}"])
        H.table(["side", "peak RSS", "over baseline", "÷ hand"], rows)

    if args.profile:
        prof = cProfile.Profile()
        ev = evs["auto"]
        prof.enable()
        for rec in records[:args.profile]:
            H.library_statuses(ev, rec)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(20)
        say()
        say(f"cProfile, library auto, {min(args.profile, n)} records (top 20 cumulative)")
        say(buf.getvalue().rstrip())

    if failed:
        say("FAILED: the library and the hand-written rules disagree (see DISAGREE above)")
    return 1 if failed or crashed else 0


if __name__ == "__main__":
    sys.exit(main())
