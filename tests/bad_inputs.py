"""Classes of bad input and what each must get: exit 2, file:line, field.

Used by ``test_hardening.py`` and, run as a script, prints the table in
``docs/bad-input.md`` from a real run::

    python tests/bad_inputs.py > docs/bad-input.md
"""

import os

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")
) + "facility: {id: F, region: 120119}\n"

GOOD = "facility: {id: F, region: 120119}\n"

#: the content of a case that is a named pipe (made by :func:`write`), not a file
FIFO = "<a named pipe>"

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
    ("JSON Lines: a line that is not JSON", "syntax.jsonl", '\n{"facility": {"id": "F", "region": 120119}\n',
     "JSON syntax error", None),
    ("JSON Lines: a bad value on a line", "value.jsonl",
     '{"facility": {"id": "F", "region": 120119}, "coatings": [{"id": "C1", "voc_content": "610 gramz/L"}]}\n',
     ":1:0:", "coatings[C1].voc_content"),
    ("JSON Lines: duplicate key in a line", "dupkey.jsonl", '{"facility": {"id": "F", "region": 120119, "region": 1}}\n',
     "duplicate key 'region' in one JSON object", "region"),
    ("unknown field inside an entity (typo)", "field.yaml", GOOD + "boilers:\n  - {id: B1, fule: coal}\n",
     "unknown field (did you mean 'fuel'?)", "boilers[B1].fule"),
    ("field name in another letter case", "case.yaml", GOOD + "boilers:\n  - {id: B1, emissions: {NOx: 80 mg/m^3}}\n",
     "did you mean 'nox'? only the letter case differs", "boilers[B1].emissions.NOx"),
    ("field name with a look-alike letter", "cyrillic.yaml", GOOD + "boilers:\n  - {id: B1, emissions: {n\u043ex: 80 mg/m^3}}\n",
     "U+043E CYRILLIC SMALL LETTER O", "boilers[B1].emissions.n\u043ex"),
    ("field name with an invisible character", "zwsp.yaml", GOOD + "boilers:\n  - {id: B1, \u200bfuel: coal}\n",
     "invisible U+200B ZERO WIDTH SPACE", "boilers[B1].\u200bfuel"),
    ("number YAML 1.1 reads in octal, hexadecimal or base 60", "octalnumber.yaml",
     GOOD + "stacks:\n  - {id: S1, height: {value: 010, unit: m}}\n",
     "'010' is read by YAML 1.1 as the octal number 8", "stacks[S1].height"),
    ("entity id written as null", "nullid.yaml", GOOD + "boilers:\n  - {id: null, fuel: coal}\n",
     "required field 'id' is missing or empty", "boilers[0].id"),
    ("context field written as null", "nullalert.yaml", "context: {alert: null}\n" + GOOD,
     "written as null", "context.alert"),
    ("not a regular file (named pipe)", "fifo.yaml", FIFO, "is a named pipe (FIFO)", None),
    # hardening round 2, units and numbers (issue #10 classes 2-4)
    ("ambiguous unit: ton (pint's US short ton)", "ton.yaml",
     GOOD + "boilers:\n  - {id: B1, fuel: coal, capacity: 36 ton/h}\n",
     "ton is ambiguous", "boilers[B1].capacity"),
    ("prefix-case trap: mW (milliwatt) for MW", "milliwatt.yaml",
     GOOD + "boilers:\n  - {id: B1, fuel: coal, capacity: 28 mW}\n",
     "mW is a milliwatt", "boilers[B1].capacity"),
    ("letter case of a unit (Kg, KW, T/H)", "unitcase.yaml", GOOD + "vehicles:\n  - {id: V1, gross_mass: 3500 Kg}\n",
     "did you mean 'kg'?", "vehicles[V1].gross_mass"),
    ("US/UK volume unit (quart, pint, bushel, fluid ounce)", "quart.yaml",
     GOOD + "coatings:\n  - {id: C1, voc_content: 1.1 lb/qt}\n", "quart differs", "coatings[C1].voc_content"),
    ("unit outside the accepted list (tesla, inch ...)", "tesla.yaml", GOOD + "stacks:\n  - {id: S1, height: 45 in}\n",
     "reads as inch, which is not a unit accepted here", "stacks[S1].height"),
    ("overflow after unit conversion", "overflow.yaml", GOOD + "coatings:\n  - {id: C1, voc_content: 1e308 kg/L}\n",
     "is too large", "coatings[C1].voc_content"),
    ("number of hundreds of digits", "digits.yaml", GOOD + "coatings:\n  - {id: C1, voc_content: " + "9" * 400
     + " g/L}\n", "is too large", "coatings[C1].voc_content"),
    ("overflow at oxygen correction", "oxygen.yaml",
     GOOD + "boilers:\n  - {id: B1, emissions: {pm: 1e307 mg/m³, o2: 20.9 %}}\n", "is too large",
     "boilers[B1].emissions.pm"),
    ("CEMS export that cannot be read (docs/cems.md)", "cems.yaml",
     GOOD + "stacks:\n  - {id: S1, cems: {export: no-such-export.csv}}\n", "cannot read the CEMS export",
     "stacks[S1].cems.export"),
]

#: Spellings people paste that are read: (written, canonical unit, value in it).
#: One test each (tests/test_hardening2_units.py); docs/bad-input.md shows them.
ACCEPTED_SPELLINGS = [
    ("20 mg/m3", "mg/m^3", 20.0),
    ("20 mg/Nm3", "mg/m^3", 20.0),
    ("20 mg/Nm³", "mg/m^3", 20.0),
    ("20 mg/Nm^3", "mg/m^3", 20.0),
    ("20 ㎎/㎥", "mg/m^3", 20.0),
    ("20 ｍｇ／ｍ３", "mg/m^3", 20.0),
    ("6000 m3/h", "m^3/h", 6000.0),
    ("6000 m³/h", "m^3/h", 6000.0),
    ("6000 Nm3/h", "m^3/h", 6000.0),
    ("6000 Nm³/h", "m^3/h", 6000.0),
    ("90 ％", "percent", 90.0),
    ("９０ %", "percent", 90.0),
    ("９０．５ ％", "percent", 90.5),
    ("3 ‰", "permille", 3.0),
    ("37 μg/m3", "µg/m^3", 37.0),  # U+03BC GREEK SMALL LETTER MU
    ("37 µg/m3", "µg/m^3", 37.0),  # U+00B5 MICRO SIGN
    ("37 ug/m3", "µg/m^3", 37.0),
    ("３６ ｔ/ｈ", "t/h", 36.0),
    ("0.58 ｋｇ/Ｌ", "g/L", 580.0),
    ("45 ｍ", "m", 45.0),
    ("9 吨/月·平方公里", "t/(month*km^2)", 9.0),
    ("4.4 lb/gal", "g/L", 527.236280194),
    ("4.4 lb/imperial_gallon", "g/L", 439.016039718),
]

