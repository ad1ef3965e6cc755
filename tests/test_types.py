"""The package is typed (py.typed) and passes mypy."""

import importlib.util
import subprocess
import sys

import pytest

from conftest import REPO


def test_py_typed_marker_ships():
    assert (REPO / "compliance" / "py.typed").is_file()


def test_mypy_is_clean():
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it is in the [test] extra)")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "compliance"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
