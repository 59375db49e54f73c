"""The math of EMLP's tutorial notebooks (docs/notebooks in mfinzi/equivariant-MLP: quickstart,
new groups, new representations, mixed tensors, multilinear maps) with the shapes the notebooks
print, written with eqsolve's names. Plots are left out; what they show is checked as numbers."""

import numpy as np
import pytest

from eqsolve.groups import C, Group, O, RubiksCube, S, SO, Z
from eqsolve.reps import Rep, Scalar, T, V, sparsify_basis


def rel_err(a, b):
    return np.sqrt(((a - b) ** 2).mean()) / (np.sqrt((a**2).mean()) + np.sqrt((b**2).mean()))


# ------------------------------------------------------------------ 1 quickstart
def test_quickstart():
    G = Z(4)
    rep = V(G)
    g = G.sample()
    v = np.random.default_rng(0).normal(size=rep.size())
    assert np.allclose(np.sort(rep.rho(g) @ v), np.sort(v))  # rho(g) permutes the entries
    Q = V(Z(5)).equivariant_basis()
    assert Q.shape == (5, 1) and np.allclose(np.abs(np.asarray(Q)), 1 / np.sqrt(5))
    assert (V(Z(6)) >> V(Z(6))).equivariant_basis().shape == (36, 6)  # circulant convolutions
    assert (V(S(6)) >> V(S(6))).equivariant_basis().shape == (36, 2)  # Deep Sets
    assert (V(S(6)) ** 2 >> V(S(6)) ** 2).equivariant_basis().shape == (1296, 15)  # graph layers
    W = V(SO(3))
    Q = (W**2 >> W).equivariant_basis()
    assert Q.shape == (27, 1)
    eps = np.zeros((3, 3, 3))
    eps[0, 1, 2] = eps[1, 2, 0] = eps[2, 0, 1] = 1
    eps[0, 2, 1] = eps[2, 1, 0] = eps[1, 0, 2] = -1
    assert np.array_equal(sparsify_basis(Q).reshape(3, 3, 3), eps)  # the notebook's printed tensor
    assert (V(Z(3) * Z(4)) >> V(Z(3) * Z(4))).equivariant_basis().shape == (144, 12)  # 2-D convolutions
    Ws = V(S(6))
    assert (Ws + Ws**2 >> Ws).equivariant_basis().shape == (252, 7)
    repin = 100 * Ws**0 + 100 * Ws + 20 * Ws**2
    rep_map = repin >> repin
    assert rep_map.size() == 2016400
    assert rep_map.equivariant_basis().shape == (2016400, 84000)
    # the notebook then projects a random vector onto the equivariant maps (P @ v, 48,400 blocks)
    P = rep_map.equivariant_projector()
    v = np.random.default_rng(1).normal(size=P.shape[-1])
    Pv = P @ v
    Q = rep_map.equivariant_basis()
    assert np.abs((v - Pv) @ Q).max() < 1e-9  # v - Pv is orthogonal to every basis vector
    assert np.allclose(Pv, Q @ (v @ Q))


def test_quickstart_type_system():
    G = O(4)
    assert 2 * V(G) ** 3 == (2 * V**3)(G)
    assert V(SO(3)).T == V(SO(3))
    from eqsolve.groups import SO13

    assert V(SO13()).T != V(SO13())
    assert (5 * V * 2)(S(3)).size() == 30 and (2 * V**3)(S(3)).size() == 54


# ------------------------------------------------------------------ 3 new groups
class Alt(Group):
    """The alternating group in n dimensions (the notebook's class, verbatim)."""

    def __init__(self, n):
        assert n > 2
        self.discrete_generators = np.zeros((n - 2, n, n)) + np.eye(n)
        for i in range(n - 2):
            ids = (0, 1, i + 2)
            permed_ids = np.roll(ids, 1)
            self.discrete_generators[i, ids] = self.discrete_generators[i, permed_ids]
        super().__init__(n)


