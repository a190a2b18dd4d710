"""The protobuf messages of a SavedModel's computation, encoded and parsed by hand.

TensorFlow's published ``.proto`` files define them (``function.proto``, ``node_def.proto``,
``attr_value.proto``, ``tensor.proto``, ``struct.proto``, ``saved_object_graph.proto``);
only the fields tapeflow writes or reads are here. Writing: ``attr_*``, ``tensor_proto``,
``structured`` (a ``StructuredValue``). Reading: ``parse_function_def`` and
``parse_attr`` give plain Python values; every length and count is checked first
(``tensor_bundle``'s bounds-checked wire reader), and a ``TensorProto`` is turned into an
array only after its declared size is checked against a cap.
"""
import struct

import numpy as np

from tapeflow.tracking import tensor_bundle as tb

F = tb._field
DT_RESOURCE = 20
MAX_CONST_ELEMENTS = 1 << 26      # a Const filled from one value: at most 64M elements
MAX_NODES = 200_000              # nodes in one FunctionDef
_MASK64 = (1 << 64) - 1


def dt_enum(dtype):
    """Returns TensorFlow's ``DataType`` number for a NumPy/tapeflow dtype.

    Raises:
      tb._Bad: for a dtype TensorFlow's SavedModel cannot hold here.
    """
    if hasattr(dtype, "as_numpy_dtype"):       # a tapeflow DType
        dtype = dtype.as_numpy_dtype
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = getattr(dtype, "name", str(dtype))
    name = {"float": "float32", "double": "float64", "half": "float16", "string": "object"
            }.get(name, name)
    if name in ("object", "str", "bytes") or name.startswith(("<U", "|S", "bytes", "str")):
        return tb.DT_STRING
    if name not in tb.DT_OF:
        raise tb._Bad(f"dtype {name} cannot be written to a SavedModel")
    return tb.DT_OF[name]


def np_dtype(enum):
    """Returns the NumPy dtype of a ``DataType`` number (object for strings)."""
    if enum == tb.DT_STRING:
        return np.dtype(object)
    if enum not in tb.DT:
        raise tb._Bad(f"unsupported DataType {enum}")
    return np.dtype(tb.DT[enum])


# -- writing ----------------------------------------------------------------------------

def entry(number, key, value):
    """Returns a map entry (``key`` a str or int, ``value`` bytes) as field ``number``."""
    k = F(1, key.encode() if isinstance(key, str) else key)
    return F(number, k + F(2, value))


def shape_proto(shape):
    """Returns a ``TensorShapeProto`` (``None`` dims unknown; ``None`` shape: unknown rank)."""
    if shape is None:
        return F(3, 1)
    return b"".join(F(2, F(1, -1 & _MASK64 if d is None else int(d))) for d in shape)


def tensor_proto(value):
    """Returns a ``TensorProto`` holding ``value`` (a NumPy array or scalar)."""
    a = np.asarray(value)
    enum = dt_enum(a.dtype)
    body = F(1, enum) + F(2, shape_proto(a.shape))
    if enum == tb.DT_STRING:
        for s in a.reshape(-1):
            body += F(8, s if isinstance(s, bytes) else str(s).encode())
    else:
        body += F(4, np.ascontiguousarray(a, a.dtype.newbyteorder("<")).tobytes())
    return body


def attr_type(dtype):
    """Returns an ``AttrValue`` holding a ``DataType``."""
    return F(6, dt_enum(dtype))


def attr_bool(b):
    """Returns an ``AttrValue`` holding a bool."""
    return F(5, int(bool(b)))


def attr_int(i):
    """Returns an ``AttrValue`` holding an int64."""
    return F(3, int(i) & _MASK64)


def attr_float(f):
    """Returns an ``AttrValue`` holding a float32."""
    return tb._fixed32(4, struct.unpack("<I", struct.pack("<f", float(f)))[0])


def attr_str(s):
    """Returns an ``AttrValue`` holding bytes (a str is UTF-8 encoded)."""
    return F(2, s.encode() if isinstance(s, str) else s)


