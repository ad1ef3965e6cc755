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
]


#: Inputs accepted on purpose, and why: (heading, prose) for docs/bad-input.md.
JUDGEMENTS = [
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
    print("\n## Judgement calls\n")
    print("\n\n".join(f"**{heading}.** {prose}" for heading, prose in JUDGEMENTS))
