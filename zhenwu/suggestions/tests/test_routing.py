"""Routing learned from triage history, duplicates by n-gram similarity, and their reports."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from zhenwu.core.models import AuditEvent
from zhenwu.ledger.models import Problem
from zhenwu.suggestions import services
from zhenwu.suggestions.models import RoutingModel, Suggestion
from zhenwu.suggestions.routing import history, route
from zhenwu.suggestions.routing_eval import evaluate
from zhenwu.suggestions.services import suggestion_submit
from zhenwu.suggestions.similarity import clusters, similar_items
from zhenwu.suggestions.tasks import retrain_routing

pytestmark = pytest.mark.django_db

TOPICS = {
    "economy_dept": [
        "农产品卖不出去价格低",
        "希望引进电商帮忙销售柑橘",
        "合作社收购价格太低",
        "企业招工信息不公开",
    ],
    "service_center": [
        "办证要跑县城好几趟",
        "窗口办事签字难等很久",
        "身份证补办手续太麻烦",
        "营业执照审批时间长",
    ],
    "resettlement_center": [
        "安置小区没有公交站",
        "失地农民安置房漏水",
        "安置小区缺少超市",
        "西拓安置小区路灯不亮",
    ],
}
_counter = itertools.count(1)


def make_history(town, per_topic: int = 12) -> None:
    """Decided suggestions, as the office routed them: one problem per suggestion."""
    start = timezone.now() - timedelta(days=100)
    for n in range(per_topic):
        for attr, texts in TOPICS.items():
            department = getattr(town, attr)
            seq = next(_counter)
            text = f"{texts[n % len(texts)]}，{['请尽快解决', '群众意见大', '希望关注', ''][n % 4]}"
            problem = Problem.objects.create(
                town_id=department.town_id,
                number=f"T-{seq}",
                source="suggestion",
                category="other",
                description=text,
                department=department,
            )
            Suggestion.objects.create(
                receipt=f"H{seq:07d}"[:8], text=text, status="accepted", problem=problem,
                created_at=start, decided_at=start + timedelta(hours=seq),
            )  # fmt: skip


def test_cold_start_uses_the_dispatch_catalogue(town):
    routing = route("办证要跑好几趟，窗口签字难")
    assert not routing.by_model
    assert routing.departments[0].label == "政务快捷服务中心"
    assert routing.categories[0].value == "service"


def test_a_model_trained_on_history_routes_new_text(town, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    make_history(town)
    assert retrain_routing(timezone.now()) == 1
    model = RoutingModel.objects.get()
    assert AuditEvent.objects.filter(action="suggestion.routing_trained", object_id=str(model.pk)).exists()
    assert model.examples == 36 and model.held_out == 8 and model.top1 is not None
    routing = route("安置小区门口没有公交车站，出行不便")
    assert routing.by_model and routing.departments[0].label == "失地农民服务中心"
    assert 0 < routing.departments[0].confidence <= 1 and len(routing.departments) == 3
    # Nothing new since: no retraining.
    assert retrain_routing(timezone.now()) == 0


def test_a_model_restored_under_another_var_dir_is_still_used(town, settings, tmp_path):
    # A backup restored on a new server: the row names the old path, var/routing has the file.
    settings.VAR_DIR = tmp_path / "old"
    make_history(town)
    assert retrain_routing(timezone.now()) == 1
    (tmp_path / "old").rename(tmp_path / "new")
    settings.VAR_DIR = tmp_path / "new"
    assert not Path(RoutingModel.objects.get().path).exists()
    routing = route("安置小区门口没有公交车站，出行不便")
    assert routing.by_model and routing.departments[0].label == "失地农民服务中心"


@override_settings(ZHENWU_ROUTING_MIN_EXAMPLES=1000)
def test_too_little_history_trains_nothing(town):
    make_history(town, per_topic=2)
    assert retrain_routing(timezone.now()) == 0
    assert not RoutingModel.objects.exists()


def test_the_report_scores_on_the_newest_fifth_it_never_saw(town):
    make_history(town)
    examples = history()
    report = evaluate(examples)
    assert (report.trained, report.held_out) == (28, 8)
    assert report.department_top1 is not None and report.department_top1 >= 0.75
    assert report.department_top3 == 1.0
    out = StringIO()
    call_command("routing_report", stdout=out)
    text = out.getvalue()
    assert "训练 28 条，留出检验 8 条" in text and "责任部门 top-1 准确率" in text and "只用派单目录" in text


def test_similar_open_items_in_the_same_village_are_found(town, problem, office):
    other_village = type(town.village).objects.create(
        name="石桥村村民委员会", kind=town.village.kind, parent=town.government, path="x"
    )
    first = suggestion_submit(text="红岩村三组的路灯坏了，晚上看不见", village=town.village)
    suggestion_submit(text="石桥村三组的路灯坏了，晚上看不见路", village=other_village)
    found = similar_items("三组路灯坏了好久，晚上看不见", village_id=town.village.pk)
    assert [f.pk for f in found if f.kind == "suggestion"] == [first.pk]
    roads = similar_items("三组道路破损，下雨天没法通行", village_id=town.village.pk)
    assert roads and roads[0].kind == "problem" and roads[0].pk == problem.pk


def test_clusters_group_near_duplicates_per_village(town):
    lamps = [
        suggestion_submit(text=t, village=town.village)
        for t in ("村口路灯坏了好几盏", "村口的路灯坏了好几盏，晚上太黑", "路灯坏了好几盏，村口太黑")
    ]
    suggestion_submit(text="低保评定不公开，希望公示", village=town.village)
    found = clusters()
    assert len(found) == 1 and {s.pk for s in found[0].members} == {s.pk for s in lamps}


def test_history_is_in_decision_order(town):
    make_history(town, per_topic=1)
    assert [e.text[:4] for e in history()] == ["农产品卖", "办证要跑", "安置小区"]
    assert all(isinstance(e.department, str) for e in history())
    assert datetime  # imported for readers of the helper above


def test_the_grouping_is_reused_until_the_inbox_changes(town, office):
    for text in ("红岩村三组路灯坏了", "红岩村三组的路灯坏了好久", "红岩村三组路灯不亮了"):
        suggestion_submit(text=text, village=town.village)
    first = clusters()
    assert [len(c.members) for c in first] == [3]
    assert clusters() is first  # nothing changed: the same grouping, not made again
    extra = suggestion_submit(text="红岩村三组路灯又坏了", village=town.village)
    assert [len(c.members) for c in clusters()] == [4]
    services.suggestion_reply(actor=office, suggestion=extra, action="decline", reply="重复")
    assert [len(c.members) for c in clusters()] == [3]


def test_the_fast_form_of_the_model_gives_scikit_learns_probabilities(town):
    import numpy as np

    from zhenwu.suggestions.routing import Linear, fit

    make_history(town)
    examples = history()
    models = fit(examples)
    pipeline = models["department"]  # three departments (the categories are all one: a str)
    fast = Linear.of(pipeline)
    assert fast.classes == tuple(pipeline.classes_)
    for text in ("安置小区门口没有公交车站", "办证难", "zzz", "", examples[0].text):
        assert np.allclose(fast.probabilities(text), pipeline.predict_proba([text])[0], atol=1e-9)
    binary = fit([e for e in examples if e.department != examples[0].department])
    fast = Linear.of(binary["department"])
    assert np.allclose(fast.probabilities("办证难"), binary["department"].predict_proba(["办证难"])[0])
