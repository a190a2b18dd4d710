"""Image files and arrays: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``.

Pillow is imported only inside these functions (``pip install "tapeflow[viz]"``).
Also holds the NumPy resizing that ``image_dataset_from_directory`` uses, which
follows ``tf.image.resize`` (half-pixel centres, no antialiasing) for
``"bilinear"`` and ``"nearest"``.
"""
import os

import numpy as np

_PIL_METHODS = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC",
                "hamming": "HAMMING", "box": "BOX", "lanczos": "LANCZOS", "area": "BOX",
                "lanczos3": "LANCZOS", "lanczos5": "LANCZOS", "gaussian": "BILINEAR",
                "mitchellcubic": "BICUBIC"}


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Could not import PIL.Image. Reading and writing images needs "
                          'Pillow: pip install "tapeflow[viz]"') from None
    return Image


def _resample(Image, interpolation):
    name = _PIL_METHODS.get(interpolation)
    if name is None:
        raise ValueError(f"Invalid interpolation method {interpolation!r}. Supported methods "
                         f"are {', '.join(sorted(_PIL_METHODS))}.")
    return getattr(getattr(Image, "Resampling", Image), name)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image file into a PIL Image.

    Args:
      path: path of the image file (or a file object).
      color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
      target_size: ``None`` (original size) or ``(height, width)``.
      interpolation: resampling used when resizing (``"nearest"``, ``"bilinear"``,
        ``"bicubic"``, ``"lanczos"``, ``"box"``, ``"hamming"``).
      keep_aspect_ratio: crop the centre to the target aspect ratio before resizing.

    Returns:
      A PIL Image instance.
    """
    Image = _pil()
    if isinstance(path, bytes):
        path = path.decode()
    if isinstance(path, (str, os.PathLike)):
        with open(path, "rb") as f:
            img = Image.open(f)
            img.load()
    else:
        img = Image.open(path)
    mode = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}.get(color_mode)
    if mode is None:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif img.mode != mode:
        img = img.convert(mode)
    if target_size is not None:
        width_height = (target_size[1], target_size[0])
        if img.size != width_height:
            resample = _resample(Image, interpolation)
            if keep_aspect_ratio:
                w, h = img.size
                tw, th = width_height
                crop_h = min(h, int(w * th / tw))
                crop_w = min(w, int(h * tw / th))
                left, top = (w - crop_w) // 2, (h - crop_h) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize(width_height, resample)
    return img


def img_to_array(img, data_format=None, dtype=None):
    """Converts a PIL Image to a NumPy array.

    Returns:
      A 3-D array ``(height, width, channels)`` (channels first with
      ``data_format="channels_first"``), float32 unless ``dtype`` says otherwise.
    """
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(2, 0, 1)
    return x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a 3-D array ``(height, width, channels)`` to a PIL Image.

    With ``scale`` the values are shifted and scaled into 0..255.

    Returns:
      A PIL Image.

    Raises:
      ValueError: for arrays that are not 3-D or have an unsupported channel count.
    """
    Image = _pil()
    data_format = _data_format(data_format)
    x = np.asarray(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). "
                         f"Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x = x / x_max
        x = x * 255
    c = x.shape[2]
    if c == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if c == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if c == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {c}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves a 3-D image array to ``path`` (the format from ``file_format`` or the name)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg" or (
            file_format is None and str(path).lower().endswith((".jpg", ".jpeg")))):
        img = img.convert("RGB")
    if file_format in ("jpg",):
        file_format = "jpeg"
    img.save(path, format=file_format, **kwargs)


def _data_format(data_format):
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format}")
    return data_format


# -- resizing (NumPy, as tf.image.resize) -------------------------------------------

def _source_coords(out_size, in_size):
    scale = in_size / out_size
    return (np.arange(out_size, dtype=np.float64) + 0.5) * scale - 0.5


def resize_array(img, size, interpolation="bilinear"):
    """Resizes a ``(h, w, c)`` array to ``size = (height, width)``; returns float32.

    ``"bilinear"`` and ``"nearest"`` follow ``tf.image.resize`` exactly; the other
    methods go through Pillow per channel.
    """
    img = np.asarray(img, dtype=np.float32)
    h, w = img.shape[:2]
    th, tw = int(size[0]), int(size[1])
    if (h, w) == (th, tw) and interpolation in ("bilinear", "nearest", "bicubic", "area"):
        return img
    if interpolation == "bilinear":
        ys, xs = _source_coords(th, h), _source_coords(tw, w)
        y0 = np.floor(ys)
        x0 = np.floor(xs)
        fy = (ys - y0).astype(np.float32)[:, None, None]
        fx = (xs - x0).astype(np.float32)[None, :, None]
        y_lo = np.clip(y0, 0, h - 1).astype(np.intp)
        y_hi = np.clip(y0 + 1, 0, h - 1).astype(np.intp)
        x_lo = np.clip(x0, 0, w - 1).astype(np.intp)
        x_hi = np.clip(x0 + 1, 0, w - 1).astype(np.intp)
        top = img[y_lo][:, x_lo] + (img[y_lo][:, x_hi] - img[y_lo][:, x_lo]) * fx
        bottom = img[y_hi][:, x_lo] + (img[y_hi][:, x_hi] - img[y_hi][:, x_lo]) * fx
        return (top + (bottom - top) * fy).astype(np.float32)
    if interpolation == "nearest":
        yi = np.minimum(np.floor((np.arange(th) + 0.5) * (h / th)), h - 1).astype(np.intp)
        xi = np.minimum(np.floor((np.arange(tw) + 0.5) * (w / tw)), w - 1).astype(np.intp)
        return img[yi][:, xi]
    Image = _pil()
    resample = _resample(Image, interpolation)
    chans = [np.asarray(Image.fromarray(img[:, :, k], "F").resize((tw, th), resample))
             for k in range(img.shape[2])]
    return np.stack(chans, axis=-1).astype(np.float32)


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last"):
    """Crops the centre of ``x`` to the aspect ratio of ``size``, then resizes it.

    Returns:
      A float32 array of shape ``size + (channels,)``.
    """
    x = np.asarray(x)
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    h, w = x.shape[:2]
    th, tw = size
    crop_h = max(min(h, int(float(w * th) / tw)), 1)
    crop_w = max(min(w, int(float(h * tw) / th)), 1)
    top, left = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
    out = resize_array(x[top:top + crop_h, left:left + crop_w], size, interpolation)
    return out.transpose(2, 0, 1) if data_format == "channels_first" else out


def resize_with_pad(x, size, interpolation="bilinear"):
    """Resizes ``x`` keeping its aspect ratio and pads it with zeros to ``size``."""
    h, w = x.shape[:2]
    th, tw = size
    ratio = max(w / tw, h / th)
    rh, rw = max(int(h / ratio), 1), max(int(w / ratio), 1)
    resized = resize_array(x, (rh, rw), interpolation)
    out = np.zeros((th, tw, x.shape[2]), np.float32)
    top, left = (th - rh) // 2, (tw - rw) // 2
    out[top:top + rh, left:left + rw] = resized
    return out
