"""Flax NNX layers and models.

Equivariant MLPs (runtime-backed), with EMLP's names: ``Linear``, ``BiLinear``,
``GatedNonlinearity``, ``EMLP``, ``EMLPBlock``, ``MLP`` (baseline), ``Standardize``,
``uniform_rep``, ``gated``, ``linear_apply`` (pure function form); Hamiltonian networks
``HNet``, ``EMLPH``, ``MLPH``, ``hamiltonian_flow``; the fast training step ``TrainStep`` /
``make_train_step``. Exchangeable / set / recurrent models are re-exported below.
"""
from .emlp import (EMLP, MLP, MLPH, EMLPH, EMLPBlock, HNet, Standardize, binomial_allocation, hamiltonian_flow,
                   symplectic_form, uniform_rep)
from .layers import BiLinear, GatedNonlinearity, Linear, gate_indices, gated, linear_apply
from .step import TrainStep, make_train_step

__all__ = ["Linear", "BiLinear", "GatedNonlinearity", "EMLP", "EMLPBlock", "MLP", "uniform_rep",
           "binomial_allocation", "gated", "gate_indices", "linear_apply", "Standardize", "HNet", "EMLPH", "MLPH",
           "hamiltonian_flow", "symplectic_form", "TrainStep", "make_train_step"]

from .exchangeable import (ExchangeableLinear, FactorizedExchangeable, SelfSupervisedExchangeable,
                           broadcast_side_features, channel_dropout, encode_ratings, exchangeable_linear,
                           expected_rating, kept_subsets, pool_mean, subset_label)

__all__ += ["ExchangeableLinear", "SelfSupervisedExchangeable", "FactorizedExchangeable", "exchangeable_linear",
            "pool_mean", "kept_subsets", "subset_label", "channel_dropout", "broadcast_side_features",
            "encode_ratings", "expected_rating"]

from .sets import POOLING_PRIMITIVES, DeepSets, SetLinear, SetPool, derive_pooling_terms, solved_set_basis

__all__ += ["SetLinear", "SetPool", "DeepSets", "solved_set_basis", "derive_pooling_terms", "POOLING_PRIMITIVES"]

from .recurrent import RecurrentSetModel, make_cell

__all__ += ["RecurrentSetModel", "make_cell"]

from .sire import (permutation_error, permute_prefix, sample_sire_triples, sire_penalty, sire_regularizer,
                   sub_regularizer, swap_error, tree_sq_dist)

__all__ += ["sire_penalty", "sample_sire_triples", "sire_regularizer", "sub_regularizer", "permute_prefix",
            "swap_error", "permutation_error", "tree_sq_dist"]
