"""Keras 3's newer losses: documented formulas, reductions, configs and gradients."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow import keras

L = keras.losses
RNG = np.random.default_rng(0)


def test_dice_and_tversky_formulas():
    t = np.array([[1.0, 0.0, 1.0, 1.0]])
    p = np.array([[0.9, 0.2, 0.4, 1.0]])
    inter = np.sum(t * p)
    np.testing.assert_allclose(L.dice(t, p).numpy(), 1 - 2 * inter / (t.sum() + p.sum() + 1e-7))
    fp, fn = np.sum((1 - p) * t), np.sum(p * (1 - t))
    np.testing.assert_allclose(L.tversky(t, p, alpha=0.3, beta=0.7).numpy(),
                               1 - inter / (inter + 0.3 * fp + 0.7 * fn + 1e-7))
    assert L.Tversky(0.3, 0.7).get_config()["alpha"] == 0.3


def test_categorical_focal_crossentropy_reduces_to_weighted_cce_at_gamma_0():
    y = np.eye(3)[[0, 2]]
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    out = L.categorical_focal_crossentropy(y, p, alpha=1.0, gamma=0.0).numpy()
    np.testing.assert_allclose(out, -np.log([0.7, 0.6]), rtol=1e-6)
    loss = L.CategoricalFocalCrossentropy()
    assert loss.get_config()["gamma"] == 2.0 and loss.name == "categorical_focal_crossentropy"


def test_generalized_cross_entropy():
    p = np.array([[0.7, 0.3], [0.4, 0.6]], "float32")
    np.testing.assert_allclose(L.categorical_generalized_cross_entropy([0, 1], p, q=0.5),
                               (1 - np.sqrt([0.7, 0.6])) / 0.5, rtol=1e-6)
    with pytest.raises(ValueError, match="interval"):
        L.CategoricalGeneralizedCrossEntropy(q=1.5)


def test_circle_loss_masks_zero_losses_and_is_differentiable():
    emb = RNG.standard_normal((6, 4))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    labels = np.array([0, 1, 0, 1, 2, 2])
    per_sample = L.circle(labels, emb, gamma=10.0).numpy()
    assert per_sample.shape == (6,) and np.all(per_sample >= 0)
    check_grads(lambda e: L.circle(labels, e, gamma=10.0), [emb], order=1, name="circle")
    value = float(L.Circle(gamma=10.0)(labels, emb.astype("float32")))
    np.testing.assert_allclose(value, per_sample[per_sample > 0].mean(), rtol=1e-5)


def test_ctc_loss_class_and_gradient():
    labels = np.array([[1, 2, 0], [2, 0, 0]])
    logits = RNG.standard_normal((2, 5, 3))
    per = L.ctc(labels, logits).numpy()
    expect = tf.nn.ctc_loss(labels, logits, [2, 1], [5, 5], logits_time_major=False,
                            blank_index=0).numpy()
    np.testing.assert_allclose(per, expect)
    np.testing.assert_allclose(float(L.CTC()(labels, logits.astype("float32"))), per.mean(),
                               rtol=1e-5)
    with pytest.raises(ValueError, match="max_length"):
        L.ctc(np.zeros(3), logits)


@pytest.mark.parametrize("fn,kwargs", [("dice", {}), ("tversky", {"alpha": 0.2}),
                                       ("categorical_focal_crossentropy", {})])
def test_loss_gradients(fn, kwargs):
    t = np.eye(3)[[0, 2, 1]]
    p = RNG.uniform(0.1, 1.0, (3, 3))
    check_grads(lambda x: getattr(L, fn)(t, x, **kwargs), [p], order=2, name=fn)


def test_get_by_name():
    assert L.get("dice") is L.dice
    assert isinstance(L.get("Tversky"), L.Tversky)
    restored = L.deserialize(L.serialize(L.Circle(gamma=5.0)))
    assert isinstance(restored, L.Circle) and restored.gamma == 5.0
