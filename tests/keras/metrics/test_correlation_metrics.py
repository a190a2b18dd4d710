"""keras/metrics/correlation_metrics.py: PearsonCorrelation and R2Score."""
import numpy as np
import pytest

from tapeflow import keras

A = np.array([1.0, 2, 3, 4])
B = np.array([2.0, 4, 6, 8.5])


def test_pearson_matches_numpy_and_r2_matches_keras():
    p = keras.metrics.PearsonCorrelation()
    p.update_state(A, B)
    assert float(p.result()) == pytest.approx(np.corrcoef(A, B)[0, 1], rel=1e-6)
    r = keras.metrics.R2Score()
    r.update_state(A[:, None], B[:, None] / 2)
    assert float(r.result()) == pytest.approx(0.9875, rel=1e-6)
