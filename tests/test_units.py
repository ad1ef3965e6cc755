"""Units: one registry, domain units, Chinese names, conversions, dimension checks."""

import math

import pytest

from compliance.units import UnitProblem, conversion, parse_quantity, split_quantity


@pytest.mark.parametrize(
    "written, canonical, expected",
    [
        ("4.4 lb/gal", "g/L", 527.236280194),
        ("0.58 kg/L", "g/L", 580.0),
        ("580 克/升", "g/L", 580.0),
        ("0.58 kg/m^3", "g/m^3", 580.0),
        ("20 蒸吨/时", "MW", 14.0),
        ("35 蒸吨/小时", "MW", 24.5),
        ("2.8 MW", "t/h", 4.0),
        ("2.8 兆瓦", "t/h", 4.0),
        ("3 ‰", "percent", 0.3),
        ("0.3 %", "permille", 3.0),
        ("30 mg/m^3", "mg/m^3", 30.0),
        ("30 毫克/立方米", "mg/m^3", 30.0),
        ("37 微克/立方米", "µg/m^3", 37.0),
        ("37 μg/m³", "µg/m^3", 37.0),
        ("5 千克/小时", "kg/h", 5.0),
        ("60000 立方米/小时", "m^3/h", 60000.0),
        ("45 米", "m", 45.0),
        ("25 吨/年", "t/a", 25.0),
        ("9 吨/月·平方公里", "t/(month*km^2)", 9.0),
        ("9 t/(month·km²)", "t/(month*km^2)", 9.0),
    ],
)
def test_conversions(written, canonical, expected):
    context = "boiler" if canonical in ("MW", "t/h") else None
    value, parsed = parse_quantity(written, canonical, context)
    assert math.isclose(value, expected, rel_tol=1e-9)
    assert parsed.value == float(written.split()[0])


def test_boiler_equivalence_is_exact_both_ways():
    assert conversion("t/h", "MW", "boiler") == 0.7
    assert math.isclose(conversion("MW", "t/h", "boiler"), 1 / 0.7)


def test_steam_ton_needs_the_boiler_context():
    with pytest.raises(UnitProblem, match="dimension"):
        conversion("t/h", "MW")


def test_mapping_form():
    assert parse_quantity({"value": 610, "unit": "g/L"}, "g/L")[0] == 610.0


@pytest.mark.parametrize(
    "bad, why",
    [
        ("610", "bare number"),
        (610, "bare number"),
        ("610 kg", "dimension"),
        ("610 foo/L", "unknown unit"),
        ("nan g/L", "cannot read"),
        ("1e400 g/L", "finite"),
        ({"value": "x", "unit": "g/L"}, "not a number"),
        ({"value": 1}, "exactly the keys"),
        (True, "quantity"),
        ("3 degC", "temperature"),  # refused by the unit policy before any conversion
    ],
)
def test_bad_quantities(bad, why):
    with pytest.raises(UnitProblem, match=why):
        parse_quantity(bad, "g/L")


def test_equal_amounts_in_other_units_compare_equal():
    # rounding to 12 significant digits removes float noise from conversions
    assert parse_quantity("0.58 kg/L", "g/L")[0] == parse_quantity("580 g/L", "g/L")[0]
    assert parse_quantity("24.5 MW", "t/h", "boiler")[0] == 35.0


def test_split_quantity_keeps_written_unit():
    assert split_quantity("  610   g/L ") == (610.0, "g/L")
