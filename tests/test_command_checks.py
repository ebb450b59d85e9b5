"""Checks the commands make: payloads that could not be read back, status history, authority,
ID numbers, corrections; each refused without writing anything."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

import caselog
from caselog import Caselog, ValidationError
from caselog.domain import (
    AreaLevel,
    CareArrangementRecorded,
    CarerRelation,
    ChildMovedIn,
    ChildRegistered,
    ClosureReason,
    ConcernFollowedUp,
    ConcernKind,
    ConcernReported,
    FileStatus,
    HouseholdEconomicStatusRecorded,
    IncomeSource,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    Role,
    Sex,
    VisitCancelled,
    VisitCompleted,
)
from caselog.domain.rules import load_rule_set
from caselog.testing import ManualClock
from programme import build_directory

V1, V2, TOWNSHIP = "v-1", "v-2", "t-1"
DAY = date(2025, 3, 3)


@pytest.fixture
def log() -> Iterator[Caselog]:
    clock = ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    with caselog.open("memory:", clock=clock) as log:
        start = date(2025, 1, 1)
        workers = [
            ("li", Role.VILLAGE_WORKER, V1),
            ("wang", Role.VILLAGE_WORKER, V2),
            ("audit", Role.AUDITOR, "p"),
        ]
        build_directory(log, province="p", county="c", township=TOWNSHIP, villages=[V1, V2],
                        workers=workers, effective=start)  # fmt: skip
        log.register_household("h-1", V1, "Group 3", actor="li", effective=start)
        log.register_household("h-2", V2, "Group 1", actor="wang", effective=start)
        log.register_child(
            "c-1",
            household_id="h-1",
            name="王小明",
            sex=Sex.MALE,
            birth_date=date(2013, 5, 2),
            id_number="ID-1",
            actor="li",
            effective=date(2025, 2, 1),
        )
        yield log


def _length(log: Caselog) -> int:
    last = log.store.last_event()
    return 0 if last is None else last.position


def _categories(log: Caselog, day: date) -> set[str]:
    file = log.child_file("c-1", as_of=day)
    assert file is not None
    assert file.categories is not None
    return {period.category for period in file.categories.categories}


def _refused(log: Caselog, field: str, command: object) -> None:
    before = _length(log)
    with pytest.raises(ValidationError) as caught:
        command()  # type: ignore[operator]
    assert caught.value.field == field, caught.value
    assert _length(log) == before


def test_payloads_that_would_not_read_back_are_refused(log: Caselog) -> None:
    """A code that is not in its list is refused before it can break the file for good."""
    visit = VisitCompleted("v-1", "c-1", mode="boat")  # type: ignore[arg-type]
    _refused(log, "visit_completed", lambda: log.record_visit(visit, actor="li", effective=DAY))
    poor = HouseholdEconomicStatusRecorded("h-1", "salary")  # type: ignore[arg-type]
    _refused(
        log,
        "household_economic_status_recorded",
        lambda: log.record_household_economy(poor, actor="li", effective=DAY),
    )
    assert log.child_file("c-1") is not None


def test_codes_given_as_text_are_taken_as_codes(log: Caselog) -> None:
    """A valid code given as plain text is stored and read back as the code."""
    fact = ParentStatusRecorded("c-1", "father", "migrant_worker")  # type: ignore[arg-type]
    log.record_fact(fact, actor="li", effective=DAY)
    file = log.child_file("c-1")
    assert file is not None
    assert file.father is not None
    assert file.father.situation is ParentSituation.MIGRANT_WORKER


@pytest.mark.parametrize(
    ("field", "value"),
    [("sex", "boy"), ("birth_date", "2015-01-01"), ("effective", datetime(2025, 2, 1, 8))],
)
def test_registration_values_of_the_wrong_kind(log: Caselog, field: str, value: object) -> None:
    """A sex outside the list, a birth date as text, or a naive timestamp are refused by name."""
    fields: dict[str, object] = {
        "household_id": "h-1",
        "name": "X",
        "sex": Sex.FEMALE,
        "birth_date": date(2015, 1, 1),
        "actor": "li",
        "effective": DAY,
    }
    _refused(log, field, lambda: log.register_child("c-9", **{**fields, field: value}))  # type: ignore[arg-type]


def test_as_of_and_known_at_are_checked(log: Caselog) -> None:
    """A known_at that is a date, or a naive as_of, is refused by name."""
    with pytest.raises(ValidationError) as caught:
        log.child_file("c-1", known_at=date(2025, 3, 1))  # type: ignore[arg-type]
    assert caught.value.field == "known_at"
    with pytest.raises(ValidationError) as caught:
        log.child_file("c-1", as_of=datetime(2025, 3, 1))
    assert caught.value.field == "as_of"


def test_a_visit_is_checked_at_the_instant_the_file_folds_it(log: Caselog) -> None:
    """A visit that would fold before the registration is refused rather than stored unseen."""
    beijing = timezone(timedelta(hours=8))
    early = datetime(2025, 2, 1, 7, tzinfo=beijing)  # 23:00 UTC the day before
    _refused(log, "effective", lambda: log.record_visit(
        VisitCompleted("v-1", "c-1"), actor="li", effective=early))  # fmt: skip
    later = datetime(2025, 2, 1, 9, tzinfo=beijing)
    log.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=later)
    assert log.child_file("c-1").last_visit == later  # type: ignore[union-attr]


def test_todays_date_is_not_in_the_future_anywhere(log: Caselog) -> None:
    """A date that is already today east of UTC is accepted; the day after is not."""
    log.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=date(2026, 1, 5))
    _refused(log, "effective", lambda: log.record_visit(
        VisitCompleted("v-2", "c-1"), actor="li", effective=date(2026, 1, 7)))  # fmt: skip


def test_death_is_final(log: Caselog) -> None:
    """A death back-dated before a closure still makes the file deceased, for good."""
    log.close_case("c-1", ClosureReason.OTHER, actor="li", effective=date(2025, 3, 1))
    log.record_death("c-1", actor="li", effective=date(2025, 2, 20))
    file = log.child_file("c-1")
    assert file is not None
    assert file.status is FileStatus.DECEASED
    _refused(log, "child_id", lambda: log.reopen_case("c-1", "x", actor="li", effective=DAY))


def test_closing_before_later_facts_is_refused(log: Caselog) -> None:
    """A closure dated before facts already recorded as holding later is refused."""
    log.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=date(2025, 3, 1))
    _refused(
        log,
        "effective",
        lambda: log.close_case("c-1", ClosureReason.OTHER, actor="li", effective=date(2025, 2, 15)),
    )


def test_reopen_and_move_in_must_follow_what_they_undo(log: Caselog) -> None:
    """A reopening dated before the closure, or a move-in before the move-out, is refused."""
    log.close_case("c-1", ClosureReason.OTHER, actor="li", effective=DAY)
    _refused(
        log,
        "effective",
        lambda: log.reopen_case("c-1", "x", actor="li", effective=date(2025, 3, 1)),
    )
    log.reopen_case("c-1", "back", actor="li", effective=date(2025, 3, 5))
    log.move_child_out("c-1", actor="li", effective=date(2025, 3, 10))
    _refused(
        log,
        "effective",
        lambda: log.move_child_in("c-1", V2, actor="wang", effective=date(2025, 3, 8)),
    )
    _refused(
        log,
        "village",
        lambda: log.move_child_in("c-1", TOWNSHIP, actor="wang", effective=date(2025, 3, 12)),
    )
    _refused(
        log,
        "household_id",
        lambda: log.move_child_in(
            "c-1", V2, household_id="h-1", actor="wang", effective=date(2025, 3, 12)
        ),
    )


def test_moving_house_drops_the_old_households_means(log: Caselog) -> None:
    """After moving to another household, the old household's poverty no longer counts."""
    poor = HouseholdEconomicStatusRecorded("h-1", IncomeSource.NONE, is_extreme_poverty=True)
    log.record_household_economy(poor, actor="li", effective=DAY)
    log.move_child_out("c-1", actor="li", effective=date(2025, 3, 10))
    log.move_child_in("c-1", V2, household_id="h-2", actor="wang", effective=date(2025, 3, 12))
    file = log.child_file("c-1")
    assert file is not None
    assert (file.household_id, file.household_economic_status) == ("h-2", None)


