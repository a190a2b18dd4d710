"""``tf.io.decode_png`` / ``decode_jpeg`` / ``decode_image`` / ``encode_png`` / ``encode_jpeg``.

Pillow does the codec work (imported on first use). Channel conversions are
done here in NumPy so they give TensorFlow's numbers: grey from colour is
libpng's fixed-point BT.601 luma ``(9797 R + 19234 G + 3737 B) >> 15`` (truncated),
as TensorFlow asks libpng for it; a missing alpha is opaque. The pixel count an image header declares is checked against a cap
before its pixels are decoded.
"""
import io

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor

MAX_PIXEL_BYTES = 1 << 30  # refuse images whose decoded pixels would exceed 1 GiB
_UNKNOWN = "Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP required."


def _pil():
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("tf.io image codecs need Pillow: pip install Pillow") from None
    return Image


def _contents(contents):
    if hasattr(contents, "numpy"):
        contents = contents.numpy()
    if isinstance(contents, np.ndarray):
        contents = contents.item()
    if isinstance(contents, str):
        contents = contents.encode()
    return bytes(contents)


def _open(data, op):
    Image = _pil()
    try:
        im = Image.open(io.BytesIO(data))
    except Exception:  # Pillow raises many classes (OSError, SyntaxError, ValueError ...)
        raise InvalidArgumentError(None, op, _UNKNOWN) from None
    w, h = im.size
    if w * h * 8 > MAX_PIXEL_BYTES:
        raise InvalidArgumentError(None, op, f"Image of {w}x{h} pixels is too large to decode "
                                   f"(limit {MAX_PIXEL_BYTES} bytes)")
    return im


def _frame_array(im, op):
    """Returns one frame as an (H, W, C) uint8 or uint16 array with its natural channels."""
    mode = im.mode
    try:
        if mode in ("I;16", "I;16B", "I;16L", "I"):
            a = np.asarray(im, dtype=np.int64).astype(np.uint16)[..., None]
        elif mode == "1":
            a = np.asarray(im.convert("L"))[..., None]
        elif mode in ("L", "LA", "RGB", "RGBA"):
            a = np.asarray(im)
        elif mode == "P":
            a = np.asarray(im.convert("RGBA" if "transparency" in im.info else "RGB"))
        elif mode == "PA":
            a = np.asarray(im.convert("RGBA"))
        else:
            a = np.asarray(im.convert("RGB"))
    except Exception as e:  # a damaged file: OSError, SyntaxError, EOFError ... from Pillow
        raise InvalidArgumentError(None, op, f"Invalid image data: {e}") from None
    if a.ndim == 2:
        a = a[..., None]
    return a


def _to_channels(a, channels):
    """Converts an (H, W, C) array to ``channels`` (0: keep) as TensorFlow's decoders do."""
    c = a.shape[-1]
    if not channels or channels == c:
        return a
    big = a.dtype == np.uint16
    maxv = 65535 if big else 255
    if c in (1, 2):
        grey, alpha = a[..., :1], (a[..., 1:2] if c == 2 else None)
    else:
        rgb = a[..., :3].astype(np.int64)
        grey = ((9797 * rgb[..., 0] + 19234 * rgb[..., 1] + 3737 * rgb[..., 2]) >> 15)
        grey = grey.astype(a.dtype)[..., None]
        alpha = a[..., 3:4] if c == 4 else None
    if alpha is None:
        alpha = np.full(a.shape[:-1] + (1,), maxv, a.dtype)
    if channels == 1:
        return grey
    if channels == 2:
        return np.concatenate([grey, alpha], -1)
    rgb = a[..., :3] if c >= 3 else np.repeat(grey, 3, -1)
    if channels == 3:
        return np.ascontiguousarray(rgb)
    return np.concatenate([rgb, alpha], -1)


def _check_channels(channels, allowed, op):
    channels = 0 if channels is None else int(channels)
    if channels not in allowed:
        raise InvalidArgumentError(None, op, f"channels must be 0, 1, 3 or 4, got {channels}")
    return channels


def _to_dtype(a, dtype):
    dtype = dtypes.as_dtype(dtype)
    if dtype.name == "uint8":
        return a if a.dtype == np.uint8 else (a >> 8).astype(np.uint8)
    if dtype.name == "uint16":
        return a if a.dtype == np.uint16 else a.astype(np.uint16) * 257
    if dtype.is_floating:
        # correctly rounded v / 255; TensorFlow's kernel is 1 ulp lower at powers of two
        ft = dtype.as_numpy_dtype
        return a.astype(ft) / ft(65535.0 if a.dtype == np.uint16 else 255.0)
    raise InvalidArgumentError(None, None, f"dtype must be uint8, uint16 or a float, got "
                               f"{dtype.name}")


