"""``tf.io.serialize_tensor`` / ``tf.io.parse_tensor``: a Tensor as TensorFlow's ``TensorProto``.

Written against ``tensor.proto`` / ``tensor_shape.proto``: ``dtype = 1`` (DataType
enum), ``tensor_shape = 2`` (``repeated Dim dim = 2 { int64 size = 1 }``),
``tensor_content = 4`` (the raw little-endian array) for numbers and
``string_val = 8`` for strings. The bytes are those TensorFlow writes.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.io import wire

# DataType enum values from types.proto
_ENUM = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
         "string": 7, "complex64": 8, "int64": 9, "bool": 10, "bfloat16": 14, "uint16": 17,
         "complex128": 18, "float16": 19, "uint32": 22, "uint64": 23}
_NAME = {v: k for k, v in _ENUM.items()}
_C_NAME = {"float32": "float", "float64": "double", "float16": "half"}
MAX_BYTES = 1 << 31  # a parsed tensor may not claim more memory than this
# typed repeated value fields: number -> (numpy dtype of the wire values, packed wire type)
_VAL_FIELDS = {5: "<f4", 6: "<f8", 7: "int", 10: "int", 11: "int", 13: "int",
               16: "int", 17: "int", 9: "<f4", 12: "<f8"}


def serialize_tensor(tensor, name=None):
    """Returns a scalar string Tensor: ``tensor`` encoded as a TensorProto."""
    t = convert_to_tensor(tensor)
    arr = np.asarray(np.asarray(t))
    dname = t.dtype.name
    shape = b"".join(wire.length_delimited(2, wire.tag(1, 0) + wire.varint(d) if d else b"")
                     for d in arr.shape)
    out = wire.tag(1, 0) + wire.varint(_ENUM[dname]) + wire.length_delimited(2, shape)
    if dname == "string":
        for s in arr.reshape(-1):
            out += wire.length_delimited(8, s if isinstance(s, bytes) else str(s).encode())
    elif arr.size:
        data = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False)
        out += wire.length_delimited(4, data.tobytes())
    return Tensor(np.asarray(out, dtype=object))


def _bad(serialized):
    import base64
    return InvalidArgumentError(None, "ParseTensor", "Could not parse `serialized` as "
                                f"TensorProto, base64: {base64.b64encode(serialized).decode()}")


def parse_tensor(serialized, out_type, name=None):
    """Returns the Tensor of dtype ``out_type`` encoded in the TensorProto bytes ``serialized``.

    Raises:
      InvalidArgumentError: if the bytes are not a TensorProto, its dtype is not
        ``out_type``, or its sizes are inconsistent or too large.
    """
    if hasattr(serialized, "numpy"):
        serialized = serialized.numpy()
    serialized = bytes(serialized)
    out_type = dtypes.as_dtype(out_type)
    denum, dims, content, strings, vals = 0, [], None, [], []
    try:
        for number, wt, value in wire.fields(memoryview(serialized)):
            if number == 1 and wt == 0:
                denum = value
            elif number == 2 and wt == 2:
                for n2, wt2, dim in wire.fields(value):
                    if n2 == 2 and wt2 == 2:
                        size = 0
                        for n3, wt3, v3 in wire.fields(dim):
                            if n3 == 1 and wt3 == 0:
                                size = wire.to_signed64(v3)
                        dims.append(size)
            elif number == 4 and wt == 2:
                content = bytes(value)
            elif number == 8 and wt == 2:
                strings.append(bytes(value))
            elif number in _VAL_FIELDS:
                vals.append((number, wt, value))
    except wire.DecodeError:
        raise _bad(serialized) from None
    dname = _NAME.get(denum)
    if dname is None or any(d < 0 for d in dims):
        raise _bad(serialized)
    if dname != out_type.name:
        got = _C_NAME.get(dname, dname)
        want = _C_NAME.get(out_type.name, out_type.name)
        raise InvalidArgumentError(None, "ParseTensor", f"Type mismatch between parsed tensor "
                                   f"({got}) and dtype ({want})")
    size = 1
    for d in dims:
        size *= d
        if size > MAX_BYTES:
            raise _bad(serialized)
    if dname == "string":
        if len(strings) != size:
            raise _bad(serialized)
        arr = np.empty(size, dtype=object)
        arr[:] = strings
        return Tensor(arr.reshape(dims))
    np_dtype = np.dtype(out_type.as_numpy_dtype).newbyteorder("<")
    if content is not None:
        if len(content) != size * np_dtype.itemsize:
            raise _bad(serialized)
        arr = np.frombuffer(content, dtype=np_dtype).astype(np_dtype.newbyteorder("="))
        return Tensor(arr.reshape(dims))
    if size * np_dtype.itemsize > MAX_BYTES:
        raise _bad(serialized)
    flat = _typed_values(vals, dname)
    if size and not flat:
        arr = np.zeros(size, np_dtype)
    elif len(flat) > size or (size and not flat):
        raise _bad(serialized)
    else:  # TensorFlow repeats the last value to fill the tensor
        arr = np.full(size, flat[-1] if flat else 0, dtype=np_dtype)
        arr[:len(flat)] = flat
    return Tensor(arr.astype(np_dtype.newbyteorder("=")).reshape(dims))


def _typed_values(vals, dname):
    out = []
    for number, wt, value in vals:
        kind = _VAL_FIELDS[number]
        if wt == 2 and kind == "int":
            pos = 0
            while pos < len(value):
                v, pos = wire.read_varint(value, pos, len(value))
                out.append(wire.to_signed64(v))
        elif wt == 2:
            if len(value) % np.dtype(kind).itemsize:
                raise wire.DecodeError("packed length")
            out.extend(np.frombuffer(value, kind).tolist())
        elif wt == 0:
            out.append(wire.to_signed64(value))
        else:
            size = 4 if wt == 5 else 8
            out.extend(np.frombuffer(value.to_bytes(size, "little"),
                                     "<f4" if size == 4 else "<f8").tolist())
    if dname == "float16":  # half_val holds the raw 16 bits
        out = np.asarray(out, np.uint16).view(np.float16).tolist()
    if dname.startswith("complex"):
        out = [complex(a, b) for a, b in zip(out[0::2], out[1::2])]
    return out


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """Returns the bytes of each string reinterpreted as numbers of ``out_type``: shape
    ``input.shape + [n]``.

    Raises:
      InvalidArgumentError: if the strings' lengths differ or are not a multiple of the
        type's size.
    """
    out_type = dtypes.as_dtype(out_type)
    np_dtype = np.dtype(out_type.as_numpy_dtype).newbyteorder("<" if little_endian else ">")
    a = np.asarray(np.asarray(convert_to_tensor(input_bytes, dtype=dtypes.string)))
    items = [bytes(s) for s in a.reshape(-1)]
    if fixed_length is not None:
        items = [s[:int(fixed_length)].ljust(int(fixed_length), b"\0") for s in items]
    size = np_dtype.itemsize
    lengths = {len(s) for s in items}
    if len(lengths) > 1:
        raise InvalidArgumentError(None, "DecodeRaw", "DecodeRaw requires input strings to "
                                   "all be the same size, but element 1 has size "
                                   f"{len(items[1])} != {len(items[0])}")
    n = lengths.pop() if lengths else 0
    if n % size:
        raise InvalidArgumentError(None, "DecodeRaw", f"Input to DecodeRaw has length {n} "
                                   f"that is not a multiple of {size}, the size of "
                                   f"{out_type.name}")
    out = np.frombuffer(b"".join(items), dtype=np_dtype).astype(np_dtype.newbyteorder("="))
    return Tensor(out.reshape(a.shape + (n // size,)))


def encode_base64(input, pad=False, name=None):  # noqa: A002
    """Returns each string in web-safe base64 (``-`` and ``_``), unpadded unless ``pad``."""
    import base64
    a = np.asarray(np.asarray(convert_to_tensor(input, dtype=dtypes.string)))
    out = np.empty(a.shape, object)
    out.reshape(-1)[:] = [base64.urlsafe_b64encode(bytes(s)) if pad else
                          base64.urlsafe_b64encode(bytes(s)).rstrip(b"=") for s in a.reshape(-1)]
    return Tensor(out)


def decode_base64(input, name=None):  # noqa: A002
    """Returns each web-safe base64 string decoded (padding optional).

    Raises:
      InvalidArgumentError: for characters outside the web-safe alphabet.
    """
    import base64
    import binascii
    a = np.asarray(np.asarray(convert_to_tensor(input, dtype=dtypes.string)))
    out = np.empty(a.shape, object)
    try:
        vals = []
        for s in a.reshape(-1):
            s = bytes(s).rstrip(b"=")
            if s.strip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"):
                raise ValueError(s)
            vals.append(base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4)))
        out.reshape(-1)[:] = vals
    except (binascii.Error, ValueError):
        raise InvalidArgumentError(None, "DecodeBase64", "Invalid character found in base64."
                                   ) from None
    return Tensor(out)
