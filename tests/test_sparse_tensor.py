"""sparse_tensor.py: tf.SparseTensor and tf.SparseTensorSpec."""
import numpy as np
import pytest

import tapeflow as tf


def test_construction_densify_and_spec_compatibility():
    sp = tf.SparseTensor(indices=[[0, 1], [2, 3]], values=[1.0, 2.0], dense_shape=[3, 4])
    assert sp.shape == (3, 4) and sp.dtype == tf.float32
    dense = np.zeros((3, 4), np.float32)
    dense[0, 1], dense[2, 3] = 1.0, 2.0
    np.testing.assert_array_equal(tf.sparse.to_dense(sp).numpy(), dense)
    assert tf.SparseTensorSpec([None, 4], tf.float32).is_compatible_with(sp)
    assert not tf.SparseTensorSpec([None, 5], tf.float32).is_compatible_with(sp)


def test_indices_and_values_must_agree():
    with pytest.raises(ValueError, match="not compatible"):
        tf.SparseTensor(indices=[[0, 1]], values=[1.0, 2.0], dense_shape=[3, 4])
