"""Conv3D, Conv3DTranspose, Conv1DTranspose, 3-D pooling and channels_first layouts."""
import os
import sys

import numpy as np
import pytest

from tapeflow import keras

sys.path.insert(0, os.path.dirname(__file__))
from layer_harness import run_layer_test  # noqa: E402


def _x(*shape, seed=0):
    return np.random.RandomState(seed).randn(*shape).astype(np.float32)


def test_conv3d_layer():
    run_layer_test(keras.layers.Conv3D, {"filters": 2, "kernel_size": 2, "padding": "same"},
                   input_shape=(2, 3, 3, 2, 2), expected_output_shape=(2, 3, 3, 2, 2),
                   expected_num_trainable_weights=2)


def test_conv3d_transpose_layer():
    run_layer_test(keras.layers.Conv3DTranspose, {"filters": 2, "kernel_size": 2,
                                                  "strides": 2},
                   input_shape=(1, 2, 2, 1, 2), expected_output_shape=(1, 4, 4, 2, 2),
                   expected_num_trainable_weights=2)


def test_conv1d_transpose_layer():
    run_layer_test(keras.layers.Conv1DTranspose, {"filters": 2, "kernel_size": 3,
                                                  "strides": 2, "padding": "same"},
                   input_shape=(2, 4, 3), expected_output_shape=(2, 8, 2),
                   expected_num_trainable_weights=2)


@pytest.mark.parametrize("cls", ["MaxPooling3D", "AveragePooling3D"])
def test_pooling3d_layers(cls):
    x = np.random.RandomState(0).permutation(96).reshape(2, 4, 2, 2, 3).astype("float32")
    run_layer_test(getattr(keras.layers, cls), {"pool_size": 2}, input_data=x,
                   input_shape=x.shape, expected_output_shape=(2, 2, 1, 1, 3))


@pytest.mark.parametrize("cls", ["GlobalMaxPooling3D", "GlobalAveragePooling3D"])
def test_global_pooling3d_layers(cls):
    x = np.random.RandomState(0).permutation(48).reshape(2, 2, 2, 2, 3).astype("float32")
    y = run_layer_test(getattr(keras.layers, cls), {}, input_data=x, input_shape=x.shape,
                       expected_output_shape=(2, 3))
    reduce = np.max if "Max" in cls else np.mean
    np.testing.assert_allclose(y.numpy(), reduce(x, axis=(1, 2, 3)), rtol=1e-6)


def test_aliases_are_the_same_classes():
    L = keras.layers
    assert L.Convolution3D is L.Conv3D and L.Convolution3DTranspose is L.Conv3DTranspose
    assert L.Convolution1DTranspose is L.Conv1DTranspose and L.Convolution2D is L.Conv2D
    assert L.MaxPool3D is L.MaxPooling3D and L.GlobalAvgPool3D is L.GlobalAveragePooling3D


@pytest.mark.parametrize("make,shape", [
    (lambda f: keras.layers.Conv2D(3, 2, strides=2, data_format=f), (2, 6, 5, 4)),
    (lambda f: keras.layers.Conv1D(3, 2, data_format=f), (2, 6, 4)),
    (lambda f: keras.layers.Conv3D(3, 2, data_format=f), (1, 3, 4, 3, 2)),
    (lambda f: keras.layers.Conv2DTranspose(3, 3, strides=2, data_format=f), (2, 3, 4, 2)),
    (lambda f: keras.layers.DepthwiseConv2D(3, data_format=f), (2, 5, 4, 2)),
    (lambda f: keras.layers.MaxPooling2D(data_format=f), (2, 6, 4, 3)),
    (lambda f: keras.layers.AveragePooling3D(data_format=f), (1, 4, 4, 2, 3)),
    (lambda f: keras.layers.GlobalAveragePooling2D(data_format=f), (2, 6, 4, 3))])
def test_channels_first_equals_channels_last_transposed(make, shape):
    x = _x(*shape)
    last, first = make("channels_last"), make("channels_first")
    y_last = last(x)
    perm = (0, x.ndim - 1) + tuple(range(1, x.ndim - 1))
    x_first = np.transpose(x, perm)
    y_first = first(x_first)
    first.set_weights(last.get_weights())
    y_first = first(x_first).numpy()
    expect = y_last.numpy()
    if expect.ndim == x.ndim:
        expect = np.transpose(expect, perm)
    np.testing.assert_allclose(y_first, expect, rtol=1e-5, atol=1e-6)
    assert first.compute_output_shape(x_first.shape) == tuple(expect.shape) or \
        list(first.compute_output_shape(x_first.shape)) == list(expect.shape)
    assert first.get_config()["data_format"] == "channels_first"


def test_unknown_data_format_is_refused():
    with pytest.raises(ValueError, match="data_format"):
        keras.layers.Conv2D(2, 2, data_format="NCHW")


