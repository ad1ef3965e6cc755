"""Time: what lies ahead of a facility (``compliance timeline``) and what
changes between two dates or two ruleset versions (``compliance diff``).

Both evaluate the record with the engine -- never a second reading of the
rules: the timeline judges it at every date where some rule's status can
change (a rule issued or coming into effect, the day after a deadline, the
day after a measure ends) and lists each change of a finding's status
between one date and the next, with the rule date that caused it; the diff
judges it at the two dates (or with the two ruleset selections) and lists
the findings whose status differs, with both sides' messages and why.
``docs/workflow.md`` describes the outputs; :mod:`compliance.ical` writes
the iCalendar file.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ._output import escape
from .errors import UsageError

__all__ = ["timeline", "diff_dates", "diff_rulesets", "add_parsers", "cmd_timeline", "cmd_diff"]

DAY = dt.timedelta(days=1)
FKey = Tuple[str, str, str]  # rule, entity type, entity id

#: words of the event kinds (zh, en)
KINDS = {
    "in_force": ("规定施行", "rule comes into force"),
    "effective": ("要求生效", "requirement takes effect"),
    "deadline": ("期限届满（最后一天）", "deadline (last day)"),
    "ends": ("措施结束（最后一天）", "measure ends (last day in force)"),
    "change": ("状态变化", "status changes"),
}


def _load(path: str) -> Any:
    from ._yaml import load_document

    return load_document(path)


def _judge(ev: Any, doc: Any, when: Optional[dt.date], alert: Optional[str]) -> Tuple[Any, Dict[FKey, Any]]:
    """The record's report at ``when`` (None: its own date) and its findings by key."""
    from .api import _check_one

    rec = _check_one(ev, doc, when, alert, False)
    return rec, {(f.rule, f.entity_type, f.entity_id): f for f in rec.findings}


def _rules(ev: Any) -> Dict[str, Any]:
    return {r.id: r for rs in ev.rulesets for r in rs.rules}


def _change_dates(rules: Iterable[Any], start: dt.date, end: Optional[dt.date]) -> List[dt.date]:
    """Every date in (start, end] at which some rule's status can change."""
    dates = set()
    for r in rules:
        for d in (r.in_force_from, r.effective_from, r.deadline and r.deadline + DAY, r.until and r.until + DAY):
            if d is not None and d > start and (end is None or d <= end):
                dates.add(d)
    return sorted(dates)


def _cause(rule: Any, on: dt.date) -> Tuple[str, dt.date]:
    """Which of ``rule``'s dates makes its status change on ``on``, and the
    date to show (a deadline and an end: their last day)."""
    if rule is None:
        return "change", on
    if rule.deadline is not None and on == rule.deadline + DAY:
        return "deadline", rule.deadline
    if rule.until is not None and on == rule.until + DAY:
        return "ends", rule.until
    if rule.effective_from is not None and on == rule.effective_from:
        return "effective", on
    if on == rule.in_force_from:
        return "in_force", on
    return "change", on


def _finding_side(f: Any) -> Optional[Dict[str, Any]]:
    if f is None:
        return None
    out = {"status": f.status, "message": dict(f.message)}
    if f.observed is not None:
        out["observed"] = dict(f.observed)
    if f.limit is not None:
        out["limit"] = dict(f.limit)
    return out


def _event(key: FKey, before: Any, after: Any, rule: Any, kind: str, date: dt.date, changed_on: dt.date) -> Dict[str, Any]:
    f = after if after is not None else before
    src = dict(f.source)
    return {
        "date": date.isoformat(), "changes_on": changed_on.isoformat(), "kind": kind,
        "rule": key[0], "ruleset": f.ruleset, "entity": {"type": key[1], "id": key[2]},
        "title": dict(f.title), "from": before.status if before is not None else "not_applicable",
        "to": after.status if after is not None else "not_applicable",
        "message": dict(f.message), "effective_from": f.effective_from, "deadline": f.deadline,
        "until": rule.until.isoformat() if rule is not None and rule.until else None,
        "source": {k: src.get(k) for k in ("document", "clause", "text") if src.get(k) is not None},
    }


