"""The one status decision: a rule's verdict on one entity, as of a date.

``docs/semantics.md`` states it in words; :func:`decide` is the only code
that takes it. The interpreter (:func:`compliance.evaluate.verdict`) and the
generated kernels (:mod:`compliance.kernel`) both call it with the
three-valued truths of ``when``, ``require`` and ``unless``:

1. ``when`` false                                         -> not_applicable
2. ``when`` unknown                                       -> indeterminate
3. ``require`` true                                       -> compliant
4. the exemption (``unless``) holds                       -> exempt
5. ``require`` unknown, or false with the exemption
   unknown                                                -> indeterminate
6. ``require`` false, before ``effective_from`` or on/before
   ``deadline``                                           -> pending
7. otherwise                                              -> violation

A manual-review item (``manual_review:`` in a ruleset: a clause that
applies but that the tool does not decide) has no duty: ``when`` false ->
not_applicable; ``when`` true *or unknown* -> manual_review (better listed
for review than hidden).

Whether the rule exists at the date (issued, not ended by ``until``) and
applies in the record's region is decided before (see
:meth:`compliance.kernel.KernelProgram.plan`); a rule that does not exist is
``not_applicable``.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

__all__ = [
    "VIOLATION", "COMPLIANT", "INDETERMINATE", "PENDING", "EXEMPT", "NOT_APPLICABLE", "MANUAL_REVIEW", "WAIVED",
    "STATUSES", "STATUS_ORDER", "decide", "applies_to_implicit",
]

VIOLATION = "violation"
COMPLIANT = "compliant"
INDETERMINATE = "indeterminate"
PENDING = "pending"
EXEMPT = "exempt"
NOT_APPLICABLE = "not_applicable"
#: a clause that applies to the record but that the tool does not decide
MANUAL_REVIEW = "manual_review"
#: not decided here: an approved deviation applied after the evaluation (compliance.waivers)
WAIVED = "waived"

#: every status, in the order a rule's ``tests[].expect`` documents them
STATUSES = (VIOLATION, COMPLIANT, INDETERMINATE, PENDING, EXEMPT, NOT_APPLICABLE, MANUAL_REVIEW, WAIVED)
#: order of statuses in output: most serious first
STATUS_ORDER = (VIOLATION, INDETERMINATE, MANUAL_REVIEW, PENDING, WAIVED, EXEMPT, COMPLIANT, NOT_APPLICABLE)


def applies_to_implicit(has_when: bool, when: Optional[bool]) -> bool:
    """Whether a rule is judged on a single-mapping section the record lacks
    (e.g. no ``ldar``): only where its ``when`` positively holds on other
    data, so absent sections do not flood a report."""
    return has_when and when is True


def decide(
    when: Optional[bool],
    require: Optional[bool],
    unless: Optional[bool],
    as_of: dt.date,
    effective_from: Optional[dt.date],
    deadline: Optional[dt.date],
    review: bool = False,
) -> str:
    """The status from three-valued truths (``unless`` False when the rule
    has no exemption; it is only read when ``require`` is not true).
    ``review``: a manual-review item, which only ``when`` decides."""
    if when is False:
        return NOT_APPLICABLE
    if review:
        return MANUAL_REVIEW
    if when is None:
        return INDETERMINATE
    if require is True:
        return COMPLIANT
    if unless is True:
        return EXEMPT
    if require is None or unless is None:
        return INDETERMINATE
    if effective_from is not None and as_of < effective_from:
        return PENDING
    if deadline is not None and as_of <= deadline:
        return PENDING
    return VIOLATION


def decision_source(when: str, require: str, unless: str, effective_from: Optional[str],
                    deadline: Optional[str], target: str = "st", review: bool = False) -> list:
    """:func:`decide` as Python lines for a generated kernel, specialised to
    one rule: ``when``/``require``/``unless`` name locals holding the truths
    (``"True"`` for a rule without ``when``; ``"False"`` without an
    exemption), ``effective_from``/``deadline`` name globals holding the
    dates (``None``: the rule has none). ``when`` is never false here: the
    kernel has already returned not_applicable. The lines assign the status
    name (``VIOLATION`` ...) to ``target``; ``tests/test_differential.py``
    holds them equal to :func:`decide` for every combination. ``review``: a
    manual-review item (``when`` is not false here, so always manual_review)."""
    if review:
        return [f"{target} = MANUAL_REVIEW"]
    steps = []
    if when != "True":
        steps.append((f"{when} is None", "INDETERMINATE"))
    steps.append((f"{require} is True", "COMPLIANT"))
    if unless != "False":
        steps.append((f"{unless} is True", "EXEMPT"))
        steps.append((f"{require} is None or {unless} is None", "INDETERMINATE"))
    else:
        steps.append((f"{require} is None", "INDETERMINATE"))
    if effective_from is not None:
        steps.append((f"as_of < {effective_from}", "PENDING"))
    if deadline is not None:
        steps.append((f"as_of <= {deadline}", "PENDING"))
    lines = []
    for n, (test, status) in enumerate(steps):
        lines.append(f"{'if' if n == 0 else 'elif'} {test}:")
        lines.append(f"    {target} = {status}")
    lines.append("else:")
    lines.append(f"    {target} = VIOLATION")
    return lines


#: the names :func:`decision_source` uses, for a kernel's globals
DECISION_NAMES = {"VIOLATION": VIOLATION, "COMPLIANT": COMPLIANT, "INDETERMINATE": INDETERMINATE,
                  "PENDING": PENDING, "EXEMPT": EXEMPT, "MANUAL_REVIEW": MANUAL_REVIEW}
