"""The op-declaration API: dtype rules, fallbacks, axis rules, broadcasting undone by the
engine, exports and recording, all derived from one ``defop`` declaration."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.framework import op_def
from tapeflow.framework.errors import InvalidArgumentError, NotFoundError


def test_dtype_outside_the_op_definition_is_invalid_argument_with_tf_message():
    with pytest.raises(InvalidArgumentError) as e:
        tf.abs(tf.constant([True, False]))
    assert str(e.value) == ("Value for attr 'T' of bool is not in the list of allowed values: "
                            "bfloat16, half, float, double, int8, int16, int32, int64 [Op:Abs]")
    with pytest.raises(InvalidArgumentError, match="'T' of uint8"):
        tf.abs(tf.constant([1, 2], tf.uint8))
    with pytest.raises(InvalidArgumentError, match="'T' of int32 is not"):
        tf.floor(tf.constant([1, 2]))


def test_dtype_without_a_cpu_kernel_is_not_found():
    with pytest.raises(NotFoundError, match="Reciprocal"):
        tf.math.reciprocal(tf.constant([1, 2]))
    with pytest.raises(NotFoundError, match="FloorDiv"):
        tf.math.floordiv(tf.constant([1j]), tf.constant([1j]))


def test_fallbacks_follow_tensorflow_python_layer():
    r = tf.abs(tf.constant([3 + 4j], tf.complex64))          # ComplexAbs: a real result
    assert r.dtype == tf.float32 and r.numpy().tolist() == [5.0]
    x = tf.constant([1, 2], tf.uint8)
    assert tf.round(x) is x                                  # integers pass through
    assert tf.divide(tf.constant([1, 2]), tf.constant([2, 2])).dtype == tf.float64
    with pytest.raises(TypeError, match="Invalid dtype tf.bool in __truediv__"):
        tf.divide(tf.constant([True]), tf.constant([True]))


@pytest.mark.parametrize("axis, cls, match", [
    ("a", InvalidArgumentError, "attr 'Tidx' of string"),
    (tf.constant(1.0), InvalidArgumentError, "attr 'Tidx' of float"),
    (1.5, TypeError, "Cannot convert 1.5"),
    (5, InvalidArgumentError, r"Invalid reduction dimension \(5 for input with 2"),
    (-3, InvalidArgumentError, "Invalid reduction dimension"),
    ([0, -2], InvalidArgumentError, "duplicate dimension: 0"),
])
def test_reduction_axis_rules(axis, cls, match):
    with pytest.raises(cls, match=match):
        tf.reduce_sum(tf.ones((2, 3)), axis=axis)


def test_reduction_axis_forms_tensorflow_accepts():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert tf.reduce_sum(x, axis=[[0]]).numpy().tolist() == [4.0, 6.0]
    assert tf.reduce_sum(x, axis=np.int8(1)).numpy().tolist() == [3.0, 7.0]
    assert tf.reduce_sum(x, axis=tf.constant(1, tf.int64)).numpy().tolist() == [3.0, 7.0]
    assert tf.reduce_sum(x, axis=[]).shape == (2, 2)
    with pytest.raises(InvalidArgumentError):     # any axis of a 0-d tensor is out of range
        tf.reduce_max(tf.constant(1.0), axis=0)


def test_engine_undoes_broadcasting_for_declared_binary_ops():
    calls = []

    def grad(op, dy):   # returns broadcast-shaped gradients: no unbroadcast here
        calls.append(dy.shape)
        x, y = op.inputs
        return tf.multiply(dy, y), tf.multiply(dy, x)

    mul = op_def.defop("TestOnlyBroadcastMul", np.multiply, grad, kind="binary",
                       dtypes=op_def.FLOAT)
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    y = tf.constant(np.array([1.0, 2.0, 3.0]))
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = mul(x, y)
    gx, gy = tape.gradient(z, [x, y])
    assert calls == [(2, 3)]
    assert gx.shape == (2, 3) and gy.shape == (3,)
    np.testing.assert_allclose(gy.numpy(), [3.0, 5.0, 7.0])
    assert mul.op_def.op.broadcasts and mul.__name__ == "TestOnlyBroadcastMul"


def test_declared_wrapper_records_only_when_watched_and_exports_are_derived():
    import tapeflow.ops.math_ops as m
    assert {"exp", "add", "reduce_sum"} <= set(m.__all__)
    assert "exp" in op_def.exported(vars(m)) and "reduce_sum" not in op_def.exported(vars(m))
    assert tf.exp.op_def.name == "Exp" and tf.exp.__module__ == "tapeflow.ops.math_ops"
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        y = tf.exp(x)                       # x not watched: nothing to record
    assert tape.gradient(y, x) is None
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.exp(x)
    assert float(tape.gradient(y, x)) == pytest.approx(np.e)


def test_quiet_ops_return_inf_and_nan_silently():
    # pytest turns warnings into errors here: a NumPy RuntimeWarning would fail this test
    assert np.isinf(tf.math.log(tf.constant(0.0)).numpy())
    assert np.isnan(tf.sqrt(tf.constant(-1.0)).numpy())
    assert np.isinf(tf.divide(tf.constant(1.0), tf.constant(0.0)).numpy())
