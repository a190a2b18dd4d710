"""Connectionist temporal classification: ``ctc_loss`` (differentiable, the forward algorithm
in log space over ``tf.*`` ops) and greedy ``ctc_decode``."""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.ops.operation import keras_op
from tapeflow.keras.ops.promotion import to_tensor

_NEG = -1e30


def _logsumexp(*xs):
    m = xs[0]
    for x in xs[1:]:
        m = tf.maximum(m, x)
    m = tf.stop_gradient(m)
    total = tf.exp(xs[0] - m)
    for x in xs[1:]:
        total = total + tf.exp(x - m)
    return m + tf.math.log(total)


@keras_op
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Returns the CTC negative log-likelihood per batch item.

    Args:
      target: (batch, max_label_length) integer labels.
      output: (batch, max_time, classes) logits (log-softmaxed here).
      target_length / output_length: (batch,) lengths.
      mask_index: the blank class.
    """
    logits = to_tensor(output)
    if not logits.dtype.is_floating:
        logits = tf.cast(logits, backend.floatx())
    labels = to_tensor(target).numpy().astype(np.int64)
    tl = to_tensor(target_length).numpy().astype(np.int64).reshape(-1)
    ol = to_tensor(output_length).numpy().astype(np.int64).reshape(-1)
    b, t_max, _ = logits.shape
    m = logits - tf.stop_gradient(tf.reduce_max(logits, axis=-1, keepdims=True))
    logp = m - tf.math.log(tf.reduce_sum(tf.exp(m), axis=-1, keepdims=True))
    s = 2 * labels.shape[1] + 1
    ext = np.full((b, s), mask_index, np.int64)
    ext[:, 1::2] = labels
    valid = np.arange(s)[None, :] < (2 * tl[:, None] + 1)
    skip = np.zeros((b, s), bool)   # alpha[s-2] may feed s: a label unlike the one before
    skip[:, 2:] = (ext[:, 2:] != mask_index) & (ext[:, 2:] != ext[:, :-2])
    gather_idx = np.stack([np.repeat(np.arange(b), s), ext.reshape(-1)], 1).astype(np.int32)
    dt = logits.dtype.as_numpy_dtype
    neg = tf.constant(np.full((b, s), _NEG, dt))
    neg1 = tf.constant(np.full((b, 1), _NEG, dt))
    neg2 = tf.constant(np.full((b, 2), _NEG, dt))
    skip_t = Tensor(skip)
    valid_t = Tensor(valid)
    init = np.zeros((b, s), bool)
    init[:, :2] = True
    init &= valid
    alpha = None
    finals = []
    for t in range(t_max):
        emit = tf.reshape(tf.gather_nd(logp[:, t, :], gather_idx), [b, s])
        if alpha is None:
            alpha = tf.where(Tensor(init), emit, neg)
        else:
            prev1 = tf.concat([neg1, alpha[:, :-1]], axis=1)
            prev2 = tf.concat([neg2, alpha[:, :-2]], axis=1)
            prev2 = tf.where(skip_t, prev2, neg)
            new = _logsumexp(alpha, prev1, prev2) + emit
            new = tf.where(valid_t, new, neg)
            running = Tensor(np.broadcast_to((t < ol)[:, None], (b, s)))
            alpha = tf.where(running, new, alpha)
        finals.append(alpha)
    last = 2 * tl
    idx_a = np.stack([np.arange(b), last], 1).astype(np.int32)
    idx_b = np.stack([np.arange(b), np.maximum(last - 1, 0)], 1).astype(np.int32)
    end_a = tf.gather_nd(alpha, idx_a)
    end_b = tf.gather_nd(alpha, idx_b)
    end_b = tf.where(Tensor(tl > 0), end_b, tf.constant(np.full((b,), _NEG, dt)))
    return -_logsumexp(end_a, end_b)


@keras_op
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Returns ``(decoded, log_probabilities)``: decoded of shape (top_paths, batch,
    max_time) padded with -1, and the (batch, top_paths) scores. Only ``"greedy"``."""
    if strategy != "greedy":
        raise NotImplementedError("tapeflow's ctc_decode implements strategy='greedy' only. "
                                  f"Received: strategy={strategy}")
    x = to_tensor(inputs)
    a = x.numpy().astype(np.float64)
    lengths = to_tensor(sequence_lengths).numpy().astype(np.int64).reshape(-1)
    b, t_max, _ = a.shape
    logp = a - np.log(np.sum(np.exp(a - a.max(-1, keepdims=True)), -1, keepdims=True)) \
        - a.max(-1, keepdims=True)
    best = logp.argmax(-1)
    out = np.full((1, b, t_max), -1, np.int32)
    scores = np.zeros((b, 1))
    for i in range(b):
        seq, prev = [], None
        for t in range(int(lengths[i])):
            c = int(best[i, t])
            scores[i, 0] -= logp[i, t, c]
            if c != mask_index and not (merge_repeated and c == prev):
                seq.append(c)
            prev = c
        out[0, i, :len(seq)] = seq
    return Tensor(out), Tensor(scores.astype(x.dtype.as_numpy_dtype))
