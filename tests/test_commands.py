"""The case-file commands: what they record, and what they refuse without writing anything."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import attrs
import pytest

import caselog
from caselog import Caselog, ValidationError
from caselog.domain import (
    AreaLevel,
    AttemptFailure,
    CareArrangementRecorded,
    CarerRelation,
    ClosureReason,
    ConcernFollowedUp,
    ConcernKind,
    ConcernReported,
    FileStatus,
    HomeSessionHeld,
    HouseholdEconomicStatusRecorded,
    IncomeSource,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    Role,
    Sex,
    VisitAttemptFailed,
    VisitCancelled,
    VisitCompleted,
    VisitScheduled,
)
from caselog.domain.rules import load_rule_set
from caselog.testing import ManualClock
from programme import build_directory

VILLAGE, OTHER_VILLAGE, TOWNSHIP = "510101001001", "510101001002", "510101001000"
DAY = date(2025, 3, 3)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))


@pytest.fixture
def log(clock: ManualClock) -> Iterator[Caselog]:
    with caselog.open("memory:", clock=clock) as log:
        yield log


def _setup(log: Caselog) -> None:
    day = date(2025, 1, 1)
    workers = [
        ("li", Role.VILLAGE_WORKER, VILLAGE),
        ("wang", Role.VILLAGE_WORKER, OTHER_VILLAGE),
        ("zhao", Role.TOWNSHIP_SUPERVISOR, TOWNSHIP),
        ("audit", Role.AUDITOR, "51"),
    ]
    build_directory(log, province="51", county="510101", township=TOWNSHIP,
                    villages=[VILLAGE, OTHER_VILLAGE], workers=workers, effective=day)  # fmt: skip
    log.register_household("h-1", VILLAGE, "Group 3", actor="li", effective=day)


@pytest.fixture
def ready(log: Caselog) -> Caselog:
    _setup(log)
    return log


def _child(log: Caselog, child_id: str = "c-1", **changes: object) -> None:
    fields: dict[str, object] = {
        "household_id": "h-1",
        "name": "王小明",
        "sex": Sex.MALE,
        "birth_date": date(2013, 5, 2),
        "actor": "li",
        "effective": date(2025, 2, 1),
    }
    log.register_child(child_id, **{**fields, **changes})  # type: ignore[arg-type]


def _length(log: Caselog) -> int:
    last = log.store.last_event()
    return 0 if last is None else last.position


def test_first_admin_bootstraps_and_only_once(log: Caselog) -> None:
    """Without an admin, the first registers itself; after that every command needs a worker."""
    _setup(log)
    with pytest.raises(ValidationError) as caught:
        log.register_worker("x", "X", Role.ADMIN, "51", actor=None, effective=DAY)
    assert caught.value.field == "actor"


@pytest.mark.parametrize(
    ("code", "level", "parent", "field"),
    [
        (VILLAGE, AreaLevel.VILLAGE, TOWNSHIP, "code"),
        ("5101010099", AreaLevel.VILLAGE, "510101", "parent"),
        ("52", AreaLevel.PROVINCE, "51", "parent"),
        ("510102", AreaLevel.COUNTY, "59", "parent"),
    ],
)
def test_areas_must_fit_the_tree(
    ready: Caselog, code: str, level: AreaLevel, parent: str, field: str
) -> None:
    """A repeated code, or a parent of the wrong level or unknown, is refused."""
    before = _length(ready)
    with pytest.raises(ValidationError) as caught:
        ready.register_area(code, "x", level, parent=parent, actor="admin", effective=DAY)
    assert caught.value.field == field
    assert _length(ready) == before


def test_register_child_opens_a_file(ready: Caselog) -> None:
    """A registered child has a file in the household's village, owned by it."""
    _child(ready, id_number="510101201305020011")
    file = ready.child_file("c-1")
    assert file is not None
    assert (file.name, file.village, file.household_id) == ("王小明", VILLAGE, "h-1")
    assert (file.status, file.version) == (FileStatus.ACTIVE, 2)  # with its first categories


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": date(2025, 6, 1)}, "birth_date"),
        ({"birth_date": date(2007, 1, 31)}, "birth_date"),
        ({"household_id": "h-9"}, "household_id"),
        ({"actor": "wang"}, "actor"),
        ({"actor": "audit"}, "actor"),
        ({"actor": "nobody"}, "actor"),
        ({"effective": date(2026, 2, 1)}, "effective"),
    ],
)
def test_register_child_refusals(ready: Caselog, changes: dict[str, object], field: str) -> None:
    """Bad registrations are refused on the field at fault and write nothing."""
    before = _length(ready)
    with pytest.raises(ValidationError) as caught:
        _child(ready, **changes)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert _length(ready) == before


