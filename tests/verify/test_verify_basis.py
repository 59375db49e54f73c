"""verify.basis: correct bases pass; dropped, extra and perturbed elements fail with witnesses."""

import numpy as np
import pytest

from eqsolve import verify
from eqsolve.groups import DihedralPerm, Lorentz, RubiksCube, S, SO, Z
from eqsolve.reps import Scalar, T, V
from eqsolve.verify.maximality import burnside_count, orbit_count, sn_fixed_point_moment


def _product():
    X = V(S(3, label="r")) * V(S(4, label="c"))
    return X >> X


CORRECT = {
    "S(4) T2->T2": lambda: (T(2) >> T(2))(S(4)),
    "S(3)xS(4)": _product,
    "Z(5) T2->T1": lambda: (T(2) >> T(1))(Z(5)),
    "DihedralPerm(4) sum": lambda: (2 * V**2 + V >> V)(DihedralPerm(4)),
    "Rubik V->V": lambda: (V >> V)(RubiksCube()),
    "SO(3) T2->T2": lambda: (T(2) >> T(2))(SO(3)),
    "Lorentz T2->T0": lambda: T(2, G=Lorentz()) >> Scalar(Lorentz()),
    "Lorentz V->V": lambda: (V >> V)(Lorentz()),
}


@pytest.mark.parametrize("name", list(CORRECT))
def test_correct_bases_pass(name):
    rep = CORRECT[name]()
    report = verify.basis(rep)
    assert report.passed, str(report)
    assert report.expected, "an independent count must have run"
    assert all(v == report.dim for v in report.expected.values())
    assert report.missing is None and report.bad_column is None
    assert "ALL CLAIMS HOLD" in str(report)


def _gen_mats(rep):
    G = rep.G
    return [g for g in G.discrete_generators], [A for A in G.lie_algebra]


def _is_invariant(rep, v, tol=1e-8):
    """Independent check with the public dense rho/drho of the generators."""
    gens, lie = _gen_mats(rep)
    errs = [np.linalg.norm(rep.rho(g) @ v - v) for g in gens] + [np.linalg.norm(rep.drho(A) @ v) for A in lie]
    return max(errs, default=0.0) <= tol * max(1.0, np.linalg.norm(v))


@pytest.mark.parametrize("name", ["S(4) T2->T2", "SO(3) T2->T2", "Rubik V->V", "S(3)xS(4)", "Lorentz V->V"])
def test_dropped_element_is_found(name):
    rep = CORRECT[name]()
    Q = rep.equivariant_basis().dense()
    report = verify.basis(Q[:, 1:], rep)
    assert not report.passed
    assert report.check("(iii)").passed is False
    w = report.missing
    assert w is not None and w.distance > 0.5
    # the witness really is invariant and really outside the span
    assert _is_invariant(rep, w.vector)
    Qd = Q[:, 1:]
    assert np.linalg.norm(w.vector - Qd @ (Qd.T @ w.vector)) > 0.5
    assert "witness" in str(report)


@pytest.mark.parametrize("name", ["S(4) T2->T2", "Z(5) T2->T1", "SO(3) T2->T2"])
def test_extra_element_is_rejected(name):
    rep = CORRECT[name]()
    Q = rep.equivariant_basis().dense()
    rng = np.random.default_rng(1)
    extra = rng.normal(size=Q.shape[0])
    extra -= Q @ (Q.T @ extra)
    extra /= np.linalg.norm(extra)
    report = verify.basis(np.concatenate([Q, extra[:, None]], axis=1), rep)
    assert not report.passed
    bad = report.bad_column
    assert bad is not None and bad.column == Q.shape[1]
    # the witness element breaks that column, recomputed independently
    g = bad.element.matrix(rep.G)
    v = extra
    if bad.element.kind == "lie":
        assert np.linalg.norm(rep.drho(g) @ v) > 1e-3
    else:
        assert np.linalg.norm(rep.rho(g) @ v - v) > 1e-3
    assert report.check("(iii)").passed is False


