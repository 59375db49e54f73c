"""Compile ``rep_in >> rep_out`` to a JAX program, block by block.

Both reps are split into fields (:mod:`eqsolve.runtime.fields`); every pair (out field,
in field) is one monomial type of ``rep_in >> rep_out``, whose basis is read from the solved
:class:`~eqsolve.solve.RepBasis` (solved once; identical blocks share it) and compiled to

- a :class:`~eqsolve.runtime.patterns.PatternProgram` (pooling) for equality-pattern bases,
- an :class:`~eqsolve.runtime.lazy.OrbitProgram` (lazy gather of orbit weights) for other
  permutation bases,
- a :class:`~eqsolve.runtime.dense.DenseProgram` (W = Q w) for everything else, or for every
  block when ``mode="dense"``.

Parameters are plain arrays, one (C_out, C_in, P) per block, so the program is a pure
function usable inside ``jax.jit``, ``jax.grad`` and ``jax.vmap``.

Complex groups (U(n), SU(n), and products with them): the equivariant maps form a *complex*
vector space, so every coefficient is complex. Parameters stay real arrays with a trailing axis
of 2 (real, imaginary): (C_out, C_in, P, 2); the program combines them into complex weights,
inputs and outputs are complex. Pattern (pooling) programs are real-only: a complex layer
applies those blocks through their dense basis (``mode="pattern"`` is refused by name).
"""

from __future__ import annotations

import numpy as np

import jax
import jax.numpy as jnp

from ..reps.base import ProductRep, Rep, ScalarRep, SumRep
from ..solve.basis import Basis, PatternBasis, PermutationBasis, RepBasis
from .dense import DenseProgram
from .fields import Layout
from .lazy import OrbitProgram
from .patterns import PatternProgram

MODES = ("auto", "pattern", "orbit", "dense")


def _block(rb: RepBasis, key, what: str) -> Basis:
    """The basis of the monomial type ``key`` read from a solved RepBasis."""
    try:
        return rb.by_key[key]
    except KeyError:
        raise ValueError(f"the basis of {rb.rep} has no block {what}; was it solved for another rep?") from None


def _types(layout: Layout) -> Rep:
    """The rep with one copy of each field type of ``layout`` (its distinct monomials)."""
    G = layout.rep.G
    terms = [(ProductRep(list(F.leaves)) if F.leaves else ScalarRep(G), 1) for F in layout.fields]
    return terms[0][0] if len(terms) == 1 else SumRep(terms)


def compile_block(
    basis: Basis,
    out_shape,
    in_shape,
    mode: str = "auto",
    pooling: str = "sum",
    fast_vjp: bool = True,
    complex_group=None,
):
    """The program applying one block's basis (see module docstring). ``complex_group``: the
    complex group (U(n), SU(n)) of a complex layer, whose blocks take complex weights (never a
    real-only pattern program)."""
    if mode not in MODES:
        raise ValueError(f"unknown runtime mode {mode!r}; choose one of {', '.join(MODES)}")
    if complex_group is not None and mode == "pattern":
        raise ValueError(
            f"mode='pattern' runs real pooling programs, but this layer is a map of reps of {complex_group}, "
            f"a complex group (complex weights and inputs): use mode='auto' or mode='dense'"
        )
    if complex_group is not None and isinstance(basis, PatternBasis):
        return DenseProgram(basis, out_shape, in_shape)  # pooling programs are real-only
    if mode in ("auto", "pattern") and isinstance(basis, PatternBasis):
        return PatternProgram(basis, len(out_shape), pooling, fast_vjp)
    if mode == "pattern":
        raise ValueError(
            f"mode='pattern' needs an equality-pattern basis; block {out_shape} <- {in_shape} "
            f"has a {type(basis).__name__}"
        )
    if mode in ("auto", "orbit") and isinstance(basis, PermutationBasis):
        return OrbitProgram(basis, out_shape, in_shape)
    return DenseProgram(basis, out_shape, in_shape)


def _seed(key) -> np.ndarray:
    """A numpy seed from a JAX PRNG key (or an int), without compiling anything."""
    if isinstance(key, (int, np.integer)):
        return np.asarray([key])
    try:
        return np.asarray(jax.random.key_data(key)).reshape(-1)
    except (TypeError, ValueError):
        return np.asarray(key).reshape(-1)


