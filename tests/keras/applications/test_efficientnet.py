"""keras/applications/efficientnet.py: a variant not in test_applications_keras3.py (parameter
count, layers, names and output shape as Keras 3.15 gives them)."""
from tapeflow import keras


def test_variant_matches_keras():
    keras.backend.clear_session()
    model = keras.applications.efficientnet.EfficientNetB1(
        include_top=False, input_shape=(32, 32, 3), weights=None)
    assert model.count_params() == 6575239
    assert len(model.layers) == 339
    assert model.name == "efficientnetb1"
    assert model.layers[-1].name == "top_activation"
    assert tuple(model.output.shape) == (None, 1, 1, 1280)
