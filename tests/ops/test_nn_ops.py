"""tf.nn: values against NumPy references, gradient checks (first and second order),
stability, dtypes and TensorFlow's exception classes."""
import math

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads

X = np.array([[-2.5, -0.7, 0.3, 1.9], [3.1, -1.4, 0.8, 7.2]])      # no value at a kink
SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf)


def _np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# (tf.nn name, NumPy reference, input)
UNARY = [
    ("relu", lambda x: np.maximum(x, 0), X),
    ("relu6", lambda x: np.clip(x, 0, 6), X),
    ("elu", lambda x: np.where(x > 0, x, np.expm1(x)), X),
    ("selu", lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)), X),
    ("softplus", lambda x: np.log1p(np.exp(x)), X),
    ("softsign", lambda x: x / (1 + np.abs(x)), X),
    ("silu", lambda x: x * _sigmoid(x), X),
    ("swish", lambda x: x * _sigmoid(x), X),
    ("sigmoid", _sigmoid, X),
    ("tanh", np.tanh, X),
    ("log_sigmoid", lambda x: np.log(_sigmoid(x)), X),
    ("softmax", _np_softmax, X),
    ("log_softmax", lambda x: np.log(_np_softmax(x)), X),
]


@pytest.mark.parametrize("name,ref,x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_dtype_and_gradients(name, ref, x):
    fn = getattr(tf.nn, name)
    out = fn(tf.constant(x.astype(np.float32)))
    assert out.dtype == tf.float32                      # float32 in, float32 out
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-5, atol=1e-6)
    out64 = fn(tf.constant(x))
    assert out64.dtype == tf.float64
    np.testing.assert_allclose(out64.numpy(), ref(x), rtol=1e-12, atol=1e-12)
    check_grads(fn, [x], order=2)


def test_leaky_relu_default_alpha_and_gradients():
    out = tf.nn.leaky_relu(tf.constant([-1.0, 2.0]))
    np.testing.assert_allclose(out.numpy(), [-0.2, 2.0])
    assert out.dtype == tf.float32
    np.testing.assert_allclose(tf.nn.leaky_relu(tf.constant(X), alpha=0.1).numpy(),
                               np.where(X > 0, X, 0.1 * X))
    check_grads(lambda x: tf.nn.leaky_relu(x, alpha=0.3), [X], order=2)
    # integer features are cast to float32
    assert tf.nn.leaky_relu(tf.constant([-5, 5])).dtype == tf.float32


def test_gelu_exact_and_approximate():
    ref = 0.5 * X * (1 + _erf(X / np.sqrt(2)))
    np.testing.assert_allclose(tf.nn.gelu(tf.constant(X)).numpy(), ref, rtol=1e-6, atol=1e-7)
    approx = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(tf.nn.gelu(tf.constant(X), approximate=True).numpy(), approx,
                               rtol=1e-12)
    assert tf.nn.gelu(tf.constant(X, tf.float32)).dtype == tf.float32
    check_grads(lambda x: tf.nn.gelu(x, approximate=True), [X], order=2)
    check_grads(tf.nn.gelu, [X], order=2)


def _grad(fn, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x).numpy()


def test_kink_gradients_match_tensorflow():
    pts = np.array([0.0, 6.0, -1.0, 3.0, 7.0])
    np.testing.assert_array_equal(_grad(tf.nn.relu, pts), [0, 1, 0, 1, 1])
    np.testing.assert_array_equal(_grad(tf.nn.relu6, pts), [0, 0, 0, 1, 0])
    # TensorFlow's alpha attr is a float32: float64 inputs see float32(0.2)
    np.testing.assert_array_equal(_grad(tf.nn.leaky_relu, np.array([0.0, 1.0])),
                                  [np.float32(0.2), 1.0])
    # SeluGrad takes the positive branch at 0: the slope there is `scale`
    np.testing.assert_allclose(_grad(tf.nn.selu, np.array([0.0, -0.0])),
                               [1.0507009873554805] * 2)
    np.testing.assert_allclose(_grad(tf.nn.elu, np.array([0.0])), [1.0])
    np.testing.assert_allclose(_grad(tf.nn.softplus, np.array([0.0])), [0.5])


