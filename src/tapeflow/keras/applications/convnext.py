"""``keras.applications.convnext``: ConvNeXt Tiny/Small/Base/Large/XLarge (Liu et al., 2022)
with Keras's layer names, ``LayerScale`` and ``StochasticDepth`` layers and parameter
counts."""
from tapeflow.framework.variable import array_of
import numpy as np

from tapeflow.keras import backend
from tapeflow.keras.applications import _builder, imagenet_utils
from tapeflow.keras.layers.layer import Layer

BASE_WEIGHTS_PATH = imagenet_utils.WEIGHTS_BASE + "convnext/"
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768],
             "default_size": 224},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768],
              "default_size": 224},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024],
             "default_size": 224},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536],
              "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048],
               "default_size": 224},
}


class StochasticDepth(Layer):
    """Drops the whole residual branch of a sample with probability ``drop_path_rate``
    during training (scaling kept ones by ``1 / (1 - rate)``)."""

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training:
            return x
        from tapeflow.framework.tensor import Tensor
        from tapeflow.keras.layers.core import _dropout_rng
        from tapeflow.ops import math_ops as M
        self.__dict__.setdefault("seed", None)
        keep = 1 - self.drop_path_rate
        shape = (array_of(x).shape[0],) + (1,) * (array_of(x).ndim - 1)
        mask = np.floor(keep + _dropout_rng(self).random(shape)).astype(array_of(x).dtype)
        return M.multiply(M.divide(x, keep), Tensor(mask))

    def get_config(self):
        config = super().get_config()
        config["drop_path_rate"] = self.drop_path_rate
        return config


class LayerScale(Layer):
    """Multiplies its input by a learned per-channel ``gamma`` (initialized to
    ``init_values``)."""

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, _):
        from tapeflow.keras import initializers
        # unnamed in Keras, so auto-named there: variable, variable_1, ... (one counter)
        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True,
                                     name=backend.unique_object_name("variable"))
        self.built = True

    def call(self, x):
        from tapeflow.ops import math_ops as M
        return M.multiply(x, self.gamma)

    def get_config(self):
        config = super().get_config()
        config.update({"init_values": self.init_values, "projection_dim": self.projection_dim})
        return config


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0, layer_scale_init_value=1e-6,
             default_size=224, name="convnext", include_preprocessing=True, include_top=True,
             weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", weights_name=None):
    """Builds a ConvNeXt: a patchify stem, four stages of ConvNeXt blocks (7x7 depthwise
    convolution, LayerNormalization, an inverted MLP, LayerScale) with downsampling between.

    Returns:
      A functional ``keras.Model``.

    Raises:
      ValueError: for ``channels_first`` (as Keras) or invalid arguments.
    """
    from tapeflow.keras import layers
    from tapeflow.keras.models import Sequential
    if backend.image_data_format() == "channels_first":
        raise ValueError("ConvNeXt does not support the `channels_first` image data format. "
                         "Switch to `channels_last` by editing your local config file at "
                         "~/.keras/keras.json")
    files = {t: (f"{name}{s}", BASE_WEIGHTS_PATH + f"{name}{s}", "")
             for t, s in ((True, ".h5"), (False, "_notop.h5"))}
    img_input, _, weights = _builder.start(name, weights, include_top, classes, input_tensor,
                                           input_shape, default_size, 32, files)
    if input_tensor is not None:
        inputs = imagenet_utils.source_inputs(input_tensor)
        x = input_tensor
    else:
        inputs = x = img_input
    if include_preprocessing and img_input.shape[-1] == 3:
        x = layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
            name=f"{name}_prestem_normalization")(x)
    downsample = [Sequential([
        layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm")],
        name=f"{name}_stem")]
    for i in range(3):
        downsample.append(Sequential([
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
            layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                          name=f"{name}_downsampling_conv_{i}")],
            name=f"{name}_downsampling_block_{i}"))
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    done = 0
    for i in range(4):
        x = downsample[i](x)
        dim = projection_dims[i]
        for j in range(depths[i]):
            prefix = f"{name}_stage_{i}_block_{j}"
            y = layers.Conv2D(filters=dim, kernel_size=7, padding="same", groups=dim,
                              name=f"{prefix}_depthwise_conv")(x)
            y = layers.LayerNormalization(epsilon=1e-6, name=f"{prefix}_layernorm")(y)
            y = layers.Dense(4 * dim, name=f"{prefix}_pointwise_conv_1")(y)
            y = layers.Activation("gelu", name=f"{prefix}_gelu")(y)
            y = layers.Dense(dim, name=f"{prefix}_pointwise_conv_2")(y)
            if layer_scale_init_value is not None:
                y = LayerScale(layer_scale_init_value, dim, name=f"{prefix}_layer_scale")(y)
            if rates[done + j]:
                y = StochasticDepth(rates[done + j], name=f"{prefix}_stochastic_depth")(y)
            else:
                y = layers.Activation("linear", name=f"{prefix}_identity")(y)
            x = x + y
        done += depths[i]
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation,
                         name=f"{name}_head_dense")(x)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    from tapeflow.keras.models import Model
    model = Model(inputs=inputs, outputs=x, name=name)
    if weights is not None:
        model.load_weights(weights)
    return model


def _variant(size):
    cfg = MODEL_CONFIGS[size]
    label = f"ConvNeXt{'XLarge' if size == 'xlarge' else size.capitalize()}"

    def fn(include_top=True, include_preprocessing=True, weights="imagenet",
           input_tensor=None, input_shape=None, pooling=None, classes=1000,
           classifier_activation="softmax", name=f"convnext_{size}"):
        return ConvNeXt(cfg["depths"], cfg["projection_dims"], drop_path_rate=0.0,
                        layer_scale_init_value=1e-6, default_size=cfg["default_size"],
                        name=name, include_preprocessing=include_preprocessing,
                        include_top=include_top, weights=weights, input_tensor=input_tensor,
                        input_shape=input_shape, pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation,
                        weights_name=f"convnext_{size}")
    fn.__name__ = fn.__qualname__ = label
    fn.__doc__ = (f"Instantiates {label} (``weights=None``: random initialization; "
                  "``\"imagenet\"`` raises ImportError). The model normalizes its [0, 255] "
                  "input itself.\n\n    Returns:\n      A functional ``keras.Model``.\n    ")
    return fn


ConvNeXtTiny = _variant("tiny")
ConvNeXtSmall = _variant("small")
ConvNeXtBase = _variant("base")
ConvNeXtLarge = _variant("large")
ConvNeXtXLarge = _variant("xlarge")


def preprocess_input(x, data_format=None):
    """Returns ``x`` unchanged: ConvNeXt models normalize their input inside."""
    return x


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
