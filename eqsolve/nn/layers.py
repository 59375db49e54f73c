"""Equivariant layers on Flax NNX, built on :mod:`eqsolve.runtime`.

Inputs are flat ``(batch, rep_in.size())`` arrays as in EMLP; every layer also has a
tensor-shaped / pure-function form for use inside ``jax.jit``:

- ``Linear.apply_fields(xs)``: list of field tensors (..., C_f, *shape_f) in, list out
  (size-agnostic for pattern bases: the same weights apply to any n);
- ``linear_apply(program, weights, biases, x)``: a pure function of arrays;
- ``nnx.split(layer)`` / ``nnx.merge`` as usual.

Complex groups (U(n), SU(n), products with them): the equivariant maps form a complex vector
space, so :class:`Linear` and :class:`BiLinear` hold complex coefficients, stored as real
parameters with a trailing axis of 2 (real part, imaginary part); inputs and outputs are
complex (a real input is promoted). :class:`GatedNonlinearity` gates by the sigmoid of the real
part of the (invariant) gate scalars, which keeps it equivariant.
"""

from __future__ import annotations


import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from ..reps.base import Rep, ScalarRep
from ..runtime import Layout, LinearProgram


def _bind(rep: Rep, G=None) -> Rep:
    """``rep`` as a rep of ``G``: unbound reps are bound to ``G``; a rep already bound to another
    group is refused (it would silently compute with the wrong symmetry)."""
    if rep.is_bound and (G is None or rep.G is not None):
        if G is not None and rep.G != G:
            raise ValueError(
                f"rep {rep} is a rep of {rep.G}, but the model's group is {G}: build the rep "
                f"unbound (e.g. 2*V, bound here) or with the same group (e.g. V({G})), or pass "
                f"group={rep.G}"
            )
        return rep
    if G is None:
        raise ValueError(f"rep {rep} is unbound: give it a group first, e.g. ({rep})(S(3))")
    return rep(G)


def _complex_group(*reps: Rep):
    """The first complex factor group (U(n), SU(n)) of the reps' groups, else None."""
    for r in reps:
        if r.G is not None:
            for f in r.G.factors:
                if f.is_complex:
                    return f
    return None


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
            Reps of complex groups (U(n), SU(n)) take complex coefficients: every weight and bias
            array has a trailing axis of 2 (real, imaginary), inputs and outputs are complex, and
            "pattern" (real pooling) is refused.
        pooling: "sum" | "mean" for pattern blocks (mean generalises across sizes).
        fast_vjp: faster custom backward for pattern blocks; False to allow forward-mode AD.
    """

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        *,
        rngs: nnx.Rngs,
        use_bias: bool = True,
        mode: str = "auto",
        pooling: str = "sum",
        dtype=jnp.float32,
        init_scale: float = 1.0,
        fast_vjp: bool = True,
    ):
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
        """The weights in ``(rep_in >> rep_out).equivariant_basis()`` coordinates (complex128
        for a complex group)."""
        return self.program.solver_coefficients([np.asarray(w[...]) for w in self.weights])

    def dense_matrix(self) -> np.ndarray:
        """(size_out, size_in) weight matrix through the solver's dense basis (for checks)."""
        Q = (self.rep_in >> self.rep_out).equivariant_basis().dense()
        return (Q @ self.solver_coefficients()).reshape(self.rep_out.size(), self.rep_in.size())


class ChannelSelection(nnx.Variable):
    """Fixed (not trained) int32 channel indices drawn at initialization (BiLinear)."""


