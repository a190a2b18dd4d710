"""``keras.applications.imagenet_utils``: input preprocessing, prediction decoding, and the
argument checks the ImageNet architectures share.

``preprocess_input`` works on NumPy arrays (returned as NumPy, written over a float input as
Keras does), on tapeflow Tensors (returned as Tensors) and on symbolic ``KerasTensor``s (it
adds small op layers to the functional graph, so ``preprocess_input(keras.Input(...))``
works inside a model). Pretrained ImageNet weights are Keras's own legacy HDF5 files, read
from the Keras cache (``$KERAS_HOME/models/`` or ``~/.keras/models/``) or downloaded there.
"""
import json
import os

import numpy as np

from tapeflow.keras import backend

CLASS_INDEX = None
CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
CLASS_INDEX_FILE_HASH = "c2c37ea517e94d9795004a39431a14cb"

# Keras's storage for the pretrained files of each architecture.
WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"

_CAFFE_MEAN = (103.939, 116.779, 123.68)       # B, G, R
_TORCH_MEAN = (0.485, 0.456, 0.406)            # R, G, B
_TORCH_STD = (0.229, 0.224, 0.225)


def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocesses a batch of images (or one image) for an ImageNet model.

    Args:
      x: a NumPy array, Tensor or KerasTensor, 3D or 4D with 3 colour channels, values in
        [0, 255]. A floating-point NumPy array is written over (use ``np.copy(x)`` to keep
        it); other NumPy dtypes are first converted to ``keras.backend.floatx()``.
      data_format: ``"channels_last"`` or ``"channels_first"``; None uses
        ``keras.backend.image_data_format()``.
      mode: ``"caffe"`` (RGB to BGR, then subtract the ImageNet mean of each channel, no
        scaling), ``"tf"`` (scale to [-1, 1]) or ``"torch"`` (scale to [0, 1], then
        normalise each channel by the ImageNet mean and standard deviation).

    Returns:
      The preprocessed images, of the input's kind: a NumPy array (float32 for integer
      input), a Tensor or a KerasTensor.

    Raises:
      ValueError: for an unknown ``mode`` or ``data_format``.
    """
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. "
                         f"Received: mode={mode}")
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in ("channels_first", "channels_last"):
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _channel_shape(ndim, data_format):
    """Shape that broadcasts a 3-vector along the channel axis."""
    if data_format == "channels_first":
        return (3,) + (1,) * (ndim - 1) if ndim == 3 else (1, 3) + (1,) * (ndim - 2)
    return (1,) * (ndim - 1) + (3,)


def _bgr_key(ndim, data_format):
    """Index that reverses the channel axis (RGB <-> BGR)."""
    if data_format == "channels_first":
        return (slice(None, None, -1),) if ndim == 3 else (slice(None), slice(None, None, -1))
    return (Ellipsis, slice(None, None, -1))


def _preprocess_numpy(x, data_format, mode):
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(backend.floatx())
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    shape = _channel_shape(x.ndim, data_format)
    if mode == "torch":
        x /= 255.0
        x -= np.asarray(_TORCH_MEAN, x.dtype).reshape(shape)
        x /= np.asarray(_TORCH_STD, x.dtype).reshape(shape)
        return x
    x = x[_bgr_key(x.ndim, data_format)]       # a view: the input is written over, as in Keras
    x -= np.asarray(_CAFFE_MEAN, x.dtype).reshape(shape)
    return x


def _preprocess_tensor(x, data_format, mode):
    from tapeflow.keras.keras_tensor import KerasTensor
    symbolic = isinstance(x, KerasTensor)
    if not symbolic:
        from tapeflow.framework.tensor import convert_to_tensor
        from tapeflow.ops.math_ops import cast
        x = convert_to_tensor(x)
        if not x.dtype.is_floating:
            x = cast(x, backend.floatx())
    if mode == "tf":
        return x / 127.5 - 1.0
    ndim = len(x.shape)
    dtype = x.dtype if symbolic else x.dtype.as_numpy_dtype
    shape = _channel_shape(ndim, data_format)
    if mode == "torch":
        x = x / 255.0
        x = x + (-np.asarray(_TORCH_MEAN, dtype)).reshape(shape)
        return x / np.asarray(_TORCH_STD, dtype).reshape(shape)
    x = _symbolic_bgr(x, ndim, data_format) if symbolic else x[_bgr_key(ndim, data_format)]
    return x + (-np.asarray(_CAFFE_MEAN, dtype)).reshape(shape)


def _symbolic_bgr(x, ndim, data_format):
    """RGB -> BGR on a KerasTensor as Keras 3 records it: three ``get_item`` op layers and
    a ``stack``, so a model's summary lists the same layers."""
    from tapeflow.keras.layers.core import op_layer_class
    axis = 0 if (data_format == "channels_first" and ndim == 3) else \
        1 if data_format == "channels_first" else -1
    lead = (slice(None),) * axis if axis >= 0 else (Ellipsis,)
    channels = [x[lead + (c,)] for c in (2, 1, 0)]
    layer = op_layer_class("Stack")(axis=axis, name=backend.unique_object_name("stack"))
    return layer(channels)


