"""keras/metrics/at_threshold_metrics.py (values checked against Keras 3.15)."""
import numpy as np
import pytest

from tapeflow import keras

Y_TRUE = np.array([0, 0, 1, 1], "float32")
Y_PRED = np.array([0.1, 0.4, 0.35, 0.8], "float32")


@pytest.mark.parametrize("make, expected", [
    (lambda: keras.metrics.PrecisionAtRecall(0.5), 1.0),
    (lambda: keras.metrics.RecallAtPrecision(0.9), 0.5),
    (lambda: keras.metrics.SensitivityAtSpecificity(0.5), 1.0),
    (lambda: keras.metrics.SpecificityAtSensitivity(0.5), 1.0),
])
def test_results(make, expected):
    m = make()
    m.update_state(Y_TRUE, Y_PRED)
    assert float(m.result()) == pytest.approx(expected)
    m.reset_state()
    assert float(m.result()) == 0.0
