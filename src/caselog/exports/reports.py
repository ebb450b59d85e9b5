"""The sheets of caselog's reads: a child's file, its audit trail, child files, caseloads,
visit lists, applications waiting and the payments ledger.

Values are written plainly (:func:`caselog.exports.sheet.plain`); a fact held as a payload (a
parent's situation, a visit) is written as its JSON. Each column says how it is protected.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from caselog.domain.children import ChildRegistered
from caselog.domain.file import ChildFile
from caselog.errors import CaselogError
from caselog.events.codec import converter
from caselog.events.registry import default_registry
from caselog.exports.sheet import Column, Sheet, plain
from caselog.privacy import Privacy, privacy_of
from caselog.projections.audit import REASONS, AuditEntry
from caselog.projections.benefits import Ledger, WaitingApplication
from caselog.projections.caseloads import Caseload
from caselog.projections.files import CHILD_FILES, VisitReport

__all__ = [
    "FILE_PRIVACY",
    "audit_sheet",
    "caseload_sheet",
    "child_files_sheet",
    "describe",
    "file_sheet",
    "ledger_sheet",
    "totals_sheet",
    "visits_sheet",
    "waiting_sheet",
]


def _levels(kind: Any, seen: set[type]) -> set[Privacy]:
    """How the values of a type are protected: its own fields' declarations and those of the
    records it holds (an entitlement holds its termination, whose note is sensitive)."""
    if isinstance(kind, type) and attrs.has(kind):
        if kind in seen:
            return set()
        seen.add(kind)
        found = set(privacy_of(kind).values())
        for hint in typing.get_type_hints(kind).values():
            found |= _levels(hint, seen)
        return found
    return {level for argument in typing.get_args(kind) for level in _levels(argument, seen)}


def _strongest(levels: set[Privacy]) -> Privacy | None:
    if Privacy.IDENTIFYING in levels:
        return Privacy.IDENTIFYING
    return Privacy.SENSITIVE if levels else None


def _file_privacy() -> dict[str, Privacy]:
    """How each field of the child file is protected: the identity fields as the registration
    declares them, and any other as the most protected value it may hold."""
    found: dict[str, Privacy] = dict(privacy_of(ChildRegistered))
    for name, hint in typing.get_type_hints(ChildFile).items():
        level = _strongest(_levels(hint, set()))
        if level is not None and name not in found:
            found[name] = level
    return found


FILE_PRIVACY: Mapping[str, Privacy] = _file_privacy()
"""How each field of a :class:`~caselog.domain.file.ChildFile` is protected in exports."""


def describe(value: Any) -> Any:
    """A file's value as written out: payloads (and tuples of them) as JSON, others plainly."""
    if attrs.has(type(value)) or (
        isinstance(value, tuple) and any(attrs.has(type(item)) for item in value)
    ):
        return json.dumps(converter.unstructure(value), ensure_ascii=False, sort_keys=True)
    return plain(value)


def _by_field(row: Mapping[str, Any]) -> Privacy | None:
    return FILE_PRIVACY.get(row["field"])


def _reason_privacy(row: Mapping[str, Any]) -> Privacy | None:
    """How an audit entry's reason is protected: as the event's own field it was read from (a
    death's cause, a refusal's reason are sensitive); unknown types as sensitive."""
    if row["reason"] is None:
        return None
    try:
        cls = default_registry.of_name(row["type"]).cls
    except CaselogError:
        return Privacy.SENSITIVE
    declared = privacy_of(cls)
    return _strongest({declared[name] for name in REASONS if name in declared})


def file_sheet(file: ChildFile) -> Sheet:
    """A child's file, one row per field: ``field``, ``value``."""
    rows = tuple((field.name, describe(getattr(file, field.name)))
                 for field in attrs.fields(ChildFile))  # fmt: skip
    columns = (Column("field"), Column("value", _by_field))
    return Sheet(f"file of {file.child_id}", columns, rows, "file")


_AUDIT = ("position", "event_id", "stream", "type", "actor", "role", "area", "effective",
          "recorded", "reason", "fixes", "fixed_by", "rule_version")  # fmt: skip


