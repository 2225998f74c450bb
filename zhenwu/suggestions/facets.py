"""What makes two residents' messages one problem: the same place, the same thing, the same matter.

Residents who report the same broken lamp share almost no wording ("三组那几盏灯啥时候修嘛",
"红岩村三组到村委会那段路的路灯坏了半个月了"), while two different problems can read alike
("金山村的垃圾池满了" / "青龙村五组垃圾池满了"). So a message is reduced to its facets and
two messages are compared facet by facet, not by character overlap:

- place: the villages (the resident's pick, or the villages and communities the text names —
  the text wins, since a resident of 回龙村 may write about 西拓大道), and the 村民小组
  (三组, 5组, 五社);
- thing: the named things and places the text mentions (石拱桥, 天蓝公司, 日间照料中心,
  提灌站, 滨江路, 幸福家园, 地力补贴, a road from one place to another);
- matter: the catalogue topics the text mentions with their own words (路灯照明, 拖欠工资 …),
  and the state of the thing (broken, locked, fees asked, not paid, delayed …, see `STATES`).

Which facets two messages share, and which they state differently (another village, another
group, another object there, another state), are features of the pair; `pair_score.py`
weighs them with how much of the wording is shared. A town-wide thing (the service hall, an
enterprise, a payment programme, see `TOWN_HEADS`) is not tied to the resident's village; a
resident's own case or a procedure question (我的低保…, 想问…要啥材料) is marked (`own`,
`asks`). Nothing here touches the database: `similarity.py` stores the facets of each
suggestion and problem and groups them.

What says which thing is general, not the evaluation's: the registry's places, the catalogue's
topics, a lexicon of the kinds of thing a town hears about (`PLACE_HEADS`, `OBJECT_HEADS` …),
and the segmenter (a one-character head takes its modifier, 板材 厂 → 板材厂; a part before the
head the segmenter calls a verb names a kind, 安置小区, not one estate). Roads are also named by
their ends' first characters (石白路 = 石桥–白鹤). States one fault shows as are one matter
(`STATE_FAMILIES`: a burst main is also no water).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy

from zhenwu.suggestions import text

VERSION = 7  # bump when the facets change: stored facets of an older version are made again

# ---------------------------------------------------------------------------------------
# Places: the registry's villages and communities


@dataclass(frozen=True)
class Places:
    """The town's villages and communities as residents write them (红岩村, 滨江社区).

    `names` maps each written form to the place's display name; `ids` the display name to
    the unit id where there is one."""

    names: Mapping[str, str]
    ids: Mapping[str, int] = field(default_factory=dict)
    stems: Mapping[str, str] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        # 红岩 for 红岩村: counted as the place only where the text says so (红岩三组, 红岩那条路),
        # since many stems are words too (幸福家园 is not in 幸福村).
        stems = {_stem(shown): shown for shown in self.names.values() if len(_stem(shown)) >= 2}
        object.__setattr__(self, "stems", stems)
        text.add_words(list(self.names) + list(stems))

    def stem_of(self, token: str) -> str:
        return _stem(self.names.get(token, token))

    @property
    def fingerprint(self) -> str:
        return "|".join(sorted(f"{k}={v}" for k, v in self.names.items()))


def _stem(name: str) -> str:
    return re.sub(r"(村|社区)$", "", name) if len(name) > 2 else name


_UNIT_SUFFIX = re.compile(r"(村民委员会|居民委员会|村委会|居委会|村委|委员会)$")


def place_name(unit_name: str) -> str:
    """红岩村村民委员会 → 红岩村, 滨江社区居民委员会 → 滨江社区 (what residents write)."""
    name = _UNIT_SUFFIX.sub("", text.normalise(unit_name).replace(" ", ""))
    if unit_name.endswith(("村民委员会", "村委会", "村委")) and not name.endswith("村"):
        name += "村"
    return name


def places_from(units: Iterable[tuple[int | None, str, str]]) -> Places:
    """`units` as (id, name, short name): each place under its written name and short name."""
    names: dict[str, str] = {}
    ids: dict[str, int] = {}
    for pk, name, short in units:
        shown = place_name(name)
        if len(shown) < 2:
            continue
        names[shown] = shown
        short = place_name(short) if short else ""
        if len(short) >= 3 and short.endswith(("村", "社区")):
            names.setdefault(short, shown)
        if pk is not None:
            ids[shown] = pk
    return Places(names, ids)


# ---------------------------------------------------------------------------------------
# Groups: 三组, 5组, 五社 (a 村民小组 is a place inside a village)

_NUMERALS = "零一二三四五六七八九十"
_GROUP = re.compile(
    r"(?<![几多两每各个第])([一二三四五六七八九十]{1,3}|\d{1,2})\s*(?:组|社)(?![区会织长员团里合])"
)


def _number(value: str) -> int | None:
    if value.isdigit():
        return int(value)
    if value == "十":
        return 10
    if "十" in value:
        tens, _sep, units = value.partition("十")
        return (_NUMERALS.index(tens) if tens else 1) * 10 + (_NUMERALS.index(units) if units else 0)
    return _NUMERALS.index(value) if len(value) == 1 else None


def _groups(normalised: str) -> list[str]:
    found: list[str] = []
    for match in _GROUP.finditer(normalised):
        written = match.group(1)
        numbers = [_number(written)]
        if len(written) == 2 and "十" not in written:
            first, second = (_NUMERALS.index(c) for c in written)
            if second == first + 1:
                numbers = [first, second]  # 二三组: the second and third groups
        for n in numbers:
            if n and 0 < n < 40 and f"{n}组" not in found:
                found.append(f"{n}组")
    return found


# ---------------------------------------------------------------------------------------
# Things: the kinds of thing and place residents complain about, and the names they give them.

# Sites: where a thing is (a road, an estate, a square, a facility).
PLACE_HEADS = (
    "大道", "公路", "马路", "街", "巷", "路", "桥", "隧道", "河堤", "河坝", "馆", "楼", "小区", "家园",
    "花园", "广场", "公园", "市场", "菜市场", "停车场", "球场", "照料中心", "活动中心", "活动室",
    "卫生室", "养老院", "敬老院", "幼儿园", "小学", "中学", "学校", "码头", "工地",
)  # fmt: skip
# Animals residents report (a sick herd, a dog that bites): an object like any other.
ANIMAL_HEADS = ("猪", "狗", "牛", "羊", "鸡", "鸭", "鹅")
# Objects: the thing itself that is broken, full, locked or unpaid.
OBJECT_HEADS = (
    "路灯", "灯", "电梯", "垃圾池", "垃圾桶", "垃圾站", "垃圾房", "水管", "管道", "管网", "水塔", "水厂",
    "提灌站", "站", "渠", "沟", "堰", "塘", "池", "井", "井盖", "下水道", "水库", "健身器材", "车棚",
    "厕所", "公厕", "食堂", "堡坎", "挡墙", "涵洞", "监控", "摄像头", "红绿灯", "减速带", "护栏", "站台",
    "安置房", "养殖场", "养猪场", "养鸡场", "猪场", "鸡场", "栏杆", "窗口", "自来水", "水龙头", "坎子", "挡土墙",
    # Shops, sheds and boards a town hears about (a general lexicon, not the evaluation's words).
    "店", "超市", "餐馆", "饭店", "诊所", "药店", "棚", "大棚", "棚子", "厂房", "戏台", "公开栏", "宣传栏",
    "阴沟", "排水沟", "化粪池", "变压器", "电线", "电杆", "信号塔", "叫号机", "自助机", "取号机", "打印机", "复印机", "刷卡机", "自助终端",
) + ANIMAL_HEADS  # fmt: skip
# One thing, several words for it: found under the first (a bridge's 栏杆 is its 护栏).
SAME_KIND = {
    "栏杆": "护栏", "挡墙": "堡坎", "挡土墙": "堡坎", "坎子": "堡坎", "水龙头": "自来水", "公厕": "厕所",
    "公共厕所": "厕所", "合作医疗": "医保", "新农合": "医保", "阴沟": "下水道", "排水沟": "下水道",
    "养老保险": "养老金", "戏台子": "戏台", "自助终端": "自助机", "棚子": "棚", "大棚": "棚",
}  # fmt: skip
# Things that belong to the whole town, not to one village: residents of several villages
# may report the same one (the service hall's hours, an enterprise's wages).
TOWN_HEADS = (
    "公司", "厂", "集团", "合作社", "服务中心", "便民服务中心", "卫生院", "中心小学", "镇中学", "派出所",
)  # fmt: skip
# Payment programmes: town-wide too. Any town thing hears of many matters, so sharing one is
# the same problem only when the state is shared too (see `compare`).
PROGRAMME_HEADS = (
    "补贴", "补助", "津贴", "养老金", "养老保险", "医保", "合作医疗", "新农合", "低保金", "过渡费", "生活费",
)  # fmt: skip
# People a complaint is about: within a village, 李书记 and 村书记 are the same 书记.
PERSON_HEADS = ("书记", "主任", "村长", "会计", "文书", "组长", "村干部", "驻村干部")
HEADS = tuple(
    sorted(PLACE_HEADS + OBJECT_HEADS + TOWN_HEADS + PROGRAMME_HEADS + PERSON_HEADS, key=len, reverse=True)
)
_OBJECT_KINDS = frozenset(OBJECT_HEADS)
_SITE_HEADS = frozenset(PLACE_HEADS + ("服务中心", "便民服务中心", "卫生院", "中心小学", "镇中学", "派出所"))
# Kinds found wherever they are written, even inside a longer word (主水管爆 → 水管).
KINDS = tuple(h for h in HEADS if len(h) >= 2)
# A lone 路 or 桥 is a thing (那段路); other one-character heads only end a word (茶馆, 垃圾池).
BARE_HEADS = ("路", "桥", "街", "灯", *ANIMAL_HEADS)
_TOWARDS = frozenset({"到", "至", "往", "通往", "直到"})
_THAT_ROAD = re.compile(r"(?:那条|这条|那段|这段|那截|这截)路")
# Words that end in a head but name no thing (走路 is walking, not a road).
NOT_THINGS = frozenset(
    """走路 修路 带路 让路 出路 路上 一路 路过 半路 路边 马路边 上街 街上 过桥 站起 站着 车站 一站 站台
    活路 门路 销路 老路 跑路 路费 来路 水路 网站 加油站 楼上 楼下 上楼 下楼 电梯口 满街 一路 手机 司机 飞机 时机 危机 机会""".split()  # noqa: SIM905
)
# Landmarks: places residents locate a thing by.
LANDMARKS = ("村委会", "村办公室", "场镇", "老街", "新街", "镇政府", "村小")
_MODIFIER_STOP = re.compile(
    r"^[这那哪几好一二三四五六七八九十两每各个\d]|的$|[里上下边头辆个只些次回家种条段座栋盏位名户]$"
)
TIME_WORDS = frozenset("晚上 早上 白天 每天 天天 半夜 中午 下午 上午 今年 去年 现在 以前 最近".split())  # noqa: SIM905


@lru_cache(maxsize=20000)
def _head(token: str) -> str | None:
    for head in HEADS:
        if token.endswith(head):
            return head
    return None


def _is_modifier(token: str, places: Places) -> bool:
    if token in places.names or token in places.stems:
        return True
    return (
        2 <= len(token) <= 4
        and bool(re.fullmatch(r"[\u4e00-\u9fff]+", token))
        and token not in text.STOPWORDS
        and token not in TIME_WORDS
        and not _MODIFIER_STOP.search(token)
        and _head(token) is None
    )


def _is_place(token: str, places: Places) -> bool:
    return (
        token in places.names or token in places.stems or bool(_GROUP.fullmatch(token)) or token in LANDMARKS
    )


def _things(cut: Sequence[str], normalised: str, places: Places) -> list[str]:
    """The things a text names (天蓝公司, 石拱桥, 滨江路) and the kinds it mentions (水管)."""
    named: list[str] = []
    towards: list[str] = []
    for i, token in enumerate(cut):
        if token in LANDMARKS:
            named.append(token)
            continue
        head = _head(token)
        if head is None or token in NOT_THINGS or _is_place(token, places):
            continue
        if i > 0 and cut[i - 1] in _TOWARDS and head not in ROAD_HEADS and not is_town_thing(token):
            towards.append(token)
            continue  # 到水库那条路, 开到水库那边: where the road goes, not what is wrong
        name = token
        if head in PERSON_HEADS:
            name = head
        elif token == head and len(head) == 1:
            if head not in BARE_HEADS:
                # 板材 厂, 农资 店: a one-character head names a thing after its modifier.
                if i == 0 or not _is_modifier(cut[i - 1], places) or _is_place(cut[i - 1], places):
                    continue
                name = cut[i - 1] + token
            elif i > 0 and _is_place(cut[i - 1], places):
                name = cut[i - 1] + token  # 滨江 路
        elif token == head and i > 0 and _is_modifier(cut[i - 1], places):
            name = cut[i - 1] + token  # 天蓝 公司, 幸福 家园
        named.append(_plain(name, places))
    if _THAT_ROAD.search(normalised) and not any(n.endswith("路") for n in named):
        named.append("路")  # 那条路塌了: jieba cuts 路塌
    rest = normalised
    for token in towards:
        rest = rest.replace(token, " ")
    for kind in KINDS:
        if kind in rest:
            rest = rest.replace(kind, " ")
            if not any(kind in n for n in named):
                named.append(SAME_KIND.get(kind, kind))
    return list(dict.fromkeys(named))


def _routes(cut: Sequence[str], places: Places) -> list[tuple[str, str]]:
    """Roads named by their two ends: "石桥村到白鹤村的公路", "三组到村委会那段路"."""
    routes: list[tuple[str, str]] = []
    for i in range(1, len(cut) - 1):
        if (
            cut[i] in ("到", "至", "—", "-", "–", "往", "去", "通")
            and _is_place(cut[i - 1], places)
            and _is_place(cut[i + 1], places)
        ):
            a, b = sorted((places.stem_of(cut[i - 1]), places.stem_of(cut[i + 1])))
            if a != b and (a, b) not in routes:
                routes.append((a, b))
    for match in _SHORT_ROAD.finditer("".join(cut)):
        route = _short_route(match, places)
        if route is not None and route not in routes:
            routes.append(route)
    return routes


_SHORT_ROAD = re.compile(r"([\u4e00-\u9fff])([\u4e00-\u9fff])(?:公路|村道|路)")


def _short_route(match: re.Match[str], places: Places) -> tuple[str, str] | None:
    """A road named by the first characters of its two ends, as towns name them: 石白路 is
    the road from 石桥 to 白鹤. Only where each character starts exactly one place's name."""
    ends = []
    for char in match.groups():
        starting = {stem for stem in places.stems if stem.startswith(char)}
        if len(starting) != 1:
            return None
        ends.append(starting.pop())
    a, b = sorted(ends)
    return (a, b) if a != b else None


