"""Shared scaffolding of the ImageNet architectures: argument checks, the image input, the
classifier top or pooling, the model, and the optional weights file."""
from tapeflow.keras import backend
from tapeflow.keras.applications import imagenet_utils


def start(model_name, weights, include_top, classes, input_tensor, input_shape, default_size,
          min_size, files=None, classifier_activation=None, weights_check=True):
    """Checks the arguments and returns ``(img_input, channel_axis, weights)``.

    ``files`` maps ``include_top`` to Keras's ``(file name, origin, md5)`` of the pretrained
    ImageNet weights: with ``weights="imagenet"`` the returned ``weights`` is that file's
    local path (from the Keras cache, or downloaded there, as Keras does).

    Raises:
      ValueError: for invalid arguments (Keras's checks and messages).
      ImportError: for ``weights="imagenet"`` without h5py, before any download.
      Exception: for ``weights="imagenet"`` offline without the file in the cache.
    """
    if weights_check:
        imagenet_utils.check_weights_argument(weights, include_top, classes)
    data_format = backend.image_data_format()
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=min_size, data_format=data_format,
        require_flatten=include_top, weights=weights)
    if weights == "imagenet":
        if include_top and classifier_activation is not None:
            imagenet_utils.validate_activation(classifier_activation, weights)
        fname, origin, md5 = (files or {}).get(bool(include_top), ("", "", ""))
        weights = imagenet_utils.pretrained_weights(model_name, fname, origin, md5 or None)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    return img_input, (1 if data_format == "channels_first" else -1), weights


def finish(img_input, input_tensor, x, include_top, pooling, classes, classifier_activation,
           weights, name, pool_names=("avg_pool", "max_pool"), top_dropout=None,
           top_pool_name="avg_pool", flatten_top=False):
    """Adds the top (global average pooling, optional dropout, ``predictions``) or the
    pooling, builds the model and loads ``weights`` (a file path) if given.

    Returns:
      A functional ``keras.Model``.
    """
    from tapeflow.keras import layers
    if include_top:
        x = layers.GlobalAveragePooling2D(name=top_pool_name)(x)
        if top_dropout:
            x = layers.Dropout(top_dropout, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name=pool_names[0])(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name=pool_names[1])(x)
    model = imagenet_utils.finish(img_input, input_tensor, x, name)
    if weights is not None:
        model.load_weights(weights)
    return model


def weight_files(base, stem, hashes):
    """Returns ``{True: (file, origin, md5), False: ...}`` for Keras's ``{stem}...h5``."""
    top = f"{stem}_weights_tf_dim_ordering_tf_kernels.h5"
    notop = f"{stem}_weights_tf_dim_ordering_tf_kernels_notop.h5"
    return {True: (top, base + top, hashes[0]), False: (notop, base + notop, hashes[1])}


class _Scope:
    """A name on the variable-path stack (what Keras's ``name_scope`` adds to paths)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class name_scope:
    """``with name_scope("block"):`` prefixes the paths of variables created inside with
    ``block/`` (Keras builds some applications' cells inside such scopes)."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        from tapeflow.framework import context
        context.state.calls.scope.append(_Scope(self.name))
        return self

    def __exit__(self, *exc):
        from tapeflow.framework import context
        context.state.calls.scope.pop()
        return False
