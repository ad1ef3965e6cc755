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
    # hardening round 2, units and numbers (issue #10 classes 2-4)
    ("ambiguous unit: ton (pint's US short ton)", "ton.yaml",
     GOOD + "boilers:\n  - {id: B1, fuel: coal, capacity: 36 ton/h}\n",
     "ton is ambiguous", "boilers[B1].capacity"),
    ("prefix-case trap: mW (milliwatt) for MW", "milliwatt.yaml",
     GOOD + "boilers:\n  - {id: B1, fuel: coal, capacity: 28 mW}\n",
     "mW is a milliwatt", "boilers[B1].capacity"),
    ("letter case of a unit (Kg, KW, T/H)", "case.yaml", GOOD + "vehicles:\n  - {id: V1, gross_mass: 3500 Kg}\n",
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
