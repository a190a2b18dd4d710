"""Neural-network composites: plain functions over ops, with no gradient code.

gelu, silu/swish, softsign, log_sigmoid, l2_normalize, moments, batch
normalisation, bias_add, dropout, embedding lookup and loss helpers. Their
gradients come from the ops they are written with.
"""
import numbers

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import context as _context
from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import REDUCE_NUMBER, defop, reduction_axes
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops import math_ops
from tapeflow.ops.math_ops import (
    abs, add, cast, divide, maximum, multiply, negative, reduce_mean, reduce_sum, rsqrt,
    sigmoid, square, squared_difference, subtract, tanh)
from tapeflow.ops.nn_ops import NN_FLOAT, _check_float, _t, relu, softplus


def gelu(features, approximate=False, name=None):
    """Returns the Gaussian error linear unit ``x * P(X <= x)``, X ~ N(0, 1).

    Args:
      features: a float Tensor.
      approximate: use the tanh approximation instead of the exact erf form.

    Returns:
      A Tensor of ``features``' shape and dtype.

    Raises:
      ValueError: for a non-float ``features`` (TensorFlow's message).
    """
    x = _t(features)
    if x._value.dtype.kind != "f":
        raise ValueError(f"`features.dtype` must be a floating point tensor.Received:"
                         f"features.dtype=<dtype: '{x.dtype.name}'>")
    if approximate:
        inner = multiply(add(x, multiply(multiply(square(x), x), 0.044715)),
                         0.7978845608028654)
        return multiply(multiply(x, 0.5), add(tanh(inner), 1.0))
    return multiply(multiply(x, 0.5), add(_erf()(multiply(x, 0.7071067811865476)), 1.0))


def _erf():
    """Returns tf.math.erf, imported on first use (it is defined by the math modules)."""
    from tapeflow.ops import math_ops as m
    if hasattr(m, "erf"):
        return m.erf
    from tapeflow.ops.special_math_ops import erf
    return erf


def silu(features, beta=1.0, name=None):
    """Returns ``features * sigmoid(beta * features)`` (also called swish)."""
    x = _t(features)
    if x._value.dtype.kind in "OSU":   # TensorFlow first casts beta to the input's dtype
        from tapeflow.framework.errors import UnimplementedError
        raise UnimplementedError(None, "Cast", "Cast float to string is not supported "
                                 "[Op:Cast]")
    if isinstance(beta, numbers.Real) and beta == 1.0:
        return multiply(x, sigmoid(x))
    return multiply(x, sigmoid(multiply(x, beta)))


swish = silu


def softsign(features, name=None):
    """Returns ``features / (abs(features) + 1)``."""
    x = _check_float(_t(features), "Softsign")
    return divide(x, add(abs(x), 1))


def log_sigmoid(x, name=None):
    """Returns ``log(sigmoid(x)) = -softplus(-x)``, computed stably."""
    return negative(softplus(negative(_t(x))))


def crelu(features, axis=-1, name=None):
    """Returns ``concat([relu(features), relu(-features)], axis)``."""
    from tapeflow.ops.array_ops import concat
    if isinstance(axis, float):   # TensorFlow converts the axis to an int32 tensor
        raise TypeError(f"Cannot convert {axis!r} to EagerTensor of dtype int32")
    x = _t(features)
    return concat([relu(x), relu(negative(x))], axis)


def _l2_loss_kernel(x):
    return np.asarray(np.sum(np.square(x)) / 2, x.dtype)


_l2_loss = defop("L2Loss", _l2_loss_kernel, lambda op, dy: multiply(op.inputs[0], dy),
                 dtypes=NN_FLOAT, quiet=True)


def l2_loss(t, name=None):
    """Returns ``sum(t ** 2) / 2`` as a scalar (TensorFlow's ``L2Loss``: floats only)."""
    return _l2_loss(t)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """Returns ``x / sqrt(max(sum(x ** 2, axis), epsilon))``.

    Uses ``tf.math.l2_normalize`` from ``math_ops`` when that module defines it.
    """
    axis = dim if axis is None else axis
    impl = getattr(math_ops, "l2_normalize", None)
    if impl is not None:
        return impl(x, axis=axis, epsilon=epsilon)
    x = _t(x)
    square_sum = reduce_sum(square(x), axis=axis, keepdims=True)
    return multiply(x, rsqrt(maximum(square_sum, epsilon)))


