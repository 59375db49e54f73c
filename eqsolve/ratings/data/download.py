"""Download helper for the public MovieLens archives, with SHA-256 verification.

The file is streamed to a temporary file beside the destination, its SHA-256 is checked, and
only then is it moved into place with ``os.replace`` (atomic): a failed or corrupted download
never leaves a file at the destination. Nothing here runs at import time; tests point ``url`` at
a local server.

MovieLens data may not be redistributed (GroupLens license): the package never ships it; users
download it from GroupLens with :func:`fetch_movielens`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
import zipfile
from pathlib import Path

__all__ = ["MOVIELENS", "sha256_file", "download", "fetch_movielens", "ChecksumError"]

# Public GroupLens archives. ``sha256`` of the zip as published by GroupLens; None = unknown
# (then the download is accepted but its digest is printed/returned so it can be pinned).
MOVIELENS = {
    "ml-100k": {
        "url": "https://files.grouplens.org/datasets/movielens/ml-100k.zip",
        "sha256": "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229",
        "folder": "ml-100k",
    },
    "ml-1m": {
        "url": "https://files.grouplens.org/datasets/movielens/ml-1m.zip",
        "sha256": "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20",
        "folder": "ml-1m",
    },
    "ml-10m": {
        "url": "https://files.grouplens.org/datasets/movielens/ml-10m.zip",
        "sha256": None,
        "folder": "ml-10M100K",
    },
}


class ChecksumError(ValueError):
    """The downloaded file's SHA-256 differs from the expected one."""


def sha256_file(path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def download(url: str, dest, sha256: str | None = None, *, progress: bool = False, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``dest`` atomically; verify ``sha256`` if given.

    If ``dest`` already exists with the right checksum it is kept (no network). Raises
    ``ChecksumError`` (and leaves no file at ``dest``) when the digest does not match.
    """
    dest = Path(dest)
    if dest.exists() and sha256 is not None and sha256_file(dest) == sha256.lower():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    h = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            bar = None
            if progress:
                from tqdm.auto import tqdm

                bar = tqdm(total=total, unit="B", unit_scale=True, desc=dest.name)
            for block in iter(lambda: resp.read(1 << 16), b""):
                out.write(block)
                h.update(block)
                if bar is not None:
                    bar.update(len(block))
            if bar is not None:
                bar.close()
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if sha256 is not None and digest != sha256.lower():
            raise ChecksumError(f"checksum mismatch for {url}: expected sha256 {sha256}, got {digest}")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def fetch_movielens(
    name: str = "ml-100k", root=".", *, url: str | None = None, sha256: str | None = "default", progress: bool = False
) -> Path:
    """Download and unzip a MovieLens archive into ``root``; returns the data folder.

    ``url``/``sha256`` override the table (tests use a local server); ``sha256="default"``
    takes the pinned digest from :data:`MOVIELENS`.
    """
    if name not in MOVIELENS:
        raise ValueError(f"unknown MovieLens archive {name!r}; known: {sorted(MOVIELENS)}")
    info = MOVIELENS[name]
    root = Path(root)
    folder = root / info["folder"]
    if folder.is_dir() and any(folder.iterdir()):
        return folder
    digest = info["sha256"] if sha256 == "default" else sha256
    zpath = download(url or info["url"], root / f"{name}.zip", digest, progress=progress)
    with zipfile.ZipFile(zpath) as z:
        for member in z.namelist():  # refuse path traversal
            target = (root / member).resolve()
            if not str(target).startswith(str(root.resolve())):
                raise ValueError(f"{zpath}: unsafe member path {member!r}")
        tmpdir = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
        z.extractall(tmpdir)
        src = tmpdir / info["folder"]
        if not src.is_dir():
            raise ValueError(f"{zpath}: expected a folder {info['folder']!r} inside the archive")
        os.replace(src, folder)
        try:
            tmpdir.rmdir()
        except OSError:
            pass
    return folder