class MySO(Group):
    def __init__(self, n):
        """The special orthogonal group SO(n) in n dimensions (the notebook's class)."""
        self.lie_algebra = np.zeros(((n * (n - 1)) // 2, n, n))
        k = 0
        for i in range(n):
            for j in range(i):
                self.lie_algebra[k, i, j] = 1
                self.lie_algebra[k, j, i] = -1
                k += 1
        super().__init__(n)


class MyO(MySO):
    def __init__(self, n):
        """The Orthogonal group O(n) in n dimensions (the notebook's class)."""
        self.discrete_generators = np.eye(n)[None]
        self.discrete_generators[0, 0, 0] = -1
        super().__init__(n)


def test_new_groups():
    assert T(5)(Alt(5)).equivariant_basis().shape == (3125, 63)
    assert T(5)(S(5)).equivariant_basis().shape == (3125, 52)
    G = Alt(5)
    assert G.is_permutation and str(G) == "Alt(5)"
    rep = T(5)(G)
    Q = np.asarray(rep.equivariant_basis())
    gQ = rep.rho(G.sample()) @ Q
    assert rel_err(Q, gQ) < 1e-6
    # user SO(3): V^3 -> V^2 (T5) has solutions; user O(3) has none (odd parity)
    assert (
        (V(MySO(3)) ** 3 >> V(MySO(3)) ** 2).equivariant_basis().dim
        == (V(SO(3)) ** 3 >> V(SO(3)) ** 2).equivariant_basis().dim
        > 0
    )
    assert (V(MyO(3)) ** 3 >> V(MyO(3)) ** 2).equivariant_basis().dim == 0
    assert MyO(3).discrete_generators.shape == (1, 3, 3) and len(MyO(3).lie_algebra) == 3


# ------------------------------------------------------------- 4 new representations
class SO2Irreps(Rep):
    def __init__(self, order):
        assert order > 0, "Use Scalar for psi_0"
        self.G = SO(2)
        self.order = order

    def rho(self, M):
        return np.linalg.matrix_power(M, self.order)


class PseudoScalar(Rep):
    def __init__(self, G=None):
        self.G = G

    def __str__(self):
        return "P"

    def rho(self, M):
        sign = np.linalg.slogdet(M @ np.eye(M.shape[0]))[0]
        return sign * np.eye(1)

    def __call__(self, G):
        return PseudoScalar(G)


def test_new_representations():
    psi1, psi2, psi3 = SO2Irreps(1), SO2Irreps(2), SO2Irreps(3)
    for a, b in ((psi1, psi2), (psi2, psi3), (psi1, psi3)):
        assert (a >> b).equivariant_basis().dim == 0  # Schur's lemma
    Q = (V(SO(2)) ** 4 >> psi2).equivariant_basis()
    assert Q.shape[-1] == 8
    assert str((PseudoScalar() + V * PseudoScalar())(S(4))) == "P+V[S(4)]⊗P"
    G = S(4)
    P, W = PseudoScalar(G), V(G)
    pv = P * W
    g = G.discrete_generators[0]  # odd
    assert np.allclose(pv.rho_dense(g), -W.rho_dense(g))
    rin, rout = P * W**2, W**2
    Q = np.asarray((rin >> rout).equivariant_basis())
    for h in G.samples(5, seed=2):
        Wm = Q.reshape(rout.size(), rin.size(), -1)
        assert np.abs(np.einsum("ij,jkr->ikr", rout.rho(h), Wm) - np.einsum("ijr,jk->ikr", Wm, rin.rho(h))).max() < 1e-8
    assert (psi2 >> PseudoScalar(SO(2)) * V(SO(2)) ** 2).equivariant_basis().shape == (8, 2)


# ----------------------------------------------------------------- 5 mixed tensors
def test_mixed_tensors():
    repin, repout = T(1)(SO(3)) * T(2)(S(4)), T(2)(SO(3)) * T(1)(S(4))
    # SO(3): V -> V^2 has the Levi-Civita tensor (1); S(4): V^2 -> V has 5 maps
    assert (repin >> repout).equivariant_basis().dim == 1 * 5
    rep = 2 * T(1)(Z(3)) * T(1)(S(4)) + T(2)(SO(3))
    # 4 blocks Z3 x S4 -> Z3 x S4 (3 * 2 each), SO(3) T2 -> T2 (3), and 4 cross blocks 1 (x) identity
    assert (rep >> rep).equivariant_basis().dim == 4 * 3 * 2 + 3 + 4 * 1
    X = V(Z(3)) * V(S(4))
    assert (X >> X).equivariant_basis().dim == 3 * 2  # circulant (x) Deep Sets
    assert (X >> T(2)(SO(3))).equivariant_basis().dim == 1  # the vector 1 (x) the identity matrix


# ---------------------------------------------------------------- 6 multilinear maps
def test_multilinear_maps():
    G = SO(4)
    W = V(G)
    R1 = 3 * W + W**2
    R2 = W.T + W**0
    R3 = W**0 + W**2 + W
    Q = (R1 >> (R2 >> R3)).equivariant_basis()
    assert Q.shape == (2940, 27)
    example_map = (Q @ np.random.default_rng(0).normal(size=Q.shape[-1])).reshape(R3.size(), R2.size(), R1.size())
    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(size=R1.size()), rng.normal(size=R2.size())
    g = G.sample()
    out1 = np.einsum("ijk,j,k", example_map, R2.rho(g) @ x2, R1.rho(g) @ x1)
    out2 = R3.rho(g) @ np.einsum("ijk,j,k", example_map, x2, x1)
    assert rel_err(out1, out2) < 1e-6
    assert R3 << R2 << R1 == (R1 >> (R2 >> R3))


def test_rubiks_cube_basis_runs():
    assert (V(RubiksCube()) >> V(RubiksCube())).equivariant_basis().dim == 9  # see tests/groups/test_rubik.py
    assert C(4).d == 2 and Scalar(S(3)).size() == 1
