"""``compliance`` command line: check, rules, explain, test.

Exit status (as Conftest/OPA): 0 no violation, 1 a violation (or a failing
rule test), 2 a usage or input error (with file:line:col and field, never a
traceback), 3 an internal or engine failure (of one record in a batch: the
others are still reported) or a failed write, 141 when the reader closed
the pipe (as a shell reports SIGPIPE: the report was not delivered).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import List, Optional, Sequence

from . import __version__
from ._output import OutputError, SafeOut, discard_stdout, escape, setup_stdout
from .errors import ComplianceError, EngineError, InputError, UsageError
from .formats import FORMATS as VIEW_FORMATS
from .formats.policy import FAIL_ON_CHOICES, SEVERITY_ORDER, fail_statuses, fails

__all__ = ["main"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad date {text!r}; expected YYYY-MM-DD") from None


def _width_arg(text: str) -> int:
    if not text.isdigit() or int(text) < 40:
        raise argparse.ArgumentTypeError(f"bad width {text!r}; expected a number of columns, at least 40")
    return int(text)


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"bad number of jobs {text!r}; expected 1, 2, ... or 0 for one per core")
    if n == 0:
        from .parallel import cpu_count

        return cpu_count()
    return n


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: status 2, one clear line
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _batch_options(sp) -> None:
    """Inputs of a batch (compliance.sources): standard input's format, a ledger's column mapping."""
    sp.add_argument("--stdin-format", choices=("yaml", "jsonl"), default="yaml",
                    help="what - reads: one YAML or JSON record (default) or JSON Lines")
    sp.add_argument("--mapping", metavar="FILE", help="column mapping for .csv/.xlsx ledgers")


def _items(args):
    """The record items of the batch, lazily (compliance.sources.expand)."""
    from .sources import LEDGER_SUFFIXES, expand

    if args.mapping and not any(os.path.splitext(f)[1].lower() in LEDGER_SUFFIXES for f in args.files):
        raise UsageError("--mapping applies to .csv and .xlsx ledgers, and none is given")
    return expand(args.files, stdin_format=args.stdin_format, mapping=args.mapping,
                  columnar=not getattr(args, "no_columnar", True))  # check only: validate reads records


def _one_record(args) -> bool:
    """Whether the inputs are one record (a plain file, or - as YAML): its date is the report's."""
    from .sources import LEDGER_SUFFIXES

    if len(args.files) != 1:
        return False
    f = args.files[0]
    if f == "-":
        return args.stdin_format == "yaml"
    return not os.path.isdir(f) and os.path.splitext(f)[1].lower() not in LEDGER_SUFFIXES + (".jsonl",)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="compliance", description="Check facilities against Chinese air-pollution regulations.")
    p.add_argument("--version", action="version", version=f"compliance {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(sp, fmt=("table", "json")):
        sp.add_argument("--ruleset", action="append", metavar="ID_OR_PATH",
                        help="bundled ruleset id, ruleset file or folder (repeatable; default: all bundled)")
        sp.add_argument("--format", choices=fmt, default=fmt[0])
        sp.add_argument("--lang", choices=("en", "zh"), default=None,
                        help="language of the text (default: COMPLIANCE_LANG, else the locale: zh_* is zh, else en)")
        sp.add_argument("--width", type=_width_arg, metavar="N",
                        help="text width in columns (default: the terminal's; 80 when not a terminal)")

    c = sub.add_parser("check", help="check facility records")
    c.add_argument("files", nargs="+", metavar="FILE",
                   help="records (.yaml, .yml, .json), folders of them, JSON Lines (.jsonl), ledgers (.csv, .xlsx), - (stdin)")
    c.add_argument("--as-of", type=_date, metavar="DATE", help="judge at this date (overrides context.as_of)")
    c.add_argument("--alert", choices=("none", "yellow", "orange", "red"), help="alert level in force")
    c.add_argument("--show-all", action="store_true", help="also list not_applicable findings")
    c.add_argument("--no-columnar", action="store_true",
                   help="judge .csv/.xlsx ledgers record by record (the row path), not over columns; "
                        "same output (COMPLIANCE_NO_COLUMNAR=1 does the same)")
    c.add_argument("--engine", choices=("auto", "kernel", "direct", "durable"), default=None,
                   help="auto (the generated kernel), kernel, direct (the interpreter) or durable (durable_rules)")
    common(c, fmt=("table", "json", "jsonl", "csv", "parquet", "xlsx") + VIEW_FORMATS)
    c.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="violation", metavar="STATUS",
                   help="exit 1 if a finding has this status or a more serious one (default: violation; "
                        f"one of {', '.join(FAIL_ON_CHOICES)}; docs/formats.md)")
    c.add_argument("--min-severity", choices=SEVERITY_ORDER, default=None,
                   help="show (and fail on) only findings of rules of this severity or higher")
    _batch_options(c)
    c.add_argument("-o", "--output", metavar="FILE", help="write the output to FILE (required for parquet and xlsx)")
    c.add_argument("--summary", action="store_true",
                   help="after the batch, print counts by status and by rule and the inputs that failed to stderr")
    c.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar on stderr (default: only when stderr is a terminal and CI is not set)")
    c.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                   help="check in N worker processes (0: one per core); the output is the same as with one")
    c.add_argument("--figures", metavar="DIR", help="write the plots of CEMS series (docs/cems.md) to DIR "
                   "and list them in each finding's figures (needs the plot extra)")
    c.add_argument("--dask", metavar="local|tcp://HOST:PORT",
                   help="check on Dask: a local cluster of --jobs workers, or the scheduler at this address "
                        "(needs the scale extra; docs/scale.md)")
    c.add_argument("--waivers", metavar="FILE", help="approved deviations with expiry (docs/workflow.md)")
    c.add_argument("--baseline", metavar="FILE", help="report only findings not in this baseline")
    c.add_argument("--create-baseline", metavar="FILE", help="write the findings' keys as a baseline to FILE")
    from .timeline import add_parsers  # timeline, diff (compliance.timeline)

    add_parsers(sub, common, _date)

    r = sub.add_parser("rules", help="list the rules in force")
    r.add_argument("--region", metavar="CODE", help="only rules applying in this region (code or name)")
    r.add_argument("--at", type=_date, metavar="DATE", help="only rules in force at this date")
    common(r)

    e = sub.add_parser("explain", help="show a rule: limit, dates, citation, quoted text")
    e.add_argument("rule", metavar="RULE_ID")
    common(e, fmt=("text", "json"))

    v = sub.add_parser("validate", help="check records and rulesets without evaluating")
    v.add_argument("files", nargs="+", metavar="FILE", help="facility records, ruleset files or folders")
    _batch_options(v)
    lg = sub.add_parser("ledger", help="spreadsheet ledgers (台账): write an empty template workbook")
    lsub = lg.add_subparsers(dest="ledger_command", metavar="ACTION", parser_class=_Parser)
    lsub.required = True
    lt = lsub.add_parser("template", help="an empty workbook: a facility sheet and one sheet per KIND")
    lt.add_argument("kinds", nargs="+", metavar="KIND", help="boilers, coatings, 锅炉 … or all")
    lt.add_argument("-o", "--output", metavar="FILE", default="ledger-template.xlsx")
    lt.add_argument("--mapping", metavar="FILE", help="ledger mapping (default: the bundled one)")
    lt.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    k = sub.add_parser("kernel", help="print the Python generated from the rules (one function per entity kind)")
    k.add_argument("--dump", action="store_true", help="print the generated source (the default)")
    k.add_argument("--section", action="append", metavar="KIND", help="only this entity kind (repeatable)")
    k.add_argument("--ruleset", action="append", metavar="ID_OR_PATH",
                   help="bundled ruleset id, ruleset file or folder (repeatable; default: all bundled)")
    k.add_argument("--columnar", action="store_true",
                   help="instead: which rules the columnar path (ledgers) judges over columns, which fall back")

    from .cems.command import add_parser as cems_parser

    cems_parser(sub)
    t = sub.add_parser("test", help="run the test cases embedded in rulesets")
    t.add_argument("selection", nargs="*", metavar="RULESET", help="ruleset ids or files (default: all bundled)")
    t.add_argument("--engine", choices=("auto", "kernel", "direct", "durable"), default=None)
    t.add_argument("-v", "--verbose", action="store_true", help="list every case")
    sc = sub.add_parser("schema", help="the JSON Schema of records or rulesets (editor support), or the record format as Markdown")
    sc.add_argument("kind", choices=("record", "ruleset"))
    sc.add_argument("--format", choices=("json", "markdown"), default="json", help="markdown: the record format's documentation")
    sc.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    fl = sub.add_parser("fields", help="the fields of the record format: meaning, type, unit, allowed values, example")
    fl.add_argument("kind", nargs="?", metavar="KIND", help="an entity kind (boilers, coatings ...) or context; default: list the kinds")
    fl.add_argument("--lang", choices=("en", "zh"), default=None, help="language of the text (default: the locale)")
    for sp in (t, v):
        sp.add_argument("--lang", choices=("en", "zh"), default=None, help="language of the text (default: the locale)")
    return p