def test_a_child_id_is_registered_once(ready: Caselog) -> None:
    """Registering the same child id twice is refused."""
    _child(ready)
    with pytest.raises(ValidationError) as caught:
        _child(ready)
    assert caught.value.field == "child_id"


def test_an_open_id_number_is_registered_once(ready: Caselog) -> None:
    """A second open file with the same ID number is refused; once closed, it may be reused."""
    _child(ready, id_number="510101201305020011")
    with pytest.raises(ValidationError) as caught:
        _child(ready, "c-2", id_number="510101201305020011")
    assert caught.value.field == "id_number"
    ready.close_case("c-1", ClosureReason.DUPLICATE, actor="li", effective=DAY)
    _child(ready, "c-2", id_number="510101201305020011", effective=DAY)
    assert ready.child_file("c-2") is not None


def test_supervisor_acts_in_the_villages_of_the_township(ready: Caselog) -> None:
    """A township supervisor may record facts in any village of the township."""
    _child(ready)
    fact = ParentStatusRecorded("c-1", Parent.FATHER, ParentSituation.MIGRANT_WORKER)
    ready.record_fact(fact, actor="zhao", effective=DAY)
    file = ready.child_file("c-1")
    assert file is not None
    assert file.father == fact


def test_visit_before_birth_or_after_closing_is_refused(ready: Caselog) -> None:
    """A visit dated before the birth, or after the file was closed, is refused."""
    _child(ready)
    visit = VisitCompleted("v-1", "c-1")
    ready.close_case("c-1", ClosureReason.MOVED_AWAY, actor="li", effective=DAY)
    before = _length(ready)
    for day in (date(2012, 1, 1), date(2025, 4, 1)):
        with pytest.raises(ValidationError) as caught:
            ready.record_visit(visit, actor="li", effective=day)
        assert caught.value.field == "effective"
    assert _length(ready) == before
    ready.record_visit(visit, actor="li", effective=date(2025, 2, 20))  # before it closed


def test_deceased_child_takes_only_corrections(ready: Caselog) -> None:
    """After a death is recorded, commands other than corrections are refused."""
    _child(ready)
    death = ready.record_death("c-1", actor="li", effective=DAY)
    with pytest.raises(ValidationError) as caught:
        ready.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=DAY)
    assert caught.value.field == "child_id"
    ready.void("c-1", death.event_id, reason="another child", actor="li", effective=DAY)
    assert ready.child_file("c-1").status is FileStatus.ACTIVE  # type: ignore[union-attr]


def test_reopening_needs_a_closed_file(ready: Caselog) -> None:
    """Only a closed file can be reopened, and then it is active again."""
    _child(ready)
    with pytest.raises(ValidationError):
        ready.reopen_case("c-1", "back", actor="li", effective=DAY)
    ready.close_case("c-1", ClosureReason.OTHER, actor="li", effective=DAY)
    ready.reopen_case("c-1", "back", actor="li", effective=date(2025, 4, 1))
    file = ready.child_file("c-1")
    assert file is not None
    assert file.status is FileStatus.ACTIVE


def test_later_schedules_do_not_replace_earlier_ones(ready: Caselog) -> None:
    """Two scheduled visits stay side by side until each is completed or cancelled."""
    _child(ready)
    for n, start in enumerate((date(2025, 3, 10), date(2025, 4, 10))):
        visit = VisitScheduled(f"v-{n}", "c-1", start, date(2025, 4, 30))
        ready.schedule_visit(visit, actor="li", effective=DAY)
    ready.record_visit(VisitCompleted("v-0", "c-1"), actor="li", effective=date(2025, 3, 12))
    file = ready.child_file("c-1")
    assert file is not None
    assert [v.visit_id for v in file.scheduled_visits] == ["v-1"]
    assert file.last_visit == date(2025, 3, 12)


