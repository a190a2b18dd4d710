"""model.save / load_model / save_weights / load_weights: round trips, safety, atomicity."""
import json
import os
import zipfile

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


try:
    import h5py  # noqa: F401
    _H5PY = True
except ImportError:
    _H5PY = False
# Tests of Keras's HDF5 layout; without h5py tapeflow writes its npz container instead.
needs_h5py = pytest.mark.skipif(not _H5PY, reason="Keras's HDF5 weights format needs h5py "
                                                  "(pip install tapeflow[h5])")


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.random((n, 4)).astype("float32")
    return x, (x.sum(1) > 2).astype("int32")


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _model():
    return keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                             layers.Dense(2, activation="softmax")])


def _trained():
    x, y = _data()
    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, verbose=0)
    return model


@needs_h5py
def test_keras_zip_layout_and_full_round_trip(tmp_path):
    x, y = _data()
    model = _trained()
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(z.read("config.json"))
        meta = json.loads(z.read("metadata.json"))
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert sorted(meta) == ["date_saved", "keras_version"]
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    assert type(loaded.optimizer).__name__ == "Adam"
    assert float(loaded.optimizer.learning_rate) == pytest.approx(0.01)
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 2
    # Optimizer state came back too: training continues identically.
    h1 = model.fit(x, y, shuffle=False, verbose=0).history
    h2 = loaded.fit(x, y, shuffle=False, verbose=0).history
    assert h1 == h2
    uncompiled = keras.models.load_model(path, compile=False)
    assert not uncompiled.compiled
    with pytest.raises(ValueError, match="compile"):
        uncompiled.evaluate(x, y, verbose=0)


@needs_h5py
def test_weights_round_trip_and_naming(tmp_path):
    x, _ = _data()
    model = _trained()
    path = str(tmp_path / "w.weights.h5")
    model.save_weights(path)
    assert _read(path)[:8] == b"\x89HDF\r\n\x1a\n"  # Keras's HDF5 weights file
    fresh = _model()
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        model.save_weights(str(tmp_path / "w.h5"))
    with pytest.raises(ValueError, match="File format not supported"):
        fresh.load_weights(str(tmp_path / "w.npz"))
    with pytest.raises(ValueError, match=r"Invalid filepath extension for saving"):
        model.save(str(tmp_path / "m.tf"))
    with pytest.raises(ValueError, match="File not found"):
        keras.models.load_model(str(tmp_path / "missing.keras"))


@needs_h5py
def test_mismatched_architecture_is_refused_without_changes(tmp_path):
    model = _trained()
    path = str(tmp_path / "w.weights.h5")
    model.save_weights(path)
    other = keras.Sequential([keras.Input((4,)), layers.Dense(5), layers.Dense(2)])
    before = other.get_weights()
    with pytest.raises(ValueError, match="must match"):
        other.load_weights(path)
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)
    deeper = keras.Sequential([keras.Input((4,)), layers.Dense(8), layers.Dense(8),
                               layers.Dense(2)])
    with pytest.raises(ValueError, match="A total of 2 objects could not be loaded"):
        deeper.load_weights(path)


