"""Repeated complaints: a message's place, thing and matter; near misses kept apart; one rule
for the inbox row, the cluster view and the API; the evaluation metric; queries."""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.core.actors import DEMO as SYSTEM
from zhenwu.core.models import AuditEvent
from zhenwu.org.constants import UnitKind
from zhenwu.org.models import Unit
from zhenwu.org.services import unit_create
from zhenwu.suggestions import facets as F
from zhenwu.suggestions import pair_score as S
from zhenwu.suggestions import similarity
from zhenwu.suggestions.catalogue import shipped_catalogue
from zhenwu.suggestions.models import SimilarityFacets, Suggestion
from zhenwu.suggestions.services import suggestion_submit
from zhenwu.suggestions.similarity import clusters, duplicate_counts, similar_to
from zhenwu.suggestions.similarity_eval import pair_figures

VILLAGES = ("红岩村", "青龙村", "金山村", "龙泉村", "新华村", "凤凰村", "石桥村", "白鹤村")
PLACES = F.places_from(
    [(None, f"{v}村民委员会".replace("村村", "村"), "") for v in VILLAGES]
    + [(None, "滨江社区居民委员会", "")]
)


@pytest.fixture(scope="module")
def catalogue():
    return shipped_catalogue()


def facets(catalogue, text: str, village: str | None = None) -> F.Facets:
    return F.facets_of(text, village=village, places=PLACES, catalogue=catalogue)


# Other residents' messages of the same inbox: a pair is judged among others, as in the
# office's inbox (how rare a word is, and who is whose closest in wording, depend on them).
OTHERS = (
    ("镇上的公交车一个小时才一班，能不能加几班", None),
    ("我们村的小孩上学要走一个多小时的山路", "白鹤村"),
    ("希望镇上多搞几场农业技术培训", None),
    ("村里的广场舞音响晚上十点了还在放", "石桥村"),
    ("请问新生儿上户口要带哪些材料", None),
    ("河边有人钓鱼把垃圾丢得到处都是", "金山村"),
    ("镇卫生院看病排队太久了，医生就两个", None),
    ("去年修的水泥路已经开裂了，质量太差", "凤凰村"),
    ("我家的承包地被邻居占了一截，村上调解不了", "红岩村"),
    ("建议在场镇多设几个停车位，赶场天车停得乱七八糟", None),
    ("村上的公示栏好久没更新了，不晓得钱用到哪里去了", "青龙村"),
    ("网吧里好多未成年人，没人管", None),
)


def grouped(catalogue, texts, apart=()) -> list[list[int]]:
    """The groups `texts` fall into among the others (indexes into `texts`)."""
    found = [facets(catalogue, *t) for t in (*texts, *OTHERS)]
    groups = S.group(S.inbox(found), apart=apart)
    return [g for g in ([i for i in g if i < len(texts)] for g in groups) if len(g) > 1]


@dataclass(frozen=True)
class Judged:
    same: bool  # grouped together among the others
    probability: float
    reason: str


def same(catalogue, a: tuple[str, str | None], b: tuple[str, str | None]) -> Judged:
    found = [facets(catalogue, *t) for t in (a, b, *OTHERS)]
    box = S.inbox(found)
    together = any(0 in g and 1 in g for g in S.group(box))
    names = {t.key: t.name for t in catalogue.topics}
    return Judged(together, box.probability(0, 1), S.reason(found[0], found[1], names))


# ---------------------------------------------------------------------------------------
# Facets


def test_registry_names_are_what_residents_write():
    assert F.place_name("红岩村村民委员会") == "红岩村"
    assert F.place_name("滨江社区居民委员会") == "滨江社区"
    assert set(PLACES.names) >= {"红岩村", "滨江社区"} and PLACES.stems["石桥"] == "石桥村"


def test_the_place_named_in_the_text_wins_over_the_pick(catalogue):
    found = facets(catalogue, "我是回龙村的，想说一下红岩村三组那段路的路灯坏了", village="青龙村")
    assert found.villages == ("红岩村",) and found.named
    assert facets(catalogue, "三组那几盏灯啥时候修嘛", village="红岩村").villages == ("红岩村",)
    assert facets(catalogue, "路灯坏了").villages == ()


