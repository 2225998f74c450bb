"""The campaign "我为××镇发展献言献策": residents' suggestions, the office's triage, and the
residents' answers about closed problems, from which 解决突出问题群众满意率 99.2% is computed.

Each ledger problem that came from the campaign gets the suggestions behind it, worded the
way residents write (several people often report the same broken lamp). The newest ones
are still in the inbox, with clusters of near-duplicates for the office to merge. Answers
are drawn one resident at a time; the rate is whatever those answers give, and a test
checks it is the reported 99.2%.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from zhenwu.core.actors import DEMO
from zhenwu.core.audit import audit_record
from zhenwu.demo.base import TOWN, DemoTown
from zhenwu.demo.base import at_hour as _at
from zhenwu.demo.constants import DemoAudit
from zhenwu.demo.ledger import TEMPLATES
from zhenwu.demo.names import mobile, person_name
from zhenwu.ledger.constants import Action, Source, Status
from zhenwu.ledger.models import FollowUp, Problem, ProblemTransition, ReopenRequest
from zhenwu.lib.codes import UniqueCodes
from zhenwu.org.models import Unit, User
from zhenwu.suggestions.models import Campaign, Suggestion, SuggestionFollowUp
from zhenwu.suggestions.services import CHANNEL

ANSWERS = 250  # residents who answered; 2 of them 不满意 gives 248 / 250 = 99.2 %
UNSATISFIED = 2

# How residents put each ledger topic (same order as demo.ledger.TEMPLATES). {v} village, {g} group.
VOICES: list[list[str]] = [
    [
        "{v}{g}的路烂得不成样子，一下雨全是泥",
        "希望把{v}{g}那段土路硬化一下",
        "{v}通组路坑坑洼洼，娃娃上学摔跤",
        "{g}到公路那段路太烂了，车都开不进来",
    ],
    [
        "{v}{g}的路灯坏了好久，晚上出门黑漆漆的",
        "{v}路灯不亮，老人晚上出门不安全",
        "能不能把{v}坏掉的路灯修一下",
        "{g}路口的路灯坏了，晚上太黑",
    ],
    ["{v}的山坪塘漏水，春耕没水用", "{g}山坪塘该清淤了，蓄不住水", "希望整治{v}的山坪塘，灌溉用水紧张"],
    ["{v}自来水三天两头停水", "{g}的水管老是爆，经常没水吃", "{v}饮水管子太旧了，希望换新的"],
    ["{v}低保评的不公开，希望张榜公示", "低保评定不透明，群众有意见", "{v}谁吃低保大家都不清楚，建议公示"],
    ["新农合报销太麻烦了，要跑好几个地方", "{v}看病报销手续复杂，老年人搞不懂", "希望新农合报销能在村里代办"],
    [
        "失地农民养老保险怎么交，标准是多少",
        "养老保险缴费标准没人讲清楚",
        "希望有人给我们讲讲失地农民养老保险政策",
    ],
    [
        "{v}村小教室墙上有裂缝，担心安全",
        "学校校舍太旧了，下雨漏水",
        "{v}小学房子是危房，娃娃在里面上课不放心",
    ],
    ["{v}没有文化活动的地方，晚上没处去", "希望{v}建个文化活动室", "{v}老年人想跳坝坝舞都没场地"],
    [
        "{v}{g}垃圾乱堆，好久没人来拉",
        "垃圾堆在路边没人清运，臭得很",
        "{v}垃圾池满了没人收",
        "希望{v}多设几个垃圾收集点",
    ],
    [
        "{v}养猪场的污水直接排到河沟里，臭得很",
        "{g}养殖场污水乱排，河水都黑了",
        "养殖污水污染{v}的小河，请管一管",
    ],
    ["{v}的柑橘卖不出去，价格太低", "希望帮我们{v}找销路，农产品卖不掉", "建议引进电商帮{v}卖农产品"],
    [
        "天蓝公司招工，本地人不知道消息",
        "天蓝公司扩建要用人，希望优先招本地劳动力",
        "企业招工信息不公开，想去上班找不到门路",
    ],
    ["{v}集体没有收入，办事都没钱", "建议盘活{v}的集体资产，增加集体收入", "{v}集体经济太弱了"],
    ["{v}征地补偿款到现在还没发完", "征地的钱迟迟不到位，群众有意见", "{v}补偿款发放太慢了"],
    ["西拓安置小区没有公交站，出门不方便", "安置小区附近连个超市都没有", "西拓安置小区配套太差，希望完善"],
    ["{v}宅基地审批要等大半年", "申请宅基地手续太多，周期太长", "希望宅基地审批快一点"],
    ["村干部上班时间经常找不到人", "去村里办事，干部不在，跑了好几趟", "个别村干部作风懒散，群众办事难"],
    ["镇上有的站所工作人员态度很差", "去办事被窗口人员呵斥，态度生硬", "希望镇机关改进服务态度"],
    ["办个证要往县城跑好几趟", "证件办理能不能在镇上办完", "办证太麻烦了，跑了三趟县城"],
    ["找领导签字太难了，等了一上午", "办事要领导签字，领导经常不在", "签字盖章等的时间太长"],
    [
        "{v}最近老是丢东西，晚上要有人巡逻",
        "{g}偷鸡摸狗的事多了，希望装监控",
        "{v}治安不好，希望派出所多来巡逻",
    ],
]
GROUPS = ["一组", "二组", "三组", "四组", "五组", "六组", "七组"]
TAILS = ["", "", "", "，希望尽快解决", "，请镇上重视", "，谢谢！", "，群众意见很大"]
QUESTIONS = [
    ("请问今年新农合每个人交多少钱？", "2009年新农合个人缴费标准为每人每年20元，可在村便民服务点缴纳。"),
    ("失地农民养老保险在哪里办理？", "请携带身份证、户口簿到镇政务快捷服务中心劳动保障窗口办理。"),
    ("孩子转学需要什么手续？", "请到镇中心小学教导处咨询，需提供户口簿和原学校学籍证明。"),
    ("危房改造补助怎么申请？", "由本人向村委会提出申请，经村民代表评议公示后报镇村镇建设办审核。"),
    ("镇政务服务中心周末上班吗？", "政务快捷服务中心周六上午有人值班，可办理常见事项。"),
]
DECLINED = [
    ("希望镇里给我家也发点补贴", "属个人诉求，请按政策规定向村委会提出申请。"),
    ("建议把县城的火车站搬到我们镇", "不属于本镇职责范围，已向县发改部门反映。"),
    ("加微信领红包", "与镇村工作无关。"),
]


def _topic(problem: Problem, short_names: dict[int, str]) -> int | None:
    village = short_names.get(problem.village_id or 0, "")
    for index, (_category, _dept, what, _goal, _measures) in enumerate(TEMPLATES):
        if what.format(v=village) == problem.description:
            return index
    return None


def _voice(topic: int, village: str, rng: random.Random, group: str | None = None) -> str:
    text = rng.choice(VOICES[topic]).format(v=village, g=group or rng.choice(GROUPS))
    return text + rng.choice(TAILS)


def seed_suggestions(town: DemoTown, *, today: date, rng: random.Random) -> dict[str, int]:
    office = User.objects.get(username="dangzhengban")
    start = today - timedelta(days=120)
    campaign = Campaign.objects.create(
        title=f"我为{TOWN}发展献言献策", starts_on=start, ends_on=today + timedelta(days=30)
    )
    short_names = {unit.pk: name for name, unit in town.villages.items()}
    village_units = list(town.villages.items())
    receipts = UniqueCodes()
    rows: list[Suggestion] = []

    def resident(s: Suggestion) -> None:
        if rng.random() < 0.6:
            s.name = person_name(rng)
        if rng.random() < 0.7:
            s.phone = mobile(rng)

    problems = (
        Problem.objects.filter(source=Source.SUGGESTION).exclude(status=Status.PENDING).order_by("number")
    )
    for problem in problems:
        topic = _topic(problem, short_names)
        if topic is None or problem.assigned_on is None:
            continue
        village = short_names.get(problem.village_id or 0, "")
        closed = problem.status == Status.CLOSED
        many = rng.randint(6, 12) if closed else rng.randint(1, 5)
        for k in range(many):
            created = _at(problem.assigned_on - timedelta(days=rng.randint(1, 10)), rng.randint(7, 21))
            s = Suggestion(
                receipt=receipts.draw(), campaign=campaign, text=_voice(topic, village, rng),
                category=rng.choice(["", "", TEMPLATES[topic][0]]), village_id=problem.village_id,
                status="accepted" if k == 0 else "merged", problem=problem, decided_by=office,
                decided_at=_at(problem.assigned_on, 9), created_at=created,
            )  # fmt: skip
            resident(s)
            rows.append(s)
    # Questions answered directly, and requests declined with a reason.
    for pool, status, share in ((QUESTIONS, "answered", 8), (DECLINED, "declined", 4)):
        for text, reply in pool * share:
            village_name, unit = rng.choice(village_units)
            day = start + timedelta(days=rng.randint(0, 110))
            s = Suggestion(
                receipt=receipts.draw(), campaign=campaign, text=text, village=unit, status=status,
                reply=reply, decided_by=office, decided_at=_at(day + timedelta(days=1), 10), created_at=_at(day, 20),
            )  # fmt: skip
            resident(s)
            rows.append(s)
    inbox = _inbox(campaign, village_units, today, receipts, rng)
    for s in inbox:
        resident(s)
    rows += inbox
    with transaction.atomic():
        Suggestion.objects.bulk_create(rows)
        answers = _answers(office, today, rng)
        counts = {"suggestions": len(rows), "answers": answers}
        audit_record(
            actor=DEMO, action=DemoAudit.DEMO_SEEDED, object_type="suggestions.suggestion",
            object_label="演示献言献策：群众意见建议、分办和评价", after=counts,
        )  # fmt: skip
    return counts


def _inbox(
    campaign: Campaign,
    villages: list[tuple[str, Unit]],
    today: date,
    receipts: UniqueCodes,
    rng: random.Random,
) -> list[Suggestion]:
    """New suggestions of the last days: clusters (the same lamp, the same rubbish) and singles."""
    now = timezone.now()

    def recently(days: int) -> datetime:
        moment = _at(today - timedelta(days=rng.randint(0, days)), rng.randint(7, 21))
        return min(moment, now - timedelta(minutes=rng.randint(10, 600)))  # never in the future

    out = []
    for topic, size in ((1, 5), (9, 4), (0, 3), (3, 3)):
        # One cluster is one thing: the same village and, where a resident names it, the same
        # 组 (三组's lamps and 六组's are two problems, and duplicate detection says so).
        village_name, unit = rng.choice(villages)
        group = rng.choice(GROUPS)
        for _n in range(size):
            out.append(
                Suggestion(
                    receipt=receipts.draw(),
                    campaign=campaign,
                    village=unit,
                    text=_voice(topic, village_name, rng, group),
                    created_at=recently(4),
                )  # fmt: skip
            )
    for _n in range(12):
        topic = rng.randrange(len(VOICES))
        village_name, unit = rng.choice(villages)
        out.append(
            Suggestion(
                receipt=receipts.draw(),
                campaign=campaign,
                village=unit,
                text=_voice(topic, village_name, rng),
                created_at=recently(6),
            )  # fmt: skip
        )
    return out


def _answers(office: User, today: date, rng: random.Random) -> int:
    """Residents answer about closed problems, one by one; 2 of the 250 are 不满意."""
    asked = list(
        Suggestion.objects.filter(problem__status=Status.CLOSED, status__in=["accepted", "merged"])
        .select_related("problem")
        .order_by("id")
    )
    rng.shuffle(asked)
    answering = asked[:ANSWERS]
    unhappy = set(rng.sample(range(len(answering)), UNSATISFIED))
    # Which closure each answer is about (the demo's problems are closed once, but say so).
    closures = dict(
        ProblemTransition.objects.filter(action=Action.ACCEPT, problem__in={s.problem_id for s in answering})
        .values_list("problem")
        .annotate(n=Count("id"))
        .values_list("problem", "n")
    )
    made = []
    for i, s in enumerate(answering):
        problem = s.problem
        assert problem is not None and problem.closed_on is not None
        verdict = "unsatisfied" if i in unhappy else ("basically" if rng.random() < 0.12 else "satisfied")
        day = min(problem.closed_on + timedelta(days=rng.randint(1, 12)), today)
        made.append(
            FollowUp(
                problem=problem,
                closure=max(closures.get(problem.pk, 1), 1),
                closed_on=problem.closed_on,
                channel=CHANNEL,
                respondent_key=str(s.pk),
                satisfaction=verdict,
                at=_at(day, 19),
                comment="路灯只修了一半，另一段还是黑的" if verdict == "unsatisfied" else "",
            )  # fmt: skip
        )
    FollowUp.objects.bulk_create(made)
    # bulk_create sets ids on SQLite and PostgreSQL, so the links can follow in one more insert.
    SuggestionFollowUp.objects.bulk_create(
        SuggestionFollowUp(suggestion=s, follow_up=f) for s, f in zip(answering, made, strict=True)
    )
    unhappy_answers = list(FollowUp.objects.filter(satisfaction="unsatisfied").order_by("id"))
    for n, answer in enumerate(unhappy_answers):
        kept = n == 0  # one already explained to the resident; one waiting for the office
        ReopenRequest.objects.create(
            follow_up=answer, problem=answer.problem, status="kept" if kept else "pending",
            note="经复查，剩余路段属县公路局管养，已函告县公路局" if kept else "",
            decided_by=office if kept else None, decided_at=_at(today, 10) if kept else None,
        )  # fmt: skip
    return len(made)