@pytest.mark.parametrize("cls,kwargs,shape,expected", [
    ("ZeroPadding1D", {"padding": (1, 2)}, (2, 4, 3), (2, 7, 3)),
    ("ZeroPadding3D", {"padding": 1}, (1, 2, 3, 2, 2), (1, 4, 5, 4, 2)),
    ("Cropping1D", {"cropping": (1, 1)}, (2, 4, 3), (2, 2, 3)),
    ("Cropping3D", {"cropping": ((1, 0), (0, 1), (1, 1))}, (1, 3, 3, 4, 2), (1, 2, 2, 2, 2)),
    ("UpSampling1D", {"size": 2}, (2, 3, 2), (2, 6, 2)),
    ("UpSampling3D", {"size": (1, 2, 2)}, (1, 2, 2, 2, 1), (1, 2, 4, 4, 1))])
def test_reshaping_nd_layers(cls, kwargs, shape, expected):
    run_layer_test(getattr(keras.layers, cls), kwargs, input_shape=shape,
                   expected_output_shape=expected)


def test_cropping_too_much_raises():
    with pytest.raises(ValueError, match="too large"):
        keras.layers.Cropping1D((2, 2))(_x(1, 4, 2))


def test_spatial_dropout3d_drops_whole_channels():
    x = np.ones((2, 3, 3, 3, 8), "float32")
    y = keras.layers.SpatialDropout3D(0.5, seed=1)(x, training=True).numpy()
    per_channel = y.reshape(2, -1, 8)
    assert np.all(per_channel.min(axis=1) == per_channel.max(axis=1))
    assert set(np.unique(y)) <= {0.0, 2.0}
    np.testing.assert_array_equal(keras.layers.SpatialDropout3D(0.5)(x).numpy(), x)


def test_zero_padding2d_channels_first():
    x = _x(1, 2, 3, 4)
    y = keras.layers.ZeroPadding2D(1, data_format="channels_first")(x)
    assert y.shape == (1, 2, 5, 6)
    np.testing.assert_array_equal(y.numpy()[:, :, 1:-1, 1:-1], x)


def test_depthwise_and_separable_conv1d_layers():
    run_layer_test(keras.layers.DepthwiseConv1D, {"kernel_size": 2, "depth_multiplier": 2},
                   input_shape=(2, 5, 3), expected_output_shape=(2, 4, 6),
                   expected_num_trainable_weights=2)
    run_layer_test(keras.layers.SeparableConv1D, {"filters": 4, "kernel_size": 2,
                                                  "padding": "same"},
                   input_shape=(2, 5, 3), expected_output_shape=(2, 5, 4),
                   expected_num_trainable_weights=3)


@pytest.mark.parametrize("groups,channels", [(2, 4), (4, 4)])
def test_grouped_conv2d_equals_per_group_convolutions(groups, channels):
    layer = keras.layers.Conv2D(8, 3, groups=groups, use_bias=False)
    x = _x(2, 6, 6, channels)
    y = layer(x).numpy()
    assert layer.kernel.shape == (3, 3, channels // groups, 8)
    per_in, per_out = channels // groups, 8 // groups
    k = layer.kernel.numpy()
    for g in range(groups):
        part = keras.layers.Conv2D(per_out, 3, use_bias=False)
        part(x[..., g * per_in:(g + 1) * per_in])
        part.set_weights([k[..., g * per_out:(g + 1) * per_out]])
        np.testing.assert_allclose(y[..., g * per_out:(g + 1) * per_out],
                                   part(x[..., g * per_in:(g + 1) * per_in]).numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_grouped_conv_layer_gradients():
    run_layer_test(keras.layers.Conv2D, {"filters": 4, "kernel_size": 2, "groups": 2},
                   input_shape=(1, 3, 3, 2), expected_output_shape=(1, 2, 2, 4),
                   expected_num_trainable_weights=2)
    with pytest.raises(ValueError, match="divisible"):
        keras.layers.Conv2D(5, 2, groups=2)


def test_adaptive_pooling_bins_and_gradients():
    x = np.arange(2 * 7 * 5, dtype="float32").reshape(2, 7, 5, 1)
    avg = keras.layers.AdaptiveAveragePooling2D((3, 2))(x).numpy()[0, ..., 0]
    # rows [0, 3), [2, 5), [4, 7); columns [0, 3), [2, 5)
    np.testing.assert_allclose(avg, [[6, 8], [16, 18], [26, 28]])
    mx = keras.layers.AdaptiveMaxPooling2D(3)(x).numpy()[0, ..., 0]
    np.testing.assert_allclose(mx, [[11, 13, 14], [21, 23, 24], [31, 33, 34]])
    distinct = np.random.RandomState(0).permutation(60).reshape(2, 6, 5).astype("float32")
    for cls in ("AdaptiveAveragePooling1D", "AdaptiveMaxPooling1D"):
        run_layer_test(getattr(keras.layers, cls), {"output_size": 4}, input_data=distinct,
                       input_shape=distinct.shape, expected_output_shape=(2, 4, 5))
    with pytest.raises(ValueError, match="output_size"):
        keras.layers.AdaptiveMaxPooling2D((2, 0))
