"""Direct products with complex factors (U(n), SU(n)): elements, splits and Lie splits stay
complex, factors come back as elements of their groups, and reps of the product act right."""

import warnings

import numpy as np
import pytest

from eqsolve.groups import O, S, SO, SU, U, Z
from eqsolve.reps import T, V

PRODUCTS = [
    U(2) * SU(2),
    SU(2) * S(3),
    SU(2) * SU(3),
    SU(3) * O(2),
    U(2) * SO(3),
    SU(2) * U(3) * Z(3),
    SU(2) * SU(2, label="b"),
]


def _in_group(f, m) -> bool:
    if f.is_complex:
        ok = np.allclose(m.conj().T @ m, np.eye(f.d), atol=1e-10)
        return ok and (not str(f).startswith("SU") or np.isclose(np.linalg.det(m), 1))
    return not np.iscomplexobj(m) and np.allclose(m @ m.T, np.eye(f.d), atol=1e-10)


@pytest.mark.parametrize("H", PRODUCTS, ids=str)
def test_split_of_complex_kronecker_products(H):
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        assert H.is_complex
        g = H.samples(4, seed=3)
        assert np.iscomplexobj(g) and g.shape == (4, H.d, H.d)
        for k in range(4):
            parts = H.split(np.asarray(g[k]))
            assert all(_in_group(f, m) for f, m in parts.items())
            assert np.abs(H.element(parts) - g[k]).max() < 1e-12
        rng = np.random.default_rng(0)
        A = {
            f: np.einsum("k,kij->ij", rng.normal(size=len(f.lie_algebra)), f.lie_algebra)
            for f in H.factors
            if len(f.lie_algebra)
        }
        Al = H.element(A, lie=True)
        back = H.split_lie(np.asarray(Al))
        for f, a in A.items():  # unique here: at most one factor (U(n)) has a trace
            assert np.abs(back[f] - a).max() < 1e-12


def test_split_fixes_su_roots_of_unity():
    # -g2 is not in SU(3): (-g1) ⊗ (-g2) = g1 ⊗ g2 must split into (±g1, g2) with det g2 = 1
    H = SU(2) * SU(3)
    f2, f3 = H.factors
    g1, g2 = SU(2).sample(1), SU(3).sample(2)
    rep3 = T(3, 0, SU(3))
    eps = rep3.equivariant_basis().dense()[:, 0]  # the Levi-Civita tensor: odd under -I
    assert np.allclose(rep3.rho(-g2) @ eps, -eps)
    for s in (1, -1):
        parts = H.split(np.kron(s * g1, s * g2))
        assert np.isclose(np.linalg.det(parts[f3]), 1) and np.isclose(np.linalg.det(parts[f2]), 1)
        assert np.allclose(np.kron(parts[f2], parts[f3]), np.kron(g1, g2))
        assert np.allclose(rep3.rho(parts[f3]) @ eps, eps)  # the SU(3) factor is in SU(3)


def test_reps_of_product_act_by_the_split_factors():
    H = SU(2) * SU(3)
    rep = V(H) * V(H) * V(H)  # (V2 ⊗ V3)^{⊗3}
    g = H.samples(1, seed=5)[0]
    parts = H.split(g)
    assert np.allclose(rep.rho(g), rep.rho(parts))
    # a complex element that is not a Kronecker product is refused by name
    with pytest.raises(ValueError, match="not a Kronecker product"):
        H.split(g + 0.1j * np.eye(H.d))
    with pytest.raises(ValueError, match=r"complex factor for the real group O\(2\)"):
        (SU(2) * O(2)).split(np.kron(SU(2).sample(0), np.array([[1, 1j], [0, 1]])))
    # a phase on the real factor moves to the complex one only if it keeps it in SU(2): e^{0.3i} cannot
    with pytest.raises(ValueError, match="not a Kronecker product"):
        (SU(2) * O(2)).split(np.kron(SU(2).sample(0), np.exp(0.3j) * np.eye(2)))
    # U(2) takes any phase
    parts = (U(2) * O(2)).split(np.kron(U(2).sample(0), np.exp(0.3j) * np.eye(2)))
    assert not np.iscomplexobj(parts[O(2)]) and np.allclose(np.abs(parts[O(2)]), np.eye(2))


def test_split_lie_keeps_one_trace():
    # regression: the scalar part of a Kronecker sum was added once per factor
    from eqsolve.groups import GL

    H = GL(2) * SO(3)
    a = np.array([[1.0, 2.0], [0.5, 3.0]])  # trace 4
    b = SO(3).lie_algebra[1]
    back = H.split_lie(np.asarray(H.element({H.factors[0]: a, H.factors[1]: b}, lie=True)))
    assert np.allclose(back[H.factors[0]], a) and np.allclose(back[H.factors[1]], b)
