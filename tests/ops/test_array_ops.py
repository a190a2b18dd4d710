"""Shape, creation and rearranging ops: values, dtypes, errors and gradients (order 2)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tapeflow as tf
from gradcheck import check_grads

rng = np.random.RandomState(0)


def r(*shape):
    return rng.standard_normal(shape)


# -- creation ---------------------------------------------------------------------------

def test_zeros_ones_with_dtype():
    z = tf.zeros((2, 3), dtype=tf.int32)
    assert z.dtype == tf.int32 and z.shape == (2, 3)
    assert tf.zeros([2]).dtype == tf.float32
    assert tf.ones(3, dtype=tf.float64).numpy().tolist() == [1.0, 1.0, 1.0]
    assert tf.zeros_like(tf.constant([1, 2])).dtype == tf.int32


def test_constant_with_shape():
    t = tf.constant(1.5, shape=(2, 3))
    assert t.shape == (2, 3) and t.dtype == tf.float32
    np.testing.assert_array_equal(t.numpy(), np.full((2, 3), 1.5, np.float32))
    assert tf.constant([1, 2, 3, 4], shape=[2, 2]).numpy().tolist() == [[1, 2], [3, 4]]
    with pytest.raises(TypeError):
        tf.constant([1, 2, 3], shape=[2, 2])


def test_linspace_and_range_dtypes():
    assert tf.linspace(0, 1, 3).dtype == tf.float64
    np.testing.assert_allclose(tf.linspace(0.0, 1.0, 5).numpy(), [0, .25, .5, .75, 1])
    assert tf.linspace(0.0, 1.0, 5).dtype == tf.float32
    assert tf.range(5).dtype == tf.int32
    assert tf.range(0, 1, 0.25).dtype == tf.float32
    assert tf.range(5, 0, -2).numpy().tolist() == [5, 3, 1]


def test_sequence_mask():
    m = tf.sequence_mask([1, 3, 0], 4)
    assert m.dtype == tf.bool and m.shape == (3, 4)
    assert m.numpy().tolist() == [[True, False, False, False], [True, True, True, False],
                                  [False] * 4]
    assert tf.sequence_mask([2, 1]).shape == (2, 2)
    assert tf.sequence_mask([[1], [2]], 3, dtype=tf.float32).numpy().tolist() == \
        [[[1.0, 0.0, 0.0]], [[1.0, 1.0, 0.0]]]


def test_one_hot_out_of_range_rows_are_zero():
    t = tf.one_hot([-1, 1, 5], 3)
    assert t.dtype == tf.float32
    assert t.numpy().tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]


# -- shape ops -----------------------------------------------------------------------

def test_shape_size_rank():
    x = tf.zeros((2, 3, 4))
    assert tf.shape(x).numpy().tolist() == [2, 3, 4] and tf.shape(x).dtype == tf.int32
    assert int(tf.size(x)) == 24 and tf.size(x).dtype == tf.int32
    assert int(tf.rank(x)) == 3 and tf.rank(x).dtype == tf.int32
    assert [s.numpy().tolist() for s in tf.shape_n([x, tf.zeros(5)])] == [[2, 3, 4], [5]]


def test_expand_dims_and_squeeze():
    x = tf.zeros((2, 3))
    assert tf.expand_dims(x, 0).shape == (1, 2, 3)
    assert tf.expand_dims(x, -1).shape == (2, 3, 1)
    assert tf.expand_dims(x, 1).shape == (2, 1, 3)
    y = tf.zeros((1, 2, 1, 3))
    assert tf.squeeze(y).shape == (2, 3)
    assert tf.squeeze(y, axis=2).shape == (1, 2, 3)
    assert tf.squeeze(y, [0, -2]).shape == (2, 3)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.squeeze(y, axis=1)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.expand_dims(x, 3)


def test_concat_mixed_dtypes_raises():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.concat([tf.constant([1.0]), tf.constant([1])], 0)
    # Python values take the dtype of the tensors
    assert tf.concat([tf.constant([1.0]), [2]], 0).dtype == tf.float32


def test_ensure_shape():
    x = tf.zeros((2, 3))
    assert tf.ensure_shape(x, [None, 3]) is x
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[2, 3\].*\[\?,4\]"):
        tf.ensure_shape(x, [None, 4])


def test_broadcast_static_and_dynamic_shape():
    s = tf.broadcast_static_shape(tf.TensorShape([None, 1, 3]), tf.TensorShape([4, 1]))
    assert s == tf.TensorShape([None, 4, 3])
    with pytest.raises(ValueError):
        tf.broadcast_static_shape(tf.TensorShape([2, 3]), tf.TensorShape([4]))
    d = tf.broadcast_dynamic_shape(tf.constant([2, 1]), tf.constant([3]))
    assert d.numpy().tolist() == [2, 3] and d.dtype == tf.int32
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.broadcast_dynamic_shape(tf.constant([2, 3]), tf.constant([4]))


# -- tile, pad, reverse, roll, repeat --------------------------------------------------

def test_tile_values_and_errors():
    x = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(tf.tile(x, [2, 3]).numpy(), np.tile(x, (2, 3)))
    assert tf.tile(tf.constant([1, 2]), tf.constant([2])).dtype == tf.int32
    with pytest.raises(tf.errors.InvalidArgumentError, match="length 2 but got length 1"):
        tf.tile(x, [2])


@pytest.mark.parametrize("mode", ["CONSTANT", "REFLECT", "SYMMETRIC", "reflect"])
def test_pad_modes_match_numpy(mode):
    x = np.arange(12.0).reshape(3, 4)
    p = [[1, 2], [2, 1]]
    npmode = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}[
        mode.upper()]
    np.testing.assert_array_equal(tf.pad(x, p, mode).numpy(), np.pad(x, p, mode=npmode))


def test_pad_constant_values_and_errors():
    t = tf.pad(tf.constant([[1, 2]]), [[0, 0], [1, 1]], constant_values=9)
    assert t.numpy().tolist() == [[9, 1, 2, 9]] and t.dtype == tf.int32
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.pad(tf.zeros((2, 2)), [[3, 0], [0, 0]], "REFLECT")  # must be < 2
    tf.pad(tf.zeros((2, 2)), [[2, 0], [0, 0]], "SYMMETRIC")  # <= 2 is fine
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.pad(tf.zeros((2, 2)), [[1, 1]])
    with pytest.raises(ValueError):
        tf.pad(tf.zeros((2, 2)), [[1, 1], [1, 1]], "WRAP")


def test_reverse_roll_repeat_values():
    x = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(tf.reverse(x, [1]).numpy(), x[:, ::-1])
    np.testing.assert_array_equal(tf.reverse(x, [0, -1]).numpy(), x[::-1, ::-1])
    np.testing.assert_array_equal(tf.roll(x, 1, axis=1).numpy(), np.roll(x, 1, 1))
    np.testing.assert_array_equal(tf.roll(x, [1, -1], axis=[0, 1]).numpy(),
                                  np.roll(x, (1, -1), (0, 1)))
    assert tf.repeat([1, 2], 2).numpy().tolist() == [1, 1, 2, 2]
    assert tf.repeat(x, [1, 2], axis=0).numpy().tolist() == [[0, 1, 2], [3, 4, 5], [3, 4, 5]]
    assert tf.repeat(x, 2).shape == (12,)  # axis=None flattens
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        tf.repeat(x, [1, 2, 3], axis=0)


def test_meshgrid_xy_and_ij():
    x, y = [1, 2, 3], [4, 5]
    for indexing in ("xy", "ij"):
        got = tf.meshgrid(x, y, indexing=indexing)
        want = np.meshgrid(x, y, indexing=indexing)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g.numpy(), w)
    assert tf.meshgrid(x, y)[0].shape == (2, 3)


def test_reverse_sequence():
    x = tf.constant([[1, 2, 3, 4], [5, 6, 7, 8]])
    got = tf.reverse_sequence(x, [2, 4], seq_axis=1, batch_axis=0)
    assert got.numpy().tolist() == [[2, 1, 3, 4], [8, 7, 6, 5]]
    got = tf.reverse_sequence(tf.transpose(x), [2, 4], seq_axis=0, batch_axis=1)
    assert tf.transpose(got).numpy().tolist() == [[2, 1, 3, 4], [8, 7, 6, 5]]


# -- gradients (first and second order) ------------------------------------------------

GRAD_CASES = [
    ("tile", lambda x: tf.tile(x, [2, 3]) ** 2, [r(2, 3)]),
    ("pad_constant", lambda x: tf.pad(x, [[1, 0], [2, 1]]) ** 2, [r(2, 3)]),
    ("pad_reflect", lambda x: tf.pad(x, [[2, 1], [1, 2]], "REFLECT") ** 2, [r(3, 4)]),
    ("pad_symmetric", lambda x: tf.pad(x, [[3, 1], [1, 2]], "SYMMETRIC") ** 2, [r(3, 4)]),
    ("reverse", lambda x: tf.reverse(x, [0, 1]) * x, [r(2, 3)]),
    ("roll", lambda x: tf.roll(x, [1, 2], [0, 1]) * x, [r(3, 4)]),
    ("repeat", lambda x: tf.repeat(x, [2, 0, 3], axis=1) ** 2, [r(2, 3)]),
    ("repeat_flat", lambda x: tf.repeat(x, 2) ** 2, [r(2, 2)]),
    ("meshgrid", lambda x, y: tf.meshgrid(x, y)[0] * tf.meshgrid(x, y)[1], [r(3), r(2)]),
    ("reverse_sequence", lambda x: tf.reverse_sequence(x, tf.constant([1, 3]), seq_axis=1)
     * x, [r(2, 3)]),
    ("transpose", lambda x: tf.transpose(x, [2, 0, 1]) ** 2, [r(2, 3, 4)]),
    ("reshape", lambda x: tf.reshape(x, [3, -1]) ** 2, [r(2, 3)]),
    ("broadcast_to", lambda x: tf.broadcast_to(x, [4, 2, 3]) ** 2, [r(2, 1)]),
    ("concat", lambda x, y: tf.concat([x, y * x], 1), [r(2, 3), r(2, 3)]),
    ("stack", lambda x, y: tf.stack([x, y * y], axis=-1), [r(2, 3), r(2, 3)]),
    ("unstack", lambda x: tf.unstack(x, axis=1)[1] * tf.unstack(x)[0][:2], [r(2, 3)]),
    ("split", lambda x: tf.split(x, [1, 2], axis=1)[1] ** 2, [r(2, 3)]),
    ("squeeze_expand", lambda x: tf.expand_dims(tf.squeeze(x), 0) ** 3, [r(1, 3, 1)]),
    ("identity", lambda x: tf.identity(x) ** 2, [r(3)]),
]


@pytest.mark.parametrize("name,f,args", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients(name, f, args):
    check_grads(f, args, order=2, name=name)


def test_stop_gradient_blocks():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.stop_gradient(x) * x
    assert float(tape.gradient(y, x)) == 3.0


# -- property tests: round trips over random shapes ------------------------------------

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4)


@settings(max_examples=25, deadline=None)
@given(shapes, st.randoms(use_true_random=False))
def test_reshape_transpose_round_trip(shape, rnd):
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    t = tf.constant(x)
    assert np.array_equal(tf.reshape(tf.reshape(t, [-1]), shape).numpy(), x)
    perm = list(range(len(shape)))
    rnd.shuffle(perm)
    back = tf.transpose(tf.transpose(t, perm), list(np.argsort(perm)))
    assert tf.transpose(t, perm).shape == tuple(shape[p] for p in perm)
    assert np.array_equal(back.numpy(), x)


@settings(max_examples=25, deadline=None)
@given(shapes, st.integers(1, 3), st.data())
def test_concat_split_stack_unstack_round_trip(shape, parts, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    pieces = [np.full(shape, i, dtype=np.int32) for i in range(parts)]
    cat = tf.concat(pieces, axis)
    assert cat.shape[axis] == shape[axis] * parts
    for got, want in zip(tf.split(cat, parts, axis), pieces):
        assert np.array_equal(got.numpy(), want)
    stacked = tf.stack(pieces, axis=axis)
    assert stacked.shape == tuple(shape[:axis]) + (parts,) + tuple(shape[axis:])
    for got, want in zip(tf.unstack(stacked, axis=axis), pieces):
        assert np.array_equal(got.numpy(), want)


@settings(max_examples=25, deadline=None)
@given(shapes, st.data())
def test_tile_matches_numpy_and_sums_back(shape, data):
    mult = data.draw(st.lists(st.integers(1, 3), min_size=len(shape), max_size=len(shape)))
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    t = tf.constant(x)
    assert np.array_equal(tf.tile(t, mult).numpy(), np.tile(x, mult))
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = tf.reduce_sum(tf.tile(t, mult))
    np.testing.assert_array_equal(tape.gradient(y, t).numpy(), np.full(shape, np.prod(mult)))


def test_squeeze_axis_out_of_range():
    with pytest.raises(tf.errors.InvalidArgumentError, match="squeeze dim index 5"):
        tf.squeeze(tf.zeros((1, 2, 1)), axis=5)


def test_expand_dims_and_squeeze_gradients():
    check_grads(lambda x: tf.expand_dims(x * x, 1), [r(2, 3)])
    check_grads(lambda x: tf.squeeze(x * x, [0]), [r(1, 3)])
    check_grads(lambda x: tf.squeeze(x * x), [r(1, 3, 1)])          # every size-1 axis
    check_grads(lambda x: tf.expand_dims(x * x, -1), [r(2, 3)])


def test_unsorted_segment_sum_values_and_gradient():
    got = tf.unsorted_segment_sum(tf.constant([[1.0], [2.0], [4.0]]), [2, 0, 2], 3)
    assert got.numpy().tolist() == [[2.0], [0.0], [5.0]]
    check_grads(lambda d: tf.unsorted_segment_sum(d * d, [1, 1, 0], 2), [r(3, 2)])


def test_every_differentiable_array_op_is_gradient_checked():
    """A new differentiable primitive in the array op modules needs a gradient check."""
    from tapeflow.framework.primitive import REGISTRY
    mine = {"tapeflow.ops.array_ops", "tapeflow.ops.creation_ops", "tapeflow.ops.manip_ops",
            "tapeflow.ops.join_ops",
            "tapeflow.ops.slicing_ops", "tapeflow.ops.indexing_ops"}
    ops = {n for n, op in REGISTRY.items()
           if op.differentiable and getattr(op.forward, "__module__", None) in mine}
    checked = {  # op name -> where its first- and second-order check lives
        "Identity", "Reshape", "BroadcastTo", "Transpose", "ConcatV2", "Pack", "Unpack",
        "SplitV", "Tile", "PadV2", "MirrorPadGrad", "ReverseV2", "Roll", "Repeat",
        "ReverseSequence", "UnsortedSegmentSum", "ExpandDims", "Squeeze",
        # in test_indexing.py
        "StridedSlice", "StridedSliceGrad", "GatherV2", "GatherNd", "ScatterNd",
        "TensorScatterUpdate", "TensorScatterAdd",
        # in test_indexing_ops.py
        "TensorScatterMax", "TensorScatterMin",
    }
    assert ops, "no ops found: module names changed?"
    assert not ops - checked, f"differentiable ops without gradient checks: {ops - checked}"
    assert checked <= ops, f"not (differentiable) array ops: {checked - ops}"


def test_split_counts_and_sizes():
    x = tf.zeros((4, 6))
    assert [t.shape for t in tf.split(x, tf.constant(3), axis=1)] == [(4, 2)] * 3
    assert [t.shape for t in tf.split(x, [1, -1, 2], axis=1)] == [(4, 1), (4, 3), (4, 2)]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.split(x, 4, axis=1)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.split(x, [1, 2], axis=1)


# -- TensorFlow 2.21's behaviour, checked against it by tests/parity/test_array_ops.py --------

def test_string_zeros_are_empty_strings_and_string_ones_raise():
    assert tf.zeros((2,), tf.string).numpy().tolist() == [b"", b""]
    assert tf.zeros_like(tf.constant(["a"])).numpy().tolist() == [b""]
    with pytest.raises(TypeError):
        tf.ones((2,), tf.string)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.ones_like(tf.constant(["a"]))


def test_negative_dimensions_raise_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dimension -1 must be >= 0"):
        tf.zeros((2, -1))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dimension -1 must be >= 0"):
        tf.fill((2, -1), 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not both 0 and 1"):
        tf.reshape(tf.range(6), (-1, -1))


def test_concat_converts_python_values_to_the_first_ones_dtype():
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.concat([[1, 2], [3.0]], 0)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.concat([], 0)


def test_conditions_and_indices_are_checked():
    with pytest.raises(TypeError):
        tf.where([1, 0], [1, 2], [3, 4])
    assert tf.where([]).shape == (0, 1)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.one_hot([0.0, 2.0], 3)
    with pytest.raises(TypeError, match="of on_value does not match"):
        tf.one_hot([0, 2], 3, on_value=1.0, off_value=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least rank 3"):
        tf.gather(tf.ones((2, 3)), [0], axis=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="single value"):
        tf.expand_dims(tf.ones((2,)), [0, 1])
    assert tf.expand_dims(tf.ones((2,)), [1]).shape == (2, 1)


def test_conjugate_transposes():
    x = tf.constant([[1 + 1j, 2]])
    np.testing.assert_array_equal(tf.transpose(x, conjugate=True), [[1 - 1j], [2]])
    np.testing.assert_array_equal(tf.linalg.adjoint(x), [[1 - 1j], [2]])
    np.testing.assert_array_equal(tf.math.real(x), [[1.0, 2.0]])
    np.testing.assert_array_equal(tf.math.imag(x), [[1.0, 0.0]])
    assert tf.math.conj(tf.constant([1.0])).dtype == tf.float32
