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
from tapeflow.framework.errors import InvalidArgumentError, OutOfRangeError
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ragged_tensor import RaggedTensor


# -- helpers ---------------------------------------------------------------------

_C_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _as_strings(input, op, convert=True, conversion_error=False):  # noqa: A002
    """Returns ``(array of bytes, ragged structure or None)`` for the input of op ``op``.

    Raises:
      InvalidArgumentError: for a Tensor that is not a string tensor (as TensorFlow's kernel).
      TypeError: for a Python value that is not a string (``convert``: converted to
        ``tf.string`` first, as TensorFlow's wrappers do).
    """
    if isinstance(input, RaggedTensor):
        return input.flat_values._value, input
    if type(input) is Tensor:
        t = input
        if conversion_error and t.dtype is not dtypes.string:
            raise ValueError(f"input: Tensor conversion requested dtype string for Tensor with "
                             f"dtype {t.dtype.name}: {t!r}")
    else:
        if convert and isinstance(input, np.ndarray) and input.dtype.kind not in "OSU":
            kind = type(input.reshape(-1)[0].item()).__name__ if input.size else "float"
            raise ValueError(f"Failed to convert a NumPy array to a Tensor (Unsupported object "
                             f"type {kind}).")
        t = convert_to_tensor(input, dtype=dtypes.string if convert else None)
    v = np.asarray(t._value)
    if v.dtype != object:
        name = _C_NAMES.get(t.dtype.name, t.dtype.name)
        raise InvalidArgumentError(
            None, op, f"cannot compute {op} as input #0(zero-based) was expected to be a "
            f"string tensor but is a {name} tensor [Op:{op}]")
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
    arr, ragged = _as_strings(input, "StringLower")
    if encoding.lower().replace("-", "") == "utf8":  # invalid bytes become U+FFFD
        return _wrap(_map(lambda s: s.decode("utf-8", "replace").lower().encode("utf-8"),
                          arr), ragged)
    return _wrap(_map(bytes.lower, arr), ragged)


def upper(input, encoding="", name=None):  # noqa: A002
    """Converts all lowercase characters to uppercase.

    Returns:
      A string Tensor of the same shape.
    """
    arr, ragged = _as_strings(input, "StringUpper")
    if encoding.lower().replace("-", "") == "utf8":
        return _wrap(_map(lambda s: s.decode("utf-8", "replace").upper().encode("utf-8"),
                          arr), ragged)
    return _wrap(_map(bytes.upper, arr), ragged)


def strip(input, name=None):  # noqa: A002
    """Strips leading and trailing (ASCII) whitespace.

    Returns:
      A string Tensor of the same shape.
    """
    arr, ragged = _as_strings(input, "StringStrip")
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
    arr, ragged = _as_strings(input, "StaticRegexReplace")
    rx = _compile(pattern)
    rw = _rewrite(rewrite)
    if not replace_global:
        return _wrap(_map(lambda s: rx.sub(rw, s, count=1), arr), ragged)
    if not _may_match_empty(rx):
        return _wrap(_map(lambda s: rx.sub(rw, s), arr), ragged)
    return _wrap(_map(lambda s: _sub_re2(rx, rw, s), arr), ragged)


def _may_match_empty(rx):
    """Whether ``rx`` might match an empty string somewhere (quantifiers, anchors, ``|``)."""
    p = re.sub(rb"\\[^bBAzZ]|\[\^?\]?(?:\\.|[^\]\\])*\]", b"x", rx.pattern)
    return rx.fullmatch(b"") is not None or re.search(rb"[*?{|^$]|\\[bBAzZ]", p) is not None


def _sub_re2(rx, rw, s):
    """``rx.sub`` with RE2's rule: no empty match right where the previous match ended."""
    last = [-1]

    def repl(m):
        start, end = m.span()
        if start == end == last[0]:
            return b""  # replacing an empty match by nothing skips it
        last[0] = end
        return m.expand(rw)
    return rx.sub(repl, s)


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """Returns a bool Tensor: whether each string matches ``pattern`` entirely."""
    arr, ragged = _as_strings(input, "StaticRegexFullMatch")
    rx = _compile(pattern)
    return _wrap(_map(lambda s: rx.fullmatch(s) is not None, arr), ragged, dtype=bool)