def test_relu_keeps_integer_dtype_and_nan():
    out = tf.nn.relu(tf.constant([-3, 4]))
    assert out.dtype == tf.int32 and out.numpy().tolist() == [0, 4]
    assert np.isnan(tf.nn.relu(tf.constant([np.nan])).numpy()[0])


def test_float_only_ops_reject_ints():
    for fn in (tf.nn.softmax, tf.nn.log_softmax, tf.nn.elu, tf.nn.selu, tf.nn.softplus):
        with pytest.raises(tf.errors.InvalidArgumentError, match="int32"):
            fn(tf.constant([1, 2]))


def test_softmax_stability_axis_and_empty():
    out = tf.nn.softmax(tf.constant([1000.0, 0.0]))
    np.testing.assert_array_equal(out.numpy(), np.array([1.0, 0.0], np.float32))
    ls = tf.nn.log_softmax(tf.constant([1000.0, 0.0]))
    np.testing.assert_allclose(ls.numpy(), [0.0, -1000.0])
    np.testing.assert_allclose(tf.nn.softmax(tf.constant(X), axis=0).numpy(),
                               _np_softmax(X, axis=0), rtol=1e-12)
    check_grads(lambda x: tf.nn.softmax(x, axis=0), [X], order=2)
    check_grads(lambda x: tf.nn.log_softmax(x, axis=0), [X], order=2)
    assert tf.nn.softmax(tf.zeros([0, 3])).shape == (0, 3)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.softmax(tf.constant(X), axis=2)


