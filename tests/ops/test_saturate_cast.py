"""tf.dtypes.saturate_cast: clamps in the input dtype before casting, as TensorFlow 2.21."""
import numpy as np
import pytest

import tapeflow as tf


@pytest.mark.parametrize("values, src, dst, expected", [
    ([1, 2, 300, -5], "int32", "uint8", [1, 2, 255, 0]),
    ([1e10, -1e10, 3.7], "float32", "int32", [2147483520, -2147483648, 3]),
    ([1e10, -1e10, 3.7], "float32", "float16", [65504.0, -65504.0, 3.7]),
    ([300.0, -2.0], "float32", "uint8", [255, 0]),
    ([3.9e38], "float64", "float32", [3.4028234663852886e38]),
    ([-1, 70000], "int32", "int16", [-1, 32767]),
    ([2 ** 40], "int64", "int32", [2147483647]),
    ([2 ** 40], "int64", "float32", [2.0 ** 40]),  # TF 2.21 returns -9.2e18 here (a bug)
])
def test_values_match_tensorflow(values, src, dst, expected):
    out = tf.dtypes.saturate_cast(tf.constant(values, dtype=src), dst)
    assert out.dtype == tf.as_dtype(dst)
    np.testing.assert_allclose(out.numpy().astype(np.float64), expected, rtol=1e-3)


def test_complex_to_real_keeps_the_real_part_and_bool_raises():
    out = tf.saturate_cast(tf.constant([1 + 2j]), tf.float32)
    assert out.dtype == tf.float32 and out.numpy().tolist() == [1.0]
    with pytest.raises(TypeError, match="Cannot find minimum value of <dtype: 'bool'>"):
        tf.saturate_cast(tf.constant([5]), tf.bool)


def test_gradient_is_zero_where_clamped():
    x = tf.Variable([1e10, 3.0, -2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.cast(tf.saturate_cast(x, tf.float16), tf.float32))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 1.0, 1.0])
