"""Regularizers that push a recurrent model towards permutation invariance.

After Cohen-Karlik, Ben David, Globerson, "Regularizing Towards Permutation Invariance in
Recurrent Models" (NeurIPS 2020). Everything here is a pure function of a transition
``step(s, x) -> s'`` (or of a model with ``states`` / ``step`` methods such as
:class:`eqsolve.nn.recurrent.RecurrentSetModel`), usable inside ``jax.jit`` / ``nnx.jit``.

SIRE (Subset-Invariance REgularization; what is implemented)
    R_SIRE = E_{s, x_a, x_b} || f(f(s, x_a), x_b) - f(f(s, x_b), x_a) ||^2
    where ``s`` ranges over the states the model visits while reading training sequences
    (the initial state and every prefix state, so the states are "reachable on the data") and
    ``x_a, x_b`` are elements drawn independently from the data (any position of any training
    sequence in the batch). If the transition commutes on every reachable state, the model's
    output on any sequence is invariant to every permutation (adjacent swaps generate S(n)),
    so this local two-step condition is what SIRE enforces. The squared norm is summed over the
    whole state pytree (for an LSTM: both ``c`` and ``h``) and averaged over the sampled triples.
    Gradients flow through ``s`` as well (``stop_gradient_states=True`` turns that off).

SUB (the paper's baseline; what is implemented)
    R_SUB = E_{x, t, pi} || s(x_{1:t}) - s(pi(x_{1:t})) ||^2
    for a training sequence ``x``, a prefix length ``t`` drawn uniformly from 1..len(x) and a
    uniformly random permutation ``pi`` of the prefix: the state after reading a prefix should
    not depend on the order of that prefix. It costs a second full pass over the sequence and
    samples one permutation of a long prefix per sequence, which is why it gives a much noisier
    signal than SIRE's local swaps. (The paper's own text was not available to us verbatim; this
    is the formulation described there as penalising state differences between a sub-sequence
    and a permutation of it.) ``compare="output"`` compares readouts instead of states.

Helpers
    :func:`swap_error` (the SIRE quantity measured without gradients, as a diagnostic) and
    :func:`permutation_error` (mean |model(x) - model(pi x)| over random full permutations).
"""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

__all__ = [
    "sire_penalty",
    "sample_sire_triples",
    "sire_regularizer",
    "sub_regularizer",
    "permute_prefix",
    "swap_error",
    "permutation_error",
    "tree_sq_dist",
]

StepFn = Callable[[Any, jax.Array], Any]


def tree_sq_dist(a: Any, b: Any) -> jax.Array:
    """Squared Euclidean distance between two state pytrees, summed over all leaves' last axis
    (and any non-batch axes); returns the leading (batch) shape."""
    leaves = jax.tree.leaves(jax.tree.map(lambda u, v: jnp.sum((u - v) ** 2, axis=-1), a, b))
    return sum(leaves)


def sire_penalty(step: StepFn, states: Any, xa: jax.Array, xb: jax.Array) -> jax.Array:
    """Mean over K triples of || f(f(s,xa),xb) - f(f(s,xb),xa) ||^2.

    Args:
      step: the transition ``f(s, x)``; must broadcast over a leading batch dim.
      states: state pytree with leading dim K.
      xa, xb: K input elements each, shape (K, ...) (tokens (K,) or features (K, F)).
    Returns a scalar; exactly 0 when ``f`` commutes on these states and inputs.
    """
    s_ab = step(step(states, xa), xb)
    s_ba = step(step(states, xb), xa)
    return jnp.mean(tree_sq_dist(s_ab, s_ba))


def _valid_state_mask(mask: jax.Array) -> jax.Array:
    """(B, T) element mask -> (T+1, B) mask of states reached on the data (state 0 always)."""
    B = mask.shape[0]
    return jnp.concatenate([jnp.ones((1, B), bool), jnp.swapaxes(mask, 0, 1)], 0)


def sample_sire_triples(
    key: jax.Array, states_seq: Any, xs: jax.Array, mask: jax.Array | None, num: int
) -> tuple[Any, jax.Array, jax.Array]:
    """Draw ``num`` (state, x_a, x_b) triples from one batch of data.

    Args:
      key: PRNG key.
      states_seq: states visited while reading ``xs`` (pytree, leading dims (T+1, B)), as
        returned by ``RecurrentSetModel.states``.
      xs: the batch, (B, T) tokens or (B, T, F) features.
      mask: (B, T) bool of real elements, or None.
      num: number of triples K.
    Returns (states (K, ...), xa (K, ...), xb (K, ...)). States are drawn uniformly from the
    visited (unpadded) states, inputs uniformly from the real elements of the batch.
    """
    B, T = xs.shape[0], xs.shape[1]
    if mask is None:
        mask = jnp.ones((B, T), bool)
    ks, ka, kb = jax.random.split(key, 3)
    smask = _valid_state_mask(mask).reshape(-1)
    s_idx = jax.random.choice(ks, smask.shape[0], (num,), p=smask / smask.sum())
    flat_states = jax.tree.map(lambda a: a.reshape((-1,) + a.shape[2:]), states_seq)
    states = jax.tree.map(lambda a: a[s_idx], flat_states)
    emask = mask.reshape(-1)
    p = emask / emask.sum()
    flat_x = xs.reshape((B * T,) + xs.shape[2:])
    xa = flat_x[jax.random.choice(ka, B * T, (num,), p=p)]
    xb = flat_x[jax.random.choice(kb, B * T, (num,), p=p)]
    return states, xa, xb


