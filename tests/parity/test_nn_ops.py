"""tf.nn activations, softmax, cross-entropies and composites against the real TensorFlow."""
import numpy as np
import pytest

import tapeflow as tf

RNG = np.random.default_rng(0)
X = np.concatenate([RNG.normal(size=20) * 4, [0.0, -0.0, 6.0, -30.0, 30.0, 1e-3]]).astype(
    np.float32).reshape(2, 13)


def _close(a, b, rtol=1e-5, atol=1e-6):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    assert a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _run(lib, fn, x):
    """Returns (value, gradient of sum(fn(x))) computed by ``lib``."""
    xv = lib.Variable(x)
    with lib.GradientTape() as tape:
        y = fn(lib, xv)
    return y, tape.gradient(y, xv)


ACTIVATIONS = {
    "relu": lambda t, x: t.nn.relu(x),
    "relu6": lambda t, x: t.nn.relu6(x),
    "leaky_relu": lambda t, x: t.nn.leaky_relu(x),
    "leaky_relu_0.1": lambda t, x: t.nn.leaky_relu(x, alpha=0.1),
    "elu": lambda t, x: t.nn.elu(x),
    "selu": lambda t, x: t.nn.selu(x),
    "gelu": lambda t, x: t.nn.gelu(x),
    "gelu_tanh": lambda t, x: t.nn.gelu(x, approximate=True),
    "silu": lambda t, x: t.nn.silu(x),
    "swish": lambda t, x: t.nn.swish(x),
    "silu_beta": lambda t, x: t.nn.silu(x, beta=0.5),
    "softplus": lambda t, x: t.nn.softplus(x),
    "softsign": lambda t, x: t.nn.softsign(x),
    "log_sigmoid": lambda t, x: t.math.log_sigmoid(x),
    "sigmoid": lambda t, x: t.nn.sigmoid(x),
    "tanh": lambda t, x: t.nn.tanh(x),
    "softmax": lambda t, x: t.nn.softmax(x),
    "softmax_axis0": lambda t, x: t.nn.softmax(x, axis=0),
    "log_softmax": lambda t, x: t.nn.log_softmax(x),
    "log_softmax_axis0": lambda t, x: t.nn.log_softmax(x, axis=0),
    "crelu": lambda t, x: t.nn.crelu(x),
    "l2_normalize": lambda t, x: t.nn.l2_normalize(x, axis=-1),
    "l2_normalize_all": lambda t, x: t.nn.l2_normalize(x),
    "l2_loss": lambda t, x: t.nn.l2_loss(x),
    "weighted_softmax": lambda t, x: t.nn.softmax(x) * t.constant(np.arange(13.0, dtype="f")),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_value_and_gradient(rtf, name):
    fn = ACTIVATIONS[name]
    y, g = _run(tf, fn, X)
    ry, rg = _run(rtf, fn, X)
    _close(y.numpy(), ry.numpy())
    _close(g.numpy(), rg.numpy(), rtol=1e-4, atol=1e-5)
    assert y.dtype.name == ry.dtype.name


@pytest.mark.parametrize("name", ["relu", "relu6", "elu", "selu", "softplus", "gelu",
                                  "leaky_relu", "softmax", "sigmoid", "silu"])
def test_activation_float64(rtf, name):
    fn = ACTIVATIONS[name]
    x = X.astype(np.float64)
    tol = 1e-8 if name == "gelu" else 1e-12   # TF's float64 gelu is off by ~1e-9 (ours: exact erf)
    _close(fn(tf, tf.constant(x)).numpy(), fn(rtf, rtf.constant(x)).numpy(), tol, tol)


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu"])
def test_activation_int_input_dtype(rtf, name):
    fn = ACTIVATIONS[name]
    x = np.array([[-3, 0, 2, 9]], np.int32)
    y, ry = fn(tf, tf.constant(x)), fn(rtf, rtf.constant(x))
    assert y.dtype.name == ry.dtype.name
    np.testing.assert_array_equal(y.numpy(), ry.numpy())


@pytest.mark.parametrize("name", ["elu", "selu", "softplus", "softmax", "log_softmax", "gelu",
                                  "sigmoid", "silu"])
def test_activation_rejects_int(rtf, name):
    fn = ACTIVATIONS[name]
    x = np.array([[1, 2]], np.int32)
    with pytest.raises(Exception) as real:
        fn(rtf, rtf.constant(x))
    with pytest.raises(Exception) as ours:
        fn(tf, tf.constant(x))
    assert type(ours.value).__name__ == type(real.value).__name__
    if name == "gelu":
        assert str(ours.value) == str(real.value)


XENT_LOGITS = RNG.normal(size=(4, 5)).astype(np.float32) * 3
XENT_PROBS = RNG.dirichlet(np.ones(5), size=4).astype(np.float32)
XENT_BINARY = RNG.uniform(size=(4, 5)).astype(np.float32)


@pytest.mark.parametrize("kind", ["softmax", "softmax_axis0", "sigmoid"])
def test_cross_entropy_value_and_gradients(rtf, kind):
    labels = XENT_BINARY if kind == "sigmoid" else XENT_PROBS
    if kind == "softmax_axis0":
        labels = labels / labels.sum(0, keepdims=True)

    def fn(lib, z, x):
        if kind == "sigmoid":
            return lib.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
        return lib.nn.softmax_cross_entropy_with_logits(
            labels=z, logits=x, axis=0 if kind == "softmax_axis0" else -1)

    def run(lib):
        z, x = lib.Variable(labels), lib.Variable(XENT_LOGITS)
        with lib.GradientTape(persistent=True) as tape:
            loss = fn(lib, z, x)
            n = int(np.prod(loss.shape))    # distinct weights per entry exercise dy
            w = np.arange(1, n + 1, dtype=np.float32).reshape(loss.shape)
            total = lib.reduce_sum(loss * w)
        return loss, tape.gradient(total, x), tape.gradient(total, z)

    ours, real = run(tf), run(rtf)
    for a, b in zip(ours, real):
        _close(a.numpy(), b.numpy(), 1e-5, 1e-5)


def test_sparse_cross_entropy_value_and_gradient(rtf):
    labels = np.array([0, 4, 2, 1], np.int32)

    def run(lib):
        x = lib.Variable(XENT_LOGITS)
        with lib.GradientTape() as tape:
            loss = lib.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x)
            total = lib.reduce_sum(loss * lib.constant([1.0, 2.0, 3.0, 4.0]))
        return loss, tape.gradient(total, x)

    for a, b in zip(run(tf), run(rtf)):
        _close(a.numpy(), b.numpy(), 1e-5, 1e-5)