def timeline(ev: Any, path: str, *, start: Optional[dt.date] = None, until: Optional[dt.date] = None,
             alert: Optional[str] = None) -> Dict[str, Any]:
    """The facility's obligations ahead: every change of a finding's status
    after ``start`` (default: the record's date) through ``until`` (default:
    the last rule date), in date order, and the findings pending now."""
    doc = _load(path)
    rec, now = _judge(ev, doc, start, alert)
    first = dt.date.fromisoformat(rec.as_of)
    if until is not None and until < first:
        raise UsageError(f"--until {until} is before the record's date {first}")
    rules = _rules(ev)
    events: List[Dict[str, Any]] = []
    prev, prev_day = now, first
    for day in _change_dates(rules.values(), first, until):
        _, cur = _judge(ev, doc, day, alert)
        for key in sorted(set(prev) | set(cur)):
            a, b = prev.get(key), cur.get(key)
            if (a.status if a else None) == (b.status if b else None):
                continue
            rule = rules.get(key[0])
            kind, shown = _cause(rule, day)
            events.append(_event(key, a, b, rule, kind, shown, day))
        prev, prev_day = cur, day
    events.sort(key=lambda e: (e["date"], e["rule"], e["entity"]["type"], e["entity"]["id"]))
    pending = [{"rule": f.rule, "entity": {"type": f.entity_type, "id": f.entity_id},
                "effective_from": f.effective_from, "deadline": f.deadline, "message": dict(f.message)}
               for f in rec.findings if f.status == "pending"]
    return {"schema": "timeline/1", "source": rec.source, "facility": dict(rec.facility), "from": first.isoformat(),
            "until": until.isoformat() if until else None, "pending": pending, "events": events}


# ----------------------------------------------------------------------- diff


def _compare(a: Mapping[FKey, Any], b: Mapping[FKey, Any]) -> List[Tuple[FKey, Any, Any]]:
    out = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if (x.status if x else "not_applicable") != (y.status if y else "not_applicable"):
            out.append((key, x, y))
    return out


def _date_reasons(rule: Any, d1: dt.date, d2: dt.date) -> List[Dict[str, str]]:
    """The rule's dates that lie between the two dates (why it changed)."""
    if rule is None:
        return []
    lo, hi = min(d1, d2), max(d1, d2)
    out = []
    for name, d, shift in (("in_force_from", rule.in_force_from, 0), ("effective_from", rule.effective_from, 0),
                           ("deadline", rule.deadline, 1), ("until", rule.until, 1)):
        if name == "in_force_from" and d == rule.effective_from:
            continue  # in force because it takes effect: one reason
        if d is not None and lo < d + shift * DAY <= hi:
            out.append({"field": name, "date": d.isoformat()})
    return out


def diff_dates(ev: Any, path: str, d1: dt.date, d2: dt.date, alert: Optional[str] = None) -> Dict[str, Any]:
    """The findings whose status differs between ``d1`` and ``d2``."""
    doc = _load(path)
    rec, a = _judge(ev, doc, d1, alert)
    _, b = _judge(ev, doc, d2, alert)
    rules = _rules(ev)
    changes = []
    for key, x, y in _compare(a, b):
        reasons = _date_reasons(rules.get(key[0]), d1, d2)
        changes.append(_change(key, x, y, {"dates": reasons} if reasons else
                               {"dates": [], "note": {"zh": "规则日期之外：记录中与日期有关的事实（如设备年限）随日期变化",
                                                      "en": "no rule date between them: facts of the record that "
                                                            "depend on the date (an age, a period) changed"}}))
    return {"schema": "diff/1", "source": rec.source, "facility": dict(rec.facility),
            "from": {"as_of": d1.isoformat()}, "to": {"as_of": d2.isoformat()}, "changes": changes}


def _change(key: FKey, x: Any, y: Any, why: Dict[str, Any]) -> Dict[str, Any]:
    f = y if y is not None else x
    return {"rule": key[0], "ruleset": f.ruleset, "entity": {"type": key[1], "id": key[2]}, "title": dict(f.title),
            "from": _finding_side(x) or {"status": "not_applicable"}, "to": _finding_side(y) or {"status": "not_applicable"},
            "why": why}


def _rule_fields(rule: Any) -> Dict[str, Any]:
    """What a rule says, field by field: conditions in both languages."""
    both = lambda c: None if c is None else {"zh": c.describe("zh"), "en": c.describe("en")}  # noqa: E731
    return {"when": both(rule.when), "require": both(rule.require),
            "unless": both(rule.unless.condition) if rule.unless else None,
            **{k: getattr(rule, k).isoformat() if getattr(rule, k) else None
               for k in ("effective_from", "deadline", "until", "in_force_from")},
            "applies_to": rule.applies_to, "severity": rule.severity}


