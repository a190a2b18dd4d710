"""Convolution, pooling and reshaping layers: shapes (Keras's arithmetic), values, configs."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras.layers import convolutional as C
from tapeflow.keras.layers import pooling as P
from tapeflow.keras.layers import reshaping as R
from tapeflow.ops import conv_ops


def _x(*shape, seed=0):
    return np.random.RandomState(seed).randn(*shape).astype(np.float32)


@pytest.mark.parametrize("padding,strides,expected", [("valid", 1, (2, 26, 26, 4)),
                                                      ("same", 1, (2, 28, 28, 4)),
                                                      ("same", 2, (2, 14, 14, 4)),
                                                      ("valid", 2, (2, 13, 13, 4))])
def test_conv2d_output_shape_and_weights(padding, strides, expected):
    layer = C.Conv2D(4, 3, strides=strides, padding=padding, activation="relu")
    y = layer(_x(2, 28, 28, 1))
    assert y.shape == expected
    assert y.dtype == tf.float32
    assert [w.shape for w in layer.weights] == [(3, 3, 1, 4), (4,)]
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    assert layer.compute_output_shape((None, 28, 28, 1)) == (None,) + expected[1:]
    assert layer.count_params() == 3 * 3 * 4 + 4


def test_conv2d_values_with_fixed_weights():
    layer = C.Conv2D(2, (2, 3), padding="same", use_bias=True)
    x = _x(1, 5, 6, 3)
    layer(x)
    k = _x(2, 3, 3, 2, seed=1)
    b = np.array([0.5, -1.0], np.float32)
    layer.set_weights([k, b])
    want = conv_ops.conv2d(x.astype(np.float64), k.astype(np.float64), 1, "SAME").numpy() + b
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-5, atol=1e-5)


def test_conv1d_causal_and_channel_mismatch():
    layer = C.Conv1D(3, 4, padding="causal", dilation_rate=2)
    x = _x(2, 10, 5)
    y = layer(x)
    assert y.shape == (2, 10, 3)
    # causal: output t depends on inputs <= t only
    x2 = x.copy()
    x2[:, 7:] += 10.0
    np.testing.assert_allclose(layer(x2).numpy()[:, :7], y.numpy()[:, :7], rtol=1e-6)
    with pytest.raises(ValueError, match=layer.name):
        layer(_x(2, 10, 4))


def test_conv2d_transpose_shapes_follow_keras():
    assert C.Conv2DTranspose(3, 3, strides=2, padding="same")(_x(1, 7, 7, 2)).shape == \
        (1, 14, 14, 3)
    layer = C.Conv2DTranspose(3, 3, strides=2, padding="valid")
    assert layer(_x(1, 7, 7, 2)).shape == (1, 15, 15, 3)
    assert layer.kernel.shape == (3, 3, 3, 2)


def test_depthwise_and_separable_weights():
    dw = C.DepthwiseConv2D(3, depth_multiplier=2, padding="same")
    assert dw(_x(1, 6, 6, 3)).shape == (1, 6, 6, 6)
    assert [w.shape for w in dw.weights] == [(3, 3, 3, 2), (6,)]
    sep = C.SeparableConv2D(5, 3)
    assert sep(_x(1, 6, 6, 3)).shape == (1, 4, 4, 5)
    assert [w.shape for w in sep.weights] == [(3, 3, 3, 1), (1, 1, 3, 5), (5,)]
    assert sep.count_params() == 27 + 15 + 5


@pytest.mark.parametrize("cls", [C.Conv2D, C.Conv1D, C.Conv2DTranspose, C.SeparableConv2D])
def test_config_round_trip(cls):
    layer = cls(4, 3, strides=1, padding="same", activation="relu", name="c")
    cfg = layer.get_config()
    again = cls.from_config(cfg)
    assert again.get_config() == cfg
    assert cfg["kernel_size"] == ((3, 3) if cls is not C.Conv1D else (3,))


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="filters"):
        C.Conv2D(0, 3)
    with pytest.raises(ValueError, match="padding"):
        C.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="kernel_size"):
        C.Conv2D(2, (3, 3, 3))


def test_pooling_layers():
    x = _x(2, 7, 7, 3)
    assert P.MaxPooling2D(2)(x).shape == (2, 3, 3, 3)
    assert P.MaxPooling2D(2, padding="same")(x).shape == (2, 4, 4, 3)
    assert P.AveragePooling2D((3, 3), strides=1)(x).shape == (2, 5, 5, 3)
    np.testing.assert_allclose(P.GlobalAveragePooling2D()(x).numpy(), x.mean(axis=(1, 2)),
                               rtol=1e-6)
    np.testing.assert_allclose(P.GlobalMaxPooling2D(keepdims=True)(x).numpy(),
                               x.max(axis=(1, 2), keepdims=True))
    s = _x(2, 9, 4)
    assert P.MaxPooling1D(3)(s).shape == (2, 3, 4)
    np.testing.assert_allclose(P.GlobalAveragePooling1D()(s).numpy(), s.mean(axis=1),
                               rtol=1e-6)
    assert P.GlobalMaxPooling1D()(s).shape == (2, 4)
    cfg = P.MaxPooling2D(3, strides=2, padding="same").get_config()
    assert cfg["pool_size"] == (3, 3) and cfg["strides"] == (2, 2) and cfg["padding"] == "same"


def test_padding_cropping_upsampling_and_spatial_dropout():
    x = _x(1, 4, 5, 2)
    y = R.ZeroPadding2D(((1, 2), (0, 1)))(x)
    assert y.shape == (1, 7, 6, 2)
    np.testing.assert_array_equal(y.numpy()[0, 0], 0)
    np.testing.assert_array_equal(y.numpy()[0, 1:5, 0:5], x[0])
    c = R.Cropping2D(((1, 1), (2, 0)))(x)
    np.testing.assert_array_equal(c.numpy(), x[:, 1:3, 2:])
    u = R.UpSampling2D(2)(x)
    np.testing.assert_array_equal(u.numpy(), x.repeat(2, axis=1).repeat(2, axis=2))
    sd = R.SpatialDropout2D(0.5, seed=1)
    z = sd(np.ones((4, 3, 3, 8), np.float32), training=True).numpy()
    per_map = z.reshape(4, 9, 8)
    assert np.all((per_map == per_map[:, :1]))  # whole maps kept or dropped
    assert set(np.unique(z)) <= {0.0, 2.0}
    np.testing.assert_array_equal(sd(np.ones((1, 2, 2, 3), np.float32)).numpy(), 1.0)


def test_gradients_flow_through_a_small_convnet():
    conv = C.Conv2D(2, 3, activation="relu")
    pool = P.MaxPooling2D(2)
    dense = keras.layers.Dense(1)
    x = _x(3, 8, 8, 1)
    with tf.GradientTape() as tape:
        y = dense(keras.layers.Flatten()(pool(conv(x))))
        loss = tf.reduce_mean(y * y)
    grads = tape.gradient(loss, conv.trainable_weights + dense.trainable_weights)
    assert all(g is not None for g in grads)
    assert grads[0].shape == (3, 3, 1, 2)


@pytest.mark.parametrize("activation,op", [("relu", "_FusedConv2D"), (None, "_FusedConv2D"),
                                           ("tanh", "Conv2D")])
def test_conv2d_fuses_bias_and_relu_into_one_op_with_the_unfused_values(activation, op):
    # Like TF's grappler rewrite to _FusedConv2D: same outputs and gradients as
    # conv2d -> + bias -> activation, one op on the tape.
    layer = C.Conv2D(4, 3, strides=2, padding="same", activation=activation,
                     bias_initializer="random_normal")
    x = tf.constant(_x(2, 9, 9, 3))
    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_sum(y * y)
    assert [r.op.name for r in tape._records][0] == op
    got = tape.gradient(loss, layer.trainable_weights)
    act = keras.activations.get(activation)
    with tf.GradientTape() as tape:
        want_y = act(tf.nn.conv2d(x, layer.kernel, 2, "SAME") + layer.bias)
        loss = tf.reduce_sum(want_y * want_y)
    want = tape.gradient(loss, layer.trainable_weights)
    np.testing.assert_allclose(y.numpy(), want_y.numpy(), rtol=1e-6, atol=1e-6)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding,strides,dilation", [("valid", 1, 1), ("same", 2, 1),
                                                      ("causal", 1, 2), ("causal", 2, 1)])
def test_conv1d_fused_path_equals_conv1d_bias_relu(padding, strides, dilation):
    layer = C.Conv1D(4, 3, strides=strides, padding=padding, dilation_rate=dilation,
                     activation="relu", bias_initializer="random_normal")
    x = tf.constant(_x(2, 11, 3))
    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_sum(y * y)
    assert "_FusedConv2D" in [r.op.name for r in tape._records]
    got = tape.gradient(loss, layer.trainable_weights)
    with tf.GradientTape() as tape:
        xin, pad = x, padding.upper()
        if padding == "causal":
            xin, pad = tf.pad(x, [[0, 0], [2 * dilation, 0], [0, 0]]), "VALID"
        want_y = tf.nn.relu(tf.nn.conv1d(xin, layer.kernel, strides, pad, dilations=dilation)
                            + layer.bias)
        loss = tf.reduce_sum(want_y * want_y)
    want = tape.gradient(loss, layer.trainable_weights)
    assert y.shape == want_y.shape == layer.compute_output_shape((2, 11, 3))
    np.testing.assert_allclose(y.numpy(), want_y.numpy(), rtol=1e-6, atol=1e-6)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-5)


def test_conv1d_on_images_is_a_value_error_naming_both_shapes():
    # Keras 3: "Kernel shape must have the same length as input ..." (a ValueError)
    with pytest.raises(ValueError, match=r"kernel of shape \(3, 3, 2\) and input of shape "
                                         r"\(2, 7, 8, 3\)"):
        keras.layers.Conv1D(2, 3)(np.ones((2, 7, 8, 3), "float32"))
