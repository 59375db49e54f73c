"""Ratings data: the ``Ratings`` container, loaders, download helper, samplers, synthetic data."""

from .ratings import Ratings, bias_baseline, remap_ids
from .movielens import load_movielens_100k, load_ratings, load_triples, save_triples
from .download import MOVIELENS, ChecksumError, download, fetch_movielens, sha256_file
from .sampling import coverage_blocks, sample_conditional, sample_uniform
from .synthetic import synthetic_ratings

__all__ = [
    "Ratings",
    "bias_baseline",
    "remap_ids",
    "load_movielens_100k",
    "load_ratings",
    "load_triples",
    "save_triples",
    "MOVIELENS",
    "ChecksumError",
    "download",
    "fetch_movielens",
    "sha256_file",
    "coverage_blocks",
    "sample_conditional",
    "sample_uniform",
    "synthetic_ratings",
]
