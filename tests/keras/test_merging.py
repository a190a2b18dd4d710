"""Merge layers: values against NumPy, shapes, gradients, errors, functional forms."""
import os
import sys

import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras import layers

sys.path.insert(0, os.path.dirname(__file__))
from layer_harness import run_layer_test  # noqa: E402

A = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], np.float32)
B = np.array([[2.0, 1.0, -3.0], [1.5, -4.0, 2.0]], np.float32)
C = np.array([[0.0, 5.0, 1.0], [-1.0, 1.0, 1.0]], np.float32)


@pytest.mark.parametrize("cls,ref", [
    (layers.Add, lambda a, b, c: a + b + c),
    (layers.Multiply, lambda a, b, c: a * b * c),
    (layers.Average, lambda a, b, c: (a + b + c) / 3),
    (layers.Maximum, lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    (layers.Minimum, lambda a, b, c: np.minimum(np.minimum(a, b), c)),
])
def test_elementwise_merges(cls, ref):
    y = cls()([A, B, C])
    np.testing.assert_allclose(y.numpy(), ref(A, B, C), rtol=1e-6)
    run_layer_test(cls, {}, input_shape=[(2, 3), (2, 3)], expected_output_shape=(2, 3))


def test_subtract():
    np.testing.assert_array_equal(layers.Subtract()([A, B]).numpy(), A - B)
    run_layer_test(layers.Subtract, {}, input_shape=[(2, 3), (2, 3)],
                   expected_output_shape=(2, 3))
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([A, B, C])


def test_concatenate():
    np.testing.assert_array_equal(layers.Concatenate()([A, B]).numpy(),
                                  np.concatenate([A, B], -1))
    np.testing.assert_array_equal(layers.Concatenate(axis=0)([A, B]).numpy(),
                                  np.concatenate([A, B], 0))
    run_layer_test(layers.Concatenate, {"axis": -1}, input_shape=[(2, 3), (2, 4)],
                   expected_output_shape=(2, 7))
    with pytest.raises(ValueError, match="matching shapes"):
        layers.Concatenate()([np.ones((2, 3)), np.ones((3, 3))])


def test_dot():
    np.testing.assert_allclose(layers.Dot(axes=1)([A, B]).numpy(),
                               np.sum(A * B, axis=1, keepdims=True), rtol=1e-6)
    run_layer_test(layers.Dot, {"axes": 1}, input_shape=[(2, 3), (2, 3)],
                   expected_output_shape=(2, 1))
    x = np.random.rand(2, 4, 3).astype(np.float32)
    y = np.random.rand(2, 5, 3).astype(np.float32)
    np.testing.assert_allclose(layers.Dot(axes=2)([x, y]).numpy(),
                               np.einsum("bnd,bmd->bnm", x, y), rtol=1e-5)
    run_layer_test(layers.Dot, {"axes": 2}, input_shape=[(2, 4, 3), (2, 5, 3)],
                   expected_output_shape=(2, 4, 5))
    cos = layers.Dot(axes=1, normalize=True)([A, B]).numpy()
    ref = np.sum(A * B, 1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    np.testing.assert_allclose(cos[:, 0], ref, rtol=1e-5)


def test_merge_requires_a_list():
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        layers.Add()(A)


def test_functional_forms_build_graphs():
    a = keras.Input(shape=(3,))
    b = keras.Input(shape=(3,))
    for fn, ref in [(layers.add, A + B), (layers.subtract, A - B), (layers.multiply, A * B),
                    (layers.average, (A + B) / 2), (layers.maximum, np.maximum(A, B)),
                    (layers.minimum, np.minimum(A, B))]:
        model = keras.Model([a, b], fn([a, b]))
        np.testing.assert_allclose(model([A, B]).numpy(), ref, rtol=1e-6)
    cat = layers.concatenate([a, b])
    assert cat.shape == (None, 6)
    assert layers.dot([a, b], axes=1).shape == (None, 1)


def test_add_of_incompatible_shapes_is_a_value_error_without_the_batch_axis():
    # Keras 3: "Inputs have incompatible shapes. Received shapes (4,) and (5,)"
    with pytest.raises(ValueError, match=r"Received shapes \(4,\) and \(5,\)"):
        keras.layers.Add()([np.ones((3, 4), "float32"), np.ones((3, 5), "float32")])
