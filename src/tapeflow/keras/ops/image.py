"""``keras.ops.image``: resize, colour conversions, crops/pads, patches, geometric transforms.

Images are ``(batch, height, width, channels)`` (or a single ``(h, w, c)`` image) in
``channels_last``; ``data_format="channels_first"`` is transposed in and out.
"""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.ops.operation import keras_op
from tapeflow.keras.ops.promotion import to_tensor


def _f(x):
    x = to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, backend.floatx())


def _in(images, data_format):
    """Returns (batched channels-last images, restore function)."""
    x = to_tensor(images)
    single = len(x.shape) == 3
    if single:
        x = tf.expand_dims(x, 0)
    first = (data_format or backend.image_data_format()) == "channels_first"
    if first:
        x = tf.transpose(x, [0, 2, 3, 1])

    def out(y):
        if first:
            y = tf.transpose(y, [0, 3, 1, 2])
        return y[0] if single else y
    return x, out


@keras_op
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Returns the images resized to ``size`` = (height, width)."""
    x, out = _in(images, data_format)
    dt = x.dtype
    h, w = x.shape[1], x.shape[2]
    th, tw = size
    # As TensorFlow's backend: sizes truncated from float32 quotients; padding puts
    # int((padded - size) / 2) rows/columns on *each* side.
    if crop_to_aspect_ratio:
        ch = max(min(h, int(np.float32(w * th) / np.float32(tw))), 1)
        cw = max(min(w, int(np.float32(h * tw) / np.float32(th))), 1)
        top, left = int((h - ch) / 2), int((w - cw) / 2)
        x = x[:, top:top + ch, left:left + cw, :]
    elif pad_to_aspect_ratio:
        ph = max(h, int(np.float32(w * th) / np.float32(tw)))
        pw = max(w, int(np.float32(h * tw) / np.float32(th)))
        top, left = int((ph - h) / 2), int((pw - w) / 2)
        x = tf.pad(x, [[0, 0], [top, top], [left, left], [0, 0]],
                   constant_values=fill_value)
    y = tf.image.resize(x, (th, tw), method=interpolation, antialias=antialias)
    if dt.is_floating and y.dtype is not dt:
        y = tf.cast(y, dt)
    return out(y)


@keras_op
def rgb_to_grayscale(images, data_format=None):
    """Returns luminance images (one channel) from RGB ones."""
    x, out = _in(images, data_format)
    x = _f(x)
    w = np.asarray([0.2989, 0.587, 0.114], x.dtype.as_numpy_dtype)
    return out(tf.reduce_sum(x * w, axis=-1, keepdims=True))


@keras_op
def rgb_to_hsv(images, data_format=None):
    """Returns HSV images (values in [0, 1]) from RGB ones in [0, 1] (not differentiable)."""
    x, out = _in(images, data_format)
    a = _f(x).numpy()
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    mx, mn = a.max(-1), a.min(-1)
    d = mx - mn
    safe = np.where(d == 0, 1, d)
    h = np.where(mx == r, (g - b) / safe, np.where(mx == g, 2 + (b - r) / safe,
                                                    4 + (r - g) / safe))
    h = np.where(d == 0, 0, (h / 6) % 1.0)
    s = np.where(mx == 0, 0, d / np.where(mx == 0, 1, mx))
    return out(Tensor(np.stack([h, s, mx], -1).astype(a.dtype)))


@keras_op
def hsv_to_rgb(images, data_format=None):
    """Returns RGB images from HSV ones (not differentiable)."""
    x, out = _in(images, data_format)
    a = _f(x).numpy()
    h, s, v = a[..., 0], a[..., 1], a[..., 2]
    i = np.floor(h * 6) % 6
    f = h * 6 - np.floor(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    choices = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    rgb = [np.select([i == k for k in range(6)], [c[ch] for c in choices]) for ch in range(3)]
    return out(Tensor(np.stack(rgb, -1).astype(a.dtype)))


def _target(size, start, end, target, name):
    if target is not None:
        return target
    return size - (start or 0) - (end or 0)


@keras_op
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Returns the images cropped by the given margins (or to the target size)."""
    x, out = _in(images, data_format)
    h, w = x.shape[1], x.shape[2]
    top = top_cropping or 0
    left = left_cropping or 0
    if target_height is None:
        target_height = h - top - (bottom_cropping or 0)
    elif top_cropping is None and bottom_cropping is not None:
        top = h - bottom_cropping - target_height
    if target_width is None:
        target_width = w - left - (right_cropping or 0)
    elif left_cropping is None and right_cropping is not None:
        left = w - right_cropping - target_width
    return out(x[:, top:top + target_height, left:left + target_width, :])


