"""``keras.applications.mobilenet_v3``: MobileNetV3Small and MobileNetV3Large (Howard et al.,
2019) with Keras's layer names, hard-swish/hard-sigmoid blocks and parameter counts."""
import warnings

from tapeflow.keras import backend
from tapeflow.keras.applications import imagenet_utils
from tapeflow.keras.applications.imagenet_utils import make_divisible as _depth

BASE_WEIGHT_PATH = imagenet_utils.WEIGHTS_BASE + "mobilenet_v3/"

# (expansion, filters, kernel ("k": the model's), stride, squeeze-excite, activation ("a":
# the model's, "r": ReLU)) of each inverted residual block
_SMALL = ((1, 16, 3, 2, True, "r"), (72 / 16, 24, 3, 2, False, "r"),
          (88 / 24, 24, 3, 1, False, "r"), (4, 40, "k", 2, True, "a"),
          (6, 40, "k", 1, True, "a"), (6, 40, "k", 1, True, "a"), (3, 48, "k", 1, True, "a"),
          (3, 48, "k", 1, True, "a"), (6, 96, "k", 2, True, "a"), (6, 96, "k", 1, True, "a"),
          (6, 96, "k", 1, True, "a"))
_LARGE = ((1, 16, 3, 1, False, "r"), (4, 24, 3, 2, False, "r"), (3, 24, 3, 1, False, "r"),
          (3, 40, "k", 2, True, "r"), (3, 40, "k", 1, True, "r"), (3, 40, "k", 1, True, "r"),
          (6, 80, 3, 2, False, "a"), (2.5, 80, 3, 1, False, "a"), (2.3, 80, 3, 1, False, "a"),
          (2.3, 80, 3, 1, False, "a"), (6, 112, 3, 1, True, "a"), (6, 112, 3, 1, True, "a"),
          (6, 160, "k", 2, True, "a"), (6, 160, "k", 1, True, "a"),
          (6, 160, "k", 1, True, "a"))


def _relu(x):
    from tapeflow.keras import layers
    return layers.ReLU()(x)


def _hard_sigmoid(x):
    from tapeflow.keras import layers
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def _hard_swish(x):
    from tapeflow.keras import layers
    return layers.Activation("hard_swish")(x)


def _block(x, axis, expansion, filters, kernel, stride, se_ratio, activation, block_id):
    from tapeflow.keras import layers

    def bn(y, name):
        return layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999,
                                         name=name)(y)
    shortcut = x
    infilters = x.shape[axis]
    prefix = "expanded_conv_"
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(_depth(infilters * expansion), kernel_size=1, padding="same",
                          use_bias=False, name=f"{prefix}expand")(x)
        x = activation(bn(x, f"{prefix}expand_bn"))
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel),
                                 name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=f"{prefix}depthwise")(x)
    x = activation(bn(x, f"{prefix}depthwise_bn"))
    if se_ratio:
        filters_se = _depth(infilters * expansion)
        s = layers.GlobalAveragePooling2D(keepdims=True,
                                          name=f"{prefix}squeeze_excite_avg_pool")(x)
        s = layers.Conv2D(_depth(filters_se * se_ratio), kernel_size=1, padding="same",
                          name=f"{prefix}squeeze_excite_conv")(s)
        s = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(s)
        s = layers.Conv2D(filters_se, kernel_size=1, padding="same",
                          name=f"{prefix}squeeze_excite_conv_1")(s)
        x = layers.Multiply(name=f"{prefix}squeeze_excite_mul")([x, _hard_sigmoid(s)])
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = bn(x, f"{prefix}project_bn")
    if stride == 1 and infilters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def MobileNetV3(blocks, last_point_ch, input_shape=None, alpha=1.0, model_type="large",
                minimalistic=False, include_top=True, weights="imagenet", input_tensor=None,
                classes=1000, pooling=None, dropout_rate=0.2, classifier_activation="softmax",
                include_preprocessing=True, name=None):
    """Builds a MobileNetV3 from its block table.

    Returns:
      A functional ``keras.Model``.
    """
    from tapeflow.keras import layers
    imagenet_utils.check_weights_argument(weights, include_top, classes)
    first = backend.image_data_format() == "channels_first"
    if input_shape is None and input_tensor is not None and backend.is_keras_tensor(
            input_tensor):
        rows, cols = (input_tensor.shape[2:4] if first else input_tensor.shape[1:3])
        input_shape = (3, cols, rows) if first else (cols, rows, 3)
    if input_shape is None:
        input_shape = (3, None, None) if first else (None, None, 3)
    rows, cols = (input_shape[1:3] if first else input_shape[:2])
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape="
                         f"{input_shape}`")
    if weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of "
                             "`0.75`, `1.0` for non minimalistic or `1.0` for minimalistic "
                             "only.")
        if rows != cols or rows != 224:
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not 224. "
                          "Weights for input shape (224, 224) will be loaded as the default.",
                          stacklevel=3)
        label = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
        fname = f"weights_mobilenet_v3_{label}{'' if include_top else '_no_top_v2'}.h5"
        weights = imagenet_utils.pretrained_weights(name, fname, BASE_WEIGHT_PATH + fname,
                                                    None)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    axis = 1 if first else -1
    if minimalistic:
        kernel, activation, se_ratio = 3, _relu, None
    else:
        kernel, activation, se_ratio = 5, _hard_swish, 0.25
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name="conv_bn")(x)
    x = activation(x)
    for i, (expansion, filters, k, stride, se, act) in enumerate(blocks):
        x = _block(x, axis, expansion, _depth(filters * alpha), kernel if k == "k" else k,
                   stride, se_ratio if se else None, activation if act == "a" else _relu, i)
    last_conv_ch = _depth(x.shape[axis] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False,
                      name="conv_1")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999,
                                  name="conv_1_bn")(x)
    x = activation(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                          name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = imagenet_utils.finish(img_input, input_tensor, x, name)
    if weights is not None:
        model.load_weights(weights)
    return model


def _variant(blocks, last_point_ch, model_type, label):
    def fn(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
           weights="imagenet", input_tensor=None, classes=1000, pooling=None,
           dropout_rate=0.2, classifier_activation="softmax", include_preprocessing=True,
           name=label):
        return MobileNetV3(blocks, last_point_ch, input_shape, alpha, model_type, minimalistic,
                           include_top, weights, input_tensor, classes, pooling, dropout_rate,
                           classifier_activation, include_preprocessing, name=name)
    fn.__name__ = fn.__qualname__ = label
    fn.__doc__ = (f"Instantiates {label} (``weights=None``: random initialization; "
                  "``\"imagenet\"`` raises ImportError). The model rescales its [0, 255] "
                  "input itself unless ``include_preprocessing=False``.\n\n    Returns:\n"
                  "      A functional ``keras.Model``.\n    ")
    return fn


MobileNetV3Small = _variant(_SMALL, 1024, "small", "MobileNetV3Small")
MobileNetV3Large = _variant(_LARGE, 1280, "large", "MobileNetV3Large")


def preprocess_input(x, data_format=None):
    """Returns ``x`` unchanged: MobileNetV3 models rescale their input inside."""
    return x


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