def test_sparse_cross_entropy_int64_and_rank3(rtf):
    logits = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    labels = np.array([[0, 3, 1], [2, 2, 0]], np.int64)
    ours = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    real = rtf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    _close(ours.numpy(), real.numpy())


def test_softmax_cross_entropy_broadcast_labels(rtf):
    labels = XENT_PROBS[:1]
    ours = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=XENT_LOGITS)
    real = rtf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=XENT_LOGITS)
    _close(ours.numpy(), real.numpy())


@pytest.mark.parametrize("case", ["sparse_rank", "sparse_shape", "sigmoid_shape",
                                  "softmax_shape", "sparse_label_range", "sparse_float_labels"])
def test_cross_entropy_errors(rtf, case):
    def call(lib):
        if case == "sparse_rank":
            return lib.nn.sparse_softmax_cross_entropy_with_logits(
                labels=np.zeros((4, 1), np.int32), logits=XENT_LOGITS)
        if case == "sparse_shape":
            return lib.nn.sparse_softmax_cross_entropy_with_logits(
                labels=np.zeros((3,), np.int32), logits=XENT_LOGITS)
        if case == "sparse_label_range":
            return lib.nn.sparse_softmax_cross_entropy_with_logits(
                labels=np.array([0, 1, 5, 0], np.int32), logits=XENT_LOGITS)
        if case == "sparse_float_labels":
            return lib.nn.sparse_softmax_cross_entropy_with_logits(
                labels=np.zeros((4,), np.float32), logits=XENT_LOGITS)
        if case == "sigmoid_shape":
            return lib.nn.sigmoid_cross_entropy_with_logits(
                labels=XENT_BINARY[:3], logits=XENT_LOGITS)
        return lib.nn.softmax_cross_entropy_with_logits(
            labels=XENT_PROBS[:, :4], logits=XENT_LOGITS)

    with pytest.raises(Exception) as real:
        call(rtf)
    with pytest.raises(Exception) as ours:
        call(tf)
    assert type(ours.value).__name__ == type(real.value).__name__, (ours.value, real.value)


