"""Pictures of tied weights (matplotlib Agg canvas, no display)."""

import numpy as np

from eqsolve.groups import DihedralPerm, S, SO
from eqsolve.reps import Scalar, T, V
from eqsolve.viz import draw_basis, is_tied, save_basis_picture, weight_pattern


def test_weight_pattern_is_the_orbit_structure():
    B = (T(2) >> T(2))(S(3))
    basis = B.equivariant_basis()
    pat = weight_pattern(basis)
    assert pat.shape == (9, 9) and set(np.unique(pat)) == set(range(basis.dim))
    Q = basis.dense()
    for k in range(basis.dim):  # entry (i, j) coloured k iff element k is nonzero there
        assert np.array_equal(pat.reshape(-1) == k, np.abs(Q[:, k]) > 0)


def test_sum_reps_and_pictures(tmp_path):
    basis = (V + Scalar >> V**2)(DihedralPerm(4)).equivariant_basis()
    assert is_tied(basis)
    assert weight_pattern(basis).shape == (16, 5)
    path = save_basis_picture(basis, tmp_path / "d4.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    dense = (T(2) >> T(2))(SO(3)).equivariant_basis()
    fig = draw_basis(dense)  # panels for a numerically solved basis
    assert len(fig.axes) == dense.dim
    save_basis_picture(dense, tmp_path / "so3.svg")
    assert (tmp_path / "so3.svg").stat().st_size > 1000
