"""Closed-form invariants of SO(3) tensor powers V^{⊗k} by Clebsch-Gordan coupling.

The spherical basis |1, m> (m = +1, 0, -1) of the defining rep is coupled axis by axis:
V^{⊗(l+1)} = V^{⊗l} ⊗ V_1 and V_j ⊗ V_1 = V_{j-1} ⊕ V_j ⊕ V_{j+1}, with the textbook
coefficients <j m1; 1 m2 | J M>. Keeping, after l axes, every multiplet of spin j <= k - l (only
those can still couple to spin 0) gives, after k axes, the spin-0 vectors: an orthonormal basis
of the invariants (the coupled basis of a fixed coupling tree is orthonormal), with nothing solved
and no Gram matrix formed. The multiplet index M is abstract, so the *axes* are stored in real
coordinates from the start: with e_{+1} = -(x + iy)/√2, e_0 = z, e_{-1} = (x - iy)/√2 a spherical
vector c has Cartesian components i^{n_y} (R c) with the real orthogonal R below (n_y = number of
y indices), and each spin-0 vector is real or imaginary, so (-1)^{floor(n_y/2)} (R^{⊗k} c) is a
real orthonormal basis of the invariants in the Cartesian coordinates eqsolve uses.

Work and memory are those of the output (size 3^k x dim): SO(3) T10 (59,049 x 603) and T11
(177,147 x 1,585) are written, not solved.
"""

from __future__ import annotations

import math

import numpy as np

from ..memory import check_fits
from ..reps.monomial import Monomial
from .basis import DenseBasis
from .estimate import WorkEstimate

__all__ = ["is_so3_power_block", "solve_so3", "so3_invariant_basis"]

_S = 1 / math.sqrt(2)
# rows x, y (without its factor i), z; columns m = +1, 0, -1
_R = np.array([[-_S, 0.0, _S], [-_S, 0.0, -_S], [0.0, 1.0, 0.0]])


def is_so3_power_block(mono: Monomial) -> bool:
    """Every axis is the defining rep of SO(3) (a tensor power V^{⊗k}, k >= 1)."""
    if not mono.leaves:
        return False
    for leaf in mono.leaves:
        G = leaf.G
        if not leaf._is_defining or G is None or G.key[0] != ("SO", 3):
            return False
    return True


def _cg(j: int, J: int, M: int, m2: int) -> float:
    """<j, M - m2; 1, m2 | J, M> (Condon-Shortley), 0 where undefined."""
    m1 = M - m2
    if abs(m1) > j or abs(M) > J:
        return 0.0
    if J == j + 1:
        num = {1: (j + M) * (j + M + 1), 0: 2 * (j - M + 1) * (j + M + 1), -1: (j - M) * (j - M + 1)}[m2]
        return math.sqrt(num / ((2 * j + 1) * (2 * j + 2)))
    if J == j:
        if j == 0:
            return 0.0
        if m2 == 0:
            return M / math.sqrt(j * (j + 1))
        num = (j + M) * (j - M + 1) if m2 == 1 else (j - M) * (j + M + 1)
        return (-1.0 if m2 == 1 else 1.0) * math.sqrt(num / (2 * j * (j + 1)))
    if J == j - 1:
        if m2 == 1:
            return math.sqrt((j - M) * (j - M + 1) / (2 * j * (2 * j + 1)))
        if m2 == 0:
            return -math.sqrt((j - M) * (j + M) / (j * (2 * j + 1)))
        return math.sqrt((j + M + 1) * (j + M) / (2 * j * (2 * j + 1)))
    return 0.0


def _coupling(j: int, J: int) -> np.ndarray:
    """K[j + m1, a, J + M] = <j m1; 1 m2 | J M> R[a, m2] with m2 = M - m1: one coupling step
    with the new axis in real coordinates."""
    K = np.zeros((2 * j + 1, 3, 2 * J + 1))
    for M in range(-J, J + 1):
        for m2 in (1, 0, -1):
            c = _cg(j, J, M, m2)
            if c != 0.0:
                K[j + M - m2, :, J + M] += c * _R[:, 1 - m2]
    return K


