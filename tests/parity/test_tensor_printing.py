"""Parity: str/repr of tensors, variables and shapes, dtype attributes and conversion.

Each case is one expression evaluated with ``tf`` bound to tapeflow and to the real
TensorFlow; the printed text (or the exception class) must be the same.
"""
import numpy as np
import pytest

import tapeflow

CONSTANTS = [
    "tf.constant(1.5)", "tf.constant(1)", "tf.constant(True)", "tf.constant('hi')",
    "tf.constant(b'hi')", "tf.constant(['a', 'bc'])", "tf.constant([])", "tf.constant([[]])",
    "tf.zeros((0, 3))", "tf.zeros((2, 0, 3))", "tf.zeros((0,), tf.string)",
    "tf.constant(np.arange(2000, dtype=np.float32))", "tf.constant(np.arange(2000))",
    "tf.constant(np.arange(1000))", "tf.constant(np.arange(1001))",
    "tf.constant(np.arange(1001).reshape(7, 143))", "tf.constant(np.arange(24).reshape(2, 3, 4))",
    "tf.constant(np.arange(6000.).reshape(2, 3, 1000))",
    "tf.constant(np.arange(60000, dtype=np.float32).reshape(30, 20, 100))",
    "tf.constant(np.linspace(-1, 1, 1500).astype(np.float32))",
    "tf.constant(np.arange(1200) % 2 == 0)", "tf.constant([b'x'] * 1200)",
    "tf.constant(np.arange(2000, dtype=np.float16))",
    "tf.constant([1.5, 2.25, 1e10])", "tf.constant([1e-5, 1.0])", "tf.constant([0.1, 0.2, 0.3])",
    "tf.constant([1.0, np.nan, np.inf, -np.inf])", "tf.constant([1e-8, 1.0, 1e8])",
    "tf.constant(np.arange(10, dtype=np.float32) / 7)",
    "tf.constant(np.arange(10, dtype=np.float64) / 7)",
    "tf.constant([[1e-8, 1.0], [100.0, 1e3]], tf.float64)", "tf.constant(1.123456789, tf.float64)",
    "tf.constant(1.123456789, tf.float16)", "tf.constant([0.1, 1000.], tf.float16)",
    "tf.constant(np.float16(1.5))", "tf.constant(1e-5)", "tf.constant(1e16)",
    "tf.constant(123456789.0)", "tf.constant(np.float32(3.14159265))",
    "tf.constant([1, 2], dtype=tf.int64)", "tf.constant([1, 2], dtype=tf.uint8)",
    "tf.constant([1, 2], dtype=tf.int8)", "tf.constant([1, 2], dtype=tf.int16)",
    "tf.constant([1, 2], dtype=tf.uint16)", "tf.constant([1, 2], dtype=tf.uint32)",
    "tf.constant([1, 2], dtype=tf.uint64)", "tf.constant([1+2j, 3j])",
    "tf.constant([1+2j, 3j], dtype=tf.complex64)", "tf.constant([[True, False], [False, True]])",
    "tf.constant(np.float64(2.5))", "tf.constant(np.int64(3))", "tf.constant(2**40)",
    "tf.constant(3, dtype=tf.float32)", "tf.constant([1, 2.5])", "tf.constant(5, shape=(2, 3))",
    "tf.constant([1, 2, 3, 4, 5, 6], shape=(2, 3))", "tf.constant(np.ones((2, 2)), dtype=tf.int32)",
    "tf.constant(b'\\xff')", "tf.constant('h\\xe9llo')", "tf.constant(['h\\xe9llo', 'b'])",
    "tf.constant(np.eye(3, dtype=np.float32) * -1)",
    "tf.constant([[1, -2], [300, 4]], tf.int64)",
]

STRS = [c.replace("tf.constant", "str(tf.constant", 1) + ")" for c in CONSTANTS[::3]]

