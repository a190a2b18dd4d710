"""keras.ops.linalg and keras.ops.math: NumPy references and float64 gradient checks."""
import numpy as np
import pytest

from tapeflow import keras
from gradcheck import check_grads

ops = keras.ops
R = np.random.RandomState(2)
SQ = R.uniform(0, 1, (3, 3)) + 3 * np.eye(3)
SPD = SQ @ SQ.T
M = R.uniform(-1, 1, (3, 2))


@pytest.mark.parametrize("name,ref,args", [
    ("det", np.linalg.det, (SQ,)), ("inv", np.linalg.inv, (SQ,)),
    ("cholesky", np.linalg.cholesky, (SPD,)), ("solve", np.linalg.solve, (SQ, M)),
    ("pinv", np.linalg.pinv, (M,)), ("norm", np.linalg.norm, (SQ,)),
    ("matrix_rank", np.linalg.matrix_rank, (SQ,)),
    ("lstsq", lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], (SQ, M))])
def test_linalg_matches_numpy(name, ref, args):
    np.testing.assert_allclose(ops.convert_to_numpy(getattr(ops, name)(*args)), ref(*args),
                               rtol=1e-6, atol=1e-8)


def test_decompositions_reconstruct():
    q, r = ops.qr(SQ)
    np.testing.assert_allclose((q.numpy() @ r.numpy()), SQ, atol=1e-10)
    u, s, vh = ops.svd(M, full_matrices=False)
    np.testing.assert_allclose(u.numpy() * s.numpy() @ vh.numpy(), M, atol=1e-10)
    w, v = ops.eigh(SPD)
    np.testing.assert_allclose(v.numpy() @ np.diag(w.numpy()) @ v.numpy().T, SPD, atol=1e-9)
    lu, piv = ops.lu_factor(SQ)
    a = SQ.copy()
    for k, p in enumerate(piv.numpy()):
        a[[k, p]] = a[[p, k]]
    lower = np.tril(lu.numpy(), -1) + np.eye(3)
    np.testing.assert_allclose(lower @ np.triu(lu.numpy()), a, atol=1e-10)
    np.testing.assert_allclose(ops.solve_triangular(np.tril(SQ), M, lower=True).numpy(),
                               np.linalg.solve(np.tril(SQ), M), atol=1e-10)


def test_math_ops():
    x = R.uniform(-1, 1, (2, 5))
    v, i = ops.top_k(x, 2)
    np.testing.assert_allclose(v.numpy(), -np.sort(-x, axis=1)[:, :2])
    assert i.dtype.name == "int32"
    np.testing.assert_allclose(ops.logsumexp(x, axis=1).numpy(), np.log(np.exp(x).sum(1)))
    np.testing.assert_allclose(ops.segment_sum(x, np.array([1, 1])).numpy(),
                               np.stack([np.zeros(5), x.sum(0)]))
    np.testing.assert_allclose(ops.segment_max(x.T, np.array([0, 0, 1, 1, 1])).numpy(),
                               np.stack([x.T[:2].max(0), x.T[2:].max(0)]))
    np.testing.assert_allclose(ops.erfinv(ops.erf(x * 0.9)).numpy(), x * 0.9, atol=1e-9)
    re, im = ops.rfft(x)
    np.testing.assert_allclose(re.numpy() + 1j * im.numpy(), np.fft.rfft(x), atol=1e-12)
    np.testing.assert_allclose(ops.irfft((re, im), 5).numpy(), x, atol=1e-12)
    assert ops.in_top_k(np.array([0, 4]), x, 5).numpy().all()
    np.testing.assert_allclose(ops.rearrange(np.arange(6).reshape(1, 2, 3),
                                             "a b c -> a c b").numpy(),
                               np.arange(6).reshape(1, 2, 3).transpose(0, 2, 1))
    assert callable(ops.rearrange)  # its helper module must not shadow the function


GRADS = {
    "det": (lambda a: ops.det(a), [SQ], 1), "inv": (lambda a: ops.inv(a), [SQ], 1),
    "cholesky": (lambda a: ops.cholesky((a + ops.transpose(a)) / 2), [SPD], 1),
    "solve": (lambda a, b: ops.solve(a, b), [SQ, M], 1),
    "norm": (lambda a: ops.norm(a, axis=1), [M], 2),
    "norm-fro": (lambda a: ops.norm(a, ord="fro"), [SQ], 1),
    "logdet": (lambda a: ops.logdet((a + ops.transpose(a)) / 2), [SPD], 1),
    "logsumexp": (lambda a: ops.logsumexp(a, axis=0), [M], 2),
    "erf": (lambda a: ops.erf(a), [M], 2), "erfinv": (lambda a: ops.erfinv(a * 0.5), [M], 1),
    "rsqrt": (lambda a: ops.rsqrt(a), [SQ], 2),
    "top_k": (lambda a: ops.top_k(a, 2)[0], [M.T], 1),
    "segment_sum": (lambda a: ops.segment_sum(a, np.array([0, 1, 1])), [M], 1),
    "segment_max": (lambda a: ops.segment_max(a, np.array([0, 1, 1])), [M], 1),
    "extract_sequences": (lambda a: ops.extract_sequences(a, 2, 1), [M.T], 1),
    "cdist": (lambda a, b: ops.cdist(a, b), [M, M[::-1] + 0.5], 1),
    "jvp-is-linear": (lambda a: ops.linalg.jvp(lambda x: ops.sin(x) * x, (a,),
                                               (ops.ones_like(a),))[1], [M], 1),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_linalg_math_gradients(name):
    fn, args, order = GRADS[name]
    check_grads(fn, args, order=order, name=name)


def test_jvp_matches_the_jacobian():
    x = R.uniform(0.5, 1, (3,))
    t = R.uniform(-1, 1, (3,))
    out, tangent = ops.linalg.jvp(lambda a: ops.exp(a) * 2.0, (x,), (t,))
    np.testing.assert_allclose(tangent.numpy(), 2 * np.exp(x) * t, rtol=1e-10)
    np.testing.assert_allclose(out.numpy(), 2 * np.exp(x))
