"""Neighbourhood (kNN-style) features of a sparse ratings matrix, as extra entry channels.

Classical collaborative filtering predicts a rating from the ratings that *similar* users gave
the same item (user-kNN) or that the same user gave *similar* items (item-kNN). The pooling
layers of :mod:`eqsolve.nn.exchangeable` see rows and columns only through their means, so a
model made of them alone does not find similar users; these features hand it that signal as
input, computed from the visible ratings only, so the model learns (at every training density)
how far to trust it.

Both features are equivariant: permuting the users and the items of the input permutes the
features in the same way (they are built from row/column sums and Gram matrices).

For the users side (the items side is the same on the transposed matrix), with ``R`` the
(N, M) matrix of visible ratings centred by each user's shrunk mean and ``O`` its 0/1
observed pattern:

    s_uv = cos(R_u, R_v) * n_uv / (n_uv + shrink),   n_uv = (O O^T)_uv,   s_uu = 0
    a_uv = max(s_uv, 0) ** power
    dev_ui  = sum_v a_uv O_vi R_vi / (sum_v a_uv O_vi + eps)      (the neighbours' deviation)
    conf_ui = log(1 + sum_v a_uv O_vi)                             (how much evidence)

``dev`` is in units of a quarter of the rating range (1 on a 1..5 scale). Four channels per
entry: user dev, user conf, item dev, item conf. The dense (N, M) matrices and the (N, N),
(M, M) similarities are built, so this is meant for MovieLens-100K-sized matrices or sampled
sub-matrices (``MAX_CELLS``).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ..runtime.sharded import cross_device_sum

__all__ = ["NEIGHBOUR_CHANNELS", "MAX_CELLS", "neighbour_features"]

NEIGHBOUR_CHANNELS = 4
MAX_CELLS = 50_000_000  # N * M above this: refuse (the dense matrices would not fit comfortably)


def _side(R, O, power, shrink, eps):
    """(dev, conf) of every cell for neighbours along axis 0 of the centred (N, M) matrix R."""
    norm = jnp.sqrt(jnp.sum(R * R, axis=1))
    co = O @ O.T
    S = (R @ R.T) / jnp.maximum(jnp.outer(norm, norm), 1e-12) * (co / jnp.maximum(co + shrink, 1.0))
    A = jnp.maximum(S, 0.0) ** power
    A = A * (1.0 - jnp.eye(A.shape[0], dtype=A.dtype))
    both = A @ jnp.concatenate([O * R, O], axis=1)
    num, den = both[:, : R.shape[1]], both[:, R.shape[1] :]
    return num / (den + eps), jnp.log1p(den)


def neighbour_features(values, visible, index, sizes, *, span, power=2.0, shrink=10.0, eps=1e-3, axis_name=None):
    """(nnz, 4) neighbourhood features of every entry (see the module docstring).

    Args:
      values: (nnz,) rating of each entry (anything where not visible).
      visible: (nnz,) 1 where the rating is an input (contributes), 0 for queries and padding.
      index: (users (nnz,), items (nnz,)) int arrays; ``sizes`` = (N, M), static.
      span: the rating range (max level - min level), > 0: deviations are divided by span / 4.
      power, shrink, eps: the similarity exponent, the shrinkage (in co-rated entries and in
        pseudo-ratings towards the global mean) and the regularizer of ``dev``'s denominator (> 0).
      axis_name: mesh axis the entries are split over (inside ``shard_map``), or None.
    No gradient flows through the features (they are inputs).
    """
    n, m = int(sizes[0]), int(sizes[1])
    if not (span > 0 and eps > 0 and shrink >= 0):
        raise ValueError(f"neighbour_features needs span > 0, eps > 0, shrink >= 0; got {span}, {eps}, {shrink}")
    if n * m > MAX_CELLS:
        raise ValueError(
            f"neighbour features build dense {n} x {m} matrices ({n * m:,} cells > {MAX_CELLS:,}); "
            "work on sampled sub-matrices (eqsolve train/evaluate --sampler uniform) or turn knn_features off"
        )
    u, i = index
    vis = jax.lax.stop_gradient(jnp.asarray(visible, jnp.float32))
    r = jax.lax.stop_gradient(jnp.asarray(values, jnp.float32)) * (4.0 / span)
    rv = jnp.where(vis > 0, r, 0.0)
    total, count = cross_device_sum((jnp.sum(rv), jnp.sum(vis)), axis_name)
    mu = total / jnp.maximum(count, 1.0)
    out = []
    for axis, (own, other, size, other_size) in enumerate(((u, i, n, m), (i, u, m, n))):
        s = jax.ops.segment_sum(rv, own, num_segments=size)
        c = jax.ops.segment_sum(vis, own, num_segments=size)
        s, c = cross_device_sum((s, c), axis_name)
        mean = (s + shrink * mu) / (c + shrink)
        dev = vis * (r - mean[own])
        R = jnp.zeros((size, other_size), jnp.float32).at[own, other].add(dev)
        O = jnp.zeros((size, other_size), jnp.float32).at[own, other].add(vis)
        R, O = cross_device_sum((R, O), axis_name)
        O = jnp.minimum(O, 1.0)  # 0/1 even if a cell is given twice (loaders refuse that; R would sum both)
        d, conf = _side(R, O, power, shrink, eps)
        out += [d[own, other], conf[own, other]]
    return jnp.stack(out, axis=1)
