"""Classes of bad input and what each must get: exit 2, file:line, field.

Used by ``test_hardening.py`` and, run as a script, prints the table in
``docs/bad-input.md`` from a real run::

    python tests/bad_inputs.py > docs/bad-input.md
"""

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
        msg = err.strip().splitlines()[0].replace(tmp + os.sep, "")
        print(f"| {cls} | `{msg}` (exit {code}) | `test_bad_ruleset[{i}]` |")