def attr_ints(values):
    """Returns an ``AttrValue`` holding a list of int64s."""
    return F(1, b"".join(F(3, int(i) & _MASK64) for i in values))


def attr_types(dtypes):
    """Returns an ``AttrValue`` holding a list of ``DataType``s."""
    return F(1, b"".join(F(6, dt_enum(d)) for d in dtypes))


def attr_tensor(value):
    """Returns an ``AttrValue`` holding a ``TensorProto`` of ``value``."""
    return F(8, tensor_proto(value))


def attr_func(name):
    """Returns an ``AttrValue`` naming a function of the library."""
    return F(10, F(1, name.encode()))


def structured(value, spec_name=None):
    """Returns a ``StructuredValue`` for nested lists/tuples/dicts of ``TensorSpec``s and
    Python scalars.

    Raises:
      tb._Bad: for a leaf it cannot hold.
    """
    from tapeflow.framework.tensor_spec import TensorSpec
    if isinstance(value, TensorSpec):
        shape = None if value.shape.rank is None else value.shape.as_list()
        name = value.name if value.name else spec_name
        return F(33, (F(1, name.encode()) if name else b"") + F(2, shape_proto(shape)) +
                 F(3, dt_enum(value.dtype)))
    if value is None:
        return F(1, b"")
    if isinstance(value, bool):
        return F(14, int(value))
    if isinstance(value, int):
        return F(12, value & _MASK64)
    if isinstance(value, float):
        return tb._varint((11 << 3) | 1) + struct.pack("<d", value)
    if isinstance(value, str):
        return F(13, value.encode())
    if isinstance(value, dict):
        return F(53, b"".join(entry(1, str(k), structured(value[k])) for k in sorted(value)))
    if isinstance(value, tuple):
        return F(52, b"".join(F(1, structured(v)) for v in value))
    if isinstance(value, list):
        return F(51, b"".join(F(1, structured(v)) for v in value))
    raise tb._Bad(f"cannot record {type(value).__name__} in a SavedModel signature")


# -- reading ----------------------------------------------------------------------------

def _one(fields, number, default=None):
    for n, v in fields:
        if n == number:
            return v
    return default


def _text(b):
    if not isinstance(b, bytes):
        raise tb._Bad("expected a string field")
    return b.decode("utf-8", "replace")


def _map(fields, number):
    out = {}
    for n, v in fields:
        if n == number:
            if not isinstance(v, bytes):
                raise tb._Bad("malformed map entry")
            e = tb._parse(v)
            out[_one(e, 1, b"")] = _one(e, 2, b"")
    return out


def _signed(i):
    return i - (1 << 64) if i >= 1 << 63 else i


def _ints(fields, number):
    """Repeated int64 (packed or not)."""
    out = []
    for n, v in fields:
        if n != number:
            continue
        if isinstance(v, int):
            out.append(_signed(v))
        else:
            i, end = 0, len(v)
            while i < end:
                x, i = tb._read_varint(v, i, end)
                out.append(_signed(x))
    return out


def parse_shape(raw):
    """Returns a ``TensorShapeProto`` as a list of dims (None unknown) or None (unknown rank)."""
    fields = tb._parse(raw or b"")
    if _one(fields, 3):
        return None
    dims = []
    for n, v in fields:
        if n == 2:
            d = _signed(_one(tb._parse(v), 1, 0))
            dims.append(None if d < 0 else d)
    if len(dims) > tb.MAX_RANK:
        raise tb._Bad("a shape of too high rank")
    return dims


