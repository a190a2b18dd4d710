"""``tf.IndexedSlices``: a sparse gradient (rows ``indices`` of a dense tensor)."""
from tapeflow.framework.tensor import Tensor


class IndexedSlices:
    """A sparse representation of a tensor: ``values`` at row ``indices``.

    The gradient of ``tf.gather`` is one. ``tf.convert_to_tensor`` densifies it,
    and optimizers accept it directly.
    """

    def __init__(self, values, indices, dense_shape=None):
        self.values = values
        self.indices = indices
        self.dense_shape = dense_shape

    @property
    def dtype(self):
        """Returns the dtype of the values."""
        return self.values.dtype

    @property
    def shape(self):
        """Returns the dense shape as a TensorShape."""
        from tapeflow.framework.tensor_shape import TensorShape
        return TensorShape([int(d) for d in self.dense_shape._value])

    def dense(self):
        """Returns the dense Tensor (rows summed where indices repeat)."""
        from tapeflow.framework.primitive import ENGINE as array_ops
        return array_ops.unsorted_segment_sum(self.values, self.indices,
                                              self.dense_shape[0])

    def _concat(self, other):
        from tapeflow.framework.primitive import ENGINE as array_ops
        return IndexedSlices(array_ops.concat([self.values, other.values], 0),
                             array_ops.concat([self.indices, other.indices], 0),
                             self.dense_shape)

    def __tf_tensor__(self, dtype=None, name=None):
        t = self.dense()
        if dtype is not None:
            from tapeflow.framework.tensor import convert_to_tensor
            return convert_to_tensor(t, dtype)
        return t

    def numpy(self):
        """Returns the dense value as a NumPy array."""
        return self.dense().numpy()

    def __repr__(self):
        return (f"IndexedSlices(indices={self.indices!r}, values={self.values!r}, "
                f"dense_shape={self.dense_shape!r})")


_ = Tensor
