#!/usr/bin/env python3
"""Throughput benchmark of the checking pipeline on synthetic facility records.

Generates N facility records (plain dicts, fixed seed) -- mostly in Jizhou
District (120119), some in Dongli (120110) and Fengtai (110106), so that
jurisdiction filtering is exercised -- with boilers, coatings, construction
sites, vehicles and facility data, and times, in one process, over the same
records:

* the library pipeline per record, ``record_from_data`` -> ``normalise`` ->
  ``Evaluator.findings``, with the durable engine and with the direct one,
  each stage timed inside the loop;
* a hand-written plain-Python evaluation of the same rules (the Jizhou rules
  on the sections the generator writes; see HAND_RULE_IDS), which must give
  the same (rule, entity, status) set as the library -- the library is given
  exactly those rules, so the comparison is like for like;
* matching alone (``Evaluator.matcher.match`` on pre-normalised facts) for
  both engines, and, for reference, the pipeline with every bundled ruleset;
* peak memory of each phase (tracemalloc, each phase run on its own),
  ru_maxrss, and the time of a ``compliance check`` CLI run (best of 5).

Rates are per CPU second of this process (``time.process_time``), and the
phases run interleaved in blocks of records, so that other load on the
machine spreads over all of them; the ratios are the figures to read. Nothing
is asserted about time. The assertions are that the library and the
hand-written rules agree on the first 2000 records, and durable = direct.

    python benchmarks/bench_check.py                 # 20000 records
    python benchmarks/bench_check.py --quick         # 2000 records
    python benchmarks/bench_check.py --profile 3000  # also cProfile 3000 records
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import operator
import os
import platform
import pstats
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
try:
    import compliance  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import attrs  # noqa: E402

from compliance.api import evaluator, load_rulesets  # noqa: E402
from compliance.normalise import normalise  # noqa: E402
from compliance.record import record_from_data  # noqa: E402

CHECKED_RECORDS = 2000  # records on which library and hand-written must agree
JIZHOU_RULESET = "cn-tj-jizhou-2018-autumn-winter"
HAND_WRITTEN_FOR = "2018-12-05.3"  # the ruleset version the hand-written functions follow (commit 11d4916)
EXAMPLE = ROOT / "examples" / "jizhou-auto-parts.yaml"

Key = Tuple[str, str, str]  # (rule id, entity id, status)

# =====================================================================
# Synthetic records
# =====================================================================

JIZHOU = "120119"
# written forms of the facility region, and how often each is used
REGIONS = (("120119", 78), ("蓟州区", 4), ("天津市蓟州区", 3), ("120110", 10), ("110106", 5))
TOWNS = (("渔阳镇", 15), ("邦均镇", 20), ("别山镇", 15), ("下营镇", 15), ("马伸桥镇", 15), ("上仓镇", 15), (None, 5))
INDUSTRIES = (("automotive_manufacturing", 12), ("industrial_coating", 12), ("auto_repair", 10), ("furniture", 8),
              ("building_materials", 8), ("logistics", 10), ("construction", 8), ("packaging_printing", 6),
              ("chemical", 5), ("foundry", 4), ("cement", 2), ("glass", 2), ("thermal_power", 1),
              ("slaughtering", 3), ("starch", 2), ("wastewater_treatment", 3), ("petrochemical", 2),
              ("coal_trading", 2))
FUGITIVE_INDUSTRIES = ("building_materials", "cement", "glass", "thermal_power", "foundry")

# boiler emission limits (GB 13271-2014 Table 3) and reference O2 (5.2), per fuel
SPECIAL = {"coal": ({"pm": 30.0, "so2": 200.0, "nox": 200.0}, 9.0),
           "oil": ({"pm": 30.0, "so2": 100.0, "nox": 200.0}, 3.5),
           "gas": ({"pm": 20.0, "so2": 50.0, "nox": 150.0}, 3.5)}
COAT_LIMIT = {"automotive_oem": 580, "wood": 600, "construction_machinery": 550, "industrial_anticorrosion": 550,
              "auto_refinish": 540, "architectural": 250, "adhesive": 300, "ink": 400, "other": 350}
LB_PER_GAL_IN_G_PER_L = 453.59237 / 3.785411784  # 1 lb / 1 US gal (pint's "gal")
DUST = ("perimeter_hoarding", "material_covering", "wet_earthwork", "road_hardening", "vehicle_washing",
        "enclosed_transport")
STAGES = (("国三", 5), ("国四", 20), ("国五", 33), ("国V", 3), ("国六", 8), ("国VI(B)", 10), ("6b", 6), ("6a", 4),
          ("5", 4), ("China 5", 2), (None, 5))
URBAN_FLEET = ("sanitation", "sweeper", "sprinkler", "garbage_truck", "postal")  # and buses in public transit
OMIT = object()  # "leave the field out"


def _pick(rng: random.Random, table):
    values, weights = zip(*table)
    return rng.choices(values, weights)[0]


def _flag(rng: random.Random, yes: float, no: float, omit: float):
    return _pick(rng, ((True, yes), (False, no), (OMIT, omit)))


def _put(d: dict, key: str, value) -> None:
    if value is not OMIT and value is not None:
        d[key] = value


def _day(rng: random.Random, lo: dt.date, hi: dt.date) -> str:
    return (lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))).isoformat()


def _date(rng: random.Random) -> str:
    """An inspection date over the 2018-2019 campaign (some before the plan)."""
    r = rng.random()
    if r < 0.07:
        return _day(rng, dt.date(2018, 10, 1), dt.date(2018, 12, 4))  # before the plan was issued
    if r < 0.22:
        return _day(rng, dt.date(2018, 12, 5), dt.date(2018, 12, 31))  # issued, deadlines not yet passed
    return _day(rng, dt.date(2019, 1, 1), dt.date(2019, 6, 30))


def _emission(rng: random.Random, limit: float, o2: float, ref: float, unit: str) -> str:
    """A measured concentration; mostly below the limit after O2 correction."""
    r = rng.random()
    if r < 0.02:
        return f"{limit:g} {unit}"  # exactly the limit (meaningful when o2 == ref)
    scale = rng.uniform(0.9, 1.4) if r < 0.08 else rng.uniform(0.15, 0.97)
    value = round(limit * scale * (21.0 - o2) / (21.0 - ref), rng.choice((0, 0, 1)))
    return f"{value:g} {unit}"


def _boiler(rng: random.Random, j: int) -> dict:
    b: Dict[str, Any] = {"id": f"B{j + 1}"}
    fuel = _pick(rng, (("gas", 48), ("coal", 12), ("biomass", 14), ("oil", 10), ("electric", 8), (OMIT, 3),
                       ("other", 5)))
    _put(b, "fuel", fuel)
    if fuel == "coal":
        status = _pick(rng, (("shutdown", 55), ("operating", 20), ("standby", 10), ("planned", 2), (OMIT, 13)))
        th = (2, 4, 6, 10, 15, 20, 25, 34, 35, 40, 65, 75)
        mw = (1.4, 2.8, 4.2, 7, 14, 21, 24.4, 24.5, 29, 46, 58)
    elif fuel == "biomass":
        status = _pick(rng, (("operating", 45), ("standby", 10), ("shutdown", 10), ("planned", 5), (OMIT, 30)))
        th, mw = (1, 2, 4, 6, 10), (0.7, 1.4, 2.8)
    elif fuel == "gas":
        status = _pick(rng, (("operating", 40), ("standby", 10), ("shutdown", 5), ("planned", 2), (OMIT, 43)))
        th, mw = (0.5, 1, 2, 4, 6, 10, 20, 35, 65, 75), (0.35, 0.7, 1.4, 2.8, 4.2, 7, 10.5, 14, 45.5, 46)
    else:
        status = _pick(rng, (("operating", 40), ("standby", 10), ("shutdown", 5), ("planned", 2), (OMIT, 43)))
        th, mw = (0.5, 1, 2, 4, 6, 10, 20), (0.35, 0.7, 1.4, 2.8, 4.2, 7, 10.5, 14)
    _put(b, "status", status)
    r = rng.random()
    if r < 0.03:
        pass  # capacity not given
    elif r < 0.55:
        b["capacity"] = f"{rng.choice(th):g} {rng.choice(('t/h', 't/h', '蒸吨/时'))}"
    else:
        b["capacity"] = f"{rng.choice(mw):g} MW"
    _put(b, "medium", _pick(rng, (("steam", 45), ("hot_water", 42), ("thermal_oil", 3), (OMIT, 10))))
    _put(b, "use", _pick(rng, (("heating", 40), ("industrial", 42), ("commercial", 8), ("power", 3), (OMIT, 7))))
    if fuel == "biomass":
        fuel_form = _pick(rng, (("briquette", 35), ("loose", 50), (OMIT, 15)))
        _put(b, "fuel_form", fuel_form)
    measured = fuel in SPECIAL or (fuel == "biomass" and rng.random() < 0.6)
    if measured and status not in ("shutdown", "planned") and rng.random() < 0.93:
        limits, ref = SPECIAL["coal" if fuel == "biomass" else fuel]  # briquetted biomass: the coal limits
        if rng.random() < 0.06:
            o2 = ref
        elif fuel in ("coal", "biomass"):
            o2 = round(rng.uniform(6.0, 14.0), 1)
        else:
            o2 = round(rng.uniform(2.0, 8.0), 1)
        unit = _pick(rng, (("mg/m^3", 70), ("mg/m³", 25), ("毫克/立方米", 5)))
        em: Dict[str, Any] = {}
        for pol in ("pm", "so2", "nox"):
            if rng.random() < 0.97:
                em[pol] = _emission(rng, limits[pol], o2, ref, unit)
        if rng.random() < 0.96:
            em["o2"] = f"{o2:g} %"
        b["emissions"] = em
    if fuel == "biomass":
        _put(b, "dedicated_biomass", _flag(rng, 90, 5, 5))
        _put(b, "bag_filter", _flag(rng, 85, 8, 7))
        _put(b, "co_firing", _pick(rng, (([], 75), (["biomass"], 5), (["coal"], 4), (["chemical_waste"], 1),
                                         (OMIT, 15))))
    else:
        _put(b, "co_firing", _pick(rng, (([], 55), (["chemical_waste"], 0.5), (OMIT, 44.5))))
    if rng.random() < 0.5:
        b["commissioned"] = f"{rng.randrange(1995, 2018)}-0{rng.randrange(1, 10)}-15"
    return b


def _coating(rng: random.Random, j: int) -> dict:
    c: Dict[str, Any] = {"id": f"C{j + 1}", "product": f"涂料 {j + 1}"}
    cat = _pick(rng, (("automotive_oem", 10), ("wood", 15), ("construction_machinery", 8),
                      ("industrial_anticorrosion", 15), ("auto_refinish", 15), ("architectural", 15),
                      ("adhesive", 8), ("ink", 6), ("other", 5), (OMIT, 3)))
    _put(c, "category", cat)
    if cat == "auto_refinish":
        layer = _pick(rng, (("primer", 25), ("basecoat", 30), ("topcoat", 20), ("clearcoat", 20), (OMIT, 5)))
    else:
        layer = _pick(rng, (("primer", 10), ("topcoat", 10), ("other", 5), (OMIT, 75)))
    _put(c, "layer", layer)
    limit = COAT_LIMIT.get(cat, 450) if cat is not OMIT else 450
    if cat == "auto_refinish" and layer in ("basecoat", "topcoat"):
        limit = 420
    r = rng.random()
    if r < 0.03:
        g = None  # not reported
    elif r < 0.05:
        g = float(limit)
    elif r < 0.12:
        g = limit * rng.uniform(0.95, 1.3)
    else:
        g = limit * rng.uniform(0.35, 0.99)
    if g is not None:
        u = rng.random()
        if u < 0.65:
            c["voc_content"] = f"{round(g):g} g/L"
        elif u < 0.85:
            c["voc_content"] = f"{round(g):g} 克/升"
        else:
            c["voc_content"] = f"{round(g / LB_PER_GAL_IN_G_PER_L, 2):g} lb/gal"
    _put(c, "solvent_based", _flag(rng, 30, 50, 20))
    _put(c, "activity", _pick(rng, ((OMIT, 85), ("use", 10), ("production", 5))))
    return c


def _measure(rng: random.Random):
    return _pick(rng, ((True, 78), ("100 %", 12), (1.0, 6), ("95 %", 0.7), (0.9, 0.6), ("99.5 %", 0.5),
                       (False, 0.5), (OMIT, 1.2)))


def _site(rng: random.Random, j: int) -> dict:
    s: Dict[str, Any] = {"id": f"W{j + 1}"}
    kind = _pick(rng, (("building", 50), ("road", 13), ("municipal", 14), ("demolition", 10), ("rail_transit", 3),
                       ("other", 7), (OMIT, 3)))
    _put(s, "kind", kind)
    _put(s, "above_scale", _flag(rng, 50, 30, 20))
    _put(s, "earthwork", _flag(rng, 60, 35, 5))
    _put(s, "pm_monitoring", _flag(rng, 88, 7, 5))
    _put(s, "video_surveillance", _flag(rng, 88, 7, 5))
    _put(s, "monitoring_connected", _flag(rng, 80, 10, 10))
    if kind in ("road", "municipal", "rail_transit"):
        _put(s, "linear", _flag(rng, 70, 20, 10))
        _put(s, "sectional", _flag(rng, 85, 10, 5))
    if rng.random() < 0.97:
        dm: Dict[str, Any] = {}
        for key in DUST:
            _put(dm, key, _measure(rng))
        s["dust_measures"] = dm
    return s


def _vehicle(rng: random.Random, j: int) -> dict:
    v: Dict[str, Any] = {"id": f"津{rng.choice('ABCDEFGHJ')}{j:02d}{rng.randrange(100, 1000)}"}
    kind = _pick(rng, (("heavy_truck", 55), ("medium_truck", 14), ("light_truck", 9), ("car", 8), ("bus", 3),
                       ("sanitation", 3), ("sweeper", 1), ("sprinkler", 1), ("garbage_truck", 1), ("postal", 1),
                       (OMIT, 4)))
    _put(v, "kind", kind)
    if kind == "bus":
        _put(v, "public_transit", _flag(rng, 70, 20, 10))
    fuel = _pick(rng, (("diesel", 72), ("gas", 10), ("electric", 8), ("hybrid", 5), (OMIT, 5)))
    _put(v, "fuel", fuel)
    if fuel == "hybrid":
        _put(v, "new_energy", _flag(rng, 60, 30, 10))
    _put(v, "emission_stage", _pick(rng, STAGES))
    if rng.random() < 0.7:
        v["registered"] = _day(rng, dt.date(2015, 1, 1), dt.date(2019, 3, 31))
    _put(v, "bulk_transport", _flag(rng, 40, 30, 30))
    _put(v, "alert_purpose", _pick(rng, ((OMIT, 60), ("none", 10), ("livelihood", 10), ("safety", 8),
                                        ("special", 5), ("port", 7))))
    _put(v, "in_service", _pick(rng, ((OMIT, 80), (False, 15), (True, 5))))
    return v


def _facility(rng: random.Random, i: int) -> dict:
    fac: Dict[str, Any] = {"id": f"91120225MA{i:08d}", "name": f"合成企业{i}", "region": _pick(rng, REGIONS)}
    _put(fac, "town", _pick(rng, TOWNS))
    status = _pick(rng, (("operating", 30), (OMIT, 63), ("proposed", 7)))
    _put(fac, "status", status)
    industries = sorted({_pick(rng, INDUSTRIES) for _ in range(rng.randrange(1, 4))})
    fac["industries"] = industries
    if any(x in FUGITIVE_INDUSTRIES for x in industries) and rng.random() < 0.9:
        fac["fugitive_control"] = fc = {}
        for key in ("closed_storage", "enclosed_conveying", "system_collection"):
            _put(fc, key, _flag(rng, 85, 8, 7))
    _put(fac, "pollutant_permit", _flag(rng, 70, 20, 10))
    if fac.get("pollutant_permit"):
        _put(fac, "permit_reports_published", _flag(rng, 85, 10, 5))
    _put(fac, "key_pollutant_unit", _flag(rng, 25, 50, 25))
    if fac.get("key_pollutant_unit"):
        _put(fac, "environmental_disclosure", _flag(rng, 85, 10, 5))
    _put(fac, "key_vehicle_user", _flag(rng, 40, 50, 10))
    if fac.get("key_vehicle_user"):
        _put(fac, "gate_video_surveillance", _flag(rng, 85, 10, 5))
        if fac.get("gate_video_surveillance"):
            _put(fac, "gate_video_retention", _pick(rng, (("3 个月", 40), ("6 个月", 20), ("1 month", 5),
                                                          ("90 天", 10), ("180 天", 10), ("2 个月", 5), (OMIT, 10))))
        _put(fac, "diesel_truck_log", _flag(rng, 80, 12, 8))
    if status == "proposed":
        _put(fac, "bulk_material_transport", _flag(rng, 60, 35, 5))
        if fac.get("bulk_material_transport"):
            _put(fac, "bulk_transport_modes", _pick(rng, ((["rail"], 30), (["road"], 25), (["rail", "road"], 15),
                                                          (["belt_conveyor"], 10), (["pipeline"], 5), ([], 5),
                                                          (OMIT, 10))))
    _put(fac, "in_built_up_area", _flag(rng, 40, 50, 10))
    if fac.get("in_built_up_area"):
        _put(fac, "open_burning", _flag(rng, 3, 85, 12))
    if "coal_trading" in industries:
        _put(fac, "coal_sales_ledger", _flag(rng, 80, 12, 8))
        _put(fac, "coal_quality_compliant", _flag(rng, 85, 8, 7))
    return fac


def _emergency_plan(rng: random.Random) -> dict:
    plan: Dict[str, Any] = {}
    for level in ("yellow", "orange", "red"):
        if rng.random() < 0.95:
            plan[level] = red = {}
            for pol in ("so2", "nox", "pm", "voc"):
                if rng.random() < 0.8:
                    red[pol] = f"{_pick(rng, ((0, 15), (10, 25), (20, 25), (30, 20), (50, 15))):g} %"
    _put(plan, "posted", _flag(rng, 80, 15, 5))
    _put(plan, "staggered_transport", _flag(rng, 75, 15, 10))
    return plan


def make_record(rng: random.Random, i: int) -> dict:
    ctx: Dict[str, Any] = {"as_of": _date(rng)}
    _put(ctx, "alert", _pick(rng, ((OMIT, 45), ("none", 10), ("yellow", 15), ("orange", 18), ("red", 12))))
    fac = _facility(rng, i)
    rec: Dict[str, Any] = {"schema": "facility/1", "context": ctx, "facility": fac}
    sections = (("boilers", _boiler, (0, 1, 2, 3), (30, 35, 25, 10)),
                ("coatings", _coating, (0, 1, 2, 3, 4), (35, 20, 20, 15, 10)),
                ("construction_sites", _site, (0, 1, 2), (65, 25, 10)),
                ("vehicles", _vehicle, (0, 1, 2, 4, 6), (55, 15, 12, 10, 8)))
    for name, make, counts, weights in sections:
        n = rng.choices(counts, weights)[0]
        if n:
            rec[name] = [make(rng, j) for j in range(n)]
    if rng.random() < 0.3:
        rec["emergency_plan"] = _emergency_plan(rng)
    if rng.random() < 0.05:
        rec["monitoring"] = {"dustfall": f"{round(rng.uniform(3.0, 12.0), 1):g} "
                                         f"{rng.choice(('t/(month*km^2)', '吨/月·平方公里'))}"}
    if "petrochemical" in fac["industries"] and rng.random() < 0.85:
        ldar: Dict[str, Any] = {}
        _put(ldar, "program", _flag(rng, 85, 10, 5))
        if rng.random() < 0.9:
            permille = round(rng.uniform(0.5, 4.5), 1)
            ldar["leak_rate"] = f"{permille:g} ‰" if rng.random() < 0.7 else f"{permille / 10:g} %"
        rec["ldar"] = ldar
    return rec


def generate(n: int, seed: int) -> List[dict]:
    rng = random.Random(seed)
    return [make_record(rng, i) for i in range(n)]


# =====================================================================
# Hand-written evaluation of cn-tj-jizhou-2018-autumn-winter
# =====================================================================
# Plain functions, one per rule, with the numbers of the YAML, reading the raw
# dicts the generator writes (units converted by hand). Three-valued logic:
# True, False, None (unknown). Each rule function returns a status, or None
# for "not applicable" (not in force at as_of, or `when` false). The order of
# the tests follows compliance/evaluate.py (docs/semantics.md).

VIOLATION, COMPLIANT, INDETERMINATE, PENDING, EXEMPT = "violation", "compliant", "indeterminate", "pending", "exempt"
ISSUED = dt.date(2018, 12, 5)  # the plan's issue date: rules exist from then...
OCT_1 = dt.date(2018, 10, 1)  # ...unless their effective_from is earlier
NOV_1 = dt.date(2018, 11, 1)
JAN_1 = dt.date(2019, 1, 1)
DEC_31 = dt.date(2018, 12, 31)
APR_30 = dt.date(2019, 4, 30)
JIZHOU_FORMS = frozenset({"120119", "蓟州区", "天津市蓟州区"})  # the forms the generator writes
CONC_FACTOR = {"mg/m^3": 1.0, "mg/m³": 1.0, "毫克/立方米": 1.0}
VOC_FACTOR = {"g/L": 1.0, "克/升": 1.0, "lb/gal": LB_PER_GAL_IN_G_PER_L}
MONTH_FACTOR = {"个月": 1.0, "month": 1.0, "天": 12 / 365.25}  # pint: month = year / 12, year = 365.25 days
DUSTFALL_FACTOR = {"t/(month*km^2)": 1.0, "吨/月·平方公里": 1.0}
PERMILLE_FACTOR = {"‰": 1.0, "%": 10.0}
STAGE_LEVEL = {  # written stage -> (lowest, highest) level; 6a = 6, 6b = 7, a bare 国六 is 6a or 6b
    "国三": (3, 3), "国四": (4, 4), "国五": (5, 5), "国V": (5, 5), "5": (5, 5), "China 5": (5, 5),
    "国六": (6, 7), "6a": (6, 6), "6b": (7, 7), "国VI(B)": (7, 7),
}
CO_FIRING_BANNED = ("coal", "gas", "oil", "alcohol_based", "chemical_waste", "other")
ALERT_EXEMPT_PURPOSES = ("safety", "livelihood", "special", "port")


def round12(x: float) -> float:
    """12 significant digits, as the library's canonical magnitudes."""
    return float(f"{x:.12g}")