def test_bootstrap_is_over_once_a_worker_exists(log: Caselog) -> None:
    """Without an actor nothing can be registered once the first admin exists, even if inactive."""
    _refused(
        log,
        "actor",
        lambda: log.register_worker("x", "X", Role.ADMIN, "p", actor=None, effective=DAY),
    )
    _refused(
        log,
        "worker_id",
        lambda: log.deactivate_worker("admin", reason="leaving", actor="admin", effective=DAY),
    )


def test_roles_work_at_their_level(log: Caselog) -> None:
    """A village worker must be registered in a village; assignments keep a worker inactive."""
    _refused(
        log,
        "area",
        lambda: log.register_worker(
            "x", "X", Role.VILLAGE_WORKER, "p", actor="admin", effective=DAY
        ),
    )
    log.deactivate_worker("wang", reason="left", actor="admin", effective=DAY)
    _refused(
        log,
        "worker_id",
        lambda: log.assign_worker("wang", Role.VILLAGE_WORKER, V1, actor="admin", effective=DAY),
    )


def test_auditors_cannot_change_the_rules(log: Caselog) -> None:
    """Reclassifying is refused for an auditor, and the log's rules stay as they were."""
    other = load_rule_set('extends = "national"\nversion = "evil"\n')
    _refused(log, "rules", lambda: log.reclassify_all(actor="audit", effective=DAY, rules=other))
    _refused(log, "actor", lambda: log.reclassify_all(actor="audit", effective=DAY))
    assert log.rules.version == "2026.1"


