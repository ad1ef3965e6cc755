"""The example district ledger: its findings snapshot, its CSV variant, and
the acceptance path (a template filled with its rows gives its findings)."""

import datetime as dt
import os
import sys

import openpyxl
import pytest

import snapshot
from compliance.api import Failure, iter_check
from compliance.ledger import iter_records
from conftest import EXAMPLES

XLSX = EXAMPLES / "tianjin-district-ledger.xlsx"
CSV_DIR = EXAMPLES / "tianjin-district-ledger-csv"
UPDATE = os.environ.get("COMPLIANCE_UPDATE_SNAPSHOTS") == "1"


def findings(path):
    """{facility id: {as_of, findings}}; no input errors allowed."""
    out = {}
    for item in iter_check(iter_records(path)):
        assert not isinstance(item, Failure), item
        out[item.facility["id"]] = {"as_of": item.as_of, "findings": [f.to_dict() for f in item.findings]}
    return out


#: what the snapshot keeps of a finding: the verdict and its figures (the
#: messages and citations are the rules' text, guarded by examples.json)
KEPT = ("rule", "entity", "status", "observed", "limit", "missing", "line")


def test_example_ledger_snapshot():
    new = {fid: {"as_of": rec["as_of"], "findings": [{k: f[k] for k in KEPT if k in f} for f in rec["findings"]]}
           for fid, rec in findings(XLSX).items()}
    assert len(new) == 40
    statuses = {f["status"] for rec in new.values() for f in rec["findings"]}
    assert {"violation", "compliant", "indeterminate"} <= statuses
    old = snapshot.load("ledger.json")
    if UPDATE or old is None:
        snapshot.save("ledger.json", new)
        if old is None and not UPDATE:
            pytest.fail("snapshot ledger.json was missing and has been written; commit it")
        return
    changes = snapshot.diff_examples(old, new)
    assert not changes, f"{len(changes)} verdicts changed:\n" + "\n".join(changes[:200])


def test_committed_workbook_is_the_generators_output():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import make_ledger
    finally:
        sys.path.remove(str(EXAMPLES))
    sheets = make_ledger.build()
    wb = openpyxl.load_workbook(XLSX, read_only=True)
    assert wb.sheetnames == list(sheets)
    for title, rows in sheets.items():
        got = [list(r) for r in wb[title].iter_rows(values_only=True)]
        want = [[dt.datetime.combine(v, dt.time()) if isinstance(v, dt.date) else v for v in row] for row in rows]
        assert got == want, title


def test_csv_variant_gives_the_workbooks_facility_and_boiler_findings():
    def keep(recs):
        return {fid: [f for f in rec["findings"] if f["entity"]["type"] in ("facility", "boilers")]
                for fid, rec in recs.items()}

    assert keep(findings(CSV_DIR)) == keep(findings(XLSX))


def test_cli_check_prints_the_example_findings(cli):
    from compliance.ledger import BUNDLED_MAPPING

    r = cli("check", XLSX, "--mapping", BUNDLED_MAPPING)
    assert r.exit_code == 1, r.stderr
    assert r.output.count(f"{XLSX}: 9112") == 40
    assert "VIOLATION" in r.output and "summary: violation" in r.output
    assert cli("check", XLSX).output == r.output  # the bundled mapping is the default
    # validate counts the records it read: 40 facilities in the workbook and 40 in the CSV folder
    assert cli("validate", XLSX, CSV_DIR).output == "80 inputs: 0 errors, 0 warnings, 0 notes\n"


def test_template_filled_with_the_example_rows_gives_the_same_findings(tmp_path, cli):
    """Acceptance: `compliance ledger template KIND...`, filled in (here by
    openpyxl, copying each example row under the header of the same name),
    is read like the example."""
    template = tmp_path / "template.xlsx"
    r = cli("ledger", "template", "boilers", "coatings", "stacks", "vehicles", "construction_sites", "-o", template)
    assert r.exit_code == 0, r.stderr
    example = openpyxl.load_workbook(XLSX)
    wb = openpyxl.load_workbook(template)
    for ws in example.worksheets:
        target = wb[ws.title]
        headers = [c.value for c in target[1]]
        rows = list(ws.iter_rows(values_only=True))
        where = [headers.index(h) for h in rows[0]]  # every example header is a template header
        for row in rows[1:]:
            out = [None] * len(headers)
            for i, v in zip(where, row):
                out[i] = v
            target.append(out)
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    def unplaced(recs):  # a finding's line is its entity's row: one lower under the template's notes row
        return {fid: [{k: v for k, v in f.items() if k != "line"} for f in rec["findings"]] for fid, rec in recs.items()}

    ours, example = findings(filled), findings(XLSX)
    assert unplaced(ours) == unplaced(example)
    some = next(iter(example.values()))["findings"][0]
    assert next(iter(ours.values()))["findings"][0]["line"] == some["line"] + 1
    r = cli("check", filled, "--format", "jsonl")
    assert r.exit_code == 1 and len(r.output.splitlines()) == 40
