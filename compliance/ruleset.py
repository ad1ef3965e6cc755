"""Load, validate and compile rulesets.

A ruleset file is YAML with a ``ruleset`` header, optional ``parameters``
(named limit values from a standard, cited to its table and row) and
``rules``. The format is documented in ``docs/ruleset-format.md``. Every
problem is reported with file, line and field before anything runs; a
loaded :class:`Ruleset` holds compiled conditions, so evaluation never
re-parses a unit or a field name.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import io
import json
import os
import pickle
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import attrs

from ._yaml import Document, load_document, open_regular
from .conditions import All, Cond, ConditionError, Compiler, Not
from .errors import InputError, Problem, RulesetError
from .record import suggest
from .ruleset_types import CITE, HEADER, PARAMETER, REVIEW, RULE, TEST, type_problems
from .units import UnitProblem, check_unit, digest, hasher, parse_quantity, pint_version, split_quantity, user_cache_dir, write_atomic
from .units import read_own
from .status import MANUAL_REVIEW, NOT_APPLICABLE, STATUSES, WAIVED
from .vocabulary import vocabulary

__all__ = [
    "Text", "Citation", "Exemption", "Parameter", "TestCase", "Review", "Rule", "Ruleset", "REVIEW_REASONS",
    "load_rulesets", "bundled_paths", "SEVERITIES", "STATUSES", "PLACEHOLDERS", "render_message", "template_problem",
]

SEVERITIES = ("high", "medium", "low")
#: why a manual-review item is not decided by the tool
REVIEW_REASONS = ("needs_data", "not_expressible", "threshold_undefined")
#: the severity of a manual-review finding: it reports no breach
REVIEW_SEVERITY = "info"
PLACEHOLDERS = {"observed", "limit", "entity", "condition", "missing", "deadline", "effective_from", "exemption", "failing"}


@attrs.frozen
class Text:
    """A bilingual text."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict:
        return {"zh": self.zh, "en": self.en}


@attrs.frozen
class Citation:
    """Where the law says so: document, clause locator, quoted original text."""

    document: str
    clause: str
    text: str
    row: Optional[int] = None  # task-table row, where the source has one
    #: URLs of the secondary sources that define a term the quote names
    #: without defining it (e.g. Tianjin's "五个百分之百"); not quote-checked,
    #: not in the report (docs/ruleset-format.md, "Secondary sources")
    secondary: Tuple[str, ...] = ()
    title: Optional[Text] = None  # the document's title (the ruleset's, when it cites its own document)
    short_title: Optional[Text] = None  # its short form, for the table

    def to_dict(self) -> dict:
        out: Dict[str, Any] = {"document": self.document, "clause": self.clause, "text": self.text}
        if self.row is not None:
            out["row"] = self.row
        if self.title is not None:
            out["title"] = self.title.to_dict()
        if self.short_title is not None:
            out["short_title"] = self.short_title.to_dict()
        return out


@attrs.frozen
class Exemption:
    """An exemption written in the source; ``exempt`` when its condition holds."""

    condition: Cond
    name: Text


@attrs.frozen
class Parameter:
    """A named value from a standard (e.g. a GB 13271-2014 Table 3 limit)."""

    id: str
    value: str  # as written, e.g. "30 mg/m^3"
    description: Text
    source: Mapping[str, str]  # {"document": ..., "clause": ...}
    ruleset: str
    #: where the value was read when not in the standard's own text: URLs of
    #: at least two independent secondary sources that agree on it
    secondary: Tuple[str, ...] = ()


@attrs.frozen
class TestCase:
    """An embedded test: a record fragment and the status it must get."""

    expect: str
    entity: Mapping[str, Any]
    facility: Mapping[str, Any]
    as_of: Optional[dt.date]
    alert: Optional[str]
    line: int
    name: str = ""


@attrs.frozen
class Review:
    """Why a manual-review item is not decided by the tool, and what the
    reviewer checks by hand (``code`` one of :data:`REVIEW_REASONS`)."""

    code: str
    text: Text

    def to_dict(self) -> dict:
        return {"code": self.code, "zh": self.text.zh, "en": self.text.en}


@attrs.frozen
class Rule:
    """One compiled rule (or manual-review item: ``review`` set, ``require``
    the empty condition, never read)."""

    id: str
    ruleset: str
    title: Text
    cite: Citation
    applies_to: str
    when: Optional[Cond]
    require: Cond
    unless: Optional[Exemption]
    effective_from: Optional[dt.date]
    deadline: Optional[dt.date]
    until: Optional[dt.date]
    in_force_from: dt.date
    severity: str
    message: Text
    note: str
    tests: Tuple[TestCase, ...]
    file: str
    line: int
    prohibited: bool = False  # written as prohibited: true: require is "not when"
    review: Optional[Review] = None

    def in_force(self, at: dt.date) -> bool:
        """The rule exists at ``at`` (issued, not ended by ``until``)."""
        return self.in_force_from <= at and (self.until is None or at <= self.until)

    def fields_read(self) -> List[str]:
        out: List[str] = []
        for cond in (self.when, self.require, self.unless.condition if self.unless else None):
            if cond is not None:
                for ref in cond.refs():
                    if ref.label not in out:
                        out.append(ref.label)
        return out


@attrs.frozen
class Ruleset:
    id: str
    title: Text
    issuer: str
    issued: dt.date
    jurisdiction: str
    source: str
    version: str
    kind: str
    rules: Tuple[Rule, ...]
    parameters: Tuple[Parameter, ...]
    file: str
    short_title: Optional[Text] = None  # the title's short form (the table's citations)
    #: manual-review items (each a :class:`Rule` with ``review`` set)
    manual_review: Tuple[Rule, ...] = ()

    def applies_to_region(self, region: str) -> bool:
        return vocabulary().contains(self.jurisdiction, region)


