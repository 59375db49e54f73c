"""Per-data-set settings of the exchangeable relational model (chosen on valid MRR only), one
table read by ``benchmarks/relational.py`` and ``examples/relational.py --full``."""

PRESETS = {
    # S(E) x S(R): relations exchangeable too (the group)
    "nations": dict(
        relations="exchangeable",
        channels=(32, 32, 32),
        steps=1500,
        eval_every=50,
        patience=10,
        hide=0.2,
        dropout=0.1,
        lr=3e-3,
        input_scale=5.0,
    ),
    # S(E) only, one channel per relation (relation-specific weights; see RelationalNet)
    "kinships": dict(
        relations="channels",
        channels=(64, 64, 64),
        steps=1500,
        eval_every=100,
        patience=5,
        hide=0.2,
        dropout=0.2,
        lr=1e-2,
        input_scale=20.0,
    ),
    "umls": dict(
        relations="channels",
        channels=(64, 64, 64),
        steps=1500,
        eval_every=100,
        patience=5,
        hide=0.2,
        dropout=0.2,
        lr=1e-2,
        input_scale=20.0,
    ),
}
