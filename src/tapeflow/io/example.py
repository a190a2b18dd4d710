"""``tf.train.Example`` and its parts, written against TensorFlow's published
``example.proto`` / ``feature.proto`` with our own small wire encoder.

Field numbers (from the .proto files)::

    BytesList { repeated bytes value = 1; }
    FloatList { repeated float value = 1 [packed = true]; }
    Int64List { repeated int64 value = 1 [packed = true]; }
    Feature   { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2;
                             Int64List int64_list = 3; } }
    Features  { map<string, Feature> feature = 1; }
    FeatureList  { repeated Feature feature = 1; }
    FeatureLists { map<string, FeatureList> feature_list = 1; }
    Example   { Features features = 1; }
    SequenceExample { Features context = 1; FeatureLists feature_lists = 2; }

The Python surface follows protobuf's generated classes: keyword constructors,
attribute access that creates sub-messages on demand, ``SerializeToString``,
``FromString``/``ParseFromString``, ``WhichOneof``, ``HasField``, ``CopyFrom``,
``==`` and the text format for ``str``. Map entries are serialized in sorted key
order (protobuf's ``deterministic=True``).
"""
import math

import numpy as np

from tapeflow.io import wire
from tapeflow.io.wire import DecodeError

__all__ = ["BytesList", "FloatList", "Int64List", "Feature", "Features", "FeatureList",
           "FeatureLists", "Example", "SequenceExample", "DecodeError"]


# -- scalar checks (protobuf's messages) -----------------------------------------

def _check_bytes(v):
    if isinstance(v, bytes):
        return bytes(v)
    raise TypeError(f"expected bytes, {type(v).__name__} found")


def _check_float(v):
    if isinstance(v, (str, bytes)) or not isinstance(v, (int, float, np.number)):
        raise TypeError(f"must be real number, not {type(v).__name__}")
    return float(np.float32(v))


def _check_int64(v):
    if isinstance(v, np.bool_):
        raise TypeError("'numpy.bool' object cannot be interpreted as an integer")
    if isinstance(v, bool):
        raise TypeError("Field tensorflow.Int64List.value: Expected an int, got a boolean.")
    if isinstance(v, (float, np.floating)) or not hasattr(v, "__index__"):
        raise TypeError(f"'{type(v).__name__}' object cannot be interpreted as an integer")
    v = int(v)
    if not -(1 << 63) <= v < (1 << 63):
        raise ValueError(f"Value out of range: {v}")
    return v


class _Repeated(list):
    """A list that type-checks what goes in and tells its message it changed."""

    __slots__ = ("_check", "_owner")

    def __init__(self, check, owner, values=()):
        super().__init__(check(v) for v in values)
        self._check = check
        self._owner = owner

    def _changed(self):
        self._owner._touch()

    def append(self, v):
        super().append(self._check(v))
        self._changed()

    def extend(self, vs):
        super().extend([self._check(v) for v in vs])
        self._changed()

    def insert(self, i, v):
        super().insert(i, self._check(v))
        self._changed()

    def __setitem__(self, i, v):
        if isinstance(i, slice):
            super().__setitem__(i, [self._check(x) for x in v])
        else:
            super().__setitem__(i, self._check(v))
        self._changed()

    def __iadd__(self, vs):
        self.extend(vs)
        return self

    def __repr__(self):
        return list.__repr__(self)

    def __reduce__(self):
        return (list, (list(self),))


# -- text format -------------------------------------------------------------------

_ESC = {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x22: '\\"', 0x27: "\\'", 0x5C: "\\\\"}


def _escape(b):
    return "".join(_ESC.get(c) or (chr(c) if 0x20 <= c < 0x7F else f"\\{c:03o}") for c in b)


