"""Checkpoint files: TensorFlow's file names, tapeflow's own (documented) contents.

A checkpoint ``prefix`` is two files, named as TensorFlow names them:

- ``prefix.data-00000-of-00001``: the variables' values, raw little-endian bytes in C
  order, one after the other;
- ``prefix.index``: UTF-8 JSON ``{"format": "tapeflow.checkpoint", "version": 1,
  "entries": [{"key", "dtype", "shape", "offset", "nbytes", "crc32", "name"}, ...],
  "aliases": {other path: first path}}`` (the other paths by which the object graph
  reached an object saved under its first path).

TensorFlow cannot read these files (its ``.index`` is an SSTable of protobuf entries), nor
can tapeflow read TensorFlow's. Reading never unpickles and checks every declared size
against the actual data file before reading or allocating anything; a CRC-32 per entry
catches a data file that does not belong to its index. Both files are written to temporary
files in the same folder and renamed into place (data first, index last), so a failed
save leaves an earlier checkpoint of the same name intact.
"""
import json
import os
import zlib

import numpy as np

from tapeflow.framework import errors

FORMAT = "tapeflow.checkpoint"
VERSION = 1
MAX_INDEX_BYTES = 64 << 20     # an index this big would describe ~500k variables
MAX_RANK = 32
_DTYPES = frozenset(("bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                     "uint32", "uint64", "float16", "float32", "float64", "complex64",
                     "complex128"))


def data_path(prefix):
    """Returns the data file's name for checkpoint ``prefix``."""
    return prefix + ".data-00000-of-00001"


def index_path(prefix):
    """Returns the index file's name for checkpoint ``prefix``."""
    return prefix + ".index"


def exists(prefix):
    """Returns True if a checkpoint index exists at ``prefix``."""
    return os.path.isfile(index_path(prefix))


def _atomic_write(path, chunks):
    from tapeflow.safe_files import atomic_write

    def write(f):
        for chunk in chunks:
            f.write(chunk)
    atomic_write(path, write)


def write_text_atomic(path, text):
    """Writes ``text`` (UTF-8) to ``path`` through a temporary file and a rename."""
    _atomic_write(path, [text.encode("utf-8")])


def write(prefix, values, names=None, aliases=None):
    """Writes ``{key: ndarray}`` as checkpoint ``prefix``; returns ``prefix``.

    Raises:
      TypeError: for a value whose dtype cannot be saved (strings, objects), before any
        file is touched.
    """
    arrays, entries, offset = [], [], 0
    for key in sorted(values):
        arr = np.asarray(values[key])
        if arr.dtype.name not in _DTYPES:
            raise TypeError(f"Cannot save {key!r} in a checkpoint: dtype {arr.dtype} is not "
                            f"supported (numbers and bools only).")
        raw = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
        entries.append({"key": key, "dtype": arr.dtype.name, "shape": list(arr.shape),
                        "offset": offset, "nbytes": len(raw), "crc32": zlib.crc32(raw),
                        "name": (names or {}).get(key, "")})
        arrays.append(raw)
        offset += len(raw)
    index = {"format": FORMAT, "version": VERSION, "entries": entries,
             "aliases": aliases or {}}
    folder = os.path.dirname(os.path.abspath(prefix))
    os.makedirs(folder, exist_ok=True)
    _atomic_write(data_path(prefix), arrays)
    _atomic_write(index_path(prefix), [json.dumps(index, indent=0).encode("utf-8")])
    return prefix


def _bad(prefix, why):
    return errors.DataLossError(None, None, f"Checkpoint {prefix!r} is corrupt or not a "
                                            f"tapeflow checkpoint: {why}")


def _is_int(x):
    return type(x) is int and x >= 0


