"""keras/optimizers/ftrl.py: Ftrl (loss after 20 steps checked against Keras 3.15)."""
import pytest

from tapeflow import keras
from tests.keras.optimizers._quadratic import minimise


def test_twenty_steps_match_keras_and_slot_count():
    loss, names = minimise(keras.optimizers.Ftrl(learning_rate=0.1))
    assert loss == pytest.approx(15.687564849853516, rel=1e-5)     # from 30.0
    # iteration, learning_rate and the slots (Keras 3.15 holds the same number)
    assert len(names) == 4 and names[:2] == ["iteration", "learning_rate"]
