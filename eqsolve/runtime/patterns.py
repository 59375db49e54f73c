"""Pooling programs for equality-pattern bases (S(n) tensor reps and products of S(n)s).

A block of ``rep_in >> rep_out`` whose axes are all defining reps of symmetric groups has
one basis element per equality pattern pi (a set partition of its out- and in-axes, per
group factor). The solver's element is the *exact* pattern indicator E_pi (indices in
different blocks distinct) divided by sqrt(count_pi). The runtime instead applies the
"at least" operator

    A_pi = sum_{sigma >= pi} E_sigma      (sigma coarser than or equal to pi),

the indicator of "all equalities of pi hold", which is a pooling program: for every block of
pi, its in-axes are tied (diagonal), a block with only in-axes is summed (or averaged), a block
with only out-axes is broadcast, a block with both is carried through, and the out-axes of
one block are embedded on the diagonal. Patterns with the same output structure are fused:
their pooled tensors are concatenated along channels and mixed by one contraction.

Same span, exact change of basis. A tuple satisfies the equalities of pi iff its exact
pattern sigma is coarser than pi, which gives the identity above. Ordering the patterns by a
linear extension of refinement, the zeta matrix Z[sigma, pi] = [pi <= sigma] is unitriangular,
so {A_pi} and {E_sigma} span the same space and

    sum_pi w_pi s_pi A_pi = sum_sigma c_sigma E_sigma / sqrt(count_sigma)
    with  c_sigma = sqrt(count_sigma) * sum_{pi <= sigma} s_pi w_pi,

where s_pi = 1 (sum pooling) or 1 / prod(n of the summed blocks) (mean pooling).
:meth:`PatternProgram.to_solver` and :meth:`PatternProgram.from_solver` are this map and its
inverse (tested against the dense basis to float32 tolerance).

Programs are size-agnostic: they refer to axes and group factors, never to n, so the same
weights apply to inputs of any size (sizes of broadcast-only groups come from ``sizes`` or
default to the sizes the program was built for).
"""

from __future__ import annotations

import math
import string
from typing import final

import jax
import jax.numpy as jnp
from jax import lax
import numpy as np

from ..solve.basis import PatternBasis

_LETTERS = string.ascii_uppercase + "efghijklmnopqrstuvwxyz"


def _falling(n: int, k: int) -> int:
    return math.prod(range(n - k + 1, n + 1)) if k <= n else 0


def _refines(fine, coarse) -> bool:
    """Every block of ``fine`` lies inside a block of ``coarse`` (both axis partitions)."""
    where = {a: i for i, b in enumerate(coarse) for a in b}
    return all(len({where[a] for a in b}) == 1 for b in fine)


def channel_mix(x, w, n_batch: int, fast_vjp: bool = True):
    """y[..., d, *rest] = sum_c w[d, c] x[..., c, *rest] for x with ``n_batch`` leading batch
    axes, as a batched matmul (B, d, c) @ (B, c, X): this keeps XLA from transposing x, and
    with ``fast_vjp`` its backward uses the same kernel form (w^T mixes the cotangent; a
    ``jax.custom_vjp``, so forward-mode AD (jax.jvp, jacfwd) needs ``fast_vjp=False``)."""
    batch, rest = x.shape[:n_batch], x.shape[n_batch + 1 :]
    nb = math.prod(batch)
    xb = x.reshape(nb, x.shape[n_batch], math.prod(rest))
    y = _bmix(w, xb) if fast_vjp else _bmix_plain(w, xb)
    return y.reshape(batch + (w.shape[0],) + rest)


def _bmix_plain(w, x):
    """(d, c) x (B, c, X) -> (B, d, X)."""
    return jnp.einsum("bdc,bcX->bdX", jnp.broadcast_to(w, (x.shape[0],) + w.shape), x)


@jax.custom_vjp
def _bmix(w, x):
    return _bmix_plain(w, x)


def _bmix_fwd(w, x):
    return _bmix(w, x), (w, x)


def _bmix_bwd(res, g):
    w, x = res
    gx = _bmix(w.T, g)  # the forward kernel again (faster on CPU than a transposed-lhs dot)
    gw = jnp.einsum("bdX,bcX->bdc", g, x).sum(0)
    return _like(gw, w), _like(gx, x)


def _like(ct, primal):
    """Inside ``shard_map``: a cotangent that varies over mesh axes its primal is replicated on
    is summed over them (the primal was used by every device); the identity elsewhere."""
    extra = tuple(sorted(jax.typeof(ct).manual_axis_type.varying - jax.typeof(primal).manual_axis_type.varying))
    return lax.psum(ct, extra) if extra else ct


_bmix.defvjp(_bmix_fwd, _bmix_bwd)


