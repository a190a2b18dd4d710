"""What a config may name, against Keras 3.15's own deserialization: the same objects load,
the same ones are refused, with the same exception class; and fit's checks before training."""
import numpy as np
import pytest

from tapeflow import keras as tkeras


def _c(module, name, config=None, registered=None):
    return {"module": module, "class_name": name, "config": config or {},
            "registered_name": registered}


def _f(module, name):
    return {"module": module, "class_name": "function", "config": name,
            "registered_name": "function"}


CASES = [
    _c("os", "system", {"command": "true"}), _c("builtins", "eval"),
    _c("subprocess", "Popen", {"args": ["true"]}),
    _c("keras.utils", "get_file", {"fname": "x", "origin": "data:,hi"}),
    _c("keras.src.utils.file_utils", "get_file", {"origin": "data:,hi"}),
    _c("keras.layers", "Dense", {"units": 2}),
    _c("keras.layers", "Dense", {"units": 2}, "foo>Bar"),
    _c("keras.src.layers.core.dense", "Dense", {"units": 2}),
    _c("keras.layers", "NotThere"), _f("os", "system"), _f("builtins", "print"),
    _f("keras.activations", "relu"), _f("keras.utils", "get_file"),
    _f("keras.src.utils", "get_file"), _f("keras", "get_file"),
    _c("keras.models", "load_model"), _f("keras.models", "load_model"),
    _f("keras.saving", "load_model"), _f("keras.metrics", "binary_accuracy"),
    _f("keras.ops", "load"), _c("keras.src.ops.numpy", "Exec"),
    _c("keras.initializers", "GlorotUniform"), _c("keras.optimizers", "Adam"),
    _c("keras.optimizers.schedules", "ExponentialDecay",
       {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.9}),
    _c("keras.src.utils.progbar", "Progbar"),
    _c("keras.src.saving.serialization_lib", "deserialize_keras_object"),
    _c("tapeflow.keras.utils", "get_file"), _f(None, "relu"),
    _c("keras.layers", "Dense", {"units": 2, "kernel_initializer": _c("os", "system")}),
]


def _outcome(k, config):
    try:
        obj = k.saving.deserialize_keras_object(config)
    except (TypeError, ValueError) as e:
        return type(e).__name__
    return "ok:" + getattr(obj, "__name__", type(obj).__name__)


@pytest.mark.parametrize("config", CASES, ids=lambda c: f"{c['module']}.{c['class_name']}"
                         f"{'.' + c['config'] if c['class_name'] == 'function' else ''}")
def test_same_objects_load_and_same_refusals(config, rkeras):
    assert _outcome(tkeras, config) == _outcome(rkeras, config)


# Where tapeflow is deliberately stricter: Keras 3.15 returns these public functions, which
# are not modeling objects (serialization helpers, utilities); tapeflow refuses them.
STRICTER = [_f("keras.activations", "deserialize"), _c("keras.layers", "deserialize"),
            _f("keras.utils", "to_categorical"), _f("keras.losses", "get")]


@pytest.mark.parametrize("config", STRICTER, ids=lambda c: str(c["config"] or c["class_name"]))
def test_stricter_than_keras(config, rkeras):
    assert _outcome(rkeras, config).startswith("ok:")
    assert _outcome(tkeras, config) == "ValueError"


def _fit_outcomes(k, case):
    x, y = np.ones((8, 3), "float32"), np.ones((8, 2), "float32")
    m = k.Sequential([k.Input((3,)), k.layers.Dense(2)])
    m.compile("sgd", "mse", metrics=["nonexistent"] if case == "metric" else None)
    args = {"metric": (x, y), "bs0": (x, y), "str": (np.array([["a", "b", "c"]] * 8), y),
            "obj": (np.array([[1, 2, 3]] * 8, dtype=object), y)}[case]
    try:
        h = m.fit(*args, batch_size=0 if case == "bs0" else None, verbose=0)
        out = ("ok", sorted(h.history))
    except Exception as e:
        out = (type(e).__name__, str(e))
    return out, int(m.optimizer.iterations)


@pytest.mark.parametrize("case", ["metric", "bs0", "str", "obj"])
def test_fit_checks_before_training(case, rkeras):
    assert _fit_outcomes(tkeras, case) == _fit_outcomes(rkeras, case)
