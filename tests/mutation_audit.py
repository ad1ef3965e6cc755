"""Mutation audit: seed one bug at a time into the engine and see whether
the test suite catches it.

Each mutation is (class, file, old text, new text, test files): the old
text must occur exactly once in the file. For each, the repository is copied
(without its virtual environments), the bug is seeded, and ``pytest -x -q``
runs on the copy: first on the mutation's own test files (its targeted
list), then, only if they pass, on the whole suite. The mutation is *caught*
when either fails; as the targeted files are part of the suite, the count is
the one the full suite alone would give, for a fraction of the CPU. Run it
from the repository root::

    python tests/mutation_audit.py [--jobs 2] [--only SUBSTRING] [--full-only] [--check]

``--full-only`` skips the targeted run; ``--check`` only checks that every
mutation applies (its old text occurs once) and runs nothing.

It prints one line per mutation and ``caught/total`` at the end. It is not
part of the test suite (it runs the suite once per mutation); the figure
goes into the closing note of the hardening issue.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: (class, file, old, new, targeted test files). Written against main after
#: the hardening round; a mutation whose old text is missing is reported as
#: "stale", not counted. The test files are run first (``--targeted``): a
#: mutation they catch is caught by the full suite too (they are part of it).
MUTATIONS = [
    # -- 1. YAML 1.1 number forms in ids and text
    ("1 yaml-1.1 numbers", "compliance/_yaml.py",
     "        except ValueError:  # hexadecimal, binary, base 60\n            return True",
     "        except ValueError:  # hexadecimal, binary, base 60\n            return False",
     ["tests/test_hardening2_records.py"]),
    ("1 yaml-1.1 numbers", "compliance/_yaml.py",
     "        text = self.texts.get(tuple(path))\n        if text is not None:\n            return text\n",
     "",
     ["tests/test_hardening2_records.py"]),
    # -- 2. unit traps and plausible ranges
    ("2 unit traps", "compliance/data/unit_policy.yaml",
     "  metric_ton: t, tonne (1000 kg, 吨)\n",
     "  metric_ton: t, tonne (1000 kg, 吨)\n  ton: t\n",
     ["tests/test_hardening2_units.py"]),
    ("2 unit traps", "compliance/units.py",
     "            if why:\n                raise UnitProblem(f\"unit {text!r}: {why}\")\n"
     "            raise UnitProblem(f\"unit {text!r} reads as {name}",
     "            if why:\n                raise UnitProblem(f\"unit {text!r}: {why}\")\n"
     "            continue\n            raise UnitProblem(f\"unit {text!r} reads as {name}",
     ["tests/test_hardening2_units.py"]),
    ("2 plausible ranges", "compliance/normalise.py",
     "        if lo <= mag <= hi:\n            return None",
     "        if lo <= mag:\n            return None",
     ["tests/test_hardening2_units.py"]),
    # -- 3. pasted spellings
    ("3 pasted spellings", "compliance/units.py",
     r'_PASTED = re.compile("[\uff01-\uffef\u3380-\u33ff\u00b5\u2160-\u2188\u3000]+")',
     r'_PASTED = re.compile("[\u3380-\u33ff\u00b5\u2160-\u2188\u3000]+")',
     ["tests/test_hardening2_units.py"]),
    ("3 pasted spellings", "compliance/vocabulary.py",
     'text = _STAGE_CLEAN.sub("", nfkc_pasted(str(written))).lower()',
     'text = _STAGE_CLEAN.sub("", str(written)).lower()',
     ["tests/test_hardening2_units.py"]),
    # -- 4. overflow
    ("4 overflow", "compliance/units.py",
     "MAX_MAGNITUDE = 1e100\n", "MAX_MAGNITUDE = 1e300\n",
     ["tests/test_hardening2_units.py"]),
    # -- 5. unknown fields
    ("5 unknown fields", "compliance/record.py",
     "        elif spec.type == \"mapping\" and isinstance(value, Mapping):\n"
     "            _check_fields(doc, path + (key,), value, spec.fields, f\"{label}.{key}\", errors, False)\n",
     "",
     ["tests/test_hardening2_records.py"]),
    ("5 unknown fields", "compliance/record.py",
     "        if key not in vocab.context_fields and not free_form(key):",
     "        if False:",
     ["tests/test_hardening2_records.py"]),
    ("5 notes/x_", "compliance/record.py",
     "or (entity_level and key == vocab.free_form_field))",
     "or key == vocab.free_form_field)",
     ["tests/test_hardening2_records.py"]),
    # -- 6. FIFOs and other non-regular files
    ("6 non-regular files", "compliance/_yaml.py",
     'fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))',
     'fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))',
     ["tests/test_hardening2_records.py"]),
    ("6 non-regular files", "compliance/_yaml.py",
     "    if not _stat.S_ISREG(mode):", "    if _stat.S_ISFIFO(mode):",
     ["tests/test_hardening2_records.py"]),
    # -- 7. batch isolation of internal errors
    ("7 batch isolation", "compliance/api.py",
     "        except Exception as exc:  # a bug: this record fails, the others are still checked",
     "        except (ValueError, KeyError) as exc:  # a bug: this record fails, the others are still checked",
     ["tests/test_hardening2_output.py"]),
    ("7 batch isolation", "compliance/cli.py",
     "                    except Exception as exc:  # a bug writing this record: it alone fails\n"
     "                        item = internal_failure(item.source, exc)",
     "                    except Exception as exc:  # a bug writing this record: it alone fails\n"
     "                        raise",
     ["tests/test_hardening2_output.py"]),
    # -- 8. ruleset key types
    ("8 ruleset key types", "compliance/ruleset_types.py",
     "        if isinstance(value, bool):\n            return bool in spec.types\n", "",
     ["tests/test_hardening2_rulesets.py"]),
    ("8 ruleset key types", "compliance/ruleset_types.py",
     "        for i, v in enumerate(value):\n            _walk(item, v, path + (i,), found)",
     "        for i, v in enumerate(value[:1]):\n            _walk(item, v, path + (i,), found)",
     ["tests/test_hardening2_rulesets.py"]),
    # -- 9. message templates
    ("9 message templates", "compliance/ruleset.py",
     '    return "".join(lit + (fill.get(name, "") if name is not None else "") for lit, name in _template_parts(text))',
     "    return text.format_map(dict(fill))",
     ["tests/test_hardening2_rulesets.py"]),
    ("9 message templates", "compliance/ruleset.py",
     "        if name in PLACEHOLDERS:\n            continue",
     '        if re.split("[:!.\\\\[]", name)[0] in PLACEHOLDERS:\n            continue',
     ["tests/test_hardening2_rulesets.py"]),
    # -- 10. wide `in:` hangs durable
    ("10 wide in: durable", "compliance/_durable.py",
     "            if len(tests) > MAX_TESTS:\n                self.coarse.add(i)",
     "            if len(tests) > 4 * MAX_TESTS:\n                self.coarse.add(i)",
     ["tests/test_hardening2_engine.py"]),
    # -- 11. bundled id clashes
    ("11 bundled id clash", "compliance/ruleset.py",
     '            if mine and ("rule", rule.id) in owners:',
     '            if False:',
     ["tests/test_hardening2_rulesets.py"]),
    ("11 bundled id clash", "compliance/ruleset.py",
     '        if mine and ("ruleset", head["id"]) in owners:',
     '        if False:',
     ["tests/test_hardening2_rulesets.py"]),
    # -- 12. --ruleset DIR: .yml, empty
    ("12 ruleset folder", "compliance/ruleset.py",
     'RULESET_SUFFIXES = (".yaml", ".yml")', 'RULESET_SUFFIXES = (".yaml",)',
     ["tests/test_hardening2_rulesets.py"]),
    ("12 ruleset folder", "compliance/ruleset.py",
     "            if not found:\n                raise RulesetError(", "            if False:\n                raise RulesetError(",
     ["tests/test_hardening2_rulesets.py"]),
    # -- 13. far dates
    ("13 far dates", "compliance/testing.py",
     "        return rule.deadline + dt.timedelta(days=1) if rule.deadline < dt.date.max else rule.deadline",
     "        return rule.deadline + dt.timedelta(days=1)",
     ["tests/test_hardening2_rulesets.py"]),
    ("13 far dates", "compliance/kernel.py",
     "            if rule.until is not None and rule.until < dt.date.max:  # until 9999-12-31: never ends",
     "            if rule.until is not None:  # until 9999-12-31: never ends",
     ["tests/test_hardening2_rulesets.py"]),
    # -- 14. broken pipe exit code
    ("14 broken pipe", "compliance/cli.py",
     "            discard_stdout()\n        return 141", "            discard_stdout()\n        return 0",
     ["tests/test_hardening2_output.py"]),
    # -- 15. full disk
    ("15 full disk", "compliance/_output.py",
     "    except OSError as exc:\n        raise _failed(exc, what) from None",
     "    except OSError:\n        return None",
     ["tests/test_hardening2_output.py"]),
    ("15 full disk", "compliance/cli.py",
     "        out.flush()  # a full disk shows here, not as a silent truncation at exit\n", "",
     ["tests/test_hardening2_output.py"]),
    # -- 16. non-UTF-8 stdout
    ("16 non-UTF-8 stdout", "compliance/_output.py",
     'reconfigure(encoding="utf-8", errors="backslashreplace")', 'reconfigure(errors="backslashreplace")',
     ["tests/test_hardening2_output.py"]),
    ("16 non-UTF-8 stdout", "compliance/_output.py",
     '                reconfigure(errors="compliance-fallback")', '                reconfigure(errors="replace")',
     ["tests/test_hardening2_output.py"]),
    # -- 17. terminal control characters
    ("17 control characters", "compliance/_output.py",
     r'\u200e\u200f\u202a-\u202e\u2066-\u2069', r'\u200e\u200f\u2066-\u2069',
     ["tests/test_hardening2_output.py"]),
    ("17 control characters", "compliance/report.py",
     "    esc = escape  # every text from an input", "    esc = str  # every text from an input",
     ["tests/test_hardening2_output.py", "tests/test_fuzz_valid.py"]),
    # -- 18. quadratic wrapping
    ("18 quadratic wrapping", "compliance/report.py",
     "        text_w -= sum(widths[start:cut])", "        text_w = _width(text[cut:])",
     ["tests/test_hardening2_output.py"]),
    # -- 19. cache trust
    ("19 cache trust", "compliance/units.py",
     "(st.st_uid != getuid() or st.st_mode & 0o022)", "(st.st_uid != getuid())",
     ["tests/test_cache.py"]),
    ("19 cache trust", "compliance/ruleset.py",
     "            if (isinstance(obj, type) and obj.__module__ == module\n"
     "                    and (attrs.has(obj) or issubclass(obj, enum.Enum))):",
     "            if isinstance(obj, type):",
     ["tests/test_cache.py"]),
    # -- 20. fork safety, cold start under threads
    ("20 fork safety", "compliance/_durable.py",
     "    os.register_at_fork(before=_hold_for_fork, after_in_parent=_release_after_fork,\n"
     "                        after_in_child=_new_lock_in_child)",
     "    pass",
     ["tests/test_hardening2_engine.py"]),
    ("20 cold start", "compliance/api.py",
     "    with _LOCK:  # threads starting cold: one load, one evaluator",
     "    if True:  # threads starting cold: one load, one evaluator",
     ["tests/test_hardening2_engine.py"]),
    # -- 21. API misuse
    ("21 API misuse", "compliance/api.py",
     "    if isinstance(records, (str, bytes, os.PathLike, Mapping)):",
     "    if isinstance(records, (bytes, os.PathLike)):",
     ["tests/test_hardening2_output.py"]),
    # -- the guard's blind spots of the first audit
    ("B wrong factor of a Chinese unit", "compliance/data/units.txt",
     "公斤 = kilogram\n", "公斤 = gram\n",
     ["tests/test_hardening2_units.py", "tests/test_unit_table.py"]),
    ("B null takes the default", "compliance/normalise.py",
     "            if name not in values and not _written(raw.fields, name):",
     "            if name not in values:",
     ["tests/test_hardening2_records.py"]),
    ("B null takes the default", "compliance/normalise.py",
     "            if name not in values and not (_written(raw, name) if dotted else name in raw):",
     "            if name not in values:",
     ["tests/test_hardening2_records.py", "tests/test_fast_normalise.py"]),
    ("B not around a comparison (durable)", "compliance/conditions.py",
     "    def not_certain(self):\n        return self._possible(NEGATED[self.op])",
     "    def not_certain(self):\n        return self._possible(self.op)",
     ["tests/test_durable.py", "tests/test_differential.py"]),
    ("B stage < 6b with a bare 国六 (durable)", "compliance/conditions.py",
     '        elif op in ("<", "<="):\n            test = _dcmp(op, lo, v)',
     '        elif op in ("<", "<="):\n            test = _dcmp(op, hi, v)',
     ["tests/test_durable.py", "tests/test_differential.py"]),
    ("B pending row's quote", "compliance/report.py",
     '            if f.status in ("violation", "pending") and src.get("text"):',
     '            if f.status == "violation" and src.get("text"):',
     ["tests/test_guard_blind_spots.py"]),
    ("B snapshot order", "compliance/evaluate.py",
     "    return (STATUS_ORDER.index(status), rule.id, entity.section, entity.id)",
     "    return (STATUS_ORDER.index(status), entity.section, entity.id, rule.id)",
     ["tests/test_snapshots.py"]),
    ("B snapshot duplicates", "compliance/evaluate.py",
     "                    if (i, entity.section, entity.id) in seen or self.program.jurisdictions[i] not in chain:",
     "                    if self.program.jurisdictions[i] not in chain:",
     ["tests/test_snapshots.py", "tests/test_differential.py"]),
    ("B jurisdiction of embedded cases", "compliance/engine.py",
     "                jur.append(rs.jurisdiction)", '                jur.append("CN")',
     ["tests/test_guard_blind_spots.py", "tests/test_rulesets.py"]),
    ("B nested comparison (boundary property)", "rulesets/cn-bj-fengtai-2018-2020.yaml",
     '            - {field: clean_production_audit, op: "<=", value: 2018-12-31}',
     '            - {field: clean_production_audit, op: "<", value: 2018-12-31}',
     ["tests/test_properties.py", "tests/test_rulesets.py"]),
    # -- the engine (own choice)
    ("E status decision", "compliance/status.py",
     "    if deadline is not None and as_of <= deadline:\n        return PENDING",
     "    if deadline is not None and as_of < deadline:\n        return PENDING",
     ["tests/test_semantics.py", "tests/test_differential.py"]),
    ("E kernel decision", "compliance/status.py",
     '        steps.append((f"as_of <= {deadline}", "PENDING"))',
     '        steps.append((f"as_of < {deadline}", "PENDING"))',
     ["tests/test_differential.py"]),
    ("E oxygen correction", "compliance/operators.py",
     "    return round_sig(measured * (21.0 - reference) / (21.0 - o2))",
     "    return round_sig(measured * (21.0 - o2) / (21.0 - reference))",
     ["tests/test_semantics.py"]),
    ("E stage comparison", "compliance/operators.py",
     "    return at_lo if at_lo == fn(hi, limit) else None", "    return at_lo",
     ["tests/test_semantics.py"]),
    ("E kernel generator (all/any unknown)", "compliance/kernel.py",
     '            self.w.emit(indent + 2, f"{t} = None")\n        self.w.emit(indent + 1, "break")',
     '            self.w.emit(indent + 2, "pass")\n        self.w.emit(indent + 1, "break")',
     ["tests/test_differential.py"]),
    ("E kernel generator (not)", "compliance/kernel.py",
     'f"{t} = None if {inner} is None else not {inner}"', 'f"{t} = not {inner}"',
     ["tests/test_differential.py"]),
    ("E unit conversion (middle dot)", "compliance/units.py",
     '        if "*" in den and not den.startswith("("):\n            den = f"({den})"',
     '        if "*" in den and not den.startswith("("):\n            den = den',
     ["tests/test_units.py"]),
    ("E columnar oxygen", "compliance/columnar.py",
     '(21.0 - reference) / (21.0 - o2.view("num", _nums))',
     '(21.0 - reference) / (20.9 - o2.view("num", _nums))',
     ["tests/test_columnar.py"]),
    ("E ledger reading (row numbers)", "compliance/ledger.py",
     'for c in row]) for i, row in enumerate(rows, 1)), {})',
     'for c in row]) for i, row in enumerate(rows)), {})',
     ["tests/test_ledger.py"]),
    ("E batch writers (csv cells)", "compliance/writers.py",
     '    return value.get("value") if isinstance(value, dict) else value', "    return value",
     ["tests/test_batch.py"]),
    ("E report rendering (json single date)", "compliance/writers.py",
     "            self.stream.as_of = as_of  # one record: the document's date is its date",
     "            pass  # one record: the document's date is its date",
     ["tests/test_batch.py", "tests/test_cli.py", "tests/test_streaming.py", "tests/test_examples.py"]),
]


def _copy(dest: Path) -> None:
    """The repository's files at ``dest``, in a git repository of their own
    whose index holds them (``tests/test_install.py`` installs what ``git
    ls-files`` lists: without an index the full suite fails on every copy,
    and every mutation would count as caught)."""
    ignore = shutil.ignore_patterns(".venv*", ".git", "__pycache__", "*.egg-info", ".hypothesis", ".pytest_cache")
    shutil.copytree(REPO, dest, ignore=ignore, symlinks=True)
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    tracked = b"\0".join(f for f in listed.split(b"\0") if f and (dest / f.decode()).exists())
    # the shared venv's editable install maps ``compliance._bundled`` to the
    # main checkout's rulesets/: point it at the copy's, or a mutation of a
    # bundled ruleset is never loaded
    bundled = dest / "compliance" / "_bundled"
    if not bundled.exists():
        os.symlink(os.path.join("..", "rulesets"), bundled)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "--pathspec-from-file=-", "--pathspec-file-nul"], cwd=dest, input=tracked,
                   capture_output=True, check=True)


def _pytest(root: Path, env, args, timeout: int):
    """(failed, first FAILED/ERROR line, seconds) of ``pytest -x -q args`` on the copy."""
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *args],
                              cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return True, "timeout", time.perf_counter() - start
    tail = [ln for ln in proc.stdout.splitlines() if ln.startswith("FAILED") or ln.startswith("ERROR")]
    return proc.returncode != 0, (tail[0] if tail else ""), time.perf_counter() - start


def applies(mutation) -> int:
    """How often the mutation's old text occurs in its file (1 to apply)."""
    return (REPO / mutation[1]).read_text(encoding="utf-8").count(mutation[2])


