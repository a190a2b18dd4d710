"""tf.strings extras parity: same values, dtypes, reprs and exception classes as TensorFlow."""
import pytest

import tapeflow as tf

CALLS = {
    "add_scalars": lambda lib: lib.constant("a") + lib.constant("b"),
    "add_python": lambda lib: lib.constant(["a", "b"]) + "c",
    "radd_python": lambda lib: "c" + lib.constant(["a", "b"]),
    "tf_add": lambda lib: lib.add(lib.constant("a"), "b"),
    "bytes_split": lambda lib: lib.strings.bytes_split("hello"),
    "bytes_split_ragged": lambda lib: lib.strings.bytes_split(["hello", "ab"]),
    "unicode_decode": lambda lib: lib.strings.unicode_decode("héllo", "UTF-8"),
    "unicode_decode_vec": lambda lib: lib.strings.unicode_decode(["héllo", "ab"], "UTF-8"),
    "unicode_decode_bad": lambda lib: lib.strings.unicode_decode(b"\xff", "UTF-8"),
    "unicode_decode_strict": lambda lib: lib.strings.unicode_decode(b"\xff", "UTF-8",
                                                                    errors="strict"),
    "unicode_decode_utf16": lambda lib: lib.strings.unicode_decode("héllo", "UTF-16-BE"),
    "unicode_decode_offsets": lambda lib: lib.strings.unicode_decode_with_offsets("héllo",
                                                                                  "UTF-8"),
    "unicode_encode": lambda lib: lib.strings.unicode_encode([104, 233, 108], "UTF-8"),
    "unicode_encode_ragged": lambda lib: lib.strings.unicode_encode(
        lib.ragged.constant([[104, 233], [108]]), "UTF-8"),
    "unicode_encode_bad": lambda lib: lib.strings.unicode_encode([104, 0x110000], "UTF-8"),
    "unicode_transcode": lambda lib: lib.strings.unicode_transcode(["héllo"], "UTF-8",
                                                                   "UTF-16-BE"),
    "hash_fast": lambda lib: lib.strings.to_hash_bucket_fast(["hello", "world", ""], 1000),
    "hash_legacy": lambda lib: lib.strings.to_hash_bucket(["hello", "world", ""], 1000),
    "hash_strong": lambda lib: lib.strings.to_hash_bucket_strong(["hello", "world"], 1000,
                                                                 key=[7, 9]),
    "format": lambda lib: lib.strings.format("x={} y={}", [1, lib.constant([1.5, 2.0])]),
    "format_2d": lambda lib: lib.strings.format("{}", lib.constant([[1, 2], [3, 4]])),
    "format_summarize": lambda lib: lib.strings.format("{}", lib.range(20)),
    "format_mismatch": lambda lib: lib.strings.format("{}", [1, 2]),
    "as_string": lambda lib: lib.strings.as_string([1.5, 2.25]),
    "as_string_width": lambda lib: lib.strings.as_string([1, 22], width=4, fill="0"),
    "as_string_precision": lambda lib: lib.strings.as_string([1.5], precision=3),
    "as_string_bool": lambda lib: lib.strings.as_string([True, False]),
    "as_string_big": lambda lib: lib.strings.as_string([1.5e10, 1e-5]),
    "as_string_scientific": lambda lib: lib.strings.as_string(3.0, scientific=True),
    "segment_join": lambda lib: lib.strings.unsorted_segment_join(
        ["a", "b", "c"], [0, 1, 0], 3, separator=","),
    "scatter_max": lambda lib: lib.tensor_scatter_nd_max([1., 5., 3.], [[0], [1], [0]],
                                                         [4., 2., 6.]),
    "scatter_min": lambda lib: lib.tensor_scatter_nd_min([1, 5, 3], [[0], [1]], [4, 2]),
}


def _outcome(fn, lib):
    try:
        return ("ok", repr(fn(lib)))
    except Exception as e:  # noqa: BLE001
        return ("raises", type(e).__name__)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_call(rtf, name):
    assert _outcome(CALLS[name], tf) == _outcome(CALLS[name], rtf)
