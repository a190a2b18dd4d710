"""TensorFlow's checkpoint container (TensorBundle), written and read without TensorFlow.

A bundle ``prefix`` is ``prefix.data-00000-of-00001`` (the tensors' bytes, one after the
other) and ``prefix.index``: a LevelDB table (SSTable) mapping ``""`` to a
``BundleHeaderProto`` and each tensor key to a ``BundleEntryProto`` (dtype, shape, offset,
size, masked CRC-32C of the bytes). String tensors (the object graph, string variables) are
stored as varint lengths, the masked CRC-32C of the lengths as uint32s, then the bytes. The few protobuf
messages are encoded by hand (wire format: varints and length-delimited fields).

Reading is for hostile files: the footer, every block handle, varint and length is
bounds-checked against the file; the index is size-capped; an entry's size must equal its
shape times its dtype's size and lie inside the data file before anything is read; every
index block and every tensor is checked against its CRC-32C.
"""
import struct

import numpy as np

from tapeflow.framework import errors
from tapeflow.io.crc32c import crc32c, mask  # noqa: F401  (re-exported)

MAGIC = 0xdb4775248b80fb57
MAX_INDEX_BYTES = 64 << 20
MAX_STRING_BYTES = 256 << 20
MAX_STRING_ELEMENTS = 1 << 22
MAX_RANK = 32

# TensorFlow's DataType enum <-> NumPy dtype names.
DT = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8",
      8: "complex64", 9: "int64", 10: "bool", 17: "uint16", 18: "complex128", 19: "float16",
      22: "uint32", 23: "uint64"}
DT_STRING = 7
DT_OF = {v: k for k, v in DT.items()}


# -- protobuf wire format -------------------------------------------------------------------

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(number, value):
    """Encodes one field: ints as varints, bytes as length-delimited."""
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    return _varint((number << 3) | 2) + _varint(len(value)) + value


def _fixed32(number, value):
    return _varint((number << 3) | 5) + struct.pack("<I", value)


class _Bad(Exception):
    pass


def _read_varint(b, i, end):
    result = shift = 0
    while True:
        if i >= end or shift > 63:
            raise _Bad("truncated varint")
        c = b[i]
        i += 1
        result |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return result, i


def _parse(b):
    """Returns ``[(field number, value)]`` of a message: ints, or bytes for wire type 2."""
    out, i, end = [], 0, len(b)
    while i < end:
        tag, i = _read_varint(b, i, end)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, i = _read_varint(b, i, end)
        elif wire == 2:
            n, i = _read_varint(b, i, end)
            if i + n > end:
                raise _Bad("truncated field")
            value, i = bytes(b[i:i + n]), i + n
        elif wire == 5:
            if i + 4 > end:
                raise _Bad("truncated field")
            value, i = struct.unpack_from("<I", b, i)[0], i + 4
        elif wire == 1:
            if i + 8 > end:
                raise _Bad("truncated field")
            value, i = struct.unpack_from("<Q", b, i)[0], i + 8
        else:
            raise _Bad(f"unsupported wire type {wire}")
        out.append((number, value))
    return out


def _entry(dtype, shape, offset, size, crc):
    dims = b"".join(_field(2, _field(1, int(d))) for d in shape)
    return (_field(1, dtype) + _field(2, dims) + (_field(4, offset) if offset else b"") +
            _field(5, size) + _fixed32(6, crc))


def _decode_entry(b):
    e = {"dtype": 0, "shape": [], "offset": 0, "size": 0, "crc": None, "shard": 0}
    for number, value in _parse(b):
        if number == 1 and isinstance(value, int):
            e["dtype"] = value
        elif number == 2 and isinstance(value, bytes):
            for n2, dim in _parse(value):
                if n2 == 3 and value:
                    raise _Bad("unknown rank")
                if n2 == 2 and isinstance(dim, bytes):
                    size = dict(_parse(dim)).get(1, 0)
                    if size >= 1 << 63:
                        raise _Bad("negative dimension")
                    e["shape"].append(size)
        elif number == 3:
            e["shard"] = value
        elif number == 4:
            e["offset"] = value
        elif number == 5:
            e["size"] = value
        elif number == 6:
            e["crc"] = value
        elif number == 7:
            raise _Bad("sliced tensors are not supported")
    return e


# -- the object graph (TrackableObjectGraph) ---------------------------------------------------

def encode_object_graph(nodes):
    """Encodes ``[{"children": [(node_id, name)], "attributes": [(name, full_name, key)]}]``
    as a ``TrackableObjectGraph`` message; returns bytes."""
    out = bytearray()
    for node in nodes:
        body = b"".join(_field(1, _field(1, nid) + _field(2, name.encode()))
                        for nid, name in node["children"])
        body += b"".join(_field(2, _field(1, a.encode()) + _field(2, f.encode()) +
                                _field(3, k.encode()))
                         for a, f, k in node["attributes"])
        out += _field(1, body)
    return bytes(out)


