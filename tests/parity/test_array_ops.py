"""Parity: shape ops, creation ops, gather/scatter/where/one_hot and indexing.

Each case is one expression evaluated with ``tf`` bound to tapeflow and to the real
TensorFlow. They must agree on the exception class, or on the dtype, shape and values of
the result.
"""
import numpy as np
import pytest

import tapeflow


def _result(lib, code):
    try:
        return eval(code, {"tf": lib, "np": np})
    except Exception as e:  # noqa: BLE001  (the class is what is compared)
        return e


def assert_same(ours, theirs, code=""):
    """Asserts that two results agree: exception class, or dtype, shape and values."""
    if isinstance(theirs, BaseException) or isinstance(ours, BaseException):
        assert type(ours).__name__ == type(theirs).__name__, (code, ours, theirs)
        return
    if isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs), (code, ours)
        for a, b in zip(ours, theirs):
            assert_same(a, b, code)
        return
    if hasattr(theirs, "dtype") and hasattr(theirs, "numpy"):
        assert ours.dtype.name == theirs.dtype.name, (code, ours, theirs)
        assert tuple(ours.shape) == tuple(theirs.shape), (code, ours, theirs)
        a, b = np.asarray(ours.numpy()), np.asarray(theirs.numpy())
        if b.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6, err_msg=code)
        else:
            np.testing.assert_array_equal(a, b, err_msg=code)
        return
    assert repr(ours) == repr(theirs), (code, ours, theirs)