def test_groups_things_and_routes_are_found(catalogue):
    assert facets(catalogue, "青龙村5组和五社的垃圾池").groups == ("5组",)
    assert facets(catalogue, "十二组的水管爆了，几个组都没水").groups == ("12组",)
    assert "石拱桥" in facets(catalogue, "红岩村那个石拱桥上的灯坏了").things
    assert "天蓝公司" in facets(catalogue, "天蓝公司欠我们三个月工资").things
    assert "滨江路" in facets(catalogue, "滨江路菜市场门口的下水道堵了").things
    assert "幸福家园" in facets(catalogue, "幸福家园的安置房到现在还没交房").things
    # 幸福家园 is an estate, not 幸福村: a stem alone never names a village.
    assert facets(catalogue, "幸福家园的安置房到现在还没交房").villages == ()
    assert facets(catalogue, "石桥村到白鹤村那段公路垮了").routes == (("白鹤", "石桥"),)
    # Stored as JSON and read back unchanged.
    one = facets(catalogue, "红岩村三组到村委会那段路的路灯坏了", village="红岩村")
    assert F.Facets.from_json(one.as_json()) == one


# ---------------------------------------------------------------------------------------
# Near misses stay apart; duplicates in other words are joined


def test_the_same_lamps_in_other_words_are_one_problem_with_the_reason(catalogue):
    verdict = same(
        catalogue,
        ("红岩村三组到村委会那段路的路灯坏了半个月了，晚上走路全靠手机照", "红岩村"),
        ("红岩村三组，村委会那条路，路灯，坏了，半个月，没人管。", "红岩村"),
    )
    assert verdict.same, verdict
    assert verdict.reason.startswith("同村（红岩村） · 同一对象（3组")
    assert "路灯照明" in verdict.reason and "损坏" in verdict.reason


def test_the_same_topic_in_another_village_stays_apart(catalogue):
    verdict = same(
        catalogue, ("青龙村五组垃圾池满了，臭得很", "青龙村"), ("金山村村委会旁边的垃圾池三天没清了", None)
    )
    assert not verdict.same, verdict


def test_another_object_in_the_same_village_stays_apart(catalogue):
    road = ("晚上回家黑黢黢的，三组那几盏灯啥时候修嘛", "红岩村")
    bridge = ("红岩村那个石拱桥上的灯坏了，桥窄，晚上骑车怕掉下去", "红岩村")
    verdict = same(catalogue, road, bridge)
    assert not verdict.same, verdict
    lift = ("滨江花园3栋的电梯又坏了，关了人在里面", "滨江社区")
    lamp = ("滨江花园门口的路灯坏了，晚上黑得很", "滨江社区")
    assert not same(catalogue, lift, lamp).same


def test_another_matter_about_the_same_place_stays_apart(catalogue):
    locked = ("龙泉村日间照料中心修好了一年多，门一直锁起的，老年人想进去坐哈都不行", "龙泉村")
    fees = ("龙泉村那个日间照料中心说要交钱才能在那吃饭，一个月三百", "龙泉村")
    locked_again = ("日间照料中心大门一直锁着 老人们只能坐在门口台阶上", "龙泉村")
    assert same(catalogue, locked, locked_again).same
    verdict = same(catalogue, locked, fees)
    assert not verdict.same, verdict


def test_a_town_wide_matter_is_joined_across_villages(catalogue):
    verdict = same(
        catalogue,
        ("今年的耕地地力保护补贴咋个还没到一卡通上", "新华村"),
        ("凤凰村地力补贴咋个还没发", "凤凰村"),
    )
    assert verdict.same and verdict.reason.startswith("全镇同一事项"), verdict
    # Another programme unpaid is another matter; a village's own thing is never town-wide.
    assert not same(
        catalogue, ("凤凰村地力补贴咋个还没发", None), ("农机购置补贴批了半年钱还没到卡上", None)
    ).same
    assert not same(catalogue, ("新华村的提灌站坏了", "新华村"), ("凤凰村的提灌站坏了", "凤凰村")).same


