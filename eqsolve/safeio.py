"""Safe file output for the edge (CLI, applications): check a place is writable before the work,
write files atomically (temp file in the same directory, fsync, ``os.replace``), so a crash, a
Ctrl-C or a full disk leaves either the old file or the new one, never a half-written one.

Errors are ``ValueError``\\ s naming the path, the reason and what to do.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

__all__ = ["check_writable_file", "check_writable_dir", "atomic_write_bytes", "atomic_write_text", "atomic_write_json"]


def _probe(directory: Path, what: str, target: Path) -> None:
    """Create and remove a temp file in ``directory`` (the only check that holds for root, ACLs,
    read-only mounts and full disks alike)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".eqsolve-probe-")
    except OSError as err:
        raise ValueError(
            f"cannot write {what} {target}: {err.strerror or err} in {directory}; choose a writable location"
        ) from None
    os.close(fd)
    os.unlink(tmp)


def check_writable_dir(path: str | os.PathLike, what: str = "to the directory", create: bool = True) -> Path:
    """``path`` as an absolute Path after checking a file can be created in it (the directory is
    created first when ``create``). Raises ValueError naming the path otherwise."""
    d = Path(path).expanduser().absolute()
    if d.exists() and not d.is_dir():
        raise ValueError(f"cannot write {what} {d}: it exists and is not a directory; choose another path")
    if not d.exists():
        if not create:
            raise ValueError(f"cannot write {what} {d}: the directory does not exist; create it first")
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ValueError(f"cannot create {what} {d}: {err.strerror or err}; choose a writable location") from None
    _probe(d, what, d)
    return d


def check_writable_file(path: str | os.PathLike, what: str = "the file") -> Path:
    """``path`` as an absolute Path after checking it can be (over)written: its directory exists
    and accepts a new file, and the path is not a directory. Raises ValueError otherwise."""
    p = Path(path).expanduser().absolute()
    if p.is_dir():
        raise ValueError(f"cannot write {what} {p}: it is a directory; give a file name")
    if not p.parent.is_dir():
        raise ValueError(f"cannot write {what} {p}: the directory {p.parent} does not exist; create it first")
    _probe(p.parent, what, p)
    return p


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; on any failure the previous file is untouched and no
    temp file is left behind (the OSError propagates)."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return p


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode())


def atomic_write_json(path: str | os.PathLike, obj) -> Path:
    """``obj`` as indented JSON, written atomically (NaN/inf are refused: JSON has none)."""
    return atomic_write_text(path, json.dumps(obj, indent=2, allow_nan=False) + "\n")
