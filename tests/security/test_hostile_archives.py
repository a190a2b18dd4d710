"""Hostile `.keras` archives: decompression bombs in each member, lying headers, arrays whose
declared shape exceeds their bytes, pickled object arrays, traversal names, deep nesting.

Each is built here from a real tapeflow file and must be refused with a ValueError before
memory grows: peak traced memory while refusing stays under 100 MB, nothing is written
outside the target folder.
"""
import io
import json
import os
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras import layers

BOMB = 200 * 2 ** 20    # what a bomb member inflates to (deflated: ~200 KB)
PEAK_LIMIT = 100 * 2 ** 20


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {i.filename: (zf.read(i.filename), i.compress_type) for i in zf.infolist()}


def _write(path, members, extra=()):
    with zipfile.ZipFile(path, "w") as zf:
        for name, (data, kind) in members.items():
            zf.writestr(name, data, compress_type=kind)
        for name, writer in extra:
            with zf.open(zipfile.ZipInfo(name), "w", force_zip64=True) as f:
                writer(f)


def _zeros(f, n=BOMB):
    chunk = bytes(2 ** 20)
    for _ in range(n // len(chunk)):
        f.write(chunk)


def _deflated(name):
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _model_file(tmp_path, text=False, npz=False):
    """A real tapeflow file; ``npz=True``: in tapeflow's older format (weights and layer
    state in NumPy containers, as written without h5py), which is still read."""
    path = str(tmp_path / "model.keras")
    if npz:
        import warnings
        from unittest import mock
        from tapeflow.keras.saving import h5_io
        with mock.patch.object(h5_io, "has_h5py", lambda: False), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")   # the "Keras cannot read it" warning
            return _model_file(tmp_path, text=text)
    if text:
        tv = layers.TextVectorization(max_tokens=20, output_mode="int")
        tv.adapt(["a b c", "b c d"])
        model = keras.Sequential([keras.Input((1,), dtype="string"), tv])
    else:
        model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
    model.save(path)
    return path


def _refused(path, match=None, load=None):
    """Loads ``path`` under tracemalloc; asserts a ValueError and the peak bound."""
    load = load or keras.models.load_model
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match) as info:
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_LIMIT, f"peak {peak:,} bytes while refusing {path}"
    return str(info.value)


def _weights_member(members):
    return next(n for n in members if n.startswith("model.weights"))


@pytest.mark.parametrize("member", ["config.json", "metadata.json", "weights", "asset",
                                    "state"])
def test_decompression_bomb_in_each_member_is_refused(tmp_path, member):
    path = _model_file(tmp_path, text=member in ("asset", "state"))
    members = _members(path)
    names = {"weights": _weights_member(members),
             "asset": next((n for n in members if n.startswith("assets/")), "assets/x/v.txt"),
             "state": "layer_state.npz"}
    name = names.get(member, member)
    members.pop(name, None)
    bomb = str(tmp_path / "bomb.keras")

    def write(f):
        _zeros(f)
    with zipfile.ZipFile(bomb, "w") as zf:
        for n, (data, kind) in members.items():
            zf.writestr(n, data, compress_type=kind)
        with zf.open(_deflated(name), "w", force_zip64=True) as f:
            write(f)
    assert os.path.getsize(bomb) < 2 * 2 ** 20
    message = _refused(bomb)
    assert name in message and "bytes" in message


