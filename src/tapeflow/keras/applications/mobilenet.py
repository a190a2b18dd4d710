"""``keras.applications.mobilenet``: MobileNet (Howard et al., 2017) with Keras's layer names
(``conv_dw_{i}``, ``conv_pw_{i}`` ...) and parameter counts."""
from tapeflow.keras.applications import _builder, imagenet_utils

BASE_WEIGHT_PATH = imagenet_utils.WEIGHTS_BASE + "mobilenet/"
# (pointwise filters, stride) of the 13 depthwise-separable blocks
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights="imagenet", input_tensor=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=None):
    """Instantiates the MobileNet architecture (``weights=None``: random initialization).

    Args:
      input_shape: optional shape (default ``(224, 224, 3)``; at least 32x32).
      alpha: width multiplier of every layer's filters.
      depth_multiplier: depthwise multiplier.
      dropout: dropout rate before the classifier.
      include_top, weights, input_tensor, pooling, classes, classifier_activation: as the
        other applications (``weights="imagenet"`` raises ImportError: HDF5 unsupported).
      name: the model's name (default ``mobilenet_{alpha:.2f}_{rows}``).

    Returns:
      A functional ``keras.Model``.
    """
    from tapeflow.keras import layers
    default = imagenet_utils.square_default_size(input_shape, input_tensor,
                                                 (128, 160, 192, 224))
    if weights == "imagenet" and depth_multiplier != 1:
        raise ValueError("If imagenet weights are being loaded, depth multiplier must be 1.  "
                         f"Received depth_multiplier={depth_multiplier}")
    if weights == "imagenet" and alpha not in (0.25, 0.50, 0.75, 1.0):
        raise ValueError("If imagenet weights are being loaded, alpha can be one of`0.25`, "
                         f"`0.50`, `0.75` or `1.0` only.  Received alpha={alpha}")
    alpha_text = {1.0: "1_0", 0.75: "7_5", 0.50: "5_0"}.get(alpha, "2_5")
    stem = f"mobilenet_{alpha_text}_{default}_tf"
    files = {True: (f"{stem}.h5", f"{BASE_WEIGHT_PATH}{stem}.h5", None),
             False: (f"{stem}_no_top.h5", f"{BASE_WEIGHT_PATH}{stem}_no_top.h5", None)}
    img_input, axis, weights = _builder.start("MobileNet", weights, include_top, classes,
                                              input_tensor, input_shape, default, 32, files)
    rows = img_input.shape[2 if axis == 1 else 1]

    def bn_relu(x, name):
        x = layers.BatchNormalization(axis=axis, name=f"{name}_bn")(x)
        return layers.ReLU(6.0, name=f"{name}_relu")(x)

    x = layers.Conv2D(int(32 * alpha), (3, 3), padding="same", use_bias=False, strides=(2, 2),
                      name="conv1")(img_input)
    x = bn_relu(x, "conv1")
    for i, (filters, stride) in enumerate(_BLOCKS, start=1):
        if stride == 2:
            x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{i}")(x)
        x = layers.DepthwiseConv2D((3, 3), padding="same" if stride == 1 else "valid",
                                   depth_multiplier=depth_multiplier, strides=(stride, stride),
                                   use_bias=False, name=f"conv_dw_{i}")(x)
        x = bn_relu(x, f"conv_dw_{i}")
        x = layers.Conv2D(int(filters * alpha), (1, 1), padding="same", use_bias=False,
                          strides=(1, 1), name=f"conv_pw_{i}")(x)
        x = bn_relu(x, f"conv_pw_{i}")
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = imagenet_utils.finish(img_input, input_tensor, x,
                                  name or f"mobilenet_{alpha:0.2f}_{rows}")
    if weights is not None:
        model.load_weights(weights)
    return model


def preprocess_input(x, data_format=None):
    """Scales images from [0, 255] to [-1, 1].

    Returns:
      The preprocessed batch (NumPy array, Tensor or KerasTensor, like ``x``).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)


