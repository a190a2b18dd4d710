"""Keras 3's newer metrics and losses against Keras 3.15: values (two updates for the
metrics), dtypes, configs and variable names; the function forms too."""
import warnings

import numpy as np
import pytest

from tapeflow import keras

RNG = np.random.default_rng(0)
YB = RNG.integers(0, 2, (40,))
PB = RNG.uniform(0, 1, (40,)).astype("float32")
SW = RNG.uniform(0, 2, (40,)).astype("float32")
YC = RNG.integers(0, 3, (30,))
PC = RNG.integers(0, 3, (30,))
OH = np.eye(3)[YC]
SC = RNG.uniform(size=(30, 3)).astype("float32")
YR = RNG.standard_normal((20, 3)).astype("float32")
PR = (YR + 0.5 * RNG.standard_normal((20, 3))).astype("float32")

METRICS = {
    "iou": (lambda M: M.IoU(3, [0, 2]), (YC, PC)),
    "iou_ignore": (lambda M: M.IoU(3, [1], ignore_class=0), (YC, PC)),
    "binary_iou": (lambda M: M.BinaryIoU(), (YB, PB)),
    "binary_iou_weighted": (lambda M: M.BinaryIoU([1], threshold=0.3),
                            (YB, PB, np.rint(SW).astype("int64"))),
    "one_hot_iou": (lambda M: M.OneHotIoU(3, [0, 1]), (OH, SC)),
    "one_hot_mean_iou": (lambda M: M.OneHotMeanIoU(3), (OH, SC)),
    "r2": (lambda M: M.R2Score(), (YR, PR)),
    "r2_variance_weighted": (lambda M: M.R2Score("variance_weighted_average"),
                             (YR, PR, SW[:20])),
    "r2_adjusted_per_class": (lambda M: M.R2Score(None, num_regressors=2), (YR, PR)),
    "pearson": (lambda M: M.PearsonCorrelation(), (YR, PR)),
    "pearson_axis0": (lambda M: M.PearsonCorrelation(axis=0), (YR, PR)),
    "concordance": (lambda M: M.ConcordanceCorrelation(), (YR, PR)),
    "precision_at_recall": (lambda M: M.PrecisionAtRecall(0.5), (YB, PB)),
    "precision_at_recall_class": (lambda M: M.PrecisionAtRecall(0.3, class_id=1), (OH, SC)),
    "recall_at_precision": (lambda M: M.RecallAtPrecision(0.6), (YB, PB, SW)),
    "sensitivity_at_specificity": (lambda M: M.SensitivityAtSpecificity(
        0.4, num_thresholds=50), (YB, PB)),
    "specificity_at_sensitivity": (lambda M: M.SpecificityAtSensitivity(0.7), (YB, PB)),
}


@pytest.mark.parametrize("case", sorted(METRICS))
def test_metric_matches_keras(rkeras, case):
    make, args = METRICS[case]
    real, mine = make(rkeras.metrics), make(keras.metrics)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(2):
            real.update_state(*args)
            mine.update_state(*args)
        want, got = np.asarray(real.result()), mine.result().numpy()
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert mine.get_config() == real.get_config()
    assert [v.name for v in mine.variables] == [v.name for v in real.variables]


OHL = np.eye(4)[RNG.integers(0, 4, 6)].astype("float32")
PRB = RNG.uniform(0.05, 1, (6, 4)).astype("float32")
PRB /= PRB.sum(-1, keepdims=True)
LOGITS = RNG.standard_normal((6, 4)).astype("float32")
IDS = RNG.integers(0, 4, 6)
SEG_T = (RNG.uniform(size=(2, 5, 5, 1)) > 0.5).astype("float32")
SEG_P = RNG.uniform(size=(2, 5, 5, 1)).astype("float32")
EMB = RNG.standard_normal((8, 5)).astype("float32")
EMB /= np.linalg.norm(EMB, axis=-1, keepdims=True)
EMB_LABELS = np.array([0, 1, 0, 1, 2, 2, 0, 1])
CTC_LABELS = np.array([[1, 2, 2, 0], [3, 0, 0, 0], [1, 2, 3, 4]])
CTC_LOGITS = RNG.standard_normal((3, 8, 5)).astype("float32")
W6 = RNG.uniform(size=6).astype("float32")

