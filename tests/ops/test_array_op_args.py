"""TensorFlow's argument rules for the array ops declared with ``defop(..., args=...)``:
dtypes, axis/shape/size arguments, 0-d and empty inputs (the parity fuzzer checks the same
against TensorFlow; these run without it)."""
import inspect

import numpy as np
import pytest

import tapeflow as tf

IAE = tf.errors.InvalidArgumentError
x23 = np.arange(6.0, dtype=np.float32).reshape(2, 3)


def test_wrappers_keep_the_public_signature():
    from tapeflow.framework.op_def import OP_DEFS
    reshape = OP_DEFS["Reshape"].fn
    assert list(inspect.signature(reshape).parameters) == ["tensor", "shape", "name"]
    assert reshape.__name__ == "reshape" and "same elements" in reshape.__doc__


@pytest.mark.parametrize("shape,match", [
    ([-2, 3], "Size 0 must be non-negative"), ([-1, -1], "Only one input size may be -1"),
    ([4], "6 values"), ([[2], [3]], "sizes input must be 1-D")])
def test_reshape_checks(shape, match):
    with pytest.raises(IAE, match=match):
        tf.reshape(tf.constant(x23), shape)


def test_reshape_scalar_shape_and_transpose_perm():
    assert tf.reshape(tf.constant(x23), 6).shape == (6,)
    with pytest.raises(IAE, match="1 is missing"):
        tf.transpose(tf.constant(x23), [0, 0])
    with pytest.raises(IAE, match="perm must be rank 1"):
        tf.transpose(tf.constant(x23), 5)


def test_concat_and_split_of_scalars_and_axes():
    s = tf.constant(1.0)
    with pytest.raises(IAE, match="Can't concatenate scalars"):
        tf.concat([s, s], 0)
    with pytest.raises(IAE, match="split_dim"):
        tf.split(s, 1)
    with pytest.raises(TypeError):
        tf.concat([tf.constant(x23)] * 2, 1.5)
    assert tf.concat([tf.constant(x23)] * 2, [0]).shape == (4, 3)
    assert tf.stack([]).shape == (0,)


def test_unstack_of_strings_and_empty():
    parts = tf.unstack(tf.constant(["a", "b"]))
    assert [p.numpy() for p in parts] == [b"a", b"b"]
    assert tf.unstack(tf.zeros((0, 3))) == []


def test_gather_nd_with_an_empty_index_depth_copies_params():
    got = tf.gather_nd(tf.constant([1, 2, 3]), np.zeros((2, 0), np.int32))
    assert got.numpy().tolist() == [[1, 2, 3], [1, 2, 3]]
    with pytest.raises(IAE, match="at least a vector"):
        tf.gather_nd(tf.constant(1), np.zeros((2, 0), np.int32))


def test_gather_axis_rules():
    with pytest.raises(IAE, match="axis must be scalar"):
        tf.gather(tf.constant(x23), [0], axis=[0, 0])
    with pytest.raises(IAE, match="Taxis"):
        tf.gather(tf.constant(x23), [0], axis=1.5)


def test_reverse_roll_repeat_of_0d():
    assert tf.reverse(tf.constant(1.0), [0]).numpy() == 1.0
    assert tf.repeat(tf.constant(1.0), 2, axis=0).numpy().tolist() == [1.0, 1.0]
    with pytest.raises(IAE, match="1-D or higher"):
        tf.roll(tf.constant(1.0), 1, 0)
    with pytest.raises(IAE, match="same size"):
        tf.roll(tf.constant(x23), [1], 0)


def test_tile_of_uint16_is_unimplemented_as_in_tensorflow():
    with pytest.raises(tf.errors.UnimplementedError):
        tf.tile(tf.constant(np.ones(3, np.uint16)), [2])
    assert tf.tile(tf.constant(np.ones((0, 3), np.uint16)), [2, 2]).shape == (0, 6)


