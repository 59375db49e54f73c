"""The relational model is built from solved bases: dimension against independent theory,
pooling against the dense basis, exact equivariance to (joint entity, relation) permutations,
and a witness (eqsolve.verify) that separate head / tail permutations are not a symmetry."""

import itertools
from fractions import Fraction

import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from layer_checks import assert_program_matches_dense

from eqsolve import verify
from eqsolve.groups import S
from eqsolve.relational import RelationalNet, relational_rep
from eqsolve.reps import V


def _burnside_moment(n: int, k: int) -> Fraction:
    """(1/n!) sum over all permutations g of S(n) of fix(g)^k, by enumeration."""
    perms = list(itertools.permutations(range(n)))
    return Fraction(sum(sum(p[i] == i for i in range(n)) ** k for p in perms), len(perms))


def _orbit_count(E: int, R: int) -> int:
    """Orbits of S(E) x S(R) on index tuples (h, t, h', t', r, r') by brute force: two tuples are
    in one orbit iff a permutation maps one to the other; count via canonical relabelling."""
    seen = set()
    for ents in itertools.product(range(E), repeat=4):
        for rels in itertools.product(range(R), repeat=2):

            def canon(xs):
                m = {}
                return tuple(m.setdefault(x, len(m)) for x in xs)

            seen.add((canon(ents), canon(rels)))
    return len(seen)


@pytest.mark.parametrize("E,R", [(3, 2), (4, 3), (5, 1)])
def test_basis_dimension_matches_burnside_and_orbits(E, R):
    X = relational_rep(E, R)
    dim = (X >> X).equivariant_basis().dim
    # Burnside: fixed points of (g, h) on the map rep's index tuples are fix(g)^4 fix(h)^2
    burnside = _burnside_moment(E, 4) * _burnside_moment(R, 2)
    assert burnside.denominator == 1
    assert dim == int(burnside) == _orbit_count(E, R)
    if E >= 4 and R >= 2:
        assert dim == 15 * 2  # Bell(4) * Bell(2), not Hartford's 2^3 = 8


def test_basis_holds_transpose_and_diagonal_patterns():
    X = relational_rep(4, 3)
    labels = (X >> X).equivariant_basis().labels
    ent = [sorted(tuple(sorted(b)) for b in lab.blocks[0]) for lab in labels]
    # axes: 0, 1 = out (head, tail), 3, 4 = in (head, tail); the transpose ties out-head to in-tail
    assert [(0, 4), (1, 3)] in ent
    assert [(0, 1, 3, 4)] in ent  # the diagonal h = t read from the diagonal


def test_layer_compiles_to_pooling_and_matches_dense():
    X = relational_rep(4, 3)
    prog = assert_program_matches_dense(2 * X, 3 * X)
    assert {p.kind for _, _, p in prog.blocks} == {"pattern"}
    assert prog.blocks[0][2].num_params == 30


def _model(E=5, R=3):
    """A jitted two-layer model (one hidden layer of 4 channels): x (B, 1, E', E', R) -> (B, E', E', R)."""
    net = RelationalNet(E, R, channels=(4,), dropout=0.0, rngs=nnx.Rngs(0))
    return lambda x: _apply(net, x)


@nnx.jit
def _apply(net, x):
    return net(x)


def test_joint_entity_and_relation_permutation_permutes_scores():
    E, R = 5, 3
    m = _model(E, R)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 1, E, E, R)).astype(np.float32)
    y = np.asarray(m(jnp.asarray(x)))
    pe, pr = rng.permutation(E), rng.permutation(R)
    xp = x[:, :, pe][:, :, :, pe][..., pr]
    yp = np.asarray(m(jnp.asarray(xp)))
    expect = y[:, pe][:, :, pe][..., pr]
    assert np.abs(yp - expect).max() < 1e-5 * np.abs(y).max()
    # and the scores really depend on the input (the check is not vacuous)
    assert np.abs(np.asarray(m(jnp.asarray(xp))) - y).max() > 1e-3


def _flat_fn(m, E, R):
    def f(z):
        x = jnp.asarray(np.asarray(z, np.float32).reshape(-1, 1, E, E, R))
        return np.asarray(m(x)).reshape(z.shape[0], -1)

    return f


def test_verify_joint_symmetry_and_witness_for_separate_head_tail_permutations():
    E, R = 4, 3
    m = _model(E, R)
    f = _flat_fn(m, E, R)
    X = relational_rep(E, R)
    rep = verify.equivariance(f, X, X, samples=4, tol=1e-5)
    assert rep.passed, str(rep)
    sep = V(S(E, label="heads")) * V(S(E, label="tails")) * V(S(R, label="relations"))
    assert sep.size() == X.size()
    bad = verify.equivariance(f, sep, sep, samples=4, tol=1e-5)
    assert not bad.passed
    assert bad.worst_error > 1e-2
    # the witness permutes heads and tails differently (a group element of the separate group)
    parts = {str(g): np.asarray(p) for g, p in bad.worst_element.parts.items()}
    head = parts.get(f"S({E})[heads]", np.arange(E))
    tail = parts.get(f"S({E})[tails]", np.arange(E))
    assert not np.array_equal(head, tail)


def test_model_applies_to_other_entity_counts():
    net = RelationalNet(4, 2, channels=(2,), dropout=0.0, rngs=nnx.Rngs(0))
    x = jnp.asarray(np.random.default_rng(1).normal(size=(1, 1, 6, 6, 3)).astype(np.float32))
    assert _apply(net, x).shape == (1, 6, 6, 3)
    with pytest.raises(ValueError, match=r"\(B, C, E, E, R\)"):
        net(jnp.zeros((1, 1, 4, 5, 3)))


def test_relations_as_channels_variant_is_entity_equivariant_only():
    E, R = 5, 3
    net = RelationalNet(E, R, channels=(4,), dropout=0.0, relations="channels", rngs=nnx.Rngs(0))
    assert (net.rep >> net.rep).equivariant_basis().dim == 15  # Bell(4): S(E) on both axes
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 1, E, E, R)).astype(np.float32)
    y = np.asarray(_apply(net, jnp.asarray(x)))
    pe, pr = rng.permutation(E), np.array([1, 2, 0])
    ye = np.asarray(_apply(net, jnp.asarray(x[:, :, pe][:, :, :, pe])))
    assert np.abs(ye - y[:, pe][:, :, pe]).max() < 1e-5 * np.abs(y).max()
    yr = np.asarray(_apply(net, jnp.asarray(x[..., pr])))
    assert np.abs(yr - y[..., pr]).max() > 1e-3 * np.abs(y).max()  # relations have their own weights
