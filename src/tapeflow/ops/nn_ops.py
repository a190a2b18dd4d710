"""Neural-network primitives: activations, softmax and the cross-entropies.

Each op is a NumPy kernel and a gradient rule written with tapeflow ops, side
by side. Only the ops that need a kernel of their own for numerical stability
or speed live here; composites over ops (gelu, silu, dropout, moments ...) are
in ``nn_impl``.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import COMPARE, defop
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops import math_ops
from tapeflow.ops.math_ops import (
    add, exp, greater, multiply, negative, reduce_sum, sigmoid, subtract, tanh, unbroadcast,
    where_)

# TensorFlow's list for Elu, Selu, Softplus, LeakyRelu, Softmax and the cross-entropies
NN_FLOAT = ("half", "bfloat16", "float", "double")
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _quiet():
    return np.errstate(all="ignore")


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _masked_grad_op(name, kernel, dtypes=COMPARE):
    """A gradient op ``g(dy, x)`` that is linear in ``dy`` and piecewise constant in ``x``.

    Its own gradient is ``(g(ddy, x), None)``, so relu-like ops get second order free.
    """
    def grad(rec, ddy):
        """g is linear in dy and locally constant in x."""
        return op(ddy, rec.inputs[1], **rec.attrs), None
    op = defop(name, kernel, grad, dtypes=dtypes, kind="call")
    return op


# -- relu family -------------------------------------------------------------------------

_ZEROS = {}


def _zero(dt):
    """A NumPy zero of dtype ``dt`` (a typed scalar skips NumPy's Python-scalar promotion)."""
    z = _ZEROS.get(dt)
    if z is None:
        z = _ZEROS[dt] = dt.type(0)
    return z


def _relu_kernel(x):
    return np.maximum(x, _zero(x.dtype))


def _relu_grad_kernel(dy, y):
    # TensorFlow's ReluGrad: dy * (y > 0); a multiply by the mask is ~10x cheaper than a select.
    if dy.dtype == y.dtype and dy.dtype.char in "fd" and dy.shape == y.shape:
        # the mask as 0.0/1.0 floats first, then one same-type multiply in place: the same
        # bits as the mixed bool*float multiply, whose casting loop is slower (measured
        # 0.87 -> 0.50 ms on (64, 26, 26, 32) float32)
        m = np.greater(y, _zero(y.dtype)).astype(dy.dtype)
        return np.multiply(m, dy, out=m)
    return np.multiply(dy, y > 0, dtype=dy.dtype)


_relu_grad_op = _masked_grad_op("ReluGrad", _relu_grad_kernel)


def _relu_grad(op, dy):
    """dy where x > 0, else 0 (0 at the kink, like TensorFlow)."""
    return _relu_grad_op(dy, op.outputs[0])


_relu = defop("Relu", _relu_kernel, _relu_grad, dtypes=COMPARE + ("qint8",))
_relu_op = _relu.op_def.op


def relu(features, name=None):
    """Returns ``max(features, 0)`` elementwise; the gradient at 0 is 0.

    >>> import tapeflow as tf
    >>> tf.nn.relu(tf.constant([-1.0, 0.0, 2.0])).numpy()
    array([0., 0., 2.], dtype=float32)
    """
    return _relu(features)


def _relu6_kernel(x):
    return np.clip(x, 0, 6)


_relu6_grad_op = _masked_grad_op(
    "Relu6Grad", lambda dy, x: np.where((x > 0) & (x < 6), dy, 0))


def _relu6_grad(op, dy):
    """dy where 0 < x < 6, else 0 (0 at both kinks)."""
    return _relu6_grad_op(dy, op.inputs[0])


_relu6 = defop("Relu6", _relu6_kernel, _relu6_grad, dtypes=COMPARE)
_relu6_op = _relu6.op_def.op


def relu6(features, name=None):
    """Returns ``min(max(features, 0), 6)`` elementwise."""
    return _relu6(features)


def _leaky_kernel(x, alpha):
    return np.where(x > 0, x, x * alpha)


_leaky_grad_op = _masked_grad_op(
    "LeakyReluGrad", lambda dy, x, alpha: np.where(x > 0, dy, dy * dy.dtype.type(alpha)),
    NN_FLOAT)


def _leaky_relu_grad(op, dy):
    """dy where x > 0, else alpha * dy."""
    return _leaky_grad_op(dy, op.inputs[0], alpha=op.attrs["alpha"])


_leaky = defop("LeakyRelu", _leaky_kernel, _leaky_relu_grad, dtypes=NN_FLOAT, kind="call")


def leaky_relu(features, alpha=0.2, name=None):
    """Returns ``features`` where positive, else ``alpha * features``.

    Integer inputs are cast to float32 first, as in TensorFlow.
    """
    x = _t(features)
    if x._value.dtype.kind in "iu":
        x = math_ops.cast(x, dtypes.float32)
    if isinstance(alpha, Tensor):
        alpha = alpha._value
    # TensorFlow's attr is a float32, so float64 inputs see alpha rounded to float32
    return _leaky(x, alpha=float(np.float32(alpha)))


def _elu_kernel(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def _elu_grad(op, dy):
    """dy where y > 0, else dy * (y + 1)   (d/dx (e^x - 1) = y + 1)."""
    y = op.outputs[0]
    return multiply(dy, where_(greater(y, 0), math_ops.ones_like_(y), add(y, 1)))


_elu = defop("Elu", _elu_kernel, _elu_grad, dtypes=NN_FLOAT, quiet=True)


def elu(features, name=None):
    """Returns ``features`` where positive, else ``exp(features) - 1``."""
    return _elu(features)


def _selu_kernel(x):
    neg = np.expm1(np.minimum(x, 0)) * _SELU_ALPHA
    return (np.where(x > 0, x, neg) * _SELU_SCALE).astype(x.dtype, copy=False)


def _selu_grad(op, dy):
    """dy * (y + scale * alpha) where y < 0, else dy * scale (scale at 0, like TensorFlow)."""
    y = op.outputs[0]
    scale = Tensor(np.full_like(y._value, _SELU_SCALE))
    return multiply(dy, where_(math_ops.less(y, 0), add(y, _SELU_SCALE * _SELU_ALPHA), scale))


_selu = defop("Selu", _selu_kernel, _selu_grad, dtypes=NN_FLOAT, quiet=True)


def selu(features, name=None):
    """Returns ``scale * elu-like(features)`` with Klambauer et al.'s alpha and scale."""
    return _selu(features)


def _softplus_kernel(x):
    return np.logaddexp(x, 0).astype(x.dtype, copy=False)


def _softplus_grad(op, dy):
    """dy * sigmoid(x)."""
    return multiply(dy, sigmoid(op.inputs[0]))


_softplus = defop("Softplus", _softplus_kernel, _softplus_grad, dtypes=NN_FLOAT, quiet=True)


def softplus(features, name=None):
    """Returns ``log(exp(features) + 1)``, computed without overflow."""
    return _softplus(features)


def _check_float(x, name):
    if x._value.dtype.kind != "f":
        raise InvalidArgumentError(
            None, name, f"Value for attr 'T' of {x.dtype.name} is not in the list of allowed "
            f"values: {', '.join(NN_FLOAT)} [Op:{name}]")
    return x


# -- softmax -----------------------------------------------------------------------------

def _shift(x, axis):
    """``x - max(x, axis)``; a non-finite max (all -inf, or +inf) shifts by 0 instead."""
    m = x.max(axis=axis, keepdims=True)
    if not np.isfinite(m).all():
        m = np.where(np.isfinite(m), m, _zero(m.dtype))
    return x - m


def _np_log_softmax(x, axis):
    shifted = _shift(x, axis)
    with _quiet():
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    # TensorFlow: a row holding NaN or +inf is NaN throughout (its log-sum-exp is NaN)
    bad = np.isnan(out).any(axis=axis, keepdims=True)
    return np.where(bad, out.dtype.type(np.nan), out) if bad.any() else out


def _np_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    if np.isfinite(m).all():
        e = np.exp(x - m)
        e /= e.sum(axis=axis, keepdims=True)
        return e
    with _quiet():    # non-finite rows
        e = np.exp(x - np.where(np.isfinite(m), m, _zero(m.dtype)))
        e /= e.sum(axis=axis, keepdims=True)
    # as TensorFlow: a row holding NaN or +inf is NaN throughout, except in float32 (its
    # oneDNN kernel), where those entries are NaN and the rest 0
    bad = np.isnan(m) | (m == np.inf)
    if bad.any():
        nan = e.dtype.type(np.nan)
        odd = np.isnan(x) | (x == np.inf) if x.dtype == np.float32 else True
        e = np.where(bad, np.where(odd, nan, e.dtype.type(0)), e)
    return e


def _softmax_kernel(x, axis):
    return np.empty_like(x) if x.size == 0 else _np_softmax(x, axis)


def _log_softmax_kernel(x, axis):
    return np.empty_like(x) if x.size == 0 else _np_log_softmax(x, axis)


def _softmax_grad(op, dy):
    """y * (dy - sum(dy * y, axis))."""
    y = op.outputs[0]
    axis = op.attrs["axis"]
    return multiply(y, subtract(dy, reduce_sum(multiply(dy, y), axis=axis, keepdims=True)))


def _log_softmax_grad(op, dy):
    """dy - exp(y) * sum(dy, axis)."""
    axis = op.attrs["axis"]
    return subtract(dy, multiply(exp(op.outputs[0]), reduce_sum(dy, axis=axis, keepdims=True)))


_softmax = defop("Softmax", _softmax_kernel, _softmax_grad, dtypes=NN_FLOAT, kind="call")
_log_softmax = defop("LogSoftmax", _log_softmax_kernel, _log_softmax_grad, dtypes=NN_FLOAT,
                     kind="call")


def _softmax_axis(x, axis, name):
    """Returns ``axis`` in ``[0, ndim)``, refused as TensorFlow's softmax refuses it."""
    nd = x._value.ndim
    if axis is None:
        axis = -1
    elif isinstance(axis, Tensor):
        from tapeflow.framework.graph.func_graph import value_of   # a traced axis: eager
        v = value_of(axis)
        axis = v.item() if v.ndim == 0 else v.tolist()
    if not isinstance(axis, (int, float, np.integer, np.floating)):
        raise TypeError(f"'<=' not supported between instances of 'int' and "
                        f"'{type(axis).__name__}'")
    if nd == 0:
        raise InvalidArgumentError(None, name, f"logits must have >= 1 dimension, got shape "
                                   f"[] [Op:{name}]")
    if axis != int(axis) and nd > 1:   # TensorFlow builds a permutation with tf.range
        raise InvalidArgumentError(None, name, f"Requires start <= limit when delta > 0: "
                                   f"{axis}/{nd - 1} [Op:Range]")
    axis = int(axis)
    if not -nd <= axis < nd:
        raise InvalidArgumentError(
            None, name, f"`axis` {axis} is out of range for logits of rank {nd} (shape "
            f"{x.shape}) [Op:{name}]")
    return axis % nd


def softmax(logits, axis=None, name=None):
    """Returns ``exp(logits) / sum(exp(logits), axis)``, shifted by the max for stability.

    Args:
      logits: a float Tensor.
      axis: the axis to normalise over (default -1, the last).

    >>> import tapeflow as tf
    >>> tf.nn.softmax(tf.constant([1000.0, 0.0])).numpy()
    array([1., 0.], dtype=float32)
    """
    x = _t(logits)
    return _softmax(x, axis=_softmax_axis(x, axis, "Softmax"))


def log_softmax(logits, axis=None, name=None):
    """Returns ``logits - log(sum(exp(logits), axis))``, computed stably."""
    x = _t(logits)
    return _log_softmax(x, axis=_softmax_axis(x, axis, "LogSoftmax"))


# -- cross-entropies ---------------------------------------------------------------------

def _ensure_args(fn, labels, logits):
    if labels is None or logits is None:
        raise ValueError(f"Both labels and logits must be provided for {fn}.")


def _same_dtype(labels, logits, name):
    if labels._value.dtype != logits._value.dtype:
        raise InvalidArgumentError(
            None, name, f"cannot compute {name} as input #1(zero-based) was expected to be a "
            f"{labels.dtype.name} tensor but is a {logits.dtype.name} tensor [Op:{name}]")


def _sigmoid_xent_kernel(z, x):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def _sigmoid_xent_grad(op, dy):
    """d/dlabels = -dy * logits; d/dlogits = dy * (sigmoid(logits) - labels)."""
    z, x = op.inputs
    return negative(multiply(dy, x)), multiply(dy, subtract(sigmoid(x), z))


# not one op in TensorFlow (a composite of Mul, Sub, Log1p ...): declared here as one
_sigmoid_xent = defop("SigmoidCrossEntropyWithLogits", _sigmoid_xent_kernel,
                      _sigmoid_xent_grad, dtypes=NN_FLOAT, kind="call", quiet=True)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Returns the elementwise logistic loss ``max(x, 0) - x * z + log(1 + exp(-|x|))``.

    Args:
      labels: a Tensor of the same shape and dtype as ``logits`` (values in [0, 1]).
      logits: a float Tensor.

    Returns:
      A Tensor of ``logits``' shape and dtype.

    Raises:
      ValueError: if the shapes differ.
    """
    _ensure_args("sigmoid_cross_entropy_with_logits", labels, logits)
    logits, labels = _t(logits), _t(labels)   # TensorFlow converts both without a hint
    if labels._value.shape != logits._value.shape:
        raise ValueError(f"`logits` and `labels` must have the same shape, received "
                         f"({logits.shape} vs {labels.shape}).")
    _same_dtype(labels, logits, "Mul")
    return _sigmoid_xent(labels, logits)


def _softmax_xent_kernel(z, x, axis):
    return -np.sum(z * _np_log_softmax(x, axis), axis=axis)


def _softmax_xent_grad(op, dy):
    """d/dlabels = -dy * log_softmax(x); d/dlogits = dy * (softmax(x) - labels).

    Like TensorFlow's kernel, the logits gradient assumes each row of labels sums to 1.
    """
    from tapeflow.ops.array_ops import expand_dims
    z, x = op.inputs
    axis = op.attrs["axis"]
    g = expand_dims(dy, axis)
    dx = multiply(g, subtract(softmax(x, axis=axis), z))
    dz = negative(multiply(g, log_softmax(x, axis=axis)))
    return unbroadcast(dz, z._value.shape), unbroadcast(dx, x._value.shape)


_softmax_xent = defop("SoftmaxCrossEntropyWithLogits", _softmax_xent_kernel,
                      _softmax_xent_grad, dtypes=NN_FLOAT, kind="call", quiet=True)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """Returns ``-sum(labels * log_softmax(logits), axis)`` per example.

    Args:
      labels: class probabilities, same shape and dtype as ``logits``.
      logits: a float Tensor.
      axis: the class axis (default -1).

    Returns:
      A Tensor of ``logits``' shape without ``axis``.

    Raises:
      InvalidArgumentError: if the shapes do not broadcast or the dtypes differ.
    """
    _ensure_args("softmax_cross_entropy_with_logits", labels, logits)
    logits = _t(logits)
    labels = labels if type(labels) is Tensor else convert_to_tensor(
        labels, dtype_hint=logits.dtype)
    _same_dtype(labels, logits, "SoftmaxCrossEntropyWithLogits")
    if logits._value.dtype not in _softmax_xent.op_def.ok:
        raise _softmax_xent.op_def.dtype_error(logits._value.dtype)
    ls, ll = logits._value.shape, labels._value.shape
    try:
        np.broadcast_shapes(ls, ll)
    except ValueError:
        raise InvalidArgumentError(
            None, "SoftmaxCrossEntropyWithLogits", f"logits and labels must be broadcastable: "
            f"logits_size={list(ls)} labels_size={list(ll)} "
            f"[Op:SoftmaxCrossEntropyWithLogits]") from None
    if len(ll) > len(ls):
        raise InvalidArgumentError(
            None, "SoftmaxCrossEntropyWithLogits", f"labels of shape {list(ll)} have a higher "
            f"rank than logits of shape {list(ls)} [Op:SoftmaxCrossEntropyWithLogits]")
    return _softmax_xent(labels, logits, axis=_softmax_axis(
        logits, axis, "SoftmaxCrossEntropyWithLogits"))


def _sparse_xent_kernel(labels, x):
    """The xent of ``labels`` (ints) and logits ``x`` (arrays), as the op computes it."""
    return _sparse_xent_forward(x, labels)


def _sparse_xent_forward(x, labels):
    n = x.shape[-1]
    if labels.size and not ((labels >= 0) & (labels < n)).all():
        bad = labels[(labels < 0) | (labels >= n)].ravel()[0]
        raise InvalidArgumentError(
            None, "SparseSoftmaxCrossEntropyWithLogits",
            f"Received a label value of {bad} which is outside the valid range of [0, {n}).  "
            f"Label values: {' '.join(str(v) for v in labels.ravel())} "
            f"[Op:SparseSoftmaxCrossEntropyWithLogits]")
    if x.size == 0:
        return np.zeros(x.shape[:-1], x.dtype)
    if x.dtype == np.float16:   # TensorFlow computes half precision in float32
        return _sparse_xent_forward(x.astype(np.float32), labels).astype(np.float16)
    m = x.max(axis=-1, keepdims=True)
    finite = np.isfinite(m).all()
    shifted = x - (m if finite else np.where(np.isfinite(m), m, _zero(m.dtype)))
    picked = np.take_along_axis(shifted, labels[..., None].astype(np.intp), axis=-1)[..., 0]
    with _quiet():
        out = np.log(np.exp(shifted).sum(axis=-1)) - picked
    if not finite:   # as TensorFlow: a row holding NaN or +inf (its max) is NaN
        bad = (np.isnan(m) | (m == np.inf))[..., 0]
        out = np.where(bad, out.dtype.type(np.nan), out)
    return out


def _sparse_xent_grad(op, dy):
    """d/dlogits = dy * (softmax(x) - one_hot(labels)); labels get no gradient. Half
    precision is computed in float32 and cast back, as TensorFlow's float16 path does."""
    from tapeflow.ops.array_ops import expand_dims, one_hot
    x, labels = op.inputs
    half = x._value.dtype == np.float16
    if half:
        x, dy = math_ops.cast(x, dtypes.float32), math_ops.cast(dy, dtypes.float32)
    onehot = one_hot(labels, x._value.shape[-1], dtype=x.dtype)
    g = multiply(expand_dims(dy, -1), subtract(softmax(x), onehot))
    return (math_ops.cast(g, dtypes.float16) if half else g), None


# inputs (logits, labels): TensorFlow's type attribute ``T`` is the logits'
_sparse_xent = defop("SparseSoftmaxCrossEntropyWithLogits", _sparse_xent_forward,
                     _sparse_xent_grad, dtypes=NN_FLOAT, kind="call")


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Returns ``-log_softmax(logits)[labels]`` per example.

    Args:
      labels: int32/int64 class indices of shape ``logits.shape[:-1]``.
      logits: a float Tensor ``[..., num_classes]``.

    Returns:
      A Tensor of ``labels``' shape and ``logits``' dtype.

    Raises:
      ValueError: if the ranks or shapes do not match.
      InvalidArgumentError: if a label is outside ``[0, num_classes)``.
    """
    _ensure_args("sparse_softmax_cross_entropy_with_logits", labels, logits)
    logits = _t(logits)
    labels = _t(labels)
    name_ = "SparseSoftmaxCrossEntropyWithLogits"
    ls, ll = logits._value.shape, labels._value.shape   # TensorFlow's static checks first
    if len(ll) != len(ls) - 1:
        raise ValueError(f"`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                         f"labels.shape={ll} of rank {len(ll)} and logits.shape={ls} of rank "
                         f"{len(ls)}")
    if ll != ls[:-1]:
        raise ValueError(f"`labels.shape` must equal `logits.shape` except for the last "
                         f"dimension. Received: labels.shape={ll} and logits.shape={ls}")
    if labels._value.dtype not in (np.int32, np.int64):
        raise InvalidArgumentError(
            None, name_, f"Value for attr 'Tlabels' of {labels.dtype.name} is not in the list "
            f"of allowed values: int32, int64 [Op:{name_}]")
    return _sparse_xent(logits, labels)


__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "softplus", "softmax", "log_softmax",
    "sigmoid", "tanh", "sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits",
]