# ------------------------------------------------------------------ messages
#
# A rule's message is user text: it is never given to str.format (whose
# specs, conversions and nested fields evaluate attributes and pad to any
# width). Only plain {name} placeholders of PLACEHOLDERS and {{ }} for
# literal braces are allowed, checked at load; rendering substitutes them
# and nothing else.

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def template_problem(text: str) -> Optional[str]:
    """What is wrong with the message template ``text``, or None."""
    for m in _TOKEN.finditer(text):
        token, name = m.group(0), m.group(1)
        if token in ("{{", "}}"):
            continue
        at = f"at character {m.start() + 1}"
        if name is None:
            return f"lone {token!r} {at}; write {token * 2!r} for a literal brace"
        if name in PLACEHOLDERS:
            continue
        plain = re.match(r"[A-Za-z_][A-Za-z_0-9]*", name)
        if plain and plain.group(0) in PLACEHOLDERS:
            return (f"placeholder {{{name}}} {at}: only plain {{name}} placeholders are allowed "
                    "(no format spec, conversion, index or attribute)")
        return (f"unknown placeholder {{{name}}} {at}{suggest(name, PLACEHOLDERS)}; "
                f"placeholders are {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}; "
                "write {{ and }} for literal braces")
    return None


@functools.lru_cache(maxsize=4096)
def _template_parts(text: str) -> Tuple[Tuple[str, Optional[str]], ...]:
    """(literal text, placeholder name or None) pairs of a template."""
    parts: List[Tuple[str, Optional[str]]] = []
    literal, pos = [], 0
    for m in _TOKEN.finditer(text):
        literal.append(text[pos:m.start()])
        pos = m.end()
        token, name = m.group(0), m.group(1)
        if token in ("{{", "}}"):
            literal.append(token[0])
        elif name in PLACEHOLDERS:
            parts.append(("".join(literal), name))
            literal = []
        else:  # not a placeholder (a template that was never checked): as written
            literal.append(token)
    literal.append(text[pos:])
    parts.append(("".join(literal), None))
    return tuple(parts)


def render_message(text: str, fill: Mapping[str, str]) -> str:
    """``text`` with each {placeholder} replaced by its value in ``fill``
    and {{ }} by braces; evaluates nothing."""
    return "".join(lit + (fill.get(name, "") if name is not None else "") for lit, name in _template_parts(text))


# ------------------------------------------------------------------ loading

# the keys each part may hold: those of the type table (ruleset_types), the one list
_HEADER_KEYS = set(HEADER)
_HEADER_REQUIRED = {"id", "title", "issuer", "issued", "jurisdiction", "source"}
_RULE_KEYS = set(RULE)
_RULE_REQUIRED = {"id", "title", "cite", "applies_to", "severity", "message"}  # and require or prohibited
_CITE_KEYS = set(CITE)
_PARAM_KEYS = set(PARAMETER)
_TEST_KEYS = set(TEST)
_REVIEW_KEYS = set(REVIEW)
_REVIEW_REQUIRED = {"id", "title", "cite", "applies_to", "reason"}
_TOP_KEYS = ["ruleset", "rules", "parameters", "manual_review"]
_RULE_EXPECTS = tuple(s for s in STATUSES if s not in (MANUAL_REVIEW, WAIVED))  # a rule decides; waivers come after
_ID = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")