LOSSES = {
    "focal": (lambda L: L.CategoricalFocalCrossentropy(), (OHL, PRB)),
    "focal_logits_smoothing": (lambda L: L.CategoricalFocalCrossentropy(
        alpha=0.5, gamma=1.0, from_logits=True, label_smoothing=0.1), (OHL, LOGITS, W6)),
    "generalized_ce": (lambda L: L.CategoricalGeneralizedCrossEntropy(), (IDS, PRB)),
    "generalized_ce_q": (lambda L: L.CategoricalGeneralizedCrossEntropy(q=0.3),
                         (IDS, PRB, W6)),
    "dice": (lambda L: L.Dice(), (SEG_T, SEG_P)),
    "dice_axes": (lambda L: L.Dice(axis=(1, 2, 3)), (SEG_T, SEG_P)),
    "tversky": (lambda L: L.Tversky(), (SEG_T, SEG_P)),
    "tversky_axes": (lambda L: L.Tversky(0.3, 0.7, axis=(1, 2, 3)), (SEG_T, SEG_P)),
    "circle": (lambda L: L.Circle(), (EMB_LABELS, EMB)),
    "circle_no_diag": (lambda L: L.Circle(gamma=10.0, margin=0.2, remove_diagonal=False),
                       (EMB_LABELS, EMB)),
    "ctc": (lambda L: L.CTC(), (CTC_LABELS, CTC_LOGITS)),
    "ctc_none": (lambda L: L.CTC(reduction=None), (CTC_LABELS, CTC_LOGITS)),
}


@pytest.mark.parametrize("case", sorted(LOSSES))
def test_loss_matches_keras(rkeras, case):
    make, args = LOSSES[case]
    real, mine = make(rkeras.losses), make(keras.losses)
    want, got = np.asarray(real(*args)), mine(*args).numpy()
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert mine.get_config() == real.get_config()


FUNCTIONS = {
    "categorical_focal_crossentropy": ((OHL, PRB), {}),
    "categorical_generalized_cross_entropy": ((IDS, PRB), {"q": 0.4}),
    "dice": ((SEG_T, SEG_P), {}),
    "tversky": ((SEG_T, SEG_P), {"axis": -1}),
    "circle": ((EMB_LABELS, EMB), {}),
    "ctc": ((CTC_LABELS, CTC_LOGITS), {}),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_loss_function_matches_keras(rkeras, name):
    args, kwargs = FUNCTIONS[name]
    want = np.asarray(getattr(rkeras.losses, name)(*args, **kwargs))
    got = getattr(keras.losses, name)(*args, **kwargs).numpy()
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["pearson_correlation", "concordance_correlation",
                                  "categorical_focal_crossentropy"])
def test_metric_function_matches_keras(rkeras, name):
    args = (YR, PR) if "correlation" in name else (OHL, PRB)
    want = np.asarray(getattr(rkeras.metrics, name)(*args))
    got = getattr(keras.metrics, name)(*args).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_ctc_loss_op_and_gradient_match_tensorflow(rtf):
    import tapeflow as tf
    labels = np.array([[1, 2, 2, 0], [3, 0, 0, 0], [1, 2, 3, 4]])
    args = (np.array([3, 1, 4]), np.array([8, 6, 8]))
    real_x, mine_x = rtf.constant(CTC_LOGITS), tf.constant(CTC_LOGITS)
    with rtf.GradientTape() as tape:
        tape.watch(real_x)
        real = rtf.nn.ctc_loss(labels, real_x, *args, logits_time_major=False, blank_index=0)
    real_grad = tape.gradient(real, real_x)
    with tf.GradientTape() as tape:
        tape.watch(mine_x)
        mine = tf.nn.ctc_loss(labels, mine_x, *args, logits_time_major=False, blank_index=0)
    mine_grad = tape.gradient(mine, mine_x)
    np.testing.assert_allclose(mine.numpy(), real.numpy(), rtol=1e-5)
    np.testing.assert_allclose(mine_grad.numpy(), real_grad.numpy(), rtol=1e-4, atol=1e-6)
