"""The Rubik's cube group acting on the 48 movable facelets (centres fixed)."""

from __future__ import annotations

import itertools

import numpy as np

from .permutation import PermutationGroup


def _facelets() -> list[tuple[tuple[int, int, int], tuple[int, int, int]]]:
    """Each facelet is (cubie position in {-1,0,1}^3, outward normal); centres excluded."""
    out = []
    for pos in itertools.product((-1, 0, 1), repeat=3):
        if sum(abs(c) for c in pos) < 2:  # core or face centre
            continue
        for axis in range(3):
            if pos[axis] != 0:
                normal = [0, 0, 0]
                normal[axis] = pos[axis]
                out.append((pos, tuple(normal)))
    return out


def _quarter_turn(v, axis: int, sign: int):
    """Rotate integer vector v by +90 degrees about ``axis`` (right-handed, viewed from +sign)."""
    x = list(v)
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    if sign > 0:
        x[i], x[j] = -v[j], v[i]
    else:
        x[i], x[j] = v[j], -v[i]
    return tuple(x)


def _face_moves() -> list[np.ndarray]:
    cells = _facelets()
    index = {c: k for k, c in enumerate(cells)}
    moves = []
    for axis in range(3):
        for sign in (1, -1):
            p = np.arange(len(cells))
            for k, (pos, nrm) in enumerate(cells):
                if pos[axis] == sign:
                    p[k] = index[(_quarter_turn(pos, axis, sign), _quarter_turn(nrm, axis, sign))]
            moves.append(p)
    return moves


def RubiksCube(label: str | None = None) -> PermutationGroup:
    """The Rubik's cube group: 6 face quarter-turns permuting 48 facelets
    (order 43 252 003 274 489 856 000)."""
    return PermutationGroup(_face_moves(), 48, name="RubiksCube", label=label, key=("Rubik",))