# Verbs and measure words before a head are no part of a name (来修厂房 → 厂房, 那截路 → 路).
_NOT_A_NAME = re.compile(r"[不没在是了的个把被给来修截段条遭拉建搞盖起]")


def _plain(name: str, places: Places) -> str:
    """A thing without the village in front (新华村卫生室 → 卫生室: the village is a facet of its
    own), without words that are no name (经常不在卫生室 → 卫生室), and by its usual word."""
    head = _head(name)
    if head is not None and name != head:
        # The full name only: a stem names streets and estates too (滨江路, 幸福家园).
        for written in sorted(places.names, key=len, reverse=True):
            if name.startswith(written) and len(name) > len(written):
                name = name[len(written) :]
                break
        if _NOT_A_NAME.search(name[: -len(head)]):
            name = head
    if head is not None and head in SAME_KIND:
        name = name[: -len(head)] + SAME_KIND[head]  # 上交合作医疗 → 上交医保
    return SAME_KIND.get(name, name)


@lru_cache(maxsize=50000)
def things_match(a: str, b: str) -> bool:
    """The same thing: one name inside the other (路 / 水泥路, 天蓝公司 / 公司), or mostly the
    same characters in order (耕地地力保护补贴 / 地力补贴)."""
    if a == b or (len(a) >= 2 and a in b) or (len(b) >= 2 and b in a):
        return True
    head = _head(a)
    if head is not None and head == _head(b) and head in _OBJECT_KINDS and not is_town_thing(a):
        return True  # two words for one kind of object (山坪塘 / 堰塘): where says which one
    short, long_ = sorted((a, b), key=len)
    if len(short) == 1:
        return long_.endswith(short)
    if len(short) < 3:
        return False
    if short[0] == long_[0] and short[-1] == long_[-1] and _in_order(short, long_):
        return True  # a shortened name (自助机 / 自助打印机)
    pairs = {short[i : i + 2] for i in range(len(short) - 1)}
    inside = sum(1 for p in pairs if p in long_)
    return inside / len(pairs) >= 0.66 and short[-1] == long_[-1]


