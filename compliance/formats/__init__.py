"""Report views for code scanning, CI and the permit file: ``sarif``,
``junit``, ``markdown``, ``github`` and ``html`` (``docs/formats.md``).

Each is a view of the same ``report/1`` data (``RecordReport.to_dict()``):
a record is rendered to a small picklable *part* where it was checked
(:func:`record_part`, run by :class:`compliance.writers.RecordRenderer`, so
in a worker process with ``--jobs``) and the parts are written in input
order by :class:`compliance.formats.writer.FormatWriter`. ``github`` streams (each record's
annotations are written as it comes); ``junit``, ``sarif``, ``markdown``
and ``html`` need totals or a summary before the records, so their parts
are spooled to a temporary file and the document is written at the end.
No format drops a record or a failure: an input that could not be checked
is a SARIF tool notification, a JUnit ``<error>``, a ``::error``
annotation, and a section of the Markdown and HTML documents.

From Python::

    from compliance.formats import render
    html = render(compliance.check("facility.yaml"), "html", lang="zh")
"""

from __future__ import annotations

import io
from typing import Any, Mapping, Optional, Sequence


__all__ = ["FORMATS", "record_part", "render"]

#: The formats of this package, as ``check --format`` names them.
FORMATS = ("sarif", "junit", "markdown", "github", "html")


def record_part(fmt: str, rec, *, lang: str, refs: Sequence[Mapping[str, str]],
                fail_on: Sequence[str] = ("violation",)) -> Any:
    """One record (a :class:`~compliance.report.RecordReport`) rendered for ``fmt``."""
    data = rec.to_dict()
    if fmt == "sarif":
        from . import sarif

        return sarif.payload(data, {r["id"]: r.get("version", "") for r in refs}, lang)
    if fmt == "junit":
        from . import junit

        return junit.payload(data, tuple(fail_on), lang)
    if fmt == "github":
        from . import github

        return github.payload(data, lang)
    if fmt in ("markdown", "html"):
        from . import document

        return document.payload(fmt, data, lang)
    raise ValueError(f"unknown format {fmt!r}")


def render(report, fmt: str, lang: str = "en", fail_on: Sequence[str] = ("violation",)) -> str:
    """A whole :class:`~compliance.report.Report` in ``fmt`` (its errors
    included, each as a failure of its file), as text."""
    from .writer import FormatWriter

    out = io.StringIO()
    w = FormatWriter(fmt, out, refs=report.rulesets, as_of=report.as_of, lang=lang, engine=report.engine,
                     fail_on=fail_on)
    for rec in report.records:
        w.record(rec)
    by_file: dict = {}
    for p in report.errors:
        by_file.setdefault(p.file, []).append(p)
    for source, problems in by_file.items():
        w.failure(source, problems)
    w.close()
    return out.getvalue()
