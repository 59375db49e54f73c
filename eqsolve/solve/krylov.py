"""Matrix-free nullspace solvers for continuous groups and large blocks.

Two strategies, both working on the lazy per-generator constraints of
:mod:`eqsolve.solve.constraints` (Kronecker products and sums are never formed):

``"weights"`` (the default whenever it applies): a weight-space reduction.
    A set of commuting, diagonalisable Lie generators (a Cartan-like subalgebra: L_12, L_34, ...
    for SO(n); a rotation and the commuting boost for the Lorentz group; the diagonal generators
    of Sp) is diagonalised *on each tensor axis* (d x d eigenproblems). On the block their
    Kronecker sums are then diagonal, with eigenvalue (weight) equal to the sum of the per-axis
    weights, and an invariant must have weight zero for every one of them. The zero-weight
    multi-indices are enumerated combinatorially (a pruned walk over the axes that only keeps
    prefixes whose weight the remaining axes can cancel), so nothing of the block's size is
    touched. The per-axis eigenvectors are chosen in conjugate pairs (real Schur form), so
    complex conjugation permutes the zero-weight indices and the real solution space has real
    coordinates there; in them the reduced Gram matrix is real symmetric. The remaining Lie
    generators are applied to that small subspace (as sparse matrices that move each zero-weight
    index along one axis at a time; densely for small blocks), the real Gram matrix
    sum_i C_i^H C_i is diagonalised (only its eigenpairs below the threshold, or LOBPCG when
    there are more than ``MAX_ZERO_WEIGHT`` indices), and the null vectors are mapped back by
    the per-axis eigenvector matrices to real orthonormal vectors. Discrete generators (O(n) reflections, Lorentz parity and time reversal, permutation factors
    of mixed products) are imposed afterwards on that small basis. Nothing here assumes the
    group is compact: non-normal per-axis matrices are diagonalised with ``eig``.

``"lobpcg"`` (fallback, or on request): the invariant subspace is the nullspace of the PSD
    operator A = sum_i C_i^T C_i (real transposes, so boosts and duals are handled), found by
    LOBPCG in blocks with deflation against the vectors already locked, until a block comes back
    with an eigenvalue above the threshold (the stopping rule).

Both return a :class:`DenseBasis` with orthonormal columns and per-vector residuals
``max_i ||C_i q||`` over all generators.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import scipy.linalg
import scipy.sparse
from scipy.linalg import lapack
from scipy.sparse.linalg import LinearOperator, lobpcg

from ..memory import check_fits
from ..reps.monomial import Monomial
from .basis import DenseBasis
from .constraints import Constraint, block_constraints, kron_apply, residuals
from .dense import solve_dense

NULL_RTOL = 1e-9  # eigenvalue of the Gram matrix, relative to its largest, counted as zero
MAX_ZERO_WEIGHT = 12000  # above this many zero-weight indices the reduced problem goes iterative
SMALL_DENSE_ENTRIES = 5_000  # block size x zero-weight count up to which generators act densely
_SEED = 20261126


class WeightReductionUnavailable(Exception):
    """The weight-space reduction does not apply to this block (no usable Cartan generators)."""


def solve_krylov(
    mono: Monomial, strategy: str = "auto", rtol: float = NULL_RTOL, dense_fallback: bool = False
) -> DenseBasis:
    """Invariant basis of a block by a matrix-free method (see the module docstring).

    Args:
        strategy: ``"weights"``, ``"lobpcg"`` or ``"auto"`` (weights when it applies, else
            LOBPCG).
        dense_fallback: with ``"auto"``, use the dense SVD solver instead of LOBPCG when the
            weight reduction does not apply (``solve_block`` sets it for small blocks).
    """
    if strategy not in ("auto", "weights", "lobpcg"):
        raise ValueError(f"unknown krylov strategy {strategy!r}; choose auto, weights or lobpcg")
    cons = block_constraints(mono)
    if strategy in ("auto", "weights"):
        try:
            Q = _solve_weights(mono, cons, rtol)
        except WeightReductionUnavailable:
            if strategy == "weights":
                raise
        else:
            return DenseBasis(Q, residuals(cons, Q), method="krylov")
        if dense_fallback and strategy == "auto":
            return solve_dense(mono)
    Q = _solve_lobpcg(mono, cons)
    return DenseBasis(Q, residuals(cons, Q), method="krylov")


# ===================================================================== weights
def _lie_generators(cons: list[Constraint]) -> list[list]:
    """Per-leaf matrices of every Lie generator acting on the block (from its constraints)."""
    return [c.mats for c in cons if c.lie]


def _unique_leaves(mono: Monomial) -> tuple[list[int], list[int]]:
    """(first position of each distinct leaf, index into that list for every axis)."""
    keys, first, which = [], [], []
    for j, leaf in enumerate(mono.leaves):
        if leaf.key not in keys:
            keys.append(leaf.key)
            first.append(j)
        which.append(keys.index(leaf.key))
    return first, which


def _diagonalise(H: np.ndarray):
    """Eigenvectors of a real matrix H with the real structure kept.

    Returns (U, U^-1, pair) with U^-1 H U diagonal, columns of unit norm, and ``pair`` the
    involution with conj(U[:, a]) = U[:, pair[a]] (real eigenvectors for real eigenvalues,
    conjugate vectors for conjugate eigenvalues); U is unitary when H is normal. None when H is
    not (numerically) diagonalisable.
    """
    d = H.shape[0]
    scale = max(1.0, np.abs(H).max())
    HtH, HHt = H.T @ H, H @ H.T
    if np.abs(HtH - HHt).max() <= 1e-10 * scale * scale:  # normal: real Schur is block diagonal
        T, Zr = scipy.linalg.schur(H, output="real")
        U = np.zeros((d, d), dtype=complex)
        pair = np.arange(d)
        i = 0
        while i < d:
            if i + 1 < d and abs(T[i + 1, i]) > 1e-12 * scale:
                if abs(T[i + 1, i] + T[i, i + 1]) > 1e-8 * scale:
                    return None
                U[:, i] = (Zr[:, i] + 1j * Zr[:, i + 1]) / np.sqrt(2)
                U[:, i + 1] = U[:, i].conj()
                pair[i], pair[i + 1] = i + 1, i
                i += 2
            else:
                U[:, i] = Zr[:, i]
                i += 1
        Uinv = U.conj().T
    else:
        lam, U = np.linalg.eig(H)
        if np.linalg.cond(U) > 1e6:
            return None
        U = U / np.linalg.norm(U, axis=0)
        pair = np.arange(d)
        for a in range(d):
            if abs(lam[a].imag) > 1e-12 * scale:
                b = int(np.argmin(np.abs(U - U[:, a : a + 1].conj()).sum(axis=0)))
                if np.abs(U[:, b] - U[:, a].conj()).max() > 1e-10:
                    return None
                pair[a] = b
            else:
                U[:, a] = U[:, a].real
        U = U.astype(complex)
        Uinv = np.linalg.inv(U)
    D = Uinv @ H @ U
    if np.abs(D - np.diag(np.diag(D))).max() > 1e-8 * scale:
        return None
    return U, Uinv, pair


def _quantise(values: np.ndarray) -> np.ndarray | None:
    """Integers n with values = n * unit for one common unit (None if no small one exists)."""
    nz = np.abs(values[np.abs(values) > 1e-9])
    if nz.size == 0:
        return np.zeros(values.shape, dtype=np.int64)
    base = nz.min()
    for den in range(1, 13):
        unit = base / den
        q = values / unit
        n = np.round(q)
        if np.abs(q - n).max() < 1e-7 and np.abs(n).max() < 10**6:
            return n.astype(np.int64)
    # values that are rational multiples with a larger denominator
    fr = [Fraction(float(v / base)).limit_denominator(60) for v in values.reshape(-1)]
    if max(abs(float(f) * base - v) for f, v in zip(fr, values.reshape(-1))) < 1e-7 * base:
        lcm = 1
        for f in fr:
            lcm = lcm * f.denominator // math.gcd(lcm, f.denominator)
        return np.array([int(f * lcm) for f in fr], dtype=np.int64).reshape(values.shape)
    return None


def _cartan(mono: Monomial, lie: list) -> tuple[list, list, list[int]] | None:
    """Choose commuting diagonalisable generators greedily.

    Returns (U per distinct leaf, integer weights (d, R) per distinct leaf, chosen generator
    indices), or None when not even one generator can be used.
    """
    first, _ = _unique_leaves(mono)
    chosen: list[int] = []
    coeffs: list[float] = []
    best = None
    for gi, mats in enumerate(lie):
        if all(mats[j] is None for j in first):
            continue
        # must commute with the chosen ones on every distinct leaf
        ok = True
        for ci in chosen:
            for j in first:
                A, B = mats[j], lie[ci][j]
                if A is None or B is None:
                    continue
                if np.abs(A @ B - B @ A).max() > 1e-10 * max(1.0, np.abs(A).max() * np.abs(B).max()):
                    ok = False
                    break
            if not ok:
                break
        if not ok:
            continue
        trial = chosen + [gi]
        c = coeffs + [1.0 + ((gi + 1) * 0.6180339887498949) % 1.0]  # fixed, incommensurate
        result = _weights_for(mono, lie, trial, c, first)
        if result is None:
            continue
        chosen, coeffs, best = trial, c, result
    if best is None:
        return None
    return best[0], best[1], chosen


def _weights_for(mono, lie, chosen, coeffs, first):
    Us, Ws = [], []
    for j in first:
        d = mono.leaves[j].size()
        H = np.zeros((d, d))
        for c, gi in zip(coeffs, chosen):
            M = lie[gi][j]
            if M is not None:
                H = H + c * M
        if not np.any(H):
            U = (np.eye(d, dtype=complex), np.eye(d, dtype=complex), np.arange(d))
        else:
            U = _diagonalise(H)
            if U is None:
                return None
        w = np.zeros((d, len(chosen)), dtype=complex)
        for r, gi in enumerate(chosen):
            M = lie[gi][j]
            if M is None:
                continue
            D = U[1] @ M @ U[0]
            diag = np.diag(D)
            if np.abs(D - np.diag(diag)).max() > 1e-8 * max(1.0, np.abs(M).max()):
                return None
            w[:, r] = diag
        Us.append(U)
        Ws.append(w)
    # integer weights: real and imaginary parts of each chosen generator, one common unit each
    cols = []
    for r in range(len(chosen)):
        for part in (np.real, np.imag):
            vals = np.concatenate([part(w[:, r]) for w in Ws])
            if np.abs(vals).max(initial=0.0) < 1e-9:
                continue
            q = _quantise(vals)
            if q is None:
                return None
            cols.append(q)
    if not cols:
        return None
    Q = np.stack(cols, axis=1)
    ints, off = [], 0
    for w in Ws:
        ints.append(Q[off : off + len(w)])
        off += len(w)
    return Us, ints


def zero_weight_indices(weights: list[np.ndarray]) -> np.ndarray:
    """All multi-indices (Z, k) whose per-axis integer weights (d_j, R) sum to zero.

    A pruned walk over the axes: a prefix is kept only if the remaining axes can cancel its
    weight (their reachable sums are precomputed from the back), so the work is proportional
    to the output, never to prod d_j.
    """
    k = len(weights)
    if k == 0:
        return np.zeros((1, 0), dtype=np.int64)
    R = weights[0].shape[1]
    shape = tuple(len(w) for w in weights)
    if math.prod(shape) <= 4096:  # tiny block: sum all weights at once
        total = np.zeros((1, R), dtype=np.int64)
        for w in weights:
            total = (total[:, None, :] + w[None, :, :]).reshape(-1, R)
        hit = np.flatnonzero(~total.any(axis=1))
        return np.stack(np.unravel_index(hit, shape), axis=1).astype(np.int64)
    bound = [sum(int(np.abs(w[:, r]).max()) for w in weights) for r in range(R)]
    mult_list = [1]
    for b in bound[:-1]:
        mult_list.append(mult_list[-1] * (2 * b + 1))
    if R and mult_list[-1] * (2 * bound[-1] + 1) >= 2**62:
        raise WeightReductionUnavailable("weight lattice too large to encode")
    mult = np.array(mult_list[:R], dtype=np.int64)
    codes = [w.astype(np.int64) @ mult for w in weights]  # (d_j,) linear codes
    span = int(sum(np.abs(c).max() for c in codes))  # every partial code lies in [-span, span]
    table = span <= 4_000_000  # membership by a boolean table, else by np.isin
    reach = [None] * (k + 1)
    reach[k] = np.zeros(1, dtype=np.int64)
    for j in range(k - 1, -1, -1):
        reach[j] = np.unique(codes[j][:, None] + reach[j + 1][None, :])
    if table:
        masks = []
        for r in reach:
            t = np.zeros(2 * span + 1, dtype=bool)
            t[r + span] = True
            masks.append(t)
    digits = np.zeros((1, 0), dtype=np.int64)
    code = np.zeros(1, dtype=np.int64)
    for j in range(k):
        d = len(codes[j])
        new_code = (code[:, None] + codes[j][None, :]).reshape(-1)
        if table:
            neg = span - new_code
            keep = np.zeros(len(new_code), dtype=bool)
            ok = (neg >= 0) & (neg <= 2 * span)
            keep[ok] = masks[j + 1][neg[ok]]
        else:
            keep = np.isin(-new_code, reach[j + 1])
        idx = np.flatnonzero(keep)
        rows, cols = np.divmod(idx, d)
        digits = np.concatenate([digits[rows], cols[:, None]], axis=1)
        code = new_code[keep]
        if len(code) > 50 * MAX_ZERO_WEIGHT:
            raise WeightReductionUnavailable(f"more than {50 * MAX_ZERO_WEIGHT} partial zero-weight states")
    return digits[code == 0]


def _solve_weights(mono: Monomial, cons: list[Constraint], rtol: float) -> np.ndarray:
    lie = _lie_generators(cons)
    if not lie:
        raise WeightReductionUnavailable("no Lie algebra acts on this block")
    cart = _cartan(mono, lie)
    if cart is None:
        raise WeightReductionUnavailable("no diagonalisable Lie generator with rational weights")
    Us, Ws, chosen = cart
    _, which = _unique_leaves(mono)
    shape = mono.shape
    m = math.prod(shape)
    k = len(shape)
    digits = zero_weight_indices([Ws[which[j]] for j in range(k)])
    Z = len(digits)
    if Z == 0:
        return np.zeros((m, 0))
    strides = np.ones(k, dtype=np.int64)
    for j in range(k - 2, -1, -1):
        strides[j] = strides[j + 1] * shape[j + 1]
    flat = digits @ strides if k else np.zeros(len(digits), dtype=np.int64)

    # real structure: conj(U_j[:, a]) = U_j[:, pair_j[a]], so a real block vector has
    # coordinates x with x[bar(alpha)] = conj(x[alpha]); bar permutes the zero-weight set
    flat_bar = sum(Us[which[j]][2][digits[:, j]] * strides[j] for j in range(k))
    bar = np.searchsorted(flat, flat_bar)
    if not np.array_equal(flat[np.minimum(bar, Z - 1)], flat_bar):
        raise WeightReductionUnavailable("the zero-weight set is not closed under conjugation")
    # Tr: unitary (Z, Z) mapping R^Z onto {x : x[bar] = conj(x)}; applied by column combinations
    lo = np.flatnonzero(bar > np.arange(Z))
    hi = bar[lo]

    # remaining Lie generators, restricted to the zero-weight subspace
    rest = [mats for gi, mats in enumerate(lie) if gi not in chosen]
    first, _ = _unique_leaves(mono)
    eig_mats = []  # per-axis matrices in the eigenbases (computed once per distinct leaf)
    for mats in rest:
        per_leaf = [None if mats[j] is None else Us[u][1] @ mats[j] @ Us[u][0] for u, j in enumerate(first)]
        eig_mats.append([per_leaf[which[j]] for j in range(k)])
    if not rest:
        Y = np.eye(Z)
    elif m * Z <= SMALL_DENSE_ENTRIES:
        # small block: apply each generator to the Z injected unit vectors, densely
        E = np.zeros((m, Z), dtype=complex)
        E[flat, np.arange(Z)] = 1.0
        ETr = _times_real_coordinates(E, lo, hi)
        Y = _reduced_nullspace(np.concatenate([kron_apply(shape, mt, ETr, lie=True) for mt in eig_mats]), rtol)
    else:
        # sparse (rows x Z): each zero-weight index moved along one axis at a time
        rows_all, cols_all, vals_all = [], [], []
        for g, mts in enumerate(eig_mats):
            for j, Mt in enumerate(mts):
                if Mt is None:
                    continue
                d = shape[j]
                vals = Mt[:, digits[:, j]].T  # (Z, d): coefficient of index with axis j set to b
                rows = flat[:, None] + (np.arange(d)[None, :] - digits[:, j][:, None]) * strides[j]
                mask = np.abs(vals) > 1e-13 * max(1.0, np.abs(Mt).max())
                rows_all.append(rows[mask] + g * m)
                cols_all.append(np.broadcast_to(np.arange(Z)[:, None], (Z, d))[mask])
                vals_all.append(vals[mask])
        rows = np.concatenate(rows_all)
        uniq, inv = np.unique(rows, return_inverse=True)
        cols, vals = np.concatenate(cols_all), np.concatenate(vals_all)
        R = len(uniq)
        if R * Z <= 2_000_000:  # moderate: a dense (R, Z) matrix, no scipy.sparse overhead
            lin = inv.reshape(-1) * Z + cols
            S = (
                np.bincount(lin, weights=vals.real, minlength=R * Z)
                + 1j * np.bincount(lin, weights=vals.imag, minlength=R * Z)
            ).reshape(R, Z)
            Y = _reduced_nullspace(_times_real_coordinates(S, lo, hi), rtol)
        else:
            S = scipy.sparse.csr_matrix((vals, (inv.reshape(-1), cols)), shape=(R, Z))
            Y = _reduced_nullspace(S @ _real_coordinates(bar), rtol)
    n = Y.shape[1]
    if n == 0:
        return np.zeros((m, 0))

    # back to the standard basis: V = (kron_j U_j) E Tr Y, E the zero-weight coordinate injection
    if m * n > 4_000_000:
        check_fits(m * n * 16 * 2, f"the invariant basis of a block of shape {shape} ({m} x {n})")
    Vc = np.zeros((m, n), dtype=complex)
    Vc[flat] = _real_coordinates_times(Y, lo, hi)
    Q = kron_apply(shape, [Us[which[j]][0] for j in range(k)], Vc).real
    del Vc

    # discrete generators on the small basis
    discrete = [c for c in cons if not c.lie]
    for c in discrete:
        if Q.shape[1] == 0:
            break
        Q = Q @ _small_nullspace(c.apply(Q))
    unitary = all(np.abs(Us[i][1] - Us[i][0].conj().T).max() < 1e-12 for i in set(which))
    if unitary and not discrete:
        return Q  # orthonormal already: Q = (kron U) E Tr Y with U, Tr unitary and Y orthonormal
    return _orthonormalise(Q)


_H = 1 / np.sqrt(2)


def _times_real_coordinates(S: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """S @ Tr for dense S (R, Z): column lo -> (S_lo + S_hi)/sqrt2, hi -> i (S_lo - S_hi)/sqrt2."""
    out = S.astype(complex, copy=True)
    a, b = S[:, lo], S[:, hi]
    out[:, lo] = _H * (a + b)
    out[:, hi] = 1j * _H * (a - b)
    return out


def _real_coordinates_times(Y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Tr @ Y for real Y (Z, n): row lo -> (Y_lo + i Y_hi)/sqrt2, hi -> (Y_lo - i Y_hi)/sqrt2."""
    out = Y.astype(complex)
    a, b = Y[lo], Y[hi]
    out[lo] = _H * (a + 1j * b)
    out[hi] = _H * (a - 1j * b)
    return out


