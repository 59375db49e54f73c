"""DeepSets (Zaheer et al. 2017) as an instance of eqsolve: layers built from solved bases.

The S(n) V->V layer is ``y = lambda x + gamma 1 1^T x`` (plus a constant bias), multi-channel;
the invariant model is ``rho(sum_i phi(x_i))``. Which terms a layer has is not hard-coded:
at construction a layer asks the solver for the equivariant basis of the rep it implements at a
small reference size ``n_ref`` (``(V(S(n)) >> V(S(n))).equivariant_basis()``,
``(V(S(n)) >> Scalar)`` for the readout, ``(Scalar >> V(S(n)))`` for the bias), and expresses
every solved basis matrix in a dictionary of size-agnostic pooling primitives

    identity        y_i = x_i                        (the matrix I)
    sum_broadcast   y_i = sum_j x_j                  (the matrix 1 1^T)
    sum             y   = sum_j x_j                  (the row 1^T, V -> Scalar)
    broadcast       y_i = x                          (the column 1, Scalar -> V)

by least squares. It keeps exactly the primitives the solved basis needs, checks that they
reproduce the solved span with no residual and no slack (rank = ``B.dim``), and raises if the
solved basis is not a pooling basis. The layer then runs those primitives, which are defined for
every n, so the same weights apply to sets of any size (the Theorem-2 DeepSets layer for S(n)).
``SetLinear.dense(n)`` / ``SetLinear.from_basis_coefficients`` connect the layer to the dense
solved basis at any n: the tests check ``layer(x) == (sum_k w_k B_k) x`` to float tolerance.

If ``eqsolve.groups`` / ``eqsolve.reps`` cannot be imported (the core is written in parallel),
the basis is solved here numerically instead: the null space (SVD) of the stacked constraints
``rho_out(g) W rho_in(g)^{-1} - W = 0`` for the generators of S(n) (a transposition and an
n-cycle). ``basis_source`` records which solver was used.

Shapes: sets are (batch, n, channels) (element-major, the usual DeepSets layout); ``mask`` is an
optional (batch, n) bool of real elements, and pooling only sums real elements, so a padded set
gives exactly the result of the unpadded one. ``dense(n)`` uses eqsolve's flat channel-major
layout for c*V(S(n)), i.e. index ``c * n + i``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

__all__ = [
    "SetLinear",
    "SetPool",
    "DeepSets",
    "solved_set_basis",
    "derive_pooling_terms",
    "POOLING_PRIMITIVES",
]

# (out_kind, in_kind) -> {name: n -> matrix (n_out, n_in)}; "V" has size n, "S" (scalar) size 1
POOLING_PRIMITIVES: dict[tuple[str, str], dict[str, Callable[[int], np.ndarray]]] = {
    ("V", "V"): {"identity": lambda n: np.eye(n), "sum_broadcast": lambda n: np.ones((n, n))},
    ("S", "V"): {"sum": lambda n: np.ones((1, n))},
    ("V", "S"): {"broadcast": lambda n: np.ones((n, 1))},
}


# ------------------------------------------------------------------------------------------
# Solving the basis
# ------------------------------------------------------------------------------------------
def _fallback_basis(n: int, out_kind: str, in_kind: str) -> np.ndarray:
    """Null space of the S(n) equivariance constraints, by dense SVD. Columns: vec (row-major)
    of (n_out, n_in) matrices."""
    gens = [np.roll(np.arange(n), 1)]  # n-cycle
    if n > 1:
        t = np.arange(n)
        t[[0, 1]] = [1, 0]
        gens.append(t)
    dims = {"V": n, "S": 1}
    n_out, n_in = dims[out_kind], dims[in_kind]
    rows = []
    for p in gens:
        P = np.eye(n)[p]
        Ro = P if out_kind == "V" else np.eye(1)
        Ri = P if in_kind == "V" else np.eye(1)
        # vec(Ro W Ri^T) = (Ro kron Ri) vec(W) for row-major vec; Ri orthogonal so Ri^{-1}=Ri^T
        rows.append(np.kron(Ro, Ri) - np.eye(n_out * n_in))
    A = np.concatenate(rows, 0)
    _, s, vt = np.linalg.svd(A)
    rank = int((s > 1e-9 * max(1.0, s[0] if len(s) else 1.0)).sum())
    return vt[rank:].T


@lru_cache(maxsize=64)
def solved_set_basis(n: int, out_kind: str = "V", in_kind: str = "V") -> tuple[np.ndarray, tuple, str]:
    """Solved equivariant basis of ``in_kind(S(n)) >> out_kind(S(n))`` (kinds "V" or "S" for
    Scalar). Returns (dense (n_out*n_in, k) columns, labels tuple (or ()), source string).
    Uses eqsolve's solver when importable, else the local SVD fallback."""
    try:
        from eqsolve.groups import S  # noqa: WPS433 (core may be absent while it is written)
        from eqsolve.reps import Scalar, V

        G = S(n)

        def rep(kind):
            if kind == "V":
                return V(G)
            try:
                return Scalar(G)
            except TypeError:
                return Scalar

        B = (rep(in_kind) >> rep(out_kind)).equivariant_basis()
        dense = np.asarray(B.dense() if hasattr(B, "dense") else B, dtype=np.float64)
        labels = tuple(str(lab) for lab in (getattr(B, "labels", ()) or ()))
        return dense, labels, "eqsolve"
    except Exception as err:  # ImportError or an incomplete core
        dense = _fallback_basis(n, out_kind, in_kind)
        return dense, (), f"fallback-svd ({type(err).__name__}: {err})"[:200]