def test_concern_stays_open_until_a_visit_addresses_it(ready: Caselog) -> None:
    """A reported concern is open until a visit names it."""
    _child(ready)
    concern = ConcernReported("k-1", "c-1", ConcernKind.LEFT_ALONE, "Alone for a week")
    ready.report_concern(concern, actor="li", effective=DAY)
    assert [c.concern_id for c in ready.child_file("c-1").open_concerns] == ["k-1"]  # type: ignore[union-attr]
    visit = VisitCompleted("v-1", "c-1", concern_ids=frozenset({"k-1"}))
    ready.record_visit(visit, actor="li", effective=date(2025, 3, 5))
    assert ready.child_file("c-1").open_concerns == ()  # type: ignore[union-attr]


def test_back_dated_fact_changes_the_past_only_once_known(
    ready: Caselog, clock: ManualClock
) -> None:
    """A fact recorded late changes as-of answers after its date only when known_at is later."""
    _child(ready)
    clock.advance(3600)
    before_it = clock.now
    clock.advance(3600)
    away = ParentStatusRecorded("c-1", Parent.MOTHER, ParentSituation.MIGRANT_WORKER)
    ready.record_fact(away, actor="li", effective=date(2025, 2, 10))
    assert ready.child_file("c-1", as_of=date(2025, 3, 1)).mother == away  # type: ignore[union-attr]
    then = ready.child_file("c-1", as_of=date(2025, 3, 1), known_at=before_it)
    assert then is not None
    assert then.mother is None
    assert ready.child_file("c-1", as_of=date(2025, 2, 9)).mother is None  # type: ignore[union-attr]


def test_correction_replaces_from_when_it_is_known(ready: Caselog, clock: ManualClock) -> None:
    """A correction replaces the fact for reads known after it, and not for earlier ones."""
    _child(ready)
    wrong = CareArrangementRecorded("c-1", CarerRelation.NEIGHBOUR)
    recorded = ready.record_fact(wrong, actor="li", effective=DAY)[0]
    clock.advance(60)
    known_before = clock.now
    clock.advance(60)
    right = CareArrangementRecorded("c-1", CarerRelation.GRANDPARENT)
    ready.correct("c-1", recorded.event_id, right, reason="misheard", actor="li", effective=DAY)
    assert ready.child_file("c-1").care == right  # type: ignore[union-attr]
    assert ready.child_file("c-1", known_at=known_before).care == wrong  # type: ignore[union-attr]


def test_void_removes_the_fact(ready: Caselog) -> None:
    """A voided visit no longer counts as the last visit."""
    _child(ready)
    visit = ready.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=DAY)
    ready.void("c-1", visit.event_id, reason="entered twice", actor="li", effective=DAY)
    assert ready.child_file("c-1").last_visit is None  # type: ignore[union-attr]


def test_file_ages_out_at_eighteen_without_an_event(ready: Caselog) -> None:
    """On the 18th birthday an active file reads as aged out, with nothing recorded."""
    _child(ready)
    assert ready.child_file("c-1", as_of=date(2031, 5, 1)).status is FileStatus.ACTIVE  # type: ignore[union-attr]
    aged = ready.child_file("c-1", as_of=date(2031, 5, 2))
    assert aged is not None
    assert (aged.status, aged.status_since) == (FileStatus.AGED_OUT, date(2031, 5, 2))


def test_file_before_registration_is_none(ready: Caselog) -> None:
    """Asked about a day before the child was registered, there is no file."""
    _child(ready)
    assert ready.child_file("c-1", as_of=date(2025, 1, 31)) is None


def test_unknown_child_is_refused(ready: Caselog) -> None:
    """Asking for a child nobody registered names the child id."""
    with pytest.raises(ValidationError) as caught:
        ready.child_file("c-404")
    assert caught.value.field == "child_id"


def _categories(log: Caselog, child_id: str = "c-1", **when: object) -> set[tuple[str, object]]:
    file = log.child_file(child_id, **when)  # type: ignore[arg-type]
    assert file is not None
    assert file.categories is not None
    return {(c.category, c.subtype) for c in file.categories.categories}


def test_registration_records_the_first_categories(ready: Caselog) -> None:
    """A newly registered child is classified at once, under the log's rule version."""
    _child(ready)
    file = ready.child_file("c-1")
    assert file is not None
    assert file.categories is not None
    assert (file.categories.rule_set, file.categories.rule_version) == ("national", "2026.1")
    assert _categories(ready) == {("general", None)}


