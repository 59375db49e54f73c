"""Equivariant layers on Flax NNX, built on :mod:`eqsolve.runtime`.

Inputs are flat ``(batch, rep_in.size())`` arrays as in EMLP; every layer also has a
tensor-shaped / pure-function form for use inside ``jax.jit``:

- ``Linear.apply_fields(xs)``: list of field tensors (..., C_f, *shape_f) in, list out
  (size-agnostic for pattern bases: the same weights apply to any n);
- ``linear_apply(program, weights, biases, x)``: a pure function of arrays;
- ``nnx.split(layer)`` / ``nnx.merge`` as usual.
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from ..reps.base import Rep, ScalarRep
from ..runtime import Layout, LinearProgram


def _bind(rep: Rep, G=None) -> Rep:
    if rep.is_bound and (G is None or rep.G is not None):
        return rep
    if G is None:
        raise ValueError(f"rep {rep} is unbound: give it a group first, e.g. ({rep})(S(3))")
    return rep(G)


class _Static:
    """Holds a compiled program as static (hashable by identity) module metadata."""

    def __init__(self, obj):
        self.obj = obj

    def __repr__(self):
        return repr(self.obj)


def linear_apply(program: LinearProgram, weights, biases, x):
    """Pure function: x (..., rep_in.size()) -> (..., rep_out.size())."""
    return program(list(weights), x, list(biases))


class Linear(nnx.Module):
    """Equivariant linear map rep_in -> rep_out, with a bias in the invariant subspace of
    rep_out (only where it is nonzero).

    The runtime is chosen per block automatically: pooling programs for S(n)-pattern bases,
    lazy orbit gathers for other permutation groups, the dense basis otherwise.

    Args:
        rep_in, rep_out: bound reps (multiplicities are channels).
        rngs: ``nnx.Rngs``.
        use_bias: add the invariant bias.
        mode: "auto" | "pattern" | "orbit" | "dense" (force a runtime; "dense" is the reference).
        pooling: "sum" | "mean" for pattern blocks (mean generalises across sizes).
        fast_vjp: faster custom backward for pattern blocks; False to allow forward-mode AD.
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, *, rngs: nnx.Rngs, use_bias: bool = True,
                 mode: str = "auto", pooling: str = "sum", dtype=jnp.float32, init_scale: float = 1.0,
                 fast_vjp: bool = True):
        prog = LinearProgram(rep_in, rep_out, mode=mode, pooling=pooling, bias=use_bias, fast_vjp=fast_vjp)
        self.rep_in, self.rep_out = rep_in, rep_out
        self._prog = _Static(prog)
        ws, bs = prog.init(rngs.params(), dtype)
        self.weights = nnx.List([nnx.Param(w * init_scale if init_scale != 1.0 else w) for w in ws])
        self.biases = nnx.List([nnx.Param(b) for b in bs])

    @property
    def program(self) -> LinearProgram:
        return self._prog.obj

    @property
    def has_bias(self) -> bool:
        return len(self.biases) > 0

    def __call__(self, x):
        """x (..., rep_in.size()) -> (..., rep_out.size())."""
        return self.program([w[...] for w in self.weights], x, [b[...] for b in self.biases])

    def apply_fields(self, xs, sizes=None):
        """Tensor form: list of (..., C_f, *shape_f) per input field -> list per output field."""
        return self.program.apply_fields([w[...] for w in self.weights], xs, [b[...] for b in self.biases], sizes)

    def solver_coefficients(self) -> np.ndarray:
        """The weights in ``(rep_in >> rep_out).equivariant_basis()`` coordinates."""
        return self.program.solver_coefficients([np.asarray(w[...]) for w in self.weights])

    def dense_matrix(self) -> np.ndarray:
        """(size_out, size_in) weight matrix through the solver's dense basis (for checks)."""
        Q = (self.rep_in >> self.rep_out).equivariant_basis().dense()
        return (Q @ self.solver_coefficients()).reshape(self.rep_out.size(), self.rep_in.size())


