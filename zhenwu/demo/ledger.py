"""The town's 182 problems (整改台账) with half-monthly report history, for the demo.

The campaign is placed so that it is running now: problems were collected over the last
four months, so every warning colour appears on a fresh install. History (assignments,
reports, closures) is written with its real dates, the way an import of an existing paper
ledger would be, through the same services and the same state table as any other step
(each with its explicit past `at`); only the half-monthly reports are written in bulk.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhenwu.core.actors import DEMO
from zhenwu.core.audit import audit_record
from zhenwu.demo.base import DemoTown
from zhenwu.demo.base import at_hour as _at
from zhenwu.demo.constants import DemoAudit
from zhenwu.demo.files import acceptance_form, site_photo
from zhenwu.ledger.constants import Action, DeadlineBasis, Source, Status
from zhenwu.ledger.models import Problem, ProgressReport
from zhenwu.ledger.services import (
    extension_request,
    problem_assign,
    problem_create,
    problem_record_step,
    refresh_report_state,
)
from zhenwu.lib.cadence import Cadence, period_containing, periods_between
from zhenwu.org.models import Person, User

PROBLEMS = 182

# (category, department, what, goal, measures): {v} is a village or community name.
TEMPLATES: list[tuple[str, str, str, str, str]] = [
    (
        "infrastructure",
        "村镇建设办",
        "{v}通组道路破损严重，雨天泥泞难行",
        "完成通组道路硬化",
        "争取一事一议资金，分段硬化",
    ),
    (
        "infrastructure",
        "村镇建设办",
        "{v}路灯年久失修，夜间出行不安全",
        "修复并新增路灯",
        "排查损坏路灯，纳入亮化工程",
    ),
    (
        "infrastructure",
        "农业服务中心",
        "{v}山坪塘渗漏，春灌用水紧张",
        "完成山坪塘整治",
        "申报小型水利项目，清淤防渗",
    ),
    (
        "infrastructure",
        "村镇建设办",
        "{v}饮用水管网老化，经常停水",
        "保障安全饮水",
        "更换主管网，建设备用水源",
    ),
    (
        "livelihood",
        "社会事务办",
        "{v}部分困难群众低保评定不公开",
        "低保评定全程公示",
        "落实民主评议和三榜公示",
    ),
    ("livelihood", "劳动保障所", "{v}群众反映新农合报销手续繁琐", "简化报销流程", "在便民服务点代办报销"),
    ("livelihood", "劳动保障所", "失地农民养老保险缴费标准不清楚", "政策宣传到户", "印发明白卡，逐户宣讲"),
    ("social", "社会事务办", "{v}村小学校舍存在安全隐患", "消除校舍隐患", "鉴定危房，实施加固改造"),
    ("social", "社会事务办", "{v}缺少文化活动场所", "建成文化活动室", "整合闲置村办公用房"),
    (
        "environment",
        "村镇建设办",
        "{v}生活垃圾乱堆乱放，清运不及时",
        "建立垃圾清运机制",
        "设置收集点，签订清运协议",
    ),
    ("environment", "农业服务中心", "{v}养殖场污水直排河沟", "养殖污水达标处理", "督促建设沼气池和氧化塘"),
    ("economy", "经济发展办", "{v}农产品销售渠道单一，价格偏低", "拓宽销售渠道", "引进合作社和电商平台"),
    (
        "economy",
        "经济发展办",
        "天蓝公司扩建用工需求与本地劳动力对接不畅",
        "建立用工对接机制",
        "召开专场招聘会",
    ),
    ("economy", "财政所", "{v}集体经济收入薄弱", "集体经济年收入增加", "盘活集体资产，发展特色种植"),
    ("land", "国土所", "{v}征地补偿款发放进度慢", "补偿款足额发放到户", "核对补偿清册，限期发放"),
    ("land", "失地农民服务中心", "西拓安置小区配套设施不完善", "完善安置小区配套", "增设公交站点和便民超市"),
    ("land", "国土所", "{v}宅基地审批周期长", "缩短审批时限", "实行一站式受理，限时办结"),
    (
        "conduct",
        "党政办",
        "个别村干部工作作风懒散，群众办事难找人",
        "干部坐班值守制度落实",
        "推行歇职制度，建立考勤公示",
    ),
    ("conduct", "党政办", "镇机关个别站所服务态度生硬", "提升窗口服务质量", "开展作风整顿，实行首问负责"),
    (
        "service",
        "政务快捷服务中心",
        "证件办理需往返县城多次",
        "证件办理集中到服务中心",
        "审批权力集中下移，专人代办",
    ),
    (
        "service",
        "政务快捷服务中心",
        "领导签字难，办事群众等待时间长",
        "签字事项集中办理",
        "授权中心专职人员签批",
    ),
    (
        "livelihood",
        "派出所",
        "{v}治安巡逻不到位，偷盗时有发生",
        "治安状况明显好转",
        "组建义务巡逻队，增设监控",
    ),
]
SOURCE_WEIGHTS = [
    (Source.SUGGESTION, 0.48),
    (Source.LEADERSHIP_REVIEW, 0.14),
    (Source.SATISFACTION_SURVEY, 0.11),
    (Source.INSPECTION, 0.11),
    (Source.SUPERIOR, 0.07),
    (Source.SELF_CHECK, 0.09),
]
DONE_PHRASES = [
    "完成现场勘查",
    "制定实施方案",
    "落实资金",
    "组织施工",
    "召开群众会",
    "公示方案",
    "完成主体工程",
    "入户走访",
]
DIFFICULTIES = ["", "", "资金缺口较大", "雨季影响施工", "群众意见不统一", "需县级部门审批"]


def _past(day: date, hour: int) -> datetime:
    """A step's moment, no later than now (a step planned for this afternoon happened just now)."""
    return min(_at(day, hour), timezone.now())


