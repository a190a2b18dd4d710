"""``keras.applications.inception_resnet_v2``: Inception-ResNet-v2 (Szegedy et al., 2016) with
Keras's layer names, ``CustomScaleLayer`` residual scaling and parameter counts."""
from tapeflow.keras.applications import _builder, imagenet_utils
from tapeflow.keras.layers.layer import Layer

BASE_WEIGHT_URL = imagenet_utils.WEIGHTS_BASE + "inception_resnet_v2/"
_FILES = {True: ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
                 BASE_WEIGHT_URL + "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
                 "e693bd0210a403b3192acc6073ad2e96"),
          False: ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  BASE_WEIGHT_URL
                  + "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "d19885ff4a710c122648d3b5c3b684e4")}


class CustomScaleLayer(Layer):
    """Returns ``inputs[0] + inputs[1] * scale`` (the scaled residual connection)."""

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        from tapeflow.ops import math_ops as M
        return M.add(inputs[0], M.multiply(inputs[1], self.scale))

    def get_config(self):
        config = super().get_config()
        config["scale"] = self.scale
        return config


def conv2d_bn(x, filters, kernel_size, strides=1, padding="same", activation="relu",
              use_bias=False, name=None, axis=-1):
    """Conv2D, then BatchNormalization without scale (unless ``use_bias``), then the
    activation; returns the output."""
    from tapeflow.keras import layers
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=axis, scale=False,
                                      name=None if name is None else f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else f"{name}_ac")(x)
    return x


def _block(x, scale, block_type, block_idx, axis, activation="relu"):
    from tapeflow.keras import layers
    if block_type == "block35":
        branches = [conv2d_bn(x, 32, 1, axis=axis),
                    conv2d_bn(conv2d_bn(x, 32, 1, axis=axis), 32, 3, axis=axis),
                    conv2d_bn(conv2d_bn(conv2d_bn(x, 32, 1, axis=axis), 48, 3, axis=axis), 64,
                              3, axis=axis)]
    elif block_type in ("block17", "block8"):
        wide, mid, top, k1, k2 = ((192, 128, 160, [1, 7], [7, 1]) if block_type == "block17"
                                  else (192, 192, 224, [1, 3], [3, 1]))
        b0 = conv2d_bn(x, wide, 1, axis=axis)      # created first: auto names follow order
        b1 = conv2d_bn(x, mid, 1, axis=axis)
        b1 = conv2d_bn(b1, top, k1, axis=axis)
        b1 = conv2d_bn(b1, 192 if block_type == "block17" else 256, k2, axis=axis)
        branches = [b0, b1]
    else:
        raise ValueError('Unknown Inception-ResNet block type. Expects "block35", "block17" '
                         f'or "block8", but got: {block_type}')
    name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=axis, name=f"{name}_mixed")(branches)
    up = conv2d_bn(mixed, x.shape[axis], 1, activation=None, use_bias=True,
                   name=f"{name}_conv", axis=axis)
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{name}_ac")(x)
    return x


def InceptionResNetV2(include_top=True, weights="imagenet", input_tensor=None,
                      input_shape=None, pooling=None, classes=1000,
                      classifier_activation="softmax", name="inception_resnet_v2"):
    """Instantiates Inception-ResNet-v2 (default input 299x299, at least 75x75;
    ``weights=None``: random initialization; ``"imagenet"`` raises ImportError).

    Returns:
      A functional ``keras.Model``.
    """
    from tapeflow.keras import layers
    img_input, axis, weights = _builder.start("InceptionResNetV2", weights, include_top, classes,
                                              input_tensor, input_shape, 299, 75, _FILES,
                                              classifier_activation)
    axis = 1 if axis == 1 else 3

    def cbn(x, *args, **kwargs):
        return conv2d_bn(x, *args, axis=axis, **kwargs)
    x = cbn(img_input, 32, 3, strides=2, padding="valid")
    x = cbn(x, 32, 3, padding="valid")
    x = cbn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = cbn(x, 80, 1, padding="valid")
    x = cbn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    b0 = cbn(x, 96, 1)
    b1 = cbn(cbn(x, 48, 1), 64, 5)
    b2 = cbn(cbn(cbn(x, 64, 1), 96, 3), 96, 3)
    bp = cbn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1)
    x = layers.Concatenate(axis=axis, name="mixed_5b")([b0, b1, b2, bp])
    for i in range(1, 11):
        x = _block(x, 0.17, "block35", i, axis)
    b0 = cbn(x, 384, 3, strides=2, padding="valid")
    b1 = cbn(cbn(cbn(x, 256, 1), 256, 3), 384, 3, strides=2, padding="valid")
    bp = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_6a")([b0, b1, bp])
    for i in range(1, 21):
        x = _block(x, 0.1, "block17", i, axis)
    b0 = cbn(cbn(x, 256, 1), 384, 3, strides=2, padding="valid")
    b1 = cbn(cbn(x, 256, 1), 288, 3, strides=2, padding="valid")
    b2 = cbn(cbn(cbn(x, 256, 1), 288, 3), 320, 3, strides=2, padding="valid")
    bp = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_7a")([b0, b1, b2, bp])
    for i in range(1, 10):
        x = _block(x, 0.2, "block8", i, axis)
    x = _block(x, 1.0, "block8", 10, axis, activation=None)
    x = cbn(x, 1536, 1, name="conv_7b")
    return _builder.finish(img_input, input_tensor, x, include_top, pooling, classes,
                           classifier_activation, weights, name, pool_names=(None, None))


def preprocess_input(x, data_format=None):
    """Scales images from [0, 255] to [-1, 1].

    Returns:
      The preprocessed batch (NumPy array, Tensor or KerasTensor, like ``x``).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
