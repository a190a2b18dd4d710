"""tf.linalg's matrix ops against the real TensorFlow: the gradients of eigh, svd and qr
(which TensorFlow registers and tapeflow now has), inv/det/slogdet/solve/cholesky/band_part,
and the values and dtypes of the decompositions."""
import numpy as np
import pytest

import tapeflow as tf

RNG = np.random.default_rng(11)


def _grad(lib, fn, a):
    """Returns (value, gradient of sum(fn(a) * weights)) in ``lib``."""
    x = lib.constant(a)
    with lib.GradientTape() as tape:
        tape.watch(x)
        out = fn(lib, x)
        w = lib.constant(np.linspace(0.5, 1.5, int(np.prod(out.shape))).reshape(
            out.shape).astype(a.dtype))
        loss = lib.reduce_sum(out * w)
    return out.numpy(), tape.gradient(loss, x).numpy()


def _sym(n, batch=()):
    q, _ = np.linalg.qr(RNG.standard_normal(batch + (n, n)))
    d = np.arange(1.0, n + 1) * 1.7
    return q @ (d[..., :, None] * np.swapaxes(q, -1, -2))


def _uwv(t, x, full=False):
    s, u, v = t.linalg.svd(x, full_matrices=full)
    k = s.shape[-1]
    return t.matmul(u[..., :, :k] * t.constant(np.linspace(0.5, 2, k), x.dtype), v[..., :, :k],
                    adjoint_b=True)


CASES = {
    "eigh values": (lambda t, x: t.linalg.eigh(x)[0], lambda: _sym(4)),
    "eigh vectors": (lambda t, x: (lambda e, v: t.matmul(v * t.constant(
        np.linspace(1, 2, 4)), v, adjoint_b=True))(*t.linalg.eigh(x)), lambda: _sym(4)),
    "eigh batched": (lambda t, x: t.linalg.eigh(x)[0], lambda: _sym(3, (2,))),
    "eigvalsh": (lambda t, x: t.linalg.eigvalsh(x), lambda: _sym(3)),
    "svd values": (lambda t, x: t.linalg.svd(x, compute_uv=False),
                   lambda: RNG.standard_normal((4, 3))),
    "svd vectors square": (_uwv, lambda: RNG.standard_normal((3, 3))),
    "svd vectors tall": (_uwv, lambda: RNG.standard_normal((5, 3))),
    "svd vectors wide": (_uwv, lambda: RNG.standard_normal((3, 5))),
    "svd full 4x3": (lambda t, x: _uwv(t, x, True), lambda: RNG.standard_normal((4, 3))),
    "qr q": (lambda t, x: t.linalg.qr(x).q, lambda: RNG.standard_normal((4, 3))),
    "qr r": (lambda t, x: t.linalg.qr(x).r, lambda: RNG.standard_normal((4, 3))),
    "qr wide": (lambda t, x: t.linalg.qr(x).r, lambda: RNG.standard_normal((3, 5))),
    "qr batched square": (lambda t, x: t.linalg.qr(x).q,
                          lambda: RNG.standard_normal((2, 3, 3))),
    "inv": (lambda t, x: t.linalg.inv(x), lambda: _sym(3)),
    "det": (lambda t, x: t.linalg.det(x), lambda: _sym(3)),
    "slogdet": (lambda t, x: t.linalg.slogdet(x)[1], lambda: _sym(3)),
    "cholesky": (lambda t, x: t.linalg.cholesky(x), lambda: _sym(3)),
    "band_part": (lambda t, x: t.linalg.band_part(x, 1, 0), lambda: _sym(3)),
    "pinv": (lambda t, x: t.linalg.pinv(x), lambda: RNG.standard_normal((4, 3))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_tensorflow(rtf, name):
    fn, make = CASES[name]
    a = make()
    ours, theirs = _grad(tf, fn, a), _grad(rtf, fn, a)
    for x, y in zip(ours, theirs):
        assert x.shape == y.shape and x.dtype == y.dtype
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_decomposition_dtypes_match_tensorflow(rtf, dtype):
    a = (np.eye(3) * 2 + 0.1).astype(dtype)
    for fn in (lambda t: t.linalg.eigh(a), lambda t: t.linalg.svd(a),
               lambda t: t.linalg.svd(a, compute_uv=False), lambda t: t.linalg.qr(a),
               lambda t: t.linalg.slogdet(a), lambda t: t.linalg.logdet(a)):
        ours, theirs = fn(tf), fn(rtf)
        ours = ours if isinstance(ours, tuple) else (ours,)
        theirs = theirs if isinstance(theirs, tuple) else (theirs,)
        assert [o.dtype.name for o in ours] == [o.dtype.name for o in theirs]
        assert [tuple(o.shape) for o in ours] == [tuple(o.shape) for o in theirs]


def test_svd_full_matrices_gradient_limit_as_tensorflow(rtf):
    a = RNG.standard_normal((5, 2))
    for lib in (tf, rtf):
        x = lib.constant(a)
        with lib.GradientTape() as tape:
            tape.watch(x)
            s, u, v = lib.linalg.svd(x, full_matrices=True)
            loss = lib.reduce_sum(u)
        with pytest.raises(NotImplementedError):
            tape.gradient(loss, x)