def test_sigmoid_cross_entropy_values_stability_and_gradients():
    z = np.array([[0.0, 1.0, 1.0, 0.3], [1.0, 0.0, 0.5, 0.0]])
    ref = np.maximum(X, 0) - X * z + np.log1p(np.exp(-np.abs(X)))
    out = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(z), logits=tf.constant(X))
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    big = tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.constant([1.0, 0.0, 0.0, 1.0]), logits=tf.constant([100.0, -100.0, 100.0,
                                                                       -100.0]))
    assert big.dtype == tf.float32
    np.testing.assert_allclose(big.numpy(), [0.0, 0.0, 100.0, 100.0], atol=1e-6)
    check_grads(lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b),
                [z, X], order=2)
    # at logits == 0 the gradient is sigmoid(0) - z, as in TensorFlow
    np.testing.assert_allclose(_grad(lambda x: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.constant([1.0, 0.0], tf.float64), logits=x), np.zeros(2)), [-0.5, 0.5])
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant([1.0]),
                                                logits=tf.constant([1.0, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant([1.0], tf.float64),
                                                logits=tf.constant([1.0]))


def test_softmax_cross_entropy():
    labels = _np_softmax(np.array([[0.2, 1.0, -0.5, 0.1], [2.0, 0.0, 0.3, -1.0]]))
    ref = -np.sum(labels * np.log(_np_softmax(X)), axis=-1)
    out = tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant(labels),
                                                  logits=tf.constant(X))
    assert out.shape == (2,)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    check_grads(lambda a, b: tf.nn.softmax_cross_entropy_with_logits(labels=a, logits=b),
                [labels, X], order=2)
    # axis=0: classes along the first axis
    out0 = tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant(labels.T),
                                                   logits=tf.constant(X.T), axis=0)
    np.testing.assert_allclose(out0.numpy(), ref, rtol=1e-12)
    stable = tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0]],
                                                     logits=tf.constant([[1000.0, 0.0]]))
    assert stable.dtype == tf.float32
    np.testing.assert_allclose(stable.numpy(), [1000.0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.softmax_cross_entropy_with_logits(labels=tf.ones([2, 3]), logits=tf.ones([2, 4]))


def test_sparse_softmax_cross_entropy():
    labels = np.array([3, 0])
    ref = -np.log(_np_softmax(X))[[0, 1], labels]
    out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(labels),
                                                         logits=tf.constant(X))
    assert out.dtype == tf.float64 and out.shape == (2,)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    lab = tf.constant(labels, tf.int64)
    check_grads(lambda b: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=b),
                [X], order=2)
    big = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=[1], logits=tf.constant([[1000.0, 0.0]]))
    np.testing.assert_allclose(big.numpy(), [1000.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside the valid range"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[4, 0], logits=tf.constant(X))
    with pytest.raises(ValueError, match="labels.shape.rank. must equal"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[1, 0]], logits=tf.constant(X))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tlabels"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1.0, 0.0], logits=tf.constant(X))


def test_labels_gradient_of_sparse_is_none():
    logits = tf.constant(X)
    labels = tf.constant([1, 2])
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    g = tape.gradient(loss, logits).numpy()
    np.testing.assert_allclose(g, _np_softmax(X) - np.eye(4)[[1, 2]], rtol=1e-12)


def test_l2_normalize():
    ref = X / np.sqrt(np.sum(X ** 2, axis=1, keepdims=True))
    np.testing.assert_allclose(tf.nn.l2_normalize(tf.constant(X), axis=1).numpy(), ref,
                               rtol=1e-12)
    np.testing.assert_allclose(tf.nn.l2_normalize(tf.constant(X)).numpy(),
                               X / np.sqrt(np.sum(X ** 2)), rtol=1e-12)
    np.testing.assert_array_equal(tf.nn.l2_normalize(tf.zeros([3])).numpy(), [0, 0, 0])
    check_grads(lambda x: tf.nn.l2_normalize(x, axis=1), [X], order=2)


def test_dropout():
    x = tf.ones([200, 500])
    tf.random.set_seed(0)
    y = tf.nn.dropout(x, rate=0.2).numpy()
    assert y.dtype == np.float32
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.8, rtol=1e-6)
    assert abs(kept.mean() - 0.8) < 0.01
    tf.random.set_seed(0)
    np.testing.assert_array_equal(tf.nn.dropout(x, rate=0.2).numpy(), y)   # repeatable
    assert tf.nn.dropout(x, rate=0.0) is x
    # noise_shape broadcasts one mask over the first axis
    z = tf.nn.dropout(tf.ones([4, 1000]), rate=0.5, noise_shape=[1, 1000], seed=3).numpy()
    assert (z == z[0]).all()
    for bad in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError):
            tf.nn.dropout(x, rate=bad)
    with pytest.raises(ValueError):
        tf.nn.dropout(tf.constant([1, 2]), rate=0.5)
    # gradient is the kept mask scaled by 1/(1-rate)
    v = tf.constant(np.ones((3, 50)))
    with tf.GradientTape() as tape:
        tape.watch(v)
        out = tf.nn.dropout(v, rate=0.5, seed=1)
    np.testing.assert_allclose(tape.gradient(out, v).numpy(), out.numpy())


def test_moments():
    mean, var = tf.nn.moments(tf.constant(X), axes=[0])
    np.testing.assert_allclose(mean.numpy(), X.mean(0), rtol=1e-12)
    np.testing.assert_allclose(var.numpy(), X.var(0), rtol=1e-12)
    mean, var = tf.nn.moments(tf.constant(X, tf.float32), axes=[0, 1], keepdims=True)
    assert mean.shape == (1, 1) and var.dtype == tf.float32
    check_grads(lambda x: tf.nn.moments(x, axes=[1])[0], [X], order=2)
    # the variance uses stop_gradient(mean), as in TensorFlow: exact first order
    check_grads(lambda x: tf.nn.moments(x, axes=[1])[1], [X], order=1)


def test_normalize_moments():
    mean, var = tf.nn.normalize_moments(tf.constant(4.0), tf.constant([8.0]),
                                        tf.constant([20.0]), None)
    np.testing.assert_allclose(mean.numpy(), [2.0])
    np.testing.assert_allclose(var.numpy(), [1.0])


