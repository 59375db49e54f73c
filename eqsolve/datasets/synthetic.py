"""EMLP's synthetic regression tasks (``emlp/datasets.py``), formulas and statistics as there.

Standardization statistics are computed on the whole dataset, as EMLP does, and only in ways
that keep equivariance: inputs are scaled by one number per vector (never shifted, never
per coordinate), outputs of invariant tasks by a mean and a std, and ``Inertia`` keeps EMLP's
``stats = (0, 1, 0, 1)`` (EMLP computes scales there but discards them).
"""

from __future__ import annotations

import numpy as np

from ..groups import O, Lorentz
from ..reps import Scalar, T, V
from .base import Dataset


def _softplus(x):
    return np.logaddexp(0.0, x)


def o5_target(X):
    """X (N, 10) = two 5-vectors -> (N, 1): sin|x1| - |x2|^3 / 2 + <x1, x2> / (|x1| |x2|)."""
    r1, r2 = X.reshape(-1, 2, 5).transpose(1, 0, 2)
    n1, n2 = np.sqrt((r1**2).sum(-1)), np.sqrt((r2**2).sum(-1))
    return (np.sin(n1) - 0.5 * n2**3 + (r1 * r2).sum(-1) / (n1 * n2))[:, None]


def inertia_tensor(m, r):
    """masses m (N, k), positions r (N, k, 3) -> (N, 3, 3): sum_i m_i (|r_i|^2 I - r_i r_i^T)."""
    r2 = (r**2).sum(-1)[..., None, None]
    return (m[:, :, None, None] * (r2 * np.eye(3) - r[..., :, None] * r[..., None, :])).sum(1)


class O5Synthetic(Dataset):
    """O(5)-invariant regression (EMLP's ``O5Synthetic``).

    X (N, 10): two vectors x1, x2 ~ N(0, I_5) (x1 = X[:, :5]).
    Y (N, 1):  sin|x1| - |x2|^3 / 2 + <x1, x2> / (|x1| |x2|).
    rep_in = 2*V, rep_out = Scalar, symmetry = O(5).
    stats = (0, Xscale, Y.mean, Y.std) with Xscale one RMS per vector (shape (10,)).
    """

    def __init__(self, N: int = 1024, seed: int = 0):
        d = 5
        self.dim = 2 * d
        rng = np.random.default_rng(seed)
        self.X = rng.normal(size=(N, self.dim))
        self.Y = o5_target(self.X)
        self.rep_in, self.rep_out, self.symmetry = 2 * V, Scalar, O(d)
        xscale = np.repeat(np.sqrt((self.X.reshape(N, 2, d) ** 2).mean((0, 2))), d)
        self.stats = (0, xscale, self.Y.mean(axis=0), self.Y.std(axis=0))


class Inertia(Dataset):
    """Moment of inertia of k point masses (EMLP's ``Inertia``), O(3)-equivariant.

    X (N, 4k): masses m = softplus(z), z ~ N(0, 1) (X[:, :k]), then positions r_i ~ N(0, I_3)
    (X[:, k:] = r.reshape(N, 3k)).
    Y (N, 9): sum_i m_i (|r_i|^2 I - r_i r_i^T), flattened row-major.
    rep_in = k*Scalar + k*V, rep_out = T(2), symmetry = O(3); stats = (0, 1, 0, 1) as in EMLP.
    """

    def __init__(self, N: int = 1024, k: int = 5, seed: int = 0):
        self.dim = (1 + 3) * k
        rng = np.random.default_rng(seed)
        self.X = rng.normal(size=(N, self.dim))
        self.X[:, :k] = _softplus(self.X[:, :k])
        self.Y = inertia_tensor(self.X[:, :k], self.X[:, k:].reshape(N, k, 3)).reshape(N, 9)
        self.rep_in, self.rep_out, self.symmetry = k * Scalar + k * V, T(2), O(3)
        self.stats = (0, 1, 0, 1)


# EMLP's metric; the matrix element below is unchanged under eta -> -eta, so eqsolve's
# Lorentz() (which preserves diag(-1, 1, 1, 1)) is the same symmetry.
ETA = np.diag([1.0, -1.0, -1.0, -1.0])


def minkowski(a, b):
    """<a, b> = a^T eta b over the last axis (EMLP's eta = diag(1, -1, -1, -1))."""
    return ((a @ ETA) * b).sum(-1)


def scattering_amplitude(P):
    """P (N, 4, 4) = momenta p1..p4 -> (N,): 4 sum_ab Le_ab Lmu_ab (see ParticleInteraction)."""
    p1, p2, p3, p4 = P.transpose(1, 0, 2)
    Le = p1[:, :, None] * p3[:, None, :] - (minkowski(p1, p3) - minkowski(p1, p1))[:, None, None] * ETA
    Lmu = (p2 @ ETA)[:, :, None] * (p4 @ ETA)[:, None, :] - (minkowski(p2, p4) - minkowski(p2, p2))[:, None, None] * ETA
    return 4 * (Le * Lmu).sum(-1).sum(-1)


class ParticleInteraction(Dataset):
    """Electron-muon scattering matrix element (EMLP's ``ParticleInteraction``), Lorentz-invariant.

    X (N, 16): four 4-momenta p1..p4, entries ~ N(0, 1) / 4.
    Y (N, 1): 4 sum_ab Le_ab Lmu_ab with Le = p1 p3^T - (<p1,p3> - <p1,p1>) eta and
    Lmu = (eta p2)(eta p4)^T - (<p2,p4> - <p2,p2>) eta.
    rep_in = 4*V, rep_out = Scalar, symmetry = Lorentz().
    stats = (0, Xscale, Y.mean, Y.std), Xscale per momentum sqrt(mean_n mean_mu |p_mu (eta p)_mu|).
    """

    def __init__(self, N: int = 1024, seed: int = 0):
        self.dim = 4 * 4
        rng = np.random.default_rng(seed)
        self.X = rng.normal(size=(N, self.dim)) / 4
        P = self.X.reshape(N, 4, 4)
        self.Y = scattering_amplitude(P)[:, None]
        self.rep_in, self.rep_out, self.symmetry = 4 * V, Scalar, Lorentz()
        xscale = np.sqrt(np.abs((P @ ETA) * P).mean(-1).mean(0))
        self.Xscale = np.repeat(xscale, 4)
        self.stats = (0, self.Xscale, self.Y.mean(axis=0), self.Y.std(axis=0))
