"""compliance: check facilities against Chinese air-pollution regulations.

The public API -- everything else is private and may change::

    import compliance
    report = compliance.check("facility.yaml", as_of="2019-03-01")
    for finding in report.findings:
        print(finding.status, finding.rule, finding.message["en"])
"""

from .api import Failure, check, check_many, evaluator, iter_check, load_rulesets
from .errors import ComplianceError, EngineError, InputError, Problem, RulesetError, UsageError
from .report import Finding, RecordReport, Report
from .ruleset import Rule, Ruleset

__all__ = [
    "check",
    "check_many",
    "iter_check",
    "Failure",
    "evaluator",
    "load_rulesets",
    "Report",
    "RecordReport",
    "Finding",
    "Rule",
    "Ruleset",
    "Problem",
    "ComplianceError",
    "InputError",
    "RulesetError",
    "EngineError",
    "UsageError",
]

__version__ = "0.1.0"