class _Loader:
    def __init__(self):
        self.problems: List[Problem] = []
        self.vocab = vocabulary()

    def err(self, doc: Document, path, field: str, message: str) -> None:
        line, col = doc.key_where(path) if path and isinstance(path[-1], str) else doc.where(path)
        self.problems.append(Problem(doc.source, line, col, field, message))

    def keys(self, doc, path, raw: Mapping, allowed, required, label) -> bool:
        ok = True
        for key in raw:
            if key not in allowed:
                self.err(doc, path + (key,), f"{label}.{key}", f"unknown key{suggest(key, allowed)}")
                ok = False
        for key in sorted(required - set(raw)):
            self.err(doc, path, label, f"required key {key!r} is missing")
            ok = False
        return ok

    def text(self, doc, path, raw, label) -> Optional[Text]:
        if isinstance(raw, Mapping) and set(raw) == {"zh", "en"} and all(isinstance(v, str) and v.strip() for v in raw.values()):
            return Text(raw["zh"].strip(), raw["en"].strip())
        from .authoring import flow_comma_hint

        self.err(doc, path, label, flow_comma_hint(raw) or "needs both 'zh' and 'en' texts")
        return None

    def date(self, doc, path, raw, label) -> Optional[dt.date]:
        if raw is None:
            return None
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        self.err(doc, path, label, f"bad date {raw!r}; expected YYYY-MM-DD")
        return None

    def header(self, doc: Document) -> Optional[dict]:
        data = doc.data
        if not isinstance(data, Mapping):
            self.err(doc, (), "", "a ruleset file must be a mapping with 'ruleset' and 'rules'")
            return None
        for key in data:
            if key not in _TOP_KEYS:
                self.err(doc, (key,), key, f"unknown top-level key{suggest(key, _TOP_KEYS)}")
        head = data.get("ruleset")
        if not isinstance(head, Mapping):
            self.err(doc, (), "ruleset", "the 'ruleset' header is missing")
            return None
        if not self.keys(doc, ("ruleset",), head, _HEADER_KEYS, _HEADER_REQUIRED, "ruleset"):
            return None
        title = self.text(doc, ("ruleset", "title"), head["title"], "ruleset.title")
        issued = self.date(doc, ("ruleset", "issued"), head["issued"], "ruleset.issued")
        rid = str(head["id"])
        if not _ID.match(rid):
            self.err(doc, ("ruleset", "id"), "ruleset.id", "ids are lower-case letters, digits and - . _ /")
        jur = str(head["jurisdiction"])
        region = self.vocab.region(jur)
        if region is None:
            self.err(doc, ("ruleset", "jurisdiction"), "ruleset.jurisdiction",
                     f"unknown region {jur!r}{suggest(jur, self.vocab.regions)}")
        o2 = head.get("oxygen_reference")
        if o2 is not None and not isinstance(o2, Mapping):  # ({param: ID} is resolved where a rule uses it)
            try:
                o2v, _ = parse_quantity(o2, "percent")
                if not 0 <= o2v < 21:
                    raise UnitProblem("must be below 21 %")
            except UnitProblem as exc:
                self.err(doc, ("ruleset", "oxygen_reference"), "ruleset.oxygen_reference", f"oxygen_reference: {exc}")
        kind = head.get("kind", "plan")
        if kind not in ("plan", "standard"):
            self.err(doc, ("ruleset", "kind"), "ruleset.kind", "kind is 'plan' or 'standard'")
        short_title = None
        if "short_title" in head:
            short_title = self.text(doc, ("ruleset", "short_title"), head["short_title"], "ruleset.short_title")
            if short_title is None:
                return None
        if title is None or issued is None or region is None:
            return None
        return {
            "id": rid, "title": title, "short_title": short_title, "issuer": str(head["issuer"]), "issued": issued,
            "jurisdiction": region.code, "source": str(head["source"]),
            "version": str(head.get("version", issued.isoformat())), "kind": kind,
            "oxygen_reference": head.get("oxygen_reference"),
        }

    def parameters(self, doc: Document, head: dict) -> List[Parameter]:
        raw = doc.data.get("parameters") or []
        out: List[Parameter] = []
        if not isinstance(raw, list):
            self.err(doc, ("parameters",), "parameters", "must be a list")
            return out
        for i, p in enumerate(raw):
            path = ("parameters", i)
            if not isinstance(p, Mapping) or not self.keys(doc, path, p, _PARAM_KEYS, _PARAM_KEYS, f"parameters[{i}]"):
                continue
            desc = self.text(doc, path + ("description",), p["description"], f"parameters[{i}].description")
            src = p["source"]
            if not (isinstance(src, Mapping) and set(src) <= {"document", "clause", "text", "secondary"} and "clause" in src):
                self.err(doc, path + ("source",), f"parameters[{i}].source",
                         "needs 'clause' (and optionally 'document', 'text', 'secondary')")
                continue
            secondary = self.secondary(doc, path + ("source",), src, f"parameters[{i}].source")
            if secondary is None:
                continue
            try:
                _, unit = split_quantity(p["value"])
                check_unit(unit)
            except UnitProblem as exc:
                self.err(doc, path + ("value",), f"parameters[{i}].value", str(exc))
                continue
            if desc is None:
                continue
            source = {"document": str(src.get("document", head["source"])), "clause": str(src["clause"])}
            if "text" in src:
                source["text"] = str(src["text"])
            out.append(Parameter(str(p["id"]), p["value"], desc, source, head["id"], secondary))
        return out

    def secondary(self, doc: Document, path, raw: Mapping, label: str) -> Optional[Tuple[str, ...]]:
        """The ``secondary`` list of a citation or parameter source: web
        addresses of at least two independent sources (two different hosts),
        since a value or definition read only in secondary sources is used
        only where two of them agree. ``()`` when absent; None after an error."""
        if "secondary" not in raw:
            return ()
        urls = raw["secondary"]
        where = path + ("secondary",)
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            self.err(doc, where, f"{label}.secondary", "a list of web addresses (http:// or https://)")
            return None
        bad = [u for u in urls if not re.match(r"^https?://[^/\s]+", u.strip())]
        if bad:
            self.err(doc, where, f"{label}.secondary", f"not a web address (http:// or https://): {bad[0]!r}")
            return None
        hosts = {re.sub(r"^www\.|^m\.", "", u.strip().split("/")[2].lower()) for u in urls}
        if len(hosts) < 2:
            self.err(doc, where, f"{label}.secondary",
                     "name at least two independent sources (two different sites): "
                     "a value or definition read only in secondary sources needs two that agree")
            return None
        return tuple(u.strip() for u in urls)

    def entry(self, doc: Document, part: str, i: int, raw: Any, allowed, required, what: str):
        """The common start of a rule or review item: (path, label, problems
        before it, id, title), or None when its keys are wrong."""
        path = (part, i)
        label = f"{part}[{i}]"
        if not isinstance(raw, Mapping):
            self.err(doc, path, label, f"{what} must be a mapping")
            return None
        if isinstance(raw.get("id"), str):
            label = raw["id"]
        before = len(self.problems)
        self.keys(doc, path, raw, allowed, required, label)
        if len(self.problems) > before:
            return None
        rid = str(raw["id"])
        if not _ID.match(rid):
            self.err(doc, path + ("id",), f"{label}.id", "ids are lower-case letters, digits and - . _ /")
        title = self.text(doc, path + ("title",), raw["title"], f"{label}.title")
        return path, label, before, rid, title

    def rule(self, doc: Document, head: dict, i: int, raw: Any, params: Mapping[str, Any]) -> Optional[Rule]:
        start = self.entry(doc, "rules", i, raw, _RULE_KEYS, _RULE_REQUIRED, "a rule")
        if start is None:
            return None
        path, label, before, rid, title = start
        if "require" not in raw and "prohibited" not in raw:
            from .authoring import missing_require_hint

            self.err(doc, path, label, missing_require_hint())
        elif "require" in raw and "prohibited" in raw:
            self.err(doc, path + ("prohibited",), f"{label}.prohibited",
                     "a rule has require (a duty) or prohibited: true (a ban), not both")
        elif raw.get("prohibited") is False:
            self.err(doc, path + ("prohibited",), f"{label}.prohibited",
                     "prohibited: false says nothing; leave it out and write the duty as require: <condition>")
        elif "prohibited" in raw and raw.get("when") is None:
            self.err(doc, path + ("prohibited",), f"{label}.prohibited",
                     "prohibited: true bans the entities 'when' selects: add when: <condition> "
                     "(e.g. when: {field: fuel, equals: coal})")
        if len(self.problems) > before:
            return None
        message = self.text(doc, path + ("message",), raw["message"], f"{label}.message")
        if message is not None:
            for lang in ("zh", "en"):
                bad = template_problem(message.get(lang))
                if bad is not None:
                    self.err(doc, path + ("message", lang), f"{label}.message.{lang}", bad)
        citation = self.citation(doc, head, path, raw["cite"], label)
        section = self.section(doc, path, raw["applies_to"], label)
        if section is None:
            return None
        compiler = Compiler(section, params)
        compiler.default_o2 = raw.get("oxygen_reference", head.get("oxygen_reference"))

        def cond(key, sub=()):
            value = raw.get(key) if not sub else sub[0]
            cpath = path + (key,) + tuple(sub[1:] if sub else ())
            if value is None:
                return None
            try:
                return compiler.compile(value, cpath)
            except ConditionError as exc:
                self.err(doc, exc.path or cpath, f"{label}.{key}", str(exc))
                return None

        when = cond("when")
        compiler.guards.clear()  # a table in `when` is just a comparison; only require's restrict the rule
        if raw.get("prohibited") is True:  # a ban: the duty is that `when` does not hold
            require = Not(when) if when is not None else None
        else:
            require = cond("require")
            if compiler.guards and when is not None:  # a lookup table: only the entities with a row
                when = All((when, *compiler.guards))
            elif compiler.guards:
                when = compiler.guards[0] if len(compiler.guards) == 1 else All(tuple(compiler.guards))
        if "oxygen_reference" in raw and require is not None and not compiler.default_o2_used:
            self.err(doc, path + ("oxygen_reference",), f"{label}.oxygen_reference",
                     "no comparison of an emissions.* concentration in this rule takes it; "
                     "leave it out, or compare emissions.pm/so2/nox")
        unless = None
        if raw.get("unless") is not None:
            u = raw["unless"]
            if not isinstance(u, Mapping) or set(u) != {"if", "name"}:
                self.err(doc, path + ("unless",), f"{label}.unless", "needs 'if' (a condition) and 'name' (zh/en)")
            else:
                uname = self.text(doc, path + ("unless", "name"), u["name"], f"{label}.unless.name")
                ucond: Optional[Cond]
                try:
                    ucond = compiler.compile(u["if"], path + ("unless", "if"))
                except ConditionError as exc:
                    self.err(doc, exc.path, f"{label}.unless.if", str(exc))
                    ucond = None
                if uname and ucond:
                    unless = Exemption(ucond, uname)
        dates = self.dates(doc, head, path, raw, label)
        severity = raw["severity"]
        if severity not in SEVERITIES:
            self.err(doc, path + ("severity",), f"{label}.severity", f"severity is one of {', '.join(SEVERITIES)}")
        tests = self.tests(doc, path, raw.get("tests") or [], label, section, _RULE_EXPECTS)
        if len(self.problems) > before or require is None or title is None or message is None or citation is None:
            return None
        in_force_from = min(d for d in (head["issued"], dates["effective_from"]) if d is not None)
        return Rule(
            id=rid, ruleset=head["id"], title=title, cite=citation, applies_to=section, when=when,
            require=require, unless=unless, effective_from=dates["effective_from"],
            deadline=dates["deadline"], until=dates["until"], in_force_from=in_force_from,
            severity=severity, message=message, note=" ".join(str(raw.get("note", "")).split()),
            tests=tests, file=doc.source, line=doc.where(path)[0], prohibited=raw.get("prohibited") is True,
        )

    def citation(self, doc: Document, head: dict, path, cite: Any, label: str) -> Optional[Citation]:
        """A rule's or review item's ``cite``."""
        if isinstance(cite, Mapping) and self.keys(doc, path + ("cite",), cite, _CITE_KEYS, {"clause", "text"}, f"{label}.cite"):
            row = cite.get("row")
            if row is not None and (isinstance(row, bool) or not isinstance(row, int)):
                self.err(doc, path + ("cite", "row"), f"{label}.cite.row", "row is a task-table row number")
            elif not str(cite["text"]).strip():
                self.err(doc, path + ("cite", "text"), f"{label}.cite.text", "quote the source text")
            else:
                secondary = self.secondary(doc, path + ("cite",), cite, f"{label}.cite")
                if secondary is not None:
                    document = str(cite.get("document", head["source"]))
                    own = document == head["source"]  # the ruleset's document: its title is known
                    return Citation(document, str(cite["clause"]), " ".join(str(cite["text"]).split()), row,
                                    secondary, head["title"] if own else None,
                                    (head["short_title"] or head["title"]) if own else None)
        elif not isinstance(cite, Mapping):
            self.err(doc, path + ("cite",), f"{label}.cite", "needs clause and text")
        return None

    def section(self, doc: Document, path, section: Any, label: str) -> Optional[str]:
        """A rule's or review item's ``applies_to``: an entity kind."""
        if section not in self.vocab.sections:
            self.err(doc, path + ("applies_to",), f"{label}.applies_to",
                     f"unknown entity kind {section!r}{suggest(section, self.vocab.sections)}")
            return None
        return section

    def dates(self, doc: Document, head: dict, path, raw: Mapping, label: str) -> Dict[str, Optional[dt.date]]:
        """``effective_from``, ``deadline``, ``until`` of a rule or review item, checked."""
        dates = {k: self.date(doc, path + (k,), raw.get(k), f"{label}.{k}") for k in ("effective_from", "deadline", "until")}
        if dates["effective_from"] and dates["deadline"] and dates["deadline"] < dates["effective_from"]:
            self.err(doc, path + ("deadline",), f"{label}.deadline", "deadline is before effective_from")
        start = dates["effective_from"] or dates["deadline"] or head["issued"]
        if dates["until"] and dates["until"] < start:
            self.err(doc, path + ("until",), f"{label}.until", "until is before the rule starts")
        return dates

    def review(self, doc: Document, head: dict, i: int, raw: Any, params: Mapping[str, Any]) -> Optional[Rule]:
        """One manual-review item, compiled to a :class:`Rule` with ``review``
        set: ``when`` decides whether it is listed, nothing is required."""
        start = self.entry(doc, "manual_review", i, raw, _REVIEW_KEYS, _REVIEW_REQUIRED, "a manual-review item")
        if start is None:
            return None
        path, label, before, rid, title = start
        citation = self.citation(doc, head, path, raw["cite"], label)
        section = self.section(doc, path, raw["applies_to"], label)
        if section is None:
            return None
        when = None
        if raw.get("when") is not None:
            try:
                when = Compiler(section, params).compile(raw["when"], path + ("when",))
            except ConditionError as exc:
                self.err(doc, exc.path or path + ("when",), f"{label}.when", str(exc))
        reason = raw["reason"]
        review = None
        if not (isinstance(reason, Mapping) and set(reason) == {"code", "zh", "en"}):
            self.err(doc, path + ("reason",), f"{label}.reason", "needs 'code' and both 'zh' and 'en' texts")
        elif reason["code"] not in REVIEW_REASONS:
            self.err(doc, path + ("reason", "code"), f"{label}.reason.code",
                     f"unknown reason {reason['code']!r}{suggest(str(reason['code']), REVIEW_REASONS)}; "
                     f"one of {', '.join(REVIEW_REASONS)}")
        else:
            text = self.text(doc, path + ("reason",), {"zh": reason["zh"], "en": reason["en"]}, f"{label}.reason")
            review = Review(reason["code"], text) if text is not None else None
        dates = self.dates(doc, head, path, raw, label)
        tests = self.tests(doc, path, raw.get("tests") or [], label, section, (MANUAL_REVIEW, NOT_APPLICABLE))
        if len(self.problems) > before or title is None or citation is None or review is None:
            return None
        in_force_from = min(d for d in (head["issued"], dates["effective_from"]) if d is not None)
        return Rule(
            id=rid, ruleset=head["id"], title=title, cite=citation, applies_to=section, when=when,
            require=All(()), unless=None, effective_from=dates["effective_from"],
            deadline=dates["deadline"], until=dates["until"], in_force_from=in_force_from,
            severity=REVIEW_SEVERITY, message=review.text, note=" ".join(str(raw.get("note", "")).split()),
            tests=tests, file=doc.source, line=doc.where(path)[0], review=review,
        )

    def tests(self, doc, path, raw, label, section, expects: Sequence[str] = STATUSES) -> Tuple[TestCase, ...]:
        out = []
        if not isinstance(raw, list):
            self.err(doc, path + ("tests",), f"{label}.tests", "tests is a list")
            return ()
        single = self.vocab.sections[section].kind == "single"
        for j, t in enumerate(raw):
            tpath = path + ("tests", j)
            tl = f"{label}.tests[{j}]"
            if not isinstance(t, Mapping) or not self.keys(doc, tpath, t, _TEST_KEYS, {"expect"}, tl):
                continue
            if t["expect"] not in expects:
                self.err(doc, tpath + ("expect",), f"{tl}.expect", f"expect is one of {', '.join(expects)}")
                continue
            entity = t.get("entity") or {}
            facility = t.get("facility") or {}
            if not isinstance(entity, Mapping) or not isinstance(facility, Mapping):
                self.err(doc, tpath, tl, "entity and facility are mappings")
                continue
            if single and section == "facility" and entity:
                facility = {**facility, **entity}
                entity = {}
            alert = t.get("alert")
            if alert is not None and alert not in self.vocab.context_fields["alert"].values:
                self.err(doc, tpath + ("alert",), f"{tl}.alert", f"unknown alert level {alert!r}")
                continue
            out.append(TestCase(t["expect"], dict(entity), dict(facility),
                                self.date(doc, tpath + ("as_of",), t.get("as_of"), f"{tl}.as_of"),
                                alert, doc.where(tpath)[0], str(t.get("name", ""))))
        return tuple(out)


