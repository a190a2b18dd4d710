"""The protocol-buffer wire format, just what ``tf.train.Example`` and ``TensorProto`` need.

Varints, length-delimited fields and packed repeated numbers, written against
the published encoding rules (developers.google.com/protocol-buffers/docs/encoding).
Decoding treats its input as hostile: every length is checked against the bytes
that remain before anything is sliced, and a varint is at most 10 bytes.
"""
import struct


class DecodeError(Exception):
    """Raised when bytes are not a valid encoding of the message (as protobuf's DecodeError)."""


def varint(n):
    """Returns the varint encoding of a non-negative int (negatives as 64-bit two's complement)."""
    n &= 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def tag(number, wire_type):
    """Returns the key of field ``number`` with ``wire_type``."""
    return varint((number << 3) | wire_type)


def length_delimited(number, payload):
    """Returns field ``number`` holding ``payload`` bytes (wire type 2)."""
    return tag(number, 2) + varint(len(payload)) + payload


def read_varint(buf, pos, end):
    """Returns ``(value, new_pos)``; DecodeError if truncated or longer than 10 bytes."""
    result = shift = 0
    for _ in range(10):
        if pos >= end:
            raise DecodeError("Truncated message.")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, pos
        shift += 7
    raise DecodeError("Too many bytes when decoding varint.")


def to_signed64(n):
    """Returns the signed int64 of a varint's unsigned value."""
    return n - (1 << 64) if n >= 1 << 63 else n


def fields(buf, pos=0, end=None):
    """Yields ``(number, wire_type, value)`` for each field of a message in ``buf[pos:end]``.

    ``value`` is an int for wire types 0, 1 and 5 and a ``memoryview`` slice for wire type 2.
    """
    end = len(buf) if end is None else end
    while pos < end:
        key, pos = read_varint(buf, pos, end)
        number, wt = key >> 3, key & 7
        if number == 0:
            raise DecodeError("Invalid field number 0.")
        if wt == 0:
            value, pos = read_varint(buf, pos, end)
        elif wt == 2:
            n, pos = read_varint(buf, pos, end)
            if n > end - pos:
                raise DecodeError("Truncated message.")
            value = buf[pos:pos + n]
            pos += n
        elif wt in (1, 5):
            size = 8 if wt == 1 else 4
            if size > end - pos:
                raise DecodeError("Truncated message.")
            value = int.from_bytes(buf[pos:pos + size], "little")
            pos += size
        else:
            raise DecodeError(f"Unsupported wire type {wt}.")
        yield number, wt, value


def float_from_bits(bits):
    """Returns the Python float of the IEEE single with these 32 bits."""
    return struct.unpack("<f", bits.to_bytes(4, "little"))[0]
