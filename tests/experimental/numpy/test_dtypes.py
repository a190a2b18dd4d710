"""tnp's dtype rules: NumPy 2's promotion with Python scalars as weak values."""
import numpy as np
import pytest

import tapeflow as tf
import tapeflow.experimental.numpy as tnp


@pytest.mark.parametrize("args, want", [
    ((tf.constant([1]), 1.5), tf.float64),       # int32 with a Python float
    ((tf.constant([1]), 2), tf.int32),           # Python int is weak
    ((tf.constant([1.0]), tf.constant([1])), tf.float64),
    ((tf.constant([1.0]), 2.5), tf.float32),
    (([1, 2], np.int8), tf.int8),                # list elements are weak scalars
    ((np.ones(2, np.float16), 1), tf.float16),
    ((tf.uint8, tf.int8), tf.int16),
    ((), tf.float64),
])
def test_result_type(args, want):
    assert tnp.result_type(*args) == want


def test_promote_types_finfo_iinfo_issubdtype_accept_tf_dtypes():
    assert tnp.promote_types(tf.float32, tf.int32) == np.dtype("float64")
    assert tnp.finfo(tf.float32).eps == np.finfo(np.float32).eps
    assert tnp.iinfo(tf.int8).max == 127
    assert tnp.issubdtype(tf.float32, np.floating)
    assert not tnp.issubdtype(tnp.int32, np.floating)


def test_type_objects_are_numpys():
    assert tnp.float32 is np.float32 and tnp.float_ is np.float64 and tnp.int_ is np.int64
    assert tnp.ndarray is tf.Tensor
    assert (tnp.pi, tnp.e, tnp.newaxis) == (np.pi, np.e, None)
