"""The short loss aliases tf.keras.losses / tf.keras.metrics export (mse, MAE, kld, ...)."""
from tapeflow import keras

ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error",
           "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
           "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
           "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
           "kld": "kl_divergence", "KLD": "kl_divergence",
           "kullback_leibler_divergence": "kl_divergence", "logcosh": "log_cosh"}


def test_aliases_are_the_functions_themselves():
    for alias, name in ALIASES.items():
        assert getattr(keras.losses, alias) is getattr(keras.losses, name), alias
        assert getattr(keras.metrics, alias) is getattr(keras.losses, name), alias
        assert getattr(keras.losses, alias).__name__ == name


def test_alias_computes_the_loss():
    assert float(keras.losses.mse([[0.0, 2.0]], [[1.0, 0.0]]).numpy()[0]) == 2.5
