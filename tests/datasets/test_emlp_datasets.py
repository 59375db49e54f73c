"""eqsolve.datasets: EMLP's formulas (hand-computed cases), distributions, statistics and
symmetries."""

import numpy as np
import pytest

from eqsolve.datasets import DoublePendulum, DoubleSpringPendulum, Inertia, O5Synthetic, ParticleInteraction, split
from eqsolve.datasets.synthetic import ETA, inertia_tensor, o5_target, scattering_amplitude
from eqsolve.groups import SO, Lorentz, O2eR3
from eqsolve.groups import O as Ogroup


def _orthogonal(d, n, seed):
    """n Haar-ish orthogonal matrices including reflections (QR of Gaussians)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        q, r = np.linalg.qr(rng.normal(size=(d, d)))
        out.append(q * np.sign(np.diag(r)))
    return out


def test_o5_hand_cases():
    e1, e2 = np.eye(5)[0], np.eye(5)[1]
    X = np.stack([np.r_[e1, e1], np.r_[2 * e1, e2], np.r_[e1, -3 * e1]])
    want = [np.sin(1) - 0.5 + 1, np.sin(2) - 0.5 + 0, np.sin(1) - 0.5 * 27 - 1]
    np.testing.assert_allclose(o5_target(X)[:, 0], want, rtol=1e-12)


def test_o5_dataset_distribution_stats_and_invariance():
    ds = O5Synthetic(4000, seed=1)
    assert ds.X.shape == (4000, 10) and ds.Y.shape == (4000, 1) and len(ds) == 4000
    np.testing.assert_allclose(ds.Y, o5_target(ds.X))
    assert abs(ds.X.mean()) < 0.03 and abs(ds.X.std() - 1) < 0.02  # N(0, I)
    mu, s, my, sy = ds.stats
    assert mu == 0 and s.shape == (10,) and np.all(s[:5] == s[0]) and np.all(s[5:] == s[5])
    np.testing.assert_allclose(s[0], np.sqrt((ds.X[:, :5] ** 2).mean()))
    np.testing.assert_allclose([my[0], sy[0]], [ds.Y.mean(), ds.Y.std()])
    assert ds.symmetry == Ogroup(5) and ds.rep_in(ds.symmetry).size() == 10 and ds.rep_out(ds.symmetry).size() == 1
    for g in _orthogonal(5, 3, 0):
        gX = (ds.X[:50].reshape(50, 2, 5) @ g.T).reshape(50, 10)
        np.testing.assert_allclose(o5_target(gX), ds.Y[:50], atol=1e-10)
    # not invariant under a non-orthogonal map (the check can fail)
    A = np.diag([2.0, 1, 1, 1, 1])
    assert np.abs(o5_target((ds.X[:50].reshape(50, 2, 5) @ A).reshape(50, 10)) - ds.Y[:50]).max() > 0.1


def test_inertia_hand_case():
    m = np.array([[2.0, 0.5]])
    r = np.array([[[1.0, 0, 0], [0, 0, 2.0]]])
    # 2 * diag(0, 1, 1) + 0.5 * diag(4, 4, 0)
    np.testing.assert_allclose(inertia_tensor(m, r)[0], np.diag([2.0, 4.0, 2.0]))


def test_inertia_masses_softplus_normal_and_equivariance():
    k, N = 5, 20000
    ds = Inertia(N, k=k, seed=2)
    assert ds.X.shape == (N, 20) and ds.Y.shape == (N, 9) and ds.stats == (0, 1, 0, 1)
    assert ds.symmetry == Ogroup(3) and ds.rep_in(ds.symmetry).size() == 20
    m = ds.X[:, :k]
    # softplus(N(0,1)): log(e^m - 1) is standard normal; E[m] by quadrature
    z = np.log(np.expm1(m))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    t = np.linspace(-12, 12, 200001)
    Em = np.trapezoid(np.logaddexp(0, t) * np.exp(-(t**2) / 2) / np.sqrt(2 * np.pi), t)
    assert abs(m.mean() - Em) < 4 * m.std() / np.sqrt(m.size)
    assert m.min() < 0.05 and m.max() > 3.0  # EMLP's heavy tail
    # Y by an independent per-particle loop
    i = 7
    Iref = sum(m[i, a] * (np.dot(r, r) * np.eye(3) - np.outer(r, r)) for a, r in enumerate(ds.X[i, k:].reshape(k, 3)))
    np.testing.assert_allclose(ds.Y[i].reshape(3, 3), Iref, rtol=1e-12)
    # O(3) equivariance, reflections included: Y(g x) = g Y g^T
    X, Y = ds.X[:40], ds.Y[:40].reshape(40, 3, 3)
    for g in _orthogonal(3, 3, 1) + [np.diag([-1.0, 1, 1])]:
        gX = np.concatenate([X[:, :k], (X[:, k:].reshape(40, k, 3) @ g.T).reshape(40, 3 * k)], 1)
        np.testing.assert_allclose(inertia_tensor(gX[:, :k], gX[:, k:].reshape(40, k, 3)), g @ Y @ g.T, atol=1e-10)


def test_particle_interaction_hand_cases():
    t, x = np.array([1.0, 0, 0, 0]), np.array([0, 1.0, 0, 0])
    # all momenta (1,0,0,0): Le = Lmu = E00 -> 4
    assert np.allclose(scattering_amplitude(np.stack([t, t, t, t])[None]), 4.0)
    # p3 = (0,1,0,0): Le = E01 + eta, Lmu = E00 -> 4 * Le[0,0] = 4
    assert np.allclose(scattering_amplitude(np.stack([t, t, x, t])[None]), 4.0)
    # p1 = p3 = x, p2 = p4 = t: <x,x> = -1, Le = E11 - 0*eta = E11, Lmu = E00 -> 0
    assert np.allclose(scattering_amplitude(np.stack([x, t, x, t])[None]), 0.0)
    # p1 = p3 = x, p2 = p4 = x: Lmu = (eta x)(eta x)^T = E11 -> 4
    assert np.allclose(scattering_amplitude(np.stack([x, x, x, x])[None]), 4.0)


def test_particle_interaction_dataset_and_lorentz_invariance():
    ds = ParticleInteraction(3000, seed=3)
    assert ds.X.shape == (3000, 16) and abs(ds.X.std() - 0.25) < 0.01
    np.testing.assert_allclose(ds.Y[:, 0], scattering_amplitude(ds.X.reshape(-1, 4, 4)))
    mu, s, my, sy = ds.stats
    P = ds.X.reshape(-1, 4, 4)
    np.testing.assert_allclose(s.reshape(4, 4), np.sqrt(np.abs(P * (P @ ETA)).mean((0, 2)))[:, None] * np.ones((1, 4)))
    np.testing.assert_allclose([my[0], sy[0]], [ds.Y.mean(), ds.Y.std()])
    G = Lorentz()
    assert ds.symmetry == G
    for g in G.samples(3, seed=0):
        eta_e = np.diag([-1.0, 1, 1, 1])  # eqsolve's metric; the amplitude does not see the sign
        np.testing.assert_allclose(g.T @ eta_e @ g, eta_e, atol=1e-8)
        Y2 = scattering_amplitude(P[:50] @ g.T)
        np.testing.assert_allclose(Y2, ds.Y[:50, 0], atol=1e-8 * max(1, np.abs(ds.Y).max()) * np.abs(g).max() ** 4)
    g = SO(4).samples(1, seed=1)[0]  # a Euclidean rotation mixing time and space is no symmetry
    assert np.abs(scattering_amplitude(P[:50] @ g.T) - ds.Y[:50, 0]).max() > 1e-3


def test_double_pendulum_chunks_energy_and_symmetry():
    ds = DoublePendulum(12, chunk_len=5, dt=0.2, integration_time=6, seed=0)
    assert DoublePendulum is DoubleSpringPendulum and len(ds) == 12
    assert ds.Zs.shape == (12, 5, 12) and np.allclose(ds.T, [0, 0.2, 0.4, 0.6, 0.8])
    (z0, T), zs = ds[3]
    assert np.array_equal(z0, zs[0]) and np.array_equal(T, ds.T)
    # each chunk is the flow of its first point
    again = DoublePendulum.integrate(ds.Zs[:, 0], ds.T)
    np.testing.assert_allclose(again, ds.Zs, atol=1e-6)
    # energy is conserved along each chunk
    H = DoublePendulum.H(ds.Zs)
    assert np.ptp(H, axis=1).max() < 1e-6
    # hand case: at rest, x1 = (0,0,-1), x2 = (0,0,-2): springs at rest length, H = -1 - 2
    z = np.r_[0, 0, -1.0, 0, 0, -2.0, np.zeros(6)]
    assert np.isclose(DoublePendulum.H(z), -3.0)
    # J grad H by central differences
    zr = ds.Zs[0, 0]
    gH = np.array([(DoublePendulum.H(zr + 1e-6 * e) - DoublePendulum.H(zr - 1e-6 * e)) / 2e-6 for e in np.eye(12)])
    np.testing.assert_allclose(DoublePendulum.dynamics(zr), np.r_[gH[6:], -gH[:6]], atol=1e-6)
    # O(2) about z: H invariant, dynamics equivariant; a tilt is no symmetry (gravity)
    G = ds.symmetry
    assert G == O2eR3() and G.d == 3
    for g in list(G.samples(3, seed=0)) + [np.diag([1.0, -1.0, 1.0])]:
        gz = (ds.Zs[:, 0].reshape(12, 4, 3) @ g.T).reshape(12, 12)
        np.testing.assert_allclose(DoublePendulum.H(gz), DoublePendulum.H(ds.Zs[:, 0]), atol=1e-10)
        np.testing.assert_allclose(
            DoublePendulum.dynamics(gz),
            (DoublePendulum.dynamics(ds.Zs[:, 0]).reshape(12, 4, 3) @ g.T).reshape(12, 12),
            atol=1e-10,
        )
    tilt = SO(3).samples(1, seed=2)[0]
    gz = (ds.Zs[:, 0].reshape(12, 4, 3) @ tilt.T).reshape(12, 12)
    assert np.abs(DoublePendulum.H(gz) - DoublePendulum.H(ds.Zs[:, 0])).max() > 1e-3


def test_double_pendulum_initial_distribution():
    z = DoublePendulum.sample_initial_conditions(20000, np.random.default_rng(0))
    np.testing.assert_allclose(z.mean(0), [0, 0, -1.5, 0, 0, -3, 0, 0, 0, 0, 0, 0], atol=0.02)
    np.testing.assert_allclose(z.std(0), [0.2] * 6 + [0.4] * 6, rtol=0.03)


def test_bad_arguments_and_split():
    with pytest.raises(ValueError, match="n_systems"):
        DoublePendulum(0)
    idx = split(100, {"train": 50, "val": 20, "test": -1}, seed=0)
    assert [len(v) for v in idx.values()] == [50, 20, 30]
    assert len(np.unique(np.concatenate(list(idx.values())))) == 100
    with pytest.raises(ValueError, match="do not fit"):
        split(10, {"a": 8, "b": 5})
