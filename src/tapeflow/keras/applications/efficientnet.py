"""``keras.applications.efficientnet``: EfficientNetB0-B7 (Tan & Le, 2019) with Keras's layer
names (``block{i}{a..}_...``), stem (Rescaling + Normalization) and parameter counts."""
import math

from tapeflow.keras.applications import _builder, imagenet_utils
from tapeflow.keras.applications.imagenet_utils import make_divisible

BASE_WEIGHTS_PATH = imagenet_utils.WEIGHTS_BASE + "efficientnet/"
# (kernel, repeats, filters in, filters out, expand ratio, strides) per stage; SE ratio 0.25
DEFAULT_BLOCKS = ((3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
                  (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
                  (3, 1, 192, 320, 6, 1))
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]


def conv_initializer():
    """Returns the convolutions' kernel initializer (He-style, fan-out, truncated normal)."""
    from tapeflow.keras import initializers
    return initializers.VarianceScaling(scale=2.0, mode="fan_out",
                                        distribution="truncated_normal")


def dense_initializer():
    """Returns the classifier's kernel initializer (fan-out, uniform, scale 1/3)."""
    from tapeflow.keras import initializers
    return initializers.VarianceScaling(scale=1.0 / 3.0, mode="fan_out",
                                        distribution="uniform")


def mb_conv(x, axis, activation, drop_rate, name, filters_in, filters_out, kernel_size,
            strides, expand_ratio, se_ratio=0.25, id_skip=True):
    """One mobile inverted bottleneck with squeeze-and-excitation; returns its output."""
    from tapeflow.keras import layers
    inputs = x
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                          kernel_initializer=conv_initializer(), name=f"{name}expand_conv")(x)
        x = layers.BatchNormalization(axis=axis, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if strides == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"{name}dwconv_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=strides,
                               padding="valid" if strides == 2 else "same", use_bias=False,
                               depthwise_initializer=conv_initializer(),
                               name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
        se = layers.Reshape((filters, 1, 1) if axis == 1 else (1, 1, filters),
                            name=f"{name}se_reshape")(se)
        se = layers.Conv2D(max(1, int(filters_in * se_ratio)), 1, padding="same",
                           activation=activation, kernel_initializer=conv_initializer(),
                           name=f"{name}se_reduce")(se)
        se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                           kernel_initializer=conv_initializer(), name=f"{name}se_expand")(se)
        x = layers.multiply([x, se], name=f"{name}se_excite")
    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False,
                      kernel_initializer=conv_initializer(), name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{name}project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def EfficientNet(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                 drop_connect_rate=0.2, depth_divisor=8, activation="swish",
                 blocks_args="default", name="efficientnet", include_top=True,
                 weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                 classes=1000, classifier_activation="softmax", weights_name=None):
    """Builds an EfficientNet scaled by ``width_coefficient`` and ``depth_coefficient``.

    Returns:
      A functional ``keras.Model``.
    """
    from tapeflow.keras import layers
    blocks = DEFAULT_BLOCKS if blocks_args == "default" else blocks_args
    files = {True: (f"{name}.h5", BASE_WEIGHTS_PATH + f"{name}.h5", ""),
             False: (f"{name}_notop.h5", BASE_WEIGHTS_PATH + f"{name}_notop.h5", "")}
    img_input, axis, weights = _builder.start(name, weights, include_top, classes, input_tensor,
                                              input_shape, default_size, 32, files)

    def round_filters(filters):
        return int(make_divisible(filters * width_coefficient, depth_divisor))

    def round_repeats(repeats):
        return int(math.ceil(depth_coefficient * repeats))

    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=3 if axis == -1 else 1)(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(round_filters(32), 3, strides=2, padding="valid", use_bias=False,
                      kernel_initializer=conv_initializer(), name="stem_conv")(x)
    x = layers.BatchNormalization(axis=axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    total = float(sum(round_repeats(b[1]) for b in blocks))
    done = 0
    for i, (kernel, repeats, f_in, f_out, expand, strides) in enumerate(blocks):
        if repeats <= 0:
            raise ValueError(f"The number of repeats in `EfficientNet` must be > 0. Received: "
                             f"repeats={repeats}")
        f_in, f_out = round_filters(f_in), round_filters(f_out)
        for j in range(round_repeats(repeats)):
            x = mb_conv(x, axis, activation, drop_connect_rate * done / total,
                        f"block{i + 1}{chr(j + 97)}_", f_in if j == 0 else f_out, f_out,
                        kernel, strides if j == 0 else 1, expand)
            done += 1
    x = layers.Conv2D(round_filters(1280), 1, padding="same", use_bias=False,
                      kernel_initializer=conv_initializer(), name="top_conv")(x)
    x = layers.BatchNormalization(axis=axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=dense_initializer(), name="predictions")(x)
        return _builder.finish(img_input, input_tensor, x, False, None, classes, None,
                               weights, name)
    return _builder.finish(img_input, input_tensor, x, False, pooling, classes, None, weights,
                           name)


_SCALES = {0: (1.0, 1.0, 224, 0.2), 1: (1.0, 1.1, 240, 0.2), 2: (1.1, 1.2, 260, 0.3),
           3: (1.2, 1.4, 300, 0.3), 4: (1.4, 1.8, 380, 0.4), 5: (1.6, 2.2, 456, 0.4),
           6: (1.8, 2.6, 528, 0.5), 7: (2.0, 3.1, 600, 0.5)}


def _variant(index):
    width, depth, size, dropout = _SCALES[index]
    label = f"EfficientNetB{index}"

    def fn(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
           pooling=None, classes=1000, classifier_activation="softmax",
           name=f"efficientnetb{index}", **kwargs):
        return EfficientNet(width, depth, size, dropout, name=name, include_top=include_top,
                            weights=weights, input_tensor=input_tensor,
                            input_shape=input_shape, pooling=pooling, classes=classes,
                            classifier_activation=classifier_activation,
                            weights_name=f"b{index}", **kwargs)
    fn.__name__ = fn.__qualname__ = label
    fn.__doc__ = (f"Instantiates {label} (default input {size}x{size}; ``weights=None``: "
                  "random initialization; ``\"imagenet\"`` raises ImportError).\n\n"
                  "    The model rescales its [0, 255] input itself (``preprocess_input`` is "
                  "the identity).\n\n    Returns:\n      A functional ``keras.Model``.\n    ")
    return fn


EfficientNetB0 = _variant(0)
EfficientNetB1 = _variant(1)
EfficientNetB2 = _variant(2)
EfficientNetB3 = _variant(3)
EfficientNetB4 = _variant(4)
EfficientNetB5 = _variant(5)
EfficientNetB6 = _variant(6)
EfficientNetB7 = _variant(7)


def preprocess_input(x, data_format=None):
    """Returns ``x`` unchanged: EfficientNet models rescale and normalize inside."""
    return x


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
