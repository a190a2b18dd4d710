"""``keras.applications.xception``: the Xception architecture (Chollet, 2017) and its input
preprocessing. Depthwise-separable convolutions in 14 blocks, with residual ``add``s."""
from tapeflow.keras import backend
from tapeflow.keras.applications import imagenet_utils

WEIGHTS_PATH = (imagenet_utils.WEIGHTS_BASE
                + "xception/xception_weights_tf_dim_ordering_tf_kernels.h5")
WEIGHTS_PATH_NO_TOP = (imagenet_utils.WEIGHTS_BASE
                       + "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5")
_FILES = {True: ("xception_weights_tf_dim_ordering_tf_kernels.h5", WEIGHTS_PATH,
                 "0a58e3b7378bc2990ea3b43d5981f1f6"),
          False: ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5", WEIGHTS_PATH_NO_TOP,
                  "b0042744bf5b25fce3cb969f33bebb97")}


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="xception"):
    """Instantiates the Xception architecture.

    Call ``xception.preprocess_input`` on the images first (scales to [-1, 1]). Pretrained
    ImageNet weights are Keras's HDF5 file, from the Keras cache or downloaded there.

    Args:
      include_top: whether to include the classifier (global average pooling + Dense).
      weights: None (random initialisation), ``"imagenet"`` (Keras's pretrained file) or
        the path of a weights file (``.weights.h5``, legacy ``.h5``, ``.keras``).
      input_tensor: optional Keras tensor to use as the image input.
      input_shape: optional shape, only without the top (default ``(299, 299, 3)``);
        width and height at least 71.
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
    from tapeflow.keras import layers
    imagenet_utils.check_weights_argument(weights, include_top, classes, received=False)
    data_format = backend.image_data_format()
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=71, data_format=data_format,
        require_flatten=include_top, weights=weights)
    if weights == "imagenet":
        if include_top:
            imagenet_utils.validate_activation(classifier_activation, weights)
        weights = imagenet_utils.pretrained_weights("Xception", *_FILES[bool(include_top)])
    axis = 1 if data_format == "channels_first" else -1

    def bn(x, name=None):
        return layers.BatchNormalization(axis=axis, name=name)(x)

    def relu(x, name):
        return layers.Activation("relu", name=name)(x)

    def sepconv(x, filters, name):
        x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False,
                                   name=name)(x)
        return bn(x, name + "_bn")

    def shortcut(x, filters):
        x = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
        return bn(x)

    def pool(x, name):
        return layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=name)(x)

    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    # Entry flow.
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False,
                      name="block1_conv1")(img_input)
    x = relu(bn(x, "block1_conv1_bn"), "block1_conv1_act")
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = relu(bn(x, "block1_conv2_bn"), "block1_conv2_act")
    for block, filters in ((2, 128), (3, 256), (4, 728)):
        residual = shortcut(x, filters)
        if block > 2:          # block 2 starts from block1_conv2_act, already rectified
            x = relu(x, f"block{block}_sepconv1_act")
        x = sepconv(x, filters, f"block{block}_sepconv1")
        x = relu(x, f"block{block}_sepconv2_act")
        x = sepconv(x, filters, f"block{block}_sepconv2")
        x = layers.add([pool(x, f"block{block}_pool"), residual])
    # Middle flow: eight identity-residual blocks.
    for block in range(5, 13):
        residual = x
        for i in (1, 2, 3):
            x = relu(x, f"block{block}_sepconv{i}_act")
            x = sepconv(x, 728, f"block{block}_sepconv{i}")
        x = layers.add([x, residual])
    # Exit flow.
    residual = shortcut(x, 1024)
    x = relu(x, "block13_sepconv1_act")
    x = sepconv(x, 728, "block13_sepconv1")
    x = relu(x, "block13_sepconv2_act")
    x = sepconv(x, 1024, "block13_sepconv2")
    x = layers.add([pool(x, "block13_pool"), residual])
    x = relu(sepconv(x, 1536, "block14_sepconv1"), "block14_sepconv1_act")
    x = relu(sepconv(x, 2048, "block14_sepconv2"), "block14_sepconv2_act")

    return imagenet_utils.pooled_classifier_model(
        img_input, input_tensor, x, include_top, pooling, classes, classifier_activation,
        weights, name)


def preprocess_input(x, data_format=None):
    """Scales images from [0, 255] to [-1, 1].

    Returns:
      The preprocessed batch (NumPy array, Tensor or KerasTensor, like ``x``); a float
      NumPy input is written over.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