def derive_pooling_terms(
    dense: np.ndarray, n: int, out_kind: str, in_kind: str, tol: float = 1e-8
) -> tuple[tuple[str, ...], np.ndarray]:
    """Express solved basis columns in the pooling primitives for (out_kind, in_kind).

    Returns (names of the primitives the basis needs, C of shape (len(names), k)) with
    ``dense == P[:, names] @ C`` (P the flattened primitive matrices at size n). Raises
    ValueError if the span is not reproduced or the kept primitives are not independent.
    """
    prims = POOLING_PRIMITIVES[(out_kind, in_kind)]
    names = list(prims)
    P = np.stack([prims[m](n).reshape(-1) for m in names], 1)
    k = dense.shape[1]
    C, *_ = np.linalg.lstsq(P, dense, rcond=None)
    resid = np.abs(P @ C - dense).max() if k else 0.0
    if resid > tol:
        raise ValueError(
            f"solved basis of {in_kind}(S({n})) >> {out_kind}(S({n})) (dim {k}) is not spanned by the "
            f"pooling primitives {names} (residual {resid:.2e})"
        )
    keep = [i for i in range(len(names)) if np.abs(C[i]).max() > tol]
    Ck = C[keep]
    if np.linalg.matrix_rank(Ck, tol=1e-8) != k or len(keep) != k:
        raise ValueError(
            f"pooling primitives {[names[i] for i in keep]} do not match the solved basis dimension {k} "
            f"at n={n}; choose a larger n_ref"
        )
    return tuple(names[i] for i in keep), Ck


def _masked_sum(x: jax.Array, mask: jax.Array | None) -> jax.Array:
    """(B, n, c) -> (B, c), summing only real elements."""
    if mask is not None:
        x = x * mask[..., None].astype(x.dtype)
    return jnp.sum(x, axis=-2)


