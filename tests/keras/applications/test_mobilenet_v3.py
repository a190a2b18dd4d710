"""keras/applications/mobilenet_v3.py: a variant not in test_applications_keras3.py (parameter
count, layers, names and output shape as Keras 3.15 gives them)."""
from tapeflow import keras


def test_variant_matches_keras():
    keras.backend.clear_session()
    model = keras.applications.MobileNetV3Large(
        input_shape=(32, 32, 3), classes=10, weights=None)
    assert model.count_params() == 4239242
    assert len(model.layers) == 194
    assert model.name == "MobileNetV3Large"
    assert model.layers[-1].name == "predictions"
    assert tuple(model.output.shape) == (None, 10)
