"""Hash buckets and hashed crosses as TensorFlow computes them, on FarmHash's
``Fingerprint64`` (``tapeflow.string_hash``).

TensorFlow's ``tf.strings.to_hash_bucket_fast`` (and so Keras's ``Hashing``,
``HashedCrossing`` and the lookup layers' OOV buckets) is ``Fingerprint64(s) % buckets``.
"""
from tapeflow.string_hash import fingerprint64

_M = 0xFFFFFFFFFFFFFFFF


def _mix(v):
    return v ^ (v >> 47)


def hash_bucket_fast(values, num_buckets):
    """Returns ``[fingerprint64(v) % num_buckets for v in values]`` (values: bytes)."""
    return [fingerprint64(v) % num_buckets for v in values]


def fingerprint_cat64(fp1, fp2):
    """Returns TensorFlow's ``FingerprintCat64``: two fingerprints combined into one."""
    mul = 0xc6a4a7935bd1e995
    result = fp1 ^ mul
    result ^= (_mix((fp2 * mul) & _M) * mul) & _M
    result = (result * mul) & _M
    result = (_mix(result) * mul) & _M
    return _mix(result)


CROSS_HASH_KEY = 0xDECAFCAFFE   # tf.sparse.cross_hashed's default hash_key


def cross_hash(features, num_buckets, key=CROSS_HASH_KEY):
    """Returns the hashed cross of one value per feature (bytes or ints), as TensorFlow's
    ``sparse.cross_hashed``: fingerprints chained with ``fingerprint_cat64``, modulo
    ``num_buckets`` (when positive)."""
    h = key
    for f in features:   # an integer feature is its own hash (two's complement)
        fp = fingerprint64(f) if isinstance(f, bytes) else int(f) & _M
        h = fingerprint_cat64(h, fp)
    return h % num_buckets if num_buckets > 0 else h % 0x7FFFFFFFFFFFFFFF
