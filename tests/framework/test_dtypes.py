"""tf.DType objects and tf.as_dtype, as in TensorFlow."""
import pickle

import numpy as np
import pytest

import tapeflow as tf


@pytest.mark.parametrize("dtype,name", [
    (tf.float16, "float16"), (tf.float32, "float32"), (tf.float64, "float64"),
    (tf.int8, "int8"), (tf.int16, "int16"), (tf.int32, "int32"), (tf.int64, "int64"),
    (tf.uint8, "uint8"), (tf.bool, "bool"), (tf.complex64, "complex64"), (tf.string, "string"),
])
def test_names_repr_str(dtype, name):
    assert dtype.name == name
    assert repr(dtype) == "tf." + name
    assert str(dtype) == f"<dtype: '{name}'>"
    assert tf.as_dtype(name) is dtype
    assert pickle.loads(pickle.dumps(dtype)) is dtype


def test_aliases():
    assert tf.double is tf.float64 and tf.half is tf.float16
    assert tf.as_dtype("float") is tf.float32 and tf.as_dtype("double") is tf.float64
    assert tf.as_dtype("half") is tf.float16
    assert tf.dtypes.float32 is tf.float32


def test_predicates():
    assert tf.float32.is_floating and tf.float16.is_floating
    assert not tf.int32.is_floating and not tf.complex64.is_floating
    assert tf.int64.is_integer and tf.uint8.is_integer and not tf.bool.is_integer
    assert tf.uint8.is_unsigned and not tf.int8.is_unsigned and not tf.bool.is_unsigned
    assert tf.bool.is_bool and tf.complex128.is_complex
    assert not tf.float32.is_quantized
    assert tf.complex64.real_dtype is tf.float32 and tf.float32.base_dtype is tf.float32


def test_sizes_limits_and_numpy_types():
    assert tf.float32.size == 4 and tf.int64.size == 8 and tf.uint8.size == 1
    assert tf.float32.as_numpy_dtype is np.float32 and tf.bool.as_numpy_dtype is np.bool_
    assert tf.int32.min == -2**31 and tf.int32.max == 2**31 - 1
    assert tf.uint8.min == 0 and tf.uint8.max == 255
    assert tf.float16.max == 65504.0
    assert tf.float32.max == float(np.finfo(np.float32).max)
    with pytest.raises(TypeError):
        tf.bool.min
    with pytest.raises(TypeError):
        tf.string.max


@pytest.mark.parametrize("value,dtype", [
    (np.float32, tf.float32), (np.float64, tf.float64), (np.int32, tf.int32),
    (np.int64, tf.int64), (np.uint8, tf.uint8), (np.bool_, tf.bool),
    (np.dtype("float32"), tf.float32), (np.dtype("int64"), tf.int64),
    (np.dtype("float64"), tf.float64), (float, tf.float32), (bool, tf.bool),
    (object, tf.string), (np.dtype("<U3"), tf.string), (tf.int16, tf.int16),
])
def test_as_dtype(value, dtype):
    assert tf.as_dtype(value) is dtype


@pytest.mark.parametrize("value", [int, complex, str, "int", "floaty", 3, None])
def test_as_dtype_rejects(value):
    with pytest.raises(TypeError, match="to a TensorFlow DType"):
        tf.as_dtype(value)


def test_equality_and_hash():
    assert tf.float32 == np.float32 and tf.float32 == "float32"
    assert tf.float32 != tf.float64 and tf.float32 != int and tf.float32 != None  # noqa: E711
    assert tf.int64 == np.dtype("int64")
    assert {tf.float32: 1}[tf.float32] == 1
    assert tf.float32.is_compatible_with(tf.float32)
    assert not tf.float32.is_compatible_with(tf.int32)


def test_tensor_dtype_objects_are_the_module_constants():
    assert tf.constant(1.0).dtype is tf.float32
    assert tf.constant(1).dtype is tf.int32
    assert tf.constant(True).dtype is tf.bool
    assert tf.constant(np.ones(2, np.uint8)).dtype is tf.uint8
