"""``compliance test`` in a source checkout tests the checkout's rulesets
(what the author is editing), says so, and names the files it tested."""

from __future__ import annotations

import shutil

from conftest import REPO

from compliance.checkout import checkout_rulesets
from compliance.cli import main

JIZHOU = "cn-tj-jizhou-2018-autumn-winter.yaml"


def _checkout(tmp_path, name="compliance"):
    root = tmp_path / "src"
    (root / "rulesets").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[build-system]\nrequires = []\n\n[project]\nname = "{name}"\nversion = "0"\n')
    text = (REPO / "rulesets" / JIZHOU).read_text("utf-8")
    edited = text.replace("value: 580 g/L", "value: 600 g/L", 1)  # the author edits a limit
    assert edited != text
    (root / "rulesets" / JIZHOU).write_text(edited, "utf-8")
    return root


def test_test_in_a_checkout_tests_the_checkout(tmp_path, monkeypatch, capsys):
    root = _checkout(tmp_path)
    monkeypatch.chdir(root / "rulesets")  # anywhere inside the checkout
    code = main(["test"])
    out, err = capsys.readouterr()
    assert f"source checkout {root / 'rulesets'}" in err and "not the installed copy" in err
    assert code == 1 and "FAIL" in out  # the edited limit fails its boundary cases
    summary = out.splitlines()[-1]
    assert summary.endswith(f"in {JIZHOU}"), summary


def test_named_rulesets_and_other_projects_are_left_alone(tmp_path, monkeypatch, capsys):
    root = _checkout(tmp_path, name="another-project")
    assert checkout_rulesets(str(root)) is None
    root = _checkout(tmp_path / "mine")
    monkeypatch.chdir(root)
    code = main(["test", str(REPO / "rulesets" / "cn-gb4915-2013.yaml")])
    out, err = capsys.readouterr()
    assert code == 0 and "source checkout" not in err
    assert out.splitlines()[-1].endswith(f"in {REPO / 'rulesets' / 'cn-gb4915-2013.yaml'}")


def test_the_repository_itself_tests_its_own_files(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    code = main(["test", "cn-gb4915-2013"])
    out, err = capsys.readouterr()
    assert code == 0 and "source checkout" not in err
    assert out.splitlines()[-1].endswith("in rulesets/cn-gb4915-2013.yaml")  # relative to the working directory
