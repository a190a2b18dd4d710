"""Fast decoding of serialized ``tf.train.Example`` / ``SequenceExample`` bytes straight to
feature values, without building message objects (what ``tf.io.parse_example`` uses)."""
import numpy as np

from tapeflow.io import wire
from tapeflow.io.wire import DecodeError


def decode_features(serialized):
    """Returns ``{name: (kind, values)}`` for a serialized Example, without building message
    objects (the fast path of ``tf.io.parse_example``). ``kind`` is ``"bytes_list"``,
    ``"float_list"``, ``"int64_list"`` or None; float values come as a float32 array.

    Raises:
      DecodeError: if the bytes are not a valid Example.
    """
    buf = memoryview(serialized)
    out = {}
    for n1, w1, features in wire.fields(buf):
        if n1 != 1 or w1 != 2:
            continue
        for n2, w2, entry in wire.fields(features):
            if n2 != 1 or w2 != 2:
                continue
            key, feature = "", None
            for n3, w3, v3 in wire.fields(entry):
                if n3 == 1 and w3 == 2:
                    try:
                        key = bytes(v3).decode()
                    except UnicodeDecodeError:
                        raise DecodeError("map key is not UTF-8") from None
                elif n3 == 2 and w3 == 2:
                    feature = v3
            out[key] = _decode_feature(feature) if feature is not None else (None, [])
    return out


def _decode_feature(buf):
    kind, values = None, []
    for number, wt, lst in wire.fields(buf):
        if wt != 2 or number not in (1, 2, 3):
            continue
        kind = ("bytes_list", "float_list", "int64_list")[number - 1]
        values = [] if kind != "float_list" else np.zeros(0, np.float32)
        parts = []
        for n, w, v in wire.fields(lst):
            if n != 1:
                continue
            if kind == "bytes_list":
                if w != 2:
                    raise DecodeError("wrong wire type")
                values.append(bytes(v))
            elif kind == "float_list":
                if w == 2:
                    if len(v) % 4:
                        raise DecodeError("packed float length")
                    parts.append(np.frombuffer(v, "<f4"))
                elif w == 5:
                    parts.append(np.asarray([wire.float_from_bits(v)], "<f4"))
                else:
                    raise DecodeError("wrong wire type")
            else:
                if w == 2:
                    pos = 0
                    while pos < len(v):
                        x, pos = wire.read_varint(v, pos, len(v))
                        values.append(wire.to_signed64(x))
                elif w == 0:
                    values.append(wire.to_signed64(v))
                else:
                    raise DecodeError("wrong wire type")
        if kind == "float_list":
            values = np.concatenate(parts).astype(np.float32) if parts else values
    return kind, values


def decode_sequence_example(serialized):
    """Returns ``(context, feature_lists)`` of a serialized SequenceExample: ``context`` as
    ``decode_features`` gives it, ``feature_lists`` as ``{name: [(kind, values), ...]}``.

    Raises:
      DecodeError: if the bytes are not a valid SequenceExample.
    """
    buf = memoryview(serialized)
    context, lists = {}, {}
    for number, wt, value in wire.fields(buf):
        if wt != 2:
            continue
        if number == 1:  # Features: re-wrap as an Example to reuse its decoder
            context.update(decode_features(wire.length_delimited(1, bytes(value))))
        elif number == 2:
            for n2, w2, entry in wire.fields(value):
                if n2 != 1 or w2 != 2:
                    continue
                key, steps = "", []
                for n3, w3, v3 in wire.fields(entry):
                    if n3 == 1 and w3 == 2:
                        try:
                            key = bytes(v3).decode()
                        except UnicodeDecodeError:
                            raise DecodeError("map key is not UTF-8") from None
                    elif n3 == 2 and w3 == 2:
                        steps = [_decode_feature(f) for n4, w4, f in wire.fields(v3)
                                 if n4 == 1 and w4 == 2]
                lists[key] = steps
    return context, lists