def moments(x, axes, shift=None, keepdims=False, name=None):
    """Returns ``(mean, variance)`` of ``x`` over ``axes``.

    As in TensorFlow the variance is ``mean(squared_difference(x, stop_gradient(mean)))``:
    first-order gradients are exact; second-order ones treat the mean as a constant.
    float16 inputs are reduced in float32 and cast back.
    """
    from tapeflow.ops.array_ops import reshape, stop_gradient
    x = _t(x)
    y = cast(x, dtypes.float32) if x._value.dtype == np.float16 else x
    nd = x._value.ndim
    if axes is None:
        axes = list(range(nd))
    elif isinstance(axes, (str, float)) or isinstance(axes, Tensor):
        axes = list(reduction_axes(axes, nd, "Mean"))   # TensorFlow's Tidx/range errors
    else:
        axes = list(reduction_axes(_axes_list(axes), nd, "Mean"))
    mean = reduce_mean(y, axis=axes, keepdims=True)
    variance = reduce_mean(squared_difference(y, stop_gradient(mean)), axis=axes,
                           keepdims=True)
    if not keepdims:
        kept = [n for i, n in enumerate(x._value.shape) if i not in axes]
        mean = reshape(mean, kept)
        variance = reshape(variance, kept)
    if y is not x:
        mean, variance = cast(mean, x.dtype), cast(variance, x.dtype)
    return mean, variance


def _axes_list(axes):
    if isinstance(axes, Tensor):
        axes = _func_graph.value_of(axes).tolist()
    if isinstance(axes, numbers.Integral):
        return [int(axes)]
    return list(axes)


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """Returns ``(mean, variance)`` from sufficient statistics (sums and shifted squares)."""
    divisor = math_ops.reciprocal(_t(counts))
    shifted_mean = multiply(_t(mean_ss), divisor)
    mean = shifted_mean if shift is None else add(shifted_mean, shift)
    variance = subtract(multiply(_t(variance_ss), divisor), square(shifted_mean))
    return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """Returns ``scale * (x - mean) / sqrt(variance + variance_epsilon) + offset``.

    ``offset`` and ``scale`` may be None. Computed as TensorFlow does:
    ``x * inv + (offset - mean * inv)`` with ``inv = scale * rsqrt(variance + eps)``.
    """
    x = _t(x)
    inv = rsqrt(add(_t(variance), variance_epsilon))
    if scale is not None:
        inv = multiply(inv, scale)
    mean_inv = multiply(mean, inv)
    shift = negative(mean_inv) if offset is None else subtract(offset, mean_inv)
    return add(multiply(x, cast(inv, x.dtype)), cast(shift, x.dtype))