class _Pattern:
    """One pattern compiled: input reduction spec and output structure."""

    def __init__(self, label, n_out: int, axis_group):
        blocks = label.axis_partition()
        self.blocks = blocks
        letter = {}
        for bi, b in enumerate(blocks):
            for a in b:
                letter[a] = _LETTERS[bi]
        n_in = len(axis_group) - n_out
        self.in_letters = "".join(letter[n_out + j] for j in range(n_in))
        carried, summed, out_struct = [], [], []
        for bi, b in enumerate(blocks):
            outs = tuple(a for a in b if a < n_out)
            ins = tuple(a - n_out for a in b if a >= n_out)
            g = axis_group[b[0]]
            if outs and ins:
                carried.append(_LETTERS[bi])
            elif ins:
                summed.append((ins[0], g))
            if outs:
                out_struct.append((outs, bool(ins), g))
        self.carried = "".join(carried)
        self.summed = summed  # (an in-axis of the block, group index)
        self.out_key = tuple(out_struct)  # blocks with out-axes, in order of first out-axis
        self.identity = self.in_letters == self.carried and len(set(self.in_letters)) == len(self.in_letters)

    def reduce(self, x, pooling: str, cache: dict | None = None):
        """x (..., C, *in_shape) -> (..., C, *carried sizes). ``cache`` shares partial
        reductions between patterns of one call (row sums feed the total, ...)."""
        if self.identity:
            return x
        cache = {} if cache is None else cache
        uniq = "".join(dict.fromkeys(self.in_letters))
        # canonical names so that patterns with the same diagonal structure share work
        canon = {L: _LETTERS[i] for i, L in enumerate(uniq)}
        diag = "".join(canon[L] for L in self.in_letters)
        summed = frozenset(canon[L] for L in uniq if L not in self.carried)

        def get(S):
            key = (diag, S)
            if key in cache:
                return cache[key]
            if not S:
                U = "".join(dict.fromkeys(diag))
                t = x if U == diag else jnp.einsum(f"...c{diag}->...c{U}", x)
                res = (t, U)
            else:
                a = next((b for b in sorted(S) if (diag, S - {b}) in cache), max(S))
                t, U = get(S - {a})
                if S - {a}:
                    # keep XLA from re-reading the full tensor for a sum of a partial sum
                    t = lax.optimization_barrier(t)
                res = (t.sum(axis=t.ndim - len(U) + U.index(a)), U.replace(a, ""))
            cache[key] = res
            return res

        t, U = get(summed)
        want = "".join(canon[L] for L in self.carried)
        if U != want:
            k = t.ndim - len(U)
            t = jnp.transpose(t, tuple(range(k)) + tuple(k + U.index(L) for L in want))
        if pooling == "mean" and self.summed:
            k = x.ndim - len(self.in_letters)
            t = t / float(math.prod(x.shape[k + a] for a, _ in self.summed))
        return t


