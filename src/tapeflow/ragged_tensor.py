"""``tf.RaggedTensor``: rows of different lengths, as ``tf.strings.split`` returns them.

Stored as flat ``values`` (a Tensor, or a RaggedTensor for nested raggedness) and
int64 ``row_splits``. Printing follows TensorFlow: ``numpy()`` laid out by NumPy.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape


# -- RaggedTensor -----------------------------------------------------------------

class RaggedTensor:
    """A tensor whose last dimensions have rows of different lengths (``tf.RaggedTensor``).

    Stored as ``values`` (a Tensor, or a RaggedTensor for nested raggedness)
    and ``row_splits`` (int64): row ``i`` is ``values[row_splits[i]:row_splits[i + 1]]``.
    """

    __slots__ = ("_values", "_row_splits", "_uniform")

    def __init__(self, values, row_splits, uniform_row_length=None):
        self._values = values
        self._row_splits = np.asarray(row_splits, dtype=np.int64)
        self._uniform = uniform_row_length  # rows of one known length (a dense dimension)

    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Returns the RaggedTensor with rows ``values[row_splits[i]:row_splits[i+1]]``.

        Raises:
          InvalidArgumentError: if the splits do not start at 0, decrease, or
            do not end at ``len(values)``.
        """
        if not isinstance(values, RaggedTensor):
            values = convert_to_tensor(values)
        splits = np.asarray(row_splits, dtype=np.int64)
        if validate and (splits.ndim != 1 or splits.size == 0 or splits[0] != 0
                         or np.any(np.diff(splits) < 0) or splits[-1] != len(values)):
            raise InvalidArgumentError(None, None, "Arguments to from_row_splits do not form "
                                       "a valid RaggedTensor")
        return cls(values, splits)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        """Returns the RaggedTensor whose row ``i`` has ``row_lengths[i]`` values."""
        lengths = np.asarray(row_lengths, dtype=np.int64)
        splits = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return cls.from_row_splits(values, splits, validate=validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """Returns the RaggedTensor whose value ``j`` is in row ``value_rowids[j]``."""
        ids = np.asarray(value_rowids, dtype=np.int64)
        n = int(nrows) if nrows is not None else (int(ids.max()) + 1 if ids.size else 0)
        return cls.from_row_lengths(values, np.bincount(ids, minlength=n), validate=validate)

    @property
    def values(self):
        """Returns the concatenated rows (a Tensor or RaggedTensor)."""
        return self._values

    @property
    def flat_values(self):
        """Returns the innermost values as a Tensor."""
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def row_splits(self):
        """Returns the row splits as an int64 Tensor."""
        return Tensor(self._row_splits.copy())

    def row_lengths(self, axis=1, name=None):
        """Returns the length of each row as an int64 Tensor."""
        return Tensor(np.diff(self._row_splits))

    def nrows(self, out_type=dtypes.int64, name=None):
        """Returns the number of rows as a scalar Tensor."""
        return Tensor(np.asarray(len(self._row_splits) - 1, dtype=dtypes.as_dtype(out_type)._np))

    @property
    def ragged_rank(self):
        """Returns the number of ragged dimensions."""
        v = self._values
        return 1 + (v.ragged_rank if isinstance(v, RaggedTensor) else 0)

    @property
    def dtype(self):
        """Returns the DType of the values."""
        return self.flat_values.dtype

    @property
    def shape(self):
        """Returns the TensorShape; ragged dimensions are None."""
        inner = self._values.shape
        return TensorShape((len(self._row_splits) - 1, self._uniform) +
                           tuple(inner.as_list()[1:]))

    @property
    def ndim(self):
        """Returns the rank."""
        return len(self.shape)

    def __len__(self):
        return len(self._row_splits) - 1

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            n = len(self)
            if key < 0:
                key += n
            if not 0 <= key < n:
                raise InvalidArgumentError(None, None, f"slice index {key} of dimension 0 out "
                                           f"of bounds.")
            a, b = self._row_splits[key], self._row_splits[key + 1]
            return _take_rows(self._values, a, b)
        if isinstance(key, slice):
            idx = range(len(self))[key]
            rows = [self[i] for i in idx]
            return _ragged_from_rows(rows, self.dtype)
        raise TypeError(f"RaggedTensor indices must be integers or slices, not "
                        f"{type(key).__name__}")

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def to_list(self):
        """Returns the value as nested Python lists (strings as bytes)."""
        v = self._values
        inner = v.to_list() if isinstance(v, RaggedTensor) else np.asarray(v._value).tolist()
        s = self._row_splits
        return [inner[s[i]:s[i + 1]] for i in range(len(s) - 1)]

    def numpy(self):
        """Returns the rows as a NumPy array.

        Rows of one shape stack into a regular array; otherwise a 1-d object array
        holds one array per row (as TensorFlow's ``RaggedTensor.numpy``).
        """
        rows = [self[i].numpy() for i in range(len(self))]
        if not rows:
            inner = self.flat_values._value
            return np.zeros((0, 0) + inner.shape[1:], dtype=inner.dtype)
        if all(r.shape == rows[0].shape for r in rows):
            return np.stack(rows)
        return _object_rows(rows)

    def to_tensor(self, default_value=None, name=None, shape=None):
        """Returns a dense Tensor, padding short rows with ``default_value``.

        Rows are padded (or cut, when ``shape`` is given) to the longest row.
        """
        flat = self.flat_values._value
        if default_value is None:
            default_value = b"" if flat.dtype == object else 0
        elif isinstance(default_value, str):
            default_value = default_value.encode("utf-8")
        rows = self.to_list()
        lengths = _nested_max_lengths(rows, self.ragged_rank)
        if shape is not None:
            shape = list(TensorShape(shape).as_list())
            for i, s in enumerate(shape):
                if s is not None and i > 0 and i <= len(lengths):
                    lengths[i - 1] = s
        inner = tuple(flat.shape[1:])
        out_shape = (len(rows),) + tuple(lengths) + inner
        if shape is not None and shape[0] is not None:
            out_shape = (shape[0],) + out_shape[1:]
        out = np.empty(out_shape, dtype=flat.dtype)
        out[...] = default_value
        _fill(out, rows, self.ragged_rank)
        return Tensor(out)

    def with_flat_values(self, new_values):
        """Returns a RaggedTensor with the same row structure and ``new_values``."""
        v = self._values
        if isinstance(v, RaggedTensor):
            return RaggedTensor(v.with_flat_values(new_values), self._row_splits, self._uniform)
        return RaggedTensor(convert_to_tensor(new_values), self._row_splits, self._uniform)

    def __repr__(self):
        # TensorFlow prints ``numpy()`` with NumPy's line wrapping, each element by str().
        with np.printoptions(formatter={"all": _element_text}):
            return f"<tf.RaggedTensor {_element_text(self.numpy())}>"

    __str__ = __repr__


def _object_rows(rows):
    """Returns the list ``rows`` as a 1-d object array (no broadcasting of equal rows)."""
    out = np.empty(len(rows), dtype=object)
    for i, r in enumerate(rows):
        out[i] = r
    return out


def _element_text(x):
    if isinstance(x, np.ndarray):
        return np.array2string(x, separator=", ") if x.size else repr(x.tolist())
    return str(x)


def _take_rows(values, a, b):
    if isinstance(values, RaggedTensor):
        s = values._row_splits[a:b + 1]
        return RaggedTensor(values._values, s) if a == 0 else RaggedTensor(
            _take_rows(values._values, s[0], s[-1]), s - s[0])
    return Tensor(values._value[a:b])


def _ragged_from_rows(rows, dtype):
    arrays = [np.asarray(r._value if isinstance(r, Tensor) else r) for r in rows]
    lengths = [len(a) for a in arrays]
    np_dtype = dtype._np if dtype is not None else None
    flat = np.concatenate(arrays) if arrays else np.empty((0,), dtype=np_dtype)
    if np_dtype is not None:
        flat = flat.astype(np_dtype)
    return RaggedTensor.from_row_lengths(Tensor(flat), lengths)


def _nested_max_lengths(rows, depth):
    lengths = [max((len(r) for r in rows), default=0)]
    if depth > 1:
        inner = [x for r in rows for x in r]
        lengths += _nested_max_lengths(inner, depth - 1)
    return lengths


def _fill(out, rows, depth):
    for i, r in enumerate(rows[:out.shape[0]]):
        if depth > 1:
            _fill(out[i], r, depth - 1)
        else:
            n = min(len(r), out.shape[1])
            if n:
                out[i, :n] = np.asarray(r[:n], dtype=out.dtype)