def test_id_number_held_by_a_moved_out_file(log: Caselog) -> None:
    """A file that moved out still holds its ID number; a reopened file cannot take one reused."""
    log.move_child_out("c-1", actor="li", effective=DAY)
    _refused(
        log,
        "id_number",
        lambda: log.register_child(
            "c-2",
            household_id="h-2",
            name="Y",
            sex=Sex.MALE,
            birth_date=date(2013, 5, 2),
            id_number="ID-1",
            actor="wang",
            effective=DAY,
        ),
    )


def test_reopening_a_file_whose_id_number_was_reused_is_refused(log: Caselog) -> None:
    """After its ID number went to another file, a closed file cannot be reopened."""
    log.close_case("c-1", ClosureReason.DUPLICATE, actor="li", effective=DAY)
    log.register_child(
        "c-2",
        household_id="h-1",
        name="Y",
        sex=Sex.MALE,
        birth_date=date(2013, 5, 2),
        id_number="ID-1",
        actor="li",
        effective=date(2025, 3, 5),
    )
    _refused(
        log, "child_id", lambda: log.reopen_case("c-1", "x", actor="li", effective=date(2025, 3, 6))
    )


def test_corrections_keep_their_kind_and_the_registrations_anchors(log: Caselog) -> None:
    """A correction must be of the same type; a registration's ID number cannot be corrected."""
    registered = log.read_stream("child:c-1")[0]
    visit = log.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=DAY)
    _refused(
        log,
        "replacement",
        lambda: log.correct(
            "c-1",
            visit.event_id,
            CareArrangementRecorded("c-1", CarerRelation.PARENT),
            reason="x",
            actor="li",
            effective=DAY,
        ),
    )
    other_id = ChildRegistered("c-1", "h-1", V1, "王小明", Sex.MALE, date(2013, 5, 2), "ID-2")
    _refused(
        log,
        "replacement",
        lambda: log.correct(
            "c-1", registered.event_id, other_id, reason="x", actor="li", effective=DAY
        ),
    )


