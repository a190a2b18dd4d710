"""The fit hot path's fused ops give the composite's exact values and gradients."""
import warnings

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras.losses import functions as F
from tapeflow.ops import clip_ops, math_ops as m, nn_ops

from gradcheck import check_grads


def _composite(y, p):
    """Keras's formula written with separate ops: xent(log(clip(p, 1e-7, 1 - 1e-7)))."""
    logits = m.log(clip_ops.clip_by_value(p, 1e-7, 1 - 1e-7))
    return nn_ops.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)


def _probs(rng, shape, dtype):
    p = np.exp(rng.standard_normal(shape) * 8)
    p /= p.sum(-1, keepdims=True)
    if p.size:
        p.reshape(-1)[:3] = [0.0, 1.0, 1e-9]  # below, above and inside the clip range
    return p.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("shape", [(16, 10), (2, 3, 5), (0, 4)])
def test_sparse_cce_from_probs_matches_composite_bit_for_bit(dtype, shape):
    rng = np.random.default_rng(0)
    p = tf.constant(_probs(rng, shape, dtype))
    y = tf.constant(rng.integers(0, shape[-1], shape[:-1]).astype(np.int64))
    dy = tf.constant(rng.standard_normal(shape[:-1]).astype(dtype))
    results = []
    for f in (F.sparse_categorical_crossentropy, _composite):
        with np.errstate(all="ignore"), tf.GradientTape() as tape:
            tape.watch(p)
            loss = f(y, p)
        results.append((loss, tape.gradient(loss, p, output_gradients=dy)))
    (fused, fused_g), (ref, ref_g) = results
    assert fused.dtype == ref.dtype == tf.as_dtype(dtype)
    assert fused_g.dtype == tf.as_dtype(dtype)
    np.testing.assert_array_equal(fused.numpy(), ref.numpy())
    np.testing.assert_array_equal(fused_g.numpy(), ref_g.numpy())


@pytest.mark.parametrize("layout", ["transposed", "rank1"])
def test_sparse_cce_from_probs_other_layouts_match_composite(layout):
    rng = np.random.default_rng(2)
    if layout == "transposed":
        p = tf.constant(np.asfortranarray(_probs(rng, (6, 4), np.float32)))
        y = tf.constant(rng.integers(0, 4, 6))
    else:
        p, y = tf.constant([0.3, 0.0, 0.7]), tf.constant(2)
    out = []
    for f in (F.sparse_categorical_crossentropy, _composite):
        with tf.GradientTape() as tape:
            tape.watch(p)
            loss = f(y, p)
        out.append((loss.numpy(), tape.gradient(loss, p).numpy()))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])


def test_sparse_cce_from_probs_is_one_recorded_op():
    p = tf.constant([[0.2, 0.7, 0.1]])
    with tf.GradientTape() as tape:
        tape.watch(p)
        F.sparse_categorical_crossentropy(tf.constant([1]), p)
    assert [r.op.name for r in tape._records] == ["SparseCategoricalCrossentropyFromProbs"]


def test_sparse_cce_from_probs_second_order():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.1, 0.9, (4, 3))
    labels = tf.constant([0, 2, 1, 2])
    check_grads(lambda q: F.sparse_categorical_crossentropy(labels, q), [p], order=2)
    # the second derivative equals the composite's exactly
    pt = tf.constant(p)
    out = []
    for f in (F.sparse_categorical_crossentropy, _composite):
        with tf.GradientTape() as outer:
            outer.watch(pt)
            with tf.GradientTape() as inner:
                inner.watch(pt)
                loss = tf.reduce_sum(f(labels, pt))
            g = inner.gradient(loss, pt)
            gg = tf.reduce_sum(g * g)
        out.append((g.numpy(), outer.gradient(gg, pt).numpy()))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])


def test_sparse_cce_label_out_of_range_raises():
    with pytest.raises(tf.errors.InvalidArgumentError, match="label value of 3"):
        F.sparse_categorical_crossentropy(tf.constant([3]), tf.constant([[0.2, 0.7, 0.1]]))