def parse_tensor(raw):
    """Returns a ``TensorProto``'s value as a NumPy array (size checked before allocating)."""
    fields = tb._parse(raw)
    dt = np_dtype(_one(fields, 1, 0))
    shape = parse_shape(_one(fields, 2, b""))
    if shape is None or None in shape:
        raise tb._Bad("a constant of unknown shape")
    count = int(np.prod(shape, dtype=object)) if shape else 1
    if count > MAX_CONST_ELEMENTS:
        raise tb._Bad(f"a constant of {count} elements")
    if dt == object:
        vals = [v for n, v in fields if n == 8 and isinstance(v, bytes)]
        if len(vals) == count:
            return np.array(vals, dtype=object).reshape(shape)
        if len(vals) == 1:
            return np.full(shape, vals[0], dtype=object)
        if not vals and count == 0:
            return np.zeros(shape, object)
        raise tb._Bad("a string constant's element count does not match its shape")
    content = _one(fields, 4)
    if isinstance(content, bytes) and content:
        if len(content) != count * dt.itemsize:
            raise tb._Bad("a constant's bytes do not match its shape")
        return np.frombuffer(content, dt.newbyteorder("<")).astype(dt).reshape(shape)
    vals = _typed_values(fields, dt)
    if len(vals) == count:
        return np.array(vals, dt).reshape(shape)
    if len(vals) == 1 or (not vals):
        return np.full(shape, vals[0] if vals else 0, dt)
    raise tb._Bad("a constant's element count does not match its shape")


def _typed_values(fields, dt):
    if dt == np.float32:
        return _fixed(fields, 5, "<f", 4)
    if dt == np.float64:
        return _fixed(fields, 6, "<d", 8)
    if dt == np.int64:
        return _ints(fields, 10)
    if dt == np.bool_:
        return [bool(v) for v in _ints(fields, 11)]
    if dt == np.float16:
        return [np.frombuffer(struct.pack("<H", v & 0xFFFF), np.float16)[0]
                for v in _ints(fields, 13)]
    if dt.kind in "iu" and dt.itemsize <= 4 and dt != np.uint32:
        return _ints(fields, 7)
    if dt in (np.uint32,):
        return _ints(fields, 16)
    if dt in (np.uint64,):
        return [v & _MASK64 for v in _ints(fields, 17)]
    raise tb._Bad(f"constants of dtype {dt} are not supported")


def _fixed(fields, number, fmt, size):
    out = []
    for n, v in fields:
        if n != number:
            continue
        if isinstance(v, bytes):
            if len(v) % size:
                raise tb._Bad("truncated packed values")
            out.extend(struct.unpack(f"<{len(v) // size}{fmt[1]}", v))
        else:
            out.append(struct.unpack(fmt, struct.pack("<I" if size == 4 else "<Q", v))[0])
    return out


def parse_attr(raw):
    """Returns an ``AttrValue`` as a Python value: ``("type", enum)``, ints, floats, bools,
    bytes, shapes (lists), arrays (tensors), ``("func", name)`` or lists of those."""
    fields = tb._parse(raw)
    for n, v in fields:
        if n == 1:
            lf = tb._parse(v)
            if any(k == 6 for k, _ in lf):
                return [("type", t) for t in _ints(lf, 6)]
            if any(k == 3 for k, _ in lf):
                return _ints(lf, 3)
            if any(k == 2 for k, _ in lf):
                return [x for k, x in lf if k == 2]
            if any(k == 7 for k, _ in lf):
                return [parse_shape(x) for k, x in lf if k == 7]
            if any(k == 4 for k, _ in lf):
                return _fixed(lf, 4, "<f", 4)
            if any(k == 5 for k, _ in lf):
                return [bool(x) for x in _ints(lf, 5)]
            return []
        if n == 2:
            return v
        if n == 3:
            return _signed(v)
        if n == 4:
            return struct.unpack("<f", struct.pack("<I", v))[0]
        if n == 5:
            return bool(v)
        if n == 6:
            return ("type", v)
        if n == 7:
            return parse_shape(v)
        if n == 8:
            return ("tensor", v)        # parsed on use (Const), after the op is allowed
        if n == 10:
            return ("func", _text(_one(tb._parse(v), 1, b"")))
    return None


