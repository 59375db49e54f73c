"""Relational tensors (knowledge graphs: entity x entity x relation) with exchangeable models.

- :mod:`.data`: loaders for ``head<TAB>relation<TAB>tail`` splits, dense (E, E, R) tensors;
- :mod:`.model`: :class:`RelationalNet`, layers solved for ``V(S(E))**2 * V(S(R))``;
- :mod:`.train`: masked self-supervised training with early stopping on valid;
- :mod:`.evaluate`: filtered ranks (both directions, ties as mean rank), MRR, Hits@k;
- :mod:`.inductive`: scoring entities held out of training (protocol in its docstring).
"""

from .data import (
    DATASETS,
    KGData,
    default_data_root,
    known_tensor,
    load_kg,
    read_triples,
    synthetic_kg,
    to_tensor,
)
from .evaluate import evaluate_scores, filtered_ranks, rank_metrics
from .inductive import inductive_eval, inductive_queries, inductive_split
from .model import RelationalNet, channel_dropout, relational_rep
from .train import FitResult, TrainConfig, fit, score_tensor

__all__ = [
    "DATASETS",
    "FitResult",
    "KGData",
    "RelationalNet",
    "TrainConfig",
    "channel_dropout",
    "default_data_root",
    "evaluate_scores",
    "filtered_ranks",
    "fit",
    "inductive_eval",
    "inductive_queries",
    "inductive_split",
    "known_tensor",
    "load_kg",
    "rank_metrics",
    "read_triples",
    "relational_rep",
    "score_tensor",
    "synthetic_kg",
    "to_tensor",
]
