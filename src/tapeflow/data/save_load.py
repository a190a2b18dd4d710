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


def _spec_json(s):
    out = {"dtype": s.dtype.name,
           "shape": s.shape.as_list() if s.shape.rank is not None else None}
    if type(s).__name__ == "SparseTensorSpec":
        out["kind"] = "sparse"
    elif type(s).__name__ == "RaggedTensorSpec":
        out.update(kind="ragged", ragged_rank=s.ragged_rank)
    return out


def _spec_from(j):
    dtype = dtypes.as_dtype(str(j["dtype"]))
    kind = j.get("kind", "tensor")
    if kind == "sparse":
        from tapeflow.sparse_tensor import SparseTensorSpec
        return SparseTensorSpec(j["shape"], dtype)
    if kind == "ragged":
        from tapeflow.ragged_tensor import RaggedTensorSpec
        return RaggedTensorSpec(j["shape"], dtype, int(j["ragged_rank"]))
    return TensorSpec(j["shape"], dtype)


def _encode(leaf):
    """One component as bytes: a TensorProto, or for a SparseTensor a message of its three
    tensors (fields 1-3), or for a RaggedTensor its flat values (1) and row splits (2...)."""
    from tapeflow.io.tensor_proto import serialize_tensor
    from tapeflow.io import wire
    if type(leaf) is np.ndarray:
        return serialize_tensor(Tensor(leaf)).numpy()
    if hasattr(leaf, "dense_shape"):
        return b"".join(wire.length_delimited(i, serialize_tensor(t).numpy()) for i, t in
                        ((1, leaf.indices), (2, leaf.values), (3, leaf.dense_shape)))
    parts = [wire.length_delimited(1, serialize_tensor(leaf.flat_values).numpy())]
    parts += [wire.length_delimited(2, serialize_tensor(s).numpy())
              for s in leaf.nested_row_splits]
    return b"".join(parts)


def _decode(payload, spec):
    from tapeflow.io.tensor_proto import parse_tensor
    from tapeflow.io import wire
    kind = type(spec).__name__
    if kind == "TensorSpec" or (kind == "RaggedTensorSpec" and spec.ragged_rank == 0):
        return np.asarray(np.asarray(parse_tensor(payload, spec.dtype)))
    fields = [(n, bytes(v)) for n, wt, v in wire.fields(memoryview(payload)) if wt == 2]
    if kind == "SparseTensorSpec":
        from tapeflow.sparse_tensor import SparseTensor
        parts = dict(fields)
        if set(parts) != {1, 2, 3}:
            raise DataLossError(None, None, "A saved sparse component is incomplete")
        return SparseTensor(parse_tensor(parts[1], dtypes.int64),
                            parse_tensor(parts[2], spec.dtype),
                            parse_tensor(parts[3], dtypes.int64))
    from tapeflow.ragged_tensor import RaggedTensor
    flat = [p for n, p in fields if n == 1]
    splits = [np.asarray(np.asarray(parse_tensor(p, dtypes.int64))) for n, p in fields if n == 2]
    if len(flat) != 1 or len(splits) != spec.ragged_rank:
        raise DataLossError(None, None, "A saved ragged component is incomplete")
    try:
        return RaggedTensor.from_nested_row_splits(parse_tensor(flat[0], spec.dtype), splits)
    except Exception:
        raise DataLossError(None, None, "A saved ragged component is inconsistent") from None


def save(ds, path, compression=None, shard_func=None, checkpoint_args=None):
    """Writes every element of ``ds`` under folder ``path`` (replacing it); returns None."""
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
                "specs": [_spec_json(s) for s in specs]}
        count = 0
        with TFRecordWriter(os.path.join(tmp, _DATA_FILE), compression or None) as w:
            for flat in ds._gen():
                w.write(b"".join(wire.length_delimited(1, _encode(a)) for a in flat))
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
            specs = [_spec_from(s) for s in meta["specs"]]
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
        from tapeflow.io.tfrecord import read_records
        from tapeflow.io import wire
        specs = self._specs
        for rec in read_records(os.path.join(self._path, _DATA_FILE), self._ct):
            parts = [bytes(v) for n, wt, v in wire.fields(memoryview(rec)) if n == 1 and wt == 2]
            if len(parts) != len(specs):
                raise DataLossError(None, None, f"A saved element has {len(parts)} components, "
                                    f"expected {len(specs)}")
            yield tuple(_decode(p, s) for p, s in zip(parts, specs))


def load(path, element_spec=None, compression=None, reader_func=None):
    """Returns the dataset saved under folder ``path`` by ``Dataset.save``.

    Raises:
      NotFoundError: if ``path`` holds no saved dataset.
      DataLossError: if its files are corrupt.
    """
    return _LoadDataset(path, element_spec, compression)


del UNKNOWN
