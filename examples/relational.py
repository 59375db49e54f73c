"""Train an exchangeable model on a relational tensor (entity x entity x relation) and rank links.

The layers are solved, not written: ``V(S(E))**2 * V(S(R))`` (one entity permutation acting on
the head and tail axes together, one relation permutation) has 30 equality patterns per layer
(diagonals, transposes, pools), compiled to pooling on dense (B, C, E, E, R) tensors.

    python examples/relational.py                          # Nations, small model (about a minute)
    python examples/relational.py --dataset kinships --full  # the benchmark's settings, one model of its ensemble
    python examples/relational.py --dataset umls --steps 500 --channels 16,16
    python examples/relational.py --inductive              # score entities held out of training
    python examples/relational.py --tiny                   # seconds (the test suite runs this)

Data: ../shared/data/kg/NAME (relative to the repository root), $EQSOLVE_KG_DATA/NAME, or
--data-root. Without it the example trains on a small synthetic relational data set instead
(``--dataset synthetic`` asks for that directly).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eqsolve.relational.presets import PRESETS
from eqsolve.relational import (
    DATASETS,
    TrainConfig,
    default_data_root,
    evaluate_scores,
    fit,
    inductive_eval,
    inductive_split,
    known_tensor,
    load_kg,
    score_tensor,
    synthetic_kg,
    to_tensor,
)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default="nations", help=f"{', '.join(DATASETS)}, synthetic, or a folder")
    p.add_argument("--data-root", type=Path, default=None)
    p.add_argument("--channels", default="16,16", help="hidden widths (default 16,16)")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument(
        "--relations",
        choices=("exchangeable", "channels"),
        default="exchangeable",
        help="exchangeable: S(E) x S(R); channels: S(E) only, one channel per relation "
        "(--full uses the benchmark's choice per data set)",
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="the benchmark's settings for this data set (one model; the benchmark averages 3)",
    )
    p.add_argument("--inductive", action="store_true", help="hold 20%% of the entities out of training")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tiny", action="store_true", help="tiny settings (seconds)")
    args = p.parse_args(argv)

    root = args.data_root or default_data_root()
    if args.dataset == "synthetic":
        data = synthetic_kg(seed=args.seed)
    elif args.dataset in DATASETS and not (root / args.dataset).is_dir():
        print(f"no data at {root / args.dataset}: using a small synthetic relational data set instead")
        data = synthetic_kg(seed=args.seed)
    else:
        data = load_kg(args.dataset, root)
    cfg = TrainConfig(
        channels=tuple(int(c) for c in args.channels.split(",")),
        steps=args.steps,
        eval_every=args.eval_every,
        seed=args.seed,
        relations=args.relations,
    )
    if args.full:
        preset = dict(PRESETS.get(data.name, PRESETS["nations"]))
        preset.pop("ensemble", None)  # the example trains one member of the benchmark's ensemble
        cfg = TrainConfig(seed=args.seed, **preset)
    if args.tiny:
        cfg = TrainConfig(channels=(4,), steps=4, eval_every=2, seed=args.seed, relations=args.relations)
    E, _, R = data.shape
    print(
        f"{data.name}: {E} entities, {R} relations; train/valid/test "
        f"{'/'.join(str(len(data.splits[s])) for s in ('train', 'valid', 'test'))}; {cfg}"
    )

    res = fit(
        data,
        cfg,
        log=lambda r: print(
            f"step {r['step']:5d}  loss {r['loss']:.4f}  valid MRR {r['valid']['mrr']:.4f}", flush=True
        ),
    )
    X = res.model.rep
    print(f"layers solved for {X}: {(X >> X).equivariant_basis().dim} basis elements per channel pair")
    scores = score_tensor(res.model, to_tensor(data.splits["train"], data.shape))
    test = evaluate_scores(scores, data.splits["test"], known_tensor(data))
    print(
        f"best valid step {res.best_step}; test (filtered, both directions): MRR {test['mrr']:.4f}  "
        f"H@1 {test['hits@1']:.4f}  H@3 {test['hits@3']:.4f}  H@10 {test['hits@10']:.4f}  ({res.seconds:.0f} s)"
    )

    if args.inductive:
        sub, seen = inductive_split(data, 0.2, args.seed)
        print(f"inductive: training on the {len(seen)} seen entities only ({E - len(seen)} held out)")
        ind = fit(sub, cfg)
        m = inductive_eval(lambda Xf: score_tensor(ind.model, Xf), data, seen)
        print(f"held-out-entity test queries ({m['queries']}): MRR {m['mrr']:.4f}  H@10 {m['hits@10']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
