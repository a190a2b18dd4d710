"""``tf.image.resize``: every method TensorFlow has, as differentiable sampling matrices.

Resizing is linear in the image: ``out = A_h · image · A_w^T`` per channel, with
interpolation matrices built the way TensorFlow 2 samples (half-pixel centres): bilinear,
area, Keys' bicubic (ResizeBicubic's 1/1024 weight table), and the filters of its
ScaleAndTranslate kernel (lanczos3/5, gaussian, mitchellcubic; widened by the downscale
factor with ``antialias``). The gradient is the transposed contraction and needs no rule.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import OpDef
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
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


def _antialias_matrix(in_size, out_size):
    """The ``(out_size, in_size)`` matrix of a triangle filter as wide as ``in / out`` pixels.

    Each output pixel averages the inputs under a tent centred on it, weights normalised
    to sum to 1 (TensorFlow's antialiased bilinear downsampling).
    """
    width = in_size / out_size
    centers = (np.arange(out_size)[:, None] + 0.5) * width
    m = np.maximum(0.0, 1.0 - np.abs(np.arange(in_size)[None, :] + 0.5 - centers) / width)
    return m / m.sum(axis=1, keepdims=True)


def _area_matrix(in_size, out_size):
    """Each output pixel averages the input span ``[i, i + 1) * in / out`` it covers,
    partly covered input pixels weighted by the fraction covered (``method="area"``)."""
    scale = in_size / out_size
    lo = np.arange(out_size)[:, None] * scale
    j = np.arange(in_size)[None, :]
    overlap = np.minimum(lo + scale, j + 1) - np.maximum(lo, j)
    return np.maximum(overlap, 0.0) / scale


def _keys_cubic(x):
    """Keys' cubic convolution kernel (a = -0.5), support 2."""
    return np.where(x < 1, (1.5 * x - 2.5) * x * x + 1,
                    np.where(x < 2, ((-0.5 * x + 2.5) * x - 4) * x + 2, 0.0))


def _mitchell_cubic(x):
    """Mitchell and Netravali's cubic (B = C = 1/3), support 2."""
    return np.where(x < 1, ((7 / 6 * x - 2) * x) * x + 8 / 9,
                    np.where(x < 2, ((-7 / 18 * x + 2) * x - 10 / 3) * x + 16 / 9, 0.0))


def _lanczos(radius):
    def kernel(x):
        with np.errstate(all="ignore"):
            v = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius) / (np.pi * x) ** 2
        return np.where(x > radius, 0.0, np.where(x <= 1e-3, 1.0, v))
    return kernel


def _gaussian(x):
    """A Gaussian with sigma 0.5, cut at radius 1.5."""
    return np.where(x < 1.5, np.exp(-x * x / 0.5), 0.0)


# method -> (kernel of |distance|, radius): the filters TensorFlow samples with
_KERNELS = {"bicubic": (_keys_cubic, 2.0), "mitchellcubic": (_mitchell_cubic, 2.0),
            "lanczos3": (_lanczos(3.0), 3.0), "lanczos5": (_lanczos(5.0), 5.0),
            "gaussian": (_gaussian, 1.5)}


def _kernel_matrix(in_size, out_size, method, antialias):
    """The ``(out_size, in_size)`` matrix of a separable filter: each output pixel centre
    ``(i + 0.5) * in / out`` weighs the input pixels within the filter's radius (widened by
    the downscale factor when ``antialias``); taps outside the image are dropped and the
    rest renormalised to sum to 1."""
    kernel, radius = _KERNELS[method]
    inv_scale = in_size / out_size
    kscale = max(inv_scale, 1.0) if antialias else 1.0
    sample = (np.arange(out_size) + 0.5) * inv_scale
    src = np.arange(in_size) + 0.5
    dist = np.abs(src[None, :] - sample[:, None]) / kscale
    lo = np.ceil(sample - radius * kscale - 0.5)[:, None]
    hi = np.floor(sample + radius * kscale - 0.5)[:, None]
    j = np.arange(in_size)[None, :]
    m = np.where((j >= lo) & (j <= hi), kernel(dist), 0.0)
    total = m.sum(axis=1, keepdims=True)
    return np.where(np.abs(total) >= 1000 * np.finfo(np.float32).tiny, m / np.where(
        total == 0, 1, total), m)