def test_grouping_never_chains_two_problems_together(catalogue):
    texts = [
        ("红岩村三组到村委会那段路的路灯坏了半个月了", "红岩村"),
        ("红岩村三组，村委会那条路，路灯，坏了，没人管。", "红岩村"),
        ("晚上回家黑黢黢的，三组那几盏灯啥时候修嘛", "红岩村"),
        ("红岩村那个石拱桥上的灯坏了，桥窄，晚上骑车怕掉下去", "红岩村"),
        ("青龙村五组垃圾池满了，臭得很", "青龙村"),
    ]
    assert grouped(catalogue, texts) == [[0, 1, 2]]
    assert grouped(catalogue, texts, apart=[(0, 1), (0, 2)]) == [[1, 2]]


def test_one_kind_of_object_in_other_words_is_one_problem(catalogue):
    # 栏杆 and 护栏 are one railing; 山坪塘 and 那口塘 one pond of the group; the village
    # written in front of a thing (新华村卫生室) is the village, not another thing.
    assert same(
        catalogue,
        ("三星桥的栏杆断了一截，娃娃放学怕掉河里头", "新华村"),
        ("新华村那个桥护栏烂了好久了", "新华村"),
    ).same
    assert same(
        catalogue, ("新华村二组的山坪塘漏水，水都放干了", "新华村"), ("二组那口塘渗水渗得凶", "新华村")
    ).same
    assert "卫生室" in facets(catalogue, "新华村卫生室一个星期有四天锁起的").things
    # Another group's pond stays apart.
    assert not same(
        catalogue, ("新华村二组的山坪塘漏水", "新华村"), ("新华村五组的塘漏水好多年了", "新华村")
    ).same


def test_a_time_of_day_is_a_state_only_of_opening_hours(catalogue):
    assert "noon" in facets(catalogue, "便民服务中心中午12点就关门").states
    assert "morning" not in facets(catalogue, "社保窗口人太少了，我早上八点去排队").states


def test_a_matter_in_one_village_is_one_problem_unless_a_residents_own_case(catalogue):
    # No thing named, but one village and one matter: one problem.
    water = same(
        catalogue,
        ("新华村的自来水放出来是黄的，不敢喝", "新华村"),
        ("新华村水龙头流出来的水浑得很", "新华村"),
    )
    assert water.same
    # Two residents' own cases, or two procedure questions, on one matter are not one problem.
    for a, b in (
        ("我的低保今年咋个取消了，想问下啥原因", "我家老人的低保取消了，也没通知"),
        ("想问一下申请低保要啥子材料", "请问办低保要哪些手续"),
    ):
        assert facets(catalogue, a).own and facets(catalogue, b).own
        assert not same(catalogue, (a, "凤凰村"), (b, "凤凰村")).same
    # A matter alone, with no village, is nobody's one problem.
    assert not same(catalogue, ("路灯坏了", None), ("路灯坏了好久了", None)).same


def test_one_object_said_to_be_wrong_in_two_ways_is_one_problem(catalogue):
    # The same pond leaking and cracked: one object, two ways of saying what is wrong.
    assert same(
        catalogue, ("新华村二组的山坪塘漏水了", "新华村"), ("新华村二组那口塘的坎子开裂了", "新华村")
    ).same
    # A person hears many matters: a 文书 asking for money and a 文书 never in stay apart.
    assert not same(
        catalogue,
        ("凤凰村的文书开证明要收辛苦费", "凤凰村"),
        ("凤凰村文书上班时间经常不在，电话也不接", "凤凰村"),
    ).same


def test_a_one_character_head_is_named_by_its_modifier(catalogue):
    # 东升 机械 厂: the works is 机械厂, one thing for its noise, another matter its waste water.
    assert facets(catalogue, "青龙村东升机械厂半夜还在开工，机器响得睡不着", "青龙村").things == ("机械厂",)
    assert same(
        catalogue,
        ("青龙村东升机械厂半夜还在开工，机器响得睡不着", "青龙村"),
        ("机械厂天天晚上吵，吵得人睡不着", "青龙村"),
    ).same
    assert (
        same(
            catalogue,
            ("青龙村东升机械厂半夜还在开工，机器响得睡不着", "青龙村"),
            ("东升机械厂把废水排到河里，河水都黑了", "青龙村"),
        ).same
        is False
    )