@needs_h5py
def test_truncated_and_tampered_files_give_value_errors(tmp_path):
    model = _trained()
    path = str(tmp_path / "m.keras")
    model.save(path)
    data = _read(path)
    cut = str(tmp_path / "cut.keras")
    with open(cut, "wb") as f:
        f.write(data[:len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupted"):
        keras.models.load_model(cut)
    # Flip one byte inside the stored weights: the zip checksum catches it.
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("model.weights.h5")
    offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    tampered = bytearray(data)
    tampered[offset] ^= 0xFF
    bad = str(tmp_path / "bad.keras")
    with open(bad, "wb") as f:
        f.write(bytes(tampered))
    with pytest.raises(ValueError, match="truncated or corrupted"):
        keras.models.load_model(bad)
    wpath = str(tmp_path / "w.weights.h5")
    model.save_weights(wpath)
    with open(wpath, "r+b") as f:
        f.truncate(100)
    with pytest.raises(ValueError, match="truncated or corrupted"):
        _model().load_weights(wpath)


def test_lambda_layers_are_refused_in_safe_mode(tmp_path):
    model = _trained()
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["class_name"] = "Lambda"
    members["config.json"] = json.dumps(config).encode()
    lam = str(tmp_path / "lambda.keras")
    with zipfile.ZipFile(lam, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(lam)


def test_failed_save_leaves_previous_file_intact(tmp_path, monkeypatch):
    model = _trained()
    path = str(tmp_path / "m.keras")
    model.save(path)
    before = _read(path)

    def boom(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", boom)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert _read(path) == before
    assert os.listdir(tmp_path) == ["m.keras"]  # no temporary file left behind


@keras.saving.register_keras_serializable(package="tests")
class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Shift(layers.Layer):
    def __init__(self, offset=1.0, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def call(self, x):
        return x + self.offset

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}


def test_custom_objects_registered_and_passed(tmp_path):
    x, _ = _data(8)
    inputs = keras.Input((4,))
    outputs = layers.Dense(2)(Shift(3.0)(Scale(0.5)(inputs)))
    model = keras.Model(inputs, outputs)
    path = str(tmp_path / "custom.keras")
    model.save(path)
    with pytest.raises(Exception, match="Shift"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"Shift": Shift})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_checkpoint_and_backup_through_fit(tmp_path):
    x, y = _data()
    model = _trained()
    ck = str(tmp_path / "w-{epoch:02d}.weights.h5")
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[keras.callbacks.ModelCheckpoint(ck, save_weights_only=True)])
    assert sorted(os.listdir(tmp_path)) == ["w-01.weights.h5", "w-02.weights.h5"]

    backup = str(tmp_path / "backup")

    class Crash(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        model.fit(x, y, epochs=4, verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore(backup), Crash()])
    weights_at_crash = model.get_weights()
    fresh = _model()
    fresh.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    fresh(x[:1])
    h = fresh.fit(x, y, epochs=4, verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore(backup)])
    assert h.epoch == [2, 3]  # resumed after the last backed-up epoch
    assert not os.path.exists(backup)  # deleted at the end of a finished fit
    assert any(not np.array_equal(a, b) for a, b in zip(weights_at_crash, fresh.get_weights()))


def _sq_loss(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


class _AbsErr(keras.metrics.Mean):
    def update_state(self, y_true, y_pred, sample_weight=None):
        return super().update_state(tf.abs(y_true - y_pred))


def test_custom_loss_and_metric_in_compile_config(tmp_path):
    x, _ = _data(32)
    y = x.sum(1, keepdims=True)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss=_sq_loss, metrics=[_AbsErr(name="abs_err")])
    model.fit(x, y, verbose=0)
    path = tmp_path / "custom_compile.keras"  # a pathlib.Path works too
    keras.saving.save_model(model, path)
    with pytest.raises(TypeError, match="_sq_loss"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"_sq_loss": _sq_loss,
                                                           "_AbsErr": _AbsErr})
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == \
        model.evaluate(x, y, verbose=0, return_dict=True)


@needs_h5py
def test_a_broken_hdf5_weights_file_is_named_clearly(tmp_path):
    path = tmp_path / "keras_written.weights.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(ValueError, match="keras_written.weights.h5: not a valid HDF5 file"):
        _model().load_weights(str(path))


def test_adapted_text_vectorization_keeps_its_vocabulary_through_save_and_load(tmp_path):
    from tapeflow.keras.layers import TextVectorization
    texts = ["the cat sat", "the dog ran", "a cat ran far"]
    vec = TextVectorization(output_sequence_length=5)
    vec.adapt(texts)
    inputs = keras.Input(shape=(1,), dtype="string")
    model = keras.Model(inputs, vec(inputs))
    want = model(np.array([["the cat ran"]])).numpy()
    path = tmp_path / "tv.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    tv = [layer for layer in loaded.layers if type(layer).__name__ == "TextVectorization"][0]
    assert tv.get_vocabulary() == vec.get_vocabulary()
    np.testing.assert_array_equal(loaded(np.array([["the cat ran"]])).numpy(), want)
    names = zipfile.ZipFile(path).namelist()
    assert any(n.startswith("assets/") and n.endswith("vocabulary.txt") for n in names)