def and3(*xs: Optional[bool]) -> Optional[bool]:
    out: Optional[bool] = True
    for x in xs:
        if x is False:
            return False
        if x is None:
            out = None
    return out


def or3(*xs: Optional[bool]) -> Optional[bool]:
    out: Optional[bool] = False
    for x in xs:
        if x is True:
            return True
        if x is None:
            out = None
    return out


def eq3(v, target) -> Optional[bool]:
    return None if v is None else v == target


def in3(v, options) -> Optional[bool]:
    return None if v is None else v in options


def includes3(v, options) -> Optional[bool]:
    """An enum list contains any of ``options``."""
    return None if v is None else any(x in v for x in options)


def not3(x: Optional[bool]) -> Optional[bool]:
    return None if x is None else not x


def cmp3(v: Optional[float], op, limit) -> Optional[bool]:
    return None if v is None else op(v, limit)


def verdict(as_of: dt.date, in_force_from: dt.date, when: Optional[bool], require: Optional[bool],
            unless: Optional[bool] = False, effective_from: Optional[dt.date] = None,
            deadline: Optional[dt.date] = None, until: Optional[dt.date] = None) -> Optional[str]:
    if as_of < in_force_from or (until is not None and as_of > until) or when is False:
        return None
    if when is None:
        return INDETERMINATE
    if require is True:
        return COMPLIANT
    if unless is True:
        return EXEMPT
    if require is None or unless is None:
        return INDETERMINATE
    if effective_from is not None and as_of < effective_from:
        return PENDING
    if deadline is not None and as_of <= deadline:
        return PENDING
    return VIOLATION


