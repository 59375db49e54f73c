"""Pictures of tied weights (matplotlib, Agg canvas; an edge module, never imported by the core).

:func:`weight_pattern` colours the (size_out x size_in) weight matrix of an equivariant map
by the basis element each entry belongs to, like the parameter-sharing figures of Hartford et
al. (2018) and Finzi et al. (2021): one colour per basis element, white where every equivariant
map is zero. For permutation groups each entry belongs to exactly one element; for continuous
groups an entry is coloured by the element with the largest weight there.
"""

from __future__ import annotations

import colorsys
import io
import math
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .reps.base import MapRep, ProductRep, SumRep
from .safeio import atomic_write_bytes, check_writable_file
from .solve.basis import PermutationBasis, RepBasis

__all__ = [
    "weight_pattern",
    "draw_basis",
    "save_basis_picture",
    "picture_path",
    "check_dpi",
    "is_tied",
    "MAX_ENTRIES",
    "MAX_DPI",
    "MAX_PIXELS",
]

MAX_ENTRIES = 4_000_000  # size_out * size_in drawn as pixels
MAX_DPI = 1200  # the dots per inch a picture may ask for
MAX_PIXELS = 60_000_000  # width x height of a written raster picture (about 240 MB of RGBA while drawing)
LEGEND_MAX = 24  # up to this many elements get a legend; more get a colour scale of element indices


def _map_shape(basis: RepBasis) -> tuple[int, int]:
    rep = basis.rep
    if isinstance(rep, MapRep):
        return rep.rep_out.size(), rep.rep_in.size()
    return basis.size, 1


def weight_pattern(basis: RepBasis, atol: float = 1e-9) -> np.ndarray:
    """(size_out, size_in) int array: the basis element of each weight entry, -1 where all are 0.

    Args:
        basis: a :class:`eqsolve.solve.RepBasis` of ``rep_in >> rep_out`` (any rep gives a column).
    """
    m, n = _map_shape(basis)
    if m * n > MAX_ENTRIES:
        raise ValueError(
            f"the weight matrix of {basis.rep} has {m} x {n} = {m * n} entries; pictures stop at {MAX_ENTRIES} entries"
        )
    out = np.full(m * n, -1, dtype=np.int64)
    best = np.zeros(m * n)
    col = 0
    for mono, b in basis.blocks:
        idx = mono.index_array().reshape(-1)
        if b.dim:
            if isinstance(b, PermutationBasis):
                out[idx] = col + b.orbit_of
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


def _boundaries(rep) -> list[int]:
    """Coordinates where the blocks of a sum change, or where the outer index of a tensor
    product changes (drawn as thin lines)."""
    if isinstance(rep, SumRep):
        out, off = [], 0
        for r, mult in rep.terms:
            for _ in range(mult):
                off += r.size()
                out.append(off)
        return out[:-1]
    if isinstance(rep, ProductRep) and len(rep.factors) > 1:
        inner = rep.size() // rep.factors[0].size()
        if inner > 1 and rep.factors[0].size() <= 64:
            return list(range(inner, rep.size(), inner))
    return []


def is_tied(basis: RepBasis) -> bool:
    """Whether every weight entry belongs to at most one basis element (exact orbit / pattern
    bases), so one colour per entry tells the whole story."""
    return all(b.is_tied or not b.dim for _, b in basis.blocks)


def draw_basis(
    basis: RepBasis,
    ax=None,
    title: str | None = None,
    legend: bool | None = None,
    mode: str = "auto",
    max_panels: int = 16,
    labels: list | None = None,
):
    """Draw a basis of equivariant maps and return the matplotlib Figure.

    ``mode="tied"``: one picture of the (size_out x size_in) weight matrix, each entry coloured by
    the basis element it belongs to. ``mode="panels"``: one heat map per basis element (values,
    red/blue), what a numerically solved basis of a continuous group needs since its elements
    overlap. ``"auto"`` picks ``tied`` for exact (orbit / pattern) bases, ``panels`` otherwise.
    ``labels`` replaces the basis labels in the legend / panel titles.
    """
    names = list(labels) if labels is not None else list(basis.labels)
    if len(names) != basis.dim:
        raise ValueError(f"{len(names)} labels given for {basis.dim} basis elements")
    if mode not in ("auto", "tied", "panels"):
        raise ValueError(f"mode must be 'auto', 'tied' or 'panels', got {mode!r}")
    if mode == "panels" or (mode == "auto" and not is_tied(basis)):
        if ax is not None:
            raise ValueError("mode='panels' draws its own figure; do not pass ax")
        return _draw_panels(basis, title, max_panels, names)

    pattern = weight_pattern(basis)
    m, n = pattern.shape
    k = basis.dim
    show_legend = bool(legend or (legend is None and 0 < k <= 24))
    if ax is None:
        side = 6.0
        aspect = n / max(m, 1)
        fig = Figure(figsize=(side * min(max(aspect, 0.5), 2.0) + (2.5 if show_legend else 0.5), side))
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    img = np.ones((m, n, 3))
    if k:
        pal = _palette(k)
        mask = pattern >= 0
        img[mask] = pal[pattern[mask]]
    ax.imshow(img, interpolation="nearest", aspect="equal")
    _decorate(ax, basis, m, n)
    ax.set_title(title or f"{k} tied weights of {basis.rep}", fontsize=10)
    if show_legend:
        handles = [Patch(color=_palette(k)[i], label=_short_label(names[i])) for i in range(k)]
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            fontsize=7,
            frameon=False,
            title="basis element",
            title_fontsize=8,
        )
    elif k and legend is None:
        _index_scale(fig, ax, _palette(k))
    return fig


