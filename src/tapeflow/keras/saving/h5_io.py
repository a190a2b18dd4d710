"""Safe, bounded access to HDF5 files through h5py (imported only when a file is used).

Every HDF5 file is treated as hostile:

- attributes are read as data only (strings, numbers, arrays of them), with a size
  cap; nothing in a file is ever unpickled or called;
- a dataset is read only if its dtype is a plain number or bool (object, variable-length,
  compound and reference dtypes are refused), it is stored inside the file (external
  storage, virtual datasets and links to other files are refused) and its declared size
  is under ``MAX_DATASET_BYTES`` and, when stored contiguously, actually present;
- any h5py or HDF5 error becomes a ``ValueError`` naming the file and what is wrong.
"""
import io
import os

import numpy as np

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
MAX_DATASET_BYTES = 1 << 32        # 4 GiB: a single weight larger than this is refused
MAX_ATTR_BYTES = 64 << 20          # 64 MiB: model_config and name lists
MAX_NAMES = 1 << 20                # entries in a layer_names / weight_names attribute
_NUMERIC_KINDS = frozenset("biufc")


def h5py():
    """Returns the h5py module, or raises ImportError saying how to install it."""
    try:
        import h5py as module
    except ImportError:
        raise ImportError("Reading and writing Keras HDF5 files (.keras, .weights.h5, .h5) "
                          "needs h5py: `pip install tapeflow[h5]` (or `pip install h5py`)."
                          ) from None
    return module


def has_h5py():
    """Returns True if h5py can be imported."""
    try:
        h5py()
    except ImportError:
        return False
    return True


def is_hdf5(data_or_path):
    """Returns True if the bytes (or the file at the path) start with the HDF5 signature."""
    if isinstance(data_or_path, (bytes, bytearray, memoryview)):
        return bytes(data_or_path[:8]) == HDF5_MAGIC
    try:
        with open(data_or_path, "rb") as f:
            return f.read(8) == HDF5_MAGIC
    except OSError:
        return False


class H5Error(ValueError):
    """A malformed or hostile HDF5 file (a ValueError naming the file)."""


def open_read(source, name=None):
    """Returns an open read-only ``h5py.File`` for a path or bytes.

    Raises:
      ValueError: if the file is not a readable HDF5 file (truncated, corrupted).
    """
    h5 = h5py()
    label = name or source
    try:
        if isinstance(source, (bytes, bytearray)):
            return h5.File(io.BytesIO(source), "r")
        return h5.File(os.fspath(source), "r")
    except (OSError, ValueError, RuntimeError, KeyError) as e:
        raise H5Error(f"Could not read {label}: not a valid HDF5 file, or it is truncated "
                      f"or corrupted ({type(e).__name__}: {e}).") from None


def open_write(target):
    """Returns an ``h5py.File`` open for writing on a path or a writable binary file object."""
    return h5py().File(target, "w")


def child(group, key, source):
    """Returns ``group[key]`` if it is a hard link inside the file, else None.

    Soft and external links are refused (an external link could open another file).

    Raises:
      ValueError: for a link to another file or an unreadable entry.
    """
    h5 = h5py()
    try:
        link = group.get(key, getlink=True)
        if link is None:
            return None
        if not isinstance(link, h5.HardLink):
            raise H5Error(f"{source}: {group.name}/{key} is a {type(link).__name__}; only "
                          "entries stored in the file itself are read.")
        return group[key]
    except H5Error:
        raise
    except (OSError, KeyError, ValueError, RuntimeError) as e:
        raise H5Error(f"Could not read {group.name}/{key} in {source}: the file is "
                      f"corrupted ({type(e).__name__}: {e}).") from None


def is_group(obj):
    """Returns True for an h5py Group."""
    return isinstance(obj, h5py().Group)


def is_dataset(obj):
    """Returns True for an h5py Dataset."""
    return isinstance(obj, h5py().Dataset)


def keys(group, source):
    """Returns the names of a group's members (a list of str).

    Raises:
      ValueError: if the group cannot be listed.
    """
    try:
        out = list(group.keys())
    except (OSError, KeyError, ValueError, RuntimeError) as e:
        raise H5Error(f"Could not list {group.name} in {source}: the file is corrupted "
                      f"({type(e).__name__}: {e}).") from None
    if len(out) > MAX_NAMES:
        raise H5Error(f"{source}: {group.name} has {len(out)} members, more than the "
                      f"{MAX_NAMES} allowed.")
    return out