def bundled_paths() -> List[str]:
    """Paths of the rulesets shipped with the package, in a stable order.

    Installed, they are the package ``compliance._bundled``; imported from a
    source checkout (``python -m pytest`` in the repository), they are the
    top-level ``rulesets/`` folder beside the ``compliance/`` package.
    """
    try:
        root = resources.files("compliance._bundled")
    except ModuleNotFoundError:
        source = Path(__file__).resolve().parent.parent / "rulesets"
        if not source.is_dir():
            raise
        root = source  # type: ignore[assignment]
    return sorted(str(p) for p in root.iterdir() if p.name.endswith(".yaml"))


RULESET_SUFFIXES = (".yaml", ".yml")


def _expand(paths: Iterable[Union[str, os.PathLike]]) -> List[str]:
    """Files for paths: a folder stands for its ruleset files (``*.yaml``,
    ``*.yml``); a folder holding none is refused, naming it (it would
    otherwise run no rule and report nothing wrong)."""
    out: List[str] = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            found = sorted(str(x) for x in Path(p).iterdir() if x.suffix in RULESET_SUFFIXES and not x.is_dir())  # a pipe is refused when opened
            if not found:
                raise RulesetError([Problem(p, 0, 0, "", "no ruleset file (*.yaml or *.yml) in this folder")])
            out.extend(found)
        else:
            out.append(p)
    return out