class BiLinear(nnx.Module):
    """Cheap equivariant bilinear layer (as in EMLP): parts of the input that transform like a
    map ``in-field -> out-field`` are used as that map's weights, applied to the input.

    For an output field o and input field i, every input field k whose type is
    ``o ⊗ i*`` gives  y_o += (theta W_k) (phi x_i), with channel mixes theta (C_o, C_k) and
    phi (C_o, C_i); both factors are equivariant, so y is. Fields with no such partner get no
    bilinear term.
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, *, rngs: nnx.Rngs, scale: float = 0.1, dtype=jnp.float32):
        lin, lout = Layout(rep_in), Layout(rep_out)
        self._layouts = _Static((lin, lout))
        keys = [F.key for F in lin.fields]
        triples = []
        for fo, Fo in enumerate(lout.fields):
            for fi, Fi in enumerate(lin.fields):
                target = tuple(l.key for l in Fo.leaves) + tuple(l.T.key for l in Fi.leaves)
                if target in keys:
                    triples.append((fo, fi, keys.index(target)))
        self._triples = _Static(triples)
        per_out = {}
        for fo, _, _ in triples:
            per_out[fo] = per_out.get(fo, 0) + 1
        from ..runtime.compile import _seed
        rng = np.random.default_rng(_seed(rngs.params()))
        thetas, phis = [], []
        for fo, fi, fk in triples:
            co, ci, ck = lout.fields[fo].channels, lin.fields[fi].channels, lin.fields[fk].channels
            s = scale / math.sqrt(per_out[fo])
            thetas.append(nnx.Param(jnp.asarray(rng.normal(size=(co, ck)) * (s / math.sqrt(ck)), dtype)))
            phis.append(nnx.Param(jnp.asarray(rng.normal(size=(co, ci)) / math.sqrt(ci), dtype)))
        self.thetas = nnx.List(thetas)
        self.phis = nnx.List(phis)

    def __call__(self, x):
        lin, lout = self._layouts.obj
        xs = lin.split(x)
        return lout.merge(self.apply_fields(xs))

    def apply_fields(self, xs):
        lin, lout = self._layouts.obj
        batch = xs[0].shape[:xs[0].ndim - 1 - len(lin.fields[0].shape)]
        outs = [None] * len(lout.fields)
        for th, ph, (fo, fi, fk) in zip(self.thetas, self.phis, self._triples.obj):
            no, ni = len(lout.fields[fo].shape), len(lin.fields[fi].shape)
            O, I = "ABCDEFGHIJ"[:no], "KLMNOPQRST"[:ni]
            u = jnp.einsum(f"...e{O}{I},de->...d{O}{I}", xs[fk], th[...])
            xm = jnp.einsum(f"...c{I},dc->...d{I}", xs[fi], ph[...])
            y = jnp.einsum(f"...d{O}{I},...d{I}->...d{O}", u, xm)
            outs[fo] = y if outs[fo] is None else outs[fo] + y
        for fo, F in enumerate(lout.fields):
            if outs[fo] is None:
                outs[fo] = jnp.zeros(batch + (F.channels,) + F.shape, xs[0].dtype)
        return outs


def gated(rep: Rep) -> Rep:
    """``rep`` plus one scalar gate for every non-scalar channel (EMLP's gated rep)."""
    m = sum(1 for mono in rep.monomials if mono.leaves)
    if m == 0:
        return rep
    return rep + m * ScalarRep(rep.G)


def gate_indices(rep: Rep) -> np.ndarray:
    """(rep.size(),) index into ``gated(rep)`` of each coordinate's gate: scalars gate
    themselves (swish), the k-th non-scalar channel uses scalar ``rep.size() + k``."""
    idx = np.zeros(rep.size(), dtype=np.int32)
    k = 0
    for mono in rep.monomials:
        coords = mono.index_array().reshape(-1)
        if mono.leaves:
            idx[coords] = rep.size() + k
            k += 1
        else:
            idx[coords] = coords
    return idx


class GatedNonlinearity(nnx.Module):
    """x in gated(rep) (..., gated(rep).size()) -> (..., rep.size()):
    ``sigmoid(gate) * value`` per channel; scalars are gated by themselves (swish).
    Equivariant because the gates are invariant scalars."""

    def __init__(self, rep: Rep):
        self.rep = rep
        self._idx = _Static(gate_indices(rep))

    def __call__(self, x):
        n = self.rep.size()
        gates = jnp.take(x, jnp.asarray(self._idx.obj), axis=-1)
        return jax.nn.sigmoid(gates) * x[..., :n]
