"""Spreadsheet ledgers (compliance/ledger.py): reading, locations, bad cells, templates, CLI."""

import datetime as dt
import json

import openpyxl
import pytest

from compliance.api import Failure, iter_check
from compliance.errors import Problem
from compliance.ledger import (
    _fold, BUNDLED_MAPPING, LedgerDocument, Table, iter_records, load_mapping, read_ledger, write_template,
)
from compliance.vocabulary import vocabulary

FAC = ["企业编号", "企业名称", "所在区域", "核查日期"]


def workbook(path, sheets):
    """Write {sheet: rows} with openpyxl (normal mode) and return the path."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def results(path, **kw):
    out = {}
    for item in iter_records(path, **kw):
        if isinstance(item, Failure):
            out.setdefault("<failures>", []).append(item)
        else:
            out[item.data["facility"]["id"]] = item
    return out


def checked(path, **kw):
    """Failures (ledger's and checking's) and the reports by facility id."""
    failures, reports = [], {}
    for item in iter_check(iter_records(path, **kw)):
        if isinstance(item, Failure):
            failures.append(item)
        else:
            reports[item.facility["id"]] = item
    return failures, reports


def messages(failure):
    return [str(p) for p in failure.problems]


# ---------------------------------------------------------------- Problem


def test_problem_without_cell_is_unchanged():
    p = Problem("a.yaml", 3, 5, "boilers[B1].fuel", "bad")
    assert str(p) == "a.yaml:3:5: [error] boilers[B1].fuel: bad"
    assert p.to_dict() == {"file": "a.yaml", "line": 3, "column": 5, "field": "boilers[B1].fuel",
                           "message": "bad", "level": "error"}


def test_problem_with_cell():
    p = Problem("l.xlsx", 12, 3, "boilers[B1].capacity", "bad", "error", "锅炉!C12")
    assert str(p) == "l.xlsx:锅炉!C12: [error] boilers[B1].capacity: bad"
    assert p.to_dict()["cell"] == "锅炉!C12"
    assert sorted([p, Problem("l.xlsx", 2, 1, "", "x", "error", "锅炉!A2")])[0].cell == "锅炉!A2"


# ---------------------------------------------------------------- the bundled mapping

#: record fields a district bureau does not keep in a ledger (none today)
#: a stack's CEMS export (docs/cems.md) is a file beside a record, not a ledger column
NOT_IN_LEDGER: set = {"cems.export", "cems.format", "cems.boiler"}


def test_bundled_mapping_covers_every_section_and_field():
    m = load_mapping()
    vocab = vocabulary()
    assert set(m.sheets) == set(vocab.sections)
    for name, section in vocab.sections.items():
        mapped = {c.field for c in m.sheets[name].columns}
        leaves = {f for f, s in section.leaves.items() if s.type != "mapping"}
        assert leaves - mapped - NOT_IN_LEDGER == set(), name
    assert {"as_of", "alert"} <= {c.field for c in m.sheets["facility"].columns}


def test_bundled_mapping_names_every_enum_value_in_chinese():
    m = load_mapping()
    for section in m.sheets.values():
        for col in section.columns:
            if col.spec.type in ("enum", "enum_list"):
                assert col.values, f"{section.section}.{col.field} has no Chinese vocabulary"
                assert set(col.spec.values) <= set(col.values.values()), (section.section, col.field)
                assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in col.shown), col.field


def test_bad_mapping_is_refused_with_file_and_line(tmp_path):
    text = BUNDLED_MAPPING.read_text("utf-8").replace("燃料类型: {field: fuel, values: boiler_fuel}",
                                                      "燃料类型: {field: fuell, values: boiler_fuel}", 1)
    text = text.replace("化工废料: chemical_waste}", "化工废料: chemical_wast}", 1)
    path = tmp_path / "m.yaml"
    path.write_text(text, "utf-8")
    from compliance.errors import InputError

    with pytest.raises(InputError) as exc:
        load_mapping(path)
    text = str(exc.value)
    assert "unknown field 'fuell' of boilers (did you mean 'fuel'?)" in text
    assert "'chemical_wast' is not a value of boilers.co_firing" in text
    assert f"{path}:" in text


# ---------------------------------------------------------------- reading


def test_table_holds_values_as_a_yaml_record_would(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC + ["行业"], ["F1", "甲厂 ", "天津市蓟州区", dt.datetime(2019, 3, 1), "汽车制造、工业涂装"]],
        "锅炉": [["企业编号", "锅炉编号", "燃料类型", "额定热功率(MW)", "含氧量（%）", "布袋除尘", "投运日期"],
                 ["F1", "B1", "燃煤", 2.8, "９", "是", dt.datetime(2015, 6, 1)],
                 [],
                 ["F1", 2, "燃气 ", "36", None, "否", "2016-01-01"]],
    })
    led = read_ledger(path)
    assert not led.problems
    fac, boil = led.tables
    assert isinstance(fac, Table) and fac.section == "facility" and fac.sheet == "企业"
    assert fac.columns["id"] == ("F1",) and fac.columns["name"] == ("甲厂",)
    assert fac.columns["as_of"] == (dt.date(2019, 3, 1),)
    assert fac.columns["industries"] == (["automotive_manufacturing", "industrial_coating"],)
    assert boil.section == "boilers" and boil.rows == (2, 4) and boil.facility_ids == ("F1", "F1")
    assert boil.columns["id"] == ("B1", "2")
    assert boil.columns["fuel"] == ("coal", "gas")
    assert boil.columns["capacity"] == ("2.8 MW", "36 MW")
    assert boil.columns["emissions.o2"] == ("9 %", None)
    assert boil.columns["bag_filter"] == (True, False)
    assert boil.columns["commissioned"] == (dt.date(2015, 6, 1), "2016-01-01")
    assert boil.letters["capacity"] == "D" and boil.letters["emissions.o2"] == "E"
    docs = results(path)
    doc = docs["F1"]
    assert isinstance(doc, LedgerDocument)
    assert doc.data["boilers"][0]["emissions"] == {"o2": "9 %"}
    assert doc.data["context"] == {"as_of": dt.date(2019, 3, 1)}
    report = next(iter_check([doc]))
    assert {f.entity for f in report.findings} >= {"boilers[B1]", "boilers[2]"}


def test_normalisation_errors_point_at_the_cell(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)], ["F2", "乙", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "涂料": [["企业编号", "涂料编号", "VOC含量"], ["F1", "C1", "610 gramz/L"], ["F2", "C1", "600 g/L"]],
    })
    (failure,), out = checked(path)
    assert messages(failure) == [f"{path}:涂料!C2: [error] coatings[C1].voc_content: unknown unit 'gramz/L' "
                                 "('gramz' is not defined in the unit registry)"]
    assert failure.problems[0].to_dict()["cell"] == "涂料!C2"
    assert "F2" in out  # the other facility is still checked


def test_bad_cells_each_named_and_the_rest_still_checked(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", 43525], ["F2", "乙", "天津市蓟州区", dt.date(2019, 3, 1)],
                 ["F2", "乙2", "天津市蓟州区", None], [None, "无编号", "蓟州区", None],
                 ["F3", "丙", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "锅炉": [["企业编号", "锅炉编号", "燃料类型", "额定蒸发量(t/h)", "颜色"],
                 ["F1", "B1", "煤", "二十", None], ["F9", "B1", "燃煤", 1, None], ["F3", "B1", "燃煤", 20, "红"],
                 ["F4", "B1", "燃煤", 20, None]],
    })
    out = results(path)
    ledger_failure, *facility_failures = out["<failures>"]
    assert messages(ledger_failure) == [
        f"{path}:企业!A5: [error] 企业编号: the row has no facility id (企业编号); a merged cell is read as empty "
        "below its first row: unmerge it and fill every row"]
    by = {f.problems[0].cell: messages(f) for f in facility_failures}
    assert by["企业!D2"] == [
        f"{path}:企业!D2: [error] context.as_of: a number 43525 where a date is expected; format the cell as a date "
        "(an Excel date serial number is not read as a date)",
        f"{path}:锅炉!C2: [error] boilers[B1].fuel: unknown value '煤' (did you mean '燃煤'?); the column takes "
        "燃煤、燃气、燃油、生物质、电、醇基燃料、其他",
        f"{path}:锅炉!D2: [error] boilers[B1].capacity: expected a number (the unit t/h is in the header), got '二十'"]
    assert by["企业!A4"] == [f"{path}:企业!A4: [error] facility.id: duplicate facility row for 'F2' (first in row 3)"]
    assert by["锅炉!E1"] == [f"{path}:锅炉!E1: [error] unknown header '颜色' in boilers; an unmapped column would be dropped"]
    assert by["锅炉!A3"] == [f"{path}:锅炉!A3: [error] facility: facility 'F9' has no row in the facility sheet (企业)"]
    assert by["锅炉!A5"][0].endswith("facility 'F4' has no row in the facility sheet (企业)")
    assert set(out) == {"<failures>"}  # F2 (duplicate), F3 (wrote under the unknown header): none checked as is


def test_unknown_header_suggests_a_mapped_one_and_spares_facilities_without_values(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)], ["F2", "乙", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "锅炉": [["企业编号", "锅炉编号", "燃料种类"], ["F1", "B1", "燃煤"], ["F2", "B1", None]],
    })
    out = results(path)
    (failure,) = out["<failures>"]
    assert "unknown header '燃料种类' in boilers (did you mean '燃料类型'?)" in messages(failure)[0]
    assert "F2" in out and "F1" not in out


def test_unit_in_a_header_is_checked_once(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "涂料": [["企业编号", "涂料编号", "VOC含量(kg)"], ["F1", "C1", 1], ["F1", "C2", 2]],
    })
    (failure,) = results(path)["<failures>"]
    assert len(failure.problems) == 1 and failure.problems[0].cell == "涂料!C1"
    assert "header 'VOC含量(kg)'" in failure.problems[0].message and "dimension" in failure.problems[0].message


def test_formula_without_cached_value_is_an_error(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "涂料": [["企业编号", "涂料编号", "VOC含量(g/L)"], ["F1", "C1", "=300*2"]],
    })
    (failure,) = results(path)["<failures>"]
    assert failure.problems[0].cell == "涂料!C2"
    assert "formula =300*2 has no calculated value" in failure.problems[0].message


def test_template_notes_row_is_skipped_and_empty_template_reads_empty(tmp_path):
    path = tmp_path / "t.xlsx"
    assert write_template(path, ["boilers", "涂料"]) == ["企业", "锅炉", "涂料"]
    led = read_ledger(path)
    assert not led.problems and all(t.rows == () for t in led.tables)
    wb = openpyxl.load_workbook(path)
    ws = wb["锅炉"]
    assert [c.value for c in ws[1]][:4] == ["企业编号", "锅炉编号", "燃料类型", "额定蒸发量(t/h)"]
    assert all(c.value.startswith("说明：") for c in ws[2])
    assert "单位：t/h" in ws["D2"].value
    lists = {str(dv.sqref).split(":")[0][:-1] for dv in ws.data_validations.dataValidation}
    assert {"C", "E", "F", "G"} <= lists  # fuel, medium, use, status
    assert wb[load_mapping().lists_sheet].sheet_state == "hidden"
    ws.append(["F1", "B1", "燃煤", 20])
    wb["企业"].append(["F1", "甲", "天津市蓟州区"])
    wb.save(path)
    led = read_ledger(path)
    assert not led.problems and led.tables[1].rows == (3,) and led.tables[1].columns["capacity"] == ("20 t/h",)


# ---------------------------------------------------------------- CSV


def _csv(path, text, encoding):
    path.write_bytes(text.encode(encoding))
    return path


FAC_CSV = "企业编号,企业名称,所在区域,核查日期\nF1,甲,天津市蓟州区,2019-03-01\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(tmp_path, encoding):
    folder = tmp_path / "ledger"
    folder.mkdir()
    _csv(folder / "企业.csv", FAC_CSV, encoding)
    _csv(folder / "锅炉.csv", "企业编号,锅炉编号,燃料类型,额定蒸发量(t/h)\nF1,B1,燃煤,20\n,,,\n", encoding)
    out = results(folder)
    assert out["F1"].data["boilers"] == [{"id": "B1", "fuel": "coal", "capacity": "20 t/h"}]


def test_csv_not_utf8_nor_gbk_is_refused(tmp_path):
    path = tmp_path / "企业.csv"
    path.write_bytes("企业编号,企业名称\nF1,Café\n".encode("utf-8").replace("é".encode(), b"\xe9\xff"))
    with pytest.raises(Exception) as exc:
        read_ledger(path)
    assert "neither UTF-8" in str(exc.value) or "not UTF-8" in str(exc.value)


def test_csv_cell_location_and_kind(tmp_path):
    path = _csv(tmp_path / "register.csv", "企业编号,企业名称,所在区域\nF1,甲,蓟州市\n", "utf-8")
    led = read_ledger(path)
    assert [p.message for p in led.problems][0].startswith("unknown file name 'register'")
    (failure,), _ = checked(path, kind="企业")
    assert messages(failure) == [f"{path}:C2: [error] facility.region: unknown region '蓟州市'; give a GB/T 2260 "
                                 "code or name known to the vocabulary"]


# ---------------------------------------------------------------- CLI


def test_cli_check_validate_and_template(tmp_path, cli):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "锅炉": [["企业编号", "锅炉编号", "燃料类型", "额定蒸发量(t/h)", "运行状态"], ["F1", "B1", "燃煤", 20, "在用"]],
    })
    r = cli("check", path, "--format", "jsonl")
    assert r.exit_code == 1  # a 20 t/h coal boiler operating in Jizhou in 2019
    rec = json.loads(r.output)
    assert rec["facility"]["id"] == "F1" and any(f["status"] == "violation" for f in rec["findings"])
    assert cli("validate", path).exit_code == 0
    r = cli("check", tmp_path / "l.xlsx", "--mapping", tmp_path / "none.yaml")
    assert r.exit_code == 2 and "none.yaml" in r.stderr
    out = tmp_path / "t.xlsx"
    r = cli("ledger", "template", "boilers", "-o", out)
    assert r.exit_code == 0 and out.exists()
    r = cli("ledger", "template", "boilers", "-o", out)
    assert r.exit_code == 2 and "exists" in r.stderr
    r = cli("ledger", "template", "boiler", "-o", tmp_path / "u.xlsx", "--force")
    assert r.exit_code == 2 and "did you mean 'boilers'" in r.stderr


def test_cli_bad_cell_exit_2_and_others_reported(tmp_path, cli):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)], ["F2", "乙", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "涂料": [["企业编号", "涂料编号", "VOC含量(g/L)"], ["F1", "C1", "很多"], ["F2", "C1", 610]],
    })
    r = cli("check", path, "--format", "jsonl")
    assert r.exit_code == 2
    assert f"{path}:涂料!C2: [error] coatings[C1].voc_content: expected a number" in r.stderr
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert lines[0]["errors"][0]["cell"] == "涂料!C2"
    assert lines[1]["facility"]["id"] == "F2"
    assert "Traceback" not in r.stderr


def test_not_a_workbook(tmp_path, cli):
    path = tmp_path / "l.xlsx"
    path.write_text("not a zip")
    r = cli("check", path)
    assert r.exit_code == 2 and "cannot read the workbook" in r.stderr


# ---------------------------------------------------------------- bad ledgers (docs/bad-input.md)

from bad_inputs import LEDGER_CASES, ledger_content, run_cli, write_ledger  # noqa: E402


@pytest.mark.parametrize("case", LEDGER_CASES, ids=[c[1] for c in LEDGER_CASES])
def test_bad_ledger(tmp_path, case):
    import re

    cls, fname, _, fragment, field = case
    path = tmp_path / fname
    write_ledger(case, path)
    code, out, err = run_cli(["check", str(path)])
    assert code == 2, (cls, out, err)
    assert "Traceback" not in err and fragment in err, err
    first = err.strip().splitlines()[0]
    if field:
        assert f"] {field}:" in err, err
    if fname.endswith(".xlsx") and cls not in ("not a workbook",):
        assert re.match(rf"compliance: {re.escape(str(path))}:\w+!\w+\d+: \[error\]", first), first


def test_bad_ledger_doc_table_is_current():
    from conftest import REPO

    doc = (REPO / "docs" / "bad-input.md").read_text(encoding="utf-8")
    for case in LEDGER_CASES:
        assert f"| {case[0]} |" in doc, f"docs/bad-input.md lacks {case[0]!r}: regenerate it"
        assert case[3] in doc.split(f"| {case[0]} |")[1].split("\n")[0], case[0]


def test_unit_column_from_a_custom_mapping(tmp_path):
    text = BUNDLED_MAPPING.read_text("utf-8").replace(
        "VOC含量: {field: voc_content, unit: g/L, note: 即用状态}",
        "VOC含量: {field: voc_content, unit: g/L, unit_column: VOC单位}", 1)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(text, "utf-8")
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "涂料": [["企业编号", "涂料编号", "VOC含量", "VOC单位"], ["F1", "C1", 4.4, "lb/gal"], ["F1", "C2", 610, None],
                 ["F1", "C3", 610, "斤"]],
    })
    led = read_ledger(path, mapping)
    assert led.tables[1].columns["voc_content"] == ("4.4 lb/gal", "610", None)
    assert [p.cell for p in led.problems] == ["涂料!D4"]
    (failure,), _ = checked(path, mapping=mapping)
    cells = [p.cell for p in failure.problems]
    assert cells == ["涂料!C3", "涂料!D4"]  # C2: a bare number (no unit in the header or its unit column)


def test_percentage_formatted_cells_read_as_shown(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "锅炉": [["企业编号", "锅炉编号", "含氧量(%)"], ["F1", "B1", 0.09], ["F1", "B2", 9]],
        "施工工地": [["企业编号", "工地编号", "围挡"], ["F1", "W1", 0.95]],
        "涂料": [["企业编号", "涂料编号", "VOC含量(g/L)"], ["F1", "C1", 0.5]],
    })
    wb = openpyxl.load_workbook(path)
    for ref in ("锅炉!C2", "施工工地!C2", "涂料!C2"):
        sheet, cell = ref.split("!")
        wb[sheet][cell].number_format = "0%"
    wb.save(path)
    led = read_ledger(path)
    tables = {t.section: t for t in led.tables}
    assert tables["boilers"].columns["emissions.o2"] == ("9 %", "9 %")
    assert tables["construction_sites"].columns["dust_measures.perimeter_hoarding"] == ("95 %",)
    assert [(p.cell, p.message) for p in led.problems] == [
        ("涂料!C2", "the cell is formatted as a percentage (50 %) but the unit is g/L; format it as a number")]


def test_repeated_headers_are_each_reported(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC + ["企业编号"], ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1), "F1"]],
        "锅炉": [["企业编号", "锅炉编号", "备注", "备注", "燃料类型", "燃料类型"], ["F1", "B1", "x", "y", "燃煤", "燃气"]],
    })
    led = read_ledger(path)
    assert [(p.cell, p.message.split(";")[0]) for p in led.problems] == [
        ("企业!E1", "a second facility id column '企业编号' (first in column A)"),
        ("锅炉!C1", "unknown header '备注' in boilers"),
        ("锅炉!D1", "unknown header '备注' in boilers"),
        ("锅炉!F1", "header '燃料类型': a second column for boilers.fuel (first in column E)"),
    ]


def test_sheets_are_also_found_by_the_record_formats_chinese_names(tmp_path):
    m = load_mapping()
    for name, section in vocabulary().sections.items():
        if "/" not in section.zh:  # 企业/项目 cannot be a sheet name
            assert m.by_sheet[_fold(section.zh)] == name
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "涂料及胶粘剂": [["企业编号", "涂料编号", "VOC含量(g/L)"], ["F1", "C1", 610]],
    })
    assert results(path)["F1"].data["coatings"] == [{"id": "C1", "voc_content": "610 g/L"}]


def test_year_first_dates_as_excel_writes_them_in_csv(tmp_path):
    folder = tmp_path / "ledger"
    folder.mkdir()
    _csv(folder / "企业.csv", "企业编号,企业名称,所在区域,核查日期\nF1,甲,天津市蓟州区,2019/3/1\n", "utf-8")
    _csv(folder / "锅炉.csv", "企业编号,锅炉编号,投运日期\nF1,B1,2015年6月1日\nF1,B2,2015.6.31\nF1,B3,06/01/2015\n", "utf-8")
    led = read_ledger(folder)
    fac, boil = led.tables
    assert fac.columns["as_of"] == (dt.date(2019, 3, 1),)
    assert boil.columns["commissioned"] == (dt.date(2015, 6, 1), None, "06/01/2015")
    assert [(p.cell, p.message) for p in led.problems] == [("C3", "impossible date '2015.6.31'")]
    (failure,), _ = checked(folder)
    assert [p.cell for p in failure.problems] == ["C3", "C4"]  # 06/01/2015: day or month first? refused


def test_cli_knows_the_ledger_endings_without_importing_the_reader():
    from compliance import ledger, sources

    assert sources.LEDGER_SUFFIXES == ledger.LEDGER_SUFFIXES


def test_title_rows_above_the_header_are_skipped(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [["蓟州区重点企业台账"], [None, "2019年3月"], FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "锅炉": [["锅炉台账"], ["企业编号", "锅炉编号", "燃料类型"], ["F1", "B1", "燃煤"]],
    })
    wb = openpyxl.load_workbook(path)
    wb["锅炉"].merge_cells("A1:C1")
    wb.save(path)
    led = read_ledger(path)
    assert not led.problems
    assert led.tables[0].rows == (4,) and led.tables[1].rows == (3,)
    assert led.tables[1].columns["fuel"] == ("coal",)


def test_single_column_rows_are_not_taken_for_titles(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "锅炉": [["锅炉编号"], ["B1"], ["B2"]],
    })
    led = read_ledger(path)
    assert [(p.cell, p.message.split(":")[0]) for p in led.problems] == [
        ("锅炉!A1", "no facility id column '企业编号' in the header row")]


def test_none_in_a_list_column_is_an_empty_list_and_an_empty_cell_unknown(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "企业": [FAC, ["F1", "甲", "天津市蓟州区", dt.date(2019, 3, 1)]],
        "锅炉": [["企业编号", "锅炉编号", "掺烧燃料"], ["F1", "B1", "无"], ["F1", "B2", None], ["F1", "B3", "燃煤、化工废料"]],
    })
    (table,) = [t for t in read_ledger(path).tables if t.section == "boilers"]
    assert table.columns["co_firing"] == ([], None, ["coal", "chemical_waste"])
    boilers = results(path)["F1"].data["boilers"]
    assert boilers[0] == {"id": "B1", "co_firing": []} and boilers[1] == {"id": "B2"}
