"""tf.linalg's matrix ops (ops/matrix_ops.py): values against NumPy, TensorFlow's errors,
and float64 finite-difference gradients, first and second order, of inv, det, slogdet,
solve, cholesky, band_part and the decompositions eigh, svd and qr."""
import numpy as np
import pytest

import tapeflow as tf
from tests.gradcheck import check_grads

RNG = np.random.default_rng(7)


def _spd(n, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _distinct_sym(n):
    """A symmetric matrix with well-separated eigenvalues (eigh's gradient needs them)."""
    q, _ = np.linalg.qr(RNG.standard_normal((n, n)))
    return q @ np.diag(np.arange(1.0, n + 1) * 1.5) @ q.T


@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)])
def test_inverse_det_solve_cholesky_gradients(shape):
    a = _spd(shape[-1], shape[:-2])
    b = RNG.standard_normal(shape[:-1] + (2,))
    check_grads(tf.linalg.inv, [a], name="inv")
    check_grads(lambda x: tf.linalg.inv(x, adjoint=True), [a], name="inv adjoint")
    check_grads(tf.linalg.det, [a], name="det", rtol=1e-4)
    check_grads(lambda x: tf.linalg.slogdet(x)[1], [a], name="slogdet")
    check_grads(tf.linalg.solve, [a, b], name="solve")
    check_grads(lambda x, y: tf.linalg.solve(x, y, adjoint=True), [a, b], name="solve adj")
    # Cholesky reads one triangle; its gradient (as TensorFlow's) is the symmetric one
    sym = lambda x: (x + tf.linalg.matrix_transpose(x)) / 2  # noqa: E731
    check_grads(lambda x: tf.linalg.cholesky(sym(x)), [a], name="cholesky")
    check_grads(lambda x: tf.linalg.band_part(x, 1, 0), [a], name="band_part")


def test_eigh_gradient_first_and_second_order():
    a = _distinct_sym(4)
    check_grads(lambda x: tf.linalg.eigh(x)[0], [a], name="eigh values")
    # an eigenvector's sign is arbitrary: check sign-free functions of them
    w = RNG.standard_normal(4)
    check_grads(lambda x: (lambda e, v: tf.matmul(v * w, v, transpose_b=True))(
        *tf.linalg.eigh(x)), [a], name="eigh vectors", rtol=1e-4)
    check_grads(lambda x: tf.linalg.eigvalsh(x), [a], name="eigvalsh")


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3)])
def test_svd_gradient(shape):
    a = RNG.standard_normal(shape)
    k = min(shape[-2:])
    w = np.linspace(0.5, 2.0, k)
    check_grads(lambda x: tf.linalg.svd(x, compute_uv=False), [a], name="svd values")
    check_grads(lambda x: tf.linalg.svd(x)[0], [a], name="svd s", order=1)

    def uwv(x):   # u diag(w) v^H: free of the singular vectors' signs
        s, u, v = tf.linalg.svd(x)
        return tf.matmul(u * w, v, transpose_b=True)
    check_grads(uwv, [a], name="svd vectors", rtol=1e-4, atol=1e-5)


def test_svd_full_matrices_gradient_and_limit():
    a = RNG.standard_normal((4, 3))
    w = np.linspace(0.5, 2.0, 3)

    def uwv(x):
        s, u, v = tf.linalg.svd(x, full_matrices=True)
        return tf.matmul(u[:, :3] * w, v, transpose_b=True)
    check_grads(uwv, [a], name="svd full", rtol=1e-4, atol=1e-5, order=1)
    x = tf.constant(RNG.standard_normal((5, 2)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        s, u, v = tf.linalg.svd(x, full_matrices=True)
        out = tf.reduce_sum(u)
    with pytest.raises(NotImplementedError):
        tape.gradient(out, x)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3)])