def test_correcting_a_registration_keeps_the_history(log: Caselog) -> None:
    """A corrected name replaces the old one where it stood; later facts remain."""
    registered = log.read_stream("child:c-1")[0]
    log.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=DAY)
    renamed = ChildRegistered("c-1", "h-1", V1, "王晓明", Sex.MALE, date(2013, 5, 2), "ID-1")
    log.correct(
        "c-1",
        registered.event_id,
        renamed,
        reason="spelling",
        actor="li",
        effective=registered.effective,
    )
    file = log.child_file("c-1")
    assert file is not None
    assert (file.name, file.last_visit, file.registered_on) == ("王晓明", DAY, date(2025, 2, 1))
    log.record_visit(VisitCompleted("v-2", "c-1"), actor="li", effective=date(2025, 3, 4))


def test_voiding_a_void_restores_the_event(log: Caselog) -> None:
    """A void that was itself a mistake can be voided, and the event holds again."""
    visit = log.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=DAY)
    void = log.void("c-1", visit.event_id, reason="wrong child", actor="li", effective=DAY)
    log.void("c-1", void.event_id, reason="it was the right child", actor="li", effective=DAY)
    assert log.child_file("c-1").last_visit == DAY  # type: ignore[union-attr]


def test_early_void_does_not_lock_the_file(log: Caselog) -> None:
    """Voids dated before registration are refused; the file stays appendable after voids."""
    visit = log.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=DAY)
    _refused(
        log,
        "effective",
        lambda: log.void("c-1", visit.event_id, reason="x", actor="li", effective=date(2010, 1, 1)),
    )
    log.void("c-1", visit.event_id, reason="x", actor="li", effective=DAY)
    log.record_visit(VisitCompleted("v-2", "c-1"), actor="li", effective=DAY)


def test_a_follow_up_within_seven_days_satisfies_the_concern(log: Caselog) -> None:
    """Once a concern is followed up, even unresolved, the 7-day follow-up is no longer due."""
    concern = ConcernReported("k-1", "c-1", ConcernKind.OTHER, "no coat for winter")
    log.report_concern(concern, actor="li", effective=DAY)
    assert "k-1" in log.child_file("c-1").next_visit.reason  # type: ignore[union-attr]
    follow = ConcernFollowedUp("k-1", "c-1", "coat from the township")
    log.follow_up_concern(follow, actor="li", effective=date(2025, 3, 5))
    assert "k-1" not in log.child_file("c-1").next_visit.reason  # type: ignore[union-attr]


def test_release_from_prison_ends_de_facto_unsupported(log: Caselog) -> None:
    """A parent's release date ends the de-facto unsupported period."""
    gone = ParentStatusRecorded("c-1", Parent.FATHER, ParentSituation.DECEASED)
    jailed = ParentStatusRecorded(
        "c-1",
        Parent.MOTHER,
        ParentSituation.IMPRISONED,
        since=date(2024, 1, 1),
        until=date(2025, 9, 1),
    )
    log.record_fact(gone, actor="li", effective=DAY)
    log.record_fact(jailed, actor="li", effective=DAY)
    assert _categories(log, date(2025, 8, 31)) == {"de_facto_unsupported"}
    assert _categories(log, date(2025, 9, 1)) == {"general"}


def test_lost_contact_starts_six_months_later_without_a_new_event(log: Caselog) -> None:
    """Contact lost in February makes the child de-facto unsupported in August, by the calendar."""
    log.record_fact(
        ParentStatusRecorded("c-1", Parent.FATHER, ParentSituation.DECEASED),
        actor="li",
        effective=DAY,
    )
    lost = ParentStatusRecorded(
        "c-1", Parent.MOTHER, ParentSituation.LOST_CONTACT, since=date(2025, 2, 10)
    )
    log.record_fact(lost, actor="li", effective=DAY)
    assert _categories(log, date(2025, 8, 9)) == {"general"}
    assert _categories(log, date(2025, 8, 10)) == {"de_facto_unsupported"}


