"""``keras.applications.vgg16``: the VGG16 architecture and its input preprocessing."""
from tapeflow.keras.applications import imagenet_utils
from tapeflow.keras.applications._vgg import build_vgg

WEIGHTS_PATH = (imagenet_utils.WEIGHTS_BASE
                + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5")
WEIGHTS_PATH_NO_TOP = (imagenet_utils.WEIGHTS_BASE
                       + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
_FILES = {True: ("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
                 "64373286793e3c8b2b4e3219cbf3544b"),
          False: ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "6d6bbae143d832006294945121d1f1fc")}


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    """Instantiates the VGG16 model (Simonyan & Zisserman, 2015).

    Call ``vgg16.preprocess_input`` on the images first. Pretrained ImageNet weights are
    Keras's HDF5 file, from the Keras cache (``$KERAS_HOME/models/``) or downloaded there.

    Args:
      include_top: whether to include the three fully-connected layers at the top.
      weights: None (random initialisation), ``"imagenet"`` (Keras's pretrained file) or
        the path of a weights file (``.weights.h5``, legacy ``.h5``, ``.keras``).
      input_tensor: optional Keras tensor to use as the image input.
      input_shape: optional shape, only without the top (default ``(224, 224, 3)``);
        width and height at least 32.
      pooling: without the top: None (4D output), ``"avg"`` or ``"max"`` (2D output).
      classes: number of classes, with the top.
      classifier_activation: activation of the ``predictions`` layer (None for logits).
      name: the model's name.

    Returns:
      A functional ``keras.Model``.

    Raises:
      ValueError: for invalid arguments.
      ImportError: for ``weights="imagenet"`` without h5py, before any download.
      Exception: for ``weights="imagenet"`` offline without the file in the cache.
    """
    return build_vgg((2, 2, 3, 3, 3), _FILES, include_top, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name, "VGG16")


def preprocess_input(x, data_format=None):
    """Converts RGB images in [0, 255] to BGR and subtracts the ImageNet channel means.

    Returns:
      The preprocessed batch (NumPy array, Tensor or KerasTensor, like ``x``); a float
      NumPy input is written over.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
