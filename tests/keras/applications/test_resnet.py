"""keras/applications/resnet.py: a variant not in test_applications_keras3.py (parameter
count, layers, names and output shape as Keras 3.15 gives them)."""
from tapeflow import keras


def test_variant_matches_keras():
    keras.backend.clear_session()
    model = keras.applications.resnet.ResNet101(
        include_top=False, input_shape=(32, 32, 3), weights=None, pooling="max")
    assert model.count_params() == 42658176
    assert len(model.layers) == 346
    assert model.name == "resnet101"
    assert model.layers[-1].name == "max_pool"
    assert tuple(model.output.shape) == (None, 2048)
