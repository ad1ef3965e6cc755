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
        msg = located(err, tmp)
        print(f"| {cls} | `{msg}` (exit {code}) | `test_bad_ruleset[{i}]` |")
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
