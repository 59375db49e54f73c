"""Loaders: MovieLens-100K folders and plain ratings triples files.

* MovieLens-100K: ``u.data`` / ``uK.base`` / ``uK.test`` are tab-separated
  ``user item rating timestamp`` lines with 1-based ids. ``load_movielens_100k(path, fold)``
  returns (train, test) sharing one id space (the raw ids of ``u.data`` when present, else
  of the union of the two files).
* MovieLens-1M/10M ``ratings.dat``: ``user::item::rating::timestamp`` (``load_triples`` with
  ``sep="::"``).
* Any ratings data: ``load_triples(path)`` reads ``user item rating [split]`` lines separated
  by tabs, commas, spaces or ``::`` (detected); ``#`` comments and a header line with a
  non-numeric rating column are skipped; ids may be any strings.

Split labels (the optional 4th column), case-insensitive: the words ``train`` (or
``training``), ``valid`` (or ``validation``, ``val``) and ``test``, or the integer codes
``0`` = train, ``1`` = valid, ``2`` = test (``SPLIT_CODES``). They are normalized to the three
words. A numeric 4th column with more than 10 distinct values is a timestamp, not a split
(MovieLens ``ratings.dat``). Any other label is an error that names the labels found and the
accepted ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .ratings import Ratings

__all__ = [
    "SPLIT_CODES",
    "SPLIT_WORDS",
    "normalize_split",
    "load_movielens_100k",
    "load_movielens_side_features",
    "load_triples",
    "load_ratings",
    "describe_split",
    "read_triples_file",
    "save_triples",
]


SPLIT_CODES = {"0": "train", "1": "valid", "2": "test"}
SPLIT_WORDS = {
    "train": "train",
    "training": "train",
    "valid": "valid",
    "validation": "valid",
    "val": "valid",
    "test": "test",
}


def _accepted_labels() -> str:
    return (
        ", ".join(sorted(set(SPLIT_WORDS)))
        + "; or the codes "
        + ", ".join(f"{k} = {v}" for k, v in SPLIT_CODES.items())
    )


def normalize_split(labels, source="ratings") -> np.ndarray | None:
    """Split labels -> an array of "train" / "valid" / "test" (see the module docstring).

    Returns None for a timestamp column (numeric, more than 10 distinct values). Raises
    ``ValueError`` naming ``source``, the labels found and the accepted ones otherwise.
    """
    labels = np.asarray(labels).astype(str)
    found = np.unique(labels)
    table = {**SPLIT_WORDS, **SPLIT_CODES}
    keys = np.char.lower(np.char.strip(labels))
    if all(k in table for k in np.unique(keys)):
        return np.array([table[k] for k in keys.tolist()], dtype="<U5")
    try:
        found.astype(float)
        numeric = True
    except ValueError:
        numeric = False
    if numeric and len(found) > 10:
        return None
    shown = ", ".join(repr(x) for x in found[:10]) + (f" ... ({len(found)} distinct)" if len(found) > 10 else "")
    raise ValueError(
        f"{source}: unknown split label(s) in the 4th column: found {shown}; accepted: {_accepted_labels()}"
    )


def describe_split(r: Ratings) -> str:
    """ "train (800), valid (100)": the split labels of ``r`` with their counts, or "no split column"."""
    if r.split is None:
        return "no split column"
    lab, cnt = np.unique(r.split.astype(str), return_counts=True)
    return ", ".join(f"{a} ({b})" for a, b in zip(lab, cnt))


def _detect_sep(line: str):
    for sep in ("::", "\t", ","):
        if sep in line:
            return sep
    return None  # whitespace


MAX_LEVELS = 20
"""The most distinct rating values a data set may have: the models classify each rating into one
of the levels of a discrete scale (1..5 stars, half stars 0.5..5), so real-valued ratings (one
class per value) are refused by name instead of training a model with hundreds of classes."""


def read_triples_file(path, sep: str | None = "auto", with_lines: bool = False):
    """Read columns (users, items, ratings, extra) as string/float arrays.

    ``extra`` is the 4th column (split label or timestamp) or None. With ``with_lines`` a fifth
    array gives each row's line number in the file (for error messages).
    """
    path = Path(path)
    users, items, ratings, extra, lines = [], [], [], [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        first = True
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if sep == "auto":
                sep = _detect_sep(line)
            parts = [p.strip() for p in (line.split(sep) if sep else line.split())]
            if len(parts) < 3:
                raise ValueError(f"{path}:{lineno}: expected 'user item rating [split]', got {line!r}")
            try:
                rv = float(parts[2])
            except ValueError:
                if first:  # header
                    first = False
                    continue
                raise ValueError(f"{path}:{lineno}: rating {parts[2]!r} is not a number") from None
            first = False
            if not np.isfinite(rv):
                raise ValueError(f"{path}:{lineno}: rating {parts[2]!r} is not a finite number")
            users.append(parts[0])
            items.append(parts[1])
            ratings.append(rv)
            extra.append(parts[3] if len(parts) > 3 else None)
            lines.append(lineno)
    if not ratings:
        raise ValueError(f"{path}: no ratings found")
    ex = None if all(e is None for e in extra) else np.array(["" if e is None else e for e in extra])
    out = np.array(users), np.array(items), np.array(ratings, np.float32), ex
    return out + (np.array(lines, np.int64),) if with_lines else out


def _pair_keys(users: list, items: list) -> list[np.ndarray]:
    """One int64 key per (user, item) pair, for several sets of rows encoded jointly (ids of any
    type: they are ranked by np.unique, so equal ids give equal keys across the sets)."""
    sizes = [len(x) for x in users]
    _, ui = np.unique(np.concatenate([np.asarray(x) for x in users]), return_inverse=True)
    _, ii = np.unique(np.concatenate([np.asarray(x) for x in items]), return_inverse=True)
    keys = ui.reshape(-1).astype(np.int64) * (int(ii.max(initial=0)) + 1) + ii.reshape(-1)
    return np.split(keys, np.cumsum(sizes)[:-1])


def check_pairs(users, items, lines, where: str, test: tuple | None = None, test_where: str | None = None) -> None:
    """Refuse a (user, item) pair rated twice, naming both lines: within one set of ratings
    (``users``, ``items``, ``lines`` of file ``where``), and, with ``test`` = (users, items,
    lines) of the test ratings, a test pair that is also a training pair (a test rating copied
    into the training data leaks the answer). Policy: an error, never a silent choice."""
    u, i = np.asarray(users), np.asarray(items)
    if test is None:
        (keys,) = _pair_keys([u], [i])
    else:
        tu, ti, tl = (np.asarray(x) for x in test)
        keys, tkeys = _pair_keys([u, tu], [i, ti])
    _, first, inv, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    repeat = (counts[inv] > 1) & (first[inv] != np.arange(len(keys)))
    if np.any(repeat):
        j = int(np.argmax(repeat))  # the earliest row that repeats an earlier pair
        k = int(first[inv[j]])
        raise ValueError(
            f"{where}:{lines[j]}: user {u[j]} rated item {i[j]} again (first at line {lines[k]}); "
            f"keep one rating per (user, item) pair"
        )
    if test is None:
        return
    hit = np.isin(tkeys, keys)
    if np.any(hit):
        j = int(np.argmax(hit))
        k = int(np.flatnonzero(keys == tkeys[j])[0])
        raise ValueError(
            f"{test_where or where}:{tl[j]}: the test rating of user {tu[j]} for item {ti[j]} is also a "
            f"training rating ({where}:{lines[k]}); a test rating seen in training leaks the answer: "
            f"remove it from the training ratings"
        )


def check_levels(ratings, lines, where: str, max_levels: int = MAX_LEVELS) -> None:
    """Refuse ratings with more than ``max_levels`` distinct values, naming the file and a line."""
    values, first = np.unique(np.asarray(ratings), return_index=True)
    if len(values) > max_levels:
        frac = np.flatnonzero(values != np.round(values))
        k = int(first[frac[0]]) if len(frac) else int(first[max_levels])
        raise ValueError(
            f"{where}:{lines[k]}: the ratings take {len(values)} distinct values (this one "
            f"{float(np.asarray(ratings)[k]):g}); eqsolve models ratings on a discrete scale of at most "
            f"{max_levels} levels (e.g. 1..5 stars) for training. Round the ratings to a scale first "
            f"(`eqsolve evaluate` maps any numeric scale onto a trained model's levels: --scale)"
        )


def _as_ids(a):
    """Numeric ids sort numerically; others as strings."""
    try:
        return a.astype(np.int64)
    except ValueError:
        return a


def load_triples(
    path, sep: str | None = "auto", split_column: bool = True, max_levels: int | None = MAX_LEVELS
) -> Ratings:
    """Load a ``user item rating [split]`` file (see module docstring) into ``Ratings``.

    Split labels are normalized to train / valid / test (unknown labels are refused by name).
    Refused with the file and line: a (user, item) pair rated twice in one split, a test pair
    that is also a training pair, ratings with more than ``max_levels`` distinct values (None: any
    number, for data that is only evaluated on its own scale)."""
    u, i, r, ex, lines = read_triples_file(path, sep, with_lines=True)
    split = normalize_split(ex, str(path)) if (split_column and ex is not None) else None
    _check_file(path, u, i, r, split, lines, max_levels=max_levels)
    return Ratings.from_raw(_as_ids(u), _as_ids(i), r, split=split)


def _check_file(path, u, i, r, split, lines, test_label: str = "test", max_levels: int | None = MAX_LEVELS) -> None:
    if max_levels is not None:
        check_levels(r, lines, str(path), max_levels)
    if split is None or not _is_split_column(split, test_label):
        check_pairs(u, i, lines, str(path))
        return
    t = split.astype(str) == test_label
    check_pairs(u[~t], i[~t], lines[~t], str(path))
    check_pairs(u[t], i[t], lines[t], str(path))
    check_pairs(u[~t], i[~t], lines[~t], str(path), test=(u[t], i[t], lines[t]))


def _is_split_column(split, test_label: str = "test") -> bool:
    """A 4th column is a split unless it has no test label and many values (a timestamp)."""
    s = split.astype(str)
    return bool((s == test_label).any() or len(np.unique(s)) <= 10)


def save_triples(r: Ratings, path, with_split: bool = True) -> None:
    """Write ``r`` as tab-separated ``user item rating [split]`` (raw ids when known)."""
    u = r.users if r.user_vocab is None else r.user_vocab[r.users]
    i = r.items if r.item_vocab is None else r.item_vocab[r.items]
    with open(path, "w", encoding="utf-8") as f:
        for k in range(len(r)):
            row = [str(u[k]), str(i[k]), f"{r.ratings[k]:g}"]
            if with_split and r.split is not None:
                row.append(str(r.split[k]))
            f.write("\t".join(row) + "\n")


def _read_ml(path):
    a = np.loadtxt(path, dtype=np.int64, delimiter="\t", ndmin=2)
    if a.shape[1] < 3:
        raise ValueError(f"{path}: expected 'user item rating timestamp' lines")
    return a


def load_movielens_100k(path, fold: int | str = 1) -> tuple[Ratings, Ratings]:
    """(train, test) of a MovieLens-100K folder for split ``fold`` in 1..5 (or 'a'/'b').

    Ids are remapped to 0..n-1 over ``u.data`` (943 users x 1682 items) when it is present,
    so every fold has the same matrix shape; otherwise over the union of base and test.
    """
    path = Path(path)
    base, test = path / f"u{fold}.base", path / f"u{fold}.test"
    for p in (base, test):
        if not p.exists():
            raise ValueError(f"MovieLens-100K file {p} not found (expected u1..u5 .base/.test)")
    a, b = _read_ml(base), _read_ml(test)
    check_pairs(
        a[:, 0],
        a[:, 1],
        np.arange(1, len(a) + 1),
        str(base),
        test=(b[:, 0], b[:, 1], np.arange(1, len(b) + 1)),
        test_where=str(test),
    )
    check_pairs(b[:, 0], b[:, 1], np.arange(1, len(b) + 1), str(test))
    full = path / "u.data"
    if full.exists():
        allr = _read_ml(full)
        uv, iv = np.unique(allr[:, 0]), np.unique(allr[:, 1])
    else:
        uv, iv = np.unique(np.r_[a[:, 0], b[:, 0]]), np.unique(np.r_[a[:, 1], b[:, 1]])
    tr = Ratings.from_raw(a[:, 0], a[:, 1], a[:, 2], user_vocab=uv, item_vocab=iv)
    te = Ratings.from_raw(b[:, 0], b[:, 1], b[:, 2], user_vocab=uv, item_vocab=iv)
    tr.split = np.full(len(tr), "train")
    te.split = np.full(len(te), "test")
    return tr, te


def load_ratings(
    path, fold: int | str = 1, test_label: str = "test", max_levels: int | None = MAX_LEVELS
) -> tuple[Ratings, Ratings | None]:
    """(train, test) from a MovieLens-100K folder, a ``ratings.dat`` or a triples file.

    A triples file with a split column gives train = rows whose split is not ``test_label``
    (train and valid rows, labels kept in ``train.split``) and test = rows labelled
    ``test_label`` (same id space); without a split column test is None.
    """
    path = Path(path)
    if path.is_dir():
        from .generate import COLUMNS_META, load_columns

        if (path / COLUMNS_META).exists():  # a columns folder (eqsolve.ratings.data.generate)
            return load_columns(path)
        if (path / f"u{fold}.base").exists():
            return load_movielens_100k(path, fold)
        for name in ("ratings.dat", "ratings.csv", "ratings.tsv", "ratings.txt"):
            if (path / name).exists():
                return load_ratings(path / name, fold, test_label, max_levels)
        raise ValueError(f"{path}: no u{fold}.base or ratings.* file found")
    if not path.exists():
        raise ValueError(f"ratings file {path} not found")
    r = load_triples(path, max_levels=max_levels)
    if r.split is None:
        return r, None
    is_test = r.split.astype(str) == test_label
    # a 4th column that is a timestamp (all numeric, many values) is not a split
    if not _is_split_column(r.split, test_label):
        r.split = None
        return r, None
    if is_test.all():
        raise ValueError(
            f"{path}: every rating is labelled {test_label!r}, so there is nothing to train on; "
            f"label the training ratings 'train' (4th column)"
        )
    return r.subset(~is_test), r.subset(is_test)


def _read_pipe_file(path):
    with open(path, encoding="latin-1") as f:
        return [line.rstrip("\n").split("|") for line in f if line.strip()]


def load_movielens_side_features(path, ratings: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Per-user and per-item features of a MovieLens-100K folder (``u.user``, ``u.item``).

    Rows follow the id space of ``ratings`` (its ``user_vocab`` / ``item_vocab`` of raw ids).

    * users (n_users, 23): age standardized over the users, gender (1 = F), occupation one-hot
      (the 21 occupations of ``u.user``, in sorted order);
    * items (n_items, 20): the 19 genre flags and the release year standardized over the
      items with a date (0 where the date is missing).

    Raises ``ValueError`` when a file is missing or lacks a user / item of ``ratings``.
    """
    path = Path(path)
    for name in ("u.user", "u.item"):
        if not (path / name).exists():
            raise ValueError(f"MovieLens-100K side-feature file {path / name} not found")
    if ratings.user_vocab is None or ratings.item_vocab is None:
        raise ValueError("ratings need raw-id vocabularies (load them with load_movielens_100k)")
    users = _read_pipe_file(path / "u.user")
    occupations = sorted({u[3] for u in users})
    by_user = {}
    age = np.array([float(u[1]) for u in users])
    age = (age - age.mean()) / age.std()
    for k, u in enumerate(users):
        f = np.zeros(2 + len(occupations), np.float32)
        f[0], f[1] = age[k], float(u[2] == "F")
        f[2 + occupations.index(u[3])] = 1.0
        by_user[int(u[0])] = f
    items = _read_pipe_file(path / "u.item")
    years = np.array([float(it[2][-4:]) if it[2][-4:].isdigit() else np.nan for it in items])
    known = ~np.isnan(years)
    years = np.where(known, (years - np.nanmean(years)) / np.nanstd(years), 0.0)
    by_item = {
        int(it[0]): np.r_[np.asarray(it[-19:], np.float32), years[k]].astype(np.float32) for k, it in enumerate(items)
    }

    def table(vocab, rows, what):
        missing = [v for v in vocab.tolist() if int(v) not in rows]
        if missing:
            raise ValueError(f"{path}: no {what} features for id {missing[0]!r}")
        return np.stack([rows[int(v)] for v in vocab.tolist()])

    return table(ratings.user_vocab, by_user, "user"), table(ratings.item_vocab, by_item, "item")
