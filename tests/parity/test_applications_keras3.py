"""The Keras 3 ImageNet architectures against Keras 3.15 (weights=None): every layer's name,
class and parameter count, weight paths, model name and output shape; one model's forward
pass with Keras's weights copied in. Small inputs keep the builds quick."""
import numpy as np
import pytest

from tapeflow import keras

CASES = {
    "resnet50": ("ResNet50", {}),
    "resnet101v2_notop": ("ResNet101V2", {"include_top": False, "pooling": "max",
                                          "input_shape": (64, 64, 3)}),
    "mobilenet": ("MobileNet", {"alpha": 0.5, "input_shape": (160, 160, 3)}),
    "mobilenet_v2": ("MobileNetV2", {"alpha": 1.4, "input_shape": (97, 97, 3),
                                     "include_top": False}),
    "mobilenet_v3_small": ("MobileNetV3Small", {"input_shape": (64, 64, 3)}),
    "mobilenet_v3_large_min": ("MobileNetV3Large", {"minimalistic": True, "alpha": 0.75,
                                                    "include_top": False, "pooling": "avg"}),
    "efficientnet_b0": ("EfficientNetB0", {}),
    "efficientnet_b3_notop": ("EfficientNetB3", {"include_top": False, "pooling": "max",
                                                 "input_shape": (64, 64, 3)}),
    "efficientnet_v2_b0": ("EfficientNetV2B0", {}),
    "efficientnet_v2_s_notop": ("EfficientNetV2S", {"include_top": False,
                                                   "input_shape": (64, 64, 3)}),
    "densenet121": ("DenseNet121", {"input_shape": (64, 64, 3), "include_top": False}),
    "nasnet_mobile": ("NASNetMobile", {}),
    "inception_resnet_v2": ("InceptionResNetV2", {"include_top": False,
                                                  "input_shape": (75, 75, 3)}),
    "convnext_tiny": ("ConvNeXtTiny", {"input_shape": (64, 64, 3), "include_top": False,
                                       "pooling": "avg"}),
}


def _describe(model):
    return [(layer.name, type(layer).__name__, layer.count_params())
            for layer in model.layers]


@pytest.mark.parametrize("case", sorted(CASES))
def test_architecture_matches_keras(rkeras, case):
    fn, kwargs = CASES[case]
    rkeras.backend.clear_session()
    keras.backend.clear_session()
    real = getattr(rkeras.applications, fn)(weights=None, **kwargs)
    mine = getattr(keras.applications, fn)(weights=None, **kwargs)
    assert _describe(mine) == _describe(real)
    assert mine.count_params() == real.count_params()
    assert [w.path for w in mine.weights] == [w.path for w in real.weights]
    assert mine.name == real.name
    assert tuple(mine.output.shape) == tuple(real.output.shape)


def test_forward_pass_with_copied_weights_matches_keras(rkeras):
    kwargs = {"input_shape": (32, 32, 3), "weights": None, "classes": 7}
    real = rkeras.applications.MobileNetV3Small(**kwargs)
    mine = keras.applications.MobileNetV3Small(**kwargs)
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.2, w.shape).astype("float32") for w in real.get_weights()]
    weights = [np.abs(w) + 0.5 if "variance" in p.path else w
               for w, p in zip(weights, real.weights)]
    real.set_weights(weights)
    mine.set_weights(weights)
    x = rng.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(mine(x).numpy(), np.asarray(real(x)), rtol=1e-4, atol=1e-6)