def test_mental_disability_of_grade_three_counts(log: Caselog) -> None:
    """A parent's intellectual disability of grade 3 makes them unable, a physical one does not."""
    from caselog.domain import DisabilityType

    log.record_fact(
        ParentStatusRecorded("c-1", Parent.FATHER, ParentSituation.DECEASED),
        actor="li",
        effective=DAY,
    )
    mother = ParentStatusRecorded(
        "c-1",
        Parent.MOTHER,
        ParentSituation.SEVERE_DISABILITY,
        disability_grade=3,
        disability_kind=DisabilityType.INTELLECTUAL,
    )
    log.record_fact(mother, actor="li", effective=DAY)
    assert _categories(log, DAY) == {"de_facto_unsupported"}


def test_misspelt_rule_names_are_refused() -> None:
    """A rule set naming a condition or situation that does not exist is refused."""
    with pytest.raises(ValidationError) as caught:
        load_rule_set(
            'extends = "national"\n[in_difficulty.subtypes]\nx = ["minimum_living_guarantees"]\n'
        )
    assert caught.value.field == "in_difficulty.subtypes.x"
    with pytest.raises(ValidationError):
        load_rule_set('extends = "national"\n[left_behind]\naway = ["migrant_workers"]\n')


def test_each_command_takes_only_its_own_payload(log: Caselog) -> None:
    """A payload of another type is refused by the command, whatever the role may do."""
    fact = ParentStatusRecorded("c-1", Parent.FATHER, ParentSituation.DECEASED)
    _refused(log, "payload", lambda: log.report_concern(fact, actor="li", effective=DAY))  # type: ignore[arg-type]
    _refused(log, "payload", lambda: log.schedule_visit(fact, actor="li", effective=DAY))  # type: ignore[arg-type]
    _refused(log, "payload", lambda: log.record_visit(fact, actor="li", effective=DAY))  # type: ignore[arg-type]


def test_follow_ups_and_cancellations_need_what_they_refer_to(log: Caselog) -> None:
    """A follow-up of a concern never reported, or a cancellation of no schedule, is refused."""
    follow = ConcernFollowedUp("k-9", "c-1", "nothing")
    _refused(log, "concern_id", lambda: log.follow_up_concern(follow, actor="li", effective=DAY))
    cancel = VisitCancelled("v-9", "c-1", "no reason")
    _refused(log, "visit_id", lambda: log.cancel_visit(cancel, actor="li", effective=DAY))


def test_registration_cannot_be_voided(log: Caselog) -> None:
    """Voiding the registration would make the file unreadable, so it is refused."""
    registered = log.read_stream("child:c-1")[0]
    _refused(log, "event_id", lambda: log.void(
        "c-1", registered.event_id, reason="x", actor="li", effective=DAY))  # fmt: skip


def test_corrected_registration_opens_where_the_original_did(log: Caselog) -> None:
    """A registration corrected today still opens the file on its first day, facts kept."""
    registered = log.read_stream("child:c-1")[0]
    log.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=DAY)
    renamed = ChildRegistered("c-1", "h-1", V1, "王晓明", Sex.MALE, date(2013, 5, 2), "ID-1")
    log.correct("c-1", registered.event_id, renamed, reason="spelling", actor="li",
                effective=date(2025, 12, 1))  # fmt: skip
    file = log.child_file("c-1", as_of=date(2025, 6, 1))
    assert file is not None
    assert (file.name, file.last_visit) == ("王晓明", DAY)


def test_voiding_a_correction_restores_the_original(log: Caselog) -> None:
    """When a correction is voided, the original holds again and its replacement does not."""
    wrong = log.record_fact(CareArrangementRecorded("c-1", CarerRelation.GRANDPARENT),
                            actor="li", effective=DAY)[0]  # fmt: skip
    fixed = log.correct("c-1", wrong.event_id, CareArrangementRecorded("c-1", CarerRelation.PARENT),
                        reason="x", actor="li", effective=DAY)  # fmt: skip
    log.void("c-1", fixed[1].event_id, reason="the first was right", actor="li", effective=DAY)
    assert log.child_file("c-1").care.relation is CarerRelation.GRANDPARENT  # type: ignore[union-attr]