def _cmd_check(args, out) -> int:
    """Streams: each record's report is written as soon as it is checked
    (one write per record), so memory stays flat over any number of inputs.
    A record whose report cannot be rendered (a bug) is a failure of that
    record alone (``api.internal_failure``); a failed write ends the run."""
    from .api import _options, internal_failure, evaluator, _ruleset_refs
    from .writers import Output, Rendered, Summary, open_writer, progress, progress_wanted
    from . import parallel

    if args.output and os.path.exists(args.output) and any(
            f != "-" and os.path.exists(f) and os.path.samefile(f, args.output) for f in args.files):
        raise UsageError(f"-o {args.output} is one of the inputs; it would be overwritten")
    _options(args.as_of, args.alert, args.engine, args.show_all)
    if args.figures:  # read by compliance.cems.stage, here and in worker processes
        from .cems.plot import available

        if not available():
            raise UsageError("--figures needs matplotlib: pip install 'compliance[plot]'")
        os.environ["COMPLIANCE_FIGURES"] = args.figures
    ev = evaluator(args.ruleset, args.engine)
    refs = _ruleset_refs(ev.rulesets)
    from .workflow import cli_post

    post, spec = cli_post(args, refs, ev, _say)  # waivers and baseline: loaded (and refused) before any output
    opts = parallel.options(rulesets=args.ruleset, engine=args.engine,
                            as_of=args.as_of.isoformat() if args.as_of else None, alert=args.alert,
                            show_all=args.show_all, fmt=args.format, lang=args.lang, refs=refs,
                            engine_name=ev.engine, summary=args.summary, post=spec, min_severity=args.min_severity,
                            fail_on=fail_statuses(args.fail_on), width=args.width)
    if args.dask:  # checked before any output is made: a missing extra is a usage error
        from .scale import cluster

        client = cluster(args.dask, args.jobs)
    items = _items(args)
    if args.dask:
        from .scale import client_chunks

        results = client_chunks(client, items, opts, owned=args.dask == "local")
    elif args.jobs > 1:
        results = parallel.parallel(items, opts, args.jobs)
    else:
        results = parallel.serial(items, opts, ev)
    output = Output(args.output, args.format, out)  # last: nothing above leaves a file behind
    summary = Summary() if args.summary else None
    with output:  # committed when complete, removed on failure
        writer = open_writer(args.format, output, refs=refs,
                             as_of=args.as_of.isoformat() if args.as_of else None, single=_one_record(args),
                             engine=ev.engine, lang=args.lang, summary=summary,
                             min_severity=args.min_severity, fail_on=opts.fail_on, width=args.width)
        bar = progress(results, progress_wanted(args.progress))
        try:
            for item in bar:  # rendered (here or in a worker: parallel, scale), written in input order
                if isinstance(item, Rendered):
                    _warn(item)
                    if post is not None:
                        post.add(item.extra)
                    try:
                        writer.rendered(item)
                        continue
                    except (OutputError, OSError, EngineError):  # the run fails, not this record
                        raise
                    except Exception as exc:  # a bug writing this record: it alone fails
                        item = internal_failure(item.source, exc)
                writer.failure(item.source, item.problems)
        finally:
            if bar is not results:
                bar.close()  # type: ignore[attr-defined]
            close = getattr(results, "close", None)
            if close is not None:
                close()  # a generator: its pool or cluster is shut down now, not at exit
        if post is not None and args.format == "json":
            writer.stream.sections.update(post.sections())  # type: ignore[attr-defined]
        writer.close()
    for problem in writer.errors:
        _say(str(problem))
    if post is not None:
        post.finish(args, refs, _say)
    if summary is not None:
        sys.stderr.write(escape(summary.render(), keep_newlines=True))
    if any(p.level == "internal" for p in writer.errors):
        return 3
    return 2 if writer.errors else 1 if fails(writer.statuses, opts.fail_on) else 0