# ------------------------------------------------------------------ caching
#
# Compiled rulesets are cached two ways. In-process, by content: loading the
# same ruleset files (paths and bytes) again returns the same tuple. On disk,
# for the bundled rulesets only (what every run loads): a file in the user
# cache folder. User files are not cached on disk: they are edited often
# (an entry per edit would litter the folder) and a few compile quickly.
#
# A cache file is one line of magic, one line of JSON (the manifest: key,
# each ruleset file's path, content digest, ruleset id and rule ids, and
# the payload's size and digest) and a pickle of the compiled rulesets. It
# cannot run code when loaded -- the unpickler resolves only this package's
# model classes (attrs classes and enums of compliance.*) and datetime
# values -- and it is used only when everything agrees: the key, every
# file's digest, the payload digest, and a tuple of one Ruleset per file with
# the manifest's ids and rule ids, which are those the files declare (their
# ``ruleset: id:`` and each ``- id:`` under ``rules:``, read from the bytes
# just digested), each rule of the model types where it matters (conditions,
# dates, texts). The file must be the user's own and writable by nobody else
# (POSIX): another account that can write the cache folder cannot make us
# load its file. Anything else is ignored and the rulesets are compiled
# again: a cache never changes a verdict. Whoever can write files as the
# user can change the package itself; a CI cache restored from untrusted
# builds is that case (set COMPLIANCE_NO_CACHE=1 there).

