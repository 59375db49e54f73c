"""The ``Ratings`` container: observed entries of a (users x items) ratings matrix."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

__all__ = ["Ratings", "remap_ids", "bias_baseline"]


def remap_ids(raw, vocab=None):
    """Map raw ids (any hashable/numeric/str) to 0..n-1.

    Returns ``(ids, vocab)`` where ``vocab[ids] == raw``. With ``vocab`` given, raw ids must all
    be in it (a ``ValueError`` names the first unknown id).
    """
    raw = np.asarray(raw)
    if vocab is None:
        vocab, ids = np.unique(raw, return_inverse=True)
        return ids.astype(np.int64).reshape(raw.shape), vocab
    vocab = np.asarray(vocab)
    order = np.argsort(vocab, kind="stable")
    pos = np.searchsorted(vocab, raw, sorter=order)
    pos = np.clip(pos, 0, len(vocab) - 1)
    ids = order[pos]
    bad = vocab[ids] != raw
    if np.any(bad):
        raise ValueError(f"id {raw[np.argmax(bad)]!r} is not in the vocabulary of {len(vocab)} ids")
    return ids.astype(np.int64), vocab


@dataclass
class Ratings:
    """Observed entries of a ratings matrix.

    Attributes:
      users, items: (n,) int64 ids in [0, n_users) and [0, n_items).
      ratings: (n,) float32 rating values.
      n_users, n_items: matrix shape (rows/columns with no entries are allowed).
      split: optional (n,) array of split labels (e.g. "train"/"test" or fold numbers).
      user_vocab, item_vocab: optional arrays mapping id -> raw id from the source file.
    """

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    n_users: int
    n_items: int
    split: np.ndarray | None = None
    user_vocab: np.ndarray | None = field(default=None, repr=False)
    item_vocab: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        self.users = np.asarray(self.users, dtype=np.int64)
        self.items = np.asarray(self.items, dtype=np.int64)
        self.ratings = np.asarray(self.ratings, dtype=np.float32)
        self.n_users, self.n_items = int(self.n_users), int(self.n_items)
        n = len(self.users)
        if not (len(self.items) == n == len(self.ratings)):
            raise ValueError(
                f"Ratings: users ({len(self.users)}), items ({len(self.items)}) and ratings "
                f"({len(self.ratings)}) must have the same length"
            )
        if n and (self.users.min() < 0 or self.users.max() >= self.n_users):
            raise ValueError(f"Ratings: user ids must lie in [0, {self.n_users})")
        if n and (self.items.min() < 0 or self.items.max() >= self.n_items):
            raise ValueError(f"Ratings: item ids must lie in [0, {self.n_items})")
        if self.split is not None:
            self.split = np.asarray(self.split)
            if len(self.split) != n:
                raise ValueError(f"Ratings: split has {len(self.split)} labels for {n} entries")

    # --- construction -------------------------------------------------------------------
    @classmethod
    def from_raw(cls, users, items, ratings, split=None, user_vocab=None, item_vocab=None):
        """Build from raw ids, remapping them to 0..n-1 (sorted raw order)."""
        u, uv = remap_ids(users, user_vocab)
        i, iv = remap_ids(items, item_vocab)
        return cls(u, i, ratings, len(uv), len(iv), split, uv, iv)

    # --- views ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.users)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_users, self.n_items)

    def subset(self, mask_or_index) -> "Ratings":
        """Entries selected by a boolean mask or an index array (same id space)."""
        sel = np.asarray(mask_or_index)
        return replace(
            self,
            users=self.users[sel],
            items=self.items[sel],
            ratings=self.ratings[sel],
            split=None if self.split is None else self.split[sel],
        )

    def by_split(self, label) -> "Ratings":
        if self.split is None:
            raise ValueError("Ratings has no split column")
        return self.subset(self.split.astype(str) == str(label))

    def random_split(self, fraction: float, seed: int = 0) -> tuple["Ratings", "Ratings"]:
        """Split entries at random into (1 - fraction, fraction) parts (same id space)."""
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"fraction must be in (0, 1), got {fraction}")
        rng = np.random.default_rng(seed)
        perm = rng.permutation(len(self))
        k = int(round(fraction * len(self)))
        return self.subset(np.sort(perm[k:])), self.subset(np.sort(perm[:k]))

    def levels(self) -> np.ndarray:
        """Sorted distinct rating values (the classes of the one-hot input)."""
        return np.unique(self.ratings)

    def dense(self, fill=np.nan) -> np.ndarray:
        """(n_users, n_items) dense matrix (small data only)."""
        m = np.full(self.shape, fill, dtype=np.float32)
        m[self.users, self.items] = self.ratings
        return m

    def __repr__(self) -> str:
        return f"Ratings({len(self)} entries, {self.n_users} users x {self.n_items} items)"


def bias_baseline(train: Ratings, reg_user: float = 0.0, reg_item: float = 0.0, iters: int = 0):
    """User + item bias model ``mu + b_u + b_i`` fit on ``train``.

    ``iters=0`` (default, the reference baseline: 0.9772 on ML-100K u1): ``b_u`` and ``b_i``
    are the (damped) means of ``r - mu`` over each user's / item's ratings, independently.
    ``iters>0``: alternate item then user biases on the residuals that many times.
    Returns a predict function ``f(users, items) -> ratings`` clipped to the training range;
    unseen users/items get bias 0.
    """
    mu = float(train.ratings.mean())
    bu = np.zeros(train.n_users)
    bi = np.zeros(train.n_items)
    cu = np.bincount(train.users, minlength=train.n_users)
    ci = np.bincount(train.items, minlength=train.n_items)
    if iters == 0:
        res = train.ratings - mu
        bi = np.bincount(train.items, res, minlength=train.n_items) / (ci + reg_item + (ci == 0))
        bu = np.bincount(train.users, res, minlength=train.n_users) / (cu + reg_user + (cu == 0))
    for _ in range(iters):
        res = train.ratings - mu - bu[train.users]
        bi = np.bincount(train.items, res, minlength=train.n_items) / (ci + reg_item + (ci == 0))
        res = train.ratings - mu - bi[train.items]
        bu = np.bincount(train.users, res, minlength=train.n_users) / (cu + reg_user + (cu == 0))
    lo, hi = float(train.ratings.min()), float(train.ratings.max())

    def predict(users, items):
        users = np.asarray(users)
        items = np.asarray(items)
        bu_ = np.where(users < len(bu), bu[np.minimum(users, len(bu) - 1)], 0.0)
        bi_ = np.where(items < len(bi), bi[np.minimum(items, len(bi) - 1)], 0.0)
        return np.clip(mu + bu_ + bi_, lo, hi)

    return predict
