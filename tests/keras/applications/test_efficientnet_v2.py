"""keras/applications/efficientnet_v2.py: a variant not in test_applications_keras3.py (parameter
count, layers, names and output shape as Keras 3.15 gives them)."""
from tapeflow import keras


def test_variant_matches_keras():
    keras.backend.clear_session()
    model = keras.applications.efficientnet_v2.EfficientNetV2B1(
        include_top=False, input_shape=(32, 32, 3), weights=None, pooling="avg")
    assert model.count_params() == 6931124
    assert len(model.layers) == 335
    assert model.name == "efficientnetv2-b1"
    assert model.layers[-1].name == "avg_pool"
    assert tuple(model.output.shape) == (None, 1280)