SHAPE_AND_CREATION = [
    "tf.reshape(tf.range(6), (-1, 2))",
    "tf.reshape(tf.range(6), [2, -1])",
    "tf.reshape(tf.range(6), (-1,))",
    "tf.reshape(tf.range(6), (4, -1))",
    "tf.reshape(tf.range(6), (-1, -1))",
    "tf.reshape(tf.range(6), (4, 2))",
    "tf.reshape(tf.range(6), [])",
    "tf.reshape(5, [1,1])",
    "tf.reshape(tf.range(6), tf.constant([3, 2]))",
    "tf.transpose(tf.reshape(tf.range(6), (2, 3)))",
    "tf.transpose(tf.reshape(tf.range(24), (2, 3, 4)), perm=[2, 0, 1])",
    "tf.transpose(tf.reshape(tf.range(24), (2, 3, 4)), perm=[2, 0])",
    "tf.transpose([1, 2, 3])",
    "tf.transpose(tf.constant([[1+1j]]), conjugate=True)",
    "tf.expand_dims([1, 2], 0)",
    "tf.expand_dims([1, 2], -1)",
    "tf.expand_dims([1, 2], 3)",
    "tf.expand_dims([1, 2], axis=-3)",
    "tf.squeeze(tf.zeros((1, 2, 1)))",
    "tf.squeeze(tf.zeros((1, 2, 1)), axis=0)",
    "tf.squeeze(tf.zeros((1, 2, 1)), axis=[0, 2])",
    "tf.squeeze(tf.zeros((1, 2, 1)), axis=1)",
    "tf.concat([[1, 2], [3]], 0)",
    "tf.concat([[[1, 2]], [[3, 4]]], 1)",
    "tf.concat([[[1, 2]], [[3, 4]]], -1)",
    "tf.concat([[1, 2], [3.]], 0)",
    "tf.concat([[[1, 2]], [[3]]], 0)",
    "tf.concat([tf.constant([1]), tf.constant([1.])], 0)",
    "tf.concat([[1]], 0)",
    "tf.concat([], 0)",
    "tf.stack([[1, 2], [3, 4]])",
    "tf.stack([[1, 2], [3, 4]], axis=1)",
    "tf.stack([[1, 2], [3]])",
    "tf.stack([1, 2])",
    "tf.stack([tf.constant(1), tf.constant(2.)])",
    "tf.unstack(tf.constant([[1, 2], [3, 4]]))",
    "tf.unstack(tf.constant([[1, 2], [3, 4]]), axis=1)",
    "tf.split(tf.range(6), 3)",
    "tf.split(tf.range(6), 4)",
    "tf.split(tf.range(6), [1, 5])",
    "tf.split(tf.range(6), [1, -1])",
    "tf.split(tf.range(6), [1, 2])",
    "tf.split(tf.reshape(tf.range(6), (2, 3)), 3, axis=1)",
    "tf.tile([1, 2], [3])",
    "tf.tile([[1, 2]], [2, 2])",
    "tf.tile([1, 2], [2, 2])",
    "tf.pad([[1, 2]], [[1, 1], [0, 2]])",
    "tf.pad([[1, 2]], [[1, 1], [0, 2]], constant_values=9)",
    "tf.pad([[1., 2.], [3., 4.]], [[1, 1], [1, 1]], mode=\"REFLECT\")",
    "tf.pad([[1., 2.], [3., 4.]], [[1, 1], [1, 1]], mode=\"SYMMETRIC\")",
    "tf.pad([[1., 2.], [3., 4.]], [[2, 2], [1, 1]], mode=\"REFLECT\")",
    "tf.pad([[1., 2.]], [[1, 1]])",
    "tf.pad([[1., 2.]], [[1, 1], [0, 0]], mode=\"bogus\")",
    "tf.gather([10, 20, 30], [2, 0])",
    "tf.gather([[1, 2], [3, 4]], [1], axis=1)",
    "tf.gather([[1, 2], [3, 4]], [[1, 0]])",
    "tf.gather([10, 20, 30], [3])",
    "tf.gather([10, 20, 30], [-1])",
    "tf.gather([[1, 2], [3, 4]], [[0], [1]], axis=1, batch_dims=1)",
    "tf.gather([10., 20.], [1.])",
    "tf.gather_nd([[1, 2], [3, 4]], [[0, 1], [1, 0]])",
    "tf.gather_nd([[1, 2], [3, 4]], [[1]])",
    "tf.gather_nd([[1, 2], [3, 4]], [[2, 0]])",
    "tf.gather_nd([[[1, 2]], [[3, 4]]], [[0], [1]], batch_dims=1)",
    "tf.where([True, False, True])",
    "tf.where([[True, False], [False, True]])",
    "tf.where([True, False], [1, 2], [3, 4])",
    "tf.where([True, False], 1, 2)",
    "tf.where([True, False], 1., 2)",
    "tf.where([True, False], [1., 2.], [3, 4])",
    "tf.where([[True], [False]], [1, 2], [3, 4])",
    "tf.where([1, 0], [1, 2], [3, 4])",
    "tf.where([])",
    "tf.boolean_mask([1, 2, 3], [True, False, True])",
    "tf.boolean_mask([[1, 2], [3, 4]], [True, False])",
    "tf.boolean_mask([[1, 2], [3, 4]], [[True, False], [False, True]])",
    "tf.boolean_mask([[1, 2], [3, 4]], [True, False], axis=1)",
    "tf.boolean_mask([1, 2, 3], [True, False])",
    "tf.one_hot([0, 2], 3)",
    "tf.one_hot([0, 2, -1, 5], 3)",
    "tf.one_hot([0, 2], 3, on_value=5, off_value=-1)",
    "tf.one_hot([0, 2], 3, dtype=tf.int32)",
    "tf.one_hot([0, 2], 3, axis=0)",
    "tf.one_hot([[0], [2]], 3)",
    "tf.one_hot([0., 2.], 3)",
    "tf.one_hot([0, 2], 3, on_value=1.0, off_value=0)",
    "tf.range(5)",
    "tf.range(1, 5, 2)",
    "tf.range(5.)",
    "tf.range(0, 1, 0.25)",
    "tf.range(5, 0, -2)",
    "tf.range(5, dtype=tf.int64)",
    "tf.range(5, dtype=tf.float64)",
    "tf.range(0)",
    "tf.range(1, 5, 0)",
    "tf.range(0, 1, 0.3)",
    "tf.range(tf.constant(3))",
    "tf.range(2, 5.)",
    "tf.linspace(0., 1., 5)",
    "tf.linspace(0, 1, 5)",
    "tf.linspace(0., 1., 1)",
    "tf.linspace([0., 1.], [1., 2.], 3)",
    "tf.linspace(0., 1., 0)",
    "tf.linspace(0., 1, 3)",
    "tf.zeros((2, 3))",
    "tf.zeros(3)",
    "tf.zeros([2], tf.int32)",
    "tf.zeros((2,), dtype=\"int64\")",
    "tf.zeros((2, -1))",
    "tf.zeros(())",
    "tf.ones((2,), tf.bool)",
    "tf.ones((2,), tf.string)",
    "tf.zeros((2,), tf.string)",
    "tf.zeros_like([1, 2])",
    "tf.ones_like([1., 2.])",
    "tf.zeros_like([1, 2], dtype=tf.float32)",
    "tf.ones_like(tf.constant([\"a\"]))",
    "tf.fill((2, 2), 7)",
    "tf.fill((2, 2), 7.)",
    "tf.fill([2], \"a\")",
    "tf.fill((2, -1), 1)",
    "tf.eye(2)",
    "tf.eye(2, 3)",
    "tf.eye(2, dtype=tf.int32)",
    "tf.eye(2, batch_shape=[3]).shape",
    "tf.eye(0)",
    "tf.identity([1, 2])",
    "tf.convert_to_tensor([1, 2])",
    "tf.convert_to_tensor([1, 2], dtype=tf.float32)",
    "tf.convert_to_tensor([1.5], dtype=tf.int32)",
    "tf.convert_to_tensor(tf.constant([1]), dtype=tf.float32)",
    "tf.convert_to_tensor(np.array([1.5]), dtype=tf.float32)",
    "tf.convert_to_tensor(np.array([1.5]), dtype=tf.int32)",
    "tf.convert_to_tensor([1, 2], dtype_hint=tf.float32)",
    "tf.convert_to_tensor(None)",
    "tf.convert_to_tensor([None])",
    "tf.convert_to_tensor({})",
    "tf.constant(None)",
    "tf.constant(tf.constant([1.]), dtype=tf.int32)",
    "tf.constant(np.array([1.5]), dtype=tf.int32)",
    "tf.constant([1.5], dtype=tf.int32)",
    "tf.constant([300], dtype=tf.uint8)",
    "tf.constant([-1], dtype=tf.uint8)",
    "tf.constant(np.array([300]), dtype=tf.uint8)",
    "tf.constant([2**31], dtype=tf.int32)",
    "tf.constant(2**31)",
    "tf.constant([2**31, 1])",
    "tf.constant(2**63)",
    "tf.constant([1, \"a\"])",
    "tf.constant([1, None])",
    "tf.constant(np.array([1, 2], dtype=np.uint32))",
    "tf.constant(np.array([1, 2], dtype=np.float16)) + 1",
    "tf.constant(np.array([1, 2], dtype=np.float16)) * 1.5",
]

