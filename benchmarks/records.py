"""Seeded synthetic facility records for the benchmarks (plain dicts).

``generate(n, seed)`` returns a list; ``iter_records(n, seed)`` yields the
same records one at a time (for streaming a million records without holding
them). The records are mostly in Jizhou District (120119), some in Dongli
(120110) and Fengtai (110106), so jurisdiction filtering is exercised. They
hold boilers, coatings, construction sites, vehicles, facility fields and
sometimes an emergency plan, monitoring or LDAR section; units are written in
several ways (t/h, 蒸吨/时, MW, g/L, 克/升, lb/gal, ‰, 天, 个月); some fields are
missing and some values sit exactly on a limit.

``generate_small`` / ``iter_small`` make the small records of
``bench_user_rules.py``: a Jizhou facility with 1–3 boilers, 1–3 coatings and
0–2 stacks.

Do not change what a seed produces without a reason: the figures in the
README were measured on these records.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Dict, Iterator, List, Tuple

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
    th: Tuple[float, ...]  # capacities offered, t/h and MW
    mw: Tuple[float, ...]
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
        fc: Dict[str, Any] = {}
        fac["fugitive_control"] = fc
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



def iter_records(n: int, seed: int) -> Iterator[dict]:
    """The records of ``generate(n, seed)``, made one at a time."""
    rng = random.Random(seed)
    for i in range(n):
        yield make_record(rng, i)


# ---------------------------------------------------------------------
# Small records (bench_user_rules.py)
# ---------------------------------------------------------------------

SMALL_DATES = (("2018-12-20", 20), ("2019-03-01", 50), ("2019-06-01", 30))


def _small_boiler(rng: random.Random, j: int) -> dict:
    b: Dict[str, Any] = {"id": f"B{j + 1}"}
    fuel = _pick(rng, (("gas", 50), ("coal", 20), ("biomass", 20), ("electric", 5), (OMIT, 5)))
    _put(b, "fuel", fuel)
    _put(b, "status", _pick(rng, (("operating", 55), ("standby", 10), ("shutdown", 20), (OMIT, 15))))
    r = rng.random()
    if r < 0.05:
        pass  # capacity not given
    elif r < 0.7:
        b["capacity"] = f"{rng.choice((2, 4, 10, 20, 35, 40, 65, 70)):g} t/h"
    else:
        b["capacity"] = f"{rng.choice((1.4, 7, 14, 24.5, 29, 46)):g} MW"
    _put(b, "medium", _pick(rng, (("steam", 50), ("hot_water", 40), (OMIT, 10))))
    if fuel == "gas" and rng.random() < 0.9:
        o2 = 3.5 if rng.random() < 0.1 else round(rng.uniform(2.0, 8.0), 1)
        em: Dict[str, Any] = {}
        for pol, limit in (("pm", 20.0), ("nox", 150.0)):
            if rng.random() < 0.95:
                em[pol] = _emission(rng, limit, o2, 3.5, "mg/m^3")
        if rng.random() < 0.95:
            em["o2"] = f"{o2:g} %"
        b["emissions"] = em
    if fuel == "biomass":
        _put(b, "dedicated_biomass", _flag(rng, 85, 8, 7))
        _put(b, "bag_filter", _flag(rng, 80, 12, 8))
    return b


def _small_coating(rng: random.Random, j: int) -> dict:
    c: Dict[str, Any] = {"id": f"C{j + 1}"}
    cat = _pick(rng, (("automotive_oem", 35), ("wood", 35), ("architectural", 25), (OMIT, 5)))
    _put(c, "category", cat)
    limit = {"automotive_oem": 580, "wood": 600}.get(cat, 300)
    r = rng.random()
    if r < 0.05:
        pass  # not reported
    elif r < 0.08:
        c["voc_content"] = f"{limit:g} g/L"
    else:
        c["voc_content"] = f"{round(limit * rng.uniform(0.5, 1.15)):g} g/L"
    return c


def _small_stack(rng: random.Random, j: int) -> dict:
    s: Dict[str, Any] = {"id": f"S{j + 1}"}
    if rng.random() < 0.95:
        s["height"] = f"{rng.choice((15, 30, 45, 50, 60, 80)):g} m"
    _put(s, "online_monitoring", _flag(rng, 75, 20, 5))
    if s.get("online_monitoring") and rng.random() < 0.9:
        s["data_transmission_rate"] = f"{rng.choice((80, 89.9, 90, 95, 99, 100)):g} %"
    return s


def make_small_record(rng: random.Random, i: int) -> dict:
    rec: Dict[str, Any] = {
        "schema": "facility/1",
        "context": {"as_of": _pick(rng, SMALL_DATES)},
        "facility": {"id": f"91120225SM{i:08d}", "name": f"小企业{i}", "region": JIZHOU},
        "boilers": [_small_boiler(rng, j) for j in range(rng.randrange(1, 4))],
        "coatings": [_small_coating(rng, j) for j in range(rng.randrange(1, 4))],
    }
    n_stacks = rng.randrange(0, 3)
    if n_stacks:
        rec["stacks"] = [_small_stack(rng, j) for j in range(n_stacks)]
    return rec


def generate_small(n: int, seed: int) -> List[dict]:
    rng = random.Random(seed)
    return [make_small_record(rng, i) for i in range(n)]