_CACHE_MAGIC = b"compliance-rulesets/2\n"
_MEMO: Dict[Tuple[Any, ...], Tuple[Ruleset, ...]] = {}
_MEMO_SIZE = 32
_PACKAGE = Path(__file__).resolve().parent
_SAFE_GLOBALS: Dict[Tuple[str, str], Any] = {
    ("datetime", "date"): dt.date,
    ("datetime", "datetime"): dt.datetime,
    ("datetime", "time"): dt.time,
    ("datetime", "timedelta"): dt.timedelta,
    ("datetime", "timezone"): dt.timezone,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "set"): set,
    ("builtins", "complex"): complex,
}

FileDigest = Tuple[str, str, str]  # (path as given, absolute path, content digest)


def _source_digest(root: Path) -> str:
    """Digest of every file in the package tree ``root``, recursively
    (``__pycache__`` and compiled or temporary files aside): a compiled rule
    is instances of the package's classes, built by its code from its data,
    so any change anywhere in the package makes a new cache key."""
    h = hasher()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo", ".tmp")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                data = fh.read()
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            h.update(f"{rel}\0{len(data)}\0".encode())
            h.update(data)
    return str(h.hexdigest())


_DECLARED = re.compile(r"^(?:([A-Za-z_]\w*):(.*)|  (- )?id:[ \t]*(.*?)[ \t]*(?:#.*)?)$", re.M)


def _declared_ids(text: str) -> Optional[Tuple[str, List[str]]]:
    """The ruleset id and rule ids a ruleset file declares, read from its
    lines in the block style the bundled files use (``ruleset:`` then
    ``  id: X``; ``rules:`` then ``  - id: X``); None for any other layout
    (then its cache is not used)."""
    section, ruleset_id, rules = "", None, []
    for m in _DECLARED.finditer(text):
        key, rest, item, value = m.groups()
        if key is not None:
            section = key
            if section in ("ruleset", "rules") and rest.split(" #")[0].strip() not in ("", "[]"):
                return None  # flow style: not read here
            continue
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if not value or any(c in value for c in "\"'{}[]&*!|>%@`\\"):
            return None
        if section == "ruleset" and not item and ruleset_id is None:
            ruleset_id = value
        elif section == "rules" and item:
            rules.append(value)
    return (ruleset_id, rules) if ruleset_id is not None else None


def _file_digests(files: Sequence[str]) -> Optional[List[FileDigest]]:
    """(path, absolute path, digest of the bytes) per file; None when one
    cannot be read (then nothing is cached: compiling reports the problem)."""
    out: List[FileDigest] = []
    for name in files:
        try:
            with open_regular(name) as fh:  # a FIFO or device is refused, never waited on
                out.append((name, os.path.abspath(name), digest(fh.read())))
        except (OSError, InputError):
            return None
    return out


def _cache_plan(files: Sequence[str]) -> Optional[Tuple[Path, str, List[FileDigest]]]:
    """(cache file, full key, file digests) for these files, or None when
    disabled (``COMPLIANCE_NO_CACHE=1``) or a file cannot be read."""
    if os.environ.get("COMPLIANCE_NO_CACHE"):
        return None
    digests = _file_digests(files)
    if digests is None:
        return None
    from . import __version__

    try:
        code = _source_digest(_PACKAGE)
    except OSError:
        return None
    h = hasher()
    # pint's version too: limits are converted by the conversion table built
    # for the installed pint (see compliance.units)
    h.update(repr((_CACHE_MAGIC, __version__, sys.version_info[:2], pint_version(), code)).encode())
    for name, absolute, content in digests:
        h.update(f"\0{name}\0{absolute}\0{content}".encode())
    key = str(h.hexdigest())
    return user_cache_dir() / f"rulesets-{key[:32]}.pickle", key, digests


def _cache_file(files: Sequence[str]) -> Optional[Path]:
    """Where the compiled form of exactly these file contents is cached.

    The key hashes the package version, every file of the package (code and
    data, recursively), the Python and pint versions and every ruleset
    file's path and bytes, so any edit makes a new entry. Disabled by
    ``COMPLIANCE_NO_CACHE=1``.
    """
    plan = _cache_plan(files)
    return plan[0] if plan is not None else None


class _SafeUnpickler(pickle.Unpickler):
    """Resolves only the package's model classes and plain values."""

    def find_class(self, module: str, name: str) -> Any:
        safe = _SAFE_GLOBALS.get((module, name))
        if safe is not None:
            return safe
        if (module == "compliance" or module.startswith("compliance.")) and name.isidentifier():
            mod = sys.modules.get(module)  # never import anything named by the file
            obj = getattr(mod, name, None) if mod is not None else None
            if (isinstance(obj, type) and obj.__module__ == module
                    and (attrs.has(obj) or issubclass(obj, enum.Enum))):
                return obj
        raise pickle.UnpicklingError(f"refused to load {module}.{name}")


def _decode_cache(data: bytes, key: str, digests: Sequence[FileDigest]) -> Optional[Tuple[Ruleset, ...]]:
    """The rulesets in a cache file's bytes, if everything agrees; else None."""
    if not data.startswith(_CACHE_MAGIC):
        return None
    end = data.find(b"\n", len(_CACHE_MAGIC))
    if end < 0:
        return None
    manifest = json.loads(data[len(_CACHE_MAGIC):end])
    payload = data[end + 1:]
    if not isinstance(manifest, dict) or manifest.get("key") != key:
        return None
    if manifest.get("payload") != [len(payload), digest(payload)]:
        return None  # truncated or altered
    entries = manifest.get("files")
    if not isinstance(entries, list) or len(entries) != len(digests):
        return None
    for entry, (name, _, content) in zip(entries, digests):
        if not (isinstance(entry, dict) and entry.get("path") == name and entry.get("digest") == content):
            return None
    result = _SafeUnpickler(io.BytesIO(payload)).load()
    return result if _consistent(result, entries, digests) else None


