import numpy as np
import pytest

from eqsolve.groups import (
    A,
    DihedralPerm,
    DirectProduct,
    Group,
    Lorentz,
    O,
    Permutation,
    RubiksCube,
    S,
    SO,
    SO13,
    SO13p,
    Sp,
    Trivial,
    Z,
)


def test_orders_of_permutation_groups():
    assert [S(n).order() for n in range(1, 6)] == [1, 2, 6, 24, 120]
    assert A(5).order() == 60 and Z(7).order() == 7 and DihedralPerm(6).order() == 12
    assert RubiksCube().order() == 43252003274489856000
    assert Trivial(4).order() == 1


def test_generators_are_in_the_group_and_preserve_structure():
    eta = np.diag([-1.0, 1, 1, 1])
    for G in (Lorentz(), SO13(), SO13p()):
        for g in G.samples(3):
            assert np.allclose(g.T @ eta @ g, eta, atol=1e-8)
    J = np.block([[np.zeros((2, 2)), np.eye(2)], [-np.eye(2), np.zeros((2, 2))]])
    for g in Sp(2).samples(3):
        assert np.allclose(g.T @ J @ g, J, atol=1e-8)
    for g in SO(4).samples(3):
        assert np.allclose(g.T @ g, np.eye(4), atol=1e-10) and np.isclose(np.linalg.det(g), 1)
    assert any(np.isclose(np.linalg.det(g), -1) for g in O(3).discrete_generators)


def test_equality_by_value_and_labels():
    assert S(3) == S(3) and hash(S(3)) == hash(S(3))
    assert S(3, label="rows") != S(3, label="cols") and S(3, label="rows") != S(3)
    assert SO(3) == SO(3) and SO(3) != O(3)
    P = DirectProduct(S(3, label="rows"), S(3, label="cols"))
    assert P.d == 9 and len(P.factors) == 2  # EMLP: the defining rep of a product is V1 (x) V2
    with pytest.raises(ValueError, match="appears twice"):
        DirectProduct(S(3), S(3))


def test_user_groups_from_generators():
    k = 6
    c, s = np.cos(2 * np.pi / k), np.sin(2 * np.pi / k)
    R = np.array([[c, -s], [s, c]])
    Ck = Group.from_generators(discrete=[R], name=f"C{k}")
    Dk = Group.from_generators(discrete=[R, np.diag([1.0, -1.0])], name=f"D{k}")
    assert Ck.d == 2 and len(Dk.discrete_generators) == 2
    P = Group.from_generators(discrete=[[1, 2, 0, 3]], name="C3 on 4 points")
    assert P.is_permutation and P.order() == 3
    L = Group.from_generators(lie=[[[0.0, 1.0], [-1.0, 0.0]]], name="SO2")
    assert L.lie_algebra.shape == (1, 2, 2)


def test_bad_generators_give_clear_errors():
    with pytest.raises(ValueError, match="square"):
        Group.from_generators(discrete=np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="not invertible"):
        Group.from_generators(discrete=[np.array([[1.0, 2.0], [2.0, 4.0]])], name="bad")
    with pytest.raises(ValueError, match="act on R\\^3"):
        Group(np.eye(2)[None], np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match="not a permutation"):
        Permutation([[0, 0, 1]])
    with pytest.raises(ValueError, match="length"):
        Permutation([[1, 0, 2], [1, 0]])
    with pytest.raises(ValueError):
        S(0)
    with pytest.raises(TypeError):
        S(2.5)
    with pytest.raises(ValueError, match="non-finite"):
        Group.from_generators(discrete=[np.array([[np.nan, 0], [0, 1.0]])])


def test_permutation_membership():
    G = DihedralPerm(5)
    assert G.contains(np.array([1, 2, 3, 4, 0]))
    assert not G.contains(np.array([1, 0, 2, 3, 4]))
    assert S(4).contains(np.array([3, 2, 1, 0]))
