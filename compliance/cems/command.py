"""``compliance cems FILE``: one CEMS export's validity, rates and, with
``--record``, the verdicts of the rules on the stack and boiler it feeds.

Kept light at import (the CLI's start-up): numpy and the rest load when the
command runs.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List

from ..errors import UsageError

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    c = sub.add_parser("cems", help="judge a stack from its CEMS export (CSV or HJ 212 messages)")
    c.add_argument("file", metavar="FILE", help="the export: .csv (or .csv.gz) or HJ 212-2017 messages")
    c.add_argument("--input-format", choices=("csv", "hj212"), help="the export's format (default: by its name)")
    c.add_argument("--record", metavar="R", help="facility record whose stack references FILE (stacks[].cems): "
                   "its rules give the limits and reference oxygen")
    c.add_argument("--stack", metavar="ID", help="the stack of --record that FILE belongs to (default: the one "
                   "whose cems.export is FILE)")
    c.add_argument("--plot", metavar="OUT", help="write the corrected hourly series against its limit "
                   "(.svg or .png; one file per pollutant, OUT-<pollutant>.svg; needs --record and the plot extra)")
    c.add_argument("--format", choices=("table", "json"), default="table")
    c.add_argument("--lang", choices=("en", "zh"), default="en")


def _summary(series) -> Dict[str, Any]:
    from .stage import _stack_details

    return _stack_details(series)


def run(args, out) -> int:
    from .plot import available
    from .stage import resolve, series_for

    if args.plot and not args.record:
        raise UsageError("--plot needs --record: the limit and the reference oxygen come from the record's rules")
    if args.plot and not available():
        raise UsageError("--plot needs matplotlib: pip install 'compliance[plot]'")
    if not os.path.exists(args.file):
        raise UsageError(f"{args.file}: no such file")
    from ..errors import InputError
    from .read import read_export
    from .validity import analyse

    export = read_export(args.file, args.input_format)
    if export.problems:  # the good lines are still analysed and shown, then every bad line: exit 2
        if export.rows:
            out.write(_table({"export": _summary(analyse(export)), "findings": []}, None, args.lang)
                      if args.format == "table" else json.dumps({"export": _summary(analyse(export))},
                                                                 ensure_ascii=False, indent=1) + "\n")
        raise InputError(export.problems)
    series = series_for(args.file, args.input_format)
    result: Dict[str, Any] = {"export": _summary(series), "findings": []}
    code = 0
    if args.record:
        from ..api import check
        from ..record import load_record

        rec = load_record(args.record)
        stacks = [e for e in rec.entities if e.section == "stacks" and isinstance(e.fields.get("cems"), dict)]
        target = os.path.realpath(args.file)
        chosen = [s for s in stacks if (args.stack is not None and str(s.id) == args.stack) or (
            args.stack is None and isinstance(s.fields["cems"].get("export"), str)
            and os.path.realpath(resolve(args.record, s.fields["cems"]["export"])) == target)]
        if not chosen:
            raise UsageError(f"{args.record}: no stack " + (f"{args.stack!r} with a CEMS export" if args.stack
                             else f"whose cems.export is {args.file}"))
        stack = chosen[0]
        boiler = stack.fields["cems"].get("boiler")
        report = check(args.record)
        mine = [f for f in report.records[0].findings if f.details is not None and (
            (f.entity_type == "stacks" and f.entity_id == str(stack.id))
            or (f.entity_type == "boilers" and boiler is not None and f.entity_id == str(boiler)))]
        result["findings"] = [f.to_dict() for f in mine]
        code = 1 if any(f.status == "violation" for f in mine) else 0
        if args.plot:
            result["figures"] = _plots(args.plot, series, mine, str(stack.id))
    if args.format == "json":
        out.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    else:
        out.write(_table(result, None, args.lang))
    return code


def _plots(base: str, series, findings, stack: str) -> List[str]:
    from .plot import plot
    from .verdict import judge

    root, ext = os.path.splitext(base)
    if os.path.dirname(base):
        os.makedirs(os.path.dirname(base), exist_ok=True)
    paths = []
    for f in findings:
        d = f.details
        if "reference_o2" not in d:
            continue
        name = d["cems"]["pollutant"]
        j = judge(series, name, d["limit"], d["operator"], d["reference_o2"])
        path = f"{root}-{name}{ext or '.svg'}"
        plot(j, path)
        paths.append(path)
    return paths


def _pct(x) -> str:
    return "—" if x is None else f"{100 * x:.2f} %"


def _table(result: Dict[str, Any], rate, lang: str) -> str:
    zh = lang == "zh"
    e = result["export"]
    lines = [f"{e['cems']['export']} ({e['cems']['format']}, {e['cems']['rows']} "
             + ("行" if zh else "rows") + f"; {e['cems']['period']['from']} – {e['cems']['period']['to']})",
             ("数据传输有效率（最低污染物）: " if zh else "data transmission effective rate (lowest pollutant): ")
             + (e.get("data_transmission_effective_rate") or "—")]
    for name, p in e["pollutants"].items():
        lines.append(f"  {name}: " + (f"应有 {p['expected_hours']} h，传输 {p['transmitted_hours']} h，有效 {p['valid_hours']} h；"
                                      f"传输率 {_pct(p['transmission_rate'])}，有效率 {_pct(p['validity_rate'])}，"
                                      f"传输有效率 {_pct(p['effective_rate'])}" if zh else
                                      f"expected {p['expected_hours']} h, transmitted {p['transmitted_hours']} h, "
                                      f"valid {p['valid_hours']} h; transmission {_pct(p['transmission_rate'])}, "
                                      f"validity {_pct(p['validity_rate'])}, effective {_pct(p['effective_rate'])}"))
    for f in result["findings"]:
        d = f["details"]
        head = f"{f['status'].upper() if f['status'] == 'violation' else f['status']}  {f['entity']['type']}[{f['entity']['id']}]  {f['rule']}"
        lines.append(head)
        lines.append("  " + f["message"]["zh" if zh else "en"])
        lines.append(f"  {f['source'].get('clause', '')}")
        if "exceedance_hours" in d:
            ex = d["exceedance_hours"]
            w = d["worst_hour"]
            lines.append(("  超标小时: " if zh else "  exceedance hours: ") + f"{ex['total']}"
                         + "".join(f"; {m}: {n}" for m, n in ex["per_month"].items()))
            if ex["per_day"]:
                lines.append(("  每日: " if zh else "  per day: ") + ", ".join(f"{k} {v}" for k, v in ex["per_day"].items()))
            if w:
                lines.append(("  最高小时: " if zh else "  worst hour: ")
                             + f"{w['hour']} {w['corrected']:g} mg/m³ ({w['measured']:g} @ {w['o2']:g} % O2)")
            h = d["hours"]
            lines.append(("  有效小时: " if zh else "  valid hours: ")
                         + f"{h['valid']}/{h['expected']}; " + ("无效比例 " if zh else "invalid share ")
                         + _pct(h["invalid_share"]) + "; " + ("标记数据比例 " if zh else "flagged minutes ")
                         + _pct(d["minutes"]["flagged_share"]))
    for path in result.get("figures", []):
        lines.append(("图: " if zh else "figure: ") + path)
    return "\n".join(lines) + "\n"
