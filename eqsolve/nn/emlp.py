"""EMLP (Finzi, Welling, Wilson 2021) on Flax NNX.

``EMLP(rep_in, rep_out, group, ch, num_layers)``: ``num_layers`` blocks of
equivariant Linear -> BiLinear (residual) -> gated nonlinearity, then a final Linear. The
hidden rep comes from ``ch`` like EMLP's ``uniform_rep``: a mix of tensors T(p, q) of
ranks 0..r spread evenly over channels, plus one gate scalar per non-scalar channel.
"""
from __future__ import annotations

import math

from flax import nnx

from ..reps.base import Rep, ScalarRep
from ..reps.base import T as _T
from .layers import BiLinear, GatedNonlinearity, Linear, _bind, gated


def lambert_rank(ch: int, d: int) -> int:
    """The largest rank r with (r + 1) d^r <= ch (EMLP's ``lambertW``)."""
    r = 0
    while (r + 2) * d ** (r + 1) <= ch:
        r += 1
    return r


def binomial_allocation(N: int, rank: int, G) -> Rep | None:
    """N tensors of a given rank split over T(p, q), p + q = rank, in binomial proportion
    (deterministically); all T(rank) for groups whose dual rep equals the rep."""
    if N <= 0:
        return None
    if rank == 0:
        return N * ScalarRep(G)
    if G.is_orthogonal:
        return N * _T(rank, 0, G)
    w = [math.comb(rank, k) / 2 ** rank for k in range(rank + 1)]
    counts = [int(math.floor(N * x)) for x in w]
    for k in sorted(range(rank + 1), key=lambda k: -w[k])[:N - sum(counts)]:
        counts[k] += 1
    terms = [c * _T(rank - k, k, G) for k, c in enumerate(counts) if c]
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def uniform_rep(ch: int, G) -> Rep:
    """EMLP's heuristic: allocate ``ch`` dimensions to tensors of ranks 0..r evenly."""
    if ch < 1:
        raise ValueError(f"uniform_rep needs ch >= 1, got {ch}")
    d = G.d
    Ns = [0] * (lambert_rank(ch, d) + 1)
    while ch > 0:
        r = lambert_rank(ch, d)
        for k in range(r + 1):
            Ns[k] += d ** (r - k)
        ch -= (r + 1) * d ** r
    parts = [binomial_allocation(n, r, G) for r, n in enumerate(Ns)]
    parts = [p for p in parts if p is not None]
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


class EMLPBlock(nnx.Module):
    """Linear(rep_in -> gated(rep_out)), BiLinear residual, gated nonlinearity -> rep_out."""

    def __init__(self, rep_in: Rep, rep_out: Rep, *, rngs: nnx.Rngs, mode: str = "auto"):
        g = gated(rep_out)
        self.linear = Linear(rep_in, g, rngs=rngs, mode=mode)
        self.bilinear = BiLinear(g, g, rngs=rngs)
        self.nonlinearity = GatedNonlinearity(rep_out)

    def __call__(self, x):
        lin = self.linear(x)
        return self.nonlinearity(self.bilinear(lin) + lin)


class EMLP(nnx.Module):
    """Equivariant MLP.

    Args:
        rep_in, rep_out: reps (bound, or unbound and bound here to ``group``).
        group: the symmetry group.
        ch: hidden width: an int (``uniform_rep(ch, group)``), a Rep, or a list (one per layer).
        num_layers: number of EMLP blocks.
        rngs: ``nnx.Rngs``.
    Input (batch, rep_in.size()) -> output (batch, rep_out.size()).
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, group, ch=384, num_layers: int = 3, *, rngs: nnx.Rngs,
                 mode: str = "auto"):
        self.rep_in, self.rep_out = _bind(rep_in, group), _bind(rep_out, group)
        if isinstance(ch, (list, tuple)):
            middle = [c if isinstance(c, Rep) else uniform_rep(c, group) for c in ch]
        else:
            middle = [ch if isinstance(ch, Rep) else uniform_rep(ch, group)] * num_layers
        middle = [_bind(m, group) for m in middle]
        reps = [self.rep_in] + middle
        self.hidden_reps = middle
        self.blocks = nnx.List([EMLPBlock(a, b, rngs=rngs, mode=mode) for a, b in zip(reps[:-1], reps[1:])])
        self.head = Linear(reps[-1], self.rep_out, rngs=rngs, mode=mode)

    def __call__(self, x):
        for blk in self.blocks:
            x = blk(x)
        return self.head(x)


class MLP(nnx.Module):
    """Plain MLP baseline (swish), same interface: (batch, d_in) -> (batch, d_out)."""

    def __init__(self, d_in: int, d_out: int, ch: int = 384, num_layers: int = 3, *, rngs: nnx.Rngs):
        dims = [d_in] + [ch] * num_layers
        self.layers = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in zip(dims[:-1], dims[1:])])
        self.head = nnx.Linear(dims[-1], d_out, rngs=rngs)

    def __call__(self, x):
        for lyr in self.layers:
            x = nnx.swish(lyr(x))
        return self.head(x)
