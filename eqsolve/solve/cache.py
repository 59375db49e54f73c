"""Basis cache: in memory always, on disk when a directory is set.

Keys are value keys of monomial blocks (groups compare by value), so identical blocks across
reps are solved once. Disk entries are ``.npz`` files written atomically (temp file, then
``os.replace``); only dense (numerically solved) bases are written, exact ones are cheaper to
recompute than to read.

Each disk entry is versioned and checksummed: the file name is a digest of
``(FORMAT_VERSION, key)`` and the file holds the format version, the full key and a SHA-256 of
its arrays. On read, an entry that cannot be read (truncated, not a zip), has another version or
key, fails its checksum, or fails the caller's ``validate`` check (e.g. a basis that does not
satisfy the block's constraints) is reported with a :class:`CacheWarning` and treated as a
miss: the block is recomputed and the entry overwritten.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

from .basis import Basis, DenseBasis
from .constraints import block_constraints, residuals

FORMAT_VERSION = 2
_MEMORY: dict = {}
_DISK_DIR: Path | None = Path(os.environ["EQSOLVE_CACHE_DIR"]) if os.environ.get("EQSOLVE_CACHE_DIR") else None


class CacheWarning(UserWarning):
    """A disk cache entry was unusable and is being recomputed."""


def set_cache_dir(path: str | os.PathLike | None) -> None:
    """Enable (or with None disable) the on-disk cache in ``path``."""
    global _DISK_DIR
    _DISK_DIR = Path(path) if path is not None else None
    if _DISK_DIR is not None:
        _DISK_DIR.mkdir(parents=True, exist_ok=True)


def clear_memory() -> None:
    _MEMORY.clear()


def _digest(key) -> str:
    return hashlib.sha256(repr((FORMAT_VERSION, key)).encode()).hexdigest()[:32]


def entry_path(key) -> Path | None:
    """Where ``key``'s disk entry lives (None when the disk cache is off)."""
    return None if _DISK_DIR is None else _DISK_DIR / f"{_digest(key)}.npz"


def _checksum(Q: np.ndarray, residuals: np.ndarray, method: str, key_repr: str) -> str:
    h = hashlib.sha256()
    for a in (Q, residuals):
        a = np.ascontiguousarray(a, dtype=np.float64)
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    h.update(method.encode())
    h.update(key_repr.encode())
    return h.hexdigest()


def lookup(key, validate: Callable[[DenseBasis], str | None] | None = None) -> Basis | None:
    """The cached basis of ``key`` or None.

    ``validate(basis)`` is called on entries read from disk; it returns None when the basis is
    right for the block, else a reason (then the entry is recomputed with a warning).
    """
    hit = _MEMORY.get(key)
    if hit is not None:
        if _DISK_DIR is not None and isinstance(hit, DenseBasis) and not entry_path(key).exists():
            _write(key, hit)  # solved before the directory was set: persist it now
        return hit
    if _DISK_DIR is None:
        return None
    path = entry_path(key)
    if not path.exists():
        return None
    basis, reason = _read(path, key)
    if basis is not None and validate is not None:
        reason = validate(basis)
        if reason is not None:
            basis = None
    if basis is None:
        warnings.warn(
            f"solver cache entry {path} {reason}; recomputing the basis and overwriting the entry",
            CacheWarning,
            stacklevel=3,
        )
        return None
    _MEMORY[key] = basis
    return basis


def _read(path: Path, key) -> tuple[DenseBasis | None, str | None]:
    """(basis, None) or (None, why the entry is unusable)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            fields = {name: data[name] for name in ("Q", "residuals", "method", "key", "version", "checksum")}
    except KeyError as e:
        return None, f"lacks the field {e} (written by another eqsolve version?)"
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        return None, f"is unreadable ({type(e).__name__}: {e})"
    if int(fields["version"]) != FORMAT_VERSION:
        return None, f"has format version {int(fields['version'])}, expected {FORMAT_VERSION}"
    if str(fields["key"]) != repr(key):
        return None, "belongs to another block (its key differs)"
    Q, res, method = fields["Q"], fields["residuals"], str(fields["method"])
    if Q.ndim != 2 or Q.dtype != np.float64 or res.shape != (Q.shape[1],):
        return None, f"has malformed arrays (Q {Q.shape} {Q.dtype}, residuals {res.shape})"
    if _checksum(Q, res, method, str(fields["key"])) != str(fields["checksum"]):
        return None, "fails its checksum (corrupted or edited)"
    return DenseBasis(Q, res, method=method), None


def check_block_basis(mono, basis: DenseBasis, tol: float = 1e-6) -> str | None:
    """None when ``basis`` is an orthonormal invariant basis of the monomial block ``mono``
    (size, orthonormal columns, every generator constraint below ``tol``), else the reason."""
    Q = basis.Q
    if Q.shape[0] != mono.size:
        return f"holds a basis of size {Q.shape[0]}, the block has size {mono.size}"
    if Q.shape[1] and np.abs(Q.T @ Q - np.eye(Q.shape[1])).max() > tol:
        return "holds a basis whose columns are not orthonormal"
    worst = float(residuals(block_constraints(mono), Q).max()) if Q.shape[1] else 0.0
    if worst > tol:
        return f"holds a basis that is not invariant (constraint residual {worst:.2g} > {tol:g})"
    return None


def store(key, basis: Basis) -> None:
    _MEMORY[key] = basis
    if _DISK_DIR is None or not isinstance(basis, DenseBasis):
        return
    _write(key, basis)


def _write(key, basis: DenseBasis) -> None:
    """Write one dense basis atomically (temp file, then os.replace)."""
    _DISK_DIR.mkdir(parents=True, exist_ok=True)
    residuals = basis.residuals if basis.residuals is not None else np.zeros(basis.dim)
    residuals = np.asarray(residuals, dtype=np.float64)
    key_repr = repr(key)
    fd, tmp = tempfile.mkstemp(dir=_DISK_DIR, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(
                fh,
                Q=basis.Q,
                residuals=residuals,
                method=basis.method,
                key=key_repr,
                version=FORMAT_VERSION,
                checksum=_checksum(basis.Q, residuals, basis.method, key_repr),
            )
        os.replace(tmp, entry_path(key))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
