"""tf.bitwise and tf.sets parity: same reprs and exception classes as TensorFlow."""
import pytest

import tapeflow as tf


def _ab(lib):
    return lib.constant([0, 5, 3, 14]), lib.constant([5, 0, 7, 11])


def _sets(lib):
    return lib.constant([[1, 2, 3], [4, 5, 6]]), lib.constant([[1, 3, 9], [6, 7, 4]])


CALLS = {
    "and": lambda lib: lib.bitwise.bitwise_and(*_ab(lib)),
    "or": lambda lib: lib.bitwise.bitwise_or(*_ab(lib)),
    "xor": lambda lib: lib.bitwise.bitwise_xor(*_ab(lib)),
    "invert": lambda lib: lib.bitwise.invert(_ab(lib)[0]),
    "invert_uint8": lambda lib: lib.bitwise.invert(lib.constant([0, 5], lib.uint8)),
    "left_shift": lambda lib: lib.bitwise.left_shift(_ab(lib)[0], 2),
    "right_shift": lambda lib: lib.bitwise.right_shift(lib.constant([-8, 8]), 1),
    "shift_overflow": lambda lib: lib.bitwise.left_shift(lib.constant([1], lib.int8),
                                                         lib.constant([9], lib.int8)),
    "float_refused": lambda lib: lib.bitwise.bitwise_and(lib.constant([1.]), lib.constant([1.])),
    "dtype_mismatch": lambda lib: lib.bitwise.bitwise_and(_ab(lib)[0],
                                                          lib.constant([1, 2, 3, 4], lib.int64)),
    "intersection": lambda lib: lib.sets.intersection(*_sets(lib)),
    "union": lambda lib: lib.sets.union(*_sets(lib)),
    "difference": lambda lib: lib.sets.difference(*_sets(lib)),
    "difference_b": lambda lib: lib.sets.difference(*_sets(lib), aminusb=False),
    "strings": lambda lib: lib.sets.intersection(lib.constant([[b"a", b"b"]]),
                                                 lib.constant([[b"b", b"c"]])),
    "rank3": lambda lib: lib.sets.union(lib.constant([[[1, 2], [3, 3]]]),
                                        lib.constant([[[2, 5], [1, 0]]])),
    "size_sparse": lambda lib: lib.sets.size(lib.sparse.from_dense([[1, 1, 2], [3, 3, 0]])),
    "size_dense": lambda lib: lib.sets.size(_sets(lib)[0]),
    "rank1": lambda lib: lib.sets.intersection(lib.constant([1, 2]), lib.constant([2])),
    "float_sets": lambda lib: lib.sets.intersection(lib.constant([[1.]]), lib.constant([[1.]])),
}


def _outcome(fn, lib):
    try:
        return ("ok", repr(fn(lib)))
    except Exception as e:  # noqa: BLE001
        return ("raises", type(e).__name__)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_call(rtf, name):
    assert _outcome(CALLS[name], tf) == _outcome(CALLS[name], rtf)