def _split(raw: str) -> Tuple[float, str]:
    num, _, unit = raw.partition(" ")
    return float(num), unit.strip()


def quantity(raw, factors: Dict[str, float]) -> Optional[float]:
    """A written "<number> <unit>" in the canonical unit, rounded as the library rounds."""
    if raw is None:
        return None
    value, unit = _split(raw)
    return round12(value * factors[unit])


def percent(raw) -> Optional[float]:
    if raw is None:
        return None
    value, unit = _split(raw)
    assert unit == "%", unit
    return value


def day(raw) -> Optional[dt.date]:
    return None if raw is None else dt.date.fromisoformat(raw)


def capacity_at_most(raw, limit: Tuple[float, float]) -> Optional[bool]:
    """capacity <= limit, compared in the unit written; ``limit`` is (t/h of steam, MW)."""
    if raw is None:
        return None
    value, unit = _split(raw)
    if unit in ("t/h", "蒸吨/时"):
        return value <= limit[0]
    if unit == "MW":
        return value <= limit[1]
    raise ValueError(f"unexpected capacity unit {unit!r}")


STEAM_35 = (35.0, round12(35.0 * 0.7))  # 1 t/h of steam = 0.7 MW (GB 13271-2014 Table 4 note)
STEAM_65 = (65.0, round12(65.0 * 0.7))  # GB 13271-2014 scope: steam boilers of 65 t/h and below