def test_range_dtypes_and_arguments():
    with pytest.raises(TypeError, match="Cannot convert 0 to EagerTensor of dtype bool"):
        tf.range(3, dtype=tf.bool)
    with pytest.raises(tf.errors.NotFoundError):
        tf.range(3, dtype=tf.int8)
    with pytest.raises(IAE, match="Tidx"):
        tf.range(3, dtype=tf.uint8)
    with pytest.raises(IAE, match="limit must be a scalar"):
        tf.range([2, 3])
    assert tf.range(np.float16(3)).dtype == tf.float16
    assert tf.range(0, 3, 1, dtype=tf.float64).numpy().tolist() == [0.0, 1.0, 2.0]


def test_fill_and_zeros_shape_arguments():
    assert tf.fill(5, 1.0).shape == (5,)
    with pytest.raises(IAE, match="index_type"):
        tf.fill("ab", 1.0)
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.zeros([1.5, 2])
    with pytest.raises(IAE, match="dims must represent a vector"):
        tf.zeros([[2], [3]])


def test_sort_top_k_dtypes_and_arguments():
    with pytest.raises(IAE, match="attr 'T' of complex64"):
        tf.sort(tf.constant([1j, 2j], tf.complex64))
    with pytest.raises(ValueError, match="constant scalar"):
        tf.sort(tf.constant([3.0, 1.0]), axis=[0])
    with pytest.raises(IAE, match="slice index"):
        tf.argsort(tf.constant(1.0))
    with pytest.raises(IAE, match="k must be scalar"):
        tf.math.top_k(tf.constant([1.0, 2.0]), [1])
    assert tf.math.top_k(tf.constant([1.0, 3.0]), True).values.numpy().tolist() == [3.0]


def test_one_hot_and_where_dtypes():
    with pytest.raises(IAE, match="'TI' of bool"):
        tf.one_hot(tf.constant([True]), 2)
    assert tf.one_hot([True], 2).numpy().tolist() == [[0.0, 1.0]]
    with pytest.raises(IAE, match="depth must be a scalar"):
        tf.one_hot([0, 1], [3])
    with pytest.raises(tf.errors.UnimplementedError):
        tf.where(tf.constant([1.0], tf.float16))
    with pytest.raises(IAE, match="Unhandled input dimensions"):
        tf.where(tf.constant(True))


def test_clip_cast_and_saturate_cast_dtypes():
    got = tf.clip_by_value(tf.constant(np.array([1, 5], np.uint32)), np.uint32(2), np.uint32(3))
    assert got.numpy().tolist() == [2, 3] and got.dtype == tf.uint32
    with pytest.raises(IAE):
        tf.clip_by_value(tf.constant([1j]), 0j, 1j)
    assert tf.cast(tf.constant([1.7 + 2j]), tf.int32).numpy().tolist() == [1]
    sat = tf.dtypes.saturate_cast(tf.constant([np.inf, 1.5], tf.float16), tf.float32)
    assert sat.numpy().tolist() == [65504.0, 1.5]
    big = tf.dtypes.saturate_cast(tf.constant([1e40 + 1e40j], tf.complex128), tf.complex64)
    assert np.isfinite(big.numpy()).all()
    with pytest.raises(tf.errors.NotFoundError):
        tf.dtypes.saturate_cast(tf.constant(np.array([1], np.uint32)), tf.int8)
    with pytest.raises(TypeError, match="minimum value"):
        tf.dtypes.saturate_cast(tf.constant([1.0]), tf.bool)


def test_add_n_dtypes():
    with pytest.raises(IAE, match="attr 'T' of bool"):
        tf.add_n([tf.constant([True])] * 2)
    assert tf.add_n([tf.constant(np.array([1], np.uint32))] * 2).numpy().tolist() == [2]


def test_zeros_too_large_is_resource_exhausted():
    with pytest.raises(tf.errors.ResourceExhaustedError):
        tf.zeros([2 ** 40, 2 ** 20])
