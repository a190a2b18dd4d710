"""``keras.applications.efficientnet_v2``: EfficientNetV2 B0-B3, S, M, L (Tan & Le, 2021):
fused and plain MBConv blocks, Keras's layer names and parameter counts."""
import math

from tapeflow.keras.applications import _builder, imagenet_utils
from tapeflow.keras.applications.efficientnet import conv_initializer, dense_initializer

BASE_WEIGHTS_PATH = imagenet_utils.WEIGHTS_BASE + "efficientnet_v2/"
# (kernel, repeats, filters in, filters out, expand ratio, SE ratio, strides, fused)
_B = ((3, 1, 32, 16, 1, 0, 1, True), (3, 2, 16, 32, 4, 0, 2, True),
      (3, 2, 32, 48, 4, 0, 2, True), (3, 3, 48, 96, 4, 0.25, 2, False),
      (3, 5, 96, 112, 6, 0.25, 1, False), (3, 8, 112, 192, 6, 0.25, 2, False))
DEFAULT_BLOCKS_ARGS = {
    "efficientnetv2-s": ((3, 2, 24, 24, 1, 0, 1, True), (3, 4, 24, 48, 4, 0, 2, True),
                         (3, 4, 48, 64, 4, 0, 2, True), (3, 6, 64, 128, 4, 0.25, 2, False),
                         (3, 9, 128, 160, 6, 0.25, 1, False),
                         (3, 15, 160, 256, 6, 0.25, 2, False)),
    "efficientnetv2-m": ((3, 3, 24, 24, 1, 0, 1, True), (3, 5, 24, 48, 4, 0, 2, True),
                         (3, 5, 48, 80, 4, 0, 2, True), (3, 7, 80, 160, 4, 0.25, 2, False),
                         (3, 14, 160, 176, 6, 0.25, 1, False),
                         (3, 18, 176, 304, 6, 0.25, 2, False),
                         (3, 5, 304, 512, 6, 0.25, 1, False)),
    "efficientnetv2-l": ((3, 4, 32, 32, 1, 0, 1, True), (3, 7, 32, 64, 4, 0, 2, True),
                         (3, 7, 64, 96, 4, 0, 2, True), (3, 10, 96, 192, 4, 0.25, 2, False),
                         (3, 19, 192, 224, 6, 0.25, 1, False),
                         (3, 25, 224, 384, 6, 0.25, 2, False),
                         (3, 7, 384, 640, 6, 0.25, 1, False)),
    "efficientnetv2-b0": _B, "efficientnetv2-b1": _B, "efficientnetv2-b2": _B,
    "efficientnetv2-b3": _B,
}


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """Returns ``filters * width_coefficient`` rounded to a multiple of ``depth_divisor``."""
    filters *= width_coefficient
    return int(max(min_depth or depth_divisor,
                   int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def _block(x, axis, fused, f_in, f_out, expand, kernel, strides, se_ratio, momentum,
           activation, drop, name):
    from tapeflow.keras import layers

    def bn(y, suffix):
        return layers.BatchNormalization(axis=axis, momentum=momentum, name=name + suffix)(y)
    inputs = x
    filters = f_in * expand
    if expand != 1:
        x = layers.Conv2D(filters, kernel_size=kernel if fused else 1,
                          strides=strides if fused else 1,
                          kernel_initializer=conv_initializer(), padding="same",
                          use_bias=False, name=f"{name}expand_conv")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(
            bn(x, "expand_bn"))
    if not fused:
        x = layers.DepthwiseConv2D(kernel_size=kernel, strides=strides,
                                   depthwise_initializer=conv_initializer(), padding="same",
                                   use_bias=False, name=f"{name}dwconv2")(x)
        x = layers.Activation(activation, name=f"{name}activation")(bn(x, "bn"))
    if 0 < se_ratio <= 1:
        se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
        se = layers.Reshape((filters, 1, 1) if axis == 1 else (1, 1, filters),
                            name=f"{name}se_reshape")(se)
        se = layers.Conv2D(max(1, int(f_in * se_ratio)), 1, padding="same",
                           activation=activation, kernel_initializer=conv_initializer(),
                           name=f"{name}se_reduce")(se)
        se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                           kernel_initializer=conv_initializer(), name=f"{name}se_expand")(se)
        x = layers.multiply([x, se], name=f"{name}se_excite")
    last = fused and expand == 1    # a fused block without expansion: one k x k conv
    x = layers.Conv2D(f_out, kernel_size=kernel if last else 1,
                      strides=strides if last else 1, kernel_initializer=conv_initializer(),
                      padding="same", use_bias=False, name=f"{name}project_conv")(x)
    x = bn(x, "project_bn")
    if last:
        x = layers.Activation(activation=activation, name=f"{name}project_activation")(x)
    if strides == 1 and f_in == f_out:
        if drop:   # Keras names it a survival probability but uses it as the drop rate
            x = layers.Dropout(drop, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                   drop_connect_rate=0.2, depth_divisor=8, min_depth=8, bn_momentum=0.9,
                   activation="swish", blocks_args="default", name="efficientnetv2",
                   include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000, classifier_activation="softmax",
                   include_preprocessing=True, weights_name=None):
    """Builds an EfficientNetV2 from its block table (looked up by ``name`` by default).

    Returns:
      A functional ``keras.Model``.
    """
    from tapeflow.keras import initializers, layers
    blocks = DEFAULT_BLOCKS_ARGS[name] if blocks_args == "default" else blocks_args
    files = {t: (f"{name}{s}", BASE_WEIGHTS_PATH + f"{name}{s}", "")
             for t, s in ((True, ".h5"), (False, "_notop.h5"))}
    img_input, axis, weights = _builder.start(name, weights, include_top, classes, input_tensor,
                                              input_shape, default_size, 32, files)
    bn_axis = 3 if axis == -1 else 1

    def filters(f):
        return round_filters(f, width_coefficient, min_depth, depth_divisor)

    x = img_input
    if include_preprocessing:
        if name.split("-")[-1].startswith("b") and img_input.shape[bn_axis] == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2],
                                     axis=bn_axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    x = layers.Conv2D(filters(blocks[0][2]), kernel_size=3, strides=2,
                      kernel_initializer=conv_initializer(), padding="same", use_bias=False,
                      name="stem_conv")(x)
    x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    total = float(sum(b[1] for b in blocks))
    done = 0
    for i, (kernel, repeats, f_in, f_out, expand, se, strides, fused) in enumerate(blocks):
        if repeats <= 0:
            raise ValueError(f"The number of repeats in `EfficientNetV2` must be > 0. "
                             f"Received: num_repeat={repeats}")
        f_in, f_out = filters(f_in), filters(f_out)
        for j in range(int(math.ceil(depth_coefficient * repeats))):
            x = _block(x, axis, fused, f_in if j == 0 else f_out, f_out, expand, kernel,
                       strides if j == 0 else 1, se, bn_momentum, activation,
                       drop_connect_rate * done / total, f"block{i + 1}{chr(j + 97)}_")
            done += 1
    x = layers.Conv2D(filters(1280), kernel_size=1, strides=1,
                      kernel_initializer=conv_initializer(), padding="same", use_bias=False,
                      name="top_conv")(x)
    x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name="top_bn")(x)
    x = layers.Activation(activation=activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=dense_initializer(),
                         bias_initializer=initializers.Constant(0.0), name="predictions")(x)
        return _builder.finish(img_input, input_tensor, x, False, None, classes, None,
                               weights, name)
    return _builder.finish(img_input, input_tensor, x, False, pooling, classes, None, weights,
                           name)


