"""io/crc32c.py: CRC-32C (Castagnoli) and TFRecord's masked form."""
import numpy as np

from tapeflow.io import crc32c as C


def _reference(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_check_value_and_reference_at_short_and_long_lengths():
    assert C.crc32c(b"123456789") == 0xE3069283     # the standard check value
    assert C.crc32c(b"") == 0
    rng = np.random.default_rng(0)
    for n in (1, 15, 16, 100, 2047, 2048, 5000):    # byte loop, table path, lane path
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert C.crc32c(data) == _reference(data), n


def test_continuation_and_mask():
    a, b = b"hello " * 500, b"world" * 3
    assert C.crc32c(b, C.crc32c(a)) == C.crc32c(a + b)
    crc = C.crc32c(b"abc")
    rotated = ((crc >> 15) | (crc << 17)) & 0xFFFFFFFF
    assert C.masked_crc32c(b"abc") == (rotated + 0xA282EAD8) & 0xFFFFFFFF
