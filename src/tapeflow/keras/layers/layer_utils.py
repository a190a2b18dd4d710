"""Kept for imports written before the split: ``layer_utils`` was divided by concern into
``tracking.py`` (attribute tracking), ``call_utils.py`` (the call context, input conversion,
``build``'s wrapper), ``masking_utils.py`` (Keras masks), ``shape_utils.py`` and
``layer_config.py``. Import from those; this module re-exports only the mask accessors."""
from tapeflow.keras.layers.masking_utils import get_keras_mask, set_keras_mask

__all__ = ["get_keras_mask", "set_keras_mask"]
