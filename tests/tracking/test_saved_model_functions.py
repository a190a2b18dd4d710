"""SavedModel computations: traced tf.functions written as TensorFlow FunctionDefs and run
again after loading, without the Python class (tapeflow's files and TensorFlow's)."""
import logging
import os

import numpy as np
import pytest

import tapeflow as tf
from tests.gradcheck import check_grads

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "saved_models")


class _Net(tf.Module):
    """Uses most ops of the allow-list, with variables."""

    def __init__(self, dtype=tf.float32):
        super().__init__()
        rng = np.random.default_rng(0)
        self.w = tf.Variable(rng.normal(size=(3, 4)).astype(dtype.as_numpy_dtype))
        self.b = tf.Variable(rng.normal(size=(4,)).astype(dtype.as_numpy_dtype))
        self.steps = tf.Variable(0)

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def __call__(self, x):
        h = tf.nn.relu(tf.matmul(x, self.w) + self.b)
        return tf.nn.softmax(h)

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def many(self, x):
        t = tf.transpose(x)
        y = tf.concat([x, tf.sigmoid(x) * 2.0, tf.tanh(x) / 3.0], axis=1)
        return {"sum": tf.reduce_sum(y, axis=1), "mean": tf.reduce_mean(x),
                "max": tf.reduce_max(tf.exp(x), axis=0, keepdims=True),
                "slice": x[:, 1:], "row": t[0], "cast": tf.cast(x, tf.int32),
                "reshaped": tf.reshape(tf.square(x), [-1]),
                "stack": tf.stack([tf.abs(x), -x]), "bias": tf.nn.bias_add(x, [1.0, 2.0, 3.0]),
                "leaky": tf.nn.leaky_relu(x, 0.3), "logsm": tf.nn.log_softmax(x)}

    @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
    def bump(self, n):
        self.steps.assign_add(n)
        return self.steps.read_value()


def _x(n=5):
    return np.random.default_rng(1).normal(size=(n, 3)).astype("float32")


def test_round_trip_values_signatures_and_dict_outputs(tmp_path):
    m = _Net()
    d = str(tmp_path / "m")
    tf.saved_model.save(m, d)
    loaded = tf.saved_model.load(d)
    x = _x()
    np.testing.assert_array_equal(loaded(x).numpy(), m(x).numpy())
    np.testing.assert_array_equal(loaded(_x(2)).numpy(), m(_x(2)).numpy())   # other batch
    ours, theirs = m.many(x), loaded.many(tf.constant(x))
    assert sorted(theirs) == sorted(ours)
    for k in ours:
        assert theirs[k].dtype == ours[k].dtype and theirs[k].shape == ours[k].shape, k
        np.testing.assert_allclose(theirs[k].numpy(), ours[k].numpy(), rtol=1e-6, err_msg=k)
    sig = loaded.signatures["serving_default"]
    out = sig(x=tf.constant(x))
    assert list(out) == ["output_0"]
    np.testing.assert_array_equal(out["output_0"].numpy(), m(x).numpy())
    np.testing.assert_array_equal(sig(tf.constant(x))["output_0"].numpy(), m(x).numpy())


def test_variable_writes_run_in_the_loaded_function(tmp_path):
    d = str(tmp_path / "m")
    tf.saved_model.save(_Net(), d)
    loaded = tf.saved_model.load(d)
    assert int(loaded.bump(tf.constant(2)).numpy()) == 2
    assert int(loaded.bump(tf.constant(3)).numpy()) == 5
    assert int(loaded.steps.numpy()) == 5


def test_arguments_are_checked_against_the_saved_signature(tmp_path):
    d = str(tmp_path / "m")
    tf.saved_model.save(_Net(), d)
    loaded = tf.saved_model.load(d)
    with pytest.raises(TypeError, match="does not match the saved TensorSpec"):
        loaded(np.ones((2, 4), "float32"))
    with pytest.raises(TypeError, match="does not match the saved TensorSpec"):
        loaded(np.ones((2, 3), "float64"))
    with pytest.raises(TypeError):
        loaded.signatures["serving_default"](y=np.ones((2, 3), "float32"))


def test_gradients_flow_through_a_loaded_function(tmp_path):
    m = _Net(tf.float64)

    class M64(tf.Module):
        def __init__(self):
            super().__init__()
            self.w, self.b = m.w, m.b

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float64)])
        def __call__(self, x):
            return tf.tanh(tf.matmul(x, self.w) + self.b) * tf.sigmoid(x[:, :1])
    d = str(tmp_path / "m")
    tf.saved_model.save(M64(), d)
    loaded = tf.saved_model.load(d)
    x = np.random.default_rng(2).normal(size=(2, 3))
    check_grads(lambda t: loaded(t), [x], order=2)     # inputs: first and second order
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(loaded(tf.constant(x)))
    gw, gb = tape.gradient(y, [loaded.w, loaded.b])
    with tf.GradientTape() as tape:
        y2 = tf.reduce_sum(M64()(tf.constant(x)))
    ew, eb = tape.gradient(y2, [m.w, m.b])
    np.testing.assert_allclose(gw.numpy(), ew.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gb.numpy(), eb.numpy(), rtol=1e-12)


