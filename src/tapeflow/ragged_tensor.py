"""``tf.RaggedTensor`` and ``tf.RaggedTensorSpec``: rows of different lengths.

Stored as ``values`` (a Tensor, or a RaggedTensor for nested raggedness) and
int64 ``row_splits``. Printing follows TensorFlow: ``numpy()`` laid out by NumPy.
Operations over ragged tensors (``tf.ragged``, and ``tf.add``/``tf.reduce_sum``/
``tf.concat`` ... given a RaggedTensor) live in ``tapeflow.ragged``; they reach
it through ``RaggedTensor.__tf_dispatch__``.
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
            raise InvalidArgumentError(None, None, "Arguments to _from_row_partition do not "
                                       "form a valid RaggedTensor")
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

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=dtypes.int64):
        """Returns the RaggedTensor of a rank-2 SparseTensor's rows (indices must be in
        row-major order with no gaps within a row)."""
        idx = np.asarray(np.asarray(st_input.indices))
        shape = np.asarray(np.asarray(st_input.dense_shape))
        if len(shape) != 2:
            raise ValueError(f"rank(st_input) must be 2, got {len(shape)}")
        counts = np.bincount(idx[:, 0], minlength=int(shape[0])) if len(idx) else \
            np.zeros(int(shape[0]), np.int64)
        return cls.from_row_lengths(st_input.values, counts)

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True):
        """Returns the RaggedTensor whose row ``i`` starts at ``values[row_starts[i]]``."""
        if not isinstance(values, RaggedTensor):
            values = convert_to_tensor(values)
        starts = np.asarray(row_starts, dtype=np.int64)
        return cls.from_row_splits(values, np.append(starts, _nvals(values)), validate=validate)

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True):
        """Returns the RaggedTensor whose row ``i`` ends before ``values[row_limits[i]]``."""
        limits = np.asarray(row_limits, dtype=np.int64)
        return cls.from_row_splits(values, np.concatenate([[0], limits]), validate=validate)

    @classmethod
    def from_uniform_row_length(cls, values, uniform_row_length, nrows=None, validate=True,
                                name=None):
        """Returns the RaggedTensor whose rows all have ``uniform_row_length`` values
        (a dense dimension: its shape shows the length)."""
        if not isinstance(values, RaggedTensor):
            values = convert_to_tensor(values)
        n = int(uniform_row_length)
        total = _nvals(values)
        rows = (total // n if n else int(nrows or 0)) if nrows is None else int(nrows)
        if validate and n * rows != total:
            raise InvalidArgumentError(None, None, "Arguments to from_uniform_row_length do "
                                       "not form a valid RaggedTensor")
        return cls(values, np.arange(rows + 1, dtype=np.int64) * n, n)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        """Returns the RaggedTensor with ``flat_values`` split by each of ``nested_row_splits``
        (outermost first)."""
        result = flat_values
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits, validate=validate)
        return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None, validate=True):
        """Returns the RaggedTensor with ``flat_values`` split by each of
        ``nested_row_lengths`` (outermost first)."""
        result = flat_values
        for lengths in reversed(list(nested_row_lengths)):
            result = cls.from_row_lengths(result, lengths, validate=validate)
        return result

    @classmethod
    def from_nested_value_rowids(cls, flat_values, nested_value_rowids, nested_nrows=None,
                                 name=None, validate=True):
        """Returns the RaggedTensor built by ``from_value_rowids`` once per level."""
        ids = list(nested_value_rowids)
        nrows = list(nested_nrows) if nested_nrows is not None else [None] * len(ids)
        result = flat_values
        for r, n in zip(reversed(ids), reversed(nrows)):
            result = cls.from_value_rowids(result, r, n, validate=validate)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None,
                    row_splits_dtype=dtypes.int64):
        """Returns the RaggedTensor of a dense ``tensor``'s rows, each cut to ``lengths[i]``
        or before its trailing ``padding`` values (whole rows by default)."""
        t = convert_to_tensor(tensor)
        a = np.asarray(np.asarray(t))
        if int(ragged_rank) > 1:  # outer dimensions stay uniform
            inner = cls.from_tensor(Tensor(a.reshape((-1,) + a.shape[2:])), None, padding,
                                    int(ragged_rank) - 1)
            return cls(inner, np.arange(a.shape[0] + 1, dtype=np.int64) * a.shape[1],
                       a.shape[1])
        if lengths is not None:
            lens = np.asarray(lengths, dtype=np.int64)
        elif padding is not None:
            pad = np.asarray(padding)
            is_pad = a == pad
            while is_pad.ndim > 2:
                is_pad = is_pad.all(axis=-1)
            keep = ~is_pad
            lens = np.where(keep.any(axis=1), a.shape[1] - np.argmax(keep[:, ::-1], axis=1), 0)
        else:
            lens = np.full(a.shape[0], a.shape[1] if a.ndim > 1 else 0, np.int64)
        rows = [a[i, :int(n)] for i, n in enumerate(lens)]
        flat = np.concatenate(rows) if rows else a.reshape((0,) + a.shape[2:])
        return cls.from_row_lengths(Tensor(flat.astype(a.dtype)), lens)

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

    @property
    def nested_row_splits(self):
        """Returns the row splits of every ragged level, outermost first (a tuple)."""
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt.row_splits)
            rt = rt._values
        return tuple(out)

    def nested_row_lengths(self, name=None):
        """Returns the row lengths of every ragged level, outermost first (a tuple)."""
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt.row_lengths())
            rt = rt._values
        return tuple(out)

    def value_rowids(self, name=None):
        """Returns the row index of each value as an int64 Tensor."""
        return Tensor(np.repeat(np.arange(len(self), dtype=np.int64),
                                np.diff(self._row_splits)))

    def row_starts(self, name=None):
        """Returns where each row starts in ``values`` (int64)."""
        return Tensor(self._row_splits[:-1].copy())

    def row_limits(self, name=None):
        """Returns where each row ends in ``values`` (int64)."""
        return Tensor(self._row_splits[1:].copy())

    @property
    def row_splits_dtype(self):
        """Returns the dtype of the row splits (int64)."""
        return dtypes.int64

    @property
    def uniform_row_length(self):
        """Returns the length shared by all rows as an int64 scalar, or None if ragged."""
        return None if self._uniform is None else Tensor(np.asarray(self._uniform, np.int64))

    def bounding_shape(self, axis=None, name=None, out_type=None):
        """Returns the smallest dense shape holding this tensor (int64)."""
        dims = [len(self)] + _nested_max_lengths(self.to_list(), self.ragged_rank) + \
            list(self.flat_values.shape.as_list()[1:])
        out = np.asarray(dims, np.int64)
        return Tensor(out if axis is None else out[axis])

    def with_values(self, new_values):
        """Returns a RaggedTensor with these row splits and ``new_values``."""
        if not isinstance(new_values, RaggedTensor):
            new_values = convert_to_tensor(new_values)
        return RaggedTensor(new_values, self._row_splits, self._uniform)

    def merge_dims(self, outer_axis, inner_axis):
        """Returns the tensor with dimensions ``outer_axis..inner_axis`` merged into one
        (a dense Tensor once no ragged dimension is left)."""
        from tapeflow.ragged_merge import merge_dims
        return merge_dims(self, outer_axis, inner_axis)

    def to_sparse(self, name=None):
        """Returns the SparseTensor of this tensor's values at their (row, column) indices."""
        from tapeflow.sparse_tensor import SparseTensor
        dense_shape = np.asarray(np.asarray(self.bounding_shape()))
        coords = _coords(self)
        return SparseTensor(Tensor(coords), self.flat_values, Tensor(dense_shape))

    def __tf_dispatch__(self, fn, args, kwargs):
        """Runs tapeflow function ``fn`` on arguments including RaggedTensors."""
        from tapeflow import ragged
        return ragged.dispatch(fn, args, kwargs)

    # elementwise operators
    def __add__(self, other):
        return _binop("add", self, other)

    def __radd__(self, other):
        return _binop("add", other, self)

    def __sub__(self, other):
        return _binop("subtract", self, other)

    def __rsub__(self, other):
        return _binop("subtract", other, self)

    def __mul__(self, other):
        return _binop("multiply", self, other)

    def __rmul__(self, other):
        return _binop("multiply", other, self)

    def __truediv__(self, other):
        return _binop("truediv", self, other)

    def __rtruediv__(self, other):
        return _binop("truediv", other, self)

    def __floordiv__(self, other):
        return _binop("floordiv", self, other)

    def __mod__(self, other):
        return _binop("floormod", self, other)

    def __pow__(self, other):
        return _binop("pow", self, other)

    def __neg__(self):
        return self.with_flat_values(-self.flat_values)

    def __abs__(self):
        return self.with_flat_values(abs(self.flat_values))

    def __invert__(self):
        return self.with_flat_values(~self.flat_values)

    def __and__(self, other):
        return _binop("logical_and", self, other)

    def __or__(self, other):
        return _binop("logical_or", self, other)

    def __lt__(self, other):
        return _binop("less", self, other)

    def __le__(self, other):
        return _binop("less_equal", self, other)

    def __gt__(self, other):
        return _binop("greater", self, other)

    def __ge__(self, other):
        return _binop("greater_equal", self, other)

    def __eq__(self, other):
        return _binop("equal", self, other)

    def __ne__(self, other):
        return _binop("not_equal", self, other)

    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError("RaggedTensor may not be used as a boolean.")

    def nrows(self, out_type=dtypes.int64, name=None):
        """Returns the number of rows as a scalar Tensor."""
        return Tensor(np.asarray(len(self._row_splits) - 1,
                                 dtype=dtypes.as_dtype(out_type).as_numpy_dtype))

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
        if isinstance(key, tuple):
            if not key:
                return self
            if len(key) == 1:
                return self[key[0]]
            from tapeflow import ragged
            return ragged.getitem(self, key)
        if isinstance(key, Tensor):
            key = np.asarray(key).item() if np.asarray(key).ndim == 0 else np.asarray(key).tolist()
        if isinstance(key, (int, np.integer)):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"Row key {key} out of bounds")
            if key < 0:
                key += n
            a, b = self._row_splits[key], self._row_splits[key + 1]
            return _take_rows(self._values, a, b)
        if isinstance(key, slice):
            idx = range(len(self))[key]
            if idx.step == 1:  # contiguous rows share values: slice the splits
                a, b = self._row_splits[idx.start], self._row_splits[idx.stop] \
                    if len(idx) else self._row_splits[idx.start]
                vals = _take_rows(self._values, a, b)
                return RaggedTensor(vals, self._row_splits[idx.start:idx.stop + 1] - a,
                                    self._uniform) if len(idx) else RaggedTensor(
                                        vals, np.zeros(1, np.int64), self._uniform)
            from tapeflow.ragged import gather_rows
            return gather_rows(self, np.asarray(idx, dtype=np.int64))
        raise TypeError(f"RaggedTensor indices must be integers or slices, not "
                        f"{type(key).__name__}")

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def to_list(self):
        """Returns the value as nested Python lists (strings as bytes)."""
        v = self._values
        inner = v.to_list() if isinstance(v, RaggedTensor) else np.asarray(np.asarray(v)).tolist()
        s = self._row_splits
        return [inner[s[i]:s[i + 1]] for i in range(len(s) - 1)]

    def numpy(self):
        """Returns the rows as a NumPy array.

        Rows of one length stack into a regular array; otherwise a 1-d object array
        holds one array per row (as TensorFlow's ``RaggedTensor.numpy``).
        """
        values = self._values.numpy()
        splits = self._row_splits
        rows = [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]
        if not rows:
            return np.zeros((0, 0) + values.shape[1:], dtype=values.dtype)
        if any(len(r) != len(rows[0]) for r in rows):
            return _object_rows(rows)
        return np.array(rows)

    def to_tensor(self, default_value=None, name=None, shape=None):
        """Returns a dense Tensor, padding short rows with ``default_value``.

        Rows are padded (or cut, when ``shape`` is given) to the longest row.
        """
        flat = np.asarray(self.flat_values)
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

    def get_shape(self):
        """Returns ``shape``."""
        return self.shape

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
    return Tensor(np.asarray(values)[a:b])


