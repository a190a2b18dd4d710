"""FarmHash Fingerprint64 and the hashed cross, against values TensorFlow computes."""
import tapeflow as tf
from tapeflow.ops import farmhash

# tf.fingerprint(...) of these strings (FarmHash64, read little-endian), one per length class
CASES = [(b"", 11160318154034397263), (b"a", 12917804110809363939),
         (b"hello", 13009744463427800296), (b"hello world!", 4577883861590986596),
         (b"x" * 20, 8233088228747857348), (b"y" * 40, 276292113409495006),
         (b"z" * 100, 9220849947163966073), (bytes(range(200)), 525935771297148851)]


def test_fingerprint64_matches_tensorflow():
    for data, expected in CASES:
        assert farmhash.fingerprint64(data) == expected, data


def test_to_hash_bucket_fast():
    t = tf.strings.to_hash_bucket_fast(["", "a", "hello"], 1000)
    assert t.dtype == tf.int64
    assert t.numpy().tolist() == [c[1] % 1000 for c in CASES[:3]]


def test_cross_hash_mixes_strings_and_integers():
    # keras.layers.HashedCrossing(5) docstring example: [1, 4, 1, 1, 3]
    pairs = [(b"A", 101), (b"B", 101), (b"A", 101), (b"B", 102), (b"A", 102)]
    assert [farmhash.cross_hash(p, 5) for p in pairs] == [1, 4, 1, 1, 3]
