"""tf.nn convolutions and pooling (values and gradients) against the real TensorFlow."""
import numpy as np
import pytest

import tapeflow as tf

RNG = np.random.default_rng(1)


def _close(a, b, rtol=1e-4, atol=1e-4):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _value_and_grads(lib, fn, *arrays):
    """Returns fn(*arrays) and the gradients of a weighted sum of it wrt every array."""
    vs = [lib.Variable(a) for a in arrays]
    with lib.GradientTape() as tape:
        y = fn(lib, *vs)
        w = np.linspace(-1, 2, int(np.prod(y.shape)), dtype=np.float32).reshape(y.shape)
        total = lib.reduce_sum(y * w)
    return [y] + list(tape.gradient(total, vs))


def _compare(fn, *arrays, rtf):
    ours, real = _value_and_grads(tf, fn, *arrays), _value_and_grads(rtf, fn, *arrays)
    for a, b in zip(ours, real):
        _close(a.numpy(), b.numpy())


CONV2D_CASES = [
    # (input shape, filter shape, strides, padding, dilations)
    ((2, 7, 6, 3), (3, 3, 3, 4), 1, "VALID", 1),
    ((2, 7, 6, 3), (3, 3, 3, 4), 1, "SAME", 1),
    ((2, 7, 6, 3), (3, 2, 3, 4), 2, "SAME", 1),
    ((2, 7, 6, 3), (3, 3, 3, 4), [2, 3], "VALID", 1),
    ((1, 8, 8, 2), (4, 4, 2, 3), 2, "SAME", 1),
    ((1, 9, 9, 2), (3, 3, 2, 2), 1, "SAME", 2),
    ((1, 9, 9, 2), (3, 3, 2, 2), 1, "VALID", [2, 1]),
    ((2, 6, 5, 2), (3, 3, 2, 3), [1, 2, 2, 1], [[0, 0], [1, 2], [0, 1], [0, 0]], 1),
    ((1, 5, 5, 1), (5, 5, 1, 1), 1, "SAME", 1),
]


@pytest.mark.parametrize("xs,ws,strides,padding,dil", CONV2D_CASES)
def test_conv2d(rtf, xs, ws, strides, padding, dil):
    x = RNG.normal(size=xs).astype(np.float32)
    w = RNG.normal(size=ws).astype(np.float32)
    fn = lambda t, a, b: t.nn.conv2d(a, b, strides, padding, dilations=dil)  # noqa: E731
    if dil != 1:   # TF's CPU kernels have no dilated gradients: compare the values only
        _close(fn(tf, x, w).numpy(), fn(rtf, x, w).numpy())
        return
    _compare(fn, x, w, rtf=rtf)


@pytest.mark.parametrize("stride,padding,dil", [(1, "VALID", 1), (2, "SAME", 1),
                                                (1, "SAME", 2), (3, "VALID", 1)])
def test_conv1d(rtf, stride, padding, dil):
    x = RNG.normal(size=(2, 11, 3)).astype(np.float32)
    w = RNG.normal(size=(3, 3, 4)).astype(np.float32)
    fn = lambda t, a, b: t.nn.conv1d(a, b, stride, padding, dilations=dil)  # noqa: E731
    if dil != 1:   # TF's CPU kernels have no dilated gradients: compare the values only
        _close(fn(tf, x, w).numpy(), fn(rtf, x, w).numpy())
        return
    _compare(fn, x, w, rtf=rtf)


@pytest.mark.parametrize("strides,padding,mult", [([1, 1, 1, 1], "VALID", 1),
                                                  ([1, 2, 2, 1], "SAME", 2),
                                                  ([1, 1, 1, 1], "SAME", 3)])
def test_depthwise_conv2d(rtf, strides, padding, mult):
    x = RNG.normal(size=(2, 7, 6, 3)).astype(np.float32)
    w = RNG.normal(size=(3, 3, 3, mult)).astype(np.float32)
    _compare(lambda t, a, b: t.nn.depthwise_conv2d(a, b, strides, padding), x, w, rtf=rtf)


def test_depthwise_conv2d_dilated(rtf):
    x = RNG.normal(size=(1, 9, 9, 2)).astype(np.float32)
    w = RNG.normal(size=(3, 3, 2, 2)).astype(np.float32)
    _compare(lambda t, a, b: t.nn.depthwise_conv2d(a, b, [1, 1, 1, 1], "SAME",
                                                   dilations=[2, 2]), x, w, rtf=rtf)


@pytest.mark.parametrize("strides,padding", [([1, 1, 1, 1], "VALID"), ([1, 2, 2, 1], "SAME")])
def test_separable_conv2d(rtf, strides, padding):
    x = RNG.normal(size=(2, 7, 6, 3)).astype(np.float32)
    dw = RNG.normal(size=(3, 3, 3, 2)).astype(np.float32)
    pw = RNG.normal(size=(1, 1, 6, 4)).astype(np.float32)
    _compare(lambda t, a, b, c: t.nn.separable_conv2d(a, b, c, strides, padding),
             x, dw, pw, rtf=rtf)


