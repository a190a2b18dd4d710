"""``Dataset.cache``: keep the elements of the first full pass, in memory or in a file.

The file is a NumPy ``.npz`` archive (``filename + ".npz"``) holding plain arrays
only (strings as fixed-width bytes), so reading it never unpickles anything. It
is written to a temporary file and renamed once complete.
"""
import os

import numpy as np

from tapeflow.data.dataset import Dataset
from tapeflow.safe_files import atomic_write, load_npz


class _CacheDataset(Dataset):
    _tf_name = "CacheDataset"
    def __init__(self, input_ds, filename):
        self._input = input_ds
        self._file = os.fspath(filename) if filename else ""
        if isinstance(self._file, bytes):
            self._file = self._file.decode()
        self._items = None
        super().__init__(input_ds._template, input_ds._specs, input_ds._card)

    @property
    def _path(self):
        return self._file + ".npz"

    def _gen(self):
        if self._items is not None:
            yield from self._items
            return
        if self._file and os.path.exists(self._path):
            yield from _read(self._path, len(self._specs))
            return
        items = []
        for flat in self._input._gen():
            items.append(flat)
            yield flat
        # Reached only after a complete pass: a partial pass caches nothing.
        if self._file:
            _write(self._path, items, len(self._specs))
        else:
            self._items = items


def _write(path, items, ncomp):
    arrays = {"count": np.asarray(len(items))}
    for j in range(ncomp):
        col = [flat[j] for flat in items]
        strings = bool(col) and col[0].dtype.kind == "O"
        if strings:
            col = [np.asarray(c.tolist(), dtype=bytes) if c.size else
                   np.zeros(c.shape, "S1") for c in col]
        prefix = ("s" if strings else "c") + str(j)
        if col and all(c.shape == col[0].shape for c in col) and not strings:
            arrays[prefix] = np.stack(col)
        else:
            for i, c in enumerate(col):
                arrays[f"{prefix}_{i}"] = c
    atomic_write(path, lambda f: np.savez(f, **arrays))


def _read(path, ncomp):
    f = load_npz(path, path)   # sizes checked before allocating; never unpickles
    n = int(f["count"])
    cols = []
    for j in range(ncomp):
        if f"c{j}" in f:
            cols.append(list(f[f"c{j}"]))
        elif f"s{j}_0" in f or n == 0:
            col = []
            for i in range(n):
                a = f[f"s{j}_{i}"]
                out = np.empty(a.shape, dtype=object)
                out.reshape(-1)[:] = a.reshape(-1).tolist()
                col.append(out)
            cols.append(col)
        else:
            cols.append([f[f"c{j}_{i}"] for i in range(n)])
    for i in range(n):
        yield tuple([np.asarray(c[i]) for c in cols])
