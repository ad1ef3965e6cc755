"""Start-up imports only what a single-record check needs: no pint.

Each test runs a fresh interpreter (what the command line does) and looks at
``sys.modules``. No timings here: speed is measured by the benchmarks.
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import EXAMPLES, REPO

EXAMPLE = EXAMPLES / "jizhou-auto-parts.yaml"


def _run(code, tmp_path, **env):
    """Run ``code`` in a fresh interpreter; its last stdout line is JSON."""
    environ = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), **env}
    environ.pop("COMPLIANCE_NO_CACHE", None)
    environ.update({k: v for k, v in env.items() if v is not None})
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


CHECK = f"""
import io, json, sys
from compliance.cli import main
out = io.StringIO()
code = main(["check", {str(EXAMPLE)!r}], out=out)
print(json.dumps({{"code": code, "out": out.getvalue(), "pint": "pint" in sys.modules}}))
"""


def test_import_compliance_imports_no_pint(tmp_path):
    _warm(tmp_path)
    code = "import json, sys, compliance, compliance.units; print(json.dumps('pint' in sys.modules))"
    assert _run(code, tmp_path) is False


def test_a_check_of_the_example_imports_no_pint(tmp_path):
    first = _run(CHECK, tmp_path)  # compiles the bundled rulesets and caches them
    second = _run(CHECK, tmp_path)  # what every later run does
    assert second["pint"] is False
    assert second["code"] == first["code"] == 1 and second["out"] == first["out"]
    # the same report as with every cache off
    uncached = _run(CHECK, tmp_path, COMPLIANCE_NO_CACHE="1")
    assert (uncached["code"], uncached["out"]) == (second["code"], second["out"])


def _shipped_table_fits():
    """Whether the shipped unit table was built by the installed pint (else
    the first run builds one into the user cache, importing pint once)."""
    from compliance import units

    shipped = json.loads((REPO / "compliance" / "data" / "unit_table.json").read_text("utf-8"))
    return shipped.get("pint") == units.pint_version(), shipped.get("pint"), units.pint_version()


def _warm(tmp_path):
    """Build the user-cache table where the shipped one does not fit."""
    _run("import json; from compliance import units; units._table(); print(json.dumps(1))", tmp_path)


def test_compiling_the_bundled_rulesets_imports_no_pint(tmp_path):
    fits, shipped, installed = _shipped_table_fits()
    if not fits:
        pytest.skip(f"the shipped unit table was built with pint {shipped}, this is pint {installed}: "
                    "with every cache off, conversions go through pint by design")
    assert _run(CHECK, tmp_path, COMPLIANCE_NO_CACHE="1")["pint"] is False


def test_ureg_and_quantity_are_still_there_made_on_first_use(tmp_path):
    code = """
import json, sys
import compliance.units as u
before = "pint" in sys.modules
q = u.Quantity(2.0, u.ureg.parse_units("t/h"))
print(json.dumps([before, "pint" in sys.modules, str(q.to("kg/h").magnitude), u.ureg is u.ureg]))
"""
    assert _run(code, tmp_path) == [False, True, "2000.0", True]


def test_a_unit_the_table_lacks_still_converts_through_pint(tmp_path):
    _warm(tmp_path)
    code = """
import json, sys
from compliance import units
table = units._table()
assert table is not None and "cg/mL" not in table.dims, "pick a unit the table lacks"
before = "pint" in sys.modules
value, parsed = units.parse_quantity("61 cg/mL", "g/L")
print(json.dumps([before, "pint" in sys.modules, value, parsed.unit]))
"""
    assert _run(code, tmp_path) == [False, True, 610.0, "cg/mL"]


def test_a_record_with_such_a_unit_gets_the_same_verdicts(tmp_path):
    text = EXAMPLE.read_text("utf-8")
    assert "610 g/L" in text
    record = tmp_path / "cg.yaml"
    record.write_text(text.replace("610 g/L", "61 cg/mL"), encoding="utf-8")
    code = f"""
import json, sys
import compliance
def statuses(path):
    return sorted((f.rule, f.entity_type, f.entity_id, f.status) for f in compliance.check(path).findings)
plain = statuses({str(EXAMPLE)!r})
before = "pint" in sys.modules
other = statuses({str(record)!r})
print(json.dumps([before, "pint" in sys.modules, plain == other, len(plain)]))
"""
    first = _run(code, tmp_path)  # (compiles the rulesets)
    before, after, same, n = _run(code, tmp_path)
    assert (before, after, same) == (False, True, True) and n > 0 and first[2]
