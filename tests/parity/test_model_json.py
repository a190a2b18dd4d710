"""``Model.to_json``/``keras.models.model_from_json`` and ``keras.config.max_epochs``/
``max_steps_per_epoch`` against Keras 3: each library reads the other's JSON; the caps give
the same epochs, steps and warnings."""
import json
import warnings

import numpy as np
import pytest


def _model(k):
    inputs = k.Input((4,), name="x")
    h = k.layers.Dense(8, activation="relu", name="hidden")(inputs)
    return k.Model(inputs, k.layers.Dense(2, activation="softmax", name="out")(h))


def _described(model):
    return (type(model).__name__, [layer.name for layer in model.layers],
            [tuple(w.shape) for w in model.weights],
            [layer.get_config().get("activation") for layer in model.layers[1:]])


def test_each_library_reads_the_others_json(rkeras):
    from tapeflow import keras
    ours, theirs = _model(keras), _model(rkeras)
    assert sorted(json.loads(ours.to_json())) == sorted(json.loads(theirs.to_json()))
    assert _described(keras.models.model_from_json(theirs.to_json())) == _described(theirs)
    assert _described(rkeras.models.model_from_json(ours.to_json())) == _described(ours)


def test_refusals_match(rkeras):
    from tapeflow import keras
    for k in (keras, rkeras):
        with pytest.raises(TypeError, match="Could not locate class 'os.system'"):
            k.models.model_from_json('{"class_name": "os.system", "config": {}}')


def _capped_fit(k):
    model = k.Sequential([k.Input((3,)), k.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((20, 3), "float32"), np.ones((20, 1), "float32")
    k.config.set_max_epochs(2)
    k.config.set_max_steps_per_epoch(3)
    try:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            history = model.fit(x, y, batch_size=2, epochs=4, verbose=0)
    finally:
        k.config.set_max_epochs(None)
        k.config.set_max_steps_per_epoch(None)
    messages = sorted({str(w.message) for w in record if "Limiting" in str(w.message)})
    return (len(history.history["loss"]), int(model.optimizer.iterations.numpy()), messages,
            k.config.max_epochs())


def test_max_epochs_and_steps_cap_fit_as_keras(rkeras):
    from tapeflow import keras
    assert _capped_fit(keras) == _capped_fit(rkeras)