def test_batch_normalization():
    mean, var = X.mean(0), X.var(0)
    off, sc = np.array([0.1, -0.2, 0.3, 0.0]), np.array([1.5, 0.5, 2.0, 1.0])
    out = tf.nn.batch_normalization(tf.constant(X), tf.constant(mean), tf.constant(var),
                                    tf.constant(off), tf.constant(sc), 1e-3)
    np.testing.assert_allclose(out.numpy(), (X - mean) / np.sqrt(var + 1e-3) * sc + off,
                               rtol=1e-12)
    out = tf.nn.batch_normalization(tf.constant(X), mean, var, None, None, 1e-3)
    np.testing.assert_allclose(out.numpy(), (X - mean) / np.sqrt(var + 1e-3), rtol=1e-12)
    check_grads(lambda x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, 1e-3),
                [X, mean, var, off, sc], order=2)


def test_bias_add():
    b = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(tf.nn.bias_add(tf.constant(X), tf.constant(b)).numpy(), X + b)
    check_grads(tf.nn.bias_add, [X, b], order=2)
    x4 = np.arange(24.0).reshape(1, 2, 3, 4)
    out = tf.nn.bias_add(tf.constant(x4), [10.0, 20.0], data_format="NCHW")
    np.testing.assert_allclose(out.numpy(), x4 + np.array([10.0, 20.0])[:, None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="as many biases"):
        tf.nn.bias_add(tf.constant(X), tf.constant([1.0, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="1D"):
        tf.nn.bias_add(tf.constant(X), tf.constant([[1.0] * 4]))


def test_embedding_lookup():
    params = np.arange(12.0).reshape(4, 3)
    out = tf.nn.embedding_lookup(tf.constant(params), tf.constant([[3, 0], [1, 1]]))
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy(), params[[[3, 0], [1, 1]]])
    sharded = tf.nn.embedding_lookup([tf.constant(params[:2]), tf.constant(params[2:])], [3, 0])
    np.testing.assert_array_equal(sharded.numpy(), params[[3, 0]])
    clipped = tf.nn.embedding_lookup(tf.constant(params), [3], max_norm=1.0).numpy()
    np.testing.assert_allclose(np.linalg.norm(clipped, axis=-1), [1.0])
    v = tf.Variable(params)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.embedding_lookup(v, [1, 1, 2]))
    g = tf.convert_to_tensor(tape.gradient(loss, v)).numpy()
    np.testing.assert_array_equal(g, [[0] * 3, [2] * 3, [1] * 3, [0] * 3])


def test_loss_helpers():
    np.testing.assert_allclose(tf.nn.l2_loss(tf.constant([1.0, 2.0, 3.0])).numpy(), 7.0)
    avg = tf.nn.compute_average_loss(tf.constant([1.0, 2.0, 3.0, 6.0]))
    assert avg.dtype == tf.float32
    np.testing.assert_allclose(avg.numpy(), 3.0)
    np.testing.assert_allclose(tf.nn.compute_average_loss(
        tf.constant([1.0, 2.0]), sample_weight=tf.constant([2.0, 0.0]),
        global_batch_size=4).numpy(), 0.5)
    z = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0]])
    w = tf.nn.weighted_cross_entropy_with_logits(tf.constant(z), tf.constant(X), 2.0).numpy()
    ref = -(2.0 * z * np.log(_sigmoid(X)) + (1 - z) * np.log(1 - _sigmoid(X)))
    np.testing.assert_allclose(w, ref, rtol=1e-10)
    np.testing.assert_allclose(tf.nn.zero_fraction(tf.constant([0.0, 1.0, 0.0, 2.0])).numpy(),
                               0.5)


def test_second_order_through_softmax_xent_in_nested_tapes():
    x = tf.constant(X[0])
    labels = tf.constant([0.0, 1.0, 0.0, 0.0], tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=x)
        g = inner.gradient(loss, x)
        s = tf.reduce_sum(g * g)
    h = outer.gradient(s, x).numpy()
    p = _np_softmax(X[0])
    jac = np.diag(p) - np.outer(p, p)                 # d softmax / dx
    np.testing.assert_allclose(h, 2 * jac @ (p - labels.numpy()), rtol=1e-10)


