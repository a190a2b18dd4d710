"""Core, reshaping, embedding, merging and preprocessing layers against Keras 3, same weights."""
import re

import numpy as np
import pytest

from tapeflow import keras
from parity.layer_parity import (build_pair, check_layer, check_symbolic_and_config, config_of,
                                 data, fresh, paths_of)

X2 = data(3, 5)
X3 = data(2, 3, 5, seed=1)
IMG = data(2, 7, 7, 3, seed=2)

CORE = {
    "dense": (lambda k: k.layers.Dense(4), X2),
    "dense_3d_relu": (lambda k: k.layers.Dense(4, activation="relu"), X3),
    "dense_tanh_no_bias": (lambda k: k.layers.Dense(4, activation="tanh", use_bias=False), X2),
    "dense_softmax": (lambda k: k.layers.Dense(4, activation="softmax"), X2),
    "dense_he": (lambda k: k.layers.Dense(3, kernel_initializer="he_normal",
                                          bias_initializer="ones"), X2),
    "activation_gelu": (lambda k: k.layers.Activation("gelu"), X2),
    "activation_selu": (lambda k: k.layers.Activation("selu"), X3),
    "activation_softmax": (lambda k: k.layers.Activation("softmax"), X3),
    "dropout": (lambda k: k.layers.Dropout(0.5), X2),
    "flatten": (lambda k: k.layers.Flatten(), X3),
    "reshape": (lambda k: k.layers.Reshape((5, -1)), X3),
    "reshape_full": (lambda k: k.layers.Reshape((15,)), X3),
    "permute": (lambda k: k.layers.Permute((2, 1)), X3),
    "repeat_vector": (lambda k: k.layers.RepeatVector(3), X2),
    "leaky_relu": (lambda k: k.layers.LeakyReLU(), X2),
    "leaky_relu_0.1": (lambda k: k.layers.LeakyReLU(negative_slope=0.1), X2),
    "rescaling": (lambda k: k.layers.Rescaling(1 / 255.0, offset=-1), X2),
    "einsum_dense": (lambda k: k.layers.EinsumDense("ab,bc->ac", output_shape=4,
                                                    bias_axes="c"), X2),
    "einsum_dense_3d": (lambda k: k.layers.EinsumDense(
        "abc,cd->abd", output_shape=(None, 4), bias_axes="d", activation="relu"), X3),
    "einsum_dense_heads": (lambda k: k.layers.EinsumDense("abc,cde->abde",
                                                          output_shape=(None, 2, 4)), X3),
    "resizing": (lambda k: k.layers.Resizing(4, 5), IMG),
    "resizing_nearest": (lambda k: k.layers.Resizing(4, 5, interpolation="nearest"), IMG),
    "resizing_crop": (lambda k: k.layers.Resizing(4, 5, crop_to_aspect_ratio=True), IMG),
    "resizing_crop_tall": (lambda k: k.layers.Resizing(6, 2, crop_to_aspect_ratio=True), IMG),
    "center_crop": (lambda k: k.layers.CenterCrop(4, 5), IMG),
    "center_crop_larger": (lambda k: k.layers.CenterCrop(9, 5), IMG),
}


@pytest.mark.parametrize("case", sorted(CORE))
def test_layer_matches_keras(rkeras, case):
    make, x = CORE[case]
    check_layer(rkeras, make, x)


MERGE = {
    "concatenate": (lambda k: k.layers.Concatenate(), [X2, X2 * 2]),
    "concatenate_axis1": (lambda k: k.layers.Concatenate(axis=1), [X3, data(2, 4, 5)]),
    "add": (lambda k: k.layers.Add(), [X2, X2 * 2]),
    "add_three": (lambda k: k.layers.Add(), [X2, X2 * 2, X2 - 1]),
    "multiply": (lambda k: k.layers.Multiply(), [X3, X3 + 1]),
    "average": (lambda k: k.layers.Average(), [X2, X2 * 3]),
    "subtract": (lambda k: k.layers.Subtract(), [X2, X2 * 3]),
    "maximum": (lambda k: k.layers.Maximum(), [X2, -X2]),
    "minimum": (lambda k: k.layers.Minimum(), [X2, -X2]),
    "dot": (lambda k: k.layers.Dot(axes=1), [X2, X2 + 1]),
}


@pytest.mark.parametrize("case", sorted(MERGE))
def test_merging_layer_matches_keras(rkeras, case):
    make, xs = MERGE[case]
    check_layer(rkeras, make, xs)


IDS = np.array([[1, 2, 0], [3, 0, 0]])


@pytest.mark.parametrize("mask_zero", [False, True])
def test_embedding_lookup_mask_and_config(rkeras, mask_zero):
    make = lambda k: k.layers.Embedding(10, 3, mask_zero=mask_zero)  # noqa: E731
    real, mine = check_layer(rkeras, make, IDS, shapes=(2, 3))
    real_mask, mine_mask = real.compute_mask(IDS), mine.compute_mask(IDS)
    if mask_zero:
        np.testing.assert_array_equal(np.asarray(mine_mask), np.asarray(real_mask))
    else:
        assert real_mask is None and mine_mask is None


