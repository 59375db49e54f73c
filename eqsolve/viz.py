"""Pictures of tied weights (matplotlib, Agg canvas; an edge module, never imported by the core).

:func:`weight_pattern` colours the (size_out x size_in) weight matrix of an equivariant map
by the basis element each entry belongs to, like the parameter-sharing figures of Hartford et
al. (2018) and Finzi et al. (2021): one colour per basis element, white where every equivariant
map is zero. For permutation groups each entry belongs to exactly one element; for continuous
groups an entry is coloured by the element with the largest weight there.
"""
from __future__ import annotations

import colorsys
import math
from pathlib import Path

import numpy as np

__all__ = ["weight_pattern", "draw_basis", "save_basis_picture", "MAX_ENTRIES"]

MAX_ENTRIES = 4_000_000  # size_out * size_in drawn as pixels


def _map_shape(basis) -> tuple[int, int]:
    rep = basis.rep
    if hasattr(rep, "rep_in") and hasattr(rep, "rep_out"):
        return rep.rep_out.size(), rep.rep_in.size()
    return basis.size, 1


def weight_pattern(basis, atol: float = 1e-9) -> np.ndarray:
    """(size_out, size_in) int array: the basis element of each weight entry, -1 where all are 0.

    Args:
        basis: a :class:`eqsolve.solve.RepBasis` of ``rep_in >> rep_out`` (any rep gives a column).
    """
    m, n = _map_shape(basis)
    if m * n > MAX_ENTRIES:
        raise ValueError(f"the weight matrix of {basis.rep} has {m} x {n} = {m * n} entries; pictures stop at "
                         f"{MAX_ENTRIES} entries")
    out = np.full(m * n, -1, dtype=np.int64)
    best = np.zeros(m * n)
    col = 0
    for mono, b in basis.blocks:
        idx = mono.index_array().reshape(-1)
        if b.dim:
            orbit_of = getattr(b, "orbit_of", None)
            if orbit_of is not None:
                out[idx] = col + orbit_of
                best[idx] = 1.0
            else:
                for k in range(b.dim):
                    e = np.zeros(b.dim)
                    e[k] = 1.0
                    v = np.abs(b.apply(e))
                    take = (v > atol) & (v > best[idx])
                    out[idx[take]] = col + k
                    best[idx[take]] = v[take]
        col += b.dim
    return out.reshape(m, n)


def _palette(k: int) -> np.ndarray:
    """k distinct RGB colours (k, 3)."""
    if k <= 20:
        from matplotlib import colormaps
        name = "tab10" if k <= 10 else "tab20"
        return np.array(colormaps[name].colors)[:k, :3]
    golden = 0.618033988749895
    cols = []
    for i in range(k):
        h = (i * golden) % 1.0
        s = 0.55 + 0.35 * ((i // 3) % 2)
        v = 0.95 - 0.3 * ((i // 2) % 2)
        cols.append(colorsys.hsv_to_rgb(h, s, v))
    return np.array(cols)


def _leaf_boundaries(rep) -> list[int]:
    """Coordinates where the top-level sum blocks change (drawn as thin lines)."""
    from .reps.base import SumRep
    if isinstance(rep, SumRep):
        out, off = [], 0
        for r, mult in rep.terms:
            for _ in range(mult):
                off += r.size()
                out.append(off)
        return out[:-1]
    return []


def draw_basis(basis, ax=None, title: str | None = None, legend: bool | None = None):
    """Draw the tied-weight pattern of a basis on a matplotlib Axes (a new Figure if None).

    Returns the matplotlib Figure.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    pattern = weight_pattern(basis)
    m, n = pattern.shape
    k = basis.dim
    if ax is None:
        side = 6.0
        aspect = n / max(m, 1)
        fig = Figure(figsize=(side * min(max(aspect, 0.5), 2.0) + (2.5 if (legend or (legend is None and k <= 24)) else 0.5),
                              side))
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    img = np.ones((m, n, 3))
    if k:
        pal = _palette(k)
        mask = pattern >= 0
        img[mask] = pal[pattern[mask]]
    ax.imshow(img, interpolation="nearest", aspect="equal")
    rep = basis.rep
    if hasattr(rep, "rep_in"):
        for b in _leaf_boundaries(rep.rep_out):
            ax.axhline(b - 0.5, color="black", lw=0.8)
        for b in _leaf_boundaries(rep.rep_in):
            ax.axvline(b - 0.5, color="black", lw=0.8)
        ax.set_xlabel(f"input: {rep.rep_in} (size {n})")
        ax.set_ylabel(f"output: {rep.rep_out} (size {m})")
    if max(m, n) <= 32:
        ax.set_xticks(np.arange(-0.5, n, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, m, 1), minor=True)
        ax.grid(which="minor", color="white", lw=0.5)
        ax.tick_params(which="minor", length=0)
    ax.set_title(title or f"{k} tied weights of {rep}", fontsize=10)
    if legend or (legend is None and 0 < k <= 24):
        handles = [Patch(color=_palette(k)[i], label=_short_label(basis.labels[i])) for i in range(k)]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, frameon=False,
                  title="basis element", title_fontsize=8)
    return fig


def _short_label(label) -> str:
    s = str(label)
    if s.startswith("Pattern(") and s.endswith(")"):
        s = s[len("Pattern("):-1]
    return s if len(s) <= 40 else s[:37] + "..."


def save_basis_picture(basis, path, title: str | None = None, dpi: int = 120) -> Path:
    """Draw the basis and write it to ``path`` (PNG, SVG, PDF by extension). Returns the path."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = draw_basis(basis, title=title)
    FigureCanvasAgg(fig)
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise ValueError(f"cannot write {path}: directory {path.parent} does not exist")
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path
