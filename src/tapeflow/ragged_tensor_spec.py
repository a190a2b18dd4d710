"""``tf.RaggedTensorSpec``: the type of a RaggedTensor (shape, dtype, ragged rank)."""
from tapeflow.framework import dtypes
from tapeflow.framework.tensor_shape import TensorShape


class RaggedTensorSpec:
    """Describes a RaggedTensor: shape (None for ragged dimensions), dtype, ragged rank."""

    __slots__ = ("_shape", "_dtype", "_ragged_rank", "_row_splits_dtype")

    def __init__(self, shape=None, dtype=dtypes.float32, ragged_rank=None,
                 row_splits_dtype=dtypes.int64, flat_values_spec=None):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        rank = self._shape.rank
        if ragged_rank is None:
            if rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = rank - 1
        if rank is not None and not 0 <= ragged_rank < max(rank, 1):
            raise ValueError(f"ragged_rank must be non-negative and less than the rank: "
                             f"ragged_rank={ragged_rank}, rank={rank}")
        self._ragged_rank = int(ragged_rank)
        self._row_splits_dtype = dtypes.as_dtype(row_splits_dtype)

    @property
    def shape(self):
        """Returns the TensorShape."""
        return self._shape

    @property
    def dtype(self):
        """Returns the dtype of the values."""
        return self._dtype

    @property
    def ragged_rank(self):
        """Returns the number of ragged dimensions."""
        return self._ragged_rank

    @property
    def row_splits_dtype(self):
        """Returns the dtype of the row splits."""
        return self._row_splits_dtype

    @property
    def value_type(self):
        """Returns ``RaggedTensor``, the type this spec describes."""
        from tapeflow.ragged_tensor import RaggedTensor
        return RaggedTensor

    @classmethod
    def from_value(cls, value):
        """Returns the spec of RaggedTensor ``value``."""
        return cls(value.shape, value.dtype, value.ragged_rank)

    def is_compatible_with(self, other):
        """Returns True if ``other`` (spec or RaggedTensor) has this dtype, ragged rank and a
        compatible shape."""
        from tapeflow.ragged_tensor import RaggedTensor
        if isinstance(other, RaggedTensor):
            other = RaggedTensorSpec.from_value(other)
        return (isinstance(other, RaggedTensorSpec) and other._dtype == self._dtype
                and other._ragged_rank == self._ragged_rank
                and self._shape.is_compatible_with(other._shape))

    def __eq__(self, other):
        return (isinstance(other, RaggedTensorSpec) and other._dtype == self._dtype
                and other._ragged_rank == self._ragged_rank
                and repr(other._shape) == repr(self._shape))

    def __hash__(self):
        return hash((self._dtype, self._ragged_rank, repr(self._shape)))

    def __repr__(self):
        return (f"RaggedTensorSpec({self._shape!r}, {self._dtype!r}, {self._ragged_rank}, "
                f"{self._row_splits_dtype!r})")
