"""tf.strings against Python's bytes methods, with TensorFlow's shapes, dtypes and reprs."""
import re

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.strings import RaggedTensor

TEXTS = ["Hello, World!", "  The QUICK brown\tfox  ", "", "ÉCOLE été"]
BYTES = [s.encode("utf-8") for s in TEXTS]


def _vals(t):
    return np.asarray(t.numpy(), dtype=object).tolist()


def test_lower_upper_strip_match_python_ascii():
    assert _vals(tf.strings.lower(TEXTS)) == [b.lower() for b in BYTES]
    assert _vals(tf.strings.upper(TEXTS)) == [b.upper() for b in BYTES]
    assert _vals(tf.strings.strip(TEXTS)) == [b.strip() for b in BYTES]
    # ASCII-only by default, Unicode with encoding="utf-8" (TensorFlow's rule).
    assert tf.strings.lower("ÉCOLE").numpy() == "École".encode("utf-8")
    assert tf.strings.lower("ÉCOLE", encoding="utf-8").numpy() == "école".encode("utf-8")


def test_repr_dtype_shape():
    t = tf.strings.lower("CamelCase string and ALL CAPS")
    assert repr(t) == ("<tf.Tensor: shape=(), dtype=string, "
                       "numpy=b'camelcase string and all caps'>")
    t2 = tf.strings.lower([["A", "B"], ["C", "D"]])
    assert t2.dtype == tf.string and t2.shape == (2, 2)


def test_regex_replace_matches_re_sub():
    pattern = r"[^a-z ]"
    got = tf.strings.regex_replace(tf.strings.lower(TEXTS), pattern, "")
    assert _vals(got) == [re.sub(pattern.encode(), b"", b.lower()) for b in BYTES]
    html = tf.strings.regex_replace("Text with tags.<br /><b>contains html</b>", "<[^>]+>", " ")
    assert html.numpy() == b"Text with tags.  contains html "
    assert tf.strings.regex_replace("aaa", "a", "b", replace_global=False).numpy() == b"baa"
    # RE2 group references and POSIX classes.
    assert tf.strings.regex_replace("ab-cd", r"(\w+)-(\w+)", r"\2-\1").numpy() == b"cd-ab"
    assert tf.strings.regex_replace("abc", "b", r"<\0>").numpy() == b"a<b>c"
    assert tf.strings.regex_replace("Hi, you!", "[[:punct:]]", "").numpy() == b"Hi you"
    # The book's custom standardization (chapter 11).
    import string
    strip_chars = string.punctuation.replace("[", "").replace("]", "")
    got = tf.strings.regex_replace(tf.strings.lower("Hello, [start] World!"),
                                   f"[{re.escape(strip_chars)}]", "")
    assert got.numpy() == b"hello [start] world"


def test_split_whitespace_ragged():
    r = tf.strings.split(TEXTS)
    assert isinstance(r, RaggedTensor)
    assert r.to_list() == [b.split() for b in BYTES]
    assert r.shape.as_list() == [4, None]
    assert r.dtype == tf.string
    assert repr(tf.strings.split(["hello world", "a"])) == \
        "<tf.RaggedTensor [[b'hello', b'world'], [b'a']]>"
    assert r.row_lengths().numpy().tolist() == [2, 4, 0, 2]
    dense = r.to_tensor()
    assert dense.shape == (4, 4) and dense.numpy()[0, 2] == b""
    np.testing.assert_array_equal(r[1].numpy(), np.array(BYTES[1].split(), dtype=object))


def test_split_scalar_sep_and_maxsplit():
    t = tf.strings.split("a  b c")
    assert repr(t) == "<tf.Tensor: shape=(3,), dtype=string, numpy=array([b'a', b'b', b'c'], " \
                      "dtype=object)>"
    assert tf.strings.split(["1<>2<><>3"], sep="<>").to_list() == [[b"1", b"2", b"", b"3"]]
    assert tf.strings.split(["a,b,c"], sep=",", maxsplit=1).to_list() == [[b"a", b"b,c"]]
    assert tf.strings.split([["a b", "c"]]).to_list() == [[[b"a", b"b"], [b"c"]]]