def coverage_full(raw) -> Optional[bool]:
    """A dust measure at 100 % (true = 100 %, a share 0..1, or "N %")."""
    if raw is None:
        return None
    if raw is True or raw is False:
        return raw
    if isinstance(raw, (int, float)):
        return raw >= 1.0
    value, unit = _split(raw)
    assert unit == "%", unit
    return round(value / 100.0, 12) >= 1.0


def stage_at_least_5(raw) -> Optional[bool]:
    if raw is None:
        return None
    lo, hi = STAGE_LEVEL[raw]
    if lo >= 5:
        return True
    if hi < 5:
        return False
    return None  # the written stage straddles 5 (cannot happen with the stages above)


def _operating(e: dict) -> str:
    return e.get("status", "operating")  # record-format default


# -- facility (二（一）, 二（三）, 二（九）, 三)

def facility_fugitive_emission_control(f, fac, ctx, as_of):
    when = and3(_operating(f) == "operating", includes3(f.get("industries"), FUGITIVE_INDUSTRIES))
    fc = f.get("fugitive_control") or {}
    require = and3(eq3(fc.get("closed_storage"), True), eq3(fc.get("enclosed_conveying"), True),
                   eq3(fc.get("system_collection"), True))
    return verdict(as_of, ISSUED, when, require, deadline=DEC_31)


def facility_pollutant_permit_named_industries(f, fac, ctx, as_of):
    when = and3(_operating(f) == "operating",
                includes3(f.get("industries"), ("slaughtering", "starch", "wastewater_treatment")))
    return verdict(as_of, ISSUED, when, eq3(f.get("pollutant_permit"), True), deadline=DEC_31)


def facility_green_transport_new_bulk_projects(f, fac, ctx, as_of):
    when = and3(_operating(f) == "proposed", eq3(f.get("bulk_material_transport"), True))
    modes = f.get("bulk_transport_modes")
    require = or3(includes3(modes, ("rail", "pipeline")), not3(includes3(modes, ("road",))))
    return verdict(as_of, ISSUED, when, require)


def facility_truck_gate_video(f, fac, ctx, as_of):
    return verdict(as_of, ISSUED, eq3(f.get("key_vehicle_user"), True), eq3(f.get("gate_video_surveillance"), True))


def facility_truck_gate_video_retention(f, fac, ctx, as_of):
    when = and3(eq3(f.get("key_vehicle_user"), True), eq3(f.get("gate_video_surveillance"), True))
    months = quantity(f.get("gate_video_retention"), MONTH_FACTOR)
    return verdict(as_of, ISSUED, when, cmp3(months, operator.ge, 3.0))


def facility_truck_gate_diesel_truck_log(f, fac, ctx, as_of):
    return verdict(as_of, ISSUED, eq3(f.get("key_vehicle_user"), True), eq3(f.get("diesel_truck_log"), True),
                   until=APR_30)


def facility_disclosure_key_pollutant_unit(f, fac, ctx, as_of):
    return verdict(as_of, ISSUED, eq3(f.get("key_pollutant_unit"), True), eq3(f.get("environmental_disclosure"), True))


def facility_disclosure_permit_execution_reports(f, fac, ctx, as_of):
    return verdict(as_of, ISSUED, eq3(f.get("pollutant_permit"), True), eq3(f.get("permit_reports_published"), True))


def facility_coal_trading_sales_ledger(f, fac, ctx, as_of):
    return verdict(as_of, ISSUED, includes3(f.get("industries"), ("coal_trading",)),
                   eq3(f.get("coal_sales_ledger"), True))


def facility_coal_trading_no_substandard_coal(f, fac, ctx, as_of):
    return verdict(as_of, ISSUED, includes3(f.get("industries"), ("coal_trading",)),
                   eq3(f.get("coal_quality_compliant"), True))


def facility_urban_open_burning_ban(f, fac, ctx, as_of):
    return verdict(as_of, ISSUED, eq3(f.get("in_built_up_area"), True), eq3(f.get("open_burning"), False))


# -- coatings (二（七）20, rows 64 and 66; 二（七）21)

def _coating_limit(c: dict, as_of: dt.date, category: str, limit: float, eff=None, deadline=None):
    when = eq3(c.get("category"), category)
    if when is False or as_of < ISSUED:
        return None
    voc = quantity(c.get("voc_content"), VOC_FACTOR)
    return verdict(as_of, ISSUED, when, cmp3(voc, operator.le, limit), effective_from=eff, deadline=deadline)


def coating_automotive_oem(c, fac, ctx, as_of):
    return _coating_limit(c, as_of, "automotive_oem", 580.0, eff=JAN_1)


def coating_wood(c, fac, ctx, as_of):
    return _coating_limit(c, as_of, "wood", 600.0, eff=JAN_1)


def coating_construction_machinery(c, fac, ctx, as_of):
    return _coating_limit(c, as_of, "construction_machinery", 550.0, eff=JAN_1)


def coating_industrial_anticorrosion(c, fac, ctx, as_of):
    return _coating_limit(c, as_of, "industrial_anticorrosion", 550.0, eff=JAN_1)


def _used(c) -> bool:
    return c.get("activity", "use") == "use"  # record-format default


def coating_auto_refinish(c, fac, ctx, as_of):
    if as_of < ISSUED:
        return None
    when = and3(eq3(c.get("category"), "auto_refinish"), _used(c))
    if when is False:
        return None
    voc = quantity(c.get("voc_content"), VOC_FACTOR)
    return verdict(as_of, ISSUED, when, cmp3(voc, operator.le, 540.0), deadline=DEC_31)


def coating_auto_refinish_basecoat_topcoat(c, fac, ctx, as_of):
    if as_of < ISSUED:
        return None
    when = and3(eq3(c.get("category"), "auto_refinish"), in3(c.get("layer"), ("basecoat", "topcoat")), _used(c))
    if when is False:
        return None
    voc = quantity(c.get("voc_content"), VOC_FACTOR)
    return verdict(as_of, ISSUED, when, cmp3(voc, operator.le, 420.0), deadline=DEC_31)


def coating_auto_repair_waterborne(c, fac, ctx, as_of):
    when = and3(includes3(fac.get("industries"), ("auto_repair",)), _used(c))
    return verdict(as_of, ISSUED, when, eq3(c.get("solvent_based"), False), deadline=DEC_31)


SOLVENT_LIMITS = (("automotive_oem", 580.0), ("wood", 600.0), ("construction_machinery", 550.0),
                  ("industrial_anticorrosion", 550.0), ("auto_refinish", 540.0))


