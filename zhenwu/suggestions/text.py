"""Residents' Chinese made matchable: normalising, segmenting, and the catalogue topics a text mentions.

Routing (`routing.py`) and duplicate detection build on these three calls, and nothing here
touches the database:

- `normalise(text)`: the form every comparison is made on. Full-width forms folded (NFKC),
  lower case, common traditional characters simplified (辦證→办证), emoji and other symbols
  dropped, common homophone typos corrected (反应→反映,
  按装→安装, 报消→报销, 帐→账, 以经→已经 …, see `TYPOS`). Only for matching: what the
  resident wrote is stored and shown as written.
- `tokens(text)`: the normalised text cut into words by jieba, with every catalogue word
  (and any word given to `add_words`) in its user dictionary; punctuation and the function
  words of `STOPWORDS` (的, 了, 啥子, 莫得 …) left out unless `stopwords=True`.
- `mentions(text, catalogue)`: which `Topic`s of a `Catalogue` the text mentions, each with
  the words that matched. A word matches only on token boundaries, so 石桥村 does not mention
  a bridge (桥) and 清水村 does not mention water.

The catalogue itself (the town's 派单目录) lives in the database (`catalogue.py`); a
`Catalogue` here is a read-only snapshot of it, or of the shipped data file.

jieba's dictionary is loaded once per process, on first use (about a second; its cache file
is written under var/cache, never into the package or a shared /tmp, since it is read back
with `marshal`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba

# Wrong → right, as residents type them with a pinyin keyboard. Applied longest first.
# Only pairs whose wrong form is not itself a word residents would mean are listed.
TYPOS: dict[str, str] = {
    "反应": "反映",
    "按装": "安装",
    "报消": "报销",
    "帐": "账",
    "以经": "已经",
    "己经": "已经",
    "因该": "应该",
    "低包": "低保",
    "底保": "低保",
    "新农和": "新农合",
    "新农河": "新农合",
    "拉圾": "垃圾",
    "垃级": "垃圾",
    "拉级": "垃圾",
    "补帖": "补贴",
    "补尝": "补偿",
    "赔尝": "赔偿",
    "按置": "安置",
    "安制": "安置",
    "宅机地": "宅基地",
    "宅基低": "宅基地",
    "户藉": "户籍",
    "身分证": "身份证",
    "危方": "危房",
    "垮蹋": "垮塌",
    "赌搏": "赌博",
    "炸骗": "诈骗",
    "摄象头": "摄像头",
    "签子": "签字",
    "盖张": "盖章",
    "灌慨": "灌溉",
    "猪温": "猪瘟",
    "工姿": "工资",
    "养老金金": "养老金",
    "路等不亮": "路灯不亮",
    "自来谁": "自来水",
    "派处所": "派出所",
    "财正所": "财政所",
}
_TYPO_RE = re.compile("|".join(re.escape(k) for k in sorted(TYPOS, key=len, reverse=True)))

# Some residents type traditional characters (a phone set that way): the common ones that
# differ from the simplified form, character by character (enough for matching words).
_TRADITIONAL = str.maketrans(
    "這個們來裡裏說話時間問題會對從後還沒麼為點樣麵邊過進開關門閉辦證務處員際廳號碼錢費補貼發給帳賬報銷醫"
    "療險農業鄉鎮縣區組幹黨團選舉導領書記長風紀貪態變讓謝請護傷動勞資產廠買賣價實質層樓電燈線網絡車輛駛騎"
    "禍盜賊騙賭錄監視頭髮鬥亂搶擾聲響鬧覺廁髒臟糞滿溝橋壞爛塊壩澆漑種蟲藥飼養豬雞鴨魚機歲孫兒學師讀課園衛"
    "診瘡殘貧難濟災墳遷戶構築劃規權屬畝徵償協議標準擔審簽蓋辭職僱傭結續貨運輸遞總經營與於兩幾萬億親專幫齊"
    "則體據參頁圖覽獎勵優貸莊稅漲溫濕乾淨裝鐘錶鑰鎖壓轉換織縫倉庫夠聽見寫嗎喲囉麗義夥隻條張場鋪攤臺檯樂歡"
    "戲遊舊雜飯館飲燒煙氣廢環綠樹葉礦採滅預應該確認識調詢訴檢驗測評論錯誤隊陣陸陽陰雲霧鄰闆闊豐頓顧額顯飛"
    "馬驅驚鬆麥黃齒龍龜",
    "这个们来里里说话时间问题会对从后还没么为点样面边过进开关门闭办证务处员际厅号码钱费补贴发给账账报销医"
    "疗险农业乡镇县区组干党团选举导领书记长风纪贪态变让谢请护伤动劳资产厂买卖价实质层楼电灯线网络车辆驶骑"
    "祸盗贼骗赌录监视头发斗乱抢扰声响闹觉厕脏脏粪满沟桥坏烂块坝浇溉种虫药饲养猪鸡鸭鱼机岁孙儿学师读课园卫"
    "诊疮残贫难济灾坟迁户构筑划规权属亩征偿协议标准担审签盖辞职雇佣结续货运输递总经营与于两几万亿亲专帮齐"
    "则体据参页图览奖励优贷庄税涨温湿干净装钟表钥锁压转换织缝仓库够听见写吗哟啰丽义伙只条张场铺摊台台乐欢"
    "戏游旧杂饭馆饮烧烟气废环绿树叶矿采灭预应该确认识调询诉检验测评论错误队阵陆阳阴云雾邻板阔丰顿顾额显飞"
    "马驱惊松麦黄齿龙龟",
)

# Function words and the dialect's fillers: never a topic, never what makes two messages alike.
STOPWORDS = frozenset(
    """的 了 是 我 我们 你 你们 他 他们 她 它 们 啊 呀 吧 吗 呢 嘛 哦 噢 哈 啦 嘞 哟 咯 么 嗯 喂
    啥 啥子 莫得 没得 咋 咋个 咋办 怎么 怎么办 怎么样 这 那 这个 那个 这些 那些 这里 那里 这边 那边
    有 在 也 都 就 还 又 和 跟 与 及 把 被 给 让 对 很 太 好 请 一下 一个 个 些 点 儿 就是 还是
    现在 已经 希望 能不能 能否 可以 可不可以 什么 为什么 谁 哪 哪里 哪个 老是 总是 经常 一直 到底
    麻烦 谢谢 你好 您好 问 问一下 请问 一些 但是 可是 所以 因为 如果 而且 然后 还有 或者
    得 地 着 过 来 去 说 要 会 想 能 没 不 没有 不是 是不是 有没有 晓得 知道 搞 弄 下 上""".split()  # noqa: SIM905
)

_SYMBOLS = re.compile(r"[\U0001F000-\U0001FFFF\u2600-\u27BF\uFE0F\u200B-\u200D\uFEFF]")
_SPACE = re.compile(r"\s+")
# A token made only of punctuation or spaces separates phrases; a catalogue word never spans it.
_PUNCT = re.compile(r"^[\s\W_]+$")
# Catalogue words longer than this many tokens are not looked for as token runs.
MAX_SPAN = 4

log = logging.getLogger(__name__)


def normalise(text: str) -> str:
    """The form of `text` that is matched against: see the module's docstring."""
    folded = unicodedata.normalize("NFKC", text or "").lower().translate(_TRADITIONAL)
    folded = _SYMBOLS.sub(" ", folded)
    folded = "".join(" " if unicodedata.category(c)[0] == "S" else c for c in folded)
    folded = _TYPO_RE.sub(lambda m: TYPOS[m.group(0)], folded)
    return _SPACE.sub(" ", folded).strip()