def test_layers_own_variables_are_saved_outside_the_weights(tmp_path):
    @keras.saving.register_keras_serializable(package="test_state")
    class Counter(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.table = np.zeros(3, np.float32)

        def call(self, x):
            return x + self.table

        def save_own_variables(self, store):
            store["table"] = self.table

        def load_own_variables(self, store):
            self.table = np.asarray(store["table"])

    inputs = keras.Input((3,))
    model = keras.Model(inputs, Counter(name="counter")(inputs))
    model.layers[-1].table = np.array([1.0, 2.0, 3.0], np.float32)
    model.save(tmp_path / "c.keras")
    loaded = keras.models.load_model(tmp_path / "c.keras")
    np.testing.assert_array_equal(loaded.get_layer("counter").table, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(loaded(np.zeros((1, 3), np.float32)).numpy(), [[1., 2., 3.]])


def test_functional_operators_and_preprocess_input_round_trip(tmp_path):
    # KerasTensor operators (``/ 255``, slicing with ``...``) and vgg16.preprocess_input's
    # GetItem/Stack/Add ops are saved by op name, as Keras 3 names them, and rebuilt on load.
    keras.backend.clear_session()  # names are unique per session: start from "get_item"
    inputs = keras.Input(shape=(6, 6, 3))
    x = keras.applications.vgg16.preprocess_input(inputs)
    y = (inputs / 255)[..., 1:3]
    outputs = layers.Concatenate()([layers.Flatten()(x), layers.Flatten()(-y * 2.0)])
    model = keras.Model(inputs, outputs)
    path = str(tmp_path / "ops.keras")
    model.save(path)
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
    by_name = {layer["name"]: layer for layer in config["config"]["layers"]}
    assert by_name["get_item"]["module"] == "keras.src.ops.numpy"
    assert by_name["stack"]["class_name"] == "Stack"
    assert by_name["stack"]["config"]["axis"] == -1
    key = [l for l in config["config"]["layers"] if l["class_name"] == "GetItem"][-1]
    assert key["config"]["other"] == {"class_name": "__tuple__", "config": {"value": [
        {"class_name": "__ellipsis__", "config": {}},
        {"class_name": "__slice__", "config": {"start": 1, "stop": 3, "step": None}}]}}
    loaded = keras.models.load_model(path)
    images = np.random.default_rng(0).uniform(0, 255, (2, 6, 6, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(images, verbose=0),
                                  model.predict(images, verbose=0))
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]


def test_unknown_op_layer_in_a_config_is_refused():
    from tapeflow.keras.saving.serialization import deserialize_keras_object
    # Keras 3.15: "Could not deserialize 'keras.src.ops.numpy.Exec' because it is not a
    # KerasSaveable subclass" (ValueError)
    with pytest.raises(ValueError, match="keras.src.ops.numpy.Exec' because it is not a"):
        deserialize_keras_object({"module": "keras.src.ops.numpy", "class_name": "Exec",
                                  "config": {"name": "exec"}})


def test_config_json_top_level_keys_as_keras(tmp_path):
    # What Keras 3 writes: build_config and compile_config ({} when not compiled) for
    # models, the Functional class's own module, a bare reference for a single input.
    a = keras.Input((4,), name="a")
    inner = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="in1")], name="inner")
    model = keras.Model(a, inner(layers.Dense(3, name="d")(a)), name="f")
    path = str(tmp_path / "f.keras")
    model.save(path)
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
    assert config["module"] == "keras.src.models.functional"
    assert config["registered_name"] == "Functional"
    assert config["build_config"] == {"input_shape": None}
    assert config["compile_config"] == {}
    assert config["config"]["input_layers"] == ["a", 0, 0]
    assert config["config"]["output_layers"] == ["inner", 0, 0]
    nested = config["config"]["layers"][2]
    assert nested["class_name"] == "Sequential"
    assert nested["build_config"] == {"input_shape": [None, 3]}
    assert nested["compile_config"] == {}
    reloaded = keras.models.load_model(path)
    assert reloaded.compiled is False
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))
