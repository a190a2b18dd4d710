"""tf.experimental is a namespace: ``numpy`` loads on first use; names tapeflow lacks raise
AttributeError (so ``hasattr`` and feature checks work), not ModuleNotFoundError."""
import pytest

import tapeflow as tf


def test_numpy_is_there_and_missing_names_raise_attribute_error():
    assert tf.experimental.__name__ == "tapeflow.experimental"
    assert tf.experimental.numpy.__name__ == "tapeflow.experimental.numpy"
    assert not hasattr(tf.experimental, "dtensor")
    with pytest.raises(AttributeError, match="dtensor"):
        tf.experimental.dtensor
