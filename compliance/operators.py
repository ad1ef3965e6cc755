"""The one home of the condition language's primitive semantics.

Every backend -- the interpreter (:mod:`compliance.conditions`, the
reference that explains findings), the generated kernels
(:mod:`compliance.kernel`) and the durable_rules translation
(:mod:`compliance._durable`) -- takes an operator's meaning, its negation,
its words and its spelling in each target from :data:`OPERATORS`, and the
three-valued comparison of an emission-stage interval from
:func:`stage_truth`. Nothing else in the package defines what ``<=`` means.
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Dict, Optional

import attrs

from .units import round_sig

__all__ = ["Operator", "OPERATORS", "stage_truth", "correct_oxygen"]


@attrs.frozen
class Operator:
    """One comparison operator, as every backend needs it."""

    token: str  # as written in a rule: "<="
    fn: Callable[[Any, Any], bool]
    negation: str  # token of the operator true exactly where this one is false
    zh: str  # words for explanations
    en: str
    python: str  # spelling in generated Python
    durable: Optional[str]  # durable_rules operator; None: written as {key: value}

    def words(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


OPERATORS: Dict[str, Operator] = {
    op.token: op
    for op in (
        Operator("<", operator.lt, ">=", "低于", "below", "<", "$lt"),
        Operator("<=", operator.le, ">", "不高于", "at most", "<=", "$lte"),
        Operator(">", operator.gt, "<=", "高于", "above", ">", "$gt"),
        Operator(">=", operator.ge, "<", "不低于", "at least", ">=", "$gte"),
        Operator("==", operator.eq, "!=", "等于", "equal to", "==", None),
        Operator("!=", operator.ne, "==", "不等于", "other than", "!=", "$neq"),
    )
}


def stage_truth(op: str, lo: int, hi: int, limit: int) -> Optional[bool]:
    """Three-valued comparison of a stage interval ``lo..hi`` with a level.

    A bare 国六 is the interval 6a..6b: a comparison true at both ends is
    true, false at both ends is false, otherwise unknown. ``==``/``!=`` are
    decided when the interval is one level, or when ``limit`` lies outside it.
    """
    fn = OPERATORS[op].fn
    if lo == hi:
        return fn(lo, limit)
    if op == "==" or op == "!=":
        if lo <= limit <= hi:
            return None
        return op == "!="
    at_lo = fn(lo, limit)
    return at_lo if at_lo == fn(hi, limit) else None


def correct_oxygen(measured: float, o2: float, reference: float) -> float:
    """Correct a measured concentration to a reference oxygen content.

    ρ = ρ' × (21 − φ(O2)ref) / (21 − φ'(O2)measured), the formula of
    GB 13271-2014 5.2 (and of the other emission standards that correct to a
    reference oxygen, e.g. GB 4915-2013).
    """
    return round_sig(measured * (21.0 - reference) / (21.0 - o2))