def coating_no_solvent_based_new_projects(c, fac, ctx, as_of):
    """New projects: a solvent-borne coating of the five named categories must meet its VOC limit."""
    cat = c.get("category")
    when = and3(_operating(fac) == "proposed", eq3(c.get("solvent_based"), True),
                in3(cat, tuple(k for k, _ in SOLVENT_LIMITS)))
    if when is False or as_of < ISSUED:
        return None
    voc = quantity(c.get("voc_content"), VOC_FACTOR)
    require = and3(*(or3(not3(eq3(cat, k)), cmp3(voc, operator.le, limit)) for k, limit in SOLVENT_LIMITS),
                   or3(not3(eq3(cat, "auto_refinish")), not3(in3(c.get("layer"), ("basecoat", "topcoat"))),
                       cmp3(voc, operator.le, 420.0)))
    return verdict(as_of, ISSUED, when, require)


# -- boilers (二（二）6 rows 17-19; 二（一）3 row 3 with GB 13271-2014 Table 3)

def boiler_coal_below_35th(b, fac, ctx, as_of):
    if as_of < ISSUED:
        return None
    when = and3(eq3(b.get("fuel"), "coal"), capacity_at_most(b.get("capacity"), STEAM_35))  # 以下: inclusive
    return verdict(as_of, ISSUED, when, _operating(b) == "shutdown", deadline=DEC_31)


def _biomass_in_use(b) -> Optional[bool]:
    return and3(eq3(b.get("fuel"), "biomass"), _operating(b) in ("operating", "standby", "planned"))


def boiler_biomass_dedicated(b, fac, ctx, as_of):
    return verdict(as_of, ISSUED, _biomass_in_use(b), eq3(b.get("dedicated_biomass"), True))


def boiler_biomass_bag_filter(b, fac, ctx, as_of):
    return verdict(as_of, ISSUED, _biomass_in_use(b), eq3(b.get("bag_filter"), True))


def boiler_biomass_no_co_firing(b, fac, ctx, as_of):
    when = _biomass_in_use(b)
    if when is False:
        return None
    return verdict(as_of, ISSUED, when, not3(includes3(b.get("co_firing"), CO_FIRING_BANNED)))


def boiler_no_chemical_waste(b, fac, ctx, as_of):
    when = _operating(b) in ("operating", "standby")
    return verdict(as_of, ISSUED, when, not3(includes3(b.get("co_firing"), ("chemical_waste",))))


def boiler_yuyang_briquette_ban(b, fac, ctx, as_of):
    when = and3(eq3(fac.get("town"), "渔阳镇"), eq3(b.get("fuel"), "biomass"),
                _operating(b) in ("operating", "standby"))
    return verdict(as_of, NOV_1, when, not3(eq3(b.get("fuel_form"), "briquette")), effective_from=NOV_1)


def _special_limit(b, as_of, fuel, pollutant, limit, o2_ref):
    if as_of < OCT_1:
        return None
    if fuel == "coal":  # briquetted biomass follows the coal-fired requirements (GB 13271-2014 scope)
        fuel_test = or3(eq3(b.get("fuel"), "coal"),
                        and3(eq3(b.get("fuel"), "biomass"), eq3(b.get("fuel_form"), "briquette")))
    else:
        fuel_test = eq3(b.get("fuel"), fuel)
    if fuel_test is False:
        return None
    in_scope = or3(in3(b.get("medium"), ("hot_water", "thermal_oil")),  # GB 13271-2014 scope: any hot-water or
                   capacity_at_most(b.get("capacity"), STEAM_65))       # thermal-oil boiler, steam <= 65 t/h
    when = and3(fuel_test, _operating(b) in ("operating", "standby"), in_scope)
    if when is False:
        return None
    em = b.get("emissions") or {}
    measured, o2 = quantity(em.get(pollutant), CONC_FACTOR), percent(em.get("o2"))
    if measured is None or o2 is None:
        require = None
    else:  # GB 13271-2014 5.2: rho = rho' x (21 - ref) / (21 - o2)
        require = round12(measured * (21.0 - o2_ref) / (21.0 - o2)) <= limit
    return verdict(as_of, OCT_1, when, require, effective_from=OCT_1)


def boiler_coal_pm(b, fac, ctx, as_of):
    return _special_limit(b, as_of, "coal", "pm", 30.0, 9.0)


def boiler_coal_so2(b, fac, ctx, as_of):
    return _special_limit(b, as_of, "coal", "so2", 200.0, 9.0)


def boiler_coal_nox(b, fac, ctx, as_of):
    return _special_limit(b, as_of, "coal", "nox", 200.0, 9.0)


def boiler_oil_pm(b, fac, ctx, as_of):
    return _special_limit(b, as_of, "oil", "pm", 30.0, 3.5)


def boiler_oil_so2(b, fac, ctx, as_of):
    return _special_limit(b, as_of, "oil", "so2", 100.0, 3.5)


def boiler_oil_nox(b, fac, ctx, as_of):
    return _special_limit(b, as_of, "oil", "nox", 200.0, 3.5)


def boiler_gas_pm(b, fac, ctx, as_of):
    return _special_limit(b, as_of, "gas", "pm", 20.0, 3.5)


def boiler_gas_so2(b, fac, ctx, as_of):
    return _special_limit(b, as_of, "gas", "so2", 50.0, 3.5)


def boiler_gas_nox(b, fac, ctx, as_of):
    return _special_limit(b, as_of, "gas", "nox", 150.0, 3.5)


# -- construction sites (二（四）9, row 28)

def site_six_100_percent(s, fac, ctx, as_of):
    if as_of < ISSUED:
        return None
    dm = s.get("dust_measures") or {}
    return verdict(as_of, ISSUED, True, and3(*(coverage_full(dm.get(k)) for k in DUST)))


def site_earthwork_monitoring(s, fac, ctx, as_of):
    when = and3(eq3(s.get("kind"), "building"), eq3(s.get("earthwork"), True))
    require = and3(eq3(s.get("pm_monitoring"), True), eq3(s.get("video_surveillance"), True),
                   eq3(s.get("monitoring_connected"), True))
    return verdict(as_of, ISSUED, when, require)


def site_linear_sectional(s, fac, ctx, as_of):
    return verdict(as_of, ISSUED, eq3(s.get("linear"), True), eq3(s.get("sectional"), True))


# -- vehicles (二（九）27 row 79; 二（五）)

def vehicle_alert_heavy_truck_ban(v, fac, ctx, as_of):
    when = and3(ctx.get("alert", "none") in ("orange", "red"), eq3(fac.get("key_vehicle_user"), True),
                eq3(v.get("kind"), "heavy_truck"))
    if when is False or as_of < ISSUED:
        return None
    unless = and3(stage_at_least_5(v.get("emission_stage")),
                  v.get("alert_purpose", "none") in ALERT_EXEMPT_PURPOSES)
    return verdict(as_of, ISSUED, when, v.get("in_service", True) is False, unless)


def vehicle_urban_fleet_new_energy(v, fac, ctx, as_of):
    kind = v.get("kind")
    when = and3(eq3(fac.get("in_built_up_area"), True),
                or3(in3(kind, URBAN_FLEET), and3(eq3(kind, "bus"), eq3(v.get("public_transit"), True))),
                cmp3(day(v.get("registered")), operator.ge, OCT_1))
    if when is False:
        return None
    fuel = v.get("fuel")
    require = or3(in3(fuel, ("electric", "gas")), and3(eq3(fuel, "hybrid"), eq3(v.get("new_energy"), True)))
    return verdict(as_of, OCT_1, when, require, effective_from=OCT_1)


# -- single sections: emergency_plan, monitoring, ldar. A record without the
# section is judged only by rules whose `when` positively holds (the library's
# "implicit" entities); a rule without `when` does not apply to it.

def plan_reduction_at_every_level(p, fac, ctx, as_of, implicit):
    if implicit:
        return None

    def level(name):
        lv = p.get(name) or {}
        return or3(*(cmp3(percent(lv.get(pol)), operator.gt, 0.0) for pol in ("so2", "nox", "pm", "voc")))

    return verdict(as_of, ISSUED, True, and3(level("yellow"), level("orange"), level("red")))


def plan_posted(p, fac, ctx, as_of, implicit):
    return None if implicit else verdict(as_of, ISSUED, True, eq3(p.get("posted"), True))


def plan_staggered_transport(p, fac, ctx, as_of, implicit):
    when = eq3(fac.get("key_vehicle_user"), True)
    if implicit and when is not True:
        return None
    return verdict(as_of, ISSUED, when, eq3(p.get("staggered_transport"), True))


