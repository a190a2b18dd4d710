"""``tf.Variable``: mutable state that GradientTape watches automatically.

A variable holds a Tensor and rebinds it on every assignment (never writes
into the old array), so a tape that recorded the old value stays correct.
"""
import numpy as np

from tapeflow.framework import context as _context
from tapeflow.framework import dtypes
from tapeflow.framework import primitive as _prim
from tapeflow.framework.tensor import Tensor, _numpy_text, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape

_tapes = _context.ACTIVE  # one entry per tape active on any thread
_state = _context.state   # this thread's tapes: ``_state.tapes``


def variable_accessed(var):
    """Tells this thread's recording tapes that ``var`` was read (the variable-accessed hook).

    Every recording tape with ``watch_accessed_variables`` then watches ``var``'s current
    value. A variable class that overrides ``__tf_tensor__`` calls this when reading.
    """
    t = var._tensor
    for tape in _state.tapes:
        if tape._recording and tape._watch_accessed and id(t) not in tape._watched:
            tape._watch_variable(var)


def rebind(var, array):
    """The fast internal assign: points ``var`` at ``array`` and returns None.

    ``array`` must be a fresh NumPy array of the variable's dtype and shape that the caller
    never writes into again (optimizers pass the result they just computed). The old array
    is left untouched, so a Tensor read from ``var`` earlier keeps its value.
    """
    var._tensor = Tensor(array)


def set_trainable(var, trainable):
    """Marks ``var`` trainable or not (Keras's ``layer.trainable = ...``); returns None."""
    var._trainable = bool(trainable)


def array_of(x):
    """Returns the NumPy array behind a Variable or Tensor (no copy; never write into it)."""
    t = getattr(x, "_tensor", x)
    return t._value