# ---------------------------------------------------------------------------------------
# The segmenter: one jieba tokenizer per process, built on first use.

_lock = threading.RLock()
_tokenizer: jieba.Tokenizer | None = None
_words: set[str] = set()  # every word given to add_words
_pending: set[str] = set()  # … of which the live tokenizer does not have these yet


def _cache_dir() -> Path:
    try:
        from django.conf import settings

        folder = Path(settings.VAR_DIR) / "cache"
    except Exception:  # used outside Django (a script, a notebook): the user's own temp dir
        folder = Path(tempfile.gettempdir()) / "zhenwu-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _segmenter() -> jieba.Tokenizer:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = str(_cache_dir())
            tokenizer.initialize()
            _tokenizer = tokenizer
            _pending.update(_words)
        if _pending:
            for word in sorted(_pending):
                _tokenizer.add_word(word)
            _pending.clear()
        return _tokenizer


_tags: dict[str, str] | None = None


def _word_tags() -> dict[str, str]:
    """jieba's dictionary's part-of-speech tag for each word, read once per process (kept in the
    cache folder: jieba.posseg would read the whole dictionary again, twice, about a second each)."""
    global _tags
    with _lock:
        if _tags is None:
            dictionary = _segmenter().get_dict_file()
            name = getattr(dictionary, "name", "dict")
            stat = os.stat(name) if os.path.exists(name) else None
            stamp = f"{name}|{stat.st_size}|{stat.st_mtime_ns}" if stat else name
            cached = _cache_dir() / f"jieba-tags-{hashlib.sha1(stamp.encode()).hexdigest()[:12]}.marshal"
            try:
                _tags = marshal.loads(cached.read_bytes())
            except (OSError, ValueError, EOFError, TypeError):
                tags = {}
                for line in dictionary.read().decode("utf-8").splitlines():
                    word, _sep, rest = line.strip().partition(" ")
                    _freq, _sep, tag = rest.partition(" ")
                    if word and tag:
                        tags[word] = tag
                _tags = tags
                with contextlib.suppress(OSError):
                    cached.write_bytes(marshal.dumps(tags))
            dictionary.close()
        return _tags


