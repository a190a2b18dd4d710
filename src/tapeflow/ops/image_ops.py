"""``tf.image`` ops: flips, crops, colour and dtype conversions; ``resize`` lives in
``image_resize_ops`` (re-exported here)."""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import defop
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops import array_ops, math_ops
from tapeflow.ops.image_resize_ops import ResizeMethod, resize  # noqa: F401  (tf.image)


def _image(image, at_least="at least three-dimensional", any_batch=False, nonempty=True):
    """Returns ``image`` as a Tensor, checked to be HWC or NHWC (``any_batch``: any number
    of leading batch axes) as TensorFlow checks it."""
    x = image if type(image) is Tensor else convert_to_tensor(image)
    nd = x._value.ndim
    if nd < 3:
        raise ValueError(f"'image' (shape {x.shape}) must be {at_least}.")
    if nd > 4 and not any_batch:
        raise ValueError(f"'image' (shape {x.shape}) must have either 3 or 4 dimensions.")
    if nonempty and 0 in x._value.shape[-3:]:
        raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {x._value.shape}")
    return x


def flip_left_right(image):
    """Returns ``image`` (HWC or NHWC) mirrored along the width axis.

    Raises:
      ValueError: if ``image`` is not of rank 3 or 4.
    """
    return _image(image)[..., ::-1, :]


def flip_up_down(image):
    """Returns ``image`` (HWC or NHWC) mirrored along the height axis.

    Raises:
      ValueError: if ``image`` is not of rank 3 or 4.
    """
    return _image(image)[..., ::-1, :, :]


def rot90(image, k=1, name=None):
    """Returns ``image`` rotated counter-clockwise by ``k`` quarter turns.

    Raises:
      ValueError: if ``image`` is not of rank 3 or 4.
    """
    x = _image(image)
    if isinstance(k, float) or (isinstance(k, Tensor) and k._value.dtype.kind == "f"):
        raise TypeError(f"Cannot convert {k!r} to EagerTensor of dtype int32")
    k = int(k) % 4
    batched = x._value.ndim == 4
    h_ax, w_ax = (1, 2) if batched else (0, 1)
    perm = list(range(x._value.ndim))
    perm[h_ax], perm[w_ax] = perm[w_ax], perm[h_ax]
    for _ in range(k):
        x = array_ops.transpose(flip_left_right(x), perm)
    return x


