"""tf.nn.ctc_loss: a brute-force reference over all alignments, padding/lengths, gradients."""
import itertools

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads


def brute_force_ctc(logits, label, blank=0):
    """-log sum over every alignment path that collapses to ``label`` (test only)."""
    t, c = logits.shape
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    total = 0.0
    for path in itertools.product(range(c), repeat=t):
        collapsed = [k for i, k in enumerate(path) if k != blank and (i == 0 or
                                                                       path[i - 1] != k)]
        if collapsed == list(label):
            total += np.exp(sum(logp[i, k] for i, k in enumerate(path)))
    return -np.log(total)


def test_matches_brute_force_with_padding_and_lengths():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((3, 5, 3))
    labels = np.array([[1, 2, 0], [2, 2, 0], [1, 0, 0]])
    label_length = np.array([2, 2, 1])
    logit_length = np.array([5, 5, 4])
    loss = tf.nn.ctc_loss(labels, logits, label_length, logit_length,
                          logits_time_major=False, blank_index=0)
    assert loss.dtype == tf.float64 and loss.shape == (3,)
    expected = [brute_force_ctc(logits[0], [1, 2]), brute_force_ctc(logits[1], [2, 2]),
                brute_force_ctc(logits[2, :4], [1])]
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-10)


def test_time_major_is_the_transpose():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((2, 4, 3))
    args = (np.array([[1], [2]]), np.array([1, 1]), np.array([4, 4]))
    a = tf.nn.ctc_loss(args[0], logits, *args[1:], logits_time_major=False, blank_index=0)
    b = tf.nn.ctc_loss(args[0], np.transpose(logits, (1, 0, 2)), *args[1:], blank_index=0)
    np.testing.assert_allclose(a.numpy(), b.numpy())


def test_gradients_first_and_second_order():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((2, 4, 3))
    labels = np.array([[1, 2], [2, 0]])

    def f(x):
        return tf.nn.ctc_loss(labels, x, np.array([2, 1]), np.array([4, 3]),
                              logits_time_major=False, blank_index=0)
    check_grads(f, [logits], order=2, name="ctc_loss")


def test_mismatched_batch_raises():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.ctc_loss(np.zeros((2, 1), int), np.zeros((3, 4, 3)), [1, 1], [4, 4, 4],
                       logits_time_major=False)
