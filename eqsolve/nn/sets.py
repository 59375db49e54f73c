"""DeepSets (Zaheer et al. 2017) as an instance of eqsolve: a runtime pooling program plus a mask.

The S(n) V->V layer is ``y = lambda x + gamma 1 1^T x`` (plus a constant bias), multi-channel;
the invariant model is ``rho(sum_i phi(x_i))``. Which terms a layer has is not hard-coded: at
construction a layer solves ``(V(S(n_ref)) >> V(S(n_ref))).equivariant_basis()`` and compiles
its :class:`~eqsolve.solve.PatternBasis` to a :class:`~eqsolve.runtime.PatternProgram`, the
same pooling runtime as :class:`eqsolve.nn.Linear`. The program refers to axes, never to n,
so the same weights apply to sets of any size (the Theorem-2 DeepSets layer for S(n)). Its
weights are one (C_out, C_in) matrix per equality pattern of the solved basis, named by what
the pattern does to a set:

    identity        pattern (0 1): out index = in index      y_i = x_i
    sum_broadcast   pattern (0|1): out index != in index     y_i = sum_j x_j  (the "at least"
                    operator of the runtime: all ones, 1 1^T)

The invariant readout is the solved ``V -> Scalar`` basis (one pattern: a sum) and the bias the
solved ``Scalar -> V`` basis (one pattern: a broadcast). A solved basis of any other shape is
an error that names the rep; nothing is fitted and nothing falls back.

``SetLinear.dense(n)`` / ``SetLinear.from_basis_coefficients`` connect the layer to the dense
solved basis at any n (the program's exact change of basis,
:meth:`~eqsolve.runtime.PatternProgram.to_solver`): the tests check
``layer(x) == (sum_k w_k B_k) x`` to float tolerance.

Shapes: sets are (batch, n, channels) (element-major, the usual DeepSets layout); ``mask`` is an
optional (batch, n) bool of real elements, and pooling only sums real elements (padded elements
are zeroed before the program and in its output), so a padded set gives exactly the result of
the unpadded one. ``dense(n)`` uses eqsolve's flat channel-major layout for c*V(S(n)), i.e.
index ``c * n + i``.

>>> from flax import nnx
>>> import jax.numpy as jnp
>>> layer = SetLinear(3, 5, rngs=nnx.Rngs(0))
>>> layer.terms
('identity', 'sum_broadcast')
>>> layer(jnp.ones((2, 7, 3))).shape
(2, 7, 5)
"""

from __future__ import annotations

from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from ..groups import S
from ..reps import Scalar, V
from ..runtime import PatternProgram
from ..solve import PatternBasis, RepBasis

__all__ = ["SetLinear", "SetPool", "DeepSets"]

_KIND = {"V": V, "S": Scalar}


@lru_cache(maxsize=64)
def _solved(n: int, out_kind: str, in_kind: str) -> tuple[RepBasis, PatternBasis]:
    """The solved basis of ``in_kind(S(n)) >> out_kind(S(n))`` ("V" or "S" for Scalar) and its
    one pattern block; a ValueError naming the rep if it is not a single pattern block."""
    G = S(n)
    rep = _KIND[in_kind](G) >> _KIND[out_kind](G)
    B = rep.equivariant_basis()
    if len(B.blocks) != 1 or not isinstance(B.blocks[0][1], PatternBasis):
        raise ValueError(
            f"the basis of {rep} is not one equality-pattern block "
            f"({[type(b).__name__ for _, b in B.blocks]}); DeepSets layers need S(n) patterns"
        )
    return B, B.blocks[0][1]


def _term_name(label) -> str:
    """identity (out and in axis tied) or sum_broadcast (untied) for a V -> V pattern."""
    return "identity" if label.tied(0, 1) else "sum_broadcast"


def _mask_elements(x: jax.Array, mask: jax.Array | None) -> jax.Array:
    """(B, n, c) with the padded elements (mask False) set to zero."""
    return x if mask is None else x * mask[..., None].astype(x.dtype)


class _Static:
    """A compiled program held as static module metadata (hashable by identity)."""

    def __init__(self, obj):
        self.obj = obj

    def __repr__(self):
        return repr(self.obj)