@pytest.mark.parametrize("out_shape,strides,padding", [
    ((2, 8, 8, 3), 2, "SAME"), ((2, 7, 7, 3), 2, "SAME"), ((2, 9, 9, 3), 2, "VALID"),
    ((2, 6, 6, 3), 1, "VALID"), ((2, 4, 4, 3), 1, "SAME")])
def test_conv2d_transpose(rtf, out_shape, strides, padding):
    k = 3
    in_hw = {"SAME": -(-out_shape[1] // strides),
             "VALID": (out_shape[1] - k) // strides + 1}[padding]
    x = RNG.normal(size=(2, in_hw, in_hw, 5)).astype(np.float32)
    w = RNG.normal(size=(k, k, 3, 5)).astype(np.float32)
    _compare(lambda t, a, b: t.nn.conv2d_transpose(a, b, out_shape, strides, padding),
             x, w, rtf=rtf)


def test_conv2d_float64(rtf):
    x = RNG.normal(size=(1, 5, 5, 2))
    w = RNG.normal(size=(3, 3, 2, 2))
    ours = tf.nn.conv2d(x, w, 1, "SAME")
    real = rtf.nn.conv2d(x, w, 1, "SAME")
    assert ours.dtype.name == real.dtype.name
    _close(ours.numpy(), real.numpy(), 1e-12, 1e-12)


@pytest.mark.parametrize("case", ["channels", "rank", "dtype", "transpose_shape"])
def test_conv_errors(rtf, case):
    def call(t):
        if case == "channels":
            return t.nn.conv2d(np.zeros((1, 4, 4, 3), np.float32),
                               np.zeros((3, 3, 2, 1), np.float32), 1, "SAME")
        if case == "rank":
            return t.nn.conv2d(np.zeros((4, 4, 3), np.float32),
                               np.zeros((3, 3, 3, 1), np.float32), 1, "SAME")
        if case == "dtype":
            return t.nn.conv2d(t.constant(np.zeros((1, 4, 4, 3), np.float32)),
                               t.constant(np.zeros((3, 3, 3, 1), np.float64)), 1, "SAME")
        return t.nn.conv2d_transpose(np.zeros((1, 4, 4, 2), np.float32),
                                     np.zeros((3, 3, 1, 2), np.float32), [1, 5, 5, 1], 2,
                                     "SAME")

    with pytest.raises(Exception) as real:
        call(rtf)
    with pytest.raises(Exception) as ours:
        call(tf)
    assert type(ours.value).__name__ == type(real.value).__name__, (ours.value, real.value)


POOL_CASES = [
    # (input shape, ksize, strides, padding)
    ((2, 6, 6, 3), 2, 2, "VALID"),
    ((2, 7, 7, 3), 2, 2, "VALID"),
    ((2, 7, 7, 3), 2, 2, "SAME"),
    ((2, 7, 6, 3), 3, 1, "SAME"),
    ((2, 7, 6, 3), 3, 2, "SAME"),
    ((1, 5, 8, 2), [2, 3], [1, 2], "VALID"),
    ((1, 5, 5, 1), [1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("xs,k,s,padding", POOL_CASES)
def test_pool2d(rtf, kind, xs, k, s, padding):
    x = RNG.normal(size=xs).astype(np.float32)
    fn_name = f"{kind}_pool2d"
    _compare(lambda t, a: getattr(t.nn, fn_name)(a, k, s, padding), x, rtf=rtf)


@pytest.mark.parametrize("kind", ["max_pool1d", "avg_pool1d"])
@pytest.mark.parametrize("k,s,padding", [(2, 2, "VALID"), (3, 2, "SAME"), (3, 1, "SAME")])
def test_pool1d(rtf, kind, k, s, padding):
    x = RNG.normal(size=(2, 9, 3)).astype(np.float32)
    _compare(lambda t, a: getattr(t.nn, kind)(a, k, s, padding), x, rtf=rtf)


@pytest.mark.parametrize("k,s,padding", [(2, 2, "VALID"), (3, 1, "SAME"), (3, 2, "SAME"),
                                         (2, 1, "VALID")])
def test_max_pool_gradient_ties(rtf, k, s, padding):
    """All-zero windows and repeated maxima: where does the gradient go?"""
    x = np.zeros((1, 6, 6, 2), np.float32)
    x[0, 3:, 3:, 1] = 1.0     # a block of equal maxima
    x[0, :2, :, 0] = -1.0
    _compare(lambda t, a: t.nn.max_pool2d(a, k, s, padding), x, rtf=rtf)


def test_max_pool_after_relu_ties(rtf):
    """The book's convnets: relu zeros feeding a max pool."""
    x = RNG.normal(size=(2, 6, 6, 3)).astype(np.float32)
    _compare(lambda t, a: t.nn.max_pool2d(t.nn.relu(a), 2, 2, "VALID"), x, rtf=rtf)


def test_max_pool_int_dtype(rtf):
    x = np.arange(32, dtype=np.int32).reshape(1, 4, 4, 2)
    ours = tf.nn.max_pool2d(tf.constant(x), 2, 2, "VALID")
    real = rtf.nn.max_pool2d(rtf.constant(x), 2, 2, "VALID")
    assert ours.dtype.name == real.dtype.name
    np.testing.assert_array_equal(ours.numpy(), real.numpy())


@pytest.mark.parametrize("fn", ["max_pool2d", "avg_pool2d"])
def test_pool_rank_error(rtf, fn):
    x = np.zeros((4, 4, 3), np.float32)
    with pytest.raises(Exception) as real:
        getattr(rtf.nn, fn)(x, 2, 2, "VALID")
    with pytest.raises(Exception) as ours:
        getattr(tf.nn, fn)(x, 2, 2, "VALID")
    assert type(ours.value).__name__ == type(real.value).__name__, (ours.value, real.value)


@pytest.mark.parametrize("fn", ["max_pool", "avg_pool"])
@pytest.mark.parametrize("rank", [3, 4])
def test_generic_pool(rtf, fn, rank):
    x = RNG.normal(size=(2, 6, 6, 3)[:rank]).astype(np.float32)
    _close(getattr(tf.nn, fn)(x, 2, 2, "SAME").numpy(),
           getattr(rtf.nn, fn)(x, 2, 2, "SAME").numpy())


@pytest.mark.parametrize("fn", ["conv2d", "max_pool2d", "avg_pool2d", "depthwise_conv2d"])
def test_unknown_padding_is_an_invalid_argument(rtf, fn):
    def call(t):
        x = np.zeros((1, 4, 4, 1), np.float32)
        if fn == "conv2d":
            return t.nn.conv2d(x, np.zeros((3, 3, 1, 1), np.float32), 1, "FOO")
        if fn == "depthwise_conv2d":
            return t.nn.depthwise_conv2d(x, np.zeros((3, 3, 1, 1), np.float32), [1, 1, 1, 1],
                                         "FOO")
        return getattr(t.nn, fn)(x, 2, 2, "FOO")
    with pytest.raises(Exception) as real:
        call(rtf)
    with pytest.raises(Exception) as ours:
        call(tf)
    assert type(ours.value).__name__ == type(real.value).__name__, (ours.value, real.value)
    assert "padding" in str(ours.value)


@pytest.mark.parametrize("fn", ["avg_pool2d", "avg_pool1d"])
def test_avg_pool_rejects_integers(rtf, fn):
    x = np.zeros((1, 4, 4, 1), np.int32)[:, 0] if fn == "avg_pool1d" else \
        np.zeros((1, 4, 4, 1), np.int32)
    with pytest.raises(Exception) as real:
        getattr(rtf.nn, fn)(x, 2, 2, "VALID")
    with pytest.raises(Exception) as ours:
        getattr(tf.nn, fn)(x, 2, 2, "VALID")
    assert type(ours.value).__name__ == type(real.value).__name__, (ours.value, real.value)


def test_avg_pool_float16(rtf):
    x = RNG.normal(size=(1, 4, 4, 2)).astype(np.float16)
    ours, real = tf.nn.avg_pool2d(x, 2, 2, "VALID"), rtf.nn.avg_pool2d(x, 2, 2, "VALID")
    assert ours.dtype.name == real.dtype.name
    np.testing.assert_allclose(ours.numpy(), real.numpy(), atol=1e-3)


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "bool", "complex64", "float16"])
def test_conv_dtype_lists(rtf, dtype):
    import tapeflow as tf

    def outcome(lib, depthwise):
        x = lib.zeros((1, 4, 4, 2), dtype)
        try:
            if depthwise:
                out = lib.nn.depthwise_conv2d(x, lib.zeros((3, 3, 2, 1), dtype), [1, 1, 1, 1],
                                              "SAME")
            else:
                out = lib.nn.conv2d(x, lib.zeros((3, 3, 2, 2), dtype), 1, "SAME")
            return out.dtype.name, tuple(out.shape)
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e).split("\n")[0].split(" [Op:")[0]
    for depthwise in (False, True):
        assert outcome(tf, depthwise) == outcome(rtf, depthwise)


def test_max_pool_gradient_with_inputs_equal_to_the_padding(rtf):
    import tapeflow as tf

    def grads(lib):
        x = lib.constant(np.full((1, 3, 4, 2), -np.inf, "float32"))
        with lib.GradientTape() as tape:
            tape.watch(x)
            y = lib.nn.max_pool2d(x, 3, [1, 2], "SAME")
        return tape.gradient(y, x).numpy()
    np.testing.assert_array_equal(grads(tf), grads(rtf))