def _in_order(short: str, long_: str) -> bool:
    chars = iter(long_)
    return all(c in chars for c in short)


@lru_cache(maxsize=50000)
def is_site(thing: str) -> bool:
    return thing in LANDMARKS or _head(thing) in _SITE_HEADS


@lru_cache(maxsize=50000)
def is_town_thing(thing: str) -> bool:
    return any(thing.endswith(h) for h in TOWN_HEADS + PROGRAMME_HEADS)


INSTITUTION_HEADS = ("服务中心", "便民服务中心", "卫生院", "中心小学", "镇中学", "派出所")


@lru_cache(maxsize=50000)
def _is_institution(thing: str) -> bool:
    """The town's own offices and schools, and its payment programmes: one for the whole town."""
    return any(thing.endswith(h) for h in INSTITUTION_HEADS + PROGRAMME_HEADS)


@lru_cache(maxsize=50000)
def is_generic(thing: str) -> bool:
    """A kind of thing (提灌站, 垃圾池) rather than one thing: it names one only within a village."""
    head = _head(thing)
    if head is None or is_town_thing(thing):
        return False
    if thing == head or head in PERSON_HEADS:
        return True
    # A kind named by what it is for (安置小区, 自助机, 养猪场): the segmenter calls the part
    # before the head a verb. A name (钢架棚, 滨江路, 幸福家园) is a noun or an adjective.
    return text.word_classes(thing[: -len(head)])[:1] in (("v",), ("vn",))