def length(input, unit="BYTE", name=None):  # noqa: A002
    """Returns the length of each string as an int32 Tensor.

    Args:
      unit: ``"BYTE"`` or ``"UTF8_CHAR"``.
    """
    arr, ragged = _as_strings(input, "StringLength")
    if unit == "UTF8_CHAR":
        fn = lambda s: len(s.decode("utf-8", errors="replace"))  # noqa: E731
    elif unit == "BYTE":
        fn = len
    else:
        raise InvalidArgumentError(
            None, "StringLength", f'Value for attr \'unit\' of "{unit}" is not in the list of '
            'allowed values: "BYTE", "UTF8_CHAR" [Op:StringLength]')
    return _wrap(_map(fn, arr), ragged, dtype=np.int32)


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """Returns the substrings of ``len`` units starting at ``pos`` (negative: from the end).

    Raises:
      InvalidArgumentError: if ``pos`` is out of range for some string.
    """
    arr, ragged = _as_strings(input, "Substr")
    p = np.asarray(pos.numpy() if isinstance(pos, Tensor) else pos)
    n = np.asarray(len.numpy() if isinstance(len, Tensor) else len)
    utf8 = unit == "UTF8_CHAR"

    def one(s, p, n):
        # An invalid byte counts as one character and is kept as it is.
        u = s.decode("utf-8", "surrogateescape") if utf8 else s
        size = u.__len__()
        start = p + size if p < 0 else p
        if start < 0 or start > size:
            raise InvalidArgumentError(None, "Substr", f"pos {p} out of range for string "
                                       f"{s!r} at index 0 [Op:Substr]")
        out = u[start:] if n < 0 else u[start:start + n]  # a negative length: to the end
        return out.encode("utf-8", "surrogateescape") if utf8 else out
    return _wrap(np.frompyfunc(one, 3, 1)(arr, p, n).astype(object)
                 if arr.ndim or p.ndim or n.ndim else
                 _map(lambda s: one(s, int(p), int(n)), arr), ragged)


def to_number(string_tensor, out_type=dtypes.float32, name=None):
    """Parses each string as a number of ``out_type`` (float32 by default).

    Raises:
      InvalidArgumentError: for a string that is not a number.
    """
    dt = dtypes.as_dtype(out_type)
    if dt.name not in _NUMBER_TYPES:
        raise InvalidArgumentError(
            None, "StringToNumber", f"Value for attr 'out_type' of "
            f"{_C_NAMES.get(dt.name, dt.name)} is not in the list of allowed values: float, "
            "double, int32, int64, uint32, uint64 [Op:StringToNumber]")
    arr, ragged = _as_strings(string_tensor, "StringToNumber")
    info = None if dt.is_floating else np.iinfo(dt._np)

    def one(s):
        t = s.strip()
        try:
            if b"_" in t:  # Python's literal syntax; C's strtod/strtol refuse it
                raise ValueError
            if info is None:
                try:
                    return float(t)
                except ValueError:  # strtod reads hexadecimal floats too
                    digits = t[1:] if t[:1] in (b"+", b"-") else t
                    if digits[:2].lower() != b"0x":
                        raise
                    return (-1.0 if t[:1] == b"-" else 1.0) * float.fromhex(digits.decode())
            v = int(t)
            if info.min <= v <= info.max:
                return v
        except (ValueError, UnicodeDecodeError):
            pass
        raise InvalidArgumentError(
            None, "StringToNumber", f"StringToNumberOp could not correctly convert string: "
            f"{s.decode('utf-8', 'replace')} [Op:StringToNumber]")
    return _wrap(_map(one, arr), ragged, dtype=dt._np)


_NUMBER_TYPES = ("float32", "float64", "int32", "int64", "uint32", "uint64")