def _bicubic_matrix(in_size, out_size):
    """TensorFlow's ResizeBicubic (half-pixel centres): four Keys taps around each centre,
    the fractional offset rounded to 1/1024 (its weight table), taps outside the image
    dropped and the rest renormalised."""
    centre = (np.arange(out_size) + 0.5) * (in_size / out_size) - 0.5
    base = np.floor(centre)
    frac = np.rint((centre - base) * 1024) / 1024
    m = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    for k in (-1, 0, 1, 2):
        idx = base + k
        ok = (idx >= 0) & (idx < in_size)
        np.add.at(m, (rows[ok], idx[ok].astype(np.int64)), _keys_cubic(np.abs(frac - k))[ok])
    return m / m.sum(axis=1, keepdims=True)


def _interp_matrix(in_size, out_size, method, antialias=False):
    """Returns the ``(out_size, in_size)`` matrix sampling one axis (half-pixel centres)."""
    if method == "area":
        return _area_matrix(in_size, out_size)
    if method == "bicubic" and not antialias:
        return _bicubic_matrix(in_size, out_size)
    if method in _KERNELS:
        return _kernel_matrix(in_size, out_size, method, antialias)
    if antialias and out_size < in_size:
        return _antialias_matrix(in_size, out_size)
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


_RESIZE_T = ("int8", "uint8", "int16", "uint16", "int32", "int64")
# the resize kernels' dtype rules (TensorFlow's lists, in its order); the resizing itself
# is a composite of matmuls/gathers, so these declare dtypes only
_RESIZE_OPS = {
    m: OpDef(op, None, "unary", _RESIZE_T + t, None, (), None)
    for m, op, t in (
        ("bilinear", "ResizeBilinear", ("bfloat16", "half", "float", "double", "bfloat16")),
        ("nearest", "ResizeNearestNeighbor", ("half", "float", "double", "bfloat16")),
        ("area", "ResizeArea", ("half", "float", "double", "bfloat16")),
        ("bicubic", "ResizeBicubic", ("half", "float", "double", "bfloat16")),
        ("kernel", "ScaleAndTranslate", ("bfloat16", "half", "float", "double")))}


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False,
           antialias=False, name=None):
    """Returns ``images`` (NHWC or HWC) resized to ``size = (height, width)``.

    ``"area"`` averages the input pixels each output pixel covers (partly covered ones
    weighted by the fraction covered). ``antialias=True`` filters bilinear downsampling
    with a tent as wide as the scale factor (upsampling, ``nearest`` and ``area`` are
    unchanged by it), as TensorFlow does.

    Returns:
      A float32 Tensor (any input dtype), except for ``nearest``, which keeps the input
      dtype, as in TensorFlow.

    Raises:
      ValueError: for an unsupported ``method`` or an image of rank other than 3 or 4.
      InvalidArgumentError: for a non-positive size.
    """
    x = images if type(images) is Tensor else convert_to_tensor(images)
    if x._value.ndim not in (3, 4):
        raise ValueError("'images' must have either 3 or 4 dimensions.")
    method = str(method).lower()
    if method not in ("bilinear", "nearest", "area") and method not in _KERNELS:
        raise ValueError(f"Resize method is not implemented: [{method}]")
    rule = _RESIZE_OPS["kernel" if method in _KERNELS and (antialias or method != "bicubic")
                       else ("bilinear" if method == "bilinear" and antialias else method)]
    if x._value.dtype not in rule.ok:
        raise rule.dtype_error(x._value.dtype)
    size = _func_graph.value_of(size).tolist() if isinstance(size, Tensor) else list(size)
    if len(size) != 2 or not all(isinstance(v, (int, np.integer)) for v in size):
        raise ValueError("'size' must be a 1-D int32 Tensor")
    h, w = (int(v) for v in size)
    if h <= 0 or w <= 0:
        op = rule.name
        raise InvalidArgumentError(None, op, f"output dimensions must be positive; received "
                                   f"{[h, w]} [Op:{op}]")
    squeeze = x._value.ndim == 3
    if squeeze:
        x = array_ops.expand_dims(x, 0)
    in_h, in_w = x._value.shape[1:3]
    if x._value.shape[3] == 0:
        raise InvalidArgumentError(None, rule.name, f"image must have at least one channel "
                                   f"[Op:{rule.name}]")
    if in_h == 0 or in_w == 0:
        op = "ResizeNearestNeighbor" if method == "nearest" else "ResizeBilinear"
        raise InvalidArgumentError(None, op, f"input image must be of non-zero size "
                                   f"[Op:{op}]")
    if preserve_aspect_ratio:
        ratio = min(h / in_h, w / in_w)
        h, w = max(int(round(in_h * ratio)), 1), max(int(round(in_w * ratio)), 1)
    if method == "nearest":      # a gather keeps every dtype's values exact
        out = _resize_nearest(x, in_h, in_w, h, w)
    else:                        # float32 whatever the input dtype, as TensorFlow does
        out = _resize_linear(math_ops.cast(x, "float32"), h, w, method, antialias)
    if squeeze:
        out = array_ops.squeeze(out, 0)
    return out


