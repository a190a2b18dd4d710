"""``tf.cast`` and ``tf.dtypes.saturate_cast``: kernel and gradient.

The gradient of a cast is the incoming gradient cast back (float to float only); casts to
integers truncate toward zero, as TensorFlow's.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.primitive import primitive
from tapeflow.framework.tensor import Tensor, convert_to_tensor


def _cast_kernel(x, dtype):
    if (x.dtype.kind == "O") != (dtype.kind == "O"):
        from tapeflow.framework.errors import UnimplementedError
        raise UnimplementedError(
            None, "Cast", f"Cast {dtypes.as_dtype(x.dtype).name} to "
            f"{dtypes.as_dtype(dtype).name} is not supported [Op:Cast]")
    if x.dtype.kind in "fc" and dtype.kind in "iu":
        from tapeflow.ops.math_ops import _quiet
        with _quiet():
            return np.trunc(x).astype(dtype)
    return np.asarray(x).astype(dtype, copy=False) if x.dtype != dtype else x


_cast_op = primitive("Cast")(_cast_kernel)


@_cast_op.def_grad
def _cast_grad(op, dy):
    """The gradient is cast back to the input dtype (float to float only)."""
    x = op.inputs[0]
    if x._value.dtype.kind not in "fc":
        return None
    return cast(dy, x.dtype)


def cast(x, dtype, name=None):
    """Returns ``x`` converted to ``dtype`` (floats truncate toward zero; ints wrap).

    >>> cast(constant(300), uint8).numpy()
    np.uint8(44)
    """
    dtype = dtypes.as_dtype(dtype)
    if type(x) is not Tensor:
        from tapeflow.framework.indexed_slices import IndexedSlices
        hook = getattr(type(x), "__tf_dispatch__", None)  # RaggedTensor
        if hook is not None:
            return hook(x, cast, (x, dtype), {})
        if isinstance(x, IndexedSlices):
            return IndexedSlices(cast(x.values, dtype), x.indices, x.dense_shape)
        x = convert_to_tensor(x)
    if x._value.dtype == dtype._np:
        return x
    return _cast_op(x, dtype=dtype._np)


def saturate_cast(value, dtype, name=None):
    """Returns ``value`` cast to ``dtype``, clamped first to the range ``dtype`` can hold.

    The limits are taken in the input's dtype, rounded toward zero where that dtype cannot
    hold them exactly (float32 to int32 clamps at 2147483520, as TensorFlow). Complex inputs
    keep their real part for a real ``dtype``. Differentiable through the clamp (zero
    gradient where a value was clamped).

    >>> saturate_cast(constant([300, -5]), uint8).numpy()
    array([255,   0], dtype=uint8)

    Raises:
      TypeError: for a bool input or ``dtype`` (they have no range), as TensorFlow.
    """
    from tapeflow.ops.math_ops import maximum, minimum
    x = value if type(value) is Tensor else convert_to_tensor(value)
    dtype = dtypes.as_dtype(dtype)
    if x.dtype.is_complex and not dtype.is_complex:
        from tapeflow.ops.special_math_ops import real
        x = real(x)
    src = x.dtype
    if src is dtype or src.is_complex:
        return cast(x, dtype)
    lo, hi = max(src.min, dtype.min), min(src.max, dtype.max)
    t = src._np.type
    if lo > src.min:
        lim = t(lo)
        if src.is_floating and float(lim) < float(lo):
            lim = np.nextafter(lim, t(0))
        x = maximum(x, Tensor(np.asarray(lim, src._np)))
    if hi < src.max:
        lim = t(hi)
        if src.is_floating and float(lim) > float(hi):
            lim = np.nextafter(lim, t(0))
        x = minimum(x, Tensor(np.asarray(lim, src._np)))
    return cast(x, dtype)


__all__ = ["cast", "saturate_cast"]