def _real_coordinates(bar: np.ndarray, sparse: bool = True):
    """Unitary (Z, Z) whose real span is {x in C^Z : x[bar] = conj(x)} (bar an involution);
    a scipy CSR matrix, or a dense array when ``sparse`` is False."""
    Z = len(bar)
    idx = np.arange(Z)
    fixed = idx[bar == idx]
    lo = idx[bar > idx]
    hi = bar[lo]
    h = 1 / np.sqrt(2)
    rows = np.concatenate([fixed, lo, hi, lo, hi])
    cols = np.concatenate([fixed, lo, lo, hi, hi])
    vals = np.concatenate(
        [
            np.ones(len(fixed)),
            np.full(len(lo), h),
            np.full(len(lo), h),
            np.full(len(lo), 1j * h),
            np.full(len(lo), -1j * h),
        ]
    )
    if not sparse:
        out = np.zeros((Z, Z), dtype=complex)
        out[rows, cols] = vals
        return out
    return scipy.sparse.csr_matrix((vals.astype(complex), (rows, cols)), shape=(Z, Z))


def _reduced_nullspace(S, rtol: float) -> np.ndarray:
    """Real null vectors (Z, n) of S (rows, Z) whose Gram matrix S^H S is real, orthonormal."""
    Z = S.shape[1]
    G = (S.conj().T @ S).real
    dense_ok = Z <= MAX_ZERO_WEIGHT
    if dense_ok and Z > 2000:
        try:
            check_fits(3 * Z * Z * 8, f"the dense reduced Gram matrix ({Z} x {Z})")
        except ValueError:
            dense_ok = False
    if dense_ok:
        G = G.toarray() if scipy.sparse.issparse(G) else np.array(G)
        G += G.T
        G *= 0.5
        if Z <= 200:
            lam, vec = np.linalg.eigh(G)
            return vec[:, lam <= rtol * max(lam[-1], 1e-300)]
        # the Gershgorin bound stands in for the largest eigenvalue
        bound = max(float(np.abs(G[i : i + 1024]).sum(axis=1).max()) for i in range(0, Z, 1024))
        null = _pivoted_cholesky_null(G, rtol * max(bound, 1e-300))
        if null is not None:
            return null
        # only the eigenpairs below the threshold (tridiagonalisation + a few vectors: about 3x
        # cheaper than a full eigh, 3x dearer than the pivoted Cholesky)
        lam, vec = scipy.linalg.eigh(
            G, subset_by_value=(-np.inf, rtol * max(bound, 1e-300)), driver="evr", overwrite_a=True, check_finite=False
        )
        return vec
    G = scipy.sparse.csr_matrix(G)
    return _lobpcg_null(lambda X: G @ X, Z, np.float64, rtol)


