"""eqsolve.datasets.InvertedCube (EMLP's): the two train states, and test states that are cube
rotations of them with the right labels; the parity state is not a rotation of the solved one."""

import numpy as np

from eqsolve.datasets import InvertedCube
from tests.theory import finite_group_elements


def test_train_set_is_solved_and_parity_states():
    ds = InvertedCube(train=True)
    assert ds.X.shape == (2, 36) and list(ds.Y) == [1, 0]
    assert np.array_equal(ds.X[0].reshape(6, 6), np.eye(6))
    # face colours permuted by EMLP's parity_perm [5, 3, 4, 1, 2, 0]: column j of the state is column perm[j]
    assert np.array_equal(ds.X[1].reshape(6, 6)[:, 0], np.eye(6)[:, 5])
    assert np.array_equal(ds.X[1].reshape(6, 6)[:, 1], np.eye(6)[:, 3])
    assert len(InvertedCube(100)) == 2  # EMLP's tests call InvertedCube(100): truthy = train


def test_test_set_states_are_rotations_with_their_labels():
    train, test = InvertedCube(train=True), InvertedCube(train=False, seed=3)
    assert test.X.shape == (100, 36) and sorted(np.bincount(test.Y)) == [50, 50]
    rotations = finite_group_elements(train.symmetry.discrete_generators)
    assert len(rotations) == 24
    orbit = {
        label: {np.round(x.reshape(6, 6) @ g, 8).tobytes() for g in rotations} for x, label in zip(train.X, train.Y)
    }
    assert not (orbit[0] & orbit[1])  # the parity state is not a rotation of the solved cube
    for x, y in zip(test.X, test.Y):
        assert np.round(x.reshape(6, 6), 8).tobytes() in orbit[int(y)]
