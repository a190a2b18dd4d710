"""The convolution algorithms (im2col, stride phases, Winograd) and the per-shape choice.

Every algorithm is checked against slow loop references (forward, input and filter
gradients) over odd geometries: stride larger than the kernel, dilation, SAME/VALID and
explicit one-sided padding, batch of 1, one channel; the ops are gradient-checked in
float64 to second order with each algorithm forced; the choice runs each candidate in
turn on a shape's first calls and then keeps one.
"""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.ops import conv_algos, conv_ops, conv_winograd

KINDS = ("forward", "input", "filter")


def _reference(x, w, dy, strides, padding, dilations):
    """The forward, input gradient and filter gradient, window by window (test only)."""
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    oh, pt, pb = conv_ops.output_size(h, kh, sh, dh, padding)
    ow, pl, pr = conv_ops.output_size(wd, kw, sw, dw, padding)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    y = np.zeros((n, oh, ow, o))
    dxp = np.zeros_like(xp)
    dwt = np.zeros(w.shape)
    for i, j in itertools.product(range(oh), range(ow)):
        rows = slice(i * sh, i * sh + (kh - 1) * dh + 1, dh)
        cols = slice(j * sw, j * sw + (kw - 1) * dw + 1, dw)
        y[:, i, j] = np.einsum("nijc,ijco->no", xp[:, rows, cols], w)
        dxp[:, rows, cols] += np.einsum("no,ijco->nijc", dy[:, i, j], w)
        dwt += np.einsum("nijc,no->ijco", xp[:, rows, cols], dy[:, i, j])
    return y, dxp[:, pt:pt + h, pl:pl + wd], dwt


def _explicit_reference(x, w, dy, strides, pads, dilations):
    """References for explicit padding: pad by hand, then a VALID convolution."""
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    y, dxp, dw = _reference(xp, w, dy, strides, "VALID", dilations)
    h, wd = x.shape[1:3]
    return y, dxp[:, pads[0][0]:pads[0][0] + h, pads[1][0]:pads[1][0] + wd], dw


def _run_all(x, w, dy, strides, pads, dilations, want):
    out_hw = dy.shape[1:3]
    for kind, (a, b, shape), ref in zip(KINDS, [(x, w, out_hw), (dy, w, x.shape),
                                                (x, dy, w.shape)], want):
        for name in conv_algos.candidates(kind, w.shape[:2], pads, strides, dilations):
            got = conv_algos.ALGORITHMS[kind][name](a, b, tuple(shape), pads, strides,
                                                    dilations)
            assert got.shape == ref.shape, (kind, name)
            np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9,
                                       err_msg=f"{kind} {name}")


GEOMETRIES = [  # (h, w, kh, kw, strides, dilations, padding)
    (7, 6, 3, 3, (1, 1), (1, 1), "SAME"), (7, 6, 3, 3, (1, 1), (1, 1), "VALID"),
    (8, 9, 3, 3, (2, 2), (1, 1), "SAME"), (9, 8, 3, 2, (2, 1), (1, 1), "VALID"),
    (7, 7, 2, 2, (3, 3), (1, 1), "VALID"), (10, 7, 1, 1, (3, 2), (1, 1), "SAME"),
    (9, 9, 3, 3, (1, 1), (2, 2), "SAME"), (9, 10, 3, 2, (2, 1), (2, 3), "VALID"),
    (5, 5, 5, 5, (1, 1), (1, 1), "SAME"), (4, 3, 3, 3, (4, 4), (1, 1), "SAME"),
    (3, 3, 3, 3, (1, 1), (1, 1), "VALID"), (1, 6, 1, 3, (1, 1), (1, 1), "SAME"),
]


@pytest.mark.parametrize("h,wd,kh,kw,strides,dil,padding", GEOMETRIES)
@pytest.mark.parametrize("n,c,o", [(2, 3, 4), (1, 1, 1), (1, 5, 2)])
def test_every_algorithm_matches_the_references(h, wd, kh, kw, strides, dil, padding, n, c, o):
    rng = np.random.RandomState(h * 31 + kh + c)
    x = rng.randn(n, h, wd, c)
    w = rng.randn(kh, kw, c, o)
    out_hw, pads = conv_ops._geometry((h, wd), (kh, kw), strides, dil, padding)
    dy = rng.randn(n, *out_hw, o)
    _run_all(x, w, dy, strides, pads, dil, _reference(x, w, dy, strides, padding, dil))


@pytest.mark.parametrize("pads", [((2, 0), (0, 1)), ((0, 3), (1, 0)), ((1, 1), (2, 2)),
                                  ((0, 0), (0, 2))])
