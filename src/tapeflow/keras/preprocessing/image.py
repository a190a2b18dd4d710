"""``keras.preprocessing.image``: image file and array helpers."""
import numpy as np

from tapeflow.keras.utils.image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401,E501


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last",
                 backend_module=None):
    """Returns the image(s) centre-cropped to the target aspect ratio, then resized to
    ``size`` = (height, width) (a NumPy array for a NumPy input, else a Tensor)."""
    from tapeflow.keras.ops.image import resize
    was_numpy = isinstance(x, np.ndarray)
    out = resize(x, size, interpolation=interpolation, crop_to_aspect_ratio=True,
                 data_format=data_format)
    return out.numpy() if was_numpy else out