# ---------------------------------------------------------------------------------------
# States: what is wrong with the thing. Matched as written, after normalising.

STATES: dict[str, tuple[str, ...]] = {
    "stolen": ("偷", "被盗", "遭盗", "丢了", "丢失"),
    "broken": ("坏", "爆", "断了", "烧了", "烧坏", "不亮", "失灵", "不能用", "用不了", "不转", "损坏", "灯不亮", "没修", "修一下", "修嘛", "来修", "尽快修"),
    "locked": ("锁", "不开门", "没开门", "不开放", "进不去", "关起", "关着", "关门"),
    "fees": ("收费", "交钱", "要钱", "收钱", "费用", "多少钱", "太贵", "乱收", "摊位费", "管理费", "辛苦费", "红包", "好处费", "给钱", "贵"),
    "unpaid": ("没发", "没到", "没拿到", "拖欠", "欠", "发不出", "未发", "没给", "停发", "到账", "一分钱", "一分没", "啥时候发", "好久发", "不发"),
    "delayed": ("拖了", "延期", "推迟", "迟迟", "没交房", "不交房", "交房推", "交房拖", "交房时间", "一拖再拖", "推到", "又推", "往后推", "一直没", "还没交", "没交付", "等了", "几年了", "多年"),
    "leaking": ("漏水", "渗水", "漏"),
    "blocked": ("堵", "淤"),
    "collapsed": ("垮", "塌", "滑坡", "裂"),
    "potholes": ("坑", "烂"),
    "dumping": ("乱倒", "乱丢", "乱扔", "倾倒", "偷倒"),
    "full": ("满了", "没清", "没来拉", "没人拉", "清运", "没拉", "来拉"),
    "dust": ("灰",),
    "smell": ("臭", "味道", "气味", "熏", "废气", "屎味"),
    "smoke": ("黑烟", "冒烟", "烟大", "烟好大", "烟尘"),
    "murky": ("浑", "发黄", "黄的", "黄汤", "铁锈", "锈水"),
    "queue": ("排队", "排长队", "人太少", "人手不够"),
    "noisy": ("吵", "噪音", "太响", "音响", "闹", "响"),
    "rising": ("涨", "交不起", "太高", "负担"),
    "noon": ("中午", "午休", "12点", "十二点", "午饭"),
    "weekend": ("周六", "星期六", "周末", "星期天", "周日", "双休"),
    "morning": ("早上", "上午", "八点半", "九点"),
    "miscounted": ("算错", "算得", "核一下", "金额", "补缴"),
    "rate": ("标准", "每亩", "一亩", "价格", "太低", "偏低", "提高"),
    "absent": ("找不到人", "见不到人", "没见到人", "不在村", "人不在", "不接"),
    # A wish for something new (more bins, a new lamp) is another matter than a fault of what is there.
    "wanting": ("多设", "增设", "新建", "加装", "多装", "增加几", "多建", "多修几", "建一个", "修一个", "装几"),
    "spoiled": ("馊", "变质", "过期", "不新鲜"),
    "outage": ("停水", "停电", "断水", "断电", "没水", "没电", "莫得水", "没得水", "莫得电", "没得电"),
    "polluting": ("废水", "污水直", "排污", "偷排", "直排"),
    "occupying": ("占道", "占用", "占完", "占了", "霸占"),
    "failing": ("失败", "不成功", "通不过", "过不了", "识别不了", "认证不了", "刷不", "结算不了", "结不了", "报不了", "办不了", "打印不", "登录不", "用不起"),
}  # fmt: skip
STATE_LABELS = {
    "stolen": gettext_lazy("被盗"),
    "broken": gettext_lazy("损坏"),
    "locked": gettext_lazy("锁门不开放"),
    "fees": gettext_lazy("收费"),
    "unpaid": gettext_lazy("未发放"),
    "delayed": gettext_lazy("延期"),
    "leaking": gettext_lazy("漏水"),
    "blocked": gettext_lazy("堵塞"),
    "collapsed": gettext_lazy("垮塌"),
    "potholes": gettext_lazy("路面破损"),
    "full": gettext_lazy("未清运"),
    "dust": gettext_lazy("灰尘"),
    "smell": gettext_lazy("异味"),
    "smoke": gettext_lazy("冒烟"),
    "dumping": gettext_lazy("乱倒垃圾"),
    "murky": gettext_lazy("水质浑浊"),
    "queue": gettext_lazy("排长队"),
    "noisy": gettext_lazy("噪音"),
    "rising": gettext_lazy("上涨"),
    "noon": gettext_lazy("中午"),
    "weekend": gettext_lazy("周末"),
    "morning": gettext_lazy("早上"),
    "miscounted": gettext_lazy("金额有误"),
    "rate": gettext_lazy("标准"),
    "absent": gettext_lazy("找不到人"),
    "failing": gettext_lazy("办不成"),
    "outage": gettext_lazy("停水停电"),
    "spoiled": gettext_lazy("变质"),
    "wanting": gettext_lazy("希望增设"),
    "polluting": gettext_lazy("排污"),
    "occupying": gettext_lazy("占道占用"),
}