def decode_object_graph(b):
    """Returns the nodes of a ``TrackableObjectGraph`` message (as ``encode_object_graph``
    takes them). Raises ``_Bad`` on malformed input."""
    nodes = []
    for number, body in _parse(b):
        if number != 1 or not isinstance(body, bytes):
            continue
        node = {"children": [], "attributes": []}
        for n2, v in _parse(body):
            if n2 == 1 and isinstance(v, bytes):
                f = dict(_parse(v))
                name = f.get(2, b"")
                node["children"].append((f.get(1, 0), name.decode("utf-8", "replace")
                                         if isinstance(name, bytes) else ""))
            elif n2 == 2 and isinstance(v, bytes):
                f = dict(_parse(v))
                node["attributes"].append(tuple(
                    f.get(i, b"").decode("utf-8", "replace") if isinstance(f.get(i), bytes)
                    else "" for i in (1, 2, 3)))
        nodes.append(node)
    return nodes


# -- writing -----------------------------------------------------------------------------------

def _block(items):
    """A table block holding ``items`` (sorted ``(key, value)``), one restart per entry."""
    out, restarts = bytearray(), []
    for key, value in items:
        restarts.append(len(out))
        out += _varint(0) + _varint(len(key)) + _varint(len(value)) + key + value
    for r in restarts:
        out += struct.pack("<I", r)
    out += struct.pack("<I", len(restarts))
    return bytes(out)


def _with_trailer(block):
    return block + b"\x00" + struct.pack("<I", mask(crc32c(block + b"\x00")))


def build_index(entries):
    """Returns the ``.index`` bytes for ``{key: entry bytes}`` (a one-block SSTable)."""
    header = _field(1, 1) + _field(3, _field(1, 1))  # num_shards=1, version{producer=1}
    items = [(b"", header)] + sorted((k.encode("utf-8"), v) for k, v in entries.items())
    data = _block(items)
    handle = _varint(0) + _varint(len(data))
    out = _with_trailer(data)
    meta_off = len(out)
    meta = _block([])
    out += _with_trailer(meta)
    index_off = len(out)
    # The index maps a key >= the block's last key to the block's handle.
    index = _block([(items[-1][0] + b"\x00", handle)])
    out += _with_trailer(index)
    footer = _varint(meta_off) + _varint(len(meta)) + _varint(index_off) + _varint(len(index))
    footer += b"\x00" * (40 - len(footer)) + struct.pack("<Q", MAGIC)
    return bytes(out + footer)


def _encode_strings(arr):
    """TensorFlow's string tensor bytes and masked checksum: varint lengths, the masked
    CRC-32C of the lengths taken as uint32s, then the bytes of each element in order."""
    items = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in arr.reshape(-1)]
    lengths = b"".join(_varint(len(v)) for v in items)
    crc = crc32c(b"".join(struct.pack("<I", len(v)) for v in items))
    length_crc = struct.pack("<I", mask(crc))
    crc = crc32c(length_crc, crc)
    body = b"".join(items)
    return lengths + length_crc + body, mask(crc32c(body, crc))


def encode(values, strings=None):
    """Returns ``(data chunks, {key: entry bytes})`` for ``{key: ndarray}`` values (numbers,
    bools, or object arrays of bytes/str for string tensors) and ``{key: bytes}`` scalar
    strings, in key order.

    Raises:
      TypeError: for a dtype a bundle cannot hold.
    """
    chunks, entries, offset = [], {}, 0
    items = [(k, np.asarray(v)) for k, v in values.items()] + \
        [(k, np.array(v, dtype=object)) for k, v in (strings or {}).items()]
    for key, arr in sorted(items, key=lambda t: t[0]):
        if arr.dtype == object or arr.dtype.kind in "SU":
            arr = arr.astype(object)
            if not all(isinstance(v, (bytes, str)) for v in arr.reshape(-1)):
                raise TypeError(f"Cannot save {key!r} in a checkpoint: an object array that "
                                "is not all bytes or str.")
            raw, crc = _encode_strings(arr)
            entry = _entry(DT_STRING, arr.shape, offset, len(raw), crc)
        elif arr.dtype.name in DT_OF:
            raw = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
            entry = _entry(DT_OF[arr.dtype.name], arr.shape, offset, len(raw),
                           mask(crc32c(raw)))
        else:
            raise TypeError(f"Cannot save {key!r} in a checkpoint: dtype {arr.dtype} is not "
                            "supported.")
        chunks.append(raw)
        entries[key] = entry
        offset += len(raw)
    return chunks, entries


# -- reading ------------------------------------------------------------------------------------

def _read_block(b, offset, size):
    if offset + size + 5 > len(b):
        raise _Bad("block handle beyond the end of the index")
    block = b[offset:offset + size]
    if b[offset + size] != 0:
        raise _Bad("compressed blocks are not supported")
    stored = struct.unpack_from("<I", b, offset + size + 1)[0]
    if stored != mask(crc32c(b[offset:offset + size + 1])):
        raise _Bad("block checksum mismatch")
    return block


