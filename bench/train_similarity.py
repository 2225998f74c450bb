"""Learn the duplicate score's weights (`zhenwu/suggestions/data/similarity_weights.json`)
from the hand-labelled development sets, and say how well that carries over to a set not
trained on.

    PYTHONPATH=. python bench/train_similarity.py            # cross-validation only
    PYTHONPATH=. python bench/train_similarity.py --write    # and write the weights

Each development set is one inbox: the residents' messages (dev and test together), the tuning
set and the two blind sets. Leave-one-inbox-out: the weights learned on the others are scored
on the one left out, by pair precision and recall at each threshold, so the threshold chosen
is the one that holds on text the weights never saw. The final weights are learned on all.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from zhenwu.suggestions import facets as F  # noqa: E402
from zhenwu.suggestions import pair_score as S  # noqa: E402
from zhenwu.suggestions.catalogue import shipped_catalogue  # noqa: E402
from zhenwu.suggestions.similarity_eval import MESSAGES, TUNING, load, pair_figures, places_of  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
SETS = {
    "residents": (MESSAGES, None),  # dev and test in one inbox, as a town would have them
    "tuning": (TUNING, None),
    "blind": (DATA / "blind" / "residents_messages_blind.jsonl", None),
    "blind2": (DATA / "blind2" / "residents_messages_blind2.jsonl", None),
}
UNTRAINED = S.Model((0.0,) * len(S.FEATURES), 0.0, 0.5, 0.5, 0.0)
C = 3.0  # the regularisation (chosen by the left-out figures: 1, 3 and 10 tried)


def inboxes(drop: float = 0.0) -> dict[str, tuple[list, S.Inbox]]:
    """Each set as one inbox. With `drop`, that share of the residents' village picks is left
    out (seeded): residents of a new town leave the village empty more often than the writers
    of the first sets did (59 % in the blind set, 36 % in the others), and the weights learned
    must not lean on a pick most messages lack."""
    catalogue = shipped_catalogue()
    out = {}
    rng = random.Random(20261201)
    for name, (path, split) in SETS.items():
        rows = [m for m in load(path) if split is None or m.split == split]
        if drop:
            rows = [replace(m, village=None) if rng.random() < drop else m for m in rows]
        places = places_of(rows)
        facets = [F.facets_of(m.text, village=m.village, places=places, catalogue=catalogue) for m in rows]
        out[name] = (rows, S.inbox(facets, m=UNTRAINED))
    return out


def pairs_of(rows: list, box: S.Inbox) -> tuple[np.ndarray, np.ndarray]:
    """Every candidate pair's features and label, plus every duplicate pair (so recall lost to
    the candidate index is visible as positives the model must still score)."""
    pairs = set(box.pairs)
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            if rows[i].cluster and rows[i].cluster == rows[j].cluster:
                pairs.add((i, j))
    xs = [box.features(i, j) for i, j in sorted(pairs)]
    ys = [int(bool(rows[i].cluster) and rows[i].cluster == rows[j].cluster) for i, j in sorted(pairs)]
    return np.array(xs), np.array(ys)


def vetoes_on_duplicates(made: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """How often each veto is found in a duplicate pair (the cost of keeping it a veto)."""
    xs = np.vstack([m[0] for m in made.values()])
    ys = np.concatenate([m[1] for m in made.values()])
    for name in S.VETOES:
        column = xs[:, S.FEATURES.index(name)] > 0
        print(
            f"  veto {name:26s}: {int((column & (ys == 1)).sum())} of {int(ys.sum())} duplicate pairs, "
            f"{int((column & (ys == 0)).sum())} other pairs"
        )


def kept(part: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The pairs no veto decides: what the weights are learned from."""
    xs, ys = part
    free = ~np.any(xs[:, [S.FEATURES.index(n) for n in S.VETOES]] > 0, axis=1)
    return xs[free], ys[free]


# The vetoes decide alone where they fire: no weight is learned for them.
KEPT = [i for i, name in enumerate(S.FEATURES) if name not in S.VETOES]


def fit(parts: list[tuple[np.ndarray, np.ndarray]]) -> LogisticRegression:
    parts = [kept(p) for p in parts]
    xs = np.vstack([p[0] for p in parts])[:, KEPT]
    ys = np.concatenate([p[1] for p in parts])
    return LogisticRegression(C=C, max_iter=5000).fit(xs, ys)


