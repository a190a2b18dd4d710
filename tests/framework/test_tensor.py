"""Tensor behaviour: printed text, Python protocols and NumPy interplay, as in TensorFlow."""
import numpy as np
import pytest

import tapeflow as tf


# -- str / repr -----------------------------------------------------------------------------

@pytest.mark.parametrize("value,text", [
    (tf.constant(0.1), "tf.Tensor(0.1, shape=(), dtype=float32)"),
    (tf.constant(3), "tf.Tensor(3, shape=(), dtype=int32)"),
    (tf.constant(True), "tf.Tensor(True, shape=(), dtype=bool)"),
    (tf.constant([1.0, 2.5]), "tf.Tensor([1.  2.5], shape=(2,), dtype=float32)"),
    (tf.constant([1, 2]), "tf.Tensor([1 2], shape=(2,), dtype=int32)"),
    (tf.constant([True, False]), "tf.Tensor([ True False], shape=(2,), dtype=bool)"),
    (tf.constant([[1.0, 2.0], [3.0, 4.0]]),
     "tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)"),
    (tf.constant([[1, 2], [3, 4]]), "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)"),
    (tf.constant(1.5, tf.float64), "tf.Tensor(1.5, shape=(), dtype=float64)"),
])
def test_str(value, text):
    assert str(value) == text


@pytest.mark.parametrize("value,text", [
    (tf.constant(0.1), "<tf.Tensor: shape=(), dtype=float32, numpy=0.10000000149011612>"),
    (tf.constant(3), "<tf.Tensor: shape=(), dtype=int32, numpy=3>"),
    (tf.constant(False), "<tf.Tensor: shape=(), dtype=bool, numpy=False>"),
    (tf.constant([1.0, 2.0]),
     "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>"),
    (tf.constant([1, 2]), "<tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], "
     "dtype=int32)>"),
    (tf.constant([1, 2], tf.int64), "<tf.Tensor: shape=(2,), dtype=int64, numpy=array([1, 2])>"),
    (tf.constant([True, False]),
     "<tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>"),
    (tf.constant([[1.0, 2.0], [3.0, 4.0]]),
     "<tf.Tensor: shape=(2, 2), dtype=float32, numpy=\narray([[1., 2.],\n       [3., 4.]], "
     "dtype=float32)>"),
])
def test_repr(value, text):
    assert repr(value) == text


def test_long_tensors_are_summarised_above_1000_elements():
    assert "..." not in str(tf.zeros(1000))
    assert str(tf.zeros(1001)) == \
        "tf.Tensor([0. 0. 0. ... 0. 0. 0.], shape=(1001,), dtype=float32)"
    text = str(tf.zeros((40, 40)))
    assert text.startswith("tf.Tensor(\n[[0. 0. 0. ... 0. 0. 0.]") and "\n ...\n" in text
    assert "..." in repr(tf.ones(2000))


def test_format():
    assert "{}".format(tf.constant([1.0, 2.0])) == "[1. 2.]"
    assert "{}".format(tf.constant([[1, 2], [3, 4]])) == "[[1 2]\n [3 4]]"
    assert "{}".format(tf.constant(1.5)) == "1.5"
    loss = tf.constant(0.123456)
    assert f"{loss:.4f}" == "0.1235"
    assert f"{tf.constant(7):03d}" == "007"
    assert "%.2f" % tf.constant(1.234) == "1.23"
    with pytest.raises(TypeError):
        format(tf.constant([1.0, 2.0]), ".2f")


# -- Python protocols --------------------------------------------------------------------

def test_len_and_iteration_over_first_axis():
    t = tf.constant([[1, 2], [3, 4], [5, 6]])
    assert len(t) == 3
    rows = list(t)
    assert len(rows) == 3 and all(type(r) is tf.Tensor for r in rows)
    assert rows[2].numpy().tolist() == [5, 6]
    assert [int(v) for v in tf.constant([7, 8])] == [7, 8]
    with pytest.raises(TypeError):
        len(tf.constant(1))
    with pytest.raises(TypeError):
        iter(tf.constant(1))


def test_bool_float_int_index():
    assert bool(tf.constant(1.0)) is True and bool(tf.constant(0)) is False
    assert bool(tf.constant([[2]])) is True  # one element: allowed, as in NumPy
    with pytest.raises(ValueError):
        bool(tf.constant([1.0, 2.0]))
    assert float(tf.constant(3)) == 3.0 and int(tf.constant(2.7)) == 2
    with pytest.raises(TypeError):
        float(tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError):
        int(tf.constant([1, 2]))
    assert [10, 20, 30][tf.constant(1)] == 20
    with pytest.raises(TypeError):
        [10, 20][tf.constant(1.0)]


