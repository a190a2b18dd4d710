"""More of ``tf.strings``: bytes_split, unicode_decode/encode/transcode, to_hash_bucket_fast/
strong, format, as_string, unsorted_segment_join (re-exported by ``tapeflow.strings``)."""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ragged_tensor import RaggedTensor

_CODECS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be",
           "US-ASCII": "ascii", "ISO-8859-1": "latin-1"}


def _strings(input):  # noqa: A002
    if isinstance(input, RaggedTensor):
        return np.asarray(np.asarray(input.flat_values)), input
    t = convert_to_tensor(input, dtype=dtypes.string)
    return np.asarray(np.asarray(t)), None


def _rows(parts, shape, np_dtype, ragged_like=None):
    """Per-string lists -> a 1-d Tensor for a scalar input, else a RaggedTensor."""
    if not shape and ragged_like is None:
        return Tensor(np.asarray(parts[0], dtype=np_dtype))
    lens = [len(p) for p in parts]
    flat = np.asarray([x for p in parts for x in p], dtype=np_dtype)
    if np_dtype is object:
        flat = np.asarray(flat, dtype=object).reshape(-1)
    rt = RaggedTensor.from_row_lengths(Tensor(flat), lens)
    if ragged_like is not None:
        return ragged_like.with_flat_values(rt)
    for d in reversed(shape[1:]):  # outer dense dimensions stay uniform
        n = len(rt) // d
        rt = RaggedTensor(rt, np.arange(n + 1, dtype=np.int64) * d, d)
    return rt


def bytes_split(input, name=None):  # noqa: A002
    """Returns each string split into single bytes (1-d for a scalar, else ragged)."""
    arr, rag = _strings(input)
    parts = [[bytes([b]) for b in s] for s in arr.reshape(-1)]
    return _rows(parts, arr.shape, object, rag)


def _codec(encoding):
    try:
        return _CODECS[encoding]
    except KeyError:
        raise InvalidArgumentError(None, None, f"Could not create converter for input "
                                   f"encoding: {encoding}") from None


def _decode_one(s, codec, errors, replacement_char, replace_control):
    if errors == "strict":
        try:
            text = s.decode(codec)
        except UnicodeDecodeError:
            raise InvalidArgumentError(None, "UnicodeDecode", "Invalid formatting on input "
                                       "string") from None
    else:
        text = s.decode(codec, errors="ignore" if errors == "ignore" else "replace")
    cps = [ord(c) for c in text]
    if errors == "replace" and replacement_char != 0xFFFD:
        cps = [replacement_char if c == 0xFFFD else c for c in cps]
    if replace_control:
        cps = [replacement_char if c < 0x20 else c for c in cps]
    return cps


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,  # noqa
                   replace_control_characters=False, name=None):
    """Returns the int32 code points of each string (1-d for a scalar, else ragged).

    Raises:
      InvalidArgumentError: for invalid bytes with ``errors="strict"``.
    """
    arr, rag = _strings(input)
    codec = _codec(input_encoding)
    parts = [_decode_one(s, codec, errors, replacement_char, replace_control_characters)
             for s in arr.reshape(-1)]
    return _rows(parts, arr.shape, np.int32, rag)


