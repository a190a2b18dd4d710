"""The VGG network shared by ``vgg16`` and ``vgg19``: blocks of 3x3 ReLU convolutions,
each block closed by 2x2 max pooling, then two 4096-unit layers and the classifier."""
from tapeflow.keras import backend
from tapeflow.keras.applications import imagenet_utils

_FILTERS = (64, 128, 256, 512, 512)


def build_vgg(convs_per_block, files, include_top, weights, input_tensor, input_shape,
              pooling, classes, classifier_activation, name, title):
    """Returns the functional VGG model with ``convs_per_block[i]`` convolutions in block i.

    ``files`` maps ``include_top`` to Keras's ``(file name, md5)`` of the pretrained weights.
    """
    from tapeflow.keras import layers
    imagenet_utils.check_weights_argument(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    if weights == "imagenet":
        if include_top:
            imagenet_utils.validate_activation(classifier_activation, weights)
        fname, file_hash = files[bool(include_top)]
        weights = imagenet_utils.pretrained_weights(
            title, fname, imagenet_utils.WEIGHTS_BASE + f"{title.lower()}/{fname}", file_hash)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, n) in enumerate(zip(_FILTERS, convs_per_block), start=1):
        for i in range(1, n + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = imagenet_utils.pool_or_flat(x, pooling)
    model = imagenet_utils.finish(img_input, input_tensor, x, name)
    if weights is not None:
        model.load_weights(weights)
    return model
