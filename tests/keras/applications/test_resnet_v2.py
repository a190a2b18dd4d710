"""keras/applications/resnet_v2.py: a variant not in test_applications_keras3.py (parameter
count, layers, names and output shape as Keras 3.15 gives them)."""
from tapeflow import keras


def test_variant_matches_keras():
    keras.backend.clear_session()
    model = keras.applications.resnet_v2.ResNet101V2(
        include_top=False, input_shape=(32, 32, 3), weights=None)
    assert model.count_params() == 42626560
    assert len(model.layers) == 377
    assert model.name == "resnet101v2"
    assert model.layers[-1].name == "post_relu"
    assert tuple(model.output.shape) == (None, 1, 1, 2048)
