"""Conditions as sentences (``explain``, ``rules --format json``), in Chinese and English.

A compiled condition (:mod:`compliance.conditions`) is a tree of ``all`` /
``any`` / ``not`` over comparisons. :func:`sentence` reads it as a reviewer
would say it: negations are pushed down to the comparisons ("kind is not
bus", "registered before 2020-01-01"; De Morgan for ``not all`` / ``not
any``), nested lists of the same kind are merged, and the remaining nesting
is marked with words and punctuation ("either … or …", "；或者") instead of
``not (…) or …`` brackets. Only a third level of alternation inside
alternation keeps brackets.
"""

from __future__ import annotations

import datetime as dt
from typing import List, Tuple, Union

from .conditions import All, AnyOf, Compare, Cond, Includes, Known, Member, Not, format_limit
from .operators import OPERATORS
from .units import format_number

__all__ = ["sentence"]

#: words of a date comparison: operator -> (zh, en)
_DATE_WORDS = {"<": ("早于", "before"), "<=": ("不晚于", "on or before"), ">": ("晚于", "after"),
               ">=": ("不早于", "on or after"), "==": ("为", "on"), "!=": ("不为", "not on")}

Node = Union[str, Tuple[str, List["Node"]]]  # a clause's text, or ("and" | "or", parts)


def _values(values) -> str:
    return "/".join(str(v).lower() if isinstance(v, bool) else str(v) for v in values)


def _atom(cond: Cond, negated: bool, lang: str) -> str:
    zh = lang == "zh"
    if isinstance(cond, Compare):
        op = OPERATORS[cond.op].negation if negated else cond.op
        label = cond.ref.label
        if isinstance(cond.limit.value, dt.date):
            word = _DATE_WORDS[op][0 if zh else 1]
            return f"{label} {word} {format_limit(cond.limit)}"
        word = OPERATORS[op].words(lang)
        text = f"{label} {word} {format_limit(cond.limit)}" if zh else f"{label} is {word} {format_limit(cond.limit)}"
        if cond.ref.oxygen_reference is not None:
            o2 = format_number(cond.ref.oxygen_reference)
            text += f"（折算至基准含氧量 {o2}%）" if zh else f" (corrected to {o2} % O2)"
        return text
    if isinstance(cond, Member):
        vals, many = _values(cond.values), len(cond.values) > 1
        if zh:
            if negated:
                return f"{cond.ref.label} 不为 {vals}" + (" 中任一" if many else "")
            return f"{cond.ref.label} 为 {vals}" + (" 之一" if many else "")
        if negated:
            return f"{cond.ref.label} is {'none of' if many else 'not'} {vals}"
        return f"{cond.ref.label} is {'one of ' if many else ''}{vals}"
    if isinstance(cond, Includes):
        vals, many = "/".join(cond.values), len(cond.values) > 1
        every = cond.mode == "all" and many
        if zh:
            if negated:
                return f"{cond.ref.label} 不全含 {vals}" if every else f"{cond.ref.label} 不含 {vals}" + (" 中任一" if many else "")
            return f"{cond.ref.label} 含全部 {vals}" if every else f"{cond.ref.label} 含 {vals}" + (" 之一" if many else "")
        if negated:
            return (f"{cond.ref.label} does not include all of {vals}" if every
                    else f"{cond.ref.label} includes {'none of ' if many else 'no '}{vals}")
        return f"{cond.ref.label} includes {'all of ' if every else 'any of ' if many else ''}{vals}"
    if isinstance(cond, Known):
        given = cond.want != negated
        if zh:
            return f"{'已填写' if given else '未填写'} {cond.ref.label}"
        return f"{cond.ref.label} is {'given' if given else 'not given'}"
    return ("非（" + cond.describe(lang) + "）") if negated and zh else (
        f"not ({cond.describe(lang)})" if negated else cond.describe(lang))  # a kind added later: its own words


def _tree(cond: Cond, negated: bool, lang: str) -> Node:
    """The condition with negations pushed to the clauses and nested lists
    of the same kind merged."""
    if isinstance(cond, Not):
        return _tree(cond.child, not negated, lang)
    if isinstance(cond, (All, AnyOf)):
        kind = "and" if isinstance(cond, All) != negated else "or"
        parts: List[Node] = []
        for child in cond.children:
            node = _tree(child, negated, lang)
            if isinstance(node, tuple) and node[0] == kind:
                parts.extend(node[1])
            else:
                parts.append(node)
        return parts[0] if len(parts) == 1 else (kind, parts)
    return _atom(cond, negated, lang)


def _join(items: List[str], last: str, sep: str) -> str:
    """``items`` joined; a Chinese connective gets a space before a field name (或 kind …)."""
    out = items[0]
    for n, item in enumerate(items[1:], 1):
        word = last if n == len(items) - 1 else sep
        out += word + (" " if word[-1] not in "；，" and word[-1] > "\u2e7f" and item[:1].isascii() else "") + item
    return out


def _render(node: Node, lang: str, depth: int) -> str:
    if isinstance(node, str):
        return node
    kind, parts = node
    zh = lang == "zh"
    if not parts:  # an empty all (always true: a manual-review item's require) or any (never true)
        return ("始终成立" if zh else "always") if kind == "and" else ("从不成立" if zh else "never")
    compound = any(isinstance(p, tuple) for p in parts)
    texts = [_render(p, lang, depth + 1) for p in parts]
    if depth >= 2 and compound:  # a third level: brackets keep the reading unambiguous
        texts = [f"（{x}）" if zh else f"({x})" if isinstance(p, tuple) else x for p, x in zip(parts, texts)]
        compound = False
    if kind == "and":
        if compound:
            texts = [(x if zh else f"either {x}") if isinstance(p, tuple) else x for p, x in zip(parts, texts)]
            return _join(texts, "；且" if zh else "; and ", "；" if zh else "; ")
        return _join(texts, "，且" if zh else " and ", "，" if zh else ", ")
    if compound:
        return _join(texts, "；或者" if zh else ", or ", "；或者" if zh else ", or ")
    return _join(texts, "，或" if zh else " or ", "，或" if zh else ", ")


def sentence(cond: Cond, lang: str) -> str:
    """``cond`` as a sentence in ``lang`` ("zh" or "en")."""
    return _render(_tree(cond, False, lang), lang, 0)
