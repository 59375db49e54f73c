"""Basis cache: in memory always, on disk when a directory is set.

Keys are value keys of monomial blocks (groups compare by value), so identical blocks across
reps are solved once. Disk entries are ``.npz`` files written atomically (temp file, then
``os.replace``); only dense (numerically solved) bases are written, exact ones are cheaper to
recompute than to read.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from .basis import Basis, DenseBasis

_MEMORY: dict = {}
_DISK_DIR: Path | None = Path(os.environ["EQSOLVE_CACHE_DIR"]) if os.environ.get("EQSOLVE_CACHE_DIR") else None


def set_cache_dir(path: str | os.PathLike | None) -> None:
    """Enable (or with None disable) the on-disk cache in ``path``."""
    global _DISK_DIR
    _DISK_DIR = Path(path) if path is not None else None
    if _DISK_DIR is not None:
        _DISK_DIR.mkdir(parents=True, exist_ok=True)


def clear_memory() -> None:
    _MEMORY.clear()


def _digest(key) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def lookup(key) -> Basis | None:
    hit = _MEMORY.get(key)
    if hit is not None:
        if _DISK_DIR is not None and isinstance(hit, DenseBasis) and not (_DISK_DIR / f"{_digest(key)}.npz").exists():
            _write(key, hit)  # solved before the directory was set: persist it now
        return hit
    if _DISK_DIR is not None:
        path = _DISK_DIR / f"{_digest(key)}.npz"
        if path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    if str(data["key"]) == repr(key):
                        basis = DenseBasis(data["Q"], data["residuals"], method=str(data["method"]))
                        _MEMORY[key] = basis
                        return basis
            except (OSError, KeyError, ValueError):
                pass  # unreadable entry: recompute and overwrite
    return None


def store(key, basis: Basis) -> None:
    _MEMORY[key] = basis
    if _DISK_DIR is None or not isinstance(basis, DenseBasis):
        return
    _write(key, basis)


def _write(key, basis: DenseBasis) -> None:
    """Write one dense basis atomically (temp file, then os.replace)."""
    _DISK_DIR.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=_DISK_DIR, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, Q=basis.Q, residuals=basis.residuals if basis.residuals is not None else np.zeros(basis.dim),
                     method=basis.method, key=repr(key))
        os.replace(tmp, _DISK_DIR / f"{_digest(key)}.npz")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