def test_qr_gradient(shape):
    a = RNG.standard_normal(shape)
    check_grads(lambda x: tf.linalg.qr(x).q, [a], name="qr q", rtol=1e-4, atol=1e-5)
    check_grads(lambda x: tf.linalg.qr(x).r, [a], name="qr r", rtol=1e-4, atol=1e-5)


def test_qr_full_square_and_wide_gradient():
    a = RNG.standard_normal((3, 5))
    check_grads(lambda x: tf.linalg.qr(x, full_matrices=True).r, [a], name="qr full wide",
                rtol=1e-4, atol=1e-5, order=1)


def test_values_match_numpy():
    a = RNG.standard_normal((2, 4, 3)).astype(np.float32)
    s, u, v = tf.linalg.svd(a)
    np.testing.assert_allclose(tf.matmul(u * s[:, None, :], v, adjoint_b=True), a, atol=1e-5)
    q, r = tf.linalg.qr(a)
    np.testing.assert_allclose(tf.matmul(q, r), a, atol=1e-5)
    assert np.allclose(np.tril(r.numpy(), -1), 0)
    e, vv = tf.linalg.eigh(_spd(3))
    np.testing.assert_allclose(e, np.linalg.eigvalsh(_spd(3) * 0 + vv.numpy() @ np.diag(
        e.numpy()) @ vv.numpy().T), atol=1e-10)
    c = np.eye(3, dtype=np.complex64)
    assert tf.linalg.svd(c, compute_uv=False).dtype == tf.float32
    assert tf.linalg.eigh(c)[0].dtype == tf.complex64   # as TensorFlow's
    assert tf.linalg.logdet(c).dtype == tf.float32
    sign, logabs = tf.linalg.slogdet(c)
    assert sign.dtype == logabs.dtype == tf.complex64


def test_empty_and_bad_shapes_raise_as_tensorflow():
    assert tf.linalg.svd(np.zeros((0, 3, 3)), compute_uv=False).shape == (0, 3)
    assert tf.linalg.qr(np.zeros((0, 3, 2))).q.shape == (0, 3, 2)
    assert tf.linalg.eigh(np.zeros((0, 0)))[1].shape == (0, 0)
    for f in (tf.linalg.inv, tf.linalg.det, tf.linalg.cholesky, tf.linalg.eigh):
        with pytest.raises(tf.errors.InvalidArgumentError, match="must be square"):
            f(np.zeros((2, 3)))
    for f in (tf.linalg.svd, tf.linalg.qr, tf.linalg.inv):
        with pytest.raises(tf.errors.InvalidArgumentError, match="rank >= 2"):
            f(np.zeros(3))
    with pytest.raises(tf.errors.InvalidArgumentError, match="'T' of int32"):
        tf.linalg.inv(np.eye(2, dtype=np.int32))
    with pytest.raises(tf.errors.NotFoundError):
        tf.linalg.det(np.eye(2, dtype=np.float16))
    assert tf.linalg.inv(np.eye(2, dtype=np.float16)).dtype == tf.float16
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tf.linalg.inv(np.zeros((2, 2)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="incompatible"):
        tf.linalg.solve(np.eye(3), np.ones((2, 1)))
    with pytest.raises(TypeError, match="float"):
        tf.linalg.pinv(np.eye(2, dtype=np.int32))


def test_band_part_selects_and_checks():
    x = np.full((3, 4), np.nan, np.float32)
    out = tf.linalg.band_part(x, 0, 0).numpy()
    assert np.isnan(np.diag(out)).all() and (out[~np.eye(3, 4, dtype=bool)] == 0).all()
    assert tf.linalg.band_part(np.ones((2, 2), bool), 0, -1).dtype == tf.bool
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_lower"):
        tf.linalg.band_part(x, 5, 0)
    with pytest.raises(TypeError):
        tf.linalg.band_part(x, 1.5, 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="2-dim"):
        tf.linalg.band_part(np.ones(3), 0, 0)