#: Emission stages written with Roman numeral or full-width characters: (written, scheme, level).
ACCEPTED_STAGES = [
    ("国Ⅴ", "onroad", "5"),
    ("国ⅴ", "onroad", "5"),
    ("国Ⅵ(B)", "onroad", "6b"),
    ("国ⅥＢ", "onroad", "6b"),
    ("国Ⅵ", "onroad", "6"),
    ("国５", "onroad", "5"),
    ("ＣＨＩＮＡ ５", "onroad", "5"),
    ("第Ⅲ阶段", "nonroad", "3"),
]

#: Spellings refused, each with what to write: (written, canonical unit, fragment of the message).
REFUSED_SPELLINGS = [
    ("36 ton/h", "t/h", "write t (metric 吨"),
    ("36 tons/h", "t/h", "write t (metric 吨"),
    ("36 short_ton/h", "t/h", "write t (metric 吨"),
    ("36 long_ton/h", "t/h", "write t (metric 吨"),
    ("1 mt", "t", "millitonne"),
    ("1 Mt", "t", "megatonne"),
    ("1 kt", "t", "knot"),
    ("28 mW", "MW", "write MW"),
    ("3 mw", "MW", "did you mean 'MW'?"),
    ("3 KW", "MW", "did you mean 'kW'?"),
    ("3500 Kg", "t", "did you mean 'kg'?"),
    ("5 Mg", "t", "megagram"),
    ("2 Mm", "m", "megametre"),
    ("2 ML/h", "m^3/h", "megalitre"),
    ("36 T/H", "t/h", "did you mean 't/h'?"),
    ("1.1 lb/qt", "g/L", "quart differs"),
    ("0.5 lb/pt", "g/L", "pint differs"),
    ("0.1 oz/gal", "g/L", "ounce is ambiguous"),
    ("0.1 lb/floz", "g/L", "fluid ounce differs"),
    ("1 lb/bu", "g/L", "bushel differs"),
    ("1 cwt", "t", "hundredweight differs"),
    ("500 hp", "MW", "write kW or MW"),
    ("5 Btu/h", "MW", "Btu differs"),
    ("20 mg/N·m³", "mg/m^3", "N is a newton"),
    ("20 mmHg", "m", "a pressure"),
    ("45 in", "m", "not a unit accepted here"),
    ("3 degC", "percent", "temperature"),
]

#: Inputs that are accepted, and what they become (the judgement: keep what
#: was written): (class, file name, content, `check --format json` must show)
KEPT = [
    ("YAML 1.1 octal as an id", "octal.yaml", GOOD + "boilers:\n  - {id: 010, fuel: coal}\n", '"id": "010"'),
    ("YAML 1.1 hex, float, exponent and base-60 as ids", "numbers.yaml",
     GOOD + "boilers:\n  - {id: 0x0A}\n  - {id: 1.10}\n  - {id: 1.1e+1}\n  - {id: 1:00}\n",
     '"id": "0x0A"'),
    ("YAML 1.1 booleans and dates as ids", "boolid.yaml",
     GOOD + "boilers:\n  - {id: yes}\n  - {id: on}\n  - {id: 2019-01-01}\n", '"id": "on"'),
    ("number as a name", "name.yaml", "facility: {id: F, region: 120119, name: 0123}\n", '"name": "0123"'),
    ("JSON number as an id", "number.json", '{"facility": {"id": 10, "region": "120119"}}\n', '"id": "10"'),
    ("free-form notes and x_ keys", "notes.yaml",
     "x_batch: 7\nfacility: {id: F, region: 120119, notes: visited 2019-03, x_inspector: Li}\n"
     "boilers:\n  - {id: B1, notes: {room: 2}, emissions: {x_lab: CMA-17}}\n", '"id": "B1"'),
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
    # a ledger kept as a folder of CSV files ({file name: bytes}), checked over columns by default
    ("duplicate facility rows (CSV folder)", "dupfac-csv",
     {"企业.csv": "企业编号,企业名称,所在区域\nF1,甲,天津市蓟州区\nF1,甲2,天津市蓟州区\n".encode()},
     "duplicate facility row for 'F1' (first in row 2)", "facility.id"),
    ("entity rows without their facility row (CSV folder)", "orphan-csv",
     {"企业.csv": "企业编号,企业名称,所在区域\nF1,甲,天津市蓟州区\n".encode(),
      "锅炉.csv": "企业编号,锅炉编号\nF1,B1\nF2,B1\nF2,B2\n".encode()},
     "facility 'F2' has no row in the facility sheet", "facility"),
    ("unknown kind of table (CSV file name)", "kind-csv",
     {"企业.csv": "企业编号,企业名称,所在区域\nF1,甲,天津市蓟州区\n".encode(),
      "窑炉.csv": "企业编号,窑炉编号\nF1,K1\n".encode()},
     "unknown file name '窑炉'", None),
]


def write_ledger(case, path) -> None:
    """Write a LEDGER_CASES ledger at ``path``: a file, or a folder of CSV files."""
    data = case[2]
    if isinstance(data, dict) and all(k.endswith(".csv") for k in data):
        os.makedirs(path, exist_ok=True)
        for name, raw in data.items():
            with open(os.path.join(path, name), "wb") as fh:
                fh.write(raw)
        return
    with open(path, "wb") as fh:
        fh.write(ledger_content(case))


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
    if text is FIFO:  # a named pipe has no content (see write)
        return b""
    if text is None:  # a valid record padded past the limit with a comment
        return (GOOD + "#" + "x" * (MAX_BYTES + 10) + "\n").encode()
    return text.encode("utf-8") if isinstance(text, str) else text