def _format_float(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    s = f"{v:.6g}"
    if float(np.float32(float(s))) != v:
        s = f"{v:.9g}"
    return s


# -- messages ----------------------------------------------------------------------

class _Message:
    """Base of the message classes: presence tracking, equality, text format."""

    _name = ""
    _fields = ()      # (name, number, kind, type) ; kind: "bytes", "float", "int64",
    _oneof = None     # "message", "map", "messages"

    def __init__(self, **kwargs):
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_present", [])
        object.__setattr__(self, "_parent", None)
        specs = {f[0]: f for f in self._fields}
        for k in kwargs:
            if k not in specs:
                raise ValueError(f'Protocol message {type(self).__name__} has no "{k}" field.')
        for k, v in kwargs.items():
            if v is not None:
                self._assign(specs[k], v)

    # presence
    def _touch(self):
        parent = self._parent
        if parent is not None:
            owner, name = parent
            owner._mark(name)

    def _mark(self, name):
        if name not in self._present:
            if self._oneof and name in self._oneof[1]:
                for other in self._oneof[1]:
                    if other != name and other in self._present:
                        self._present.remove(other)
                        self._values.pop(other, None)
            self._present.append(name)
        self._touch()

    def _assign(self, spec, v):
        name, _, kind, typ = spec
        if kind in ("bytes", "float", "int64"):
            check = {"bytes": _check_bytes, "float": _check_float, "int64": _check_int64}[kind]
            if isinstance(v, np.ndarray):
                v = v.tolist() if kind != "int64" else v.astype(np.int64).tolist()
            self._values[name] = _Repeated(check, self, v)
            if v:
                self._mark(name)
        elif kind == "message":
            child = getattr(self, name)
            child.CopyFrom(v)
            self._mark(name)
        elif kind == "map":
            m = getattr(self, name)
            for key, val in dict(v).items():
                m[key].CopyFrom(val)
        else:  # repeated messages
            lst = getattr(self, name)
            for item in v:
                lst.add().CopyFrom(item)

    def __getattr__(self, name):
        specs = {f[0]: f for f in type(self)._fields}
        if name not in specs:
            raise AttributeError(f"{type(self).__name__} object has no attribute {name!r}")
        _, _, kind, typ = specs[name]
        if kind in ("bytes", "float", "int64"):
            check = {"bytes": _check_bytes, "float": _check_float, "int64": _check_int64}[kind]
            value = _Repeated(check, self)
        elif kind == "message":
            value = typ()
            object.__setattr__(value, "_parent", (self, name))
        elif kind == "map":
            value = _MessageMap(typ, self, name)
        else:
            value = _MessageList(typ, self, name)
        self._values[name] = value
        return value

    def __getattribute__(self, name):
        if name[0] != "_" and name in object.__getattribute__(self, "_values"):
            return object.__getattribute__(self, "_values")[name]
        return object.__getattribute__(self, name)

    def __setattr__(self, name, v):
        specs = {f[0]: f for f in self._fields}
        if name not in specs:
            raise AttributeError(f"{type(self).__name__} object has no attribute {name!r}")
        kind = specs[name][2]
        if kind in ("message", "map", "messages"):
            raise AttributeError(f'Assignment not allowed to field "{name}" in protocol '
                                 'message object.')
        raise AttributeError(f'Assignment not allowed to repeated field "{name}" in protocol '
                             'message object.')

    # protobuf API
    def WhichOneof(self, oneof_group):  # noqa: N802
        """Returns the name of the set member of oneof ``oneof_group``, or None."""
        if not self._oneof or oneof_group != self._oneof[0]:
            raise ValueError(f'Protocol message has no oneof "{oneof_group}" field.')
        for n in self._present:
            if n in self._oneof[1]:
                return n
        return None

    def HasField(self, field_name):  # noqa: N802
        """Returns True if the message field ``field_name`` is set."""
        kinds = {f[0]: f[2] for f in self._fields}
        if kinds.get(field_name) != "message" and field_name != (self._oneof or ("",))[0]:
            raise ValueError(f'Protocol message {type(self).__name__} has no singular '
                             f'"{field_name}" field.')
        if self._oneof and field_name == self._oneof[0]:
            return self.WhichOneof(field_name) is not None
        return field_name in self._present

    def Clear(self):  # noqa: N802
        """Resets every field."""
        self._values.clear()
        self._present.clear()

    def CopyFrom(self, other):  # noqa: N802
        """Replaces this message's contents with a copy of ``other``'s."""
        if type(other) is not type(self):
            raise TypeError(f"Parameter to CopyFrom() must be instance of same class: expected "
                            f"{type(self).__name__} got {type(other).__name__}.")
        if other is self:
            return
        self.Clear()
        self.MergeFromString(other.SerializeToString())
        self._touch()

    def MergeFrom(self, other):  # noqa: N802
        """Merges ``other``'s fields into this message."""
        self.MergeFromString(other.SerializeToString())

    def SerializeToString(self, deterministic=None):  # noqa: N802
        """Returns the wire encoding as bytes."""
        return bytes(self._encode())

    def ParseFromString(self, serialized):  # noqa: N802
        """Replaces the contents with the message decoded from ``serialized``; returns its length."""
        self.Clear()
        return self.MergeFromString(serialized)

    def MergeFromString(self, serialized):  # noqa: N802
        """Merges the message decoded from ``serialized``; returns the number of bytes read."""
        buf = memoryview(bytes(serialized))
        try:
            self._decode(buf)
        except DecodeError:
            raise DecodeError(f"Error parsing message with type 'tensorflow.{self._name}': "
                              "Wire format was corrupt") from None
        return len(buf)

    @classmethod
    def FromString(cls, s):  # noqa: N802
        """Returns a new message decoded from bytes ``s``."""
        m = cls()
        m.MergeFromString(s)
        return m

    def ByteSize(self):  # noqa: N802
        """Returns the length of the serialized message."""
        return len(self._encode())

    def ListFields(self):  # noqa: N802
        """Returns ``[(name, value)]`` for the fields that are set (no descriptors)."""
        out = []
        for name, _, kind, _ in self._fields:
            v = self._values.get(name)
            if kind == "message":
                if name in self._present:
                    out.append((name, v))
            elif v:
                out.append((name, v))
        return out

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._canonical() == other._canonical()

    def _canonical(self):
        return self.SerializeToString()

    __hash__ = None

    def __str__(self):
        return "".join(self._text(0))

    __repr__ = __str__

    def __deepcopy__(self, memo):
        return type(self).FromString(self.SerializeToString())

    def __reduce__(self):
        return (type(self).FromString, (self.SerializeToString(),))

    # wire
    def _encode(self):
        out = bytearray()
        for name, number, kind, _ in self._fields:
            v = self._values.get(name)
            if kind == "bytes":
                for item in v or ():
                    out += wire.length_delimited(number, item)
            elif kind == "float":
                if v:
                    out += wire.length_delimited(number, np.asarray(v, "<f4").tobytes())
            elif kind == "int64":
                if v:
                    out += wire.length_delimited(number, b"".join(map(wire.varint, v)))
            elif kind == "message":
                if name in self._present:
                    out += wire.length_delimited(number, v._encode())
            elif kind == "map":
                for key in sorted(v or ()):
                    entry = (wire.length_delimited(1, key.encode())
                             + wire.length_delimited(2, v[key]._encode()))
                    out += wire.length_delimited(number, entry)
            else:
                for item in v or ():
                    out += wire.length_delimited(number, item._encode())
        return out

    def _decode(self, buf):
        by_number = {f[1]: f for f in self._fields}
        for number, wt, value in wire.fields(buf):
            spec = by_number.get(number)
            if spec is None:
                continue  # unknown fields are skipped
            name, _, kind, typ = spec
            if kind == "bytes":
                if wt != 2:
                    raise DecodeError("wrong wire type")
                getattr(self, name).append(bytes(value))
            elif kind == "float":
                target = getattr(self, name)
                if wt == 2:
                    if len(value) % 4:
                        raise DecodeError("packed float length")
                    target.extend(np.frombuffer(value, "<f4").tolist())
                elif wt == 5:
                    target.append(wire.float_from_bits(value))
                else:
                    raise DecodeError("wrong wire type")
            elif kind == "int64":
                target = getattr(self, name)
                if wt == 2:
                    vals, pos = [], 0
                    while pos < len(value):
                        n, pos = wire.read_varint(value, pos, len(value))
                        vals.append(wire.to_signed64(n))
                    target.extend(vals)
                elif wt == 0:
                    target.append(wire.to_signed64(value))
                else:
                    raise DecodeError("wrong wire type")
            elif wt != 2:
                raise DecodeError("wrong wire type")
            elif kind == "message":
                getattr(self, name)._decode(value)
                self._mark(name)
            elif kind == "map":
                key, payload = "", b""
                for n2, wt2, v2 in wire.fields(value):
                    if n2 == 1 and wt2 == 2:
                        try:
                            key = bytes(v2).decode()
                        except UnicodeDecodeError:
                            raise DecodeError("map key is not UTF-8") from None
                    elif n2 == 2 and wt2 == 2:
                        payload = v2
                getattr(self, name)[key]._decode(memoryview(bytes(payload)))
            else:
                getattr(self, name).add()._decode(value)

    def _text(self, depth):
        pad = "  " * depth
        for name, _, kind, _ in self._fields:
            v = self._values.get(name)
            if kind in ("bytes", "float", "int64"):
                for item in v or ():
                    if kind == "bytes":
                        s = '"' + _escape(item) + '"'
                    elif kind == "float":
                        s = _format_float(item)
                    else:
                        s = str(item)
                    yield f"{pad}{name}: {s}\n"
            elif kind == "message":
                if name in self._present:
                    yield f"{pad}{name} {{\n"
                    yield from v._text(depth + 1)
                    yield f"{pad}}}\n"
            elif kind == "map":
                for key in v or ():
                    yield f"{pad}{name} {{\n{pad}  key: \"{_escape(key.encode())}\"\n"
                    yield f"{pad}  value {{\n"
                    yield from v[key]._text(depth + 2)
                    yield f"{pad}  }}\n{pad}}}\n"
            else:
                for item in v or ():
                    yield f"{pad}{name} {{\n"
                    yield from item._text(depth + 1)
                    yield f"{pad}}}\n"


class _MessageMap(dict):
    """``map<string, Message>``: reading a missing key inserts an empty message."""

    def __init__(self, typ, owner, name):
        super().__init__()
        self._typ = typ
        self._owner = owner
        self._name = name

    def __missing__(self, key):
        if isinstance(key, bytes):
            key = key.decode()
        if not isinstance(key, str):
            raise TypeError(f"bad argument type for built-in operation: {type(key).__name__}")
        m = self._typ()
        object.__setattr__(m, "_parent", (self._owner, self._name))
        dict.__setitem__(self, key, m)
        self._owner._touch()
        return m

    def __setitem__(self, key, value):
        self[key].CopyFrom(value)

    def get_or_create(self, key):
        """Returns the message at ``key``, inserting an empty one if missing."""
        return self[key]


class _MessageList(list):
    """``repeated Message``: ``add(**fields)`` appends a new message."""

    def __init__(self, typ, owner, name):
        super().__init__()
        self._typ = typ
        self._owner = owner
        self._name = name

    def add(self, **kwargs):
        """Appends and returns a new message built from ``kwargs``."""
        m = self._typ(**kwargs)
        object.__setattr__(m, "_parent", (self._owner, self._name))
        list.append(self, m)
        self._owner._touch()
        return m

    def append(self, m):
        self.add().CopyFrom(m)

    def extend(self, ms):
        for m in ms:
            self.append(m)


def _message(name, fields, oneof=None, doc=""):
    cls = type(name, (_Message,), {"_name": name, "_fields": fields, "_oneof": oneof,
                                   "__doc__": doc, "__slots__": ("_values", "_present",
                                                                "_parent")})
    cls.__module__ = __name__
    return cls


BytesList = _message("BytesList", (("value", 1, "bytes", None),),
                     doc="A list of byte strings (``tf.train.BytesList``).")
FloatList = _message("FloatList", (("value", 1, "float", None),),
                     doc="A list of float32 values (``tf.train.FloatList``).")
Int64List = _message("Int64List", (("value", 1, "int64", None),),
                     doc="A list of int64 values (``tf.train.Int64List``).")
Feature = _message("Feature", (("bytes_list", 1, "message", BytesList),
                               ("float_list", 2, "message", FloatList),
                               ("int64_list", 3, "message", Int64List)),
                   oneof=("kind", ("bytes_list", "float_list", "int64_list")),
                   doc="One feature: a BytesList, FloatList or Int64List (``tf.train.Feature``).")
Features = _message("Features", (("feature", 1, "map", Feature),),
                    doc="A map from feature name to Feature (``tf.train.Features``).")
FeatureList = _message("FeatureList", (("feature", 1, "messages", Feature),),
                       doc="A list of Features (``tf.train.FeatureList``).")
FeatureLists = _message("FeatureLists", (("feature_list", 1, "map", FeatureList),),
                        doc="A map from name to FeatureList (``tf.train.FeatureLists``).")
Example = _message("Example", (("features", 1, "message", Features),),
                   doc="One record of named features (``tf.train.Example``).")
SequenceExample = _message(
    "SequenceExample", (("context", 1, "message", Features),
                        ("feature_lists", 2, "message", FeatureLists)),
    doc="Context features plus named sequences of features (``tf.train.SequenceExample``).")

