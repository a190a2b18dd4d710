"""Keras losses vs NumPy references (function and class forms)."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import losses
from gradcheck import check_grads

rng = np.random.RandomState(0)
YT = rng.uniform(0.1, 1.0, (4, 3)).astype(np.float32)
YP = rng.uniform(0.1, 1.0, (4, 3)).astype(np.float32)
EPS = 1e-7


def close(a, b, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(a), b, rtol=rtol, atol=atol)


def _np_log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


REGRESSION = [
    (losses.mean_squared_error, losses.MeanSquaredError, "mean_squared_error",
     lambda t, p: np.mean((t - p) ** 2, -1)),
    (losses.mean_absolute_error, losses.MeanAbsoluteError, "mean_absolute_error",
     lambda t, p: np.mean(np.abs(t - p), -1)),
    (losses.mean_absolute_percentage_error, losses.MeanAbsolutePercentageError,
     "mean_absolute_percentage_error",
     lambda t, p: 100 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), -1)),
    (losses.mean_squared_logarithmic_error, losses.MeanSquaredLogarithmicError,
     "mean_squared_logarithmic_error",
     lambda t, p: np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2,
                          -1)),
    (losses.huber, losses.Huber, "huber_loss",
     lambda t, p: np.mean(np.where(np.abs(p - t) <= 1.0, 0.5 * (p - t) ** 2,
                                   np.abs(p - t) - 0.5), -1)),
    (losses.log_cosh, losses.LogCosh, "log_cosh", lambda t, p: np.mean(np.log(np.cosh(p - t)), -1)),
    (losses.kl_divergence, losses.KLDivergence, "kl_divergence",
     lambda t, p: np.sum(t * np.log(t / p), -1)),
    (losses.poisson, losses.Poisson, "poisson", lambda t, p: np.mean(p - t * np.log(p + EPS), -1)),
    (losses.cosine_similarity, losses.CosineSimilarity, "cosine_similarity",
     lambda t, p: -np.sum(t * p, -1) / np.linalg.norm(t, axis=-1) / np.linalg.norm(p, axis=-1)),
    (losses.categorical_hinge, losses.CategoricalHinge, "categorical_hinge",
     lambda t, p: np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0)),
]


@pytest.mark.parametrize("fn,cls,name,ref", REGRESSION, ids=[r[2] for r in REGRESSION])
def test_function_and_class_forms(fn, cls, name, ref):
    want = ref(YT.astype(np.float64), YP.astype(np.float64))
    out = fn(tf.constant(YT), tf.constant(YP))
    assert out.shape == (4,) and out.dtype == tf.float32
    close(out, want, rtol=1e-4)
    obj = cls()
    assert obj.name == name and obj.reduction == "sum_over_batch_size"
    r = obj(YT, YP)
    assert r.shape == () and r.dtype == tf.float32
    close(r, want.mean(), rtol=1e-4)
    sw = np.array([1.0, 0.0, 2.0, 0.5], np.float32)
    close(obj(YT, YP, sample_weight=sw), (want * sw).sum() / 4, rtol=1e-4)
    close(cls(reduction="sum")(YT, YP), want.sum(), rtol=1e-4)
    close(cls(reduction="none")(YT, YP), want, rtol=1e-4)
    close(cls(reduction=None)(YT, YP), want, rtol=1e-4)
    close(cls(reduction="mean_with_sample_weight")(YT, YP, sample_weight=sw),
          (want * sw).sum() / sw.sum(), rtol=1e-4)


@pytest.mark.parametrize("fn", [r[0] for r in REGRESSION] + [losses.hinge, losses.squared_hinge],
                         ids=lambda f: f.__name__)
def test_gradients_second_order(fn):
    t = rng.uniform(0.2, 0.9, (3, 4))
    p = rng.uniform(0.2, 0.9, (3, 4))
    check_grads(lambda y: fn(tf.constant(t), y), [p], order=2, rtol=1e-4, atol=1e-5)


def test_hinge_converts_binary_labels():
    t = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    p = np.array([[0.3, 0.8], [-0.4, 0.2]], np.float32)
    s = 2 * t - 1
    close(losses.hinge(t, p), np.mean(np.maximum(1 - s * p, 0), -1))
    close(losses.squared_hinge(t, p), np.mean(np.maximum(1 - s * p, 0) ** 2, -1))
    assert losses.Hinge().name == "hinge" and losses.SquaredHinge().name == "squared_hinge"


def _bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def test_binary_crossentropy():
    t = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    p = np.array([[0.2, 0.7], [0.9, 0.4]], np.float32)
    close(losses.binary_crossentropy(t, p), _bce(t, p).mean(-1))
    logits = np.array([[-1.0, 2.0], [30.0, -0.5]], np.float32)
    close(losses.binary_crossentropy(t, logits, from_logits=True),
          _bce(t, 1 / (1 + np.exp(-logits.astype(np.float64)))).mean(-1), rtol=1e-4)
    ts = t * 0.8 + 0.1
    close(losses.BinaryCrossentropy(label_smoothing=0.2)(t, p), _bce(ts, p).mean())
    # labels (N,) against predictions (N, 1) are expanded by the class.
    close(losses.BinaryCrossentropy()(np.array([1.0, 0.0]), np.array([[0.8], [0.3]])),
          _bce(np.array([1.0, 0.0]), np.array([0.8, 0.3])).mean())
    with pytest.raises(ValueError, match="must have the same shape"):
        losses.binary_crossentropy(np.zeros((2, 3)), np.zeros((2, 2)))


def test_perfect_prediction_is_clipped_not_zero_or_nan():
    out = losses.BinaryCrossentropy()([[1.0, 0.0]], [[1.0, 0.0]])
    assert out.dtype == tf.float32
    assert float(out) == pytest.approx(1.192093e-07, rel=1e-5)
    cce = losses.CategoricalCrossentropy()([[0.0, 1.0, 0.0]], [[0.0, 1.0, 0.0]])
    assert float(cce) == pytest.approx(1.192093e-07, rel=1e-5)
    bad = losses.binary_crossentropy([[1.0]], [[0.0]])
    assert np.isfinite(bad.numpy()).all() and float(bad[0]) == pytest.approx(-np.log(1e-7),
                                                                               rel=1e-4)


def test_categorical_crossentropy():
    t = np.eye(3, dtype=np.float32)[[0, 2, 1, 1]]
    p = rng.uniform(0.1, 1, (4, 3)).astype(np.float32)
    pn = p / p.sum(-1, keepdims=True)
    close(losses.categorical_crossentropy(t, p), -np.sum(t * np.log(pn), -1))
    logits = rng.standard_normal((4, 3)).astype(np.float32)
    close(losses.categorical_crossentropy(t, logits, from_logits=True),
          -np.sum(t * _np_log_softmax(logits), -1), rtol=1e-5)
    ts = t * 0.7 + 0.3 / 3
    close(losses.CategoricalCrossentropy(label_smoothing=0.3, from_logits=True)(t, logits),
          np.mean(-np.sum(ts * _np_log_softmax(logits), -1)), rtol=1e-5)
    with pytest.raises(ValueError, match="same rank"):
        losses.categorical_crossentropy(np.zeros(3), np.zeros((2, 3)))


def test_sparse_categorical_crossentropy():
    y = np.array([0, 2, 1, 1])
    p = rng.uniform(0.1, 1, (4, 3)).astype(np.float32)
    p /= p.sum(-1, keepdims=True)
    want = -np.log(p[np.arange(4), y])
    close(losses.sparse_categorical_crossentropy(y, p), want, rtol=1e-5)
    close(losses.SparseCategoricalCrossentropy()(y[:, None], p), want.mean(), rtol=1e-5)
    logits = rng.standard_normal((4, 3)).astype(np.float32)
    close(losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits),
          np.mean(-_np_log_softmax(logits)[np.arange(4), y]), rtol=1e-5)
    # ignore_class: ignored entries give 0 and the mean is over the valid ones.
    yi = np.array([0, -1, 1, -1])
    per = losses.sparse_categorical_crossentropy(yi, p, ignore_class=-1).numpy()
    close(per, [-np.log(p[0, 0]), 0, -np.log(p[2, 1]), 0], rtol=1e-5)
    close(losses.SparseCategoricalCrossentropy(ignore_class=-1)(yi, p),
          (-np.log(p[0, 0]) - np.log(p[2, 1])) / 2, rtol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside the valid range"):
        losses.sparse_categorical_crossentropy(np.array([3]), np.array([[0.2, 0.3, 0.5]]))


def test_crossentropy_gradients():
    t = np.eye(3)[[0, 2]]
    x = rng.standard_normal((2, 3))
    check_grads(lambda z: losses.categorical_crossentropy(tf.constant(t), z, from_logits=True),
                [x], order=2, rtol=1e-4)
    check_grads(lambda z: losses.sparse_categorical_crossentropy(tf.constant([0, 2]), z,
                                                                 from_logits=True),
                [x], order=2, rtol=1e-4)
    check_grads(lambda z: losses.binary_crossentropy(tf.constant(t), z, from_logits=True),
                [x], order=2, rtol=1e-4)
    p = rng.uniform(0.2, 0.8, (2, 3))
    check_grads(lambda z: losses.binary_crossentropy(tf.constant(t), z), [p], order=2, rtol=1e-4)
    check_grads(lambda z: losses.sparse_categorical_crossentropy(tf.constant([0, 2]), z),
                [p], order=1, rtol=1e-4)


def test_loss_in_gradient_tape_trains():
    w = tf.Variable(np.zeros((3, 2), np.float32))
    x = tf.constant(rng.standard_normal((8, 3)).astype(np.float32))
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    loss_fn = losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, tf.matmul(x, w))
    g = tape.gradient(loss, w)
    assert g.shape == (3, 2) and float(loss) == pytest.approx(np.log(2), rel=1e-6)


def test_float64_inputs():
    a = np.array([[1.0, 2.0]])
    b = np.array([[1.5, 2.5]])
    assert losses.MeanSquaredError()(a, b).dtype == tf.float32
    assert losses.mean_squared_error(a, b).dtype == tf.float64


def test_binary_focal_crossentropy():
    t = np.array([[0.0, 1.0]], np.float32)
    p = np.array([[0.2, 0.7]], np.float32)
    pt = t * p + (1 - t) * (1 - p)
    close(losses.binary_focal_crossentropy(t, p, gamma=2.0),
          np.mean((1 - pt) ** 2 * _bce(t, p), -1), rtol=1e-5)
    assert losses.BinaryFocalCrossentropy().name == "binary_focal_crossentropy"


def test_get_serialize_deserialize():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("mean_squared_error") is losses.mean_squared_error
    assert losses.get("binary_crossentropy") is losses.binary_crossentropy
    assert losses.get("sparse_categorical_crossentropy") is \
        losses.sparse_categorical_crossentropy
    assert losses.get("mae") is losses.mean_absolute_error
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    obj = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    assert losses.get(obj) is obj
    cfg = obj.get_config()
    assert cfg == {"name": "binary_crossentropy", "reduction": "sum_over_batch_size",
                   "from_logits": True, "label_smoothing": 0.1, "axis": -1}
    again = losses.deserialize(losses.serialize(obj))
    assert isinstance(again, losses.BinaryCrossentropy) and again.get_config() == cfg
    assert losses.deserialize(losses.serialize(losses.mean_squared_error)) is \
        losses.mean_squared_error
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get("nope")
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        losses.MeanSquaredError(reduction="avg")
    assert keras.losses.MeanSquaredError is losses.MeanSquaredError


def test_custom_loss_subclass():
    class MyLoss(losses.Loss):
        def call(self, y_true, y_pred):
            return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1) * 2.0

    keras.backend.clear_session()
    loss = MyLoss()
    out = loss(np.ones((2, 2)), np.zeros((2, 2)))
    assert float(out) == 2.0 and loss.name == "my_loss" and MyLoss().name == "my_loss_1"


def test_configs_and_function_serialization_as_keras_writes_them():
    # Keras 3: Huber and CosineSimilarity keep only name and reduction in their config,
    # and a loss function serializes as a "builtins" function.
    assert losses.Huber(delta=2.0).get_config() == {"name": "huber_loss",
                                                   "reduction": "sum_over_batch_size"}
    assert losses.CosineSimilarity(axis=0).get_config() == {
        "name": "cosine_similarity", "reduction": "sum_over_batch_size"}
    assert losses.serialize(losses.mean_squared_error) == {
        "module": "builtins", "class_name": "function", "config": "mean_squared_error",
        "registered_name": "function"}
