"""tapeflow.ops.conv_winograd: F(2x2, 3x3) against a direct NumPy convolution."""
import numpy as np

from tapeflow.ops import conv_winograd as wg


def _direct(x, w, pads):
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    n, h, ww, _ = xp.shape
    oh, ow = h - 2, ww - 2
    out = np.zeros((n, oh, ow, w.shape[3]))
    for i in range(3):
        for j in range(3):
            out += np.einsum("nhwc,co->nhwo", xp[:, i:i + oh, j:j + ow], w[i, j])
    return out


def test_applies_only_to_3x3_stride1_undilated():
    assert wg.applies((3, 3), (1, 1), (1, 1))
    assert not wg.applies((5, 5), (1, 1), (1, 1))
    assert not wg.applies((3, 3), (2, 2), (1, 1))
    assert not wg.applies((3, 3), (1, 1), (2, 2))
    assert not wg.applies((3, 3), (1, 1), (1, 1), pads=((3, 0), (0, 0)))


def test_forward_matches_direct_conv_odd_output():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 7, 6, 3))
    w = rng.standard_normal((3, 3, 3, 4))
    pads = ((1, 1), (0, 1))
    ref = _direct(x, w, pads)
    out = wg.forward(x, w, ref.shape[1:3], pads)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-10)


def test_gradients_are_adjoint_of_forward():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 6, 5, 2))
    w = rng.standard_normal((3, 3, 2, 3))
    pads = ((1, 1), (1, 1))
    y = wg.forward(x, w, (6, 5), pads)
    dy = rng.standard_normal(y.shape)
    dx = wg.input_grad(dy, w, x.shape, pads)
    dw = wg.filter_grad(x, dy, w.shape, pads)
    np.testing.assert_allclose(np.vdot(y, dy), np.vdot(x, dx), rtol=1e-10)
    np.testing.assert_allclose(np.vdot(y, dy), np.vdot(w, dw), rtol=1e-10)
