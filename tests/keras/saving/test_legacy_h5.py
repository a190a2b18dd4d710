"""The legacy HDF5 format: tf.keras 2.x and Keras 3 ``.h5`` models, weights by topological
order and by name, and ``model.save("m.h5")``."""
import json
import os

import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras import layers

h5py = pytest.importorskip("h5py", reason="the Keras HDF5 formats need h5py "
                                          "(pip install tapeflow[h5])")

FIXTURES = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "fixtures",
                        "keras_files")


def _fixture(name):
    return os.path.join(FIXTURES, name)


@pytest.mark.parametrize("name", ["tfkeras2_mlp.h5", "tfkeras2_functional.h5"])
def test_tf_keras_2_models_load_with_their_predictions(name):
    x, y = np.load(_fixture("tfkeras2_x.npy")), np.load(_fixture("tfkeras2_y.npy"))
    model = keras.models.load_model(_fixture(name))
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-5, atol=1e-6)
    assert [type(l).__name__ for l in model.layers][-2:] == ["Dense", "Dense"]


@pytest.mark.parametrize("name", ["tfkeras2_convnet", "tfkeras2_text"])
def test_tf_keras_2_convnet_and_lstm_configs(name):
    # BatchNormalization(axis=[3]), Conv2D(groups=1), Embedding(input_length=None),
    # LSTM(time_major=False, implementation=2): tf.keras 2.15's arguments, read as Keras 3's.
    x, y = np.load(_fixture(f"{name}_x.npy")), np.load(_fixture(f"{name}_y.npy"))
    model = keras.models.load_model(_fixture(f"{name}.h5"))
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-5, atol=1e-6)


def test_tf_keras_2_training_config_compiles_the_model():
    # tf.keras 2.15's optimizer config (jit_compile, is_legacy_optimizer) and metric wrappers;
    # Keras 3.15 itself cannot compile from it.
    x, y = np.load(_fixture("tfkeras2_x.npy")), np.load(_fixture("tfkeras2_y.npy"))
    model = keras.models.load_model(_fixture("tfkeras2_mlp.h5"))
    assert model.compiled and type(model.optimizer).__name__ == "Adam"
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(0.0, abs=1e-10) and "mae" in logs


@pytest.mark.parametrize("name", ["mlp", "convnet", "nested"])
def test_keras_3_legacy_h5_models_load(name):
    x, y = np.load(_fixture(f"{name}_x.npy")), np.load(_fixture(f"{name}_y.npy"))
    model = keras.models.load_model(_fixture(f"{name}.h5"))
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-5, atol=1e-6)


def test_mlp_h5_is_compiled_from_its_training_config():
    model = keras.models.load_model(_fixture("mlp.h5"))
    assert model.compiled and type(model.optimizer).__name__ == "Adam"
    assert int(model.optimizer.iterations.numpy()) == 2      # Keras 3 file: state restored
    assert not keras.models.load_model(_fixture("mlp.h5"), compile=False).compiled


def _mlp(names=("dense", "dense_1"), units=5):
    return keras.Sequential([keras.Input((4,)),
                             layers.Dense(units, activation="relu", name=names[0]),
                             layers.Dense(2, name=names[1])])


def test_weights_only_file_by_topological_order_and_by_name():
    x, y = np.load(_fixture("tfkeras2_x.npy")), np.load(_fixture("tfkeras2_y.npy"))
    model = _mlp(names=("a", "b"))               # names differ: order decides
    model.load_weights(_fixture("tfkeras2_mlp_weights.h5"))
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-5, atol=1e-6)
    named = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu",
                                                              name="dense"),
                              layers.Dense(3, name="extra"), layers.Dense(2, name="dense_1")])
    with pytest.raises(ValueError, match="Shape mismatch in layer #1"):
        named.load_weights(_fixture("tfkeras2_mlp_weights.h5"), by_name=True)
    extra = named.get_layer("extra").get_weights()
    with pytest.warns(UserWarning, match="Skipping loading weights for layer #1"):
        named.load_weights(_fixture("tfkeras2_mlp_weights.h5"), by_name=True,
                           skip_mismatch=True)
    np.testing.assert_allclose(named.get_layer("dense").kernel.numpy(),
                               model.layers[0].kernel.numpy())
    for a, b in zip(extra, named.get_layer("extra").get_weights()):
        np.testing.assert_array_equal(a, b)      # not in the file: untouched


def test_topological_mismatch_is_refused_without_changes():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5), layers.Dense(5),
                              layers.Dense(2)])
    before = model.get_weights()
    with pytest.raises(ValueError, match="Model expected 3 layers, found 2 saved layers"):
        model.load_weights(_fixture("tfkeras2_mlp_weights.h5"))
    wrong = _mlp(units=6)
    before = wrong.get_weights()
    with pytest.raises(ValueError, match="Shape mismatch in layer #0"):
        wrong.load_weights(_fixture("tfkeras2_mlp_weights.h5"))
    for a, b in zip(before, wrong.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_save_h5_round_trip_and_layout(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu"),
                              layers.BatchNormalization(), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.RandomState(0).normal(size=(8, 4)).astype("float32")
    model.fit(x, np.ones((8, 2)), verbose=0)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r") as f:
        assert json.loads(f.attrs["model_config"])["class_name"] == "Sequential"
        assert json.loads(f.attrs["training_config"])["loss"] == "mse"
        names = [n.decode() for n in f["model_weights"].attrs["layer_names"]]
        assert names == [l.name for l in model.layers]
        bn = model.layers[1].name
        assert [n.decode() for n in f["model_weights"][bn].attrs["weight_names"]] == \
            [w.path for w in model.layers[1].weights]
        assert "optimizer_weights" in f
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_lambda_in_a_legacy_file_is_refused(tmp_path):
    path = str(tmp_path / "lam.h5")
    with h5py.File(_fixture("tfkeras2_mlp.h5"), "r") as src, h5py.File(path, "w") as dst:
        config = json.loads(src.attrs["model_config"])
        config["config"]["layers"][1]["class_name"] = "Lambda"
        for k, v in src.attrs.items():
            dst.attrs[k] = v
        dst.attrs["model_config"] = json.dumps(config).encode()
        src.copy("model_weights", dst)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)


def test_unknown_class_in_a_legacy_config_is_refused(tmp_path):
    path = str(tmp_path / "evil.h5")
    with h5py.File(_fixture("tfkeras2_mlp.h5"), "r") as src, h5py.File(path, "w") as dst:
        config = json.loads(src.attrs["model_config"])
        config["config"]["layers"][1] = {"class_name": "system", "module": "os",
                                         "config": {"command": "echo hi"}}
        dst.attrs["model_config"] = json.dumps(config).encode()
        src.copy("model_weights", dst)
    with pytest.raises(TypeError, match="Could not locate class 'system'"):
        keras.models.load_model(path)


def test_long_name_lists_split_over_several_attributes(tmp_path):
    # Keras splits an attribute over 64 KB into layer_names0, layer_names1, ...
    x, y = np.load(_fixture("tfkeras2_x.npy")), np.load(_fixture("tfkeras2_y.npy"))
    path = str(tmp_path / "split.h5")
    with h5py.File(_fixture("tfkeras2_mlp_weights.h5"), "r") as src, \
            h5py.File(path, "w") as dst:
        for name in src:
            src.copy(name, dst)
        names = src.attrs["layer_names"]
        dst.attrs["layer_names0"] = names[:1]
        dst.attrs["layer_names1"] = names[1:]
    model = _mlp()
    model.load_weights(path)
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-5, atol=1e-6)
