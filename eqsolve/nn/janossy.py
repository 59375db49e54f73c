"""Janossy pooling (Murphy, Srinivasan, Rao, Ribeiro, "Janossy Pooling", ICLR 2019).

A Janossy-pooled model averages a permutation-*sensitive* function over orderings of the set:

    f(X) = rho( (1 / |Pi|) sum_{pi in Pi} phi(x_pi(1), ..., x_pi(k)) ).

Two tractable forms are built here.

k-ary Janossy, exact (:class:`JanossyPooling`)
    phi reads ordered k-tuples. The tuple tensor ``Z[i_1..i_k] = phi(x_i1, ..., x_ik)`` is a
    C-channel T_k = V(S(n))^{(x)k} field, and a pooling of it to a scalar is an element of the
    solved basis of ``V(S(n))**k >> Scalar``: one element per equality pattern of the k axes
    (Bell(k) patterns; :func:`eqsolve.solve.set_partitions`). The pooling is run by the
    runtime's :class:`~eqsolve.runtime.PatternProgram` for that basis, which computes the
    "at least" sums ``A_pi = sum over tuples where all equalities of pi hold`` (diagonals and
    sums, never a dense basis). The exact pattern sums ``E_sigma`` (tuples whose equality
    pattern is exactly sigma) follow by Moebius inversion on the partition lattice,
    ``A = Z E`` with ``Z[pi, sigma] = [pi refines sigma]``; E of the finest pattern (all k
    indices distinct) is the k-ary Janossy sum of Murphy et al., the coarser patterns are the
    lower-arity terms (phi(x_i, x_i), ...). ``patterns="distinct"`` feeds rho the k-ary
    Janossy pooling alone; ``patterns="all"`` feeds every pattern (a general invariant
    polynomial-like pooling of degree k; k=1 is DeepSets). ``reduction="mean"`` divides each
    E_sigma by its number of tuples (``m (m-1) ... (m-b+1)`` for b blocks and m real
    elements), ``"sum"`` keeps sums.

Sampled (pi-SGD)
    :meth:`JanossyPooling.sampled` estimates the distinct-tuple pooling from ``num_samples``
    uniformly random permutations per set (the first k entries of each; an unbiased estimate
    of the mean). Training with one sample per step is Murphy et al.'s pi-SGD; at test time the
    average over many sampled permutations estimates the exact pooling.
    :class:`PermutationJanossy` is the full-permutation form (k = n) for any sequence model,
    e.g. :class:`~eqsolve.nn.recurrent.RecurrentSetModel`: ``f(X) = mean_pi g(x_pi)``,
    sampled (pi-SGD) or enumerated exactly over all n! orderings for small n.

Shapes: sets are (batch, n, F) floats or (batch, n) integer tokens (with ``num_embeddings``);
``mask`` (batch, n) bool marks real elements, and a padded set gives the result of the
unpadded one. Outputs are (batch, out_features).
"""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from ..groups import S
from ..reps import Scalar, V
from ..runtime import PatternProgram
from ..solve import PatternBasis
from .sire import permute_prefix

__all__ = ["JanossyPooling", "PermutationJanossy", "janossy_pattern_basis", "count_params"]

REDUCTIONS = ("mean", "sum")
PATTERN_CHOICES = ("all", "distinct")


def count_params(model: nnx.Module) -> int:
    """Number of trainable scalars (``nnx.Param``) of a module."""
    return int(sum(np.prod(a.shape) for a in jax.tree.leaves(nnx.state(model, nnx.Param))))


