"""tnp.random: NumPy's signatures, float64/int64 Tensors, repeatable with seed."""
import tapeflow as tf
import tapeflow.experimental.numpy as tnp


def test_shapes_dtypes_ranges_and_seed():
    assert tnp.random.rand(2, 3).shape.as_list() == [2, 3]
    assert tnp.random.randn(2).dtype == tf.float64
    assert tnp.random.uniform(1.0, 2.0, size=(50,)).numpy().min() >= 1.0
    assert tnp.random.standard_normal((2,)).dtype == tf.float64
    assert tnp.random.random().shape.as_list() == []
    r = tnp.random.randint(2, 5, size=100).numpy()
    assert r.min() >= 2 and r.max() < 5 and r.dtype.name == "int64"
    assert tnp.random.randint(3, dtype=tnp.int32).dtype == tf.int32
    assert tnp.random.poisson(2.0, size=(3,)).dtype == tf.int64
    tnp.random.seed(5)
    a = tnp.random.rand(3).numpy()
    tnp.random.seed(5)
    assert (tnp.random.rand(3).numpy() == a).all()
