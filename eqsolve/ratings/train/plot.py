"""Learning-curve plot (matplotlib, Agg backend, PNG)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["plot_learning_curve"]


def plot_learning_curve(history, path, *, baseline: float | None = None, title: str = "") -> Path:
    """Plot training loss and validation RMSE against step; returns the PNG path."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tr = [(h["step"], h["train_loss"]) for h in history if h.get("train_loss") is not None]
    va = [(h["step"], h["val_rmse"]) for h in history if h.get("val_rmse") is not None]
    fig, ax1 = plt.subplots(figsize=(7, 4))
    if tr:
        ax1.plot(*zip(*tr), color="tab:blue", alpha=0.7, label="train loss (masked CE)")
    ax1.set_xlabel("step")
    ax1.set_ylabel("train loss", color="tab:blue")
    ax2 = ax1.twinx()
    if va:
        ax2.plot(*zip(*va), "o-", color="tab:red", label="validation RMSE")
    if baseline is not None:
        ax2.axhline(baseline, ls="--", color="gray", label=f"bias baseline {baseline:.4f}")
    ax2.set_ylabel("validation RMSE", color="tab:red")
    lines = ax1.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax2.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper right")
    if title:
        ax1.set_title(title)
    fig.tight_layout()
    import io

    from ...safeio import atomic_write_bytes

    buf = io.BytesIO()  # written atomically: an interruption never leaves a half-written picture
    fig.savefig(buf, dpi=100, format="png")
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return path