# ------------------------------------------------------------------------------------------
# Layers
# ------------------------------------------------------------------------------------------
class SetLinear(nnx.Module):
    """c_in*V(S(n)) -> c_out*V(S(n)) equivariant linear layer, any n.

    ``y[b, i, o] = sum_c lam[o, c] x[b, i, c] + gam[o, c] sum_j x[b, j, c] + bias[o]``,
    run by the pooling program of the solved basis at ``n_ref`` (one weight matrix per solved
    pattern; the bias is the solved Scalar -> V broadcast). ``pool=False`` keeps only the
    identity pattern (the elementwise phi of the invariant DeepSets model, itself an
    equivariant map).

    Args:
      in_channels, out_channels: channel counts.
      n_ref: size at which the bases are solved (>= 2; the program is size-agnostic).
      use_bias: add the solved Scalar -> V (constant) bias term.
      pool: keep the pooling (sum_broadcast) pattern.
      rngs: nnx.Rngs.
    Attributes: ``terms`` (pattern names kept, in the solver's order), ``basis_labels`` (the
    solved patterns), ``program`` (the :class:`~eqsolve.runtime.PatternProgram`).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        n_ref: int = 4,
        use_bias: bool = True,
        pool: bool = True,
        rngs: nnx.Rngs,
    ):
        if n_ref < 2:
            raise ValueError(f"n_ref must be >= 2 to tell identity from sum_broadcast, got {n_ref}")
        _, block = _solved(n_ref, "V", "V")
        names = [_term_name(lab) for lab in block.labels]
        keep = [k for k, t in enumerate(names) if pool or t == "identity"]
        self.terms = tuple(names[k] for k in keep)
        self.basis_labels = tuple(str(lab) for lab in block.labels)
        self._program = _Static(PatternProgram(block.subset(keep), n_out=1, pooling="sum"))
        self.in_channels, self.out_channels = in_channels, out_channels
        scale = 1.0 / np.sqrt(in_channels)
        self.weights = nnx.Dict()
        for t in self.terms:
            k = rngs.params()
            std = scale if t == "identity" else scale / n_ref
            self.weights[t] = nnx.Param(std * jax.random.normal(k, (out_channels, in_channels)))
        if use_bias:
            _, bias_block = _solved(n_ref, "V", "S")
            if bias_block.dim != 1 or bias_block.labels[0].axis_partition() != ((0,),):
                raise ValueError(f"the bias basis of Scalar >> V(S({n_ref})) is {bias_block.labels}, not one broadcast")
            self.bias = nnx.Param(jnp.zeros((out_channels,)))
        else:
            self.bias = None

    @property
    def program(self) -> PatternProgram:
        return self._program.obj

    def _stacked(self) -> jax.Array:
        """(C_out, C_in, P) program weights in the solver's pattern order."""
        return jnp.stack([self.weights[t][...] for t in self.terms], axis=-1)

    def __call__(self, x: jax.Array, mask: jax.Array | None = None) -> jax.Array:
        """x: (B, n, c_in) -> (B, n, c_out)."""
        x = _mask_elements(x, mask)
        y = jnp.swapaxes(self.program(self._stacked(), jnp.swapaxes(x, -1, -2)), -1, -2)
        if self.bias is not None:
            y = y + self.bias[...]
        return _mask_elements(y, mask)

    # ----- link to the dense solved basis -------------------------------------------------
    def basis_coefficients_map(self, n: int) -> np.ndarray:
        """C (len(terms), k): term weights = C @ basis coefficients, for the solved basis of
        ``V(S(n)) >> V(S(n))`` (k = 2 elements; the layer must keep both patterns)."""
        _, block = _solved(n, "V", "V")
        if len(self.terms) != block.dim:
            raise ValueError(
                f"a layer with terms {self.terms} cannot express all {block.dim} elements of the basis "
                f"of V(S({n})) >> V(S({n})); build it with pool=True"
            )
        return np.linalg.inv(self.program.change_matrix([n]))

    def from_basis_coefficients(self, w: np.ndarray, n: int) -> None:
        """Set the weights so the layer equals ``W = sum_k w[..., k] B_k`` (solved basis at n).

        w: (c_out, c_in, k)."""
        C = self.basis_coefficients_map(n)
        tw = np.einsum("ock,tk->toc", np.asarray(w, np.float64), C)
        for i, t in enumerate(self.terms):
            self.weights[t][...] = jnp.asarray(tw[i], jnp.float32)

    def dense(self, n: int) -> np.ndarray:
        """The layer's linear part as a dense (c_out*n, c_in*n) matrix, channel-major (the
        program applied to every unit input)."""
        eye = jnp.eye(self.in_channels * n, dtype=jnp.float32).reshape(self.in_channels * n, self.in_channels, n)
        cols = np.asarray(self.program(self._stacked(), eye), dtype=np.float64)  # (c_in*n, c_out, n)
        return cols.reshape(self.in_channels * n, self.out_channels * n).T


