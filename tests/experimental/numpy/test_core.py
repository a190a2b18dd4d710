"""tnp creation and conversion: Tensors with NumPy's values and dtypes."""
import numpy as np
import pytest

import tapeflow as tf
import tapeflow.experimental.numpy as tnp


@pytest.mark.parametrize("name, args, kwargs", [
    ("arange", (3,), {}), ("arange", (3.0,), {}), ("arange", (0, 1, 0.25), {}),
    ("arange", (5, 0, -2), {}), ("ones", (3,), {}), ("zeros", ((2, 2),), {"dtype": int}),
    ("full", (2, 3), {}), ("full", ((2, 1), 3.5), {}), ("eye", (2, 3), {"k": 1}),
    ("identity", (3,), {}), ("tri", (3, 4, 1), {}), ("linspace", (0, 1, 5), {}),
    ("linspace", (0, 1, 4), {"endpoint": False}), ("logspace", (0, 2, 3), {}),
    ("geomspace", (1, 100, 3), {}), ("asarray", ([1.5],), {}), ("asarray", ([1],), {}),
    ("asarray", ([True],), {}), ("array", ([1, 2],), {"ndmin": 3}),
])
def test_creation_matches_numpy(name, args, kwargs):
    ours = getattr(tnp, name)(*args, **kwargs)
    want = getattr(np, name)(*args, **kwargs)
    assert isinstance(ours, tf.Tensor)
    assert ours.dtype.name == want.dtype.name, (ours.dtype, want.dtype)
    np.testing.assert_allclose(ours.numpy(), want, rtol=1e-12)


def test_asarray_keeps_tensors_and_numpy_dtypes():
    t = tf.constant([1.0])
    assert tnp.asarray(t) is t
    assert tnp.asarray(t, tnp.float64).dtype == tf.float64
    assert tnp.asarray(np.float32(1)).dtype == tf.float32
    assert tnp.asarray([tf.constant(1.0), tf.constant(2.0)]).dtype == tf.float32
    assert tnp.asarray(["ab"]).numpy().tolist() == [b"ab"]
    with pytest.raises(ValueError):
        tnp.asarray([[1], [2, 3]])


def test_like_functions_and_linspace_gradient():
    x = tf.constant([1, 2])
    assert tnp.full_like(x, 7.5).numpy().tolist() == [7, 7]
    assert tnp.zeros_like([1.0, 2]).dtype == tf.float64
    assert tnp.ones_like(x, dtype=float).dtype == tf.float64
    a = tf.constant(1.0, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = tnp.sum(tnp.linspace(a, 3.0, 5))
    assert float(tape.gradient(y, a)) == pytest.approx(2.5)   # sum of (1 - k/4), k=0..4


def test_arange_zero_step_refused():
    with pytest.raises(ValueError):
        tnp.arange(0, 3, 0)