class NodeDef:
    """One node of a ``FunctionDef``: name, op, inputs (strings), attrs (raw bytes)."""

    __slots__ = ("name", "op", "inputs", "attrs", "_parsed")

    def __init__(self, raw):
        fields = tb._parse(raw)
        self.name = _text(_one(fields, 1, b""))
        self.op = _text(_one(fields, 2, b""))
        self.inputs = [_text(v) for n, v in fields if n == 3]
        self.attrs = {_text(k): v for k, v in _map(fields, 5).items()}
        self._parsed = {}

    def attr(self, key, default=None):
        """Returns attribute ``key`` parsed (``parse_attr``; cached), or ``default``."""
        if key in self._parsed:
            return self._parsed[key]
        raw = self.attrs.get(key)
        value = default if raw is None else parse_attr(raw)
        if raw is not None:
            self._parsed[key] = value
        return value

    def remember(self, key, value):
        """Caches ``value`` under ``key`` (returned by ``attr(key)`` from then on)."""
        self._parsed[key] = value


class FunctionDef:
    """A parsed ``FunctionDef``: signature (args), nodes, and the ``ret`` map."""

    def __init__(self, raw):
        fields = tb._parse(raw)
        sig = tb._parse(_one(fields, 1, b""))
        self.name = _text(_one(sig, 1, b""))
        self.input_args = [self._arg(v) for n, v in sig if n == 2]
        self.output_args = [self._arg(v) for n, v in sig if n == 3]
        raw_nodes = [v for n, v in fields if n == 3]
        if len(raw_nodes) > MAX_NODES:
            raise tb._Bad(f"function {self.name} has {len(raw_nodes)} nodes")
        self.nodes = [NodeDef(v) for v in raw_nodes]
        self.ret = {_text(k): _text(v) for k, v in _map(fields, 4).items()}

    @staticmethod
    def _arg(raw):
        f = tb._parse(raw)
        return _text(_one(f, 1, b"")), _one(f, 3, 0)


def function_library(meta_graph_fields):
    """Returns ``{name: raw FunctionDef bytes}`` of a ``MetaGraphDef``'s graph library."""
    graph_def = _one(meta_graph_fields, 2)
    if not isinstance(graph_def, bytes):
        return {}
    lib = _one(tb._parse(graph_def), 2)
    if not isinstance(lib, bytes):
        return {}
    out = {}
    for n, v in tb._parse(lib):
        if n == 1 and isinstance(v, bytes):
            sig = _one(tb._parse(v), 1, b"")
            out[_text(_one(tb._parse(sig), 1, b""))] = v
    return out


def parse_structured(raw, depth=0):
    """Returns a ``StructuredValue`` as Python: TensorSpecs, lists, tuples, dicts, scalars."""
    from tapeflow.framework import dtypes
    from tapeflow.framework.tensor_spec import TensorSpec
    if depth > 64:
        raise tb._Bad("a structure nested too deeply")
    fields = tb._parse(raw or b"")
    if not fields:
        return None
    n, v = fields[0]
    if n == 1:
        return None
    if n == 11:
        return struct.unpack("<d", struct.pack("<Q", v))[0]
    if n == 12:
        return _signed(v)
    if n == 13:
        return _text(v)
    if n == 14:
        return bool(v)
    if n == 33:
        f = tb._parse(v)
        dt = np_dtype(_one(f, 3, 0))
        name = _one(f, 1)
        return TensorSpec(parse_shape(_one(f, 2, b"")), dtypes.string if dt == object
                          else dtypes.as_dtype(dt), _text(name) if name else None)
    if n in (51, 52):
        items = [parse_structured(x, depth + 1) for k, x in tb._parse(v) if k == 1]
        return items if n == 51 else tuple(items)
    if n == 53:
        return {_text(k): parse_structured(x, depth + 1)
                for k, x in sorted(_map(tb._parse(v), 1).items())}
    if n == 54:   # a named tuple: its values, as a tuple
        f = tb._parse(v)
        return tuple(parse_structured(_one(tb._parse(x), 2, b""), depth + 1)
                     for k, x in f if k == 2)
    raise tb._Bad(f"unsupported structured value (field {n})")
