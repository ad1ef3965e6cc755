#!/usr/bin/env python3
"""(b) A small user ruleset: nine threshold rules by hand vs the library, given by path.

benchmarks/user_nine_rules.yaml holds nine Jizhou-style rules (two coating
VOC limits, the coal-boiler phase-out, two biomass-boiler duties, gas-boiler
NOx and PM limits after oxygen correction, two tall-stack monitoring
duties). This script holds the same nine checks written by hand in plain
Python (three-valued: a missing field makes the check indeterminate) and runs
both on small generated records (records.generate_small: a Jizhou facility
with 1–3 boilers, 1–3 coatings and 0–2 stacks). It first checks that both give
the same (rule, entity, status) sets on every record, then times them, and
times building the evaluator from the file: the first
``evaluator([path], engine)`` call and a second, identical one (which should
hit a cache).

    python benchmarks/bench_user_rules.py            # 20000 records, 5 repeats
    python benchmarks/bench_user_rules.py --quick    # 5000 records, 3 repeats
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from typing import List, Optional, Sequence, Tuple

import harness as H
from harness import Side, say
from records import generate_small

RULESET = H.BENCH / "user_nine_rules.yaml"
P = "bench-user/"

# ---------------------------------------------------------------------
# The nine rules by hand (the numbers of user_nine_rules.yaml)
# ---------------------------------------------------------------------

ISSUED = dt.date(2018, 12, 5)
OCT_1 = dt.date(2018, 10, 1)
JAN_1 = dt.date(2019, 1, 1)
DEC_31 = dt.date(2018, 12, 31)
T_PER_MW = 1 / 0.7  # 1 t/h of steam = 0.7 MW (GB 13271-2014 Table 4 note)


def _num(raw: Optional[str], unit: str) -> Optional[float]:
    """'<number> <unit>' -> number (None if missing); only the unit the generator writes."""
    if raw is None:
        return None
    value, _, written = raw.partition(" ")
    if written != unit:
        raise ValueError(f"unexpected unit in {raw!r}")
    return float(value)


def _t_per_h_at_most(raw: Optional[str], limit: float) -> Optional[bool]:
    if raw is None:
        return None
    value, _, unit = raw.partition(" ")
    if unit == "t/h":
        return float(value) <= limit
    if unit == "MW":
        return float(value) <= float(f"{limit * 0.7:.12g}")
    raise ValueError(f"unexpected capacity {raw!r}")


def _verdict(as_of: dt.date, when: Optional[bool], require: Optional[bool], in_force: dt.date = ISSUED,
             effective_from: Optional[dt.date] = None, deadline: Optional[dt.date] = None) -> Optional[str]:
    """Status of one rule on one entity; None = not applicable."""
    if as_of < in_force or when is False:
        return None
    if when is None:
        return "indeterminate"
    if require is True:
        return "compliant"
    if require is None:
        return "indeterminate"
    if (effective_from and as_of < effective_from) or (deadline and as_of <= deadline):
        return "pending"
    return "violation"


def _and(*xs: Optional[bool]) -> Optional[bool]:
    return False if False in xs else (None if None in xs else True)


def _or(*xs: Optional[bool]) -> Optional[bool]:
    return True if True in xs else (None if None in xs else False)


def _eq(v, target) -> Optional[bool]:
    return None if v is None else v == target


def coating_limit(c: dict, as_of: dt.date, category: str, limit: float) -> Optional[str]:
    voc = _num(c.get("voc_content"), "g/L")
    return _verdict(as_of, _eq(c.get("category"), category), None if voc is None else voc <= limit,
                    effective_from=JAN_1)


def coal_boiler_ban(b: dict, as_of: dt.date) -> Optional[str]:
    when = _and(_eq(b.get("fuel"), "coal"), _t_per_h_at_most(b.get("capacity"), 35.0))
    return _verdict(as_of, when, b.get("status", "operating") == "shutdown", deadline=DEC_31)


def biomass_duty(b: dict, as_of: dt.date, field: str) -> Optional[str]:
    when = _and(_eq(b.get("fuel"), "biomass"), b.get("status", "operating") in ("operating", "standby", "planned"))
    return _verdict(as_of, when, _eq(b.get(field), True))


def gas_limit(b: dict, as_of: dt.date, pollutant: str, limit: float) -> Optional[str]:
    in_scope = _or(None if b.get("medium") is None else b["medium"] in ("hot_water", "thermal_oil"),
                   _t_per_h_at_most(b.get("capacity"), 65.0))
    when = _and(_eq(b.get("fuel"), "gas"), b.get("status", "operating") in ("operating", "standby"), in_scope)
    em = b.get("emissions") or {}
    measured, o2 = _num(em.get(pollutant), "mg/m^3"), _num(em.get("o2"), "%")
    if measured is None or o2 is None:
        require = None
    else:  # GB 13271-2014 5.2, reference oxygen 3.5 %
        require = float(f"{measured * (21.0 - 3.5) / (21.0 - o2):.12g}") <= limit
    return _verdict(as_of, when, require, in_force=OCT_1, effective_from=OCT_1)


def stack_monitoring(s: dict, as_of: dt.date) -> Optional[str]:
    height = _num(s.get("height"), "m")
    return _verdict(as_of, None if height is None else height > 45.0, _eq(s.get("online_monitoring"), True))


def stack_transmission(s: dict, as_of: dt.date) -> Optional[str]:
    height, rate = _num(s.get("height"), "m"), _num(s.get("data_transmission_rate"), "%")
    when = _and(None if height is None else height > 45.0, _eq(s.get("online_monitoring"), True))
    return _verdict(as_of, when, None if rate is None else rate >= 90.0)


COATING_RULES = (
    (P + "coating-voc/automotive-oem", lambda c, d: coating_limit(c, d, "automotive_oem", 580.0)),
    (P + "coating-voc/wood", lambda c, d: coating_limit(c, d, "wood", 600.0)),
)
BOILER_RULES = (
    (P + "coal-boiler-below-35th", coal_boiler_ban),
    (P + "biomass-boiler/dedicated", lambda b, d: biomass_duty(b, d, "dedicated_biomass")),
    (P + "biomass-boiler/bag-filter", lambda b, d: biomass_duty(b, d, "bag_filter")),
    (P + "gas-boiler/nox", lambda b, d: gas_limit(b, d, "nox", 150.0)),
    (P + "gas-boiler/pm", lambda b, d: gas_limit(b, d, "pm", 20.0)),
)
STACK_RULES = (
    (P + "stack-over-45m/online-monitoring", stack_monitoring),
    (P + "stack-over-45m/data-transmission", stack_transmission),
)


def hand_nine(rec: dict) -> List[Tuple[str, str, str]]:
    """(rule, entity, status) of the nine rules on a small record (all in Jizhou)."""
    as_of = dt.date.fromisoformat(rec["context"]["as_of"])
    out = []
    for section, rules in (("coatings", COATING_RULES), ("boilers", BOILER_RULES), ("stacks", STACK_RULES)):
        for ent in rec.get(section) or ():
            for rule_id, fn in rules:
                status = fn(ent, as_of)
                if status is not None:
                    out.append((rule_id, ent["id"], status))
    return out


# ---------------------------------------------------------------------

def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="5000 records, 3 repeats")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--block", type=int, default=250)
    args = ap.parse_args(argv)
    n = 5000 if args.quick else args.records
    repeats = args.repeats or (3 if args.quick else 5)

    from compliance.api import evaluator

    path = str(RULESET)
    names = H.engines()
    builds = []  # (engine, first call s, second call s)
    evs = {}
    for e in names:
        t0 = time.perf_counter()
        evs[e] = evaluator([path], engine=e)
        t1 = time.perf_counter()
        again = evaluator([path], engine=e)
        t2 = time.perf_counter()
        builds.append((e, t1 - t0, t2 - t1, again is evs[e]))
    records = generate_small(n, args.seed)
    rules = evs["auto"].program.rules

    say(f"(b) user ruleset {RULESET.relative_to(H.ROOT)} ({len(rules)} rules) by path: {n} small records "
        f"(seed {args.seed}), {repeats} repeats")
    say(f"    {H.machine_line()}")
    say(f"    library call: {H.library_path(evs['auto'])}; engines {', '.join(f'{e}={evs[e].engine}' for e in names)}")
    failed = False
    for e in names:
        same, n_keys, problems = H.agreement(records, hand_nine, lambda r, ev=evs[e]: H.library_keys(ev, r))
        say(f"    agreement, engine {e}: {same}/{n} records with identical (rule, entity, status) sets "
            f"({n_keys} statuses)")
        for p in problems:
            say("      DISAGREE " + p)
        failed |= same != n
    counts = Counter(k[2] for r in records for k in hand_nine(r))
    say("    statuses: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))

    for rec in records[:200]:
        hand_nine(rec)
        for ev in evs.values():
            H.library_statuses(ev, rec)
    H.settle()
    hand = Side("hand-written, 9 rules", hand_nine)
    libs = [Side(f"library {e}, 9 rules", lambda r, ev=evs[e]: H.library_statuses(ev, r)) for e in names]
    H.interleaved(records, [hand, *libs], args.block, repeats)
    say()
    say("dict -> statuses (CPU time of this process; ÷ hand = times slower than by hand)")
    H.side_table([hand, *libs], hand, "÷ hand")
    say()
    say("building the evaluator from the file (wall time, in this order: the first row is the first time this")
    say("process reads the file; later rows show what the library caches across engines. The last column: how")
    say("many records the hand-written rules check in the time of the first call)")
    H.table(["engine", "1st evaluator([path])", "2nd evaluator([path])", "same object", "1st ÷ 2nd",
             "1st = hand-written"],
            [[e, f"{a * 1e3:.1f} ms", f"{b * 1e3:.2f} ms", "yes" if same else "no", f"{a / b:.1f}",
              f"{a * 1e6 / hand.us:.0f} records"] for e, a, b, same in builds])
    if failed:
        say("FAILED: the library and the hand-written nine rules disagree (see DISAGREE above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