def test_perturbed_element_is_rejected():
    rep = CORRECT["S(4) T2->T2"]()
    Q = rep.equivariant_basis().dense().copy()
    Q[5, 3] += 0.05
    report = verify.basis(Q, rep)
    assert not report.passed
    assert report.bad_column.column == 3
    assert report.invariance_error > 1e-3
    g = report.bad_column.element.matrix(rep.G)
    assert np.linalg.norm(rep.rho(g) @ Q[:, 3] - Q[:, 3]) > 1e-3


def test_dependent_columns_are_rejected():
    rep = CORRECT["Z(5) T2->T1"]()
    Q = rep.equivariant_basis().dense()
    Qd = np.concatenate([Q, (Q[:, :1] + Q[:, 1:2]) / np.sqrt(2)], axis=1)
    report = verify.basis(Qd, rep)
    assert report.check("(ii) columns are independent").passed is False
    dep = report.dependence
    assert dep is not None and np.linalg.norm(Qd @ dep.coefficients) < 1e-8


def test_burnside_matches_bell_and_orbits():
    bell_restricted = {
        (4, 2): 15,
        (3, 2): 14,
        (2, 2): 8,
        (5, 1): 2,
        (5, 3): 202,
        (6, 3): 203,
    }  # Bell(6) = 203, one partition has 6 blocks
    for (n, k), want in bell_restricted.items():
        rep = (T(k) >> T(k))(S(n)) if k <= 2 else T(2 * k, G=S(n))
        assert burnside_count(rep) == want, (n, k)
    assert sn_fixed_point_moment(1000, 4) == 15  # S(1000), closed form, no enumeration
    for rep in [(T(2) >> T(1))(Z(6)), (V**2 >> V)(DihedralPerm(5)), (T(1) >> T(1))(RubiksCube())]:
        o = orbit_count(rep)
        b = burnside_count(rep)
        assert b is None or b == o
        assert o == rep.equivariant_basis().dim


def test_brauer_matchings_for_O_n():
    from eqsolve.groups import O
    from eqsolve.verify.maximality import matching_count

    for n, (a, b), want in [(4, (2, 2), 3), (5, (3, 1), 3), (4, (2, 1), 0), (6, (3, 3), 15)]:
        rep = T(a, G=O(n)) >> T(b, G=O(n))
        assert matching_count(rep) == want
    report = verify.basis(T(2, G=O(4)) >> T(2, G=O(4)))
    assert report.passed and report.expected["matchings"] == report.expected["dense-svd"] == 3


def test_scalar_and_mixed_groups():
    assert verify.basis(Scalar(S(3)) >> Scalar(S(3))).passed
    mixed = V(S(3)) * V(SO(3))
    report = verify.basis(mixed >> mixed)
    assert report.passed and report.dim == 2


def test_sn_closed_form_matches_enumeration():
    from fractions import Fraction
    from eqsolve.verify.maximality import _fixed_point_histogram

    for n in range(1, 6):
        hist = _fixed_point_histogram(S(n))
        total = sum(c for _, c in hist)
        for k in range(5):
            assert Fraction(sum(c * j**k for j, c in hist), total) == sn_fixed_point_moment(n, k)


def test_verify_imports_no_edge_modules():
    import subprocess
    import sys

    code = (
        "import sys, eqsolve.verify, eqsolve.parse; "
        "bad = [m for m in ('matplotlib', 'jax', 'flax') if m in sys.modules]; print(bad); assert not bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_burnside_on_direct_sum_of_factors():
    from eqsolve.parse import parse_group, parse_rep

    G = parse_group("S(3)xZ(4)")
    # the explicit sum form: the 7 points of both factors (V alone is the 12-point tensor product, as in EMLP)
    rep = parse_rep("(V@0+V@1)**2", G) >> parse_rep("V@0+V@1", G)
    report = verify.basis(rep)
    assert report.passed and report.expected["burnside"] == report.expected["dense-svd"] == 39
