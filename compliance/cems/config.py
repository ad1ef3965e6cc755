"""The CEMS data file (compliance/data/cems.yaml), loaded once."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

import attrs
import yaml

DATA = Path(__file__).resolve().parent.parent / "data" / "cems.yaml"


@attrs.frozen
class Channel:
    name: str
    field: str  # emissions.<field> of the boiler, or "" (not judged)
    csv: str
    hj212: str
    unit: str
    zh: str
    en: str


@attrs.frozen
class Config:
    hour_min_valid_minutes: int
    day_min_valid_hours: int
    stopped_hour_min_minutes: int
    min_valid_hour_share: float
    letters: Tuple[str, ...]  # flag letters; a minute's flag is its index here
    flag_class: Mapping[str, str]  # letter -> valid | invalid | stopped
    flag_words: Mapping[str, Mapping[str, str]]  # letter -> {zh, en}
    channels: Mapping[str, Channel]
    oxygen: str
    hj212_commands: Mapping[str, str]
    sources: Mapping[str, Any]  # rule name -> source mapping (for docs and details)

    @property
    def pollutants(self) -> Tuple[str, ...]:
        """Channels judged against a limit: a record field, not the oxygen."""
        return tuple(n for n, c in self.channels.items() if c.field and n != self.oxygen)

    def codes(self, cls: str) -> Tuple[int, ...]:
        return tuple(i for i, letter in enumerate(self.letters) if self.flag_class[letter] == cls)


@functools.lru_cache(maxsize=1)
def config() -> Config:
    raw: Dict[str, Any] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    v = raw["validity"]
    flags = raw["flags"]
    channels = {name: Channel(name, c.get("field", ""), c["csv"], c["hj212"], c["unit"], c["zh"], c["en"])
                for name, c in raw["channels"].items()}
    sources = {k: dict(e["source"]) for k, e in v.items()}
    sources["flags"] = dict(raw["flags_source"])
    sources["hj212"] = dict(raw["hj212_source"])
    return Config(
        hour_min_valid_minutes=int(v["hour_min_valid_minutes"]["value"]),
        day_min_valid_hours=int(v["day_min_valid_hours"]["value"]),
        stopped_hour_min_minutes=int(v["stopped_hour_min_minutes"]["value"]),
        min_valid_hour_share=float(v["min_valid_hour_share"]["value"]),
        letters=tuple(flags),
        flag_class={k: f["class"] for k, f in flags.items()},
        flag_words={k: {"zh": f["zh"], "en": f["en"]} for k, f in flags.items()},
        channels=channels,
        oxygen=raw["oxygen_channel"],
        hj212_commands={str(k): v for k, v in raw["hj212_commands"].items()},
        sources=sources,
    )