class BiLinear(nnx.Module):
    """EMLP's cheap equivariant bilinear layer, with its weights built as EMLP builds them
    (``emlp.reps.bilinear_weights``): ``y = 0.1 * W(x) @ x``, where the (size_out, size_in)
    matrix W(x) is read off the input itself.

    W splits into blocks (output channel c_o of field o) x (input channel c_i of field i); each
    block transforms like o (x) i*. Where the input has a non-scalar field k of that type, the
    block is a learned combination ``sum_j w[c_o, c_i, j] x_k[sel_j]`` of n = min(C_k, size of
    the type) channels ``sel`` of field k, drawn at random (with replacement, as EMLP does) once
    per field; blocks without a partner field (and all scalar-typed blocks) are zero. Weights
    ``w`` (one vector of that total length in EMLP) start ~ N(0, init_std^2): EMLP's Flax
    backend uses 0.01 (the default here), its objax backend 1 (with which eqsolve's EMLP
    diverges at EMLP's width 384 on Inertia). Equivariant because
    W(g x) = rho_out(g) W(x) rho_in(g)^{-1}.

    Args:
        rep_in, rep_out: bound reps (EMLP uses ``gated(rep)`` for both).
        rngs: ``nnx.Rngs`` (weights and channel selection).
        scale: output factor (EMLP: 0.1).
        init_std: std of the initial weights (default 0.01, EMLP's Flax init; 1.0 is EMLP's
            objax init).
    Input (..., rep_in.size()) -> output (..., rep_out.size()). For reps of a complex group
    (U(n), SU(n)) the weights are complex: each weight array has a trailing axis of 2 (real,
    imaginary parts, each ~ N(0, init_std^2 / 2)) and ``num_weights`` counts both parts.
    """

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        *,
        rngs: nnx.Rngs,
        scale: float = 0.1,
        init_std: float = 0.01,
        dtype=jnp.float32,
    ):
        lin, lout = Layout(rep_in), Layout(rep_out)
        self._layouts = _Static((lin, lout))
        self.is_complex = _complex_group(rep_in, rep_out) is not None
        keys = [F.key for F in lin.fields]
        from ..runtime.compile import _seed

        rng = np.random.default_rng(_seed(rngs.params()))
        triples, sels = [], {}
        for fo, Fo in enumerate(lout.fields):
            for fi, Fi in enumerate(lin.fields):
                target = tuple(l.key for l in Fo.leaves) + tuple(l.T.key for l in Fi.leaves)
                if target in keys and lin.fields[keys.index(target)].leaves:  # EMLP: scalars are no source
                    fk = keys.index(target)
                    if fk not in sels:
                        Fk = lin.fields[fk]
                        sels[fk] = rng.choice(Fk.channels, min(Fk.channels, int(np.prod(Fk.shape))))
                    triples.append((fo, fi, fk))
        self._triples = _Static(triples)
        # the chosen channels are state (not static), so models that differ only in their
        # random draws share one compiled program
        self.selections = nnx.List([ChannelSelection(jnp.asarray(sels[fk], jnp.int32)) for _, _, fk in triples])
        self.scale = scale
        tail, std = ((2,), init_std / np.sqrt(2)) if self.is_complex else ((), init_std)
        self.weights = nnx.List(
            [
                nnx.Param(
                    jnp.asarray(
                        std
                        * rng.normal(size=(lout.fields[fo].channels, lin.fields[fi].channels, len(sels[fk])) + tail),
                        dtype,
                    )
                )
                for fo, fi, fk in triples
            ]
        )

    @property
    def num_weights(self) -> int:
        """EMLP's ``Wdim`` (the length of its bilinear weight vector; real and imaginary parts
        both counted for a complex group)."""
        return sum(int(np.prod(w.shape)) for w in self.weights)

    def __call__(self, x):
        lin, lout = self._layouts.obj
        return lout.merge(self.apply_fields(lin.split(x)))

    def matrix(self, x):
        """W(x): (..., rep_out.size(), rep_in.size()) so that ``self(x) == scale * W(x) @ x``."""
        return self._matrix([w[...] for w in self.weights], [s[...] for s in self.selections], x)

    def _coefficients(self, w):
        """The block weights as used: complex from the (..., 2) parts for a complex group."""
        return jax.lax.complex(w[..., 0], w[..., 1]) if self.is_complex else w

    def _matrix(self, weights, selections, x):
        lin, lout = self._layouts.obj
        weights = [self._coefficients(w) for w in weights]
        xs = lin.split(x)
        batch = x.shape[:-1]
        dtype = jnp.result_type(x.dtype, jnp.complex64) if self.is_complex else x.dtype
        W = jnp.zeros(batch + (lout.size, lin.size), dtype)
        for w, sel, (fo, fi, fk) in zip(weights, selections, self._triples.obj):
            Fo, Fi = lout.fields[fo], lin.fields[fi]
            xk = jnp.take(xs[fk], sel, axis=len(batch))  # (..., n, *O, *I)
            so, si = int(np.prod(Fo.shape)), int(np.prod(Fi.shape))
            xk = xk.reshape(batch + (xk.shape[len(batch)], so, si))
            blocks = jnp.einsum("abn,...nOI->...aObI", w, xk)  # (..., Co, so, Ci, si)
            rows, cols = Fo.index.reshape(-1), Fi.index.reshape(-1)  # channel-major flat coordinates
            W = W.at[(..., rows[:, None], cols[None, :])].add(blocks.reshape(batch + (rows.size, cols.size)))
        return W

    def apply_fields(self, xs):
        """Tensor form: list of (..., C_f, *shape_f) per input field -> list per output field."""
        lin, lout = self._layouts.obj
        batch = xs[0].shape[: xs[0].ndim - 1 - len(lin.fields[0].shape)]
        outs = [None] * len(lout.fields)
        for w, sel, (fo, fi, fk) in zip(self.weights, self.selections, self._triples.obj):
            no, ni = len(lout.fields[fo].shape), len(lin.fields[fi].shape)
            O, I = "ABCDEFGHIJ"[:no], "KLMNOPQRST"[:ni]
            xk = jnp.take(xs[fk], sel[...], axis=len(batch))  # (..., n, *O, *I)
            wc = self._coefficients(w[...])
            y = self.scale * jnp.einsum(f"...n{O}{I},...c{I},dcn->...d{O}", xk, xs[fi], wc, optimize="optimal")
            outs[fo] = y if outs[fo] is None else outs[fo] + y
        dtype = jnp.result_type(xs[0].dtype, jnp.complex64) if self.is_complex else xs[0].dtype
        for fo, F in enumerate(lout.fields):
            if outs[fo] is None:
                outs[fo] = jnp.zeros(batch + (F.channels,) + F.shape, dtype)
        return outs