def test_a_road_named_by_its_ends_first_characters(catalogue):
    # 石白路 is the road from 石桥村 to 白鹤村, as towns name roads; 石桥–新华 is another road.
    assert facets(catalogue, "石白路上那个弯道的护坡垮了").routes == (("白鹤", "石桥"),)
    assert same(
        catalogue, ("石白路上那个弯道的护坡垮了", None), ("石桥村到白鹤村的公路垮了一截", "石桥村")
    ).same
    assert (
        same(catalogue, ("石白路上那个弯道的护坡垮了", None), ("石桥村到新华村的路坑坑洼洼", "石桥村")).same
        is False
    )
    # Only where each character starts exactly one place's name: 红岩路 is a street.
    assert facets(catalogue, "红岩路的路灯坏了").routes == ()


def test_two_groups_written_together(catalogue):
    assert facets(catalogue, "金山村二三组中间那条沟的边界一直扯不清", "金山村").groups == ("2组", "3组")
    assert facets(catalogue, "金山村二十三组", "金山村").groups == ("23组",)


def test_states_one_fault_shows_as_are_one_matter(catalogue):
    # A burst main is also no water at the taps; yellow water is another matter.
    assert same(
        catalogue,
        ("红岩村五组水管爆了，水流了一路", "红岩村"),
        ("我们五组停水两天了，吃水都成问题", "红岩村"),
    ).same
    assert not same(
        catalogue, ("红岩村五组水管爆了，水流了一路", "红岩村"), ("五组的自来水发黄，有股怪味", "红岩村")
    ).same
    assert "outage" not in facets(catalogue, "五组的自来水发黄").states  # 自来水 is not 来水
    # A lift broken and a flat leaking in one estate are two faults.
    assert not same(
        catalogue, ("滨江社区安置小区的电梯老是坏", "滨江社区"), ("安置小区的房子墙上渗水发霉", None)
    ).same


def test_a_wish_for_more_is_another_matter_than_a_fault(catalogue):
    assert not same(
        catalogue, ("希望金山村多设几个垃圾收集点", "金山村"), ("金山村垃圾池满了没人来拉", "金山村")
    ).same
    assert same(
        catalogue, ("金山村垃圾池满了没人来拉", "金山村"), ("垃圾池堆满了好几天都没清运，臭得很", "金山村")
    ).same


def test_a_kind_named_by_what_it_is_for_is_no_one_thing():
    # The segmenter calls 安置 / 自助 verbs: 安置小区 is a kind of estate, 钢架棚 a shed.
    assert F.is_generic("安置小区") and F.is_generic("自助机")
    assert not F.is_generic("钢架棚") and not F.is_generic("幸福家园") and not F.is_generic("滨江路")


def test_a_landmark_alone_does_not_make_two_matters_one(catalogue):
    assert (
        same(
            catalogue,
            ("凤凰村村委会换届有人挨家送礼拉票", "凤凰村"),
            ("凤凰村村主任很少来村委会上班", "凤凰村"),
        ).same
        is False
    )


def test_another_device_in_the_service_hall_stays_apart(catalogue):
    assert (
        same(
            catalogue,
            ("服务中心的叫号机坏了，大家挤成一堆", None),
            ("服务中心的复印机坏了，复印要跑到街上", "金山村"),
        ).same
        is False
    )
    # A shortened name is the same device.
    assert F.things_match("自助机", "自助打印机") and not F.things_match("叫号机", "复印机")


def test_animals_are_objects(catalogue):
    assert same(
        catalogue, ("龙泉村三组那条狗又咬人了", "龙泉村"), ("三组那家的大黄狗不拴，咬伤了一个娃娃", "龙泉村")
    ).same
    assert (
        same(catalogue, ("龙泉村三组那条狗又咬人了", "龙泉村"), ("龙泉村三组好几家的猪病死了", "龙泉村")).same
        is False
    )