def _pivoted_cholesky_null(G: np.ndarray, tol: float) -> np.ndarray | None:
    """Orthonormal nullspace of a PSD matrix by rank-revealing pivoted Cholesky (LAPACK pstrf):
    P^T G P = L L^T with L = [[L11], [L21]] of rank r, nullspace P [-L11^-T L21^T; I].

    About a third of the cost of the eigen-solver; the result is checked (||G N|| small) and
    None is returned when the check fails, so the caller can use the eigen-solver instead.
    """
    Z = G.shape[0]
    c, piv, rank, info = lapack.dpstrf(G, lower=1, tol=tol, overwrite_a=0)
    if info < 0:
        return None
    piv = piv - 1
    r = int(rank)
    if r == Z:
        return np.zeros((Z, 0))
    L11 = c[:r, :r]  # solve_triangular(lower=True) reads only the lower triangle
    L21 = c[r:, :r]
    X = (
        scipy.linalg.solve_triangular(L11, L21.T, lower=True, trans="T", check_finite=False)
        if r
        else np.zeros((0, Z - r))
    )
    N = np.zeros((Z, Z - r))
    N[piv[:r]] = -X
    N[piv[r:], np.arange(Z - r)] = 1.0
    q, rr = np.linalg.qr(N)
    if np.abs(np.diag(rr)).min() < 1e-8:
        return None
    check = np.abs(G @ q).max()
    if not np.isfinite(check) or check > 1e3 * tol:
        return None
    return q


