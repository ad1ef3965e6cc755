"""Classes of bad input and what each must get: exit 2, file:line, field.

Used by ``test_hardening.py`` and, run as a script, prints the table in
``docs/bad-input.md`` from a real run::

    python tests/bad_inputs.py > docs/bad-input.md
"""

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")
) + "facility: {id: F, region: 120119}\n"

GOOD = "facility: {id: F, region: 120119}\n"

#: (class, file name, content, expected fragment of the message, field or None)
CASES = [
    ("unknown unit", "unit.yaml", GOOD + "coatings:\n  - {id: C1, voc_content: 610 gramz/L}\n",
     ":3:", "coatings[C1].voc_content"),
    ("quantity of the wrong dimension", "dimension.yaml", GOOD + "coatings:\n  - {id: C1, voc_content: 610 kg}\n",
     "has dimension [mass], expected [mass] / [length] ** 3", "coatings[C1].voc_content"),
    ("bare number where a quantity is required", "bare.yaml", GOOD + "stacks:\n  - {id: S1, height: 50}\n",
     "bare number 50", "stacks[S1].height"),
    ("negative value", "negative.yaml", GOOD + "coatings:\n  - {id: C1, voc_content: -1 g/L}\n",
     "is negative", "coatings[C1].voc_content"),
    ("zero where impossible", "zero.yaml", GOOD + "boilers:\n  - {id: B1, capacity: 0 t/h}\n",
     "must be greater than zero", "boilers[B1].capacity"),
    ("NaN", "nan.yaml", GOOD + "coatings:\n  - {id: C1, voc_content: {value: .nan, unit: g/L}}\n",
     "not a finite number", "coatings[C1].voc_content"),
    ("infinite value", "inf.yaml", GOOD + "stacks:\n  - {id: S1, height: 1e999 m}\n",
     "not a finite number", "stacks[S1].height"),
    ("impossible date", "date.yaml", GOOD + "boilers:\n  - {id: B1, commissioned: 2019-02-30}\n",
     "impossible date", "boilers[B1].commissioned"),
    ("unknown top-level key (typo)", "typo.yaml", GOOD + "boiler:\n  - {id: B1, fuel: coal}\n",
     "unknown top-level key (did you mean 'boilers'?)", "boiler"),
    ("missing facility.id", "noid.yaml", "facility: {region: 120119}\n", "required field 'id'", "facility.id"),
    ("missing facility.region", "noregion.yaml", "facility: {id: F}\n", "required field 'region'", "facility.region"),
    ("duplicate mapping key", "dupkey.yaml", "facility:\n  id: F\n  region: 120119\n  region: 110106\n",
     "duplicate key 'region' (first written on line 3)", "region"),
    ("duplicate entity id", "dupid.yaml", GOOD + "boilers:\n  - {id: B1}\n  - {id: B1}\n",
     "duplicate id 'B1' (first on line 3)", "boilers[B1].id"),
    ("unknown region", "region.yaml", "facility: {id: F, region: 130100}\n", "unknown region 130100", "facility.region"),
    ("top level not a mapping", "list.yaml", "- facility\n", "the top level must be a mapping", None),
    ("empty file", "empty.yaml", "", "the file is empty", None),
    ("not UTF-8", "gbk.yaml", "facility: {id: F, region: 120119, name: 蓟州}\n".encode("gbk"),
     "not UTF-8 text", None),
    ("binary file", "binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file", None),
    ("YAML alias bomb (billion laughs)", "bomb.yaml", BILLION_LAUGHS, "refused before expanding", None),
    ("very deep nesting", "deep.yaml", GOOD + "monitoring: " + "[" * 200 + "]" * 200 + "\n",
     "nesting deeper than", None),
    ("file over the size limit", "big.yaml", None, "larger than the", None),
    ("YAML tag constructing a Python object", "tag.yaml",
     "facility: !!python/object/apply:os.system [echo hacked]\n", "is not allowed", None),
    ("YAML syntax error", "syntax.yaml", "facility: {id: F, region: 120119\n", "YAML syntax error", None),
    ("unknown value of a closed list", "enum.yaml", GOOD + "coatings:\n  - {id: C1, category: automotive}\n",
     "did you mean 'automotive_oem'", "coatings[C1].category"),
    ("unknown emission stage", "stage.yaml", GOOD + "vehicles:\n  - {id: V1, emission_stage: 国七}\n",
     "unknown emission stage", "vehicles[V1].emission_stage"),
    ("text where a boolean is required", "bool.yaml", GOOD + "stacks:\n  - {id: S1, online_monitoring: 有}\n",
     "expected true or false", "stacks[S1].online_monitoring"),
]


_FAC = [["企业编号", "企业名称", "所在区域"], ["F1", "甲", "天津市蓟州区"]]

