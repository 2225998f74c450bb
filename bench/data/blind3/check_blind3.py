#!/usr/bin/env python3
"""Validate residents_messages_blind3.jsonl and near_misses.tsv; print counts. Exit 1 on a problem.

Checks: fields and their order, ids unique and contiguous from 4001, offices (and second) in
the list of 11 with second != office, villages in the list of 12 (or null), split "test",
clusters with >= 2 members and none adjacent in id order, near-miss ids exist, differ and are
not in the same cluster, no identical texts, no near-identical texts (equal after dropping
punctuation/space/emoji, or character-bigram Jaccard >= 0.8), each office 24-32. Stdlib only.
"""

import collections
import json
import os
import statistics
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
FIRST_ID = 4001
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
# Spellings a resident might use for an office's full name (traditional characters included).
OFFICE_SPELLINGS = {o: (o,) for o in OFFICES}
OFFICE_SPELLINGS["财政所"] = ("财政所", "財政所")
OFFICE_SPELLINGS["派出所"] = ("派出所",)
VILLAGES = (
    "回龙村",
    "光明村",
    "和平村",
    "红星村",
    "新华村",
    "桥头村",
    "石桥村",
    "白鹤村",
    "柳湾村",
    "青山村",
    "滨江社区",
    "西拓社区",
)
FIELDS = ["id", "village", "text", "office", "second", "cluster", "split"]
NEAR_DUP_JACCARD = 0.8


def normalise(text):
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in ("L", "N"))


def bigrams(text):
    t = normalise(text)
    return {t[i : i + 2] for i in range(len(t) - 1)} or {t}


def named_offices(text):
    found = []
    for office, spellings in OFFICE_SPELLINGS.items():
        if any(s in text for s in spellings):
            found.append(office)
    # 失地农民服务中心 and 政务快捷服务中心 contain no other office's name, but 派出所 can
    # appear inside nothing else either; nothing to de-duplicate.
    return found


