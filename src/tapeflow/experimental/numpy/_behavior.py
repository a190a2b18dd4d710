"""``experimental_enable_numpy_behavior``: NumPy methods and NumPy promotion on tensors.

As in TensorFlow 2.21 it (1) adds NumPy methods to ``tf.Tensor`` (``T``, ``reshape``,
``ravel``, ``flatten``, ``transpose``, ``clip``, ``astype``, ``max``/``min``/``mean``,
``size``, ``tolist``, ``data``, ``round()``), (2) makes the arithmetic and comparison
operators of tensors and variables promote mixed dtypes as NumPy does
(``int32 + float32 -> float64``) instead of raising, and (3) lets tensors be indexed with
NumPy's advanced indices (``t[[0, 2]]``, ``m[:, [1, 0]]``, ``m[m > 1]``). ``tf.add`` and the other functions keep
TensorFlow's strict dtypes. It cannot be undone, as in TensorFlow.
"""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import Variable
from tapeflow.experimental.numpy import _dtypes as D

_ENABLED = [False]
_OPERATORS = ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
              "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__lt__",
              "__le__", "__gt__", "__ge__")


def _promoting(original):
    def op(self, other):
        if isinstance(other, (Tensor, Variable)):
            if other.dtype != self.dtype:
                dtype = D.result_type(self, other)
                return original(_cast(self, dtype), _cast(other, dtype))
        elif isinstance(other, (float, complex, np.ndarray, np.generic, list, tuple)) \
                and not isinstance(other, bool):
            dtype = D.result_type(self, other)
            if dtype != self.dtype:
                from tapeflow.experimental.numpy._core import asarray
                return original(_cast(self, dtype), asarray(other, dtype))
        return original(self, other)
    op.__name__ = original.__name__
    op.__doc__ = original.__doc__
    return op


def _cast(t, dtype):
    return t if t.dtype == dtype else tf.cast(t, dtype)


def _is_advanced(k):
    if isinstance(k, (list, np.ndarray)):
        return True
    return isinstance(k, (Tensor, Variable)) and (k.shape.rank or k.dtype == tf.bool)


def _numpy_getitem(original):
    """``t[key]`` with NumPy's advanced indexing (integer lists/arrays/tensors, boolean
    masks) as a gather of flat positions, so gradients flow; other keys as before."""
    def getitem(self, key):
        parts = key if isinstance(key, tuple) else (key,)
        if not any(_is_advanced(k) for k in parts):
            return original(self, key)
        np_key = tuple(np.asarray(k) if isinstance(k, (Tensor, Variable)) else k
                       for k in parts)
        positions = np.arange(int(np.prod(self.shape.as_list())), dtype=np.int64)
        try:
            positions = positions.reshape(self.shape.as_list())[np_key]
        except IndexError as e:
            raise tf.errors.InvalidArgumentError(None, "GatherV2", str(e)) from None
        return tf.gather(tf.reshape(self, [-1]), tf.constant(positions))
    return getitem


def _reshape_method(self, *args, **kwargs):
    from tapeflow.experimental.numpy._array_ops import reshape
    order = kwargs.pop("order", "C")
    if kwargs:
        raise ValueError(f"Unsupported arguments: {sorted(kwargs)}")
    shape = args[0] if len(args) == 1 else args
    return reshape(self, shape, order=order)


def experimental_enable_numpy_behavior(prefer_float32=False, dtype_conversion_mode="legacy"):
    """Adds NumPy methods to ``tf.Tensor`` and NumPy dtype promotion to tensor operators.

    Args:
      prefer_float32: whether Python floats become float32 (instead of NumPy's float64).
      dtype_conversion_mode: 'legacy' (NumPy's promotion; the default) or 'off'; tapeflow
        does not implement TensorFlow's 'safe'/'all' auto-conversion modes.

    Returns:
      None.
    """
    if dtype_conversion_mode not in ("legacy", "off", "safe", "all"):
        raise ValueError(f"Invalid dtype_conversion_mode: {dtype_conversion_mode!r}")
    if dtype_conversion_mode in ("safe", "all"):
        raise NotImplementedError(
            f"dtype_conversion_mode={dtype_conversion_mode!r} is not supported by tapeflow; "
            "use 'legacy' (NumPy's promotion)")
    D.set_prefer_float32(prefer_float32)
    if _ENABLED[0]:
        return
    _ENABLED[0] = True
    from tapeflow.experimental.numpy import _array_ops as A, _math as M, _reductions as R
    if dtype_conversion_mode == "legacy":
        for cls in (Tensor, Variable):
            for name in _OPERATORS:
                setattr(cls, name, _promoting(getattr(cls, name)))
    Tensor.__getitem__ = _numpy_getitem(Tensor.__getitem__)
    Tensor.T = property(lambda self: A.transpose(self))
    Tensor.size = property(lambda self: np.int64(np.prod(self.shape.as_list())))
    Tensor.tolist = lambda self: self.numpy().tolist()
    Tensor.transpose = A.transpose
    Tensor.flatten = A.flatten
    Tensor.reshape = _reshape_method
    Tensor.ravel = A.ravel
    Tensor.clip = M.clip
    Tensor.astype = lambda self, dtype: tf.cast(self, D.tf_dtype(dtype))
    Tensor.__round__ = M.around
    Tensor.max = R.amax
    Tensor.min = R.amin
    Tensor.mean = R.mean
    Tensor.data = property(lambda self: self)
