"""tapeflow.ops.functional_ops: map_fn / scan / foldl / foldr / numpy_function."""
import numpy as np

import tapeflow as tf
from gradcheck import check_grads


def test_map_fn_and_scan_match_numpy():
    x = np.arange(12.0).reshape(4, 3)
    out = tf.map_fn(lambda r: tf.reduce_sum(r * r), x)
    np.testing.assert_allclose(out.numpy(), (x * x).sum(axis=1))
    cum = tf.scan(lambda acc, r: acc + r, x)
    np.testing.assert_allclose(cum.numpy(), np.cumsum(x, axis=0))


def test_foldl_foldr_order_and_numpy_function():
    elems = np.array([1.0, 2.0, 3.0])
    # a non-commutative step shows the order: foldl runs first-to-last, foldr last-to-first
    assert float(tf.foldl(lambda a, e: a * 2 + e, elems, initializer=0.0)) == ((0 * 2 + 1) * 2 + 2) * 2 + 3
    assert float(tf.foldr(lambda a, e: a * 2 + e, elems, initializer=0.0)) == ((0 * 2 + 3) * 2 + 2) * 2 + 1
    y = tf.numpy_function(lambda a: (a * 3).astype(np.float32), [np.ones(2, np.float32)], tf.float32)
    np.testing.assert_array_equal(y.numpy(), [3.0, 3.0])


def test_map_fn_and_scan_gradients():
    x = np.random.default_rng(0).standard_normal((3, 4))
    check_grads(lambda t: tf.map_fn(lambda r: tf.sin(r) * r, t), [x])
    check_grads(lambda t: tf.scan(lambda a, r: a * r + r, t), [x], order=1)
