"""Test helpers of the columnar path: records -> ledger tables, and the row path over tables.

``Table`` is the ledger interface (``compliance.ledger.Table``): one
entity kind per table, one column per record field (dotted for nested
ones), cells as a YAML record holds them (None: not written). The facility
table carries the record's context as ``as_of``/``alert`` columns, as the
ledger reader does.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple

from compliance.ledger import Table
from compliance.vocabulary import vocabulary


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _flat(prefix: str, value: Any, out: Dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(f"{prefix}.{k}" if prefix else k, v, out)
    else:
        out[prefix] = value


def tables_from_records(records: Iterable[Mapping[str, Any]], source: str = "ledger.xlsx") -> Tuple[Table, ...]:
    """One table per section (the facility's with as_of/alert columns), rows in record order."""
    sections = vocabulary().sections
    rows: Dict[str, List[Tuple[str, Dict[str, Any]]]] = {"facility": []}
    for rec in records:
        fac = rec["facility"]
        fid = fac["id"]
        flat: Dict[str, Any] = {}
        _flat("", fac, flat)
        for k, v in (rec.get("context") or {}).items():
            flat[k] = v  # as_of, alert: compliance.ledger.CONTEXT_FIELDS
        rows["facility"].append((fid, flat))
        for name in sections:
            if name == "facility" or name not in rec:
                continue
            raw = rec[name]
            for item in (raw if isinstance(raw, list) else [raw]):
                flat = {}
                _flat("", item, flat)
                rows.setdefault(name, []).append((fid, flat))
    out = []
    for name, items in rows.items():
        names: List[str] = []
        seen = set()
        for _, flat in items:
            for k in flat:
                if k not in seen:
                    seen.add(k)
                    names.append(k)
        columns = {k: tuple(flat.get(k) for _, flat in items) for k in names}
        letters = {k: _letters(i + 1) for i, k in enumerate(names)}
        letters["<facility>"] = letters["id"] if name == "facility" else "A"  # the reader's facility-id column
        out.append(Table(source, name, name, tuple(f for f, _ in items), tuple(range(2, len(items) + 2)),
                         columns, letters))
    return tuple(out)


def row_path(ev, tables: Sequence[Table], *, as_of=None, alert=None, show_all=False):
    """Every facility through the row path: the ledger reader's grouping
    (``compliance.ledger.iter_records``), normalised and judged by the kernel."""
    from compliance.api import Failure
    from compliance.columnar import _report
    from compliance.errors import InputError
    from compliance.ledger import Ledger, iter_records
    from compliance.normalise import facts_of

    source = next(t.source for t in tables if t.section == "facility")
    for doc in iter_records(source, ledger=Ledger(source, tuple(tables), ())):
        if isinstance(doc, Failure):
            yield doc
            continue
        try:
            facts = facts_of(doc, as_of=as_of, alert=alert)
            yield _report(facts, ev.lazy_findings(facts, show_all=show_all))
        except InputError as exc:
            yield Failure(doc.source, tuple(exc.problems))
