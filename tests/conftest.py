"""Shared test setup: one BLAS thread per test worker; random state reset per test."""
import os
import sys

# pytest -n 2 already runs one worker per core; BLAS threads on top of that oversubscribe
# the CPU (a convnet test ran 8x slower). Must happen before NumPy is first imported.
if "numpy" not in sys.modules:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed_numpy():
    np.random.seed(1234)
    yield
