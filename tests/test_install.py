"""A non-editable install finds every bundled ruleset and vocabulary file."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO


def test_non_editable_install_ships_rulesets(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git not available to make a clean copy")
    src = tmp_path / "src"
    # a clean copy of the tracked files, as a fresh clone would have
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for f in filter(None, files):
        rel = f.decode()
        if not (REPO / rel).exists():
            continue
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, src / rel)
    target = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(src)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    code = (
        "import compliance, compliance.ruleset as r, os;"
        "paths = r.bundled_paths();"
        "assert paths and all(p.startswith(os.environ['TARGET']) for p in paths), paths;"
        "rs = compliance.load_rulesets();"
        "print(compliance.__file__); print(len(paths), sum(len(x.rules) for x in rs))"
    )
    env = {**os.environ, "PYTHONPATH": str(target), "TARGET": str(target)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    first, counts = out.stdout.splitlines()[:2]
    assert first.startswith(str(target))
    n_files, n_rules = map(int, counts.split())
    assert n_files == len([p for p in os.listdir(REPO / "rulesets") if p.endswith(".yaml")])
    assert n_rules >= 20
    assert (target / "compliance" / "py.typed").is_file()
    # the record format's documentation and the editor schemas (compliance fields / schema)
    for name in ("record_docs.yaml", "record.schema.json", "ruleset.schema.json"):
        assert (target / "compliance" / "data" / name).is_file(), name
    assert (target / "compliance" / "__main__.py").is_file()
    assert (target / "compliance" / "formats" / "templates" / "report.html.j2").is_file()  # the HTML report
