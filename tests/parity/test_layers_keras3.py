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
    "depthwise_conv1d": (lambda k: k.layers.DepthwiseConv1D(3, depth_multiplier=2), SEQ),
    "depthwise_conv1d_same_s2": (lambda k: k.layers.DepthwiseConv1D(
        3, strides=2, padding="same"), SEQ),
    "separable_conv1d": (lambda k: k.layers.SeparableConv1D(4, 3), SEQ),
    "separable_conv1d_dilated_relu": (lambda k: k.layers.SeparableConv1D(
        4, 2, dilation_rate=2, padding="same", activation="relu"), SEQ),
    "conv2d_groups": (lambda k: k.layers.Conv2D(6, 3, groups=3), IMG),
    "conv2d_depthwise_groups": (lambda k: k.layers.Conv2D(6, 3, groups=3, padding="same"),
                                IMG),
    "conv1d_groups": (lambda k: k.layers.Conv1D(6, 2, groups=3), SEQ),
    "adaptive_avg_pool1d": (lambda k: k.layers.AdaptiveAveragePooling1D(4), SEQ),
    "adaptive_max_pool1d": (lambda k: k.layers.AdaptiveMaxPooling1D(5), SEQ),
    "adaptive_avg_pool2d": (lambda k: k.layers.AdaptiveAveragePooling2D((3, 5)), IMG),
    "adaptive_max_pool2d": (lambda k: k.layers.AdaptiveMaxPooling2D(3), IMG),
    "adaptive_avg_pool2d_channels_first": (lambda k: k.layers.AdaptiveAveragePooling2D(
        (2, 3), data_format="channels_first"), IMG_CF),
    "adaptive_avg_pool3d": (lambda k: k.layers.AdaptiveAveragePooling3D((2, 4, 3)), VOL),
    "adaptive_max_pool3d": (lambda k: k.layers.AdaptiveMaxPooling3D(2), VOL),
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
    "zero_padding1d": (lambda k: k.layers.ZeroPadding1D((1, 2)), SEQ),
    "zero_padding3d": (lambda k: k.layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1))), VOL),
    "zero_padding3d_channels_first": (lambda k: k.layers.ZeroPadding3D(
        1, data_format="channels_first"), VOL_CF),
    "zero_padding2d_channels_first": (lambda k: k.layers.ZeroPadding2D(
        ((1, 2), (0, 1)), data_format="channels_first"), IMG_CF),
    "cropping1d": (lambda k: k.layers.Cropping1D((2, 1)), SEQ),
    "cropping3d": (lambda k: k.layers.Cropping3D(((1, 0), (1, 2), (0, 1))), VOL),
    "cropping2d_channels_first": (lambda k: k.layers.Cropping2D(
        ((1, 2), (0, 1)), data_format="channels_first"), IMG_CF),
    "upsampling1d": (lambda k: k.layers.UpSampling1D(3), SEQ),
    "upsampling3d": (lambda k: k.layers.UpSampling3D((2, 1, 3)), VOL),
    "upsampling2d_channels_first": (lambda k: k.layers.UpSampling2D(
        data_format="channels_first"), IMG_CF),
    "spatial_dropout3d": (lambda k: k.layers.SpatialDropout3D(0.3), VOL),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_matches_keras(rkeras, case):
    make, x = CASES[case]
    check_layer(rkeras, make, x, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", sorted(CASES))
def test_symbolic_call_config_and_repr_match_keras(rkeras, case):
    make, x = CASES[case]
    check_symbolic_and_config(rkeras, make, x)


PADDED = data(2, 5, 4, seed=3)
PADDED[0, 3:] = 0.0
PADDED[1, 1] = 0.0
IMG8 = data(2, 4, 5, 8, seed=4)

MORE = {
    "group_norm": (lambda k: k.layers.GroupNormalization(4), IMG8),
    "group_norm_axis1_no_center": (lambda k: k.layers.GroupNormalization(
        2, axis=1, center=False), IMG8),
    "group_norm_instance": (lambda k: k.layers.GroupNormalization(-1), IMG8),
    "unit_norm": (lambda k: k.layers.UnitNormalization(), SEQ),
    "unit_norm_axes": (lambda k: k.layers.UnitNormalization([1, 2]), IMG8),
    "rms_norm": (lambda k: k.layers.RMSNormalization(), SEQ),
    "spectral_norm_dense": (lambda k: k.layers.SpectralNormalization(k.layers.Dense(3)), SEQ),
    "masking": (lambda k: k.layers.Masking(), PADDED),
    "time_distributed_dense": (lambda k: k.layers.TimeDistributed(k.layers.Dense(3)), SEQ),
    "gaussian_noise": (lambda k: k.layers.GaussianNoise(0.1), SEQ),
    "gaussian_dropout": (lambda k: k.layers.GaussianDropout(0.1), SEQ),
    "alpha_dropout": (lambda k: k.layers.AlphaDropout(0.1), SEQ),
    "activity_regularization": (lambda k: k.layers.ActivityRegularization(0.1, 0.2), SEQ),
    "conv_lstm2d": (lambda k: k.layers.ConvLSTM2D(4, 3), data(2, 3, 6, 6, 2, seed=6)),
    "conv_lstm2d_same_seq": (lambda k: k.layers.ConvLSTM2D(
        3, (2, 3), padding="same", strides=(1, 2), return_sequences=True),
        data(2, 3, 5, 6, 2, seed=7)),
    "conv_lstm1d_state": (lambda k: k.layers.ConvLSTM1D(
        4, 3, return_sequences=True, return_state=True, padding="same"), data(2, 3, 6, 2)),
    "conv_lstm1d_backwards": (lambda k: k.layers.ConvLSTM1D(2, 2, go_backwards=True),
                              data(2, 4, 5, 3)),
    "conv_lstm2d_channels_first": (lambda k: k.layers.ConvLSTM2D(
        2, 2, data_format="channels_first", return_sequences=True), data(2, 3, 2, 5, 6)),
    "conv_lstm3d": (lambda k: k.layers.ConvLSTM3D(2, 2), data(1, 2, 3, 4, 3, 2)),
    "additive_attention": (lambda k: k.layers.AdditiveAttention(), [SEQ, data(2, 4, 3)]),
    "additive_attention_no_scale": (lambda k: k.layers.AdditiveAttention(use_scale=False),
                                    [SEQ, data(2, 4, 3), data(2, 4, 3, seed=5)]),
}


@pytest.mark.parametrize("case", sorted(MORE))
def test_more_layers_match_keras(rkeras, case):
    make, x = MORE[case]
    real, mine = check_layer(rkeras, make, x, rtol=1e-4, atol=1e-5)
    assert [float(v) for v in mine.losses] == pytest.approx([float(v) for v in real.losses],
                                                            rel=1e-5)


@pytest.mark.parametrize("case", sorted(set(MORE) - {"spectral_norm_dense",
                                                     "time_distributed_dense"}))
def test_more_layers_symbolic_and_config(rkeras, case):
    make, x = MORE[case]
    check_symbolic_and_config(rkeras, make, x)


def test_spectral_normalization_training_step_matches_keras(rkeras):
    from parity.layer_parity import build_pair
    x = data(3, 4)
    real, mine = build_pair(rkeras, lambda k: k.layers.SpectralNormalization(
        k.layers.Dense(3), power_iterations=2), x)
    out_r, out_m = real(x, training=True), mine(x, training=True)
    np.testing.assert_allclose(out_m.numpy(), np.asarray(out_r), rtol=1e-5, atol=1e-6)
    for r, m in zip(real.get_weights(), mine.get_weights()):
        np.testing.assert_allclose(m, r, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("rnn", ["LSTM", "GRU", "SimpleRNN"])
def test_masking_mask_reaches_rnn_like_keras(rkeras, rnn):
    from tapeflow import keras
    outs = []
    for k in (rkeras, keras):
        k.utils.set_random_seed(0)
        inp = k.Input((5, 4))
        y = getattr(k.layers, rnn)(3, return_sequences=True,
                                   kernel_initializer="ones",
                                   recurrent_initializer="orthogonal")(k.layers.Masking()(inp))
        model = k.Model(inp, y)
        if outs:
            model.set_weights(weights)
        weights = model.get_weights()
        outs.append(np.asarray(model(PADDED)))
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-5, atol=1e-6)


def test_masking_mask_reaches_attention_like_keras(rkeras):
    from tapeflow import keras
    outs = []
    for k in (rkeras, keras):
        inp = k.Input((5, 4))
        m = k.layers.Masking()(inp)
        att = k.layers.MultiHeadAttention(2, 3, kernel_initializer="ones")(m, m)
        pooled = k.layers.GlobalAveragePooling1D()(m)
        outs.append([np.asarray(t) for t in k.Model(inp, [att, pooled])(PADDED * 0.1)])
    for r, mine in zip(*outs):
        np.testing.assert_allclose(mine, r, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"tie_weights": False, "logit_soft_cap": 2.0}])
def test_reversible_embedding_matches_keras(rkeras, kwargs):
    from tapeflow import keras
    ids = np.array([[1, 2, 0], [3, 3, 4]])
    h = data(2, 3, 4)
    real = rkeras.layers.ReversibleEmbedding(6, 4, **kwargs)
    mine = keras.layers.ReversibleEmbedding(6, 4, **kwargs)
    real(ids), mine(ids)
    mine.set_weights(real.get_weights())
    np.testing.assert_allclose(mine(ids).numpy(), np.asarray(real(ids)))
    np.testing.assert_allclose(mine(h, reverse=True).numpy(),
                               np.asarray(real(h, reverse=True)), rtol=1e-5, atol=1e-6)
    real_config, mine_config = real.get_config(), mine.get_config()
    real_config.pop("name"), mine_config.pop("name")
    assert mine_config == real_config