def sire_regularizer(
    model: Any,
    xs: jax.Array,
    mask: jax.Array | None,
    key: jax.Array,
    *,
    num: int = 128,
    states_seq: Any = None,
    stop_gradient_states: bool = False,
) -> jax.Array:
    """R_SIRE for ``model`` (needs ``model.states(xs, mask)`` and ``model.step(s, x)``).

    Pass ``states_seq`` to reuse states already computed in the forward pass.
    """
    if states_seq is None:
        states_seq = model.states(xs, mask)
    if stop_gradient_states:
        states_seq = jax.lax.stop_gradient(states_seq)
    s, xa, xb = sample_sire_triples(key, states_seq, xs, mask, num)
    return sire_penalty(model.step, s, xa, xb)


def permute_prefix(key: jax.Array, xs: jax.Array, lengths: jax.Array, t: jax.Array) -> jax.Array:
    """Randomly permute the first ``t[b]`` elements of each row ``xs[b]`` (others stay put).

    xs: (B, T, ...); lengths, t: (B,) ints with t <= lengths.
    """
    B, T = xs.shape[0], xs.shape[1]
    pos = jnp.arange(T)[None, :]
    u = jax.random.uniform(key, (B, T))
    # prefix positions get random keys in [0,1); the rest keep their order after them
    sort_key = jnp.where(pos < t[:, None], u, 1.0 + pos)
    perm = jnp.argsort(sort_key, axis=1)
    return jnp.take_along_axis(xs, perm.reshape(perm.shape + (1,) * (xs.ndim - 2)), axis=1)


def sub_regularizer(
    model: Any,
    xs: jax.Array,
    mask: jax.Array | None,
    key: jax.Array,
    *,
    states_seq: Any = None,
    compare: str = "state",
) -> jax.Array:
    """R_SUB: mean over the batch of || s(x_{1:t}) - s(pi x_{1:t}) ||^2, t ~ U{1..len(x)}.

    Masks must be prefix masks (real elements first). ``compare="output"`` uses
    ``model.readout`` of the two states instead of the states themselves.
    """
    B, T = xs.shape[0], xs.shape[1]
    if mask is None:
        mask = jnp.ones((B, T), bool)
    lengths = mask.sum(1)
    kt, kp = jax.random.split(key)
    t = 1 + jnp.floor(jax.random.uniform(kt, (B,)) * lengths).astype(jnp.int32)
    t = jnp.minimum(t, jnp.maximum(lengths, 1))
    xs_p = permute_prefix(kp, xs, lengths, t)
    pmask = jnp.arange(T)[None, :] < t[:, None]
    if states_seq is None:
        states_seq = model.states(xs, mask)
    s_orig = jax.tree.map(lambda a: a[t, jnp.arange(B)], states_seq)
    s_perm = jax.tree.map(lambda a: a[-1], model.states(xs_p, pmask))
    if compare == "output":
        return jnp.mean(jnp.sum((model.readout(s_orig) - model.readout(s_perm)) ** 2, -1))
    if compare != "state":
        raise ValueError(f"compare must be 'state' or 'output', got {compare!r}")
    return jnp.mean(tree_sq_dist(s_orig, s_perm))


def swap_error(model: Any, xs: jax.Array, mask: jax.Array | None, key: jax.Array, num: int = 1024) -> jax.Array:
    """The SIRE quantity measured (no gradient use intended): mean squared state difference
    after reading (x_a, x_b) vs (x_b, x_a) from states visited on ``xs``."""
    return sire_regularizer(model, xs, mask, key, num=num)


def permutation_error(model: Any, xs: jax.Array, mask: jax.Array | None, key: jax.Array) -> jax.Array:
    """Mean |model(x) - model(pi x)| over the batch, pi a random permutation of each sequence's
    real elements (prefix masks)."""
    B, T = xs.shape[0], xs.shape[1]
    if mask is None:
        mask = jnp.ones((B, T), bool)
    lengths = mask.sum(1)
    xs_p = permute_prefix(key, xs, lengths, lengths)
    return jnp.mean(jnp.abs(model(xs, mask) - model(xs_p, mask)))