def test_household_means_recorded_before_the_child_count(log: Caselog) -> None:
    """Means recorded for a household before a child is registered there reach the child."""
    poor = HouseholdEconomicStatusRecorded(
        "h-2", IncomeSource.NONE, has_minimum_living_guarantee=True
    )
    log.record_household_economy(poor, actor="wang", effective=date(2025, 1, 5))
    log.register_child("c-2", household_id="h-2", name="Y", sex=Sex.FEMALE,
                       birth_date=date(2016, 1, 1), actor="wang", effective=DAY)  # fmt: skip
    file = log.child_file("c-2")
    assert file is not None
    assert file.household_economic_status == poor
    assert {c.subtype for c in file.categories.categories} == {"family_poverty"}  # type: ignore[union-attr]


def test_moving_into_a_poor_household_reclassifies(log: Caselog) -> None:
    """Moving into a household on the minimum living guarantee records the child in difficulty."""
    poor = HouseholdEconomicStatusRecorded(
        "h-2", IncomeSource.NONE, has_minimum_living_guarantee=True
    )
    log.record_household_economy(poor, actor="wang", effective=date(2025, 1, 5))
    log.move_child_out("c-1", actor="li", effective=DAY)
    log.move_child_in("c-1", V2, household_id="h-2", actor="wang", effective=date(2025, 3, 5))
    assert {c.subtype for c in log.child_file("c-1").categories.categories} == {"family_poverty"}  # type: ignore[union-attr]


def test_confirmation_is_a_supervisors(log: Caselog) -> None:
    """Where rules require it, only a township supervisor confirms; categories are not corrected."""
    log.register_worker(
        "sup", "Sup", Role.TOWNSHIP_SUPERVISOR, TOWNSHIP, actor="admin", effective=DAY
    )
    _refused(log, "actor", lambda: log.confirm_categories("c-1", actor="li", effective=DAY))
    event = log.confirm_categories("c-1", actor="sup", effective=DAY)
    assert event.data.is_confirmed_by_supervisor
    categories = log.read_stream("child:c-1")[1]
    _refused(log, "event_id", lambda: log.correct(
        "c-1", categories.event_id, event.data, reason="x", actor="li", effective=DAY))  # fmt: skip


def test_corrections_still_reach_a_deceased_childs_file(log: Caselog) -> None:
    """After a death, an earlier fact can still be corrected."""
    wrong = log.record_fact(CareArrangementRecorded("c-1", CarerRelation.NEIGHBOUR),
                            actor="li", effective=DAY)[0]  # fmt: skip
    log.record_death("c-1", actor="li", effective=date(2025, 4, 1))
    right = CareArrangementRecorded("c-1", CarerRelation.GRANDPARENT)
    log.correct("c-1", wrong.event_id, right, reason="x", actor="li", effective=DAY)
    assert log.child_file("c-1").care == right  # type: ignore[union-attr]


def test_closing_ignores_voided_facts(log: Caselog) -> None:
    """A fact voided away does not stop the file being closed before its date."""
    visit = log.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=date(2025, 4, 1))
    log.void("c-1", visit.event_id, reason="never happened", actor="li", effective=date(2025, 4, 2))
    log.close_case("c-1", ClosureReason.OTHER, actor="li", effective=DAY)


def test_only_a_province_admin_adds_provinces(log: Caselog) -> None:
    """An admin of a county cannot register a province; the admin's own area must exist."""
    log.register_worker("cadmin", "C", Role.ADMIN, "c", actor="admin", effective=DAY)
    _refused(log, "actor", lambda: log.register_area(
        "p2", "P2", AreaLevel.PROVINCE, actor="cadmin", effective=DAY))  # fmt: skip
    _refused(log, "area", lambda: log.register_worker(
        "x", "X", Role.ADMIN, "nowhere", actor="admin", effective=DAY))  # fmt: skip


def test_a_new_province_gets_its_first_admin_from_the_admin_who_added_it(log: Caselog) -> None:
    """A province admin adds a province and registers its first admin, once: after that, the
    new province's admins register its workers."""
    log.register_area("p2", "P2", AreaLevel.PROVINCE, actor="admin", effective=DAY)
    _refused(log, "actor", lambda: log.register_worker(
        "w2", "W", Role.AUDITOR, "p2", actor="admin", effective=DAY))  # fmt: skip
    log.register_worker("admin2", "A2", Role.ADMIN, "p2", actor="admin", effective=DAY)
    _refused(log, "actor", lambda: log.register_worker(
        "admin3", "A3", Role.ADMIN, "p2", actor="admin", effective=DAY))  # fmt: skip
    log.register_worker("admin3", "A3", Role.ADMIN, "p2", actor="admin2", effective=DAY)


