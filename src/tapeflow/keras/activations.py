"""``keras.activations``: elementwise activation functions, by name or callable.

Where ``tf.nn`` (or ``tf.math``) provides a fused op it is used; otherwise the
activation is a composite of tapeflow ops, so every activation is
differentiable to any order.
"""
import importlib

import numpy as np

from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.variable import array_of
from tapeflow.ops import math_ops as M


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


_FUSED = {}


def _fused(module, name):
    """Returns ``tapeflow.<module>.<name>`` if that module exists and defines it, else None
    (looked up once)."""
    key = (module, name)
    if key not in _FUSED:
        try:
            _FUSED[key] = getattr(importlib.import_module(f"tapeflow.{module}"), name, None)
        except ImportError:
            _FUSED[key] = None
    return _FUSED[key]


def _scalar(x, v):
    return Tensor(array_of(x).dtype.type(v))


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit: ``max(x, 0)``, with optional slope, cap and threshold.

    Returns:
      A Tensor of ``x``'s shape and dtype.
    """
    x = _t(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        fused = _fused("nn", "relu")
        return fused(x) if fused is not None else M.maximum(x, _scalar(x, 0))
    if threshold != 0.0:
        y = M.where_(M.greater(x, _scalar(x, threshold)), x, M.zeros_like_(x))
    else:
        y = M.maximum(x, _scalar(x, 0))
    if max_value is not None:
        y = M.minimum(y, _scalar(x, max_value))
    if negative_slope != 0.0:
        neg = M.multiply(_scalar(x, negative_slope), M.subtract(x, _scalar(x, threshold)))
        y = M.where_(M.less(x, _scalar(x, threshold)), neg, y)
    return y


def relu6(x):
    """Returns ``min(max(x, 0), 6)``."""
    x = _t(x)
    fused = _fused("nn", "relu6")
    if fused is not None:
        return fused(x)
    return M.minimum(M.maximum(x, _scalar(x, 0)), _scalar(x, 6))


def leaky_relu(x, negative_slope=0.2):
    """Returns ``x`` where positive, ``negative_slope * x`` elsewhere (slope 0.2)."""
    x = _t(x)
    fused = _fused("nn", "leaky_relu")
    if fused is not None:
        return fused(x, alpha=negative_slope)
    return M.where_(M.greater(x, _scalar(x, 0)), x, M.multiply(x, _scalar(x, negative_slope)))


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    x = _t(x)
    fused = _fused("nn", "elu")
    if fused is not None and alpha == 1.0:
        return fused(x)
    neg = M.multiply(_scalar(x, alpha), M.expm1(M.minimum(x, _scalar(x, 0))))
    return M.where_(M.greater(x, _scalar(x, 0)), x, neg)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """Scaled ELU: ``scale * elu(x, alpha)`` with the self-normalizing constants."""
    x = _t(x)
    return M.multiply(_scalar(x, _SELU_SCALE), elu(x, _SELU_ALPHA))


def sigmoid(x):
    """Returns ``1 / (1 + exp(-x))``."""
    return M.sigmoid(_t(x))


def tanh(x):
    """Returns the hyperbolic tangent."""
    return M.tanh(_t(x))


def softplus(x):
    """Returns ``log(1 + exp(x))``, computed stably."""
    x = _t(x)
    fused = _fused("nn", "softplus")
    if fused is not None:
        return fused(x)
    return M.add(M.maximum(x, _scalar(x, 0)), M.log1p(M.exp(M.negative(M.abs(x)))))


def softsign(x):
    """Returns ``x / (1 + |x|)``."""
    x = _t(x)
    return M.divide(x, M.add(M.abs(x), _scalar(x, 1)))


def silu(x):
    """Swish / SiLU: ``x * sigmoid(x)``."""
    x = _t(x)
    fused = _fused("nn", "silu")
    if fused is not None:
        return fused(x)
    return M.multiply(x, M.sigmoid(x))


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit: ``x * P(X <= x)`` for standard normal X.

    Returns:
      The exact form (with ``erf``) by default, the tanh approximation when
      ``approximate=True``.
    """
    x = _t(x)
    fused = _fused("nn", "gelu")
    if fused is not None:
        return fused(x, approximate=approximate)
    erf = None if approximate else _fused("math", "erf")
    half = _scalar(x, 0.5)
    if erf is not None:
        inner = erf(M.multiply(x, _scalar(x, 1.0 / np.sqrt(2.0))))
    else:
        # tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = M.multiply(_scalar(x, 0.044715), M.multiply(x, M.square(x)))
        inner = M.tanh(M.multiply(_scalar(x, np.sqrt(2.0 / np.pi)), M.add(x, cube)))
    return M.multiply(M.multiply(half, x), M.add(_scalar(x, 1), inner))


def exponential(x):
    """Returns ``exp(x)``."""
    return M.exp(_t(x))


def linear(x):
    """Returns ``x`` unchanged (the identity activation)."""
    return x


def hard_sigmoid(x):
    """Piecewise linear sigmoid: ``relu6(x + 3) / 6`` (Keras 3's formula)."""
    x = _t(x)
    return M.divide(relu6(M.add(x, _scalar(x, 3))), _scalar(x, 6))


