"""tf.RaggedTensor / tf.ragged parity: the same calls in tapeflow and TensorFlow give the same
reprs (values, dtypes, shapes, printing) and exception classes."""
import pytest

import tapeflow as tf


def _rt(lib):
    return lib.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])


def _r3(lib):
    return lib.ragged.constant([[[1, 2], [3]], [[4]]])


def _r4(lib):
    return lib.ragged.constant([[[1, 2], [3]], [[4]], [], [[5, 6, 7], [], [8, 9]]])


def _seq(lib):
    return lib.data.Dataset.from_generator(lambda: ([1] * n for n in [1, 3, 2]),
                                           output_signature=lib.TensorSpec([None], lib.int32))


V = [3, 1, 4, 1, 5, 9, 2]
def _queries(lib):
    return lib.ragged.constant([["Who", "is", "Dan", "Smith"], ["Pause"],
                                ["Will", "it", "rain", "later", "today"]])


def _bigrams(lib):
    q = _queries(lib)
    marker = lib.fill([q.nrows(), 1], "#")
    padded = lib.concat([marker, q, marker], axis=1)
    return lib.strings.join([padded[:, :-1], padded[:, 1:]], separator="+")


def _avg_embedding(lib):
    table = lib.reshape(lib.range(4096, dtype=lib.float32), [1024, 4])
    words = lib.nn.embedding_lookup(table, lib.strings.to_hash_bucket_fast(_queries(lib), 1024))
    pairs = lib.nn.embedding_lookup(table, lib.strings.to_hash_bucket_fast(_bigrams(lib), 1024))
    return lib.reduce_mean(lib.concat([words, pairs], axis=1), axis=1)


