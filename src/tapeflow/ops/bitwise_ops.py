"""Bit shifts of integer tensors (``tf.bitwise.left_shift``/``right_shift``); no gradient."""
from tapeflow.backend import xp as np
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.primitive import make_binary, primitive


def _shift(name, left):
    def kernel(x, y):
        if x.dtype.kind not in "iu":
            raise InvalidArgumentError(None, name, f"{name} expects integer inputs [Op:{name}]")
        bits = x.dtype.itemsize * 8
        amount = np.clip(y.astype(np.int64), 0, bits - 1).astype(x.dtype)  # TF clamps
        return np.left_shift(x, amount) if left else np.right_shift(x, amount)
    return make_binary(primitive(name, differentiable=False)(kernel))


left_shift = _shift("LeftShift", True)
right_shift = _shift("RightShift", False)


__all__ = []
