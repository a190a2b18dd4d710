"""Parity of ``keras.losses`` with Keras 3: functions, classes, reductions, weights, configs."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

RNG = np.random.RandomState(0)
PROB2 = RNG.uniform(0.05, 0.95, (4, 3)).astype("float32")
PROB3 = RNG.uniform(0.05, 0.95, (2, 3, 4)).astype("float32")
BIN2 = (RNG.uniform(size=(4, 3)) > 0.5).astype("float32")
BIN3 = (RNG.uniform(size=(2, 3, 4)) > 0.5).astype("float32")
REG1 = RNG.normal(size=(5,)).astype("float32")
REG1B = RNG.normal(size=(5,)).astype("float32")
REG2 = RNG.normal(size=(4, 3)).astype("float32")
REG2B = RNG.normal(size=(4, 3)).astype("float32") * 2.0
REG3 = RNG.normal(size=(2, 3, 4)).astype("float32")
REG3B = RNG.normal(size=(2, 3, 4)).astype("float32")
POS2 = RNG.uniform(0.1, 3.0, (4, 3)).astype("float32")
POS2B = RNG.uniform(0.1, 3.0, (4, 3)).astype("float32")
LOGITS2 = RNG.normal(size=(4, 3)).astype("float32") * 2
LOGITS3 = RNG.normal(size=(2, 3, 4)).astype("float32") * 2
ONEHOT2 = np.eye(3, dtype="float32")[[0, 2, 1, 2]]
ONEHOT3 = np.eye(4, dtype="float32")[[[0, 3, 1], [2, 2, 0]]]
SOFT2 = (np.exp(LOGITS2) / np.exp(LOGITS2).sum(-1, keepdims=True)).astype("float32")
SOFT3 = (np.exp(LOGITS3) / np.exp(LOGITS3).sum(-1, keepdims=True)).astype("float32")
SPARSE2 = np.array([0, 2, 1, 2], dtype="int32")
SPARSE3 = np.array([[0, 3, 1], [2, 2, 0]], dtype="int64")
PM2 = BIN2 * 2 - 1

# (function name, y_true, y_pred, kwargs)
FUNCTION_CASES = [
    ("mean_squared_error", REG1, REG1B, {}),
    ("mean_squared_error", REG2, REG2B, {}),
    ("mean_squared_error", REG3, REG3B, {}),
    ("mean_absolute_error", REG2, REG2B, {}),
    ("mean_absolute_error", REG3, REG3B, {}),
    ("mean_absolute_percentage_error", REG2, REG2B, {}),
    ("mean_squared_logarithmic_error", POS2, POS2B, {}),
    ("mean_squared_logarithmic_error", REG2, REG2B, {}),
    ("cosine_similarity", REG2, REG2B, {}),
    ("cosine_similarity", REG3, REG3B, {"axis": 1}),
    ("huber", REG2, REG2B, {}),
    ("huber", REG3, REG3B, {"delta": 0.5}),
    ("log_cosh", REG2, REG2B, {}),
    ("log_cosh", REG3, REG3B, {}),
    ("kl_divergence", SOFT2, PROB2, {}),
    ("kl_divergence", ONEHOT2, SOFT2, {}),
    ("poisson", POS2, POS2B, {}),
    ("hinge", BIN2, REG2, {}),
    ("hinge", PM2, REG2, {}),
    ("squared_hinge", BIN2, REG2, {}),
    ("squared_hinge", PM2, REG2, {}),
    ("categorical_hinge", ONEHOT2, REG2, {}),
    ("binary_crossentropy", BIN2, PROB2, {}),
    ("binary_crossentropy", BIN3, PROB3, {}),
    ("binary_crossentropy", BIN2, LOGITS2, {"from_logits": True}),
    ("binary_crossentropy", BIN2, PROB2, {"label_smoothing": 0.2}),
    ("binary_crossentropy", BIN2, LOGITS2, {"from_logits": True, "label_smoothing": 0.1}),
    ("binary_crossentropy", BIN3, PROB3, {"axis": 1}),
    ("binary_crossentropy", BIN2[:, 0], PROB2[:, 0], {}),
    ("binary_focal_crossentropy", BIN2, PROB2, {}),
    ("binary_focal_crossentropy", BIN2, LOGITS2, {"from_logits": True, "gamma": 1.5}),
    ("binary_focal_crossentropy", BIN2, PROB2,
     {"apply_class_balancing": True, "alpha": 0.4, "label_smoothing": 0.1}),
    ("categorical_crossentropy", ONEHOT2, SOFT2, {}),
    ("categorical_crossentropy", ONEHOT2, PROB2, {}),
    ("categorical_crossentropy", ONEHOT3, SOFT3, {}),
    ("categorical_crossentropy", ONEHOT2, LOGITS2, {"from_logits": True}),
    ("categorical_crossentropy", ONEHOT2, SOFT2, {"label_smoothing": 0.1}),
    ("categorical_crossentropy", ONEHOT2, LOGITS2, {"from_logits": True,
                                                     "label_smoothing": 0.3}),
    ("categorical_crossentropy", np.swapaxes(ONEHOT3, 1, 2), np.swapaxes(SOFT3, 1, 2),
     {"axis": 1}),
    ("sparse_categorical_crossentropy", SPARSE2, SOFT2, {}),
    ("sparse_categorical_crossentropy", SPARSE2, LOGITS2, {"from_logits": True}),
    ("sparse_categorical_crossentropy", SPARSE2[:, None], SOFT2, {}),
    ("sparse_categorical_crossentropy", SPARSE3, SOFT3, {}),
    ("sparse_categorical_crossentropy", SPARSE3, LOGITS3, {"from_logits": True}),
    ("sparse_categorical_crossentropy", SPARSE2.astype("float32"), SOFT2, {}),
]


def _ids(cases):
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


@pytest.mark.parametrize("name,y_true,y_pred,kwargs", FUNCTION_CASES, ids=_ids(FUNCTION_CASES))
def test_loss_functions(rkeras, name, y_true, y_pred, kwargs):
    ours = getattr(keras.losses, name)(y_true, y_pred, **kwargs)
    theirs = getattr(rkeras.losses, name)(y_true, y_pred, **kwargs)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype.name == theirs.dtype.name
    np.testing.assert_allclose(ours.numpy(), np.asarray(theirs), rtol=2e-5, atol=2e-6)


# (class name, constructor kwargs, y_true, y_pred)
CLASS_CASES = [
    ("MeanSquaredError", {}, REG2, REG2B),
    ("MeanSquaredError", {}, REG1, REG1B),
    ("MeanSquaredError", {}, REG3, REG3B),
    ("MeanAbsoluteError", {}, REG2, REG2B),
    ("MeanAbsolutePercentageError", {}, REG2, REG2B),
    ("MeanSquaredLogarithmicError", {}, POS2, POS2B),
    ("CosineSimilarity", {"axis": 0}, REG2, REG2B),
    ("Huber", {"delta": 2.0}, REG2, REG2B),
    ("LogCosh", {}, REG2, REG2B),
    ("KLDivergence", {}, SOFT2, PROB2),
    ("Poisson", {}, POS2, POS2B),
    ("Hinge", {}, BIN2, REG2),
    ("SquaredHinge", {}, PM2, REG2),
    ("CategoricalHinge", {}, ONEHOT2, REG2),
    ("BinaryCrossentropy", {}, BIN2, PROB2),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, BIN3, LOGITS3),
    ("BinaryFocalCrossentropy", {"gamma": 3.0, "from_logits": True}, BIN2, LOGITS2),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True}, BIN2, PROB2),
    ("CategoricalCrossentropy", {}, ONEHOT2, SOFT2),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, ONEHOT3,
     LOGITS3),
    ("SparseCategoricalCrossentropy", {}, SPARSE2, SOFT2),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, SPARSE3, LOGITS3),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, SPARSE2,
     LOGITS2),
    ("SparseCategoricalCrossentropy", {"ignore_class": 0}, SPARSE3, SOFT3),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"]


def _weights(y_true, kind):
    n = np.shape(y_true)[0]
    if kind is None:
        return None
    if kind == "batch":
        return np.linspace(0.0, 2.0, n).astype("float32")
    if kind == "column":
        return np.linspace(0.5, 1.5, n).astype("float32")[:, None]
    return np.float32(0.5)   # scalar


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, "batch", "column", "scalar"])
@pytest.mark.parametrize("cls,kwargs,y_true,y_pred", CLASS_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CLASS_CASES)])
def test_loss_classes(rkeras, cls, kwargs, y_true, y_pred, reduction, weight):
    sw = _weights(y_true, weight)
    ours = getattr(keras.losses, cls)(reduction=reduction, **kwargs)
    theirs = getattr(rkeras.losses, cls)(reduction=reduction, **kwargs)
    try:
        b = theirs(y_true, y_pred, sample_weight=sw)
    except Exception as e:   # e.g. weights that do not broadcast: the same error class
        with pytest.raises(Exception) as ours_error:
            ours(y_true, y_pred, sample_weight=sw)
        assert type(ours_error.value).__name__ == type(e).__name__
        return
    a = ours(y_true, y_pred, sample_weight=sw)
    assert tuple(a.shape) == tuple(b.shape)
    assert a.dtype.name == b.dtype.name
    np.testing.assert_allclose(a.numpy(), np.asarray(b), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("cls,kwargs", [(c[0], c[1]) for c in CLASS_CASES],
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CLASS_CASES)])
def test_loss_configs(rkeras, cls, kwargs):
    ours = getattr(keras.losses, cls)(**kwargs)
    theirs = getattr(rkeras.losses, cls)(**kwargs)
    assert ours.name == theirs.name
    assert ours.get_config() == theirs.get_config()
    assert ours.reduction == theirs.reduction
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()
    named = getattr(keras.losses, cls)(name="custom", reduction="sum", **kwargs)
    assert named.get_config() == getattr(rkeras.losses, cls)(
        name="custom", reduction="sum", **kwargs).get_config()


@pytest.mark.parametrize("name", ["mse", "mae", "mape", "msle", "kld", "bce",
                                  "binary_crossentropy", "categorical_crossentropy",
                                  "BinaryCrossentropy", "Huber", "huber", "log_cosh",
                                  "SparseCategoricalCrossentropy"])
def test_get_by_name(rkeras, name):
    ours, theirs = keras.losses.get(name), rkeras.losses.get(name)
    assert isinstance(ours, type) == isinstance(theirs, type)
    if hasattr(theirs, "get_config"):
        assert ours.get_config() == theirs.get_config()
    else:
        assert ours.__name__ == theirs.__name__


def test_get_unknown_raises_the_same(rkeras):
    with pytest.raises(ValueError) as theirs:
        rkeras.losses.get("no_such_loss")
    with pytest.raises(type(theirs.value)):
        keras.losses.get("no_such_loss")


@pytest.mark.parametrize("loss", ["mean_squared_error", "MeanSquaredError",
                                  "CategoricalCrossentropy"])
def test_serialize(rkeras, loss):
    ours = keras.losses.get(loss)
    theirs = rkeras.losses.get(loss)
    assert keras.losses.serialize(ours) == rkeras.losses.serialize(theirs)


def test_invalid_reduction_raises_the_same(rkeras):
    with pytest.raises(ValueError) as theirs:
        rkeras.losses.MeanSquaredError(reduction="bogus")
    with pytest.raises(ValueError) as ours:
        keras.losses.MeanSquaredError(reduction="bogus")
    assert "reduction" in str(ours.value) and "reduction" in str(theirs.value)


def test_loss_on_tensors_under_a_tape(rkeras):
    """A loss of Tensors gives the same gradient in both libraries."""
    x = REG2B.copy()
    v = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = keras.losses.Huber()(REG2, v)
    ours = tape.gradient(loss, v).numpy()
    rtf = __import__("tensorflow")
    rv = rtf.Variable(x)
    with rtf.GradientTape() as tape:
        loss = rkeras.losses.Huber()(REG2, rv)
    theirs = tape.gradient(loss, rv).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kwargs,y_true,y_pred", [
    ({"reduction": None}, np.ones((2, 3)), np.zeros((2, 3))),
    ({"dtype": "float64"}, REG2, REG2B),
    ({"dtype": "float64"}, np.ones((2, 3)), np.zeros((2, 3))),
    ({}, np.ones((2, 3)), np.zeros((2, 3))),
    ({}, [[1, 2], [3, 4]], [[0.5, 1.5], [2.5, 5.0]]),
    ({}, np.ones((2, 1), "int32"), np.zeros((2, 1), "float16")),
])
def test_loss_dtypes_and_python_inputs(rkeras, kwargs, y_true, y_pred):
    for name in ("MeanSquaredError", "BinaryCrossentropy"):
        a = getattr(keras.losses, name)(**kwargs)(y_true, y_pred)
        b = getattr(rkeras.losses, name)(**kwargs)(y_true, y_pred)
        assert tuple(a.shape) == tuple(b.shape)
        assert a.dtype.name == b.dtype.name
        np.testing.assert_allclose(a.numpy(), np.asarray(b), rtol=1e-5, atol=1e-6)
    for fn in ("mean_squared_error", "binary_crossentropy"):
        a = getattr(keras.losses, fn)(np.asarray(y_true), np.asarray(y_pred))
        b = getattr(rkeras.losses, fn)(np.asarray(y_true), np.asarray(y_pred))
        assert a.dtype.name == b.dtype.name
        np.testing.assert_allclose(a.numpy(), np.asarray(b), rtol=1e-3, atol=1e-3)
