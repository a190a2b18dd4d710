"""Fused scaled dot-product attention: ``softmax(mask(Q K^T * scale)) V`` as one op.

Layout as ``keras.ops.dot_product_attention``: query ``(batch, T, heads, dim)``, key and
value ``(batch, S, heads, dim)``; the output is ``(batch, T, heads, value_dim)`` and the
attention weights ``(batch, heads, T, S)``.

The forward pass is two batched GEMMs over ``(batch x heads)`` read straight from strided
views of the inputs (no transposed copies) and a numerically stable softmax computed in
place on the one ``(batch, heads, T, S)`` buffer the first GEMM writes. Masks (a boolean
tensor broadcastable to the weights, and/or causal) are applied with ``np.copyto(...,
where=)``, broadcasting the mask instead of materialising a full-size one. The backward
pass reuses the saved weights and one more ``(batch, heads, T, S)`` buffer, in place.

Masked entries get ``-1e9`` before the softmax (as Keras's dot-product attention), so a
query row whose keys are all masked attends uniformly to every key; with
``zero_masked_rows`` (the weights Keras's ``MultiHeadAttention`` returns, through its
masked ``Softmax``) masked weights, and so such rows, are zeros instead.

Higher order: when a tape records the gradient (a gradient of a gradient), the gradient
rule differentiates ``attention_reference``, the same maths written with tapeflow ops.
"""
import contextlib

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)
from tapeflow.backend import one_blas_thread

from tapeflow.framework import primitive as prim
from tapeflow.framework.op_def import ANY, defop
from tapeflow.framework.tensor import Tensor
from tapeflow.ops import array_ops, math_ops as m, reduction_ops as r

FUSED_DTYPES = ("float32", "float64")

_SCOPE = __import__("threading").local()


@contextlib.contextmanager
def composite_attention():
    """Within it (this thread), ``dot_product_attention`` without a mask tensor records the
    composite ops of ``attention_reference`` (each one a TensorFlow op) instead of the one
    fused op: for writers of graphs other libraries read, such as SavedModel. Yields None."""
    before = getattr(_SCOPE, "composite", False)
    _SCOPE.composite = True
    try:
        yield
    finally:
        _SCOPE.composite = before


def _keep(mask, has_mask, causal, t, s):
    """Returns the boolean keep-mask broadcastable to ``(batch, heads, T, S)``, or None."""
    keep = mask if has_mask else None
    if causal:
        tri = np.tril(np.ones((t, s), dtype=bool))
        keep = tri if keep is None else np.logical_and(keep, tri)
    return keep


def _check(q, k, v, mask, has_mask):
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError(f"attention needs rank-4 (batch, seq, heads, dim) query, key and "
                         f"value; got shapes {list(q.shape)}, {list(k.shape)}, "
                         f"{list(v.shape)}")
    b, t, n, h = q.shape
    if k.shape[0] != b or k.shape[2] != n or k.shape[3] != h or v.shape[:3] != k.shape[:3]:
        raise ValueError(f"attention shapes do not agree: query {list(q.shape)}, key "
                         f"{list(k.shape)}, value {list(v.shape)}")
    if not q.dtype == k.dtype == v.dtype:
        raise ValueError(f"attention dtypes differ: {q.dtype}, {k.dtype}, {v.dtype}")
    if has_mask:
        try:
            np.broadcast_shapes(mask.shape, (b, n, t, k.shape[1]))
        except ValueError:
            raise ValueError(f"attention mask of shape {list(mask.shape)} does not broadcast "
                             f"to the weights' shape {[b, n, t, k.shape[1]]}") from None
    return b, t, n, k.shape[1], v.shape[3]


# Stacks of GEMMs smaller than this (flops per matrix) run on one BLAS thread: OpenBLAS
# would synchronise its threads on each matrix (see ``backend.one_blas_thread``).
SMALL_GEMM_FLOPS = 1 << 26


def _blas_threads(stack, t, s, h):
    if stack > 1 and 2 * t * s * h < SMALL_GEMM_FLOPS:
        return one_blas_thread()
    return contextlib.nullcontext()


def _big(dt):
    return dt.type(-6e4 if dt == np.float16 else -1e9)


