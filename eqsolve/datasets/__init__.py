"""EMLP's datasets (Finzi, Welling, Wilson 2021), numpy only, with EMLP's names, distributions
and standardization statistics.

- ``O5Synthetic(N)``: O(5)-invariant regression, 2 vectors -> scalar.
- ``Inertia(N, k=5)``: O(3) moment of inertia, k masses (softplus of a normal) and k positions
  -> the 3x3 inertia tensor.
- ``ParticleInteraction(N)``: the e-mu scattering matrix element, 4 four-momenta -> scalar,
  Lorentz invariant.
- ``InvertedCube(train=True)``: a cube's face colouring, solved (1) or parity-inverted (0);
  ``Cube()`` invariant classification (EMLP's small test dataset).
- ``DoubleSpringPendulum(n_systems)`` (alias ``DoublePendulum``): chunks of trajectories of
  EMLP's double spring pendulum, symmetric under O(2) about the vertical axis
  (``eqsolve.groups.O2eR3()``).

Every dataset has EMLP's attributes: ``X``, ``Y`` (float64 arrays), ``rep_in``, ``rep_out``
(unbound reps, as in EMLP), ``symmetry`` (the group), ``stats`` (``(mu_x, sigma_x, mu_y,
sigma_y)`` for :class:`eqsolve.nn.Standardize`), ``len(ds)`` and ``ds[i] == (X[i], Y[i])``.
Randomness takes an explicit ``seed`` (numpy ``default_rng``); EMLP uses numpy's global
state, so the draws differ from EMLP's while the distributions are the same.
"""

from .base import Dataset, split
from .cube import InvertedCube
from .dynamics import DoublePendulum, DoubleSpringPendulum
from .synthetic import Inertia, O5Synthetic, ParticleInteraction

__all__ = [
    "Dataset",
    "split",
    "O5Synthetic",
    "Inertia",
    "ParticleInteraction",
    "InvertedCube",
    "DoubleSpringPendulum",
    "DoublePendulum",
]
