"""``tf.image`` ops: resizing (as differentiable interpolation matrices), flips, crops.

Resizing is linear in the image: ``out = A_h · image · A_w^T`` per channel, with
interpolation matrices built the way TensorFlow 2 samples (half-pixel centres),
so its gradient is the transposed contraction and needs no rule of its own.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops import array_ops, math_ops


class ResizeMethod:
    """The names ``tf.image.resize`` accepts for ``method``."""

    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


def _interp_matrix(in_size, out_size, method):
    """Returns the ``(out_size, in_size)`` matrix sampling one axis (half-pixel centres)."""
    scale = in_size / out_size
    centers = (np.arange(out_size) + 0.5) * scale - 0.5
    m = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    if method == "nearest":
        idx = np.minimum(np.floor((np.arange(out_size) + 0.5) * scale), in_size - 1)
        m[rows, idx.astype(np.int64)] = 1.0
        return m
    centers = np.clip(centers, 0, in_size - 1)
    lo = np.floor(centers).astype(np.int64)
    hi = np.minimum(lo + 1, in_size - 1)
    frac = centers - lo
    np.add.at(m, (rows, lo), 1 - frac)
    np.add.at(m, (rows, hi), frac)
    return m


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False,
           antialias=False, name=None):
    """Returns ``images`` (NHWC or HWC) resized to ``size = (height, width)``.

    Output is float32 (float64 inputs stay float64), except ``nearest``, which keeps the
    input dtype, as in TensorFlow.

    Raises:
      ValueError: for an unsupported ``method`` or a non-positive size.
    """
    x = images if type(images) is Tensor else convert_to_tensor(images)
    method = str(method).lower()
    if method not in ("bilinear", "nearest"):
        raise ValueError(f"tapeflow's tf.image.resize supports 'bilinear' and 'nearest'; "
                         f"received method={method!r}")
    h, w = (int(v) for v in (size._value.tolist() if isinstance(size, Tensor) else size))
    if h <= 0 or w <= 0:
        raise ValueError(f"`size` must be positive; received {[h, w]}")
    squeeze = x._value.ndim == 3
    if squeeze:
        x = array_ops.expand_dims(x, 0)
    in_h, in_w = x._value.shape[1:3]
    if preserve_aspect_ratio:
        ratio = min(h / in_h, w / in_w)
        h, w = max(int(round(in_h * ratio)), 1), max(int(round(in_w * ratio)), 1)
    out_dtype = x.dtype
    if method != "nearest" and x.dtype.name != "float64":
        x = math_ops.cast(x, "float32")
    work_dtype = x.dtype if x.dtype.is_floating else None
    if work_dtype is None:
        xf = math_ops.cast(x, "float32")
    else:
        xf = x
    ah = Tensor(_interp_matrix(in_h, h, method).astype(xf.dtype.as_numpy_dtype))
    aw = Tensor(_interp_matrix(in_w, w, method).astype(xf.dtype.as_numpy_dtype))
    from tapeflow.ops import math_ops as m
    out = m.einsum("ph,nhwc,qw->npqc", ah, xf, aw) if hasattr(m, "einsum") else _resize_mm(
        xf, ah, aw)
    if method == "nearest" and out.dtype != out_dtype:
        out = math_ops.cast(math_ops.round(out), out_dtype)
    if squeeze:
        out = array_ops.squeeze(out, 0)
    return out


def _resize_mm(x, ah, aw):
    # (n, h, w, c) -> rows: ah @ x along h; cols: along w
    t = array_ops.transpose(x, [0, 3, 1, 2])                       # n c h w
    t = math_ops.matmul(math_ops.matmul(ah, t), aw, transpose_b=True)
    return array_ops.transpose(t, [0, 2, 3, 1])


def flip_left_right(image):
    """Returns ``image`` (HWC or NHWC) mirrored along the width axis."""
    x = convert_to_tensor(image)
    return x[..., ::-1, :]


def flip_up_down(image):
    """Returns ``image`` (HWC or NHWC) mirrored along the height axis."""
    x = convert_to_tensor(image)
    return x[..., ::-1, :, :]


def rot90(image, k=1, name=None):
    """Returns ``image`` rotated counter-clockwise by ``k`` quarter turns."""
    x = convert_to_tensor(image)
    k = int(k) % 4
    batched = x._value.ndim == 4
    h_ax, w_ax = (1, 2) if batched else (0, 1)
    perm = list(range(x._value.ndim))
    perm[h_ax], perm[w_ax] = perm[w_ax], perm[h_ax]
    for _ in range(k):
        x = array_ops.transpose(flip_left_right(x), perm)
    return x


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Returns the ``target_height x target_width`` crop at the given offsets.

    Raises:
      ValueError: if the box does not fit inside the image.
    """
    x = convert_to_tensor(image)
    batched = x._value.ndim == 4
    h, w = x._value.shape[1:3] if batched else x._value.shape[:2]
    oh, ow, th, tw = (int(v) for v in (offset_height, offset_width, target_height, target_width))
    if oh < 0 or ow < 0 or th <= 0 or tw <= 0 or oh + th > h or ow + tw > w:
        raise ValueError(f"The bounding box (offset {oh}, {ow}; size {th}, {tw}) does not fit "
                         f"inside an image of size {h}x{w}.")
    if batched:
        return x[:, oh:oh + th, ow:ow + tw, :]
    return x[oh:oh + th, ow:ow + tw, :]


def central_crop(image, central_fraction):
    """Returns the central region holding ``central_fraction`` of each side."""
    x = convert_to_tensor(image)
    batched = x._value.ndim == 4
    h, w = x._value.shape[1:3] if batched else x._value.shape[:2]
    if not 0 < central_fraction <= 1:
        raise ValueError("central_fraction must be within (0, 1]")
    th, tw = int(h * central_fraction), int(w * central_fraction)
    return crop_to_bounding_box(x, (h - th) // 2, (w - tw) // 2, th, tw)


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Returns ``image`` converted to ``dtype``, rescaling between int and float ranges."""
    from tapeflow.framework import dtypes
    x = convert_to_tensor(image)
    dtype = dtypes.as_dtype(dtype)
    if x.dtype == dtype:
        return x
    if x.dtype.is_integer and dtype.is_floating:
        return math_ops.cast(x, dtype) / float(x.dtype.max)
    if x.dtype.is_floating and dtype.is_integer:
        return math_ops.cast(math_ops.round(x * float(dtype.max)), dtype)
    return math_ops.cast(x, dtype)


__all__ = ["resize", "ResizeMethod", "flip_left_right", "flip_up_down", "rot90",
           "crop_to_bounding_box", "central_crop", "convert_image_dtype"]
