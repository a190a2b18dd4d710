"""keras/ops/products.py: matmul, einsum, sort, unique."""
import numpy as np

from tapeflow import keras

ops = keras.ops


def test_products_and_sorting():
    a = np.random.default_rng(0).random((2, 3)).astype("float32")
    b = np.random.default_rng(1).random((3, 4)).astype("float32")
    np.testing.assert_allclose(np.asarray(ops.matmul(a, b)), a @ b, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(ops.einsum("ij,jk->ik", a, b)), a @ b, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(ops.sort(np.array([3, 1, 2]))), [1, 2, 3])
    np.testing.assert_array_equal(np.asarray(ops.unique(np.array([3, 1, 3]))), [1, 3])