def test_length_substr_join_reduce_join():
    lens = tf.strings.length(TEXTS)
    assert lens.dtype == tf.int32 and lens.numpy().tolist() == [len(b) for b in BYTES]
    chars = tf.strings.length(TEXTS, unit="UTF8_CHAR").numpy().tolist()
    assert chars == [len(s) for s in TEXTS]
    assert tf.strings.substr("hello", 1, 3).numpy() == b"ell"
    assert tf.strings.substr("hello", -3, 2).numpy() == b"ll"
    assert _vals(tf.strings.join([["a", "b"], "x"], separator="-")) == [b"a-x", b"b-x"]
    rj = tf.strings.reduce_join([["a", "b"], ["c", "d"]], axis=1, separator=" ")
    assert _vals(rj) == [b"a b", b"c d"]
    assert tf.strings.reduce_join([["a", "b"], ["c", "d"]]).numpy() == b"abcd"


def test_to_number_and_error():
    t = tf.strings.to_number(["1.5", "-2", "3e2"])
    assert t.dtype == tf.float32
    np.testing.assert_array_equal(t.numpy(), np.array([1.5, -2, 300], np.float32))
    assert tf.strings.to_number("7", out_type=tf.int32).numpy() == 7
    with pytest.raises(tf.errors.InvalidArgumentError, match="could not correctly convert"):
        tf.strings.to_number("abc")


def test_unicode_split_and_ngrams():
    assert _vals(tf.strings.unicode_split("été", "UTF-8")) == [c.encode() for c in "été"]
    tokens = tf.strings.split(["a b c", "d"])
    assert tf.strings.ngrams(tokens, 2).to_list() == [[b"a b", b"b c"], []]
    assert tf.strings.ngrams(tokens, (1, 2)).to_list() == \
        [[b"a", b"b", b"c", b"a b", b"b c"], [b"d"]]
    assert _vals(tf.strings.ngrams(tf.constant(["x", "y", "z"]), 3, separator="_")) == \
        [b"x_y_z"]


def test_non_string_input_raises():
    # TensorFlow: the kernel refuses a Tensor of another dtype; a Python value fails to
    # convert to tf.string.
    with pytest.raises(tf.errors.InvalidArgumentError, match="cannot compute StringLower as "
                       "input #0\\(zero-based\\) was expected to be a string tensor but is a "
                       "float tensor"):
        tf.strings.lower(tf.constant([1.0]))
    with pytest.raises(TypeError, match="Cannot convert 1 to EagerTensor of dtype string"):
        tf.strings.strip(1)


def test_ragged_from_row_splits():
    r = RaggedTensor.from_row_splits([1, 2, 3, 4], [0, 1, 1, 4])
    assert r.to_list() == [[1], [], [2, 3, 4]]
    assert r.to_tensor().numpy().tolist() == [[1, 0, 0], [0, 0, 0], [2, 3, 4]]
    assert r.to_tensor(shape=[None, 2]).numpy().tolist() == [[1, 0], [0, 0], [2, 3]]
    with pytest.raises(tf.errors.InvalidArgumentError):
        RaggedTensor.from_row_splits([1, 2], [0, 3])


def test_docstring_examples():
    import doctest

    import tapeflow.strings as strings_module
    result = doctest.testmod(strings_module, extraglobs={"tf": tf})
    assert result.attempted >= 3 and result.failed == 0


# -- TensorFlow's behaviour, checked against TF 2.21 (tests/parity/test_strings_text.py) --

def test_regex_replace_skips_an_empty_match_right_after_a_match():
    # RE2: "a*" on "baaac" matches "", "aaa", "" (at the end) -- not "" right after "aaa".
    out = tf.strings.regex_replace(["baaac", "aaa", ""], "a*", "-")
    assert _vals(out) == [b"-b-c-", b"-", b"-"]
    assert _vals(tf.strings.regex_replace(["abc"], "", "-")) == [b"-a-b-c-"]


