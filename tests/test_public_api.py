"""The public API is pinned: every package's ``__all__`` is exactly the list below.

Adding a public name is a decision: add it to the package's ``__all__`` AND to ``PUBLIC`` here
(and, for the core packages, say why in DESIGN.md's list of public names). Helpers stay in
their modules (``from eqsolve.nn.exchangeable import pool_mean``) or behind an underscore.
"""

import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "eqsolve"

PUBLIC = {
    "eqsolve": [],
    "eqsolve.commands": [],
    "eqsolve.datasets": [
        "Dataset",
        "split",
        "O5Synthetic",
        "Inertia",
        "ParticleInteraction",
        "InvertedCube",
        "DoubleSpringPendulum",
        "DoublePendulum",
    ],
    "eqsolve.groups": [
        "Group",
        "PermutationGroup",
        "DirectProduct",
        "S",
        "A",
        "Z",
        "C",
        "D",
        "DihedralPerm",
        "Trivial",
        "Permutation",
        "SO",
        "O",
        "SL",
        "GL",
        "U",
        "SU",
        "Sp",
        "Lorentz",
        "O13",
        "SO13",
        "SO13p",
        "SO11p",
        "O11",
        "Scaling",
        "Parity",
        "TimeReversal",
        "RubiksCube",
        "Cube",
        "ZksZnxZn",
        "Embed",
        "SO2eR3",
        "O2eR3",
        "DkeR3",
        "WreathProduct",
        "WreathGroup",
        "perm_matrix",
    ],
    "eqsolve.reps": [
        "Rep",
        "BaseRep",
        "ScalarRep",
        "SumRep",
        "ProductRep",
        "MapRep",
        "DualRep",
        "V",
        "Vsum",
        "defining_rep",
        "Scalar",
        "T",
        "sparsify_basis",
    ],
    "eqsolve.solve": [
        "solve_basis",
        "solve_block",
        "choose_method",
        "SOLVERS",
        "Solver",
        "method_names",
        "RepBasis",
        "Basis",
        "DenseBasis",
        "PermutationBasis",
        "OrbitBasis",
        "CyclicBasis",
        "PatternBasis",
        "PatternLabel",
        "estimate_rep",
        "estimate_block",
        "WorkEstimate",
        "WorkTooLargeError",
        "MAX_SECONDS",
        "set_cache_dir",
        "clear_memory",
    ],
    "eqsolve.verify": [
        "equivariance",
        "basis",
        "exchangeable",
        "jointly_exchangeable",
        "permutation_group",
        "expected_dimension",
        "Report",
        "Check",
        "GroupElement",
        "EquivarianceReport",
        "BasisReport",
        "ExchangeableReport",
        "JointReport",
        "PermutationGroupReport",
    ],
    "eqsolve.runtime": [
        "LinearProgram",
        "PatternProgram",
        "OrbitProgram",
        "DenseProgram",
        "Layout",
        "Field",
        "compile_block",
        "MODES",
    ],
    "eqsolve.nn": [
        "Linear",
        "BiLinear",
        "GatedNonlinearity",
        "EMLP",
        "EMLPBlock",
        "MLP",
        "uniform_rep",
        "binomial_allocation",
        "gated",
        "gate_indices",
        "linear_apply",
        "bilinear_weights",
        "Standardize",
        "HNet",
        "EMLPH",
        "MLPH",
        "hamiltonian_flow",
        "symplectic_form",
        "TrainStep",
        "make_train_step",
        "ExchangeableLinear",
        "SelfSupervisedExchangeable",
        "FactorizedExchangeable",
        "exchangeable_linear",
        "DeepSets",
        "SetLinear",
        "SetPool",
        "RecurrentSetModel",
        "sire_regularizer",
        "sub_regularizer",
        "JanossyPooling",
        "PermutationJanossy",
        "SetPredictor",
        "set_loss",
        "predict_set",
        "NoiseOutsourcedSetModel",
        "energy_score",
        "two_sample_test",
    ],
    "eqsolve.ratings": [],
    "eqsolve.ratings.commands": [],
    "eqsolve.ratings.data": [
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
    ],
    "eqsolve.ratings.train": [
        "TrainConfig",
        "Trainer",
        "TrainingDiverged",
        "build_model",
        "predict",
        "rmse",
        "default_levels",
        "save_checkpoint",
        "load_checkpoint",
        "atomic_write_bytes",
        "plot_learning_curve",
    ],
    "eqsolve.relational": [
        "DATASETS",
        "KGData",
        "default_data_root",
        "known_tensor",
        "load_kg",
        "read_triples",
        "synthetic_kg",
        "to_tensor",
        "evaluate_scores",
        "filtered_ranks",
        "rank_metrics",
        "RelationalNet",
        "channel_dropout",
        "relational_rep",
        "inductive_eval",
        "inductive_queries",
        "inductive_split",
        "FitResult",
        "TrainConfig",
        "fit",
        "score_tensor",
    ],
}

# What DESIGN.md names as public (section "Public names"); each must be exported.
DESIGN_NAMES = {
    "eqsolve.groups": [
        "Group",
        "S",
        "Z",
        "A",
        "C",
        "D",
        "SO",
        "O",
        "Sp",
        "Lorentz",
        "SO13",
        "SO13p",
        "RubiksCube",
        "Trivial",
        "Permutation",
        "DirectProduct",
    ],
    "eqsolve.reps": ["Rep", "V", "Scalar", "T"],
    "eqsolve.nn": ["Linear", "BiLinear", "GatedNonlinearity", "EMLP"],
}


def _packages() -> list[str]:
    """Every package under eqsolve/ (a folder with an __init__.py)."""
    return sorted(".".join(p.parent.relative_to(PACKAGE.parent).parts) for p in PACKAGE.rglob("__init__.py"))


def test_every_package_is_pinned():
    missing = [p for p in _packages() if p not in PUBLIC]
    assert not missing, f"packages without a pinned __all__ in tests/test_public_api.py: {missing}"


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_all_is_pinned(name):
    module = importlib.import_module(name)
    assert "__all__" in vars(module), f"{name} defines no __all__"
    exported = list(module.__all__)
    assert len(exported) == len(set(exported)), f"{name}.__all__ lists a name twice"
    added, removed = sorted(set(exported) - set(PUBLIC[name])), sorted(set(PUBLIC[name]) - set(exported))
    assert not added and not removed, (
        f"{name}.__all__ changed: added {added}, removed {removed}; a public name is a "
        f"decision: update PUBLIC in tests/test_public_api.py with it"
    )
    for attr in exported:
        assert not attr.startswith("_"), f"{name}.__all__ exports the private name {attr}"
        assert attr in vars(module), f"{name}.__all__ names {attr}, which the package does not define"


@pytest.mark.parametrize("name", sorted(DESIGN_NAMES))
def test_design_names_are_public(name):
    missing = sorted(set(DESIGN_NAMES[name]) - set(PUBLIC[name]))
    assert not missing, f"DESIGN.md names {missing} as public in {name}, but they are not exported"
