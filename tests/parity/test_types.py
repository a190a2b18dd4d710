"""tf.types.experimental parity: the same isinstance answers as TensorFlow 2.21."""
import importlib.util
import os

import numpy as np
import pytest

_spec = importlib.util.spec_from_file_location(
    "types_table", os.path.join(os.path.dirname(__file__), "..", "types", "test_experimental.py"))
table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(table)


def _real_objects(tf):
    fn = tf.function(lambda x: x * 2)
    return {
        "tensor": tf.constant(1.0), "variable": tf.Variable(1.0),
        "ragged": tf.ragged.constant([[1]]), "sparse": tf.sparse.from_dense([1.0]),
        "spec": tf.TensorSpec([]), "ragged_spec": tf.RaggedTensorSpec([None, None]),
        "shape": tf.TensorShape([1]), "int": 1, "list": [1.0], "ndarray": np.ones(2),
        "function": fn, "concrete": fn.get_concrete_function(tf.TensorSpec([], tf.float32)),
    }


@pytest.mark.parametrize("name", sorted(table.EXPECTED))
def test_tensorflow_gives_the_expected_answers(name, rtf):
    assert table.answers(rtf.types.experimental, _real_objects(rtf)[name]) == \
        table.EXPECTED[name]


def test_same_public_names(rtf):
    import tapeflow as tf
    names = {n for n in dir(rtf.types.experimental) if not n.startswith("_")}
    ours = {n for n in dir(tf.types.experimental) if not n.startswith("_")}
    assert names <= ours, names - ours