@pytest.mark.parametrize("axes,keepdims", [([0], False), ([0, 1, 2], False), ([1, 2], True),
                                           ([-1], False)])
def test_moments(rtf, axes, keepdims):
    x = RNG.normal(size=(3, 4, 5, 2)).astype(np.float32)

    def run(lib):
        v = lib.Variable(x)
        with lib.GradientTape() as tape:
            mean, var = lib.nn.moments(v, axes=axes, keepdims=keepdims)
            total = lib.reduce_sum(mean) + 2 * lib.reduce_sum(var)
        return mean, var, tape.gradient(total, v)

    for a, b in zip(run(tf), run(rtf)):
        _close(a.numpy(), b.numpy(), 1e-5, 1e-5)


@pytest.mark.parametrize("with_affine", [True, False])
def test_batch_normalization(rtf, with_affine):
    x = RNG.normal(size=(4, 3)).astype(np.float32)
    mean = np.array([0.1, -0.2, 0.3], np.float32)
    var = np.array([1.0, 0.5, 2.0], np.float32)
    off = np.array([0.0, 1.0, -1.0], np.float32) if with_affine else None
    sc = np.array([2.0, 0.5, 1.0], np.float32) if with_affine else None

    def run(lib):
        v = lib.Variable(x)
        with lib.GradientTape() as tape:
            y = lib.nn.batch_normalization(v, mean, var, off, sc, 1e-3)
        return y, tape.gradient(y, v)

    for a, b in zip(run(tf), run(rtf)):
        _close(a.numpy(), b.numpy())


@pytest.mark.parametrize("shape,fmt", [((2, 3), None), ((2, 4, 3), None), ((2, 3, 4, 5), "NCHW")])
def test_bias_add(rtf, shape, fmt):
    x = RNG.normal(size=shape).astype(np.float32)
    b = np.arange(3, dtype=np.float32)

    def run(lib):
        v, bv = lib.Variable(x), lib.Variable(b)
        with lib.GradientTape() as tape:
            y = lib.nn.bias_add(v, bv, data_format=fmt)
            total = lib.reduce_sum(y * y)
        return (y,) + tuple(tape.gradient(total, [v, bv]))

    for a, b2 in zip(run(tf), run(rtf)):
        _close(a.numpy(), b2.numpy())


@pytest.mark.parametrize("bias_shape", [(4,), (3, 1)])
def test_bias_add_errors(rtf, bias_shape):
    x = np.zeros((2, 3), np.float32)
    b = np.zeros(bias_shape, np.float32)
    with pytest.raises(Exception) as real:
        rtf.nn.bias_add(x, b)
    with pytest.raises(Exception) as ours:
        tf.nn.bias_add(x, b)
    assert type(ours.value).__name__ == type(real.value).__name__


def test_dropout_rate_zero_and_kept_scaling(rtf):
    x = np.ones((50, 40), np.float32)
    for lib in (tf, rtf):
        y = lib.nn.dropout(x, rate=0.0)
        np.testing.assert_array_equal(y.numpy(), x)
    y, ry = tf.nn.dropout(x, rate=0.25, seed=1), rtf.nn.dropout(x, rate=0.25, seed=1)
    assert y.shape == ry.shape and y.dtype.name == ry.dtype.name
    kept, rkept = y.numpy()[y.numpy() != 0], ry.numpy()[ry.numpy() != 0]
    np.testing.assert_allclose(np.unique(kept), np.unique(rkept))
    assert 0.6 < kept.size / x.size < 0.9


@pytest.mark.parametrize("rate", [1.0, -0.1])
def test_dropout_bad_rate(rtf, rate):
    with pytest.raises(Exception) as real:
        rtf.nn.dropout(np.ones((2, 2), np.float32), rate=rate)
    with pytest.raises(Exception) as ours:
        tf.nn.dropout(np.ones((2, 2), np.float32), rate=rate)
    assert type(ours.value).__name__ == type(real.value).__name__


def test_dropout_int_input(rtf):
    with pytest.raises(Exception) as real:
        rtf.nn.dropout(np.ones((2, 2), np.int32), rate=0.5)
    with pytest.raises(Exception) as ours:
        tf.nn.dropout(np.ones((2, 2), np.int32), rate=0.5)
    assert type(ours.value).__name__ == type(real.value).__name__


