"""Keras metrics: values from Keras's documented examples and hand computations."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import metrics


def res(m):
    r = m.result()
    assert isinstance(r, tf.Tensor) and r.dtype == tf.float32
    return r.numpy()


def approx(x, rel=1e-5):
    return pytest.approx(x, rel=rel, abs=1e-6)


DOC_CASES = [
    (lambda: metrics.Accuracy(), [[1], [2], [3], [4]], [[0], [2], [3], [4]], [1, 1, 0, 0],
     0.75, 0.5),
    (lambda: metrics.BinaryAccuracy(), [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]],
     [1, 0, 0, 1], 0.75, 0.5),
    (lambda: metrics.CategoricalAccuracy(), [[0, 0, 1], [0, 1, 0]],
     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3], 0.5, 0.3),
    (lambda: metrics.SparseCategoricalAccuracy(), [[2], [1]],
     [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], [0.7, 0.3], 0.5, 0.3),
    (lambda: metrics.TopKCategoricalAccuracy(k=1), [[0, 0, 1], [0, 1, 0]],
     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3], 0.5, 0.3),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1), [2, 1],
     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3], 0.5, 0.3),
    (lambda: metrics.MeanSquaredError(), [[0, 1], [0, 0]], [[1, 1], [0, 0]], [1, 0], 0.25, 0.5),
    (lambda: metrics.MeanAbsoluteError(), [[0, 1], [0, 0]], [[1, 1], [0, 0]], [1, 0], 0.25, 0.5),
    (lambda: metrics.RootMeanSquaredError(), [[0, 1], [0, 0]], [[1, 1], [0, 0]], [1, 0], 0.5,
     0.70710677),
    (lambda: metrics.BinaryCrossentropy(), [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], [1, 0],
     0.81492424, 0.9162905),
    (lambda: metrics.CategoricalCrossentropy(), [[0, 1, 0], [0, 0, 1]],
     [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], [0.3, 0.7], 1.1769392, 1.6271976),
    (lambda: metrics.SparseCategoricalCrossentropy(), [1, 2],
     [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], [0.3, 0.7], 1.1769392, 1.6271976),
    (lambda: metrics.Precision(), [0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0], 0.6666667, 1.0),
    (lambda: metrics.Recall(), [0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0], 0.6666667, 1.0),
    (lambda: metrics.AUC(num_thresholds=3), [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1],
     0.75, 1.0),
    (lambda: metrics.MeanIoU(num_classes=2, dtype="float32"), [0, 0, 1, 1], [0, 1, 0, 1],
     [0.3, 0.3, 0.3, 0.1], 0.33333334, 0.23809525),
]


@pytest.mark.parametrize("make,y_true,y_pred,sw,want,want_sw", DOC_CASES,
                         ids=[c[0]().__class__.__name__ for c in DOC_CASES])
def test_documented_values(make, y_true, y_pred, sw, want, want_sw):
    m = make()
    m.update_state(np.array(y_true), np.array(y_pred, np.float32))
    assert res(m) == approx(want)
    m.reset_state()
    assert res(m) == approx(0.0)
    m.update_state(np.array(y_true), np.array(y_pred, np.float32), sample_weight=np.array(sw))
    assert res(m) == approx(want_sw)


def test_mean_and_sum_accumulate_across_updates():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert res(m) == 4.0
    m.update_state([10])
    assert res(m) == approx(26 / 5)
    m.reset_state()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert res(m) == 2.0
    s = metrics.Sum()
    s.update_state([1, 3, 5, 7])
    s.update_state(np.array([[1.0, 2.0]]))
    assert res(s) == 19.0
    assert s.name == "sum" and metrics.Mean().name == "mean"
    # A 2-D batch is averaged per sample, then over samples.
    m2 = metrics.Mean()
    m2.update_state(np.array([[1.0, 3.0], [5.0, 7.0]]))
    assert res(m2) == 4.0 and float(m2.count.numpy()) == 2.0


def test_accuracy_over_several_batches():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state([0, 1], [[0.9, 0.1], [0.8, 0.2]])       # 1 of 2
    m.update_state([1, 1, 0], [[0.1, 0.9], [0.3, 0.7], [0.6, 0.4]])  # 3 of 3
    assert res(m) == approx(4 / 5)
    b = metrics.BinaryAccuracy(threshold=0.7)
    b.update_state([1, 0, 1], [0.8, 0.75, 0.6])
    assert res(b) == approx(1 / 3)


def test_default_names():
    names = {metrics.BinaryAccuracy: "binary_accuracy", metrics.Accuracy: "accuracy",
             metrics.CategoricalAccuracy: "categorical_accuracy",
             metrics.SparseCategoricalAccuracy: "sparse_categorical_accuracy",
             metrics.TopKCategoricalAccuracy: "top_k_categorical_accuracy",
             metrics.SparseTopKCategoricalAccuracy: "sparse_top_k_categorical_accuracy",
             metrics.MeanSquaredError: "mean_squared_error",
             metrics.MeanAbsoluteError: "mean_absolute_error",
             metrics.RootMeanSquaredError: "root_mean_squared_error",
             metrics.BinaryCrossentropy: "binary_crossentropy",
             metrics.CategoricalCrossentropy: "categorical_crossentropy",
             metrics.SparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
             metrics.F1Score: "f1_score"}
    for cls, name in names.items():
        assert cls().name == name
    keras.backend.clear_session()
    assert metrics.AUC().name == "auc" and metrics.AUC().name == "auc_1"
    assert metrics.Precision().name == "precision" and metrics.Recall().name == "recall"
    assert metrics.MeanIoU(2).name == "mean_io_u"
    assert repr(metrics.Mean()) == "<Mean name=mean>"


def test_auc_roc_and_pr_against_numpy():
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, 300)
    p = np.clip(y * 0.3 + rng.uniform(0, 0.7, 300), 0, 1).astype(np.float32)
    m = metrics.AUC()
    m.update_state(y[:100], p[:100])
    m.update_state(y[100:], p[100:])
    # Exact ROC AUC (Mann-Whitney); 200 thresholds approximate it closely.
    pos, neg = p[y == 1], p[y == 0]
    exact = np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :]))
    assert res(m) == pytest.approx(exact, abs=5e-3)
    pr = metrics.AUC(curve="PR")
    pr.update_state(y, p)
    order = np.argsort(-p)
    hits = y[order]
    ap = np.sum(np.cumsum(hits) / np.arange(1, 301) * hits) / hits.sum()
    assert res(pr) == pytest.approx(ap, abs=2e-2)
    logits = metrics.AUC(from_logits=True)
    logits.update_state(y, np.log(p + 1e-3) - np.log(1 - p + 1e-3))
    assert res(logits) == pytest.approx(res(m), abs=1e-2)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XYZ")


def test_precision_recall_thresholds_top_k_class_id():
    m = metrics.Precision(thresholds=[0.3, 0.7])
    m.update_state([0, 1, 1, 1], [0.5, 0.2, 0.8, 0.4])
    np.testing.assert_allclose(m.result().numpy(), [2 / 3, 1.0], rtol=1e-6)
    t = metrics.Precision(top_k=1)
    t.update_state([[0, 0, 1, 1]], [[0.1, 0.2, 0.9, 0.4]])
    assert res(t) == 1.0
    c = metrics.Recall(class_id=2)
    c.update_state([[0, 0, 1], [0, 0, 1]], [[0.1, 0.2, 0.7], [0.5, 0.2, 0.3]])
    assert res(c) == 0.5
    tp = metrics.TruePositives()
    tp.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert res(tp) == 2.0


def test_f1_score_documented_and_averages():
    y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32)
    y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32)
    m = metrics.F1Score(threshold=0.5)
    m.update_state(y_true, y_pred)
    np.testing.assert_allclose(m.result().numpy(), [0.5, 0.8, 0.6666667], rtol=1e-5)
    macro = metrics.F1Score(average="macro", threshold=0.5)
    macro.update_state(y_true, y_pred)
    assert res(macro) == approx(np.mean([0.5, 0.8, 2 / 3]), rel=1e-4)
    with pytest.raises(ValueError, match="Invalid `average`"):
        metrics.F1Score(average="bogus")


def test_custom_metric_subclass_like_the_book():
    class RootMeanSquaredError(metrics.Metric):
        def __init__(self, name="rmse", **kwargs):
            super().__init__(name=name, **kwargs)
            self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
            self.total_samples = self.add_weight(name="total_samples", initializer="zeros",
                                                 dtype="int32")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = tf.one_hot(y_true, depth=tf.shape(y_pred)[1])
            mse = tf.reduce_sum(tf.square(y_true - y_pred))
            self.mse_sum.assign_add(mse)
            self.total_samples.assign_add(tf.shape(y_pred)[0])

        def result(self):
            return tf.sqrt(self.mse_sum / tf.cast(self.total_samples, tf.float32))

        def reset_state(self):
            self.mse_sum.assign(0.)
            self.total_samples.assign(0)

    m = RootMeanSquaredError()
    assert m.name == "rmse" and len(m.variables) == 2
    m.update_state(tf.constant([0, 1]), tf.constant([[1.0, 0.0], [0.5, 0.5]]))
    m.update_state(tf.constant([1]), tf.constant([[0.0, 1.0]]))
    assert float(m.result()) == pytest.approx(np.sqrt(0.5 / 3))
    m.reset_state()
    assert int(m.total_samples.numpy()) == 0

    class Plain(metrics.Metric):
        def __init__(self):
            super().__init__()
            self.n = self.add_weight(name="n")

    assert Plain().variables[0].numpy() == 0.0
    p = Plain()
    p.n.assign(3.0)
    p.reset_state()                      # default: zeros
    assert float(p.n.numpy()) == 0.0


def test_function_forms():
    # Keras 3: binary_accuracy and accuracy are elementwise (no mean over the last axis).
    out = metrics.binary_accuracy(np.array([[1], [1], [0], [0]]), np.array([[1], [1], [0], [0]]))
    assert out.dtype == tf.float32 and out.shape == (4, 1)
    np.testing.assert_array_equal(out.numpy(), [[1], [1], [1], [1]])
    np.testing.assert_allclose(metrics.accuracy([[1, 2], [3, 4]], [[1, 0], [3, 4]]),
                               [[1.0, 0.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="Invalid value for argument `threshold`"):
        metrics.BinaryAccuracy(threshold=1.0)
    assert metrics.BinaryAccuracy()._direction == "up"
    assert metrics.MeanSquaredError()._direction == "down"
    np.testing.assert_array_equal(
        metrics.sparse_categorical_accuracy([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]),
        [0.0, 1.0])
    np.testing.assert_array_equal(
        metrics.categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]),
        [0.0, 1.0])
    np.testing.assert_array_equal(
        metrics.top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]],
                                           [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=2), [1.0, 1.0])
    assert metrics.mean_squared_error is keras.losses.mean_squared_error


def test_get_serialize_deserialize():
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)
    assert isinstance(metrics.get("binary_accuracy"), metrics.BinaryAccuracy)
    assert isinstance(metrics.get("sparse_categorical_accuracy"),
                      metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("mae"), metrics.MeanAbsoluteError)
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    m = metrics.BinaryAccuracy(threshold=0.3)
    assert metrics.get(m) is m
    again = metrics.deserialize(metrics.serialize(m))
    assert isinstance(again, metrics.BinaryAccuracy) and again.threshold == 0.3
    assert again.get_config() == {"name": "binary_accuracy", "dtype": "float32",
                                  "threshold": 0.3}
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get("nope")


def test_call_updates_and_returns_result():
    m = metrics.Mean()
    assert float(m([2.0, 4.0])) == 3.0
    assert float(m([6.0])) == 4.0


def test_mean_iou_counts_are_integers_by_default():
    # Keras 3: MeanIoU's dtype is int64, so float weights are truncated (with a warning).
    m = metrics.MeanIoU(num_classes=2)
    assert m.dtype == "int64" and m.get_config()["dtype"] == "int64"
    with pytest.warns(UserWarning, match="passing weight as `float`"):
        m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=np.array([1.5, 2.7, 0.3, 1.0]))
    np.testing.assert_array_equal(m.total_cm.numpy(), [[1, 2], [0, 1]])
    assert res(m) == approx(1 / 3)


def test_weights_per_row_apply_to_every_class_of_precision():
    # Keras 3 broadcasts (batch,) weights over the class axis of (batch, classes) inputs.
    p = metrics.Precision()
    p.update_state([[1, 0], [0, 1]], [[0.9, 0.8], [0.2, 0.7]], sample_weight=[2.0, 1.0])
    assert res(p) == approx(3.0 / 5.0)


def test_sparse_crossentropy_ignore_class_is_dropped_only_with_weights():
    y, p = [1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    m = metrics.SparseCategoricalCrossentropy(ignore_class=2)
    m.update_state(y, p)
    assert res(m) == approx(-np.log(0.95) / 2, rel=1e-5)    # the ignored entry counts as 0
    m.reset_state()
    m.update_state(y, p, sample_weight=[1.0, 1.0])
    assert res(m) == approx(-np.log(0.95), rel=1e-5)        # with weights it is left out


def test_auc_multi_label_is_the_mean_of_per_label_aucs():
    rng = np.random.RandomState(2)
    y = (rng.uniform(size=(40, 3)) > 0.5).astype("float32")
    p = rng.uniform(size=(40, 3)).astype("float32")
    per_label = []
    for j in range(3):
        single = metrics.AUC(curve="PR")
        single.update_state(y[:, j], p[:, j])
        per_label.append(res(single))
    m = metrics.AUC(curve="PR", multi_label=True)
    m.update_state(y, p)
    assert m.true_positives.shape == (200, 3)
    assert res(m) == approx(np.mean(per_label), rel=1e-5)
    w = metrics.AUC(curve="PR", multi_label=True, label_weights=[1.0, 0.0, 3.0])
    w.update_state(y, p)
    assert res(w) == approx((per_label[0] + 3 * per_label[2]) / 4, rel=1e-5)
    with pytest.raises(ValueError, match="needed only when `multi_label` is True"):
        metrics.AUC(num_labels=3)
