"""``tf.TensorSpec``: the shape and dtype a tensor is expected to have."""
from tapeflow.framework import dtypes
from tapeflow.framework.tensor_shape import TensorShape, as_shape


class TensorSpec:
    """Describes a tensor: a (possibly partial) shape, a dtype and an optional name.

    >>> TensorSpec(shape=(None, 3))
    TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)
    """

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    @property
    def shape(self):
        """Returns the ``TensorShape`` of the spec."""
        return self._shape

    @property
    def dtype(self):
        """Returns the ``DType`` of the spec."""
        return self._dtype

    @property
    def name(self):
        """Returns the name of the spec, or None."""
        return self._name

    @property
    def value_type(self):
        """Returns ``tf.Tensor``, the type this spec describes."""
        from tapeflow.framework.tensor import Tensor
        return Tensor

    @classmethod
    def from_tensor(cls, tensor, name=None):
        """Returns a ``TensorSpec`` with the shape and dtype of ``tensor``."""
        return cls(tensor.shape, tensor.dtype, name)

    @classmethod
    def from_spec(cls, spec, name=None):
        """Returns a ``TensorSpec`` with the shape and dtype of ``spec``."""
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    def is_compatible_with(self, spec_or_tensor):
        """Returns True if ``spec_or_tensor`` (a spec or a tensor) fits this spec.

        The dtypes must be equal and the shapes compatible (None matches any size).
        """
        other_dtype = getattr(spec_or_tensor, "dtype", None)
        other_shape = getattr(spec_or_tensor, "shape", None)
        if other_dtype is None or other_shape is None:
            from tapeflow.framework.tensor import convert_to_tensor
            try:
                t = convert_to_tensor(spec_or_tensor)
            except (TypeError, ValueError):
                return False
            other_dtype, other_shape = t.dtype, t.shape
        try:
            other_dtype = dtypes.as_dtype(other_dtype)
        except TypeError:
            return False
        return other_dtype is self._dtype and self._shape.is_compatible_with(
            TensorShape(tuple(other_shape)) if not isinstance(other_shape, TensorShape)
            else other_shape)

    def most_specific_common_supertype(self, others):
        """Returns the most specific spec compatible with this one and ``others``, or None."""
        dims = self._shape.dims
        for o in others:
            if not isinstance(o, TensorSpec) or o.dtype is not self._dtype:
                return None
            od = o.shape.dims
            if dims is None or od is None or len(dims) != len(od):
                dims = None
            else:
                dims = [a if a == b else None for a, b in zip(dims, od)]
        return TensorSpec(dims, self._dtype)

    def __eq__(self, other):
        return (type(other) is type(self) and self._shape == other._shape
                and self._dtype is other._dtype and self._name == other._name)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self):
        return "TensorSpec(shape=%s, dtype=%r, name=%r)" % (self._shape, self._dtype, self._name)

    def __reduce__(self):
        return TensorSpec, (self._shape.dims, self._dtype, self._name)