def _cmd_cems(args, out) -> int:
    from .cems.command import run as cems

    return cems(args, out)


def _warn(item) -> None:
    """A record's warnings (an implausible value, an open-vocabulary word)
    go to stderr, never into the report on stdout (in JSON they are also
    data: the record's ``warnings`` list)."""
    for problem in item.warnings:
        _say(str(problem))


def _cmd_ledger(args, out) -> int:
    from .ledger import write_template

    if os.path.exists(args.output) and not args.force:
        raise UsageError(f"{args.output} exists; give another -o FILE or --force to overwrite it")
    sheets = write_template(args.output, args.kinds, args.mapping)
    out.write(f"{args.output}: sheets {', '.join(sheets)} (row 1 headers, row 2 notes: fill from row 3)\n")
    return 0


def _describe(cond, lang):
    from .i18n import t
    from .wording import sentence

    return sentence(cond, lang) if cond is not None else t("explain.every_entity", lang)


def _rule_dict(rule, lang="en"):
    return {
        "id": rule.id,
        "ruleset": rule.ruleset,
        "title": rule.title.to_dict(),
        "applies_to": rule.applies_to,
        "when": _describe(rule.when, lang),
        "require": (f"({rule.review.code}) {rule.review.text.get(lang)}" if rule.review is not None  # an item: no condition
                    else _describe(rule.require, lang) if not rule.prohibited else (
            "禁止（when 所选即违规）" if lang == "zh" else "prohibited (every entity 'when' selects is a violation)")),
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
        **({"reason": rule.review.to_dict()} if rule.review is not None else {}),  # a manual-review item
    }