def join(inputs, separator="", name=None):
    """Joins a list of string Tensors elementwise (broadcasting) with ``separator``.

    Returns:
      A string Tensor.
    """
    converted = [_as_strings(x, "StringJoin") for x in inputs]
    arrays = [a for a, _ in converted]
    sep = _to_bytes(separator)
    if not arrays:
        return Tensor(np.array(b"", dtype=object))
    ragged = next((r for _, r in converted if r is not None), None)
    shaped = [a.shape for a in arrays if a.ndim]
    for shape in shaped[1:]:  # scalars broadcast; other shapes must be equal
        if shape != shaped[0]:
            raise InvalidArgumentError(
                None, "StringJoin", f"Input shapes do not match: {_dims(shaped[0])} vs. "
                f"{_dims(shape)} [Op:StringJoin]")
    out = Tensor(_map_n(lambda *parts: sep.join(parts), arrays))
    return ragged.with_flat_values(out) if ragged is not None else out


def _dims(shape):
    return "[" + ",".join(map(str, shape)) + "]"


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
    if isinstance(inputs, RaggedTensor):
        from tapeflow import ragged
        return ragged.reduce_join(inputs, axis, keepdims, separator)
    arr, _ = _as_strings(inputs, "ReduceJoin", convert=False)
    sep = _to_bytes(separator)
    n = arr.ndim
    if axis is None:  # every axis, the last first: row-major order
        axes = tuple(range(n - 1, -1, -1))
    else:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        for a in axes:
            if not -max(n, 1) <= a < max(n, 1):
                raise OutOfRangeError(
                    None, "ReduceJoin", f"Invalid reduction dimension {a} for input with {n} "
                    "dimension(s) [Op:ReduceJoin]")
        axes = tuple(a % n for a in axes) if n else ()
    keep = [i for i in range(n) if i not in axes]
    # The axes are joined one after another in the order given, so the first varies fastest.
    moved = np.transpose(arr, keep + list(reversed(axes))) if n else arr
    lead = moved.shape[:len(keep)]
    flat = moved.reshape(lead + (-1,))
    out = np.empty(lead, dtype=object)
    out_flat = out.reshape(-1)
    for i, row in enumerate(flat.reshape(-1, flat.shape[-1]) if flat.size else
                            [[]] * out_flat.size):
        out_flat[i] = sep.join(list(row))
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
        rt = RaggedTensor(rt, np.arange(n + 1, dtype=np.int64) * d, d)
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
    arr, ragged = _as_strings(input, "StringSplitV2", conversion_error=True)
    s = _to_bytes(sep) if sep else None
    fn = (lambda x: x.split(s, maxsplit)) if s is not None or maxsplit < 0 else \
        (lambda x: _split_whitespace(x, maxsplit))
    if ragged is not None:  # one more ragged dimension under the input's rows
        return _with_inner(ragged, _split_rows(arr.reshape(-1), fn))
    return _split_rows(arr, fn)


def _split_whitespace(s, maxsplit):
    """TensorFlow's whitespace split with a limit: the remainder keeps its trailing spaces,
    and the whitespace run at a split point is consumed (``b" c "`` -> ``[b"c", b""]``)."""
    if maxsplit == 0:
        return [s] if s else []
    s = s.lstrip()
    out = []
    while s and len(out) < maxsplit:
        m = _WS.search(s)
        if m is None:
            break
        out.append(s[:m.start()])
        s = s[m.end():]
    if s or out:
        out.append(s)
    return out


_WS = re.compile(rb"[ \t\n\r\x0b\x0c]+")


