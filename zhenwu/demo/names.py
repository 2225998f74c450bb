"""Plausible Chinese names and synthetic identifiers for the demo town (never real people)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from zhenwu.lib.identity import id_check_digit

# Common surnames, most frequent first; the weights follow their rough frequency.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "国建明华文军平志德秀英玉兰桂芳红春海林军强伟勇刚杰涛斌超波辉鹏磊静丽敏燕霞娟琴云莲凤淑珍荣昌盛福贵"
    "永成学良忠祥光庆兴发全顺玲梅芬萍洪清泉松柏宏俊健峰洋雪婷倩佳欣宇浩然子轩怡晨阳丹蓉秋菊冬"
)
# A county code of the kind a 丘区 town in Sichuan would carry; the numbers are synthetic.
REGION_CODES = ("511322", "511321", "511323")


def person_name(rng: random.Random) -> str:
    weights = [max(1.0, 60 - i) for i in range(len(SURNAMES))]
    surname = rng.choices(SURNAMES, weights=weights)[0]
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.72 else "")
    return surname + given


def id_number(rng: random.Random, *, born_from: int, born_to: int, male: bool, used: set[str]) -> str:
    """A checksum-valid 18-digit number for a synthetic person, unique within `used`."""
    while True:
        born = date(born_from, 1, 1) + timedelta(days=rng.randrange((born_to - born_from) * 365))
        seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
        body = f"{rng.choice(REGION_CODES)}{born:%Y%m%d}{seq:03d}"
        number = body + id_check_digit(body)
        if number not in used:
            used.add(number)
            return number


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