def _block_items(block):
    if len(block) < 4:
        raise _Bad("short block")
    n = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 - 4 * n
    if n > len(block) or end < 0:
        raise _Bad("bad restart count")
    items, i, last = [], 0, b""
    while i < end:
        shared, i = _read_varint(block, i, end)
        fresh, i = _read_varint(block, i, end)
        vlen, i = _read_varint(block, i, end)
        if shared > len(last) or i + fresh + vlen > end:
            raise _Bad("bad block entry")
        key = last[:shared] + bytes(block[i:i + fresh])
        i += fresh
        items.append((key, bytes(block[i:i + vlen])))
        i += vlen
        last = key
    return items


def parse_index(raw):
    """Returns ``{key: entry dict}`` of a bundle ``.index`` (entry dicts: dtype enum, shape,
    offset, size, crc, shard). Raises ``_Bad`` for anything malformed."""
    if len(raw) < 48 or struct.unpack_from("<Q", raw, len(raw) - 8)[0] != MAGIC:
        raise _Bad("not a TensorFlow checkpoint index (no table footer)")
    footer = raw[len(raw) - 48:len(raw) - 8]
    _, i = _read_varint(footer, 0, 40)
    _, i = _read_varint(footer, i, 40)
    index_off, i = _read_varint(footer, i, 40)
    index_size, i = _read_varint(footer, i, 40)
    entries = {}
    for _, handle in _block_items(_read_block(raw, index_off, index_size)):
        off, j = _read_varint(handle, 0, len(handle))
        size, _ = _read_varint(handle, j, len(handle))
        for key, value in _block_items(_read_block(raw, off, size)):
            if not key:
                continue  # the header
            try:
                name = key.decode("utf-8")
            except UnicodeDecodeError:
                raise _Bad("a key is not UTF-8") from None
            if name in entries:
                raise _Bad(f"duplicate key {name!r}")
            entries[name] = _decode_entry(value)
    return entries


def check_entry(key, e, data_size):
    """Raises ``_Bad`` unless entry ``e`` describes a readable tensor inside the data file."""
    if e["shard"]:
        raise _Bad(f"{key!r} lives in another shard")
    if e["dtype"] not in DT and e["dtype"] != DT_STRING:
        raise _Bad(f"{key!r} has an unsupported dtype (enum {e['dtype']})")
    if len(e["shape"]) > MAX_RANK:
        raise _Bad(f"{key!r} has an invalid shape")
    if e["crc"] is None:
        raise _Bad(f"{key!r} has no checksum")
    count = 1
    for d in e["shape"]:
        count *= d  # Python ints: no overflow
    if e["dtype"] == DT_STRING:
        # each element takes at least a one-byte length; cap the Python objects made
        if e["size"] > MAX_STRING_BYTES or count > MAX_STRING_ELEMENTS or \
                count + 4 > e["size"]:
            raise _Bad(f"{key!r} declares {count} strings in {e['size']} bytes (at most "
                       f"{MAX_STRING_ELEMENTS} strings, {MAX_STRING_BYTES} bytes)")
    else:
        if count * np.dtype(DT[e["dtype"]]).itemsize != e["size"]:
            raise _Bad(f"{key!r} declares {e['size']} bytes for shape {e['shape']} of "
                       f"{DT[e['dtype']]}")
    if e["offset"] + e["size"] > data_size:
        raise _Bad(f"{key!r} lies beyond the end of the data file")


def _decode_strings(key, e, raw):
    count = 1
    for d in e["shape"]:
        count *= d
    lengths, i = [], 0
    for _ in range(count):
        n, i = _read_varint(raw, i, len(raw))
        if n >= 1 << 32:
            raise _Bad(f"the string tensor {key!r} is malformed")
        lengths.append(n)
    if i + 4 + sum(lengths) != len(raw):
        raise _Bad(f"the string tensor {key!r} is malformed")
    crc = crc32c(raw[i:], crc32c(b"".join(struct.pack("<I", n) for n in lengths)))
    if mask(crc) != e["crc"]:
        raise _Bad(f"the data of {key!r} does not match its checksum")
    out, j = np.empty(count, dtype=object), i + 4
    for k, n in enumerate(lengths):
        out[k] = raw[j:j + n]
        j += n
    return out.reshape(e["shape"])


def decode_value(key, e, raw):
    """Returns the tensor stored in ``raw`` (its entry's bytes) as an ndarray (an object
    array of bytes for strings). Raises ``_Bad`` on a checksum mismatch."""
    if len(raw) != e["size"]:
        raise _Bad(f"the data of {key!r} is truncated")
    if e["dtype"] == DT_STRING:
        return _decode_strings(key, e, raw)
    if mask(crc32c(raw)) != e["crc"]:
        raise _Bad(f"the data of {key!r} does not match its checksum")
    dtype = np.dtype(DT[e["dtype"]]).newbyteorder("<")
    arr = np.frombuffer(raw, dtype=dtype).reshape(e["shape"])
    return arr.astype(arr.dtype.newbyteorder("="), copy=True)


def bad(prefix, why):
    """Returns the DataLossError for a malformed checkpoint ``prefix``."""
    return errors.DataLossError(None, None, f"Checkpoint {prefix!r} is corrupt: {why}")


__all__ = ["crc32c", "mask", "build_index", "encode", "parse_index", "check_entry",
           "decode_value", "encode_object_graph", "decode_object_graph", "bad"]
