"""``keras.applications.mobilenet_v2``: MobileNetV2 (Sandler et al., 2018): inverted
residual blocks with linear bottlenecks, Keras's layer names and parameter counts."""
from tapeflow.keras.applications import _builder, imagenet_utils
from tapeflow.keras.applications.imagenet_utils import make_divisible

BASE_WEIGHT_PATH = imagenet_utils.WEIGHTS_BASE + "mobilenet_v2/"
# (filters, stride, expansion) of the 17 inverted residual blocks
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6),
           (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6),
           (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6))


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", name=None):
    """Instantiates the MobileNetV2 architecture (``weights=None``: random initialization).

    Args:
      input_shape: optional shape (default ``(224, 224, 3)``; at least 32x32).
      alpha: width multiplier (filters rounded to multiples of 8).
      include_top, weights, input_tensor, pooling, classes, classifier_activation: as the
        other applications (``weights="imagenet"`` raises ImportError: HDF5 unsupported).
      name: the model's name (default ``mobilenetv2_{alpha:.2f}_{rows}``).

    Returns:
      A functional ``keras.Model``.
    """
    from tapeflow.keras import layers
    default = imagenet_utils.square_default_size(input_shape, input_tensor,
                                                 (96, 128, 160, 192, 224))
    if weights == "imagenet" and alpha not in (0.35, 0.50, 0.75, 1.0, 1.3, 1.4):
        raise ValueError("If imagenet weights are being loaded, alpha must be one of `0.35`, "
                         "`0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received "
                         f"`alpha={alpha}`")
    stem = f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{default}"
    files = {True: (f"{stem}.h5", f"{BASE_WEIGHT_PATH}{stem}.h5", None),
             False: (f"{stem}_no_top.h5", f"{BASE_WEIGHT_PATH}{stem}_no_top.h5", None)}
    img_input, axis, weights = _builder.start("MobileNetV2", weights, include_top, classes,
                                              input_tensor, input_shape, default, 32, files)
    rows = img_input.shape[2 if axis == 1 else 1]

    def bn(x, name):
        return layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999,
                                         name=name)(x)

    def block(inputs, expansion, stride, filters, block_id):
        in_channels = inputs.shape[axis]
        out = make_divisible(int(filters * alpha), 8)
        x = inputs
        prefix = f"block_{block_id}_"
        if block_id:
            x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                              use_bias=False, activation=None, name=f"{prefix}expand")(x)
            x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(bn(x, f"{prefix}expand_BN"))
        else:
            prefix = "expanded_conv_"
        if stride == 2:
            x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                                     name=f"{prefix}pad")(x)
        x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None,
                                   use_bias=False, padding="same" if stride == 1 else "valid",
                                   name=f"{prefix}depthwise")(x)
        x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(bn(x, f"{prefix}depthwise_BN"))
        x = layers.Conv2D(out, kernel_size=1, padding="same", use_bias=False,
                          activation=None, name=f"{prefix}project")(x)
        x = bn(x, f"{prefix}project_BN")
        if in_channels == out and stride == 1:
            return layers.Add(name=f"{prefix}add")([inputs, x])
        return x

    x = layers.Conv2D(make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(img_input)
    x = layers.ReLU(6.0, name="Conv1_relu")(bn(x, "bn_Conv1"))
    for i, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = block(x, expansion, stride, filters, i)
    last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.ReLU(6.0, name="out_relu")(bn(x, "Conv_1_bn"))
    return _builder.finish(img_input, input_tensor, x, include_top, pooling, classes,
                           classifier_activation, weights,
                           name or f"mobilenetv2_{alpha:0.2f}_{rows}",
                           pool_names=(None, None), top_pool_name=None)


def preprocess_input(x, data_format=None):
    """Scales images from [0, 255] to [-1, 1].

    Returns:
      The preprocessed batch (NumPy array, Tensor or KerasTensor, like ``x``).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