def bias_add(value, bias, data_format=None, name=None):
    """Returns ``value + bias`` with the 1-D ``bias`` added along the channel axis.

    Args:
      value: a Tensor of rank >= 2.
      bias: a 1-D Tensor of size ``value.shape[-1]`` (or ``value.shape[1]`` for
        ``data_format`` "NC...").
      data_format: None/"N...C" (channels last) or "NC..." (channels first).

    Raises:
      InvalidArgumentError: on a bias that is not 1-D or of the wrong size.
    """
    value = _t(value)
    bias = bias if isinstance(bias, Tensor) or hasattr(type(bias), "__tf_tensor__") else \
        convert_to_tensor(bias, dtype_hint=value.dtype)
    bias = _t(bias)
    if data_format is not None and not (data_format.startswith("NC") or (
            data_format.startswith("N") and data_format.endswith("C"))):
        raise ValueError(f"`data_format` must be of the form `N...C` or `NC...`. Received: "
                         f"data_format={data_format}")
    vs, bs = value._value.shape, bias._value.shape
    if len(vs) < 2:
        raise InvalidArgumentError(None, "BiasAdd", f"Input tensor must be at least 2D: "
                                   f"{list(vs)} [Op:BiasAdd]")
    if len(bs) != 1:
        raise InvalidArgumentError(None, "BiasAdd", f"Biases must be 1D: {list(bs)} "
                                   f"[Op:BiasAdd]")
    channels_first = data_format is not None and data_format.startswith("NC")
    c = vs[1] if channels_first else vs[-1]
    if bs[0] != c:
        where = "channel" if channels_first else "last"
        raise InvalidArgumentError(
            None, "BiasAdd", f"Must provide as many biases as the {where} dimension of the "
            f"input tensor: {list(bs)} vs. {list(vs)} [Op:BiasAdd]")
    if bias._value.dtype != value._value.dtype:
        raise InvalidArgumentError(
            None, "BiasAdd", f"cannot compute BiasAdd as input #1(zero-based) was expected to "
            f"be a {value.dtype.name} tensor but is a {bias.dtype.name} tensor [Op:BiasAdd]")
    if channels_first and len(vs) > 2:   # recorded as Reshape + AddV2 (as written to a
        # SavedModel); the channels-last case is TensorFlow's BiasAdd(value, bias) itself
        from tapeflow.ops.array_ops import reshape
        if value._value.dtype not in _bias_add.op_def.ok:
            raise _bias_add.op_def.dtype_error(value._value.dtype)
        return add(value, reshape(bias, [c] + [1] * (len(vs) - 2)))
    return _bias_add(value, bias)   # refuses a dtype outside TF's list


def _bias_add_grad(op, dy):
    """dy for the value; dy summed to the bias's (reshaped) shape for the bias."""
    return dy, math_ops.unbroadcast(dy, op.inputs[1]._value.shape)