def hard_silu(x):
    """Returns ``x * hard_sigmoid(x)``."""
    x = _t(x)
    return M.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def mish(x):
    """Returns ``x * tanh(softplus(x))``."""
    x = _t(x)
    return M.multiply(x, M.tanh(softplus(x)))


def _shifted(x, axis):
    # Subtracting the (constant) max leaves softmax unchanged and avoids overflow.
    return M.subtract(x, Tensor(np.max(array_of(x), axis=axis, keepdims=True)))


def softmax(x, axis=-1):
    """Returns ``exp(x) / sum(exp(x), axis)``, computed stably.

    Raises:
      ValueError: for a 0-d input.
    """
    x = _t(x)
    fused = _fused("nn", "softmax")
    if fused is not None:
        return fused(x, axis=axis)
    e = M.exp(_shifted(x, axis))
    return M.divide(e, M.reduce_sum(e, axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    """Returns ``x - log(sum(exp(x), axis))``, computed stably."""
    x = _t(x)
    s = _shifted(x, axis)
    return M.subtract(s, M.log(M.reduce_sum(M.exp(s), axis=axis, keepdims=True)))


def _keras_op(name):
    from tapeflow.keras import ops
    return getattr(ops, name)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: ``max(x, 0) + alpha * min(0, exp(x / alpha) - 1)``."""
    return _keras_op("celu")(x, alpha=alpha)


def glu(x, axis=-1):
    """Gated linear unit: splits ``x`` in two along ``axis`` and returns ``a * sigmoid(b)``."""
    return _keras_op("glu")(x, axis=axis)


def hard_shrink(x, threshold=0.5):
    """Returns ``x`` where ``|x| > threshold``, else 0."""
    return _keras_op("hard_shrink")(x, threshold=threshold)


def hard_tanh(x):
    """Returns ``x`` clipped to ``[-1, 1]``."""
    return _keras_op("hard_tanh")(x)


def log_sigmoid(x):
    """Returns ``log(sigmoid(x))``, computed stably."""
    return _keras_op("log_sigmoid")(x)


def soft_shrink(x, threshold=0.5):
    """Returns ``x - threshold`` above it, ``x + threshold`` below ``-threshold``, else 0."""
    return _keras_op("soft_shrink")(x, threshold=threshold)


def sparse_plus(x):
    """Returns 0 below -1, ``(x + 1)**2 / 4`` on ``[-1, 1]``, ``x`` above 1."""
    return _keras_op("sparse_plus")(x)


def sparse_sigmoid(x):
    """Returns 0 below -1, ``(x + 1) / 2`` on ``[-1, 1]``, 1 above 1."""
    return _keras_op("sparse_sigmoid")(x)


def sparsemax(x, axis=-1):
    """Returns the Euclidean projection of ``x`` onto the probability simplex along ``axis``."""
    return _keras_op("sparsemax")(x, axis=axis)


def squareplus(x, b=4):
    """Returns ``(x + sqrt(x**2 + b)) / 2``."""
    return _keras_op("squareplus")(x, b=b)


def tanh_shrink(x):
    """Returns ``x - tanh(x)``."""
    return _keras_op("tanh_shrink")(x)


def threshold(x, threshold, default_value):
    """Returns ``x`` where ``x > threshold``, else ``default_value``."""
    return _keras_op("threshold")(x, threshold, default_value)


_ALL = {f.__name__: f for f in (
    relu, relu6, leaky_relu, elu, selu, sigmoid, tanh, softplus, softsign, silu, gelu,
    exponential, linear, hard_sigmoid, hard_silu, mish, softmax, log_softmax, celu, glu,
    hard_shrink, hard_tanh, log_sigmoid, soft_shrink, sparse_plus, sparse_sigmoid, sparsemax,
    squareplus, tanh_shrink, threshold)}
_ALIASES = {"swish": silu, "hard_swish": hard_silu}
ALL_OBJECTS_DICT = dict(_ALL, **_ALIASES)
MODELING_FUNCTIONS = ALL_OBJECTS_DICT   # every activation a config may name


def serialize(activation):
    """Returns the name of a built-in activation, or the config of a custom one."""
    name = getattr(activation, "__name__", None)
    if name in _ALL and _ALL[name] is activation:
        return name
    if activation in _ALIASES.values():
        return activation.__name__
    from tapeflow.keras.saving.serialization import serialize_keras_object
    return serialize_keras_object(activation)


def deserialize(config, custom_objects=None):
    """Returns the activation function named or described by ``config``."""
    from tapeflow.keras.saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config, module_objects=dict(_ALL, **_ALIASES),
                                    custom_objects=custom_objects)


def get(identifier):
    """Returns an activation function from a name, a config dict or a callable.

    ``None`` gives ``linear``.

    Raises:
      ValueError: for an unknown name or a non-callable.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _ALL.get(identifier) or _ALIASES.get(identifier)
        if fn is None:
            from tapeflow.keras.saving.serialization import get_registered_object
            fn = get_registered_object(identifier)
        if fn is None:
            raise ValueError(f"Could not interpret activation function identifier: {identifier}")
        return fn
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")
