"""``compliance`` command line: check, rules, explain, test.

Exit status (as Conftest/OPA): 0 no violation, 1 a violation (or a failing
rule test), 2 a usage or input error (with file:line:col and field, never a
traceback), 3 an internal or engine failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import List, Optional, Sequence

from . import __version__
from .errors import ComplianceError, EngineError, InputError, UsageError

__all__ = ["main"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad date {text!r}; expected YYYY-MM-DD") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: status 2, one clear line
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="compliance", description="Check facilities against Chinese air-pollution regulations.")
    p.add_argument("--version", action="version", version=f"compliance {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(sp, fmt=("table", "json")):
        sp.add_argument("--ruleset", action="append", metavar="ID_OR_PATH",
                        help="bundled ruleset id, ruleset file or folder (repeatable; default: all bundled)")
        sp.add_argument("--format", choices=fmt, default=fmt[0])
        sp.add_argument("--lang", choices=("en", "zh"), default="en")

    c = sub.add_parser("check", help="check facility records")
    c.add_argument("files", nargs="+", metavar="FILE")
    c.add_argument("--as-of", type=_date, metavar="DATE", help="judge at this date (overrides context.as_of)")
    c.add_argument("--alert", choices=("none", "yellow", "orange", "red"), help="alert level in force")
    c.add_argument("--show-all", action="store_true", help="also list not_applicable findings")
    c.add_argument("--engine", choices=("auto", "kernel", "direct", "durable"), default=None,
                   help="auto (the generated kernel), kernel, direct (the interpreter) or durable (durable_rules)")
    common(c, fmt=("table", "json", "jsonl"))

    r = sub.add_parser("rules", help="list the rules in force")
    r.add_argument("--region", metavar="CODE", help="only rules applying in this region (code or name)")
    r.add_argument("--at", type=_date, metavar="DATE", help="only rules in force at this date")
    common(r)

    e = sub.add_parser("explain", help="show a rule: limit, dates, citation, quoted text")
    e.add_argument("rule", metavar="RULE_ID")
    common(e, fmt=("text", "json"))

    v = sub.add_parser("validate", help="check records and rulesets without evaluating")
    v.add_argument("files", nargs="+", metavar="FILE", help="facility records, ruleset files or folders")

    k = sub.add_parser("kernel", help="print the Python generated from the rules (one function per entity kind)")
    k.add_argument("--dump", action="store_true", help="print the generated source (the default)")
    k.add_argument("--section", action="append", metavar="KIND", help="only this entity kind (repeatable)")
    k.add_argument("--ruleset", action="append", metavar="ID_OR_PATH",
                   help="bundled ruleset id, ruleset file or folder (repeatable; default: all bundled)")
    k.add_argument("--columnar", action="store_true",
                   help="instead: which rules the columnar path (ledgers) judges over columns, which fall back")

    t = sub.add_parser("test", help="run the test cases embedded in rulesets")
    t.add_argument("selection", nargs="*", metavar="RULESET", help="ruleset ids or files (default: all bundled)")
    t.add_argument("--engine", choices=("auto", "kernel", "direct", "durable"), default=None)
    t.add_argument("-v", "--verbose", action="store_true", help="list every case")
    return p


def _cmd_check(args, out) -> int:
    """Streams: each record's report is written as soon as it is checked
    (one write per record), so memory stays flat over any number of files."""
    from .api import Failure, iter_check, evaluator, _ruleset_refs
    from .report import Report, StreamWriter, render_table

    ev = evaluator(args.ruleset, args.engine)
    results = iter_check(args.files, as_of=args.as_of, alert=args.alert, rulesets=ev.rulesets,
                         engine=args.engine, show_all=args.show_all)
    refs = _ruleset_refs(ev.rulesets)
    if args.format in ("json", "jsonl"):
        as_of = args.as_of.isoformat() if args.as_of else None
        writer = StreamWriter(out, args.format, refs, as_of, known_as_of=bool(args.as_of) or len(args.files) == 1)
        for item in results:
            if isinstance(item, Failure):
                writer.failure(item.source, item.problems)
            else:
                if as_of is None and len(args.files) == 1:
                    writer.as_of = item.as_of  # one record: the document's date is its date
                writer.record(item)
        writer.close()
        errors, violations = writer.errors, writer.violations
    else:
        errors, violations, first = [], False, True
        for item in results:
            if isinstance(item, Failure):
                errors.extend(item.problems)
                continue
            text = render_table(Report(item.as_of, refs, (item,), (), ev.engine), lang=args.lang)
            out.write(text if first else "\n" + text)
            first = False
            violations = violations or item.has_violations
    for problem in errors:
        print(f"compliance: {problem}", file=sys.stderr)
    return 2 if errors else 1 if violations else 0


def _describe(cond, lang):
    return cond.describe(lang) if cond is not None else ("（全部）" if lang == "zh" else "(every entity)")


def _rule_dict(rule, lang="en"):
    return {
        "id": rule.id,
        "ruleset": rule.ruleset,
        "title": rule.title.to_dict(),
        "applies_to": rule.applies_to,
        "when": _describe(rule.when, lang),
        "require": rule.require.describe(lang),
        "unless": rule.unless.name.to_dict() if rule.unless else None,
        "effective_from": rule.effective_from.isoformat() if rule.effective_from else None,
        "deadline": rule.deadline.isoformat() if rule.deadline else None,
        "until": rule.until.isoformat() if rule.until else None,
        "in_force_from": rule.in_force_from.isoformat(),
        "severity": rule.severity,
        "source": rule.cite.to_dict(),
        "note": rule.note,
        "tests": len(rule.tests),
        "defined_in": f"{rule.file}:{rule.line}",
    }


def _cmd_rules(args, out) -> int:
    from tabulate import tabulate

    from .api import load_rulesets
    from .vocabulary import vocabulary

    rulesets = load_rulesets(args.ruleset)
    region = None
    if args.region:
        r = vocabulary().region(args.region)
        if r is None:
            raise UsageError(f"unknown region {args.region!r}")
        region = r.code
    rows = []
    for rs in rulesets:
        if region and not rs.applies_to_region(region):
            continue
        for rule in rs.rules:
            if args.at and not (rule.in_force(args.at) and (rule.effective_from is None or rule.effective_from <= args.at)):
                continue
            rows.append(rule)
    if args.format == "json":
        out.write(json.dumps([_rule_dict(r, args.lang) for r in rows], ensure_ascii=False, indent=2) + "\n")
        return 0
    table = [[r.id, r.applies_to, r.effective_from or "", r.deadline or "", r.cite.clause] for r in rows]
    headers = ["rule", "applies to", "from", "deadline", "clause"]
    out.write(tabulate(table, headers=headers, tablefmt="simple") + "\n")
    out.write(f"{len(rows)} rules\n")
    standards = [rs for rs in rulesets if rs.parameters and (not region or rs.applies_to_region(region))
                 and (not args.at or rs.issued <= args.at)]
    for rs in standards:
        out.write(f"standard {rs.id} ({rs.title.get(args.lang)}): {len(rs.parameters)} limit parameters used by the rules\n")
    return 0


def _cmd_explain(args, out) -> int:
    from .api import load_rulesets
    from .record import suggest

    rulesets = load_rulesets(args.ruleset)
    rules = {r.id: (rs, r) for rs in rulesets for r in rs.rules}
    if args.rule not in rules:
        raise UsageError(f"no rule {args.rule!r}{suggest(args.rule, rules)}")
    rs, rule = rules[args.rule]
    d = _rule_dict(rule, args.lang)
    if args.format == "json":
        out.write(json.dumps(d, ensure_ascii=False, indent=2) + "\n")
        return 0
    lang = args.lang
    lines = [
        f"{rule.id}",
        f"  {rule.title.zh} / {rule.title.en}",
        f"  ruleset:      {rs.id} ({rs.title.get(lang)}), jurisdiction {rs.jurisdiction}",
        f"  applies to:   {rule.applies_to}",
        f"  when:         {d['when']}",
        f"  requires:     {d['require']}",
    ]
    if rule.unless:
        lines.append(f"  exempt if:    {rule.unless.condition.describe(lang)} — {rule.unless.name.get(lang)}")
    lines += [
        f"  in force:     from {d['in_force_from']}" + (f" until {d['until']}" if d["until"] else ""),
        f"  effective:    {d['effective_from'] or '-'}    deadline: {d['deadline'] or '-'}",
        f"  severity:     {rule.severity}",
        f"  source:       {rule.cite.document} {rule.cite.clause}",
        f"  text:         “{rule.cite.text}”",
    ]
    params = _params(rule)
    for p in params:
        lines.append(f"  limit source: {p}")
    if rule.note:
        lines.append(f"  note:         {rule.note}")
    lines.append(f"  tests:        {len(rule.tests)} embedded cases ({rule.file}:{rule.line})")
    out.write("\n".join(lines) + "\n")
    return 0


def _params(rule) -> List[str]:
    out = []
    for cond in (rule.when, rule.require):
        stack = [cond] if cond is not None else []
        while stack:
            c = stack.pop()
            limit = getattr(c, "limit", None)
            if limit is not None and limit.source:
                s = limit.source
                out.append(f"{s.get('parameter')} = {limit.shown} {limit.unit} ({s.get('document')} {s.get('clause')})")
            stack.extend(getattr(c, "children", ()) or ())
            if getattr(c, "child", None) is not None:
                stack.append(c.child)
    return out


def _cmd_test(args, out) -> int:
    from .api import evaluator, load_rulesets
    from .testing import run_cases

    rulesets = load_rulesets(args.selection or None)
    failed = 0
    total = 0
    rules_run = 0
    for rs in rulesets:
        ev = evaluator([rs], args.engine)
        results = run_cases([rs], ev)
        by_rule: dict = {}
        for res in results:
            by_rule.setdefault(res.rule.id, []).append(res)
        out.write(f"{rs.id} ({len(rs.rules)} rules, engine {ev.engine})\n")
        for rule in rs.rules:
            res = by_rule.get(rule.id, [])
            bad = [r for r in res if not r.ok]
            total += len(res)
            failed += len(bad)
            rules_run += 1
            mark = "ok  " if not bad else "FAIL"
            if not res:
                mark = "----"
            out.write(f"  {mark} {rule.id}: {len(res) - len(bad)}/{len(res)} cases\n")
            for r in res if args.verbose else bad:
                status = "ok" if r.ok else "FAIL"
                detail = r.error or r.message
                out.write(f"       {status} {rule.file}:{r.case.line}: expected {r.case.expect}, got {r.got}"
                          + (f" — {detail}" if detail and not r.ok else "") + "\n")
    out.write(f"{total - failed} passed, {failed} failed ({rules_run} rules)\n")
    return 1 if failed else 0


def _cmd_kernel(args, out) -> int:
    from .api import evaluator
    from .kernel import KernelProgram
    from .record import suggest

    ev = evaluator(args.ruleset, "kernel")
    kernels: KernelProgram = ev.matcher.kernels
    sections = kernels.sections()
    for name in args.section or ():
        if name not in sections:
            raise UsageError(f"no rule applies to {name!r}{suggest(name, sections)}; kinds with rules: {', '.join(sections)}")
    if args.columnar:
        from .columnar import columnar_program

        out.write("\n".join(columnar_program(ev).describe(args.section or sections)) + "\n")
        return 0
    for name in args.section or sections:
        out.write(f"# ---- {name}: {len(ev.program.by_section[name])} rules\n")
        out.write(kernels.source(name, constants=True) + "\n")
    return 0


def _cmd_validate(args, out) -> int:
    from .validate import validate_paths

    problems = validate_paths(args.files)
    for p in problems:
        out.write(f"{p}\n")
    counts = {level: sum(1 for p in problems if p.level == level) for level in ("error", "warning", "info")}
    out.write(f"{len(args.files)} inputs: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes\n")
    if counts["error"]:
        return 2
    return 1 if counts["warning"] else 0


def main(argv: Optional[Sequence[str]] = None, out=None) -> int:
    """Entry point; returns the exit status (the console script exits with it)."""
    out = out or sys.stdout
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help(out)
            return 2
        handler = {"check": _cmd_check, "rules": _cmd_rules, "explain": _cmd_explain, "test": _cmd_test,
                   "validate": _cmd_validate, "kernel": _cmd_kernel}[args.command]
        return handler(args, out)
    except InputError as exc:
        for problem in exc.problems:
            print(f"compliance: {problem}", file=sys.stderr)
        return 2
    except EngineError as exc:
        print(f"compliance: engine failure, no result: {exc}", file=sys.stderr)
        return exc.exit_code
    except ComplianceError as exc:
        print(f"compliance: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: say so briefly; COMPLIANCE_DEBUG=1 shows the traceback
        if os.environ.get("COMPLIANCE_DEBUG"):
            raise
        print(f"compliance: internal error ({type(exc).__name__}: {exc}); "
              "rerun with COMPLIANCE_DEBUG=1 and report it", file=sys.stderr)
        return 3


def run() -> None:  # pragma: no cover
    sys.exit(main())