_bias_add = defop("BiasAdd", np.add, _bias_add_grad, dtypes=REDUCE_NUMBER, kind="call")


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Returns ``x`` with units set to 0 with probability ``rate``, the rest scaled by 1/(1-rate).

    Args:
      x: a float Tensor.
      rate: the probability of dropping each unit, in [0, 1).
      noise_shape: the shape of the keep/drop mask, broadcast against ``x``
        (None entries take ``x``'s size).
      seed: an op seed (see ``tf.random.set_seed``).

    Raises:
      ValueError: if ``x`` is not a float Tensor or ``rate`` is outside [0, 1).
    """
    from tapeflow.ops import random_ops
    x = _t(x)
    if x._value.dtype.kind != "f":
        raise ValueError(f"x has to be a floating point tensor since it's going to be scaled. "
                         f"Got a {x.dtype.name} tensor instead.")
    if isinstance(rate, Tensor) or hasattr(type(rate), "__tf_tensor__"):
        rate = float(_t(rate)._value)
    if not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"`rate` must be a scalar tensor or a float in the range [0, 1). "
                         f"Received: rate={rate}")
    if rate == 0:
        return x
    shape = _noise_shape(x, noise_shape)
    draw = x._value.dtype if x._value.dtype != np.float16 else np.dtype(np.float32)
    u = random_ops._stateful_array("RandomUniform", shape, draw, seed,
                                   lambda gen, size, dt: gen.random(size, dtype=dt))
    keep = (u >= rate).astype(x._value.dtype)
    keep *= x._value.dtype.type(1 / (1 - rate))
    return multiply(x, Tensor(keep))


def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return x._value.shape
    if isinstance(noise_shape, Tensor):
        noise_shape = _func_graph.value_of(noise_shape).tolist()
    dims = list(noise_shape)
    xs = x._value.shape
    if len(dims) == len(xs):
        dims = [xs[i] if d is None else d for i, d in enumerate(dims)]
    return tuple(int(d) for d in dims)


def embedding_lookup(params, ids, max_norm=None, name=None):
    """Returns the rows of ``params`` at ``ids`` (``tf.gather(params, ids)``).

    Args:
      params: a Tensor/Variable, or a list of them split along axis 0 ("div" partition).
      ids: int32/int64 indices of any shape.
      max_norm: if given, rows whose L2 norm exceeds it are scaled down to it.

    Returns:
      A Tensor of shape ``ids.shape + params.shape[1:]``.
    """
    from tapeflow.ops.array_ops import concat, gather
    if hasattr(type(ids), "__tf_dispatch__"):  # RaggedTensor ids
        return ids.__tf_dispatch__(embedding_lookup, (params, ids), {"max_norm": max_norm})
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("Received an empty list of `params`.")
        params = params[0] if len(params) == 1 else concat(list(params), 0)
    rows = gather(params, ids)
    if max_norm is None:
        return rows
    nd = rows._value.ndim
    axes = list(range(_t(ids)._value.ndim, nd))
    norm = math_ops.sqrt(reduce_sum(square(rows), axis=axes, keepdims=True))
    ratio = divide(max_norm, maximum(norm, max_norm))
    return multiply(rows, ratio)


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None,
                         name=None):
    """Returns ``sum(per_example_loss * sample_weight) / global_batch_size``.

    ``global_batch_size`` defaults to the first dimension of ``per_example_loss``
    times the active strategy's ``num_replicas_in_sync``.
    """
    loss = _t(per_example_loss)
    if sample_weight is not None:
        loss = multiply(loss, sample_weight)
    if global_batch_size is None:
        shape = loss._value.shape
        replicas = _context.num_replicas_in_sync()
        global_batch_size = (shape[0] if shape else 1) * replicas
    elif not isinstance(global_batch_size, (numbers.Integral, Tensor)) or (
            isinstance(global_batch_size, Tensor) and global_batch_size.dtype.is_floating):
        raise TypeError(f"global_batch_size must be an integer..  Expected \"x\" to be integer "
                        f"type.  Found: {global_batch_size!r}")
    n = Tensor(np.asarray(global_batch_size, dtype=loss._value.dtype))
    total = reduce_sum(loss)
    if not n._value:   # TensorFlow divides with div_no_nan: a batch of 0 averages to 0
        return multiply(total, 0)
    return divide(total, n)


def scale_regularization_loss(regularization_loss, name=None):
    """Returns the summed regularization loss divided by the number of replicas in sync."""
    if isinstance(regularization_loss, (list, tuple)):
        total = _t(regularization_loss[0])
        for r in regularization_loss[1:]:
            total = add(total, r)
        regularization_loss = total
    total = reduce_sum(_t(regularization_loss))
    n = _context.num_replicas_in_sync()
    return total if n == 1 else divide(total, Tensor(total._value.dtype.type(n)))


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Returns the logistic loss with positive examples weighted by ``pos_weight``.

    ``(1 - z) * x + (1 + (q - 1) * z) * (log(1 + exp(-|x|)) + max(-x, 0))``, written
    as TensorFlow writes it (so the gradient at exactly x = 0 matches TensorFlow's).
    """
    logits = _t(logits)
    labels = _t(labels) if isinstance(labels, Tensor) else convert_to_tensor(
        labels, dtype_hint=logits.dtype)
    if labels._value.shape != logits._value.shape:
        raise ValueError(f"`logits` and `labels` must have the same shape, received "
                         f"({logits.shape} vs {labels.shape}).")
    if isinstance(pos_weight, numbers.Real):
        log_weight = add(multiply(labels, pos_weight - 1), 1)
    else:
        log_weight = add(multiply(subtract(pos_weight, 1), labels), 1)
    tail = add(math_ops.log1p(math_ops.exp(negative(abs(logits)))), relu(negative(logits)))
    return add(multiply(subtract(1, labels), logits), multiply(log_weight, tail))


def zero_fraction(value, name=None):
    """Returns the fraction of zeros in ``value`` as a float32 scalar."""
    v = _t(value)._value
    return Tensor(np.float32(np.mean(v == 0)) if v.size else np.float32(np.nan))


__all__ = [
    "gelu", "silu", "swish", "softsign", "log_sigmoid", "crelu", "l2_loss", "l2_normalize",
    "moments", "normalize_moments", "batch_normalization", "bias_add", "dropout",
    "embedding_lookup", "compute_average_loss", "scale_regularization_loss",
    "weighted_cross_entropy_with_logits", "zero_fraction",
]


# Inside a tf.function trace, these compute from traced values outside the op mechanism,
# so such a call becomes one graph node that runs again on every call.
zero_fraction = _func_graph.opaque(zero_fraction)