def audit_sheet(child_id: str, trail: Sequence[AuditEntry]) -> Sheet:
    """A child's audit trail, one row per field an event changed (one row for an event that
    changed none): the event's columns, then ``field``, ``before`` and ``after``."""
    rows = []
    for entry in trail:
        head = tuple(plain(getattr(entry, name)) for name in _AUDIT)
        changes = entry.changes or (None,)
        for change in changes:
            if change is None:
                rows.append((*head, None, None, None))
            else:
                rows.append((*head, change.field, describe(change.before),
                             describe(change.after)))  # fmt: skip
    columns = tuple(Column(name, _reason_privacy if name == "reason" else None) for name in _AUDIT)
    columns += (Column("field"), Column("before", _by_field), Column("after", _by_field))
    return Sheet(f"audit trail of {child_id}", columns, tuple(rows), "audit trail")


def child_files_sheet(rows: Sequence[tuple[Any, ...]], *, title: str) -> Sheet:
    """Rows of the ``child_files`` table (all its columns), which hold no identifying data."""
    columns = tuple(Column(c.name) for c in CHILD_FILES.columns)
    return Sheet(title, columns, tuple(map(tuple, rows)), "child files")


def caseload_sheet(caseload: Caseload) -> Sheet:
    """A caseload: one row per group of ``by`` with its count, then the total (``*``)."""
    known = plain(caseload.known_at)
    head = (caseload.area, caseload.as_of.isoformat(), known)
    rows = [(*head, *values, count) for values, count in caseload.rows]
    rows.append((*head, *["*"] * len(caseload.by), caseload.children))
    columns = tuple(map(Column, ("area", "as_of", "known_at", *caseload.by, "children")))
    title = f"caseload of {caseload.area} on {caseload.as_of.isoformat()}"
    return Sheet(title, columns, tuple(rows), "caseload")


_LEDGER = ("entitlement_id", "child_id", "benefit", "township", "month", "expected", "issued",
           "confirmed", "arrears", "status")  # fmt: skip


def ledger_sheet(ledger: Ledger) -> Sheet:
    """The payments ledger, one row per entitlement and month (amounts in yuan)."""
    rows = tuple(tuple(getattr(line, name) for name in _LEDGER) for line in ledger.lines)
    return Sheet(f"payments of {ledger.area} through {ledger.through}", tuple(map(Column, _LEDGER)),
                 rows, "payments")  # fmt: skip


def totals_sheet(ledger: Ledger) -> Sheet:
    """The ledger's totals per benefit."""
    names = ("expected", "issued", "confirmed", "arrears")
    rows = tuple((benefit, *(sums[n] for n in names))
                 for benefit, sums in sorted(ledger.totals().items()))  # fmt: skip
    return Sheet(f"payment totals of {ledger.area} through {ledger.through}",
                 tuple(map(Column, ("benefit", *names))), rows, "totals")  # fmt: skip


_VISITS = ("list", "child_id", "village", "workers", "due_from", "due_by", "reason",
           "last_visit", "days_overdue", "unfollowed_since")  # fmt: skip
_LISTS = ("overdue", "due_soon", "never_visited", "concerns_without_follow_up")


def visits_sheet(report: VisitReport) -> Sheet:
    """The visit lists, one row per child and list it is in (``overdue``, ``due_soon``,
    ``never_visited``, ``concerns_without_follow_up``)."""
    rows = []
    for name in _LISTS:
        for line in getattr(report, name):
            values = (plain(getattr(line, column)) for column in _VISITS[1:])
            rows.append((name, *values))
    return Sheet(f"visits of {report.area} on {report.on.isoformat()}",
                 tuple(map(Column, _VISITS)), tuple(rows), "visits")  # fmt: skip


_WAITING = ("application_id", "child_id", "benefit", "status", "level", "township",
            "waiting_since", "working_days", "limit", "due_by", "is_breached")  # fmt: skip


def waiting_sheet(area: str, on: date, waiting: Sequence[WaitingApplication]) -> Sheet:
    """Applications waiting for a level, with working days waited against the limit."""
    rows = tuple(tuple(plain(getattr(item, name)) for name in _WAITING) for item in waiting)
    return Sheet(f"applications waiting in {area} on {on.isoformat()}",
                 tuple(map(Column, _WAITING)), rows, "applications")  # fmt: skip
