"""``keras.losses``: every loss as a function (per sample) and as a class (reduced).

``get("mse")`` returns the function ``mean_squared_error``; ``get("MeanSquaredError")``
returns an instance.
"""
from tapeflow.keras.losses.classes import (
    BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalHinge,
    CosineSimilarity, Hinge, Huber, KLDivergence, LogCosh, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError, Poisson,
    SparseCategoricalCrossentropy, SquaredHinge)
from tapeflow.keras.losses.functions import (
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_hinge, cosine_similarity, hinge, huber, kl_divergence, log_cosh,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge)
from tapeflow.keras.losses.classes_keras3 import (
    CTC, CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy, Circle, Dice, Tversky)
from tapeflow.keras.losses.functions_keras3 import (
    categorical_focal_crossentropy, categorical_generalized_cross_entropy, circle, ctc, dice,
    tversky)
from tapeflow.keras.losses.loss import Loss, LossFunctionWrapper
from tapeflow.keras.saving import object_tables

_CLASSES = [Loss, LossFunctionWrapper, BinaryCrossentropy, BinaryFocalCrossentropy,
            CategoricalCrossentropy, CategoricalHinge, CosineSimilarity, Hinge, Huber,
            KLDivergence, LogCosh, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredError, MeanSquaredLogarithmicError, Poisson,
            SparseCategoricalCrossentropy, SquaredHinge, CTC, CategoricalFocalCrossentropy,
            CategoricalGeneralizedCrossEntropy, Circle, Dice, Tversky]
_FUNCTIONS = [binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
              categorical_hinge, cosine_similarity, hinge, huber, kl_divergence, log_cosh,
              mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
              mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
              squared_hinge, ctc, categorical_focal_crossentropy,
              categorical_generalized_cross_entropy, circle, dice, tversky]

# The short aliases ``tf.keras.losses`` exports (``keras.losses`` of Keras 3 alone does not):
# the same function objects, so ``mse.__name__ == "mean_squared_error"``.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

ALL_OBJECTS_DICT = {o.__name__: o for o in _CLASSES + _FUNCTIONS}
MODELING_FUNCTIONS = {f.__name__: f for f in _FUNCTIONS}   # what a config may name
ALL_OBJECTS_DICT.update({
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
})


def serialize(loss):
    """Returns a Keras config dict for a loss object or loss function.

    A function serializes as Keras 3 writes it: ``{"module": "builtins", "class_name":
    "function", "config": <its name>, "registered_name": "function"}``.
    """
    if not isinstance(loss, Loss) and callable(loss) and not isinstance(loss, type):
        return {"module": "builtins", "class_name": "function",
                "config": getattr(loss, "__name__", None), "registered_name": "function"}
    return object_tables.serialize_object_or_function(loss, Loss, "keras.losses")


def deserialize(config, custom_objects=None):
    """Returns the loss (function or instance) described by ``serialize``'s dict or a name.

    Raises:
      ValueError: for an unknown name.
    """
    return object_tables.deserialize_object_or_function(config, ALL_OBJECTS_DICT, "loss",
                                                        custom_objects)


def get(identifier):
    """Returns a loss from a name (``"mse"`` gives the function), a config dict or a callable.

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
    if callable(obj):
        if isinstance(obj, type):
            obj = obj()
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


__all__ = [o.__name__ for o in _CLASSES + _FUNCTIONS] + ["get", "serialize", "deserialize"]
