"""The inductive protocol: held-out entities never reach training, queries touch them, and the
evaluation scores the full tensor (a hand-made score function, no training)."""

import numpy as np

from eqsolve.relational import (
    KGData,
    inductive_eval,
    inductive_queries,
    inductive_split,
    synthetic_kg,
)


def test_split_hides_entities_from_training():
    d = synthetic_kg(num_entities=15, seed=2)
    sub, seen = inductive_split(d, 0.2, seed=0)
    held = np.setdiff1d(np.arange(d.num_entities), seen)
    assert len(held) == 3 and sub.num_entities == 12
    assert sub.entities.tolist() == d.entities[seen].tolist()
    # every sub-training triple maps back to a training triple among seen entities
    back = {(int(seen[h]), int(r), int(seen[t])) for h, r, t in sub.splits["train"]}
    full = {tuple(map(int, x)) for x in d.splits["train"]}
    assert back <= full
    among_seen = {x for x in full if x[0] in set(seen.tolist()) and x[2] in set(seen.tolist())}
    assert back == among_seen
    q = inductive_queries(d, seen)
    assert len(q) and all(h in held or t in held for h, _, t in q)


def test_eval_uses_full_tensor_and_only_held_out_queries():
    # 3 entities, 1 relation: entity 2 held out by hand
    d = KGData(
        np.array(["a", "b", "c"]),
        np.array(["r"]),
        {"train": np.array([[0, 0, 1]]), "valid": np.zeros((0, 3), np.int64), "test": np.array([[0, 0, 2], [1, 0, 0]])},
    )
    seen = np.array([0, 1])

    def score_fn(X):
        assert X.shape == (3, 3, 1) and X[0, 1, 0] == 1
        S = np.zeros((3, 3, 1))
        S[0, 2, 0] = 1.0  # the held-out query (a, r, c) scores top as a tail...
        S[1, 2, 0] = 2.0  # ...but as a head candidate b outranks a for tail c
        return S

    m = inductive_eval(score_fn, d, seen)
    # only (0, 0, 2) touches the held-out entity. tail: row 0 = [0, 1(filtered: (a,r,b) known), 1]
    #   -> candidates a (0) and c (1, true) -> rank 1. head: column 2 = [1 (true), 2, 0] -> rank 2.
    assert m["queries"] == 1
    assert abs(m["mrr"] - (1 + 0.5) / 2) < 1e-12
