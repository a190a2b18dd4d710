"""Keras 3's HDF5 weights layout: files written by Keras 3.15 load with Keras's
predictions, tapeflow round trips, skip_mismatch, late optimizers, old npz files."""
import io
import json
import os
import warnings
import zipfile

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


def _xy(name):
    return np.load(_fixture(f"{name}_x.npy")), np.load(_fixture(f"{name}_y.npy"))


@pytest.mark.parametrize("name", ["mlp", "convnet", "nested"])
def test_keras_written_keras_files_give_keras_predictions(name):
    x, y = _xy(name)
    model = keras.models.load_model(_fixture(f"{name}.keras"))
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["mlp", "convnet", "nested"])
def test_keras_written_weights_files_load_into_a_fresh_model(name):
    x, y = _xy(name)
    model = keras.models.load_model(_fixture(f"{name}.keras"))
    for w in model.weights:
        w.assign(np.zeros(w.shape, np.float32))
    assert not np.allclose(model.predict(x, verbose=0), y)
    model.load_weights(_fixture(f"{name}.weights.h5"))
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-5, atol=1e-6)


def test_keras_written_optimizer_state_is_restored():
    model = keras.models.load_model(_fixture("mlp.keras"))
    assert type(model.optimizer).__name__ == "Adam"
    assert int(model.optimizer.iterations.numpy()) == 2       # two epochs of one batch
    with h5py.File(io.BytesIO(zipfile.ZipFile(_fixture("mlp.keras")).read(
            "model.weights.h5")), "r") as f:
        saved = [f[f"optimizer/vars/{i}"][()] for i in range(len(f["optimizer/vars"]))]
    assert len(saved) == len(model.optimizer.variables)
    for a, v in zip(saved, model.optimizer.variables):
        np.testing.assert_array_equal(a, v.numpy())


def test_text_model_with_vocabulary_asset_from_keras():
    import tapeflow as tf
    with open(_fixture("text_x.json")) as f:
        x = tf.constant(json.load(f))     # strings: a NumPy str array is refused, as in Keras
    model = keras.models.load_model(_fixture("text.keras"))
    np.testing.assert_allclose(model.predict(x, verbose=0), np.load(_fixture("text_y.npy")),
                               rtol=1e-5, atol=1e-6)
    tv = model.layers[1]
    assert tv.get_vocabulary()[:2] == ["", "[UNK]"] and "cat" in tv.get_vocabulary()


def _convnet():
    return keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                             layers.BatchNormalization(), layers.MaxPooling2D(),
                             layers.Flatten(), layers.Dense(2)])


def _paths(source):
    out = []
    with h5py.File(source, "r") as f:
        f.visititems(lambda n, o: out.append(
            (n, o.shape if isinstance(o, h5py.Dataset) else dict(o.attrs).get("name"))))
    return out


def test_written_layout_matches_the_keras_fixture(tmp_path):
    model = _convnet()
    model.compile(optimizer="rmsprop", loss="mse")
    model.fit(np.ones((2, 8, 8, 1)), np.ones((2, 2)), verbose=0)
    model.save_weights(str(tmp_path / "ours.weights.h5"))
    ours, theirs = _paths(tmp_path / "ours.weights.h5"), _paths(_fixture("convnet.weights.h5"))
    assert [p for p, _ in ours] == [p for p, _ in theirs]
    assert [s for _, s in ours if isinstance(s, tuple)] == \
        [s for _, s in theirs if isinstance(s, tuple)]
    assert "layers/batch_normalization/vars/3" in dict(ours)
    assert dict(ours)["layers/conv2d/vars"] == model.layers[0].name


def _trained_mlp():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    rs = np.random.RandomState(0)
    x, y = rs.normal(size=(16, 3)).astype("float32"), rs.normal(size=(16, 1)).astype("float32")
    model.fit(x, y, epochs=2, verbose=0)
    return model, x, y


def test_round_trip_keras_file_and_weights_file(tmp_path):
    model, x, y = _trained_mlp()
    model.save(str(tmp_path / "m.keras"))
    model.save_weights(str(tmp_path / "m.weights.h5"))
    loaded = keras.models.load_model(str(tmp_path / "m.keras"))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    h1 = model.fit(x, y, shuffle=False, verbose=0).history
    h2 = loaded.fit(x, y, shuffle=False, verbose=0).history
    assert h1 == h2            # optimizer state came back: training continues identically
    fresh = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(1)])
    fresh.load_weights(str(tmp_path / "m.weights.h5"))
    before = model.get_weights()
    for a, b in zip(before, keras.models.load_model(str(tmp_path / "m.keras")).get_weights()):
        assert a.shape == b.shape


def test_optimizer_built_later_gets_its_saved_state(tmp_path):
    model, x, y = _trained_mlp()
    model.save_weights(str(tmp_path / "m.weights.h5"))
    fresh = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(1)])
    fresh.load_weights(str(tmp_path / "m.weights.h5"))      # no optimizer yet
    fresh.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    assert len(fresh.optimizer.variables) == len(model.optimizer.variables)
    for a, b in zip(fresh.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert fresh.fit(x, y, shuffle=False, verbose=0).history == \
        model.fit(x, y, shuffle=False, verbose=0).history


def test_skip_mismatch_loads_what_fits_and_warns(tmp_path):
    model, x, _ = _trained_mlp()
    model.save_weights(str(tmp_path / "m.weights.h5"))
    other = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(2)])
    last = [w.numpy().copy() for w in other.layers[1].weights]
    with pytest.raises(ValueError, match="must match"):
        other.load_weights(str(tmp_path / "m.weights.h5"))
    with pytest.warns(UserWarning, match="could not be loaded"):
        other.load_weights(str(tmp_path / "m.weights.h5"), skip_mismatch=True)
    np.testing.assert_array_equal(other.layers[0].kernel.numpy(),
                                  model.layers[0].kernel.numpy())
    for a, w in zip(last, other.layers[1].weights):
        np.testing.assert_array_equal(a, w.numpy())