def test_crelu_and_namespace():
    out = tf.nn.crelu(tf.constant([[1.0, -2.0]]))
    np.testing.assert_array_equal(out.numpy(), [[1.0, 0.0, 0.0, 2.0]])
    check_grads(tf.nn.crelu, [X], order=2)
    assert tf.nn.sigmoid is tf.sigmoid and tf.nn.tanh is tf.tanh
    assert {"relu", "softmax", "dropout", "moments"} <= set(tf.nn.__all__)
    with pytest.raises(AttributeError):
        tf.nn.no_such_op


def test_tensorflow_documentation_examples():
    # Examples from the tf.nn API pages (float32 results).
    logits = tf.constant([[2., -5., .5, -.1], [0., 0., 1.9, 1.4], [-100., 100., -100., -100.]])
    out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0, 3, 1]),
                                                         logits=logits)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), [0.29750752, 1.1448325, 0.0], rtol=1e-6)
    out = tf.nn.softmax_cross_entropy_with_logits(
        labels=[[1.0, 0.0, 0.0], [0.0, 0.8, 0.2]], logits=[[4.0, 2.0, 1.0], [0.0, 5.0, 1.0]])
    np.testing.assert_allclose(out.numpy(), [0.16984604, 0.82474494], rtol=1e-6)
    out = tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.constant([0., 0., 0., 1., 1., 1., 0.5]),
        logits=tf.constant([1., -1., 0., 1., -1., 0., 0.]))
    np.testing.assert_allclose(
        out.numpy(), [1.3132617, 0.3132617, 0.6931472, 0.3132617, 1.3132617, 0.6931472,
                      0.6931472], rtol=1e-6)
    np.testing.assert_allclose(tf.nn.softmax([-1, 0., 1.]).numpy(),
                               [0.09003057, 0.24472848, 0.66524094], rtol=1e-6)


def test_gelu_of_integers_raises_tensorflows_value_error():
    with pytest.raises(ValueError, match=r"`features.dtype` must be a floating point tensor."
                                         r"Received:features.dtype=<dtype: 'int32'>"):
        tf.nn.gelu(tf.constant([1, 2]))


def test_bias_add_and_l2_loss_are_declared_ops_with_gradients():
    from gradcheck import check_grads
    rng = np.random.default_rng(3)
    x, b = rng.standard_normal((2, 3, 4)), rng.standard_normal(3)
    check_grads(lambda v, c: tf.nn.bias_add(v, c, data_format="NCW"), [x, b])
    check_grads(lambda v, c: tf.nn.bias_add(v, c), [x, rng.standard_normal(4)])
    check_grads(tf.nn.l2_loss, [x])
    assert tf.nn.l2_loss(np.float32([3.0, 4.0])).numpy() == 12.5
    with pytest.raises(tf.errors.InvalidArgumentError, match="'T' of int32"):
        tf.nn.l2_loss(np.int32([1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="'T' of string"):
        tf.nn.bias_add(tf.constant([["a"]]), tf.constant(["b"]))
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.bias_add(x, b, data_format="bad")
    mean, var = tf.nn.moments(tf.constant(x), axes=None)
    assert mean.shape == () and np.isclose(var.numpy(), x.var())
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tidx"):
        tf.nn.moments(tf.constant(x), axes="a")


def test_composites_check_arguments_as_tensorflow():
    assert tf.nn.compute_average_loss(tf.constant([1.0, 2.0]), global_batch_size=0).numpy() == 0
    with pytest.raises(TypeError, match="integer"):
        tf.nn.compute_average_loss(tf.constant([1.0, 2.0]), global_batch_size=2.5)
    with pytest.raises(TypeError, match="int32"):
        tf.nn.crelu(tf.constant([[1.0]]), axis=0.5)
