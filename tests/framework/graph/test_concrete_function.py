"""framework/graph/concrete_function.py: ConcreteFunction's signature, outputs and checks."""
import pytest

import tapeflow as tf


def test_concrete_function_signature_and_outputs():
    @tf.function
    def f(x):
        return {"y": x * 2}

    cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32, name="x"))
    args, kwargs = cf.structured_input_signature
    assert args == (tf.TensorSpec([None], tf.float32, name="x"),) and kwargs == {}
    assert cf.output_dtypes == {"y": tf.float32}
    assert [list(s) for s in [cf.output_shapes["y"]]] == [[None]]
    assert cf(tf.constant([1.0, 2.0]))["y"].numpy().tolist() == [2.0, 4.0]
    with pytest.raises(tf.errors.InvalidArgumentError):
        cf(tf.constant([1, 2]))               # int32 into a float32 signature