def main():
    problems = []
    msgs = []
    with open(os.path.join(HERE, "residents_messages_blind3.jsonl"), encoding="utf-8") as fh:
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
    if sorted(ids) != list(range(FIRST_ID, FIRST_ID + len(ids))):
        problems.append(f"ids are not a contiguous run from {FIRST_ID}")
    if len(msgs) != 300:
        problems.append(f"{len(msgs)} messages (want 300)")
    by_id = {m["id"]: m for m in msgs}
    for m in msgs:
        i = m["id"]
        if m["office"] not in OFFICES:
            problems.append(f"{i}: office {m['office']!r} not allowed")
        if m["second"] is not None and m["second"] not in OFFICES:
            problems.append(f"{i}: second {m['second']!r} not allowed")
        if m["second"] is not None and m["second"] == m["office"]:
            problems.append(f"{i}: second equals office")
        if m["village"] is not None and m["village"] not in VILLAGES:
            problems.append(f"{i}: village {m['village']!r} not in list")
        if m["split"] != "test":
            problems.append(f"{i}: split {m['split']!r}")
        if m["cluster"] is not None and not (m["cluster"].startswith("g") and m["cluster"][1:].isdigit()):
            problems.append(f"{i}: cluster {m['cluster']!r} not of the form gN")
        if not isinstance(m["text"], str) or not m["text"].strip():
            problems.append(f"{i}: empty text")

    # identical and near-identical texts
    texts = [m["text"] for m in msgs]
    if len(set(texts)) != len(texts):
        problems.append("two messages have identical text")
    norm = collections.defaultdict(list)
    for m in msgs:
        norm[normalise(m["text"])].append(m["id"])
    for v in norm.values():
        if len(v) > 1:
            problems.append(f"near-identical texts (same after dropping punctuation): {v}")
    grams = {m["id"]: bigrams(m["text"]) for m in msgs}
    closest = []
    for a_i, a in enumerate(msgs):
        for b in msgs[a_i + 1 :]:
            ga, gb = grams[a["id"]], grams[b["id"]]
            j = len(ga & gb) / len(ga | gb)
            closest.append((j, a["id"], b["id"]))
            if j >= NEAR_DUP_JACCARD:
                problems.append(f"near-identical texts {a['id']} / {b['id']} (bigram Jaccard {j:.2f})")
    closest.sort(reverse=True)

    clusters = collections.defaultdict(list)
    for m in msgs:
        if m["cluster"] is not None:
            clusters[m["cluster"]].append(m["id"])
    for c, members in clusters.items():
        if len(members) < 2:
            problems.append(f"cluster {c} has only {len(members)} member")
        if len({by_id[i]["office"] for i in members}) > 1:
            print(f"NOTE: cluster {c} mixes offices {sorted({by_id[i]['office'] for i in members})}")
    order = sorted(msgs, key=lambda m: m["id"])
    for a, b in zip(order, order[1:], strict=False):
        if a["cluster"] and a["cluster"] == b["cluster"]:
            problems.append(f"cluster {a['cluster']} members {a['id']} and {b['id']} are adjacent")

    near = []
    with open(os.path.join(HERE, "near_misses.tsv"), encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if header != ["id_a", "id_b", "why"]:
            problems.append(f"near_misses.tsv header {header}")
        for n, line in enumerate(fh, 2):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or not parts[2].strip():
                problems.append(f"near_misses.tsv line {n}: want id_a, id_b, why")
                continue
            a, b = int(parts[0]), int(parts[1])
            near.append((a, b, parts[2]))
            if a not in by_id or b not in by_id:
                problems.append(f"near miss {a}/{b}: no such id")
                continue
            if a == b:
                problems.append(f"near miss {a}/{b}: same id")
            ca, cb = by_id[a]["cluster"], by_id[b]["cluster"]
            if ca is not None and ca == cb:
                problems.append(f"near miss {a}/{b}: both in cluster {ca}")
    if len({(min(a, b), max(a, b)) for a, b, _ in near}) != len(near):
        problems.append("a near-miss pair is listed twice")

    # ---- counts ----
    office_n = collections.Counter(m["office"] for m in msgs)
    second_n = collections.Counter(m["second"] for m in msgs if m["second"])
    named_n = collections.Counter()
    wrong = []
    naming = 0
    for m in msgs:
        found = named_offices(m["text"])
        if found:
            naming += 1
            for o in found:
                named_n[o] += 1
            if m["office"] not in found and m["second"] not in found:
                wrong.append((m["id"], ",".join(found), m["office"]))
    print(f"messages: {len(msgs)}  ids {min(ids)}-{max(ids)}")
    print("office              count  as-second  named-in-text")
    for o in OFFICES:
        flag = "" if 24 <= office_n[o] <= 32 else "  <-- outside 24-32"
        print(f"  {o:<10}\t{office_n[o]:>3}\t{second_n[o]:>3}\t{named_n[o]:>3}{flag}")
        if not 24 <= office_n[o] <= 32:
            problems.append(f"office {o} has {office_n[o]} messages (want 24-32)")
    with_second = sum(1 for m in msgs if m["second"])
    print(f"with a second office: {with_second} ({100 * with_second / len(msgs):.0f} %)")
    print(f"naming an office by its full name: {naming}")
    print(f"  naming only an office that is neither label nor second: {len(wrong)}")
    for i, named, office in wrong:
        print(f"    {i}: names {named}, labelled {office}")
    sizes = collections.Counter(len(v) for v in clusters.values())
    pairs = sum(len(v) * (len(v) - 1) // 2 for v in clusters.values())
    in_cluster = sum(len(v) for v in clusters.values())
    print(
        f"clusters: {len(clusters)}  members: {in_cluster}  sizes: "
        + ", ".join(f"{k}x{sizes[k]}" for k in sorted(sizes))
    )
    print(f"duplicate pairs: {pairs}")
    nm_clusters = {by_id[b]["cluster"] for _, b, _ in near if b in by_id and by_id[b]["cluster"]}
    nm_msgs = {a for a, _, _ in near}
    print(
        f"near misses: {len(near)} pairs, {len(nm_msgs)} distinct near-miss messages, "
        f"against {len(nm_clusters)} clusters"
    )
    null_v = sum(1 for m in msgs if m["village"] is None)
    print(f"village null: {null_v} ({100 * null_v / len(msgs):.0f} %), picked: {len(msgs) - null_v}")
    lens = [len(t) for t in texts]
    print(f"length (chars): min {min(lens)}  median {statistics.median(lens):g}  max {max(lens)}")
    print(
        f"  <=15: {sum(n <= 15 for n in lens)}   16-60: {sum(15 < n <= 60 for n in lens)}   "
        f"61-120: {sum(60 < n <= 120 for n in lens)}   >120: {sum(n > 120 for n in lens)}"
    )
    print("most similar text pairs (bigram Jaccard):")
    for j, a, b in closest[:5]:
        same = (
            "same cluster"
            if by_id[a]["cluster"] and by_id[a]["cluster"] == by_id[b]["cluster"]
            else "different"
        )
        print(f"  {j:.2f}  {a} / {b}  ({same})")

    if problems:
        print("\nPROBLEMS:")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