def read_dataset(ds, source, expected_shape=None):
    """Returns the dataset's value as a NumPy array, after checking it is safe to read.

    Args:
      ds: an h5py Dataset.
      source: the file's name, for messages.
      expected_shape: if given, the declared shape must equal it (checked before reading).

    Raises:
      ValueError: for a non-numeric dtype, a shape other than ``expected_shape``, a size
        over ``MAX_DATASET_BYTES``, data stored outside the file, or missing data.
    """
    where = f"dataset {ds.name} in {source}"
    try:
        dtype, shape = ds.dtype, tuple(int(s) for s in ds.shape)
        external, virtual = ds.external, ds.is_virtual
        layout = ds.id.get_create_plist().get_layout()
        stored = ds.id.get_storage_size()
    except (OSError, ValueError, RuntimeError, TypeError) as e:
        raise H5Error(f"Could not read {where}: the file is corrupted "
                      f"({type(e).__name__}: {e}).") from None
    if dtype.kind not in _NUMERIC_KINDS or dtype.fields is not None or \
            dtype.metadata or dtype.subdtype is not None:
        raise H5Error(f"Refusing {where}: dtype {dtype} is not a plain numeric type "
                      "(object, string, compound and reference data are not weights).")
    if external or virtual:
        raise H5Error(f"Refusing {where}: its data is stored outside the file.")
    if expected_shape is not None and shape != tuple(expected_shape):
        raise H5Error(f"{where} has shape {shape}, expected {tuple(expected_shape)}.")
    nbytes = int(np.prod(shape, dtype=np.float64) * dtype.itemsize) if shape else \
        dtype.itemsize
    if nbytes > MAX_DATASET_BYTES:
        raise H5Error(f"Refusing {where}: its declared shape {shape} ({dtype}) needs "
                      f"{nbytes} bytes, over the {MAX_DATASET_BYTES}-byte limit.")
    h5 = h5py()
    if layout == h5.h5d.CONTIGUOUS and stored < nbytes and nbytes:
        raise H5Error(f"{where} declares {nbytes} bytes but the file holds {stored}: the "
                      "file is truncated or corrupted.")
    try:
        value = ds[()]
    except (OSError, ValueError, RuntimeError, TypeError) as e:
        raise H5Error(f"Could not read {where}: the file is truncated or corrupted "
                      f"({type(e).__name__}: {e}).") from None
    return np.asarray(value)


def _decode(value, where):
    if isinstance(value, (bytes, np.bytes_)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise H5Error(f"{where} is not UTF-8 text.") from None
    if isinstance(value, str):
        return value
    raise H5Error(f"{where} holds {type(value).__name__}, expected text.")


def _attr(obj, name, source):
    try:
        attrs = obj.attrs
        if name not in attrs:
            return None
        aid = attrs.get_id(name)
        count = int(np.prod(aid.shape, dtype=np.float64)) if aid.shape else 1
        if count > MAX_NAMES:
            raise H5Error(f"{source}: attribute {name!r} of {obj.name} has {count} entries, "
                          f"over the {MAX_NAMES} allowed.")
        size = aid.get_storage_size() if count else 0   # (HDF5 fails on empty ones)
        if size > MAX_ATTR_BYTES:
            raise H5Error(f"{source}: attribute {name!r} of {obj.name} is {size} bytes, over "
                          f"the {MAX_ATTR_BYTES}-byte limit.")
        dtype = aid.dtype
        if dtype.fields is not None or (dtype.kind == "O" and
                                        h5py().check_string_dtype(dtype) is None):
            raise H5Error(f"{source}: attribute {name!r} of {obj.name} has dtype {dtype}, "
                          "expected text or numbers.")
        return attrs[name]
    except H5Error:
        raise
    except (OSError, KeyError, ValueError, RuntimeError, TypeError) as e:
        raise H5Error(f"Could not read attribute {name!r} of {obj.name} in {source} "
                      f"({type(e).__name__}: {e}).") from None


def attr_text(obj, name, source):
    """Returns a text attribute as str, or None if absent.

    Raises:
      ValueError: if it is not text or is too large.
    """
    value = _attr(obj, name, source)
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise H5Error(f"{source}: attribute {name!r} of {obj.name} is an array, "
                          "expected text.")
        value = value.reshape(()).item()
    return _decode(value, f"{source}: attribute {name!r} of {obj.name}")


def attr_names(obj, name, source):
    """Returns a list-of-text attribute (``layer_names``, ``weight_names``) as a list of str.

    A missing attribute gives None; an empty one (written by h5py as a float array) [].

    Raises:
      ValueError: if it holds anything but text.
    """
    value = _attr(obj, name, source)
    if value is None:
        return None
    where = f"{source}: attribute {name!r} of {obj.name}"
    arr = np.asarray(value)
    if arr.size == 0:
        return []
    if arr.ndim > 1 or arr.size > MAX_NAMES:
        raise H5Error(f"{where} has shape {arr.shape}, expected a list of names.")
    return [_decode(v, where) for v in arr.reshape(-1).tolist()]


def text_list_attr(values):
    """Returns names as a NumPy array that h5py stores as a list of UTF-8 strings."""
    if not values:
        return np.zeros((0,), dtype=np.float64)   # what Keras writes for an empty list
    return np.array([str(v) for v in values], dtype=h5py().string_dtype())
