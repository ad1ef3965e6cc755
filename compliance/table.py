"""The text table of a report (``--format table``): layout within a width.

What a reviewer copies out of the table -- an entity id, a rule id, a licence
plate, a file name, a date, a number with its unit -- is never split across
lines: text is cut into unbreakable *atoms* (:func:`atoms`) and lines are
filled with whole atoms. Widths are display columns (a CJK character counts
two). A finding is a row of a two-column grid when every atom fits its
column at ``width``; otherwise the record is laid out as a list (one finding
after another, indented), where an atom wider than the line stands alone on
its line rather than being cut.

Long quotes are shortened around their operative words (:func:`cut_quote`):
the rule's limit value, its dates, else the first figures, at clause
boundaries, with … where text was left out.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ._output import escape
from .i18n import status_name, t
from .status import STATUS_ORDER

__all__ = ["atoms", "wrap_lines", "cut_quote", "render_record", "display_width", "DEFAULT_WIDTH", "MIN_WIDTH"]

DEFAULT_WIDTH = 80
MIN_WIDTH = 40

_CHAR_WIDTH: Dict[str, int] = {}


def _char_width(ch: str) -> int:
    w = _CHAR_WIDTH.get(ch)
    if w is None:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            w = 2
        elif unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            w = 0
        else:
            w = 1
        _CHAR_WIDTH[ch] = w
    return w


def display_width(text: str) -> int:
    """Display columns of ``text`` (CJK characters count as two)."""
    if text.isascii():
        return len(text)
    return _wide_width(text)


@functools.lru_cache(maxsize=8192)
def _wide_width(text: str) -> int:
    return sum(map(_char_width, text))


# ------------------------------------------------------------------ atoms

_UNIT_WORDS = r"(?:mg|µg|μg|ng|g|kg|t|MW|kW|MJ|m|km|cm|mm|m³|m²|m\^3|m\^2|L|h|d|ppm|dB|°C|K|Pa|kPa|MPa|lb)"
#: text that must stay on one line, tried before the generic word split
_PROTECTED = re.compile("|".join([
    r"\b(?:GB|HJ|DB|GB/T|HJ/T|DB\d\d)\s?\d+(?:\.\d+)?-\d{4}",  # a standard: GB 13271-2014
    r"[A-Za-z_][\w.\-]*\[[^\]\n]*\]",  # an entity label: kind[id] (the id may hold CJK: vehicles[津A·67890])
    r"[\u3400-\u9fff][A-Z][·・.]?[A-Z0-9]{4,6}(?![A-Za-z0-9])",  # a licence plate: 津A·67890, 京AH6102
    r"\d{4}\s?年(?:\s?\d{1,2}\s?月(?:\s?\d{1,2}\s?日)?|底)?",  # 2018年10月1日, 2020 年 1 月, 2019 年底
    # a number with its unit: 95 %, 200 mg/m³, 9 t/(month*km²), 580克/升, 2.5千克/小时
    r"[-+]?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|‰|℃|[A-Za-zµμ°]+[³²]?(?:\^\d)?/[!-~µμ³²·°]+|" + _UNIT_WORDS
    + r"(?![A-Za-z0-9])|[\u3400-\u9fff]{1,3}/[\u3400-\u9fff]{1,3}))?",
]))
#: punctuation that never starts a line (kept with the text before it)
_CLOSING = set("，。、；：？！）》」』】〕”’,.;:?!)]}%…·")
#: punctuation that never ends a line (kept with the text after it)
_OPENING = set("（《「『【〔“‘([{")

Atom = Tuple[str, bool]  # (text, preceded by a space)


def atoms(text: str) -> List[Atom]:
    """``text`` (one paragraph) as unbreakable pieces, each with whether a
    space precedes it: protected tokens (ids, entity labels, plates, dates,
    numbers with units), words between spaces, single CJK characters;
    closing punctuation stays with the piece before it, opening with the
    piece after it."""
    raw: List[Atom] = []
    pos = 0
    for m in _PROTECTED.finditer(text):
        if m.start() < pos:
            continue
        _plain(text[pos:m.start()], raw, text, pos)
        raw.append((m.group(), m.start() > 0 and text[m.start() - 1] == " "))
        pos = m.end()
    _plain(text[pos:], raw, text, pos)
    out: List[Atom] = []
    for piece, space in raw:
        if out and not space and (piece[0] in _CLOSING or out[-1][0][-1] in _OPENING
                                  or (_char_width(piece[0]) == 1 and _char_width(out[-1][0][-1]) == 1)):
            # no break before closing or after opening punctuation, nor between two narrow
            # characters (2018-12-31 stays whole although 2018 looks like a number)
            out[-1] = (out[-1][0] + piece, out[-1][1])
        else:
            out.append((piece, space))
    return out


def _plain(chunk: str, out: List[Atom], whole: str, offset: int) -> None:
    space = offset > 0 and whole[offset - 1] == " "
    word: List[str] = []
    for ch in chunk:
        if ch == " ":
            if word:
                out.append(("".join(word), space))
                word = []
            space = True
        elif _char_width(ch) == 2 and ch not in _CLOSING and ch not in _OPENING:
            if word:
                out.append(("".join(word), space))
                word = []
                space = False
            out.append((ch, space))
            space = False
        else:
            word.append(ch)
    if word:
        out.append(("".join(word), space))


@functools.lru_cache(maxsize=4096)
def _measured(para: str) -> Tuple[Tuple[str, bool, int], ...]:
    """:func:`atoms` of ``para`` with their widths, computed once per text
    (a rule's quote and message recur in every record it judges)."""
    return tuple((piece, space, display_width(piece)) for piece, space in atoms(para))


def wrap_lines(text: str, width: int) -> List[str]:
    """``text`` in lines of at most ``width`` columns, broken only between
    atoms; an atom wider than ``width`` stands alone on its line."""
    lines: List[str] = []
    for para in text.split("\n"):
        cur, cur_w = "", 0
        for piece, space, w in _measured(para):
            gap = 1 if space and cur else 0
            if cur and cur_w + gap + w > width:
                lines.append(cur)
                cur, cur_w = piece, w
            else:
                cur += " " * gap + piece
                cur_w += gap + w
        lines.append(cur)
    return lines


def widest_atom(text: str) -> int:
    return max((w for para in text.split("\n") for _, _, w in _measured(para)), default=0)


# ------------------------------------------------------------------ quotes

_SEGMENT_END = re.compile(r"(?<=[。；;！？!?，、：,])")
_CUT_TRIM = "，、；：,;: "


def _number_text(value: Any) -> Optional[str]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _keys(limit: Optional[Mapping[str, Any]], dates: Sequence[Optional[str]]) -> List[re.Pattern]:
    """Patterns of the operative words, most specific first."""
    out: List[re.Pattern] = []
    number = _number_text((limit or {}).get("value"))
    if number is not None:
        out.append(re.compile(r"(?<![\d.])" + re.escape(number) + r"(?![\d])"))
    days: List[dt.date] = []
    for text in dates:
        try:
            if text:
                days.append(dt.date.fromisoformat(text))
        except (TypeError, ValueError):
            pass
    for day in days:
        out.append(re.compile(rf"{day.year}\s*年\s*(?:{day.month}\s*月|底)"))
    for day in days:
        out.append(re.compile(rf"{day.year}\s*年"))
    out.append(re.compile(r"\d"))
    return out


def cut_quote(text: str, budget: int, limit: Optional[Mapping[str, Any]] = None,
              dates: Sequence[Optional[str]] = ()) -> str:
    """``text`` shortened to about ``budget`` columns around its operative
    words (the limit value, then the dates, then any figure): whole clauses
    (cut after 。；，、：), … where text was left out, never a cut inside a
    number, date or word."""
    if display_width(text) <= budget:
        return text
    segs = [s for s in _SEGMENT_END.split(text) if s]
    widths = [display_width(s) for s in segs]
    keys = _keys(limit, dates)
    chosen: List[int] = []
    for pattern in keys:
        hit = next((i for i, s in enumerate(segs) if pattern.search(s)), None)
        if hit is not None and hit not in chosen:
            if sum(widths[i] for i in chosen) + widths[hit] + 2 <= budget or not chosen:
                chosen.append(hit)
        if len(chosen) == 2:
            break
    if not chosen:
        chosen = [0]
    if widths[chosen[0]] + 2 > budget:  # the one clause is too long: cut inside it, at atoms, around the key
        return _cut_inside(segs[chosen[0]], budget, keys, first=chosen[0] == 0, last=chosen[0] == len(segs) - 1)
    keep = set(chosen)
    used = sum(widths[i] for i in keep) + 2 * (len(keep) + 1)
    anchor = chosen[0]
    lo, hi = anchor, anchor
    while True:  # grow around the first key: the clause before (its subject), then after
        grown = False
        for i in (lo - 1, hi + 1):
            if 0 <= i < len(segs) and i not in keep and used + widths[i] <= budget:
                keep.add(i)
                used += widths[i]
                lo, hi = min(lo, i), max(hi, i)
                grown = True
                break
        if not grown:
            break
    out: List[str] = []
    prev = -1
    for i in sorted(keep):
        if i != prev + 1:
            if out:
                out[-1] = out[-1].rstrip(_CUT_TRIM)
            out.append("…")
        out.append(segs[i])
        prev = i
    if prev != len(segs) - 1:
        out[-1] = out[-1].rstrip(_CUT_TRIM)
        out.append("…")
    return "".join(out)


def _cut_inside(seg: str, budget: int, keys: Sequence[re.Pattern], first: bool, last: bool) -> str:
    pieces = atoms(seg)
    start = 0
    for pattern in keys:
        m = pattern.search(seg)
        if m:
            start = m.start()
            break
    # the atom holding the key
    pos = 0
    at = 0
    for n, (p, space) in enumerate(pieces):
        pos = seg.find(p, pos)
        if pos <= start < pos + len(p) or pos > start:
            at = n
            break
        pos += len(p)
    lo = hi = at
    used = display_width(pieces[at][0]) + 2
    while True:
        grown = False
        for i in (lo - 1, hi + 1):
            if 0 <= i < len(pieces) and used + display_width(pieces[i][0]) + 1 <= budget:
                used += display_width(pieces[i][0]) + (1 if pieces[i][1] else 0)
                lo, hi = min(lo, i), max(hi, i)
                grown = True
                break
        if not grown:
            break
    body = ""
    for n in range(lo, hi + 1):
        p, space = pieces[n]
        body += (" " if space and body else "") + p
    head = "" if (lo == 0 and first) else "…"
    tail = "" if (hi == len(pieces) - 1 and last) else "…"
    if tail:
        body = body.rstrip(_CUT_TRIM)
    return head + body + tail


# ------------------------------------------------------------------ records

def _header(rec: Any, lang: str, width: int) -> List[str]:
    fac = rec.facility
    name = f" {fac.get('name')}" if fac.get("name") else ""
    parts = [t("header.region", lang, region=fac.get("region")), t("header.as_of", lang, date=rec.as_of)]
    if rec.alert != "none":
        parts.append(t("header.alert", lang, alert=rec.alert))
    where = f"（{'，'.join(parts)}）" if lang == "zh" else f" ({', '.join(parts)})"
    named = (str(fac.get("name")) + where) if name else ""  # as given (not stripped: nothing is dropped)
    pieces = [f"{rec.source}{'：' if lang == 'zh' else ':'}", str(fac.get("id")) + ("" if named else where), named]
    # each piece (file; id; name with region and date) whole on a line where it fits
    lines: List[str] = []
    cur = ""
    for piece in (escape(p) for p in pieces if p):
        room = width - (2 if lines else 0)
        joined = f"{cur} {piece}" if cur and not cur.endswith("：") else cur + piece
        if display_width(joined) <= room:
            cur = joined
            continue
        if cur:
            lines.append(cur)
            room = width - 2
        if display_width(piece) <= room:
            cur = piece
        else:
            parts_ = wrap_lines(piece, room)
            lines.extend(parts_[:-1])
            cur = parts_[-1]
    lines.append(cur)
    return lines[:1] + ["  " + line for line in lines[1:]]


def _summary(rec: Any, lang: str, width: int) -> List[str]:
    counts: Dict[str, int] = dict(rec.summary)
    seen: Dict[str, int] = {}
    for f in rec.findings:
        seen[f.status] = seen.get(f.status, 0) + 1
    shown = [s for s in STATUS_ORDER if s in counts or seen.get(s)]
    shown += [s for s in seen if s not in shown]  # a status the order does not list yet: still counted
    items = [f"{status_name(s, lang)} {seen.get(s, counts.get(s, 0))}" for s in shown]
    sep = t("sep.list", lang)
    lines: List[str] = []
    cur = t("table.summary", lang)
    for n, item in enumerate(items):  # a status and its count never apart
        item += sep.rstrip() if n < len(items) - 1 else ""
        if lines or cur != t("table.summary", lang):
            gap = " " if sep.endswith(" ") else ""
            if display_width(cur + gap + item) > width:
                lines.append(cur)
                cur = "  " + item
                continue
            cur += gap + item
        else:
            cur += item
    lines.append(cur)
    return lines


def _source_line(f: Any, lang: str) -> str:
    src = f.source
    short = src.get("short_title") or src.get("title")
    name = short.get(lang) if isinstance(short, Mapping) else None
    return f"{name or src.get('document', '')} {src.get('clause', '')}".strip()


def _finding_parts(f: Any, lang: str, quote_width: int) -> Tuple[str, str, List[str]]:
    """(status word, entity label, right-hand paragraphs) of one finding."""
    word = status_name(f.status, lang)
    if f.status == "violation" and lang == "en":
        word = word.upper()
    right = [escape(f.message.get(lang) or f.message.get("en", ""))]
    if getattr(f, "details", None):  # e.g. a CEMS series' exceedance hours and worst hour (compliance.details_view)
        from .details_view import brief_lines

        right.extend(escape(line) for line in brief_lines(f.details, lang, (f.limit or {}).get("unit")))
    right += [escape(f.rule), escape(_source_line(f, lang))]
    if getattr(f, "waiver", None):  # an approved deviation, live or expired (compliance.waivers)
        from .report import waiver_text

        right.append(escape(waiver_text(f.waiver, f.waived_status, lang)))
    text = f.source.get("text")
    if f.status in ("violation", "pending", "waived", "manual_review") and text:
        budget = 3 * quote_width - 4  # about three lines
        quote = cut_quote(escape(text), budget, f.limit, (f.effective_from, f.deadline))
        right.append("“" + quote + "”")
    return word, escape(f.entity), right


#: an entity label wider than this is shown in two lines (kind, then [id]) in the grid
_LABEL_WIDTH = 22


def _label_lines(label: str, width: int) -> List[str]:
    """An entity label on one line, or broken before its ``[id]`` (the id whole)."""
    if display_width(label) <= min(width, _LABEL_WIDTH) or "[" not in label:
        return [label]
    kind, rest = label.split("[", 1)
    return [kind, "[" + rest]


def _label_width(label: str, cap: int) -> int:
    return max(display_width(x) for x in _label_lines(label, cap))


def render_record(rec: Any, lang: str = "en", width: int = DEFAULT_WIDTH) -> str:
    """One record's header, findings and summary within ``width`` columns."""
    width = max(int(width), MIN_WIDTH)
    out = _header(rec, lang, width)
    findings = list(rec.findings)
    if not findings:
        out.append("  " + t("table.none", lang))
    else:
        out.extend(_grid(findings, lang, width) or _listing(findings, lang, width))
    out.extend(_summary(rec, lang, width))
    return "\n".join(out)


def _grid(findings: Sequence[Any], lang: str, width: int) -> Optional[List[str]]:
    heads = (t("table.head.left", lang), t("table.head.right", lang))
    cap = max(width // 3, 16)
    words = [status_name(f.status, lang) for f in findings]
    left_w = max([display_width(heads[0]), 12] + [display_width(w) for w in words]
                 + [_label_width(escape(f.entity), cap) for f in findings])
    right_w = width - left_w - 7
    if left_w > cap or right_w < 24 or any(display_width(f.rule) > right_w for f in findings):
        return None  # (a rule id is the usual atom too wide for the column: known before any wrapping)
    rows = []
    for f in findings:
        word, label, right = _finding_parts(f, lang, right_w)
        if max(widest_atom(p) for p in right) > right_w:
            return None
        left_lines = [word] + _label_lines(label, left_w)
        right_lines = [line for p in right for line in wrap_lines(p, right_w)]
        rows.append((left_lines, right_lines))
    bar = lambda a, b, c: a + "─" * (left_w + 2) + b + "─" * (right_w + 2) + c  # noqa: E731
    lines = [bar("┌", "┬", "┐"), _cells(heads[0], heads[1], left_w, right_w), bar("├", "┼", "┤")]
    for n, (left, right) in enumerate(rows):
        for i in range(max(len(left), len(right))):
            lines.append(_cells(left[i] if i < len(left) else "", right[i] if i < len(right) else "",
                                left_w, right_w))
        lines.append(bar("├", "┼", "┤") if n < len(rows) - 1 else bar("└", "┴", "┘"))
    return lines


def _cells(left: str, right: str, left_w: int, right_w: int) -> str:
    return ("│ " + left + " " * (left_w - display_width(left)) + " │ "
            + right + " " * (right_w - display_width(right)) + " │")


def _listing(findings: Sequence[Any], lang: str, width: int) -> List[str]:
    """The narrow layout: per finding a rule line, its status and entity,
    then its text indented by two."""
    lines: List[str] = []
    inner = width - 2
    for f in findings:
        word, label, right = _finding_parts(f, lang, inner)
        lines.append("─" * width)
        head = f"{word}  {label}"
        if display_width(head) <= width:
            lines.append(head)
        else:
            lines.append(word)
            lines.extend(_label_lines(label, width))
        for p in right:
            lines.extend("  " + line for line in wrap_lines(p, inner))
    lines.append("─" * width)
    return lines


def resolve_width(given: Optional[int], stream: Any = None) -> int:
    """The table's width: ``--width`` if given; else, when ``stream`` (stdout)
    is a terminal, ``COLUMNS`` or the terminal's size; else 80 (piped: the
    reader's width is unknown). Never below :data:`MIN_WIDTH`."""
    import os
    import shutil

    if given:
        return max(given, MIN_WIDTH)
    try:
        tty = bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        tty = False
    if not tty:
        return DEFAULT_WIDTH
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    return max(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, MIN_WIDTH)
