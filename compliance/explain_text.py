"""The text of ``compliance explain`` and ``compliance rules``, within a width, in zh or en.

Words come from :mod:`compliance.i18n`, conditions are read as sentences
(:mod:`compliance.wording`), lines are filled by :func:`compliance.table.wrap_lines`
(rule ids, dates and figures never split).
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Tuple

from ._output import escape
from .i18n import t
from .table import display_width, wrap_lines

__all__ = ["explain_lines", "rules_lines"]


def _field_lines(pairs: Sequence[Tuple[str, str]], width: int) -> List[str]:
    """``label: value`` lines, the values aligned after the widest label and
    wrapped under themselves."""
    pad = max(display_width(label) for label, _ in pairs) + 4  # "  " + label + ":" and a space
    pad = max(pad, 16)
    room = max(width - pad, 20)
    out: List[str] = []
    for label, value in pairs:
        lines = wrap_lines(escape(value), room)
        head = f"  {label}:"
        out.append(head + " " * (pad - display_width(head)) + lines[0])
        out.extend(" " * pad + line for line in lines[1:])
    return out


def explain_lines(rs: Any, rule: Any, d: Mapping[str, Any], params: Sequence[str], lang: str,
                  width: int) -> List[str]:
    pairs: List[Tuple[str, str]] = [
        (t("explain.ruleset", lang), f"{rs.id} ({rs.title.get(lang)}), " + t("explain.jurisdiction", lang, code=rs.jurisdiction)
         if lang == "en" else f"{rs.id}（{rs.title.get(lang)}），" + t("explain.jurisdiction", lang, code=rs.jurisdiction)),
        (t("explain.applies_to", lang), rule.applies_to),
        (t("explain.when", lang), d["when"]),
        (t("explain.requires", lang), d["require"]) if rule.review is None else
        (t("explain.manual_review", lang), f"({rule.review.code}) {rule.review.text.get(lang)}"),
    ]
    if rule.unless:
        from .wording import sentence

        pairs.append((t("explain.exempt_if", lang), f"{sentence(rule.unless.condition, lang)} — {rule.unless.name.get(lang)}"))
    in_force = t("explain.in_force_from", lang, date=d["in_force_from"])
    if d["until"]:
        in_force += " " + t("explain.in_force_until", lang, date=d["until"])
    pairs += [
        (t("explain.in_force", lang), in_force),
        (t("explain.effective", lang), d["effective_from"] or "-"),
        (t("explain.deadline", lang), d["deadline"] or "-"),
        (t("explain.severity", lang), rule.severity),
        (t("explain.source", lang), _source(rule.cite, lang)),
        (t("explain.text", lang), f"“{rule.cite.text}”"),
    ]
    if rule.cite.secondary:  # a term the quote names, defined from secondary sources (docs/ruleset-format.md)
        pairs.append((t("explain.defined_by", lang), t("explain.secondary", lang, urls=", ".join(rule.cite.secondary))))
    for p in params:
        pairs.append((t("explain.limit_source", lang), p))
    if rule.note:
        pairs.append((t("explain.note", lang), rule.note))
    pairs.append((t("explain.tests", lang), t("explain.tests_value", lang, n=len(rule.tests), where=f"{rule.file}:{rule.line}")))
    head = [escape(rule.id)] + ["  " + line for line in wrap_lines(escape(f"{rule.title.zh} / {rule.title.en}"), width - 2)]
    return head + _field_lines(pairs, width)


def _source(cite: Any, lang: str) -> str:
    """The document's title and clause, and its file name (what the JSON's ``source.document`` holds)."""
    title: Optional[Any] = getattr(cite, "title", None)
    if title is None:
        return f"{cite.document} {cite.clause}"
    name = title.get(lang)
    if name == cite.document or cite.document in name:
        return f"{name} {cite.clause}"
    return f"{name} {cite.clause}（{cite.document}）" if lang == "zh" else f"{name} {cite.clause} ({cite.document})"


#: columns of ``compliance rules``; the manual-review items add their reason code
_RULE_COLUMNS = ("rule", "applies_to", "from", "deadline", "clause")
_ITEM_COLUMNS = ("rule", "applies_to", "from", "deadline", "reason", "clause")


def rules_lines(rows: Sequence[Any], standards: Sequence[Any], lang: str, width: int,
                items: Sequence[Any] = ()) -> List[str]:
    """The rules as a table within ``width``, rule ids whole, the clause
    column wrapped; where a rule id and the other columns do not fit on one
    line, each rule takes two: its id, then the other columns indented.
    ``items``: the rulesets' manual-review items (a reviewer decides them),
    listed after the rules in a table of their own with their reason code."""
    out = _rule_table(rows, _RULE_COLUMNS, lang, width)
    out.append(t("rules.count", lang, n=len(rows)))
    if items:
        out.append("")
        out.extend(wrap_lines(t("rules.items", lang), width))
        out.extend(_rule_table(items, _ITEM_COLUMNS, lang, width))
        out.append(t("rules.items_count", lang, n=len(items)))
    for rs in standards:
        out.extend(wrap_lines(escape(t("rules.standard", lang, id=rs.id, title=rs.title.get(lang),
                                       n=len(rs.parameters))), width))
    return out


def _rule_table(rows: Sequence[Any], all_columns: Sequence[str], lang: str, width: int) -> List[str]:
    cells = [{
        "rule": escape(r.id), "applies_to": escape(r.applies_to),
        "from": str(r.effective_from or ""), "deadline": str(r.deadline or ""), "clause": escape(r.cite.clause),
        "reason": escape(r.review.code) if getattr(r, "review", None) is not None else "",
    } for r in rows]
    heads = {c: t(f"rules.head.{c}", lang) for c in all_columns}

    def widths(cols: Sequence[str]) -> List[int]:
        return [max([display_width(heads[c])] + [display_width(x[c]) for x in cells]) for c in cols]

    def clause_room(cols: Sequence[str], indent: int) -> int:
        ws = widths(cols)
        return width - indent - sum(ws[:-1]) - 2 * (len(cols) - 1)

    def widest_word(c: str) -> int:
        return max([display_width(heads[c])] + [display_width(p) for x in cells for p in x[c].split()])

    one_line = clause_room(all_columns, 0) >= max(widest_word("clause"), 12)
    columns = tuple(all_columns) if one_line else tuple(all_columns[1:])
    indent = 0 if one_line else 4
    ws = widths(columns)
    ws[-1] = min(ws[-1], clause_room(columns, indent))
    margin = " " * indent
    if not one_line and "reason" in columns:  # narrow: the reason goes with the rule id, the columns as for rules
        columns = tuple(c for c in columns if c != "reason")
        ws = widths(columns)
        ws[-1] = min(ws[-1], clause_room(columns, indent))
    out = []
    if not one_line:
        out.append(heads["rule"])
    out += [margin + "  ".join(_pad(heads[c], w) for c, w in zip(columns, ws)).rstrip(),
            margin + "  ".join("-" * w for w in ws)]
    for x in cells:
        if not one_line:
            out.append(x["rule"])
            if "reason" in all_columns:
                out.append(f"{margin}{heads['reason']}: {x['reason']}")
        parts = [wrap_lines(x[c], w) if c == "clause" else [x[c]] for c, w in zip(columns, ws)]
        for i in range(max(len(p) for p in parts)):
            out.append(margin + "  ".join(_pad(p[i] if i < len(p) else "", w) for p, w in zip(parts, ws)).rstrip())
    return out


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