def decode_predictions(preds, top=5):
    """Decodes the predictions of an ImageNet model.

    The class index (``imagenet_class_index.json``) is fetched with
    ``keras.utils.get_file`` into ``~/.keras/models`` (``$KERAS_HOME/models``) on first use;
    offline, put the file there yourself.

    Args:
      preds: a NumPy array or Tensor of shape ``(samples, 1000)``.
      top: how many top guesses to return per sample.

    Returns:
      A list with one list per sample of ``(class_name, class_description, score)``
      tuples, highest score first.

    Raises:
      ValueError: if ``preds`` is not of shape ``(samples, 1000)``.
    """
    global CLASS_INDEX
    shape = tuple(preds.shape)
    if len(shape) != 2 or shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         f"of shape (samples, 1000)). Received array with shape: {shape}")
    if CLASS_INDEX is None:
        from tapeflow.keras.utils.file_utils import get_file
        fpath = get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models",
                         file_hash=CLASS_INDEX_FILE_HASH)
        with open(fpath, encoding="utf-8") as f:
            CLASS_INDEX = json.load(f)
    preds = np.asarray(preds.numpy() if hasattr(preds, "numpy") else preds)
    order = np.argsort(preds, axis=-1)[:, ::-1][:, :top]
    results = []
    for pred, idx in zip(preds, order):
        result = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in idx]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results


# -- shared by the architectures --------------------------------------------------------