@pytest.mark.parametrize("strides", [(1, 1), (2, 2), (2, 1)])
def test_explicit_one_sided_padding(pads, strides):
    rng = np.random.RandomState(sum(map(sum, pads)) + strides[0])
    x = rng.randn(2, 6, 7, 3)
    w = rng.randn(3, 3, 3, 2)
    out_hw, _ = conv_ops._geometry((6, 7), (3, 3), strides, (1, 1), pads)
    dy = rng.randn(2, *out_hw, 2)
    _run_all(x, w, dy, strides, pads, (1, 1),
             _explicit_reference(x, w, dy, strides, pads, (1, 1)))


@settings(max_examples=25, deadline=None)
@given(h=st.integers(1, 9), wd=st.integers(1, 9), k=st.integers(1, 4), s=st.integers(1, 4),
       d=st.integers(1, 2), same=st.booleans(), c=st.integers(1, 3), o=st.integers(1, 3))
def test_random_geometries(h, wd, k, s, d, same, c, o):
    padding = "SAME" if same else "VALID"
    out_hw, pads = conv_ops._geometry((h, wd), (k, k), (s, s), (d, d), padding)
    if 0 in out_hw:
        return
    rng = np.random.RandomState(h + 10 * wd + 100 * k)
    x, w = rng.randn(2, h, wd, c), rng.randn(k, k, c, o)
    dy = rng.randn(2, *out_hw, o)
    _run_all(x, w, dy, (s, s), pads, (d, d),
             _reference(x, w, dy, (s, s), padding, (d, d)))


@pytest.mark.parametrize("algo", ["im2col", "phase", "winograd"])
@pytest.mark.parametrize("stride,padding", [(1, "SAME"), (1, "VALID"), (2, "SAME")])
def test_gradients_to_second_order_with_each_algorithm(monkeypatch, algo, stride, padding):
    monkeypatch.setenv("TAPEFLOW_CONV_ALGO", algo)
    rng = np.random.RandomState(stride)
    x = rng.randn(2, 5, 6, 2)
    w = rng.randn(3, 3, 2, 3)
    check_grads(lambda a, b: conv_ops.conv2d(a, b, stride, padding), [x, w], order=2)
    out = conv_ops.conv2d(x, w, stride, padding).shape
    g = rng.randn(*out)
    check_grads(lambda a, b: conv_ops.conv2d_transpose(a, b, x.shape, stride, padding),
                [g, w], order=2)


def test_winograd_float32_stays_close_to_float64():
    rng = np.random.RandomState(0)
    x = rng.randn(2, 13, 11, 16)
    w = rng.randn(3, 3, 16, 8) * 0.1
    out_hw, pads = conv_ops._geometry((13, 11), (3, 3), (1, 1), (1, 1), "SAME")
    dy = rng.randn(2, *out_hw, 8)
    want = _reference(x, w, dy, (1, 1), "SAME", (1, 1))
    f32 = [a.astype(np.float32) for a in (x, w, dy)]
    got = [conv_winograd.forward(f32[0], f32[1], out_hw, pads),
           conv_winograd.input_grad(f32[2], f32[1], x.shape, pads),
           conv_winograd.filter_grad(f32[0], f32[2], w.shape, pads)]
    for g, r in zip(got, want):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, r, rtol=1e-4, atol=1e-4 * np.abs(r).max())


@pytest.mark.parametrize("dtype", [np.int32, np.float16])
def test_integer_and_half_convolutions_never_take_winograd(monkeypatch, dtype):
    assert "winograd" not in conv_algos.candidates("forward", (3, 3), ((1, 1), (1, 1)),
                                                   (1, 1), (1, 1), dtype)
    monkeypatch.setenv("TAPEFLOW_CONV_ALGO", "winograd")        # falls back to im2col
    rng = np.random.RandomState(2)
    x = rng.randint(-3, 4, (1, 6, 5, 2)).astype(dtype)
    w = rng.randint(-3, 4, (3, 3, 2, 2)).astype(dtype)
    got = conv_algos.run("forward", x, w, (6, 5), ((1, 1), (1, 1)), (1, 1), (1, 1))
    want = _reference(x.astype(np.float64), w.astype(np.float64), np.zeros((1, 6, 5, 2)),
                      (1, 1), "SAME", (1, 1))[0]
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, want.astype(dtype))