def _patch_declared_size(path, name, size):
    """Rewrites the central directory so that ``name`` declares ``size`` uncompressed bytes
    (the data stays what it is: a lying header)."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        assert pos >= 0
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + n].decode() == name:
            struct.pack_into("<I", data, pos + 24, size)
            break
        pos += 4
    with open(path, "wb") as f:
        f.write(data)


def test_lying_header_cannot_get_past_the_cap(tmp_path):
    path = _model_file(tmp_path)
    members = _members(path)
    members.pop("config.json")
    bomb = str(tmp_path / "liar.keras")
    _write(bomb, members)
    with zipfile.ZipFile(bomb, "a") as zf:
        with zf.open(_deflated("config.json"), "w") as f:
            _zeros(f, 64 * 2 ** 20)
    _patch_declared_size(bomb, "config.json", 1000)    # claims 1 KB, inflates to 64 MB
    _refused(bomb)


def _npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _npy_header(shape, dtype="<f4"):
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def _tapeflow_weights(path):
    """The model's weights member, if it is tapeflow's npz container (else None)."""
    members = _members(path)
    name = _weights_member(members)
    return (name, members) if name.endswith(".npz") else (None, members)


def test_array_declaring_more_than_its_bytes_is_refused_before_allocating(tmp_path):
    from tapeflow.safe_files import load_npz
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("huge.npy", _npy_header((2 ** 20, 2 ** 20)) + bytes(64))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="declares shape"):
            load_npz(buf.getvalue(), "crafted.npz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_LIMIT

    path = _model_file(tmp_path, npz=True)
    name, members = _tapeflow_weights(path)
    members[name] = (buf.getvalue(), zipfile.ZIP_STORED)
    _write(path, members)
    _refused(path)


def test_pickled_object_arrays_are_never_loaded(tmp_path):
    from tapeflow.safe_files import load_npz
    sentinel = tmp_path / "SENTINEL"

    class Boom:
        def __reduce__(self):
            return (open, (str(sentinel), "w"))

    data = _npz(x=np.array([Boom()], dtype=object))
    with pytest.raises(ValueError, match="Python objects"):
        load_npz(data, "crafted.npz")
    assert not sentinel.exists()
    path = _model_file(tmp_path, text=True, npz=True)
    members = _members(path)
    members["layer_state.npz"] = (data, zipfile.ZIP_STORED)
    _write(path, members)
    _refused(path)
    assert not sentinel.exists()


@pytest.mark.parametrize("name", ["../evil.txt", "/tmp/evil-abs.txt", "assets/../../evil.txt",
                                  "C:/evil.txt"])
def test_traversal_and_absolute_entry_names_are_refused(tmp_path, name):
    path = _model_file(tmp_path, text=True)
    members = _members(path)
    members[name] = (b"owned", zipfile.ZIP_STORED)
    _write(path, members)
    before = sorted(os.listdir(tmp_path.parent))
    message = _refused(path)
    assert "leaves its folder" in message or "absolute" in message
    assert sorted(os.listdir(tmp_path.parent)) == before
    assert not os.path.exists("/tmp/evil-abs.txt")


def test_deeply_nested_json_is_refused(tmp_path):
    path = _model_file(tmp_path)
    members = _members(path)
    members["config.json"] = (b"[" * 100000 + b"]" * 100000, zipfile.ZIP_DEFLATED)
    _write(path, members)
    assert "nested" in _refused(path)


def test_models_nested_past_the_recursion_limit_are_refused(tmp_path):
    path = _model_file(tmp_path)
    members = _members(path)
    config = json.loads(members["config.json"][0])
    inner = config
    for i in range(150):   # Sequential inside Sequential inside ...
        inner = {"module": "keras", "class_name": "Sequential", "registered_name": None,
                 "config": {"name": f"s{i}", "layers": [inner]}}
    members["config.json"] = (json.dumps(inner).encode(), zipfile.ZIP_DEFLATED)
    _write(path, members)
    assert "nested" in _refused(path)


def test_absurd_layer_size_raises_resource_exhausted(tmp_path):
    import tapeflow as tf
    layer = layers.Dense(units=2 ** 40)
    with pytest.raises(tf.errors.ResourceExhaustedError, match=r"OOM when allocating tensor "
                                                               r"with shape\[4,1099511627776\]"):
        layer.build((None, 4))
    assert not layer.built and layer.weights == []
    path = _model_file(tmp_path)
    members = _members(path)
    config = json.loads(members["config.json"][0])
    config["config"]["layers"][-1]["config"]["units"] = 2 ** 40
    members["config.json"] = (json.dumps(config).encode(), zipfile.ZIP_DEFLATED)
    _write(path, members)
    tracemalloc.start()
    try:
        with pytest.raises(tf.errors.ResourceExhaustedError):
            keras.models.load_model(path)
        assert tracemalloc.get_traced_memory()[1] < PEAK_LIMIT
    finally:
        tracemalloc.stop()


def test_a_truncated_file_is_refused(tmp_path):
    path = _model_file(tmp_path)
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:len(data) // 2])
    _refused(path)


def test_the_bound_is_real_a_genuine_model_still_loads(tmp_path):
    # The limits above refuse nothing a real model needs: a genuine file under tracemalloc.
    path = _model_file(tmp_path, text=True)
    model = keras.models.load_model(path)
    assert model.layers[0].get_vocabulary()[:2] == ["", "[UNK]"]