class BaseVariable:
    """The implementation shared by ``tf.Variable`` and ``keras.Variable``.

    Keras 3's variable is not a ``tf.Variable`` (``isinstance`` says False), yet both
    behave alike everywhere; code that accepts either checks for this class.

    Args:
      initial_value: a Tensor, array, Python value, or a callable returning one.
      trainable: whether tapes watch it automatically and optimizers train it.
      name: its name; shown as ``'<name>:0'``.
      dtype: converts ``initial_value`` to this dtype if given.
      shape: the shape future assignments must match (``None`` dims relax it).
    """

    __slots__ = ("_tensor", "_trainable", "_name", "_shape", "_constraint", "_unread",
                 "__weakref__")
    _is_variable = True
    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None, synchronization=None,
                 aggregation=None, shape=None, experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg (None) must be specified.")
        if callable(initial_value) and not hasattr(type(initial_value), "__tf_tensor__") \
                and not isinstance(initial_value, Tensor):
            initial_value = initial_value()
        t = convert_to_tensor(initial_value, dtype=dtype) if not isinstance(
            initial_value, Tensor) or dtype is None else _cast_tensor(initial_value, dtype)
        if isinstance(t._value, np.ndarray):
            value = t._value.copy()
        else:
            value = np.asarray(t._value)
        entry = _context.strategy_entry()
        if entry is not None:   # in a strategy's scope: every worker starts from worker 0's value
            value = entry[0].extended.broadcast_initial_value(value)
        self._tensor = Tensor(value)
        self._trainable = True if trainable is None else bool(trainable)
        self._name = _state.name_scope + ("Variable" if name is None else str(name))
        self._shape = TensorShape(shape) if shape is not None else TensorShape(value.shape)
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. Received: "
                             f"{constraint!r}")
        self._constraint = constraint
        self._unread = None  # the view ``assign*`` returns, made once

    # -- reading ------------------------------------------------------------
    def __tf_tensor__(self, dtype=None, name=None):
        t = self._tensor
        if _tapes and self._trainable:
            variable_accessed(self)
        if dtype is not None and dtypes.as_dtype(dtype) is not self.dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} "
                             f"for variable with dtype {self.dtype.name}: {self!r}")
        return t

    _read = __tf_tensor__

    def read_value(self):
        """Returns the current value as a Tensor."""
        return self.__tf_tensor__()

    def value(self):
        """Returns the current value as a Tensor."""
        return self.__tf_tensor__()

    def numpy(self):
        """Returns a copy of the current value as a NumPy array (or scalar)."""
        return self._tensor.numpy()

    def __array__(self, dtype=None, copy=None):
        return self._tensor.__array__(dtype, copy)

    @property
    def dtype(self):
        """Returns the variable's DType."""
        return self._tensor.dtype

    @property
    def shape(self):
        """Returns the variable's TensorShape."""
        return self._shape

    def get_shape(self):
        """Returns the variable's TensorShape."""
        return self._shape

    @property
    def ndim(self):
        """Returns the number of dimensions."""
        return self._tensor._value.ndim

    @property
    def name(self):
        """Returns the name, ``'<name>:0'``."""
        return self._name + ":0"

    @property
    def trainable(self):
        """Returns whether the variable is trainable."""
        return self._trainable

    @property
    def constraint(self):
        """Returns the constraint function, or None."""
        return self._constraint

    @property
    def device(self):
        """Returns the device string of the variable."""
        return self._tensor.device

    @property
    def initial_value(self):
        raise RuntimeError("This property is not supported when eager execution is enabled.")

    # -- assignment ---------------------------------------------------------
    def _converted(self, value):
        """Returns ``value`` as an array of this variable's dtype and shape.

        Raises:
          ValueError / TypeError: on a dtype or shape mismatch (state untouched).
        """
        cur = self._tensor._value
        if type(value) is Tensor:  # the optimizer's case: same dtype and shape
            arr = value._value
            if arr.dtype is cur.dtype and arr.shape == cur.shape:
                return arr
        if getattr(value, "_is_variable", False):
            value = value._tensor
        t = convert_to_tensor(value, dtype=self._tensor.dtype)
        arr = t._value
        if arr.shape != cur.shape:
            if not self._shape.is_compatible_with(arr.shape):
                raise ValueError(
                    f"Cannot assign value to variable ' {self.name}': Shape mismatch.The "
                    f"variable shape {self._shape}, and the assigned value shape "
                    f"{TensorShape(arr.shape)} are incompatible.")
        return arr

    def _set(self, arr, read_value):
        if type(arr) is not np.ndarray:
            arr = np.asarray(arr)
        self._tensor = Tensor(arr)
        if read_value:
            u = self._unread
            if u is None:
                u = self._unread = _UnreadVariable(self)
            return u
        return None

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Sets the value; returns the updated variable (None if ``read_value=False``).

        Raises:
          ValueError: if the shape or dtype differs; the value is left unchanged.
        """
        arr = self._converted(value)
        return self._set(arr.copy() if isinstance(arr, np.ndarray) else arr, read_value)

    def _delta(self, delta, op):
        """Returns ``delta`` as an array of this variable's dtype and exact shape.

        Raises:
          InvalidArgumentError: if the shapes differ (TensorFlow does not broadcast here).
        """
        cur = self._tensor._value
        if type(delta) is Tensor:  # the optimizer's case: same dtype and shape
            arr = delta._value
            if arr.dtype is cur.dtype and arr.shape == cur.shape:
                return arr
        if getattr(delta, "_is_variable", False):
            delta = delta._tensor
        arr = convert_to_tensor(delta, dtype=self._tensor.dtype)._value
        if arr.shape != cur.shape:
            from tapeflow.framework.errors import InvalidArgumentError
            dims = ",".join
            raise InvalidArgumentError(
                None, op, f"Cannot update variable with shape [{dims(map(str, cur.shape))}] "
                f"using a Tensor with shape [{dims(map(str, arr.shape))}], shapes must be "
                f"equal. [Op:{op}]")
        return arr

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds ``delta``; returns the updated variable (None if ``read_value=False``).

        Raises:
          InvalidArgumentError: if ``delta``'s shape differs; the value is left unchanged.
        """
        arr = self._delta(delta, "AssignAddVariableOp")
        return self._set(self._tensor._value + arr, read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts ``delta``; returns the updated variable (None if ``read_value=False``).

        Raises:
          InvalidArgumentError: if ``delta``'s shape differs; the value is left unchanged.
        """
        arr = self._delta(delta, "AssignSubVariableOp")
        return self._set(self._tensor._value - arr, read_value)

    def _assign_slice(self, key, value):
        cur = self._tensor._value
        try:
            target_shape = np.shape(cur[key])
        except IndexError as e:
            from tapeflow.framework.errors import InvalidArgumentError
            raise InvalidArgumentError(None, "StridedSliceAssign", str(e)) from None
        t = convert_to_tensor(value, dtype=self._tensor.dtype)
        if t._value.shape != target_shape:
            try:
                np.broadcast_to(t._value, target_shape)
            except ValueError:
                from tapeflow.framework.errors import InvalidArgumentError
                dims = ",".join
                raise InvalidArgumentError(
                    None, "ResourceStridedSliceAssign",
                    f"Cannot broadcast input shape [{dims(map(str, t._value.shape))}] into "
                    f"final shape [{dims(map(str, target_shape))}] "
                    "[Op:ResourceStridedSliceAssign]") from None
        new = np.array(cur, copy=True)
        new[key] = t._value
        return self._set(new, True)

    def scatter_nd_update(self, indices, updates, name=None):
        """Writes ``updates`` at ``indices``; returns the updated variable."""
        idx = np.asarray(convert_to_tensor(indices)._value)
        new = np.array(self._tensor._value, copy=True)
        new[tuple(np.moveaxis(idx, -1, 0))] = convert_to_tensor(updates, self.dtype)._value
        return self._set(new, True)

    # -- misc ---------------------------------------------------------------
    def __getitem__(self, key):
        return _VariableSlice._from(_prim.ENGINE.getitem(self.__tf_tensor__(), key), self, key)

    def __setitem__(self, key, value):
        raise TypeError("'ResourceVariable' object does not support item assignment")

    def __len__(self):
        return len(self._tensor)

    def __iter__(self):
        return iter(self.__tf_tensor__())

    def __bool__(self):
        return bool(self._tensor)

    def __float__(self):
        return float(self._tensor)

    def __int__(self):
        return int(self._tensor)

    def __index__(self):
        return self._tensor.__index__()

    def __format__(self, spec):
        return self._tensor.__format__(spec)

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key.")

    def ref(self):
        """Returns a hashable reference to this variable."""
        from tapeflow.framework.tensor import _Reference
        return _Reference(self)

    def __reduce__(self):
        return Variable, (self.numpy(), self._trainable, True, None, self._name)

    def __deepcopy__(self, memo):
        return Variable(self.numpy(), trainable=self._trainable, name=self._name)

    def __repr__(self):
        return "<tf.Variable '%s' shape=%s dtype=%s, numpy=%s>" % (
            self.name, self.shape, self.dtype.name, _numpy_text(self._tensor._value, True))

    def __str__(self):
        return self.__repr__()


class Variable(BaseVariable):
    """A mutable tensor (``tf.Variable``).

    Args:
      initial_value: a Tensor, array, Python value, or a callable returning one.
      trainable: whether tapes watch it automatically and optimizers train it.
      name: its name; shown as ``'<name>:0'``, prefixed by the enclosing ``tf.name_scope``.
      dtype: converts ``initial_value`` to this dtype if given.
      shape: the shape future assignments must match (``None`` dims relax it).
    """

    __slots__ = ()


class _UnreadVariable(Variable):
    """What ``assign*`` returns: a view of the variable, shown as TensorFlow shows it."""

    __slots__ = ("_parent",)

    def __init__(self, parent):
        object.__setattr__(self, "_parent", parent)

    _tensor = property(lambda self: self._parent._tensor,
                       lambda self, v: setattr(self._parent, "_tensor", v))
    _trainable = property(lambda self: self._parent._trainable)
    _name = property(lambda self: self._parent._name)
    _shape = property(lambda self: self._parent._shape)
    _constraint = property(lambda self: self._parent._constraint)
    _unread = property(lambda self: self)

    def __tf_tensor__(self, dtype=None, name=None):
        return self._parent.__tf_tensor__(dtype, name)

    def __repr__(self):
        return "<tf.Variable 'UnreadVariable' shape=%s dtype=%s, numpy=%s>" % (
            self.shape, self.dtype.name, _numpy_text(self._tensor._value, True))


class _VariableSlice(Tensor):
    """A Tensor read from ``variable[key]`` that can be assigned back (``v[0, 0].assign(9)``)."""

    __slots__ = ("_var", "_key")

    @classmethod
    def _from(cls, t, var, key):
        s = cls(t._value)
        s._var = var
        s._key = key
        if _prim._tapes:
            _prim.record(_prim.ENGINE.identity_op, (t,), (s,), _prim._NO_ATTRS)
        return s

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Writes ``value`` into the variable at this slice; returns the variable."""
        key = self._key
        if isinstance(key, Tensor):
            key = key._value
        elif isinstance(key, tuple):
            key = tuple(k._value if isinstance(k, Tensor) else k for k in key)
        r = self._var._assign_slice(key, value)
        return r if read_value else None


def _cast_tensor(t, dtype):
    dtype = dtypes.as_dtype(dtype)
    if t.dtype is dtype:
        return t
    return Tensor(np.asarray(t._value).astype(dtype._np))
