#!/usr/bin/env python3
"""Serialise the hand-written src_part*.txt lines into residents_messages_blind3.jsonl.

Each source line: key|village|office|second|cluster|text   ('-' = null; '#' starts a comment).
near_src.txt lines: key_a|key_b|why  (a planted near miss: the two must not be grouped).

Lines are copied verbatim: no text is generated, completed or altered. Only the order is
shuffled, with random.Random(SEED), re-shuffling with the same generator until no two members
of a cluster sit next to each other; ids 4001.. follow the shuffled order, so the key (which
only says in which part and order a line was written) never reaches the JSONL.
Writes residents_messages_blind3.jsonl and near_misses.tsv (id_a, id_b, why). Stdlib only.
"""

import glob
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIRST_ID = 4001
SEED = 20261203
SPLIT = "test"


def null(value):
    value = value.strip()
    return None if value in ("", "-") else value


def source_paths():
    return sorted(
        glob.glob(os.path.join(HERE, "src_part*.txt")),
        key=lambda p: int("".join(ch for ch in os.path.basename(p) if ch.isdigit()) or 0),
    )


def read_sources():
    rows = []
    for path in source_paths():
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("|", 5)
                if len(parts) != 6:
                    sys.exit(f"{os.path.basename(path)}:{lineno}: expected 6 fields, got {len(parts)}")
                key, village, office, second, cluster, text = parts
                if "|" in text:
                    sys.exit(f"{os.path.basename(path)}:{lineno}: '|' inside the text")
                rows.append(
                    {
                        "key": key.strip(),
                        "village": null(village),
                        "office": office.strip(),
                        "second": null(second),
                        "cluster": null(cluster),
                        "text": text.strip(),
                    }
                )
    return rows


def read_near():
    pairs = []
    path = os.path.join(HERE, "near_src.txt")
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("|")
            if len(parts) != 3:
                sys.exit(f"near_src.txt:{lineno}: expected 3 fields")
            pairs.append(tuple(p.strip() for p in parts))
    return pairs


def adjacent_cluster(rows):
    return any(a["cluster"] and a["cluster"] == b["cluster"] for a, b in zip(rows, rows[1:], strict=False))


def main():
    rows = read_sources()
    keys = [r["key"] for r in rows]
    if len(set(keys)) != len(keys):
        sys.exit(f"duplicate keys: {sorted({k for k in keys if keys.count(k) > 1})}")
    rng = random.Random(SEED)
    order = list(rows)
    for _ in range(5000):
        rng.shuffle(order)
        if not adjacent_cluster(order):
            break
    else:
        sys.exit("could not find an order without adjacent cluster members")

    key_to_id = {}
    out_path = os.path.join(HERE, "residents_messages_blind3.jsonl")
    with open(out_path, "w", encoding="utf-8") as out:
        for i, r in enumerate(order):
            mid = FIRST_ID + i
            key_to_id[r["key"]] = mid
            obj = {
                "id": mid,
                "village": r["village"],
                "text": r["text"],
                "office": r["office"],
                "second": r["second"],
                "cluster": r["cluster"],
                "split": SPLIT,
            }
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")

    near = []
    for ka, kb, why in read_near():
        if ka not in key_to_id or kb not in key_to_id:
            sys.exit(f"near miss {ka}|{kb}: unknown key")
        near.append((key_to_id[ka], key_to_id[kb], why))
    near.sort()
    nm_path = os.path.join(HERE, "near_misses.tsv")
    with open(nm_path, "w", encoding="utf-8") as out:
        out.write("id_a\tid_b\twhy\n")
        for a, b, why in near:
            out.write(f"{a}\t{b}\t{why}\n")
    print(
        f"wrote {len(order)} messages to {os.path.basename(out_path)} "
        f"(ids {FIRST_ID}-{FIRST_ID + len(order) - 1}) and {len(near)} near-miss pairs to "
        f"{os.path.basename(nm_path)}"
    )


if __name__ == "__main__":
    main()
