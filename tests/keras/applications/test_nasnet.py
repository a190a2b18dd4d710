"""keras/applications/nasnet.py: a variant not in test_applications_keras3.py (parameter
count, layers, names and output shape as Keras 3.15 gives them)."""
from tapeflow import keras


def test_variant_matches_keras():
    keras.backend.clear_session()
    model = keras.applications.nasnet.NASNetMobile(
        include_top=False, input_shape=(32, 32, 3), weights=None)
    assert model.count_params() == 4269716
    assert len(model.layers) == 769
    assert model.name == "nasnet_mobile"
    # the last layer's name is numbered automatically (session-dependent)
    assert tuple(model.output.shape) == (None, 1, 1, 1056)