def run_one(mutation, timeout: int = 1800, targeted: bool = True, full: bool = True):
    cls, file, old, new, tests = mutation
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        root = Path(tmp) / "repo"
        _copy(root)
        os.symlink(REPO.parent / "shared", Path(tmp) / "shared")
        target = root / file
        if old and not target.exists():
            return mutation, "stale", 0.0, "no such file"
        text = target.read_text(encoding="utf-8")
        if old and text.count(old) != 1:
            return mutation, "stale", 0.0, f"old text occurs {text.count(old)} times"
        if old:
            target.write_text(text.replace(old, new), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(root), XDG_CACHE_HOME=str(Path(tmp) / "cache"),
                   FUZZ_EXAMPLES=os.environ.get("FUZZ_EXAMPLES", "60"))
        took = 0.0
        if targeted and tests:
            failed, detail, took = _pytest(root, env, tests, timeout)
            if failed:
                return mutation, "caught (targeted)" if detail != "timeout" else "caught (timeout)", took, detail
        if not full:
            return mutation, "SURVIVED (targeted)", took, ""
        failed, detail, more = _pytest(root, env, [], timeout)
        # a whole suite that runs out of time on a loaded machine decides nothing
        verdict = ("undecided (timeout)" if detail == "timeout" else "caught") if failed else "SURVIVED"
        return mutation, verdict, took + more, detail


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--only", default="")
    ap.add_argument("--targeted-only", action="store_true",
                    help="no full suite: a mutation the targeted files miss is reported 'SURVIVED (targeted)'")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per pytest run")
    ap.add_argument("--start", type=int, default=0, help="skip the first START mutations (resume a run)")
    ap.add_argument("--full-only", action="store_true", help="no targeted run: the full suite for each mutation")
    ap.add_argument("--check", action="store_true", help="only check that each mutation applies")
    ap.add_argument("--baseline", action="store_true",
                    help="run the full suite once on an unmutated copy (it must pass for the count to mean anything)")
    args = ap.parse_args()
    if args.baseline:
        _, verdict, took, detail = run_one(("baseline", "README.md", "", "", []), args.timeout)
        print(f"baseline: {'suite passes' if verdict == 'SURVIVED' else 'SUITE FAILS ' + detail} ({took:.0f}s)")
        return 0 if verdict == "SURVIVED" else 1
    todo = [m for m in MUTATIONS[args.start:] if args.only in m[0] or args.only in m[1]]
    if args.check:
        bad = [(m[0], m[1], n) for m in todo for n in [applies(m)] if n != 1]
        for cls, file, n in bad:
            print(f"stale: {cls}: {file}: old text occurs {n} times")
        print(f"{len(todo) - len(bad)}/{len(todo)} mutations apply")
        return 1 if bad else 0
    results = []
    with cf.ThreadPoolExecutor(args.jobs) as pool:
        for mutation, verdict, took, detail in pool.map(
                lambda m: run_one(m, args.timeout, targeted=not args.full_only, full=not args.targeted_only), todo):
            results.append(verdict)
            cls, file, old, new, _ = mutation
            print(f"{verdict:18} {took:6.0f}s  {cls}: {file}: {old.strip()[:50]!r} -> {new.strip()[:50]!r}  {detail[:100]}",
                  flush=True)
    counted = [v for v in results if v != "stale" and not v.startswith("undecided")]
    caught = sum(1 for v in counted if v.startswith("caught"))
    print(f"caught {caught}/{len(counted)} ({results.count('stale')} stale, "
          f"{sum(1 for v in results if v.startswith('undecided'))} undecided)")
    return 0 if caught == len(counted) else 1


if __name__ == "__main__":
    sys.exit(main())
