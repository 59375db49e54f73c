"""Direct products G1 x G2 x ... whose defining representation is the tensor product.

As in EMLP, the defining rep of ``G1 * G2`` is V1 ⊗ V2 on R^{d1 d2}: an element is the
Kronecker product ``g1 ⊗ g2`` (row-major: index (i1, i2) -> i1 * d2 + i2), the discrete
generators are ``h ⊗ I`` and ``I ⊗ h``, the Lie algebra ``A ⊗ I`` and ``I ⊗ A``. So
``V(Z(3) * Z(4))`` is the 12-dimensional regular rep of Z3 x Z4 (2-D convolutions). The direct
sum V1 ⊕ V2 (block-diagonal action on R^{d1 + d2}) is the explicit rep ``V(G1) + V(G2)``
(``eqsolve.reps.Vsum(G)``).

Internally elements are kept per factor (``{factor: matrix}``), so nothing of size
(d1 d2)^2 is formed unless asked for; the dense properties below are size-guarded.
"""

from __future__ import annotations

import itertools
import math
from functools import cached_property

import numpy as np

from .base import Group


class KronMatrix(np.ndarray):
    """A dense Kronecker product (or, for Lie-algebra elements, Kronecker sum) that also keeps
    its factors in ``Ms`` (EMLP's ``LazyKron(...).Ms``), so a user rep of a product group can
    read the factor it acts by. Arithmetic on it gives plain arrays."""

    Ms: list

    def __array_finalize__(self, obj):
        if obj is not None and not hasattr(self, "Ms"):
            self.Ms = None


def kron_matrix(mats, lie: bool = False) -> KronMatrix:
    """``KronMatrix`` of the (d_i, d_i) factors: kron product, or Kronecker sum when ``lie``."""
    mats = [np.asarray(m) for m in mats]
    if lie:
        dims = [m.shape[0] for m in mats]
        out = np.zeros((math.prod(dims),) * 2, dtype=np.result_type(*mats))
        for i, m in enumerate(mats):
            out = out + _kron_all([m if j == i else np.eye(dims[j]) for j in range(len(mats))])
    else:
        out = _kron_all(mats)
    km = np.asarray(out).view(KronMatrix)
    km.Ms = list(mats)
    return km


def _as_element(m) -> np.ndarray:
    """float64, or complex128 for complex input (elements of U(n), SU(n)): never cast to real."""
    m = np.asarray(m)
    return m.astype(np.complex128 if np.iscomplexobj(m) else np.float64, copy=False)


def _det_one(f: Group) -> bool:
    """Every element of the complex group f has det 1 (SU(n)): discrete generators of det 1 and
    a traceless Lie algebra."""
    return all(abs(np.linalg.det(g) - 1) < 1e-8 for g in f.discrete_generators) and all(
        abs(np.trace(a)) < 1e-10 for a in f.lie_algebra
    )


def _kron_all(mats) -> np.ndarray:
    out = np.ones((1, 1))
    for m in mats:
        out = np.kron(out, m)
    return out