def monitoring_dustfall(m, fac, ctx, as_of, implicit):
    if implicit:
        return None
    return verdict(as_of, ISSUED, True, cmp3(quantity(m.get("dustfall"), DUSTFALL_FACTOR), operator.le, 9.0))


def _petrochemical(fac) -> Optional[bool]:
    return includes3(fac.get("industries"), ("petrochemical",))


def ldar_leak_rate(d, fac, ctx, as_of, implicit):
    when = _petrochemical(fac)
    if implicit and when is not True:
        return None
    rate = quantity(d.get("leak_rate"), PERMILLE_FACTOR)
    return verdict(as_of, ISSUED, when, cmp3(rate, operator.le, 3.0), deadline=DEC_31)


def ldar_program(d, fac, ctx, as_of, implicit):
    when = _petrochemical(fac)
    if implicit and when is not True:
        return None
    return verdict(as_of, ISSUED, when, eq3(d.get("program"), True), deadline=DEC_31)


P = "jizhou-2018/"
FACILITY_RULES: Tuple[Tuple[str, Callable], ...] = (
    (P + "fugitive-emission-control", facility_fugitive_emission_control),
    (P + "pollutant-permit/named-industries", facility_pollutant_permit_named_industries),
    (P + "green-transport/new-bulk-projects", facility_green_transport_new_bulk_projects),
    (P + "truck-gate/video", facility_truck_gate_video),
    (P + "truck-gate/video-retention", facility_truck_gate_video_retention),
    (P + "truck-gate/diesel-truck-log", facility_truck_gate_diesel_truck_log),
    (P + "disclosure/key-pollutant-unit", facility_disclosure_key_pollutant_unit),
    (P + "disclosure/permit-execution-reports", facility_disclosure_permit_execution_reports),
    (P + "coal-trading/sales-ledger", facility_coal_trading_sales_ledger),
    (P + "coal-trading/no-substandard-coal", facility_coal_trading_no_substandard_coal),
    (P + "urban-open-burning-ban", facility_urban_open_burning_ban),
)
LIST_RULES: Dict[str, Tuple[Tuple[str, Callable], ...]] = {
    "coatings": (
        (P + "coating-voc/automotive-oem", coating_automotive_oem),
        (P + "coating-voc/wood", coating_wood),
        (P + "coating-voc/construction-machinery", coating_construction_machinery),
        (P + "coating-voc/industrial-anticorrosion", coating_industrial_anticorrosion),
        (P + "coating-voc/auto-refinish", coating_auto_refinish),
        (P + "coating-voc/auto-refinish-basecoat-topcoat", coating_auto_refinish_basecoat_topcoat),
        (P + "voc/no-solvent-based-new-projects", coating_no_solvent_based_new_projects),
        (P + "coating/auto-repair-waterborne", coating_auto_repair_waterborne),
    ),
    "boilers": (
        (P + "coal-boiler-below-35th", boiler_coal_below_35th),
        (P + "biomass-boiler/dedicated", boiler_biomass_dedicated),
        (P + "biomass-boiler/bag-filter", boiler_biomass_bag_filter),
        (P + "biomass-boiler/no-co-firing", boiler_biomass_no_co_firing),
        (P + "boiler-no-chemical-waste", boiler_no_chemical_waste),
        (P + "yuyang-biomass-briquette-ban", boiler_yuyang_briquette_ban),
        (P + "boiler-special-limit/coal/pm", boiler_coal_pm),
        (P + "boiler-special-limit/coal/so2", boiler_coal_so2),
        (P + "boiler-special-limit/coal/nox", boiler_coal_nox),
        (P + "boiler-special-limit/oil/pm", boiler_oil_pm),
        (P + "boiler-special-limit/oil/so2", boiler_oil_so2),
        (P + "boiler-special-limit/oil/nox", boiler_oil_nox),
        (P + "boiler-special-limit/gas/pm", boiler_gas_pm),
        (P + "boiler-special-limit/gas/so2", boiler_gas_so2),
        (P + "boiler-special-limit/gas/nox", boiler_gas_nox),
    ),
    "construction_sites": (
        (P + "construction-dust/six-100-percent", site_six_100_percent),
        (P + "construction-dust/earthwork-site-monitoring", site_earthwork_monitoring),
        (P + "construction-dust/linear-sectional", site_linear_sectional),
    ),
    "vehicles": (
        (P + "alert-heavy-truck-ban", vehicle_alert_heavy_truck_ban),
        (P + "vehicles/urban-fleet-new-energy", vehicle_urban_fleet_new_energy),
    ),
}
SINGLE_RULES: Dict[str, Tuple[Tuple[str, Callable], ...]] = {
    "emergency_plan": (
        (P + "emergency-plan/reduction-at-every-level", plan_reduction_at_every_level),
        (P + "emergency-plan/posted", plan_posted),
        (P + "staggered-transport-plan", plan_staggered_transport),
    ),
    "monitoring": ((P + "dustfall", monitoring_dustfall),),
    "ldar": (
        (P + "ldar/petrochemical-leak-rate", ldar_leak_rate),
        (P + "ldar/petrochemical-program", ldar_program),
    ),
}
HAND_RULE_IDS = frozenset(rid for group in (FACILITY_RULES, *LIST_RULES.values(), *SINGLE_RULES.values())
                          for rid, _ in group)


def hand_check(rec: dict) -> List[Key]:
    """(rule, entity, status) for every applicable hand-written Jizhou rule on ``rec``."""
    fac = rec["facility"]
    if fac.get("region") not in JIZHOU_FORMS:
        return []  # jurisdiction: every rule here is Jizhou's
    ctx = rec.get("context") or {}
    as_of = dt.date.fromisoformat(ctx["as_of"])
    out: List[Key] = []
    fid = fac["id"]
    for rule_id, fn in FACILITY_RULES:
        status = fn(fac, fac, ctx, as_of)
        if status is not None:
            out.append((rule_id, fid, status))
    for section, rules in LIST_RULES.items():
        for ent in rec.get(section) or ():
            eid = ent["id"]
            for rule_id, fn in rules:
                status = fn(ent, fac, ctx, as_of)
                if status is not None:
                    out.append((rule_id, eid, status))
    for section, rules in SINGLE_RULES.items():
        ent = rec.get(section)
        for rule_id, fn in rules:
            status = fn(ent or {}, fac, ctx, as_of, ent is None)
            if status is not None:
                out.append((rule_id, fid, status))
    return out


# =====================================================================
# Library side
# =====================================================================

def lib_check(ev, rec: dict):
    return ev.findings(normalise(record_from_data(rec)))


def lib_keys(findings) -> List[Key]:
    return [(f.rule, f.entity_id, f.status) for f in findings]


# =====================================================================
# Measuring
# =====================================================================

