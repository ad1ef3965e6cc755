"""Writing text where it can be read: the CLI's output safety.

* **Control characters** (C0, DEL, C1, the Unicode line/paragraph
  separators and the bidi embedding, override and isolate marks) in text
  for a terminal are shown as escapes -- ``\\x1b``, ``\\u202e`` -- so a
  facility name cannot clear the screen, move the cursor or forge a table
  row (:func:`escape`). JSON is not touched: its own escaping is exact.
* **Encodings**: JSON is always written as UTF-8 (RFC 8259), whatever the
  locale. Text (tables, ``rules``, ``explain``, ``validate``, messages) is
  written in the stream's own encoding; a character it cannot hold gets
  its compatibility spelling (``m3`` for ``m³``), a plain fallback (``u``
  for ``µ``, ``<=`` for ``≤``) or, failing both, a ``\\uXXXX`` escape --
  never an exception, never a dropped character (:data:`FALLBACK`).
* **Write failures**: a failed write or flush (a full disk, a closed
  pipe) raises :class:`OutputError` (exit 3) or ``BrokenPipeError`` from
  the write that failed, never later at interpreter exit
  (:class:`SafeOut`, :func:`discard_stdout`).
"""

from __future__ import annotations

import codecs
import os
import re
import sys
import unicodedata
from typing import Any, Optional

from .errors import ComplianceError

__all__ = ["OutputError", "SafeOut", "escape", "discard_stdout", "setup_stdout", "FALLBACK"]

# C0 and C1 controls and DEL, the line and paragraph separators, the bidi
# marks, embeddings, overrides and isolates, the Arabic letter mark
_OTHER_CONTROLS = "\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c"
_ANY = re.compile("[\x00-\x1f" + _OTHER_CONTROLS + "]")
_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f" + _OTHER_CONTROLS + "]")


def _shown(match: "re.Match[str]") -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``,
    ``\\u202e``); with ``keep_newlines``, ``\\n`` is left as it is (for
    text whose line breaks are the program's own)."""
    pattern = _BUT_NEWLINE if keep_newlines else _ANY
    return pattern.sub(_shown, text) if pattern.search(text) else text


#: Plain spellings for characters a text stream's encoding cannot hold,
#: tried after the Unicode compatibility form (NFKC: ``³`` -> ``3``).
FALLBACK = {
    "µ": "u", "μ": "u", "“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-",
    "≤": "<=", "≥": ">=", "×": "x", "·": ".", "°": "deg", "‰": "permille", "…": "...", "→": "->",
    # the table's box drawing
    "─": "-", "│": "|", **{corner: "+" for corner in "┌┐└┘├┤┬┴┼"},
}


def _fallback(exc: UnicodeError) -> tuple:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    encoding = exc.encoding
    parts = []
    for ch in exc.object[exc.start:exc.end]:
        for candidate in (unicodedata.normalize("NFKC", ch), FALLBACK.get(ch)):
            if candidate and candidate != ch:
                try:
                    candidate.encode(encoding)
                except (UnicodeError, LookupError):
                    continue
                parts.append(candidate)
                break
        else:
            code = ord(ch)
            if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that was not text (surrogateescape)
                code -= 0xDC00
            parts.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(parts), exc.end


codecs.register_error("compliance-fallback", _fallback)


class OutputError(ComplianceError):
    """The report could not be written (a full disk, an I/O error): the
    output is incomplete, so the run fails with status 3."""

    exit_code = 3


def _failed(exc: OSError, what: str) -> OutputError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(f"could not write the report to {what}: {reason}; the output is incomplete")


def _guarded(what: str, call: Any, *args: Any) -> Any:
    """``call(*args)``, its ``OSError`` an :class:`OutputError` (a closed
    pipe stays ``BrokenPipeError``: the reader left, nothing failed)."""
    try:
        return call(*args)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _failed(exc, what) from None


class _SafeBytes:
    """The byte layer under :class:`SafeOut` (for copying UTF-8 as it is)."""

    def __init__(self, raw: Any, what: str):
        self._raw = raw
        self._what = what

    def write(self, data: bytes) -> int:
        """All of ``data``, or an error: a short write is retried for the
        rest, which then fails with the reason (a closed pipe, a full disk)."""
        view = memoryview(data)
        while view:
            n = _guarded(self._what, self._raw.write, view)
            if not n:  # nothing written and no error: the stream cannot take more
                raise OutputError(f"could not write the report to {self._what}: short write "
                                  f"({len(data) - len(view)} of {len(data)} bytes); the output is incomplete")
            view = view[n:]
        return len(data)

    def flush(self) -> None:
        _guarded(self._what, self._raw.flush)


class SafeOut:
    """A text stream whose failed writes and flushes raise
    :class:`OutputError` (``BrokenPipeError`` passes through: the reader
    left), optionally escaping control characters in everything written
    (``escape_controls``: the program's own newlines are kept)."""

    def __init__(self, stream: Any, escape_controls: bool = False, what: str = "standard output"):
        self._stream = stream
        self._escape = escape_controls
        self._what = what
        self.encoding = getattr(stream, "encoding", None)
        raw = getattr(stream, "buffer", None)
        self.buffer = _SafeBytes(raw, what) if raw is not None else None
        # the bytes may go under the text layer (report.StreamWriter) only
        # where it would neither re-encode nor translate line ends
        self.bytes_passthrough = (raw is not None and stream in (sys.stdout, sys.__stdout__)
                                  and (self.encoding or "").lower().replace("_", "-") in ("utf-8", "utf8")
                                  and os.linesep == "\n")

    def write(self, text: str) -> int:
        if self._escape:
            text = escape(text, keep_newlines=True)
        return _guarded(self._what, self._stream.write, text)

    def flush(self) -> None:
        _guarded(self._what, self._stream.flush)

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, ...
        return getattr(self._stream, name)


def setup_stdout(json_output: bool) -> None:
    """Make this process's stdout able to take any report: UTF-8 for JSON;
    the locale's encoding with fallback spellings for text. Standard error
    gets the fallback too (messages quote names in any script)."""
    for stream, utf8 in ((sys.stdout, json_output), (sys.stderr, False)):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            if utf8:  # a file name that is not UTF-8 (a lone surrogate) becomes a JSON escape, \udce5
                reconfigure(encoding="utf-8", errors="backslashreplace")
            else:
                reconfigure(errors="compliance-fallback")
        except (OSError, ValueError, LookupError):  # pragma: no cover - a stream that cannot change
            pass


def discard_stdout() -> None:
    """After a failed write to stdout: point file descriptor 1 at the null
    device, so that the text still buffered is dropped quietly when Python
    flushes stdout at exit (as the Python documentation recommends for
    ``BrokenPipeError``), instead of an "Exception ignored" message."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull: Optional[int] = None
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        if devnull is not None:
            os.close(devnull)
