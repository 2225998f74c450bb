#!/usr/bin/env python3
"""Validate residents_messages_blind2.jsonl and near_misses.tsv; print counts. Exit 1 on a problem."""

import collections
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
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
VILLAGES = (
    "红岩村",
    "石桥村",
    "白鹤村",
    "青龙村",
    "金山村",
    "龙泉村",
    "柏林村",
    "桂花村",
    "双河村",
    "新华村",
    "马鞍村",
    "五里村",
    "长岭村",
    "回龙村",
    "高峰村",
    "凤凰村",
    "清水村",
    "太平村",
    "永安村",
    "和平村",
    "光明村",
    "幸福村",
    "团结村",
    "大坪村",
    "黄桷村",
    "观音村",
    "三星村",
    "莲花村",
    "狮子村",
    "庙湾村",
)
FIELDS = ["id", "village", "text", "office", "second", "cluster", "split"]


def main():
    problems = []
    msgs = []
    with open(os.path.join(HERE, "residents_messages_blind2.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                m = json.loads(line)
            except ValueError as exc:
                problems.append(f"line {n}: bad JSON ({exc})")
                continue
            if list(m) != FIELDS:
                problems.append(f"line {n}: fields {list(m)}")
            msgs.append(m)

    ids = [m["id"] for m in msgs]
    if len(set(ids)) != len(ids):
        problems.append("ids not unique")
    if sorted(ids) != list(range(3001, 3001 + len(ids))):
        problems.append("ids are not a contiguous run from 3001")
    if len(msgs) != 300:
        print(f"NOTE: {len(msgs)} messages (target 300)")
    by_id = {m["id"]: m for m in msgs}
    for m in msgs:
        i = m["id"]
        if m["office"] not in OFFICES:
            problems.append(f"{i}: office {m['office']!r} not allowed")
        if m["second"] is not None and m["second"] not in OFFICES:
            problems.append(f"{i}: second {m['second']!r} not allowed")
        if m["second"] == m["office"]:
            problems.append(f"{i}: second equals office")
        if m["village"] is not None and m["village"] not in VILLAGES:
            problems.append(f"{i}: village {m['village']!r} not in list")
        if m["split"] != "blind2":
            problems.append(f"{i}: split {m['split']!r}")
        if not isinstance(m["text"], str) or not m["text"].strip():
            problems.append(f"{i}: empty text")
    texts = [m["text"] for m in msgs]
    if len(set(texts)) != len(texts):
        problems.append("two messages have identical text")

    clusters = collections.defaultdict(list)
    for m in msgs:
        if m["cluster"] is not None:
            clusters[m["cluster"]].append(m["id"])
    for c, members in clusters.items():
        if len(members) < 2:
            problems.append(f"cluster {c} has only {len(members)} member")
    order = sorted(msgs, key=lambda m: m["id"])
    for a, b in zip(order, order[1:], strict=False):
        if a["cluster"] and a["cluster"] == b["cluster"]:
            problems.append(f"cluster {a['cluster']} members {a['id']} and {b['id']} are adjacent")

    near = []
    nm_path = os.path.join(HERE, "near_misses.tsv")
    with open(nm_path, encoding="utf-8") as fh:
        fh.readline()  # the header
        for line in fh:
            nid, cluster, note = line.rstrip("\n").split("\t")[:3]
            nid = int(nid)
            near.append((nid, cluster, note))
            if nid not in by_id:
                problems.append(f"near miss {nid}: no such id")
            elif cluster not in clusters:
                problems.append(f"near miss {nid}: no such cluster {cluster}")
            elif by_id[nid]["cluster"] == cluster:
                problems.append(f"near miss {nid} is itself a member of {cluster}")

    office_n = collections.Counter(m["office"] for m in msgs)
    second_n = collections.Counter(m["second"] for m in msgs if m["second"])
    print(f"messages: {len(msgs)}  ids {min(ids)}-{max(ids)}")
    print("office (first)   count  as-second")
    for o in OFFICES:
        flag = "" if 22 <= office_n[o] <= 32 else "  <-- outside 22-32"
        print(f"  {o:<12}\t{office_n[o]:>3}\t{second_n[o]:>3}{flag}")
        if not 22 <= office_n[o] <= 32:
            problems.append(f"office {o} has {office_n[o]} messages (want 22-32)")
    with_second = sum(1 for m in msgs if m["second"])
    print(f"with a second office: {with_second}")
    sizes = collections.Counter(len(v) for v in clusters.values())
    pairs = sum(len(v) * (len(v) - 1) // 2 for v in clusters.values())
    in_cluster = sum(len(v) for v in clusters.values())
    print(
        f"clusters: {len(clusters)}  members: {in_cluster}  sizes: "
        + ", ".join(f"{k}x{sizes[k]}" for k in sorted(sizes))
    )
    print(f"duplicate pairs: {pairs}")
    print(f"near misses: {len(near)} rows covering {len({c for _, c, _ in near})} clusters")
    null_v = sum(1 for m in msgs if m["village"] is None)
    print(f"village null: {null_v} ({100 * null_v / len(msgs):.0f} %)")
    lens = [len(t) for t in texts]
    print(f"length (chars): min {min(lens)}  median {statistics.median(lens):g}  max {max(lens)}")

    if problems:
        print("\nPROBLEMS:")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
