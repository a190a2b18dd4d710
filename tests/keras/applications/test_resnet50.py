"""keras/applications/resnet50.py: a variant not in test_applications_keras3.py (parameter
count, layers, names and output shape as Keras 3.15 gives them)."""
from tapeflow import keras


def test_variant_matches_keras():
    keras.backend.clear_session()
    model = keras.applications.resnet50.ResNet50(
        input_shape=(32, 32, 3), classes=10, weights=None)
    assert model.count_params() == 23608202
    assert len(model.layers) == 177
    assert model.name == "resnet50"
    assert model.layers[-1].name == "predictions"
    assert tuple(model.output.shape) == (None, 10)
