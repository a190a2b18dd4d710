"""``tf.image``: resizing, flips, rotations and crops of NHWC / HWC images."""
from tapeflow.ops.image_ops import *  # noqa: F401,F403
from tapeflow.ops.image_ops import __all__  # noqa: F401
