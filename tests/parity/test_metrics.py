"""Parity of ``keras.metrics`` with Keras 3: update_state over batches, result, reset, configs."""
import re
import warnings

import numpy as np
import pytest

from tapeflow import keras

RNG = np.random.RandomState(1)
N, C = 6, 4
PROBS = [RNG.uniform(0.0, 1.0, (N, C)).astype("float32") for _ in range(3)]
SOFT = [(p / p.sum(-1, keepdims=True)).astype("float32") for p in PROBS]
BIN = [(RNG.uniform(size=(N, C)) > 0.5).astype("float32") for _ in range(3)]
LABELS = [RNG.randint(0, C, (N,)).astype("int32") for _ in range(3)]
ONEHOT = [np.eye(C, dtype="float32")[lab] for lab in LABELS]
REG = [RNG.normal(size=(N, C)).astype("float32") for _ in range(3)]
REG_B = [RNG.normal(size=(N, C)).astype("float32") for _ in range(3)]
POS = [RNG.uniform(0.1, 2.0, (N, C)).astype("float32") for _ in range(3)]
POS_B = [RNG.uniform(0.1, 2.0, (N, C)).astype("float32") for _ in range(3)]
WEIGHTS = [np.linspace(0.0, 1.5, N).astype("float32"),
           np.linspace(2.0, 0.5, N).astype("float32"),
           RNG.uniform(0, 1, (N,)).astype("float32")]
PROB1 = [RNG.uniform(size=(N,)).astype("float32") for _ in range(3)]
BIN1 = [(RNG.uniform(size=(N,)) > 0.4).astype("float32") for _ in range(3)]


