"""The bundled examples: expected key findings, and the permit-review script."""

import subprocess
import sys

import pytest

import compliance

from conftest import EXAMPLES


def statuses(path, **kw):
    report = compliance.check(EXAMPLES / path, **kw)
    return {(f.rule, f.entity): f.status for f in report.findings}


def test_every_example_checks_cleanly():
    paths = sorted(EXAMPLES.glob("*.yaml"))
    assert len(paths) >= 6
    report = compliance.check_many(paths)
    assert not report.errors
    for rec in report.records:
        assert rec.findings, rec.source
        assert not rec.warnings, (rec.source, rec.warnings)


def test_jizhou_auto_parts():
    s = statuses("jizhou-auto-parts.yaml")
    assert s[("jizhou-2018/coating-voc/automotive-oem", "coatings[C1]")] == "violation"
    assert s[("jizhou-2018/coating-voc/industrial-anticorrosion", "coatings[C2]")] == "compliant"
    assert s[("jizhou-2018/coal-boiler-below-35th", "boilers[B1]")] == "violation"
    assert s[("jizhou-2018/boiler-special-limit/coal/pm", "boilers[B1]")] == "violation"
    assert s[("jizhou-2018/yuyang-biomass-briquette-ban", "boilers[B3]")] == "violation"
    assert s[("jizhou-2018/construction-dust/six-100-percent", "construction_sites[W1]")] == "violation"


def test_permit_review_script():
    proposed = EXAMPLES / "dongli-proposed-project.yaml"
    if not proposed.exists():
        pytest.skip("no proposed-project example")
    proc = subprocess.run([sys.executable, str(EXAMPLES / "permit_review.py"), str(proposed), "--as-of", "2023-03-01"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "NOT APPROVABLE" in proc.stdout and "禁止新建燃煤锅炉" in proc.stdout