def seed_ledger(town: DemoTown, *, today: date, rng: random.Random) -> dict[str, int]:
    """Create the problems with their history; returns counts for the seed's audit event."""
    office = User.objects.get(username="dangzhengban")
    villages = list(town.villages.items())
    leaders = [p for p in town.leaders]
    staff = town.staff
    start = today - timedelta(days=120)
    counts = {"problems": 0, "reports": 0, "closed": 0}
    with transaction.atomic():
        for seq in range(1, PROBLEMS + 1):
            category, dept_name, what, goal, measures = rng.choice(TEMPLATES)
            village_name, village = rng.choice(villages)
            source = rng.choices([s for s, _ in SOURCE_WEIGHTS], weights=[w for _, w in SOURCE_WEIGHTS])[0]
            collected = start + timedelta(days=int(rng.random() ** 1.6 * 100))
            # Dated when it was collected, not when the demo was seeded: monthly bulletins count by it.
            problem = problem_create(
                actor=DEMO,
                number=f"{start.year}-{seq:04d}",
                source=source,
                category=category,
                description=what.format(v=village_name),
                goal=goal,
                measures=measures,
                village=village if "{v}" in what else None,
                at=_past(collected, 9),
            )
            counts["problems"] += 1
            if seq > PROBLEMS - 6:  # the newest few wait for the office to assign them
                continue
            problem = _assign(problem, town, dept_name, leaders, staff, collected, today, rng)
            counts["reports"] += _history(problem, office, today, rng, counts)
        counts["extensions"] = _extension_requests(today)
        audit_record(
            actor=DEMO,
            action=DemoAudit.DEMO_SEEDED,
            object_type="ledger.problem",
            object_label="演示台账：182条问题及半月报告",
            after=counts,
        )
    return counts


def _extension_requests(today: date) -> int:
    """Two of the 镇长's problems wait for the office to decide an extension (延期), asked for by
    the leader's own account through the service, as the demo's leader would."""
    account = User.objects.get(username="zhenzhang")
    asking = Problem.objects.filter(
        status=Status.IN_PROGRESS, leader_id=account.person_id, deadline__gt=today
    ).order_by("number")[:2]
    for problem in asking:
        assert problem.deadline is not None
        extension_request(
            actor=account,
            problem=problem,
            new_deadline=problem.deadline + timedelta(days=30),
            reason="涉及县级部门审批，审批周期较长，申请延期一个月",
        )
    return len(asking)


def _assign(
    problem: Problem,
    town: DemoTown,
    dept_name: str,
    leaders: list[Person],
    staff: dict[str, list[Person]],
    collected: date,
    today: date,
    rng: random.Random,
) -> Problem:
    assigned = collected + timedelta(days=rng.randint(1, 6))
    long_term = rng.random() < 0.08
    deadline = None if long_term else assigned + timedelta(days=rng.choice([45, 60, 90, 90, 120, 150]))
    if deadline is not None and rng.random() < 0.08:
        deadline = today + timedelta(days=rng.randint(2, 7))  # a few fall due this week (蓝)
    leader = rng.choice(leaders)
    people = staff.get(dept_name) or [p for group in staff.values() for p in group]
    assignees = rng.sample(people, k=min(len(people), rng.choice([1, 1, 2])))
    return problem_assign(
        actor=DEMO,
        problem=problem,
        leader=leader,
        department=town.departments[dept_name],
        assignees=assignees,
        deadline_basis=DeadlineBasis.LONG_TERM if long_term else DeadlineBasis.DATE,
        deadline=deadline,
        cadence=Cadence.HALF_MONTHLY,
        assigned_on=assigned,
        at=_past(assigned, 9),
    )