VARIABLES = [
    "tf.Variable(1.0)", "tf.Variable([1, 2])", "tf.Variable([[1., 2.], [3., 4.]], name='w')",
    "tf.Variable(np.arange(2000.))", "tf.Variable(1.0, dtype=tf.float64)", "tf.Variable('s')",
    "tf.Variable(True)", "tf.Variable([b'a', b'b'])", "tf.Variable(np.zeros((2, 0)))",
    "tf.Variable(tf.zeros((2, 2)), name='my/var')", "tf.Variable([1., 2.], shape=[None])",
    "str(tf.Variable([1., 2.]))", "tf.Variable(1.0).name", "tf.Variable(1.0, name='abc').name",
    "tf.Variable(1.0).trainable", "tf.Variable(1.0, trainable=False).trainable",
    "tf.Variable([1., 2.]).shape", "tf.Variable([1., 2.])[0]", "tf.Variable([1., 2.]).value()",
    "tf.Variable([1., 2.]).read_value()", "tf.Variable([1., 2.]).numpy()",
    "tf.Variable([1., 2.]) + 1", "tf.Variable(1.0) * tf.Variable(2.0)",
    "tf.Variable(1.0) == 1.0", "tf.Variable([1, 2]) == tf.Variable([1, 2])",
    # assign* return the variable ('UnreadVariable' in its repr) or raise
    "tf.Variable(1.0).assign(2.0)", "tf.Variable(1.0).assign_add(2.0)",
    "tf.Variable(1.0).assign_sub(2.0)", "tf.Variable([1., 2.]).assign([3., 4., 5.])",
    "tf.Variable([1., 2.]).assign([3, 4])", "tf.Variable([1., 2.]).assign(np.array([3, 4]))",
    "tf.Variable([1, 2]).assign([3.5, 4.])", "tf.Variable(1.0).assign(2.0, read_value=False)",
    "tf.Variable([1., 2.])[0].assign(5.)", "tf.Variable([[1., 2.]])[0, 1:].assign([9.])",
    "tf.Variable([1., 2.]).assign(tf.constant([1., 2.], tf.float64))",
    "tf.Variable([1., 2.]).assign([[1.]])", "tf.Variable(3, dtype=tf.int64).assign(2)",
    "tf.Variable(3).assign(2**40)", "tf.Variable(1.0).assign(2.0) + 1", "tf.Variable(None)",
    "tf.Variable([1., 2.], shape=[None]).assign([1., 2., 3.])",
    "tf.Variable([1., 2.]).scatter_nd_update([[0]], [5.])",
]

