"""A user's Rep subclass that defines only ``rho`` (EMLP's "new representations" tutorial):
SO(2) irreps and pseudoscalars solve, verify and run in layers like built-in reps."""

import itertools

import numpy as np
import pytest

from eqsolve import verify
from eqsolve.groups import S, SO
from eqsolve.reps import Rep, Scalar, V


class SO2Irreps(Rep):
    """Real irreps psi_k of SO(2): rho(M) = M^k (only rho defined; drho is derived)."""

    def __init__(self, order):
        assert order > 0
        self.G = SO(2)
        self.order = order

    def rho(self, M):
        return np.linalg.matrix_power(M, self.order)

    def __str__(self):
        return f"psi{self.order}"


class PseudoScalar(Rep):
    """sign(det g): -1 on odd permutations / reflections."""

    def __init__(self, G=None):
        self.G = G

    def rho(self, M):
        return np.sign(np.linalg.det(M)) * np.eye(1)

    def __call__(self, G):
        return PseudoScalar(G)

    def __str__(self):
        return "P"


def _hom_dim_by_characters(G, rep_in, rep_out):
    """dim Hom_G(rep_in, rep_out) = (1/|G|) sum_g tr rho_out(g) tr rho_in(g^-1), over all of a
    permutation group's elements (independent of the solvers)."""
    from eqsolve.groups import perm_matrix

    total, count = 0.0, 0
    for p in G.sympy_group.generate():
        g = perm_matrix(np.array(p.array_form))
        total += np.trace(rep_out.rho(g)) * np.trace(rep_in.rho(g.T))
        count += 1
    return round(total / count)


def test_so2_irreps_schur_and_tutorial_dimensions():
    psi1, psi2, psi3 = SO2Irreps(1), SO2Irreps(2), SO2Irreps(3)
    assert psi1.size() == 2 and str(psi1 * psi2 + psi3) == "psi1⊗psi2+psi3"
    for a, b in [(psi1, psi2), (psi2, psi3), (psi1, psi3)]:  # Schur: no maps between irreps
        assert (a >> b).equivariant_basis().dim == 0
    assert (psi2 >> psi2).equivariant_basis().dim == 2  # a real irrep of complex type
    W = V(SO(2))
    Wrep = W**4 >> psi2
    Q = Wrep.equivariant_basis()
    assert Q.dim == 8  # the notebook's "r=8 basis elements"
    report = verify.equivariance(Q)
    assert report.passed and report.worst_error < 1e-8
    rep = psi2 >> PseudoScalar(SO(2)) * W**2
    assert rep.equivariant_basis().dense().shape == (8, 2)  # the notebook's (8, 2)


def test_derived_drho_matches_the_exact_one():
    psi3 = SO2Irreps(3)
    A = SO(2).lie_algebra[0]
    # d/dt (e^{tA})^3 at 0 = 3A for the commuting powers
    assert np.abs(psi3.drho_dense(A) - 3 * A).max() < 1e-9


def test_pseudoscalars_of_s4_against_characters():
    G = S(4)
    P = PseudoScalar()
    assert str((P + V * P)(G)) == "P+V[S(4)]⊗P"
    P, W = PseudoScalar(G), V(G)
    pv = P * W
    g = G.discrete_generators[0]  # a transposition: odd
    assert np.allclose(pv.rho_dense(g), -g)
    assert not pv.is_permutation and W.is_permutation
    for rin, rout in [(W**2, pv), (W**2, W), (P * W**2, W**2), (W, pv), (P, Scalar(G))]:
        b = (rin >> rout).equivariant_basis()
        assert b.dim == _hom_dim_by_characters(G, rin, rout), (rin, rout)
        if b.dim:
            assert verify.equivariance(b).passed
    # the pseudo maps differ from the plain ones (V^2 -> V has 5 S(4)-maps, V^2 -> P V has 1)
    assert (W**2 >> W).equivariant_basis().dim == 5
    assert (W**2 >> pv).equivariant_basis().dim == 1


def test_dual_of_a_user_rep_of_a_non_orthogonal_group():
    from eqsolve.groups import Lorentz

    G = Lorentz()
    P = PseudoScalar(G)
    assert P.T != P  # not orthogonal: the dual is a different (here equal-valued) rep
    g = G.samples(1, seed=3)[0]
    assert np.allclose(P.T.rho_dense(g), np.linalg.inv(P.rho_dense(g)).T)
    b = (P * V(G) >> P.T * V(G)).equivariant_basis()
    assert b.dim == 1  # sign^2 = 1: the identity map


def test_user_rep_runs_in_an_equivariant_layer():
    from flax import nnx
    from eqsolve import nn

    G = S(4)
    P, W = PseudoScalar(G), V(G)
    rep_in, rep_out = 2 * W + P * W**2, 3 * (P * W) + Scalar(G)
    layer = nn.Linear(rep_in, rep_out, rngs=nnx.Rngs(0))
    x = np.random.default_rng(0).normal(size=(5, rep_in.size())).astype(np.float32)
    for g in list(G.samples(4, seed=1)) + list(G.discrete_generators):
        lhs = np.asarray(layer(x @ rep_in.rho_dense(g).T.astype(np.float32)))
        rhs = np.asarray(layer(x)) @ rep_out.rho_dense(g).T
        assert np.abs(lhs - rhs).max() < 1e-4 * max(1.0, np.abs(rhs).max())


def test_user_rep_errors_name_the_class():
    class NoRho(Rep):
        def __init__(self):
            self.G = S(3)

    with pytest.raises(TypeError, match="NoRho.*without rho"):
        (NoRho() >> V(S(3))).equivariant_basis(cache=False)

    class Unhashable(SO2Irreps):
        def __init__(self):
            super().__init__(1)
            self.table = {1: 2}

    with pytest.raises(TypeError, match="define a `key`"):
        hash(Unhashable())

    class WrongShape(SO2Irreps):
        def rho(self, M):
            return np.eye(3) if M.shape == (2, 2) and not np.allclose(M, np.eye(2)) else np.eye(2)

    with pytest.raises(ValueError, match=r"WrongShape.rho\(M\) must return a \(2, 2\)"):
        WrongShape(1).rho_dense(SO(2).samples(1, seed=0)[0])


def test_user_reps_compare_by_value():
    assert SO2Irreps(2) == SO2Irreps(2) and SO2Irreps(2) != SO2Irreps(3)
    assert PseudoScalar(S(3)) == PseudoScalar(S(3)) != PseudoScalar(S(4))
    assert len(list(itertools.chain((SO2Irreps(1) + SO2Irreps(1)).monomials))) == 2
