"""A ledger says what a YAML record says: each bundled YAML example, written
into a workbook in the bundled mapping's layout (Chinese headers, 是/否,
Chinese values), gets exactly the YAML record's findings."""

import openpyxl
import pytest

import compliance
from compliance.api import Failure, iter_check
from compliance.ledger import _fold, iter_records, load_mapping
from compliance.record import load_record
from conftest import EXAMPLES
from snapshot import example_paths


def _flat(data, prefix=""):
    out = {}
    for key, value in data.items():
        if isinstance(value, dict) and set(value) != {"value", "unit"}:
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _cell(value, col):
    """What a bureau would type for a record value, in the mapping's words."""
    chinese = {}
    for text in col.shown:  # the first text the mapping gives for a value
        chinese.setdefault(col.values[_fold(text)], text)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):  # {value, unit}
        return f"{value['value']} {value['unit']}"
    if isinstance(value, list):
        return "、".join(chinese.get(v, v) for v in value) if value else "无"
    if isinstance(value, str) and col.spec.type == "enum":
        return chinese.get(value, value)
    return value


def workbook_of(record: dict, path):
    m = load_mapping()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    fid = str(record["facility"]["id"])
    for section, spec in m.sheets.items():
        raw = record.get(section)
        if raw is None:
            continue
        first = {}
        for col in spec.columns:
            first.setdefault(col.field, col)
        rows = [raw] if isinstance(raw, dict) else raw
        flats = [_flat(r) for r in rows]
        if section == "facility":
            flats[0].update(record.get("context") or {})
        fields = [f for f in first if any(f in r for r in flats)]
        ws = wb.create_sheet(spec.sheet)
        lead = [] if section == "facility" else [m.facility_id]
        ws.append(lead + [first[f].header for f in fields])
        for r in flats:
            ws.append(([fid] if lead else []) + [_cell(r[f], first[f]) if f in r else None for f in fields])
    wb.save(path)
    return path


def _unplaced(findings):
    return [{k: v for k, v in f.to_dict().items() if k != "line"} for f in findings]


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.name)
def test_a_yaml_example_as_a_ledger_gets_the_same_findings(tmp_path, path):
    record = load_record(path).document.data
    xlsx = workbook_of(record, tmp_path / "ledger.xlsx")
    (item,) = list(iter_check(iter_records(xlsx)))
    assert not isinstance(item, Failure), [str(p) for p in item.problems]
    want = compliance.check(path).records[0]
    assert item.as_of == want.as_of
    assert _unplaced(item.findings) == _unplaced(want.findings)
    assert len(want.findings) >= 5
    cells = [c.value for ws in openpyxl.load_workbook(xlsx).worksheets for row in ws.iter_rows() for c in row]
    assert "是" in cells  # the ledger is in the mapping's words, not the YAML's