@lru_cache(maxsize=20000)
def word_classes(word: str) -> tuple[str, ...]:
    """The part-of-speech tags (jieba's dictionary's) of the words of `word` as the segmenter
    cuts it: 安置 → ("v",), 钢架 → ("n",); a word the dictionary has no tag for is "x"."""
    tags = _word_tags()
    with _lock:
        words = _segmenter().lcut(normalise(word), HMM=False)
    return tuple(tags.get(w, "x") for w in words)


def add_words(words: Iterable[str]) -> None:
    """Words the segmenter must keep whole (catalogue words, place names), normalised first.

    Cheap to call again with the same words; jieba itself is not loaded until text is cut.
    """
    new = {w for w in (normalise(w).replace(" ", "") for w in words) if w}
    with _lock:
        _pending.update(new - _words)
        _words.update(new)


def _cut(normalised: str) -> list[str]:
    segmenter = _segmenter()
    return [t for t in segmenter.cut(normalised, HMM=True) if t.strip()]


def tokens(text: str, *, stopwords: bool = False) -> list[str]:
    """The words of `text` (normalised), in order; punctuation never, function words on request."""
    return [t for t in _cut(normalise(text)) if not _PUNCT.match(t) and (stopwords or t not in STOPWORDS)]


# ---------------------------------------------------------------------------------------
# Catalogue topics


@dataclass(frozen=True)
class Topic:
    """A matter one office handles, with the words residents use for it.

    `key` is stable ("t<pk>" for a town's topic); `office` is the office's name as written;
    `department` the town's unit id where known. `words` say on their own that a message is
    about the matter; `weak` words only point to it (公开, 态度).
    `outranks` names the keys of topics this one beats when a text mentions both (欠薪 beats
    企业: wages owed by an enterprise go to 劳动保障所). `names_office` marks the topic
    whose words are the office's own names: a text that names an office asks for it.
    """

    key: str
    name: str
    office: str
    words: tuple[str, ...]
    weak: tuple[str, ...] = ()
    department: int | None = None
    category: str = ""
    outranks: tuple[str, ...] = ()
    names_office: bool = False


