"""``keras.utils.image_dataset_from_directory``: a folder of class subfolders to a Dataset.

Files are listed up front; each image is read and decoded (Pillow) only when the
pipeline reaches it, so a large folder never sits in memory at once.
"""
import numpy as np

from tapeflow.data import Dataset, AUTOTUNE
from tapeflow.data.transformations import _MapDataset
from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.tensor_spec import TensorSpec
from tapeflow.framework.variable import array_of
from tapeflow.keras.utils import dataset_utils, image_utils

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                   "gaussian", "mitchellcubic")


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, verbose=True):
    """Generates a ``tf.data.Dataset`` from image files in a directory.

    With ``labels="inferred"`` each subfolder of ``directory`` is a class; class
    names are the sorted subfolder names (or ``class_names``, in that order).
    JPEG, PNG, BMP and GIF files (first frame) are read.

    Args:
      directory: the folder.
      labels: ``"inferred"``, None, or a list of int labels in sorted file order.
      label_mode: ``"int"`` (int32 ``(batch,)``), ``"categorical"`` (float32
        one-hot), ``"binary"`` (float32 ``(batch, 1)``) or None (images only).
      class_names: explicit class order (with ``labels="inferred"``).
      color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"`` (1, 3 or 4 channels).
      batch_size: batch size, or None for unbatched elements.
      image_size: ``(height, width)`` the images are resized to.
      shuffle: shuffle the files (else alphanumeric order).
      seed: the shuffle seed (required with ``validation_split`` and ``shuffle``).
      validation_split: fraction of the files kept for validation.
      subset: ``"training"``, ``"validation"`` or ``"both"`` (returns both datasets).
      interpolation: resize method (``"bilinear"`` default).
      follow_links: follow symbolic links to subfolders.
      crop_to_aspect_ratio: crop the centre to the target aspect ratio before resizing.
      pad_to_aspect_ratio: pad instead of cropping to keep the aspect ratio.
      data_format: ``"channels_last"`` (default) or ``"channels_first"``.
      verbose: print how many files and classes were found.

    Returns:
      A ``tf.data.Dataset`` yielding ``(images, labels)`` (images only when
      ``label_mode`` is None), with ``class_names`` and ``file_paths`` attributes; a
      ``(training, validation)`` pair when ``subset="both"``. Images are float32
      ``(batch, height, width, channels)``.

    Raises:
      ValueError: for invalid arguments or a folder without images.
      InvalidArgumentError: (on iteration) for a file that cannot be decoded; the
        message names the file.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError("`labels` argument should be a list/tuple of integer labels, of "
                             "the same size as the number of image files in the target "
                             "directory. If you wish to infer the labels from the subdirectory "
                             'names in the target directory, pass `labels="inferred"`. If you '
                             "wish to get a dataset that only contains images (no labels), "
                             f"pass `labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError('You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if channels is None:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError("Invalid `image_size` value. Expected a tuple of 2 integers. "
                         f"Received: image_size={image_size}")
    interpolation = interpolation.lower()
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {_INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be "
                         "set to `True`.")
    data_format = data_format or "channels_last"
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWLIST_FORMATS, class_names=class_names,
        shuffle=shuffle, seed=seed, follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    buffer = batch_size * 8 if batch_size is not None else 1024
    load = _ImageLoader(image_size, channels, interpolation, crop_to_aspect_ratio,
                        pad_to_aspect_ratio, data_format)
    num_classes = len(class_names) if class_names else 0

    def make(subset_name, do_shuffle):
        p, lab = dataset_utils.get_training_or_validation_split(
            paths, labels, validation_split, subset_name)
        if not p:
            raise ValueError(f"No images found in directory {directory}. "
                             f"Allowed formats: {ALLOWLIST_FORMATS}")
        ds = _paths_to_dataset(p, lab, label_mode, num_classes, load, do_shuffle, buffer, seed)
        if batch_size is not None:
            ds = ds.batch(batch_size)
        ds = ds.prefetch(AUTOTUNE)
        ds.class_names = class_names
        ds.file_paths = list(p)
        return ds

    if subset == "both":
        return make("training", shuffle), make("validation", False)
    return make(subset, shuffle)


def _paths_to_dataset(paths, labels, label_mode, num_classes, load, shuffle, buffer, seed):
    path_ds = Dataset.from_tensor_slices(np.asarray(paths, dtype=object))
    image_spec = load.spec
    if label_mode:
        encoded = dataset_utils.encode_labels(labels, label_mode, num_classes)
        ds = Dataset.zip((path_ds, Dataset.from_tensor_slices(encoded)))
        label_spec = ds._specs[1]
        if shuffle:
            ds = ds.shuffle(buffer, seed=seed)
        return _MapDataset(ds, lambda p, y: (load(p), y), AUTOTUNE,
                           output_spec=((None, None), [image_spec, label_spec]))
    if shuffle:
        path_ds = path_ds.shuffle(buffer, seed=seed)
    return _MapDataset(path_ds, load, AUTOTUNE, output_spec=(None, [image_spec]))


class _ImageLoader:
    """Reads, decodes and resizes one image file into a float32 array (uint8 with
    ``interpolation="nearest"``, which keeps the pixels' dtype as Keras's resize does)."""

    def __init__(self, size, channels, interpolation, crop, pad, data_format):
        self.size, self.channels, self.interpolation = tuple(size), channels, interpolation
        self.crop, self.pad, self.data_format = crop, pad, data_format
        shape = (size[0], size[1], channels) if data_format == "channels_last" else \
            (channels, size[0], size[1])
        self.dtype = np.uint8 if interpolation == "nearest" else np.float32
        self.spec = TensorSpec(shape, dtypes.as_dtype(self.dtype))

    def __call__(self, path):
        path = array_of(path)[()] if isinstance(path, Tensor) else path
        name = path.decode() if isinstance(path, bytes) else str(path)
        img = decode_image_file(name, self.channels)
        if self.crop:
            img = image_utils.smart_resize(img, self.size, self.interpolation)
        elif self.pad:
            img = image_utils.resize_with_pad(img, self.size, self.interpolation)
        else:
            img = image_utils.resize_array(img, self.size, self.interpolation)
        if self.data_format == "channels_first":
            img = img.transpose(2, 0, 1)
        return Tensor(np.ascontiguousarray(img, dtype=self.dtype))


def decode_image_file(path, channels):
    """Returns the image at ``path`` as a ``(h, w, channels)`` uint8 array (first GIF frame).

    Raises:
      InvalidArgumentError: naming the file when it cannot be read as an image.
    """
    Image = image_utils._pil()
    try:
        with open(path, "rb") as f:
            img = Image.open(f)
            img.seek(0)
            img.load()
            mode = {1: "L", 3: "RGB", 4: "RGBA"}[channels]
            if img.mode != mode:
                img = img.convert(mode)
            arr = np.asarray(img)
    except (OSError, ValueError, SyntaxError) as e:
        raise InvalidArgumentError(
            None, "DecodeImage", f"Could not decode image file {path!r}: {e}. Unknown image "
            "file format. One of JPEG, PNG, GIF, BMP required.") from None
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return arr
