"""``keras.ops.image`` continued: perspective and elastic transforms, scale-and-translate
resampling, 3-D patches."""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.ops.operation import keras_op
from tapeflow.keras.ops.promotion import to_tensor


def _layout(images, data_format):
    from tapeflow.keras.ops.image import _in
    return _in(images, data_format)


def _homography(start, end):
    """The 8 projective coefficients mapping output (end) points to input (start) points."""
    rows, rhs = [], []
    for (xs, ys), (xe, ye) in zip(start, end):
        rows.append([xe, ye, 1, 0, 0, 0, -xe * xs, -ye * xs])
        rows.append([0, 0, 0, xe, ye, 1, -xe * ys, -ye * ys])
        rhs += [xs, ys]
    return np.linalg.solve(np.asarray(rows, np.float64), np.asarray(rhs, np.float64))


@keras_op
def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Returns the images warped so that the four ``start_points`` (x, y) land on
    ``end_points`` (not differentiable)."""
    from tapeflow.keras.ops.image import affine_transform
    x, out = _layout(images, data_format)
    s = np.asarray(to_tensor(start_points).numpy(), np.float64).reshape(-1, 4, 2)
    e = np.asarray(to_tensor(end_points).numpy(), np.float64).reshape(-1, 4, 2)
    n = x.shape[0]
    if s.shape[0] == 1:
        s = np.repeat(s, n, 0)
    if e.shape[0] == 1:
        e = np.repeat(e, n, 0)
    coeffs = np.stack([_homography(a, b) for a, b in zip(s, e)]).astype(np.float32)
    warped = affine_transform(x, coeffs, interpolation=interpolation, fill_mode="constant",
                              fill_value=fill_value, data_format="channels_last")
    return out(warped)


def _gauss_matrix(n, sigma):
    """(n, n) Gaussian smoothing matrix, rows normalized."""
    r = np.arange(n)
    g = np.exp(-((r[:, None] - r[None, :]) ** 2) / (2.0 * max(sigma, 1e-6) ** 2))
    return g / g.sum(1, keepdims=True)


@keras_op
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Returns the images displaced by a random smooth field (Gaussian-smoothed noise of
    scale ``sigma``, amplitude ``alpha``), resampled (not differentiable)."""
    from tapeflow.keras.ops.image import _sample
    from tapeflow.keras.random import _rng
    x, out = _layout(images, data_format)
    a = x.numpy()
    dt = a.dtype if a.dtype.kind == "f" else np.dtype(backend.floatx())
    n, h, w, c = a.shape
    rng = _rng(seed)
    gh, gw = _gauss_matrix(h, sigma), _gauss_matrix(w, sigma)

    def smooth(f):
        return gh @ f @ gw.T
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    res = []
    for img in a.astype(np.float64):
        dy = smooth(rng.uniform(-1, 1, (h, w))) * alpha
        dx = smooth(rng.uniform(-1, 1, (h, w))) * alpha
        res.append(_sample(img, yy + dy, xx + dx, 0 if interpolation == "nearest" else 1,
                           fill_mode, fill_value))
    return out(Tensor(np.stack(res).astype(dt)))


def _kernel(method, t):
    t = np.abs(t)
    if method in ("linear", "bilinear", "triangle"):
        return np.maximum(0.0, 1.0 - t)
    if method in ("cubic", "bicubic", "keyscubic"):
        a = -0.5
        return np.where(t < 1, ((a + 2) * t - (a + 3)) * t * t + 1,
                        np.where(t < 2, ((t - 5) * t + 8) * t * a - 4 * a, 0.0))
    if method in ("lanczos3", "lanczos5"):
        r = 3 if method == "lanczos3" else 5
        return np.where(t < r, np.sinc(t) * np.sinc(t / r), 0.0)
    raise ValueError(f"Unknown resize method: {method}. Expected one of 'linear', "
                     "'bilinear', 'cubic', 'bicubic', 'lanczos3', 'lanczos5'.")


def _weights(in_size, out_size, scale, translation, method, antialias):
    """(out_size, in_size) resampling weights, rows normalized (JAX's scale_and_translate)."""
    inv = 1.0 / scale
    kscale = max(inv, 1.0) if antialias else 1.0
    sample = (np.arange(out_size) + 0.5 - translation) * inv - 0.5
    t = (np.arange(in_size)[None, :] - sample[:, None]) / kscale
    wts = _kernel(method, t)
    total = wts.sum(1, keepdims=True)
    wts = np.where(np.abs(total) > 1e-3 * np.abs(wts).max(initial=0), wts /
                   np.where(total == 0, 1, total), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return wts * inside[:, None]


@keras_op
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Returns ``images`` resampled to ``output_shape`` along ``spatial_dims`` with the given
    per-dimension ``scale`` and ``translation`` (differentiable in ``images``)."""
    x = to_tensor(images)
    if not x.dtype.is_floating:
        x = tf.cast(x, backend.floatx())
    sc = np.asarray(to_tensor(scale).numpy(), np.float64).reshape(-1)
    tr = np.asarray(to_tensor(translation).numpy(), np.float64).reshape(-1)
    for i, d in enumerate(spatial_dims):
        wts = _weights(x.shape[d], output_shape[d], sc[i], tr[i], method, antialias)
        y = tf.tensordot(x, tf.constant(wts.T.astype(x.dtype.as_numpy_dtype)), [[d], [0]])
        r = len(x.shape)
        order = list(range(r - 1))
        order.insert(d, r - 1)
        x = tf.transpose(y, order)
    return x


@keras_op
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """Returns the ``size`` 3-D patches of (batch, depth, height, width, channels) volumes,
    flattened into the channel axis (differentiable)."""
    x = to_tensor(volumes)
    first = (data_format or backend.image_data_format()) == "channels_first"
    single = len(x.shape) == 4
    if single:
        x = tf.expand_dims(x, 0)
    if first:
        x = tf.transpose(x, [0, 2, 3, 4, 1])
    ks = (size,) * 3 if isinstance(size, int) else tuple(size)
    st = ks if strides is None else ((strides,) * 3 if isinstance(strides, int)
                                     else tuple(strides))
    dl = (dilation_rate,) * 3 if isinstance(dilation_rate, int) else tuple(dilation_rate)
    n, dims, c = x.shape[0], list(x.shape[1:4]), x.shape[4]
    if padding == "same":
        pads = []
        for i in range(3):
            o = -(-dims[i] // st[i])
            e = max((o - 1) * st[i] + (ks[i] - 1) * dl[i] + 1 - dims[i], 0)
            pads.append([e // 2, e - e // 2])
            dims[i] += e
        x = tf.pad(x, [[0, 0]] + pads + [[0, 0]])
    outs = [(dims[i] - (ks[i] - 1) * dl[i] - 1) // st[i] + 1 for i in range(3)]
    grids = [(np.arange(outs[i]) * st[i])[:, None] + (np.arange(ks[i]) * dl[i])[None, :]
             for i in range(3)]
    d_i = grids[0][:, None, None, :, None, None]
    h_i = grids[1][None, :, None, None, :, None]
    w_i = grids[2][None, None, :, None, None, :]
    flat = ((d_i * dims[1] + h_i) * dims[2] + w_i).astype(np.int32)
    xf = tf.reshape(x, [-1, dims[0] * dims[1] * dims[2], c])
    g = tf.gather(xf, flat.reshape(-1), axis=1)
    out = tf.reshape(g, [-1] + outs + [ks[0] * ks[1] * ks[2] * c])
    if first:
        out = tf.transpose(out, [0, 4, 1, 2, 3])
    return out[0] if single else out