def _declared(digests: Sequence[FileDigest]) -> Optional[List[Tuple[str, List[str]]]]:
    """The ids each file declares (see :func:`_declared_ids`), read from
    bytes with the digest the cache key was made of; None if one differs."""
    out = []
    for _, absolute, content in digests:
        try:
            with open(absolute, "rb") as fh:
                data = fh.read()
        except OSError:
            return None
        ids = _declared_ids(data.decode("utf-8", "replace")) if digest(data) == content else None
        if ids is None:
            return None
        out.append(ids)
    return out


def _rule_shape(rule: Any, ruleset_id: str) -> bool:
    """A rule of the model types wherever a verdict reads it."""
    return (type(rule) is Rule and rule.ruleset == ruleset_id and type(rule.id) is str
            and type(rule.applies_to) is str and isinstance(rule.require, Cond)
            and (rule.when is None or isinstance(rule.when, Cond))
            and (rule.unless is None or (type(rule.unless) is Exemption and isinstance(rule.unless.condition, Cond)))
            and type(rule.in_force_from) is dt.date
            and all(d is None or type(d) is dt.date for d in (rule.effective_from, rule.deadline, rule.until))
            and type(rule.title) is Text and type(rule.message) is Text and type(rule.cite) is Citation
            and type(rule.severity) is str and type(rule.tests) is tuple)


def _consistent(result: Any, entries: Sequence[Mapping[str, Any]], digests: Sequence[FileDigest]) -> bool:
    """A tuple of one Ruleset per file, with the ids and rule ids that both
    the manifest and the file itself declare, each rule of the model types."""
    if type(result) is not tuple or len(result) != len(entries):
        return False
    declared = _declared(digests)
    if declared is None:
        return False
    for rs, entry, (ruleset_id, rule_ids) in zip(result, entries, declared):
        if type(rs) is not Ruleset or rs.id != entry.get("ruleset") or rs.file != entry.get("path"):
            return False
        if rs.id != ruleset_id or type(rs.rules) is not tuple or type(rs.parameters) is not tuple:
            return False
        if not all(_rule_shape(r, rs.id) for r in rs.rules):
            return False
        if type(rs.manual_review) is not tuple or not all(
                _rule_shape(r, rs.id) and type(r.review) is Review for r in rs.manual_review):
            return False
        ids = [r.id for r in rs.rules]
        if ids != entry.get("rules") or ids != rule_ids:
            return False
        if not all(type(p) is Parameter for p in rs.parameters):
            return False
    return True


def _encode_cache(key: str, digests: Sequence[FileDigest], result: Tuple[Ruleset, ...]) -> bytes:
    payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    manifest = {
        "key": key,
        "files": [
            {"path": name, "digest": content, "ruleset": rs.id, "rules": [r.id for r in rs.rules]}
            for (name, _, content), rs in zip(digests, result)
        ],
        "payload": [len(payload), digest(payload)],
    }
    return _CACHE_MAGIC + json.dumps(manifest, ensure_ascii=False).encode("utf-8") + b"\n" + payload


def _read_cache(path: Path, key: str, digests: Sequence[FileDigest]) -> Optional[Tuple[Ruleset, ...]]:
    data = read_own(path)
    if data is None:
        return None
    try:
        return _decode_cache(data, key, digests)
    except Exception:  # damaged, truncated, refused: compile again
        return None


def _write_cache(path: Path, key: str, digests: Sequence[FileDigest], result: Tuple[Ruleset, ...]) -> None:
    if len(result) != len(digests):
        return
    data = _encode_cache(key, digests, result)
    # it must read back: a class the safe loader refuses would otherwise be
    # compiled and written again on every run
    if _decode_cache(data, key, digests) is None:
        return
    write_atomic(path, data, keep="rulesets-*.pickle")


def _memo_key(paths: Sequence[str], files: Sequence[str], with_bundled_parameters: bool) -> Optional[Tuple[Any, ...]]:
    """In-process cache key of a load by path: the files' paths and bytes
    (and the bundled files', whose parameters the rules may name)."""
    digests = _file_digests(files)
    if digests is None:
        return None
    extra: Optional[List[FileDigest]] = []
    if with_bundled_parameters:
        extra = _file_digests(bundled_paths())
        if extra is None:
            return None
    return (tuple(os.fspath(p) for p in paths), tuple(digests), with_bundled_parameters, tuple(extra or ()))


def load_rulesets(
    paths: Optional[Sequence[Union[str, os.PathLike]]] = None,
    *,
    with_bundled_parameters: bool = True,
    alongside: Sequence[Ruleset] = (),
) -> Tuple[Ruleset, ...]:
    """Load and validate rulesets (the bundled ones when ``paths`` is None).

    ``alongside``: rulesets already loaded that run together with these
    (e.g. bundled ones selected by id): a file of ``paths`` may not reuse
    their ruleset or rule ids.

    Parameters defined in any loaded ruleset -- and, when
    ``with_bundled_parameters``, in the bundled standards -- can be named by
    every rule. Raises :class:`~compliance.errors.RulesetError` listing every
    problem found, each with file, line and field.

    Loading the same files with the same bytes again returns the same tuple
    (in-process cache); the compiled bundled rulesets are also cached on disk
    (see :func:`_cache_file` and the notes above it). A ruleset with errors
    is never cached.
    """
    files = bundled_paths() if paths is None else _expand(paths)
    if paths is not None:
        taken = tuple((r.id, r.file, tuple(x.id for x in r.rules)) for r in alongside)
        memo = _memo_key([os.fspath(p) for p in paths], files, with_bundled_parameters)
        memo = memo and memo + (taken,)
        hit = _MEMO.get(memo) if memo is not None else None
        if hit is not None:
            return hit
        result = _load_rulesets(paths, files, with_bundled_parameters, alongside)
        # stored only if no file changed while it compiled
        again = _memo_key([os.fspath(p) for p in paths], files, with_bundled_parameters)
        if memo is not None and again is not None and memo == again + (taken,):
            if len(_MEMO) >= _MEMO_SIZE:
                _MEMO.clear()
            _MEMO[memo] = result
        return result
    plan = _cache_plan(files)
    if plan is not None:
        cached = _read_cache(*plan)
        if cached is not None:
            return cached
    result = _load_rulesets(None, files, with_bundled_parameters)
    if plan is not None and _file_digests(files) == plan[2]:
        try:
            _write_cache(plan[0], plan[1], plan[2], result)
        except Exception:
            pass  # a read-only home is fine: just no cache
    return result


