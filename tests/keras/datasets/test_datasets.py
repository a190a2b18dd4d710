"""keras.datasets loaders on small files in the real formats, in a temporary KERAS_HOME.

The loaders check Keras's hashes; the tests point each loader's hash constant at the
small file they wrote (and its origin at a missing file:// path, so that any download
attempt fails instead of touching the network).
"""
import gzip
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras.datasets import (boston_housing, california_housing, cifar10, cifar100,
                                     fashion_mnist, imdb, mnist, reuters)
from tapeflow.keras.datasets._common import load_npz_verified, restricted_unpickle


@pytest.fixture
def datadir(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    d = tmp_path / "kh" / "datasets"
    d.mkdir(parents=True)
    return d


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def offline(monkeypatch, module, path, attr="ORIGIN"):
    monkeypatch.setattr(module, attr, (path.parent / "missing" / path.name).as_uri())


def test_mnist(datadir, monkeypatch):
    rng = np.random.RandomState(0)
    arrays = dict(x_train=rng.randint(0, 256, (6, 28, 28)).astype(np.uint8),
                  y_train=np.arange(6, dtype=np.uint8), x_test=np.zeros((2, 28, 28), np.uint8),
                  y_test=np.array([7, 2], np.uint8))
    path = datadir / "mnist.npz"
    np.savez(path, **arrays)
    monkeypatch.setattr(mnist, "FILE_HASH", sha(path))
    offline(monkeypatch, mnist, path)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    assert x_train.dtype == np.uint8 and x_train.shape == (6, 28, 28)
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    assert y_test.tolist() == [7, 2] and y_test.dtype == np.uint8


def test_keras_origins_and_hashes_are_keras_ones():
    assert mnist.ORIGIN == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    assert mnist.FILE_HASH == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    assert imdb.FILE_HASH.startswith("69664113") and reuters.FILE_HASH.startswith("d6586e69")
    assert cifar10.ORIGIN == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert boston_housing.FILE_HASH.startswith("f553886a")
    assert california_housing.FILE_HASH.startswith("1a2e3a52")


def test_wrong_hash_offline_fails_before_reading(datadir, monkeypatch):
    path = datadir / "mnist.npz"
    np.savez(path, x_train=np.zeros(1))
    offline(monkeypatch, mnist, path)
    with pytest.raises(Exception, match="URL fetch failure") as info:
        mnist.load_data()
    assert str(path) in str(info.value)


def test_fashion_mnist_idx_files(datadir, monkeypatch):
    sub = datadir / "fashion-mnist"
    sub.mkdir()
    x = np.arange(3 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(3, 28, 28)
    y = np.array([9, 0, 3], np.uint8)
    contents = {"train-labels-idx1-ubyte.gz": b"\0" * 8 + y.tobytes(),
                "train-images-idx3-ubyte.gz": b"\0" * 16 + x.tobytes(),
                "t10k-labels-idx1-ubyte.gz": b"\0" * 8 + y[:1].tobytes(),
                "t10k-images-idx3-ubyte.gz": b"\0" * 16 + x[:1].tobytes()}
    hashes = {}
    for name, data in contents.items():
        with gzip.open(sub / name, "wb") as f:
            f.write(data)
        hashes[name] = sha(sub / name)
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", hashes)
    monkeypatch.setattr(fashion_mnist, "BASE", (datadir / "missing").as_uri() + "/")
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, x)
    assert y_train.tolist() == [9, 0, 3] and x_test.shape == (1, 28, 28)


def _cifar_batch(n, seed, label_key="labels", extra=None):
    rng = np.random.RandomState(seed)
    d = {b"data": rng.randint(0, 256, (n, 3072)).astype(np.uint8),
         label_key.encode(): rng.randint(0, 10, n).tolist(), b"batch_label": b"x"}
    d.update(extra or {})
    return pickle.dumps(d, protocol=2)


def _tar(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_cifar10(datadir, monkeypatch):
    files = {f"cifar-10-batches-py/data_batch_{i}": _cifar_batch(2, i) for i in range(1, 6)}
    files["cifar-10-batches-py/test_batch"] = _cifar_batch(3, 9)
    archive = datadir / "cifar-10-batches-py_archive"
    _tar(archive, files)
    monkeypatch.setattr(cifar10, "FILE_HASH", sha(archive))
    offline(monkeypatch, cifar10, archive)
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (10, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (3, 32, 32, 3) and y_test.shape == (3, 1)
    first = pickle.loads(files["cifar-10-batches-py/data_batch_1"])
    # rows are 1024 red, then green, then blue values: channels go last
    np.testing.assert_array_equal(x_train[0, :, :, 1], first[b"data"][0, 1024:2048].reshape(32, 32))
    assert y_train[:2, 0].tolist() == first[b"labels"]


def test_cifar100_fine_and_coarse(datadir, monkeypatch):
    def batch(n, seed):
        rng = np.random.RandomState(seed)
        return pickle.dumps({b"data": rng.randint(0, 256, (n, 3072)).astype(np.uint8),
                             b"fine_labels": list(range(n)), b"coarse_labels": [1] * n},
                            protocol=2)
    archive = datadir / "cifar-100-python-target_archive"
    _tar(archive, {"cifar-100-python/train": batch(4, 0), "cifar-100-python/test": batch(2, 1)})
    monkeypatch.setattr(cifar100, "FILE_HASH", sha(archive))
    offline(monkeypatch, cifar100, archive)
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar100.load_data()
    assert x_train.shape == (4, 32, 32, 3) and y_train[:, 0].tolist() == [0, 1, 2, 3]
    (_, yc), _ = keras.datasets.cifar100.load_data(label_mode="coarse")
    assert yc.shape == (4, 1) and yc[:, 0].tolist() == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="label_mode"):
        keras.datasets.cifar100.load_data(label_mode="medium")


def test_restricted_unpickler_refuses_code():
    class Evil:
        def __reduce__(self):
            return (os.getcwd, ())
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load posix.getcwd"):
        restricted_unpickle(pickle.dumps({b"data": Evil()}))
    ok = restricted_unpickle(pickle.dumps({b"a": np.arange(3), b"b": [1, 2]}))
    assert ok[b"a"].tolist() == [0, 1, 2]


def _ragged(seqs):
    arr = np.empty(len(seqs), dtype=object)
    arr[:] = seqs
    return arr


def _imdb_file(datadir):
    x_train = _ragged([[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]])
    x_test = _ragged([[2, 2], [3, 30, 3]])
    path = datadir / "imdb.npz"
    np.savez(path, x_train=x_train, y_train=np.array([0, 1, 0, 1]), x_test=x_test,
             y_test=np.array([1, 0]))
    return path, x_train, x_test


def test_imdb(datadir, monkeypatch):
    path, x_train, x_test = _imdb_file(datadir)
    monkeypatch.setattr(imdb, "FILE_HASH", sha(path))
    offline(monkeypatch, imdb, path)
    (xt, yt), (xs, ys) = keras.datasets.imdb.load_data()
    # Keras shuffles each split with RandomState(113) and adds start_char, index_from
    rng = np.random.RandomState(113)
    order = np.arange(4)
    rng.shuffle(order)
    assert xt.dtype == object and xt.shape == (4,)
    assert [list(s) for s in xt] == [[1] + [w + 3 for w in x_train[i]] for i in order]
    assert yt.tolist() == [[0, 1, 0, 1][i] for i in order]
    assert len(xs) == 2 and isinstance(xt[0], list)
    (xt, _), _ = keras.datasets.imdb.load_data(num_words=6, skip_top=4, start_char=None,
                                               index_from=0, maxlen=4)
    assert sorted(len(x) for x in xt) == [1, 2, 3]
    assert all(w == 2 or 4 <= w < 6 for x in xt for w in x)


def test_reuters(datadir, monkeypatch):
    path = datadir / "reuters.npz"
    xs = _ragged([[i, i + 1] for i in range(10)])
    np.savez(path, x=xs, y=np.arange(10) % 3)
    monkeypatch.setattr(reuters, "FILE_HASH", sha(path))
    offline(monkeypatch, reuters, path)
    (xt, yt), (xv, yv) = keras.datasets.reuters.load_data(test_split=0.2)
    assert len(xt) == 8 and len(xv) == 2 and xt.dtype == object
    assert sorted(x[1] - 3 for x in list(xt) + list(xv)) == list(range(10))
    assert len(keras.datasets.reuters.get_label_names()) == 46


def test_npz_with_objects_needs_matching_hash(datadir):
    path, _, _ = _imdb_file(datadir)
    with pytest.raises(ValueError, match="hash does not match"):
        load_npz_verified(str(path), "0" * 64, ["x_train"])


def test_boston_and_california(datadir, monkeypatch):
    x = np.arange(10 * 13, dtype=np.float64).reshape(10, 13)
    y = np.arange(10, dtype=np.float64)
    path = datadir / "boston_housing.npz"
    np.savez(path, x=x, y=y)
    monkeypatch.setattr(boston_housing, "FILE_HASH", sha(path))
    offline(monkeypatch, boston_housing, path)
    (xt, yt), (xv, yv) = keras.datasets.boston_housing.load_data()
    order = np.arange(10)
    np.random.RandomState(113).shuffle(order)
    np.testing.assert_array_equal(yt, order[:8])
    np.testing.assert_array_equal(xv, x[order[8:]])
    assert xt.dtype == np.float64

    cpath = datadir / "california_housing.npz"
    np.savez(cpath, x=np.ones((700, 8), np.float32), y=np.arange(700, dtype=np.float32))
    monkeypatch.setattr(california_housing, "FILE_HASH", sha(cpath))
    offline(monkeypatch, california_housing, cpath)
    (xt, yt), (xv, _) = keras.datasets.california_housing.load_data(version="small")
    assert xt.shape == (480, 8) and xv.shape == (120, 8) and yt.max() < 600
    (xt, _), _ = keras.datasets.california_housing.load_data()
    assert xt.shape == (560, 8)
    with pytest.raises(ValueError, match="version"):
        keras.datasets.california_housing.load_data(version="huge")
