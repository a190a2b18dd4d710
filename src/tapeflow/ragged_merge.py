"""``RaggedTensor.merge_dims``: merging any run of adjacent dimensions into one.

Merging dimensions ``outer..inner`` flattens them row-major: at the outermost level the
result is the values themselves (further merged as needed, a dense Tensor once no ragged
dimension is left); below it, the row splits are re-pointed at the merged positions. The
values are only reshaped or re-split, never copied element by element, so gradients reach
the flat values.
"""
import numpy as np

from tapeflow.ragged_tensor import RaggedTensor


def _norm_axis(axis, rank, name):
    if not -rank <= axis < rank:
        raise ValueError(f"{name}={axis} out of bounds: expected {-rank}<={name}<{rank}")
    return axis % rank


def merge_dims(rt, outer_axis, inner_axis):
    """Returns ``rt`` with dimensions ``outer_axis`` to ``inner_axis`` merged into one.

    Raises:
      ValueError: an axis out of bounds, or ``outer_axis > inner_axis``.
    """
    rank = rt.shape.rank
    outer = _norm_axis(int(outer_axis), rank, "outer_axis")
    inner = _norm_axis(int(inner_axis), rank, "inner_axis")
    if outer > inner:
        raise ValueError(f"Expected outer_axis ({outer_axis}) to be less than or equal to "
                         f"inner_axis ({inner_axis}).")
    return _merge(rt, outer, inner)


def _merge(x, outer, inner):
    if outer == inner:
        return x
    if not isinstance(x, RaggedTensor):
        import tapeflow as tf
        shape = x.shape.as_list()
        return tf.reshape(x, shape[:outer] + [-1] + shape[inner + 1:])
    if outer == 0:   # merging dims 0 and 1 gives the values; then merge what is left
        return _merge(x._values, 0, inner - 1)
    if outer == 1:   # the values' leading dims merge: re-point this level's splits
        offsets = _offsets(x._values, inner - 1)
        merged = _merge(x._values, 0, inner - 1)
        return RaggedTensor.from_row_splits(merged, offsets[np.asarray(x._row_splits)],
                                            validate=False)
    return x.with_values(_merge(x._values, outer - 1, inner - 1))


def _offsets(x, depth):
    """For each row boundary of ``x``, its position once dims ``0..depth`` of ``x`` are merged."""
    if depth == 0:
        return np.arange(_nrows(x) + 1, dtype=np.int64)
    if isinstance(x, RaggedTensor):
        return _offsets(x._values, depth - 1)[np.asarray(x._row_splits)]
    shape = x.shape.as_list()
    return np.arange(shape[0] + 1, dtype=np.int64) * int(np.prod(shape[1:depth + 1]))


def _nrows(x):
    return len(x) if isinstance(x, RaggedTensor) else x.shape.as_list()[0]
