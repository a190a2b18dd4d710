"""tf.SparseTensor / tf.sparse parity: the same calls in tapeflow and TensorFlow give the same
reprs (values, dtypes, shapes) and exception classes."""
import pytest

import tapeflow as tf


def _st(lib):
    return lib.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])


def _unordered(lib):
    return lib.SparseTensor([[1, 0], [0, 0]], [1.0, 2.0], [2, 2])


CALLS = {
    "repr": lambda lib: _st(lib),
    "shape_dtype": lambda lib: (_st(lib).shape, _st(lib).dtype, _st(lib).get_shape()),
    "bad_construction": lambda lib: lib.SparseTensor([[0]], [1.0, 2.0], [3]),
    "to_dense": lambda lib: lib.sparse.to_dense(_st(lib)),
    "to_dense_default": lambda lib: lib.sparse.to_dense(_st(lib), default_value=-1),
    "to_dense_unordered": lambda lib: lib.sparse.to_dense(_unordered(lib)),
    "to_dense_out_of_bounds": lambda lib: lib.sparse.to_dense(lib.SparseTensor([[5]], [1], [3])),
    "from_dense": lambda lib: lib.sparse.from_dense([[0, 1], [2, 0]]),
    "from_dense_strings": lambda lib: lib.sparse.from_dense(lib.constant([["a", ""]])),
    "matmul": lambda lib: lib.sparse.sparse_dense_matmul(
        lib.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2]), lib.ones((2, 3))),
    "matmul_adjoint": lambda lib: lib.sparse.sparse_dense_matmul(
        lib.SparseTensor([[0, 1], [2, 0]], [3.0, 4.0], [3, 2]), lib.ones((3, 2)),
        adjoint_a=True),
    "matmul_mismatch": lambda lib: lib.sparse.sparse_dense_matmul(
        _st(lib), lib.ones((3, 3), lib.int32)),
    "add_sparse": lambda lib: lib.sparse.add(_st(lib), _st(lib)),
    "add_dense": lambda lib: lib.sparse.add(_st(lib), lib.ones((3, 4), lib.int32)),
    "add_threshold": lambda lib: lib.sparse.add(_st(lib), _st(lib), threshold=3),
    "reduce_sum": lambda lib: lib.sparse.reduce_sum(_st(lib)),
    "reduce_sum_axis": lambda lib: lib.sparse.reduce_sum(_st(lib), axis=1),
    "reduce_sum_keepdims": lambda lib: lib.sparse.reduce_sum(_st(lib), axis=1, keepdims=True),
    "reduce_sum_sparse": lambda lib: lib.sparse.reduce_sum(_st(lib), axis=1,
                                                           output_is_sparse=True),
    "reduce_max": lambda lib: lib.sparse.reduce_max(_st(lib), 1),
    "reorder": lambda lib: lib.sparse.reorder(_unordered(lib)),
    "reshape": lambda lib: lib.sparse.reshape(_st(lib), [4, 3]),
    "reshape_infer": lambda lib: lib.sparse.reshape(_st(lib), [-1, 2]),
    "transpose": lambda lib: lib.sparse.transpose(_st(lib)),
    "retain": lambda lib: lib.sparse.retain(_st(lib), [True, False]),
    "slice": lambda lib: lib.sparse.slice(_st(lib), [0, 0], [2, 2]),
    "concat": lambda lib: lib.sparse.concat(0, [_st(lib), _st(lib)]),
    "concat_axis1": lambda lib: lib.sparse.concat(1, [_st(lib), _st(lib)]),
    "expand_dims": lambda lib: lib.sparse.expand_dims(_st(lib), 0),
    "eye": lambda lib: lib.sparse.eye(2),
    "maximum": lambda lib: lib.sparse.maximum(_st(lib), _st(lib)),
    "map_values": lambda lib: lib.sparse.map_values(lib.math.square, _st(lib)),
    "fill_empty_rows": lambda lib: lib.sparse.fill_empty_rows(_st(lib), 0),
    "split": lambda lib: lib.sparse.split(sp_input=_st(lib), num_split=2, axis=1),
    "reset_shape": lambda lib: lib.sparse.reset_shape(_st(lib)),
    "mul_scalar": lambda lib: _st(lib) * 2,
    "add_operator": lambda lib: _st(lib) + _st(lib),
    "spec": lambda lib: lib.SparseTensorSpec([3, 4], lib.int32),
}


def _outcome(fn, lib):
    try:
        return ("ok", repr(fn(lib)))
    except Exception as e:  # noqa: BLE001
        return ("raises", type(e).__name__)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_sparse_call(rtf, name):
    assert _outcome(CALLS[name], tf) == _outcome(CALLS[name], rtf)
