"""keras/losses/classes_keras3.py: Dice, Tversky, CategoricalFocalCrossentropy classes."""
import numpy as np
import pytest

from tapeflow import keras


def test_overlap_losses_and_focal_reduces_to_crossentropy():
    yt, yp = np.array([[1.0, 0, 1]]), np.array([[1.0, 0, 0]])
    assert float(keras.losses.Dice()(yt, yp)) == pytest.approx(1 / 3, rel=1e-6)
    assert float(keras.losses.Tversky(alpha=0.5, beta=0.5)(yt, yp)) == \
        pytest.approx(1 / 3, rel=1e-6)       # alpha = beta = 0.5 is Dice
    # gamma 0 and alpha 1: plain categorical cross-entropy
    loss = keras.losses.CategoricalFocalCrossentropy(gamma=0.0, alpha=1.0)
    assert float(loss(np.array([[0.0, 1, 0]]), np.array([[0.2, 0.7, 0.1]]))) == \
        pytest.approx(-np.log(0.7), rel=1e-6)
