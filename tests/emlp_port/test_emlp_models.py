# Ported from mfinzi/equivariant-MLP tests/model_tests.py (MIT licence): the two tests that need
# no EMLP datasets, with only the imports changed (emlp -> eqsolve; ``emlp.nn`` -> the _compat
# shim that supplies Flax NNX's rngs; LazyKron from eqsolve.reps.linear_operators). Every
# assertion and tolerance is EMLP's. Not ported: test_init_forward_and_equivariance and the
# haiku / flax / pytorch EMLP tests (they need emlp.datasets, torch's DataLoader and oil's seeds).
import numpy as np
import _compat as emlp
from test_emlp_equivariance import parametrize, rel_error, scale_adjusted_rel_error


from _compat import vis
from eqsolve.reps import sparsify_basis, V, Rep
from eqsolve.groups import S, SO


def test_utilities():
    W = V(SO(3))
    vis(W, W)
    Q = (W**2 >> W).equivariant_basis()
    SQ = sparsify_basis(Q)
    A = SQ @ (1 + np.arange(SQ.shape[-1]))
    nunique = len(np.unique(np.abs(A)))
    assert nunique in (SQ.shape[-1], SQ.shape[-1] + 1), "Sparsify failes on SO(3) T3"


def test_bespoke_representations():
    class ProductSubRep(Rep):
        def __init__(self, G, subgroup_id, size):
            """Produces the representation of the subgroup of G = G1 x G2
            with the index subgroup_id in {0,1} specifying G1 or G2.
            Also requires specifying the size of the representation given by G1.d or G2.d"""
            self.G = G
            self.index = subgroup_id
            self._size = size

        def __str__(self):
            return "V_" + str(self.G).split("x")[self.index]

        def size(self):
            return self._size

        def rho(self, M):
            # Given that M is a LazyKron object, we can just get the argument
            return M.Ms[self.index]

        def drho(self, A):
            return A.Ms[self.index]

        def __call__(self, G):
            # adding this will probably not be necessary in a future release,
            # necessary now because rep is __call__ed in nn.EMLP constructor
            assert self.G == G
            return self

    G1, G2 = SO(3), S(5)
    G = G1 * G2

    VSO3 = ProductSubRep(G, 0, G1.d)
    VS5 = ProductSubRep(G, 1, G2.d)
    Vin = VS5 + V(G)
    Vout = VSO3
    str(Vin >> Vout)
    model = emlp.nn.EMLP(Vin, Vout, group=G)
    input_point = np.random.randn(Vin.size()) * 10
    from eqsolve.reps.linear_operators import LazyKron

    lazy_G_sample = LazyKron([G1.sample(), G2.sample()])

    out1 = model(Vin.rho(lazy_G_sample) @ input_point)
    out2 = Vout.rho(lazy_G_sample) @ model(input_point)
    assert rel_error(out1, out2) < 1e-4, "EMLP equivariance fails on bespoke productsubrep"
