"""How likely two residents' messages are one problem: a weighted score of what they share.

The facets (`facets.py`) say what a message is about: its villages, groups, things, topics,
states and content words. Hand rules over them ("another village: apart", "a matter alone: no
duplicate") were tuned on the messages they were written from and did not carry over to
text written later (2026-12: 66.7 % precision, 37.6 % recall on 200 new messages). So the
facets are turned into pair features — agreement of each facet, the named things both
mention, how much of their content wording is shared (TF-IDF cosine of the content words'
characters, with residents' words for one thing written alike, and the rare bigrams both use),
and how near the two are among the inbox's messages (each other's closest in wording, the
closest they share) — and a logistic regression weighs them. A difference in a facet both
state (another village both texts name, another group, another state of the thing, another
object at the one place, see `VETOES`) keeps a pair apart: it is found in at most a few per
cent of real duplicate pairs. The weights are learned from the hand-labelled development sets
by `bench/train_similarity.py` (which also picks the threshold from leave-one-set-out figures)
and shipped in `data/similarity_weights.json`; the reason shown to the office says in words
what the two share (`reason`).

Nothing here touches the database.
"""

from __future__ import annotations

import heapq
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from zhenwu.suggestions import facets as F

WEIGHTS = Path(__file__).resolve().parent / "data" / "similarity_weights.json"

# The features, in the order of the weights. Each is 0/1 or a share in [0, 1].
FEATURES = (
    "village_named_same",  # both texts name a village, and one of them is the same
    "village_named_other",  # both texts name villages, none the same
    "village_pick_same",  # the same village, at least one only as the resident's pick
    "village_pick_other",  # other villages, at least one only as the resident's pick
    "group_same",
    "group_other",
    "route_same",
    "route_other",
    "named_thing_same",  # a named thing both mention (巴味食品厂, 滨江路, 西拓花园)
    "kind_same",  # a kind of thing both mention (路灯, 水管, 提灌站)
    "town_thing_same",  # a thing of the whole town both mention (服务中心, 补贴, a company)
    "topic_first_same",  # what both are mainly about is one catalogue topic
    "topic_shared",  # they share some topic
    "topic_other_office",  # both have topics, of different offices only
    "state_same",  # what is wrong is said alike (坏, 没发, 锁)
    "state_other",  # both say what is wrong, and differently
    "char_cosine",  # the shared characters of the content words (挖沙子 / 采砂)
    "rare_shared",  # how many rare bigrams both use (up to 4, as a share)
    "where_other",  # both say where (a group, a site, a road by its ends), and nowhere the same
    "own_cases",  # two residents' own cases or questions, sharing no thing or place but the village
    "landmark_topic_other",  # only a landmark in common (村委会), and mainly about two topics
    "kind_nowhere",  # only a kind of thing in common (路灯), and neither says where
    "named_other",  # both name a thing of one kind by its own name, and not the same (两个补贴, 两家公司)
    "object_other_same_place",  # one place or thing, and another object there (its lift, its lamps)
    "matter_only",  # what is wrong is said alike, and nothing says where or what in common
    "nearest",  # each is among the other's closest in wording, in this inbox (1: each the other's closest)
    "shared_near",  # how many of their closest in wording they share
    "own_case",  # either is a resident's own case or a procedure question
    "both_ask",  # both are procedure questions
)


# A difference in a facet both messages state: another village both texts name, another
# group, another road, another state of the thing, another place both say, another object at
# the one place. Each is found in at most a few per cent of the duplicate pairs of the
# development sets (`bench/train_similarity.py` prints how many) and keeps a pair apart
# whatever else it shares: near misses (青龙村's garbage pit and 金山村's, a centre locked and
# the same centre's fees, an estate's lift and its lamps) share most of their wording.
VETOES = (
    "village_named_other", "group_other", "route_other", "state_other", "where_other",
    "object_other_same_place", "named_other", "own_cases", "landmark_topic_other", "kind_nowhere",
)  # fmt: skip