SHAPES_AND_DTYPES = [
    "tf.TensorShape([1, 2])", "tf.TensorShape([None, 2])", "tf.TensorShape(None)",
    "tf.TensorShape([])", "str(tf.TensorShape([1, 2]))", "str(tf.TensorShape([None, 2]))",
    "str(tf.TensorShape(None))", "str(tf.TensorShape([]))", "tf.TensorShape([1, 2]).as_list()",
    "tf.TensorShape([1, 2]).rank", "tf.TensorShape([1, 2])[0]", "tf.TensorShape([1, 2])[1:]",
    "tf.TensorShape([1, 2]) == [1, 2]", "tf.TensorShape([None, 2]).num_elements()",
    "tf.TensorShape([3, 2]).num_elements()", "tf.TensorShape([3, 2]).concatenate([4])",
    "tf.TensorShape([3, None]).merge_with([3, 4])", "tf.TensorShape([3, 2]).is_fully_defined()",
    "tf.TensorShape([3, 2]) + tf.TensorShape([1])", "len(tf.TensorShape([3, 2]))",
    "tf.TensorShape(None).rank", "tf.TensorShape([3, 2]).ndims", "tf.TensorShape([2, 3])[5]",
    "tf.constant([[1, 2]]).shape", "tf.shape(tf.constant([[1, 2]]))",
    "tf.shape(tf.constant([[1, 2]]), out_type=tf.int64)", "tf.rank(tf.ones((2, 3)))",
    "tf.size(tf.ones((2, 3)))", "tf.size(tf.ones((2, 3)), out_type=tf.int64)",
    "tf.ones((2, 3)).shape[-1]", "tf.constant([[1, 2]]).ndim", "tf.constant([1, 2]).get_shape()",
    "tf.float32", "tf.int32", "tf.string", "tf.bool", "tf.dtypes.as_dtype('float32')",
    "tf.dtypes.as_dtype(np.float64)", "tf.float32.name", "tf.float32.is_floating",
    "tf.int32.is_integer", "tf.float32.max", "tf.float32.min", "tf.float64.max", "tf.int32.min",
    "tf.uint8.max", "tf.bool.max", "tf.float32.as_numpy_dtype", "tf.float32 == np.float32",
    "tf.float32 == 'float32'", "tf.float32.size", "tf.bool.is_bool", "tf.complex64.real_dtype",
    # conversion of Python values
    "tf.constant(3.7, dtype=tf.int32)", "tf.constant([[1, 2], [3]])", "tf.constant(2**70)",
    "tf.constant(2**63)", "tf.constant([1, 'a'])", "tf.constant([1, None])", "tf.constant(None)",
    "tf.constant(300, dtype=tf.uint8)", "tf.constant([-1], dtype=tf.uint8)",
    "tf.constant(2**31, dtype=tf.int32)", "tf.constant([2**63], dtype=tf.int64)",
    "tf.constant([1], dtype=tf.bool)", "tf.constant(1.0, dtype=tf.bool)",
    "tf.constant('a', dtype=tf.int32)", "tf.constant([1, 2], dtype=tf.string)",
    "tf.constant(np.array(['a']), dtype=tf.string)", "tf.constant(np.array([1.5, 2.7]), dtype=tf.int32)",
    "tf.constant(np.array([300]), dtype=tf.uint8)", "tf.constant(np.array([True]), dtype=tf.float32)",
    "tf.constant(tf.constant([1.]), dtype=tf.int32)", "tf.constant([1.5], dtype=tf.int32)",
    "tf.convert_to_tensor([1, 2], dtype=tf.float32)", "tf.convert_to_tensor([1.5], dtype=tf.int32)",
    "tf.convert_to_tensor(tf.constant([1]), dtype=tf.float32)",
    "tf.convert_to_tensor(np.array([1.5]), dtype=tf.int32)",
    "tf.convert_to_tensor([1, 2], dtype_hint=tf.float32)", "tf.convert_to_tensor(None)",
    # Python protocols
    "tf.constant(1).numpy()", "tf.constant([1.5]).numpy()", "len(tf.constant([1, 2, 3]))",
    "len(tf.constant(1))", "float(tf.constant(1.5))", "int(tf.constant(3))",
    "bool(tf.constant([1, 2]))", "bool(tf.constant(0))", "tf.constant(3).__index__()",
    "list(tf.constant([1, 2]))", "hash(tf.constant(1))", "tf.constant([1, 2]) == None",
]


def _show(lib, code):
    """What a user sees: the repr of the value, or the class of the exception."""
    try:
        value = eval(code, {"tf": lib, "np": np})
    except Exception as e:  # noqa: BLE001  (the class is what is compared)
        return f"raises {type(e).__name__}"
    if isinstance(value, list):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    return repr(value)


@pytest.mark.parametrize("code", CONSTANTS + STRS + VARIABLES + SHAPES_AND_DTYPES)
def test_prints_the_same(rtf, code):
    assert _show(tapeflow, code) == _show(rtf, code)


def test_assign_leaves_variable_as_it_was_on_error(rtf):
    for lib in (tapeflow, rtf):
        v = lib.Variable([1.0, 2.0])
        with pytest.raises(Exception):
            v.assign([1.0, 2.0, 3.0])
        assert repr(v).endswith("numpy=array([1., 2.], dtype=float32)>")


@pytest.mark.parametrize("method,delta", [("assign_add", [1.0, 1.0, 1.0]),
                                          ("assign_sub", 1.0), ("assign_add", [[1.0, 1.0]])])
def test_assign_add_sub_refuse_other_shapes_as_tensorflow(rtf, method, delta):
    mine, real = tapeflow.Variable([1.0, 2.0]), rtf.Variable([1.0, 2.0])
    with pytest.raises(rtf.errors.InvalidArgumentError) as want:
        getattr(real, method)(delta)
    with pytest.raises(tapeflow.errors.InvalidArgumentError) as got:
        getattr(mine, method)(delta)
    key = "shapes must be equal"
    assert key in str(want.value) and key in str(got.value)
    np.testing.assert_array_equal(mine.numpy(), real.numpy())
