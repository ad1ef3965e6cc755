"""Continuous emission monitoring (CEMS) exports: read, validate, average, judge.

``read`` parses a CSV export or HJ 212-2017 data messages into minute
arrays; ``validity`` applies the HJ 75-2017 rules (valid minutes, hours,
days, stopped hours) and the data transmission effective rate; ``verdict``
corrects hourly values to a rule's reference oxygen and counts exceedances;
``stage`` derives the record facts the rules judge and adds the series'
figures to the findings; ``plot`` draws the corrected series. Thresholds and
flag meanings are data (``compliance/data/cems.yaml``); limits and reference
oxygen come from the rulesets. See docs/cems.md.
"""

from .read import Export, read_export
from .validity import Series, analyse

__all__ = ["Export", "read_export", "Series", "analyse"]
