"""Hostile HDF5 files: every one gives a ValueError naming the file and the problem, before
any large allocation, never an h5py traceback, and never reads outside the file."""
import json

import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras import layers
from tapeflow.keras.saving import h5_io

h5py = pytest.importorskip("h5py", reason="the Keras HDF5 formats need h5py "
                                          "(pip install tapeflow[h5])")


def _model():
    return keras.Sequential([keras.Input((3,)), layers.Dense(2, name="d")])


def _saved(tmp_path):
    path = tmp_path / "w.weights.h5"
    _model().save_weights(str(path))
    return path


def _replace(path, key, **dataset):
    with h5py.File(path, "a") as f:
        del f[key]
        f.create_dataset(key, **dataset)


def test_truncated_file(tmp_path):
    path = _saved(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 3])
    with pytest.raises(ValueError, match=r"w\.weights\.h5.*truncated or corrupted"):
        _model().load_weights(str(path))


def test_absurd_declared_shape_is_refused_before_reading(tmp_path):
    path = _saved(tmp_path)
    # 2**40 floats declared, nothing stored: the file stays a few KB.
    _replace(path, "layers/dense/vars/0", shape=(1 << 20, 1 << 20), dtype="f4",
             chunks=(1, 1024))
    assert path.stat().st_size < 100_000
    with pytest.raises(ValueError, match=r"variable\.shape=\(3, 2\), Received: "
                                         r"value\.shape=\(1048576, 1048576\)"):
        _model().load_weights(str(path))
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match="over the .*-byte limit"):
            h5_io.read_dataset(f["layers/dense/vars/0"], str(path))


def test_absurd_shape_for_a_layer_with_its_own_loader(tmp_path):
    class Table(layers.Layer):
        def save_own_variables(self, store):
            store["t"] = np.zeros(3, np.float32)

        def load_own_variables(self, store):
            self.t = store["t"]

    model = keras.Sequential([keras.Input((3,)), Table()])
    path = tmp_path / "t.weights.h5"
    model.save_weights(str(path))
    _replace(path, "layers/table/vars/t", shape=(1 << 40,), dtype="f8", chunks=(1024,))
    with pytest.raises(ValueError, match=r"t\.weights\.h5: /layers/table/vars declares more "
                                         "data than the layers of this model can hold"):
        model.load_weights(str(path))
    # Under the file budget, each dataset still has the 4 GiB limit.
    from tapeflow.keras.saving import h5_io
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=r"declared shape \(1099511627776,\)"):
            h5_io.read_dataset(f["layers/table/vars/t"], str(path))
    _replace(path, "layers/table/vars/t", shape=(50 << 20,), dtype="u1", chunks=(1 << 20,))
    model.load_weights(str(path))         # 50 MB: within the budget, and read
    assert model.layers[0].t.shape == (50 << 20,)


def test_object_and_string_dtypes_are_refused(tmp_path):
    path = _saved(tmp_path)
    _replace(path, "layers/dense/vars/0",
             data=np.array([["a", "b"]] * 3, dtype=object), dtype=h5py.string_dtype())
    with pytest.raises(ValueError, match="not a plain numeric type"):
        _model().load_weights(str(path))
    _replace(path, "layers/dense/vars/0",
             data=np.zeros((3, 2), dtype=[("a", "f4"), ("b", "i4")]))
    with pytest.raises(ValueError, match="not a plain numeric type"):
        _model().load_weights(str(path))


def test_data_stored_outside_the_file_is_refused(tmp_path):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(6, dtype="f4").tobytes())
    path = _saved(tmp_path)
    _replace(path, "layers/dense/vars/0", shape=(3, 2), dtype="f4",
             external=[(str(secret), 0, 24)])
    model = _model()
    before = model.get_weights()
    with pytest.raises(ValueError, match="stored outside the file"):
        model.load_weights(str(path))
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_links_to_other_files_are_refused(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.create_dataset("k", data=np.ones((3, 2), "f4"))
    path = _saved(tmp_path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink(str(other), "k")
    with pytest.raises(ValueError, match="ExternalLink"):
        _model().load_weights(str(path))


def test_legacy_file_with_bad_config_or_missing_weights(tmp_path):
    path = tmp_path / "m.h5"
    model = _model()
    model.save(str(path))
    with h5py.File(path, "a") as f:
        f.attrs["model_config"] = b"{not json"
    with pytest.raises(ValueError, match=r"m\.h5: attribute 'model_config': invalid JSON"):
        keras.models.load_model(str(path))
    model.save(str(path))
    with h5py.File(path, "a") as f:
        kernel = f["model_weights/d"].attrs["weight_names"][0].decode()
        del f[f"model_weights/d/{kernel}"]
    with pytest.raises(ValueError, match=r"m\.h5.*kernel is listed in weight_names but is "
                                         "missing"):
        keras.models.load_model(str(path))
    model.save(str(path))
    with h5py.File(path, "a") as f:
        f.attrs["model_config"] = np.array([1.5, 2.5])
    with pytest.raises(ValueError, match="expected text"):
        keras.models.load_model(str(path))


def test_attribute_names_must_be_text(tmp_path):
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([1, 2, 3])
    with pytest.raises(ValueError, match="holds int, expected text"):
        _model().load_weights(str(path))


def test_not_hdf5_at_all(tmp_path):
    path = tmp_path / "x.h5"
    path.write_bytes(json.dumps({"a": 1}).encode())
    with pytest.raises(ValueError, match=r"x\.h5"):
        _model().load_weights(str(path))


def test_random_byte_flips_give_value_errors_or_load(tmp_path):
    # Whatever a corrupted weights file holds, the user sees a ValueError naming the file,
    # or (when only weight bytes changed) a normal load; never an h5py exception.
    path = _saved(tmp_path)
    data = path.read_bytes()
    rs = np.random.RandomState(0)
    outcomes = set()
    for _ in range(40):
        bad = bytearray(data)
        for _ in range(rs.randint(1, 6)):
            bad[rs.randint(0, len(bad))] = rs.randint(0, 256)
        path.write_bytes(bytes(bad))
        try:
            _model().load_weights(str(path))
            outcomes.add("loaded")
        except ValueError as e:
            assert "w.weights.h5" in str(e)
            outcomes.add("ValueError")
    assert "ValueError" in outcomes


def test_oversized_optimizer_variables_are_refused_before_reading(tmp_path):
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((2, 3)), np.ones((2, 2)), verbose=0)
    path = tmp_path / "w.weights.h5"
    model.save_weights(str(path))
    _replace(path, "optimizer/vars/2", shape=(1 << 30, 1 << 10), dtype="f4", chunks=(1, 1024))
    fresh = _model()                       # no optimizer yet: the saved state would be kept
    with pytest.raises(ValueError, match="w.weights.h5: its optimizer variables declare "
                                         "4398046511"):
        fresh.load_weights(str(path))
    compiled = _model()                    # with one: shapes are compared, nothing is read
    compiled.compile(optimizer="adam", loss="mse")
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        compiled.load_weights(str(path))
    np.testing.assert_array_equal(compiled.layers[0].kernel.numpy(),
                                  model.layers[0].kernel.numpy())
