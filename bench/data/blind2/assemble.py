#!/usr/bin/env python3
"""Serialise the hand-written src_part*.txt lines into residents_messages_blind2.jsonl.

Each source line: key|village|office|second|cluster|near-miss note|text  ('-' = null).
The near-miss note is '-' or one or more 'CLUSTER:description' items joined by ';'.
Lines are copied verbatim (no text is generated or altered); only their order is shuffled,
with random.Random(20261202), re-shuffling with the same generator until no two members of
a cluster sit next to each other.  Stdlib only.
"""

import glob
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIRST_ID = 3001
SEED = 20261202


def null(value):
    value = value.strip()
    return None if value in ("", "-") else value


def read_sources():
    rows = []
    paths = sorted(
        glob.glob(os.path.join(HERE, "src_part*.txt")),
        key=lambda p: int("".join(ch for ch in os.path.basename(p) if ch.isdigit()) or 0),
    )
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("|", 6)
                if len(parts) != 7:
                    sys.exit(f"{os.path.basename(path)}:{lineno}: expected 7 fields, got {len(parts)}")
                key, village, office, second, cluster, note, text = parts
                rows.append(
                    {
                        "key": key.strip(),
                        "village": null(village),
                        "office": office.strip(),
                        "second": null(second),
                        "cluster": null(cluster),
                        "note": null(note),
                        "text": text,
                        "where": f"{os.path.basename(path)}:{lineno}",
                    }
                )
    return rows


def adjacent_cluster(rows):
    return any(a["cluster"] and a["cluster"] == b["cluster"] for a, b in zip(rows, rows[1:], strict=False))


def main():
    rows = read_sources()
    keys = [r["key"] for r in rows]
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        sys.exit(f"duplicate keys: {dup}")
    rng = random.Random(SEED)
    order = list(rows)
    for _ in range(1000):
        rng.shuffle(order)
        if not adjacent_cluster(order):
            break
    else:
        sys.exit("could not find an order without adjacent cluster members")

    out_path = os.path.join(HERE, "residents_messages_blind2.jsonl")
    nm_path = os.path.join(HERE, "near_misses.tsv")
    near = []
    with open(out_path, "w", encoding="utf-8") as out:
        for i, r in enumerate(order):
            r["id"] = FIRST_ID + i
            obj = {
                "id": r["id"],
                "village": r["village"],
                "text": r["text"],
                "office": r["office"],
                "second": r["second"],
                "cluster": r["cluster"],
                "split": "blind2",
            }
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
            if r["note"]:
                for item in r["note"].split(";"):
                    cluster, _, desc = item.partition(":")
                    near.append((r["id"], cluster.strip(), desc.strip(), r["key"]))
    near.sort()
    with open(nm_path, "w", encoding="utf-8") as out:
        out.write("id\tnot_with_cluster\tnote\tsource_key\n")
        for nid, cluster, desc, key in near:
            out.write(f"{nid}\t{cluster}\t{desc}\t{key}\n")
    print(
        f"wrote {len(order)} messages to {os.path.basename(out_path)} "
        f"(ids {FIRST_ID}-{FIRST_ID + len(order) - 1}) and {len(near)} near misses to "
        f"{os.path.basename(nm_path)}"
    )


if __name__ == "__main__":
    main()
