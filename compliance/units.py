"""The project's one pint registry and cached parsing of written quantities.

Domain units (‰, 蒸吨/时, the Chinese unit names) are defined once, in
``data/units.txt``. Rule limits are converted to each field's canonical
unit when rules are compiled; record quantities are parsed here, with the
unit-to-factor conversion cached, so evaluation compares plain floats whose
units have been checked.

Start-up: conversions come from a table, pint only when the table lacks a unit
------------------------------------------------------------------------------

Importing pint costs ~60 ms and building the registry ~14 ms, against a
whole single-record ``compliance check`` budget of ~150 ms. So the registry
(:data:`ureg`, :data:`Quantity`) is built lazily, on first use, and
:func:`conversion` is served from a precomputed table,
``data/unit_table.json``:

* The table is generated *by pint*: for every unit text of
  ``data/unit_spellings.txt`` (normalised by :func:`normalise_unit_text`) it
  holds its pint dimensionality text, and for every ordered pair of those
  units that converts -- directly, or in a context of ``units.txt`` (the
  boiler context: t/h <-> MW) -- the very float ``conversion()`` returned
  from pint: ``Quantity(1.0, src).to(dst).magnitude``. Factors are stored
  per pair, not as factors to SI base units: pint multiplies the root
  factors of ``src / dst`` in its own order, which a composition
  ``f_src / f_dst`` does not reproduce to the last bit. A pair of known units
  that is not in the table does not convert, and is refused with pint's
  dimension message (the dimensionality texts come from pint too, their
  factors in a fixed order: :func:`dimension_text`). Anything
  else -- a unit the table does not know, an unknown context -- goes to
  pint, exactly as before.
* Shipped, not built on first use: a per-user build would cost the first
  run ~0.75 s (pint, its registry, ~3000 conversions) and every run with
  ``COMPLIANCE_NO_CACHE=1`` would import pint. Loading it (82 kB of JSON)
  costs ~1 ms. Regenerate it after editing ``units.txt`` or the spellings::

      python -c "import compliance.units as u; u.write_table()"

  ``tests/test_unit_table.py`` fails when it is stale: it rebuilds the
  table with the installed pint and compares, checks every entry against
  pint bit for bit, and every pair of known units that is not an entry
  against pint's refusal.
* The table is stamped with the pint version and the BLAKE2b hash of
  ``units.txt``. At start-up both are compared (the pint version is read
  from its ``dist-info`` folder name, without importing pint; ~0.3 ms). On
  a mismatch -- another pint installed, ``units.txt`` edited and the table
  not regenerated -- the same table is built with the installed pint and
  cached in the user cache folder (``$XDG_CACHE_HOME/compliance`` or
  ``~/.cache/compliance``), keyed by pint version and the two files'
  hashes; with ``COMPLIANCE_NO_CACHE=1`` every conversion then goes to pint.
  Either way a conversion is what the installed pint says.

Measured (Python 3.11, pint 0.25.3): importing this module took ~75 ms
(pint, then the registry) and takes ~1 ms; loading the table ~1.3 ms; a
single-record ``compliance check`` with the bundled rulesets imports no
pint (tests/test_startup.py), and went from ~200 to ~135 ms.
"""

from __future__ import annotations

import functools
import math
import os
import re
import sys
import threading
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Optional, Tuple

import attrs

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = [
    "ureg", "Quantity", "parse_quantity", "parse_unit", "check_unit", "conversion", "convert",
    "split_quantity", "format_number", "format_unit", "round_sig", "Parsed", "UnitProblem",
    "normalise_unit_text", "write_table", "unit_policy", "defined_names", "dimension_text", "nfkc_pasted",
    "MAX_MAGNITUDE", "shorten_number",
]

_DATA = Path(__file__).parent / "data"
_UNITS_TXT = _DATA / "units.txt"
_SPELLINGS = _DATA / "unit_spellings.txt"
_TABLE_FILE = _DATA / "unit_table.json"
_POLICY_FILE = _DATA / "unit_policy.yaml"
_TABLE_FORMAT = 1


# ------------------------------------------------------------ the registry