CALLS = {
    # the ragged_tensor guide's cells
    "guide_concat_dense": lambda lib: lib.concat([_rt(lib), [[5, 9, 2]]], axis=0),
    "guide_tile": lambda lib: lib.tile(_rt(lib), [1, 2]),
    "guide_substr": lambda lib: lib.strings.substr(_queries(lib), 0, 2),
    "guide_slice_neg": lambda lib: _rt(lib)[:, -2:],
    "guide_mixed_types": lambda lib: lib.ragged.constant([["one", "two"], [3, 4]]),
    "guide_bad_depth": lambda lib: lib.ragged.constant(["A", ["B", "C"]]),
    "guide_embedding_shape": lambda lib: lib.nn.embedding_lookup(
        lib.ones([1024, 4]), lib.strings.to_hash_bucket_fast(_queries(lib), 1024)).shape,
    "guide_bigrams": _bigrams,
    "guide_avg_embedding": _avg_embedding,
    "guide_sparse_concat": lambda lib: lib.sparse.to_dense(lib.sparse.concat(
        sp_inputs=[_queries(lib).to_sparse(), _queries(lib).to_sparse()], axis=1), ""),
    "guide_to_tensor_str": lambda lib: _queries(lib).to_tensor(default_value="",
                                                               shape=[None, 10]),
    "guide_from_sparse": lambda lib: lib.RaggedTensor.from_sparse(lib.SparseTensor(
        indices=[[0, 0], [2, 0], [2, 1]], values=["a", "b", "c"], dense_shape=[3, 3])),
    "guide_broadcast_inner": lambda lib: lib.ragged.constant(
        [[[1, 2], [3, 4], [5, 6]], [[7, 8]]], ragged_rank=1) + lib.constant([[10]]),
    "guide_broadcast_inner2": lambda lib: lib.ragged.constant(
        [[[1], [2]], [], [[3]], [[4]]], ragged_rank=1) + lib.constant([10, 20, 30]),
    "guide_uniform_of_ragged": lambda lib: lib.RaggedTensor.from_uniform_row_length(
        values=lib.RaggedTensor.from_row_splits(values=list(range(10, 20)),
                                                row_splits=[0, 3, 5, 9, 10]),
        uniform_row_length=2),
    "guide_reduce_join": lambda lib: lib.strings.reduce_join(_queries(lib), axis=1,
                                                            separator=" "),
    "ones_like": lambda lib: lib.ones_like(_rt(lib)),
    "where": lambda lib: lib.where(_rt(lib) > 2, _rt(lib), 0),
    "reduce_max_empty_float": lambda lib: lib.reduce_max(lib.ragged.constant([[1.], []]),
                                                         axis=1),

    "constant": _rt,
    "constant_str": lambda lib: str(_rt(lib)),
    "constant_float": lambda lib: lib.ragged.constant([[1.5, 2], [3]]),
    "constant_nested": _r3,
    "constant_ragged_rank1": lambda lib: lib.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]],
                                                             ragged_rank=1),
    "constant_strings": lambda lib: lib.ragged.constant([["a", "b"], ["c"]]),
    "constant_bool": lambda lib: lib.ragged.constant([[True], [False, True]]),
    "constant_dtype": lambda lib: lib.ragged.constant([[1, 2], [3]], dtype=lib.float64),
    "constant_bad_depth": lambda lib: lib.ragged.constant([[1, [2]]]),
    "constant_empty_row": lambda lib: lib.ragged.constant([[]]),
    "props": lambda lib: (_rt(lib).shape, _rt(lib).dtype, _rt(lib).ragged_rank,
                          _r3(lib).shape),
    "from_row_splits": lambda lib: lib.RaggedTensor.from_row_splits(V, [0, 4, 4, 7]),
    "from_row_splits_bad": lambda lib: lib.RaggedTensor.from_row_splits([1, 2], [0, 3]),
    "from_row_lengths": lambda lib: lib.RaggedTensor.from_row_lengths(V, [4, 0, 3]),
    "from_value_rowids": lambda lib: lib.RaggedTensor.from_value_rowids(
        V, [0, 0, 0, 0, 2, 2, 2], nrows=4),
    "from_row_starts": lambda lib: lib.RaggedTensor.from_row_starts(V, [0, 4, 4]),
    "from_row_limits": lambda lib: lib.RaggedTensor.from_row_limits(V, [4, 4, 7]),
    "from_uniform_row_length": lambda lib: lib.RaggedTensor.from_uniform_row_length(
        [3, 1, 4, 1, 5, 9], 2),
    "uniform_shape": lambda lib: lib.RaggedTensor.from_uniform_row_length(
        [3, 1, 4, 1, 5, 9], 2).shape,
    "from_nested_row_splits": lambda lib: lib.RaggedTensor.from_nested_row_splits(
        [1, 2, 3, 4, 5], ([0, 2, 3], [0, 2, 3, 5])),
    "from_nested_row_lengths": lambda lib: lib.RaggedTensor.from_nested_row_lengths(
        [1, 2, 3, 4, 5], ([2, 1], [2, 1, 2])),
    "from_tensor": lambda lib: lib.RaggedTensor.from_tensor([[1, 0, 0], [2, 3, 0]]),
    "from_tensor_padding": lambda lib: lib.RaggedTensor.from_tensor([[1, 0, 0], [2, 3, 0]],
                                                                    padding=0),
    "from_tensor_lengths": lambda lib: lib.RaggedTensor.from_tensor([[1, 0, 0], [2, 3, 0]],
                                                                    lengths=[1, 2]),
    "to_tensor": lambda lib: _rt(lib).to_tensor(),
    "to_tensor_shape": lambda lib: _rt(lib).to_tensor(default_value=-1, shape=[5, 2]),
    "to_tensor_3d": lambda lib: _r3(lib).to_tensor(),
    "to_list": lambda lib: _rt(lib).to_list(),
    "numpy": lambda lib: _rt(lib).numpy(),
    "partitions": lambda lib: (_rt(lib).row_splits, _rt(lib).row_lengths(),
                               _rt(lib).value_rowids(), _rt(lib).nrows(), _rt(lib).row_starts(),
                               _rt(lib).row_limits(), _rt(lib).nested_row_splits),
    "bounding_shape": lambda lib: _rt(lib).bounding_shape(),
    "values": lambda lib: (_rt(lib).values, _rt(lib).flat_values, _r3(lib).values),
    "to_sparse": lambda lib: _rt(lib).to_sparse(),
    "merge_dims": lambda lib: _rt(lib).merge_dims(0, 1),
    "index_row": lambda lib: (_rt(lib)[0], _rt(lib)[-1], _r3(lib)[0]),
    "index_slice": lambda lib: _rt(lib)[1:3],
    "index_inner_int": lambda lib: _rt(lib)[:, 0],
    "index_inner_slice": lambda lib: (_rt(lib)[:, :2], _rt(lib)[:, 1:]),
    "index_step": lambda lib: (_rt(lib)[::2], _rt(lib)[::-1], _r3(lib)[::-1]),
    "tensor_guide_constant_ragged": lambda lib: lib.constant([[0, 1, 2, 3], [4, 5], [6]]),
    "gather_rows": lambda lib: lib.gather(_rt(lib), [2, 0]),
    "gather_nd_rows": lambda lib: lib.gather_nd(_rt(lib), [[2], [0]]),
    "gather_3d": lambda lib: lib.gather(_r3(lib), [1, 0, 1]),
    "index_scalar": lambda lib: _rt(lib)[2, 1],
    "index_out_of_range": lambda lib: _rt(lib)[10],
    "add_scalar": lambda lib: _rt(lib) + 1,
    "mul_ragged": lambda lib: _rt(lib) * _rt(lib),
    "tf_add": lambda lib: lib.add(_rt(lib), 3),
    "tf_abs_neg": lambda lib: lib.math.abs(-_rt(lib)),
    "sqrt_cast": lambda lib: lib.math.sqrt(lib.cast(_rt(lib), lib.float32)),
    "mismatched_splits": lambda lib: _rt(lib) + lib.ragged.constant([[1], [2]]),
    "compare": lambda lib: _rt(lib) == 1,
    "add_column": lambda lib: _rt(lib) + lib.constant([[1], [2], [3], [4], [5]]),
    "map_flat_values_one_hot": lambda lib: lib.ragged.map_flat_values(lib.one_hot, _rt(lib), 3),
    "map_flat_values_lambda": lambda lib: lib.ragged.map_flat_values(lambda x: x * 2, _rt(lib)),
    "with_values": lambda lib: (_rt(lib).with_values(_rt(lib).values * 2),
                                _rt(lib).with_flat_values(_rt(lib).flat_values * 2)),
    "reduce_sum_1": lambda lib: lib.reduce_sum(_rt(lib), axis=1),
    "reduce_sum_0": lambda lib: lib.reduce_sum(_rt(lib), axis=0),
    "reduce_sum_all": lambda lib: lib.reduce_sum(_rt(lib)),
    "reduce_mean_float": lambda lib: lib.reduce_mean(lib.cast(_rt(lib), lib.float32), axis=1),
    "reduce_mean_int": lambda lib: lib.reduce_mean(_rt(lib), axis=1),
    "reduce_max": lambda lib: lib.reduce_max(_rt(lib), axis=1),
    "reduce_min": lambda lib: lib.reduce_min(_rt(lib), axis=1),
    "reduce_rank2_axis1": lambda lib: (lib.reduce_sum(_r4(lib), axis=1),
                                       lib.reduce_max(_r4(lib), axis=1)),
    "reduce_rank2_mean": lambda lib: lib.reduce_mean(lib.cast(_r4(lib), lib.float32), axis=1),
    "reduce_rank2_axis2": lambda lib: lib.reduce_sum(_r4(lib), axis=2),
    "reduce_rank2_axis0": lambda lib: lib.reduce_sum(_r4(lib), axis=0),
    "concat_0": lambda lib: lib.concat([_rt(lib), lib.ragged.constant([[7, 8]])], axis=0),
    "concat_1": lambda lib: lib.concat([_rt(lib), _rt(lib)], axis=1),
    "stack_0": lambda lib: lib.stack([_rt(lib), _rt(lib)], axis=0),
    "stack_1": lambda lib: lib.stack([_rt(lib), _rt(lib)], axis=1),
    "ragged_stack": lambda lib: lib.ragged.stack([_rt(lib), _rt(lib)]),
    "ragged_range": lambda lib: lib.ragged.range([3, 1]),
    "boolean_mask": lambda lib: lib.ragged.boolean_mask([[1, 2], [3, 4]],
                                                        [[True, False], [False, True]]),
    "spec": lambda lib: (lib.RaggedTensorSpec([None, None], lib.int32),
                         lib.RaggedTensorSpec.from_value(_rt(lib)),
                         lib.RaggedTensorSpec(shape=[2, None, 3], dtype=lib.float32,
                                              ragged_rank=1)),
    "isinstance_tensor": lambda lib: isinstance(_rt(lib), lib.Tensor),
    "data_slices": lambda lib: (lib.data.Dataset.from_tensor_slices(_rt(lib)).element_spec,
                                list(lib.data.Dataset.from_tensor_slices(_rt(lib))
                                     .as_numpy_iterator())),
    "data_batch": lambda lib: (lib.data.Dataset.from_tensor_slices(_rt(lib)).batch(2)
                               .element_spec,
                               list(lib.data.Dataset.from_tensor_slices(_rt(lib)).batch(2))),
    "data_batch_numpy": lambda lib: list(lib.data.Dataset.from_tensor_slices(_rt(lib)).batch(2)
                                         .as_numpy_iterator()),
    "data_unbatch": lambda lib: list(lib.data.Dataset.from_tensor_slices(_rt(lib)).batch(2)
                                     .unbatch()),
    "ragged_batch": lambda lib: (_seq(lib).ragged_batch(2).element_spec,
                                 list(_seq(lib).ragged_batch(2))),
    "ragged_batch_map": lambda lib: list(lib.data.Dataset.range(3).map(
        lambda x: lib.range(x)).ragged_batch(2)),
}


def _outcome(fn, lib):
    try:
        return ("ok", repr(fn(lib)))
    except Exception as e:  # noqa: BLE001
        return ("raises", type(e).__name__)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_ragged_call(rtf, name):
    assert _outcome(CALLS[name], tf) == _outcome(CALLS[name], rtf)


def test_dense_to_ragged_batch(rtf):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _seq(rtf).apply(rtf.data.experimental.dense_to_ragged_batch(2))
    ours = _seq(tf).apply(tf.data.experimental.dense_to_ragged_batch(2))
    assert repr(ours.element_spec) == repr(theirs.element_spec)
    assert repr(list(ours)) == repr(list(theirs))
