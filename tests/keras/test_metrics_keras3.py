"""Keras 3's newer metrics: the values Keras 3.15 gives on its documented examples,
configs, resets."""
import numpy as np
import pytest

from tapeflow import keras

M = keras.metrics


def test_iou_docstring_example():
    m = M.IoU(num_classes=2, target_class_ids=[0])
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    np.testing.assert_allclose(float(m.result()), 1 / 3, rtol=1e-6)
    with pytest.raises(ValueError, match="out of range"):
        M.IoU(2, [2])


def test_binary_iou_docstring_example():
    m = M.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
    np.testing.assert_allclose(float(m.result()), 0.33333334, rtol=1e-6)
    assert m.get_config()["threshold"] == 0.3


def test_one_hot_iou_and_mean_iou():
    y_true = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]])
    y_pred = np.array([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
    m = M.OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    m.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(m.result()), 0.16666667, rtol=1e-6)   # value Keras 3.15 gives
    mean = M.OneHotMeanIoU(num_classes=3)
    mean.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(mean.result()), 0.11111111, rtol=1e-6)


def test_r2_score_docstring_example_and_aggregations():
    y_true = np.array([[1], [4], [3]], "float32")
    y_pred = np.array([[2], [4], [4]], "float32")
    m = M.R2Score()
    m.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(m.result()), 0.57142854, rtol=1e-6)
    m.reset_state()
    m.update_state(y_true, y_true)
    assert float(m.result()) == 1.0
    with pytest.raises(ValueError, match="class_aggregation"):
        M.R2Score("median")


def test_correlations_docstring_examples():
    y_true = np.array([[0, 1, 0.5], [1, 1, 0.2]])
    y_pred = np.array([[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    np.testing.assert_allclose(M.pearson_correlation(y_true, y_pred).numpy(),
                               [1.0, 0.99339927], rtol=1e-6)
    np.testing.assert_allclose(M.concordance_correlation(y_true, y_pred).numpy(),
                               [0.9756094, 0.98765396], rtol=1e-5)
    m = M.PearsonCorrelation()
    m.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(m.result()), 0.99669963, rtol=1e-6)


@pytest.mark.parametrize("cls,value,expected", [
    ("PrecisionAtRecall", 0.5, 0.5), ("RecallAtPrecision", 0.8, 0.0),
    ("SensitivityAtSpecificity", 0.5, 0.5), ("SpecificityAtSensitivity", 0.5, 0.66666667)])
def test_at_constraint_metrics_docstring_examples(cls, value, expected):
    m = getattr(M, cls)(value)
    m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    np.testing.assert_allclose(float(m.result()), expected, rtol=1e-6)
    assert m.get_config()["num_thresholds"] == 200
    m.reset_state()
    assert float(m.result()) == 0.0


def test_metrics_get_by_name():
    assert isinstance(M.get("R2Score"), M.R2Score)
    assert isinstance(M.get("pearson_correlation"), M.PearsonCorrelation)   # as Keras
