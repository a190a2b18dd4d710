"""keras/ops/promotion.py: Keras 3's dtype promotion (keras.backend.result_type)."""
import numpy as np

from tapeflow import keras


def test_result_type_follows_keras_not_numpy():
    rt = keras.backend.result_type
    assert rt("int32", "float16") == "float16"      # NumPy: float64
    assert rt("int64", "float32") == "float32"      # NumPy: float64
    assert rt("int8", "uint8") == "int16"
    assert rt("bool", "int8") == "int8"


def test_python_floats_are_weak():
    assert keras.ops.add(np.array([1], "int32"), 1.5).dtype == "float32"
    assert keras.ops.add(np.array([1], "float16"), 1.5).dtype == "float16"
