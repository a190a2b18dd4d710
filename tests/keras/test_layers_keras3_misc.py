"""Noise, normalization, wrapper, masking and additive attention layers (Keras 3 additions):
shapes, configs, training steps and gradient checks (via the layer harness), and behaviour."""
import os
import sys

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

sys.path.insert(0, os.path.dirname(__file__))
from layer_harness import run_layer_test  # noqa: E402

L = keras.layers


def test_group_normalization():
    y = run_layer_test(L.GroupNormalization, {"groups": 2}, input_shape=(3, 2, 4),
                       expected_output_shape=(3, 2, 4), expected_num_trainable_weights=2)
    # each (sample, group) is normalized: zero mean over the group's 2 x 2 values
    g = y.numpy().reshape(3, 2, 2, 2)
    np.testing.assert_allclose(g.mean(axis=(1, 3)), 0, atol=1e-5)


def test_group_normalization_refuses_indivisible_channels():
    with pytest.raises(ValueError, match="multiple"):
        L.GroupNormalization(3)(np.zeros((1, 4), "float32"))


def test_unit_and_rms_normalization():
    y = run_layer_test(L.UnitNormalization, {}, input_shape=(3, 4),
                       expected_output_shape=(3, 4))
    np.testing.assert_allclose(np.linalg.norm(y.numpy(), axis=-1), 1, rtol=1e-5)
    y = run_layer_test(L.RMSNormalization, {}, input_shape=(3, 4),
                       expected_output_shape=(3, 4), expected_num_trainable_weights=1)
    np.testing.assert_allclose(np.mean(y.numpy() ** 2, axis=-1), 1, rtol=1e-4)


def test_spectral_normalization_bounds_the_spectral_norm():
    layer = L.SpectralNormalization(L.Dense(4), power_iterations=20)
    x = np.random.RandomState(0).randn(5, 3).astype("float32")
    layer(x)
    layer(x, training=True)
    sigma = np.linalg.svd(layer.layer.kernel.numpy(), compute_uv=False)[0]
    np.testing.assert_allclose(sigma, 1.0, rtol=1e-3)
    assert [w.name for w in layer.non_trainable_weights] == ["vector_u"]
    clone = L.SpectralNormalization.from_config(layer.get_config())
    assert clone.power_iterations == 20 and isinstance(clone.layer, L.Dense)
    with pytest.raises(ValueError, match="power_iterations"):
        L.SpectralNormalization(L.Dense(2), power_iterations=0)


@pytest.mark.parametrize("cls,kwargs", [(L.GaussianNoise, {"stddev": 0.5}),
                                        (L.GaussianDropout, {"rate": 0.3}),
                                        (L.AlphaDropout, {"rate": 0.3})])
def test_noise_layers_are_identity_at_inference_and_seeded_in_training(cls, kwargs):
    x = np.random.RandomState(0).randn(200, 50).astype("float32")
    run_layer_test(cls, kwargs, input_data=x, input_shape=x.shape,
                   expected_output_shape=x.shape, expected_output=x, grad_order=1)
    a = cls(seed=3, **kwargs)(x, training=True).numpy()
    b = cls(seed=3, **kwargs)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, x)
    if cls is L.AlphaDropout:   # keeps mean and variance of standard-normal inputs
        assert abs(a.mean()) < 0.05 and abs(a.std() - 1) < 0.05


