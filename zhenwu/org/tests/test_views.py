import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.core.actors import DEMO
from zhenwu.core.models import AuditEvent
from zhenwu.org.constants import RoleKind
from zhenwu.org.models import Person
from zhenwu.org.services import person_create, person_role_grant

pytestmark = pytest.mark.django_db


def _many_members(town, n: int) -> None:
    for i in range(n):
        p = person_create(actor=DEMO, name=f"党员{i}", phone=f"1380000{i:04d}", unit=town.branch)
        person_role_grant(actor=DEMO, person=p, kind=RoleKind.PARTY_MEMBER, unit=town.branch)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


LIST_PAGES = {
    "person list": lambda town: reverse("org:person_list"),
    "unit tree": lambda town: reverse("org:unit_tree"),
    "home": lambda town: reverse("home"),
    "audit log": lambda town: reverse("core:audit_list"),
    "unit page": lambda town: reverse("org:unit_detail", args=[town.branch.pk]),
}


@pytest.mark.parametrize("page", sorted(LIST_PAGES))
def test_list_pages_run_a_fixed_number_of_queries_whatever_the_rows(office, town, page):
    client = client_for(office)
    url = LIST_PAGES[page](town)
    if page == "audit log":
        # The audit page names related rows with one query per related model on the page (an
        # account's event names its person and unit, a member's only a unit): compare pages of
        # the same kinds of events, a full page (50) against the same after many more.
        _many_members(town, 25)
    client.get(url)  # the first request also stamps the session
    few = _queries(client, url)
    _many_members(town, 30)
    assert _queries(client, url) == few


def test_person_pages_show_masked_identifiers_only(office, town):
    client = client_for(office)
    listing = client.get(reverse("org:person_list")).content.decode()
    detail = client.get(reverse("org:person_detail", args=[town.member.pk])).content.decode()
    for page in (listing, detail):
        assert "138****5678" in page
        assert "13812345678" not in page
        assert "11010519491231002X" not in page
    assert "110105********002X" in detail


def test_revealing_shows_the_full_value_and_audits_it(office, town):
    response = client_for(office).post(reverse("org:person_reveal", args=[town.member.pk, "id_number"]))
    assert "11010519491231002X" in response.content.decode()
    assert AuditEvent.objects.filter(action="person.unmasked", object_id=str(town.member.pk)).count() == 1


def test_the_person_list_searches_by_pinyin_initials(office, town):
    page = client_for(office).get(reverse("org:person_list"), {"q": "wjg"}).content.decode()
    assert "王建国" in page and "李秀英" not in page


def test_the_office_registers_a_person_and_bad_input_names_the_field(office, town):
    client = client_for(office)
    bad = client.post(reverse("org:person_create"), {"name": "孙丽", "phone": "123", "id_number": "abc"})
    text = bad.content.decode()
    assert "手机号码：" in text and "身份证号码：" in text
    assert not Person.objects.filter(name="孙丽").exists()
    missing = client.post(reverse("org:person_create"), {"name": ""})
    assert "姓名：不能为空" in missing.content.decode()
    good = client.post(
        reverse("org:person_create"), {"name": "孙丽", "phone": "13711112222", "unit": town.village.pk}
    )
    assert good.status_code == 302
    assert Person.objects.get(name="孙丽").phone == "13711112222"


def test_editing_a_person_without_retyping_identifiers_keeps_them(office, town):
    client = client_for(office)
    response = client.post(
        reverse("org:person_edit", args=[town.member.pk]),
        {"name": "王建国", "title": "支部委员", "unit": town.branch.pk},
    )
    assert response.status_code == 302
    town.member.refresh_from_db()
    assert town.member.phone == "13812345678" and town.member.title == "支部委员"


def test_a_unit_cycle_is_refused_on_the_edit_page(office, town):
    response = client_for(office).post(
        reverse("org:unit_edit", args=[town.party.pk]),
        {"name": town.party.name, "kind": town.party.kind, "parent": town.branch.pk},
    )
    assert "循环" in response.content.decode()
    before = town.party.parent_id
    town.party.refresh_from_db()
    assert town.party.parent_id == before


def test_the_calendar_page_lets_the_office_mark_a_day(office):
    client = client_for(office)
    assert "2026" in client.get(reverse("core:calendar"), {"year": 2026}).content.decode()
    response = client.post(
        reverse("core:calendar"), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    )
    assert response.status_code == 302
    bad = client.post(reverse("core:calendar"), {"date": "2027-01-04", "kind": "workday"})
    assert "只能设在周六或周日" in bad.content.decode()


def test_the_audit_page_filters_by_action(office, town):
    page = client_for(office).get(reverse("core:audit_list"), {"action": "person.created"}).content.decode()
    assert "<td>新建人员</td>" in page and "<td>新建单位</td>" not in page


def test_the_unit_tree_groups_siblings_by_kind_then_the_offices_order(office, town):
    from zhenwu.org.constants import UnitKind
    from zhenwu.org.selectors import unit_tree
    from zhenwu.org.services import unit_create

    government = town.government
    unit_create(actor=office, name="甲村村民委员会", kind=UnitKind.VILLAGE_COMMITTEE, parent=government)
    unit_create(actor=office, name="新设部门", kind=UnitKind.DEPARTMENT, parent=government, sort_order=99)
    below = [u for u in unit_tree(office) if u.parent_id == government.pk]
    kinds = [u.kind for u in below]
    assert kinds == sorted(kinds, key=list(UnitKind.values).index)  # departments, then 村委会…
    departments = [u.name for u in below if u.kind == UnitKind.DEPARTMENT]
    assert departments[-1] == "新设部门"  # by the office's sort order within a kind
    tree = unit_tree(office)
    shown = {u.pk for u in tree}
    for unit in tree:  # every unit comes after its parent (the town's node is the top)
        if unit.parent_id in shown:
            assert [u.pk for u in tree].index(unit.parent_id) < tree.index(unit)


def test_a_departments_clerk_is_not_shown_the_registrys_figures(department_staff, branch_secretary, office):
    assert "组织与人员" not in client_for(department_staff).get(reverse("home")).content.decode()
    for user in (office, branch_secretary):
        assert "组织与人员" in client_for(user).get(reverse("home")).content.decode()