def _rss_kib() -> Optional[int]:
    """Current resident set size (Linux), KiB."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError):
        return None


def _maxrss_kib() -> int:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r // 1024 if sys.platform == "darwin" else r  # bytes on macOS, KiB on Linux


class Phase:
    """Accumulated CPU and wall time of one phase over the records."""

    def __init__(self, name: str):
        self.name = name
        self.n = 0
        self.cpu = 0.0
        self.wall = 0.0
        self.violating = 0
        self.peak: Optional[int] = None

    def add(self, n: int, cpu: float, wall: float, violating: int = 0) -> None:
        self.n += n
        self.cpu += cpu
        self.wall += wall
        self.violating += violating

    @property
    def rate(self) -> float:  # records per CPU second
        return self.n / self.cpu if self.cpu else float("inf")

    @property
    def wall_rate(self) -> float:
        return self.n / self.wall if self.wall else float("inf")

    @property
    def us(self) -> float:  # CPU µs per record
        return self.cpu / self.n * 1e6 if self.n else 0.0


def simple_runner(phase: Phase, fn: Callable[[Any], Any], violates: Optional[Callable] = None):
    """A block runner: ``fn`` on every item of a block, timed as a whole."""
    def run(block: Sequence) -> None:
        v = 0
        w0, c0 = time.perf_counter(), time.process_time()
        if violates is None:
            for item in block:
                fn(item)
        else:
            for item in block:
                if violates(fn(item)):
                    v += 1
        phase.add(len(block), time.process_time() - c0, time.perf_counter() - w0, v)
    return run


def pipeline_runner(ev, total: Phase, load: Phase, norm: Phase, find: Phase):
    """A block runner for the library pipeline, each stage timed (CPU) inside the loop."""
    def run(block: Sequence[dict]) -> None:
        ct = time.process_time
        t_load = t_norm = t_find = 0.0
        v = 0
        w0, c0 = time.perf_counter(), ct()
        for rec in block:
            t0 = ct()
            raw = record_from_data(rec)
            t1 = ct()
            facts = normalise(raw)
            t2 = ct()
            findings = ev.findings(facts)
            t3 = ct()
            t_load += t1 - t0
            t_norm += t2 - t1
            t_find += t3 - t2
            if has_violation_f(findings):
                v += 1
        cpu, wall = ct() - c0, time.perf_counter() - w0
        n = len(block)
        total.add(n, cpu, wall, v)
        share = wall / cpu if cpu else 1.0
        load.add(n, t_load, t_load * share)
        norm.add(n, t_norm, t_norm * share)
        find.add(n, t_find, t_find * share)
    return run


def interleaved(items: Sequence, runners: Sequence[Callable[[Sequence], None]], block: int) -> None:
    """Run every runner on each block of ``items`` in turn (order rotated per block),
    so that load from other processes on the machine spreads over all phases."""
    k = len(runners)
    for b, start in enumerate(range(0, len(items), block)):
        chunk = items[start:start + block]
        for j in range(k):
            runners[(b + j) % k](chunk)


def traced_peak(items: Sequence, fn: Callable[[Any], Any]) -> int:
    """tracemalloc peak (bytes) while running ``fn`` over ``items``, results dropped."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    for item in items:
        fn(item)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def best_of(cmd: List[str], runs: int, cwd: Path) -> Tuple[float, float, int]:
    """Best wall time and best CPU time (user + system of the child) of ``runs`` runs, and the exit code.

    Raises RuntimeError if the command fails (exit status other than 0 or 1)."""
    best_wall = best_cpu = float("inf")
    code = 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        code = proc.returncode
        if code not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)} exited {code}: {proc.stderr.decode(errors='replace').strip()}")
    return best_wall, best_cpu, code


def has_violation_f(findings) -> bool:
    return any(f.status == "violation" for f in findings)


def has_violation_k(keys) -> bool:
    return any(k[2] == "violation" for k in keys)


# =====================================================================
# Agreement
# =====================================================================

def agreement(records: Sequence[dict], ev_durable, ev_direct) -> Tuple[int, int, int, Counter, List[str]]:
    """Records whose (rule, entity, status) sets agree, findings compared, engines agreeing."""
    agree = findings = engines_agree = 0
    statuses: Counter = Counter()
    problems: List[str] = []
    for i, rec in enumerate(records):
        hand = hand_check(rec)
        lib = lib_keys(lib_check(ev_durable, rec))
        direct = lib_keys(lib_check(ev_direct, rec))
        statuses.update(k[2] for k in lib)
        findings += len(lib)
        if sorted(lib) == sorted(direct):
            engines_agree += 1
        duplicated = len(hand) != len(set(hand)) or len(lib) != len(set(lib))
        if duplicated:
            problems.append(f"record {i}: duplicate findings (hand {len(hand)}, library {len(lib)})")
        if set(hand) == set(lib) and not duplicated:
            agree += 1
        elif len(problems) < 12:
            only_hand = sorted(set(hand) - set(lib))
            only_lib = sorted(set(lib) - set(hand))
            problems.append(f"record {i} ({rec['facility']['id']}): hand-written only {only_hand}; "
                            f"library only {only_lib}")
    return agree, findings, engines_agree, statuses, problems


# =====================================================================
# Main
# =====================================================================

