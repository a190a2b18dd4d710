"""Loading a model file never runs code: configs naming callables outside the allow-list.

Each hostile file is a real `.keras` file saved by tapeflow whose config.json is replaced by
a crafted one. A gadget that ran would create a sentinel file; every test asserts the class
of the refusal and that no sentinel exists (and that nothing appeared outside the folder).
The last tests prove these tests can fail: the same gadget passed explicitly through
``custom_objects`` is the one way such an object may load, and then it does run.
"""
import copy
import json
import os
import sys
import zipfile

import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras import layers


def _base_model(path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="d")])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("config.json"))


def _rewrite(path, config):
    """Replaces config.json inside the `.keras` zip at ``path``."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _gadget(module, name, **kwargs):
    return {"module": module, "class_name": name, "config": kwargs, "registered_name": None}


def _function(module, name):
    return {"module": module, "class_name": "function", "config": name,
            "registered_name": "function"}


def _payload(tmp_path):
    """A Python file that would create the sentinel if anything ran it."""
    sentinel = tmp_path / "SENTINEL"
    code = f"with open({str(sentinel)!r}, 'w') as f: f.write('pwned')\n"
    return sentinel, "data:text/plain," + code.replace(" ", "%20").replace("\n", "%0A")


def _gadgets(tmp_path):
    """(where the gadget sits, the gadget) pairs: the package's own utilities, the standard
    library and builtins, as layers, initializers, activations, optimizers, losses, metrics."""
    sentinel, url = _payload(tmp_path)
    fetch = _gadget("tapeflow.keras.utils", "get_file", fname="p.py", origin=url,
                    cache_dir=str(tmp_path / "cache"))
    fetch_public = dict(fetch, module="keras.utils")
    run = _gadget("tapeflow.compat.runner", "run_program",
                  path=str(tmp_path / "cache" / "datasets" / "p.py"))
    shell = _gadget("os", "system", command=f"touch {sentinel}")
    return [("layer", fetch), ("layer", fetch_public), ("layer", run), ("layer", shell),
            ("layer", _gadget("builtins", "exec", source="import os")),
            ("layer", _gadget("subprocess", "Popen", args=["touch", str(sentinel)])),
            ("layer", _gadget("keras.src.utils.file_utils", "get_file", origin=url)),
            ("layer", _gadget("keras.models", "load_model", filepath="x.keras")),
            ("layer", _function("tapeflow", "function")),
            ("layer", _gadget(None, "get_file", origin=url)),
            ("initializer", fetch), ("initializer", shell),
            ("initializer", _function("keras.utils", "get_file")),
            ("activation", _function("os", "system")),
            ("activation", _function("keras.utils", "get_file")),
            ("activation", _function("builtins", "eval")),
            ("optimizer", fetch), ("optimizer", _gadget("keras.optimizers", "get")),
            ("loss", fetch), ("loss", _function("keras.utils", "get_file")),
            ("metric", shell), ("metric", _function("os", "system")),
            ("schedule", fetch)]


def _plant(config, where, gadget):
    config = copy.deepcopy(config)
    dense = config["config"]["layers"][-1]
    if where == "layer":
        config["config"]["layers"].append(gadget)
    elif where == "initializer":
        dense["config"]["kernel_initializer"] = gadget
    elif where == "activation":
        dense["config"]["activation"] = gadget
    elif where == "optimizer":
        config["compile_config"]["optimizer"] = gadget
    elif where == "loss":
        config["compile_config"]["loss"] = gadget
    elif where == "metric":
        config["compile_config"]["metrics"] = [gadget]
    elif where == "schedule":
        config["compile_config"]["optimizer"]["config"]["learning_rate"] = gadget
    return config


def _listing(root):
    return sorted(os.path.join(d, f) for d, _, files in os.walk(root) for f in files)


@pytest.mark.parametrize("index", range(23))
def test_gadget_is_refused_before_it_runs(tmp_path, index):
    path = str(tmp_path / "model.keras")
    config = _base_model(path)
    where, gadget = _gadgets(tmp_path)[index]
    _rewrite(path, _plant(config, where, gadget))
    before = _listing(tmp_path)
    with pytest.raises((TypeError, ValueError)) as info:
        keras.models.load_model(path)
    assert not (tmp_path / "SENTINEL").exists()
    assert _listing(tmp_path) == before            # nothing fetched, nothing written
    message = str(info.value)
    name = gadget["config"] if gadget["class_name"] == "function" else gadget["class_name"]
    assert name in message, message                # the refusal names what it refused


def test_refusals_use_keras_classes(tmp_path):
    from tapeflow.keras.saving import deserialize_keras_object as load
    with pytest.raises(TypeError, match="Could not locate class 'system'"):
        load(_gadget("os", "system", command="true"))
    with pytest.raises(TypeError, match="Could not locate function 'print'"):
        load(_function("builtins", "print"))
    with pytest.raises(ValueError, match="not a modeling function"):
        load(_function("keras.utils", "get_file"))
    with pytest.raises(ValueError, match="'keras.utils.Progbar' because it is not a "
                                         "KerasSaveable subclass"):
        load(_gadget("keras.utils", "Progbar", target=3))
    with pytest.raises(ValueError, match="does not use registered names"):
        load(dict(_gadget("keras.layers", "Dense", units=2), registered_name="foo>Bar"))


def test_a_function_where_a_class_is_expected_is_refused():
    from tapeflow.keras.saving import deserialize_keras_object as load
    with pytest.raises(ValueError, match="not a modeling function"):
        load(_gadget("keras.layers", "deserialize", config={}))
    with pytest.raises(TypeError, match="from_config"):
        keras.activations.deserialize(_gadget("keras.activations", "relu"))


def test_public_keras_objects_still_load():
    from tapeflow.keras.saving import deserialize_keras_object as load
    assert type(load(_gadget("keras.layers", "Dense", units=2))).__name__ == "Dense"
    assert type(load(_gadget("keras.src.layers.core.dense", "Dense", units=2))).__name__ \
        == "Dense"
    assert load(_function("keras.activations", "relu")) is keras.activations.relu
    assert type(load(_gadget("keras.optimizers.schedules", "ExponentialDecay",
                             initial_learning_rate=0.1, decay_steps=1, decay_rate=0.9))
                ).__name__ == "ExponentialDecay"


def test_lambda_with_bytecode_is_refused(tmp_path):
    path = str(tmp_path / "model.keras")
    config = _base_model(path)
    code = {"class_name": "__lambda__", "config": {
        "code": "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAA"
                "AA+gY8c3RkaW4+2gg8bGFtYmRhPgEAAADzAAAAAA==", "defaults": None, "closure": None}}
    lam = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
           "config": {"function": code, "name": "lam"}}
    config["config"]["layers"].append(lam)
    _rewrite(path, config)
    with pytest.raises(ValueError, match="Lambda"):
        keras.models.load_model(path)
    with pytest.raises((TypeError, ValueError)):   # no code is loaded even when unsafe
        keras.models.load_model(path, safe_mode=False)


# -- the tests above can fail: an explicitly supplied gadget is loaded and does run -----

def test_the_gadget_runs_when_the_user_supplies_it(tmp_path):
    from tapeflow.keras.utils import get_file
    path = str(tmp_path / "model.keras")
    config = _base_model(path)
    sentinel, url = _payload(tmp_path)
    fetch = _gadget("tapeflow.keras.utils", "get_file", fname="p.py", origin=url,
                    cache_dir=str(tmp_path / "cache"))
    fetched = tmp_path / "cache" / "datasets" / "p.py"

    class Fetch(layers.Layer):   # a custom layer whose from_config runs get_file
        @classmethod
        def from_config(cls, config):
            get_file(**config)
            return layers.Identity()

    _rewrite(path, _plant(config, "layer", fetch))
    with pytest.raises(TypeError):
        keras.models.load_model(path)
    assert not fetched.exists()
    keras.models.load_model(path, custom_objects={"get_file": Fetch})
    assert fetched.exists()
    exec(compile(fetched.read_text(), str(fetched), "exec"), {})   # the chained payload
    assert sentinel.exists()


def test_registered_objects_load(tmp_path):
    @keras.saving.register_keras_serializable(package="SecTest")
    class Doubler(layers.Layer):
        def call(self, x):
            return x * 2

    model = keras.Sequential([keras.Input((2,)), Doubler()])
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(np.ones((1, 2)), verbose=0), [[2.0, 2.0]])


def test_the_package_utilities_are_importable_gadgets():
    # Keeps the gadget tests meaningful: the utilities they name exist and are callable.
    from tapeflow.compat.runner import run_program
    from tapeflow.keras.utils import get_file
    assert callable(get_file) and callable(run_program)
    assert "os" in sys.modules


def test_enable_unsafe_deserialization_allows_registered_lambdas_never_bytecode(tmp_path):
    @keras.saving.register_keras_serializable(package="SecTest")
    def triple(x):
        return x * 3

    path = str(tmp_path / "lam.keras")
    keras.Sequential([keras.Input((2,)), layers.Lambda(triple)]).save(path)
    with pytest.raises(ValueError, match="Lambda"):
        keras.models.load_model(path)
    try:
        keras.config.enable_unsafe_deserialization()
        loaded = keras.models.load_model(path)      # as Keras 3: the default is now unsafe
        np.testing.assert_allclose(loaded.predict(np.ones((1, 2)), verbose=0), [[3.0, 3.0]])
        config = _base_model(str(tmp_path / "b.keras"))
        config["config"]["layers"].append(_gadget("os", "system", command="true"))
        _rewrite(str(tmp_path / "b.keras"), config)
        with pytest.raises(TypeError):               # the allow-list holds in unsafe mode
            keras.models.load_model(str(tmp_path / "b.keras"))
    finally:
        keras.config.UNSAFE_DESERIALIZATION[0] = False