class Reader:
    """Reads a checkpoint's index, validated; values are read one at a time on request.

    Args:
      prefix: the checkpoint prefix (``.../ckpt-1``).

    Raises:
      NotFoundError: if the index or data file is missing.
      DataLossError: if the index is malformed, oversized, or declares sizes, offsets or
        dtypes that the data file cannot hold.
    """

    def __init__(self, prefix):
        self.prefix = prefix
        ipath, dpath = index_path(prefix), data_path(prefix)
        if not os.path.isfile(ipath) or not os.path.isfile(dpath):
            raise errors.NotFoundError(
                None, None,
                f"Error when restoring from checkpoint or SavedModel at {prefix}: Unsuccessful "
                f"TensorSliceReader constructor: Failed to find any matching files for "
                f"{prefix}\nPlease double-check that the path is correct. You may be missing "
                "the checkpoint suffix (e.g. the '-1' in 'path/to/ckpt-1').")
        if os.path.getsize(ipath) > MAX_INDEX_BYTES:
            raise _bad(prefix, f"the index is larger than {MAX_INDEX_BYTES} bytes")
        with open(ipath, "rb") as f:
            raw = f.read(MAX_INDEX_BYTES + 1)
        try:
            index = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise _bad(prefix, "the index is not valid JSON") from None
        if not isinstance(index, dict) or index.get("format") != FORMAT:
            raise _bad(prefix, "unknown format")
        if index.get("version") != VERSION:
            raise _bad(prefix, f"unsupported version {index.get('version')!r}")
        self._data_size = os.path.getsize(dpath)
        entries = index.get("entries")
        if not isinstance(entries, list):
            raise _bad(prefix, "'entries' is not a list")
        self._entries = {}
        for e in entries:
            self._check_entry(e)
            self._entries[e["key"]] = e
        self.key_set = frozenset(self._entries)
        aliases = index.get("aliases", {})
        if not isinstance(aliases, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()):
            raise _bad(prefix, "'aliases' is not a mapping of strings")
        self.aliases = aliases

    def _check_entry(self, e):
        prefix = self.prefix
        if not isinstance(e, dict) or not isinstance(e.get("key"), str):
            raise _bad(prefix, "an entry has no string 'key'")
        key = e["key"]
        if key in self._entries:
            raise _bad(prefix, f"duplicate key {key!r}")
        if e.get("dtype") not in _DTYPES:
            raise _bad(prefix, f"{key!r} has an unsupported dtype {e.get('dtype')!r}")
        shape = e.get("shape")
        if not isinstance(shape, list) or len(shape) > MAX_RANK or \
                not all(_is_int(d) for d in shape):
            raise _bad(prefix, f"{key!r} has an invalid shape")
        if not (_is_int(e.get("offset")) and _is_int(e.get("nbytes")) and
                _is_int(e.get("crc32"))):
            raise _bad(prefix, f"{key!r} has an invalid offset, size or checksum")
        count = 1
        for d in shape:
            count *= d  # Python ints: no overflow
        if count * np.dtype(e["dtype"]).itemsize != e["nbytes"]:
            raise _bad(prefix, f"{key!r} declares {e['nbytes']} bytes for shape {shape} "
                               f"of {e['dtype']}")
        if e["offset"] + e["nbytes"] > self._data_size:
            raise _bad(prefix, f"{key!r} lies beyond the end of the data file")
        if not isinstance(e.get("name", ""), str):
            raise _bad(prefix, f"{key!r} has a non-string name")

    def keys(self):
        """Returns the saved keys, sorted."""
        return sorted(self._entries)

    def has_tensor(self, key):
        """Returns True if ``key`` is saved."""
        return key in self._entries

    def shape(self, key):
        """Returns the saved shape of ``key`` as a list of ints."""
        return list(self._entries[key]["shape"])

    def dtype(self, key):
        """Returns the saved NumPy dtype of ``key``."""
        return np.dtype(self._entries[key]["dtype"])

    def name(self, key):
        """Returns the saved variable's name (``"Variable:0"``), or ``""``."""
        return self._entries[key].get("name", "")

    def read(self, key):
        """Returns the value saved under ``key`` as a fresh NumPy array.

        Raises:
          NotFoundError: if ``key`` is not saved.
          DataLossError: if the bytes read do not match their checksum.
        """
        e = self._entries.get(key)
        if e is None:
            raise errors.NotFoundError(None, None, f"Key {key} not found in checkpoint")
        with open(data_path(self.prefix), "rb") as f:
            f.seek(e["offset"])
            raw = f.read(e["nbytes"])
        if len(raw) != e["nbytes"] or zlib.crc32(raw) != e["crc32"]:
            raise _bad(self.prefix, f"the data of {key!r} does not match its checksum")
        dtype = np.dtype(e["dtype"]).newbyteorder("<")
        arr = np.frombuffer(raw, dtype=dtype).reshape(e["shape"])
        return arr.astype(arr.dtype.newbyteorder("="), copy=True)


__all__ = ["Reader", "write", "exists", "data_path", "index_path", "write_text_atomic"]
