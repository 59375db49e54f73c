"""Keep BLAS single-threaded for these small problems: on a shared 2-core machine two OpenBLAS
threads contend and make a 500x250 SVD ~100x slower. Effective when numpy is not imported yet."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
