"""The town's 派单目录: seeded on first use, edited by the office, learned from its decisions."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhenwu.conftest import SYSTEM, client_for
from zhenwu.core.models import AuditEvent
from zhenwu.ledger.models import Problem
from zhenwu.org.constants import UnitKind
from zhenwu.org.models import Unit
from zhenwu.org.services import unit_create
from zhenwu.suggestions.catalogue import (
    catalogue_seed,
    routing_topic_delete,
    routing_topic_save,
    town_catalogue,
)
from zhenwu.suggestions.models import RoutingCatalogue, RoutingTopic, Suggestion
from zhenwu.suggestions.routing import route
from zhenwu.suggestions.tasks import retrain_routing

pytestmark = pytest.mark.django_db

# The offices the shared test town lacks; with them it has the eleven standard ones.
MISSING = ("社会事务办", "村镇建设办", "农业服务中心", "财政所", "劳动保障所", "国土所", "派出所")


@pytest.fixture
def full_town(town):
    for name in MISSING:
        unit_create(actor=SYSTEM, name=name, kind=UnitKind.DEPARTMENT, parent=town.government)
    return town


def department(name: str) -> Unit:
    return Unit.objects.get(kind=UnitKind.DEPARTMENT, name=name)


def test_the_first_routing_seeds_the_catalogue_and_reports_offices_the_town_lacks(town):
    assert not RoutingTopic.objects.exists()
    assert route("办证要跑好几趟，窗口签字难").departments[0].label == "政务快捷服务中心"
    state = RoutingCatalogue.objects.get()
    assert state.seeded_at is not None and state.version == 1
    event = AuditEvent.objects.get(action="suggestion.catalogue_seeded")
    assert event.actor_label == "migrate"
    unmatched = event.after["unmatched"]
    assert set(unmatched) == set(MISSING)  # reported, not dropped
    assert "路灯照明" in unmatched["村镇建设办"]
    kept = RoutingTopic.objects.filter(office_name="村镇建设办")
    assert kept.exists() and not kept.filter(department__isnull=False).exists()
    # Nothing is routed to an office the town does not have.
    assert all(g.label != "村镇建设办" for g in route("路灯坏了").departments)


def test_seeding_matches_departments_by_name_short_name_and_the_town_prefix(town):
    unit_create(actor=SYSTEM, name="镇财政所", kind=UnitKind.DEPARTMENT, parent=town.government)
    unit_create(
        actor=SYSTEM, name="城乡建设管理办公室", short_name="城建办", kind=UnitKind.DEPARTMENT,
        parent=town.government,
    )  # fmt: skip
    report = catalogue_seed(actor=SYSTEM)
    assert "财政所" not in report.unmatched and "村镇建设办" not in report.unmatched
    assert RoutingTopic.objects.get(key="streetlight").department.name == "城乡建设管理办公室"
    assert route("路灯不亮").departments[0].label == "城乡建设管理办公室"
    # Residents call it by the town's own short name too.
    assert route("城建办管不管").departments[0].label == "城乡建设管理办公室"


def test_seeding_again_matches_a_department_created_since_and_keeps_the_offices_edits(town, office):
    catalogue_seed(actor=SYSTEM)
    lamps = RoutingTopic.objects.get(key="streetlight")
    assert lamps.department is None
    dibao = RoutingTopic.objects.get(key="dibao")
    unit_create(actor=SYSTEM, name="村镇建设办", kind=UnitKind.DEPARTMENT, parent=town.government)
    report = catalogue_seed(actor=office)
    assert report.created == 0 and "村镇建设办" not in report.unmatched
    assert RoutingTopic.objects.get(pk=lamps.pk).department.name == "村镇建设办"
    assert RoutingTopic.objects.get(pk=dibao.pk).department is None  # still no 社会事务办


def test_seeding_reads_department_names_as_the_ledger_does_with_the_towns_alias_table(town, office):
    from zhenwu.ledger.services import department_alias_save

    # The town calls its construction office by another name, and told the ledger so once.
    other = unit_create(
        actor=SYSTEM, name="规划建设服务中心", kind=UnitKind.DEPARTMENT, parent=town.government
    )
    department_alias_save(actor=office, alias="村镇建设办", unit=other)
    catalogue_seed(actor=SYSTEM)
    assert RoutingTopic.objects.get(key="streetlight").department == other


def test_the_audit_log_names_what_seeding_recorded_in_words(town):
    from zhenwu.core.audit_display import describe

    catalogue_seed(actor=SYSTEM)
    (changes,) = describe([AuditEvent.objects.get(action="suggestion.catalogue_seeded")]).values()
    assert {c.label for c in changes} == {
        "新增类别数",
        "已对应部门的类别数",
        "本次对应的部门",
        "按新版目录更新的类别",
        "未对应部门的类别",
        "随附目录版本",
    }
    placed = AuditEvent.objects.get(action="suggestion.catalogue_seeded").after["placed"]
    assert placed and set(placed.values()) <= set(Unit.objects.values_list("name", flat=True))


def test_the_catalogue_page_lists_topics_and_the_unmatched_in_constant_queries(town, office):
    client = client_for(office)
    client.get(reverse("suggestions:catalogue"))  # seeds
    with CaptureQueriesContext(connection) as few:
        body = client.get(reverse("suggestions:catalogue")).content.decode()
    assert "政务快捷服务中心" in body and "办证与手续" in body and "签字" in body
    assert "以下事项的承办部门在本镇没有对应的部门" in body and "村镇建设办：路灯照明" in body
    for name in MISSING[:3]:
        unit_create(actor=SYSTEM, name=name, kind=UnitKind.DEPARTMENT, parent=town.government)
    catalogue_seed(actor=office)
    client.get(reverse("suggestions:catalogue"))  # the process's snapshot of the catalogue is renewed
    with CaptureQueriesContext(connection) as more:
        body = client.get(reverse("suggestions:catalogue")).content.decode()
    assert "路灯照明" in body and "村镇建设办：路灯照明" not in body
    assert len(more.captured_queries) == len(few.captured_queries) <= 10


def test_the_office_edits_a_topics_words_and_routing_follows(full_town, office):
    assert route("坝子里堆满了烂瓦").departments == []  # nothing in the catalogue says 烂瓦
    topic = RoutingTopic.objects.get(key="garbage")
    client = client_for(office)
    page = client.get(reverse("suggestions:topic_edit", args=[topic.pk]))
    assert "关键词" in page.content.decode()
    response = client.post(
        reverse("suggestions:topic_edit", args=[topic.pk]),
        {"name": "垃圾与环境卫生", "department": topic.department_id, "category": "environment",
         "words": topic.words + "、烂瓦", "weak_words": topic.weak_words},
    )  # fmt: skip
    assert response.status_code == 302
    assert route("坝子里堆满了烂瓦").departments[0].label == "村镇建设办"
    event = AuditEvent.objects.filter(action="suggestion.topic_saved").latest("id")
    assert (
        event.actor_label == "office"
        and "烂瓦" in event.after["words"]
        and "烂瓦" not in event.before["words"]
    )


def test_a_catalogue_entry_naming_a_department_the_town_lacks_is_refused_by_name(town, office):
    with pytest.raises(ValidationError) as refused:
        routing_topic_save(actor=office, name="殡葬管理", office_name="民政所", words="火化、公墓")
    message = refused.value.message_dict["department"][0]
    assert "承办部门" in message and "民政所" in message and "殡葬管理" in message
    assert not RoutingTopic.objects.filter(name="殡葬管理").exists()
    # A name the town does have is accepted.
    made = routing_topic_save(actor=office, name="殡葬管理", office_name="党政办", words="火化、公墓")
    assert made.department == town.office_dept


def test_bad_words_and_an_outsider_are_refused(town, office, department_staff):
    with pytest.raises(ValidationError) as refused:
        routing_topic_save(actor=office, name="", department=town.office_dept, words="")
    assert set(refused.value.message_dict) == {"name", "words"}
    assert "关键词：至少填写一个词" in refused.value.message_dict["words"]
    with pytest.raises(ValidationError) as long_word:
        routing_topic_save(actor=office, name="x", department=town.office_dept, words="一" * 21)
    assert "每个词最多20个字" in long_word.value.message_dict["words"][0]
    with pytest.raises(PermissionError):
        routing_topic_save(actor=department_staff, name="x", department=town.office_dept, words="干部")
    assert client_for(department_staff).get(reverse("suggestions:topic_new")).status_code in (403, 404)


def test_a_deleted_shipped_topic_stays_deleted_when_seeding_again(full_town, office):
    town_catalogue()
    topic = RoutingTopic.objects.get(key="culture")
    routing_topic_delete(actor=office, topic=topic)
    assert AuditEvent.objects.filter(action="suggestion.topic_deleted").exists()
    catalogue_seed(actor=office)
    assert not RoutingTopic.objects.filter(key="culture").exists()


def _resave(office, topic: RoutingTopic, **changes) -> RoutingTopic:
    fields = {
        "name": topic.name, "department": topic.department, "category": topic.category,
        "words": topic.words, "weak_words": topic.weak_words, "outranks": list(topic.outranks.all()),
    }  # fmt: skip
    return routing_topic_save(actor=office, topic=topic, **{**fields, **changes})


def test_a_newer_shipped_file_reaches_the_topics_the_office_never_edited(full_town, office):
    town_catalogue()
    lamps, dibao = RoutingTopic.objects.get(key="streetlight"), RoutingTopic.objects.get(key="dibao")
    # As if seeded from an older file: fewer words on both, and no tie-break between them.
    RoutingTopic.objects.filter(pk__in=[lamps.pk, dibao.pk]).update(words="旧词")
    _resave(office, dibao, words="低保、最低生活保障、本镇自己的词")  # the office's own version
    catalogue_seed(actor=office)
    lamps, dibao = RoutingTopic.objects.get(pk=lamps.pk), RoutingTopic.objects.get(pk=dibao.pk)
    assert "路灯" in lamps.words and "旧词" not in lamps.words  # the shipped words came back
    assert dibao.words == "低保、最低生活保障、本镇自己的词"  # the office's edit stands
    event = AuditEvent.objects.filter(action="suggestion.catalogue_seeded").latest("seq")
    assert "streetlight" in event.after["refreshed"] and "dibao" not in event.after["refreshed"]


def test_a_tie_break_the_office_changes_is_used(full_town, office):
    town_catalogue()
    enterprise = RoutingTopic.objects.get(key="enterprise")
    wages = RoutingTopic.objects.get(key="wages")
    assert route("厂里拖欠工资三个月").departments[0].label == "劳动保障所"
    # This town takes a factory's unpaid wages up with the factory: 企业 now outranks 拖欠工资.
    _resave(office, wages, outranks=[t for t in wages.outranks.all() if t.pk != enterprise.pk])
    _resave(office, enterprise, outranks=[*enterprise.outranks.all(), wages])
    routing = route("厂里拖欠工资三个月")
    assert [g.label for g in routing.departments[:2]] == ["经济发展办", "劳动保障所"]


_numbers = itertools.count(1)


def make_decisions(town, texts: list[str], office_name: str) -> None:
    """The office's triage: each text accepted as a problem for `office_name`."""
    start = timezone.now() - timedelta(days=30)
    dept = department(office_name)
    for text in texts:
        n = next(_numbers)
        problem = Problem.objects.create(
            town_id=dept.town_id,
            number=f"L-{n}",
            source="suggestion",
            category="infrastructure",
            description=text,
            department=dept,
        )
        Suggestion.objects.create(
            receipt=f"L{n:07d}", text=text, status="accepted", problem=problem,
            created_at=start, decided_at=start + timedelta(hours=n),
        )  # fmt: skip