def _data(kind):
    return {
        "bin": (BIN, PROBS), "bin1": (BIN1, PROB1), "onehot": (ONEHOT, SOFT),
        "sparse": (LABELS, SOFT), "sparse_col": ([lab[:, None] for lab in LABELS], SOFT),
        "reg": (REG, REG_B), "pos": (POS, POS_B),
        "exact": ([lab % 2 for lab in LABELS], [(lab // 2) % 2 for lab in LABELS]),
        "pm": ([b * 2 - 1 for b in BIN], REG),
    }[kind]


# (class name, kwargs, data kind)
CASES = [
    ("Accuracy", {}, "exact"),
    ("BinaryAccuracy", {}, "bin"),
    ("BinaryAccuracy", {"threshold": 0.7}, "bin"),
    ("BinaryAccuracy", {}, "bin1"),
    ("CategoricalAccuracy", {}, "onehot"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_col"),
    ("TopKCategoricalAccuracy", {}, "onehot"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("SparseTopKCategoricalAccuracy", {"k": 1}, "sparse_col"),
    ("MeanSquaredError", {}, "reg"),
    ("MeanAbsoluteError", {}, "reg"),
    ("MeanAbsolutePercentageError", {}, "reg"),
    ("MeanSquaredLogarithmicError", {}, "pos"),
    ("RootMeanSquaredError", {}, "reg"),
    ("CosineSimilarity", {}, "reg"),
    ("CosineSimilarity", {"axis": 0}, "reg"),
    ("LogCoshError", {}, "reg"),
    ("BinaryCrossentropy", {}, "bin"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "pm"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "onehot"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, "sparse"),
    ("KLDivergence", {}, "onehot"),
    ("Poisson", {}, "pos"),
    ("Hinge", {}, "bin"),
    ("SquaredHinge", {}, "pm"),
    ("CategoricalHinge", {}, "onehot"),
    ("Precision", {}, "bin"),
    ("Precision", {"thresholds": [0.2, 0.5, 0.8]}, "bin"),
    ("Precision", {"thresholds": 0.3}, "bin1"),
    ("Precision", {"top_k": 2}, "bin"),
    ("Precision", {"class_id": 1}, "bin"),
    ("Precision", {"top_k": 2, "class_id": 3}, "bin"),
    ("Recall", {}, "bin"),
    ("Recall", {"thresholds": [0.1, 0.6]}, "bin1"),
    ("Recall", {"top_k": 1}, "bin"),
    ("Recall", {"class_id": 2}, "bin"),
    ("TruePositives", {}, "bin"),
    ("TruePositives", {"thresholds": [0.25, 0.75]}, "bin"),
    ("FalsePositives", {}, "bin1"),
    ("TrueNegatives", {"thresholds": 0.4}, "bin"),
    ("FalseNegatives", {}, "bin"),
    ("AUC", {}, "bin"),
    ("AUC", {"num_thresholds": 7}, "bin1"),
    ("AUC", {"curve": "PR"}, "bin"),
    ("AUC", {"curve": "PR", "num_thresholds": 11}, "bin1"),
    ("AUC", {"summation_method": "minoring"}, "bin"),
    ("AUC", {"summation_method": "majoring", "num_thresholds": 5}, "bin"),
    ("AUC", {"thresholds": [0.3, 0.5, 0.7]}, "bin"),
    ("AUC", {"from_logits": True}, "pm"),
    ("AUC", {"multi_label": True}, "bin"),
    ("AUC", {"multi_label": True, "num_labels": C, "curve": "PR"}, "bin"),
    ("AUC", {"multi_label": True, "summation_method": "minoring", "num_thresholds": 9}, "bin"),
    ("MeanIoU", {"num_classes": C}, "sparse"),
    ("MeanIoU", {"num_classes": C, "sparse_y_pred": False}, "sparse"),
    ("MeanIoU", {"num_classes": 2}, "exact"),
    ("MeanIoU", {"num_classes": C, "ignore_class": 0, "sparse_y_pred": False}, "sparse"),
    ("F1Score", {}, "bin"),
    ("F1Score", {"average": "micro", "threshold": 0.5}, "bin"),
    ("F1Score", {"average": "macro"}, "onehot"),
    ("FBetaScore", {"beta": 2.0, "average": "weighted", "threshold": 0.4}, "bin"),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _result(value):
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def _base(name):
    return re.sub(r"_\d+$", "", name)


def _dtype(x):
    return getattr(x.dtype, "name", x.dtype)


def _build(module, cls, kwargs):
    return getattr(module.metrics, cls)(**kwargs)


def _run(metric, trues, preds, weights):
    out = []
    for i, (t, p) in enumerate(zip(trues, preds)):
        sw = None if weights is None else weights[i]
        metric.update_state(t, p, sample_weight=sw)
        out.append(_result(metric.result()))
    return out


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cls,kwargs,kind", CASES, ids=IDS)
def test_metric_over_batches(rkeras, cls, kwargs, kind, weighted):
    trues, preds = _data(kind)
    if cls == "MeanIoU" and kwargs.get("sparse_y_pred", True):
        preds = [np.argmax(p, -1).astype("int32") for p in preds] if kind == "sparse" \
            else preds
    weights = WEIGHTS if weighted else None
    ours, theirs = _build(keras, cls, kwargs), _build(rkeras, cls, kwargs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # MeanIoU's float weights on int counts
            b = _run(theirs, trues, preds, weights)
    except Exception as e:   # e.g. weights that do not broadcast: the same error class
        with pytest.raises(Exception) as ours_error:
            _run(ours, trues, preds, weights)
        assert type(ours_error.value).__name__ == type(e).__name__
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = _run(ours, trues, preds, weights)
    for x, y in zip(a, b):
        assert x.shape == y.shape
        np.testing.assert_allclose(x, y, rtol=2e-5, atol=2e-6)
    assert _dtype(ours.result()) == _dtype(theirs.result())
    ours.reset_state()
    theirs.reset_state()
    np.testing.assert_allclose(_result(ours.result()), _result(theirs.result()), atol=1e-7)
    assert [v.shape for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]


@pytest.mark.parametrize("multi_label", [False, True])
@pytest.mark.parametrize("curve", ["ROC", "PR"])
def test_auc_label_weights(rkeras, multi_label, curve):
    kwargs = {"multi_label": multi_label, "label_weights": [0.5, 1.0, 2.0, 0.0],
              "curve": curve}
    ours, theirs = keras.metrics.AUC(**kwargs), rkeras.metrics.AUC(**kwargs)
    a = _run(ours, BIN, PROBS, WEIGHTS)
    b = _run(theirs, BIN, PROBS, WEIGHTS)
    np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
    assert [v.shape for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]


@pytest.mark.parametrize("cls,kwargs,kind", CASES, ids=IDS)
def test_metric_configs(rkeras, cls, kwargs, kind):
    ours, theirs = _build(keras, cls, kwargs), _build(rkeras, cls, kwargs)
    # Default names are made unique per session ("auc_3"): compare them without the suffix.
    assert _base(ours.name) == _base(theirs.name)
    conf, rconf = ours.get_config(), theirs.get_config()
    conf["name"], rconf["name"] = _base(conf["name"]), _base(rconf["name"])
    assert conf == rconf
    assert ours.dtype == theirs.dtype
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()


def test_mean_and_sum(rkeras):
    for cls in ("Mean", "Sum"):
        ours, theirs = getattr(keras.metrics, cls)(), getattr(rkeras.metrics, cls)()
        for values, sw in [([1.0, 2.0, 3.0], None), ([[4.0], [5.0]], [0.5, 2.0]),
                           (7.0, None), ([1.0, 2.0], [[1.0], [0.0]])]:
            ours.update_state(values, sample_weight=sw)
            theirs.update_state(values, sample_weight=sw)
            np.testing.assert_allclose(_result(ours.result()), _result(theirs.result()),
                                       rtol=1e-6)
        assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("fn,kind,kwargs", [
    ("binary_accuracy", "bin", {}), ("binary_accuracy", "bin", {"threshold": 0.2}),
    ("categorical_accuracy", "onehot", {}), ("sparse_categorical_accuracy", "sparse", {}),
    ("sparse_categorical_accuracy", "sparse_col", {}),
    ("top_k_categorical_accuracy", "onehot", {"k": 2}),
    ("sparse_top_k_categorical_accuracy", "sparse", {"k": 3}),
])
def test_metric_functions(rkeras, fn, kind, kwargs):
    trues, preds = _data(kind)
    ours = getattr(keras.metrics, fn)(trues[0], preds[0], **kwargs)
    theirs = getattr(rkeras.metrics, fn)(trues[0], preds[0], **kwargs)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype.name == theirs.dtype.name
    np.testing.assert_allclose(ours.numpy(), np.asarray(theirs), rtol=1e-6)


@pytest.mark.parametrize("name", ["accuracy", "mse", "mae", "AUC", "Precision", "auc",
                                  "binary_accuracy", "categorical_crossentropy"])
def test_get_by_name(rkeras, name):
    ours, theirs = keras.metrics.get(name), rkeras.metrics.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    if hasattr(theirs, "get_config"):
        assert ours.get_config() == theirs.get_config()


def test_serialize(rkeras):
    for name in ("mse", "AUC", "binary_accuracy"):
        assert keras.metrics.serialize(keras.metrics.get(name)) == \
            rkeras.metrics.serialize(rkeras.metrics.get(name))
