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


# ------------------------------------------- batches, output and API misuse

#: a record whose unit conversion overflows to infinity (1e308 kg/L in g/L):
#: a real internal error when this was written (the message's number
#: formatting failed); if it is fixed, pick another trigger
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


def _batch_internal(tmp):
    path = os.path.join(tmp, "overflow.yaml")
    with open(path, "w") as fh:
        fh.write(OVERFLOW)
    code, out, err = run_cli(["check", VIOLATING, path])
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
        first = text.splitlines()[0].split(": ", 1)[1]
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
        return code, _first_line(err if command == "check" and code == 2 else out).replace(tmp + os.sep, "")
    return run


def _long_id(tmp):
    path = os.path.join(tmp, "long.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(GOOD + "coatings:\n  - {id: " + "é" * 30000 + ", voc_content: 700 g/L, category: automotive_oem}\n")
    code, out, err = run_cli(["check", path])
    return code, f"table of {out.count(chr(10))} lines (linear time: test_wrap_is_linear_in_operations)"


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

#: Batches, output and API misuse: (class, how it is triggered, what it
#: must get -- a fragment of the real message or output --, exit status,
#: the run). ``tests/test_hardening2_output.py::test_output_case`` runs
#: each; the generator prints the real result.
OUTPUT_CASES = [
    ("internal error in one record of a batch", "`check good.yaml overflow.yaml`",
     "[internal] internal error (OverflowError", 3, _batch_internal),
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
    ("30 000-character non-ASCII id", "an entity id of 30 000 × é, table output", "table of 3405 lines", 1, _long_id),
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
    print("and `*.jsonl`; other files and hidden names are skipped, and a symbolic link back to a folder")
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