@keras_op
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Returns the images padded with zeros by the given margins (or to the target size)."""
    x, out = _in(images, data_format)
    h, w = x.shape[1], x.shape[2]
    top = top_padding or 0
    left = left_padding or 0
    bottom = bottom_padding if bottom_padding is not None else \
        (target_height - h - top if target_height is not None else 0)
    if top_padding is None and target_height is not None and bottom_padding is not None:
        top = target_height - h - bottom_padding
    right = right_padding if right_padding is not None else \
        (target_width - w - left if target_width is not None else 0)
    if left_padding is None and target_width is not None and right_padding is not None:
        left = target_width - w - right_padding
    return out(tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]))


def _sample(a, ys, xs, order, fill_mode, fill_value):
    """Samples (h, w, c) image ``a`` at float coordinates, nearest (0) or bilinear (1)."""
    h, w = a.shape[:2]

    def fetch(yi, xi):
        if fill_mode == "constant":
            inside = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
            v = a[np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]
            return np.where(inside[..., None], v, fill_value)
        if fill_mode == "nearest":
            return a[np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]
        if fill_mode == "wrap":
            return a[yi % h, xi % w]
        ry, rx = _reflect(yi, h), _reflect(xi, w)
        return a[ry, rx]
    if order == 0:
        return fetch(np.round(ys).astype(int), np.round(xs).astype(int))
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    dy, dx = (ys - y0)[..., None], (xs - x0)[..., None]
    return (fetch(y0, x0) * (1 - dy) * (1 - dx) + fetch(y0, x0 + 1) * (1 - dy) * dx +
            fetch(y0 + 1, x0) * dy * (1 - dx) + fetch(y0 + 1, x0 + 1) * dy * dx)


def _reflect(i, n):
    period = 2 * n
    i = np.mod(i, period)
    return np.where(i >= n, period - 1 - i, i)


def _map_coordinate(c, n, mode):
    """TensorFlow's ImageProjectiveTransformV3 boundary modes on float coordinates."""
    if n <= 1 and mode in ("reflect", "wrap"):
        return np.zeros_like(c)
    if mode == "reflect":
        sz2 = 2 * n
        neg = c < 0
        cn = np.where(neg & (c < -sz2), sz2 * np.trunc(-c / sz2) + c, c)
        cn = np.where(cn < -n, cn + sz2, -cn - 1)
        pos = c > n - 1
        cp = c - sz2 * np.trunc(c / sz2)
        cp = np.where(cp >= n, sz2 - cp - 1, cp)
        c = np.where(neg, cn, np.where(pos, cp, c))
        return np.clip(c, 0, n - 1)
    if mode == "wrap":
        sz = n - 1
        cn = c + n * (np.trunc(-c / sz) + 1)
        cp = c - n * np.trunc(c / sz)
        c = np.where(c < 0, cn, np.where(c > n - 1, cp, c))
        return np.clip(c, 0, n - 1)
    if mode == "nearest":
        return np.clip(c, 0, n - 1)
    return c


