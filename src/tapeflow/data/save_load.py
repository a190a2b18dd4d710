"""``Dataset.save`` / ``Dataset.load``: a dataset on disk, in tapeflow's own format.

The folder holds ``element_spec.json`` (the element structure: nesting, dtypes,
shapes) and ``data.tfrecord``: one TFRecord record per element, each record the
element's components as length-delimited TensorProtos (``tf.io.serialize_tensor``
bytes). Nothing is pickled; reading checks record CRCs and each tensor's size
against its bytes before allocating. The folder is written beside the target and
renamed into place when complete. TensorFlow cannot read this format (nor we its).
"""
import json
import os
import shutil
import tempfile

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import DataLossError, NotFoundError
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.data import structure as st
from tapeflow.data.dataset import UNKNOWN, Dataset

_SPEC_FILE = "element_spec.json"
_DATA_FILE = "data.tfrecord"
_FORMAT = "tapeflow-dataset-1"


def _template_json(t):
    if t is st._LEAF:
        return {"t": "leaf"}
    if isinstance(t, tuple):
        return {"t": "tuple", "items": [_template_json(x) for x in t]}
    return {"t": "dict", "ordered": type(t) is not dict, "keys": list(t),
            "items": [_template_json(t[k]) for k in t]}


def _template_from(j):
    import collections
    kind = j.get("t") if isinstance(j, dict) else None
    if kind == "leaf":
        return st._LEAF
    if kind == "tuple":
        return tuple(_template_from(x) for x in j["items"])
    if kind == "dict":
        keys = [str(k) for k in j["keys"]]
        if len(keys) != len(j["items"]):
            raise DataLossError(None, None, "Bad element structure in the dataset's "
                                "element_spec file")
        cls = collections.OrderedDict if j.get("ordered") else dict
        return cls(zip(keys, [_template_from(x) for x in j["items"]]))
    raise DataLossError(None, None, "Bad element structure in the dataset's element_spec file")


def save(ds, path, compression=None, shard_func=None, checkpoint_args=None):
    """Writes every element of ``ds`` under folder ``path`` (replacing it); returns None."""
    from tapeflow.io.tensor_proto import serialize_tensor
    from tapeflow.io.tfrecord import TFRecordWriter
    from tapeflow.io import wire
    path = os.fspath(path)
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=parent)
    try:
        specs = ds._specs
        meta = {"format": _FORMAT, "compression": compression or "",
                "structure": _template_json(ds._template),
                "specs": [{"dtype": s.dtype.name, "shape": s.shape.as_list()
                           if s.shape.rank is not None else None} for s in specs]}
        count = 0
        with TFRecordWriter(os.path.join(tmp, _DATA_FILE), compression or None) as w:
            for flat in ds._gen():
                w.write(b"".join(wire.length_delimited(1, serialize_tensor(Tensor(a)).numpy())
                                 for a in flat))
                count += 1
        meta["count"] = count
        with open(os.path.join(tmp, _SPEC_FILE), "w") as f:
            json.dump(meta, f)
        old = None
        if os.path.exists(path):
            old = tempfile.mkdtemp(prefix=os.path.basename(path) + ".", suffix=".old",
                                   dir=parent)
            os.rmdir(old)
            os.replace(path, old)
        os.replace(tmp, path)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


class _LoadDataset(Dataset):
    _tf_name = "_LoadDataset"

    def __init__(self, path, element_spec=None, compression=None):
        self._path = os.fspath(path)
        spec_file = os.path.join(self._path, _SPEC_FILE)
        if not os.path.exists(spec_file):
            raise NotFoundError(None, None, "tf.data snapshot element_spec file not found: "
                                f"{spec_file}.")
        with open(spec_file, "rb") as f:
            raw = f.read(1 << 20)
        from tapeflow.safe_files import load_json
        try:
            meta = load_json(raw, spec_file, max_depth=100)
            tmpl = _template_from(meta["structure"])
            specs = [TensorSpec(s["shape"], dtypes.as_dtype(str(s["dtype"])))
                     for s in meta["specs"]]
            count = int(meta["count"])
            self._ct = str(meta.get("compression", ""))
        except (ValueError, KeyError, TypeError):
            raise DataLossError(None, None, f"Bad element_spec file {spec_file}") from None
        if meta.get("format") != _FORMAT:
            raise DataLossError(None, None, f"{spec_file} is not a tapeflow dataset")
        if len(st.flatten(tmpl)) != len(specs) and tmpl is not st._LEAF:
            raise DataLossError(None, None, f"Bad element_spec file {spec_file}")
        if element_spec is not None:
            tmpl = st.template_of(element_spec)
            specs = st.flatten(element_spec)
        super().__init__(tmpl, specs, count)

    def _gen(self):
        from tapeflow.io.tensor_proto import parse_tensor
        from tapeflow.io.tfrecord import read_records
        from tapeflow.io import wire
        specs = self._specs
        for rec in read_records(os.path.join(self._path, _DATA_FILE), self._ct):
            parts = [bytes(v) for n, wt, v in wire.fields(memoryview(rec)) if n == 1 and wt == 2]
            if len(parts) != len(specs):
                raise DataLossError(None, None, f"A saved element has {len(parts)} components, "
                                    f"expected {len(specs)}")
            yield tuple(np.asarray(parse_tensor(p, s.dtype)._value) for p, s in zip(parts, specs))


def load(path, element_spec=None, compression=None, reader_func=None):
    """Returns the dataset saved under folder ``path`` by ``Dataset.save``.

    Raises:
      NotFoundError: if ``path`` holds no saved dataset.
      DataLossError: if its files are corrupt.
    """
    return _LoadDataset(path, element_spec, compression)


del UNKNOWN
