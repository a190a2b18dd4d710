"""keras/applications/inception_resnet_v2.py: a variant not in test_applications_keras3.py
(parameter count, layers, names and output shape as Keras 3.15 gives them)."""
from tapeflow import keras


def test_variant_matches_keras():
    keras.backend.clear_session()
    model = keras.applications.inception_resnet_v2.InceptionResNetV2(
        include_top=False, input_shape=(75, 75, 3), weights=None)
    assert model.count_params() == 54336736
    assert len(model.layers) == 780
    assert model.name == "inception_resnet_v2"
    assert model.layers[-1].name == "conv_7b_ac"
    assert tuple(model.output.shape) == (None, 1, 1, 1536)