def test_activity_regularization_adds_a_batch_normalized_loss():
    layer = L.ActivityRegularization(l1=0.1, l2=0.01)
    x = np.full((4, 3), 2.0, "float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    # (0.1 * 24 + 0.01 * 48) / batch 4
    np.testing.assert_allclose(float(layer.losses[0]), (2.4 + 0.48) / 4, rtol=1e-6)
    assert layer.get_config()["l1"] == 0.1 and "activity_regularizer" not in layer.get_config()


def test_masking_zeroes_and_masks_padded_steps():
    x = np.ones((2, 4, 3), "float32")
    x[0, 2:] = 0
    # no finite-difference check: the mask jumps where a step leaves the mask value
    y = run_layer_test(L.Masking, {}, input_data=x, input_shape=x.shape,
                       expected_output_shape=x.shape, grad_order=0)
    np.testing.assert_array_equal(y.numpy(), x)
    mask = L.Masking().compute_mask(tf.constant(x))
    np.testing.assert_array_equal(mask.numpy(), [[1, 1, 0, 0], [1, 1, 1, 1]])


def test_masking_into_lstm_ignores_padded_steps():
    x = np.random.RandomState(0).randn(1, 5, 2).astype("float32")
    padded = np.concatenate([x, np.zeros((1, 3, 2), "float32")], axis=1)
    lstm = L.LSTM(3)
    short = lstm(x).numpy()
    long = lstm(L.Masking()(padded)).numpy()
    np.testing.assert_allclose(long, short, rtol=1e-6)


class _TimeDistributedDense(L.TimeDistributed):
    """A fresh inner Dense per instance (the harness builds several, some in float64)."""

    def __init__(self, layer=None, **kwargs):
        super().__init__(layer or L.Dense(2, dtype=kwargs.get("dtype")), **kwargs)


def test_time_distributed_dense():
    run_layer_test(_TimeDistributedDense, {}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 2), expected_num_trainable_weights=2,
                   check_serialization=False)
    layer = L.TimeDistributed(L.Dense(2))
    layer(np.ones((1, 3, 4), "float32"))
    restored = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(restored) is L.TimeDistributed and type(restored.layer) is L.Dense


def test_time_distributed_matches_per_step_calls():
    td = L.TimeDistributed(L.Conv1D(2, 2))
    x = np.random.RandomState(1).randn(2, 3, 5, 4).astype("float32")
    y = td(x).numpy()
    for t in range(3):
        np.testing.assert_allclose(y[:, t], td.layer(x[:, t]).numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="3 dimensions"):
        L.TimeDistributed(L.Dense(2))(np.zeros((2, 3), "float32"))


def test_pipeline_chains_layers_and_round_trips():
    p = L.Pipeline([L.Dense(3), L.Dense(2)])
    x = np.ones((2, 4), "float32")
    y = p(x)
    assert y.shape == (2, 2) and len(p.weights) == 4
    clone = L.Pipeline.from_config(p.get_config())
    assert [type(layer) for layer in clone.layers] == [L.Dense, L.Dense]
    with pytest.raises(ValueError, match="layers"):
        L.Pipeline.from_config({"name": "p"})


def test_wrapper_refuses_a_non_layer():
    with pytest.raises(ValueError, match="Wrapper"):
        L.Wrapper("dense")


def test_additive_attention():
    run_layer_test(L.AdditiveAttention, {}, input_shape=[(2, 3, 4), (2, 5, 4)],
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1)


def test_conv_lstm1d_layer():
    run_layer_test(L.ConvLSTM1D, {"filters": 2, "kernel_size": 2, "padding": "same",
                                  "return_sequences": True},
                   input_shape=(1, 3, 4, 2), expected_output_shape=(1, 3, 4, 2),
                   expected_num_trainable_weights=3)


def test_conv_lstm2d_states_and_weights():
    layer = L.ConvLSTM2D(3, 2, return_state=True)
    out, h, c = layer(np.random.RandomState(0).randn(2, 4, 5, 5, 2).astype("float32"))
    assert out.shape == h.shape == c.shape == (2, 4, 4, 3)
    np.testing.assert_array_equal(out.numpy(), h.numpy())
    assert [w.shape for w in layer.weights] == [(2, 2, 2, 12), (2, 2, 3, 12), (12,)]
    np.testing.assert_array_equal(layer.cell.bias.numpy()[3:6], 1.0)   # unit_forget_bias
    assert layer.compute_output_shape((None, 4, 5, 5, 2)) == ((None, 4, 4, 3),) * 3


def test_reversible_embedding_ties_and_caps():
    layer = L.ReversibleEmbedding(6, 4)
    ids = np.array([[1, 2], [3, 0]])
    h = layer(ids)
    assert h.shape == (2, 2, 4)
    logits = layer(h, reverse=True).numpy()
    np.testing.assert_allclose(logits, h.numpy() @ layer.embeddings.numpy().T, rtol=1e-5)
    capped = L.ReversibleEmbedding(6, 4, tie_weights=False, logit_soft_cap=0.5)
    capped(ids)
    out = capped(np.ones((2, 4), "float32") * 10, reverse=True).numpy()
    assert out.shape == (2, 6) and np.all(np.abs(out) <= 0.5)
    assert [w.name for w in capped.weights] == ["embeddings", "reverse_embeddings"]
    clone = L.ReversibleEmbedding.from_config(capped.get_config())
    assert clone.logit_soft_cap == 0.5 and clone.tie_weights is False
