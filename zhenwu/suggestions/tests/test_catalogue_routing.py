"""The shipped 派单目录 on residents' own words: tie-breaks, named offices, typos, explanations.

These run on the shipped catalogue alone (offices by name, no database): what a new town
gets on day one. The sentences are written for these tests, in residents' voice; none is
taken from the evaluation set under bench/data.
"""

from __future__ import annotations

import pytest

from zhenwu.suggestions.catalogue import shipped_catalogue
from zhenwu.suggestions.routing import _reason, rank

CATALOGUE = shipped_catalogue()


def first(text: str) -> str:
    return rank(text, CATALOGUE)[0].office


def top3(text: str) -> list[str]:
    return [e.office for e in rank(text, CATALOGUE)[:3]]


# A smoke set: (message, office, a defensible second office or None).
SMOKE: list[tuple[str, str, str | None]] = [
    ("我们组那几盏路灯坏了大半年，晚上黑黢黢的，老年人出门摔了好几回", "村镇建设办", None),
    ("村口到学校那段路全是坑，一下雨稀泥巴糊到膝盖，娃儿上学遭罪", "村镇建设办", None),
    ("自来水三天两头停，停了也不通知，屋头老人提桶去井里挑水", "村镇建设办", None),
    ("垃圾池满了半个月莫得人来拉，臭得很，苍蝇到处飞", "村镇建设办", None),
    ("隔壁工地天天半夜还在打桩，渣土车把路都压烂了", "村镇建设办", "派出所"),
    ("我家是土坯房，墙裂了好大条缝，下雨天都不敢住，危房改造能不能报一个", "村镇建设办", None),
    ("我妈一个人带两个孙子，莫得收入，去年申请低保没评上，评定到底咋个评的", "社会事务办", None),
    ("新农合报消要跑县医院又跑镇上，单子还要盖好几个章，老年人哪搞得懂", "社会事务办", None),
    ("村小就剩十几个学生了，听说要撤，娃娃以后读书要走一个多小时", "社会事务办", None),
    ("卫生室的村医经常不在，小病都要跑到镇卫生院去看", "社会事务办", None),
    ("我们村好多空巢老人，能不能搞个日间照料的地方，中午有口热饭吃", "社会事务办", None),
    ("今年山坪塘一直没人清淤，蓄不住水，秧田都干裂了", "农业服务中心", None),
    ("买的种子一半都不发芽，农资店老板不认账，损失谁来赔", "农业服务中心", None),
    ("我们这边好几家的猪都发瘟死了，兽医也不来看一下", "农业服务中心", None),
    ("去年买的微耕机，农机补贴到现在还没下来", "农业服务中心", "财政所"),
    ("在砖厂干了八个月，老板拖欠工资三万多，找他就说没钱", "劳动保障所", "经济发展办"),
    ("我六十岁了，养老金咋个每个月才一百多，缴费年限是不是算错了", "劳动保障所", None),
    ("想学个电焊，镇上有没有免费的技能培训，学完能不能帮忙介绍工作", "劳动保障所", None),
    ("在工地上摔断了腿，包工头只给了两千块就不管了，工伤咋个认定", "劳动保障所", None),
    ("修高速征地，我家的青苗费和补偿标准比隔壁村低一截，凭啥子", "国土所", "失地农民服务中心"),
    ("邻居把田坎往我家地里挖了一尺多，地界扯不清楚，吵了好几回", "国土所", None),
    ("有人在基本农田上修厂房，挖机都开进去了，没人管吗", "国土所", None),
    ("想在老宅基地上翻建新房，审批手续要等多久", "国土所", None),
    ("这个月我们组接连丢了三辆电瓶车，贼娃子太猖狂了，晚上要有人巡逻", "派出所", None),
    ("街上茶馆天天有人聚赌，一输就是几千，屋头婆娘娃儿跟着遭殃", "派出所", None),
    ("我娃儿的户口迁不过来，上学报不了名，户籍窗口说材料不齐", "派出所", None),
    ("有人打电话冒充医保局说我卡要冻结，骗了我家老汉八千块", "派出所", None),
    ("惠民惠农一卡通上的种粮补贴今年还没到账，别个村都发了", "财政所", None),
    ("我们村的账好多年没公开了，集体资金用到哪里去了没人晓得", "财政所", "党政办"),
    ("招商引资来的那家公司说要修厂，地都推平两年了项目一直没动", "经济发展办", None),
    ("我们几户想合伙开个农家乐，营业执照和经营许可要到哪里办", "经济发展办", "政务快捷服务中心"),
    ("今年李子大丰收，卖不出去，烂在地里，能不能帮忙找找销路", "经济发展办", "农业服务中心"),
    ("村主任一年到头不在村上，打电话也不接，有事根本找不到人", "党政办", None),
    ("换届选举有人挨家挨户送烟送油拉票，这算不算贿选", "党政办", None),
    ("去便民服务中心开个证明，跑了三趟，每次都说少材料", "政务快捷服务中心", None),
    ("窗口的工作人员态度太差了，问两句就不耐烦，还吼人", "政务快捷服务中心", "党政办"),
    ("服务大厅中午12点就关门，我们赶场天中午才有空去办事", "政务快捷服务中心", None),
    ("安置房说好去年交房，到现在还没动静，我们在外面租房子住了三年", "失地农民服务中心", None),
    ("过渡费已经停发四个月了，房租都交不起", "失地农民服务中心", None),
    ("地被征了以后，失地农民养老保险咋个买，一次要交好多钱", "失地农民服务中心", "劳动保障所"),
]