def so3_invariant_basis(k: int) -> np.ndarray:
    """(3^k, dim) real orthonormal basis of the SO(3)-invariant tensors of order k, row-major
    over the k Cartesian indices (a column-major array: each basis vector is contiguous)."""
    if k < 1:
        raise ValueError(f"so3_invariant_basis needs k >= 1, got {k}")
    # multiplets after l axes: spin j -> array (count, 3^l, 2j+1), the M index j + M last, so that
    # one coupling step is a single matmul that appends the new axis (no transposes)
    levels = {1: np.ascontiguousarray(_R[:, ::-1])[None]}  # |1, M> = R e_M = column 1 - M of R
    for ell in range(1, k):
        r = k - ell - 1  # axes still to come after this one
        width = 3**ell
        plan: dict[int, list] = {}  # new spin J -> [(old spin j, old array)]
        for j, old in levels.items():
            for J in (1,) if j == 0 else (j - 1, j, j + 1):
                if J <= r and not (J == 0 and r == 1):  # J must still be able to couple to spin 0
                    plan.setdefault(J, []).append((j, old))
        new_levels = {}
        for J, srcs in plan.items():
            total = sum(old.shape[0] for _, old in srcs)
            out = np.empty((total, width * 3, 2 * J + 1))
            row = 0
            for j, old in srcs:
                n = old.shape[0]
                K = _coupling(j, J).reshape(2 * j + 1, 3 * (2 * J + 1))  # (old M, (new axis, new M))
                # einsum's plain loop beats matmul/BLAS for this shape (inner size 2j+1 <= 5) by ~10x
                np.einsum(
                    "ij,jk->ik",
                    old.reshape(n * width, 2 * j + 1),
                    K,
                    out=out[row : row + n].reshape(n * width, -1),
                    optimize=False,
                )
                row += n
            new_levels[J] = out
        levels = new_levels
    if 0 not in levels:
        return np.zeros((3**k, 0))
    Q = levels[0].reshape(-1, 3**k)  # (dim, 3^k), one invariant per row
    # (-1)^floor(n_y / 2), n_y = number of y (= index 1) axes of each coordinate
    idx = np.arange(3**k)
    n_y = np.zeros(3**k, dtype=np.int64)
    for _ in range(k):
        n_y += (idx % 3) == 1
        idx //= 3
    Q *= np.where((n_y // 2) % 2 == 0, 1.0, -1.0)[None, :]
    return Q.T


def so3_invariant_count(k: int) -> int:
    """dim of the SO(3) invariants of V^{⊗k} (multiplicity of spin 0), by integer recursion."""
    mult = {1: 1}
    for _ in range(k - 1):
        new: dict[int, int] = {}
        for j, n in mult.items():
            for J in (1,) if j == 0 else (j - 1, j, j + 1):
                new[J] = new.get(J, 0) + n
        mult = new
    return mult.get(0, 0)


def _residuals(mono: Monomial, Q: np.ndarray, chunk: int = 64) -> np.ndarray:
    """max over the Lie generators of ||drho(A) q|| per column, in column chunks (cache sized).
    Two generators suffice: they generate so(3) ([L_1, L_2] = +-L_3), and exp of so(3) is SO(3).
    drho(A) is the Kronecker sum of A over the k axes, applied axis by axis with einsum."""
    G = mono.leaves[0].G
    gens = G.lie_algebra[:2]
    k = len(mono.shape)
    m = mono.size
    out = np.zeros(Q.shape[1])
    for s in range(0, Q.shape[1], chunk):
        X = np.ascontiguousarray(Q[:, s : s + chunk])
        c = X.shape[1]
        worst = np.zeros(c)
        for A in gens:
            acc = np.zeros_like(X)
            nonzero = [(i, j, float(A[i, j])) for i in range(3) for j in range(3) if A[i, j] != 0]
            for axis in range(k):
                a, b = 3**axis, m // 3 ** (axis + 1) * c
                acc3, X3 = acc.reshape(a, 3, b), X.reshape(a, 3, b)
                for i, j, v in nonzero:  # so(3) generators: two entries +-1 each, so slice adds
                    if v == 1.0:
                        np.add(acc3[:, i], X3[:, j], out=acc3[:, i])
                    elif v == -1.0:
                        np.subtract(acc3[:, i], X3[:, j], out=acc3[:, i])
                    else:
                        acc3[:, i] += v * X3[:, j]
            worst = np.maximum(worst, np.linalg.norm(acc, axis=0))
        out[s : s + chunk] = worst
    return out


def estimate_so3(mono: Monomial):
    """Work of :func:`solve_so3`: writing the coupled multiplets (~3x the output) and the residual
    pass (2k x the output)."""
    k = len(mono.shape)
    dim = so3_invariant_count(k)
    entries = mono.size * max(dim, 1)
    return WorkEstimate(
        "so3",
        f"Clebsch-Gordan coupling to {dim} invariants of the size-{mono.size} block V[SO(3)]^{k}",
        entries * (3 + 2 * k) * 2e-9 + 0.001,
        3 * entries * 8,
    )


def solve_so3(mono: Monomial, with_residuals: bool = True) -> DenseBasis:
    """Invariant basis of V[SO(3)]^{⊗k} by Clebsch-Gordan coupling (see the module docstring);
    residuals max_i ||C_i q|| over the Lie generators, as every solver reports."""
    if not is_so3_power_block(mono):
        raise ValueError(
            f"the so3 solver needs a tensor power of V[SO(3)]; block has {', '.join(str(leaf) for leaf in mono.leaves)}"
        )
    k = len(mono.shape)
    dim = so3_invariant_count(k)
    check_fits(
        3 * mono.size * max(dim, 1) * 8,
        f"the SO(3) T{k} invariants ({mono.size} x {dim}, with the spin-1 multiplets they are coupled from)",
    )
    Q = so3_invariant_basis(k)
    if with_residuals:
        res = _residuals(mono, Q)
    else:
        res = np.zeros(Q.shape[1])
    return DenseBasis(Q, res, method="so3")
