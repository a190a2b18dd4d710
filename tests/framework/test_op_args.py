"""framework/op_args.py: TensorFlow's conversion of an op's integer arguments."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.framework.op_args import index_arg

IAE = tf.errors.InvalidArgumentError


@pytest.mark.parametrize("value,err", [
    (None, ValueError), (1.5, TypeError), ("a", IAE), ([1.5, 2], IAE), (True, IAE),
    ([[0]], IAE)])
def test_index_arg_refuses_as_tensorflow(value, err):
    with pytest.raises(err):
        index_arg(value, "Op", "Tidx", rank=1, what="must be 1-D, got shape")


def test_index_arg_strict_and_int64():
    assert index_arg([1, 2], "Op", "Tidx").dtype == np.int32
    assert index_arg([2 ** 40], "Op", "Tidx").dtype == np.int64
    with pytest.raises(ValueError, match="requested dtype int32"):
        index_arg(tf.constant(1, tf.int64), "Op", "Tk", strict=True)
    with pytest.raises(TypeError, match="Cannot convert"):
        index_arg("a", "Op", "Tk", strict=True)
