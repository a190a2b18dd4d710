"""``keras.applications.nasnet``: NASNetMobile and NASNetLarge (Zoph et al., 2018): normal and
reduction cells, Keras's layer names, weight paths (cell name scopes) and parameter counts."""

from tapeflow.keras import backend
from tapeflow.keras.applications import _builder, imagenet_utils
from tapeflow.keras.applications._builder import name_scope

BASE_WEIGHTS_PATH = imagenet_utils.WEIGHTS_BASE + "nasnet/"
_FILES = {224: {True: ("nasnet_mobile.h5", BASE_WEIGHTS_PATH + "NASNet-mobile.h5",
                       "020fb642bf7360b370c678b08e0adf61"),
                False: ("nasnet_mobile_no_top.h5", BASE_WEIGHTS_PATH + "NASNet-mobile-no-top.h5",
                        "1ed92395b5b598bdda52abe5c0dbfd63")},
          331: {True: ("nasnet_large.h5", BASE_WEIGHTS_PATH + "NASNet-large.h5",
                       "11577c9a518f0070763c2b964a382f17"),
                False: ("nasnet_large_no_top.h5", BASE_WEIGHTS_PATH + "NASNet-large-no-top.h5",
                        "d81d89dc07e6e56530c4e77faddd61b5")}}


def _bn(x, name):
    from tapeflow.keras import layers
    return layers.BatchNormalization(axis=-1, momentum=0.9997, epsilon=1e-3, name=name)(x)


def _conv1x1(x, filters, name):
    from tapeflow.keras import layers
    return layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same", use_bias=False,
                         name=name, kernel_initializer="he_normal")(x)


def _sep_block(x, filters, kernel_size=(3, 3), strides=(1, 1), block_id=None):
    from tapeflow.keras import layers
    with name_scope(f"separable_conv_block_{block_id}"):
        x = layers.Activation("relu")(x)
        if strides == (2, 2):
            x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                     name=f"separable_conv_1_pad_{block_id}")(x)
        x = layers.SeparableConv2D(filters, kernel_size, strides=strides,
                                   name=f"separable_conv_1_{block_id}",
                                   padding="valid" if strides == (2, 2) else "same",
                                   use_bias=False)(x)
        x = _bn(x, f"separable_conv_1_bn_{block_id}")
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, kernel_size, name=f"separable_conv_2_{block_id}",
                                   padding="same", use_bias=False)(x)
        return _bn(x, f"separable_conv_2_bn_{block_id}")


def _adjust(p, ip, filters, block_id):
    """Matches the previous cell's output ``p`` to ``ip``'s size and ``filters``."""
    from tapeflow.keras import layers
    with name_scope("adjust_block"):
        if p is None:
            return ip
        if p.shape[-2] != ip.shape[-2]:
            with name_scope(f"adjust_reduction_block_{block_id}"):
                p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
                p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                             name=f"adjust_avg_pool_1_{block_id}")(p)
                p1 = _conv1x1(p1, filters // 2, f"adjust_conv_1_{block_id}")
                p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
                p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
                p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                             name=f"adjust_avg_pool_2_{block_id}")(p2)
                p2 = _conv1x1(p2, filters // 2, f"adjust_conv_2_{block_id}")
                p = layers.concatenate([p1, p2], axis=-1)
                p = _bn(p, f"adjust_bn_{block_id}")
        elif p.shape[-1] != filters:
            with name_scope(f"adjust_projection_block_{block_id}"):
                p = layers.Activation("relu")(p)
                p = _conv1x1(p, filters, f"adjust_conv_projection_{block_id}")
                p = _bn(p, f"adjust_bn_{block_id}")
    return p


def _normal_cell(ip, p, filters, block_id):
    from tapeflow.keras import layers

    def avg(x, name):
        return layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same", name=name)(x)
    with name_scope(f"normal_A_block_{block_id}"):
        p = _adjust(p, ip, filters, block_id)
        h = layers.Activation("relu")(ip)
        h = _bn(_conv1x1(h, filters, f"normal_conv_1_{block_id}"), f"normal_bn_1_{block_id}")
        with name_scope("block_1"):
            x1 = layers.add([_sep_block(h, filters, (5, 5), block_id=f"normal_left1_{block_id}"),
                             _sep_block(p, filters, block_id=f"normal_right1_{block_id}")],
                            name=f"normal_add_1_{block_id}")
        with name_scope("block_2"):
            x2 = layers.add([_sep_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}"),
                             _sep_block(p, filters, (3, 3),
                                        block_id=f"normal_right2_{block_id}")],
                            name=f"normal_add_2_{block_id}")
        with name_scope("block_3"):
            x3 = layers.add([avg(h, f"normal_left3_{block_id}"), p],
                            name=f"normal_add_3_{block_id}")
        with name_scope("block_4"):
            x4 = layers.add([avg(p, f"normal_left4_{block_id}"),
                             avg(p, f"normal_right4_{block_id}")],
                            name=f"normal_add_4_{block_id}")
        with name_scope("block_5"):
            x5 = layers.add([_sep_block(h, filters, block_id=f"normal_left5_{block_id}"), h],
                            name=f"normal_add_5_{block_id}")
        x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1,
                               name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_cell(ip, p, filters, block_id):
    from tapeflow.keras import layers

    def pool(kind, x, strides, padding, name):
        cls = layers.MaxPooling2D if kind == "max" else layers.AveragePooling2D
        return cls((3, 3), strides=strides, padding=padding, name=name)(x)
    with name_scope(f"reduction_A_block_{block_id}"):
        p = _adjust(p, ip, filters, block_id)
        h = layers.Activation("relu")(ip)
        h = _bn(_conv1x1(h, filters, f"reduction_conv_1_{block_id}"),
                f"reduction_bn_1_{block_id}")
        h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3),
                                  name=f"reduction_pad_1_{block_id}")(h)
        two = (2, 2)
        with name_scope("block_1"):
            x1 = layers.add([
                _sep_block(h, filters, (5, 5), strides=two,
                           block_id=f"reduction_left1_{block_id}"),
                _sep_block(p, filters, (7, 7), strides=two,
                           block_id=f"reduction_right1_{block_id}")],
                name=f"reduction_add_1_{block_id}")
        with name_scope("block_2"):
            x2 = layers.add([
                pool("max", h3, two, "valid", f"reduction_left2_{block_id}"),
                _sep_block(p, filters, (7, 7), strides=two,
                           block_id=f"reduction_right2_{block_id}")],
                name=f"reduction_add_2_{block_id}")
        with name_scope("block_3"):
            x3 = layers.add([
                pool("avg", h3, two, "valid", f"reduction_left3_{block_id}"),
                _sep_block(p, filters, (5, 5), strides=two,
                           block_id=f"reduction_right3_{block_id}")],
                name=f"reduction_add3_{block_id}")
        with name_scope("block_4"):
            x4 = layers.add([x2, pool("avg", x1, (1, 1), "same",
                                      f"reduction_left4_{block_id}")])
        with name_scope("block_5"):
            x5 = layers.add([
                _sep_block(x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}"),
                pool("max", h3, two, "valid", f"reduction_right5_{block_id}")],
                name=f"reduction_add4_{block_id}")
        x = layers.concatenate([x2, x3, x4, x5], axis=-1, name=f"reduction_concat_{block_id}")
    return x, ip


