"""TensorFlow specifics of the elementwise math ops: dtypes, rounding, casting, errors,
gradients at kinks and ties, clipping, erf accuracy, and the tf.math / tf.linalg names."""
import math

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.framework.errors import InvalidArgumentError


def grad(f, *xs):
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = f(*xs)
    return tape.gradient(y, xs)


# -- dtypes -------------------------------------------------------------------------

def test_int_divide_gives_float64():
    out = tf.divide(tf.constant([7, -7]), tf.constant([2, 2]))
    assert out.dtype == tf.float64
    np.testing.assert_array_equal(out.numpy(), [3.5, -3.5])
    assert (tf.constant([1, 2]) / tf.constant([4, 4])).dtype == tf.float64


def test_reduce_mean_of_int_truncates_and_stays_int():
    out = tf.reduce_mean(tf.constant([1, 2]))
    assert out.dtype == tf.int32 and out.numpy() == 1
    assert tf.reduce_mean(tf.constant([-1, -2])).numpy() == -1
    np.testing.assert_array_equal(tf.reduce_mean(tf.constant([[1, 2], [4, 7]]), axis=1), [1, 5])


def test_argmax_and_count_nonzero_are_int64():
    assert tf.argmax(tf.constant([1.0, 3.0, 2.0])).dtype == tf.int64
    assert tf.math.count_nonzero(tf.constant([0, 2, 3])).dtype == tf.int64
    assert tf.math.count_nonzero(tf.constant([0, 2, 3])).numpy() == 2


def test_sqrt_of_int_raises():
    with pytest.raises(InvalidArgumentError, match="int32"):
        tf.sqrt(tf.constant([4, 9]))
    for f in (tf.exp, tf.math.log, tf.math.erf, tf.tan, tf.math.is_nan):
        with pytest.raises(InvalidArgumentError):
            f(tf.constant([1, 2]))


@pytest.mark.parametrize("f", [tf.math.floordiv, tf.math.floormod, tf.truncatediv,
                               tf.truncatemod])
def test_integer_division_by_zero_raises(f):
    with pytest.raises(InvalidArgumentError, match="Integer division by zero"):
        f(tf.constant([4, 5]), tf.constant([2, 0]))


def test_float_division_by_zero_gives_inf_without_warning():
    out = tf.divide(tf.constant([1.0, -1.0, 0.0]), 0.0).numpy()
    assert out[0] == np.inf and out[1] == -np.inf and np.isnan(out[2])


def test_round_half_to_even():
    out = tf.round(tf.constant([0.5, 1.5, 2.5, -0.5, -1.5, 2.6]))
    np.testing.assert_array_equal(out.numpy(), [0.0, 2.0, 2.0, -0.0, -2.0, 3.0])


def test_cast_wraps_and_truncates():
    assert tf.cast(tf.constant(300), tf.uint8).numpy() == 44
    out = tf.cast(tf.constant([-1.7, 2.9, -0.2]), tf.int32)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(out.numpy(), [-1, 2, 0])
    assert tf.cast(tf.constant([0.0, 2.0]), tf.bool).numpy().tolist() == [False, True]


def test_cast_gradient():
    """Cast's gradient is cast back to the input dtype (checked here, not in the op table)."""
    x = tf.constant([1.5, -2.0], dtype=tf.float32)
    (g,) = grad(lambda x: tf.cast(x, tf.float64) * tf.constant([3.0, 4.0], tf.float64), x)
    assert g.dtype == tf.float32
    np.testing.assert_array_equal(g.numpy(), [3.0, 4.0])
    (g,) = grad(lambda x: tf.cast(x, tf.int32), x)
    assert g is None


@pytest.mark.parametrize("a, b", [
    (tf.constant([1.0], tf.float32), tf.constant([1.0], tf.float64)),
    (tf.constant([1]), tf.constant([1.0])),
])
def test_mixed_dtypes_raise_naming_the_op(a, b):
    with pytest.raises(InvalidArgumentError, match="AddV2"):
        tf.add(a, b)
    with pytest.raises(InvalidArgumentError):
        tf.maximum(a, b)
    with pytest.raises(InvalidArgumentError):
        tf.einsum("i,i->", a, b)