def _history(problem: Problem, office: Any, today: date, rng: random.Random, counts: dict[str, int]) -> int:
    """Half-monthly reports from assignment until now; most problems end closed."""
    assert problem.assigned_on is not None
    diligence = rng.random()  # some owners report every time, some slip
    will_close = rng.random() < 0.8 and problem.status != Status.LONG_TERM
    periods = list(periods_between(problem.assigned_on, today, Cadence.HALF_MONTHLY))
    current = period_containing(today, Cadence.HALF_MONTHLY)
    progress, made = 0, 0
    reports = []
    for period in periods:
        if period == current and rng.random() < 0.5:
            break
        skip = rng.random() > (0.95 if diligence > 0.25 else 0.55)
        progress = min(100, progress + rng.randint(12, 34))
        if skip or period.start > today:
            continue
        submitted = min(_at(period.due, 17) - timedelta(days=rng.randint(0, 3)), _at(today, 9))
        late = rng.random() < 0.08
        if late:
            submitted = min(_at(period.due + timedelta(days=rng.randint(1, 5))), _at(today, 9))
        reports.append(
            ProgressReport(
                problem=problem,
                period_key=period.key,
                progress=progress,
                done="；".join(rng.sample(DONE_PHRASES, 2)),
                difficulties=rng.choice(DIFFICULTIES),
                next_steps="按计划推进" if progress < 100 else "准备申请销号",
                author=office,
                submitted_at=submitted,
                is_late=submitted.date() > period.due,
            )
        )
        made += 1
        if progress >= 100:
            break
    ProgressReport.objects.bulk_create(reports)
    refresh_report_state(problem)
    if will_close and progress >= 70 and reports:
        applied = min(reports[-1].submitted_at.date() + timedelta(days=rng.randint(1, 6)), today)  # type: ignore[union-attr]
        _close(problem, applied, today, rng, counts)
    return made


def _close(problem: Problem, applied: date, today: date, rng: random.Random, counts: dict[str, int]) -> None:
    steps = [(Action.APPLY_CLOSE, problem.status, Status.CLOSURE_REQUESTED, applied)]
    outcome = rng.random()
    if outcome < 0.07:  # returned once, then accepted
        steps.append((Action.RETURN, Status.CLOSURE_REQUESTED, Status.RETURNED, applied + timedelta(days=2)))
        if applied + timedelta(days=9) <= today:
            steps.append(
                (Action.APPLY_CLOSE, Status.RETURNED, Status.CLOSURE_REQUESTED, applied + timedelta(days=8))
            )
            steps.append(
                (Action.ACCEPT, Status.CLOSURE_REQUESTED, Status.CLOSED, applied + timedelta(days=9))
            )
    elif outcome < 0.9 and applied + timedelta(days=3) <= today:
        steps.append(
            (
                Action.ACCEPT,
                Status.CLOSURE_REQUESTED,
                Status.CLOSED,
                applied + timedelta(days=rng.randint(1, 3)),
            )
        )
    for action, _before, after, day in steps:
        reason = "佐证照片不清晰，请补充" if action == Action.RETURN else ""
        completion = "已按整改措施完成，群众认可" if action == Action.APPLY_CLOSE else ""
        problem = problem_record_step(
            actor=DEMO,
            problem=problem,
            action=action,
            at=_past(day, 15),
            reason=reason,
            completion=completion,
            files=_evidence(problem, day, completion) if action == Action.APPLY_CLOSE else (),
        )
        assert problem.status == after
        if after == Status.CLOSED:
            counts["closed"] += 1


def _evidence(problem: Problem, day: date, completion: str) -> list[Any]:
    """What a 责任人 would attach to an application for closure: one or two site photos, and
    often the signed 验收单 (scanned). Its own random source, seeded by the problem and day:
    drawing from the seed's would change everything seeded after it."""
    rng = random.Random(f"evidence:{problem.number}:{day}")
    stamp = day.isoformat()
    files: list[Any] = [
        site_photo(number=problem.number, day=stamp, what="整改后", index=i, rng=rng)
        for i in range(1, rng.choice([1, 2, 2]) + 1)
    ]
    if rng.random() < 0.6:
        files.append(
            acceptance_form(
                number=problem.number,
                day=stamp,
                description=problem.description,
                completion=completion,
                department=problem.department.name if problem.department else "",
            )
        )
    return files
