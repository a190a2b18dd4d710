"""keras/applications/densenet.py: a variant not in test_applications_keras3.py (parameter
count, layers, names and output shape as Keras 3.15 gives them)."""
from tapeflow import keras


def test_variant_matches_keras():
    keras.backend.clear_session()
    model = keras.applications.densenet.DenseNet121(
        input_shape=(32, 32, 3), classes=10, weights=None)
    assert model.count_params() == 7047754
    assert len(model.layers) == 429
    assert model.name == "densenet121"
    assert model.layers[-1].name == "predictions"
    assert tuple(model.output.shape) == (None, 10)
