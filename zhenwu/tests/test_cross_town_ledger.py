"""Two towns in one county: the ledger stays each town's (issue 15, county plan step 4).

Each town numbers its own problems from 2026-0001; a town's accounts never see, open or
change another town's problem (404, as a record that does not exist), never name another
town's unit or person as an owner (refused naming the field, nothing written, the attempt in
the audit log), and are told only of their own town's red cards. The importer matches a
sheet's 编号 against its own town's problems only.
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from zhenwu.conftest import SYSTEM, client_for, their_problem
from zhenwu.core.actors import CALENDAR
from zhenwu.core.counters import counter_next, counter_note
from zhenwu.core.models import AuditEvent, Counter, Notice
from zhenwu.ledger.constants import Category, Source, Status
from zhenwu.ledger.models import Problem
from zhenwu.ledger.selectors import filter_options, problems_visible_to
from zhenwu.ledger.services import problem_assign, problem_create
from zhenwu.org.constants import RoleKind
from zhenwu.org.services import person_create, person_role_grant

pytestmark = pytest.mark.django_db


def test_each_town_numbers_its_own_problems_from_one(office, town, other_town, problem):
    theirs = their_problem(other_town)
    assert (problem.number, theirs.number) == ("2026-0001", "2026-0001")
    assert (problem.town_id, theirs.town_id) == (town.party.town_id, other_town.town.pk)
    again = problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="又一个"
    )
    assert again.number == "2026-0002"
    # A number written by hand moves the series on; the next one handed out comes after it.
    problem_create(actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="手写",
                   number="2026-0040")  # fmt: skip
    after = problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="下一个"
    )
    assert after.number == "2026-0041"
    assert _theirs_next(other_town).number == "2026-0002"  # the other town's series did not move


def _theirs_next(other_town):
    return problem_create(actor=other_town.office, source=Source.SELF_CHECK, category=Category.OTHER,
                          description="邻镇第二个")  # fmt: skip


def test_the_counter_starts_after_the_highest_number_and_takes_blocks(town):
    town_id = town.party.town_id
    assert counter_next(town_id=town_id, series="t", year=2026, floor=lambda: 7) == 8
    assert counter_next(town_id=town_id, series="t", year=2026, floor=lambda: 100) == 9  # read once
    assert counter_next(town_id=town_id, series="t", year=2026, count=5) == 14  # 10..14 taken
    counter_note(town_id=town_id, series="t", year=2026, value=12)  # below: nothing moves
    counter_note(town_id=town_id, series="t", year=2026, value=30)
    assert counter_next(town_id=town_id, series="t", year=2026) == 31
    assert counter_next(town_id=town_id, series="t", year=2027) == 1  # each year its own series
    assert Counter.objects.filter(series="t").count() == 2


def test_a_towns_accounts_never_reach_another_towns_problem(office, town, other_town, problem):
    theirs = their_problem(other_town)
    assert list(problems_visible_to(office)) == [problem]
    assert list(problems_visible_to(other_town.office)) == [theirs]
    client = client_for(office)
    for name in ("ledger:problem_detail", "ledger:problem_assign", "ledger:correct", "ledger:report"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404, name
    assert client.get(f"/api/problems/{theirs.pk}").status_code == 404
    listing = client.get(reverse("ledger:problem_list")).content.decode()
    assert problem.description in listing and theirs.description not in listing
    assert client.get("/api/problems").json()["count"] == 1
    exported = client.get(reverse("ledger:export")).content
    assert exported and theirs.description.encode() not in exported
    # The filter bar offers the town's own departments, villages and leaders only.
    options = filter_options(office)
    names = {name for values in options.values() for _pk, name in values}
    assert "邻镇镇长" not in names and "河湾村村民委员会" not in names and town.leader_person.name in names


def test_an_owner_from_another_town_is_refused_naming_the_field_and_nothing_is_written(
    office, town, other_town, pending
):
    with pytest.raises(ValidationError) as caught:
        problem_assign(
            actor=office, problem=pending, leader=town.leader_person, department=other_town.office_dept,
            assignees=[town.staff], deadline=date(2026, 12, 31),
        )  # fmt: skip
    assert caught.value.message_dict["department"] == ["责任部门：所选对象不属于本镇"]
    with pytest.raises(ValidationError) as caught:
        problem_assign(
            actor=office, problem=pending, leader=town.leader_person, department=town.economy_dept,
            assignees=[town.staff, other_town.member], deadline=date(2026, 12, 31),
        )  # fmt: skip
    assert caught.value.message_dict["assignees"] == ["责任人：所选对象不属于本镇"]
    with pytest.raises(ValidationError) as caught:
        problem_create(actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="越界",
                       village=other_town.branch)  # fmt: skip
    assert caught.value.message_dict["village"] == ["村(社区)：所选对象不属于本镇"]
    pending.refresh_from_db()
    assert pending.status == Status.PENDING and pending.department_id is None
    assert not Problem.objects.filter(description="越界").exists()


def test_the_api_refuses_another_towns_owner_naming_the_field_and_audits_it(
    office, town, other_town, pending
):
    client = client_for(office)
    answer = client.post(
        f"/api/problems/{pending.pk}/assign",
        {"leader_id": town.leader_person.pk, "department_id": other_town.office_dept.pk,
         "assignee_ids": [town.staff.pk], "deadline_basis": "date", "deadline": "2026-12-31"},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 400, answer.content  # the API's answer to every refused field
    body = answer.json()
    assert body["errors"]["department"] == ["责任部门：所选对象不属于本镇"] and "邻镇" not in str(body)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    refused = AuditEvent.objects.filter(action="security.refused").latest("seq")
    assert "责任部门" in refused.after["reason"]


def test_a_leader_moved_from_another_town_is_named_by_the_role_held_here(office, town, other_town, pending):
    """A cadre registered in 邻镇 who now holds a 镇领导 role in this town may lead its problems."""
    moved = person_create(actor=SYSTEM, name="调任干部", unit=other_town.government)
    person_role_grant(actor=SYSTEM, person=moved, kind=RoleKind.LEADER, unit=town.party)
    assigned = problem_assign(
        actor=office, problem=pending, leader=moved, department=town.economy_dept, assignees=[town.staff],
        deadline=date(2026, 12, 31),
    )  # fmt: skip
    assert assigned.leader_id == moved.pk
    assert "调任干部" in {name for _pk, name in filter_options(office)["leader"]}


def test_red_cards_reach_only_the_problems_own_towns_office(office, town, other_town, problem):
    from zhenwu.ledger.tasks import red_alerts

    theirs = their_problem(other_town)
    red_alerts(datetime(2027, 1, 6, 9, tzinfo=ZoneInfo("Asia/Shanghai")))  # both past 2026-12-31
    red = Notice.objects.filter(key__startswith="red:")
    ours, their = (
        red.filter(key__startswith=f"red:{problem.pk}:"),
        red.filter(key__startswith=f"red:{theirs.pk}:"),
    )
    assert ours.filter(recipient=office).exists() and their.filter(recipient=other_town.office).exists()
    assert (
        not ours.filter(recipient=other_town.office).exists() and not their.filter(recipient=office).exists()
    )


def test_the_importer_matches_a_sheets_numbers_in_its_own_town_only(office, town, other_town, problem):
    """This town's export carries 2026-0001; 邻镇 has a 2026-0001 of its own. Read into this
    town the row is this town's problem; read into 邻镇 it is not taken for either."""
    import io

    from zhenwu.ledger.importer import Choices, plan_import

    theirs = their_problem(other_town)
    exported = client_for(office).get(reverse("ledger:export")).content
    here = plan_import(io.BytesIO(exported), town_id=town.party.town_id, choices=Choices(year=2026))
    assert [r.problem_id for r in here.rows] == [problem.pk]
    there = plan_import(io.BytesIO(exported), town_id=other_town.town.pk, choices=Choices(year=2026))
    assert there.town_id == other_town.town.pk
    assert {r.problem_id for r in there.rows} <= {None} and theirs.pk not in {
        r.problem_id for r in there.rows
    }