class DirectProduct(Group):
    """The direct product of groups. Nested products are flattened into their factors.

    Attributes:
        d: prod of the factors' d (the defining rep is the tensor product, as in EMLP).
        factors: the factor groups, in order.
    """

    def __init__(self, *groups: Group, label: str | None = None):
        if len(groups) == 1 and isinstance(groups[0], (list, tuple)):
            groups = tuple(groups[0])
        if not groups:
            raise ValueError("DirectProduct needs at least one group")
        factors: list[Group] = []
        for g in groups:
            if not isinstance(g, Group):
                raise TypeError(f"DirectProduct factors must be groups, got {type(g).__name__}")
            factors.extend(g.factors)
        if len(set(factors)) != len(factors):
            dup = [f for f in factors if factors.count(f) > 1][0]
            raise ValueError(
                f"DirectProduct: factor {dup} appears twice; give the copies different "
                f"labels, e.g. S(3, label='rows') and S(3, label='cols')"
            )
        self._factors = tuple(factors)
        self.d = math.prod(f.d for f in factors)
        self.name = " x ".join(repr(f) for f in factors)
        self.label = label
        self._key = ("Product", tuple(f.key for f in factors))

    @property
    def factors(self) -> tuple[Group, ...]:
        return self._factors

    @cached_property
    def is_complex(self) -> bool:
        """Some factor is complex (U(n), SU(n)): elements and reps of the product are complex."""
        return any(f.is_complex for f in self._factors)

    def _check_dense(self, count: int, what: str) -> None:
        from ..memory import check_fits

        check_fits(
            count * self.d * self.d * (16 if self.is_complex else 8),
            f"{what} of {self} ({count} x {self.d} x {self.d})",
            "work per factor: G.factors, or pass elements as {factor: matrix}",
        )

    # --------------------------------------------------------- dense generators
    def element(self, parts: dict, lie: bool = False) -> np.ndarray:
        """The (d, d) matrix of a per-factor element ``{factor: (d_f, d_f)}``: the Kronecker
        product (identity on missing factors), or for the Lie algebra (``lie=True``) the
        Kronecker sum (zero on missing factors)."""
        self._check_dense(1, "an element")
        if not lie:
            return kron_matrix([_as_element(parts[f]) if f in parts else np.eye(f.d) for f in self._factors])
        return kron_matrix(
            [_as_element(parts[f]) if f in parts else np.zeros((f.d, f.d)) for f in self._factors], lie=True
        )

    @cached_property
    def discrete_generators(self) -> np.ndarray:
        """(M, d, d): each factor's generators ``I ⊗ h ⊗ I``."""
        M = sum(len(f.discrete_generators) for f in self._factors)
        self._check_dense(M, "the discrete generators")
        mats = [self.element({f: h}) for f in self._factors for h in f.discrete_generators]
        return np.array(mats).reshape(len(mats), self.d, self.d)

    @cached_property
    def lie_algebra(self) -> np.ndarray:
        """(D, d, d): each factor's Lie generators ``I ⊗ A ⊗ I``."""
        D = sum(len(f.lie_algebra) for f in self._factors)
        self._check_dense(D, "the Lie algebra")
        mats = [self.element({f: a}, lie=True) for f in self._factors for a in f.lie_algebra]
        return np.array(mats).reshape(len(mats), self.d, self.d)

    @property
    def is_permutation(self) -> bool:
        return all(f.is_permutation for f in self._factors)

    @cached_property
    def perm_generators(self):
        """(M, d) point images of the product generators on the d = prod d_f tensor indices."""
        if not self.is_permutation:
            return None
        out = []
        for i, f in enumerate(self._factors):
            for p in f.perm_generators:
                idx = np.zeros(1, dtype=np.int64)
                for j, g in enumerate(self._factors):
                    q = p if j == i else np.arange(g.d)
                    idx = (idx[:, None] * g.d + q[None, :]).reshape(-1)
                out.append(idx)
        return np.array(out, dtype=np.int64).reshape(len(out), self.d)

    @property
    def is_orthogonal(self) -> bool:
        return all(f.is_orthogonal for f in self._factors)

    def num_constraints(self) -> int:
        return sum(f.num_constraints() for f in self._factors)

    # ------------------------------------------------------------ elements
    def split(self, g) -> dict[Group, np.ndarray]:
        """The factors ``{factor: g_f}`` of an element.

        ``g`` is either already such a dict, or a (d, d) Kronecker product g_1 ⊗ g_2 ⊗ ...,
        factored by rank-one SVDs (nearest Kronecker product). A Kronecker product fixes its
        factors only up to scalars c_f with prod c_f = 1: each factor is scaled to |det| = 1
        when its group is unimodular, permutation factors to nonnegative entries, and factors
        of odd d in a group of positive determinants to det > 0. Where that still leaves a choice
        (e.g. (-g1) ⊗ (-g2) in O(2) x O(2)) the first such factor takes the sign; reps whose
        action depends on it (odd in both factors' signs) need the dict form.
        """
        if isinstance(g, dict):
            return self._check_parts(g)
        if isinstance(g, KronMatrix) and g.Ms is not None and len(g.Ms) == len(self._factors):
            return self._check_parts(dict(zip(self._factors, g.Ms)))  # the factors are known exactly
        g = _as_element(g)  # complex for products with U(n), SU(n) factors
        if g.shape != (self.d, self.d):
            raise ValueError(
                f"element of {self} must be a ({self.d}, {self.d}) Kronecker product (EMLP's "
                f"convention) or a dict {{factor: matrix}}; got shape {g.shape}"
            )
        parts: list[np.ndarray] = []
        rest = g
        dims = [f.d for f in self._factors]
        for i, f in enumerate(self._factors[:-1]):
            dr = math.prod(dims[i + 1 :])
            R = rest.reshape(f.d, dr, f.d, dr).transpose(0, 2, 1, 3).reshape(f.d * f.d, dr * dr)
            U, s, Vt = np.linalg.svd(R, full_matrices=False)
            parts.append((U[:, 0] * np.sqrt(s[0])).reshape(f.d, f.d))
            rest = (Vt[0] * np.sqrt(s[0])).reshape(dr, dr)
        parts.append(rest)
        parts = self._normalise(parts)
        out = dict(zip(self._factors, parts))
        err = np.abs(_kron_all(parts) - g).max()
        if err > 1e-8 * max(1.0, np.abs(g).max()):
            raise ValueError(
                f"the ({self.d}, {self.d}) matrix is not a Kronecker product of elements of the "
                f"factors of {self} (residual {err:.2e}); pass a dict {{factor: matrix}}"
            )
        return out

    def split_lie(self, A) -> dict[Group, np.ndarray]:
        """The factors ``{factor: A_f}`` of a Lie-algebra element A = sum_f I ⊗ A_f ⊗ I (d, d)
        (or a dict). A Kronecker sum fixes its terms up to multiples of the identity that sum
        to zero: each term is made traceless except on the first factor whose algebra has a
        trace (e.g. ``Scaling``, ``GL``); factors without a Lie algebra get zero."""
        if isinstance(A, dict):
            return self._check_parts(A)
        if isinstance(A, KronMatrix) and A.Ms is not None and len(A.Ms) == len(self._factors):
            return self._check_parts(dict(zip(self._factors, A.Ms)))
        A = _as_element(A)
        if A.shape != (self.d, self.d):
            raise ValueError(
                f"Lie-algebra element of {self} must be a ({self.d}, {self.d}) Kronecker sum or a "
                f"dict {{factor: matrix}}; got shape {A.shape}"
            )
        dims = [f.d for f in self._factors]
        T = A.reshape(dims + dims)
        k = len(dims)
        parts, total_trace = [], 0.0
        for i, f in enumerate(self._factors):
            others = [j for j in range(k) if j != i]
            B = T
            for j in sorted(others, reverse=True):  # partial trace over the other factors
                B = np.trace(B, axis1=j, axis2=j + B.ndim // 2)
            B = B / math.prod(dims[j] for j in others)
            tr = np.trace(B) / f.d  # sum_g tr(A_g) / d_g: the same scalar for every factor
            total_trace = tr
            parts.append(B - tr * np.eye(f.d))
        traced = [i for i, f in enumerate(self._factors) if any(abs(np.trace(a)) > 1e-10 for a in f.lie_algebra)]
        if traced:
            i = traced[0]
            parts[i] = parts[i] + total_trace * np.eye(dims[i])
        out = dict(zip(self._factors, parts))
        rebuilt = self.element(out, lie=True)
        err = np.abs(rebuilt - A).max()
        if err > 1e-8 * max(1.0, np.abs(A).max()):
            raise ValueError(
                f"the ({self.d}, {self.d}) matrix is not a Kronecker sum of Lie-algebra elements of the "
                f"factors of {self} (residual {err:.2e}); pass a dict {{factor: matrix}}"
            )
        return {f: m for f, m in out.items() if len(f.lie_algebra) or np.abs(m).max() > 1e-12}

    def _normalise(self, parts: list[np.ndarray]) -> list[np.ndarray]:
        """Scale the rank-one factors (whose Kronecker product is g) to elements of their groups.

        Per factor: a real factor of a complex g first loses the common phase of its entries;
        complex factors with det 1 (SU(n)) are scaled to det 1 (a d-th root of unity left to
        choose), unimodular real ones to |det| = 1, others to RMS singular value 1 (scale free);
        permutation factors to a nonnegative sum, odd-d positive-determinant ones to det > 0
        (else the sign is free). The scalar left over goes to the first free factor that can
        take it (a complex factor any scalar, a real one a real scalar), after choosing the
        roots of unity of the det-1 complex factors (``1`` first)."""
        total: complex = 1.0
        free: list[int] = []
        roots: list[int] = []
        for i, (f, m) in enumerate(zip(self._factors, parts)):
            if np.iscomplexobj(m) and not f.is_complex:
                k = int(np.argmax(np.abs(m)))
                phase = m.flat[k] / abs(m.flat[k]) if abs(m.flat[k]) > 0 else 1.0
                m = m / phase
                total /= phase
                if np.abs(m.imag).max() <= 1e-10 * max(np.abs(m).max(), 1e-300):
                    m = m.real.copy()
            det = np.linalg.det(m)
            special = f.is_complex and _det_one(f)
            if special and abs(det) > 0:
                c = complex(det) ** (-1.0 / f.d)  # det(c m) = 1
                roots.append(i)
            elif f.is_unimodular and abs(det) > 0:
                c = abs(det) ** (-1.0 / f.d)
            else:
                c = np.linalg.norm(m) / np.sqrt(f.d) if np.linalg.norm(m) > 0 else 1.0
                c = 1.0 / c
                free.append(i)
            sign = 0.0
            if f.is_permutation:
                sign = np.sign(m.sum().real)
            elif f.has_positive_determinants and f.d % 2 == 1:
                sign = np.sign(det.real)
            elif special:
                sign = 1.0
            if sign == 0.0:
                sign = 1.0
                if i not in free:
                    free.append(i)
            parts[i] = m * c * sign
            total *= c * sign
        # now kron(parts) = total * g: choose roots of unity, then give the rest to a free factor
        combos = itertools.islice(itertools.product(*[range(self._factors[i].d) for i in roots]), 100_000)
        for ks in combos:
            omega = [np.exp(2j * np.pi * k / self._factors[i].d) for i, k in zip(roots, ks)]
            t = total * math.prod(omega) if omega else total
            target = None
            if abs(t - 1) < 1e-8:
                target = (None, 1.0)
            else:
                for j in free:
                    if self._factors[j].is_complex or np.iscomplexobj(parts[j]):
                        target = (j, t)
                        break
                    if abs(np.imag(t)) <= 1e-10 * abs(t):
                        target = (j, float(np.real(t)))
                        break
            if target is None:
                continue
            for i, w in zip(roots, omega):
                parts[i] = parts[i] * w
            j, t = target
            if j is not None:
                parts[j] = parts[j] / t
            break
        out = []
        for f, p in zip(self._factors, parts):
            if np.iscomplexobj(p) and not f.is_complex:  # a real factor must come out real
                if np.abs(p.imag).max() > 1e-8 * max(np.abs(p).max(), 1.0):
                    raise ValueError(
                        f"the element of {self} has a complex factor for the real group {f} (imaginary "
                        f"part {np.abs(p.imag).max():.2e}); pass a dict {{factor: matrix}}"
                    )
                p = p.real.copy()
            out.append(p)
        return out

    def _check_parts(self, g: dict) -> dict:
        out = {}
        for f, m in g.items():
            if f not in self._factors:
                raise ValueError(f"{f} is not a factor of {self} (factors: {', '.join(map(str, self._factors))})")
            m = _as_element(m)
            if m.shape != (f.d, f.d):
                raise ValueError(f"the element of factor {f} must be ({f.d}, {f.d}), got {m.shape}")
            out[f] = m
        return out

    def samples(self, N: int, seed: int = 0) -> np.ndarray:
        """N elements (N, d, d): Kronecker products of independent samples of the factors
        (EMLP's convention). Use :meth:`samples_by_factor` to keep them apart."""
        self._check_dense(N, "samples")
        per = self.samples_by_factor(N, seed)
        return np.array([_kron_all([per[f][k] for f in self._factors]) for k in range(N)]).reshape(N, self.d, self.d)

    def samples_by_factor(self, N: int, seed: int = 0) -> dict[Group, np.ndarray]:
        """``{factor: (N, d_f, d_f)}`` independent samples of each factor."""
        return {f: f.samples(N, seed + 7919 * i) for i, f in enumerate(self._factors)}

    def __repr__(self):
        return f"({self.name})" if self.label is None else f"({self.name})[{self.label}]"
