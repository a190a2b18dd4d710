"""keras.ops against NumPy references (one table row per op), with float64 gradient checks for
the differentiable ones, Keras's dtype promotion, and op layers on KerasTensors."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from gradcheck import check_grads

ops = keras.ops
R = np.random.RandomState(0)
A = R.uniform(0.2, 0.8, (2, 3))
B = R.uniform(0.2, 0.8, (2, 3))
SQ = R.uniform(0, 1, (3, 3)) + 3 * np.eye(3)

# name, NumPy reference, arguments, gradient order (0: not differentiable)
TABLE = [
    ("add", np.add, (A, B), 2), ("subtract", np.subtract, (A, B), 2),
    ("multiply", np.multiply, (A, B), 2), ("divide", np.divide, (A, B), 2),
    ("power", np.power, (A, B), 1), ("maximum", np.maximum, (A, B), 1),
    ("arctan2", np.arctan2, (A, B), 1), ("hypot", np.hypot, (A, B), 1),
    ("logaddexp", np.logaddexp, (A, B), 1), ("exp", np.exp, (A,), 2),
    ("log", np.log, (A,), 2), ("log2", np.log2, (A,), 1), ("log10", np.log10, (A,), 1),
    ("exp2", np.exp2, (A,), 1), ("cbrt", np.cbrt, (A,), 1), ("sinc", np.sinc, (A,), 1),
    ("sqrt", np.sqrt, (A,), 2), ("tanh", np.tanh, (A,), 2), ("arcsin", np.arcsin, (A,), 1),
    ("deg2rad", np.deg2rad, (A,), 1), ("square", np.square, (A,), 2),
    ("sum", lambda a: np.sum(a, axis=1), (A,), 2), ("mean", np.mean, (A,), 2),
    ("var", lambda a: np.var(a, axis=0), (A,), 1), ("std", np.std, (A,), 1),
    ("prod", np.prod, (A,), 1), ("max", np.max, (A,), 1), ("cumsum", np.cumsum, (A,), 1),
    ("cumprod", lambda a: np.cumprod(a, axis=1), (A,), 1),
    ("median", np.median, (A,), 1), ("ptp", np.ptp, (A,), 1),
    ("quantile", lambda a: np.quantile(a, 0.3, axis=1), (A,), 1),
    ("matmul", np.matmul, (A, B.T), 2), ("dot", np.dot, (A, B.T), 1),
    ("tensordot", lambda a, b: np.tensordot(a, b, 2), (A, B), 1),
    ("inner", np.inner, (A, B), 1), ("outer", np.outer, (A, B), 1),
    ("kron", np.kron, (A, B), 1), ("cross", np.cross, (A, B), 1),
    ("transpose", np.transpose, (A,), 1), ("ravel", np.ravel, (A,), 1),
    ("flip", np.flip, (A,), 1), ("rot90", np.rot90, (A,), 1),
    ("roll", lambda a: np.roll(a, 2), (A,), 1), ("tril", np.tril, (SQ,), 1),
    ("triu", np.triu, (SQ,), 1), ("trace", np.trace, (SQ,), 1),
    ("diagonal", np.diagonal, (SQ,), 1), ("diag", np.diag, (SQ[0],), 1),
    ("diff", np.diff, (A,), 1), ("sort", np.sort, (A,), 1),
    ("trapezoid", np.trapezoid if hasattr(np, "trapezoid") else np.trapz, (A,), 1),
    ("corrcoef", np.corrcoef, (A,), 1),
    ("correlate", lambda a, b: np.correlate(a, b), (A[0], B[0, :2]), 1),
    ("take", lambda a: np.take(a, [2, 0], axis=1), (A,), 1),
    ("nan_to_num", np.nan_to_num, (A,), 1), ("clip", lambda a: np.clip(a, 0.3, 0.6), (A,), 0),
    ("argmax", np.argmax, (A,), 0), ("argsort", lambda a: np.argsort(a, kind="stable"), (A,), 0),
    ("isfinite", np.isfinite, (A,), 0), ("count_nonzero", np.count_nonzero, (A,), 0),
    ("greater", np.greater, (A, B), 0), ("floor", np.floor, (A * 5,), 0),
]
_EXTRA = {"take": ([2, 0],), "clip": (0.3, 0.6), "roll": (2,),
          "quantile": (0.3,), "cumprod": (), "sum": (), "var": ()}
_KW = {"take": {"axis": 1}, "cumprod": {"axis": 1}, "sum": {"axis": 1}, "var": {"axis": 0},
       "quantile": {"axis": 1}}


def _call(name, args):
    fn = getattr(ops, name)
    return fn(*args, *_EXTRA.get(name, ()), **_KW.get(name, {}))


@pytest.mark.parametrize("name,ref,args,order", TABLE, ids=[r[0] for r in TABLE])
def test_op_matches_numpy(name, ref, args, order):
    got = _call(name, [a.astype("float32") for a in args])
    want = ref(*args)
    np.testing.assert_allclose(np.asarray(ops.convert_to_numpy(got), np.float64), want,
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,ref,args,order", [r for r in TABLE if r[3]],
                         ids=[r[0] for r in TABLE if r[3]])
def test_op_gradients(name, ref, args, order):
    check_grads(lambda *xs: _call(name, xs), list(args), order=order, name=name)


@pytest.mark.parametrize("a,b,want", [
    (np.ones(2, "int32"), np.ones(2, "float32"), "float32"),
    (np.ones(2, "int32"), 1.5, "float32"), (np.ones(2, "int8"), 3, "int8"),
    (np.ones(2, "float16"), 1.5, "float16"), (np.ones(2, "int8"), np.ones(2, "uint8"), "int16"),
    (np.ones(2, "int64"), np.ones(2, "uint64"), "float32"), (1, 2, "int32"),
    (1.0, 2, "float32"), (np.ones(2, bool), 1, "int32")])
def test_add_follows_keras_promotion(a, b, want):
    assert ops.add(a, b).dtype.name == want
    assert keras.backend.result_type(np.asarray(a).dtype.name if not isinstance(a, (int, float))
                                      else type(a),
                                      np.asarray(b).dtype.name if not isinstance(b, (int, float))
                                      else type(b)) == want


def test_integer_inputs_to_float_ops_give_floatx():
    x = np.arange(1, 4, dtype="int32")
    assert ops.sqrt(x).dtype.name == "float32"
    assert ops.mean(x).dtype.name == "float32"
    assert ops.divide(x, x).dtype.name == "float32"
    assert ops.sum(np.ones(3, bool)).dtype.name == "int32"


def test_ops_on_keras_tensors_build_a_model_that_saves(tmp_path):
    inp = keras.Input((3,))
    out = ops.mean(ops.exp(inp) * 2.0, axis=-1, keepdims=True)
    assert out.shape == (None, 1)
    model = keras.Model(inp, out)
    x = A.astype("float32")
    np.testing.assert_allclose(model(x).numpy(), np.mean(np.exp(x) * 2, -1, keepdims=True),
                               rtol=1e-6)
    path = str(tmp_path / "m.keras")
    model.save(path)
    np.testing.assert_allclose(keras.models.load_model(path)(x).numpy(), model(x).numpy())
    assert [l.__class__.__name__ for l in model.layers][1:] == ["Exp", "Multiply", "Mean"]


def test_symbolic_shapes_follow_the_batch_axis():
    inp = keras.Input((4, 6))
    assert ops.reshape(inp, (-1, 3, 8)).shape == (None, 3, 8)
    assert ops.transpose(inp, (0, 2, 1)).shape == (None, 6, 4)
    assert ops.concatenate([inp, inp], axis=-1).shape == (None, 4, 12)
    assert ops.argmax(inp, axis=-1).dtype == "int32"
    assert ops.matmul(inp, np.ones((6, 2), "float32")).shape == (None, 4, 2)


def test_keras_ops_cost_no_more_than_the_tf_op():
    import timeit
    x = tf.constant(np.ones(4, "float32"))
    ours = theirs = float("inf")
    for _ in range(15):  # interleaved, best of 15: the machine may be shared
        ours = min(ours, timeit.timeit(lambda: ops.add(x, x), number=2000))
        theirs = min(theirs, timeit.timeit(lambda: tf.add(x, x), number=2000))
    assert ours < theirs * 1.5, (ours, theirs)


def test_keras_tensor_operators_follow_keras_promotion(tmp_path):
    ints = keras.Input((3,), dtype="int32")
    assert (ints / 255).dtype == "float32" and (ints + 1.5).dtype == "float32"
    assert (ints * 2).dtype == "int32"
    halves = keras.Input((3,), dtype="float16")
    assert (halves + 1.5).dtype == "float16"
    model = keras.Model(ints, ints / 255)
    np.testing.assert_allclose(model(np.array([[255, 0, 51]])).numpy(), [[1.0, 0.0, 0.2]])
    path = str(tmp_path / "scale.keras")
    model.save(path)
    back = keras.models.load_model(path)
    out = back(np.array([[255, 0, 51]]))
    assert out.dtype.name == "float32"
    np.testing.assert_allclose(out.numpy(), [[1.0, 0.0, 0.2]])


def test_ops_take_variables_and_differentiate_through_them():
    v = keras.Variable(np.ones((2, 3), "float32"))
    w = tf.Variable(np.full((2, 3), 2.0, "float32"))
    with tf.GradientTape() as tape:
        y = ops.sum(ops.matmul(v, ops.transpose(w))) + ops.sum(ops.exp(v))
    gv, gw = tape.gradient(y, [v, w])
    np.testing.assert_allclose(gv.numpy(), 4.0 + np.e, rtol=1e-6)   # column sums of w, + e
    np.testing.assert_allclose(gw.numpy(), 2.0)
    assert ops.concatenate([v, w]).shape == (4, 3)