def NASNet(input_shape=None, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
           skip_reduction=True, filter_multiplier=2, include_top=True, weights="imagenet",
           input_tensor=None, pooling=None, classes=1000, default_size=None,
           classifier_activation="softmax", name="NASNet"):
    """Builds a NASNet-A: a stem, then ``num_blocks`` normal cells between reductions.

    Returns:
      A functional ``keras.Model``.

    Raises:
      ValueError: for ``channels_first`` (as Keras), a ``penultimate_filters`` that is not a
        multiple of ``24 * filter_multiplier**2``, or invalid arguments.
    """
    from tapeflow.keras import layers
    if backend.image_data_format() == "channels_first":
        raise ValueError("NASNet does not support the `channels_first` image data format. "
                         "Switch to `channels_last` by editing your local config file at "
                         "~/.keras/keras.json")
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError("When specifying the input shape of a NASNet and loading `ImageNet` "
                         "weights, the input_shape argument must be static (no None "
                         f"entries). Got: `input_shape={input_shape}`.")
    default_size = default_size or 331
    if weights == "imagenet" and default_size not in _FILES:
        raise ValueError("ImageNet weights can only be loaded with NASNetLarge or "
                         "NASNetMobile")
    img_input, _, weights = _builder.start(name, weights, include_top, classes, input_tensor,
                                           input_shape, default_size, 32, _FILES.get(default_size))
    if penultimate_filters % (24 * (filter_multiplier ** 2)) != 0:
        raise ValueError("For NASNet-A models, the `penultimate_filters` must be a multiple "
                         "of 24 * (`filter_multiplier` ** 2). Current value: "
                         f"{penultimate_filters}")
    filters = penultimate_filters // 24
    m = filter_multiplier
    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding="valid",
                      use_bias=False, name="stem_conv1", kernel_initializer="he_normal")(
        img_input)
    x = _bn(x, "stem_bn1")
    x, p = _reduction_cell(x, None, filters // (m ** 2), "stem_1")
    x, p = _reduction_cell(x, p, filters // m, "stem_2")
    for stage in range(3):
        if stage:
            x, p0 = _reduction_cell(x, p, filters * m ** stage,
                                    f"reduce_{stage * num_blocks}")
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            block_id = f"{i}" if stage == 0 else f"{stage * num_blocks + i + 1}"
            x, p = _normal_cell(x, p, filters * m ** stage, block_id)
    x = layers.Activation("relu")(x)
    return _builder.finish(img_input, input_tensor, x, include_top, pooling, classes,
                           classifier_activation, weights, name, pool_names=(None, None),
                           top_pool_name=None)


def NASNetMobile(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                 pooling=None, classes=1000, classifier_activation="softmax",
                 name="nasnet_mobile"):
    """Instantiates NASNet-A Mobile (4 @ 1056; ``weights=None``: random initialization;
    ``"imagenet"`` raises ImportError).

    Returns:
      A functional ``keras.Model``.
    """
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return NASNet(input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
                  skip_reduction=False, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=224, classifier_activation=classifier_activation, name=name)


def NASNetLarge(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="nasnet_large"):
    """Instantiates NASNet-A Large (6 @ 4032; ``weights=None``: random initialization;
    ``"imagenet"`` raises ImportError).

    Returns:
      A functional ``keras.Model``.
    """
    return NASNet(input_shape, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
                  skip_reduction=True, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=331, classifier_activation=classifier_activation, name=name)


def preprocess_input(x, data_format=None):
    """Scales images from [0, 255] to [-1, 1].

    Returns:
      The preprocessed batch (NumPy array, Tensor or KerasTensor, like ``x``).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)


