"""``keras.metrics``: stateful metrics (``update_state``/``result``/``reset_state``), their
function forms, and ``get``/``serialize``/``deserialize``."""
from tapeflow.keras.losses.functions import (  # noqa: F401  (Keras exports these here too)
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_hinge, hinge, huber, kl_divergence, log_cosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error,
    poisson, sparse_categorical_crossentropy, squared_hinge)
from tapeflow.keras.losses import (  # noqa: F401  (tf.keras.metrics exports the aliases too)
    KLD, MAE, MAPE, MSE, MSLE, kld, kullback_leibler_divergence, logcosh, mae, mape, mse, msle)
from tapeflow.keras.losses.functions_keras3 import (  # noqa: F401  (exported here too)
    categorical_focal_crossentropy)
from tapeflow.keras.metrics.accuracy_metrics import (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, accuracy, binary_accuracy,
    categorical_accuracy, sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy)
from tapeflow.keras.metrics.confusion_metrics import (
    AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives)
from tapeflow.keras.metrics.at_threshold_metrics import (
    PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity)
from tapeflow.keras.metrics.correlation_metrics import (
    ConcordanceCorrelation, PearsonCorrelation, R2Score, concordance_correlation,
    pearson_correlation)
from tapeflow.keras.metrics.iou_f_metrics import F1Score, FBetaScore, MeanIoU
from tapeflow.keras.metrics.iou_metrics import BinaryIoU, IoU, OneHotIoU, OneHotMeanIoU
from tapeflow.keras.metrics.metric import Metric
from tapeflow.keras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from tapeflow.keras.saving import object_tables
from tapeflow.keras.metrics.regression_metrics import (
    BinaryCrossentropy, CategoricalCrossentropy, CategoricalHinge, CosineSimilarity, Hinge,
    KLDivergence, LogCoshError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredError, MeanSquaredLogarithmicError, Poisson, RootMeanSquaredError,
    SparseCategoricalCrossentropy, SquaredHinge)

_CLASSES = [Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy,
            CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
            SparseTopKCategoricalAccuracy, AUC, Precision, Recall, TruePositives,
            FalsePositives, TrueNegatives, FalseNegatives, MeanIoU, F1Score, FBetaScore,
            MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, RootMeanSquaredError, CosineSimilarity, LogCoshError,
            BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
            KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge, IoU, BinaryIoU,
            OneHotIoU, OneHotMeanIoU, R2Score, PearsonCorrelation, ConcordanceCorrelation,
            PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
            SpecificityAtSensitivity]
_FUNCTIONS = [accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
              top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
              binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
              sparse_categorical_crossentropy, categorical_hinge, hinge, squared_hinge, huber,
              kl_divergence, log_cosh, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_error, mean_squared_logarithmic_error, poisson,
              pearson_correlation, concordance_correlation, categorical_focal_crossentropy]


def _snake(name):
    from tapeflow.keras.backend import to_snake_case
    return to_snake_case(name)


ALL_OBJECTS_DICT = {o.__name__: o for o in _CLASSES + _FUNCTIONS}
MODELING_FUNCTIONS = {f.__name__: f for f in _FUNCTIONS}   # what a config may name
ALL_OBJECTS_DICT.update({_snake(c.__name__): c for c in _CLASSES})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
})


def serialize(metric):
    """Returns a Keras config dict for a metric object or metric function."""
    return object_tables.serialize_object_or_function(metric, Metric, "keras.metrics")


def deserialize(config, custom_objects=None):
    """Returns the metric (instance or function) described by ``serialize``'s dict or a name.

    Raises:
      ValueError: for an unknown name.
    """
    return object_tables.deserialize_object_or_function(config, ALL_OBJECTS_DICT, "metric",
                                                        custom_objects)


def get(identifier):
    """Returns a metric from a name (``"accuracy"`` gives an ``Accuracy()``), a dict or a callable.

    Raises:
      ValueError: if ``identifier`` cannot be interpreted.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
    else:
        obj = identifier
    if callable(obj) or isinstance(obj, Metric):
        if isinstance(obj, type):
            obj = obj()
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


__all__ = [o.__name__ for o in _CLASSES + _FUNCTIONS] + [
    "get", "serialize", "deserialize", "binary_focal_crossentropy"]
