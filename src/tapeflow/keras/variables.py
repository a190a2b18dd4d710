"""``keras.Variable``: a ``tf.Variable`` with a Keras path, hashable by identity."""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.context import ACTIVE as _ACTIVE
from tapeflow.framework.context import AUTOCASTING as _AUTOCASTING
from tapeflow.framework.context import state as _state
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import BaseVariable as _TFVariable
from tapeflow.framework.variable import variable_accessed
from tapeflow.keras.layers.tracking import _bump


def _oom(shape, dtype):
    from tapeflow.framework import errors
    dims = ",".join(str(int(d)) for d in shape)
    kind = {"float32": "float", "float64": "double"}.get(str(dtype), str(dtype))
    return errors.ResourceExhaustedError(
        None, None, f"OOM when allocating tensor with shape[{dims}] and type {kind} on "
        "/job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu")


def _check_allocation(shape, dtype):
    """Raises TensorFlow's ResourceExhaustedError, before allocating, for a variable larger
    than this machine's memory (``Dense(units=2**40)``, or a crafted config)."""
    import math
    import os
    try:
        dims = [int(d) for d in shape]
    except (TypeError, ValueError):
        return
    nbytes = math.prod(dims) * np.dtype(dtypes.as_dtype(dtype).as_numpy_dtype).itemsize
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        memory = 2 ** 46
    if nbytes > memory:
        raise _oom(dims, dtype)


class Variable(_TFVariable):
    """A Keras variable (what ``layer.add_weight`` returns).

    Works wherever a ``tf.Variable`` does (ops, ``assign*``, GradientTape,
    optimizers). Its ``name`` is the short name (``"kernel"``) and ``path`` the
    full one (``"dense/kernel"``); ``dtype`` is a dtype name string and
    ``shape`` a tuple, as in Keras 3.

    Args:
      initializer: an initial value (array, Tensor) or an initializer callable
        ``f(shape, dtype)``.
      shape: the shape, needed when ``initializer`` is a callable.
      dtype: the dtype name; defaults to ``keras.backend.floatx()``.
      trainable: whether optimizers train it.
      name: its short name.
    """

    __slots__ = ("_path", "_regularizer", "_overwrite_with_gradient")

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None, constraint=None):
        from tapeflow.keras import backend
        name = name or "variable"
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        if dtype is None:
            dtype = getattr(initializer, "dtype", None)
            dtype = backend.standardize_dtype(dtype) if dtype is not None else backend.floatx()
        dtype = backend.standardize_dtype(dtype)
        if callable(initializer) and not isinstance(initializer, (Tensor, np.ndarray)) and \
                not hasattr(type(initializer), "__tf_tensor__"):
            if shape is None:
                raise ValueError("When creating a Variable from an initializer, the `shape` "
                                 f"argument should be specified. Received: "
                                 f"initializer={initializer} and shape={shape}")
            _check_allocation(shape, dtype)
            try:
                value = initializer(tuple(shape), dtype=dtype)
            except MemoryError:
                raise _oom(shape, dtype) from None
        else:
            value = initializer
        value = np.asarray(value, dtype=dtypes.as_dtype(dtype).as_numpy_dtype)
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(f"Initializer value has shape {value.shape}, but the `shape` "
                             f"argument is {tuple(shape)}.")
        super().__init__(value, trainable=trainable, name=name, constraint=constraint)
        self._name = name  # Keras names ignore tf.name_scope
        self._path = name
        self._regularizer = None
        self._overwrite_with_gradient = False

    def __tf_tensor__(self, dtype=None, name=None):
        t = self._tensor
        if _ACTIVE and self._trainable:
            variable_accessed(self)
        autocast = _state.calls.autocast if _AUTOCASTING else None
        if autocast is not None and t.dtype.is_floating and t.dtype.name != autocast:
            # Inside a mixed-precision layer's call: read float weights in the compute dtype.
            from tapeflow.ops.math_ops import cast
            t = cast(t, autocast)
        if dtype is not None and dtypes.as_dtype(dtype) is not t.dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} "
                             f"for variable with dtype {t.dtype.name}: {self!r}")
        return t

    _read = __tf_tensor__

    @property
    def name(self):
        """Returns the short name (``"kernel"``)."""
        return self._name

    @property
    def path(self):
        """Returns the full path (``"dense/kernel"``)."""
        return self._path

    @property
    def dtype(self):
        """Returns the dtype name (``"float32"``)."""
        return self._tensor.dtype.name

    @property
    def shape(self):
        """Returns the shape as a tuple of ints."""
        return tuple(self._tensor.shape)

    @property
    def value(self):
        """Returns the current value as a Tensor."""
        return self.__tf_tensor__()

    @property
    def trainable(self):
        """Returns whether optimizers train this variable."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        _bump()  # layers' cached trainable/non-trainable lists are now stale

    @property
    def regularizer(self):
        """Returns the weight regularizer, or None."""
        return self._regularizer

    @regularizer.setter
    def regularizer(self, value):
        self._regularizer = value

    @property
    def overwrite_with_gradient(self):
        """Returns whether optimizers overwrite this variable with its gradient."""
        return self._overwrite_with_gradient

    @overwrite_with_gradient.setter
    def overwrite_with_gradient(self, value):
        self._overwrite_with_gradient = bool(value)

    @property
    def constraint(self):
        """Returns the constraint applied after optimizer updates, or None."""
        return self._constraint

    @constraint.setter
    def constraint(self, value):
        self._constraint = value

    def __hash__(self):
        return id(self)

    def __deepcopy__(self, memo):
        v = Variable(self.numpy(), dtype=self.dtype, trainable=self._trainable, name=self._name)
        v._path = self._path
        return v

    def __reduce__(self):
        return _rebuild, (self.numpy(), self.dtype, self._trainable, self._name, self._path)

    def __repr__(self):
        return (f"<Variable path={self._path}, shape={self.shape}, dtype={self.dtype}, "
                f"value={self._tensor.numpy()}>")

    def __str__(self):
        return self.__repr__()


def _rebuild(value, dtype, trainable, name, path):
    v = Variable(value, dtype=dtype, trainable=trainable, name=name)
    v._path = path
    return v
