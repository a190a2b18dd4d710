"""``keras.applications.resnet_v2``: ResNet50V2, ResNet101V2, ResNet152V2 (pre-activation
blocks, He et al., 2016), with Keras's layer names and parameter counts."""
from tapeflow.keras.applications import imagenet_utils
from tapeflow.keras.applications.resnet import _DOC, build_resnet


def _v2(blocks, label):
    def fn(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
           pooling=None, classes=1000, classifier_activation="softmax", name=label.lower()):
        return build_resnet(blocks, True, label, label.lower(), include_top, weights,
                            input_tensor, input_shape, pooling, classes, classifier_activation,
                            name)
    fn.__name__ = fn.__qualname__ = label
    fn.__doc__ = _DOC.format(name=label)
    return fn


ResNet50V2 = _v2((3, 4, 6, 3), "ResNet50V2")
ResNet101V2 = _v2((3, 4, 23, 3), "ResNet101V2")
ResNet152V2 = _v2((3, 8, 36, 3), "ResNet152V2")


def preprocess_input(x, data_format=None):
    """Scales images from [0, 255] to [-1, 1].

    Returns:
      The preprocessed batch (NumPy array, Tensor or KerasTensor, like ``x``).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Returns the top ``(class_name, class_description, score)`` tuples of each sample."""
    return imagenet_utils.decode_predictions(preds, top=top)