def test_item_assignment_raises_type_error():
    t = tf.constant([1, 2, 3])
    with pytest.raises(TypeError) as e:
        t[0] = 5
    assert str(e.value) == "'Tensor' object does not support item assignment"


def test_unhashable_but_ref_works():
    t = tf.constant(1.0)
    with pytest.raises(TypeError, match="Tensor is unhashable"):
        hash(t)
    d = {t.ref(): 1}
    assert d[t.ref()] == 1 and t.ref().deref() is t


def test_variable_is_not_a_tensor_but_is_tensor_like():
    v = tf.Variable(1.0)
    assert not isinstance(v, tf.Tensor)
    assert tf.is_tensor(v) and tf.is_tensor(tf.constant(1))
    assert not tf.is_tensor(np.ones(2)) and not tf.is_tensor(1.0)


def test_attributes():
    t = tf.constant([[1.0, 2.0, 3.0]])
    assert t.shape == (1, 3) and t.get_shape() == [1, 3] and t.ndim == 2
    assert t.dtype is tf.float32
    assert t.device.endswith("CPU:0")
    with pytest.raises(AttributeError):
        t.name
    t.set_shape([None, 3])
    with pytest.raises(ValueError):
        t.set_shape([2, 3])


def test_numpy_returns_a_copy_or_scalar():
    t = tf.constant([1.0, 2.0])
    a = t.numpy()
    a[0] = 9.0
    assert t.numpy().tolist() == [1.0, 2.0]
    s = tf.constant(2.5).numpy()
    assert type(s) is np.float32 and s == 2.5


# -- NumPy interplay ----------------------------------------------------------------------

def test_ndarray_operand_gives_tensor_with_tensor_dtype():
    t = tf.constant([1.0, 2.0])
    for out in (np.ones(2) + t, t + np.ones(2), np.ones(2) * t, np.float64(2.0) * t):
        assert type(out) is tf.Tensor and out.dtype == tf.float32
    assert (np.ones(2) + t).numpy().tolist() == [2.0, 3.0]


def test_numpy_functions_return_ndarrays():
    t = tf.constant([1.0, 2.0])
    out = np.add(np.ones(2), t)
    assert type(out) is np.ndarray and out.dtype == np.float64
    e = np.exp(t)
    assert type(e) is np.ndarray and e.dtype == np.float32
    assert np.asarray(t).dtype == np.float32
    assert np.array([tf.constant(1.0), tf.constant(2.0)]).tolist() == [1.0, 2.0]


def test_elementwise_equality_and_none():
    a = tf.constant([1, 2])
    assert (a == tf.constant([1, 3])).numpy().tolist() == [True, False]
    assert (a == None) is False  # noqa: E711
    assert (a != None) is True  # noqa: E711


def test_copy_and_pickle():
    import copy
    import pickle
    t = tf.constant([1.5, 2.5])
    assert copy.deepcopy(t) is t
    back = pickle.loads(pickle.dumps(t))
    assert back.dtype == tf.float32 and back.numpy().tolist() == [1.5, 2.5]


def test_float_and_int_of_one_element_tensors():
    # The book does float(predictions[0] * 100) on a (1,)-shaped row.
    assert float(tf.constant([1.5])) == 1.5
    assert int(tf.constant([[7]])) == 7
    with pytest.raises(TypeError):
        float(tf.constant([1.0, 2.0]))


def test_framework_does_not_import_the_layers_above_it():
    # DESIGN.md: a module imports from its own layer and the layers below, never above.
    import pathlib
    import re
    import tapeflow.framework as fw
    upward = re.compile(r"^\s*(from|import)\s+tapeflow\.(ops|keras|data|viz)\b", re.M)
    for path in pathlib.Path(fw.__file__).parent.glob("*.py"):
        assert not upward.search(path.read_text()), path.name


def test_array_is_the_public_read_of_the_backing_array():
    # what layers above the engine read on hot paths instead of the private field
    t = tf.constant([[1.0, 2.0]])
    a = t.array
    assert isinstance(a, np.ndarray) and a.dtype == np.float32 and a.shape == (1, 2)
    assert a is t.array                       # no copy
    assert t.numpy() is not a                 # while numpy() hands out a copy
    np.testing.assert_array_equal(a, [[1.0, 2.0]])
    v = tf.Variable([1.0, 2.0])
    before = v.value().array
    v.assign([3.0, 4.0])                      # assign never writes into a read array
    np.testing.assert_array_equal(before, [1.0, 2.0])
