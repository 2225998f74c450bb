"""Serialise the hand-written source lines (src_part*.txt) into residents_messages_blind.jsonl.

Only serialisation: each text is copied verbatim from the source files, where every message was
written by hand. Ids 2001-2200 are given in a fixed shuffled order so that a cluster's reports
do not sit next to each other. Also writes near_misses.tsv (id, the cluster it is close to, why).
"""

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
rows = []
for part in sorted(HERE.glob("src_part*.txt")):
    for n, line in enumerate(part.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("|")
        if len(f) != 7:
            sys.exit(f"{part.name}:{n}: {len(f)} fields")
        key, village, office, second, cluster, note, text = (x.strip() for x in f)

        def nul(x):
            return None if x == "-" else x

        rows.append(
            dict(
                key=key,
                village=nul(village),
                office=office,
                second=nul(second),
                cluster=nul(cluster),
                note=nul(note),
                text=text,
            )
        )
keys = [r["key"] for r in rows]
assert len(keys) == len(set(keys)), "duplicate keys"
order = list(range(len(rows)))
random.Random(20261201).shuffle(order)
out, notes = [], []
for i, idx in enumerate(order):
    r = rows[idx]
    rid = 2001 + i
    out.append(
        {
            "id": rid,
            "village": r["village"],
            "text": r["text"],
            "office": r["office"],
            "second": r["second"],
            "cluster": r["cluster"],
            "split": "blind",
        }
    )
    if r["note"]:
        notes.append((rid, r["cluster"], r["note"]))
with open(HERE / "residents_messages_blind.jsonl", "w", encoding="utf-8") as fh:
    for o in out:
        fh.write(json.dumps(o, ensure_ascii=False) + "\n")
with open(HERE / "near_misses.tsv", "w", encoding="utf-8") as fh:
    for rid, own, note in sorted(notes, key=lambda t: t[2]):
        fh.write(f"{rid}\t{own or '-'}\t{note}\n")
print(len(out), "messages,", len(notes), "near misses")
