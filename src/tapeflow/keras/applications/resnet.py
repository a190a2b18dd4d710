"""``keras.applications.resnet``: ResNet50, ResNet101 and ResNet152 (He et al., 2015), with
Keras's layer names (``conv{stage}_block{i}_{j}_conv`` ...) and parameter counts."""
from tapeflow.keras.applications import _builder, imagenet_utils

BASE_WEIGHTS_PATH = imagenet_utils.WEIGHTS_BASE + "resnet/"
_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
_EPS = 1.001e-5


def build_resnet(stages, preact, model_name, weights_name, include_top, weights, input_tensor,
                 input_shape, pooling, classes, classifier_activation, name):
    """Builds a ResNet (v1 bottleneck blocks, or v2 pre-activation blocks with ``preact``).

    ``stages`` is the number of blocks in stages conv2..conv5 (filters 64..512).

    Returns:
      A functional ``keras.Model``.
    """
    from tapeflow.keras import layers
    img_input, axis, weights = _builder.start(
        model_name, weights, include_top, classes, input_tensor, input_shape, 224, 32,
        _builder.weight_files(BASE_WEIGHTS_PATH, weights_name, _HASHES[weights_name]),
        classifier_activation)

    def bn(x, name):
        return layers.BatchNormalization(axis=axis, epsilon=_EPS, name=name)(x)

    def relu(x, name):
        return layers.Activation("relu", name=name)(x)

    def block_v1(x, filters, stride, shortcut_conv, name):
        if shortcut_conv:
            shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
            shortcut = bn(shortcut, f"{name}_0_bn")
        else:
            shortcut = x
        x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
        x = relu(bn(x, f"{name}_1_bn"), f"{name}_1_relu")
        x = layers.Conv2D(filters, 3, padding="SAME", name=f"{name}_2_conv")(x)
        x = relu(bn(x, f"{name}_2_bn"), f"{name}_2_relu")
        x = bn(layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x), f"{name}_3_bn")
        x = layers.Add(name=f"{name}_add")([shortcut, x])
        return relu(x, f"{name}_out")

    def block_v2(x, filters, stride, shortcut_conv, name):
        pre = relu(bn(x, f"{name}_preact_bn"), f"{name}_preact_relu")
        if shortcut_conv:
            shortcut = layers.Conv2D(4 * filters, 1, strides=stride,
                                     name=f"{name}_0_conv")(pre)
        else:
            shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
        x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(pre)
        x = relu(bn(x, f"{name}_1_bn"), f"{name}_1_relu")
        x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
        x = layers.Conv2D(filters, 3, strides=stride, use_bias=False,
                          name=f"{name}_2_conv")(x)
        x = relu(bn(x, f"{name}_2_bn"), f"{name}_2_relu")
        x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
        return layers.Add(name=f"{name}_out")([shortcut, x])

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    if not preact:
        x = relu(bn(x, "conv1_bn"), "conv1_relu")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (filters, blocks) in enumerate(zip((64, 128, 256, 512), stages), start=2):
        first_stride = 1 if stage == 2 else 2
        for i in range(1, blocks + 1):
            name_i = f"conv{stage}_block{i}"
            if preact:   # v2: the stride sits in the last block (except in conv5)
                stride = (2 if stage < 5 else 1) if i == blocks else 1
                x = block_v2(x, filters, stride, i == 1, name_i)
            else:
                x = block_v1(x, filters, first_stride if i == 1 else 1, i == 1, name_i)
    if preact:
        x = relu(bn(x, "post_bn"), "post_relu")
    return _builder.finish(img_input, input_tensor, x, include_top, pooling, classes,
                           classifier_activation, weights, name)


_DOC = """Instantiates the {name} architecture (``weights=None``: random initialization).

    Args:
      include_top: whether to include the classifier (global average pooling + Dense).
      weights: None, ``"imagenet"`` (raises ImportError: HDF5 weights unsupported) or the
        path of a weights file written by ``save_weights``.
      input_tensor: optional Keras tensor to use as the image input.
      input_shape: optional shape (default ``(224, 224, 3)``; at least 32x32).
      pooling: without the top: None, ``"avg"`` or ``"max"``.
      classes: number of classes, with the top.
      classifier_activation: activation of ``predictions`` (None for logits).
      name: the model's name.

    Returns:
      A functional ``keras.Model``.
    """


def _v1(blocks, label):
    def fn(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
           pooling=None, classes=1000, classifier_activation="softmax", name=label.lower()):
        return build_resnet(blocks, False, label, label.lower(), include_top, weights,
                            input_tensor, input_shape, pooling, classes, classifier_activation,
                            name)
    fn.__name__ = fn.__qualname__ = label
    fn.__doc__ = _DOC.format(name=label)
    return fn


ResNet50 = _v1((3, 4, 6, 3), "ResNet50")
ResNet101 = _v1((3, 4, 23, 3), "ResNet101")
ResNet152 = _v1((3, 8, 36, 3), "ResNet152")


def preprocess_input(x, data_format=None):
    """Converts RGB images in [0, 255] to BGR and subtracts the ImageNet channel means.

    Returns:
      The preprocessed batch (NumPy array, Tensor or KerasTensor, like ``x``).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