@pytest.mark.django_db(transaction=True)
def test_two_servers_creating_at_once_get_consecutive_numbers(town, office):
    """Two threads (each its own connection, as two app servers) create 10 problems each."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by its file lock; the row lock is PostgreSQL's")
    numbers: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        from django.db import connections

        try:
            for i in range(10):
                made = problem_create(
                    actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description=f"并发{i}"
                )
                numbers.append(made.number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == [f"2026-{n:04d}" for n in range(1, 21)]


def test_an_account_working_under_a_grant_registers_in_the_grants_town(office, town, other_town, admin_user):
    from zhenwu.org.constants import AccountRole
    from zhenwu.org.scope import activate_grant
    from zhenwu.org.services import account_grant_add

    grant = account_grant_add(actor=admin_user, user=office, town=other_town.town, role=AccountRole.OFFICE)
    activate_grant(office, grant)  # as the header's switch does for the rest of a request
    made = problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="借调登记"
    )
    assert made.town_id == other_town.town.pk and made.number == "2026-0001"
    assert list(problems_visible_to(office)) == [made]
    with pytest.raises(ValidationError) as caught:  # the home town's village is not this town's
        problem_create(actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="越界",
                       village=town.village)  # fmt: skip
    assert caught.value.message_dict["village"] == ["村(社区)：所选对象不属于本镇"]


def test_the_audit_page_lists_only_the_towns_own_events(office, town, other_town, problem):
    theirs = their_problem(other_town)
    client = client_for(office)
    page = client.get(reverse("core:audit_list"), {"object_type": "ledger.problem", "object_id": theirs.pk})
    assert page.status_code == 200 and theirs.description not in page.content.decode()
    ours = client.get(reverse("core:audit_list"), {"object_type": "ledger.problem", "object_id": problem.pk})
    assert problem.number in ours.content.decode()
    mine = client_for(other_town.office).get(reverse("core:audit_list")).content.decode()
    assert problem.description not in mine and "刘志强" not in mine


def test_similar_problems_of_another_town_are_not_offered(office, other_town):
    from zhenwu.suggestions.similarity import SIMILAR_PROBLEM, Similar, seen_by

    theirs = their_problem(other_town)
    found = [Similar(SIMILAR_PROBLEM, theirs.pk, theirs.number, theirs.description, 0.9, "同一对象")]
    assert seen_by(office, found) == [] and seen_by(other_town.office, found) == found


def test_the_audit_page_shows_a_problem_named_by_its_number(office, town):
    """A suggestion's triage event names its problem by number ("problem": "2026-0001")."""
    from zhenwu.suggestions.services import suggestion_accept, suggestion_submit

    made = suggestion_submit(text="村口路灯坏了很久", village=town.village)
    suggestion_accept(actor=office, suggestion=made, village=town.village)
    assert client_for(office).get(reverse("core:audit_list")).status_code == 200


def test_a_confirmed_calendar_moves_another_towns_deadlines_as_the_calendars_step(
    office, other_town, problem
):
    from zhenwu.ledger.constants import LedgerAudit
    from zhenwu.ledger.services import problems_recompute_provisional

    theirs = their_problem(other_town)
    Problem.objects.filter(pk__in=[problem.pk, theirs.pk]).update(
        deadline_provisional=True, deadline_basis="workdays", deadline_days=20, deadline=date(2026, 12, 20)
    )
    shown = problems_recompute_provisional(actor=office, year=2026)
    assert {r.label for r in shown} <= {problem.number} and all(str(theirs.pk) not in r.url for r in shown)
    events = AuditEvent.objects.filter(action=LedgerAudit.DEADLINE_RECOMPUTED, object_type="ledger.problem")
    assert events.get(object_id=str(problem.pk)).actor_id == office.pk
    their_event = events.get(object_id=str(theirs.pk))
    assert their_event.actor_id is None and their_event.actor_label == CALENDAR.key