def bilinear_weights(out_rep: Rep, in_rep: Rep, seed: int = 0):
    """EMLP's ``bilinear_weights(out_rep, in_rep)``: ``(Wdim, P)`` with ``P(w, x)`` the matrix
    W(x) (..., out_rep.size(), in_rep.size()) built from a weight vector w (Wdim,) as
    :class:`BiLinear` builds it (channel choice drawn from ``seed``). For a complex group w is
    real (real and imaginary parts, as the layer's parameters) and x may be complex."""
    layer = BiLinear(in_rep, out_rep, rngs=nnx.Rngs(seed))
    shapes = [tuple(w.shape) for w in layer.weights]
    sels = [s[...] for s in layer.selections]
    ends = np.cumsum([int(np.prod(sh)) for sh in shapes]).tolist()

    def P(w, x):
        if jnp.iscomplexobj(w):
            raise TypeError(
                "bilinear_weights: w is the real parameter vector (a complex group's weights are stored as "
                "real and imaginary parts); got a complex w"
            )
        w = jnp.asarray(w, jnp.float32)
        parts = [w[a:b].reshape(sh) for a, b, sh in zip([0] + ends[:-1], ends, shapes)]
        x = jnp.asarray(x)
        return layer._matrix(parts, sels, x.astype(jnp.complex64 if jnp.iscomplexobj(x) else jnp.float32))

    return layer.num_weights, P


def _needs_gate(mono) -> bool:
    """EMLP: every channel that is neither a scalar nor a permutation rep gets a gate
    (a permutation rep commutes with a pointwise swish, so it gates itself)."""
    return bool(mono.leaves) and not all(leaf.G.is_permutation for leaf in mono.leaves)


def gated(rep: Rep) -> Rep:
    """EMLP's gated rep: ``rep`` plus one scalar gate for every channel that is neither a
    scalar nor a permutation rep (``V(S(n))``, ``T(2)`` of a permutation group, ...)."""
    m = sum(1 for mono in rep.monomials if _needs_gate(mono))
    if m == 0:
        return rep
    return rep + m * ScalarRep(rep.G)


def gate_indices(rep: Rep) -> np.ndarray:
    """(rep.size(),) index into ``gated(rep)`` of each coordinate's gate (EMLP's
    ``gate_indices``): scalars and permutation-rep channels gate themselves (swish), the k-th
    other channel uses scalar ``rep.size() + k``."""
    idx = np.zeros(rep.size(), dtype=np.int32)
    k = 0
    for mono in rep.monomials:
        coords = mono.index_array().reshape(-1)
        if _needs_gate(mono):
            idx[coords] = rep.size() + k
            k += 1
        else:
            idx[coords] = coords
    return idx


class GatedNonlinearity(nnx.Module):
    """x in gated(rep) (..., gated(rep).size()) -> (..., rep.size()):
    ``sigmoid(gate) * value`` per channel; scalars and permutation-rep channels are gated by
    themselves (swish), as in EMLP. Equivariant because the gates are invariant scalars (or,
    for permutation reps, the swish is pointwise). Complex inputs (reps of U(n), SU(n)):
    ``sigmoid(Re gate) * value`` (the real part of an invariant is invariant)."""

    def __init__(self, rep: Rep):
        self.rep = rep
        self._idx = _Static(gate_indices(rep))

    def __call__(self, x):
        n = self.rep.size()
        gates = jnp.take(x, jnp.asarray(self._idx.obj), axis=-1)
        if jnp.iscomplexobj(gates):  # complex groups: the real part of an invariant gate is invariant
            gates = gates.real
        return jax.nn.sigmoid(gates) * x[..., :n]