def test_the_towns_decisions_correct_a_topic_the_catalogue_gets_wrong(full_town, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    text = "三组的山坪塘垮了一角，蓄不住水"
    before = route(text)
    assert before.departments[0].label == "农业服务中心" and not before.by_model
    # This town's 山坪塘 belong to the construction office (its 水利 is there).
    ponds = [f"{v}的山坪塘{w}" for v in ("一组", "二组", "四组", "五组") for w in ("漏水", "要清淤", "垮了")]
    make_decisions(full_town, ponds, "村镇建设办")
    others = ["低保评得不公平", "路灯坏了没人修", "户口迁不过来", "补贴还没到账", "工资拖了三个月"]
    for name, t in zip(("社会事务办", "村镇建设办", "派出所", "财政所", "劳动保障所"), others, strict=True):
        make_decisions(full_town, [t] * 4, name)
    settings.ZHENWU_ROUTING_MIN_EXAMPLES = 10
    assert retrain_routing(timezone.now()) == 1
    after = route(text)
    assert after.by_model and after.departments[0].label == "村镇建设办"
    assert "本镇以往同类分派12次" in after.departments[0].reason
    # What the catalogue got right stays right.
    assert route("低保评定不公开").departments[0].label == "社会事务办"
    assert route("种子不发芽").departments[0].label == "农业服务中心"


def test_the_triage_page_and_the_api_explain_the_suggestion(full_town, office):
    from zhenwu.suggestions.services import suggestion_submit

    s = suggestion_submit(text="我们村低保评定不公平，关系户都评上了", village=full_town.village)
    body = client_for(office).get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert "社会事务办" in body and "因为提到：低保、评定" in body
    answer = client_for(office).get(f"/api/suggestions/{s.pk}/routing").json()
    assert answer["departments"][0]["label"] == "社会事务办"
    assert answer["departments"][0]["reason"].startswith("因为提到：低保、评定")


def test_the_report_prints_history_and_the_evaluation_sets_figures(full_town, tmp_path):
    rows = [
        (1, "路灯坏了半个月，晚上黑黢黢的", "村镇建设办", None, "dev"),
        (2, "低保评得不公平", "社会事务办", None, "dev"),
        (3, "厂里欠了三个月工资", "劳动保障所", "经济发展办", "dev"),
        (4, "贼娃子偷了我家的电瓶车", "派出所", None, "test"),
        (5, "今天天气好", "党政办", None, "test"),  # nothing to go by: a miss
        (6, "安置房漏水没人管", "失地农民服务中心", None, "test"),
        (7, "垃圾池满了好久没人拉", "村镇建设办", None, "blind"),  # a set written later, also held out
    ]
    path = tmp_path / "messages.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(
                {"id": i, "village": None, "text": t, "office": o, "second": s, "cluster": None, "split": p}
            )
            for i, t, o, s, p in rows
        ),
        encoding="utf-8",
    )
    out = StringIO()
    call_command("routing_report", "--messages", str(path), "--misses", stdout=out)
    text = out.getvalue()
    assert "分派历史 0 条" in text and "责任部门 top-1 准确率 —" in text
    assert "派单目录（新镇第一天，无历史）" in text and "本镇现行分派" in text
    assert "dev      3  100.0%（2/2）" in text
    assert "test     3  66.7%（2/3）" in text
    assert "目标（test）：无歧义 top-1 ≥ 80%、top-3 ≥ 95%：未达标" in text
    assert "blind    1  100.0%（1/1）" in text and "目标（blind）" in text
    assert "各部门 top-1（dev | blind | test）" in text
    assert "派出所" in text and "1/1" in text
    assert "#5" not in text and "#7" not in text  # a held-out message's miss is never listed