def _small_nullspace(M: np.ndarray, rtol: float = 1e-8) -> np.ndarray:
    if M.shape[1] == 0:
        return np.zeros((0, 0))
    _, s, vt = np.linalg.svd(M, full_matrices=M.shape[0] < M.shape[1])
    scale = max(1.0, s[0] if len(s) else 0.0)
    rank = int((s > rtol * scale).sum())
    return vt[rank:].T


def _orthonormalise(Q: np.ndarray) -> np.ndarray:
    if Q.shape[1] == 0:
        return Q
    q, r = np.linalg.qr(Q)
    return q[:, np.abs(np.diag(r)) > 1e-10]


# ====================================================================== lobpcg
def transpose(c: Constraint) -> Constraint:
    """C^T for a constraint: per-axis transposes (works for non-orthogonal groups)."""
    mats = [None if M is None else np.ascontiguousarray(M.T) for M in c.mats]
    return Constraint(c.mono, mats, c.lie, c.name + "^T")


def _lobpcg_null(
    matmat, m: int, dtype, rtol: float, block: int = 16, seed: int = _SEED, maxiter: int = 400
) -> np.ndarray:
    """Orthonormal nullspace (m, n) of a PSD operator given by ``matmat`` (m, B) -> (m, B).

    Blocks of LOBPCG with deflation against the vectors already locked; stops when a block
    returns an eigenvalue above ``rtol * lambda_max`` (estimated by a few power steps).
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((m, 1)).astype(dtype)
    lam_max = 0.0
    for _ in range(30):
        y = matmat(x)
        lam_max = float(np.linalg.norm(y))
        if lam_max == 0:
            return np.eye(m, dtype=dtype)
        x = y / lam_max
    scale = 1.1 * lam_max
    thr = max(rtol, 1e-10) * scale * 1e2
    op = LinearOperator((m, m), matvec=lambda v: matmat(v.reshape(m, 1)).reshape(-1), matmat=matmat, dtype=dtype)
    found = np.zeros((m, 0), dtype=dtype)
    while found.shape[1] < m:
        b = int(min(block, m - found.shape[1]))
        if 3 * (b + found.shape[1]) >= m:  # small remainder: solve it densely
            P = np.eye(m, dtype=dtype) - found @ found.conj().T
            A = P @ matmat(P)
            A = (A + A.conj().T) / 2
            lam, vec = np.linalg.eigh(A)
            cand = vec[:, lam <= thr]
            cand = cand - found @ (found.conj().T @ cand)
            if cand.shape[1]:
                q, r = np.linalg.qr(cand)
                cand = q[:, np.abs(np.diag(r)) > 1e-8]
            return np.concatenate([found, cand], axis=1)
        X = rng.standard_normal((m, b)).astype(dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the stopping rule below decides, not lobpcg's tol
            lam, vec = lobpcg(
                op, X, Y=found if found.shape[1] else None, largest=False, tol=1e-11 * scale, maxiter=maxiter
            )
        keep = vec[:, lam <= thr]
        if keep.shape[1]:
            keep = keep - found @ (found.conj().T @ keep)
            q, r = np.linalg.qr(keep)
            keep = q[:, np.abs(np.diag(r)) > 1e-8]
            found = np.concatenate([found, keep], axis=1)
        if (lam > thr).any() or keep.shape[1] == 0:
            break
    return found


def _solve_lobpcg(mono: Monomial, cons: list[Constraint]) -> np.ndarray:
    m = mono.size
    if not cons:
        check_fits(m * m * 8, f"the dense basis of an unconstrained block of size {m}")
        return np.eye(m)
    consT = [transpose(c) for c in cons]

    def matmat(X):
        X = np.asarray(X, dtype=np.float64)
        out = np.zeros_like(X)
        for c, ct in zip(cons, consT):
            out += ct.apply(c.apply(X))
        return out

    Q = _lobpcg_null(matmat, m, np.float64, NULL_RTOL)
    return _orthonormalise(Q.real)