def _registry() -> "pint.UnitRegistry":
    """The registry, with pint's parsed-definitions cache unless disabled
    (``COMPLIANCE_NO_CACHE=1``) or unusable (cuts its build by ~0.15 s)."""
    import pint

    if not os.environ.get("COMPLIANCE_NO_CACHE"):
        try:
            reg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=False, cache_folder=":auto:")
            reg.load_definitions(str(_UNITS_TXT))
            return reg
        except Exception:  # unwritable cache folder, or a cache from another pint
            pass
    reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=False)
    reg.load_definitions(str(_UNITS_TXT))
    return reg


_LOCK = threading.RLock()  # the table build uses the registry
_REGISTRY: Optional["pint.UnitRegistry"] = None


def _new_lock_in_child() -> None:
    global _LOCK
    _LOCK = threading.RLock()  # a fork while a thread built the registry: not held in the child


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock_in_child)


def _ureg() -> "pint.UnitRegistry":
    """The one registry, built (and pint imported) on first use."""
    global _REGISTRY
    if _REGISTRY is None:
        with _LOCK:
            if _REGISTRY is None:
                _REGISTRY = _registry()
    return _REGISTRY


def __getattr__(name: str) -> Any:
    # ``ureg`` and ``Quantity`` are module attributes as before, made lazily
    if name == "ureg":
        return _ureg()
    if name == "Quantity":
        return _ureg().Quantity
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


#: a written number: ASCII or full-width (３６．５, －１) digits and signs; the
#: number is read after NFKC, the unit is kept as written
_NUMBER = re.compile(r"^\s*([+\-＋－]?(?:\d+(?:[.．]\d*)?|[.．]\d+)(?:[eEｅＥ][+\-＋－]?\d+)?)\s*(.*?)\s*$")
_SUPERSCRIPTS = {"²": "^2", "³": "^3", "¹": "^1"}
#: ``m3``, ``km2``: a digit 2 or 3 right after a unit's letters is its power
_BARE_POWER = re.compile(r"(?<=[A-Za-zµ])([23])(?![\d.])")
#: ``Nm³``: a cubic metre at standard (normal) conditions, not newton-metres
_NORMAL_CUBIC = re.compile(r"(?<![A-Za-z])Nm(?=\^3)")

#: Largest magnitude, in a field's canonical unit, that a quantity may have.
#: Far beyond any real amount (the plausible ranges of data/record.yaml warn
#: long before), and small enough that nothing computed from it overflows:
#: the worst oxygen correction multiplies by 21 / (21 - o2) with o2 < 21,
#: at most ~5.9e15 for the largest float below 21 (operators.correct_oxygen),
#: and showing a value in a limit's unit multiplies by a unit factor (< 1e12).
MAX_MAGNITUDE = 1e100


#: The characters people paste whose NFKC form is the plain one they mean:
#: full-width forms (％ ｍ ３ ．), the CJK squared units (㎎ ㎏ ㎥ ㎡ ㎞),
#: the micro sign, the Roman numeral characters (Ⅴ Ⅵ) and the ideographic
#: space. Other compatibility characters keep their own reading (pint's, or
#: a refusal): the letter-like symbols, e.g. ℎ (the Planck constant sign,
#: NFKC h) or K (the kelvin sign), are not taken for the letters.
_PASTED = re.compile("[\uff01-\uffef\u3380-\u33ff\u00b5\u2160-\u2188\u3000]+")


