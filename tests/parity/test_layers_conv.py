"""Convolution, pooling, padding/cropping and upsampling layers against Keras 3, same weights."""
import numpy as np
import pytest

from tapeflow import keras
from parity.layer_parity import check_layer, check_symbolic_and_config, data

SEQ = data(2, 9, 3)
IMG = data(2, 7, 8, 3, seed=1)
SMALL = data(2, 4, 5, 2, seed=2)

CASES = {
    "conv1d": (lambda k: k.layers.Conv1D(4, 3), SEQ),
    "conv1d_causal_dilated": (lambda k: k.layers.Conv1D(4, 3, padding="causal",
                                                        dilation_rate=2), SEQ),
    "conv1d_same_strided_relu": (lambda k: k.layers.Conv1D(4, 3, strides=2, padding="same",
                                                           activation="relu"), SEQ),
    "conv2d": (lambda k: k.layers.Conv2D(4, 3), IMG),
    "conv2d_relu": (lambda k: k.layers.Conv2D(4, 3, activation="relu"), IMG),
    "conv2d_same_strided": (lambda k: k.layers.Conv2D(4, (3, 2), strides=2,
                                                      padding="same"), IMG),
    "conv2d_dilated_sigmoid": (lambda k: k.layers.Conv2D(4, 3, dilation_rate=2,
                                                         activation="sigmoid"), IMG),
    "conv2d_no_bias": (lambda k: k.layers.Conv2D(2, 1, use_bias=False), IMG),
    "conv2d_transpose": (lambda k: k.layers.Conv2DTranspose(4, 3), SMALL),
    "conv2d_transpose_same_s2": (lambda k: k.layers.Conv2DTranspose(4, 3, strides=2,
                                                                     padding="same"), SMALL),
    "conv2d_transpose_valid_s2": (lambda k: k.layers.Conv2DTranspose(4, 3, strides=2), SMALL),
    "separable_conv2d": (lambda k: k.layers.SeparableConv2D(4, 3), IMG),
    "separable_conv2d_dm2_same": (lambda k: k.layers.SeparableConv2D(
        4, 3, depth_multiplier=2, padding="same", activation="relu"), IMG),
    "depthwise_conv2d": (lambda k: k.layers.DepthwiseConv2D(3), IMG),
    "depthwise_conv2d_dm2_s2": (lambda k: k.layers.DepthwiseConv2D(
        3, strides=2, depth_multiplier=2, padding="same"), IMG),
    "max_pool1d": (lambda k: k.layers.MaxPooling1D(), SEQ),
    "max_pool1d_same": (lambda k: k.layers.MaxPooling1D(3, strides=1, padding="same"), SEQ),
    "avg_pool1d": (lambda k: k.layers.AveragePooling1D(2), SEQ),
    "avg_pool1d_same": (lambda k: k.layers.AveragePooling1D(3, strides=2,
                                                            padding="same"), SEQ),
    "max_pool2d": (lambda k: k.layers.MaxPooling2D(), IMG),
    "max_pool2d_same": (lambda k: k.layers.MaxPooling2D(3, strides=2, padding="same"), IMG),
    "avg_pool2d": (lambda k: k.layers.AveragePooling2D(2), IMG),
    "avg_pool2d_same": (lambda k: k.layers.AveragePooling2D(3, strides=2,
                                                            padding="same"), IMG),
    "global_max_pool1d": (lambda k: k.layers.GlobalMaxPooling1D(), SEQ),
    "global_max_pool1d_keepdims": (lambda k: k.layers.GlobalMaxPooling1D(keepdims=True), SEQ),
    "global_avg_pool1d": (lambda k: k.layers.GlobalAveragePooling1D(), SEQ),
    "global_avg_pool1d_keepdims": (lambda k: k.layers.GlobalAveragePooling1D(keepdims=True),
                                   SEQ),
    "global_max_pool2d": (lambda k: k.layers.GlobalMaxPooling2D(), IMG),
    "global_max_pool2d_keepdims": (lambda k: k.layers.GlobalMaxPooling2D(keepdims=True), IMG),
    "global_avg_pool2d": (lambda k: k.layers.GlobalAveragePooling2D(), IMG),
    "global_avg_pool2d_keepdims": (lambda k: k.layers.GlobalAveragePooling2D(keepdims=True),
                                   IMG),
    "zero_padding2d": (lambda k: k.layers.ZeroPadding2D(), SMALL),
    "zero_padding2d_asym": (lambda k: k.layers.ZeroPadding2D(((1, 2), (0, 3))), SMALL),
    "cropping2d": (lambda k: k.layers.Cropping2D(), IMG),
    "cropping2d_asym": (lambda k: k.layers.Cropping2D(((1, 0), (2, 1))), IMG),
    "upsampling2d": (lambda k: k.layers.UpSampling2D(), SMALL),
    "upsampling2d_bilinear": (lambda k: k.layers.UpSampling2D((2, 3),
                                                              interpolation="bilinear"), SMALL),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_matches_keras(rkeras, case):
    make, x = CASES[case]
    check_layer(rkeras, make, x, rtol=1e-4, atol=1e-5)


WRONG_SHAPES = {
    "conv2d_rank3": (lambda k: k.layers.Conv2D(2, 3), None, data(2, 7, 3)),
    "conv2d_wrong_channels": (lambda k: k.layers.Conv2D(2, 3), IMG, data(2, 7, 8, 4)),
    "conv1d_rank4": (lambda k: k.layers.Conv1D(2, 3), None, IMG),
    "max_pool2d_rank3": (lambda k: k.layers.MaxPooling2D(), None, SEQ),
    "global_avg_pool2d_rank3": (lambda k: k.layers.GlobalAveragePooling2D(), None, SEQ),
}


@pytest.mark.parametrize("case", sorted(WRONG_SHAPES))
def test_wrong_input_shape_raises_the_same_class(rkeras, case):
    make, first, bad = WRONG_SHAPES[case]
    errors = []
    for k in (rkeras, keras):
        layer = make(k)
        if first is not None:
            layer(first)
        with pytest.raises(Exception) as info:
            layer(bad)
        errors.append(info.type.__name__)
    assert errors[1] == errors[0]


SYMBOLIC = CASES


@pytest.mark.parametrize("case", sorted(SYMBOLIC))
def test_symbolic_call_config_and_repr_match_keras(rkeras, case):
    make, x = SYMBOLIC[case]
    check_symbolic_and_config(rkeras, make, x)
