"""The steps after the evaluation of each record: waivers, then the
baseline (``compliance check --waivers FILE --baseline FILE
--create-baseline FILE``; ``compliance.check(..., waivers=, baseline=)``).

:class:`Post` applies them to one record report and returns what it did
(small, picklable: it travels back from worker processes with the
record's rendered chunk, :class:`PostRenderer`); :class:`Collector` adds
those up over a run and makes the report's ``waivers`` and ``baseline``
sections and the lines for stderr.
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from .baseline import BaselineUse, Key, apply_baseline, baseline_lines, finding_keys, load_baseline, write_baseline
from .waivers import Waiver, WaiverUse, apply_waivers, load_waivers, waiver_lines, waivers_section

__all__ = ["Post", "PostRenderer", "Collector", "post_from"]

#: what the CLI passes to workers: (waivers file, baseline file, create a baseline?)
Spec = Tuple[Optional[str], Optional[str], bool]


class Post:
    """Waivers and baseline for one run, applied record by record."""

    def __init__(self, waivers: Sequence[Waiver] = (), baseline: Optional[FrozenSet[Key]] = None,
                 create: bool = False, versions: Optional[Mapping[str, str]] = None):
        self.waivers = tuple(waivers)
        self.baseline = baseline
        self.create = create
        self.versions = dict(versions or {})

    def __call__(self, rec: Any) -> Tuple[Any, Dict[str, Any]]:
        extra: Dict[str, Any] = {}
        if self.waivers:
            use = WaiverUse()
            rec = apply_waivers(rec, self.waivers, use)
            extra["waivers"] = use.to_dict()
        if self.create:  # the findings as checked (waivers applied), before any baseline
            extra["keys"] = finding_keys(rec, self.versions)
        if self.baseline is not None:
            bu = BaselineUse()
            rec = apply_baseline(rec, self.baseline, self.versions, bu)
            extra["baseline"] = (bu.suppressed, bu.new, sorted(bu.seen))
        return rec, extra


def post_from(spec: Spec, refs: Sequence[Mapping[str, str]]) -> Post:
    """A :class:`Post` from file names (loads them: InputError when bad)."""
    waivers_path, baseline_path, create = spec
    return Post(load_waivers(waivers_path) if waivers_path else (),
                load_baseline(baseline_path) if baseline_path else None, create,
                {r["id"]: r["version"] for r in refs})


class PostRenderer:
    """A record renderer that applies :class:`Post` first and attaches what
    it did to the chunk (``Rendered.extra``)."""

    def __init__(self, inner: Any, post: Post):
        self.inner, self.post = inner, post

    def __call__(self, rec: Any) -> Any:
        rec, extra = self.post(rec)
        return self.inner(rec)._replace(extra=extra)


class Collector:
    """The run's totals, from each record's ``extra``."""

    def __init__(self, post: Post, waivers_path: Optional[str] = None, baseline_path: Optional[str] = None):
        self.post = post
        self.baseline_path = baseline_path
        self.waiver_use = WaiverUse()
        self.baseline_use = BaselineUse()
        self.keys: List[Key] = []

    def add(self, extra: Optional[Mapping[str, Any]]) -> None:
        if not extra:
            return
        if "waivers" in extra:
            self.waiver_use.add(extra["waivers"])
        if "keys" in extra:
            self.keys.extend(tuple(k) for k in extra["keys"])  # type: ignore[misc]
        if "baseline" in extra:
            suppressed, new, seen = extra["baseline"]
            self.baseline_use.add(suppressed, new, (tuple(k) for k in seen))

    def sections(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        if self.post.waivers:
            out["waivers"] = waivers_section(self.post.waivers, self.waiver_use)
        if self.post.baseline is not None:
            out["baseline"] = self.baseline_use.section(self.baseline_path or "<baseline>", self.post.baseline)
        return out

    def lines(self, lang: str = "en") -> List[str]:
        sections = self.sections()
        out: List[str] = []
        if "waivers" in sections:
            out += waiver_lines(sections["waivers"], lang)
        if "baseline" in sections:
            out += baseline_lines(sections["baseline"], lang)
        return out

    def write_baseline(self, path: str, refs: Sequence[Mapping[str, str]]) -> int:
        return write_baseline(path, self.keys, refs)


class CliPost(Collector):
    """The CLI's side: the collector, and what ``check`` says and writes at the end."""

    def finish(self, args: Any, refs: Sequence[Mapping[str, str]], say: Any) -> None:
        for line in self.lines(args.lang):
            say(line)
        if args.create_baseline:
            from ._output import OutputError

            try:
                n = self.write_baseline(args.create_baseline, refs)
            except OSError as exc:  # the report is out; the baseline is not: a failed write (exit 3)
                raise OutputError(f"could not write the baseline {args.create_baseline}: "
                                  f"{exc.strerror or exc}") from None
            say(f"基线：{n} 项结论已写入 {args.create_baseline}" if args.lang == "zh"
                else f"baseline: {n} findings written to {args.create_baseline}")


def cli_post(args: Any, refs: Sequence[Mapping[str, str]], ev: Any, say: Any) -> Tuple[Optional[CliPost], Optional[Spec]]:
    """For ``check``: the files loaded and checked now (a bad one is exit 2
    before any output), and the spec the workers load them from."""
    import os

    from .errors import UsageError
    from .waivers import unknown_rules

    if not (args.waivers or args.baseline or args.create_baseline):
        return None, None
    if args.create_baseline and args.baseline and os.path.abspath(args.create_baseline) == os.path.abspath(args.baseline):
        raise UsageError("--create-baseline and --baseline name the same file")
    if args.create_baseline:  # refused before anything is checked, not after
        folder = os.path.dirname(os.path.abspath(args.create_baseline))
        if os.path.isdir(args.create_baseline) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            raise UsageError(f"--create-baseline {args.create_baseline}: cannot write there "
                             f"({'a folder' if os.path.isdir(args.create_baseline) else 'no writable folder ' + folder})")
    spec: Spec = (os.path.abspath(args.waivers) if args.waivers else None,
                  os.path.abspath(args.baseline) if args.baseline else None, bool(args.create_baseline))
    post = post_from((args.waivers, args.baseline, spec[2]), refs)
    for problem in unknown_rules(post.waivers, [r.id for rs in ev.rulesets for r in rs.rules]):
        say(str(problem))
    return CliPost(post, args.waivers, args.baseline), spec


def api_collector(waivers: Any, baseline: Any, refs: Sequence[Mapping[str, str]]) -> Optional[Collector]:
    """For :func:`compliance.check` and :func:`compliance.check_many`:
    ``waivers`` a file path, a list of waiver mappings or :class:`Waiver`
    objects; ``baseline`` a baseline file path. None when neither is given."""
    import os

    if waivers is None and baseline is None:
        return None
    post = Post(load_waivers(waivers) if waivers is not None else (),
                load_baseline(os.fspath(baseline)) if baseline is not None else None, False,
                {r["id"]: r["version"] for r in refs})
    return Collector(post, None, os.fspath(baseline) if baseline is not None else None)


def apply(collector: Optional[Collector], rec: Any) -> Any:
    """``rec`` after the collector's waivers and baseline (counted)."""
    if collector is None:
        return rec
    rec, extra = collector.post(rec)
    collector.add(extra)
    return rec