def test_dropout_training_keeps_the_expected_scale(rkeras):
    # Random values differ by design (README limits): compare what is deterministic.
    real, mine = build_pair(rkeras, lambda k: k.layers.Dropout(0.5), np.ones((50, 40), "f4"))
    out = np.asarray(mine(np.ones((50, 40), "float32"), training=True))
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert set(np.unique(np.asarray(real(np.ones((50, 40), "float32"), training=True)))) \
        <= {0.0, 2.0}


def test_normalization_adapt_matches_keras(rkeras):
    x = data(20, 3, seed=3) * 3 + 1
    real, mine = rkeras.layers.Normalization(), keras.layers.Normalization()
    real.adapt(x)
    mine.adapt(x)
    np.testing.assert_allclose(np.asarray(mine(x)), np.asarray(real(x)), rtol=1e-5, atol=1e-5)
    for r, m in zip(real.get_weights(), mine.get_weights()):
        np.testing.assert_allclose(m, r, rtol=1e-5, atol=1e-6)
    assert paths_of(mine) == paths_of(real)
    assert [str(w.dtype) for w in mine.weights] == [str(w.dtype) for w in real.weights]
    assert mine.count_params() == real.count_params()
    assert config_of(mine) == config_of(real)


@pytest.mark.parametrize("kwargs", [dict(axis=None), dict(mean=[1.0, 2.0, 3.0],
                                                          variance=[4.0, 9.0, 1.0]),
                                    dict(mean=2.0, variance=4.0, invert=True)])
def test_normalization_variants_match_keras(rkeras, kwargs):
    x = data(6, 3, seed=4) * 2 + 1
    real, mine = rkeras.layers.Normalization(**kwargs), keras.layers.Normalization(**kwargs)
    if "mean" not in kwargs:
        real.adapt(x)
        mine.adapt(x)
    np.testing.assert_allclose(np.asarray(mine(x)), np.asarray(real(x)), rtol=1e-5, atol=1e-5)
    assert config_of(mine) == config_of(real)


@pytest.mark.parametrize("name", ["GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform",
                                  "LecunNormal", "LecunUniform", "VarianceScaling",
                                  "Orthogonal", "RandomNormal", "RandomUniform",
                                  "TruncatedNormal", "Zeros", "Ones", "Constant"])
def test_initializer_configs_match_keras(rkeras, name):
    mine = getattr(keras.initializers, name)().get_config()
    real = getattr(rkeras.initializers, name)().get_config()
    assert mine == real
    assert list(mine) == list(real)  # same key order, as printed


def test_sublayer_variable_paths_follow_keras_name_scopes(rkeras):
    def paths(k):
        class Block(k.layers.Layer):
            def __init__(self):
                super().__init__()
                self.inner = k.layers.Dense(2)
                self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

            def call(self, x):
                return self.inner(x) * self.scale

        out = []
        block = Block()
        block(np.ones((1, 3), "float32"))
        out.append([w.path for w in block.weights])
        model = k.Sequential([k.Input((3,)), k.layers.Dense(2)])
        out.append([w.path for w in model.weights])
        inputs = k.Input((3,))
        model = k.Model(inputs, k.layers.Dense(2)(inputs))
        out.append([w.path for w in model.weights])
        return out

    fresh(rkeras)
    expected = paths(rkeras)
    keras.backend.clear_session()
    assert paths(keras) == expected


WRONG_SHAPES = {
    "dense_wrong_features": (lambda k: k.layers.Dense(2), X2, data(3, 4)),
    "dense_rank1": (lambda k: k.layers.Dense(2), None, np.ones((3,), "float32")),
    "reshape_bad_size": (lambda k: k.layers.Reshape((4, 4)), None, X3),
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


SYMBOLIC = {**CORE, **MERGE}


@pytest.mark.parametrize("case", sorted(SYMBOLIC))
def test_symbolic_call_config_and_repr_match_keras(rkeras, case):
    make, x = SYMBOLIC[case]
    check_symbolic_and_config(rkeras, make, x)


MESSAGES = {
    "dense_features": (lambda k: k.layers.Dense(2), X2, data(3, 4)),
    "lstm_rank": (lambda k: k.layers.LSTM(2), None, data(3, 4)),
    "conv2d_rank": (lambda k: k.layers.Conv2D(2, 3), None, data(2, 7, 3)),
    "add_shapes": (lambda k: k.layers.Add(), None, [data(3, 4), data(3, 5)]),
    "concatenate_shapes": (lambda k: k.layers.Concatenate(), None, [data(3, 4), data(2, 4)]),
    "reshape_size": (lambda k: k.layers.Reshape((4, 4)), None, X3),
    "batch_norm_features": (lambda k: k.layers.BatchNormalization(), X2, data(3, 4)),
    "batch_norm_axis1_features": (lambda k: k.layers.BatchNormalization(axis=1), X3,
                                  data(2, 4, 5)),
}


@pytest.mark.parametrize("case", sorted(MESSAGES))
def test_wrong_input_messages_match_keras(rkeras, case):
    make, first, bad = MESSAGES[case]
    messages = []
    for k in (rkeras, keras):
        layer = make(k)
        if first is not None:
            layer(first)
        with pytest.raises(ValueError) as info:
            layer(bad)
        # Keras wraps call-time errors in "Exception encountered when calling ...": keep
        # the message itself.
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(info.value))
        lines = [ln.strip() for ln in text.split("\n")]
        messages.append(next(ln for ln in lines if ln and not ln.startswith("Exception")))
    assert messages[1] == messages[0]
