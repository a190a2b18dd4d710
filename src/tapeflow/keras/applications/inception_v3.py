"""``keras.applications.inception_v3``: the Inception v3 architecture (Szegedy et al., 2016)
and its input preprocessing (scaling to [-1, 1])."""
from tapeflow.keras import backend
from tapeflow.keras.applications import imagenet_utils

WEIGHTS_PATH = (imagenet_utils.WEIGHTS_BASE
                + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5")
WEIGHTS_PATH_NO_TOP = (imagenet_utils.WEIGHTS_BASE
                       + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
_FILES = {True: ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5", WEIGHTS_PATH,
                 "9a0d58056eeedaa3f26cb7ebd46da564"),
          False: ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  WEIGHTS_PATH_NO_TOP, "bcbd6486424b2319ff4ef7d526e38f63")}


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    """Returns ``x`` through Conv2D (no bias), BatchNormalization (no scale) and ReLU.

    With ``name``, the layers are ``name + "_conv"``, ``name + "_bn"`` and ``name``.
    """
    from tapeflow.keras import layers
    axis = 1 if backend.image_data_format() == "channels_first" else 3
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=None if name is None else name + "_conv")(x)
    x = layers.BatchNormalization(axis=axis, scale=False,
                                  name=None if name is None else name + "_bn")(x)
    return layers.Activation("relu", name=name)(x)


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="inception_v3"):
    """Instantiates the Inception v3 architecture.

    Call ``inception_v3.preprocess_input`` on the images first. Pretrained ImageNet weights
    are Keras's HDF5 file, from the Keras cache (``$KERAS_HOME/models/``) or downloaded.

    Args:
      include_top: whether to include the classifier (global average pooling + Dense).
      weights: None (random initialisation), ``"imagenet"`` (Keras's pretrained file) or
        the path of a weights file (``.weights.h5``, legacy ``.h5``, ``.keras``).
      input_tensor: optional Keras tensor to use as the image input.
      input_shape: optional shape, only without the top (default ``(299, 299, 3)``);
        width and height at least 75.
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
    imagenet_utils.check_weights_argument(weights, include_top, classes)
    data_format = backend.image_data_format()
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=75, data_format=data_format,
        require_flatten=include_top, weights=weights)
    if weights == "imagenet":
        if include_top:
            imagenet_utils.validate_activation(classifier_activation, weights)
        weights = imagenet_utils.pretrained_weights("InceptionV3", *_FILES[bool(include_top)])
    axis = 1 if data_format == "channels_first" else 3

    def avg_pool(x):
        return layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)

    def merge(branches, name=None):
        return layers.concatenate(branches, axis=axis, name=name)

    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    # mixed0-2: 35 x 35 blocks (pool branch 32, then 64 filters).
    for i, pool_filters in enumerate((32, 64, 64)):
        b1 = conv2d_bn(x, 64, 1, 1)
        b5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
        b3 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
        bp = conv2d_bn(avg_pool(x), pool_filters, 1, 1)
        x = merge([b1, b5, b3, bp], f"mixed{i}")

    # mixed3: reduction to 17 x 17.
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    b3d = conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3)
    b3d = conv2d_bn(b3d, 96, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = merge([b3, b3d, bp], "mixed3")

    # mixed4-7: 17 x 17 blocks with factorised 7x7 convolutions.
    for i, width in zip((4, 5, 6, 7), (128, 160, 160, 192)):
        b1 = conv2d_bn(x, 192, 1, 1)
        b7 = conv2d_bn(x, width, 1, 1)
        b7 = conv2d_bn(b7, width, 1, 7)
        b7 = conv2d_bn(b7, 192, 7, 1)
        b7d = conv2d_bn(x, width, 1, 1)
        b7d = conv2d_bn(b7d, width, 7, 1)
        b7d = conv2d_bn(b7d, width, 1, 7)
        b7d = conv2d_bn(b7d, width, 7, 1)
        b7d = conv2d_bn(b7d, 192, 1, 7)
        bp = conv2d_bn(avg_pool(x), 192, 1, 1)
        x = merge([b1, b7, b7d, bp], f"mixed{i}")

    # mixed8: reduction to 8 x 8.
    b3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(b7, 192, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = merge([b3, b7, bp], "mixed8")

    # mixed9-10: 8 x 8 blocks with split 1x3 / 3x1 branches.
    for i in range(2):
        b1 = conv2d_bn(x, 320, 1, 1)
        b3 = conv2d_bn(x, 384, 1, 1)
        b3 = merge([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], f"mixed9_{i}")
        b3d = conv2d_bn(conv2d_bn(x, 448, 1, 1), 384, 3, 3)
        b3d = merge([conv2d_bn(b3d, 384, 1, 3), conv2d_bn(b3d, 384, 3, 1)])
        bp = conv2d_bn(avg_pool(x), 192, 1, 1)
        x = merge([b1, b3, b3d, bp], f"mixed{9 + i}")

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