def unicode_decode_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                                replacement_char=65533, replace_control_characters=False,
                                name=None):
    """Returns ``(code points, byte offsets)`` of each character (int32, int64)."""
    arr, rag = _strings(input)
    codec = _codec(input_encoding)
    cps, offs = [], []
    for s in arr.reshape(-1):
        c = _decode_one(s, codec, errors, replacement_char, replace_control_characters)
        text = s.decode(codec, errors="replace")
        o, pos = [], 0
        for ch in text:
            o.append(pos)
            pos += len(ch.encode(codec, errors="replace")) if ch != "\ufffd" else 1
        cps.append(c)
        offs.append(o[:len(c)])
    return (_rows(cps, arr.shape, np.int32, rag), _rows(offs, arr.shape, np.int64, rag))


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533,  # noqa
                   name=None):
    """Returns strings encoded from int32 code points: the last dimension is joined."""
    codec = _codec(output_encoding)

    def enc(cps):
        out = []
        for c in cps:
            c = int(c)
            if not 0 <= c <= 0x10FFFF or 0xD800 <= c <= 0xDFFF:
                if errors == "strict":
                    raise InvalidArgumentError(None, "UnicodeEncode", f"Invalid code point {c}")
                if errors == "ignore":
                    continue
                c = replacement_char
            out.append(chr(c))
        return "".join(out).encode(codec)

    if isinstance(input, RaggedTensor):
        if input.ragged_rank > 1:
            return input.with_values(unicode_encode(input.values, output_encoding, errors,
                                                    replacement_char))
        vals = np.asarray(np.asarray(input.values))
        s = input._row_splits
        out = np.empty(len(s) - 1, object)
        out[:] = [enc(vals[s[i]:s[i + 1]]) for i in range(len(s) - 1)]
        return Tensor(out)
    a = np.asarray(np.asarray(convert_to_tensor(input, dtype=dtypes.int32)))
    flat = a.reshape(-1, a.shape[-1]) if a.ndim else a.reshape(1, 1)
    out = np.empty(len(flat), object)
    out[:] = [enc(r) for r in flat]
    return Tensor(out.reshape(a.shape[:-1]) if a.ndim else out.reshape(()))


def unicode_transcode(input, input_encoding, output_encoding, errors="replace",  # noqa
                      replacement_char=65533, replace_control_characters=False, name=None):
    """Returns the strings re-encoded from ``input_encoding`` to ``output_encoding``."""
    arr, rag = _strings(input)
    icodec, ocodec = _codec(input_encoding), _codec(output_encoding)

    def one(s):
        cps = _decode_one(s, icodec, errors, replacement_char, replace_control_characters)
        return "".join(chr(c) for c in cps).encode(ocodec)

    out = np.empty(arr.shape, object)
    out.reshape(-1)[:] = [one(s) for s in arr.reshape(-1)]
    return rag.with_flat_values(Tensor(out)) if rag is not None else Tensor(out)


def _hash(input, num_buckets, fn):  # noqa: A002
    arr, rag = _strings(input)
    n = int(num_buckets)
    if n <= 0:
        raise InvalidArgumentError(None, None, "num_buckets must be positive")
    out = np.fromiter((fn(s) % n for s in arr.reshape(-1)), dtype=np.int64,
                      count=arr.size).reshape(arr.shape)
    return rag.with_flat_values(Tensor(out)) if rag is not None else Tensor(out)


def to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """Returns ``Fingerprint64(s) % num_buckets`` (int64) for each string, as TensorFlow."""
    from tapeflow.string_hash import fingerprint64
    return _hash(input, num_buckets, fingerprint64)


def to_hash_bucket(string_tensor, num_buckets, name=None, input=None):  # noqa: A002
    """Returns TensorFlow's legacy ``Hash64(s) % num_buckets`` (int64) for each string."""
    from tapeflow.string_hash import hash64
    return _hash(string_tensor if input is None else input, num_buckets, hash64)


def to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """Returns ``SipHash-2-4(key, s) % num_buckets`` (int64) for each string, as TensorFlow.

    Raises:
      ValueError: if ``key`` is not two integers.
    """
    from tapeflow.string_hash import siphash24
    key = [int(k) & 0xFFFFFFFFFFFFFFFF for k in key]
    if len(key) != 2:
        raise ValueError(f"Key must have 2 elements, got {len(key)}")
    return _hash(input, num_buckets, lambda s: siphash24(key[0], key[1], s))


def _scalar_text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):g}"
    return str(v)