def test_facts_that_change_categories_record_them_in_the_same_append(ready: Caselog) -> None:
    """When both parents go away for work, the same append records the child as left behind."""
    _child(ready)
    father = ParentStatusRecorded("c-1", Parent.FATHER, ParentSituation.MIGRANT_WORKER)
    mother = ParentStatusRecorded("c-1", Parent.MOTHER, ParentSituation.MIGRANT_WORKER)
    assert [e.type for e in ready.record_fact(father, actor="li", effective=DAY)] == [
        "parent_status_recorded"
    ]
    events = ready.record_fact(mother, actor="li", effective=DAY)
    assert [e.type for e in events] == ["parent_status_recorded", "categories_recorded"]
    assert events[1].data.basis == tuple(sorted({events[0].event_id, _fact_id(ready, "father")}))
    assert _categories(ready) == {("left_behind", "both_parents_away")}


def _fact_id(log: Caselog, kind: str) -> str:
    file = log.child_file("c-1")
    assert file is not None
    event_id = file.fact_event(kind)
    assert event_id is not None
    return event_id


def test_reclassifying_under_new_rules_records_only_changes(ready: Caselog) -> None:
    """A new rule version that changes one child's categories records for that child only."""
    _child(ready)
    _child(ready, "c-2", name="王小红", sex=Sex.FEMALE, birth_date=date(2016, 9, 14))
    for child in ("c-1", "c-2"):
        for parent in Parent:
            fact = ParentStatusRecorded(child, parent, ParentSituation.MIGRANT_WORKER,
                                        is_cross_county=child == "c-1")  # fmt: skip
            ready.record_fact(fact, actor="li", effective=DAY)
    strict = load_rule_set('extends = "national"\nversion = "2026.9"\n'
                           "[left_behind]\nrequires_cross_county = true\n")  # fmt: skip
    recorded = ready.reclassify_all(actor="admin", effective=date(2025, 6, 1), rules=strict)
    assert [e.stream for e in recorded] == ["child:c-2"]
    assert _categories(ready, "c-2") == {("general", None)}
    assert recorded[0].data.rule_version == "2026.9"
    assert ready.reclassify_all(actor="zhao", effective=date(2025, 6, 1)) == []


def test_move_out_and_in_passes_ownership(ready: Caselog) -> None:
    """A child who moves is owned by the receiving village; the old village may act no more."""
    _child(ready)
    ready.move_child_out("c-1", destination="Baishui", actor="li", effective=DAY)
    with pytest.raises(ValidationError):
        ready.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=date(2025, 3, 4))
    ready.move_child_in("c-1", OTHER_VILLAGE, actor="wang", effective=date(2025, 3, 10))
    file = ready.child_file("c-1")
    assert file is not None
    assert (file.village, file.status) == (OTHER_VILLAGE, FileStatus.ACTIVE)
    with pytest.raises(ValidationError) as caught:
        ready.record_visit(VisitCompleted("v-2", "c-1"), actor="li", effective=date(2025, 3, 12))
    assert caught.value.field == "actor"
    ready.record_visit(VisitCompleted("v-2", "c-1"), actor="wang", effective=date(2025, 3, 12))


def test_merging_closes_the_duplicate(ready: Caselog) -> None:
    """Merging two files of one child keeps one and closes the other as its duplicate, at once."""
    _child(ready)
    _child(ready, "c-dup")
    events = ready.merge_children("c-1", "c-dup", reason="two tablets", actor="li", effective=DAY)
    assert [e.stream for e in events] == ["child:c-1", "child:c-dup"]
    assert ready.child_file("c-1").duplicates == ("c-dup",)  # type: ignore[union-attr]
    assert ready.child_file("c-dup").status is FileStatus.CLOSED  # type: ignore[union-attr]


def test_deactivated_worker_can_no_longer_act(ready: Caselog) -> None:
    """After deactivation a worker's commands are refused; reassignment moves their area."""
    ready.assign_worker("wang", Role.VILLAGE_WORKER, VILLAGE, actor="admin", effective=DAY)
    _child(ready, actor="wang")
    ready.deactivate_worker("wang", reason="left", actor="admin", effective=DAY)
    with pytest.raises(ValidationError) as caught:
        ready.record_visit(VisitCompleted("v-1", "c-1"), actor="wang", effective=DAY)
    assert caught.value.field == "actor"