def _attention_np(q, k, v, mask, scale, causal, zero_masked_rows, has_mask):
    """Outputs ``(out (batch, T, heads, value_dim), weights (batch, heads, T, S))``."""
    b, t, n, s, hv = _check(q, k, v, mask, has_mask)
    with _blas_threads(b * n, t, s, max(q.shape[3], hv)):
        return _attention_forward(q, k, v, mask, scale, causal, zero_masked_rows, has_mask,
                                  b, t, n, s, hv)


def _attention_forward(q, k, v, mask, scale, causal, zero_masked_rows, has_mask,
                       b, t, n, s, hv):
    dt = q.dtype
    p = np.matmul(q.transpose(0, 2, 1, 3), k.transpose(0, 2, 3, 1))   # (b, n, t, s)
    if scale != 1.0:
        p *= dt.type(scale)
    keep = _keep(mask, has_mask, causal, t, s)
    drop = None
    if keep is not None:
        drop = np.logical_not(keep)
        np.copyto(p, _big(dt), where=drop)
    if s:
        p -= p.max(axis=-1, keepdims=True)
        np.exp(p, out=p)
        p /= p.sum(axis=-1, keepdims=True)
    if zero_masked_rows and drop is not None:
        np.copyto(p, dt.type(0), where=drop)
    out = np.empty((b, t, n, hv), dtype=dt)
    np.matmul(p, v.transpose(0, 2, 1, 3), out=out.transpose(0, 2, 1, 3))
    return out, p


def _attention_grad(op, dout, dweights):
    """Backward in NumPy on the saved weights and one more weights-sized buffer."""
    if prim.recording():
        return _composite_grad(op, dout, dweights)
    q, k, v = (x._value for x in op.inputs[:3])
    b, t, n, h = q.shape
    with _blas_threads(b * n, t, k.shape[1], max(h, v.shape[3])):
        return _attention_backward(op, dout, dweights, q, k, v)


# ``op(q, k, v, mask, scale=, causal=, zero_masked_rows=, has_mask=)`` -> (out, weights)
_attention_kernel = defop("_FusedDotProductAttention", _attention_np, _attention_grad,
                          dtypes=ANY, kind="call", num_outputs=2)


def _attention_backward(op, dout, dweights, q, k, v):
    attrs = op.attrs
    p = op.outputs[1]._value
    dt = p.dtype
    b, t, n, h = q.shape
    s, hv = k.shape[1], v.shape[3]
    skip = op.skip_input_indices
    dv = None
    if dout is None:
        dp = np.array(dweights._value, dtype=dt, copy=True)
        if 2 not in skip:
            dv = np.zeros_like(v)
    else:
        do = dout._value.transpose(0, 2, 1, 3)                        # (b, n, t, hv)
        dp = np.matmul(do, v.transpose(0, 2, 3, 1))                    # (b, n, t, s)
        if dweights is not None:
            dp += dweights._value
        if 2 not in skip:
            dv = np.empty((b, s, n, hv), dtype=dt)
            np.matmul(p.swapaxes(-1, -2), do, out=dv.transpose(0, 2, 1, 3))
    # softmax backward in place: dlogits = p * (dp - sum(dp * p))
    row = np.einsum("bnts,bnts->bnt", dp, p)
    dp -= row[..., None]
    dp *= p
    if attrs["has_mask"] or attrs["causal"]:
        # Entries set to -1e9 get no gradient (only fully masked rows have p != 0 there).
        keep = _keep(op.inputs[3]._value, attrs["has_mask"], attrs["causal"], t, s)
        np.copyto(dp, dt.type(0), where=np.logical_not(keep))
    if attrs["scale"] != 1.0:
        dp *= dt.type(attrs["scale"])
    dq = dk = None
    if 0 not in skip:
        dq = np.empty((b, t, n, h), dtype=dt)
        np.matmul(dp, k.transpose(0, 2, 1, 3), out=dq.transpose(0, 2, 1, 3))
    if 1 not in skip:
        dk = np.empty((b, s, n, h), dtype=dt)
        np.matmul(dp.swapaxes(-1, -2), q.transpose(0, 2, 1, 3), out=dk.transpose(0, 2, 1, 3))
    wrap = (lambda a: None if a is None else Tensor(a))
    return wrap(dq), wrap(dk), wrap(dv), None


