"""``tf.image``: resizing, flips, rotations and crops of NHWC / HWC images, and the image
codecs of ``tf.io`` under their ``tf.image`` names (loaded on first use)."""
from tapeflow.ops.image_ops import *  # noqa: F401,F403
from tapeflow.ops.image_ops import __all__ as _ops_all

_CODECS = ("decode_bmp", "decode_gif", "decode_image", "decode_jpeg", "decode_png",
           "encode_jpeg", "encode_png", "is_jpeg")

__all__ = list(_ops_all) + list(_CODECS)


def __getattr__(name):
    if name in _CODECS:
        from tapeflow.io import image_codecs
        return getattr(image_codecs, name)
    raise AttributeError(f"module 'tapeflow.image' has no attribute {name!r}")
