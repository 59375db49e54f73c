"""Training, checkpointing, evaluation and plotting for the exchangeable ratings models.

JAX is imported lazily (inside functions) so importing this package stays light.
"""
from .checkpoint import atomic_write_bytes, load_checkpoint, save_checkpoint
from .loop import TrainConfig, Trainer, build_model, predict, rmse
from .plot import plot_learning_curve

__all__ = [
    "TrainConfig", "Trainer", "build_model", "predict", "rmse",
    "save_checkpoint", "load_checkpoint", "atomic_write_bytes", "plot_learning_curve",
]
