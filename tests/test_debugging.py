"""tf.debugging: assertions raise InvalidArgumentError / ValueError as TensorFlow does."""

import numpy as np
import pytest

import tapeflow as tf


def test_assert_equal():
    assert tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 2])) is None
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y did not hold"):
        tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]), message="oops")


def test_assert_near():
    tf.debugging.assert_near(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0000001]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not equal to tolerance"):
        tf.debugging.assert_near(tf.constant([1.0]), tf.constant([1.1]))
    tf.debugging.assert_near(tf.constant([1.0]), tf.constant([1.1]), atol=0.2)


def test_assert_rank():
    tf.debugging.assert_rank(tf.zeros((2, 3)), 2)
    with pytest.raises(ValueError, match="must have rank 1"):
        tf.debugging.assert_rank(tf.zeros((2, 3)), 1)


def test_check_numerics():
    x = tf.constant([1.0, 2.0])
    assert tf.debugging.check_numerics(x, "fine") is x
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad : Tensor had NaN values"):
        tf.debugging.check_numerics(tf.constant([np.nan]), "bad")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor had Inf values"):
        tf.debugging.check_numerics(tf.constant([np.inf], dtype=tf.float32), "bad")


def test_assert_shapes():
    x = tf.zeros((2, 3))
    y = tf.zeros((3,))
    tf.debugging.assert_shapes([(x, ("N", "Q")), (y, ("Q",))])
    tf.debugging.assert_shapes([(x, (2, None))])
    with pytest.raises(ValueError):
        tf.debugging.assert_shapes([(x, ("N", "Q")), (y, ("N",))])
    with pytest.raises(ValueError):
        tf.debugging.assert_shapes([(x, ("N",))])