def _hw(x):
    shape = x._value.shape
    return shape[-3], shape[-2]


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Returns the ``target_height x target_width`` crop at the given offsets.

    Raises:
      ValueError: if the image is not of rank 3 or 4, or the box does not fit inside it
        (TensorFlow's messages).
    """
    x = _image(image, "either 3 or 4 dimensions")
    h, w = _hw(x)
    oh, ow, th, tw = (int(v) for v in (offset_height, offset_width, target_height, target_width))
    for ok, msg in ((oh >= 0, "offset_height must be >= 0."),
                    (ow >= 0, "offset_width must be >= 0."),
                    (th > 0, "target_height must be > 0."),
                    (tw > 0, "target_width must be > 0."),
                    (h >= th + oh, "height must be >= target + offset."),
                    (w >= tw + ow, "width must be >= target + offset.")):
        if not ok:
            raise ValueError(msg)
    return x[..., oh:oh + th, ow:ow + tw, :]


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Returns ``image`` zero-padded to ``target_height x target_width``, placed at the offsets.

    Returns:
      A Tensor of ``image``'s dtype and rank.

    Raises:
      ValueError: if the image is not of rank 3 or 4, or does not fit inside the target.
    """
    from tapeflow.ops.manip_ops import pad
    x = _image(image, "either 3 or 4 dimensions")
    h, w = _hw(x)
    oh, ow, th, tw = (int(v) for v in (offset_height, offset_width, target_height, target_width))
    after_h, after_w = th - oh - h, tw - ow - w
    for ok, msg in ((oh >= 0, "offset_height must be >= 0"),
                    (ow >= 0, "offset_width must be >= 0"),
                    (after_h >= 0, "height must be <= target - offset"),
                    (after_w >= 0, "width must be <= target - offset")):
        if not ok:
            raise ValueError(msg)
    paddings = [[oh, after_h], [ow, after_w], [0, 0]]
    if x._value.ndim == 4:
        paddings.insert(0, [0, 0])
    return pad(x, paddings)


def resize_with_crop_or_pad(image, target_height, target_width):
    """Returns ``image`` centrally cropped and/or zero-padded to the target size.

    Raises:
      ValueError: if the image is not of rank 3 or 4 or a target size is not positive.
    """
    x = _image(image, "either 3 or 4 dimensions")
    th, tw = int(target_height), int(target_width)
    if th <= 0:
        raise ValueError("target_height must be > 0.")
    if tw <= 0:
        raise ValueError("target_width must be > 0.")
    h, w = _hw(x)
    cropped = crop_to_bounding_box(x, max((h - th) // 2, 0), max((w - tw) // 2, 0),
                                   min(th, h), min(tw, w))
    return pad_to_bounding_box(cropped, max((th - h) // 2, 0), max((tw - w) // 2, 0), th, tw)


def central_crop(image, central_fraction):
    """Returns the central region holding ``central_fraction`` of each side.

    Like TensorFlow, each side starts at ``int((size - size * central_fraction) / 2)`` and
    keeps ``size - 2 * start`` pixels.

    Raises:
      ValueError: if ``central_fraction`` is outside (0, 1] or the rank is not 3 or 4.
    """
    if not 0 < central_fraction <= 1:
        raise ValueError("central_fraction must be within (0, 1]")
    x = _image(image, "either 3 or 4 dimensions")
    if central_fraction == 1.0:
        return x
    h, w = _hw(x)
    top, left = int((h - h * central_fraction) / 2), int((w - w * central_fraction) / 2)
    return x[..., top:h - top, left:w - left, :]


def _saturate_cast(x, dtype):
    """Casts ``x`` to ``dtype``, first clipping it to the values ``dtype`` can hold."""
    from tapeflow.ops.clip_ops import clip_by_value
    src = x.dtype
    if dtype.is_integer or dtype.is_floating:
        lo, hi = _bounds(src, dtype)
        if lo is not None:
            x = clip_by_value(x, lo, hi)
    return math_ops.cast(x, dtype)


def _bounds(src, dst):
    """The ``dst`` range in ``src``'s dtype, rounded inwards so the cast cannot overflow."""
    sinfo = (np.finfo if src.is_floating else np.iinfo)(src.as_numpy_dtype)
    dinfo = (np.finfo if dst.is_floating else np.iinfo)(dst.as_numpy_dtype)
    if float(dinfo.min) <= float(sinfo.min) and float(dinfo.max) >= float(sinfo.max):
        return None, None
    st = src.as_numpy_dtype
    lo, hi = st(max(dinfo.min, sinfo.min)), st(min(dinfo.max, sinfo.max))
    if src.is_floating and dst.is_integer:
        if int(hi) > int(dinfo.max):
            hi = np.nextafter(hi, st(0))
        if int(lo) < int(dinfo.min):
            lo = np.nextafter(lo, st(0))
    return lo, hi


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Returns ``image`` converted to ``dtype``, rescaling between the dtypes' ranges.

    As TensorFlow does: integers map ``[0, MAX]`` onto floats ``[0, 1]`` (multiplied by
    ``1 / MAX``); floats map back multiplied by ``MAX + 0.5`` and truncated; integers of
    different widths are scaled by the power of two between them. ``saturate`` clips to
    the target range before casting (otherwise out-of-range values wrap like a cast).

    Returns:
      A Tensor of ``dtype``.

    Raises:
      AttributeError: if either dtype is neither integer nor floating point.
    """
    x = image if type(image) is Tensor else convert_to_tensor(image)
    dtype = dtypes.as_dtype(dtype)
    src = x.dtype
    if not (src.is_integer or src.is_floating):
        raise AttributeError("image dtype must be either floating point or integer")
    if not (dtype.is_integer or dtype.is_floating):
        raise AttributeError("dtype must be either floating point or integer")
    if src == dtype:
        return x
    cast = _saturate_cast if saturate else math_ops.cast
    if src.is_integer and dtype.is_integer:
        in_max, out_max = int(src.max), int(dtype.max)
        if in_max > out_max:     # narrower: drop the low bits, then cast
            scale = (in_max + 1) // (out_max + 1)
            return cast(math_ops.floordiv(x, Tensor(np.asarray(scale, src.as_numpy_dtype))),
                        dtype)
        scale = (out_max + 1) // (in_max + 1)
        y = cast(x, dtype)
        return math_ops.multiply(y, Tensor(np.asarray(scale, dtype.as_numpy_dtype)))
    if src.is_floating and dtype.is_floating:
        return cast(x, dtype)
    if src.is_integer:
        y = math_ops.cast(x, dtype)
        return math_ops.multiply(y, Tensor(np.asarray(1.0 / int(src.max),
                                                      dtype.as_numpy_dtype)))
    scaled = math_ops.multiply(x, Tensor(np.asarray(int(dtype.max) + 0.5, src.as_numpy_dtype)))
    return cast(scaled, dtype)


# -- colour and intensity ----------------------------------------------------------------
# These work in float32, as TensorFlow does: an integer image is converted with
# convert_image_dtype first and converted back (saturating) at the end.

_RGB_WEIGHTS = (0.2989, 0.587, 0.114)


def _to_float32(x):
    return x if x.dtype.name == "float32" else convert_image_dtype(x, dtypes.float32)


def rgb_to_grayscale(images, name=None):
    """Returns the luma of RGB ``images`` (``[..., 3]`` -> ``[..., 1]``), in their dtype.

    Weights 0.2989, 0.587, 0.114 as in TensorFlow.
    """
    from tapeflow.ops.array_ops import expand_dims
    x = images if type(images) is Tensor else convert_to_tensor(images)
    if x._value.ndim and x._value.shape[-1] != 3:   # TensorFlow's matmul with the weights
        raise InvalidArgumentError(
            None, "MatMul", f"Matrix size-incompatible: In[0]: "
            f"[{int(np.prod(x._value.shape[:-1]))},{x._value.shape[-1]}], In[1]: [3,1] "
            f"[Op:MatMul]")
    flt = _to_float32(x)
    weights = Tensor(np.asarray(_RGB_WEIGHTS, np.float32))
    gray = math_ops.reduce_sum(math_ops.multiply(flt, weights), axis=-1)
    return convert_image_dtype(expand_dims(gray, -1), x.dtype)


def grayscale_to_rgb(images, name=None):
    """Returns ``images`` with their single channel repeated three times.

    Raises:
      ValueError: if the last dimension is not 1.
    """
    from tapeflow.ops.array_ops import concat
    x = images if type(images) is Tensor else convert_to_tensor(images)
    if x._value.ndim < 2 or x._value.shape[-1] != 1:
        raise ValueError(f"Dimension must be 1 but is {x._value.shape[-1] if x._value.ndim else 0}"
                         f" for grayscale_to_rgb (input shape {x.shape})")
    return concat([x, x, x], -1)


def adjust_brightness(image, delta):
    """Returns ``image + delta`` computed in float32 (integers saturate back to their range)."""
    x = image if type(image) is Tensor else convert_to_tensor(image)
    flt = x if x.dtype.name == "float16" else _to_float32(x)   # TF keeps half as it is
    out = math_ops.add(flt, math_ops.cast(delta, flt.dtype))
    return out if out.dtype == x.dtype else convert_image_dtype(out, x.dtype, saturate=True)


def adjust_contrast(images, contrast_factor):
    """Returns ``(x - mean) * contrast_factor + mean``, the mean per image and channel.

    Computed in float32; integer images saturate back to their range.
    """
    x = images if type(images) is Tensor else convert_to_tensor(images)
    flt = x if x.dtype.name == "float16" else _to_float32(x)   # half: TF's kernel refuses
    factor = math_ops.cast(contrast_factor, dtypes.float32)
    out = _adjust_contrast_op(flt, factor)
    return convert_image_dtype(out, x.dtype, saturate=True)


def _adjust_contrast_kernel(images, contrast_factor):
    mean = np.mean(images, axis=(-3, -2), keepdims=True)
    return ((images - mean) * contrast_factor + mean).astype(images.dtype, copy=False)


def _adjust_contrast_grad(op, dy):
    """None: TensorFlow registers no gradient for AdjustContrastv2, so asking raises."""
    raise LookupError("gradient registry has no entry for: AdjustContrastv2")


_adjust_contrast_op = defop("AdjustContrastv2", _adjust_contrast_kernel, _adjust_contrast_grad,
                            dtypes=("half", "float"), kernels=("float",), kind="call")


def per_image_standardization(image):
    """Returns each image scaled to mean 0 and variance 1, as float32.

    The divisor is ``max(stddev, 1 / sqrt(num_pixels))``, so a flat image does not
    divide by zero.
    """
    x = _image(image, any_batch=True)
    flt = math_ops.cast(x, dtypes.float32)
    axes = [-3, -2, -1]
    num = int(np.prod(x._value.shape[-3:]))
    mean = math_ops.reduce_mean(flt, axis=axes, keepdims=True)
    var = math_ops.reduce_mean(math_ops.squared_difference(flt, mean), axis=axes,
                               keepdims=True)
    stddev = math_ops.maximum(math_ops.sqrt(var), np.float32(1.0 / np.sqrt(num)))
    return math_ops.divide(math_ops.subtract(flt, mean), stddev)


def adjust_gamma(image, gamma=1, gain=1):
    """Returns ``gain * image ** gamma``, computed in float32 (integers saturate back).

    Raises:
      ValueError: for a negative ``gamma``.
    """
    x = image if type(image) is Tensor else convert_to_tensor(image)
    g = gamma._value if isinstance(gamma, Tensor) else gamma
    if np.any(np.asarray(g) < 0):
        raise ValueError("Gamma should be a non-negative real number.")
    flt = x if x.dtype.name == "float16" else _to_float32(x)   # TF keeps half as it is
    out = math_ops.multiply(math_ops.cast(gain, flt.dtype),
                            math_ops.pow(flt, math_ops.cast(gamma, flt.dtype)))
    return out if out.dtype == x.dtype else convert_image_dtype(out, x.dtype, saturate=True)


def transpose(image, name=None):
    """Returns ``image`` (HWC or NHWC) with its height and width axes swapped."""
    x = _image(image, "either 3 or 4 dimensions")
    perm = [0, 2, 1, 3] if x._value.ndim == 4 else [1, 0, 2]
    return array_ops.transpose(x, perm)


def image_gradients(image):
    """Returns ``(dy, dx)``: forward differences along height and width of an NHWC batch,
    each zero in its last row/column.

    Raises:
      ValueError: unless ``image`` is 4-D.
    """
    from tapeflow.ops.array_ops import concat
    zeros_like = math_ops.zeros_like_
    x = image if type(image) is Tensor else convert_to_tensor(image)
    if x._value.ndim != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not "
                         f"{x.shape}.")
    dy = math_ops.subtract(x[:, 1:], x[:, :-1])
    dx = math_ops.subtract(x[:, :, 1:], x[:, :, :-1])
    dy = concat([dy, zeros_like(x[:, :1])], 1)
    dx = concat([dx, zeros_like(x[:, :, :1])], 2)
    return dy, dx


def total_variation(images, name=None):
    """Returns the sum of absolute differences between neighbouring pixels: a scalar for
    one HWC image, one value per image for an NHWC batch."""
    x = _image(images, "either 3 or 4 dimensions", nonempty=False)
    dh = math_ops.abs(math_ops.subtract(x[..., 1:, :, :], x[..., :-1, :, :]))
    dw = math_ops.abs(math_ops.subtract(x[..., :, 1:, :], x[..., :, :-1, :]))
    axes = [-3, -2, -1]
    return math_ops.add(math_ops.reduce_sum(dh, axis=axes), math_ops.reduce_sum(dw, axis=axes))


def psnr(a, b, max_val, name=None):
    """Returns the peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mse)`` per image.

    Images are converted to float32 first (integers to [0, 1], ``max_val`` likewise).
    """
    a = a if type(a) is Tensor else convert_to_tensor(a)
    b = b if type(b) is Tensor else convert_to_tensor(b)
    mv = convert_image_dtype(math_ops.cast(max_val, a.dtype), dtypes.float32)
    a, b = convert_image_dtype(a, dtypes.float32), convert_image_dtype(b, dtypes.float32)
    mse = math_ops.reduce_mean(math_ops.squared_difference(a, b), axis=[-3, -2, -1])
    ln10 = np.float32(np.log(10.0))
    return math_ops.subtract(math_ops.multiply(math_ops.log(mv), 20 / ln10),
                             math_ops.multiply(math_ops.log(mse), 10 / ln10))


# -- random augmentation (TensorFlow's seed semantics; NumPy's generator, see README) ---------

def _uniform(shape, low, high, seed, dtype=dtypes.float32):
    from tapeflow.ops import random_ops
    return random_ops.uniform(shape, low, high, dtype=dtype, seed=seed)


def _random_flip(image, seed, axis_from_end):
    x = _image(image)
    flip = x[..., ::-1, :] if axis_from_end == 2 else x[..., ::-1, :, :]
    n = x._value.shape[0] if x._value.ndim == 4 else None
    coin = _uniform([] if n is None else [n, 1, 1, 1], 0.0, 1.0, seed)
    keep = array_ops.broadcast_to(math_ops.less(coin, 0.5), x._value.shape)
    return math_ops.where_(keep, x, flip)


def random_flip_left_right(image, seed=None):
    """Returns ``image`` mirrored left-right with probability 1/2 (each image of a batch
    independently)."""
    return _random_flip(image, seed, 2)


def random_flip_up_down(image, seed=None):
    """Returns ``image`` mirrored upside down with probability 1/2 (each image of a batch
    independently)."""
    return _random_flip(image, seed, 3)


def random_crop(value, size, seed=None, name=None):
    """Returns a random ``size``-shaped slice of ``value`` (every dimension may move).

    Raises:
      InvalidArgumentError: if ``size`` has the wrong length or exceeds ``value``'s shape.
    """
    x = value if type(value) is Tensor else convert_to_tensor(value)
    size = [int(v) for v in (_func_graph.value_of(size).tolist() if isinstance(size, Tensor)
                             else size)]
    shape = list(x._value.shape)
    if len(size) != len(shape):
        raise InvalidArgumentError(None, "GreaterEqual", f"Incompatible shapes: "
                                   f"[{len(shape)}] vs. [{len(size)}] [Op:GreaterEqual]")
    if any(s > d for s, d in zip(size, shape)):
        raise InvalidArgumentError(None, "Assert", f"Need value.shape >= size, got "
                                   f"{shape} {size}")
    limit = np.asarray([d - s + 1 for s, d in zip(size, shape)], np.float64)
    u = _uniform([len(shape)], 0.0, 1.0, seed)._value
    offsets = np.minimum(np.floor(u * limit), limit - 1).astype(int)
    return x[tuple(slice(o, o + s) for o, s in zip(offsets, size))]


def random_brightness(image, max_delta, seed=None):
    """Returns ``adjust_brightness(image, delta)`` with ``delta`` uniform in
    ``[-max_delta, max_delta)``.

    Raises:
      ValueError: for a negative ``max_delta``.
    """
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, _uniform([], -max_delta, max_delta, seed))


def random_contrast(image, lower, upper, seed=None):
    """Returns ``adjust_contrast(image, factor)`` with ``factor`` uniform in
    ``[lower, upper)``.

    Raises:
      ValueError: unless ``0 <= lower < upper``.
    """
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_contrast(image, _uniform([], lower, upper, seed))


__all__ = ["resize", "ResizeMethod", "flip_left_right", "flip_up_down", "rot90",
           "crop_to_bounding_box", "pad_to_bounding_box", "resize_with_crop_or_pad",
           "central_crop", "convert_image_dtype", "rgb_to_grayscale", "grayscale_to_rgb",
           "adjust_brightness", "adjust_contrast", "per_image_standardization",
           "adjust_gamma", "random_flip_left_right", "random_flip_up_down", "random_crop",
           "random_brightness", "random_contrast", "transpose", "image_gradients",
           "total_variation", "psnr"]