def test_int_tensor_with_python_float_raises_type_error():
    # TensorFlow converts the Python operand to the tensor's dtype and refuses floats
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        tf.constant([1, 2]) - 1.5
    with pytest.raises(TypeError, match="Cannot convert 2.0 to EagerTensor of dtype int32"):
        2.0 * tf.constant([1, 2])
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        1.5 + tf.constant([1, 2])
    with pytest.raises(TypeError, match="Cannot convert \\[2.5\\] to EagerTensor"):
        tf.multiply(tf.constant([1, 2]), [2.5])


def test_int_tensor_plus_python_float_is_addv2s_invalid_argument():
    # TensorFlow 2.21: `t + 1.5` and tf.add take AddV2's fast path, which converts the
    # operand on its own and then refuses the dtypes
    with pytest.raises(InvalidArgumentError, match="expected to be a int32 tensor but is a "
                       "float tensor"):
        tf.constant([1, 2]) + 1.5
    with pytest.raises(InvalidArgumentError, match="expected to be a double tensor but is a "
                       "string tensor"):
        tf.constant(1.0, tf.float64) + "a"


def test_true_division_dtypes():
    # TensorFlow: 8- and 16-bit integers divide in float32, 32- and 64-bit in float64
    for dt, want in ((tf.int8, tf.float32), (tf.uint8, tf.float32), (tf.int16, tf.float32),
                     (tf.int32, tf.float64), (tf.int64, tf.float64)):
        assert (tf.constant(7, dt) / tf.constant(2, dt)).dtype == want
    with pytest.raises(TypeError, match="`x` and `y` must have the same dtype, got tf.int32 "
                       "!= tf.float32."):
        tf.constant(7) / 2.5
    with pytest.raises(TypeError, match="same dtype"):
        tf.constant(7.0) / tf.constant(2)


def test_operators_on_integers_are_bitwise():
    np.testing.assert_array_equal(tf.constant([3, 5]) & tf.constant([1, 1]), [1, 1])
    np.testing.assert_array_equal(tf.constant([3, 5]) | 2, [3, 7])
    np.testing.assert_array_equal(tf.constant([3, 5]) ^ 1, [2, 4])
    np.testing.assert_array_equal(~tf.constant([3, 5]), [-4, -6])
    assert (~tf.constant([True])).dtype == tf.bool


def test_equality_operators():
    # incompatible shapes give a scalar bool tensor, None gives a Python bool,
    # unconvertible operands and other dtypes raise
    eq = tf.constant([1.0, 2.0]) == tf.constant([1.0, 2.0, 3.0])
    assert eq.dtype == tf.bool and eq.shape == () and not bool(eq)
    assert bool(tf.constant([1.0, 2.0]) != [1.0, 2.0, 3.0])
    assert (tf.constant([1.0]) == None) is False  # noqa: E711
    with pytest.raises(TypeError):
        tf.constant([1, 2]) == 1.5
    with pytest.raises(InvalidArgumentError):
        tf.constant([1.0]) == tf.constant([1])


@pytest.mark.parametrize("fn", [
    lambda: tf.constant([True]) + tf.constant([True]), lambda: tf.reduce_sum([True, False]),
    lambda: tf.reduce_max([True, False]), lambda: tf.math.floor(tf.constant([1, 2])),
    lambda: -tf.constant([1], tf.uint8), lambda: tf.reduce_sum([[1, 2]], axis=[0, 0]),
])
def test_dtypes_the_kernel_does_not_take_raise_invalid_argument(fn):
    with pytest.raises(InvalidArgumentError):
        fn()


def test_cast_between_strings_and_numbers_is_unimplemented():
    with pytest.raises(tf.errors.UnimplementedError, match="Cast string to int32"):
        tf.cast(tf.constant(["1"]), tf.int32)


def test_python_scalar_takes_tensor_dtype():
    assert (tf.constant([1, 2]) + 2).dtype == tf.int32
    assert tf.maximum(tf.constant([1.0], tf.float64), 0.5).dtype == tf.float64
    assert tf.math.xlogy(tf.constant([1.0]), 2.0).dtype == tf.float32


def test_shape_mismatch_error_names_shapes():
    with pytest.raises(InvalidArgumentError, match=r"\[2\].*\[3\]|\(2,\).*\(3,\)"):
        tf.add(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0, 3.0]))


# -- gradients at kinks and ties -----------------------------------------------------------