def attention_reference(q, k, v, mask=None, scale=1.0, causal=False, zero_masked_rows=False):
    """The same maths as the fused op with tapeflow ops.

    Returns:
      ``(out, weights)``: ``(batch, T, heads, value_dim)`` and ``(batch, heads, T, S)``.
    """
    qt = array_ops.transpose(q, [0, 2, 1, 3])
    kt = array_ops.transpose(k, [0, 2, 3, 1])
    logits = m.matmul(qt, kt)
    dt = logits._value.dtype
    if scale != 1.0:
        logits = m.multiply(logits, Tensor(dt.type(scale)))
    t, s = logits._value.shape[-2:]
    mask = None if mask is None else np.asarray(mask, dtype=bool)
    keep = _keep(mask, mask is not None, causal, t, s)
    if keep is not None:
        keep = np.broadcast_to(keep, logits._value.shape)
        logits = m.where_(Tensor(keep), logits,
                          Tensor(np.full(logits._value.shape, _big(dt), dtype=dt)))
    mx = array_ops.stop_gradient(r.reduce_max(logits, axis=-1, keepdims=True))
    e = m.exp(m.subtract(logits, mx))
    p = m.divide(e, r.reduce_sum(e, axis=-1, keepdims=True))
    if zero_masked_rows and keep is not None:
        p = m.multiply(p, Tensor(keep.astype(dt)))
    out = m.matmul(p, array_ops.transpose(v, [0, 2, 1, 3]))
    return array_ops.transpose(out, [0, 2, 1, 3]), p


def _composite_grad(op, dout, dweights):
    """The gradient as tapeflow ops (recorded by outer tapes): the reference's vjp."""
    from tapeflow.framework.tape import GradientTape
    xs = list(op.inputs[:3])
    attrs = op.attrs
    mask = op.inputs[3]._value if attrs["has_mask"] else None
    with GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        outs = attention_reference(*xs, mask=mask, scale=attrs["scale"],
                                   causal=attrs["causal"],
                                   zero_masked_rows=attrs["zero_masked_rows"])
    pairs = [(o, g) for o, g in zip(outs, (dout, dweights)) if g is not None]
    if not pairs:
        return [None] * 4
    grads = tape.gradient([o for o, _ in pairs], xs, output_gradients=[g for _, g in pairs])
    return [g if g is not None else m.zeros_like_(x) for g, x in zip(grads, xs)] + [None]


def dot_product_attention(q, k, v, mask=None, scale=1.0, causal=False,
                          zero_masked_rows=False):
    """Fused ``softmax(where(mask, Q K^T * scale, -1e9)) V`` over ``(batch x heads)``.

    Args:
      q: query ``(batch, T, heads, dim)``; k: key, v: value ``(batch, S, heads, dim)``
        (float32 or float64; the same dtype).
      mask: None, or a boolean Tensor/array broadcastable to ``(batch, heads, T, S)``
        (True = attend).
      scale: multiplies the logits (skipped when 1.0).
      causal: also mask keys after the query's position (lower-triangular).
      zero_masked_rows: set masked weights (so rows with every key masked) to zero.

    Returns:
      ``(out, weights)``: ``(batch, T, heads, value_dim)`` and ``(batch, heads, T, S)``.
    """
    has_mask = mask is not None
    if not has_mask and getattr(_SCOPE, "composite", False):
        return attention_reference(q, k, v, scale=float(scale), causal=bool(causal),
                                   zero_masked_rows=bool(zero_masked_rows))
    if not has_mask:
        mask = Tensor(np.bool_(True))
    elif type(mask) is not Tensor or mask._value.dtype != np.bool_:
        mask = Tensor(np.asarray(getattr(mask, "_value", mask), dtype=bool))
    out, w = _attention_kernel(q, k, v, mask, scale=float(scale), causal=bool(causal),
                               zero_masked_rows=bool(zero_masked_rows), has_mask=has_mask)
    return out, w


__all__ = ["attention_reference", "composite_attention", "dot_product_attention"]
