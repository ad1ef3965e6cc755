"""Files an outside author or packager relies on: ``python -m compliance``,
the pre-commit hooks, the LICENSE named in pyproject.toml, and the data the
installed package ships for authors."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml

from conftest import REPO

from compliance.cli import _parser


def test_python_dash_m_runs_the_command_line():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "compliance", "fields"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.startswith("facility"), out.stderr
    out = subprocess.run([sys.executable, "-m", "compliance", "--version"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.startswith("compliance ")


def test_pre_commit_hooks_run_existing_commands():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert {h["id"] for h in hooks} == {"compliance-validate", "compliance-test"}
    commands = set(_parser()._subparsers._group_actions[0].choices)  # the CLI's subcommands
    for hook in hooks:
        program, command = hook["entry"].split()
        assert program == "compliance" and command in commands
        assert hook["language"] == "python" and re.compile(hook["files"]).search("rulesets/x.yaml")
        assert {"id", "name", "entry", "language", "files", "description"} <= set(hook)


def test_license_file_is_the_license_pyproject_names():
    pyproject = (REPO / "pyproject.toml").read_text("utf-8")
    declared = re.search(r'^license = \{text = "([^"]+)"\}', pyproject, re.MULTILINE).group(1)
    text = (REPO / "LICENSE").read_text("utf-8")
    assert declared == "Apache-2.0"
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text  # the whole licence, not a pointer to it


def test_package_data_ships_the_author_files():
    pyproject = (REPO / "pyproject.toml").read_text("utf-8")
    shipped = re.search(r'^"compliance" = \[(.*)\]$', pyproject, re.MULTILINE).group(1)
    for name in ("record_docs.yaml", "record.schema.json", "ruleset.schema.json"):
        path = REPO / "compliance" / "data" / name
        assert path.is_file()
        assert f'"data/*{path.suffix}"' in shipped, name
