"""io/wire.py: the protobuf wire format, decoded as hostile input."""
import pytest

from tapeflow.io import wire


def test_varint_encoding_and_fields_round_trip():
    assert wire.varint(300) == b"\xac\x02"
    assert len(wire.varint(-1)) == 10
    assert wire.to_signed64(wire.read_varint(wire.varint(-5), 0, 10)[0]) == -5
    msg = wire.tag(1, 0) + wire.varint(150) + wire.length_delimited(2, b"hi")
    out = [(n, wt, bytes(v) if wt == 2 else v) for n, wt, v in wire.fields(msg)]
    assert out == [(1, 0, 150), (2, 2, b"hi")]


@pytest.mark.parametrize("bad", [
    wire.tag(2, 2) + wire.varint(100) + b"short",   # length beyond the buffer
    b"\x08" + b"\xff" * 11,                            # varint over 10 bytes
    b"\x08",                                           # truncated varint
    b"\x00\x01",                                       # field number 0
    wire.tag(1, 3),                                    # group wire type
])
def test_malformed_input_raises_decode_error(bad):
    with pytest.raises(wire.DecodeError):
        list(wire.fields(bad))