def weights_of(lr: LogisticRegression) -> list[float]:
    weights = [0.0] * len(S.FEATURES)
    for i, w in zip(KEPT, lr.coef_[0], strict=True):
        weights[i] = float(w)
    return weights


def as_model(lr: LogisticRegression, threshold: float, join: float, veto: float) -> S.Model:
    return S.Model(tuple(weights_of(lr)), float(lr.intercept_[0]), threshold, join, veto)


def score(rows: list, box: S.Inbox, model: S.Model):
    box.model, box.scored = model, {}
    groups = S.group(box)
    return pair_figures("x", [m.cluster for m in rows], groups, [m.id for m in rows])


# (threshold, join, veto) tried; the one written is chosen from the left-out figures.
SETTINGS = (
    (0.3, 0.3, 0.1), (0.4, 0.3, 0.1), (0.4, 0.4, 0.1), (0.5, 0.3, 0.1), (0.5, 0.4, 0.1), (0.6, 0.3, 0.1), (0.6, 0.4, 0.1), (0.6, 0.5, 0.1), (0.6, 0.6, 0.1),
    (0.65, 0.4, 0.1), (0.65, 0.5, 0.1), (0.7, 0.3, 0.1), (0.7, 0.4, 0.1), (0.7, 0.5, 0.1), (0.7, 0.3, 0.05),
    (0.8, 0.3, 0.1), (0.8, 0.4, 0.1),
)  # fmt: skip
# The setting written: the best left-out recall at this precision, a margin over the 85 %
# target, since the left-out sets differ from each other by several points.
SELECT_PRECISION = 0.88
DROP = 0.4  # the share of village picks left out of a second copy of each set trained on


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="write the weights learned on all sets")
    args = parser.parse_args()
    data = inboxes()
    dropped = inboxes(DROP)
    made = {name: pairs_of(*data[name]) for name in data}
    made_dropped = {name: pairs_of(*dropped[name]) for name in dropped}
    vetoes_on_duplicates(made)
    left_out = {}
    for held in data:
        left_out[held] = fit(
            [made[n] for n in data if n != held] + [made_dropped[n] for n in data if n != held]
        )
    print("leave one set out (weights learned on the others), pair precision / recall:")
    best: tuple[tuple[float, float], tuple[float, float, float]] | None = None
    for setting in SETTINGS:
        totals = [0, 0, 0]
        line = []
        for held in data:
            f = score(*data[held], as_model(left_out[held], *setting))
            totals[0] += f.right_pairs
            totals[1] += f.grouped_pairs
            totals[2] += f.duplicate_pairs
            line.append(f"{held} {f.precision or 0:.1%}/{f.recall or 0:.1%}")
        precision, recall = totals[0] / max(totals[1], 1), totals[0] / totals[2]
        if precision >= SELECT_PRECISION and (best is None or (recall, precision) > best[0]):
            best = ((recall, precision), setting)
        print(
            f"  threshold {setting[0]} join {setting[1]} veto {setting[2]}: all {precision:.1%}"
            f"/{recall:.1%} ({totals[0]}/{totals[1]} grouped, {totals[2]} duplicate) | " + " | ".join(line)
        )
    assert best is not None, "no setting reaches the precision on the left-out sets"
    print(f"chosen: threshold {best[1][0]} join {best[1][1]} veto {best[1][2]}")
    lr = fit(list(made.values()) + list(made_dropped.values()))
    print("weights learned on all sets:")
    for name, w in sorted(zip(S.FEATURES, weights_of(lr), strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:26s} {w:+.2f}")
    print(f"  {'bias':26s} {lr.intercept_[0]:+.2f}")
    if args.write:
        t, join, veto = best[1]
        out = {
            "about": "Learned by bench/train_similarity.py from the hand-labelled development sets; see pair_score.py.",
            "weights": {n: round(float(w), 4) for n, w in zip(S.FEATURES, weights_of(lr), strict=True)},
            "bias": round(float(lr.intercept_[0]), 4),
            "threshold": t,
            "join": join,
            "veto": veto,
        }
        S.WEIGHTS.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written {S.WEIGHTS}")


if __name__ == "__main__":
    main()