def _summarize(a, n):
    if a.ndim == 0:
        return _scalar_text(a[()])
    items = list(a)
    cut = n >= 0 and len(items) > 2 * n
    texts = [_summarize(np.asarray(x, dtype=a.dtype), n) for x in
             (items[:n] + items[-n:] if cut else items)]
    if cut:
        texts = texts[:n] + ["..."] + texts[n:]
    if a.ndim == 1:
        return "[" + " ".join(texts) + "]"
    sep = "\n" * (a.ndim - 1) + " "
    return "[" + sep.join(texts) + "]"


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    """Returns a scalar string: ``template`` with each ``placeholder`` replaced by the
    text of one of ``inputs`` (long dimensions summarized to their first and last
    ``summarize`` entries).

    Raises:
      ValueError: if the number of placeholders and inputs differ.
    """
    if isinstance(inputs, str):  # TensorFlow treats a str as a sequence of inputs
        inputs = list(inputs)
    elif not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    pieces = template.split(placeholder)
    if len(pieces) - 1 != len(inputs):
        raise ValueError(f"The template expects {len(pieces) - 1} tensors, but the inputs only "
                         f"has {len(inputs)}. Please ensure the number of placeholders in "
                         "template matches inputs length.")
    out = pieces[0]
    for p, x in zip(pieces[1:], inputs):
        a = np.asarray(np.asarray(convert_to_tensor(x)))
        out += _summarize(a, int(summarize)) + p
    return Tensor(np.asarray(out.encode(), dtype=object))


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1,  # noqa: A002
              fill="", name=None):
    """Returns each number (or bool) as a string, formatted as TensorFlow's ``AsString``:
    floats ``%f`` (``%.{precision}f``, ``%e`` if ``scientific``, ``%g`` if ``shortest``),
    integers ``%d``, padded to ``width`` with ``fill``.

    Raises:
      InvalidArgumentError: for a string input.
    """
    t = convert_to_tensor(input)
    a = np.asarray(np.asarray(t))
    if t.dtype is dtypes.string:
        raise InvalidArgumentError(None, "AsString", "Value for attr 'T' of string is not in "
                                   "the list of allowed values")
    if a.dtype.kind == "f" or a.dtype.kind == "c":
        spec = "e" if scientific else "g" if shortest else "f"
        prec = "" if precision < 0 else f".{precision}"
        fmt = lambda v: f"%{prec}{spec}" % float(v)  # noqa: E731
    elif a.dtype.kind == "b":
        fmt = lambda v: "true" if v else "false"  # noqa: E731
    else:
        fmt = lambda v: "%d" % int(v)  # noqa: E731
    def pad(s):
        if width > 0 and len(s) < width:
            if fill == "0" and a.dtype.kind in "iuf":
                neg = s.startswith("-")
                body = s[1:] if neg else s
                return ("-" if neg else "") + body.rjust(width - neg, "0")
            return s.rjust(width, fill or " ")
        return s
    out = np.empty(a.shape, object)
    out.reshape(-1)[:] = [pad(fmt(v)).encode() for v in a.reshape(-1)]
    return Tensor(out)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """Returns the strings of ``inputs`` joined per segment id (empty for unused segments)."""
    arr, _ = _strings(inputs)
    ids = np.asarray(np.asarray(convert_to_tensor(segment_ids))).reshape(-1)
    n = int(num_segments)
    groups = [[] for _ in range(n)]
    for s, i in zip(arr.reshape(-1), ids):
        if 0 <= i < n:
            groups[int(i)].append(s)
    sep = separator.encode() if isinstance(separator, str) else separator
    out = np.empty(n, object)
    out[:] = [sep.join(g) for g in groups]
    return Tensor(out)


def unicode_split_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                               replacement_char=65533, name=None):
    """Returns ``(characters, byte offsets)``: each string split into its characters (as
    ``unicode_split``) and the int64 byte offset where each starts (as
    ``unicode_decode_with_offsets``); 1-d for a scalar, else RaggedTensors."""
    from tapeflow.strings import unicode_split
    chars = unicode_split(input, input_encoding, errors, replacement_char)
    offsets = unicode_decode_with_offsets(input, input_encoding, errors, replacement_char)[1]
    return chars, offsets


__all__ = ["bytes_split", "unicode_split_with_offsets", "unicode_decode",
           "unicode_decode_with_offsets", "unicode_encode", "unicode_transcode",
           "to_hash_bucket", "to_hash_bucket_fast", "to_hash_bucket_strong", "format",
           "as_string", "unsorted_segment_join"]