def test_the_report_names_catalogue_offices_the_town_lacks(town, tmp_path):
    path = tmp_path / "messages.jsonl"
    path.write_text(json.dumps({"id": 1, "text": "路灯坏了", "office": "村镇建设办", "split": "dev"}))
    out = StringIO()
    call_command("routing_report", "--messages", str(path), stdout=out)
    assert "派单目录的“村镇建设办”在本镇没有对应部门" in out.getvalue()


def test_the_triage_page_costs_the_same_queries_however_big_the_catalogue(full_town, office):
    from zhenwu.suggestions.services import suggestion_submit

    s = suggestion_submit(text="路灯坏了，晚上黑黢黢的", village=full_town.village)
    client = client_for(office)
    url = reverse("suggestions:detail", args=[s.pk])
    client.get(url)  # seeds the catalogue and loads the process's snapshot
    with CaptureQueriesContext(connection) as before:
        assert "因为提到：路灯、黑黢黢" in client.get(url).content.decode()
    for n in range(20):
        routing_topic_save(actor=office, name=f"事项{n}", department=full_town.office_dept, words=f"词语{n}")
    client.get(url)  # the catalogue changed: the snapshot is rebuilt once
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries) <= 20


def test_the_office_adds_a_name_residents_call_it_by(full_town, office):
    town_catalogue()
    names = RoutingTopic.objects.get(key="names:村镇建设办")
    client = client_for(office)
    page = client.get(reverse("suggestions:topic_edit", args=[names.pk])).content.decode()
    assert "群众对本部门的叫法" in page and "优先于" not in page
    assert all(g.label != "村镇建设办" for g in route("城建的人管不管这个事").departments)
    response = client.post(
        reverse("suggestions:topic_edit", args=[names.pk]),
        {"name": names.name, "department": names.department_id, "words": names.words + "、城建的"},
    )
    assert response.status_code == 302
    routing = route("城建的人管不管这个事")
    assert routing.departments[0].label == "村镇建设办"
    assert routing.departments[0].reason == "来信点名“村镇建设办”"