@final
class PatternProgram:
    """Pooling program of one ``in-field -> out-field`` block with a :class:`PatternBasis`.

    Weights: (C_out, C_in, P), one per pattern in the solver's label order.

    Args:
        basis: the block's PatternBasis (axes: out-axes then in-axes).
        n_out: number of out-axes.
        pooling: "sum" (exactly the at-least basis) or "mean" (summed blocks divided by n,
            for size generalisation).
        fast_vjp: channel mixing with a hand-written backward (faster on CPU); set False to
            use forward-mode AD (jax.jvp / jacfwd) through the layer.
    """

    kind = "pattern"

    def __init__(self, basis: PatternBasis, n_out: int, pooling: str = "sum", fast_vjp: bool = True):
        if pooling not in ("sum", "mean"):
            raise ValueError(f"pooling must be 'sum' or 'mean', got {pooling!r}")
        self.basis = basis
        self.n_out = n_out
        self.n_in = len(basis.shape) - n_out
        self.pooling = pooling
        self.fast_vjp = fast_vjp
        self.axis_group = tuple(basis.axis_group)
        self.default_sizes = tuple(g.d for g in basis.groups)
        self.patterns = [_Pattern(lab, n_out, self.axis_group) for lab in basis.labels]
        self.num_params = len(self.patterns)
        groups: dict = {}
        for k, p in enumerate(self.patterns):
            groups.setdefault(p.out_key, []).append(k)
        self.fused = list(groups.items())  # [(out_key, [pattern indices])]

    # ------------------------------------------------------------------ sizes
    def sizes(self, x=None, sizes=None) -> list[int]:
        """n per group factor: from ``sizes`` ({group index: n}), else the input, else default."""
        out = list(self.default_sizes)
        if x is not None:
            k = x.ndim - self.n_in
            for j in range(self.n_in):
                out[self.axis_group[self.n_out + j]] = x.shape[k + j]
        for g, n in (sizes or {}).items():
            out[g] = n
        return out

    def init_scale(self, c_in: int) -> np.ndarray:
        """(P,) init std per pattern: unit output variance for unit inputs."""
        n = self.default_sizes
        return np.array(
            [
                1.0
                / math.sqrt(
                    c_in * self.num_params * (1 if self.pooling == "mean" else math.prod(n[g] for _, g in p.summed))
                )
                for p in self.patterns
            ]
        )

    # ------------------------------------------------------------------ apply
    def __call__(self, w, x, sizes=None, extra=(), broadcast: bool = True):
        """w (C_out, C_in, P), x (..., C_in, *in_shape) -> (..., C_out, *out_shape).

        ``extra``: tensors broadcastable to the output (a bias) summed with the pooled terms
        before the full-size one, so that their transposes are sums of the pooled cotangent
        reductions instead of new passes over the full cotangent. ``broadcast=False`` returns
        the sum before its final broadcast to the full output shape (size-1 axes kept)."""
        n = self.sizes(x, sizes)
        c_in = w.shape[1]
        batch = x.shape[: x.ndim - 1 - self.n_in]
        outs = []
        cache: dict = {}
        for out_key, idx in self.fused:
            reduced = [self.patterns[k].reduce(x, self.pooling, cache) for k in idx]
            r = reduced[0] if len(reduced) == 1 else jnp.concatenate(reduced, axis=len(batch))
            wk = w[:, :, idx]  # (C_out, C_in, k)
            wk = jnp.transpose(wk, (0, 2, 1)).reshape(w.shape[0], len(idx) * c_in)
            y = channel_mix(r, wk, len(batch), self.fast_vjp)
            outs.append(self._embed(y, out_key, n, batch))
        outs.extend(extra)
        # add the small (broadcast) terms first, the full-size ones last: one fused pass
        outs.sort(key=lambda t: t.size)
        full = math.prod(outs[-1].shape)
        out = outs[0]
        for t in outs[1:]:
            if out.size < full and len(outs) > 1:
                # small partial sums stay separate (their transposes then reuse each other's
                # reductions instead of re-reading the full cotangent)
                out = lax.optimization_barrier(out)
            out = out + t
        shape = batch + (w.shape[0],) + tuple(n[self.axis_group[a]] for a in range(self.n_out))
        return jnp.broadcast_to(out, shape) if broadcast and out.shape != shape else out

    def _embed(self, y, out_key, n, batch):
        """(..., C, *carried) -> broadcastable to (..., C, *out_shape)."""
        shape = [1] * self.n_out
        for outs, carried, g in out_key:
            if carried:
                shape[outs[0]] = n[g]
        y = y.reshape(batch + (y.shape[len(batch)],) + tuple(shape))
        for outs, carried, g in out_key:
            for a in outs[1:]:
                mshape = [1] * self.n_out
                mshape[outs[0]] = mshape[a] = n[g]
                y = y * jnp.eye(n[g], dtype=y.dtype).reshape(mshape)
        return y

    # ------------------------------------------------------- change of basis
    def change_matrix(self, sizes=None) -> np.ndarray:
        """M (P, P) with solver coefficients c = M @ w (float64), at the given sizes
        (default: the sizes the basis was solved for)."""
        n = list(self.default_sizes) if sizes is None else list(sizes)
        labs = self.basis.labels
        P = len(labs)
        count = np.array(
            [math.prod(_falling(n[gi], len(part)) for gi, part in enumerate(lab.blocks)) for lab in labs],
            dtype=np.float64,
        )
        scale = np.array(
            [1.0 if self.pooling == "sum" else 1.0 / math.prod(n[g] for _, g in p.summed) for p in self.patterns]
        )
        M = np.zeros((P, P))
        parts = [lab.axis_partition() for lab in labs]
        for s in range(P):
            for p in range(P):
                if _refines(parts[p], parts[s]):
                    M[s, p] = math.sqrt(count[s]) * scale[p]
        return M

    def to_solver(self, w, sizes=None) -> np.ndarray:
        """Program weights (..., P) -> the solver's coefficients (..., P)."""
        return np.asarray(w, dtype=np.float64) @ self.change_matrix(sizes).T

    def from_solver(self, c, sizes=None) -> np.ndarray:
        """The solver's coefficients (..., P) -> program weights (..., P)."""
        M = self.change_matrix(sizes)
        return np.linalg.solve(M, np.asarray(c, dtype=np.float64).reshape(-1, M.shape[0]).T).T.reshape(np.shape(c))

    def __repr__(self):
        return f"PatternProgram({self.num_params} patterns, {len(self.fused)} fused contractions, {self.pooling})"