def write(case, path):
    """Make the case's input at ``path``: a file with its content, or a named pipe."""
    import os

    if case[2] is FIFO:
        os.mkfifo(path)
    else:
        with open(path, "wb") as fh:
            fh.write(content(case))


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

#: a manual-review item to append after RULESET_HEAD's rule
_REVIEW_ITEM = """manual_review:
  - id: t/m
    title: {zh: 测试, en: Test}
    cite: {clause: "1", text: 测试}
    applies_to: coatings
    reason: {code: needs_data, zh: 人工核对, en: check by hand}
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
    ("list where a scalar is expected", RULESET_HEAD.replace("applies_to: coatings", "applies_to: [coatings]")
     + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n", "t/r.applies_to: expected text, got a list"),
    ("mapping where a scalar is expected", RULESET_HEAD + "    require: {field: voc_content, op: {le: 1}, value: 580 g/L}\n",
     "t/r.require.op: expected text, got a mapping"),
    ("key without a value", RULESET_HEAD + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n    deadline:\n",
     "t/r.deadline: expected a date (YYYY-MM-DD), got nothing"),
    ("message placeholder with a format spec", RULESET_HEAD.replace("en: broken}", "en: '{observed:>300000000}'}")
     + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n", "only plain {name} placeholders are allowed"),
    ("lone brace in a message", RULESET_HEAD.replace("en: broken}", "en: 'over {limit'}")
     + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n", "lone '{' at character 6"),
    ("parameter redefining a bundled one", RULESET_HEAD.replace("rules:\n", "parameters:\n  - {id: gb13271-2014/special-limit/coal/pm,"
     " value: 10 mg/m^3, description: {zh: 限值, en: limit}, source: {clause: 表1}}\nrules:\n", 1)
     + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n", "(ruleset 'cn-gb13271-2014'); give yours its own id"),
    ("'or' for 'any'", RULESET_HEAD + "    require: {or: [{field: category, equals: wood}, {field: solvent_based, equals: false}]}\n",
     "unknown condition key 'or': write any: ["),
    ("equals on a list field", RULESET_HEAD.replace("applies_to: coatings", "applies_to: boilers")
     + "    require: {field: co_firing, equals: coal}\n", "test what it holds with {field: co_firing, includes: coal}"),
    ("comma in a flow-mapping title", RULESET_HEAD.replace("title: {zh: 测试, en: Test}\n    cite",
                                                          "title: {zh: 测试, en: Boilers, furnaces}\n    cite")
     + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n", 'quote the text: en: "Boilers, furnaces"'),
    ("a group of fields named as a field", RULESET_HEAD.replace("applies_to: coatings", "applies_to: boilers")
     + "    require: {field: emissions, op: '<=', value: 30 mg/m^3}\n", "name one of them: emissions.pm"),
    ("a field of another entity kind", RULESET_HEAD + "    require: {field: fuel, equals: coal}\n",
     "fuel is a field of boilers, furnaces"),
    ("a ban without prohibited", RULESET_HEAD + "    when: {field: solvent_based, equals: true}\n    require: false\n",
     "write prohibited: true"),
    ("secondary sources from one site only", RULESET_HEAD.replace(
        'cite: {clause: "1", text: 测试}', 'cite: {clause: "1", text: 测试, secondary: [https://a.org/1, https://a.org/2]}')
     + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n", "name at least two independent sources"),
    ("manual-review item with an unknown reason", RULESET_HEAD + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n"
     + _REVIEW_ITEM.replace("code: needs_data", "code: needs_value"), "unknown reason 'needs_value' (did you mean 'needs_data'?)"),
    ("manual-review item test expecting a verdict", RULESET_HEAD + "    require: {field: voc_content, op: '<=', value: 580 g/L}\n"
     + _REVIEW_ITEM + "    tests: [{expect: violation}]\n", "expect is one of manual_review, not_applicable"),
]

#: Bad selections of rulesets: (class, {file: content} (None: a folder), the
#: arguments after ``check good.yaml`` (file names relative to the folder
#: they are written in), expected fragment). Tested by
#: test_hardening2_rulesets.py::test_bad_selection.
_MINE = RULESET_HEAD.replace("id: t\n", "id: cn-tj-jizhou-2018-autumn-winter\n") + \
    "    require: {field: voc_content, op: '<=', value: 580 g/L}\n"
SELECTION_CASES = [
    ("user ruleset with a bundled ruleset's id", {"mine.yaml": _MINE},
     ["--ruleset", "cn-tj-jizhou-2018-autumn-winter", "--ruleset", "mine.yaml"], "is the id of the bundled ruleset"),
    ("user rule with a bundled rule's id",
     {"mine.yaml": _MINE.replace("cn-tj-jizhou-2018-autumn-winter", "mine").replace("id: t/r", "id: jizhou-2018/coating-voc/automotive-oem")},
     ["--ruleset", "mine.yaml", "--ruleset", "cn-tj-jizhou-2018-autumn-winter"], "is the id of a bundled rule"),
    ("folder without a ruleset file", {"rules": None, "rules/notes.txt": "x\n"}, ["--ruleset", "rules"],
     "no ruleset file (*.yaml or *.yml) in this folder"),
]


def write_selection(folder, files):
    """Write a selection case's files under ``folder``."""
    import os

    for name, text in files.items():
        path = os.path.join(folder, name)
        if text is None:
            os.makedirs(path, exist_ok=True)
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)


def located(err, tmp):
    """The first line of ``err`` with temporary and bundled folders left out."""
    import os

    from compliance.ruleset import bundled_paths

    bundled = os.path.dirname(bundled_paths()[0]) + os.sep
    return err.strip().splitlines()[0].replace(tmp + os.sep, "").replace(bundled, "")


# ------------------------------------------- batches, output and API misuse

