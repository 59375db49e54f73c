"""The unitary groups ``U(n)`` and ``SU(n)`` acting on C^n, with EMLP's meaning: a *complex*
defining representation, complex Lie-algebra generators, and complex equivariant bases.

Why complex and not a real form: the defining rep V of SU(n) (n >= 3) is of complex type, so no
real rep has its tensor invariants. The realification R^{2n} contains both V and its conjugate,
and its T(2) already has 2 invariants where V ⊗ V has 0 (EMLP's count) and V ⊗ V* has 1. So,
as EMLP does, the generators are complex matrices, ``V.T`` is the dual (rho(g)^{-T} = conj(g),
drho(A) = -A^T), and the solvers return complex orthonormal bases whose dimensions are complex
dimensions (EMLP's). Reps of complex groups are solved by the dense solver (blocks up to
``DENSE_MAX_SIZE`` entries).

Generators (EMLP's): real antisymmetric E_ij - E_ji and imaginary symmetric i(E_ij + E_ji) for
i > j, and imaginary diagonal i E_ii (U(n), n^2 generators) or the traceless i(E_ii - sum_{j != i}
E_jj / (n - 1)) for i < n - 1 (SU(n), n^2 - 1 generators).
"""

from __future__ import annotations

import numpy as np

from .base import Group
from .permutation import _check_n


def _offdiagonal(n: int) -> list[np.ndarray]:
    out = []
    for i in range(n):
        for j in range(i):
            A = np.zeros((n, n), dtype=complex)
            A[i, j], A[j, i] = 1.0, -1.0
            out.append(A)
            B = np.zeros((n, n), dtype=complex)
            B[i, j] = B[j, i] = 1j
            out.append(B)
    return out


class UnitaryGroup(Group):
    """U(n) (``special=False``) or SU(n) (``special=True``) on C^n; made by :func:`U` / :func:`SU`.
    Declares which, so independent counts (Schur-Weyl, :mod:`eqsolve.verify`) can apply."""

    def __init__(self, lie, n: int, special: bool, label: str | None = None):
        kind = "SU" if special else "U"
        super().__init__(None, lie, d=n, name=f"{kind}({n})", label=label, key=(kind, n))
        self.special = bool(special)


def U(n: int, label: str | None = None) -> Group:
    """The unitary group U(n) on C^n (complex defining rep; n^2 Lie generators)."""
    n = _check_n(n, "U", lambda n: 16 * n**4, "its Lie algebra (n^2 complex matrices n x n)")
    gens = _offdiagonal(n)
    for i in range(n):
        A = np.zeros((n, n), dtype=complex)
        A[i, i] = 1j
        gens.append(A)
    return UnitaryGroup(np.array(gens), n, special=False, label=label)


def SU(n: int, label: str | None = None) -> Group:
    """The special unitary group SU(n) on C^n (complex defining rep; n^2 - 1 Lie generators)."""
    n = _check_n(n, "SU", lambda n: 16 * n**4, "its Lie algebra (n^2 - 1 complex matrices n x n)")
    gens = _offdiagonal(n)
    for i in range(n - 1):
        A = np.full(n, -1j / (n - 1)) if n > 1 else np.zeros(n, dtype=complex)
        A[i] = 1j
        gens.append(np.diag(A))
    lie = np.array(gens).reshape(len(gens), n, n)
    return UnitaryGroup(lie if len(lie) else None, n, special=True, label=label)