# ------------------------------------------------------------------------------------------
# Layers
# ------------------------------------------------------------------------------------------
class SetLinear(nnx.Module):
    """c_in*V(S(n)) -> c_out*V(S(n)) equivariant linear layer, any n.

    ``y[b, i, o] = sum_c lam[o, c] x[b, i, c] + gam[o, c] sum_j x[b, j, c] + bias[o]``
    with the terms (identity, sum_broadcast; broadcast for the bias) derived from the solved
    bases at ``n_ref``. ``pool=False`` keeps only the identity term (the elementwise phi of the
    invariant DeepSets model, itself an equivariant map).

    Args:
      in_channels, out_channels: channel counts.
      n_ref: size at which the bases are solved (>= 2; the structure is size-agnostic).
      use_bias: add the solved Scalar -> V (constant) bias term.
      pool: keep the pooling (sum_broadcast) term.
      rngs: nnx.Rngs.
    Attributes: ``terms`` (primitive names kept), ``basis_labels``, ``basis_source``.
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
        dense, labels, source = solved_set_basis(n_ref, "V", "V")
        terms, _ = derive_pooling_terms(dense, n_ref, "V", "V")
        if not pool:
            terms = tuple(t for t in terms if t != "sum_broadcast")
        self.terms = terms
        self.basis_labels = labels
        self.basis_source = source
        self.in_channels, self.out_channels = in_channels, out_channels
        scale = 1.0 / np.sqrt(in_channels)
        self.weights = nnx.Dict()
        for t in terms:
            k = rngs.params()
            std = scale if t == "identity" else scale / n_ref
            self.weights[t] = nnx.Param(std * jax.random.normal(k, (out_channels, in_channels)))
        if use_bias:
            bdense, _, _ = solved_set_basis(n_ref, "V", "S")
            bterms, _ = derive_pooling_terms(bdense, n_ref, "V", "S")
            assert bterms == ("broadcast",), bterms
            self.bias = nnx.Param(jnp.zeros((out_channels,)))
        else:
            self.bias = None

    def __call__(self, x: jax.Array, mask: jax.Array | None = None) -> jax.Array:
        """x: (B, n, c_in) -> (B, n, c_out)."""
        y = 0.0
        if "identity" in self.terms:
            y = y + x @ self.weights["identity"][...].T
        if "sum_broadcast" in self.terms:
            pooled = _masked_sum(x, mask) @ self.weights["sum_broadcast"][...].T  # (B, c_out)
            y = y + pooled[..., None, :]
        if self.bias is not None:
            y = y + self.bias[...]
        if mask is not None:
            y = y * mask[..., None].astype(y.dtype)
        return y

    # ----- link to the dense solved basis -------------------------------------------------
    def basis_coefficients_map(self, n: int) -> np.ndarray:
        """C (len(terms), k): term weights = C @ basis coefficients, for the solved basis at n."""
        dense, _, _ = solved_set_basis(n, "V", "V")
        terms, C = derive_pooling_terms(dense, n, "V", "V")
        return np.stack([C[terms.index(t)] for t in self.terms], 0)

    def from_basis_coefficients(self, w: np.ndarray, n: int) -> None:
        """Set the weights so the layer equals ``W = sum_k w[..., k] B_k`` (solved basis at n).

        w: (c_out, c_in, k)."""
        C = self.basis_coefficients_map(n)
        tw = np.einsum("ock,tk->toc", np.asarray(w, np.float64), C)
        for i, t in enumerate(self.terms):
            self.weights[t][...] = jnp.asarray(tw[i], jnp.float32)

    def dense(self, n: int) -> np.ndarray:
        """The layer's linear part as a dense (c_out*n, c_in*n) matrix, channel-major."""
        prims = POOLING_PRIMITIVES[("V", "V")]
        W = np.zeros((self.out_channels, n, self.in_channels, n))
        for t in self.terms:
            W += np.einsum("oc,ij->oicj", np.asarray(self.weights[t][...]), prims[t](n))
        return W.reshape(self.out_channels * n, self.in_channels * n)


class SetPool(nnx.Module):
    """c*V(S(n)) -> c*Scalar invariant readout: the solved V -> Scalar basis (the all-ones row)
    applied per channel, i.e. a masked sum over elements. No weights (rho follows)."""

    def __init__(self, *, n_ref: int = 4):
        dense, labels, source = solved_set_basis(n_ref, "S", "V")
        self.terms, _ = derive_pooling_terms(dense, n_ref, "S", "V")
        if self.terms != ("sum",):
            raise ValueError(f"unexpected invariant basis terms {self.terms}")
        self.basis_labels, self.basis_source = labels, source

    def __call__(self, x: jax.Array, mask: jax.Array | None = None) -> jax.Array:
        """(B, n, c) -> (B, c)."""
        return _masked_sum(x, mask)


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
