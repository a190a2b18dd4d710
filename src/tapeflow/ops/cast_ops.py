"""``tf.cast`` and ``tf.dtypes.saturate_cast``: kernel and gradient.

The gradient of a cast is the incoming gradient cast back (float to float only); casts to
integers truncate toward zero, as TensorFlow's.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.op_def import ANY, defop
from tapeflow.framework.tensor import Tensor, convert_to_tensor


def _cast_kernel(x, dtype):
    if (x.dtype.kind == "O") != (dtype.kind == "O"):
        from tapeflow.framework.errors import UnimplementedError
        raise UnimplementedError(
            None, "Cast", f"Cast {dtypes.as_dtype(x.dtype).name} to "
            f"{dtypes.as_dtype(dtype).name} is not supported [Op:Cast]")
    if x.dtype.kind == "c" and dtype.kind != "c":
        x = x.real                       # TensorFlow discards the imaginary part
    if x.dtype.kind == "f" and dtype.kind in "iu":
        with np.errstate(all="ignore"):   # NaN/inf to int silently, as TensorFlow
            return np.trunc(x).astype(dtype)
    return np.asarray(x).astype(dtype, copy=False) if x.dtype != dtype else x


def _cast_grad(op, dy):
    """The gradient is cast back to the input dtype (float to float only)."""
    x = op.inputs[0]
    if x._value.dtype.kind not in "fc":
        return None
    return cast(dy, x.dtype)


def _cast_args(x, dtype, name=None):
    """Returns ``x`` converted to ``dtype`` (floats truncate toward zero; ints wrap; complex
    to real keeps the real part).

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
    return (x,), {"dtype": dtype._np}


cast = defop("Cast", _cast_kernel, _cast_grad, dtypes=ANY, args=_cast_args, export="cast")
_cast_op = cast.op_def.op


def saturate_cast(value, dtype, name=None):
    """Returns ``value`` cast to ``dtype``, clamped first to the range ``dtype`` can hold.

    The limits are taken in the input's dtype, rounded toward zero where that dtype cannot
    hold them exactly (float32 to int32 clamps at 2147483520, as TensorFlow); floats are
    always clamped (inf becomes the largest finite value, as TensorFlow). Complex inputs
    keep their real part for a real ``dtype``; to a complex ``dtype`` the real and
    imaginary parts are clamped apart. Differentiable through the clamp (zero gradient
    where a value was clamped).

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
    if dtype.is_complex:   # TensorFlow clamps the real (and imaginary) parts
        out = dtype.real_dtype
        if x.dtype.is_complex:
            from tapeflow.ops.special_math_ops import complex as _complex
            from tapeflow.ops.special_math_ops import imag, real
            return _complex(*[saturate_cast(f(x), out) for f in (real, imag)])
        return cast(saturate_cast(x, out), dtype)
    src = x.dtype
    lo, hi = max(src.min, dtype.min), min(src.max, dtype.max)   # TypeError for bool
    if src in (dtypes.uint32, dtypes.uint64):   # TensorFlow clamps with ClipByValue, which
        from tapeflow.ops.clip_ops import clip_by_value   # has no kernel for these
        raise clip_by_value.op_def.dtype_error(src._np)
    t = src._np.type
    if lo > src.min or src.is_floating:
        lim = t(lo) if src.is_floating else t(lo)
        if src.is_floating and float(lim) < float(lo):
            lim = np.nextafter(lim, t(0))
        x = maximum(x, Tensor(np.asarray(lim, src._np)))
    if hi < src.max or src.is_floating:
        with np.errstate(over="ignore"):
            lim = t(hi)
        if src.is_floating and float(lim) > float(hi):
            lim = np.nextafter(lim, t(0))
        x = minimum(x, Tensor(np.asarray(lim, src._np)))
    return cast(x, dtype)


__all__ = ["cast", "saturate_cast"]
