"""A hand-written, plain-Python evaluation of 48 Jizhou rules: a correctness oracle.

One function per rule of ``cn-tj-jizhou-2018-autumn-winter`` (the rules on the
sections that ``benchmarks/records.py`` writes, ``HAND_RULE_IDS``, the
benchmarks' 45; and ``FURNACE_RULES``, the staggered-production duty with the
benchmark-enterprise exemption and the gasifier exception, which
``tests/test_handwritten_oracle.py`` feeds furnace records of its own; all
48 are ``ORACLE_RULE_IDS``), with the
numbers of the YAML, reading the raw record dicts directly (units converted by
hand). ``hand_check(record)`` returns the (rule id, entity id, status) of every
rule that applies, as the library's ``Evaluator.findings`` would report them
(``not_applicable`` left out).

It is used twice: ``tests/test_handwritten_oracle.py`` checks that the library
gives the same sets on generated records, and the benchmarks time it as the
"what it would cost to write the rules by hand" side.

It reads the value forms the generator writes (not every form the record
format accepts). If a Jizhou rule changes, change its function here too;
``HAND_WRITTEN_FOR`` names the ruleset version these functions follow.

Three-valued logic: True, False, None (unknown). Each rule function returns a
status, or None for "not applicable" (not in force at as_of, or ``when``
false). The order of the tests follows compliance/evaluate.py
(docs/semantics.md).
"""

from __future__ import annotations

import datetime as dt
import operator
from typing import Callable, Dict, List, Optional, Tuple

JIZHOU_RULESET = "cn-tj-jizhou-2018-autumn-winter"
HAND_WRITTEN_FOR = "2018-12-05.4"  # the ruleset version the functions follow (commit 11d4916; furnace rules: issue 11)

Key = Tuple[str, str, str]  # (rule id, entity id, status)

LB_PER_GAL_IN_G_PER_L = 453.59237 / 3.785411784  # 1 lb / 1 US gal (pint's "gal")
DUST = ("perimeter_hoarding", "material_covering", "wet_earthwork", "road_hardening", "vehicle_washing",
        "enclosed_transport")  # the six measures of construction-dust/six-100-percent
URBAN_FLEET = ("sanitation", "sweeper", "sprinkler", "garbage_truck", "postal")  # and buses in public transit
FUGITIVE_INDUSTRIES = ("building_materials", "cement", "glass", "thermal_power", "foundry")


VIOLATION, COMPLIANT, INDETERMINATE, PENDING, EXEMPT = "violation", "compliant", "indeterminate", "pending", "exempt"
ISSUED = dt.date(2018, 12, 5)  # the plan's issue date: rules exist from then...
OCT_1 = dt.date(2018, 10, 1)  # ...unless their effective_from is earlier
NOV_1 = dt.date(2018, 11, 1)
JAN_1 = dt.date(2019, 1, 1)
DEC_31 = dt.date(2018, 12, 31)
APR_30 = dt.date(2019, 4, 30)
MAR_31 = dt.date(2019, 3, 31)  # the autumn-winter period of staggered production: OCT_1 .. MAR_31
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
BUILDING_MATERIALS = ("building_materials", "cement", "glass")  # 建材 of the staggered-production duty


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
    """A date written as text (or already a date, as a YAML loader may give it)."""
    if raw is None or isinstance(raw, dt.date):
        return raw
    return dt.date.fromisoformat(raw)


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


# -- furnaces (二（六）17 row 56; 二（九）26)

def furnace_coal_gasifier(k, fac, ctx, as_of):
    return verdict(as_of, ISSUED, eq3(k.get("kind"), "coal_gasifier"), _operating(k) == "shutdown",
                   eq3(k.get("feedstock_gasifier"), True), deadline=DEC_31)


def furnace_staggered_foundry(k, fac, ctx, as_of):
    when = and3(includes3(fac.get("industries"), ("foundry",)), in3(k.get("kind"), ("cupola", "melting")),
                _operating(k) in ("operating", "standby"))
    em = k.get("emissions") or {}
    unless = and3(eq3(fac.get("benchmark_enterprise"), True),
                  cmp3(quantity(em.get("pm"), CONC_FACTOR), operator.le, 20.0),
                  cmp3(quantity(em.get("so2"), CONC_FACTOR), operator.le, 100.0),
                  or3(eq3(k.get("kind"), "melting"), eq3(k.get("cems"), True)))
    return verdict(as_of, OCT_1, when, eq3(k.get("staggered_production"), True), unless, until=MAR_31)


def furnace_staggered_building_materials(k, fac, ctx, as_of):
    when = and3(includes3(fac.get("industries"), BUILDING_MATERIALS), _operating(k) in ("operating", "standby"))
    unless = and3(eq3(fac.get("benchmark_enterprise"), True),
                  includes3(fac.get("industries"), ("building_materials",)),
                  in3(k.get("fuel"), ("gas", "electric")))
    return verdict(as_of, OCT_1, when, eq3(k.get("staggered_production"), True), unless, until=MAR_31)


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
#: the furnace rules (the staggered-production duty with the benchmark-enterprise
#: exemption, the gasifier exception): judged by ``hand_check`` like the others,
#: but kept out of ``HAND_RULE_IDS``, the benchmarks' like-for-like set, whose
#: generated records hold no furnaces
FURNACE_RULES: Tuple[Tuple[str, Callable], ...] = (
    (P + "furnace/coal-gasifier", furnace_coal_gasifier),
    (P + "staggered-production/foundry-melting", furnace_staggered_foundry),
    (P + "staggered-production/building-materials", furnace_staggered_building_materials),
)
HAND_RULE_IDS = frozenset(rid for group in (FACILITY_RULES, *LIST_RULES.values(), *SINGLE_RULES.values())
                          for rid, _ in group)
#: every rule ``hand_check`` judges: the oracle's set
ORACLE_RULE_IDS = HAND_RULE_IDS | {rid for rid, _ in FURNACE_RULES}


def hand_check(rec: dict) -> List[Key]:
    """(rule, entity, status) for every applicable hand-written Jizhou rule on ``rec``."""
    fac = rec["facility"]
    if fac.get("region") not in JIZHOU_FORMS:
        return []  # jurisdiction: every rule here is Jizhou's
    ctx = rec.get("context") or {}
    as_of = day(ctx["as_of"])
    out: List[Key] = []
    fid = fac["id"]
    for rule_id, fn in FACILITY_RULES:
        status = fn(fac, fac, ctx, as_of)
        if status is not None:
            out.append((rule_id, fid, status))
    for section, rules in (*LIST_RULES.items(), ("furnaces", FURNACE_RULES)):
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

