"""tf.TensorShape: equality, indexing, unknown dims and text, as in TensorFlow."""
import pickle

import pytest

import tapeflow as tf


def test_equality_with_tuples_lists_and_shapes():
    s = tf.TensorShape([2, 3])
    assert s == (2, 3) and s == [2, 3] and s == tf.TensorShape((2, 3))
    assert s != (3, 2) and s != [2] and not (s == (2, 3, 1))
    assert tf.TensorShape([None, 3]) == [None, 3]
    assert tf.constant([[1, 2, 3]]).shape == (1, 3)
    assert hash(s) == hash(tf.TensorShape([2, 3]))


def test_as_list_indexing_len_iter():
    s = tf.TensorShape([4, None, 2])
    assert s.as_list() == [4, None, 2]
    assert s[0] == 4 and s[1] is None and s[-1] == 2
    assert s[1:] == tf.TensorShape([None, 2]) and isinstance(s[1:], tf.TensorShape)
    assert len(s) == 3 and list(s) == [4, None, 2] and tuple(s) == (4, None, 2)
    assert s.rank == 3 and s.ndims == 3
    with pytest.raises(IndexError):
        s[3]


@pytest.mark.parametrize("dims,text,rep", [
    ([None, 3], "(None, 3)", "TensorShape([None, 3])"),
    ([5], "(5,)", "TensorShape([5])"),
    ([], "()", "TensorShape([])"),
    ([2, 3, 4], "(2, 3, 4)", "TensorShape([2, 3, 4])"),
    (None, "<unknown>", "TensorShape(None)"),
])
def test_str_and_repr(dims, text, rep):
    s = tf.TensorShape(dims)
    assert str(s) == text and repr(s) == rep


def test_unknown_rank():
    s = tf.TensorShape(None)
    assert s.rank is None and s.dims is None
    with pytest.raises(ValueError):
        s.as_list()
    with pytest.raises(ValueError):
        len(s)
    assert s.is_compatible_with([1, 2]) and not s.is_fully_defined()
    assert s.num_elements() is None


def test_compatibility_merge_concatenate():
    a = tf.TensorShape([None, 3])
    assert a.is_compatible_with([5, 3]) and not a.is_compatible_with([5, 4])
    assert not a.is_compatible_with([5, 3, 1])
    assert a.merge_with([5, None]) == [5, 3]
    with pytest.raises(ValueError):
        a.merge_with([5, 4])
    assert a.concatenate([7]) == [None, 3, 7]
    assert a + tf.TensorShape([1]) == [None, 3, 1]
    assert tf.TensorShape([2, 3]).num_elements() == 6 and a.num_elements() is None
    assert tf.TensorShape([2, 3]).is_fully_defined() and not a.is_fully_defined()
    assert a.with_rank(2) is a
    with pytest.raises(ValueError):
        a.with_rank(3)


def test_bool_and_pickle():
    assert bool(tf.TensorShape([])) and not bool(tf.TensorShape(None))
    s = tf.TensorShape([None, 4])
    assert pickle.loads(pickle.dumps(s)) == s


def test_tensor_shapes_are_tensorshapes():
    t = tf.zeros((2, 0, 3))
    assert isinstance(t.shape, tf.TensorShape)
    assert t.shape.as_list() == [2, 0, 3] and t.shape.num_elements() == 0