def test_whitespace_split_with_maxsplit_keeps_the_remainder():
    got = tf.strings.split(["a  b", " c ", "a  ", "x y z"], maxsplit=1).to_list()
    assert got == [[b"a", b"b"], [b"c", b""], [b"a", b""], [b"x", b"y z"]]
    assert tf.strings.split([" a b "], maxsplit=0).to_list() == [[b" a b "]]


def test_split_of_a_ragged_tensor_adds_a_dimension():
    words = tf.strings.split(["a-b c", "d"])
    assert tf.strings.split(words, sep="-").to_list() == [[[b"a", b"b"], [b"c"]], [[b"d"]]]
    assert tf.strings.split(tf.constant([["a b", "c"], ["d", "e"]])).shape.as_list() == \
        [2, 2, None]


def test_reduce_join_joins_the_axes_in_the_order_given():
    m = [["a", "b"], ["c", "d"]]
    assert tf.strings.reduce_join(m, axis=[0, 1]).numpy() == b"acbd"
    assert tf.strings.reduce_join(m, axis=[1, 0]).numpy() == b"abcd"
    with pytest.raises(tf.errors.OutOfRangeError, match="Invalid reduction dimension 2"):
        tf.strings.reduce_join(m, axis=2)


def test_join_needs_equal_shapes_or_scalars():
    assert _vals(tf.strings.join([["a", "b"], "x"], separator="+")) == [b"a+x", b"b+x"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Input shapes do not match: "
                       r"\[2,1\] vs. \[2\]"):
        tf.strings.join([[["a"], ["b"]], ["c", "d"]])


def test_to_number_follows_strtod_and_strtol():
    np.testing.assert_array_equal(tf.strings.to_number(["0x10", " 2", "+3"]).numpy(),
                                  [16.0, 2.0, 3.0])
    for bad, dtype in (("1_0", tf.int32), ("0x10", tf.int32), ("99999999999", tf.int32),
                       ("-7", tf.uint32), ("1_0.5", tf.float32), ("abc", tf.float32)):
        with pytest.raises(tf.errors.InvalidArgumentError, match="could not correctly convert"):
            tf.strings.to_number([bad], out_type=dtype)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'out_type' of half"):
        tf.strings.to_number(["1"], out_type=tf.float16)


def test_substr_negative_length_runs_to_the_end():
    assert _vals(tf.strings.substr(["hello", "ab"], 1, -1)) == [b"ello", b"b"]


def test_ngrams_of_dense_rows_are_dense_and_padding():
    out = tf.strings.ngrams(tf.constant([["a", "b", "c"], ["d", "e", "f"]]), 2)
    assert isinstance(out, tf.Tensor) and out.shape == (2, 2)
    assert _vals(tf.strings.ngrams(tf.constant(["a", "b", "c"]), 2, pad_values="#")) == \
        [b"# a", b"a b", b"b c", b"c #"]


def test_unicode_split_errors_modes():
    bad = tf.constant([b"\xffa"])
    assert tf.strings.unicode_split(bad, "UTF-8").to_list() == [[b"\xef\xbf\xbd", b"a"]]
    assert tf.strings.unicode_split(bad, "UTF-8", errors="ignore").to_list() == [[b"a"]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid formatting"):
        tf.strings.unicode_split(bad, "UTF-8", errors="strict")


def test_ragged_repr_wraps_like_numpy_and_numpy_stacks_equal_rows():
    rt = tf.strings.split(["a b", "c d"])
    assert repr(rt) == "<tf.RaggedTensor [[b'a', b'b'],\n [b'c', b'd']]>"
    assert rt.numpy().shape == (2, 2)
    assert repr(RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 3])) == \
        "<tf.RaggedTensor [[1, 2], [3]]>"