def test_works_placed_in_two_named_villages_are_two(catalogue):
    assert (
        same(
            catalogue,
            ("新华村的砖厂在山上取土，山都挖垮了", "新华村"),
            ("白鹤村砖厂旁边那段路垮了", "白鹤村"),
        ).same
        is False
    )
    # The town's own institution is one for the whole town, whichever village writes.
    assert same(
        catalogue,
        ("中心小学的食堂饭菜是馊的，娃娃吃了拉肚子", "新华村"),
        ("中心小学食堂的菜馊了，好几个娃娃拉肚子", "白鹤村"),
    ).same


def test_two_groups_join_only_when_most_pairs_across_say_so(catalogue):
    # Each neighbour pair shares something (the hall's windows, its queue, its printer), the
    # ends share nothing: one chain, not one problem.
    texts = [
        ("便民服务中心办社保的窗口只有一个人，排队排了一上午", None),
        ("社保窗口人太少了，我早上去排队，中午才轮到", None),
        ("便民服务中心的打印机坏了，证明要排人工窗口", None),
        ("服务中心打印机坏了一个星期了，没人修", None),
    ]
    groups = grouped(catalogue, texts)
    assert [0, 1] in groups and [2, 3] in groups
    assert not any(len(g) > 2 for g in groups)


def test_candidates_hold_the_pairs_the_score_joins(catalogue):
    """The inverted index only saves work: scoring every pair of the dev messages joins
    hardly any pair it left out, and it leaves out most pairs."""
    from pathlib import Path

    from zhenwu.suggestions.similarity_eval import load, places_of

    data = Path(__file__).resolve().parents[3] / "bench" / "data"
    messages = [m for m in load(data / "residents_messages.jsonl") if m.split == "dev"]
    messages += load(data / "similarity_tuning.jsonl")
    places = places_of(messages)
    found = [F.facets_of(m.text, village=m.village, places=places, catalogue=catalogue) for m in messages]
    box = S.inbox(found)
    likely = {
        (i, j)
        for i in range(len(found))
        for j in range(i + 1, len(found))
        if box.probability(i, j) >= box.model.threshold
    }
    assert likely and len(likely - box.pairs) <= len(likely) // 20
    assert len(box.pairs) < len(found) * (len(found) - 1) // 10  # and it does save work


def test_a_group_stops_growing_at_its_cap(catalogue):
    found = [facets(catalogue, f"红岩村三组路灯坏了{'，' * i}没人修", "红岩村") for i in range(5)]
    assert max(len(g) for g in S.group(S.inbox(found), max_group=3)) == 3


# ---------------------------------------------------------------------------------------
# The evaluation metric


def test_pair_figures_on_a_tiny_fixture():
    labels = ["a", "a", "a", "b", "b", None]
    # a found whole, b missed, and one wrong pair (b with the single).
    figures = pair_figures("dev", labels, [[0, 1, 2], [3, 5]], ids=[10, 11, 12, 13, 14, 15])
    assert (figures.duplicate_pairs, figures.grouped_pairs, figures.right_pairs) == (4, 4, 3)
    assert figures.precision == 0.75 and figures.recall == 0.75
    assert (figures.whole, figures.clusters) == (1, 2)
    assert figures.missed == [(13, 14)] and figures.wrong == [(13, 15)]
    assert not figures.meets_target
    empty = pair_figures("test", [None, None], [])
    assert empty.precision is None and empty.recall is None


