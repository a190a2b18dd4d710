"""keras/keras_tensor.py: KerasTensor, the symbolic tensor of the functional API."""
from tapeflow import keras


def test_shape_dtype_ndim_and_symbolic_arithmetic():
    x = keras.KerasTensor((None, 3), dtype="float32")
    assert x.shape == (None, 3) and x.ndim == 2 and x.dtype == "float32"
    y = keras.Input((3,)) * 2
    assert isinstance(y, keras.KerasTensor) and tuple(y.shape) == (None, 3)