class LinearProgram:
    """The equivariant linear map ``rep_in -> rep_out`` (plus an optional invariant bias).

    Args:
        rep_in, rep_out: bound reps (multiplicities become channels).
        mode: "auto" (pattern > orbit > dense per block), or force "pattern" / "orbit" / "dense".
        pooling: "sum" or "mean" for pattern blocks.
        bias: add a bias in the invariant subspace of rep_out (only where it is nonzero).
        fast_vjp: pattern blocks mix channels with a custom (faster) backward; False keeps
            forward-mode AD (jax.jvp, jacfwd, hessians) available.
        method: the solver method (see :data:`eqsolve.solve.SOLVERS`).
        basis: a solved :class:`~eqsolve.solve.RepBasis` holding every block of
            ``rep_in >> rep_out`` (e.g. ``(rep_in >> rep_out).equivariant_basis()``), when the
            caller has one; otherwise the map between one copy of each field type is solved
            (the same blocks, without expanding every channel pair). Blocks are read from it by
            monomial key; the biases read the basis of ``rep_out``'s field types.

    Attributes:
        blocks: list of (out field index, in field index, program).
        bias_blocks: list of (out field index, program) for fields with invariant vectors.
    """

    def __init__(
        self,
        rep_in,
        rep_out,
        *,
        mode: str = "auto",
        pooling: str = "sum",
        bias: bool = True,
        method: str = "auto",
        fast_vjp: bool = True,
        basis: RepBasis | None = None,
    ):
        for name, r in (("rep_in", rep_in), ("rep_out", rep_out)):
            if not isinstance(r, Rep):
                raise TypeError(f"{name} must be a Rep, got {type(r).__name__}")
            if not r.is_bound:
                raise ValueError(f"{name} {r} is unbound: give it a group first, e.g. ({r})(S(3))")
        self.rep_in, self.rep_out = rep_in, rep_out
        self.mode, self.pooling = mode, pooling
        cplx = [f for r in (rep_in, rep_out) for f in r.G.factors if f.is_complex]
        self.complex_group = cplx[0] if cplx else None  # U(n), SU(n): complex weights, inputs, outputs
        self.lin, self.lout = Layout(rep_in), Layout(rep_out)
        if basis is None:
            # one copy of every field type on each side: the same blocks as rep_in >> rep_out
            # (channels are multiplicities), without expanding its C_out x C_in monomials
            basis = (_types(self.lin) >> _types(self.lout)).equivariant_basis(method=method)
        elif not isinstance(basis, RepBasis):
            raise TypeError(
                f"basis must be a RepBasis holding the blocks of {rep_in} >> {rep_out}, got {type(basis).__name__}"
            )
        # the in-side of a map monomial is the dual of an in-field (same order as rep_in's fields)
        dual_keys = [F.key for F in Layout(_types(self.lin).T).fields]
        self.blocks = []
        for fo, Fo in enumerate(self.lout.fields):
            for fi, Fi in enumerate(self.lin.fields):
                b = _block(basis, Fo.key + dual_keys[fi], f"{Fi} -> {Fo}")
                if b.dim:
                    prog = compile_block(b, Fo.shape, Fi.shape, mode, pooling, fast_vjp, self.complex_group)
                    self.blocks.append((fo, fi, prog))
        self.bias_blocks = []
        if bias:
            bias_basis = _types(self.lout).equivariant_basis(method=method)
            for fo, Fo in enumerate(self.lout.fields):
                b = _block(bias_basis, Fo.key, f"{Fo}")
                if b.dim:
                    prog = compile_block(b, Fo.shape, (), mode, pooling, fast_vjp, self.complex_group)
                    self.bias_blocks.append((fo, prog))
        self.default_sizes = {}
        for F in self.lin.fields + self.lout.fields:
            for leaf, n in zip(F.leaves, F.shape):
                if leaf._is_defining:  # only a defining rep's size is its group's number of points
                    self.default_sizes[leaf.G] = n

    # ------------------------------------------------------------- parameters
    @property
    def is_complex(self) -> bool:
        """A layer of a complex group: parameters (..., 2) hold real and imaginary parts."""
        return self.complex_group is not None

    def param_shapes(self):
        """Shapes of the weights (C_out, C_in, P) and biases (C_out, 1, P); complex layers add a
        trailing axis of 2 (real, imaginary parts)."""
        tail = (2,) if self.is_complex else ()
        return (
            [
                (self.lout.fields[fo].channels, self.lin.fields[fi].channels, p.num_params) + tail
                for fo, fi, p in self.blocks
            ],
            [(self.lout.fields[fo].channels, 1, p.num_params) + tail for fo, p in self.bias_blocks],
        )

    def _complex(self, w, what: str):
        """Real parameters (..., 2) -> complex weights (complex layers); real layers unchanged."""
        if not self.is_complex:
            return w
        if w.ndim != 4 or w.shape[-1] != 2 or jnp.iscomplexobj(w):
            raise ValueError(
                f"{what} of the complex layer {self.rep_in} -> {self.rep_out} (group {self.complex_group}) must "
                f"be real arrays (C_out, C_in, P, 2) of real and imaginary parts; got shape {w.shape}, dtype {w.dtype}"
            )
        return jax.lax.complex(w[..., 0], w[..., 1])

    @property
    def num_params(self) -> int:
        w, b = self.param_shapes()
        return int(sum(np.prod(s) for s in w + b))

    def init(self, key, dtype=jnp.float32, bias_init: float = 0.0):
        """Random weights (a list of (C_out, C_in, P) arrays; (C_out, C_in, P, 2) real and
        imaginary parts for a complex layer) and zero biases. ``dtype`` is a real dtype."""
        if jnp.issubdtype(dtype, jnp.complexfloating):
            raise TypeError(
                f"parameters of {self.rep_in} -> {self.rep_out} are real arrays (a complex group's "
                f"coefficients are stored as real and imaginary parts); pass a real dtype, e.g. jnp.float32"
            )
        rng = np.random.default_rng(_seed(key))
        ws, bs = [], []
        fan = {}
        for fo, fi, p in self.blocks:
            fan[fo] = fan.get(fo, 0) + 1
        for fo, fi, p in self.blocks:
            c_out, c_in = self.lout.fields[fo].channels, self.lin.fields[fi].channels
            scale = p.init_scale(c_in) / np.sqrt(fan[fo])
            if self.is_complex:  # E|w|^2 as for a real layer, split over real and imaginary parts
                scale = scale[..., None] / np.sqrt(2)
                ws.append(jnp.asarray(rng.normal(size=(c_out, c_in, p.num_params, 2)) * scale, dtype))
            else:
                ws.append(jnp.asarray(rng.normal(size=(c_out, c_in, p.num_params)) * scale, dtype))
        for fo, p in self.bias_blocks:
            shape = (self.lout.fields[fo].channels, 1, p.num_params)
            if self.is_complex:
                bs.append(jnp.stack([jnp.full(shape, bias_init, dtype), jnp.zeros(shape, dtype)], axis=-1))
            else:
                bs.append(jnp.full(shape, bias_init, dtype))
        return ws, bs

    # ------------------------------------------------------------------ apply
    def sizes_from(self, xs, sizes=None) -> dict:
        """{group: n} from the input field tensors (size-agnostic use), ``sizes`` overriding."""
        out = dict(self.default_sizes)
        for F, x in zip(self.lin.fields, xs):
            k = x.ndim - len(F.shape)
            for j, leaf in enumerate(F.leaves):
                if leaf._is_defining:
                    out[leaf.G] = x.shape[k + j]
        out.update(sizes or {})
        return out

    @staticmethod
    def _local(prog, sizes):
        if isinstance(prog, PatternProgram):
            return {gi: sizes[g] for gi, g in enumerate(prog.basis.groups) if g in sizes}
        return None

    def apply_fields(self, weights, xs, biases=(), sizes=None):
        """Tensor form. xs: list of (..., C_f, *shape_f) per input field -> list per output field.
        ``sizes`` ({group: n}) sets sizes of output-only axes (default: from the inputs, else
        the sizes of the reps)."""
        n = self.sizes_from(xs, sizes)
        batch = xs[0].shape[: xs[0].ndim - 1 - len(self.lin.fields[0].shape)]
        weights = [self._complex(w, "weights") for w in weights]
        biases = [self._complex(b, "biases") for b in biases]
        outs = [None] * len(self.lout.fields)
        pending = {}  # bias terms per out field, handed to a pooling block where there is one
        for b, (fo, p) in zip(biases, self.bias_blocks):
            kw = {"broadcast": False} if isinstance(p, PatternProgram) else {}
            pending.setdefault(fo, []).append(p(b, jnp.ones((1,), b.dtype), self._local(p, n), **kw))
        for w, (fo, fi, p) in zip(weights, self.blocks):
            if isinstance(p, PatternProgram) and fo in pending:
                y = p(w, xs[fi], self._local(p, n), extra=pending.pop(fo))
            else:
                y = p(w, xs[fi], self._local(p, n))
            outs[fo] = y if outs[fo] is None else outs[fo] + y
        for fo, ys in pending.items():
            for y in ys:
                outs[fo] = y if outs[fo] is None else outs[fo] + y
        dtype = jnp.result_type(xs[0].dtype, jnp.complex64) if self.is_complex else xs[0].dtype
        for fo, F in enumerate(self.lout.fields):
            shape = (
                batch
                + (F.channels,)
                + tuple(n.get(leaf.G, d) if leaf._is_defining else d for leaf, d in zip(F.leaves, F.shape))
            )
            if outs[fo] is None:
                outs[fo] = jnp.zeros(shape, dtype)
            elif outs[fo].shape != shape:
                outs[fo] = jnp.broadcast_to(outs[fo], shape)
        return outs

    def __call__(self, weights, x, biases=()):
        """Flat form: x (..., rep_in.size()) -> (..., rep_out.size())."""
        return self.lout.merge(self.apply_fields(weights, self.lin.split(x), biases))

    # ------------------------------------------------------- solver coordinates
    def solver_coefficients(self, weights) -> np.ndarray:
        """The coefficients of this map in ``(rep_in >> rep_out).equivariant_basis()`` (float64;
        complex128 for a complex layer), so that ``basis.dense() @ c`` reshaped (size_out, size_in)
        is the layer's matrix."""
        conv = {(fo, fi): p.to_solver(self._np_weights(w)) for w, (fo, fi, p) in zip(weights, self.blocks)}
        parts = []
        for fo, a in self.lout.position:
            for fi, b in self.lin.position:
                if (fo, fi) in conv:
                    parts.append(conv[(fo, fi)][a, b])
        return np.concatenate(parts) if parts else np.zeros(0)

    def _np_weights(self, w) -> np.ndarray:
        """float64 weights, or complex128 from the (..., 2) real parameters of a complex layer."""
        w = np.asarray(w)
        if np.iscomplexobj(w):
            raise TypeError(f"parameters of {self.rep_in} -> {self.rep_out} are real arrays, got dtype {w.dtype}")
        w = w.astype(np.float64)
        return w[..., 0] + 1j * w[..., 1] if self.is_complex else w

    def _params_from(self, w: np.ndarray, dtype):
        """Parameters from float64/complex128 weights: (..., 2) real and imaginary parts for a
        complex layer; a real layer refuses complex weights with a nonzero imaginary part."""
        if self.is_complex:
            return jnp.asarray(np.stack([w.real, w.imag], axis=-1), dtype)
        if np.iscomplexobj(w):
            if np.abs(w.imag).max(initial=0.0) > 0:
                raise ValueError(
                    f"{self.rep_in} -> {self.rep_out} is a layer of a real group; complex coefficients "
                    f"(imaginary part up to {np.abs(w.imag).max():.2e}) do not fit it"
                )
            w = w.real
        return jnp.asarray(w, dtype)

    def weights_from_solver(self, coeffs, dtype=jnp.float32):
        """Inverse of :meth:`solver_coefficients`: weights whose map is ``sum_k c_k q_k``
        (complex coefficients for a complex layer)."""
        coeffs = np.asarray(coeffs)
        cdtype = np.complex128 if (self.is_complex or np.iscomplexobj(coeffs)) else np.float64
        coeffs = coeffs.astype(cdtype)
        ws = [
            np.zeros((self.lout.fields[fo].channels, self.lin.fields[fi].channels, p.num_params), cdtype)
            for fo, fi, p in self.blocks
        ]
        where = {(fo, fi): k for k, (fo, fi, _) in enumerate(self.blocks)}
        pos = 0
        for fo, a in self.lout.position:
            for fi, b in self.lin.position:
                if (fo, fi) in where:
                    k = where[(fo, fi)]
                    P = ws[k].shape[2]
                    ws[k][a, b] = self.blocks[k][2].from_solver(coeffs[pos : pos + P])
                    pos += P
        if pos != len(coeffs):
            raise ValueError(f"expected {pos} coefficients for {self.rep_in} -> {self.rep_out}, got {len(coeffs)}")
        return [self._params_from(w, dtype) for w in ws]

    def bias_solver_coefficients(self, biases) -> np.ndarray:
        """The bias in ``rep_out.equivariant_basis()`` coordinates."""
        conv = {fo: p.to_solver(self._np_weights(b)) for b, (fo, p) in zip(biases, self.bias_blocks)}
        parts = [conv[fo][a, 0] for fo, a in self.lout.position if fo in conv]
        return np.concatenate(parts) if parts else np.zeros(0)

    def summary(self) -> str:
        kinds = {}
        for _, _, p in self.blocks:
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
        return (
            f"LinearProgram({self.rep_in} -> {self.rep_out}: {len(self.blocks)} blocks {kinds}, "
            f"{len(self.bias_blocks)} bias blocks, {self.num_params} parameters)"
        )

    __repr__ = summary
