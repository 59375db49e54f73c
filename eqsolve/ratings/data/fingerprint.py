"""Fingerprints of ratings data: SHA-256 digests that tell whether two runs saw the same data.

``ratings_fingerprint(*sets)`` digests the entries and shapes of ``Ratings`` objects (what a
checkpoint records: resuming on other data is refused). ``path_fingerprint(path)`` digests the
files a data path names (a file, or every file of a folder), recorded in ``data.json`` so that
``evaluate`` notices when the data on disk changed since training.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

__all__ = ["ratings_fingerprint", "path_fingerprint"]


def ratings_fingerprint(*sets) -> str:
    """Digest of ``Ratings`` objects (None entries allowed): ids, values and matrix shapes."""
    h = hashlib.sha256()
    for r in sets:
        if r is None:
            h.update(b"none|")
            continue
        h.update(f"{r.n_users}x{r.n_items}|{len(r)}|".encode())
        for a in (r.users, r.items, r.ratings):
            h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def path_fingerprint(path) -> str:
    """Digest of the files at ``path`` (a file, or the files of a folder, by name and content)."""
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.relative_to(path) if path.is_dir() else f.name}|".encode())
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()
