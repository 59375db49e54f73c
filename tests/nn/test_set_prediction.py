"""Set prediction (Rezatofighi et al. 2017): hand-computed loss, invariance of the loss to the
order of targets and of slots, an invariant model, optimal matching, and the metrics."""

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from eqsolve.nn.set_prediction import (
    SetPredictor,
    cardinality_accuracy,
    exact_match,
    hungarian_assignment,
    predict_set,
    set_loss,
)


def test_loss_by_hand():
    out = {
        "slots": jnp.array([[[0.0, 0.0], [10.0, 0.0]]]),
        "scores": jnp.zeros((1, 2)),
        "card_logits": jnp.zeros((1, 3)),
    }
    target = jnp.array([[[9.0, 0.0], [0.0, 0.0]]])
    mask = jnp.array([[True, False]])
    loss, parts = set_loss(out, target, mask)
    # matched to slot 1 (distance^2 1, not 81); both slots' BCE at logit 0 is log 2; CE log 3
    np.testing.assert_allclose(float(parts["element"]), 1.0, rtol=1e-6)
    np.testing.assert_allclose(float(parts["score"]), math.log(2), rtol=1e-6)
    np.testing.assert_allclose(float(parts["card"]), math.log(3), rtol=1e-6)
    np.testing.assert_allclose(float(loss), math.log(3) + 1 + math.log(2), rtol=1e-6)


def test_loss_invariant_to_target_and_slot_order():
    rng = np.random.default_rng(0)
    B, S, D = 4, 5, 3
    out = {
        "slots": jnp.asarray(rng.normal(size=(B, S, D)), jnp.float32),
        "scores": jnp.asarray(rng.normal(size=(B, S)), jnp.float32),
        "card_logits": jnp.asarray(rng.normal(size=(B, S + 1)), jnp.float32),
    }
    target = jnp.asarray(rng.normal(size=(B, S, D)), jnp.float32)
    mask = jnp.asarray(np.arange(S)[None] < np.array([[0], [2], [4], [5]]))
    loss = jax.jit(set_loss)(out, target, mask)[0]
    for _ in range(3):
        pt, ps = rng.permutation(S), rng.permutation(S)
        out_p = {"slots": out["slots"][:, ps], "scores": out["scores"][:, ps], "card_logits": out["card_logits"]}
        np.testing.assert_allclose(
            float(jax.jit(set_loss)(out_p, target[:, pt], mask[:, pt])[0]), float(loss), rtol=1e-6
        )
    # a different target set changes the loss
    assert abs(float(set_loss(out, target + 1.0, mask)[0]) - float(loss)) > 1e-3


def test_hungarian_is_optimal():
    rng = np.random.default_rng(1)
    cost = rng.normal(size=(3, 4, 3))
    mask = np.array([[1, 1, 1], [1, 0, 1], [0, 0, 0]], bool)
    a = np.asarray(hungarian_assignment(jnp.asarray(cost), jnp.asarray(mask)))
    for b in range(3):
        cols = np.flatnonzero(mask[b])
        assert np.all(a[b][~mask[b]] == -1)
        got = sum(cost[b, a[b, j], j] for j in cols)
        best = min(
            (sum(cost[b, r, j] for r, j in zip(rows, cols)) for rows in itertools.permutations(range(4), len(cols))),
            default=0.0,
        )
        np.testing.assert_allclose(got, best, rtol=1e-12)
        assert len(set(a[b, cols])) == len(cols)  # each slot used at most once


def test_model_is_invariant():
    model = SetPredictor(2, 2, 4, hidden=16, embed=16, rngs=nnx.Rngs(0))
    rng = np.random.default_rng(2)
    x = jnp.asarray(rng.normal(size=(3, 7, 2)), jnp.float32)
    o = model(x)
    op = model(x[:, rng.permutation(7)])
    for k in o:
        np.testing.assert_allclose(op[k], o[k], rtol=1e-5, atol=1e-5)
    assert o["card_logits"].shape == (3, 5) and o["slots"].shape == (3, 4, 2)


def test_predict_and_metrics():
    out = {
        "slots": jnp.array([[[1.0], [5.0], [3.0]], [[0.0], [0.0], [0.0]]]),
        "scores": jnp.array([[0.1, 2.0, 1.0], [0.0, 0.0, 0.0]]),
        "card_logits": jnp.array([[0.0, 0.0, 5.0, 0.0], [5.0, 0.0, 0.0, 0.0]]),
    }
    elems, mask = predict_set(out)
    np.testing.assert_array_equal(np.asarray(mask), [[True, True, False], [False, False, False]])
    np.testing.assert_allclose(np.asarray(elems[0, :2, 0]), [5.0, 3.0])
    target = np.array([[[3.2], [4.9], [0.0]], [[0.0], [0.0], [0.0]]])
    tmask = np.array([[True, True, False], [True, False, False]])
    assert cardinality_accuracy(mask, tmask) == 0.5
    np.testing.assert_array_equal(exact_match(elems, mask, target, tmask, tol=0.25), [True, False])
    np.testing.assert_array_equal(exact_match(elems, mask, target, tmask, tol=0.15), [False, False])