#: a record whose unit conversion overflowed to infinity (1e308 kg/L in g/L):
#: a real internal error once (the message's number formatting failed), now
#: an input error found at normalisation (class 4)
OVERFLOW = "facility: {id: OVF, region: 120119}\ncoatings:\n  - {id: C1, voc_content: 1e308 kg/L, category: automotive_oem}\n"
HOSTILE_NAME = ('facility: {id: F, region: 120119, name: "A\\e[2J\\aB\\r\\ncompliance: forged\\u202eX"}\n'
                'context: {as_of: 2019-03-01}\n')
HOSTILE_KEY = GOOD + '"bo\\e[2Jiler\\ncompliance: fake": []\n'
VIOLATING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "jizhou-auto-parts.yaml")


def _subprocess_cli(args, env=None, stdout=None, close_stdout=False):
    """The CLI in its own process (a real stdout): exit code, stdout, stderr."""
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    full_env = {k: v for k, v in {**os.environ, "PYTHONPATH": root, **(env or {})}.items() if v is not None}
    proc = subprocess.Popen([sys.executable, "-c", "from compliance.cli import run; run()", *args],
                            stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, env=full_env)
    if close_stdout:  # the reader left before the first byte
        proc.stdout.close()
        out = b""
    else:
        out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read().decode("utf-8", "replace")
    return proc.wait(), out, err


def _first_line(text):
    return text.strip().splitlines()[0] if text.strip() else "(nothing)"


def _table_header(text):
    """A table's record header, its lines (wrapped to the width) joined."""
    lines = []
    for line in text.strip().splitlines():
        if line[:1] in ("─", "┌", "-", "+"):
            break
        lines.append(line.strip())
    return " ".join(lines) if lines else "(nothing)"


def _batch_internal(tmp):
    """A bug in one record of two. The known real ones are fixed (the last,
    1e308 kg/L overflowing in number formatting, is now an input error), so
    the bug is injected: normalising a file named boom.yaml raises."""
    from compliance import api

    path = os.path.join(tmp, "boom.yaml")
    with open(path, "w") as fh:
        fh.write(GOOD)
    real = api.facts_of

    def facts_of(doc, **kw):
        if doc.source.endswith("boom.yaml"):
            raise ZeroDivisionError("injected bug")
        return real(doc, **kw)

    api.facts_of = facts_of
    try:
        code, out, err = run_cli(["check", VIOLATING, path])
    finally:
        api.facts_of = real
    reported = out.count("summary:")
    return code, f"{_first_line(err)} ({reported} of 2 records reported)"


def _pipe(tmp):
    code, _, err = _subprocess_cli(["check", VIOLATING, "--format", "json"], close_stdout=True)
    return code, "(nothing on stderr)" if not err else _first_line(err)


def _full(fmt):
    def run(tmp):
        with open("/dev/full", "wb") as full:
            code, _, err = _subprocess_cli(["check", VIOLATING, "--format", fmt], stdout=full)
        return code, _first_line(err)
    return run


def _encoded(env, encoding, fmt="table"):
    def run(tmp):
        code, out, err = _subprocess_cli(["check", VIOLATING, "--format", fmt], env=env)
        text = out.decode(encoding)
        first = _table_header(text).split(": ", 1)[1]
        unit = next(line for line in text.splitlines() if "mg/m" in line)
        unit = unit[unit.index("mg/m"):][:6].strip()
        return code, f"{first} … {unit}" + (f" {err}" if err else "")
    return run


def _json_latin1(tmp):
    code, out, _ = _subprocess_cli(["check", VIOLATING, "--format", "json"], env={"PYTHONIOENCODING": "latin-1"})
    return code, "UTF-8: " + next(line.strip() for line in out.decode("utf-8").splitlines() if "mg/m³" in line)