def diff_rulesets(ev1: Any, ev2: Any, path: str, as_of: Optional[dt.date], alert: Optional[str] = None) -> Dict[str, Any]:
    """The findings whose status differs between two ruleset selections (two versions)."""
    doc = _load(path)
    rec, a = _judge(ev1, doc, as_of, alert)
    _, b = _judge(ev2, doc, as_of, alert)
    r1, r2 = _rules(ev1), _rules(ev2)
    changes = []
    for key, x, y in _compare(a, b):
        old, new = r1.get(key[0]), r2.get(key[0])
        if old is None or new is None:
            why: Dict[str, Any] = {"rule": "added" if old is None else "removed"}
        else:
            f1, f2 = _rule_fields(old), _rule_fields(new)
            why = {"rule": "changed", "fields": [{"field": k, "from": f1[k], "to": f2[k]} for k in f1 if f1[k] != f2[k]]}
        changes.append(_change(key, x, y, why))
    refs = lambda ev: [{"id": r.id, "version": r.version} for r in ev.rulesets]  # noqa: E731
    return {"schema": "diff/1", "source": rec.source, "facility": dict(rec.facility),
            "from": {"as_of": rec.as_of, "rulesets": refs(ev1)}, "to": {"as_of": rec.as_of, "rulesets": refs(ev2)},
            "changes": changes}


# ------------------------------------------------------------------ rendering


def _entity(e: Mapping[str, str]) -> str:
    return f"{e['type']}[{e['id']}]"


def _status(status: str, lang: str) -> str:
    """A status in the report's language (zh names from the catalogue; en keeps the JSON key)."""
    from .i18n import status_name

    return status_name(status, lang) if lang == "zh" else status


#: the rule dates a diff names as its reason, in Chinese
_DATE_WORDS_ZH = {"in_force_from": "发布（施行）日期", "effective_from": "起始日期", "deadline": "期限", "until": "终止日期"}


def render_timeline(data: Mapping[str, Any], lang: str = "en") -> str:
    """The timeline as text: per event a line with the date, the kind and the
    status change, then the entity and rule id (never split) and the title."""
    zh = lang == "zh"
    fac = data["facility"]
    head = (f"{data['source']}: {fac.get('id')} {fac.get('name') or ''} — "
            + (f"自 {data['from']} 起的义务" if zh else f"obligations after {data['from']}")
            + (f"（至 {data['until']}）" if zh and data["until"] else f" (until {data['until']})" if data["until"] else ""))
    out = [escape(head.rstrip())]
    for e in data["events"]:
        out.append("")
        out.append(escape(f"{e['date']}  {KINDS[e['kind']][0 if zh else 1]}: {_status(e['from'], lang)} → {_status(e['to'], lang)}"))
        out.append(escape(f"            {_entity(e['entity'])}  {e['rule']}"))
        out.append(escape(f"            {e['title'].get(lang, '')}"))
    if not data["events"]:
        out.append("  （无）" if zh else "  (nothing ahead)")
    out.append("")
    out.append((f"{len(data['events'])} 项变化，当前未到期 {len(data['pending'])} 项" if zh
                else f"{len(data['events'])} changes ahead, {len(data['pending'])} findings pending now"))
    return "\n".join(out) + "\n"


