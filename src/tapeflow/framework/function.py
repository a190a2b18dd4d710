"""``tf.function``: accepted for compatibility; the function runs eagerly.

tapeflow has no graph compiler: a ``tf.function`` is the Python function
itself, called eagerly on every call, so its results are exactly the eager
results (and Python side effects such as ``print`` run on every call, not only
while tracing). ``input_signature`` is checked against the arguments, as
TensorFlow does.
"""
import functools

from tapeflow.framework import nest
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape

_RUN_EAGERLY = [False]


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """Wraps ``func`` as a ``tf.function`` (run eagerly; nothing is compiled).

    Usable as ``@tf.function``, ``@tf.function(...)`` or ``tf.function(f)``,
    also on methods.

    Args:
      func: the Python function.
      input_signature: optional nest of ``tf.TensorSpec``; calls with tensors of
        another dtype or an incompatible shape raise.

    Returns:
      A ``Function`` (or, without ``func``, a decorator that makes one).
    """
    def decorate(f):
        return Function(f, input_signature=input_signature, autograph=autograph,
                        jit_compile=jit_compile, reduce_retracing=reduce_retracing)
    if func is None:
        return decorate
    return decorate(func)


class Function:
    """A function decorated with ``tf.function``: calls the Python function eagerly."""

    def __init__(self, python_function, input_signature=None, autograph=True,
                 jit_compile=None, reduce_retracing=False, name=None):
        self._python_function = python_function
        self._input_signature = input_signature
        self._autograph = autograph
        self._jit_compile = jit_compile
        self._reduce_retracing = reduce_retracing
        self._name = name or getattr(python_function, "__name__", "function")
        functools.update_wrapper(self, python_function)

    @property
    def python_function(self):
        """Returns the wrapped Python function."""
        return self._python_function

    @property
    def input_signature(self):
        """Returns the input signature given to ``tf.function``, or None."""
        return self._input_signature

    @property
    def function_spec(self):
        """Returns the input signature (tapeflow keeps no other spec)."""
        return self._input_signature

    def __call__(self, *args, **kwargs):
        if self._input_signature is not None:
            _check_signature(self._name, self._input_signature, args)
        return self._python_function(*args, **kwargs)

    def __get__(self, instance, owner):
        if instance is None:
            return self
        # A bound method; the signature then describes the arguments after ``self``.
        return Function(functools.partial(self._python_function, instance),
                        self._input_signature, self._autograph, self._jit_compile,
                        self._reduce_retracing, self._name)

    def get_concrete_function(self, *args, **kwargs):
        """Returns a ``ConcreteFunction`` that calls the Python function eagerly."""
        return ConcreteFunction(self, args, kwargs)

    def experimental_get_tracing_count(self):
        """Returns 0: nothing is ever traced."""
        return 0

    def __repr__(self):
        return f"<tapeflow Function {self._name} (runs eagerly)>"


class ConcreteFunction:
    """What ``get_concrete_function`` returns: calls the Python function eagerly."""

    def __init__(self, function, args, kwargs):
        self._function = function
        self.structured_input_signature = (args, kwargs)

    def __call__(self, *args, **kwargs):
        return self._function(*args, **kwargs)


def _check_signature(name, signature, args):
    """Raises like TensorFlow when ``args`` do not match ``input_signature``."""
    specs = list(signature)
    if len(args) > len(specs):
        raise TypeError(f"{name}() takes {len(specs)} positional arguments but "
                        f"{len(args)} were given (input_signature has {len(specs)} entries)")
    for arg, spec in zip(args, specs):
        for a, s in zip(nest.flatten(arg), nest.flatten(spec)):
            dtype = getattr(s, "dtype", None)
            shape = getattr(s, "shape", None)
            if dtype is None:
                continue
            try:
                t = a if isinstance(a, Tensor) else convert_to_tensor(a, dtype=dtype)
            except (TypeError, ValueError):
                raise TypeError(f"{name}: could not convert {a!r} to the input signature's "
                                f"dtype {dtype.name}") from None
            if t.dtype is not dtype:
                raise TypeError(f"{name}: Tensor of dtype {t.dtype.name} does not match the "
                                f"input signature's dtype {dtype.name}")
            if shape is not None and not TensorShape(shape).is_compatible_with(t.shape):
                raise ValueError(f"{name}: Tensor of shape {t.shape} is not compatible with "
                                 f"the input signature's shape {TensorShape(shape)}")