def check_weights_argument(weights, include_top, classes, received=True):
    """Raises ValueError for an unusable ``weights``/``classes`` pair (Keras's checks)."""
    if not (weights in ("imagenet", None) or (isinstance(weights, (str, os.PathLike))
                                               and os.path.exists(weights))):
        msg = ("The `weights` argument should be either `None` (random initialization), "
               "'imagenet' (pre-training on ImageNet), or the path to the weights file to be "
               "loaded.")
        raise ValueError(msg + (f"  Received: weights={weights}" if received else ""))
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` "
                         f"should be 1000.  Received classes={classes}")


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                       weights=None):
    """Returns the model's input shape: ``input_shape`` checked, or the default.

    Raises:
      ValueError: for a shape that is not 3 integers, too small, or (with ImageNet
        weights) not 3 channels or, with the top, not the default size.
    """
    first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in (1, 3):
            import warnings
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                          f"passed an input_shape with {channels} input channels.",
                          stacklevel=3)
        default_shape = ((channels, default_size, default_size) if first
                         else (default_size, default_size, channels))
    else:
        default_shape = (3, default_size, default_size) if first else \
            (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.  "
                             f"Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels = input_shape[0] if first else input_shape[-1]
        spatial = input_shape[1:] if first else input_shape[:2]
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received "
                             f"`input_shape={input_shape}`")
        if any(d is not None and d < min_size for d in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static "
                         f"`input_shape`. Received: input_shape={input_shape}")
    return input_shape


def validate_activation(classifier_activation, weights):
    """Raises ValueError unless the classifier activation suits pretrained weights."""
    if weights is None:
        return
    from tapeflow.keras import activations
    fn = activations.get(classifier_activation)
    if fn not in (activations.get("softmax"), activations.get(None)):
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, "
                         f"with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")


def pretrained_weights(model_name, fname, origin, file_hash):
    """Returns the local path of Keras's pretrained weights file ``fname`` for ``model_name``.

    The file is taken from the Keras cache (``$KERAS_HOME/models/`` or
    ``~/.keras/models/``) when it is there with the right md5 ``file_hash``, else
    downloaded from ``origin`` into it, as Keras does. It is a legacy HDF5 weights file, read
    by topological order.

    Raises:
      ImportError: without h5py, before any download.
      Exception: when the file is absent and cannot be downloaded (offline); the message
        names the file and where to put it.
    """
    from tapeflow.keras.saving import h5_io
    from tapeflow.keras.utils.file_utils import get_file
    try:
        h5_io.h5py()
    except ImportError as e:
        raise ImportError(f"{model_name}(weights='imagenet') loads Keras's pretrained file "
                          f"{fname}, an HDF5 file: {e}") from None
    return get_file(fname, origin, cache_subdir="models", file_hash=file_hash)


def image_input(input_tensor, input_shape):
    """Returns the model's image input: a new ``Input`` or the given tensor."""
    from tapeflow.keras import layers
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        return layers.Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def source_inputs(tensor):
    """Returns the ``Input`` tensors the symbolic ``tensor`` was computed from."""
    seen, found, stack = set(), [], [tensor]
    while stack:
        kt = stack.pop()
        node = kt._node
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if node.is_input:
            found.append(kt)
        else:
            stack.extend(reversed(node.input_tensors))
    return found[0] if len(found) == 1 else found


def finish(inputs, input_tensor, outputs, name):
    """Returns the functional model from the image input (or ``input_tensor``'s sources)."""
    from tapeflow.keras.models import Model
    if input_tensor is not None and backend.is_keras_tensor(input_tensor):
        inputs = source_inputs(input_tensor)
    return Model(inputs, outputs, name=name)


def pool_or_flat(x, pooling):
    """Applies the ``pooling`` of a model without its top (None, "avg" or "max")."""
    from tapeflow.keras import layers
    if pooling == "avg":
        return layers.GlobalAveragePooling2D()(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D()(x)
    return x


def pooled_classifier_model(img_input, input_tensor, x, include_top, pooling, classes,
                            classifier_activation, weights, name):
    """Ends a convolutional base: a global-average-pooled ``predictions`` layer (with the top)
    or the requested pooling (without), then the model, with ``weights`` loaded if given.

    Returns:
      A functional ``keras.Model``.
    """
    from tapeflow.keras import layers
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = pool_or_flat(x, pooling)
    model = finish(img_input, input_tensor, x, name)
    if weights is not None:
        model.load_weights(weights)
    return model


def correct_pad(inputs, kernel_size):
    """Returns the ``((top, bottom), (left, right))`` zero padding that makes a strided
    ``kernel_size`` convolution of ``inputs`` cover the image as TensorFlow's SAME does."""
    first = backend.image_data_format() == "channels_first"
    size = tuple(inputs.shape[2:4] if first else inputs.shape[1:3])
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    half = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def square_default_size(input_shape, input_tensor, allowed, fallback=224):
    """Returns the input size a mobile architecture defaults to: the given (or tensor's)
    square size when it is one of ``allowed``, else ``fallback``."""
    first = backend.image_data_format() == "channels_first"
    if input_shape is None and input_tensor is not None and backend.is_keras_tensor(
            input_tensor):
        dims = tuple(input_tensor.shape[2:4] if first else input_tensor.shape[1:3])
    elif input_shape is not None:
        dims = tuple(input_shape[1:3] if first else input_shape[:2])
    else:
        return fallback
    return dims[0] if dims[0] == dims[1] and dims[0] in allowed else fallback


def make_divisible(v, divisor=8, min_value=None):
    """Returns ``v`` rounded to a multiple of ``divisor`` (at least ``min_value``), never
    more than 10% below ``v`` (the MobileNet/EfficientNet channel rounding)."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v
