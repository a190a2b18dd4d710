"""Hostile SavedModel graphs: unknown ops, cycles, dangling inputs, self-calls and oversized
constants are refused before any node runs; nothing a file names is imported or called."""
import os
import shutil

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.tracking import sm_load, sm_ops
from tapeflow.tracking import sm_proto as P

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "saved_models")


def _fdef(name, nodes, ret, inputs=(("x", 1),), outputs=("y",)):
    sig = P.F(1, name.encode())
    sig += b"".join(P.F(2, P.F(1, a.encode()) + P.F(3, t)) for a, t in inputs)
    sig += b"".join(P.F(3, P.F(1, a.encode()) + P.F(3, 1)) for a in outputs)
    return P.F(1, sig) + b"".join(P.F(3, n) for n in nodes) + \
        b"".join(P.entry(4, k, v.encode()) for k, v in ret.items())


def _ident(name, src):
    return sm_ops.node_def(name, "Identity", [src], {"T": P.attr_type(np.float32)})


def test_an_op_outside_the_allow_list_is_refused_before_anything_runs(tmp_path):
    d = str(tmp_path / "m")
    shutil.copytree(os.path.join(FIXTURES, "tf_module"), d)
    path = os.path.join(d, "saved_model.pb")
    with open(path, "rb") as f:
        raw = f.read()
    with open(path, "wb") as f:    # same length: every "Relu" (op and node names) -> "Evil"
        f.write(raw.replace(b"Relu", b"Evil"))
    loaded = tf.saved_model.load(d)
    before = loaded.w.numpy().copy()
    with pytest.raises(tf.errors.NotFoundError, match="Op type not registered 'Evil'"):
        loaded(np.ones((1, 3), "float32"))
    np.testing.assert_array_equal(loaded.w.numpy(), before)
    # the other function does not use it and still runs
    assert float(loaded.scale(tf.constant([1.0, 2.0]))["total"].numpy()) == 3.0


@pytest.mark.parametrize("nodes,ret,why", [
    ([_ident("a", "b:output:0"), _ident("b", "a:output:0")], {"y": "a:output:0"}, "cycle"),
    ([_ident("a", "missing:output:0")], {"y": "a:output:0"}, "does not exist"),
    ([_ident("a", "x"), _ident("a", "x")], {"y": "a:output:0"}, "duplicate"),
    ([_ident("a", "x")], {}, "has no value"),
    ([sm_ops.node_def("c", "StatefulPartitionedCall", ["x"], {"f": P.attr_func("f")})],
     {"y": "c:output:0"}, "calls itself"),
    ([sm_ops.node_def("c", "PyFunc", ["x"], {})], {"y": "c:output:0"}, "not registered"),
])
def test_malformed_functions_are_refused(nodes, ret, why):
    lib = sm_load.Library({"f": _fdef("f", nodes, ret)})
    assert why in lib.check("f")
    with pytest.raises(tf.errors.NotFoundError, match=why):
        lib.run("f", [tf.constant(1.0)])


def test_oversized_constants_are_refused_before_allocating():
    huge = P.F(1, 1) + P.F(2, P.shape_proto([1 << 30, 1 << 10])) + P.F(5, b"\0\0\0\0")
    const = sm_ops.node_def("c", "Const", [], {"value": P.F(8, huge),
                                               "dtype": P.attr_type(np.float32)})
    lib = sm_load.Library({"f": _fdef("f", [const], {"y": "c:output:0"}, inputs=())})
    with pytest.raises(tf.errors.DataLossError, match="elements"):
        lib.run("f", [])
    short = P.F(1, 1) + P.F(2, P.shape_proto([4])) + P.F(4, b"\0" * 12)
    const = sm_ops.node_def("c", "Const", [], {"value": P.F(8, short),
                                               "dtype": P.attr_type(np.float32)})
    lib = sm_load.Library({"f": _fdef("f", [const], {"y": "c:output:0"}, inputs=())})
    with pytest.raises(tf.errors.DataLossError, match="do not match"):
        lib.run("f", [])


def test_variable_ops_need_a_restored_variable():
    read = sm_ops.node_def("r", "ReadVariableOp", ["x"], {"dtype": P.attr_type(np.float32)})
    lib = sm_load.Library({"f": _fdef("f", [read], {"y": "r:value:0"})})
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a restored variable"):
        lib.run("f", [tf.constant(1.0)])


def test_a_well_formed_function_runs():
    nodes = [_ident("a", "x"), sm_ops.node_def("b", "AddV2", ["a:output:0", "x"],
                                               {"T": P.attr_type(np.float32)})]
    lib = sm_load.Library({"f": _fdef("f", nodes, {"y": "b:z:0"})})
    assert float(lib.run("f", [tf.constant(2.0)])[0].numpy()) == 4.0
