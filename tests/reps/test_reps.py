import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from eqsolve.groups import A, DihedralPerm, Lorentz, Permutation, S, SO, Trivial, Z
from eqsolve.memory import TooLargeError
from eqsolve.reps import MapRep, Scalar, T, V
from theory import burnside_tensor


def test_sizes_and_algebra():
    G = S(4)
    assert V(G).size() == 4 and (V(G) ** 3).size() == 64 and T(2, 1, G).size() == 64
    assert (3 * V(G) + V(G) ** 2).size() == 28
    assert (V(G) >> V(G) ** 2).size() == 64
    assert ((2 * V**2 + V)(G)).size() == 36
    assert isinstance(V(G) >> V(G), MapRep)
    assert (V(G) ** 0).size() == 1


def test_rho_is_a_homomorphism_and_map_convention():
    G = SO(3)
    rep_in, rep_out = (V + Scalar)(G), (V**2)(G)
    rep = rep_in >> rep_out
    g1, g2 = G.samples(2, seed=3)
    assert np.allclose(rep.rho(g1 @ g2), rep.rho(g1) @ rep.rho(g2))
    W = np.random.default_rng(0).normal(size=(rep_out.size(), rep_in.size()))
    lhs = (rep.rho(g1) @ W.reshape(-1)).reshape(W.shape)
    rhs = rep_out.rho(g1) @ W @ np.linalg.inv(rep_in.rho(g1))
    assert np.allclose(lhs, rhs)
    A_ = G.lie_algebra[0]
    d = rep.drho(A_)
    eps = 1e-6
    import scipy.linalg

    assert np.allclose((rep.rho(scipy.linalg.expm(eps * A_)) - np.eye(rep.size())) / eps, d, atol=1e-4)


def test_dual_of_lorentz_is_inverse_transpose():
    G = Lorentz()
    g = G.sample(5)
    assert np.allclose(V(G).T.rho(g), np.linalg.inv(g).T)
    assert np.allclose(V(SO(3)).T.rho(SO(3).sample(1)), V(SO(3)).rho(SO(3).sample(1)))


def test_products_of_different_groups_are_reps_of_the_product():
    X = V(S(3, label="rows")) * V(S(4, label="cols"))
    assert X.size() == 12 and len(X.G.factors) == 2
    g = X.G.sample(2)
    blocks = X.G.split(g)
    r, c = blocks[S(3, label="rows")], blocks[S(4, label="cols")]
    assert np.allclose(X.rho(g), np.kron(r, c))


def test_bad_input_errors():
    with pytest.raises(ValueError, match="positive"):
        -1 * V(S(3))
    with pytest.raises(ValueError, match="zero rep"):
        0 * V(S(3))
    with pytest.raises(TypeError):
        2.5 * V(S(3))
    with pytest.raises(ValueError, match="already a rep of S\\(3\\)"):
        V(S(3))(SO(3))
    with pytest.raises(ValueError, match="\\(4, 4\\) matrices"):
        V(S(4)).rho(np.eye(3))
    with pytest.raises(ValueError, match="unbound"):
        (V**2).equivariant_basis()
    with pytest.raises(ValueError, match=">= 0"):
        V(S(3)) ** -1
    with pytest.raises(TypeError):
        V("S3")


def test_too_large_dense_requests_say_how_big():
    X = V(S(1000, label="u")) * V(S(1000, label="i"))
    b = (X >> X).equivariant_basis()
    assert b.dim == 4
    with pytest.raises(TooLargeError, match="TiB") as err:
        b.dense()
    assert isinstance(err.value, ValueError) and "runtime" in str(err.value)
    with pytest.raises(ValueError, match="would need"):
        (X >> X).rho(X.G.sample(0))


def test_lazy_apply_matches_dense_and_projector():
    rep = (V(S(3)) + V(S(3)) ** 2) >> V(S(3))
    b = rep.equivariant_basis()
    Q = b.dense()
    c = np.random.default_rng(1).normal(size=b.dim)
    assert np.allclose(b.apply(c), Q @ c)
    x = np.random.default_rng(2).normal(size=rep.size())
    assert np.allclose(b.coefficients(x), Q.T @ x)
    P = rep.equivariant_projector()
    assert np.allclose(P @ x, Q @ (Q.T @ x))


def test_disk_cache_roundtrip(tmp_path):
    from eqsolve.solve import cache

    cache.set_cache_dir(tmp_path)
    try:
        rep = T(3, 0, SO(3))
        q1 = rep.equivariant_basis().dense()
        assert list(tmp_path.glob("*.npz"))
        cache.clear_memory()
        q2 = rep.equivariant_basis().dense()
        assert np.allclose(q1, q2)
    finally:
        cache.set_cache_dir(None)


# ------------------------------------------------------ random permutation groups
perm_strategy = st.integers(2, 5).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.permutations(list(range(n))), min_size=1, max_size=3))
)


@settings(max_examples=25, deadline=None)
@given(perm_strategy, st.integers(1, 3))
def test_random_permutation_groups_match_burnside(group_spec, k):
    n, gens = group_spec
    G = Permutation(gens)
    rep = T(k, 0, G)
    b = rep.equivariant_basis()
    assert b.dim == burnside_tensor(gens, n, k)
    Q = b.dense()
    for g in list(G.discrete_generators) + list(G.samples(2)):
        assert np.abs(rep.rho(g) @ Q - Q).max() < 1e-8


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([S(3), A(4), Z(4), DihedralPerm(4), Trivial(2)]), st.integers(0, 2), st.integers(0, 2))
def test_orbit_and_dense_solvers_agree(G, k, l):
    rep = T(k, 0, G) >> T(l, 0, G)
    exact = rep.equivariant_basis(cache=False).dense()
    dense = rep.equivariant_basis(method="dense", cache=False).dense()
    assert exact.shape == dense.shape
    # same subspace: projectors agree
    assert np.allclose(exact @ exact.T, dense @ dense.T, atol=1e-8)