def test_sparse_cce_loss_class_value_and_ignore_class():
    y, p = [1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    loss = keras.losses.SparseCategoricalCrossentropy()(y, p)
    assert loss.dtype == tf.float32
    np.testing.assert_allclose(loss.numpy(), 1.1769392, rtol=1e-6)  # keras.io's example
    masked = keras.losses.SparseCategoricalCrossentropy(ignore_class=2)(y, p)
    np.testing.assert_allclose(masked.numpy(), -np.log(np.float32(0.95)), rtol=1e-5)


def test_relu_gradient_multiplies_by_the_mask_like_tensorflow():
    # TensorFlow's ReluGrad is dy * (x > 0): 0 at the kink, NaN upstream stays NaN.
    x = tf.constant([-1.0, 0.0, 2.0, -3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.relu(x)
    g = tape.gradient(y, x, output_gradients=tf.constant([5.0, 5.0, 5.0, np.nan]))
    assert g.dtype == tf.float32
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0, 5.0, np.nan])


def _cce_composite(t, p, axis=-1):
    """Keras's categorical formula with separate ops."""
    output = p / m.reduce_sum(p, axis=axis, keepdims=True)
    output = clip_ops.clip_by_value(output, 1e-7, 1 - 1e-7)
    return -m.reduce_sum(t * m.log(output), axis=axis)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("shape,axis", [((16, 10), -1), ((4, 3, 5), 1), ((0, 4), -1),
                                        ((6, 1), -1)])
def test_categorical_cce_from_probs_matches_composite_bit_for_bit(dtype, shape, axis):
    rng = np.random.default_rng(3)
    p = rng.random(shape) ** 6  # unnormalised, some below the clip range
    if p.size:
        p.reshape(-1)[:2] = [0.0, 5.0]
    p, t = tf.constant(p.astype(dtype)), tf.constant(rng.random(shape).astype(dtype))
    out_shape = tuple(n for i, n in enumerate(shape) if i != axis % len(shape))
    dy = tf.constant(rng.standard_normal(out_shape).astype(dtype))
    results = []
    for f in (lambda: F.categorical_crossentropy(t, p, axis=axis),
              lambda: _cce_composite(t, p, axis)):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # the (6, 1) shape's warning
            with tf.GradientTape() as tape:
                tape.watch([t, p])
                loss = f()
            results.append([loss] + tape.gradient(loss, [t, p], output_gradients=dy))
    for fused, ref in zip(*results):
        assert fused.dtype == ref.dtype == tf.as_dtype(dtype)
        np.testing.assert_array_equal(fused.numpy(), ref.numpy())


def test_categorical_cce_from_probs_one_op_labels_unwatched_and_second_order():
    t = tf.constant([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    p = tf.constant([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2]])
    with tf.GradientTape() as tape:
        tape.watch(p)
        loss = F.categorical_crossentropy(t, p)
    assert [r.op.name for r in tape._records] == ["CategoricalCrossentropyFromProbs"]
    g = tape.gradient(loss, p)
    np.testing.assert_allclose(g.numpy(), [[1.0, 1 - 1 / 0.7, 1.0], [1 - 1 / 0.5, 1.0, 1.0]],
                               rtol=1e-6)
    np.testing.assert_allclose(loss.numpy(), -np.log([0.7, 0.5]), rtol=1e-6)
    rng = np.random.default_rng(4)
    labels = rng.random((3, 4))
    check_grads(lambda q: F.categorical_crossentropy(labels, q), [rng.uniform(0.1, 0.9, (3, 4))],
                order=2)
    check_grads(lambda y, q: F.categorical_crossentropy(y, q),
                [labels, rng.uniform(0.1, 0.9, (3, 4))], order=2)


def test_categorical_crossentropy_keras_example_and_bad_axis():
    loss = keras.losses.CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]],
                                                  [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    np.testing.assert_allclose(loss.numpy(), 1.1769392, rtol=1e-6)  # keras.io's example
    with pytest.raises(Exception):
        F.categorical_crossentropy(tf.constant([[0.0, 1.0]]), tf.constant([[0.3, 0.7]]), axis=2)