def _cmd_rules(args, out) -> int:
    from .api import load_rulesets
    from .vocabulary import vocabulary

    rulesets = load_rulesets(args.ruleset)
    region = None
    if args.region:
        r = vocabulary().region(args.region)
        if r is None:
            raise UsageError(f"unknown region {args.region!r}")
        region = r.code
    rows: list = []
    items: list = []  # the manual-review items, listed too (marked, with their reason code)
    for rs in rulesets:
        if region and not rs.applies_to_region(region):
            continue
        for rule in rs.rules + rs.manual_review:
            if args.at and not (rule.in_force(args.at) and (rule.effective_from is None or rule.effective_from <= args.at)):
                continue
            (items if rule.review is not None else rows).append(rule)
    if args.format == "json":
        listed = [_rule_dict(r, args.lang) for r in rows] + [dict(_rule_dict(r, args.lang), manual_review=True)
                                                             for r in items]
        out.write(json.dumps(listed, ensure_ascii=False, indent=2) + "\n")
        return 0
    from .explain_text import rules_lines

    standards = [rs for rs in rulesets if rs.parameters and (not region or rs.applies_to_region(region))
                 and (not args.at or rs.issued <= args.at)]
    out.write("\n".join(rules_lines(rows, standards, args.lang, args.width, items)) + "\n")
    return 0