def test_winograd_applies_only_to_3x3_stride_1():
    assert conv_winograd.applies((3, 3), (1, 1), (1, 1))
    assert not conv_winograd.applies((3, 3), (2, 2), (1, 1))
    assert not conv_winograd.applies((3, 3), (1, 1), (2, 2))
    assert not conv_winograd.applies((5, 5), (1, 1), (1, 1))
    assert not conv_winograd.applies((3, 3), (1, 1), (1, 1), ((3, 0), (1, 1)))
    assert conv_algos.candidates("input", (3, 3), ((3, 0), (1, 1)), (1, 1), (1, 1)) == \
        ["im2col", "phase"]


@pytest.fixture
def counting(monkeypatch):
    """Replaces the algorithms with counting wrappers; yields the list of calls."""
    calls = []
    conv_algos.forget()
    for kind, table in conv_algos.ALGORITHMS.items():
        for name, fn in list(table.items()):
            def wrapped(*args, _fn=fn, _name=name, _kind=kind):
                calls.append((_kind, _name))
                return _fn(*args)
            monkeypatch.setitem(table, name, wrapped)
    monkeypatch.delenv("TAPEFLOW_CONV_ALGO", raising=False)
    yield calls
    conv_algos.forget()


def test_a_large_shape_measures_each_candidate_on_its_first_call_only(counting):
    x = np.random.RandomState(0).randn(4, 20, 20, 16).astype(np.float32)
    w = np.random.RandomState(1).randn(3, 3, 16, 16).astype(np.float32)
    first = conv_ops.conv2d(x, w, 1, "SAME").numpy()
    tried = [name for kind, name in counting]
    assert sorted(tried) == sorted(["im2col", "phase", "winograd"] * 3)
    kept = [v for k, v in conv_algos.chosen().items() if k[0] == "forward"]
    assert len(kept) == 1 and kept[0] in ("im2col", "phase", "winograd")
    counting.clear()
    for _ in range(3):           # then one run of the kept algorithm, the same bits each time
        np.testing.assert_array_equal(conv_ops.conv2d(x, w, 1, "SAME").numpy(), first)
    assert counting == [("forward", kept[0])] * 3


def test_small_shapes_and_the_switch_take_im2col_without_measuring(counting, monkeypatch):
    x = np.ones((1, 5, 5, 2), np.float32)
    w = np.ones((3, 3, 2, 2), np.float32)
    for _ in range(3):
        conv_ops.conv2d(x, w, 1, "SAME")
    assert counting == [("forward", "im2col")] * 3
    counting.clear()
    monkeypatch.setenv("TAPEFLOW_CONV_ALGO", "winograd")
    conv_ops.conv2d(x, w, 1, "SAME")
    conv_ops.conv2d(x, w, 2, "SAME")                    # Winograd does not apply: default
    assert counting == [("forward", "winograd"), ("forward", "im2col")]


def test_empty_batches_and_outputs():
    x = tf.zeros((0, 6, 6, 2))
    w = tf.ones((3, 3, 2, 4))
    assert conv_ops.conv2d(x, w, 1, "SAME").shape == (0, 6, 6, 4)
    assert conv_ops.conv2d(tf.zeros((2, 2, 2, 2)), w, 1, "VALID").shape == (2, 0, 0, 4)


def test_conv2d_transpose_layer_is_the_same_with_each_algorithm(monkeypatch):
    rng = np.random.RandomState(4)
    layer = tf.keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same",
                                            activation="relu")
    x = tf.constant(rng.randn(2, 5, 4, 6).astype(np.float32))
    outs = []
    for algo in ("im2col", "phase"):
        monkeypatch.setenv("TAPEFLOW_CONV_ALGO", algo)
        outs.append(layer(x).numpy())
        k = tf.constant(layer.kernel.numpy())
        # the transposed convolution is the adjoint of the convolution
        probe = rng.randn(2, 10, 8, 3).astype(np.float32)
        g = rng.randn(2, 5, 4, 6).astype(np.float32)
        lhs = np.sum(conv_ops.conv2d(probe, k, 2, "SAME").numpy() * g)
        rhs = np.sum(probe * conv_ops.conv2d_transpose(g, k, (2, 10, 8, 3), 2, "SAME").numpy())
        np.testing.assert_allclose(lhs, rhs, rtol=1e-4)
    assert outs[0].shape == (2, 10, 8, 3)
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-5)
    want = conv_ops.conv2d_transpose(x, layer.kernel, (2, 10, 8, 3), 2, "SAME").numpy()
    np.testing.assert_allclose(outs[0], np.maximum(want + layer.bias.numpy(), 0), rtol=1e-5,
                               atol=1e-5)