@dataclass(frozen=True)
class Mention:
    """A topic a text mentions, with the catalogue words that matched, first seen first:
    `words` of the topic's own words, `weak` of its weak ones (a mention may have only weak)."""

    topic: Topic
    words: tuple[str, ...]
    weak: tuple[str, ...] = ()


@dataclass
class Catalogue:
    """A read-only snapshot of a 派单目录: topics, and the index of their normalised words."""

    topics: tuple[Topic, ...]
    # normalised word → (topic, whether the word is one of the topic's weak words)
    _index: dict[str, list[tuple[Topic, bool]]] = field(default_factory=dict, init=False, repr=False)

    # "*厂": any longer token ending in 厂 (服装厂, 砖厂) — suffix → (topic, weak)
    _suffixes: dict[str, list[tuple[Topic, bool]]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for topic in self.topics:
            for weak, words in ((False, topic.words), (True, topic.weak)):
                for word in words:
                    pattern = word.startswith("*")
                    key = normalise(word.lstrip("*")).replace(" ", "")
                    index = self._suffixes if pattern else self._index
                    entries = index.setdefault(key, []) if key else []
                    if key and all(t.key != topic.key for t, _w in entries):
                        entries.append((topic, weak))
        add_words(self._index)

    def by_key(self) -> dict[str, Topic]:
        return {t.key: t for t in self.topics}

    def word_topics(self, word: str) -> list[tuple[Topic, bool]]:
        """The topics a normalised word belongs to, and whether it is weak there."""
        return self._index.get(word, [])

    def suffix_topics(self, token: str) -> list[tuple[Topic, bool]]:
        """The topics whose "*suffix" words a longer token ends with (服装厂 for *厂)."""
        return [
            entry
            for suffix, entries in self._suffixes.items()
            if len(token) > len(suffix) and token.endswith(suffix)
            for entry in entries
        ]

    def mentions(self, text: str) -> list[Mention]:
        return mentions(text, self)


def mentions(text: str, catalogue: Catalogue) -> list[Mention]:
    """The topics of `catalogue` that `text` mentions, in the order first mentioned.

    A catalogue word matches a token, or a run of up to `MAX_SPAN` adjacent tokens that
    joins to it (jieba may cut 医保报销 into 医保 / 报销; a run never crosses punctuation),
    or a part of two or more characters of a longer token that is not itself a catalogue
    word (自来水管 mentions 自来水 and 水管). A single character never matches inside a token,
    except as a "*厂" word: a suffix any longer token may end with (服装厂, 砖厂), matched as
    the whole token.
    """
    strong: dict[str, list[str]] = {}
    weak: dict[str, list[str]] = {}
    order: list[Topic] = []

    def hit(word: str, entries: list[tuple[Topic, bool]] | None = None) -> None:
        for topic, is_weak in catalogue.word_topics(word) if entries is None else entries:
            if topic.key not in strong:
                strong[topic.key], weak[topic.key] = [], []
                order.append(topic)
            words = (weak if is_weak else strong)[topic.key]
            if word not in words:
                words.append(word)

    cut = _cut(normalise(text))
    for start, token in enumerate(cut):
        if len(token) >= 3 and not catalogue.word_topics(token):
            # A compound jieba keeps whole (自来水管, 路灯杆子): the catalogue words inside it.
            for size in range(len(token) - 1, 1, -1):
                for i in range(len(token) - size + 1):
                    hit(token[i : i + size])
        if len(token) >= 2 and not catalogue.word_topics(token):
            hit(token, catalogue.suffix_topics(token))
        joined = ""
        for piece in cut[start : start + MAX_SPAN]:
            if _PUNCT.match(piece):
                break
            joined += piece
            hit(joined)
    return [Mention(t, tuple(strong[t.key]), tuple(weak[t.key])) for t in order]