def nfkc_pasted(text: str) -> str:
    """``text`` with the pasted characters of :data:`_PASTED` in NFKC form."""
    return _PASTED.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def normalise_unit_text(text: str) -> str:
    """Rewrite the written forms pint does not read into pint syntax.

    Unambiguous spellings people paste are read (docs/bad-input.md lists
    them): full-width characters and the squared units (NFKC, see
    :func:`nfkc_pasted`), ``m3``/``m³`` for ``m^3``, the two
    code points of mu, and ``Nm³``/``Nm3``, the normal (standard-condition)
    cubic metre, as ``m^3``: the limits of GB 13271 and its kin are stated
    at standard conditions already, so ``mg/Nm³`` is their ``mg/m³``.

    ``吨/月·平方公里`` is the Chinese way of writing t/(month·km²): a middle
    dot after a slash joins factors of the denominator, so it becomes
    ``吨/(月*平方公里)``.
    """
    t = text.strip()
    for sup, rep in _SUPERSCRIPTS.items():  # before NFKC, which makes them plain digits
        t = t.replace(sup, rep)
    # full-width ％ ｍｇ／ｍ３ and the squared forms ㎎ ㎥ become ASCII; the
    # micro sign becomes the Greek mu, and both become µ below
    t = nfkc_pasted(t)
    t = t.replace("μ", "µ").replace("／", "/").replace("（", "(").replace("）", ")")
    t = _BARE_POWER.sub(r"^\1", t)
    t = _NORMAL_CUBIC.sub("m", t)
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
def parse_unit(text: str) -> "pint.Unit":
    """Parse a unit string (cached). Raises :class:`UnitProblem`.

    Returns a pint unit, so it imports pint; to only *check* a unit, use
    :func:`check_unit`, which does not for the units of the table.
    """
    norm = normalise_unit_text(text)
    if not norm:
        raise UnitProblem("no unit given")
    import pint

    reg = _ureg()
    try:
        unit = reg.parse_units(norm)
    except pint.errors.UndefinedUnitError as exc:
        raise UnitProblem(f"unknown unit {text!r} ({exc}){_case_hint(norm)}") from None
    except Exception as exc:  # pint's parser raises assorted errors on garbage
        # (AssertionError, TokenError, DefinitionSyntaxError "missing operand"
        # -- which depends on pint's version: no help to the user)
        raise UnitProblem(f"cannot read unit {text!r}: write a unit such as g/L, mg/m^3, t/h, "
                          f"蒸吨/时 or %{_case_hint(norm)}") from None
    accepted, refused = unit_policy()
    for name in unit._units:  # pint's names, prefix applied: "mW" -> milliwatt
        if name not in accepted:
            why = refused.get(name)
            if why:
                raise UnitProblem(f"unit {text!r}: {why}")
            raise UnitProblem(f"unit {text!r} reads as {name}, which is not a unit accepted here "
                              f"(see docs/bad-input.md){_case_hint(norm)}")
    return unit


@functools.lru_cache(maxsize=1)
def unit_policy() -> Tuple[frozenset, Dict[str, str]]:
    """(pint names of the accepted units, refused name -> why and what to
    write) from ``data/unit_policy.yaml``; the units defined in
    ``units.txt`` are accepted too."""
    import yaml

    raw = yaml.safe_load(_POLICY_FILE.read_text("utf-8"))
    return frozenset(raw["accepted"]) | frozenset(defined_names()), dict(raw["refused"])


def defined_names() -> List[str]:
    """The units ``units.txt`` defines (first name of each definition)."""
    out = []
    for line in _UNITS_TXT.read_text("utf-8").splitlines():
        m = re.match(r"([^\s#@=]+)\s*=", line)
        if m:
            out.append(m.group(1))
    return out


def _case_hint(norm: str) -> str:
    """"; did you mean 'kg'?" when only the letter case differs from spellings."""
    low = norm.lower()
    same = [s for s in spellings() if s.lower() == low and s != norm]
    if not same:
        return ""
    return "; did you mean " + " or ".join(repr(s) for s in same) + "?"


def check_unit(text: str) -> None:
    """Raise :class:`UnitProblem` exactly when :func:`parse_unit` would.

    A unit of the conversion table is known without pint.
    """
    table = _table()
    if table is not None and isinstance(text, str) and normalise_unit_text(text) in table.dims:
        return
    parse_unit(text)


@functools.lru_cache(maxsize=4096)
def conversion(unit_text: str, canonical: str, context: Optional[str] = None) -> float:
    """Factor that turns a value in ``unit_text`` into ``canonical`` units.

    Only multiplicative conversions are allowed (no offset units such as °C).
    Raises :class:`UnitProblem` for unknown units or a dimension mismatch.
    Served from the conversion table when it knows both units (the float
    pint gives, see the module docstring), else computed by pint.
    """
    table = _table()
    if table is not None:
        factor = table.factor(unit_text, canonical, context)
        if factor is not None:
            return factor
    return _pint_conversion(unit_text, canonical, context)


