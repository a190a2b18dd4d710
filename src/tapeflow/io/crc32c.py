"""CRC-32C (Castagnoli), the checksum TFRecord files use, in NumPy.

Short inputs go through the classic byte-at-a-time table loop. Long inputs are
cut into equal lanes that NumPy advances together, one byte position per step;
the lane checksums are then joined pairwise with the "shift by n zero bytes"
operator, a 32x32 matrix over GF(2) (as zlib's ``crc32_combine``), so the
Python-level loop runs about sqrt(n) times instead of n.
"""
import numpy as np

_POLY = 0x82F63B78  # reflected Castagnoli polynomial


def _make_table():
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ np.uint32(_POLY), t >> 1).astype(np.uint32)
    return t


_TABLE = _make_table()
_TABLE_LIST = [int(v) for v in _TABLE]
_SHORT = 2048
_BITS = np.arange(32, dtype=np.uint32)
_shift_cache = {}


def _update_short(reg, data):
    t = _TABLE_LIST
    for b in data:
        reg = t[(reg ^ b) & 0xFF] ^ (reg >> 8)
    return reg


def _apply(cols, x):
    """Applies the GF(2) matrix given by its 32 columns ``cols`` to each uint32 of ``x``."""
    bits = (x[..., None] >> _BITS) & np.uint32(1)
    return np.bitwise_xor.reduce(np.where(bits.astype(bool), cols, np.uint32(0)), axis=-1)


def _pow2_matrix(b):
    """Columns of the operator taking a CRC register through ``2**b`` zero bytes."""
    cols = _shift_cache.get(b)
    if cols is None:
        if b == 0:
            reg = (np.uint32(1) << _BITS).astype(np.uint32)
            cols = _TABLE[reg & 0xFF] ^ (reg >> np.uint32(8))
        else:
            half = _pow2_matrix(b - 1)
            cols = _apply(half, half)  # squaring: the operator applied twice
        _shift_cache[b] = cols
    return cols


def _shift(reg, nbytes):
    """Returns the register ``reg`` after ``nbytes`` zero bytes."""
    x = np.array(reg, dtype=np.uint32)
    b = 0
    while nbytes:
        if nbytes & 1:
            x = _apply(_pow2_matrix(b), x)
        nbytes >>= 1
        b += 1
    return int(x)


def _update_long(reg, buf):
    # reg(init, data) = shift_n(init) ^ reg(0, data), and leading zero bytes leave a zero
    # register at zero, so the data is front-padded to k lanes of L bytes (both powers of two).
    n = len(buf)
    lane_bits = max(6, (n.bit_length() + 1) // 2)
    lane = 1 << lane_bits
    k = 1 << max(0, (n - 1).bit_length() - lane_bits)
    padded = np.zeros(k * lane, dtype=np.uint8)
    padded[k * lane - n:] = np.frombuffer(buf, dtype=np.uint8)
    arr = padded.reshape(k, lane)
    regs = np.zeros(k, dtype=np.uint32)
    for j in range(lane):
        regs = _TABLE[(regs ^ arr[:, j]) & 0xFF] ^ (regs >> np.uint32(8))
    b = lane_bits
    while len(regs) > 1:  # crc(A||B) = shift_len(B)(crc(A)) ^ crc0(B)
        regs = _apply(_pow2_matrix(b), regs[0::2]) ^ regs[1::2]
        b += 1
    return _shift(reg, n) ^ int(regs[0])


_by_distance = []  # [table of byte contributions at each distance from the end, init shifts]


def _distance_tables():
    """``T[d][b]``: the register contribution of byte ``b`` followed by ``d`` zero bytes,
    and ``Z[n]``: the initial register 0xFFFFFFFF after ``n`` zero bytes (built once, 2 MiB)."""
    if not _by_distance:
        t = np.empty((_SHORT, 256), np.uint32)
        t[0] = _TABLE
        for d in range(1, _SHORT):
            prev = t[d - 1]
            t[d] = _TABLE[prev & 0xFF] ^ (prev >> np.uint32(8))
        z = [0xFFFFFFFF]
        for _ in range(_SHORT):
            r = z[-1]
            z.append(_TABLE_LIST[r & 0xFF] ^ (r >> 8))
        _by_distance.extend([t, np.asarray(z, np.uint32), np.arange(_SHORT - 1, -1, -1)])
    return _by_distance


def _crc_short(buf):
    """CRC-32C of a short buffer by linearity: XOR of each byte's contribution at its
    distance from the end, plus the shifted initial register; one NumPy gather."""
    n = len(buf)
    t, z, rev = _distance_tables()
    a = np.frombuffer(buf, np.uint8)
    reg = int(np.bitwise_xor.reduce(t[rev[_SHORT - n:], a])) ^ int(z[n]) if n else int(z[0])
    return (~reg) & 0xFFFFFFFF


def crc32c(data, crc=0):
    """Returns the CRC-32C of ``data`` (bytes-like), continuing from checksum ``crc``."""
    buf = memoryview(data).cast("B")
    n = len(buf)
    if crc == 0 and 16 <= n < _SHORT:
        return _crc_short(buf)
    reg = (~crc) & 0xFFFFFFFF
    reg = _update_short(reg, buf) if n < _SHORT else _update_long(reg, buf)
    return (~reg) & 0xFFFFFFFF


def mask(crc):
    """Returns the masked form of a CRC that TFRecord and LevelDB store: rotated right by 15
    bits plus a constant (so CRCs of data holding CRCs stay distinct)."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def masked_crc32c(data):
    """Returns TFRecord's masked CRC-32C of ``data``."""
    return mask(crc32c(data))