def test_the_report_prints_dev_and_test(tmp_path):
    data = tmp_path / "m.jsonl"
    rows = [
        '{"id": 1, "village": "红岩村", "text": "红岩村三组的路灯坏了", "cluster": "g1", "split": "dev"}',
        '{"id": 2, "village": "红岩村", "text": "三组路灯不亮，晚上黑黢黢的", "cluster": "g1", "split": "dev"}',
        '{"id": 3, "village": "青龙村", "text": "青龙村的垃圾池满了", "cluster": null, "split": "test"}',
    ]
    data.write_text("\n".join(rows), encoding="utf-8")
    out = StringIO()
    call_command("similarity_report", "--messages", str(data), stdout=out)
    text = out.getvalue()
    assert (
        "dev（调参用）：2 条，重复对 1 对；归为一组 1 对，其中正确 1 对 —— 精确率 100.0%，召回率 100.0%"
        in text
    )
    assert "test（留出检验）：1 条" in text and "目标：召回率 ≥ 70%" in text
    # The hand-written tuning set is scored as a split of its own.
    tuning = tmp_path / "t.jsonl"
    tuning.write_text(
        '{"id": 9, "village": "青龙村", "text": "青龙村的垃圾池满了", "cluster": null}', "utf-8"
    )
    out = StringIO()
    call_command("similarity_report", "--messages", str(data), "--tuning", str(tuning), stdout=out)
    assert "tuning（手写调参集）：1 条" in out.getvalue()


def test_the_report_scores_any_file_given_alone(tmp_path):
    """A blind set arrives as a file: scored alone (no tuning set added), its splits as found,
    rows without one under the file's name."""
    blind = tmp_path / "blind.jsonl"
    rows = [
        '{"id": 1, "village": "红岩村", "text": "红岩村三组的路灯坏了", "cluster": "a"}',
        '{"id": 2, "village": null, "text": "红岩村三组路灯不亮，晚上黑黢黢的", "cluster": "a"}',
        '{"id": 3, "village": "青龙村", "text": "青龙村的垃圾池满了", "cluster": null, "split": "extra"}',
    ]
    blind.write_text("\n".join(rows), encoding="utf-8")
    out = StringIO()
    call_command("similarity_report", "--file", str(blind), stdout=out)
    text = out.getvalue()
    assert "blind：2 条，重复对 1 对；归为一组 1 对，其中正确 1 对" in text
    assert "extra：1 条" in text and "tuning" not in text
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "没有编号"}', encoding="utf-8")
    with pytest.raises(CommandError, match="评测集格式不对"):
        call_command("similarity_report", "--file", str(bad), stdout=StringIO())


# ---------------------------------------------------------------------------------------
# Stored facets, the cluster view, the API


def _village(name: str, town) -> Unit:
    return unit_create(
        actor=SYSTEM, name=f"{name}村民委员会", kind=UnitKind.VILLAGE_COMMITTEE, parent=town.government
    )


LAMPS = (
    "红岩村三组到村委会那段路的路灯坏了半个月了，晚上走路全靠手机照",
    "红岩村三组，村委会那条路，路灯，坏了，半个月，没人管。",
    "晚上回家黑黢黢的，三组那几盏灯啥时候修嘛",
)


@pytest.fixture
def lamps(town):
    return [suggestion_submit(text=t, village=town.village) for t in LAMPS]


def test_facets_are_made_on_submit_and_kept(town, lamps):
    assert SimilarityFacets.objects.filter(suggestion__in=lamps).count() == 3
    row = SimilarityFacets.objects.get(suggestion=lamps[0])
    assert row.data["v"] == ["红岩村"] and "3组" in row.data["g"]
    # Rows written without the service (the demo's, an old database's) are made on first read.
    SimilarityFacets.objects.all().delete()
    assert [len(c.members) for c in clusters()] == [3]
    assert SimilarityFacets.objects.count() == 3


