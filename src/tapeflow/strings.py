"""``tf.strings``: operations on string tensors.

A string tensor holds a NumPy object array of Python ``bytes`` (TensorFlow's
strings are byte strings; ``str`` input is encoded as UTF-8). Elementwise ops
map one Python bytes method over the array with ``np.frompyfunc``. Ops whose
rows have different lengths (``split``, ``ngrams``, ``unicode_split``) return a
``RaggedTensor``: flat values plus row splits.
"""
import itertools
import re

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

    __slots__ = ("_values", "_row_splits")

    def __init__(self, values, row_splits):
        self._values = values
        self._row_splits = np.asarray(row_splits, dtype=np.int64)

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
        return TensorShape((len(self._row_splits) - 1, None) + tuple(inner.as_list()[1:]))

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
        """Returns a 1-d object array of NumPy arrays, one per row."""
        out = np.empty(len(self), dtype=object)
        for i in range(len(self)):
            r = self[i]
            out[i] = r.numpy()
        return out

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
            return RaggedTensor(v.with_flat_values(new_values), self._row_splits)
        return RaggedTensor(convert_to_tensor(new_values), self._row_splits)

    def __repr__(self):
        return f"<tf.RaggedTensor {self.to_list()!r}>"

    def __str__(self):
        return f"<tf.RaggedTensor {self.to_list()!r}>"


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


# -- helpers ---------------------------------------------------------------------

def _as_strings(input, name="input"):  # noqa: A002
    """Returns ``(array of bytes, ragged structure or None)``.

    Raises:
      TypeError: for input that is not a string tensor.
    """
    if isinstance(input, RaggedTensor):
        return input.flat_values._value, input
    t = input if type(input) is Tensor else convert_to_tensor(input)
    v = np.asarray(t._value)
    if v.dtype != object:
        raise TypeError(f"Input `{name}` must be a string tensor; received a tensor of dtype "
                        f"{t.dtype.name}.")
    return v, None


def _map(fn, arr):
    """Applies ``fn`` to every element of an object array; returns an object array."""
    r = np.frompyfunc(fn, 1, 1)(arr)
    if not isinstance(r, np.ndarray):
        out = np.empty((), dtype=object)
        out[()] = r
        return out
    return r


def _wrap(values, ragged, dtype=None):
    if dtype is not None:
        values = np.asarray(values, dtype=dtype)
    if ragged is not None:
        return ragged.with_flat_values(Tensor(values))
    return Tensor(values)


def _to_bytes(s):
    return s.encode("utf-8") if isinstance(s, str) else bytes(s)


_POSIX = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z",
          "lower": "a-z", "space": r" \t\n\r\f\v", "punct": r"!-/:-@\[-`{-~",
          "xdigit": "0-9A-Fa-f", "word": r"\w", "blank": r" \t", "cntrl": r"\x00-\x1f\x7f"}
_CACHE = {}


def _compile(pattern):
    """Compiles an RE2 pattern with Python's ``re`` (RE2's POSIX classes translated)."""
    key = pattern
    rx = _CACHE.get(key)
    if rx is None:
        p = _to_bytes(pattern)
        p = re.sub(rb"\[:(\w+):\]", lambda m: _POSIX.get(m.group(1).decode(), m.group(1).decode())
                   .encode(), p)
        try:
            rx = re.compile(p)
        except re.error as e:
            raise InvalidArgumentError(None, None, f"Invalid pattern: {pattern}, error: {e}") \
                from None
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = rx
    return rx


def _rewrite(rewrite):
    """RE2's rewrite (``\\0`` is the whole match) as Python's template."""
    return re.sub(rb"\\0", rb"\\g<0>", _to_bytes(rewrite))


# -- elementwise ops -----------------------------------------------------------------

def lower(input, encoding="", name=None):  # noqa: A002
    """Converts all uppercase characters to lowercase.

    Args:
      input: a string Tensor (or RaggedTensor).
      encoding: ``""`` lowers ASCII letters only; ``"utf-8"`` lowers all Unicode letters.

    Returns:
      A string Tensor of the same shape.

    >>> tf.strings.lower("CamelCase string and ALL CAPS")
    <tf.Tensor: shape=(), dtype=string, numpy=b'camelcase string and all caps'>
    """
    arr, ragged = _as_strings(input)
    if encoding.lower().replace("-", "") == "utf8":
        return _wrap(_map(lambda s: s.decode("utf-8").lower().encode("utf-8"), arr), ragged)
    return _wrap(_map(bytes.lower, arr), ragged)


def upper(input, encoding="", name=None):  # noqa: A002
    """Converts all lowercase characters to uppercase.

    Returns:
      A string Tensor of the same shape.
    """
    arr, ragged = _as_strings(input)
    if encoding.lower().replace("-", "") == "utf8":
        return _wrap(_map(lambda s: s.decode("utf-8").upper().encode("utf-8"), arr), ragged)
    return _wrap(_map(bytes.upper, arr), ragged)


