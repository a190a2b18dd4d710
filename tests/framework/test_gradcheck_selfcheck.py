"""The gradient checker must catch a wrong gradient rule (so it cannot pass vacuously)."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads


def test_checker_accepts_correct_rule():
    check_grads(lambda x: x * x * x, [np.array([0.3, -1.2, 2.0])], order=2)


def test_checker_rejects_wrong_rule():
    @tf.custom_gradient
    def bad_square(x):
        def grad(dy):
            return dy * 3.0 * x  # should be 2x
        return x * x, grad

    with pytest.raises(AssertionError, match="first-order gradient mismatch"):
        check_grads(bad_square, [np.array([0.5, 1.5])], order=1)