def _variant(label, key, width, depth, size):
    def fn(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
           pooling=None, classes=1000, classifier_activation="softmax",
           include_preprocessing=True, name=f"efficientnetv2-{key}"):
        return EfficientNetV2(width, depth, size, name=name, include_top=include_top,
                              weights=weights, input_tensor=input_tensor,
                              input_shape=input_shape, pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing, weights_name=key)
    fn.__name__ = fn.__qualname__ = label
    fn.__doc__ = (f"Instantiates {label} (default input {size}x{size}; ``weights=None``: "
                  "random initialization; ``\"imagenet\"`` raises ImportError). The model "
                  "rescales its [0, 255] input itself.\n\n    Returns:\n      A functional "
                  "``keras.Model``.\n    ")
    return fn


EfficientNetV2B0 = _variant("EfficientNetV2B0", "b0", 1.0, 1.0, 224)
EfficientNetV2B1 = _variant("EfficientNetV2B1", "b1", 1.0, 1.1, 240)
EfficientNetV2B2 = _variant("EfficientNetV2B2", "b2", 1.1, 1.2, 260)
EfficientNetV2B3 = _variant("EfficientNetV2B3", "b3", 1.2, 1.4, 300)
EfficientNetV2S = _variant("EfficientNetV2S", "s", 1.0, 1.0, 384)
EfficientNetV2M = _variant("EfficientNetV2M", "m", 1.0, 1.0, 480)
EfficientNetV2L = _variant("EfficientNetV2L", "l", 1.0, 1.0, 480)


def preprocess_input(x, data_format=None):
    """Returns ``x`` unchanged: EfficientNetV2 models rescale their input inside."""
    return x


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
