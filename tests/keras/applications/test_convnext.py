"""keras/applications/convnext.py: a variant not in test_applications_keras3.py (parameter
count, layers, names and output shape as Keras 3.15 gives them)."""
from tapeflow import keras


def test_variant_matches_keras():
    keras.backend.clear_session()
    model = keras.applications.convnext.ConvNeXtTiny(
        input_shape=(32, 32, 3), classes=10, weights=None)
    assert model.count_params() == 27827818
    assert len(model.layers) == 135
    assert model.name == "convnext_tiny"
    assert model.layers[-1].name == "convnext_tiny_head_dense"
    assert tuple(model.output.shape) == (None, 10)
