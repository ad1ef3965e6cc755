"""``--format github``: GitHub Actions workflow commands, streamed.

Each record is a ``::group::`` with one annotation per finding that needs
attention -- violation ``::error``, indeterminate ``::warning``,
manual_review, pending and waived ``::notice`` -- at the record's file and
the entity's line, and a closing line with the counts of every status
(compliant, exempt and not_applicable findings are counted there, not
annotated). A record that could not be checked gives one ``::error`` per
problem at its file and line. Values are escaped as the runner reads them:
``%``, CR and LF in the message; also ``:`` and ``,`` in properties.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from .._output import escape
from ..errors import Problem
from ._common import artifact, citation, counts, localised, status_label, statuses_in, text

#: status -> annotation command; statuses not named are only counted.
COMMAND = {"violation": "error", "indeterminate": "warning", "manual_review": "notice",
           "pending": "notice", "waived": "notice"}


def escape_data(value: str) -> str:
    """A command's message as the runner reads it back; other control
    characters from the inputs are shown as escapes (``\\x1b``)."""
    return escape(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, file: Optional[str] = None, line: int = 0, col: int = 0,
            title: Optional[str] = None) -> str:
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
    if line > 0:
        props.append(f"line={line}")
    if col > 0:
        props.append(f"col={col}")
    if title:
        props.append(f"title={escape_property(title)}")
    return f"::{name}{' ' + ','.join(props) if props else ''}::{escape_data(message)}\n"


def payload(record: Mapping[str, Any], lang: str) -> str:
    fac = record["facility"]
    path = artifact(record["source"])
    name = f" {fac['name']}" if fac.get("name") else ""
    out = [f"::group::{escape_data(record['source'])}: {escape_data(str(fac.get('id')))}{escape_data(name)}\n"]
    for f in record["findings"]:
        cmd = COMMAND.get(f["status"])
        if cmd is None:
            continue
        ent = f["entity"]
        src = f["source"]
        body = localised(f["message"], lang) + "\n" + f"{f['rule']}: {citation(src, lang)}"
        if src.get("text"):
            body += f"\n“{src['text']}”"
        title = f"{status_label(f['status'], lang)}: {localised(f.get('title') or {}, lang) or f['rule']} " \
                f"({ent['type']}[{ent['id']}])"
        out.append(command(cmd, body, path, f.get("line") or 0, title=title))
    for w in record.get("warnings", ()):
        out.append(command("warning", f"{w.get('field', '')}: {w.get('message', '')}".lstrip(": "),
                           str(w.get("file") or path or ""), int(w.get("line") or 0)))
    n = counts(record)
    out.append(escape_data(f"{text('summary', lang)}: " + ", ".join(
        f"{status_label(s, lang)} {n.get(s, 0)}" for s in statuses_in(n))) + "\n")
    out.append("::endgroup::\n")
    return "".join(out)


def failure_text(source: str, problems: Sequence[Problem], lang: str) -> str:
    out = []
    for p in problems:
        field = f"{p.field}: " if p.field else ""
        out.append(command("error", f"{field}{p.message}", artifact(p.file or source) or None, p.line, p.column,
                           title=f"{text('input_error', lang)} ({p.level})"))
    return "".join(out)
