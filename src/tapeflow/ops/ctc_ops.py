"""``tf.nn.ctc_loss``: Connectionist Temporal Classification loss (dense labels).

The forward (alpha) recursion in log space, over the extended label sequence
``blank, l1, blank, l2, ..., blank``, vectorized over the batch and the label positions;
the Python loop runs over time steps only. Written with differentiable ops (log_softmax,
matmul, logsumexp), so its gradient (and the gradient's gradient) comes from theirs.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M
from tapeflow.ops import nn_ops, reduction_ops

_NEG = -1e30   # log(0) stand-in: finite, so logsumexp never sees all -inf


def ctc_loss(labels, logits, label_length, logit_length, logits_time_major=True,
             unique=None, blank_index=None, name=None):
    """Returns the negative log-likelihood of each label sequence, shape ``(batch,)``.

    Args:
      labels: int ``(batch, max_label_length)`` dense labels (padding past
        ``label_length`` is ignored).
      logits: float ``(time, batch, classes)`` (or ``(batch, time, classes)`` with
        ``logits_time_major=False``), unnormalized.
      label_length, logit_length: int ``(batch,)`` lengths.
      blank_index: the blank class (default 0 here; TensorFlow's dense default is also
        ``0`` when given, ``classes - 1`` for its sparse form). Negative counts from the end.

    Raises:
      InvalidArgumentError: for mismatched batch sizes or labels out of range.
    """
    if unique is not None:
        raise NotImplementedError("ctc_loss(unique=...) is not supported by tapeflow.")
    x = logits if type(logits) is Tensor else convert_to_tensor(logits)
    if logits_time_major:
        x = A.transpose(x, (1, 0, 2))
    lab = np.asarray(convert_to_tensor(labels)._value, np.int64)
    lab_len = np.asarray(convert_to_tensor(label_length)._value, np.int64).reshape(-1)
    in_len = np.asarray(convert_to_tensor(logit_length)._value, np.int64).reshape(-1)
    b, t, c = x._value.shape
    if lab.shape[0] != b or lab_len.shape[0] != b or in_len.shape[0] != b:
        raise InvalidArgumentError(None, "CTCLossV2", f"batch sizes differ: logits {b}, "
                                   f"labels {lab.shape[0]}, label_length {lab_len.shape[0]}, "
                                   f"logit_length {in_len.shape[0]}")
    blank = 0 if blank_index is None else int(blank_index) % c
    u = lab.shape[1]
    s = 2 * u + 1
    # extended labels: blanks between (and around) the labels; padding positions masked off
    ext = np.full((b, s), blank, np.int64)
    ext[:, 1::2] = lab
    pos = np.arange(s)
    valid = pos[None, :] < (2 * lab_len[:, None] + 1)
    if np.any((lab < 0) | (lab >= c)) and np.any(valid[:, 1::2] & ((lab < 0) | (lab >= c))):
        raise InvalidArgumentError(None, "CTCLossV2", f"labels must be in [0, {c})")
    ext = np.where(valid, ext, blank)
    skip = np.zeros((b, s), bool)       # s may come from s - 2: a label unlike the one before
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    dtype = x._value.dtype
    neg = dtype.type(_NEG)
    logp = nn_ops.log_softmax(x, axis=-1)                                    # (b, t, c)
    onehot = Tensor((ext[:, :, None] == np.arange(c)).astype(dtype))          # (b, s, c)
    lp = M.matmul(logp, A.transpose(onehot, (0, 2, 1)))                      # (b, t, s)
    start = np.full((b, s), neg, dtype)
    start[:, :2] = 0
    alpha = M.add(lp[:, 0], Tensor(np.where(valid, start, neg)))
    pad1 = Tensor(np.full((b, 1), neg, dtype))
    pad2 = Tensor(np.full((b, 2), neg, dtype))
    skip_add = Tensor(np.where(skip, 0, neg).astype(dtype))
    invalid_add = Tensor(np.where(valid, 0, neg).astype(dtype))
    for step in range(1, t):
        prev1 = A.concat([pad1, alpha[:, :-1]], 1)
        prev2 = M.add(A.concat([pad2, alpha[:, :-2]], 1), skip_add)
        merged = reduction_ops.reduce_logsumexp(A.stack([alpha, prev1, prev2], -1), axis=-1)
        new = M.add(M.add(merged, lp[:, step]), invalid_add)
        running = (step < in_len)[:, None]      # sequences past their length keep alpha
        if running.all():
            alpha = new
        else:
            keep = Tensor(running.astype(dtype))
            alpha = M.add(M.multiply(new, keep), M.multiply(alpha, 1 - keep))
    last = 2 * lab_len
    end = np.full((b, s), neg, dtype)
    end[np.arange(b), last] = 0
    has_label = lab_len > 0
    end[np.arange(b)[has_label], (last - 1)[has_label]] = 0
    return M.negative(reduction_ops.reduce_logsumexp(M.add(alpha, Tensor(end)), axis=-1))


__all__ = ["ctc_loss"]
