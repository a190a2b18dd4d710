"""tf.experimental exists as a namespace; names tapeflow lacks raise AttributeError (so
``hasattr`` and feature checks work), not ModuleNotFoundError."""
import pytest

import tapeflow as tf


def test_missing_experimental_names_raise_attribute_error():
    assert tf.experimental.__name__ == "tapeflow.experimental"
    assert not hasattr(tf.experimental, "numpy")
    with pytest.raises(AttributeError):
        tf.experimental.dtensor
