"""The case-file event catalogue: stable names, valid payloads, personal-data marks."""

import json
from datetime import date

import pytest
from hypothesis import given, settings

import caselog
from caselog import PayloadError, ValidationError, default_registry
from caselog.domain import (
    AreaRegistered,
    ChildRegistered,
    DisabilityRecorded,
    HealthRecorded,
    HomeSessionHeld,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    Sex,
    VisitScheduled,
)
from caselog.events.codec import canonical_json, structure, unstructure
from caselog.privacy import Privacy, privacy_of
from caselog.testing.strategies import payloads

# Stored type names are a promise to every store ever written: they may be added, never changed.
STABLE_NAMES = {
    "area_registered", "worker_registered", "worker_assigned", "worker_deactivated",
    "household_registered", "household_economic_status_recorded", "child_registered",
    "parent_status_recorded", "care_arrangement_recorded", "schooling_recorded",
    "health_recorded", "disability_recorded", "needs_assessed", "risk_assessed",
    "concern_reported", "concern_followed_up", "visit_scheduled", "visit_completed",
    "visit_attempt_failed", "visit_cancelled", "child_moved_out", "child_moved_in",
    "case_closed", "case_reopened", "child_died", "child_records_merged", "home_session_held",
    "event_corrected", "event_voided", "categories_recorded",
}  # fmt: skip


def test_catalogue_keeps_every_stable_name() -> None:
    """Every promised type name is registered in the default registry."""
    assert set(default_registry.names()) >= STABLE_NAMES


@pytest.mark.parametrize("name", sorted(STABLE_NAMES))
def test_every_payload_round_trips(name: str) -> None:
    """Any valid payload of each type comes back equal from its canonical JSON."""
    cls = default_registry.of_name(name).cls

    @settings(max_examples=15)
    @given(payloads(cls))
    def round_trip(payload: object) -> None:
        text = canonical_json(unstructure(payload, name))
        assert structure(json.loads(text), cls, name) == payload

    round_trip()


def _child(**changes: object) -> ChildRegistered:
    fields: dict[str, object] = {
        "child_id": "c-1",
        "household_id": "h-1",
        "village": "510101001001",
        "name": "王小明",
        "sex": Sex.MALE,
        "birth_date": date(2015, 4, 1),
    }
    return ChildRegistered(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: _child(child_id=""), "child_id"),
        (lambda: _child(name="   "), "name"),
        (lambda: _child(id_number=""), "id_number"),
        (lambda: DisabilityRecorded("c-1", None, grade=5), "grade"),
        (
            lambda: ParentStatusRecorded(
                "c-1", Parent.FATHER, ParentSituation.SEVERE_DISABILITY, disability_grade=0
            ),
            "disability_grade",
        ),
        (lambda: VisitScheduled("v-1", "c-1", date(2024, 3, 9), date(2024, 3, 1)), "due_by"),
        (lambda: HomeSessionHeld("s-1", "510101001001", 0, "reading"), "minutes"),
    ],
)
def test_invalid_payloads_name_the_field(build: object, field: str) -> None:
    """Building a payload with a bad value raises a validation error naming the field."""
    with pytest.raises(ValidationError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field


def test_stored_payload_breaking_a_rule_is_refused_on_read() -> None:
    """A stored payload that breaks a field's rule fails to decode, naming the field."""
    data = {"child_id": "c-1", "kind": "vision", "grade": 7, "certificate": None}
    with pytest.raises(PayloadError, match="grade"):
        structure(data, DisabilityRecorded, "disability_recorded", event_id="e-1")


def test_personal_data_is_marked() -> None:
    """Names and ID numbers are identifying, health is sensitive, areas are neither."""
    assert privacy_of(ChildRegistered) == {
        "name": Privacy.IDENTIFYING,
        "id_number": Privacy.IDENTIFYING,
        "hukou_place": Privacy.IDENTIFYING,
    }
    assert privacy_of(HealthRecorded)["condition"] is Privacy.SENSITIVE
    assert privacy_of(AreaRegistered) == {}


def test_catalogue_payloads_append_and_read_back() -> None:
    """A catalogue payload goes through a log and comes back as the same object."""
    log = caselog.open("memory:")
    child = _child(id_number="510101201504010011")
    (event,) = log.append("child:c-1", [child], expected=caselog.NO_STREAM)
    assert event.type == "child_registered"
    assert log.read_stream("child:c-1")[0].data == child