@pytest.mark.parametrize(
    "text",
    [
        '[general]\nunless = ["left-behind"]\n',
        "[visits.every_days]\nleftbehind = 30\n",
        "[de_facto_unsupported]\nsevere_disability_grades = [5]\n",
    ],
)
def test_more_misspellings_in_rule_sets_are_refused(text: str) -> None:
    """Unknown categories in general or visit intervals, and grades outside 1-4, are refused."""
    with pytest.raises(ValidationError):
        load_rule_set('extends = "national"\n' + text)


def test_correcting_a_move_in_checks_the_destination(log: Caselog) -> None:
    """A corrected move-in must go to a village, into its household, by a worker who works there."""
    log.move_child_out("c-1", actor="li", effective=DAY)
    moved = log.move_child_in(
        "c-1", V2, household_id="h-2", actor="wang", effective=date(2025, 3, 5)
    )
    when = date(2025, 3, 5)
    nowhere = ChildMovedIn("c-1", "nowhere")
    _refused(log, "village", lambda: log.correct(
        "c-1", moved.event_id, nowhere, reason="x", actor="wang", effective=when))  # fmt: skip
    back_home = ChildMovedIn("c-1", V1, "h-1")
    _refused(log, "actor", lambda: log.correct(
        "c-1", moved.event_id, back_home, reason="x", actor="wang", effective=when))  # fmt: skip


def test_correcting_a_registration_twice_keeps_the_first_day(log: Caselog) -> None:
    """A registration corrected twice still opens the file before the facts of its first day."""
    fact = ParentStatusRecorded("c-1", Parent.FATHER, ParentSituation.MIGRANT_WORKER)
    log.record_fact(fact, actor="li", effective=date(2025, 2, 1))
    first = log.read_stream("child:c-1")[0]
    names = ["王晓明", "王小鸣"]
    target = first.event_id
    for name in names:
        renamed = ChildRegistered("c-1", "h-1", V1, name, Sex.MALE, date(2013, 5, 2), "ID-1")
        replacement, _ = log.correct("c-1", target, renamed, reason="spelling", actor="li",
                                     effective=DAY)  # fmt: skip
        target = replacement.event_id
    file = log.child_file("c-1")
    assert file is not None
    assert (file.name, file.father) == ("王小鸣", fact)


def test_a_corrected_event_is_not_corrected_again(log: Caselog) -> None:
    """Once corrected, an event is fixed through its replacement, not corrected a second time."""
    wrong = log.record_fact(CareArrangementRecorded("c-1", CarerRelation.NEIGHBOUR),
                            actor="li", effective=DAY)[0]  # fmt: skip
    log.correct("c-1", wrong.event_id, CareArrangementRecorded("c-1", CarerRelation.PARENT),
                reason="x", actor="li", effective=DAY)  # fmt: skip
    _refused(log, "event_id", lambda: log.correct(
        "c-1", wrong.event_id, CareArrangementRecorded("c-1", CarerRelation.GRANDPARENT),
        reason="y", actor="li", effective=DAY))  # fmt: skip


@pytest.mark.parametrize("birth", [date(2025, 12, 1), date(2000, 1, 1)])
def test_a_corrected_birth_date_must_fit_the_registration(log: Caselog, birth: date) -> None:
    """A registration's corrected birth date must not follow it or precede it by 18 years."""
    first = log.read_stream("child:c-1")[0]
    fixed = ChildRegistered("c-1", "h-1", V1, "王小明", Sex.MALE, birth, "ID-1")
    _refused(log, "birth_date", lambda: log.correct(
        "c-1", first.event_id, fixed, reason="x", actor="li", effective=DAY))  # fmt: skip