def test_the_row_the_cluster_view_and_the_api_agree(town, office, lamps):
    bridge = suggestion_submit(
        text="红岩村那个石拱桥上的灯坏了，桥窄，晚上骑车怕掉下去", village=town.village
    )
    other = _village("青龙", town)
    suggestion_submit(text="青龙村五组的路灯坏了半个月了", village=other)
    found = clusters()
    assert len(found) == 1 and [s.pk for s in found[0].members] == [s.pk for s in lamps]
    assert found[0].village == "红岩村" and found[0].reason.startswith("同村（红岩村）")
    assert duplicate_counts([*lamps, bridge]) == {
        lamps[0].pk: 2,
        lamps[1].pk: 2,
        lamps[2].pk: 2,
        bridge.pk: 0,
    }
    assert [s.pk for s in similar_to(lamps[0])] == [lamps[1].pk, lamps[2].pk] or {
        s.pk for s in similar_to(lamps[0])
    } == {lamps[1].pk, lamps[2].pk}
    client = client_for(office)
    answer = client.get(f"/api/suggestions/{lamps[0].pk}/similar").json()
    assert {a["id"] for a in answer} == {lamps[1].pk, lamps[2].pk}
    assert all(
        a["kind"] == "suggestion" and a["reason"].startswith("同村（红岩村） · 同一对象（3组") for a in answer
    )
    assert client.get(f"/api/suggestions/{bridge.pk}/similar").json() == []
    page = client.get(reverse("suggestions:clusters")).content.decode()
    assert page.count('class="card mb-3 cluster"') == 1 and "同村（红岩村）" in page
    inbox = client.get(reverse("suggestions:inbox")).content.decode()
    assert inbox.count("可能重复 2") == 3


def test_an_open_problem_about_the_same_thing_is_offered_to_merge_into(town, office, lamps, problem):
    from zhenwu.ledger.services import problem_create

    lamp_problem = problem_create(
        actor=office, source="suggestion", category="infrastructure",
        description="红岩村三组村委会那段路的路灯损坏", village=town.village,
    )  # fmt: skip
    found = similar_to(lamps[0])
    problems = [s for s in found if s.is_problem]
    assert [p.pk for p in problems] == [lamp_problem.pk]  # not the road's potholes (problem)
    assert problems[0].reason.startswith("同村（红岩村）")


def test_the_cluster_is_accepted_as_one_problem_through_the_services(town, office, lamps):
    client = client_for(office)
    response = client.post(
        reverse("suggestions:bulk"),
        {
            "action": "accept",
            "ids": [s.pk for s in clusters()[0].members],
            "next": reverse("suggestions:clusters"),
        },
    )
    assert response.status_code == 302
    statuses = sorted(
        Suggestion.objects.filter(pk__in=[s.pk for s in lamps]).values_list("status", flat=True)
    )
    assert statuses == ["accepted", "merged", "merged"]
    problem = Suggestion.objects.get(pk=lamps[0].pk).problem
    assert problem is not None and problem.suggestions.count() == 3
    triaged = AuditEvent.objects.filter(action="suggestion.triaged").count()
    assert triaged == 3
    assert clusters() == []  # they left the inbox


def test_the_cluster_view_costs_the_same_queries_for_more_suggestions(town, office):
    client = client_for(office)
    villages = [town.village] + [_village(n, town) for n in ("青龙", "金山", "龙泉")]

    def add(n: int) -> None:
        for i in range(n):
            v = villages[i % len(villages)]
            suggestion_submit(text=f"{F.place_name(v.name)}{i % 7 + 1}组的路灯坏了，晚上黑黢黢的", village=v)

    add(8)
    client.get(reverse("suggestions:clusters"))  # the catalogue is seeded on first use
    similarity._last = None
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("suggestions:clusters")).status_code == 200
    add(24)
    similarity._last = None
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("suggestions:clusters")).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    # Unchanged inbox: the grouping is reused, and no facets are made again.
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("suggestions:clusters"))
    assert len(again) < len(large)
    assert not any("similarity_facets" in q["sql"] and "INSERT" in q["sql"] for q in again.captured_queries)


def test_the_inbox_and_api_cost_no_query_per_row(town, office, lamps):
    client = client_for(office)
    client.get(reverse("suggestions:inbox"))
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/suggestions/{lamps[0].pk}/similar")
    for i in range(10):
        suggestion_submit(text=f"红岩村三组路灯坏了第{i}回了，晚上黑黢黢的", village=town.village)
    client.get(reverse("suggestions:inbox"))
    with CaptureQueriesContext(connection) as more:
        client.get(f"/api/suggestions/{lamps[0].pk}/similar")
    assert len(more) == len(few)
