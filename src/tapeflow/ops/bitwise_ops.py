"""``tf.bitwise``: elementwise bit operations on integer tensors, declared with ``defop``
(TensorFlow's op names and integer dtype list; no gradient). ``bitwise_and``/``or``/``xor``
and ``invert`` are also what ``&``, ``|``, ``^`` and ``~`` mean on integer tensors."""
from tapeflow.backend import xp as np
from tapeflow.framework.op_def import INT, UINT, defop

BITS = INT + UINT    # TensorFlow's list for the bitwise ops, in its order


def _shift(left):
    def kernel(x, y):
        bits = x.dtype.itemsize * 8
        amount = np.clip(y.astype(np.int64), 0, bits - 1).astype(x.dtype)  # TF clamps
        return np.left_shift(x, amount) if left else np.right_shift(x, amount)
    return kernel


left_shift = defop("LeftShift", _shift(True), dtypes=BITS, kind="binary", export="left_shift")
right_shift = defop("RightShift", _shift(False), dtypes=BITS, kind="binary",
                    export="right_shift")
bitwise_and = defop("BitwiseAnd", np.bitwise_and, dtypes=BITS, kind="binary",
                    export="bitwise_and")
bitwise_or = defop("BitwiseOr", np.bitwise_or, dtypes=BITS, kind="binary",
                   export="bitwise_or")
bitwise_xor = defop("BitwiseXor", np.bitwise_xor, dtypes=BITS, kind="binary",
                    export="bitwise_xor")
invert = defop("Invert", np.invert, dtypes=BITS, export="invert")


__all__ = []   # published as tf.bitwise.* (tapeflow/bitwise.py), not at the top level
