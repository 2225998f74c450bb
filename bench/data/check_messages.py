"""Validate bench/data/residents_messages.jsonl and print its counts.

Stdlib only, so it runs without the project installed:
    python3 bench/data/check_messages.py [path]
Exits 1 on any problem. The counts it prints are the ones quoted in README.md.
"""

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

OFFICES = [
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
]
VILLAGES = set(
    [
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
        "滨江社区",
        "西拓社区",
    ]
)
FIELDS = {"id", "village", "text", "office", "second", "cluster", "split"}
MIN_PER_OFFICE = 18


def named_offices(text: str) -> list[str]:
    # Longest names first, so 农业服务中心 is not also read as a bare 服务中心-type name.
    found = []
    rest = text
    for name in sorted(OFFICES, key=len, reverse=True):
        if name in rest:
            found.append(name)
            rest = rest.replace(name, "　")
    return found


def main(path: Path) -> int:
    errors: list[str] = []
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            errors.append(f"line {n}: empty line")
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: not JSON ({exc})")

    ids: Counter[int] = Counter()
    texts: Counter[str] = Counter()
    members: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        rid = r.get("id")
        if set(r) != FIELDS:
            errors.append(f"id {rid}: fields {sorted(r)} != {sorted(FIELDS)}")
            continue
        ids[rid] += 1
        texts[r["text"]] += 1
        if not isinstance(rid, int):
            errors.append(f"id {rid!r}: id is not an integer")
        if not isinstance(r["text"], str) or not r["text"].strip():
            errors.append(f"id {rid}: empty text")
        if r["office"] not in OFFICES:
            errors.append(f"id {rid}: unknown office {r['office']!r}")
        if r["second"] is not None:
            if r["second"] not in OFFICES:
                errors.append(f"id {rid}: unknown second office {r['second']!r}")
            elif r["second"] == r["office"]:
                errors.append(f"id {rid}: second office equals office")
        if r["village"] is not None and r["village"] not in VILLAGES:
            errors.append(f"id {rid}: unknown village {r['village']!r}")
        if r["split"] not in ("dev", "test"):
            errors.append(f"id {rid}: split must be dev or test, not {r['split']!r}")
        if r["cluster"] is not None:
            members[r["cluster"]].append(r)

    errors += [f"id {i} appears {c} times" for i, c in ids.items() if c > 1]
    errors += [f"text appears {c} times: {t[:30]}" for t, c in texts.items() if c > 1]
    for cid, ms in sorted(members.items()):
        splits = {m["split"] for m in ms}
        if len(splits) > 1:
            errors.append(f"cluster {cid} spans splits {sorted(splits)}: ids {[m['id'] for m in ms]}")
        if not 2 <= len(ms) <= 5:
            errors.append(f"cluster {cid} has {len(ms)} members (2-5 expected)")

    by_office = Counter(r["office"] for r in rows)
    for office in OFFICES:
        if by_office[office] < MIN_PER_OFFICE:
            errors.append(f"office {office} has {by_office[office]} messages (< {MIN_PER_OFFICE})")

    split_of = Counter(r["split"] for r in rows)
    office_split = Counter((r["office"], r["split"]) for r in rows)
    print(f"messages: {len(rows)}  dev: {split_of['dev']}  test: {split_of['test']}")
    print(f"{'office':<10}  total  dev  test  as-second")
    seconds = Counter(r["second"] for r in rows if r["second"])
    for office in OFFICES:
        print(
            f"{office:<10}  {by_office[office]:>5}  {office_split[(office, 'dev')]:>3}"
            f"  {office_split[(office, 'test')]:>4}  {seconds[office]:>9}"
        )

    def pairs(ms: list[dict]) -> int:
        return len(ms) * (len(ms) - 1) // 2

    for split in ("dev", "test"):
        cs = {c: ms for c, ms in members.items() if ms[0]["split"] == split}
        print(
            f"clusters {split}: {len(cs)}  members: {sum(len(m) for m in cs.values())}"
            f"  duplicate pairs: {sum(pairs(m) for m in cs.values())}"
        )
    sizes = Counter(len(ms) for ms in members.values())
    print(
        f"clusters all: {len(members)}  duplicate pairs: {sum(pairs(m) for m in members.values())}"
        f"  sizes: {dict(sorted(sizes.items()))}"
    )
    print(f"with second office: {sum(1 for r in rows if r['second'])}")
    with_village = sum(1 for r in rows if r["village"])
    print(f"with village picked: {with_village} ({100 * with_village / max(len(rows), 1):.0f} %)")

    naming = [(r, named_offices(r["text"])) for r in rows]
    naming = [(r, names) for r, names in naming if names]
    print(f"naming an office in the text: {len(naming)}")
    other = [
        (r["id"], names, r["office"])
        for r, names in naming
        if r["office"] not in names and r["second"] not in names
    ]
    print(f"  of which name neither the label nor the second office: {len(other)}")
    for rid, names, office in other:
        print(f"    id {rid}: names {'/'.join(names)}, labelled {office}")
    lengths = sorted(len(r["text"]) for r in rows)
    print(
        f"text length: min {lengths[0]}  median {lengths[len(lengths) // 2]}  max {lengths[-1]}"
        f"  >=150 chars: {sum(1 for n in lengths if n >= 150)}"
    )

    for e in errors:
        print("ERROR", e, file=sys.stderr)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    default = Path(__file__).with_name("residents_messages.jsonl")
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
