"""``tf.types.experimental``: abstract types for ``isinstance`` checks and annotations.

tapeflow's own classes are registered with them, so these checks answer as TensorFlow 2.21's:

    isinstance(tf.function(f), tf.types.experimental.PolymorphicFunction)   # True
    isinstance(fn.get_concrete_function(spec), tf.types.experimental.ConcreteFunction)
    isinstance(tf.TensorSpec([]), tf.types.experimental.TraceType)          # True
    isinstance(x, tf.types.experimental.TensorLike)   # Tensor, Variable, numbers, lists...

``GenericFunction`` is ``PolymorphicFunction`` (its old name), as in TensorFlow.
"""
import abc as _abc
import inspect as _inspect
import typing as _typing

import numpy as _np

from tapeflow.types.experimental import distributed  # noqa: F401


class Callable(_abc.ABC):   # noqa: D101 - documented below
    """Base of the callable TensorFlow functions (polymorphic, concrete, atomic)."""

    @property
    def function_type(self):
        """The function's signature as a ``FunctionType``."""
        raise NotImplementedError


class AtomicFunction(Callable):
    """A function that runs one graph, with no further tracing."""


class ConcreteFunction(Callable):
    """A function traced for one input signature (``get_concrete_function``)."""


class PolymorphicFunction(Callable):
    """A function that traces a new ConcreteFunction per input signature (``tf.function``)."""

    def get_concrete_function(self, *args, **kwargs):
        """Returns the ConcreteFunction for the given arguments or specs."""
        raise NotImplementedError


GenericFunction = PolymorphicFunction


class FunctionType(_inspect.Signature):
    """A function's signature whose parameters carry trace types (an ``_inspect.Signature``)."""


class TraceType(_abc.ABC):
    """The type of a value for tracing: specs like ``tf.TensorSpec`` and ``tf.TensorShape``."""

    @_abc.abstractmethod
    def is_subtype_of(self, other):
        """Returns whether this type is a subtype of ``other``."""

    @_abc.abstractmethod
    def most_specific_common_supertype(self, others):
        """Returns the most specific supertype of this type and ``others`` (or None)."""

    @_abc.abstractmethod
    def placeholder_value(self, placeholder_context):
        """Returns a value standing for this type while tracing."""

    @_abc.abstractmethod
    def __eq__(self, other):
        ...

    @_abc.abstractmethod
    def __hash__(self):
        ...


class SupportsTracingProtocol(_abc.ABC):
    """A value that can describe its own ``TraceType`` (tensors, variables, composites,
    specs and functions), or any object with a ``__tf_tracing_type__`` method."""

    @classmethod
    def __subclasshook__(cls, other):
        if cls is SupportsTracingProtocol and any(
                "__tf_tracing_type__" in vars(k) for k in other.__mro__):
            return True
        return NotImplemented


class _Tensor(_abc.ABC):
    """tapeflow's dense tensor-like classes (``tf.Tensor`` and ``tf.Variable``)."""


class _TensorProtocol(_abc.ABC):
    """Any object with a ``__tf_tensor__`` method converts to a tensor."""

    @classmethod
    def __subclasshook__(cls, other):
        if cls is _TensorProtocol and any("__tf_tensor__" in vars(k) for k in other.__mro__):
            return True
        return NotImplemented


TensorLike = _typing.Union[_Tensor, _TensorProtocol, int, float, bool, str, bytes, complex,
                          tuple, list, _np.ndarray, _np.generic]


def _register():
    from tapeflow.framework.graph.concrete_function import ConcreteFunction as _Concrete
    from tapeflow.framework.graph.polymorphic import Function as _Polymorphic
    from tapeflow.framework.tensor import Tensor
    from tapeflow.framework.tensor_shape import TensorShape
    from tapeflow.framework.tensor_spec import TensorSpec
    from tapeflow.framework.variable import Variable
    from tapeflow.ragged_tensor import RaggedTensor, RaggedTensorSpec
    from tapeflow.sparse_tensor import SparseTensor, SparseTensorSpec
    PolymorphicFunction.register(_Polymorphic)
    ConcreteFunction.register(_Concrete)
    for cls in (Tensor, Variable):
        _Tensor.register(cls)
    for cls in (TensorSpec, RaggedTensorSpec, SparseTensorSpec, TensorShape):
        TraceType.register(cls)
    for cls in (Tensor, Variable, RaggedTensor, SparseTensor, TensorSpec, RaggedTensorSpec,
                SparseTensorSpec, _Polymorphic):
        SupportsTracingProtocol.register(cls)


_register()
