"""Finite groups of 2x2 matrices and embeddings, with EMLP's meanings.

``C(k)``: the k rotations of the plane by multiples of 2 pi / k; ``D(k)``: those and the
reflection diag(-1, 1) (order 2k). (The dihedral group *permuting the k vertices* of a polygon is
:func:`eqsolve.groups.DihedralPerm`.) ``Embed(G, d, slice)`` lets G act on the coordinates
``slice`` of R^d and fixes the others; ``SO2eR3()``, ``O2eR3()``, ``DkeR3(k)`` are rotations
(and reflections) about the z axis of R^3.
"""

from __future__ import annotations

import numpy as np

from .base import Group
from .matrix import O, SO
from .permutation import _check_n


def _rotation(k: int) -> np.ndarray:
    t = 2 * np.pi / k
    return np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])  # EMLP's generator


def C(k: int, label: str | None = None) -> Group:
    """The cyclic group of order k acting on R^2 by rotations through 2 pi / k."""
    k = _check_n(k, "C")
    return Group(_rotation(k)[None], None, d=2, name=f"C({k})", label=label, key=("C", k))


def D(k: int, label: str | None = None) -> Group:
    """The dihedral group of order 2k acting on R^2: rotations through 2 pi / k and the
    reflection diag(-1, 1) (EMLP's ``D(k)``)."""
    k = _check_n(k, "D")
    gens = np.array([_rotation(k), np.diag([-1.0, 1.0])])
    return Group(gens, None, d=2, name=f"D({k})", label=label, key=("D", k))


def Embed(G: Group, d: int, slice, label: str | None = None) -> Group:
    """G acting on the coordinates ``slice`` of R^d (identity on the rest), as EMLP's Embed.

    Args:
        G: the group to embed (a single group; its generators are dense (G.d, G.d) matrices).
        d: the dimension of the larger space.
        slice: a ``slice`` (or index array) of ``G.d`` coordinates of R^d.
    """
    if not isinstance(G, Group):
        raise TypeError(f"Embed needs a Group, got {type(G).__name__}")
    d = _check_n(
        d,
        "Embed",
        lambda d: 8 * d * d * max(1, len(G.discrete_generators) + len(G.lie_algebra)),
        "its generators (d x d matrices)",
    )
    idx = np.arange(d)[slice]
    if len(idx) != G.d or len(set(idx.tolist())) != G.d:
        raise ValueError(
            f"Embed({G}, {d}, {slice!r}): the slice selects {len(idx)} coordinates of R^{d} but {G} acts on R^{G.d}"
        )
    disc = np.repeat(np.eye(d)[None], len(G.discrete_generators), axis=0)
    disc[np.ix_(range(len(disc)), idx, idx)] = G.discrete_generators
    lie = np.zeros((len(G.lie_algebra), d, d))
    lie[np.ix_(range(len(lie)), idx, idx)] = G.lie_algebra
    key = ("Embed", G.key, d, tuple(idx.tolist()))
    return Group(disc if len(disc) else None, lie if len(lie) else None, d=d, name=f"{G}_R{d}", label=label, key=key)


def SO2eR3(label: str | None = None) -> Group:
    """SO(2) embedded in R^3: rotations about the z axis."""
    return Embed(SO(2), 3, slice(2), label=label)


def O2eR3(label: str | None = None) -> Group:
    """O(2) embedded in R^3: rotations about the z axis and a reflection of the xy plane."""
    return Embed(O(2), 3, slice(2), label=label)


def DkeR3(k: int, label: str | None = None) -> Group:
    """Dihedral D(k) embedded in R^3 (rotations through 2 pi / k about z, a reflection of xy)."""
    return Embed(D(k), 3, slice(2), label=label)
