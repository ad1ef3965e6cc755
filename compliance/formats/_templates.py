"""The Jinja2 environments of the HTML and Markdown views: templates shipped
in ``compliance/formats/templates``, compiled once per process.

HTML autoescapes every value (``autoescape=True``). Markdown escapes every
value through ``finalize`` (:func:`md`): HTML's ``& < >`` as entities, the
characters Markdown would read as markup with a backslash, a table cell's
``|`` as ``\\|`` and line breaks as ``<br>``; text a template means as
Markdown is wrapped in :class:`Raw`.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any

from ..status import STATUS_ORDER
from . import _common

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")


class Raw(str):
    """Markdown written by a template itself: not escaped again."""


def md(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _filters(env) -> None:
    env.filters.update(
        status=_common.status_label, alert=_common.alert_label, severity=_common.severity_label, quantity=_common.quantity,
        limit=_common.limit, citation=_common.citation, document=_common.document, loc=_common.localised,
        where=_common.problem_where, number=_common.number,
    )
    env.globals.update(t=_common.text, STATUS_ORDER=STATUS_ORDER, statuses_in=_common.statuses_in)


@functools.lru_cache(maxsize=None)
def environment(kind: str):
    """``html`` or ``markdown``: the environment, made once."""
    import jinja2

    if kind == "html":
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                 trim_blocks=True, lstrip_blocks=True)
    else:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False, finalize=md,
                                 trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                 )
        env.globals["raw"] = Raw
    _filters(env)
    return env


def template(kind: str, name: str):
    return environment(kind).get_template(name)