def _pint_conversion(unit_text: str, canonical: str, context: Optional[str] = None) -> float:
    """:func:`conversion` computed by pint (the table's source of truth)."""
    src = parse_unit(unit_text)
    dst = parse_unit(canonical)
    import pint

    reg = _ureg()
    Quantity = reg.Quantity
    try:
        if context:
            with reg.context(context):
                one = Quantity(1.0, src).to(dst).magnitude
                two = Quantity(2.0, src).to(dst).magnitude
        else:
            one = Quantity(1.0, src).to(dst).magnitude
            two = Quantity(2.0, src).to(dst).magnitude
    except pint.errors.DimensionalityError:
        raise UnitProblem(
            f"unit {unit_text!r} has dimension {dimension_text(Quantity(1, src).dimensionality)}, "
            f"expected {dimension_text(Quantity(1, dst).dimensionality)} (like {canonical})"
        ) from None
    except pint.errors.OffsetUnitCalculusError:
        raise UnitProblem(f"unit {unit_text!r} has an offset; use an absolute unit") from None
    if not math.isclose(two, 2 * one, rel_tol=1e-12):
        raise UnitProblem(f"unit {unit_text!r} does not convert proportionally to {canonical}")
    return one


_DIMENSION_ORDER = ("[mass]", "[length]", "[time]")


def dimension_text(dim: Any) -> str:
    """pint's dimensionality as text, its factors in one fixed order.

    ``str()`` of pint's dimensionality lists the factors in the order of the
    first computation of it in the process (``[mass] / [time] / [length] **
    2`` or ``[mass] / [length] ** 2 / [time]``), so the table and the
    messages use this instead: mass, length, time, then the others by name.
    """
    def key(item: Tuple[str, Any]) -> Tuple[int, str]:
        name = item[0]
        return (_DIMENSION_ORDER.index(name) if name in _DIMENSION_ORDER else len(_DIMENSION_ORDER), name)

    def power(name: str, exp: Any) -> str:
        return name if exp == 1 else f"{name} ** {exp:g}"

    items = sorted(dict(dim).items(), key=key)
    text = " * ".join(power(k, v) for k, v in items if v > 0) or "1"
    for k, v in items:
        if v < 0:
            text += f" / {power(k, -v)}"
    return "dimensionless" if not items else text


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
        try:
            written = shorten_number(str(value))
        except ValueError:  # past Python's limit on digits converted to text
            written = "an integer of more than 4300 digits"
        try:
            value = float(value)
        except OverflowError:  # an integer of hundreds of digits
            value = math.inf
    elif isinstance(raw, str):
        m = _NUMBER.match(raw)
        if not m:
            raise UnitProblem(f"cannot read {raw!r} as \"<number> <unit>\"")
        written = shorten_number(m.group(1))
        value, unit = float(nfkc_pasted(m.group(1))), m.group(2)
        if not unit:
            raise UnitProblem(f"bare number {raw!r}: write the unit too, e.g. \"{raw} <unit>\"")
    else:
        raise UnitProblem(f"expected a quantity like \"610 g/L\", got {type(raw).__name__}")
    if math.isnan(value):
        raise UnitProblem(f"{value!r} is not a finite number")
    if math.isinf(value):
        if written.lstrip("+-").lower() in ("inf", "infinity", ".inf"):
            raise UnitProblem(f"{written} is not a finite number")
        raise UnitProblem(f"the number {written} is too large: it is not a finite number")
    return value, unit.strip()


def shorten_number(number: str) -> str:
    """A written number for messages: at most 24 characters, and its length."""
    if len(number) <= 24:
        return number
    return f"{number[:10]}…{number[-6:]} ({len(number)} characters)"


def parse_quantity(raw, canonical: str, context: Optional[str] = None) -> Tuple[float, Parsed]:
    """Parse ``raw`` and return (magnitude in ``canonical``, as written).

    Written strings are cached (records repeat "20 t/h", "580 g/L" a lot).
    """
    if isinstance(raw, str):
        return _parse_text(raw, canonical, context)
    return _parse(raw, canonical, context)