def test_unwritable_graphs_are_saved_without_them_with_a_warning(tmp_path, caplog):
    class P(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def __call__(self, x):
            return tf.py_function(lambda a: a * 2, [x], tf.float32)

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def expand(self, x):
            return x * float(x.shape[0])         # the batch size baked in as a constant
    d = str(tmp_path / "p")
    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        tf.saved_model.save(P(), d)
    text = caplog.text
    assert "tf.function __call__ is saved without its graph" in text
    assert "depends on the concrete size of an unknown dimension" in text
    loaded = tf.saved_model.load(d)
    with pytest.raises(NotImplementedError, match="holds no graph"):
        loaded(np.ones(2, "float32"))
    with pytest.raises(NotImplementedError, match="holds no graph"):
        loaded.expand(np.ones((2, 3), "float32"))


def test_reshapes_to_the_batch_size_are_written_with_minus_one(tmp_path):
    class R(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def __call__(self, x):
            return tf.reshape(x, [x.shape[0], 1, 3])   # a batch size baked in by Python
    d = str(tmp_path / "r")
    tf.saved_model.save(R(), d)
    loaded = tf.saved_model.load(d)
    for n in (1, 4):
        assert loaded(np.ones((n, 3), "float32")).shape == (n, 1, 3)


def test_functions_traced_without_a_signature_are_saved_per_trace(tmp_path):
    class T(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(2.0)

        @tf.function
        def f(self, x, scale=True):
            return x * self.v if scale else x + self.v
    t = T()
    t.f(tf.constant([1.0, 2.0]))
    t.f(tf.constant([[1.0]]), scale=False)
    d = str(tmp_path / "t")
    tf.saved_model.save(t, d)
    loaded = tf.saved_model.load(d)
    np.testing.assert_array_equal(loaded.f(tf.constant([3.0, 4.0])).numpy(), [6.0, 8.0])
    np.testing.assert_array_equal(loaded.f(tf.constant([[1.0]]), scale=False).numpy(), [[3.0]])
    with pytest.raises(TypeError):
        loaded.f(tf.constant([1.0, 2.0]), scale=False)      # never traced that way


def test_loads_and_runs_tensorflow_written_fixtures():
    loaded = tf.saved_model.load(os.path.join(FIXTURES, "tf_module"))
    x = np.load(os.path.join(FIXTURES, "tf_module_x.npy"))
    y = np.load(os.path.join(FIXTURES, "tf_module_y.npy"))
    np.testing.assert_allclose(loaded(x).numpy(), y, rtol=1e-6)
    out = loaded.signatures["serving_default"](x=x)
    np.testing.assert_allclose(out["output_0"].numpy(), y, rtol=1e-6)
    s = loaded.scale(tf.constant([1.0, 2.0]))
    assert sorted(s) == ["doubled", "total"] and float(s["total"].numpy()) == 3.0
    with tf.GradientTape() as tape:
        z = tf.reduce_sum(loaded(x))
    gw = tape.gradient(z, loaded.w)
    mask = (y > 0).astype("float32")
    np.testing.assert_allclose(gw.numpy(), x.T @ mask, rtol=1e-5)

    keras_dir = os.path.join(FIXTURES, "keras_dense")
    exported = tf.saved_model.load(keras_dir)
    x = np.load(os.path.join(FIXTURES, "keras_dense_x.npy"))
    y = np.load(os.path.join(FIXTURES, "keras_dense_y.npy"))
    np.testing.assert_allclose(exported.serve(x).numpy(), y, rtol=1e-5, atol=1e-7)
    out = exported.signatures["serving_default"](keras_tensor=x)
    np.testing.assert_allclose(out["output_0"].numpy(), y, rtol=1e-5, atol=1e-7)


def test_saving_a_keras_model_gives_serving_default(tmp_path):
    from tapeflow import keras
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    d = str(tmp_path / "k")
    tf.saved_model.save(model, d)
    loaded = tf.saved_model.load(d)
    assert list(loaded.signatures) == ["serving_default"]
    x = _x()
    out = loaded.signatures["serving_default"](inputs=x)
    np.testing.assert_allclose(out["output_0"].numpy(), model(x).numpy(), rtol=1e-6)


def test_bound_inputs_must_be_variables():
    from tapeflow.tracking import saved_model, sm_load, tensor_bundle
    fn = saved_model.RestoredFunction("f", None, [sm_load.ConcreteSpec("f", [0], None, None)])
    with pytest.raises(tensor_bundle._Bad, match="not a variable"):
        fn._bind_variables([object()])


def test_meta_graph_has_signature_defs_and_a_saver_for_tensorflow_1_loaders(tmp_path):
    from tapeflow.tracking import sm_proto as P
    from tapeflow.tracking import tensor_bundle as tb
    d = str(tmp_path / "m")
    tf.saved_model.save(_Net(), d)
    with open(os.path.join(d, "saved_model.pb"), "rb") as f:
        meta = tb._parse(P._one(tb._parse(f.read()), 2))
    sigs = {k.decode(): tb._parse(v) for k, v in P._map(meta, 5).items()}
    assert list(sigs) == ["serving_default"]
    inputs = {k.decode(): tb._parse(v) for k, v in P._map(sigs["serving_default"], 1).items()}
    assert P._one(inputs["x"], 1) == b"serving_default_x:0"
    assert P._one(sigs["serving_default"], 3) == b"tensorflow/serving/predict"
    saver = tb._parse(P._one(meta, 3))
    assert P._one(saver, 1) == b"saver_filename:0" and P._one(saver, 7) == 2
    graph = tb._parse(P._one(meta, 2))
    ops = [P.NodeDef(v).op for n, v in graph if n == 1]
    assert ops.count("VarHandleOp") == 3 and "Placeholder" in ops
    library = P.function_library(meta)
    restore = P.FunctionDef(library[[n for n in library if "traced_restore" in n][0]])
    assert [n.op for n in restore.nodes].count("AssignVariableOp") == 3


def test_runs_tensorflow_exports_with_captured_constants():
    # Rescaling -> Normalization(mean, variance) -> Dense(gelu) -> Dense, exported by Keras 3:
    # the normalization's constants are SavedConstants (top-level Const nodes bound to the
    # function), gelu is Erfc inside an IdentityN custom gradient, layers are PartitionedCalls.
    loaded = tf.saved_model.load(os.path.join(FIXTURES, "keras_norm"))
    x = np.load(os.path.join(FIXTURES, "tf_module_x.npy"))
    y = np.load(os.path.join(FIXTURES, "keras_norm_y.npy"))
    np.testing.assert_allclose(loaded.serve(x).numpy(), y, rtol=1e-5, atol=1e-6)
    assert not any(k.startswith("Const") for k in vars(loaded))


def test_a_function_failing_for_another_batch_size_is_saved_without_its_graph(tmp_path, caplog):
    class F(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def __call__(self, x):
            if x.shape[0] != 2:                 # Python code that only works for size 2
                raise ValueError("size 2 only")
            return x + 1.0
    d = str(tmp_path / "f")
    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        tf.saved_model.save(F(), d)            # the save itself succeeds
    assert "ValueError: size 2 only" in caplog.text
    with pytest.raises(NotImplementedError):
        tf.saved_model.load(d)(np.ones(2, "float32"))


def test_attention_is_exported_as_tensorflow_ops_and_runs_when_loaded(tmp_path, caplog):
    # tapeflow runs attention as one fused op; a SavedModel must hold TensorFlow's ops, so
    # the export's trace records the composite (and the loaded model gives the same values).
    from tapeflow import keras
    inputs = keras.Input((5, 8))
    outputs = keras.layers.MultiHeadAttention(2, 4, name="mha")(inputs, inputs)
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(0).normal(size=(3, 5, 8)).astype("float32")
    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        model.export(str(tmp_path / "exp"), verbose=False)
    assert not [r for r in caplog.records if "without its graph" in r.getMessage()]
    loaded = tf.saved_model.load(str(tmp_path / "exp"))
    np.testing.assert_allclose(loaded.serve(x).numpy(), model(x).numpy(), rtol=1e-5,
                               atol=1e-6)


def test_composite_attention_scope_gives_the_fused_values():
    from tapeflow.ops import attention_ops
    rng = np.random.default_rng(1)
    q, k, v = (tf.constant(rng.normal(size=(2, 4, 2, 3))) for _ in range(3))
    fused = attention_ops.dot_product_attention(q, k, v, scale=0.5, causal=True)
    with attention_ops.composite_attention():
        composite = attention_ops.dot_product_attention(q, k, v, scale=0.5, causal=True)
    for a, b in zip(fused, composite):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_expand_dims_and_squeeze_are_written_as_their_own_ops(tmp_path):
    """ExpandDims/Squeeze hold axes, not shapes, so the graph holds for every batch size."""
    class E(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 3, 1], tf.float32)])
        def __call__(self, x):
            y = tf.expand_dims(tf.squeeze(x, 2) * 2.0, 1)      # (batch, 1, 3)
            return tf.squeeze(tf.expand_dims(y, -1), [-1])
    d = str(tmp_path / "e")
    tf.saved_model.save(E(), d)
    loaded = tf.saved_model.load(d)
    for n in (1, 4):
        x = np.arange(3 * n, dtype="float32").reshape(n, 3, 1)
        np.testing.assert_array_equal(loaded(x).numpy(), 2 * x.reshape(n, 1, 3))
