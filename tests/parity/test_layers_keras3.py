"""Layers Keras 3 added (3-D convolution and pooling, transposed 1-D/3-D convolution,
channels_first, noise, normalization, masking, wrappers, attention) against Keras 3.15,
same weights: outputs, weights, output shapes, configs, symbolic calls and from_config."""
import numpy as np
import pytest

from parity.layer_parity import check_layer, check_symbolic_and_config, data

SEQ = data(2, 9, 3)
IMG = data(2, 7, 8, 3, seed=1)
IMG_CF = data(2, 3, 7, 8, seed=1)
VOL = data(2, 5, 6, 4, 3, seed=2)
VOL_CF = data(2, 3, 5, 6, 4, seed=2)

CASES = {
    "conv3d": (lambda k: k.layers.Conv3D(4, 3), VOL),
    "conv3d_same_strided_relu": (lambda k: k.layers.Conv3D(
        4, (2, 3, 2), strides=2, padding="same", activation="relu"), VOL),
    "conv3d_dilated": (lambda k: k.layers.Conv3D(2, 2, dilation_rate=2), VOL),
    "conv3d_channels_first": (lambda k: k.layers.Conv3D(2, 2, data_format="channels_first"),
                              VOL_CF),
    "conv3d_transpose": (lambda k: k.layers.Conv3DTranspose(3, 3), VOL),
    "conv3d_transpose_same_s2": (lambda k: k.layers.Conv3DTranspose(
        3, 3, strides=2, padding="same"), VOL),
    "conv3d_transpose_valid_s212": (lambda k: k.layers.Conv3DTranspose(
        3, (2, 3, 3), strides=(2, 1, 2)), VOL),
    "conv1d_transpose": (lambda k: k.layers.Conv1DTranspose(4, 3), SEQ),
    "conv1d_transpose_same_s2": (lambda k: k.layers.Conv1DTranspose(
        4, 3, strides=2, padding="same"), SEQ),
    "conv2d_channels_first": (lambda k: k.layers.Conv2D(4, 3, strides=2,
                                                        data_format="channels_first"), IMG_CF),
    "conv1d_channels_first": (lambda k: k.layers.Conv1D(2, 2, data_format="channels_first"),
                              SEQ),
    "conv2d_transpose_channels_first": (lambda k: k.layers.Conv2DTranspose(
        2, 3, strides=2, data_format="channels_first"), IMG_CF),
    "depthwise_channels_first": (lambda k: k.layers.DepthwiseConv2D(
        3, data_format="channels_first"), IMG_CF),
    "separable_channels_first": (lambda k: k.layers.SeparableConv2D(
        4, 3, data_format="channels_first"), IMG_CF),
    "max_pool3d": (lambda k: k.layers.MaxPooling3D(), VOL),
    "max_pool3d_same": (lambda k: k.layers.MaxPooling3D(3, strides=(1, 2, 2),
                                                        padding="same"), VOL),
    "avg_pool3d": (lambda k: k.layers.AveragePooling3D(2), VOL),
    "avg_pool3d_same": (lambda k: k.layers.AveragePooling3D(3, strides=2, padding="same"),
                        VOL),
    "avg_pool3d_channels_first": (lambda k: k.layers.AveragePooling3D(
        2, data_format="channels_first"), VOL_CF),
    "max_pool2d_channels_first": (lambda k: k.layers.MaxPooling2D(
        data_format="channels_first"), IMG_CF),
    "avg_pool1d_channels_first": (lambda k: k.layers.AveragePooling1D(
        2, data_format="channels_first"), SEQ),
    "global_avg_pool3d": (lambda k: k.layers.GlobalAveragePooling3D(), VOL),
    "global_max_pool3d_keepdims": (lambda k: k.layers.GlobalMaxPooling3D(keepdims=True), VOL),
    "global_max_pool3d_channels_first": (lambda k: k.layers.GlobalMaxPooling3D(
        data_format="channels_first", keepdims=True), VOL_CF),
    "global_avg_pool2d_channels_first": (lambda k: k.layers.GlobalAveragePooling2D(
        data_format="channels_first"), IMG_CF),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_matches_keras(rkeras, case):
    make, x = CASES[case]
    check_layer(rkeras, make, x, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", sorted(CASES))
def test_symbolic_call_config_and_repr_match_keras(rkeras, case):
    make, x = CASES[case]
    check_symbolic_and_config(rkeras, make, x)
