"""Checkpoint files in TensorFlow's own format (TensorBundle), which TensorFlow reads too.

A checkpoint ``prefix`` is ``prefix.index`` and ``prefix.data-00000-of-00001``, written by
``tensor_bundle``: each variable under its object-graph key, plus
``_CHECKPOINTABLE_OBJECT_GRAPH``, the ``TrackableObjectGraph`` message naming every object's
children, so ``tf.train.Checkpoint.restore`` in TensorFlow can match them, and so a restore
here can follow every path that reached a saved object (its aliases).

Reading is for hostile files (see ``tensor_bundle``): nothing is unpickled, sizes and
offsets are checked against the real files before anything is read, checksums are
verified. Both files are written to temporary files beside the targets and renamed into
place (data first, index last), so a failed save leaves the previous checkpoint intact.
"""
import collections
import os

import numpy as np

from tapeflow.framework import errors
from tapeflow.tracking import tensor_bundle as tb
from tapeflow.tracking.trackable import escape_name

MAX_INDEX_BYTES = tb.MAX_INDEX_BYTES
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


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


def write(prefix, values, nodes):
    """Writes ``{key: ndarray}`` and the object graph ``nodes`` (``tensor_bundle``'s form) as
    checkpoint ``prefix``; returns ``prefix``.

    Raises:
      TypeError: for a value whose dtype cannot be saved (strings, objects), before any
        file is touched.
    """
    chunks, entries = tb.encode(values, {OBJECT_GRAPH_KEY: tb.encode_object_graph(nodes)})
    index = tb.build_index(entries)
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    _atomic_write(data_path(prefix), chunks)
    _atomic_write(index_path(prefix), [index])
    return prefix


def _aliases(nodes, prefix):
    """Returns ``{other path: first path}`` from a decoded object graph (breadth first from
    node 0, names escaped as in keys), and ``{key: full name}`` of its variables."""
    paths = {0: ""}
    aliases, names = {}, {}
    queue = collections.deque([0])
    while queue:
        i = queue.popleft()
        node = nodes[i]
        for _, full, key in node["attributes"]:
            names.setdefault(key, full)
        for child, name in node["children"]:
            if not 0 <= child < len(nodes):
                raise tb.bad(prefix, "the object graph refers to a missing node")
            path = f"{paths[i]}/{escape_name(name)}" if paths[i] else escape_name(name)
            if child in paths:
                if paths[child] != path:
                    aliases.setdefault(path, paths[child])
                continue
            paths[child] = path
            queue.append(child)
    return aliases, names


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
            raise tb.bad(prefix, f"the index is larger than {MAX_INDEX_BYTES} bytes")
        with open(ipath, "rb") as f:
            raw = f.read(MAX_INDEX_BYTES + 1)
        data_size = os.path.getsize(dpath)
        try:
            entries = tb.parse_index(raw)
            for key, e in entries.items():
                tb.check_entry(key, e, data_size)
        except tb._Bad as e:
            raise tb.bad(prefix, str(e)) from None
        self._entries = entries
        self.aliases, self._names = {}, {}
        if OBJECT_GRAPH_KEY in entries:
            try:
                graph = self._raw(OBJECT_GRAPH_KEY)
                if graph.shape != ():
                    raise tb._Bad("it is not a scalar string")
                nodes = tb.decode_object_graph(graph[()])
            except tb._Bad as e:
                raise tb.bad(prefix, f"the object graph: {e}") from None
            if nodes:
                self.aliases, self._names = _aliases(nodes, prefix)
        self.key_set = frozenset(k for k in entries if k != OBJECT_GRAPH_KEY)

    def _raw(self, key):
        e = self._entries[key]
        with open(data_path(self.prefix), "rb") as f:
            f.seek(e["offset"])
            raw = f.read(e["size"])
        return tb.decode_value(key, e, raw)

    def keys(self):
        """Returns the saved variable keys (the object graph's excluded), sorted."""
        return sorted(self.key_set)

    def all_keys(self):
        """Returns every saved key, the object graph's included, sorted."""
        return sorted(self._entries)

    def has_tensor(self, key):
        """Returns True if ``key`` is saved."""
        return key in self._entries

    def shape(self, key):
        """Returns the saved shape of ``key`` as a list of ints."""
        return list(self._entries[key]["shape"])

    def dtype(self, key):
        """Returns the saved NumPy dtype of ``key`` (``object`` for strings)."""
        code = self._entries[key]["dtype"]
        return np.dtype(tb.DT[code]) if code in tb.DT else np.dtype(object)

    def name(self, key):
        """Returns the saved variable's full name (``"Variable"``), or ``""``."""
        return self._names.get(key, "")

    def read(self, key):
        """Returns the value saved under ``key`` as a fresh NumPy array (an object array of
        bytes for strings; the object graph as bytes).

        Raises:
          NotFoundError: if ``key`` is not saved.
          DataLossError: if the bytes read do not match their checksum.
        """
        if key not in self._entries:
            raise errors.NotFoundError(None, None, f"Key {key} not found in checkpoint")
        try:
            value = self._raw(key)
            return value[()] if key == OBJECT_GRAPH_KEY and value.shape == () else value
        except tb._Bad as e:
            raise tb.bad(self.prefix, str(e)) from None


__all__ = ["Reader", "write", "exists", "data_path", "index_path", "write_text_atomic"]