@pytest.mark.parametrize("ids", [[0, 3, 3], [[1, 2], [0, 4]], 2])
def test_embedding_lookup_and_gradient(rtf, ids):
    params = RNG.normal(size=(5, 3)).astype(np.float32)

    def run(lib):
        p = lib.Variable(params)
        with lib.GradientTape() as tape:
            y = lib.nn.embedding_lookup(p, ids)
            total = lib.reduce_sum(y * y)
        g = tape.gradient(total, p)
        return y, lib.convert_to_tensor(g)

    (y, g), (ry, rg) = run(tf), run(rtf)
    _close(y.numpy(), ry.numpy())
    _close(g.numpy(), rg.numpy())


def test_embedding_lookup_max_norm(rtf):
    params = RNG.normal(size=(5, 3)).astype(np.float32) * 3
    _close(tf.nn.embedding_lookup(params, [0, 2, 4], max_norm=1.5).numpy(),
           rtf.nn.embedding_lookup(params, [0, 2, 4], max_norm=1.5).numpy())


def test_embedding_lookup_out_of_range(rtf):
    params = np.zeros((5, 3), np.float32)
    with pytest.raises(Exception) as real:
        rtf.nn.embedding_lookup(params, [5])
    with pytest.raises(Exception) as ours:
        tf.nn.embedding_lookup(params, [5])
    assert type(ours.value).__name__ == type(real.value).__name__


def test_weighted_cross_entropy(rtf):
    z = XENT_BINARY
    _close(tf.nn.weighted_cross_entropy_with_logits(z, XENT_LOGITS, 2.5).numpy(),
           rtf.nn.weighted_cross_entropy_with_logits(z, XENT_LOGITS, 2.5).numpy())


def test_zero_fraction(rtf):
    x = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]], np.float32)
    _close(tf.nn.zero_fraction(x).numpy(), rtf.nn.zero_fraction(x).numpy())


SECOND_ORDER = {
    "softmax_xent": lambda t, v: t.nn.softmax_cross_entropy_with_logits(XENT_PROBS[:3, :4]
                                                                        / XENT_PROBS[:3, :4]
                                                                        .sum(1, keepdims=True),
                                                                        v),
    "sparse_xent": lambda t, v: t.nn.sparse_softmax_cross_entropy_with_logits(
        np.array([0, 3, 1]), v),
    "sigmoid_xent": lambda t, v: t.nn.sigmoid_cross_entropy_with_logits(XENT_BINARY[:3, :4], v),
    "log_softmax": lambda t, v: t.nn.log_softmax(v) * XENT_BINARY[:3, :4],
    "elu": lambda t, v: t.nn.elu(v),
    "selu": lambda t, v: t.nn.selu(v),
    "gelu": lambda t, v: t.nn.gelu(v),
    "softplus": lambda t, v: t.nn.softplus(v),
    "l2_normalize": lambda t, v: t.nn.l2_normalize(v, 1) * XENT_BINARY[:3, :4],
    "moments": lambda t, v: t.nn.moments(v, [0])[1],
    "conv2d": lambda t, v: t.nn.conv2d(t.reshape(v, (1, 3, 4, 1)),
                                       np.ones((2, 2, 1, 2), np.float32), 1, "SAME") ** 2,
    "depthwise": lambda t, v: t.nn.depthwise_conv2d(t.reshape(v, (1, 3, 4, 1)),
                                                    np.ones((2, 2, 1, 2), np.float32),
                                                    [1, 1, 1, 1], "SAME") ** 2,
    "max_pool": lambda t, v: t.nn.max_pool2d(t.reshape(v, (1, 3, 4, 1)), 2, 1, "SAME") ** 2,
    "avg_pool": lambda t, v: t.nn.avg_pool2d(t.reshape(v, (1, 3, 4, 1)), 2, 1, "SAME") ** 2,
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order_gradients(rtf, name):
    x = XENT_LOGITS[:3, :4].copy()

    def run(lib):
        v = lib.Variable(x)
        with lib.GradientTape() as outer:
            with lib.GradientTape() as inner:
                y = SECOND_ORDER[name](lib, v)
            g = inner.gradient(y, v)
            s = lib.reduce_sum(g * g)
        return g, outer.gradient(s, v)

    for a, b in zip(run(tf), run(rtf)):
        _close(a.numpy(), b.numpy(), 1e-4, 1e-4)