def _with_inner(ragged, inner):
    """Returns ``ragged`` with its flat values replaced by the RaggedTensor ``inner``."""
    v = ragged._values
    return RaggedTensor(_with_inner(v, inner) if isinstance(v, RaggedTensor) else inner,
                        ragged._row_splits, ragged._uniform)


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                  name=None):
    """Splits each string into its Unicode characters, each encoded in ``input_encoding``.

    Args:
      input_encoding: ``"UTF-8"``, ``"UTF-16-BE"`` or ``"UTF-32-BE"``.
      errors: ``"replace"`` (invalid bytes become U+FFFD), ``"ignore"`` or ``"strict"``.

    Returns:
      For a scalar, a 1-d string Tensor; otherwise a ``RaggedTensor``.

    Raises:
      InvalidArgumentError: for another encoding, or invalid input with ``errors="strict"``.
    """
    if input_encoding not in ("UTF-8", "UTF-16-BE", "UTF-32-BE"):
        raise InvalidArgumentError(
            None, "UnicodeEncode", f"Value for attr 'output_encoding' of \"{input_encoding}\" "
            'is not in the list of allowed values: "UTF-8", "UTF-16-BE", "UTF-32-BE" '
            "[Op:UnicodeEncode]")
    arr, ragged = _as_strings(input, "UnicodeDecode", convert=False)
    enc = input_encoding
    mode = errors if errors in ("strict", "ignore") else "replace"
    repl = chr(replacement_char)

    def chars(s):
        try:
            text = s.decode(enc, errors=mode)
        except UnicodeDecodeError:
            raise InvalidArgumentError(None, "UnicodeDecode", "Invalid formatting on input "
                                       "string [Op:UnicodeDecode]") from None
        if mode == "replace" and repl != "\ufffd":
            text = text.replace("\ufffd", repl)
        return [c.encode(enc) for c in text]
    if ragged is not None:
        return _with_inner(ragged, _split_rows(arr.reshape(-1), chars))
    return _split_rows(arr, chars)


def _ngram_row(tokens, widths, sep, preserve_short, pads=None, padding_width=None):
    out = []
    join = sep.join
    for n in widths:
        row = tokens
        if pads is not None and n > 1:  # 1-grams are never padded
            w = n - 1 if padding_width is None else padding_width
            row = [pads[0]] * w + list(tokens) + [pads[1]] * w
        if n == 1:
            out.extend(row)
        else:  # zip of shifted copies: one tuple per window
            out.extend(map(join, zip(*[row[k:] for k in range(n)])))
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
    widths = (ngram_width,) if isinstance(ngram_width, (int, np.integer)) else tuple(ngram_width)
    sep = _to_bytes(separator)
    pads = None
    if pad_values is not None:
        pads = (pad_values, pad_values) if isinstance(pad_values, (str, bytes)) else \
            tuple(pad_values)
        pads = tuple(_to_bytes(p) for p in pads)
    extra = (pads, padding_width)
    if isinstance(data, RaggedTensor):
        parts = [_ngram_row(r, widths, sep, preserve_short_sequences, *extra)
                 for r in data.to_list()]
        return _rows_to_ragged(np.empty((len(parts),)), parts)
    arr, _ = _as_strings(data, "StringNGrams", convert=False)
    if arr.ndim == 0:
        raise ValueError("Data must have rank>0")
    # Dense rows all have the same length, so the result is dense too.
    rows = [_ngram_row(r, widths, sep, preserve_short_sequences, *extra)
            for r in arr.reshape(-1, arr.shape[-1]).tolist()]
    out = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for i, r in enumerate(rows):
        out[i, :] = r
    return Tensor(out.reshape(arr.shape[:-1] + (out.shape[1],)))


__all__ = ["lower", "upper", "strip", "regex_replace", "regex_full_match", "length", "substr",
           "to_number", "join", "reduce_join", "split", "unicode_split",
           "ngrams", "RaggedTensor"]


# String kernels compute outside the op mechanism: inside a tf.function trace a call on a
# traced tensor becomes one graph node that runs again on every call.
for _n in ("lower", "upper", "strip", "regex_replace", "regex_full_match", "length", "substr",
           "to_number", "join", "reduce_join", "split", "unicode_split", "ngrams"):
    globals()[_n] = _func_graph.opaque(globals()[_n])
del _n

from tapeflow.strings_more import *  # noqa: E402,F401,F403
from tapeflow import strings_more as _more  # noqa: E402

__all__ += _more.__all__