#: Bad spreadsheet ledgers (compliance/ledger.py): (class, file name,
#: {sheet: rows} for a workbook or bytes for a CSV file, expected fragment,
#: field or None). Each message names file:sheet!cell (CSV: file:C12).
LEDGER_CASES = [
    ("unknown header", "header.xlsx",
     {"企业": _FAC, "锅炉": [["企业编号", "锅炉编号", "燃料种类"], ["F1", "B1", "燃煤"]]},
     "unknown header '燃料种类' in boilers (did you mean '燃料类型'?)", None),
    ("column with values but no header", "noheader.xlsx",
     {"企业": _FAC, "锅炉": [["企业编号", "锅炉编号"], ["F1", "B1", "燃煤"]]}, "a column with values but no header", None),
    ("row without facility id (a merged cell)", "noid.xlsx",
     {"企业": _FAC, "锅炉": [["企业编号", "锅炉编号"], ["F1", "B1"], [None, "B2"]]}, "the row has no facility id", "企业编号"),
    ("entity row without its facility row", "orphan.xlsx",
     {"企业": _FAC, "锅炉": [["企业编号", "锅炉编号"], ["F2", "B1"]]},
     "facility 'F2' has no row in the facility sheet", "facility"),
    ("duplicate facility rows", "dupfac.xlsx", {"企业": _FAC + [["F1", "甲2", "天津市蓟州区"]]},
     "duplicate facility row for 'F1' (first in row 2)", "facility.id"),
    ("text where the header gives a unit", "number.xlsx",
     {"企业": _FAC, "涂料": [["企业编号", "涂料编号", "VOC含量(g/L)"], ["F1", "C1", "很高"]]},
     "expected a number (the unit g/L is in the header), got '很高'", "coatings[C1].voc_content"),
    ("unknown unit in a cell", "cellunit.xlsx",
     {"企业": _FAC, "涂料": [["企业编号", "涂料编号", "VOC含量"], ["F1", "C1", "610 gramz/L"]]},
     "unknown unit 'gramz/L'", "coatings[C1].voc_content"),
    ("unit of the wrong dimension in a header", "headerunit.xlsx",
     {"企业": _FAC, "涂料": [["企业编号", "涂料编号", "VOC含量(kg)"], ["F1", "C1", 610]]},
     "header 'VOC含量(kg)': unit 'kg' has dimension [mass]", "coatings.voc_content"),
    ("unknown Chinese value", "value.xlsx",
     {"企业": _FAC, "锅炉": [["企业编号", "锅炉编号", "燃料类型"], ["F1", "B1", "煤"]]},
     "unknown value '煤' (did you mean '燃煤'?)", "boilers[B1].fuel"),
    ("number (Excel date serial) in a date column", "serial.xlsx",
     {"企业": _FAC, "锅炉": [["企业编号", "锅炉编号", "投运日期"], ["F1", "B1", 43525]]},
     "a number 43525 where a date is expected", "boilers[B1].commissioned"),
    ("formula without a calculated value", "formula.xlsx",
     {"企业": _FAC, "涂料": [["企业编号", "涂料编号", "VOC含量(g/L)"], ["F1", "C1", "=300*2"]]},
     "formula =300*2 has no calculated value", "coatings[C1].voc_content"),
    ("spreadsheet error value", "error.xlsx",
     {"企业": _FAC, "涂料": [["企业编号", "涂料编号", "VOC含量(g/L)"], ["F1", "C1", "#DIV/0!"]]},
     "the cell holds the spreadsheet error #DIV/0!", "coatings[C1].voc_content"),
    ("unknown sheet name", "sheet.xlsx", {"企业": _FAC, "锅炉台账": [["企业编号"], ["F1"]]},
     "unknown sheet name '锅炉台账' (did you mean '锅炉'?)", None),
    ("CSV neither UTF-8 nor GBK", "企业.csv", b"id,name\nF1,Caf\xe9\n",
     "save it as CSV UTF-8", None),
    ("not a workbook", "text.xlsx", b"just text", "cannot read the workbook", None),
    ("old Excel format (.xls)", "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
     "save it as an Excel workbook (.xlsx)", None),
]


def ledger_content(case) -> bytes:
    """The bytes of a LEDGER_CASES file (a workbook written by openpyxl, or the CSV bytes)."""
    data = case[2]
    if isinstance(data, bytes):
        return data
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in data.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def content(case):
    from compliance._yaml import MAX_BYTES

    name, fname, text, _, _ = case
    if text is None:  # a valid record padded past the limit with a comment
        return (GOOD + "#" + "x" * (MAX_BYTES + 10) + "\n").encode()
    return text.encode("utf-8") if isinstance(text, str) else text


RULESET_HEAD = """ruleset:
  id: t
  title: {zh: 测试, en: Test}
  issuer: x
  issued: 2018-01-01
  jurisdiction: "120119"
  source: t.txt
rules:
  - id: t/r
    title: {zh: 测试, en: Test}
    cite: {clause: "1", text: 测试}
    applies_to: coatings
    severity: low
    message: {zh: 违规, en: broken}
"""