def strip(input, name=None):  # noqa: A002
    """Strips leading and trailing (ASCII) whitespace.

    Returns:
      A string Tensor of the same shape.
    """
    arr, ragged = _as_strings(input)
    return _wrap(_map(bytes.strip, arr), ragged)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replaces the matches of an RE2 regular expression ``pattern`` with ``rewrite``.

    Args:
      input: a string Tensor.
      pattern: the regular expression (``str`` or bytes).
      rewrite: the replacement; ``\\1`` refers to the first group, ``\\0`` to the match.
      replace_global: replace all matches (True) or only the first.

    Returns:
      A string Tensor of the same shape.

    >>> tf.strings.regex_replace("Text with tags.<br /><b>contains html</b>",
    ...                          "<[^>]+>", " ")
    <tf.Tensor: shape=(), dtype=string, numpy=b'Text with tags.  contains html '>
    """
    arr, ragged = _as_strings(input)
    rx = _compile(pattern)
    rw = _rewrite(rewrite)
    count = 0 if replace_global else 1
    return _wrap(_map(lambda s: rx.sub(rw, s, count=count), arr), ragged)


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """Returns a bool Tensor: whether each string matches ``pattern`` entirely."""
    arr, ragged = _as_strings(input)
    rx = _compile(pattern)
    return _wrap(_map(lambda s: rx.fullmatch(s) is not None, arr), ragged, dtype=bool)


def length(input, unit="BYTE", name=None):  # noqa: A002
    """Returns the length of each string as an int32 Tensor.

    Args:
      unit: ``"BYTE"`` or ``"UTF8_CHAR"``.
    """
    arr, ragged = _as_strings(input)
    if unit == "UTF8_CHAR":
        fn = lambda s: len(s.decode("utf-8", errors="replace"))  # noqa: E731
    elif unit == "BYTE":
        fn = len
    else:
        raise ValueError(f"unit must be one of ('BYTE', 'UTF8_CHAR'), got {unit!r}")
    return _wrap(_map(fn, arr), ragged, dtype=np.int32)


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """Returns the substrings of ``len`` units starting at ``pos`` (negative: from the end).

    Raises:
      InvalidArgumentError: if ``pos`` is out of range for some string.
    """
    arr, ragged = _as_strings(input)
    p = np.asarray(pos.numpy() if isinstance(pos, Tensor) else pos)
    n = np.asarray(len.numpy() if isinstance(len, Tensor) else len)
    utf8 = unit == "UTF8_CHAR"

    def one(s, p, n):
        u = s.decode("utf-8") if utf8 else s
        size = u.__len__()
        start = p + size if p < 0 else p
        if start < 0 or start > size:
            raise InvalidArgumentError(None, None, f"pos {p} out of range for string"
                                       f"b'{s.decode('utf-8', 'replace')}' at index 0")
        out = u[start:start + max(n, 0)]
        return out.encode("utf-8") if utf8 else out
    return _wrap(np.frompyfunc(one, 3, 1)(arr, p, n).astype(object)
                 if arr.ndim or p.ndim or n.ndim else
                 _map(lambda s: one(s, int(p), int(n)), arr), ragged)


def to_number(string_tensor, out_type=dtypes.float32, name=None):
    """Parses each string as a number of ``out_type`` (float32 by default).

    Raises:
      InvalidArgumentError: for a string that is not a number.
    """
    arr, ragged = _as_strings(string_tensor, "string_tensor")
    dt = dtypes.as_dtype(out_type)
    parse = float if dt.is_floating else int

    def one(s):
        try:
            return parse(s.strip())
        except ValueError:
            raise InvalidArgumentError(
                None, None, f"StringToNumberOp could not correctly convert string: "
                f"{s.decode('utf-8', 'replace')}") from None
    return _wrap(_map(one, arr), ragged, dtype=dt._np)


def join(inputs, separator="", name=None):
    """Joins a list of string Tensors elementwise (broadcasting) with ``separator``.

    Returns:
      A string Tensor.
    """
    arrays = [_as_strings(x, "inputs")[0] for x in inputs]
    sep = _to_bytes(separator)
    if not arrays:
        return Tensor(np.array(b"", dtype=object))
    return Tensor(_map_n(lambda *parts: sep.join(parts), arrays))


def _map_n(fn, arrays):
    r = np.frompyfunc(fn, len(arrays), 1)(*arrays)
    if not isinstance(r, np.ndarray):
        out = np.empty((), dtype=object)
        out[()] = r
        return out
    return r.astype(object)


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Joins the strings along ``axis`` (all of them when None) with ``separator``.

    Returns:
      A string Tensor with ``axis`` removed (kept as size 1 with ``keepdims``).
    """
    arr, _ = _as_strings(inputs, "inputs")
    sep = _to_bytes(separator)
    axes = tuple(range(arr.ndim)) if axis is None else (
        (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis))
    axes = tuple(a % arr.ndim for a in axes) if arr.ndim else ()
    keep = [i for i in range(arr.ndim) if i not in axes]
    moved = np.transpose(arr, keep + list(axes)) if arr.ndim else arr
    lead = moved.shape[:len(keep)]
    flat = moved.reshape(lead + (-1,))
    out = np.empty(lead, dtype=object)
    out_flat = out.reshape(-1)
    for i, row in enumerate(flat.reshape(-1, flat.shape[-1])):
        out_flat[i] = sep.join(row.tolist())
    if keepdims:
        out = out.reshape(tuple(1 if i in axes else arr.shape[i] for i in range(arr.ndim)))
    return Tensor(out)


