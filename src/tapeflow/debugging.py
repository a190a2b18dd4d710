"""``tf.debugging``: runtime assertions on tensor values and shapes.

In eager mode each assertion checks immediately and returns None (or, for
``check_numerics``, its input); a failed value check raises
``InvalidArgumentError`` and a failed static (shape, rank) check ``ValueError``,
as TensorFlow does.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _pair(x, y):
    x = _t(x)
    y = y if type(y) is Tensor else convert_to_tensor(y, dtype=x.dtype) \
        if not isinstance(y, Tensor) and not hasattr(type(y), "__tf_tensor__") else _t(y)
    return x, y


def _prefix(message):
    return f"{message}\n" if message else ""


def _compare(x, y, fn, symbol, op_name, message, summarize):
    x, y = _pair(x, y)
    xv, yv = np.asarray(x._value), np.asarray(y._value)
    try:
        ok = fn(xv, yv)
    except ValueError:
        raise ValueError(f"{_prefix(message)}Shapes {x.shape} and {y.shape} are "
                         f"incompatible") from None
    if np.all(ok):
        return None
    bad = np.argwhere(~np.broadcast_to(ok, np.broadcast_shapes(xv.shape, yv.shape)))
    n = summarize or 3
    xs = np.broadcast_to(xv, ok.shape)[tuple(bad[:n].T)] if bad.size else xv
    ys = np.broadcast_to(yv, ok.shape)[tuple(bad[:n].T)] if bad.size else yv
    raise InvalidArgumentError(
        None, op_name,
        f"{_prefix(message)}Condition x {symbol} y did not hold.\n"
        f"Indices of first {min(n, len(bad))} different values:\n{bad[:n]}\n"
        f"Corresponding x values:\n{xs}\nCorresponding y values:\n{ys}\n"
        f"First {n} elements of x:\n{xv.ravel()[:n]}\nFirst {n} elements of y:\n{yv.ravel()[:n]}")


def assert_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x == y`` everywhere; returns None."""
    return _compare(x, y, np.equal, "==", "assert_equal", message, summarize)


def assert_none_equal(x, y, summarize=None, message=None, name=None):
    """Raises InvalidArgumentError unless ``x != y`` everywhere; returns None."""
    return _compare(x, y, np.not_equal, "!=", "assert_none_equal", message, summarize)


