"""``keras.applications.densenet``: DenseNet121/169/201 (Huang et al., 2017) with Keras's layer
names (``conv{stage}_block{i}_...``, ``pool{stage}_...``) and parameter counts."""
from tapeflow.keras import backend
from tapeflow.keras.applications import _builder, imagenet_utils

BASE_WEIGHTS_PATH = imagenet_utils.WEIGHTS_BASE + "densenet/"
_EPS = 1.001e-5


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="densenet"):
    """Builds a DenseNet with ``blocks`` conv blocks (growth rate 32) in its four dense
    blocks, and half-compressing transitions between them.

    Returns:
      A functional ``keras.Model``.

    Raises:
      ValueError: for the ``channels_first`` data format (as Keras), or invalid arguments.
    """
    from tapeflow.keras import layers
    if backend.image_data_format() == "channels_first":
        raise ValueError("DenseNet does not support the `channels_first` image data format. "
                         "Switch to `channels_last` by editing your local config file at "
                         "~/.keras/keras.json")
    stem = f"densenet{ {(6, 12, 24, 16): 121, (6, 12, 32, 32): 169}.get(tuple(blocks), 201)}"
    files = _builder.weight_files(BASE_WEIGHTS_PATH, stem, ("", ""))
    img_input, axis, weights = _builder.start(name, weights, include_top, classes, input_tensor,
                                              input_shape, 224, 32, files)

    def bn_relu(x, name):
        x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=f"{name}_bn")(x)
        return layers.Activation("relu", name=f"{name}_relu")(x)

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = bn_relu(x, "conv1")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, n in enumerate(blocks, start=2):
        for i in range(1, n + 1):
            name_i = f"conv{stage}_block{i}"
            y = layers.Conv2D(128, 1, use_bias=False, name=f"{name_i}_1_conv")(
                bn_relu(x, f"{name_i}_0"))
            y = layers.Conv2D(32, 3, padding="same", use_bias=False,
                              name=f"{name_i}_2_conv")(bn_relu(y, f"{name_i}_1"))
            x = layers.Concatenate(axis=axis, name=f"{name_i}_concat")([x, y])
        if stage < 5:
            x = bn_relu(x, f"pool{stage}")
            x = layers.Conv2D(int(x.shape[axis] * 0.5), 1, use_bias=False,
                              name=f"pool{stage}_conv")(x)
            x = layers.AveragePooling2D(2, strides=2, name=f"pool{stage}_pool")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    return _builder.finish(img_input, input_tensor, x, include_top, pooling, classes,
                           classifier_activation, weights, name)


def _variant(blocks, label):
    def fn(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
           pooling=None, classes=1000, classifier_activation="softmax", name=label.lower()):
        return DenseNet(blocks, include_top, weights, input_tensor, input_shape, pooling,
                        classes, classifier_activation, name)
    fn.__name__ = fn.__qualname__ = label
    fn.__doc__ = (f"Instantiates {label} (``weights=None``: random initialization; "
                  "``\"imagenet\"`` raises ImportError).\n\n    Returns:\n      A functional "
                  "``keras.Model``.\n    ")
    return fn


DenseNet121 = _variant((6, 12, 24, 16), "DenseNet121")
DenseNet169 = _variant((6, 12, 32, 32), "DenseNet169")
DenseNet201 = _variant((6, 12, 48, 32), "DenseNet201")


def preprocess_input(x, data_format=None):
    """Scales to [0, 1] and normalizes each channel by the ImageNet mean and std.

    Returns:
      The preprocessed batch (NumPy array, Tensor or KerasTensor, like ``x``).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