def _cmd_explain(args, out) -> int:
    from .api import load_rulesets
    from .record import suggest

    rulesets = load_rulesets(args.ruleset)
    rules = {r.id: (rs, r) for rs in rulesets for r in rs.rules + rs.manual_review}
    if args.rule not in rules:
        raise UsageError(f"no rule {args.rule!r}{suggest(args.rule, rules)}")
    rs, rule = rules[args.rule]
    d = _rule_dict(rule, args.lang)
    if args.format == "json":
        out.write(json.dumps(d, ensure_ascii=False, indent=2) + "\n")
        return 0
    from .explain_text import explain_lines

    lines = explain_lines(rs, rule, d, _params(rule), args.lang, args.width)
    out.write("\n".join(lines) + "\n")  # each field escaped: its own line breaks shown as \x0a
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
    from .checkout import shown_paths, test_selection
    from .ruleset import bundled_paths
    from .i18n import t
    from .testing import run_cases

    selection, note = test_selection(args.selection, bundled_paths())
    if note:
        _say(note, keep_newlines=True)
    rulesets = load_rulesets(selection)
    failed = 0
    total = 0
    rules_run = 0
    for rs in rulesets:
        ev = evaluator([rs], args.engine)
        results = run_cases([rs], ev)
        by_rule: dict = {}
        for res in results:
            by_rule.setdefault(res.rule.id, []).append(res)
        items = len(rs.manual_review)
        out.write((t("test.ruleset_items", args.lang, id=rs.id, n=len(rs.rules), m=items, engine=ev.engine) if items
                   else t("test.ruleset", args.lang, id=rs.id, n=len(rs.rules), engine=ev.engine)) + "\n")
        for rule in rs.rules + rs.manual_review:
            res = by_rule.get(rule.id, [])
            bad = [r for r in res if not r.ok]
            total += len(res)
            failed += len(bad)
            rules_run += 1
            mark = "ok  " if not bad else "FAIL"
            if not res:
                mark = "----"
            out.write(f"  {mark} {rule.id}: " + t("test.cases", args.lang, ok=len(res) - len(bad), n=len(res)) + "\n")
            for r in res if args.verbose else bad:
                status = "ok" if r.ok else "FAIL"
                detail = r.error or r.message
                out.write(escape(f"       {status} {rule.file}:{r.case.line}: "
                                 + t("test.expected", args.lang, expect=r.case.expect, got=r.got)
                                 + (f" — {detail}" if detail and not r.ok else "")) + "\n")
    out.write(t("test.total", args.lang, ok=total - failed, failed=failed, rules=rules_run)
              + f" {t('test.in', args.lang)} {shown_paths([rs.file for rs in rulesets])}\n")
    return 1 if failed else 0


def _cmd_schema(args, out) -> int:
    from .schema import record_markdown, schema_text

    if args.format == "markdown" and args.kind != "record":
        raise UsageError("--format markdown documents the record format: compliance schema record --format markdown "
                         "(the ruleset format: docs/ruleset-format.md)")
    text = record_markdown() if args.format == "markdown" else schema_text(args.kind)
    if not args.output:
        out.write(text)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise OutputError(f"could not write {args.output}: {exc.strerror or exc}") from None
    return 0


