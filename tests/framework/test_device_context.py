"""tf.device accepts TensorFlow's device strings and runs the block on the CPU."""
import pytest

import tapeflow as tf


def test_device_block_runs_and_rejects_non_strings():
    with tf.device("cpu"):
        x = tf.constant([1.0, 2.0]) * 2
    with tf.device("/GPU:0"):
        y = x + 1
    assert y.numpy().tolist() == [3.0, 5.0]
    with pytest.raises(TypeError):
        with tf.device(3):
            pass


def test_mixed_precision_namespace():
    from tapeflow import keras
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
        layer = keras.layers.Dense(2)
        y = layer(tf.ones((1, 3)))
        assert y.dtype == tf.float16 and layer.kernel.dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert isinstance(keras.DTypePolicy("float32"), keras.mixed_precision.Policy)