def test_failed_load_changes_nothing(tmp_path):
    model, _, _ = _trained_mlp()
    model.save_weights(str(tmp_path / "m.weights.h5"))
    other = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(3)])
    before = other.get_weights()
    with pytest.raises(ValueError, match="A total of 1 objects could not be loaded"):
        other.load_weights(str(tmp_path / "m.weights.h5"))
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_tapeflow_npz_files_are_still_read(tmp_path):
    from tapeflow.keras.saving import weights_io
    model, x, _ = _trained_mlp()
    old = tmp_path / "old.weights.h5"
    old.write_bytes(weights_io.weights_bytes(model))     # what tapeflow wrote before
    fresh = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(1)])
    fresh.load_weights(str(old))
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    model.save(str(tmp_path / "new.keras"))
    with zipfile.ZipFile(tmp_path / "new.keras") as z:
        members = {n: z.read(n) for n in z.namelist() if n != "model.weights.h5"}
    members["model.weights.npz"] = weights_io.weights_bytes(model)
    with zipfile.ZipFile(tmp_path / "old.keras", "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    loaded = keras.models.load_model(str(tmp_path / "old.keras"))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_without_h5py_saving_falls_back_to_npz_with_a_warning(tmp_path, monkeypatch):
    from tapeflow.keras.saving import h5_io
    model, x, _ = _trained_mlp()
    monkeypatch.setattr(h5_io, "has_h5py", lambda: False)
    with pytest.warns(UserWarning, match="pip install tapeflow\\[h5\\]"):
        model.save(str(tmp_path / "m.keras"))
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        assert "model.weights.npz" in z.namelist()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keras.models.load_model(str(tmp_path / "m.keras"))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_subclassed_model_paths_follow_attribute_names(tmp_path):
    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1 = layers.Dense(2)
            self.blocks = [layers.Dense(2), layers.Dense(1)]
            self._priv = layers.Dense(1)

        def call(self, x):
            return self._priv(self.blocks[1](self.blocks[0](self.d1(x))))

    model = Sub()
    model(np.ones((1, 3), np.float32))
    model.save_weights(str(tmp_path / "s.weights.h5"))
    # Keras 3.15 writes exactly these groups for this model (checked with the real Keras).
    groups = sorted(p for p, s in _paths(tmp_path / "s.weights.h5") if p.endswith("vars"))
    assert groups == ["blocks/dense/vars", "blocks/dense_1/vars", "d1/vars",
                      "layers/dense_3/vars", "vars"]


def test_keras_2_13_layer_checkpoint_dependencies_paths(tmp_path):
    # Keras 2.13 named the layer list `_layer_checkpoint_dependencies`; Keras 3 reads both.
    x, y = _xy("mlp")
    path = str(tmp_path / "old.weights.h5")
    with h5py.File(_fixture("mlp.weights.h5"), "r") as src, h5py.File(path, "w") as dst:
        for name in src:
            src.copy(name, dst, name="_layer_checkpoint_dependencies"
                     if name == "layers" else name)
    model = keras.models.load_model(_fixture("mlp.keras"))
    for w in model.weights:
        w.assign(np.zeros(w.shape, np.float32))
    model.load_weights(path)
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-5, atol=1e-6)


def test_load_weights_arguments_as_keras(tmp_path):
    model, x, _ = _trained_mlp()
    model.save_weights(str(tmp_path / "m.weights.h5"))
    fresh = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(1)])
    with pytest.raises(ValueError, match="`by_name` only supports loading legacy"):
        fresh.load_weights(str(tmp_path / "m.weights.h5"), by_name=True)
    with pytest.raises(ValueError, match="Invalid keyword arguments"):
        fresh.load_weights(str(tmp_path / "m.weights.h5"), strict=True)
    kept = fresh.layers[1].kernel.numpy().copy()
    fresh.load_weights(str(tmp_path / "m.weights.h5"), objects_to_skip=[fresh.layers[1]])
    np.testing.assert_array_equal(fresh.layers[1].kernel.numpy(), kept)
    np.testing.assert_array_equal(fresh.layers[0].kernel.numpy(),
                                  model.layers[0].kernel.numpy())


def test_keras_file_without_h5py_says_how_to_install(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "h5py", None)     # `import h5py` now fails
    with pytest.raises(ImportError, match=r"needs h5py: `pip install tapeflow\[h5\]`"):
        keras.models.load_model(_fixture("mlp.keras"))


def test_sharded_weights_are_not_written(tmp_path):
    model, _, _ = _trained_mlp()
    with pytest.raises(NotImplementedError, match="sharded weights"):
        model.save_weights(str(tmp_path / "m.weights.h5"), max_shard_size=1)
    assert not os.listdir(tmp_path)
