"""EMLP's ``InvertedCube``: is a cube's face-colouring the solved one or its parity inversion?

A state is a (6, 6) 0/1 matrix, row i = the colour (one-hot) on face i, flattened to 36 numbers.
The train set holds the two states (solved, label 1; the faces permuted by EMLP's
``parity_perm = [5, 3, 4, 1, 2, 0]``, label 0); the test set holds 100 states, 50 of each, each
turned by a random rotation of ``Cube()`` acting on the colour axis (``X @ g``), shuffled.
rep_in = 6*V, rep_out = 2*Scalar (two logits), symmetry = ``Cube()``, stats = (0, 1) as in EMLP.
"""

from __future__ import annotations

import numpy as np

from ..groups import Cube
from ..reps import Scalar, V
from .base import Dataset

PARITY_PERM = np.array([5, 3, 4, 1, 2, 0])


class InvertedCube(Dataset):
    """``InvertedCube(train=True, seed=0)``: X (2, 36) / Y (2,) int labels for train, X (100, 36) /
    Y (100,) for test. As in EMLP, any truthy first argument means the train set (EMLP's tests call
    ``InvertedCube(100)``)."""

    def __init__(self, train=True, seed: int = 0):
        solved = np.eye(6)
        X = np.stack([solved.reshape(-1), solved[:, PARITY_PERM].reshape(-1)])
        Y = np.array([1, 0])
        self.symmetry = Cube()
        self.rep_in, self.rep_out = 6 * V, 2 * Scalar
        self.stats = (0, 1)
        if not train:
            rng = np.random.default_rng(seed)
            gs = self.symmetry.samples(100, seed=seed)
            X = np.repeat(X, 50, axis=0).reshape(100, 6, 6) @ gs
            Y = np.repeat(Y, 50, axis=0)
            p = rng.permutation(100)
            X, Y = X[p].reshape(100, -1), Y[p]
        self.X, self.Y = np.asarray(X, dtype=np.float64), np.asarray(Y)
