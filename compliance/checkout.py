"""Which rulesets ``compliance test`` tests when run in a source checkout.

An author edits ``rulesets/*.yaml`` in a checkout of this project while an
installed copy of the package carries its own bundled rulesets: testing the
installed copy would pass whatever the author changed ("edit a limit, run
it, 529 passed"). :func:`checkout_rulesets` finds the checkout around the
working directory -- a folder with a ``pyproject.toml`` naming this project
and a ``rulesets/`` folder of ruleset files -- and :func:`test_selection`
chooses its files over the installed ones, saying so.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

__all__ = ["checkout_rulesets", "test_selection", "shown_paths"]

_NAME = re.compile(r'^\s*name\s*=\s*["\']compliance["\']\s*$', re.MULTILINE)


def _is_project(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    project = re.split(r"^\s*\[project\]\s*$", text, maxsplit=1, flags=re.MULTILINE)
    if len(project) < 2:
        return False
    table = re.split(r"^\s*\[", project[1], maxsplit=1, flags=re.MULTILINE)[0]  # up to the next table
    return _NAME.search(table) is not None


def checkout_rulesets(start: Optional[str] = None) -> Optional[Tuple[Path, List[str]]]:
    """(checkout root, its ruleset files) when ``start`` (default: the
    working directory) is inside a source checkout of this project; else None."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "rulesets").is_dir():
            if not _is_project(folder / "pyproject.toml"):
                return None
            files = sorted(str(p) for p in (folder / "rulesets").iterdir() if p.suffix in (".yaml", ".yml"))
            return (folder, files) if files else None
    return None


def test_selection(selection: Sequence[str], bundled: Sequence[str],
                   start: Optional[str] = None) -> Tuple[Optional[List[str]], Optional[str]]:
    """What ``compliance test`` loads (None: the bundled rulesets) and a
    note to print when that is the checkout's files instead of the
    installed package's."""
    if selection:
        return list(selection), None
    found = checkout_rulesets(start)
    if found is None:
        return None, None
    root, files = found
    if {os.path.realpath(p) for p in files} == {os.path.realpath(p) for p in bundled}:
        return None, None  # the package is this checkout (an editable install, or run from it)
    installed = os.path.dirname(bundled[0]) if bundled else "?"
    note = (f"testing the rulesets of the source checkout {root / 'rulesets'}, not the installed copy in "
            f"{installed}; name ruleset ids or files to test others\n"
            f"测试源代码目录 {root / 'rulesets'} 中的规则集，而非已安装的副本 {installed}")
    return files, note


def shown_paths(paths: Sequence[str]) -> str:
    """The files, relative to the working directory where they lie below it."""
    here = Path.cwd().resolve()
    out = []
    for p in paths:
        path = Path(p).resolve()
        try:
            out.append(str(path.relative_to(here)))
        except ValueError:
            out.append(str(p))
    return ", ".join(out)
