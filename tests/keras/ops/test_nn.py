"""keras.ops.nn: values against NumPy references and float64 gradient checks."""
import numpy as np
import pytest

from tapeflow import keras
from gradcheck import check_grads

ops = keras.ops
R = np.random.RandomState(1)
X = R.uniform(-1, 1, (2, 5, 5, 3))
K = R.uniform(-1, 1, (3, 3, 3, 2))
L = R.uniform(-1, 1, (2, 4))
Q = R.uniform(-1, 1, (2, 3, 2, 4))


def _softmax(a, axis=-1):
    e = np.exp(a - a.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def test_softmax_and_log_softmax_match_numpy():
    np.testing.assert_allclose(ops.softmax(L).numpy(), _softmax(L), rtol=1e-6)
    np.testing.assert_allclose(ops.log_softmax(L).numpy(), np.log(_softmax(L)), rtol=1e-6)
    np.testing.assert_allclose(ops.softmax(L, axis=(0, 1)).numpy().sum(), 1.0, rtol=1e-6)


def test_conv_matches_a_direct_loop():
    out = ops.conv(X, K).numpy()
    want = np.zeros((2, 3, 3, 2))
    for i in range(3):
        for j in range(3):
            want[:, i, j] = np.einsum("bhwc,hwco->bo", X[:, i:i + 3, j:j + 3], K)
    np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-9)
    first = ops.conv(X.transpose(0, 3, 1, 2), K, data_format="channels_first").numpy()
    np.testing.assert_allclose(first, want.transpose(0, 3, 1, 2), rtol=1e-6, atol=1e-9)


def test_pooling_and_one_hot():
    np.testing.assert_allclose(ops.max_pool(X, 2).numpy()[0, 0, 0],
                               X[0, :2, :2].max(axis=(0, 1)))
    np.testing.assert_allclose(ops.average_pool(X, 2).numpy()[0, 0, 0],
                               X[0, :2, :2].mean(axis=(0, 1)))
    assert ops.one_hot(np.array([0, 2, -1]), 3).numpy().tolist() == [[1, 0, 0], [0, 0, 1],
                                                                    [0, 0, 0]]
    assert ops.multi_hot(np.array([[0, 2], [1, 1]]), 3).numpy().tolist() == [[1, 0, 1],
                                                                            [0, 1, 0]]


def test_crossentropies_match_numpy():
    t = np.eye(4)[[1, 3]]
    p = _softmax(L)
    np.testing.assert_allclose(ops.categorical_crossentropy(t, L, from_logits=True).numpy(),
                               -(t * np.log(p)).sum(-1), rtol=1e-6)
    np.testing.assert_allclose(ops.sparse_categorical_crossentropy(
        np.array([1, 3]), L, from_logits=True).numpy(), -(t * np.log(p)).sum(-1), rtol=1e-6)
    s = 1 / (1 + np.exp(-L))
    y = (L > 0).astype(float)
    np.testing.assert_allclose(ops.binary_crossentropy(y, L, from_logits=True).numpy(),
                               -(y * np.log(s) + (1 - y) * np.log(1 - s)), rtol=1e-6)


def test_ctc_loss_matches_brute_force():
    logits = R.uniform(-1, 1, (1, 3, 3))
    logp = np.log(_softmax(logits))[0]
    total = 0.0   # all paths of length 3 over {blank=0, 1, 2} collapsing to [1, 2]
    import itertools
    for path in itertools.product(range(3), repeat=3):
        collapsed = [c for i, c in enumerate(path) if c != 0 and (i == 0 or c != path[i - 1])]
        if collapsed == [1, 2]:
            total += np.exp(sum(logp[t, c] for t, c in enumerate(path)))
    loss = ops.ctc_loss(np.array([[1, 2]]), logits, np.array([2]), np.array([3])).numpy()
    np.testing.assert_allclose(loss, [-np.log(total)], rtol=1e-6)


GRADS = {
    "softmax": (lambda x: ops.softmax(x), [L], 2),
    "log_softmax": (lambda x: ops.log_softmax(x, axis=0), [L], 2),
    "gelu": (lambda x: ops.gelu(x), [L], 2), "silu": (lambda x: ops.silu(x), [L], 2),
    "elu": (lambda x: ops.elu(x), [L], 1), "celu": (lambda x: ops.celu(x), [L], 1),
    "glu": (lambda x: ops.glu(x), [L], 2), "softplus": (lambda x: ops.softplus(x), [L], 2),
    "squareplus": (lambda x: ops.squareplus(x), [L], 2),
    "conv": (lambda x, k: ops.conv(x, k, padding="same"), [X, K], 1),
    "conv1d": (lambda x, k: ops.conv(x, k), [L[None, :, :3], R.uniform(-1, 1, (2, 3, 2))], 1),
    "depthwise_conv": (lambda x, k: ops.depthwise_conv(x, k), [X, K], 1),
    "conv_transpose": (lambda x, k: ops.conv_transpose(x, k, strides=2),
                       [X[:, :3, :3], R.uniform(-1, 1, (3, 3, 2, 3))], 1),
    "max_pool": (lambda x: ops.max_pool(x, 2), [X], 1),
    "average_pool": (lambda x: ops.average_pool(x, 3, 2, "same"), [X], 1),
    "adaptive_average_pool": (lambda x: ops.adaptive_average_pool(x, 3), [X], 1),
    "categorical_crossentropy": (lambda x: ops.categorical_crossentropy(
        np.eye(4)[[1, 3]], x, from_logits=True), [L], 2),
    "binary_crossentropy": (lambda x: ops.binary_crossentropy(
        np.array([[0.0, 1, 1, 0]] * 2), ops.sigmoid(x)), [L], 1),
    "ctc_loss": (lambda x: ops.ctc_loss(np.array([[1, 2], [2, 2]]), x, np.array([2, 2]),
                                        np.array([5, 4])), [R.uniform(-1, 1, (2, 5, 3))], 1),
    "moments": (lambda x: ops.moments(x, [0])[1], [L], 2),
    "batch_normalization": (lambda x, m: ops.batch_normalization(x, m, m * m + 1, -1),
                            [L, L[0]], 1),
    "layer_normalization": (lambda x: ops.layer_normalization(x), [L], 1),
    "rms_normalization": (lambda x: ops.rms_normalization(x), [L], 1),
    "normalize": (lambda x: ops.normalize(x), [L], 1),
    "dot_product_attention": (lambda q, k, v: ops.dot_product_attention(q, k, v,
                                                                        is_causal=True),
                              [Q, Q[::-1], Q * 2], 1),
    "depth_to_space": (lambda x: ops.depth_to_space(x, 2), [R.uniform(0, 1, (1, 2, 2, 8))], 1),
    "unfold": (lambda x: ops.unfold(x, 2, stride=2), [X.transpose(0, 3, 1, 2)[:, :, :4, :4]], 1),
    "fold": (lambda x: ops.fold(x, (3, 3), 2), [R.uniform(0, 1, (1, 8, 4))], 1),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_nn_gradients(name):
    fn, args, order = GRADS[name]
    check_grads(fn, args, order=order, name=name)
