"""verify.* on complex groups (U(n), SU(n), products with them): everything in complex
arithmetic, a correct basis passes, a perturbed one fails with a witness, and nothing complex
is cast to real (an imaginary-only error must be seen)."""

import importlib
import warnings

import numpy as np
import pytest

from eqsolve import verify
from eqsolve.groups import SU, U, S
from eqsolve.reps import T, V
from eqsolve.verify.report import ColumnWitness, DependenceWitness, MissingInvariantWitness
from theory import unitary_tensor

eqmod = importlib.import_module("eqsolve.verify.equivariance")  # the module (the package exports the function)


@pytest.fixture(autouse=True)
def _no_complex_casts():
    """Any numpy ComplexWarning (an imaginary part dropped) fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        yield


def _rand_c(rng, *shape):
    return (rng.normal(size=shape) + 1j * rng.normal(size=shape)) / np.sqrt(2)


CASES = [  # (group, p, q, special) : T(p, q) with an independent Schur-Weyl count
    (SU(2), 2, 0, True),
    (SU(2), 4, 0, True),
    (SU(3), 3, 0, True),
    (SU(3), 2, 1, True),
    (U(2), 2, 2, False),
    (U(3), 1, 1, False),
    (U(2), 2, 0, False),
]


@pytest.mark.parametrize("G,p,q,special", CASES)
def test_solved_complex_basis_passes_with_schur_weyl_dimension(G, p, q, special):
    rep = T(p, q, G)
    B = rep.equivariant_basis()
    expect = unitary_tensor(G.d, p, q, special)
    assert B.dim == expect
    report = verify.basis(B)
    assert report.passed, str(report)
    assert report.expected == {"schur-weyl": expect, "dense-svd": expect}  # verify's own count and the SVD
    assert verify.equivariance(B).passed
    # group elements stay complex: the samples are unitary, not their real parts
    els = eqmod.group_elements(G, 2)
    mats = [el.matrix(G) for el in els if el.kind == "sample"]
    assert all(np.iscomplexobj(g) and np.allclose(g.conj().T @ g, np.eye(G.d)) for g in mats)


def test_complex_basis_orthonormality_is_hermitian():
    # a basis multiplied by a phase is still an orthonormal basis (Q^H Q = I, but Q^T Q = -I)
    B = T(1, 1, SU(3)).equivariant_basis()
    Q = 1j * B.dense()
    report = verify.basis(Q, T(1, 1, SU(3)))
    assert report.passed, str(report)
    assert report.orthonormality_error < 1e-12


def test_perturbed_complex_basis_fails_with_column_witness():
    G = SU(2)
    rep = T(4, 0, G)
    Q = rep.equivariant_basis().dense().copy()
    Q[:, 1] += 1e-3j * np.random.default_rng(0).normal(size=Q.shape[0])  # imaginary-only error
    report = verify.basis(Q, rep)
    assert not report.passed
    assert isinstance(report.bad_column, ColumnWitness) and report.bad_column.column == 1
    assert report.invariance_error > 1e-5
    # the witness element really breaks the column (recomputed independently)
    el = report.bad_column.element
    g = el.matrix(G)
    q = Q[:, 1]
    res = rep.drho(g) @ q if el.kind == "lie" else rep.rho(g) @ q - q
    assert np.linalg.norm(res) > 1e-6


def test_missing_and_dependent_complex_columns_have_witnesses():
    rep = T(2, 2, U(2))
    Q = rep.equivariant_basis().dense()
    assert Q.shape[1] == unitary_tensor(2, 2, 2) == 2
    miss = verify.basis(Q[:, :1], rep)
    assert not miss.passed and isinstance(miss.missing, MissingInvariantWitness)
    v = miss.missing.vector
    assert miss.missing.distance > 0.5 and miss.missing.residual < 1e-8
    # the witness is invariant in complex arithmetic and orthogonal (Hermitian) to the kept column
    assert abs(np.vdot(Q[:, 0], v)) < 1e-8
    dup = np.concatenate([Q, np.exp(0.3j) * Q[:, :1]], axis=1)
    rep_dup = verify.basis(dup, rep)
    assert not rep_dup.passed and isinstance(rep_dup.dependence, DependenceWitness)
    assert rep_dup.dependence.norm < 1e-8


def test_imaginary_error_in_W_is_seen():
    G = U(2)
    rin, rout = V(G), V(G)
    rng = np.random.default_rng(1)
    W_ok = (0.3 - 1.2j) * np.eye(2)  # complex multiples of the identity are equivariant
    assert verify.equivariance(W_ok, rin, rout).passed
    E = np.array([[0.0, 1.0], [0.0, 0.0]])
    report = verify.equivariance(W_ok + 1j * E, rin, rout)  # cast to real it would pass
    assert not report.passed and report.worst_error > 0.1
    assert report.check("W commutes with random").witness is not None
    # maps V -> V* of U(2): none (V* is the conjugate rep); SU(2): the 2x2 epsilon
    W = _rand_c(rng, 2, 2)
    assert not verify.equivariance(W, V(G), V(G).T).passed
    eps = np.array([[0.0, 1.0], [-1.0, 0.0]])
    assert verify.equivariance(eps, V(SU(2)), V(SU(2)).T).passed


def test_function_check_uses_complex_inputs():
    G = SU(3)
    rin, rout = V(G), V(G)
    c = 0.7 + 0.4j

    def f(x):
        return c * x

    def real_part_only(x):  # equivariant for real inputs only: drops the imaginary part
        return c * x.real

    assert verify.equivariance(f, rin, rout).passed
    report = verify.equivariance(real_part_only, rin, rout)
    assert not report.passed and report.worst_error > 0.1


def test_matrix_free_action_matches_dense(monkeypatch):
    """Reps above DENSE_ACTION_MAX are acted on per monomial (no dense rho): same errors."""
    G = SU(2) * S(3)
    rep = V(G) >> V(G)
    B = rep.equivariant_basis()
    dense = verify.basis(B)
    rng = np.random.default_rng(3)
    W = B.apply(_rand_c(rng, B.dim)).reshape(6, 6)
    bad = W + 1e-3j * rng.normal(size=(6, 6))
    w_dense = verify.equivariance(W, V(G), V(G))
    bad_dense = verify.equivariance(bad, V(G), V(G))
    monkeypatch.setattr(eqmod, "DENSE_ACTION_MAX", 0)
    lazy = verify.basis(B)
    assert dense.passed and lazy.passed
    assert verify.equivariance(W, V(G), V(G)).passed and w_dense.passed
    bad_lazy = verify.equivariance(bad, V(G), V(G))
    assert not bad_lazy.passed and not bad_dense.passed
    assert np.isclose(bad_lazy.worst_error, bad_dense.worst_error, rtol=1e-6)


@pytest.mark.parametrize(
    "G,rep_of,expect",
    [
        # the invariant count of a product group's rep is the product of the factors' counts
        (U(2) * SU(2), lambda G: T(2, 2, G), unitary_tensor(2, 2, 2) * unitary_tensor(2, 4, 0, True)),
        (SU(2) * S(3), lambda G: V(G) >> V(G), unitary_tensor(2, 1, 1, True) * 2),  # S(3): V -> V has 2
        (SU(2) * S(3), lambda G: T(2, 0, G), unitary_tensor(2, 2, 0, True) * 2),
        (SU(3) * U(1), lambda G: T(3, 0, G), unitary_tensor(3, 3, 0, True) * unitary_tensor(1, 3, 0)),
    ],
)
def test_products_with_complex_factors_verify(G, rep_of, expect):
    rep = rep_of(G)
    B = rep.equivariant_basis()
    assert B.dim == expect
    report = verify.basis(B)
    assert report.passed, str(report)
    assert report.expected == {"schur-weyl": expect, "dense-svd": expect}
    # functions of the product's defining rep: x -> c x commutes, x -> conj(x) does not
    assert verify.equivariance(lambda x: (0.5 - 2j) * x, V(G), V(G)).passed
    assert not verify.equivariance(np.conj, V(G), V(G)).passed


def test_schur_weyl_count_alone_catches_a_short_basis():
    # SU(3) T(4, 1): (2,1,1) is (1) plus a column of height 3: f = 3 invariants (dense SVD also 3)
    from eqsolve.verify.maximality import schur_weyl_count

    rep = T(4, 1, SU(3))
    assert schur_weyl_count(rep) == unitary_tensor(3, 4, 1, True) == 3
    Q = rep.equivariant_basis().dense()
    report = verify.basis(Q[:, :2], rep, count="schur-weyl")
    assert not report.passed and report.expected == {"schur-weyl": 3}
    assert report.check("(iii)").measured == "2 vs 3"
    assert schur_weyl_count(T(2, 0, SU(2) * S(3))) == 2 and schur_weyl_count(T(2, 0, S(3))) is None


def test_permutation_group_refuses_complex_groups():
    with pytest.raises(TypeError, match=r"SU\(2\)"):
        verify.permutation_group(SU(2))


def test_cli_verifies_complex_groups(capsys):
    from eqsolve.cli import main
    from eqsolve.parse import parse_group

    G = parse_group("SU(2)xU(2)")
    assert [str(f) for f in G.factors] == ["SU(2)[0]", "U(2)[1]"] and G.is_complex
    assert main(["verify", "basis", "U(2)", "T(2,0)", "T(1,1)"]) == 0
    assert main(["verify", "equivariance", "SU(2)xS(3)", "V", "V"]) == 0
    out = capsys.readouterr().out
    assert "complex N(0,1) coefficients" in out and "ALL CLAIMS HOLD" in out