def decode_png(contents, channels=0, dtype=dtypes.uint8, name=None):
    """Returns the image in ``contents`` (PNG, or any format Pillow reads) as an
    (H, W, C) uint8 or uint16 Tensor; ``channels`` 0 keeps the file's channels.

    Raises:
      InvalidArgumentError: if the bytes are not an image.
    """
    channels = _check_channels(channels, (0, 1, 2, 3, 4), "DecodePng")
    im = _open(_contents(contents), "DecodePng")
    a = _to_channels(_frame_array(im, "DecodePng"), channels)
    return Tensor(np.ascontiguousarray(_to_dtype(a, dtype)))


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1, dct_method="", name=None):
    """Returns the image in ``contents`` as an (H, W, C) uint8 Tensor.

    Raises:
      InvalidArgumentError: if the bytes are not an image.
    """
    channels = _check_channels(channels, (0, 1, 3), "DecodeJpeg")
    im = _open(_contents(contents), "DecodeJpeg")
    if ratio not in (1, 2, 4, 8):
        raise InvalidArgumentError(None, "DecodeJpeg", "ratio must be 1, 2, 4, or 8, got "
                                   f"{ratio}")
    if im.format == "JPEG":
        # libjpeg's own grey output and fast integer IDCT are what TensorFlow gets; without
        # colour upsampling (grey, or fancy_upscaling=False) the pixels then match exactly.
        mode = "L" if channels == 1 else im.mode
        try:
            im.draft(mode, (im.size[0] // ratio, im.size[1] // ratio))
        except Exception as e:
            raise InvalidArgumentError(None, "DecodeJpeg", f"Invalid JPEG data: {e}") from None
        if (mode == "L" or not fancy_upscaling) and dct_method != "INTEGER_ACCURATE":
            im.decoderconfig = im.decoderconfig[:1] + (1,) if im.decoderconfig else (1, 1)
    a = _frame_array(im, "DecodeJpeg")
    if a.shape[-1] in (2, 4) and not channels:
        a = a[..., :-1]  # JPEG has no alpha
    return Tensor(np.ascontiguousarray(_to_dtype(_to_channels(a, channels), dtypes.uint8)))


def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None,
                 expand_animations=True):
    """Returns a decoded image: (H, W, C), or (frames, H, W, C) for a GIF when
    ``expand_animations``; floats are scaled to [0, 1].

    Raises:
      InvalidArgumentError: if the bytes are not an image.
    """
    channels = _check_channels(channels, (0, 1, 3, 4), "DecodeImage")
    im = _open(_contents(contents), "DecodeImage")
    if im.format == "GIF":
        frames = []
        try:
            n = getattr(im, "n_frames", 1) if expand_animations else 1
            if n * im.size[0] * im.size[1] * 3 > MAX_PIXEL_BYTES:
                raise InvalidArgumentError(None, "DecodeImage", f"GIF of {n} frames of "
                                           f"{im.size[0]}x{im.size[1]} pixels is too large")
            for i in range(n):
                im.seek(i)
                frames.append(_to_channels(np.asarray(im.convert("RGB")), channels))
        except InvalidArgumentError:
            raise
        except Exception as e:  # a damaged GIF
            raise InvalidArgumentError(None, "DecodeImage", f"Invalid GIF data: {e}") from None
        a = np.stack(frames) if expand_animations else frames[0]
    else:
        a = _to_channels(_frame_array(im, "DecodeImage"), channels)
    return Tensor(np.ascontiguousarray(_to_dtype(a, dtype)))


def decode_gif(contents, name=None):
    """Returns the frames of a GIF as a (frames, H, W, 3) uint8 Tensor."""
    return decode_image(contents, channels=3, expand_animations=True)


def decode_bmp(contents, channels=0, name=None):
    """Returns a BMP image as an (H, W, C) uint8 Tensor."""
    return decode_png(contents, channels=channels)


def _image_array(image, op, allowed):
    t = convert_to_tensor(image)
    if t.dtype.name not in allowed:
        raise InvalidArgumentError(None, op, f"Value for attr 'T' of {t.dtype.name} is not in "
                                   f"the list of allowed values: {', '.join(allowed)}")
    a = np.asarray(np.asarray(t))
    if a.ndim != 3 or a.shape[-1] not in (1, 2, 3, 4):
        raise InvalidArgumentError(None, op, f"image must be 3-dimensional with 1-4 channels, "
                                   f"got shape {list(a.shape)}")
    return a


_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def encode_png(image, compression=-1, name=None):
    """Returns a (H, W, C) uint8/uint16 image encoded as PNG, a scalar string Tensor."""
    a = _image_array(image, "EncodePng", ("uint8", "uint16"))
    Image = _pil()
    buf = io.BytesIO()
    if a.dtype == np.uint16:
        if a.shape[-1] != 1:
            raise InvalidArgumentError(None, "EncodePng", "16-bit PNG encoding supports one "
                                       "channel only here")
        im = Image.fromarray(np.ascontiguousarray(a[..., 0]).astype("<u2"))
    else:
        im = Image.fromarray(a[..., 0] if a.shape[-1] == 1 else a, mode=_MODES[a.shape[-1]])
    im.save(buf, format="PNG", compress_level=6 if compression in (-1, None) else compression)
    return Tensor(np.asarray(buf.getvalue(), dtype=object))


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,  # noqa: A002
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300,
                xmp_metadata="", name=None):
    """Returns a (H, W, 1 or 3) uint8 image encoded as JPEG, a scalar string Tensor."""
    a = _image_array(image, "EncodeJpeg", ("uint8",))
    if a.shape[-1] not in (1, 3):
        raise InvalidArgumentError(None, "EncodeJpeg", f"image must have 1 or 3 channels, got "
                                   f"{a.shape[-1]}")
    Image = _pil()
    im = Image.fromarray(a[..., 0] if a.shape[-1] == 1 else a, mode=_MODES[a.shape[-1]])
    if format == "grayscale":
        im = im.convert("L")
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=int(quality), progressive=bool(progressive),
            optimize=bool(optimize_size), subsampling=2 if chroma_downsampling else 0,
            dpi=(x_density, y_density))
    return Tensor(np.asarray(buf.getvalue(), dtype=object))


def is_jpeg(contents, name=None):
    """Returns a bool scalar Tensor: True if ``contents`` starts like a JPEG file."""
    return Tensor(np.asarray(_contents(contents)[:3] == b"\xff\xd8\xff"))