# States one fault shows as: a burst main is a broken pipe, a leak and no water at the taps;
# a road that caved in is a road full of holes to the next resident.
STATE_FAMILIES = (
    frozenset({"broken", "outage"}),
    frozenset({"leaking", "outage"}),
    frozenset({"collapsed", "potholes"}),
    frozenset({"broken", "potholes"}),  # 烂了: a road full of holes, a railing broken
    frozenset({"locked", "absent"}),  # a clinic locked is a clinic with nobody there
)
COMPATIBLE: dict[str, frozenset[str]] = {
    key: frozenset().union(*(f for f in STATE_FAMILIES if key in f)) | {key} for key in STATES
}


# A time of day or week is a state only of opening hours (关门, 不上班 at noon); otherwise
# it is when the resident went (我早上八点去排队) and says nothing of the matter.
HOURS_STATES = frozenset({"noon", "weekend", "morning"})
_HOURS = re.compile(r"开门|关门|关了|一关|不开|没开|下班|上班|休息|午休|没人|锁|办公")


def _states(normalised: str) -> list[str]:
    hours = bool(_HOURS.search(normalised))
    return [
        key
        for key, words in STATES.items()
        if (hours or key not in HOURS_STATES) and any(w in normalised for w in words)
    ]


# ---------------------------------------------------------------------------------------
# Facets


