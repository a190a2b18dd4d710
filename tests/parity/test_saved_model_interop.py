"""SavedModel computations across TensorFlow 2.21 / Keras 3.15 and tapeflow, both ways:
TensorFlow loads and runs (and differentiates) what tapeflow saves, tapeflow loads and runs
what TensorFlow saves. The ops covered are the allow-list of tapeflow/tracking/sm_ops.py."""
import numpy as np
import pytest

import tapeflow as ttf
from tapeflow import keras as tkeras

RNG = np.random.default_rng(0)
W = RNG.normal(size=(3, 4)).astype("float32")
B = RNG.normal(size=(4,)).astype("float32")
X = RNG.normal(size=(5, 3)).astype("float32")


def _module(tf):
    """The same tf.Module in either library (``tf`` is tapeflow or TensorFlow)."""
    class Net(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(W)
            self.b = tf.Variable(B)
            self.steps = tf.Variable(0)

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def __call__(self, x):
            return tf.nn.softmax(tf.nn.relu(tf.matmul(x, self.w) + self.b))

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def many(self, x):
            t = tf.transpose(x)
            y = tf.concat([x, tf.sigmoid(x) * 2.0, tf.tanh(x) / 3.0], axis=1)
            return {"sum": tf.reduce_sum(y, axis=1), "mean": tf.reduce_mean(x),
                    "max": tf.reduce_max(tf.exp(x), axis=0, keepdims=True),
                    "slice": x[:, 1:], "row": t[0], "last": x[..., -1],
                    "cast": tf.cast(x, tf.int32), "reshaped": tf.reshape(tf.square(x), [-1]),
                    "stack": tf.stack([tf.abs(x), -x]),
                    "bias": tf.nn.bias_add(x, [1.0, 2.0, 3.0]),
                    "leaky": tf.nn.leaky_relu(x, 0.3), "logsm": tf.nn.log_softmax(x),
                    "minmax": tf.maximum(tf.minimum(x, 0.5), -0.5) - tf.sqrt(tf.abs(x)),
                    "pow": tf.pow(tf.abs(x), 1.5) + tf.math.rsqrt(tf.abs(x) + 1.0)}

        @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
        def bump(self, n):
            self.steps.assign_add(n)
            return self.steps.read_value()
    return Net()


def _compare(ours, theirs):
    if isinstance(ours, dict):
        assert sorted(ours) == sorted(theirs)
        for k in ours:
            _compare(ours[k], theirs[k])
        return
    a, b = np.asarray(ours.numpy()), np.asarray(theirs.numpy())
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("writer", ["tapeflow", "tensorflow"])
def test_saved_functions_run_in_the_other_library(rtf, tmp_path, writer):
    src, dst = (ttf, rtf) if writer == "tapeflow" else (rtf, ttf)
    d = str(tmp_path / "m")
    original = _module(src)
    src.saved_model.save(original, d, signatures={"serving_default": original.__call__,
                                                  "many": original.many})
    loaded = dst.saved_model.load(d)
    x = dst.constant(X)
    _compare(original(src.constant(X)), loaded(x))
    _compare(original.many(src.constant(X)), loaded.many(x))
    _compare({"output_0": original(src.constant(X))},
             loaded.signatures["serving_default"](x=x))
    _compare(original.many(src.constant(X)), loaded.signatures["many"](x=x))
    assert int(loaded.bump(dst.constant(2)).numpy()) == 2
    assert int(loaded.bump(dst.constant(3)).numpy()) == 5
    assert int(loaded.steps.numpy()) == 5
    with src.GradientTape() as tape:
        y = src.reduce_sum(original(src.constant(X)) * src.constant(X[:, :1] + X[:, 1:2]))
    want = tape.gradient(y, [original.w, original.b])
    with dst.GradientTape() as tape:
        y = dst.reduce_sum(loaded(x) * dst.constant(X[:, :1] + X[:, 1:2]))
    got = tape.gradient(y, [loaded.w, loaded.b])
    for a, b in zip(want, got):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def _keras_model(keras, dense_only=True):
    keras.utils.set_random_seed(3)
    layers = [keras.Input((3,)), keras.layers.Dense(5, activation="relu"),
              keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(4),
              keras.layers.Dense(2, activation="softmax")]
    model = keras.Sequential(layers)
    for w, v in zip(model.weights, RNG_MODEL):
        w.assign(v)
    return model


RNG_MODEL = [np.random.default_rng(4).normal(size=s).astype("float32")
             for s in [(3, 5), (5,), (5, 4), (4,), (4, 4), (4,), (4, 2), (2,)]]


@pytest.mark.parametrize("writer", ["tapeflow", "tensorflow"])
def test_keras_exports_run_in_the_other_library(rtf, rkeras, tmp_path, writer):
    src_keras, dst_tf, dst_keras = (tkeras, rtf, rkeras) if writer == "tapeflow" else \
        (rkeras, ttf, tkeras)
    model = _keras_model(src_keras)
    d = str(tmp_path / "exp")
    model.export(d, verbose=False)
    want = np.asarray(model(X))
    loaded = dst_tf.saved_model.load(d)
    assert sorted(loaded.signatures) == ["serve", "serving_default"]
    np.testing.assert_allclose(loaded.serve(X).numpy(), want, rtol=1e-5, atol=1e-7)
    out = loaded.signatures["serving_default"](keras_tensor=dst_tf.constant(X))
    np.testing.assert_allclose(out["output_0"].numpy(), want, rtol=1e-5, atol=1e-7)
    layer = dst_keras.layers.TFSMLayer(d, call_endpoint="serve")
    np.testing.assert_allclose(np.asarray(layer(X)), want, rtol=1e-5, atol=1e-7)
    assert [tuple(w.shape) for w in layer.weights] == [tuple(w.shape) for w in model.weights]


def test_tfsm_layer_config_and_error_match_keras(rkeras, tmp_path):
    model = _keras_model(tkeras)
    d = str(tmp_path / "exp")
    model.export(d, verbose=False)
    ours, theirs = tkeras.layers.TFSMLayer(d), rkeras.layers.TFSMLayer(d)
    a, b = ours.get_config(), theirs.get_config()
    assert sorted(a) == sorted(b)
    for k in ("filepath", "call_endpoint", "call_training_endpoint", "trainable"):
        assert a[k] == b[k]
    msgs = []
    for k in (tkeras, rkeras):
        with pytest.raises(ValueError) as e:
            k.layers.TFSMLayer(d, call_endpoint="nope")
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]
