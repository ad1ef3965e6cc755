"""The README's first screen gives exactly two set-up commands, and CI runs the second."""

import re

from conftest import REPO


def test_two_commands_and_ci_runs_the_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S).group(1).strip().splitlines()
    assert len(first_block) == 2
    install_and_run, test = first_block
    assert "pip install" in install_and_run and "compliance check examples/" in install_and_run
    assert "pytest" in test
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci
    # the first screen: both commands within the first 25 lines
    assert readme.index(test) < len("\n".join(readme.splitlines()[:25]))
