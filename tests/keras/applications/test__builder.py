"""keras/applications/_builder.py: the shared top / pooling / input handling of the
architectures (behaviour as Keras 3.15 gives it)."""
import numpy as np
import pytest

from tapeflow import keras

A = keras.applications


def test_pooling_modes_and_logits_top():
    keras.backend.clear_session()
    pooled = A.MobileNet(alpha=0.25, include_top=False, pooling="max",
                         input_shape=(32, 32, 3), weights=None)
    assert tuple(pooled.output.shape) == (None, 256)
    assert pooled.layers[-1].name == "global_max_pooling2d"
    logits = A.ResNet50(input_shape=(32, 32, 3), classes=3, weights=None,
                        classifier_activation=None)
    out = logits(np.random.default_rng(0).random((2, 32, 32, 3)).astype("float32")).numpy()
    assert out.shape == (2, 3)
    assert not np.allclose(out.sum(-1), 1.0)      # not a softmax


def test_input_tensor_becomes_the_model_input():
    x = keras.Input((32, 32, 3))
    model = A.MobileNet(alpha=0.25, include_top=False, input_tensor=x, weights=None)
    assert model.inputs[0] is x
    with pytest.raises(ValueError, match="at least 32x32"):
        A.ResNet50(weights=None, input_shape=(16, 16, 3))