# -- splitting ------------------------------------------------------------------------

def _rows_to_ragged(arr, parts):
    """Builds a RaggedTensor from per-element lists (``parts`` in arr's flat order)."""
    lengths = np.fromiter((p.__len__() for p in parts), dtype=np.int64, count=len(parts))
    flat = np.empty(int(lengths.sum()), dtype=object)
    flat[:] = list(itertools.chain.from_iterable(parts))
    rt = RaggedTensor.from_row_lengths(Tensor(flat), lengths, validate=False)
    for d in reversed(arr.shape[1:]):  # uniform outer dimensions
        n = len(rt) // d
        rt = RaggedTensor(rt, np.arange(n + 1, dtype=np.int64) * d)
    return rt


def _split_rows(arr, fn):
    if arr.ndim == 0:
        return Tensor(np.array(fn(arr[()]) or [], dtype=object).reshape(-1))
    parts = [fn(s) for s in arr.reshape(-1).tolist()]
    return _rows_to_ragged(arr, parts)


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Splits each string at ``sep`` (runs of whitespace when ``sep`` is None or empty).

    Args:
      input: a string Tensor.
      sep: the delimiter; consecutive delimiters delimit empty strings.
      maxsplit: the most splits per string (-1: no limit).

    Returns:
      For a scalar, a 1-d string Tensor; otherwise a ``RaggedTensor`` with
      one more (ragged) dimension.

    >>> tf.strings.split(["hello world", "a b c"])
    <tf.RaggedTensor [[b'hello', b'world'], [b'a', b'b', b'c']]>
    """
    arr, ragged = _as_strings(input)
    if ragged is not None:
        raise TypeError("tf.strings.split of a RaggedTensor is not supported; split its "
                        "flat_values instead.")
    s = _to_bytes(sep) if sep else None
    return _split_rows(arr, lambda x: x.split(s, maxsplit))


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                  name=None):
    """Splits each string into its Unicode characters (each as UTF-8 bytes).

    Returns:
      For a scalar, a 1-d string Tensor; otherwise a ``RaggedTensor``.
    """
    arr, _ = _as_strings(input)
    enc = input_encoding
    repl = chr(replacement_char)

    def chars(s):
        text = s.decode(enc, errors="replace" if errors != "strict" else "strict")
        if errors == "replace" and repl != "\ufffd":
            text = text.replace("\ufffd", repl)
        return [c.encode("utf-8") for c in text]
    return _split_rows(arr, chars)


def _ngram_row(tokens, widths, sep, preserve_short):
    out = []
    join = sep.join
    for n in widths:
        if n == 1:
            out.extend(tokens)
        else:  # zip of shifted copies: one tuple per window
            out.extend(map(join, zip(*[tokens[k:] for k in range(n)])))
    if preserve_short and not out and tokens:
        out.append(sep.join(tokens))
    return out


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """Returns the n-grams of each row of tokens, joined by ``separator``.

    Args:
      data: a 1-d string Tensor (one sequence) or a RaggedTensor of rows.
      ngram_width: an int or a sequence of ints (all widths, in order).

    Returns:
      A string Tensor (for 1-d input) or a RaggedTensor of n-grams per row.
    """
    if pad_values is not None:
        raise NotImplementedError("tf.strings.ngrams: pad_values is not supported.")
    widths = (ngram_width,) if isinstance(ngram_width, (int, np.integer)) else tuple(ngram_width)
    sep = _to_bytes(separator)
    if isinstance(data, RaggedTensor):
        parts = [_ngram_row(r, widths, sep, preserve_short_sequences) for r in data.to_list()]
        return _rows_to_ragged(np.empty((len(parts),)), parts)
    arr, _ = _as_strings(data, "data")
    if arr.ndim == 1:
        return Tensor(np.array(_ngram_row(arr.tolist(), widths, sep, preserve_short_sequences),
                               dtype=object).reshape(-1))
    parts = [_ngram_row(r, widths, sep, preserve_short_sequences) for r in arr.tolist()]
    return _rows_to_ragged(np.empty((len(parts),)), parts)


__all__ = ["lower", "upper", "strip", "regex_replace", "regex_full_match", "length", "substr",
           "to_number", "join", "reduce_join", "split", "unicode_split", "ngrams", "RaggedTensor"]