def _hostile(text, command="check"):
    def run(tmp):
        path = os.path.join(tmp, "hostile.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        code, out, err = run_cli([command, path])
        shown = _first_line(err) if command == "check" and code == 2 else (
            _table_header(out) if command == "check" else _first_line(out))
        return code, shown.replace(tmp + os.sep, "")
    return run


def _long_id(tmp):
    path = os.path.join(tmp, "long.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(GOOD + "coatings:\n  - {id: " + "é" * 30000 + ", voc_content: 700 g/L, category: automotive_oem}\n")
    code, out, err = run_cli(["check", path])
    whole = any(("é" * 30000) in line for line in out.splitlines())
    return code, f"the id whole on one line: {whole} (linear time: test_wrap_is_linear_in_operations)"


def _api(call):
    def run(tmp):
        import compliance

        try:
            call(compliance)
        except compliance.ComplianceError as exc:
            return exc.exit_code, f"{type(exc).__name__}: {exc}".replace("\n", " / ")
        return 0, "(accepted)"
    return run


RECORD = {"facility": {"id": "F", "region": "120119"}}

#: Dask hidden from the CLI, as on an install without the scale extra.
_NO_DASK = ("import sys\nclass Block:\n    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('dask', 'distributed'):\n"
            "            raise ImportError(f'No module named {name!r}')\n"
            "sys.meta_path.insert(0, Block())\nfrom compliance.cli import run\nrun()\n")


def _no_dask(tmp):
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run([sys.executable, "-c", _NO_DASK, "check", VIOLATING, "--dask", "local"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": root})
    return proc.returncode, _first_line(proc.stderr)


def _side_file(option, name, text):
    """``check x.yaml OPTION FILE`` with FILE (a waiver file, a baseline) written in ``tmp``."""
    def run(tmp):
        path = os.path.join(tmp, name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        code, _, err = run_cli(["check", VIOLATING, option, path])
        return code, err.strip().splitlines()[-1]
    return run


def _cli_error(*args):
    def run(tmp):
        code, _, err = run_cli(["check", VIOLATING, *args])
        return code, err.strip().splitlines()[-1]  # after the usage lines
    return run


#: Batches, output and API misuse: (class, how it is triggered, what it
#: must get -- a fragment of the real message or output --, exit status,
#: the run). ``tests/test_hardening2_output.py::test_output_case`` runs
#: each; the generator prints the real result.
OUTPUT_CASES = [
    ("internal error in one record of a batch", "`check good.yaml boom.yaml` (a bug injected for boom.yaml)",
     "[internal] internal error (ZeroDivisionError: injected bug", 3, _batch_internal),
    ("reader closes the pipe", "`check x.yaml --format json \\| head -c 0`", "(nothing on stderr)", 141, _pipe),
    ("full disk (table)", "`check x.yaml > /dev/full`", "No space left on device; the output is incomplete", 3,
     _full("table")),
    ("full disk (JSON)", "`check x.yaml --format json > /dev/full`", "No space left on device", 3, _full("json")),
    ("full disk (JSONL)", "`check x.yaml --format jsonl > /dev/full`", "No space left on device", 3, _full("jsonl")),
    ("stdout in GBK (cp936)", "`PYTHONIOENCODING=gbk check x.yaml`", "蓟州示例汽车零部件有限公司 (region 120119", 1,
     _encoded({"PYTHONIOENCODING": "gbk"}, "gbk")),
    ("stdout in latin-1", "`PYTHONIOENCODING=latin-1 check x.yaml`", "\\u84df\\u5dde", 1,
     _encoded({"PYTHONIOENCODING": "latin-1"}, "latin-1")),
    ("stdout in ASCII (C locale, no UTF-8 mode)", "`LC_ALL=C PYTHONUTF8=0 check x.yaml`", "mg/m3", 1,
     _encoded({"PYTHONIOENCODING": None, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
              "ascii")),
    ("JSON under a latin-1 stdout", "`PYTHONIOENCODING=latin-1 check x.yaml --format json`", "mg/m³", 1,
     _json_latin1),
    ("control characters in a name (table)", "a facility name with ESC, BEL, CR, LF, U+202E",
     "A\\x1b[2J\\x07B\\x0d\\x0acompliance: forged\\u202eX", 0, _hostile(HOSTILE_NAME)),
    ("control characters in a key (error message)", "a top-level key with ESC and LF",
     "bo\\x1b[2Jiler\\x0acompliance: fake: unknown top-level key", 2, _hostile(HOSTILE_KEY)),
    ("control characters in a key (`validate`)", "`validate` of the same record",
     "bo\\x1b[2Jiler\\x0acompliance: fake", 2, _hostile(HOSTILE_KEY, "validate")),
    ("30 000-character non-ASCII id", "an entity id of 30 000 × é, table output", "the id whole on one line: True", 1, _long_id),
    ("API: `rulesets=[]`", "`check(record, rulesets=[])`", "an empty selection would check nothing", 2,
     _api(lambda c: c.check(RECORD, rulesets=[]))),
    ("API: one string for `rulesets`", "`check(record, rulesets='cn-tj-clean-air-2014')`",
     "got a single str", 2, _api(lambda c: c.check(RECORD, rulesets="cn-tj-clean-air-2014"))),
    ("API: one string for `records`", "`check_many('x.yaml')`", "records: expected an iterable of records", 2,
     _api(lambda c: c.check_many("x.yaml"))),
    ("API: `rulesets=[None]`", "`check(record, rulesets=[None])`", "rulesets[0]: expected a bundled ruleset id", 2,
     _api(lambda c: c.check(RECORD, rulesets=[None]))),
    ("API: `alert=['red']`", "`check(record, alert=['red'])`", "alert: expected None or one of", 2,
     _api(lambda c: c.check(RECORD, alert=["red"]))),
    ("API: wrong type of `as_of`, `engine`, `show_all`", "`check(record, show_all='no')`",
     "show_all: expected True or False", 2, _api(lambda c: c.check(RECORD, show_all="no"))),
    ("API: not a record", "`check(None)`; in a batch the item alone fails", "record: expected a record", 2,
     _api(lambda c: c.check(None))),
    ("API: mixed int/str keys in a record mapping", "`check({**record, 1: 'x', 'zz': 2})`",
     "[error] 1: unknown top-level key", 2, _api(lambda c: c.check({**RECORD, 1: "x", "zz": 2}))),
    ("`--jobs` not a count", "`check x.yaml --jobs many`", "bad number of jobs 'many'", 2, _cli_error("--jobs", "many")),
    ("`--dask` without the scale extra", "`check x.yaml --dask local`, Dask not installed",
     "--dask needs dask[distributed], which is not installed", 2, _no_dask),
    ("`--dask` address without a scheme", "`check x.yaml --dask 127.0.0.1:8786`",
     "expected local or a scheduler address", 2, _cli_error("--dask", "127.0.0.1:8786")),
    ("waiver without an expiry date", "`check x.yaml --waivers w.waivers.yaml`, an entry without `expires`",
     "w.waivers.yaml:1:3: [error] waivers[0].expires: required field 'expires' is missing", 2,
     _side_file("--waivers", "w.waivers.yaml", "- {id: W1, rule: 'jizhou-2018/*', facility: F, reason: r, "
                "approver: a, document: d}\n")),
    ("misspelt key in a waiver", "`check x.yaml --waivers w.waivers.yaml`, `expire:` for `expires:`",
     "unknown field (did you mean 'expires'?)", 2,
     _side_file("--waivers", "w.waivers.yaml", "- id: W1\n  rule: r\n  facility: F\n  reason: r\n  approver: a\n"
                "  document: d\n  expires: 2019-01-01\n  expire: 2019-02-01\n")),
    ("not a baseline file", "`check x.yaml --baseline b.json`, some other JSON", "not a baseline file", 2,
     _side_file("--baseline", "b.json", '{"findings": []}\n')),
]

OUTPUT_PROSE = r"""
## Batches, output and API misuse

A record that fails on a bug (any exception while loading, normalising,
evaluating or rendering it) is a failure of that record alone: its error
has level `internal`, says "internal error … report it", and the run exits
3 (3 > 2 > 1 > 0); the other records are reported in full (table, json,
jsonl). `COMPLIANCE_DEBUG=1` lets the exception through with its
traceback. An `EngineError` (the rule engine itself failed, not one record)
still ends the run with status 3 and no partial result, as documented for
engines. In the API, `iter_check` yields a `Failure` whose problem has
level `internal` (`Failure.internal` is true) and `check_many` lists it in
`Report.errors` (`Report.exit_code` 3); `check` of one record raises it.

Output judgements: a closed pipe (`| head`) exits **141**, as a shell
reports a process killed by SIGPIPE -- the report was not delivered, so
no verdict is claimed, and 141 is never mistaken for "no violation"; stderr
stays empty. A failed or short write (a full disk) is exit 3 with a
message, never a silently truncated table or half a JSON document. JSON is
always UTF-8 (RFC 8259) whatever the locale. Text (tables, `rules`,
`explain`, `validate`, messages) is written in the stream's encoding: a
character it cannot hold gets its compatibility form (`m3` for `m³`), a
plain spelling (`u` for `µ`, `<=` for `≤`, `+`/`-`/`|` for the table's box
drawing) or a `\uXXXX` escape -- nothing is dropped. Control characters
(C0, DEL, C1, U+2028/2029, bidi marks, embeddings, overrides, isolates) in
any text output are shown as `\x1b`/`\u202e` escapes, before the table is
laid out; JSON keeps them exact (escaped by JSON). The API refuses misuse
with a `UsageError` (an `InputError` for the record's own content) rather
than guessing: a string is not read as a list, an empty selection is not
"check nothing".

Parallel runs (`--jobs N`, `--dask`, docs/scale.md) write what one process
writes, byte for byte, so every row here holds for them too. A worker
process that dies (killed, out of memory) does not hang the run: its
records are checked again one at a time in a new pool, and a record that
kills its worker again fails alone with level `internal` ("the worker
process died while checking this record"), exit 3; the others are
reported as usual (`tests/test_parallel.py`). Asking for Dask where it is
not installed is a usage error naming the extra to install, not an import
traceback.
"""

#: The judgements behind the tables, as docs/bad-input.md states them.
JUDGEMENTS = [
    "**Numbers, booleans and dates where text is meant.** YAML 1.1 reads `010` as the octal 8, `0x0A` "
    "as 10, `1.10` as 1.1, `1:00` as 60, `yes`/`on` as true and `2019-01-01` as a date. An `id` and every "
    "field the record format declares as text (`name`, `town`, `product`, `nonroad_machinery.kind`) keep "
    "the text as written instead: the loader keeps the source text of every plain scalar that did not "
    "load as text, and both loaders agree on it. Where a number is meant, a number YAML reads in octal, "
    "hexadecimal, binary or base 60 is refused (\"write the number in decimal\"); decimal forms such as "
    "`1.10`, `1.1e+1`, `1_000` and `05` read as they look and are kept. Mapping keys are always the text as written. In JSON, "
    "`\"id\": 10` is the text `10` (exact). From Python, an int id is its decimal text (exact); a float, "
    "bool or date where text is meant has no one spelling and is refused with \"write it in quotes\".",
    "**null.** A field written as null (`~`, `null` or nothing) is unknown, exactly as a missing field, "
    "and never takes the format's default: a boiler with `status: null` is judged `indeterminate` by a "
    "rule that needs its status, not as operating. A mapping written as null (`emissions: null`) makes "
    "each of its fields unknown; a section written as null is a section not given; an `id` written as "
    "null is missing (an error); an item of a list written as null is an error; `context.as_of` or "
    "`context.alert` written as null is an error (a record is judged at one date and alert level: leave "
    "the field out for the default).",
    "**Unknown fields** at any depth (facility, entities, nested mappings such as `emissions`) are "
    "errors: ignoring one would silently make its checks `indeterminate`. The message names the field "
    "meant when the name differs only in letter case, look-alike Cyrillic or Greek letters, full-width "
    "forms or invisible characters (named with their code point), and otherwise the closest name. "
    "Free-form data has two places, kept and never read by the rules: `notes` (any value) on the "
    "facility and every entity, and any key starting with `x_`, anywhere.",
    "**Warnings** (an open vocabulary's unknown value) go to stderr, never into the table on stdout; "
    "in JSON they are also the record's `warnings` list.",
    "**Not a regular file.** A named pipe, device, socket or directory given as a record, to "
    "`validate` or as `--ruleset PATH` is refused at once (it is checked with `stat` before opening, "
    "and opened non-blocking and checked again), never waited on. `-` is kept for standard input: "
    "it is never opened as a file named `-`.",
]


#: Inputs accepted on purpose, and why: (heading, prose) for docs/bad-input.md.
ENGINE_JUDGEMENTS = [
    ("Wide conditions (durable engine)",
     "A ruleset may give an `in:` list of any length, many rules on one field, an `any` "
     "of many tests or a `when` nested past durable_rules' limits. None is refused: on "
     "the `kernel` and `direct` engines they are ordinary conditions, and durable_rules, "
     "which hangs for good creating a ruleset of more than about 512 distinct tests "
     "(deaf to Ctrl-C) and refuses others (errors 107, 113, 303), is given only what it "
     "can take: its rulesets are cut at 256 distinct tests, and a rule it cannot take "
     "is matched on entity kind and jurisdiction alone, its `when` decided by the "
     "interpreter. The verdicts are the same on every engine "
     "(`tests/test_hardening2_engine.py::test_no_rule_shape_hangs_the_durable_engine`)."),
    ("A damaged or foreign ruleset cache",
     "The compiled-ruleset cache in `$XDG_CACHE_HOME/compliance` is not input the user "
     "gave, so a bad one is not an error: a cache file that is truncated, altered, of "
     "another version, holding other rules, rule ids other than the ruleset files "
     "declare, objects of other types or a pickle that would run code, or that another "
     "account owns or can write, is ignored without a word and the rulesets are "
     "compiled again; the verdicts are those of a cold run "
     "(`tests/test_cache.py::test_a_tampered_cache_never_changes_a_verdict`). Set "
     "`COMPLIANCE_NO_CACHE=1` where the cache folder comes from untrusted builds."),
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
        write(case, path)
        code, _, err = run_cli(["check", path])
        msg = err.strip().splitlines()[0].replace(tmp + os.sep, "")
        print(f"| {case[0]} | `{msg}` (exit {code}) | `test_bad_record[{case[1]}]` |")
    print("\n## Accepted, and kept as written\n")
    print("Judgement calls, each tested in `tests/test_hardening2_records.py`:\n")
    for para in JUDGEMENTS:
        print(para + "\n")
    print("| input | `compliance check --format json FILE` shows | test id |")
    print("|---|---|---|")
    for cls, fname, text, fragment in KEPT:
        path = os.path.join(tmp, fname)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        code, out, err = run_cli(["check", path, "--format", "json", "--as-of", "2019-03-01"])
        assert fragment in out and code in (0, 1), (cls, code, err)
        print(f"| {cls} | `{fragment}` (exit {code}) | `test_kept_as_written[{fname}]` |")
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
        msg = located(err, tmp)
        print(f"| {cls} | `{msg}` (exit {code}) | `test_bad_ruleset[{i}]` |")
    print("\n## Batches (`docs/batch.md`)\n")
    print("A JSON Lines file is one record per line: a bad line is reported at `file:line` (column 0 where")
    print("only the line is known) and costs only that line; blank lines are skipped. Standard input (`-`) is")
    print("one YAML or JSON record unless `--stdin-format jsonl` says it is JSON Lines: a one-line JSON object")
    print("is both, so the format is said, never guessed. A folder is searched for `*.yaml`, `*.yml`, `*.json`")
    print("and `*.jsonl`; other files, hidden names and waiver and baseline files (`*.waivers.yaml`,")
    print("`*.baseline.json`: `docs/workflow.md`) are skipped, and a symbolic link back to a folder")
    print("already walked is not followed again. An input that cannot be read at all (a missing file, an")
    print("unreadable folder, a folder without records) fails alone: every other input is still checked,")
    print("and the exit status is 2.")
    print("`--mapping` without a `.csv`/`.xlsx` input, `--format parquet`/`xlsx` without `-o FILE`, and")
    print("`-o` naming one of the inputs are usage errors (exit 2, nothing checked).")
    print(OUTPUT_PROSE)
    print("| class | how | message or output (real run) | test id |")
    print("|---|---|---|---|")
    for i, (cls, how, _, _, run) in enumerate(OUTPUT_CASES):
        code, msg = run(tmp)
        msg = msg.replace(tmp + os.sep, "").replace(os.path.dirname(VIOLATING) + os.sep, "").replace("|", "\\|")
        print(f"| {cls} | {how} | `{msg}` (exit {code}) | `test_output_case[{i}]` |")
    print("\n## Judgement calls: engines and the cache\n")
    print("\n\n".join(f"**{heading}.** {prose}" for heading, prose in ENGINE_JUDGEMENTS))
    print("\n## Ruleset selections\n")
    print("| class | arguments after `compliance check good.yaml` | message | test id |")
    print("|---|---|---|---|")
    for i, (cls, files, args, _) in enumerate(SELECTION_CASES):
        folder = tempfile.mkdtemp(dir=tmp)
        write_selection(folder, files)
        code, _, err = run_cli(["check", good] + [os.path.join(folder, a) if a in files else a for a in args])
        msg = located(err, folder)
        print(f"| {cls} | `{' '.join(args)}` | `{msg}` (exit {code}) | `test_bad_selection[{i}]` |")
    print("""
### Judgement calls (rulesets)

- **Types.** Every key a ruleset may hold has one declared type, in one
  table (`compliance/ruleset_types.py`), checked before anything is
  compiled. A key written without a value (`deadline:`) is refused, not read
  as absent: leave the key out to mean "not given". Where the source writes
  numbers, a number is accepted for text: `cite.clause: 5`,
  `ruleset.jurisdiction: 120119`, `ruleset.version: 2` (or a date).
- **Message templates** take the nine plain placeholders of
  `docs/ruleset-format.md` and `{{`/`}}`; anything else between braces is
  refused at load rather than printed as written, since a typo in a
  placeholder would otherwise reach every violation unnoticed.
- **Bundled ids.** A user's ruleset or rule that reuses the id of a bundled
  one is refused when both are selected (in either order, by id or by path),
  at the user's file and line. Alone, it is the user's own: a copy of a
  bundled ruleset given *instead of* it keeps its id and its own parameter
  values. Bundled parameters are in scope for every rule, so a user
  parameter with a bundled parameter's id is always refused.
- **Folders.** `--ruleset DIR` reads `*.yaml` and `*.yml`; a folder with
  neither is refused rather than running no rule.
- **Far dates.** Every date key accepts 0001-01-01 to 9999-12-31; nothing is
  refused. `until: 9999-12-31` never ends a rule; a rule whose deadline is
  9999-12-31 is never due, so its embedded cases without `as_of` are judged
  on that day (pending).""")


def _md(text):
    return str(text).replace("|", "\\|")


def _print_units_section(tmp):  # pragma: no cover - part of docs/bad-input.md
    """Units and numbers: the judgement calls, the spellings read and refused
    (each row a test in tests/test_hardening2_units.py), the accepted units
    and the plausible ranges, all computed by the code as it is."""
    import os

    import yaml

    from compliance import units
    from compliance.units import UnitProblem, format_unit, parse_quantity
    from compliance.vocabulary import vocabulary

    print("\n## Units and numbers\n")
    print("Judgement calls (hardening round 2, issue #10 classes 2-4):\n")
    print("* **A ton is refused, `t` is the metric 吨.** pint reads `ton` as the US short ton")
    print("  (907.18 kg), so `36 ton/h` was 32.66 t/h and fell under a ≤ 35 t/h ban. `ton`, `tons`,")
    print("  `short_ton` and `long_ton` are refused with the suggestion to write `t`; `t`, `tonne`,")
    print("  `metric_ton`, `吨` and `蒸吨` are the metric tonne (1000 kg).")
    print("* **Only listed units are accepted.** pint knows ~1000 units with ~70 prefixes; a unit is")
    print("  accepted only when every unit in it (by pint's name, prefix applied) is in")
    print("  `compliance/data/unit_policy.yaml` or defined in `compliance/data/units.txt` (the table below).")
    print("  Exact but misleading readings are refused: `mW` (milliwatt, not MW), `Mg` (megagram, not mg),")
    print("  `Mm`, `ML`, `mt`, `Mt`, `kt` (a knot). A unit that differs only in letter case from an")
    print("  accepted spelling gets \"did you mean\" (`Kg` → `kg`, `KW` → `kW`), never a silent reading.")
    print("* **`gal` is the US liquid gallon** (3.785411784 L): `lb/gal` is the US coatings unit of VOC")
    print("  content (US EPA Method 24), used in the Jizhou 2018 ruleset's own tests and the examples.")
    print("  The imperial gallon is accepted only written out (`imperial_gallon`, `UK_gallon`). Units whose")
    print("  US and UK sizes differ and that have no such use here -- quart, pint, fluid ounce, gill, cup,")
    print("  bushel, peck, barrel, hundredweight, ounce -- and the several horsepowers, calories and Btu are")
    print("  refused with what to write instead.")
    print("* **`Nm³` is m³ at standard conditions.** N is *normal* (273.15 K, 101.325 kPa), not newton:")
    print("  `mg/Nm³`, `mg/Nm3`, `Nm³/h` are read as `mg/m³`, `m³/h`. The limits of GB 13271-2014 (and")
    print("  GB 4915-2013, GB 16297-1996) are stated at standard conditions already, so in this domain")
    print("  mg/Nm³ = mg/m³; a concentration measured at actual conditions must be converted by whoever")
    print("  writes the record. `N·m³` (with a dot: newton times m³) is refused.")
    print("* **Pasted forms are read after Unicode NFKC**: full-width digits, letters, `％`, `／`, the")
    print("  squared forms `㎎`, `㎥`, and both mu code points (U+00B5 micro sign, U+03BC Greek mu);")
    print("  a bare 2 or 3 after a unit's letters is its power (`m3` = `m^3`, `km2` = `km^2`). Emission")
    print("  stages are read after NFKC too, so the Roman numeral characters Ⅴ, Ⅵ (U+2160…) read as V, VI.")
    print("  NFKC never makes a refused unit acceptable: `Ｔ` becomes `T`, which is still refused.")
    print(f"* **Magnitudes beyond {units.MAX_MAGNITUDE:g}** in a field's canonical unit (after conversion) are")
    print("  input errors, as are numbers too long to be a float: nothing computed from an accepted value")
    print("  can overflow. The worst oxygen correction multiplies by 21 / (21 − O2) with O2 below 21 %, at")
    print("  most ~5.9e15; so the check is made once, at normalisation, identically for every engine.")
    print("* **Implausible values are warnings, not errors.** Each quantity field has a plausible range")
    print("  in `compliance/data/record.yaml` (the source of each bound beside it); a value outside it")
    print("  is kept and judged, and a warning names the field and the value in the field's unit, in")
    print("  the report and on stderr; the exit status stays that of the verdicts. For example:\n")
    path = os.path.join(tmp, "implausible.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(GOOD + "boilers:\n  - {id: B1, fuel: gas, capacity: 5 kW}\n")
    code, _, err = run_cli(["check", path])
    warning = [line for line in err.splitlines() if "implausible" in line][0].replace(tmp + os.sep, "")
    print(f"  `{warning}` (exit {code})\n")

    print("### Spellings that are read\n")
    print("| written | read as | test id |")
    print("|---|---|---|")
    for i, (written, canonical, _) in enumerate(ACCEPTED_SPELLINGS):
        value, _ = parse_quantity(written, canonical)
        print(f"| `{_md(written)}` | {value:g} {_md(format_unit(canonical))} | `test_accepted_spelling[{i}]` |")
    vocab = vocabulary()
    for i, (written, scheme, _) in enumerate(ACCEPTED_STAGES):
        stage = vocab.stage(scheme, written)
        print(f"| `{_md(written)}` | {scheme} stage {stage.label} | `test_accepted_stage[{i}]` |")

    print("\n### Spellings that are refused, and what to write\n")
    print("| written | message | test id |")
    print("|---|---|---|")
    for i, (written, canonical, _) in enumerate(REFUSED_SPELLINGS):
        try:
            parse_quantity(written, canonical, "boiler" if canonical == "MW" else None)
            msg = "ACCEPTED (wrong)"
        except UnitProblem as exc:
            msg = str(exc)
        print(f"| `{_md(written)}` | {_md(msg)} | `test_refused_spelling[{i}]` |")

    print("\n### Accepted units\n")
    print("By pint's name with its prefix applied (`compliance/data/unit_policy.yaml`), then the domain")
    print("and Chinese units of `compliance/data/units.txt`. `tests/test_hardening2_units.py` holds")
    print("every unit and prefix pint knows to this list and every accepted unit to a factor typed by hand.\n")
    print("| unit | meaning |")
    print("|---|---|")
    policy = yaml.safe_load(units._POLICY_FILE.read_text("utf-8"))
    for name, meaning in policy["accepted"].items():
        print(f"| {name} | {_md(meaning)} |")
    print(f"| {', '.join(units.defined_names())} | defined in units.txt |")

    print("\n### Plausible ranges\n")
    print("| field | plausible (canonical unit) | hard limits |")
    print("|---|---|---|")
    for section in vocab.sections.values():
        for name, spec in section.leaves.items():
            if spec.type != "quantity":
                continue
            unit = _md(format_unit(spec.unit))
            plausible = f"{spec.plausible[0]:g} to {spec.plausible[1]:g} {unit}" if spec.plausible else "—"
            hard = []
            if spec.positive:
                hard.append("> 0")
            elif spec.min is not None:
                hard.append(f"≥ {spec.min:g}")
            if spec.max is not None:
                hard.append(f"{'<' if spec.max_exclusive else '≤'} {spec.max:g} {unit}")
            print(f"| {section.name}.{name} | {plausible} | {', '.join(hard)} |")


if __name__ == "__main__":  # pragma: no cover - the rest of docs/bad-input.md
    _print_units_section(tmp)
    print("\n## Spreadsheet ledgers\n")
    print("A ledger (`.xlsx`, `.csv`, a folder of CSV files; `docs/ledgers.md`) names the cell:")
    print("`file:sheet!C12` (CSV: `file:C12`). A facility with a bad cell gets every problem of its")
    print("rows and no report; the other facilities of the ledger are still checked.")
    print("`compliance check` judges a ledger over columns; every message below is the same with")
    print("`--no-columnar` (the row path), in the same order (`tests/test_ledger_columnar.py`).\n")
    print("| class | message (`compliance check LEDGER`) | test id |")
    print("|---|---|---|")
    for case in LEDGER_CASES:
        path = os.path.join(tmp, case[1])
        write_ledger(case, path)
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
