"""Filtered ranking for link prediction (the standard protocol), on dense score tensors.

Scores are a float array ``scores[h, t, r]`` of shape (E, E, R) (higher = more plausible).
For every query triple (h, r, t) two ranks are computed:

- tail prediction: the candidates are ``scores[h, :, r]``;
- head prediction: the candidates are ``scores[:, t, r]``;

each *filtered*: every other candidate that forms a known true triple (``known``, usually the
union of train, valid and test) is removed; the true entity itself stays. With ties, the rank is
the mean of the optimistic rank (1 + #candidates scoring strictly higher) and the pessimistic
rank (1 + #other candidates scoring higher or equal). MRR and Hits@k average over both
directions (2 n ranks for n queries); Hits@k counts ranks <= k.
"""

from __future__ import annotations

import numpy as np

__all__ = ["evaluate_scores", "filtered_ranks", "rank_metrics"]


def _ranks(cand: np.ndarray, true_idx: np.ndarray, filt: np.ndarray) -> np.ndarray:
    """cand (n, E) scores, true_idx (n,), filt (n, E) bool (True = remove) -> (n,) mean ranks."""
    n = cand.shape[0]
    rows = np.arange(n)
    s_true = cand[rows, true_idx][:, None]
    keep = ~filt
    keep[rows, true_idx] = False  # the true entity is counted separately
    higher = ((cand > s_true) & keep).sum(1)
    ties = ((cand == s_true) & keep).sum(1)
    return 1.0 + higher + 0.5 * ties


def filtered_ranks(scores, queries, known) -> tuple[np.ndarray, np.ndarray]:
    """Filtered ranks of each query triple.

    Args:
        scores: (E, E, R) float, ``scores[h, t, r]``.
        queries: (n, 3) int (head, relation, tail).
        known: (E, E, R) bool, the known true triples to filter (the queries' own entries may be
            in it or not: the true entity is never filtered).
    Returns:
        (head_ranks, tail_ranks), each (n,) float (x.5 where ties split the rank).
    """
    scores = np.asarray(scores)
    known = np.asarray(known, dtype=bool)
    if scores.ndim != 3 or scores.shape[0] != scores.shape[1]:
        raise ValueError(f"scores must have shape (E, E, R); got {scores.shape}")
    if known.shape != scores.shape:
        raise ValueError(f"known has shape {known.shape} but scores have {scores.shape}")
    q = np.asarray(queries, dtype=np.int64).reshape(-1, 3)
    E, _, R = scores.shape
    if q.size and (q[:, [0, 2]].max() >= E or q[:, 1].max() >= R or q.min() < 0):
        raise ValueError(f"query ids out of range for scores of shape {scores.shape}")
    h, r, t = q[:, 0], q[:, 1], q[:, 2]
    tail = _ranks(scores[h, :, r], t, known[h, :, r])
    head = _ranks(scores[:, t, r].T, h, known[:, t, r].T)
    return head, tail


def rank_metrics(ranks, ks=(1, 3, 10)) -> dict:
    """{"mrr", "hits@k"...} of a rank array (any shape)."""
    ranks = np.asarray(ranks, dtype=np.float64).reshape(-1)
    if ranks.size == 0:
        raise ValueError("no ranks to average")
    out = {"mrr": float(np.mean(1.0 / ranks))}
    for k in ks:
        out[f"hits@{k}"] = float(np.mean(ranks <= k))
    return out


def evaluate_scores(scores, queries, known, ks=(1, 3, 10)) -> dict:
    """Metrics over both directions, plus per-direction MRR ("mrr_head", "mrr_tail")."""
    head, tail = filtered_ranks(scores, queries, known)
    out = rank_metrics(np.concatenate([head, tail]), ks)
    out["mrr_head"] = float(np.mean(1.0 / head))
    out["mrr_tail"] = float(np.mean(1.0 / tail))
    return out