def test_the_smoke_set_meets_the_targets_on_day_one():
    unambiguous = [(t, o) for t, o, s in SMOKE if s is None]
    right = sum(first(t) == o for t, o in unambiguous)
    in_three = sum(o in top3(t) for t, o, _s in SMOKE)
    assert right / len(unambiguous) >= 0.8, [(t, o, first(t)) for t, o in unambiguous if first(t) != o]
    assert in_three / len(SMOKE) >= 0.95


@pytest.mark.parametrize(
    ("text", "office"),
    [
        # Wages owed by an enterprise: 劳动保障所, not 经济发展办.
        ("天蓝公司欠我们十几个人的工资，厂里说效益不好，拖了半年", "劳动保障所"),
        # The compensation standard of a land acquisition: 国土所.
        ("征地补偿标准是按哪年的文件定的，每亩才给这点钱", "国土所"),
        # The resettlement housing built for that acquisition: 失地农民服务中心.
        ("征地以后的安置房一直不交房，问了几次都说快了", "失地农民服务中心"),
        # A building site's noise at night: 村镇建设办; a neighbour's: 派出所.
        ("工地晚上施工吵得人睡不着", "村镇建设办"),
        ("楼下那家天天半夜唱歌，吵得人睡不着", "派出所"),
        # A farm-machinery subsidy is the farm office's, not the finance office's payment.
        ("收割机的农机补贴到账了没有", "农业服务中心"),
        # 低保 money is 社会事务办's even when it is about payment.
        ("低保金这个月咋个没打到卡上", "社会事务办"),
    ],
)
def test_tie_breaks_where_two_offices_touch_one_matter(text, office):
    assert first(text) == office


def test_an_office_named_in_the_text_wins():
    assert first("请财政所查一下，我家的钱是不是少了") == "财政所"
    assert first("派出所管不管，隔壁天天晚上在院坝里放音响") == "派出所"
    assert rank("请财政所查一下，我家的钱是不是少了", CATALOGUE)[0].named


def test_a_named_office_does_not_win_when_the_text_is_clearly_about_another_matter():
    text = "请财政所来看一下，我们组那座危桥桥面都裂开了，车子过都在晃"
    assert first(text) == "村镇建设办"
    assert "财政所" in top3(text)  # named, so still offered


@pytest.mark.parametrize(
    ("text", "office"),
    [
        ("新农合报消太麻烦了", "社会事务办"),
        ("希望在村口按装几盏路灯", "村镇建设办"),
        ("我要反应一下低包评得不公平", "社会事务办"),
        ("村上的帐从来不公开", "财政所"),
    ],
)
def test_homophone_typos_route_like_the_word_meant(text, office):
    assert first(text) == office


def test_each_suggestion_says_why():
    best = rank("我们村低保评定不公平，关系户都评上了", CATALOGUE)[0]
    assert best.office == "社会事务办"
    assert _reason(best).startswith("因为提到：低保、评定")
    named = rank("请财政所查一下补贴为啥子没到账", CATALOGUE)[0]
    assert "来信点名“财政所”" in _reason(named) and "到账" in _reason(named)


def test_dialect_fillers_are_not_evidence():
    # Nothing points to any office: only the office of general coordination is offered, last.
    found = rank("啥子都莫得，咋个搞嘛", CATALOGUE)
    assert [(e.office, e.general, e.words) for e in found] == [("党政办", True, [])]


def test_the_general_office_fills_the_third_choice_only():
    found = rank("猪瘟了", CATALOGUE)
    assert [e.office for e in found] == ["农业服务中心", "党政办"] and found[-1].general
    assert all(e.score > found[-1].score for e in found[:-1])
    assert "兜底" in _reason(found[-1])
    # Three offices found already: nothing added.
    many = rank("低保评定不公开，村干部优亲厚友，补贴也没到账，请财政所查一下", CATALOGUE)
    assert not any(e.general for e in many)
