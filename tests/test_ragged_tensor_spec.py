"""ragged_tensor_spec.py: tf.RaggedTensorSpec."""
import tapeflow as tf


def test_spec_of_value_and_compatibility():
    rt = tf.ragged.constant([[1, 2], [3]])
    spec = tf.RaggedTensorSpec.from_value(rt)
    assert spec == tf.RaggedTensorSpec([2, None], tf.int32, 1, tf.int64)
    assert repr(tf.RaggedTensorSpec([None, None], tf.int32)) == \
        "RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64)"
    assert tf.RaggedTensorSpec([None, None], tf.int32).is_compatible_with(rt)
    assert not tf.RaggedTensorSpec([None, None], tf.float32).is_compatible_with(rt)