#: Bad rulesets given with --ruleset PATH: (class, content, fragment)
RULESET_CASES = [
    ("limit of the wrong dimension", RULESET_HEAD + "    require: {field: voc_content, op: '<=', value: 580 kg}\n",
     "dimension"),
    ("unknown field", RULESET_HEAD + "    require: {field: voc, op: '<=', value: 580 g/L}\n", "unknown field 'voc'"),
    ("unknown entity kind", RULESET_HEAD.replace("applies_to: coatings", "applies_to: paints")
     + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n", "unknown entity kind 'paints'"),
    ("unknown region", RULESET_HEAD.replace('"120119"', '"999999"')
     + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n", "unknown region"),
    ("bad date", RULESET_HEAD + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n    deadline: 2018-13-01\n",
     "impossible date"),
    ("unknown key", RULESET_HEAD + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n    efective_from: 2019-01-01\n",
     "unknown key (did you mean 'effective_from'?)"),
    ("duplicate key", RULESET_HEAD + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n    severity: high\n",
     "duplicate key 'severity'"),
    ("Python tag", RULESET_HEAD + "    require: !!python/name:os.system {}\n", "is not allowed"),
    ("alias bomb", BILLION_LAUGHS, "refused before expanding"),
]


def run_cli(args):
    import contextlib
    import io

    from compliance.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(args, out=out)
    return code, out.getvalue(), err.getvalue()


if __name__ == "__main__":  # pragma: no cover - writes docs/bad-input.md
    import os
    import sys
    import tempfile

    sys.path.insert(0, os.path.dirname(__file__))
    tmp = tempfile.mkdtemp()
    print("# Bad input and the errors it gets\n")
    print("Every class of malformed input below makes `compliance check` exit with")
    print("status 2 and a message naming file, line and column (where the YAML")
    print("parser can place it) and field, never a traceback. The messages are real")
    print("output of `python tests/bad_inputs.py > docs/bad-input.md`; the test")
    print("covering each row is `tests/test_hardening.py::test_bad_record` (records)")
    print("or `::test_bad_ruleset` (rulesets given with `--ruleset PATH`), and")
    print("`test_doc_table_is_current` keeps this page in step with the code.\n")
    print("## Facility records\n")
    print("| class | message (`compliance check FILE`) | test id |")
    print("|---|---|---|")
    for case in CASES:
        path = os.path.join(tmp, case[1])
        with open(path, "wb") as fh:
            fh.write(content(case))
        code, _, err = run_cli(["check", path])
        msg = err.strip().splitlines()[0].replace(tmp + os.sep, "")
        print(f"| {case[0]} | `{msg}` (exit {code}) | `test_bad_record[{case[1]}]` |")
    print("\n## Rulesets\n")
    print("| class | message (`compliance check --ruleset PATH …`) | test id |")
    print("|---|---|---|")
    for i, (cls, text, _) in enumerate(RULESET_CASES):
        path = os.path.join(tmp, f"ruleset{i}.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        good = os.path.join(tmp, "good.yaml")
        with open(good, "w") as fh:
            fh.write(GOOD)
        code, _, err = run_cli(["check", good, "--ruleset", path])
        msg = err.strip().splitlines()[0].replace(tmp + os.sep, "")
        print(f"| {cls} | `{msg}` (exit {code}) | `test_bad_ruleset[{i}]` |")
    print("\n## Spreadsheet ledgers\n")
    print("A ledger (`.xlsx`, `.csv`, a folder of CSV files; `docs/ledgers.md`) names the cell:")
    print("`file:sheet!C12` (CSV: `file:C12`). A facility with a bad cell gets every problem of its")
    print("rows and no report; the other facilities of the ledger are still checked.\n")
    print("| class | message (`compliance check LEDGER`) | test id |")
    print("|---|---|---|")
    for case in LEDGER_CASES:
        path = os.path.join(tmp, case[1])
        with open(path, "wb") as fh:
            fh.write(ledger_content(case))
        code, _, err = run_cli(["check", path])
        msg = err.strip().splitlines()[0].replace(tmp + os.sep, "")
        print(f"| {case[0]} | `{msg}` (exit {code}) | `test_bad_ledger[{case[1]}]` |")
    print("\nJudgement calls, accepted (read as shown): an empty row is skipped; the template's notes row")
    print("(every cell starting with `说明：`) and one-cell title rows above the header are skipped;")
    print("text is stripped of surrounding spaces; headers,")
    print("sheet names and vocabulary texts are matched with full-width forms folded (`（t/h）` is `(t/h)`);")
    print("full-width digits and numbers stored as text are numbers where a number is expected (`３６` under")
    print("`额定蒸发量(t/h)` is `36 t/h`); a number where text is expected is its text (`1001` → `'1001'`);")
    print("a cell formatted as a date is a date, and so is year-first text (`2019/3/1`, `2019年3月1日`);")
    print("a cell formatted as a percentage is read as shown (`0.09` shown as `9%` is `9 %`);")
    print("a formula's calculated value is used; an empty sheet")
    print("nobody mapped (Excel's `Sheet2`) is skipped. Refused: everything in the table above -- a")
    print("merged cell is read as empty below its first row, so a merged facility id is a row without")
    print("one; a date written as a number is refused rather than guessed to be an Excel serial.")
