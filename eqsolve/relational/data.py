"""Relational tensors (knowledge-graph triples) as dense entity x entity x relation arrays.

Files: one ``head<TAB>relation<TAB>tail`` triple per line (the Kinships / UMLS / Nations
splits of ``../shared/data/kg/NAME/{train,valid,test}.txt``; see PROVENANCE.md there).

Conventions: a split is an int array ``(n, 3)`` of ``(head, relation, tail)`` ids; the
tensor of a split is ``X[h, t, r] = 1`` (entity axes first, relation last), shape (E, E, R).
Entity ids are the sorted union of all names seen as head or tail in the three splits,
relation ids the sorted relation names, so ids do not depend on file order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "DATASETS",
    "KGData",
    "default_data_root",
    "known_tensor",
    "load_kg",
    "read_triples",
    "synthetic_kg",
    "to_tensor",
]

DATASETS = ("kinships", "umls", "nations")
SPLITS = ("train", "valid", "test")


def default_data_root() -> Path:
    """The folder holding ``kinships/``, ``umls/``, ``nations/``: ``$EQSOLVE_KG_DATA`` when set,
    else ``../shared/data/kg`` relative to the repository root (this file is
    eqsolve/relational/data.py)."""
    env = os.environ.get("EQSOLVE_KG_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "kg"


def read_triples(path) -> list[tuple[str, str, str]]:
    """(head, relation, tail) name triples of a tab-separated file; blank lines are skipped."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(
            f"triples file {path} does not exist; pass the folder holding "
            f"train.txt/valid.txt/test.txt (e.g. --data ../shared/data/kg/nations)"
        )
    out = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise ValueError(f"{path}:{i}: expected 'head<TAB>relation<TAB>tail', got {line!r}")
            out.append((parts[0], parts[1], parts[2]))
    return out


@dataclass
class KGData:
    """A relational data set with fixed id spaces.

    Attributes:
        entities: (E,) entity names in id order.
        relations: (R,) relation names in id order.
        splits: {"train"|"valid"|"test": int64 array (n, 3) of (head, relation, tail)}.
        name: the data set's name (the folder name).
    """

    entities: np.ndarray
    relations: np.ndarray
    splits: dict
    name: str = ""

    @property
    def num_entities(self) -> int:
        return len(self.entities)

    @property
    def num_relations(self) -> int:
        return len(self.relations)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(E, E, R), the shape of the tensor."""
        return (self.num_entities, self.num_entities, self.num_relations)

    @classmethod
    def from_named(cls, named: dict, name: str = "") -> KGData:
        """From {split: list of (head, relation, tail) names}."""
        ents = sorted({x for tr in named.values() for h, _, t in tr for x in (h, t)})
        rels = sorted({r for tr in named.values() for _, r, _ in tr})
        eid = {e: i for i, e in enumerate(ents)}
        rid = {r: i for i, r in enumerate(rels)}
        splits = {
            k: np.array([(eid[h], rid[r], eid[t]) for h, r, t in v], dtype=np.int64).reshape(-1, 3)
            for k, v in named.items()
        }
        return cls(np.array(ents), np.array(rels), splits, name)


def load_kg(name_or_path, root=None) -> KGData:
    """Load a data set: a name in :data:`DATASETS` (looked up under ``root``, default
    :func:`default_data_root`) or a folder holding ``train.txt``, ``valid.txt``, ``test.txt``."""
    p = Path(name_or_path)
    if str(name_or_path) in DATASETS:
        p = Path(root if root is not None else default_data_root()) / str(name_or_path)
    if not p.is_dir():
        raise ValueError(
            f"no relational data set at {p}: give one of {', '.join(DATASETS)} with a data root "
            f"holding NAME/train.txt (default {default_data_root()}), or a folder with the three splits"
        )
    return KGData.from_named({s: read_triples(p / f"{s}.txt") for s in SPLITS}, p.name)


def to_tensor(triples: np.ndarray, shape: tuple[int, int, int], dtype=np.float32) -> np.ndarray:
    """(n, 3) (head, relation, tail) ids -> dense X (E, E, R) with X[h, t, r] = 1."""
    X = np.zeros(shape, dtype=dtype)
    triples = np.asarray(triples, dtype=np.int64).reshape(-1, 3)
    X[triples[:, 0], triples[:, 2], triples[:, 1]] = 1
    return X


def known_tensor(data: KGData, splits=SPLITS) -> np.ndarray:
    """Boolean (E, E, R): every triple of the given splits (the filter of the ranking protocol)."""
    return to_tensor(np.concatenate([data.splits[s] for s in splits]), data.shape, dtype=bool)


def synthetic_kg(num_entities: int = 12, num_groups: int = 3, seed: int = 0) -> KGData:
    """A small structured relational data set (for demos and tests without the shared data):
    entities fall into ``num_groups`` random groups; relation ``same_group`` links distinct
    members of a group (symmetric), ``likes`` is a random directed relation (density 0.2) and
    ``liked_by`` its transpose. Triples are split 80 / 10 / 10 at random (``seed``)."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, num_groups, size=num_entities)
    likes = rng.random((num_entities, num_entities)) < 0.2
    named = []
    for h in range(num_entities):
        for t in range(num_entities):
            if h != t and group[h] == group[t]:
                named.append((f"e{h}", "same_group", f"e{t}"))
            if likes[h, t]:
                named.append((f"e{h}", "likes", f"e{t}"))
                named.append((f"e{t}", "liked_by", f"e{h}"))
    order = rng.permutation(len(named))
    a, b = int(0.8 * len(named)), int(0.9 * len(named))
    pick = lambda idx: [named[i] for i in idx]
    return KGData.from_named(
        {"train": pick(order[:a]), "valid": pick(order[a:b]), "test": pick(order[b:])}, "synthetic"
    )
