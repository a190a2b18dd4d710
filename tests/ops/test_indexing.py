"""Indexing: __getitem__, slice/strided_slice, masks, gather/scatter, where, unique."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads

rng = np.random.RandomState(0)
X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def r(*shape):
    return rng.standard_normal(shape)


# -- __getitem__ ---------------------------------------------------------------------------

@pytest.mark.parametrize("key", [
    0, -1, (1, 2), (1, 2, 3), slice(None, None, -1), (slice(None), slice(1, None, 2)),
    (Ellipsis, 1), (Ellipsis, slice(None, None, -2)), (None, 0), (0, None, slice(1, 3)),
    (slice(5, 10),), (slice(-10, 1), Ellipsis, -1), (1, slice(None, None, -1), None, 0),
])
def test_getitem_matches_numpy(key):
    t = tf.constant(X)
    got = t[key]
    assert got.dtype == tf.float32
    np.testing.assert_array_equal(got.numpy(), X[key])
    assert got.shape == X[key].shape


def test_getitem_newaxis_and_scalar_results():
    t = tf.constant(X)
    assert t[:, tf.newaxis].shape == (2, 1, 3, 4)
    s = t[1, 2, 3]
    assert s.shape == () and float(s) == 23.0
    assert repr(tf.constant([1, 2, 3])[1]) == "<tf.Tensor: shape=(), dtype=int32, numpy=2>"


def test_getitem_list_is_read_as_tuple():
    t = tf.constant(X)
    np.testing.assert_array_equal(t[[1, 2]].numpy(), X[1, 2])


def test_getitem_scalar_integer_tensors():
    t = tf.constant(X)
    i = tf.constant(1)
    np.testing.assert_array_equal(t[i].numpy(), X[1])
    np.testing.assert_array_equal(t[:, tf.constant(-1, tf.int64)].numpy(), X[:, -1])
    np.testing.assert_array_equal(t[tf.constant(0):tf.constant(2), np.int64(1)].numpy(),
                                  X[0:2, 1])


def test_getitem_boolean_mask():
    t = tf.constant(X)
    m = np.array([False, True])
    np.testing.assert_array_equal(t[m].numpy(), X[m])
    np.testing.assert_array_equal(t[tf.constant(X > 10)].numpy(), X[X > 10])
    v = tf.constant([1, 2, 3])
    assert v[v > 1].numpy().tolist() == [2, 3]


def test_getitem_rejects_non_scalar_and_float_indices():
    t = tf.constant(X)
    for key in (1.5, (slice(None), [0, 1]), tf.constant([0, 1]), np.array([0, 1]), "a"):
        with pytest.raises(TypeError, match="Only integers, slices"):
            t[key]


def test_getitem_out_of_range_names_the_shape():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"index 5 of dimension 0 .*"
                       r"\[3\]"):
        tf.constant([1, 2, 3])[5]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"dimension 2.*\[2, 3, 4\]"):
        tf.constant(X)[0, 0, -5]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant(1.0)[0]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant(X)[::0]


def test_item_assignment_raises():
    t = tf.constant([1, 2])
    with pytest.raises(TypeError, match="'Tensor' object does not support item assignment"):
        t[0] = 3


def test_variable_getitem():
    v = tf.Variable(X)
    np.testing.assert_array_equal(np.asarray(v[1, ::-1]), X[1, ::-1])


GETITEM_GRADS = [
    ("int", lambda x: x[1] ** 2),
    ("neg_step", lambda x: x[::-1, ::2] ** 2),
    ("ellipsis_newaxis", lambda x: x[..., None, 1:] ** 2),
    ("mask", lambda x: x[x.numpy() > 0] ** 2),
    ("repeated_reads", lambda x: x[0] * x[0] + x[:, ::-1][0] ** 3),
    ("scalar_tensor_index", lambda x: x[tf.constant(1), ::-1] ** 2),
]


@pytest.mark.parametrize("name,f", GETITEM_GRADS, ids=[c[0] for c in GETITEM_GRADS])
def test_getitem_gradients(name, f):
    check_grads(f, [r(3, 4)], order=2, name=name)


def test_getitem_gradient_accumulates_repeated_reads():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x[0] + x[0] + x[1:][0] + x[::-1][0]
    assert tape.gradient(y, x).numpy().tolist() == [2.0, 1.0, 1.0]


def test_getitem_through_variable_records():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = v[1] * 3.0
    assert tape.gradient(y, v).numpy().tolist() == [0.0, 3.0, 0.0]


# -- slice, strided_slice, boolean_mask -------------------------------------------------

def test_slice():
    t = tf.constant(X)
    np.testing.assert_array_equal(tf.slice(t, [1, 0, 1], [1, 2, -1]).numpy(), X[1:2, 0:2, 1:])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"size\[1\]"):
        tf.slice(t, [0, 2, 0], [1, 2, 1])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.slice(t, [0], [1])


def test_strided_slice_masks():
    t = tf.constant(X)
    np.testing.assert_array_equal(tf.strided_slice(t, [0, 0, 0], [2, 3, 4], [1, 2, -1],
                                                   end_mask=4).numpy(), X[0:2, 0:3:2, 0::-1])
    np.testing.assert_array_equal(
        tf.strided_slice(t, [1, 0], [2, 2], [1, 1], begin_mask=2, shrink_axis_mask=1).numpy(),
        X[1, :2])
    np.testing.assert_array_equal(
        tf.strided_slice(t, [0, 0], [1, 2], ellipsis_mask=1).numpy(), X[..., 0:2])
    np.testing.assert_array_equal(
        tf.strided_slice(t, [0, 0], [1, 1], new_axis_mask=2, shrink_axis_mask=1).numpy(),
        X[0, None])


def test_boolean_mask_axis_and_errors():
    t = tf.constant(X)
    m = np.array([True, False, True])
    np.testing.assert_array_equal(tf.boolean_mask(t, m, axis=1).numpy(), X[:, m])
    np.testing.assert_array_equal(tf.boolean_mask(t, X[..., 0] > 4).numpy(), X[X[..., 0] > 4])
    # TensorFlow checks the mask's shape statically: ValueError
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(3,\) are incompatible"):
        tf.boolean_mask(t, [True, False, True])


def test_slice_and_mask_gradients():
    check_grads(lambda x: tf.slice(x, [1, 0], [2, -1]) ** 2, [r(3, 4)])
    check_grads(lambda x: tf.strided_slice(x, [2, 0], [0, 4], [-1, 2]) ** 2, [r(3, 4)])
    check_grads(lambda x: tf.boolean_mask(x, [True, False, True, True], axis=1) ** 2,
                [r(3, 4)])


# -- gather, gather_nd, scatter ---------------------------------------------------------

def test_gather_and_repeated_indices_gradient():
    params = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert tf.gather(params, [2, 0, 2]).numpy().tolist() == [[5, 6], [1, 2], [5, 6]]
    assert tf.gather(params, [1], axis=1).numpy().tolist() == [[2], [4], [6]]
    with tf.GradientTape() as tape:
        tape.watch(params)
        y = tf.reduce_sum(tf.gather(params, [2, 0, 2]))
    g = tf.convert_to_tensor(tape.gradient(y, params))
    assert g.numpy().tolist() == [[1, 1], [0, 0], [2, 2]]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(params, [3])
    check_grads(lambda p: tf.gather(p, [1, 1, 0], axis=1) ** 2, [r(2, 3)])
    check_grads(lambda p: tf.gather(p, [[2, 0], [2, 2]]) ** 2, [r(3, 2)])


def test_gather_nd():
    p = tf.constant(X)
    np.testing.assert_array_equal(tf.gather_nd(p, [[0, 1], [1, 2]]).numpy(), X[[0, 1], [1, 2]])
    np.testing.assert_array_equal(tf.gather_nd(p, [[1, 2, 3]]).numpy(), [23.0])
    assert tf.gather_nd(p, [[[1]], [[0]]]).shape == (2, 1, 3, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[0, 3\].*\[2, 3, 4\]"):
        tf.gather_nd(p, [[0, 3]])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather_nd(p, [[0.0, 1.0]])
    check_grads(lambda x: tf.gather_nd(x, [[0, 1], [2, 0], [0, 1]]) ** 2, [r(3, 2)])
    check_grads(lambda x: tf.gather_nd(x, [[1], [1]]) ** 2, [r(3, 2)])


def test_scatter_nd_sums_duplicates():
    t = tf.scatter_nd([[1], [3], [1]], [1.0, 2.0, 3.0], [5])
    assert t.numpy().tolist() == [0, 4, 0, 2, 0] and t.dtype == tf.float32
    t2 = tf.scatter_nd(tf.constant([[0, 1]]), tf.constant([[7]]), tf.constant([2, 2, 1]))
    assert t2.numpy().tolist() == [[[0], [7]], [[0], [0]]]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.scatter_nd([[5]], [1.0], [5])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.scatter_nd([[1]], [1.0, 2.0], [5])
    check_grads(lambda u: tf.scatter_nd([[1], [3], [1]], u, [5, 2]) ** 2, [r(3, 2)])


def test_tensor_scatter_nd_update_add_sub():
    base = tf.constant([1, 2, 3, 4])
    assert tf.tensor_scatter_nd_update(base, [[1], [3]], [9, 10]).numpy().tolist() == \
        [1, 9, 3, 10]
    assert tf.tensor_scatter_nd_add(base, [[1], [1]], [5, 5]).numpy().tolist() == [1, 12, 3, 4]
    assert tf.tensor_scatter_nd_sub(base, [[0]], [1]).numpy().tolist() == [0, 2, 3, 4]
    assert base.numpy().tolist() == [1, 2, 3, 4]  # inputs are never modified
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.tensor_scatter_nd_update(base, [[4]], [1])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.tensor_scatter_nd_add(tf.constant([1.0]), [[0]], tf.constant([1.0], tf.float64))
    check_grads(lambda t, u: tf.tensor_scatter_nd_update(t, [[0], [2]], u) ** 2,
                [r(3, 2), r(2, 2)])
    check_grads(lambda t, u: tf.tensor_scatter_nd_add(t * t, [[0, 1], [0, 1]], u) ** 2,
                [r(3, 2), r(2)])


# -- where, unique, searchsorted -----------------------------------------------------------

def test_where_one_argument_gives_int64_coordinates():
    w = tf.where([[True, False], [False, True]])
    assert w.dtype == tf.int64 and w.numpy().tolist() == [[0, 0], [1, 1]]
    assert tf.where(tf.constant([0.0, 2.0, 3.0])).numpy().tolist() == [[1], [2]]
    assert tf.where([False, False]).shape == (0, 1)


def test_where_three_arguments_broadcast():
    c = tf.constant([[True], [False]])
    got = tf.where(c, tf.constant([1.0, 2.0, 3.0]), 0.0)
    assert got.shape == (2, 3) and got.dtype == tf.float32
    assert got.numpy().tolist() == [[1, 2, 3], [0, 0, 0]]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.where(c, tf.constant([1.0]), tf.constant([1.0], tf.float64))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.where(tf.constant([True, False]), tf.zeros(3), tf.zeros(3))
    with pytest.raises(ValueError):
        tf.where(c, 1.0)
    cond = np.array([[True, False, True]])
    check_grads(lambda x, y: tf.where(cond, x * x, y), [r(2, 3), r(1)])


def test_unique_first_occurrence_order():
    y, idx = tf.unique(tf.constant([3, 1, 3, 2, 1]))
    assert y.numpy().tolist() == [3, 1, 2] and y.dtype == tf.int32
    assert idx.numpy().tolist() == [0, 1, 0, 2, 1] and idx.dtype == tf.int32
    out = tf.unique([1.5, 1.5], out_idx=tf.int64)
    assert out.y.numpy().tolist() == [1.5] and out.idx.dtype == tf.int64


def test_searchsorted():
    assert tf.searchsorted([1, 3, 5], [0, 3, 6]).numpy().tolist() == [0, 1, 3]
    assert tf.searchsorted([1, 3, 5], [0, 3, 6], side="right").numpy().tolist() == [0, 2, 3]
    got = tf.searchsorted([[1, 3, 5], [2, 4, 6]], [[3, 6], [1, 4]])
    assert got.numpy().tolist() == [[1, 3], [0, 1]] and got.dtype == tf.int32


def test_gather_batch_dims():
    p = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    i = np.array([[0, 2, 2], [1, 2, 0]])
    for axis in (1, 2, 3):
        got = tf.gather(p, i, axis=axis, batch_dims=1).numpy()
        want = np.stack([np.take(p[k], i[k], axis=axis - 1) for k in range(2)])
        np.testing.assert_array_equal(got, want)
    # axis defaults to batch_dims; negative batch_dims counts from the indices' rank
    assert tf.gather(p, i, batch_dims=-1).shape == (2, 3, 4, 5)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(p, np.zeros((3, 1), np.int32), axis=1, batch_dims=1)
    check_grads(lambda x: tf.gather(x, [[1, 1], [0, 2]], axis=2, batch_dims=1) ** 2,
                [r(2, 2, 3)])


def test_gather_nd_batch_dims():
    p = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    i = np.array([[[0, 1], [2, 3]], [[1, 0], [0, 0]]])
    got = tf.gather_nd(p, i, batch_dims=1).numpy()
    assert got.tolist() == [[1.0, 11.0], [16.0, 12.0]]
    assert tf.gather_nd(p, [[[1], [2]], [[0], [0]]], batch_dims=1).shape == (2, 2, 4)
    check_grads(lambda x: tf.gather_nd(x, [[[1], [1]], [[0], [2]]], batch_dims=1) ** 2,
                [r(2, 3, 2)])


# -- property test: basic indexing agrees with NumPy, and its gradient is the selection --

from hypothesis import given, settings, strategies as st  # noqa: E402


@st.composite
def _shape_and_key(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    items = []
    for n in shape[:draw(st.integers(0, len(shape)))]:
        if draw(st.booleans()):
            items.append(draw(st.integers(-n, n - 1)))
        else:
            bound = st.one_of(st.none(), st.integers(-n - 1, n + 1))
            step = draw(st.one_of(st.none(), st.sampled_from([1, 2, -1, -2])))
            items.append(slice(draw(bound), draw(bound), step))
    if draw(st.booleans()):  # a new axis consumes no dimension
        items.insert(draw(st.integers(0, len(items))), None)
    if draw(st.booleans()):  # after the indexed (leading) axes, so they keep their meaning
        items.append(Ellipsis)
    return shape, tuple(items)


@settings(max_examples=25, deadline=None)
@given(_shape_and_key())
def test_basic_indexing_matches_numpy_with_gradient(shape_key):
    shape, key = shape_key
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = t[key]
        s = tf.reduce_sum(y)
    np.testing.assert_array_equal(y.numpy(), x[key])
    want = np.zeros_like(x)
    want[key] = 1.0
    np.testing.assert_array_equal(tape.gradient(s, t).numpy(), want)


def test_indexing_a_string_tensor_gives_a_string_scalar_tensor():
    t = tf.constant([b"ab", b"cd"])
    assert str(t[0]) == "tf.Tensor(b'ab', shape=(), dtype=string)"
    assert repr(t[1]) == "<tf.Tensor: shape=(), dtype=string, numpy=b'cd'>"
    assert t[1].numpy() == b"cd" and t[0].shape == ()
    assert tf.strings.upper(t[0]).numpy() == b"AB"
