"""``tf.SparseTensor`` and ``tf.SparseTensorSpec``.

A SparseTensor is three Tensors: ``indices`` (int64, ``[N, rank]``), ``values``
(``[N]``) and ``dense_shape`` (int64, ``[rank]``). The ops on it live in
``tapeflow.sparse`` (``tf.sparse``).
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape, as_shape


class SparseTensor:
    """A sparse tensor: ``values[i]`` sits at ``indices[i]`` of a tensor of ``dense_shape``.

    Args:
      indices: int64 ``[N, rank]`` coordinates, in row-major order for most ops.
      values: ``[N]`` values of any dtype.
      dense_shape: int64 ``[rank]`` shape of the dense tensor represented.

    Raises:
      ValueError: if the three shapes do not agree.
    """

    __slots__ = ("_indices", "_values", "_dense_shape", "__weakref__")

    def __init__(self, indices, values, dense_shape):
        self._indices = convert_to_tensor(indices, dtype=dtypes.int64)
        self._values = values if isinstance(values, Tensor) else convert_to_tensor(values)
        self._dense_shape = convert_to_tensor(dense_shape, dtype=dtypes.int64)
        ishape, vshape, dshape = (self._indices.shape, self._values.shape,
                                  self._dense_shape.shape)
        if ishape.rank != 2:
            raise ValueError(f"Shape {ishape} must have rank 2")
        if vshape.rank != 1:
            raise ValueError(f"Shape {vshape} must have rank 1")
        if dshape.rank != 1:
            raise ValueError(f"Shape {dshape} must have rank 1")
        if ishape[0] != vshape[0]:
            raise ValueError(f"Dimensions {ishape[0]} and {vshape[0]} are not compatible")
        if ishape[1] != dshape[0]:
            raise ValueError(f"Dimensions {ishape[1]} and {dshape[0]} are not compatible")

    @classmethod
    def from_value(cls, sparse_tensor_value):
        """Returns ``sparse_tensor_value`` if it is a SparseTensor, else one built from its parts."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        v = sparse_tensor_value
        return cls(v.indices, v.values, v.dense_shape)

    @property
    def indices(self):
        """Returns the int64 ``[N, rank]`` indices Tensor."""
        return self._indices

    @property
    def values(self):
        """Returns the ``[N]`` values Tensor."""
        return self._values

    @property
    def dense_shape(self):
        """Returns the int64 ``[rank]`` dense-shape Tensor."""
        return self._dense_shape

    @property
    def dtype(self):
        """Returns the DType of the values."""
        return self._values.dtype

    @property
    def shape(self):
        """Returns the TensorShape of the dense tensor represented."""
        return TensorShape([int(d) for d in np.asarray(np.asarray(self._dense_shape))])

    def get_shape(self):
        """Returns ``shape``."""
        return self.shape

    @property
    def ndim(self):
        """Returns the rank."""
        return int(self._dense_shape.shape[0])

    def with_values(self, new_values):
        """Returns a SparseTensor with the same indices and shape and ``new_values``."""
        return SparseTensor(self._indices, new_values, self._dense_shape)

    def consumers(self):
        """Returns [] (no graph consumers in eager mode)."""
        return []

    def eval(self, feed_dict=None, session=None):  # pragma: no cover - graph-mode API
        raise NotImplementedError("SparseTensor.eval needs a TF1 session.")

    def __repr__(self):
        return (f"SparseTensor(indices={self._indices!s}, values={self._values!s}, "
                f"dense_shape={self._dense_shape!s})")

    __str__ = __repr__

    def __mul__(self, other):
        from tapeflow import sparse
        return sparse._mul_dense(self, other)

    def __truediv__(self, other):
        from tapeflow import sparse
        return sparse._div_dense(self, other)

    def __neg__(self):
        return self.with_values(-self._values)

    def __abs__(self):
        return self.with_values(abs(self._values))

    def __add__(self, other):
        raise TypeError(f"unsupported operand type(s) for +: 'SparseTensor' and "
                        f"'{type(other).__name__}'")

    __hash__ = object.__hash__


class SparseTensorSpec:
    """Describes a SparseTensor: the dense shape and the dtype (``tf.SparseTensorSpec``)."""

    __slots__ = ("_shape", "_dtype")

    def __init__(self, shape=None, dtype=dtypes.float32):
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)

    @property
    def shape(self):
        """Returns the TensorShape."""
        return self._shape

    @property
    def dtype(self):
        """Returns the DType."""
        return self._dtype

    @property
    def value_type(self):
        """Returns ``SparseTensor``, the type this spec describes."""
        return SparseTensor

    @classmethod
    def from_value(cls, value):
        """Returns the spec of SparseTensor ``value``."""
        return cls(value.shape, value.dtype)

    def is_compatible_with(self, other):
        """Returns True if ``other`` (a spec or a SparseTensor) has this dtype and a compatible shape."""
        return (isinstance(other, (SparseTensor, SparseTensorSpec)) and other.dtype == self._dtype
                and self._shape.is_compatible_with(other.shape))

    def __eq__(self, other):
        return (type(other) is SparseTensorSpec and self._dtype == other._dtype
                and self._shape.as_list() == other._shape.as_list()
                if self._shape.rank is not None and other._shape.rank is not None
                else type(other) is SparseTensorSpec and self._shape.rank == other._shape.rank)

    def __hash__(self):
        return hash((self._dtype, str(self._shape)))

    def __repr__(self):
        return f"SparseTensorSpec({self._shape!r}, {self._dtype!r})"
