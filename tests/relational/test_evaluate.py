"""Filtered ranking on hand-made score tensors; every expected value is worked out by hand in
the comments."""

import numpy as np
import pytest

from eqsolve.relational.evaluate import evaluate_scores, filtered_ranks, rank_metrics


def _scores():
    # E = 4 entities, R = 1 relation. scores[h, t, 0]:
    S = np.array([[0.1, 0.9, 0.5, 0.5], [0.3, 0.2, 0.8, 0.0], [0.7, 0.6, 0.6, 0.4], [0.2, 0.9, 0.1, 0.3]])
    return S[:, :, None]


def test_ties_are_mean_of_optimistic_and_pessimistic():
    S = _scores()
    known = np.zeros_like(S, dtype=bool)
    # query (h=0, r=0, t=2): tail candidates row 0 = [0.1, 0.9, 0.5, 0.5], s_true = 0.5.
    #   strictly higher: {1} -> optimistic 2; tie with t=3 -> pessimistic 3; rank 2.5.
    # head candidates column 2 = [0.5, 0.8, 0.6, 0.1], s_true = scores[0,2] = 0.5:
    #   higher: {1 (0.8), 2 (0.6)} -> rank 3, no ties.
    head, tail = filtered_ranks(S, [[0, 0, 2]], known)
    assert tail.tolist() == [2.5]
    assert head.tolist() == [3.0]


def test_filtering_removes_other_known_triples_only():
    S = _scores()
    known = np.zeros_like(S, dtype=bool)
    known[0, 1, 0] = True  # (0, r, 1) is known: removes candidate t=1 for tail query (0, r, 2)
    known[0, 2, 0] = True  # the query itself is known: never removed
    known[2, 2, 0] = True  # (2, r, 2) known: removes candidate h=2 for head query of (0, r, 2)
    head, tail = filtered_ranks(S, [[0, 0, 2]], known)
    # tail: row 0 without t=1: [0.1, -, 0.5(true), 0.5] -> optimistic 1, pessimistic 2 -> 1.5
    # head: column 2 without h=2: [0.5(true), 0.8, -, 0.1] -> 2
    assert tail.tolist() == [1.5]
    assert head.tolist() == [2.0]


def test_both_directions_and_metrics():
    S = _scores()
    known = np.zeros_like(S, dtype=bool)
    # query (h=3, r=0, t=1): tail row 3 = [0.2, 0.9, 0.1, 0.3], s_true 0.9 -> rank 1.
    #   head column 1 = [0.9, 0.2, 0.6, 0.9], s_true = 0.9, tie with h=0 -> (1 + 2) / 2 = 1.5.
    # query (h=1, r=0, t=3): tail row 1 = [0.3, 0.2, 0.8, 0.0], s_true 0.0 -> 4.
    #   head column 3 = [0.5, 0.0, 0.4, 0.3] -> s_true 0.0 is lowest -> 4.
    q = [[3, 0, 1], [1, 0, 3]]
    head, tail = filtered_ranks(S, q, known)
    assert head.tolist() == [1.5, 4.0]
    assert tail.tolist() == [1.0, 4.0]
    m = evaluate_scores(S, q, known)
    # ranks 1.5, 4, 1, 4: MRR = (2/3 + 1/4 + 1 + 1/4) / 4 = 13/24
    assert m["mrr"] == pytest.approx(13 / 24)
    assert m["hits@1"] == pytest.approx(1 / 4)  # only rank 1.0
    assert m["hits@3"] == pytest.approx(2 / 4)  # 1.5 and 1.0
    assert m["hits@10"] == pytest.approx(1.0)
    assert m["mrr_head"] == pytest.approx((2 / 3 + 1 / 4) / 2)
    assert m["mrr_tail"] == pytest.approx((1 + 1 / 4) / 2)


def test_relation_axis_is_respected():
    # two relations; the same (h, t) pair scored differently per relation
    S = np.zeros((3, 3, 2))
    S[0, :, 0] = [0.0, 1.0, 2.0]
    S[0, :, 1] = [2.0, 1.0, 0.0]
    known = np.zeros_like(S, dtype=bool)
    _, tail = filtered_ranks(S, [[0, 0, 2], [0, 1, 2]], known)
    assert tail.tolist() == [1.0, 3.0]


def test_rank_metrics_and_errors():
    m = rank_metrics([1, 2, 4, 20])
    assert m["mrr"] == pytest.approx((1 + 0.5 + 0.25 + 0.05) / 4)
    assert m["hits@3"] == 0.5
    with pytest.raises(ValueError, match="shape"):
        filtered_ranks(np.zeros((3, 4, 1)), [[0, 0, 1]], np.zeros((3, 4, 1), bool))
    with pytest.raises(ValueError, match="out of range"):
        filtered_ranks(np.zeros((3, 3, 1)), [[0, 1, 1]], np.zeros((3, 3, 1), bool))