@functools.lru_cache(maxsize=2048)  # bounded: a register writes many distinct values
def _parse_text(raw: str, canonical: str, context: Optional[str]) -> Tuple[float, Parsed]:
    return _parse(raw, canonical, context)


def _parse(raw, canonical: str, context: Optional[str]) -> Tuple[float, Parsed]:
    value, unit = split_quantity(raw)
    factor = conversion(unit, canonical, context)
    mag = value * factor
    if not abs(mag) <= MAX_MAGNITUDE:
        raise UnitProblem(f"{value:.6g} {unit} is too large: beyond {MAX_MAGNITUDE:g} "
                          f"{format_unit(canonical)}, the largest magnitude this tool computes with")
    return round_sig(mag), Parsed(value, unit)


def convert(value: float, src: str, dst: str, context: Optional[str] = None) -> float:
    return round_sig(value * conversion(src, dst, context))


def format_number(x: float) -> str:
    """Shortest readable form: 580, 0.3, 12.5 (no exponent for usual sizes).

    A value that six decimals would show as 0 (``28 mW`` was "0 t/h") or
    one of 10^15 or more (hundreds of digits) is shown with an exponent:
    2.8e-08, 1e+99.
    """
    x = round_sig(x, 6)
    if abs(x) >= 1e15:
        return f"{x:.6g}"
    if x == int(x):
        return str(int(x))
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return s if s not in ("", "0", "-0") else f"{x:.6g}"


def format_unit(unit: str) -> str:
    """Unit text for display: pint syntax with ‰/% kept as written."""
    unit = {"percent": "%", "permille": "‰"}.get(unit, unit)
    return unit.replace("^3", "³").replace("^2", "²")


# ------------------------------------------------------- the conversion table

class _Table:
    """The conversion table in memory (see the module docstring)."""

    __slots__ = ("dims", "base", "contexts")

    def __init__(self, raw: Mapping[str, Any]):
        self.dims: Dict[str, str] = raw["dims"]
        self.base: Dict[str, Dict[str, float]] = raw["base"]
        factors = raw["context_factors"]
        self.contexts: Dict[str, Dict[str, Dict[str, float]]] = {
            name: factors[target] for name, target in raw["contexts"].items()
        }

    def factor(self, unit_text: Any, canonical: Any, context: Any) -> Optional[float]:
        """pint's factor; None when the table cannot tell (ask pint).

        Raises pint's dimension :class:`UnitProblem` for two known units that
        do not convert.
        """
        if not (isinstance(unit_text, str) and isinstance(canonical, str)):
            return None
        extra = None
        if context:
            extra = self.contexts.get(context) if isinstance(context, str) else None
            if extra is None:
                return None  # a context the table was not built for
        src = normalise_unit_text(unit_text)
        row = self.base.get(src)
        if row is None:
            return None
        dst = normalise_unit_text(canonical)
        if extra is not None:
            f = extra.get(src, {}).get(dst)
            if f is not None:
                return f
        f = row.get(dst)
        if f is not None:
            return f
        if dst not in self.dims:
            return None
        raise UnitProblem(
            f"unit {unit_text!r} has dimension {self.dims[src]}, "
            f"expected {self.dims[dst]} (like {canonical})"
        )


_TABLE_LOADED = False
_TABLE: Optional[_Table] = None


def _table() -> Optional[_Table]:
    """The conversion table for the installed pint, or None (use pint)."""
    global _TABLE, _TABLE_LOADED
    if not _TABLE_LOADED:
        with _LOCK:
            if not _TABLE_LOADED:
                try:
                    _TABLE = _load_table()
                except Exception:  # never let the table break a conversion: pint decides
                    _TABLE = None
                _TABLE_LOADED = True
    return _TABLE