def janossy_pattern_basis(k: int, n_ref: int | None = None) -> PatternBasis:
    """The solved basis of ``V(S(n_ref))**k >> Scalar``: one element per set partition of the
    k tuple axes (``n_ref >= k`` so that all Bell(k) patterns occur; default ``n_ref = k``)."""
    if k < 1:
        raise ValueError(f"Janossy pooling needs a tuple size k >= 1, got k={k}")
    n_ref = max(k, 2) if n_ref is None else n_ref
    if n_ref < k:
        raise ValueError(f"n_ref={n_ref} < k={k}: patterns with more than n_ref distinct indices would be lost")
    rb = ((V(S(n_ref)) ** k) >> Scalar).equivariant_basis()
    ((_, basis),) = rb.blocks
    if not isinstance(basis, PatternBasis):
        raise ValueError(
            f"expected an equality-pattern basis for T{k}(S({n_ref})) -> Scalar, got {type(basis).__name__}"
        )
    return basis


def _refines(fine, coarse) -> bool:
    where = {a: i for i, b in enumerate(coarse) for a in b}
    return all(len({where[a] for a in b}) == 1 for b in fine)


class _Static:
    """Non-array constants held as static module metadata (hashable by identity)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class JanossyPooling(nnx.Module):
    """k-ary Janossy pooling ``rho(pool_{k-tuples} phi(x_i1, ..., x_ik))``, exact by patterns.

    Args:
      in_features: element feature size F (ignored with ``num_embeddings``).
      hidden: width of phi and rho.
      out_features: output size.
      k: tuple size (k = 1 is DeepSets; cost grows as n^k).
      phi_layers: layers of phi (the first reads the whole tuple: ``sum_a W_a x_{i_a} + b``,
        i.e. a dense layer of the concatenated tuple).
      rho_layers: hidden layers of rho.
      patterns: "distinct" (Murphy et al.'s k-ary Janossy: distinct tuples only) or "all"
        (every equality pattern of the solved basis, concatenated).
      reduction: "mean" (Janossy's 1/|Pi|) or "sum".
      num_embeddings, embed_dim: integer-token inputs, embedded first.
      rngs: nnx.Rngs.
    Attributes: ``basis`` (the solved PatternBasis), ``pattern_labels`` (axis partitions),
    ``num_patterns``.
    """

    def __init__(
        self,
        in_features: int | None,
        hidden: int,
        out_features: int,
        *,
        k: int = 2,
        phi_layers: int = 2,
        rho_layers: int = 1,
        patterns: str = "all",
        reduction: str = "mean",
        num_embeddings: int | None = None,
        embed_dim: int | None = None,
        rngs: nnx.Rngs,
    ):
        if patterns not in PATTERN_CHOICES:
            raise ValueError(f"patterns must be one of {PATTERN_CHOICES}, got {patterns!r}")
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
        if phi_layers < 1:
            raise ValueError(f"phi_layers must be >= 1, got {phi_layers}")
        basis = janossy_pattern_basis(k)
        parts = [lab.axis_partition() for lab in basis.labels]
        P = len(parts)
        zeta = np.array([[1.0 if _refines(parts[p], parts[s]) else 0.0 for s in range(P)] for p in range(P)])
        finest = next(i for i, q in enumerate(parts) if len(q) == k)
        self.k, self.hidden, self.patterns, self.reduction = k, hidden, patterns, reduction
        self.pattern_labels = tuple(parts)
        self.num_patterns = P
        self.basis = _Static(basis=basis)
        # program: T_k field with `hidden` channels -> hidden*P scalars (one pooled copy per pattern)
        sel = np.zeros((P * hidden, hidden, P), np.float32)
        for p in range(P):
            sel[p * hidden + np.arange(hidden), np.arange(hidden), p] = 1.0
        self._const = _Static(
            program=PatternProgram(basis, 0, pooling="sum", fast_vjp=False),
            select=sel,
            zeta_inv=np.linalg.inv(zeta).astype(np.float32),
            blocks=np.array([len(q) for q in parts]),
            finest=finest,
        )
        if num_embeddings is not None:
            feat = embed_dim or hidden
            self.embed = nnx.Embed(num_embeddings, feat, rngs=rngs)
        else:
            if in_features is None:
                raise ValueError("JanossyPooling needs in_features or num_embeddings")
            self.embed = None
            feat = int(in_features)
        self.first = nnx.List([nnx.Linear(feat, hidden, use_bias=(a == 0), rngs=rngs) for a in range(k)])
        self.phi = nnx.List([nnx.Linear(hidden, hidden, rngs=rngs) for _ in range(phi_layers - 1)])
        width = hidden * (P if patterns == "all" else 1)
        rho = []
        for _ in range(rho_layers):
            rho.append(nnx.Linear(width, hidden, rngs=rngs))
            width = hidden
        self.rho = nnx.List(rho)
        self.out = nnx.Linear(width, out_features, rngs=rngs)

    # ----- pieces ------------------------------------------------------------------------
    def _features(self, x):
        return self.embed(x.astype(jnp.int32)) if self.embed is not None else x.astype(jnp.float32)

    def _phi_rest(self, h):
        h = nnx.relu(h)
        for layer in self.phi:
            h = nnx.relu(layer(h))
        return h

    def tuple_tensor(self, x, mask=None):
        """phi on every ordered k-tuple: (B, n, ..., n, hidden) (k axes of n), zero where a
        tuple holds a padded element."""
        f = self._features(x)  # (B, n, F)
        B, n = f.shape[0], f.shape[1]
        k = self.k
        h = 0.0
        for a, lin in enumerate(self.first):
            shape = (B,) + tuple(n if b == a else 1 for b in range(k)) + (self.hidden,)
            h = h + lin(f).reshape(shape)
        h = self._phi_rest(h)
        if mask is not None:
            m = 1.0
            for a in range(k):
                m = m * mask.reshape((B,) + tuple(n if b == a else 1 for b in range(k))).astype(h.dtype)
            h = h * m[..., None]
        return h

    def pattern_pools(self, x, mask=None):
        """Exact pooled phi per equality pattern: (B, P, hidden), pattern order of
        ``pattern_labels``; entry ``[:, p]`` is the sum (or mean) of phi over the tuples whose
        equality pattern is exactly ``pattern_labels[p]``."""
        c = self._const
        h = self.tuple_tensor(x, mask)
        B, n = h.shape[0], h.shape[1]
        t = jnp.moveaxis(h, -1, 1)  # (B, hidden, n, ..., n): a T_k field with `hidden` channels
        at_least = c.program(jnp.asarray(c.select), t).reshape(B, self.num_patterns, self.hidden)
        exact = jnp.einsum("sp,bpc->bsc", jnp.asarray(c.zeta_inv), at_least)  # Moebius inversion
        if self.reduction == "mean":
            m = jnp.full((B,), n, jnp.float32) if mask is None else mask.sum(-1).astype(jnp.float32)
            count = jnp.stack([_falling(m, int(b)) for b in c.blocks], -1)  # (B, P)
            exact = exact / jnp.maximum(count, 1.0)[..., None]
        return exact

    def readout(self, pooled):
        """(B, width) -> (B, out_features)."""
        h = pooled
        for layer in self.rho:
            h = nnx.relu(layer(h))
        return self.out(h)

    def __call__(self, x, mask=None):
        """(B, n[, F]) -> (B, out_features); exact (all tuples)."""
        pools = self.pattern_pools(x, mask)
        if self.patterns == "distinct":
            return self.readout(pools[:, self._const.finest])
        return self.readout(pools.reshape(pools.shape[0], -1))

    def sampled_pool(self, x, mask, key, num_samples: int = 1):
        """pi-SGD estimate of the distinct-tuple pooling: phi averaged over the first k entries
        of ``num_samples`` uniformly random permutations of each set's real elements (an
        unbiased estimate of the exact mean; times m(m-1)...(m-k+1) for ``reduction="sum"``).
        Needs ``patterns="distinct"``. (B, n[, F]) -> (B, hidden); 0 for sets with fewer than
        k real elements (they have no distinct k-tuple)."""
        if self.patterns != "distinct":
            raise ValueError(
                "sampled (pi-SGD) pooling estimates the distinct-tuple Janossy pooling; "
                "build the model with patterns='distinct'"
            )
        f = self._features(x)
        B, n = f.shape[0], f.shape[1]
        if n < self.k:
            raise ValueError(f"sets of size {n} have no distinct {self.k}-tuples")
        m = jnp.full((B,), n, jnp.int32) if mask is None else mask.sum(-1).astype(jnp.int32)
        u = jax.random.uniform(key, (num_samples, B, n))
        if mask is not None:
            u = jnp.where(mask[None], u, 2.0)  # padded elements sort last
        idx = jnp.argsort(u, axis=-1)[..., : self.k]  # (S, B, k) distinct real indices
        h = 0.0
        for a, lin in enumerate(self.first):
            fa = jax.vmap(lambda i: jnp.take_along_axis(f, i[:, None, None], axis=1)[:, 0])(idx[..., a])
            h = h + lin(fa)  # (S, B, hidden)
        h = self._phi_rest(h).mean(0)
        valid = (m >= self.k).astype(h.dtype)[:, None]
        if self.reduction == "sum":
            h = h * _falling(m.astype(jnp.float32), self.k)[:, None]
        return h * valid

    def sampled(self, x, mask, key, num_samples: int = 1):
        """pi-SGD model output ``rho(sampled_pool(...))``: (B, n[, F]) -> (B, out_features)."""
        return self.readout(self.sampled_pool(x, mask, key, num_samples))


def _falling(m, b: int):
    """m (m-1) ... (m-b+1), elementwise, 0 where m < b."""
    out = jnp.ones_like(m)
    for j in range(b):
        out = out * jnp.maximum(m - j, 0.0)
    return out


class PermutationJanossy(nnx.Module):
    """Full Janossy pooling of a sequence model g: ``f(X) = mean over orderings pi of g(x_pi)``.

    ``g`` maps (B, T[, F]) with a prefix mask (B, T) to (B, out), e.g. a
    :class:`~eqsolve.nn.recurrent.RecurrentSetModel`. :meth:`__call__` samples
    ``num_permutations`` orderings of each set's real elements (pi-SGD with 1 during
    training; the test-time estimator with many); :meth:`exact` averages over all n!
    orderings (exactly invariant; small n only).
    """

    MAX_EXACT = 8

    def __init__(self, g: nnx.Module):
        self.g = g

    def __call__(self, xs, mask, key, num_permutations: int = 1):
        B, T = xs.shape[0], xs.shape[1]
        if mask is None:
            mask = jnp.ones((B, T), bool)
        lengths = mask.sum(1)
        keys = jax.random.split(key, num_permutations)
        # all sampled orderings in one batch through g (no unrolled loop over permutations)
        xp = jax.vmap(lambda kk: permute_prefix(kk, xs, lengths, lengths))(keys)  # (M, B, T[, F])
        flat = xp.reshape((num_permutations * B,) + xs.shape[1:])
        out = self.g(flat, jnp.tile(mask, (num_permutations, 1)))
        return out.reshape(num_permutations, B, -1).mean(0)

    def exact(self, xs):
        """Mean of g over all orderings of full (unpadded) sets: (B, n[, F]) -> (B, out)."""
        n = xs.shape[1]
        if n > self.MAX_EXACT:
            raise ValueError(
                f"exact Janossy pooling enumerates n! orderings; n={n} > {self.MAX_EXACT}: "
                "use the sampled estimator (__call__ with num_permutations)"
            )
        perms = jnp.asarray(list(itertools.permutations(range(n))))  # (n!, n)
        xp = xs[:, perms]  # (B, n!, n[, F])
        flat = xp.reshape((-1,) + xp.shape[2:])
        out = self.g(flat, jnp.ones(flat.shape[:2], bool))
        return out.reshape(xs.shape[0], math.factorial(n), -1).mean(1)