def test_maximum_minimum_ties_go_to_first_argument():
    gx, gy = grad(tf.maximum, np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0]))
    np.testing.assert_array_equal(gx, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(gy, [0.0, 1.0, 0.0])
    gx, gy = grad(tf.minimum, np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    np.testing.assert_array_equal(gx, [1.0, 0.0])
    np.testing.assert_array_equal(gy, [0.0, 1.0])


def test_abs_gradient_is_zero_at_zero():
    (g,) = grad(tf.abs, np.array([-2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(g, [-1.0, 0.0, 1.0])


def test_clip_by_value_gradient_is_one_at_both_bounds():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    (g,) = grad(lambda t: tf.clip_by_value(t, -1.0, 1.0), x)
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0, 1.0, 0.0])
    g, glo, ghi = grad(tf.clip_by_value, x, np.array(-1.0), np.array(1.0))
    assert glo.numpy() == 1.0 and ghi.numpy() == 1.0


def test_clip_by_value_values_and_errors():
    out = tf.clip_by_value(tf.constant([[-1, 5], [3, 10]]), 0, 4)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(out, [[0, 4], [3, 4]])
    np.testing.assert_array_equal(
        tf.clip_by_value(tf.constant([1.0, 5.0]), [2.0, 0.0], [3.0, 4.0]), [2.0, 4.0])
    with pytest.raises(ValueError, match="incompatible"):
        tf.clip_by_value(tf.constant([1.0, 2.0]), tf.zeros([3, 2]), 1.0)
    with pytest.raises(InvalidArgumentError):
        tf.clip_by_value(tf.constant([1.0]), tf.constant(0.0, tf.float64), 1.0)


def test_special_values_of_safe_ops():
    np.testing.assert_array_equal(tf.math.xlogy(tf.constant([0.0, 0.0]), [0.0, 2.0]), [0, 0])
    np.testing.assert_array_equal(tf.math.xdivy(tf.constant([0.0, 2.0]), [0.0, 4.0]), [0, 0.5])
    np.testing.assert_array_equal(tf.math.reciprocal_no_nan(tf.constant([0.0, 4.0])),
                                  [0.0, 0.25])
    np.testing.assert_array_equal(tf.math.divide_no_nan(tf.constant([3.0, 1.0]), [0.0, 2.0]),
                                  [0.0, 0.5])
    np.testing.assert_array_equal(
        tf.math.multiply_no_nan(tf.constant([np.inf, np.nan, 2.0]), [0.0, 0.0, 3.0]), [0, 0, 6])
    assert tf.math.rint(tf.constant([2.5, -1.5])).numpy().tolist() == [2.0, -2.0]
    # xlogy's gradient wrt y is x / y, 0 where x == 0 even at y == 0
    gx, gy = grad(tf.math.xlogy, np.array([0.0, 2.0]), np.array([0.0, 4.0]))
    np.testing.assert_array_equal(gy, [0.0, 0.5])


def test_nan_inf_tests():
    x = tf.constant([1.0, np.nan, np.inf, -np.inf])
    assert tf.math.is_nan(x).numpy().tolist() == [False, True, False, False]
    assert tf.math.is_inf(x).numpy().tolist() == [False, False, True, True]
    assert tf.math.is_finite(x).numpy().tolist() == [True, False, False, False]
    assert tf.math.is_nan(x).dtype == tf.bool


def test_truncatediv_rounds_toward_zero():
    x, y = tf.constant([-7, 7, -7, 7]), tf.constant([2, 2, -2, -2])
    np.testing.assert_array_equal(tf.truncatediv(x, y), [-3, 3, 3, -3])
    np.testing.assert_array_equal(tf.math.floordiv(x, y), [-4, 3, 3, -4])
    np.testing.assert_array_equal(tf.truncatemod(x, y), [-1, 1, -1, 1])
    np.testing.assert_array_equal(tf.math.floormod(x, y), [1, 1, -1, -1])


def test_erf_matches_math_erf():
    x = np.linspace(-7, 7, 2801)
    out = tf.math.erf(tf.constant(x)).numpy()
    ref = np.array([math.erf(v) for v in x])
    assert np.max(np.abs(out - ref)) < 1e-14
    outc = tf.math.erfc(tf.constant(x)).numpy()
    refc = np.array([math.erfc(v) for v in x])
    assert np.max(np.abs(outc - refc) / refc) < 1e-10
    y = tf.math.erf(tf.constant([0.5, -3.0], tf.float32))
    assert y.dtype == tf.float32
    np.testing.assert_allclose(y.numpy(), [math.erf(0.5), math.erf(-3.0)], rtol=1e-7)


def test_log_sigmoid_is_stable():
    out = tf.math.log_sigmoid(tf.constant([-1000.0, 0.0, 1000.0])).numpy()
    np.testing.assert_allclose(out, [-1000.0, -math.log(2), 0.0])


# -- lists of tensors ----------------------------------------------------------------------

def test_add_n():
    a = tf.constant([1, 2])
    np.testing.assert_array_equal(tf.add_n([a, a, a]), [3, 6])
    assert tf.add_n([a]).numpy().tolist() == [1, 2]
    with pytest.raises(InvalidArgumentError):
        tf.add_n([tf.constant([1.0, 2.0]), tf.constant([1.0])])
    with pytest.raises(ValueError):
        tf.add_n([])


def test_scalar_mul():
    np.testing.assert_array_equal(tf.scalar_mul(2.0, tf.constant([1.0, 3.0])), [2.0, 6.0])
    with pytest.raises(ValueError, match="Only scalar multiply works"):
        tf.scalar_mul(tf.constant([1.0, 2.0]), tf.constant([1.0, 3.0]))


def test_global_norm_and_clip_by_global_norm():
    a, b = tf.constant([3.0, 0.0]), tf.constant([[4.0]])
    assert tf.linalg.global_norm([a, None, b]).numpy() == 5.0
    (ca, none, cb), norm = tf.clip_by_global_norm([a, None, b], 2.5)
    assert none is None and norm.numpy() == 5.0
    np.testing.assert_allclose(ca, [1.5, 0.0])
    np.testing.assert_allclose(cb, [[2.0]])
    (ca, _, cb), _ = tf.clip_by_global_norm([a, None, b], 10.0)
    np.testing.assert_allclose(ca, [3.0, 0.0])
    (cinf,), n = tf.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    assert np.isinf(n.numpy()) and np.all(np.isnan(cinf.numpy()))


def test_clip_by_norm():
    t = tf.constant([[3.0, 4.0], [0.3, 0.4]])
    np.testing.assert_allclose(tf.clip_by_norm(t, 1.0, axes=[1]), [[0.6, 0.8], [0.3, 0.4]],
                               rtol=1e-6)
    zero = tf.zeros([3])
    np.testing.assert_array_equal(tf.clip_by_norm(zero, 1.0), [0, 0, 0])
    (g,) = grad(lambda t: tf.clip_by_norm(t, 1.0), np.zeros(3))
    assert np.all(np.isfinite(g.numpy()))


def test_l2_normalize():
    out = tf.math.l2_normalize(tf.constant([[3.0, 4.0], [0.0, 0.0]]), axis=1)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
    assert tf.linalg.l2_normalize is tf.math.l2_normalize


# -- namespaces ----------------------------------------------------------------------------

MATH_NAMES = """abs acos acosh add add_n argmax argmin asin asinh atan atan2 atanh bincount ceil
confusion_matrix cos cosh count_nonzero cumprod cumsum divide divide_no_nan equal erf erfc exp
expm1 floor floordiv floormod greater greater_equal in_top_k is_finite is_inf is_nan
l2_normalize less less_equal log log1p log_sigmoid logical_and logical_not logical_or
logical_xor maximum minimum multiply negative not_equal pow reciprocal reciprocal_no_nan
reduce_all reduce_any reduce_euclidean_norm reduce_logsumexp reduce_max reduce_mean reduce_min
reduce_prod reduce_std reduce_sum reduce_variance round rsqrt scalar_mul segment_sum sigmoid
sign sin sinh softplus sqrt square squared_difference subtract tan tanh top_k truediv
truncatediv truncatemod unsorted_segment_sum xdivy xlogy""".split()

LINALG_NAMES = """adjoint det diag diag_part einsum eye global_norm inv l2_normalize matmul
matrix_transpose matvec norm solve tensordot trace""".split()

TOP_LEVEL = """add_n argmax argmin argsort clip_by_global_norm clip_by_norm clip_by_value cumsum
einsum norm reduce_all reduce_any reduce_logsumexp reduce_max reduce_min reduce_prod sort
tensordot acos asin atan atan2 cosh sinh tan truncatediv truncatemod scalar_mul""".split()


def test_namespaces_have_tensorflow_names():
    assert [n for n in MATH_NAMES if not hasattr(tf.math, n)] == []
    assert [n for n in LINALG_NAMES if not hasattr(tf.linalg, n)] == []
    assert [n for n in TOP_LEVEL if not hasattr(tf, n)] == []
    assert tf.math.reduce_max is tf.reduce_max and tf.linalg.matmul is tf.matmul


def test_lgamma_digamma_polygamma_values():
    x = tf.constant([0.5, 1.0, 2.0, 3.5, -0.5], tf.float64)
    np.testing.assert_allclose(tf.math.lgamma(x), [math.lgamma(v) for v in x.numpy()],
                               rtol=1e-13, atol=1e-14)
    assert tf.math.lgamma(tf.constant([0.0, -1.0])).numpy().tolist() == [np.inf, np.inf]
    euler = 0.5772156649015329
    np.testing.assert_allclose(tf.math.digamma(tf.constant([1.0, 2.0], tf.float64)),
                               [-euler, 1 - euler], rtol=1e-14)
    np.testing.assert_allclose(tf.math.polygamma(1.0, tf.constant([1.0, -0.5], tf.float64)),
                               [np.pi ** 2 / 6, np.pi ** 2 / 2 + 4.0], rtol=1e-13)
    np.testing.assert_allclose(tf.math.polygamma(tf.constant(0.0), tf.constant(1.0)), -euler,
                               rtol=1e-6)
    assert np.isnan(tf.math.polygamma(1.5, tf.constant(1.0)).numpy())
    assert tf.math.lgamma(tf.constant([1.5])).dtype == tf.float32
    with pytest.raises(InvalidArgumentError):
        tf.math.lgamma(tf.constant([1, 2]))


# -- tf.linalg decompositions and composites (TensorFlow's results as expected values) ----

def test_linalg_decompositions():
    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    s, u, v = tf.linalg.svd(a)
    assert (s.shape, u.shape, v.shape) == ((2,), (3, 2), (2, 2))
    np.testing.assert_allclose((u * s) @ tf.transpose(v), a, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tf.linalg.svd([[3.0, 0.0], [0.0, 4.0]], compute_uv=False),
                               [4.0, 3.0])
    q, r = tf.linalg.qr(a)
    assert q.shape == (3, 2) and r.shape == (2, 2)
    np.testing.assert_allclose(q @ r, a, rtol=1e-5, atol=1e-5)
    assert tf.linalg.qr(a, full_matrices=True).q.shape == (3, 3)
    e, _ = tf.linalg.eigh([[2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_allclose(e, [1.0, 3.0], rtol=1e-6)
    np.testing.assert_allclose(tf.linalg.pinv([[1.0, 2.0], [2.0, 4.0]]),
                               [[0.04, 0.08], [0.08, 0.16]], rtol=1e-5)
    with pytest.raises(InvalidArgumentError):
        tf.linalg.svd([[1, 2]])


def r(*shape):
    return np.random.default_rng(sum(shape)).uniform(-1, 1, shape)


def test_linalg_composites_and_their_gradients():
    sign, logabs = tf.linalg.slogdet([[1.0, 2.0], [3.0, 4.0]])
    assert float(sign) == -1.0 and abs(float(logabs) - math.log(2.0)) < 1e-6
    assert abs(float(tf.linalg.logdet([[2.0, 0.0], [0.0, 3.0]])) - math.log(6.0)) < 1e-6
    np.testing.assert_array_equal(tf.linalg.set_diag(tf.ones((2, 3)), [5.0, 6.0]),
                                  [[5, 1, 1], [1, 6, 1]])
    np.testing.assert_array_equal(tf.linalg.set_diag(tf.ones((3, 2)), [5.0, 6.0]),
                                  [[5, 1], [1, 6], [1, 1]])
    np.testing.assert_array_equal(tf.linalg.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]), [0, 0, 1])
    spd = np.array([[4.0, 1.0], [1.0, 3.0]])
    check_grads(lambda x: tf.linalg.logdet(tf.matmul(x, x, transpose_b=True) + spd), [r(2, 2)])
    check_grads(lambda x: tf.linalg.slogdet(x + 3 * np.eye(2))[1], [r(2, 2)])
    check_grads(lambda x, d: tf.linalg.set_diag(x, d) ** 2, [r(2, 3), r(2)])
    check_grads(lambda a, b: tf.linalg.cross(a, b), [r(4, 3), r(4, 3) + 1])
