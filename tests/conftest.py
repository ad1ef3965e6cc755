import io
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

#: The text outputs follow the locale (compliance.i18n); the suite's expected
#: texts are English whatever the developer's locale (the language tests set
#: their own environment).
os.environ["COMPLIANCE_LANG"] = "en"


def register(folder: Path, n: int, seed: int, bad_at: int, bad_line: str) -> list:
    """A batch for the parallel and Dask tests: the examples, then a JSON
    Lines register of ``n`` generated records with one bad line at
    ``bad_at`` (that line alone fails)."""
    import json

    sys.path.insert(0, str(REPO / "benchmarks"))
    from records import iter_records

    lines = [json.dumps(r, ensure_ascii=False) for r in iter_records(n, seed=seed)]
    lines.insert(bad_at, bad_line)
    (folder / "register.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [*sorted(str(p) for p in EXAMPLES.glob("*.yaml")), str(folder / "register.jsonl")]
#: The steering repository's shared/ folder sits beside the clone in CI.
SHARED = Path(os.environ.get("COMPLIANCE_SHARED", REPO.parent / "shared"))


class CliResult:
    def __init__(self, code, out, err):
        self.exit_code, self.output, self.stderr = code, out, err


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process, like click's CliRunner: exit code and output."""
    from compliance.cli import main

    def run(*args):
        out = io.StringIO()
        code = main([str(a) for a in args], out=out)
        err = capsys.readouterr().err
        return CliResult(code, out.getvalue(), err)

    return run


@pytest.fixture
def write(tmp_path):
    """Write a text file under tmp_path and return its path."""

    def _write(text, name="record.yaml"):
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return _write


def base_record(**sections):
    rec = {"context": {"as_of": "2019-03-01"}, "facility": {"id": "F1", "region": "120119"}}
    rec.update(sections)
    return rec


from hypothesis import settings as _hsettings

# CI: derandomized, bounded; `HYPOTHESIS_PROFILE=release` for a longer run.
_hsettings.register_profile("ci", derandomize=True, max_examples=150, deadline=None, print_blob=True)
_hsettings.register_profile("release", max_examples=3000, deadline=None, print_blob=True)
_hsettings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_sessionfinish(session):
    try:
        from test_properties import EXERCISED, RULES
    except Exception:
        return
    if EXERCISED:
        session.config._compliance_property_counts = (len(RULES), {k: len(v) for k, v in EXERCISED.items()})


def pytest_terminal_summary(terminalreporter, config):  # noqa: F811 - extends the hook above
    try:
        from test_hardening import FUZZ_COUNTS
    except Exception:
        FUZZ_COUNTS = {}
    if FUZZ_COUNTS:
        terminalreporter.write_line(
            "fuzz examples run: " + ", ".join(f"{k} {v}" for k, v in sorted(FUZZ_COUNTS.items()))
        )
    counts = getattr(config, "_compliance_property_counts", None)
    if counts:
        total, per = counts
        terminalreporter.write_line(f"property suite, rules exercised of {total}: "
                                    + ", ".join(f"{k} {v}" for k, v in sorted(per.items())))