def _projective_sample(img, row, xx, yy, interpolation, fill_mode, fill_value):
    """Resamples one (h, w, c) image as TensorFlow's ImageProjectiveTransformV3 (float32
    coordinates, boundary mode on the continuous coordinate, then nearest (rounded half
    away from zero) or bilinear reads that give ``fill_value`` outside the image)."""
    a0, a1, a2, b0, b1, b2, c0, c1 = row
    h, w = img.shape[:2]
    k = c0 * xx + c1 * yy + np.float32(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = (a0 * xx + a1 * yy + a2) / k
        ys = (b0 * xx + b1 * yy + b2) / k
    degenerate = k == 0
    xs = _map_coordinate(np.where(degenerate, 0, xs), w, fill_mode)
    ys = _map_coordinate(np.where(degenerate, 0, ys), h, fill_mode)
    fill = img.dtype.type(fill_value)

    def read(yi, xi):
        inside = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
        v = img[np.clip(yi, 0, h - 1).astype(int), np.clip(xi, 0, w - 1).astype(int)]
        return np.where(inside[..., None], v, fill)
    if interpolation == "nearest":
        ri = np.sign(ys) * np.floor(np.abs(ys) + 0.5)
        ci = np.sign(xs) * np.floor(np.abs(xs) + 0.5)
        out = read(ri, ci)
    else:
        y0, x0 = np.floor(ys), np.floor(xs)
        y1, x1 = y0 + 1, x0 + 1
        wx0, wx1 = (x1 - xs)[..., None], (xs - x0)[..., None]
        top = wx0 * read(y0, x0) + wx1 * read(y0, x1)
        bottom = wx0 * read(y1, x0) + wx1 * read(y1, x1)
        out = (y1 - ys)[..., None] * top + (ys - y0)[..., None] * bottom
    return np.where(degenerate[..., None], fill, out)


@keras_op
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Returns images resampled by projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]``
    mapping output points to input points (TensorFlow's convention; not differentiable)."""
    x, out = _in(images, data_format)
    a = _f(x).numpy()
    t = np.asarray(to_tensor(transform).numpy(), np.float64).reshape(-1, 8)
    if t.shape[0] == 1 and a.shape[0] > 1:
        t = np.repeat(t, a.shape[0], 0)
    h, w = a.shape[1:3]
    yy, xx = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32),
                         indexing="ij")
    res = []
    for img, row in zip(a, t.astype(np.float32)):
        res.append(_projective_sample(img, row, xx, yy, interpolation, fill_mode,
                                      fill_value))
    return out(Tensor(np.stack(res).astype(a.dtype)))