def render_diff(data: Mapping[str, Any], lang: str = "en") -> str:
    zh = lang == "zh"
    a, b = data["from"], data["to"]
    label = lambda side: side["as_of"] + ("" if "rulesets" not in side else " " + ", ".join(  # noqa: E731
        f"{r['id']}@{r['version']}" for r in side["rulesets"]))
    out = [escape(f"{data['source']}: {data['facility'].get('id')} — {label(a)} → {label(b)}")]
    for c in data["changes"]:
        out.append("")
        out.append(escape(f"{_entity(c['entity'])} {c['rule']}: {_status(c['from']['status'], lang)} → {_status(c['to']['status'], lang)}"))
        for side, word in (("from", "前" if zh else "before"), ("to", "后" if zh else "after")):
            msg = c[side].get("message")
            if msg:
                out.append(escape(f"  {word}: {msg.get(lang, '')}"))
        why = c["why"]
        for d in why.get("dates", ()):
            out.append(escape(f"  {'原因' if zh else 'why'}: {_DATE_WORDS_ZH.get(d['field'], d['field']) if zh else d['field']} {d['date']}"))
        if "note" in why:
            out.append(escape(f"  {'原因' if zh else 'why'}: {why['note'][lang]}"))
        if why.get("rule") in ("added", "removed"):
            out.append(escape(f"  {'原因' if zh else 'why'}: " + (("规则新增" if why["rule"] == "added" else "规则删除") if zh
                                                              else f"the rule was {why['rule']}")))
        for fld in why.get("fields", ()):
            shown = [v.get(lang) if isinstance(v, dict) else v for v in (fld["from"], fld["to"])]
            out.append(escape(f"  {'原因' if zh else 'why'}: {fld['field']}: {shown[0]} → {shown[1]}"))
    out.append("")
    out.append(f"{len(data['changes'])} 项结论状态变化" if zh else f"{len(data['changes'])} findings change status")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------ CLI


def add_parsers(sub: Any, common: Any, date: Any) -> None:
    """``timeline`` and ``diff`` subcommands (cli.py calls this)."""
    t = sub.add_parser("timeline", help="obligations ahead of a facility: deadlines, rules coming into force, ends")
    t.add_argument("file", metavar="FILE", help="a facility record")
    t.add_argument("--from", dest="start", type=date, metavar="DATE", help="start (default: the record's as_of)")
    t.add_argument("--until", type=date, metavar="DATE", help="last date (default: the last rule date)")
    t.add_argument("--alert", choices=("none", "yellow", "orange", "red"), help="alert level in force")
    t.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    common(t, fmt=("table", "json", "ics"))

    d = sub.add_parser("diff", help="findings whose status changes between two dates or two ruleset versions")
    d.add_argument("file", metavar="FILE", help="a facility record")
    d.add_argument("--from", dest="start", type=date, metavar="DATE", help="first date")
    d.add_argument("--to", dest="end", type=date, metavar="DATE", help="second date")
    d.add_argument("--ruleset-from", action="append", metavar="ID_OR_PATH", help="the first ruleset selection")
    d.add_argument("--ruleset-to", action="append", metavar="ID_OR_PATH", help="the second ruleset selection")
    d.add_argument("--as-of", type=date, metavar="DATE", help="the date of a ruleset diff (default: the record's)")
    d.add_argument("--alert", choices=("none", "yellow", "orange", "red"), help="alert level in force")
    common(d)


def _write(args: Any, out: Any, text: str) -> None:
    if getattr(args, "output", None):
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        out.write(text)


def cmd_timeline(args: Any, out: Any) -> int:
    from .api import evaluator

    if args.start and args.until and args.until < args.start:
        raise UsageError(f"--until {args.until} is before --from {args.start}")
    ev = evaluator(args.ruleset)
    data = timeline(ev, args.file, start=args.start, until=args.until, alert=args.alert)
    if args.format == "json":
        _write(args, out, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif args.format == "ics":
        from .ical import calendar

        _write(args, out, calendar(data, args.lang))
    else:
        _write(args, out, render_timeline(data, args.lang))
    return 0


def cmd_diff(args: Any, out: Any) -> int:
    from .api import evaluator

    by_date = args.start is not None or args.end is not None
    by_rules = args.ruleset_from is not None or args.ruleset_to is not None
    if by_date == by_rules:
        raise UsageError("diff: give either --from DATE --to DATE, or --ruleset-from A --ruleset-to B")
    if by_date:
        if args.start is None or args.end is None:
            raise UsageError("diff: --from and --to go together")
        if args.as_of:
            raise UsageError("diff: --as-of is for a ruleset diff; a date diff has --from and --to")
        data = diff_dates(evaluator(args.ruleset), args.file, args.start, args.end, args.alert)
    else:
        if args.ruleset_from is None or args.ruleset_to is None:
            raise UsageError("diff: --ruleset-from and --ruleset-to go together")
        if args.ruleset:
            raise UsageError("diff: --ruleset does not apply to a ruleset diff; use --ruleset-from and --ruleset-to")
        data = diff_rulesets(evaluator(args.ruleset_from), evaluator(args.ruleset_to), args.file, args.as_of, args.alert)
    if args.format == "json":
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(render_diff(data, args.lang))
    return 0