def test_household_poverty_makes_its_children_in_difficulty(ready: Caselog) -> None:
    """A household on the minimum living guarantee puts its children in difficulty."""
    _child(ready)
    status = HouseholdEconomicStatusRecorded(
        "h-1", IncomeSource.FARMING, has_minimum_living_guarantee=True
    )
    ready.record_household_economy(status, actor="li", effective=DAY)
    (event,) = ready.reclassify_all(actor="li", effective=date(2025, 3, 4))
    assert _categories(ready) == {("in_difficulty", "family_poverty")}
    assert ready.child_file("c-1").fact_event("household_economic_status") in event.data.basis  # type: ignore[union-attr]


def test_failed_and_cancelled_visits(ready: Caselog) -> None:
    """A failed attempt leaves the visit due; a cancelled one is no longer scheduled."""
    _child(ready)
    ready.schedule_visit(VisitScheduled("v-1", "c-1", DAY, date(2025, 3, 30)), actor="li",
                         effective=DAY)  # fmt: skip
    attempt = VisitAttemptFailed("v-1", "c-1", AttemptFailure.NOBODY_HOME)
    ready.record_failed_visit(attempt, actor="li", effective=date(2025, 3, 5))
    assert [v.visit_id for v in ready.child_file("c-1").scheduled_visits] == ["v-1"]  # type: ignore[union-attr]
    ready.cancel_visit(
        VisitCancelled("v-1", "c-1", "moved"), actor="li", effective=date(2025, 3, 6)
    )
    assert ready.child_file("c-1").scheduled_visits == ()  # type: ignore[union-attr]


def test_abuse_concern_puts_a_child_in_difficulty_until_resolved(ready: Caselog) -> None:
    """An open abuse concern makes the child in difficulty; a resolving follow-up ends it."""
    _child(ready)
    concern = ConcernReported("k-1", "c-1", ConcernKind.ABUSE, "bruises", is_mandatory_report=True)
    ready.report_concern(concern, actor="li", effective=DAY)
    assert _categories(ready) == {("in_difficulty", "guardianship")}
    done = ConcernFollowedUp("k-1", "c-1", "carer counselled", is_resolved=True)
    ready.follow_up_concern(done, actor="zhao", effective=date(2025, 3, 10))
    assert _categories(ready) == {("general", None)}


def test_file_shows_the_next_visit_due(ready: Caselog) -> None:
    """A read file names its next visit due, from the recorded categories and last visit."""
    _child(ready)
    ready.record_visit(VisitCompleted("v-1", "c-1"), actor="li", effective=DAY)
    file = ready.child_file("c-1")
    assert file is not None
    assert file.next_visit is not None
    assert file.next_visit.due_by == date(2026, 3, 3)  # general: a year after the last visit


def test_left_behind_ends_on_the_16th_birthday_in_the_file(ready: Caselog) -> None:
    """The file's categories drop left-behind on the 16th birthday, with nothing recorded."""
    _child(ready)
    for parent in Parent:
        fact = ParentStatusRecorded("c-1", parent, ParentSituation.MIGRANT_WORKER)
        ready.record_fact(fact, actor="li", effective=DAY)
    assert _categories(ready, as_of=date(2029, 5, 1)) == {("left_behind", "both_parents_away")}
    assert _categories(ready, as_of=date(2029, 5, 2)) == {("general", None)}


def test_home_sessions_take_attendance_of_the_villages_children(ready: Caselog) -> None:
    """A children's home session records who attended; children of other villages are refused."""
    _child(ready)
    session = HomeSessionHeld("s-1", VILLAGE, 120, "reading", attendees=frozenset({"c-1"}))
    event = ready.record_home_session(session, actor="li", effective=DAY)
    assert event.stream == f"home:{VILLAGE}"
    stranger = attrs.evolve(session, session_id="s-2", attendees=frozenset({"c-9"}))
    with pytest.raises(ValidationError) as caught:
        ready.record_home_session(stranger, actor="li", effective=DAY)
    assert caught.value.field == "attendees"


def test_proposal_and_classify_of_one_child(ready: Caselog) -> None:
    """The rules' proposal is only read; classify records it once, and not again unchanged."""
    _child(ready)
    proposal = ready.proposed_categories("c-1", on=DAY)
    assert proposal.labels() == {("general", None)}
    assert ready.classify("c-1", actor="li", effective=DAY) is None  # recorded at registration
    local = load_rule_set('extends = "national"\n[general]\nunless = []\n')
    assert ready.proposed_categories("c-1", on=DAY, rules=local).labels() == {("general", None)}
    with pytest.raises(ValidationError) as caught:
        ready.proposed_categories("c-1", on=date(2024, 1, 1))
    assert caught.value.field == "on"
