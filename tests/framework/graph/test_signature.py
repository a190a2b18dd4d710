"""tapeflow.framework.graph.signature: binding calls to a tf.function's input_signature."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.framework.graph import signature


def test_spec_text_is_tensorflows_repr():
    assert signature.spec_text((None, 3), tf.float32) == \
        "TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)"
    assert signature.spec_text((None, 3), tf.float32) == repr(tf.TensorSpec([None, 3], tf.float32))


def test_signature_converts_and_traces_once_for_any_batch():
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def f(x):
        return tf.reduce_sum(x, axis=1)

    np.testing.assert_allclose(f(np.ones((3, 2), np.float32)).numpy(), [2, 2, 2])
    np.testing.assert_allclose(f(np.array([[1.0, 2.0]], np.float32)).numpy(), [3.0])
    assert f.experimental_get_tracing_count() == 1


def test_mismatched_argument_raises_binding_type_error():
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def f(x):
        return x

    with pytest.raises(TypeError, match="Binding inputs to tf.function"):
        f(np.ones((3, 4), np.float32))
    with pytest.raises(TypeError, match="Binding inputs to tf.function"):
        f(np.ones((3, 2), np.float32), np.ones(2))
