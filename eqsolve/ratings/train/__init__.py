"""Training, checkpointing, prediction and plotting for the exchangeable ratings models.

Modules, one job each: ``config`` (``TrainConfig``), ``models`` (the model factory), ``steps``
(jitted training step and prediction functions), ``prediction`` (predict a matrix's queries from
its context), ``trainer`` (the resumable training loop), ``checkpoint`` (atomic checkpoints),
``plot`` (learning curves). JAX is imported lazily (inside functions) so importing this package
stays light.
"""

from .checkpoint import atomic_write_bytes, load_checkpoint, save_checkpoint
from .config import TrainConfig
from .models import build_model
from .plot import plot_learning_curve
from .prediction import default_levels, predict, rmse
from .trainer import Trainer, TrainingDiverged

__all__ = [
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
]