def hasher() -> Any:
    """A BLAKE2b-256 hash object: hashlib's own, from its C module, without
    importing hashlib (which loads OpenSSL: ~2 ms of start-up)."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b
    return blake2b(digest_size=32)


def digest(data: bytes) -> str:
    """Hex BLAKE2b-256 of ``data`` (content keys of the caches)."""
    h = hasher()
    h.update(data)
    return str(h.hexdigest())


@functools.lru_cache(maxsize=1)
def pint_version() -> Optional[str]:
    """The installed pint's version, read without importing pint where its
    ``dist-info`` folder sits beside it (None: pint is not installed)."""
    mod = sys.modules.get("pint")
    if mod is not None and getattr(mod, "__version__", None):
        return str(mod.__version__)
    import importlib.util

    try:
        spec = importlib.util.find_spec("pint")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        parent = Path(list(spec.submodule_search_locations)[0]).parent
        try:
            names = os.listdir(parent)
        except OSError:
            names = []
        found = set()
        for name in names:
            low = name.lower()
            for suffix in (".dist-info", ".egg-info"):
                if low.startswith("pint-") and low.endswith(suffix):
                    found.add(name[5:-len(suffix)].split("-")[0])
        if len(found) == 1:
            return found.pop()
    import pint  # an unusual install: ask pint itself (slow, rare)

    return str(pint.__version__)


def _stamp() -> Dict[str, Any]:
    """What a usable table must have been built from."""
    return {
        "format": _TABLE_FORMAT,
        "pint": pint_version(),
        "units_txt_blake2b": digest(_UNITS_TXT.read_bytes()),
    }


def _stamp_matches(raw: Any, stamp: Mapping[str, Any]) -> bool:
    return isinstance(raw, dict) and all(raw.get(k) == v for k, v in stamp.items())


def _load_table() -> Optional[_Table]:
    import json

    stamp = _stamp()
    try:
        shipped = json.loads(_TABLE_FILE.read_bytes())
    except (OSError, ValueError):
        shipped = None
    if _stamp_matches(shipped, stamp) and _valid_table(shipped, deep=False):
        return _Table(shipped)
    if stamp["pint"] is None:  # no pint at all: the shipped table is all there is
        return _Table(shipped) if _valid_table(shipped, deep=True) else None
    return _user_table(stamp)


#: Cache files of one kind kept in the cache folder (older ones are removed).
CACHE_KEEP = 8


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/compliance`` (default ``~/.cache/compliance``; a
    relative ``XDG_CACHE_HOME`` is ignored, as the XDG specification says)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "compliance"


def _user_table(stamp: Mapping[str, Any]) -> Optional[_Table]:
    """A table built with the installed pint, cached per user (None: disabled)."""
    if os.environ.get("COMPLIANCE_NO_CACHE"):
        return None
    import json

    try:
        spellings = _SPELLINGS.read_bytes()
        spellings += b"\0" + _POLICY_FILE.read_bytes()  # a table built under another policy is not reused
    except OSError:
        spellings = b""
    key = digest(json.dumps(dict(stamp), sort_keys=True).encode() + b"\0" + spellings)
    path = user_cache_dir() / f"units-{key[:32]}.json"
    try:
        data = read_own(path)  # a file another account could write must not set a conversion factor
        if data is None:
            raise OSError("absent, or not this user's own")
        raw = json.loads(data)
        if _stamp_matches(raw, stamp) and _valid_table(raw, deep=True):
            return _Table(raw)
    except (OSError, ValueError):
        pass
    raw = build_table()
    raw["pint"] = stamp["pint"]  # as read at start-up, so that the next run finds it
    try:
        write_atomic(path, dump_table(raw).encode("utf-8"), keep="units-*.json")
    except OSError:
        pass  # a read-only home: use it for this run only
    return _Table(raw)


def _valid_table(raw: Any, deep: bool) -> bool:
    """Shape check (``deep``: every entry, for a table from the cache folder)."""
    if not isinstance(raw, dict):
        return False
    dims, base, contexts, factors = (raw.get(k) for k in ("dims", "base", "contexts", "context_factors"))
    if not (isinstance(dims, dict) and isinstance(base, dict) and isinstance(contexts, dict)
            and isinstance(factors, dict) and set(contexts.values()) <= set(factors)):
        return False
    if not deep:
        return True

    def rows_ok(rows: Any) -> bool:
        return isinstance(rows, dict) and all(
            src in dims and isinstance(row, dict) and all(
                dst in dims and type(f) is float and math.isfinite(f) for dst, f in row.items())
            for src, row in rows.items())

    return (all(isinstance(k, str) and isinstance(v, str) for k, v in dims.items())
            and set(base) == set(dims) and rows_ok(base)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in contexts.items())
            and all(rows_ok(rows) for rows in factors.values()))


def write_atomic(path: Path, data: bytes, keep: Optional[str] = None) -> None:
    """Write ``data`` to ``path`` through a temporary file and :func:`os.replace`.

    Readers see the old file or the new one, never part of one. Where the
    system allows, the bytes go to an unnamed file (``O_TMPFILE``) that gets
    a name only once complete, so a writer killed mid-write leaves nothing;
    elsewhere to a ``NAME.PID.XXXX.tmp`` file, removed in ``finally`` and,
    if the writer was killed, by the next write in the folder (its process
    is gone). Any ``*.tmp`` file more than ten minutes old is removed too,
    and with ``keep`` (a glob pattern) all but the :data:`CACHE_KEEP` newest
    files matching it. Files are created mode 0600. Raises OSError (a
    read-only cache folder).
    """
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _remove_leftovers(path.parent)
    if not _write_unnamed(path, data):
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.{os.getpid()}.", suffix=".tmp")
        try:
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        finally:
            try:
                os.unlink(tmp)  # only still there when the write or the rename failed
            except FileNotFoundError:
                pass
    if keep:
        try:
            entries = sorted(path.parent.glob(keep), key=lambda p: p.stat().st_mtime, reverse=True)
            for stale in entries[CACHE_KEEP:]:
                if stale != path:
                    stale.unlink()
        except OSError:
            pass


def read_own(path: Path) -> Optional[bytes]:
    """The bytes of cache file ``path`` if it is a regular file of this user
    that no other account can write (POSIX; anywhere else any file); None
    otherwise or if it cannot be read. What another account could write must
    not decide a verdict."""
    import stat

    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            getuid = getattr(os, "geteuid", None)
            if getuid is not None and (st.st_uid != getuid() or st.st_mode & 0o022):
                return None
            return fh.read()
    except OSError:
        return None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_unnamed(path: Path, data: bytes) -> bool:
    """Write through an unnamed temporary file (Linux ``O_TMPFILE``), named
    only when complete; False where that is not possible (nothing written)."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return False
    try:
        fd = os.open(path.parent, flag | os.O_WRONLY, 0o600)
    except OSError:  # not Linux 3.11+, or a filesystem without it
        return False
    try:
        _write_all(fd, data)
        import secrets

        tmp = path.parent / f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            os.link(f"/proc/self/fd/{fd}", tmp)
        except OSError:  # no /proc, or a sandbox that refuses the link
            return False
        try:
            os.replace(tmp, path)
        finally:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        return True
    finally:
        os.close(fd)


