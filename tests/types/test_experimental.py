"""tf.types.experimental: isinstance checks answer as TensorFlow's do for tapeflow objects."""
import inspect

import numpy as np
import pytest

import tapeflow as tf

te = tf.types.experimental


def _objects():
    fn = tf.function(lambda x: x * 2)
    return {
        "tensor": tf.constant(1.0), "variable": tf.Variable(1.0),
        "ragged": tf.ragged.constant([[1]]), "sparse": tf.sparse.from_dense([1.0]),
        "spec": tf.TensorSpec([]), "ragged_spec": tf.RaggedTensorSpec([None, None]),
        "shape": tf.TensorShape([1]), "int": 1, "list": [1.0], "ndarray": np.ones(2),
        "function": fn, "concrete": fn.get_concrete_function(tf.TensorSpec([], tf.float32)),
    }


# name -> (TraceType, SupportsTracingProtocol, TensorLike, PolymorphicFunction,
#          ConcreteFunction), as TensorFlow 2.21 answers (tests/parity/test_types.py)
EXPECTED = {
    "tensor": (False, True, True, False, False),
    "variable": (False, True, True, False, False),
    "ragged": (False, True, False, False, False),
    "sparse": (False, True, False, False, False),
    "spec": (True, True, False, False, False),
    "ragged_spec": (True, True, False, False, False),
    "shape": (True, False, False, False, False),
    "int": (False, False, True, False, False),
    "list": (False, False, True, False, False),
    "ndarray": (False, False, True, False, False),
    "function": (False, True, False, True, False),
    "concrete": (False, False, False, False, True),
}


def answers(types, obj):
    return tuple(isinstance(obj, t) for t in (
        types.TraceType, types.SupportsTracingProtocol, types.TensorLike,
        types.PolymorphicFunction, types.ConcreteFunction))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_isinstance_table(name):
    assert answers(te, _objects()[name]) == EXPECTED[name]


def test_aliases_protocols_and_abstract_trace_type():
    assert te.GenericFunction is te.PolymorphicFunction
    assert issubclass(te.ConcreteFunction, te.Callable)
    assert issubclass(te.FunctionType, inspect.Signature)
    assert issubclass(te.distributed.Mirrored, te.distributed.PerReplica)

    class Traced:
        def __tf_tracing_type__(self, context):
            return None

    class Convertible:
        def __tf_tensor__(self, dtype=None, name=None):
            return tf.constant(1.0)

    assert isinstance(Traced(), te.SupportsTracingProtocol)
    assert isinstance(Convertible(), te.TensorLike)
    assert not isinstance(object(), te.TensorLike)
    with pytest.raises(TypeError):
        te.TraceType()
