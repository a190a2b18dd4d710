"""``keras.config.max_epochs`` / ``max_steps_per_epoch``: caps on every fit/evaluate."""
import numpy as np
import pytest

from tapeflow import keras


@pytest.fixture
def caps():
    yield keras.config
    keras.config.set_max_epochs(None)
    keras.config.set_max_steps_per_epoch(None)


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_defaults_are_no_caps(caps):
    assert caps.max_epochs() is None and caps.max_steps_per_epoch() is None


def test_epochs_and_steps_are_capped_with_keras_warnings(caps):
    model = _model()
    x, y = np.ones((20, 3), "float32"), np.ones((20, 1), "float32")
    caps.set_max_epochs(2)
    caps.set_max_steps_per_epoch(3)
    assert (caps.max_epochs(), caps.max_steps_per_epoch()) == (2, 3)
    with pytest.warns(UserWarning) as record:
        history = model.fit(x, y, batch_size=2, epochs=5, verbose=0)
    assert {str(w.message) for w in record} == {"Limiting epochs to 2",
                                                "Limiting steps_per_epoch to 3"}
    assert len(history.history["loss"]) == 2
    assert int(model.optimizer.iterations.numpy()) == 6
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 3"):
        model.evaluate(x, y, batch_size=2, verbose=0)


def test_fewer_epochs_than_the_cap_are_left_alone(caps):
    caps.set_max_epochs(10)
    history = _model().fit(np.ones((4, 3)), np.ones((4, 1)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_environment_variables_set_the_caps():
    import subprocess
    import sys
    out = subprocess.run(
        [sys.executable, "-c", "from tapeflow import keras;"
         "print(keras.config.max_epochs(), keras.config.max_steps_per_epoch())"],
        env={**__import__("os").environ, "KERAS_MAX_EPOCHS": "3",
             "KERAS_MAX_STEPS_PER_EPOCH": "7"},
        capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3", "7"]
