"""keras/optimizers/adafactor.py: Adafactor (loss after 20 steps checked against Keras 3.15)."""
import pytest

from tapeflow import keras
from tests.keras.optimizers._quadratic import minimise


def test_twenty_steps_match_keras_and_slot_count():
    loss, names = minimise(keras.optimizers.Adafactor(learning_rate=0.1))
    assert loss == pytest.approx(2.582932949066162, rel=1e-5)     # from 30.0
    # iteration, learning_rate and the slots (Keras 3.15 holds the same number)
    assert len(names) == 5 and names[:2] == ["iteration", "learning_rate"]
