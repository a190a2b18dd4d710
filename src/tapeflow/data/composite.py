"""Composite elements in tf.data: SparseTensor (and RaggedTensor) components.

A composite component travels through a pipeline as the object itself (not a
NumPy array); its spec is a ``SparseTensorSpec``/``RaggedTensorSpec``. Slicing,
batching and unbatching have their own rules here, following TensorFlow's:
batching sparse elements prepends a batch index to their indices and takes the
largest dense shape; batching ragged elements makes a ragged tensor one rank up.
"""
import numpy as np

from tapeflow.sparse_tensor import SparseTensor, SparseTensorSpec
from tapeflow.framework.tensor import Tensor

def _ragged_cls():
    from tapeflow.ragged_tensor import RaggedTensor
    return RaggedTensor


def is_composite(x):
    """True for a SparseTensor or RaggedTensor component."""
    return isinstance(x, SparseTensor) or type(x).__name__ == "RaggedTensor" and \
        isinstance(x, _ragged_cls())


def spec_of(x, drop_first=False):
    """Returns the spec of a composite component (of its rows when ``drop_first``)."""
    if isinstance(x, SparseTensor):
        dims = x.shape.as_list()
        return SparseTensorSpec(dims[1:] if drop_first else dims, x.dtype)
    from tapeflow.ragged_tensor import RaggedTensorSpec
    spec = RaggedTensorSpec.from_value(x)
    if drop_first:  # rows of a ragged_rank-1 tensor are dense, but their spec stays ragged
        return RaggedTensorSpec(spec.shape.as_list()[1:], spec.dtype, spec.ragged_rank - 1,
                                spec.row_splits_dtype)
    return spec


def batched_spec(spec, lead):
    """Returns the spec of a batch of ``spec`` elements (leading size ``lead`` or None)."""
    if isinstance(spec, SparseTensorSpec):
        dims = spec.shape.as_list() if spec.shape.rank is not None else None
        return SparseTensorSpec(None if dims is None else [lead] + dims, spec.dtype)
    from tapeflow.ragged_tensor import RaggedTensorSpec
    return RaggedTensorSpec([lead] + spec.shape.as_list(), spec.dtype, spec.ragged_rank + 1,
                            spec.row_splits_dtype)


def unbatched_spec(spec):
    """Returns the spec of one row of a batch of ``spec``."""
    if isinstance(spec, SparseTensorSpec):
        return SparseTensorSpec(spec.shape[1:], spec.dtype)
    from tapeflow.ragged_tensor import RaggedTensorSpec
    return RaggedTensorSpec(spec.shape.as_list()[1:], spec.dtype, max(spec.ragged_rank - 1, 0),
                            spec.row_splits_dtype)


def num_rows(x):
    """Returns the size of the first dimension."""
    if isinstance(x, SparseTensor):
        return int(np.asarray(np.asarray(x.dense_shape))[0])
    return int(x.nrows())


def rows(x):
    """Returns the slices of a composite along its first dimension, as a list."""
    if isinstance(x, SparseTensor):
        idx = np.asarray(np.asarray(x.indices))
        vals = np.asarray(np.asarray(x.values))
        shape = np.asarray(np.asarray(x.dense_shape))
        out = []
        for i in range(int(shape[0])):
            sel = idx[:, 0] == i
            out.append(SparseTensor(Tensor(idx[sel, 1:]), Tensor(vals[sel]), Tensor(shape[1:])))
        return out
    out = [x[i] for i in range(num_rows(x))]
    return [np.asarray(r) if isinstance(r, Tensor) else r for r in out]


def stack(items):
    """Returns the batch of composite (or, for ragged rows, dense) ``items``."""
    first = items[0]
    if isinstance(first, SparseTensor):
        idxs, vals = [], []
        shape = np.max(np.stack([np.asarray(np.asarray(s.dense_shape)) for s in items]), axis=0)
        for b, s in enumerate(items):
            i = np.asarray(np.asarray(s.indices))
            idxs.append(np.concatenate([np.full((len(i), 1), b, np.int64), i], axis=1))
            vals.append(np.asarray(np.asarray(s.values)))
        return SparseTensor(Tensor(np.concatenate(idxs)), Tensor(np.concatenate(vals)),
                            Tensor(np.concatenate([[len(items)], shape]).astype(np.int64)))
    from tapeflow import ragged
    from tapeflow.ragged_tensor import RaggedTensor, _ragged_from_rows
    if isinstance(first, RaggedTensor):
        return ragged.stack(items, axis=0)
    dtype = Tensor(first).dtype
    return _ragged_from_rows([Tensor(a) for a in items], dtype)


def to_numpy(x):
    """Returns the NumPy value TensorFlow's ``as_numpy_iterator`` gives for a composite."""
    if isinstance(x, SparseTensor):  # TensorFlow 2.21 densifies sparse components here
        from tapeflow import sparse
        return np.asarray(np.asarray(sparse.to_dense(x)))
    return x.numpy() if hasattr(x, "numpy") else x
