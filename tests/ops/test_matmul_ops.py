"""tf.matmul (ops/matmul_ops.py): TensorFlow's MatMul/BatchMatMulV2 dtype rules, transposes,
the complex adjoint, and gradients."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads


def r(*shape):
    return np.random.default_rng(0).uniform(-1, 1, shape)


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_transposes_match_numpy_and_gradients(ta, tb):
    a, b = r(3, 2) if ta else r(2, 3), r(4, 3) if tb else r(3, 4)
    got = tf.matmul(tf.constant(a), tf.constant(b), transpose_a=ta, transpose_b=tb)
    np.testing.assert_allclose(got.numpy(), (a.T if ta else a) @ (b.T if tb else b))
    check_grads(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), [a, b])


def test_batched_and_broadcast_gradient():
    check_grads(lambda x, y: tf.matmul(x, y), [r(2, 2, 3), r(3, 2)])


def test_adjoint_conjugates_complex():
    a = np.array([[1 + 1j, 2], [3, 4j]], np.complex128)
    got = tf.matmul(tf.constant(a), tf.constant(a), adjoint_b=True)
    np.testing.assert_allclose(got.numpy(), a @ a.conj().T)


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32", "uint64"])
def test_unsigned_matmul_has_no_cpu_kernel(dtype):
    a = tf.constant(np.ones((2, 2), dtype))
    with pytest.raises(tf.errors.NotFoundError):
        tf.matmul(a, a)
    with pytest.raises(tf.errors.NotFoundError):
        tf.matmul(a[None], a[None])


@pytest.mark.parametrize("dtype", ["bool", "int8", "int16"])
def test_matrix_matmul_refuses_small_ints_and_bool(dtype):
    a = tf.constant(np.ones((2, 2), dtype))
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'T'"):
        tf.matmul(a, a)


def test_batched_int16_runs_and_int32_matrices_run():
    a = np.ones((1, 2, 2), np.int16)
    assert tf.matmul(tf.constant(a), tf.constant(a)).dtype == tf.int16
    assert tf.matmul(tf.constant(a[0].astype(np.int32)),
                     tf.constant(a[0].astype(np.int32))).numpy().tolist() == [[2, 2], [2, 2]]


def test_mismatched_inner_dimensions_and_dtypes():
    with pytest.raises(tf.errors.InvalidArgumentError, match="size-incompatible"):
        tf.matmul(tf.ones((2, 3)), tf.ones((2, 3)))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.matmul(tf.ones((2, 2)), tf.ones((2, 2), tf.float64))


def test_matmul_is_reexported_from_math_ops_and_declared():
    from tapeflow.ops import math_ops, matmul_ops
    assert math_ops.matmul is matmul_ops.matmul is tf.linalg.matmul
    assert matmul_ops.matmul.op_def.name == "BatchMatMulV2"
