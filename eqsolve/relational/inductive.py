"""Inductive link prediction: score entities that were held out of training.

Protocol (:func:`inductive_split`, :func:`inductive_eval`):

1. Draw a random fraction ``frac`` of the entities (``seed``) as *held out*.
2. Training: only triples whose head and tail are both seen (not held out), from the train split;
   early stopping on the valid triples among seen entities. The model is trained on the
   (E_seen, E_seen, R) sub-tensor and never sees a held-out entity, its id or its triples.
3. Test: the trained weights are applied unchanged to the full (E, E, R) tensor whose input is
   *every* training triple (including those of held-out entities, now revealed as context,
   as when new entities arrive with some known links). Queries are the test triples with at
   least one held-out endpoint; ranks are filtered with train + valid + test, both directions.

An embedding model (DistMult, ComplEx, ...) has no vector for a held-out entity and cannot
score these queries at all; the exchangeable model has no per-entity parameters.
"""

from __future__ import annotations

import numpy as np

from .data import KGData, known_tensor, to_tensor
from .evaluate import evaluate_scores

__all__ = ["inductive_eval", "inductive_queries", "inductive_split"]


def inductive_split(data: KGData, frac: float = 0.2, seed: int = 0) -> tuple[KGData, np.ndarray]:
    """(the seen-entity sub data set with re-numbered ids, (E_seen,) ids of the seen entities in
    ``data``). Train / valid of the sub data set keep only triples among seen entities; its test
    split is empty (the test queries are scored on the full tensor)."""
    if not 0.0 < frac < 1.0:
        raise ValueError(f"held-out fraction must be in (0, 1), got {frac}")
    rng = np.random.default_rng(seed)
    E = data.num_entities
    held = rng.choice(E, size=max(1, int(round(frac * E))), replace=False)
    seen = np.setdiff1d(np.arange(E), held)
    new = -np.ones(E, dtype=np.int64)
    new[seen] = np.arange(len(seen))
    splits = {}
    for s in ("train", "valid"):
        tr = data.splits[s]
        ok = (new[tr[:, 0]] >= 0) & (new[tr[:, 2]] >= 0)
        splits[s] = np.stack([new[tr[ok, 0]], tr[ok, 1], new[tr[ok, 2]]], axis=1)
    splits["test"] = np.zeros((0, 3), dtype=np.int64)
    return KGData(data.entities[seen], data.relations, splits, data.name + "-seen"), seen


def inductive_queries(data: KGData, seen: np.ndarray) -> np.ndarray:
    """Test triples (n, 3) with at least one endpoint outside ``seen``."""
    mask = np.ones(data.num_entities, dtype=bool)
    mask[seen] = False
    te = data.splits["test"]
    return te[mask[te[:, 0]] | mask[te[:, 2]]]


def inductive_eval(score_fn, data: KGData, seen: np.ndarray) -> dict:
    """Metrics of ``score_fn(X (E, E, R)) -> scores (E, E, R)`` on the held-out-entity queries,
    with the full training tensor as input. Adds "queries" (how many test triples)."""
    X = to_tensor(data.splits["train"], data.shape)
    q = inductive_queries(data, seen)
    if len(q) == 0:
        raise ValueError("no test triple touches a held-out entity; raise the held-out fraction")
    m = evaluate_scores(score_fn(X), q, known_tensor(data))
    m["queries"] = len(q)
    return m