@keras_op
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Returns ``inputs`` sampled at ``coordinates`` (one array per axis) by nearest
    (``order=0``) or linear (``order=1``) interpolation (not differentiable)."""
    a = _f(inputs).numpy()
    coords = [np.asarray(to_tensor(c).numpy(), np.float64) for c in coordinates]
    if order not in (0, 1):
        raise NotImplementedError("map_coordinates supports order 0 or 1. Received: "
                                  f"order={order}")
    base = [np.floor(c).astype(int) if order == 1 else np.round(c).astype(int)
            for c in coords]
    result = np.zeros(coords[0].shape)
    corners = [(0,)] if order == 0 else None
    import itertools
    offsets = itertools.product(*([(0,)] * len(coords) if order == 0 else [(0, 1)] *
                                  len(coords)))
    del corners
    for off in offsets:
        weight = np.ones(coords[0].shape)
        idx = []
        inside = np.ones(coords[0].shape, bool)
        for d, (c, b, o) in enumerate(zip(coords, base, off)):
            i = b + o
            if order == 1:
                weight = weight * (1 - np.abs(c - i))
            n = a.shape[d]
            if fill_mode == "constant":
                inside &= (i >= 0) & (i < n)
                i = np.clip(i, 0, n - 1)
            elif fill_mode == "nearest":
                i = np.clip(i, 0, n - 1)
            elif fill_mode == "wrap":
                i = i % n
            else:
                i = _reflect(i, n)
            idx.append(i)
        v = np.where(inside, a[tuple(idx)], fill_value)
        result = result + weight * v
    return Tensor(result.astype(a.dtype))


@keras_op
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Returns the ``size`` patches of the images, flattened into the channel axis
    (differentiable)."""
    x, out = _in(images, data_format)
    ph, pw = (size, size) if isinstance(size, int) else size
    sh, sw = (ph, pw) if strides is None else ((strides, strides) if isinstance(strides, int)
                                                else strides)
    d = dilation_rate if isinstance(dilation_rate, int) else dilation_rate[0]
    n, h, w, c = x.shape
    if padding == "same":
        oh, ow = -(-h // sh), -(-w // sw)
        eh = max((oh - 1) * sh + (ph - 1) * d + 1 - h, 0)
        ew = max((ow - 1) * sw + (pw - 1) * d + 1 - w, 0)
        x = tf.pad(x, [[0, 0], [eh // 2, eh - eh // 2], [ew // 2, ew - ew // 2], [0, 0]])
        h, w = h + eh, w + ew
    oh = (h - (ph - 1) * d - 1) // sh + 1
    ow = (w - (pw - 1) * d - 1) // sw + 1
    rows = (np.arange(oh) * sh)[:, None, None, None] + (np.arange(ph) * d)[None, None, :, None]
    cols = (np.arange(ow) * sw)[None, :, None, None] + (np.arange(pw) * d)[None, None, None, :]
    flat = (rows * w + cols).astype(np.int32)          # (oh, ow, ph, pw)
    xf = tf.reshape(x, [-1, h * w, c])
    g = tf.gather(xf, flat.reshape(-1), axis=1)        # (n, oh*ow*ph*pw, c)
    return out(tf.reshape(g, [-1, oh, ow, ph * pw * c]))


def _gauss(k, sigma):
    r = np.arange(k) - (k - 1) / 2
    g = np.exp(-(r ** 2) / (2 * sigma ** 2))
    return g / g.sum()


@keras_op
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Returns the images blurred by a separable Gaussian (reflect-free, zero padding)."""
    x, out = _in(images, data_format)
    x = _f(x)
    c = x.shape[-1]
    k = np.outer(_gauss(kernel_size[0], sigma[0]), _gauss(kernel_size[1], sigma[1]))
    kern = np.tile(k[:, :, None, None], (1, 1, c, 1)).astype(x.dtype.as_numpy_dtype)
    from tapeflow.keras.ops.nn import depthwise_conv
    return out(depthwise_conv(x, kern, 1, "same", "channels_last"))


@keras_op
def sobel_edges(images, data_format=None):
    """Returns the Sobel gradients stacked on a new last axis (dy, dx)."""
    x, out = _in(images, data_format)
    x = _f(x)
    c = x.shape[-1]
    ky = np.asarray([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float64)
    outs = []
    for k in (ky, ky.T):
        kern = np.tile(k[:, :, None, None], (1, 1, c, 1)).astype(x.dtype.as_numpy_dtype)
        xp = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
        from tapeflow.keras.ops.nn import depthwise_conv
        outs.append(depthwise_conv(xp, kern, 1, "valid", "channels_last"))
    return out(tf.stack(outs, axis=-1)) if data_format != "channels_first" else \
        tf.stack(outs, axis=-1)


@keras_op
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Returns the mean structural similarity index of the image pairs."""
    a, _ = _in(image1, data_format)
    b, _ = _in(image2, data_format)
    a, b = _f(a), _f(b)
    c = a.shape[-1]
    g = _gauss(filter_size, filter_sigma)
    kern = np.tile(np.outer(g, g)[:, :, None, None], (1, 1, c, 1)).astype(
        a.dtype.as_numpy_dtype)
    from tapeflow.keras.ops.nn import depthwise_conv

    def blur(v):
        return depthwise_conv(v, kern, 1, "valid", "channels_last")
    c1 = np.asarray((k1 * max_val) ** 2, a.dtype.as_numpy_dtype)
    c2 = np.asarray((k2 * max_val) ** 2, a.dtype.as_numpy_dtype)
    ma, mb = blur(a), blur(b)
    saa, sbb, sab = blur(a * a) - ma * ma, blur(b * b) - mb * mb, blur(a * b) - ma * mb
    two = np.asarray(2, a.dtype.as_numpy_dtype)
    s = ((two * ma * mb + c1) * (two * sab + c2)) / ((ma * ma + mb * mb + c1) *
                                                     (saa + sbb + c2))
    return tf.reduce_mean(s, axis=[1, 2, 3]) if len(to_tensor(image1).shape) == 4 else \
        tf.reduce_mean(s)


from tapeflow.keras.ops.image_extra import (elastic_transform, extract_patches_3d,  # noqa: E402,F401,E501
                                            perspective_transform, scale_and_translate)

__all__ = ["affine_transform", "crop_images", "elastic_transform", "extract_patches",
           "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates",
           "pad_images", "perspective_transform", "resize", "rgb_to_grayscale", "rgb_to_hsv",
           "scale_and_translate", "sobel_edges", "ssim"]