@dataclass(frozen=True)
class Model:
    weights: tuple[float, ...]
    bias: float
    threshold: float  # the probability from which two messages are one problem
    join: float  # the mean probability across two groups for them to join
    veto: float  # a pair below this probability keeps two groups apart

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Model:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = data["weights"]
        return cls(
            weights=tuple(float(weights.get(name, 0.0)) for name in FEATURES),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            join=float(data["join"]),
            veto=float(data["veto"]),
        )


@lru_cache(maxsize=1)
def model() -> Model:
    return Model.load()


# ---------------------------------------------------------------------------------------
# One message's wording as a vector


# Words residents use for one thing (a general lexicon of how people write, not of any set):
# compared as the first, so 欠工钱 and 拖欠工资 share 工资.
SAME_WORDS = {
    "工钱": "工资", "薪水": "工资", "欠薪": "欠工资", "薪资": "工资", "补助": "补贴", "津贴": "补贴",
    "砂": "沙", "莫得": "没有", "没得": "没有", "咋个": "怎么", "啥子": "什么", "晓得": "知道",
    "好久": "多久", "娃儿": "孩子", "老汉儿": "父亲", "耍手机": "玩手机", "遭": "被", "噻": "",
    "不动产证": "房产证", "产权证": "房产证", "二维码": "扫码", "小程序": "手机", "app": "手机",
}  # fmt: skip
_SAME_WORDS = re.compile("|".join(re.escape(k) for k in sorted(SAME_WORDS, key=len, reverse=True)))


def bigrams(words: Sequence[str]) -> list[str]:
    """The character bigrams of words (a two-character word is its own), residents' words for
    one thing written alike (see `SAME_WORDS`)."""
    grams: list[str] = []
    for w in words:
        w = _SAME_WORDS.sub(lambda m: SAME_WORDS[m.group(0)], w)
        grams.extend(w[i : i + 2] for i in range(len(w) - 1))
    return grams


def _chars(words: Sequence[str]) -> list[str]:
    return [c for w in words for c in _SAME_WORDS.sub(lambda m: SAME_WORDS[m.group(0)], w)]


