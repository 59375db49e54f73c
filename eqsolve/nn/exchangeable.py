"""Sparse exchangeable layers and models for interactions across sets (Hartford et al. 2018).

A ratings matrix (users x items) is stored as its observed entries only: an array of entry
values ``x`` of shape ``(nnz, C)`` and one integer index array per axis (``index[0]`` = user id
of each entry, ``index[1]`` = item id), together with the static axis sizes ``sizes = (N, M)``.

The exchangeable linear layer for ``S(N) x S(M)`` has one weight matrix per subset of axes that
is *kept* (the 2^D subset-tied weights of Theorem 5.1)::

    out_e = x_e W_{(0,1)}  +  rowpool(x)_{u(e)} W_{(0,)}  +  colpool(x)_{i(e)} W_{(1,)}
            + allpool(x) W_{()}  + b

where a pool is the mean over the observed entries that share the kept indices, evaluated back at
each entry. Pooling uses only entries whose pooling weight is non-zero (``weights``, shape
``(nnz,)``, default all ones), so an entry can be *queried* (receive an output) without
*contributing* to any pool. Rows or columns with no contributing entry pool to zero (the count
is clipped at 1), never to NaN.

Everything works for any number of axes ``D`` (index arrays per axis); a pool over a kept subset
``K`` uses ``prod(sizes[K])`` segments, so this is meant for D <= 3 with moderate sizes.

Pure functions (``exchangeable_linear``, ``pool_mean``, ``channel_dropout``) can be used inside
``jax.jit``; the NNX modules wrap them.

Sharded over devices: every function and module takes ``axis_name``; inside ``jax.shard_map``
with the entries split over that mesh axis, each pool is the local segment sum followed by a
sum over the axis (``lax.psum``), so every device sees the full pooled tables and the result
equals the single-device one (see :mod:`eqsolve.nn.sharded`). ``axis_name=None``: one device.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from ..groups import S
from ..reps import V
from ..runtime.sharded import cross_device_sum

__all__ = [
    "kept_subsets",
    "subset_label",
    "pool_mean",
    "exchangeable_linear",
    "channel_dropout",
    "broadcast_side_features",
    "encode_ratings",
    "expected_rating",
    "ExchangeableLinear",
    "SelfSupervisedExchangeable",
    "FactorizedExchangeable",
]


def kept_subsets(ndim: int) -> list[tuple[int, ...]]:
    """All 2^ndim subsets of axes (as sorted tuples), largest (identity term) first, read from
    the solved basis of the exchangeable tensor layer ``X >> X`` with
    ``X = V(S(2)) * ... * V(S(2))`` (one labelled factor per axis; the patterns do not depend
    on n >= 2): factor f acts on output axis f and input axis f + ndim, and a pattern that ties
    them keeps axis f, one that does not pools over it (Hartford et al., Theorem 5.1).

    A subset lists the axes that are *kept*; the others are pooled over. For a matrix:
    ``[(0, 1), (0,), (1,), ()]`` = identity, row pool, column pool, pool over everything.
    """
    if ndim < 1:
        raise ValueError(f"exchangeable layers need at least one axis, got ndim={ndim}")
    return list(_solved_kept_subsets(ndim))


@lru_cache(maxsize=16)
def _solved_kept_subsets(ndim: int) -> tuple[tuple[int, ...], ...]:
    X = V(S(2, label="axis0"))
    for f in range(1, ndim):
        X = X * V(S(2, label=f"axis{f}"))
    labels = (X >> X).equivariant_basis().labels
    kept = {tuple(f for f in range(ndim) if lab.tied(f, f + ndim)) for lab in labels}
    if len(kept) != len(labels) or len(kept) != 2**ndim:
        raise ValueError(
            f"the basis of {X} >> {X} has {len(labels)} patterns giving {len(kept)} kept subsets, expected 2^{ndim}"
        )
    return tuple(sorted(kept, key=lambda k: (-len(k), k)))


def subset_label(kept: Sequence[int]) -> str:
    """Name of the weight tied to a kept subset, e.g. ``"keep_0_1"``, ``"keep_0"``, ``"keep"``."""
    return "keep" + "".join(f"_{a}" for a in kept)


def _segment_ids(index: Sequence[jnp.ndarray], sizes: Sequence[int], kept: Sequence[int]):
    seg = jnp.zeros_like(index[0])
    n = 1
    for a in kept:
        seg = seg * sizes[a] + index[a]
        n *= int(sizes[a])
    return seg, n


def _pool_table(x, wt, index, sizes, kept, axis_name):
    """(segments, C) means of ``x`` over the contributing entries of each segment of ``kept``
    (one row when nothing is kept) and the (nnz,) segment id of each entry (None then)."""
    if len(kept) == 0:
        total, count = cross_device_sum((jnp.sum(x * wt[:, None], axis=0, keepdims=True), jnp.sum(wt)), axis_name)
        return total / jnp.maximum(count, 1.0), None
    seg, n = _segment_ids(index, sizes, kept)
    total = jax.ops.segment_sum(x * wt[:, None], seg, num_segments=n)
    count = jax.ops.segment_sum(wt, seg, num_segments=n)
    total, count = cross_device_sum((total, count), axis_name)
    return total / jnp.maximum(count, 1.0)[:, None], seg


def pool_mean(x, index, sizes, kept, weights=None, axis_name=None):
    """Mean of ``x`` (nnz, C) over the entries that share the indices of the ``kept`` axes.

    Returns the pooled values gathered back at each entry, shape (nnz, C). Entries with weight
    0 do not contribute; a segment with no contributing entry pools to 0. ``axis_name``: the
    mesh axis the entries are split over (inside ``shard_map``), or None.
    """
    nnz = x.shape[0]
    w = jnp.ones((nnz,), x.dtype) if weights is None else weights.astype(x.dtype)
    mean, seg = _pool_table(x, w, index, sizes, kept, axis_name)
    return jnp.broadcast_to(mean, x.shape) if seg is None else mean[seg]


def exchangeable_linear(params, x, index, sizes, weights=None, axis_name=None):
    """Pure exchangeable linear map on sparse entries.

    Args:
      params: dict with ``"bias"`` (C_out,) and, for every kept subset ``K`` of the axes,
        ``subset_label(K)`` -> (C_in, C_out).
      x: (nnz, C_in) entry values.
      index: sequence of D int arrays, each (nnz,).
      sizes: static tuple of D axis sizes.
      weights: optional (nnz,) pooling weights (1 = contributes to pools).
      axis_name: mesh axis the entries are split over (inside ``shard_map``): pools are summed
        over it. None: all entries are here.
    Returns: (nnz, C_out).
    """
    ndim = len(sizes)
    if len(index) != ndim:
        raise ValueError(f"got {len(index)} index arrays for a {ndim}-axis tensor of sizes {tuple(sizes)}")
    out = x @ params[subset_label(tuple(range(ndim)))]
    nnz = x.shape[0]
    wt = jnp.ones((nnz,), x.dtype) if weights is None else weights.astype(x.dtype)
    for kept in kept_subsets(ndim)[1:]:
        # pool first (few segments), multiply, then gather: cheaper than pooling C_out channels
        mean, seg = _pool_table(x, wt, index, sizes, kept, axis_name)
        pooled = mean @ params[subset_label(kept)]
        out = out + (pooled if seg is None else pooled[seg])
    return out + params["bias"]


def channel_dropout(key, x, rate: float):
    """Drop whole channels of ``x`` (nnz, C): one Bernoulli draw per channel, shared by all
    entries; kept channels are scaled by 1/(1-rate)."""
    if rate <= 0.0 or key is None:
        return x
    if rate >= 1.0:
        return jnp.zeros_like(x)
    keep = jax.random.bernoulli(key, 1.0 - rate, (1, x.shape[-1]))
    return jnp.where(keep, x / (1.0 - rate), 0.0)


def broadcast_side_features(x, index, side):
    """Append per-axis side features as channels.

    ``side`` is a sequence (one per axis) of ``None`` or an array (sizes[a], F_a); the row of
    each entry's index is concatenated to ``x`` (nnz, C) -> (nnz, C + sum F_a).
    """
    parts = [x]
    for a, feats in enumerate(side or ()):
        if feats is not None:
            parts.append(jnp.asarray(feats, x.dtype)[index[a]])
    return jnp.concatenate(parts, axis=-1) if len(parts) > 1 else x


def _side_channels(x, index, side):
    """(nnz, sum F_a) side features of each entry (see ``broadcast_side_features``), or None."""
    if side is None or all(f is None for f in side):
        return None
    return broadcast_side_features(x[:, :0], index, side)


def encode_ratings(levels, hidden, n_levels: int, dtype=jnp.float32):
    """One-hot input for the masked model.

    Args:
      levels: (nnz,) int rating level in 0..n_levels-1 (ignored where hidden).
      hidden: (nnz,) bool/0-1, 1 where the rating is masked or unobserved (a query).
    Returns: (nnz, n_levels + 1): one-hot of the level (zeros where hidden) and the indicator.
    """
    hidden = jnp.asarray(hidden, dtype)
    onehot = jax.nn.one_hot(levels, n_levels, dtype=dtype) * (1.0 - hidden)[:, None]
    return jnp.concatenate([onehot, hidden[:, None]], axis=-1)


def expected_rating(logits, values):
    """Expected rating under softmax(logits) (nnz, K) with rating values (K,)."""
    return jax.nn.softmax(logits, axis=-1) @ jnp.asarray(values, logits.dtype)


class ExchangeableLinear(nnx.Module):
    """Sparse exchangeable linear layer (2^ndim tied weights + bias).

    ``layer(x, index, sizes, weights=None, axis_name=None)``: x (nnz, in_ch) -> (nnz, out_ch).
    """

    def __init__(self, in_ch: int, out_ch: int, *, ndim: int = 2, rngs: nnx.Rngs | None, dtype=jnp.float32):
        """``rngs=None``: all weights start at zero (the layer adds nothing until trained)."""
        self.in_ch, self.out_ch, self.ndim = int(in_ch), int(out_ch), int(ndim)
        subsets = kept_subsets(self.ndim)
        scale = 1.0 / np.sqrt(self.in_ch * len(subsets))
        init = (
            (lambda: jnp.zeros((self.in_ch, self.out_ch), dtype))
            if rngs is None
            else (lambda: scale * jax.random.normal(rngs.params(), (self.in_ch, self.out_ch), dtype))
        )
        self.weights = nnx.Dict({subset_label(k): nnx.Param(init()) for k in subsets})
        self.bias = nnx.Param(jnp.zeros((self.out_ch,), dtype))

    @property
    def subsets(self) -> list[tuple[int, ...]]:
        return kept_subsets(self.ndim)

    def param_dict(self):
        d = {k: v[...] for k, v in self.weights.items()}
        d["bias"] = self.bias[...]
        return d

    def __call__(self, x, index, sizes, weights=None, axis_name=None):
        if x.shape[-1] != self.in_ch:
            raise ValueError(f"ExchangeableLinear expects {self.in_ch} input channels, got {x.shape[-1]}")
        return exchangeable_linear(self.param_dict(), x, index, tuple(sizes), weights, axis_name)


def _act(x):
    return jax.nn.leaky_relu(x, 0.1)


def _layer_norm(h, eps=1e-5):
    """Normalize each entry over its channels (acts entry-wise, so it is equivariant)."""
    mu = jnp.mean(h, axis=-1, keepdims=True)
    var = jnp.mean((h - mu) ** 2, axis=-1, keepdims=True)
    return (h - mu) * jax.lax.rsqrt(var + eps)


class _Stack(nnx.Module):
    """Exchangeable layers with leaky-ReLU and channel dropout between them.

    ``residual``: hidden layers of equal width add their input (h + f(h)); ``norm``: layer
    normalization of each entry's channels before every hidden layer. Both act entry-wise and
    keep the stack equivariant. ``side_in`` > 0: side-feature channels (nnz, side_in) enter the
    first layer through their own exchangeable layer, which starts at zero, so the stack starts
    as without them and learns how much to use them (concatenated inputs would rescale the
    initialization of the ratings' weights and, measured on MovieLens, destabilize training).
    Its output is multiplied by ``side_scale``: with Adam, whose steps do not depend on the
    gradient's scale, this is the side path's learning rate relative to the rest.
    """

    def __init__(
        self,
        widths: Sequence[int],
        ndim: int,
        dropout: float,
        rngs: nnx.Rngs,
        final_act: bool,
        residual: bool = False,
        norm: bool = False,
        side_in: int = 0,
        side_scale: float = 0.1,
    ):
        self.layers = nnx.List(
            [ExchangeableLinear(a, b, ndim=ndim, rngs=rngs) for a, b in zip(widths[:-1], widths[1:])]
        )
        self.side_in = int(side_in)
        self.side_scale = float(side_scale)
        self.side_layer = ExchangeableLinear(self.side_in, widths[1], ndim=ndim, rngs=None) if self.side_in else None
        self.dropout = float(dropout)
        self.final_act = bool(final_act)
        self.residual = bool(residual)
        self.norm = bool(norm)

    def __call__(self, h, index, sizes, weights, key, deterministic, side_x=None, axis_name=None):
        if (side_x is None) != (self.side_layer is None):
            raise ValueError(
                f"this stack was built for {self.side_in} side-feature channels, got "
                f"{0 if side_x is None else side_x.shape[-1]}"
            )
        n = len(self.layers)
        for i, layer in enumerate(self.layers):
            inp = h
            if self.norm and i > 0:
                h = _layer_norm(h)
            h = layer(h, index, sizes, weights, axis_name)
            if i == 0 and side_x is not None:
                h = h + self.side_scale * self.side_layer(side_x, index, sizes, weights, axis_name)
            if i < n - 1 or self.final_act:
                h = _act(h)
                if not deterministic and self.dropout > 0:
                    key, sub = jax.random.split(key)
                    h = channel_dropout(sub, h, self.dropout)
                if self.residual and i > 0 and inp.shape[-1] == h.shape[-1]:
                    h = inp + h
        return h


class SelfSupervisedExchangeable(nnx.Module):
    """Masked (self-supervised) exchangeable model of Hartford et al. (Sec. 5.2).

    Input per entry: one-hot rating (``n_levels``) plus a hidden indicator, then ``entry_in``
    further channels if any (e.g. :func:`eqsolve.nn.neighbours.neighbour_features`); optionally side
    features per row / column (``side_dims``, added to the first layer by a zero-initialized
    exchangeable layer scaled by ``side_scale``); ``num_layers`` exchangeable layers of ``ch``
    channels; output logits.

    ``model(x, index, sizes, weights=None, *, key=None, deterministic=True, side=None, axis_name=None)``
    with x = ``encode_ratings(...)`` (nnz, n_levels+1), with the ``entry_in`` channels appended
    when there are any -> logits (nnz, n_levels).
    """

    def __init__(
        self,
        n_levels: int = 5,
        *,
        ch: int = 128,
        num_layers: int = 4,
        dropout: float = 0.5,
        side_dims: Sequence[int] = (),
        ndim: int = 2,
        residual: bool = False,
        norm: bool = False,
        side_scale: float = 0.1,
        entry_in: int = 0,
        rngs: nnx.Rngs,
    ):
        self.n_levels = int(n_levels)
        in_ch = self.n_levels + 1 + int(entry_in)
        widths = [in_ch] + [int(ch)] * (int(num_layers) - 1) + [self.n_levels]
        self.net = _Stack(
            widths,
            ndim,
            dropout,
            rngs,
            final_act=False,
            residual=residual,
            norm=norm,
            side_in=int(sum(side_dims)),
            side_scale=side_scale,
        )

    def __call__(self, x, index, sizes, weights=None, *, key=None, deterministic=True, side=None, axis_name=None):
        if key is None:
            deterministic = True
        return self.net(x, index, tuple(sizes), weights, key, deterministic, _side_channels(x, index, side), axis_name)


class FactorizedExchangeable(nnx.Module):
    """Factorized exchangeable autoencoder (Hartford et al. Sec. 5.2, "factorized").

    Encoder: exchangeable layers on the input entries (``n_levels`` + 1 + ``entry_in`` channels,
    as in :class:`SelfSupervisedExchangeable`), then a mean pool per axis gives one
    factor vector per user (row) and per item (column), shape (sizes[a], factor_dim).
    Decoder: at each queried entry the two factors are concatenated (with their product) and
    passed through exchangeable layers; output logits.

    ``model(x, index, sizes, weights=None, *, query_index=None, query_weights=None, key=None,
    deterministic=True, side=None, axis_name=None)``: the encoder pools over entries with
    weight > 0. Without ``query_index`` the decoder predicts at the input entries and its pools,
    too, use only the entries with weight > 0 (the observed ratings), so an entry's prediction
    depends on the observed ratings alone: not on which other entries are queried, nor on
    padding (entries of weight 0). With ``query_index`` it predicts there and pools with
    ``query_weights`` (default: every queried entry). Returns logits (n_query, n_levels).
    """

    def __init__(
        self,
        n_levels: int = 5,
        *,
        ch: int = 128,
        enc_layers: int = 3,
        dec_layers: int = 2,
        factor_dim: int = 64,
        dropout: float = 0.5,
        side_dims: Sequence[int] = (),
        residual: bool = False,
        norm: bool = False,
        side_scale: float = 0.1,
        entry_in: int = 0,
        rngs: nnx.Rngs,
    ):
        self.n_levels = int(n_levels)
        in_ch = self.n_levels + 1 + int(entry_in)
        self.factor_dim = int(factor_dim)
        enc = [in_ch] + [int(ch)] * (int(enc_layers) - 1) + [self.factor_dim]
        dec = [3 * self.factor_dim] + [int(ch)] * (int(dec_layers) - 1) + [self.n_levels]
        self.encoder = _Stack(
            enc,
            2,
            dropout,
            rngs,
            False,
            residual=residual,
            norm=norm,
            side_in=int(sum(side_dims)),
            side_scale=side_scale,
        )
        self.decoder = _Stack(dec, 2, dropout, rngs, False, residual=residual, norm=norm)
        self.dropout = float(dropout)

    def factors(self, x, index, sizes, weights=None, *, key=None, deterministic=True, side=None, axis_name=None):
        """Row and column factors: ((N, f), (M, f)) (complete on every device when sharded)."""
        if key is None:
            deterministic = True
        h = self.encoder(x, index, tuple(sizes), weights, key, deterministic, _side_channels(x, index, side), axis_name)
        nnz = h.shape[0]
        w = jnp.ones((nnz,), h.dtype) if weights is None else weights.astype(h.dtype)
        out = []
        for a in range(2):
            mean, _ = _pool_table(h, w, index, sizes, (a,), axis_name)
            out.append(mean)
        return out[0], out[1]

    def decode(self, u, v, query_index, sizes, query_weights=None, *, key=None, deterministic=True, axis_name=None):
        fu, fv = u[query_index[0]], v[query_index[1]]
        h = jnp.concatenate([fu, fv, fu * fv], axis=-1)
        if key is None:
            deterministic = True
        return self.decoder(h, query_index, tuple(sizes), query_weights, key, deterministic, axis_name=axis_name)

    def __call__(
        self,
        x,
        index,
        sizes,
        weights=None,
        *,
        query_index=None,
        query_weights=None,
        key=None,
        deterministic=True,
        side=None,
        axis_name=None,
    ):
        k1 = k2 = None
        if key is not None:
            k1, k2 = jax.random.split(key)
        u, v = self.factors(
            x, index, sizes, weights, key=k1, deterministic=deterministic, side=side, axis_name=axis_name
        )
        if query_index is None:
            query_index, query_weights = index, weights
        return self.decode(
            u, v, query_index, sizes, query_weights, key=k2, deterministic=deterministic, axis_name=axis_name
        )
