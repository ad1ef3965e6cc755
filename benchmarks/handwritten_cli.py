#!/usr/bin/env python3
"""The hand-written counterpart of ``compliance check --format json FILE...``.

Loads each YAML record with PyYAML's C loader, runs the 45 hand-written
Jizhou rules (tests/handwritten_jizhou.py) and prints one JSON line per
violation: {"source", "rule", "entity", "status"}. Exit status 1 if any
violation was found, as ``compliance check`` does. It does what a team
writing the rules by hand would need, and nothing more: no validation of the
record, no messages, limits or citations.

    python benchmarks/handwritten_cli.py DIR/*.yaml
"""

import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from handwritten_jizhou import hand_check  # noqa: E402


def main(paths) -> int:
    out = sys.stdout
    found = False
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh.read(), Loader=yaml.CSafeLoader)
        for rule, entity, status in hand_check(data):
            if status == "violation":
                found = True
                out.write(json.dumps({"source": path, "rule": rule, "entity": entity, "status": status},
                                     ensure_ascii=False) + "\n")
    out.flush()
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
