"""The project's one pint registry and cached parsing of written quantities.

Domain units (‰, 蒸吨/时, the Chinese unit names) are defined once, in
``data/units.txt``. Rule limits are converted to each field's canonical
unit when rules are compiled; record quantities are parsed here, with the
unit-to-factor conversion cached, so evaluation compares plain floats whose
units have been checked.
"""

from __future__ import annotations

import functools
import math
import os
import re
from pathlib import Path
from typing import Optional, Tuple

import attrs
import pint

__all__ = ["ureg", "Quantity", "parse_quantity", "conversion", "UnitProblem", "format_unit", "round_sig"]

def _registry() -> pint.UnitRegistry:
    """The registry, with pint's parsed-definitions cache unless disabled
    (``COMPLIANCE_NO_CACHE=1``) or unusable (cuts start-up by ~0.15 s)."""
    if not os.environ.get("COMPLIANCE_NO_CACHE"):
        try:
            reg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=False, cache_folder=":auto:")
            reg.load_definitions(str(Path(__file__).parent / "data" / "units.txt"))
            return reg
        except Exception:  # unwritable cache folder, or a cache from another pint
            pass
    reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=False)
    reg.load_definitions(str(Path(__file__).parent / "data" / "units.txt"))
    return reg


ureg = _registry()
Quantity = ureg.Quantity

#: Canonical magnitudes are rounded to this many significant digits, so that
#: the same amount written in two units (0.58 kg/L, 580 g/L) compares equal.
SIGNIFICANT = 12


class UnitProblem(ValueError):
    """A written quantity or unit cannot be used; ``str()`` says why."""


@attrs.frozen
class Parsed:
    """A written quantity: its number and unit as given."""

    value: float
    unit: str  # normalised unit text as written (for messages)


def round_sig(x: float, digits: int = SIGNIFICANT) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.{digits}g}")


_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")
_SUPERSCRIPTS = {"²": "^2", "³": "^3", "¹": "^1"}


def normalise_unit_text(text: str) -> str:
    """Rewrite the written forms pint does not read into pint syntax.

    ``吨/月·平方公里`` is the Chinese way of writing t/(month·km²): a middle
    dot after a slash joins factors of the denominator, so it becomes
    ``吨/(月*平方公里)``.
    """
    t = text.strip()
    for sup, rep in _SUPERSCRIPTS.items():
        t = t.replace(sup, rep)
    t = t.replace("μ", "µ").replace("／", "/").replace("（", "(").replace("）", ")")
    dots = ("·", "•", "⋅", "∙")
    if "/" in t and any(d in t for d in dots):
        num, _, den = t.partition("/")
        for d in dots:
            den = den.replace(d, "*")
        if "*" in den and not den.startswith("("):
            den = f"({den})"
        t = f"{num}/{den}"
    for d in dots:
        t = t.replace(d, "*")
    if t == "%":
        t = "percent"
    t = re.sub(r"(?<![\w)])%", "percent", t)
    return t