@dataclass(frozen=True)
class Facets:
    villages: tuple[str, ...]  # the places' display names (红岩村)
    named: bool  # the villages are named in the text (else they are the resident's pick)
    groups: tuple[str, ...]  # "3组"
    things: tuple[str, ...]
    routes: tuple[tuple[str, str], ...]
    topics: tuple[str, ...]  # catalogue topic keys the text mentions with a topic's own words, most first
    offices: tuple[str, ...]  # the office of each of those topics
    topic_words: tuple[str, ...]  # the first matched word of each of those topics (shown in reasons)
    states: tuple[str, ...]
    words: tuple[str, ...]  # the content words, for how much of the wording is shared
    own: bool = False  # the resident's own case or a procedure question (see `OWN_CASE`)
    asks: bool = False  # a procedure question (see `PROCEDURE`)

    def as_json(self) -> dict[str, Any]:
        return {
            "v": list(self.villages), "n": self.named, "g": list(self.groups), "t": list(self.things),
            "r": [list(r) for r in self.routes], "k": list(self.topics), "o": list(self.offices), "kw": list(self.topic_words),
            "s": list(self.states), "w": list(self.words), "p": self.own, "q": self.asks,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Facets:
        return cls(
            villages=tuple(data["v"]), named=bool(data["n"]), groups=tuple(data["g"]), things=tuple(data["t"]),
            routes=tuple((a, b) for a, b in data["r"]), topics=tuple(data["k"]), offices=tuple(data["o"]), topic_words=tuple(data["kw"]),
            states=tuple(data["s"]), words=tuple(data["w"]), own=bool(data.get("p", False)), asks=bool(data.get("q", False)),
        )  # fmt: skip

    @property
    def locators(self) -> bool:
        return bool(self.groups or self.things or self.routes)


def _villages(cut: Sequence[str], normalised: str, places: Places) -> list[str]:
    named = [places.names[t] for t in cut if t in places.names]
    # Places written inside a longer token (红岩村三组 cut as one word) are found as written too.
    named += [shown for written, shown in places.names.items() if written in normalised]
    for i, token in enumerate(cut[:-1]):
        after = cut[i + 1]
        if token in places.stems and (
            _GROUP.fullmatch(after) or after.startswith(("那", "这", "村", "社区"))
        ):
            named.append(places.stems[token])
    return list(dict.fromkeys(named))


# A resident's own case of a benefit, a paper or a plot (我的低保, 我妈的养老金, 我家的宅基地)
# or a question how to do something (想问办残疾证要啥材料): two of them in one village on
# one matter are two residents' cases, not one problem.
OWN_CASE = re.compile(
    r"(我的|我家|我们家|我屋|我妈|我爸|我老汉|我老婆|我儿|我女|我爷|我奶|我婆|本人)[^，。！？,.!?]{0,8}"
    r"(低保|养老|社保|医保|补贴|补助|救助|证|户口|保险|报销|贷款|宅基地|房|地)"
)
PROCEDURE = re.compile(
    r"(想问|请问|咨询|问一下|问下).*(材料|手续|流程|怎么办|咋个办|咋办|哪里办|要啥|哪些|条件|能不能)"
)


def facets_of(message: str, *, village: str | None, places: Places, catalogue: text.Catalogue) -> Facets:
    """The facets of a resident's message; `village` is the place the resident picked (display name)."""
    normalised = text.normalise(message)
    cut = text.tokens(message, stopwords=True)
    named = _villages(cut, normalised, places)
    things = _things(cut, normalised, places)
    counted: list[tuple[int, int, str, str, str]] = []
    for order, mention in enumerate(catalogue.mentions(message)):
        # A topic's word inside a thing's name (服务 in 服务中心) says nothing of the matter.
        own = [w for w in mention.words if not any(w in t and w != t for t in things)]
        if mention.topic.names_office or not own:
            continue
        counted.append((-len(own), order, mention.topic.key, own[0], mention.topic.office))
    counted.sort()
    place_words = set(places.names) | set(places.stems) | set(things) | set(LANDMARKS)
    words = tuple(
        dict.fromkeys(
            t
            for t in cut
            if t not in text.STOPWORDS and t not in place_words and len(t) >= 2 and not t.isdigit()
        )
    )
    return Facets(
        villages=tuple(named) or ((village,) if village else ()),
        named=bool(named),
        groups=tuple(_groups(normalised)),
        things=tuple(things),
        routes=tuple(_routes(cut, places)),
        topics=tuple(c[2] for c in counted),
        offices=tuple(c[4] for c in counted),
        topic_words=tuple(c[3] for c in counted),
        states=tuple(_states(normalised)),
        words=words,
        own=bool(OWN_CASE.search(normalised) or PROCEDURE.search(normalised)),
        asks=bool(PROCEDURE.search(normalised)),
    )


# ---------------------------------------------------------------------------------------
# What a pair is compared by

ROAD_HEADS = ("路", "大道", "公路", "马路", "街", "巷", "桥")


def _objects(things: Sequence[str]) -> list[str]:
    """What is wrong: the objects; where there is none, the road or bridge itself (路垮了)."""
    objects = [t for t in things if not is_site(t)]
    return objects or [t for t in things if _head(t) in ROAD_HEADS]


@dataclass(frozen=True)
class Sets:
    """One message's facets as sets and the parts `compare` asks for, made once per message
    (a grouping compares each message with many others)."""

    villages: frozenset[str]
    groups: frozenset[str]
    routes: frozenset[tuple[str, str]]
    topics: frozenset[str]
    offices: frozenset[str]
    topic_words: frozenset[str]
    states: frozenset[str]
    words: frozenset[str]
    things: frozenset[str]
    sites: tuple[str, ...]
    objects: frozenset[str]


def sets_of(f: Facets) -> Sets:
    return Sets(
        villages=frozenset(f.villages),
        groups=frozenset(f.groups),
        routes=frozenset(f.routes),
        topics=frozenset(f.topics),
        offices=frozenset(f.offices),
        topic_words=frozenset(f.topic_words),
        states=frozenset(f.states),
        words=frozenset(f.words),
        things=frozenset(f.things),
        sites=tuple(t for t in f.things if is_site(t)),
        objects=frozenset(_objects(f.things)),
    )
