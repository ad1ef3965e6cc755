"""Vocabulary data: the record format, regions and emission stages.

Everything here is read from the YAML files in ``compliance.data/``;
this module only gives it types and lookups. Adding a field, a region or a
stage alias is a data change.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Dict, FrozenSet, Mapping, Optional, Tuple

import attrs
import yaml

from .units import UnitProblem, check_unit, hasher, nfkc_pasted, read_own, user_cache_dir, write_atomic

__all__ = ["FieldSpec", "SectionSpec", "Region", "Stage", "Vocabulary", "vocabulary"]

FIELD_TYPES = {
    "string", "bool", "date", "date_or_false", "integer", "enum", "enum_list",
    "quantity", "coverage", "stage", "region", "mapping",
}


@attrs.frozen
class FieldSpec:
    """One field of the record format (leaf, or a mapping of sub-fields)."""

    name: str  # dotted path inside the entity, e.g. "emissions.pm"
    type: str
    values: FrozenSet[str] = frozenset()
    open: bool = False
    unit: Optional[str] = None
    context: Optional[str] = None
    min: Optional[float] = None
    max: Optional[float] = None
    positive: bool = False
    max_exclusive: bool = False
    #: (low, high) in the canonical unit: outside it a value gets a warning
    plausible: Optional[Tuple[float, float]] = None
    default: object = None
    required: bool = False
    scheme: Optional[str] = None
    fields: Mapping[str, "FieldSpec"] = attrs.field(factory=dict)


@attrs.frozen
class SectionSpec:
    name: str
    kind: str  # "list" | "single"
    zh: str
    fields: Mapping[str, FieldSpec]
    leaves: Mapping[str, FieldSpec]  # dotted name -> leaf spec

    @property
    def defaults(self) -> Tuple[Tuple[str, object], ...]:
        """(dotted name, default) of the fields the format gives a default."""
        return tuple((n, s.default) for n, s in self.leaves.items() if s.default is not None)


@attrs.frozen
class Region:
    code: str
    zh: str
    en: str
    parent: Optional[str]
    chain: Tuple[str, ...]  # itself, then each enclosing region up to CN


@attrs.frozen(order=True)
class Stage:
    """An emission stage as an interval of levels (a bare 6 is 6a..6b)."""

    scheme: str
    lo: int
    hi: int
    label: str  # canonical form: "5", "6b", or "6" when ambiguous

    @property
    def ambiguous(self) -> bool:
        return self.lo != self.hi


def _field(name: str, raw: dict, where: str) -> FieldSpec:
    ftype = raw.get("type")
    if ftype not in FIELD_TYPES:
        raise ValueError(f"{where}: field {name!r} has unknown type {ftype!r}")
    subfields = {}
    if ftype == "mapping":
        subfields = {k: _field(f"{name}.{k}", v, where) for k, v in raw["fields"].items()}
    if ftype == "quantity":
        try:
            check_unit(raw["unit"])  # the table's units need no pint
        except (KeyError, UnitProblem) as exc:
            raise ValueError(f"{where}: field {name!r}: bad canonical unit ({exc})") from None
    return FieldSpec(
        name=name,
        type=ftype,
        values=frozenset(raw.get("values", ())),
        open=bool(raw.get("open", False)),
        unit=raw.get("unit"),
        context=raw.get("context"),
        min=raw.get("min"),
        max=raw.get("max"),
        positive=bool(raw.get("positive", False)),
        max_exclusive=bool(raw.get("max_exclusive", False)),
        plausible=_plausible(name, raw.get("plausible"), where),
        default=raw.get("default"),
        required=bool(raw.get("required", False)),
        scheme=raw.get("scheme"),
        fields=subfields,
    )


def _plausible(name: str, raw, where: str) -> Optional[Tuple[float, float]]:
    if raw is None:
        return None
    if not (isinstance(raw, list) and len(raw) == 2 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in raw) and raw[0] < raw[1]):
        raise ValueError(f"{where}: field {name!r}: plausible must be [low, high] in the field's unit")
    return float(raw[0]), float(raw[1])


def _leaves(fields: Mapping[str, FieldSpec]) -> Dict[str, FieldSpec]:
    out: Dict[str, FieldSpec] = {}
    for spec in fields.values():
        if spec.type == "mapping":
            out[spec.name] = spec
            out.update(_leaves(spec.fields))
        else:
            out[spec.name] = spec
    return out


_STAGE_CLEAN = re.compile(r"[\s()（）\[\]\-_.·]+")


class Vocabulary:
    """Typed view of the vocabulary files (one instance: :func:`vocabulary`)."""

    def __init__(self, record: dict, regions: dict, stages: dict):
        self.schema_id: str = record["schema"]
        self.context_fields: Dict[str, FieldSpec] = {
            k: _field(k, v, "context") for k, v in record["context"].items()
        }
        free = record["free_form"]
        #: free-form data, kept and never read by the rules: this field on
        #: every entity, and keys with this prefix anywhere in a record
        self.free_form_field: str = free["field"]
        self.free_form_prefix: str = free["prefix"]
        self.sections: Dict[str, SectionSpec] = {}
        for name, raw in record["sections"].items():
            fields = {k: _field(k, v, name) for k, v in raw["fields"].items()}
            self.sections[name] = SectionSpec(name, raw["kind"], raw.get("zh", name), fields, _leaves(fields))
        # regions
        self.regions: Dict[str, Region] = {}
        self._region_names: Dict[str, str] = {}
        for code in regions:
            self.regions[str(code)] = self._region(str(code), regions)
        for code, raw in regions.items():
            code = str(code)
            names = {code, raw["zh"], raw["en"], *raw.get("names", ())}
            parent = raw.get("parent")
            if parent and parent != "CN":
                pz = regions[parent]["zh"]
                names |= {pz + raw["zh"], pz.rstrip("市") + raw["zh"]}
            for n in names:
                self._region_names[self._region_key(n)] = code
        # stages
        self.stage_schemes: Dict[str, dict] = {}
        numerals = stages["numerals"]
        for scheme in ("onroad", "nonroad"):
            raw = stages[scheme]
            levels = [str(v) for v in raw["levels"]]
            aliases: Dict[str, Tuple[int, int, str]] = {}
            for i, lv in enumerate(levels, 1):
                aliases[lv] = (i, i, lv)
            for amb, members in (raw.get("ambiguous") or {}).items():
                idx = [levels.index(str(m)) + 1 for m in members]
                aliases[str(amb)] = (min(idx), max(idx), str(amb))
            table: Dict[str, Tuple[int, int, str]] = {}
            for key, val in aliases.items():
                num, suffix = key[0], key[1:]
                for written in numerals.get(num, [num]):
                    table[f"{written}{suffix}".lower()] = val
            self.stage_schemes[scheme] = {
                "zh": raw.get("zh", scheme),
                "levels": levels,
                "table": table,
                "strip": sorted((s.lower() for s in raw.get("strip", ())), key=len, reverse=True),
            }

    @staticmethod
    def _region(code: str, regions: dict) -> Region:
        chain = []
        cur: Optional[str] = code
        while cur is not None:
            if cur in chain:
                raise ValueError(f"region cycle at {cur}")
            chain.append(cur)
            raw = regions[cur]
            cur = str(raw["parent"]) if raw.get("parent") else None
        raw = regions[code]
        return Region(code, raw["zh"], raw["en"], raw.get("parent"), tuple(chain))

    @staticmethod
    def _region_key(text: str) -> str:
        return re.sub(r"\s+", "", text).lower()

    def region(self, written) -> Optional[Region]:
        """The region for a code (int or text) or a Chinese/English name."""
        if isinstance(written, bool) or written is None:
            return None
        code = self._region_names.get(self._region_key(str(written)))
        return self.regions.get(code) if code else None

    def contains(self, outer: str, inner: str) -> bool:
        """Whether region ``inner`` lies inside (or is) region ``outer``."""
        region = self.regions.get(inner)
        return region is not None and outer in region.chain

    def stage(self, scheme: str, written) -> Optional[Stage]:
        """Read a written emission stage (``国VI(B)``, ``China 5``, ``第三阶段``)."""
        if isinstance(written, bool) or written is None:
            return None
        info = self.stage_schemes[scheme]
        # the Roman numeral characters (Ⅴ U+2164, ⅵ) and full-width letters,
        # digits and brackets people paste read as their ASCII forms (NFKC)
        text = _STAGE_CLEAN.sub("", nfkc_pasted(str(written))).lower()
        for word in info["strip"]:
            text = text.replace(word, "")
        hit = info["table"].get(text)
        if hit is None:
            return None
        return Stage(scheme, hit[0], hit[1], hit[2])

    def stage_levels(self, scheme: str) -> list:
        return list(self.stage_schemes[scheme]["levels"])

    def section_field(self, section: str, name: str) -> Optional[FieldSpec]:
        spec = self.sections.get(section)
        return spec.leaves.get(name) if spec else None


_DATA = Path(__file__).parent / "data"
_FILES = ("record.yaml", "regions.yaml", "stages.yaml")
_JSON_FORMAT = "compliance-vocabulary/1"


def _read(name: str) -> dict:
    text = (_DATA / name).read_text("utf-8")
    return _parse(text)


def _parse(text: str) -> dict:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # trusted package data


def _load_data() -> Tuple[dict, ...]:
    """The data of the vocabulary files, in :data:`_FILES` order.

    Parsing them as YAML costs ~3 ms of every start-up; their data is plain
    JSON data, so it is kept as JSON in the user cache folder (~0.2 ms to
    read), keyed by the files' bytes: an edited file is read as YAML again.
    Disabled by ``COMPLIANCE_NO_CACHE=1``.
    """
    import json

    raw = {name: (_DATA / name).read_bytes() for name in _FILES}
    path = key = None
    if not os.environ.get("COMPLIANCE_NO_CACHE"):
        h = hasher()
        h.update(_JSON_FORMAT.encode())
        for name in _FILES:
            h.update(f"\0{name}\0{len(raw[name])}\0".encode())
            h.update(raw[name])
        key = str(h.hexdigest())
        path = user_cache_dir() / f"vocabulary-{key[:32]}.json"
        try:
            own = read_own(path)  # what another account could write must not decide a verdict
            if own is None:
                raise OSError("absent, or not this user's own")
            cached = json.loads(own)
            if (isinstance(cached, dict) and cached.get("key") == key
                    and all(isinstance(cached.get(name), dict) for name in _FILES)):
                return tuple(cached[name] for name in _FILES)
        except (OSError, ValueError):
            pass  # absent or damaged: read the YAML
    data = {name: _parse(raw[name].decode("utf-8")) for name in _FILES}
    if path is not None:
        try:
            text = json.dumps({"key": key, **data}, ensure_ascii=False)
            # only data JSON keeps as it is (no dates, no number keys)
            if json.loads(text) == {"key": key, **data}:
                write_atomic(path, text.encode("utf-8"), keep="vocabulary-*.json")
        except (TypeError, ValueError, OSError):
            pass
    return tuple(data[name] for name in _FILES)


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The bundled vocabulary (loaded once)."""
    return Vocabulary(*_load_data())