@functools.lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string (cached). Raises :class:`UnitProblem`."""
    norm = normalise_unit_text(text)
    if not norm:
        raise UnitProblem("no unit given")
    try:
        unit = ureg.parse_units(norm)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError) as exc:
        raise UnitProblem(f"unknown unit {text!r} ({exc})") from None
    except Exception as exc:  # pint's parser raises assorted errors on garbage
        raise UnitProblem(f"cannot read unit {text!r} ({type(exc).__name__})") from None
    return unit


@functools.lru_cache(maxsize=4096)
def conversion(unit_text: str, canonical: str, context: Optional[str] = None) -> float:
    """Factor that turns a value in ``unit_text`` into ``canonical`` units.

    Only multiplicative conversions are allowed (no offset units such as °C).
    Raises :class:`UnitProblem` for unknown units or a dimension mismatch.
    """
    src = parse_unit(unit_text)
    dst = parse_unit(canonical)
    try:
        if context:
            with ureg.context(context):
                one = Quantity(1.0, src).to(dst).magnitude
                two = Quantity(2.0, src).to(dst).magnitude
        else:
            one = Quantity(1.0, src).to(dst).magnitude
            two = Quantity(2.0, src).to(dst).magnitude
    except pint.errors.DimensionalityError:
        raise UnitProblem(
            f"unit {unit_text!r} has dimension {Quantity(1, src).dimensionality}, "
            f"expected {Quantity(1, dst).dimensionality} (like {canonical})"
        ) from None
    except pint.errors.OffsetUnitCalculusError:
        raise UnitProblem(f"unit {unit_text!r} has an offset; use an absolute unit") from None
    if not math.isclose(two, 2 * one, rel_tol=1e-12):
        raise UnitProblem(f"unit {unit_text!r} does not convert proportionally to {canonical}")
    return one


def split_quantity(raw) -> Tuple[float, str]:
    """Split a written quantity into (number, unit text).

    Accepts ``"610 g/L"`` and ``{value: 610, unit: g/L}``. Raises
    :class:`UnitProblem` for bare numbers, NaN, infinities and garbage.
    """
    if isinstance(raw, bool):
        raise UnitProblem(f"expected a quantity with a unit, got {raw!r}")
    if isinstance(raw, (int, float)):
        raise UnitProblem(f"bare number {raw!r}: write the unit too, e.g. \"{raw} <unit>\"")
    if isinstance(raw, dict):
        extra = set(raw) - {"value", "unit"}
        if extra or "value" not in raw or "unit" not in raw:
            raise UnitProblem("a quantity mapping needs exactly the keys 'value' and 'unit'")
        value, unit = raw["value"], raw["unit"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UnitProblem(f"quantity value {value!r} is not a number")
        if not isinstance(unit, str):
            raise UnitProblem(f"quantity unit {unit!r} is not text")
        value = float(value)
    elif isinstance(raw, str):
        m = _NUMBER.match(raw)
        if not m:
            raise UnitProblem(f"cannot read {raw!r} as \"<number> <unit>\"")
        value, unit = float(m.group(1)), m.group(2)
        if not unit:
            raise UnitProblem(f"bare number {raw!r}: write the unit too, e.g. \"{raw} <unit>\"")
    else:
        raise UnitProblem(f"expected a quantity like \"610 g/L\", got {type(raw).__name__}")
    if not math.isfinite(value):
        raise UnitProblem(f"{value!r} is not a finite number")
    return value, unit.strip()


def parse_quantity(raw, canonical: str, context: Optional[str] = None) -> Tuple[float, Parsed]:
    """Parse ``raw`` and return (magnitude in ``canonical``, as written).

    Written strings are cached (records repeat "20 t/h", "580 g/L" a lot).
    """
    if isinstance(raw, str):
        return _parse_text(raw, canonical, context)
    return _parse(raw, canonical, context)


@functools.lru_cache(maxsize=65536)
def _parse_text(raw: str, canonical: str, context: Optional[str]) -> Tuple[float, Parsed]:
    return _parse(raw, canonical, context)


def _parse(raw, canonical: str, context: Optional[str]) -> Tuple[float, Parsed]:
    value, unit = split_quantity(raw)
    factor = conversion(unit, canonical, context)
    return round_sig(value * factor), Parsed(value, unit)


def convert(value: float, src: str, dst: str, context: Optional[str] = None) -> float:
    return round_sig(value * conversion(src, dst, context))


def format_number(x: float) -> str:
    """Shortest readable form: 580, 0.3, 12.5 (no exponent for usual sizes)."""
    x = round_sig(x, 6)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def format_unit(unit: str) -> str:
    """Unit text for display: pint syntax with ‰/% kept as written."""
    unit = {"percent": "%", "permille": "‰"}.get(unit, unit)
    return unit.replace("^3", "³").replace("^2", "²")
