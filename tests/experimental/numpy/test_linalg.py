"""tnp products against NumPy, with gradients."""
import numpy as np
import pytest

import tapeflow as tf
import tapeflow.experimental.numpy as tnp
from tests.gradcheck import check_grads

R = np.random.default_rng(0)
A, B = R.standard_normal((2, 3)), R.standard_normal((3, 4))
V, W = R.standard_normal(3), R.standard_normal(3)


@pytest.mark.parametrize("name, a, b", [
    ("matmul", A, B), ("matmul", A, V), ("matmul", V, B), ("matmul", R.standard_normal(
        (2, 2, 3)), B), ("dot", A, B), ("dot", V, W), ("dot", R.standard_normal((2, 3)),
                                                       R.standard_normal((4, 3, 2))),
    ("inner", A, R.standard_normal((4, 3))), ("outer", V, W), ("vdot", A, A),
    ("kron", A, B[:2, :2]), ("cross", V, W), ("cross", A, A[::-1]),
    ("tensordot", A, B), ("polyval", V, A),
])
def test_products_match_numpy_and_differentiate(name, a, b):
    fn = getattr(tnp, name)
    if name == "tensordot":
        fn = lambda x, y: tnp.tensordot(x, y, axes=([1], [0]))   # noqa: E731
        want = np.tensordot(a, b, axes=([1], [0]))
    else:
        want = getattr(np, name)(a, b)
    np.testing.assert_allclose(fn(a, b).numpy(), want, rtol=1e-10, atol=1e-12)
    check_grads(fn, [a, b], order=2, name=name)


def test_einsum_trace_and_ints():
    np.testing.assert_allclose(tnp.einsum("ij,jk->ik", A, B).numpy(), A @ B, rtol=1e-12)
    assert tnp.einsum("i,i->", [1, 2], [3, 4]).dtype == tf.int64
    assert tnp.matmul([[1]], [[2]]).dtype == tf.int64
    np.testing.assert_allclose(tnp.trace(A, 1).numpy(), np.trace(A, 1))
    assert tnp.cross([1, 2], [3, 4]).numpy() == -2   # 1*4 - 2*3, NumPy's 2-vector rule
    check_grads(lambda x: tnp.trace(x), [A], order=2)
    with pytest.raises(ValueError):
        tnp.matmul(tnp.ones((2, 3)), tnp.ones((2, 3)))
    with pytest.raises(ValueError):
        tnp.matmul(1.0, [1.0])
