"""examples/emlp_tasks.py uses EMLP's datasets and groups, one protocol for both models, and its
table says plainly where EMLP does not beat the MLP (the run itself: tests/examples)."""

import importlib.util
from pathlib import Path

import numpy as np

from eqsolve.datasets import Inertia, O5Synthetic, ParticleInteraction
from eqsolve.groups import O, Lorentz

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("emlp_tasks_example", ROOT / "examples" / "emlp_tasks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_tasks_are_emlps_datasets_and_groups():
    E = _load()
    assert E.TASKS == {"o5": O5Synthetic, "inertia": Inertia, "lorentz": ParticleInteraction}
    args = E.parse(["--ntrain", "30", "--nval", "10", "--ntest", "20"])
    assert (args.ntrain, args.ntest, args.batch, args.layers, args.seeds) == (30, 20, 200, 3, 3)
    ds, d = E.Runner("inertia", "EMLP", args).data(0)
    assert isinstance(ds, Inertia) and ds.symmetry == O(3) and ds.stats == (0, 1, 0, 1)
    assert [v[0].shape[0] for v in d.values()] == [30, 10, 20]
    # the three splits are disjoint rows of one dataset (no test row in train)
    rows = np.concatenate([v[0] for v in d.values()])
    assert len(np.unique(rows, axis=0)) == 60
    assert E.Runner("lorentz", "MLP", args).data(1)[0].symmetry == Lorentz()
    assert E.Runner("o5", "MLP", args).data(0)[0].symmetry == O(5)


def test_table_states_where_emlp_does_not_win():
    E = _load()
    args = E.parse([])

    def row(mean, std):
        return dict(lr=3e-3, init=1.0, test=[mean], mean=mean, std=std, ms_per_step=1.0)

    results = {
        "o5": {"EMLP": row(0.01, 0.001), "MLP": row(0.1, 0.01)},
        "inertia": {"EMLP": row(0.5, 0.05), "MLP": row(0.1, 0.01)},
        "lorentz": {"EMLP": row(0.3, 0.2), "MLP": row(0.35, 0.2)},
    }
    text = E.table(results, args)
    assert "o5: EMLP better (10x)" in text
    assert "inertia: the MLP is better at this budget (5x): the paper's claim does not hold here" in text
    assert "lorentz: no clear winner" in text
    assert "EMLP paper" in text and "budget: ntrain 1000" in text
