"""``tf.TensorArray``: a list of same-dtype tensors, written and read by index.

Eagerly (and inside a traced function's unrolled loops) it is a Python list of Tensors;
``write`` stores in place and returns the array, as TensorFlow's eager TensorArray does.
Reading an element never written gives zeros of the element shape.
"""
from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError, OutOfRangeError
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.ops import array_ops


def _index(i):
    return int(i._value if isinstance(i, Tensor) else i)


class TensorArray:
    """A dynamically sized array of Tensors of one dtype."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        self._dtype = dtypes.as_dtype(dtype)
        self._elems = [None] * (_index(size) if size is not None else 0)
        self._dynamic = bool(dynamic_size)
        self._element_shape = TensorShape(element_shape) if element_shape is not None \
            else None

    @property
    def dtype(self):
        """Returns the elements' dtype."""
        return self._dtype

    @property
    def dynamic_size(self):
        """Returns whether writes past the end grow the array."""
        return self._dynamic

    @property
    def element_shape(self):
        """Returns the elements' shape (unknown until the first write)."""
        return self._element_shape if self._element_shape is not None else TensorShape(None)

    def size(self, name=None):
        """Returns the number of elements as an int32 scalar."""
        return convert_to_tensor(len(self._elems), dtypes.int32)

    def _check(self, value):
        t = value if isinstance(value, Tensor) else convert_to_tensor(value)
        if t.dtype is not self._dtype and not isinstance(value, Tensor) and not (
                t.dtype.is_floating and not self._dtype.is_floating):
            t = convert_to_tensor(value, self._dtype)   # 1 -> 1.0, as TensorFlow converts
        if t.dtype is not self._dtype:
            raise InvalidArgumentError(None, "TensorListSetItem", (
                f"TensorArray dtype is {self._dtype.name} but Op is trying to write dtype "
                f"{t.dtype.name} "))
        if self._element_shape is None:
            self._element_shape = t.shape
        elif not self._element_shape.is_compatible_with(t.shape):
            raise InvalidArgumentError(None, "TensorListSetItem", (
                f"Could not write to TensorArray index because the value shape is {t.shape} "
                f"which is incompatible with the TensorArray's inferred element shape: "
                f"{self._element_shape} (consider setting infer_shape=False)."))
        return t

    def write(self, index, value, name=None):
        """Stores ``value`` at ``index``; returns this TensorArray.

        Raises:
          OutOfRangeError: writing past the end of a fixed-size array.
          InvalidArgumentError: on a dtype or element-shape mismatch.
        """
        i = _index(index)
        t = self._check(value)
        if i < 0 or i >= len(self._elems):
            if not self._dynamic or i < 0:
                raise OutOfRangeError(None, "TensorListSetItem", (
                    f"Tried to write to index {i} but array is not resizeable and size is: "
                    f"{len(self._elems)} "))
            self._elems.extend([None] * (i + 1 - len(self._elems)))
        self._elems[i] = t
        return self

    def _zeros(self):
        shape = self._element_shape
        return array_ops.zeros(shape.as_list() if shape is not None and shape.rank is not None
                               else [], self._dtype)

    def read(self, index, name=None):
        """Returns the element at ``index`` (zeros if never written).

        Raises:
          OutOfRangeError: if ``index`` is out of range.
        """
        i = _index(index)
        if not 0 <= i < len(self._elems):
            raise OutOfRangeError(None, "TensorListGetItem", (
                f"Trying to access element {i} in a list with {len(self._elems)} elements."))
        t = self._elems[i]
        return t if t is not None else self._zeros()

    def stack(self, name=None):
        """Returns all elements stacked on a new axis 0."""
        if not self._elems:
            shape = self._element_shape.as_list() if self._element_shape is not None and \
                self._element_shape.rank is not None else []
            return array_ops.zeros([0] + shape, self._dtype)
        return array_ops.stack([self.read(i) for i in range(len(self._elems))])

    def gather(self, indices, name=None):
        """Returns the elements at ``indices``, stacked."""
        idx = indices._value.tolist() if isinstance(indices, Tensor) else list(indices)
        if not idx:
            return array_ops.zeros([0] + (self._element_shape.as_list() if
                                          self._element_shape is not None else []), self._dtype)
        return array_ops.stack([self.read(i) for i in idx])

    def concat(self, name=None):
        """Returns the elements concatenated along axis 0."""
        return array_ops.concat([self.read(i) for i in range(len(self._elems))], 0)

    def unstack(self, value, name=None):
        """Writes the slices of ``value`` along axis 0; returns this TensorArray."""
        value = convert_to_tensor(value, self._dtype)
        for i, t in enumerate(array_ops.unstack(value)):
            if i >= len(self._elems) and not self._dynamic and len(self._elems):
                raise OutOfRangeError(None, "TensorListFromTensor", (
                    f"Tried to write to index {i} but array is not resizeable and size is: "
                    f"{len(self._elems)} "))
            if i >= len(self._elems):
                self._elems.append(None)
            self.write(i, t)
        return self

    def scatter(self, indices, value, name=None):
        """Writes the slices of ``value`` at ``indices``; returns this TensorArray."""
        idx = indices._value.tolist() if isinstance(indices, Tensor) else list(indices)
        for i, t in zip(idx, array_ops.unstack(convert_to_tensor(value, self._dtype))):
            self.write(i, t)
        return self

    def split(self, value, lengths, name=None):
        """Writes consecutive pieces of ``value`` (axis 0) of the given lengths."""
        value = convert_to_tensor(value, self._dtype)
        start = 0
        lens = lengths._value.tolist() if isinstance(lengths, Tensor) else list(lengths)
        for i, n in enumerate(lens):
            if i >= len(self._elems):
                self._elems.append(None)
            self.write(i, value[start:start + int(n)])
            start += int(n)
        return self

    def identity(self):
        """Returns this TensorArray."""
        return self

    def close(self, name=None):
        """Does nothing (eager arrays need no closing)."""
        return None

    def mark_used(self):
        """Does nothing (TensorFlow's unused-array warning does not exist here)."""