def _mib(n_bytes: Optional[float]) -> str:
    return "-" if n_bytes is None else f"{n_bytes / 2**20:.1f} MiB"


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=20000, help="synthetic records (default 20000)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--quick", action="store_true", help="2000 records")
    ap.add_argument("--block", type=int, default=250, help="records per interleaved block (default 250)")
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc phases")
    ap.add_argument("--cli-runs", type=int, default=5, help="CLI runs, best taken (default 5)")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="also cProfile the durable library pipeline on N records (top 15 cumulative)")
    args = ap.parse_args(argv)
    n = 2000 if args.quick else args.records
    if n < 1 or args.block < 1:
        ap.error("--records and --block must be positive")

    def say(text: str = "") -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    t0 = time.perf_counter()
    records = generate(n, args.seed)
    gen_s = time.perf_counter() - t0
    entities: Counter = Counter()
    for r in records:
        for section in (*LIST_RULES, *SINGLE_RULES):
            value = r.get(section)
            entities[section] += len(value) if isinstance(value, list) else int(value is not None)
    regions = Counter(JIZHOU if r["facility"]["region"] in JIZHOU_FORMS else r["facility"]["region"] for r in records)
    maxrss_gen = _maxrss_kib()

    # The library evaluates exactly the rules written by hand above: the Jizhou
    # ruleset restricted to HAND_RULE_IDS (rules on sections the generator does
    # not write are left out of both sides). A separate row times every bundled
    # ruleset, as `compliance check` would run them.
    t0 = time.perf_counter()
    bundled = {rs.id: rs for rs in load_rulesets(None)}  # YAML, validation, compiled conditions (cached)
    load_s = time.perf_counter() - t0
    jizhou = bundled[JIZHOU_RULESET]
    unknown = sorted(HAND_RULE_IDS - {r.id for r in jizhou.rules})
    if unknown:
        raise SystemExit(f"hand-written rules missing from {JIZHOU_RULESET}: {', '.join(unknown)}")
    same_rules = attrs.evolve(jizhou, rules=tuple(r for r in jizhou.rules if r.id in HAND_RULE_IDS))
    left_out = Counter(r.applies_to for r in jizhou.rules if r.id not in HAND_RULE_IDS)
    t0 = time.perf_counter()
    ev_durable = evaluator([same_rules], "durable")
    build_durable = time.perf_counter() - t0
    t0 = time.perf_counter()
    ev_direct = evaluator([same_rules], "direct")
    build_direct = time.perf_counter() - t0
    ev_all_durable, ev_all_direct = evaluator(None, "durable"), evaluator(None, "direct")
    assert ev_durable.engine == "durable" and ev_direct.engine == "direct", (ev_durable.engine, ev_direct.engine)

    say(f"compliance benchmark: {n} records, seed {args.seed}; Python {platform.python_version()} "
        f"on {platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    say(f"records: {dict(regions)} by region; entities {dict(entities)} "
        f"({sum(v for k, v in entities.items() if k in LIST_RULES) / n:.2f} list entities per record); "
        f"generated in {gen_s:.2f} s")
    say(f"rules: {len(same_rules.rules)} of the {len(jizhou.rules)} rules of {JIZHOU_RULESET}, written by hand "
        f"and given to the library; left out of both sides: "
        + (", ".join(f"{k} {v}" for k, v in sorted(left_out.items())) or "none"))
    if jizhou.version != HAND_WRITTEN_FOR:
        say(f"  NOTE: the hand-written rules follow {JIZHOU_RULESET} version {HAND_WRITTEN_FOR}; the library has "
            f"version {jizhou.version}. If the agreement below fails, update the rule functions in this script.")
    say(f"  all bundled rulesets: {len(bundled)} with {sum(len(rs.rules) for rs in bundled.values())} rules, "
        f"loaded in {load_s * 1e3:.0f} ms; evaluator build: durable {build_durable * 1e3:.0f} ms, "
        f"direct {build_direct * 1e3:.0f} ms")

    # --- agreement ----------------------------------------------------------
    checked = records[:CHECKED_RECORDS]
    agree, n_findings, engines_agree, statuses, problems = agreement(checked, ev_durable, ev_direct)
    say(f"agreement on the first {len(checked)} records: {agree}/{len(checked)} records with identical "
        f"(rule, entity, status) sets ({n_findings} library findings); durable = direct on "
        f"{engines_agree}/{len(checked)}")
    say("  library statuses there: " + ", ".join(f"{k} {v}" for k, v in statuses.most_common()))
    for p in problems:
        say("  DISAGREE " + p)

    # --- warm-up (lru caches, first-call imports) ---------------------------
    for rec in records[:200]:
        hand_check(rec)
        for ev in (ev_durable, ev_direct, ev_all_durable, ev_all_direct):
            lib_check(ev, rec)
    # The generated records are scaffolding (a real run would not hold N input
    # dicts): freeze them out of the cyclic collector's scans so that they do
    # not slow down the collections the library's allocations trigger.
    gc.collect()
    gc.freeze()
    rss_before = _rss_kib()

    # --- timed phases over the same records, interleaved in blocks ----------
    hand = Phase("hand-written rules (raw dict -> statuses)")
    durable, direct = Phase("library pipeline, engine durable"), Phase("library pipeline, engine direct")
    d_stages = [Phase("  record_from_data"), Phase("  normalise"), Phase("  Evaluator.findings")]
    x_stages = [Phase("  record_from_data"), Phase("  normalise"), Phase("  Evaluator.findings")]
    n_all = len(ev_all_durable.program.rules)
    all_d = Phase(f"library pipeline, all {n_all} bundled rules, durable")
    all_x = Phase(f"library pipeline, all {n_all} bundled rules, direct")
    interleaved(records, [simple_runner(hand, hand_check, has_violation_k),
                          pipeline_runner(ev_durable, durable, *d_stages),
                          pipeline_runner(ev_direct, direct, *x_stages),
                          simple_runner(all_d, lambda r: lib_check(ev_all_durable, r)),
                          simple_runner(all_x, lambda r: lib_check(ev_all_direct, r))], args.block)
    rss_pipelines = _rss_kib()

    # matching alone, and findings, on pre-normalised facts (normalisation is shared)
    facts = [normalise(record_from_data(r)) for r in records]
    gc.collect()
    gc.freeze()
    rss_facts = _rss_kib()
    match_d, match_x = Phase("matcher.match on Facts, durable"), Phase("matcher.match on Facts, direct")
    find_d, find_x = Phase("Evaluator.findings on Facts, durable"), Phase("Evaluator.findings on Facts, direct")
    interleaved(facts, [simple_runner(match_d, ev_durable.matcher.match),
                        simple_runner(match_x, ev_direct.matcher.match),
                        simple_runner(find_d, ev_durable.findings),
                        simple_runner(find_x, ev_direct.findings)], args.block)
    rss_match = _rss_kib()

    # --- memory: each phase alone under tracemalloc --------------------------
    if not args.no_memory:
        hand.peak = traced_peak(records, hand_check)
        durable.peak = traced_peak(records, lambda r: lib_check(ev_durable, r))
        direct.peak = traced_peak(records, lambda r: lib_check(ev_direct, r))
        match_d.peak = traced_peak(facts, ev_durable.matcher.match)
        match_x.peak = traced_peak(facts, ev_direct.matcher.match)
        find_d.peak = traced_peak(facts, ev_durable.findings)
        find_x.peak = traced_peak(facts, ev_direct.findings)
    del facts  # freed by reference counting (freezing only exempts from cyclic collection)
    gc.collect()

    # --- CLI ----------------------------------------------------------------
    exe = Path(sys.executable).with_name("compliance")
    cli = None
    cli_error = f"{exe} not found; skipped"
    if exe.exists() and EXAMPLE.exists():
        try:
            cli = (best_of([str(exe), "check", str(EXAMPLE.relative_to(ROOT))], args.cli_runs, ROOT),
                   best_of([sys.executable, "-c", "pass"], args.cli_runs, ROOT),
                   best_of([sys.executable, "-c", "import compliance.api"], args.cli_runs, ROOT))
        except RuntimeError as exc:  # report it with the other figures rather than lose them
            cli_error = f"failed, not timed: {exc}"

    # --- report -------------------------------------------------------------
    say()
    say("records/s and µs/record are per CPU second of this process (time.process_time); the wall column")
    say(f"includes time lost to other processes. Phases ran interleaved in blocks of {args.block} records.")
    say()
    say(f"{'phase':50} {'records/s':>10} {'µs/record':>10} {'wall rec/s':>11} {'tracemalloc peak':>17}")
    say("-" * 102)
    rows = [hand, durable, *d_stages, direct, *x_stages, match_d, match_x, find_d, find_x, all_d, all_x]
    for p in rows:
        say(f"{p.name:50} {p.rate:10.0f} {p.us:10.1f} {p.wall_rate:11.0f} {_mib(p.peak):>17}")
    say()
    say("ratios (same run, same records)")
    say(f"  library durable / hand-written records/s   {durable.rate / hand.rate:7.4f}   "
        f"(hand-written {hand.rate / durable.rate:.1f}x faster)")
    say(f"  library direct  / hand-written records/s   {direct.rate / hand.rate:7.4f}   "
        f"(hand-written {hand.rate / direct.rate:.1f}x faster)")
    say(f"  pipeline durable / direct records/s        {durable.rate / direct.rate:7.3f}")
    say(f"  matching alone durable / direct records/s  {match_d.rate / match_x.rate:7.3f}")
    say(f"  findings on Facts durable / direct         {find_d.rate / find_x.rate:7.3f}")
    for label, p, (ld, nm, fd), m, f in (("durable", durable, d_stages, match_d, find_d),
                                         ("direct", direct, x_stages, match_x, find_x)):
        say(f"  {label:7} pipeline {p.us:5.0f} µs/record = record_from_data {ld.us / p.us:4.0%} + normalise "
            f"{nm.us / p.us:4.0%} + findings {fd.us / p.us:4.0%} (match ~{m.us / p.us:.0%}, verdicts and "
            f"Finding objects ~{(f.us - m.us) / p.us:.0%})")
    say()
    say("records with a violation")
    say(f"  hand-written {hand.violating}/{n} ({hand.violating / n:.1%}); library durable {durable.violating}/{n} "
        f"({durable.violating / n:.1%}); library direct {direct.violating}/{n} ({direct.violating / n:.1%})")
    say()
    say("memory")
    say(f"  ru_maxrss: {_maxrss_kib() / 1024:.1f} MiB at the end ({maxrss_gen / 1024:.1f} MiB after generating "
        f"the records; the matching phases hold every record's Facts)")
    if rss_before is not None:
        say(f"  current RSS: {rss_before / 1024:.1f} MiB before timing, {rss_pipelines / 1024:.1f} MiB after the "
            f"pipelines, {rss_facts / 1024:.1f} MiB with all Facts stored, {rss_match / 1024:.1f} MiB after matching")
    say("  tracemalloc peak: each phase alone over all records, results dropped; durable_rules' C allocations")
    say("  are not traced (an engine-side leak would show as RSS growth between the lines above)")
    say()
    if cli is not None:
        (cli_wall, cli_cpu, cli_code), (py_wall, py_cpu, _), (imp_wall, imp_cpu, _) = cli
        say(f"CLI (best of {args.cli_runs}; wall / CPU of the child process)")
        say(f"  compliance check {EXAMPLE.relative_to(ROOT)}   {cli_wall * 1e3:5.0f} ms / {cli_cpu * 1e3:5.0f} ms "
            f"(exit {cli_code})")
        say(f"  python -c 'import compliance.api'                {imp_wall * 1e3:5.0f} ms / {imp_cpu * 1e3:5.0f} ms")
        say(f"  python -c pass                                   {py_wall * 1e3:5.0f} ms / {py_cpu * 1e3:5.0f} ms")
    else:
        say(f"CLI: {cli_error}")

    if args.profile:
        subset = records[:args.profile]
        say()
        say(f"cProfile: library pipeline, engine durable, {len(subset)} records (top 15 by cumulative time)")
        prof = cProfile.Profile()
        prof.enable()
        for rec in subset:
            lib_check(ev_durable, rec)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(15)
        say(buf.getvalue().rstrip())

    assert agree == len(checked), f"library and hand-written rules disagree on {len(checked) - agree} records"
    assert engines_agree == len(checked), "durable and direct engines disagree"
    return 0


if __name__ == "__main__":
    sys.exit(main())
