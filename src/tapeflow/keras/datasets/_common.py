"""Shared by the loaders: the origin folder, verified loading, restricted unpickling."""
import codecs
import io
import pickle

import numpy as np

from tapeflow.keras.utils.file_utils import validate_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

# The only globals a NumPy-array pickle needs; anything else is refused.
_reconstruct = np.ndarray.__reduce__(np.zeros(1))[0]
_scalar = np.float64(0).__reduce__()[0]
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.multiarray", "scalar"): _scalar,
    ("numpy._core.multiarray", "scalar"): _scalar,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,  # protocol-2 pickles store array bytes this way
}


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        obj = _ALLOWED.get((module, name))
        if obj is None:
            raise pickle.UnpicklingError(
                f"Refusing to load {module}.{name}: only NumPy arrays are allowed in data files.")
        return obj


def restricted_unpickle(data, encoding="bytes"):
    """Unpickles ``data`` (bytes) allowing only NumPy arrays, lists, dicts and scalars."""
    return _ArrayUnpickler(io.BytesIO(data), encoding=encoding).load()


def load_npz_verified(path, file_hash, keys):
    """Returns the arrays ``keys`` of an ``.npz`` file whose hash matches ``file_hash``.

    Object arrays (ragged sequences) need unpickling, which is allowed only for a
    file with the expected hash, and even then only NumPy arrays and Python
    containers can be rebuilt.

    Raises:
      ValueError: if the hash does not match.
    """
    if not validate_file(path, file_hash):
        raise ValueError(f"Refusing to unpickle {path}: its hash does not match {file_hash}.")
    out = []
    with np.load(path, allow_pickle=False) as f:
        for k in keys:
            try:
                out.append(f[k])
            except ValueError:  # an object array: read the raw .npy with a safe unpickler
                out.append(_object_array(f.zip.read(k + ".npy")))
    return out


def _object_array(npy_bytes):
    buf = io.BytesIO(npy_bytes)
    version = np.lib.format.read_magic(buf)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(buf)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(buf)
    if dtype.kind != "O":
        raise ValueError("Expected an object array.")
    arr = restricted_unpickle(buf.read(), encoding="latin1")
    return np.asarray(arr, dtype=object).reshape(shape, order="F" if fortran else "C")


def remove_long_seq(maxlen, seq, label):
    """Returns ``(seq, label)`` without the sequences of ``maxlen`` or more steps."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


def object_array(lists):
    """Returns a 1-D object array of Python lists (never a 2-D array)."""
    arr = np.empty(len(lists), dtype=object)
    arr[:] = lists
    return arr