def _nearest_index(in_size, out_size):
    """TF2's nearest sample along one axis: ``floor((i + 0.5) * in / out)``, clipped."""
    idx = np.floor((np.arange(out_size) + 0.5) * (in_size / out_size))
    return np.minimum(idx, in_size - 1).astype(np.int32)


def _resize_nearest(x, in_h, in_w, h, w):
    rows = Tensor(_nearest_index(in_h, h))
    cols = Tensor(_nearest_index(in_w, w))
    return array_ops.gather(array_ops.gather(x, rows, axis=1), cols, axis=2)


def _lerp_taps(in_size, out_size):
    """ResizeBilinear's taps along one axis: lower and upper indices and the fraction."""
    centre = (np.arange(out_size) + 0.5) * (in_size / out_size) - 0.5
    base = np.floor(centre)
    lo = np.maximum(base, 0).astype(np.int32)
    hi = np.minimum(np.ceil(centre), in_size - 1).astype(np.int32)
    return Tensor(lo), Tensor(hi), (centre - base)


def _resize_bilinear_lerp(x, h, w):
    """TensorFlow's ResizeBilinear formula, ``top + (bottom - top) * y_lerp`` of row lerps:
    used for images holding inf/NaN, where a sampling matrix would spread them (0 * inf)."""
    in_h, in_w = x._value.shape[1:3]
    if (h, w) == (in_h, in_w):   # TF's kernel copies an image of the same size
        return x
    dt = x.dtype.as_numpy_dtype
    top_i, bottom_i, yl = _lerp_taps(in_h, h)
    left_i, right_i, xl = _lerp_taps(in_w, w)
    xl = Tensor(xl.astype(dt).reshape(1, 1, w, 1))
    yl = Tensor(yl.astype(dt).reshape(1, h, 1, 1))
    g, sub, mul, add = array_ops.gather, math_ops.subtract, math_ops.multiply, math_ops.add

    def row(rows):
        left, right = g(rows, left_i, axis=2), g(rows, right_i, axis=2)
        return add(left, mul(sub(right, left), xl))
    with np.errstate(all="ignore"):   # inf - inf is NaN here, as in TensorFlow's kernel
        top, bottom = row(g(x, top_i, axis=1)), row(g(x, bottom_i, axis=1))
        return add(top, mul(sub(bottom, top), yl))


def _resize_linear(x, h, w, method, antialias=False):
    """``A_h · x · A_w^T`` per image and channel, in ``x``'s float dtype (differentiable)."""
    in_h, in_w = x._value.shape[1:3]
    if method == "bilinear" and not (antialias and (h < in_h or w < in_w)) and \
            not np.isfinite(x._value).all():
        return _resize_bilinear_lerp(x, h, w)
    dt = x.dtype.as_numpy_dtype
    ah = Tensor(_interp_matrix(in_h, h, method, antialias).astype(dt))
    aw = Tensor(_interp_matrix(in_w, w, method, antialias).astype(dt))
    return _resize_mm(x, ah, aw)


def _resize_mm(x, ah, aw):
    # (n, h, w, c) -> rows: ah @ x along h; cols: along w
    t = array_ops.transpose(x, [0, 3, 1, 2])                       # n c h w
    t = math_ops.matmul(math_ops.matmul(ah, t), aw, transpose_b=True)
    return array_ops.transpose(t, [0, 2, 3, 1])



__all__ = ["resize", "ResizeMethod"]
