"""EMLP's double spring pendulum (``experiments/trainer/hamiltonian_dynamics.py``) in numpy/scipy.

State z = (q, p) with q = (x1, x2), p = (p1, p2), each a 3-vector: z has 12 entries in the
order x1, x2, p1, p2 (so ``rep_in = 4*V``). EMLP's Hamiltonian (g = m = k = l = 1):

    H = |p1|^2/2 + |p2|^2/2 + (|x1| - 1)^2/2 + (|x1 - x2| - 1)^2 + x1_z + x2_z

(EMLP's second spring term has no 1/2; kept). Dynamics dz/dt = J grad H, J = [[0, I], [-I, 0]].
Initial conditions x1 = (0, 0, -1.5) + 0.2 N, x2 = (0, 0, -3) + 0.2 N, p = 0.4 N. Each system
is integrated over ``integration_time`` at spacing ``dt`` and one random chunk of ``chunk_len``
consecutive points is kept, as in EMLP's ``HamiltonianDataset``. EMLP integrates with JAX's
``odeint`` (rtol 1e-4); here scipy's DOP853 at rtol 1e-9 (closer to the exact flow).

Symmetry: rotations about the vertical axis and reflections in vertical planes, EMLP's
``O2eR3()`` (O(2) embedded in R^3 acting on (x, y), fixing z).
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from ..groups import O2eR3
from ..reps import Scalar, V
from .base import Dataset


def _unpack(z):
    """z (..., 12) -> x1, x2, p1, p2 each (..., 3)."""
    return z[..., 0:3], z[..., 3:6], z[..., 6:9], z[..., 9:12]


class DoubleSpringPendulum(Dataset):
    """Trajectory chunks of EMLP's double spring pendulum.

    Attributes (as EMLP's ``HamiltonianDataset``):
        Zs: (n_systems, chunk_len, 12) the chunks; ``ds[i] == ((Zs[i, 0], T), Zs[i])``.
        T: (chunk_len,) times of a chunk (0, dt, ...); T_long: (integration_time/dt,).
        X, Y: ``Zs[:, 0]`` (n, 12) and ``Zs`` (n, chunk_len, 12) (the regression view).
        rep_in = 4*V, rep_out = Scalar (the Hamiltonian), symmetry = ``eqsolve.groups.O2eR3()``,
        stats = (0,1,0,1).
    """

    def __init__(
        self,
        n_systems: int = 100,
        chunk_len: int = 5,
        dt: float = 0.2,
        integration_time: float = 30,
        seed: int = 0,
        rtol: float = 1e-9,
    ):
        if n_systems < 1 or chunk_len < 1 or dt <= 0 or integration_time < chunk_len * dt:
            raise ValueError(
                f"DoubleSpringPendulum: need n_systems >= 1, chunk_len >= 1, dt > 0 and "
                f"integration_time >= chunk_len*dt; got {n_systems}, {chunk_len}, {dt}, "
                f"{integration_time}"
            )
        rng = np.random.default_rng(seed)
        self.T = np.arange(chunk_len) * dt
        self.T_long = np.arange(0, integration_time, dt)
        z0 = self.sample_initial_conditions(n_systems, rng)
        zs = self.integrate(z0, self.T_long, rtol=rtol)  # (n, len(T_long), 12)
        n_chunks = len(self.T_long) // chunk_len
        chunks = zs[:, : n_chunks * chunk_len].reshape(n_systems, n_chunks, chunk_len, 12)
        pick = rng.integers(0, n_chunks, size=n_systems)
        self.Zs = chunks[np.arange(n_systems), pick]
        self.X, self.Y = self.Zs[:, 0], self.Zs
        self.rep_in, self.rep_out, self.symmetry = 4 * V, Scalar, O2eR3()
        self.stats = (0, 1, 0, 1)

    def __getitem__(self, i):
        return (self.Zs[i, 0], self.T), self.Zs[i]

    @staticmethod
    def H(z):
        """Hamiltonian, z (..., 12) -> (...,)."""
        x1, x2, p1, p2 = _unpack(np.asarray(z))
        ke = 0.5 * (p1**2).sum(-1) + 0.5 * (p2**2).sum(-1)
        pe = 0.5 * (np.sqrt((x1**2).sum(-1)) - 1) ** 2
        pe = pe + (np.sqrt(((x1 - x2) ** 2).sum(-1)) - 1) ** 2
        return ke + pe + x1[..., 2] + x2[..., 2]

    @staticmethod
    def dynamics(z):
        """J grad H(z), z (..., 12) -> (..., 12)."""
        x1, x2, p1, p2 = _unpack(np.asarray(z))
        n1 = np.sqrt((x1**2).sum(-1, keepdims=True))
        d = x1 - x2
        n12 = np.sqrt((d**2).sum(-1, keepdims=True))
        ez = np.array([0.0, 0.0, 1.0])
        s2 = 2 * (n12 - 1) * d / n12
        dx1 = (n1 - 1) * x1 / n1 + s2 + ez
        dx2 = -s2 + ez
        return np.concatenate([p1, p2, -dx1, -dx2], axis=-1)

    @classmethod
    def integrate(cls, z0, ts, rtol: float = 1e-9):
        """Integrate the true dynamics: z0 (n, 12), ts (t,) -> (n, t, 12) (DOP853, all systems
        as one ODE)."""
        z0 = np.asarray(z0, dtype=np.float64)
        n = z0.shape[0]
        sol = solve_ivp(
            lambda t, y: cls.dynamics(y.reshape(n, 12)).reshape(-1),
            (ts[0], ts[-1]),
            z0.reshape(-1),
            t_eval=ts,
            method="DOP853",
            rtol=rtol,
            atol=rtol,
        )
        if not sol.success:
            raise ValueError(f"DoubleSpringPendulum: integration failed: {sol.message}")
        return sol.y.reshape(n, 12, len(ts)).transpose(0, 2, 1)

    @staticmethod
    def sample_initial_conditions(bs: int, rng) -> np.ndarray:
        """(bs, 12): EMLP's initial condition distribution."""
        x1 = np.array([0, 0, -1.5]) + 0.2 * rng.normal(size=(bs, 3))
        x2 = np.array([0, 0, -3.0]) + 0.2 * rng.normal(size=(bs, 3))
        p = 0.4 * rng.normal(size=(bs, 6))
        return np.concatenate([x1, x2, p], axis=-1)


DoublePendulum = DoubleSpringPendulum
