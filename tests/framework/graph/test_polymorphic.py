"""framework/graph/polymorphic.py: tf.function's retracing rules."""
import numpy as np
import pytest

import tapeflow as tf


def test_retracing_by_dtype_shape_and_python_value():
    @tf.function
    def f(x):
        return x

    f(tf.constant(1)); f(tf.constant(2))          # same signature
    f(tf.constant(1.0))                            # new dtype
    f(tf.constant([1, 2]))                         # new shape
    f(2); f(3)                                     # Python values: one trace each
    assert f.experimental_get_tracing_count() == 5


def test_input_signature_fixes_the_signature():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return x

    f(tf.constant([1.0])); f(tf.constant([1.0, 2.0]))
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError):
        f(tf.constant([1, 2]))


def test_get_concrete_function_without_arguments_traces_the_input_signature():
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def f(x):
        return x * 2.0
    cf = f.get_concrete_function()
    assert cf.structured_input_signature == ((tf.TensorSpec([None, 2], tf.float32, "x"),), {})
    assert f.get_concrete_function() is cf                 # the same trace, not a new one
    assert f.experimental_get_tracing_count() == 1
    np.testing.assert_array_equal(cf(tf.constant([[1.0, 2.0]])).numpy(), [[2.0, 4.0]])