def _load_rulesets(
    paths: Optional[Sequence[Union[str, os.PathLike]]],
    files: List[str],
    with_bundled_parameters: bool,
    alongside: Sequence[Ruleset] = (),
) -> Tuple[Ruleset, ...]:
    loader = _Loader()
    docs: List[Tuple[Document, dict]] = []
    from .errors import InputError

    bundled = {os.path.abspath(p) for p in bundled_paths()}

    def is_bundled(doc: Document) -> bool:
        return os.path.abspath(doc.source) in bundled

    for f in files:
        try:
            doc = load_document(f)
        except InputError as exc:
            loader.problems.extend(exc.problems)
            continue
        wrong = type_problems(doc)  # every value of the type the format says, before any is used
        if wrong:
            loader.problems.extend(wrong)
            continue
        head = loader.header(doc)
        if head is not None:
            docs.append((doc, head))
    # the ids bundled rulesets in this selection hold (given by path, or
    # alongside): a ruleset of the user's that reuses one is refused at its
    # own file and line, whichever order they were given in
    owners: Dict[Tuple[str, str], str] = {}
    for rs in alongside:
        owners[("ruleset", rs.id)] = rs.file
        for r in rs.rules + rs.manual_review:
            owners.setdefault(("rule", r.id), f"{r.file}:{r.line}")
    for doc, head in docs:
        if is_bundled(doc):
            owners.setdefault(("ruleset", head["id"]), doc.source)
            for part in ("rules", "manual_review"):
                listed = doc.data.get(part)
                for i, raw in enumerate(listed if isinstance(listed, list) else []):
                    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
                        owners.setdefault(("rule", raw["id"]), f"{doc.source}:{doc.where((part, i))[0]}")
    params: Dict[str, Parameter] = {}
    param_where: Dict[str, str] = {}
    param_docs = list(docs)
    if paths is not None and with_bundled_parameters and docs:  # (no ruleset left to compile: nothing to name them)
        given = {os.path.abspath(f) for f in files}
        replaced = {head["id"] for _, head in docs}  # a file with a bundled ruleset's id stands in for it
        extra = [p for p in bundled_paths() if os.path.abspath(p) not in given]
        for f in extra:
            doc = load_document(f)
            head = loader.header(doc)
            if head is not None and head["id"] not in replaced:
                param_docs.append((doc, head))
    # the bundled standards' parameters first: a user's redefinition is
    # refused at the user's file
    param_docs.sort(key=lambda d: not is_bundled(d[0]))
    for doc, head in param_docs:
        for p in loader.parameters(doc, head):
            if p.id in params and params[p.id].ruleset != p.ruleset:
                ids = [q.get("id") if isinstance(q, Mapping) else None for q in doc.data.get("parameters") or []]
                at = ("parameters", ids.index(p.id), "id") if p.id in ids else ("parameters",)
                loader.err(doc, at, "parameters" + "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in at[1:]), f"parameter {p.id!r} is already defined in {param_where[p.id]}"
                           " (ruleset " + repr(params[p.id].ruleset) + "); give yours its own id")
                continue
            params[p.id] = p
            param_where.setdefault(p.id, doc.source)
    compiled_params = {k: _CompiledParam(p.value, {**p.source, "parameter": p.id}) for k, p in params.items()}
    rulesets: List[Ruleset] = []
    seen_rules: Dict[str, str] = {}
    seen_sets: Dict[str, str] = {}
    for doc, head in docs:
        mine = not is_bundled(doc)
        if mine and ("ruleset", head["id"]) in owners:
            loader.err(doc, ("ruleset", "id"), "ruleset.id",
                       f"ruleset id {head['id']!r} is the id of the bundled ruleset {owners[('ruleset', head['id'])]}, "
                       "selected with it; give your ruleset its own id (or leave the bundled one out)")
            continue
        if head["id"] in seen_sets:
            loader.err(doc, ("ruleset", "id"), "ruleset.id", f"ruleset {head['id']!r} is also defined in {seen_sets[head['id']]}")
            continue
        seen_sets[head["id"]] = doc.source
        raw_rules = doc.data.get("rules") or []
        if not isinstance(raw_rules, list):
            loader.err(doc, ("rules",), "rules", "must be a list of rules")
            continue
        # rules and review items share the ids: one finding per (id, entity)
        compiled: Dict[str, List[Rule]] = {"rules": [], "manual_review": []}
        for part, compile_one in (("rules", loader.rule), ("manual_review", loader.review)):
            listed = doc.data.get(part) or []
            for i, raw in enumerate(listed if isinstance(listed, list) else []):
                rule = compile_one(doc, head, i, raw, compiled_params)
                if rule is None:
                    continue
                if mine and ("rule", rule.id) in owners:
                    loader.err(doc, (part, i, "id"), f"{rule.id}.id",
                               f"rule id {rule.id!r} is the id of a bundled rule ({owners[('rule', rule.id)]}) selected "
                               "with it: one (rule, entity) would get two findings; give your rule its own id")
                    continue
                if rule.id in seen_rules:
                    loader.err(doc, (part, i, "id"), f"{rule.id}.id", f"duplicate rule id (also in {seen_rules[rule.id]})")
                    continue
                seen_rules[rule.id] = doc.source
                compiled[part].append(rule)
        rules, items = compiled["rules"], compiled["manual_review"]
        rulesets.append(Ruleset(
            head["id"], head["title"], head["issuer"], head["issued"], head["jurisdiction"], head["source"],
            head["version"], head["kind"], tuple(rules), tuple(p for p in params.values() if p.ruleset == head["id"]),
            doc.source, head["short_title"], tuple(items),
        ))
    if loader.problems:
        raise RulesetError(loader.problems)
    return tuple(rulesets)


@attrs.frozen
class _CompiledParam:
    value: Any
    source: Mapping[str, str]