def _index_scale(fig, ax, pal: np.ndarray) -> None:
    """A colour bar mapping each colour to its basis element's index (too many for a legend; the
    labels by index: ``eqsolve basis ... --labels -1``)."""
    k = len(pal)
    norm = BoundaryNorm(np.arange(-0.5, k + 0.5), k)
    sm = ScalarMappable(norm=norm, cmap=ListedColormap(pal))
    step = max(1, int(math.ceil(k / 20)))
    bar = fig.colorbar(sm, ax=ax, fraction=0.046, pad=0.04, ticks=np.arange(0, k, step))
    bar.set_label(f"basis element index (0..{k - 1}; labels: eqsolve basis ... --labels -1)", fontsize=8)
    bar.ax.tick_params(labelsize=7)


def _decorate(ax, basis, m, n, labels: bool = True):
    rep = basis.rep
    if isinstance(rep, MapRep):
        for b in _boundaries(rep.rep_out):
            ax.axhline(b - 0.5, color="black", lw=0.8)
        for b in _boundaries(rep.rep_in):
            ax.axvline(b - 0.5, color="black", lw=0.8)
        if labels:
            ax.set_xlabel(f"input: {rep.rep_in} (size {n})")
            ax.set_ylabel(f"output: {rep.rep_out} (size {m})")
    if max(m, n) <= 32:
        ax.set_xticks(np.arange(-0.5, n, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, m, 1), minor=True)
        ax.grid(which="minor", color="white", lw=0.5)
        ax.tick_params(which="minor", length=0)


def _draw_panels(basis, title, max_panels, names):
    m, n = _map_shape(basis)
    if m * n > MAX_ENTRIES:
        raise ValueError(f"the weight matrix of {basis.rep} has {m * n} entries; pictures stop at {MAX_ENTRIES}")
    k = min(basis.dim, max_panels)
    cols = max(1, min(4, k))
    rows = max(1, math.ceil(k / cols))
    fig = Figure(figsize=(3.2 * cols, 3.2 * rows + 0.6))
    for i in range(k):
        ax = fig.add_subplot(rows, cols, i + 1)
        e = np.zeros(basis.dim)
        e[i] = 1.0
        Wi = basis.apply(e).reshape(m, n)
        lim = max(np.abs(Wi).max(), 1e-12)
        ax.imshow(Wi, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
        _decorate(ax, basis, m, n, labels=False)
        ax.set_title(_short_label(names[i]), fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    more = f" (first {k} of {basis.dim})" if basis.dim > k else ""
    fig.suptitle(title or f"{basis.dim} basis elements of {basis.rep}{more}", fontsize=10)
    if basis.dim == 0:
        fig.text(0.5, 0.5, "no equivariant maps (dimension 0)", ha="center")
    return fig


def _short_label(label) -> str:
    s = str(label)
    if s.startswith("Pattern(") and s.endswith(")"):
        s = s[len("Pattern(") : -1]
    return s if len(s) <= 40 else s[:37] + "..."


def picture_path(path) -> Path:
    """The file a picture is written to: ``path`` itself when its extension is a format matplotlib
    writes (png, svg, pdf, ...), ``path`` + ``.png`` when it has none. Checks that the place is
    writable; a ValueError names the path and what to do otherwise."""
    path = Path(path)
    formats = FigureCanvasAgg.get_supported_filetypes()
    ext = path.suffix[1:].lower()
    if not ext:
        path = path.with_name(path.name + ".png")
    elif ext not in formats:
        raise ValueError(
            f"cannot write a picture to {path}: {path.suffix!r} is not a picture format; "
            f"use one of {', '.join('.' + f for f in sorted(formats))}"
        )
    return check_writable_file(path, "the picture")


def check_dpi(dpi) -> int:
    """``dpi`` as an int in 1..MAX_DPI, else a ValueError naming it."""
    if isinstance(dpi, bool) or not isinstance(dpi, (int, np.integer)) or not 1 <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be an integer from 1 to {MAX_DPI}, got {dpi!r}")
    return int(dpi)


def save_basis_picture(
    basis, path, title: str | None = None, dpi: int = 120, mode: str = "auto", labels: list | None = None
) -> Path:
    """Draw the basis and write it (atomically) to ``path`` (PNG, SVG, PDF by extension; ``.png``
    appended when there is none). Returns the path written."""
    dpi = check_dpi(dpi)
    path = picture_path(path)
    fig = draw_basis(basis, title=title, mode=mode, labels=labels)
    FigureCanvasAgg(fig)
    w, h = fig.get_size_inches()
    fmt = path.suffix[1:].lower()
    if fmt not in ("svg", "svgz", "pdf", "eps", "ps") and w * h * dpi * dpi > MAX_PIXELS:
        most = int(math.sqrt(MAX_PIXELS / (w * h)))
        raise ValueError(
            f"a {w:.1f} x {h:.1f} inch picture at dpi {dpi} would have "
            f"{int(w * dpi)} x {int(h * dpi)} pixels (over {MAX_PIXELS}); use dpi <= {most} "
            f"or a vector format (.svg, .pdf)"
        )
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight")
    return atomic_write_bytes(path, buf.getvalue())
