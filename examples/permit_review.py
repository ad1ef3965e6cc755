"""How permit-review code uses the Python API.

A district ecology bureau reviews a batch of applications: each record is
checked as of the review date, the blocking findings (violations and, for a
proposed project, pending duties it would start life breaking) are written
into a review memo with the clause and quoted text, and missing data becomes
a request for information instead of a silent pass.

    python examples/permit_review.py examples/dongli-proposed-project.yaml --as-of 2023-03-01
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import List

import compliance


def review(paths: List[str], as_of: dt.date) -> int:
    rulesets = compliance.load_rulesets()          # load and validate once
    report = compliance.check_many(paths, as_of=as_of, rulesets=rulesets)
    for problem in report.errors:                  # malformed applications are named, not dropped
        print(f"RETURN TO APPLICANT  {problem}")
    blocking_total = 0
    for record in report.records:
        fac = record.facility
        print(f"\n{fac['name'] or fac['id']} ({fac['region']}), reviewed as of {record.as_of}")
        blocking = [f for f in record.findings if f.status == "violation"]
        proposed = fac.get("status") == "proposed"
        blocking += [f for f in record.findings if f.status == "pending" and proposed]
        info_needed = [f for f in record.findings if f.status == "indeterminate"]
        for f in sorted(blocking, key=lambda f: ("high", "medium", "low").index(f.severity)):
            print(f"  [{f.severity}] {f.entity}: {f.message['zh']}")
            print(f"          {f.source['document']} {f.source['clause']}: “{f.source['text']}”")
        if info_needed:
            print("  Information requested:")
            for f in info_needed:
                print(f"    {f.entity}: {', '.join(f.missing)} ({f.rule})")
        exempt = [f for f in record.findings if f.status == "exempt"]
        for f in exempt:
            print(f"  exempt: {f.entity} {f.rule} ({f.exemption['zh']})")
        verdict = "NOT APPROVABLE" if blocking else ("INCOMPLETE" if info_needed else "NO OBJECTION")
        print(f"  => {verdict}: {len(blocking)} blocking, {len(info_needed)} to clarify")
        blocking_total += len(blocking)
    return 2 if report.errors else (1 if blocking_total else 0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="+")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args(argv)
    return review(args.records, args.as_of)


if __name__ == "__main__":
    sys.exit(main())
