"""Validate residents_messages_blind.jsonl (stdlib only). Exit 1 on a problem."""

import json
import sys
from collections import Counter
from pathlib import Path

OFFICES = (
    "党政办",
    "经济发展办",
    "社会事务办",
    "村镇建设办",
    "农业服务中心",
    "财政所",
    "劳动保障所",
    "国土所",
    "派出所",
    "政务快捷服务中心",
    "失地农民服务中心",
)
VILLAGES = set(
    [
        "三星村",
        "五里村",
        "光明村",
        "凤凰村",
        "双河村",
        "和平村",
        "回龙村",
        "团结村",
        "大坪村",
        "太平村",
        "幸福村",
        "庙湾村",
        "新华村",
        "柏林村",
        "桂花村",
        "永安村",
        "清水村",
        "滨江社区",
        "狮子村",
        "白鹤村",
        "石桥村",
        "红岩村",
        "莲花村",
        "西拓社区",
        "观音村",
        "金山村",
        "长岭村",
        "青龙村",
        "马鞍村",
        "高峰村",
        "黄桷村",
        "龙泉村",
    ]
)
FIELDS = ("id", "village", "text", "office", "second", "cluster", "split")

path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "residents_messages_blind.jsonl"
problems, rows = [], []
for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
    try:
        r = json.loads(line)
    except json.JSONDecodeError as e:
        problems.append(f"line {n}: bad JSON ({e})")
        continue
    if set(r) != set(FIELDS):
        problems.append(f"line {n}: fields {sorted(r)}")
        continue
    rows.append(r)
    i = r["id"]
    if not isinstance(i, int) or not 2001 <= i <= 2200:
        problems.append(f"{i}: id outside 2001-2200")
    if not isinstance(r["text"], str) or not r["text"].strip():
        problems.append(f"{i}: empty text")
    if r["office"] not in OFFICES:
        problems.append(f"{i}: office {r['office']!r} not a town office")
    if r["second"] is not None and (r["second"] not in OFFICES or r["second"] == r["office"]):
        problems.append(f"{i}: second {r['second']!r} invalid")
    if r["village"] is not None and r["village"] not in VILLAGES:
        problems.append(f"{i}: village {r['village']!r} not in the list")
    if r["cluster"] is not None and not (isinstance(r["cluster"], str) and r["cluster"]):
        problems.append(f"{i}: cluster {r['cluster']!r} invalid")
    if r["split"] != "blind":
        problems.append(f"{i}: split {r['split']!r}")
ids = [r["id"] for r in rows]
if len(ids) != len(set(ids)):
    problems.append("ids not unique: " + str([k for k, v in Counter(ids).items() if v > 1]))
if sorted(ids) != list(range(2001, 2001 + len(ids))):
    problems.append("ids are not a run from 2001")
texts = Counter(r["text"] for r in rows)
for t, v in texts.items():
    if v > 1:
        problems.append(f"text repeated {v}x: {t[:30]}")
clusters = Counter(r["cluster"] for r in rows if r["cluster"])
for c, v in clusters.items():
    if v < 2:
        problems.append(f"cluster {c} has only {v} member")

print(f"messages: {len(rows)}")
print("office               total  as second")
office = Counter(r["office"] for r in rows)
second = Counter(r["second"] for r in rows if r["second"])
for o in OFFICES:
    print(f"  {o:<12}\t{office[o]:>3}\t{second[o]:>3}")
print(f"with a second office: {sum(second.values())}")
sizes = Counter(clusters.values())
print(
    f"clusters: {len(clusters)}  members: {sum(clusters.values())}  sizes: "
    + ", ".join(f"{v} of {k}" for k, v in sorted(sizes.items()))
)
for c in sorted(clusters):
    offs = Counter(r["office"] for r in rows if r["cluster"] == c)
    print(f"  {c}: {clusters[c]}  {'/'.join(offs)}")
print(f"duplicate pairs (sum n(n-1)/2): {sum(v * (v - 1) // 2 for v in clusters.values())}")
nulls = sum(r["village"] is None for r in rows)
print(f"village null: {nulls}/{len(rows)} = {nulls / max(len(rows), 1):.0%}")
lens = sorted(len(r["text"]) for r in rows)
if lens:
    print(f"text length: min {lens[0]}, median {lens[len(lens) // 2]}, max {lens[-1]}")
if len(rows) != 200:
    problems.append(f"expected 200 messages, found {len(rows)}")
for p in problems:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