def _cmd_fields(args, out) -> int:
    from .record import suggest
    from .schema import fields_text
    from .vocabulary import vocabulary

    kinds = [*vocabulary().sections, "context"]
    if args.kind is not None and args.kind not in kinds:
        raise UsageError(f"unknown entity kind {args.kind!r}{suggest(args.kind, kinds)}; kinds: {', '.join(kinds)}")
    out.write(fields_text(args.kind, args.lang))
    return 0


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
    from .i18n import t
    from .validate import Validation

    problems = Validation(_items(args))  # streamed: each record's problems as it is read
    counts = {"error": 0, "warning": 0, "info": 0}
    for p in problems:
        out.write(escape(str(p)) + "\n")
        counts[p.level] = counts.get(p.level, 0) + 1
    out.write(t("validate.total", args.lang, inputs=problems.inputs, errors=counts["error"],
                warnings=counts["warning"], notes=counts["info"]) + "\n")
    if counts["error"]:
        return 2
    return 1 if counts["warning"] else 0


def _say(text: str, keep_newlines: bool = False) -> None:
    """A message on stderr, its control characters shown as escapes."""
    if sys.stderr is None:  # started with fd 2 closed: print(file=None) would write into the report
        return
    try:
        print(escape(f"compliance: {text}", keep_newlines), file=sys.stderr)
    except OSError:  # stderr itself is gone: nothing left to tell
        pass


def main(argv: Optional[Sequence[str]] = None, out=None) -> int:
    """Entry point; returns the exit status (the console script exits with it).

    Output (``out``, default this process's stdout) is written safely: JSON
    as UTF-8, text in the stream's encoding with fallbacks and control
    characters escaped; a failed write is exit 3 with a message, a closed
    pipe exit 141 (``_output``)."""
    to_stdout = out is None
    out = out or sys.stdout
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if hasattr(args, "lang"):  # --lang, else COMPLIANCE_LANG, else the locale (compliance.i18n)
            from .i18n import resolve_lang

            args.lang = resolve_lang(args.lang)
        json_out = getattr(args, "format", None) in ("json", "jsonl", "csv", "ics") + VIEW_FORMATS  # data: UTF-8, exact
        if to_stdout:
            if sys.stdout is None:  # started with fd 1 closed (``>&-``)
                raise OutputError("could not write the report: standard output is closed")
            setup_stdout(json_out)
            out = sys.stdout
        if hasattr(args, "width"):  # --width, else the terminal's when stdout is one, else 80
            from .table import resolve_width

            args.width = resolve_width(args.width, out if to_stdout else None)
        out = SafeOut(out, escape_controls=not json_out)
        if not args.command:
            parser.print_help(out)
            out.flush()
            return 2
        handler = {"check": _cmd_check, "rules": _cmd_rules, "explain": _cmd_explain, "test": _cmd_test,
                   "validate": _cmd_validate, "kernel": _cmd_kernel, "ledger": _cmd_ledger,
                   "schema": _cmd_schema, "fields": _cmd_fields, "cems": _cmd_cems,
                   **_timeline_commands()}[args.command]
        code = handler(args, out)
        out.flush()  # a full disk shows here, not as a silent truncation at exit
        return code
    except BrokenPipeError:  # the reader left (``| head``): no verdict was delivered
        if to_stdout:
            discard_stdout()
        return 141
    except OutputError as exc:
        if to_stdout:
            discard_stdout()
        _say(f"error: {exc}")
        return exc.exit_code
    except InputError as exc:
        for problem in exc.problems:
            _say(str(problem))
        return 2
    except EngineError as exc:
        _say(f"engine failure, no result: {exc}", keep_newlines=True)
        return exc.exit_code
    except ComplianceError as exc:
        _say(f"error: {exc}", keep_newlines=True)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so briefly; COMPLIANCE_DEBUG=1 shows the traceback
        if os.environ.get("COMPLIANCE_DEBUG"):
            raise
        _say(f"internal error ({type(exc).__name__}: {exc}); rerun with COMPLIANCE_DEBUG=1 and report it")
        return 3


def _timeline_commands() -> dict:
    from .timeline import cmd_diff, cmd_timeline

    return {"timeline": cmd_timeline, "diff": cmd_diff}


def run() -> None:  # pragma: no cover
    sys.exit(main())