def assert_less(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x < y`` everywhere; returns None."""
    return _compare(x, y, np.less, "<", "assert_less", message, summarize)


def assert_less_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x <= y`` everywhere; returns None."""
    return _compare(x, y, np.less_equal, "<=", "assert_less_equal", message, summarize)


def assert_greater(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x > y`` everywhere; returns None."""
    return _compare(x, y, np.greater, ">", "assert_greater", message, summarize)


def assert_greater_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x >= y`` everywhere; returns None."""
    return _compare(x, y, np.greater_equal, ">=", "assert_greater_equal", message, summarize)


def assert_positive(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x > 0`` everywhere; returns None."""
    x = _t(x)
    return _compare(x, np.zeros((), x._value.dtype), np.greater, ">", "assert_positive",
                    message, summarize)


def assert_non_negative(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x >= 0`` everywhere; returns None."""
    x = _t(x)
    return _compare(x, np.zeros((), x._value.dtype), np.greater_equal, ">=",
                    "assert_non_negative", message, summarize)


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``|x - y| <= atol + rtol * |y|`` everywhere.

    The default tolerances are ten times the dtype's machine epsilon.

    Returns:
      None.
    """
    x, y = _pair(x, y)
    eps = np.finfo(x._value.dtype).eps if x._value.dtype.kind in "fc" else 0
    rtol = 10 * eps if rtol is None else rtol
    atol = 10 * eps if atol is None else atol
    xv, yv = np.asarray(x._value), np.asarray(y._value)
    with np.errstate(all="ignore"):
        ok = np.abs(xv - yv) <= atol + rtol * np.abs(yv)
    if np.all(ok):
        return None
    raise InvalidArgumentError(
        None, "assert_near",
        f"{_prefix(message)}x and y not equal to tolerance rtol = {rtol}, atol = {atol}\n"
        f"x (shape={x.shape} dtype={x.dtype.name}) = {xv}, "
        f"y (shape={y.shape} dtype={y.dtype.name}) = {yv}")


def assert_rank(x, rank, message=None, name=None):
    """Raises ValueError unless ``x`` has rank ``rank``; returns None."""
    x = _t(x)
    rank = int(_t(rank)._value)
    if x._value.ndim != rank:
        raise ValueError(f"{_prefix(message)}Tensor must have rank {rank}. Received rank "
                         f"{x._value.ndim}, shape {x.shape}")


def assert_type(tensor, tf_type, message=None, name=None):
    """Raises TypeError unless ``tensor`` has dtype ``tf_type``; returns None."""
    t = _t(tensor)
    if t.dtype is not dtypes.as_dtype(tf_type):
        raise TypeError(f"{_prefix(message)}tensor must be of type "
                        f"{dtypes.as_dtype(tf_type).name}; got {t.dtype.name}")


def check_numerics(tensor, message, name=None):
    """Returns ``tensor`` unchanged if it has no NaN or Inf.

    Raises:
      InvalidArgumentError: naming what was found, after ``message``.
    """
    t = _t(tensor)
    v = t._value
    if v.dtype.kind in "fc":
        if np.isnan(v).any():
            raise InvalidArgumentError(None, "CheckNumerics",
                                       f"{message} : Tensor had NaN values")
        if np.isinf(v).any():
            raise InvalidArgumentError(None, "CheckNumerics",
                                       f"{message} : Tensor had Inf values")
    return t


def assert_all_finite(t, msg, name=None, x=None, message=None):
    """Returns ``t`` unchanged if it has no NaN or Inf (see ``check_numerics``)."""
    return check_numerics(t if x is None else x, msg if message is None else message)


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Checks tensors' shapes against specs; named dims must agree across tensors.

    Args:
      shapes: ``[(tensor, spec), ...]`` (or a dict); a spec lists ints, names
        such as ``'N'`` shared between tensors, or ``None`` for any size; a
        leading ``'...'`` allows extra leading dims.

    Raises:
      ValueError: naming the tensor, the dimension and the sizes that differ.
    """
    items = shapes.items() if isinstance(shapes, dict) else shapes
    sizes = {}
    for k, (tensor, spec) in enumerate(items):
        shape = tuple(_t(tensor)._value.shape)
        spec = list(spec) if isinstance(spec, (list, tuple)) else [spec] if spec else []
        if spec and spec[0] in ("...", Ellipsis):
            spec = spec[1:]
            shape = shape[len(shape) - len(spec):] if len(shape) >= len(spec) else shape
        if len(shape) != len(spec):
            raise ValueError(f"{_prefix(message)}Tensor #{k} must have rank {len(spec)}. "
                             f"Received rank {len(shape)}, shape {shape}")
        for i, (d, s) in enumerate(zip(shape, spec)):
            if s is None:
                continue
            if isinstance(s, str):
                if s not in sizes:
                    sizes[s] = (d, k, i)
                    continue
                want, k0, i0 = sizes[s]
                if d != want:
                    raise ValueError(
                        f"{_prefix(message)}Specified by tensor #{k0} dimension {i0}. "
                        f"Tensor #{k} dimension {i} must have size {want}. Received size {d}, "
                        f"shape {shape}")
            elif d != int(s):
                raise ValueError(f"{_prefix(message)}Tensor #{k} dimension {i} must have size "
                                 f"{int(s)}. Received size {d}, shape {shape}")


def enable_check_numerics(stack_height_limit=30, path_length_limit=50):
    """Accepted for compatibility; does nothing."""


def disable_check_numerics():
    """Accepted for compatibility; does nothing."""


def set_log_device_placement(enabled):
    """Accepted for compatibility; does nothing (every op runs on the CPU)."""


# The checks read values in NumPy: inside a tf.function trace, a check of a traced tensor is
# one graph node that checks again on every call (as TensorFlow's assert ops run each call).
def _traced_checks():
    from tapeflow.framework.graph import func_graph
    g = globals()
    for n in ("assert_equal", "assert_none_equal", "assert_less", "assert_less_equal",
              "assert_greater", "assert_greater_equal", "assert_positive",
              "assert_non_negative", "assert_near", "check_numerics", "assert_all_finite"):
        g[n] = func_graph.opaque(g[n])


_traced_checks()