INDEXING = [
    "tf.reshape(tf.range(24), (4, 6))[1:, ::2]",
    "tf.reshape(tf.range(24), (4, 6))[..., None]",
    "tf.reshape(tf.range(24), (4, 6))[None]",
    "tf.reshape(tf.range(24), (4, 6))[tf.newaxis, :, 1]",
    "tf.reshape(tf.range(24), (4, 6))[-1]",
    "tf.reshape(tf.range(24), (4, 6))[-1, -2]",
    "tf.reshape(tf.range(24), (4, 6))[4]",
    "tf.reshape(tf.range(24), (4, 6))[-5]",
    "tf.reshape(tf.range(24), (4, 6))[1, 6]",
    "tf.reshape(tf.range(24), (4, 6))[::-1]",
    "tf.reshape(tf.range(24), (4, 6))[::-2, 1::3]",
    "tf.reshape(tf.range(24), (4, 6))[10:]",
    "tf.reshape(tf.range(24), (4, 6))[1:1]",
    "tf.reshape(tf.range(24), (4, 6))[:, -100:100]",
    "tf.reshape(tf.range(24), (4, 6))[1, 2, 3]",
    "tf.reshape(tf.range(24), (4, 6))[1.5]",
    "tf.reshape(tf.range(24), (4, 6))[[0, 2]]",
    "tf.reshape(tf.range(24), (4, 6))[tf.constant(1)]",
    "tf.reshape(tf.range(24), (4, 6))[tf.constant([True, False, True, False])]",
    "tf.reshape(tf.range(24), (4, 6))[np.int64(2)]",
    "tf.reshape(tf.range(24), (4, 6))[..., 1]",
    "tf.reshape(tf.range(24), (2, 3, 4))[..., 1, :]",
    "tf.reshape(tf.range(24), (2, 3, 4))[:, ..., 0]",
    "tf.reshape(tf.range(24), (2, 3, 4))[..., ...]",
    "tf.reshape(tf.range(24), (4, 6))[::0]",
    "tf.reshape(tf.range(24), (4, 6))[\"a\"]",
    "tf.reshape(tf.range(24), (4, 6))[None, ..., None].shape",
    "tf.reshape(tf.range(24), (4, 6))[tf.constant(1):3]",
    "tf.constant(5)[0]",
    "tf.constant(5)[...]",
    "tf.constant(5)[None]",
    "tf.constant([1, 2, 3])[np.array([True, False, True])]",
]