def gram_idf(all_grams: Sequence[Sequence[str]]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for grams in all_grams:
        for g in set(grams):
            counts[g] = counts.get(g, 0) + 1
    n = len(all_grams) or 1
    return {g: math.log((1 + n) / (1 + c)) + 1.0 for g, c in counts.items()}


def unit_vector(items: Sequence[str], idf: Mapping[str, float]) -> dict[str, float]:
    tf: dict[str, float] = {}
    for g in items:
        tf[g] = tf.get(g, 0.0) + 1.0
    vec = {g: (1.0 + math.log(c)) * idf.get(g, 1.0) for g, c in tf.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {g: v / norm for g, v in vec.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    return sum([a[g] * b[g] for g in a.keys() & b.keys()])


# ---------------------------------------------------------------------------------------
# A pair


@dataclass(frozen=True)
class Message:
    """What a pair's features are made from, made once per message."""

    facets: F.Facets
    sets: F.Sets
    grams: dict[str, float]  # unit TF-IDF vector of the bigrams of content words and things
    idf: Mapping[str, float]  # each of those bigrams' rarity (shared by all messages)
    weight: float  # the sum of those bigrams' rarity
    top: float  # the rarity a bigram found in one message only has
    chars: dict[str, float]  # unit TF-IDF vector of the content words' characters
    rare: frozenset[str]  # its bigrams at least `RARE` as rare as one found in one message only
    sites: tuple[str, ...]  # the sites it names (a road, a bridge, an estate; not a landmark)

    @property
    def where(self) -> bool:
        return bool(self.facets.groups or self.sites or self.facets.routes)


@dataclass(frozen=True)
class Vocabulary:
    """How rare each bigram and character is among the messages of one inbox (or one set of
    open problems): a message from outside is weighed by the same measure."""

    grams: Mapping[str, float]
    chars: Mapping[str, float]
    top: float

    def message(self, f: F.Facets) -> Message:
        grams = bigrams((*f.words, *f.things))
        return Message(
            f,
            F.sets_of(f),
            unit_vector(grams, self.grams),
            self.grams,
            sum(self.grams.get(x, self.top) for x in set(grams)),
            self.top,
            unit_vector(_chars(f.words), self.chars),
            frozenset(g for g in grams if self.grams.get(g, self.top) >= RARE * self.top),
            tuple(t for t in f.things if F.is_site(t) and t not in F.LANDMARKS),
        )


def vocabulary(all_facets: Sequence[F.Facets]) -> Vocabulary:
    return Vocabulary(
        gram_idf([bigrams((*f.words, *f.things)) for f in all_facets]),
        gram_idf([_chars(f.words) for f in all_facets]),
        math.log((1 + len(all_facets)) / 2) + 1.0,
    )


def prepare(all_facets: Sequence[F.Facets], vocab: Vocabulary | None = None) -> list[Message]:
    vocab = vocab or vocabulary(all_facets)
    return [vocab.message(f) for f in all_facets]


RARE = 0.6  # a bigram at least this share as rare as one in a single message is a rare one


@lru_cache(maxsize=20000)
def _named_kinds(things: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The things a message calls by their own name (天蓝公司, 地力补贴), by their kind."""
    kinds: dict[str, list[str]] = {}
    for t in things:
        head = F._head(t)
        if head is not None and t != head and not F.is_generic(t) and t not in F.LANDMARKS:
            kinds.setdefault(head, []).append(t)
    return {head: tuple(names) for head, names in kinds.items()}


def _named_other(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Both name a thing of one kind by its own name (地力补贴 / 农机购置补贴, 天蓝公司 / 宏发公司),
    and no name of that kind is the same thing."""
    theirs = _named_kinds(b)
    if not theirs:
        return False
    return any(
        head in theirs and not any(F.things_match(x, y) for x in xs for y in theirs[head])
        for head, xs in _named_kinds(a).items()
    )


def quick_veto(x: Message, y: Message) -> bool:
    """The vetoes that need no more than the facets' sets: another village both texts name,
    another group of one village, another road (checked before the rest is worked out)."""
    sa, sb = x.sets, y.sets
    if x.facets.named and y.facets.named and sa.villages and sb.villages and not sa.villages & sb.villages:
        return True
    same_v = bool(sa.villages & sb.villages) or not (sa.villages and sb.villages)
    if sa.groups and sb.groups and not (same_v and sa.groups & sb.groups):
        return True
    return bool(sa.routes and sb.routes) and not sa.routes & sb.routes


def features(
    x: Message, y: Message, near: tuple[float, float] = (0.0, 0.0), chars: float | None = None
) -> tuple[float, ...]:
    """The pair's features, in the order of `FEATURES`; `near` is how near they are among the
    inbox's messages (see `Inbox`), `chars` their `wording` where known already."""
    a, b, sa, sb = x.facets, y.facets, x.sets, y.sets
    same_v = bool(sa.villages & sb.villages)
    both_v = bool(sa.villages and sb.villages)
    both_named = a.named and b.named
    # A landmark both mention (村委会) is where they went, not what is wrong.
    matching = [t for t in a.things if t not in F.LANDMARKS and any(F.things_match(t, u) for u in b.things)]
    named = any(not F.is_generic(t) and not F.is_town_thing(t) for t in matching)
    kind = any(F.is_generic(t) for t in matching)
    town = any(F.is_town_thing(t) for t in matching)
    object_other = bool(sa.objects and sb.objects) and not any(
        F.things_match(p, q) for p in sa.objects for q in sb.objects
    )
    states = any(not F.COMPATIBLE[s].isdisjoint(sb.states) for s in sa.states)
    # One object said to be wrong in two ways (a pond leaking, its bank cracked) is one
    # matter; two states are two matters of a place, a person or a town-wide thing.
    one_object = any(
        t in sa.objects and not F.is_town_thing(t) and F._head(t) not in F.PERSON_HEADS for t in matching
    )
    first_topic = bool(a.topics and b.topics) and a.topics[0] == b.topics[0]
    place = same_v or bool(sa.routes & sb.routes) or named
    rare = len(x.rare & y.rare)
    # A group is a place in its village: 3组 of two villages are two places.
    same_groups = bool(sa.groups & sb.groups) and (same_v or not both_v)
    where_other = (
        bool(x.where and y.where)
        and not (same_groups or sa.routes & sb.routes)
        and not any(F.things_match(p, q) for p in x.sites for q in y.sites)
    )
    return (
        float(both_named and same_v),
        float(both_named and both_v and not same_v),
        float(not both_named and same_v),
        float(not both_named and both_v and not same_v),
        float(same_groups),
        float(bool(sa.groups and sb.groups) and not same_groups),
        float(bool(sa.routes & sb.routes)),
        float(bool(sa.routes and sb.routes) and not sa.routes & sb.routes),
        float(named),
        float(kind),
        float(town),
        float(first_topic),
        float(bool(sa.topics & sb.topics)),
        float(bool(sa.offices and sb.offices) and not sa.offices & sb.offices),
        float(states),
        float(bool(sa.states and sb.states) and not states and not one_object),
        cosine(x.chars, y.chars) if chars is None else chars,
        min(4, rare) / 4,
        float(where_other),
        float(a.own and b.own and not (matching or same_groups or sa.routes & sb.routes)),
        float(
            not (matching or states or same_groups)
            and any(t in F.LANDMARKS and t in sb.things for t in a.things)
            and bool(a.topics and b.topics)
            and a.topics[0] != b.topics[0]
        ),
        float(kind and not (named or town) and not (sa.villages or sb.villages or x.where or y.where)),
        float(_named_other(a.things, b.things)),
        float(object_other and (same_v or named or town)),
        float((states or first_topic) and not (place or matching)),
        near[0],
        near[1],
        float(a.own or b.own),
        float(a.asks and b.asks),
    )


_VETO_AT = tuple(FEATURES.index(name) for name in VETOES)


def vetoed(values: Sequence[float]) -> bool:
    return any(values[i] for i in _VETO_AT)


def probability(values: Sequence[float], m: Model | None = None) -> float:
    """The probability the pair is one problem (0 where a facet both state differs)."""
    if vetoed(values):
        return 0.0
    m = m or model()
    z = m.bias + sum([w * v for w, v in zip(m.weights, values, strict=True) if v])
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def contributions(values: Sequence[float], m: Model | None = None) -> dict[str, float]:
    """What each feature adds to the score (for the reason shown)."""
    m = m or model()
    return {name: w * v for name, w, v in zip(FEATURES, m.weights, values, strict=True) if w * v}


# ---------------------------------------------------------------------------------------
# Which pairs to score, and how near each is among the inbox's messages

CAP = 20  # a bigram or thing more messages than this use is no evidence of one problem


def _keys(f: F.Facets, grams: Iterable[str]) -> list[str]:
    keys = [*grams, *(f"t:{t}" for t in f.things)]
    keys += [f"k:{v}:{k}" for v in f.villages or ("",) for k in f.topics[:2]]
    keys += [f"r:{a}:{b}" for a, b in f.routes]
    keys += [f"g:{v}:{g}" for v in f.villages or ("",) for g in f.groups]
    return keys


def index_of(messages: Sequence[Message]) -> dict[str, list[int]]:
    """An inverted index: each bigram, thing and (village, topic) → the messages with it."""
    index: dict[str, list[int]] = {}
    for i, m in enumerate(messages):
        for key in _keys(m.facets, m.grams):
            index.setdefault(key, []).append(i)
    return index


PARTNERS = 10  # the most promising partners each message keeps (by the rarity of what they share)


def candidate_pairs(
    messages: Sequence[Message], index: Mapping[str, list[int]] | None = None
) -> set[tuple[int, int]]:
    """Pairs that share a rare bigram, a thing, or a topic in one village (see `CAP`), each
    message keeping its `PARTNERS` partners sharing the rarest; every other pair shares too
    little to score. Bounded work per message, however large the inbox."""
    index = index if index is not None else index_of(messages)
    shared: dict[tuple[int, int], float] = {}
    for rows in index.values():
        if len(rows) < 2 or len(rows) > CAP:
            continue
        weight = 1.0 / len(rows)
        for p, i in enumerate(rows):
            for j in rows[p + 1 :]:
                key = (i, j) if i < j else (j, i)
                shared[key] = shared.get(key, 0.0) + weight
    best: dict[int, list[tuple[float, int]]] = {}
    for (i, j), weight in shared.items():
        best.setdefault(i, []).append((weight, j))
        best.setdefault(j, []).append((weight, i))
    pairs: set[tuple[int, int]] = set()
    for i, found in best.items():
        if len(found) > PARTNERS:
            found = heapq.nlargest(PARTNERS, found)
        pairs.update((i, j) if i < j else (j, i) for _w, j in found)
    return pairs


def wording(x: Message, y: Message) -> float:
    """How alike two messages' wording is (what a message's nearest neighbours are ranked by):
    the cosine of their content characters' TF-IDF."""
    return cosine(x.chars, y.chars)


NEIGHBOURS = 5  # the closest messages in wording that a message's neighbourhood holds


@dataclass
class Inbox:
    """A set of messages scored against each other: the pairs worth scoring, each message's
    neighbours in wording, and each pair's probability (made on first ask).

    Residents writing of one thing share few words in all (short messages, dialect), but they
    share more with each other than with anyone else in the inbox: how near a pair is among
    each one's candidates (`near`) is a feature of its own."""

    messages: list[Message]
    vocab: Vocabulary
    model: Model
    index: dict[str, list[int]]
    pairs: set[tuple[int, int]]
    close: list[list[float]]  # each message's similarities to its candidates, highest first
    hood: list[frozenset[int]]  # each message and its NEIGHBOURS closest
    near: dict[tuple[int, int], tuple[float, float]]
    sims: dict[tuple[int, int], float]  # each candidate pair's `wording`
    scored: dict[tuple[int, int], float]

    def probability(self, i: int, j: int) -> float:
        key = (i, j) if i < j else (j, i)
        found = self.scored.get(key)
        if found is None:
            x, y = self.messages[key[0]], self.messages[key[1]]
            if quick_veto(x, y):
                found = self.scored[key] = 0.0
            else:
                values = features(x, y, self.near.get(key, (0.0, 0.0)), self.sims.get(key))
                found = self.scored[key] = probability(values, self.model)
        return found

    def features(self, i: int, j: int) -> tuple[float, ...]:
        key = (i, j) if i < j else (j, i)
        x, y = self.messages[key[0]], self.messages[key[1]]
        return features(x, y, self.near.get(key, (0.0, 0.0)), self.sims.get(key))

    def outside(
        self, f: F.Facets, *, exclude: int | None = None
    ) -> list[tuple[int, float, tuple[float, ...]]]:
        """A message not in the inbox against the inbox's messages it shares something with:
        (row, probability, features), most likely first. Its neighbours are ranked as if it
        were one more message of the inbox."""
        target = self.vocab.message(f)
        rows: set[int] = set()
        for key in _keys(f, target.grams):
            found = self.index.get(key, ())
            if len(found) < CAP:
                rows.update(found)
        rows.discard(exclude)  # type: ignore[arg-type]
        sims = sorted(((wording(target, self.messages[r]), r) for r in rows), key=lambda t: (-t[0], t[1]))
        mine = {r: rank for rank, (_sim, r) in enumerate(sims, start=1)}
        hood = frozenset({-1, *(r for _sim, r in sims[:NEIGHBOURS])})
        out = []
        for sim, r in sims:
            theirs = 1 + sum(1 for other in self.close[r] if other > sim)
            their_hood = self.hood[r] | ({-1} if theirs <= NEIGHBOURS else set())
            near = ((1 / mine[r] + 1 / theirs) / 2, len(hood & their_hood) / len(hood | their_hood))
            values = features(target, self.messages[r], near, sim)
            out.append((r, probability(values, self.model), values))
        return sorted(out, key=lambda t: (-t[1], t[0]))


def inbox(all_facets: Sequence[F.Facets], *, m: Model | None = None) -> Inbox:
    vocab = vocabulary(all_facets)
    messages = prepare(all_facets, vocab)
    index = index_of(messages)
    pairs = candidate_pairs(messages, index)
    alike = {(i, j): wording(messages[i], messages[j]) for i, j in pairs}
    sims: dict[int, list[tuple[float, int]]] = {i: [] for i in range(len(messages))}
    for (i, j), sim in alike.items():
        sims[i].append((sim, j))
        sims[j].append((sim, i))
    rank: dict[tuple[int, int], int] = {}
    close: list[list[float]] = []
    hood: list[frozenset[int]] = []
    for i in range(len(messages)):
        ordered = sorted(sims[i], key=lambda t: (-t[0], t[1]))
        close.append([sim for sim, _j in ordered])
        hood.append(frozenset({i, *(j for _sim, j in ordered[:NEIGHBOURS])}))
        for r, (_sim, j) in enumerate(ordered, start=1):
            rank[(i, j)] = r
    near = {
        (i, j): ((1 / rank[(i, j)] + 1 / rank[(j, i)]) / 2, len(hood[i] & hood[j]) / len(hood[i] | hood[j]))
        for i, j in pairs
    }
    return Inbox(messages, vocab, m or model(), index, pairs, close, hood, near, alike, {})


def group(box: Inbox, *, apart: Iterable[tuple[int, int]] = (), max_group: int = 60) -> list[list[int]]:
    """Groups (of indexes, two or more each, largest first) of messages that are one problem.

    The likeliest pairs are joined first; two groups join only when the mean probability over
    all pairs across them reaches `join` and none is below `veto`, so a chain of look-alikes
    (the service hall's queue, its printer, its windows) does not grow into one group.
    `apart` are pairs never to be joined."""
    m = box.model
    never = {(min(i, j), max(i, j)) for i, j in apart}
    ranked = sorted(((box.probability(i, j), i, j) for i, j in box.pairs), key=lambda t: (-t[0], t[1], t[2]))
    owner = list(range(len(box.messages)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(box.messages))}
    for prob, i, j in ranked:
        if prob < m.threshold:
            break
        a, b = owner[i], owner[j]
        if a == b or len(members[a]) + len(members[b]) > max_group:
            continue
        cross = [(x, y) for x in members[a] for y in members[b]]
        if any((min(x, y), max(x, y)) in never for x, y in cross):
            continue
        probs = [box.probability(x, y) for x, y in cross]
        if min(probs) < m.veto or sum(probs) / len(probs) < m.join:
            continue
        if len(members[a]) < len(members[b]):
            a, b = b, a
        for x in members.pop(b):
            owner[x] = a
            members[a].append(x)
    found = [sorted(g) for g in members.values() if len(g) > 1]
    return sorted(found, key=lambda g: (-len(g), g[0]))


# ---------------------------------------------------------------------------------------
# The reason shown


def reason(a: F.Facets, b: F.Facets, names: Mapping[str, str] | None = None) -> str:
    """What two messages share, in words: 同村（红岩村）· 同一对象（3组路灯）· 同一事项（路灯照明·损坏）,
    or the rarest words both use where no facet is shared (用词相近：值班电话)."""
    names = names or {}
    same_v = [v for v in a.villages if v in b.villages]
    groups = [g for g in a.groups if g in b.groups]
    things = [t for t in a.things if t not in F.LANDMARKS and any(F.things_match(t, u) for u in b.things)]
    states = [s for s in a.states if not F.COMPATIBLE[s].isdisjoint(b.states)]
    topics = [k for k in a.topics if k in b.topics]
    reasons: list[str] = []
    if same_v:
        reasons.append(_("同村（%(v)s）") % {"v": "、".join(same_v)})
    elif (states or topics) and any(F.is_town_thing(t) for t in things):
        reasons.append(_("全镇同一事项"))
    label = "".join(groups) + "、".join(things[:2])
    if label:
        reasons.append(_("同一对象（%(t)s）") % {"t": label})
    matter = [names.get(k, k) for k in topics[:1]] + [str(F.STATE_LABELS[s]) for s in states[:2]]
    if matter:
        reasons.append(_("同一事项（%(m)s）") % {"m": "·".join(matter)})
    words = [w for w in a.words if w in b.words]
    if words and len(reasons) < 2:
        reasons.append(_("用词相近（%(w)s）") % {"w": "、".join(words[:3])})
    return " · ".join(reasons)
