"""The writer of the view formats: parts in input order, failures, the document at the end."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from ..errors import Problem
from ..writers import _Writer
from . import record_part

__all__ = ["FormatWriter"]


class FormatWriter(_Writer):
    """Writes the parts of :func:`record_part` and the failures, in order."""

    def __init__(self, fmt: str, out, *, refs: Sequence[Mapping[str, str]], as_of: Optional[str], lang: str,
                 engine: str, fail_on: Sequence[str] = ("violation",), summary=None):
        super().__init__(summary)
        self.fmt, self.out, self.lang, self.fail_on = fmt, out, lang, tuple(fail_on)
        self.refs = [dict(r) for r in refs]
        self.doc: Any = None
        if fmt == "sarif":
            from .sarif import SarifDocument

            self.doc = SarifDocument(self.refs, as_of, lang, engine)
        elif fmt == "junit":
            from .junit import JunitDocument

            self.doc = JunitDocument()
        elif fmt in ("markdown", "html"):
            from .document import Document

            self.doc = Document(fmt, self.refs, as_of, lang, engine)

    def write_record(self, rec) -> None:
        self.write_payload(record_part(self.fmt, rec, lang=self.lang, refs=self.refs, fail_on=self.fail_on),
                           rec.as_of)

    def write_payload(self, payload: Any, as_of: str) -> None:
        if self.doc is None:  # github: streamed
            self.out.write(payload)
        else:
            self.doc.add(payload)

    def write_failure(self, source: str, problems: Sequence[Problem]) -> None:
        if self.fmt == "github":
            from .github import failure_text

            self.out.write(failure_text(source, problems, self.lang))
        elif self.fmt == "junit":
            from .junit import failure_payload

            self.doc.add(failure_payload(source, problems))
        else:
            self.doc.failure(source, problems)

    def close(self) -> None:
        if self.doc is not None:
            self.doc.write(self.out)