class SetPool(nnx.Module):
    """c*V(S(n)) -> c*Scalar invariant readout: the pooling program of the solved
    ``V(S(n_ref)) >> Scalar`` basis (one pattern: the sum over elements) applied per channel to
    the real elements. No weights (rho follows)."""

    def __init__(self, *, n_ref: int = 4):
        _, block = _solved(n_ref, "S", "V")
        if block.dim != 1 or block.labels[0].axis_partition() != ((0,),):
            raise ValueError(f"the basis of V(S({n_ref})) >> Scalar is {block.labels}, not one sum")
        self.terms = ("sum",)
        self.basis_labels = tuple(str(lab) for lab in block.labels)
        self._program = _Static(PatternProgram(block, n_out=0, pooling="sum"))

    @property
    def program(self) -> PatternProgram:
        return self._program.obj

    def __call__(self, x: jax.Array, mask: jax.Array | None = None) -> jax.Array:
        """(B, n, c) -> (B, c)."""
        c = x.shape[-1]
        w = jnp.eye(c, dtype=x.dtype)[:, :, None]  # (c, c, 1): each channel pooled on its own
        return self.program(w, jnp.swapaxes(_mask_elements(x, mask), -1, -2))


class DeepSets(nnx.Module):
    """Invariant DeepSets model ``rho(sum_i phi(x_i))``.

    phi: optional embedding, then ``phi_layers`` :class:`SetLinear` layers with ReLU
    (``equivariant_phi=False``, the default, keeps only their identity term: phi elementwise,
    as in Zaheer et al.'s invariant model; True gives the lambda I + gamma 11^T layers), then the
    solved invariant readout :class:`SetPool`, then rho: an MLP with ``rho_layers`` hidden layers.

    Args:
      in_features: element feature size (ignored when ``num_embeddings`` is given).
      hidden: width of phi and rho.
      out_features: output size.
      num_embeddings, embed_dim: integer-token inputs, embedded first.
      rngs: nnx.Rngs.
    Input (B, n) tokens or (B, n, F) features, optional mask (B, n); output (B, out_features).
    """

    def __init__(
        self,
        in_features: int | None,
        hidden: int,
        out_features: int,
        *,
        num_embeddings: int | None = None,
        embed_dim: int | None = None,
        phi_layers: int = 2,
        rho_layers: int = 1,
        equivariant_phi: bool = False,
        n_ref: int = 4,
        rngs: nnx.Rngs,
    ):
        if num_embeddings is not None:
            embed_dim = embed_dim or hidden
            self.embed = nnx.Embed(num_embeddings, embed_dim, rngs=rngs)
            feat = embed_dim
        else:
            if in_features is None:
                raise ValueError("DeepSets needs in_features or num_embeddings")
            self.embed = None
            feat = int(in_features)
        dims = [feat] + [hidden] * phi_layers
        self.phi = nnx.List(
            [SetLinear(a, b, n_ref=n_ref, pool=equivariant_phi, rngs=rngs) for a, b in zip(dims[:-1], dims[1:])]
        )
        self.pool = SetPool(n_ref=n_ref)
        rdims = [dims[-1]] + [hidden] * rho_layers + [out_features]
        self.rho = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in zip(rdims[:-1], rdims[1:])])

    def phi_features(self, xs: jax.Array, mask: jax.Array | None = None) -> jax.Array:
        """(B, n[, F]) -> (B, n, hidden) equivariant features."""
        h = self.embed(xs.astype(jnp.int32)) if self.embed is not None else xs.astype(jnp.float32)
        for layer in self.phi:
            h = nnx.relu(layer(h, mask))
        return h

    def __call__(self, xs: jax.Array, mask: jax.Array | None = None) -> jax.Array:
        z = self.pool(self.phi_features(xs, mask), mask)
        for i, lin in enumerate(self.rho):
            z = lin(z)
            if i < len(self.rho) - 1:
                z = nnx.relu(z)
        return z