def _remove_leftovers(folder: Path) -> None:
    """Remove ``*.tmp`` files of writers that were killed: their process is
    gone (the PID in the name), or they are more than ten minutes old."""
    import time

    try:
        now = time.time()
        for entry in os.scandir(folder):
            if not entry.name.endswith(".tmp") or not entry.is_file(follow_symlinks=False):
                continue
            parts = entry.name.split(".")
            pid = int(parts[-3]) if len(parts) >= 4 and parts[-3].isdigit() else None
            if (pid is not None and pid != os.getpid() and not _alive(pid)) \
                    or now - entry.stat(follow_symlinks=False).st_mtime > 600:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
    except OSError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):  # another user's process, or not a PID here
        return True
    return True


# ----------------------------------------------------- building the table

def context_names() -> Dict[str, str]:
    """Contexts defined in ``units.txt``: every name and alias -> its name."""
    out: Dict[str, str] = {}
    for line in _UNITS_TXT.read_text("utf-8").splitlines():
        m = re.match(r"\s*@context(?:\([^)]*\))?\s+(.+)$", line)
        if m:
            names = [n.strip() for n in m.group(1).split("=") if n.strip()]
            for n in names:
                out[n] = names[0]
    return out


def spellings() -> List[str]:
    """The unit texts of ``data/unit_spellings.txt``, normalised, in order."""
    out: Dict[str, None] = {}
    for line in _SPELLINGS.read_text("utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            out[normalise_unit_text(text)] = None
    return list(out)


def build_table() -> Dict[str, Any]:
    """Compute the conversion table with the installed pint (imports pint).

    Raises ValueError naming a spelling pint cannot use as a multiplicative
    unit.
    """
    import pint

    reg = _ureg()
    texts = spellings()
    dims: Dict[str, str] = {}
    groups: Dict[Any, List[str]] = {}
    for text in texts:
        try:
            unit = parse_unit(text)
        except UnitProblem as exc:
            raise ValueError(f"{_SPELLINGS.name}: {exc}") from None
        dim = reg.Quantity(1, unit).dimensionality
        dims[text] = dimension_text(dim)
        groups.setdefault(dim, []).append(text)

    def pair(a: str, b: str, ctx: Optional[str]) -> float:
        try:
            f = _pint_conversion(a, b, ctx)
        except UnitProblem as exc:
            raise ValueError(f"{_SPELLINGS.name}: {a!r} -> {b!r}: {exc}") from None
        if type(f) is not float or not math.isfinite(f) or f == 0:
            raise ValueError(f"{_SPELLINGS.name}: {a!r} -> {b!r}: pint gives {f!r}")
        return f

    base: Dict[str, Dict[str, float]] = {a: {} for a in texts}
    for members in groups.values():
        for a in members:
            for b in members:
                base[a][b] = pair(a, b, None)
    names = context_names()
    factors: Dict[str, Dict[str, Dict[str, float]]] = {}
    for ctx in sorted(set(names.values())):
        extra: Dict[str, Dict[str, float]] = {}
        for src_members in groups.values():
            for dst_members in groups.values():
                # whether a context connects two units depends on their
                # dimensions only: one pair tells for the two groups (and
                # the test checks every pair against pint)
                a0, b0 = src_members[0], dst_members[0]
                try:
                    with reg.context(ctx):
                        reg.Quantity(1.0, parse_unit(a0)).to(parse_unit(b0))
                except pint.errors.DimensionalityError:
                    continue
                for a in src_members:
                    for b in dst_members:
                        f = pair(a, b, ctx)
                        if base[a].get(b) != f:
                            extra.setdefault(a, {})[b] = f
        factors[ctx] = extra
    return {
        "format": _TABLE_FORMAT,
        "pint": str(pint.__version__),
        "units_txt_blake2b": digest(_UNITS_TXT.read_bytes()),
        "contexts": dict(sorted(names.items())),
        "dims": dims,
        "base": base,
        "context_factors": factors,
    }


def dump_table(table: Mapping[str, Any]) -> str:
    """The table as JSON text, one unit per line (readable diffs)."""
    import json

    def enc(x: Any) -> str:
        return json.dumps(x, ensure_ascii=False, separators=(", ", ": "))

    def rows(d: Mapping[str, Any], indent: str) -> Iterator[str]:
        items = list(d.items())
        for i, (k, v) in enumerate(items):
            yield f"{indent}{enc(k)}: {enc(v)}{',' if i < len(items) - 1 else ''}"

    out = ["{"]
    for key in ("format", "pint", "units_txt_blake2b", "contexts"):
        out.append(f"{enc(key)}: {enc(table[key])},")
    out += ['"dims": {', *rows(table["dims"], " "), "},"]
    out += ['"base": {', *rows(table["base"], " "), "},"]
    out.append('"context_factors": {')
    ctxs = list(table["context_factors"].items())
    for i, (name, extra) in enumerate(ctxs):
        out += [f" {enc(name)}: {{", *rows(extra, "  "), " }" + ("," if i < len(ctxs) - 1 else "")]
    out += ["}", "}"]
    return "\n".join(out) + "\n"


def write_table(path: Optional[Path] = None) -> Path:
    """Regenerate ``data/unit_table.json`` with the installed pint."""
    target = Path(path) if path is not None else _TABLE_FILE
    target.write_text(dump_table(build_table()), encoding="utf-8")
    return target
