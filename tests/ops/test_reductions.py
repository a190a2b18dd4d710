"""Reductions, arg-reductions, cumulative ops, sorting, counting and linear algebra:
TensorFlow's values, dtypes, tie rules and errors."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.framework.errors import InvalidArgumentError


def grad(f, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)


# -- max / min / prod -------------------------------------------------------------------

def test_reduce_max_gradient_split_among_ties():
    g = grad(tf.reduce_max, np.array([1.0, 3.0, 3.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 0.5, 0.5, 0.0])
    g = grad(lambda x: tf.reduce_min(x, axis=1), np.array([[1.0, 1.0, 1.0], [0.0, 2.0, 3.0]]))
    np.testing.assert_allclose(g, [[1 / 3, 1 / 3, 1 / 3], [1.0, 0.0, 0.0]])


def test_reduce_max_min_dtypes_and_empty():
    x = tf.constant([[1, 7], [5, 2]])
    out = tf.reduce_max(x, axis=0)
    assert out.dtype == tf.int32 and out.numpy().tolist() == [5, 7]
    assert tf.reduce_min(x).numpy() == 1
    assert tf.reduce_max(tf.zeros([0])).numpy() == -np.inf
    assert tf.reduce_min(tf.zeros([0])).numpy() == np.inf
    assert tf.reduce_max(tf.zeros([0], tf.int32)).numpy() == np.iinfo(np.int32).min
    assert tf.reduce_max(x, keepdims=True).shape == (1, 1)


def test_reduce_mean_float_paths():
    # an empty mean is nan, silently (filterwarnings=error would catch a NumPy warning)
    assert np.isnan(tf.reduce_mean(tf.zeros([0])).numpy())
    np.testing.assert_array_equal(tf.reduce_mean(tf.zeros([2, 0]), axis=1), [np.nan, np.nan])
    assert tf.reduce_mean(tf.zeros([0, 3]), axis=1).shape == (0,)
    h = tf.reduce_mean(tf.constant([[1.0, 2.0]], tf.float16), axis=1)
    assert h.dtype == tf.float16 and h.numpy().tolist() == [1.5]
    assert tf.reduce_mean(tf.constant([1.0, 2.0]), axis=-1).numpy() == 1.5


def test_band_part():
    x = tf.reshape(tf.range(9), [3, 3])
    assert tf.linalg.band_part(x, 0, -1).numpy().tolist() == [[0, 1, 2], [0, 4, 5], [0, 0, 8]]
    assert tf.linalg.band_part(x, 1, 0).numpy().tolist() == [[0, 0, 0], [3, 4, 0], [0, 7, 8]]


def test_reduce_axis_errors():
    with pytest.raises(InvalidArgumentError, match="Invalid reduction dimension"):
        tf.reduce_max(tf.constant([1.0, 2.0]), axis=1)


def test_reduce_prod_gradient_with_zeros():
    g = grad(tf.reduce_prod, np.array([2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(g, [0.0, 6.0, 0.0])
    g = grad(tf.reduce_prod, np.array([2.0, 0.0, 0.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.0])
    assert tf.reduce_prod(tf.constant([[1, 2], [3, 4]]), axis=1).numpy().tolist() == [2, 12]


# -- logsumexp, variance, std, euclidean norm -------------------------------------------

def test_reduce_logsumexp_is_stable():
    out = tf.reduce_logsumexp(tf.constant([[1000.0, 1000.0], [-1000.0, -1000.0]]), axis=1)
    np.testing.assert_allclose(out, [1000 + np.log(2), -1000 + np.log(2)])
    assert tf.reduce_logsumexp(tf.constant([-np.inf, -np.inf])).numpy() == -np.inf
    assert tf.reduce_logsumexp(tf.ones([2, 3]), keepdims=True).shape == (1, 1)
    g = grad(tf.reduce_logsumexp, np.array([1.0, 2.0, 3.0]))
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(g, e / e.sum())


def test_variance_std():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert tf.math.reduce_variance(x).numpy() == 1.25
    np.testing.assert_allclose(tf.math.reduce_std(x, axis=0), [1.0, 1.0])
    with pytest.raises(TypeError):
        tf.math.reduce_variance(tf.constant([1, 2]))


def test_reduce_euclidean_norm_doc_example():
    x = tf.constant([[1, 2, 3], [1, 1, 1]])
    out = tf.math.reduce_euclidean_norm(x)
    assert out.dtype == tf.int32 and out.numpy() == 4
    y = tf.cast(x, tf.float32)
    np.testing.assert_allclose(tf.math.reduce_euclidean_norm(y, 1), np.sqrt([14.0, 3.0]))


# -- any / all / count ------------------------------------------------------------------------

def test_any_all():
    b = tf.constant([[True, False], [True, True]])
    assert tf.reduce_any(b).numpy() and not tf.reduce_all(b).numpy()
    assert tf.reduce_all(b, axis=1).numpy().tolist() == [False, True]
    assert tf.reduce_any(b, axis=0, keepdims=True).shape == (1, 2)
    with pytest.raises(InvalidArgumentError, match="bool"):
        tf.reduce_any(tf.constant([1, 0]))


def test_count_nonzero():
    x = tf.constant([[0, 1, 2], [0, 0, 3]])
    out = tf.math.count_nonzero(x, axis=1)
    assert out.dtype == tf.int64 and out.numpy().tolist() == [2, 1]
    assert tf.math.count_nonzero(tf.constant([True, False, True])).numpy() == 2
    assert tf.math.count_nonzero(x, dtype=tf.int32).dtype == tf.int32


# -- argmax / argmin -----------------------------------------------------------------------------

def test_argmax_argmin():
    x = tf.constant([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]])
    assert tf.argmax(x).numpy().tolist() == [1, 0, 1]  # axis defaults to 0
    out = tf.argmax(x, axis=1)
    assert out.dtype == tf.int64 and out.numpy().tolist() == [1, 0]  # ties: first index
    out = tf.argmin(x, axis=-1, output_type=tf.int32)
    assert out.dtype == tf.int32 and out.numpy().tolist() == [0, 1]
    with pytest.raises(InvalidArgumentError):
        tf.argmax(x, axis=2)
    with tf.GradientTape() as tape:
        tape.watch(x)
        i = tf.argmax(x)
    assert tape.gradient(i, x) is None


# -- cumulative --------------------------------------------------------------------------

def test_cumsum_doc_examples():
    x = tf.constant([2, 4, 6, 8])
    assert tf.cumsum(x).numpy().tolist() == [2, 6, 12, 20]
    assert tf.cumsum(x, exclusive=True).numpy().tolist() == [0, 2, 6, 12]
    assert tf.cumsum(x, reverse=True).numpy().tolist() == [20, 18, 14, 8]
    assert tf.cumsum(x, exclusive=True, reverse=True).numpy().tolist() == [18, 14, 8, 0]
    assert tf.cumsum(x).dtype == tf.int32
    m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(tf.cumsum(m, axis=1), [[1, 3], [3, 7]])
    with pytest.raises(InvalidArgumentError):
        tf.cumsum(m, axis=2)


def test_cumprod():
    x = tf.constant([2.0, 3.0, 4.0])
    np.testing.assert_array_equal(tf.math.cumprod(x), [2, 6, 24])
    np.testing.assert_array_equal(tf.math.cumprod(x, exclusive=True), [1, 2, 6])
    np.testing.assert_array_equal(tf.math.cumprod(x, exclusive=True, reverse=True), [12, 4, 1])


# -- sorting -----------------------------------------------------------------------------

def test_sort_argsort():
    x = tf.constant([[3, 1, 2], [1, 1, 0]])
    assert tf.sort(x).numpy().tolist() == [[1, 2, 3], [0, 1, 1]]
    assert tf.sort(x, direction="DESCENDING").numpy().tolist() == [[3, 2, 1], [1, 1, 0]]
    idx = tf.argsort(x)
    assert idx.dtype == tf.int32 and idx.numpy().tolist() == [[1, 2, 0], [2, 0, 1]]
    assert tf.argsort(x, direction="DESCENDING").numpy().tolist() == [[0, 2, 1], [0, 1, 2]]
    with pytest.raises(ValueError, match="direction"):
        tf.sort(x, direction="UP")


def test_top_k():
    x = tf.constant([[1.0, 3.0, 3.0, 2.0]])
    res = tf.math.top_k(x, k=3)
    values, indices = res
    assert res.values is values and res.indices is indices
    assert values.numpy().tolist() == [[3.0, 3.0, 2.0]]
    assert indices.dtype == tf.int32 and indices.numpy().tolist() == [[1, 2, 3]]
    with pytest.raises(InvalidArgumentError, match="at least k columns"):
        tf.math.top_k(x, k=5)
    g = grad(lambda t: tf.math.top_k(t, k=2).values * tf.constant([[10.0, 1.0]], tf.float64),
             np.array([[1.0, 4.0, 2.0]]))
    np.testing.assert_array_equal(g, [[0.0, 10.0, 1.0]])


def test_in_top_k_doc_example():
    target = tf.constant([0, 1, 3])
    pred = tf.constant([[1.2, -0.3, 2.8, 5.2], [0.1, 0.0, 0.0, 0.0], [0.0, 0.5, 0.3, 0.3]])
    out = tf.math.in_top_k(target, pred, 2)
    assert out.dtype == tf.bool and out.numpy().tolist() == [False, True, True]
    nan_pred = tf.constant([[np.nan, 1.0]])
    assert tf.math.in_top_k(tf.constant([0]), nan_pred, 2).numpy().tolist() == [False]


# -- counting ----------------------------------------------------------------------------

def test_bincount():
    values = tf.constant([1, 1, 2, 3, 2, 4, 4, 5])
    out = tf.math.bincount(values)
    assert out.dtype == tf.int32 and out.numpy().tolist() == [0, 2, 2, 1, 2, 1]
    assert tf.math.bincount(values, minlength=8).shape == (8,)
    assert tf.math.bincount(values, maxlength=3).numpy().tolist() == [0, 2, 2]
    w = tf.constant([1.0, 1.0, 2.0, 3.0, 2.0, 4.0, 4.0, 5.0])
    out = tf.math.bincount(values, weights=w)
    assert out.dtype == tf.float32 and out.numpy().tolist() == [0, 2, 4, 3, 8, 5]
    rows = tf.math.bincount(tf.constant([[1, 1, 0], [2, 2, 2]]), axis=-1)
    assert rows.numpy().tolist() == [[1, 2, 0], [0, 0, 3]]
    assert tf.math.bincount(values, binary_output=True).numpy().tolist() == [0, 1, 1, 1, 1, 1]
    with pytest.raises(InvalidArgumentError):
        tf.math.bincount(tf.constant([-1, 2]))


def test_confusion_matrix_doc_example():
    cm = tf.math.confusion_matrix([1, 2, 4], [2, 2, 4])
    assert cm.dtype == tf.int32 and cm.shape == (5, 5)
    expected = np.zeros((5, 5), int)
    expected[1, 2] = expected[2, 2] = expected[4, 4] = 1
    np.testing.assert_array_equal(cm, expected)
    w = tf.math.confusion_matrix([0, 1], [1, 1], num_classes=3, weights=[2.0, 0.5],
                                 dtype=tf.float32)
    np.testing.assert_array_equal(w, [[0, 2, 0], [0, 0.5, 0], [0, 0, 0]])
    with pytest.raises(InvalidArgumentError):
        tf.math.confusion_matrix([0, 3], [0, 1], num_classes=3)
    with pytest.raises(InvalidArgumentError):
        tf.math.confusion_matrix([0, -1], [0, 1])


def test_segment_sum():
    out = tf.math.segment_sum(tf.constant([[1, 2], [3, 4], [5, 6]]), tf.constant([0, 0, 1]))
    assert out.numpy().tolist() == [[4, 6], [5, 6]]


# -- linear algebra ----------------------------------------------------------------------

def test_einsum_and_tensordot_shapes():
    a, b = tf.ones([2, 3, 4]), tf.ones([4, 5])
    assert tf.einsum("...ij,jk->...ik", a, b).shape == (2, 3, 5)
    assert tf.einsum("bij->bji", a).shape == (2, 4, 3)
    assert tf.tensordot(a, b, axes=1).shape == (2, 3, 5)
    assert tf.tensordot(tf.ones([3]), tf.ones([4]), axes=0).shape == (3, 4)
    with pytest.raises(InvalidArgumentError):
        tf.tensordot(a, b, axes=[[1], [0]])
    with pytest.raises(InvalidArgumentError):
        tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([2, 3]))


def test_norm_values_and_errors():
    x = tf.constant([[3.0, -4.0], [0.0, 0.0]])
    assert tf.norm(x).numpy() == 5.0
    np.testing.assert_array_equal(tf.norm(x, axis=1), [5.0, 0.0])
    np.testing.assert_array_equal(tf.norm(x, ord=1, axis=1), [7.0, 0.0])
    np.testing.assert_array_equal(tf.norm(x, ord=np.inf, axis=1), [4.0, 0.0])
    assert tf.norm(x, ord=np.inf, axis=[0, 1]).numpy() == 7.0
    assert tf.norm(x, ord=1, axis=[0, 1]).numpy() == 4.0
    assert tf.norm(x, keepdims=True).shape == (1, 1)
    assert tf.norm(x, axis=1, keepdims=True).shape == (2, 1)
    with pytest.raises(ValueError):
        tf.norm(x, ord="fro", axis=1)
    with pytest.raises(ValueError):
        tf.norm(x, ord=-1)


def test_inv_det_solve():
    a = tf.constant([[2.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(tf.linalg.det(a), 5.0, rtol=1e-6)
    np.testing.assert_allclose(tf.matmul(a, tf.linalg.inv(a)), np.eye(2), atol=1e-6)
    x = tf.linalg.solve(a, tf.constant([[3.0], [4.0]]))
    np.testing.assert_allclose(x, [[1.0], [1.0]], rtol=1e-6)
    with pytest.raises(InvalidArgumentError, match="not invertible"):
        tf.linalg.inv(tf.constant([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(InvalidArgumentError, match="square"):
        tf.linalg.det(tf.ones([2, 3]))


def test_cholesky():
    a = tf.constant([[4.0, 2.0], [2.0, 3.0]])
    low = tf.linalg.cholesky(a)
    np.testing.assert_allclose(low, [[2.0, 0.0], [1.0, np.sqrt(2.0)]], rtol=1e-6)
    with pytest.raises(InvalidArgumentError, match="Cholesky decomposition was not successful"):
        tf.linalg.cholesky(tf.constant([[1.0, 2.0], [2.0, 1.0]]))


def test_diag_trace_transpose():
    m = tf.constant([[1, 2, 3], [4, 5, 6]])
    assert tf.linalg.diag_part(m).numpy().tolist() == [1, 5]
    assert tf.linalg.trace(tf.constant([[1, 2], [3, 4]])).numpy() == 5
    assert tf.linalg.diag(tf.constant([1, 2])).numpy().tolist() == [[1, 0], [0, 2]]
    assert tf.linalg.matrix_transpose(m).shape == (3, 2)
    with pytest.raises(ValueError):
        tf.linalg.matrix_transpose(tf.constant([1, 2]))
