"""tf.saved_model.save/load: TensorFlow's layout, variables restored without the Python class,
traced functions callable after loading; a function never traced is a stub that refuses to run
(the computation tests are in test_saved_model_functions.py)."""
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.tracking import tensor_bundle as tb


class _M(tf.Module):
    def __init__(self):
        super().__init__()
        self.v = tf.Variable([1.0, 2.0])
        self.sub = tf.Module()
        self.sub.w = tf.Variable(3.0, trainable=False, name="w")
        self.l = [tf.Variable(1)]
        self.alias = self.sub

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def __call__(self, x):
        return x * self.v

    @tf.function
    def plain(self, x):
        return x


def _tree(d):
    return sorted((os.path.relpath(r, d), sorted(ds), sorted(fs)) for r, ds, fs in os.walk(d))


def test_layout_and_variable_keys(tmp_path):
    d = str(tmp_path / "m")
    tf.saved_model.save(_M(), d)
    assert _tree(d) == [(".", ["assets", "variables"], ["saved_model.pb"]),  # no fingerprint
                        ("assets", [], []),
                        ("variables", [], ["variables.data-00000-of-00001",
                                           "variables.index"])]
    assert [k for k, _ in tf.train.list_variables(os.path.join(d, "variables", "variables"))] \
        == ["_CHECKPOINTABLE_OBJECT_GRAPH", "l/0/.ATTRIBUTES/VARIABLE_VALUE",
            "sub/w/.ATTRIBUTES/VARIABLE_VALUE", "v/.ATTRIBUTES/VARIABLE_VALUE"]


def test_load_rebuilds_objects_and_variables(tmp_path):
    d = str(tmp_path / "m")
    tf.saved_model.save(_M(), d)
    loaded = tf.saved_model.load(d)
    np.testing.assert_array_equal(loaded.v.numpy(), [1.0, 2.0])
    assert isinstance(loaded.v, tf.Variable) and loaded.v.dtype == tf.float32
    assert loaded.sub.w.name == "w:0" and not loaded.sub.w.trainable
    assert loaded.l[0].dtype == tf.int32 and loaded.alias is loaded.sub
    assert list(loaded.signatures) == ["serving_default"]
    assert loaded.__call__.input_signature == [tf.TensorSpec([None, 2], tf.float32)]
    np.testing.assert_array_equal(loaded(tf.constant([[1.0, 1.0]])).numpy(), [[1.0, 2.0]])
    out = loaded.signatures["serving_default"](tf.constant([[1.0, 1.0]]))
    np.testing.assert_array_equal(out["output_0"].numpy(), [[1.0, 2.0]])
    with pytest.raises(NotImplementedError, match="holds no graph"):
        loaded.plain(1.0)          # never traced: no concrete function was saved


def test_variables_restore_into_the_python_class(tmp_path):
    d = str(tmp_path / "m")
    m = _M()
    m.v.assign([5.0, 6.0])
    tf.saved_model.save(m, d)
    fresh = _M()
    tf.train.Checkpoint(root=fresh).read(os.path.join(d, "variables", "variables")) \
        .assert_consumed()
    np.testing.assert_array_equal(fresh(tf.constant([[1.0, 1.0]])).numpy(), [[5.0, 6.0]])


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="Expected an object of type `Trackable`"):
        tf.saved_model.save(3, str(tmp_path / "x"))
    with pytest.raises(OSError, match="SavedModel file does not exist at"):
        tf.saved_model.load(str(tmp_path / "none"))


def _object_graph(children=(), variable=None):
    """A saved_model.pb whose root has ``children`` [(node id, name)] and, if given, one
    variable node (``variable`` = SavedVariable bytes)."""
    from tapeflow.tracking import saved_model_tf as smt
    F = tb._field
    nodes = [smt._user_object("_generic_user_object", list(children))]
    if variable is not None:  # node 2: the checkpoint's node 2 is a module, not a variable
        nodes += [smt._user_object("_generic_user_object", []), F(7, variable)]
    graph = b"".join(F(1, n) for n in nodes)
    return F(1, 1) + F(2, F(1, F(4, b"serve")) + F(7, graph))


@pytest.mark.parametrize("raw, why", [
    (_object_graph([(10 ** 9, "x")]), "missing node"),
    (_object_graph([(2, "v")], tb._field(1, 1)), "has no saved value"),
    (tb._field(1, 1), "no meta graph"),
    (tb._field(1, 1) + tb._field(2, tb._field(1, b"")), "no object graph"),
    (b"\x0a\xff\xff\xff\xff\x0f", "truncated"),
])
def test_hostile_saved_model_pb_is_refused(tmp_path, raw, why):
    d = str(tmp_path / "m")
    tf.saved_model.save(_M(), d)
    with open(os.path.join(d, "saved_model.pb"), "wb") as f:
        f.write(raw)
    with pytest.raises(tf.errors.DataLossError, match=why):
        tf.saved_model.load(d)


def test_malformed_protobuf_is_refused(tmp_path):
    d = str(tmp_path / "m")
    tf.saved_model.save(_M(), d)
    for raw in [b"\x08\x01\x12\x9a\x02protobuf bytes", b"\x08\x01",
                b"\x12\x03\x3a\x01\x0a"]:
        with open(os.path.join(d, "saved_model.pb"), "wb") as f:
            f.write(raw)
        with pytest.raises(tf.errors.DataLossError, match="saved_model.pb"):
            tf.saved_model.load(d)


TF_SAVED = os.path.join(os.path.dirname(__file__), "data", "tf2_21_saved_model")


def test_loads_objects_and_variables_of_a_tensorflow_saved_model():
    # Written by TensorFlow 2.21: tf.saved_model.save(M(), ...) where M holds v = [1., 2.],
    # sub.w = 3 (int32, not trainable, named "w"), l = [1.5], d = {"k": [[1, 2]] int64} and
    # a tf.function __call__ with input signature [None, 2] float32.
    loaded = tf.saved_model.load(TF_SAVED)
    np.testing.assert_array_equal(loaded.v.numpy(), [1.0, 2.0])
    assert loaded.sub.w.name == "w:0" and not loaded.sub.w.trainable
    assert loaded.sub.w.dtype == tf.int32 and int(loaded.sub.w.numpy()) == 3
    assert float(loaded.l[0].numpy()) == 1.5
    assert loaded.d["k"].dtype == tf.int64 and loaded.d["k"].numpy().tolist() == [[1, 2]]
    assert sorted(loaded.signatures) == ["serving_default"]
    # its graph (ReadVariableOp, Mul, Identity) runs through tapeflow's allow-listed ops
    np.testing.assert_array_equal(loaded(tf.constant([[1.0, 3.0]])).numpy(), [[1.0, 6.0]])
    out = loaded.signatures["serving_default"](tf.constant([[1.0, 3.0]]))
    np.testing.assert_array_equal(out["output_0"].numpy(), [[1.0, 6.0]])