MORE = [
    "tf.linalg.transpose(tf.ones((2, 3, 4))).shape",
    "tf.linalg.adjoint(tf.constant([[1+1j, 2]]))",
    "tf.linalg.matrix_transpose(tf.ones((2, 3))).shape",
    "tf.unique([1, 2, 1, 3])",
    "tf.reverse([[1, 2], [3, 4]], [1])",
    "tf.reverse([[1, 2], [3, 4]], axis=[-1])",
    "tf.roll([1, 2, 3], 1, 0)",
    "tf.broadcast_to([1, 2], [3, 2])",
    "tf.broadcast_to([1, 2], [3, 3])",
    "tf.broadcast_static_shape(tf.TensorShape([1, 2]), tf.TensorShape([3, 1]))",
    "tf.broadcast_dynamic_shape([1, 2], [3, 1])",
    "tf.meshgrid([1, 2], [3, 4, 5])",
    "tf.repeat([1, 2], 2)",
    "tf.repeat([[1, 2]], [1, 2], axis=1)",
    "tf.slice(tf.range(10), [2], [3])",
    "tf.slice(tf.range(10), [2], [-1])",
    "tf.strided_slice(tf.range(10), [2], [8], [2])",
    "tf.scatter_nd([[1], [3]], [9, 8], [5])",
    "tf.tensor_scatter_nd_update([1, 2, 3], [[0]], [9])",
    "tf.tensor_scatter_nd_add([1, 2, 3], [[0], [0]], [9, 1])",
    "tf.sequence_mask([1, 3], 4)",
    "tf.sequence_mask([1, 3])",
    "tf.searchsorted([1, 3, 5], [2, 5])",
    "tf.shape([[1], [2]])",
    "tf.rank(5)",
    "tf.ensure_shape(tf.ones((2,)), [3])",
    "tf.gather(tf.ones((2, 3)), [0], axis=2)",
    "tf.expand_dims(tf.ones((2,)), [0, 1])",
    "tf.squeeze(tf.ones((2,)), axis=3)",
    "tf.concat([tf.ones((2, 3)), tf.ones((2, 4))], axis=0)",
    "tf.stack([tf.ones((2,)), tf.ones((3,))])",
    "tf.reshape(tf.ones((2, 3)), (4, 2))",
    "tf.tile([1, 2], [2, 2, 2])",
]


@pytest.mark.parametrize("code", SHAPE_AND_CREATION + INDEXING + MORE)
def test_same_result(rtf, code):
    assert_same(_result(tapeflow, code), _result(rtf, code), code)


@pytest.mark.parametrize("code", [
    "tf.reshape(tf.range(24), (4, 6))[4]", "tf.reshape(tf.ones((2, 3)), (4, 2))",
    "tf.reshape(tf.range(6), (-1, -1))", "tf.zeros((2, -1))", "tf.boolean_mask([1, 2, 3], [True, False])",
    "tf.one_hot([0, 2], 3, on_value=1.0, off_value=0)", "tf.gather(tf.ones((2, 3)), [0], axis=2)",
])
def test_error_messages(rtf, code):
    """The stable part of TensorFlow's message for common shape mistakes."""
    ours, theirs = _result(tapeflow, code), _result(rtf, code)
    assert type(ours).__name__ == type(theirs).__name__
    key = str(theirs).split(" [Op:")[0].split("}} ")[-1].rstrip(". ")
    assert key in str(ours), (str(ours), key)
