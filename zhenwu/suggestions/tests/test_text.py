"""The text module routing and duplicate detection share: normalising, tokens, topic mentions."""

from __future__ import annotations

import pytest

from zhenwu.suggestions import text
from zhenwu.suggestions.text import Catalogue, Topic, mentions, normalise, tokens

CATALOGUE = Catalogue(
    (
        Topic("light", "路灯", "村镇建设办", ("路灯", "灯不亮", "黑黢黢")),
        Topic("bridge", "桥梁", "村镇建设办", ("桥", "危桥")),
        Topic("water", "饮水", "村镇建设办", ("停水", "自来水", "水管")),
        Topic("insurance", "新农合报销", "社会事务办", ("新农合", "医保报销", "报销", "报账")),
        Topic("install", "安装", "村镇建设办", ("安装路灯",)),
    )
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("我要反应个问题", "我要反映个问题"),
        ("希望按装路灯", "希望安装路灯"),
        ("新农合报消太慢", "新农合报销太慢"),
        ("看病报帐", "看病报账"),
        ("以经跑了三趟", "已经跑了三趟"),
        ("吃低包", "吃低保"),
    ],
)
def test_homophone_typos_are_corrected_before_matching(typed, meant):
    assert normalise(typed) == meant


def test_normalising_folds_full_width_forms_and_drops_emoji():
    assert (
        normalise("路灯坏了😡😡，ＡＢＣ１２３  号") == "路灯坏了 ,abc123 号"
    )  # an emoji separates like a space


def test_tokens_keep_catalogue_words_whole_and_drop_fillers():
    words = tokens("石桥村三组的路灯坏了😡，晚上黑黢黢的，啥子都看不到")
    assert "路灯" in words and "黑黢黢" in words
    assert "的" not in words and "啥子" not in words and "，" not in words and "," not in words
    assert "的" in tokens("三组的路灯", stopwords=True)


def test_a_word_matches_only_on_token_boundaries():
    # 石桥村 is a village, not a bridge; 石桥村的危桥 is both.
    assert mentions("石桥村三组路灯不亮", CATALOGUE)[0].topic.key == "light"
    assert "bridge" not in {m.topic.key for m in mentions("石桥村三组路灯不亮", CATALOGUE)}
    assert "bridge" in {m.topic.key for m in mentions("石桥村的危桥没人管", CATALOGUE)}


def test_mentions_give_the_matched_words_in_order_of_first_mention():
    found = mentions("新农合报消太麻烦了，以经跑了三趟，路灯也不亮", CATALOGUE)
    assert [(m.topic.key, m.words) for m in found] == [
        ("insurance", ("新农合", "报销")),
        ("light", ("路灯",)),
    ]
    # A catalogue word jieba cuts in two still matches as a run of tokens.
    assert mentions("医保报销要跑县城", CATALOGUE)[0].words == ("医保报销",)
    assert mentions("看病报帐难", CATALOGUE)[0].words == ("报账",)


def test_a_typo_in_the_catalogue_word_itself_is_matched_the_same_way():
    catalogue = Catalogue((Topic("x", "安装", "村镇建设办", ("按装路灯",)),))
    assert mentions("希望安装路灯", catalogue)[0].words == ("安装路灯",)


def test_added_words_are_kept_whole_once_the_segmenter_is_loaded():
    tokens("先把分词器加载起来")
    text.add_words(["幺店子"])
    assert "幺店子" in tokens("幺店子门口的路灯坏了")


def test_text_without_any_topic_mentions_nothing():
    assert mentions("", CATALOGUE) == []
    assert mentions("😀😀😀", CATALOGUE) == []
    assert mentions("今天天气不错", CATALOGUE) == []


def test_catalogue_words_inside_a_compound_token_match_but_single_characters_do_not():
    found = {m.topic.key: m.words for m in mentions("自来水管爆了", CATALOGUE)}
    assert set(found["water"]) == {"自来水", "水管"}
    assert "bridge" not in {m.topic.key for m in mentions("石桥村", CATALOGUE)}


def test_weak_words_are_told_apart_from_the_topics_own_words():
    catalogue = Catalogue((Topic("open", "村务公开", "财政所", ("账目",), weak=("公开",)),))
    [only_weak] = mentions("什么都不公开", catalogue)
    assert (only_weak.words, only_weak.weak) == ((), ("公开",))
    [both] = mentions("账目不公开", catalogue)
    assert (both.words, both.weak) == (("账目",), ("公开",))


def test_a_starred_word_matches_the_end_of_a_longer_token_as_that_token():
    catalogue = Catalogue((Topic("factory", "企业", "经济发展办", ("企业", "*厂")),))
    [found] = mentions("新华村有个服装厂想扩建", catalogue)
    assert found.words == ("服装厂",)
    assert mentions("厂", catalogue) == []  # the suffix alone is not a factory