def _ragged_from_rows(rows, dtype):
    arrays = [np.asarray(np.asarray(r) if isinstance(r, Tensor) else r) for r in rows]
    lengths = [len(a) for a in arrays]
    np_dtype = dtype.as_numpy_dtype if dtype is not None else None
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


def _nvals(values):
    return len(values) if isinstance(values, RaggedTensor) else int(values.shape[0])


def _coords(rt):
    """Returns the (row, col, ...) coordinates of every flat value of ``rt`` as int64 [N, k]."""
    rows = np.repeat(np.arange(len(rt), dtype=np.int64), np.diff(rt._row_splits))
    cols = np.arange(len(rows), dtype=np.int64) - rt._row_splits[:-1][rows] if len(rows) \
        else np.zeros(0, np.int64)
    outer = np.stack([rows, cols], axis=1)
    v = rt._values
    if isinstance(v, RaggedTensor):
        inner = _coords(v)
        return np.concatenate([outer[inner[:, 0]], inner[:, 1:]], axis=1)
    extra = v.shape.as_list()[1:]
    if extra:
        grid = np.stack(np.meshgrid(*[np.arange(d) for d in extra], indexing="ij"),
                        -1).reshape(-1, len(extra))
        return np.concatenate([np.repeat(outer, len(grid), axis=0),
                               np.tile(grid, (len(outer), 1))], axis=1)
    return outer


def _binop(name, x, y):
    import tapeflow
    return getattr(tapeflow.math, name)(x, y)


from tapeflow.ragged_tensor_spec import RaggedTensorSpec  # noqa: E402,F401 (re-export)
